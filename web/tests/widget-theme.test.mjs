// The <kpi-tree> element's themes and badges: every piece of text in the shadow root holds a contrast
// of 4.5:1 against what is behind it, measured in the page (computed colours, backgrounds composited up
// through the ancestors and the host, opacity honoured), in the light theme, with theme="dark" and
// under a dark system preference with no attribute, over states that show every kind of text: cards
// selected, matching a search, dimmed as context, references, drafts and retired ones, every badge, the
// details with the chart, findings against a baseline with plugin findings, a plugin error and the
// waived group open, and the load error. axe-core is clean in dark. The check is shown to fail on a bad
// colour. Cards show a node's result against its target apart from its tree health, both labelled. A
// browser without CSS light-dark() shows the light palette, legible, whatever the theme.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser } from './support.mjs';

const here = (p) => resolve(fileURLToPath(new URL(p, import.meta.url)));
const web = here('..');
const fixtures = mkdtempSync(join(tmpdir(), 'kpi-widget-theme-'));
const MIN = 4.5;

let env;
before(async () => {
  // A plugin with findings (the plugin tag) and one that traps (a plugin error), assembled as in
  // widget-plugins.test.mjs.
  for (const [wat, name] of [['../../plugins/owner-quota-wat/plugin.wat', 'owner-quota'], ['../../tests/plugins/hostile/trap.wat', 'trap']]) {
    execFileSync(join(web, 'node_modules/.bin/wasm-as'), ['--all-features', here(wat), '-o', join(fixtures, `${name}.wasm`)]);
  }
  writeFileSync(join(fixtures, 'quota.toml'), '[plugins.owner-quota]\nmax = 2\n');
  env = await openBrowser({ mounts: [['/fixtures/', fixtures]] });
});
after(async () => {
  await env?.close();
  rmSync(fixtures, { recursive: true, force: true });
});

const THEMES = [
  { name: 'light (default)', theme: null, scheme: 'light', dark: false },
  { name: 'theme="dark"', theme: 'dark', scheme: 'light', dark: true },
  { name: 'a dark system, no attribute', theme: null, scheme: 'dark', dark: true },
];

/**
 * The test page in colour scheme `scheme` with the element's `theme` attribute, before any tree is given;
 * with `lightDark: false`, as a browser without CSS light-dark() shows it (withoutLightDark).
 */
async function blank({ theme, scheme }, query = '', { lightDark = true } = {}) {
  const page = await env.page();
  if (!lightDark) await withoutLightDark(page);
  await page.emulateMedia({ colorScheme: scheme });
  await page.setViewportSize({ width: 2200, height: 900 });
  await page.goto(`${env.url}/demo/test.html?${query}`);
  await page.waitForFunction(() => window.__ready);
  await page.evaluate((t) => {
    const el = document.getElementById('tree');
    if (t) el.setAttribute('theme', t);
    // Wide (the page) and tall enough that every card of an example is drawn (the drawing is virtualised).
    el.style.setProperty('--kpi-tree-height', '4000px');
  }, theme);
  return page;
}

/**
 * Makes `page` take the element's stylesheet as a browser without light-dark() (Chrome before 123,
 * Firefox before 120, Safari before 17.5) does: served with every light-dark( renamed to a function no
 * browser knows, so `@supports (color: light-dark(...))` is false and a light-dark() value is invalid
 * where it is used, as there.
 */
async function withoutLightDark(page) {
  await page.route('**/kpi-tree.css', async (route) => {
    const response = await route.fetch();
    const css = await response.text();
    assert.ok(css.includes('light-dark('), 'the stylesheet uses light-dark()');
    await route.fulfill({ response, body: css.replaceAll('light-dark(', 'unknown-light-dark(') });
  });
}

/** The palette of the stylesheet: [custom property, its light value] for each light-dark() colour. */
function lightPalette() {
  const css = readFileSync(join(web, 'src/kpi-tree.css'), 'utf8');
  // A colour may hold one level of parentheses (rgb(...)).
  const colour = String.raw`(?:[^(),]|\([^()]*\))+`;
  const entry = new RegExp(String.raw`(--_[\w-]+):\s*var\(--kpi-tree-[\w-]+,\s*light-dark\((${colour}),\s*${colour}\)\)`, 'g');
  return [...css.matchAll(entry)].map((m) => [m[1], m[2].trim()]);
}

