//! `too-many-key-results`
//!
//! **What it does:** reports an active objective with more active key results than `max_key_results`
//! (default 5), and an active objective with no active key result and no active sub-objective. Draft and
//! retired key results do not count. An objective that is broken down only into sub-objectives is fine:
//! those carry the key results.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** an objective with six active key results (budget 5); an objective with only a draft key
//! result. An objective with exactly five key results, or with sub-objectives and no key result of its
//! own, passes. Fixtures: `tests/rules/too-many-key-results/`.

use super::{Context, Param, Rule, RuleMeta, Sink, plural};
use crate::finding::Severity;
use crate::model::{NodeKind, Status};
use crate::tree::Ix;

/// See the module documentation.
pub struct TooManyKeyResults;

/// Option `max_key_results`.
const MAX_KEY_RESULTS: Param<i64> =
    Param::int("max_key_results", 5, 1, 1000, "most active key results allowed under one objective");

static META: RuleMeta = RuleMeta {
    id: "too-many-key-results",
    severity: Severity::Warning,
    summary: crate::meta::described("an objective with more key results than the budget, or with none"),
    why: "Key results say how the success of an objective is measured. With more than a handful the objective \
          loses focus and its key results turn into one more layer of KPIs; with none, nobody can tell whether \
          it is achieved.",
    fix: "Give the objective between one and a few key results: outcomes with a start and a target that say \
          what success looks like by the end of the period.",
    params: &[MAX_KEY_RESULTS.spec],
};

impl Rule for TooManyKeyResults {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let tree = cx.tree;
        let max = usize::try_from(cx.get(MAX_KEY_RESULTS)).unwrap_or(0);
        let mut nodes: Vec<Ix> = Vec::new();
        for o in tree.of_kind(NodeKind::Objective) {
            let objective = cx.node(o);
            if !objective.is_active() {
                continue;
            }
            let (mut active, mut inactive, mut drafts, mut sub_objectives) = (0usize, 0usize, 0usize, 0usize);
            for &c in tree.children(o) {
                let n = tree.node(c);
                match n.kind {
                    NodeKind::KeyResult if n.is_active() => active += 1,
                    NodeKind::KeyResult => {
                        inactive += 1;
                        drafts += usize::from(n.status == Status::Draft);
                    }
                    NodeKind::Objective if n.is_active() => sub_objectives += 1,
                    _ => {}
                }
            }
            if active > max {
                nodes.clear();
                nodes.push(o);
                nodes.extend(tree.children(o).iter().copied().filter(|&c| {
                    let n = tree.node(c);
                    n.kind == NodeKind::KeyResult && n.is_active()
                }));
                let excess = active - max;
                let (keep, say) = if max == 1 {
                    ("the key result".to_owned(), "says")
                } else {
                    (format!("the {max} key results"), "say")
                };
                let (rest, them, kpis, they, monitor) = if excess == 1 {
                    ("one".to_owned(), "it", "a KPI", "it", "monitors")
                } else {
                    (excess.to_string(), "them", "KPIs", "they", "monitor")
                };
                out.report_fix(
                    &nodes,
                    format!(
                        "{} has {}; the budget is {max}, so {excess} too many",
                        objective.display(),
                        plural(active, "active key result", "active key results"),
                    ),
                    format!(
                        "Keep {keep} that best {say} what success of this objective looks like; drop or merge the \
                         remaining {rest}, or turn {them} into {kpis} if {they} only {monitor}.",
                    ),
                );
            } else if active == 0 && sub_objectives == 0 {
                let message = if inactive == 0 {
                    format!("{} has no key results: nobody can tell whether it is achieved", objective.display())
                } else {
                    let which = match (inactive, drafts) {
                        (1, 1) => "its only key result is a draft".to_owned(),
                        (1, _) => "its only key result is retired".to_owned(),
                        (n, d) if d == n => format!("its {n} key results are all drafts"),
                        (n, 0) => format!("its {n} key results are all retired"),
                        (n, _) => format!("its {n} key results are all draft or retired"),
                    };
                    format!(
                        "{} has no active key results ({which}): nobody can tell whether it is achieved",
                        objective.display()
                    )
                };
                out.report(&[o], message);
            }
        }
    }
}
