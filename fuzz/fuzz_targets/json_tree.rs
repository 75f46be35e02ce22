//! JSON trees: load (parse, validate, locate problems), check, prune and write back, as the CLI
//! does; and the browser's lean engine (kpitree-json-lite, then `validate_json`) on the same
//! text must say exactly what the full engine says.

#![no_main]

use kpitree_core::{Format, TreeDoc};
use libfuzzer_sys::fuzz_target;

const FILE: &str = "fuzz.json";

fuzz_target!(|data: &[u8]| {
    // The CLI reports invalid UTF-8 before the engine sees the text.
    let Ok(text) = std::str::from_utf8(data) else { return };
    let full = kpitree_fuzz::load_and_check(FILE, text, Format::Json, &Default::default());
    // The lean engine may decline any text (the page then loads the full engine); what it reads, it
    // must judge as the full engine does.
    if let Ok(doc) = kpitree_json_lite::from_str::<TreeDoc>(text) {
        let lean = match kpitree_core::validate_json(FILE, doc, text) {
            Ok(tree) => Ok(kpitree_fuzz::check_valid(&tree, kpitree_fuzz::default_settings())),
            Err(e) => Err(e.to_string()),
        };
        match (&full, &lean) {
            (Ok(a), Ok(b)) => assert!(a == b, "the lean and the full engine report differently"),
            (Err(a), Err(b)) => assert_eq!(a, b, "the lean and the full engine refuse differently"),
            (Ok(_), Err(e)) => panic!("only the lean engine refuses: {e}"),
            (Err(e), Ok(_)) => panic!("only the full engine refuses: {e}"),
        }
    }
});
