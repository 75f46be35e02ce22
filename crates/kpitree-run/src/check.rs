//! The check pipeline and its JSON, shared by `kpitree check` and `POST /v1/check` so the two answer
//! byte for byte the same.

use kpitree_core::config::{Config, Settings};
use kpitree_core::report::{PluginFailure, Report};
use kpitree_core::rollup::Rollup;
use kpitree_core::tree::Tree;
use kpitree_plugin_host::{PluginSet, RuleSwitches};

/// Checks a validated tree: built-in rules under `settings`, then every plugin of `plugins` with its
/// `[plugins.<name>]` section of `config`. `load_errors` (plugins that failed to load) are reported
/// first among the plugin errors.
pub fn check(
    tree: &Tree<'_>,
    plugins: &PluginSet,
    config: &Config,
    settings: &Settings,
    load_errors: &[PluginFailure],
) -> Report {
    check_with(tree, plugins, &plugins.switches(), config, settings, load_errors)
}

/// [`check`] with the plugin rules switched by `switches` (one per plugin, from
/// [`PluginSet::switches`], changed for one request) instead of as the plugins were configured.
pub fn check_with(
    tree: &Tree<'_>,
    plugins: &PluginSet,
    switches: &[RuleSwitches],
    config: &Config,
    settings: &Settings,
    load_errors: &[PluginFailure],
) -> Report {
    let rollup = Rollup::new(tree);
    let mut results = plugins.run_with(tree, &rollup, config, switches);
    results.errors.splice(0..0, load_errors.iter().cloned());
    kpitree_core::check_tree_with(tree, &rollup, settings, results)
}

/// The JSON of a report as `kpitree check --format json` prints it: pretty, with a final newline.
pub fn report_json(report: &Report) -> Vec<u8> {
    pretty_json(report)
}

/// Any answer as pretty JSON with a final newline (the CLI's `--format json` style).
pub fn pretty_json(value: &impl serde::Serialize) -> Vec<u8> {
    // Serializing these plain structs cannot fail (string keys, no non-finite floats reach here as
    // errors: serde_json writes them as null).
    let mut out = serde_json::to_vec_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}").into_bytes());
    out.push(b'\n');
    out
}
