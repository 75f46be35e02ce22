//! The shared checks clean a plugin's text the same way for every host: `tests/plugins/printable/`
//! holds a manifest and responses full of control characters, and `expected.json` beside them is
//! what the ABI's checks make of them. The wasmtime host's test (`kpitree-plugin-host`,
//! `plugin_text_is_cleaned_as_the_abi_says`) runs the same files through a real module and compares
//! with the same `expected.json`, so the browser (which calls these functions) and the native host
//! agree byte for byte. `KPITREE_BLESS=1` rewrites `expected.json`; review it.

use kpitree_core::rollup::Rollup;
use kpitree_core::tree::Tree;
use kpitree_plugin_abi::Manifest;
use kpitree_plugin_abi::host::{check_manifest, findings_from_response};
use kpitree_plugin_abi::limits::OUTPUT_SIZE;
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/plugins/printable")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn plugin_text_is_cleaned_as_expected() {
    let mut manifest: Manifest = serde_json::from_str(&read("manifest.json")).expect("manifest parses");
    check_manifest(&manifest).expect("manifest is valid");
    manifest.make_printable();
    let text = read("tree.json");
    let doc = kpitree_core::parse_json("tree.json", &text).expect("tree parses");
    let tree = Tree::new("tree.json", doc.clone()).expect("tree is valid");
    // The request is not needed to check a response, but encoding it proves the tree is a plugin's.
    let _ = kpitree_plugin_abi::encode_request(&tree, &Rollup::new(&tree), b"{}");
    let findings =
        findings_from_response(&manifest, &tree, read("response.json").as_bytes(), OUTPUT_SIZE).expect("accepted");
    let error = findings_from_response(&manifest, &tree, read("response-error.json").as_bytes(), OUTPUT_SIZE)
        .expect_err("a reported error")
        .to_string();
    let got = serde_json::to_string_pretty(&serde_json::json!({
        "manifest": manifest, "findings": findings, "error": error,
    }))
    .expect("serialises")
        + "\n";
    let expected_path = dir().join("expected.json");
    if std::env::var_os("KPITREE_BLESS").is_some_and(|v| v != "0") {
        std::fs::write(&expected_path, &got).expect("writes expected.json");
    }
    let expected = std::fs::read_to_string(&expected_path)
        .unwrap_or_else(|e| panic!("{}: {e} (KPITREE_BLESS=1 writes it)", expected_path.display()));
    assert_eq!(got, expected);
    // What the cleaning must guarantee, whatever the expected file says.
    let bad = |s: &str| s.chars().any(|c| c.is_control() && c != '\n' && c != '\t');
    assert!(!bad(&got.replace("\\n", "").replace("\\t", "")) && !got.contains("\\u00"), "{got}");
}
