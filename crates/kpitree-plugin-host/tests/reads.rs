//! ABI 1.1 `reads` through the host: `tests/plugins/sections.wat` reports which sections its request
//! has, so these tests see exactly what the host sent it. A plugin gets only what it declares (plus
//! `kind`, `id` and the string table), an ABI 1.0 plugin still gets everything, and an unknown name is
//! refused at load naming the plugin and the name.

use kpitree_core::config::Config;
use kpitree_core::rollup::Rollup;
use kpitree_core::tree::Tree;
use kpitree_plugin_abi::{Reads, SECTIONS};
use kpitree_plugin_host::{Limits, Plugin, PluginSet};
use std::path::PathBuf;

const TREE: &str = r#"{
  "version": 1, "organisation": "Acme", "as_of": "2026-11-27",
  "nodes": [
    {"id": "s1", "kind": "strategy", "title": "Grow", "owner": "ceo"},
    {"id": "o1", "kind": "objective", "title": "Win the north", "owner": "sales", "parents": ["s1"], "period": "2026-Q4"}
  ]
}"#;

fn source() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/plugins/sections.wat");
    std::fs::read_to_string(path).expect("sections.wat exists")
}

/// `sections.wat` as ABI 1.0: no `reads`, version 1.0.
fn source_v1_0() -> String {
    let text = source();
    let v1_0 = text.replace(r#",\"reads\":[\"owner\",\"parents\"]"#, "").replace("0x00010001", "0x00010000");
    assert_ne!(v1_0, text);
    assert!(!v1_0.contains("reads\\\""));
    v1_0
}

fn plugin(name: &str, text: &str) -> Plugin {
    Plugin::from_bytes(name, "test", text.as_bytes(), &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `1` for each section in `reads`, `0` for the others: what `sections.wat` answers.
fn expected(reads: Reads) -> String {
    (0..SECTIONS).map(|k| if reads.has_section(k) { '1' } else { '0' }).collect()
}

/// Each plugin's one message, in load order, from a [`PluginSet`] run: the host's real path.
fn run(plugins: Vec<Plugin>) -> Vec<String> {
    let doc = kpitree_core::parse_json("tree.json", TREE).expect("parses");
    let tree = Tree::new("tree.json", doc.clone()).expect("valid");
    let mut set = PluginSet::new();
    for p in plugins {
        set.add(p).expect("added");
    }
    let results = set.run(&tree, &Rollup::new(&tree), &Config::default());
    assert!(results.errors.is_empty(), "{:?}", results.errors);
    results.findings.into_iter().map(|f| f.message).collect()
}

#[test]
fn a_plugin_gets_only_what_it_declares_and_a_1_0_plugin_everything() {
    let declared = plugin("sections", &source());
    let reads = Reads::from_names(&["owner", "parents"]).expect("known names");
    assert_eq!(declared.reads(), reads);
    assert_eq!(declared.abi_version(), (1, 1));
    // Renamed (same length, so the WAT's offsets hold): names and rule ids are unique in a set.
    let old = plugin("sectionz", &source_v1_0().replace(r#"\"sections\""#, r#"\"sectionz\""#));
    assert_eq!((old.reads(), old.abi_version()), (Reads::ALL, (1, 0)));
    let messages = run(vec![declared, old]);
    // kind, id, owner, parent_offsets, parents, string_offsets, string_bytes.
    assert_eq!(messages[0], "1000010100000000000000001100000000000000011");
    assert_eq!(messages[0], expected(reads));
    assert_eq!(messages[1], "1".repeat(SECTIONS));
}

#[test]
fn an_unknown_name_in_reads_is_refused_naming_the_plugin_and_the_name() {
    let text = source().replace(r#"\"parents\"]"#, r#"\"parent\"]"#);
    let err = Plugin::from_bytes("sections", "test", text.as_bytes(), &Limits::default()).expect_err("refused");
    assert_eq!(err.kind.code(), "bad-manifest");
    let message = err.to_string();
    assert!(
        message.starts_with("plugin `sections` has an invalid manifest: `reads` names `parent`, which is not a part"),
        "{message}"
    );
}
