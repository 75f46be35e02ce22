// axe-core and the strict CSP over the element's states that issue 16 added: a phone-sized page with a
// node selected, a Dutch page, the error state (every problem, the technical detail open), the 10,000
// node overview zoomed to fit, and a deep-linked selection.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser } from './support.mjs';

let env;
before(async () => {
  env = await openBrowser();
});
after(async () => env?.close());

async function open(path, size = { width: 1400, height: 900 }) {
  const page = await env.page();
  await page.setViewportSize(size);
  await page.goto(`${env.url}${path}`);
  await page.waitForFunction(() => (window.__events ?? []).some((e) => e.type === 'kpi-findings' || e.type === 'kpi-error'), null, {
    timeout: 60000,
  });
  return page;
}

async function clean(page) {
  await page.addScriptTag({ url: '/node_modules/axe-core/axe.min.js' });
  const result = await page.evaluate(() => window.axe.run(document));
  const summary = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  assert.deepEqual(summary, []);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(page.errors, []);
}

describe('axe-core finds no violation and the strict CSP none', () => {
  test('on a 375 px phone with a node selected', async () => {
    const page = await open('/demo/intranet.html?src=/examples/hospital.json', { width: 375, height: 812 });
    await page.evaluate(() => {
      const el = document.getElementById('tree');
      el.select(el.report.scores.kpis[1].id);
    });
    await clean(page);
    await page.close();
  });

  test('in Dutch, zoomed out', async () => {
    const page = await open('/demo/test.html?src=/examples/municipality.json&lang=nl');
    await page.evaluate(() => {
      const el = document.getElementById('tree');
      el.zoom = 0.5;
      el.select(el.report.scores.kpis[0].id);
    });
    await clean(page);
    await page.close();
  });

  test('in the error state, with the technical detail open', async () => {
    const page = await open('/demo/test.html?src=/examples/hospital.json');
    await page.evaluate(async () => {
      const el = document.getElementById('tree');
      el.tree = {
        version: 1,
        organisation: 'Acme',
        as_of: '2026-12-01',
        nodes: [
          { id: 's', kind: 'strategy', title: 'S' },
          { id: 'k', kind: 'kpi', title: 'K', parents: ['nowhere'] },
          { id: 'k', kind: 'kpi', title: 'Again', parents: ['s', 'elsewhere'] },
        ],
      };
      await el.ready.catch(() => {});
    });
    const got = await page.evaluate(() => {
      const root = document.getElementById('tree').shadowRoot;
      root.querySelector('.technical summary').click();
      return {
        problems: root.querySelectorAll('.problems li').length,
        // No control of the element is left to use while no tree is shown.
        visibleControls: [...root.querySelectorAll('input, select, button')].filter((c) => c.getClientRects().length > 0).length,
        text: root.querySelector('[part="error"]').textContent,
      };
    });
    assert.ok(got.problems >= 2, `every problem listed (${got.problems})`);
    assert.equal(got.visibleControls, 0);
    assert.doesNotMatch(got.text, /tree:\d+:\d+/, 'no position in text the page never gave');
    await clean(page);
    await page.close();
  });

  test('10,000 nodes fitted to the view, a node deep-linked', async () => {
    const page = await open('/demo/test.html?gen=10000&deep-link=1#k-5');
    await page.evaluate(() => document.getElementById('tree').fit());
    await clean(page);
    await page.close();
  });
});
