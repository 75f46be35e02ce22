// Plugins in Chromium: the example plugins give the findings they give natively, and every hostile
// test plugin (tests/plugins/hostile/*.wat, assembled by `cargo xtask wat2wasm`) gives a plugin
// error in the page while the page stays responsive (a timer keeps ticking, a click is handled).
//
// Needs web/dist (npm run build) and the plugins built for wasm32, as tests/run does:
//   cargo build -p owner-teams -p local-optimisation -p owner-quota-rs --target wasm32-unknown-unknown --release
//   cargo run -p owner-quota-wat -- $TARGET/owner-quota.wasm
//   (cd plugins/owner-quota-as && npm ci && npm run build); make -C plugins/owner-quota-c
// (one rule, owner-kpi-quota, in WAT, Rust, AssemblyScript and C: the four give one report).
// The hostile modules are assembled here (cargo xtask wat2wasm).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBrowser } from './support.mjs';
import { cli, examples, repo, targetDir } from './kpitree-cli.mjs';

const dir = mkdtempSync(join(tmpdir(), 'kpitree-plugins-'));
const hostileDir = join(repo, 'tests/plugins/hostile');
const hostile = readdirSync(hostileDir).filter((f) => f.endsWith('.wat')).sort();

// Short limits keep the runaway plugins quick; the native runs get the same ones.
const LIMITS = { timeMs: 1000, memory: 16 << 20 };
const NATIVE_LIMITS = ['--limit', 'time_ms=1000', '--limit', 'memory_mib=16'];

// Where the browser and wasmtime must differ, and why: the browser has no fuel (a spinning plugin
// is stopped by the wall-time limit), and cannot see a denied memory growth that a plugin ignores
// and keeps spinning after.
const BROWSER_CODE = { 'spin.wat': 'timeout', 'start-spin.wat': 'timeout', 'hog-ignores-failure.wat': 'timeout' };

let env;
let page;

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
}

before(async () => {
  const release = join(targetDir, 'wasm32-unknown-unknown', 'release');
  for (const [file, build] of [
    ['owner_teams.wasm', () => run('cargo', ['build', '-q', '-p', 'owner-teams', '--target', 'wasm32-unknown-unknown', '--release'])],
    ['local_optimisation.wasm', () => run('cargo', ['build', '-q', '-p', 'local-optimisation', '--target', 'wasm32-unknown-unknown', '--release'])],
    ['owner_quota_rs.wasm', () => run('cargo', ['build', '-q', '-p', 'owner-quota-rs', '--target', 'wasm32-unknown-unknown', '--release'])],
  ]) {
    if (!existsSync(join(release, file))) build();
    copyFileSync(join(release, file), join(dir, file.replaceAll('_', '-')));
  }
  const quota = join(targetDir, 'owner-quota.wasm');
  if (!existsSync(quota)) run('cargo', ['run', '-q', '-p', 'owner-quota-wat', '--', quota]);
  copyFileSync(quota, join(dir, 'owner-quota.wasm'));
  for (const [lang, build] of [
    ['as', () => run('npm', ['run', '-s', '--prefix', 'plugins/owner-quota-as', 'build'])],
    ['c', () => run('make', ['-s', '-C', 'plugins/owner-quota-c', 'build/owner-quota.wasm'])],
  ]) {
    const built = join(repo, `plugins/owner-quota-${lang}/build/owner-quota.wasm`);
    if (!existsSync(built)) build();
    copyFileSync(built, join(dir, `owner-quota-${lang}.wasm`));
  }
  run('cargo', ['-q', 'xtask', 'wat2wasm', join(dir, 'hostile'), ...hostile.map((f) => join(hostileDir, f))]);

  env = await openBrowser({ mounts: [['/plugins/', dir]] });
  page = await env.page();
  await page.goto(`${env.url}/dist/engine.js`);
  await page.evaluate(async () => {
    window.kpitree = await import('/dist/engine.js');
    window.kpitreePlugins = await import('/dist/plugins.js');
    await window.kpitree.initEngine();
  });
});

after(async () => {
  await env?.close();
});

/** The check with plugins in the page, with a timer ticking and a button clicked meanwhile. */
async function browserCheck(file, plugins, limits, config) {
  const text = readFileSync(join(repo, file), 'utf8');
  const pending = page.evaluate(
    async ([text, file, plugins, limits, config]) => {
      const k = window.kpitree;
      let ticks = 0;
      const timer = setInterval(() => ticks++, 20);
      const tree = k.loadTree(text, { file });
      const t0 = performance.now();
      try {
        const options = { plugins, limits, config: config && k.loadConfig(config) };
        const report = await window.kpitreePlugins.checkWithPlugins(tree, options);
        return { report, ticks, ms: performance.now() - t0 };
      } finally {
        clearInterval(timer);
        tree.free();
      }
    },
    [text, file, plugins, limits, config],
  );
  return pending;
}

