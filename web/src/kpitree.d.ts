// TypeScript declarations for kpitree's public JS API: the engine (engine.js), rule plugins in the
// page (plugins.js) and the <kpi-tree> element (kpi-tree.js). Shapes of documents and reports are the
// JSON formats of the CLI (`schema/tree.schema.json`, `kpitree check --format json`).

// ---------------------------------------------------------------- documents

export type NodeKind = 'strategy' | 'objective' | 'key_result' | 'kpi';
export type Status = 'active' | 'draft' | 'retired';
export type Severity = 'error' | 'warning' | 'info';

export interface Measurement { date: string; value: number }
export interface CheckIn { date: string; value: number; confidence?: number; note?: string }

/** A node as the JSON format has it (fields that are absent are left out). */
export interface TreeNode {
  id: string;
  kind: NodeKind;
  title: string;
  description?: string;
  rationale?: string;
  owner?: string;
  department?: string;
  parents?: string[];
  status?: Status;
  period?: string;
  start?: number;
  target?: number;
  current?: number;
  unit?: string;
  confidence?: number;
  cadence_days?: number;
  check_ins?: CheckIn[];
  direction?: 'higher_is_better' | 'lower_is_better';
  indicator?: 'leading' | 'lagging';
  thresholds?: { at_risk?: number; off_track?: number };
  measurements?: Measurement[];
  last_reviewed?: string;
  used_in_appraisal?: boolean;
  [field: string]: unknown;
}

export interface Link { from: string; to: string; kind: 'drives'; lag_days?: number; note?: string }

export interface TreeDocument {
  version: number;
  organisation: string;
  as_of: string;
  nodes: TreeNode[];
  links?: Link[];
  [field: string]: unknown;
}

// ---------------------------------------------------------------- reports

export interface Finding {
  rule: string;
  severity: Severity;
  nodes: string[];
  message: string;
  why: string;
  fix: string;
  evidence?: Record<string, unknown>;
  /** The rule plugin that reported it (absent for built-in rules). */
  plugin?: string;
  /** What the finding is (rule and nodes, never its wording): how baselines recognise it. */
  fingerprint: string;
  /** The waiver that covers it (on its node, or `[[waivers]]`): it counts for nothing. */
  waived?: { reason: string; until?: string };
  /** Against a baseline: not in it, or known from it. */
  baseline?: 'new' | 'known';
}

/** A rule plugin that failed; the other rules' findings are all in the report. */
export interface PluginFailure {
  plugin: string;
  /** `timeout`, `out-of-memory`, `trap`, `not-json`, `unknown-node`, `import`, ... */
  code: string;
  /** The whole message, as `kpitree check --plugin` prints it. */
  message: string;
}

/** `kpitree check --format json`. */
export interface Report {
  findings: Finding[];
  summary: Record<string, unknown> & {
    /** Counted findings by severity: waived ones are left out. */
    errors: number;
    warnings: number;
    infos: number;
    rules_run: number;
    /** Findings a waiver covers; absent when none. */
    waived?: number;
    /** Against a baseline only: counted findings new, and known from it. */
    new?: number;
    known?: number;
  };
  scores: Record<string, unknown> & { health: number };
  /** Present only when a plugin failed. */
  plugin_errors?: PluginFailure[];
}

/** `kpitree prune --format json`. */
export interface PruneReport {
  candidates: Array<Record<string, unknown> & { id: string }>;
  [key: string]: unknown;
}

// ---------------------------------------------------------------- engine.js

/** An invalid tree or configuration (or a plugin that cannot be loaded, from loadPlugin). */
export declare class KpiTreeError extends Error {
  name: 'KpiTreeError';
  /** Exactly the CLI's text: `file:line:col: error[code]: message`, one line per problem. */
  message: string;
  problems: Problem[];
}

export interface Problem {
  code: string;
  message: string;
  file: string;
  node: string | null;
  field: string | null;
  line: number | null;
  column: number | null;
}

/**
 * Loads the engine's wasm once; call and await before anything else. By default the full engine
 * (`./pkg/`); `{ lean: true }` loads the lean one (`./pkg/lean/`, a quarter of the size: valid JSON
 * trees checked and laid out with the default configuration, what a first view needs) unless the
 * full one is loaded already. With only the lean engine, CSV trees, any configuration (`loadConfig`,
 * a `config` option), baselines and `defaultLimits` throw, and so do a lean tree's `prune`,
 * `document`, `nodes` and `node`; a later `initEngine()` adds the full engine (plugins.js loads it
 * itself), and a tree the lean engine read then does all of these through a copy the full engine
 * reads from the same text, with the same results.
 */
