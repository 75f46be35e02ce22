// The kpitree engine in the page: a thin JS face over the wasm bindings (crates/kpitree-web), which
// run the same Rust engine as the CLI. Types: kpitree.d.ts. Nothing here decides anything about a
// tree; it converts arguments and results and turns the engine's errors into KpiTreeError.
// Two builds of the engine (web/scripts/build.sh): the full one (pkg/: CSV, TOML, plugins, pruning
// too) and the lean one (pkg/lean/: valid JSON trees checked and laid out with the default
// configuration), a fraction of the size, which the widget loads when the page needs no more. Their
// glue is imported when first needed. A tree the lean engine read does the rest (prune, its nodes as
// JSON, a check with a configuration or a baseline) through a copy in the full engine, once loaded.
const FULL = './pkg/kpitree_web.js';
const LEAN = './pkg/lean/kpitree_web.js';

let full = null;
let lean = null;
// The bindings module-level calls use: the full engine once it is loaded, else the lean one.
let wasm = null;

async function start(glue) {
  // The wasm is requested together with its glue, not once the glue has arrived; the glue's init
  // takes the pending response and compiles the wasm while it streams in.
  const response = fetch(new URL(glue.replace(/\.js$/, '_bg.wasm'), import.meta.url));
  response.catch(() => {}); // a failed import below is the error reported; this one is then unread
  const bindings = await import(glue);
  await bindings.default({ module_or_path: response });
  if (glue === FULL || !wasm) wasm = bindings;
}

/**
 * Loads the engine's wasm once; later calls return the same promise. `{ lean: true }` loads the lean
 * engine unless the full one is loaded already: it reads valid JSON trees, checks them with the default
 * configuration and lays them out. Everything else needs the full engine, which a later `initEngine()`
 * adds: CSV trees, configurations and plugins, the messages of an invalid tree (`readTree` loads it
 * for them), and for a tree the lean engine read, `prune`, `document`, `nodes` and `node`.
 */
export function initEngine({ lean: leanOnly = false } = {}) {
  if (leanOnly && !full) {
    lean ??= start(LEAN);
    return lean;
  }
  full ??= start(FULL);
  return full;
}

/** Whether the full engine is loaded (CSV, TOML, plugins). */
function isFull() {
  return typeof wasm?.PluginRun === 'function';
}

/** An invalid tree or configuration: `message` is the CLI's text, `problems` the located problems. */
export class KpiTreeError extends Error {
  constructor(message, problems = []) {
    super(message);
    this.name = 'KpiTreeError';
    this.problems = problems;
  }
}

// The bindings throw `{ message, problems }` objects for input errors; anything else is a bug.
function rethrow(e) {
  if (e && typeof e === 'object' && !(e instanceof Error) && typeof e.message === 'string') {
    throw new KpiTreeError(e.message, (e.problems ?? []).map((p) => ({
      code: p.code, message: p.message, file: p.file, node: p.node ?? null, field: p.field ?? null,
      line: p.line ?? null, column: p.column ?? null,
    })));
  }
  throw e;
}

function call(f) {
  try {
    return f();
  } catch (e) {
    return rethrow(e);
  }
}

/**
 * `f()` for an input the caller gave as an object: the engine read it as JSON text made here, which
 * the caller never saw, so its errors lose their lines and columns (`file:4:23: ...` becomes
 * `file: ...`); the node and field still say where.
 */
function fromObject(file, f) {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof KpiTreeError)) throw e;
    const at = new RegExp(`^(${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})(?::\\d+){1,2}: `, 'gm');
    throw new KpiTreeError(
      e.message.replace(at, '$1: '),
      e.problems.map((p) => ({ ...p, line: null, column: null })),
    );
  }
}

function engineReady(what) {
  if (!wasm) throw new Error('kpitree: call and await initEngine() first');
  if (what && !isFull()) throw new Error(`kpitree: ${what} needs the full engine: call and await initEngine() without { lean: true }`);
}

/**
 * The bytes of `input` when it is binary: an ArrayBuffer or any view of one (a typed array, a
 * DataView, also a part of a larger buffer, also from another frame, whose classes are not this
 * realm's); else null.
 */
function bytesOf(input) {
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const tag = Object.prototype.toString.call(input);
  if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]') return new Uint8Array(input);
  return null;
}

/**
 * Loads and validates a tree: JSON text, CSV text (`format: 'csv'`), the bytes of a file (an
 * ArrayBuffer or a typed array, such as a response's `arrayBuffer()`: UTF-8, read as the CLI reads a
 * file, and handed to the engine without a copy into a string) or a tree document object.
 * Throws KpiTreeError with the CLI's messages when it is invalid.
 */
