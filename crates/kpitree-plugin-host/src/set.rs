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
use kpitree_plugin_abi::host::run::{Finish, Plan};
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
        let loaded = self.plugins.iter().map(|p| (p.manifest(), p.source()));
        kpitree_plugin_abi::host::load::admit(loaded, plugin.manifest()).map_err(|kind| kind.of(plugin.name()))?;
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
        // Plan, execute each call, finish: the steps around the calls are the browser's too.
        let plan = Plan::new(&config.plugins, self.plugins.iter().map(Plugin::manifest).zip(switches));
        let mut finish = Finish::new(tree);
        // Each plugin gets the parts of the tree it reads (ABI 1.1 `reads`), encoded once per set.
        let mut requests = Requests::new(tree, rollup);
        for job in plan.jobs() {
            let (Some(p), Some(switches)) = (self.plugins.get(job.plugin), switches.get(job.plugin)) else { continue };
            // Past the deadline the tree is not even encoded for it.
            if deadline.is_some_and(|d| Instant::now() >= d) {
                let kind = ErrorKind::Timeout { call: Call::Instantiate, limit: Duration::ZERO };
                finish.failed(&PluginError { plugin: p.name().to_owned(), kind });
                continue;
            }
            let request = job.request(&mut requests);
            let output_limit = p.limits().output_size;
            let answered = p.execute(&request.parts(), deadline, |answer| {
                finish.answered(p.manifest(), switches, answer, output_limit);
            });
            if let Err(e) = answered {
                finish.failed(&e);
            }
        }
        finish.results()
    }
}
