//! Custom rules (CEL): any text as a rule's `when`, `assert` and `message` is refused with located
//! errors or compiled, and a compiled rule runs on the example trees within its cost bound: no panic,
//! no hang, and every failure a named rule failure.

#![no_main]

use kpitree_session::{CustomRuleDef, CustomRules, RuleSource};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // Up to three expressions, split at NUL: assert, when, message.
    let mut parts = text.splitn(3, '\0');
    let assert = parts.next().map(str::to_owned);
    let when = parts.next().map(str::to_owned);
    let message = parts.next().map(str::to_owned);
    let def = CustomRuleDef { id: Some("fuzzed".to_owned()), assert, when, message, ..Default::default() };
    let source = RuleSource { file: "fuzz.toml".to_owned(), rules: vec![def] };
    match CustomRules::compile(&[source]) {
        Err(errors) => {
            assert!(!errors.is_empty(), "refused without a reason");
            for e in &errors {
                assert_eq!(e.rule, "fuzzed");
                assert!(e.field.is_some(), "an expression's error names its field: {e}");
                drop(e.to_string());
            }
        }
        Ok(rules) => kpitree_fuzz::with_example_trees(|_, tree| {
            let out = rules.run(tree);
            assert_eq!(out.rules_run, 1);
            for f in &out.errors {
                assert_eq!(f.plugin, "fuzzed");
                assert!(f.code.starts_with("custom-rule-"), "{}", f.code);
            }
            if !out.errors.is_empty() {
                assert!(out.findings.is_empty(), "a failed rule's findings are dropped");
            }
        }),
    }
});
