// Loading of the <kpi-tree> element: its stylesheet, the engine (lean or full), the tree, the
// configuration and the check with plugins, and what the element keeps of the report per node. Which
// load is current is the element's business: it passes `stale()`, and nothing of a stale load is kept.
import * as engine from './engine.js';
import { SEVERITY } from './widget-dom.js';

// One fetch of the stylesheet per page, shared by every element through adoptedStyleSheets.
let sheetPromise;
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

function splitList(value) {
  return String(value ?? '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

function formatOf(url) {
  return /\.csv(?:$|[?#])/i.test(url) ? 'csv' : 'json';
}

async function fetchText(url, what) {
  let res;
  try {
    res = await fetch(url);
  } catch (e) {
    throw Object.assign(new Error(`cannot fetch ${what} ${url}: ${e.message}`), { problems: [] });
  }
  if (!res.ok) throw Object.assign(new Error(`cannot fetch ${what} ${url}: HTTP ${res.status}`), { problems: [] });
  return res.text();
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
 * Loads what element `el` shows: `value` (its `tree` property) or its `src`, its `config` and `rules`, and checks
 * the tree with its `plugins`; then `adopt(tree, own, config, report)` (`own`: whether the tree was
 * made here, so the element frees it), or `fail(error)`. After each wait a `stale()` load stops and
 * frees what it made.
 */
export async function load(el, value, stale, adopt, fail) {
  let tree;
  let own = true;
  try {
    const csv = typeof value === 'string' ? !value.trim().startsWith('{') : !value && formatOf(el.src) === 'csv';
    // The lean engine (JSON) unless this element needs the full one: CSV, a kpitree.toml, plugins.
    await engine.initEngine({ lean: !(csv || Boolean(el.config) || Boolean(el.rules) || splitList(el.plugins).length > 0) });
    if (value && typeof value.nodes === 'function' && typeof value.layout === 'function') {
      tree = value;
      own = false;
    } else if (value) {
      tree = await engine.readTree(value, { file: 'tree', format: csv ? 'csv' : 'json' });
    } else {
      const text = await fetchText(el.src, 'tree');
      if (stale()) return;
      tree = await engine.readTree(text, { file: el.src, format: formatOf(el.src) });
    }
    // readTree may have waited for the full engine.
    if (stale()) return freeIfOwn(tree, own);
    let config;
    if (el.config) {
      const text = await fetchText(el.config, 'configuration');
      if (stale()) return freeIfOwn(tree, own);
      config = engine.loadConfig(text, { file: el.config, format: 'toml' });
    }
    // Custom rules of a rules file, with the configuration's (`kpitree check --rules FILE`).
    if (el.rules) {
      const text = await fetchText(el.rules, 'rules');
      if (stale()) return freeIfOwn(tree, own);
      config = engine.withRules(config, text, { file: el.rules });
    }
    const report = await check(tree, config, splitList(el.plugins));
    if (stale()) return freeIfOwn(tree, own);
    adopt(tree, own, config, report);
  } catch (e) {
    if (tree) freeIfOwn(tree, own);
    if (stale()) return;
    fail(e);
  }
}

async function check(tree, config, urls) {
  if (urls.length === 0) return tree.check({ config });
  try {
    const plugins = await import('./plugins.js');
    return await plugins.checkWithPlugins(tree, { config, plugins: urls });
  } catch (e) {
    // The plugin runner itself failed: show the built-in findings and say why plugins are missing.
    const report = tree.check({ config });
    report.plugin_errors = [
      ...(report.plugin_errors ?? []),
      ...urls.map((url) => ({ plugin: url, code: 'runner', message: `plugin ${url} was not run: ${e?.message ?? String(e)}` })),
    ];
    return report;
  }
}

/** Per node id, what the cards and details show of `report`: `{ score, status, health, value, trend, findings, severity }`. */
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
    for (const id of new Set(f.nodes ?? [])) {
      const v = get(id);
      v.findings++;
      if (!v.severity || SEVERITY[f.severity] < SEVERITY[v.severity]) v.severity = f.severity;
    }
  }
  return info;
}
