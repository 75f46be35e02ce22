//! Rollups: key-result and objective scores, on-track status, KPI status against target and
//! thresholds, and the trend of each KPI's series.
//!
//! Scoring follows common OKR practice: a key result scores
//! `(current - start) / (target - start)` clamped to 0.0-1.0; an objective scores the mean of its
//! key results. Status compares the score with the pace expected at `as_of` within the objective's
//! period, where 0.7 by the end of the period counts as success, and is capped by the team's latest
//! confidence.

use crate::date::Date;
use crate::model::{Direction, Node, NodeKind, Status};
use crate::stats;
use crate::tree::{Ix, Tree};
use serde::Serialize;

/// Score an OKR needs by the end of its period to count as a success.
pub const STRETCH_SUCCESS: f64 = 0.7;
/// A KPI without thresholds is at risk within this fraction of its target, off track beyond it.
pub const DEFAULT_AT_RISK_BAND: f64 = 0.1;
/// A trend slower than this fraction of the series' mean per 30 days is flat.
pub const FLAT_TREND_PER_30_DAYS: f64 = 0.01;

/// How a node is doing, and the verdict of a [`Trend`]: the vocabulary's (`kpitree-vocab`), shared
/// with the plugin ABI, which encodes them with their codes there.
pub use kpitree_vocab::{Health, TrendDirection};

/// Which way a series is moving, read in the KPI's direction.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Trend {
    /// `improving`, `worsening` or `flat`.
    pub direction: TrendDirection,
    /// Least-squares change per 30 days, in the KPI's unit.
    pub per_30_days: f64,
    /// Number of points the trend is computed from.
    pub points: usize,
}

/// Computed values of one node. Fields that do not apply to its kind are `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Rolled {
    /// Key result or objective: 0.0-1.0.
    pub score: Option<f64>,
    /// Key result, objective or KPI.
    pub status: Option<Health>,
    /// Key result or KPI: the latest value.
    pub value: Option<f64>,
    /// KPI: the trend of its series (three points or more).
    pub trend: Option<Trend>,
    /// Objective: fraction of its period elapsed at `as_of`.
    pub elapsed: Option<f64>,
    /// Objective or key result: its period has ended at `as_of`, so the score is the period's
    /// result (a key result's from its check-ins up to the period's end), not a current one.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ended: bool,
    /// Key result: it counts outputs (`activity-key-result`), so its objective's score leaves it out.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub activity: bool,
}

/// Rollups of every node, by [`Ix`].
#[derive(Clone, Debug)]
pub struct Rollup {
    nodes: Vec<Rolled>,
}

impl Rollup {
    /// Computes rollups for the whole tree, bottom-up.
    pub fn new(tree: &Tree) -> Rollup {
        let as_of = tree.doc().as_of;
        let mut nodes = vec![Rolled::default(); tree.len()];
        for (i, node) in tree.nodes().iter().enumerate().filter(|(_, n)| n.kind == NodeKind::Kpi) {
            nodes[i] = kpi(node);
        }
        for (i, node) in tree.nodes().iter().enumerate().filter(|(_, n)| n.kind == NodeKind::KeyResult) {
            let period = node_period(tree, i as Ix);
            nodes[i] = key_result(node, period, as_of, kpi_direction(tree, i as Ix));
            nodes[i].activity = crate::rules::counts_outputs(node);
        }
        // Objectives bottom-up: the mean of their key results and of their active sub-objectives (an
        // umbrella objective is as far along as the objectives it is made of), each counting once.
        for &i in tree.top_down().iter().rev() {
            let node = tree.node(i);
            if node.kind != NodeKind::Objective {
                continue;
            }
            let (mut sum, mut count) = (0.0, 0usize);
            for &c in tree.children(i) {
                let child = tree.node(c);
                let counts = match child.kind {
                    // A key result that counts outputs ("Run 12 webinars") measures work done, not an
                    // outcome: it is scored, but does not lift its objective.
                    NodeKind::KeyResult => child.status != Status::Retired && !nodes[c as usize].activity,
                    NodeKind::Objective => child.is_active(),
                    _ => false,
                };
                if let Some(score) = nodes[c as usize].score.filter(|_| counts) {
                    sum += score;
                    count += 1;
                }
            }
            let period = node.period.as_deref().and_then(Period::parse);
            let elapsed = period.map(|p| p.elapsed(as_of));
            let score = (count > 0).then(|| sum / count as f64);
            let ended = period.is_some_and(|p| p.ended(as_of));
            nodes[i as usize] =
                Rolled { score, status: score.map(|s| pace(s, elapsed)), elapsed, ended, ..Rolled::default() };
        }
        Rollup { nodes }
    }

