//! Plugin host benchmarks: what a call costs, and a rule as a plugin against the same rule built in.
//!
//! - `plugin/overhead`: an empty plugin (answers `{"findings":[]}` at once) on a 100-node tree:
//!   fresh store + instantiation + `kpitree_alloc` + copying the request + the call + reading and
//!   checking the answer; and `owner-quota` (`plugins/owner-quota-wat`) on the same tree, request
//!   encoding included, for the goal "under 1 ms for a 100-node tree including instantiation"; and
//!   loading `owner-quota` (parse WAT, compile, validate, read the manifest), paid once per run.
//! - `plugin/{1k,10k,100k}`: the rule `owner-kpi-quota` (active KPIs per owner over a quota) on
//!   generated trees: `a_native_rule`, the same algorithm in Rust producing the same findings
//!   (checked before timing); `b_encode`, encoding the request (`KTR1` + config) with the parts the
//!   plugin's manifest `reads` (ABI 1.1); `c_plugin_call`, evaluating that pre-encoded request in the
//!   plugin; `d_plugin_total`, encoding plus evaluation, what `kpitree check --plugin` pays. Then the
//!   same for a plugin without `reads` (ABI 1.0), which gets the whole tree: `f_encode_all_sections`,
//!   `g_plugin_total_all_sections`. For scale, `e_builtin_too_many_objectives` runs the built-in rule
//!   closest in shape (objectives per owner and period). Where the call's time goes:
//!   `h_empty_plugin_call`, the empty plugin on the same request (fresh instance, request copied in,
//!   an empty answer checked), and `i_check_response`, the host checking an answer of the plugin's
//!   size and shape (its findings as JSON). Rollups are computed beforehand for all.
//!
//! Run with `cargo bench -p kpitree-plugin-host`; `KPITREE_BENCH_SIZES=1000,10000` picks sizes.

#[path = "../../kpitree-core/benches/generator/mod.rs"]
mod generator;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use kpitree_core::config::Config;
use kpitree_core::finding::{Finding, Severity};
use kpitree_core::model::{NodeKind, Status};
use kpitree_core::rollup::Rollup;
use kpitree_core::tree::Tree;
use kpitree_plugin_abi::host::findings_from_response;
use kpitree_plugin_abi::{PluginFinding, Response, encode_request, encode_request_for};
use kpitree_plugin_host::{Limits, Plugin};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

const FILE: &str = "bench.json";
/// `owner-quota`'s default quota.
const MAX: usize = 8;

const EMPTY: &str = r#"(module
  (memory (export "memory") 1)
  (data (i32.const 16) "{\"name\":\"empty\",\"version\":\"1\",\"rules\":[{\"id\":\"empty\",\"severity\":\"info\",\"summary\":\"s\",\"why\":\"w\",\"fix\":\"f\"}]}")
  (data (i32.const 512) "{\"findings\":[]}")
  (global $top (mut i32) (i32.const 1024))
  (func (export "kpitree_abi_version") (result i32) (i32.const 0x10000))
  (func (export "kpitree_manifest") (result i64) (i64.const 0x000000100000006b))
  (func (export "kpitree_alloc") (param $len i32) (result i32)
    (local $p i32) (local $pages i32)
    (local.set $p (global.get $top))
    (global.set $top (i32.add (local.get $p) (local.get $len)))
    (local.set $pages (i32.shr_u (i32.add (global.get $top) (i32.const 65535)) (i32.const 16)))
    (if (i32.gt_u (local.get $pages) (memory.size))
      (then (if (i32.eq (memory.grow (i32.sub (local.get $pages) (memory.size))) (i32.const -1))
        (then (return (i32.const 0))))))
    (local.get $p))
  (func (export "kpitree_evaluate") (param i32 i32) (result i64) (i64.const 0x000002000000000f)))"#;

fn owner_quota() -> Plugin {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../plugins/owner-quota-wat/plugin.wat");
    Plugin::load(&path, &Limits::default()).unwrap_or_else(|e| panic!("owner-quota loads: {e}"))
}

