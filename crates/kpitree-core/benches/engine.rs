//! Engine benchmarks on generated, realistic trees of 1k, 10k and 100k nodes.
//!
//! Per size, five measurements over the same document text (throughput in bytes of that text):
//! - `a_json_value`: `serde_json::from_str::<Value>`, the baseline any JSON tool pays;
//! - `b_parse_validate`: `parse_json` + `Tree::new`;
//! - `c_rules`: `check` (rollups, every built-in rule, report) on a tree built beforehand;
//! - `d_end_to_end`: text to JSON report, what `kpitree check --format json` does minus file I/O;
//! - `e_end_to_end_baseline`: `d` with `--baseline` (an earlier report of the same tree read, every
//!   finding marked).
//!
//! Each routine's output is dropped outside the timed region (deallocation is not measured, for any
//! of them).
//!
//! Before timing, each size is checked once: the document validates, and the findings per rule are
//! printed to stderr so one can see the generated trees exercise the rules.
//!
//! The `shapes/<shape>/<size>` groups time the adversarial shapes of `generator::shapes` (deep chain,
//! long cycle, one-line documents, wide fan, a node with `n / 10` parents, the plain tree) at 10k, 100k
//! and 1M nodes (`KPITREE_BENCH_SHAPE_SIZES` picks others): `load` is text to validated tree or to
//! the located problems (what `kpitree validate` does), `check` adds the rules and the JSON report.
//! Growth from one size to the next shows what is worse than n log n. `scripts/bench-shapes.sh`
//! runs the CLI on the same documents for time and peak memory.
//!
//! The `diff/<size>` group (100k by default, `KPITREE_BENCH_DIFF_SIZES` picks others) times `kpitree
//! diff` against `kpitree check` on the generated tree and a changed copy (1% of owners changed, a
//! measurement added to 1% of KPIs, 0.5% of KPIs removed, 1% added, every parent list reversed):
//! `a_check_one` is text to JSON report for one tree, `b_diff_step` the comparison of two checked trees
//! and its JSON, `c_diff_end_to_end` both texts to the diff's JSON (two loads, two checks, the step).
//!
//! Run with `cargo bench -p kpitree-core`; `KPITREE_BENCH_SIZES=1000,10000` picks sizes, and
//! `KPITREE_BENCH_CLOCK=cpu` measures the thread's CPU time instead of wall time (Linux; for busy
//! machines, where wall time mostly measures the other processes).

mod generator;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{BatchSize, Bencher, Criterion, SamplingMode, Throughput};
use kpitree_core::baseline::Baselines;
use kpitree_core::config::{Config, Settings};
use kpitree_core::model::NodeKind;
use kpitree_core::tree::Tree;
use kpitree_core::{check, parse_json, settings};
use std::hint::black_box;
use std::time::Duration;

const FILE: &str = "bench.json";

/// Validates the generated document and prints what the rules find in it.
fn sanity_check(n: usize, text: &str, settings: &Settings) {
    let doc = parse_json(FILE, text).unwrap_or_else(|e| panic!("generated tree of {n} nodes does not parse: {e}"));
    let tree = Tree::new(FILE, doc).unwrap_or_else(|e| panic!("generated tree of {n} nodes is invalid: {e}"));
    assert_eq!(tree.len(), n);
    let report = check(&tree, settings);
    let doc = tree.doc();
    let kinds = [NodeKind::Strategy, NodeKind::Objective, NodeKind::KeyResult, NodeKind::Kpi]
        .map(|k| (k.as_str(), doc.nodes.iter().filter(|x| x.kind == k).count()));
    let mut lines = format!(
        "kpitree bench: {} nodes ({}), {} links, {:.1} MiB of JSON; {} findings\n",
        n,
        kinds.iter().map(|(k, c)| format!("{c} {k}")).collect::<Vec<_>>().join(", "),
        doc.links.len(),
        text.len() as f64 / (1024.0 * 1024.0),
        report.findings.len()
    );
    let mut silent = Vec::new();
    for rule in kpitree_core::rules::builtin() {
        let id = rule.meta().id;
        let count = report.findings.iter().filter(|f| f.rule == id).count();
        lines.push_str(&format!("  {id:<28} {count:>7}\n"));
        if count == 0 {
            silent.push(id);
        }
    }
    if !silent.is_empty() {
        lines.push_str(&format!("  rules without findings: {}\n", silent.join(", ")));
    }
    eprint!("{lines}");
    // Every built-in rule fires on these trees; allow a little slack for rules whose defaults change.
    let total = kpitree_core::rules::builtin().len();
    let fired = total - silent.len();
    assert!(
        fired * 4 >= total * 3,
        "the generated tree of {n} nodes exercises only {fired} of {total} rules; silent: {}",
        silent.join(", ")
    );
}

