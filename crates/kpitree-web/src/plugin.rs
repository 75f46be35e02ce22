//! The engine's side of running rule plugins in the browser. The page (`web/src/plugins.js` and its
//! worker) does what only JS can: compile, instantiate and call the module under a time limit. Here:
//! the checks before that ([`prepare_module`]: size, imports, the five exports' exact types, and the
//! memory maximum lowered to the limit), the manifest and response checks of `kpitree_plugin_abi`
//! (the native host's), and the plugin rules' switches from the configuration. Plugin errors are
//! `kpitree_plugin_abi::error`'s, the native host's, so a report reads the same in both; the page's
//! own findings (a timeout, a trap) arrive as an [`Outcome`] and are mapped onto them.

use crate::{ConfigFile, config_error, config_of, resolve, to_js};
use kpitree_core::config::Settings;
use kpitree_core::report::{PluginFailure, PluginResults};
use kpitree_core::tree::Tree;
use kpitree_plugin_abi::error::{Call, ErrorKind, FUNCTION_EXPORTS, Found, MEMORY_EXPECTED, ValueType, parse_manifest};
use kpitree_plugin_abi::host::{RuleSwitches, findings_from_response, take_rule_settings};
use kpitree_plugin_abi::module::ModuleLimits;
use kpitree_plugin_abi::{ABI_MAJOR, Manifest, exports, limits};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasmparser::{CompositeInnerType, ExternalKind, Parser, Payload, ValType};

const PAGE: u64 = 65536;

/// The page's limits, as `defaultLimits` gives them and `PluginRun.setLimits` takes them (sizes in
/// bytes; JS numbers, so `f64`).
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageLimits {
    time_ms: f64,
    memory: f64,
    module_size: f64,
    input_size: f64,
    output_size: f64,
    functions: f64,
    code_size: f64,
}

impl Default for PageLimits {
    fn default() -> PageLimits {
        PageLimits {
            time_ms: limits::TIME_MS as f64,
            memory: limits::MEMORY as f64,
            module_size: limits::MODULE_SIZE as f64,
            input_size: limits::INPUT_SIZE as f64,
            output_size: limits::OUTPUT_SIZE as f64,
            functions: limits::FUNCTIONS as f64,
            code_size: limits::CODE_SIZE as f64,
        }
    }
}

impl PageLimits {
    /// What a module is checked against before the page compiles it.
    fn module(&self) -> ModuleLimits {
        ModuleLimits { functions: self.functions as u64, code_size: self.code_size as u64 }
    }
}

/// The default limits of `plugins/ABI.md`, the native host's, for the page: `{ timeMs, memory,
/// moduleSize, inputSize, outputSize, functions, codeSize }` (sizes in bytes).
#[wasm_bindgen(js_name = defaultLimits)]
pub fn default_limits() -> JsValue {
    to_js(&PageLimits::default())
}

/// A failure as the page describes it (`{ kind: "trap", call, trap }` and so on, from
/// `web/src/plugins.js` and its worker): what only the page can find out. It becomes the shared
/// [`ErrorKind`], so it is worded and coded as the native host words and codes it.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", rename_all_fields = "camelCase")]
enum Outcome {
    /// The module could not be fetched (`path` is its URL).
    Io {
        path: String,
        detail: String,
    },
    /// The browser refused to compile it.
    InvalidModule {
        detail: String,
    },
    /// The worker was stopped after `limit_ms`; browsers have no fuel, so this is also how a loop ends.
    Timeout {
        call: JsCall,
        limit_ms: u64,
    },
    OutOfMemory {
        call: JsCall,
        limit: u64,
        requested: u64,
    },
    /// Browsers fix their own stack size, so there is no limit to report but the ABI's.
    StackOverflow {
        call: JsCall,
    },
    Trap {
        call: JsCall,
        trap: String,
    },
    InputTooLarge {
        size: u64,
        limit: u64,
    },
    AllocFailed {
        len: u64,
    },
    OutOfBounds {
        call: JsCall,
        ptr: u32,
        len: u32,
        memory: u64,
    },
    OutputTooLarge {
        call: JsCall,
        len: u64,
        limit: u64,
    },
    Host {
        call: JsCall,
        detail: String,
    },
}

