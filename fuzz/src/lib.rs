//! What the fuzz targets share: the example trees, the whole check of a valid tree (report, pruning,
//! writing it back as JSON and CSV) with the engine's promises asserted, and the report's JSON as the
//! CLI prints it.
//!
//! A target calls these on what it read; any panic (a broken promise included) is a crash libFuzzer
//! keeps as a reproducer.

use kpitree_core::config::{Config, Settings};
use kpitree_core::csv::CsvMeta;
use kpitree_core::prune::Reason;
use kpitree_core::report::{PluginResults, Report};
use kpitree_core::rollup::Rollup;
use kpitree_core::tree::Tree;
use kpitree_core::{Format, TreeDoc};
use std::sync::OnceLock;

/// The example trees, as the CLI's tests read them.
pub const EXAMPLES: [(&str, &str); 3] = [
    ("examples/software-company.json", include_str!("../../examples/software-company.json")),
    ("examples/hospital.json", include_str!("../../examples/hospital.json")),
    ("examples/municipality.json", include_str!("../../examples/municipality.json")),
];

/// The default configuration, resolved.
pub fn default_settings() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(|| kpitree_core::settings(&Config::default()).expect("the defaults resolve"))
}

/// The examples, read and validated once per process.
fn example_trees() -> &'static [(&'static str, Tree)] {
    static TREES: OnceLock<Vec<(&'static str, Tree)>> = OnceLock::new();
    TREES.get_or_init(|| {
        EXAMPLES.iter().map(|(file, text)| (*file, kpitree_core::load_json(file, text).expect("an example"))).collect()
    })
}

/// Calls `f` with each example tree and its file name.
pub fn with_example_trees(mut f: impl FnMut(&str, &Tree)) {
    example_trees().iter().for_each(|(file, tree)| f(file, tree));
}

/// The report as `kpitree check --format json` prints it (`kpitree_run::check::report_json`: pretty,
/// final newline). Not called through kpitree-run, which links wasmtime: instrumenting that would
/// take most of the fuzz build's time.
pub fn report_json(report: &Report) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(report).expect("a report serializes");
    out.push(b'\n');
    out
}

/// The check and the pruning of a valid tree, with the engine's promises asserted; returns what a
/// user would see (report JSON, pruning report and pruned document), so two ways of reading one text
/// can be compared byte for byte.
pub fn check_valid(tree: &Tree, settings: &Settings) -> Vec<u8> {
    let rollup = Rollup::new(tree);
    let report = kpitree_core::check_with(tree, &rollup, settings, PluginResults::default());
    assert_report(tree, &report);
    let mut out = report_json(&report);

    let reasons = [Reason::Orphaned, Reason::Stale, Reason::Duplicated];
    let (pruned_report, pruned) = kpitree_core::prune::prune(tree, settings, &reasons);
    out.extend(serde_json::to_vec_pretty(&pruned_report).expect("a prune report serializes"));
    // prune.rs: removing KPIs and re-attaching their children to surviving parents keeps a valid tree.
    if let Err(e) = Tree::new("pruned", pruned.clone()) {
        panic!("the pruned document is invalid: {e}");
    }
    out.extend(kpitree_core::to_json(&pruned).as_bytes());
    out
}

/// `kpitree convert`: a valid document written as JSON reads back as the same document, and written
/// as CSV reads back too ([`csv_round_trip`]).
pub fn round_trips(file: &str, doc: &TreeDoc) {
    let json = kpitree_core::to_json(doc);
    match kpitree_core::load_json(file, &json) {
        Ok(back) => assert!(back.doc() == doc, "to_json then load_json changed the document:\n{json}"),
        Err(e) => panic!("to_json wrote a document load_json refuses: {e}\n{json}"),
    }
    csv_round_trip(file, doc);
}

/// `to_csv` then `from_csv`: the CSV a document is written as reads back, and the document read back
/// is a fixed point (writing and reading it again changes nothing). The first round may lose what the
/// flat shape cannot say (see the `kpitree_core::csv` module's documentation); a second may not.
pub fn csv_round_trip(file: &str, doc: &TreeDoc) {
    let meta = CsvMeta::default();
    let first = kpitree_core::csv::to_csv(doc);
    let once = match kpitree_core::csv::from_csv(file, &first, &meta) {
        Ok(d) => d,
        Err(e) => panic!("to_csv wrote a CSV from_csv refuses: {e}\n{first}"),
    };
    let second = kpitree_core::csv::to_csv(&once);
    let twice = match kpitree_core::csv::from_csv(file, &second, &meta) {
        Ok(d) => d,
        Err(e) => panic!("to_csv wrote a CSV from_csv refuses (second round): {e}\n{second}"),
    };
    assert!(twice == once, "a CSV round trip is not a fixed point:\n--- first\n{first}--- second\n{second}");
}

/// Promises of a report on a valid tree: every node a finding names is in the tree, scores are
/// numbers in range.
pub fn assert_report(tree: &Tree, report: &Report) {
    for f in &report.findings {
        for id in &f.nodes {
            assert!(tree.ix(id).is_some(), "finding of `{}` names `{id}`, which is not in the tree", f.rule);
        }
    }
    let h = report.scores.health;
    assert!((0.0..=100.0).contains(&h), "health {h} outside 0..=100");
}

/// Loads `text` in `format` as the CLI does; a valid tree is checked with [`check_valid`] and
/// written back ([`round_trips`]), an invalid one gives its messages. Returns what a user would see.
pub fn load_and_check(file: &str, text: &str, format: Format, meta: &CsvMeta) -> Result<Vec<u8>, String> {
    let mut tree = kpitree_core::load(file, text, format, meta).map_err(|e| e.to_string())?;
    round_trips(file, tree.doc());
    let out = check_valid(&tree, default_settings());
    if matches!(format, Format::Json) {
        assert_placed(&mut tree, text);
    }
    Ok(out)
}

/// `Tree::place_json` (SARIF's positions): every node it places is at its `"id"` member, counted in
/// characters from 1, after a byte-order mark; or it places none of them.
fn assert_placed(tree: &mut Tree, text: &str) {
    tree.place_json(text);
    let lines: Vec<&str> = kpitree_core::json::strip_bom(text).split('\n').collect();
    for k in 0..tree.len() {
        let Some(pos) = tree.source().node(k) else { continue };
        let column = pos.column().expect("a JSON position has a column");
        let line = lines.get(pos.line as usize - 1).unwrap_or_else(|| panic!("node {k} placed past the last line: {pos:?}"));
        let rest: String = line.chars().skip(column - 1).collect();
        assert!(rest.starts_with("\"id\""), "node {k} placed at {pos:?}, which holds {rest:?}");
    }
}
