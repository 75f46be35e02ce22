// {{name}}: a kpitree rule plugin. One rule, `kpi-needs-unit`: an active KPI without a unit.
// Replace it with yours; kpitree's plugins/README.md (*AssemblyScript*) walks through it.

import { Config, Findings, Kind, Manifest, Severity, Tree, evaluate, manifestSlice } from "@kpitree/plugin-sdk";
// Two of the ABI's exports come from the SDK as they are.
export { kpitree_abi_version, kpitree_alloc } from "@kpitree/plugin-sdk";

// The rule's id; its fixtures are in tests/kpi-needs-unit/.
const RULE = "kpi-needs-unit";

function manifest(): Manifest {
  return new Manifest("{{name}}", "0.1.0", "Active KPIs without a unit.")
    .rule(
      RULE,
      Severity.Warning,
      "an active KPI without a unit",
      "A number without a unit is read differently by everyone who sees it: percent or percentage points, euros or thousands of euros, a week or a month. Targets and thresholds set on it mean nothing until the unit is agreed.",
      "Give the KPI a unit: %, EUR, days, tickets a week.",
    )
    .schema('{"type": "object", "additionalProperties": false}')
    // What the rule reads (`kind` and `id` always come): `status` for isActive, `title` for display.
    // kpitree encodes only these; reading anything else fails with an error that names it.
    .read(["status", "title", "unit"]);
}

export function kpitree_manifest(): i64 {
  return manifestSlice(manifest());
}

export function kpitree_evaluate(ptr: i32, len: i32): i64 {
  return evaluate(ptr, len, manifest(), check);
}

// The rule: one finding per active KPI that has no unit, in document order. Returns null, or a
// message that kpitree reports as a plugin error.
function check(tree: Tree, config: Config, out: Findings): string | null {
  // `[plugins.{{name}}]` in kpitree.toml (`{}` when absent). No options yet, so any key is refused
  // rather than ignored; `config.integer(...)` and `config.onlyKeys([...])` read options.
  const keys = config.keys();
  if (keys.length > 0) return "configuration: unknown key `" + keys[0] + "`; this plugin takes no options";
  // Nodes are indexes, in document order.
  for (let i: u32 = 0; i < tree.n; i++) {
    if (tree.kind(i) != Kind.Kpi || !tree.isActive(i)) continue;
    if (tree.unit(i) === null) out.add(RULE, tree.display(i) + " has no unit").node(i);
  }
  return null;
}
