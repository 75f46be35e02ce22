//! `lagging-only`
//!
//! **What it does:** finds active objectives and key results whose supporting KPIs include lagging
//! indicators but no leading one.
//!
//! - A key result's supporting KPIs are its active KPI children and the active KPIs below those (a KPI
//!   may break down into KPIs).
//! - An objective's supporting KPIs are those of its active key results plus its own active KPI children
//!   and the KPIs below them. Sub-objectives are judged on their own and do not count.
//! - A KPI without `indicator` is *unclassified*: it is not leading, and it is not lagging either unless
//!   `count_unclassified_as_lagging` (default false) is set. Messages name how many are unclassified.
//! - Draft and retired nodes are ignored, and so is everything reached only through them.
//! - A key result is not reported on its own when every active objective it belongs to is reported:
//!   the objective's finding already covers it.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** a key result "Net revenue retention" whose only KPIs are "Churn rate" (lagging) and
//! "Gross margin" (lagging). It passes once a KPI like "Weekly active seats" (leading) supports it.
//! Fixtures: `tests/rules/lagging-only/`.

use super::{Context, Param, Rule, RuleMeta, Sink, plural};
use crate::finding::Severity;
use crate::model::{Indicator, NodeKind};
use crate::tree::{Ix, Tree};

/// See the module documentation.
pub struct LaggingOnly;

/// Option `count_unclassified_as_lagging`.
const COUNT_UNCLASSIFIED_AS_LAGGING: Param<bool> = Param::flag(
    "count_unclassified_as_lagging",
    false,
    "treat KPIs without `indicator` as lagging (by default they are neither leading nor lagging)",
);

static META: RuleMeta = RuleMeta {
    id: "lagging-only",
    severity: Severity::Warning,
    summary: "an objective or key result whose supporting KPIs are all lagging indicators",
    why: "A lagging indicator reports the outcome after the fact, when it is too late to change it. Without a \
          leading indicator that moves first and that the team can steer, reviews can only explain last \
          month's red instead of telling in time what to change.",
    fix: "Add a leading KPI that moves before the outcome and that the team can influence (an input, a \
          behaviour, a pipeline stage), and state the hypothesis with a `drives` link to the lagging KPI.",
    params: &[COUNT_UNCLASSIFIED_AS_LAGGING.spec],
};

/// Which indicators occur among a node's supporting KPIs (bit set).
const LEADING: u8 = 1;
const LAGGING: u8 = 2;
const UNCLASSIFIED: u8 = 4;

/// Visits allowed for counting KPIs in messages, per node of the tree. Counting is a walk per reported
/// node; a tree where many reported nodes share one huge KPI sub-tree could make it quadratic, so past
/// this budget messages leave the counts out (the verdicts themselves are always computed in linear time).
const COUNT_BUDGET_PER_NODE: usize = 8;

impl Rule for LaggingOnly {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let tree = cx.tree;
        let n = tree.len();
        let unclassified_lag = cx.get(COUNT_UNCLASSIFIED_AS_LAGGING);

        // Bottom-up: which indicators occur among the supporting KPIs of each active node. A KPI's set
        // includes itself; key results and objectives collect from active KPI and key result children.
        let mut kinds = vec![0u8; n];
        for &i in tree.top_down().iter().rev() {
            let node = tree.node(i);
            if !node.is_active() || node.kind == NodeKind::Strategy {
                continue;
            }
            let mut k = match (node.kind, node.indicator) {
                (NodeKind::Kpi, Some(Indicator::Leading)) => LEADING,
                (NodeKind::Kpi, Some(Indicator::Lagging)) => LAGGING,
                (NodeKind::Kpi, None) => UNCLASSIFIED,
                _ => 0,
            };
            for &c in tree.children(i) {
                let child = tree.node(c);
                let counts =
                    matches!((node.kind, child.kind), (_, NodeKind::Kpi) | (NodeKind::Objective, NodeKind::KeyResult));
                if counts && child.is_active() {
                    k |= kinds[c as usize];
                }
            }
            kinds[i as usize] = k;
        }
        let flagged = |k: u8| {
            let lagging = k & LAGGING != 0 || (unclassified_lag && k & UNCLASSIFIED != 0);
            lagging && k & LEADING == 0
        };

