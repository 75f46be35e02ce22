//! `owner-quota`, a kpitree rule plugin written by hand in WebAssembly text (`plugin.wat`), without
//! the SDK: proof that `plugins/ABI.md` can be implemented from the document alone. This crate only
//! carries the module: [`WAT`] is the source, [`WASM`] the module the build made from it.

/// The plugin's source, hand-written WebAssembly text.
pub const WAT: &str = include_str!("../plugin.wat");

/// The plugin as a WebAssembly module, assembled from [`WAT`] at build time.
pub const WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/owner-quota.wasm"));
