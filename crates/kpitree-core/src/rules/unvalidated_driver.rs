//! `unvalidated-driver`
//!
//! **What it does:** checks every `drives` link between two active nodes against the data. The
//! driver's series is paired with the outcome's series shifted by the link's `lag_days` (0 when
//! absent): each driver value at date `d` is paired with the outcome value nearest to `d + lag_days`
//! within `tolerance_days`. Three tests, in this order; the first that fails is the finding:
//!
//! 1. *points*: at least `min_pairs` paired points, and at least 4 (3 changes for the third test);
//! 2. *levels*: Pearson's r of the pairs is defined (both sides vary), reaches `min_abs_r` in size and,
//!    when both ends say which way is better, has the expected sign: positive when both directions are
//!    equal, negative when they differ;
//! 3. *changes*: Pearson's r of the period-to-period changes (the first differences of the paired
//!    series: each pair minus the one before) is defined, reaches `min_abs_r_changes` in size and has
//!    the sign of the levels' r. Its bar is lower than the levels' (0.3 against 0.5): differencing
//!    doubles the noise of each point, so a real driver's changes correlate less than its levels
//!    (bed occupancy and ED 4-hour performance: levels -0.91, changes -0.45). Two series that merely both grow (with the business, the season, headcount)
//!    correlate strongly in levels; only a driver whose own ups and downs are followed by the outcome's
//!    correlates in changes too.
//!
//! A KPI's series is its measurements; a key result's is its check-ins (its direction is read from
//! `start` to `target`). A link that passes all three gives no finding.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** "Demo requests drives New ARR" with four paired points; a driver whose series is
//! flat; r = 0.08 at the stated lag; support response time (lower is better) that rises together
//! with NPS (higher is better); sign-ups and support tickets that both grow every month (r = 0.98)
//! while their monthly changes are unrelated (r = 0.1). Every finding carries `evidence` with
//! `failed` (`points`, `levels` or `changes`: the test that failed), `r` and `r_changes` (3 decimals,
//! or null when undefined), `lag_days`, `pairs`, `driver_points` and `outcome_points`. Fixtures:
//! `tests/rules/unvalidated-driver/`.
//!
//! **Defaults:** `min_pairs` 6, `min_abs_r` 0.5, `min_abs_r_changes` 0.3, `tolerance_days` 7.

use super::{Context, Param, Rule, RuleMeta, Sink, plural};
use crate::finding::Severity;
use crate::model::{Direction, LinkKind, Measurement, Node, NodeKind};
use crate::stats;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// See the module documentation.
pub struct UnvalidatedDriver;

/// Option `min_pairs`.
const MIN_PAIRS: Param<i64> =
    Param::int("min_pairs", 6, 3, 10_000, "fewest paired driver/outcome points a correlation may rest on (4 at least)");

/// Option `min_abs_r`.
const MIN_ABS_R: Param<f64> =
    Param::float("min_abs_r", 0.5, 0.0, 1.0, "smallest |Pearson r| of the levels that supports the link");

/// Option `min_abs_r_changes`.
const MIN_ABS_R_CHANGES: Param<f64> = Param::float(
    "min_abs_r_changes",
    0.3,
    0.0,
    1.0,
    "smallest |Pearson r| of the period-to-period changes that supports the link (changes are noisier than levels)",
);

/// Option `tolerance_days`.
const TOLERANCE_DAYS: Param<i64> = Param::int(
    "tolerance_days",
    7,
    0,
    365,
    "days an outcome value may lie from the driver's date plus the lag and still pair with it",
);

static META: RuleMeta = RuleMeta {
    id: "unvalidated-driver",
    severity: Severity::Warning,
    summary: crate::meta::described(
        "a `drives` link the measurements do not support: too few paired points, or weak or wrong-way lagged correlation of levels or of changes",
    ),
    why: "A `drives` link is a cause-and-effect hypothesis: move the driver and the outcome follows. Unless it is \
          checked against the numbers, a team can push a leading indicator for quarters while the outcome does not \
          move, or moves the wrong way. Two metrics that both grow with the business correlate without one moving \
          the other: only changes that line up show the driver at work.",
    fix: "Measure both ends at matching dates, check the lag, and rethink or remove a link the data does not support.",
    params: &[MIN_PAIRS.spec, MIN_ABS_R.spec, MIN_ABS_R_CHANGES.spec, TOLERANCE_DAYS.spec],
};

