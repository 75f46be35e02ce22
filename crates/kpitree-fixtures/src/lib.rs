//! The pass/fail fixture tester shared by the built-in rules and plugin authors.
//!
//! A rule's fixture directory holds tree documents named `pass*.json` and `fail*.json`, each with an
//! optional `<name>.toml` configuration beside it. A `pass` tree must give no finding of the rule; a
//! `fail` tree must give exactly the findings in `<name>.expected.json` (each finding without its
//! constant `why`). Set `KPITREE_BLESS=1` to write expected files from the current output; review them.
//!
//! [`check_dir`] gives a test its failures as messages; [`run_dir`] gives each fixture's outcome and
//! what the runner measured with it (`kpitree plugin test` shows the fuel of each plugin call).

use kpitree_core::config::Config;
use kpitree_core::finding::Finding;
use kpitree_core::tree::Tree;
use std::path::{Path, PathBuf};

/// Runs a rule on a validated tree with a configuration and returns all findings (of any rule).
pub trait Runner {
    /// Evaluates `tree`; an `Err` is reported as a fixture failure.
    fn run(&self, tree: &Tree, config: &Config) -> Result<Vec<Finding>, String>;
}

impl<F: Fn(&Tree, &Config) -> Result<Vec<Finding>, String>> Runner for F {
    fn run(&self, tree: &Tree, config: &Config) -> Result<Vec<Finding>, String> {
        self(tree, config)
    }
}

/// Reads a configuration file in the `kpitree.toml` format, as the CLI reads it
/// (`kpitree_session::parse_config`). Its `[limits]` are read and checked as numbers but not used:
/// the runner decides how its plugins run.
pub fn read_config(path: &Path) -> Result<Config, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    kpitree_session::parse_config(&text).map(|t| t.config).map_err(|e| format!("{}: {e}", path.display()))
}

/// Checks every fixture in `dir` for rule `rule_id`. Returns one message per failure (empty: all good).
/// `KPITREE_BLESS=1` writes the expected files from what the runner gives.
pub fn check_dir(dir: &Path, rule_id: &str, runner: &dyn Runner) -> Vec<String> {
    let bless = std::env::var_os("KPITREE_BLESS").is_some_and(|v| v != "0");
    let run = |tree: &Tree, config: &Config| runner.run(tree, config).map(|f| (f, ())).map_err(Failure::Runner);
    let checked = run_dir(dir, &[rule_id], &run, bless);
    let mut failures = checked.problems;
    failures
        .extend(checked.fixtures.iter().filter_map(|f| f.failure.as_ref().map(|e| e.describe(&f.input, &[rule_id]))));
    failures
}

/// What a runner of [`run_dir`] answers for one fixture: all the findings (of any rule) and what it
/// measured (`kpitree plugin test`: the fuel of the plugin's call), or why the fixture failed
/// ([`Failure::Runner`]) or cannot be run ([`Failure::Invalid`]: its configuration is wrong for this runner).
pub type Ran<T> = Result<(Vec<Finding>, T), Failure>;

/// One fixture's outcome in [`run_dir`].
#[derive(Clone, Debug, PartialEq)]
pub struct Fixture<T> {
    /// The fixture's tree, `pass*.json` or `fail*.json`.
    pub input: PathBuf,
    /// What the runner measured, when it ran without failing.
    pub measured: Option<T>,
    /// Why it failed; `None` when it passed.
    pub failure: Option<Failure>,
}

impl<T> Fixture<T> {
    /// The fixture's name: its file name without `.json`.
    pub fn name(&self) -> String {
        self.input.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
    }

    /// True when it passed.
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }
}

/// Why a fixture did not pass. Findings are shown as [`render`] writes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The fixture cannot be run: its tree or its configuration is invalid (a located message).
    Invalid(String),
    /// The runner failed (a plugin error, say): its message, without the fixture's path.
    Runner(String),
    /// A pass fixture gave findings of the rules.
    Unexpected {
        /// The findings it gave.
        got: String,
    },
    /// A fail fixture gave no finding of the rules.
    NoFinding,
    /// A fail fixture has no expected file.
    MissingExpected {
        /// Where the expected file should be.
        expected_path: PathBuf,
        /// The findings it gave.
        got: String,
    },
    /// A fail fixture gave other findings than its expected file holds.
    Differs {
        /// The expected file.
        expected_path: PathBuf,
        /// Its text.
        expected: String,
        /// The findings it gave.
        got: String,
    },
}