    /// Values of the node at `i`.
    pub fn get(&self, i: Ix) -> &Rolled {
        &self.nodes[i as usize]
    }
}

/// The period of the objective a key result belongs to (its first objective parent with one).
fn node_period(tree: &Tree, kr: Ix) -> Option<Period> {
    tree.parents(kr).iter().find_map(|&p| tree.node(p).period.as_deref().and_then(Period::parse))
}

/// The direction of a key result's KPIs, when those that state one agree.
fn kpi_direction(tree: &Tree, kr: Ix) -> Option<Direction> {
    let mut stated = tree.children(kr).iter().filter_map(|&c| tree.node(c).direction);
    let first = stated.next()?;
    stated.all(|d| d == first).then_some(first)
}

/// A key result's score and status.
///
/// - Its direction is its own `direction`, else the way from `start` to `target`, else (a "hold"
///   key result, `start` equal to `target`) its KPIs' direction, else higher is better.
/// - Progress is `(value - start) / (target - start)`. A key result whose target lies on the bad side
///   of its start for its direction ("keep NPS above 86" written from 90 down to 86) and a hold key
///   result are judged against their target instead: met (1.0) at or beyond it, partly (down to 0.0)
///   within [`DEFAULT_AT_RISK_BAND`] of it, and never on pace (holding is not a journey).
/// - Once its objective's period has ended, it is judged on what its check-ins said by the end of
///   the period, not on later ones: the period's result, not a current one.
fn key_result(node: &Node, period: Option<Period>, as_of: Date, kpis: Option<Direction>) -> Rolled {
    let ended = period.filter(|p| p.ended(as_of));
    let latest = node.check_ins.iter().filter(|c| ended.is_none_or(|p| c.date <= p.end)).max_by_key(|c| c.date);
    let value = latest.map(|c| c.value).or(node.current);
    let elapsed = period.map(|p| p.elapsed(as_of));
    let (score, by_pace) = match (node.start, node.target, value) {
        (Some(s), Some(t), Some(v)) => {
            let way = if t > s {
                Some(Direction::HigherIsBetter)
            } else if t < s {
                Some(Direction::LowerIsBetter)
            } else {
                None
            };
            let dir = node.direction.or(way).or(kpis).unwrap_or(Direction::HigherIsBetter);
            match way {
                Some(w) if w == dir => {
                    let score = ((v - s) / (t - s)).clamp(0.0, 1.0);
                    (Some(score), Some(pace(score, elapsed)))
                }
                _ => {
                    let (score, status) = against_target(v, t, dir);
                    (Some(score), Some(status))
                }
            }
        }
        _ => (None, None),
    };
    let confidence = latest.and_then(|c| c.confidence).or(node.confidence);
    let status = by_pace.map(|by_pace| match confidence {
        Some(c) if c < 0.3 => Health::OffTrack.max(by_pace),
        Some(c) if c < 0.6 => Health::AtRisk.max(by_pace),
        _ => by_pace,
    });
    Rolled { score, status, value, elapsed, ended: ended.is_some(), ..Rolled::default() }
}

/// A value against a target it must reach or keep: 1.0 and on track at or beyond it, then falling
/// to 0.0 across [`DEFAULT_AT_RISK_BAND`] of the target (at risk), off track further away.
fn against_target(v: f64, target: f64, dir: Direction) -> (f64, Health) {
    let short = (target - v) * dir.sign();
    if short <= 0.0 {
        return (1.0, Health::OnTrack);
    }
    let band = DEFAULT_AT_RISK_BAND * target.abs();
    if band > 0.0 && short <= band { (1.0 - short / band, Health::AtRisk) } else { (0.0, Health::OffTrack) }
}

