//! The configuration: `kpitree.toml` parsed as the CLI and the server parse it, resolved against the
//! built-in rules, and every configuration that resolves used to check and prune the example trees
//! (extreme thresholds reach the rules' arithmetic).

#![no_main]

use kpitree_core::config::ParamValue;
use kpitree_session::ConfigFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The CLI prints the parser's message, which quotes the line.
    let Ok(file) = ConfigFile::from_toml(text) else { return };
    // Each plugin's section is handed to the plugin as JSON.
    for value in file.plugins.values() {
        let bytes = serde_json::to_vec(value).expect("a plugin's configuration serializes");
        let back: serde_json::Value = serde_json::from_slice(&bytes).expect("and reads back");
        assert!(back == *value, "a plugin's configuration changed through JSON");
    }
    match kpitree_core::settings(&file.engine_config()) {
        Err(errors) => {
            assert!(!errors.is_empty(), "refused without a reason");
            errors.iter().for_each(|e| drop(e.to_string()));
        }
        Ok(settings) => {
            // `Config::resolve` checks types and ranges: what it lets through is in range.
            for (rule, s) in kpitree_core::rules::builtin().iter().zip(&settings.rules) {
                for (spec, (name, value)) in rule.meta().params.iter().zip(&s.params) {
                    let x = match value {
                        ParamValue::Int(i) => *i as f64,
                        ParamValue::Float(x) => *x,
                        // A list's range bounds how many words it holds.
                        ParamValue::Words(w) => w.len() as f64,
                        ParamValue::Bool(_) => continue,
                    };
                    assert!(
                        (spec.min..=spec.max).contains(&x),
                        "{}.{name} = {value} was accepted outside {}..={}",
                        rule.meta().id,
                        spec.min,
                        spec.max
                    );
                }
            }
            // The browser hands a configuration that resolves to the page as JSON and reads it back
            // for the check (the range checks above keep out TOML's `nan` and `inf`, which JSON lacks).
            let json = serde_json::to_string(&file).expect("a configuration serializes");
            assert!(ConfigFile::from_json(&json).as_ref() == Ok(&file), "a configuration changed through JSON");
            kpitree_fuzz::with_example_trees(|_, tree| drop(kpitree_fuzz::check_valid(tree, &settings)));
        }
    }
});
