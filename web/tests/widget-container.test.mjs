// The element's layout follows its own width (container queries), not the window's: in an intranet
// page's 520 px column and on phones of 375 and 320 px nothing sticks out of the element, the toolbar's
// health pill is whole, and a selected node and its details are in view.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser } from './support.mjs';

let env;
before(async () => {
  env = await openBrowser();
});
after(async () => env?.close());

// [name, window size, main column width or null]
const CASES = [
  ['a 520 px column of a desktop page', { width: 1280, height: 900 }, 520],
  ['a 375 px phone', { width: 375, height: 812 }, null],
  ['a 320 px phone', { width: 320, height: 640 }, null],
  ['a desktop column of 1000 px', { width: 1440, height: 900 }, 1000],
];

async function open(size, col, src = '/examples/hospital.json') {
  const page = await env.page();
  await page.setViewportSize(size);
  await page.goto(`${env.url}/demo/intranet.html?src=${src}${col ? `&col=${col}` : ''}`);
  await page.waitForFunction(() => window.__ready && window.__events.some((e) => e.type === 'kpi-findings' || e.type === 'kpi-error'), null, {
    timeout: 30000,
  });
  return page;
}

/** Elements of the shadow root (outside the scrolling tree) that reach past the element's sides. */
function overflow(page) {
  return page.evaluate(() => {
    const el = document.getElementById('tree');
    const host = el.getBoundingClientRect();
    const root = el.shadowRoot;
    const viewport = root.querySelector('.viewport');
    const out = [];
    for (const e of root.querySelectorAll('*')) {
      if (viewport.contains(e) && e !== viewport) continue;
      const r = e.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.left < host.left - 0.5 || r.right > host.right + 0.5) {
        out.push(`${e.tagName.toLowerCase()}.${e.className?.baseVal ?? e.className} ${Math.round(r.left - host.left)}..${Math.round(r.right - host.left)} of ${Math.round(host.width)}`);
      }
    }
    const frame = root.querySelector('.frame');
    if (frame.scrollWidth > frame.clientWidth) out.push(`frame scrolls: ${frame.scrollWidth} > ${frame.clientWidth}`);
    return { host: host.width, out };
  });
}

/** Whether `selector` (in the shadow root) is wholly inside the element and its scrolling ancestors. */
function visible(page, selector) {
  return page.evaluate((sel) => {
    const el = document.getElementById('tree');
    const target = el.shadowRoot.querySelector(sel);
    if (!target) return `${sel}: missing`;
    const r = target.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return `${sel}: not displayed`;
    const clips = [el];
    for (let p = target.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflow;
      if (/auto|scroll|hidden|clip/.test(o)) clips.push(p);
    }
    for (const c of clips) {
      const b = c.getBoundingClientRect();
      if (r.left < b.left - 0.5 || r.right > b.right + 0.5 || r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5) {
        return `${sel}: outside ${c.className || c.tagName} (${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}x${Math.round(r.height)} in ${Math.round(b.left)},${Math.round(b.top)} ${Math.round(b.width)}x${Math.round(b.height)})`;
      }
    }
    return true;
  }, selector);
}

for (const [name, size, col] of CASES) {
  describe(`in ${name}`, () => {
    test('nothing is wider than the element and the health pill is whole', async () => {
      const page = await open(size, col);
      const got = await overflow(page);
      assert.ok(got.host <= (col ?? size.width), `the element fits its column (${got.host})`);
      assert.deepEqual(got.out, []);
      assert.equal(await visible(page, '[part="health"]'), true);
      assert.equal(await visible(page, '[part="search"]'), true);
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    test('a selected node and its details are in view', async () => {
      const page = await open(size, col);
      // The last KPI of the tree: far from the first screen, so the element must bring it in.
      const id = await page.evaluate(() => {
        const el = document.getElementById('tree');
        const id = el.report.scores.kpis.at(-1).id;
        el.select(id);
        return id;
      });
      await page.waitForTimeout(50);
      assert.equal(await visible(page, `[role="treeitem"][data-id="${id}"][aria-selected="true"]`), true);
      assert.equal(await visible(page, '[part="details"] h3'), true);
      // A click on another card (one drawn near the view; the click scrolls it in) selects it, and its
      // details replace the old ones, in view.
      const other = await page.evaluate((sel) => {
        const el = document.getElementById('tree');
        const card = [...el.shadowRoot.querySelectorAll('[role="treeitem"]')].find((c) => c.dataset.id !== sel && !c.classList.contains('ref'));
        return card?.dataset.id;
      }, id);
      assert.ok(other && other !== id, 'another card is in view');
      await page.locator(`kpi-tree [role="treeitem"][data-id="${other}"] .title`).click();
      assert.equal(await page.evaluate(() => document.getElementById('tree').selected), other);
      assert.equal(await visible(page, '[part="details"] h3'), true);
      const title = await page.evaluate(() => document.getElementById('tree').shadowRoot.querySelector('[part="details"] h3').textContent);
      const expected = await page.evaluate((o) => document.getElementById('tree').shadowRoot.querySelector(`[role="treeitem"][data-id="${o}"] .title`).textContent, other);
      assert.equal(title, expected);
      await page.close();
    });
  });
}

test('the error state fits a 320 px phone too', async () => {
  const page = await open({ width: 320, height: 640 }, null, '/examples/no-such-tree.json');
  assert.ok(await page.evaluate(() => window.__events.some((e) => e.type === 'kpi-error')));
  assert.deepEqual((await overflow(page)).out, []);
  assert.equal(await visible(page, '[part="error"] .error-title'), true);
  await page.close();
});
