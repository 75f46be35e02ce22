//! CSV trees: `kpitree_core::csv` read (with and without the caller's `--organisation`/`--as-of`),
//! validation with problems placed on rows, the check, and writing back (`to_csv` then `from_csv`
//! reaches a fixed point; `kpitree_fuzz::csv_round_trip`).

#![no_main]

use kpitree_core::csv::CsvMeta;
use kpitree_core::{Date, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte chooses what the caller supplies, so the seeds without metadata lines load too.
    let Some((&choice, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let meta = CsvMeta {
        organisation: (choice & 1 != 0).then(|| "Fuzz Ltd".to_owned()),
        as_of: (choice & 2 != 0).then(|| Date::parse("2026-11-27").expect("a date")),
    };
    // A valid tree is written back by `load_and_check`. `to_csv` knows nothing of validation, so
    // whatever else the reader accepts must write back and reach a fixed point too.
    if kpitree_fuzz::load_and_check("fuzz.csv", text, Format::Csv, &meta).is_err()
        && let Ok(doc) = kpitree_core::csv::from_csv("fuzz.csv", text, &meta)
    {
        kpitree_fuzz::csv_round_trip("fuzz.csv", &doc);
    }
});
