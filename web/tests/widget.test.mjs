// Browser tests of the <kpi-tree> element on the example trees: rendering, the ARIA tree and keyboard,
// events, search, filters, the details view, the findings panel, the strict CSP and axe-core.
// Expected values come from the example files and from the element's own report (whose equality with
// the CLI is the engine tests' business), never from numbers written here.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser } from './support.mjs';

const examples = resolve(fileURLToPath(new URL('../../examples', import.meta.url)));
const company = JSON.parse(readFileSync(`${examples}/software-company.json`, 'utf8'));

let env;
before(async () => {
  env = await openBrowser();
});
after(async () => env?.close());


/** Opens the test page with `query` and waits for the element's first result (findings or error). */
async function open(query, { width = 1400, height = 900 } = {}) {
  const page = await env.page();
  await page.setViewportSize({ width, height });
  await page.goto(`${env.url}/demo/test.html?${query}`);
  await waitEvent(page, ['kpi-findings', 'kpi-error']);
  return page;
}

async function waitEvent(page, types, count = 1) {
  await page.waitForFunction(
    ([t, n]) => (window.__events ?? []).filter((e) => t.includes(e.type)).length >= n,
    [types, count],
    { timeout: 30000 },
  );
}

/** The element's shadow-DOM state that the assertions read. */
function state(page) {
  return page.evaluate(() => {
    const root = document.getElementById('tree').shadowRoot;
    const items = [...root.querySelectorAll('[role="treeitem"]')].map((el) => ({
      id: el.dataset.id,
      index: Number(el.dataset.index),
      level: Number(el.getAttribute('aria-level')),
      setsize: Number(el.getAttribute('aria-setsize')),
      posinset: Number(el.getAttribute('aria-posinset')),
      expanded: el.getAttribute('aria-expanded'),
      selected: el.getAttribute('aria-selected'),
      tabindex: el.getAttribute('tabindex'),
      label: el.textContent,
      classes: el.className,
      kind: el.dataset.kind,
      health: el.querySelector('[part~="health-badge"]')?.textContent ?? null,
      result: el.querySelector('[part~="result-badge"]')?.dataset.status ?? null,
    }));
    const focused = root.activeElement;
    return {
      items,
      focused: focused?.dataset?.index !== undefined ? Number(focused.dataset.index) : null,
      focusedId: focused?.dataset?.id ?? null,
      findings: [...root.querySelectorAll('.findings .finding')].map((b) => ({ rule: b.dataset.rule, node: b.dataset.node })),
      details: root.querySelector('[part="details"] h3')?.textContent ?? null,
      matches: root.querySelector('.matches')?.textContent ?? '',
      error: root.querySelector('[part="error"]')?.textContent ?? null,
      pluginErrors: [...root.querySelectorAll('[part="plugin-error"]')].map((e) => e.textContent),
    };
  });
}

const events = (page, type) => page.evaluate((t) => window.__events.filter((e) => e.type === t), type);

