//! `lagging-only`
//!
//! **What it does:** finds active objectives and key results whose supporting KPIs include lagging
//! indicators but no leading one.
//!
//! - A key result's supporting KPIs are its active KPI children and the active KPIs below those (a KPI
//!   may break down into KPIs).
//! - An objective's supporting KPIs are those of its active key results plus its own active KPI children
//!   and the KPIs below them. An umbrella objective also has the leading KPIs of its active
//!   sub-objectives (their lagging ones stay theirs: each sub-objective is judged on its own), so an
//!   objective whose sub-objectives bring a leading KPI is not lagging-only.
//! - A node that an active leading KPI drives (a `drives` link from it to the node in `links`) has a
//!   leading indicator: the link states the hypothesis the fix asks for, and whether it holds up is
//!   `unvalidated-driver`'s job. So a lagging KPI with a leading driver counts as led.
//! - A KPI without `indicator` is *unclassified*: it is not leading, and it is not lagging either unless
//!   `count_unclassified_as_lagging` (default false) is set. Messages name how many are unclassified.
//! - Draft and retired nodes are ignored, and so is everything reached only through them.
//! - An objective whose `period` has ended at `as_of` gets no advice to add a leading KPI, and neither
//!   does a key result whose active objectives have all ended.
//! - A key result is not reported on its own when every active objective it belongs to is reported:
//!   the objective's finding already covers it. A key result under an objective that already has a
//!   leading KPI (through another key result, its own KPIs or a sub-objective) is reported as `info`,
//!   naming that KPI: the objective can be steered, the question is whether that KPI also moves this
//!   key result.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** a key result "Net revenue retention" whose only KPIs are "Churn rate" (lagging) and
//! "Gross margin" (lagging). It passes once a KPI like "Weekly active seats" (leading) supports it, or
//! once a `drives` link states that a leading KPI moves "Churn rate".
//! Fixtures: `tests/rules/lagging-only/`.

use super::supporting::Supporting;
use super::{Context, Param, Rule, RuleMeta, Sink, plural};
use crate::finding::Severity;
use crate::model::{Indicator, LinkKind, NodeKind};
use crate::rollup::Period;
use crate::tree::Ix;
use std::fmt::Write as _;

/// No such node.
const NONE: Ix = Ix::MAX;

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
    summary: crate::meta::described("an objective or key result whose supporting KPIs are all lagging indicators"),
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

impl Rule for LaggingOnly {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let tree = cx.tree;
        let n = tree.len();
        let unclassified_lag = cx.get(COUNT_UNCLASSIFIED_AS_LAGGING);

        // The active leading KPI that drives each node, if any (the first such link).
        let mut driver = vec![NONE; n];
        for (link, from, to) in tree.links() {
            let (f, t) = (tree.node(from), tree.node(to));
            if link.kind == LinkKind::Drives
                && f.kind == NodeKind::Kpi
                && f.indicator == Some(Indicator::Leading)
                && f.is_active()
                && t.is_active()
                && let Some(d) = driver.get_mut(to as usize)
                && *d == NONE
            {
                *d = from;
            }
        }

        // Bottom-up: which indicators occur among the supporting KPIs of each active node, and one leading
        // KPI that supports it (with the node it drives when it is a driver from elsewhere). A KPI's set
        // includes itself; key results and objectives collect from active KPI and key result children, and
        // objectives the leading bit of their active sub-objectives.
        let mut kinds = vec![0u8; n];
        let mut lead = vec![(NONE, NONE); n];
        for &i in tree.top_down().iter().rev() {
            let node = tree.node(i);
            if !node.is_active() || node.kind == NodeKind::Strategy {
                continue;
            }
            let (mut k, mut w) = match (node.kind, node.indicator) {
                (NodeKind::Kpi, Some(Indicator::Leading)) => (LEADING, (i, NONE)),
                (NodeKind::Kpi, Some(Indicator::Lagging)) => (LAGGING, (NONE, NONE)),
                (NodeKind::Kpi, None) => (UNCLASSIFIED, (NONE, NONE)),
                _ => (0, (NONE, NONE)),
            };
            if let Some(&d) = driver.get(i as usize).filter(|&&d| d != NONE) {
                k |= LEADING;
                if w.0 == NONE {
                    w = (d, i);
                }
            }
            for &c in tree.children(i) {
                let child = tree.node(c);
                if !child.is_active() {
                    continue;
                }
                let mask = match (node.kind, child.kind) {
                    (_, NodeKind::Kpi) | (NodeKind::Objective, NodeKind::KeyResult) => u8::MAX,
                    (NodeKind::Objective, NodeKind::Objective) => LEADING,
                    _ => 0,
                };
                let got = kinds[c as usize] & mask;
                k |= got;
                if got & LEADING != 0 && w.0 == NONE {
                    w = lead[c as usize];
                }
            }
            kinds[i as usize] = k;
            lead[i as usize] = w;
        }
        let flagged = |k: u8| {
            let lagging = k & LAGGING != 0 || (unclassified_lag && k & UNCLASSIFIED != 0);
            lagging && k & LEADING == 0
        };
        // Objectives whose period is over: no advice to add a leading KPI for them.
        let mut over = vec![false; n];
        for i in tree.of_kind(NodeKind::Objective) {
            over[i as usize] =
                tree.node(i).period.as_deref().and_then(Period::parse).is_some_and(|p| p.ended(cx.as_of));
        }
        let ended = |i: Ix| over[i as usize];

