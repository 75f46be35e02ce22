//! [`PluginSet`]: the plugins of a run, loaded from files and directories, configured from the same
//! configuration as the built-in rules, and evaluated on one tree.

use crate::error::{Call, ErrorKind, PluginError};
use crate::limits::Limits;
use crate::plugin::Plugin;
use kpitree_core::config::{Config, ConfigError, RuleConfig};
use kpitree_core::report::PluginResults;
use kpitree_core::rollup::Rollup;
use kpitree_core::tree::Tree;
use kpitree_plugin_abi::Requests;
use kpitree_plugin_abi::host::RuleSwitches;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Plugins whose names and rule ids are unique among themselves and distinct from the built-in rules.
#[derive(Debug, Default)]
pub struct PluginSet {
    plugins: Vec<Plugin>,
}

impl PluginSet {
    /// No plugins.
    pub fn new() -> PluginSet {
        PluginSet::default()
    }

    /// The plugins, in the order they were added.
    pub fn plugins(&self) -> &[Plugin] {
        &self.plugins
    }

    /// Number of plugins.
    pub fn len(&self) -> usize {
        self.plugins.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.plugins.is_empty()
    }

    /// Adds a loaded plugin unless its name or one of its rule ids is already taken.
    pub fn add(&mut self, plugin: Plugin) -> Result<(), PluginError> {
        let fail = |kind| PluginError { plugin: plugin.name().to_owned(), kind };
        if let Some(first) = self.plugins.iter().find(|p| p.name() == plugin.name()) {
            return Err(fail(ErrorKind::DuplicatePlugin { first: first.source().to_owned() }));
        }
        for rule in &plugin.manifest().rules {
            if let Some(other) = self.plugins.iter().find(|p| p.manifest().rule(&rule.id).is_some()) {
                return Err(fail(ErrorKind::RuleClash { rule: rule.id.clone(), other: other.name().to_owned() }));
            }
        }
        self.plugins.push(plugin);
        Ok(())
    }

    /// Loads the plugin in `path` (`.wasm`, or WAT text) and adds it.
    pub fn load(&mut self, path: &Path, limits: &Limits) -> Result<(), PluginError> {
        self.add(Plugin::load(path, limits)?)
    }

