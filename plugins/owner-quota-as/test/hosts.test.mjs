// The same module in the other two hosts: `kpitree serve` (POST /v1/check) and the browser's plugin
// worker (web/dist/plugins.js, in headless Chromium). Each must give, fixture by fixture, exactly the
// report `kpitree check --plugin` gives. The browser part needs web/ built (web/dist, its
// node_modules) and Chromium (`CHROMIUM`, default /usr/bin/chromium); without them it is skipped.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, copyFileSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, fixtures, repo, wasm } from './cli.mjs';

const trees = readdirSync(fixtures).filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json')).sort();
const tomlOf = (tree) => {
  const toml = join(fixtures, tree.replace(/\.json$/, '.toml'));
  return existsSync(toml) ? toml : null;
};

async function freePort() {
  const s = createServer();
  await new Promise((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address();
  await new Promise((ok) => s.close(ok));
  return port;
}

/** `kpitree serve` with the plugin directory and a configuration; resolves once it answers. */
async function serve(config) {
  const dir = mkdtempSync(join(tmpdir(), 'owner-quota-as-serve-'));
  copyFileSync(wasm, join(dir, 'owner-quota.wasm'));
  const port = await freePort();
  const args = ['serve', '--addr', `127.0.0.1:${port}`, '--plugins', dir, '--web', dir];
  if (config) args.push('--config', config);
  const child = spawn(process.env.KPITREE || 'kpitree', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const url = `http://127.0.0.1:${port}`;
  for (let k = 0; k < 300; k++) {
    if (child.exitCode !== null) throw new Error(`kpitree serve exited ${child.exitCode}: ${stderr}`);
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return { url, child };
    await new Promise((ok) => setTimeout(ok, 100));
  }
  child.kill();
  throw new Error(`kpitree serve did not answer: ${stderr}`);
}

describe('kpitree serve', () => {
  for (const tree of trees) {
    test(tree, async () => {
      const { url, child } = await serve(tomlOf(tree));
      try {
        const res = await fetch(`${url}/v1/check`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: readFileSync(join(fixtures, tree)),
        });
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), check(join(fixtures, tree), wasm, tomlOf(tree)));
      } finally {
        child.kill('SIGTERM');
      }
    });
  }
});

describe('the browser plugin worker', async () => {
  const web = join(repo, 'web');
  let support = null;
  if (existsSync(join(web, 'dist/plugins.js')) && existsSync(join(web, 'node_modules/playwright-core'))) {
    support = await import(join(web, 'tests/support.mjs'));
    if (!existsSync(support.CHROMIUM)) support = null;
  }
  if (support === null) {
    test('skipped: needs web/dist, web/node_modules and Chromium', { skip: true }, () => {});
    return;
  }
  // openBrowser mounts web/ (and WIDGET_DEV_DIST's dist/) itself; the plugin's build folder is ours.
  const env = await support.openBrowser({ mounts: [['/plugin/', join(wasm, '..')]] });
  after(() => env.close());
  const page = await env.page();
  await page.goto(`${env.url}/dist/engine.js`);
  await page.evaluate(async () => {
    window.kpitree = await import('/dist/engine.js');
    window.kpitreePlugins = await import('/dist/plugins.js');
    await window.kpitree.initEngine();
  });

  for (const tree of trees) {
    test(tree, async () => {
      const toml = tomlOf(tree);
      const text = readFileSync(join(fixtures, tree), 'utf8');
      const report = await page.evaluate(
        async ([text, file, toml]) => {
          const k = window.kpitree;
          const t = k.loadTree(text, { file });
          try {
            const options = { plugins: ['/plugin/owner-quota.wasm'], config: toml && k.loadConfig(toml) };
            return await window.kpitreePlugins.checkWithPlugins(t, options);
          } finally {
            t.free();
          }
        },
        [text, join(fixtures, tree), toml && readFileSync(toml, 'utf8')],
      );
      assert.deepEqual(report, check(join(fixtures, tree), wasm, toml));
    });
  }
});
