//! The example custom rules (`examples/rules.toml`) against their pass/fail fixtures
//! (`tests/custom-rules/<id>/`), as the built-in rules are tested: each rule alone, through the
//! configuration path the CLI, the server and the browser share.

use kpitree_core::config::Config;
use kpitree_core::tree::Tree;
use kpitree_session::Configuration;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn examples() -> Configuration {
    let mut c = Configuration::command_line();
    let text = std::fs::read_to_string(root().join("examples/rules.toml")).expect("examples/rules.toml exists");
    c.add_rules_file(&text, "examples/rules.toml").expect("parses");
    c
}

fn load(doc: &str) -> Tree {
    kpitree_core::load_json("t.json", doc).expect("valid")
}

#[test]
fn every_example_rule_passes_its_fixtures() {
    let c = examples();
    let rules = c.custom_rules(&mut c.config.clone()).unwrap_or_else(|e| panic!("compiles: {e:?}"));
    assert!(rules.rules().len() >= 6, "at least six examples");
    let mut failures = Vec::new();
    for rule in rules.rules() {
        // Only this rule runs: the others are switched off, as `kpitree-fixtures` expects.
        let mut alone = Configuration::command_line();
        alone.custom = c.custom.clone();
        for other in rules.rules().iter().filter(|r| r.id != rule.id) {
            alone.config.enable(&other.id, false);
        }
        let only = alone.custom_rules(&mut alone.config.clone()).expect("compiles");
        let runner = |tree: &Tree, _: &Config| -> Result<_, String> {
            let out = only.run(tree);
            if out.errors.is_empty() { Ok(out.findings) } else { Err(format!("{:?}", out.errors)) }
        };
        let dir = root().join("tests/custom-rules").join(&rule.id);
        failures.extend(kpitree_fixtures::check_dir(&dir, &rule.id, &runner));
    }
    // Every fixture directory belongs to an example rule.
    for entry in std::fs::read_dir(root().join("tests/custom-rules")).expect("the fixtures") {
        let name = entry.expect("an entry").file_name().to_string_lossy().into_owned();
        assert!(rules.rule(&name).is_some(), "tests/custom-rules/{name} has no rule in examples/rules.toml");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Bad rules are refused all at once, each naming its file, rule, field and position.
#[test]
fn bad_rules_are_all_reported_with_their_place() {
    let mut c = Configuration::command_line();
    let text = r#"
[[custom_rules]]
id = "Bad Id"
assert = "true"

[[custom_rules]]
id = "orphan-kpi"
assert = "true"

[[custom_rules]]
id = "ok"
severity = "loud"
kinds = ["kpi", "team"]
when = "node.status =="
assert = "has(node.departmnt) && nod.x"
message = "node.title.replace('a', 'b')"
"#;
    c.add_rules_file(text, "r.toml").expect("parses");
    let errors = c.custom_rules(&mut Config::default()).expect_err("refused");
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let want = [
        "r.toml: custom rule `#1`, field `id`: \"Bad Id\" is not an id",
        "r.toml: custom rule `orphan-kpi`, field `id`: a built-in rule has this id",
        "r.toml: custom rule `ok`, field `severity`: \"loud\": expected error, warning or info",
        "r.toml: custom rule `ok`, field `kinds`: \"team\" is not a kind",
        "r.toml: custom rule `ok`, field `when` at column 15: ",
        "r.toml: custom rule `ok`, field `assert` at column 10: nodes have no field `departmnt` (did you mean `department`?)",
        "r.toml: custom rule `ok`, field `assert` at column 24: unknown name `nod` (did you mean `node`?)",
        "r.toml: custom rule `ok`, field `message` at column 12: `replace` is not available in kpitree rules",
    ];
    assert_eq!(lines.len(), want.len(), "{lines:#?}");
    for (got, want) in lines.iter().zip(want) {
        assert!(got.starts_with(want), "{got}\n  does not start with\n{want}");
    }
}

/// `[rules.<custom id>]` switches and re-grades a custom rule; options there are refused.
#[test]
fn rules_tables_switch_custom_rules() {
    let mut c = Configuration::from_toml(
        "[rules.titled]\nseverity = \"error\"\n[rules.dept]\nenabled = false\n",
        "kpitree.toml".to_owned(),
    )
    .expect("parses");
    c.add_rules_file(
        "[[custom_rules]]\nid = \"titled\"\nassert = \"node.title != ''\"\n[[custom_rules]]\nid = \"dept\"\nassert = \"false\"\n",
        "r.toml",
    )
    .expect("parses");
    let mut config = c.config.clone();
    let rules = c.custom_rules(&mut config).expect("compiles");
    assert!(config.rules.is_empty(), "their entries are taken out: {config:?}");
    assert!(kpitree_core::settings(&config).is_ok(), "what is left resolves against the built-in rules");
    let out = rules.run(&load(
        r#"{"version": 1, "organisation": "A", "as_of": "2026-11-27", "nodes": [{"id": "k", "kind": "kpi", "title": ""}]}"#,
    ));
    assert_eq!(out.rules_run, 1);
    assert_eq!(out.findings.len(), 1);
    assert_eq!(out.findings[0].severity, kpitree_core::finding::Severity::Error);
    let bad = Configuration::from_toml("[rules.titled]\nlimit = 3\n", "kpitree.toml".to_owned()).expect("parses");
    let mut bad = bad;
    bad.custom = c.custom.clone();
    let errors = bad.custom_rules(&mut bad.config.clone()).expect_err("no options");
    assert!(errors[0].to_string().contains("custom rules have no options"), "{errors:?}");
}

/// A rule that fails on a node is a named failure; the other rules still run.
#[test]
fn a_failing_expression_is_a_named_rule_failure() {
    let mut c = Configuration::command_line();
    let text = "[[custom_rules]]\nid = \"dept\"\nkinds = [\"kpi\"]\nassert = \"node.department == 'Sales'\"\n\n\
                [[custom_rules]]\nid = \"titled\"\nassert = \"node.title != ''\"\n";
    c.add_rules_file(text, "r.toml").expect("parses");
    let rules = c.custom_rules(&mut Config::default()).expect("compiles");
    let tree = load(
        r#"{"version": 1, "organisation": "A", "as_of": "2026-11-27", "nodes": [
        {"id": "k", "kind": "kpi", "title": "", "owner": "o"}]}"#,
    );
    let out = rules.run(&tree);
    assert_eq!(out.rules_run, 2);
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].plugin, "dept");
    assert_eq!(out.errors[0].code, "custom-rule-failed");
    let want = "custom rule `dept` (r.toml) failed on KPI \"\" (k), in `assert`: no field `department` here; \
                the document does not give it, so test for it first: has(node.department)";
    assert!(out.errors[0].message.starts_with(want), "{}", out.errors[0].message);
    assert_eq!(out.findings.len(), 1, "the other rule ran");
    assert_eq!(out.findings[0].rule, "titled");
}

