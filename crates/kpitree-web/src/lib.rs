//! kpitree-web: the engine in the browser. wasm-bindgen glue over `kpitree-core` (load, check, prune,
//! layout; in the full engine also baselines: `readBaseline` and a check marked against one) and
//! `kpitree-plugin-abi` (the plugin request, manifest and response checks), so the page gets exactly
//! the CLI's results and messages. No engine logic lives here: only conversion between JS values and
//! the core's types, and the one place errors become JS values ([`load_error`], [`config_error`]).
//!
//! Two builds (`web/scripts/build.sh`): with the default feature `full`, everything; without it, the
//! lean engine the widget loads by default: valid JSON trees checked and laid out with the default
//! configuration, what a first view needs. CSV (`kpitree_core::load` is not called, so the CSV reader
//! is not linked), reading a configuration (TOML or JSON: the widget loads the full engine for a page
//! with a `config` anyway), the plugin runner, the plugin ABI, baselines, pruning, the tree as JSON
//! (`documentJson`, `nodesJson`, `nodeJson`: the page has the text it gave) and the located messages
//! of an invalid tree are left out (sizes: `web/README.md`, *Size*); asked for them, the lean build
//! throws an error saying so, and `web/src/engine.js` asks the full engine instead.
//!
//! `web/src/engine.js` and `web/src/plugins.js` wrap these exports in the public JS API
//! (`web/src/kpitree.d.ts`). Large results (reports, node lists) cross as JSON text, which the page
//! parses in one native call: faster than building the objects field by field from wasm, and it keeps
//! the key order and numbers of `kpitree check --format json`.

#[cfg(feature = "full")]
mod plugin;

#[cfg(feature = "full")]
pub use plugin::{PluginRun, default_limits, prepare_module};

use kpitree_core::Date;
#[cfg(feature = "full")]
use kpitree_core::Format;
#[cfg(feature = "full")]
use kpitree_core::LoadError;
#[cfg(feature = "full")]
use kpitree_core::baseline::Baselines;
use kpitree_core::config::Settings;
#[cfg(feature = "full")]
use kpitree_core::config::{Config, ConfigError};
#[cfg(feature = "full")]
use kpitree_core::csv::CsvMeta;
#[cfg(feature = "full")]
use kpitree_core::prune::Reason;
use kpitree_core::report::Report;
use kpitree_core::rollup::Rollup;
use kpitree_core::tree::Tree;
use kpitree_layout::{self as layout, Options, Shape};
// `kpitree.toml` as the CLI reads it (rules, plugin configurations, plugin limits): the page gets
// it as JSON from `parseConfig` and hands it back to the check and the plugin runner.
#[cfg(feature = "full")]
use kpitree_session::{ConfigFile, CustomRules};
use serde::Serialize;
use std::cell::OnceCell;
use wasm_bindgen::prelude::*;

/// A problem as the JS API reports it (`KpiTreeError.problems`).
#[derive(Serialize)]
struct JsProblem<'a> {
    code: &'a str,
    message: &'a str,
    file: &'a str,
    node: Option<&'a str>,
    field: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
}

/// The error a failed call throws: `{ message, problems }`; engine.js turns it into a `KpiTreeError`.
#[derive(Serialize)]
struct JsError<'a> {
    message: String,
    problems: Vec<JsProblem<'a>>,
}

/// A value as a plain JS object. Through JSON text and `JSON.parse`, not a serde serializer of JS
/// values: every `Serialize` impl is then compiled once, for serde_json, which the JSON results need
/// anyway (a second serializer doubles the derive code in the wasm).
fn to_js<T: Serialize>(value: &T) -> JsValue {
    json(value).and_then(|text| js_sys::JSON::parse(&text)).unwrap_or_else(|e| e)
}

/// A value serde_json could not write (none of the engine's can fail: no map has keys that are not
/// strings): a bug to report. The lean engine says so without serde_json's message, whose texts (one
/// per parser error) would otherwise be linked for this alone (0.5 KiB of wasm gzipped).
fn unwritable(e: &serde_json::Error) -> JsValue {
    let mut message = String::from("kpitree: a result could not be written as JSON (a bug; please report it)");
    if cfg!(feature = "full") {
        message = format!("{message}: {e}");
    }
    JsValue::from_str(&message)
}

