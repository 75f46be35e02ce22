//! The native fixture tester (feature `testing`): runs a plugin on the pass/fail fixtures of the
//! built-in rules' format, through the real encoding and response checks, without a wasm runtime.
//!
//! Each fixture tree is validated and rolled up by the engine, encoded into a request exactly as the
//! host encodes it (configuration from the fixture's `.toml`, section `[plugins.NAME]`), handed to the
//! same function `kpitree_evaluate` calls, and the response is checked and completed exactly as the
//! host does (`kpitree_plugin_abi::host`). So a plugin that passes here gives the same findings in
//! `kpitree check` and in the browser.

use crate::Plugin;
use kpitree_core::config::Config;
use kpitree_core::finding::Finding;
use kpitree_core::rollup::Rollup;
use kpitree_core::tree::Tree;
use kpitree_plugin_abi::error::{Call, ErrorKind};
use kpitree_plugin_abi::host;
use std::path::Path;

/// Runs `plugin` on a validated tree with a configuration, as the host would, and returns its findings.
pub fn run(plugin: &Plugin, tree: &Tree, config: &Config) -> Result<Vec<Finding>, String> {
    let manifest = plugin.manifest();
    host::check_manifest(&manifest).map_err(|e| format!("manifest: {e}"))?;
    let rollup = Rollup::new(tree);
    let config_json = match config.plugins.get(plugin.name) {
        Some(section) => serde_json::to_vec(section).map_err(|e| e.to_string())?,
        None => b"{}".to_vec(),
    };
    // As the host encodes it: only the parts the manifest's `reads` declares.
    let request = kpitree_plugin_abi::encode_request_for(manifest.reads(), tree, &rollup, &config_json);
    let response = plugin.handle(&request);
    // The host's default limits: what passes here is not refused there for its size.
    let limit = kpitree_plugin_abi::limits::OUTPUT_SIZE;
    if response.len() > limit {
        let kind = ErrorKind::OutputTooLarge { call: Call::Evaluate, len: response.len() as u64, limit: limit as u64 };
        return Err(kind.of(plugin.name).to_string());
    }
    host::findings_from_response(&manifest, tree, &response, limit).map_err(|e| format!("plugin {}: {e}", plugin.name))
}

/// The failures of `rule_id`'s fixtures in `dir` (empty when all pass). See [`check_fixtures`].
pub fn fixture_failures(dir: impl AsRef<Path>, rule_id: &str, plugin: &Plugin) -> Vec<String> {
    let mut failures = Vec::new();
    if !plugin.rules.iter().any(|r| r.id == rule_id) {
        failures.push(format!("plugin {} declares no rule `{rule_id}`", plugin.name));
    }
    let runner = |tree: &Tree, config: &Config| run(plugin, tree, config);
    failures.extend(kpitree_fixtures::check_dir(dir.as_ref(), rule_id, &runner));
    failures
}

/// Checks rule `rule_id` of `plugin` against the fixtures in `dir` and panics with every failure.
///
/// `dir` holds `pass*.json` trees (no finding of the rule allowed) and `fail*.json` trees (exactly the
/// findings of `<name>.expected.json`), each with an optional `<name>.toml` configuration whose
/// `[plugins.NAME]` table is the plugin's configuration. A relative `dir` is read from the crate's
/// directory (where `cargo test` runs). `KPITREE_BLESS=1` writes the expected files; review them.
///
/// ```no_run
/// # kpitree_plugin_sdk::plugin! { name: "p", version: "1", description: "",
/// #   rules: [{ id: "r", severity: Info, summary: "s", why: "w", fix: "f" }], evaluate: check }
/// # fn check(_: &kpitree_plugin_sdk::Tree, _: &serde_json::Value) -> Result<Vec<kpitree_plugin_sdk::Finding>, String> { Ok(vec![]) }
/// kpitree_plugin_sdk::testing::check_fixtures("tests/r", "r", &PLUGIN);
/// ```
#[track_caller]
pub fn check_fixtures(dir: impl AsRef<Path>, rule_id: &str, plugin: &Plugin) {
    let failures = fixture_failures(dir, rule_id, plugin);
    assert!(failures.is_empty(), "{} fixture failure(s):\n\n{}", failures.len(), failures.join("\n\n"));
}
