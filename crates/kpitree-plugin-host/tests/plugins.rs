//! The host against the test plugins of `tests/plugins/` (WAT, compiled when loaded): every hostile
//! plugin gives the exact plugin error its file describes, the process survives them all, and the
//! well-behaved plugins' findings (and the built-in rules') are still reported next to them.

use kpitree_core::config::{Config, RuleConfig};
use kpitree_core::finding::Severity;
use kpitree_core::rollup::Rollup;
use kpitree_core::tree::Tree;
use kpitree_core::{TreeDoc, check_with, parse_json, settings};
use kpitree_plugin_host::{ErrorKind, Limits, Plugin, PluginError, PluginSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A small valid tree: one strategy, one objective, one key result, two KPIs (one without an owner, so
/// a built-in rule has something to say).
const TREE: &str = r#"{
  "version": 1, "organisation": "Acme", "as_of": "2026-11-27",
  "nodes": [
    {"id": "s1", "kind": "strategy", "title": "Grow", "owner": "ceo"},
    {"id": "o1", "kind": "objective", "title": "Win the north", "owner": "sales", "parents": ["s1"], "period": "2026-Q4"},
    {"id": "kr1", "kind": "key_result", "title": "Revenue north", "owner": "sales", "parents": ["o1"],
     "start": 0, "target": 10, "current": 5, "unit": "MEUR", "confidence": 0.6,
     "check_ins": [{"date": "2026-11-20", "value": 5, "confidence": 0.6, "note": "on plan"}]},
    {"id": "k1", "kind": "kpi", "title": "Pipeline", "owner": "sales", "parents": ["kr1"], "unit": "MEUR",
     "direction": "higher_is_better", "indicator": "leading", "target": 20, "rationale": "drives revenue",
     "last_reviewed": "2026-10-01", "measurements": [{"date": "2026-10-01", "value": 12}]},
    {"id": "k2", "kind": "kpi", "title": "Churn", "parents": ["kr1"], "unit": "%",
     "direction": "lower_is_better", "indicator": "lagging", "target": 2, "rationale": "keeps revenue",
     "last_reviewed": "2026-10-01", "measurements": [{"date": "2026-10-01", "value": 3}]}
  ]
}"#;

fn doc() -> TreeDoc {
    parse_json("tree.json", TREE).expect("the test tree parses")
}

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/plugins").join(name)
}

/// Test limits: the defaults with a small CPU budget and memory, so hostile plugins fail fast.
fn limits() -> Limits {
    Limits::default().fuel(20_000_000).memory(16 << 20)
}

fn load(name: &str) -> Plugin {
    Plugin::load(&path(name), &limits()).unwrap_or_else(|e| panic!("{name} loads: {e}"))
}

fn evaluate(plugin: &Plugin, doc: &TreeDoc, config: &str) -> Result<Vec<kpitree_core::finding::Finding>, PluginError> {
    let tree = Tree::new("tree.json", doc.clone()).expect("valid");
    let request = kpitree_plugin_abi::encode_request(&tree, &Rollup::new(&tree), config.as_bytes());
    plugin.evaluate(&request, &tree)
}

/// Loading `name` fails with `code` and exactly `message`.
fn check_load(name: &str, limits: &Limits, code: &str, message: &str) {
    match Plugin::load(&path(name), limits) {
        Ok(p) => panic!("{name} loaded as {p:?}; expected {code}"),
        Err(e) => {
            assert_eq!((e.kind.code(), e.to_string().as_str()), (code, message), "{name}");
        }
    }
}

/// `name` loads, and evaluating it fails with `code` and exactly `message`.
fn check_evaluate(name: &str, limits: &Limits, code: &str, message: &str) {
    let plugin = Plugin::load(&path(name), limits).unwrap_or_else(|e| panic!("{name} loads: {e}"));
    match evaluate(&plugin, &doc(), "{}") {
        Ok(f) => panic!("{name} evaluated to {f:?}; expected {code}"),
        Err(e) => assert_eq!((e.kind.code(), e.to_string().as_str()), (code, message), "{name}"),
    }
}