/// On track when the score keeps the pace to reach [`STRETCH_SUCCESS`] by the end of the period.
fn pace(score: f64, elapsed: Option<f64>) -> Health {
    let expected = STRETCH_SUCCESS * elapsed.unwrap_or(1.0);
    if score >= expected {
        Health::OnTrack
    } else if score >= 0.6 * expected {
        Health::AtRisk
    } else {
        Health::OffTrack
    }
}

fn kpi(node: &Node) -> Rolled {
    let series = stats::sorted(&node.measurements);
    let value = series.last().map(|m| m.value).or(node.current);
    let dir = node.direction.unwrap_or(Direction::HigherIsBetter);
    Rolled { status: value.map(|v| kpi_status(node, dir, v)), value, trend: trend(&series, dir), ..Rolled::default() }
}

/// KPI status: thresholds when given, otherwise a band of [`DEFAULT_AT_RISK_BAND`] around the target.
pub fn kpi_status(node: &Node, dir: Direction, v: f64) -> Health {
    // `worse(x)`: v is on the bad side of x.
    let worse = |x: f64| (x - v) * dir.sign() > 0.0;
    if let Some(t) = node.thresholds {
        return if worse(t.off_track) {
            Health::OffTrack
        } else if worse(t.at_risk) {
            Health::AtRisk
        } else {
            Health::OnTrack
        };
    }
    let Some(target) = node.target else { return Health::Unknown };
    if !worse(target) {
        Health::OnTrack
    } else if (v - target).abs() <= DEFAULT_AT_RISK_BAND * target.abs() {
        Health::AtRisk
    } else {
        Health::OffTrack
    }
}

fn trend(series: &[crate::model::Measurement], dir: Direction) -> Option<Trend> {
    if series.len() < 3 {
        return None;
    }
    let slope = stats::slope_per_day(series)?;
    let per_30_days = slope * 30.0;
    let mean = series.iter().map(|m| m.value.abs()).sum::<f64>() / series.len() as f64;
    let relative = if mean > 0.0 { per_30_days / mean } else { 0.0 } * dir.sign();
    let direction = if relative > FLAT_TREND_PER_30_DAYS {
        TrendDirection::Improving
    } else if relative < -FLAT_TREND_PER_30_DAYS {
        TrendDirection::Worsening
    } else {
        TrendDirection::Flat
    };
    Some(Trend { direction, per_30_days, points: series.len() })
}

/// An objective's period: a year, half, quarter or month, in the forms teams write them (see
/// [`Period::parse`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    /// First day.
    pub start: Date,
    /// Last day.
    pub end: Date,
}

