// The <kpi-tree> element's words and formats: every label it shows comes from a message catalog, and
// numbers and dates go through Intl in the element's locale. English is built in; Dutch and German are
// modules of their own (messages-nl.js, messages-de.js), fetched only by a page in that language; a page
// may add languages or replace any message (KpiTreeElement.addMessages, the element's `messages`).
// The rules' own messages (finding texts, tree problems) are the engine's and stay as it words them.
//
// A message is a string with `{name}` placeholders, or, where a count decides the wording, an object of
// Intl.PluralRules categories (`{ one: '...', other: '...' }`) chosen by the `count` placeholder.

/** The built-in English catalog: the reference for every key. */
export const EN = {
  'title.default': 'KPI tree',
  'asof': 'as of {date} · {nodes} nodes',
  'search.label': 'Search nodes',
  'search.placeholder': 'Search nodes',
  'search.matches': { one: '{count} match', other: '{count} matches' },
  'search.position': '{index} of {count}',
  'level.label': 'Expand to',
  'level.all': 'All levels',
  'level.strategies': 'Strategies',
  'level.objectives': 'Objectives',
  'level.key_results': 'Key results',
  'level.kpis': 'KPIs',
  'filters.label': 'View and filters',
  'zoom.group': 'Zoom',
  'zoom.in': 'Zoom in',
  'zoom.out': 'Zoom out',
  'zoom.fit': 'Fit the tree to the view',
  'zoom.fit.short': 'Fit',
  'zoom.reset': 'Actual size (100%)',
  'filters.show': 'Show',
  'filters.active': 'Active objectives only',
  'filters.prune': 'Pruning candidates',
  'filters.rule': 'Findings of rule',
  'filters.rule.all': 'All rules',
  'filters.new': 'New findings only',
  'tree.label': 'KPI tree',
  'sidebar.label': 'Node details and findings',
  'result.label': 'Result',
  'trend.label': 'trend',
  'health.tree': 'Tree health',
  'health.tree.tip': 'Tree health: upkeep of the whole tree (owners, reviews, links, rationale), not its results',
  'health.tip': 'Tree health: upkeep of this node (owner, review, links, rationale), not its results',
  'health.badge': 'Health {value}',
  'health.sr.before': 'Tree ',
  'health.sr.after': ' of 100',
  'details.health.value': '{value} of 100',
  'new.count': '{count} new',
  'new.title': 'Against the baseline: {new} new, {known} known',
  'kind.strategy': 'Strategy',
  'kind.objective': 'Objective',
  'kind.key_result': 'Key result',
  'kind.kpi': 'KPI',
  'status.active': 'active',
  'status.draft': 'draft',
  'status.retired': 'retired',
  'result.on_track': 'on track',
  'result.at_risk': 'at risk',
  'result.off_track': 'off track',
  'result.unknown': 'no data',
  'direction.higher_is_better': 'higher is better',
  'direction.lower_is_better': 'lower is better',
  'indicator.leading': 'leading',
  'indicator.lagging': 'lagging',
  'trend.improving': 'improving',
  'trend.worsening': 'worsening',
  'trend.flat': 'flat',
  'card.reference': 'shared · shown in full elsewhere',
  'card.shared': { one: 'Shared by {count} parent', other: 'Shared by {count} parents' },
  'card.shared.sr': ' parents',
  'card.findings': 'Findings',
  'card.findings.sr': { one: ' finding', other: ' findings' },
  'card.new': '{count} new',
  'card.new.title': 'Findings not in the baseline',
  'card.no_owner': 'no owner',
  'findings.heading': 'Findings',
  'findings.counts': '{shown} · {errors}, {warnings}, {infos}',
  'findings.counts.part': '{shown} of {all}',
  'findings.errors': { one: '{count} error', other: '{count} errors' },
  'findings.warnings': { one: '{count} warning', other: '{count} warnings' },
  'findings.infos': '{count} info',
  'findings.new': ' · {count} new',
  'findings.checking': 'Checking…',
  'findings.none': 'No findings.',
  'findings.more': '{count} more findings: narrow with the rule filter.',
  'findings.waived': 'Waived ({count})',
  'findings.waived.reason': 'Waived: {reason}',
  'findings.waived.until': 'Waived until {until}: {reason}',
  'findings.new.tag': 'new',
  'findings.new.title': 'Not in the baseline',
  'severity.error': 'error',
  'severity.warning': 'warning',
  'severity.info': 'info',
  'plugin.error': 'Plugin error',
  'plugin.error.code': 'Plugin error ({code})',
  'details.heading': 'Details',
  'details.heading.kind': '{kind} details',
  'details.hint': 'Select a node to see its owner, figures, series and findings.',
  'details.id': 'Id',
  'details.owner': 'Owner',
  'details.none': 'none',
  'details.department': 'Department',
  'details.status': 'Status',
  'details.period': 'Period',
  'details.score': 'Score',
  'details.progress': 'Progress',
  'details.progress.value': '{start} → {current} of {target}',
  'details.progress.none': 'no start and target',
  'details.confidence': 'Confidence',
  'details.value': 'Value',
  'details.target': 'Target',
  'details.direction': 'Direction',
  'details.indicator': 'Indicator',
  'details.trend': 'Trend',
  'details.trend.value': '{direction} ({change} per 30 days)',
  'details.reviewed': 'Last reviewed',
  'details.reviewed.never': 'never',
  'details.appraisal': 'Appraisal',
  'details.appraisal.value': 'feeds personal appraisal or pay',
  'details.why': 'Why: ',
  'details.contributes': 'Contributes to',
  'details.contributes.many': 'Contributes to {count} parents',
  'details.supported': 'Supported by {count}',
  'details.findings': 'Findings on this node ({count})',
  'details.waived': 'Waived on this node ({count})',
  'chart.measurements': 'Measurements',
  'chart.check_ins': 'Check-ins',
  'chart.target': 'target',
  'chart.at_risk': 'at risk',
  'chart.off_track': 'off track',
  'chart.caption': '{label}; dashed: target.',
  'chart.caption.thresholds': '{label}; dashed: target, dotted: thresholds.',
  'chart.summary': { one: '{label}: {count} point on {from}, {latest}', other: '{label}: {count} points from {from} to {to}, latest {latest}' },
  'export.menu': 'Export',
  'export.svg': 'Tree as SVG',
  'export.png': 'Tree as PNG',
  'export.csv': 'Findings as CSV',
  'export.print': 'Print',
  'export.desc': { one: 'KPI tree: {count} item of the current view.', other: 'KPI tree: {count} items of the current view.' },
  'export.failed.empty': 'No tree is loaded, so there is nothing to export.',
  'export.failed.png': 'The browser could not make the PNG.',
  'print.collapsed': 'collapsed',
  'print.nodes': '{count} nodes',
  'print.items': '{count} items in this view',
  'print.tree': 'Tree',
  'print.findings': 'Findings ({count})',
  'message.no_tree': 'No tree: set the src attribute or the tree property.',
  'message.loading': 'Loading…',
  'announce.loaded': 'Loaded {nodes} nodes: {findings} findings{new}{waived}.',
  'announce.loaded.new': ', {count} new',
  'announce.loaded.waived': ', {count} waived',
  'announce.filter': 'Filter shows {hits} matching nodes ({shown} with their context).',
  'announce.filter.failed': 'Filter not applied: {message}',
  'announce.prune.failed': 'Pruning candidates unavailable: {message}',
  'error.title': 'The tree could not be shown',
  'error.source.engine': 'The kpitree engine',
  'error.source.baseline': 'The baseline report',
  'error.source.tree': 'The tree',
  'error.source.configuration': 'The configuration',
  'error.source.rules': 'The rules file',
  'error.source.check': 'The check',
  'error.named': '{noun} {url}',
  'error.unreachable': '{what} could not be downloaded. Check the address and that the server allows it.',
  'error.problems': {
    one: '{what} has {count} problem. Once it is fixed, the tree is shown.',
    other: '{what} has {count} problems. Once they are fixed, the tree is shown.',
  },
  'error.other': '{what} could not be loaded.',
  'error.technical': 'Technical detail',
};

