// The engine's layout as the <kpi-tree> element shows it: card geometry, screen positions and ARIA set
// sizes, and lookups of display items. A display item is one place of a node in the laid-out tree (a
// shared node has one per parent); items are in preorder. `L.flags` bits (kpitree.d.ts, LayoutFlag):
// 1 has children, 2 expanded, 4 reference (a shared node again under another parent), 8 shared.

// Card geometry in CSS pixels. The engine's layout (layoutOf()) places cards a card and a gap apart;
// depth runs left to right so titles read like an outline and a wide tree scrolls vertically.
export const CARD_W = 236;
export const CARD_H = 84;
const GAP_DEPTH = 56;
const GAP_BREADTH = 12;
export const PAD = 24;
// Neighbours with the same parent one slot apart, different parents a little further (d3's tree()
// uses 2; cards are wide and short, so a smaller gap reads as grouping without wasting the screen).
const SEPARATION = [1, 1.3];

// Per node list: id -> index, for handing the engine collapsed nodes as one typed array (a large tree
// opens with thousands closed) instead of one string each.
const positions = new WeakMap();
function positionsOf(nodes) {
  let map = positions.get(nodes);
  if (!map) {
    map = new Map(nodes.map((n, i) => [n.id, i]));
    positions.set(nodes, map);
  }
  return map;
}

/** `tree` (an engine Tree, whose nodes are `nodes`) laid out with the nodes of `collapsed` (ids) closed. */
export function layoutOf(tree, nodes, collapsed) {
  const at = positionsOf(nodes);
  const collapsedNodes = Uint32Array.from([...collapsed].map((id) => at.get(id)).filter((i) => i !== undefined));
  return tree.layout({ collapsedNodes, nodeSize: [CARD_H + GAP_BREADTH, CARD_W + GAP_DEPTH], separation: SEPARATION });
}

/** The SVG path of the link from display item `p`'s card to its child item `i`'s, placed by `g` (geometry()). */
export function edge(g, i, p) {
  const x0 = g.left[p] + CARD_W;
  const y0 = g.top[p] + CARD_H / 2;
  const x1 = g.left[i];
  const y1 = g.top[i] + CARD_H / 2;
  const mx = (x0 + x1) / 2;
  return `M${x0},${y0}C${mx},${y0} ${mx},${y1} ${x1},${y1}`;
}

/** Whether display item flags `f` are those of an item with children of its own: not a reference. */
export function opens(f) {
  return (f & 5) === 1;
}

/**
 * Screen positions and the ARIA set sizes of a layout. The engine gives breadth in `x` and depth in `y`
 * (d3's convention); cards are drawn with depth to the right. One pass, no layout logic: the engine
 * decided where everything goes.
 */
export function geometry(L) {
  const n = L.count;
  const left = new Float64Array(n);
  const top = new Float64Array(n);
  let minB = Infinity;
  let minD = Infinity;
  let maxB = -Infinity;
  let maxD = -Infinity;
  for (let i = 0; i < n; i++) {
    const b = L.x[i];
    const d = L.y[i];
    if (b < minB) minB = b;
    if (b > maxB) maxB = b;
    if (d < minD) minD = d;
    if (d > maxD) maxD = d;
  }
  for (let i = 0; i < n; i++) {
    left[i] = L.y[i] - minD + PAD;
    top[i] = L.x[i] - minB + PAD;
  }
  // aria-posinset / aria-setsize: position among the display siblings (items with the same parent).
  const setsize = new Uint32Array(n);
  const posinset = new Uint32Array(n);
  const childCount = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const p = L.parent[i] + 1; // roots share slot 0
    posinset[i] = ++childCount[p];
  }
  for (let i = 0; i < n; i++) setsize[i] = childCount[L.parent[i] + 1];
  return {
    left,
    top,
    setsize,
    posinset,
    width: n ? maxD - minD + CARD_W + 2 * PAD : 0,
    height: n ? maxB - minB + CARD_H + 2 * PAD : 0,
  };
}

/** Adds to `collapsed` the ids of the nodes with children at `level` and below (1 = strategies) in `tree`. */
export function collapseFrom(collapsed, tree, nodes, level) {
  for (const i of tree.openableFrom(level - 1)) collapsed.add(nodes[i].id);
}

/** What identifies a display item across layouts: its node and its parent's node. */
export function itemKey(L, nodes, i) {
  if (i < 0 || i >= L.count) return null;
  const id = nodes[L.node[i]]?.id;
  const p = L.parent[i];
  return { id, parent: p >= 0 ? nodes[L.node[p]].id : null };
}

/** The display item of `itemKey`'s key in another layout: the same place, else the node's full card. */
export function findItem(L, nodes, { id, parent }) {
  let fallback = -1;
  for (let i = 0; i < L.count; i++) {
    if (nodes[L.node[i]].id !== id) continue;
    const p = L.parent[i];
    if ((p >= 0 ? nodes[L.node[p]].id : null) === parent) return i;
    if (fallback < 0 || !(L.flags[i] & 4)) fallback = fallback < 0 || L.flags[fallback] & 4 ? i : fallback;
  }
  return fallback >= 0 ? fallback : 0;
}

/** The display index where node `id` is shown in full (not as a reference), or -1. */
export function primaryOf(L, nodes, id) {
  let ref = -1;
  for (let i = 0; i < L.count; i++) {
    if (nodes[L.node[i]].id === id) {
      if (!(L.flags[i] & 4)) return i;
      if (ref < 0) ref = i;
    }
  }
  return ref;
}

/** The display indexes of the full cards of the nodes in `ids`, in display order. */
export function itemsOf(L, nodes, ids) {
  if (!ids.size) return [];
  const out = [];
  for (let i = 0; i < L.count; i++) {
    if (!(L.flags[i] & 4) && ids.has(nodes[L.node[i]].id)) out.push(i);
  }
  return out;
}

/** Ids of the collapsed nodes with children among item `i` and its siblings (what `*` opens). */
export function closedSiblings(L, nodes, i) {
  const p = L.parent[i];
  const out = [];
  for (let j = 0; j < L.count; j++) {
    if (L.parent[j] === p && opens(L.flags[j]) && !(L.flags[j] & 2)) out.push(nodes[L.node[j]].id);
  }
  return out;
}
