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

const KIND_LABEL = {
  strategy: 'Strategy',
  objective: 'Objective',
  key_result: 'Key result',
  kpi: 'KPI',
};

/** A node kind for people: `key_result` is "Key result". */
export function kindLabel(kind) {
  return KIND_LABEL[kind] ?? kind;
}

/** Finding severities, most severe first. */
export const SEVERITY = { error: 0, warning: 1, info: 2 };

/** Health 0-100 as a class for a badge. */
export function healthClass(health) {
  if (!known(health) || Number.isNaN(health)) return 'plain';
  if (health >= 80) return 'good';
  if (health >= 50) return 'fair';
  return 'poor';
}

/** A number for people: up to 3 significant decimals, no trailing zeros, thousands grouped. */
export function num(v) {
  if (!known(v) || Number.isNaN(v)) return '–';
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return v.toLocaleString('en', { maximumFractionDigits: digits });
}

/** An OKR score (0..1) as a percentage. */
export function pct(v) {
  return known(v) ? `${Math.round(v * 100)}%` : '–';
}

export function words(s) {
  return String(s ?? '').replaceAll('_', ' ');
}
