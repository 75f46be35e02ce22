//! `duplicate-metric`
//!
//! **What it does:** finds active KPIs that measure the same thing in different places of the tree.
//! Two KPIs match when
//! - their titles and units are the same once normalised: lower-cased, every character that is not a
//!   letter or digit read as a space, filler words dropped, a plural `s` dropped (`orders` = `order`),
//!   and the remaining words sorted, so "Monthly customer churn" matches "Customer churn (monthly)"
//!   and "Number of orders per day" matches "Orders, day"; in units `%`, `percent` and `pct` are the
//!   same, and currency and other symbols (`€`, `$`) count; or
//! - their measurement series are identical (same dates and values) with at least
//!   `min_series_points` points.
//!
//! The filler words are: a, an, and, at, by, count, for, from, in, nr, number, of, on, per, the, to,
//! with. Not dropped on purpose: `rate` (a churn rate is not a churn count), `no` (a no-show rate is
//! not a show rate), `total`, and time words (`monthly` is not `weekly`).
//!
//! Matches chain: if A matches B by name and B matches C by series, A, B and C are one finding. A KPI
//! is never matched directly with its own parent or child KPI (a breakdown, not a duplicate; both can
//! still land in one finding when a third KPI elsewhere matches them), and a group
//! whose KPIs all sit under exactly the same parents is not reported (same place, not different
//! places). The first node of a finding is the one to keep: the one that serves an active objective,
//! then the one with more measurements, then the first in the document; the others follow in
//! document order.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** "Monthly customer churn" (%) under the retention key result and "Customer churn,
//! monthly" (percent) under the support objective; two KPIs with different titles whose twelve
//! measurements are the same numbers on the same dates. Fixtures: `tests/rules/duplicate-metric/`.
//!
//! **Defaults:** `min_series_points` 3.

use super::{Context, Param, Rule, RuleMeta, Sink, plural};
use crate::finding::Severity;
use crate::lower::lowercase;
use crate::model::{Measurement, Node, NodeKind};
use crate::tree::{Ix, Tree};
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::hash_map::Entry;

mod keys;
use keys::*;

/// See the module documentation.
pub struct DuplicateMetric;

/// Option `min_series_points`.
const MIN_SERIES_POINTS: Param<i64> = Param::int(
    "min_series_points",
    3,
    2,
    10_000,
    "fewest measurements two identical series need before they count as the same metric",
);

static META: RuleMeta = RuleMeta {
    id: "duplicate-metric",
    severity: Severity::Warning,
    summary: "two or more KPIs that measure the same thing in different places of the tree",
    why: "The same metric in two places is reported, discussed and argued about twice, and the copies drift apart \
          (other owners, targets, definitions) until nobody knows which number is true. A lean tree keeps one KPI \
          and links it to every key result or objective it serves.",
    fix: "Keep one of the KPIs, attach it to every parent the others served (a KPI may have several parents), and \
          retire the others.",
    params: &[MIN_SERIES_POINTS.spec],
};

/// Why KPIs were matched.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reason {
    Name,
    Series,
}

/// KPIs found equal for one reason (before chaining), in document order.
struct Class {
    reason: Reason,
    members: Vec<Ix>,
}

impl Rule for DuplicateMetric {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let tree = cx.tree;
        let min_points = usize::try_from(cx.get(MIN_SERIES_POINTS)).unwrap_or(3).max(2);

        // Hash every active KPI's normalised name and (long enough) series; keep the repeated hashes.
        let mut by_name = Repeats::with_capacity(tree.len());
        let mut by_series = Repeats::with_capacity(tree.len());
        let mut norm = Normalizer::default();
        for i in tree.of_kind(NodeKind::Kpi) {
            let node = cx.node(i);
            if !node.is_active() {
                continue;
            }
            if let Some(h) = norm.hash(node) {
                by_name.add(h, i);
            }
            if node.measurements.len() >= min_points {
                by_series.add(series_hash(&node.measurements), i);
            }
        }
        let (by_name, by_series) = (by_name.sorted(), by_series.sorted());