/** A small tree that fits on screen: two strategies, a retired objective, a KPI shared by two key results. */
function smallTree() {
  return {
    version: 1,
    organisation: 'Small Co',
    as_of: '2026-11-27',
    nodes: [
      { id: 's1', kind: 'strategy', title: 'Grow where we are strong', owner: 'Board' },
      { id: 's2', kind: 'strategy', title: 'Stay trusted', owner: 'Board' },
      { id: 'o1', kind: 'objective', title: 'Win the north', owner: 'Sales', parents: ['s1'], period: '2026-Q4' },
      { id: 'o2', kind: 'objective', title: 'Old push into retail', owner: 'Sales', parents: ['s1'], period: '2026-Q4', status: 'retired' },
      { id: 'o3', kind: 'objective', title: 'No outages customers notice', parents: ['s2'], period: '2026-Q4' },
      { id: 'kr1', kind: 'key_result', title: 'Sign 10 northern accounts', owner: 'Sales', parents: ['o1'], unit: 'accounts', start: 0, target: 10, current: 6, confidence: 0.7, check_ins: [{ date: '2026-11-20', value: 6, confidence: 0.7, note: 'Two in legal review.' }] },
      { id: 'kr2', kind: 'key_result', title: 'Raise uptime to 99.95%', owner: 'Platform', parents: ['o3'], unit: '%', start: 99.8, target: 99.95, current: 99.9, confidence: 0.6, check_ins: [{ date: '2026-11-20', value: 99.9, confidence: 0.6, note: 'On plan.' }] },
      { id: 'kr3', kind: 'key_result', title: 'Retail pilot live', owner: 'Sales', parents: ['o2'], status: 'retired', unit: 'stores', start: 0, target: 3, current: 0 },
      {
        id: 'k1', kind: 'kpi', title: 'Qualified pipeline', owner: 'Sales', parents: ['kr1', 'kr2'], unit: 'count', direction: 'higher_is_better', indicator: 'leading', target: 40,
        rationale: 'Accounts come out of pipeline.', last_reviewed: '2026-10-01',
        measurements: [{ date: '2026-10-01', value: 30 }, { date: '2026-10-15', value: 34 }, { date: '2026-11-01', value: 37 }, { date: '2026-11-15', value: 41 }],
      },
      { id: 'k2', kind: 'kpi', title: 'Incident minutes', owner: 'Platform', parents: ['kr2'], unit: 'min', direction: 'lower_is_better', indicator: 'lagging', target: 30, rationale: 'What customers feel.', last_reviewed: '2026-10-01', measurements: [{ date: '2026-11-01', value: 50 }, { date: '2026-11-15', value: 35 }] },
      { id: 'k3', kind: 'kpi', title: 'Store footfall', owner: 'Retail', parents: ['kr3'], unit: 'visits', direction: 'higher_is_better', indicator: 'lagging', target: 1000, last_reviewed: '2024-01-01', measurements: [{ date: '2026-11-01', value: 900 }] },
    ],
  };
}

async function openSmall() {
  const page = await env.page();
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(`${env.url}/demo/test.html`);
  await page.waitForFunction(() => window.__ready);
  await page.evaluate((doc) => {
    document.getElementById('tree').tree = doc;
  }, smallTree());
  await waitEvent(page, ['kpi-findings', 'kpi-error']);
  return page;
}