/// Fewest period-to-period changes a correlation of changes rests on.
const MIN_CHANGES: usize = 3;

/// Which test a link failed (evidence `failed`).
#[derive(Clone, Copy)]
enum Test {
    Points,
    Levels,
    Changes,
}

impl Test {
    fn name(self) -> &'static str {
        match self {
            Test::Points => "points",
            Test::Levels => "levels",
            Test::Changes => "changes",
        }
    }
}

/// Beyond every valid date (years 1-9999 span about 3.65 million days), so larger lags pair nothing
/// and date arithmetic cannot overflow.
const MAX_LAG_DAYS: u32 = 4_000_000;

impl Rule for UnvalidatedDriver {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        // The changes test needs 3 changes, so 4 pairs at least whatever `min_pairs` says.
        let min_pairs = usize::try_from(cx.get(MIN_PAIRS)).unwrap_or(0).max(MIN_CHANGES + 1);
        let min_abs_r = cx.get(MIN_ABS_R);
        let tolerance = i32::try_from(cx.get(TOLERANCE_DAYS).clamp(0, 365)).unwrap_or(0);
        for (link, from, to) in cx.tree.links() {
            if link.kind != LinkKind::Drives {
                continue;
            }
            let (driver, outcome) = (cx.node(from), cx.node(to));
            if !driver.is_active() || !outcome.is_active() {
                continue;
            }
            let lag_days = link.lag_days.unwrap_or(0).min(MAX_LAG_DAYS);
            let lag = format!("lag {}", plural(lag_days as usize, "day", "days"));
            let claim = format!("{} is linked as a driver of {}, but", driver.display(), outcome.display());
            let nodes = [from, to];

            // Strategies and objectives carry no series: say so rather than counting zero points.
            if let Some(seriesless) = [driver, outcome].into_iter().find(|n| !has_series(n)) {
                let message = format!(
                    "{claim} the link cannot be validated: {} has no series of its own, only KPIs and key \
                     results do (0 paired points, r undefined, {lag})",
                    seriesless.display()
                );
                let fix = format!(
                    "Link the KPI or key result that measures {} instead, so the hypothesis can be tested.",
                    seriesless.display()
                );
                let ev = evidence(Test::Points, None, None, lag_days, 0, 0, 0);
                out.report_full(&nodes, message, Some(fix), Some(ev), None);
                continue;
            }

            let d_series = series(driver);
            let o_series = series(outcome);
            let pairs = stats::lagged_pairs(&d_series, &o_series, lag_days as i32, tolerance);
            // Flatness is checked here rather than left to `pearson`: the mean of equal values can round,
            // which would leave a flat side with a tiny spread and a meaningless r.
            let driver_flat = pairs.windows(2).all(|w| w[0].0 == w[1].0);
            let outcome_flat = pairs.windows(2).all(|w| w[0].1 == w[1].1);
            let r = if driver_flat || outcome_flat { None } else { stats::pearson(&pairs) };
            // Changes whose spread is only rounding (a straight line) are flat too.
            let changes = stats::first_differences(&pairs);
            let driver_steady = !stats::varies(changes.iter().map(|c| c.0));
            let outcome_steady = !stats::varies(changes.iter().map(|c| c.1));
            let r_changes = if driver_steady || outcome_steady { None } else { stats::pearson(&changes) };
            let ev = |test| evidence(test, r, r_changes, lag_days, pairs.len(), d_series.len(), o_series.len());
            let points = plural(pairs.len(), "paired point", "paired points");

            if pairs.len() < min_pairs {
                let found = match r {
                    Some(r) => format!("; r = {} on so few points proves nothing", fmt_r(r)),
                    None if pairs.len() >= 3 => "; r is undefined as well, one side does not vary".to_owned(),
                    None => String::new(),
                };
                let only = if pairs.is_empty() { "no paired points".to_owned() } else { format!("only {points}") };
                let outcome_points = if outcome.kind == driver.kind {
                    o_series.len().to_string()
                } else {
                    plural(o_series.len(), unit_one(outcome), unit_many(outcome))
                };
                let message = format!(
                    "{claim} the link cannot be validated: {only} (driver has {}, outcome has {outcome_points}, \
                     {lag}; at least {min_pairs} needed){found}",
                    plural(d_series.len(), unit_one(driver), unit_many(driver)),
                );
                let when = if lag_days == 0 {
                    format!("within {} of each other", plural(tolerance as usize, "day", "days"))
                } else {
                    format!(
                        "the outcome {} after the driver, give or take {}",
                        plural(lag_days as usize, "day", "days"),
                        plural(tolerance as usize, "day", "days")
                    )
                };
                let fix = format!(
                    "Record both at matching dates ({when}) until at least {min_pairs} points pair up; until then \
                     treat the link as an untested hypothesis."
                );
                out.report_full(&nodes, message, Some(fix), Some(ev(Test::Points)), None);
                continue;
            }

            let Some(r) = r else {
                let which = match (driver_flat, outcome_flat) {
                    (true, true) => "neither the driver nor the outcome varies",
                    (true, false) => "the driver does not vary",
                    _ => "the outcome does not vary",
                };
                let message = format!(
                    "{claim} r is undefined: {which} across the {points} ({lag}), so the data cannot show an effect"
                );
                let fix = "A series that never changes cannot show cause and effect: check that its values are real \
                           measurements, or link a metric that moves."
                    .to_owned();
                out.report_full(&nodes, message, Some(fix), Some(ev(Test::Levels)), None);
                continue;
            };

            let expected = match (direction(driver), direction(outcome)) {
                (Some(a), Some(b)) => Some((a == b, a, b)),
                _ => None,
            };
            let wrong_way = expected.filter(|&(same, _, _)| if same { r < 0.0 } else { r > 0.0 });

            if r.abs() < min_abs_r {
                let message = format!(
                    "{claim} their levels barely move together: r = {} over {points} ({lag}; |r| of at least {} \
                     needed)",
                    fmt_r(r),
                    kpitree_decimal::shortest(min_abs_r),
                );
                let fix = if link.lag_days.is_none() {
                    "The link sets no `lag_days`: if the outcome trails the driver, set the lag and check again. If \
                     no lag shows a relation, question the hypothesis and look for the real driver, or remove the link."
                        .to_owned()
                } else {
                    "Check the lag: the outcome may trail the driver by more or less. If no lag shows a relation, \
                     question the hypothesis and look for the real driver, or remove the link."
                        .to_owned()
                };
                out.report_full(&nodes, message, Some(fix), Some(ev(Test::Levels)), None);
            } else if let Some((same, a, b)) = wrong_way {
                let reason = if same {
                    format!("both say \"{}\", so r should be positive", dir_words(a))
                } else {
                    format!(
                        "the driver says \"{}\" and the outcome \"{}\", so r should be negative",
                        dir_words(a),
                        dir_words(b)
                    )
                };
                let message = format!(
                    "{claim} it moves the outcome the wrong way: r = {} over {points} ({lag}), while {reason}",
                    fmt_r(r)
                );
                let fix =
                    "Improving the driver currently goes with a worse outcome. Check both directions; if they are \
                           right, rethink the hypothesis or remove the link."
                        .to_owned();
                out.report_full(&nodes, message, Some(fix), Some(ev(Test::Levels)), None);
            } else if let Some(why) =
                changes_fail(r, r_changes, cx.get(MIN_ABS_R_CHANGES), (driver_steady, outcome_steady), changes.len())
            {
                let message = format!(
                    "{claim} only their levels move together (r = {} over {points}, {lag}), while {why}: what they \
                     share is a trend, which is no evidence that the driver moves the outcome",
                    fmt_r(r),
                );
                let fix = "Two metrics that both grow or shrink over time correlate without one moving the other. \
                           Check whether the outcome follows the driver's own ups and downs: try the lag at which \
                           the changes line up, look for periods when the driver moved on its own, or remove the link."
                    .to_owned();
                out.report_full(&nodes, message, Some(fix), Some(ev(Test::Changes)), None);
            }
        }
    }
}

