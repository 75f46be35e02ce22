//! Pruning: which KPIs could be retired and why, and the tree without them.
//!
//! Candidates come from the rules that mean "this KPI no longer earns its place": `orphan-kpi`
//! (orphaned), `stale-kpi` (stale) and `duplicate-metric` (duplicated; the KPI to keep is the first
//! of each group and is never a candidate for that reason). Those rules run with the configured
//! thresholds even when switched off for `check`. Removing a KPI that other KPIs hang under
//! re-attaches those to the removed KPI's own parents, so pruning never orphans a survivor.

use crate::config::Settings;
use crate::engine::check;
use crate::model::{NodeKind, TreeDoc};
use crate::rollup::Rollup;
use crate::source::SourceMap;
use crate::tree::{Ix, Tree};
use serde::Serialize;

/// Candidates of a duplicate group larger than this get a short reason instead of the group's message.
const GROUP_SHOWN: usize = 10;

/// Why a KPI could be retired.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Supports no active objective (`orphan-kpi`).
    Orphaned,
    /// Not reviewed for too long (`stale-kpi`).
    Stale,
    /// Measures the same as another KPI (`duplicate-metric`).
    Duplicated,
}

impl Reason {
    /// The rule whose findings give this reason.
    pub fn rule(self) -> &'static str {
        match self {
            Reason::Orphaned => "orphan-kpi",
            Reason::Stale => "stale-kpi",
            Reason::Duplicated => "duplicate-metric",
        }
    }

    /// Parses `orphaned`, `stale` or `duplicated`.
    pub fn parse(s: &str) -> Option<Reason> {
        Reason::NAMES.iter().position(|n| *n == s).map(|k| Reason::ALL[k])
    }

    /// All reasons.
    pub const ALL: [Reason; 3] = [Reason::Orphaned, Reason::Stale, Reason::Duplicated];

    /// Their names, as [`Reason::parse`] reads them and messages list them.
    pub const NAMES: [&'static str; 3] = ["orphaned", "stale", "duplicated"];
}

/// A KPI that could be retired.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    /// Node id.
    pub id: String,
    /// Node title.
    pub title: String,
    /// Owner, if any: who to ask.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Why, with the finding's message for each reason.
    pub reasons: Vec<(Reason, String)>,
}

/// A surviving node whose parents changed because a parent was removed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reattached {
    /// The surviving node.
    pub id: String,
    /// Its parents after pruning.
    pub parents: Vec<String>,
}

/// Counts before or after pruning.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Shape {
    /// Nodes.
    pub nodes: usize,
    /// KPIs.
    pub kpis: usize,
    /// Findings of all enabled rules.
    pub findings: usize,
    /// Tree health 0-100.
    pub health: f64,
}

/// The pruning report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PruneReport {
    /// KPIs that could be retired, in document order.
    pub candidates: Vec<Candidate>,
    /// Nodes re-attached because a KPI above them was removed.
    pub reattached: Vec<Reattached>,
    /// `drives` links dropped with their KPIs.
    pub links_removed: usize,
    /// The tree as it is.
    pub before: Shape,
    /// The tree without the candidates.
    pub after: Shape,
}