/// Times `routine` alone: its output is dropped after the clock stops.
fn timed<M: Measurement, O>(b: &mut Bencher<'_, M>, mut routine: impl FnMut() -> O) {
    b.iter_batched(|| (), |()| routine(), BatchSize::PerIteration);
}

fn bench_engine<M: Measurement>(c: &mut Criterion<M>, prefix: &str) {
    let settings = settings(&Config::default()).expect("the default configuration resolves");
    for n in generator::sizes(&[1_000, 10_000, 100_000]) {
        let doc = generator::generate(n, generator::SEED);
        let text = kpitree_core::to_json(&doc);
        drop(doc);
        sanity_check(n, &text, &settings);

        let mut group = c.benchmark_group(format!("{prefix}/{}", generator::label(n)));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.sample_size(10);
        if n >= 10_000 {
            // Iterations take tens to hundreds of milliseconds: ten equal samples, not 1 + 2 + ... + 10.
            group.sampling_mode(SamplingMode::Flat);
        }
        let (warm_up, measure) = if n >= 50_000 { (2, 12) } else { (1, 3) };
        group.warm_up_time(Duration::from_secs(warm_up));
        group.measurement_time(Duration::from_secs(measure));

        // Every routine returns what it built and `timed` drops it outside the measurement: freeing
        // millions of small allocations costs as much as building them for `Value` (and a good deal
        // for `TreeDoc`), depends on the allocator's state, and a CLI could skip it at exit.
        group.bench_function("a_json_value", |b| {
            timed(b, || serde_json::from_str::<serde_json::Value>(black_box(&text)).expect("valid JSON"))
        });
        group.bench_function("b_parse_validate", |b| {
            timed(b, || {
                let doc = parse_json(FILE, black_box(&text)).expect("parses");
                let tree = Tree::new(FILE, doc).expect("valid");
                black_box(tree.len());
                tree
            })
        });
        let tree = Tree::new(FILE, parse_json(FILE, &text).expect("parses")).expect("valid");
        group.bench_function("c_rules", |b| timed(b, || check(black_box(&tree), &settings)));
        group.bench_function("d_end_to_end", |b| {
            timed(b, || {
                let doc = parse_json(FILE, black_box(&text)).expect("parses");
                let tree = Tree::new(FILE, doc).expect("valid");
                let report = check(&tree, &settings);
                let json = serde_json::to_string(&report).expect("serialises");
                (tree, report, json)
            })
        });
        // `kpitree check --baseline`: d_end_to_end plus reading an earlier report of the same tree
        // (every finding known) and marking each finding; the contract is within 2x of d.
        let baseline = serde_json::to_string_pretty(&check(&tree, &settings)).expect("serialises");
        group.bench_function("e_end_to_end_baseline", |b| {
            timed(b, || {
                let known = Baselines::from_json("baseline.json", black_box(&baseline)).expect("a report");
                let doc = parse_json(FILE, black_box(&text)).expect("parses");
                let tree = Tree::new(FILE, doc).expect("valid");
                let mut report = check(&tree, &settings);
                kpitree_core::baseline::mark(&mut report, &known.for_file(FILE));
                let json = serde_json::to_string(&report).expect("serialises");
                (tree, report, json)
            })
        });
        group.finish();
    }
}