/// A [`Call`] by its export name, as the page writes it.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(try_from = "String")]
struct JsCall(Call);

impl TryFrom<String> for JsCall {
    type Error = String;

    fn try_from(name: String) -> Result<JsCall, String> {
        Call::from_name(&name).map(JsCall).ok_or_else(|| format!("unknown call `{name}`"))
    }
}

impl From<Outcome> for ErrorKind {
    fn from(o: Outcome) -> ErrorKind {
        match o {
            Outcome::Io { path, detail } => ErrorKind::Io { path: path.into(), detail },
            Outcome::InvalidModule { detail } => ErrorKind::InvalidModule { detail },
            Outcome::Timeout { call, limit_ms } => {
                ErrorKind::Timeout { call: call.0, limit: Duration::from_millis(limit_ms) }
            }
            Outcome::OutOfMemory { call, limit, requested } => {
                ErrorKind::OutOfMemory { call: call.0, limit, requested }
            }
            Outcome::StackOverflow { call } => ErrorKind::StackOverflow { call: call.0, limit: limits::STACK as u64 },
            Outcome::Trap { call, trap } => ErrorKind::Trap { call: call.0, trap },
            Outcome::InputTooLarge { size, limit } => ErrorKind::InputTooLarge { size, limit },
            Outcome::AllocFailed { len } => ErrorKind::AllocFailed { len },
            Outcome::OutOfBounds { call, ptr, len, memory } => {
                ErrorKind::OutOfBounds { call: call.0, ptr, len, memory }
            }
            Outcome::OutputTooLarge { call, len, limit } => ErrorKind::OutputTooLarge { call: call.0, len, limit },
            Outcome::Host { call, detail } => ErrorKind::Host { call: call.0, detail },
        }
    }
}

/// The failure of plugin `plugin` as reports carry it.
fn failure(kind: ErrorKind, plugin: &str) -> PluginFailure {
    PluginFailure::from(&kind.of(plugin))
}

fn failure_js(f: &PluginFailure) -> JsValue {
    #[derive(Serialize)]
    struct Js<'a> {
        plugin: &'a str,
        code: &'a str,
        message: &'a str,
    }
    to_js(&Js { plugin: &f.plugin, code: &f.code, message: &f.message })
}

/// Checks a module before the page compiles it, as the native host does before instantiating: its
/// size, no imports, the five exports with exactly the ABI's types, and an initial memory within the
/// limit. Returns the module with its memory's maximum lowered to `memory_limit` (bytes), so that
/// `memory.grow` past the limit fails inside the plugin, as under the native host's limiter. Errors
/// are plugin failures named `name` (the file stem).
#[wasm_bindgen(js_name = prepareModule)]
pub fn prepare_module(bytes: &[u8], name: &str, module_limit: f64, memory_limit: f64) -> Result<Vec<u8>, JsValue> {
    let (module_limit, memory_limit) = (module_limit as u64, memory_limit as u64);
    inspect(bytes, module_limit, memory_limit, ModuleLimits::default()).map_err(|kind| failure_js(&failure(kind, name)))
}

/// A function type's parameters and results.
type Sig = (Vec<ValType>, Vec<ValType>);

