//! The engine's front door: text in, validated tree, findings and scores out.

use crate::config::{Config, ConfigError, Settings};
use crate::error::LoadError;
use crate::model::TreeDoc;
use crate::report::{self, Report};
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
    let (doc, rows) = match format {
        Format::Json => (crate::json::parse_json(file, text)?, None),
        Format::Csv => {
            let (doc, rows) = crate::csv::from_csv_with_lines(file, text, csv_meta)?;
            (doc, Some(rows))
        }
    };
    if let Err(mut e) = Tree::new(file, &doc) {
        match rows {
            None => crate::json::locate(&mut e, text),
            Some(rows) => locate_rows(&mut e, &doc, &rows),
        }
        return Err(e);
    }
    Ok(doc)
}

/// CSV: a node's problems point at its row; a link's at its driver's row (where `drives` is).
fn locate_rows(err: &mut LoadError, doc: &TreeDoc, rows: &[usize]) {
    for p in &mut err.problems {
        let link =
            p.at.field.as_deref().and_then(|f| f.strip_prefix("links[")?.split(']').next()?.parse::<usize>().ok());
        let k = match (p.at.position, link) {
            (Some(k), _) => Some(k),
            (None, Some(l)) => doc.links.get(l).and_then(|l| doc.nodes.iter().position(|n| n.id == l.from)),
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
    let rollup = Rollup::new(tree);
    let findings = rules::run(tree, &rollup, settings);
    report::build(tree, &rollup, findings, settings.rules.iter().filter(|s| s.enabled).count())
}

/// Validates `doc` and checks it.
pub fn check(file: &str, doc: &TreeDoc, settings: &Settings) -> Result<Report, LoadError> {
    let tree = Tree::new(file, doc)?;
    Ok(check_tree(&tree, settings))
}