#[test]
fn hostile_plugins_are_refused_at_load() {
    let l = limits();
    check_load(
        "hostile/imports.wat",
        &l,
        "import",
        "plugin `imports` imports `env.f` (and 1 more): plugins may import nothing",
    );
    check_load(
        "hostile/missing-export.wat",
        &l,
        "missing-export",
        "plugin `missing-export` does not export `kpitree_evaluate`",
    );
    check_load(
        "hostile/wrong-signature.wat",
        &l,
        "export-type",
        "plugin `wrong-signature` exports `kpitree_evaluate` as a function (i32) -> i64; the ABI needs a function (i32, i32) -> i64",
    );
    check_load("hostile/abi-v2.wat", &l, "abi-version", "plugin `abi-v2` speaks ABI v2.0; this kpitree speaks v1.1");
    check_load(
        "hostile/builtin-clash.wat",
        &l,
        "bad-manifest",
        "plugin `builtin-clash` has an invalid manifest: rule `orphan-kpi` has the id of a built-in rule",
    );
    check_load(
        "hostile/bad-manifest.wat",
        &l,
        "bad-manifest",
        "plugin `bad-manifest` has an invalid manifest: plugin name `Bad Name` must match [a-z0-9][a-z0-9-]* (at most 64 bytes)",
    );
    check_load(
        "hostile/start-spin.wat",
        &l,
        "out-of-fuel",
        "plugin `start-spin` exceeded its CPU budget (20000000 fuel) during instantiation",
    );
    check_load(
        "hostile/huge-table.wat",
        &l,
        "table-too-large",
        "plugin `huge-table` wanted a table of 2000000 elements (limit 1048576) during instantiation",
    );
    check_load("hostile/many-tables.wat", &l, "too-many-tables", "plugin `many-tables` declares 9 tables (limit 8)");
    check_load(
        "hostile/data-out-of-bounds.wat",
        &l,
        "trap",
        "plugin `data-out-of-bounds` trapped during instantiation: out-of-bounds memory access",
    );
    check_load(
        "hostile/many-rules.wat",
        &l,
        "bad-manifest",
        "plugin `many-rules` has an invalid manifest: manifest declares 2000 rules; at most 1024 are allowed",
    );
    check_load(
        "hostile/deep-manifest.wat",
        &l,
        "bad-response",
        "plugin `deep-manifest` returned a manifest of the wrong shape: recursion limit exceeded at line 1 column 270",
    );
    check_load(
        "hostile/huge-initial-memory.wat",
        &Limits::default(),
        "out-of-memory",
        "plugin `huge-initial-memory` ran out of memory (limit 256 MiB, asked for 312.5 MiB) during instantiation",
    );
}

#[test]
fn hostile_plugins_fail_their_evaluation() {
    let l = limits();
    check_evaluate(
        "hostile/spin.wat",
        &l,
        "out-of-fuel",
        "plugin `spin` exceeded its CPU budget (20000000 fuel) in kpitree_evaluate",
    );
    check_evaluate(
        "hostile/hog.wat",
        &l,
        "out-of-memory",
        "plugin `hog` ran out of memory (limit 16 MiB, asked for 16.1 MiB) in kpitree_evaluate",
    );
    check_evaluate(
        "hostile/hog-ignores-failure.wat",
        // Every failed memory.grow is a call into the host: a smaller budget keeps the test quick.
        &limits().fuel(1_000_000),
        "out-of-memory",
        "plugin `hog-ignores-failure` ran out of memory (limit 16 MiB, asked for 16.1 MiB) in kpitree_evaluate",
    );
    check_evaluate("hostile/trap.wat", &l, "trap", "plugin `trap` trapped in kpitree_evaluate: unreachable");
    check_evaluate(
        "hostile/recurse.wat",
        &l,
        "stack-overflow",
        "plugin `recurse` overflowed its stack (limit 1 MiB) in kpitree_evaluate",
    );
    check_evaluate(
        "hostile/bad-utf8.wat",
        &l,
        "invalid-utf8",
        "plugin `bad-utf8` returned invalid UTF-8 at byte 12 from kpitree_evaluate",
    );
    check_evaluate(
        "hostile/not-json.wat",
        &l,
        "not-json",
        "plugin `not-json` returned a response that is not JSON from kpitree_evaluate: expected value at line 1 column 1",
    );
    check_evaluate(
        "hostile/wrong-shape.wat",
        &l,
        "bad-response",
        "plugin `wrong-shape` returned a response of the wrong shape: unknown variant `result`, expected `findings` or `error` at line 1 column 9",
    );
    check_evaluate(
        "hostile/unknown-node.wat",
        &l,
        "unknown-node",
        "plugin `unknown-node` named unknown node `k9` in a finding of rule `unknown-node`",
    );
    check_evaluate(
        "hostile/undeclared-rule.wat",
        &l,
        "undeclared-rule",
        "plugin `undeclared-rule` reported rule `x` it did not declare",
    );
    check_evaluate(
        "hostile/out-of-bounds.wat",
        &l,
        "out-of-bounds",
        "plugin `out-of-bounds` returned bytes 4294901760..4294901860 from kpitree_evaluate, outside its memory of 64 KiB",
    );
    check_evaluate(
        "hostile/huge-output.wat",
        &l,
        "output-too-large",
        "plugin `huge-output` returned 4096 MiB of a response from kpitree_evaluate (limit 8 MiB)",
    );
    check_evaluate(
        "hostile/amplify.wat",
        &l,
        "output-too-large",
        "plugin `amplify` returned 131073 findings from kpitree_evaluate that come to more than 32 MiB with their rules' why and fix (limit 4 × the output limit of 8 MiB)",
    );
    check_evaluate(
        "hostile/reports-error.wat",
        &l,
        "reported",
        "plugin `reports-error` reported an error: config: `teams` must be a list of strings",
    );
    check_evaluate(
        "hostile/alloc-fails.wat",
        &l,
        "alloc-failed",
        &format!(
            "plugin `alloc-fails` could not allocate {} for its request (kpitree_alloc returned 0)",
            request_size()
        ),
    );
}

