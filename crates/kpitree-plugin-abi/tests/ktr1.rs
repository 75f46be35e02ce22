//! `KTR1` round trips and hostile buffers: every field the view exposes equals the document and the
//! engine's rollups on the example trees, and malformed buffers give errors, never panics.

use kpitree_core::model::{Direction as CoreDirection, Indicator as CoreIndicator, TreeDoc};
use kpitree_core::rollup::{Health as CoreHealth, Rollup, TrendDirection};
use kpitree_core::tree::Tree;
use kpitree_plugin_abi::{
    DecodeError, Direction, Health, Indicator, NodeKind, Status, TreeView, Trend, encode_request, encode_tree,
    split_request,
};
use std::collections::HashSet;
use std::path::PathBuf;

fn examples() -> Vec<(String, TreeDoc)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut out = Vec::new();
    for name in ["software-company.json", "hospital.json", "municipality.json"] {
        let text = std::fs::read_to_string(dir.join(name)).expect("example exists");
        let doc = kpitree_core::load_json(name, &text).expect("valid").into_doc();
        out.push((name.to_owned(), doc));
    }
    out.push(("fixture.json".to_owned(), small_doc()));
    out
}

/// A small tree that has every field, unsorted series, ties, blank owners and odd strings.
fn small_doc() -> TreeDoc {
    kpitree_core::parse_json(
        "fixture.json",
        r#"{
  "version": 1, "organisation": "Ünïcode & Co \"quoted\"", "as_of": "2026-11-27",
  "nodes": [
    { "id": "s", "kind": "strategy", "title": "Grow", "owner": "  CEO  " },
    { "id": "o", "kind": "objective", "title": "Win", "owner": "Sales", "department": "Sales", "parents": ["s"],
      "period": "2026-Q4", "used_in_appraisal": true, "description": "d", "rationale": "r" },
    { "id": "kr", "kind": "key_result", "title": "Deals", "owner": "   ", "parents": ["o"], "start": 0, "target": 10,
      "current": 4, "unit": "deals", "confidence": 0.5, "cadence_days": 7,
      "check_ins": [
        { "date": "2026-11-20", "value": 6, "confidence": 0.6, "note": "later" },
        { "date": "2026-10-01", "value": 2 },
        { "date": "2026-11-20", "value": 7, "note": "tie, second" } ] },
    { "id": "k", "kind": "kpi", "title": "Win rate", "owner": "Sales", "parents": ["kr", "o"], "unit": "%",
      "direction": "lower_is_better", "indicator": "leading", "target": 20, "status": "draft",
      "thresholds": { "at_risk": 25, "off_track": 30 }, "last_reviewed": "2025-01-01",
      "measurements": [ { "date": "2026-03-01", "value": 30 }, { "date": "2026-01-01", "value": 28 },
                        { "date": "2026-02-01", "value": 29 }, { "date": "2026-02-01", "value": 27 } ] },
    { "id": "k2", "kind": "kpi", "title": "Σ lagging", "parents": ["k"], "indicator": "lagging",
      "direction": "higher_is_better", "status": "retired" }
  ],
  "links": [ { "from": "k", "to": "k2", "kind": "drives", "lag_days": 14, "note": "hypothesis" },
             { "from": "k2", "to": "kr", "kind": "drives" } ]
}"#,
    )
    .expect("fixture parses")
}

fn opt_eq(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x.to_bits() == y.to_bits(),
        (None, None) => true,
        _ => false,
    }
}

fn health(h: Option<CoreHealth>) -> Option<Health> {
    h.map(|h| match h {
        CoreHealth::OnTrack => Health::OnTrack,
        CoreHealth::AtRisk => Health::AtRisk,
        CoreHealth::OffTrack => Health::OffTrack,
        CoreHealth::Unknown => Health::Unknown,
    })
}

