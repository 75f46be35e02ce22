//! The engine's front door: text in, validated tree, findings and scores out.

use crate::config::{Config, ConfigError, Settings};
use crate::error::LoadError;
use crate::model::TreeDoc;
use crate::report::{self, PluginResults, Report};
use crate::rollup::Rollup;
use crate::rules;
use crate::tree::Tree;

/// Input formats the engine reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The canonical JSON document.
    Json,
    /// The flat CSV (one row a node).
    Csv,
}

/// Parses text in `format` and validates it; errors carry the file name and, where they can, lines.
///
/// `csv_meta` supplies what a CSV file may lack (organisation, `as_of`); JSON ignores it.
pub fn load(file: &str, text: &str, format: Format, csv_meta: &crate::csv::CsvMeta) -> Result<TreeDoc, LoadError> {
    load_with(file, text, format, csv_meta, |_| ()).map(|(doc, ())| doc)
}

/// [`load`], also handing the validated tree to `with`: validating builds the graph, and a caller that
/// needs it (the browser keeps the display shape) then need not build it again. (A `Tree` borrows its
/// document, so it cannot be returned beside it.)
pub fn load_with<R>(
    file: &str,
    text: &str,
    format: Format,
    csv_meta: &crate::csv::CsvMeta,
    with: impl FnOnce(&Tree<'_>) -> R,
) -> Result<(TreeDoc, R), LoadError> {
    let (doc, rows) = match format {
        Format::Json => return load_json_with(file, text, with),
        Format::Csv => crate::csv::from_csv_with_lines(file, text, csv_meta)?,
    };
    let got = match Tree::new(file, &doc) {
        Ok(tree) => with(&tree),
        Err(mut e) => {
            locate_rows(&mut e, &doc, &rows);
            return Err(e);
        }
    };
    Ok((doc, got))
}

/// [`load`] for JSON only. A caller that never reads CSV (the browser's lean engine) calls this, so
/// the CSV reader is not linked in.
pub fn load_json(file: &str, text: &str) -> Result<TreeDoc, LoadError> {
    load_json_with(file, text, |_| ()).map(|(doc, ())| doc)
}

/// [`load_with`] for JSON only.
pub fn load_json_with<R>(file: &str, text: &str, with: impl FnOnce(&Tree<'_>) -> R) -> Result<(TreeDoc, R), LoadError> {
    validate_json_with(file, crate::json::parse_json(file, text)?, text, with)
}

/// The validation half of [`load_json_with`], for a document read from `text` by another reader (the
/// browser's lean engine reads JSON with `kpitree-json-lite`); `text` places problems at their lines.
pub fn validate_json_with<R>(
    file: &str,
    doc: TreeDoc,
    text: &str,
    with: impl FnOnce(&Tree<'_>) -> R,
) -> Result<(TreeDoc, R), LoadError> {
    let got = match Tree::new(file, &doc) {
        Ok(tree) => with(&tree),
        Err(mut e) => {
            crate::json::locate(&mut e, text);
            return Err(e);
        }
    };
    Ok((doc, got))
}

/// CSV: a node's problems point at its row; a link's at its driver's row (where `drives` is).
fn locate_rows(err: &mut LoadError, doc: &TreeDoc, rows: &[usize]) {
    // Position of the first node with each id, built when a link problem needs it.
    let mut first: Option<rustc_hash::FxHashMap<&str, usize>> = None;
    for p in &mut err.problems {
        let link =
            p.at.field.as_deref().and_then(|f| f.strip_prefix("links[")?.split(']').next()?.parse::<usize>().ok());
        let k = match (p.at.position, link) {
            (Some(k), _) => Some(k),
            (None, Some(l)) => doc.links.get(l).and_then(|l| {
                let first = first.get_or_insert_with(|| {
                    let mut m = rustc_hash::FxHashMap::default();
                    for (i, n) in doc.nodes.iter().enumerate().rev() {
                        m.insert(n.id.as_str(), i);
                    }
                    m
                });
                first.get(l.from.as_str()).copied()
            }),
            _ => None,
        };
        if p.at.line.is_none() {
            p.at.line = k.and_then(|k| rows.get(k).copied());
        }
    }
}

/// Resolves a configuration against the built-in rules.
pub fn settings(config: &Config) -> Result<Settings, Vec<ConfigError>> {
    config.resolve(rules::builtin())
}

/// Runs every enabled built-in rule on a validated tree.
pub fn check_tree(tree: &Tree<'_>, settings: &Settings) -> Report {
    check_tree_with(tree, &Rollup::new(tree), settings, PluginResults::default())
}

/// Runs every enabled built-in rule and merges what rule plugins found (computed by a plugin host on
/// the same tree and `rollup`): their findings are sorted, counted and weigh on health like built-in
/// ones (after the built-in findings of the same node), and their failures go to
/// [`Report::plugin_errors`].
pub fn check_tree_with(tree: &Tree<'_>, rollup: &Rollup, settings: &Settings, plugins: PluginResults) -> Report {
    let mut findings = rules::run(tree, rollup, settings);
    findings.extend(plugins.findings);
    let rules_run = settings.rules.iter().filter(|s| s.enabled).count() + plugins.rules_run;
    let mut report = report::build(tree, rollup, findings, rules_run);
    report.plugin_errors = plugins.errors;
    report
}

/// Validates `doc` and checks it.
pub fn check(file: &str, doc: &TreeDoc, settings: &Settings) -> Result<Report, LoadError> {
    let tree = Tree::new(file, doc)?;
    Ok(check_tree(&tree, settings))
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
    fn plugin_results_are_merged_into_the_report() {
        let doc = crate::parse_json("t.json", TREE).expect("parses");
        let tree = Tree::new("t.json", &doc).expect("valid");
        let settings = settings(&Config::default()).expect("defaults");
        let plain = check_tree(&tree, &settings);
        let json = serde_json::to_value(&plain).expect("serialises");
        assert!(json.get("plugin_errors").is_none(), "absent when no plugin failed");

        let finding = Finding {
            rule: "plugin-rule".into(),
            severity: Severity::Error,
            nodes: vec!["s".into()],
            message: "m".into(),
            why: "w".into(),
            fix: "f".into(),
            evidence: None,
            plugin: Some("p".into()),
        };
        let failure = PluginFailure { plugin: "q".into(), code: "trap".into(), message: "plugin `q` trapped".into() };
        let plugins = PluginResults { findings: vec![finding], rules_run: 1, errors: vec![failure] };
        let report = check_tree_with(&tree, &Rollup::new(&tree), &settings, plugins);
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
