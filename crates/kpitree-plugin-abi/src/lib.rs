//! The kpitree rule-plugin ABI (`plugins/ABI.md`): version constants, export names, the manifest and
//! response types, and the compact tree encoding (`KTR1`).
//!
//! Shared by the host (which encodes requests and checks responses) and the SDK (which decodes
//! requests and writes responses), so both sides speak one definition.
//!
//! - Always: the constants, [`Manifest`], [`Response`], and the decoder [`TreeView`] /
//!   [`split_request`]: light enough for a plugin (serde and `kpitree-vocab` only, no engine; compiles
//!   to wasm32).
//! - Feature `encode` (the host): [`encode_request`], [`host`] to check manifests and turn
//!   responses into engine findings, [`module`] to check a module before compiling it, and [`error`],
//!   every host's plugin errors. It links `kpitree-core` and wasmparser.

#[cfg(feature = "encode")]
mod encode;
#[cfg(feature = "encode")]
pub mod error;
#[cfg(feature = "encode")]
pub mod host;
mod layout;
#[cfg(feature = "encode")]
pub mod module;
mod reads;
mod view;

#[cfg(feature = "encode")]
pub use encode::{Requests, encode_request, encode_request_for, encode_tree, encode_tree_for};
/// The vocabulary of the tree, the engine's own types (`kpitree-vocab`): one definition of each value,
/// its spellings and its `KTR1` byte for the encoder and the decoder. `Trend` is the engine's
/// `TrendDirection`, by the name plugins know it.
pub use kpitree_vocab::{
    Date, Direction, Health, Indicator, LinkKind, NodeKind, Severity, Status, TrendDirection as Trend,
};
pub use layout::{MAGIC, NONE, SECTIONS};
pub use reads::{READ_NAMES, ReadName, Reads};
pub use view::{CheckIn, CheckIns, DecodeError, Ix, Ixs, LinkRef, Measurement, Measurements, TreeView, split_request};

use serde::{Deserialize, Serialize};

/// Major version of the ABI this crate implements. Hosts refuse plugins of another major version.
pub const ABI_MAJOR: u16 = 1;
/// Minor version of the ABI this crate implements.
pub const ABI_MINOR: u16 = 1;
/// `kpitree_abi_version`'s value for this ABI.
pub const ABI_VERSION: i32 = ((ABI_MAJOR as i32) << 16) | ABI_MINOR as i32;

/// The default limits of `plugins/ABI.md` (*Limits*), one definition for every host: the native host's
/// `Limits::default()` and the browser runner both start from these, so a plugin that fits in one fits
/// in the other. Sizes are in bytes; all fit in 32 bits, so the values are the same on wasm32.
pub mod limits {
    /// CPU budget per call, in wasmtime fuel units (about one per wasm instruction). The browser has no
    /// fuel; it relies on [`TIME_MS`].
    pub const FUEL: u64 = 2_000_000_000;
    /// Wall time per call, in milliseconds.
    pub const TIME_MS: u64 = 5_000;
    /// Linear memory a plugin may grow to, in bytes (256 MiB).
    pub const MEMORY: usize = 256 << 20;
    /// [`MEMORY`] in 64 KiB wasm pages, for a host that sets a memory's maximum in pages.
    pub const MEMORY_PAGES: u32 = (MEMORY >> 16) as u32;
    /// Size of a module file, checked before compiling (16 MiB).
    pub const MODULE_SIZE: usize = 16 << 20;
    /// Size of a request, checked before calling (64 MiB).
    pub const INPUT_SIZE: usize = 64 << 20;
    /// Size of an answer (manifest or response), checked before reading it (8 MiB).
    pub const OUTPUT_SIZE: usize = 8 << 20;
    /// What the findings of one response may come to once each carries its rule's `why` and `fix`,
    /// as a multiple of the output limit (`host::findings_from_response`): a long `why` and many
    /// tiny findings would otherwise make a host print the `why` millions of times.
    pub const EXPANSION: u64 = 4;
    /// Bytes of one text of a manifest (`version`, `description`, and each rule's `summary`, `why` and
    /// `fix`): a page of prose is a few KiB.
    pub const TEXT: usize = 64 << 10;
    /// Native stack the plugin's code may use (1 MiB); an overflow is a trap. Browsers fix their own.
    pub const STACK: usize = 1 << 20;
    /// Rules one manifest may declare. The checks compare rule ids pairwise and look them up per
    /// finding, so a manifest of a hundred thousand rules (it fits in [`OUTPUT_SIZE`]) would stall a
    /// host; no real plugin comes near this.
    pub const RULES: usize = 1024;
    /// Tables one instance may have (wasm allows several since reference types).
    pub const TABLES: usize = 8;
    /// Elements a table may grow to (each is a pointer): enough for any real plugin's function table,
    /// small enough that a hostile table costs little.
    pub const TABLE_ELEMENTS: usize = 1 << 20;

