//! Every built-in rule against its pass/fail fixtures in `tests/rules/<id>/`.

use kpitree_core::config::Config;
use kpitree_core::tree::Tree;
use kpitree_core::{check, rules, settings};
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/rules")
}

fn run(tree: &Tree, config: &Config) -> Result<Vec<kpitree_core::finding::Finding>, String> {
    let s = settings(config).map_err(|e| e.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))?;
    Ok(check(tree, &s).findings)
}

#[test]
fn every_rule_passes_its_fixtures() {
    let mut failures = Vec::new();
    for rule in rules::builtin() {
        let id = rule.meta().id;
        failures.extend(kpitree_fixtures::check_dir(&fixtures().join(id), id, &run));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_fixture_directory_belongs_to_a_rule() {
    for entry in std::fs::read_dir(fixtures()).expect("tests/rules exists") {
        let name = entry.expect("readable").file_name().to_string_lossy().into_owned();
        assert!(rules::find(&name).is_some(), "tests/rules/{name} names no built-in rule");
    }
}

#[test]
fn every_rule_documents_itself() {
    for rule in rules::builtin() {
        let m = rule.meta();
        assert!(!m.summary.is_empty() && !m.why.is_empty() && !m.fix.is_empty(), "{} lacks summary, why or fix", m.id);
        for p in m.params {
            assert!(!p.help.is_empty(), "{}.{} lacks help", m.id, p.name);
        }
    }
}