/// A tree that cannot be loaded: the message is the CLI's (`file:line:col: error[code]: message`, one
/// line per problem).
#[cfg(feature = "full")]
fn load_error(e: &LoadError) -> JsValue {
    let problems = e
        .problems
        .iter()
        .map(|p| JsProblem {
            code: p.code(),
            message: &p.message,
            file: &e.file,
            node: p.at.node.as_deref(),
            field: p.at.field.as_deref(),
            line: p.at.line,
            column: p.at.column,
        })
        .collect();
    to_js(&JsError { message: e.to_string(), problems })
}

/// Configuration mistakes, as the CLI prints them (`SOURCE: message`, one line each).
#[cfg(feature = "full")]
fn config_error(source: &str, errors: &[ConfigError]) -> JsValue {
    let message = errors.iter().map(|e| format!("{source}: {e}")).collect::<Vec<_>>().join("\n");
    let problems = errors.iter().map(|e| (e.code(), e.rule(), e.to_string())).collect::<Vec<_>>();
    let problems = problems
        .iter()
        .map(|(code, rule, msg)| JsProblem {
            code,
            message: msg,
            file: source,
            node: *rule,
            field: None,
            line: None,
            column: None,
        })
        .collect();
    to_js(&JsError { message, problems })
}

/// Custom rules that do not compile, as the CLI prints them (one line each, naming the file, the
/// rule, the field and the position in its expression).
#[cfg(feature = "full")]
fn custom_error(errors: &[kpitree_session::CustomRuleError]) -> JsValue {
    let texts: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let message = texts.join("\n");
    let problems = errors
        .iter()
        .zip(&texts)
        .map(|(e, text)| JsProblem {
            code: "custom-rule",
            message: text,
            file: &e.file,
            node: Some(&e.rule),
            field: e.field,
            line: e.at.map(|a| a.0),
            column: e.at.map(|a| a.1),
        })
        .collect();
    to_js(&JsError { message, problems })
}

/// A configuration file that does not parse: `SOURCE: detail`, as the CLI says it.
fn syntax_error(source: &str, detail: &str) -> JsValue {
    file_error("config-syntax", source, detail)
}

/// An error about a whole input: `SOURCE: detail`, one problem with `code`.
fn file_error(code: &str, source: &str, detail: &str) -> JsValue {
    let detail = detail.trim_end();
    let problem = JsProblem { code, message: detail, file: source, node: None, field: None, line: None, column: None };
    to_js(&JsError { message: format!("{source}: {detail}"), problems: vec![problem] })
}

/// What the lean engine (built without the `full` feature) says when asked for what only the full
/// engine reads; `web/src/engine.js` loads the full engine before it asks, so pages never see this.
#[cfg(not(feature = "full"))]
fn needs_full(source: &str, what: &str) -> JsValue {
    syntax_error(source, &format!("{what} needs the full engine (initEngine() without `lean`)"))
}

/// What the lean engine declines to read (`what`: this JSON, text, date) with the code
/// `needs-full-engine`, on which `web/src/engine.js` (`readTree`) asks the full engine for its message.
#[cfg(not(feature = "full"))]
fn declined(source: &str, what: &str) -> JsValue {
    let detail =
        format!("the lean engine does not read this {what}; the full engine (initEngine() without `lean`) says why");
    file_error("needs-full-engine", source, &detail)
}

/// JSON text into `T` (the lean engine reads only trees; the full engine reads JSON with serde_json,
/// whose messages are the CLI's). The lean engine reads it with
/// `kpitree-json-lite`, a fraction of serde_json's reader in the wasm: the same values for every text
/// it reads, and for any other (a broken file, mostly) the code `needs-full-engine`, on which
/// `web/src/engine.js` (`readTree`) asks the full engine, so messages stay the CLI's.
#[cfg(not(feature = "full"))]
fn from_json<'a, T: serde::Deserialize<'a>>(text: &'a str, source: &str) -> Result<T, JsValue> {
    kpitree_json_lite::from_str(text).map_err(|_| declined(source, "JSON"))
}

