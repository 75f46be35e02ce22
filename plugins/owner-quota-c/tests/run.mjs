// Tests of build/owner-quota.wasm through the real kpitree (run by `make test`, from this folder):
//
// 1. the module imports nothing and exports exactly the ABI's five names with the ABI's types;
// 2. every fixture in tests/owner-kpi-quota/ through `kpitree check`: a pass*.json gives no finding
//    of the rule, a fail*.json gives exactly fail*.expected.json (as crates/kpitree-fixtures renders
//    findings), and both give the same findings and plugin errors as the hand-written WAT plugin;
// 3. bad values of `max` give the WAT plugin's plugin error, good ones none;
// 4. `kpitree serve` answers the same findings as the CLI;
// 5. the requests the host sends (whole tree, and owner-quota's `reads`) are saved to
//    build/requests/ for the native sanitizer run (tests/fuzz.c).
//
// KPITREE: the kpitree CLI (default `kpitree` on PATH). WAT: the reference plugin (default
// ../owner-quota-wat/plugin.wat).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = resolve(fileURLToPath(new URL('..', import.meta.url)));
const kpitree = process.env.KPITREE || 'kpitree';
const wasm = join(here, 'build/owner-quota.wasm');
const wat = process.env.WAT || join(here, '../owner-quota-wat/plugin.wat');
const fixtures = join(here, 'tests/owner-kpi-quota');
const examples = join(here, '../../examples');
const RULE = 'owner-kpi-quota';
const scratch = mkdtempSync(join(tmpdir(), 'owner-quota-c-'));

let failed = 0;
let passed = 0;
function check(ok, what, detail = '') {
  if (ok) passed++;
  else {
    failed++;
    console.error(`FAIL ${what}${detail ? `\n${detail}` : ''}`);
  }
}

