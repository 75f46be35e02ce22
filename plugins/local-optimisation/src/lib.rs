//! `local-optimisation`: an objective of one department pursues a KPI whose `drives` link moves
//! another department's outcome the wrong way, according to the measurements.
//!
//! For every `drives` link between active nodes of two different departments, the driver's series is
//! paired with the outcome's series shifted by the link's `lag_days` (each driver value at date `d`
//! with the outcome value nearest `d + lag_days` within `tolerance_days`, as the built-in
//! `unvalidated-driver` pairs them). Pearson's r of the pairs is read in both nodes' directions: when
//! the driver gets better, does the outcome get better (r > 0) or worse (r < 0)? With at least
//! `min_pairs` pairs and r at or below `-min_r`, every active objective of the driver's department
//! above the driver is pursuing something that hurts the other department: one finding per link,
//! naming those objectives, the driver and the outcome. It is an error rather than a warning when the
//! harm is happening now: the driver's series is improving and the outcome's is worsening.
//!
//! A KPI's series is its measurements and its direction is `direction`; a key result's series is its
//! check-ins and its direction runs from `start` to `target`. See `README.md` for the configuration.

use kpitree_plugin_sdk::prelude::*;
use serde::Deserialize;

/// `[plugins.local-optimisation]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Fewest paired points the correlation may rest on.
    pub min_pairs: usize,
    /// Smallest |r| (read in both directions) that counts as harm.
    pub min_r: f64,
    /// Days an outcome value may lie from the driver's date plus the lag and still pair with it.
    pub tolerance_days: u32,
}

impl Default for Config {
    fn default() -> Config {
        Config { min_pairs: 6, min_r: 0.5, tolerance_days: 7 }
    }
}

const RULE: &str = "local-optimisation";

/// The rule.
pub fn check(tree: &Tree, config: &Config) -> Result<Vec<Finding>, String> {
    if config.min_pairs < 3 {
        return Err("configuration: `min_pairs` must be at least 3".into());
    }
    if !(0.0..=1.0).contains(&config.min_r) {
        return Err("configuration: `min_r` must lie in 0.0-1.0".into());
    }
    let tolerance = i32::try_from(config.tolerance_days.min(365)).unwrap_or(365);
    let mut out = Findings::new();
    for link in tree.links() {
        let (driver, outcome) = (link.from, link.to);
        if link.kind != LinkKind::Drives || !driver.is_active() || !outcome.is_active() {
            continue;
        }
        let (Some(from_dept), Some(to_dept)) = (department(driver), department(outcome)) else { continue };
        if from_dept == to_dept {
            continue;
        }
        let (Some((xs, x_sign)), Some((ys, y_sign))) = (series(driver), series(outcome)) else { continue };
        // Lags beyond every valid date pair nothing (and keep the arithmetic in range).
        let lag = i32::try_from(link.lag_days.unwrap_or(0).min(4_000_000)).unwrap_or(0);
        let pairs = lagged_pairs(&xs, &ys, lag, tolerance);
        if pairs.len() < config.min_pairs {
            continue;
        }
        let Some(r) = pearson(&pairs) else { continue };
        // Read in both directions: positive when the outcome gets better as the driver does.
        let effect = r * x_sign * y_sign;
        if effect > -config.min_r {
            continue;
        }
        let objectives: Vec<Node> = driver
            .ancestors()
            .into_iter()
            .filter(|n| n.kind() == NodeKind::Objective && n.is_active() && department(*n) == Some(from_dept))
            .collect();
        let Some(first) = objectives.first() else { continue };
        let pursued_by = match objectives.len() {
            1 => format!("{} of {from_dept}", first.display()),
            k => format!("{} of {from_dept} (and {} more)", first.display(), k - 1),
        };
        let message = format!(
            "{pursued_by} pursues {}, which moves {} of {to_dept} the wrong way: as one gets better the other gets \
             worse (correlation read in both directions: {}, over {} paired points at a {lag}-day lag)",
            driver.display(),
            outcome.display(),
            round3(effect),
            pairs.len()
        );
        let fix = format!(
            "Agree the trade-off between {from_dept} and {to_dept}: give \"{}\" a guardrail on \"{}\" (a counter-metric \
             or a shared key result), or change how {from_dept} pursues \"{}\".",
            first.title(),
            outcome.title(),
            driver.title()
        );
        let now = driver.trend() == Some(Trend::Improving) && outcome.trend() == Some(Trend::Worsening);
        let nodes = objectives.iter().copied().chain([driver, outcome]);
        let f = out
            .add(RULE, nodes, message)
            .fix(fix)
            .evidence("r", round3(r))
            .evidence("effect", round3(effect))
            .evidence("pairs", pairs.len())
            .evidence("lag_days", lag)
            .evidence("driver_department", from_dept)
            .evidence("outcome_department", to_dept);
        if now {
            f.severity(Severity::Error).evidence("happening_now", true);
        }
    }
    Ok(out.into_vec())
}