/// A baseline (the JSON of `kpitree check --format json`, named `file` in messages) as the core reads
/// it, with the CLI's located messages. Only in the full engine: in the lean one, reading and marking
/// a baseline added 4.8 KiB gzipped even with `kpitree-json-lite` (35 KiB with serde_json; sizes:
/// docs/benchmarks.md), for the few pages that have a baseline; the widget loads the full engine for
/// those, and the lean engine's exports are as they were without baselines.
#[cfg(feature = "full")]
fn read_baselines(text: &str, file: &str) -> Result<Baselines, JsValue> {
    Baselines::from_json(file, text).map_err(|e| load_error(&e))
}

/// Checks a baseline's text (see [`KpiTree::check_against_json`]) and says how many findings it knows
/// (of one tree; of several trees, all together), so a page finds a bad one before it checks a tree.
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = readBaseline)]
pub fn read_baseline(text: &str, file: &str) -> Result<usize, JsValue> {
    Ok(match read_baselines(text, file)? {
        Baselines::One(b) => b.len(),
        Baselines::Files(files) => files.iter().map(|(_, b)| b.len()).sum(),
    })
}

/// `report` marked against `baseline` (its entry for the tree read from `file`), as JSON text.
#[cfg(feature = "full")]
fn marked_json(mut report: Report, baseline: Option<Baselines>, file: &str) -> Result<String, JsValue> {
    if let Some(b) = baseline {
        kpitree_core::baseline::mark(&mut report, &b.for_file(file));
    }
    json(&report)
}

/// Parses a configuration (`format`: `toml` or `json`) and checks it against the built-in rules.
/// Rule ids the built-in rules do not know are left for the check, where the plugins' rules are
/// known. Returns the configuration as a plain object (`{rules, plugins, limits}`). Full engine
/// only, as [`with_rules`]: the lean one reads no configuration (that and its messages were 8 KiB of
/// its 129 KiB gzipped, for pages that load the full engine anyway), and `web/src/engine.js` asks
/// only the full engine.
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = parseConfig)]
pub fn parse_config(text: &str, file: &str, format: &str) -> Result<JsValue, JsValue> {
    let parsed = read_config(text, file, format)?;
    parsed.check_builtin().map_err(|errors| config_error(file, &errors))?;
    kpitree_session::CustomRules::compile(&parsed.configuration(file).custom).map_err(|e| custom_error(&e))?;
    // JSON text: the page keeps it and hands it back to `check`.
    serde_json::to_string(&parsed).map(JsValue::from).map_err(|e| syntax_error(file, &e.to_string()))
}

/// Adds the custom rules of a rules file (`rules_text`, TOML, named `rules_file` in messages) to a
/// configuration from [`parse_config`] ("" for none) and checks them all together. Returns the
/// configuration's JSON text.
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = withRules)]
pub fn with_rules(config: &str, source: &str, rules_text: &str, rules_file: &str) -> Result<JsValue, JsValue> {
    let mut file = config_of(config, source)?;
    let mut configuration = file.configuration(source);
    configuration.add_rules_file(rules_text, rules_file).map_err(|e| syntax_error(rules_file, &e))?;
    kpitree_session::CustomRules::compile(&configuration.custom).map_err(|e| custom_error(&e))?;
    file.custom_rules = configuration.custom.into_iter().flat_map(|s| s.rules).collect();
    serde_json::to_string(&file).map(JsValue::from).map_err(|e| syntax_error(source, &e.to_string()))
}

/// A configuration file's text (`format`: `toml` or `json`), as `kpitree-session` reads it.
#[cfg(feature = "full")]
fn read_config(text: &str, file: &str, format: &str) -> Result<ConfigFile, JsValue> {
    match format {
        "json" => ConfigFile::from_json(text),
        _ => ConfigFile::from_toml(text),
    }
    .map_err(|e| syntax_error(file, &e))
}

/// The configuration a check runs with: JSON text from [`parse_config`], or empty for the defaults.
#[cfg(feature = "full")]
fn config_of(json: &str, source: &str) -> Result<ConfigFile, JsValue> {
    if json.is_empty() {
        return Ok(ConfigFile::default());
    }
    read_config(json, source, "json")
}

