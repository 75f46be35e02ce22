//! A check's result: findings in a stable order, a summary, and scores (OKR scores and health).
//!
//! Health is 0-100. Each finding weighs on the nodes it names (error 1.0, warning 0.5, info 0.1;
//! a node's penalty is capped at 1.0); a scope's health is 100 times one minus the mean penalty of its
//! non-retired nodes. Findings about the whole tree (no nodes) take [`TREE_FINDING_POINTS`] points off
//! the tree's health per unit of weight. An objective's health covers it and everything under it,
//! each node once; in a DAG built so that counting each once would cost more than a budget linear in
//! its size, the rest of the scopes count each shared node's share among its parents instead.

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

impl Report {
    /// Whether a run fails at `threshold` (`--fail-on`): a finding at or above it that counts (not
    /// waived, not known from a baseline: [`Finding::counts`]), or a rule plugin or custom rule that
    /// failed (a pipeline must not pass because a rule could not run).
    pub fn fails_at(&self, threshold: Severity) -> bool {
        !self.plugin_errors.is_empty() || self.findings.iter().any(|f| f.severity >= threshold && f.counts())
    }
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
/// [`crate::engine::check_with`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PluginResults {
    /// Their findings (each with `plugin` set), in plugin order.
    pub findings: Vec<Finding>,
    /// How many plugin rules ran (added to the summary's `rules_run`).
    pub rules_run: usize,
    /// The plugins that failed.
    pub errors: Vec<PluginFailure>,
}

impl PluginResults {
    /// Adds `more` (another host's, or custom rules'): findings, rules run and failures, after
    /// these.
    pub fn extend(&mut self, more: PluginResults) {
        self.findings.extend(more.findings);
        self.rules_run += more.rules_run;
        self.errors.extend(more.errors);
    }
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
    /// Findings a waiver covers (not counted in `errors`, `warnings` and `infos`); absent when none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub waived: usize,
    /// Against a baseline: findings not in it, of those counted (absent without a baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<usize>,
    /// Against a baseline: findings in it, of those counted (absent without a baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known: Option<usize>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
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
    /// The period has ended at `as_of`: score and status are the period's result, not a current one.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ended: bool,
    /// A key result that counts outputs: scored, but left out of its objective's score.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub activity: bool,
    /// Health 0-100 of the node and everything under it.
    pub health: f64,
}

/// Sorts findings into the report order and builds the summary and scores.
pub fn build(tree: &Tree, rollup: &Rollup, mut findings: Vec<Finding>, rules_run: usize) -> Report {
    // Stable sort: findings from one rule keep the order the rule emitted them in.
    crate::sort::sort_by_cached_key(&mut findings, |f| {
        f.nodes.first().and_then(|id| tree.ix(id)).map_or(-1, i64::from)
    });
    for f in &mut findings {
        f.fingerprint = crate::finding::fingerprint(&f.rule, &f.nodes, f.case.as_deref());
    }
    let penalty = penalties(tree, &findings);
    let tree_points: f64 =
        findings.iter().filter(|f| f.nodes.is_empty() && f.waived.is_none()).map(|f| weight(f.severity)).sum::<f64>()
            * TREE_FINDING_POINTS;
    let all = (0..tree.len() as Ix).map(|i| own(tree, &penalty, i)).fold(Scope::default(), Scope::add);
    let health = (all.health() - tree_points).max(0.0);
    let scopes = scopes(tree, &penalty, walk_budget(tree));
    let scored = |kind: NodeKind| -> Vec<ScoredNode> {
        let mut out = Vec::new();
        for i in tree.of_kind(kind) {
            let r = rollup.get(i);
            out.push(ScoredNode {
                id: tree.node(i).id.clone(),
                title: tree.node(i).title.clone(),
                score: r.score.map(round3),
                status: r.status.unwrap_or(Health::Unknown),
                ended: r.ended,
                activity: r.activity,
                health: scopes.health(i),
            });
        }
        out
    };
    let mut kpis = Vec::new();
    for i in tree.of_kind(NodeKind::Kpi) {
        let r = rollup.get(i);
        kpis.push(KpiScore {
            id: tree.node(i).id.clone(),
            value: r.value,
            status: r.status.unwrap_or(Health::Unknown),
            trend: r.trend.map(|t| crate::rollup::Trend { per_30_days: round3(t.per_30_days), ..t }),
            health: own(tree, &penalty, i).health(),
        });
    }
    let count = |k: NodeKind| tree.nodes().iter().filter(|n| n.kind == k).count();
    let sev = |s: Severity| findings.iter().filter(|f| f.severity == s && f.waived.is_none()).count();
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
            waived: findings.iter().filter(|f| f.waived.is_some()).count(),
            new: None,
            known: None,
        },
        scores: Scores {
            health: round1(health),
            objectives: scored(NodeKind::Objective),
            key_results: scored(NodeKind::KeyResult),
            kpis,
        },
        findings,
        plugin_errors: Vec::new(),
    }
}