// Languages beyond English: the module that holds each (fetched when a page needs it).
const MODULES = { nl: './messages-nl.js', de: './messages-de.js' };
// Catalogs by language tag, as loaded or added; a page's additions are merged over them.
const catalogs = new Map([['en', EN]]);
const loading = new Map();

/** Adds (or replaces) messages for language `tag` (`'fr'`, `'nl-BE'`): keys of the English catalog. */
export function addMessages(tag, messages) {
  const key = String(tag).toLowerCase();
  catalogs.set(key, { ...(catalogs.get(key) ?? {}), ...messages });
}

/** The catalogs `tag` reads from, most specific first (`nl-BE`, then `nl`), English last. */
function chain(tag) {
  const t = String(tag || 'en').toLowerCase();
  const base = t.split('-')[0];
  return [...new Set([t, base, 'en'])];
}

/** Loads the built-in catalog of `tag`'s language if it has one and it is not loaded yet. */
export function loadMessages(tag) {
  const base = String(tag || 'en').toLowerCase().split('-')[0];
  const url = MODULES[base];
  if (!url || loading.has(base)) return loading.get(base) ?? Promise.resolve();
  const p = import(url)
    .then((m) => catalogs.set(base, { ...m.default, ...(catalogs.get(base) ?? {}) }))
    // Without the module the element speaks English rather than not at all.
    .catch(() => {});
  loading.set(base, p);
  return p;
}

