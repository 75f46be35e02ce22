// Loading of the <kpi-tree> element: its stylesheet, the engine (lean or full), the tree, the
// configuration and the check with plugins, and what the element keeps of the report per node. Which
// load is current is the element's business: it passes `stale()`, and nothing of a stale load is kept.
import * as engine from './engine.js';
import { SEVERITY } from './widget-dom.js';

// One fetch of the stylesheet per page, shared by every element through adoptedStyleSheets.
let sheetPromise;
/** The element's stylesheet, fetched once (from the module's evaluation on: every element needs it). */
export function styleSheet() {
  sheetPromise ??= fetch(new URL('./kpi-tree.css', import.meta.url))
    .then((r) => (r.ok ? r.text() : ''))
    .catch(() => '')
    .then((text) => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(text);
      return sheet;
    });
  return sheetPromise;
}
styleSheet();

function splitList(value) {
  return String(value ?? '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

function formatOf(url) {
  return /\.csv(?:$|[?#])/i.test(url) ? 'csv' : 'json';
}

/** The body of `url` as text, or as an ArrayBuffer with `bytes`. */
async function fetchBody(url, what, bytes = false) {
  let res;
  try {
    res = await fetch(url);
  } catch (e) {
    throw Object.assign(new Error(`cannot fetch ${what} ${url}: ${e.message}`), { problems: [], unreachable: true });
  }
  if (!res.ok) throw Object.assign(new Error(`cannot fetch ${what} ${url}: HTTP ${res.status}`), { problems: [], unreachable: true });
  return bytes ? res.arrayBuffer() : res.text();
}

/** Releases an engine Tree (once; a second call does nothing). */
export function freeTree(t) {
  if (t && typeof t.free === 'function') {
    try {
      t.free();
    } catch {
      // Already freed: nothing left to release.
    }
  }
}

function freeIfOwn(tree, own) {
  if (own) freeTree(tree);
}

/**
 * The JSON tree document `text` as written (`{ organisation, as_of, nodes, ... }`), for drawing the
 * first cards before the engine has serialised its own copy (tree.nodes(): at 10,000 nodes three times
 * as long as this parse, and this one can run while the engine's wasm compiles). The engine accepted
 * the same text (no unknown fields), so these are the nodes it holds, in its order; they differ only
 * where the format allows two spellings of one thing (null or absent, `active` or no status).
 * Null when the text is not a JSON document (CSV, a byte-order mark left in a text the page gave):
 * then tree.nodes().
 */
function documentOf(text) {
  try {
    const doc = JSON.parse(text);
    return Array.isArray(doc?.nodes) ? doc : null;
  } catch {
    return null;
  }
}

/**
 * Trees of more nodes than this open expanded to their objectives (the element's level control), and are
 * drawn before their check, whose results follow; smaller ones open fully expanded and are drawn with
 * their results. Above it the first screen would be one branch in a scroll area of a million pixels, and
 * the check (at 10,000 nodes as long as reading the tree) would hold back the first cards.
 */
export const LARGE_TREE = 500;

// A macrotask after the next frame: the first cards are painted before the check takes the thread. A
// hidden page runs no frames, so a timer stands in.
function afterPaint() {
  return new Promise((resolve) => {
    const go = () => setTimeout(resolve); // the first of the two resolves
    requestAnimationFrame(go);
    setTimeout(go, 100);
  });
}

/**
 * Loads what element `el` shows: `value` (its `tree` property) or its `src`, its `config` and `rules`, and
 * checks the tree with its `plugins` against `baseline` (its `baseline` property) or the report at its
 * `baseline` attribute. Everything to download (the engine, the tree, the configuration, the rules, the
 * baseline) is requested at once, then read in that order. Once the tree is read and configured,
 * `show(tree, own, doc, config)` draws it (`own`: whether the tree was made here, so the element frees
 * it from then on; `doc`: the document, `{ organisation, as_of, nodes }`); above LARGE_TREE nodes the
 * check follows after the first frame, else it comes first; either way it ends in `adopt(report)`. Or
 * `fail(error)`. `ui` is a promise of the element's parts: `show` and `fail` wait for it. After each
 * wait a `stale()` load stops and frees what it made and still holds. The error says what failed:
 * `source` ('engine', 'baseline', 'tree', 'configuration', 'rules' or 'check'), `url` (when it was
 * fetched) and `unreachable` (it could not be fetched).
 */
export async function load(el, value, baseline, stale, { ui, show, adopt, fail }) {
  let tree;
  let own = true;
  let shown = false;
  // What is being read, for the error.
  let source = 'engine';
  let url = null;
  try {
    const csv = typeof value === 'string' ? !value.trim().startsWith('{') : !value && formatOf(el.src) === 'csv';
    // The lean engine (JSON) unless this element needs the full one: CSV, a kpitree.toml, custom
    // rules, plugins, a baseline.
    const full = csv || Boolean(el.config) || Boolean(el.rules) || splitList(el.plugins).length > 0 || baseline !== null || Boolean(el.getAttribute('baseline'));
    const engineReady = engine.initEngine({ lean: !full });
    // The attribute's URL, unless the property holds the report (which wins).
    const baselineUrl = baseline === null ? el.getAttribute('baseline') : null;
    const src = el.src;
    const configUrl = el.config;
    const rulesUrl = el.rules;
    const texts = {
      baseline: baseline === null && baselineUrl ? fetchBody(baselineUrl, 'baseline') : null,
      // The tree parsed as it arrives, while the engine may still be compiling. The engine reads the
      // bytes themselves (one copy into its memory; a 5 MB string would first be copied by JS, slowly),
      // the page its own copy of the nodes from their decoded text.
      tree: value
        ? null
        : fetchBody(src, 'tree', true).then((bytes) => ({
            bytes,
            doc: formatOf(src) === 'csv' ? null : documentOf(new TextDecoder().decode(bytes)),
          })),
      config: configUrl ? fetchBody(configUrl, 'configuration') : null,
      rules: rulesUrl ? fetchBody(rulesUrl, 'rules') : null,
    };
    // Read in order below; an earlier failure leaves the later ones unread, and unreported.
    for (const p of Object.values(texts)) p?.catch(() => {});
    await engineReady;
    source = 'baseline';
    url = baselineUrl;
    let file = 'baseline';
    if (texts.baseline) {
      baseline = await texts.baseline;
      file = baselineUrl;
      if (stale()) return;
    }
    // Read before the tree, so a bad baseline is reported as such whatever the tree.
    if (baseline !== null) baseline = engine.loadBaseline(baseline, { file });
    source = 'tree';
    url = value ? null : src;
    let doc = null;
    if (value && typeof value.nodes === 'function' && typeof value.layout === 'function') {
      tree = value;
      own = false;
    } else if (value && typeof value === 'object') {
      // Turned into text once, for the engine and for the element's own copy of the nodes (the page
      // keeps its object and may change it). An error is read again from the object, for the engine's
      // messages about objects (no line and column in a text the page never saw).
      const text = JSON.stringify(value);
      tree = await engine.readTree(text, { file: 'tree', format: 'json' }).catch((e) =>
        e instanceof engine.KpiTreeError ? engine.readTree(value, { file: 'tree', format: 'json' }) : Promise.reject(e),
      );
      doc = documentOf(text);
    } else if (value) {
      tree = await engine.readTree(value, { file: 'tree', format: csv ? 'csv' : 'json' });
      doc = documentOf(value);
    } else {
      const got = await texts.tree;
      if (stale()) return;
      tree = await engine.readTree(got.bytes, { file: src, format: formatOf(src) });
      doc = got.doc;
    }
    // readTree may have waited for the full engine.
    if (stale()) return freeIfOwn(tree, own);
    let config;
    source = 'configuration';
    url = configUrl;
    if (texts.config) {
      const text = await texts.config;
      if (stale()) return freeIfOwn(tree, own);
      config = engine.loadConfig(text, { file: configUrl, format: 'toml' });
    }
    // Custom rules of a rules file, with the configuration's (`kpitree check --rules FILE`).
    source = 'rules';
    url = rulesUrl;
    if (texts.rules) {
      const text = await texts.rules;
      if (stale()) return freeIfOwn(tree, own);
      config = engine.withRules(config, text, { file: rulesUrl });
    }
    source = 'check';
    url = null;
    const checked = () => check(tree, { config, baseline: baseline ?? undefined }, splitList(el.plugins));
    // A small tree's check is quick: it is drawn with its results at once, rather than drawn twice.
    const first = tree.count > LARGE_TREE ? null : await checked();
    if (stale()) return freeIfOwn(tree, own);
    if (!doc) {
      // A CSV tree, or a Tree the page gave: its nodes from the engine (the full one: the lean one
      // has the text the page gave instead).
      await engine.initEngine();
      if (stale()) return freeIfOwn(tree, own);
      doc = { nodes: tree.nodes() };
    }
    await ui;
    if (stale()) return freeIfOwn(tree, own);
    show(tree, own, doc, config);
    // From here the tree is the element's: a stale load leaves it for the next one to release.
    shown = true;
    if (first) return adopt(first);
    await afterPaint();
    if (stale()) return;
    const report = await checked();
    if (stale()) return;
    adopt(report);
  } catch (e) {
    if (tree && !shown) freeIfOwn(tree, own);
    await ui;
    if (stale()) return;
    const error = e instanceof Error ? e : Object.assign(new Error(String(e)), { problems: [] });
    error.source ??= source;
    error.url ??= url || null;
    fail(error);
  }
}

async function check(tree, options, urls) {
  if (urls.length === 0) return tree.check(options);
  try {
    const plugins = await import('./plugins.js');
    return await plugins.checkWithPlugins(tree, { ...options, plugins: urls });
  } catch (e) {
    // The plugin runner itself failed: show the built-in findings and say why plugins are missing.
    const report = tree.check(options);
    report.plugin_errors = [
      ...(report.plugin_errors ?? []),
      ...urls.map((url) => ({ plugin: url, code: 'runner', message: `plugin ${url} was not run: ${e?.message ?? String(e)}` })),
    ];
    return report;
  }
}

/**
 * Per node id, what the cards and details show of `report`: `{ score, status, health, value, trend,
 * findings, severity, fresh }`; `findings` and `severity` leave waived findings out (they count for
 * nothing), `fresh` counts those of them new against the baseline.
 */
export function nodeInfo(report) {
  const info = new Map();
  const get = (id) => {
    let v = info.get(id);
    if (!v) info.set(id, (v = { findings: 0, severity: null }));
    return v;
  };
  const sc = report?.scores ?? {};
  for (const o of [...(sc.objectives ?? []), ...(sc.key_results ?? [])]) {
    Object.assign(get(o.id), { score: o.score, status: o.status, health: o.health });
  }
  for (const k of sc.kpis ?? []) {
    Object.assign(get(k.id), { value: k.value, status: k.status, trend: k.trend, health: k.health });
  }
  for (const f of report?.findings ?? []) {
    if (f.waived) continue;
    for (const id of new Set(f.nodes ?? [])) {
      const v = get(id);
      v.findings++;
      if (f.baseline === 'new') v.fresh = (v.fresh ?? 0) + 1;
      if (!v.severity || SEVERITY[f.severity] < SEVERITY[v.severity]) v.severity = f.severity;
    }
  }
  return info;
}
