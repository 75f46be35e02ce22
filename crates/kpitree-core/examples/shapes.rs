//! Writes the benchmark shapes as JSON files, for `scripts/bench-shapes.sh`:
//! `cargo run --release -p kpitree-core --example shapes -- DIR SIZE... [--shape NAME]...`
//! writes `DIR/<shape>-<size>.json` (size as `10k`) for every shape, or only the named ones.

// The generator's helpers this example does not use.
#[allow(dead_code)]
#[path = "../benches/generator/mod.rs"]
mod generator;

use generator::shapes::{ALL, Shape};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: shapes DIR SIZE... [--shape NAME]...");
        return ExitCode::from(2);
    };
    let (mut sizes, mut only) = (Vec::new(), Vec::new());
    while let Some(a) = args.next() {
        if a == "--shape" {
            match args.next().as_deref().and_then(Shape::parse) {
                Some(s) => only.push(s),
                None => {
                    let names: Vec<_> = ALL.iter().map(|s| s.name()).collect();
                    eprintln!("--shape takes one of: {}", names.join(", "));
                    return ExitCode::from(2);
                }
            }
        } else {
            match a.parse::<usize>() {
                Ok(n) if n >= 100 => sizes.push(n),
                _ => {
                    eprintln!("{a}: a size is a node count of at least 100");
                    return ExitCode::from(2);
                }
            }
        }
    }
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("{}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    let shapes = if only.is_empty() { ALL.to_vec() } else { only };
    for n in sizes {
        for shape in &shapes {
            let path = dir.join(format!("{}-{}.json", shape.name(), generator::label(n)));
            if let Err(e) = std::fs::write(&path, shape.text(n)) {
                eprintln!("{}: {e}", path.display());
                return ExitCode::FAILURE;
            }
            println!("{}", path.display());
        }
    }
    ExitCode::SUCCESS
}
