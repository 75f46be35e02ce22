// Export of the <kpi-tree> element, a module of its own that the element loads on first use (an export
// method, the Export menu, print()): the current view as SVG and as PNG, the findings as CSV, downloads.
// The screen draws only the cards in view; these draw every display item of the current layout (with
// its collapsed nodes and filters) from the layout itself. The print view is widget-print.js's.
import { asOfText, h, healthText, known, result } from './widget-dom.js';
import { CARD_H, CARD_W, edge, opens } from './widget-layout.js';
import { figure, upkeep } from './widget-cards.js';

/**
 * @typedef {object} ExportState What the element passes of its current view (kpi-tree.js, #exportState).
 * @property {HTMLElement} host the element
 * @property {ShadowRoot} root its shadow root
 * @property {object | null} layout the engine's layout of the view (null: no tree loaded)
 * @property {object} geo geometry() of the layout
 * @property {{ nodes: object[], hits: Set<string> | null }} view the view's nodes and, under a filter, its matches
 * @property {Map<string, object>} info nodeInfo() of the report
 * @property {object | null} report the check's report
 * @property {Map<string, object>} byId the whole tree's nodes by id
 */

// A PNG has at most this many pixels a side (the canvas limit of the common browsers) and about this
// many in all (a canvas of 100 Mpx is 400 MB of memory).
const MAX_SIDE = 16384;
const MAX_AREA = 100e6;
const PNG_SCALE = 2;

export const CSV_COLUMNS = [
  'severity', 'rule', 'plugin', 'message', 'nodes', 'titles', 'waived', 'waived_until', 'waiver_reason', 'baseline', 'fingerprint',
];

const KIND_COLOUR = { strategy: 'strategy', objective: 'objective', key_result: 'key-result', kpi: 'kpi' };
const COLOURS = ['bg', 'surface', 'fg', 'muted', 'border', 'link', 'accent', 'good', 'fair', 'poor', 'on-status', ...Object.values(KIND_COLOUR)];

/** An error of the export methods; the Export menu says its `key` in the element's words. */
function failure(message, key) {
  return Object.assign(new Error(`kpi-tree: ${message}`), { key });
}

/** Throws unless a tree is loaded (the export methods reject with it). */
function need(st) {
  if (!st.layout || !st.report) throw failure('no tree is loaded, so there is nothing to export', 'export.failed.empty');
}

// ---------- SVG ----------

// Characters XML 1.0 does not allow (control characters, lone surrogates, U+FFFE/F): a title from a
// file may hold them, and one would make the whole document unreadable.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Path data and coordinates with one decimal (the layout's sums carry float noise: 572.4000000000001). */
function short(d) {
  return String(d).replace(/(\.\d)\d+/g, '$1');
}

/** `v` as XML text or attribute value. */
function esc(v) {
  return String(v).replace(NOT_XML, '').replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The theme as the element shows it: its colours resolved through its custom properties (painted on a
 * pixel and read back, so that even `color-mix()` or a wide-gamut colour comes out as `#rrggbb` or
 * `rgba()`, which every SVG reader knows), its font and corner radius.
 */
function theme(st) {
  const probe = h('span', { hidden: true });
  st.root.append(probe);
  const computed = getComputedStyle(probe);
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const hex = (v) => v.toString(16).padStart(2, '0');
  const t = {};
  for (const name of COLOURS) {
    probe.style.color = `var(--_${name})`;
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = computed.color;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    t[name] = a === 255 ? `#${hex(r)}${hex(g)}${hex(b)}` : `rgba(${r},${g},${b},${(a / 255).toFixed(3)})`;
  }
  probe.remove();
  const host = getComputedStyle(st.host);
  t.font = host.getPropertyValue('--_font').trim() || 'sans-serif';
  t.radius = parseFloat(host.getPropertyValue('--_radius')) || 0;
  return t;
}

/** Text measuring and fitting in the theme's font (a canvas: the SVG has no layout of its own). */
function measurer(font) {
  const ctx = document.createElement('canvas').getContext('2d');
  const width = (text, size, weight) => {
    ctx.font = `${weight} ${size}px ${font}`;
    return ctx.measureText(text).width;
  };
  /** `text` cut to `max` px with an ellipsis. */
  const fit = (text, max, size, weight) => {
    if (width(text, size, weight) <= max) return text;
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (width(`${text.slice(0, mid)}…`, size, weight) <= max) lo = mid;
      else hi = mid - 1;
    }
    return `${text.slice(0, lo).trimEnd()}…`;
  };
  /** `text` in at most `lines` lines of `max` px, the last one ellipsised (as the card's line clamp). */
  const wrap = (text, max, size, weight, lines) => {
    const out = [];
    let rest = text.trim().replace(/\s+/g, ' ');
    while (rest && out.length < lines - 1) {
      if (width(rest, size, weight) <= max) break;
      const words = rest.split(' ');
      let line = '';
      let k = 0;
      const joined = () => (line ? `${line} ${words[k]}` : words[k]);
      while (k < words.length && width(joined(), size, weight) <= max) {
        line = joined();
        k++;
      }
      if (!line) {
        // One word longer than the line: cut it.
        line = fit(words[0], max, size, weight).slice(0, -1);
        rest = rest.slice(line.length);
      } else rest = words.slice(k).join(' ');
      out.push(line);
    }
    if (rest) out.push(fit(rest, max, size, weight));
    return out;
  };
  /**
   * The baseline of a line of text whose box is centred on `center` (a flex item, a line box: the font's
   * ascent and descent split evenly around it, as CSS lays it out).
   */
  const baseline = (center, size, weight) => {
    ctx.font = `${weight} ${size}px ${font}`;
    const { fontBoundingBoxAscent: a, fontBoundingBoxDescent: d } = ctx.measureText('x');
    return known(a) && known(d) ? center + (a - d) / 2 : center + 0.35 * size;
  };
  return { width, fit, wrap, baseline };
}