    // What a module may declare, checked before it is compiled (`module::check`): compiling costs
    // time and memory in proportion to these, whatever the module later runs. An SDK plugin has a
    // few thousand functions and well under 1 MiB of code.

    /// Functions a module may define: compiling each costs about 0.15 ms and 6 KiB however small it
    /// is (100,000 empty functions: 13 s and 630 MB).
    pub const FUNCTIONS: usize = 10_000;
    /// Bytes of code (the code section) a module may have: wasmtime compiles about 1 MB a second.
    pub const CODE_SIZE: usize = 4 << 20;
    /// Bytes of code of one function: the compiler holds one function at a time, at about 100 bytes
    /// of memory per byte of code.
    pub const FUNCTION_SIZE: usize = 512 << 10;
    /// Locals one function may declare (each is zeroed on entry: work for the compiler).
    pub const FUNCTION_LOCALS: usize = 10_000;
    /// Locals all functions together may declare.
    pub const LOCALS: usize = 1_000_000;
    /// Types a module may declare.
    pub const TYPES: usize = 10_000;
    /// Exports a module may declare.
    pub const EXPORTS: usize = 10_000;
    /// Globals a module may declare.
    pub const GLOBALS: usize = 10_000;
    /// Data segments, and element segments, a module may declare.
    pub const SEGMENTS: usize = 10_000;
}

/// Replaces control characters other than newline and tab, and the bidirectional embedding, override
/// and isolate characters (U+202A-U+202E, U+2066-U+2069, which can make text read differently from
/// what it is: "Trojan Source"), with U+FFFD, so that a plugin's text cannot drive the terminal
/// (escape sequences) or the page it is shown on, nor disguise itself. Every host cleans the same
/// fields with this one function ([`Manifest::make_printable`], `host::findings_from_response`), so
/// findings are byte-identical natively and in the browser.
pub fn make_printable(s: &mut String) {
    if s.contains(is_unprintable) {
        *s = s.chars().map(|c| if is_unprintable(c) { '\u{FFFD}' } else { c }).collect();
    }
}

/// What [`make_printable`] replaces.
fn is_unprintable(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// [`make_printable`] on every string of a JSON value (object keys too), in place.
pub fn make_json_printable(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => make_printable(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(make_json_printable),
        serde_json::Value::Object(map) => make_map_printable(map),
        _ => {}
    }
}

/// [`make_json_printable`] on a JSON object: keys with control characters are renamed (a later key
/// that cleans to the same name replaces an earlier one, as a repeated key would).
pub fn make_map_printable(map: &mut serde_json::Map<String, serde_json::Value>) {
    if map.keys().any(|k| k.contains(is_unprintable)) {
        let old = std::mem::take(map);
        for (mut k, mut v) in old {
            make_printable(&mut k);
            make_json_printable(&mut v);
            map.insert(k, v);
        }
    } else {
        map.values_mut().for_each(make_json_printable);
    }
}

/// Names of the exports every plugin has.
pub mod exports {
    /// The plugin's linear memory.
    pub const MEMORY: &str = "memory";
    /// `() -> i32`
    pub const ABI_VERSION: &str = "kpitree_abi_version";
    /// `(len: i32) -> i32`
    pub const ALLOC: &str = "kpitree_alloc";
    /// `() -> i64` (packed slice)
    pub const MANIFEST: &str = "kpitree_manifest";
    /// `(ptr: i32, len: i32) -> i64` (packed slice)
    pub const EVALUATE: &str = "kpitree_evaluate";
}

/// Packs a pointer and a length into the `i64` the ABI returns.
pub fn pack(ptr: u32, len: u32) -> i64 {
    ((u64::from(ptr) << 32) | u64::from(len)) as i64
}

/// Splits a packed slice into pointer and length.
pub fn unpack(packed: i64) -> (u32, u32) {
    let v = packed as u64;
    ((v >> 32) as u32, v as u32)
}

/// One rule a plugin declares.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDecl {
    /// Rule id, `[a-z0-9][a-z0-9-]*`.
    pub id: String,
    /// Default severity.
    pub severity: Severity,
    /// One line: what it finds.
    pub summary: String,
    /// Why it matters.
    pub why: String,
    /// What to do about a finding.
    pub fix: String,
}