fn inspect(bytes: &[u8], module_limit: u64, memory_limit: u64, counts: ModuleLimits) -> Result<Vec<u8>, ErrorKind> {
    if bytes.len() as u64 > module_limit {
        return Err(ErrorKind::ModuleTooLarge { size: bytes.len() as u64, limit: module_limit });
    }
    // What the native host checks before compiling, with the same function: imports, and counts that
    // bound what compiling costs.
    kpitree_plugin_abi::module::check(bytes, counts)?;
    let invalid = |e: wasmparser::BinaryReaderError| ErrorKind::InvalidModule { detail: e.to_string() };
    let mut types: Vec<Option<Sig>> = Vec::new();
    let mut functions: Vec<u32> = Vec::new();
    let mut memories: Vec<wasmparser::MemoryType> = Vec::new();
    let mut exported: Vec<(String, ExternalKind, u32)> = Vec::new();
    let mut tables: Vec<u64> = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(invalid)? {
            Payload::TypeSection(r) => {
                for group in r {
                    for sub in group.map_err(invalid)?.into_types() {
                        types.push(match &sub.composite_type.inner {
                            CompositeInnerType::Func(f) => Some((f.params().to_vec(), f.results().to_vec())),
                            _ => None,
                        });
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    functions.push(t.map_err(invalid)?);
                }
            }
            Payload::TableSection(r) => {
                for t in r {
                    tables.push(t.map_err(invalid)?.ty.initial);
                }
            }
            Payload::MemorySection(r) => {
                for m in r {
                    memories.push(m.map_err(invalid)?);
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(invalid)?;
                    exported.push((e.name.to_owned(), e.kind, e.index));
                }
            }
            _ => {}
        }
    }
    // As natively: after imports (refused by `module::check`), before exports (an instance may hold
    // only so many tables).
    if tables.len() > limits::TABLES {
        return Err(ErrorKind::TooManyTables { count: tables.len() as u64, limit: limits::TABLES as u64 });
    }
    let find = |name: &str| exported.iter().find(|(n, _, _)| n == name).map(|&(_, kind, index)| (kind, index));
    let describe = |kind: ExternalKind, index: u32| -> String {
        let names = |v: &[ValType]| v.iter().map(ValType::to_string).collect();
        match kind {
            ExternalKind::Func => match functions.get(index as usize).and_then(|&t| types.get(t as usize)) {
                Some(Some((params, results))) => Found::Function { params: names(params), results: names(results) },
                _ => Found::UnknownFunction,
            },
            ExternalKind::Memory => {
                let m = memories.get(index as usize);
                Found::Memory { shared: m.is_some_and(|m| m.shared), is_64: m.is_some_and(|m| m.memory64) }
            }
            ExternalKind::Table => Found::Table,
            ExternalKind::Global => Found::Global,
            _ => Found::Tag,
        }
        .to_string()
    };
    let memory_index = match find(exports::MEMORY) {
        None => return Err(ErrorKind::MissingExport { name: exports::MEMORY }),
        Some((ExternalKind::Memory, i)) if memories.get(i as usize).is_some_and(|m| !m.shared && !m.memory64) => i,
        Some((kind, i)) => {
            return Err(ErrorKind::ExportType {
                name: exports::MEMORY,
                expected: MEMORY_EXPECTED,
                found: describe(kind, i),
            });
        }
    };
    let value_type = |v: &ValType| match v {
        ValType::I32 => Some(ValueType::I32),
        ValType::I64 => Some(ValueType::I64),
        _ => None,
    };
    for fx in &FUNCTION_EXPORTS {
        let Some((kind, index)) = find(fx.name) else { return Err(ErrorKind::MissingExport { name: fx.name }) };
        let sig = functions.get(index as usize).and_then(|&t| types.get(t as usize)).and_then(Option::as_ref);
        let ok = kind == ExternalKind::Func
            && sig.is_some_and(|(p, r)| fx.accepts(p.iter().map(value_type), r.iter().map(value_type)));
        if !ok {
            return Err(ErrorKind::ExportType { name: fx.name, expected: fx.expected, found: describe(kind, index) });
        }
    }
    let limit_pages = memory_limit / PAGE;
    if let Some(m) = memories.get(memory_index as usize)
        && m.initial > limit_pages
    {
        return Err(ErrorKind::OutOfMemory {
            call: Call::Instantiate,
            limit: memory_limit,
            requested: m.initial.saturating_mul(PAGE),
        });
    }
    // Tables: the native limiter refuses one past the limit when it is created; browsers allow more.
    if let Some(&requested) = tables.iter().find(|&&t| t > limits::TABLE_ELEMENTS as u64) {
        return Err(ErrorKind::TableTooLarge {
            call: Call::Instantiate,
            limit: limits::TABLE_ELEMENTS as u64,
            requested,
        });
    }
    Ok(with_memory_maximum(bytes, &memories, limit_pages))
}

