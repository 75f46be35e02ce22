//! [`PluginError`]: what a plugin did wrong, naming the plugin, in words a user can act on. One
//! definition for every host: the native host (`kpitree-plugin-host`, under wasmtime) and the browser
//! runner (`kpitree-web`) build these same values, so the same hostile plugin is described with the
//! same words and code in both. What only a runtime can find out (a trap, a timeout) it maps to a kind
//! here; the wording and the codes live only in this file (`export.rs`: the words for the ABI's
//! exports and what a module declares). [`ErrorKind`] is serialisable (`wire.rs`): the browser's
//! worker describes what it found as `{ kind: "trap", call, trap }`, which deserialises into it.
//!
//! What a plugin itself answers as its error is [`crate::ReportedError`]; it becomes
//! [`ErrorKind::Reported`].

mod export;
mod wire;

/// Moved to [`crate::host::load::manifest`]; kept under its old name.
pub use crate::host::load::manifest as parse_manifest;
pub use export::{Excess, FUNCTION_EXPORTS, Found, FunctionExport, MEMORY_EXPECTED, ValueType};

use crate::host::ResponseError;
use crate::{ABI_MAJOR, ABI_MINOR, exports};
use serde::{Deserialize, Serialize};
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

/// The export (or step) that was running when a plugin failed. Serialised as [`Call::as_str`].
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

