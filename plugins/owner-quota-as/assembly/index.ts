// owner-quota: at most `max` (default 8) active KPIs per owner. The rule of plugins/owner-quota-wat,
// written with the AssemblyScript SDK; same manifest texts, configuration, messages and evidence.
//
// Because KTR1 stores each distinct string once, two owners are the same exactly when their string
// references are, so counting per owner is an array indexed by reference: no hashing, no sorting.

import { Config, Findings, Kind, Manifest, NONE, Severity, Status, Tree, evaluate, manifestSlice } from "@kpitree/plugin-sdk";

// The ABI's other two exports come from the SDK as they are.
export { kpitree_abi_version, kpitree_alloc } from "@kpitree/plugin-sdk";

const RULE = "owner-kpi-quota";

function manifest(): Manifest {
  return new Manifest(
    "owner-quota",
    "0.1.0",
    "Limits how many active KPIs one owner may hold. Written in AssemblyScript with @kpitree/plugin-sdk.",
  )
    .rule(
      RULE,
      Severity.Warning,
      "an owner with more active KPIs than the quota (default 8)",
      "Nobody can look after more than a handful of metrics. An owner with a long list reviews none of them properly, so metrics pile up unquestioned and ownership becomes a formality.",
      "Retire the KPIs no objective needs, or hand some to the teams closest to them.",
    )
    .schema(
      '{"type":"object","properties":{"max":{"type":"integer","minimum":1,"maximum":1000000,"default":8,"description":"most active KPIs one owner may hold"}}}',
    )
    // `kind`, `id` and the string table always come; the host encodes only these besides.
    .read(["status", "owner"]);
}

export function kpitree_manifest(): i64 {
  return manifestSlice(manifest());
}

export function kpitree_evaluate(ptr: i32, len: i32): i64 {
  return evaluate(ptr, len, manifest(), check);
}

function check(tree: Tree, config: Config, out: Findings): string | null {
  // Anything but a whole number from 1 to 1000000 is a plugin error (`evaluate` reports it).
  const max = <u32>config.integer("max", 8, 1, 1_000_000);
  if (config.error !== null) return null;
  const n = tree.n;
  const strings = tree.stringCount;
  // Per owner reference: active KPIs, first and last of them (node index + 1, 0 = none); per node:
  // the next active KPI of the same owner, so each owner's KPIs are a chain in document order.
  const count = new Uint32Array(strings);
  const head = new Uint32Array(strings);
  const tail = new Uint32Array(strings);
  const next = new Uint32Array(n);
  for (let i: u32 = 0; i < n; i++) {
    if (tree.kind(i) != Kind.Kpi || tree.status(i) != Status.Active) continue;
    const o = tree.ownerRef(i);
    if (o == NONE) continue; // no owner: not counted
    unchecked((count[o] += 1));
    const last = unchecked(tail[o]);
    if (last != 0) unchecked((next[last - 1] = i + 1));
    else unchecked((head[o] = i + 1));
    unchecked((tail[o] = i + 1));
  }
  // One finding per owner over the quota, at the owner's first active KPI, in document order.
  for (let i: u32 = 0; i < n; i++) {
    const o = tree.ownerRef(i);
    if (o == NONE || unchecked(head[o]) != i + 1) continue;
    const kpis = unchecked(count[o]);
    if (kpis <= max) continue;
    const owner = tree.string(o)!;
    const f = out.add(RULE, '"' + owner + '" owns ' + kpis.toString() + " active KPIs, more than the quota of " + max.toString());
    for (let a = i + 1; a != 0; a = unchecked(next[a - 1])) f.node(a - 1);
    f.evidenceRef("owner", o).evidenceInt("kpis", kpis).evidenceInt("limit", max);
  }
  return null;
}