/**
 * The element's locale: its `locale` attribute, else the `lang` of it or its closest ancestor, else
 * the document's, else the browser's; a tag Intl cannot use falls back to English.
 */
export function localeOf(el) {
  const tag = el.getAttribute('locale') || langAround(el) || document.documentElement.lang || navigator.language || 'en';
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? 'en';
  } catch {
    return 'en';
  }
}

/** The nearest `lang` above `el`, also across the shadow roots it sits in (another component's). */
function langAround(el) {
  for (let n = el; n; n = n.getRootNode().host) {
    const hit = n.closest('[lang]');
    if (hit) return hit.getAttribute('lang');
  }
  return null;
}

/**
 * Words and formats for `locale`, with the element's own `overrides` (key → message) over the
 * catalogs: `{ locale, t(key, vars), num(v), pct(v), date(iso) }`.
 */
export function localise(locale, overrides = {}) {
  const sources = [overrides, ...chain(locale).map((t) => catalogs.get(t)).filter(Boolean)];
  const plural = new Intl.PluralRules(locale);
  const fmts = new Map();
  const numberFormat = (digits) => {
    if (!fmts.has(digits)) fmts.set(digits, new Intl.NumberFormat(locale, { maximumFractionDigits: digits }));
    return fmts.get(digits);
  };
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });

  function t(key, vars = {}) {
    let m;
    for (const s of sources) {
      if (s[key] !== undefined) {
        m = s[key];
        break;
      }
    }
    if (m === undefined) return key;
    if (typeof m === 'object') m = m[plural.select(Number(vars.count ?? 0))] ?? m.other ?? '';
    // Numbers (counts, positions) grouped and written the locale's way.
    const text = (v) => (typeof v === 'number' ? num(v) : String(v));
    return String(m).replace(/\{(\w+)\}/g, (all, name) => (vars[name] === undefined ? all : text(vars[name])));
  }

  /** A number for people: up to 3 significant decimals, grouped the locale's way. */
  function num(v) {
    if (v === undefined || v === null || Number.isNaN(v)) return '–';
    const abs = Math.abs(v);
    return numberFormat(abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3).format(v);
  }

  /** A fraction 0..1 as a percentage. */
  function pct(v) {
    return v === undefined || v === null || Number.isNaN(v) ? '–' : percent.format(v);
  }

  /** An ISO date (`YYYY-MM-DD`) the locale's way; anything else as given. */
  function date(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso ?? ''));
    if (!m) return String(iso ?? '');
    return dates.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
  }

  /** An engine word (`on_track`, `key_result`) in `group` (`result`, `kind`...), or the word with spaces. */
  function word(group, value) {
    const key = `${group}.${value}`;
    const text = t(key);
    return text === key ? String(value ?? '').replaceAll('_', ' ') : text;
  }

  return { locale, t, num, pct, date, word };
}
