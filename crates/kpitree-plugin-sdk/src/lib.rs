//! Write kpitree rule plugins in Rust.
//!
//! A rule is a function from a read-only [`Tree`] and your configuration type to findings; the
//! [`plugin!`] macro turns it into a WebAssembly module that speaks the kpitree plugin ABI
//! (`plugins/ABI.md`), and [`testing::check_fixtures`] (feature `testing`) runs it natively on the
//! same pass/fail fixtures the built-in rules use. See `plugins/README.md` for a ten-minute start.
//!
//! ```
//! use kpitree_plugin_sdk::prelude::*;
//!
//! #[derive(serde::Deserialize)]
//! #[serde(deny_unknown_fields)]
//! struct Config {
//!     #[serde(default = "default_max")]
//!     max: usize,
//! }
//!
//! fn default_max() -> usize {
//!     12
//! }
//!
//! fn check(tree: &Tree, config: &Config) -> Result<Vec<Finding>, String> {
//!     let mut out = Findings::new();
//!     for node in tree.of_kind(NodeKind::Objective) {
//!         let kpis = node.children().filter(|c| c.kind() == NodeKind::Kpi).count();
//!         if kpis > config.max {
//!             out.add("objective-kpi-budget", [node], format!("{} has {kpis} KPIs", node.display()));
//!         }
//!     }
//!     Ok(out.into_vec())
//! }
//!
//! kpitree_plugin_sdk::plugin! {
//!     name: "kpi-budget",
//!     version: "0.1.0",
//!     description: "Objectives with more direct KPIs than the budget.",
//!     config_schema: r#"{"type": "object", "properties": {"max": {"type": "integer", "minimum": 1}}}"#,
//!     reads: ["children", "title"],
//!     rules: [{
//!         id: "objective-kpi-budget",
//!         severity: Warning,
//!         summary: "an objective with more direct KPIs than the budget",
//!         why: "Nobody can watch that many numbers for one objective.",
//!         fix: "Keep the KPIs that explain the objective; retire or delegate the rest.",
//!     }],
//!     evaluate: check,
//! }
//! # fn main() { assert_eq!(PLUGIN.manifest().rules[0].id, "objective-kpi-budget"); }
//! ```
//!
//! **No `unsafe`:** the exports are glue in [`__private`] that finds buffers by address in a registry of
//! `Vec<u8>`s instead of dereferencing raw pointers.

mod export;
mod findings;
#[cfg(feature = "testing")]
pub mod testing;
mod tree;

pub use findings::{Finding, FindingBuilder, Findings};
pub use kpitree_plugin_abi::{
    ABI_VERSION, CheckIn, Date, Direction, Health, Indicator, Ix, LinkKind, Manifest, Measurement, NodeKind,
    READ_NAMES, Reads, RuleDecl, Severity, Status, TreeView, Trend,
};
pub use tree::{Link, Node, NodeIter, Tree};

/// Everything a rule usually needs, in one `use`.
pub mod prelude {
    pub use crate::{
        Date, Direction, Finding, Findings, Health, Indicator, Link, LinkKind, Node, NodeKind, Severity, Status, Tree,
        Trend,
    };
}

