//! `{{name}}`: a kpitree rule plugin. One rule, `kpi-needs-unit`: an active KPI without a unit.
//! Replace it with yours; kpitree's `plugins/README.md` (*Rust*) walks through it.

use kpitree_plugin_sdk::prelude::*;
use serde::de::IgnoredAny;
use std::collections::BTreeMap;

/// The rule's id; its fixtures are in `tests/kpi-needs-unit/`.
pub const RULE: &str = "kpi-needs-unit";

/// `[plugins.{{name}}]` in kpitree.toml, as JSON (`{}` when absent). No options yet, so any key is
/// refused rather than ignored. To add options, make this a struct with `#[derive(serde::Deserialize)]`
/// and `#[serde(default, deny_unknown_fields)]`, and give it a `Default`.
pub type Config = BTreeMap<String, IgnoredAny>;

/// The rule: one finding per active KPI that has no unit, in document order. An `Err` is reported by
/// kpitree as a plugin error.
pub fn check(tree: &Tree, config: &Config) -> Result<Vec<Finding>, String> {
    if let Some(key) = config.keys().next() {
        return Err(format!("configuration: unknown key `{key}`; this plugin takes no options"));
    }
    let mut out = Findings::new();
    for kpi in tree.of_kind(NodeKind::Kpi).filter(|k| k.is_active()) {
        if kpi.unit().is_none() {
            out.add(RULE, [kpi], format!("{} has no unit", kpi.display()));
        }
    }
    Ok(out.into_vec())
}

kpitree_plugin_sdk::plugin! {
    name: "{{name}}",
    version: env!("CARGO_PKG_VERSION"),
    description: "Active KPIs without a unit.",
    config_schema: r#"{"type": "object", "additionalProperties": false}"#,
    // What the rule reads (`kind` and `id` always come): `status` for is_active, `title` for display.
    // kpitree encodes only these; reading anything else fails with an error that names it.
    reads: ["status", "title", "unit"],
    rules: [{
        id: RULE,
        severity: Warning,
        summary: "an active KPI without a unit",
        why: "A number without a unit is read differently by everyone who sees it: percent or percentage points, euros or thousands of euros, a week or a month. Targets and thresholds set on it mean nothing until the unit is agreed.",
        fix: "Give the KPI a unit: %, EUR, days, tickets a week.",
    }],
    evaluate: check,
}
