//! `check-in-without-learning`
//!
//! **What it does:** finds active key results whose check-ins report a value and nothing else:
//! - at least `min_check_ins` check-ins, none of which has a `confidence` or a non-blank `note`; or,
//!   when that does not apply,
//! - the latest `min_check_ins` check-ins (by date) all repeat the same value and none has a note:
//!   the number is reported, but nobody says why it does not move or what the team will change.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** five check-ins `{date, value}` with no `confidence` and no `note`; three check-ins in
//! a row at 42 with confidence 0.5 and no notes. Fixtures: `tests/rules/check-in-without-learning/`.
//!
//! **Defaults:** `min_check_ins` 3; severity `info`.

use super::{Context, Param, Rule, RuleMeta, Sink};
use crate::finding::Severity;
use crate::model::{CheckIn, NodeKind};

/// See the module documentation.
pub struct CheckInWithoutLearning;

/// Option `min_check_ins`.
const MIN_CHECK_INS: Param<i64> = Param::int(
    "min_check_ins",
    3,
    2,
    1000,
    "check-ins needed before the rule judges them (also how many repeated values in a row it flags)",
);

static META: RuleMeta = RuleMeta {
    id: "check-in-without-learning",
    severity: Severity::Info,
    summary: "key-result check-ins that report a value but never a confidence or a note",
    why: "A check-in exists to learn, not to colour a cell green or red. Without the team's confidence and a note on \
          what they tried and learned, a review can only explain variance; it cannot decide to adjust the plan, run \
          an experiment or drop the key result.",
    fix: "At each check-in, record the team's confidence (0.0-1.0) that the key result will be reached and a note \
          on what was tried, what was learned and what changes next.",
    params: &[MIN_CHECK_INS.spec],
};

impl Rule for CheckInWithoutLearning {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let min = usize::try_from(cx.get(MIN_CHECK_INS)).unwrap_or(3).max(2);
        for i in cx.tree.of_kind(NodeKind::KeyResult) {
            let kr = cx.node(i);
            let n = kr.check_ins.len();
            if !kr.is_active() || n < min {
                continue;
            }
            if kr.check_ins.iter().all(|c| c.confidence.is_none() && !has_note(c)) {
                out.report(
                    &[i],
                    format!("{} has {n} check-ins that report only a value: no confidence, no note", kr.display()),
                );
                continue;
            }
            let owned;
            let latest: &[CheckIn] = if kr.check_ins.windows(2).all(|w| w[0].date <= w[1].date) {
                kr.check_ins.get(n - min..).unwrap_or_default()
            } else {
                owned = latest(&kr.check_ins, min);
                &owned
            };
            let (Some(first), Some(last)) = (latest.first(), latest.last()) else { continue };
            if latest.iter().all(|c| c.value == first.value && !has_note(c)) {
                let value = super::quantity(first.value, kr.unit.as_deref());
                out.report_fix(
                    &[i],
                    format!(
                        "{} reports the same value, {value}, at its last {min} check-ins ({} to {}), and none has \
                         a note: the status is reported, but nothing is learned",
                        kr.display(),
                        first.date,
                        last.date
                    ),
                    "Use the check-in to learn: note why the value is not moving, what the team tried and what it \
                     will change; if nothing can move it, rethink the approach or the key result."
                        .to_owned(),
                );
            }
        }
    }
}

/// A note with more than whitespace.
fn has_note(c: &CheckIn) -> bool {
    c.note.as_deref().is_some_and(|n| !n.trim().is_empty())
}

/// The `k` latest check-ins, oldest first (ties on a date keep document order), for unsorted input.
fn latest(check_ins: &[CheckIn], k: usize) -> Vec<CheckIn> {
    let mut all = check_ins.to_vec();
    crate::sort::sort_by_key(&mut all, |c| c.date);
    let start = all.len().saturating_sub(k);
    all.split_off(start)
}
