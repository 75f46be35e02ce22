//! `duplicate-metric`
//!
//! **What it does:** finds active KPIs that measure the same thing in different places of the tree.
//! Two KPIs match when
//! - their titles and units are the same once normalised: lower-cased, every character that is not a
//!   letter or digit read as a space, filler words dropped, a plural `s` dropped (`orders` = `order`),
//!   and the remaining words sorted, so "Monthly customer churn" matches "Customer churn (monthly)"
//!   and "Number of orders per day" matches "Orders, day"; in units `%`, `percent` and `pct` are the
//!   same, and currency and other symbols (`€`, `$`) count; and they do not belong to two different
//!   departments (`department` set on both, compared ignoring case and surrounding spaces); or
//! - their measurement series are identical (same dates and values) with at least
//!   `min_series_points` points and two different values; or
//! - their series agree on every date they share, with at least `min_overlap_points` shared dates
//!   (and never fewer than `min_series_points`) and at least two different values among them: one copy
//!   may start later or be sampled less often than the other.
//!
//! Two values agree when they are equal or differ by at most 1e-9 of the larger magnitude (what
//! rounding in an export leaves). On a date with several measurements, both KPIs must have as many and
//! they must agree pairwise in value order. A run of one repeated value (zero incidents every month)
//! agrees by coincidence too easily, hence the two different values, for identical series too.
//!
//! The same name in two departments is not enough: "Headcount" of Sales and "Headcount" of Finance are
//! one definition applied to two populations, and nothing is said about them unless their data are
//! close. Series that agree make them duplicates whatever the departments say. Series whose values stay
//! within 5% of each other on at least `min_overlap_points` shared dates without agreeing are one
//! quantity taken from two sources (a churn rate from the CRM and from billing): that is an `info`
//! finding that names no KPI to keep (`evidence.matched_by` `name_across_departments`, with the
//! `departments`, `overlap_points`, `max_relative_gap` and `from`-`to`), asking the departments to
//! agree on one definition; `prune` retires nothing for it. A KPI without a department matches a named
//! one only when the KPIs of that name all belong to one department (otherwise it would join two
//! departments' KPIs into one group).
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
//! document order. A finding found by overlapping series carries `evidence.overlaps`: for each pair,
//! its `kpis`, `overlap_points` (shared dates), `agreeing_points` and the date range `from`-`to`.
//!
//! **Cost:** names and identical series are hashed, linear in the tree. Overlaps come from an index
//! of (date, value) points, sorted by radix: a point shared by more than 8 KPIs says nothing about any
//! two of them (a round number on a month's last day) and is skipped, so each point yields at most 28
//! candidate pairs and the pairs are linear in the number of measurements. A pair is checked only when
//! it shares `min_overlap_points` indexed points, by merging the two series, within a budget of 16
//! steps per measurement (past it, further pairs are not checked). A value is indexed by its top 42
//! bits (cells of about 1e-9 of the value): two values that agree within the tolerance but fall on
//! either side of a cell boundary (a chance of about one in four million for values that differ only by
//! rounding) do not count towards making a pair a candidate; the check of a candidate counts them.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** "Monthly customer churn" (%) under the retention key result and "Customer churn,
//! monthly" (percent) under the support objective; two KPIs with different titles whose twelve
//! measurements are the same numbers on the same dates; a weekly KPI and a monthly copy of it whose
//! values agree on the month ends they share. Not: "Headcount" of Sales and of Finance with different
//! numbers. `info`: "Logo churn rate" of Customer Success and of Finance, 1.48% and 1.51%, 1.66% and
//! 1.69%... Fixtures: `tests/rules/duplicate-metric/`.
//!
//! **Defaults:** `min_series_points` 3, `min_overlap_points` 4.

use super::text::{eq_folded, fold_hash};
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
mod overlap;
use keys::*;
use overlap::{Overlap, overlaps};

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