export declare function initEngine(options?: { lean?: boolean }): Promise<void>;

export interface LoadTreeOptions {
  /** The name messages use. Default `tree.json`. */
  file?: string;
  /** `json` (default; `csv` when `file` ends in `.csv`) or `csv`. Ignored for an object. */
  format?: 'json' | 'csv';
  /** CSV only: the tree's date (YYYY-MM-DD) when the file does not say it. */
  asOf?: string;
  /** CSV only: the organisation when the file does not say it. */
  organisation?: string;
}

/** The bytes of a file (a response's `arrayBuffer()`, a typed array or DataView over one): UTF-8. */
export type TreeBytes = ArrayBuffer | ArrayBufferView;

/**
 * Loads and validates a tree from JSON text, CSV text, the bytes of a file (read as the CLI reads a
 * file, without a copy into a string first) or a document object. Throws KpiTreeError. With
 * only the lean engine loaded, an invalid tree throws one with the code `needs-full-engine` (its
 * located messages are the full engine's; `readTree` handles that), and the tree keeps a copy of
 * its text for the full engine.
 */
export declare function loadTree(input: string | TreeBytes | TreeDocument, options?: LoadTreeOptions): Tree;

/**
 * `loadTree`, also for text the lean engine does not read: the lean engine declines what its small
 * JSON reader cannot read exactly as the full one does (a broken file, mostly) and every invalid
 * tree (code `needs-full-engine`); then this loads the full engine and reads again, so errors carry
 * the CLI's located messages.
 */
export declare function readTree(input: string | TreeBytes | TreeDocument, options?: LoadTreeOptions): Promise<Tree>;

/**
 * An earlier report read by the engine, to check against (`kpitree check --baseline`). Findings are
 * recognised by their fingerprint; with a report of several trees, the entry whose `file` is the
 * tree's file name is used (none: every finding is new).
 */
export declare class Baseline {
  /** Its JSON text. */
  readonly text: string;
  /** The name messages use. */
  readonly file: string;
  /** How many findings it knows. */
  readonly findings: number;
}

/** A report of `kpitree check --format json` (JSON text or the object), or a Baseline. */
export type BaselineInput = Baseline | string | Report | { files: Array<{ file: string; report?: Report }> };

/**
 * Reads a baseline; throws KpiTreeError with the CLI's located messages (`file` names it, default
 * `baseline.json`). Full engine only: it throws when only the lean engine is loaded; a tree the lean
 * engine loaded is checked against it through its copy in the full engine.
 */
export declare function loadBaseline(input: BaselineInput, options?: { file?: string }): Baseline;

/** `loadBaseline` once the full engine is loaded: it loads it (trees read after it use it too). */
export declare function readBaseline(input: BaselineInput, options?: { file?: string }): Promise<Baseline>;

/** A custom rule as written (`[[custom_rules]]`; conditions in CEL, docs/format.md). */
export interface CustomRule {
  id: string;
  severity?: Severity;
  kinds?: Array<'strategy' | 'objective' | 'key_result' | 'kpi'>;
  when?: string;
  assert: string;
  message?: string;
  summary?: string;
  why?: string;
  fix?: string;
}

/** A configuration: `[rules.<id>]`, `[plugins.<name>]`, plugin `[limits]`, `[[custom_rules]]`. */
export declare class Config {
  readonly source: string;
  readonly rules: Record<string, { enabled?: boolean; severity?: Severity; [option: string]: unknown }>;
  readonly plugins: Record<string, unknown>;
  readonly limits: Record<string, number>;
  readonly custom_rules?: CustomRule[];
  /** The configuration as the engine reads it. */
  readonly json: string;
}

export type ConfigInput =
  | Config
  | string
  | { rules?: object; plugins?: object; limits?: object; custom_rules?: CustomRule[] };

/**
 * Reads a configuration from TOML (`kpitree.toml`), JSON text (`format: 'json'`) or an object. Throws
 * KpiTreeError with the CLI's messages. Rule ids that no built-in rule has are checked when a check
 * runs, where the plugins' rules are known.
 */
export declare function loadConfig(input: ConfigInput, options?: { file?: string; format?: 'toml' | 'json' }): Config;

/**
 * Adds the custom rules of a rules file (TOML `[[custom_rules]]`, named `file` in messages) to
 * `config` and checks them together, as `kpitree check --rules FILE`. Full engine only.
 */
export declare function withRules(config: ConfigInput | null | undefined, text: string, options?: { file?: string }): Config;

/** The native host's default plugin limits (plugins/ABI.md). */
export declare function defaultLimits(): PluginLimits;