impl Call {
    /// The export's name (`kpitree_evaluate`), or `instantiation`.
    pub fn as_str(self) -> &'static str {
        match self {
            Call::Instantiate => "instantiation",
            Call::AbiVersion => exports::ABI_VERSION,
            Call::Manifest => exports::MANIFEST,
            Call::Alloc => exports::ALLOC,
            Call::Evaluate => exports::EVALUATE,
        }
    }

    /// The call [`Call::as_str`] names (for a host that learns it as text, as the browser runner
    /// does from its worker).
    pub fn from_name(name: &str) -> Option<Call> {
        [Call::Instantiate, Call::AbiVersion, Call::Manifest, Call::Alloc, Call::Evaluate]
            .into_iter()
            .find(|c| c.as_str() == name)
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a plugin did, or what is wrong with its module. Some kinds only one host meets; they are
/// here all the same, so each host words them once, with the others.
///
/// Serialised as the browser's worker writes it: `{ "kind": "trap", ...fields in camelCase }` (the
/// variant's name in kebab-case, its code but for `findings-too-large`), a [`Duration`] as whole
/// milliseconds (`limitMs`), a stack limit defaulting to the ABI's. Only the kinds a runtime finds
/// out (reading a file, compiling, instantiating and calling) deserialise: the others are decided by
/// this crate's own checks, so no runtime reports them, and leaving their readers out keeps the
/// browser's engine small.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", rename_all_fields = "camelCase")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be read (in the browser: fetched; `path` is then the URL).
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's (or the browser's) words.
        detail: String,
    },
    #[serde(skip_deserializing)]
    /// The module is larger than the limit.
    ModuleTooLarge {
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    #[serde(skip_deserializing)]
    /// The module declares more of something than a host compiles ([`crate::module::check`]): the
    /// cost of compiling grows with it, so it is refused before compiling.
    ModuleTooComplex {
        /// What it has too much of.
        what: Excess,
        /// How much it has (of [`Excess::FunctionSize`] and [`Excess::FunctionLocals`]: in the first
        /// function past the limit).
        count: u64,
        /// The limit.
        limit: u64,
    },
    /// Not a valid WebAssembly module (or WAT text), or one using a feature the host does not allow.
    InvalidModule {
        /// The validator's words (wasmtime's natively, wasmparser's or the browser's in a page).
        detail: String,
    },
    #[serde(skip_deserializing)]
    /// The module declares an import; plugins import nothing.
    Import {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
        /// How many imports it declares in all.
        count: usize,
    },
    #[serde(skip_deserializing)]
    /// A required export is missing.
    MissingExport {
        /// Its name (one of [`exports`]).
        // Not read back (nor is its variant); read, serde would borrow it from its input.
        #[serde(skip_deserializing)]
        name: &'static str,
    },
    #[serde(skip_deserializing)]
    /// A required export has the wrong type.
    ExportType {
        /// Its name (one of [`exports`]).
        // Not read back (nor is its variant); read, serde would borrow it from its input.
        #[serde(skip_deserializing)]
        name: &'static str,
        /// The type the ABI requires.
        #[serde(skip_deserializing)]
        expected: &'static str,
        /// The type it has.
        found: String,
    },
    #[serde(skip_deserializing)]
    /// `kpitree_abi_version` returned another major version.
    AbiVersion {
        /// The plugin's major version.
        major: u16,
        /// The plugin's minor version.
        minor: u16,
    },
    #[serde(skip_deserializing)]
    /// The manifest is not valid (after it was read as UTF-8 JSON).
    BadManifest {
        /// What is wrong.
        detail: String,
    },
    #[serde(skip_deserializing)]
    /// A rule id that another loaded plugin already declares.
    RuleClash {
        /// The rule id.
        rule: String,
        /// The plugin that declared it first.
        other: String,
    },
    #[serde(skip_deserializing)]
    /// A plugin of the same name is already loaded.
    DuplicatePlugin {
        /// Where the first one came from.
        first: String,
    },
    #[serde(skip_deserializing)]
    /// The CPU budget (fuel) ran out. Native only: browsers have no fuel, so there a plugin that
    /// loops meets [`ErrorKind::Timeout`] instead.
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
        #[serde(rename = "limitMs", with = "wire::millis")]
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
    #[serde(skip_deserializing)]
    /// The plugin wanted a table with more elements than the limit (and then failed).
    TableTooLarge {
        /// What was running.
        call: Call,
        /// The limit in elements.
        limit: u64,
        /// The size it asked for, in elements.
        requested: u64,
    },
    #[serde(skip_deserializing)]
    /// The module declares more tables than an instance may have.
    TooManyTables {
        /// How many it declares.
        count: u64,
        /// The limit.
        limit: u64,
    },
    /// The wasm stack overflowed.
    StackOverflow {
        /// What was running.
        call: Call,
        /// The stack limit in bytes. Browsers fix their own stack, so the browser runner gives the
        /// ABI's nominal [`crate::limits::STACK`], what a plugin may count on (and the default when
        /// deserialised).
        #[serde(default = "wire::stack")]
        limit: u64,
    },
    /// Any other trap.
    Trap {
        /// What was running.
        call: Call,
        /// What trapped: `unreachable`, `out-of-bounds memory access`, ...
        trap: String,
    },
    #[serde(skip_deserializing)]
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
    #[serde(skip_deserializing)]
    /// Findings that, each with its rule's `why` and `fix`, come to more than
    /// [`crate::limits::EXPANSION`] times the output limit (`host::findings_from_response`). Its code
    /// is the output limit's, `output-too-large`.
    FindingsTooLarge {
        /// How many findings the response has.
        findings: u64,
        /// The output limit (the findings may come to [`crate::limits::EXPANSION`] times it).
        limit: u64,
    },
    #[serde(skip_deserializing)]
    /// An answer that is not UTF-8.
    InvalidUtf8 {
        /// The call.
        call: Call,
        /// Byte offset of the first invalid byte.
        at: usize,
    },
    #[serde(skip_deserializing)]
    /// An answer that is not JSON.
    NotJson {
        /// The call.
        call: Call,
        /// serde_json's words, with line and column.
        detail: String,
    },
    #[serde(skip_deserializing)]
    /// JSON, but not a response (`{"findings": [...]}` or `{"error": {...}}`) or not a manifest.
    BadResponse {
        /// The call.
        call: Call,
        /// serde_json's words.
        detail: String,
    },
    #[serde(skip_deserializing)]
    /// A finding of a rule the manifest does not declare.
    UndeclaredRule {
        /// The rule id.
        rule: String,
    },
    #[serde(skip_deserializing)]
    /// A finding naming a node id the tree does not have.
    UnknownNode {
        /// The finding's rule.
        rule: String,
        /// The id.
        node: String,
    },
    #[serde(skip_deserializing)]
    /// The plugin answered `{"error": {"message": ...}}`.
    Reported {
        /// Its message.
        message: String,
    },
    /// The runtime failed for a reason that is not the plugin's doing: natively wasmtime (for
    /// example no memory for a store), in the browser the worker (or an outcome it described badly).
    Host {
        /// What was running.
        call: Call,
        /// The runtime's words.
        detail: String,
    },
}

