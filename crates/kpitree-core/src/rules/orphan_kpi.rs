//! `orphan-kpi`
//!
//! **What it does:** finds active KPIs with no path of active nodes up to an active objective.
//!
//! A KPI that, through active nodes, sits under a draft objective or draft key result collects the
//! baseline that draft will need: it is reported as `info` at most, naming the draft, and it is never a
//! pruning candidate (`prune` leaves it alone). This holds when another of its paths ends at a retired
//! objective: the draft still needs it.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** a KPI with no parents; a KPI whose only key result belongs to a retired objective. A
//! KPI under a draft key result of an active objective is `info`: it collects a baseline for it.
//! Fixtures: `tests/rules/orphan-kpi/`.

use super::{Context, Rule, RuleMeta, Sink};
use crate::finding::Severity;
use crate::model::NodeKind;

/// See the module documentation.
pub struct OrphanKpi;

/// A message names at most this many of the objectives above a KPI.
const OBJECTIVES_SHOWN: usize = 10;

static META: RuleMeta = RuleMeta {
    id: "orphan-kpi",
    severity: Severity::Warning,
    summary: crate::meta::described("a KPI with no path up to an active objective"),
    why: "A KPI earns its place by supporting an active objective. One that supports none is monitored but not \
          prioritised: it costs attention and reporting effort and tells nobody what must change. Orphans are \
          the first candidates for pruning.",
    fix: "Attach the KPI to the key result or objective it serves, or retire it.",
    params: &[],
};

impl Rule for OrphanKpi {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let tree = cx.tree;
        let serves = &cx.analysis.serves_active_objective;
        // The objectives above each KPI that serves none, top-down: a KPI whose one parent is such a
        // KPI shares its list, so a chain of orphans costs one walk, not one per KPI.
        let mut list_of = vec![u32::MAX; tree.len()];
        let mut lists: Vec<Vec<crate::tree::Ix>> = Vec::new();
        for &i in tree.top_down() {
            if cx.node(i).kind != NodeKind::Kpi || serves[i as usize] || cx.analysis.baseline_for(i).is_some() {
                continue;
            }
            list_of[i as usize] = match tree.parents(i) {
                &[p] if list_of[p as usize] != u32::MAX => list_of[p as usize],
                _ => {
                    lists.push(objectives_above(cx, i));
                    (lists.len() - 1) as u32
                }
            };
        }
        for i in tree.of_kind(NodeKind::Kpi) {
            let node = cx.node(i);
            if !node.is_active() || serves[i as usize] {
                continue;
            }
            if let Some(draft) = cx.analysis.baseline_for(i) {
                let draft = cx.node(draft);
                let message = format!(
                    "{} collects a baseline for draft {}: it serves no active objective yet",
                    node.display(),
                    draft.display()
                );
                let fix = format!(
                    "Keep measuring it while the draft is prepared: once {} is active, the KPI serves it. If the \
                     draft is dropped, attach the KPI to the key result or objective it serves, or retire it.",
                    draft.display()
                );
                out.report_full(&[i], message, Some(fix), None, Some(Severity::Info));
                continue;
            }
            let message = if node.parents.is_empty() {
                format!("{} has no parents: it supports no objective", node.display())
            } else {
                let objectives = lists.get(list_of[i as usize] as usize).map_or(&[][..], |l| &l[..]);
                if objectives.is_empty() {
                    format!("{} has no objective above it", node.display())
                } else {
                    // Bounded: many orphans under many objectives would otherwise make output quadratic.
                    let mut listed: Vec<String> = Vec::new();
                    for &o in objectives.iter().take(OBJECTIVES_SHOWN) {
                        let n = cx.node(o);
                        listed.push(format!("{} ({})", n.display(), n.status.as_str()));
                    }
                    if objectives.len() > OBJECTIVES_SHOWN {
                        listed.push(format!("and {} more", objectives.len() - OBJECTIVES_SHOWN));
                    }
                    format!(
                        "{} reaches no active objective through active nodes (objectives above it: {})",
                        node.display(),
                        listed.join(", ")
                    )
                }
            };
            out.report(&[i], message);
        }
    }
}

/// Objectives reachable upwards from `i`, whatever their status, in document order.
fn objectives_above(cx: &Context<'_>, i: crate::tree::Ix) -> Vec<crate::tree::Ix> {
    let mut seen = vec![i];
    let mut visited = rustc_hash::FxHashSet::default();
    visited.insert(i);
    let mut k = 0;
    while k < seen.len() {
        for &p in cx.tree.parents(seen[k]) {
            if visited.insert(p) {
                seen.push(p);
            }
        }
        k += 1;
    }
    let mut out: Vec<crate::tree::Ix> = Vec::new();
    for n in seen {
        if cx.node(n).kind == NodeKind::Objective {
            out.push(n);
        }
    }
    crate::sort::sort(&mut out);
    out
}