fn department<'t>(n: Node<'t>) -> Option<&'t str> {
    n.department().map(str::trim).filter(|d| !d.is_empty())
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A node's series (days, value) sorted by date, and the sign of "better".
fn series(n: Node<'_>) -> Option<(Vec<(i32, f64)>, f64)> {
    match n.kind() {
        NodeKind::Kpi => {
            let sign = n.direction()?.sign();
            Some((n.measurements().map(|m| (m.date.days(), m.value)).collect(), sign))
        }
        NodeKind::KeyResult => {
            let (start, target) = (n.start()?, n.target()?);
            if start == target {
                return None;
            }
            let sign = if target > start { 1.0 } else { -1.0 };
            Some((n.check_ins().map(|c| (c.date.days(), c.value)).collect(), sign))
        }
        _ => None,
    }
}

/// Pairs each driver value at day `d` with the unused outcome value nearest to `d + lag` within
/// `tolerance` days (both series sorted by date).
fn lagged_pairs(driver: &[(i32, f64)], outcome: &[(i32, f64)], lag: i32, tolerance: i32) -> Vec<(f64, f64)> {
    let mut pairs = Vec::new();
    let mut used = vec![false; outcome.len()];
    let mut lo = 0usize;
    for &(d, x) in driver {
        let want = d.saturating_add(lag);
        while lo < outcome.len() && outcome[lo].0.saturating_sub(want) < -tolerance {
            lo += 1;
        }
        let mut best: Option<(usize, i32)> = None;
        let mut j = lo;
        while j < outcome.len() && outcome[j].0.saturating_sub(want) <= tolerance {
            let gap = outcome[j].0.saturating_sub(want).abs();
            if !used[j] && best.is_none_or(|(_, g)| gap < g) {
                best = Some((j, gap));
            }
            j += 1;
        }
        if let Some((j, _)) = best {
            used[j] = true;
            pairs.push((x, outcome[j].1));
        }
    }
    pairs
}

/// Pearson's r, or `None` when either side does not vary. Only `+ - * /` and `sqrt`.
fn pearson(pairs: &[(f64, f64)]) -> Option<f64> {
    let n = pairs.len() as f64;
    if pairs.len() < 3 {
        return None;
    }
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for &(x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

kpitree_plugin_sdk::plugin! {
    name: "local-optimisation",
    version: env!("CARGO_PKG_VERSION"),
    description: "Objectives of one department whose KPIs drive another department's outcomes the wrong way.",
    config_schema: r#"{
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "min_pairs": { "type": "integer", "minimum": 3, "default": 6,
                           "description": "fewest paired driver/outcome points the correlation may rest on" },
            "min_r": { "type": "number", "minimum": 0, "maximum": 1, "default": 0.5,
                       "description": "smallest |r|, read in both nodes' directions, that counts as harm" },
            "tolerance_days": { "type": "integer", "minimum": 0, "maximum": 365, "default": 7,
                                "description": "days an outcome value may lie from the driver's date plus the lag" }
        }
    }"#,
    // `flags` for `direction`, `parents` for `ancestors`, `title` for the messages.
    reads: [
        "status", "flags", "trend", "title", "department", "start", "target", "parents", "measurements", "check_ins",
        "links",
    ],
    rules: [{
        id: "local-optimisation",
        severity: Warning,
        summary: "an objective of one department pursues a KPI that moves another department's outcome the wrong way",
        why: "When a department is steered by a metric that, by its own `drives` link and the measurements, makes \
              another department's outcome worse, each side can hit its targets while the organisation loses: \
              sales discounts that erode margin, cost cuts that raise churn. Nobody sees the trade-off because it \
              crosses a department line.",
        fix: "Make the trade-off explicit: a guardrail metric for the pursuing objective or a key result both \
              departments share.",
    }],
    evaluate: check,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairing_and_correlation() {
        let d = [(0, 1.0), (31, 2.0), (59, 3.0)];
        let o = [(30, 10.0), (61, 20.0), (151, 30.0)];
        assert_eq!(lagged_pairs(&d, &o, 30, 3), vec![(1.0, 10.0), (2.0, 20.0)]);
        assert_eq!(lagged_pairs(&d, &o, 0, 0), vec![]);
        assert!(pearson(&[(1.0, 3.0), (2.0, 2.0), (3.0, 1.0)]).is_some_and(|r| r < -0.999_999));
        assert_eq!(pearson(&[(1.0, 3.0), (1.0, 2.0), (1.0, 1.0)]), None);
    }
}