impl Period {
    /// Parses a period label, or `None` for labels it does not know (those get no pace, and
    /// `zombie-objective` reports them once rather than guessing). Case and the separator between
    /// the parts (`-`, space, `/` or none) do not matter:
    /// - a year: `2026`, `FY2026`, `FY26` (a fiscal year is read as the calendar year);
    /// - a half or quarter, before or after the year: `2026-H1`, `H1 2026`, `2026-Q2`, `Q2 2026`,
    ///   `Q2/26`, `2026Q2`;
    /// - a month: `2026-11`.
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim().to_ascii_uppercase();
        let parts: Vec<&str> = s.split(['-', ' ', '/', '_']).filter(|p| !p.is_empty()).collect();
        // `2026Q2`, `Q22026` and the like: split a glued half or quarter from the year.
        let glued;
        let parts = match parts.as_slice() {
            [one] if one.len() > 4 && !one.starts_with("FY") => {
                // `get`, not indexing: the label may hold any characters, and a split must not panic.
                let k = match one.find(['Q', 'H'])? {
                    0 => 2,
                    k => k,
                };
                glued = [one.get(..k)?, one.get(k..)?];
                glued.to_vec()
            }
            _ => parts,
        };
        let (year, (m1, m2)) = match parts.as_slice() {
            [y] => match y.strip_prefix("FY") {
                Some(y) => (year(y)?, (1, 12)),
                None if y.len() == 4 => (year(y)?, (1, 12)),
                None => return None,
            },
            ["FY", y] => (year(y)?, (1, 12)),
            [a, b] => match (part(a), part(b)) {
                (None, Some(p)) if a.len() == 4 => (year(a)?, p),
                (Some(p), None) => (year(b)?, p),
                (None, None) if a.len() == 4 && b.len() == 2 => {
                    let m: u32 = b.parse().ok()?;
                    (year(a)?, (m, m))
                }
                _ => return None,
            },
            _ => return None,
        };
        let start = Date::from_ymd(year, m1, 1)?;
        let end = Date::from_ymd(year, m2, crate::date::days_in_month(year, m2))?;
        Some(Period { start, end })
    }

    /// True once the period is over at `as_of` (its last day is before it).
    pub fn ended(&self, as_of: Date) -> bool {
        self.end < as_of
    }

    /// Fraction of the period elapsed at `as_of` (0.0 before it, 1.0 after it).
    pub fn elapsed(&self, as_of: Date) -> f64 {
        let total = f64::from(self.end.days_since(self.start) + 1);
        (f64::from(as_of.days_since(self.start) + 1) / total).clamp(0.0, 1.0)
    }

    /// True if `d` lies in the period.
    pub fn contains(&self, d: Date) -> bool {
        self.start <= d && d <= self.end
    }
}

/// A year of a period label: four digits, or two (`FY26`, `Q2/26`: this century).
fn year(s: &str) -> Option<i32> {
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match s.len() {
        4 => s.parse().ok(),
        2 => s.parse::<i32>().ok().map(|y| 2000 + y),
        _ => None,
    }
}

