//! `cargo xtask bench-abi`: the measurement behind `plugins/ABI.md`, "Why a binary tree". On
//! generated trees (100k nodes by default), the same trivial rule (active KPIs per owner) inside wasm,
//! fed
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
//! It builds the guest (`xtask/abi-guest`) and the SDK plugins for wasm32 itself (cargo, release, into
//! `target/abi-bench`). `KPITREE_BENCH_SIZES=1000,100000` picks sizes. Prints Markdown tables; copy
//! them into `plugins/ABI.md` when the encoding changes.

use crate::generator;
use abi_guest::{rule_json, rule_ktr1};
use kpitree_core::config::Config;
use kpitree_core::finding::Finding;
use kpitree_core::rollup::Rollup;
use kpitree_core::rules::{self, Analysis, Context, Sink};
use kpitree_core::tree::Tree;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wasmtime::{Config as WasmConfig, Engine, Instance, Module, Store};

/// Median of `runs` timings of `f` (after one warm-up call).
pub(crate) fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    black_box(f());
    let mut t: Vec<Duration> = (0..runs.max(1))
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .collect();
    t.sort();
    t[t.len() / 2]
}

pub(crate) fn runs_for(n: usize) -> usize {
    (2_000_000 / n.max(1)).clamp(5, 200)
}

pub(crate) fn ms(d: Duration) -> String {
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

/// Builds the guest and the SDK plugins for wasm32 (release) and returns the output directory. A
/// target directory of its own: the cargo that runs this task holds the lock on the usual one.
fn build_wasm() -> Result<PathBuf, String> {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| crate::workspace().join("target"), PathBuf::from);
    let target = target.join("abi-bench");
    let status = std::process::Command::new(crate::cargo())
        .current_dir(crate::workspace())
        .args(["build", "--release", "--target", "wasm32-unknown-unknown"])
        .args(["-p", "abi-guest", "-p", "owner-teams", "-p", "local-optimisation"])
        .arg("--target-dir")
        .arg(&target)
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    if !status.success() {
        return Err(format!("building the wasm guest failed ({status})"));
    }
    Ok(target.join("wasm32-unknown-unknown/release"))
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
    fn new(wasm: &Path) -> Result<Guest, String> {
        let mut config = WasmConfig::new();
        config.consume_fuel(true).cranelift_nan_canonicalization(true);
        let engine = Engine::new(&config).map_err(|e| format!("engine: {e}"))?;
        let module = Module::from_file(&engine, wasm).map_err(|e| format!("{}: {e}", wasm.display()))?;
        Ok(Guest { engine, module })
    }

    /// A fresh instance, the request written into its memory, one call of `export`.
    fn run(&self, export: &str, request: &[u8]) -> Result<Run, String> {
        let guest = |e: wasmtime::Error| format!("the guest's {export}: {e}");
        let mut store = Store::new(&self.engine, ());
        store.set_fuel(u64::MAX / 2).map_err(guest)?;
        let start = Instant::now();
        let instance = Instance::new(&mut store, &self.module, &[]).map_err(guest)?;
        let instantiate = start.elapsed();
        let alloc = instance.get_typed_func::<i32, i32>(&mut store, "bench_alloc").map_err(guest)?;
        let ptr = alloc.call(&mut store, request.len() as i32).map_err(guest)?;
        let memory = instance.get_memory(&mut store, "memory").ok_or("the guest exports no memory")?;
        let at = ptr as u32 as usize;
        memory
            .data_mut(&mut store)
            .get_mut(at..at + request.len())
            .ok_or("the guest's buffer is outside its memory")?
            .copy_from_slice(request);
        let f = instance.get_typed_func::<(i32, i32), i64>(&mut store, export).map_err(guest)?;
        let before = store.get_fuel().map_err(guest)?;
        let start = Instant::now();
        let result = f.call(&mut store, (ptr, request.len() as i32)).map_err(guest)?;
        let call = start.elapsed();
        let fuel = before - store.get_fuel().map_err(guest)?;
        Ok(Run { instantiate, call, fuel, result })
    }

    /// Median call time (and the fuel and result of the last run).
    fn measure(&self, export: &str, request: &[u8], runs: usize) -> Result<Run, String> {
        let mut all = (0..runs.max(1)).map(|_| self.run(export, request)).collect::<Result<Vec<Run>, String>>()?;
        all.sort_by_key(|r| r.call);
        let mid = all.swap_remove(all.len() / 2);
        let mut inst: Vec<Duration> = all.iter().map(|r| r.instantiate).collect();
        inst.push(mid.instantiate);
        inst.sort();
        Ok(Run { instantiate: inst[inst.len() / 2], ..mid })
    }
}

#[derive(serde::Serialize)]
struct JsonRequestOut<'a> {
    tree: &'a kpitree_core::model::TreeDoc,
    rollups: Vec<&'a kpitree_core::rollup::Rolled>,
    config: serde_json::Value,
}

fn json_request(tree: &Tree, rollup: &Rollup) -> Result<Vec<u8>, String> {
    let rollups = (0..tree.len() as u32).map(|i| rollup.get(i)).collect();
    serde_json::to_vec(&JsonRequestOut { tree: tree.doc(), rollups, config: serde_json::json!({}) })
        .map_err(|e| format!("the JSON request: {e}"))
}