        let mut reported = vec![false; n];
        let mut counter =
            Counter { stamp: vec![0; n], epoch: 0, budget: n * COUNT_BUDGET_PER_NODE + 1024, stack: Vec::new() };
        let mut kpis: Vec<Ix> = Vec::new();
        let mut nodes: Vec<Ix> = Vec::new();
        // Objectives first, so their key results can defer to them.
        for kind in [NodeKind::Objective, NodeKind::KeyResult] {
            for i in tree.of_kind(kind) {
                let node = tree.node(i);
                if !node.is_active() || !flagged(kinds[i as usize]) {
                    continue;
                }
                if kind == NodeKind::KeyResult {
                    let mut active_parents = tree.parents(i).iter().filter(|&&p| tree.node(p).is_active()).peekable();
                    if active_parents.peek().is_some() && active_parents.all(|&p| reported[p as usize]) {
                        continue;
                    }
                }
                reported[i as usize] = true;
                nodes.clear();
                nodes.push(i);
                if counter.supporting(tree, i, &mut kpis).is_none() {
                    let message = format!(
                        "{} is supported only by lagging indicators: no KPI below it is leading",
                        node.display()
                    );
                    out.report(&nodes, message);
                    continue;
                }
                nodes.extend(kpis.iter().copied());
                // No supporting KPI is leading (that is the verdict), so each one is lagging or unclassified.
                let unclassified = kpis.iter().filter(|&&k| tree.node(k).indicator.is_none()).count();
                let lagging = kpis.len() - unclassified;
                let mut message = describe(node.display(), lagging, unclassified, unclassified_lag);
                let has_sub_objectives = kind == NodeKind::Objective
                    && tree.children(i).iter().any(|&c| {
                        let child = tree.node(c);
                        child.kind == NodeKind::Objective && child.is_active()
                    });
                if has_sub_objectives {
                    message.push_str(" (its sub-objectives are judged on their own)");
                }
                if unclassified == 0 {
                    out.report(&nodes, message);
                } else {
                    let fix = if unclassified == 1 {
                        "Set `indicator` on the KPI that has none; if it does not move before the outcome, add a \
                         leading KPI the team can influence and state the hypothesis with a `drives` link."
                            .to_owned()
                    } else {
                        format!(
                            "Set `indicator` on the {unclassified} KPIs that have none; if none of them moves before \
                             the outcome, add a leading KPI the team can influence and state the hypothesis with a \
                             `drives` link."
                        )
                    };
                    out.report_fix(&nodes, message, fix);
                }
            }
        }
    }
}

/// The message for a reported node, from the counts of its supporting KPIs.
fn describe(who: String, lagging: usize, unclassified: usize, unclassified_lag: bool) -> String {
    let shown = if unclassified_lag { lagging + unclassified } else { lagging };
    let mut s = format!(
        "{who} is supported only by lagging indicators: {} below it, none leading",
        plural(shown, "lagging KPI", "lagging KPIs")
    );
    let note = match (unclassified_lag, unclassified, lagging) {
        (_, 0, _) => return s,
        (false, 1, _) => "; 1 more KPI has no indicator set".to_owned(),
        (false, u, _) => format!("; {u} more KPIs have no indicator set"),
        (true, 1, 0) => " (it has no indicator set and is counted as lagging)".to_owned(),
        (true, _, 0) => " (none of them has an indicator set; all are counted as lagging)".to_owned(),
        (true, 1, _) => " (1 of them has no indicator set and is counted as lagging)".to_owned(),
        (true, u, _) => format!(" ({u} of them have no indicator set and are counted as lagging)"),
    };
    s.push_str(&note);
    s
}

/// Collects the distinct supporting KPIs of a node, with a shared work budget.
struct Counter {
    stamp: Vec<u32>,
    epoch: u32,
    budget: usize,
    stack: Vec<Ix>,
}

impl Counter {
    /// Fills `out` with the active KPIs supporting `root`, in document order; `None` when the budget ran out.
    fn supporting(&mut self, tree: &Tree, root: Ix, out: &mut Vec<Ix>) -> Option<()> {
        out.clear();
        self.epoch = self.epoch.checked_add(1)?;
        self.stack.clear();
        self.stack.push(root);
        while let Some(i) = self.stack.pop() {
            let kind = tree.node(i).kind;
            for &c in tree.children(i) {
                self.budget = self.budget.checked_sub(1)?;
                let child = tree.node(c);
                let follow = match (kind, child.kind) {
                    (_, NodeKind::Kpi) => true,
                    (NodeKind::Objective, NodeKind::KeyResult) => i == root,
                    _ => false,
                };
                let slot = self.stamp.get_mut(c as usize)?;
                if !follow || !child.is_active() || *slot == self.epoch {
                    continue;
                }
                *slot = self.epoch;
                if child.kind == NodeKind::Kpi {
                    out.push(c);
                }
                self.stack.push(c);
            }
        }
        crate::sort::sort(out);
        Some(())
    }
}
