//! The data fixtures of `tests/measurements/`: trees, exported data files and what merging them gives
//! (`expected.json`, the merged tree; `expected-summary.json`, the counts; `expected.txt`, the
//! problems). `KPITREE_BLESS=1` rewrites the expected files; read the diff before committing.

use kpitree_core::measurements::{Data, DataFormat, DateOrder, merge};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Compares `actual` with the file, or writes it when blessing.
fn expect(path: &Path, actual: &str) {
    if std::env::var_os("KPITREE_BLESS").is_some() {
        std::fs::write(path, actual).expect("bless");
    }
    assert_eq!(read(path), actual, "{} differs (KPITREE_BLESS=1 rewrites it)", path.display());
}

/// Merges the data files into the tree; the merged tree text and summary, or the problems.
fn run(tree: &str, files: &[&str], order: Option<DateOrder>) -> Result<(String, String), String> {
    let root = root();
    let mut doc = kpitree_core::parse_json(tree, &read(&root.join(tree))).expect("tree");
    let texts: Vec<String> = files.iter().map(|f| read(&root.join(f))).collect();
    let data: Vec<Data<'_>> =
        files.iter().zip(&texts).map(|(name, text)| Data { name, text, format: DataFormat::of_name(name) }).collect();
    let summary = merge(&mut doc, &data, order).map_err(|e| e.iter().map(|e| format!("{e}\n")).collect::<String>())?;
    let once = kpitree_core::to_json(&doc);
    // Idempotent: the same data again changes nothing, byte for byte.
    let again = merge(&mut doc, &data, order).expect("merges again");
    assert_eq!(kpitree_core::to_json(&doc), once, "a second merge changed the tree");
    assert_eq!((again.measurements.added, again.measurements.replaced), (0, 0));
    assert_eq!((again.check_ins.added, again.check_ins.replaced), (0, 0));
    kpitree_core::Tree::new(tree, doc).expect("the merged tree is valid");
    Ok((once, format!("{}\n", serde_json::to_string_pretty(&summary).expect("summary"))))
}

#[test]
fn small_tree_merges_jsonl_and_a_european_sheet() {
    let dir = root().join("tests/measurements/small");
    let (tree, summary) = run(
        "tests/measurements/small/tree.json",
        &["tests/measurements/small/visits.jsonl", "tests/measurements/small/checkins-sheet.csv"],
        None,
    )
    .expect("merges");
    expect(&dir.join("expected.json"), &tree);
    expect(&dir.join("expected-summary.json"), &summary);
}

#[test]
fn software_company_exports_merge() {
    let (_, summary) = run(
        "examples/software-company.json",
        &[
            "tests/measurements/software-company/kpis-warehouse.csv",
            "tests/measurements/software-company/checkins-sheet.csv",
        ],
        None,
    )
    .expect("merges");
    expect(&root().join("tests/measurements/software-company/expected-summary.json"), &summary);
}

#[test]
fn bad_data_is_reported_whole() {
    let problems = run(
        "tests/measurements/small/tree.json",
        &["tests/measurements/bad/visits.csv", "tests/measurements/bad/checkins.json"],
        None,
    )
    .expect_err("invalid");
    expect(&root().join("tests/measurements/bad/expected.txt"), &problems);
}
