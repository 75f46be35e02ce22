//! The published JSON Schema agrees with the engine: every document the engine accepts (examples and
//! rule fixtures) validates against it, documents refused for their shape are refused by it too, and
//! JSON written by the engine reads back to the same document.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") && !path.to_string_lossy().ends_with(".expected.json") {
            out.push(path);
        }
    }
}

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(kpitree_core::SCHEMA).expect("schema is JSON");
    jsonschema::draft202012::new(&schema).expect("schema is a valid draft 2020-12 schema")
}

fn accepted_documents() -> Vec<PathBuf> {
    let mut files = Vec::new();
    json_files(&root().join("examples"), &mut files);
    json_files(&root().join("tests/rules"), &mut files);
    // Documents written for the schema's edge cases (`null` for optional fields).
    json_files(&root().join("tests/schema"), &mut files);
    files.sort();
    files
}

#[test]
fn accepted_documents_validate_against_the_schema() {
    let v = validator();
    let files = accepted_documents();
    assert!(files.len() > 10, "expected examples and rule fixtures, found {}", files.len());
    let mut failures = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable");
        kpitree_core::load("doc", &text, kpitree_core::Format::Json, &Default::default())
            .unwrap_or_else(|e| panic!("{}: the engine refuses it:\n{e}", path.display()));
        let instance: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        for error in v.iter_errors(&instance) {
            failures.push(format!("{}: {} at {}", path.display(), error, error.instance_path()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn documents_refused_for_their_shape_are_refused_by_the_schema() {
    let v = validator();
    for name in [
        "wrong-type",
        "unknown-field",
        "missing-title",
        "unknown-kind",
        "unsupported-version",
        "bad-link-kind",
        "fields-and-ranges",
        "bad-waivers",
    ] {
        let path = root().join(format!("tests/validation/{name}.json"));
        let instance: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("readable")).expect("JSON");
        assert!(!v.is_valid(&instance), "{name}.json should not validate against the schema");
    }
}

#[test]
fn written_json_reads_back_identically() {
    for path in accepted_documents() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let doc = kpitree_core::parse_json("doc", &text).expect("parses");
        let again = kpitree_core::parse_json("again", &kpitree_core::to_json(&doc)).expect("reparses");
        assert_eq!(doc, again, "{}", path.display());
        // CSV trims cells and regroups links, so compare what matters: the same findings, and, once
        // normalised by one conversion, conversions that change nothing.
        let to_csv = kpitree_core::csv::to_csv;
        let from_csv = |t: &str| kpitree_core::csv::from_csv("csv", t, &Default::default()).expect("CSV reads back");
        let back = from_csv(&to_csv(&doc));
        let csv = to_csv(&back);
        assert_eq!(to_csv(&from_csv(&csv)), csv, "{}: CSV conversion is not stable", path.display());
        let settings = kpitree_core::settings(&Default::default()).expect("defaults");
        let findings = |d: &kpitree_core::TreeDoc| {
            let tree = kpitree_core::Tree::new("doc", d.clone()).expect("valid");
            let mut f: Vec<String> = kpitree_core::check(&tree, &settings)
                .findings
                .into_iter()
                .map(|f| format!("{} {:?} {}", f.rule, f.nodes, f.message))
                .collect();
            f.sort();
            f
        };
        assert_eq!(findings(&back), findings(&doc), "{}: CSV gives other findings", path.display());
    }
}

/// The engine and the schema agree on each waiver on its own: blank rules and reasons, the waivers'
/// own rules, a date that is not one and an unknown field are refused by both.
#[test]
fn waivers_are_judged_alike() {
    let v = validator();
    let doc = |waiver: &str| {
        format!(
            r#"{{"version": 1, "organisation": "W", "as_of": "2026-11-27",
                "nodes": [{{"id": "s", "kind": "strategy", "title": "Grow", "waivers": [{waiver}]}}]}}"#
        )
    };
    let judge = |waiver: &str| {
        let text = doc(waiver);
        let engine = kpitree_core::load("doc", &text, kpitree_core::Format::Json, &Default::default()).is_ok();
        let schema = v.is_valid(&serde_json::from_str(&text).expect("JSON"));
        (engine, schema)
    };
    for good in [
        r#"{"rule": "missing-owner", "reason": "interim"}"#,
        r#"{"rule": "missing-owner", "reason": " interim ", "until": "2027-03-31"}"#,
        r#"{"rule": "missing-owner", "reason": "interim", "until": null}"#,
    ] {
        assert_eq!(judge(good), (true, true), "{good}");
    }
    for bad in [
        r#"{"rule": "", "reason": "interim"}"#,
        r#"{"rule": " \t", "reason": "interim"}"#,
        r#"{"rule": "missing-owner", "reason": ""}"#,
        r#"{"rule": "missing-owner", "reason": "  \n"}"#,
        r#"{"rule": "missing-owner"}"#,
        r#"{"reason": "interim"}"#,
        r#"{"rule": "expired-waiver", "reason": "interim"}"#,
        r#"{"rule": "unused-waiver", "reason": "interim"}"#,
        r#"{"rule": "missing-owner", "reason": "interim", "until": "31/03/2027"}"#,
        r#"{"rule": "missing-owner", "reason": "interim", "nodes": ["s"]}"#,
    ] {
        assert_eq!(judge(bad), (false, false), "{bad}");
    }
}