fn penalties(tree: &Tree, findings: &[Finding]) -> Vec<f64> {
    let mut p = vec![0.0; tree.len()];
    // A waived finding weighs on nothing.
    for f in findings.iter().filter(|f| f.waived.is_none()) {
        for id in &f.nodes {
            if let Some(i) = tree.ix(id) {
                p[i as usize] += weight(f.severity);
            }
        }
    }
    p
}

/// The penalties of a set of nodes: their sum, exact (see [`fixed`]), and how many there are.
#[derive(Clone, Copy, Debug, Default)]
struct Scope {
    sum: u128,
    count: u64,
}

impl Scope {
    fn add(self, other: Scope) -> Scope {
        Scope { sum: self.sum + other.sum, count: self.count + other.count }
    }

    /// 100 times one minus the mean penalty; 100 for a scope of retired nodes only.
    fn health(self) -> f64 {
        if self.count == 0 {
            return 100.0;
        }
        let sum = self.sum as f64 / FIXED_ONE;
        round1(100.0 * (1.0 - sum / self.count as f64))
    }
}

/// 2^60: a penalty (0, or at least 0.1, at most 1.0) times this is a whole number, so sums of
/// penalties are exact and the same in any order; that lets a scope's sum be put together from its
/// parts.
const FIXED_ONE: f64 = 1_152_921_504_606_846_976.0;

fn fixed(penalty: f64) -> u128 {
    (penalty.min(1.0) * FIXED_ONE) as u128
}

/// A node's own share of a scope: its capped penalty, or nothing when it is retired.
fn own(tree: &Tree, penalty: &[f64], i: Ix) -> Scope {
    if tree.node(i).status == Status::Retired {
        Scope::default()
    } else {
        Scope { sum: fixed(penalty[i as usize]), count: 1 }
    }
}

/// Steps the walks of [`scopes`] may take for one tree, in all: far more than any real tree needs
/// (a walk is only needed where shared nodes make children's scopes overlap), and linear in its size.
fn walk_budget(tree: &Tree) -> u64 {
    let edges: usize = tree.nodes().iter().map(|n| n.parents.len()).sum();
    4_000_000 + 16 * (tree.len() + edges) as u64
}

/// A scope shared out: each node's capped penalty and its count of one divided equally among its
/// parents, so every node weighs one in all and every scope takes one pass. What a scope is when
/// its exact sum would cost more than the walk budget (see [`Scopes::health`]).
#[derive(Clone, Copy, Debug, Default)]
struct Share {
    sum: f64,
    count: f64,
}

impl Share {
    fn health(self) -> f64 {
        if self.count <= 0.0 {
            return 100.0;
        }
        round1(100.0 * (1.0 - self.sum / self.count))
    }
}

/// Every node's scope: exact where the walk budget allowed, shared out elsewhere.
struct Scopes {
    exact: Vec<Scope>,
    is_exact: Vec<bool>,
    share: Vec<Share>,
}

impl Scopes {
    /// The health of `i`'s scope: from the exact sum when there is one, else from the shares. Only a
    /// DAG built so that exact sums cost more than [`walk_budget`] (long chains of objectives whose
    /// children share nodes) has nodes without an exact scope.
    fn health(&self, i: Ix) -> f64 {
        let i = i as usize;
        if self.is_exact[i] { self.exact[i].health() } else { self.share[i].health() }
    }
}