/// KPIs and key results have series; strategies and objectives do not.
fn has_series(n: &Node) -> bool {
    matches!(n.kind, NodeKind::Kpi | NodeKind::KeyResult)
}

/// A KPI's measurements, or a key result's check-ins as (date, value), sorted by date.
fn series(n: &Node) -> Cow<'_, [Measurement]> {
    match n.kind {
        NodeKind::KeyResult => {
            let mut v: Vec<Measurement> = Vec::with_capacity(n.check_ins.len());
            for c in &n.check_ins {
                v.push(Measurement { date: c.date, value: c.value });
            }
            crate::sort::sort_by_key(&mut v, |m| m.date);
            Cow::Owned(v)
        }
        _ => stats::sorted(&n.measurements),
    }
}

/// A KPI's direction; a key result's is read from `start` to `target`.
fn direction(n: &Node) -> Option<Direction> {
    match n.kind {
        NodeKind::KeyResult => match (n.start, n.target) {
            (Some(s), Some(t)) if t > s => Some(Direction::HigherIsBetter),
            (Some(s), Some(t)) if t < s => Some(Direction::LowerIsBetter),
            _ => None,
        },
        _ => n.direction,
    }
}

fn dir_words(d: Direction) -> &'static str {
    match d {
        Direction::HigherIsBetter => "higher is better",
        Direction::LowerIsBetter => "lower is better",
    }
}