/// The size of the test tree's request with `{}`, as messages print it.
fn request_size() -> String {
    let doc = doc();
    let tree = Tree::new("tree.json", doc.clone()).expect("valid");
    let n = kpitree_plugin_abi::encode_request(&tree, &Rollup::new(&tree), b"{}").len();
    if n < 1024 { format!("{n} bytes") } else { format!("{:.1} KiB", n as f64 / 1024.0).replace(".0 ", " ") }
}

#[test]
fn wall_time_stops_a_plugin_with_fuel_to_spare() {
    let l = limits().fuel(u64::MAX / 2).time(Duration::from_millis(100));
    let t = Instant::now();
    check_evaluate(
        "hostile/spin.wat",
        &l,
        "timeout",
        "plugin `spin` exceeded its time limit (100 ms) in kpitree_evaluate",
    );
    assert!(t.elapsed() < Duration::from_secs(3), "took {:?}", t.elapsed());
}

#[test]
fn input_and_module_sizes_are_limited() {
    let small = limits().input_size(64);
    check_evaluate(
        "node-count.wat",
        &small,
        "input-too-large",
        &format!("plugin `node-count` was not run: the request is {} (limit 64 bytes)", request_size()),
    );
    check_load(
        "node-count.wat",
        &limits().module_size(100),
        "module-too-large",
        &format!(
            "plugin `node-count` is too large: {} (limit 100 bytes)",
            limits_size(std::fs::metadata(path("node-count.wat")).expect("exists").len())
        ),
    );
    let err = Plugin::from_bytes("junk", "junk", b"\0asm\x01\0\0\0\x99garbage", &limits()).expect_err("not wasm");
    assert_eq!(err.kind.code(), "invalid-module");
    assert!(err.to_string().starts_with("plugin `junk` is not a valid WebAssembly module: "), "{err}");
    let err = Plugin::load(&path("no-such-plugin.wasm"), &limits()).expect_err("no file");
    assert!(err.kind.is_io());
    assert!(err.to_string().starts_with("plugin `no-such-plugin` cannot be read from "), "{err}");
}

/// A module of `n` functions of a few instructions each (`(i32.const 0) drop` six times), as the
/// module that took wasmtime 93 s and 3 GB to compile (500,000 of them, 10.8 MB), and nothing else.
fn tiny_functions(n: u32) -> Vec<u8> {
    let leb = |out: &mut Vec<u8>, v: u32| kpitree_plugin_abi::module::write_leb128(out, u64::from(v));
    let body: Vec<u8> = [&[0u8][..], &[0x41, 0, 0x1a].repeat(6), &[0x0b]].concat();
    let mut funcs = Vec::new();
    leb(&mut funcs, n);
    funcs.resize(funcs.len() + n as usize, 0);
    let mut code = Vec::new();
    leb(&mut code, n);
    for _ in 0..n {
        leb(&mut code, body.len() as u32);
        code.extend_from_slice(&body);
    }
    let mut module = b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0".to_vec();
    for (id, section) in [(3u8, funcs), (10, code)] {
        module.push(id);
        leb(&mut module, section.len() as u32);
        module.extend_from_slice(&section);
    }
    module
}