/// Option `min_overlap_points`.
const MIN_OVERLAP_POINTS: Param<i64> = Param::int(
    "min_overlap_points",
    4,
    2,
    10_000,
    "fewest shared dates (at least `min_series_points`) on which two series must agree, and agree on every one, \
     before they count as the same metric",
);

static META: RuleMeta = RuleMeta {
    id: "duplicate-metric",
    severity: Severity::Warning,
    summary: crate::meta::described("two or more KPIs that measure the same thing in different places of the tree"),
    why: "The same metric in two places is reported, discussed and argued about twice, and the copies drift apart \
          (other owners, targets, definitions) until nobody knows which number is true. A lean tree keeps one KPI \
          and links it to every key result or objective it serves.",
    fix: "Keep one of the KPIs, attach it to every parent the others served (a KPI may have several parents), and \
          retire the others.",
    params: &[MIN_SERIES_POINTS.spec, MIN_OVERLAP_POINTS.spec],
};

/// Why KPIs were matched.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reason {
    Name,
    Series,
    Overlap,
}

/// KPIs found equal for one reason (before chaining), in document order.
struct Class {
    reason: Reason,
    members: Vec<Ix>,
    /// For [`Reason::Overlap`]: the pair's shared dates.
    overlap: Option<Overlap>,
}

/// A message or evidence lists at most this many of a group's matches.
const MATCHES_SHOWN: usize = 10;

impl Rule for DuplicateMetric {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let tree = cx.tree;
        let min_points = usize::try_from(cx.get(MIN_SERIES_POINTS)).unwrap_or(3).max(2);
        let min_overlap = usize::try_from(cx.get(MIN_OVERLAP_POINTS)).unwrap_or(4).max(min_points);

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
            // A series of one repeated value (no incidents, month after month) matches others by coincidence.
            let varied =
                node.measurements.split_first().is_some_and(|(f, rest)| rest.iter().any(|m| m.value != f.value));
            if node.measurements.len() >= min_points && varied {
                by_series.add(series_hash(&node.measurements), i);
            }
        }
        let (by_name, by_series) = (by_name.sorted(), by_series.sorted());

        let mut classes: Vec<Class> = Vec::new();
        // Names kept by two or more departments: each department's KPIs of that name.
        let mut crossed: Vec<Vec<Vec<Ix>>> = Vec::new();
        for run in by_name.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
            // Equal hashes: confirm with the normalised text itself (collisions are possible).
            let mut keyed: Vec<(Vec<u8>, Ix)> = Vec::with_capacity(run.len());
            for &(_, i) in run {
                norm.key(cx.node(i));
                keyed.push((norm.key.clone(), i));
            }
            crate::sort::sort(&mut keyed);
            for same in keyed.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
                let same = positions(same);
                let (matched, departments) = by_department(cx, same);
                for members in matched {
                    classes.push(Class { reason: Reason::Name, members, overlap: None });
                }
                if departments.len() > 1 {
                    crossed.push(departments);
                }
            }
        }
        for run in by_series.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
            let mut rest = positions(run);
            while rest.len() > 1 {
                let first = sorted_series(&cx.node(rest[0]).measurements);
                let (same, other) =
                    split(&rest, &mut |i| same_series(&first, &sorted_series(&cx.node(i).measurements)));
                if same.len() > 1 {
                    classes.push(Class { reason: Reason::Series, members: same, overlap: None });
                }
                rest = other;
            }
        }
        for o in overlaps(cx, min_overlap, min_points) {
            classes.push(Class { reason: Reason::Overlap, members: vec![o.a, o.b], overlap: Some(o) });
        }
        if classes.is_empty() {
            for departments in &crossed {
                report_departments(cx, out, departments, &[], min_overlap);
            }
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
        let mut reasons: Vec<Vec<&Class>> = Vec::new();
        reasons.resize_with(groups.len(), Vec::new);
        for class in classes.iter().filter(|c| c.members.len() > 1) {
            let g = group_of[uf.find(class.members[0]) as usize];
            if let Some(r) = reasons.get_mut(g as usize) {
                r.push(class);
            }
        }

        let mut duplicated = vec![false; tree.len()];
        for (members, classes) in groups.iter().zip(&reasons) {
            if members.len() < 2 || same_parents(tree, members) {
                continue;
            }
            report_group(cx, out, members, classes);
            for &m in members {
                duplicated[m as usize] = true;
            }
        }
        for departments in &crossed {
            report_departments(cx, out, departments, &duplicated, min_overlap);
        }
    }
}