/// Reads an unsigned LEB128 at `*at` (the module was parsed already, so it is well formed).
fn read_leb(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let (mut v, mut shift) = (0u64, 0);
    loop {
        let b = *bytes.get(*at)?;
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

/// The module with its memory section rewritten so every 32-bit memory has a maximum of at most
/// `limit_pages`. Other sections are copied byte for byte.
fn with_memory_maximum(bytes: &[u8], memories: &[wasmparser::MemoryType], limit_pages: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 8);
    out.extend_from_slice(&bytes[..8.min(bytes.len())]);
    let mut at = 8;
    while at < bytes.len() {
        let id = bytes[at];
        let mut p = at + 1;
        let Some(len) = read_leb(bytes, &mut p) else { return bytes.to_vec() };
        let end = p + len as usize;
        if end > bytes.len() {
            return bytes.to_vec();
        }
        // Custom page sizes (flag 0x08) keep their limits: the page count would mean something else.
        if id == 5 && memories.iter().all(|m| m.page_size_log2.is_none()) {
            let mut body = Vec::new();
            kpitree_plugin_abi::module::write_leb128(&mut body, memories.len() as u64);
            for m in memories {
                let patch = !m.memory64 && !m.shared;
                let maximum =
                    if patch { Some(m.maximum.map_or(limit_pages, |x| x.min(limit_pages))) } else { m.maximum };
                let mut flags = 0u8;
                if maximum.is_some() {
                    flags |= 0x01;
                }
                if m.shared {
                    flags |= 0x02;
                }
                if m.memory64 {
                    flags |= 0x04;
                }
                body.push(flags);
                kpitree_plugin_abi::module::write_leb128(&mut body, m.initial);
                if let Some(x) = maximum {
                    kpitree_plugin_abi::module::write_leb128(&mut body, x);
                }
            }
            out.push(5);
            kpitree_plugin_abi::module::write_leb128(&mut out, body.len() as u64);
            out.extend_from_slice(&body);
        } else {
            out.extend_from_slice(&bytes[at..end]);
        }
        at = end;
    }
    out
}

struct Loaded {
    manifest: Manifest,
    source: String,
    switches: RuleSwitches,
}

impl Loaded {
    fn enabled_rules(&self) -> usize {
        self.switches.enabled()
    }
}

/// One check's plugins, as the page loads and runs them: manifests first ([`PluginRun::add`]), then
/// the configuration ([`PluginRun::configure`], which says which plugins to run with which
/// configuration), then each plugin's answer; `KpiTree.checkWithPluginsJson` merges it all into the
/// report. Failures are kept in the native order: loading failures first, then evaluation failures in
/// plugin order.
#[wasm_bindgen]
#[derive(Default)]
pub struct PluginRun {
    plugins: Vec<Loaded>,
    load_errors: Vec<PluginFailure>,
    config: Option<ConfigFile>,
    source: String,
    answers: Vec<Option<Result<Vec<u8>, PluginFailure>>>,
    limits: PageLimits,
}

#[derive(Serialize)]
struct Added<'a> {
    index: usize,
    name: &'a str,
    manifest: &'a Manifest,
}

#[derive(Serialize)]
struct Planned<'a> {
    index: usize,
    name: &'a str,
    run: bool,
    config: String,
}

#[wasm_bindgen]
impl PluginRun {
    /// No plugins yet.
    #[wasm_bindgen(constructor)]
    pub fn new() -> PluginRun {
        PluginRun::default()
    }

