//! The hand-written module against its pass/fail fixtures, run by the real host (wasmtime, limits,
//! response checks): there is no native version of a WAT plugin to test instead.

use kpitree_core::config::Config;
use kpitree_core::finding::Finding;
use kpitree_core::rollup::Rollup;
use kpitree_core::tree::Tree;
use kpitree_plugin_host::{Limits, Plugin};

fn plugin() -> Plugin {
    Plugin::from_bytes("owner-quota", "plugin.wat", owner_quota_wat::WASM, &Limits::default())
        .unwrap_or_else(|e| panic!("the module loads: {e}"))
}

fn run(plugin: &Plugin, tree: &Tree, config: &Config) -> Result<Vec<Finding>, String> {
    let config = match config.plugins.get("owner-quota") {
        Some(section) => serde_json::to_vec(section).map_err(|e| e.to_string())?,
        None => b"{}".to_vec(),
    };
    // As the host encodes it: only the parts the manifest's `reads` declares.
    let request = kpitree_plugin_abi::encode_request_for(plugin.reads(), tree, &Rollup::new(tree), &config);
    plugin.evaluate(&request, tree).map_err(|e| e.to_string())
}

#[test]
fn owner_kpi_quota() {
    let plugin = plugin();
    assert_eq!(plugin.manifest().name, "owner-quota");
    let runner = |tree: &Tree, config: &Config| run(&plugin, tree, config);
    let failures = kpitree_fixtures::check_dir("tests/owner-kpi-quota".as_ref(), "owner-kpi-quota", &runner);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn bad_configuration_is_a_plugin_error() {
    let plugin = plugin();
    let text = std::fs::read_to_string("tests/owner-kpi-quota/pass.json").expect("fixture exists");
    let tree = kpitree_core::load_json("pass.json", &text).expect("valid");
    for config in [r#"{"max": 0}"#, r#"{"max": "8"}"#, r#"{"max": 2.5}"#, r#"{"max": -1}"#, r#"{"max": 99999999}"#] {
        let request = kpitree_plugin_abi::encode_request(&tree, &Rollup::new(&tree), config.as_bytes());
        let err = plugin.evaluate(&request, &tree).expect_err(config).to_string();
        assert!(err.contains("`max` must be a whole number"), "{config}: {err}");
    }
    for config in [r#"{}"#, r#"{ "max" : 3 }"#, "{\"max\":\n12,\"other\":true}"] {
        let request = kpitree_plugin_abi::encode_request(&tree, &Rollup::new(&tree), config.as_bytes());
        plugin.evaluate(&request, &tree).unwrap_or_else(|e| panic!("{config}: {e}"));
    }
}

/// ABI 1.1: the manifest declares the columns the WAT walks, so the host encodes only those (the
/// fixtures above run on such requests; the full tree works too, see `bad_configuration_is_a_plugin_error`).
#[test]
fn it_declares_what_it_reads() {
    let plugin = plugin();
    assert_eq!(plugin.abi_version(), (1, 1));
    assert_eq!(plugin.reads().names().collect::<Vec<_>>(), ["kind", "status", "id", "owner"]);
}
