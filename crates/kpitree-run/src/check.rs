//! The check pipeline and its JSON, shared by `kpitree check` and `POST /v1/check` so the two answer
//! byte for byte the same.

use kpitree_core::config::{Config, Settings};
use kpitree_core::report::{PluginFailure, Report};
use kpitree_core::rollup::Rollup;
use kpitree_core::tree::Tree;
use kpitree_plugin_host::{PluginSet, RuleSwitches};
use kpitree_session::CustomRules;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Checks a validated tree: built-in rules under `settings`, every plugin of `plugins` with its
/// `[plugins.<name>]` section of `config`, then the custom rules. `load_errors` (plugins that failed
/// to load) are reported first among the plugin errors, and failed custom rules last.
pub fn check(
    tree: &Tree,
    plugins: &PluginSet,
    custom: &CustomRules,
    config: &Config,
    settings: &Settings,
    load_errors: &[PluginFailure],
) -> Report {
    check_with(tree, plugins, &plugins.switches(), custom, config, settings, load_errors)
}

/// [`check`] with the plugin rules switched by `switches` (one per plugin, from
/// [`PluginSet::switches`], changed for one request) instead of as the plugins were configured.
pub fn check_with(
    tree: &Tree,
    plugins: &PluginSet,
    switches: &[RuleSwitches],
    custom: &CustomRules,
    config: &Config,
    settings: &Settings,
    load_errors: &[PluginFailure],
) -> Report {
    // Nothing stops this run: the error type has no values, so the pattern is irrefutable.
    let Ok(report) =
        stages(tree, plugins, switches, custom, config, settings, load_errors, None, || Ok::<(), Infallible>(()));
    report
}

/// [`check_with`] that gives up between its stages once `cancel` is set or its deadline has passed:
/// before the rollups, before the plugins and before the built-in rules; and the plugins run until
/// the deadline at most (each call capped at the time left, later ones not called). A server sets
/// it when its client stops waiting (a timeout, a closed connection), so a timed-out evaluation
/// frees its slot at its next check instead of running to the end; each stage is itself bounded.
pub fn check_until(
    tree: &Tree,
    plugins: &PluginSet,
    switches: &[RuleSwitches],
    custom: &CustomRules,
    config: &Config,
    settings: &Settings,
    cancel: &Cancel,
) -> Result<Report, Cancelled> {
    stages(tree, plugins, switches, custom, config, settings, &[], cancel.deadline, || cancel.check())
}

/// The one pipeline of [`check_with`] and [`check_until`]: `stop` is asked between stages.
#[allow(clippy::too_many_arguments)] // the pipeline's inputs, private to this module
fn stages<E>(
    tree: &Tree,
    plugins: &PluginSet,
    switches: &[RuleSwitches],
    custom: &CustomRules,
    config: &Config,
    settings: &Settings,
    load_errors: &[PluginFailure],
    deadline: Option<Instant>,
    stop: impl Fn() -> Result<(), E>,
) -> Result<Report, E> {
    stop()?;
    let rollup = Rollup::new(tree);
    stop()?;
    let mut results = plugins.run_until(tree, &rollup, config, switches, deadline);
    results.errors.splice(0..0, load_errors.iter().cloned());
    stop()?;
    results.extend(custom.run_while(tree, &|| stop().is_ok()));
    stop()?;
    Ok(kpitree_core::check_with(tree, &rollup, settings, results))
}

/// A flag shared by an evaluation and whoever waits for it (set once, read between stages), and the
/// time by which the evaluation is no longer wanted, if there is one.
#[derive(Clone, Debug, Default)]
pub struct Cancel {
    flag: Arc<AtomicBool>,
    deadline: Option<Instant>,
}

/// The evaluation stopped because its [`Cancel`] was set; nobody waits for its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cancelled;

impl Cancel {
    /// A flag not set, no deadline.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// A flag not set that counts as set from `deadline` on (plugins are cut off at it too).
    pub fn with_deadline(deadline: Instant) -> Cancel {
        Cancel { flag: Arc::default(), deadline: Some(deadline) }
    }

    /// Asks the evaluation to stop at its next check.
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::Release);
    }

    /// True once [`Cancel::cancel`] was called or the deadline has passed.
    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::Acquire) || self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// `Err(Cancelled)` once cancelled: a stage boundary (`cancel.check()?`).
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() { Err(Cancelled) } else { Ok(()) }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tree_check(cancel: &Cancel) -> Result<Vec<u8>, Cancelled> {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/hospital.json"))
            .expect("the example");
        let doc = kpitree_core::parse_json("hospital.json", &text).expect("parses");
        let tree = Tree::new("hospital.json", doc.clone()).expect("valid");
        let (config, plugins) = (Config::default(), PluginSet::new());
        let settings = kpitree_core::settings(&config).expect("defaults");
        check_until(&tree, &plugins, &plugins.switches(), &CustomRules::none(), &config, &settings, cancel)
            .map(|r| report_json(&r))
    }

    #[test]
    fn an_evaluation_nobody_cancels_answers_what_check_answers() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/hospital.json"))
            .expect("the example");
        let doc = kpitree_core::parse_json("hospital.json", &text).expect("parses");
        let tree = Tree::new("hospital.json", doc.clone()).expect("valid");
        let settings = kpitree_core::settings(&Config::default()).expect("defaults");
        let plain =
            report_json(&check(&tree, &PluginSet::new(), &CustomRules::none(), &Config::default(), &settings, &[]));
        assert_eq!(tree_check(&Cancel::new()), Ok(plain.clone()));
        let later = Cancel::with_deadline(Instant::now() + std::time::Duration::from_secs(3600));
        assert_eq!(tree_check(&later), Ok(plain));
    }

    #[test]
    fn a_cancelled_or_late_evaluation_stops() {
        let cancel = Cancel::new();
        let seen_by_the_evaluation = cancel.clone();
        cancel.cancel();
        assert_eq!(tree_check(&seen_by_the_evaluation), Err(Cancelled));
        assert_eq!(tree_check(&Cancel::with_deadline(Instant::now())), Err(Cancelled));
    }
}