    /// Loads every `*.wasm` file in `dir` (not its subdirectories), in file-name order, and returns the
    /// errors of those that failed; the others are added. An unreadable directory is one
    /// [`ErrorKind::Io`] error named after the directory.
    pub fn load_dir(&mut self, dir: &Path, limits: &Limits) -> Vec<PluginError> {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                let plugin = dir.file_name().map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into());
                return vec![PluginError {
                    plugin,
                    kind: ErrorKind::Io { path: dir.to_owned(), detail: e.to_string() },
                }];
            }
        };
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("wasm")))
            .collect();
        paths.sort();
        paths.iter().filter_map(|p| self.load(p, limits).err()).collect()
    }

    /// Applies `[rules.<id>]` settings that name plugin rules (`enabled`, `severity`) and removes them
    /// from `config`, so that what is left resolves against the built-in rules. Options are refused:
    /// a plugin's configuration lives in `[plugins.<name>]`.
    pub fn configure(&mut self, config: &mut Config) -> Result<(), Vec<ConfigError>> {
        let mut plugins: Vec<_> = self.plugins.iter_mut().map(Plugin::switches_mut).collect();
        let errors = kpitree_plugin_abi::host::take_rule_settings(&mut config.rules, &mut plugins);
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// Each plugin's rule switches as configured, in load order: a copy that one request may change
    /// ([`PluginSet::take_rule_settings`]) and pass to [`PluginSet::run_with`].
    pub fn switches(&self) -> Vec<RuleSwitches> {
        self.plugins.iter().map(|p| p.switches().clone()).collect()
    }

    /// As [`PluginSet::configure`], onto `switches` (from [`PluginSet::switches`]) instead of the
    /// plugins' own: the `[rules.<id>]` tables of `rules` that name plugin rules are applied and
    /// removed. For settings that hold for one request only.
    pub fn take_rule_settings(
        &self,
        rules: &mut BTreeMap<String, RuleConfig>,
        switches: &mut [RuleSwitches],
    ) -> Vec<ConfigError> {
        let mut plugins: Vec<_> = self.plugins.iter().map(Plugin::manifest).zip(switches.iter_mut()).collect();
        kpitree_plugin_abi::host::take_rule_settings(rules, &mut plugins)
    }

    /// Evaluates every plugin with a rule switched on, each in a fresh instance, on one tree. The tree
    /// is encoded once per distinct set of parts the plugins read (their manifests' `reads`; the whole
    /// tree for ABI 1.0 plugins), each plugin getting only its set; each gets its own `[plugins.<name>]` section of `config` (`{}` when
    /// absent). A plugin that fails adds an error and no findings; the others still run.
    pub fn run(&self, tree: &Tree, rollup: &Rollup, config: &Config) -> PluginResults {
        self.run_with(tree, rollup, config, &self.switches())
    }

    /// [`PluginSet::run`] with `switches` (one per plugin, in load order) in place of the plugins'
    /// configured ones.
    pub fn run_with(&self, tree: &Tree, rollup: &Rollup, config: &Config, switches: &[RuleSwitches]) -> PluginResults {
        self.run_until(tree, rollup, config, switches, None)
    }

    /// [`PluginSet::run_with`] that ends by `deadline` (when given), for a caller that must give its
    /// time back (a server request that timed out): each call into a plugin may take the smaller of
    /// its time limit and the time left, and a plugin whose turn (or next call) comes after the
    /// deadline is not run; each of those gets a [`ErrorKind::Timeout`] error giving the time it had
    /// (0 ms when none was left). The run then ends within about one epoch tick (10 ms) of the
    /// deadline, plus the time to encode the tree and check an answer, which the limits bound.
    pub fn run_until(
        &self,
        tree: &Tree,
        rollup: &Rollup,
        config: &Config,
        switches: &[RuleSwitches],
        deadline: Option<Instant>,
    ) -> PluginResults {
        let mut results = PluginResults::default();
        let active: Vec<(&Plugin, &RuleSwitches)> =
            self.plugins.iter().zip(switches).filter(|(_, s)| s.enabled() > 0).collect();
        if active.is_empty() {
            return results;
        }
        // Each plugin gets the parts of the tree it reads (ABI 1.1 `reads`), encoded once per set.
        let mut requests = Requests::new(tree, rollup);
        for (p, switches) in active {
            // Past the deadline the tree is not even encoded for it.
            if deadline.is_some_and(|d| Instant::now() >= d) {
                let kind = ErrorKind::Timeout { call: Call::Instantiate, limit: Duration::ZERO };
                results.errors.push((&PluginError { plugin: p.name().to_owned(), kind }).into());
                continue;
            }
            let base = requests.get(p.reads());
            let config_json = config.plugins.get(p.name()).map_or_else(|| "{}".to_owned(), |v| v.to_string());
            let (head, tree_bytes) = request_parts(base, config_json.len());
            match p.evaluate_parts(&[&head, tree_bytes, config_json.as_bytes()], tree, switches, deadline) {
                Ok(findings) => {
                    results.findings.extend(findings);
                    results.rules_run += switches.enabled();
                }
                Err(e) => results.errors.push((&e).into()),
            }
        }
        results
    }
}

/// The request header for `config_len` bytes of configuration and the tree bytes, from a request
/// encoded with no configuration (`u32 tree_len, u32 config_len, tree, config`, `plugins/ABI.md`).
fn request_parts(base: &[u8], config_len: usize) -> ([u8; 8], &[u8]) {
    let mut head = [0u8; 8];
    let (tree_len, rest) = base.split_at(4.min(base.len()));
    head[..tree_len.len()].copy_from_slice(tree_len);
    head[4..].copy_from_slice(&(config_len as u32).to_le_bytes());
    (head, rest.get(4..).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_parts_match_the_encoder() {
        let text = r#"{"version":1,"organisation":"Acme","as_of":"2026-11-27","nodes":[
            {"id":"s","kind":"strategy","title":"Grow","owner":"ceo"},
            {"id":"o","kind":"objective","title":"Win","owner":"sales","parents":["s"],"period":"2026-Q4"}]}"#;
        let doc = kpitree_core::parse_json("t.json", text).expect("parses");
        let tree = Tree::new("t.json", doc.clone()).expect("valid");
        let rollup = Rollup::new(&tree);
        let config = br#"{"teams":["sales"]}"#;
        let whole = kpitree_plugin_abi::encode_request(&tree, &rollup, config);
        let base = kpitree_plugin_abi::encode_request(&tree, &rollup, b"");
        let (head, tree_bytes) = request_parts(&base, config.len());
        assert_eq!([&head[..], tree_bytes, config].concat(), whole);
    }
}
