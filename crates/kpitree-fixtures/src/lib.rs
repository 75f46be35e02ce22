//! The pass/fail fixture tester shared by the built-in rules and plugin authors.
//!
//! A rule's fixture directory holds tree documents named `pass*.json` and `fail*.json`, each with an
//! optional `<name>.toml` configuration beside it. A `pass` tree must give no finding of the rule; a
//! `fail` tree must give exactly the findings in `<name>.expected.json` (each finding without its
//! constant `why`). Set `KPITREE_BLESS=1` to write expected files from the current output; review them.

use kpitree_core::config::Config;
use kpitree_core::finding::Finding;
use kpitree_core::tree::Tree;
use std::fmt::Write as _;
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
pub fn check_dir(dir: &Path, rule_id: &str, runner: &dyn Runner) -> Vec<String> {
    let bless = std::env::var_os("KPITREE_BLESS").is_some_and(|v| v != "0");
    let mut failures = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => return vec![format!("{}: cannot read fixture directory: {e}", dir.display())],
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
            failures.push(format!("{}: no `{stem}.json` beside it", p.display()));
        }
        if !n.ends_with(".json") && !n.ends_with(".toml") {
            failures.push(format!("{}: unexpected file in a fixture directory", p.display()));
        }
    }
    if !inputs.iter().any(|p| name(p).starts_with("pass")) || !inputs.iter().any(|p| name(p).starts_with("fail")) {
        failures.push(format!("{}: needs at least one pass*.json and one fail*.json", dir.display()));
    }
    for input in inputs {
        if let Err(e) = check_one(input, rule_id, runner, bless) {
            failures.push(e);
        }
    }
    failures
}

fn check_one(input: &Path, rule_id: &str, runner: &dyn Runner, bless: bool) -> Result<(), String> {
    let shown = input.display();
    let text = std::fs::read_to_string(input).map_err(|e| format!("{shown}: {e}"))?;
    let tree = kpitree_core::load_json(&shown.to_string(), &text).map_err(|e| e.to_string())?;
    let config_path = input.with_extension("toml");
    let config = if config_path.exists() { read_config(&config_path)? } else { Config::default() };
    let findings: Vec<Finding> = runner
        .run(&tree, &config)
        .map_err(|e| format!("{shown}: {e}"))?
        .into_iter()
        .filter(|f| f.rule == rule_id)
        .collect();
    let stem = input.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    if stem.starts_with("pass") {
        if findings.is_empty() {
            return Ok(());
        }
        let mut msg = format!("{shown}: expected no `{rule_id}` finding, got:");
        for f in &findings {
            let _ = write!(msg, "\n  {:?} {}", f.nodes, f.message);
        }
        return Err(msg);
    }
    let actual = render(&findings);
    let expected_path = input.with_file_name(format!("{stem}.expected.json"));
    if bless {
        std::fs::write(&expected_path, &actual).map_err(|e| format!("{}: {e}", expected_path.display()))?;
    }
    if findings.is_empty() {
        return Err(format!("{shown}: a fail fixture must give at least one `{rule_id}` finding"));
    }
    let expected = std::fs::read_to_string(&expected_path).map_err(|e| {
        format!("{}: {e} (run with KPITREE_BLESS=1 to create it, then review it)", expected_path.display())
    })?;
    if expected.trim_end() != actual.trim_end() {
        return Err(format!(
            "{shown}: findings differ from {}\n--- expected\n{expected}\n--- actual\n{actual}",
            expected_path.display()
        ));
    }
    Ok(())
}

/// A finding as fixtures show it: everything but the rule's constant `why`, in reading order.
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
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&views).unwrap_or_default();
    s.push('\n');
    s
}