/// A rule whose cost grows with the square of the tree does not run on a large tree: a named
/// failure, before any work. The same rule runs on a small one.
#[test]
fn a_quadratic_rule_is_refused_on_a_large_tree() {
    let mut c = Configuration::command_line();
    let text = "[[custom_rules]]\nid = \"unique-title\"\nassert = \"!nodes.exists(n, n.title == node.title && n.id != node.id)\"\n";
    c.add_rules_file(text, "r.toml").expect("parses");
    let rules = c.custom_rules(&mut Config::default()).expect("compiles");
    let doc = |n: usize| {
        let nodes: Vec<String> =
            (0..n).map(|i| format!(r#"{{"id": "k{i}", "kind": "kpi", "title": "K{}"}}"#, i.min(1))).collect();
        format!(r#"{{"version": 1, "organisation": "A", "as_of": "2026-11-27", "nodes": [{}]}}"#, nodes.join(","))
    };
    let out = rules.run(&load(&doc(5000)));
    assert_eq!(out.errors.len(), 1, "{out:?}");
    assert_eq!(out.errors[0].code, "custom-rule-too-costly");
    assert!(out.errors[0].message.contains("on this tree of 5000 nodes"), "{}", out.errors[0].message);
    assert!(out.findings.is_empty());
    let out = rules.run(&load(&doc(40)));
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.findings.len(), 39, "all but k0 share the title K1");
}

/// A run builds only the node fields its rules read. The same rules made to read whole node maps
/// (`size(node)` reads them all) find the same, on every example tree and fixture.
#[test]
fn reading_only_the_fields_used_finds_the_same() {
    let c = examples();
    let mut whole = c.clone();
    for source in &mut whole.custom {
        for rule in &mut source.rules {
            rule.assert = rule.assert.as_ref().map(|a| format!("({a}) && size(node) > 0"));
        }
    }
    let partial = c.custom_rules(&mut c.config.clone()).expect("compiles");
    let whole = whole.custom_rules(&mut whole.config.clone()).expect("compiles");
    let mut compared = 0;
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in std::fs::read_dir(root().join("tests/custom-rules")).expect("fixtures") {
        files.extend(
            std::fs::read_dir(dir.expect("a dir").path()).expect("a fixture dir").map(|e| e.expect("a file").path()),
        );
    }
    files.extend(std::fs::read_dir(root().join("examples")).expect("examples").map(|e| e.expect("an entry").path()));
    for path in files {
        let name = path.to_string_lossy();
        if !name.ends_with(".json") || name.ends_with(".expected.json") {
            continue;
        }
        let tree = load(&std::fs::read_to_string(&path).expect("readable"));
        let (a, b) = (partial.run(&tree), whole.run(&tree));
        assert!(a.errors.is_empty() && b.errors.is_empty(), "{:?} {:?}", a.errors, b.errors);
        assert_eq!(a.findings, b.findings, "{}", path.display());
        compared += a.findings.len();
    }
    assert!(compared > 0, "the examples have findings to compare");
}

/// `parents` and `children` are node maps in document order; `node.parents` keeps the ids as
/// written; `nodes` is every node in document order; `as_of` the tree's date.
#[test]
fn lists_come_in_document_order() {
    let mut c = Configuration::command_line();
    let text = r#"
[[custom_rules]]
id = "up"
kinds = ["kpi"]
assert = "false"
message = "parents.map(p, p.id).join(',') + ' | ' + node.parents.join(',') + ' | ' + nodes.map(n, n.id).join(',') + ' | ' + as_of"

[[custom_rules]]
id = "down"
kinds = ["strategy"]
assert = "false"
message = "children.map(c, c.id).join(',') + ' | ' + string(days_since('2026-11-01'))"
"#;
    c.add_rules_file(text, "r.toml").expect("parses");
    let rules = c.custom_rules(&mut Config::default()).expect("compiles");
    let tree = load(
        r#"{"version": 1, "organisation": "A", "as_of": "2026-11-27", "nodes": [
        {"id": "s", "kind": "strategy", "title": "S"},
        {"id": "b", "kind": "objective", "title": "B", "parents": ["s"]},
        {"id": "a", "kind": "objective", "title": "A", "parents": ["s"]},
        {"id": "k", "kind": "kpi", "title": "K", "parents": ["a", "b"]}]}"#,
    );
    let out = rules.run(&tree);
    let messages: Vec<&str> = out.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(messages, ["b,a | a,b | s,b,a,k | 2026-11-27", "b,a | 26"]);
}

/// A rule on `children` is charged each node's own children: a hub with 20,000 KPIs under it does
/// not make every KPI cost 20,000, so the rule runs.
#[test]
fn a_hub_does_not_make_every_node_costly() {
    let mut c = Configuration::command_line();
    let text = "[[custom_rules]]\nid = \"all-active\"\nassert = \"children.all(c, c.status == 'active')\"\n";
    c.add_rules_file(text, "r.toml").expect("parses");
    let rules = c.custom_rules(&mut Config::default()).expect("compiles");
    let mut nodes = vec![r#"{"id": "o", "kind": "objective", "title": "O"}"#.to_owned()];
    nodes.extend((0..20_000).map(|i| format!(r#"{{"id": "k{i}", "kind": "kpi", "title": "K", "parents": ["o"]}}"#)));
    nodes.push(r#"{"id": "r", "kind": "kpi", "title": "R", "parents": ["o"], "status": "retired"}"#.to_owned());
    let doc =
        format!(r#"{{"version": 1, "organisation": "A", "as_of": "2026-11-27", "nodes": [{}]}}"#, nodes.join(","));
    let out = rules.run(&load(&doc));
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.findings.iter().map(|f| f.nodes[0].as_str()).collect::<Vec<_>>(), ["o"]);
}