async function waitEvents(page, types, count = 1) {
  await page.waitForFunction(([t, n]) => window.__events.filter((e) => t.includes(e.type)).length >= n, [types, count], { timeout: 60000 });
}

/** Sets the element's `tree` (the example `file`) and waits for its result. */
async function give(page, file, count = 1) {
  await page.evaluate(async (f) => {
    document.getElementById('tree').tree = await (await fetch(`/examples/${f}`)).text();
  }, file);
  await waitEvents(page, ['kpi-findings', 'kpi-error'], count);
}

/**
 * In the page: the text of the element's shadow root below `min`:1 against its background. Every
 * rendered element with a non-blank text node of its own (and SVG <text>, by its fill; a search box's
 * placeholder) is measured: its colour composited over its effective background, which is the
 * background colours of it and its ancestors (through the host into the page) composited from the
 * page's canvas down, each ancestor's opacity mixing what it draws with what lies behind it.
 */
function contrastFailures(min) {
  const parse = (text) => {
    const m = /^(rgba?|color)\((?:srgb\s+)?([^)]*)\)$/.exec(text.trim());
    if (!m) throw new Error(`colour not understood: ${text}`);
    const p = m[2].split(/[\s,/]+/).filter(Boolean).map((v) => (v === 'none' ? 0 : Number(v)));
    const scale = m[1] === 'color' ? 1 : 255;
    return [p[0] / scale, p[1] / scale, p[2] / scale, p[3] ?? 1];
  };
  // `top` (with alpha) over the opaque `under`.
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
  const mix = (a, b, t) => [0, 1, 2].map((i) => a[i] * t + b[i] * (1 - t)).concat(1);
  const lum = (c) => {
    const lin = (v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
  };
  const ratio = (a, b) => {
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const hex = (c) => `#${c.slice(0, 3).map((v) => Math.round(v * 255).toString(16).padStart(2, '0')).join('')}`;
  const up = (el) => el.parentElement ?? el.getRootNode().host ?? null;

  // The text colour as drawn and the background under it, for element `el` drawing colour `color`.
  const drawn = (el, color) => {
    const chain = [];
    for (let e = el; e; e = up(e)) chain.unshift(e);
    let bg = [1, 1, 1, 1]; // the page's canvas
    const groups = []; // ancestors with opacity: [opacity, what lies behind them]
    for (const e of chain) {
      const cs = getComputedStyle(e);
      const opacity = Number(cs.opacity);
      if (opacity < 1) groups.push([opacity, bg]);
      bg = over(parse(cs.backgroundColor), bg);
    }
    let fg = over(parse(color), bg);
    for (const [opacity, behind] of groups.reverse()) {
      fg = mix(fg, behind, opacity);
      bg = mix(bg, behind, opacity);
    }
    return [fg, bg];
  };

  const root = document.getElementById('tree').shadowRoot;
  const failures = [];
  let measured = 0;
  const measure = (el, text, color) => {
    measured++;
    const [fg, bg] = drawn(el, color);
    const r = ratio(fg, bg);
    if (r < min) {
      const classes = el.getAttribute('class') ?? '';
      failures.push(`"${text.trim().slice(0, 40)}" <${el.localName} class="${classes}"> ${hex(fg)} on ${hex(bg)}: ${r.toFixed(2)}`);
    }
  };
  for (const el of root.querySelectorAll('*')) {
    if (!el.checkVisibility({ visibilityProperty: true })) continue;
    const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.data).join('');
    const svgText = el instanceof SVGTextElement;
    if (own.trim()) measure(el, own, svgText ? getComputedStyle(el).fill : getComputedStyle(el).color);
    if (el.localName === 'input' && el.placeholder && !el.value) measure(el, el.placeholder, getComputedStyle(el, '::placeholder').color);
  }
  return { measured, failures };
}

