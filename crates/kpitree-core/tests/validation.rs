//! Every validation error, from files: `tests/validation/NAME.json` must be refused with exactly the
//! messages in `NAME.expected.txt` beside it. `KPITREE_BLESS=1` rewrites the expected files. Files
//! are read as bytes and decoded as the CLI does (`decode_text`); `NAME.json.bin` holds a document
//! that is not UTF-8, named so that tools reading every `.json` file as text pass it by.
//!
//! Shapes too large to commit (a chain a million nodes deep, a cycle through a million nodes) are
//! generated here.

use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/validation")
}

#[test]
fn invalid_documents_are_refused_with_located_messages() {
    let bless = std::env::var_os("KPITREE_BLESS").is_some_and(|v| v != "0");
    let mut failures = Vec::new();
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir()).expect("tests/validation").map(|e| e.expect("entry").path()).collect();
    files.sort();
    for path in &files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if let Some(stem) = name.strip_suffix(".expected.txt") {
            if !path.with_file_name(format!("{stem}.json")).exists()
                && !path.with_file_name(format!("{stem}.json.bin")).exists()
            {
                failures.push(format!("{name}: no {stem}.json beside it"));
            }
            continue;
        }
        let Some(stem) = name.strip_suffix(".json.bin").or_else(|| name.strip_suffix(".json")) else {
            failures.push(format!("{name}: unexpected file"));
            continue;
        };
        let bytes = std::fs::read(path).expect("readable");
        let shown = format!("tests/validation/{name}");
        let loaded = kpitree_core::decode_text(&shown, &bytes)
            .and_then(|text| kpitree_core::load(&shown, text, kpitree_core::Format::Json, &Default::default()));
        let actual = match loaded {
            Ok(_) => {
                failures.push(format!("{name}: was accepted"));
                continue;
            }
            Err(e) => format!("{e}\n"),
        };
        let expected_path = path.with_file_name(format!("{stem}.expected.txt"));
        if bless {
            std::fs::write(&expected_path, &actual).expect("writable");
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!("{name}:\n--- expected\n{expected}--- actual\n{actual}")),
            Err(_) => failures.push(format!("{}: missing (KPITREE_BLESS=1 writes it)", rel(&expected_path))),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn rel(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// A document of `n` objectives, each the parent of the one listed before it (`o{k}` under
/// `o{k+1}`); `close`: the last one is under the first, closing a cycle through all of them.
fn chain(n: usize, close: bool) -> String {
    let mut s = String::from(r#"{"version": 1, "organisation": "Chain Co", "as_of": "2026-11-27", "nodes": ["#);
    s.push_str(r#"{"id": "s", "kind": "strategy", "title": "Root"}"#);
    for k in 0..n {
        let parent = if k + 1 < n {
            format!("o{}", k + 1)
        } else if close {
            "o0".to_owned()
        } else {
            "s".to_owned()
        };
        s.push_str(&format!(
            ",\n{{\"id\": \"o{k}\", \"kind\": \"objective\", \"title\": \"O{k}\", \"parents\": [\"{parent}\"]}}"
        ));
    }
    s.push_str("]}\n");
    s
}

/// Validation walks the graph without recursion: a chain a million nodes deep, listed child-first,
/// is valid (a recursive walk overflows the 2 MiB stack of a test thread a few thousand deep).
#[test]
fn a_chain_a_million_deep_validates() {
    let n = 1_000_000;
    let tree = kpitree_core::load_json("chain.json", &chain(n, false)).unwrap_or_else(|e| panic!("refused: {e}"));
    assert_eq!(tree.len(), n + 1);
}

/// Checking (rollups, every rule, scores) and pruning do not recurse either, nor walk the nodes
/// under each node: a chain 200,000 deep (debug builds are slow; `scripts/bench-shapes.sh` runs the
/// CLI on a million).
#[test]
fn a_deep_chain_is_checked_and_pruned() {
    let n = 200_000;
    let tree = kpitree_core::load_json("chain.json", &chain(n, false)).unwrap_or_else(|e| panic!("refused: {e}"));
    let settings = kpitree_core::settings(&Default::default()).expect("defaults");
    let report = kpitree_core::check(&tree, &settings);
    assert_eq!(report.summary.objectives, n);
    let (pruned, _) = kpitree_core::prune::prune(&tree, &settings, &kpitree_core::prune::Reason::ALL);
    assert_eq!(pruned.before.nodes, n + 1);
}

/// A cycle through a million nodes is found without recursion and named by its first and last ids
/// and its length, not by a million ids.
#[test]
fn a_cycle_through_a_million_nodes_is_reported_briefly() {
    let text = chain(1_000_000, true);
    let e = kpitree_core::load_json("cycle.json", &text).expect_err("a cycle");
    assert_eq!(
        e.to_string(),
        "cycle.json:2:2: error[cycle]: node \"o0\", field `parents`: cycle in parents through 1000000 nodes: \
         o0 -> o1 -> o2 -> o3 -> o4 -> ... 999991 more ... -> o999996 -> o999997 -> o999998 -> o999999 -> o0"
    );
}

/// Found while fuzzing: 30 layers of two stale KPIs, each under both KPIs of the layer above. Pruning
/// re-attached the surviving KPI by following every path up through the layers (2^30 of them).
#[test]
fn prune_reattaches_through_layers_once() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/prune-reattach-layers.json");
    let text = std::fs::read_to_string(&path).expect("fixture");
    let tree = kpitree_core::load_json("layers.json", &text).expect("valid");
    let settings = kpitree_core::settings(&kpitree_core::config::Config::default()).expect("defaults");
    let (report, pruned) = kpitree_core::prune::prune(&tree, &settings, &[kpitree_core::prune::Reason::Stale]);
    assert_eq!(report.candidates.len(), 60, "the 60 stale KPIs");
    let live = pruned.nodes.iter().find(|n| n.id == "live").expect("live survives");
    assert_eq!(live.parents, vec!["o".to_owned()], "re-attached to the objective above the layers");
}
