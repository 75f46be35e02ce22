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

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kpitree-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn output_over_a_data_file_is_refused() {
    let dir = scratch("merge-over-data");
    let data = dir.join("visits.jsonl");
    std::fs::copy(root().join("tests/measurements/small/visits.jsonl"), &data).expect("copy");
    let before = std::fs::read(&data).expect("read");
    // Named differently from the data argument: compared as the same file.
    let out = dir.join(".").join("visits.jsonl");
    let run = kpitree()
        .args(["measurements", "merge"])
        .arg(root().join("tests/measurements/small/tree.json"))
        .arg(&data)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("is the data file"), "{stderr}");
    assert_eq!(std::fs::read(&data).expect("read"), before, "the data file was changed");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn output_keeps_mode_and_symlink() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("merge-mode");
    let tree = dir.join("tree.json");
    std::fs::copy(root().join("tests/measurements/small/tree.json"), &tree).expect("copy");
    std::fs::set_permissions(&tree, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let link = dir.join("link.json");
    std::os::unix::fs::symlink("tree.json", &link).expect("symlink");
    let data = root().join("tests/measurements/small/visits.jsonl");

    // Over the tree itself, through a symlink to it.
    let run =
        kpitree().args(["measurements", "merge"]).arg(&tree).arg(&data).arg("-o").arg(&link).output().expect("runs");
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(std::fs::symlink_metadata(&link).expect("link").file_type().is_symlink(), "the link was replaced");
    assert!(std::fs::read_to_string(&tree).expect("read").contains("\"value\": 1214.0"), "the target was not written");
    let mode = std::fs::metadata(&tree).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the mode was reset");

    // `convert -o` writes the same way.
    let csv = dir.join("tree.csv");
    std::fs::write(&csv, "").expect("write");
    std::fs::set_permissions(&csv, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let run = kpitree().arg("convert").arg(&tree).arg("-o").arg(&csv).output().expect("runs");
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(std::fs::metadata(&csv).expect("meta").permissions().mode() & 0o777, 0o640);
    let left: Vec<_> = std::fs::read_dir(&dir).expect("dir").flatten().map(|e| e.file_name()).collect();
    assert_eq!(left.len(), 3, "a temporary file was left: {left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
