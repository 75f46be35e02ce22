// Time to first render of the <kpi-tree> element for generated trees of 1,000 and 10,000 nodes, in
// headless Chromium: from setting the `tree` property (a document object) to the first frame with the
// element's cards (handing the document to the engine: wasm parse and validation; the engine's layout;
// drawing the visible cards), and to the first frame after `kpi-findings` (the check too: rules,
// scores, badges, the findings panel; trees this large are drawn before their check). Pruning
// candidates are computed only when their filter is used. The engine is initialised once beforehand
// (a page pays that once, whatever it shows). Each size runs RUNS times in a fresh page; the median
// is reported.
//
// Used by web/bench/run.mjs: `export default async ({ url, browser }) => [{ name, value, unit, note }]`. Alone:
// `node bench/render.bench.mjs` (starts the server and Chromium itself).
import { generateTree } from '../demo/generate.js';

const SIZES = [1000, 10000];
const RUNS = Number(process.env.RENDER_RUNS ?? 5);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function once(browser, url, doc) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  try {
    await page.goto(`${url}/demo/test.html`);
    await page.waitForFunction(() => window.__ready);
    // Warm the engine up with a one-node tree so the wasm download and compile are not counted.
    await page.evaluate(async () => {
      const el = document.getElementById('tree');
      const done = new Promise((ok) => el.addEventListener('kpi-findings', ok, { once: true }));
      el.tree = { version: 1, organisation: 'warm-up', as_of: '2026-01-01', nodes: [{ id: 's', kind: 'strategy', title: 'S' }] };
      await done;
    });
    return await page.evaluate(async (d) => {
      const el = document.getElementById('tree');
      let cards = 0;
      const probe = new MutationObserver(() => {
        // The warm-up tree's card (id s) is not one of them.
        if (!el.shadowRoot.querySelector('[role="treeitem"]:not([data-id="s"])')) return;
        probe.disconnect();
        requestAnimationFrame(() => (cards = performance.now() - t0));
      });
      probe.observe(el.shadowRoot, { childList: true, subtree: true });
      const t0 = performance.now();
      const done = new Promise((ok, fail) => {
        el.addEventListener('kpi-findings', ok, { once: true });
        el.addEventListener('kpi-error', (e) => fail(new Error(e.detail.message)), { once: true });
      });
      el.tree = d;
      await done;
      await new Promise((ok) => requestAnimationFrame(() => ok()));
      return { ms: performance.now() - t0, first: cards, cards: el.shadowRoot.querySelectorAll('[role="treeitem"]').length };
    }, doc);
  } finally {
    await context.close();
  }
}

export default async function render({ url, browser }) {
  const results = [];
  for (const nodes of SIZES) {
    const doc = generateTree({ nodes, seed: 11 });
    const runs = [];
    const first = [];
    let cards = 0;
    for (let r = 0; r < RUNS; r++) {
      const got = await once(browser, url, doc);
      runs.push(got.ms);
      first.push(got.first);
      cards = got.cards;
    }
    results.push({
      name: `first cards, ${nodes.toLocaleString('en')} nodes`,
      value: Math.round(median(first) * 10) / 10,
      unit: 'ms',
      note: `median of ${RUNS} (${first.map((ms) => Math.round(ms)).join(', ')})`,
    });
    results.push({
      name: `kpi-findings, ${nodes.toLocaleString('en')} nodes`,
      value: Math.round(median(runs) * 10) / 10,
      unit: 'ms',
      note: `median of ${RUNS} (${runs.map((ms) => Math.round(ms)).join(', ')}); ${cards} cards in the DOM`,
    });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { openBrowser } = await import('../tests/support.mjs');
  // WIDGET_DEV_DIST: measure another build of dist/ (as in the tests, tests/support.mjs).
  const env = await openBrowser();
  try {
    console.log(JSON.stringify(await render(env), null, 2));
  } finally {
    await env.close();
  }
}
