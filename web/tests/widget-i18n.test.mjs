// The element's words and formats: every label from a message catalog in the element's locale (its
// `locale` attribute, else the page's `lang`, else the browser's), numbers and dates through Intl,
// English, Dutch and German shipped with the same keys and placeholders, messages replaceable by the
// page; the rules' messages stay the engine's. The element follows the `lang` that decides its locale.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser } from './support.mjs';
import { EN } from '../src/widget-i18n.js';
import NL from '../src/messages-nl.js';
import DE from '../src/messages-de.js';

let env;
before(async () => {
  env = await openBrowser();
});
after(async () => env?.close());

/** The placeholders of a message (both forms of a plural one). */
function placeholders(m) {
  const text = typeof m === 'object' ? Object.values(m).join(' ') : m;
  return [...new Set(text.match(/\{\w+\}/g) ?? [])].sort();
}

describe('catalogs', () => {
  for (const [name, catalog] of [['Dutch', NL], ['German', DE]]) {
    test(`${name} has every English key, no other, with the same placeholders`, () => {
      assert.deepEqual(Object.keys(catalog).sort(), Object.keys(EN).sort());
      for (const key of Object.keys(EN)) {
        // A plural message may leave the count out of its `one` form ("one finding"), never add one.
        const want = placeholders(EN[key]);
        const got = placeholders(catalog[key]);
        assert.ok(got.every((p) => want.includes(p)), `${key}: ${got} not in ${want}`);
        if (typeof EN[key] !== 'object') assert.deepEqual(got, want, key);
      }
    });
  }
});

async function open(query, context = {}) {
  const page = await env.page(context);
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(`${env.url}/demo/test.html?src=/examples/hospital.json&${query}`);
  await page.waitForFunction(() => (window.__events ?? []).some((e) => e.type === 'kpi-findings'), null, { timeout: 30000 });
  return page;
}

/** Labels the assertions read, from the element's shadow root. */
function labels(page) {
  return page.evaluate(() => {
    const root = document.getElementById('tree').shadowRoot;
    const text = (sel) => root.querySelector(sel)?.textContent ?? null;
    return {
      placeholder: root.querySelector('[part="search"]').placeholder,
      levels: [...root.querySelectorAll('[part="level"] option')].map((o) => o.textContent),
      findings: text('.findings h2'),
      asof: text('.asof'),
      health: text('[part="health"]'),
      kind: text('[role="treeitem"][data-kind="kpi"] .kind'),
      details: text('[part="details"] h2'),
      messages: [...root.querySelectorAll('.finding .msg')].map((m) => m.textContent),
      lang: document.getElementById('tree').locale,
    };
  });
}

