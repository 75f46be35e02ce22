//! `check-in-without-learning`
//!
//! **What it does:** finds active key results whose check-ins report without learning. A note counts
//! only if it says something: a blank note, or one that is only boilerplate, counts as no note.
//! Boilerplate is a whole note that reads, ignoring case, spaces and punctuation, "ok", "on track",
//! "no change", "as planned", "n/a", "fine", "same", "green" or "nothing to report" (a note of
//! punctuation only, such as "-", is blank). The causes, at most one finding per key result:
//!
//! - at least `min_check_ins` check-ins, none of which has a `confidence` or a note; otherwise any of
//!   these, combined in one message when several apply:
//! - the latest `min_check_ins` check-ins (by date) all repeat the same value and none has a note:
//!   the number is reported, but nobody says why it does not move or what the team will change;
//! - the latest `boilerplate_notes` check-ins all carry a boilerplate note: the team fills in the box,
//!   but the notes say nothing (check-ins with a confidence and no note at all are not reported for
//!   that);
//! - the latest `same_confidence` check-ins all give a confidence, and the same one: it is being
//!   copied from check-in to check-in, not judged.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** five check-ins `{date, value}` with no `confidence` and no `note`; three check-ins in
//! a row at 42 with confidence 0.5 and notes "on track"; three check-ins noted "OK", "on track." and
//! "ok"; four check-ins in a row at confidence 0.7. A confidence that stays put for three check-ins
//! passes, as do real notes. Fixtures: `tests/rules/check-in-without-learning/`.
//!
//! **Defaults:** `min_check_ins` 3, `boilerplate_notes` 3, `same_confidence` 4; severity `info`.

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

/// Option `boilerplate_notes`.
const BOILERPLATE_NOTES: Param<i64> = Param::int(
    "boilerplate_notes",
    3,
    2,
    1000,
    "latest check-ins in a row whose notes are all boilerplate (\"ok\", \"on track\", ...) before they are reported",
);

/// Option `same_confidence`.
const SAME_CONFIDENCE: Param<i64> = Param::int(
    "same_confidence",
    4,
    4,
    1000,
    "latest check-ins in a row with one and the same confidence before the confidence counts as copied",
);

static META: RuleMeta = RuleMeta {
    id: "check-in-without-learning",
    severity: Severity::Info,
    summary: crate::meta::described(
        "key-result check-ins that report a value without learning: no confidence or note, boilerplate notes, or a copied confidence",
    ),
    why: "A check-in exists to learn, not to colour a cell green or red. Without the team's confidence and a note on \
          what they tried and learned, a review can only explain variance; it cannot decide to adjust the plan, run \
          an experiment or drop the key result. A note that only says \"on track\" and a confidence copied from the \
          last check-in are the same silence in a filled-in form.",
    fix: "At each check-in, record the team's confidence (0.0-1.0) that the key result will be reached and a note \
          on what was tried, what was learned and what changes next.",
    params: &[MIN_CHECK_INS.spec, BOILERPLATE_NOTES.spec, SAME_CONFIDENCE.spec],
};

/// Whole notes that say nothing, as letters and digits only (lowercase ASCII): "on track." and
/// "On-Track" both read `ontrack`, "N/A" reads `na`.
const BOILERPLATE: &[&str] =
    &["ok", "ontrack", "nochange", "asplanned", "na", "fine", "same", "green", "nothingtoreport"];

impl Rule for CheckInWithoutLearning {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let min = usize::try_from(cx.get(MIN_CHECK_INS)).unwrap_or(3).max(2);
        let boilerplate_run = usize::try_from(cx.get(BOILERPLATE_NOTES)).unwrap_or(3).max(2);
        let confidence_run = usize::try_from(cx.get(SAME_CONFIDENCE)).unwrap_or(4).max(2);
        let longest = min.max(boilerplate_run).max(confidence_run);
        for i in cx.tree.of_kind(NodeKind::KeyResult) {
            let kr = cx.node(i);
            let n = kr.check_ins.len();
            if !kr.is_active() || n < min.min(boilerplate_run).min(confidence_run) {
                continue;
            }
            if n >= min && kr.check_ins.iter().all(|c| c.confidence.is_none() && !has_note(c)) {
                let said = said_only(kr.check_ins.iter());
                let notes = if said.is_empty() { String::new() } else { format!(" (the notes only say {said})") };
                out.report(
                    &[i],
                    format!(
                        "{} has {n} check-ins that report only a value: no confidence, no note{notes}",
                        kr.display()
                    ),
                );
                continue;
            }
            let owned;
            let latest: &[CheckIn] = if kr.check_ins.windows(2).all(|w| w[0].date <= w[1].date) {
                kr.check_ins.get(n.saturating_sub(longest)..).unwrap_or_default()
            } else {
                owned = latest(&kr.check_ins, longest);
                &owned
            };
            let last = |k: usize| latest.get(latest.len().saturating_sub(k)..).filter(|l| l.len() == k);
            let mut causes: Vec<String> = Vec::new();
            let mut fixes: Vec<&str> = Vec::new();
            let mut quoted = false;
            if let Some(run) = last(min).filter(|run| repeats(run, |c| Some(c.value)) && !run.iter().any(has_note)) {
                let said = said_only(run.iter());
                quoted = !said.is_empty();
                let note = if said.is_empty() {
                    "none has a note".to_owned()
                } else {
                    format!("no note says more than {said}")
                };
                causes.push(format!(
                    "reports the same value, {}, at its last {min} check-ins ({}), and {note}: the status is \
                     reported, but nothing is learned",
                    super::quantity(run.first().map_or(0.0, |c| c.value), kr.unit.as_deref()),
                    span(run),
                ));
                fixes.push(
                    "Use the check-in to learn: note why the value is not moving, what the team tried and what it \
                     will change; if nothing can move it, rethink the approach or the key result.",
                );
            }
            if let Some(run) = last(boilerplate_run).filter(|run| run.iter().all(is_boilerplate)) {
                // The repeated value's message already quotes the boilerplate of these check-ins.
                let said_already = quoted && boilerplate_run <= min;
                if !said_already {
                    causes.push(format!(
                        "has notes at its last {boilerplate_run} check-ins ({}) that only say {}: they tell \
                         nothing about what was tried or learned",
                        span(run),
                        said_only(run.iter())
                    ));
                }
                fixes.push(
                    "Replace boilerplate notes with what the team tried, what it learned and what it changes next; \
                     \"on track\" is what the value already says.",
                );
            }
            if let Some(run) = last(confidence_run).filter(|run| repeats(run, |c| c.confidence)) {
                causes.push(format!(
                    "gives the same confidence, {}, at its last {confidence_run} check-ins ({}): the confidence is \
                     copied, not judged",
                    super::num(run.first().and_then(|c| c.confidence).unwrap_or_default()),
                    span(run),
                ));
                fixes.push(
                    "Judge the confidence afresh at each check-in: how likely is the target now, given what moved \
                     since the last one? If it truly has not changed, say why in the note.",
                );
            }
            if causes.is_empty() {
                continue;
            }
            let message = format!("{} {}", kr.display(), join(&causes));
            out.report_fix(&[i], message, fixes.join(" "));
        }
    }
}

