//! [`Plugin`]: one compiled, validated plugin; every evaluation runs in a fresh store and instance.
//! What a module must declare, what its answers must be and how they are worded are
//! `kpitree_plugin_abi`'s (`module`, `host::load`, `host::call`, `host::run`), shared with the
//! browser; this file only executes wasm (store, fuel, epoch deadline, limiter) and maps what
//! wasmtime reports onto the shared errors.

use crate::error::{Call, ErrorKind, PluginError};
use crate::limits::Limits;
use crate::runtime::{self, Running};
use kpitree_core::finding::{Finding, Severity};
use kpitree_core::tree::Tree;
use kpitree_plugin_abi::host::{RuleSwitches, call, load, run};
use kpitree_plugin_abi::{Manifest, Reads, exports};
use std::fmt;
use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};
use wasmtime::{
    Engine, InstancePre, Linker, Memory, Module, ModuleExport, ResourceLimiter, Store, Trap, TypedFunc, WasmParams,
    WasmResults,
};

use kpitree_plugin_abi::limits::{TABLE_ELEMENTS as MAX_TABLE_ELEMENTS, TABLES as MAX_TABLES};

/// A loaded plugin: its module compiled once (an [`InstancePre`] with its exports resolved), its
/// manifest checked, and its limits.
pub struct Plugin {
    source: String,
    manifest: Manifest,
    abi: (u16, u16),
    limits: Limits,
    engine: Engine,
    pre: InstancePre<State>,
    exports: Exports,
    module_size: usize,
    switches: RuleSwitches,
    reads: Reads,
    load_costs: LoadCosts,
}

/// The fuel the two calls made at load used ([`Plugin::load_costs`]). Each call starts with the whole
/// fuel limit ([`Limits::fuel`]), so each is measured against it. Fuel is deterministic: the same
/// module and input use the same fuel on every run and platform.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadCosts {
    /// Fuel used by `kpitree_abi_version`.
    pub abi_version: u64,
    /// Fuel used by `kpitree_manifest`.
    pub manifest: u64,
}

/// What [`Plugin::evaluate_measured`] gives: the findings and the fuel `kpitree_evaluate` used.
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    /// The findings, as [`Plugin::evaluate`] returns them.
    pub findings: Vec<Finding>,
    /// Fuel used by the `kpitree_evaluate` call (of the whole fuel limit it started with; writing the
    /// request through `kpitree_alloc` is a call of its own and not counted).
    pub fuel: u64,
}

struct Exports {
    memory: ModuleExport,
    abi_version: ModuleExport,
    alloc: ModuleExport,
    manifest: ModuleExport,
    evaluate: ModuleExport,
}

