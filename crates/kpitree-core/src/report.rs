//! A check's result: findings in a stable order, a summary, and scores (OKR scores and health).
//!
//! Health is 0-100. Each finding weighs on the nodes it names (error 1.0, warning 0.5, info 0.1;
//! a node's penalty is capped at 1.0); a scope's health is 100 times one minus the mean penalty of its
//! non-retired nodes. Findings about the whole tree (no nodes) take [`TREE_FINDING_POINTS`] points off
//! the tree's health per unit of weight. An objective's health covers it and everything under it.

use crate::finding::{Finding, Severity};
use crate::model::{NodeKind, Status};
use crate::rollup::{Health, Rollup};
use crate::tree::{Ix, Tree};
use serde::Serialize;

/// Points a whole-tree finding of weight 1.0 (an error) takes off the tree's health.
pub const TREE_FINDING_POINTS: f64 = 5.0;

/// Weight of a finding of this severity in health scores.
pub fn weight(s: Severity) -> f64 {
    match s {
        Severity::Error => 1.0,
        Severity::Warning => 0.5,
        Severity::Info => 0.1,
    }
}

/// Everything `kpitree check` reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Every finding: whole-tree findings first, then by the position of their first node in the
    /// document, then by rule order.
    pub findings: Vec<Finding>,
    /// Counts.
    pub summary: Summary,
    /// Scores.
    pub scores: Scores,
    /// Rule plugins that failed (could not be loaded, or failed while evaluating); absent when none
    /// did. Their findings are missing from `findings`; the other rules' are all there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plugin_errors: Vec<PluginFailure>,
}

/// A rule plugin that failed, as reports show it. Plugin hosts produce these; the core only carries them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PluginFailure {
    /// The plugin's name (its file stem when it failed before its manifest was read).
    pub plugin: String,
    /// A stable kebab-case code for what went wrong (`out-of-fuel`, `unknown-node`, `abi-version`, ...).
    pub code: String,
    /// The whole message, naming the plugin and what it did.
    pub message: String,
}

/// What rule plugins contributed to a check, merged into the report by
/// [`crate::engine::check_tree_with`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PluginResults {
    /// Their findings (each with `plugin` set), in plugin order.
    pub findings: Vec<Finding>,
    /// How many plugin rules ran (added to the summary's `rules_run`).
    pub rules_run: usize,
    /// The plugins that failed.
    pub errors: Vec<PluginFailure>,
}

/// Counts of a check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// The tree's organisation.
    pub organisation: String,
    /// The date the tree describes.
    pub as_of: crate::Date,
    /// Nodes in the tree.
    pub nodes: usize,
    /// Nodes by kind.
    pub strategies: usize,
    /// Objectives.
    pub objectives: usize,
    /// Key results.
    pub key_results: usize,
    /// KPIs.
    pub kpis: usize,
    /// Findings of severity error.
    pub errors: usize,
    /// Findings of severity warning.
    pub warnings: usize,
    /// Findings of severity info.
    pub infos: usize,
    /// Rules that ran.
    pub rules_run: usize,
}

/// OKR scores and health.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scores {
    /// Health of the whole tree, 0-100.
    pub health: f64,
    /// Every objective, in document order.
    pub objectives: Vec<ScoredNode>,
    /// Every key result, in document order.
    pub key_results: Vec<ScoredNode>,
    /// Every KPI, in document order: its status against target or thresholds and its trend.
    pub kpis: Vec<KpiScore>,
}

/// Rollups of one KPI.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KpiScore {
    /// Node id.
    pub id: String,
    /// Latest value (last measurement, else `current`).
    pub value: Option<f64>,
    /// On track, at risk, off track (against thresholds, else target) or unknown.
    pub status: Health,
    /// Direction of the series (three or more measurements), read in the KPI's direction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trend: Option<crate::rollup::Trend>,
    /// Health 0-100 of the KPI itself (findings that name it).
    pub health: f64,
}

