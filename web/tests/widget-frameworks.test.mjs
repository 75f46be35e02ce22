// The element as frameworks use it (web/README.md's React, Vue and Angular examples, replayed by
// demo/frameworks/*.js without a framework): a `tree` property set before the element is defined is
// taken at the upgrade, `ready` settles with the report or the error, `select()` of an unknown id
// returns false and fires nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser } from './support.mjs';
import NL from '../src/messages-nl.js';

let env;
before(async () => {
  env = await openBrowser();
});
after(async () => env?.close());

async function open(fw) {
  const page = await env.page();
  await page.goto(`${env.url}/demo/frameworks/frameworks.html?fw=${fw}`);
  await page.waitForFunction(() => window.__ready, null, { timeout: 30000 });
  return page;
}

for (const fw of ['react', 'vue', 'angular']) {
  describe(`${fw}: the property set before the element was defined`, () => {
    test('is taken: the tree loads, ready fulfils with the report, selection reaches the handler', async () => {
      const page = await open(fw);
      const got = await page.evaluate(async () => {
        const el = window.__element;
        const report = await el.ready;
        return {
          same: report === el.report,
          nodes: report.summary.nodes,
          cards: el.shadowRoot.querySelectorAll('[role="treeitem"]').length,
          own: Object.hasOwn(el, 'tree'),
          events: window.__events.map((e) => e.type),
        };
      });
      const doc = await page.evaluate(async () => (await (await fetch('/examples/hospital.json')).json()).nodes.length);
      assert.ok(got.same, 'ready gives the report');
      assert.equal(got.nodes, doc);
      assert.ok(got.cards > 0, 'cards are drawn');
      assert.equal(got.own, false, 'the own property was taken over by the accessor');
      assert.deepEqual(got.events, ['kpi-findings']);
      const picked = await page.evaluate(() => {
        const el = window.__element;
        const id = el.report.scores.kpis[0].id;
        return { id, ok: el.select(id), selected: el.selected, seen: window.__selected.slice() };
      });
      assert.equal(picked.ok, true);
      assert.equal(picked.selected, picked.id);
      assert.deepEqual(picked.seen, [picked.id]);
      assert.deepEqual(page.errors, []);
      assert.deepEqual(await page.evaluate(() => window.__csp), []);
      await page.close();
    });
  });
}

describe('bindings a framework may set before the element is defined', () => {
  test('locale, theme and zoom are taken; unset URLs (undefined, null) are no attributes, now and later', async () => {
    const page = await open('bindings');
    const got = await page.evaluate(async () => {
      const el = window.__element;
      const report = await el.ready;
      const own = ['locale', 'theme', 'zoom', 'config', 'rules', 'plugins'].filter((p) => Object.hasOwn(el, p));
      const attrs = el.getAttributeNames().sort();
      const heading = el.shadowRoot.querySelector('.findings h2').textContent;
      const zoomLabel = el.shadowRoot.querySelector('[part="zoom-reset"]').textContent;
      el.theme = '';
      el.src = undefined;
      el.locale = null;
      return { nodes: report.summary.nodes, own, attrs, locale: el.locale, zoom: el.zoom, heading, zoomLabel, after: el.getAttributeNames() };
    });
    assert.ok(got.nodes > 0, 'the tree loaded with the lean engine (no "undefined" config fetched)');
    assert.deepEqual(got.own, [], 'every own property was taken over by its accessor');
    assert.deepEqual(got.attrs, ['locale', 'theme']);
    assert.equal(got.zoom, 0.5);
    assert.equal(got.zoomLabel, '50%');
    assert.equal(got.heading, NL['findings.heading']);
    assert.deepEqual(got.after, []);
    assert.deepEqual(page.errors, []);
    const fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname));
    assert.ok(!fetched.some((p) => /undefined|null/.test(p)), fetched.join(' '));
    assert.ok(!fetched.includes('/dist/pkg/kpitree_web_bg.wasm'), 'the lean engine only');
    await page.close();
  });
});

describe('select() and ready', () => {
  test('select() of an unknown id returns false, fires nothing and keeps the selection', async () => {
    const page = await open('vue');
    const got = await page.evaluate(async () => {
      const el = window.__element;
      await el.ready;
      const known = el.report.scores.kpis[0].id;
      el.select(known);
      const before = window.__events.length;
      const details = el.shadowRoot.querySelector('[part="details"]').textContent;
      const result = el.select('no-such-id');
      return {
        result,
        fired: window.__events.length - before,
        selected: el.selected,
        known,
        same: el.shadowRoot.querySelector('[part="details"]').textContent === details,
        undefinedShown: el.shadowRoot.textContent.toLowerCase().includes('undefined'),
      };
    });
    assert.equal(got.result, false);
    assert.equal(got.fired, 0);
    assert.equal(got.selected, got.known);
    assert.ok(got.same, 'the details panel is unchanged');
    assert.equal(got.undefinedShown, false);
    await page.close();
  });

  test('select() before a tree is loaded returns false', async () => {
    const page = await env.emptyPage();
    const got = await page.evaluate(() => document.getElementById('tree').select('anything'));
    assert.equal(got, false);
    await page.close();
  });

  test('ready rejects with the error of a tree that cannot be loaded, and a reload gives a new promise', async () => {
    const page = await open('angular');
    const got = await page.evaluate(async () => {
      const el = window.__element;
      const first = el.ready;
      await first;
      el.tree = { version: 1, nodes: [{ id: 'k', kind: 'kpi', title: 'K', parents: ['nowhere'] }] };
      const second = el.ready;
      const failure = await second.then(
        () => null,
        (e) => ({ name: e.name, problems: e.problems.length, message: e.message }),
      );
      el.tree = await (await fetch('/examples/hospital.json')).json();
      const third = el.ready;
      const report = await third;
      return { distinct: first !== second && second !== third, failure, nodes: report.summary.nodes };
    });
    assert.ok(got.distinct, 'each load has its own promise');
    assert.equal(got.failure?.name, 'KpiTreeError');
    assert.ok(got.failure.problems >= 1);
    assert.ok(got.nodes > 0);
    assert.deepEqual(page.errors, [], 'no unhandled rejection');
    await page.close();
  });
});