function cli(args) {
  const r = spawnSync(kpitree, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw new Error(`cannot run ${kpitree}: ${r.error.message} (set KPITREE)`);
  if (r.status !== 0) throw new Error(`${kpitree} ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
}

// `kpitree check` as JSON; config: a TOML file, or null for --no-config.
function checkJson(tree, plugin, config) {
  const args = ['check', tree, '--plugin', plugin, '--format', 'json', '--fail-on', 'never'];
  return JSON.parse(cli([...args, ...(config ? ['--config', config] : ['--no-config'])]));
}

// As crates/kpitree-fixtures renders findings: without the rule's constant `why`.
function render(findings) {
  const views = findings.map((f) => {
    const v = { rule: f.rule, severity: f.severity, nodes: f.nodes, message: f.message, fix: f.fix };
    if (f.evidence !== undefined) v.evidence = f.evidence;
    if (f.plugin !== undefined) v.plugin = f.plugin;
    return v;
  });
  return `${JSON.stringify(views, null, 2)}\n`;
}
const ours = (report) => report.findings.filter((f) => f.rule === RULE);
const errors = (report) => JSON.stringify(report.plugin_errors ?? []);

// 1. The module's imports and exports, with their types (read from the binary).
function exportTypes(bytes) {
  let p = 8;
  const leb = () => {
    let r = 0;
    let s = 0;
    let b;
    do {
      b = bytes[p++];
      r += (b & 127) * 2 ** s;
      s += 7;
    } while (b & 128);
    return r;
  };
  const name = () => {
    const n = leb();
    const s = Buffer.from(bytes.subarray(p, p + n)).toString('utf8');
    p += n;
    return s;
  };
  const V = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64' };
  const types = [];
  const funcs = [];
  const exports = {};
  let imports = 0;
  while (p < bytes.length) {
    const id = bytes[p++];
    const size = leb();
    const end = p + size;
    if (id === 1) {
      for (let n = leb(); n > 0; n--) {
        p++; // 0x60
        const params = Array.from({ length: leb() }, () => V[bytes[p++]]);
        const results = Array.from({ length: leb() }, () => V[bytes[p++]]);
        types.push(`(${params.join(',')})->(${results.join(',')})`);
      }
    } else if (id === 2) {
      imports = leb();
    } else if (id === 3) {
      for (let n = leb(); n > 0; n--) funcs.push(leb());
    } else if (id === 7) {
      for (let n = leb(); n > 0; n--) {
        const e = name();
        const kind = bytes[p++];
        const index = leb();
        exports[e] = kind === 0 ? types[funcs[index - imports]] : kind === 2 ? 'memory' : `kind ${kind}`;
      }
    }
    p = end;
  }
  return { imports, exports };
}
{
  const bytes = readFileSync(wasm);
  const { imports, exports } = exportTypes(bytes);
  new WebAssembly.Module(bytes); // valid
  check(imports === 0, 'the module imports nothing', `${imports} imports`);
  const want = {
    memory: 'memory',
    kpitree_abi_version: '()->(i32)',
    kpitree_alloc: '(i32)->(i32)',
    kpitree_manifest: '()->(i64)',
    kpitree_evaluate: '(i32,i32)->(i64)',
  };
  check(JSON.stringify(exports) === JSON.stringify(want), 'exports are the ABI\'s', JSON.stringify(exports));
  const inspect = cli(['plugin', 'inspect', wasm]);
  check(inspect.startsWith('owner-quota 0.1.0 (ABI v1.1)'), 'kpitree plugin inspect loads it', inspect);
  const size = bytes.length;
  console.log(`build/owner-quota.wasm: ${size} bytes`);
}

// 2. Fixtures, against the expected files and against the WAT plugin.
const trees = readdirSync(fixtures).filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json')).sort();
check(trees.some((f) => f.startsWith('pass')) && trees.some((f) => f.startsWith('fail')), 'fixtures: a pass and a fail');
const configOf = (tree) => {
  const toml = tree.replace(/\.json$/, '.toml');
  return existsSync(toml) ? toml : null;
};
for (const f of trees) {
  const tree = join(fixtures, f);
  const c = checkJson(tree, wasm, configOf(tree));
  const w = checkJson(tree, wat, configOf(tree));
  check(errors(c) === '[]', `${f}: no plugin error`, errors(c));
  if (f.startsWith('pass')) {
    check(ours(c).length === 0, `${f}: no ${RULE} finding`, render(ours(c)));
  } else {
    const expected = readFileSync(tree.replace(/\.json$/, '.expected.json'), 'utf8');
    const actual = render(ours(c));
    check(ours(c).length > 0, `${f}: at least one finding`);
    check(expected.trimEnd() === actual.trimEnd(), `${f}: findings equal ${basename(tree, '.json')}.expected.json`,
      `--- expected\n${expected}--- actual\n${actual}`);
  }
  check(JSON.stringify(ours(c)) === JSON.stringify(ours(w)) && errors(c) === errors(w), `${f}: same as the WAT plugin`,
    `C:   ${JSON.stringify(ours(c))} ${errors(c)}\nWAT: ${JSON.stringify(ours(w))} ${errors(w)}`);
}

// 3. Configuration: the WAT plugin's error for bad values of `max`, nothing for good ones.
{
  const tree = join(fixtures, 'pass.json');
  const run = (toml) => {
    const file = join(scratch, 'kpitree.toml');
    writeFileSync(file, `[plugins.owner-quota]\n${toml}\n`);
    return [checkJson(tree, wasm, file), checkJson(tree, wat, file)];
  };
  for (const bad of ['max = 0', 'max = "8"', 'max = 2.5', 'max = -1', 'max = 99999999', 'max = 8.0', 'max = true', 'max = [8]']) {
    const [c, w] = run(bad);
    const message = (c.plugin_errors ?? []).map((e) => e.message).join('; ');
    check(message.includes('`max` must be a whole number from 1 to 1000000'), `${bad}: a plugin error`, message);
    check(errors(c) === errors(w), `${bad}: the WAT plugin's error`, `C:   ${errors(c)}\nWAT: ${errors(w)}`);
  }
  for (const good of ['', 'max = 3', 'max = 12\nother = true', 'max = 1000000']) {
    const [c, w] = run(good);
    check(errors(c) === '[]' && errors(w) === '[]', `${JSON.stringify(good)}: no plugin error`, errors(c));
  }
}

// 4. The server answers what the CLI answers (one server; each fixture's config in the envelope).
{
  const dir = join(scratch, 'plugins');
  const cwd = join(scratch, 'serve'); // no ./kpitree.toml (step 3 left one in scratch), no web/
  mkdirSync(dir);
  mkdirSync(cwd);
  writeFileSync(join(dir, 'owner-quota.wasm'), readFileSync(wasm));
  const port = 20000 + Math.floor(Math.random() * 30000);
  const server = spawn(kpitree, ['serve', '--addr', `127.0.0.1:${port}`, '--plugins', dir], {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  server.stderr.on('data', (d) => (log += d));
  const post = (body) =>
    fetch(`http://127.0.0.1:${port}/v1/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => r.json());
  try {
    let up = false;
    for (let k = 0; k < 100 && !up; k++) {
      try {
        await fetch(`http://127.0.0.1:${port}/v1/rules`);
        up = true;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    check(up, 'kpitree serve starts', log);
    for (const f of trees) {
      const tree = join(fixtures, f);
      const toml = configOf(tree);
      const max = toml ? Number(/max\s*=\s*(\d+)/.exec(readFileSync(toml, 'utf8'))[1]) : undefined;
      const config = max ? { plugins: { 'owner-quota': { max } } } : {};
      const got = await post({ tree: JSON.parse(readFileSync(tree, 'utf8')), config });
      const want = checkJson(tree, wasm, toml);
      check(JSON.stringify(ours(got)) === JSON.stringify(ours(want)) && errors(got) === errors(want),
        `${f}: the server's findings are the CLI's`, `server: ${JSON.stringify(ours(got))} ${errors(got)}`);
    }
  } finally {
    server.kill();
  }
}

// 5. Requests as the host sends them, for tests/fuzz.c.
{
  const out = join(here, 'build/requests');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const sources = [
    ...trees.map((f) => join(fixtures, f)),
    ...(existsSync(examples) ? readdirSync(examples).filter((f) => f.endsWith('.json')).map((f) => join(examples, f)) : []),
  ];
  let saved = 0;
  for (const tree of sources) {
    for (const variant of ['all', 'reads']) {
      const report = checkJson(tree, join(here, `build/dump/${variant}.wasm`), configOf(tree));
      const message = (report.plugin_errors ?? [])[0]?.message ?? '';
      const hex = /reported an error: ([0-9a-f]+)$/.exec(message)?.[1];
      check(hex !== undefined, `${basename(tree)}: the request is captured`, message.slice(0, 200));
      if (hex) {
        writeFileSync(join(out, `${basename(tree, '.json')}-${variant}.bin`), Buffer.from(hex, 'hex'));
        saved++;
      }
    }
  }
  console.log(`saved ${saved} requests to build/requests/`);
}

rmSync(scratch, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
