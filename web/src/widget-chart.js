// The small series chart of the details view: a KPI's measurements or a key result's check-ins as an
// SVG line over time, with the target (and a KPI's thresholds) as reference lines. Pure SVG built with
// createElementNS, sized by its viewBox, so it scales with the sidebar and needs no inline style.
import { s } from './widget-dom.js';

const W = 320;
const H = 120;
// Padding around the plot: left (the value labels), right, top, bottom (the dates).
const LEFT = 36;
const RIGHT = 10;
const TOP = 10;
const BOTTOM = 20;

function day(date) {
  const [y, m, d] = String(date).split('-').map(Number);
  return Date.UTC(y, (m || 1) - 1, d || 1) / 86400000;
}

/**
 * `series`: `[{ date, value }]` in date order. `refs`: `[{ value, kind: 'target' | 'threshold', label }]`;
 * `loc` the words and formats (localise()). Returns an `<svg>` element, or null when there is nothing to draw.
 */
export function seriesChart(series, { refs = [], unit = '', label = 'Series' } = {}, loc) {
  const { num } = loc;
  const points = (series ?? []).filter((p) => Number.isFinite(p?.value) && p.date);
  if (points.length === 0) return null;
  const xs = points.map((p) => day(p.date));
  const ys = points.map((p) => p.value);
  const lines = refs.filter((r) => Number.isFinite(r.value));
  let lo = Math.min(...ys, ...lines.map((r) => r.value));
  let hi = Math.max(...ys, ...lines.map((r) => r.value));
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  const margin = (hi - lo) * 0.08;
  lo -= margin;
  hi += margin;
  const x0 = xs[0];
  const x1 = xs.length > 1 ? xs[xs.length - 1] : x0 + 1;
  const sx = (x) => LEFT + ((x - x0) / (x1 - x0 || 1)) * (W - LEFT - RIGHT);
  const sy = (y) => TOP + (1 - (y - lo) / (hi - lo)) * (H - TOP - BOTTOM);
  const coords = points.map((p, i) => [sx(xs[i]), sy(p.value)]);
  const path = coords.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join('');
  const base = (H - BOTTOM).toFixed(1);
  const area = `${path}L${coords[coords.length - 1][0].toFixed(1)},${base}L${coords[0][0].toFixed(1)},${base}Z`;

  const last = points[points.length - 1];
  const u = unit ? ` ${unit}` : '';
  const summary =
    loc.t('chart.summary', { label, count: points.length, from: loc.date(points[0].date), to: loc.date(last.date), latest: `${num(last.value)}${u}` }) +
    lines.map((r) => `, ${r.label} ${num(r.value)}`).join('');

  const svg = s(
    'svg',
    { class: 'chart', part: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': summary },
    s('title', {}, summary),
    s('line', { class: 'axis', x1: LEFT, x2: W - RIGHT, y1: base, y2: base }),
    s('text', { x: LEFT - 4, y: sy(hi - margin) + 3, 'text-anchor': 'end' }, num(hi - margin)),
    s('text', { x: LEFT - 4, y: sy(lo + margin) + 3, 'text-anchor': 'end' }, num(lo + margin)),
    s('text', { x: LEFT, y: H - 6 }, loc.date(points[0].date)),
    points.length > 1 ? s('text', { x: W - RIGHT, y: H - 6, 'text-anchor': 'end' }, loc.date(last.date)) : null,
    s('path', { class: 'area', d: area }),
    ...lines.map((r) =>
      s('line', { class: r.kind, x1: LEFT, x2: W - RIGHT, y1: sy(r.value), y2: sy(r.value) }),
    ),
    s('path', { class: 'line', d: path }),
    ...coords.map(([x, y]) => s('circle', { class: 'dot', cx: x.toFixed(1), cy: y.toFixed(1), r: 2.2 })),
  );
  return svg;
}
