// The <kpi-tree> custom element: one script tag, no framework.
//
//   <script type="module" src="/kpitree/kpi-tree.js"></script>
//   <kpi-tree src="/data/tree.json" plugins="/rules/owners.wasm" config="/kpitree.toml"></kpi-tree>
//
// The engine (wasm, ./engine.js) loads and checks the tree and computes the layout; this file only draws
// what the engine returns. Drawing is virtualised: only the cards within (or near) the visible part of the
// viewport are in the DOM, so a 10,000-node tree costs as much to show as a 50-node one. The tree follows
// the ARIA tree pattern with a roving tabindex; the focused card is always kept in the DOM.
import * as engine from './engine.js';
import { seriesChart } from './widget-chart.js';
import { ancestorIds, filteredDocument, filterIds, searchIds } from './widget-filter.js';
import { KIND_LABEL, h, healthClass, num, pct, put, s, words } from './widget-dom.js';

// Card geometry in CSS pixels. The engine's layout places cards `NODE_SIZE` apart; depth runs left to
// right so titles read like an outline and a wide tree scrolls vertically.
const CARD_W = 236;
const CARD_H = 84;
const GAP_DEPTH = 56;
const GAP_BREADTH = 12;
const PAD = 24;
// Neighbours with the same parent one slot apart, different parents a little further (d3's tree()
// uses 2; cards are wide and short, so a smaller gap reads as grouping without wasting the screen).
const SEPARATION = [1, 1.3];
// Cards drawn beyond the visible area on each side, so scrolling does not show empty space first.
const OVERSCAN = 320;

