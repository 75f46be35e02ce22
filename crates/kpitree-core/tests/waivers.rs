//! Waivers, fingerprints and baselines through the engine's front door: what a waived or known
//! finding counts for, and which changes keep a finding's fingerprint.

use kpitree_core::baseline::{self, Baselines};
use kpitree_core::config::{Config, ConfigWaiver};
use kpitree_core::finding::{BaselineState, Severity};
use kpitree_core::{check, load_json, settings};

const TREE: &str = r#"{"version": 1, "organisation": "Acme", "as_of": "2026-11-27", "nodes": [
  {"id": "s", "kind": "strategy", "title": "Grow", "owner": "CEO"},
  {"id": "o", "kind": "objective", "title": "Win", "owner": "Sales", "parents": ["s"], "period": "2026-Q4"},
  {"id": "k1", "kind": "kpi", "title": "Pipeline", "owner": "Sales", "parents": ["o"], "last_reviewed": "2024-01-31"WAIVER},
  {"id": "k2", "kind": "kpi", "title": "Win rate", "owner": "Sales", "parents": ["o"], "last_reviewed": "2024-01-31"}]}"#;

fn tree(waiver: &str) -> kpitree_core::tree::Tree {
    load_json("t.json", &TREE.replace("WAIVER", waiver)).expect("valid")
}

fn config(waivers: Vec<ConfigWaiver>) -> kpitree_core::config::Settings {
    settings(&Config { waivers, ..Config::default() }).expect("valid configuration")
}

