//! The engine's side of running rule plugins in the browser. The page (`web/src/plugins.js` and its
//! worker) does what only JS can: compile, instantiate and call the module under a time limit.
//! Everything else is `kpitree_plugin_abi`'s, the native host's own code: the module checks before
//! the page compiles ([`prepare_module`], `module::prepare`, which also lowers the memory maximum
//! to the limit), the load steps (`host::load`: ABI version, manifest, unique names and rule ids),
//! the plan of a check (`host::run::Plan`: which plugin gets which request, framed in full here) and
//! its finish (`host::run::Finish`: answers checked, rule switches applied). What the page finds out
//! (a timeout, a trap) arrives as the shared `ErrorKind`, serialised, so a report reads the same as
//! natively.

use crate::{ConfigFile, CustomRules, KpiTree, config_error, config_of, resolve, to_js};
use kpitree_core::config::Settings;
use kpitree_core::report::{PluginFailure, PluginResults};
use kpitree_core::tree::Tree;
use kpitree_plugin_abi::error::{Call, ErrorKind, PluginError};
use kpitree_plugin_abi::host::run::{Finish, Plan};
use kpitree_plugin_abi::host::{RuleSwitches, call, load, take_rule_settings};
use kpitree_plugin_abi::module::ModuleLimits;
use kpitree_plugin_abi::{ABI_MAJOR, Manifest, Requests, limits};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

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

/// The ABI major version this engine speaks: the worker asks a plugin of another for no manifest
/// (`PluginRun.add` then refuses it, as natively).
#[wasm_bindgen(js_name = abiMajor)]
pub fn abi_major() -> u16 {
    ABI_MAJOR
}

/// `{ plugin, code, message }`, as reports carry a plugin failure.
fn failure_js(e: &PluginError) -> JsValue {
    let f = PluginFailure::from(e);
    #[derive(Serialize)]
    struct Js<'a> {
        plugin: &'a str,
        code: &'a str,
        message: &'a str,
    }
    to_js(&Js { plugin: &f.plugin, code: &f.code, message: &f.message })
}

/// The failure the page describes (`{ kind: "trap", call, trap }`: a serialised [`ErrorKind`]) of
/// plugin `plugin`; one it describes badly is a host failure.
fn outcome_error(plugin: &str, outcome: JsValue) -> PluginError {
    serde_wasm_bindgen::from_value::<ErrorKind>(outcome)
        .unwrap_or_else(|e| ErrorKind::Host { call: Call::Evaluate, detail: format!("unexpected outcome: {e}") })
        .of(plugin)
}

/// Checks a module before the page compiles it, as the native host does before instantiating: its
/// size, no imports, the five exports with exactly the ABI's types, and an initial memory within the
/// limit. Returns the module with its memory's maximum lowered to `memory_limit` (bytes), so that
/// `memory.grow` past the limit fails inside the plugin, as under the native host's limiter. Errors
/// are plugin failures named `name` (the file stem).
#[wasm_bindgen(js_name = prepareModule)]
pub fn prepare_module(bytes: &[u8], name: &str, module_limit: f64, memory_limit: f64) -> Result<Vec<u8>, JsValue> {
    kpitree_plugin_abi::module::prepare(bytes, module_limit as u64, memory_limit as u64, ModuleLimits::default())
        .map_err(|kind| failure_js(&kind.of(name)))
}

struct Loaded {
    manifest: Manifest,
    source: String,
    switches: RuleSwitches,
}

/// One check's plugins, as the page loads and runs them: manifests first ([`PluginRun::add`]), then
/// the configuration ([`PluginRun::configure`], the plan: which plugins run with which
/// configuration), the requests for a tree ([`PluginRun::requests`]), then each plugin's answer;
/// `KpiTree.checkWithPluginsJson` finishes it into the report. Failures are kept in the native
/// order: loading failures first, then evaluation failures in plugin order.
#[wasm_bindgen]
#[derive(Default)]
pub struct PluginRun {
    plugins: Vec<Loaded>,
    load_errors: Vec<PluginError>,
    config: Option<ConfigFile>,
    source: String,
    plan: Plan,
    /// Per plugin: what its call gave, once it was made (or refused before it).
    answers: Vec<Option<Result<Vec<u8>, PluginError>>>,
    limits: PageLimits,
}

