//! kpitree-plugin-host: runs rule plugins (WebAssembly core modules speaking `plugins/ABI.md`)
//! natively under wasmtime. The only crate of the workspace that knows wasmtime.
//!
//! - [`Plugin::load`] reads a module (`.wasm`, or WAT text), checks its size, compiles it once,
//!   refuses any import, checks the five exports and their exact types, then calls
//!   `kpitree_abi_version` and `kpitree_manifest` under the limits and checks the manifest. Every
//!   check is `kpitree_plugin_abi`'s (`module`, `host::load`), shared with the browser: this crate
//!   only executes wasm.
//! - [`Plugin::evaluate`] runs one request in a fresh store and instance (instantiated from a
//!   pre-linked [`wasmtime::InstancePre`]), under [`Limits`]: fuel for CPU, an epoch deadline for wall
//!   time, a resource limiter for memory, `max_wasm_stack`, input and output sizes. It checks the
//!   answer (UTF-8, response JSON, declared rules, known nodes) and returns engine findings carrying
//!   the plugin's name.
//!   [`Plugin::evaluate_measured`] also gives the fuel the call used, and [`Plugin::load_costs`] the
//!   fuel of the two calls made at load (fuel is deterministic), for `kpitree plugin test`.
//! - [`PluginSet`] holds the plugins of a run, applies `[rules.<id>]` settings to their rules, and
//!   evaluates them all on one tree ([`PluginSet::run`]), for `kpitree_core::check_with`: the
//!   shared `host::run::Plan`, each call executed here, the shared `host::run::Finish`.
//!
//! Whatever a module does (loops, allocates without end, traps, overflows its stack, returns
//! garbage), the result is a [`PluginError`] naming the plugin and what it did; nothing panics and
//! the process does not crash. No compiled code is cached on disk.

mod error;
mod limits;
mod plugin;
mod runtime;
mod set;

pub use error::{Call, ErrorKind, PluginError};
pub use kpitree_plugin_abi::host::RuleSwitches;
pub use kpitree_plugin_abi::{Manifest, Reads, RuleDecl};
pub use limits::{LimitError, Limits};
pub use plugin::{LoadCosts, Measured, Plugin};
pub use set::PluginSet;