describe('the element speaks its locale', () => {
  test('lang="nl" on the page, a German browser: Dutch labels, Dutch numbers and dates, the engine\'s rule messages', async () => {
    const page = await open('lang=nl', { locale: 'de-DE' });
    const got = await labels(page);
    assert.equal(got.lang, 'nl');
    assert.equal(got.placeholder, NL['search.placeholder']);
    assert.deepEqual(got.levels, [NL['level.all'], NL['level.strategies'], NL['level.objectives'], NL['level.key_results'], NL['level.kpis']]);
    assert.equal(got.findings, NL['findings.heading']);
    assert.equal(got.details, NL['details.heading']);
    assert.ok(got.kind.startsWith(NL['kind.kpi']), got.kind);
    assert.ok(got.health.startsWith(NL['health.tree']), got.health);
    const expected = await page.evaluate(() => {
      const r = document.getElementById('tree').report;
      const [y, m, d] = r.summary.as_of.split('-').map(Number);
      return {
        date: new Intl.DateTimeFormat('nl', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d))),
        messages: r.findings.map((f) => f.message),
      };
    });
    assert.ok(got.asof.includes(expected.date), `${got.asof} has ${expected.date}`);
    // Rule messages are the engine's (in English), each shown as the report has it.
    for (const m of got.messages) assert.ok(expected.messages.some((e) => m.startsWith(e)), m);
    // A KPI with a fractional value: a decimal comma in its details.
    const value = await page.evaluate(() => {
      const el = document.getElementById('tree');
      const k = el.report.scores.kpis.find((x) => typeof x.value === 'number' && !Number.isInteger(x.value) && Math.abs(x.value) < 1000);
      if (!k) return null;
      el.select(k.id);
      const facts = [...el.shadowRoot.querySelectorAll('.facts dt')];
      const dt = facts.find((d) => d.textContent === 'Waarde');
      return dt?.nextElementSibling?.textContent ?? 'no Waarde fact';
    });
    assert.ok(value, 'the example has a KPI with a fractional value');
    assert.match(value, /^-?\d+,\d+/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('the locale attribute wins over the page\'s lang; a German browser with no page lang gets German', async () => {
    let page = await open('lang=nl&locale=de');
    let got = await labels(page);
    assert.equal(got.lang, 'de');
    assert.equal(got.findings, DE['findings.heading']);
    await page.close();
    page = await open('lang=', { locale: 'de-DE' });
    got = await labels(page);
    assert.equal(got.lang, 'de-DE');
    assert.equal(got.placeholder, DE['search.placeholder']);
    await page.close();
  });

  test('an unknown language falls back to English; changing locale relabels the shown tree', async () => {
    const page = await open('lang=sv');
    let got = await labels(page);
    assert.equal(got.findings, EN['findings.heading']);
    await page.evaluate(() => document.getElementById('tree').setAttribute('locale', 'nl'));
    await page.waitForFunction(() => document.getElementById('tree').shadowRoot.querySelector('.findings h2')?.textContent === 'Bevindingen');
    got = await labels(page);
    assert.equal(got.placeholder, NL['search.placeholder']);
    assert.ok(await page.evaluate(() => document.getElementById('tree').shadowRoot.querySelectorAll('[role="treeitem"]').length > 0));
    await page.close();
  });

  test('the element follows the lang that decides its locale: the page\'s, a container\'s, a move; no other', async () => {
    const page = await open('lang=en');
    const heading = (text) =>
      page.waitForFunction((t) => document.getElementById('tree').shadowRoot.querySelector('.findings h2')?.textContent === t, text);
    // A relabel builds the element's parts anew: whether the one in place now is still in its shadow root
    // tells whether one happened (also while the element is out of the page).
    const keep = () => page.evaluate(() => (window.__frame = document.getElementById('tree').shadowRoot.querySelector('.frame')));
    const kept = () => page.evaluate(() => window.__frame.getRootNode() instanceof ShadowRoot);
    const loads = () => page.evaluate(() => window.__events.filter((e) => e.type === 'kpi-findings').length);
    assert.equal(await loads(), 1);
    await keep();

    await page.evaluate(() => (document.documentElement.lang = 'de'));
    await heading(DE['findings.heading']);
    assert.equal(await kept(), false, 'relabelled');
    assert.equal((await labels(page)).placeholder, DE['search.placeholder']);
    await keep();

    await page.evaluate(() => {
      const section = document.createElement('section');
      section.id = 'dutch';
      section.lang = 'nl';
      document.body.append(section);
      section.append(document.getElementById('tree'));
    });
    await heading(NL['findings.heading']);
    assert.equal(await kept(), false, 'relabelled');
    assert.equal((await labels(page)).lang, 'nl');
    await keep();

    await page.evaluate(() => (document.getElementById('dutch').lang = 'en'));
    await heading(EN['findings.heading']);
    assert.equal(await kept(), false, 'relabelled');
    await page.waitForFunction((n) => window.__events.filter((e) => e.type === 'kpi-findings').length === n, 4);
    await keep();

    // A lang elsewhere, and the page's while the container's decides: nothing happens, once the
    // observer has been told (a task later) nor a while after.
    await page.evaluate(async () => {
      document.querySelector('h1').lang = 'fr';
      document.documentElement.lang = 'de';
      await new Promise((r) => setTimeout(r, 0));
    });
    assert.equal(await kept(), true, 'not relabelled');
    await page.waitForTimeout(500);
    assert.equal(await kept(), true, 'not relabelled');
    assert.equal(await loads(), 4);
    assert.equal((await labels(page)).findings, EN['findings.heading']);

    // Taken out of the page it follows nothing; put back under the page's German, it speaks German.
    // Another element, meanwhile the only one in the page, still follows.
    await page.evaluate(async () => {
      const other = document.createElement('kpi-tree');
      other.id = 'other';
      document.getElementById('main').append(other);
      window.__tree = document.getElementById('tree');
      window.__tree.remove();
      await new Promise((r) => setTimeout(r, 0));
      document.documentElement.lang = 'nl';
      await new Promise((r) => setTimeout(r, 0));
    });
    await page.waitForFunction((t) => document.getElementById('other').shadowRoot.querySelector('[part="message"]')?.textContent === t, NL['message.no_tree']);
    assert.equal(await kept(), true, 'a removed element is not relabelled');
    await page.evaluate(() => {
      document.documentElement.lang = 'de';
      document.getElementById('other').remove();
      document.getElementById('main').append(window.__tree);
    });
    await heading(DE['findings.heading']);
    assert.equal(await kept(), false, 'relabelled');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('a language change: the element works while the words load, then keeps its selection', async () => {
    const page = await open('lang=en');
    const got = await page.evaluate(async () => {
      const el = document.getElementById('tree');
      const [a, b] = el.report.scores.kpis.map((k) => k.id);
      el.select(a);
      el.lang = 'de'; // German's catalog is not loaded yet
      const during = { select: el.select(b), level: el.expandToLevel(2), all: el.expandAll(), zoom: (el.zoom = 0.8) };
      await el.ready;
      return { during, b, selected: el.selected, heading: el.shadowRoot.querySelector('.findings h2').textContent, details: el.shadowRoot.querySelector('[part="details"] h2')?.textContent ?? null };
    });
    assert.equal(got.during.select, true);
    assert.equal(got.heading, DE['findings.heading']);
    assert.equal(got.selected, got.b, 'the node selected when the words arrived is selected again');
    assert.ok(got.details, 'its details are shown');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('counts in labels are numbers of the locale: 1.200 in German', async () => {
    const page = await open('gen=1200&lang=de');
    const live = await page.evaluate(() => document.getElementById('tree').shadowRoot.querySelector('[role="status"]').textContent);
    assert.match(live, /^1\.200 Knoten geladen/);
    await page.close();
  });

  test('inside another component\'s shadow root: the lang of its host, or one inside it, and changes of either', async () => {
    const page = await open('lang=en');
    const heading = (text) =>
      page.waitForFunction(
        (t) => document.getElementById('host').shadowRoot.querySelector('kpi-tree').shadowRoot.querySelector('.findings h2')?.textContent === t,
        text,
      );
    await page.evaluate(() => {
      const host = document.createElement('div');
      host.id = 'host';
      host.lang = 'de';
      document.body.append(host);
      const part = document.createElement('div');
      host.attachShadow({ mode: 'open' }).append(part);
      part.append(document.getElementById('tree'));
    });
    await heading(DE['findings.heading']);
    await page.evaluate(() => (document.getElementById('host').shadowRoot.firstElementChild.lang = 'nl'));
    await heading(NL['findings.heading']);
    await page.evaluate(() => document.getElementById('host').shadowRoot.firstElementChild.removeAttribute('lang'));
    await heading(DE['findings.heading']);
    await page.evaluate(() => (document.getElementById('host').lang = 'en'));
    await heading(EN['findings.heading']);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('a page replaces messages (element messages, addMessages for a new language), the rest falls back to English', async () => {
    const page = await open('lang=en');
    await page.evaluate(() => {
      const el = document.getElementById('tree');
      el.messages = { 'findings.heading': 'Issues found' };
    });
    await page.waitForFunction(() => document.getElementById('tree').shadowRoot.querySelector('.findings h2')?.textContent === 'Issues found');
    await page.evaluate(() => {
      const el = document.getElementById('tree');
      el.messages = {};
      customElements.get('kpi-tree').addMessages('fr', { 'search.placeholder': 'Chercher des nœuds' });
      el.setAttribute('locale', 'fr-CA');
    });
    await page.waitForFunction(() => document.getElementById('tree').shadowRoot.querySelector('[part="search"]')?.placeholder === 'Chercher des nœuds');
    const got = await labels(page);
    assert.equal(got.findings, EN['findings.heading'], 'a key French does not have is English');
    await page.close();
  });
});
