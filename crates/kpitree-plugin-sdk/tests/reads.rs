//! ABI 1.1 `reads` in the SDK: the declaration reaches the manifest, the tester encodes only what is
//! declared, and a rule that reads a part it did not declare fails with an error naming the part,
//! whether the host sent that part or not.

use kpitree_core::config::Config;
use kpitree_core::rollup::Rollup;
use kpitree_core::tree::Tree as CoreTree;
use kpitree_plugin_abi::{Reads, Response, encode_request, encode_request_for};
use kpitree_plugin_sdk::prelude::*;

/// One finding per owned node, naming its owner: reads `owner` only.
fn owners(tree: &Tree, _: &serde_json::Value) -> Result<Vec<Finding>, String> {
    let mut out = Findings::new();
    for node in tree.nodes().filter(|n| n.kind() == NodeKind::Kpi) {
        if let Some(owner) = node.owner() {
            out.add("owned", [node], format!("owned by {owner}"));
        }
    }
    Ok(out.into_vec())
}

/// As [`owners`], but the message also names the node's title, which it does not declare.
fn owners_and_titles(tree: &Tree, _: &serde_json::Value) -> Result<Vec<Finding>, String> {
    let mut out = Findings::new();
    for node in tree.nodes().filter(|n| n.kind() == NodeKind::Kpi) {
        if let Some(owner) = node.owner() {
            out.add("owned", [node], format!("{} owned by {owner}", node.display()));
        }
    }
    Ok(out.into_vec())
}

mod declared {
    kpitree_plugin_sdk::plugin! {
        name: "declared", version: "1", description: "reads owners",
        reads: ["owner"],
        rules: [{ id: "owned", severity: Info, summary: "s", why: "w", fix: "f" }],
        evaluate: super::owners,
    }
}

mod undeclared {
    kpitree_plugin_sdk::plugin! {
        name: "undeclared", version: "1", description: "reads titles it did not declare",
        reads: ["owner"],
        rules: [{ id: "owned", severity: Info, summary: "s", why: "w", fix: "f" }],
        evaluate: super::owners_and_titles,
    }
}

mod everything {
    kpitree_plugin_sdk::plugin! {
        name: "everything", version: "1", description: "declares nothing: ABI 1.0, the whole tree",
        rules: [{ id: "owned", severity: Info, summary: "s", why: "w", fix: "f" }],
        evaluate: super::owners_and_titles,
    }
}

mod misspelt {
    kpitree_plugin_sdk::plugin! {
        name: "misspelt", version: "1", description: "a name that is not a part of the tree",
        reads: ["owner", "titel"],
        rules: [{ id: "owned", severity: Info, summary: "s", why: "w", fix: "f" }],
        evaluate: super::owners,
    }
}

fn example() -> kpitree_core::model::TreeDoc {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hospital.json");
    let text = std::fs::read_to_string(path).expect("example exists");
    kpitree_core::parse_json("hospital.json", &text).expect("parses")
}

/// The plugin's response to the example tree encoded with `reads`.
fn respond(plugin: &kpitree_plugin_sdk::Plugin, reads: Option<Reads>) -> Response {
    let doc = example();
    let tree = CoreTree::new("h", doc.clone()).expect("valid");
    let rollup = Rollup::new(&tree);
    let request = match reads {
        Some(reads) => encode_request_for(reads, &tree, &rollup, b"{}"),
        None => encode_request(&tree, &rollup, b"{}"),
    };
    serde_json::from_slice(&plugin.handle(&request)).expect("a response")
}

fn findings(response: Response) -> Vec<Finding> {
    match response {
        Response::Findings(f) => f,
        Response::Error(e) => panic!("plugin error: {}", e.message),
    }
}

#[test]
fn reads_reach_the_manifest() {
    assert_eq!(declared::PLUGIN.manifest().reads, Some(vec!["owner".to_owned()]));
    assert_eq!(everything::PLUGIN.manifest().reads, None);
    let json = String::from_utf8(declared::PLUGIN.manifest_json()).expect("UTF-8");
    assert!(json.ends_with(r#","reads":["owner"]}"#), "{json}");
    assert!(!String::from_utf8(everything::PLUGIN.manifest_json()).expect("UTF-8").contains("reads"));
    assert_eq!(declared::PLUGIN.reads(), Reads::from_names(&["owner"]));
    assert_eq!(misspelt::PLUGIN.reads(), Err("titel".to_owned()));
}

/// The declared parts give the same findings whether the host sends only them or the whole tree.
#[test]
fn a_rule_reading_what_it_declares_works_with_its_part_or_the_whole_tree() {
    let reads = declared::PLUGIN.reads().expect("known names");
    let part = findings(respond(&declared::PLUGIN, Some(reads)));
    let whole = findings(respond(&declared::PLUGIN, None));
    assert!(!part.is_empty());
    assert_eq!(part, whole);
    assert!(part[0].message.starts_with("owned by "), "{}", part[0].message);
}

/// Reading `title` (through `display`) without declaring it is an error naming `title`, even when the
/// host sent the titles (a host that encodes the whole tree): the same with every host.
#[test]
fn reading_an_undeclared_part_is_an_error_naming_it() {
    let reads = undeclared::PLUGIN.reads().expect("known names");
    for response in [respond(&undeclared::PLUGIN, Some(reads)), respond(&undeclared::PLUGIN, None)] {
        let Response::Error(e) = response else { panic!("expected an error, got {response:?}") };
        assert_eq!(
            e.message,
            "the rule read `title` (title, display), which the plugin's `reads` does not declare; add \"title\" to \
             `reads`"
        );
    }
}

#[test]
fn a_plugin_without_reads_reads_everything() {
    let found = findings(respond(&everything::PLUGIN, None));
    assert!(!found.is_empty());
    assert!(found[0].message.starts_with("KPI \""), "{}", found[0].message);
}

/// The tester encodes as the host does, so it catches an undeclared read (and a misspelt name).
#[test]
fn the_tester_encodes_only_what_is_declared() {
    let doc = CoreTree::new("h", example()).expect("valid");
    let config = Config::default();
    let ok = kpitree_plugin_sdk::testing::run(&declared::PLUGIN, &doc, &config).expect("runs");
    assert!(!ok.is_empty());
    let err = kpitree_plugin_sdk::testing::run(&undeclared::PLUGIN, &doc, &config).expect_err("undeclared read");
    assert!(err.contains("the rule read `title`"), "{err}");
    let err = kpitree_plugin_sdk::testing::run(&misspelt::PLUGIN, &doc, &config).expect_err("unknown name");
    assert!(err.contains("`reads` names `titel`"), "{err}");
}
