// Small DOM and formatting helpers of the <kpi-tree> element. Elements are made with createElement and
// text nodes only (never innerHTML from data), so titles from a tree file cannot inject markup, and no
// style attribute is ever written: the widget works under `style-src 'self'`.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** `h('div', { class: 'x', part: 'y' }, child, 'text')`: attributes are set with setAttribute; `on*` functions become listeners. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  return fill(el, attrs, children);
}

/** Like `h` for SVG elements. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  return fill(el, attrs, children);
}

/** Replaces `el`'s children, skipping null, undefined and false (which replaceChildren would print). */
export function put(el, ...children) {
  el.replaceChildren();
  return fill(el, {}, children);
}

function fill(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (!known(v) || v === false) continue;
    if (typeof v === 'function' && k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (!known(c) || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Whether `v` is a value: neither undefined nor null (0, '' and false are values). */
export function known(v) {
  return v !== undefined && v !== null;
}

// A node's result and its tree health, shown and explained (cards, details): kept apart because a
// green health number was read as "on target".
const TREND_ARROW = { improving: '↗', worsening: '↘', flat: '→' };
const RESULTS = new Set(['on_track', 'at_risk', 'off_track', 'unknown']);

/** `text` with its first letter in capitals, the locale's way. */
function capital(text, locale) {
  return text ? text[0].toLocaleUpperCase(locale) + text.slice(1) : text;
}

/**
 * What a node's result shows, from its `info` (nodeInfo(): `status`, a KPI's `trend`), or null when the
 * report gives it no status (a strategy): `status` (on_track, at_risk, off_track or unknown), `words` (the
 * status in the words of `loc`), `label` (the same with a capital, as the badge reads), `trend` (its
 * direction or null) and `arrow` (its symbol, '' without a trend). The result badge of the cards and
 * details and the SVG export's result pill both draw this.
 */
export function result(info, loc) {
  if (!known(info?.status)) return null;
  const status = RESULTS.has(info.status) ? info.status : 'unknown';
  const trend = info.trend?.direction ?? null;
  const words = loc.word('result', status);
  return { status, words, label: capital(words, loc.locale), trend, arrow: trend ? (TREND_ARROW[trend] ?? '') : '' };
}

/**
 * The result badge of a node's `info` (see result()), or null when the report gives it no status: its
 * status in words, coloured by it, and a KPI's trend as an arrow, with the words for screen readers and
 * the tooltip; in the words of `loc` (localise()). `long` (details, beside a "Result" label): the trend
 * in words on screen too.
 */
export function resultBadge(info, loc, { long = false } = {}) {
  const r = result(info, loc);
  if (!r) return null;
  const { t } = loc;
  const { status, trend } = r;
  const trendWords = trend ? loc.word('trend', trend) : '';
  const said = `${t('result.label')}: ${r.words}${trend ? `, ${t('trend.label')} ${trendWords}` : ''}`;
  return h(
    'span',
    { class: `badge result ${status}`, part: 'badge result-badge', 'data-status': status, title: said },
    long ? null : h('span', { class: 'sr-only' }, `${t('result.label')}: `),
    r.label,
    trend && long ? `, ${trendWords}` : null,
    trend && !long ? h('span', { class: 'trend', 'aria-hidden': 'true' }, r.arrow) : null,
    trend && !long ? h('span', { class: 'sr-only' }, `, ${t('trend.label')} ${trendWords}`) : null,
  );
}

/** Whether `health` is a tree-health score to show: known and a number (NaN is no score). */
export function hasHealth(health) {
  return known(health) && !Number.isNaN(health);
}

/** A tree-health score 0-100 as its badge reads on screen, "Health N", in the words of `loc`. */
export function healthText(health, loc) {
  return loc.t('health.badge', { value: loc.num(Math.round(health)) });
}

/**
 * The tree-health badge of a score 0-100, or null when unknown: neutral (no result colours), reading
 * "Health N" on screen and "Tree health N of 100" to a screen reader, its meaning in the tooltip.
 */
export function healthBadge(health, loc) {
  if (!hasHealth(health)) return null;
  const { t } = loc;
  return h(
    'span',
    { class: 'badge health', part: 'badge health-badge', 'data-health': healthClass(health), title: t('health.tip') },
    h('span', { class: 'sr-only' }, t('health.sr.before')),
    healthText(health, loc),
    h('span', { class: 'sr-only' }, t('health.sr.after')),
  );
}

/** "as of {date} · {nodes} nodes" for a report's `summary` of a tree of `count` nodes; '' without a date. */
export function asOfText(summary, count, loc) {
  return summary.as_of ? loc.t('asof', { date: loc.date(summary.as_of), nodes: summary.nodes ?? count }) : '';
}

/** Finding severities, most severe first. */
export const SEVERITY = { error: 0, warning: 1, info: 2 };

/** Health 0-100 as a class for a badge. */
export function healthClass(health) {
  if (!hasHealth(health)) return 'plain';
  if (health >= 80) return 'good';
  if (health >= 50) return 'fair';
  return 'poor';
}
