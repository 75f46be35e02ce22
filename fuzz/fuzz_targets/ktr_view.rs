//! The `KTR1` tree reader a plugin runs on whatever a host sends: `TreeView::new` and
//! `split_request` on arbitrary bytes refuse with a `DecodeError` or give a view whose every
//! accessor is total and in range (node indexes below the node count, string references resolve),
//! restricted to any `reads` too.

#![no_main]

use kpitree_plugin_abi::{READ_NAMES, Reads, TreeView, split_request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match split_request(data) {
        Ok((view, _config)) => walk(&view),
        Err(e) => drop(e.to_string()),
    }
    match TreeView::new(data) {
        Ok(view) => {
            walk(&view);
            // A plugin's view of the part its manifest `reads` (chosen by the last byte).
            let k = usize::from(data.last().copied().unwrap_or(0)) % (READ_NAMES.len() + 1);
            let reads = match READ_NAMES.get(k) {
                Some(r) => Reads::from_names(&[r.name]).expect("a known name"),
                None => Reads::MINIMUM,
            };
            let part = view.restrict(reads);
            walk(&part);
            let _ = part.missing_read().map(|r| r.name);
        }
        Err(e) => drop(e.to_string()),
    }
});

fn walk(v: &TreeView<'_>) {
    let (n, m) = (v.node_count(), v.link_count());
    let _ = (v.as_of().to_string(), v.organisation(), v.reads().names().count());
    for k in 0..v.string_count() {
        assert!(v.string(k).is_some(), "string {k} of {} is missing", v.string_count());
    }
    let _ = v.string(v.string_count());
    let _ = v.string(u32::MAX);
    // Every node, and indexes past the end (accessors are total).
    for i in (0..n).chain([n, n.saturating_add(1), u32::MAX]) {
        let inside = i < n;
        let _ = (v.kind(i).as_str(), v.status(i).as_str(), v.used_in_appraisal(i));
        let _ = (v.direction(i).map(|d| d.sign()), v.indicator(i).map(|x| x.as_str()));
        let _ = (v.health(i).map(|h| h.label()), v.trend(i).map(|t| t.as_str()));
        let _ = (v.id(i), v.title(i), v.owner(i), v.department(i), v.rationale(i));
        let _ = (v.description(i), v.unit(i), v.period(i));
        let _ = (v.start(i), v.target(i), v.current(i), v.confidence(i), v.thresholds(i));
        let _ = (v.score(i), v.value(i), v.trend_per_30_days(i), v.cadence_days(i));
        let _ = v.last_reviewed(i).map(|d| d.to_string());
        for r in [v.owner_ref(i), v.department_ref(i)].into_iter().flatten() {
            assert!(!inside || v.string(r).is_some(), "node {i}: string reference {r} does not resolve");
        }
        let parents = v.parents(i);
        let (count, _) = parents.size_hint();
        assert_eq!(parents.clone().count(), count, "node {i}: parents' length");
        for p in parents.clone().chain(parents.rev()) {
            assert!(p < n, "node {i}: parent {p} of {n} nodes");
        }
        for c in v.children(i).chain(v.children(i).rev()) {
            assert!(c < n, "node {i}: child {c} of {n} nodes");
        }
        let mut last = None;
        for x in v.measurements(i) {
            assert!(last.is_none_or(|d| d <= x.date), "node {i}: measurements out of order");
            last = Some(x.date);
            let _ = (x.date.to_string(), x.value);
        }
        let _ = v.measurements(i).next_back();
        let mut last = None;
        for c in v.check_ins(i) {
            assert!(last.is_none_or(|d| d <= c.date), "node {i}: check-ins out of order");
            last = Some(c.date);
            let _ = (c.date.to_string(), c.value, c.confidence, c.note);
        }
        let _ = v.check_ins(i).next_back();
    }
    // Without the link sections there are no links to walk, whatever the header's count says
    // (crates/kpitree-plugin-abi/tests/links-absent-huge-count.ktr).
    if !v.reads().has("links") {
        assert!(v.link(0).is_none() && v.link(m.saturating_sub(1)).is_none(), "links read from absent sections");
        assert_eq!(v.links().count(), 0, "links from absent sections");
        return;
    }
    for k in (0..m).chain([m, u32::MAX]) {
        if let Some(l) = v.link(k) {
            assert!(l.from < n && l.to < n, "link {k}: {} -> {} of {n} nodes", l.from, l.to);
            let _ = (l.kind, l.lag_days, l.note);
        }
    }
    assert_eq!(v.links().count(), m as usize, "links");
}