/// What a plugin says about itself (`kpitree_manifest`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Plugin name, `[a-z0-9][a-z0-9-]*`, at most 64 bytes.
    pub name: String,
    /// The plugin's own version.
    pub version: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// The rules it reports.
    pub rules: Vec<RuleDecl>,
    /// JSON Schema of its configuration.
    #[serde(default = "empty_object")]
    pub config_schema: serde_json::Value,
    /// ABI 1.1: the parts of the tree it reads ([`READ_NAMES`]); the host encodes only those (and
    /// `kind`, `id`, the string table). `None` (ABI 1.0): the whole tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reads: Option<Vec<String>>,
}

fn empty_object() -> serde_json::Value {
    serde_json::json!({})
}

/// A finding as a plugin reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginFinding {
    /// One of the manifest's rule ids.
    pub rule: String,
    /// Overrides the rule's default severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Node ids, most relevant first.
    pub nodes: Vec<String>,
    /// What is wrong.
    pub message: String,
    /// What to do (the rule's `fix` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// Numbers behind the finding (`r`, `count`, …), shown with it like a built-in rule's evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A structured failure a plugin reports instead of findings (the hosts report it as the error kind
/// `Reported`, code `reported`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportedError {
    /// What went wrong.
    pub message: String,
}

/// `kpitree_evaluate`'s answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Response {
    /// Success.
    Findings(Vec<PluginFinding>),
    /// Failure.
    Error(ReportedError),
}

/// True for a plugin name or rule id: `[a-z0-9][a-z0-9-]*`, at most 64 bytes (the one alphabet
/// of rules, [`kpitree_vocab::is_rule_id`]).
pub use kpitree_vocab::is_rule_id as is_valid_name;

/// What is wrong with a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ManifestError {
    /// `name` outside `[a-z0-9][a-z0-9-]*` or longer than 64 bytes.
    BadName(String),
    /// `version` is empty.
    NoVersion,
    /// The plugin declares no rule.
    NoRules,
    /// More rules than [`limits::RULES`].
    TooManyRules(usize),
    /// A rule id outside the alphabet.
    BadRuleId(String),
    /// A rule id declared twice.
    DuplicateRule(String),
    /// A rule without summary, why or fix.
    Undocumented(String),
    /// `config_schema` is not a JSON object.
    BadSchema,
    /// A rule id that is also a built-in rule's (checked by the host).
    ClashesWithBuiltin(String),
    /// A name in `reads` that is not one of [`READ_NAMES`].
    UnknownRead(String),
    /// A text longer than [`limits::TEXT`].
    TextTooLong {
        /// The rule whose text it is, `None` for the manifest's own `version` or `description`.
        rule: Option<String>,
        /// `version`, `description`, `summary`, `why` or `fix`.
        field: &'static str,
        /// Its length in bytes.
        len: usize,
    },
}

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ManifestError::BadName(n) => {
                write!(f, "plugin name `{n}` must match [a-z0-9][a-z0-9-]* (at most 64 bytes)")
            }
            ManifestError::NoVersion => write!(f, "manifest has an empty `version`"),
            ManifestError::NoRules => write!(f, "manifest declares no rule"),
            ManifestError::TooManyRules(n) => {
                write!(f, "manifest declares {n} rules; at most {} are allowed", limits::RULES)
            }
            ManifestError::BadRuleId(r) => write!(f, "rule id `{r}` must match [a-z0-9][a-z0-9-]* (at most 64 bytes)"),
            ManifestError::DuplicateRule(r) => write!(f, "rule `{r}` is declared twice"),
            ManifestError::Undocumented(r) => write!(f, "rule `{r}` needs a summary, a why and a fix"),
            ManifestError::BadSchema => write!(f, "`config_schema` must be a JSON object"),
            ManifestError::ClashesWithBuiltin(r) => write!(f, "rule `{r}` has the id of a built-in rule"),
            ManifestError::UnknownRead(r) => {
                let known: Vec<&str> = READ_NAMES.iter().map(|n| n.name).collect();
                write!(f, "`reads` names `{r}`, which is not a part of the tree; use {}", known.join(", "))
            }
            ManifestError::TextTooLong { rule, field, len } => {
                match rule {
                    Some(r) => write!(f, "rule `{r}` has a `{field}` of {len} bytes")?,
                    None => write!(f, "`{field}` has {len} bytes")?,
                }
                write!(f, "; at most {} are allowed", limits::TEXT)
            }
        }
    }
}

impl std::error::Error for ManifestError {}

