// Print and export of the <kpi-tree> element (widget-export.js): the SVG of the current view (well-formed,
// one card per display item, fewer when collapsed or filtered, hostile titles kept as text, each card's
// badges those of the screen in both themes), the PNG (a
// real PNG of the expected size), the findings as CSV (parsed back and compared with the report, formula
// guard), the Export menu (downloads with their file names, keyboard, axe, the strict CSP) and printing
// (the print view of the whole view and the findings; a 10,000-node tree prints on many pages).
// Expected values come from the tree given and the element's own report, never from numbers written here.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openBrowser } from './support.mjs';

let env;
before(async () => {
  env = await openBrowser();
});
after(async () => env?.close());

const HOSTILE = `<script>&"'x`;
const FORMULA = '=HYPERLINK("http://evil.example","x")';
const REASON = 'Store closes in Q1; the counter goes with it.';

/**
 * Two strategies, a retired objective, a KPI shared by two key results; a strategy with a hostile title,
 * an objective without an owner whose title is a spreadsheet formula, a stale KPI with a waiver. Their
 * results are on and off target, at risk and without data; a KPI has a trend, one only an info finding.
 */
function tree() {
  return {
    version: 1,
    organisation: 'Small Co',
    as_of: '2026-11-27',
    nodes: [
      { id: 's1', kind: 'strategy', title: HOSTILE, owner: 'Board' },
      { id: 's2', kind: 'strategy', title: 'Stay trusted', owner: 'Board' },
      { id: 'o1', kind: 'objective', title: 'Win the north', owner: 'Sales', parents: ['s1'], period: '2026-Q4' },
      { id: 'o2', kind: 'objective', title: 'Old push into retail', owner: 'Sales', parents: ['s1'], period: '2026-Q4', status: 'retired' },
      { id: 'o3', kind: 'objective', title: FORMULA, parents: ['s2'], period: '2026-Q4' },
      { id: 'kr1', kind: 'key_result', title: 'Sign 10 northern accounts', owner: 'Sales', parents: ['o1'], unit: 'accounts', start: 0, target: 10, current: 6, confidence: 0.7, check_ins: [{ date: '2026-11-20', value: 6, confidence: 0.7 }] },
      { id: 'kr2', kind: 'key_result', title: 'Raise uptime to 99.95%', owner: 'Platform', parents: ['o3'], unit: '%', start: 99.8, target: 99.95, current: 99.9, confidence: 0.6, check_ins: [{ date: '2026-11-20', value: 99.9, confidence: 0.6 }] },
      { id: 'kr3', kind: 'key_result', title: 'Retail pilot live', owner: 'Sales', parents: ['o2'], status: 'retired', unit: 'stores', start: 0, target: 3, current: 0 },
      {
        id: 'k1', kind: 'kpi', title: 'Qualified pipeline', owner: 'Sales', parents: ['kr1', 'kr2'], unit: 'count', direction: 'higher_is_better', indicator: 'leading', target: 40,
        rationale: 'Accounts come out of pipeline.', last_reviewed: '2026-10-01', measurements: [{ date: '2026-10-15', value: 30 }, { date: '2026-11-01', value: 37 }, { date: '2026-11-15', value: 41 }],
      },
      { id: 'k4', kind: 'kpi', title: 'Demo calls', owner: 'Sales', parents: ['kr1'], unit: 'calls', direction: 'higher_is_better', indicator: 'leading', target: 20, last_reviewed: '2026-10-01', measurements: [{ date: '2026-11-01', value: 25 }] },
      { id: 'k2', kind: 'kpi', title: 'Incident minutes', owner: 'Platform', parents: ['kr2'], unit: 'min', direction: 'lower_is_better', indicator: 'lagging', target: 30, rationale: 'What customers feel.', last_reviewed: '2026-10-01', measurements: [{ date: '2026-11-01', value: 50 }] },
      {
        id: 'k3', kind: 'kpi', title: 'Store footfall', owner: 'Retail', parents: ['kr3'], unit: 'visits', direction: 'higher_is_better', indicator: 'lagging', target: 1000, last_reviewed: '2024-01-01', measurements: [{ date: '2026-11-01', value: 900 }],
        waivers: [{ rule: 'stale-kpi', reason: REASON, until: '2027-03-31' }],
      },
    ],
  };
}