// One fetch of the stylesheet per page, shared by every element through adoptedStyleSheets.
let sheetPromise;
function styleSheet() {
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

// The lean engine (JSON) unless this element needs the full one: CSV, a kpitree.toml, plugins.
function ready(full) {
  return engine.initEngine({ lean: !full });
}

let instances = 0;

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

function freeTree(t) {
  if (t && typeof t.free === 'function') {
    try {
      t.free();
    } catch {
      // Already freed: nothing left to release.
    }
  }
}

export class KpiTreeElement extends HTMLElement {
  static observedAttributes = ['src', 'plugins', 'config'];

  #uid = `kpi-tree-${++instances}`;
  #root;
  #ui = null; // the element's fixed parts, built once the stylesheet is in
  #generation = 0; // bumps on every reload; stale loads are dropped
  #reloadQueued = false;
  #stale = false; // a reload was asked for while disconnected
  #treeValue = null; // what was set through the `tree` property

  // Loaded state.
  #tree = null; // engine Tree of the whole document
  #ownTree = false; // whether this element created #tree (and so frees it)
  #doc = null; // { organisation, as_of }
  #nodes = []; // tree.nodes()
  #byId = new Map(); // id -> node
  #report = null;
  #config = undefined;
  #candidates = null; // ids of pruning candidates, once asked for
  #info = new Map(); // id -> { score, status, health, value, unit, findings, severity }

  // View state: the tree laid out (whole or filtered) and what is drawn.
  #view = null; // { tree, nodes, hits }
  #collapsed = new Set();
  #filters = { activeOnly: false, pruneOnly: false, rule: '' };
  #matches = new Set();
  #matchOrder = [];
  #matchCursor = -1;
  #layout = null;
  #geo = null; // { left, top, setsize, posinset, primary, width, height }
  #active = 0; // display index holding tabindex=0
  #selectedId = null;
  #rendered = new Map(); // display index -> element
  #renderedOrder = []; // sorted display indexes in the DOM
  #frame = 0;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
  }

  // ---------- public API ----------

  get src() {
    return this.getAttribute('src') ?? '';
  }
  set src(v) {
    this.setAttribute('src', v);
  }
  get plugins() {
    return this.getAttribute('plugins') ?? '';
  }
  set plugins(v) {
    if (Array.isArray(v)) v = v.join(' ');
    this.setAttribute('plugins', v);
  }
  get config() {
    return this.getAttribute('config') ?? '';
  }
  set config(v) {
    this.setAttribute('config', v);
  }

  /** A tree document (object or JSON text) or an engine `Tree`, set directly; it wins over `src`. */
  get tree() {
    return this.#treeValue;
  }
  set tree(v) {
    this.#treeValue = v ?? null;
    this.#queueReload();
  }

  /** The report of the last check (`kpitree check --format json`, plus plugin results), or null. */
  get report() {
    return this.#report;
  }

  /** The id of the selected node, or null. */
  get selected() {
    return this.#selectedId;
  }

  /** Selects a node by id (expanding its ancestors), as a click on its card would. */
  select(id) {
    this.#reveal(id, { focus: false });
  }

  connectedCallback() {
    if (this.#ui) this.#resizeObserver?.observe(this.#ui.viewport);
    // Moving the element in the page keeps what it shows; only a first connection loads.
    if (!this.#tree || this.#stale) this.#queueReload();
  }

  disconnectedCallback() {
    cancelAnimationFrame(this.#frame);
    this.#resizeObserver?.disconnect();
  }

  attributeChangedCallback(name, old, value) {
    if (old !== value) this.#queueReload();
  }

  // ---------- loading ----------

  #queueReload() {
    if (this.#reloadQueued) return;
    this.#reloadQueued = true;
    queueMicrotask(() => {
      this.#reloadQueued = false;
      this.#stale = !this.isConnected;
      if (this.isConnected) this.#load();
    });
  }

  async #load() {
    const generation = ++this.#generation;
    const stale = () => generation !== this.#generation;
    const sheet = await styleSheet();
    if (stale()) return;
    if (!this.#ui) {
      this.#root.adoptedStyleSheets = [sheet];
      this.#build();
    }
    if (!this.#treeValue && !this.src) {
      this.#showMessage('No tree: set the src attribute or the tree property.');
      return;
    }
    this.#showMessage('Loading…');
    let tree;
    let own = true;
    try {
      const value = this.#treeValue;
      const csv = typeof value === 'string' ? !value.trim().startsWith('{') : !value && formatOf(this.src) === 'csv';
      await ready(csv || Boolean(this.config) || splitList(this.plugins).length > 0);
      if (value && typeof value.nodes === 'function' && typeof value.layout === 'function') {
        tree = value;
        own = false;
      } else if (value) {
        tree = await engine.readTree(value, { file: 'tree', format: typeof value === 'string' && !value.trim().startsWith('{') ? 'csv' : 'json' });
      } else {
        const text = await fetchText(this.src, 'tree');
        if (stale()) return;
        tree = await engine.readTree(text, { file: this.src, format: formatOf(this.src) });
      }
      // readTree may have waited for the full engine.
      if (stale()) return freeIfOwn(tree, own);
      let config;
      if (this.config) {
        const text = await fetchText(this.config, 'configuration');
        if (stale()) return freeIfOwn(tree, own);
        config = engine.loadConfig(text, { file: this.config, format: 'toml' });
      }
      const report = await this.#check(tree, config);
      if (stale()) return freeIfOwn(tree, own);
      this.#adopt(tree, own, config, report);
    } catch (e) {
      if (tree) freeIfOwn(tree, own);
      if (stale()) return;
      this.#fail(e);
    }
  }

  async #check(tree, config) {
    const urls = splitList(this.plugins);
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

  #adopt(tree, own, config, report) {
    this.#releaseTrees();
    this.#tree = tree;
    this.#ownTree = own;
    this.#config = config;
    this.#report = report;
    this.#nodes = tree.nodes();
    this.#byId = new Map(this.#nodes.map((n) => [n.id, n]));
    this.#doc = { organisation: report?.summary?.organisation ?? '', as_of: report?.summary?.as_of ?? '' };
    this.#candidates = null; // computed when the pruning filter is first used
    this.#info = this.#nodeInfo(report);
    this.#collapsed = new Set();
    this.#matches = new Set();
    this.#matchOrder = [];
    this.#selectedId = null;
    this.#ui.search.value = '';
    this.#ui.matches.textContent = '';
    if (this.#filters.rule && !report.findings.some((f) => f.rule === this.#filters.rule)) this.#filters.rule = '';
    this.#fillRules();
    this.#showMessage('');
    this.#ui.error.replaceChildren();
    this.#rebuildView();
    // Start with the first root in view, a third of the way down.
    const vp = this.#ui.viewport;
    vp.scrollLeft = 0;
    vp.scrollTop = this.#layout?.count ? Math.max(0, this.#geo.top[0] - vp.clientHeight / 3) : 0;
    this.#draw();
    this.#renderSummary();
    this.#renderFindings();
    this.#renderDetails();
    const s = report.summary ?? {};
    this.#announce(`Loaded ${s.nodes ?? this.#nodes.length} nodes: ${report.findings.length} findings.`);
    this.#emit('kpi-findings', { report });
  }

  #fail(e) {
    const message = e?.message ?? String(e);
    const problems = Array.isArray(e?.problems) ? e.problems : [];
    this.#releaseTrees();
    this.#report = null;
    this.#layout = null;
    this.#clearCards();
    const box = h(
      'div',
      { class: 'error', part: 'error', role: 'alert' },
      h('strong', {}, 'The tree could not be shown. '),
      message,
      problems.length
        ? h(
            'ul',
            {},
            problems.slice(0, 20).map((p) =>
              h('li', {}, p.code ? h('code', {}, p.code) : null, p.code ? ' ' : null, p.message ?? '', where(p)),
            ),
          )
        : null,
    );
    this.#ui.org.textContent = 'kpi-tree';
    this.#ui.asof.textContent = '';
    this.#ui.health.hidden = true;
    put(this.#ui.findingList);
    this.#ui.counts.textContent = '';
    put(this.#ui.pluginErrors);
    this.#renderDetails();
    this.#showMessage('');
    this.#ui.error.replaceChildren(box);
    this.#emit('kpi-error', { message, problems });
  }

  #releaseTrees() {
    if (this.#view && this.#view.tree !== this.#tree) freeTree(this.#view.tree);
    this.#view = null;
    if (this.#ownTree) freeTree(this.#tree);
    this.#tree = null;
  }

  #nodeInfo(report) {
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
    const rank = { error: 3, warning: 2, info: 1 };
    for (const f of report?.findings ?? []) {
      for (const id of new Set(f.nodes ?? [])) {
        const v = get(id);
        v.findings++;
        if (!v.severity || rank[f.severity] > rank[v.severity]) v.severity = f.severity;
      }
    }
    return info;
  }

  // ---------- the element's fixed parts ----------

  #build() {
    const id = (x) => `${this.#uid}-${x}`;
    const ui = {};
    ui.org = h('span', { class: 'org', part: 'title' }, 'kpi-tree');
    ui.asof = h('span', { class: 'asof' });
    ui.health = h('span', { class: 'health-pill', part: 'health', hidden: true });
    ui.search = h('input', {
      type: 'search',
      id: id('search'),
      part: 'search',
      placeholder: 'Search nodes',
      autocomplete: 'off',
      'aria-describedby': id('matches'),
      'aria-controls': id('tree'),
    });
    ui.matches = h('span', { class: 'matches', id: id('matches'), 'aria-live': 'polite' });
    ui.level = h(
      'select',
      { id: id('level'), part: 'level' },
      h('option', { value: '0' }, 'All levels'),
      h('option', { value: '1' }, 'Strategies'),
      h('option', { value: '2' }, 'Objectives'),
      h('option', { value: '3' }, 'Key results'),
      h('option', { value: '4' }, 'KPIs'),
    );
    ui.activeOnly = h('input', { type: 'checkbox', id: id('active') });
    ui.pruneOnly = h('input', { type: 'checkbox', id: id('prune') });
    ui.rule = h('select', { id: id('rule'), part: 'rule-filter' }, h('option', { value: '' }, 'All rules'));
    const toolbar = h(
      'div',
      { class: 'toolbar', part: 'toolbar' },
      h(
        'div',
        { class: 'bar' },
        h('div', { class: 'brand' }, ui.org, ui.asof, ui.health),
        h('span', { class: 'field', role: 'search' }, h('label', { for: id('search'), class: 'sr-only' }, 'Search nodes'), ui.search, ui.matches),
      ),
      h(
        'div',
        { class: 'bar', part: 'filters', role: 'group', 'aria-label': 'View and filters' },
        h('span', { class: 'field' }, h('label', { for: id('level') }, 'Expand to'), ui.level),
        h('span', { class: 'sep', 'aria-hidden': 'true' }),
        h('span', { class: 'bar-label', 'aria-hidden': 'true' }, 'Show'),
        h('span', { class: 'field' }, ui.activeOnly, h('label', { for: id('active') }, 'Active objectives only')),
        h('span', { class: 'field' }, ui.pruneOnly, h('label', { for: id('prune') }, 'Pruning candidates')),
        h('span', { class: 'field' }, h('label', { for: id('rule') }, 'Findings of rule'), ui.rule),
      ),
    );

    ui.links = s('svg', { class: 'links', part: 'links', 'aria-hidden': 'true', focusable: 'false' });
    ui.linkPath = s('path', {});
    ui.refPath = s('path', { class: 'ref' });
    ui.links.append(ui.linkPath, ui.refPath);
    ui.tree = h('div', { class: 'tree', role: 'tree', id: id('tree'), part: 'tree', 'aria-label': 'KPI tree' });
    ui.canvas = h('div', { class: 'canvas' }, ui.links, ui.tree);
    ui.viewport = h('div', { class: 'viewport', part: 'viewport' }, ui.canvas);
    ui.message = h('div', { class: 'overlay', part: 'message' });
    ui.error = h('div', { class: 'overlay' });

    ui.details = h('section', { class: 'panel details', part: 'details', 'aria-labelledby': id('details-h') });
    ui.pluginErrors = h('div', { class: 'plugin-errors' });
    ui.counts = h('span', { class: 'counts' });
    ui.findingList = h('ul', { class: 'finding-list', part: 'findings-list' });
    ui.findings = h(
      'section',
      { class: 'panel findings', part: 'findings', 'aria-labelledby': id('findings-h') },
      h('div', { class: 'findings-head' }, h('h2', { id: id('findings-h') }, 'Findings'), ui.counts),
      ui.pluginErrors,
      ui.findingList,
    );
    const sidebar = h('aside', { class: 'sidebar', part: 'sidebar', 'aria-label': 'Node details and findings' }, ui.details, ui.findings);
    ui.live = h('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
    const body = h('div', { class: 'body' }, h('div', { class: 'viewport-wrap' }, ui.viewport), sidebar);
    ui.wrap = body.firstChild;
    ui.wrap.append(ui.message, ui.error);
    this.#root.append(h('div', { class: 'frame' }, toolbar, body), ui.live);
    this.#ui = ui;

    ui.viewport.addEventListener('scroll', () => this.#schedule(), { passive: true });
    this.#resizeObserver = new ResizeObserver(() => this.#schedule());
    this.#resizeObserver.observe(ui.viewport);
    ui.tree.addEventListener('keydown', (e) => this.#onKey(e));
    ui.tree.addEventListener('click', (e) => this.#onClick(e));
    ui.tree.addEventListener('focusin', (e) => {
      const i = Number(e.target.closest?.('[role="treeitem"]')?.dataset.index);
      if (Number.isInteger(i) && i !== this.#active) this.#setActive(i);
    });
    let timer = 0;
    ui.search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.#search(ui.search.value), 120);
    });
    ui.search.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        clearTimeout(timer);
        if (this.#lastQuery !== ui.search.value) this.#search(ui.search.value);
        this.#nextMatch(e.shiftKey ? -1 : 1);
      }
    });
    ui.level.addEventListener('change', () => this.expandToLevel(Number(ui.level.value)));
    const refilter = () => {
      this.#filters = { activeOnly: ui.activeOnly.checked, pruneOnly: ui.pruneOnly.checked, rule: ui.rule.value };
      if (this.#tree) {
        this.#rebuildView();
        this.#renderFindings();
      }
    };
    ui.activeOnly.addEventListener('change', refilter);
    ui.pruneOnly.addEventListener('change', refilter);
    ui.rule.addEventListener('change', refilter);
  }

  #resizeObserver = null;
  #lastQuery = '';

  #showMessage(text) {
    this.#ui.message.textContent = text;
  }

  #announce(text) {
    this.#ui.live.textContent = text;
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  #fillRules() {
    const rules = [...new Set((this.#report?.findings ?? []).map((f) => f.rule))].sort();
    put(this.#ui.rule, 
      h('option', { value: '' }, 'All rules'),
      ...rules.map((r) => h('option', { value: r, selected: r === this.#filters.rule }, r)),
    );
  }

  #renderSummary() {
    const ui = this.#ui;
    const s = this.#report?.summary ?? {};
    ui.org.textContent = s.organisation || 'KPI tree';
    ui.asof.textContent = s.as_of ? `as of ${s.as_of} · ${num(s.nodes ?? this.#nodes.length)} nodes` : '';
    const health = this.#report?.scores?.health;
    ui.health.hidden = health === undefined || health === null;
    if (!ui.health.hidden) {
      put(ui.health, 
        h('span', { class: `dot ${healthClass(health)}`, 'aria-hidden': 'true' }),
        'Health ',
        h('strong', {}, Math.round(health)),
      );
    }
  }

  // ---------- view: filters, layout, geometry ----------

  #rebuildView() {
    if (this.#view && this.#view.tree !== this.#tree) freeTree(this.#view.tree);
    this.#view = null;
    if (this.#filters.pruneOnly && !this.#candidates) this.#candidates = this.#pruneCandidates();
    const f = filterIds(this.#nodes, this.#filters, { candidates: this.#candidates ?? new Set(), findings: this.#report?.findings ?? [] });
    if (!f) {
      this.#view = { tree: this.#tree, nodes: this.#nodes, hits: null };
    } else {
      try {
        const tree = engine.loadTree(filteredDocument(this.#doc, this.#nodes, f.keep), { file: 'filtered view', format: 'json' });
        this.#view = { tree, nodes: tree.nodes(), hits: f.hits };
      } catch (e) {
        // A filter that the engine refuses (it should not happen) falls back to the whole tree.
        this.#view = { tree: this.#tree, nodes: this.#nodes, hits: null };
        this.#announce(`Filter not applied: ${e.message}`);
      }
    }
    const level = Number(this.#ui.level.value);
    if (level > 0) this.expandToLevel(level);
    else this.#relayout();
    const shown = this.#view.nodes.length;
    if (f) this.#announce(`Filter shows ${f.hits.size} matching nodes (${shown} with their context).`);
  }

  #pruneCandidates() {
    try {
      return new Set((this.#tree.prune({ config: this.#config })?.candidates ?? []).map((c) => c.id));
    } catch (e) {
      // Pruning is extra information: without it the filter shows nothing and says why.
      this.#announce(`Pruning candidates unavailable: ${e.message}`);
      return new Set();
    }
  }

  /** Collapses every node at `level` (1 = strategies) and expands those above it; 0 expands all. */
  expandToLevel(level) {
    if (!this.#view) return;
    this.#ui.level.value = String(level);
    this.#collapsed = new Set();
    if (level > 0) {
      const full = this.#view.tree.layout({ collapsed: [], nodeSize: nodeSize(), separation: SEPARATION });
      for (let i = 0; i < full.count; i++) {
        if (full.depth[i] >= level - 1 && full.flags[i] & 1 && !(full.flags[i] & 4)) {
          this.#collapsed.add(this.#view.nodes[full.node[i]].id);
        }
      }
    }
    this.#relayout();
  }

  /** Expands every node. */
  expandAll() {
    this.expandToLevel(0);
  }

  #relayout() {
    const prev = this.#layout && this.#itemKey(this.#active);
    const layout = this.#view.tree.layout({ collapsed: [...this.#collapsed], nodeSize: nodeSize(), separation: SEPARATION });
    this.#layout = layout;
    this.#geo = geometry(layout, this.#view.nodes.length);
    this.#ui.canvas.style.width = `${this.#geo.width}px`;
    this.#ui.canvas.style.height = `${this.#geo.height}px`;
    this.#ui.links.setAttribute('width', this.#geo.width);
    this.#ui.links.setAttribute('height', this.#geo.height);
    this.#clearCards();
    this.#active = prev ? this.#findItem(prev) : 0;
    this.#matchOrder = this.#orderMatches();
    this.#draw();
  }

  /** What identifies a display item across layouts: its node and its parent's node. */
  #itemKey(i) {
    const L = this.#layout;
    if (!L || i < 0 || i >= L.count) return null;
    const nodes = this.#view.nodes;
    const id = nodes[L.node[i]]?.id;
    const p = L.parent[i];
    return { id, parent: p >= 0 ? nodes[L.node[p]].id : null };
  }

  #findItem({ id, parent }) {
    const L = this.#layout;
    const nodes = this.#view.nodes;
    let fallback = -1;
    for (let i = 0; i < L.count; i++) {
      if (nodes[L.node[i]].id !== id) continue;
      const p = L.parent[i];
      if ((p >= 0 ? nodes[L.node[p]].id : null) === parent) return i;
      if (fallback < 0 || !(L.flags[i] & 4)) fallback = fallback < 0 || L.flags[fallback] & 4 ? i : fallback;
    }
    return fallback >= 0 ? fallback : 0;
  }

  /** The display index where node `id` is shown in full (not as a reference), or -1. */
  #primaryOf(id) {
    const L = this.#layout;
    if (!L) return -1;
    const nodes = this.#view.nodes;
    let ref = -1;
    for (let i = 0; i < L.count; i++) {
      if (nodes[L.node[i]].id === id) {
        if (!(L.flags[i] & 4)) return i;
        if (ref < 0) ref = i;
      }
    }
    return ref;
  }

  // ---------- drawing (virtualised) ----------

  #schedule() {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#draw();
    });
  }

  #clearCards() {
    for (const el of this.#rendered.values()) el.remove();
    this.#rendered.clear();
    this.#renderedOrder = [];
    this.#ui.linkPath.setAttribute('d', '');
    this.#ui.refPath.setAttribute('d', '');
  }

  /** Draws the cards and links that intersect the visible area; keeps the focusable card in the DOM. */
  #draw() {
    const L = this.#layout;
    if (!L) return;
    const vp = this.#ui.viewport;
    const x0 = vp.scrollLeft - OVERSCAN;
    const y0 = vp.scrollTop - OVERSCAN;
    const x1 = vp.scrollLeft + (vp.clientWidth || 800) + OVERSCAN;
    const y1 = vp.scrollTop + (vp.clientHeight || 600) + OVERSCAN;
    const { left, top } = this.#geo;
    const want = [];
    let links = '';
    let refs = '';
    for (let i = 0; i < L.count; i++) {
      const lx = left[i];
      const ty = top[i];
      const inside = lx + CARD_W >= x0 && lx <= x1 && ty + CARD_H >= y0 && ty <= y1;
      if (inside || i === this.#active) want.push(i);
      const p = L.parent[i];
      if (p < 0) continue;
      // An edge is drawn when its bounding box meets the visible area (it may cross it with both ends outside).
      const ex0 = left[p] + CARD_W;
      const ey0 = top[p] + CARD_H / 2;
      const ey1 = ty + CARD_H / 2;
      if (lx < x0 || ex0 > x1 || Math.max(ey0, ey1) < y0 || Math.min(ey0, ey1) > y1) continue;
      const mx = (ex0 + lx) / 2;
      const d = `M${ex0},${ey0}C${mx},${ey0} ${mx},${ey1} ${lx},${ey1}`;
      if (L.flags[i] & 4) refs += d;
      else links += d;
    }
    this.#ui.linkPath.setAttribute('d', links);
    this.#ui.refPath.setAttribute('d', refs);

    const keep = new Set(want);
    for (const i of this.#renderedOrder) {
      if (!keep.has(i)) {
        this.#rendered.get(i).remove();
        this.#rendered.delete(i);
      }
    }
    const before = this.#renderedOrder.filter((i) => keep.has(i));
    // New cards are inserted before the next card already in the DOM, so DOM order follows display
    // order and cards that stay (the focused one in particular) are never moved, which would blur them.
    let j = 0;
    for (const i of want) {
      while (j < before.length && before[j] < i) j++;
      if (this.#rendered.has(i)) continue;
      const el = this.#card(i);
      this.#rendered.set(i, el);
      const next = j < before.length ? this.#rendered.get(before[j]) : null;
      this.#ui.tree.insertBefore(el, next);
    }
    this.#renderedOrder = want;
  }

  #card(i) {
    const L = this.#layout;
    const g = this.#geo;
    const node = this.#view.nodes[L.node[i]];
    const flags = L.flags[i];
    const reference = (flags & 4) !== 0;
    const shared = (flags & 8) !== 0;
    const info = this.#info.get(node.id) ?? {};
    const hasChildren = (flags & 1) !== 0 && !reference;
    // Under a filter, ancestors shown only as context are dimmed; the matches are not.
    const context = this.#view.hits && !this.#view.hits.has(node.id);
    const classes = ['node'];
    if (reference) classes.push('ref');
    if (this.#matches.has(node.id)) classes.push('match');
    if (context) classes.push('dim');
    const selected = node.id === this.#selectedId && !reference;

    const kindLine = h(
      'div',
      { class: 'kind' },
      KIND_LABEL[node.kind] ?? node.kind,
      node.status && node.status !== 'active' ? h('span', { class: 'status-tag' }, node.status) : null,
      reference ? h('span', { class: 'status-tag' }, 'shared · shown in full elsewhere') : secondary(node, info),
    );
    // The card's accessible name is its content (title first in the DOM; the grid puts the kind line on
    // top), with words for screen readers where the eye reads a symbol.
    const badges = [];
    if (shared && !reference) {
      const n = node.parents?.length ?? 2;
      badges.push(h('span', { class: 'badge shared', title: `Shared by ${n} parents` }, h('span', { 'aria-hidden': 'true' }, '×'), n, sr(' parents')));
    }
    if (!reference && info.health !== undefined && info.health !== null) {
      badges.push(h('span', { class: `badge ${healthClass(info.health)}`, part: 'badge health-badge', title: 'Health' }, sr('health '), Math.round(info.health)));
    }
    if (!reference && info.findings) {
      const sev = info.severity === 'error' ? 'err' : info.severity === 'warning' ? 'warn' : 'plain';
      badges.push(
        h(
          'span',
          { class: `badge ${sev}`, part: 'badge findings-badge', title: 'Findings' },
          h('span', { 'aria-hidden': 'true' }, '⚠ '),
          info.findings,
          sr(info.findings === 1 ? ' finding' : ' findings'),
        ),
      );
    }
    const el = h(
      'div',
      {
        role: 'treeitem',
        class: classes.join(' '),
        part: `node node-${node.kind}${reference ? ' node-reference' : ''}`,
        'data-kind': node.kind,
        'data-status': node.status ?? 'active',
        'data-id': node.id,
        'data-index': i,
        'aria-level': L.depth[i] + 1,
        'aria-setsize': g.setsize[i],
        'aria-posinset': g.posinset[i],
        'aria-selected': selected ? 'true' : 'false',
        'aria-expanded': hasChildren ? String((flags & 2) !== 0) : null,
        tabindex: i === this.#active ? '0' : '-1',
      },
      h('div', { class: 'title', part: 'node-title' }, node.title),
      kindLine,
      h('div', { class: 'meta' }, badges),
      reference ? null : h('div', { class: node.owner ? 'owner' : 'owner none' }, node.owner ?? 'no owner'),
      hasChildren ? h('span', { class: 'toggle', 'aria-hidden': 'true', 'data-toggle': '' }) : null,
    );
    el.style.transform = `translate(${g.left[i]}px, ${g.top[i]}px)`;
    el.style.width = `${CARD_W}px`;
    el.style.height = `${CARD_H}px`;
    return el;
  }

  // ---------- interaction ----------

  #setActive(i) {
    const old = this.#rendered.get(this.#active);
    if (old) old.tabIndex = -1;
    this.#active = i;
    const el = this.#rendered.get(i);
    if (el) el.tabIndex = 0;
  }

  /** Moves the roving focus to display item `i`, scrolling it into view. */
  #moveTo(i, { focus = true } = {}) {
    const L = this.#layout;
    if (!L || L.count === 0) return;
    i = Math.max(0, Math.min(L.count - 1, i));
    this.#setActive(i);
    this.#scrollIntoView(i);
    this.#draw();
    const el = this.#rendered.get(i);
    el.tabIndex = 0;
    if (focus) el.focus({ preventScroll: true });
  }

  #scrollIntoView(i) {
    const vp = this.#ui.viewport;
    const x = this.#geo.left[i];
    const y = this.#geo.top[i];
    const w = vp.clientWidth;
    const hgt = vp.clientHeight;
    // Horizontally the least movement that shows the card; vertically, a card out of view is centred
    // (a long jump, by End or a search, should land with context around it).
    if (x < vp.scrollLeft + 8) vp.scrollLeft = Math.max(0, x - PAD);
    else if (x + CARD_W > vp.scrollLeft + w - 8) vp.scrollLeft = x + CARD_W - w + PAD;
    if (y < vp.scrollTop + 8 || y + CARD_H > vp.scrollTop + hgt - 8) vp.scrollTop = Math.max(0, y - (hgt - CARD_H) / 2);
  }

  #onClick(e) {
    const el = e.target.closest?.('[role="treeitem"]');
    if (!el) return;
    const i = Number(el.dataset.index);
    if (e.target.closest('[data-toggle]')) {
      this.#toggle(i);
      return;
    }
    this.#activate(i);
  }

  /** Enter or click: select the item; on a reference, go to the shared node's main place. */
  #activate(i) {
    const L = this.#layout;
    let target = i;
    if (L.flags[i] & 4) {
      const p = this.#primaryOf(this.#view.nodes[L.node[i]].id);
      if (p >= 0) target = p;
    }
    this.#moveTo(target);
    this.#selectIndex(target);
  }

  #selectIndex(i) {
    const node = this.#view.nodes[this.#layout.node[i]];
    this.#selectNode(node.id);
  }

  #selectNode(id) {
    this.#selectedId = id;
    for (const [, el] of this.#rendered) {
      const on = el.dataset.id === id && !el.classList.contains('ref');
      el.setAttribute('aria-selected', on ? 'true' : 'false');
    }
    this.#renderDetails();
    const node = this.#nodeDetails(id);
    this.#emit('kpi-select', { id, node });
  }

  #nodeDetails(id) {
    try {
      return this.#tree.node(id) ?? this.#byId.get(id);
    } catch {
      return this.#byId.get(id);
    }
  }

  #toggle(i) {
    const L = this.#layout;
    if (!(L.flags[i] & 1) || L.flags[i] & 4) return;
    const id = this.#view.nodes[L.node[i]].id;
    if (L.flags[i] & 2) this.#collapsed.add(id);
    else this.#collapsed.delete(id);
    this.#setActive(i);
    const hadFocus = this.#root.activeElement?.getAttribute('role') === 'treeitem';
    this.#relayout();
    if (hadFocus) this.#moveTo(this.#active);
  }

  #onKey(e) {
    const L = this.#layout;
    if (!L || !e.target.matches?.('[role="treeitem"]')) return;
    const i = this.#active;
    const flags = L.flags[i];
    const expandable = (flags & 1) !== 0 && !(flags & 4);
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        this.#moveTo(i + 1);
        break;
      case 'ArrowUp':
        this.#moveTo(i - 1);
        break;
      case 'Home':
        this.#moveTo(0);
        break;
      case 'End':
        this.#moveTo(L.count - 1);
        break;
      case 'ArrowRight':
        if (expandable && !(flags & 2)) this.#toggle(i);
        else if (expandable && i + 1 < L.count && L.parent[i + 1] === i) this.#moveTo(i + 1);
        break;
      case 'ArrowLeft':
        if (expandable && flags & 2) this.#toggle(i);
        else if (L.parent[i] >= 0) this.#moveTo(L.parent[i]);
        break;
      case 'Enter':
      case ' ':
        this.#activate(i);
        break;
      case '*':
        this.#expandSiblings(i);
        break;
      default:
        handled = false;
    }
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  }

  #expandSiblings(i) {
    const L = this.#layout;
    const p = L.parent[i];
    let changed = false;
    for (let j = 0; j < L.count; j++) {
      if (L.parent[j] === p && L.flags[j] & 1 && !(L.flags[j] & 4) && !(L.flags[j] & 2)) {
        this.#collapsed.delete(this.#view.nodes[L.node[j]].id);
        changed = true;
      }
    }
    if (changed) {
      this.#relayout();
      this.#moveTo(this.#active);
    }
  }

  /** Shows node `id`: expands its ancestors, scrolls to it, selects it (and focuses it when asked). */
  #reveal(id, { focus = true } = {}) {
    if (!this.#layout) return;
    let i = this.#primaryOf(id);
    const inView = this.#view.nodes.some((n) => n.id === id);
    if (i < 0 && inView) {
      const byId = this.#view === null || this.#view.tree === this.#tree ? this.#byId : new Map(this.#view.nodes.map((n) => [n.id, n]));
      let changed = false;
      for (const a of ancestorIds(byId, [id])) changed = this.#collapsed.delete(a) || changed;
      if (changed) this.#relayout();
      i = this.#primaryOf(id);
    }
    if (i >= 0) {
      this.#moveTo(i, { focus });
      this.#selectIndex(i);
    } else {
      // Filtered out of the view: still show its details.
      this.#selectNode(id);
    }
  }

  // ---------- search ----------

  #search(query) {
    this.#lastQuery = query;
    if (!this.#view) return;
    this.#matches = searchIds(this.#view.nodes, query);
    this.#matchCursor = -1;
    if (this.#matches.size) {
      const byId = this.#view.tree === this.#tree ? this.#byId : new Map(this.#view.nodes.map((n) => [n.id, n]));
      for (const a of ancestorIds(byId, this.#matches)) this.#collapsed.delete(a);
    }
    this.#relayout();
    const n = this.#matches.size;
    this.#ui.matches.textContent = query.trim() ? `${n} match${n === 1 ? '' : 'es'}` : '';
    if (n) this.#scrollIntoView(this.#matchOrder[0]);
    this.#draw();
  }

  #orderMatches() {
    if (!this.#matches.size) return [];
    const L = this.#layout;
    const out = [];
    for (let i = 0; i < L.count; i++) {
      if (!(L.flags[i] & 4) && this.#matches.has(this.#view.nodes[L.node[i]].id)) out.push(i);
    }
    return out;
  }

  #nextMatch(step) {
    const order = this.#matchOrder;
    if (!order.length) return;
    this.#matchCursor = (this.#matchCursor + step + order.length) % order.length;
    const i = order[this.#matchCursor];
    this.#moveTo(i, { focus: false });
    this.#selectIndex(i);
    this.#ui.matches.textContent = `${this.#matchCursor + 1} of ${order.length}`;
  }

  // ---------- findings panel ----------

  #renderFindings() {
    const ui = this.#ui;
    const report = this.#report;
    if (!report) return;
    const viewIds = this.#view?.hits ? new Set(this.#view.nodes.map((n) => n.id)) : null;
    const all = report.findings ?? [];
    const shown = all.filter(
      (f) => (!this.#filters.rule || f.rule === this.#filters.rule) && (!viewIds || !(f.nodes ?? []).length || f.nodes.some((id) => viewIds.has(id))),
    );
    const bySev = { error: 0, warning: 0, info: 0 };
    for (const f of shown) bySev[f.severity] = (bySev[f.severity] ?? 0) + 1;
    ui.counts.textContent =
      `${shown.length === all.length ? all.length : `${shown.length} of ${all.length}`} · ` +
      `${bySev.error} error${bySev.error === 1 ? '' : 's'}, ${bySev.warning} warning${bySev.warning === 1 ? '' : 's'}, ${bySev.info} info`;

    const errors = report.plugin_errors ?? [];
    put(ui.pluginErrors, 
      ...errors.map((e) =>
        h(
          'div',
          { class: 'plugin-error', part: 'plugin-error', role: 'alert' },
          h('strong', {}, `Plugin error${e.code ? ` (${e.code})` : ''}: `),
          e.message ?? String(e),
        ),
      ),
    );
    const order = { error: 0, warning: 1, info: 2 };
    const sorted = [...shown].sort((a, b) => (order[a.severity] ?? 3) - (order[b.severity] ?? 3));
    const LIMIT = 500;
    put(ui.findingList, 
      ...sorted.slice(0, LIMIT).map((f) => h('li', {}, this.#findingButton(f))),
      sorted.length > LIMIT ? h('li', { class: 'empty' }, `${sorted.length - LIMIT} more findings: narrow with the rule filter.`) : null,
      sorted.length === 0 ? h('li', { class: 'empty' }, 'No findings.') : null,
    );
  }

  #findingButton(f) {
    const first = f.nodes?.[0];
    const title = first ? this.#byId.get(first)?.title : null;
    // A finding about the whole tree (no node) is shown, not offered as a button that does nothing.
    return h(
      first ? 'button' : 'div',
      {
        type: first ? 'button' : null,
        class: 'finding',
        part: `finding finding-${f.severity}`,
        'data-rule': f.rule,
        'data-node': first ?? '',
        title: f.why ?? '',
        onclick: () => first && this.#reveal(first),
      },
      h('span', { class: `sev sev-${f.severity}`, role: 'img', 'aria-label': f.severity }),
      h('span', { class: 'rule' }, f.rule, f.plugin ? h('span', { class: 'plugin-tag' }, f.plugin) : null),
      h('span', { class: 'msg' }, f.message, title && !f.message.includes(first) ? ` (${title})` : ''),
    );
  }

  // ---------- details view ----------

  #renderDetails() {
    const ui = this.#ui;
    const id = this.#selectedId;
    const headId = `${this.#uid}-details-h`;
    if (!id || !this.#tree) {
      put(ui.details, 
        h('h2', { id: headId }, 'Details'),
        h('p', { class: 'empty' }, this.#tree ? 'Select a node to see its owner, figures, series and findings.' : ''),
      );
      return;
    }
    const n = this.#nodeDetails(id) ?? { id, title: id };
    const info = this.#info.get(id) ?? {};
    const facts = [];
    const fact = (k, v) => v !== undefined && v !== null && v !== '' && facts.push(h('dt', {}, k), h('dd', {}, v));
    fact('Id', h('code', {}, n.id));
    fact('Owner', n.owner ?? h('em', {}, 'none'));
    fact('Department', n.department);
    fact('Status', n.status ?? 'active');
    fact('Period', n.period);
    if (n.kind === 'objective' || n.kind === 'key_result') {
      fact('Score', info.score !== undefined ? `${pct(info.score)}${info.status ? ` · ${words(info.status)}` : ''}` : undefined);
    }
    if (n.kind === 'key_result') {
      const u = n.unit ? ` ${n.unit}` : '';
      fact('Progress', n.start !== undefined ? `${num(n.start)} → ${num(n.current)} of ${num(n.target)}${u}` : 'no start and target');
      fact('Confidence', n.confidence !== undefined ? pct(n.confidence) : undefined);
    }
    if (n.kind === 'kpi') {
      const u = n.unit ? ` ${n.unit}` : '';
      fact('Value', info.value !== undefined && info.value !== null ? `${num(info.value)}${u}${info.status ? ` · ${words(info.status)}` : ''}` : undefined);
      fact('Target', n.target !== undefined ? `${num(n.target)}${u}` : undefined);
      fact('Direction', n.direction ? words(n.direction) : undefined);
      fact('Indicator', n.indicator);
      if (info.trend) fact('Trend', `${words(info.trend.direction)} (${num(info.trend.per_30_days)}${u} per 30 days)`);
      fact('Last reviewed', n.last_reviewed ?? 'never');
      if (n.used_in_appraisal) fact('Appraisal', 'feeds personal appraisal or pay');
    }
    fact('Health', info.health !== undefined && info.health !== null ? h('span', { class: `badge ${healthClass(info.health)}` }, Math.round(info.health)) : undefined);

    let chart = null;
    let caption = null;
    if (n.kind === 'kpi' && n.measurements?.length) {
      const refs = [{ value: n.target, kind: 'target', label: 'target' }];
      if (n.thresholds) refs.push({ value: n.thresholds.at_risk, kind: 'threshold', label: 'at risk' }, { value: n.thresholds.off_track, kind: 'threshold', label: 'off track' });
      chart = seriesChart(n.measurements, { refs, unit: n.unit, label: 'Measurements' });
      caption = `Measurements${n.unit ? ` (${n.unit})` : ''}; dashed: target${n.thresholds ? ', dotted: thresholds' : ''}.`;
    } else if (n.kind === 'key_result' && n.check_ins?.length) {
      chart = seriesChart(n.check_ins, { refs: [{ value: n.target, kind: 'target', label: 'target' }], unit: n.unit, label: 'Check-ins' });
      caption = `Check-ins${n.unit ? ` (${n.unit})` : ''}; dashed: target.`;
    }
    const chip = (pid) => h('button', { type: 'button', class: 'chip', onclick: () => this.#reveal(pid) }, this.#byId.get(pid)?.title ?? pid);
    const children = this.#nodes.filter((c) => c.parents?.includes(id)).map((c) => c.id);
    const own = (this.#report?.findings ?? []).filter((f) => f.nodes?.includes(id));

    put(ui.details, 
      h('h2', { id: headId }, `${KIND_LABEL[n.kind] ?? n.kind} details`),
      h('h3', {}, n.title),
      chart,
      caption && chart ? h('p', { class: 'chart-caption' }, caption) : null,
      n.description ? h('p', { class: 'prose' }, n.description) : null,
      n.rationale ? h('p', { class: 'prose' }, h('strong', {}, 'Why: '), n.rationale) : null,
      h('dl', { class: 'facts' }, facts),
      n.parents?.length ? [h('h2', {}, n.parents.length > 1 ? `Contributes to ${n.parents.length} parents` : 'Contributes to'), h('div', { class: 'chips' }, n.parents.map(chip))] : null,
      children.length ? [h('h2', {}, `Supported by ${children.length}`), h('div', { class: 'chips' }, children.slice(0, 30).map(chip))] : null,
      own.length ? [h('h2', {}, `Findings on this node (${own.length})`), h('ul', { class: 'finding-list' }, own.map((f) => h('li', {}, this.#findingButton(f))))] : null,
    );
  }
}

function sr(text) {
  return h('span', { class: 'sr-only' }, text);
}

function freeIfOwn(tree, own) {
  if (own) freeTree(tree);
}

function where(p) {
  const at = [p.file, p.node && `node ${p.node}`, p.field && `field ${p.field}`, p.line && `line ${p.line}${p.column ? `:${p.column}` : ''}`].filter(Boolean);
  return at.length ? ` (${at.join(', ')})` : '';
}

/** The short figure after the kind: an OKR score or a KPI's latest value. */
function secondary(node, info) {
  if ((node.kind === 'objective' || node.kind === 'key_result') && info.score !== undefined && info.score !== null) {
    return h('span', { class: 'status-tag' }, `${pct(info.score)} · ${words(info.status ?? '')}`);
  }
  if (node.kind === 'kpi' && info.value !== undefined && info.value !== null) {
    return h('span', { class: 'status-tag' }, `${num(info.value)}${node.unit ? ` ${node.unit}` : ''}`);
  }
  return null;
}

/** `[breadth, depth]` spacing of the engine's layout. */
function nodeSize() {
  return [CARD_H + GAP_BREADTH, CARD_W + GAP_DEPTH];
}

/**
 * Screen positions and the ARIA set sizes of a layout. The engine gives breadth in `x` and depth in `y`
 * (d3's convention); cards are drawn with depth to the right. One pass, no layout logic: the engine
 * decided where everything goes.
 */
function geometry(L, nodeCount) {
  const n = L.count;
  const left = new Float64Array(n);
  const top = new Float64Array(n);
  let minB = Infinity;
  let minD = Infinity;
  let maxB = -Infinity;
  let maxD = -Infinity;
  for (let i = 0; i < n; i++) {
    const b = L.x[i];
    const d = L.y[i];
    if (b < minB) minB = b;
    if (b > maxB) maxB = b;
    if (d < minD) minD = d;
    if (d > maxD) maxD = d;
  }
  for (let i = 0; i < n; i++) {
    left[i] = L.y[i] - minD + PAD;
    top[i] = L.x[i] - minB + PAD;
  }
  // aria-posinset / aria-setsize: position among the display siblings (items with the same parent).
  const setsize = new Uint32Array(n);
  const posinset = new Uint32Array(n);
  const childCount = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const p = L.parent[i] + 1; // roots share slot 0
    posinset[i] = ++childCount[p];
  }
  for (let i = 0; i < n; i++) setsize[i] = childCount[L.parent[i] + 1];
  return {
    left,
    top,
    setsize,
    posinset,
    nodeCount,
    width: n ? maxD - minD + CARD_W + 2 * PAD : 0,
    height: n ? maxB - minB + CARD_H + 2 * PAD : 0,
  };
}

if (!customElements.get('kpi-tree')) customElements.define('kpi-tree', KpiTreeElement);