/// The signature [`plugin!`] stores: the rule on the tree and the raw configuration JSON.
pub type EvaluateFn = fn(&Tree<'_>, &[u8]) -> Result<Vec<Finding>, String>;

/// One rule a plugin declares (its manifest entry).
#[derive(Clone, Copy, Debug)]
pub struct RuleInfo {
    /// Rule id, `[a-z0-9][a-z0-9-]*`; must not be a built-in rule's.
    pub id: &'static str,
    /// Default severity (configuration may override it).
    pub severity: Severity,
    /// One line: what it finds.
    pub summary: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// What to do about a finding, in general.
    pub fix: &'static str,
}

/// A plugin: its manifest and its evaluation function. [`plugin!`] defines one as `PLUGIN`.
#[derive(Clone, Copy, Debug)]
pub struct Plugin {
    /// Name, `[a-z0-9][a-z0-9-]*`; configuration lives under `[plugins.NAME]`.
    pub name: &'static str,
    /// The plugin's own version.
    pub version: &'static str,
    /// What it is for.
    pub description: &'static str,
    /// JSON Schema of the configuration, as JSON text.
    pub config_schema: &'static str,
    /// The rules it reports.
    pub rules: &'static [RuleInfo],
    /// The parts of the tree it reads ([`READ_NAMES`]; `kind` and `id` always come): the host
    /// encodes only those, which makes large trees much cheaper. `None` reads everything (ABI 1.0).
    /// Reading a part not declared here fails the evaluation with an error naming the part.
    pub reads: Option<&'static [&'static str]>,
    /// The rule function, taking the configuration as JSON.
    pub evaluate: EvaluateFn,
}

impl Plugin {
    /// The manifest `kpitree_manifest` returns. A schema that is not JSON becomes `null`, which
    /// [`Manifest::check`] (and so the host and the tester) rejects.
    pub fn manifest(&self) -> Manifest {
        Manifest {
            name: self.name.to_owned(),
            version: self.version.to_owned(),
            description: self.description.to_owned(),
            rules: self
                .rules
                .iter()
                .map(|r| RuleDecl {
                    id: r.id.to_owned(),
                    severity: r.severity,
                    summary: r.summary.to_owned(),
                    why: r.why.to_owned(),
                    fix: r.fix.to_owned(),
                })
                .collect(),
            config_schema: serde_json::from_str(self.config_schema).unwrap_or(serde_json::Value::Null),
            reads: self.reads.map(|names| names.iter().map(|&n| n.to_owned()).collect()),
        }
    }

    /// The sections it reads: what `reads` declares, everything when it declares nothing, `Err` with
    /// the first name that is not one of [`READ_NAMES`].
    pub fn reads(&self) -> Result<Reads, String> {
        self.reads.map_or(Ok(Reads::ALL), Reads::from_names)
    }

    /// The manifest as the JSON bytes `kpitree_manifest` returns.
    pub fn manifest_json(&self) -> Vec<u8> {
        serde_json::to_vec(&self.manifest()).unwrap_or_default()
    }

    /// What `kpitree_evaluate` does: request bytes in, response JSON out. Never panics on bad input:
    /// a malformed request or a failing rule becomes an `{"error": …}` response.
    pub fn handle(&self, request: &[u8]) -> Vec<u8> {
        let response = match kpitree_plugin_abi::split_request(request) {
            Err(e) => kpitree_plugin_abi::Response::Error(kpitree_plugin_abi::ReportedError {
                message: format!("malformed request: {e}"),
            }),
            Ok((view, config)) => {
                let config: &[u8] = if config.iter().all(u8::is_ascii_whitespace) { b"{}" } else { config };
                // Only the declared parts, whatever the host sent, so that a rule reading something
                // it did not declare fails the same way with every host.
                let reads = self.reads().unwrap_or(Reads::MINIMUM);
                let tree = Tree::new(view.restrict(reads));
                let result = (self.evaluate)(&tree, config);
                let message = match (tree.view().missing_read(), result) {
                    (Some(part), _) => Err(format!(
                        "the rule read `{}` ({}), which the plugin's `reads` does not declare; add \"{}\" to `reads`",
                        part.name, part.reads, part.name
                    )),
                    (None, result) => result,
                };
                match message {
                    Ok(findings) => kpitree_plugin_abi::Response::Findings(findings),
                    Err(message) => kpitree_plugin_abi::Response::Error(kpitree_plugin_abi::ReportedError { message }),
                }
            }
        };
        serde_json::to_vec(&response).unwrap_or_default()
    }