// Display items of the tree fully expanded: a node under each of its parents (every parent here is
// shown once), a root once.
const DOC = tree();
const ALL_ITEMS = DOC.nodes.reduce((n, node) => n + Math.max(1, node.parents?.length ?? 0), 0);

/** The test page with `tree()` set, once the element has its report. */
async function openTree() {
  const page = await env.page();
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(`${env.url}/demo/test.html`);
  await page.waitForFunction(() => window.__ready);
  await page.evaluate((doc) => {
    document.getElementById('tree').tree = doc;
  }, DOC);
  await page.waitForFunction(() => window.__events.some((e) => e.type === 'kpi-findings' || e.type === 'kpi-error'), null, { timeout: 30000 });
  return page;
}

/** The element's SVG export parsed in the page: well-formedness and its cards. */
function svgFacts(page) {
  return page.evaluate(async () => {
    const text = await document.getElementById('tree').exportSvg();
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const root = doc.documentElement;
    const cards = [...doc.querySelectorAll('g.node')];
    return {
      parseError: doc.querySelector('parsererror')?.textContent ?? null,
      name: root.localName,
      ns: root.namespaceURI,
      width: Number(root.getAttribute('width')),
      height: Number(root.getAttribute('height')),
      viewBox: root.getAttribute('viewBox'),
      title: root.querySelector(':scope > title')?.textContent ?? null,
      scripts: doc.getElementsByTagName('script').length + doc.getElementsByTagNameNS('http://www.w3.org/1999/xhtml', 'script').length,
      ids: cards.map((g) => g.getAttribute('data-id')),
      cardTitles: cards.map((g) => g.querySelector('title').textContent),
      texts: cards.map((g) => [...g.querySelectorAll('text')].map((t) => t.textContent).join('\n')),
      links: doc.querySelectorAll('path[stroke-dasharray="4 4"]').length,
      firstAt: cards.length ? cards[0].getAttribute('transform').match(/[\d.]+/g).map(Number) : null,
    };
  });
}

/** The ids of the cards in the DOM, in display order (all of them when the tree fits on screen). */
const domIds = (page) =>
  page.evaluate(() =>
    [...document.getElementById('tree').shadowRoot.querySelectorAll('[role="treeitem"]')]
      .sort((a, b) => a.dataset.index - b.dataset.index)
      .map((el) => el.dataset.id),
  );

