//! [`PluginError`]: what a plugin did wrong, naming the plugin. The kinds and their wording are
//! `kpitree_plugin_abi::error`'s, shared with the browser runner so a plugin fails with the same words
//! natively and in a page; this crate only maps what wasmtime reports onto them (`plugin.rs`).

pub use kpitree_plugin_abi::error::{Call, ErrorKind, PluginError};