// Card metrics as kpi-tree.css draws a card: content from x 13 (border, stripe, gap) to 227 and from
// y 7 (border, padding) to 77; the kind line 16 px high, title lines 17, the owner 14; the badges beside
// the owner end 16 px short of the right (clear of the open/close tab).
const X0 = 13;
const X1 = CARD_W - 9;
const Y0 = 7;
const Y1 = CARD_H - 7;
const UPKEEP_X1 = X1 - 16;
// .badge (the result, top right) and .upkeep .badge (beside the owner): height, font size, padding.
const PILL = { height: 18, size: 11, pad: 5 };
const SMALL = { height: 16, size: 10, pad: 4 };
const RESULT_FILL = { on_track: 'good', at_risk: 'fair', off_track: 'poor' };
const FINDINGS_FILL = { err: 'poor', warn: 'fair' };

/**
 * A badge as kpi-tree.css draws it: filled by colour `fill` with the theme's on-status text, or, without
 * a fill, outlined in `line` (the border colour unless given) with text in `colour` (muted unless given).
 */
function look(t, fill, { line, colour } = {}) {
  return fill ? { fill: t[fill], colour: t['on-status'], stroke: null } : { fill: 'none', colour: colour ?? t.muted, stroke: line ?? t.border };
}

/**
 * The badges of a card as widget-cards.js shows them, as `{ cls, text, arrow, weight, fill, colour, stroke }`
 * (`cls` the screen's classes): the result pill (top right) and those beside the owner.
 */
function badges(node, flags, info, t, loc) {
  const r = flags & 4 ? null : result(info, loc);
  const pill = r && { cls: `result ${r.status}`, text: r.label, arrow: r.arrow, weight: 650, ...look(t, RESULT_FILL[r.status]) };
  const kind = t[KIND_COLOUR[node.kind]] ?? t.muted;
  const small = upkeep(node, flags, info).map((b) => {
    if (b.kind === 'health') return { cls: 'health', text: healthText(b.health, loc), weight: 550, ...look(t, null) };
    // No space after the sign: on screen it ends a flex item of its own, where the space is not drawn.
    if (b.kind === 'findings') return { cls: b.look, text: `⚠${loc.num(b.count)}`, weight: 650, ...look(t, FINDINGS_FILL[b.look]) };
    if (b.kind === 'new') return { cls: 'new', text: loc.t('card.new', { count: b.count }), weight: 650, ...look(t, 'accent') };
    return { cls: 'shared', text: `×${b.count}`, weight: 650, ...look(t, null, { line: kind, colour: kind }) };
  });
  return { pill, small };
}