impl Failure {
    /// The failure of the fixture `input` as one message (several lines when it shows findings), for
    /// a test's panic; `rules` are the rules checked.
    pub fn describe(&self, input: &Path, rules: &[&str]) -> String {
        let shown = input.display();
        let rules = rules.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(" or ");
        match self {
            Failure::Invalid(e) => e.clone(),
            Failure::Runner(e) => format!("{shown}: {e}"),
            Failure::Unexpected { got } => format!("{shown}: expected no {rules} finding, got:\n{got}"),
            Failure::NoFinding => format!("{shown}: a fail fixture must give at least one {rules} finding"),
            Failure::MissingExpected { expected_path, .. } => {
                format!("{}: missing (run with KPITREE_BLESS=1 to create it, then review it)", expected_path.display())
            }
            Failure::Differs { expected_path, expected, got } => format!(
                "{shown}: findings differ from {}\n--- expected\n{expected}\n--- actual\n{got}",
                expected_path.display()
            ),
        }
    }
}

/// The fixtures of one directory, each with its outcome, and the problems of the directory itself.
#[derive(Clone, Debug, PartialEq)]
pub struct DirCheck<T> {
    /// What is wrong with the directory as a whole (unreadable; an expected file or configuration
    /// without its tree; a file that is neither; no pass or no fail fixture), one located message each.
    pub problems: Vec<String>,
    /// Every `*.json` tree of the directory (not `*.expected.json`), in file-name order.
    pub fixtures: Vec<Fixture<T>>,
}

/// Runs every fixture in `dir` for the rules `rules` (the findings of other rules are ignored) and
/// returns each one's outcome. With `bless`, the expected files are written from what the runner gives.
pub fn run_dir<T>(dir: &Path, rules: &[&str], runner: &dyn Fn(&Tree, &Config) -> Ran<T>, bless: bool) -> DirCheck<T> {
    let mut problems = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(format!("{}: cannot read fixture directory: {e}", dir.display()));
            return DirCheck { problems, fixtures: Vec::new() };
        }
    };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    let name = |p: &Path| p.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
    let inputs: Vec<&PathBuf> =
        files.iter().filter(|p| name(p).ends_with(".json") && !name(p).ends_with(".expected.json")).collect();
    for p in &files {
        let n = name(p);
        let stem = n.strip_suffix(".expected.json").or_else(|| n.strip_suffix(".toml"));
        if let Some(stem) = stem
            && !files.iter().any(|q| name(q) == format!("{stem}.json"))
        {
            problems.push(format!("{}: no `{stem}.json` beside it", p.display()));
        }
        if !n.ends_with(".json") && !n.ends_with(".toml") {
            problems.push(format!("{}: unexpected file in a fixture directory", p.display()));
        }
    }
    if !inputs.iter().any(|p| name(p).starts_with("pass")) || !inputs.iter().any(|p| name(p).starts_with("fail")) {
        problems.push(format!("{}: needs at least one pass*.json and one fail*.json", dir.display()));
    }
    let fixtures = inputs
        .into_iter()
        .map(|input| match run_one(input, rules, runner, bless) {
            Ok((measured, failure)) => Fixture { input: input.clone(), measured: Some(measured), failure },
            Err(failure) => Fixture { input: input.clone(), measured: None, failure: Some(failure) },
        })
        .collect();
    DirCheck { problems, fixtures }
}

/// One fixture: `Err` when it could not be run (or the runner failed), else what the runner measured
/// and the failure, if any.
fn run_one<T>(
    input: &Path,
    rules: &[&str],
    runner: &dyn Fn(&Tree, &Config) -> Ran<T>,
    bless: bool,
) -> Result<(T, Option<Failure>), Failure> {
    let shown = input.display();
    let text = std::fs::read_to_string(input).map_err(|e| Failure::Invalid(format!("{shown}: {e}")))?;
    let tree = kpitree_core::load_json(&shown.to_string(), &text).map_err(|e| Failure::Invalid(e.to_string()))?;
    let config_path = input.with_extension("toml");
    let (config, config_shown) = if config_path.exists() {
        (read_config(&config_path).map_err(Failure::Invalid)?, config_path.display().to_string())
    } else {
        (Config::default(), shown.to_string())
    };
    let (findings, measured) = runner(&tree, &config).map_err(|e| match e {
        Failure::Invalid(e) => Failure::Invalid(format!("{config_shown}: {e}")),
        other => other,
    })?;
    let findings: Vec<Finding> = findings.into_iter().filter(|f| rules.contains(&f.rule.as_str())).collect();
    let stem = input.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let got = render(&findings);
    if stem.starts_with("pass") {
        let failure = (!findings.is_empty()).then_some(Failure::Unexpected { got });
        return Ok((measured, failure));
    }
    let expected_path = input.with_file_name(format!("{stem}.expected.json"));
    if bless {
        std::fs::write(&expected_path, &got)
            .map_err(|e| Failure::Invalid(format!("{}: {e}", expected_path.display())))?;
    }
    if findings.is_empty() {
        return Ok((measured, Some(Failure::NoFinding)));
    }
    let Ok(expected) = std::fs::read_to_string(&expected_path) else {
        return Ok((measured, Some(Failure::MissingExpected { expected_path, got })));
    };
    let failure = (expected.trim_end() != got.trim_end()).then_some(Failure::Differs { expected_path, expected, got });
    Ok((measured, failure))
}

