// The cards of the <kpi-tree> element: one display item as a `treeitem` (title, kind, figure, badges,
// owner, the open/close tab), placed where the layout puts it, and scrolling one into view. Which cards
// are in the DOM (the virtualised drawing) is the element's business.
import { h, healthClass, kindLabel, known, num, pct, words } from './widget-dom.js';
import { CARD_H, CARD_W, PAD, opens } from './widget-layout.js';

/**
 * The card (a `treeitem`) of display item `i` of layout `L` of `view` (`{ nodes, hits }`), placed by `g`
 * (geometry()): `infos` the nodes' scores and findings (nodeInfo()), `matches` the ids found by search,
 * `selectedId` the selected node, `active` the item with tabindex 0.
 */
export function card(i, L, g, view, infos, matches, selectedId, active) {
  const node = view.nodes[L.node[i]];
  const flags = L.flags[i];
  const reference = (flags & 4) !== 0;
  const shared = (flags & 8) !== 0;
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
    kindLabel(node.kind),
    node.status && node.status !== 'active' ? tag(node.status) : null,
    reference ? tag('shared · shown in full elsewhere') : secondary(node, info),
  );
  // The card's accessible name is its content (title first in the DOM; the grid puts the kind line on
  // top), with words for screen readers where the eye reads a symbol.
  const badges = [];
  if (shared && !reference) {
    const n = node.parents?.length ?? 2;
    badges.push(h('span', { class: 'badge shared', title: `Shared by ${n} parents` }, h('span', { 'aria-hidden': 'true' }, '×'), n, sr(' parents')));
  }
  if (!reference && known(info.health)) {
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
      tabindex: i === active ? '0' : '-1',
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

function sr(text) {
  return h('span', { class: 'sr-only' }, text);
}

function tag(text) {
  return h('span', { class: 'status-tag' }, text);
}

/** The short figure after the kind: an OKR score or a KPI's latest value. */
function secondary(node, info) {
  if ((node.kind === 'objective' || node.kind === 'key_result') && known(info.score)) {
    return tag(`${pct(info.score)} · ${words(info.status ?? '')}`);
  }
  if (node.kind === 'kpi' && known(info.value)) return tag(`${num(info.value)}${node.unit ? ` ${node.unit}` : ''}`);
  return null;
}

/** Scrolls viewport `vp` so that item `i` (positions `geo`) is in view. */
export function scrollToItem(vp, geo, i) {
  const x = geo.left[i];
  const y = geo.top[i];
  const w = vp.clientWidth;
  const hgt = vp.clientHeight;
  // Horizontally the least movement that shows the card; vertically, a card out of view is centred
  // (a long jump, by End or a search, should land with context around it).
  if (x < vp.scrollLeft + 8) vp.scrollLeft = Math.max(0, x - PAD);
  else if (x + CARD_W > vp.scrollLeft + w - 8) vp.scrollLeft = x + CARD_W - w + PAD;
  if (y < vp.scrollTop + 8 || y + CARD_H > vp.scrollTop + hgt - 8) vp.scrollTop = Math.max(0, y - (hgt - CARD_H) / 2);
}
