//! [`PluginError`]: what a plugin did wrong, naming the plugin, in words a user can act on.

use crate::limits::size;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// A plugin that could not be loaded or whose evaluation failed. The other rules still run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginError {
    /// The plugin's name from its manifest, or, before the manifest was read, its file stem.
    pub plugin: String,
    /// What happened.
    pub kind: ErrorKind,
}

/// The export (or step) that was running when a plugin failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    /// Instantiation, which runs the module's start function if it has one.
    Instantiate,
    /// `kpitree_abi_version`.
    AbiVersion,
    /// `kpitree_manifest`.
    Manifest,
    /// `kpitree_alloc`, for the request.
    Alloc,
    /// `kpitree_evaluate`.
    Evaluate,
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Call::Instantiate => "instantiation",
            Call::AbiVersion => "kpitree_abi_version",
            Call::Manifest => "kpitree_manifest",
            Call::Alloc => "kpitree_alloc",
            Call::Evaluate => "kpitree_evaluate",
        })
    }
}

/// What a plugin did, or what is wrong with its module.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's words.
        detail: String,
    },
    /// The module is larger than the limit.
    ModuleTooLarge {
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// Not a valid WebAssembly module (or WAT text), or one using a feature the host does not allow.
    InvalidModule {
        /// wasmtime's words.
        detail: String,
    },
    /// The module declares an import; plugins import nothing.
    Import {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
        /// How many imports it declares in all.
        count: usize,
    },
    /// A required export is missing.
    MissingExport {
        /// Its name.
        name: &'static str,
    },
    /// A required export has the wrong type.
    ExportType {
        /// Its name.
        name: &'static str,
        /// The type the ABI requires.
        expected: &'static str,
        /// The type it has.
        found: String,
    },
    /// `kpitree_abi_version` returned another major version.
    AbiVersion {
        /// The plugin's major version.
        major: u16,
        /// The plugin's minor version.
        minor: u16,
    },
    /// The manifest is not valid (after it was read as UTF-8 JSON).
    BadManifest {
        /// What is wrong.
        detail: String,
    },
    /// A rule id that another loaded plugin already declares.
    RuleClash {
        /// The rule id.
        rule: String,
        /// The plugin that declared it first.
        other: String,
    },
    /// A plugin of the same name is already loaded.
    DuplicatePlugin {
        /// Where the first one came from.
        first: String,
    },
    /// The CPU budget (fuel) ran out.
    OutOfFuel {
        /// What was running.
        call: Call,
        /// The budget.
        fuel: u64,
    },
    /// The wall-time limit passed.
    Timeout {
        /// What was running.
        call: Call,
        /// The limit.
        limit: Duration,
    },
    /// The plugin wanted more memory than the limit (and then failed).
    OutOfMemory {
        /// What was running.
        call: Call,
        /// The limit in bytes.
        limit: u64,
        /// The size it asked to grow to, in bytes.
        requested: u64,
    },
    /// The wasm stack overflowed.
    StackOverflow {
        /// What was running.
        call: Call,
        /// The stack limit in bytes.
        limit: u64,
    },
    /// Any other trap.
    Trap {
        /// What was running.
        call: Call,
        /// What trapped: `unreachable`, `out-of-bounds memory access`, ...
        trap: String,
    },
    /// The request is larger than the input limit.
    InputTooLarge {
        /// Request size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// `kpitree_alloc` returned 0 for the request.
    AllocFailed {
        /// Bytes asked for.
        len: u64,
    },
    /// A pointer and length outside the plugin's memory.
    OutOfBounds {
        /// The call that returned them.
        call: Call,
        /// Pointer.
        ptr: u32,
        /// Length.
        len: u32,
        /// Size of the plugin's memory then.
        memory: u64,
    },
    /// An answer longer than the output limit.
    OutputTooLarge {
        /// The call.
        call: Call,
        /// Announced length in bytes.
        len: u64,
        /// The limit.
        limit: u64,
    },
    /// An answer that is not UTF-8.
    InvalidUtf8 {
        /// The call.
        call: Call,
        /// Byte offset of the first invalid byte.
        at: usize,
    },
    /// An answer that is not JSON.
    NotJson {
        /// The call.
        call: Call,
        /// serde_json's words, with line and column.
        detail: String,
    },
    /// JSON, but not a response (`{"findings": [...]}` or `{"error": {...}}`) or not a manifest.
    BadResponse {
        /// The call.
        call: Call,
        /// serde_json's words.
        detail: String,
    },
    /// A finding of a rule the manifest does not declare.
    UndeclaredRule {
        /// The rule id.
        rule: String,
    },
    /// A finding naming a node id the tree does not have.
    UnknownNode {
        /// The finding's rule.
        rule: String,
        /// The id.
        node: String,
    },
    /// The plugin answered `{"error": {"message": ...}}`.
    Reported {
        /// Its message.
        message: String,
    },
    /// wasmtime failed for a reason that is not the plugin's doing (for example no memory for a store).
    Host {
        /// What was running.
        call: Call,
        /// wasmtime's words.
        detail: String,
    },
}

impl ErrorKind {
    /// A stable kebab-case code for machine-readable output (`out-of-fuel`, `unknown-node`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            ErrorKind::Io { .. } => "io",
            ErrorKind::ModuleTooLarge { .. } => "module-too-large",
            ErrorKind::InvalidModule { .. } => "invalid-module",
            ErrorKind::Import { .. } => "import",
            ErrorKind::MissingExport { .. } => "missing-export",
            ErrorKind::ExportType { .. } => "export-type",
            ErrorKind::AbiVersion { .. } => "abi-version",
            ErrorKind::BadManifest { .. } => "bad-manifest",
            ErrorKind::RuleClash { .. } => "rule-clash",
            ErrorKind::DuplicatePlugin { .. } => "duplicate-plugin",
            ErrorKind::OutOfFuel { .. } => "out-of-fuel",
            ErrorKind::Timeout { .. } => "timeout",
            ErrorKind::OutOfMemory { .. } => "out-of-memory",
            ErrorKind::StackOverflow { .. } => "stack-overflow",
            ErrorKind::Trap { .. } => "trap",
            ErrorKind::InputTooLarge { .. } => "input-too-large",
            ErrorKind::AllocFailed { .. } => "alloc-failed",
            ErrorKind::OutOfBounds { .. } => "out-of-bounds",
            ErrorKind::OutputTooLarge { .. } => "output-too-large",
            ErrorKind::InvalidUtf8 { .. } => "invalid-utf8",
            ErrorKind::NotJson { .. } => "not-json",
            ErrorKind::BadResponse { .. } => "bad-response",
            ErrorKind::UndeclaredRule { .. } => "undeclared-rule",
            ErrorKind::UnknownNode { .. } => "unknown-node",
            ErrorKind::Reported { .. } => "reported",
            ErrorKind::Host { .. } => "host",
        }
    }

    /// True for a plugin file that could not be read at all: a mistake in the command, not in the
    /// plugin (the CLI exits 2 for it).
    pub fn is_io(&self) -> bool {
        matches!(self, ErrorKind::Io { .. })
    }
}