export function loadTree(input, { file = 'tree.json', format, asOf, organisation } = {}) {
  const bytes = bytesOf(input);
  if (bytes || typeof input === 'string') {
    format ??= /\.csv$/i.test(file) ? 'csv' : 'json';
    engineReady(format === 'csv' ? 'CSV' : undefined);
    const own = bytes ?? utf8(input);
    const inner = call(() => wasm.loadTree(own, file, format, asOf ?? undefined, organisation ?? undefined));
    // The caller may reuse its buffer: a lean tree keeps a copy of its text for the full engine.
    return new Tree(inner, isFull() ? null : own === bytes ? bytes.slice() : own);
  }
  const text = utf8(JSON.stringify(input));
  engineReady();
  return fromObject(file, () => new Tree(call(() => wasm.loadTree(text, file, 'json', asOf ?? undefined, organisation ?? undefined)), isFull() ? null : text));
}

/**
 * `text` as UTF-8 bytes, for the engine. The engine reads bytes only: the browser encodes a text at
 * once, where a string argument would be copied into the wasm a character at a time by JS.
 */
export function utf8(text) {
  return new TextEncoder().encode(text);
}

/**
 * `loadTree`, also for text the lean engine does not read. The lean engine reads JSON with a small
 * reader that gives the same documents as the full engine's but declines anything else (a broken
 * file, mostly) with the code `needs-full-engine`; then this loads the full engine and reads the text
 * again, so the error carries the CLI's messages. With the full engine loaded, the same as `loadTree`.
 */
export async function readTree(input, options) {
  try {
    return loadTree(input, options);
  } catch (e) {
    if (!(e instanceof KpiTreeError) || e.problems[0]?.code !== 'needs-full-engine') throw e;
    await initEngine();
    return loadTree(input, options);
  }
}

/**
 * An earlier report to check against (`kpitree check --baseline`), read and checked by the engine:
 * `text` is its JSON, `file` names it in messages, `findings` is how many findings it knows.
 */
export class Baseline {
  constructor(text, file, findings) {
    this.text = text;
    this.file = file;
    this.findings = findings;
  }
}

/**
 * Reads a baseline: the JSON text of `kpitree check --format json` (one tree's report or several
 * trees'), or that report as an object. Throws KpiTreeError with the CLI's located messages. Full
 * engine only (in the lean one it would cost 5 KiB of every page's download).
 */
export function loadBaseline(input, { file = 'baseline.json' } = {}) {
  if (input instanceof Baseline) return input;
  engineReady('a baseline');
  if (typeof input === 'string') return new Baseline(input, file, call(() => wasm.readBaseline(input, file)));
  const text = JSON.stringify(input);
  return new Baseline(text, file, fromObject(file, () => call(() => wasm.readBaseline(text, file))));
}

/** `loadBaseline` once the full engine is loaded (it loads it). */
export async function readBaseline(input, options) {
  await initEngine();
  return loadBaseline(input, options);
}

/** Rule settings (`[rules.<id>]`), plugin configurations (`[plugins.<name>]`) and plugin `[limits]`. */
export class Config {
  #json;
  constructor(json, source) {
    this.#json = json;
    this.source = source;
    Object.assign(this, JSON.parse(json));
  }
  /** The configuration as the engine reads it (JSON text). */
  get json() {
    return this.#json;
  }
}

/**
 * Reads a configuration: TOML text (`kpitree.toml`), JSON text (`format: 'json'`) or an object.
 * Throws KpiTreeError with the CLI's messages for syntax errors and bad rule options. Rule ids no
 * built-in rule has are checked when a check runs (a plugin may declare them).
 */
export function loadConfig(input, { file = 'kpitree.toml', format } = {}) {
  if (input instanceof Config) return input;
  let text = input;
  if (typeof input !== 'string') {
    text = JSON.stringify(input ?? {});
    format = 'json';
  }
  format ??= /\.json$/i.test(file) ? 'json' : 'toml';
  engineReady('configuration');
  return new Config(call(() => wasm.parseConfig(text, file, format)), file);
}

/**
 * Adds the custom rules of a rules file (`[[custom_rules]]`, TOML text named `file` in messages) to
 * `config` (a Config, or nothing for the defaults) and checks them all together, as `kpitree check
 * --rules FILE` does. Returns a new Config; throws KpiTreeError naming each bad rule.
 */
export function withRules(config, text, { file = 'rules.toml' } = {}) {
  engineReady('custom rules');
  const base = config === undefined || config === null ? null : loadConfig(config, { file: 'config' });
  const source = base?.source ?? 'command line';
  return new Config(call(() => wasm.withRules(base?.json ?? '', source, text, file)), source);
}

