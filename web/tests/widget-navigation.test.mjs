// Finding one's way in a big tree: zoom (buttons, property) with the drawing still virtualised, fit to
// view, filters that bring their first match into view, and the opt-in deep link (the selected node in
// the URL hash, restored on load and followed when the hash changes).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser } from './support.mjs';

let env;
before(async () => {
  env = await openBrowser();
});
after(async () => env?.close());

async function open(query, hash = '') {
  const page = await env.page();
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(`${env.url}/demo/test.html?${query}${hash}`);
  await page.waitForFunction(() => (window.__events ?? []).some((e) => e.type === 'kpi-findings'), null, { timeout: 60000 });
  return page;
}

/** The viewport, the sizer and the cards in the DOM with their screen boxes. */
function view(page) {
  return page.evaluate(() => {
    const el = document.getElementById('tree');
    const root = el.shadowRoot;
    const vp = root.querySelector('.viewport');
    const box = (e) => {
      const r = e.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
    };
    return {
      zoom: el.zoom,
      viewport: { ...box(vp), clientWidth: vp.clientWidth, clientHeight: vp.clientHeight, scrollLeft: vp.scrollLeft, scrollTop: vp.scrollTop },
      sizer: box(root.querySelector('.sizer')),
      level: root.querySelector('[part="zoom-reset"]').textContent,
      cards: [...root.querySelectorAll('[role="treeitem"]')].map((c) => ({ id: c.dataset.id, dim: c.classList.contains('dim'), ref: c.classList.contains('ref'), ...box(c) })),
    };
  });
}

const inside = (c, v) => c.left >= v.left - 1 && c.right <= v.right + 1 && c.top >= v.top - 1 && c.bottom <= v.bottom + 1;