/// Compiling is the one step no limit interrupts: a module declaring more than a host compiles is
/// refused before it is compiled, by what it declares (`module-too-complex`), whatever its size.
#[test]
fn modules_too_complex_to_compile_are_refused_before_compiling() {
    for n in [100_000, 500_000] {
        let err = Plugin::from_bytes("bomb", "memory", &tiny_functions(n), &limits()).expect_err("refused");
        assert_eq!(
            (err.kind.code(), err.to_string()),
            ("module-too-complex", format!("plugin `bomb` is too complex to compile: {n} functions (limit 10000)"))
        );
    }
    // The limit is the host's to set: raised, the module is compiled (and then lacks the exports).
    let err =
        Plugin::from_bytes("bomb", "memory", &tiny_functions(200), &limits().functions(200)).expect_err("no exports");
    assert_eq!(err.kind.code(), "missing-export");
    let err =
        Plugin::from_bytes("bomb", "memory", &tiny_functions(200), &limits().functions(199)).expect_err("refused");
    assert_eq!(err.to_string(), "plugin `bomb` is too complex to compile: 200 functions (limit 199)");
    let err =
        Plugin::from_bytes("bomb", "memory", &tiny_functions(200), &limits().code_size(1024)).expect_err("refused");
    assert_eq!(err.to_string(), "plugin `bomb` is too complex to compile: 4.1 KiB of code (limit 1 KiB)");
    // WAT text is checked once it is a binary, as the browser checks the binary.
    let wat = format!("(module {})", "(func)".repeat(10_001));
    let err = Plugin::from_bytes("text", "memory", wat.as_bytes(), &limits()).expect_err("refused");
    assert_eq!(err.to_string(), "plugin `text` is too complex to compile: 10001 functions (limit 10000)");
}