/// The shapes at 10k, 100k and 1M nodes: few samples at the large sizes, so a run stays reasonable.
fn bench_shapes<M: Measurement>(c: &mut Criterion<M>, prefix: &str) {
    use generator::shapes::ALL;
    let settings = settings(&Config::default()).expect("the default configuration resolves");
    let sizes = match std::env::var("KPITREE_BENCH_SHAPE_SIZES") {
        Ok(s) => s.split(',').filter_map(|x| x.trim().parse().ok()).collect(),
        Err(_) => vec![10_000, 100_000, 1_000_000],
    };
    for n in sizes {
        for shape in ALL {
            let text = shape.text(n);
            let mut group = c.benchmark_group(format!("{prefix}/shapes/{}/{}", shape.name(), generator::label(n)));
            group.throughput(Throughput::Bytes(text.len() as u64));
            group.sampling_mode(SamplingMode::Flat);
            group.sample_size(10);
            let (warm_up, measure) = if n >= 1_000_000 { (1, 20) } else { (1, 5) };
            group.warm_up_time(Duration::from_secs(warm_up));
            group.measurement_time(Duration::from_secs(measure));
            group.bench_function("load", |b| {
                timed(b, || {
                    let loaded = kpitree_core::load_json(FILE, black_box(&text));
                    assert_eq!(loaded.is_ok(), shape.is_valid(), "{}", shape.name());
                    loaded
                })
            });
            if shape.is_valid() {
                group.bench_function("check", |b| {
                    timed(b, || {
                        let doc = parse_json(FILE, black_box(&text)).expect("parses");
                        let tree = Tree::new(FILE, doc).expect("valid");
                        let report = check(&tree, &settings);
                        let json = serde_json::to_string(&report).expect("serialises");
                        (tree, report, json)
                    })
                });
            }
            group.finish();
        }
    }
}

/// A changed copy of `doc`, as a later version of a tree is: owners changed, measurements added,
/// KPIs removed and added, parents reordered (which is no change), all valid.
fn later_version(doc: &kpitree_core::TreeDoc) -> kpitree_core::TreeDoc {
    use std::collections::HashSet;
    let mut doc = doc.clone();
    let referenced: HashSet<String> = doc
        .nodes
        .iter()
        .flat_map(|n| n.parents.iter().cloned())
        .chain(doc.links.iter().flat_map(|l| [l.from.clone(), l.to.clone()]))
        .collect();
    let mut kpis = 0;
    doc.nodes.retain(|n| {
        if n.kind != NodeKind::Kpi || referenced.contains(&n.id) {
            return true;
        }
        kpis += 1;
        kpis % 200 != 0
    });
    let parent = doc.nodes.iter().find(|n| n.kind == NodeKind::KeyResult).map(|n| n.id.clone());
    let as_of = doc.as_of;
    for (i, n) in doc.nodes.iter_mut().enumerate() {
        if i % 100 == 7 {
            n.owner = Some(format!("owner {i}"));
        }
        if n.kind == NodeKind::Kpi && i % 100 == 3 {
            n.measurements.push(kpitree_core::Measurement { date: as_of, value: i as f64 });
        }
        n.parents.reverse();
    }
    let added = doc.nodes.len() / 100;
    for i in 0..added {
        let mut k = kpitree_core::Node::new(format!("added-{i}"), NodeKind::Kpi, format!("Added KPI {i}"));
        k.parents = parent.iter().cloned().collect();
        k.direction = Some(kpitree_core::Direction::HigherIsBetter);
        doc.nodes.push(k);
    }
    doc
}

