// Rule plugins in the page: the same `.wasm` files as natively (plugins/ABI.md), run through the JS
// WebAssembly API in a Web Worker (plugin-worker.js), one fresh instance per call sequence, under the
// native host's limits: a wall-time limit per call (the worker is terminated), a memory maximum (the
// engine lowers the module's declared maximum before it is compiled), sizes of module, request and
// answer, and what a module may declare (functions, code: checked before the page compiles it).
// Every step but the calls is the engine's (kpitree-plugin-abi, the native host's own code): the
// module checks, the load steps, which plugin gets which request (framed in full by the engine), and
// the answers' checks, so findings and plugin errors read exactly as `kpitree check --plugin` prints
// them. The worker only instantiates and calls.
import * as wasm from './pkg/kpitree_web.js';
import { KpiTreeError, baselineOf, configOf, initEngine } from './engine.js';

const WORKER = new URL('./plugin-worker.js', import.meta.url);

/**
 * Limits with the native defaults filled in (`{ timeMs, memory, moduleSize, inputSize, outputSize,
 * functions, codeSize }`).
 */
function limitsOf(limits = {}) {
  return { ...wasm.defaultLimits(), ...limits };
}

/** `{ stem, source, bytes }` or a failure outcome, for a URL, ArrayBuffer, typed array or `{ name, bytes }`. */
async function fetchPlugin(plugin, k) {
  if (typeof plugin === 'string' || plugin instanceof URL) {
    const url = new URL(plugin, document.baseURI ?? location.href);
    const file = url.pathname.split('/').pop() ?? '';
    const stem = decodeURIComponent(file.replace(/\.[^.]*$/, '')) || `plugin-${k + 1}`;
    try {
      const res = await fetch(url);
      if (!res.ok) return { stem, outcome: { kind: 'io', path: String(plugin), detail: `HTTP ${res.status} ${res.statusText}`.trim() } };
      return { stem, source: String(plugin), bytes: new Uint8Array(await res.arrayBuffer()) };
    } catch (e) {
      return { stem, outcome: { kind: 'io', path: String(plugin), detail: String(e?.message ?? e) } };
    }
  }
  const named = plugin && !ArrayBuffer.isView(plugin) && !(plugin instanceof ArrayBuffer) && 'bytes' in plugin;
  const stem = named ? String(plugin.name) : `plugin-${k + 1}`;
  const raw = named ? plugin.bytes : plugin;
  const bytes = raw instanceof ArrayBuffer ? new Uint8Array(raw) : new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  return { stem, source: named ? stem : `<bytes ${k + 1}>`, bytes };
}

/**
 * Runs one message in a fresh worker under the time limit per call; resolves to the worker's answer
 * or `{ ok: false, outcome }`. The worker is always terminated afterwards.
 */
function inWorker(message, timeMs) {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER, { type: 'module' });
    let call = 'instantiation';
    let timer;
    const finish = (answer) => {
      clearTimeout(timer);
      worker.terminate();
      resolve(answer);
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish({ ok: false, outcome: { kind: 'timeout', call, limitMs: timeMs } }), timeMs);
    };
    worker.onmessage = ({ data }) => {
      if (data.call) {
        call = data.call;
        arm();
      } else {
        finish(data);
      }
    };
    worker.onerror = (e) => {
      e.preventDefault?.();
      finish({ ok: false, outcome: { kind: 'host', call, detail: e.message || 'the worker failed' } });
    };
    arm();
    worker.postMessage(message);
  });
}

/**
 * Loads plugins into `run` (a wasm PluginRun): fetch, engine checks, compile, then the manifest in a
 * worker. Returns, per plugin, its compiled module or null when it failed (the failure is in `run`).
 */
async function loadAll(run, plugins, limits) {
  const modules = [];
  for (const [k, p] of plugins.entries()) {
    const got = await fetchPlugin(p, k);
    if (got.outcome) {
      run.loadFailed(got.stem, got.outcome);
      continue;
    }
    let prepared;
    try {
      prepared = run.prepare(got.bytes, got.stem);
    } catch {
      continue; // Recorded in `run` by prepare().
    }
    let module;
    try {
      module = await WebAssembly.compile(prepared);
    } catch (e) {
      run.loadFailed(got.stem, { kind: 'invalid-module', detail: String(e?.message ?? e) });
      continue;
    }
    const answer = await inWorker(
      { op: 'load', module, abiMajor: wasm.abiMajor(), outputSize: limits.outputSize, memoryLimit: limits.memory },
      limits.timeMs,
    );
    if (!answer.ok) {
      run.loadFailed(got.stem, answer.outcome);
      continue;
    }
    try {
      const added = run.add(got.stem, got.source, answer.abi, answer.manifest);
      modules[added.index] = module;
    } catch {
      // Recorded in `run` by add().
    }
  }
  return modules;
}

/**
 * Checks `tree` with the built-in rules and the given plugins; resolves to the same report as
 * `kpitree check --plugin ... --format json`: plugin findings merged (each with `plugin`), failures
 * in `plugin_errors`; with `baseline`, marked against it as by `tree.check`. A hostile plugin yields a
 * plugin error; the page stays responsive.
 */
export async function checkWithPlugins(tree, { config, plugins = [], limits, baseline } = {}) {
  await initEngine();
  const lim = limitsOf(limits);
  const c = configOf(config);
  const b = baselineOf(baseline);
  const run = new wasm.PluginRun();
  run.setLimits(lim);
  const full = tree.fullInner('a check with plugins');
  try {
    const modules = await loadAll(run, plugins, lim);
    try {
      run.configure(c.json, c.source);
    } catch (e) {
      throw new KpiTreeError(e.message, e.problems ?? []);
    }
    // The engine's plan: each plugin with a rule on, its whole request (the parts of the tree its
    // manifest `reads` and its configuration), as natively.
    for (const { index, request } of run.requests(full)) {
      const answer = await inWorker(
        { op: 'evaluate', module: modules[index], request, outputSize: lim.outputSize, memoryLimit: lim.memory },
        lim.timeMs,
      );
      if (answer.ok) run.respond(index, answer.response);
      else run.failed(index, answer.outcome);
    }
    return JSON.parse(full.checkWithPluginsJson(run, b.text, b.file));
  } finally {
    run.free();
  }
}

/**
 * Loads one plugin and returns `{ name, manifest }` (its rules, for showing them); throws a
 * KpiTreeError with the plugin error's message when it cannot be loaded.
 */
export async function loadPlugin(plugin, { limits } = {}) {
  await initEngine();
  const lim = limitsOf(limits);
  const run = new wasm.PluginRun();
  run.setLimits(lim);
  try {
    await loadAll(run, [plugin], lim);
    const manifest = run.manifest(0);
    if (manifest !== undefined) return { name: manifest.name, manifest };
    const failure = run.loadErrors()[0];
    throw new KpiTreeError(failure.message, [
      { code: failure.code, message: failure.message, file: failure.plugin, node: null, field: null, line: null, column: null },
    ]);
  } finally {
    run.free();
  }
}