impl ErrorKind {
    /// A stable kebab-case code for machine-readable output (`out-of-fuel`, `unknown-node`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            ErrorKind::Io { .. } => "io",
            ErrorKind::ModuleTooLarge { .. } => "module-too-large",
            ErrorKind::ModuleTooComplex { .. } => "module-too-complex",
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
            ErrorKind::TableTooLarge { .. } => "table-too-large",
            ErrorKind::TooManyTables { .. } => "too-many-tables",
            ErrorKind::StackOverflow { .. } => "stack-overflow",
            ErrorKind::Trap { .. } => "trap",
            ErrorKind::InputTooLarge { .. } => "input-too-large",
            ErrorKind::AllocFailed { .. } => "alloc-failed",
            ErrorKind::OutOfBounds { .. } => "out-of-bounds",
            ErrorKind::OutputTooLarge { .. } | ErrorKind::FindingsTooLarge { .. } => "output-too-large",
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

    /// The error of the plugin named `plugin`.
    pub fn of(self, plugin: &str) -> PluginError {
        PluginError { plugin: plugin.to_owned(), kind: self }
    }

    /// What a rejected response of `kpitree_evaluate` (`bytes`) is, as [`crate::host::findings_from_response`]
    /// found it.
    pub fn from_response(e: ResponseError, bytes: &[u8]) -> ErrorKind {
        let call = Call::Evaluate;
        match e {
            ResponseError::NotUtf8 => {
                ErrorKind::InvalidUtf8 { call, at: std::str::from_utf8(bytes).err().map_or(0, |e| e.valid_up_to()) }
            }
            ResponseError::BadJson(detail) => json_error(call, bytes, detail),
            ResponseError::Plugin(message) => ErrorKind::Reported { message },
            ResponseError::UndeclaredRule(rule) => ErrorKind::UndeclaredRule { rule },
            ResponseError::UnknownNode { rule, node } => ErrorKind::UnknownNode { rule, node },
            ResponseError::TooLarge { findings, output_limit } => {
                ErrorKind::FindingsTooLarge { findings: findings as u64, limit: output_limit }
            }
        }
    }
}

/// Not JSON at all, or JSON of the wrong shape (`detail` is serde's message for the latter).
pub(crate) fn json_error(call: Call, bytes: &[u8], detail: String) -> ErrorKind {
    match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        Err(e) => ErrorKind::NotJson { call, detail: e.to_string() },
        Ok(_) => ErrorKind::BadResponse { call, detail },
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

/// `a manifest` or `a response`.
fn answer(call: Call) -> &'static str {
    match call {
        Call::Manifest => "a manifest",
        _ => "a response",
    }
}

