//! The engine's front door: text in, validated tree, findings and scores out.

use crate::config::{Config, ConfigError, Settings};
use crate::error::LoadError;
use crate::model::TreeDoc;
use crate::report::{self, PluginResults, Report};
use crate::rollup::Rollup;
use crate::rules;
use crate::source::SourceMap;
use crate::tree::Tree;

/// Input formats the engine reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The canonical JSON document.
    Json,
    /// The flat CSV (one row a node).
    Csv,
}

/// Parses text in `format` and validates it into a [`Tree`] that owns its document and its
/// [`SourceMap`]; errors carry the file name and, where they can, lines and columns.
///
/// `csv_meta` supplies what a CSV file may lack (organisation, `as_of`); JSON ignores it.
pub fn load(file: &str, text: &str, format: Format, csv_meta: &crate::csv::CsvMeta) -> Result<Tree, LoadError> {
    match format {
        Format::Json => load_json(file, text),
        Format::Csv => {
            let (doc, rows) = crate::csv::from_csv_with_lines(file, text, csv_meta)?;
            let source = SourceMap::rows(&rows, &doc);
            Tree::with_source(file, doc, source)
        }
    }
}

/// [`load`] for JSON only. A caller that never reads CSV (the browser's lean engine) calls this, so
/// the CSV reader is not linked in.
pub fn load_json(file: &str, text: &str) -> Result<Tree, LoadError> {
    validate_json(file, crate::json::parse_json(file, text)?, text)
}

/// The validation half of [`load_json`], for a document read from `text` by another reader (the
/// browser's lean engine reads JSON with `kpitree-json-lite`); `text` places the problems.
///
/// The JSON source map costs a scan of the text that a valid tree never needs for a check (only SARIF
/// shows where a finding's node stands): it is built here only for a document that fails
/// validation, and on demand by [`Tree::place_json`].
pub fn validate_json(file: &str, doc: TreeDoc, text: &str) -> Result<Tree, LoadError> {
    match Tree::validate(file, doc, SourceMap::default()) {
        Ok(tree) => Ok(tree),
        Err(failed) => {
            let (mut e, doc) = *failed;
            crate::json::source_map(text, doc.nodes.len(), doc.links.len()).locate(&mut e, Some(&doc));
            Err(e)
        }
    }
}

/// [`validate_json`] for a caller that leaves an invalid document's messages to another reader: the
/// tree, or `None` when the document fails validation (the problems neither described nor placed, so
/// their messages' formatting, the JSON source map and its scan are not linked in). The browser's lean engine calls this and has the full engine,
/// which reads the text again, say what is wrong.
pub fn validate_unplaced(file: &str, doc: TreeDoc) -> Option<Tree> {
    Tree::valid(file, doc)
}

/// Resolves a configuration against the built-in rules.
pub fn settings(config: &Config) -> Result<Settings, Vec<ConfigError>> {
    let rules: Vec<&'static crate::meta::RuleMeta> = rules::builtin().iter().map(|r| r.meta()).collect();
    config.resolve(&rules)
}

/// The built-in rules' settings with nothing configured: what [`settings`] gives for an empty
/// configuration, without the configuration checks (the browser's lean engine reads no
/// configuration and so links none of them).
pub fn default_settings() -> Settings {
    let mut rules = Vec::with_capacity(rules::builtin().len());
    for r in rules::builtin() {
        rules.push(crate::config::RuleSettings::default_of(r.meta()));
    }
    Settings { rules, waivers: Vec::new() }
}

/// Runs every enabled built-in rule on a validated tree.
pub fn check(tree: &Tree, settings: &Settings) -> Report {
    check_with(tree, &Rollup::new(tree), settings, PluginResults::default())
}

/// Runs every enabled built-in rule and merges what rule plugins found (computed by a plugin host on
/// the same tree and `rollup`): their findings are sorted, counted and weigh on health like built-in
/// ones (after the built-in findings of the same node), and their failures go to
/// [`Report::plugin_errors`].
pub fn check_with(tree: &Tree, rollup: &Rollup, settings: &Settings, plugins: PluginResults) -> Report {
    let mut findings = rules::run(tree, rollup, settings);
    findings.extend(plugins.findings);
    // After every rule, plugins' and custom rules' included: a waiver is judged against them all.
    crate::waivers::apply(tree, &mut findings, settings);
    let rules_run = settings.rules.iter().filter(|s| s.enabled).count() + plugins.rules_run;
    let mut report = report::build(tree, rollup, findings, rules_run);
    report.plugin_errors = plugins.errors;
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Finding, Severity};
    use crate::report::PluginFailure;

    const TREE: &str = r#"{"version": 1, "organisation": "Acme", "as_of": "2026-11-27", "nodes": [
        {"id": "s", "kind": "strategy", "title": "Grow", "owner": "ceo"},
        {"id": "o", "kind": "objective", "title": "Win", "owner": "sales", "parents": ["s"], "period": "2026-Q4"}]}"#;

    #[test]
    fn default_settings_are_an_empty_configuration_resolved() {
        let resolved = settings(&Config::default()).expect("defaults");
        assert_eq!(default_settings(), resolved);
        assert_eq!(resolved.rules.len(), rules::builtin().len());
    }

    #[test]
    fn validate_unplaced_accepts_what_validate_json_accepts() {
        let valid = crate::json::parse_json("t.json", TREE).expect("parses");
        let tree = validate_unplaced("t.json", valid).expect("valid");
        assert_eq!(tree.len(), 2);
        let cyclic = TREE.replace(r#""owner": "ceo"}"#, r#""owner": "ceo", "parents": ["o"]}"#);
        let doc = crate::json::parse_json("t.json", &cyclic).expect("parses");
        assert!(validate_unplaced("t.json", doc).is_none());
        let Err(e) = load_json("t.json", &cyclic) else { panic!("invalid for validate_json too") };
        assert!(e.problems.iter().all(|p| p.at.line.is_some()), "validate_json places what validate_unplaced does not");
    }

    #[test]
    fn plugin_results_are_merged_into_the_report() {
        let tree = load_json("t.json", TREE).expect("valid");
        let settings = settings(&Config::default()).expect("defaults");
        let plain = check(&tree, &settings);
        let json = serde_json::to_value(&plain).expect("serialises");
        assert!(json.get("plugin_errors").is_none(), "absent when no plugin failed");

        let mut finding =
            Finding::new("plugin-rule".into(), Severity::Error, vec!["s".into()], "m".into(), "w".into(), "f".into());
        finding.plugin = Some("p".into());
        let failure = PluginFailure { plugin: "q".into(), code: "trap".into(), message: "plugin `q` trapped".into() };
        let plugins = PluginResults { findings: vec![finding], rules_run: 1, errors: vec![failure] };
        let report = check_with(&tree, &Rollup::new(&tree), &settings, plugins);
        assert_eq!(report.summary.errors, plain.summary.errors + 1);
        assert_eq!(report.summary.rules_run, plain.summary.rules_run + 1);
        assert!(report.scores.health < plain.scores.health, "the plugin's error weighs on health");
        // Sorted by node like the rest: `s` is the first node, so nothing about `o` comes before it.
        let k = report.findings.iter().position(|f| f.rule == "plugin-rule").expect("merged");
        assert!(report.findings[..k].iter().all(|f| f.nodes.first().is_none_or(|n| n == "s")));
        let json = serde_json::to_value(&report).expect("serialises");
        assert_eq!(json["plugin_errors"][0]["code"], "trap");
    }
}
