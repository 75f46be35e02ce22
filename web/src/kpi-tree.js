// The <kpi-tree> custom element: one script tag, no framework.
//
//   <script type="module" src="/kpitree/kpi-tree.js"></script>
//   <kpi-tree src="/data/tree.json" plugins="/rules/owners.wasm" config="/kpitree.toml"></kpi-tree>
//
// The engine (wasm, ./engine.js) loads and checks the tree and computes the layout; the element only draws
// what the engine returns. Drawing is virtualised: only the cards within (or near) the visible part of the
// viewport are in the DOM, so a 10,000-node tree costs as much to show as a 50-node one. The tree follows
// the ARIA tree pattern with a roving tabindex; the focused card is always kept in the DOM.
//
// This file holds the element's state, draws the cards in view and ties the parts together; the parts
// are the widget-*.js modules (bundled into this file in dist/): loading (widget-load.js), the fixed
// parts and toolbar (widget-frame.js), layout geometry and display items (widget-layout.js), one card
// (widget-cards.js), keys (widget-keys.js), the findings and details panels (widget-panels.js),
// filters and search (widget-filter.js), the chart (widget-chart.js), DOM helpers (widget-dom.js).
import * as engine from './engine.js';
// The modules go into the bundle (dist/) in the order of these imports; this order gzips 30 to 70 bytes
// smaller than the alphabetical one.
import { treeKey } from './widget-keys.js';
import { ancestorIds, filteredDocument, filterIds, indexById, searchIds } from './widget-filter.js';
import { CARD_H, CARD_W, closedSiblings, collapseFrom, findItem, geometry, itemKey, itemsOf, layoutOf, opens, primaryOf } from './widget-layout.js';
import { put } from './widget-dom.js';
import { nodeDetails, renderDetails, renderFindings } from './widget-panels.js';
import { buildFrame, errorBox, fillRules, renderSummary } from './widget-frame.js';
import { freeTree, load, nodeInfo, styleSheet } from './widget-load.js';
import { card, scrollToItem } from './widget-cards.js';

// Cards drawn beyond the visible area on each side, so scrolling does not show empty space first.
const OVERSCAN = 320;

let instances = 0;

export class KpiTreeElement extends HTMLElement {
  static observedAttributes = ['src', 'plugins', 'config', 'rules'];

  #uid = `kpi-tree-${++instances}`;
  #root;
  #ui = null; // the element's fixed parts, built once the stylesheet is in
  #resizeObserver = null;
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
  #lastQuery = '';
  #layout = null;
  #geo = null; // geometry(): { left, top, setsize, posinset, width, height }
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
  /** URL of a file of custom rules (`[[custom_rules]]`, TOML), checked with the configuration's. */
  get rules() {
    return this.getAttribute('rules') ?? '';
  }
  set rules(v) {
    this.setAttribute('rules', v);
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
    this.#reveal(id, false);
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
    return load(
      this,
      this.#treeValue,
      stale,
      (tree, own, config, report) => this.#adopt(tree, own, config, report),
      (e) => this.#fail(e),
    );
  }

