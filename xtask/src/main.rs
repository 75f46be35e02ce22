//! The repository's dev-only tasks, `cargo xtask TASK` (an alias in `.cargo/config.toml`): tools the
//! tests and the documentation use that are no part of kpitree. `cargo xtask help` lists them.
//!
//! The benchmarks need an optimised build: from a debug one (the alias's `cargo run`) they run
//! themselves again through `cargo run --release`, so the default invocation measures the right thing.

mod bench_abi;
mod bench_cel;
mod bench_encode;
mod wat2wasm;

// The engine benchmark's tree generator; its helpers these tasks do not use are allowed to be dead.
#[allow(dead_code)]
#[path = "../../crates/kpitree-core/benches/generator/mod.rs"]
mod generator;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask TASK [ARGS...]

tasks:
  wat2wasm OUT_DIR FILE.wat...  write OUT_DIR/FILE.wasm for each WAT file (the browser tests'
                                hand-written plugins: the browser reads only the binary format)
  bench-abi                     JSON versus KTR1 inside wasm, then the example plugins through the
                                host: the tables of plugins/ABI.md, \"Why a binary tree\"
  bench-encode                  what the host's request encoder costs alone
  bench-cel                     custom rules in CEL against the same rule built in and as a Rust
                                plugin, the cost limit's calibration, plugin sizes per language:
                                docs/benchmarks.md, \"Custom rules (CEL)\"
  help                          this text

KPITREE_BENCH_SIZES=1000,100000 picks the benchmarks' tree sizes; KPITREE_ENCODE_DUMP=DIR also
writes bench-encode's requests to DIR/N.ktr1.
";

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let task = args.next();
    let rest: Vec<OsString> = args.collect();
    let bench = |run: fn() -> Result<(), String>, name: &str| {
        if !rest.is_empty() {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
        match optimised(name).unwrap_or_else(run) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        }
    };
    match task.as_ref().and_then(|t| t.to_str()) {
        Some("wat2wasm") => wat2wasm::run(rest),
        Some("bench-abi") => bench(bench_abi::run, "bench-abi"),
        Some("bench-encode") => bench(bench_encode::run, "bench-encode"),
        Some("bench-cel") => bench(bench_cel::run, "bench-cel"),
        Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprint!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// In a debug build, runs `task` again from an optimised build and gives its outcome: timings of
/// unoptimised code would say nothing about the release engine. `None` when already optimised.
fn optimised(task: &str) -> Option<Result<(), String>> {
    if !cfg!(debug_assertions) {
        return None;
    }
    eprintln!("xtask: {task} measures an optimised build: cargo run --release -p xtask -- {task}");
    let status = std::process::Command::new(cargo())
        .current_dir(workspace())
        .args(["run", "--release", "--package", "xtask", "--", task])
        .status();
    Some(match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("the optimised run failed ({s})")),
        Err(e) => Err(format!("cargo: {e}")),
    })
}

/// The cargo that runs this task (it sets `CARGO`), else the one on the path.
fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// The repository's root.
fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}