/// The built-in rules' settings and the custom rules of `file` (whose `[rules.<custom id>]` are
/// taken out of `config` first: it is the engine configuration left after plugins took theirs).
#[cfg(feature = "full")]
fn resolve(file: &ConfigFile, mut config: Config, source: &str) -> Result<(Settings, CustomRules), JsValue> {
    let custom = file.configuration(source).custom_rules(&mut config).map_err(|e| custom_error(&e))?;
    let settings = kpitree_core::settings(&config).map_err(|errors| config_error(source, &errors))?;
    Ok((settings, custom))
}

/// The rules of a check: the configuration's (JSON text from [`parse_config`]), or the defaults
/// for "".
#[cfg(feature = "full")]
fn settings_of(config: &str, source: &str) -> Result<(Settings, CustomRules), JsValue> {
    let file = config_of(config, source)?;
    resolve(&file, file.engine_config(), source)
}

/// The lean engine has no custom rules: an empty stand-in, so the check reads the same.
#[cfg(not(feature = "full"))]
struct CustomRules;

#[cfg(not(feature = "full"))]
impl CustomRules {
    fn run(&self, _: &kpitree_core::tree::Tree) -> kpitree_core::report::PluginResults {
        kpitree_core::report::PluginResults::default()
    }
}

#[cfg(not(feature = "full"))]
fn settings_of(config: &str, source: &str) -> Result<(Settings, CustomRules), JsValue> {
    if config.is_empty() {
        Ok((kpitree_core::default_settings(), CustomRules))
    } else {
        Err(needs_full(source, "A configuration"))
    }
}

/// Loads and validates a tree from the bytes of a file (JSON or CSV text in UTF-8, as `format`
/// says), decoded as the CLI decodes a file: a byte-order mark skipped. For CSV, `as_of` (YYYY-MM-DD)
/// and `organisation` fill what the file does not say, as the CLI's flags do. Bytes rather than a
/// string: the page hands over a response's bytes as they came, one copy into the wasm memory, and
/// a text is encoded by the browser's TextEncoder; a string argument is copied character by
/// character in JS first (at 5 MB, 20-100 ms before the engine starts).
#[wasm_bindgen(js_name = loadTree)]
pub fn load_tree(
    bytes: &[u8],
    file: &str,
    format: &str,
    as_of: Option<String>,
    organisation: Option<String>,
) -> Result<KpiTree, JsValue> {
    let text = decode(bytes, file)?;
    let as_of = as_of.map(|s| parse_as_of(&s)).transpose()?;
    let tree = if format == "csv" { load_csv(text, file, as_of, organisation)? } else { load_json(text, file)? };
    let shape = Shape::new(&tree);
    Ok(KpiTree { tree, file: file.to_owned(), shape, rollup: OnceCell::new() })
}

/// `asOf`, a date as YYYY-MM-DD.
#[cfg(feature = "full")]
fn parse_as_of(s: &str) -> Result<Date, JsValue> {
    Date::parse(s).ok_or_else(|| syntax_error("asOf", &format!("{s:?} is not a date as YYYY-MM-DD")))
}

/// The lean engine reads no CSV, the only format `asOf` is for, and leaves the message about a bad
/// one to the full engine: quoting the text as the message does links Unicode tables (2.8 KiB of
/// wasm gzipped).
#[cfg(not(feature = "full"))]
fn parse_as_of(s: &str) -> Result<Date, JsValue> {
    Date::parse(s).ok_or_else(|| declined("asOf", "date"))
}

#[cfg(feature = "full")]
fn decode<'b>(bytes: &'b [u8], file: &str) -> Result<&'b str, JsValue> {
    kpitree_core::decode_text(file, bytes).map_err(|e| load_error(&e))
}

/// The lean engine leaves the message about bad UTF-8 (which locates the byte: 1.4 KiB of wasm) to
/// the full engine, as it leaves JSON syntax errors.
#[cfg(not(feature = "full"))]
fn decode<'b>(bytes: &'b [u8], file: &str) -> Result<&'b str, JsValue> {
    std::str::from_utf8(bytes).map_err(|_| declined(file, "text"))
}