/// One name kept by several departments whose numbers are close but not equal: the same quantity
/// taken twice, from two sources. Not a duplicate to retire (`info`, no KPI to keep): the departments
/// should agree on one definition. The first KPI with enough measurements (in document order) is
/// compared with each KPI of the other departments, within a budget of 16 merge steps per
/// measurement of the name's KPIs. KPIs already in a duplicate finding are left out.
fn report_departments(
    cx: &Context<'_>,
    out: &mut Sink<'_>,
    departments: &[Vec<Ix>],
    duplicated: &[bool],
    min_overlap: usize,
) {
    let free = |i: Ix| !duplicated.get(i as usize).copied().unwrap_or(false);
    let long = |i: Ix| cx.node(i).measurements.len() >= min_overlap;
    let mut first: Option<(usize, Ix)> = None;
    let mut points = 0usize;
    for (d, members) in departments.iter().enumerate() {
        for &i in members {
            points += cx.node(i).measurements.len();
            if free(i) && long(i) && first.is_none_or(|(_, r)| i < r) {
                first = Some((d, i));
            }
        }
    }
    let Some((home, reference)) = first else {
        return;
    };
    let mut budget = points.saturating_mul(16).saturating_add(4096);
    let ref_series = sorted_series(&cx.node(reference).measurements);
    let mut close: Vec<(Ix, overlap::Near)> = Vec::new();
    for (d, members) in departments.iter().enumerate() {
        if d == home {
            continue;
        }
        for &m in members.iter().filter(|&&m| free(m) && long(m)) {
            let series = sorted_series(&cx.node(m).measurements);
            let Some(rest) = budget.checked_sub(ref_series.len() + series.len()) else { break };
            budget = rest;
            if let Some(n) = overlap::near(&ref_series, &series, min_overlap) {
                close.push((m, n));
            }
        }
    }
    if close.is_empty() {
        return;
    }
    let department = |i: Ix| cx.node(i).department.as_deref().map(str::trim).unwrap_or_default();
    let mut names: Vec<String> = vec![department(reference).to_owned()];
    let mut nodes = vec![reference];
    let (mut shared, mut gap, mut from, mut to) = (usize::MAX, 0.0f64, cx.as_of, cx.as_of);
    for (k, (m, n)) in close.iter().enumerate() {
        let d = department(*m);
        if !names.iter().any(|name| name == d) {
            names.push(d.to_owned());
        }
        nodes.push(*m);
        shared = shared.min(n.shared);
        gap = gap.max(n.gap);
        (from, to) = if k == 0 { (n.from, n.to) } else { (from.min(n.from), to.max(n.to)) };
    }
    let mut listed: Vec<String> = Vec::new();
    for &i in nodes.iter().take(MATCHES_SHOWN + 1) {
        listed.push(format!("{} of {} {}", cx.node(i).display(), department(i), place(cx.tree, i)));
    }
    let title = &cx.node(reference).title;
    let mut message = format!(
        "\"{title}\" is kept by {} departments whose numbers are close but not equal: {}",
        names.len(),
        listed.join("; ")
    );
    if nodes.len() > MATCHES_SHOWN + 1 {
        message.push_str(&format!("; and {} more", nodes.len() - MATCHES_SHOWN - 1));
    }
    message.push_str(&format!(
        "; on {} shared dates ({from} to {to}) they differ by up to {}",
        if close.len() == 1 { shared.to_string() } else { format!("at least {shared}") },
        super::quantity((gap * 1000.0).round() / 10.0, Some("%"))
    ));
    let fix = format!(
        "Agree across {} on one definition and one source for \"{title}\": if it is one number, keep one KPI and \
         attach it to every place that uses it; if each department counts its own population, say so in the titles.",
        join_and(&names)
    );
    let mut evidence = Map::new();
    evidence.insert("matched_by".into(), super::str_array(&["name_across_departments"]));
    evidence.insert("departments".into(), super::str_array(&names.iter().map(String::as_str).collect::<Vec<_>>()));
    evidence.insert("overlap_points".into(), Value::from(shared));
    evidence.insert("max_relative_gap".into(), Value::from((gap * 10_000.0).round() / 10_000.0));
    evidence.insert("from".into(), Value::String(from.to_string()));
    evidence.insert("to".into(), Value::String(to.to_string()));
    out.report_full(&nodes, message, Some(fix), Some(evidence), Some(Severity::Info));
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
    let describe = |c: &Class| match (c.reason, &c.overlap) {
        (Reason::Overlap, Some(o)) => {
            format!("series that agree on all {} they share, {} to {}", plural(o.shared, "date", "dates"), o.from, o.to)
        }
        (Reason::Name, _) => "same name and unit".to_owned(),
        _ => {
            let len = c.members.first().map_or(0, |&i| cx.node(i).measurements.len());
            format!("identical series of {}", plural(len, "measurement", "measurements"))
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
        // Pairs of overlapping series can be many: the message names the first few.
        for c in classes.iter().take(MATCHES_SHOWN) {
            let mut line = describe(c);
            for (k, &i) in c.members.iter().enumerate() {
                line.push_str(if k == 0 { ": " } else { ", " });
                line.push_str(&cx.node(i).id);
            }
            why.push(line);
        }
        if classes.len() > MATCHES_SHOWN {
            why.push(format!("and {} more", plural(classes.len() - MATCHES_SHOWN, "match", "matches")));
        }
    }

    let mut listed: Vec<String> = Vec::with_capacity(ordered.len());
    for &i in &ordered {
        listed.push(format!("{} {}", cx.node(i).display(), place(cx.tree, i)));
    }
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
        join_and(&super::displays(cx.tree, &ordered[1..]))
    );

    let mut evidence = Map::new();
    evidence.insert("keep".into(), Value::String(k.id.clone()));
    let mut matched: Vec<&str> = Vec::new();
    for c in classes {
        let m = match c.reason {
            Reason::Name => "name_and_unit",
            Reason::Series => "series",
            Reason::Overlap => "series_overlap",
        };
        if matched.last() != Some(&m) {
            matched.push(m);
        }
    }
    evidence.insert("matched_by".into(), super::str_array(&matched));
    let mut overlaps: Vec<Value> = Vec::new();
    for o in classes.iter().filter_map(|c| c.overlap.as_ref()).take(MATCHES_SHOWN) {
        overlaps.push({
            let mut m = Map::new();
            m.insert("kpis".into(), super::str_array(&[cx.node(o.a).id.as_str(), cx.node(o.b).id.as_str()]));
            m.insert("overlap_points".into(), Value::from(o.shared));
            m.insert("agreeing_points".into(), Value::from(o.agreeing));
            m.insert("from".into(), Value::String(o.from.to_string()));
            m.insert("to".into(), Value::String(o.to.to_string()));
            Value::Object(m)
        });
    }
    if !overlaps.is_empty() {
        evidence.insert("overlaps".into(), Value::Array(overlaps));
    }
    out.report_full(&ordered, message, Some(fix), Some(evidence), None);
}