/// Scores of one objective or key result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScoredNode {
    /// Node id.
    pub id: String,
    /// Node title.
    pub title: String,
    /// OKR score 0.0-1.0, when it can be computed.
    pub score: Option<f64>,
    /// On track, at risk, off track or unknown.
    pub status: Health,
    /// Health 0-100 of the node and everything under it.
    pub health: f64,
}

/// Sorts findings into the report order and builds the summary and scores.
pub fn build(tree: &Tree<'_>, rollup: &Rollup, mut findings: Vec<Finding>, rules_run: usize) -> Report {
    // Stable sort: findings from one rule keep the order the rule emitted them in.
    crate::sort::sort_by_cached_key(&mut findings, |f| {
        f.nodes.first().and_then(|id| tree.ix(id)).map_or(-1, i64::from)
    });
    let penalty = penalties(tree, &findings);
    let tree_points: f64 =
        findings.iter().filter(|f| f.nodes.is_empty()).map(|f| weight(f.severity)).sum::<f64>() * TREE_FINDING_POINTS;
    let all: Vec<Ix> = (0..tree.len() as Ix).collect();
    let health = (scope_health(tree, &penalty, &all) - tree_points).max(0.0);
    let scored = |kind: NodeKind| -> Vec<ScoredNode> {
        tree.of_kind(kind)
            .map(|i| {
                let r = rollup.get(i);
                ScoredNode {
                    id: tree.node(i).id.clone(),
                    title: tree.node(i).title.clone(),
                    score: r.score.map(round3),
                    status: r.status.unwrap_or(Health::Unknown),
                    health: scope_health(tree, &penalty, &descendants(tree, i)),
                }
            })
            .collect()
    };
    let count = |k: NodeKind| tree.nodes().iter().filter(|n| n.kind == k).count();
    let sev = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let doc = tree.doc();
    Report {
        summary: Summary {
            organisation: doc.organisation.clone(),
            as_of: doc.as_of,
            nodes: tree.len(),
            strategies: count(NodeKind::Strategy),
            objectives: count(NodeKind::Objective),
            key_results: count(NodeKind::KeyResult),
            kpis: count(NodeKind::Kpi),
            errors: sev(Severity::Error),
            warnings: sev(Severity::Warning),
            infos: sev(Severity::Info),
            rules_run,
        },
        scores: Scores {
            health: round1(health),
            objectives: scored(NodeKind::Objective),
            key_results: scored(NodeKind::KeyResult),
            kpis: tree
                .of_kind(NodeKind::Kpi)
                .map(|i| {
                    let r = rollup.get(i);
                    KpiScore {
                        id: tree.node(i).id.clone(),
                        value: r.value,
                        status: r.status.unwrap_or(Health::Unknown),
                        trend: r.trend.map(|t| crate::rollup::Trend { per_30_days: round3(t.per_30_days), ..t }),
                        health: scope_health(tree, &penalty, &[i]),
                    }
                })
                .collect(),
        },
        findings,
        plugin_errors: Vec::new(),
    }
}

fn penalties(tree: &Tree<'_>, findings: &[Finding]) -> Vec<f64> {
    let mut p = vec![0.0; tree.len()];
    for f in findings {
        for id in &f.nodes {
            if let Some(i) = tree.ix(id) {
                p[i as usize] += weight(f.severity);
            }
        }
    }
    p
}

fn scope_health(tree: &Tree<'_>, penalty: &[f64], scope: &[Ix]) -> f64 {
    let live: Vec<f64> = scope
        .iter()
        .filter(|&&i| tree.node(i).status != Status::Retired)
        .map(|&i| penalty[i as usize].min(1.0))
        .collect();
    if live.is_empty() {
        return 100.0;
    }
    round1(100.0 * (1.0 - live.iter().sum::<f64>() / live.len() as f64))
}

/// `i` and every node under it, each once.
pub fn descendants(tree: &Tree<'_>, i: Ix) -> Vec<Ix> {
    let mut seen = rustc_hash::FxHashSet::default();
    let mut out = vec![i];
    seen.insert(i);
    let mut k = 0;
    while k < out.len() {
        for &c in tree.children(out[k]) {
            if seen.insert(c) {
                out.push(c);
            }
        }
        k += 1;
    }
    out
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