/// A JSON tree: in the full engine as the CLI reads it; in the lean one through [`from_json`].
#[cfg(feature = "full")]
fn load_json(text: &str, file: &str) -> Result<Tree, JsValue> {
    kpitree_core::load_json(file, text).map_err(|e| load_error(&e))
}

#[cfg(not(feature = "full"))]
fn load_json(text: &str, file: &str) -> Result<Tree, JsValue> {
    // A byte-order mark is accepted, as by the full engine (`parse_json` skips it).
    let text = kpitree_core::json::strip_bom(text);
    let doc = from_json(text, file)?;
    // An invalid tree's located messages are the full engine's, as a broken text's are: placing
    // them takes a second reader of the text (the JSON source map).
    kpitree_core::validate_unplaced(file, doc).ok_or_else(|| {
        file_error(
            "needs-full-engine",
            file,
            "the lean engine does not check this tree's problems; the full engine (initEngine() without `lean`) lists them",
        )
    })
}

#[cfg(feature = "full")]
fn load_csv(text: &str, file: &str, as_of: Option<Date>, organisation: Option<String>) -> Result<Tree, JsValue> {
    let meta = CsvMeta { organisation, as_of };
    kpitree_core::load(file, text, Format::Csv, &meta).map_err(|e| load_error(&e))
}

#[cfg(not(feature = "full"))]
fn load_csv(_: &str, file: &str, _: Option<Date>, _: Option<String>) -> Result<Tree, JsValue> {
    Err(needs_full(file, "CSV"))
}

/// A validated tree, validated once: checks, layouts and plugin requests all use it, and the rollup
/// is built on first use and shared by the plugin requests and the check that merges their answers.
#[wasm_bindgen]
pub struct KpiTree {
    tree: Tree,
    file: String,
    shape: Shape,
    rollup: OnceCell<Rollup>,
}

impl KpiTree {
    fn rollup(&self) -> &Rollup {
        self.rollup.get_or_init(|| Rollup::new(&self.tree))
    }

    /// The check with the configuration `config` (see [`KpiTree::check_json`]).
    fn check(&self, config: &str, source: &str) -> Result<Report, JsValue> {
        let (settings, custom) = settings_of(config, source)?;
        Ok(kpitree_core::check_with(&self.tree, self.rollup(), &settings, custom.run(&self.tree)))
    }
}

fn json<T: Serialize + ?Sized>(value: &T) -> Result<String, JsValue> {
    serde_json::to_string(value).map_err(|e| unwritable(&e))
}

#[wasm_bindgen]
impl KpiTree {
    /// Number of nodes.
    #[wasm_bindgen(getter)]
    pub fn count(&self) -> usize {
        self.tree.len()
    }

    /// The file name errors and reports use.
    #[wasm_bindgen(getter)]
    pub fn file(&self) -> String {
        self.file.clone()
    }