fn unit_one(n: &Node) -> &'static str {
    if n.kind == NodeKind::KeyResult { "check-in" } else { "measurement" }
}

fn unit_many(n: &Node) -> &'static str {
    if n.kind == NodeKind::KeyResult { "check-ins" } else { "measurements" }
}

/// r rounded to 3 decimals, without a negative zero.
fn round_r(r: f64) -> f64 {
    let x = (r * 1000.0).round() / 1000.0;
    if x == 0.0 { 0.0 } else { x }
}

fn fmt_r(r: f64) -> String {
    kpitree_decimal::fixed(round_r(r), 3)
}

/// Why the period-to-period changes fail to support the link, if they do. `r` is the levels'
/// correlation, which passed; `steady` says which side changes by the same amount every time.
fn changes_fail(r: f64, r_changes: Option<f64>, min_abs_r: f64, steady: (bool, bool), n: usize) -> Option<String> {
    let changes = plural(n, "period-to-period change", "period-to-period changes");
    let Some(rc) = r_changes else {
        let which = match steady {
            (true, true) => "both change by the same amount every time",
            (true, false) => "the driver changes by the same amount every time",
            _ => "the outcome changes by the same amount every time",
        };
        return Some(format!("their {changes} cannot be compared ({which}, so r of changes is undefined)"));
    };
    if rc.abs() < min_abs_r {
        return Some(format!(
            "their {changes} barely move together (r = {}; |r| of at least {} needed)",
            fmt_r(rc),
            kpitree_decimal::shortest(min_abs_r)
        ));
    }
    if (rc < 0.0) != (r < 0.0) {
        return Some(format!("their {changes} go opposite ways (r = {})", fmt_r(rc)));
    }
    None
}

fn evidence(
    test: Test,
    r: Option<f64>,
    r_changes: Option<f64>,
    lag_days: u32,
    pairs: usize,
    driver: usize,
    outcome: usize,
) -> Map<String, Value> {
    let mut m = Map::new();
    let rounded =
        |r: Option<f64>| r.and_then(|r| serde_json::Number::from_f64(round_r(r))).map_or(Value::Null, Value::Number);
    m.insert("failed".into(), test.name().into());
    m.insert("r".into(), rounded(r));
    m.insert("r_changes".into(), rounded(r_changes));
    m.insert("lag_days".into(), lag_days.into());
    m.insert("pairs".into(), pairs.into());
    m.insert("driver_points".into(), driver.into());
    m.insert("outcome_points".into(), outcome.into());
    m
}