/// `owner-kpi-quota` as a built-in rule would write it: active KPIs grouped by owner in document
/// order; one finding per owner over the quota, at the owner's first KPI, naming all of them.
fn native_owner_quota(tree: &Tree, max: usize) -> Vec<Finding> {
    let mut groups: rustc_hash::FxHashMap<&str, usize> = Default::default();
    let mut owners: Vec<(&str, Vec<u32>)> = Vec::new();
    for i in tree.of_kind(NodeKind::Kpi) {
        let n = tree.node(i);
        let Some(owner) = n.owner() else { continue };
        if n.status != Status::Active {
            continue;
        }
        let k = *groups.entry(owner).or_insert_with(|| {
            owners.push((owner, Vec::new()));
            owners.len() - 1
        });
        owners[k].1.push(i);
    }
    let mut out: Vec<(u32, Finding)> = owners
        .into_iter()
        .filter(|(_, kpis)| kpis.len() > max)
        .map(|(owner, kpis)| {
            let mut evidence = serde_json::Map::new();
            evidence.insert("owner".into(), owner.into());
            evidence.insert("kpis".into(), kpis.len().into());
            evidence.insert("limit".into(), max.into());
            let mut finding = Finding::new(
                "owner-kpi-quota".into(),
                Severity::Warning,
                kpis.iter().map(|&i| tree.node(i).id.clone()).collect(),
                format!("\"{owner}\" owns {} active KPIs, more than the quota of {max}", kpis.len()),
                String::new().into(),
                String::new().into(),
            );
            finding.evidence = Some(evidence);
            (kpis[0], finding)
        })
        .collect();
    out.sort_by_key(|(first, _)| *first);
    out.into_iter().map(|(_, f)| f).collect()
}

/// The plugin and the native rule find the same things.
fn same_findings(native: &[Finding], plugin: &[Finding]) {
    assert_eq!(native.len(), plugin.len(), "finding counts differ");
    for (a, b) in native.iter().zip(plugin) {
        assert_eq!((&a.rule, &a.nodes, &a.message, &a.evidence), (&b.rule, &b.nodes, &b.message, &b.evidence));
    }
}

fn only(rule: &str) -> kpitree_core::config::Settings {
    let mut config = Config::default();
    for r in kpitree_core::rules::builtin() {
        config.enable(r.meta().id, r.meta().id == rule);
    }
    kpitree_core::settings(&config).expect("valid")
}

fn configure(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>, n: usize) {
    group.sample_size(10);
    if n >= 50_000 {
        group.sampling_mode(SamplingMode::Flat);
        group.warm_up_time(Duration::from_secs(2));
        group.measurement_time(Duration::from_secs(6));
    } else {
        group.warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(3));
    }
}

fn bench_overhead(c: &mut Criterion) {
    let doc = generator::generate(100, generator::SEED);
    let tree = Tree::new(FILE, doc.clone()).expect("valid");
    let rollup = Rollup::new(&tree);
    let empty = Plugin::from_bytes("empty", "bench", EMPTY.as_bytes(), &Limits::default()).expect("loads");
    let quota = owner_quota();
    let request = encode_request_for(quota.reads(), &tree, &rollup, b"{}");
    assert!(empty.evaluate(&request, &tree).expect("runs").is_empty());
    eprintln!(
        "kpitree bench: 100 nodes, request {} bytes, owner-quota findings {}",
        request.len(),
        quota.evaluate(&request, &tree).expect("runs").len()
    );
    let mut group = c.benchmark_group("plugin/overhead");
    group.sample_size(50);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("empty_plugin_100_nodes", |b| b.iter(|| empty.evaluate(black_box(&request), &tree)));
    group.bench_function("owner_quota_100_nodes_total", |b| {
        b.iter(|| {
            let request = encode_request_for(quota.reads(), black_box(&tree), &rollup, b"{}");
            quota.evaluate(&request, &tree)
        })
    });
    group.bench_function("native_owner_quota_100_nodes", |b| b.iter(|| native_owner_quota(black_box(&tree), MAX)));
    // Once per plugin and run: read, parse WAT, compile with Cranelift, check, read the manifest.
    group.bench_function("load_owner_quota", |b| b.iter(owner_quota));
    group.finish();
}

