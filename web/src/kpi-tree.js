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
// The print view (widget-print.js) is built the moment printing starts; export (widget-export.js) is a
// module of its own, loaded on first use.
import * as engine from './engine.js';
// The modules go into the bundle (dist/) in the order of these imports; this order gzips 30 to 70 bytes
// smaller than the alphabetical one.
import { treeKey } from './widget-keys.js';
import { ancestorIds, filteredDocument, filterIds, indexById, searchIds } from './widget-filter.js';
import { CARD_H, CARD_W, closedSiblings, collapseFrom, edge, findItem, geometry, itemKey, itemsOf, layoutOf, opens, primaryOf } from './widget-layout.js';
import { nodeDetails, renderChecking, renderDetails, renderFindings } from './widget-panels.js';
import { buildFrame, errorBox, fillRules, renderSummary } from './widget-frame.js';
import { addMessages, loadMessages, localeOf, localise } from './widget-i18n.js';
import { LARGE_TREE, freeTree, load, nodeInfo, styleSheet } from './widget-load.js';
import { card, scrollToItem } from './widget-cards.js';
import { printView } from './widget-print.js';

// Cards drawn beyond the visible area on each side, so scrolling does not show empty space first.
const OVERSCAN = 320;
// Zoom limits and step. At the smallest, a screen shows the shape of a few hundred cards: an
// overview, still few enough to draw.
const MIN_ZOOM = 0.1;
const MAX_ZOOM = 2;
const ZOOM_STEP = 1.25;

let instances = 0;

// widget-export.js, loaded on first use (an export, the Export menu, print()).
const loadExporter = () => import('./widget-export.js');
const PRINT = matchMedia('print');

// Properties a framework may set before the element is defined (Vue and Angular bind properties, React
// 19 sets them when the element has them; any of them when this module arrives late): they land as own
// properties of the plain element, shadowing the accessors, and are taken over at the upgrade.
const UPGRADED = ['tree', 'baseline', 'src', 'plugins', 'config', 'rules', 'messages', 'locale', 'theme', 'zoom'];

// The deep link of an element with `deep-link`: the whole hash is the selected node's id (`#kpi-nps`),
// or, with a name (`deep-link="sales"`), its entry of the hash's `&`-separated ones (`#sales=kpi-nps&
// ops=kpi-9`), so each element of a page keeps its own and leaves the others'.
function linkHash(name, id) {
  if (!name) return `#${encodeURIComponent(id)}`;
  const entries = new URLSearchParams(location.hash.slice(1));
  entries.set(name, id);
  return `#${entries}`;
}

function linkedId(name) {
  const hash = location.hash.slice(1);
  if (name) return new URLSearchParams(hash).get(name);
  try {
    return decodeURIComponent(hash);
  } catch {
    return null;
  }
}

/** A promise with its settlers; `settled` once either ran. */
function deferred() {
  const d = { settled: false };
  d.promise = new Promise((resolve, reject) => {
    d.resolve = (v) => {
      d.settled = true;
      resolve(v);
    };
    d.reject = (e) => {
      d.settled = true;
      reject(e);
    };
  });
  // A failed load is shown and fired as kpi-error; a page that never asks for `ready` must not also
  // get an unhandled rejection. Who awaits `ready` still sees it reject.
  d.promise.catch(() => {});
  return d;
}

export class KpiTreeElement extends HTMLElement {
  static observedAttributes = ['src', 'plugins', 'config', 'rules', 'baseline', 'locale', 'lang', 'deep-link'];

