//! What changed between two versions of a tree, and what it did to the tree's health.
//!
//! [`diff`] compares two checked trees (each with its [`Report`]): nodes matched by id (added, removed,
//! and per changed node the fields whose values differ), links, the document's own fields, the findings
//! that are new or resolved (matched by [`fingerprint`](crate::finding::fingerprint) as a multiset, so
//! reordering the document, rewording a title or changing a severity is no change), and the scores
//! before and after (health, every objective, the summary).
//!
//! Choices, so that a diff says what a reviewer would call a change:
//! - `parents` are compared as sets: reordering them changes neither the graph nor any score.
//! - Series (`measurements`, `check_ins`) are reported by count, with how many entries were added and
//!   removed (an edited value is one of each), not dumped whole.
//! - Findings count as they count for health: a waived finding is neither new nor resolved. A finding
//!   of OLD that NEW waives is listed under `findings.waived` (with its waiver) instead of `resolved`;
//!   a finding whose waiver expired or was removed counts again, so it is new.
//!
//! Work is linear: hash maps by id, fingerprint and link; output in document order, never hash order.

use crate::finding::{Finding, Severity};
use crate::model::{Link, LinkKind, Node, NodeKind, TreeDoc};
use crate::report::{PluginFailure, Report, ScoredNode, Summary};
use crate::rollup::Health;
use crate::tree::Tree;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::hash::Hash;

/// Everything `kpitree diff` reports, borrowing the two versions' reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diff<'a> {
    /// Fields of the document itself (`organisation`, `as_of`, `description`) that changed.
    pub document: Vec<Change>,
    /// Nodes added, removed and changed.
    pub nodes: NodeChanges<'a>,
    /// Links added, removed and changed (the same link with another lag or note).
    pub links: LinkChanges<'a>,
    /// Findings new, resolved and newly waived.
    pub findings: FindingChanges<'a>,
    /// The tree's health, 0-100, before and after.
    pub health: Scores<f64>,
    /// Every objective of either version (NEW's in document order, then those only OLD has), with its
    /// scores in each (`null` on the side that does not have it).
    pub objectives: Vec<ObjectiveChange<'a>>,
    /// The summary of each version's report.
    pub summary: Before<&'a Summary>,
    /// Rule plugins or custom rules that failed in either version (each failure once); absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plugin_errors: Vec<&'a PluginFailure>,
}

/// A value before and after.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Before<T> {
    /// In OLD.
    pub old: T,
    /// In NEW.
    pub new: T,
}

/// A score before and after, and how much it moved.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scores<T> {
    /// In OLD.
    pub old: T,
    /// In NEW.
    pub new: T,
    /// `new - old`, rounded as the scores are.
    pub delta: T,
}

/// One field whose value differs: its old and new value as the format writes them (`null` when absent).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// The field's name in the format (`owner`, `parents`, `measurements`).
    pub field: &'static str,
    /// Its value in OLD (for a series: how many entries).
    pub old: Value,
    /// Its value in NEW (for a series: how many entries).
    pub new: Value,
    /// For a series: entries in NEW that OLD does not have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added: Option<usize>,
    /// For a series: entries in OLD that NEW does not have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed: Option<usize>,
}

/// Nodes added, removed and changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NodeChanges<'a> {
    /// Nodes only NEW has, in its document order.
    pub added: Vec<NodeRef<'a>>,
    /// Nodes only OLD has, in its document order.
    pub removed: Vec<NodeRef<'a>>,
    /// Nodes both have whose fields differ, in NEW's document order.
    pub changed: Vec<NodeChange<'a>>,
}

/// A node, as a diff names it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeRef<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its kind.
    pub kind: NodeKind,
    /// Its title.
    pub title: &'a str,
}

/// A node whose fields differ between the versions.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeChange<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its kind in NEW.
    pub kind: NodeKind,
    /// Its title in NEW.
    pub title: &'a str,
    /// The fields that differ, in the format's field order.
    pub changes: Vec<Change>,
}

