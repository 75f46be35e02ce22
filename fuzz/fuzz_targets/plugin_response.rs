//! The host's check of what a plugin answers: `host::check_manifest` on an arbitrary manifest and
//! `host::findings_from_response` on an arbitrary response, against a real tree. What passes is
//! declared, names only nodes of the tree, is printable, stays within the expansion limit, and
//! merges into a report that serializes.
//!
//! Input: `MANIFEST \0 RESPONSE` (a raw NUL cannot occur in JSON), or a response alone, checked
//! against a fixed manifest.

#![no_main]

use kpitree_core::finding::Finding;
use kpitree_core::report::PluginResults;
use kpitree_core::rollup::Rollup;
use kpitree_plugin_abi::host::{self, check_manifest, findings_from_response};
use kpitree_plugin_abi::{Manifest, Reads};
use libfuzzer_sys::fuzz_target;

/// A manifest like the example plugins' (two rules, one with a long `why`).
const MANIFEST: &str = r#"{"name": "fuzz-plugin", "version": "1.0.0", "description": "d",
  "rules": [
    {"id": "owner-not-a-team", "severity": "warning", "summary": "s", "why": "w", "fix": "f"},
    {"id": "owner-kpi-quota", "severity": "error", "summary": "s", "why": "a longer why, repeated", "fix": "f"}],
  "config_schema": {"type": "object"}, "reads": ["owner", "title", "parents"]}"#;

fuzz_target!(|data: &[u8]| {
    let (manifest, response) = match data.iter().position(|&b| b == 0) {
        Some(k) => (&data[..k], &data[k + 1..]),
        None => (MANIFEST.as_bytes(), data),
    };
    let Ok(mut manifest) = serde_json::from_slice::<Manifest>(manifest) else { return };
    if let Err(e) = check_manifest(&manifest) {
        drop(e.to_string());
        return;
    }
    manifest.make_printable();
    for text in [&manifest.version, &manifest.description] {
        assert_printable(text);
    }
    for r in &manifest.rules {
        [&r.summary, &r.why, &r.fix].into_iter().for_each(|t| assert_printable(t));
    }
    let reads = manifest.reads();
    assert!(reads == Reads::ALL || manifest.reads.is_some());
    // A host reads at most its output limit; use the response's own size, the tightest it passes.
    let output_limit = response.len();
    kpitree_fuzz::with_example_trees(|_, tree| match findings_from_response(&manifest, tree, response, output_limit) {
        // Error messages may quote the plugin's bytes: what prints them for a person escapes them.
        Err(e) => drop(e.to_string()),
        Ok(findings) => {
            let mut expanded = 0u64;
            for f in &findings {
                let decl = manifest.rule(&f.rule).expect("a finding of a declared rule");
                assert_eq!(f.plugin.as_deref(), Some(manifest.name.as_str()));
                assert_eq!(&*f.why, decl.why.as_str(), "the rule's why");
                for id in &f.nodes {
                    assert!(tree.ix(id).is_some(), "finding names `{id}`, which is not in the tree");
                }
                assert_printable(&f.message);
                assert_printable(&f.fix);
                assert_printable(&f.why);
                for (key, value) in f.evidence.iter().flatten() {
                    assert_printable(key);
                    assert_json_printable(value);
                }
                expanded += size(f, &manifest.name);
            }
            assert!(
                expanded <= host::expanded_limit(output_limit as u64),
                "{expanded} bytes of findings from a {output_limit}-byte response"
            );
            let rollup = Rollup::new(tree);
            let results = PluginResults { findings, rules_run: manifest.rules.len(), errors: Vec::new() };
            let report = kpitree_core::check_with(tree, &rollup, kpitree_fuzz::default_settings(), results);
            kpitree_fuzz::assert_report(tree, &report);
            drop(kpitree_fuzz::report_json(&report));
        }
    });
});

/// What a finding makes the host hold, counted as `host::findings_from_response` counts it.
fn size(f: &Finding, plugin: &str) -> u64 {
    let evidence = f.evidence.as_ref().map_or(0, |e| serde_json::to_string(e).map_or(0, |s| s.len()));
    let texts = f.rule.len() + plugin.len() + f.message.len() + f.why.len() + f.fix.len();
    (texts + f.nodes.iter().map(String::len).sum::<usize>() + evidence) as u64
}

/// Plugin text reaches terminals: no control characters but newline and tab, no bidi overrides.
fn assert_printable(s: &str) {
    let bad = |c: char| {
        (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    assert!(!s.contains(bad), "unprintable text reached the host: {s:?}");
}

/// [`assert_printable`] on every string of a JSON value, object keys too.
fn assert_json_printable(v: &serde_json::Value) {
    match v {
        serde_json::Value::String(s) => assert_printable(s),
        serde_json::Value::Array(items) => items.iter().for_each(assert_json_printable),
        serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| {
            assert_printable(k);
            assert_json_printable(v);
        }),
        _ => {}
    }
}
