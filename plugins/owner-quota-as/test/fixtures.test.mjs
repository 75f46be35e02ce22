// The module against the fixtures in tests/owner-kpi-quota, through the real kpitree CLI (wasmtime,
// limits, the host's response checks), as crates/kpitree-fixtures runs them for the Rust plugins:
// a `pass*.json` gives no finding of the rule, a `fail*.json` exactly those in its
// `.expected.json`; a `NAME.toml` beside a tree is its configuration. Then everything the WAT
// plugin does, this one must do alike: bad configurations, the manifest, the whole report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFixtures } from '@kpitree/plugin-sdk/testing.mjs';
import { RULE, check, fixtures, kpitree, wasm, wat } from './cli.mjs';

const files = readdirSync(fixtures).sort();
const trees = files.filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'));
const config = (tree) => {
  const toml = join(fixtures, tree.replace(/\.json$/, '.toml'));
  return existsSync(toml) ? toml : null;
};

test('the fixtures, as crates/kpitree-fixtures checks them', () => {
  assert.deepEqual(checkFixtures({ plugin: wasm, dir: fixtures, rule: RULE }), []);
});

for (const tree of trees) {
  test(`fixture ${tree}: the whole report equals the WAT plugin's`, () => {
    assert.deepEqual(check(join(fixtures, tree), wasm, config(tree)), check(join(fixtures, tree), wat, config(tree)));
  });
}

test('it imports nothing and exports the ABI', () => {
  const module = new WebAssembly.Module(readFileSync(wasm));
  assert.deepEqual(WebAssembly.Module.imports(module), []);
  const exports = Object.fromEntries(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  for (const name of ['kpitree_abi_version', 'kpitree_alloc', 'kpitree_manifest', 'kpitree_evaluate']) {
    assert.equal(exports[name], 'function', name);
  }
  assert.equal(exports.memory, 'memory');
});

test('the host accepts it (exact export types, manifest) with the WAT plugin\'s rule and reads', () => {
  const inspect = (plugin) => {
    const run = kpitree(['plugin', 'inspect', plugin]);
    assert.equal(run.status, 0, run.stderr);
    return run.stdout;
  };
  const ours = inspect(wasm);
  const theirs = inspect(wat);
  // Everything but the description (which says how each is written) and the file is the same.
  const strip = (text) => text.split('\n').filter((l) => !/Hand-written|AssemblyScript|^file: /.test(l)).join('\n');
  assert.equal(strip(ours), strip(theirs));
});

test('bad configurations are the same plugin errors as the WAT plugin\'s', () => {
  const dir = mkdtempSync(join(tmpdir(), 'owner-quota-as-'));
  const pass = join(fixtures, 'pass.json');
  const bad = ['0', '"8"', '2.5', '-1', '99999999', '8.0', '1e3', 'true', '[8]', '{ n = 8 }'];
  for (const [k, value] of bad.entries()) {
    const toml = join(dir, `bad-${k}.toml`);
    writeFileSync(toml, `[plugins.owner-quota]\nmax = ${value}\n`);
    const ours = check(pass, wasm, toml).plugin_errors;
    assert.equal(ours.length, 1, `max = ${value}`);
    assert.match(ours[0].message, /configuration: `max` must be a whole number from 1 to 1000000$/, `max = ${value}`);
    assert.deepEqual(ours, check(pass, wat, toml).plugin_errors, `max = ${value}`);
  }
  // The last two are where this plugin parts from the WAT one on purpose: the WAT module finds the
  // first `"max"` anywhere in the JSON (a string value, a nested table), this one reads the key.
  const good = ['3', '1000000', '1\nother = true', '12\nnote = "max"', '12\n[plugins.owner-quota.a]\nmax = "x"'];
  for (const [k, value] of good.entries()) {
    const toml = join(dir, `good-${k}.toml`);
    writeFileSync(toml, `[plugins.owner-quota]\nmax = ${value}\n`);
    const ours = check(pass, wasm, toml);
    assert.deepEqual(ours.plugin_errors ?? [], [], `max = ${value}`);
    if (k < 3) assert.deepEqual(ours, check(pass, wat, toml), `max = ${value}`);
  }
});

test('the tester fails what it should', () => {
  const dir = mkdtempSync(join(tmpdir(), 'owner-quota-as-fixtures-'));
  for (const f of files) writeFileSync(join(dir, f), readFileSync(join(fixtures, f)));
  const expected = join(dir, 'fail.expected.json');
  writeFileSync(expected, readFileSync(expected, 'utf8').replace('owns 9', 'owns 7'));
  writeFileSync(join(dir, 'pass-not.json'), readFileSync(join(fixtures, 'fail.json')));
  writeFileSync(join(dir, 'fail-missing.json'), readFileSync(join(fixtures, 'fail.json')));
  const failures = checkFixtures({ plugin: wasm, dir, rule: RULE });
  assert.equal(failures.length, 3, failures.join('\n'));
  assert.match(failures[0], /fail-missing\.expected\.json: missing \(run with KPITREE_BLESS=1/);
  assert.match(failures[1], /fail\.json: findings differ from .*fail\.expected\.json/);
  assert.match(failures[2], /pass-not\.json: expected no `owner-kpi-quota` finding, got:\n {2}\["k1"/);
});