#[test]
fn a_waived_finding_stays_but_counts_for_nothing() {
    let plain = check(&tree(""), &config(vec![]));
    let waived = check(
        &tree(r#", "waivers": [{"rule": "stale-kpi", "reason": "new CRM in Q1", "until": "2027-03-31"}]"#),
        &config(vec![]),
    );
    let stale = |r: &kpitree_core::report::Report, id: &str| {
        r.findings.iter().find(|f| f.rule == "stale-kpi" && f.nodes[0] == id).cloned().expect("reported")
    };
    let f = stale(&waived, "k1");
    let w = f.waived.as_ref().expect("marked waived");
    assert_eq!((w.reason.as_str(), w.until.map(|d| d.to_string())), ("new CRM in Q1", Some("2027-03-31".into())));
    assert!(stale(&waived, "k2").waived.is_none(), "only the node's own finding");
    assert_eq!(waived.summary.waived, 1);
    assert_eq!(waived.summary.warnings + 1, plain.summary.warnings);
    assert!(waived.scores.health > plain.scores.health, "a waived finding weighs on no health score");
    let kpi = |r: &kpitree_core::report::Report| r.scores.kpis.iter().find(|k| k.id == "k1").map(|k| k.health);
    // Its warning (0.5) no longer weighs on the KPI.
    assert_eq!(kpi(&waived), kpi(&plain).map(|h| h + 50.0));
    // The same fingerprint either way: waiving does not change what the finding is.
    assert_eq!(f.fingerprint, stale(&plain, "k1").fingerprint);
    let json = serde_json::to_value(&waived).expect("serialises");
    let k = waived.findings.iter().position(|f| f.waived.is_some()).expect("one");
    assert_eq!(json["findings"][k]["waived"]["reason"], "new CRM in Q1");
    assert_eq!(json["summary"]["waived"], 1);
    assert!(serde_json::to_value(&plain).expect("serialises")["summary"].get("waived").is_none());
}

#[test]
fn fail_on_ignores_waived_findings() {
    let both = r#", "waivers": [{"rule": "stale-kpi", "reason": "r"}]"#;
    let config_waiver =
        ConfigWaiver { rule: "stale-kpi".into(), nodes: vec!["k2".into()], reason: "r".into(), until: None };
    // Only the rules about staleness and waivers, so that every warning is one of them.
    let mut c = Config { waivers: vec![config_waiver], ..Config::default() };
    for rule in kpitree_core::rules::builtin() {
        let id = rule.meta().id;
        if !matches!(id, "stale-kpi" | "expired-waiver" | "unused-waiver") {
            c.enable(id, false);
        }
    }
    let r = check(&tree(both), &settings(&c).expect("valid"));
    let warnings: Vec<_> = r.findings.iter().filter(|f| f.severity >= Severity::Warning).collect();
    assert!(warnings.iter().all(|f| f.waived.is_some()), "{warnings:#?}");
    assert!(!r.fails_at(Severity::Warning));
    assert_eq!(warnings.len(), 2);
    let unwaived = Config { waivers: vec![], ..c };
    assert!(check(&tree(""), &settings(&unwaived).expect("valid")).fails_at(Severity::Warning));
}

#[test]
fn a_configuration_waiver_without_nodes_covers_whole_tree_findings() {
    // Three KPIs over a budget of two for the whole tree: a finding with no nodes.
    let mut c = Config::default();
    c.set("metric-overload", "max_total", kpitree_core::config::ParamValue::Int(1));
    c.waivers.push(ConfigWaiver {
        rule: "metric-overload".into(),
        nodes: vec![],
        reason: "two KPIs while the CRM moves".into(),
        until: None,
    });
    let r = check(&tree(""), &settings(&c).expect("valid"));
    let overload: Vec<_> = r.findings.iter().filter(|f| f.rule == "metric-overload").collect();
    assert!(!overload.is_empty() && overload.iter().all(|f| f.waived.is_some()), "{overload:#?}");
    assert!(!r.findings.iter().any(|f| f.rule == "unused-waiver"));
}

#[test]
fn an_expired_waiver_covers_nothing_and_is_reported_once() {
    let r =
        check(&tree(r#", "waivers": [{"rule": "stale-kpi", "reason": "r", "until": "2026-11-26"}]"#), &config(vec![]));
    assert!(r.findings.iter().all(|f| f.waived.is_none()));
    let expired: Vec<_> = r.findings.iter().filter(|f| f.rule == "expired-waiver").collect();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].nodes, ["k1"]);
    assert!(!r.findings.iter().any(|f| f.rule == "unused-waiver"), "expired, not also unused");
}

#[test]
fn waiver_rules_can_be_switched_off_and_reconfigured() {
    let t = tree(r#", "waivers": [{"rule": "orphan-kpi", "reason": "r"}]"#);
    let mut c = Config::default();
    c.enable("unused-waiver", false);
    assert!(!check(&t, &settings(&c).expect("valid")).findings.iter().any(|f| f.rule == "unused-waiver"));
    let mut c = Config::default();
    c.rules.entry("unused-waiver".into()).or_default().severity = Some(Severity::Error);
    let r = check(&t, &settings(&c).expect("valid"));
    assert!(r.findings.iter().any(|f| f.rule == "unused-waiver" && f.severity == Severity::Error));
}

#[test]
fn bad_waivers_are_located_problems() {
    let text = TREE.replace(
        "WAIVER",
        r#", "waivers": [{"rule": "stale-kpi", "reason": " "}, {"rule": "stale-kpi", "reason": "again"}, {"rule": "unused-waiver", "reason": "r"}]"#,
    );
    let e = load_json("t.json", &text).expect_err("invalid");
    let fields: Vec<_> = e.problems.iter().map(|p| (p.at.node.clone(), p.at.field.clone(), p.at.line)).collect();
    assert!(fields.contains(&(Some("k1".into()), Some("waivers[0].reason".into()), Some(4))), "{e}");
    assert!(fields.contains(&(Some("k1".into()), Some("waivers[1].rule".into()), Some(4))), "{e}");
    assert!(fields.contains(&(Some("k1".into()), Some("waivers[2].rule".into()), Some(4))), "{e}");
    let e =
        load_json("t.json", &TREE.replace("WAIVER", r#", "waivers": [{"rule": "stale-kpi"}]"#)).expect_err("no reason");
    assert!(e.to_string().contains("missing field `reason`"), "{e}");
    let bad = vec![
        ConfigWaiver { rule: String::new(), nodes: vec![], reason: "r".into(), until: None },
        ConfigWaiver { rule: "stale-kpi".into(), nodes: vec![" ".into()], reason: String::new(), until: None },
        ConfigWaiver { rule: "Stale KPI".into(), nodes: vec![], reason: "r".into(), until: None },
    ];
    let errors = settings(&Config { waivers: bad, ..Config::default() }).expect_err("invalid");
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "[[waivers]] #1, `rule`: a waiver must name the rule it waives",
            "[[waivers]] #2, `reason`: a waiver must say why the findings are accepted",
            "[[waivers]] #2, `nodes`: a node id is blank",
            "[[waivers]] #3, `rule`: \"Stale KPI\" is not a rule id: lowercase letters, digits and '-', starting \
             with a letter or digit, at most 64 bytes (did you mean `stale-kpi`?)",
        ]
    );
}

#[test]
fn fingerprints_survive_reordering_and_rewording() {
    let a = check(&tree(""), &config(vec![]));
    // Same tree, nodes in another order and titles reworded.
    let moved = r#"{"version": 1, "organisation": "Acme", "as_of": "2026-11-27", "nodes": [
      {"id": "k2", "kind": "kpi", "title": "Win-rate (all deals)", "owner": "Sales", "parents": ["o"], "last_reviewed": "2024-01-31"},
      {"id": "o", "kind": "objective", "title": "Win the market", "owner": "Sales", "parents": ["s"], "period": "2026-Q4"},
      {"id": "s", "kind": "strategy", "title": "Grow", "owner": "CEO"},
      {"id": "k1", "kind": "kpi", "title": "Pipeline value", "owner": "Sales", "parents": ["o"], "last_reviewed": "2024-01-31"}]}"#;
    let b = check(&load_json("t.json", moved).expect("valid"), &config(vec![]));
    let prints = |r: &kpitree_core::report::Report| {
        let mut p: Vec<String> = r.findings.iter().map(|f| format!("{} {}", f.rule, f.fingerprint)).collect();
        p.sort();
        p
    };
    assert!(!a.findings.is_empty());
    assert_eq!(prints(&a), prints(&b));
    assert!(a.findings.iter().all(|f| f.fingerprint.len() == 16));
}

