//! `stale-kpi`
//!
//! **What it does:** finds active KPIs whose `last_reviewed` date lies more than `max_age_days`
//! (default 365) before `as_of`, and active KPIs that have never been reviewed (no `last_reviewed`)
//! unless `require_review_date` (default true) is off. A review date after `as_of` counts as reviewed.
//!
//! A KPI without a review date is not stale before its first measurement is `max_age_days` old (one
//! measured only after `as_of` is younger still): measured for three weeks, it has had no time to go
//! stale. A review date, when there is one, decides alone: documents often hold only the last months
//! of measurements, so the first one in the document need not be when the KPI began, while a review
//! date older than `max_age_days` says plainly that nobody has questioned the KPI since. A KPI with
//! neither a review date nor a measurement is reported as never reviewed: nothing shows when it began,
//! and a KPI that nobody measures and nobody has questioned is what the rule is for.
//!
//! Each finding gives the age in days and in years where that helps, and the month of the KPI's first
//! measurement when it has any, which shows how long it has been kept. Findings about a review date carry
//! `evidence.age_days`. A stale KPI that serves an active objective is to be reviewed, not retired: its
//! message names the objective and its fix asks for a review in that objective's context. Only a stale
//! KPI that serves none gets the general fix, which offers retiring it (and `prune` proposes a stale
//! KPI only when it is also orphaned or duplicated).
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** with `as_of` 2026-11-27, a KPI reviewed on 2025-11-27 (365 days) passes and one
//! reviewed on 2025-11-26 (366 days) is reported; a KPI without `last_reviewed` is reported as never
//! reviewed, unless its first measurement is at most 365 days old. Fixtures: `tests/rules/stale-kpi/`.

use super::{Context, Param, Rule, RuleMeta, Sink, plural};
use crate::date::Date;
use crate::finding::Severity;
use crate::model::NodeKind;
use serde_json::{Map, Value};
use std::fmt::Write as _;

/// See the module documentation.
pub struct StaleKpi;

/// Option `max_age_days`.
const MAX_AGE_DAYS: Param<i64> = Param::int(
    "max_age_days",
    365,
    1,
    36600,
    "most days since a KPI's `last_reviewed` before it is stale; a KPI first measured fewer days ago is not stale",
);

/// Option `require_review_date`.
const REQUIRE_REVIEW_DATE: Param<bool> =
    Param::flag("require_review_date", true, "report active KPIs that have no `last_reviewed` date at all");

static META: RuleMeta = RuleMeta {
    id: "stale-kpi",
    severity: Severity::Warning,
    summary: crate::meta::described("a KPI not reviewed within a year of `as_of`: added once, never questioned"),
    why: "Metrics are added year after year and rarely removed. A KPI nobody has questioned for a year is kept by \
          habit: it may no longer inform a decision or serve an objective, yet it still costs collection, \
          reporting and attention.",
    fix: "Review the KPI with its owner: which decision does it inform, which objective does it serve? Record the \
          date in `last_reviewed`. A KPI that serves no active objective and informs no decision can be retired.",
    params: &[MAX_AGE_DAYS.spec, REQUIRE_REVIEW_DATE.spec],
};

impl Rule for StaleKpi {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let as_of = cx.as_of;
        let max_age = cx.get(MAX_AGE_DAYS).max(0);
        let require = cx.get(REQUIRE_REVIEW_DATE);
        for i in cx.tree.of_kind(NodeKind::Kpi) {
            let kpi = cx.node(i);
            if !kpi.is_active() {
                continue;
            }
            let first = kpi.measurements.iter().map(|x| x.date).min();
            let age = match kpi.last_reviewed {
                Some(reviewed) => {
                    let age = i64::from(as_of.days_since(reviewed));
                    if age <= max_age {
                        continue;
                    }
                    Some((reviewed, age))
                }
                None if !require => continue,
                // Never reviewed, but measured for less than the allowed age (or only after `as_of`):
                // too young to be stale.
                None if first.is_some_and(|f| i64::from(as_of.days_since(f)) <= max_age) => continue,
                None => None,
            };
            // Stale: only now build the message, in one buffer.
            let mut m = String::with_capacity(256);
            m.push_str(&kpi.display());
            let evidence = match age {
                Some((reviewed, age)) => {
                    let _ = write!(m, " was last reviewed on {reviewed}, {age} days");
                    if let Some(words) = years(reviewed, as_of) {
                        let _ = write!(m, " ({words})");
                    }
                    let _ = write!(
                        m,
                        " before {as_of}, longer than the {} allowed",
                        plural(max_age as usize, "day", "days")
                    );
                    let mut evidence = Map::new();
                    evidence.insert("age_days".into(), Value::from(age));
                    Some(evidence)
                }
                None => {
                    m.push_str(
                        " has never been reviewed: no `last_reviewed` date shows anyone asking whether it is still \
                         needed",
                    );
                    if first.is_none() {
                        m.push_str(", and no measurement shows when it began");
                    }
                    None
                }
            };
            if let Some(since) = kpi.measurements.iter().map(|x| x.date).filter(|&d| d <= as_of).min() {
                let (y, mo, _) = since.ymd();
                let _ = write!(m, "; it has been measured since {y:04}-{mo:02}");
            }
            // A KPI that serves an active objective is reviewed in its context, not retired.
            let fix = cx.analysis.objective_served(i).map(|o| {
                let o = cx.node(o).display();
                let _ = write!(m, "; it serves {o}, so review it rather than retire it");
                format!(
                    "Review the KPI with its owner in the context of {o}: which decision about it does the KPI \
                     inform, and is it still the right measure? Record the date in `last_reviewed`."
                )
            });
            out.report_full(&[i], m, fix, evidence, None);
        }
    }
}

/// Whole calendar years from `from` to `to` in words ("over a year", "3 years"), or `None` under a year.
fn years(from: Date, to: Date) -> Option<Years> {
    let (y1, m1, d1) = from.ymd();
    let (y2, m2, d2) = to.ymd();
    let mut n = y2 - y1;
    if (m2, d2) < (m1, d1) {
        n -= 1;
    }
    let exact = (m2, d2) == (m1, d1);
    (n > 0).then_some(Years { n, exact })
}

/// A whole number of years, exactly or a bit over.
struct Years {
    n: i32,
    exact: bool,
}

impl std::fmt::Display for Years {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.n, self.exact) {
            (1, true) => f.write_str("a year"),
            (1, false) => f.write_str("over a year"),
            (n, true) => write!(f, "{n} years"),
            (n, false) => write!(f, "over {n} years"),
        }
    }
}