/// The response JSON a plugin writes for `findings` (what `owner-quota` answers).
fn response_of(findings: &[Finding]) -> Vec<u8> {
    let found = findings
        .iter()
        .map(|f| PluginFinding {
            rule: f.rule.clone(),
            severity: None,
            nodes: f.nodes.clone(),
            message: f.message.clone(),
            fix: None,
            evidence: f.evidence.clone(),
        })
        .collect();
    serde_json::to_vec(&Response::Findings(found)).expect("serialises")
}

fn bench_sizes(c: &mut Criterion) {
    let quota = owner_quota();
    let empty = Plugin::from_bytes("empty", "bench", EMPTY.as_bytes(), &Limits::default()).expect("loads");
    let builtin = only("too-many-objectives");
    for n in generator::sizes(&[1_000, 10_000, 100_000]) {
        let doc = generator::generate(n, generator::SEED);
        let tree = Tree::new(FILE, doc.clone()).expect("valid");
        let rollup = Rollup::new(&tree);
        let reads = quota.reads();
        let request = encode_request_for(reads, &tree, &rollup, b"{}");
        let whole = encode_request(&tree, &rollup, b"{}");
        let native = native_owner_quota(&tree, MAX);
        let response = response_of(&native);
        for r in [&request, &whole] {
            let plugin = quota.evaluate(r, &tree).unwrap_or_else(|e| panic!("{n} nodes: {e}"));
            same_findings(&native, &plugin);
        }
        eprintln!(
            "kpitree bench: {n} nodes, request {:.2} MiB ({:.2} MiB whole), {} owner-kpi-quota findings naming {} KPIs",
            request.len() as f64 / (1024.0 * 1024.0),
            whole.len() as f64 / (1024.0 * 1024.0),
            native.len(),
            native.iter().map(|f| f.nodes.len()).sum::<usize>()
        );

        let mut group = c.benchmark_group(format!("plugin/{}", generator::label(n)));
        configure(&mut group, n);
        group.bench_function("a_native_rule", |b| b.iter(|| native_owner_quota(black_box(&tree), MAX)));
        group.bench_function("b_encode", |b| b.iter(|| encode_request_for(reads, black_box(&tree), &rollup, b"{}")));
        group.bench_function("c_plugin_call", |b| b.iter(|| quota.evaluate(black_box(&request), &tree)));
        group.bench_function("d_plugin_total", |b| {
            b.iter(|| {
                let request = encode_request_for(reads, black_box(&tree), &rollup, b"{}");
                quota.evaluate(&request, &tree)
            })
        });
        group.bench_function("f_encode_all_sections", |b| b.iter(|| encode_request(black_box(&tree), &rollup, b"{}")));
        group.bench_function("g_plugin_total_all_sections", |b| {
            b.iter(|| {
                let request = encode_request(black_box(&tree), &rollup, b"{}");
                quota.evaluate(&request, &tree)
            })
        });
        // Where the call's time goes: the call without a rule (fresh instance, the request copied
        // in, an empty answer), and checking an answer of the plugin's size on the host.
        group.bench_function("h_empty_plugin_call", |b| b.iter(|| empty.evaluate(black_box(&request), &tree)));
        group.bench_function("i_check_response", |b| {
            b.iter(|| findings_from_response(quota.manifest(), black_box(&tree), &response, quota.limits().output_size))
        });
        group.bench_function("e_builtin_too_many_objectives", |b| {
            b.iter(|| kpitree_core::rules::run(black_box(&tree), &rollup, &builtin))
        });
        group.finish();
    }
}

criterion_group!(benches, bench_overhead, bench_sizes);
criterion_main!(benches);