/// `PluginSet::run_until`: a run that must end by a deadline gives each call the time left at most,
/// and the plugins whose turn comes after it are not run.
#[test]
fn a_run_ends_by_its_deadline() {
    let doc = doc();
    let tree = Tree::new("tree.json", doc.clone()).expect("valid");
    let rollup = Rollup::new(&tree);
    let mut set = PluginSet::new();
    // Fuel to spare: only the wall time stops `spin`.
    let l = limits().fuel(u64::MAX / 2);
    set.load(&path("hostile/spin.wat"), &l).expect("loads");
    set.load(&path("node-count.wat"), &l).expect("loads");
    let deadline = Instant::now() + Duration::from_millis(300);
    let results = set.run_until(&tree, &rollup, &Config::default(), &set.switches(), Some(deadline));
    assert!(Instant::now() >= deadline, "spin ran until the deadline");
    let got: Vec<(&str, &str)> = results.errors.iter().map(|e| (e.plugin.as_str(), e.code.as_str())).collect();
    assert_eq!(got, [("spin", "timeout"), ("node-count", "timeout")]);
    // spin had what was left of 300 ms, not its 5 s; node-count had nothing left and was not run.
    let spin = &results.errors[0].message;
    let ms: u64 = spin
        .strip_prefix("plugin `spin` exceeded its time limit (")
        .and_then(|rest| rest.strip_suffix(" ms) in kpitree_evaluate"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{spin}"));
    assert!(ms <= 300, "{spin}");
    assert_eq!(results.errors[1].message, "plugin `node-count` exceeded its time limit (0 ms) during instantiation");
    assert!(results.findings.is_empty());
    // Without a deadline, the same set runs as before.
    let results = set.run_until(&tree, &rollup, &Config::default(), &set.switches(), None);
    assert_eq!(results.errors.len(), 1, "{:?}", results.errors);
    assert_eq!(results.findings.len(), 1);
}

fn limits_size(n: u64) -> String {
    format!("{:.1} KiB", n as f64 / 1024.0).replace(".0 ", " ")
}

#[test]
fn a_good_plugin_reads_the_tree_and_its_findings_carry_its_name() {
    let plugin = load("node-count.wat");
    assert_eq!(plugin.name(), "node-count");
    assert_eq!(plugin.abi_version(), (1, 0));
    let findings = evaluate(&plugin, &doc(), "{}").expect("evaluates");
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(f.rule, "node-count");
    assert_eq!(f.message, "the tree has 5 nodes");
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(f.why, "It is a test.");
    assert_eq!(f.fix, "Nothing to fix.");
    assert_eq!(f.plugin.as_deref(), Some("node-count"));
    assert!(f.nodes.is_empty());
}

/// `load_costs` and `evaluate_measured` report the fuel each call used: the same on every run, and exactly what the call needs (a fuel limit of that much is enough, one less is not).
#[test]
fn the_fuel_of_each_call_is_measured() {
    let plugin = load("node-count.wat");
    let costs = plugin.load_costs();
    assert!(costs.abi_version > 0 && costs.manifest > 0, "{costs:?}");
    assert_eq!(load("node-count.wat").load_costs(), costs);
    let tree = Tree::new("tree.json", doc()).expect("valid");
    let request = kpitree_plugin_abi::encode_request(&tree, &Rollup::new(&tree), b"{}");
    let measured = plugin.evaluate_measured(&request, &tree).expect("evaluates");
    assert_eq!(measured.findings, plugin.evaluate(&request, &tree).expect("evaluates"));
    assert!(measured.fuel > 0 && measured.fuel < limits().fuel);
    assert_eq!(plugin.evaluate_measured(&request, &tree).expect("evaluates").fuel, measured.fuel);
    let needs = measured.fuel.max(costs.abi_version).max(costs.manifest);
    let exact = Plugin::load(&path("node-count.wat"), &limits().fuel(needs)).expect("loads with exactly enough");
    exact.evaluate_measured(&request, &tree).expect("exactly enough fuel");
    if measured.fuel == needs {
        let short = Plugin::load(&path("node-count.wat"), &limits().fuel(needs - 1)).expect("loads");
        let e = short.evaluate_measured(&request, &tree).expect_err("one unit short");
        assert_eq!(e.kind.code(), "out-of-fuel");
    }
}

#[test]
fn every_evaluation_is_a_fresh_instance() {
    let plugin = load("counter.wat");
    for _ in 0..3 {
        let findings = evaluate(&plugin, &doc(), "{}").expect("evaluates");
        assert_eq!(findings[0].message, "evaluation 1");
    }
}

#[test]
fn findings_name_real_nodes_and_keep_their_own_severity_and_fix() {
    let plugin = load("echo.wat");
    let response = r#"{"findings":[
        {"rule":"echo-a","nodes":["k2","kr1"],"message":"Churn has no owner's plan"},
        {"rule":"echo-b","severity":"error","nodes":["o1"],"message":"north","fix":"Look north."}]}"#;
    let findings = evaluate(&plugin, &doc(), response).expect("evaluates");
    assert_eq!(findings.len(), 2);
    assert_eq!((findings[0].severity, findings[0].nodes.clone()), (Severity::Warning, vec!["k2".into(), "kr1".into()]));
    assert_eq!((findings[1].severity, findings[1].fix.as_str()), (Severity::Error, "Look north."));
}

#[test]
fn plugin_text_cannot_drive_the_terminal() {
    let plugin = load("echo.wat");
    let response = r#"{"findings":[{"rule":"echo-a","nodes":[],"message":"\u001b[2Jcleared\nnext\tline"}]}"#;
    let findings = evaluate(&plugin, &doc(), response).expect("evaluates");
    assert_eq!(findings[0].message, "\u{FFFD}[2Jcleared\nnext\tline");
}

/// The same files as the ABI's `printable` test, through a real module and the wasmtime host: the
/// manifest it reads from the module and the findings it returns must be exactly `expected.json`
/// (written and checked by that test), which is what the browser, calling the same ABI checks, gives.
#[test]
fn plugin_text_is_cleaned_as_the_abi_says() {
    let dir = path("printable");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let plugin = Plugin::load(&dir.join("plugin.wat"), &limits()).expect("loads");
    let text = read("tree.json");
    let doc = parse_json("tree.json", &text).expect("parses");
    let findings = evaluate(&plugin, &doc, &read("response.json")).expect("evaluates");
    let error = evaluate(&plugin, &doc, &read("response-error.json")).expect_err("reports an error");
    let ErrorKind::Reported { message } = error.kind else { panic!("{error}") };
    let got = serde_json::to_string_pretty(&serde_json::json!({
        "manifest": plugin.manifest(), "findings": findings, "error": message,
    }))
    .expect("serialises")
        + "\n";
    assert_eq!(got, read("expected.json"));
}