/** Badge `b` (badges()) in metrics `box` with its right edge at `right` and its top at `y`: its SVG and its left edge. */
function badgeSvg(b, box, right, y, m) {
  const border = b.stroke ? 1 : 0;
  const arrowW = b.arrow ? 3 + m.width(b.arrow, box.size, b.weight) : 0;
  const w = Math.max(20, m.width(b.text, box.size, b.weight) + arrowW + 2 * (box.pad + border));
  const x = right - w;
  const hgt = box.height;
  // A CSS border lies inside the box; an SVG stroke is centred on the outline: inset half of it.
  const rect = b.stroke
    ? `<rect x="${short(x + 0.5)}" y="${y + 0.5}" width="${short(w - 1)}" height="${hgt - 1}" rx="${(hgt - 1) / 2}" fill="none" stroke="${b.stroke}"/>`
    : `<rect x="${short(x)}" y="${y}" width="${short(w)}" height="${hgt}" rx="${hgt / 2}" fill="${b.fill}"/>`;
  const base = m.baseline(y + hgt / 2, box.size, b.weight);
  const arrow = b.arrow ? `<tspan dx="3">${esc(b.arrow)}</tspan>` : '';
  const text = `<text x="${short(x + w / 2)}" y="${short(base)}" font-size="${box.size}" font-weight="${b.weight}" text-anchor="middle" fill="${b.colour}">${esc(b.text)}${arrow}</text>`;
  return { svg: `<g class="badge ${b.cls}">${rect}${text}</g>`, left: x };
}

/** One display item's card as SVG, at its place. */
function cardSvg(st, i, t, m) {
  const L = st.layout;
  const { loc } = st;
  const node = st.view.nodes[L.node[i]];
  const flags = L.flags[i];
  const reference = (flags & 4) !== 0;
  const info = st.info.get(node.id) ?? {};
  const kind = t[KIND_COLOUR[node.kind]] ?? t.muted;
  const dashed = reference || node.status === 'retired' || node.status === 'draft';
  const dim = st.view.hits && !st.view.hits.has(node.id);
  const r = t.radius;
  const out = [
    `<g class="node" data-id="${esc(node.id)}" transform="translate(${short(`${st.geo.left[i]},${st.geo.top[i]}`)})"`,
    ` clip-path="url(#kt-card)"${dim ? ' opacity="0.55"' : ''}>`,
    `<title>${esc(`${loc.word('kind', node.kind)}: ${node.title}${reference ? ` (${loc.t('card.reference')})` : ''}`)}</title>`,
    `<rect width="${CARD_W}" height="${CARD_H}" rx="${r}" fill="${reference ? t.bg : t.surface}"/>`,
    `<rect width="4" height="${CARD_H}" fill="${kind}"/>`,
  ];
  const { pill, small } = badges(node, flags, info, t, loc);
  // The top line: the kind, a status other than active, the figure (or, on a reference, what it is);
  // the result at its right, a line as high as the pill when there is one.
  const topH = pill ? PILL.height : 16;
  const marks = [];
  let right = X1;
  if (pill) {
    const b = badgeSvg(pill, PILL, X1, Y0, m);
    marks.push(b.svg);
    right = b.left - 6;
  }
  const label = loc.word('kind', node.kind).toLocaleUpperCase(loc.locale);
  const room = right - X0;
  const labelW = m.width(label, 11, 650) + 0.44 * label.length;
  const status = node.status && node.status !== 'active' ? loc.word('status', node.status) : null;
  const tags = [status, reference ? loc.t('card.reference') : figure(node, info, loc)].filter(Boolean).join(' · ');
  out.push(`<text x="${X0}" y="${short(m.baseline(Y0 + topH / 2, 11, 650))}" font-size="11">`);
  out.push(`<tspan font-weight="650" letter-spacing="0.44" fill="${kind}">${esc(m.fit(label, room, 11, 650))}</tspan>`);
  if (tags && room - labelW > 24) out.push(`<tspan dx="6" fill="${t.muted}">${esc(m.fit(tags, room - labelW - 6, 11, 400))}</tspan>`);
  out.push('</text>', ...marks);
  const title = m.wrap(node.title ?? node.id, X1 - X0, 13, 550, 2);
  const [weight, colour] = reference ? [450, t.muted] : [550, t.fg];
  title.forEach((line, k) => {
    const y = m.baseline(Y0 + topH + 8.5 + 17 * k, 13, weight);
    out.push(`<text x="${X0}" y="${short(y)}" font-size="13" font-weight="${weight}" fill="${colour}">${esc(line)}</text>`);
  });
  if (!reference) {
    // The bottom line: the owner, then tree health, findings, new and sharing, right-aligned clear of
    // the tab, 4 px apart and 6 px from the owner; a line as high as the badges when there are some.
    const bottomH = small.length ? SMALL.height : 14;
    right = UPKEEP_X1;
    const drawn = [];
    for (const b of [...small].reverse()) {
      drawn.unshift(badgeSvg(b, SMALL, right, Y1 - SMALL.height, m));
      right = drawn[0].left - 4;
    }
    out.push(...drawn.map((d) => d.svg));
    // The gap stays without badges too (the empty row of badges is a flex item of its own).
    const ownerRoom = (small.length ? right + 4 : right) - 6 - X0;
    const owner = node.owner ?? loc.t('card.no_owner');
    const y = m.baseline(Y1 - bottomH / 2, 11, 400);
    out.push(`<text x="${X0}" y="${short(y)}" font-size="11" fill="${node.owner ? t.muted : t.poor}">${esc(m.fit(owner, ownerRoom, 11, 400))}</text>`);
  }
  if (opens(flags)) {
    // The open/close tab at the bottom right.
    const open = (flags & 2) !== 0;
    out.push(
      `<path d="M${CARD_W - 20},${CARD_H}V${CARD_H - 12}a6,6 0 0 1 6,-6H${CARD_W}V${CARD_H}Z" fill="${t.bg}" stroke="${t.border}"/>`,
      `<text x="${CARD_W - 10}" y="${CARD_H - 5}" font-size="11" text-anchor="middle" fill="${t.muted}">${open ? '−' : '+'}</text>`,
    );
  }
  // The border last, over the stripe, as the screen's.
  const dash = dashed ? ' stroke-dasharray="4 3"' : '';
  out.push(`<rect x="0.5" y="0.5" width="${CARD_W - 1}" height="${CARD_H - 1}" rx="${r}" fill="none" stroke="${t.border}"${dash}/>`, '</g>');
  return out.join('');
}

