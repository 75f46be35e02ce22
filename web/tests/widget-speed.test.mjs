// The first view of the <kpi-tree> element: what a cold load requests and when (together, not one after
// another), the tree drawn before its check (report, badges and kpi-findings follow, once per load,
// stale loads dropped), big trees opening at their objectives, and the preload links of the README.
// Order of events and requests is asserted, never a duration: web/bench/cold.bench.mjs measures those.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser } from './support.mjs';
import { generateTree } from '../demo/generate.js';

const examples = resolve(fileURLToPath(new URL('../../examples', import.meta.url)));
const read = (name) => JSON.parse(readFileSync(`${examples}/${name}`, 'utf8'));
const company = read('software-company.json');
const hospital = read('hospital.json');
// The element's LARGE_TREE (web/src/widget-load.js): above it a tree opens expanded to its objectives,
// and is drawn before its check.
const LARGE_TREE = 500;

let env;
before(async () => {
  env = await openBrowser();
});
after(async () => env?.close());

async function page(query = '', before = async () => {}) {
  const p = await env.page();
  await p.setViewportSize({ width: 1400, height: 900 });
  await before(p);
  await p.goto(`${env.url}/demo/test.html?${query}`);
  await p.waitForFunction(() => window.__ready);
  return p;
}

const findings = (p) => p.evaluate(() => window.__events.filter((e) => e.type === 'kpi-findings' || e.type === 'kpi-error'));

async function waitFindings(p, n = 1) {
  await p.waitForFunction((k) => window.__events.filter((e) => e.type === 'kpi-findings' || e.type === 'kpi-error').length >= k, n, { timeout: 120000 });
}

/** The level control and the cards in the DOM: kind, id, aria-expanded, whether inside the viewport. */
function view(p) {
  return p.evaluate(() => {
    const root = document.getElementById('tree').shadowRoot;
    const level = root.querySelector('[part="level"]');
    const vp = root.querySelector('[role="tree"]').parentElement.getBoundingClientRect();
    const cards = [...root.querySelectorAll('[role="treeitem"]')].map((el) => {
      const r = el.getBoundingClientRect();
      return {
        id: el.dataset.id,
        kind: el.dataset.kind,
        expanded: el.getAttribute('aria-expanded'),
        visible: r.top >= vp.top && r.bottom <= vp.bottom && r.left >= vp.left && r.right <= vp.right,
      };
    });
    return { level: level.value, levelText: level.selectedOptions[0].textContent, cards };
  });
}

// Records, at the first mutation that puts cards into the element, what the page could see then; with
// `then` (a URL), loads it (as `src`) from that same callback, before the check of a large tree has run.
function probeFirstCards(p, then = null) {
  return p.evaluate((next) => {
    const el = document.getElementById('tree');
    window.__first = null;
    const probe = new MutationObserver(() => {
      if (!el.shadowRoot.querySelector('[role="treeitem"]')) return;
      probe.disconnect();
      window.__first = {
        report: el.report,
        events: window.__events.filter((e) => e.type === 'kpi-findings').length,
        healthBadges: el.shadowRoot.querySelectorAll('[part~="health-badge"]').length,
        ids: [...el.shadowRoot.querySelectorAll('[role="treeitem"]')].map((c) => c.dataset.id),
      };
      if (next) {
        el.tree = null;
        el.src = next;
      }
    });
    probe.observe(el.shadowRoot, { childList: true, subtree: true });
  }, then);
}

/** Sets the element's `tree` to a generated tree of `nodes` nodes (demo/generate.js, in the page). */
function setGenerated(p, nodes, seed) {
  return p.evaluate(async ([n, k]) => {
    const { generateTree } = await import('/demo/generate.js');
    const el = document.getElementById('tree');
    el.src = '';
    el.tree = generateTree({ nodes: n, seed: k });
  }, [nodes, seed]);
}