/// The scope of every node but strategies (no node lies under a strategy's scope): the node and
/// everything under it, each once. Bottom-up, a node's scope is its own share plus its children's
/// scopes whenever those cannot overlap, which is whenever at most one child's scope holds a node
/// with two or more parents ("shared"): a node reached from two children has two parents, and the
/// first node where their paths join is one. Only nodes with two children whose scopes hold shared
/// nodes are walked, and the walk takes the scope of every part without shared nodes whole. So a
/// tree costs linear time, and a DAG a walk per such node over its nodes that lie above a shared
/// node; the walks stop once they have taken `budget` steps in all (the last one finishes), and the
/// nodes left, and those above them, keep their shared-out scope only.
fn scopes(tree: &Tree, penalty: &[f64], budget: u64) -> Scopes {
    let n = tree.len();
    let mut exact = vec![Scope::default(); n];
    let mut is_exact = vec![true; n];
    let mut share = vec![Share::default(); n];
    // The node's scope holds a node with several parents (itself included).
    let mut shared = vec![false; n];
    let mut seen = vec![0u32; n];
    let mut epoch = 0u32;
    let mut steps = 0u64;
    let mut stack: Vec<Ix> = Vec::new();
    for &i in tree.top_down().iter().rev() {
        let children = tree.children(i);
        let shared_children = children.iter().filter(|&&c| shared[c as usize]).count();
        shared[i as usize] = tree.parents(i).len() > 1 || shared_children > 0;
        if tree.node(i).kind == NodeKind::Strategy {
            continue;
        }
        let mine = own(tree, penalty, i);
        let mut parts = Share { sum: mine.sum as f64 / FIXED_ONE, count: mine.count as f64 };
        for &c in children {
            let k = tree.parents(c).len() as f64;
            parts.sum += share[c as usize].sum / k;
            parts.count += share[c as usize].count / k;
        }
        share[i as usize] = parts;
        let mut total = mine;
        if shared_children <= 1 {
            for &c in children {
                total = total.add(exact[c as usize]);
                is_exact[i as usize] &= is_exact[c as usize];
            }
        } else if steps >= budget {
            is_exact[i as usize] = false;
        } else {
            epoch += 1;
            stack.clear();
            stack.extend_from_slice(children);
            while let Some(c) = stack.pop() {
                steps += 1;
                if seen[c as usize] == epoch {
                    continue;
                }
                seen[c as usize] = epoch;
                if shared[c as usize] {
                    total = total.add(own(tree, penalty, c));
                    stack.extend_from_slice(tree.children(c));
                } else {
                    // No node under `c` has another parent: none is reached but through `c`, and
                    // its scope needed no walk, so it is exact.
                    total = total.add(exact[c as usize]);
                }
            }
        }
        exact[i as usize] = total;
    }
    Scopes { exact, is_exact, share }
}