/** Bits of `Layout.flags`. */
export declare const enum LayoutFlag {
  /** The node has children in the tree (shown or not). */
  HasChildren = 1,
  /** The item shows its children. */
  Expanded = 2,
  /** A shared node shown again under another parent than its first; its subtree is not repeated. */
  Reference = 4,
  /** The node has more than one parent. */
  Shared = 8,
}

/**
 * The display tree laid out: the DAG unfolded (a node with several parents sits under its first
 * parent and appears under the others as a reference item), collapsed nodes' subtrees hidden, roots
 * side by side. Items are in preorder, so index order is the visible order. x and y are centres: every
 * item's box (nodeSize) lies inside 0..width × 0..height.
 */
export interface Layout {
  count: number;
  width: number;
  height: number;
  x: Float64Array;
  y: Float64Array;
  depth: Uint32Array;
  /** Display parent's item index, -1 for a root. */
  parent: Int32Array;
  /** Index into `tree.nodes()`. */
  node: Uint32Array;
  /** LayoutFlag bits. */
  flags: Uint8Array;
}

export interface LayoutOptions {
  /** Node ids whose children are hidden (unknown ids are ignored). */
  collapsed?: Iterable<string>;
  /** Node indices (into `nodes()`) whose children are hidden, as `openableFrom` gives them. */
  collapsedNodes?: ArrayLike<number>;
  /** Width and height one item takes, gaps included. Default [1, 1]. */
  nodeSize?: [number, number];
  /** Distance between neighbours in node widths: one number, or [siblings, cousins]. Default [1, 2]. */
  separation?: number | [number, number];
}

/** A validated tree in the engine. Call `free()` when done with it. */
export declare class Tree {
  readonly count: number;
  readonly file: string;
  /** The whole document. For a tree the lean engine read, once the full engine is loaded. */
  document(): TreeDocument;
  /** Every node in document order, with the JSON format's fields. Lean tree: as `document`. */
  nodes(): TreeNode[];
  /** One node with its measurements and check-ins, or undefined. Lean tree: as `document`. */
  node(id: string): TreeNode | undefined;
  /**
   * The report of `kpitree check --format json` (same keys, same order of findings); with `baseline`,
   * of `kpitree check --baseline`: each finding marked `new` or `known`, the summary counting both.
   */
  check(options?: { config?: ConfigInput; baseline?: BaselineInput }): Report;
  /** The report of `kpitree prune --format json`. Lean tree: as `document`. */
  prune(options?: { config?: ConfigInput; reasons?: Array<'orphaned' | 'stale' | 'duplicated'> }): PruneReport;
  layout(options?: LayoutOptions): Layout;
  /**
   * The nodes (indices into `nodes()`) with children at display depth `depth` or deeper (0: the
   * roots): what a view opened `depth` levels deep closes, for `layout`'s `collapsedNodes`.
   */
  openableFrom(depth: number): Uint32Array;
  free(): void;
}

// ---------------------------------------------------------------- plugins.js

/** Per-call limits for plugins in the page; defaults are the native host's (plugins/ABI.md). */
export interface PluginLimits {
  /** Wall time per call, ms (the worker is terminated). Default 5000. */
  timeMs?: number;
  /** Memory maximum in bytes. Default 256 MiB. */
  memory?: number;
  /** Module size in bytes. Default 16 MiB. */
  moduleSize?: number;
  /** Request size in bytes. Default 64 MiB. */
  inputSize?: number;
  /** Manifest or response size in bytes. Default 8 MiB. */
  outputSize?: number;
  /** Functions a module may define (checked before compiling). Default 10000. */
  functions?: number;
  /** Bytes of function code a module may hold (checked before compiling). Default 4 MiB. */
  codeSize?: number;
}

/** A plugin: the URL of its `.wasm`, its bytes, or its bytes with a name for messages. */
export type PluginSource = string | URL | ArrayBuffer | ArrayBufferView | { name: string; bytes: ArrayBuffer | ArrayBufferView };

export interface PluginManifest {
  name: string;
  version: string;
  description: string;
  rules: Array<{ id: string; severity: Severity; summary: string; why: string; fix: string }>;
  config_schema: object;
}

/**
 * `tree.check()` plus rule plugins run in Web Workers under limits: the report of
 * `kpitree check --plugin ... --format json`. A failing plugin becomes an entry of `plugin_errors`.
 * Throws KpiTreeError only for an invalid configuration.
 */
export declare function checkWithPlugins(
  tree: Tree,
  options?: { config?: ConfigInput; plugins?: PluginSource[]; limits?: PluginLimits; baseline?: BaselineInput },
): Promise<Report>;