#[test]
fn round_trip_every_field_on_the_examples() {
    for (name, doc) in examples() {
        let tree = Tree::new(&name, doc.clone()).expect("valid");
        let rollup = Rollup::new(&tree);
        let config = br#"{"teams":["Sales"]}"#;
        let request = encode_request(&tree, &rollup, config);
        let (view, cfg) = split_request(&request).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(cfg, config);
        assert_eq!(view.node_count() as usize, doc.nodes.len(), "{name}");
        assert_eq!(view.link_count() as usize, doc.links.len(), "{name}");
        assert_eq!(view.as_of().days(), doc.as_of.days());
        assert_eq!(view.as_of().to_string(), doc.as_of.to_string());
        assert_eq!(view.organisation(), doc.organisation);
        for (i, node) in doc.nodes.iter().enumerate() {
            let ix = i as u32;
            let r = rollup.get(ix);
            let at = format!("{name} node {}", node.id);
            assert_eq!(view.kind(ix).as_str(), node.kind.as_str(), "{at}");
            assert_eq!(view.status(ix).as_str(), node.status.as_str(), "{at}");
            assert_eq!(view.id(ix), node.id, "{at}");
            assert_eq!(view.title(ix), node.title, "{at}");
            assert_eq!(view.owner(ix), node.owner(), "{at}");
            assert_eq!(view.department(ix), node.department.as_deref(), "{at}");
            assert_eq!(view.rationale(ix), node.rationale.as_deref(), "{at}");
            assert_eq!(view.description(ix), node.description.as_deref(), "{at}");
            assert_eq!(view.unit(ix), node.unit.as_deref(), "{at}");
            assert_eq!(view.period(ix), node.period.as_deref(), "{at}");
            assert!(opt_eq(view.start(ix), node.start), "{at}");
            assert!(opt_eq(view.target(ix), node.target), "{at}");
            assert!(opt_eq(view.current(ix), node.current), "{at}");
            assert!(opt_eq(view.confidence(ix), node.confidence), "{at}");
            assert_eq!(view.thresholds(ix), node.thresholds.map(|t| (t.at_risk, t.off_track)), "{at}");
            assert!(opt_eq(view.score(ix), r.score), "{at}");
            assert!(opt_eq(view.value(ix), r.value), "{at}");
            assert_eq!(view.health(ix), health(r.status), "{at}");
            let trend = r.trend.map(|t| match t.direction {
                TrendDirection::Improving => Trend::Improving,
                TrendDirection::Worsening => Trend::Worsening,
                TrendDirection::Flat => Trend::Flat,
            });
            assert_eq!(view.trend(ix), trend, "{at}");
            assert!(opt_eq(view.trend_per_30_days(ix), r.trend.map(|t| t.per_30_days)), "{at}");
            assert_eq!(view.last_reviewed(ix).map(|d| d.days()), node.last_reviewed.map(|d| d.days()), "{at}");
            assert_eq!(view.cadence_days(ix), node.cadence_days, "{at}");
            assert_eq!(view.used_in_appraisal(ix), node.used_in_appraisal, "{at}");
            let dir = node.direction.map(|d| match d {
                CoreDirection::HigherIsBetter => Direction::HigherIsBetter,
                CoreDirection::LowerIsBetter => Direction::LowerIsBetter,
            });
            assert_eq!(view.direction(ix), dir, "{at}");
            let ind = node.indicator.map(|d| match d {
                CoreIndicator::Leading => Indicator::Leading,
                CoreIndicator::Lagging => Indicator::Lagging,
            });
            assert_eq!(view.indicator(ix), ind, "{at}");
            assert_eq!(view.parents(ix).collect::<Vec<_>>(), tree.parents(ix), "{at}");
            assert_eq!(view.children(ix).collect::<Vec<_>>(), tree.children(ix), "{at}");
            assert_eq!(view.parents(ix).len(), tree.parents(ix).len(), "{at}");
            let mut series = node.measurements.clone();
            series.sort_by_key(|m| m.date);
            let got: Vec<(i32, u64)> = view.measurements(ix).map(|m| (m.date.days(), m.value.to_bits())).collect();
            let want: Vec<(i32, u64)> = series.iter().map(|m| (m.date.days(), m.value.to_bits())).collect();
            assert_eq!(got, want, "{at}");
            assert_eq!(view.measurements(ix).rev().count(), series.len(), "{at}");
            let mut checks = node.check_ins.clone();
            checks.sort_by_key(|c| c.date);
            let got: Vec<_> = view
                .check_ins(ix)
                .map(|c| (c.date.days(), c.value.to_bits(), c.confidence.map(f64::to_bits), c.note.map(str::to_owned)))
                .collect();
            let want: Vec<_> = checks
                .iter()
                .map(|c| (c.date.days(), c.value.to_bits(), c.confidence.map(f64::to_bits), c.note.clone()))
                .collect();
            assert_eq!(got, want, "{at}");
            // The latest check-in is the one the engine's score uses.
            if let Some(last) = view.check_ins(ix).next_back() {
                assert!(opt_eq(Some(last.value), r.value), "{at}");
            }
        }
        let links: Vec<_> = view.links().collect();
        for ((link, from, to), got) in tree.links().zip(&links) {
            assert_eq!((got.from, got.to), (from, to), "{name}");
            assert_eq!(got.lag_days, link.lag_days, "{name}");
            assert_eq!(got.note, link.note.as_deref(), "{name}");
        }
        assert_eq!(links.len(), doc.links.len());
        // Equal references exactly for equal strings.
        let distinct: HashSet<&str> = (0..view.string_count()).filter_map(|k| view.string(k)).collect();
        assert_eq!(distinct.len(), view.string_count() as usize, "{name}: a string is stored twice");
        for (i, node) in doc.nodes.iter().enumerate() {
            for (j, other) in doc.nodes.iter().enumerate().take(i) {
                let same = node.owner().is_some() && node.owner() == other.owner();
                assert_eq!(
                    same,
                    view.owner_ref(i as u32).is_some() && view.owner_ref(i as u32) == view.owner_ref(j as u32)
                );
            }
        }
        // An index past the end reads as empty, without panicking.
        let past = view.node_count();
        assert_eq!((view.id(past), view.owner(past), view.parents(past).count()), ("", None, 0));
        assert_eq!(view.measurements(u32::MAX).count() + view.check_ins(u32::MAX).count(), 0);
        assert!(view.link(view.link_count()).is_none());
    }
}