/// Links added, removed and changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LinkChanges<'a> {
    /// Links only NEW has, in its order.
    pub added: Vec<&'a Link>,
    /// Links only OLD has, in its order.
    pub removed: Vec<&'a Link>,
    /// Links both have (the same `from`, `to` and `kind`) whose `lag_days` or `note` differ, in NEW's
    /// order.
    pub changed: Vec<LinkChange<'a>>,
}

/// A link in both versions with another lag or note: both versions of it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinkChange<'a> {
    /// The link in OLD.
    pub old: &'a Link,
    /// The link in NEW.
    pub new: &'a Link,
}

/// Findings that changed, each as the report has it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FindingChanges<'a> {
    /// Findings of NEW that count (not waived) and that OLD did not have counting, in NEW's report order.
    pub new: Vec<&'a Finding>,
    /// Findings of OLD that counted and that NEW has neither counting nor waived, in OLD's report order.
    pub resolved: Vec<&'a Finding>,
    /// Findings of OLD that counted and that NEW waives: NEW's finding, with its waiver.
    pub waived: Vec<&'a Finding>,
}

/// An objective's scores in each version.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ObjectiveChange<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its title (NEW's when it has one).
    pub title: &'a str,
    /// Its scores in OLD; `null` when OLD does not have it.
    pub old: Option<ObjectiveScores>,
    /// Its scores in NEW; `null` when NEW does not have it.
    pub new: Option<ObjectiveScores>,
    /// Whether anything of it differs (score, status, health, or it is on one side only).
    pub changed: bool,
}

/// An objective's scores in one version.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ObjectiveScores {
    /// OKR score 0.0-1.0, when it can be computed.
    pub score: Option<f64>,
    /// On track, at risk, off track or unknown.
    pub status: Health,
    /// Health 0-100 of the objective and everything under it.
    pub health: f64,
}

impl Diff<'_> {
    /// Whether the change fails at `threshold` (`--fail-on new-error|new-warning`): a new finding at or
    /// above it, or a rule plugin or custom rule that failed in either version.
    pub fn fails_at(&self, threshold: Severity) -> bool {
        !self.plugin_errors.is_empty() || self.findings.new.iter().any(|f| f.severity >= threshold && f.counts())
    }

    /// Whether the two versions are the same as far as a diff can tell: no document, node, link or
    /// finding changes and the same scores.
    pub fn is_empty(&self) -> bool {
        self.document.is_empty()
            && self.nodes.added.is_empty()
            && self.nodes.removed.is_empty()
            && self.nodes.changed.is_empty()
            && self.links.added.is_empty()
            && self.links.removed.is_empty()
            && self.links.changed.is_empty()
            && self.findings.new.is_empty()
            && self.findings.resolved.is_empty()
            && self.findings.waived.is_empty()
            && self.health.delta == 0.0
            && self.objectives.iter().all(|o| !o.changed)
    }
}