/// Finds candidates for the given reasons and builds the pruned document.
///
/// `settings` are those of the check (they decide `before`/`after` findings and the pruning rules'
/// thresholds).
pub fn prune(tree: &Tree, settings: &Settings, reasons: &[Reason]) -> (PruneReport, TreeDoc) {
    let mut forced = settings.clone();
    for (rule, s) in crate::rules::builtin().iter().zip(forced.rules.iter_mut()) {
        s.enabled = reasons.iter().any(|r| r.rule() == rule.meta().id);
    }
    let rollup = Rollup::new(tree);
    let findings = crate::rules::run(tree, &rollup, &forced);
    let mut why: Vec<Vec<(Reason, String)>> = vec![Vec::new(); tree.len()];
    for f in &findings {
        let Some(reason) = reasons.iter().copied().find(|r| r.rule() == f.rule) else { continue };
        // A duplicate group names the KPI to keep first.
        let named = if reason == Reason::Duplicated { f.nodes.get(1..).unwrap_or_default() } else { &f.nodes[..] };
        // Each candidate repeats its finding's message; a large group's lists every member, so each
        // of its candidates gets a short one instead (output and memory linear in the group).
        let short;
        let message = if reason == Reason::Duplicated && f.nodes.len() > GROUP_SHOWN {
            let keep = f.nodes.first().and_then(|id| tree.ix(id)).map(|k| tree.node(k).display());
            short = format!(
                "{} active KPIs measure the same thing in different places; keep {} (`kpitree check` lists them all)",
                f.nodes.len(),
                keep.unwrap_or_default()
            );
            &short
        } else {
            &f.message
        };
        for id in named {
            if let Some(i) = tree.ix(id).filter(|&i| tree.node(i).kind == NodeKind::Kpi) {
                why[i as usize].push((reason, message.clone()));
            }
        }
    }
    let removed: Vec<bool> = why.iter().map(|w| !w.is_empty()).collect();
    let candidates = why
        .into_iter()
        .enumerate()
        .filter(|(_, w)| !w.is_empty())
        .map(|(i, mut reasons)| {
            crate::sort::sort(&mut reasons);
            reasons.dedup_by(|a, b| a.0 == b.0);
            let n = tree.node(i as Ix);
            Candidate { id: n.id.clone(), title: n.title.clone(), owner: n.owner.clone(), reasons }
        })
        .collect();
    let (pruned, reattached, links_removed) = without(tree, &removed);
    let before = shape(tree, &check(tree, settings));
    let (after, pruned) = match Tree::validate("pruned", pruned, SourceMap::default()) {
        Ok(t) => (shape(&t, &check(&t, settings)), t.into_doc()),
        // Removing KPIs and re-attaching their children to existing parents keeps a valid tree.
        Err(failed) => (Shape { nodes: failed.1.nodes.len(), kpis: 0, findings: 0, health: 0.0 }, failed.1),
    };
    (PruneReport { candidates, reattached, links_removed, before, after }, pruned)
}

fn shape(tree: &Tree, report: &crate::report::Report) -> Shape {
    Shape {
        nodes: tree.len(),
        kpis: tree.of_kind(NodeKind::Kpi).count(),
        findings: report.findings.len(),
        health: report.scores.health,
    }
}

/// The document without the removed nodes and their links; survivors keep a path upwards.
fn without(tree: &Tree, removed: &[bool]) -> (TreeDoc, Vec<Reattached>, usize) {
    let doc = tree.doc();
    let mut out = doc.clone();
    out.nodes.clear();
    let mut reattached = Vec::new();
    // Marks the nodes one re-attachment walk has seen (stamped with the node being re-attached): without
    // it, layers of removed KPIs that each sit under several removed KPIs are walked once per path,
    // exponentially many.
    let mut seen = vec![u32::MAX; doc.nodes.len()];
    for (i, node) in doc.nodes.iter().enumerate() {
        if removed[i] {
            continue;
        }
        let mut n = node.clone();
        if tree.parents(i as Ix).iter().any(|&p| removed[p as usize]) {
            let mut parents: Vec<Ix> = Vec::new();
            let mut stack: Vec<Ix> = tree.parents(i as Ix).iter().rev().copied().collect();
            while let Some(p) = stack.pop() {
                if std::mem::replace(&mut seen[p as usize], i as u32) == i as u32 {
                    continue;
                }
                if removed[p as usize] {
                    stack.extend(tree.parents(p).iter().rev());
                } else {
                    parents.push(p);
                }
            }
            n.parents = parents.iter().map(|&p| tree.node(p).id.clone()).collect();
            reattached.push(Reattached { id: n.id.clone(), parents: n.parents.clone() });
        }
        out.nodes.push(n);
    }
    let before = out.links.len();
    out.links.retain(|l| {
        let gone = |id: &str| tree.ix(id).is_some_and(|i| removed[i as usize]);
        !gone(&l.from) && !gone(&l.to)
    });
    let links_removed = before - out.links.len();
    (out, reattached, links_removed)
}