describe('first view', () => {
  test('a tree above LARGE_TREE nodes opens expanded to its objectives, the level control saying so, the first strategy in view', async () => {
    const doc = generateTree({ nodes: 10000, seed: 3 });
    const p = await page('gen=10000&seed=3');
    await waitFindings(p);
    const [ev] = await findings(p);
    assert.equal(ev.type, 'kpi-findings');
    const v = await view(p);
    assert.equal(v.level, '2');
    assert.equal(v.levelText, 'Objectives');
    assert.deepEqual([...new Set(v.cards.map((c) => c.kind))].sort(), ['objective', 'strategy'], 'strategies and objectives only');
    const closed = v.cards.filter((c) => c.kind === 'objective' && c.expanded !== null);
    assert.ok(closed.length > 0 && closed.every((c) => c.expanded === 'false'), 'the objectives are closed');
    const first = doc.nodes.find((n) => n.kind === 'strategy');
    assert.ok(v.cards.some((c) => c.id === first.id && c.visible), `the first strategy ${first.id} is in view`);
    // The level control opens it all, as before.
    await p.evaluate(() => document.getElementById('tree').expandAll());
    const all = await view(p);
    assert.equal(all.level, '0');
    assert.ok(all.cards.some((c) => c.kind === 'kpi'), 'KPIs once all is open');
    assert.deepEqual(p.errors, []);
    await p.close();
  });

  test('a tree of LARGE_TREE nodes or fewer opens fully expanded; a level chosen on the control is kept across loads', async () => {
    const p = await page(`gen=${LARGE_TREE}`);
    await waitFindings(p);
    let v = await view(p);
    assert.equal(v.level, '0');
    assert.ok(v.cards.some((c) => c.kind === 'kpi'), 'KPIs in view');
    // The user picks key results; the next (small) tree keeps that choice.
    await p.evaluate(() => document.getElementById('tree').expandToLevel(3));
    await p.evaluate(() => {
      document.getElementById('tree').src = '/examples/software-company.json';
      document.getElementById('tree').tree = null;
    });
    await waitFindings(p, 2);
    v = await view(p);
    assert.equal(v.level, '3');
    assert.ok(!v.cards.some((c) => c.kind === 'kpi'), 'no KPIs at the key results level');
    await p.close();
  });

  test('a large tree: the cards come first; report, badges and kpi-findings follow once per load, and ready with them', async () => {
    const p = await page();
    await probeFirstCards(p);
    await setGenerated(p, 1000, 5);
    await waitFindings(p);
    const first = await p.evaluate(() => window.__first);
    assert.equal(first.report, null, 'report is null while the check runs');
    assert.equal(first.events, 0, 'kpi-findings comes after the first cards');
    assert.equal(first.healthBadges, 0, 'no scores before the check');
    const after1 = await p.evaluate(async () => {
      const el = document.getElementById('tree');
      const ready = await el.ready;
      return {
        ready: ready.summary.nodes,
        report: el.report.summary.nodes,
        healthBadges: el.shadowRoot.querySelectorAll('[part~="health-badge"]').length,
        listed: el.shadowRoot.querySelectorAll('[part="findings-list"] li:not(.empty)').length,
      };
    });
    assert.deepEqual([after1.ready, after1.report], [1000, 1000]);
    assert.ok(after1.healthBadges > 0, 'the drawn cards got their health badges');
    assert.ok(after1.listed > 0, 'the findings are listed');

    await setGenerated(p, 800, 6);
    await waitFindings(p, 2);
    const evs = await findings(p);
    assert.deepEqual(evs.map((e) => [e.type, e.detail.report.summary.nodes]), [['kpi-findings', 1000], ['kpi-findings', 800]]);
    assert.ok(evs[1].detail.report.findings.length > 0, 'the full report');
    assert.deepEqual(p.errors, []);
    await p.close();
  });

  test('a reload while the check of a large tree is pending drops the stale load: one kpi-findings, the new tree', async () => {
    const p = await page();
    await probeFirstCards(p, '/examples/hospital.json');
    await setGenerated(p, 1000, 5);
    await waitFindings(p);
    const first = await p.evaluate(() => window.__first);
    assert.equal(first.report, null, 'the reload came before the check');
    const got = await p.evaluate(async () => {
      const el = document.getElementById('tree');
      const ready = await el.ready;
      // Two frames and a task more: the first load's check, had it gone on, would have reported by now.
      await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(ok, 0))));
      return {
        ready: ready.summary.organisation,
        ids: [...el.shadowRoot.querySelectorAll('[role="treeitem"]')].map((c) => c.dataset.id),
      };
    });
    const evs = await findings(p);
    assert.deepEqual(evs.map((e) => [e.type, e.detail.report.summary.organisation]), [['kpi-findings', hospital.organisation]]);
    assert.equal(got.ready, hospital.organisation);
    assert.ok(got.ids.length > 0 && got.ids.every((id) => hospital.nodes.some((n) => n.id === id)), 'the cards are the second tree');
    assert.deepEqual(p.errors, []);
    await p.close();
  });

  test('a small tree is drawn with its check: scores and kpi-findings with the first cards', async () => {
    const p = await page();
    await probeFirstCards(p);
    await p.evaluate(() => {
      document.getElementById('tree').src = '/examples/software-company.json';
    });
    await waitFindings(p);
    const first = await p.evaluate(() => window.__first);
    assert.equal(first.report?.summary.organisation, company.organisation);
    assert.equal(first.events, 1);
    assert.ok(first.healthBadges > 0);
    assert.equal((await findings(p)).length, 1);
    await p.close();
  });
});

