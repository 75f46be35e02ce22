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
        for (i, node) in tree.nodes().iter().enumerate() {
            match node.kind {
                NodeKind::Kpi => nodes[i] = kpi(node),
                NodeKind::KeyResult => {
                    let period = node_period(tree, i as Ix);
                    nodes[i] = key_result(node, period.map(|p| p.elapsed(as_of)));
                }
                _ => {}
            }
        }
        // Objectives: mean of their own key results (sub-objectives report their own scores).
        for (i, node) in tree.nodes().iter().enumerate().filter(|(_, n)| n.kind == NodeKind::Objective) {
            let scores: Vec<f64> = tree
                .children(i as Ix)
                .iter()
                .filter(|&&c| tree.node(c).kind == NodeKind::KeyResult && tree.node(c).status != Status::Retired)
                .filter_map(|&c| nodes[c as usize].score)
                .collect();
            let elapsed = node.period.as_deref().and_then(Period::parse).map(|p| p.elapsed(as_of));
            let score = (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64);
            nodes[i] = Rolled { score, status: score.map(|s| pace(s, elapsed)), elapsed, ..Rolled::default() };
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

fn key_result(node: &Node, elapsed: Option<f64>) -> Rolled {
    let latest = node.check_ins.iter().max_by_key(|c| c.date);
    let value = latest.map(|c| c.value).or(node.current);
    let score = match (node.start, node.target, value) {
        (Some(s), Some(t), Some(v)) if t != s => Some(((v - s) / (t - s)).clamp(0.0, 1.0)),
        _ => None,
    };
    let confidence = latest.and_then(|c| c.confidence).or(node.confidence);
    let status = score.map(|s| {
        let by_pace = pace(s, elapsed);
        match confidence {
            Some(c) if c < 0.3 => Health::OffTrack.max(by_pace),
            Some(c) if c < 0.6 => Health::AtRisk.max(by_pace),
            _ => by_pace,
        }
    });
    Rolled { score, status, value, elapsed, ..Rolled::default() }
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

    #[test]
    fn pace_against_elapsed_time() {
        assert_eq!(pace(0.35, Some(0.5)), Health::OnTrack);
        assert_eq!(pace(0.25, Some(0.5)), Health::AtRisk);
        assert_eq!(pace(0.1, Some(0.5)), Health::OffTrack);
        assert_eq!(pace(0.7, None), Health::OnTrack);
    }
}