/** Measures the page's element and asserts that every text holds `MIN`:1. */
async function assertContrast(page, what, least = 100) {
  const { measured, failures } = await page.evaluate(contrastFailures, MIN);
  assert.ok(measured >= least, `${what}: text was measured (${measured})`);
  assert.deepEqual(failures, [], `${what}: text below ${MIN}:1`);
}

/** The host's background luminance: whether the element is drawn dark. */
function isDark(page) {
  return page.evaluate(() => {
    const [r, g, b] = getComputedStyle(document.getElementById('tree')).backgroundColor.match(/[\d.]+/g).map(Number);
    return (r + g + b) / 3 < 80;
  });
}

const shadow = (page, selector) => page.locator(`kpi-tree ${selector}`);

for (const t of THEMES) {
  describe(`contrast: ${t.name}`, () => {
    test('the tree: a KPI selected with its chart, a search match, the dimmed context of a rule filter', async () => {
      const page = await blank(t);
      await give(page, 'hospital.json');
      assert.equal(await isDark(page), t.dark, 'the theme in use');
      await shadow(page, '[role="treeitem"][data-kind="kpi"]:not(.ref) >> nth=1').click();
      // The chart is a module of its own, loaded with the first series shown.
      await shadow(page, '[part="details"] svg[part="chart"] text >> nth=0').waitFor();
      assert.equal(await shadow(page, '[part="details"] svg[part="chart"] text >> nth=0').count(), 1, 'the chart is shown');
      // Every kind of card is on screen: each kind, a reference, a draft and a retired node, no owner.
      const kinds = await page.evaluate(() => {
        const cards = [...document.getElementById('tree').shadowRoot.querySelectorAll('[role="treeitem"]')];
        return [...new Set(cards.flatMap((c) => [c.dataset.kind, c.dataset.status, ...c.classList, c.querySelector('.owner.none') ? 'no-owner' : '']))];
      });
      for (const k of ['strategy', 'objective', 'key_result', 'kpi', 'draft', 'retired', 'ref', 'no-owner']) {
        assert.ok(kinds.includes(k), `a ${k} card is drawn`);
      }
      await assertContrast(page, 'a KPI selected');
      await shadow(page, 'input[type="search"]').fill('falls');
      await shadow(page, 'input[type="search"]').press('Enter');
      assert.ok((await shadow(page, '.node.match').count()) > 1, 'search matches');
      await assertContrast(page, 'a search');
      await shadow(page, 'select[part="rule-filter"]').selectOption('missing-owner');
      assert.ok((await shadow(page, '.node.dim').count()) > 0, 'context is dimmed');
      await assertContrast(page, 'the rule filter', 50);
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    test('the findings: against a baseline (new tags and badges), plugin findings, a plugin error, the waived group open', async () => {
      const plugins = encodeURIComponent('/fixtures/owner-quota.wasm /fixtures/trap.wasm');
      const page = await blank(t, `plugins=${plugins}&config=/fixtures/quota.toml`);
      await give(page, 'hospital.json');
      // The element's own report with every other finding dropped is a baseline against which those are new.
      await page.evaluate(() => {
        const el = document.getElementById('tree');
        const { plugin_errors: _, ...report } = el.report;
        el.baseline = { ...report, findings: report.findings.filter((f, i) => i % 2 === 0 && !f.waived) };
      });
      await waitEvents(page, ['kpi-findings'], 2);
      await shadow(page, 'details[part="waived"] summary').click();
      for (const part of ['new-tag', 'waiver-reason', 'plugin-error']) assert.ok((await shadow(page, `[part="${part}"]`).count()) > 0, `a ${part} is shown`);
      assert.ok((await shadow(page, '.plugin-tag').count()) > 0, 'a plugin finding is shown');
      assert.ok((await shadow(page, '[part~="new-badge"]').count()) > 0, 'a card has new findings');
      await shadow(page, '[role="treeitem"][data-kind="objective"] >> nth=0').click();
      await assertContrast(page, 'the findings');
      await page.close();
    });

    test('the load error, its technical detail open', async () => {
      const page = await blank(t);
      await page.evaluate(() => {
        document.getElementById('tree').tree = { version: 1, nodes: [{ id: 'k9', kind: 'kpi', title: 'Dangling', parents: ['nowhere'] }] };
      });
      await waitEvents(page, ['kpi-error']);
      await shadow(page, '[part="error"] details summary').click();
      await assertContrast(page, 'the load error', 6);
      await page.close();
    });

    if (t.dark) {
      test('axe-core finds no violation, a node selected', async () => {
        const page = await blank(t);
        await give(page, 'hospital.json');
        await shadow(page, '[role="treeitem"][data-kind="kpi"]:not(.ref) >> nth=0').click();
        await page.addScriptTag({ url: '/node_modules/axe-core/axe.min.js' });
        const result = await page.evaluate(() => window.axe.run(document));
        const summary = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
        assert.deepEqual(summary, []);
        await page.close();
      });
    }
  });
}

// Such a browser gets the light palette and a light color-scheme, whatever the theme or the system.
describe('a browser without light-dark()', () => {
  for (const t of THEMES) {
    test(`${t.name}: the light palette, legible: a KPI selected with its chart, the load error`, async () => {
      const page = await blank(t, '', { lightDark: false });
      await give(page, 'hospital.json');
      assert.equal(await isDark(page), false, 'drawn light');
      assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById('tree')).colorScheme), 'light');
      // Every colour of the palette is its light value (as a browser with light-dark() shows the light theme).
      const palette = lightPalette();
      assert.ok(palette.length >= 15, `the palette is read (${palette.length} colours)`);
      const colours = await page.evaluate((entries) => {
        const probe = document.createElement('span');
        document.getElementById('tree').shadowRoot.append(probe);
        const resolve = (value) => {
          probe.style.color = value;
          return getComputedStyle(probe).color;
        };
        const found = entries.map(([name, light]) => [name, resolve(`var(${name})`), resolve(light)]);
        probe.remove();
        return found;
      }, palette);
      assert.deepEqual(colours.map(([name, got]) => [name, got]), colours.map(([name, , light]) => [name, light]));
      await shadow(page, '[role="treeitem"][data-kind="kpi"]:not(.ref) >> nth=1').click();
      await shadow(page, '[part="details"] svg[part="chart"] text >> nth=0').waitFor();
      await assertContrast(page, 'a KPI selected');
      await page.evaluate(() => {
        document.getElementById('tree').tree = { version: 1, nodes: [{ id: 'k9', kind: 'kpi', title: 'Dangling', parents: ['nowhere'] }] };
      });
      await waitEvents(page, ['kpi-error']);
      await shadow(page, '[part="error"] details summary').click();
      await assertContrast(page, 'the load error', 6);
      // A page's colour still applies.
      await page.evaluate(() => document.getElementById('tree').style.setProperty('--kpi-tree-bg', 'rgb(1, 2, 3)'));
      assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById('tree')).backgroundColor), 'rgb(1, 2, 3)');
      assert.deepEqual(page.errors, []);
      await page.close();
    });
  }
});

