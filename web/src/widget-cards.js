// The cards of the <kpi-tree> element: one display item as a `treeitem` (title, kind, figure, result,
// owner, tree health and other badges, the open/close tab), placed where the layout puts it, and
// scrolling one into view. Which cards are in the DOM (the virtualised drawing) is the element's business.
import { h, hasHealth, healthBadge, known, resultBadge } from './widget-dom.js';
import { CARD_H, CARD_W, PAD, opens } from './widget-layout.js';

/**
 * The card (a `treeitem`) of display item `i` of layout `L` of `view` (`{ nodes, hits }`), placed by `g`
 * (geometry()): `infos` the nodes' scores and findings (nodeInfo()), `matches` the ids found by search,
 * `selectedId` the selected node, `active` the item with tabindex 0, `loc` the words (localise()).
 */
export function card(i, L, g, view, infos, matches, selectedId, active, loc) {
  const { t } = loc;
  const node = view.nodes[L.node[i]];
  const flags = L.flags[i];
  const reference = (flags & 4) !== 0;
  const info = infos.get(node.id) ?? {};
  const hasChildren = opens(flags);
  // Under a filter, ancestors shown only as context are dimmed; the matches are not.
  const context = view.hits && !view.hits.has(node.id);
  const classes = ['node'];
  if (reference) classes.push('ref');
  if (matches.has(node.id)) classes.push('match');
  if (context) classes.push('dim');
  const selected = node.id === selectedId && !reference;

  const kindLine = h(
    'div',
    { class: 'kind' },
    loc.word('kind', node.kind),
    node.status && node.status !== 'active' ? tag(loc.word('status', node.status)) : null,
    reference ? tag(t('card.reference')) : secondary(node, info, loc),
  );
  // The card's accessible name is its content (title first in the DOM; the grid puts the kind line on
  // top), with words for screen readers where the eye reads a symbol. The result (against the target)
  // is top right; tree health, which scores upkeep and not results, is apart beside the owner.
  const badges = upkeep(node, flags, info).map((b) => {
    if (b.kind === 'health') return healthBadge(b.health, loc);
    if (b.kind === 'findings') {
      return h(
        'span',
        { class: `badge ${b.look}`, part: 'badge findings-badge', title: t('card.findings') },
        h('span', { 'aria-hidden': 'true' }, '⚠ '),
        loc.num(b.count),
        sr(t('card.findings.sr', { count: b.count })),
      );
    }
    if (b.kind === 'new') return h('span', { class: 'badge new', part: 'badge new-badge', title: t('card.new.title') }, t('card.new', { count: b.count }));
    return h('span', { class: 'badge shared', title: t('card.shared', { count: b.count }) }, h('span', { 'aria-hidden': 'true' }, '×'), b.count, sr(t('card.shared.sr')));
  });
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
      tabindex: i === active ? '0' : '-1',
    },
    h('div', { class: 'title', part: 'node-title' }, node.title),
    h('div', { class: 'top' }, kindLine, reference ? null : h('div', { class: 'meta' }, resultBadge(info, loc))),
    reference
      ? null
      : h(
          'div',
          { class: 'bottom' },
          h('div', { class: node.owner ? 'owner' : 'owner none' }, node.owner ?? t('card.no_owner')),
          h('div', { class: 'upkeep' }, badges),
        ),
    hasChildren ? h('span', { class: 'toggle', 'aria-hidden': 'true', 'data-toggle': '' }) : null,
  );
  el.style.transform = `translate(${g.left[i]}px, ${g.top[i]}px)`;
  el.style.width = `${CARD_W}px`;
  el.style.height = `${CARD_H}px`;
  return el;
}

/**
 * The badges beside the owner on the card of `node` (`flags` its display item's, `info` its nodeInfo()),
 * in the screen's order: tree health, the findings (`look`: err, warn or plain by the worst of them), those new
 * against the baseline, a shared node's count of parents; none on a reference. The card draws them in
 * the DOM and the SVG export in SVG, so both show the same ones in the same order.
 * @returns {{ kind: 'health' | 'findings' | 'new' | 'shared', health?: number, count?: number, look?: string }[]}
 */
export function upkeep(node, flags, info) {
  if (flags & 4) return [];
  const out = [];
  if (hasHealth(info.health)) out.push({ kind: 'health', health: info.health });
  if (info.findings) {
    const look = info.severity === 'error' ? 'err' : info.severity === 'warning' ? 'warn' : 'plain';
    out.push({ kind: 'findings', count: info.findings, look });
  }
  if (info.fresh) out.push({ kind: 'new', count: info.fresh });
  if (flags & 8) out.push({ kind: 'shared', count: node.parents?.length ?? 2 });
  return out;
}

function sr(text) {
  return h('span', { class: 'sr-only' }, text);
}

function tag(text) {
  return h('span', { class: 'status-tag' }, text);
}

/** The short figure after the kind: an OKR score or a KPI's latest value (its status is the result badge's). */
function secondary(node, info, loc) {
  const text = figure(node, info, loc);
  return text ? h('span', { class: 'figure' }, text) : null;
}

/** The figure of `node` (its `info`, nodeInfo()) as text in the words of `loc`, or null: an OKR score, a KPI's latest value. */
export function figure(node, info, loc) {
  if ((node.kind === 'objective' || node.kind === 'key_result') && known(info.score)) return loc.pct(info.score);
  if (node.kind === 'kpi' && known(info.value)) return `${loc.num(info.value)}${node.unit ? ` ${node.unit}` : ''}`;
  return null;
}

/** Scrolls viewport `vp` so that item `i` (positions `geo`, drawn at `zoom`) is in view. */
export function scrollToItem(vp, geo, i, zoom = 1) {
  const x = geo.left[i] * zoom;
  const y = geo.top[i] * zoom;
  const cw = CARD_W * zoom;
  const ch = CARD_H * zoom;
  const w = vp.clientWidth;
  const hgt = vp.clientHeight;
  // Horizontally the least movement that shows the card; vertically, a card out of view is centred
  // (a long jump, by End or a search, should land with context around it).
  if (x < vp.scrollLeft + 8) vp.scrollLeft = Math.max(0, x - PAD * zoom);
  else if (x + cw > vp.scrollLeft + w - 8) vp.scrollLeft = x + cw - w + PAD * zoom;
  if (y < vp.scrollTop + 8 || y + ch > vp.scrollTop + hgt - 8) vp.scrollTop = Math.max(0, y - (hgt - ch) / 2);
}
