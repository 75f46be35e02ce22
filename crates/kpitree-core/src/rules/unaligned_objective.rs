//! `unaligned-objective`
//!
//! **What it does:** finds active objectives with no path up to an active strategy node. An objective
//! is aligned when one of its parents is an active strategy, or an active objective that is aligned
//! itself. A path through a retired or draft strategy or objective is no alignment: a retired strategy
//! is one the organisation no longer pursues, a draft one is not agreed yet.
//!
//! - Each top-most unaligned objective (one with no active objective above it) is reported once. The
//!   active objectives below it, which are unaligned only because it is, are named in its finding
//!   (message and nodes) rather than reported again; one below several unaligned umbrellas is named
//!   under the first its `parents` lead to.
//! - A tree without any active strategy node gets one finding for the whole tree instead, naming its
//!   top-level objectives: the missing strategy layer is one cause, not one per objective.
//!
//! Draft and retired objectives are ignored. No parameters.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** an objective "Modernise the intranet" with no parents next to objectives under the
//! strategy "Grow recurring revenue" (reported, with its sub-objective named in the same finding); an
//! objective whose only parent is a retired strategy (reported). An objective under an objective under
//! an active strategy passes. Fixtures: `tests/rules/unaligned-objective/`.

use super::{Context, Rule, RuleMeta, Sink, plural};
use crate::finding::Severity;
use crate::model::{NodeKind, Status};
use crate::tree::{Ix, Tree};

/// See the module documentation.
pub struct UnalignedObjective;

static META: RuleMeta = RuleMeta {
    id: "unaligned-objective",
    severity: Severity::Warning,
    summary: crate::meta::described("an active objective with no path up to an active strategy"),
    why: "Objectives exist to say what matters most now for the strategy. One tied to no strategy is usually a \
          department's own agenda or a leftover of a strategy that was dropped: it competes for the same attention \
          and the KPIs under it look prioritised although nothing says why they matter.",
    fix: "Set the objective's `parents` to the strategy it serves (or to an objective that serves one). If it \
          serves none, question whether it should be an objective this period.",
    params: &[],
};

/// Names listed in a message before "and N more".
const NAMES_SHOWN: usize = 5;

impl Rule for UnalignedObjective {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let tree = cx.tree;
        let active_objective = |i: Ix| {
            let n = tree.node(i);
            n.kind == NodeKind::Objective && n.is_active()
        };
        // Top-down: alignment, and for each unaligned active objective the top-most unaligned objective
        // it hangs under (itself when it has no active objective parent).
        let mut aligned = vec![false; tree.len()];
        // `Ix::MAX`: none.
        let mut umbrella: Vec<Ix> = vec![Ix::MAX; tree.len()];
        for &i in tree.top_down() {
            if !active_objective(i) {
                continue;
            }
            let parents = tree.parents(i);
            let ok = parents.iter().any(|&p| {
                let n = tree.node(p);
                n.is_active() && (n.kind == NodeKind::Strategy || aligned.get(p as usize).copied().unwrap_or(false))
            });
            if let Some(slot) = aligned.get_mut(i as usize) {
                *slot = ok;
            }
            if ok {
                continue;
            }
            // Every active objective parent is unaligned here (else `i` would be aligned).
            let above = parents
                .iter()
                .find(|&&p| active_objective(p))
                .and_then(|&p| umbrella.get(p as usize).copied().filter(|&u| u != Ix::MAX));
            if let Some(slot) = umbrella.get_mut(i as usize) {
                *slot = above.unwrap_or(i);
            }
        }
        // Top-most ones in document order, each followed by the objectives below it.
        let mut groups: Vec<(Ix, Ix)> = Vec::new();
        for (i, &u) in umbrella.iter().enumerate() {
            if u != Ix::MAX {
                groups.push((u, i as Ix));
            }
        }
        crate::sort::sort_by_key(&mut groups, |&(u, i)| (u, u != i, i));
        if groups.is_empty() {
            return;
        }

