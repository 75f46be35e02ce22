//! Pruning: which KPIs could be retired and why, and the tree without them.
//!
//! Candidates come from the rules that mean "this KPI no longer earns its place": `orphan-kpi`
//! (orphaned), `duplicate-metric` (duplicated; the KPI to keep is the first of each group and is never a
//! candidate for that reason; a finding that names none to keep, such as one name kept by two
//! departments, retires nothing) and `stale-kpi` (stale). Stale alone does not make a candidate: a stale
//! KPI that serves an active objective is to be reviewed, not retired, so a stale KPI is proposed only
//! when it is also orphaned or duplicated, and that reason is listed beside `stale` even when only
//! `stale` was asked for. A KPI that collects a baseline for a draft objective or key result is never
//! a candidate (`orphan-kpi` reports it as `info`): the draft will need it.
//!
//! Those rules run with the configured thresholds even when switched off for `check` (asking for
//! `stale` runs `orphan-kpi` and `duplicate-metric` too). Removing a KPI that other KPIs hang under
//! re-attaches those to the removed KPI's own parents, so pruning never orphans a survivor.

use crate::config::Settings;
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
    prune_with(tree, settings, reasons, &|_| crate::report::PluginResults::default())
}

/// [`prune`] with rules beyond the built-in ones counted in `before` and `after`: `others` gives
/// their results on a tree (custom rules, plugins), as for [`crate::engine::check_with`].
pub fn prune_with(
    tree: &Tree,
    settings: &Settings,
    reasons: &[Reason],
    others: &dyn Fn(&Tree) -> crate::report::PluginResults,
) -> (PruneReport, TreeDoc) {
    let asked = |r: Reason| reasons.contains(&r);
    // Stale qualifies only together with orphaned or duplicated, so it needs their rules too.
    let needed = |r: Reason| asked(r) || (asked(Reason::Stale) && r != Reason::Stale);
    let mut forced = settings.clone();
    for (rule, s) in crate::rules::builtin().iter().zip(forced.rules.iter_mut()) {
        s.enabled = Reason::ALL.iter().any(|&r| needed(r) && r.rule() == rule.meta().id);
    }
    let rollup = Rollup::new(tree);
    let findings = crate::rules::run(tree, &rollup, &forced);
    let analysis = crate::rules::Analysis::new(tree);
    // Per KPI and reason (in `Reason::ALL` order), the message of the finding that gives it, as an index
    // into `messages` (12 bytes a node, not three strings).
    const NONE: u32 = u32::MAX;
    let mut why: Vec<[u32; 3]> = vec![[NONE; 3]; tree.len()];
    let mut messages: Vec<std::borrow::Cow<'_, str>> = Vec::new();
    for f in &findings {
        let Some(k) = Reason::ALL.iter().position(|r| r.rule() == f.rule) else { continue };
        let reason = Reason::ALL[k];
        // A duplicate finding that names no KPI to keep (one name in two departments) retires nothing.
        if reason == Reason::Duplicated && !f.evidence.as_ref().is_some_and(|e| e.contains_key("keep")) {
            continue;
        }
        // A duplicate group names the KPI to keep first.
        let named = if reason == Reason::Duplicated { f.nodes.get(1..).unwrap_or_default() } else { &f.nodes[..] };
        // Each candidate repeats its finding's message; a large group's lists every member, so each
        // of its candidates gets a short one instead (output and memory linear in the group).
        let message = if reason == Reason::Duplicated && f.nodes.len() > GROUP_SHOWN {
            let keep = f.nodes.first().and_then(|id| tree.ix(id)).map(|k| tree.node(k).display());
            std::borrow::Cow::Owned(format!(
                "{} active KPIs measure the same thing in different places; keep {} (`kpitree check` lists them all)",
                f.nodes.len(),
                keep.unwrap_or_default()
            ))
        } else {
            std::borrow::Cow::Borrowed(f.message.as_str())
        };
        let at = messages.len() as u32;
        messages.push(message);
        for id in named {
            if let Some(i) = tree.ix(id).filter(|&i| tree.node(i).kind == NodeKind::Kpi)
                && let Some(slot) = why[i as usize].get_mut(k)
                && *slot == NONE
            {
                *slot = at;
            }
        }
    }
    let (orphaned, stale, duplicated) = (0, 1, 2);
    debug_assert_eq!(Reason::ALL, [Reason::Orphaned, Reason::Stale, Reason::Duplicated]);
    let mut removed = vec![false; tree.len()];
    let mut candidates = Vec::new();
    for (i, mut found) in why.into_iter().enumerate() {
        // A KPI collecting a baseline for a draft is never a candidate.
        if found == [NONE; 3] || analysis.baseline_for(i as Ix).is_some() {
            continue;
        }
        let qualified = found[orphaned] != NONE || found[duplicated] != NONE;
        let keep = |r: Reason| asked(r) || (asked(Reason::Stale) && qualified);
        if !(asked(Reason::Stale) && qualified) {
            found[stale] = NONE;
        }
        let mut reasons: Vec<(Reason, String)> = Vec::new();
        for (&r, m) in Reason::ALL.iter().zip(found) {
            if keep(r)
                && m != NONE
                && let Some(message) = messages.get(m as usize)
            {
                reasons.push((r, message.to_string()));
            }
        }
        if !reasons.iter().any(|(r, _)| asked(*r)) {
            continue;
        }
        removed[i] = true;
        let n = tree.node(i as Ix);
        candidates.push(Candidate { id: n.id.clone(), title: n.title.clone(), owner: n.owner.clone(), reasons });
    }
    let (pruned, reattached, links_removed) = without(tree, &removed);
    let full = |t: &Tree| crate::engine::check_with(t, &Rollup::new(t), settings, others(t));
    let before = shape(tree, &full(tree));
    let (after, pruned) = match Tree::validate("pruned", pruned, SourceMap::default()) {
        Ok(t) => (shape(&t, &full(&t)), t.into_doc()),
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
            n.parents = Vec::with_capacity(parents.len());
            for &p in &parents {
                n.parents.push(tree.node(p).id.clone());
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    const TREE: &str = r#"{"version":1,"organisation":"X","as_of":"2026-11-27","nodes":[
        {"id":"s","kind":"strategy","title":"S","owner":"o"},
        {"id":"o","kind":"objective","title":"Win","owner":"o","parents":["s"],"period":"2026-Q4"},
        {"id":"old","kind":"objective","title":"Old","owner":"o","parents":["s"],"period":"2025-Q2","status":"retired"},
        {"id":"draft","kind":"objective","title":"Next","owner":"o","parents":["s"],"period":"2027-Q1","status":"draft"},
        {"id":"serving","kind":"kpi","title":"Win rate","owner":"o","parents":["o"],"last_reviewed":"2020-01-01"},
        {"id":"orphan","kind":"kpi","title":"Fax orders","owner":"o","parents":["old"],"last_reviewed":"2020-01-01"},
        {"id":"orphan-fresh","kind":"kpi","title":"Telex orders","owner":"o","parents":["old"],"last_reviewed":"2026-11-01"},
        {"id":"baseline","kind":"kpi","title":"Nordic trials","owner":"o","parents":["draft"],"last_reviewed":"2020-01-01"},
        {"id":"dup-keep","kind":"kpi","title":"Churn","unit":"%","owner":"o","parents":["o"],"last_reviewed":"2020-01-01"},
        {"id":"dup","kind":"kpi","title":"churn","unit":"%","owner":"o","parents":["old"],"last_reviewed":"2020-01-01"},
        {"id":"dup-baseline","kind":"kpi","title":"Churn","unit":"%","owner":"o","parents":["draft"]},
        {"id":"cs","kind":"kpi","title":"Logo churn","unit":"%","department":"Success","owner":"o","parents":["o"],
         "measurements":[{"date":"2026-01-31","value":1.48},{"date":"2026-02-28","value":1.66},
                         {"date":"2026-03-31","value":1.49},{"date":"2026-04-30","value":1.62}]},
        {"id":"fin","kind":"kpi","title":"Logo churn","unit":"%","department":"Finance","owner":"o","parents":["old", "o"],
         "measurements":[{"date":"2026-01-31","value":1.51},{"date":"2026-02-28","value":1.69},
                         {"date":"2026-03-31","value":1.5},{"date":"2026-04-30","value":1.65}]}
    ]}"#;

    fn candidates(reasons: &[Reason]) -> Vec<(String, Vec<Reason>)> {
        let tree = crate::load_json("t.json", TREE).expect("valid");
        let settings = crate::settings(&Default::default()).expect("defaults");
        let (report, _) = prune(&tree, &settings, reasons);
        report.candidates.into_iter().map(|c| (c.id, c.reasons.into_iter().map(|r| r.0).collect())).collect()
    }

    #[test]
    fn stale_alone_proposes_only_orphaned_or_duplicated_kpis() {
        use Reason::*;
        let tree = crate::load_json("t.json", TREE).expect("valid");
        let report = crate::check(&tree, &crate::settings(&Default::default()).expect("defaults"));
        let departments = report.findings.iter().find(|f| f.rule == "duplicate-metric" && f.nodes == ["cs", "fin"]);
        assert_eq!(departments.map(|f| f.severity), Some(crate::finding::Severity::Info));
        let s = |id: &str, r: &[Reason]| (id.to_owned(), r.to_vec());
        // `serving` is stale but serves an active objective: review it, do not retire it. `dup-keep` is
        // the duplicate to keep. `baseline` collects a baseline for a draft. `cs` and `fin` are one name
        // in two departments with close numbers: an `info` finding that retires nothing.
        assert_eq!(
            candidates(&[Stale]),
            vec![s("orphan", &[Orphaned, Stale]), s("dup", &[Orphaned, Stale, Duplicated])]
        );
        assert_eq!(
            candidates(&Reason::ALL),
            vec![
                s("orphan", &[Orphaned, Stale]),
                s("orphan-fresh", &[Orphaned]),
                s("dup", &[Orphaned, Stale, Duplicated])
            ]
        );
        assert_eq!(
            candidates(&[Orphaned]),
            vec![s("orphan", &[Orphaned]), s("orphan-fresh", &[Orphaned]), s("dup", &[Orphaned])]
        );
        assert_eq!(candidates(&[Duplicated]), vec![s("dup", &[Duplicated])]);
    }
}