#[test]
fn the_other_rules_and_plugins_still_report_when_plugins_fail() {
    let doc = doc();
    let tree = Tree::new("tree.json", doc.clone()).expect("valid");
    let rollup = Rollup::new(&tree);
    let mut set = PluginSet::new();
    let mut load_errors: Vec<PluginError> = Vec::new();
    for name in ["hostile/trap.wat", "node-count.wat", "hostile/abi-v2.wat", "hostile/spin.wat", "echo.wat"] {
        if let Err(e) = set.load(&path(name), &limits()) {
            load_errors.push(e);
        }
    }
    assert_eq!(set.len(), 4, "abi-v2 is refused, the others load");
    let mut config = Config::default();
    config.plugins.insert(
        "echo".into(),
        serde_json::json!({"findings": [{"rule": "echo-a", "nodes": ["k1"], "message": "echoed"}]}),
    );
    let mut results = set.run(&tree, &rollup, &config);
    results.errors.splice(0..0, load_errors.iter().map(Into::into));
    let settings = settings(&Config::default()).expect("defaults");
    let report = check_with(&tree, &rollup, &settings, results);

    let codes: Vec<(&str, &str)> = report.plugin_errors.iter().map(|e| (e.plugin.as_str(), e.code.as_str())).collect();
    assert_eq!(codes, [("abi-v2", "abi-version"), ("trap", "trap"), ("spin", "out-of-fuel")]);
    let rules: Vec<(&str, Option<&str>)> =
        report.findings.iter().map(|f| (f.rule.as_str(), f.plugin.as_deref())).collect();
    assert!(rules.contains(&("missing-owner", None)), "{rules:?}");
    assert!(rules.contains(&("node-count", Some("node-count"))), "{rules:?}");
    assert!(rules.contains(&("echo-a", Some("echo"))), "{rules:?}");
    // Two plugin rules ran: node-count's and echo's two (trap and spin failed).
    let builtin = kpitree_core::rules::builtin().len();
    assert_eq!(report.summary.rules_run, builtin + 3);
    assert_eq!(report.summary.infos + report.summary.warnings + report.summary.errors, report.findings.len());
    let json = serde_json::to_value(&report).expect("serialises");
    assert_eq!(json["plugin_errors"][1]["message"], "plugin `trap` trapped in kpitree_evaluate: unreachable");
}