/// A note that says something: not blank, not boilerplate.
fn has_note(c: &CheckIn) -> bool {
    c.note.as_deref().is_some_and(|n| !letters(n).is_some_and(|l| l.is_empty() || BOILERPLATE.contains(&l.as_str())))
}

/// A note that is boilerplate (not blank).
fn is_boilerplate(c: &CheckIn) -> bool {
    c.note.as_deref().and_then(letters).is_some_and(|l| BOILERPLATE.contains(&l.as_str()))
}

/// The letters and digits of a short ASCII note, lowercase; `None` for a note that cannot be
/// boilerplate (too long, or with other letters). Blank or punctuation only gives "".
fn letters(note: &str) -> Option<String> {
    let mut out = String::new();
    for c in note.chars() {
        if c.is_ascii_alphanumeric() {
            if out.len() >= 16 {
                return None;
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_alphanumeric() {
            return None;
        }
    }
    Some(out)
}

/// The distinct boilerplate notes among `check_ins`, quoted as first written (trimmed): `"on track"
/// and "ok"`; empty when there is none.
fn said_only<'a>(check_ins: impl Iterator<Item = &'a CheckIn>) -> String {
    let mut seen: Vec<(String, &str)> = Vec::new();
    for c in check_ins {
        let Some(note) = c.note.as_deref() else { continue };
        if let Some(l) = letters(note).filter(|l| BOILERPLATE.contains(&l.as_str()))
            && !seen.iter().any(|(s, _)| *s == l)
        {
            seen.push((l, note.trim()));
        }
    }
    let mut quoted: Vec<String> = Vec::with_capacity(seen.len());
    for (_, n) in &seen {
        quoted.push(format!("\"{n}\""));
    }
    join_and(&quoted)
}

/// All check-ins give the same `Some` value.
fn repeats(run: &[CheckIn], value: impl Fn(&CheckIn) -> Option<f64>) -> bool {
    let first = run.first().and_then(&value);
    first.is_some() && run.iter().all(|c| value(c) == first)
}

/// `2026-09-07 to 2026-10-05`.
fn span(run: &[CheckIn]) -> String {
    match (run.first(), run.last()) {
        (Some(a), Some(b)) => format!("{} to {}", a.date, b.date),
        _ => String::new(),
    }
}

use super::and_list as join_and;

/// The causes (each starting with its verb) as one sentence: `a`, `a; and it b`, `a; it b; and it c`.
fn join(causes: &[String]) -> String {
    let mut s = String::new();
    for (k, c) in causes.iter().enumerate() {
        if k > 0 {
            s.push_str(if k + 1 == causes.len() { "; and it " } else { "; it " });
        }
        s.push_str(c);
    }
    s
}

/// The `k` latest check-ins, oldest first (ties on a date keep document order), for unsorted input.
fn latest(check_ins: &[CheckIn], k: usize) -> Vec<CheckIn> {
    let mut all = check_ins.to_vec();
    crate::sort::sort_by_key(&mut all, |c| c.date);
    let start = all.len().saturating_sub(k);
    all.split_off(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;

    fn note(n: &str) -> CheckIn {
        CheckIn { date: Date::parse("2026-01-01").unwrap(), value: 1.0, confidence: None, note: Some(n.to_owned()) }
    }

    #[test]
    fn boilerplate_notes() {
        for n in [
            "ok",
            "OK!",
            " On track. ",
            "on-track",
            "No change",
            "As planned",
            "N/A",
            "n.a.",
            "Fine",
            "same",
            "GREEN",
            "Nothing to report",
        ] {
            assert!(is_boilerplate(&note(n)) && !has_note(&note(n)), "{n}");
        }
        for n in ["-", "  ", "..."] {
            assert!(!is_boilerplate(&note(n)) && !has_note(&note(n)), "{n}");
        }
        for n in
            ["ok, but churn is up", "on track thanks to the new onboarding", "okay", "grün", "nothing to report yet"]
        {
            assert!(!is_boilerplate(&note(n)) && has_note(&note(n)), "{n}");
        }
        assert_eq!(said_only([note("On track."), note("ok"), note("on track")].iter()), "\"On track.\" and \"ok\"");
    }
}
