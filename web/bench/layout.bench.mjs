// Layout of large trees in Chromium: the engine's `tree.layout()` (wasm, Buchheim-Walker over the
// unfolded DAG) against d3-hierarchy's `tree()` (the same algorithm in JS) on the same display tree,
// in the same run. For d3 the hierarchy is built beforehand, outside the timing, so its number is the
// layout alone; ours includes unfolding the DAG and copying the columns out of wasm. Medians of
// several runs after a warm-up. Needs `npm run build`.

/** A realistic tree document of about `n` nodes: strategies, objectives (some nested), key results,
 *  KPIs (some under two parents, some under other KPIs). Deterministic. */
export function generate(n, seed = 42) {
  let s = seed >>> 0 || 1;
  const rnd = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const nodes = [];
  const add = (node) => (nodes.push(node), node.id);
  const strategies = Array.from({ length: Math.max(1, Math.round(n / 20000)) + 2 }, (_, i) =>
    add({ id: `s${i}`, kind: 'strategy', title: `Strategy ${i}` }));
  const objectives = [];
  const krs = [];
  const kpis = [];
  while (nodes.length < n) {
    const parent = objectives.length > 3 && rnd() < 0.15 ? pick(objectives) : pick(strategies);
    const o = add({ id: `o${objectives.length}`, kind: 'objective', title: 'Objective', parents: [parent], period: '2026-Q4' });
    objectives.push(o);
    for (let k = 3 + Math.floor(rnd() * 3); k > 0 && nodes.length < n; k--) {
      const kr = add({ id: `kr${krs.length}`, kind: 'key_result', title: 'Key result', parents: [o] });
      krs.push(kr);
      for (let m = 1 + Math.floor(rnd() * 4); m > 0 && nodes.length < n; m--) {
        const parents = [kr];
        if (rnd() < 0.1 && krs.length > 2) {
          const other = pick(krs);
          if (other !== kr) parents.push(other);
        }
        if (rnd() < 0.15 && kpis.length > 0) parents.splice(0, parents.length, pick(kpis));
        kpis.push(add({ id: `k${kpis.length}`, kind: 'kpi', title: 'KPI', parents }));
      }
    }
  }
  return { version: 1, organisation: 'Bench', as_of: '2026-11-27', nodes };
}

export default async function layoutBench({ url, browser }) {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${url}/dist/engine.js`);
  const rows = [];
  for (const n of [1000, 10000, 100000]) {
    const doc = generate(n);
    const r = await page.evaluate(async (doc) => {
      const k = await import('/dist/engine.js');
      const d3 = await import('/node_modules/d3-hierarchy/dist/d3-hierarchy.mjs');
      // The lean engine, the one the widget loads for a JSON tree (the layout is the same code in both).
      await k.initEngine({ lean: true });
      const tree = k.loadTree(doc, { file: 'bench.json' });
      const size = [160, 72];
      const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const runs = doc.nodes.length >= 100000 ? 7 : 21;
      const ours = [];
      let L;
      for (let i = 0; i < runs + 2; i++) {
        const t = performance.now();
        L = tree.layout({ nodeSize: size });
        if (i >= 2) ours.push(performance.now() - t);
      }
      // The same display tree for d3, built once.
      const build = () => {
        const items = Array.from({ length: L.count }, (_, i) => ({ i, children: [] }));
        const root = { i: -1, children: [] };
        for (let i = 0; i < L.count; i++) (L.parent[i] < 0 ? root : items[L.parent[i]]).children.push(items[i]);
        return d3.hierarchy(root, (d) => (d.children.length ? d.children : null));
      };
      const theirs = [];
      const withHierarchy = [];
      const layout = d3.tree().nodeSize(size);
      for (let i = 0; i < runs + 2; i++) {
        const t0 = performance.now();
        const h = build();
        const t1 = performance.now();
        layout(h);
        const t2 = performance.now();
        if (i >= 2) {
          theirs.push(t2 - t1);
          withHierarchy.push(t2 - t0);
        }
      }
      tree.free();
      return { items: L.count, ours: median(ours), theirs: median(theirs), withHierarchy: median(withHierarchy) };
    }, doc);
    rows.push({ name: `${n} nodes (${r.items} items): engine layout()`, value: r.ours, unit: 'ms' });
    rows.push({ name: `${n} nodes: d3 tree() alone`, value: r.theirs, unit: 'ms', note: `engine ${(r.theirs / r.ours).toFixed(2)}x as fast` });
    rows.push({ name: `${n} nodes: d3 hierarchy() + tree()`, value: r.withHierarchy, unit: 'ms' });
  }
  await page.close();
  return rows;
}