describe('themes', () => {
  test('theme="light" keeps the light theme under a dark system, "auto" follows it; a page colour applies in both themes', async () => {
    const page = await blank({ theme: 'light', scheme: 'dark' });
    await give(page, 'charity.json');
    assert.equal(await isDark(page), false);
    await page.evaluate(() => document.getElementById('tree').setAttribute('theme', 'auto'));
    assert.equal(await isDark(page), true);
    const bg = (theme) =>
      page.evaluate((v) => {
        const el = document.getElementById('tree');
        el.setAttribute('theme', v);
        el.style.setProperty('--kpi-tree-bg', 'rgb(1, 2, 3)');
        return getComputedStyle(el).backgroundColor;
      }, theme);
    assert.equal(await bg('light'), 'rgb(1, 2, 3)');
    assert.equal(await bg('dark'), 'rgb(1, 2, 3)');
    await page.close();
  });

  test('the measurement fails text that is too faint: a page\'s pale --kpi-tree-muted', async () => {
    const page = await blank(THEMES[0]);
    await give(page, 'hospital.json');
    await page.evaluate(() => document.getElementById('tree').style.setProperty('--kpi-tree-muted', '#b8bec8'));
    const { failures } = await page.evaluate(contrastFailures, MIN);
    assert.ok(failures.some((f) => f.includes('class="owner"')), failures.join('\n'));
    assert.ok(failures.some((f) => f.includes('class="asof"')), failures.join('\n'));
    await page.close();
  });
});