describe('example plugins give the native findings', () => {
  // owner-teams needs its list of teams (without it, it reports a plugin error: compared below too);
  // owner-quota's quota is lowered so the examples exceed it.
  const toml =
    '[plugins.owner-teams]\nteams = ["Revenue Operations", "Platform team", "Parks Operations", "City Manager"]\n' +
    '[plugins.owner-quota]\nmax = 2\n';
  const configFile = join(dir, 'kpitree.toml');
  writeFileSync(configFile, toml);

  const QUOTA = ['owner-quota.wasm', 'owner-quota-rs.wasm', 'owner-quota-as.wasm', 'owner-quota-c.wasm'];
  for (const plugin of ['owner-teams.wasm', 'local-optimisation.wasm', ...QUOTA]) {
    test(plugin, async () => {
      let found = 0;
      for (const file of examples()) {
        const args = ['check', file, '--plugin', join(dir, plugin), '--format', 'json', '--fail-on', 'never'];
        const expected = JSON.parse(cli([...args, '--config', configFile]).stdout);
        const got = await browserCheck(file, [`/plugins/${plugin}`], undefined, toml);
        assert.equal(JSON.stringify(got.report, null, 1), JSON.stringify(expected, null, 1), `${plugin} on ${file}`);
        assert.equal(got.report.plugin_errors, undefined, JSON.stringify(got.report.plugin_errors));
        found += got.report.findings.filter((f) => f.plugin).length;
      }
      if (plugin !== 'local-optimisation.wasm') assert.ok(found > 0, `${plugin} found something to compare`);
    });
  }

  test('owner-kpi-quota in WAT, Rust, AssemblyScript and C: one report, natively and in the browser', async () => {
    let found = 0;
    for (const file of examples()) {
      const reports = [];
      for (const plugin of QUOTA) {
        const args = ['check', file, '--plugin', join(dir, plugin), '--format', 'json', '--fail-on', 'never', '--config', configFile];
        reports.push(JSON.stringify(JSON.parse(cli(args).stdout), null, 1));
        const got = await browserCheck(file, [`/plugins/${plugin}`], undefined, toml);
        reports.push(JSON.stringify(got.report, null, 1));
      }
      found += JSON.parse(reports[0]).findings.filter((f) => f.rule === 'owner-kpi-quota').length;
      for (const [k, r] of reports.entries()) assert.equal(r, reports[0], `${QUOTA[k >> 1]} (${k % 2 ? 'browser' : 'native'}) on ${file}`);
    }
    assert.ok(found > 0, 'the examples have findings to compare');
  });

  test('a plugin error for a missing configuration reads as natively', async () => {
    const file = examples()[0];
    const expected = JSON.parse(
      cli(['check', file, '--plugin', join(dir, 'owner-teams.wasm'), '--format', 'json', '--fail-on', 'never', '--no-config']).stdout,
    );
    assert.equal(expected.plugin_errors?.[0]?.code, 'reported');
    const got = await browserCheck(file, ['/plugins/owner-teams.wasm']);
    assert.deepEqual(got.report.plugin_errors, expected.plugin_errors);
  });

  test('each plugin gets the parts of the tree its manifest reads, as natively', async () => {
    // tests/plugins/sections.wat answers which KTR1 sections its request has (ABI 1.1, `reads`
    // owner and parents); beside it the same probe as ABI 1.0 (no `reads`: the whole tree), renamed
    // `sectionz` (same length: the answer's offsets in the module stay right).
    const wat = readFileSync(join(repo, 'tests/plugins/sections.wat'), 'utf8');
    const v1_0 = wat
      .replace(',\\"reads\\":[\\"owner\\",\\"parents\\"]', '')
      .replace('0x00010001', '0x00010000')
      .replaceAll('\\"sections\\"', '\\"sectionz\\"');
    assert.notEqual(v1_0, wat);
    assert.ok(!v1_0.includes('reads\\"'), 'the 1.0 probe has no reads');
    const probes = join(dir, 'probes');
    writeFileSync(join(dir, 'sections.wat'), wat);
    writeFileSync(join(dir, 'sectionz.wat'), v1_0);
    run('cargo', ['-q', 'xtask', 'wat2wasm', probes, join(dir, 'sections.wat'), join(dir, 'sectionz.wat')]);
    const file = examples()[0];
    const native = ['sections', 'sectionz'].flatMap((p) => ['--plugin', join(probes, `${p}.wasm`)]);
    const expected = JSON.parse(cli(['check', file, ...native, '--format', 'json', '--fail-on', 'never', '--no-config']).stdout);
    const got = await browserCheck(file, ['/plugins/probes/sections.wasm', '/plugins/probes/sectionz.wasm']);
    assert.equal(got.report.plugin_errors, undefined, JSON.stringify(got.report.plugin_errors));
    assert.equal(JSON.stringify(got.report, null, 1), JSON.stringify(expected, null, 1));
    const messages = Object.fromEntries(got.report.findings.filter((f) => f.plugin).map((f) => [f.plugin, f.message]));
    assert.match(messages.sectionz, /^1{43}$/, 'the 1.0 probe gets every section');
    assert.match(messages.sections, /0/, 'the 1.1 probe does not get every section');
  });

  test('loadPlugin shows the manifest', async () => {
    const got = await page.evaluate(() => window.kpitreePlugins.loadPlugin('/plugins/owner-teams.wasm'));
    assert.equal(got.name, 'owner-teams');
    assert.ok(got.manifest.rules.length > 0);
  });
});

