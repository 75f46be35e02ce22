//! The Rust plugin is the WAT plugin's twin: the same manifest and, on every fixture and every
//! configuration (good and bad), the same findings or the same plugin error. The WAT module runs in
//! the real host (wasmtime, limits, answer checks); the Rust plugin's answer (what its
//! `kpitree_evaluate` returns, natively) goes through the host's own answer checks
//! (`host::run::findings`, what the host does with the answer of any module) and error wording.

use kpitree_core::finding::Finding;
use kpitree_core::rollup::Rollup;
use kpitree_core::tree::Tree;
use kpitree_plugin_abi::host::{RuleSwitches, run};
use kpitree_plugin_host::{Limits, Plugin};
use owner_quota_rs::PLUGIN;
use std::path::PathBuf;

fn wat() -> Plugin {
    Plugin::from_bytes("owner-quota", "plugin.wat", owner_quota_wat::WASM, &Limits::default())
        .unwrap_or_else(|e| panic!("the module loads: {e}"))
}

/// Both plugins on one tree and one configuration (JSON text as a host sends it).
fn both(wat: &Plugin, tree: &Tree, config: &str) -> (Result<Vec<Finding>, String>, Result<Vec<Finding>, String>) {
    let rollup = Rollup::new(tree);
    let request = kpitree_plugin_abi::encode_request_for(wat.reads(), tree, &rollup, config.as_bytes());
    let from_wat = wat.evaluate(&request, tree).map_err(|e| e.to_string());
    let manifest = PLUGIN.manifest();
    let reads = PLUGIN.reads().expect("declared reads are known");
    let request = kpitree_plugin_abi::encode_request_for(reads, tree, &rollup, config.as_bytes());
    let answer = PLUGIN.handle(&request);
    let limit = Limits::default().output_size;
    let from_rust = run::findings(&manifest, &RuleSwitches::new(&manifest), tree, &answer, limit)
        .map_err(|kind| kind.of(&manifest.name).to_string());
    (from_wat, from_rust)
}

fn fixtures() -> Vec<(PathBuf, Tree, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/owner-kpi-quota");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && !p.to_string_lossy().ends_with(".expected.json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable");
            let tree = kpitree_core::load_json(&p.display().to_string(), &text).expect("valid");
            let toml = p.with_extension("toml");
            let config =
                if toml.exists() { kpitree_fixtures::read_config(&toml).expect("valid") } else { Default::default() };
            // As `Plan` sends it: the plugin's section as compact JSON, `{}` when absent.
            let section = config.plugins.get("owner-quota").map_or_else(|| "{}".to_owned(), |v| v.to_string());
            (p, tree, section)
        })
        .collect()
}

/// A tree with many owners, written differently (padding, case, quotes, controls, non-ASCII, none),
/// in every status.
fn crowd() -> Tree {
    let owners = ["Finance", " Finance ", "finance", "Q \"quoted\" \\ owner", "Tab\there", "Ünïcödé 東京", "", "Sales"];
    let statuses = ["active", "draft", "retired"];
    let mut nodes = vec![
        r#"{"id": "s", "kind": "strategy", "title": "Grow", "owner": "Board"}"#.to_owned(),
        r#"{"id": "o", "kind": "objective", "title": "Win", "owner": "Finance", "parents": ["s"], "period": "2026-Q4"}"#
            .to_owned(),
    ];
    for i in 0..60 {
        let owner = owners[(i * 7 + i / 5) % owners.len()];
        let owner =
            if owner.is_empty() { String::new() } else { format!(", \"owner\": {}", serde_json::Value::from(owner)) };
        let status = statuses[(i / 4) % statuses.len()];
        let kind = if i % 9 == 4 { "key_result" } else { "kpi" };
        let extra = if kind == "key_result" { r#", "start": 0, "target": 1"# } else { "" };
        nodes.push(format!(
            r#"{{"id": "n{i}", "kind": "{kind}", "title": "N {i}", "status": "{status}", "parents": ["o"]{owner}{extra}}}"#
        ));
    }
    let text = format!(
        r#"{{"version": 1, "organisation": "Crowd", "as_of": "2026-11-27", "nodes": [{}]}}"#,
        nodes.join(",\n")
    );
    kpitree_core::load_json("crowd.json", &text).expect("the crowd is a valid tree")
}

#[test]
fn the_manifests_are_the_same() {
    let wat = wat();
    assert_eq!(wat.manifest(), &PLUGIN.manifest());
    assert_eq!(wat.abi_version(), (1, 1));
    assert_eq!(kpitree_plugin_sdk::ABI_VERSION, 0x0001_0001);
    assert_eq!(wat.reads(), PLUGIN.reads().expect("known"));
}

#[test]
fn the_fixtures_give_the_same_findings() {
    let wat = wat();
    for (path, tree, config) in fixtures() {
        let (from_wat, from_rust) = both(&wat, &tree, &config);
        assert!(from_wat.is_ok(), "{}: {from_wat:?}", path.display());
        assert_eq!(from_rust, from_wat, "{}", path.display());
    }
}

#[test]
fn every_configuration_gives_the_same_findings_or_error() {
    // JSON as a host sends a `[plugins.owner-quota]` table: compact, keys sorted.
    let configs = [
        "{}",
        r#"{"max": 1}"#,
        r#"{"max": 2}"#,
        r#"{"max": 3}"#,
        r#"{"max": 8}"#,
        r#"{"max": 1000000}"#,
        r#"{"max": 1000001}"#,
        r#"{"max": 99999999}"#,
        r#"{"max": 0}"#,
        r#"{"max": -1}"#,
        r#"{"max": 2.5}"#,
        r#"{"max": 2.0}"#,
        r#"{"max": 1e3}"#,
        r#"{"max": "8"}"#,
        r#"{"max": true}"#,
        r#"{"max": [3]}"#,
        r#"{"max": {"value": 3}}"#,
        r#"{"other": true, "max": 2}"#,
        r#"{"a": {"max": 2}, "max": 5}"#,
        r#"{"a": {"max": "x"}, "max": 5}"#,
        r#"{"mode": "max"}"#,
        r#"{"note": "say \"max"}"#,
        r#"{"maximum": 1}"#,
        r#"{"z": [1, {"max": 1}]}"#,
    ];
    let wat = wat();
    let mut trees: Vec<(String, Tree)> = fixtures().into_iter().map(|(p, t, _)| (p.display().to_string(), t)).collect();
    trees.push(("crowd".to_owned(), crowd()));
    let mut errors = 0;
    for (name, tree) in &trees {
        for config in configs {
            let sent = serde_json::from_str::<serde_json::Value>(config).expect("JSON").to_string();
            let (from_wat, from_rust) = both(&wat, tree, &sent);
            assert_eq!(from_rust, from_wat, "{name} with {sent}");
            errors += usize::from(from_wat.is_err());
        }
    }
    assert!(errors > 0, "the bad configurations are plugin errors");
    let (from_wat, _) = both(&wat, &trees[0].1, r#"{"max":0}"#);
    assert_eq!(
        from_wat.expect_err("bad"),
        "plugin `owner-quota` reported an error: configuration: `max` must be a whole number from 1 to 1000000"
    );
}

#[test]
fn the_crowd_has_findings_to_compare() {
    let (from_wat, _) = both(&wat(), &crowd(), r#"{"max":1}"#);
    assert!(from_wat.expect("evaluates").len() >= 4);
}
