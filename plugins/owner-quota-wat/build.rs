//! Turns `plugin.wat` into `$OUT_DIR/owner-quota.wasm`; a WAT error fails the build with its location.

use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=plugin.wat");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("owner-quota.wasm");
    match wat::parse_file("plugin.wat") {
        Ok(bytes) => std::fs::write(&out, bytes).expect("OUT_DIR is writable"),
        Err(e) => panic!("plugin.wat: {e}"),
    }
}