/// The months of a half (`H1`, `H2`) or quarter (`Q1`..`Q4`).
fn part(s: &str) -> Option<(u32, u32)> {
    Some(match s {
        "H1" => (1, 6),
        "H2" => (7, 12),
        "Q1" => (1, 3),
        "Q2" => (4, 6),
        "Q3" => (7, 9),
        "Q4" => (10, 12),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        let q4 = Period::parse("2026-Q4").unwrap();
        assert_eq!(q4.start.to_string(), "2026-10-01");
        assert_eq!(q4.end.to_string(), "2026-12-31");
        assert_eq!(q4.elapsed(Date::parse("2026-12-31").unwrap()), 1.0);
        assert_eq!(q4.elapsed(Date::parse("2026-09-01").unwrap()), 0.0);
        assert_eq!(Period::parse("2026-02").unwrap().end.to_string(), "2026-02-28");
        assert!(Period::parse("2026-13").is_none());
    }

    #[test]
    fn periods_in_the_forms_teams_write() {
        let span = |s: &str| Period::parse(s).map(|p| format!("{}..{}", p.start, p.end));
        for (label, want) in [
            ("2026", "2026-01-01..2026-12-31"),
            ("FY2026", "2026-01-01..2026-12-31"),
            ("fy 2026", "2026-01-01..2026-12-31"),
            ("FY26", "2026-01-01..2026-12-31"),
            ("2026-H1", "2026-01-01..2026-06-30"),
            ("H2 2026", "2026-07-01..2026-12-31"),
            ("2026-Q2", "2026-04-01..2026-06-30"),
            ("Q2 2026", "2026-04-01..2026-06-30"),
            ("q2-2026", "2026-04-01..2026-06-30"),
            ("Q2/26", "2026-04-01..2026-06-30"),
            ("2026Q2", "2026-04-01..2026-06-30"),
            ("2026 q4", "2026-10-01..2026-12-31"),
            (" 2026-02 ", "2026-02-01..2026-02-28"),
        ] {
            assert_eq!(span(label).as_deref(), Some(want), "{label}");
        }
        for label in [
            "",
            "Spring term",
            "2026-Q5",
            "Q2",
            "26",
            "202",
            "2026-13",
            "2026-00",
            "H3 2026",
            "FY",
            "Q2 2026 H1",
            "2026-Q2-x",
            "Qé2026",
            "2026Hé",
        ] {
            assert_eq!(span(label), None, "{label}");
        }
        let q2 = Period::parse("2026-Q2").unwrap();
        assert!(q2.ended(Date::parse("2026-07-01").unwrap()));
        assert!(!q2.ended(Date::parse("2026-06-30").unwrap()));
    }

    /// Scores as a consultant reads them: holds and floors against their target, umbrella objectives
    /// from their sub-objectives, an ended period from what was known by its end.
    #[test]
    fn scores_that_mean_what_they_say() {
        let doc = r#"{"version": 1, "organisation": "O", "as_of": "2026-11-30", "nodes": [
            {"id": "s", "kind": "strategy", "title": "S"},
            {"id": "top", "kind": "objective", "title": "Umbrella", "parents": ["s"], "period": "2026"},
            {"id": "sub", "kind": "objective", "title": "Sub", "parents": ["top"], "period": "2026"},
            {"id": "kr-grow", "kind": "key_result", "title": "Grow", "parents": ["sub"], "start": 0, "target": 100, "current": 50},
            {"id": "kr-webinars", "kind": "key_result", "title": "Run 12 webinars", "parents": ["sub"], "start": 0, "target": 12, "current": 12},
            {"id": "kr-floor", "kind": "key_result", "title": "Keep NPS above 86", "parents": ["top"], "start": 90, "target": 86.0, "current": 86.4, "direction": "higher_is_better"},
            {"id": "kr-hold", "kind": "key_result", "title": "Hold uptime", "parents": ["top"], "start": 99.9, "target": 99.9, "current": 99.5},
            {"id": "k-up", "kind": "kpi", "title": "Uptime", "parents": ["kr-hold"], "direction": "higher_is_better"},
            {"id": "q2", "kind": "objective", "title": "Old", "parents": ["s"], "period": "2026-Q2"},
            {"id": "kr-q2", "kind": "key_result", "title": "Q2 result", "parents": ["q2"], "start": 0, "target": 10,
             "check_ins": [{"date": "2026-06-15", "value": 4}, {"date": "2026-09-01", "value": 10}]}
        ]}"#;
        let tree = crate::load_json("t", doc).expect("valid");
        let rollup = Rollup::new(&tree);
        let at = |id: &str| *rollup.get(tree.ix(id).expect("known"));
        // 86.4 keeps a floor of 86: met, not "0.0, off track".
        assert_eq!((at("kr-floor").score, at("kr-floor").status), (Some(1.0), Some(Health::OnTrack)));
        // A hold 0.4 short of 99.9 is within 10% of it: partly met, at risk; not dropped.
        let hold = at("kr-hold");
        assert_eq!(hold.status, Some(Health::AtRisk));
        assert!((hold.score.expect("scored") - (1.0 - 0.4 / 9.99)).abs() < 1e-9);
        // Twelve webinars run do not make the sub-objective 75% done: its score is its outcome's.
        assert!(at("kr-webinars").activity && at("kr-webinars").score == Some(1.0));
        assert_eq!(at("sub").score, Some(0.5));
        // The umbrella counts its sub-objective (0.5) beside its own two key results.
        let want = (0.5 + 1.0 + hold.score.expect("scored")) / 3.0;
        assert!((at("top").score.expect("scored") - want).abs() < 1e-9);
        // Q2 ended: its key result is judged on the June check-in, not September's.
        assert_eq!((at("kr-q2").score, at("kr-q2").ended), (Some(0.4), true));
        assert!(at("q2").ended && !at("top").ended);
        assert_eq!(at("q2").status, Some(Health::OffTrack));
    }

    #[test]
    fn pace_against_elapsed_time() {
        assert_eq!(pace(0.35, Some(0.5)), Health::OnTrack);
        assert_eq!(pace(0.25, Some(0.5)), Health::AtRisk);
        assert_eq!(pace(0.1, Some(0.5)), Health::OffTrack);
        assert_eq!(pace(0.7, None), Health::OnTrack);
    }
}
