//! The measurement behind `plugins/ABI.md`, "Why a binary tree": on generated trees (100k nodes
//! by default), the same trivial rule (active KPIs per owner) inside wasm, fed
//!
//! - (a) a JSON request: the canonical document plus the rollups, parsed with serde_json into owned
//!   structs (what a plugin would do with a JSON ABI), counted with a hash map;
//! - (b) a `KTR1` request: checked and read in place through `TreeView`, counted by string reference.
//!
//! For each: request bytes, host-side encode time, in-wasm decode+rule time and fuel (wasmtime,
//! configured like the host: fuel on, NaN canonicalisation), and the same two functions natively for
//! reference. Then, through the real host (`kpitree-plugin-host`, fresh instance per call), the three
//! example plugins built from source, against built-in rules of similar shape run natively.
//!
//! Run: `cargo bench -p kpitree-plugin-bench` (`KPITREE_BENCH_SIZES=1000,100000` picks sizes). It
//! builds the guest and the SDK plugins for wasm32 itself (cargo, release, into `target/abi-bench`).
//! Prints Markdown tables; copy them into `plugins/ABI.md` when the encoding changes.

// The generator's helpers the engine benchmark uses and this one does not.
#[allow(dead_code)]
#[path = "../../kpitree-core/benches/generator/mod.rs"]
mod generator;

use kpitree_core::config::Config;
use kpitree_core::model::TreeDoc;
use kpitree_core::rollup::Rollup;
use kpitree_core::rules::{self, Analysis, Context, Sink};
use kpitree_core::tree::Tree;
use kpitree_plugin_bench::{rule_json, rule_ktr1};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wasmtime::{Config as WasmConfig, Engine, Instance, Module, Store};

/// Median of `runs` timings of `f` (after one warm-up call).
fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    black_box(f());
    let mut t: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .collect();
    t.sort();
    t[t.len() / 2]
}

fn runs_for(n: usize) -> usize {
    (2_000_000 / n.max(1)).clamp(5, 200)
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 1.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.3} ms")
    }
}

fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Builds the guest and the SDK plugins for wasm32 (release) and returns the output directory.
fn build_wasm() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace().join("target"), PathBuf::from);
    let target = target.join("abi-bench");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .current_dir(workspace())
        .args(["build", "--release", "--target", "wasm32-unknown-unknown"])
        .args(["-p", "kpitree-plugin-bench", "-p", "owner-teams", "-p", "local-optimisation"])
        .arg("--target-dir")
        .arg(&target)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the wasm guest failed");
    target.join("wasm32-unknown-unknown/release")
}

struct Guest {
    engine: Engine,
    module: Module,
}

struct Run {
    instantiate: Duration,
    call: Duration,
    fuel: u64,
    result: i64,
}

impl Guest {
    fn new(wasm: &Path) -> Guest {
        let mut config = WasmConfig::new();
        config.consume_fuel(true).cranelift_nan_canonicalization(true);
        let engine = Engine::new(&config).expect("engine");
        let module = Module::from_file(&engine, wasm).expect("guest compiles");
        Guest { engine, module }
    }

    /// A fresh instance, the request written into its memory, one call of `export`.
    fn run(&self, export: &str, request: &[u8]) -> Run {
        let mut store = Store::new(&self.engine, ());
        store.set_fuel(u64::MAX / 2).expect("fuel is on");
        let start = Instant::now();
        let instance = Instance::new(&mut store, &self.module, &[]).expect("instantiates");
        let instantiate = start.elapsed();
        let alloc = instance.get_typed_func::<i32, i32>(&mut store, "bench_alloc").expect("bench_alloc");
        let ptr = alloc.call(&mut store, request.len() as i32).expect("alloc");
        let memory = instance.get_memory(&mut store, "memory").expect("memory");
        memory.data_mut(&mut store)[ptr as u32 as usize..][..request.len()].copy_from_slice(request);
        let f = instance.get_typed_func::<(i32, i32), i64>(&mut store, export).expect("export");
        let before = store.get_fuel().expect("fuel");
        let start = Instant::now();
        let result = f.call(&mut store, (ptr, request.len() as i32)).expect("runs");
        let call = start.elapsed();
        let fuel = before - store.get_fuel().expect("fuel");
        Run { instantiate, call, fuel, result }
    }

    /// Median call time (and the fuel and result of the last run).
    fn measure(&self, export: &str, request: &[u8], runs: usize) -> Run {
        let mut all: Vec<Run> = (0..runs.max(1)).map(|_| self.run(export, request)).collect();
        all.sort_by_key(|r| r.call);
        let mid = all.swap_remove(all.len() / 2);
        let mut inst: Vec<Duration> = all.iter().map(|r| r.instantiate).collect();
        inst.push(mid.instantiate);
        inst.sort();
        Run { instantiate: inst[inst.len() / 2], ..mid }
    }
}

#[derive(serde::Serialize)]
struct JsonRequestOut<'a> {
    tree: &'a TreeDoc,
    rollups: Vec<&'a kpitree_core::rollup::Rolled>,
    config: serde_json::Value,
}

fn json_request(doc: &TreeDoc, tree: &Tree<'_>, rollup: &Rollup) -> Vec<u8> {
    let rollups = (0..tree.len() as u32).map(|i| rollup.get(i)).collect();
    serde_json::to_vec(&JsonRequestOut { tree: doc, rollups, config: serde_json::json!({}) }).expect("serializes")
}

