//! The diff pipeline, shared by `kpitree diff` and `POST /v1/diff`: both versions checked with the same
//! rules, plugins and custom rules (the check pipeline of [`crate::check`]), then compared by
//! [`kpitree_core::diff::diff`], and its JSON.

use crate::check::{Cancel, Cancelled};
use kpitree_core::config::{Config, Settings};
use kpitree_core::diff::Diff;
use kpitree_core::report::{PluginFailure, Report};
use kpitree_core::tree::Tree;
use kpitree_plugin_host::{PluginSet, RuleSwitches};
use kpitree_session::CustomRules;

/// Two versions of a tree, each checked.
pub struct Checked {
    /// The earlier version.
    pub old: Tree,
    /// Its report.
    pub old_report: Report,
    /// The later version.
    pub new: Tree,
    /// Its report.
    pub new_report: Report,
}

impl Checked {
    /// What changed from `old` to `new`.
    pub fn diff(&self) -> Diff<'_> {
        kpitree_core::diff::diff((&self.old, &self.old_report), (&self.new, &self.new_report))
    }
}

/// Both results when both are `Ok`, else every error of the two (OLD's first): a diff reports every
/// problem of both versions before it gives up.
pub fn both<T, E>(old: Result<T, E>, new: Result<T, E>) -> Result<(T, T), Vec<E>> {
    match (old, new) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => Err(a.err().into_iter().chain(b.err()).collect()),
    }
}

/// Checks both versions as [`crate::check::check`] checks one (`load_errors`, plugins that failed to
/// load, go into both reports; the diff lists each failure once).
pub fn diff(
    old: Tree,
    new: Tree,
    plugins: &PluginSet,
    custom: &CustomRules,
    config: &Config,
    settings: &Settings,
    load_errors: &[PluginFailure],
) -> Checked {
    let check = |t: &Tree| crate::check::check(t, plugins, custom, config, settings, load_errors);
    Checked { old_report: check(&old), new_report: check(&new), old, new }
}

/// [`diff`] that gives up as [`crate::check::check_until`] does (a server's request nobody waits for).
#[allow(clippy::too_many_arguments)] // check_until's inputs, and the second tree
pub fn diff_until(
    old: Tree,
    new: Tree,
    plugins: &PluginSet,
    switches: &[RuleSwitches],
    custom: &CustomRules,
    config: &Config,
    settings: &Settings,
    cancel: &Cancel,
) -> Result<Checked, Cancelled> {
    let check = |t: &Tree| crate::check::check_until(t, plugins, switches, custom, config, settings, cancel);
    let old_report = check(&old)?;
    let new_report = check(&new)?;
    Ok(Checked { old, old_report, new, new_report })
}

/// The JSON of a diff as `kpitree diff --format json` prints it and `POST /v1/diff` answers it.
pub fn diff_json(diff: &Diff<'_>) -> Vec<u8> {
    crate::check::pretty_json(diff)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(name: &str) -> Tree {
        let path = format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).expect("the example");
        Tree::new(name, kpitree_core::parse_json(name, &text).expect("parses")).expect("valid")
    }

    #[test]
    fn the_cancellable_path_answers_what_the_plain_one_does_and_stops_when_cancelled() {
        let (config, plugins, custom) = (Config::default(), PluginSet::new(), CustomRules::none());
        let settings = kpitree_core::settings(&config).expect("defaults");
        let plain = diff(tree("hospital.json"), tree("municipality.json"), &plugins, &custom, &config, &settings, &[]);
        let until = diff_until(
            tree("hospital.json"),
            tree("municipality.json"),
            &plugins,
            &plugins.switches(),
            &custom,
            &config,
            &settings,
            &Cancel::new(),
        )
        .expect("not cancelled");
        assert_eq!(diff_json(&plain.diff()), diff_json(&until.diff()));
        assert!(!plain.diff().is_empty());
        let cancel = Cancel::new();
        cancel.cancel();
        let stopped = diff_until(
            tree("hospital.json"),
            tree("hospital.json"),
            &plugins,
            &plugins.switches(),
            &custom,
            &config,
            &settings,
            &cancel,
        );
        assert!(matches!(stopped, Err(Cancelled)));
    }

    #[test]
    fn both_keeps_every_error() {
        assert_eq!(both::<u8, &str>(Ok(1), Ok(2)), Ok((1, 2)));
        assert_eq!(both::<u8, &str>(Err("a"), Err("b")), Err(vec!["a", "b"]));
        assert_eq!(both::<u8, &str>(Ok(1), Err("b")), Err(vec!["b"]));
    }
}