/// Compares two checked versions of a tree: `old` and `new`, each with its report.
pub fn diff<'a>(old: (&'a Tree, &'a Report), new: (&'a Tree, &'a Report)) -> Diff<'a> {
    let (old_tree, old_report) = old;
    let (new_tree, new_report) = new;
    let mut plugin_errors: Vec<&PluginFailure> = new_report.plugin_errors.iter().collect();
    // Both versions ran the same plugins: a failure to load is in both reports, shown once. There are
    // as many failures as plugins and custom rules at most, so a scan is fine.
    for e in &old_report.plugin_errors {
        if !plugin_errors.contains(&e) {
            plugin_errors.push(e);
        }
    }
    Diff {
        document: document(old_tree.doc(), new_tree.doc()),
        nodes: nodes(old_tree, new_tree),
        links: links(&old_tree.doc().links, &new_tree.doc().links),
        findings: findings(&old_report.findings, &new_report.findings),
        health: Scores {
            old: old_report.scores.health,
            new: new_report.scores.health,
            delta: round1(new_report.scores.health - old_report.scores.health),
        },
        objectives: objectives(&old_report.scores.objectives, &new_report.scores.objectives),
        summary: Before { old: &old_report.summary, new: &new_report.summary },
        plugin_errors,
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn value(v: impl Serialize) -> Value {
    // The model's fields are strings, numbers, dates and enums: they always serialize.
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn change(field: &'static str, old: impl Serialize, new: impl Serialize) -> Change {
    Change { field, old: value(old), new: value(new), added: None, removed: None }
}

fn document(old: &TreeDoc, new: &TreeDoc) -> Vec<Change> {
    let mut out = Vec::new();
    if old.organisation != new.organisation {
        out.push(change("organisation", &old.organisation, &new.organisation));
    }
    if old.as_of != new.as_of {
        out.push(change("as_of", old.as_of, new.as_of));
    }
    if old.description != new.description {
        out.push(change("description", &old.description, &new.description));
    }
    out
}

fn node_ref(n: &Node) -> NodeRef<'_> {
    NodeRef { id: &n.id, kind: n.kind, title: &n.title }
}

fn nodes<'a>(old: &'a Tree, new: &'a Tree) -> NodeChanges<'a> {
    let mut out = NodeChanges::default();
    for n in new.nodes() {
        match old.ix(&n.id) {
            None => out.added.push(node_ref(n)),
            Some(i) => {
                let changes = node_fields(old.node(i), n);
                if !changes.is_empty() {
                    out.changed.push(NodeChange { id: &n.id, kind: n.kind, title: &n.title, changes });
                }
            }
        }
    }
    out.removed = old.nodes().iter().filter(|n| new.ix(&n.id).is_none()).map(node_ref).collect();
    out
}

/// The fields of one node that differ, in the format's order.
fn node_fields(old: &Node, new: &Node) -> Vec<Change> {
    let mut out = Vec::new();
    macro_rules! plain {
        ($($field:ident),*) => {$(
            if old.$field != new.$field {
                out.push(change(stringify!($field), &old.$field, &new.$field));
            }
        )*};
    }
    plain!(kind, title, description, rationale, owner, department);
    if !same_set(&old.parents, &new.parents) {
        out.push(change("parents", &old.parents, &new.parents));
    }
    plain!(status, period, start, target, current, unit, confidence);
    if old.check_ins != new.check_ins {
        let key =
            |c: &crate::model::CheckIn| (c.date, c.value.to_bits(), c.confidence.map(f64::to_bits), c.note.clone());
        out.push(series("check_ins", &old.check_ins, &new.check_ins, key));
    }
    plain!(cadence_days, direction, indicator, thresholds);
    if old.measurements != new.measurements {
        out.push(series("measurements", &old.measurements, &new.measurements, |m| (m.date, m.value.to_bits())));
    }
    plain!(last_reviewed, used_in_appraisal, waivers);
    out
}

fn same_set(a: &[String], b: &[String]) -> bool {
    if a == b {
        return true;
    }
    // Parents are few (a node with thousands is an adversarial shape, still n log n).
    let mut a: Vec<&str> = a.iter().map(String::as_str).collect();
    let mut b: Vec<&str> = b.iter().map(String::as_str).collect();
    a.sort_unstable();
    a.dedup();
    b.sort_unstable();
    b.dedup();
    a == b
}

/// A series that differs: its lengths, and how many entries each side has that the other lacks
/// (as multisets, so the order of the entries does not matter).
fn series<T, K: Hash + Eq>(field: &'static str, old: &[T], new: &[T], key: impl Fn(&T) -> K) -> Change {
    let (added, removed) = unmatched(old.iter().map(&key), new.iter().map(&key));
    Change {
        field,
        old: Value::from(old.len()),
        new: Value::from(new.len()),
        added: Some(added.len()),
        removed: Some(removed.len()),
    }
}

/// Multiset difference: the positions of `new`'s items that `old` does not have, and of `old`'s that
/// `new` does not have, each in order (of equal items, the first ones match and the later ones are left).
fn unmatched<K: Hash + Eq>(old: impl Iterator<Item = K>, new: impl Iterator<Item = K>) -> (Vec<usize>, Vec<usize>) {
    let (old, new): (Vec<K>, Vec<K>) = (old.collect(), new.collect());
    (left_over(&old, &new), left_over(&new, &old))
}

/// The positions of `items` not matched by one of `others` each.
fn left_over<K: Hash + Eq>(others: &[K], items: &[K]) -> Vec<usize> {
    let mut count: HashMap<&K, usize> = HashMap::with_capacity(others.len());
    for k in others {
        *count.entry(k).or_default() += 1;
    }
    let mut out = Vec::new();
    for (i, k) in items.iter().enumerate() {
        match count.get_mut(k) {
            Some(n) if *n > 0 => *n -= 1,
            _ => out.push(i),
        }
    }
    out
}

fn links<'a>(old: &'a [Link], new: &'a [Link]) -> LinkChanges<'a> {
    type Key<'k> = (&'k str, &'k str, LinkKind, Option<u32>, Option<&'k str>);
    let key = |l: &'a Link| -> Key<'a> { (&l.from, &l.to, l.kind, l.lag_days, l.note.as_deref()) };
    let (added, removed) = unmatched(old.iter().map(key), new.iter().map(key));
    // An added and a removed link between the same nodes, of the same kind, are one link changed
    // (its lag or note), paired in order.
    let mut removed: Vec<Option<usize>> = removed.into_iter().map(Some).collect();
    let mut out = LinkChanges::default();
    for i in added {
        let n = &new[i];
        let same = |o: &Link| o.from == n.from && o.to == n.to && o.kind == n.kind;
        match removed.iter_mut().find(|r| r.is_some_and(|j| same(&old[j]))) {
            Some(r) => out.changed.push(LinkChange { old: &old[r.take().unwrap_or_default()], new: n }),
            None => out.added.push(n),
        }
    }
    out.removed = removed.into_iter().flatten().map(|j| &old[j]).collect();
    out
}

fn findings<'a>(old: &'a [Finding], new: &'a [Finding]) -> FindingChanges<'a> {
    let counting = |fs: &'a [Finding]| -> Vec<&'a Finding> { fs.iter().filter(|f| f.waived.is_none()).collect() };
    let (old_counting, new_counting) = (counting(old), counting(new));
    let fp = |f: &&'a Finding| f.fingerprint.as_str();
    let (added, removed) = unmatched(old_counting.iter().map(fp), new_counting.iter().map(fp));
    // NEW's waived findings by fingerprint, each matched once.
    let mut waived: HashMap<&str, Vec<&Finding>> = HashMap::new();
    for f in new.iter().filter(|f| f.waived.is_some()).rev() {
        waived.entry(f.fingerprint.as_str()).or_default().push(f);
    }
    let mut out =
        FindingChanges { new: added.into_iter().map(|i| new_counting[i]).collect(), ..FindingChanges::default() };
    for i in removed {
        let f = old_counting[i];
        match waived.get_mut(f.fingerprint.as_str()).and_then(Vec::pop) {
            Some(now) => out.waived.push(now),
            None => out.resolved.push(f),
        }
    }
    out
}

fn scores(n: &ScoredNode) -> ObjectiveScores {
    ObjectiveScores { score: n.score, status: n.status, health: n.health }
}

fn objectives<'a>(old: &'a [ScoredNode], new: &'a [ScoredNode]) -> Vec<ObjectiveChange<'a>> {
    let by_id: HashMap<&str, &ScoredNode> = old.iter().map(|o| (o.id.as_str(), o)).collect();
    let in_new: std::collections::HashSet<&str> = new.iter().map(|o| o.id.as_str()).collect();
    let mut out: Vec<ObjectiveChange<'a>> = new
        .iter()
        .map(|n| {
            let before = by_id.get(n.id.as_str()).map(|o| scores(o));
            let after = scores(n);
            ObjectiveChange {
                id: &n.id,
                title: &n.title,
                changed: before != Some(after),
                old: before,
                new: Some(after),
            }
        })
        .collect();
    out.extend(old.iter().filter(|o| !in_new.contains(o.id.as_str())).map(|o| ObjectiveChange {
        id: &o.id,
        title: &o.title,
        old: Some(scores(o)),
        new: None,
        changed: true,
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    const OLD: &str = r#"{"version": 1, "organisation": "Acme", "as_of": "2026-11-27", "nodes": [
      {"id": "s", "kind": "strategy", "title": "Grow", "owner": "ceo"},
      {"id": "o", "kind": "objective", "title": "Win", "owner": "sales", "parents": ["s"], "period": "2026-Q4"},
      {"id": "o2", "kind": "objective", "title": "Keep", "owner": "sales", "parents": ["s"], "period": "2026-Q4"},
      {"id": "kr", "kind": "key_result", "title": "Revenue", "owner": "Sales", "parents": ["o", "o2"],
       "start": 0, "target": 100, "current": 40},
      {"id": "k", "kind": "kpi", "title": "Leads", "owner": "Sales", "parents": ["kr"], "direction": "higher_is_better",
       "target": 10, "measurements": [{"date": "2026-09-01", "value": 1}, {"date": "2026-10-01", "value": 2}]},
      {"id": "gone", "kind": "kpi", "title": "Old KPI", "direction": "higher_is_better"}
    ]}"#;

    fn checked(text: &str) -> (Tree, Report) {
        let doc = crate::parse_json("t.json", text).expect("parses");
        let tree = Tree::new("t.json", doc).expect("valid");
        let report = crate::check(&tree, &crate::settings(&Config::default()).expect("defaults"));
        (tree, report)
    }

    fn edit(text: &str, f: impl FnOnce(&mut TreeDoc)) -> String {
        let mut doc = crate::parse_json("t.json", text).expect("parses");
        f(&mut doc);
        crate::to_json(&doc)
    }

    fn node<'d>(doc: &'d mut TreeDoc, id: &str) -> &'d mut Node {
        doc.nodes.iter_mut().find(|n| n.id == id).expect("the node")
    }

    #[test]
    fn the_same_tree_twice_is_no_change() {
        let (t, r) = checked(OLD);
        let d = diff((&t, &r), (&t, &r));
        assert!(d.is_empty(), "{d:#?}");
        assert_eq!(d.health.delta, 0.0);
        assert!(d.objectives.iter().all(|o| o.old == o.new));
    }

    #[test]
    fn nodes_added_removed_and_changed_field_by_field() {
        let new = edit(OLD, |doc| {
            node(doc, "kr").owner = Some("Ops".into());
            node(doc, "kr").target = Some(120.0);
            node(doc, "o2").status = crate::Status::Retired;
            node(doc, "k")
                .measurements
                .push(crate::Measurement { date: crate::Date::parse("2026-11-01").unwrap(), value: 3.0 });
            node(doc, "k").measurements[0].value = 1.5;
            doc.nodes.retain(|n| n.id != "gone");
            let mut added = Node::new("new-kpi", NodeKind::Kpi, "Fresh");
            added.parents = vec!["kr".into()];
            doc.nodes.push(added);
            doc.as_of = crate::Date::parse("2026-12-01").unwrap();
        });
        let (a, ra) = checked(OLD);
        let (b, rb) = checked(&new);
        let d = diff((&a, &ra), (&b, &rb));
        assert_eq!(d.nodes.added, vec![NodeRef { id: "new-kpi", kind: NodeKind::Kpi, title: "Fresh" }]);
        assert_eq!(d.nodes.removed, vec![NodeRef { id: "gone", kind: NodeKind::Kpi, title: "Old KPI" }]);
        let fields = |id: &str| -> Vec<serde_json::Value> {
            d.nodes
                .changed
                .iter()
                .find(|c| c.id == id)
                .map(|c| c.changes.iter().map(value).collect())
                .unwrap_or_default()
        };
        assert_eq!(
            fields("kr"),
            vec![
                serde_json::json!({"field": "owner", "old": "Sales", "new": "Ops"}),
                serde_json::json!({"field": "target", "old": 100.0, "new": 120.0}),
            ]
        );
        assert_eq!(fields("o2"), vec![serde_json::json!({"field": "status", "old": "active", "new": "retired"})]);
        // One value edited, one added: 2 entries then 3, two added and one removed.
        assert_eq!(
            fields("k"),
            vec![serde_json::json!({"field": "measurements", "old": 2, "new": 3, "added": 2, "removed": 1})]
        );
        assert_eq!(d.document, vec![change("as_of", a.doc().as_of, b.doc().as_of)]);
        // o2 is retired: its scores change, and they are reported on both sides.
        let o2 = d.objectives.iter().find(|o| o.id == "o2").expect("o2");
        assert!(o2.old.is_some() && o2.new.is_some());
    }

    #[test]
    fn reordering_parents_nodes_and_links_is_no_change() {
        let with_link = edit(OLD, |doc| {
            doc.links.push(Link {
                from: "k".into(),
                to: "kr".into(),
                kind: LinkKind::Drives,
                lag_days: None,
                note: None,
            })
        });
        let reordered = edit(&with_link, |doc| {
            node(doc, "kr").parents.reverse();
            doc.nodes.reverse();
        });
        let (a, ra) = checked(&with_link);
        let (b, rb) = checked(&reordered);
        let d = diff((&a, &ra), (&b, &rb));
        assert!(d.nodes.changed.is_empty(), "{:?}", d.nodes.changed);
        assert!(d.findings.new.is_empty() && d.findings.resolved.is_empty());
        // Real parent changes are reported, as the lists each side has.
        let moved = edit(&with_link, |doc| node(doc, "kr").parents = vec!["o".into()]);
        let (c, rc) = checked(&moved);
        let d = diff((&a, &ra), (&c, &rc));
        assert_eq!(
            value(&d.nodes.changed[0].changes[0]),
            serde_json::json!({"field": "parents", "old": ["o", "o2"], "new": ["o"]})
        );
        // Links: another lag is the same link changed, not one removed and one added.
        let relinked = edit(&with_link, |doc| doc.links[0].lag_days = Some(30));
        let (e, re) = checked(&relinked);
        let d = diff((&a, &ra), (&e, &re));
        assert!(d.links.removed.is_empty() && d.links.added.is_empty());
        assert_eq!(d.links.changed.len(), 1);
        assert_eq!((d.links.changed[0].old.lag_days, d.links.changed[0].new.lag_days), (None, Some(30)));
        assert!(!d.is_empty());
    }

    #[test]
    fn findings_are_matched_by_fingerprint_whatever_the_titles_and_order() {
        // Rewording every title and reversing the document keeps every finding.
        let reworded = edit(OLD, |doc| {
            for n in &mut doc.nodes {
                n.title = format!("{} (renamed)", n.title);
            }
            doc.nodes.reverse();
        });
        let (a, ra) = checked(OLD);
        let (b, rb) = checked(&reworded);
        assert!(!ra.findings.is_empty(), "the example has findings to match");
        let d = diff((&a, &ra), (&b, &rb));
        assert!(d.findings.new.is_empty() && d.findings.resolved.is_empty(), "{:#?}", d.findings);
        // The other way: removing `gone` resolves its findings, and a fresh orphan is new.
        let changed = edit(OLD, |doc| {
            doc.nodes.retain(|n| n.id != "gone");
            doc.nodes.push(Node {
                direction: Some(crate::Direction::HigherIsBetter),
                ..Node::new("stray", NodeKind::Kpi, "Stray")
            });
        });
        let (c, rc) = checked(&changed);
        let d = diff((&a, &ra), (&c, &rc));
        assert!(
            !d.findings.resolved.is_empty() && d.findings.resolved.iter().all(|f| f.nodes.contains(&"gone".to_owned()))
        );
        assert!(!d.findings.new.is_empty() && d.findings.new.iter().all(|f| f.nodes.contains(&"stray".to_owned())));
        assert!(d.fails_at(Severity::Info));
    }

    fn finding(rule: &str, node: &str) -> Finding {
        let mut f = Finding::new(rule.into(), Severity::Warning, vec![node.into()], "m".into(), "".into(), "".into());
        f.fingerprint = crate::finding::fingerprint(rule, &f.nodes, None);
        f
    }

    #[test]
    fn findings_are_a_multiset_and_waivers_are_told_apart() {
        let x = finding("r", "a");
        let y = finding("r", "b");
        let mut w = x.clone();
        w.waived = Some(crate::finding::Waived { reason: "known".into(), until: None, in_tree: false });
        let (xyx, yx, xx) = ([x.clone(), y.clone(), x.clone()], [y.clone(), x.clone()], [x.clone(), x.clone()]);
        let (just_x, just_w) = ([x.clone()], [w.clone()]);
        // Two of x before, one after: one resolved.
        let d = findings(&xyx, &yx);
        assert_eq!((d.new.len(), d.resolved.len()), (0, 1));
        // One before, two after: one new, the later one.
        let d = findings(&just_x, &xx);
        assert_eq!((d.new.len(), d.resolved.len()), (1, 0));
        assert!(std::ptr::eq(d.new[0], &xx[1]), "the unmatched one is the later one");
        // Waived in NEW: not resolved, but waived, carrying NEW's waiver.
        let d = findings(&just_x, &just_w);
        assert_eq!((d.new.len(), d.resolved.len(), d.waived.len()), (0, 0, 1));
        assert_eq!(d.waived[0].waived, w.waived);
        // Waived in OLD and counting in NEW (the waiver expired or went): new.
        let d = findings(&just_w, &just_x);
        assert_eq!((d.new.len(), d.resolved.len(), d.waived.len()), (1, 0, 0));
        // Waived on both sides: nothing.
        assert_eq!(findings(&just_w, &just_w), FindingChanges::default());
    }

    #[test]
    fn unmatched_gives_positions_in_order() {
        let (added, removed) = unmatched(["a", "b", "a", "c"].into_iter(), ["b", "a", "d", "a", "a"].into_iter());
        assert_eq!(added, vec![2, 4]);
        assert_eq!(removed, vec![3]);
        let (added, removed) = unmatched(["a", "a", "a"].into_iter(), ["a"].into_iter());
        assert_eq!((added, removed), (vec![], vec![1, 2]));
    }

    #[test]
    fn objectives_on_one_side_are_null_on_the_other() {
        let new = edit(OLD, |doc| {
            doc.nodes.retain(|n| n.id != "o2");
            node(doc, "kr").parents = vec!["o".into()];
            doc.nodes.push(Node {
                parents: vec!["s".into()],
                period: Some("2026-Q4".into()),
                ..Node::new("o3", NodeKind::Objective, "Third")
            });
        });
        let (a, ra) = checked(OLD);
        let (b, rb) = checked(&new);
        let d = diff((&a, &ra), (&b, &rb));
        let ids: Vec<(&str, bool, bool)> =
            d.objectives.iter().map(|o| (o.id, o.old.is_some(), o.new.is_some())).collect();
        assert_eq!(ids, vec![("o", true, true), ("o3", false, true), ("o2", true, false)]);
        let json = serde_json::to_value(&d).expect("serializes");
        assert_eq!(json["objectives"][1]["old"], serde_json::Value::Null);
        assert_eq!(json["objectives"][2]["new"], serde_json::Value::Null);
    }
}