/// Splits KPIs of one name by department: two KPIs whose departments are both set and differ are
/// not the same metric by name. KPIs without a department join the named ones when those all belong
/// to one department, else they form their own class. Returns the classes of two or more, members in
/// document order, and the KPIs of each named department (when there are two or more).
fn by_department(cx: &Context<'_>, members: Vec<Ix>) -> (Vec<Vec<Ix>>, Vec<Vec<Ix>>) {
    let dept = |i: Ix| cx.node(i).department.as_deref().map(str::trim).filter(|d| !d.is_empty());
    // (hash of the folded department, position); no department sorts first.
    let mut keyed: Vec<(Option<u64>, Ix)> = Vec::with_capacity(members.len());
    for &i in &members {
        keyed.push((dept(i).map(fold_hash), i));
    }
    crate::sort::sort(&mut keyed);
    let (none, named) = keyed.split_at(keyed.partition_point(|(h, _)| h.is_none()));
    let mut departments: Vec<Vec<Ix>> = Vec::new();
    for run in named.chunk_by(|a, b| a.0 == b.0) {
        // Equal hashes: confirm with the text (collisions are possible).
        let mut rest = positions(run);
        while let Some(&first) = rest.first() {
            let (same, other) = split(&rest, &mut |i| {
                let (a, b) = (dept(first).unwrap_or_default(), dept(i).unwrap_or_default());
                eq_folded(a, b)
            });
            departments.push(same);
            rest = other;
        }
    }
    for d in &mut departments {
        crate::sort::sort(d);
    }
    let none = positions(none);
    let mut out: Vec<Vec<Ix>> = Vec::new();
    let mut add = |mut c: Vec<Ix>| {
        if c.len() > 1 {
            crate::sort::sort(&mut c);
            out.push(c);
        }
    };
    match departments.len() {
        0 => add(none),
        1 => {
            let mut all = departments.swap_remove(0);
            all.extend(none);
            add(all);
        }
        _ => {
            for d in &departments {
                add(d.clone());
            }
            add(none);
        }
    }
    (out, departments)
}