/** The size of the exported picture: the layout's, at least a small empty frame. */
function extent(st) {
  return { width: Math.max(st.geo.width, 240), height: Math.max(st.geo.height, 120) };
}

/**
 * The current view as a standalone SVG document: every display item of the layout (not only the cards
 * in the DOM) with its links, in the element's resolved theme. Rejects when no tree is loaded.
 * @param {ExportState} st
 * @returns {string}
 */
export function svg(st) {
  need(st);
  const L = st.layout;
  const t = theme(st);
  const m = measurer(t.font);
  const { width, height } = extent(st);
  const s = st.report.summary ?? {};
  const loc = st.loc;
  const name = [s.organisation || loc.t('title.default'), asOfText(s, st.byId.size, loc)].filter(Boolean).join(' · ');
  let links = '';
  let refs = '';
  for (let i = 0; i < L.count; i++) {
    const p = L.parent[i];
    if (p < 0) continue;
    if (L.flags[i] & 4) refs += edge(st.geo, i, p);
    else links += edge(st.geo, i, p);
  }
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"`,
    ` font-family="${esc(t.font)}" role="img">`,
    `<title>${esc(name)}</title>`,
    `<desc>${esc(loc.t('export.desc', { count: L.count }))}</desc>`,
    `<defs><clipPath id="kt-card"><rect width="${CARD_W}" height="${CARD_H}" rx="${t.radius}"/></clipPath></defs>`,
    `<rect width="${width}" height="${height}" fill="${t.bg}"/>`,
    `<path d="${short(links)}" fill="none" stroke="${t.link}" stroke-width="1.5"/>`,
    `<path d="${short(refs)}" fill="none" stroke="${t.link}" stroke-width="1.5" stroke-dasharray="4 4"/>`,
  ];
  for (let i = 0; i < L.count; i++) out.push(cardSvg(st, i, t, m));
  out.push('</svg>\n');
  return out.join('');
}

// ---------- PNG ----------

/** The scale of the PNG of a `width` × `height` picture: 2, less when a side or the area would be too large. */
export function pngScale(width, height) {
  return Math.min(PNG_SCALE, MAX_SIDE / width, MAX_SIDE / height, Math.sqrt(MAX_AREA / (width * height)));
}

/**
 * The current view as a PNG (the SVG drawn on a canvas through a data: URL, which the strict CSP's
 * `img-src 'self' data:` allows), at scale 2, smaller for a large view. Rejects when no tree is loaded.
 * @param {ExportState} st
 * @returns {Promise<Blob>}
 */
export async function png(st) {
  const text = svg(st);
  const { width, height } = extent(st);
  const scale = pngScale(width, height);
  const url = await new Promise((ok, fail) => {
    const reader = new FileReader();
    reader.onload = () => ok(reader.result);
    reader.onerror = () => fail(reader.error);
    reader.readAsDataURL(new Blob([text], { type: 'image/svg+xml' }));
  });
  const img = new Image();
  img.src = url;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.floor(width * scale));
  canvas.height = Math.max(1, Math.floor(height * scale));
  canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height);
  const failed = failure('the browser could not make the PNG', 'export.failed.png');
  return new Promise((ok, fail) => canvas.toBlob((b) => (b ? ok(b) : fail(failed)), 'image/png'));
}