/** A module of `n` functions of a few instructions each, and nothing else (bytes). */
function tinyFunctions(n) {
  const leb = (out, v) => {
    do {
      const byte = v & 0x7f;
      v = Math.floor(v / 128);
      out.push(v ? byte | 0x80 : byte);
    } while (v);
    return out;
  };
  const body = [0, ...Array(6).fill([0x41, 0, 0x1a]).flat(), 0x0b];
  const funcs = leb([], n).concat(Array(n).fill(0));
  const code = leb([], n);
  for (let k = 0; k < n; k++) code.push(body.length, ...body);
  const module = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0];
  for (const [id, section] of [[3, funcs], [10, code]]) {
    module.push(id);
    leb(module, section.length);
    for (const b of section) module.push(b);
  }
  return Uint8Array.from(module);
}

describe('modules too complex to compile are refused before compiling, as natively', () => {
  // 100,000 and 500,000 tiny functions (2.2 and 11 MB) took wasmtime 13 s / 630 MB and 93 s / 3 GB to
  // compile; both hosts now refuse them by their count, with the same words.
  for (const n of [100_000, 500_000]) {
    test(`${n} functions`, async () => {
      const file = examples()[0];
      const bytes = tinyFunctions(n);
      const wasm = join(dir, `bomb-${n}.wasm`);
      writeFileSync(wasm, bytes);
      const native = cli(['check', file, '--plugin', wasm, '--format', 'json', '--fail-on', 'never', '--no-config']);
      const expected = JSON.parse(native.stdout).plugin_errors;
      assert.deepEqual(expected, [
        { plugin: `bomb-${n}`, code: 'module-too-complex', message: `plugin \`bomb-${n}\` is too complex to compile: ${n} functions (limit 10000)` },
      ]);
      const got = await browserCheck(file, [`/plugins/bomb-${n}.wasm`]);
      assert.deepEqual(got.report.plugin_errors, expected);
    });
  }
});

describe('hostile plugins give plugin errors; the page stays responsive', () => {
  before(async () => {
    await page.evaluate(() => {
      const b = document.createElement('button');
      b.id = 'probe';
      b.textContent = 'probe';
      b.addEventListener('click', () => (window.clicks = (window.clicks ?? 0) + 1));
      document.body.append(b);
    });
  });

  for (const wat of hostile) {
    test(wat, async () => {
      const file = examples()[0];
      const wasm = join(dir, 'hostile', wat.replace(/\.wat$/, '.wasm'));
      const native = cli(['check', file, '--plugin', wasm, '--format', 'json', '--fail-on', 'never', '--no-config', ...NATIVE_LIMITS]);
      const expected = JSON.parse(native.stdout).plugin_errors;
      assert.equal(expected?.length, 1, `natively ${wat} fails`);

      const clicksBefore = await page.evaluate(() => window.clicks ?? 0);
      const pending = browserCheck(file, [`/plugins/hostile/${wat.replace(/\.wat$/, '.wasm')}`], LIMITS);
      const [got] = await Promise.all([pending, page.click('#probe', { timeout: 2000 })]);
      const clicks = await page.evaluate(() => window.clicks ?? 0);
      const errors = got.report.plugin_errors ?? [];
      assert.equal(errors.length, 1, `${wat}: ${JSON.stringify(got.report.plugin_errors)}`);
      const [e] = errors;
      assert.equal(e.plugin, expected[0].plugin);
      if (BROWSER_CODE[wat]) {
        assert.equal(e.code, BROWSER_CODE[wat], e.message);
        assert.match(e.message, new RegExp(`^plugin \`${e.plugin}\` exceeded its time limit \\(1000 ms\\)`));
      } else if (e.code === 'invalid-module') {
        assert.equal(e.code, expected[0].code);
      } else {
        assert.deepEqual(e, expected[0]);
      }
      assert.ok(got.report.findings.length > 0, 'the built-in rules still ran');
      // The page kept running while the plugin did: the timer ticked and the click was handled.
      assert.ok(got.ticks >= Math.floor(got.ms / 20 / 4), `${wat}: ${got.ticks} ticks in ${Math.round(got.ms)} ms`);
      assert.equal(clicks, clicksBefore + 1);
    });
  }
});