impl fmt::Debug for Plugin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plugin")
            .field("name", &self.manifest.name)
            .field("version", &self.manifest.version)
            .field("abi", &self.abi)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl Plugin {
    /// Reads, compiles and validates the plugin in `path` (a `.wasm` module, or WAT text: the native
    /// host also reads the text format, for hand-written plugins and tests).
    ///
    /// Before the manifest is read, errors name the plugin by its file stem.
    pub fn load(path: &Path, limits: &Limits) -> Result<Plugin, PluginError> {
        let stem = path.file_stem().map_or_else(|| path.display().to_string(), |s| s.to_string_lossy().into_owned());
        let fail = |kind| PluginError { plugin: stem.clone(), kind };
        let io = |e: std::io::Error| fail(ErrorKind::Io { path: path.to_owned(), detail: e.to_string() });
        let file = std::fs::File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        if len > limits.module_size as u64 {
            return Err(fail(ErrorKind::ModuleTooLarge { size: len, limit: limits.module_size as u64 }));
        }
        // Never read more than the limit, whatever the metadata said.
        let mut bytes = Vec::with_capacity(len as usize);
        file.take(limits.module_size as u64 + 1).read_to_end(&mut bytes).map_err(io)?;
        Plugin::from_bytes(&stem, &path.display().to_string(), &bytes, limits)
    }

    /// Compiles and validates a plugin from memory. `name` names it in errors until its manifest is
    /// read; `source` says where it came from (shown by `kpitree plugin inspect`).
    pub fn from_bytes(name: &str, source: &str, bytes: &[u8], limits: &Limits) -> Result<Plugin, PluginError> {
        let fail = |kind| PluginError { plugin: name.to_owned(), kind };
        if bytes.len() > limits.module_size {
            return Err(fail(ErrorKind::ModuleTooLarge { size: bytes.len() as u64, limit: limits.module_size as u64 }));
        }
        let host = |call, e: wasmtime::Error| fail(ErrorKind::Host { call, detail: format!("{e:#}") });
        let engine = runtime::engine(limits.stack).map_err(|e| host(Call::Instantiate, e))?;
        // WAT text becomes a binary first, so the module is checked as the browser checks it.
        let wasm = wat::parse_bytes(bytes).map_err(|e| fail(ErrorKind::InvalidModule { detail: e.to_string() }))?;
        // Counts (functions, code, locals, ...) and imports before compiling: compiling is the one
        // step no limit interrupts, so what it may cost is bounded by what the module declares.
        kpitree_plugin_abi::module::check(&wasm, limits.module()).map_err(fail)?;
        let module = catch_unwind(AssertUnwindSafe(|| Module::from_binary(&engine, &wasm)))
            .map_err(|p| fail(ErrorKind::InvalidModule { detail: panic_text(&p) }))?
            .map_err(|e| fail(ErrorKind::InvalidModule { detail: format!("{e:#}") }))?;
        // Tables, exports and what instantiating takes, as the browser checks them (after compiling,
        // so a module that does not compile says so first). Tables are refused here rather than by
        // the resource limiter at instantiation, whose error would read like the host's fault.
        kpitree_plugin_abi::module::inspect(&wasm, limits.memory as u64).map_err(fail)?;
        let exports = Exports::of(&module).map_err(fail)?;
        let pre = Linker::new(&engine).instantiate_pre(&module).map_err(|e| host(Call::Instantiate, e))?;
        let mut plugin = Plugin {
            source: source.to_owned(),
            manifest: Manifest {
                name: name.to_owned(),
                version: String::new(),
                description: String::new(),
                rules: Vec::new(),
                config_schema: serde_json::Value::Null,
                reads: None,
            },
            abi: (0, 0),
            limits: limits.clone(),
            engine,
            pre,
            exports,
            module_size: bytes.len(),
            switches: RuleSwitches::default(),
            reads: Reads::ALL,
            load_costs: LoadCosts::default(),
        };
        let (abi, manifest, load_costs) = {
            let mut s = plugin.open(None)?;
            let version = s.func::<(), i32>(&plugin.exports.abi_version, Call::AbiVersion)?;
            let abi = load::abi_version(s.call(Call::AbiVersion, |store| version.call(store, ()))?).map_err(fail)?;
            let abi_fuel = s.fuel_used();
            let manifest = s.func::<(), i64>(&plugin.exports.manifest, Call::Manifest)?;
            let packed = s.call(Call::Manifest, |store| manifest.call(store, ()))?;
            let costs = LoadCosts { abi_version: abi_fuel, manifest: s.fuel_used() };
            let bytes = s.read(Call::Manifest, packed)?;
            (abi, load::manifest(bytes).map_err(fail)?, costs)
        };
        plugin.load_costs = load_costs;
        plugin.switches = RuleSwitches::new(&manifest);
        plugin.reads = manifest.reads();
        plugin.abi = abi;
        plugin.manifest = manifest;
        Ok(plugin)
    }

    /// The plugin's name (from its manifest).
    pub fn name(&self) -> &str {
        &self.manifest.name
    }

    /// Its manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The parts of the tree it reads (its manifest's `reads`; everything for an ABI 1.0 plugin):
    /// encode its requests with `kpitree_plugin_abi::encode_request_for(plugin.reads(), …)`.
    pub fn reads(&self) -> Reads {
        self.reads
    }

    /// The ABI version it speaks, `(major, minor)`.
    pub fn abi_version(&self) -> (u16, u16) {
        self.abi
    }

    /// Where it was loaded from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Size of its module in bytes.
    pub fn module_size(&self) -> usize {
        self.module_size
    }

    /// The fuel its `kpitree_abi_version` and `kpitree_manifest` calls used when it was loaded.
    pub fn load_costs(&self) -> LoadCosts {
        self.load_costs
    }

    /// The limits its calls run under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Switches one of its rules on or off and overrides its severity. Returns false when the plugin
    /// has no such rule.
    pub fn configure_rule(&mut self, id: &str, enabled: Option<bool>, severity: Option<Severity>) -> bool {
        self.switches.set(&self.manifest, id, enabled, severity)
    }

    /// Its manifest and its rules' switches, for [`kpitree_plugin_abi::host::take_rule_settings`].
    pub(crate) fn switches_mut(&mut self) -> (&Manifest, &mut RuleSwitches) {
        (&self.manifest, &mut self.switches)
    }

    /// How many of its rules are switched on.
    pub fn enabled_rules(&self) -> usize {
        self.switches.enabled()
    }

    /// Runs `kpitree_evaluate` on an encoded request (`kpitree_plugin_abi::encode_request_for` with
    /// [`Plugin::reads`], or `encode_request`: a plugin may be given more than it reads) in a fresh
    /// instance and returns its findings as the engine's, after checking the response: UTF-8, the
    /// response JSON, declared rule ids and node ids of `tree`. Findings of rules switched off are
    /// dropped; a configured severity replaces the plugin's.
    pub fn evaluate(&self, request: &[u8], tree: &Tree) -> Result<Vec<Finding>, PluginError> {
        let output_limit = self.limits.output_size;
        self.execute(&[request], None, |answer| {
            run::findings(&self.manifest, &self.switches, tree, answer, output_limit).map_err(|k| self.error(k))
        })?
    }

    /// [`Plugin::evaluate`], also giving the fuel the `kpitree_evaluate` call used (deterministic: the
    /// same module, request and limits use the same fuel everywhere), so an author sees what a tree
    /// costs before the fuel limit does (`kpitree plugin test`).
    pub fn evaluate_measured(&self, request: &[u8], tree: &Tree) -> Result<Measured, PluginError> {
        let output_limit = self.limits.output_size;
        let (findings, fuel) = self.execute_measured(&[request], None, |answer| {
            run::findings(&self.manifest, &self.switches, tree, answer, output_limit).map_err(|k| self.error(k))
        })?;
        Ok(Measured { findings: findings?, fuel })
    }

    /// Its rules' switches as configured ([`Plugin::configure_rule`]).
    pub fn switches(&self) -> &RuleSwitches {
        &self.switches
    }

    /// Runs `kpitree_evaluate` in a fresh instance on a request given in pieces written one after
    /// the other (`kpitree_plugin_abi::host::Request::parts`, so one encoded tree serves plugins with
    /// different configurations without a copy) and hands the answer, checked against the limits but
    /// not read, to `answer` (`host::run::Finish`) while the instance lives. Past `deadline` no call
    /// starts, and each call's wall time is the smaller of the time limit and what is left until it.
    pub(crate) fn execute<R>(
        &self,
        parts: &[&[u8]],
        deadline: Option<Instant>,
        answer: impl FnOnce(&[u8]) -> R,
    ) -> Result<R, PluginError> {
        self.execute_measured(parts, deadline, answer).map(|(r, _)| r)
    }

    /// [`Plugin::execute`], also giving the fuel `kpitree_evaluate` used.
    fn execute_measured<R>(
        &self,
        parts: &[&[u8]],
        deadline: Option<Instant>,
        answer: impl FnOnce(&[u8]) -> R,
    ) -> Result<(R, u64), PluginError> {
        catch_unwind(AssertUnwindSafe(|| self.execute_inner(parts, deadline, answer))).unwrap_or_else(|p| {
            Err(self.error(ErrorKind::Host {
                call: Call::Evaluate,
                detail: format!("the host panicked: {}", panic_text(&p)),
            }))
        })
    }

    fn execute_inner<R>(
        &self,
        parts: &[&[u8]],
        deadline: Option<Instant>,
        answer: impl FnOnce(&[u8]) -> R,
    ) -> Result<(R, u64), PluginError> {
        let total: usize = parts.iter().map(|p| p.len()).sum();
        let len = call::request_len(total, self.limits.input_size).map_err(|k| self.error(k))?;
        let mut s = self.open(deadline)?;
        let alloc = s.func::<i32, i32>(&self.exports.alloc, Call::Alloc)?;
        let ptr = s.call(Call::Alloc, |store| alloc.call(store, len as i32))? as u32;
        let denied = s.store.data().denied;
        let data = s.memory.data_mut(&mut s.store);
        let dst = match (call::request_span(ptr, len, data.len()), denied) {
            (Ok(span), _) => &mut data[span],
            // A growth the limiter denied explains a null pointer.
            (Err(ErrorKind::AllocFailed { .. }), Some(requested)) => {
                let (limit, requested) = (self.limits.memory as u64, requested as u64);
                return Err(self.error(ErrorKind::OutOfMemory { call: Call::Alloc, limit, requested }));
            }
            (Err(kind), _) => return Err(self.error(kind)),
        };
        let mut at = 0;
        for p in parts {
            dst[at..at + p.len()].copy_from_slice(p);
            at += p.len();
        }
        let evaluate = s.func::<(i32, i32), i64>(&self.exports.evaluate, Call::Evaluate)?;
        let packed = s.call(Call::Evaluate, |store| evaluate.call(store, (ptr as i32, len as i32)))?;
        let fuel = s.fuel_used();
        Ok((answer(s.read(Call::Evaluate, packed)?), fuel))
    }

    fn error(&self, kind: ErrorKind) -> PluginError {
        PluginError { plugin: self.manifest.name.clone(), kind }
    }

    /// A fresh store and instance, instantiated under the limits (and before `deadline`).
    fn open(&self, deadline: Option<Instant>) -> Result<Session<'_>, PluginError> {
        let running = Running::start();
        let state = State {
            memory_limit: self.limits.memory,
            denied: None,
            denied_table: None,
            time: self.limits.time,
            deadline,
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| s);
        budget(&mut store, self, Call::Instantiate)?;
        let instance = on_enough_stack(self.limits.stack, || self.pre.instantiate(&mut store))
            .map_err(|e| classify(self, &store, Call::Instantiate, e))?;
        let memory = instance
            .get_module_export(&mut store, &self.exports.memory)
            .and_then(|e| e.into_memory())
            .ok_or_else(|| self.error(ErrorKind::MissingExport { name: exports::MEMORY }))?;
        Ok(Session { plugin: self, store, memory, instance, _running: running })
    }
}