    /// Adds a plugin whose `kpitree_abi_version` returned `abi` and `kpitree_manifest` the bytes
    /// `manifest`: checks both as the native host does, and that its name and rule ids are new.
    /// Returns `{ index, name, manifest }`, or throws (and records) the plugin failure.
    pub fn add(&mut self, stem: &str, source: &str, abi: i32, manifest: &[u8]) -> Result<JsValue, JsValue> {
        match self.add_inner(stem, source, abi, manifest) {
            Ok(index) => {
                let p = &self.plugins[index];
                Ok(to_js(&Added { index, name: &p.manifest.name, manifest: &p.manifest }))
            }
            Err(f) => {
                let js = failure_js(&f);
                self.load_errors.push(f);
                Err(js)
            }
        }
    }

    /// Sets the limits (`{ timeMs, memory, moduleSize, inputSize, outputSize, functions, codeSize }`,
    /// as `defaultLimits` gives them) that [`PluginRun::prepare`] checks modules against and the
    /// answers are checked against. Without it, the defaults.
    #[wasm_bindgen(js_name = setLimits)]
    pub fn set_limits(&mut self, limits: JsValue) -> Result<(), JsValue> {
        self.limits = serde_wasm_bindgen::from_value(limits).map_err(|e| JsValue::from_str(&format!("limits: {e}")))?;
        Ok(())
    }

    /// [`prepare_module`] under the run's limits ([`PluginRun::set_limits`]), recording a refused
    /// module as a loading failure.
    pub fn prepare(&mut self, bytes: &[u8], stem: &str) -> Result<Vec<u8>, JsValue> {
        let l = self.limits;
        inspect(bytes, l.module_size as u64, l.memory as u64, l.module()).map_err(|kind| {
            let f = failure(kind, stem);
            let js = failure_js(&f);
            self.load_errors.push(f);
            js
        })
    }

    /// The manifest of plugin `index`, as the plugin declared it (cleaned of control characters).
    pub fn manifest(&self, index: usize) -> JsValue {
        self.plugins.get(index).map_or(JsValue::UNDEFINED, |p| to_js(&p.manifest))
    }

    /// What plugin `index` reads (its manifest's `reads`; everything for ABI 1.0 or an unknown index).
    pub(crate) fn reads(&self, index: usize) -> kpitree_plugin_abi::Reads {
        self.plugins.get(index).map_or(kpitree_plugin_abi::Reads::ALL, |p| p.manifest.reads())
    }

    /// The loading failures so far, in order.
    #[wasm_bindgen(js_name = loadErrors)]
    pub fn load_errors(&self) -> Vec<JsValue> {
        self.load_errors.iter().map(failure_js).collect()
    }

    /// Records that loading the plugin `stem` failed (`outcome` as the worker reports it) and returns
    /// the failure.
    #[wasm_bindgen(js_name = loadFailed)]
    pub fn load_failed(&mut self, stem: &str, outcome: JsValue) -> JsValue {
        let f = outcome_failure(stem, outcome);
        let js = failure_js(&f);
        self.load_errors.push(f);
        js
    }

    /// Applies the configuration (JSON text from `parseConfig`, "" for defaults): `[rules.<id>]` of
    /// plugin rules switch them, and the rest must resolve against the built-in rules. Returns, per
    /// plugin, `{ index, name, run, config }`: whether it has a rule switched on, and its
    /// `[plugins.<name>]` section as JSON text. Throws the CLI's configuration errors.
    pub fn configure(&mut self, config: &str, source: &str) -> Result<JsValue, JsValue> {
        let mut config = config_of(config, source)?;
        let mut plugins: Vec<_> = self.plugins.iter_mut().map(|p| (&p.manifest, &mut p.switches)).collect();
        let errors = take_rule_settings(&mut config.rules, &mut plugins);
        if !errors.is_empty() {
            return Err(config_error(source, &errors));
        }
        resolve(&config.engine_config(), source)?;
        let plan: Vec<Planned<'_>> = self
            .plugins
            .iter()
            .enumerate()
            .map(|(index, p)| Planned {
                index,
                name: &p.manifest.name,
                run: p.enabled_rules() > 0,
                config: config.plugins.get(&p.manifest.name).map_or_else(|| "{}".to_owned(), |v| v.to_string()),
            })
            .collect();
        let js = to_js(&plan);
        self.answers = vec![None; self.plugins.len()];
        self.config = Some(config);
        self.source = source.to_owned();
        Ok(js)
    }

