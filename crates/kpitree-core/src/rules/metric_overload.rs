//! `metric-overload`
//!
//! **What it does:** counts active KPIs. It reports each active key result or objective with more active
//! KPIs directly under it than `max_per_parent` (default 5), and the whole tree when it holds more active
//! KPIs than `max_total` (default 60). Draft and retired KPIs do not count, and KPIs under a draft or
//! retired parent are not counted for that parent.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** a key result with seven KPIs under it (budget 5); a tree with 75 active KPIs (budget
//! 60). A key result with exactly five KPIs, or one with five active and two retired KPIs, passes.
//! Fixtures: `tests/rules/metric-overload/`.

use super::{Context, Param, Rule, RuleMeta, Sink, plural};
use crate::finding::Severity;
use crate::model::NodeKind;
use crate::tree::Ix;

/// See the module documentation.
pub struct MetricOverload;

/// Option `max_per_parent`.
const MAX_PER_PARENT: Param<i64> =
    Param::int("max_per_parent", 5, 1, 1000, "most active KPIs allowed directly under one key result or objective");

/// Option `max_total`.
const MAX_TOTAL: Param<i64> = Param::int("max_total", 60, 1, 10_000_000, "most active KPIs allowed in the whole tree");

static META: RuleMeta = RuleMeta {
    id: "metric-overload",
    severity: Severity::Warning,
    summary: crate::meta::described(
        "more KPIs under one key result or objective, or in the whole tree, than the budget",
    ),
    why: "Metrics pile up: each is added for a good reason and hardly any are removed. Past a handful per key \
          result nobody reads them all, the few that matter drown in the rest, and reviews turn into a tour of \
          green and red instead of a conversation about what to change.",
    fix: "Keep the KPIs that tell whether the key result or objective is being reached; retire the others or \
          move them to the team that acts on them.",
    params: &[MAX_PER_PARENT.spec, MAX_TOTAL.spec],
};

impl Rule for MetricOverload {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let tree = cx.tree;
        let max_per_parent = usize::try_from(cx.get(MAX_PER_PARENT)).unwrap_or(0);
        let max_total = usize::try_from(cx.get(MAX_TOTAL)).unwrap_or(0);

        let total = tree.nodes().iter().filter(|n| n.kind == NodeKind::Kpi && n.is_active()).count();
        if total > max_total {
            out.report_fix(
                &[],
                format!(
                    "the tree has {}; the budget for the whole tree is {max_total}, so {} too many",
                    plural(total, "active KPI", "active KPIs"),
                    total - max_total
                ),
                format!(
                    "Review the KPIs with their owners and retire at least {} of them: start with orphans, KPIs \
                     nobody has reviewed for a year and KPIs that duplicate another.",
                    total - max_total
                ),
            );
        }

        let mut kpis: Vec<Ix> = Vec::new();
        for (i, parent) in tree.nodes().iter().enumerate() {
            if !matches!(parent.kind, NodeKind::KeyResult | NodeKind::Objective) || !parent.is_active() {
                continue;
            }
            let i = i as Ix;
            let count = tree
                .children(i)
                .iter()
                .filter(|&&c| {
                    let n = tree.node(c);
                    n.kind == NodeKind::Kpi && n.is_active()
                })
                .count();
            if count <= max_per_parent {
                continue;
            }
            kpis.clear();
            kpis.push(i);
            kpis.extend(tree.children(i).iter().copied().filter(|&c| {
                let n = tree.node(c);
                n.kind == NodeKind::Kpi && n.is_active()
            }));
            let excess = count - max_per_parent;
            let (rest, them) = if excess == 1 { ("one".to_owned(), "it") } else { (excess.to_string(), "them") };
            let (keep, tell) = if max_per_parent == 1 {
                ("the KPI".to_owned(), "tells")
            } else {
                (format!("the {max_per_parent} KPIs"), "tell")
            };
            out.report_fix(
                &kpis,
                format!(
                    "{} has {} directly under it; the budget is {max_per_parent}, so {} too many",
                    parent.display(),
                    plural(count, "active KPI", "active KPIs"),
                    excess
                ),
                format!(
                    "Keep {keep} that best {tell} whether the {} is being reached; retire the remaining {rest} or \
                     move {them} to the team that acts on {them}.",
                    parent.kind.label(),
                ),
            );
            // The case is the parent; its KPIs may change.
            out.case(parent.id.clone());
        }
    }
}