/** RFC 4180: fields separated by commas, quoted when they hold a comma, quote or line break; records end in CRLF. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' && field === '') {
      i++;
      while (i < text.length) {
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else field += text[i++];
      }
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else {
      assert.notEqual(c, '\n', 'a bare LF outside quotes');
      field += c;
      i++;
    }
  }
  assert.equal(field, '', 'the last record ends in CRLF');
  assert.equal(row.length, 0);
  return rows;
}

describe('SVG', () => {
  test('is a well-formed standalone SVG with one card per display item, the cards of the screen in order', async () => {
    const page = await openTree();
    const svg = await svgFacts(page);
    assert.equal(svg.parseError, null);
    assert.equal(svg.name, 'svg');
    assert.equal(svg.ns, 'http://www.w3.org/2000/svg');
    assert.ok(svg.width > 0 && svg.height > 0);
    assert.equal(svg.viewBox, `0 0 ${svg.width} ${svg.height}`);
    assert.match(svg.title, /Small Co/);
    assert.equal(svg.ids.length, ALL_ITEMS);
    assert.deepEqual(new Set(svg.ids), new Set(DOC.nodes.map((n) => n.id)));
    // The tree fits on the screen, so every item is also drawn there: same items, same order.
    assert.deepEqual(svg.ids, await domIds(page));
    assert.equal(svg.links, 1, 'the link to the shared KPI\'s reference is dashed');
    assert.deepEqual(page.errors, []);
  });

  test('follows the current view: fewer cards when collapsed or filtered', async () => {
    const page = await openTree();
    await page.evaluate(() => document.getElementById('tree').expandToLevel(1));
    let svg = await svgFacts(page);
    assert.deepEqual(svg.ids, DOC.nodes.filter((n) => n.kind === 'strategy').map((n) => n.id));
    await page.evaluate(() => document.getElementById('tree').expandAll());
    // Active objectives only: the retired objective and what hangs below it only go.
    await page.locator('kpi-tree').getByLabel('Active objectives only').check();
    await page.waitForFunction(() => /Filter shows/.test(document.getElementById('tree').shadowRoot.querySelector('[role="status"]').textContent));
    svg = await svgFacts(page);
    assert.equal(svg.parseError, null);
    assert.ok(svg.ids.length < ALL_ITEMS);
    for (const gone of ['o2', 'kr3', 'k3']) assert.ok(!svg.ids.includes(gone), gone);
    assert.deepEqual(svg.ids, await domIds(page));
  });

  test('takes its colours from the element\'s theme', async () => {
    const page = await openTree();
    const fills = await page.evaluate(async () => {
      const el = document.getElementById('tree');
      el.style.setProperty('--kpi-tree-surface', 'rgb(18, 52, 86)');
      el.style.setProperty('--kpi-tree-strategy', 'color-mix(in srgb, red 50%, blue)');
      const doc = new DOMParser().parseFromString(await el.exportSvg(), 'image/svg+xml');
      const card = doc.querySelector('g.node[data-id="s1"]');
      return [...card.querySelectorAll(':scope > rect')].slice(0, 2).map((r) => r.getAttribute('fill'));
    });
    // The card's surface and its kind stripe, resolved to plain sRGB for any SVG reader.
    assert.deepEqual(fills, ['#123456', '#800080']);
  });

  test('a hostile title stays text', async () => {
    const page = await openTree();
    const svg = await svgFacts(page);
    assert.equal(svg.parseError, null);
    assert.equal(svg.scripts, 0);
    const k = svg.ids.indexOf('s1');
    assert.equal(svg.cardTitles[k], `Strategy: ${HOSTILE}`);
    assert.ok(svg.texts[k].includes(HOSTILE), svg.texts[k]);
  });
});

describe('SVG badges', () => {
  // Every badge of every card, on screen and in the SVG, as `{ cls, text, fill, colour, outline, box }`:
  // the text that is seen (not the words for screen readers), colours as the browser computes them,
  // the outline's colour or null, the box in the card's coordinates.
  const badgesOnScreen = (page) =>
    page.evaluate(() => {
      const root = document.getElementById('tree').shadowRoot;
      // A badge is a flex container: each child is a line of its own, so white space at its ends is not
      // drawn ("⚠ " then "3" reads "⚠3").
      const seen = (badge) =>
        [...badge.childNodes]
          .filter((c) => !(c instanceof Element && c.classList.contains('sr-only')))
          .map((c) => c.textContent.trim())
          .join('');
      const cards = [...root.querySelectorAll('[role="treeitem"]')].sort((a, b) => a.dataset.index - b.dataset.index);
      return cards.map((card) => {
        const at = card.getBoundingClientRect();
        const scale = at.width / card.offsetWidth;
        return {
          id: card.dataset.id,
          badges: [...card.querySelectorAll('.badge')].map((b) => {
            const cs = getComputedStyle(b);
            const r = b.getBoundingClientRect();
            return {
              cls: [...b.classList].filter((c) => c !== 'badge').join(' '),
              text: seen(b),
              fill: cs.backgroundColor,
              colour: cs.color,
              outline: parseFloat(cs.borderTopWidth) > 0 ? cs.borderTopColor : null,
              box: [(r.x - at.x) / scale, (r.y - at.y) / scale, r.width / scale, r.height / scale],
            };
          }),
        };
      });
    });

  const badgesInSvg = (page) =>
    page.evaluate(async () => {
      const el = document.getElementById('tree');
      const doc = new DOMParser().parseFromString(await el.exportSvg(), 'image/svg+xml');
      // SVG colours (#rrggbb, rgba(), none) as the browser computes CSS colours, to compare with the screen's.
      const probe = document.createElement('span');
      document.body.append(probe);
      const css = (v) => {
        probe.style.color = v === 'none' ? 'transparent' : v;
        return getComputedStyle(probe).color;
      };
      const out = [...doc.querySelectorAll('g.node')].map((g) => ({
        id: g.getAttribute('data-id'),
        badges: [...g.querySelectorAll('g.badge')].map((b) => {
          const rect = b.querySelector('rect');
          const text = b.querySelector('text');
          const n = (a) => Number(rect.getAttribute(a));
          const stroke = rect.getAttribute('stroke');
          // A stroke is centred on the outline: the badge's box is half of it further out.
          const half = stroke ? 0.5 : 0;
          return {
            cls: [...b.classList].filter((c) => c !== 'badge').join(' '),
            text: text.textContent,
            fill: css(rect.getAttribute('fill')),
            colour: css(text.getAttribute('fill')),
            outline: stroke ? css(stroke) : null,
            box: [n('x') - half, n('y') - half, n('width') + 2 * half, n('height') + 2 * half],
            textAt: Number(text.getAttribute('x')),
          };
        }),
      }));
      probe.remove();
      return out;
    });

  for (const theme of ['light', 'dark']) {
    test(`each card's badges in the SVG are the screen's: text, fill, text colour, outline and place (${theme} theme)`, async () => {
      const page = await openTree();
      // The element's own report without every other finding is a baseline against which those are new.
      await page.evaluate((th) => {
        const el = document.getElementById('tree');
        el.setAttribute('theme', th);
        el.baseline = { ...el.report, findings: el.report.findings.filter((f, i) => i % 2 === 0 && !f.waived) };
      }, theme);
      await page.waitForFunction(() => window.__events.filter((e) => e.type === 'kpi-findings').length >= 2, null, { timeout: 30000 });
      const screen = await badgesOnScreen(page);
      const svg = await badgesInSvg(page);
      assert.deepEqual(svg.map((c) => c.id), screen.map((c) => c.id));

      // The tree shows every kind of badge, so each is compared.
      const kinds = new Set(screen.flatMap((c) => c.badges.map((b) => b.cls)));
      for (const cls of ['result on_track', 'result at_risk', 'result off_track', 'result unknown', 'health', 'err', 'warn', 'plain', 'new', 'shared']) {
        assert.ok(kinds.has(cls), `a card has a ${cls} badge`);
      }
      assert.ok(screen.some((c) => c.badges.some((b) => /[↗↘→]$/.test(b.text))), 'a result has a trend arrow');
      const themed = await page.evaluate(() => getComputedStyle(document.getElementById('tree').shadowRoot.querySelector('.badge.result.on_track')).color);
      assert.equal(themed, theme === 'dark' ? 'rgb(16, 20, 26)' : 'rgb(255, 255, 255)', 'the theme\'s on-status colour');

      screen.forEach((card, k) => {
        const drawn = svg[k].badges;
        const strip = (list) => list.map(({ box, textAt, ...rest }) => rest);
        assert.deepEqual(strip(drawn), strip(card.badges), card.id);
        card.badges.forEach((b, j) => {
          // Where the screen has it: the SVG measures text with a canvas in the same font.
          const d = drawn[j];
          b.box.forEach((v, q) => assert.ok(Math.abs(d.box[q] - v) <= 1, `${card.id} ${b.cls} box ${d.box} on screen ${b.box}`));
          assert.ok(Math.abs(d.textAt - (b.box[0] + b.box[2] / 2)) <= 1, `${card.id} ${b.cls} text centred`);
        });
        // Tree health is neutral: outlined, never filled by a result colour.
        for (const b of drawn.filter((x) => x.cls === 'health')) {
          assert.equal(b.fill, 'rgba(0, 0, 0, 0)', `${card.id} health is not filled`);
          assert.ok(b.outline, `${card.id} health is outlined`);
        }
      });
      assert.deepEqual(page.errors, []);
    });
  }
});

describe('PNG', () => {
  test('is a PNG of the view at twice its size', async () => {
    const page = await openTree();
    const svg = await svgFacts(page);
    // The first card's kind stripe, 2 px in from its left edge, mid-height.
    const [x, y] = svg.firstAt;
    const png = await page.evaluate(async ([sx, sy]) => {
      const blob = await document.getElementById('tree').exportPng();
      const bitmap = await createImageBitmap(blob);
      const head = [...new Uint8Array(await blob.slice(0, 8).arrayBuffer())];
      const ctx = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d');
      ctx.drawImage(bitmap, 0, 0);
      const pixel = (px, py) => [...ctx.getImageData(px, py, 1, 1).data].join(',');
      return { type: blob.type, head, width: bitmap.width, height: bitmap.height, corner: pixel(1, 1), stripe: pixel(sx, sy) };
    }, [Math.round((x + 2) * 2), Math.round((y + 42) * 2)]);
    assert.equal(png.type, 'image/png');
    assert.deepEqual(png.head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.width, Math.floor(svg.width * 2));
    assert.equal(png.height, Math.floor(svg.height * 2));
    assert.notEqual(png.stripe, png.corner, 'the card is drawn, not only the background');
  });
});

describe('CSV of the findings', () => {
  test('has every finding of the report, counted and waived, with RFC 4180 quoting and CRLF', async () => {
    const page = await openTree();
    const { text, findings } = await page.evaluate(async () => {
      const el = document.getElementById('tree');
      return { text: await el.exportFindingsCsv(), findings: el.report.findings };
    });
    assert.ok(!text.startsWith('\uFEFF'), 'no byte order mark');
    assert.ok(text.endsWith('\r\n'));
    const [header, ...rows] = parseCsv(text);
    assert.deepEqual(header, ['severity', 'rule', 'plugin', 'message', 'nodes', 'titles', 'waived', 'waived_until', 'waiver_reason', 'baseline', 'fingerprint']);
    assert.equal(rows.length, findings.length);
    assert.ok(findings.some((f) => f.waived) && findings.some((f) => !f.waived), 'the tree has waived and counted findings');
    const col = Object.fromEntries(header.map((name, k) => [name, k]));
    const guard = (s) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
    const titles = new Map(DOC.nodes.map((n) => [n.id, n.title]));
    findings.forEach((f, k) => {
      const row = rows[k];
      assert.equal(row.length, header.length);
      assert.equal(row[col.severity], f.severity);
      assert.equal(row[col.rule], f.rule);
      assert.equal(row[col.nodes], f.nodes.join('; '));
      assert.equal(row[col.titles], guard(f.nodes.map((id) => titles.get(id)).join('; ')));
      assert.equal(row[col.message], guard(f.message));
      assert.equal(row[col.waived], f.waived ? 'yes' : 'no');
      assert.equal(row[col.waived_until], f.waived?.until ?? '');
      assert.equal(row[col.waiver_reason], f.waived?.reason ?? '');
      assert.equal(row[col.fingerprint], f.fingerprint);
    });
    const waived = rows.find((r) => r[col.waived] === 'yes');
    assert.equal(waived[col.waiver_reason], REASON);
  });

  test('defuses spreadsheet formulas', async () => {
    const page = await openTree();
    const text = await page.evaluate(() => document.getElementById('tree').exportFindingsCsv());
    const rows = parseCsv(text);
    const cells = rows.flat();
    assert.ok(cells.includes(`'${FORMULA}`), 'the formula title is there, defused');
    for (const cell of cells) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, cell);
  });
});

describe('exports of a large tree drawn before its check', () => {
  test('wait for the check, then export the view with its findings', async () => {
    const page = await env.emptyPage();
    const got = await page.evaluate(async () => {
      const { generateTree } = await import('/demo/generate.js');
      const el = document.getElementById('tree');
      const drawn = new Promise((resolve) => {
        const seen = new MutationObserver(() => {
          if (!el.shadowRoot.querySelector('[role="treeitem"]')) return;
          seen.disconnect();
          resolve();
        });
        seen.observe(el.shadowRoot, { childList: true, subtree: true });
      });
      el.tree = generateTree({ nodes: 1200, seed: 3 });
      await drawn;
      const pending = el.report === null;
      const [svg, csv] = await Promise.all([el.exportSvg(), el.exportFindingsCsv()]);
      return { pending, reported: el.report !== null, cards: (svg.match(/<g class="node/g) ?? []).length, rows: csv.trim().split('\r\n').length - 1, findings: el.report.findings.length };
    });
    assert.ok(got.pending, 'the export was asked for while the check still ran');
    assert.ok(got.reported);
    assert.ok(got.cards > 0);
    assert.equal(got.rows, got.findings);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

describe('in the element\'s language', () => {
  test('the SVG\'s title and description are the element\'s words, its date the locale\'s', async () => {
    const page = await env.emptyPage('?locale=nl');
    await page.evaluate((doc) => {
      document.getElementById('tree').tree = { ...doc, organisation: '' };
    }, DOC);
    await page.waitForFunction(() => window.__events.some((e) => e.type === 'kpi-findings'), null, { timeout: 30000 });
    const svg = await svgFacts(page);
    const text = await page.evaluate(async () => {
      const doc = new DOMParser().parseFromString(await document.getElementById('tree').exportSvg(), 'image/svg+xml');
      return { title: doc.querySelector('svg > title').textContent, desc: doc.querySelector('svg > desc').textContent };
    });
    assert.equal(text.title, `KPI-boom · per 27 nov 2026 · ${DOC.nodes.length} knopen`);
    assert.equal(text.desc, `KPI-boom: ${svg.ids.length} elementen van de huidige weergave.`);
    await page.close();
  });
});

describe('methods without a tree', () => {
  test('reject with a clear error; the Export menu is not offered', async () => {
    const page = await env.emptyPage();
    const messages = await page.evaluate(async () => {
      const el = document.getElementById('tree');
      const out = [];
      for (const m of ['exportSvg', 'exportPng', 'exportFindingsCsv', 'print']) {
        out.push(await el[m]().then(() => 'resolved', (e) => (e instanceof Error ? e.message : `not an Error: ${e}`)));
      }
      return out;
    });
    for (const m of messages) assert.match(m, /no tree is loaded/);
    assert.equal(await page.locator('kpi-tree [part="export"]').isVisible(), false);

    // A tree that cannot be loaded: no menu either.
    await page.evaluate(() => {
      document.getElementById('tree').tree = '{"version": 1, "nodes": [{"id": "a"}]}';
    });
    await page.waitForFunction(() => window.__events.some((e) => e.type === 'kpi-error'));
    assert.equal(await page.locator('kpi-tree [part="export"]').isVisible(), false);
    await assert.rejects(page.evaluate(() => document.getElementById('tree').exportSvg()), /no tree is loaded/);
  });
});

describe('the Export menu', () => {
  test('each item downloads its file, named after the organisation and date; Print prints', async () => {
    const page = await openTree();
    await page.evaluate(() => {
      window.__printed = 0;
      window.print = () => window.__printed++;
    });
    const menu = page.locator('kpi-tree [part="export"]');
    const expected = { 'Tree as SVG': 'small-co-2026-11-27.svg', 'Tree as PNG': 'small-co-2026-11-27.png', 'Findings as CSV': 'small-co-2026-11-27-findings.csv' };
    const files = {};
    for (const [label, name] of Object.entries(expected)) {
      await menu.click();
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('kpi-tree').getByRole('button', { name: label }).click()]);
      assert.equal(download.suggestedFilename(), name);
      files[name] = readFileSync(await download.path());
      assert.equal(await page.locator('kpi-tree details.menu').getAttribute('open'), null, 'the menu closes');
    }
    assert.match(files['small-co-2026-11-27.svg'].toString('utf8'), /^<\?xml[^>]*>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.deepEqual([...files['small-co-2026-11-27.png'].subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.equal(files['small-co-2026-11-27-findings.csv'].toString('utf8'), await page.evaluate(() => document.getElementById('tree').exportFindingsCsv()));

    await menu.click();
    await page.locator('kpi-tree').getByRole('button', { name: 'Print' }).click();
    await page.waitForFunction(() => window.__printed === 1);
    // A press outside closes the menu.
    await menu.click();
    assert.notEqual(await page.locator('kpi-tree details.menu').getAttribute('open'), null);
    await page.locator('h1').click();
    assert.equal(await page.locator('kpi-tree details.menu').getAttribute('open'), null);
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
    assert.deepEqual(page.errors, []);
  });

  test('an item chosen before widget-export.js is loaded still downloads', async () => {
    const page = await openTree();
    // Open and choose in one task: the module cannot be there yet.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.evaluate(() => {
        const root = document.getElementById('tree').shadowRoot;
        const loaded = performance.getEntriesByType('resource').some((r) => r.name.endsWith('/widget-export.js'));
        root.querySelector('[part="export"]').click();
        root.querySelector('[data-export="csv"]').click();
        return loaded;
      }).then((loaded) => assert.equal(loaded, false)),
    ]);
    assert.equal(download.suggestedFilename(), 'small-co-2026-11-27-findings.csv');
  });

  test('works from the keyboard: Enter opens, Tab reaches the items, Escape closes back to the button', async () => {
    const page = await openTree();
    const summary = page.locator('kpi-tree [part="export"]');
    await summary.focus();
    await page.keyboard.press('Enter');
    const open = () => page.evaluate(() => document.getElementById('tree').shadowRoot.querySelector('details.menu').open);
    assert.equal(await open(), true);
    await page.keyboard.press('Tab');
    const focused = () => page.evaluate(() => document.getElementById('tree').shadowRoot.activeElement?.textContent ?? null);
    assert.equal(await focused(), 'Tree as SVG');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'Tree as PNG');
    await page.keyboard.press('Escape');
    // Escape is handled by widget-export.js, after the event: wait for its effect.
    await page.waitForFunction(() => !document.getElementById('tree').shadowRoot.querySelector('details.menu').open);
    assert.equal(await focused(), 'Export');
    // Space opens too, and Enter on an item downloads it.
    await page.keyboard.press(' ');
    assert.equal(await open(), true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'Findings as CSV');
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    assert.equal(download.suggestedFilename(), 'small-co-2026-11-27-findings.csv');
  });

  test('axe-core finds no violation with the menu open', async () => {
    const page = await openTree();
    await page.locator('kpi-tree [part="export"]').click();
    await page.locator('kpi-tree').getByRole('button', { name: 'Tree as SVG' }).waitFor();
    await page.addScriptTag({ url: '/node_modules/axe-core/axe.min.js' });
    const result = await page.evaluate(() => window.axe.run(document));
    assert.deepEqual(
      result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      [],
    );
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
  });
});

describe('printing', () => {
  /** The print view's outline and findings, once it is there. */
  async function printView(page) {
    await page.waitForFunction(() => document.getElementById('tree').shadowRoot.querySelector('.print-view'), null, { timeout: 60000 });
    return page.evaluate(() => {
      const view = document.getElementById('tree').shadowRoot.querySelector('.print-view');
      const tree = view.querySelector('.pv-tree');
      return {
        items: [...tree.children].map((li) => ({ title: li.querySelector('strong').textContent, ref: li.classList.contains('pv-ref') })),
        findings: [...view.querySelectorAll('.pv-findings')].map((ul) => [...ul.children].map((li) => li.textContent)),
        frameShown: getComputedStyle(document.getElementById('tree').shadowRoot.querySelector('.frame')).display !== 'none',
        shown: getComputedStyle(view).display !== 'none',
      };
    });
  }

  test('the print view lists every display item of the view and every finding, waived ones apart', async () => {
    const page = await openTree();
    const svg = await svgFacts(page);
    const report = await page.evaluate(() => document.getElementById('tree').report);
    await page.emulateMedia({ media: 'print' });
    const pv = await printView(page);
    assert.equal(pv.shown, true);
    assert.equal(pv.frameShown, false, 'the screen parts are hidden in print');
    // The same items as the SVG (the current view), in preorder, by title.
    const byId = new Map(DOC.nodes.map((n) => [n.id, n.title]));
    assert.deepEqual(pv.items.map((i) => i.title), svg.ids.map((id) => byId.get(id)));
    assert.equal(pv.items.filter((i) => i.ref).length, 1);
    const counted = report.findings.filter((f) => !f.waived);
    const waived = report.findings.filter((f) => f.waived);
    assert.equal(pv.findings.length, 2, 'counted and waived findings apart');
    assert.equal(pv.findings[0].length, counted.length);
    assert.equal(pv.findings[1].length, waived.length);
    assert.ok(pv.findings[1][0].includes(REASON));
    // Errors first.
    const firstNonError = pv.findings[0].findIndex((t) => !t.startsWith('error'));
    assert.ok(pv.findings[0].slice(firstNonError).every((t) => !t.startsWith('error')));
    await page.emulateMedia({ media: 'screen' });
    await page.waitForFunction(() => !document.getElementById('tree').shadowRoot.querySelector('.print-view'));
  });

  test('printing needs no module: the print view is there the moment printing starts, and gone after', async () => {
    const page = await openTree();
    const loaded = () => page.evaluate(() => performance.getEntriesByType('resource').some((r) => r.name.endsWith('/widget-export.js')));
    // What the page's own beforeprint listener (added after the element's) finds, as a PDF is made.
    await page.evaluate(() => {
      window.__seen = [];
      const root = document.getElementById('tree').shadowRoot;
      addEventListener('beforeprint', () => window.__seen.push(root.querySelector('.print-view .pv-tree')?.children.length ?? 0));
    });
    const pdf = await page.pdf();
    assert.ok(pdf.length > 0);
    assert.deepEqual(await page.evaluate(() => window.__seen), [ALL_ITEMS], 'the first PDF has the print view');
    assert.equal(await page.evaluate(() => document.getElementById('tree').shadowRoot.querySelector('.print-view')), null, 'removed after printing');
    // The print media query starting to match (its change event) builds it too.
    await page.emulateMedia({ media: 'print' });
    assert.equal((await printView(page)).items.length, ALL_ITEMS);
    assert.equal(await loaded(), false, 'widget-export.js is not needed to print');
    await page.close();
  });

  test('prints in the light palette, also with the dark theme on a dark system', async () => {
    const page = await openTree();
    // The colour of a text that keeps the palette's in print (the findings' heading).
    const colours = (theme) =>
      page.evaluate((theme) => {
        const el = document.getElementById('tree');
        el.setAttribute('theme', theme);
        return { scheme: getComputedStyle(el).colorScheme, text: getComputedStyle(el.shadowRoot.querySelector('.findings h2')).color };
      }, theme);
    await page.emulateMedia({ colorScheme: 'dark' });
    const light = await colours('light');
    const dark = await colours('dark');
    await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
    const print = await colours('dark');
    assert.equal(dark.scheme, 'dark');
    assert.notEqual(dark.text, light.text);
    assert.equal(print.scheme, 'light');
    assert.equal(print.text, light.text);
    await page.close();
  });

  test('a 10,000-node tree, expanded, prints on many pages; its PNG stays within the size limits', async () => {
    const page = await env.page();
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(`${env.url}/demo/test.html?gen=10000`);
    await page.waitForFunction(() => window.__events.some((e) => e.type === 'kpi-findings'), null, { timeout: 120000 });
    await page.evaluate(() => document.getElementById('tree').expandAll());
    const count = await page.evaluate(async () => ((await document.getElementById('tree').exportSvg()).match(/<g class="node"/g) ?? []).length);
    assert.ok(count >= 10000, `${count} display items`);
    await page.emulateMedia({ media: 'print' });
    const pv = await printView(page);
    assert.equal(pv.items.length, count);
    const pdf = await page.pdf({ format: 'A4' });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page\b/g) ?? []).length;
    assert.ok(pages > 10, `${pages} pages`);
    await page.emulateMedia({ media: 'screen' });
    const png = await page.evaluate(async () => {
      const bitmap = await createImageBitmap(await document.getElementById('tree').exportPng());
      return { width: bitmap.width, height: bitmap.height };
    });
    assert.ok(png.width <= 16384 && png.height <= 16384, JSON.stringify(png));
    assert.ok(png.width * png.height <= 100e6, JSON.stringify(png));
  });
});