impl Manifest {
    /// Checks what the ABI requires of a manifest on its own (the host also checks ids against the
    /// built-in rules and other plugins).
    pub fn check(&self) -> Result<(), ManifestError> {
        if !is_valid_name(&self.name) {
            return Err(ManifestError::BadName(self.name.clone()));
        }
        if self.version.trim().is_empty() {
            return Err(ManifestError::NoVersion);
        }
        if self.rules.is_empty() {
            return Err(ManifestError::NoRules);
        }
        if self.rules.len() > limits::RULES {
            return Err(ManifestError::TooManyRules(self.rules.len()));
        }
        for (field, text) in [("version", &self.version), ("description", &self.description)] {
            if text.len() > limits::TEXT {
                return Err(ManifestError::TextTooLong { rule: None, field, len: text.len() });
            }
        }
        for (k, r) in self.rules.iter().enumerate() {
            if !is_valid_name(&r.id) {
                return Err(ManifestError::BadRuleId(r.id.clone()));
            }
            if self.rules[..k].iter().any(|q| q.id == r.id) {
                return Err(ManifestError::DuplicateRule(r.id.clone()));
            }
            if [&r.summary, &r.why, &r.fix].iter().any(|s| s.trim().is_empty()) {
                return Err(ManifestError::Undocumented(r.id.clone()));
            }
            for (field, text) in [("summary", &r.summary), ("why", &r.why), ("fix", &r.fix)] {
                if text.len() > limits::TEXT {
                    return Err(ManifestError::TextTooLong { rule: Some(r.id.clone()), field, len: text.len() });
                }
            }
        }
        if !self.config_schema.is_object() {
            return Err(ManifestError::BadSchema);
        }
        if let Some(names) = &self.reads {
            Reads::from_names(names).map_err(ManifestError::UnknownRead)?;
        }
        Ok(())
    }

    /// The sections to encode for this plugin: [`Reads::ALL`] without `reads` (ABI 1.0), else what
    /// `reads` declares. A manifest that failed [`Manifest::check`] on `reads` also gets everything.
    pub fn reads(&self) -> Reads {
        self.reads.as_deref().map_or(Reads::ALL, |names| Reads::from_names(names).unwrap_or(Reads::ALL))
    }

    /// Cleans the text a host shows (version, description, each rule's summary, why and fix) with
    /// [`make_printable`]. Hosts call it after [`Manifest::check`] (or `host::check_manifest`).
    /// The name and rule ids need nothing: the check restricts them to `[a-z0-9-]`.
    pub fn make_printable(&mut self) {
        make_printable(&mut self.version);
        make_printable(&mut self.description);
        for r in &mut self.rules {
            make_printable(&mut r.summary);
            make_printable(&mut r.why);
            make_printable(&mut r.fix);
        }
    }

    /// The declared rule with `id`.
    pub fn rule(&self, id: &str) -> Option<&RuleDecl> {
        self.rules.iter().find(|r| r.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_override_characters_are_replaced() {
        let mut s = "a\u{1b}[31m\tb\nc\u{202E}d\u{2066}e\u{2069}f\u{202A}\u{2067}\u{200F}g".to_owned();
        make_printable(&mut s);
        // U+200F (a mark, not an override or isolate) stays; so do tab and newline.
        assert_eq!(s, "a\u{FFFD}[31m\tb\nc\u{FFFD}d\u{FFFD}e\u{FFFD}f\u{FFFD}\u{FFFD}\u{200F}g");
        let mut v = serde_json::json!({ "k\u{202D}": ["\u{2068}x"] });
        make_json_printable(&mut v);
        assert_eq!(v, serde_json::json!({ "k\u{FFFD}": ["\u{FFFD}x"] }));
    }

    /// A manifest's texts are bounded (a host holds them and shows them), each to [`limits::TEXT`].
    #[test]
    fn manifest_texts_are_bounded() {
        let manifest = |why: &str, description: &str| -> Manifest {
            serde_json::from_value(serde_json::json!({"name": "p", "version": "1", "description": description,
                "rules": [{"id": "a", "severity": "info", "summary": "s", "why": why, "fix": "f"}]}))
            .expect("a manifest")
        };
        let long = "w".repeat(limits::TEXT + 1);
        assert_eq!(manifest(&long[1..], "").check(), Ok(()));
        assert_eq!(
            manifest(&long, "").check().expect_err("too long").to_string(),
            "rule `a` has a `why` of 65537 bytes; at most 65536 are allowed"
        );
        assert_eq!(
            manifest("w", &long).check().expect_err("too long").to_string(),
            "`description` has 65537 bytes; at most 65536 are allowed"
        );
    }
}