/// One built-in rule alone, natively, on a built tree (what a plugin of the same shape competes with):
/// its median time, and its findings.
pub(crate) fn builtin_rule(id: &str, tree: &Tree, rollup: &Rollup) -> Result<(Duration, Vec<Finding>), String> {
    let settings = kpitree_core::settings(&Config::default()).map_err(|e| format!("default settings: {e:?}"))?;
    let k = rules::builtin().iter().position(|r| r.meta().id == id).ok_or_else(|| format!("no rule {id}"))?;
    let rule = rules::builtin()[k];
    let analysis = Analysis::new(tree);
    let run = || {
        let mut findings = Vec::new();
        let cx = Context::new(tree, rollup, &analysis, &settings, k);
        let mut sink = Sink::new(rule.meta(), settings.rules[k].severity, tree, &mut findings);
        rule.check(&cx, &mut sink);
        findings
    };
    Ok((median(runs_for(tree.len()), || run().len()), run()))
}

/// A generated tree of `n` nodes.
pub(crate) fn generated(n: usize) -> Result<Tree, String> {
    Tree::new("bench", generator::generate(n, generator::SEED)).map_err(|e| format!("generated tree of {n} nodes: {e}"))
}

/// Builds the wasm, measures, prints the two tables.
pub fn run() -> Result<(), String> {
    let out = build_wasm()?;
    let guest = Guest::new(&out.join("abi_guest.wasm"))?;
    println!("\n### JSON versus KTR1, inside wasm (wasmtime 48, cranelift, fuel on)\n");
    println!(
        "| nodes | request | bytes | host encode | wasm decode + rule | fuel | native decode + rule | instantiate |"
    );
    println!("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut trees = Vec::new();
    for n in generator::sizes(&[100_000]) {
        let tree = generated(n)?;
        let rollup = Rollup::new(&tree);
        let runs = runs_for(n);
        let json = json_request(&tree, &rollup)?;
        let ktr1 = kpitree_plugin_abi::encode_request(&tree, &rollup, b"{}");
        let enc_json = median(runs, || json_request(&tree, &rollup).map(|j| j.len()));
        let enc_ktr1 = median(runs, || kpitree_plugin_abi::encode_request(&tree, &rollup, b"{}").len());
        let wasm_runs = runs.min(if n >= 50_000 { 7 } else { 30 });
        let a = guest.measure("bench_json", &json, wasm_runs)?;
        let b = guest.measure("bench_ktr1", &ktr1, wasm_runs)?;
        if a.result != b.result {
            return Err(format!("the two requests gave different counts: {} and {}", a.result, b.result));
        }
        if a.result <= 0 {
            return Err(format!("the guest failed: {}", a.result));
        }
        let native = rule_json(&json);
        if native != a.result {
            return Err(format!("native and wasm disagree: {native} and {}", a.result));
        }
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
        trees.push((n, tree));
    }
    real_plugins(&out, &trees)
}

/// The example plugins through the real host, against built-in rules of a similar shape.
fn real_plugins(out: &Path, trees: &[(usize, Tree)]) -> Result<(), String> {
    use kpitree_plugin_host::{Limits, Plugin};
    let limits = Limits::default().fuel(u64::MAX / 4).time(Duration::from_secs(120));
    let plugins = [
        ("owner-quota (WAT)", Plugin::from_bytes("owner-quota", "plugin.wat", owner_quota_wat::WASM, &limits)),
        ("owner-teams (SDK)", Plugin::load(&out.join("owner_teams.wasm"), &limits)),
        ("local-optimisation (SDK)", Plugin::load(&out.join("local_optimisation.wasm"), &limits)),
    ];
    let small = generated(100)?;
    let mut all: Vec<(usize, &Tree)> = vec![(100, &small)];
    all.extend(trees.iter().map(|(n, t)| (*n, t)));
    println!("\n### Example plugins through the real host (fresh instance per call, encode included)\n");
    println!("| nodes | plugin | .wasm | encode | evaluate incl. instantiation | findings |");
    println!("| ---: | --- | ---: | ---: | ---: | ---: |");
    for (n, tree) in all {
        let rollup = Rollup::new(tree);
        let mut owners: Vec<&str> = tree.nodes().iter().filter_map(|x| x.owner()).collect();
        owners.sort_unstable();
        owners.dedup();
        // A realistic directory: one owner in twenty is not a team (a person, a typo, a retired team).
        let teams: Vec<&str> = owners.iter().enumerate().filter(|(i, _)| i % 20 != 7).map(|(_, o)| *o).collect();
        let runs = runs_for(n).min(if n >= 50_000 { 7 } else { 50 });
        for (name, plugin) in &plugins {
            let plugin = plugin.as_ref().map_err(|e| format!("{name}: {e}"))?;
            let config = match plugin.manifest().name.as_str() {
                "owner-teams" => serde_json::to_vec(&serde_json::json!({ "teams": teams }))
                    .map_err(|e| format!("{name}'s configuration: {e}"))?,
                _ => b"{}".to_vec(),
            };
            let request = kpitree_plugin_abi::encode_request(tree, &rollup, &config);
            let encode = median(runs, || kpitree_plugin_abi::encode_request(tree, &rollup, &config).len());
            let found = plugin.evaluate(&request, tree).map_err(|e| format!("{name}: {e}"))?.len();
            let eval = median(runs, || plugin.evaluate(&request, tree).map(|f| f.len()));
            println!(
                "| {n} | {name} | {} KiB | {} | {} | {found} |",
                plugin.module_size() / 1024,
                ms(encode),
                ms(eval)
            );
        }
        for id in ["missing-owner", "too-many-objectives", "unvalidated-driver"] {
            println!(
                "| {n} | built-in `{id}` (native, rule only) | | | {} | |",
                ms(builtin_rule(id, tree, &rollup)?.0)
            );
        }
    }
    Ok(())
}