/// `i` and every node under it, each once.
pub fn descendants(tree: &Tree, i: Ix) -> Vec<Ix> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Node, TreeDoc};

    /// The bottom-up scopes equal a walk of every node's descendants, on DAGs full of shared nodes
    /// (objectives under several objectives, KPIs under several key results and KPIs, diamonds).
    #[test]
    fn scopes_equal_a_walk_of_the_descendants() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for round in 0..20 {
            let mut nodes = vec![Node::new("s", NodeKind::Strategy, "S")];
            let (objectives, krs, kpis) = (20 + round, 30, 60);
            for k in 0..objectives {
                let mut n = Node::new(format!("o{k}"), NodeKind::Objective, "O");
                n.parents.push("s".into());
                for _ in 0..next(3) {
                    let p = format!("o{}", next(k.max(1)));
                    if k > 0 && !n.parents.contains(&p) {
                        n.parents.push(p);
                    }
                }
                nodes.push(n);
            }
            for k in 0..krs {
                let mut n = Node::new(format!("r{k}"), NodeKind::KeyResult, "R");
                n.parents.push(format!("o{}", next(objectives)));
                nodes.push(n);
            }
            for k in 0..kpis {
                let mut n = Node::new(format!("k{k}"), NodeKind::Kpi, "K");
                for _ in 0..1 + next(3) {
                    let p = if k > 0 && next(3) == 0 { format!("k{}", next(k)) } else { format!("r{}", next(krs)) };
                    if !n.parents.contains(&p) {
                        n.parents.push(p);
                    }
                }
                if next(7) == 0 {
                    n.status = Status::Retired;
                }
                nodes.push(n);
            }
            let doc = TreeDoc {
                schema: None,
                version: 1,
                organisation: "T".into(),
                as_of: crate::Date::parse("2026-11-27").expect("a date"),
                description: None,
                nodes,
                links: Vec::new(),
            };
            let tree = Tree::new("t", doc.clone()).expect("valid");
            let weights = [0.0, 0.1, 0.5, 1.0, 0.2, 0.6, 1.5, 0.30000000000000004];
            let penalty: Vec<f64> = (0..tree.len()).map(|_| weights[next(weights.len())]).collect();
            let scopes = scopes(&tree, &penalty, u64::MAX);
            assert!(scopes.is_exact.iter().all(|&e| e), "no budget: every scope exact");
            let scopes = scopes.exact;
            let mut shared = 0;
            for i in 0..tree.len() as Ix {
                if tree.node(i).kind == NodeKind::Strategy {
                    continue;
                }
                let walked =
                    descendants(&tree, i).iter().map(|&d| own(&tree, &penalty, d)).fold(Scope::default(), Scope::add);
                assert_eq!(
                    (scopes[i as usize].sum, scopes[i as usize].count),
                    (walked.sum, walked.count),
                    "round {round}, node {i}"
                );
                shared += usize::from(tree.parents(i).len() > 1);
            }
            assert!(shared > 10, "the DAG has shared nodes");
        }
    }

    /// Past the walk budget a scope is shared out instead of walked, so a chain of objectives whose
    /// children share KPIs costs the budget, not a walk per objective (quadratic: 42 s for 30k).
    #[test]
    fn past_the_budget_scopes_are_shared_out() {
        let node = |id: &str, kind: NodeKind, parents: &[&str]| {
            let mut n = Node::new(id, kind, id);
            n.parents = parents.iter().map(|p| (*p).to_owned()).collect();
            n
        };
        let mut nodes = vec![node("s", NodeKind::Strategy, &[])];
        let n = 300;
        for i in 0..n {
            let up = if i == 0 { "s".to_owned() } else { format!("o{}", i - 1) };
            nodes.push(node(&format!("o{i}"), NodeKind::Objective, &[&up]));
            nodes.push(node(&format!("kr{i}"), NodeKind::KeyResult, &[&format!("o{i}")]));
        }
        for i in 0..n - 1 {
            nodes.push(node(&format!("k{i}"), NodeKind::Kpi, &[&format!("kr{i}"), &format!("o{}", i + 1)]));
        }
        let doc = TreeDoc {
            schema: None,
            version: 1,
            organisation: "T".into(),
            as_of: crate::Date::parse("2026-11-27").expect("a date"),
            description: None,
            nodes,
            links: Vec::new(),
        };
        let tree = Tree::new("t", doc.clone()).expect("valid");
        let penalty: Vec<f64> = (0..tree.len()).map(|i| if i % 3 == 0 { 0.5 } else { 0.0 }).collect();
        let all = scopes(&tree, &penalty, u64::MAX);
        assert!(all.is_exact.iter().all(|&e| e));
        let cut = scopes(&tree, &penalty, 2_000);
        let inexact = cut.is_exact.iter().filter(|&&e| !e).count();
        assert!(inexact > 100 && inexact < n, "the deepest objectives are walked, the rest shared out: {inexact}");
        for i in 0..tree.len() as Ix {
            if cut.is_exact[i as usize] {
                assert_eq!(cut.health(i), all.health(i), "node {i}");
            } else {
                assert_eq!(cut.health(i), cut.share[i as usize].health());
                assert!((0.0..=100.0).contains(&cut.health(i)));
            }
        }
        // Without a budget nothing is walked: every objective but the last has two children whose
        // scopes share a KPI, so only the last one (and the key results and KPIs) stays exact.
        let none = scopes(&tree, &penalty, 0);
        let objectives: Vec<Ix> = tree.of_kind(NodeKind::Objective).collect();
        let exact = objectives.iter().filter(|&&o| none.is_exact[o as usize]).count();
        assert_eq!(exact, 1);
    }
}