describe('rendering', () => {
  test('the example tree is drawn with the ARIA tree pattern, result and health badges and its findings', async () => {
    const page = await open('src=/examples/software-company.json');
    const report = await page.evaluate(() => document.getElementById('tree').report);
    assert.equal(report.summary.nodes, company.nodes.length);
    const st = await state(page);
    assert.ok(st.items.length > 5, 'cards are drawn');
    const ids = new Set(company.nodes.map((n) => n.id));
    for (const it of st.items) {
      assert.ok(ids.has(it.id), `card ${it.id} is a node of the file`);
      assert.ok(it.level >= 1 && it.posinset >= 1 && it.posinset <= it.setsize, `ARIA position of ${it.id}`);
    }
    assert.equal(st.items.filter((i) => i.tabindex === '0').length, 1, 'one card is in the tab order');
    // Every objective card on screen shows the result (status) and the tree health the report gives it.
    const objectives = new Map(report.scores.objectives.map((o) => [o.id, o]));
    const shown = st.items.filter((i) => objectives.has(i.id) && !i.classes.includes('ref'));
    assert.ok(shown.length > 0, 'some objective is on screen');
    for (const it of shown) {
      assert.equal(it.health, `Tree Health ${Math.round(objectives.get(it.id).health)} of 100`, it.id);
      assert.equal(it.result, objectives.get(it.id).status, it.id);
    }
    // The findings panel lists each finding of the report once.
    assert.equal(st.findings.length, report.findings.length);
    assert.deepEqual(st.findings.map((f) => f.rule).sort(), report.findings.map((f) => f.rule).sort());
    const org = await page.locator('kpi-tree [part="title"]').textContent();
    assert.equal(org, company.organisation);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('a KPI shared by two key results is drawn once in full and once as a reference to it', async () => {
    const page = await openSmall();
    const st = await state(page);
    const k1 = st.items.filter((i) => i.id === 'k1');
    assert.equal(k1.length, 2);
    const [main, ref] = k1[0].classes.includes('ref') ? [k1[1], k1[0]] : [k1[0], k1[1]];
    assert.ok(!main.classes.includes('ref') && ref.classes.includes('ref'));
    assert.match(ref.label, /shared/);
    assert.equal(ref.expanded, null, 'a reference does not expand');
    // Activating the reference goes to the node's main place.
    await page.locator(`kpi-tree [role="treeitem"][data-index="${ref.index}"]`).click();
    const after1 = await state(page);
    assert.equal(after1.focused, main.index);
    assert.equal(after1.items.find((i) => i.index === main.index).selected, 'true');
    await page.close();
  });

  test('a document the engine refuses shows its problems and fires kpi-error', async () => {
    const page = await env.emptyPage();
    const bad = smallTree();
    bad.nodes.push({ id: 'k9', kind: 'kpi', title: 'Dangling', parents: ['nowhere'] });
    await page.evaluate((doc) => {
      document.getElementById('tree').tree = doc;
    }, bad);
    await waitEvent(page, ['kpi-error']);
    const [e] = await events(page, 'kpi-error');
    assert.ok(e.bubbles && e.composed);
    assert.ok(e.detail.message.includes('nowhere'), e.detail.message);
    assert.ok(e.detail.problems.some((p) => p.node === 'k9'), JSON.stringify(e.detail.problems));
    const st = await state(page);
    assert.ok(st.error.includes('nowhere'), 'the problem is shown');
    assert.equal(st.items.length, 0);
    await page.close();
  });

  test('broken JSON shows the full engine\'s message: the lean engine declines it, readTree asks the full one', async () => {
    const page = await env.emptyPage();
    await page.evaluate(() => {
      document.getElementById('tree').tree = '{"version": 1, "nodes": [';
    });
    await waitEvent(page, ['kpi-error']);
    const [e] = await events(page, 'kpi-error');
    assert.equal(e.detail.message, 'tree:1:25: error[syntax]: EOF while parsing a list');
    assert.ok(!e.detail.problems.some((p) => p.code === 'needs-full-engine'), JSON.stringify(e.detail.problems));
    await page.close();
  });
});

describe('keyboard', () => {
  test('arrows, Home, End, Enter and * follow the ARIA tree pattern with a roving tabindex', async () => {
    const page = await openSmall();
    await page.locator('kpi-tree [role="treeitem"][data-index="0"]').focus();
    const press = async (key) => {
      await page.keyboard.press(key);
      return state(page);
    };
    let st = await press('ArrowDown');
    assert.equal(st.focused, 1);
    const second = st.items.find((i) => i.index === 1);
    assert.equal(second.level, 2, 'the first child of the first strategy');
    assert.equal(st.items.filter((i) => i.tabindex === '0').map((i) => i.index).join(), '1');
    assert.equal(second.expanded, 'true');
    st = await press('ArrowLeft');
    assert.equal(st.items.find((i) => i.index === 1).expanded, 'false', 'Left on an open node closes it');
    assert.equal(st.focused, 1, 'focus stays on the closed node');
    st = await press('ArrowLeft');
    assert.equal(st.focused, 0, 'Left on a closed child goes to its parent');
    await press('ArrowDown');
    await press('ArrowRight');
    await press('ArrowLeft');
    st = await press('ArrowLeft');
    assert.equal(st.focused, 0);
    const countOpen = st.items.length;
    st = await press('ArrowLeft');
    assert.equal(st.items.find((i) => i.index === 0).expanded, 'false', 'Left on an open node closes it');
    assert.ok(st.items.length < countOpen);
    assert.equal(st.focused, 0, 'focus stays on the closed node');
    st = await press('ArrowRight');
    assert.equal(st.items.find((i) => i.index === 0).expanded, 'true');
    st = await press('ArrowRight');
    assert.equal(st.focused, 1, 'Right on an open node goes to its first child');
    st = await press('End');
    assert.equal(st.focused, Math.max(...st.items.map((i) => i.index)));
    st = await press('Home');
    assert.equal(st.focused, 0);
    st = await press('Enter');
    assert.equal(st.items.find((i) => i.index === 0).selected, 'true');
    const [sel] = await events(page, 'kpi-select');
    assert.equal(sel.detail.id, 's1');
    assert.equal(sel.detail.node.title, 'Grow where we are strong');
    assert.ok(sel.bubbles && sel.composed);
    // Close both strategies, then * opens every sibling of the focused one.
    await press('ArrowLeft');
    await press('ArrowDown');
    st = await press('ArrowLeft');
    const roots = st.items.filter((i) => i.level === 1);
    assert.ok(roots.every((r) => r.expanded === 'false'), 'both strategies closed');
    st = await press('*');
    assert.ok(st.items.filter((i) => i.level === 1).every((r) => r.expanded === 'true'), '* opened the siblings');
    await page.close();
  });

  test('expand to level shows exactly the levels above it', async () => {
    const page = await openSmall();
    await page.locator('kpi-tree select[part="level"]').selectOption('2');
    let st = await state(page);
    assert.deepEqual([...new Set(st.items.map((i) => i.level))].sort(), [1, 2]);
    assert.ok(st.items.filter((i) => i.level === 2).every((i) => i.expanded === 'false'));
    await page.locator('kpi-tree select[part="level"]').selectOption('0');
    st = await state(page);
    assert.equal(Math.max(...st.items.map((i) => i.level)), 4);
    await page.close();
  });
});

describe('search, filters, details, findings', () => {
  test('search highlights every match and opens the branches that hide them', async () => {
    const page = await open('src=/examples/software-company.json');
    await page.locator('kpi-tree select[part="level"]').selectOption('1');
    const q = 'churn';
    const expected = company.nodes
      .filter((n) => [n.title, n.id, n.owner, n.department].some((v) => v?.toLowerCase().includes(q)))
      .map((n) => n.id);
    assert.ok(expected.length > 1);
    await page.locator('kpi-tree input[type="search"]').fill(q);
    await page.waitForFunction(() => document.getElementById('tree').shadowRoot.querySelector('.matches').textContent.includes('match'));
    let st = await state(page);
    assert.equal(st.matches, `${expected.length} matches`);
    // Enter walks through the matches: each one ends up on screen, highlighted and selected.
    const seen = new Set();
    for (let k = 0; k < expected.length; k++) {
      await page.locator('kpi-tree input[type="search"]').press('Enter');
      st = await state(page);
      const sel = st.items.find((i) => i.selected === 'true');
      assert.ok(sel, 'a match is selected');
      assert.ok(sel.classes.includes('match'));
      seen.add(sel.id);
    }
    assert.deepEqual([...seen].sort(), [...expected].sort());
    await page.close();
  });

  test('filters: active objectives only, pruning candidates, one rule', async () => {
    const page = await openSmall();
    await page.locator('kpi-tree input[type="checkbox"] >> nth=0').check();
    let st = await state(page);
    const ids = new Set(st.items.map((i) => i.id));
    assert.ok(!ids.has('o2') && !ids.has('kr3') && !ids.has('k3'), 'the retired objective and its branch are hidden');
    assert.ok(ids.has('o1') && ids.has('k1') && ids.has('s2'));
    await page.locator('kpi-tree input[type="checkbox"] >> nth=0').uncheck();

    const candidates = await page.evaluate(async () => {
      const engine = await import('/dist/engine.js');
      await engine.initEngine();
      const doc = document.getElementById('tree').tree;
      return engine.loadTree(doc, { file: 't', format: 'json' }).prune({}).candidates.map((c) => c.id);
    });
    assert.ok(candidates.length > 0, 'the small tree has a pruning candidate');
    await page.locator('kpi-tree input[type="checkbox"] >> nth=1').check();
    st = await state(page);
    const hits = st.items.filter((i) => !i.classes.includes('dim')).map((i) => i.id);
    assert.deepEqual([...new Set(hits)].sort(), [...candidates].sort());
    await page.locator('kpi-tree input[type="checkbox"] >> nth=1').uncheck();

    const report = await page.evaluate(() => document.getElementById('tree').report);
    const rule = 'missing-owner';
    const named = new Set(report.findings.filter((f) => f.rule === rule).flatMap((f) => f.nodes));
    assert.ok(named.size > 0);
    await page.locator('kpi-tree select[part="rule-filter"]').selectOption(rule);
    st = await state(page);
    assert.ok(st.findings.every((f) => f.rule === rule));
    assert.equal(st.findings.length, report.findings.filter((f) => f.rule === rule).length);
    assert.deepEqual(
      [...new Set(st.items.filter((i) => !i.classes.includes('dim')).map((i) => i.id))].sort(),
      [...named].sort(),
    );
    await page.close();
  });

  test('the details view shows the selected KPI with its measurements as a chart', async () => {
    const page = await openSmall();
    const k2 = smallTree().nodes.find((n) => n.id === 'k2');
    await page.locator('kpi-tree [role="treeitem"][data-id="k2"]').click();
    const st = await state(page);
    assert.equal(st.details, k2.title);
    // The chart's module loads with the first series shown.
    await page.locator('kpi-tree [part="details"] svg[part="chart"]').waitFor();
    const chart = await page.evaluate(() => {
      const svg = document.getElementById('tree').shadowRoot.querySelector('[part="details"] svg[part="chart"]');
      return svg && { dots: svg.querySelectorAll('circle').length, label: svg.getAttribute('aria-label') };
    });
    assert.equal(chart.dots, k2.measurements.length);
    assert.ok(chart.label.includes(`latest ${k2.measurements.at(-1).value} ${k2.unit}`), chart.label);
    const facts = await page.locator('kpi-tree [part="details"] dl').textContent();
    assert.ok(facts.includes(k2.owner) && facts.includes('lagging'), facts);
    await page.close();
  });

  test('clicking a finding selects and focuses its node', async () => {
    const page = await open('src=/examples/software-company.json');
    const report = await page.evaluate(() => document.getElementById('tree').report);
    // The last finding of the panel, whose node is likely off screen at first.
    const buttons = page.locator('kpi-tree .findings .finding');
    const n = await buttons.count();
    const node = await buttons.nth(n - 1).getAttribute('data-node');
    assert.ok(report.findings.some((f) => f.nodes[0] === node));
    await buttons.nth(n - 1).click();
    const st = await state(page);
    assert.equal(st.focusedId, node);
    assert.equal(st.items.find((i) => i.id === node && i.selected === 'true')?.id, node);
    const sel = (await events(page, 'kpi-select')).at(-1);
    assert.equal(sel.detail.id, node);
    await page.close();
  });
});

describe('policy and accessibility', () => {
  test('no Content-Security-Policy violation under the strict policy, through loading and use', async () => {
    const page = await open('src=/examples/hospital.json');
    const headers = await (await page.request.get(`${env.url}/demo/test.html`)).headers();
    assert.match(headers['content-security-policy'], /style-src 'self'/);
    await page.locator('kpi-tree [role="treeitem"] >> nth=2').click();
    await page.keyboard.press('ArrowDown');
    await page.locator('kpi-tree input[type="search"]').fill('a');
    await page.waitForTimeout(300);
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  for (const file of ['software-company', 'municipality']) {
    test(`axe-core finds no violation (${file}, with a node selected)`, async () => {
      const page = await open(`src=/examples/${file}.json`);
      await page.locator('kpi-tree [role="treeitem"] >> nth=1').click();
      // Served by the test server from web/node_modules: a same-origin script the strict CSP allows
      // (an inline injection would be blocked by the very policy under test).
      await page.addScriptTag({ url: '/node_modules/axe-core/axe.min.js' });
      const result = await page.evaluate(() => window.axe.run(document));
      const summary = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
      assert.deepEqual(summary, []);
      await page.close();
    });
  }
});