/// A finding as fixtures show it: everything but the rule's constant `why` and the derived
/// fingerprint, in reading order.
#[derive(serde::Serialize)]
struct View<'a> {
    rule: &'a str,
    severity: kpitree_core::finding::Severity,
    nodes: &'a [String],
    message: &'a str,
    fix: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<&'a serde_json::Map<String, serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    plugin: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    waived: Option<&'a kpitree_core::finding::Waived>,
}

/// Findings as pretty JSON, without the rule's constant `why`.
pub fn render(findings: &[Finding]) -> String {
    let views: Vec<View<'_>> = findings
        .iter()
        .map(|f| View {
            rule: &f.rule,
            severity: f.severity,
            nodes: &f.nodes,
            message: &f.message,
            fix: &f.fix,
            evidence: f.evidence.as_ref(),
            plugin: f.plugin.as_deref(),
            waived: f.waived.as_ref(),
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&views).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/rules/orphan-kpi")
    }

    /// The built-in rules, measuring how many findings they gave in all.
    fn builtin(tree: &Tree, config: &Config) -> Ran<usize> {
        let settings = kpitree_core::settings(config).map_err(|e| Failure::Invalid(format!("{e:?}")))?;
        let findings = kpitree_core::check(tree, &settings).findings;
        let n = findings.len();
        Ok((findings, n))
    }

    #[test]
    fn each_fixture_has_its_outcome_and_what_the_runner_measured() {
        let checked = run_dir(&dir(), &["orphan-kpi"], &builtin, false);
        assert!(checked.problems.is_empty(), "{:?}", checked.problems);
        let names: Vec<_> = checked.fixtures.iter().map(|f| (f.name(), f.passed())).collect();
        assert_eq!(names, [("fail".to_owned(), true), ("pass".to_owned(), true)]);
        assert!(checked.fixtures.iter().all(|f| f.measured.is_some()));
        // Another rule's view of the same files: the fail fixture finds nothing of it.
        let other = run_dir(&dir(), &["no-such-rule"], &builtin, false);
        assert_eq!(other.fixtures[0].failure, Some(Failure::NoFinding));
        assert!(other.fixtures[1].passed());
    }

    #[test]
    fn differences_and_runner_failures_are_kept_apart() {
        let changed = |tree: &Tree, config: &Config| {
            let (mut findings, n) = builtin(tree, config)?;
            findings.iter_mut().for_each(|f| f.message.push('!'));
            Ok((findings, n))
        };
        let checked = run_dir(&dir(), &["orphan-kpi"], &changed, false);
        let Some(Failure::Differs { expected_path, expected, got }) = &checked.fixtures[0].failure else {
            panic!("{:?}", checked.fixtures[0]);
        };
        assert!(expected_path.ends_with("fail.expected.json") && got.contains("!\"") && !expected.contains("!\""));
        let failing = |_: &Tree, _: &Config| -> Ran<()> { Err(Failure::Runner("it broke".to_owned())) };
        let checked = run_dir(&dir(), &["orphan-kpi"], &failing, false);
        let fail = &checked.fixtures[0];
        assert_eq!(fail.measured, None);
        assert_eq!(fail.failure, Some(Failure::Runner("it broke".to_owned())));
        let failures = check_dir(&dir(), "orphan-kpi", &|_: &Tree, _: &Config| Err("it broke".to_owned()));
        assert_eq!(failures[0], format!("{}: it broke", fail.input.display()));
        let missing = check_dir(&dir().join("nope"), "orphan-kpi", &|_: &Tree, _: &Config| Ok(Vec::new()));
        assert!(missing[0].contains("cannot read fixture directory"), "{missing:?}");
    }
}