    /// What plugin `index`'s `kpitree_evaluate` returned (checked by `checkWithPluginsJson`).
    pub fn respond(&mut self, index: usize, response: Vec<u8>) {
        if let Some(slot) = self.answers.get_mut(index) {
            *slot = Some(Ok(response));
        }
    }

    /// Records that evaluating plugin `index` failed (`outcome` as the worker reports it); returns
    /// the failure.
    pub fn failed(&mut self, index: usize, outcome: JsValue) -> JsValue {
        let Some(p) = self.plugins.get(index) else { return JsValue::UNDEFINED };
        let f = outcome_failure(&p.manifest.name, outcome);
        let js = failure_js(&f);
        self.answers[index] = Some(Err(f));
        js
    }
}

/// A failure the page describes as an [`Outcome`]; one it describes badly is a host failure.
fn outcome_failure(plugin: &str, outcome: JsValue) -> PluginFailure {
    let kind = serde_wasm_bindgen::from_value::<Outcome>(outcome).map_or_else(
        |e| ErrorKind::Host { call: Call::Evaluate, detail: format!("unexpected outcome: {e}") },
        ErrorKind::from,
    );
    failure(kind, plugin)
}

impl PluginRun {
    fn add_inner(&mut self, stem: &str, source: &str, abi: i32, bytes: &[u8]) -> Result<usize, PluginFailure> {
        let v = abi as u32;
        let (major, minor) = ((v >> 16) as u16, v as u16);
        if major != ABI_MAJOR {
            return Err(failure(ErrorKind::AbiVersion { major, minor }, stem));
        }
        let manifest = parse_manifest(bytes).map_err(|k| failure(k, stem))?;
        let name = manifest.name.clone();
        if let Some(first) = self.plugins.iter().find(|p| p.manifest.name == name) {
            return Err(failure(ErrorKind::DuplicatePlugin { first: first.source.clone() }, &name));
        }
        for rule in &manifest.rules {
            if let Some(other) = self.plugins.iter().find(|p| p.manifest.rule(&rule.id).is_some()) {
                let kind = ErrorKind::RuleClash { rule: rule.id.clone(), other: other.manifest.name.clone() };
                return Err(failure(kind, &name));
            }
        }
        let switches = RuleSwitches::new(&manifest);
        self.plugins.push(Loaded { manifest, source: source.to_owned(), switches });
        Ok(self.plugins.len() - 1)
    }

    /// The settings and what the plugins contributed, their answers checked against `tree`.
    pub(crate) fn finish(&self, tree: &Tree) -> Result<(Settings, PluginResults), JsValue> {
        let config = self.config.as_ref().ok_or_else(|| JsValue::from_str("PluginRun.configure was not called"))?;
        let settings = resolve(&config.engine_config(), &self.source)?;
        let mut results = PluginResults { errors: self.load_errors.clone(), ..PluginResults::default() };
        for (p, answer) in self.plugins.iter().zip(&self.answers) {
            match answer {
                None => {}
                Some(Err(f)) => results.errors.push(f.clone()),
                Some(Ok(bytes)) => {
                    match findings_from_response(&p.manifest, tree, bytes, self.limits.output_size as usize) {
                        Ok(mut findings) => {
                            p.switches.apply(&p.manifest, &mut findings);
                            results.findings.extend(findings);
                            results.rules_run += p.enabled_rules();
                        }
                        Err(e) => results.errors.push(failure(ErrorKind::from_response(e, bytes), &p.manifest.name)),
                    }
                }
            }
        }
        Ok((settings, results))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(wat: &str) -> Vec<u8> {
        wat::parse_str(wat).expect("wat")
    }

    const GOOD: &str = r#"(module
        (memory (export "memory") 2)
        (func (export "kpitree_abi_version") (result i32) i32.const 65536)
        (func (export "kpitree_alloc") (param i32) (result i32) i32.const 8)
        (func (export "kpitree_manifest") (result i64) i64.const 0)
        (func (export "kpitree_evaluate") (param i32 i32) (result i64) i64.const 0))"#;

