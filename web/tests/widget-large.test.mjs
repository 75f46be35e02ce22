// Large trees stay usable: a generated 10,000-node tree renders with only the visible cards in the DOM,
// and keyboard navigation, search and collapse keep working with focus on the right card. How fast is
// measured by web/bench/render.bench.mjs, not asserted here.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser } from './support.mjs';
import { generateTree } from '../demo/generate.js';

const N = 10000;
let env;
before(async () => {
  env = await openBrowser();
});
after(async () => env?.close());

const snapshot = (page) =>
  page.evaluate(() => {
    const root = document.getElementById('tree').shadowRoot;
    const items = [...root.querySelectorAll('[role="treeitem"]')];
    return {
      count: items.length,
      indexes: items.map((el) => Number(el.dataset.index)),
      focused: root.activeElement?.dataset?.index !== undefined ? Number(root.activeElement.dataset.index) : null,
      focusedId: root.activeElement?.dataset?.id ?? null,
      tabbable: items.filter((el) => el.tabIndex === 0).map((el) => Number(el.dataset.index)),
      matches: root.querySelector('.matches').textContent,
    };
  });

describe('a 10,000-node tree', () => {
  test('renders only what is visible and keeps keyboard focus correct', async () => {
    const doc = generateTree({ nodes: N, seed: 3 });
    assert.equal(doc.nodes.length, N);
    const page = await env.page();
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(`${env.url}/demo/test.html?gen=${N}&seed=3`);
    await page.waitForFunction(() => (window.__events ?? []).some((e) => e.type === 'kpi-findings' || e.type === 'kpi-error'), null, {
      timeout: 120000,
    });
    const [ev] = await page.evaluate(() => window.__events);
    assert.equal(ev.type, 'kpi-findings', JSON.stringify(ev.detail?.message ?? ''));
    assert.equal(ev.detail.report.summary.nodes, N);

    // A tree this large opens expanded to its objectives (widget-speed.test.mjs); all of it here.
    await page.evaluate(() => document.getElementById('tree').expandAll());
    let st = await snapshot(page);
    assert.ok(st.count > 0 && st.count < 300, `${st.count} cards in the DOM`);
    assert.deepEqual(st.indexes, [...st.indexes].sort((a, b) => a - b), 'DOM order is display order');

    await page.locator('kpi-tree [role="treeitem"][tabindex="0"]').focus();
    const start = (await snapshot(page)).focused;
    for (let k = 0; k < 30; k++) await page.keyboard.press('ArrowDown');
    st = await snapshot(page);
    assert.equal(st.focused, start + 30);
    assert.deepEqual(st.tabbable, [st.focused], 'one card in the tab order, the focused one');

    await page.keyboard.press('End');
    st = await snapshot(page);
    const total = await page.evaluate(() => document.getElementById('tree').shadowRoot.querySelector('[role="tree"]').lastElementChild.dataset.index);
    assert.equal(String(st.focused), total, 'End reaches the last item');
    assert.ok(st.focused > N * 0.9, `${st.focused} items before the last`);
    assert.ok(st.count < 300, 'still virtualised at the end');
    await page.keyboard.press('ArrowUp');
    assert.equal((await snapshot(page)).focused, st.focused - 1);

    await page.keyboard.press('Home');
    st = await snapshot(page);
    assert.equal(st.focused, 0);
    // Collapse the first strategy: the items below move up and focus stays on it.
    await page.keyboard.press('ArrowLeft');
    st = await snapshot(page);
    assert.equal(st.focused, 0);
    await page.keyboard.press('ArrowDown');
    st = await snapshot(page);
    assert.equal(st.focusedId, doc.nodes.filter((n) => n.kind === 'strategy')[1].id, 'Down goes to the next strategy');

    // Search a node deep in the tree: its branch opens and Enter brings it on screen, selected.
    const target = doc.nodes[N - 5];
    await page.locator('kpi-tree input[type="search"]').fill(target.id);
    await page.locator('kpi-tree input[type="search"]').press('Enter');
    const sel = await page.evaluate(() => {
      const root = document.getElementById('tree').shadowRoot;
      return [...root.querySelectorAll('[aria-selected="true"]')].map((el) => el.dataset.id);
    });
    assert.ok(sel.includes(target.id), `${target.id} selected: ${sel}`);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