        let mut classes: Vec<Class> = Vec::new();
        for run in by_name.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
            // Equal hashes: confirm with the normalised text itself (collisions are possible).
            let mut keyed: Vec<(Vec<u8>, Ix)> = run
                .iter()
                .map(|&(_, i)| {
                    norm.key(cx.node(i));
                    (norm.key.clone(), i)
                })
                .collect();
            crate::sort::sort(&mut keyed);
            for same in keyed.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
                classes.push(Class { reason: Reason::Name, members: same.iter().map(|&(_, i)| i).collect() });
            }
        }
        for run in by_series.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
            let mut rest: Vec<Ix> = run.iter().map(|&(_, i)| i).collect();
            while rest.len() > 1 {
                let first = sorted_series(&cx.node(rest[0]).measurements);
                let (same, other): (Vec<Ix>, Vec<Ix>) =
                    rest.iter().partition(|&&i| same_series(&first, &sorted_series(&cx.node(i).measurements)));
                if same.len() > 1 {
                    classes.push(Class { reason: Reason::Series, members: same });
                }
                rest = other;
            }
        }
        if classes.is_empty() {
            return;
        }
        // Order by content, not by hash value.
        crate::sort::sort_by_key(&mut classes, |c| (c.reason, c.members.first().copied()));

        // Chain matches into groups, never joining a KPI with its own parent or child KPI.
        let mut uf = UnionFind::new(tree.len());
        for class in &mut classes {
            class.members = link_class(tree, &mut uf, &class.members);
        }
        let mut group_of = vec![u32::MAX; tree.len()];
        let mut groups: Vec<Vec<Ix>> = Vec::new();
        for i in tree.of_kind(NodeKind::Kpi) {
            if !uf.joined(i) {
                continue;
            }
            let root = uf.find(i) as usize;
            if group_of[root] == u32::MAX {
                group_of[root] = groups.len() as u32;
                groups.push(Vec::new());
            }
            groups[group_of[root] as usize].push(i);
        }
        let mut reasons: Vec<Vec<&Class>> = vec![Vec::new(); groups.len()];
        for class in classes.iter().filter(|c| c.members.len() > 1) {
            let g = group_of[uf.find(class.members[0]) as usize];
            if let Some(r) = reasons.get_mut(g as usize) {
                r.push(class);
            }
        }

        for (members, classes) in groups.iter().zip(&reasons) {
            if members.len() < 2 || same_parents(tree, members) {
                continue;
            }
            report_group(cx, out, members, classes);
        }
    }
}

fn report_group(cx: &Context<'_>, out: &mut Sink<'_>, members: &[Ix], classes: &[&Class]) {
    let serves = |i: Ix| cx.analysis.serves_active_objective.get(i as usize).copied().unwrap_or(false);
    // Best first: serves an active objective, then more measurements, then document order.
    let rank = |&i: &Ix| (std::cmp::Reverse(serves(i)), std::cmp::Reverse(cx.node(i).measurements.len()), i);
    let mut ordered: Vec<Ix> = members.to_vec();
    crate::sort::sort_by_key(&mut ordered, rank);
    let keep = ordered[0];
    crate::sort::sort(&mut ordered[1..]);

    let mut why: Vec<String> = Vec::new();
    let whole = |c: &Class| c.members.len() == members.len();
    let describe = |c: &Class| match c.reason {
        Reason::Name => "same name and unit".to_owned(),
        Reason::Series => {
            format!(
                "identical series of {}",
                plural(cx.node(c.members[0]).measurements.len(), "measurement", "measurements")
            )
        }
    };
    if classes.iter().all(|c| whole(c)) {
        let mut kinds: Vec<String> = Vec::new();
        for c in classes {
            let d = describe(c);
            if !kinds.contains(&d) {
                kinds.push(d);
            }
        }
        why.push(kinds.join(", and "));
    } else {
        for c in classes {
            let ids: Vec<&str> = c.members.iter().map(|&i| cx.node(i).id.as_str()).collect();
            why.push(format!("{}: {}", describe(c), ids.join(", ")));
        }
    }

    let listed: Vec<String> =
        ordered.iter().map(|&i| format!("{} {}", cx.node(i).display(), place(cx.tree, i))).collect();
    let message = format!(
        "{} active KPIs measure the same thing in different places ({}): {}",
        members.len(),
        why.join("; "),
        listed.join("; ")
    );

    let k = cx.node(keep);
    let fix = format!(
        "Keep {}: {}. Attach it to every parent the others served (a KPI may have several parents), then retire {}.",
        k.display(),
        keep_reason(cx, keep, members),
        join_and(&ordered[1..].iter().map(|&i| cx.node(i).display()).collect::<Vec<_>>())
    );

    let mut evidence = Map::new();
    evidence.insert("keep".into(), Value::String(k.id.clone()));
    let mut matched: Vec<&str> = classes
        .iter()
        .map(|c| match c.reason {
            Reason::Name => "name_and_unit",
            Reason::Series => "series",
        })
        .collect();
    matched.dedup();
    evidence.insert("matched_by".into(), matched.into_iter().map(|s| Value::String(s.to_owned())).collect());
    out.report_full(&ordered, message, Some(fix), Some(evidence), None);
}