    #[test]
    fn the_memory_maximum_is_lowered_to_the_limit() {
        let patched = inspect(&module(GOOD), 1 << 20, 64 * PAGE, ModuleLimits::default()).expect("accepted");
        let mut memories = Vec::new();
        for p in Parser::new(0).parse_all(&patched) {
            if let Payload::MemorySection(r) = p.expect("parses") {
                memories.extend(r.into_iter().map(|m| m.expect("memory")));
            }
        }
        assert_eq!((memories[0].initial, memories[0].maximum), (2, Some(64)));
        // A smaller maximum stays.
        let small = GOOD.replace(r#"(memory (export "memory") 2)"#, r#"(memory (export "memory") 2 5)"#);
        let patched = inspect(&module(&small), 1 << 20, 64 * PAGE, ModuleLimits::default()).expect("accepted");
        assert!(patched.windows(3).any(|w| w == [0x01, 2, 5]), "limits 2..5 kept");
    }

    #[test]
    fn modules_are_refused_as_the_native_host_refuses_them() {
        let big = GOOD.replace(r#"(memory (export "memory") 2)"#, r#"(memory (export "memory") 96)"#);
        let e = inspect(&module(&big), 1 << 20, 64 * PAGE, ModuleLimits::default()).expect_err("too much memory");
        assert_eq!(
            failure(e, "p").message,
            "plugin `p` ran out of memory (limit 4 MiB, asked for 6 MiB) during instantiation"
        );
        let sig = GOOD.replace("(param i32) (result i32) i32.const 8", "(param i64) (result i32) i32.const 8");
        let e = inspect(&module(&sig), 1 << 20, 64 * PAGE, ModuleLimits::default()).expect_err("wrong type");
        assert_eq!(
            failure(e, "p").message,
            "plugin `p` exports `kpitree_alloc` as a function (i64) -> i32; the ABI needs a function (i32) -> i32"
        );
        let import = GOOD.replace("(module", r#"(module (import "env" "f" (func)) (import "env" "g" (func))"#);
        let e = inspect(&module(&import), 1 << 20, 64 * PAGE, ModuleLimits::default()).expect_err("imports");
        assert_eq!(failure(e, "p").message, "plugin `p` imports `env.f` (and 1 more): plugins may import nothing");
        let e = inspect(&module(GOOD), 10, 64 * PAGE, ModuleLimits::default()).expect_err("too large");
        assert_eq!(e.code(), "module-too-large");
        let e = inspect(b"\0asm\x01\0\0\0\x05", 1 << 20, 64 * PAGE, ModuleLimits::default()).expect_err("truncated");
        assert_eq!(e.code(), "invalid-module");
    }

    /// The native host's check before compiling (`kpitree_plugin_abi::module`), before the page
    /// compiles: the same limits, the same words.
    #[test]
    fn modules_too_complex_to_compile_are_refused_before_the_page_compiles_them() {
        let bomb = module(&format!("(module {})", "(func)".repeat(10_001)));
        let e = inspect(&bomb, 16 << 20, 64 * PAGE, ModuleLimits::default()).expect_err("too many functions");
        assert_eq!(failure(e, "p").message, "plugin `p` is too complex to compile: 10001 functions (limit 10000)");
        let limits = PageLimits { functions: 10_001.0, ..PageLimits::default() };
        let e = inspect(&bomb, 16 << 20, 64 * PAGE, limits.module()).expect_err("no exports");
        assert_eq!(e.code(), "missing-export");
    }
}
