//! `too-many-objectives`
//!
//! **What it does:** counts the active objectives of each owner in each period. Owners are compared
//! trimmed and case-insensitively (`Sales` and ` sales ` are one owner, reported as first written);
//! periods are compared trimmed and case-insensitively, and objectives without a period form one group
//! ("no period"). More than `max_per_owner` (default 3) objectives in one group is a finding at the rule's
//! severity; more than `hard_max` (default 5) escalates it to an error. Objectives without an owner are
//! not counted (`missing-owner` reports them); draft and retired objectives do not count.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** the owner `Sales` with four active objectives for `2026-Q4` (warning) or six (error).
//! Three objectives in `2026-Q4` plus three in `2027-Q1`, or four where one is a draft, pass.
//! Fixtures: `tests/rules/too-many-objectives/`.

use super::text::{eq_folded, fold_hash};
use super::{Context, Param, Rule, RuleMeta, Sink};
use crate::finding::Severity;
use crate::model::NodeKind;
use crate::tree::Ix;

/// See the module documentation.
pub struct TooManyObjectives;

/// Option `max_per_owner`.
const MAX_PER_OWNER: Param<i64> =
    Param::int("max_per_owner", 3, 1, 1000, "most active objectives one owner may have in one period");

/// Option `hard_max`.
const HARD_MAX: Param<i64> =
    Param::int("hard_max", 5, 1, 1000, "above this many objectives per owner and period the finding is an error");

static META: RuleMeta = RuleMeta {
    id: "too-many-objectives",
    severity: Severity::Warning,
    summary: crate::meta::described("one owner with more active objectives in one period than the budget"),
    why: "Objectives say what matters most now. An owner with many objectives at once has no priority: \
          attention spreads thin, each objective gets a little effort and none is achieved. Too many OKRs at \
          once is one of the commonest OKR mistakes.",
    fix: "Choose the few objectives that matter most this period; move the others to a later period, merge \
          them, or hand them to another owner.",
    params: &[MAX_PER_OWNER.spec, HARD_MAX.spec],
};

/// One counted objective, with a hash of its case-folded owner and period for grouping.
struct Entry<'d> {
    key: (u64, u64),
    ix: Ix,
    owner: &'d str,
    period: Option<&'d str>,
}

impl Entry<'_> {
    /// Same owner and period, compared exactly (hashes only sort).
    fn same_group(&self, other: &Entry<'_>) -> bool {
        eq_folded(self.owner, other.owner)
            && match (self.period, other.period) {
                (None, None) => true,
                (Some(a), Some(b)) => eq_folded(a, b),
                _ => false,
            }
    }
}

impl Rule for TooManyObjectives {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let tree = cx.tree;
        let max = usize::try_from(cx.get(MAX_PER_OWNER)).unwrap_or(0);
        let hard_max = usize::try_from(cx.get(HARD_MAX)).unwrap_or(0);
        let limit = max.min(hard_max);
        let mut entries: Vec<Entry<'_>> = Vec::new();
        for i in tree.of_kind(NodeKind::Objective) {
            let n = tree.node(i);
            if !n.is_active() {
                continue;
            }
            let Some(owner) = n.owner() else { continue };
            let period = n.period.as_deref().map(str::trim).filter(|p| !p.is_empty());
            entries.push(Entry { key: (fold_hash(owner), period.map_or(0, fold_hash)), ix: i, owner, period });
        }
        // Equal keys are contiguous after sorting, each run in document order. A run normally holds one
        // owner and period; a hash collision is split apart by exact comparison.
        crate::sort::sort_by_key(&mut entries, |e| (e.key, e.ix));
        let mut groups: Vec<Vec<&Entry<'_>>> = Vec::new();
        for run in entries.chunk_by(|a, b| a.key == b.key) {
            let Some(first) = run.first() else { continue };
            if run.iter().all(|e| e.same_group(first)) {
                if run.len() > limit {
                    groups.push(run.iter().collect());
                }
                continue;
            }
            let mut split: Vec<Vec<&Entry<'_>>> = Vec::new();
            for e in run {
                match split.iter_mut().find(|g| g.first().is_some_and(|f| f.same_group(e))) {
                    Some(g) => g.push(e),
                    None => split.push(vec![e]),
                }
            }
            groups.extend(split.into_iter().filter(|g| g.len() > limit));
        }
        // Report groups in the document order of their first objective.
        crate::sort::sort_by_key(&mut groups, |g| g.first().map_or(0, |e| e.ix));
        let mut nodes: Vec<Ix> = Vec::new();
        for group in groups {
            let Some(first) = group.first() else { continue };
            nodes.clear();
            nodes.extend(group.iter().map(|e| e.ix));
            let count = group.len();
            let when = match first.period {
                Some(p) => format!("in {p}"),
                None => "with no period".to_owned(),
            };
            let escalate = count > hard_max;
            let mut message = format!(
                "{} owns {count} active objectives {when}; the budget is {max} per owner and period",
                first.owner
            );
            if escalate {
                message.push_str(&format!(", and more than {hard_max} leaves no focus at all"));
            }
            let excess = count.saturating_sub(limit);
            let keep = count - excess;
            let chosen = if keep == 1 {
                "the one objective that matters".to_owned()
            } else {
                format!("the {keep} objectives that matter")
            };
            let (others, them) =
                if excess == 1 { ("the other one".to_owned(), "it") } else { (format!("the other {excess}"), "them") };
            let fix = match first.period {
                Some(p) => format!(
                    "Choose {chosen} most for {} in {p}; move {others} to a later period, merge {them}, or hand {them} \
                     to another owner.",
                    first.owner
                ),
                None => format!(
                    "Give each objective a `period`, then choose {chosen} most for {} now; move {others} to a later \
                     period, merge {them}, or hand {them} to another owner.",
                    first.owner
                ),
            };
            let severity = (escalate && out.severity() < Severity::Error).then_some(Severity::Error);
            out.report_full(&nodes, message, Some(fix), None, severity);
            // The case is the owner and period (compared folded, as the groups are), not its objectives.
            let period = first.period.map(crate::lower::lowercase_str).unwrap_or_default();
            out.case(format!("{}\u{1f}{period}", crate::lower::lowercase_str(first.owner)));
        }
    }
}