#[test]
fn names_and_rule_ids_are_unique_across_plugins() {
    let mut set = PluginSet::new();
    set.load(&path("node-count.wat"), &limits()).expect("loads");
    let again = set.load(&path("node-count.wat"), &limits()).expect_err("same plugin twice");
    assert_eq!(again.kind.code(), "duplicate-plugin");
    let text = std::fs::read_to_string(path("node-count.wat")).expect("reads");
    let renamed = text.replace(r#"\"name\":\"node-count\""#, r#"\"name\":\"other\""#);
    let other = Plugin::from_bytes("other", "memory", renamed.as_bytes(), &limits()).expect("loads");
    let clash = set.add(other).expect_err("rule id taken");
    assert_eq!(
        clash.to_string(),
        "plugin `other` declares rule `node-count`, which plugin `node-count` already declares"
    );
}

#[test]
fn rules_settings_switch_plugin_rules_and_change_their_severity() {
    let mut set = PluginSet::new();
    set.load(&path("echo.wat"), &limits()).expect("loads");
    let mut config = Config::default();
    config.rules.insert("echo-a".into(), RuleConfig { severity: Some(Severity::Error), ..RuleConfig::default() });
    config.rules.insert("echo-b".into(), RuleConfig { enabled: Some(false), ..RuleConfig::default() });
    config.rules.insert("orphan-kpi".into(), RuleConfig { enabled: Some(false), ..RuleConfig::default() });
    set.configure(&mut config).expect("valid");
    assert_eq!(config.rules.keys().collect::<Vec<_>>(), ["orphan-kpi"], "plugin rules are taken out");
    config.plugins.insert(
        "echo".into(),
        serde_json::json!({"findings": [
            {"rule": "echo-a", "nodes": [], "message": "a"},
            {"rule": "echo-b", "nodes": [], "message": "b"}]}),
    );
    let doc = doc();
    let tree = Tree::new("tree.json", doc.clone()).expect("valid");
    let results = set.run(&tree, &Rollup::new(&tree), &config);
    assert!(results.errors.is_empty(), "{:?}", results.errors);
    let got: Vec<(&str, Severity)> = results.findings.iter().map(|f| (f.message.as_str(), f.severity)).collect();
    assert_eq!(got, [("a", Severity::Error)]);
    assert_eq!(results.rules_run, 1);

    let mut bad = Config::default();
    let mut rc = RuleConfig::default();
    rc.params.insert("max".into(), kpitree_core::config::ParamValue::Int(3));
    bad.rules.insert("echo-a".into(), rc);
    let errors = set.configure(&mut bad).expect_err("plugin rules take no options");
    assert_eq!(
        errors[0].to_string(),
        "rule `echo-a`, option `max`: plugin rules have no options here; configure plugin `echo` in [plugins.echo]"
    );
}

/// `plugins/ABI.md`, *Severity*: a severity set in `[rules.<id>]` wins over the one a plugin put on a
/// finding; without it the finding's own severity holds, and without that the rule's default.
#[test]
fn configured_severity_beats_the_findings_own_which_beats_the_default() {
    let response = serde_json::json!({"findings": [
        {"rule": "echo-a", "nodes": [], "message": "a, own info", "severity": "info"},
        {"rule": "echo-a", "nodes": [], "message": "a, no severity"},
        {"rule": "echo-b", "nodes": [], "message": "b, own error", "severity": "error"},
        {"rule": "echo-b", "nodes": [], "message": "b, no severity"}]});
    let run = |rules: &[(&str, Severity)]| {
        let mut set = PluginSet::new();
        set.load(&path("echo.wat"), &limits()).expect("loads");
        let mut config = Config::default();
        for (id, severity) in rules {
            config.rules.insert((*id).into(), RuleConfig { severity: Some(*severity), ..RuleConfig::default() });
        }
        set.configure(&mut config).expect("valid");
        config.plugins.insert("echo".into(), response.clone());
        let doc = doc();
        let tree = Tree::new("tree.json", doc.clone()).expect("valid");
        let results = set.run(&tree, &Rollup::new(&tree), &config);
        assert!(results.errors.is_empty(), "{:?}", results.errors);
        results.findings.iter().map(|f| f.severity).collect::<Vec<_>>()
    };
    use Severity::{Error, Info, Warning};
    // echo-a defaults to warning, echo-b to info.
    assert_eq!(run(&[]), [Info, Warning, Error, Info]);
    assert_eq!(run(&[("echo-a", Error)]), [Error, Error, Error, Info]);
    assert_eq!(run(&[("echo-a", Warning), ("echo-b", Warning)]), [Warning, Warning, Warning, Warning]);
}

#[test]
fn a_directory_loads_its_wasm_files_in_name_order() {
    let dir = std::env::temp_dir().join(format!("kpitree-plugin-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (file, source) in [("b.wasm", "node-count.wat"), ("a.wasm", "counter.wat"), ("c.wasm", "hostile/trap.wat")] {
        let wasm = wat::parse_file(path(source)).expect("valid WAT");
        std::fs::write(dir.join(file), wasm).expect("writes");
    }
    std::fs::write(dir.join("notes.txt"), "not a plugin").expect("writes");
    std::fs::write(dir.join("d.wasm"), "not wasm either").expect("writes");
    let mut set = PluginSet::new();
    let errors = set.load_dir(&dir, &limits());
    let names: Vec<&str> = set.plugins().iter().map(Plugin::name).collect();
    assert_eq!(names, ["counter", "node-count", "trap"]);
    let errors: Vec<(&str, &str)> = errors.iter().map(|e| (e.plugin.as_str(), e.kind.code())).collect();
    assert_eq!(errors, [("d", "invalid-module")]);
    let missing = set.load_dir(&dir.join("nope"), &limits());
    assert!(matches!(missing[0].kind, ErrorKind::Io { .. }));
    std::fs::remove_dir_all(&dir).expect("cleans up");
}