    /// The whole document as JSON text (the canonical format).
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = documentJson)]
    pub fn document_json(&self) -> Result<String, JsValue> {
        json(self.tree.doc())
    }

    /// Every node as JSON text (an array, document order, the format's fields).
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = nodesJson)]
    pub fn nodes_json(&self) -> Result<String, JsValue> {
        json(self.tree.nodes())
    }

    /// One node as JSON text, or `undefined` when there is none with this id.
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = nodeJson)]
    pub fn node_json(&self, id: &str) -> Result<Option<String>, JsValue> {
        self.tree.ix(id).map(|i| json(self.tree.node(i))).transpose()
    }

    /// Position of the node with `id` in document order, or `undefined`.
    #[wasm_bindgen(js_name = indexOf)]
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.tree.ix(id).map(|i| i as usize)
    }

    /// `kpitree check --format json`, as JSON text. `config` is [`parse_config`]'s text ("" for the
    /// defaults), `source` names it in messages.
    #[wasm_bindgen(js_name = checkJson)]
    pub fn check_json(&self, config: &str, source: &str) -> Result<String, JsValue> {
        json(&self.check(config, source)?)
    }

    /// `kpitree check --baseline --format json`, as JSON text: [`KpiTree::check_json`] with each finding
    /// marked new or known against `baseline` (the text of an earlier report, named `baseline_file` in
    /// messages). Full engine only.
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = checkAgainstJson)]
    pub fn check_against_json(
        &self,
        config: &str,
        source: &str,
        baseline: &str,
        baseline_file: &str,
    ) -> Result<String, JsValue> {
        let baseline = read_baselines(baseline, baseline_file)?;
        marked_json(self.check(config, source)?, Some(baseline), &self.file)
    }

    /// `kpitree prune --format json`, as JSON text. `reasons`: `orphaned`, `stale`, `duplicated`
    /// (all three when empty).
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = pruneJson)]
    pub fn prune_json(&self, config: &str, source: &str, reasons: Vec<String>) -> Result<String, JsValue> {
        let (settings, custom) = settings_of(config, source)?;
        let mut parsed = Vec::new();
        for r in &reasons {
            let reason = Reason::parse(r).ok_or_else(|| {
                syntax_error("reasons", &format!("unknown reason `{r}`; reasons: {}", Reason::NAMES.join(", ")))
            })?;
            parsed.push(reason);
        }
        if parsed.is_empty() {
            parsed = Reason::ALL.to_vec();
        }
        let (report, _) = kpitree_core::prune::prune_with(&self.tree, &settings, &parsed, &|t| custom.run(t));
        json(&report)
    }

    /// The nodes (indices in document order) with children shown at display depth `depth` or deeper
    /// (0: the roots): what a view opened down to `depth` levels closes, without a layout of the
    /// whole tree first (see `Shape::openable_from`).
    #[wasm_bindgen(js_name = openableFrom)]
    pub fn openable_from(&self, depth: u32) -> Vec<u32> {
        self.shape.openable_from(depth)
    }

    /// The layout of the display tree (see `kpitree_layout`): an object of typed arrays.
    /// `collapsed` lists node ids whose children are hidden (unknown ids are ignored: the page may
    /// keep ids of another tree), `collapsed_nodes` node indices (out of range ones are ignored): a
    /// large tree opened collapsed closes thousands, which cross into wasm as one typed array rather
    /// than one string each.
    pub fn layout(
        &self,
        collapsed: Vec<String>,
        collapsed_nodes: Vec<u32>,
        width: f64,
        height: f64,
        siblings: f64,
        cousins: f64,
    ) -> Result<js_sys::Object, JsValue> {
        let mut hidden = Vec::new();
        if !collapsed.is_empty() || !collapsed_nodes.is_empty() {
            hidden = vec![false; self.tree.len()];
            let by_id = collapsed.iter().filter_map(|id| self.tree.ix(id));
            for i in by_id.chain(collapsed_nodes) {
                if let Some(h) = hidden.get_mut(i as usize) {
                    *h = true;
                }
            }
        }
        let options = Options { node_size: (width, height), siblings, cousins };
        let l = layout::layout(&self.shape, &hidden, &options);
        let out = js_sys::Object::new();
        let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&out, &JsValue::from_str(k), v).map(|_| ());
        set("count", &JsValue::from(l.len() as u32))?;
        set("width", &JsValue::from(l.width))?;
        set("height", &JsValue::from(l.height))?;
        set("x", &js_sys::Float64Array::from(&l.x[..]))?;
        set("y", &js_sys::Float64Array::from(&l.y[..]))?;
        set("depth", &js_sys::Uint32Array::from(&l.depth[..]))?;
        set("parent", &js_sys::Int32Array::from(&l.parent[..]))?;
        set("node", &js_sys::Uint32Array::from(&l.node[..]))?;
        set("flags", &js_sys::Uint8Array::from(&l.flags[..]))?;
        Ok(out)
    }

    /// The check with what the plugins of `run` answered merged in, as JSON text; with `baseline`, as
    /// [`KpiTree::check_against_json`].
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = checkWithPluginsJson)]
    pub fn check_with_plugins_json(
        &self,
        run: &PluginRun,
        baseline: Option<String>,
        baseline_file: &str,
    ) -> Result<String, JsValue> {
        let baseline = baseline.map(|text| read_baselines(&text, baseline_file)).transpose()?;
        let (settings, mut results, custom) = run.finish(&self.tree)?;
        results.extend(custom.run(&self.tree));
        marked_json(kpitree_core::check_with(&self.tree, self.rollup(), &settings, results), baseline, &self.file)
    }
}
