// Browser tests of the <kpi-tree> element with rule plugins: an example plugin's findings appear in the
// findings panel marked with the plugin's name, and hostile plugins give a visible plugin error while
// the page keeps answering. The plugins are the repository's WAT sources, assembled here with
// binaryen's wasm-as (web/node_modules), so no binary is committed and no Rust build is needed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser } from './support.mjs';

const here = (p) => resolve(fileURLToPath(new URL(p, import.meta.url)));
const web = here('..');
const fixtures = mkdtempSync(join(tmpdir(), 'kpi-widget-plugins-'));

function assemble(wat, name) {
  execFileSync(join(web, 'node_modules/.bin/wasm-as'), ['--all-features', wat, '-o', join(fixtures, `${name}.wasm`)]);
}

let env;
before(async () => {
  assemble(here('../../plugins/owner-quota-wat/plugin.wat'), 'owner-quota');
  assemble(here('../../tests/plugins/hostile/spin.wat'), 'spin');
  assemble(here('../../tests/plugins/hostile/trap.wat'), 'trap');
  writeFileSync(join(fixtures, 'quota.toml'), '[plugins.owner-quota]\nmax = 2\n');
  writeFileSync(
    join(fixtures, 'rules.toml'),
    '[[custom_rules]]\nid = "short-titles"\nkinds = ["kpi"]\nassert = "size(node.title) <= 30"\n' +
      'message = "\'KPI title of \' + string(size(node.title)) + \' characters\'"\n',
  );
  writeFileSync(join(fixtures, 'bad-rules.toml'), '[[custom_rules]]\nid = "x"\nassert = "has(node.ownr)"\n');
  env = await openBrowser({ mounts: [['/fixtures/', fixtures]] });
});
after(async () => {
  await env?.close();
  rmSync(fixtures, { recursive: true, force: true });
});

async function open(query) {
  const page = await env.page();
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(`${env.url}/demo/test.html?${query}`);
  await page.waitForFunction(() => (window.__events ?? []).some((e) => e.type === 'kpi-findings' || e.type === 'kpi-error'), null, {
    timeout: 60000,
  });
  return page;
}

const panel = (page) =>
  page.evaluate(() => {
    const root = document.getElementById('tree').shadowRoot;
    return {
      findings: [...root.querySelectorAll('.findings .finding')].map((b) => ({
        rule: b.dataset.rule,
        node: b.dataset.node,
        plugin: b.querySelector('.plugin-tag')?.textContent ?? null,
      })),
      pluginErrors: [...root.querySelectorAll('[part="plugin-error"]')].map((e) => e.textContent),
    };
  });

describe('plugins', () => {
  test("an example plugin's findings are listed with the plugin's name", async () => {
    const page = await open('src=/examples/software-company.json&plugins=/fixtures/owner-quota.wasm&config=/fixtures/quota.toml');
    const report = await page.evaluate(() => document.getElementById('tree').report);
    const fromPlugin = report.findings.filter((f) => f.plugin === 'owner-quota');
    assert.ok(fromPlugin.length > 0, 'the quota of 2 is exceeded in the example');
    assert.deepEqual(report.plugin_errors ?? [], []);
    const shown = await panel(page);
    const tagged = shown.findings.filter((f) => f.plugin === 'owner-quota');
    assert.equal(tagged.length, fromPlugin.length);
    assert.ok(tagged.every((f) => f.rule === 'owner-kpi-quota'));
    assert.deepEqual(shown.pluginErrors, []);
    // The plugin's rule is offered by the rule filter, like a built-in one.
    const options = await page.locator('kpi-tree select[part="rule-filter"] option').allTextContents();
    assert.ok(options.includes('owner-kpi-quota'));
    await page.close();
  });

  test("custom rules from the `rules` attribute are listed like the others", async () => {
    const page = await open('src=/examples/software-company.json&rules=/fixtures/rules.toml');
    const report = await page.evaluate(() => document.getElementById('tree').report);
    const custom = report.findings.filter((f) => f.rule === 'short-titles');
    assert.ok(custom.length > 0, 'the example has long KPI titles');
    assert.ok(custom.every((f) => /^KPI title of \d+ characters$/.test(f.message)), custom[0].message);
    const shown = await panel(page);
    assert.equal(shown.findings.filter((f) => f.rule === 'short-titles').length, custom.length);
    const options = await page.locator('kpi-tree select[part="rule-filter"] option').allTextContents();
    assert.ok(options.includes('short-titles'));
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('a bad custom rule is an error naming its file, rule, field and column', async () => {
    const page = await open('src=/examples/software-company.json&rules=/fixtures/bad-rules.toml');
    const error = await page.evaluate(() => window.__events.find((e) => e.type === 'kpi-error')?.detail?.message);
    assert.match(error ?? '', /bad-rules\.toml: custom rule `x`, field `assert` at column 10: nodes have no field `ownr` \(did you mean `owner`\?\)/);
    await page.close();
  });

  for (const hostile of ['spin', 'trap']) {
    test(`a hostile plugin (${hostile}) gives a visible plugin error and the page stays usable`, async () => {
      const page = await open(`src=/examples/hospital.json&plugins=/fixtures/${hostile}.wasm`);
      const report = await page.evaluate(() => document.getElementById('tree').report);
      assert.equal(report.plugin_errors?.length, 1);
      assert.equal(report.plugin_errors[0].plugin, hostile);
      const shown = await panel(page);
      assert.equal(shown.pluginErrors.length, 1);
      assert.ok(shown.pluginErrors[0].includes(report.plugin_errors[0].message), shown.pluginErrors[0]);
      // The built-in rules' findings are still all there.
      assert.equal(shown.findings.length, report.findings.length);
      assert.ok(report.findings.length > 0);
      // And the tree still answers the keyboard.
      await page.locator('kpi-tree [role="treeitem"] >> nth=0').focus();
      await page.keyboard.press('ArrowDown');
      const focused = await page.evaluate(() => document.getElementById('tree').shadowRoot.activeElement?.dataset.index);
      assert.equal(focused, '1');
      assert.deepEqual(page.errors, []);
      await page.close();
    });
  }
});