/// One built-in rule alone, natively, on a built tree (what a plugin of the same shape competes with).
fn builtin_rule(id: &str, tree: &Tree<'_>, rollup: &Rollup) -> Duration {
    let settings = kpitree_core::settings(&Config::default()).expect("defaults resolve");
    let k = rules::builtin().iter().position(|r| r.meta().id == id).expect("rule exists");
    let rule = rules::builtin()[k];
    let analysis = Analysis::new(tree);
    median(runs_for(tree.len()), || {
        let mut findings = Vec::new();
        let cx = Context::new(tree, rollup, &analysis, &settings.rules[k]);
        let mut sink = Sink::new(rule.meta(), settings.rules[k].severity, tree, &mut findings);
        rule.check(&cx, &mut sink);
        findings.len()
    })
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing we need: run only for bench.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let out = build_wasm();
    let guest = Guest::new(&out.join("kpitree_plugin_bench.wasm"));
    println!("\n### JSON versus KTR1, inside wasm (wasmtime 48, cranelift, fuel on)\n");
    println!(
        "| nodes | request | bytes | host encode | wasm decode + rule | fuel | native decode + rule | instantiate |"
    );
    println!("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut trees = Vec::new();
    for n in generator::sizes(&[100_000]) {
        let doc = generator::generate(n, generator::SEED);
        let tree = Tree::new("bench", &doc).expect("generated trees are valid");
        let rollup = Rollup::new(&tree);
        let runs = runs_for(n);
        let json = json_request(&doc, &tree, &rollup);
        let ktr1 = kpitree_plugin_abi::encode_request(&tree, &rollup, b"{}");
        let enc_json = median(runs, || json_request(&doc, &tree, &rollup).len());
        let enc_ktr1 = median(runs, || kpitree_plugin_abi::encode_request(&tree, &rollup, b"{}").len());
        let wasm_runs = runs.min(if n >= 50_000 { 7 } else { 30 });
        let a = guest.measure("bench_json", &json, wasm_runs);
        let b = guest.measure("bench_ktr1", &ktr1, wasm_runs);
        assert_eq!(a.result, b.result, "both requests give the same counts");
        assert!(a.result > 0, "the guest failed: {}", a.result);
        assert_eq!(rule_json(&json), a.result, "native and wasm agree");
        let nat_json = median(runs, || rule_json(&json));
        let nat_ktr1 = median(runs, || rule_ktr1(&ktr1));
        for (name, bytes, enc, run, nat) in
            [("(a) JSON", json.len(), enc_json, &a, nat_json), ("(b) KTR1", ktr1.len(), enc_ktr1, &b, nat_ktr1)]
        {
            println!(
                "| {n} | {name} | {} | {} | {} | {:.0} M | {} | {} |",
                mib(bytes),
                ms(enc),
                ms(run.call),
                run.fuel as f64 / 1e6,
                ms(nat),
                ms(run.instantiate)
            );
        }
        trees.push((n, doc));
    }
    real_plugins(&out, &trees);
}

/// The example plugins through the real host, against built-in rules of a similar shape.
fn real_plugins(out: &Path, trees: &[(usize, TreeDoc)]) {
    use kpitree_plugin_host::{Limits, Plugin};
    let limits = Limits::default().fuel(u64::MAX / 4).time(Duration::from_secs(120));
    let plugins = [
        ("owner-quota (WAT)", Plugin::from_bytes("owner-quota", "plugin.wat", owner_quota_wat::WASM, &limits)),
        ("owner-teams (SDK)", Plugin::load(&out.join("owner_teams.wasm"), &limits)),
        ("local-optimisation (SDK)", Plugin::load(&out.join("local_optimisation.wasm"), &limits)),
    ];
    let small = generator::generate(100, generator::SEED);
    let mut docs: Vec<(usize, &TreeDoc)> = vec![(100, &small)];
    docs.extend(trees.iter().map(|(n, d)| (*n, d)));
    println!("\n### Example plugins through the real host (fresh instance per call, encode included)\n");
    println!("| nodes | plugin | .wasm | encode | evaluate incl. instantiation | findings |");
    println!("| ---: | --- | ---: | ---: | ---: | ---: |");
    for (n, doc) in docs {
        let tree = Tree::new("bench", doc).expect("valid");
        let rollup = Rollup::new(&tree);
        let mut owners: Vec<&str> = doc.nodes.iter().filter_map(|x| x.owner()).collect();
        owners.sort_unstable();
        owners.dedup();
        // A realistic directory: one owner in twenty is not a team (a person, a typo, a retired team).
        let teams: Vec<&str> = owners.iter().enumerate().filter(|(i, _)| i % 20 != 7).map(|(_, o)| *o).collect();
        let runs = runs_for(n).min(if n >= 50_000 { 7 } else { 50 });
        for (name, plugin) in &plugins {
            let plugin = match plugin {
                Ok(p) => p,
                Err(e) => panic!("{name}: {e}"),
            };
            let config = match plugin.manifest().name.as_str() {
                "owner-teams" => serde_json::to_vec(&serde_json::json!({ "teams": teams })).expect("json"),
                _ => b"{}".to_vec(),
            };
            let request = kpitree_plugin_abi::encode_request(&tree, &rollup, &config);
            let encode = median(runs, || kpitree_plugin_abi::encode_request(&tree, &rollup, &config).len());
            let found = plugin.evaluate(&request, &tree).unwrap_or_else(|e| panic!("{name}: {e}")).len();
            let eval = median(runs, || plugin.evaluate(&request, &tree).map(|f| f.len()));
            println!(
                "| {n} | {name} | {} KiB | {} | {} | {found} |",
                plugin.module_size() / 1024,
                ms(encode),
                ms(eval)
            );
        }
        for id in ["missing-owner", "too-many-objectives", "unvalidated-driver"] {
            println!("| {n} | built-in `{id}` (native, rule only) | | | {} | |", ms(builtin_rule(id, &tree, &rollup)));
        }
    }
}