/// One fresh instance of a plugin, for one evaluation (or for reading the manifest at load).
struct Session<'p> {
    plugin: &'p Plugin,
    store: Store<State>,
    memory: Memory,
    instance: wasmtime::Instance,
    _running: Running,
}

impl Session<'_> {
    /// The typed export; the types were checked at load.
    fn func<P: WasmParams, R: WasmResults>(
        &mut self,
        export: &ModuleExport,
        call: Call,
    ) -> Result<TypedFunc<P, R>, PluginError> {
        self.instance
            .get_module_export(&mut self.store, export)
            .and_then(|e| e.into_func())
            .ok_or_else(|| wasmtime::Error::msg("export missing"))
            .and_then(|f| f.typed::<P, R>(&self.store))
            .map_err(|e| self.plugin.error(ErrorKind::Host { call, detail: format!("{e:#}") }))
    }

    /// Runs one call with a full budget (fuel and wall time), turning failures into plugin errors.
    fn call<R>(
        &mut self,
        call: Call,
        f: impl FnOnce(&mut Store<State>) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        budget(&mut self.store, self.plugin, call)?;
        let store = &mut self.store;
        on_enough_stack(self.plugin.limits.stack, || f(store)).map_err(|e| classify(self.plugin, &self.store, call, e))
    }

    /// The fuel the last [`Session::call`] used: each call starts with the whole fuel limit.
    fn fuel_used(&self) -> u64 {
        // `get_fuel` fails only when fuel is not enabled, which the shared engines always enable.
        self.plugin.limits.fuel.saturating_sub(self.store.get_fuel().unwrap_or(0))
    }

    /// The bytes of a packed slice a call returned, checked against the output limit and the memory.
    fn read(&self, call: Call, packed: i64) -> Result<&[u8], PluginError> {
        let data = self.memory.data(&self.store);
        let span = call::answer_span(call, packed, self.plugin.limits.output_size, data.len());
        span.map(|span| &data[span]).map_err(|k| self.plugin.error(k))
    }
}