#[test]
fn the_small_fixture_reads_as_written() {
    let doc = small_doc();
    let tree = Tree::new("f", doc.clone()).expect("valid");
    let bytes = encode_tree(&tree, &Rollup::new(&tree));
    let v = TreeView::new(&bytes).expect("decodes");
    assert_eq!(v.owner(0), Some("CEO"), "owners are trimmed, as the engine reads them");
    assert_eq!(v.owner(2), None, "a blank owner is no owner");
    assert_eq!(v.kind(2), NodeKind::KeyResult);
    assert_eq!(v.status(4), Status::Retired);
    let notes: Vec<_> = v.check_ins(2).map(|c| (c.date.to_string(), c.value, c.note)).collect();
    assert_eq!(
        notes,
        [
            ("2026-10-01".to_owned(), 2.0, None),
            ("2026-11-20".to_owned(), 6.0, Some("later")),
            ("2026-11-20".to_owned(), 7.0, Some("tie, second"))
        ]
    );
    let series: Vec<f64> = v.measurements(3).map(|m| m.value).collect();
    assert_eq!(series, [28.0, 29.0, 27.0, 30.0], "sorted by date, ties in document order");
    assert_eq!(v.link(1).map(|l| (l.from, l.to, l.lag_days, l.note)), Some((4, 2, None, None)));
}

fn encoded_small() -> Vec<u8> {
    let doc = small_doc();
    let tree = Tree::new("f", doc.clone()).expect("valid");
    encode_request(&tree, &Rollup::new(&tree), b"{}")
}