#[derive(Serialize)]
struct Added<'a> {
    index: usize,
    name: &'a str,
    manifest: &'a Manifest,
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
            Err(e) => Err(self.load_failure(e)),
        }
    }

    /// Sets the limits (`{ timeMs, memory, moduleSize, inputSize, outputSize, functions, codeSize }`,
    /// as `defaultLimits` gives them) that [`PluginRun::prepare`] checks modules against and the
    /// requests and answers are checked against. Without it, the defaults.
    #[wasm_bindgen(js_name = setLimits)]
    pub fn set_limits(&mut self, limits: JsValue) -> Result<(), JsValue> {
        self.limits = serde_wasm_bindgen::from_value(limits).map_err(|e| JsValue::from_str(&format!("limits: {e}")))?;
        Ok(())
    }

    /// [`prepare_module`] under the run's limits ([`PluginRun::set_limits`]), recording a refused
    /// module as a loading failure.
    pub fn prepare(&mut self, bytes: &[u8], stem: &str) -> Result<Vec<u8>, JsValue> {
        let l = self.limits;
        kpitree_plugin_abi::module::prepare(bytes, l.module_size as u64, l.memory as u64, l.module())
            .map_err(|kind| self.load_failure(kind.of(stem)))
    }

    /// The manifest of plugin `index`, as the plugin declared it (cleaned of control characters).
    pub fn manifest(&self, index: usize) -> JsValue {
        self.plugins.get(index).map_or(JsValue::UNDEFINED, |p| to_js(&p.manifest))
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
        self.load_failure(outcome_error(stem, outcome))
    }

    /// Applies the configuration (JSON text from `parseConfig`, "" for defaults): `[rules.<id>]` of
    /// plugin rules switch them, and the rest must resolve against the built-in rules. Plans the
    /// check: each plugin with a rule switched on is called with its `[plugins.<name>]` section.
    /// Throws the CLI's configuration errors.
    pub fn configure(&mut self, config: &str, source: &str) -> Result<(), JsValue> {
        let mut config = config_of(config, source)?;
        let mut plugins: Vec<_> = self.plugins.iter_mut().map(|p| (&p.manifest, &mut p.switches)).collect();
        let errors = take_rule_settings(&mut config.rules, &mut plugins);
        if !errors.is_empty() {
            return Err(config_error(source, &errors));
        }
        resolve(&config, config.engine_config(), source)?;
        self.plan = Plan::new(&config.plugins, self.plugins.iter().map(|p| (&p.manifest, &p.switches)));
        // Not `vec![None; n]`, which would link a clone of every error kind for empty slots.
        self.answers = self.plugins.iter().map(|_| None).collect();
        self.config = Some(config);
        self.source = source.to_owned();
        Ok(())
    }

    /// The planned calls on `tree`: `[{ index, request }]`, each plugin's whole request (the parts
    /// of the tree its manifest `reads`, encoded once per distinct set, and its configuration), in
    /// plan order. A request past the input limit is not returned: it is recorded as that plugin's
    /// failure, as natively.
    pub fn requests(&mut self, tree: &KpiTree) -> js_sys::Array {
        let mut requests = Requests::new(&tree.tree, tree.rollup());
        let out = js_sys::Array::new();
        for job in self.plan.jobs() {
            let (Some(p), Some(slot)) = (self.plugins.get(job.plugin), self.answers.get_mut(job.plugin)) else {
                continue;
            };
            let request = job.request(&mut requests);
            if let Err(kind) = call::request_len(request.size(), self.limits.input_size as usize) {
                *slot = Some(Err(kind.of(&p.manifest.name)));
                continue;
            }
            let call = js_sys::Object::new();
            let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&call, &JsValue::from_str(k), v).map(|_| ());
            // Setting a property of a fresh plain object does not fail.
            let _ = set("index", &JsValue::from(job.plugin as u32));
            let _ = set("request", &js_sys::Uint8Array::from(&request.to_vec()[..]));
            out.push(&call);
        }
        out
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
        let (Some(p), Some(slot)) = (self.plugins.get(index), self.answers.get_mut(index)) else {
            return JsValue::UNDEFINED;
        };
        let e = outcome_error(&p.manifest.name, outcome);
        let js = failure_js(&e);
        *slot = Some(Err(e));
        js
    }
}

impl PluginRun {
    fn add_inner(&mut self, stem: &str, source: &str, abi: i32, bytes: &[u8]) -> Result<usize, PluginError> {
        load::abi_version(abi).map_err(|k| k.of(stem))?;
        let manifest = load::manifest(bytes).map_err(|k| k.of(stem))?;
        let loaded = self.plugins.iter().map(|p| (&p.manifest, p.source.as_str()));
        load::admit(loaded, &manifest).map_err(|k| k.of(&manifest.name))?;
        let switches = RuleSwitches::new(&manifest);
        self.plugins.push(Loaded { manifest, source: source.to_owned(), switches });
        Ok(self.plugins.len() - 1)
    }

    /// Records a loading failure and returns it for JS.
    fn load_failure(&mut self, e: PluginError) -> JsValue {
        let js = failure_js(&e);
        self.load_errors.push(e);
        js
    }

    /// The settings and what the plugins contributed, their answers checked against `tree`.
    pub(crate) fn finish(&self, tree: &Tree) -> Result<(Settings, PluginResults, CustomRules), JsValue> {
        let config = self.config.as_ref().ok_or_else(|| JsValue::from_str("PluginRun.configure was not called"))?;
        let (settings, custom) = resolve(config, config.engine_config(), &self.source)?;
        let mut finish = Finish::new(tree);
        self.load_errors.iter().for_each(|e| finish.failed(e));
        for job in self.plan.jobs() {
            let (Some(p), Some(Some(answer))) = (self.plugins.get(job.plugin), self.answers.get(job.plugin)) else {
                continue;
            };
            match answer {
                Ok(bytes) => finish.answered(&p.manifest, &p.switches, bytes, self.limits.output_size as usize),
                Err(e) => finish.failed(e),
            }
        }
        Ok((settings, finish.results(), custom))
    }
}