/// Native stack the host itself may use around a wasm call (trampolines, the resource limiter).
const HOST_STACK: usize = 256 << 10;

/// Runs `f`, which enters wasm code allowed `stack` bytes of native stack, on the current thread when
/// it has that much left (plus [`HOST_STACK`]), and otherwise on a fresh stack segment. wasmtime
/// measures `max_wasm_stack` from where the call starts: on a thread with less stack than that (a
/// server's worker threads), deep wasm recursion would overflow the thread and abort the process
/// instead of trapping (`tests/threads.rs`, `deep_recursion_on_a_small_thread_is_a_plugin_error`).
fn on_enough_stack<R>(stack: usize, f: impl FnOnce() -> R) -> R {
    let need = stack.saturating_add(HOST_STACK);
    stacker::maybe_grow(need, need.saturating_add(HOST_STACK), f)
}

/// A full budget for `call`: fuel, and the time limit or, when less is left until the run's deadline,
/// that (a call that would start after the deadline is not started: it times out at once).
fn budget(store: &mut Store<State>, plugin: &Plugin, call: Call) -> Result<(), PluginError> {
    store.set_fuel(plugin.limits.fuel).map_err(|e| plugin.error(ErrorKind::Host { call, detail: format!("{e:#}") }))?;
    let mut time = plugin.limits.time;
    if let Some(deadline) = store.data().deadline {
        time = time.min(deadline.saturating_duration_since(Instant::now()));
        if time.is_zero() {
            return Err(plugin.error(ErrorKind::Timeout { call, limit: time }));
        }
    }
    store.data_mut().time = time;
    store.set_epoch_deadline(runtime::deadline_ticks(time));
    Ok(())
}

