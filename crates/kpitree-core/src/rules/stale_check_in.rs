//! `stale-check-in`
//!
//! **What it does:** finds active key results of active objectives whose latest check-in lies more than
//! their cadence before `as_of`. The cadence is the key result's own `cadence_days` when set, else the
//! rule's `cadence_days` (default 14). A key result never checked in is reported once its objective's
//! period started more than a cadence before `as_of`, or at once when no objective above it has a period
//! the engine can read. The period start also counts as the first due date: a check-in made before the
//! period began does not make a key result stale until the period is a cadence old. Check-ins dated after
//! `as_of` are ignored. Key results whose objectives' periods all ended more than `grace_days`
//! (default 30) before `as_of` are skipped: finished OKRs need no check-ins.
//!
//! When a key result serves several active objectives, the earliest start and the latest end of their
//! readable periods are used.
//! Findings carry `evidence`: `cadence_days` and, when known, `days_since` (the last check-in, or the
//! period start for a key result never checked in).
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** with the default cadence and `as_of` 2026-11-27, a key result last checked in on
//! 2026-11-13 (14 days) passes and one last checked in on 2026-11-12 (15 days) is reported; a key result
//! of a `2026-Q4` objective with no check-ins is reported, one of a `2025-Q2` objective is skipped.
//! Fixtures: `tests/rules/stale-check-in/`.

use super::{Context, Param, Rule, RuleMeta, Sink, plural};
use crate::date::Date;
use crate::finding::Severity;
use crate::model::NodeKind;
use crate::rollup::Period;
use crate::tree::Ix;
use serde_json::{Map, Value};
use std::fmt::Write as _;

/// See the module documentation.
pub struct StaleCheckIn;

/// Option `cadence_days`.
const CADENCE_DAYS: Param<i64> = Param::int(
    "cadence_days",
    14,
    1,
    3660,
    "days allowed between check-ins, unless the key result sets its own `cadence_days`",
);

/// Option `grace_days`.
const GRACE_DAYS: Param<i64> = Param::int(
    "grace_days",
    30,
    0,
    3660,
    "days after its objective's period ends during which a key result is still checked",
);

static META: RuleMeta = RuleMeta {
    id: "stale-check-in",
    severity: Severity::Warning,
    summary: crate::meta::described("an active key result with no check-in within its cadence"),
    why: "Regular check-ins are what make OKRs work: the team looks at the key result, updates its confidence \
          and adjusts while there is still time. A key result nobody checks in on is set at the start of the \
          period and judged at the end, with nothing learned in between.",
    fix: "Hold a check-in: record the key result's current value, the team's confidence and what was learned.",
    params: &[CADENCE_DAYS.spec, GRACE_DAYS.spec],
};

/// What the active objectives above a key result say about its period.
struct Periods {
    /// Earliest start of a readable period.
    start: Date,
    /// Latest end of a readable period.
    end: Date,
    /// The objective whose period starts first.
    first: Ix,
}

impl Rule for StaleCheckIn {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let tree = cx.tree;
        let as_of = cx.as_of;
        let default_cadence = cx.get(CADENCE_DAYS).clamp(1, i64::from(i32::MAX));
        let grace = cx.get(GRACE_DAYS).clamp(0, i64::from(i32::MAX));
        for i in tree.of_kind(NodeKind::KeyResult) {
            if !cx.analysis.serves_active_objective[i as usize] {
                continue;
            }
            let kr = cx.node(i);
            let periods = periods(cx, i);
            if let Some(p) = &periods
                && i64::from(as_of.days_since(p.end)) > grace
            {
                continue;
            }
            let (cadence, own) = match kr.cadence_days {
                Some(c) => (i64::from(c), true),
                None => (default_cadence, false),
            };
            // The period start is the first due date: the clock does not run before it.
            let period_age = periods.as_ref().map(|p| i64::from(as_of.days_since(p.start)));
            if period_age.is_some_and(|age| age <= cadence) {
                continue;
            }
            let latest = kr.check_ins.iter().map(|c| c.date).filter(|&d| d <= as_of).max();
            let days = latest.map(|last| i64::from(as_of.days_since(last)));
            if days.is_some_and(|d| d <= cadence) {
                continue;
            }
            // Stale: only now build the message, in one buffer.
            let mut m = String::with_capacity(256);
            m.push_str(&kr.display());
            let fix = match (latest, days) {
                (Some(last), Some(days)) => {
                    let _ = write!(m, " was last checked in on {last}, {days} days before {as_of}");
                    None
                }
                _ => {
                    m.push_str(" has never been checked in");
                    match (&periods, period_age) {
                        (Some(p), Some(age)) => {
                            let o = cx.node(p.first);
                            let label = o.period.as_deref().unwrap_or_default().trim();
                            let _ = write!(
                                m,
                                ", yet the period {label} of {} started on {}, {age} days before {as_of}",
                                o.display(),
                                p.start
                            );
                        }
                        _ => {
                            m.push_str(", and ");
                            no_period(&mut m, cx, i);
                        }
                    }
                    Some(FIX_FIRST.to_owned())
                }
            };
            let _ = write!(m, "; check-ins are due every {}", plural(cadence as usize, "day", "days"));
            if own {
                m.push_str(" (the key result's own cadence)");
            }
            let mut evidence = Map::new();
            if let Some(d) = days.or(period_age) {
                evidence.insert("days_since".into(), Value::from(d));
            }
            evidence.insert("cadence_days".into(), Value::from(cadence));
            out.report_full(&[i], m, fix, Some(evidence), None);
        }
    }
}

const FIX_FIRST: &str =
    "Hold a first check-in: record the key result's current value, the team's confidence and what was learned so far.";

/// Why a key result's objectives give no start date: no period, or one the engine cannot read.
fn no_period(m: &mut String, cx: &Context<'_>, kr: Ix) {
    let objectives = || {
        cx.tree
            .parents(kr)
            .iter()
            .map(|&p| (p, cx.node(p)))
            .filter(|(_, o)| o.kind == NodeKind::Objective && o.is_active())
    };
    let unreadable = objectives().find_map(|(_, o)| {
        let label = o.period.as_deref().map(str::trim).filter(|l| !l.is_empty())?;
        Some((o, label))
    });
    let _ = match unreadable {
        Some((o, label)) => write!(
            m,
            "the period \"{label}\" of {} gives no start date (periods read as 2026, 2026-H2, 2026-Q4 or 2026-11)",
            o.display()
        ),
        None => match objectives().next() {
            Some((_, o)) => write!(m, "{} has no period", o.display()),
            None => write!(m, "no objective above it has a period"),
        },
    };
}

/// Readable periods of the active objectives a key result belongs to, merged.
fn periods(cx: &Context<'_>, kr: Ix) -> Option<Periods> {
    let mut merged: Option<Periods> = None;
    for &p in cx.tree.parents(kr) {
        let o = cx.node(p);
        if o.kind != NodeKind::Objective || !o.is_active() {
            continue;
        }
        let Some(period) = o.period.as_deref().and_then(Period::parse) else { continue };
        merged = Some(match merged {
            None => Periods { start: period.start, end: period.end, first: p },
            Some(m) => Periods {
                start: m.start.min(period.start),
                end: m.end.max(period.end),
                first: if period.start < m.start { p } else { m.first },
            },
        });
    }
    merged
}
