// Takes the README's screenshots of the demo page with headless Chromium (Debian's, via
// tests/support.mjs): `node demo/screenshots.mjs` after `npm run build`; writes web/screenshots/*.png.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser } from '../tests/support.mjs';

const web = resolve(fileURLToPath(new URL('..', import.meta.url)));
const out = resolve(web, 'screenshots');
mkdirSync(out, { recursive: true });
// WIDGET_DEV_DIST: another build of dist/, as in the tests (tests/support.mjs).
const env = await openBrowser();

// `query`: the demo page's, or a path of its own (`/demo/...`); `size` the window; `context` playwright's
// context options (colorScheme, locale).
async function shot(query, name, act, { size = { width: 1440, height: 900 }, context = {} } = {}) {
  const page = await env.page(context);
  await page.setViewportSize(size);
  await page.goto(query.startsWith('/') ? `${env.url}${query}` : `${env.url}/?${query}`);
  // The first result: a report, or the error box.
  await page.waitForFunction(
    () => {
      const el = document.getElementById('tree');
      return el && (el.report !== null || el.shadowRoot?.querySelector('[part="error"]'));
    },
    null,
    { timeout: 120000 },
  );
  await page.waitForTimeout(300);
  await act?.(page);
  await page.waitForTimeout(300);
  await page.screenshot({ path: resolve(out, `${name}.png`) });
  if (page.errors.length) console.error(name, page.errors);
  await page.close();
  console.log(`screenshots/${name}.png`);
}

try {
  await shot('tree=/dist/examples/software-company.json', 'demo', async (page) => {
    await page.evaluate(() => document.getElementById('tree').select('kpi-qualified-pipeline'));
  });
  await shot('tree=/dist/examples/hospital.json', 'search', async (page) => {
    await page.locator('kpi-tree input[type="search"]').fill('wait');
    await page.locator('kpi-tree input[type="search"]').press('Enter');
  });
  await shot('tree=gen:10000', 'large', async (page) => {
    await page.locator('kpi-tree select[part="rule-filter"]').selectOption('missing-owner');
    await page.locator('kpi-tree [role="treeitem"]:not(.dim) >> nth=3').click();
  });
  // Waivers and a baseline: the example with one KPI's review two years old (a new finding) and a
  // waiver of a finding on a node above it, against the example's own report; the view narrowed to
  // the new findings, the waived group open.
  await shot('tree=/dist/examples/software-company.json', 'waivers', async (page) => {
    await page.evaluate(async () => {
      const el = document.getElementById('tree');
      const baseline = el.report;
      const doc = await (await fetch('/dist/examples/software-company.json')).json();
      const byId = new Map(doc.nodes.map((n) => [n.id, n]));
      const stale = new Set(baseline.findings.filter((f) => f.rule === 'stale-kpi').map((f) => f.nodes[0]));
      const about = (id) => baseline.findings.find((f) => f.nodes[0] === id);
      const above = (n) => (n.parents ?? []).map((p) => byId.get(p)).find((p) => p && (about(p.id) || above(p)));
      const fresh = doc.nodes.find((n) => n.kind === 'kpi' && n.last_reviewed && !stale.has(n.id) && above(n));
      fresh.last_reviewed = '2024-01-01';
      let node = above(fresh);
      while (!about(node.id)) node = above(node);
      node.waivers = [{ rule: about(node.id).rule, reason: 'Accepted until the Q1 planning', until: '2027-03-31' }];
      el.baseline = baseline;
      el.tree = doc;
      await new Promise((done) => el.addEventListener('kpi-findings', done, { once: true }));
    });
    await page.locator('kpi-tree input[id$="-new"]').check();
    await page.locator('kpi-tree details[part="waived"] summary').click();
    await page.mouse.move(0, 0);
  });
  // A 375 px phone (an intranet page's main column): the details stacked under the tree.
  await shot(
    '/demo/intranet.html?src=/dist/examples/hospital.json',
    'narrow',
    async (page) => {
      await page.evaluate(() => {
        const el = document.getElementById('tree');
        el.select(el.report.scores.kpis[2].id);
        el.scrollIntoView();
      });
    },
    { size: { width: 375, height: 812 } },
  );
  // The system's dark scheme.
  await shot('tree=/dist/examples/hospital.json', 'dark', async (page) => {
    await page.evaluate(() => document.getElementById('tree').select(document.getElementById('tree').report.scores.kpis[0].id));
  }, { context: { colorScheme: 'dark' } });
  // A Dutch page.
  await shot('tree=/dist/examples/municipality.json', 'dutch', async (page) => {
    await page.evaluate(async () => {
      const el = document.getElementById('tree');
      el.setAttribute('locale', 'nl');
      await el.ready;
      el.select(el.report.scores.kpis[0].id);
    });
  });
  // A tree with problems, given as an object: plain words, every problem, no line numbers.
  await shot('/demo/test.html?src=/examples/hospital.json', 'error', async (page) => {
    await page.evaluate(async () => {
      const el = document.getElementById('tree');
      el.tree = {
        version: 1,
        organisation: 'Acme',
        as_of: '2026-12-01',
        nodes: [
          { id: 's', kind: 'strategy', title: 'Grow' },
          { id: 'o', kind: 'objective', title: 'Win customers', parents: ['s', 'nowhere'] },
          { id: 'k', kind: 'kpi', title: 'Revenue', parents: ['o'], target: 'a lot' },
          { id: 'k', kind: 'kpi', title: 'Revenue again', parents: ['o'] },
        ],
      };
      await el.ready.catch(() => {});
    });
  }, { size: { width: 1100, height: 700 } });
  // 10,000 nodes as they open (at their objectives), zoomed out to 60%.
  await shot('tree=gen:10000', 'overview', async (page) => {
    await page.evaluate(() => {
      document.getElementById('tree').zoom = 0.6;
    });
  });
} finally {
  await env.close();
}
