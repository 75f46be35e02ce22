//! `kpitree plugin test`: a loaded plugin against pass/fail fixtures (the built-in rules' format,
//! `kpitree-fixtures`), each run through the real host as `kpitree check` runs it, with the fuel of
//! every call, so an author sees a plugin's cost before the limits do.
//!
//! Each fixture's tree is encoded for the manifest's `reads`, the plugin gets its `[plugins.<name>]`
//! section of the fixture's configuration, and `[rules.<id>]` switches its rules on or off and sets
//! their severity, as in a check ([`PluginSet::take_rule_settings`], the check's `Plan`); the rest of
//! the configuration must resolve against the built-in rules, as in a check.

use kpitree_core::config::Config;
use kpitree_core::finding::Finding;
use kpitree_core::rollup::Rollup;
use kpitree_core::tree::Tree;
use kpitree_fixtures::{Failure, Ran};
use kpitree_plugin_abi::Requests;
use kpitree_plugin_abi::host::run::Plan;
use kpitree_plugin_host::{Manifest, PluginSet};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Where a plugin's fixtures are: found by [`find`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suite {
    /// The directory given.
    pub dir: PathBuf,
    /// The directories to run, each with the rules whose findings it checks.
    pub groups: Vec<(PathBuf, Vec<String>)>,
    /// Rules of the plugin with no fixture directory.
    pub untested: Vec<String>,
}