// ---------- CSV ----------

/** One CSV field: a leading formula character defused with `'`, quoted when it must be (RFC 4180). */
function field(v) {
  let text = String(v ?? '');
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Every finding of the report (counted and waived) as CSV: a header of CSV_COLUMNS, one row per finding
 * in the report's order, node ids and titles joined with `; `, CRLF line ends. Rejects when no tree is loaded.
 * @param {ExportState} st
 * @returns {string}
 */
export function csv(st) {
  need(st);
  const rows = st.report.findings.map((f) => {
    const nodes = f.nodes ?? [];
    return [
      f.severity,
      f.rule,
      f.plugin ?? '',
      f.message ?? '',
      nodes.join('; '),
      nodes.map((id) => st.byId.get(id)?.title ?? '').join('; '),
      f.waived ? 'yes' : 'no',
      f.waived?.until ?? '',
      f.waived?.reason ?? '',
      f.baseline ?? '',
      f.fingerprint ?? '',
    ];
  });
  return [CSV_COLUMNS, ...rows].map((r) => `${r.map(field).join(',')}\r\n`).join('');
}

// ---------- downloads and printing ----------

/** The file name's stem: the organisation as a slug and the tree's date, `fieldwise-2026-11-27`. */
export function fileStem(report) {
  const s = report?.summary ?? {};
  const slug =
    String(s.organisation ?? '')
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'kpi-tree';
  const date = String(s.as_of ?? '').replace(/[^0-9A-Za-z-]/g, '');
  return date ? `${slug}-${date}` : slug;
}

// The menus that close on a press outside them.
const closing = new WeakSet();

/**
 * An event of the element's Export menu (the element forwards them once this module is loaded, so
 * possibly after they were dispatched): Escape, leaving the menu or a press outside it closes it; its
 * items download the file (`data-export`: 'svg', 'png', 'csv') or print ('print').
 * @param {ExportState} st
 * @param {{ type: string, key?: string, target: Element, relatedTarget?: Element | null }} e a `toggle`, `click`,
 *   `keydown` or `focusout` of the menu, as it was when dispatched
 */
export function menuEvent(st, e) {
  const menu = e.target.closest('details');
  const close = () => {
    menu.open = false;
    menu.querySelector('summary').focus();
  };
  if (!closing.has(menu)) {
    closing.add(menu);
    // composedPath: the press is seen through the shadow roots it crosses.
    document.addEventListener('pointerdown', (p) => menu.open && !p.composedPath().includes(menu) && (menu.open = false));
  }
  if (e.type === 'keydown' && e.key === 'Escape' && menu.open) close();
  if (e.type === 'focusout' && e.relatedTarget && !menu.contains(e.relatedTarget)) menu.open = false;
  const kind = e.type === 'click' && e.target.closest('[data-export]')?.dataset.export;
  if (!kind) return;
  close();
  download(st.host, kind).catch((err) => {
    // Said where the element says what happened (its live region).
    const live = st.root.querySelector('[role="status"]');
    if (live) live.textContent = err.key ? st.loc.t(err.key) : err.message;
  });
}

/**
 * Downloads, from element `el`, the current view as SVG or PNG or its findings as CSV (`kind` 'svg',
 * 'png', 'csv'), through a temporary `<a download>` with an object URL; 'print' prints. Files are named
 * after the organisation and the tree's date: `fieldwise-2026-11-27.svg`, `…-findings.csv`.
 * @param {HTMLElement} el a <kpi-tree>
 * @param {'svg' | 'png' | 'csv' | 'print'} kind
 */
export async function download(el, kind) {
  if (kind === 'print') return el.print();
  const stem = fileStem(el.report);
  const [data, name] =
    kind === 'svg'
      ? [new Blob([await el.exportSvg()], { type: 'image/svg+xml' }), `${stem}.svg`]
      : kind === 'png'
        ? [await el.exportPng(), `${stem}.png`]
        : [new Blob([await el.exportFindingsCsv()], { type: 'text/csv;charset=utf-8' }), `${stem}-findings.csv`];
  const url = URL.createObjectURL(data);
  const a = h('a', { href: url, download: name, hidden: true });
  el.shadowRoot.append(a);
  a.click();
  a.remove();
  // Late enough for the browser to have started the download.
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/** Opens the print dialog (the print view is built as printing starts). Rejects when no tree is loaded. */
export function print(st) {
  need(st);
  window.print();
}
