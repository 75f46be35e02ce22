// The module called directly, as a host does (a fresh instance per call), on requests made here:
// good ones, and every way of breaking one. Whatever the bytes, the answer is a response the host
// can read (`findings` or `error`), never a trap and never a read outside the request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SECTION, encodeTree, request } from './ktr1.mjs';
import { wasm } from './cli.mjs';

const module = new WebAssembly.Module(readFileSync(wasm));

function instance() {
  return new WebAssembly.Instance(module, {}).exports;
}

function slice(ex, packed) {
  const v = BigInt.asUintN(64, packed);
  const ptr = Number(v >> 32n);
  const len = Number(v & 0xffffffffn);
  assert.ok(ptr + len <= ex.memory.buffer.byteLength, 'the answer lies in memory');
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(ex.memory.buffer, ptr, len)));
}

/** kpitree_alloc, copy, kpitree_evaluate, the response: as both hosts call a plugin. */
function evaluate(bytes) {
  const ex = instance();
  const ptr = ex.kpitree_alloc(bytes.length) >>> 0;
  assert.ok(ptr !== 0 && ptr % 8 === 0, 'an 8-byte-aligned pointer');
  new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);
  return slice(ex, ex.kpitree_evaluate(ptr, bytes.length));
}

const owners = ['Sales', 'Sales', 'Platform', 'Sales', 'Sales', 'Sales', 'Sales', 'Sales', 'Sales', 'Sales'];
const doc = {
  nodes: [
    { id: 'o', kind: 'objective', title: 'Grow', owner: 'Board' },
    ...owners.map((owner, k) => ({ id: `k${k}`, title: `KPI ${k}`, owner, parents: ['o'], measurements: [[1, 2], [3, 4]] })),
    { id: 'draft', title: 'Draft', owner: 'Sales', status: 'draft', parents: ['o'] },
    { id: 'nobody', title: 'Nobody' },
  ],
};
// What the host sends owner-quota: its `reads` (status, owner) besides kind, id and the strings.
const declared = new Set([SECTION.kind, SECTION.status, SECTION.id, SECTION.owner, SECTION.string_offsets, SECTION.string_bytes]);
const undeclared = Object.values(SECTION).filter((k) => !declared.has(k));
const SALES = {
  rule: 'owner-kpi-quota',
  nodes: ['k0', 'k1', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9'],
  message: '"Sales" owns 9 active KPIs, more than the quota of 8',
  evidence: { owner: 'Sales', kpis: 9, limit: 8 },
};

test('the manifest', () => {
  const ex = instance();
  assert.equal(ex.kpitree_abi_version(), 0x00010001);
  const manifest = slice(ex, ex.kpitree_manifest());
  assert.equal(manifest.name, 'owner-quota');
  assert.deepEqual(manifest.reads, ['status', 'owner']);
  assert.deepEqual(manifest.rules.map((r) => [r.id, r.severity]), [['owner-kpi-quota', 'warning']]);
  assert.equal(manifest.config_schema.properties.max.maximum, 1000000);
});

test('a good request, with the declared sections or the whole tree: the same findings', () => {
  const only = evaluate(request(encodeTree(doc, { absent: undeclared })));
  assert.deepEqual(only, { findings: [SALES] });
  assert.deepEqual(evaluate(request(encodeTree(doc))), only);
  assert.deepEqual(evaluate(request(encodeTree(doc), '{"max": 9}')), { findings: [] });
  assert.deepEqual(evaluate(request(encodeTree(doc), ' \n')), only, 'a blank configuration is {}');
  assert.deepEqual(evaluate(request(encodeTree({ nodes: [] }))), { findings: [] });
});

test('a missing declared section is an error, not an empty column', () => {
  const r = evaluate(request(encodeTree(doc, { absent: [...undeclared, SECTION.owner] })));
  assert.match(r.error.message, /the rule read `owner` \(owner, ownerRef\), which the plugin's `reads` does not declare/);
  for (const [k, message] of [
    [SECTION.kind, 'malformed request: section `kind` is marked absent but is needed'],
    [SECTION.parent_offsets, 'malformed request: section `parent_offsets` is marked absent but is needed'],
  ]) {
    assert.equal(evaluate(request(encodeTree(doc, { absent: [k] }))).error.message, message);
  }
});

test('configurations: errors as the WAT plugin words them, and JSON errors', () => {
  const tree = encodeTree(doc, { absent: undeclared });
  const quota = 'configuration: `max` must be a whole number from 1 to 1000000';
  for (const c of ['{"max": 0}', '{"max": "8"}', '{"max": 2.5}', '{"max": -1}', '{"max": 99999999}', '{"max": 8.0}',
    '{"max": 1e1}', '{"max": -0}', '{"max": 123456789012345678901234567890}', '{"max": [3]}', '{"max": null}']) {
    assert.equal(evaluate(request(tree, c)).error?.message, quota, c);
  }
  for (const c of ['{ "max" : 3 }', '{"max":\n12,"other":true}', '{"other": {"max": "x"}, "max": 3}']) {
    assert.ok(evaluate(request(tree, c)).findings, c);
  }
  assert.match(evaluate(request(tree, '{"max": 3')).error.message, /^configuration: not valid JSON \(at byte \d+\)$/);
  assert.match(evaluate(request(tree, '[1]')).error.message, /^configuration: must be a JSON object$/);
  assert.match(evaluate(request(tree, `{"a": ${'['.repeat(10000)}`)).error.message, /nested more than 64 levels/);
  assert.match(evaluate(request(tree, '{"a": "\\x"}')).error.message, /not valid JSON/);
});

test('malformed requests are error responses', () => {
  const tree = encodeTree(doc);
  const cases = [
    [new Uint8Array(3), /truncated: `request header` needs 8 bytes/],
    [(() => { const r = request(tree); r[0] ^= 1; return r; })(), /request announces \d+ bytes but has \d+/],
    [(() => { const t = tree.slice(); t[0] = 0x58; return request(t); })(), /not a KTR1 tree \(starts with \[88, 84, 82, 49\]\)/],
    [(() => { const t = tree.slice(); t[24] = 42; return request(t); })(), /directory has 42 sections, ABI 1.0 needs 43/],
    [(() => { const t = tree.slice(); t[28 + 4 * SECTION.owner] += 4; return request(t); })(), /section `owner` at offset \d+ is not 8-byte aligned/],
    [(() => { const t = tree.slice(); t[4] = 200; return request(t); })(), /truncated: `\w+` needs \d+ bytes/],
  ];
  for (const [bytes, message] of cases) assert.match(evaluate(bytes).error.message, message);
});

test('every truncation of the tree is an error response', () => {
  const tree = encodeTree(doc);
  for (let len = 0; len < tree.length; len++) {
    const r = evaluate(request(tree.subarray(0, len)));
    assert.ok(r.error, `a tree cut at ${len} bytes`);
  }
});

test('thousands of corruptions: a response every time, never a trap', () => {
  // A fixed xorshift generator: the same corruptions on every run.
  let s = 0x2545f491;
  const rand = (n) => {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    return (s >>> 0) % n;
  };
  const tree = encodeTree(doc);
  let errors = 0;
  for (let k = 0; k < 3000; k++) {
    const t = tree.slice();
    for (let flips = 1 + rand(4); flips > 0; flips--) {
      // Most of the header and directory, where a byte decides what is read, then anywhere.
      const at = k % 2 ? rand(220) : rand(t.length);
      t[at] = rand(4) === 0 ? 0xff : t[at] ^ (1 << rand(8));
    }
    const r = evaluate(request(t));
    assert.ok(r.error || Array.isArray(r.findings), JSON.stringify(r));
    if (r.error) errors++;
  }
  assert.ok(errors > 1000, `most corruptions are caught (${errors} of 3000)`);
});

test('pointers and lengths the host should never send', () => {
  const ex = instance();
  assert.equal(ex.kpitree_alloc(-1), 0);
  assert.equal(ex.kpitree_alloc(0x7fff_0000), 0);
  const bytes = request(encodeTree(doc));
  const ptr = ex.kpitree_alloc(bytes.length) >>> 0;
  new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);
  const size = ex.memory.buffer.byteLength;
  for (const [p, len] of [[size - 4, 8], [-8, 16], [0, 64], [ptr + 8, bytes.length], [ptr, bytes.length + 1]]) {
    assert.equal(slice(ex, ex.kpitree_evaluate(p, len)).error.message, 'the request is not in memory obtained from kpitree_alloc', `${p}, ${len}`);
  }
  // A request inside the block is fine (a host may allocate more than it writes).
  assert.ok(slice(ex, ex.kpitree_evaluate(ptr, bytes.length)).findings);
});