#[test]
fn a_baseline_marks_known_and_new_findings() {
    let before = check(&tree(""), &config(vec![]));
    let text = serde_json::to_string(&before).expect("serialises");
    let base = Baselines::from_json("before.json", &text).expect("a report").for_file("t.json");
    assert_eq!(base.len(), before.findings.len());
    // A new problem: k2 loses its owner.
    let after_text =
        TREE.replace("WAIVER", "").replace(r#""title": "Win rate", "owner": "Sales", "#, r#""title": "Win rate", "#);
    let mut after = check(&load_json("t.json", &after_text).expect("valid"), &config(vec![]));
    baseline::mark(&mut after, &base);
    let new: Vec<&str> =
        after.findings.iter().filter(|f| f.baseline == Some(BaselineState::New)).map(|f| f.rule.as_str()).collect();
    assert_eq!(new, ["missing-owner"]);
    assert_eq!(after.summary.new, Some(1));
    assert_eq!(after.summary.known, Some(before.findings.len()));
    // Known findings do not fail a run; the new error does.
    assert!(after.fails_at(Severity::Error));
    let mut same = check(&tree(""), &config(vec![]));
    baseline::mark(&mut same, &base);
    assert!(!same.fails_at(Severity::Info), "everything is known");
    assert!(same.scores.health < 100.0, "known findings still weigh on health");
}

#[test]
fn baselines_are_checked_like_trees() {
    let e = Baselines::from_json("b.json", "{\"findings\": [\n  {\"rule\": \"x\"}\n]}").expect_err("old report");
    let p = &e.problems[0];
    assert_eq!((p.at.line, p.at.field.as_deref()), (Some(2), Some("findings[0]")));
    assert!(e.to_string().contains("written by an older kpitree"), "{e}");
    let e = Baselines::from_json("b.json", "{\"nodes\": []}").expect_err("not a report");
    assert!(e.to_string().contains("neither `findings` nor `files`"), "{e}");
    let e = Baselines::from_json("b.json", "{\"findings\": [").expect_err("broken");
    assert_eq!(e.problems[0].code(), "syntax");
    let files = r#"{"files": [{"file": "a.json", "report": {"findings": [{"fingerprint": "0123456789abcdef"}]}}, {"file": "bad.json"}]}"#;
    let b = Baselines::from_json("b.json", files).expect("several");
    assert_eq!(b.for_file("a.json").len(), 1);
    assert!(b.for_file("bad.json").is_empty() && b.for_file("other.json").is_empty());
    // Another spelling of the same path, or the only file of that name elsewhere, is the same tree.
    assert_eq!(b.lookup(&["./x/../a.json"]).map(|b| b.len()), Some(1));
    assert_eq!(b.lookup(&["dir/a.json"]).map(|b| b.len()), Some(1));
    assert!(b.lookup(&["other.json"]).is_none(), "no report of it");
    assert_eq!(b.files(), ["a.json", "bad.json"]);
    let two = r#"{"files": [{"file": "x/a.json", "report": null}, {"file": "y/a.json"}]}"#;
    assert!(Baselines::from_json("b.json", two).expect("several").lookup(&["a.json"]).is_none(), "which a.json?");

    // Shapes other than a report's are refused in the user's words, located.
    let bad = |text: &str| Baselines::from_json("b.json", text).expect_err("refused").problems[0].clone();
    let p = bad("{\"findings\": [{\"fingerprint\": \"zz\"}]}");
    assert_eq!(p.at.field.as_deref(), Some("findings[0].fingerprint"));
    assert!(p.message.contains("16 lowercase hexadecimal digits"), "{}", p.message);
    assert!(bad("null").message.contains("expected a report object"));
    assert!(bad("{\"findings\": [[1]]}").message.contains("expected a finding object"));
    let twice = r#"{"files": [{"file": "a.json"}, {"file": "./a.json"}]}"#;
    assert!(bad(twice).message.contains("listed twice"));
}

#[test]
fn a_group_finding_keeps_its_fingerprint_when_its_group_changes() {
    // An owner with more objectives in one period than the budget (1): one finding about the group.
    let tree = |n: usize| {
        let mut nodes = vec![r#"{"id": "s", "kind": "strategy", "title": "Grow", "owner": "CEO"}"#.to_owned()];
        for k in 0..n {
            nodes.push(format!(
                r#"{{"id": "o{k}", "kind": "objective", "title": "Goal {k}", "owner": "Sales", "parents": ["s"], "period": "2026-Q4"}}"#
            ));
        }
        let text = format!(
            r#"{{"version": 1, "organisation": "Acme", "as_of": "2026-11-27", "nodes": [{}]}}"#,
            nodes.join(",")
        );
        load_json("t.json", &text).expect("valid")
    };
    let mut c = Config::default();
    c.set("too-many-objectives", "max_per_owner", kpitree_core::config::ParamValue::Int(1));
    let s = settings(&c).expect("valid");
    let print = |n: usize| {
        let r = check(&tree(n), &s);
        let f: Vec<_> = r.findings.iter().filter(|f| f.rule == "too-many-objectives").collect();
        assert_eq!(f.len(), 1, "one finding for the owner's group");
        assert_eq!(f[0].nodes.len(), n);
        f[0].fingerprint.clone()
    };
    assert_eq!(print(2), print(3), "one more objective is the same case");
}