describe('honest badges', () => {
  for (const file of ['hospital.json', 'software-company.json', 'municipality.json']) {
    test(`every card of ${file} holds its badges, kind line and owner within it`, async () => {
      const page = await blank(THEMES[0]);
      await give(page, file);
      const report = await page.evaluate(() => document.getElementById('tree').report);
      const { cards, outside, results } = await page.evaluate(() => {
        const cards = [...document.getElementById('tree').shadowRoot.querySelectorAll('[role="treeitem"]:not(.ref)')];
        const outside = [];
        const results = {};
        for (const card of cards) {
          const c = card.getBoundingClientRect();
          for (const part of card.querySelectorAll('.badge, .owner, .kind > :first-child')) {
            const b = part.getBoundingClientRect();
            if (b.left < c.left || b.right > c.right || b.top < c.top || b.bottom > c.bottom) outside.push(`${card.dataset.id}: ${part.className}`);
          }
          // Badges and the owner never overlap one another.
          const boxes = [...card.querySelectorAll('.badge, .owner')].map((e) => [e, e.getBoundingClientRect()]);
          for (const [i, [a, x]] of boxes.entries()) {
            for (const [b, y] of boxes.slice(i + 1)) {
              const overlap = x.left < y.right && y.left < x.right && x.top < y.bottom && y.top < x.bottom;
              if (overlap && !a.contains(b)) outside.push(`${card.dataset.id}: ${a.className} over ${b.className}`);
            }
          }
          results[card.dataset.id] = card.querySelector('[part~="result-badge"]')?.dataset.status ?? null;
        }
        return { cards: cards.length, outside, results };
      });
      assert.ok(cards > 20, `cards are drawn (${cards})`);
      assert.deepEqual(outside, []);
      // Each scored node's card shows its status from the report; a strategy shows none.
      const scored = new Map([...report.scores.objectives, ...report.scores.key_results, ...report.scores.kpis].map((s) => [s.id, s.status]));
      for (const [id, status] of Object.entries(results)) assert.equal(status, scored.get(id) ?? null, id);
      await page.close();
    });
  }

  // A KPI off target and getting worse, with nothing missing from its upkeep (owner, review, rationale).
  const tree = {
    version: 1,
    organisation: 'Badge Co',
    as_of: '2026-11-27',
    nodes: [
      { id: 's1', kind: 'strategy', title: 'Keep customers', owner: 'Board' },
      { id: 'o1', kind: 'objective', title: 'Customers stay with us', owner: 'Success', parents: ['s1'], period: '2026-Q4' },
      {
        id: 'kr1', kind: 'key_result', title: 'Cut churn to 2%', owner: 'Success', parents: ['o1'], unit: '%', start: 4, target: 2, current: 3.5,
        confidence: 0.5, check_ins: [{ date: '2026-11-20', value: 3.5, confidence: 0.5 }],
      },
      {
        id: 'k1', kind: 'kpi', title: 'Monthly churn', owner: 'Success', parents: ['kr1'], unit: '%', direction: 'lower_is_better', indicator: 'lagging',
        target: 2, rationale: 'Churn is what we lose.', last_reviewed: '2026-11-01',
        measurements: [{ date: '2026-09-01', value: 3 }, { date: '2026-10-01', value: 3.6 }, { date: '2026-11-01', value: 4.4 }],
      },
      // A leading KPI beside it, so no rule finds fault with either.
      {
        id: 'k2', kind: 'kpi', title: 'Accounts with a success plan', owner: 'Success', parents: ['kr1'], unit: '%', direction: 'higher_is_better', indicator: 'leading',
        target: 80, rationale: 'A plan keeps a customer.', last_reviewed: '2026-11-01',
        measurements: [{ date: '2026-09-01', value: 85 }, { date: '2026-10-01', value: 86 }, { date: '2026-11-01', value: 88 }],
      },
    ],
  };

  test('an off-track, worsening KPI with good health shows both, labelled, and its result is not green', async () => {
    const page = await blank(THEMES[0]);
    await page.evaluate((doc) => {
      document.getElementById('tree').tree = doc;
    }, tree);
    await waitEvents(page, ['kpi-findings']);
    const report = await page.evaluate(() => document.getElementById('tree').report);
    const k1 = report.scores.kpis.find((k) => k.id === 'k1');
    assert.equal(k1.status, 'off_track');
    assert.equal(k1.trend.direction, 'worsening');
    assert.ok(k1.health >= 80, `good health (${k1.health})`);
    const card = await page.evaluate(() => {
      const root = document.getElementById('tree').shadowRoot;
      const el = root.querySelector('[role="treeitem"][data-id="k1"]');
      const result = el.querySelector('[part~="result-badge"]');
      const health = el.querySelector('[part~="health-badge"]');
      // What the eye reads: text not hidden for screen readers only.
      const seen = (e) =>
        [...e.childNodes].map((n) => (n.nodeType === Node.TEXT_NODE ? n.data : n.classList.contains('sr-only') ? '' : n.textContent)).join('');
      const box = (e) => e.getBoundingClientRect();
      const inside = (a, b) => a.left >= b.left && a.right <= b.right && a.top >= b.top && a.bottom <= b.bottom;
      return {
        result: { text: result.textContent, seen: seen(result), title: result.title, bg: getComputedStyle(result).backgroundColor },
        health: { text: health.textContent, seen: seen(health), title: health.title, bg: getComputedStyle(health).backgroundColor },
        fit: inside(box(result), box(el)) && inside(box(health), box(el)),
        toolbar: root.querySelector('[part="health"]').textContent,
      };
    });
    assert.equal(card.result.seen, 'Off track↘');
    assert.equal(card.result.text, 'Result: Off track↘, trend worsening');
    assert.match(card.result.title, /^Result: off track, trend worsening$/);
    assert.equal(card.health.seen, `Health ${Math.round(k1.health)}`);
    assert.equal(card.health.text, `Tree Health ${Math.round(k1.health)} of 100`);
    assert.match(card.health.title, /^Tree health: upkeep .*not its results$/);
    assert.ok(card.fit, 'both badges are inside the card');
    // Not green: the result is drawn in the poor colour; health in no result colour at all.
    const poor = await page.evaluate(() => {
      const probe = document.createElement('span');
      probe.style.color = 'var(--_poor)';
      const root = document.getElementById('tree').shadowRoot;
      root.querySelector('[role="treeitem"][data-id="k1"]').append(probe);
      const poorColour = getComputedStyle(probe).color;
      probe.style.color = 'var(--_good)';
      const goodColour = getComputedStyle(probe).color;
      probe.remove();
      return { poorColour, goodColour };
    });
    assert.equal(card.result.bg, poor.poorColour);
    assert.notEqual(card.result.bg, poor.goodColour);
    assert.equal(card.health.bg, 'rgba(0, 0, 0, 0)', 'tree health is not coloured');
    assert.match(card.toolbar, /^Tree health \d+$/);
    // The details give the result and the tree health as separate, labelled facts.
    await shadow(page, '[role="treeitem"][data-id="k1"]').click();
    const facts = await page.evaluate(() => {
      const dl = document.getElementById('tree').shadowRoot.querySelector('[part="details"] dl');
      return Object.fromEntries([...dl.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent]));
    });
    assert.equal(facts.Result, 'Off track, worsening');
    assert.equal(facts['Tree health'], `${Math.round(k1.health)} of 100`);
    await page.close();
  });
});
