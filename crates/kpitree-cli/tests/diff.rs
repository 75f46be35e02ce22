//! `kpitree diff` on the pairs of `tests/diff/<case>/` (`old.json`, `new.json`): its output in each
//! format must be the case's `expected.json`, `expected.txt` and `expected.md`.
//! `KPITREE_BLESS=1 cargo test -p kpitree-cli --test diff` rewrites them; read them before committing.

use std::path::Path;
use std::process::Command;

#[test]
fn diff_fixtures_answer_as_expected() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/diff");
    let bless = std::env::var_os("KPITREE_BLESS").is_some();
    let mut cases: Vec<_> = std::fs::read_dir(&root).expect("tests/diff").map(|e| e.expect("entry").path()).collect();
    cases.sort();
    assert!(!cases.is_empty(), "the cases are there");
    let mut failures = Vec::new();
    for case in cases.iter().filter(|p| p.is_dir()) {
        for (format, expected) in [("json", "expected.json"), ("text", "expected.txt"), ("markdown", "expected.md")] {
            // Run from the case's directory, so the output names the files as `old.json` and `new.json`.
            let out = Command::new(env!("CARGO_BIN_EXE_kpitree"))
                .args(["diff", "old.json", "new.json", "--no-config", "--fail-on", "never", "--format", format])
                .env("NO_COLOR", "1")
                .current_dir(case)
                .output()
                .expect("runs kpitree");
            assert!(out.status.success(), "{}: {}", case.display(), String::from_utf8_lossy(&out.stderr));
            assert!(out.stderr.is_empty(), "{}: {}", case.display(), String::from_utf8_lossy(&out.stderr));
            let path = case.join(expected);
            if bless {
                std::fs::write(&path, &out.stdout).expect("writes");
                continue;
            }
            let want = std::fs::read(&path)
                .unwrap_or_else(|_| panic!("{} is missing; run with KPITREE_BLESS=1 and read it", path.display()));
            if want != out.stdout {
                failures.push(format!("{}: got\n{}", path.display(), String::from_utf8_lossy(&out.stdout)));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The JSON of a diff is what the library gives: both trees checked by `kpitree_run::diff` with the
/// defaults, compared by the core, serialized by `diff_json` (the server answers the same bytes).
#[test]
fn json_is_the_shared_pipelines() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/diff/charity");
    let load = |name: &str| {
        let text = std::fs::read_to_string(dir.join(name)).expect("reads");
        kpitree_core::tree::Tree::new(name, kpitree_core::parse_json(name, &text).expect("parses")).expect("valid")
    };
    let config = kpitree_core::config::Config::default();
    let settings = kpitree_core::settings(&config).expect("defaults");
    let checked = kpitree_run::diff::diff(
        load("old.json"),
        load("new.json"),
        &Default::default(),
        &Default::default(),
        &config,
        &settings,
        &[],
    );
    let out = Command::new(env!("CARGO_BIN_EXE_kpitree"))
        .args(["diff", "old.json", "new.json", "--no-config", "--fail-on", "never", "--format", "json"])
        .current_dir(&dir)
        .output()
        .expect("runs kpitree");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&kpitree_run::diff::diff_json(&checked.diff()))
    );
}