/// What the plugin did, as the rest of a sentence whose subject is the plugin (`exceeded its time
/// limit (5000 ms) in kpitree_evaluate`); [`PluginError`] puts the subject first.
impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Io { path, detail } => write!(f, "cannot be read from {}: {detail}", path.display()),
            ErrorKind::ModuleTooLarge { size: s, limit } => {
                write!(f, "is too large: {} (limit {})", size(*s), size(*limit))
            }
            ErrorKind::ModuleTooComplex { what, count, limit } => {
                let name = what.as_str();
                match what {
                    Excess::CodeSize | Excess::FunctionSize => {
                        write!(f, "is too complex to compile: {} of {name} (limit {})", size(*count), size(*limit))
                    }
                    _ => write!(f, "is too complex to compile: {count} {name} (limit {limit})"),
                }
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
            ErrorKind::AbiVersion { major, minor } => {
                write!(f, "speaks ABI v{major}.{minor}; this kpitree speaks v{ABI_MAJOR}.{ABI_MINOR}")
            }
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
            ErrorKind::TableTooLarge { call, limit, requested } => {
                write!(f, "wanted a table of {requested} elements (limit {limit}) {}", In(*call))
            }
            ErrorKind::TooManyTables { count, limit } => write!(f, "declares {count} tables (limit {limit})"),
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
            ErrorKind::FindingsTooLarge { findings, limit } => write!(
                f,
                "returned {findings} findings from {} that come to more than {} with their rules' why and fix \
                 (limit {} × the output limit of {})",
                Call::Evaluate,
                size(limit.saturating_mul(crate::limits::EXPANSION)),
                crate::limits::EXPANSION,
                size(*limit)
            ),
            ErrorKind::InvalidUtf8 { call, at } => write!(f, "returned invalid UTF-8 at byte {at} from {call}"),
            ErrorKind::NotJson { call, detail } => {
                write!(f, "returned {} that is not JSON from {call}: {detail}", answer(*call))
            }
            ErrorKind::BadResponse { call, detail } => {
                write!(f, "returned {} of the wrong shape: {detail}", answer(*call))
            }
            ErrorKind::UndeclaredRule { rule } => write!(f, "reported rule `{rule}` it did not declare"),
            ErrorKind::UnknownNode { rule, node } => {
                write!(f, "named unknown node `{node}` in a finding of rule `{rule}`")
            }
            ErrorKind::Reported { message } => write!(f, "reported an error: {message}"),
            ErrorKind::Host { call, detail } => write!(f, "could not be run {}: {detail}", In(*call)),
        }
    }
}

impl fmt::Display for PluginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "plugin `{}` {}", self.plugin, self.kind)
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

/// `256 MiB`, `1.5 KiB`, `12 bytes`: sizes in messages.
pub fn size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    // One decimal, dropped when it is 0. The division is exact in f64 for any size below 2^53.
    let trim = |x: f64, unit: &str| {
        let s = format!("{x:.1}");
        format!("{} {unit}", s.strip_suffix(".0").unwrap_or(&s))
    };
    if bytes >= MIB {
        trim(bytes as f64 / MIB as f64, "MiB")
    } else if bytes >= KIB {
        trim(bytes as f64 / KIB as f64, "KiB")
    } else if bytes == 1 {
        "1 byte".to_owned()
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(size(256 << 20), "256 MiB");
        assert_eq!(size(1 << 20), "1 MiB");
        assert_eq!(size(1536 << 10), "1.5 MiB");
        assert_eq!(size(64 << 10), "64 KiB");
        assert_eq!(size(12), "12 bytes");
        assert_eq!(size(1), "1 byte");
        assert_eq!(size(0), "0 bytes");
    }

    #[test]
    fn messages_name_the_plugin_and_the_call() {
        let e = |kind: ErrorKind| kind.of("p").to_string();
        assert_eq!(
            e(ErrorKind::Timeout { call: Call::Evaluate, limit: Duration::from_millis(250) }),
            "plugin `p` exceeded its time limit (250 ms) in kpitree_evaluate"
        );
        assert_eq!(
            e(ErrorKind::StackOverflow { call: Call::Instantiate, limit: 1 << 20 }),
            "plugin `p` overflowed its stack (limit 1 MiB) during instantiation"
        );
        assert_eq!(
            e(ErrorKind::BadResponse { call: Call::Manifest, detail: "missing field `name`".to_owned() }),
            "plugin `p` returned a manifest of the wrong shape: missing field `name`"
        );
        assert_eq!(
            e(ErrorKind::OutputTooLarge { call: Call::Evaluate, len: 9 << 20, limit: 8 << 20 }),
            "plugin `p` returned 9 MiB of a response from kpitree_evaluate (limit 8 MiB)"
        );
        assert_eq!(
            e(ErrorKind::Import { module: "env".to_owned(), name: "f".to_owned(), count: 1 }),
            "plugin `p` imports `env.f`: plugins may import nothing"
        );
    }
}