        let mut reported = vec![false; n];
        let mut counter = Supporting::new(tree);
        let mut kpis: Vec<Ix> = Vec::new();
        let mut nodes: Vec<Ix> = Vec::new();
        // Objectives first, so their key results can defer to them.
        for kind in [NodeKind::Objective, NodeKind::KeyResult] {
            for i in tree.of_kind(kind) {
                let node = tree.node(i);
                if !node.is_active() || !flagged(kinds[i as usize]) || ended(i) {
                    continue;
                }
                // For a key result: an objective above it that already has a leading KPI.
                let mut led_objective = None;
                if kind == NodeKind::KeyResult {
                    let (mut active, mut live) = (Vec::new(), Vec::new());
                    for &p in tree.parents(i) {
                        if tree.node(p).is_active() {
                            active.push(p);
                            if !ended(p) {
                                live.push(p);
                            }
                        }
                    }
                    // Every objective it serves has ended, or is reported already.
                    if !active.is_empty() && (live.is_empty() || live.iter().all(|&p| reported[p as usize])) {
                        continue;
                    }
                    led_objective = live.iter().copied().find(|&p| lead[p as usize].0 != NONE);
                }
                reported[i as usize] = true;
                nodes.clear();
                nodes.push(i);
                let (mut message, unclassified) = if counter.kpis(tree, i, &mut kpis).is_some() {
                    nodes.extend(kpis.iter().copied());
                    // No supporting KPI is leading (that is the verdict), so each one is lagging or unclassified.
                    let unclassified = kpis.iter().filter(|&&k| tree.node(k).indicator.is_none()).count();
                    (describe(node.display(), kpis.len() - unclassified, unclassified, unclassified_lag), unclassified)
                } else {
                    let m = format!(
                        "{} is supported only by lagging indicators: no KPI below it is leading",
                        node.display()
                    );
                    (m, 0)
                };
                if let Some(o) = led_objective {
                    let (k, driven) = lead[o as usize];
                    let kpi = tree.node(k).display();
                    let _ = write!(message, "; its {} already has leading {kpi}", tree.node(o).display());
                    if driven != NONE {
                        let _ = write!(message, ", which drives {}", tree.node(driven).display());
                    }
                    let mut fix = match unclassified {
                        0 => String::new(),
                        1 => "Set `indicator` on the KPI that has none. ".to_owned(),
                        u => format!("Set `indicator` on the {u} KPIs that have none. "),
                    };
                    let _ = write!(
                        fix,
                        "Check whether {kpi} also moves this key result: if it does, state it with a `drives` link \
                         to the key result's lagging KPI; if not, add a leading KPI that does."
                    );
                    out.report_full(&nodes, message, Some(fix), None, Some(Severity::Info));
                    out.case(node.id.clone());
                    continue;
                }
                let has_sub_objectives = kind == NodeKind::Objective
                    && tree.children(i).iter().any(|&c| {
                        let child = tree.node(c);
                        child.kind == NodeKind::Objective && child.is_active()
                    });
                if has_sub_objectives {
                    message.push_str(" (its sub-objectives bring no leading KPI either)");
                }
                if unclassified == 0 {
                    out.report(&nodes, message);
                    out.case(node.id.clone());
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
                    out.case(node.id.clone());
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