/** Loads a plugin to show its rules; throws KpiTreeError with the plugin error when it cannot. */
export declare function loadPlugin(
  plugin: PluginSource,
  options?: { limits?: PluginLimits },
): Promise<{ name: string; manifest: PluginManifest }>;

// ---------------------------------------------------------------- kpi-tree.js

/** A label: text with `{name}` placeholders, or plural forms chosen by Intl.PluralRules from `{count}`. */
export type Message = string | Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

export interface KpiSelectDetail { id: string; node: TreeNode }
export interface KpiFindingsDetail { report: Report }
export interface KpiErrorDetail { message: string; problems: Problem[] }

/**
 * `<kpi-tree src="/data/tree.json" plugins="/rules/a.wasm /rules/b.wasm" config="/kpitree.toml">`.
 * Events bubble and are composed: `kpi-select`, `kpi-findings`, `kpi-error`. The properties that
 * mirror an attribute remove it when set to null, undefined or ''.
 */
export declare class KpiTreeElement extends HTMLElement {
  static observedAttributes: string[];
  /** Adds or replaces messages of language `tag` (keys of the English catalog) for every element. */
  static addMessages(tag: string, messages: Record<string, Message>): void;
  /** URL of the tree (JSON, or CSV by `.csv`). */
  src: string;
  /** Space-separated plugin URLs (an array may be assigned). */
  plugins: string;
  /** URL of a `kpitree.toml`. */
  config: string;
  /** URL of a file of custom rules (`[[custom_rules]]`), with the configuration's. */
  rules: string;
  /** The `theme` attribute: `light`, `dark`, or '' (absent, `auto`: the system's). */
  theme: string;
  /**
   * A report (object or JSON text of `kpitree check --format json`) to mark findings new or known
   * against, set directly; it wins over the `baseline` attribute (the URL of such a report). null: the
   * attribute's, if any.
   */
  baseline: Report | string | null;
  /** A document (object or JSON text) or an engine Tree set directly; it wins over `src`. */
  tree: TreeDocument | string | Tree | null;
  /** The last check's report, or null. */
  readonly report: Report | null;
  /** The selected node's id, or null. */
  readonly selected: string | null;
  /**
   * The latest load: fulfilled with the report once the tree is loaded, checked and drawn, rejected
   * with the error (a KpiTreeError for a bad tree); a reload gives a new promise once this one settled.
   */
  readonly ready: Promise<Report>;
  /**
   * The locale labels, numbers and dates use: the `locale` attribute, else the `lang` around, else the
   * browser's. A change of the `lang` that decides it (on the page, a container, a move) relabels.
   */
  locale: string;
  /** This element's own labels (key → message), over its language's. */
  messages: Record<string, Message>;
  /** The drawing's zoom, 0.1 to 2 (1 = 100%). */
  zoom: number;
  /** Zooms out (not past 100%, nor below 10%) until the whole view fits. */
  fit(): void;
  /** Selects a node (expanding its ancestors); false, firing nothing, for an id the tree does not have. */
  select(id: string): boolean;
  /** Shows every node down to `level` (1 = the roots). */
  expandToLevel(level: number): void;
  /** Shows every node. */
  expandAll(): void;
  /**
   * The current view (its collapsed nodes and filters, every display item, not only those on screen)
   * as a standalone SVG document in the element's theme. Rejects when no tree is loaded.
   */
  exportSvg(): Promise<string>;
  /**
   * The current view as a PNG: scale 2, smaller when a side would pass 16,384 px or the image about
   * 100 megapixels. Rejects when no tree is loaded.
   */
  exportPng(): Promise<Blob>;
  /**
   * Every finding of the report, counted and waived, as CSV (RFC 4180, CRLF, no BOM): severity, rule,
   * plugin, message, nodes, titles, waived, waived_until, waiver_reason, baseline, fingerprint.
   * Rejects when no tree is loaded.
   */
  exportFindingsCsv(): Promise<string>;
  /** Opens the browser's print dialog; the element prints its view as an outline, then its findings. Rejects when no tree is loaded. */
  print(): Promise<void>;
  addEventListener<K extends keyof KpiTreeEventMap>(
    type: K,
    listener: (this: KpiTreeElement, ev: KpiTreeEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

export interface KpiTreeEventMap extends HTMLElementEventMap {
  'kpi-select': CustomEvent<KpiSelectDetail>;
  'kpi-findings': CustomEvent<KpiFindingsDetail>;
  'kpi-error': CustomEvent<KpiErrorDetail>;
}

declare global {
  interface HTMLElementTagNameMap {
    'kpi-tree': KpiTreeElement;
  }
}