        let strategies: Vec<Ix> = tree.of_kind(NodeKind::Strategy).collect();
        if !strategies.iter().any(|&s| tree.node(s).is_active()) {
            let mut tops: Vec<Ix> = Vec::new();
            for &(u, i) in &groups {
                if u == i {
                    tops.push(i);
                }
            }
            let total = groups.len();
            let inactive = if strategies.is_empty() {
                "has no strategy node".to_owned()
            } else {
                format!("has no active strategy node (only {})", inactive_list(tree, &strategies))
            };
            let message = format!(
                "the tree {inactive}, so none of its {} is tied to a strategy; {}: {}",
                plural(total, "active objective", "active objectives"),
                if tops.len() == 1 { "the top-level one is" } else { "the top-level ones are" },
                names(tree, &tops),
            );
            let fix = "Add the strategy the objectives serve as a `strategy` node and make it the `parents` of the \
                       top-level objectives; an objective that serves no strategy should be questioned."
                .to_owned();
            out.report_fix(&tops, message, fix);
            // One case per tree: its top-level objectives may change.
            out.case(String::new());
            return;
        }

        let mut nodes: Vec<Ix> = Vec::new();
        let mut k = 0;
        while let Some(&(top, _)) = groups.get(k) {
            let end = groups.get(k..).map_or(k, |g| k + g.iter().take_while(|&&(u, _)| u == top).count());
            nodes.clear();
            nodes.extend(groups.get(k..end).unwrap_or_default().iter().map(|&(_, i)| i));
            k = end.max(k + 1);
            let node = tree.node(top);
            let parents = tree.parents(top);
            let reason = if parents.is_empty() {
                "it has no parent, so nothing ties it to a strategy".to_owned()
            } else {
                format!(
                    "its only {} {} not active ({}), and a retired or draft node is no alignment",
                    if parents.len() == 1 { "parent" } else { "parents" },
                    if parents.len() == 1 { "is" } else { "are" },
                    inactive_list(tree, parents)
                )
            };
            let below = match nodes.get(1..).unwrap_or_default() {
                [] => String::new(),
                subs => format!(
                    "; {} below it {} unaligned through it: {}",
                    plural(subs.len(), "active objective", "active objectives"),
                    if subs.len() == 1 { "is" } else { "are" },
                    names(tree, subs)
                ),
            };
            let message = format!("{} is tied to no strategy: {reason}{below}", node.display());
            let fix = if parents.is_empty() {
                format!(
                    "Set the `parents` of {} to the strategy it serves (or to an objective that serves one); if it \
                     serves none, question whether it should be an objective this period.",
                    node.display()
                )
            } else {
                format!(
                    "Attach {} to an active strategy (or an objective that serves one) instead; if it only served \
                     the inactive one, retire it too.",
                    node.display()
                )
            };
            out.report_fix(&nodes, message, fix);
            // The case is the top objective; the ones below it may change.
            out.case(node.id.clone());
        }
    }
}

/// `"Grow" (s) and "Expand" (x)`, up to [`NAMES_SHOWN`] names and then "and N more".
fn names(tree: &Tree, nodes: &[Ix]) -> String {
    let mut shown: Vec<String> = Vec::new();
    for &i in nodes.iter().take(NAMES_SHOWN) {
        let n = tree.node(i);
        shown.push(format!("\"{}\" ({})", n.title, n.id));
    }
    join(shown, nodes.len())
}

/// `strategy "Grow" (s) is retired, objective "X" (x) is draft`, up to [`NAMES_SHOWN`].
fn inactive_list(tree: &Tree, nodes: &[Ix]) -> String {
    let mut shown: Vec<String> = Vec::new();
    for &i in nodes.iter().take(NAMES_SHOWN) {
        let n = tree.node(i);
        let status = match n.status {
            Status::Retired => "retired",
            Status::Draft => "draft",
            Status::Active => "active",
        };
        shown.push(format!("{} is {status}", n.display()));
    }
    join(shown, nodes.len())
}

/// `a`, `a and b`, `a, b and c`, `a, b, c, d, e and 3 more`.
fn join(mut shown: Vec<String>, total: usize) -> String {
    let more = total.saturating_sub(shown.len());
    if more > 0 {
        shown.push(format!("{more} more"));
    }
    super::and_list(&shown)
}