/// Why `keep` ranks first: each criterion that set it apart, down to the one that decided.
fn keep_reason(cx: &Context<'_>, keep: Ix, members: &[Ix]) -> String {
    let serves = |i: Ix| cx.analysis.serves_active_objective.get(i as usize).copied().unwrap_or(false);
    let len = |i: Ix| cx.node(i).measurements.len();
    let mut parts: Vec<String> = Vec::new();
    let mut tied: Vec<Ix> = members.to_vec();
    if tied.iter().any(|&i| serves(i) != serves(keep)) {
        parts.push("it serves an active objective".to_owned());
        tied.retain(|&i| serves(i) == serves(keep));
    }
    if tied.iter().any(|&i| len(i) != len(keep)) {
        parts.push(format!("has the most measurements ({})", len(keep)));
        tied.retain(|&i| len(i) == len(keep));
    }
    if tied.len() > 1 {
        parts
            .push(if parts.is_empty() { "comes first in the tree" } else { "comes first of the tied ones" }.to_owned());
    }
    let mut text = join_and(&parts);
    if !text.starts_with("it ") {
        text.insert_str(0, "it ");
    }
    text
}

/// "under key result "A" (a) and objective "B" (b)", or "with no parent".
fn place(tree: &Tree, i: Ix) -> String {
    let parents: Vec<String> = tree.parents(i).iter().map(|&p| tree.node(p).display()).collect();
    if parents.is_empty() { "with no parent".to_owned() } else { format!("under {}", join_and(&parents)) }
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// True when every KPI of the group has the same set of parents.
fn same_parents(tree: &Tree, members: &[Ix]) -> bool {
    let set = |i: Ix| {
        let mut v = tree.parents(i).to_vec();
        crate::sort::sort(&mut v);
        v
    };
    let first = members.first().map(|&i| set(i));
    members.iter().skip(1).all(|&i| Some(set(i)) == first)
}

/// A KPI directly above or below another.
fn related(tree: &Tree, a: Ix, b: Ix) -> bool {
    tree.parents(a).contains(&b) || tree.parents(b).contains(&a)
}

/// Joins the members of one class, skipping parent/child pairs, in linear time: each member joins
/// the first member, or when it is that one's parent or child, the first member unrelated to it.
/// Returns the members actually joined.
fn link_class(tree: &Tree, uf: &mut UnionFind, members: &[Ix]) -> Vec<Ix> {
    let Some(&first) = members.first() else { return Vec::new() };
    let second = members.iter().copied().find(|&m| m != first && !related(tree, first, m));
    let mut joined = Vec::with_capacity(members.len());
    for &m in members {
        let with = if m == first {
            None
        } else if !related(tree, m, first) {
            Some(first)
        } else {
            second.filter(|&s| s != m && !related(tree, m, s))
        };
        if let Some(w) = with {
            uf.union(m, w);
            joined.push(m);
        }
    }
    if !joined.is_empty() {
        joined.insert(0, first);
    }
    crate::sort::sort(&mut joined);
    joined
}
