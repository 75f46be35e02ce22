//! Every validation error, from files: `tests/validation/NAME.json` must be refused with exactly the
//! messages in `NAME.expected.txt` beside it. `KPITREE_BLESS=1` rewrites the expected files.

use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/validation")
}

#[test]
fn invalid_documents_are_refused_with_located_messages() {
    let bless = std::env::var_os("KPITREE_BLESS").is_some_and(|v| v != "0");
    let mut failures = Vec::new();
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir()).expect("tests/validation").map(|e| e.expect("entry").path()).collect();
    files.sort();
    for path in &files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if let Some(stem) = name.strip_suffix(".expected.txt") {
            if !path.with_file_name(format!("{stem}.json")).exists() {
                failures.push(format!("{name}: no {stem}.json beside it"));
            }
            continue;
        }
        let Some(stem) = name.strip_suffix(".json") else {
            failures.push(format!("{name}: unexpected file"));
            continue;
        };
        let text = std::fs::read_to_string(path).expect("readable");
        let shown = format!("tests/validation/{name}");
        let actual = match kpitree_core::load(&shown, &text, kpitree_core::Format::Json, &Default::default()) {
            Ok(_) => {
                failures.push(format!("{name}: was accepted"));
                continue;
            }
            Err(e) => format!("{e}\n"),
        };
        let expected_path = path.with_file_name(format!("{stem}.expected.txt"));
        if bless {
            std::fs::write(&expected_path, &actual).expect("writable");
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!("{name}:\n--- expected\n{expected}--- actual\n{actual}")),
            Err(_) => failures.push(format!("{}: missing (KPITREE_BLESS=1 writes it)", rel(&expected_path))),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn rel(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}