/// The fixtures of `manifest`'s rules under `dir`: `dir` itself when it holds `pass*.json` or
/// `fail*.json` (checking the findings of all the plugin's rules), otherwise each subdirectory named
/// after one of its rules (checking that rule's findings); rules without one are untested. `Err`
/// (a message naming `dir`) when `dir` cannot be read or holds no fixtures for the plugin.
pub fn find(manifest: &Manifest, dir: &Path) -> Result<Suite, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let direct = entries.filter_map(Result::ok).any(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        (name.starts_with("pass") || name.starts_with("fail"))
            && name.ends_with(".json")
            && !name.ends_with(".expected.json")
            && e.path().is_file()
    });
    let ids: Vec<String> = manifest.rules.iter().map(|r| r.id.clone()).collect();
    if direct {
        return Ok(Suite { dir: dir.to_owned(), groups: vec![(dir.to_owned(), ids)], untested: Vec::new() });
    }
    // Rule ids are `[a-z0-9][a-z0-9-]*` (checked at load): safe as a directory name.
    let (tested, untested): (Vec<String>, Vec<String>) = ids.into_iter().partition(|id| dir.join(id).is_dir());
    if tested.is_empty() {
        return Err(format!(
            "{}: no fixtures: no pass*.json or fail*.json, and no directory named after a rule of plugin `{}` ({})",
            dir.display(),
            manifest.name,
            manifest.rules.iter().map(|r| r.id.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(Suite {
        dir: dir.to_owned(),
        groups: tested.into_iter().map(|id| (dir.join(&id), vec![id])).collect(),
        untested,
    })
}

/// Everything `kpitree plugin test` shows, text or `--format json`.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The plugin's name.
    pub plugin: String,
    /// Its version.
    pub version: String,
    /// Where it was loaded from.
    pub file: String,
    /// Size of its module (the file) in bytes.
    pub module_size: usize,
    /// The module size limit in bytes.
    pub module_size_limit: usize,
    /// The fuel limit of each call.
    pub fuel_limit: u64,
    /// The fixture directory given.
    pub fixtures: String,
    /// Fuel used by the calls made at load.
    pub load_fuel: LoadFuel,
    /// One group per fixture directory.
    pub groups: Vec<Group>,
    /// Rules with no fixture directory.
    pub untested: Vec<String>,
    /// Fixtures that passed.
    pub passed: usize,
    /// Fixtures that failed.
    pub failed: usize,
    /// The most fuel one call used (load calls included).
    pub max_fuel: u64,
    /// What makes the fixtures unusable (a directory's problems, invalid trees or configurations),
    /// one located message each: with any, nothing is shown but these (exit 2).
    #[serde(skip)]
    pub invalid: Vec<String>,
}

/// Fuel used by `kpitree_abi_version` and `kpitree_manifest` at load.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct LoadFuel {
    /// `kpitree_abi_version`.
    pub abi_version: u64,
    /// `kpitree_manifest`.
    pub manifest: u64,
}

/// The fixtures of one directory.
#[derive(Clone, Debug, Serialize)]
pub struct Group {
    /// The directory.
    pub dir: String,
    /// The rules whose findings it checks.
    pub rules: Vec<String>,
    /// Its fixtures, in file-name order.
    pub fixtures: Vec<FixtureResult>,
}

/// One fixture's outcome.
#[derive(Clone, Debug, Serialize)]
pub struct FixtureResult {
    /// Its name (the tree's file name without `.json`).
    pub name: String,
    /// Its tree.
    pub file: String,
    /// True when it passed.
    pub passed: bool,
    /// Fuel the `kpitree_evaluate` call used; `None` when the plugin was not called (every rule
    /// switched off, as a check would skip it) or its call failed.
    pub fuel: Option<u64>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Problem>,
}

/// Why a fixture failed.
#[derive(Clone, Debug, Serialize)]
pub struct Problem {
    /// `plugin-error`, `unexpected-findings` (a pass fixture), `no-finding` (a fail fixture),
    /// `missing-expected` or `differs`.
    pub kind: &'static str,
    /// One line: what went wrong (the plugin error's message, or the expected file).
    pub message: String,
    /// The expected findings' text (`differs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// The findings' text, as the expected files are written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub got: Option<String>,
}

/// Runs every fixture of `suite` on the one plugin of `set` (loaded unconfigured: each fixture's
/// configuration switches its rules). With `bless`, each `fail*.expected.json` is written from what
/// the plugin finds first (read it before committing it: an expected file is a claim).
pub fn run(set: &PluginSet, suite: &Suite, bless: bool) -> Report {
    let plugin = &set.plugins()[0];
    let costs = plugin.load_costs();
    let limits = plugin.limits();
    let mut report = Report {
        plugin: plugin.name().to_owned(),
        version: plugin.manifest().version.clone(),
        file: plugin.source().to_owned(),
        module_size: plugin.module_size(),
        module_size_limit: limits.module_size,
        fuel_limit: limits.fuel,
        fixtures: suite.dir.display().to_string(),
        load_fuel: LoadFuel { abi_version: costs.abi_version, manifest: costs.manifest },
        groups: Vec::new(),
        untested: suite.untested.clone(),
        passed: 0,
        failed: 0,
        max_fuel: costs.abi_version.max(costs.manifest),
        invalid: Vec::new(),
    };
    let runner = |tree: &Tree, config: &Config| run_fixture(set, tree, config);
    for (dir, rules) in &suite.groups {
        let ids: Vec<&str> = rules.iter().map(String::as_str).collect();
        let checked = kpitree_fixtures::run_dir(dir, &ids, &runner, bless);
        report.invalid.extend(checked.problems);
        let mut group = Group { dir: dir.display().to_string(), rules: rules.clone(), fixtures: Vec::new() };
        for f in checked.fixtures {
            let fuel = f.measured.flatten();
            report.max_fuel = report.max_fuel.max(fuel.unwrap_or(0));
            let failure = match f.failure {
                None => None,
                Some(Failure::Invalid(e)) => {
                    report.invalid.push(e);
                    continue;
                }
                Some(failure) => Some(problem(failure)),
            };
            if failure.is_some() {
                report.failed += 1
            } else {
                report.passed += 1
            }
            group.fixtures.push(FixtureResult {
                name: f.input.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
                file: f.input.display().to_string(),
                passed: failure.is_none(),
                fuel,
                failure,
            });
        }
        report.groups.push(group);
    }
    report
}

fn problem(failure: Failure) -> Problem {
    let (kind, message, expected, got) = match failure {
        Failure::Invalid(e) | Failure::Runner(e) => ("plugin-error", e, None, None),
        Failure::Unexpected { got } => {
            ("unexpected-findings", "a pass fixture gave findings".to_owned(), None, Some(got))
        }
        Failure::NoFinding => ("no-finding", "a fail fixture gave no finding".to_owned(), None, None),
        Failure::MissingExpected { expected_path, got } => {
            ("missing-expected", format!("{}: missing", expected_path.display()), None, Some(got))
        }
        Failure::Differs { expected_path, expected, got } => {
            ("differs", format!("findings differ from {}", expected_path.display()), Some(expected), Some(got))
        }
    };
    Problem { kind, message, expected, got }
}

/// One fixture as `kpitree check` would run the plugin on it: `[rules.<id>]` applied to its rules
/// (the rest resolved against the built-in rules, whose mistakes make the fixture invalid), not
/// called when they are all off, its request encoded for its `reads` with its `[plugins.<name>]`.
fn run_fixture(set: &PluginSet, tree: &Tree, config: &Config) -> Ran<Option<u64>> {
    let mut config = config.clone();
    let mut switches = set.switches();
    let mut errors: Vec<String> =
        set.take_rule_settings(&mut config.rules, &mut switches).iter().map(ToString::to_string).collect();
    if let Err(e) = kpitree_core::settings(&config) {
        errors.extend(e.iter().map(ToString::to_string));
    }
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors.join("; ")));
    }
    let (Some(plugin), Some(switches)) = (set.plugins().first(), switches.first()) else {
        return Ok((Vec::new(), None));
    };
    let plan = Plan::new(&config.plugins, [(plugin.manifest(), switches)]);
    let Some(job) = plan.jobs().first() else { return Ok((Vec::new(), None)) };
    let rollup = Rollup::new(tree);
    let mut requests = Requests::new(tree, &rollup);
    let request = job.request(&mut requests).parts().concat();
    let measured = plugin.evaluate_measured(&request, tree).map_err(|e| Failure::Runner(e.to_string()))?;
    let mut findings: Vec<Finding> = measured.findings;
    switches.apply(plugin.manifest(), &mut findings);
    Ok((findings, Some(measured.fuel)))
}

/// `part` as a percentage of `whole`, with two significant digits below 10 % (`0.00062`), for
/// people: the fuel of a call of its limit, the module of the size limit.
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "-".to_owned();
    }
    let p = part as f64 * 100.0 / whole as f64;
    let mut decimals = 1;
    let mut scaled = p * 10.0;
    while p > 0.0 && scaled < 10.0 && decimals < 9 {
        decimals += 1;
        scaled *= 10.0;
    }
    format!("{p:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_keep_two_significant_digits() {
        assert_eq!(percent(1, 2), "50.0");
        assert_eq!(percent(12_345, 2_000_000_000), "0.00062");
        assert_eq!(percent(3, 200), "1.5");
        assert_eq!(percent(0, 10), "0.0");
        assert_eq!(percent(10, 10), "100.0");
        assert_eq!(percent(1, 0), "-");
    }
}