/// The positions of `(key, position)` pairs, in order.
fn positions<K>(keyed: &[(K, Ix)]) -> Vec<Ix> {
    let mut out = Vec::with_capacity(keyed.len());
    for (_, i) in keyed {
        out.push(*i);
    }
    out
}

/// `nodes` split into those `test` accepts and the others, each in order (like `Iterator::partition`,
/// compiled once).
fn split(nodes: &[Ix], test: &mut dyn FnMut(Ix) -> bool) -> (Vec<Ix>, Vec<Ix>) {
    let (mut yes, mut no) = (Vec::new(), Vec::new());
    for &i in nodes {
        if test(i) { yes.push(i) } else { no.push(i) }
    }
    (yes, no)
}

/// Why `keep` ranks first: each criterion that set it apart, down to the one that decided.
fn keep_reason(cx: &Context<'_>, keep: Ix, members: &[Ix]) -> String {
    let serves = |i: Ix| cx.analysis.serves_active_objective.get(i as usize).copied().unwrap_or(false);
    let len = |i: Ix| cx.node(i).measurements.len();
    let mut parts: Vec<String> = Vec::new();
    let mut tied: Vec<Ix> = members.to_vec();
    if tied.iter().any(|&i| serves(i) != serves(keep)) {
        parts.push("it serves an active objective".to_owned());
        tied = split(&tied, &mut |i| serves(i) == serves(keep)).0;
    }
    if tied.iter().any(|&i| len(i) != len(keep)) {
        parts.push(format!("has the most measurements ({})", len(keep)));
        tied = split(&tied, &mut |i| len(i) == len(keep)).0;
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
    let parents = super::displays(tree, tree.parents(i));
    if parents.is_empty() { "with no parent".to_owned() } else { format!("under {}", join_and(&parents)) }
}

use super::and_list as join_and;

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
