// Runs one plugin call sequence in a fresh instance, off the page's thread (plugins/ABI.md). The page
// starts one worker per load or evaluation and terminates it when the time limit passes, so a plugin
// that spins cannot freeze the page. Before each export is called the worker says which, so a timeout
// names the call that was running. Failures are posted as `{ kind, ... }` outcomes (the engine's
// serialised ErrorKind), which the engine words exactly as the native host does. It only
// instantiates and calls: the request comes framed from the engine, and what the worker checks is
// what it alone can see (the plugin's memory: an answer's span, where the request goes).
//
// Messages in:  { op: 'load', module, abiMajor, outputSize, memoryLimit }
//               { op: 'evaluate', module, request, outputSize, memoryLimit }
// Messages out: { call } (progress), { ok: true, ... } or { ok: false, outcome }.

// V8's trap messages in the native host's words (kpitree-plugin-host, trap_text).
const TRAPS = [
  [/unreachable/i, 'unreachable'],
  [/memory access out of bounds|data segment \d+ is out of bounds/i, 'out-of-bounds memory access'],
  [/(elem|element) segment \d+ is out of bounds/i, 'out-of-bounds table access'],
  [/(divide|remainder) by zero/i, 'integer division by zero'],
  [/integer overflow/i, 'integer overflow'],
  [/float unrepresentable/i, 'invalid conversion to integer'],
  [/table index is out of bounds/i, 'out-of-bounds table access'],
  [/signature mismatch/i, 'indirect call type mismatch'],
];

class Failed extends Error {
  constructor(outcome) {
    super(outcome.kind);
    this.outcome = outcome;
  }
}

function classify(e, call) {
  if (e instanceof Failed) return e.outcome;
  if (e instanceof RangeError && /call stack/i.test(e.message)) return { kind: 'stack-overflow', call };
  if (e instanceof WebAssembly.RuntimeError || e instanceof WebAssembly.LinkError) {
    const found = TRAPS.find(([re]) => re.test(e.message));
    return { kind: 'trap', call, trap: found ? found[1] : e.message };
  }
  if (e instanceof RangeError && /memory/i.test(e.message)) {
    return { kind: 'host', call, detail: e.message };
  }
  return { kind: 'host', call, detail: String(e?.message ?? e) };
}

let current = 'instantiation';
let memory = null; // the instance's memory, to tell a denied growth after a failure

// A plugin whose memory stands at its maximum when it fails was denied a growth: that explains the
// failure (the native host's rule), as running out of memory.
function denied(outcome, limit) {
  if (!memory || !limit || (outcome.kind !== 'trap' && outcome.kind !== 'alloc-failed')) return outcome;
  const size = memory.buffer.byteLength;
  if (size + 65536 <= limit) return outcome;
  return { kind: 'out-of-memory', call: outcome.call ?? 'kpitree_alloc', limit, requested: size + 65536 };
}

function step(call) {
  current = call;
  self.postMessage({ call });
}

/** The bytes of a packed slice, checked against the output limit and the memory. */
function read(memory, call, packed, outputSize) {
  const v = BigInt.asUintN(64, packed);
  const ptr = Number(v >> 32n);
  const len = Number(v & 0xffffffffn);
  if (len > outputSize) throw new Failed({ kind: 'output-too-large', call, len, limit: outputSize });
  const size = memory.buffer.byteLength;
  if (ptr + len > size) throw new Failed({ kind: 'out-of-bounds', call, ptr, len, memory: size });
  return new Uint8Array(memory.buffer, ptr, len).slice();
}

async function instantiate(module) {
  step('instantiation');
  const instance = await WebAssembly.instantiate(module, {});
  memory = instance.exports.memory;
  return instance.exports;
}

async function load({ module, abiMajor, outputSize }) {
  const ex = await instantiate(module);
  step('kpitree_abi_version');
  const abi = ex.kpitree_abi_version();
  // Another major version (the engine's, from the page): the engine refuses it before reading the
  // manifest, as natively.
  if ((abi >>> 16) !== abiMajor) return { ok: true, abi, manifest: new Uint8Array() };
  step('kpitree_manifest');
  const manifest = read(ex.memory, 'kpitree_manifest', ex.kpitree_manifest(), outputSize);
  return { ok: true, abi, manifest };
}

async function evaluate({ module, request, outputSize }) {
  const ex = await instantiate(module);
  const total = request.length;
  step('kpitree_alloc');
  const ptr = ex.kpitree_alloc(total) >>> 0;
  if (ptr === 0 && total > 0) throw new Failed({ kind: 'alloc-failed', len: total });
  const size = ex.memory.buffer.byteLength;
  if (ptr + total > size) throw new Failed({ kind: 'out-of-bounds', call: 'kpitree_alloc', ptr, len: total, memory: size });
  new Uint8Array(ex.memory.buffer, ptr, total).set(request, 0);
  step('kpitree_evaluate');
  const packed = ex.kpitree_evaluate(ptr, total);
  return { ok: true, response: read(ex.memory, 'kpitree_evaluate', packed, outputSize) };
}

self.onmessage = async ({ data }) => {
  try {
    const result = data.op === 'load' ? await load(data) : await evaluate(data);
    self.postMessage(result, [result.manifest?.buffer ?? result.response.buffer]);
  } catch (e) {
    self.postMessage({ ok: false, outcome: denied(classify(e, current), data.memoryLimit) });
  }
};