describe('cold load', () => {
  /**
   * The resource timings of a fresh page for `query`, once it has its report. The engine's wasm is
   * held back 300 ms, as a network would: over loopback it can arrive before the page has asked for
   * anything else, and "requested before the wasm has arrived" would say nothing about a waterfall.
   */
  async function timings(query) {
    const slow = (p) => p.route(/kpitree_web_bg\.wasm$/, (route) => setTimeout(() => route.continue(), 300));
    const p = await page(query, slow);
    await waitFindings(p);
    const [ev] = await findings(p);
    assert.equal(ev.type, 'kpi-findings', JSON.stringify(ev.detail?.message ?? ''));
    const entries = await p.evaluate(() => performance.getEntriesByType('resource').map((e) => ({ path: new URL(e.name).pathname, start: e.startTime, end: e.responseEnd })));
    await p.close();
    return (path) => entries.filter((e) => e.path === path);
  }

  test('the stylesheet, the engine and the tree are requested together, the wasm with its glue', async () => {
    const at = await timings('src=/examples/software-company.json');
    const [wasm] = at('/dist/pkg/lean/kpitree_web_bg.wasm');
    const [glue] = at('/dist/pkg/lean/kpitree_web.js');
    const [css] = at('/dist/kpi-tree.css');
    const [tree] = at('/examples/software-company.json');
    assert.ok(wasm && glue && css && tree, 'each fetched');
    assert.ok(tree.start < wasm.end, 'the tree is requested before the wasm has arrived');
    assert.ok(css.start < wasm.end, 'the stylesheet is requested before the wasm has arrived');
    assert.ok(wasm.start < glue.end, 'the wasm is requested before its glue has arrived');
    assert.deepEqual(at('/dist/pkg/kpitree_web_bg.wasm'), [], 'not the full engine');
    assert.deepEqual(at('/dist/widget-chart.js'), [], 'not the chart, which no first view shows');
  });

  test('a page that needs the full engine fetches it alone, also together with the tree', async () => {
    const at = await timings('src=/examples/software-company.json&config=/demo/kpitree.toml');
    const [wasm] = at('/dist/pkg/kpitree_web_bg.wasm');
    const [tree] = at('/examples/software-company.json');
    const [config] = at('/demo/kpitree.toml');
    assert.ok(wasm && tree && config, 'each fetched');
    assert.ok(tree.start < wasm.end && config.start < wasm.end, 'the tree and the configuration are requested before the wasm has arrived');
    assert.deepEqual(at('/dist/pkg/lean/kpitree_web_bg.wasm'), [], 'not the lean engine too');
  });

  test('the preload links of the README are used (each file fetched once) under the strict CSP', async () => {
    const p = await env.page();
    const requested = [];
    p.on('request', (r) => requested.push(new URL(r.url()).pathname));
    const csp = [];
    p.on('console', (m) => /Content Security Policy/i.test(m.text()) && csp.push(m.text()));
    const res = await p.goto(`${env.url}/demo/preload.html`);
    assert.match(res.headers()['content-security-policy'], /style-src 'self'/);
    await p.waitForFunction(() => document.getElementById('tree')?.report, null, { timeout: 30000 });
    const preloaded = await p.evaluate(() => [...document.querySelectorAll('link[rel="preload"], link[rel="modulepreload"]')].map((l) => new URL(l.href).pathname));
    for (const path of preloaded) assert.equal(requested.filter((r) => r === path).length, 1, `${path} fetched once`);
    assert.deepEqual(csp, []);
    assert.deepEqual(p.errors, []);
    await p.close();
  });
});
