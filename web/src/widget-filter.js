// Filters and search of the <kpi-tree> element. A filter yields a smaller tree *document* (the kept
// nodes with their parents narrowed to kept nodes), which the engine loads and lays out like any other:
// the element never positions nodes itself. Search only finds node ids; the element then expands their
// ancestors and asks the engine for a new layout.

/**
 * Which nodes a filter keeps. `nodes`: the tree's nodes in document order; `filters`: `{ activeOnly,
 * pruneOnly, rule, newOnly }` (`newOnly`: the nodes of findings new against the baseline, not waived);
 * `candidates`: ids of pruning candidates; `findings`: the report's findings.
 * Returns null when no filter is set, else `{ keep: Set<id>, hits: Set<id> }`: the nodes to show and,
 * among them, those that match (the rest are shown as context: the ancestors of the matches).
 */
export function filterIds(nodes, filters, { candidates = new Set(), findings = [] } = {}) {
  const { activeOnly = false, pruneOnly = false, rule = '', newOnly = false } = filters ?? {};
  if (!activeOnly && !pruneOnly && !rule && !newOnly) return null;
  const byId = indexById(nodes);

  // Only active objectives: keep the strategies and every active node with a path up to an active
  // objective through kept nodes (what the organisation prioritises now).
  let keep;
  if (activeOnly) {
    const memo = new Map();
    const kept = (id, guard = 0) => {
      if (memo.has(id)) return memo.get(id);
      const n = byId.get(id);
      let ok = false;
      if (!n || guard > nodes.length) ok = false;
      else if (n.kind === 'strategy') ok = true;
      else if ((n.status ?? 'active') !== 'active') ok = false;
      else if (n.kind === 'objective') ok = !n.parents?.length || n.parents.some((p) => kept(p, guard + 1));
      else ok = (n.parents ?? []).some((p) => byId.get(p)?.kind !== 'strategy' && kept(p, guard + 1));
      memo.set(id, ok);
      return ok;
    };
    keep = new Set(nodes.filter((n) => kept(n.id)).map((n) => n.id));
  } else {
    keep = new Set(byId.keys());
  }

  let hits = null;
  const narrow = (ids) => {
    const set = new Set([...ids].filter((id) => keep.has(id)));
    hits = hits ? new Set([...hits].filter((id) => set.has(id))) : set;
  };
  if (pruneOnly) narrow(candidates);
  if (rule) narrow(findings.filter((f) => f.rule === rule).flatMap((f) => f.nodes ?? []));
  if (newOnly) narrow(findings.filter(isNew).flatMap((f) => f.nodes ?? []));

  if (hits === null) return { keep, hits: keep };
  // Show the matches with their ancestors (within the kept nodes) so each stays in context.
  return { keep: new Set([...hits, ...ancestorIds(byId, hits, keep)]), hits };
}

/** Whether finding `f` is new against the baseline and counts (a waived one counts for nothing). */
export function isNew(f) {
  return f.baseline === 'new' && !f.waived;
}

/** The document of the kept nodes: the tree's own fields, parents narrowed to kept nodes, no links. */
export function filteredDocument(doc, nodes, keep) {
  return {
    version: 1,
    organisation: doc.organisation ?? '',
    as_of: doc.as_of,
    nodes: nodes
      .filter((n) => keep.has(n.id))
      .map((n) => (n.parents?.length ? { ...n, parents: n.parents.filter((p) => keep.has(p)) } : n)),
  };
}

/** Ids of the nodes whose title, id, owner or department contains `query` (case-insensitive). */
export function searchIds(nodes, query) {
  const q = query.trim().toLowerCase();
  const out = new Set();
  if (!q) return out;
  for (const n of nodes) {
    if (
      n.title?.toLowerCase().includes(q) ||
      n.id.toLowerCase().includes(q) ||
      n.owner?.toLowerCase().includes(q) ||
      n.department?.toLowerCase().includes(q)
    ) {
      out.add(n.id);
    }
  }
  return out;
}

/**
 * Every ancestor id of `ids` (through all parents of the DAG), not including the ids themselves; with
 * `within`, only those reached through nodes of `within`.
 */
export function ancestorIds(byId, ids, within) {
  const out = new Set();
  const stack = [];
  for (const id of ids) for (const p of byId.get(id)?.parents ?? []) stack.push(p);
  while (stack.length) {
    const id = stack.pop();
    if (out.has(id) || (within && !within.has(id))) continue;
    out.add(id);
    for (const p of byId.get(id)?.parents ?? []) stack.push(p);
  }
  return out;
}

/** The nodes by id. */
export function indexById(nodes) {
  return new Map(nodes.map((n) => [n.id, n]));
}
