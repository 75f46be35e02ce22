//! `Plugin` and `PluginSet` are shared by many threads (the HTTP server loads plugins once and
//! evaluates them from concurrent requests): they are `Send + Sync`, concurrent evaluations each get
//! a fresh instance, and one call's limits (its fuel, its wall-time deadline) never end another call.

use kpitree_core::rollup::Rollup;
use kpitree_core::tree::Tree;
use kpitree_core::{TreeDoc, parse_json};
use kpitree_plugin_host::{ErrorKind, Limits, Plugin, PluginError, PluginSet};
use std::path::PathBuf;
use std::sync::Barrier;
use std::time::Duration;

const TREE: &str = r#"{
  "version": 1, "organisation": "Acme", "as_of": "2026-11-27",
  "nodes": [
    {"id": "s1", "kind": "strategy", "title": "Grow", "owner": "ceo"},
    {"id": "o1", "kind": "objective", "title": "Win", "owner": "sales", "parents": ["s1"], "period": "2026-Q4"},
    {"id": "k1", "kind": "kpi", "title": "Pipeline", "owner": "sales", "parents": ["o1"]}
  ]
}"#;

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/plugins").join(name)
}

fn load(name: &str, limits: &Limits) -> Plugin {
    Plugin::load(&path(name), limits).unwrap_or_else(|e| panic!("{name} loads: {e}"))
}

fn evaluate(plugin: &Plugin, doc: &TreeDoc) -> Result<Vec<String>, PluginError> {
    let tree = Tree::new("tree.json", doc.clone()).expect("valid");
    let request = kpitree_plugin_abi::encode_request(&tree, &Rollup::new(&tree), b"{}");
    plugin.evaluate(&request, &tree).map(|f| f.into_iter().map(|f| f.message).collect())
}

#[test]
fn plugins_and_sets_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Plugin>();
    shared::<PluginSet>();
    shared::<Limits>();
    shared::<PluginError>();
}

/// Several threads at once: a plugin that loops until its 100 ms wall-time limit, a plugin that loops
/// until its fuel runs out (with a wall-time limit of a minute, so the other's deadline must not end
/// it), and two well-behaved plugins that must each see a fresh instance every time.
#[test]
fn hostile_and_good_plugins_run_side_by_side() {
    let doc = parse_json("tree.json", TREE).expect("parses");
    let test = Limits::default().fuel(20_000_000).memory(16 << 20);
    // Enough fuel that the loop outlives the other spinner's 100 ms deadline several times over.
    let timed = load("hostile/spin.wat", &test.clone().fuel(u64::MAX / 2).time(Duration::from_millis(100)));
    let fueled = load("hostile/spin.wat", &test.clone().fuel(400_000_000).time(Duration::from_secs(60)));
    let counter = load("counter.wat", &test);
    let count = load("node-count.wat", &test);
    let rounds = 2;
    let barrier = Barrier::new(6);
    std::thread::scope(|s| {
        let timeout = "plugin `spin` exceeded its time limit (100 ms) in kpitree_evaluate";
        let fuel = "plugin `spin` exceeded its CPU budget (400000000 fuel) in kpitree_evaluate";
        let mut handles = vec![
            spin(s, &barrier, &timed, &doc, rounds, ("timeout", timeout)),
            spin(s, &barrier, &timed, &doc, rounds, ("timeout", timeout)),
            spin(s, &barrier, &fueled, &doc, rounds, ("out-of-fuel", fuel)),
        ];
        for _ in 0..2 {
            let (doc, barrier, counter, count) = (&doc, &barrier, &counter, &count);
            handles.push(s.spawn(move || {
                barrier.wait();
                for _ in 0..50 {
                    assert_eq!(evaluate(counter, doc).expect("counts"), ["evaluation 1"]);
                    assert_eq!(evaluate(count, doc).expect("counts"), ["the tree has 3 nodes"]);
                }
            }));
        }
        handles.push(s.spawn(|| {
            barrier.wait();
            // A whole set, shared by reference, while the others run.
            let mut set = PluginSet::new();
            set.load(&path("node-count.wat"), &test).expect("loads");
            let tree = Tree::new("tree.json", doc.clone()).expect("valid");
            for _ in 0..20 {
                let results = set.run(&tree, &Rollup::new(&tree), &Default::default());
                assert!(results.errors.is_empty(), "{:?}", results.errors);
                assert_eq!(results.findings.len(), 1);
            }
        }));
        for h in handles {
            if let Err(p) = h.join() {
                std::panic::resume_unwind(p);
            }
        }
    });
    // The timeout is reported as one, never as something else, when calls overlap.
    assert!(matches!(evaluate(&timed, &doc).expect_err("loops").kind, ErrorKind::Timeout { .. }));
}

/// A thread that evaluates a plugin that never finishes `rounds` times and expects `code` and
/// `message` every time.
fn spin<'s>(
    s: &'s std::thread::Scope<'s, '_>,
    barrier: &'s Barrier,
    plugin: &'s Plugin,
    doc: &'s TreeDoc,
    rounds: usize,
    (code, message): (&'static str, &'static str),
) -> std::thread::ScopedJoinHandle<'s, ()> {
    s.spawn(move || {
        barrier.wait();
        for _ in 0..rounds {
            let e = evaluate(plugin, doc).expect_err("never finishes");
            assert_eq!((e.kind.code(), e.to_string().as_str()), (code, message));
        }
    })
}

/// A thread with less native stack than the plugin's stack limit (a server's worker threads): deep
/// recursion in the plugin is still its stack-overflow error, not an overflow of the thread's own
/// stack, which would abort the whole process.
#[test]
fn deep_recursion_on_a_small_thread_is_a_plugin_error() {
    let limits = Limits::default().fuel(u64::MAX / 2).stack(2 << 20);
    let recurse = load("hostile/recurse.wat", &limits);
    let count = load("node-count.wat", &limits);
    let doc = parse_json("tree.json", TREE).expect("parses");
    let outcome = std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn_scoped(s, || (evaluate(&recurse, &doc), evaluate(&count, &doc)))
            .expect("spawns")
            .join()
            .expect("the thread survives")
    });
    let e = outcome.0.expect_err("overflows");
    assert_eq!(
        (e.kind.code(), e.to_string().as_str()),
        ("stack-overflow", "plugin `recurse` overflowed its stack (limit 2 MiB) in kpitree_evaluate")
    );
    assert_eq!(outcome.1.expect("counts"), ["the tree has 3 nodes"]);
}