    fn error_response(message: &str) -> Vec<u8> {
        let e = kpitree_plugin_abi::Response::Error(kpitree_plugin_abi::ReportedError { message: message.to_owned() });
        serde_json::to_vec(&e).unwrap_or_default()
    }
}

/// Used by [`plugin!`]'s expansion; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use crate::export::{alloc, evaluate, manifest};
    use crate::{Finding, Tree};

    /// Deserializes the configuration into the rule's type, then runs the rule.
    pub fn typed<C: serde::de::DeserializeOwned>(
        tree: &Tree<'_>,
        config: &[u8],
        rule: fn(&Tree<'_>, &C) -> Result<Vec<Finding>, String>,
    ) -> Result<Vec<Finding>, String> {
        let config: C = serde_json::from_slice(config).map_err(|e| format!("configuration: {e}"))?;
        rule(tree, &config)
    }
}

/// Declares the plugin: defines `pub static PLUGIN: Plugin` and, when compiled for wasm, the five
/// exports of the ABI (`memory` is exported by the compiler).
///
/// `evaluate` names a function `fn(&Tree, &C) -> Result<Vec<Finding>, String>` where `C` is any
/// `serde::Deserialize` type: the plugin's section of the configuration (`{}` when there is none, so
/// give its fields defaults). An `Err` is reported by the host as a plugin error. `config_schema` is
/// optional (JSON text; `{"type": "object"}` when left out). `severity` is `Info`, `Warning` or `Error`.
///
/// `reads` (optional, ABI 1.1) lists the parts of the tree the rule reads, by the names of
/// [`READ_NAMES`] (`"owner"`, `"title"`, `"parents"`, ...; `kind` and `id` always come). The host then
/// encodes only those: on a large tree that is most of what a call costs. Without `reads` the rule
/// gets the whole tree. A rule that reads a part it did not declare fails with an error naming it.
#[macro_export]
macro_rules! plugin {
    (
        name: $name:expr,
        version: $version:expr,
        description: $description:expr,
        $(config_schema: $schema:expr,)?
        $(reads: [$($read:expr),* $(,)?],)?
        rules: [$({
            id: $id:expr,
            severity: $severity:ident,
            summary: $summary:expr,
            why: $why:expr,
            fix: $fix:expr $(,)?
        }),+ $(,)?],
        evaluate: $evaluate:path $(,)?
    ) => {
        /// This plugin's manifest and rule function (the exports and the tests use it).
        pub static PLUGIN: $crate::Plugin = $crate::Plugin {
            name: $name,
            version: $version,
            description: $description,
            config_schema: $crate::plugin!(@schema $($schema)?),
            rules: &[$($crate::RuleInfo {
                id: $id,
                severity: $crate::Severity::$severity,
                summary: $summary,
                why: $why,
                fix: $fix,
            }),+],
            reads: $crate::plugin!(@reads $([$($read),*])?),
            evaluate: |tree, config| $crate::__private::typed(tree, config, $evaluate),
        };

        #[cfg(target_family = "wasm")]
        mod __kpitree_exports {
            #[unsafe(no_mangle)]
            extern "C" fn kpitree_abi_version() -> i32 {
                $crate::ABI_VERSION
            }

            #[unsafe(no_mangle)]
            extern "C" fn kpitree_alloc(len: i32) -> i32 {
                $crate::__private::alloc(len)
            }

            #[unsafe(no_mangle)]
            extern "C" fn kpitree_manifest() -> i64 {
                $crate::__private::manifest(&super::PLUGIN)
            }

            #[unsafe(no_mangle)]
            extern "C" fn kpitree_evaluate(ptr: i32, len: i32) -> i64 {
                $crate::__private::evaluate(&super::PLUGIN, ptr, len)
            }
        }
    };
    (@schema) => { r#"{"type": "object"}"# };
    (@reads) => { None };
    (@reads [$($read:expr),*]) => { Some(&[$($read),*]) };
    (@schema $schema:expr) => { $schema };
}