/// Reads everything a view exposes (to make sure no accessor panics on a view that decoded).
fn touch_everything(v: &TreeView<'_>) -> usize {
    let mut acc = v.organisation().len() + v.as_of().to_string().len();
    for i in 0..v.node_count() + 2 {
        acc += v.id(i).len() + v.title(i).len() + v.owner(i).map_or(0, str::len);
        acc += [v.department(i), v.rationale(i), v.description(i), v.unit(i), v.period(i)]
            .iter()
            .map(|s| s.map_or(0, str::len))
            .sum::<usize>();
        acc += [v.start(i), v.target(i), v.current(i), v.confidence(i), v.score(i), v.value(i), v.trend_per_30_days(i)]
            .iter()
            .filter(|x| x.is_some())
            .count();
        acc += format!(
            "{:?}{:?}{:?}{:?}{:?}{:?}",
            v.kind(i),
            v.status(i),
            v.direction(i),
            v.indicator(i),
            v.health(i),
            v.trend(i)
        )
        .len();
        acc += v.thresholds(i).is_some() as usize + v.used_in_appraisal(i) as usize;
        acc += v.last_reviewed(i).map_or(0, |d| d.to_string().len()) + v.cadence_days(i).unwrap_or(0) as usize;
        acc += v.parents(i).count() + v.children(i).rev().count();
        acc += v.measurements(i).map(|m| m.date.to_string().len()).sum::<usize>();
        acc += v.check_ins(i).map(|c| c.note.map_or(0, str::len)).sum::<usize>();
    }
    acc + v.links().map(|l| l.note.map_or(0, str::len) + l.from as usize).sum::<usize>()
}

#[test]
fn truncation_at_every_offset_is_an_error() {
    for (name, doc) in examples() {
        let tree = Tree::new(&name, doc.clone()).expect("valid");
        let request = encode_request(&tree, &Rollup::new(&tree), b"{}");
        for cut in 0..request.len() {
            assert!(split_request(&request[..cut]).is_err(), "{name}: request cut at {cut} decoded");
        }
        let tree_bytes = encode_tree(&tree, &Rollup::new(&tree));
        for cut in 0..tree_bytes.len() {
            assert!(TreeView::new(&tree_bytes[..cut]).is_err(), "{name}: tree cut at {cut} decoded");
        }
        assert!(TreeView::new(&tree_bytes).is_ok());
    }
}

#[test]
fn corrupted_bytes_never_panic() {
    let request = encoded_small();
    let tree = &request[8..request.len() - 2];
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let (mut ok, mut err) = (0, 0);
    // Every byte set to a few telling values, then random multi-byte damage.
    for at in 0..tree.len() {
        for v in [0x00, 0x01, 0x07, 0x80, 0xFF, tree[at] ^ 0x01] {
            let mut bad = tree.to_vec();
            bad[at] = v;
            match TreeView::new(&bad) {
                Ok(view) => {
                    touch_everything(&view);
                    ok += 1;
                }
                Err(e) => {
                    let _ = e.to_string();
                    err += 1;
                }
            }
        }
    }
    for _ in 0..20_000 {
        let mut bad = tree.to_vec();
        for _ in 0..1 + next() % 8 {
            let at = (next() % bad.len() as u64) as usize;
            bad[at] = next() as u8;
        }
        if let Ok(view) = TreeView::new(&bad) {
            touch_everything(&view);
        }
    }
    assert!(ok > 0 && err > 0, "damage was both caught and harmless at times ({ok} ok, {err} errors)");
}

