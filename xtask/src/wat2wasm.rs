//! `cargo xtask wat2wasm OUT_DIR FILE.wat...`: writes `OUT_DIR/FILE.wasm` for each WAT file. The
//! native plugin host reads WAT directly; the browser's WebAssembly API reads only the binary format,
//! so the browser tests run the same hand-written test plugins through this.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Converts every file even when one fails: 2 for a usage error or an output directory that cannot
/// be made, 1 when a file failed.
pub fn run(args: Vec<OsString>) -> ExitCode {
    let mut args = args.into_iter();
    let Some(out) = args.next().map(PathBuf::from) else {
        eprintln!("usage: cargo xtask wat2wasm OUT_DIR FILE.wat...");
        return ExitCode::from(2);
    };
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("error: {}: {e}", out.display());
        return ExitCode::from(2);
    }
    let mut status = ExitCode::SUCCESS;
    for file in args.map(PathBuf::from) {
        if let Err(e) = convert(&file, &out) {
            eprintln!("error: {}: {e}", file.display());
            status = ExitCode::from(1);
        }
    }
    status
}

fn convert(file: &Path, out: &Path) -> Result<(), String> {
    let bytes = wat::parse_file(file).map_err(|e| e.to_string())?;
    let stem = file.file_stem().ok_or("no file name")?;
    let target = out.join(stem).with_extension("wasm");
    std::fs::write(&target, bytes).map_err(|e| format!("{}: {e}", target.display()))
}