  // A `lang` above an element decides its locale too (localeOf): one observer per page, of the document
  // and of the shadow roots elements sit in, tells every connected element of each change of one, and
  // is disconnected while none is in the page.
  static #connected = new Set();
  static #langs = new MutationObserver(() => {
    for (const el of KpiTreeElement.#connected) el.#followLocale();
  });

  /**
   * Adds or replaces messages of language `tag` for every element of the page (keys: the English
   * catalog, `EN` in widget-i18n.js; web/README.md). Elements already shown take them on their next load.
   */
  static addMessages(tag, messages) {
    addMessages(tag, messages);
  }

  #uid = `kpi-tree-${++instances}`;
  #root;
  #ui = null; // the element's fixed parts, built once the stylesheet is in
  #resizeObserver = null;
  #generation = 0; // bumps on every reload; stale loads are dropped
  #reloadQueued = false;
  #stale = false; // a reload was asked for while disconnected
  #treeValue = null; // what was set through the `tree` property
  #baselineValue = null; // what was set through the `baseline` property
  #messages = {}; // this element's own messages, over the catalogs
  #loc = localise('en'); // words and formats in the element's locale, set by each load
  #locale = null; // the locale of the latest load's words (or of the relabel asked for)

  // Loaded state.
  #tree = null; // engine Tree of the whole document
  #ownTree = false; // whether this element created #tree (and so frees it)
  #doc = null; // { organisation, as_of }
  #nodes = []; // tree.nodes()
  #byId = new Map(); // id -> node
  #report = null;
  #config = undefined;
  #candidates = null; // ids of pruning candidates, once asked for
  #candidatesOf = null; // the tree they are computed (or being computed) for
  #info = new Map(); // id -> { score, status, health, value, unit, findings, severity }

  // View state: the tree laid out (whole or filtered) and what is drawn.
  #view = null; // { tree, nodes, hits }
  #collapsed = new Set();
  #level = null; // the level chosen by the page or the user (expandToLevel); null: by the tree's size
  #relabelled = false; // the parts are to be built anew in new words by the next load
  #keepSelection = false; // a relabel's reload: the node selected when it shows the tree is selected again
  #restore = null; // that node, selected again once the tree is drawn
  #filters = { activeOnly: false, pruneOnly: false, rule: '', newOnly: false };
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
  #zoom = 1;
  #onHash = () => this.#fromHash();
  #ready = deferred(); // settles with the outcome of the latest load
  // Printing starts (beforeprint, print media) or ends: the print view is built or removed, at once.
  #onPrint = (e) => printView(this.#exportState(), e.type === 'beforeprint' || e.matches === true);

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    for (const name of UPGRADED) {
      if (Object.hasOwn(this, name)) {
        const value = this[name];
        delete this[name];
        this[name] = value;
      }
    }
  }

  // ---------- public API ----------

  get src() {
    return this.getAttribute('src') ?? '';
  }
  set src(v) {
    this.#reflect('src', v);
  }
  get plugins() {
    return this.getAttribute('plugins') ?? '';
  }
  set plugins(v) {
    this.#reflect('plugins', Array.isArray(v) ? v.join(' ') : v);
  }
  get config() {
    return this.getAttribute('config') ?? '';
  }
  set config(v) {
    this.#reflect('config', v);
  }
  /** URL of a file of custom rules (`[[custom_rules]]`, TOML), checked with the configuration's. */
  get rules() {
    return this.getAttribute('rules') ?? '';
  }
  set rules(v) {
    this.#reflect('rules', v);
  }
  /** `light`, `dark`, or '' (auto: the system's), as the `theme` attribute. */
  get theme() {
    return this.getAttribute('theme') ?? '';
  }
  set theme(v) {
    this.#reflect('theme', v);
  }

  /** A property as its attribute: null, undefined or '' (an unset framework binding) removes it. */
  #reflect(name, v) {
    if (v === null || v === undefined || v === '') this.removeAttribute(name);
    else this.setAttribute(name, v);
  }

  /**
   * An earlier report (`kpitree check --format json`, an object or its JSON text) to mark findings new
   * or known against, set directly; it wins over the `baseline` attribute (a URL), which setting it to
   * null brings back.
   */
  get baseline() {
    return this.#baselineValue;
  }
  set baseline(v) {
    this.#baselineValue = v ?? null;
    this.#queueReload();
  }

  /** This element's own messages (key → text, keys of the English catalog), over its language's. */
  get messages() {
    return this.#messages;
  }
  set messages(v) {
    this.#messages = { ...(v ?? {}) };
    this.#relabel();
  }

  /** The locale the element speaks and formats in: `locale`, else the `lang` around it, else the browser's. */
  get locale() {
    return localeOf(this);
  }
  set locale(v) {
    this.#reflect('locale', v);
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

  /**
   * Selects a node by id (expanding its ancestors), as a click on its card would; returns whether it
   * did. An id the tree does not have (or no tree loaded) selects nothing and fires nothing.
   */
  select(id) {
    id = String(id);
    if (!this.#layout || !this.#byId.has(id)) return false;
    this.#reveal(id, false);
    return true;
  }

  /**
   * A promise of the latest load's outcome: fulfilled with the report once the tree is loaded, checked
   * and drawn (when `kpi-findings` fires), rejected with the error when it could not be (`kpi-error`).
   * A reload (a changed attribute or property) gives a new promise once the old one has settled; while
   * no tree is given, it waits.
   */
  get ready() {
    return this.#ready.promise;
  }

  /** The current view (collapsed nodes, filters) as a standalone SVG document. */
  exportSvg() {
    return this.#export('svg');
  }
  /** The current view as a PNG image (a Blob). */
  exportPng() {
    return this.#export('png');
  }
  /** Every finding of the report as CSV text. */
  exportFindingsCsv() {
    return this.#export('csv');
  }
  /** Opens the browser's print dialog; the element prints its view as an outline and its findings. */
  print() {
    return this.#export('print');
  }

  connectedCallback() {
    KpiTreeElement.#connected.add(this);
    for (let root = this.getRootNode(); root; root = root.host?.getRootNode()) {
      KpiTreeElement.#langs.observe(root, { attributeFilter: ['lang'], subtree: true });
    }
    this.#printHooks('addEventListener');
    if (this.#ui) this.#resizeObserver?.observe(this.#ui.viewport);
    window.addEventListener('hashchange', this.#onHash);
    // Moving the element in the page keeps what it shows, in new words if the move changed its locale;
    // only a first connection loads.
    if (!this.#tree || this.#stale) this.#queueReload();
    else this.#followLocale();
  }

  disconnectedCallback() {
    const langs = KpiTreeElement.#connected;
    if (langs.delete(this) && !langs.size) KpiTreeElement.#langs.disconnect();
    window.removeEventListener('hashchange', this.#onHash);
    this.#printHooks('removeEventListener');
    cancelAnimationFrame(this.#frame);
    this.#resizeObserver?.disconnect();
  }

  attributeChangedCallback(name, old, value) {
    if (old === value) return;
    if (name === 'locale' || name === 'lang') this.#followLocale();
    else if (name === 'deep-link') this.#fromHash();
    else this.#queueReload();
  }

  /** Relabels if the locale the element resolves to is not the one it speaks (or is about to). */
  #followLocale() {
    const locale = localeOf(this);
    if (locale === this.#locale) return;
    this.#locale = locale;
    this.#relabel();
  }

  /**
   * Shows everything again in new words: the reload builds the parts anew once the words are in (until
   * then the old ones stay, and work), and selects again what was selected.
   */
  #relabel() {
    this.#relabelled = true;
    this.#keepSelection = true;
    this.#queueReload();
  }

  /** Removes the element's parts (to be built anew). */
  #unbuild() {
    if (!this.#ui) return;
    this.#resizeObserver?.disconnect();
    this.#ui.frame.remove();
    this.#ui.live.remove();
    this.#ui = null;
    this.#rendered.clear();
    this.#renderedOrder = [];
  }

  // ---------- loading ----------

  #queueReload() {
    if (this.#ready.settled) this.#ready = deferred();
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
    // The stylesheet, the words, the engine and the tree download together: load() starts its requests
    // at once and waits for the element's parts (built once the stylesheet and the words are in) only
    // to draw.
    const locale = (this.#locale = localeOf(this));
    const empty = !this.#treeValue && !this.src;
    const ui = Promise.all([styleSheet(), loadMessages(locale)]).then(([sheet]) => {
      if (stale()) return;
      this.#loc = localise(locale, this.#messages);
      // New words, or no tree any more (the one shown is let go): the parts anew.
      if (this.#relabelled || empty) this.#unbuild();
      this.#relabelled = false;
      if (empty) this.#forget();
      if (!this.#ui) this.#build(sheet);
      this.#showMessage(this.#loc.t(this.#treeValue || this.src ? 'message.loading' : 'message.no_tree'));
    });
    if (empty) return ui;
    return load(this, this.#treeValue, this.#baselineValue, stale, {
      ui,
      show: (tree, own, doc, config) => this.#show(tree, own, doc, config),
      adopt: (report) => this.#adopt(report),
      fail: (e) => this.#fail(e),
    });
  }

  /** Draws a newly loaded tree, before its check: no scores, badges or findings yet (#adopt adds them). */
  #show(tree, own, doc, config) {
    this.#releaseTrees();
    this.#tree = tree;
    this.#ownTree = own;
    this.#config = config;
    this.#report = null;
    this.#nodes = doc.nodes;
    this.#byId = indexById(this.#nodes);
    this.#doc = doc;
    this.#candidates = null; // computed when the pruning filter is first used
    this.#candidatesOf = null;
    this.#info = new Map();
    this.#collapsed = new Set();
    this.#matches = new Set();
    this.#matchOrder = [];
    this.#restore = this.#keepSelection ? this.#selectedId : null;
    this.#keepSelection = false;
    this.#selectedId = null;
    this.#ui.search.value = '';
    this.#ui.matches.textContent = '';
    // A large tree opens at its objectives (widget-load.js), unless a level was chosen.
    this.#ui.level.value = String(this.#level ?? (this.#nodes.length > LARGE_TREE ? 2 : 0));
    this.#ui.error.replaceChildren();
    this.#ui.frame.classList.remove('failed');
    this.#ui.exportMenu.hidden = false;
    renderChecking(this.#ui, this.#loc);
    renderSummary(this.#ui, { summary: { organisation: doc.organisation, as_of: doc.as_of } }, this.#nodes.length, this.#loc);
    this.#renderDetails();
    this.#clearCards();
    this.#layout = null;
    // A filter by rule or by baseline needs the findings: the view waits for the check.
    if (this.#filters.rule || this.#filters.newOnly) return;
    this.#showMessage('');
    this.#firstView();
  }

  /** Builds the view of a newly loaded tree and scrolls to its first root, a third of the way down. */
  #firstView() {
    this.#rebuildView();
    const vp = this.#ui.viewport;
    vp.scrollLeft = 0;
    vp.scrollTop = this.#layout?.count ? Math.max(0, this.#geo.top[0] - vp.clientHeight / 3) : 0;
    this.#draw();
    this.#fromHash();
    const keep = this.#restore;
    this.#restore = null;
    if (keep && !this.#selectedId && this.#byId.has(keep)) this.#reveal(keep, false);
  }

  /** The check's report of the tree #show drew: scores, badges, findings; then kpi-findings. */
  #adopt(report) {
    this.#report = report;
    const s = report?.summary ?? {};
    this.#doc = { organisation: s.organisation ?? '', as_of: s.as_of ?? '' };
    this.#info = nodeInfo(report);
    if (this.#filters.rule && !report.findings.some((f) => f.rule === this.#filters.rule)) this.#filters.rule = '';
    // "New only" is offered against a baseline only.
    const baseline = s.new !== undefined;
    this.#ui.newField.hidden = !baseline;
    if (!baseline) this.#filters.newOnly = this.#ui.newOnly.checked = false;
    fillRules(this.#ui.rule, this.#report, this.#filters.rule, this.#loc);
    this.#showMessage('');
    if (!this.#layout) this.#firstView();
    else if (this.#filters.rule || this.#filters.newOnly) this.#rebuildView();
    else this.#redrawCards();
    renderSummary(this.#ui, this.#report, this.#nodes.length, this.#loc);
    this.#renderFindings();
    this.#renderDetails();
    const { t } = this.#loc;
    this.#announce(
      t('announce.loaded', {
        nodes: s.nodes ?? this.#nodes.length,
        findings: report.findings.length - (s.waived ?? 0),
        new: baseline ? t('announce.loaded.new', { count: s.new }) : '',
        waived: s.waived ? t('announce.loaded.waived', { count: s.waived }) : '',
      }),
    );
    this.#emit('kpi-findings', { report });
    this.#fromHash();
    this.#ready.resolve(report);
  }

  #fail(e) {
    const message = e?.message ?? String(e);
    const problems = Array.isArray(e?.problems) ? e.problems : [];
    this.#forget();
    this.#clearCards();
    this.#ui.org.textContent = this.#loc.t('title.default');
    this.#ui.asof.textContent = '';
    this.#ui.health.hidden = true;
    this.#ui.fresh.hidden = true;
    this.#showMessage('');
    // Nothing to search, filter or select: the controls go, the problems take the room.
    this.#ui.frame.classList.add('failed');
    this.#ui.error.replaceChildren(errorBox(e, this.#loc));
    this.#emit('kpi-error', { message, problems });
    this.#ready.reject(e);
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

  /** Lets go of the tree shown, its report and selection: the element shows no tree. */
  #forget() {
    this.#releaseTrees();
    this.#report = null;
    this.#layout = null;
    this.#geo = null;
    this.#selectedId = null;
    this.#restore = null;
    this.#keepSelection = false;
  }

  // ---------- the element's fixed parts ----------

  #build(sheet) {
    this.#root.adoptedStyleSheets = [sheet];
    const ui = buildFrame(this.#root, this.#uid, this.#loc);
    this.#ui = ui;
    // Built anew for a new language: the controls keep what they were set to.
    ui.activeOnly.checked = this.#filters.activeOnly;
    ui.pruneOnly.checked = this.#filters.pruneOnly;
    ui.newOnly.checked = this.#filters.newOnly;

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
      this.#filters = { activeOnly: ui.activeOnly.checked, pruneOnly: ui.pruneOnly.checked, rule: ui.rule.value, newOnly: ui.newOnly.checked };
      if (this.#tree) {
        this.#rebuildView();
        this.#renderFindings();
        this.#showFirstHit();
      }
    };
    for (const control of [ui.activeOnly, ui.pruneOnly, ui.rule, ui.newOnly]) control.addEventListener('change', refilter);
    ui.zoomIn.addEventListener('click', () => this.#setZoom(this.#zoom * ZOOM_STEP));
    ui.zoomOut.addEventListener('click', () => this.#setZoom(this.#zoom / ZOOM_STEP));
    ui.zoomReset.addEventListener('click', () => this.#setZoom(1));
    ui.zoomFit.addEventListener('click', () => this.fit());

    // The Export menu's events are widget-export.js's (loaded by the first of them, opening the menu);
    // they wait for it in order, so a click on an item before it is here is not lost. Their targets are
    // taken now: once dispatched, an event from a shadow tree has none.
    for (const type of ['toggle', 'click', 'keydown', 'focusout']) {
      ui.exportMenu.addEventListener(type, ({ key, target, relatedTarget }) =>
        this.#export('menuEvent', { type, key, target, relatedTarget }),
      );
    }
  }

  // ---------- print and export (widget-export.js) ----------

  /** Calls widget-export.js's `name(state, arg)` with what it reads of the current view. */
  #export(name, arg) {
    // A large tree is drawn before its check: an export waits for the findings it shows.
    const checked = this.#layout && !this.#report && this.#ready.promise.catch(() => {});
    return Promise.all([loadExporter(), checked]).then(([m]) => m[name](this.#exportState(), arg));
  }

  #exportState() {
    return {
      host: this,
      root: this.#root,
      layout: this.#layout,
      geo: this.#geo,
      view: this.#view,
      info: this.#info,
      report: this.#report,
      byId: this.#byId,
      loc: this.#loc,
    };
  }

  #printHooks(method) {
    window[method]('beforeprint', this.#onPrint);
    window[method]('afterprint', this.#onPrint);
    PRINT[method]('change', this.#onPrint);
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
    // The focused item's place, read in the view its layout numbers (the new view numbers nodes anew).
    const prev = this.#view && this.#layout ? itemKey(this.#layout, this.#view.nodes, this.#active) : null;
    this.#dropView();
    if (this.#filters.pruneOnly && !this.#candidates) this.#loadCandidates();
    const f = filterIds(this.#nodes, this.#filters, { candidates: this.#candidates ?? new Set(), findings: this.#report?.findings ?? [] });
    if (f) {
      try {
        // The view's nodes are the document's, which the engine keeps in order.
        const doc = filteredDocument(this.#doc, this.#nodes, f.keep);
        const tree = engine.loadTree(doc, { file: 'filtered view', format: 'json' });
        this.#view = { tree, nodes: doc.nodes, hits: f.hits };
      } catch (e) {
        // A filter that the engine refuses (it should not happen) falls back to the whole tree.
        this.#announce(this.#loc.t('announce.filter.failed', { message: e.message }));
      }
    }
    this.#view ??= { tree: this.#tree, nodes: this.#nodes, hits: null };
    const level = Number(this.#ui.level.value);
    if (level > 0) this.#expandTo(level, prev);
    else this.#relayout(prev);
    const shown = this.#view.nodes.length;
    if (f) this.#announce(this.#loc.t('announce.filter', { hits: f.hits.size, shown }));
  }

  /**
   * Under a filter, opens the branches that hide its matches (a large tree opens collapsed) and scrolls
   * the first one into view (the matches may lie far from where the view was).
   */
  #showFirstHit() {
    const hits = this.#view?.hits;
    if (!hits || !this.#layout) return;
    if (this.#openAncestors(hits)) this.#relayout();
    const L = this.#layout;
    const [first] = itemsOf(L, this.#view.nodes, hits);
    if (first === undefined) return;
    scrollToItem(this.#ui.viewport, this.#geo, first, this.#zoom);
    this.#draw();
  }

  /**
   * Computes the current tree's pruning candidates once, then shows the view again with them. Pruning
   * is the full engine's (no first view needs it, so the lean engine leaves it out): loaded here.
   */
  async #loadCandidates() {
    const tree = this.#tree;
    if (this.#candidatesOf === tree) return;
    this.#candidatesOf = tree;
    let candidates;
    try {
      await engine.initEngine();
      if (this.#tree !== tree) return;
      candidates = new Set((tree.prune({ config: this.#config })?.candidates ?? []).map((c) => c.id));
    } catch (e) {
      if (this.#tree !== tree) return;
      // Pruning is extra information: without it the filter shows nothing and says why.
      this.#announce(this.#loc.t('announce.prune.failed', { message: e.message }));
      candidates = new Set();
    }
    this.#candidates = candidates;
    if (!this.#filters.pruneOnly || !this.#layout) return;
    this.#rebuildView();
    this.#renderFindings();
    this.#showFirstHit();
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
    this.#level = Number(level) || 0;
    this.#expandTo(this.#level);
  }

  #expandTo(level, prev) {
    if (!this.#view) return;
    this.#ui.level.value = String(level);
    this.#collapsed = new Set();
    if (level > 0) collapseFrom(this.#collapsed, this.#view.tree, this.#view.nodes, level);
    this.#relayout(prev);
  }

  /** Expands every node. */
  expandAll() {
    this.expandToLevel(0);
  }

  /** The zoom of the tree: 1 is 100%; set between 0.1 and 2, keeping the middle of the view in place. */
  get zoom() {
    return this.#zoom;
  }
  set zoom(z) {
    this.#setZoom(Number(z));
  }

  /** Zooms out until the whole view (the tree as expanded and filtered) fits, at most to 100%, and shows it from its start. */
  fit() {
    const g = this.#geo;
    const vp = this.#ui?.viewport;
    if (!g || !vp || !g.width) return;
    this.#setZoom(Math.min(1, vp.clientWidth / g.width, vp.clientHeight / g.height));
    vp.scrollLeft = 0;
    vp.scrollTop = 0;
    this.#draw();
  }

  #setZoom(z) {
    if (!Number.isFinite(z)) return;
    z = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z));
    const vp = this.#ui?.viewport;
    const old = this.#zoom;
    this.#zoom = z;
    if (!vp || !this.#geo) return;
    // The point in the middle of the view stays there.
    const cx = (vp.scrollLeft + vp.clientWidth / 2) / old;
    const cy = (vp.scrollTop + vp.clientHeight / 2) / old;
    this.#sizeCanvas();
    vp.scrollLeft = cx * z - vp.clientWidth / 2;
    vp.scrollTop = cy * z - vp.clientHeight / 2;
    this.#draw();
  }

  /** The canvas at 100%, scaled by the zoom; the sizer holds the scaled extent the viewport scrolls. */
  #sizeCanvas() {
    const { width, height } = this.#geo;
    const z = this.#zoom;
    const ui = this.#ui;
    ui.canvas.style.width = `${width}px`;
    ui.canvas.style.height = `${height}px`;
    ui.canvas.style.transform = z === 1 ? '' : `scale(${z})`;
    ui.sizer.style.width = `${width * z}px`;
    ui.sizer.style.height = `${height * z}px`;
    ui.links.setAttribute('width', width);
    ui.links.setAttribute('height', height);
    ui.zoomReset.textContent = this.#loc.pct(z);
    ui.zoomOut.disabled = z <= MIN_ZOOM;
    ui.zoomIn.disabled = z >= MAX_ZOOM;
  }

  /** Lays out the view again, keeping the focus on the item at `prev` (an itemKey; default: the focused one). */
  #relayout(prev = this.#layout && itemKey(this.#layout, this.#view.nodes, this.#active)) {
    const layout = layoutOf(this.#view.tree, this.#view.nodes, this.#collapsed);
    this.#layout = layout;
    this.#geo = geometry(layout);
    this.#sizeCanvas();
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
    // The visible area in the canvas's own (100%) pixels.
    const z = this.#zoom;
    const x0 = vp.scrollLeft / z - OVERSCAN;
    const y0 = vp.scrollTop / z - OVERSCAN;
    const x1 = (vp.scrollLeft + (vp.clientWidth || 800)) / z + OVERSCAN;
    const y1 = (vp.scrollTop + (vp.clientHeight || 600)) / z + OVERSCAN;
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
      const d = edge(this.#geo, i, p);
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
      const el = card(i, L, this.#geo, this.#view, this.#info, this.#matches, this.#selectedId, this.#active, this.#loc);
      this.#rendered.set(i, el);
      const next = j < before.length ? this.#rendered.get(before[j]) : null;
      this.#ui.tree.insertBefore(el, next);
    }
    this.#renderedOrder = want;
  }

  /** Draws the cards in the DOM anew (the check's badges and figures), keeping the focus where it is. */
  #redrawCards() {
    const focused = this.#root.activeElement;
    for (const [i, old] of this.#rendered) {
      const el = card(i, this.#layout, this.#geo, this.#view, this.#info, this.#matches, this.#selectedId, this.#active, this.#loc);
      old.replaceWith(el);
      this.#rendered.set(i, el);
      if (old === focused) el.focus({ preventScroll: true });
    }
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
    scrollToItem(this.#ui.viewport, this.#geo, i, this.#zoom);
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
    // With `deep-link`, the selection is in the page's URL hash (replaced, so Back leaves the page as before).
    const link = this.getAttribute('deep-link');
    if (link !== null) {
      const hash = linkHash(link, id);
      if (location.hash !== hash) history.replaceState(history.state, '', hash);
    }
    // The new details from their top; when the panels are stacked under the tree (a narrow element),
    // the column scrolls as one and the details are its top.
    this.#ui.details.scrollTop = 0;
    this.#ui.sidebar.scrollTop = 0;
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

  /** With `deep-link`: selects the node the URL hash names, if the tree has it (on load and when the hash changes). */
  #fromHash() {
    const link = this.getAttribute('deep-link');
    if (link === null || !this.#layout) return;
    const id = linkedId(link);
    if (id && id !== this.#selectedId && this.#byId.has(id)) this.#reveal(id, false);
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
    this.#ui.matches.textContent = query.trim() ? this.#loc.t('search.matches', { count: n }) : '';
    if (n) scrollToItem(this.#ui.viewport, this.#geo, this.#matchOrder[0], this.#zoom);
    this.#draw();
  }

  #nextMatch(step) {
    const order = this.#matchOrder;
    if (!order.length) return;
    this.#matchCursor = (this.#matchCursor + step + order.length) % order.length;
    const i = order[this.#matchCursor];
    this.#pick(i, false);
    this.#ui.matches.textContent = this.#loc.t('search.position', { index: this.#matchCursor + 1, count: order.length });
  }

  // ---------- panels ----------

  #renderFindings() {
    const report = this.#report;
    if (!report) return;
    const viewIds = this.#view?.hits ? new Set(this.#view.nodes.map((n) => n.id)) : null;
    renderFindings(this.#ui, report, this.#filters, viewIds, this.#byId, (id) => this.#reveal(id), this.#loc);
  }

  #renderDetails() {
    renderDetails(this.#ui.details, this.#selectedId, this.#tree, this.#byId, this.#nodes, this.#info, this.#report, (id) => this.#reveal(id), this.#loc);
  }
}

if (!customElements.get('kpi-tree')) {
  customElements.define('kpi-tree', KpiTreeElement);
}
