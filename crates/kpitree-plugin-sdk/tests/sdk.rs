//! The SDK end to end, natively: a small plugin declared with `plugin!`, its manifest, requests good
//! and bad, and the tree API against the engine on the example trees.

use kpitree_core::rollup::Rollup;
use kpitree_core::tree::Tree as CoreTree;
use kpitree_plugin_abi::{Response, encode_request, split_request};
use kpitree_plugin_sdk::prelude::*;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    #[serde(default = "two")]
    max: usize,
}

fn two() -> usize {
    2
}

fn check(tree: &Tree, config: &Config) -> Result<Vec<Finding>, String> {
    let mut out = Findings::new();
    for node in tree.nodes() {
        let kpis = node.children().filter(|c| c.kind() == NodeKind::Kpi).count();
        if kpis > config.max {
            out.add("too-many-children", [node], format!("{} has {kpis} KPIs", node.display()))
                .evidence("kpis", kpis)
                .severity(Severity::Info);
        }
    }
    if config.max == 99 {
        return Err("ninety-nine is not a budget".into());
    }
    Ok(out.into_vec())
}

kpitree_plugin_sdk::plugin! {
    name: "sdk-test",
    version: "1.0.0",
    description: "test plugin",
    rules: [{
        id: "too-many-children",
        severity: Warning,
        summary: "s",
        why: "w",
        fix: "f",
    }],
    evaluate: check,
}

fn example(name: &str) -> kpitree_core::model::TreeDoc {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name);
    let text = std::fs::read_to_string(path).expect("example exists");
    kpitree_core::parse_json(name, &text).expect("parses")
}

fn respond(config: &str) -> Response {
    let doc = example("hospital.json");
    let tree = CoreTree::new("h", doc.clone()).expect("valid");
    let request = encode_request(&tree, &Rollup::new(&tree), config.as_bytes());
    serde_json::from_slice(&PLUGIN.handle(&request)).expect("a response")
}

#[test]
fn manifest_is_valid_and_round_trips() {
    let m = PLUGIN.manifest();
    m.check().expect("valid manifest");
    assert_eq!(m.config_schema, serde_json::json!({"type": "object"}), "the default schema");
    let back: kpitree_plugin_abi::Manifest = serde_json::from_slice(&PLUGIN.manifest_json()).expect("json");
    assert_eq!(back, m);
}

#[test]
fn requests_good_and_bad() {
    let Response::Findings(f) = respond("{}") else { panic!("findings expected") };
    assert!(!f.is_empty() && f.iter().all(|f| f.severity == Some(Severity::Info) && f.evidence.is_some()));
    let Response::Findings(none) = respond(r#"{"max": 1000}"#) else { panic!("findings expected") };
    assert!(none.is_empty());
    let Response::Findings(same) = respond("  ") else { panic!("blank config reads as {{}}") };
    assert_eq!(same, f);
    match respond(r#"{"maks": 3}"#) {
        Response::Error(e) => assert!(e.message.starts_with("configuration: unknown field `maks`"), "{}", e.message),
        r => panic!("{r:?}"),
    }
    match respond(r#"{"max": 99}"#) {
        Response::Error(e) => assert_eq!(e.message, "ninety-nine is not a budget"),
        r => panic!("{r:?}"),
    }
    for bad in [&b""[..], b"\x01\x00\x00\x00\x00\x00\x00\x00x", b"garbage that is long enough"] {
        let r: Response = serde_json::from_slice(&PLUGIN.handle(bad)).expect("a response");
        assert!(matches!(r, Response::Error(ref e) if e.message.starts_with("malformed request")), "{r:?}");
    }
}

#[test]
fn the_tree_api_agrees_with_the_engine() {
    for name in ["software-company.json", "hospital.json", "municipality.json"] {
        let doc = example(name);
        let core = CoreTree::new(name, doc.clone()).expect("valid");
        let rollup = Rollup::new(&core);
        let request = encode_request(&core, &rollup, b"{}");
        let (view, _) = split_request(&request).expect("decodes");
        let tree = Tree::new(view);
        assert_eq!(tree.len(), doc.nodes.len());
        assert_eq!(tree.as_of().to_string(), doc.as_of.to_string());
        assert_eq!(tree.organisation(), doc.organisation);
        for (node, n) in tree.nodes().zip(&doc.nodes) {
            assert_eq!(node.id(), n.id);
            assert_eq!(node.display(), n.display());
            assert_eq!(node.is_active(), n.is_active());
            let parents: Vec<&str> = node.parents().map(|p| p.id()).collect();
            assert_eq!(parents, n.parents.iter().map(String::as_str).collect::<Vec<_>>());
            let children: Vec<u32> = node.children().map(|c| c.ix()).collect();
            assert_eq!(children, core.children(node.ix()));
            assert_eq!(tree.find(&n.id).map(|f| f.ix()), Some(node.ix()));
            // Ancestors: every node reachable upwards, each once, nearest first.
            let anc = node.ancestors();
            let mut want = std::collections::BTreeSet::new();
            let mut stack: Vec<u32> = core.parents(node.ix()).to_vec();
            while let Some(p) = stack.pop() {
                if want.insert(p) {
                    stack.extend(core.parents(p));
                }
            }
            assert_eq!(anc.iter().map(|a| a.ix()).collect::<std::collections::BTreeSet<_>>(), want);
            assert_eq!(anc.len(), want.len());
            assert!(anc.iter().take(node.parents().len()).zip(node.parents()).all(|(a, p)| *a == p));
        }
        assert_eq!(tree.of_kind(NodeKind::Kpi).count(), doc.nodes.iter().filter(|n| n.kind.as_str() == "kpi").count());
        let links: Vec<(&str, &str)> = tree.links().map(|l| (l.from.id(), l.to.id())).collect();
        assert_eq!(links, doc.links.iter().map(|l| (l.from.as_str(), l.to.as_str())).collect::<Vec<_>>());
        assert!(tree.find("no such id").is_none() && tree.node(tree.len() as u32).is_none());
    }
}
