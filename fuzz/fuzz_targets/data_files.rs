//! The other inputs of a pipeline: a data file of measurements or check-ins (`kpitree measurements
//! merge`, `check --measurements`) merged into each example tree, and a baseline report (`check
//! --baseline`) read and laid over each example's report. The first byte picks the data file's format
//! and date order; the rest is the text.

#![no_main]

use kpitree_core::baseline::{self, Baselines};
use kpitree_core::measurements::{self, Data, DataFormat, DateOrder};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let format = if choice & 1 == 0 { DataFormat::Csv } else { DataFormat::Json };
    let order = match (choice >> 1) % 3 {
        0 => None,
        1 => Some(DateOrder::Dmy),
        _ => Some(DateOrder::Mdy),
    };
    let file = Data { name: "fuzz.data", text, format };
    kpitree_fuzz::with_example_trees(|name, tree| {
        let mut doc = tree.doc().clone();
        match measurements::merge(&mut doc, &[file], order) {
            Ok(_) => {
                // Merging is idempotent: the same data again changes nothing.
                let mut again = doc.clone();
                let summary = measurements::merge(&mut again, &[file], order).expect("merges again");
                assert!(again == doc, "a second merge changed the tree");
                assert_eq!(summary.measurements.added + summary.check_ins.added, 0, "a second merge added rows");
                // Rows are checked before they are merged: a valid tree stays valid.
                let merged = kpitree_core::tree::Tree::new(name, doc).expect("a merged tree stays valid");
                kpitree_fuzz::check_valid(&merged, kpitree_fuzz::default_settings());
            }
            Err(errors) => {
                assert!(!errors.is_empty(), "refused without a reason");
                errors.iter().for_each(|e| drop(e.to_string()));
            }
        }
    });
    // The same text as a baseline report.
    if let Ok(baselines) = Baselines::from_json("fuzz.json", text) {
        kpitree_fuzz::with_example_trees(|name, tree| {
            let mut report = kpitree_core::check(tree, kpitree_fuzz::default_settings());
            baseline::mark(&mut report, &baselines.for_file(name));
            let counted = report.findings.iter().filter(|f| f.waived.is_none()).count();
            assert_eq!(report.summary.new.unwrap_or(0) + report.summary.known.unwrap_or(0), counted);
        });
    }
});