fn patch_u32(bytes: &mut [u8], at: usize, v: u32) {
    bytes[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn read_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

/// Offset of section `k` in a tree.
fn section(tree: &[u8], k: usize) -> usize {
    read_u32(tree, 28 + 4 * k) as usize
}

#[test]
fn specific_malformations_are_named() {
    let request = encoded_small();
    let tree = request[8..request.len() - 2].to_vec();
    let n = read_u32(&tree, 4);
    let check = |f: &dyn Fn(&mut Vec<u8>), want: &dyn Fn(&DecodeError) -> bool| {
        let mut bad = tree.clone();
        f(&mut bad);
        match TreeView::new(&bad) {
            Err(e) => assert!(want(&e), "unexpected error {e:?}"),
            Ok(_) => panic!("malformed tree decoded"),
        }
    };
    check(&|b| b[0] = b'X', &|e| matches!(e, DecodeError::BadMagic(_)));
    check(&|b| patch_u32(b, 24, 42), &|e| matches!(e, DecodeError::TooFewSections { found: 42, .. }));
    check(&|b| patch_u32(b, 24, u32::MAX), &|e| matches!(e, DecodeError::Truncated { what: "directory", .. }));
    check(&|b| patch_u32(b, 28, 4), &|e| matches!(e, DecodeError::Misaligned { section: "kind", .. }));
    check(&|b| patch_u32(b, 4, u32::MAX), &|e| matches!(e, DecodeError::Truncated { .. }));
    // A parent index out of range.
    check(
        &|b| {
            let at = section(b, 25);
            patch_u32(b, at, n)
        },
        &|e| matches!(e, DecodeError::OutOfRange { section: "parents", .. }),
    );
    // An unknown kind.
    check(
        &|b| {
            let at = section(b, 0);
            b[at] = 4
        },
        &|e| matches!(e, DecodeError::OutOfRange { section: "kind", .. }),
    );
    // A string reference past the table; an id may not be absent.
    check(
        &|b| {
            let at = section(b, 5);
            patch_u32(b, at, u32::MAX)
        },
        &|e| matches!(e, DecodeError::OutOfRange { section: "id", .. }),
    );
    // Decreasing offsets.
    check(
        &|b| {
            let at = section(b, 24);
            patch_u32(b, at + 4, 9)
        },
        &|e| matches!(e, DecodeError::BadOffsets { .. } | DecodeError::Truncated { .. }),
    );
    // Unsorted series (node 3's first two measurement dates swapped).
    check(
        &|b| {
            let offs = section(b, 28);
            let first = read_u32(b, offs + 12) as usize;
            let dates = section(b, 29) + first * 4;
            let (a, c) = (read_u32(b, dates), read_u32(b, dates + 4));
            patch_u32(b, dates, c);
            patch_u32(b, dates + 4, a);
        },
        &|e| matches!(e, DecodeError::Unsorted { node: 3, .. }),
    );
    // Invalid UTF-8 in the string bytes.
    check(
        &|b| {
            let at = section(b, 42);
            b[at] = 0xFF
        },
        &|e| matches!(e, DecodeError::BadUtf8 { .. }),
    );
    // A string boundary inside a multi-byte character ("Ü" is the organisation's first character).
    check(
        &|b| {
            let at = section(b, 41);
            patch_u32(b, at + 4, 1)
        },
        &|e| matches!(e, DecodeError::BadUtf8 { string: 1 }),
    );
    // Request lengths that do not add up.
    let mut r = request.clone();
    patch_u32(&mut r, 4, 3);
    assert!(matches!(split_request(&r), Err(DecodeError::RequestLength { .. })));
    patch_u32(&mut r, 0, u32::MAX);
    patch_u32(&mut r, 4, u32::MAX);
    assert!(matches!(split_request(&r), Err(DecodeError::RequestLength { .. })));
}

/// Found by the `ktr_view` fuzzer: without the link sections (a plugin that does not read `links`),
/// a header claiming four billion links made `links()` call `link` four billion times.
#[test]
fn absent_links_are_not_walked_whatever_the_count() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/links-absent-huge-count.ktr");
    let bytes = std::fs::read(&path).expect("fixture");
    let view = match split_request(&bytes) {
        Ok((view, _)) => view,
        Err(_) => TreeView::new(&bytes).expect("decodes"),
    };
    assert!(view.link_count() > 1 << 31, "the fixture claims a huge link count");
    assert_eq!(view.links().count(), 0);
}

/// Found by the `ktr_view` fuzzer: a buffer that marks some of the link sections absent but not
/// `from` and `to` said, through `reads`, that it has no links, yet `link(0)` read one.
#[test]
fn links_with_some_sections_absent_are_not_read() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/links-partly-absent.ktr");
    let bytes = std::fs::read(&path).expect("fixture");
    let view = match split_request(&bytes) {
        Ok((view, _)) => view,
        Err(_) => TreeView::new(&bytes).expect("decodes"),
    };
    assert!(!view.reads().has("links"), "the fixture lacks part of the link sections");
    assert!(view.link_count() > 0, "the fixture claims links");
    assert!(view.link(0).is_none());
    assert_eq!(view.links().count(), 0);
}