/// `in kpitree_evaluate`, or `during instantiation`.
struct In(Call);

impl fmt::Display for In {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Call::Instantiate => f.write_str("during instantiation"),
            c => write!(f, "in {c}"),
        }
    }
}

/// `its manifest` or `its response`.
fn answer(call: Call) -> &'static str {
    match call {
        Call::Manifest => "a manifest",
        _ => "a response",
    }
}

impl fmt::Display for PluginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "plugin `{}` ", self.plugin)?;
        match &self.kind {
            ErrorKind::Io { path, detail } => write!(f, "cannot be read from {}: {detail}", path.display()),
            ErrorKind::ModuleTooLarge { size: s, limit } => {
                write!(f, "is too large: {} (limit {})", size(*s), size(*limit))
            }
            ErrorKind::InvalidModule { detail } => write!(f, "is not a valid WebAssembly module: {detail}"),
            ErrorKind::Import { module, name, count } => {
                write!(f, "imports `{module}.{name}`")?;
                if *count > 1 {
                    write!(f, " (and {} more)", count - 1)?;
                }
                write!(f, ": plugins may import nothing")
            }
            ErrorKind::MissingExport { name } => write!(f, "does not export `{name}`"),
            ErrorKind::ExportType { name, expected, found } => {
                write!(f, "exports `{name}` as {found}; the ABI needs {expected}")
            }
            ErrorKind::AbiVersion { major, minor } => write!(
                f,
                "speaks ABI v{major}.{minor}; this kpitree speaks v{}.{}",
                kpitree_plugin_abi::ABI_MAJOR,
                kpitree_plugin_abi::ABI_MINOR
            ),
            ErrorKind::BadManifest { detail } => write!(f, "has an invalid manifest: {detail}"),
            ErrorKind::RuleClash { rule, other } => {
                write!(f, "declares rule `{rule}`, which plugin `{other}` already declares")
            }
            ErrorKind::DuplicatePlugin { first } => write!(f, "is already loaded (from {first})"),
            ErrorKind::OutOfFuel { call, fuel } => {
                write!(f, "exceeded its CPU budget ({fuel} fuel) {}", In(*call))
            }
            ErrorKind::Timeout { call, limit } => {
                write!(f, "exceeded its time limit ({} ms) {}", limit.as_millis(), In(*call))
            }
            ErrorKind::OutOfMemory { call, limit, requested } => {
                write!(f, "ran out of memory (limit {}, asked for {}) {}", size(*limit), size(*requested), In(*call))
            }
            ErrorKind::StackOverflow { call, limit } => {
                write!(f, "overflowed its stack (limit {}) {}", size(*limit), In(*call))
            }
            ErrorKind::Trap { call, trap } => write!(f, "trapped {}: {trap}", In(*call)),
            ErrorKind::InputTooLarge { size: s, limit } => {
                write!(f, "was not run: the request is {} (limit {})", size(*s), size(*limit))
            }
            ErrorKind::AllocFailed { len } => {
                write!(f, "could not allocate {} for its request (kpitree_alloc returned 0)", size(*len))
            }
            ErrorKind::OutOfBounds { call, ptr, len, memory } => write!(
                f,
                "returned bytes {ptr}..{} from {call}, outside its memory of {}",
                u64::from(*ptr) + u64::from(*len),
                size(*memory)
            ),
            ErrorKind::OutputTooLarge { call, len, limit } => {
                write!(f, "returned {} of {} from {call} (limit {})", size(*len), answer(*call), size(*limit))
            }
            ErrorKind::InvalidUtf8 { call, at } => write!(f, "returned invalid UTF-8 at byte {at} from {call}"),
            ErrorKind::NotJson { call, detail } => {
                write!(f, "returned {} that is not JSON from {call}: {detail}", answer(*call))
            }
            ErrorKind::BadResponse { call, detail } => match call {
                Call::Manifest => write!(f, "returned a manifest of the wrong shape: {detail}"),
                _ => write!(f, "returned a response of the wrong shape: {detail}"),
            },
            ErrorKind::UndeclaredRule { rule } => write!(f, "reported rule `{rule}` it did not declare"),
            ErrorKind::UnknownNode { rule, node } => {
                write!(f, "named unknown node `{node}` in a finding of rule `{rule}`")
            }
            ErrorKind::Reported { message } => write!(f, "reported an error: {message}"),
            ErrorKind::Host { call, detail } => write!(f, "could not be run {}: {detail}", In(*call)),
        }
    }
}

impl std::error::Error for PluginError {}

impl From<&PluginError> for kpitree_core::report::PluginFailure {
    fn from(e: &PluginError) -> Self {
        kpitree_core::report::PluginFailure {
            plugin: e.plugin.clone(),
            code: e.kind.code().to_owned(),
            message: e.to_string(),
        }
    }
}