/// What a failed call did: a denied memory growth explains whatever failure followed it; otherwise
/// the trap says.
fn classify(plugin: &Plugin, store: &Store<State>, call: Call, e: wasmtime::Error) -> PluginError {
    let limits = &plugin.limits;
    let kind = if let Some(requested) = store.data().denied {
        ErrorKind::OutOfMemory { call, limit: limits.memory as u64, requested: requested as u64 }
    } else if let Some(requested) = store.data().denied_table {
        ErrorKind::TableTooLarge { call, limit: MAX_TABLE_ELEMENTS as u64, requested: requested as u64 }
    } else {
        match e.downcast_ref::<Trap>() {
            Some(Trap::OutOfFuel) => ErrorKind::OutOfFuel { call, fuel: limits.fuel },
            Some(Trap::Interrupt) => ErrorKind::Timeout { call, limit: store.data().time },
            Some(Trap::StackOverflow) => ErrorKind::StackOverflow { call, limit: limits.stack as u64 },
            Some(t) => ErrorKind::Trap { call, trap: trap_text(*t) },
            None => ErrorKind::Host { call, detail: format!("{e:#}") },
        }
    };
    plugin.error(kind)
}

fn trap_text(t: Trap) -> String {
    match t {
        Trap::UnreachableCodeReached => "unreachable".to_owned(),
        Trap::MemoryOutOfBounds => "out-of-bounds memory access".to_owned(),
        Trap::TableOutOfBounds => "out-of-bounds table access".to_owned(),
        Trap::IndirectCallToNull => "call to an uninitialised table element".to_owned(),
        Trap::BadSignature => "indirect call type mismatch".to_owned(),
        Trap::IntegerOverflow => "integer overflow".to_owned(),
        Trap::IntegerDivisionByZero => "integer division by zero".to_owned(),
        Trap::BadConversionToInteger => "invalid conversion to integer".to_owned(),
        other => {
            let s = other.to_string();
            s.strip_prefix("wasm trap: ").unwrap_or(&s).to_owned()
        }
    }
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned())
}

/// Store data: the memory limiter, which records a denied growth so the failure it causes is reported
/// as running out of memory.
struct State {
    memory_limit: usize,
    denied: Option<usize>,
    /// A table growth (or initial table) past [`MAX_TABLE_ELEMENTS`] that was refused.
    denied_table: Option<usize>,
    /// The wall time of the call running: the time limit, or less when the run's deadline is nearer.
    time: Duration,
    /// When the run must end (`PluginSet::run_until`), if it must.
    deadline: Option<Instant>,
}

impl ResourceLimiter for State {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.memory_limit {
            self.denied = Some(desired);
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > MAX_TABLE_ELEMENTS {
            self.denied_table = Some(desired);
            return Ok(false);
        }
        Ok(true)
    }

    fn instances(&self) -> usize {
        1
    }

    fn memories(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }
}

impl Exports {
    /// The five exports' indexes, for calling them without a look-up by name (their types were
    /// checked by `module::inspect`).
    fn of(module: &Module) -> Result<Exports, ErrorKind> {
        let get = |name| module.get_export_index(name).ok_or(ErrorKind::MissingExport { name });
        Ok(Exports {
            memory: get(exports::MEMORY)?,
            abi_version: get(exports::ABI_VERSION)?,
            alloc: get(exports::ALLOC)?,
            manifest: get(exports::MANIFEST)?,
            evaluate: get(exports::EVALUATE)?,
        })
    }
}