/** `config` as a check takes it: a Config, TOML text, an object, or nothing for the defaults. */
export function configOf(config) {
  if (config === undefined || config === null) return { json: '', source: 'command line' };
  const c = config instanceof Config ? config : loadConfig(config, { file: 'config' });
  return { json: c.json, source: c.source };
}

/** `baseline` as a check takes it: `{ text, file }`, the text undefined for none. */
export function baselineOf(baseline) {
  if (baseline === undefined || baseline === null) return { text: undefined, file: '' };
  return loadBaseline(baseline);
}

/** The default plugin limits (`plugins/ABI.md`), the native host's: sizes in bytes. */
export function defaultLimits() {
  engineReady('plugins');
  return wasm.defaultLimits();
}

/** A validated tree; `free()` releases its wasm memory. */
export class Tree {
  #inner;
  // A tree the lean engine read: the UTF-8 text it was read from, and its copy in the full engine.
  #text;
  #full = null;
  constructor(inner, text = null) {
    this.#inner = inner;
    this.#text = text;
  }

  /** The bindings' handle (used by plugins.js). */
  get inner() {
    if (!this.#inner) throw new Error('kpitree: this tree was freed');
    return this.#inner;
  }

  /**
   * The tree's handle in the full engine (used by plugins.js): its own, or for a tree the lean engine
   * read, a copy read once from the same text (valid there too, with the same results). `what` says
   * what needs it when the full engine is not loaded yet.
   */
  fullInner(what = 'this') {
    const inner = this.inner;
    if (this.#text === null) return inner;
    if (!isFull()) throw new Error(`kpitree: ${what} needs the full engine: call and await initEngine() without { lean: true }`);
    this.#full ??= call(() => wasm.loadTree(this.#text, this.file, 'json', undefined, undefined));
    return this.#full;
  }

  /** Number of nodes. */
  get count() {
    return this.inner.count;
  }

  /** The file name messages use. */
  get file() {
    return this.inner.file;
  }

  /** The whole document (the JSON format). */
  document() {
    return JSON.parse(this.fullInner('document()').documentJson());
  }

  /** Every node, in document order, with the fields of the JSON format. */
  nodes() {
    return JSON.parse(this.fullInner('nodes()').nodesJson());
  }

  /** One node with its series, or undefined. */
  node(id) {
    const json = this.fullInner('node()').nodeJson(String(id));
    return json === undefined ? undefined : JSON.parse(json);
  }

  /**
   * The report of `kpitree check --format json`; with `baseline` (a Baseline, or what `loadBaseline`
   * reads), `kpitree check --baseline`: each finding marked `new` or `known`.
   */
  check({ config, baseline } = {}) {
    const c = configOf(config);
    const b = baselineOf(baseline);
    if (b.text === undefined) {
      // Only the full engine reads a configuration (configOf has loaded it for one).
      const inner = c.json ? this.fullInner('a configuration') : this.inner;
      return JSON.parse(call(() => inner.checkJson(c.json, c.source)));
    }
    // Only the full engine marks reports against a baseline (baselineOf has loaded it).
    return JSON.parse(call(() => this.fullInner('a baseline').checkAgainstJson(c.json, c.source, b.text, b.file)));
  }

  /** The report of `kpitree prune --format json`; `reasons` defaults to all three. */
  prune({ config, reasons = [] } = {}) {
    const c = configOf(config);
    return JSON.parse(call(() => this.fullInner('prune()').pruneJson(c.json, c.source, reasons)));
  }

  /**
   * The display tree laid out (items in preorder, typed arrays). `separation` is a number (the same
   * for all neighbours) or [siblings, cousins] in node widths; default [1, 2] like d3's tree().
   */
  layout({ collapsed = [], collapsedNodes = [], nodeSize = [1, 1], separation = [1, 2] } = {}) {
    const [w, h] = nodeSize;
    const [siblings, cousins] = typeof separation === 'number' ? [separation, separation] : separation;
    const ids = Array.from(collapsed, String);
    const nodes = Uint32Array.from(collapsedNodes);
    return call(() => this.inner.layout(ids, nodes, w, h, siblings, cousins));
  }

  /**
   * The nodes (indices into `nodes()`) with children at display depth `depth` or deeper (0: the
   * roots), as a Uint32Array: what a view opened `depth` levels deep closes (`layout`'s
   * `collapsedNodes`), without laying the whole tree out first.
   */
  openableFrom(depth) {
    return this.inner.openableFrom(Math.max(0, Math.floor(Number(depth) || 0)));
  }

  /** Releases the tree's memory in the engine. */
  free() {
    this.#inner?.free();
    this.#full?.free();
    this.#inner = this.#full = this.#text = null;
  }
}
