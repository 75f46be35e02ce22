//! Writes the plugin's module: `cargo run -p owner-quota-wat -- [PATH]` (default `owner-quota.wasm`).

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "owner-quota.wasm".to_owned());
    if let Err(e) = std::fs::write(&path, owner_quota_wat::WASM) {
        eprintln!("error: cannot write {path}: {e}");
        std::process::exit(2);
    }
    println!("{path}: {} bytes", owner_quota_wat::WASM.len());
}