describe('zoom and fit', () => {
  test('the buttons and the property zoom the drawing; cards keep covering the view', async () => {
    const page = await open('src=/examples/hospital.json');
    const at100 = await view(page);
    assert.equal(at100.zoom, 1);
    assert.equal(at100.level, '100%');
    await page.locator('kpi-tree [part="zoom-out"]').click();
    let v = await view(page);
    assert.equal(v.zoom, 0.8);
    assert.equal(v.level, '80%');
    assert.ok(Math.abs(v.cards[0].width - at100.cards[0].width * 0.8) < 1, 'cards are drawn smaller');
    await page.evaluate(() => {
      document.getElementById('tree').zoom = 0.5;
    });
    v = await view(page);
    assert.equal(v.zoom, 0.5);
    assert.ok(Math.abs(v.sizer.width - at100.sizer.width * 0.5) < 1, 'the scroll extent follows the zoom');
    assert.ok(v.cards.length >= at100.cards.length, 'zoomed out, at least as many cards are drawn');
    await page.locator('kpi-tree [part="zoom-reset"]').click();
    assert.equal((await view(page)).zoom, 1);
    await page.evaluate(() => {
      document.getElementById('tree').zoom = 100;
    });
    assert.equal((await view(page)).zoom, 2, 'clamped to 200%');
    assert.equal(await page.locator('kpi-tree [part="zoom-in"]').isDisabled(), true);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('fit shows the whole view when it can, and every node is drawn', async () => {
    const page = await open('src=/examples/hospital.json');
    await page.locator('kpi-tree [part="zoom-fit"]').click();
    const v = await view(page);
    assert.ok(v.zoom < 1, `zoomed out to fit (${v.zoom})`);
    assert.ok(v.sizer.width <= v.viewport.clientWidth + 1 && v.sizer.height <= v.viewport.clientHeight + 1, 'the tree fits the view');
    const nodes = await page.evaluate(() => document.getElementById('tree').report.summary.nodes);
    assert.ok(new Set(v.cards.map((c) => c.id)).size === nodes, 'every node is drawn');
    for (const c of v.cards) assert.ok(inside(c, v.viewport), `${c.id} in view`);
    await page.close();
  });

  test('10,000 nodes: fit stops at the smallest zoom and the drawing stays bounded', async () => {
    const page = await open('gen=10000');
    await page.evaluate(() => {
      const el = document.getElementById('tree');
      el.expandAll();
      el.fit();
    });
    const v = await view(page);
    assert.equal(v.zoom, 0.1);
    assert.ok(v.cards.length > 20 && v.cards.length < 2000, `${v.cards.length} cards in the DOM`);
    await page.close();
  });
});

/** Sets the rule filter to missing-owner and asserts a matching (not dimmed) card is in the view. */
async function filterShowsMatchInView(page) {
  await page.locator('kpi-tree select[part="rule-filter"]').selectOption('missing-owner');
  await page.waitForTimeout(100);
  const v = await view(page);
  const hits = v.cards.filter((c) => !c.dim && !c.ref);
  assert.ok(hits.some((c) => inside(c, v.viewport)), 'a matching card is in view');
}

describe('filters bring their first match into view', () => {
  test('the rule filter scrolls to a matching card from wherever the view was', async () => {
    const page = await open('gen=10000&seed=3');
    await page.evaluate(() => {
      const el = document.getElementById('tree');
      el.expandAll();
      const vp = el.shadowRoot.querySelector('.viewport');
      vp.scrollTop = vp.scrollHeight;
      vp.scrollLeft = vp.scrollWidth;
    });
    await filterShowsMatchInView(page);
    await page.close();
  });
});

describe('filters open the branches that hide their matches', () => {
  test('10,000 nodes open at their objectives; the rule filter still shows a match, in view', async () => {
    const page = await open('gen=10000&seed=3');
    assert.equal(await page.locator('kpi-tree [part="level"]').inputValue(), '2', 'opened at the objectives');
    await filterShowsMatchInView(page);
    await page.close();
  });
});

describe('the level chosen, and no tree again', () => {
  test('a level chosen before the tree loads is kept; tree = null shows no tree again', async () => {
    const page = await env.emptyPage();
    const got = await page.evaluate(async () => {
      const { generateTree } = await import('/demo/generate.js');
      const el = document.getElementById('tree');
      el.expandToLevel(1);
      el.tree = generateTree({ nodes: 1200, seed: 5 });
      await el.ready;
      const root = el.shadowRoot;
      const kinds = [...new Set([...root.querySelectorAll('[role="treeitem"]')].map((c) => c.dataset.kind))];
      const level = root.querySelector('[part="level"]').value;
      el.select(el.report.scores.kpis[0].id);
      el.tree = null;
      return { kinds, level };
    });
    assert.deepEqual(got.kinds, ['strategy'], 'level 1: strategies only, not the size default (objectives)');
    assert.equal(got.level, '1');
    await page.waitForFunction(() => !document.getElementById('tree').shadowRoot.querySelector('[role="treeitem"]'));
    const after = await page.evaluate(() => {
      const el = document.getElementById('tree');
      return {
        message: el.shadowRoot.querySelector('[part="message"]').textContent,
        report: el.report,
        selected: el.selected,
        select: el.select('anything'),
      };
    });
    assert.match(after.message, /^No tree/);
    assert.equal(after.report, null);
    assert.equal(after.selected, null);
    assert.equal(after.select, false);
    await assert.rejects(page.evaluate(() => document.getElementById('tree').exportSvg()), /no tree is loaded/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

describe('deep link (the deep-link attribute)', () => {
  test('the hash selects its node on load, a selection writes the hash, a changed hash selects', async () => {
    const ids = await (async () => {
      const page = await open('src=/examples/hospital.json');
      const got = await page.evaluate(() => document.getElementById('tree').report.scores.kpis.map((k) => k.id));
      await page.close();
      return got;
    })();
    const [a, b, c] = [ids.at(-1), ids[0], ids[1]];
    const page = await open('src=/examples/hospital.json&deep-link=', `#${encodeURIComponent(a)}`);
    let v = await view(page);
    assert.equal(await page.evaluate(() => document.getElementById('tree').selected), a);
    const card = v.cards.find((x) => x.id === a && !x.ref);
    assert.ok(card && inside(card, v.viewport), 'the linked node is in view');
    await page.evaluate((id) => document.getElementById('tree').select(id), b);
    assert.equal(await page.evaluate(() => location.hash), `#${encodeURIComponent(b)}`);
    const history = await page.evaluate(() => history.length);
    await page.evaluate((id) => {
      location.hash = `#${encodeURIComponent(id)}`;
    }, c);
    await page.waitForFunction((id) => document.getElementById('tree').selected === id, c);
    v = await view(page);
    assert.ok(v.cards.some((x) => x.id === c && inside(x, v.viewport)));
    // Selecting replaced the hash: it added no history entries of its own.
    assert.equal(await page.evaluate(() => history.length), history + 1);
    await page.close();
  });

  test('named links: several elements on a page, each with its entry of the hash, the others\' kept', async () => {
    const page = await open('src=/examples/hospital.json&deep-link=care', '#ops=kpi-x&care=');
    const ids = await page.evaluate(() => document.getElementById('tree').report.scores.kpis.map((k) => k.id));
    const [a, b, c] = [ids.at(-1), ids[0], ids[1]];
    assert.equal(await page.evaluate(() => document.getElementById('tree').selected), null, 'an empty entry selects nothing');
    // A second element, its entry written before it loads; the first keeps its selection.
    await page.evaluate(([a, b]) => {
      history.replaceState(null, '', `#ops=${encodeURIComponent(b)}&care=${encodeURIComponent(a)}`);
      dispatchEvent(new HashChangeEvent('hashchange'));
      const el = document.createElement('kpi-tree');
      el.id = 'ops';
      el.setAttribute('deep-link', 'ops');
      el.setAttribute('src', '/examples/hospital.json');
      document.getElementById('main').append(el);
    }, [a, b]);
    await page.waitForFunction(([a, b]) => document.getElementById('tree').selected === a && document.getElementById('ops').selected === b, [a, b]);
    // Selecting in one rewrites its entry only.
    await page.evaluate((c) => document.getElementById('ops').select(c), c);
    const entries = await page.evaluate(() => Object.fromEntries(new URLSearchParams(location.hash.slice(1))));
    assert.deepEqual(entries, { ops: c, care: a });
    // A changed hash: each element follows its entry.
    await page.evaluate((b) => {
      location.hash = `care=${encodeURIComponent(b)}&ops=${encodeURIComponent(b)}`;
    }, b);
    await page.waitForFunction((b) => document.getElementById('tree').selected === b && document.getElementById('ops').selected === b, b);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('without the attribute the hash is neither read nor written', async () => {
    const page = await open('src=/examples/hospital.json', '#kpi-anything');
    const got = await page.evaluate(() => {
      const el = document.getElementById('tree');
      const before = el.selected;
      el.select(el.report.scores.kpis[0].id);
      return { before, hash: location.hash };
    });
    assert.equal(got.before, null);
    assert.equal(got.hash, '#kpi-anything');
    await page.close();
  });
});
