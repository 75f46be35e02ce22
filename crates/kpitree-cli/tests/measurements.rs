//! `kpitree measurements merge -o OUT` writes nothing when the data is wrong: OUT is neither created
//! nor changed, and no temporary file is left beside it.

use std::process::Command;

fn kpitree() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kpitree"))
}

#[test]
fn bad_data_writes_nothing() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::temp_dir().join(format!("kpitree-measurements-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let tree = root.join("tests/measurements/small/tree.json");
    let bad = root.join("tests/measurements/bad/visits.csv");
    let good = root.join("tests/measurements/small/visits.jsonl");
    let out = dir.join("merged.json");

    let run = kpitree()
        .args(["measurements", "merge"])
        .arg(&tree)
        .arg(&good)
        .arg(&bad)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(2), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(!out.exists(), "OUT was created");

    std::fs::write(&out, "before").expect("write");
    let run =
        kpitree().args(["measurements", "merge"]).arg(&tree).arg(&bad).arg("-o").arg(&out).output().expect("runs");
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&out).expect("read"), "before", "OUT was changed");

    // A good merge replaces OUT whole, and leaves only it in the directory.
    let run =
        kpitree().args(["measurements", "merge"]).arg(&tree).arg(&good).arg("-o").arg(&out).output().expect("runs");
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(std::fs::read_to_string(&out).expect("read").contains("\"value\": 1214.0"));
    let left: Vec<_> = std::fs::read_dir(&dir).expect("dir").flatten().map(|e| e.file_name()).collect();
    assert_eq!(left, [std::ffi::OsString::from("merged.json")]);
    let _ = std::fs::remove_dir_all(&dir);
}