/// `kpitree diff` against `kpitree check` (the contract: a diff of two trees within twice one check).
fn bench_diff<M: Measurement>(c: &mut Criterion<M>, prefix: &str) {
    use kpitree_core::diff::diff;
    let settings = settings(&Config::default()).expect("the default configuration resolves");
    let sizes = match std::env::var("KPITREE_BENCH_DIFF_SIZES") {
        Ok(s) => s.split(',').filter_map(|x| x.trim().parse().ok()).collect(),
        Err(_) => vec![100_000],
    };
    for n in sizes {
        let old_doc = generator::generate(n, generator::SEED);
        let old = kpitree_core::to_json(&old_doc);
        let new = kpitree_core::to_json(&later_version(&old_doc));
        drop(old_doc);
        let load = |text: &str| Tree::new(FILE, parse_json(FILE, text).expect("parses")).expect("valid");
        let (a, b) = (load(&old), load(&new));
        let (ra, rb) = (check(&a, &settings), check(&b, &settings));
        let d = diff((&a, &ra), (&b, &rb));
        eprintln!(
            "kpitree bench: diff of {n} nodes: {} added, {} removed, {} changed; {} new findings, {} resolved",
            d.nodes.added.len(),
            d.nodes.removed.len(),
            d.nodes.changed.len(),
            d.findings.new.len(),
            d.findings.resolved.len()
        );
        drop(d);
        let mut group = c.benchmark_group(format!("{prefix}/diff/{}", generator::label(n)));
        group.sample_size(10);
        group.sampling_mode(SamplingMode::Flat);
        group.warm_up_time(Duration::from_secs(2));
        group.measurement_time(Duration::from_secs(12));
        group.bench_function("a_check_one", |bench| {
            timed(bench, || {
                let tree = load(black_box(&new));
                let report = check(&tree, &settings);
                let json = serde_json::to_string(&report).expect("serialises");
                (tree, report, json)
            })
        });
        group.bench_function("b_diff_step", |bench| {
            timed(bench, || serde_json::to_string(&diff((&a, &ra), (&b, &rb))).expect("serialises"))
        });
        group.bench_function("c_diff_end_to_end", |bench| {
            timed(bench, || {
                let (ta, tb) = (load(black_box(&old)), load(black_box(&new)));
                let (ra, rb) = (check(&ta, &settings), check(&tb, &settings));
                let json = serde_json::to_string(&diff((&ta, &ra), (&tb, &rb))).expect("serialises");
                (ta, tb, ra, rb, json)
            })
        });
        group.finish();
    }
}

/// CPU time of the calling thread (Linux: `/proc/thread-self/schedstat`, in nanoseconds). It
/// advances at context switches and scheduler ticks (a few milliseconds), so it suits the 10k and
/// 100k groups; on a busy machine it is far steadier than wall time.
struct CpuTime;

fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .expect("/proc/thread-self/schedstat is readable (Linux only)")
}

impl Measurement for CpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }

    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().saturating_sub(start)
    }

    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }

    fn zero(&self) -> u64 {
        0
    }

    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        // Nanoseconds, like wall time: reuse its formatting.
        let wall: &'static WallTime = &WallTime;
        wall.formatter()
    }
}

/// `KPITREE_BENCH_CLOCK=cpu` measures thread CPU time instead of wall time (groups `engine-cpu/*`,
/// so the two never share a baseline).
fn main() {
    if std::env::var("KPITREE_BENCH_CLOCK").is_ok_and(|v| v == "cpu") {
        let mut c = Criterion::default().with_measurement(CpuTime).configure_from_args();
        bench_engine(&mut c, "engine-cpu");
        bench_shapes(&mut c, "engine-cpu");
        bench_diff(&mut c, "engine-cpu");
        c.final_summary();
    } else {
        let mut c = Criterion::default().configure_from_args();
        bench_engine(&mut c, "engine");
        bench_shapes(&mut c, "engine");
        bench_diff(&mut c, "engine");
        c.final_summary();
    }
}