  #adopt(tree, own, config, report) {
    this.#releaseTrees();
    this.#tree = tree;
    this.#ownTree = own;
    this.#config = config;
    this.#report = report;
    this.#nodes = tree.nodes();
    this.#byId = indexById(this.#nodes);
    const s = report?.summary ?? {};
    this.#doc = { organisation: s.organisation ?? '', as_of: s.as_of ?? '' };
    this.#candidates = null; // computed when the pruning filter is first used
    this.#info = nodeInfo(report);
    this.#collapsed = new Set();
    this.#matches = new Set();
    this.#matchOrder = [];
    this.#selectedId = null;
    this.#ui.search.value = '';
    this.#ui.matches.textContent = '';
    if (this.#filters.rule && !report.findings.some((f) => f.rule === this.#filters.rule)) this.#filters.rule = '';
    fillRules(this.#ui.rule, this.#report, this.#filters.rule);
    this.#showMessage('');
    this.#ui.error.replaceChildren();
    this.#rebuildView();
    // Start with the first root in view, a third of the way down.
    const vp = this.#ui.viewport;
    vp.scrollLeft = 0;
    vp.scrollTop = this.#layout?.count ? Math.max(0, this.#geo.top[0] - vp.clientHeight / 3) : 0;
    this.#draw();
    renderSummary(this.#ui, this.#report, this.#nodes.length);
    this.#renderFindings();
    this.#renderDetails();
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
    const box = errorBox(message, problems);
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

  /** Frees the filtered view's tree (the whole tree's is not the view's to free). */
  #dropView() {
    if (this.#view && this.#view.tree !== this.#tree) freeTree(this.#view.tree);
    this.#view = null;
  }

  #releaseTrees() {
    this.#dropView();
    if (this.#ownTree) freeTree(this.#tree);
    this.#tree = null;
  }

  // ---------- the element's fixed parts ----------

  #build() {
    const ui = buildFrame(this.#root, this.#uid);
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
    for (const control of [ui.activeOnly, ui.pruneOnly, ui.rule]) control.addEventListener('change', refilter);
  }

  #showMessage(text) {
    this.#ui.message.textContent = text;
  }

  #announce(text) {
    this.#ui.live.textContent = text;
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  // ---------- view: filters, layout, geometry ----------

  #rebuildView() {
    this.#dropView();
    if (this.#filters.pruneOnly && !this.#candidates) this.#candidates = this.#pruneCandidates();
    const f = filterIds(this.#nodes, this.#filters, { candidates: this.#candidates ?? new Set(), findings: this.#report?.findings ?? [] });
    if (f) {
      try {
        const tree = engine.loadTree(filteredDocument(this.#doc, this.#nodes, f.keep), { file: 'filtered view', format: 'json' });
        this.#view = { tree, nodes: tree.nodes(), hits: f.hits };
      } catch (e) {
        // A filter that the engine refuses (it should not happen) falls back to the whole tree.
        this.#announce(`Filter not applied: ${e.message}`);
      }
    }
    this.#view ??= { tree: this.#tree, nodes: this.#nodes, hits: null };
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

  /** Opens the ancestors of the nodes `ids` in the view; returns whether one was closed. */
  #openAncestors(ids) {
    const byId = this.#view.tree === this.#tree ? this.#byId : indexById(this.#view.nodes);
    let changed = false;
    for (const a of ancestorIds(byId, ids)) changed = this.#collapsed.delete(a) || changed;
    return changed;
  }

  /** Collapses every node at `level` (1 = strategies) and expands those above it; 0 expands all. */
  expandToLevel(level) {
    if (!this.#view) return;
    this.#ui.level.value = String(level);
    this.#collapsed = new Set();
    if (level > 0) collapseFrom(this.#collapsed, this.#view.tree, this.#view.nodes, level);
    this.#relayout();
  }

  /** Expands every node. */
  expandAll() {
    this.expandToLevel(0);
  }

  #relayout() {
    const prev = this.#layout && itemKey(this.#layout, this.#view.nodes, this.#active);
    const layout = layoutOf(this.#view.tree, [...this.#collapsed]);
    this.#layout = layout;
    this.#geo = geometry(layout);
    this.#ui.canvas.style.width = `${this.#geo.width}px`;
    this.#ui.canvas.style.height = `${this.#geo.height}px`;
    this.#ui.links.setAttribute('width', this.#geo.width);
    this.#ui.links.setAttribute('height', this.#geo.height);
    this.#clearCards();
    this.#active = prev ? findItem(layout, this.#view.nodes, prev) : 0;
    this.#matchOrder = itemsOf(layout, this.#view.nodes, this.#matches);
    this.#draw();
  }

  // ---------- drawing (virtualised) ----------

  #schedule() {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#draw();
    });
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
      const el = card(i, L, this.#geo, this.#view, this.#info, this.#matches, this.#selectedId, this.#active);
      this.#rendered.set(i, el);
      const next = j < before.length ? this.#rendered.get(before[j]) : null;
      this.#ui.tree.insertBefore(el, next);
    }
    this.#renderedOrder = want;
  }

  #clearCards() {
    for (const el of this.#rendered.values()) el.remove();
    this.#rendered.clear();
    this.#renderedOrder = [];
    this.#ui.linkPath.setAttribute('d', '');
    this.#ui.refPath.setAttribute('d', '');
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
  #moveTo(i, focus = true) {
    const L = this.#layout;
    if (!L || L.count === 0) return;
    i = Math.max(0, Math.min(L.count - 1, i));
    this.#setActive(i);
    scrollToItem(this.#ui.viewport, this.#geo, i);
    this.#draw();
    const el = this.#rendered.get(i);
    el.tabIndex = 0;
    if (focus) el.focus({ preventScroll: true });
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
      const p = primaryOf(L, this.#view.nodes, this.#view.nodes[L.node[i]].id);
      if (p >= 0) target = p;
    }
    this.#pick(target);
  }

  /** Moves the roving focus to item `i` (focusing it when asked) and selects its node. */
  #pick(i, focus = true) {
    this.#moveTo(i, focus);
    this.#selectNode(this.#view.nodes[this.#layout.node[i]].id);
  }

  #selectNode(id) {
    this.#selectedId = id;
    for (const el of this.#rendered.values()) {
      const on = el.dataset.id === id && !el.classList.contains('ref');
      el.setAttribute('aria-selected', on ? 'true' : 'false');
    }
    this.#renderDetails();
    const node = nodeDetails(this.#tree, this.#byId, id);
    this.#emit('kpi-select', { id, node });
  }

  #toggle(i) {
    const L = this.#layout;
    if (!opens(L.flags[i])) return;
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
    treeKey(e, L, this.#active, (j) => this.#moveTo(j), (j) => this.#toggle(j), (j) => this.#activate(j), (j) => this.#expandSiblings(j));
  }

  #expandSiblings(i) {
    const ids = closedSiblings(this.#layout, this.#view.nodes, i);
    for (const id of ids) this.#collapsed.delete(id);
    if (ids.length) {
      this.#relayout();
      this.#moveTo(this.#active);
    }
  }

  /** Shows node `id`: expands its ancestors, scrolls to it, selects it (and focuses it when asked). */
  #reveal(id, focus = true) {
    if (!this.#layout) return;
    let i = primaryOf(this.#layout, this.#view.nodes, id);
    const inView = this.#view.nodes.some((n) => n.id === id);
    if (i < 0 && inView) {
      if (this.#openAncestors([id])) this.#relayout();
      i = primaryOf(this.#layout, this.#view.nodes, id);
    }
    if (i >= 0) {
      this.#pick(i, focus);
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
    if (this.#matches.size) this.#openAncestors(this.#matches);
    this.#relayout();
    const n = this.#matches.size;
    this.#ui.matches.textContent = query.trim() ? `${n} match${n === 1 ? '' : 'es'}` : '';
    if (n) scrollToItem(this.#ui.viewport, this.#geo, this.#matchOrder[0]);
    this.#draw();
  }

  #nextMatch(step) {
    const order = this.#matchOrder;
    if (!order.length) return;
    this.#matchCursor = (this.#matchCursor + step + order.length) % order.length;
    const i = order[this.#matchCursor];
    this.#pick(i, false);
    this.#ui.matches.textContent = `${this.#matchCursor + 1} of ${order.length}`;
  }

  // ---------- panels ----------

  #renderFindings() {
    const report = this.#report;
    if (!report) return;
    const viewIds = this.#view?.hits ? new Set(this.#view.nodes.map((n) => n.id)) : null;
    renderFindings(this.#ui, report, this.#filters.rule, viewIds, this.#byId, (id) => this.#reveal(id));
  }

  #renderDetails() {
    renderDetails(this.#ui.details, this.#selectedId, this.#tree, this.#byId, this.#nodes, this.#info, this.#report, (id) => this.#reveal(id));
  }
}

if (!customElements.get('kpi-tree')) customElements.define('kpi-tree', KpiTreeElement);
