//! `cargo xtask bench-encode`: how long the host takes to encode a request (`encode_request`: the
//! `KTR1` tree plus a config), on generated trees, next to the cost of merely allocating and touching
//! a buffer that size, and for the parts `owner-quota` declares in `reads` (ABI 1.1,
//! `encode_request_for`); and what the encoding holds: string references against distinct strings,
//! overall and per field. Half of "a plugin within 3x of the built-in rule" (`cargo bench -p
//! kpitree-plugin-host` measures the whole); this one is quick to run while working on the encoder.
//!
//! `KPITREE_BENCH_SIZES=1000,100000` picks sizes; `KPITREE_ENCODE_DUMP=dir` also writes each request
//! to `dir/N.ktr1`, to compare two encoders byte for byte.

use crate::generator;
use kpitree_core::model::{Node, TreeDoc};
use kpitree_core::rollup::Rollup;
use kpitree_core::tree::Tree;
use kpitree_plugin_abi::{Reads, encode_request, encode_request_for, split_request};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Median wall time and median on-CPU time of `runs` calls of `f`, after one warm-up call. On a
/// shared machine the CPU time (Linux only, from the scheduler's statistics) leaves out the time the
/// thread waited for a core, the largest part of the noise. It is counted in scheduler ticks on some
/// kernels (4 ms here), so it means something only for the largest trees.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Option<Duration>) {
    black_box(f());
    let runs = runs.max(1);
    let (mut wall, mut cpu): (Vec<Duration>, Vec<Option<Duration>>) = (0..runs)
        .map(|_| {
            let (start, on_cpu) = (Instant::now(), cpu_time());
            black_box(f());
            (start.elapsed(), on_cpu.zip(cpu_time()).map(|(a, b)| b.saturating_sub(a)))
        })
        .unzip();
    wall.sort();
    cpu.sort();
    (wall[runs / 2], cpu[runs / 2])
}

/// Time this thread has spent on a CPU (`/proc/thread-self/schedstat`, first field, nanoseconds).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(stat.split_whitespace().next()?.parse().ok()?))
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// Measures and prints the two tables.
pub fn run() -> Result<(), String> {
    let dump = std::env::var_os("KPITREE_ENCODE_DUMP").map(std::path::PathBuf::from);
    println!("\n### encode_request\n");
    println!(
        "| nodes | bytes | string refs | distinct strings | text bytes | encode | encode on CPU | fresh buffer | \
         owner-quota's reads: bytes | encode | on CPU |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    // What `plugins/owner-quota-wat` declares (ABI 1.1): the request `kpitree check` encodes for it.
    let quota = Reads::from_names(&["status", "owner"])?;
    let mut last = None;
    for n in generator::sizes(&[1_000, 10_000, 100_000]) {
        let tree = Tree::new("bench", generator::generate(n, generator::SEED))
            .map_err(|e| format!("generated tree of {n} nodes: {e}"))?;
        let rollup = Rollup::new(&tree);
        let request = encode_request(&tree, &rollup, b"{}");
        let (view, _) = split_request(&request).map_err(|e| format!("the encoding does not read back: {e}"))?;
        let text: usize = (0..view.string_count()).filter_map(|k| view.string(k)).map(str::len).sum();
        let refs = string_refs(tree.doc());
        if let Some(dir) = &dump {
            let file = dir.join(format!("{n}.ktr1"));
            std::fs::write(&file, &request).map_err(|e| format!("{}: {e}", file.display()))?;
        }
        let runs = (3_000_000 / n.max(1)).clamp(7, 300);
        let (wall, cpu) = time(runs, || encode_request(&tree, &rollup, b"{}").len());
        // The floor no encoder of this format gets under: a zeroed buffer of the request's size,
        // every page of it written once (fresh pages are most of that cost).
        let (floor, _) = time(runs, || {
            let mut v = vec![0u8; request.len()];
            v.iter_mut().step_by(4096).for_each(|b| *b = 1);
            v
        });
        let part = encode_request_for(quota, &tree, &rollup, b"{}").len();
        let (part_wall, part_cpu) = time(runs, || encode_request_for(quota, &tree, &rollup, b"{}").len());
        println!(
            "| {n} | {} | {refs} | {} | {} | {} | {} | {} | {part} | {} | {} |",
            request.len(),
            view.string_count(),
            text,
            ms(wall),
            cpu.map_or_else(|| "?".to_owned(), ms),
            ms(floor),
            ms(part_wall),
            part_cpu.map_or_else(|| "?".to_owned(), ms),
        );
        last = Some((n, tree));
    }
    // Which strings repeat, in the largest tree: what the encoder's per-field caches are for.
    let Some((n, tree)) = last else { return Ok(()) };
    println!("\n### Strings per field, {n} nodes\n");
    println!("| field | references | distinct | bytes |");
    println!("| --- | ---: | ---: | ---: |");
    type Field = fn(&Node) -> Vec<&str>;
    let fields: [(&str, Field); 9] = [
        ("id", |x| vec![x.id.as_str()]),
        ("title", |x| vec![x.title.as_str()]),
        ("owner", |x| x.owner().into_iter().collect()),
        ("department", |x| x.department.as_deref().into_iter().collect()),
        ("rationale", |x| x.rationale.as_deref().into_iter().collect()),
        ("description", |x| x.description.as_deref().into_iter().collect()),
        ("unit", |x| x.unit.as_deref().into_iter().collect()),
        ("period", |x| x.period.as_deref().into_iter().collect()),
        ("check-in note", |x| x.check_ins.iter().filter_map(|c| c.note.as_deref()).collect()),
    ];
    for (name, field) in fields {
        let all: Vec<&str> = tree.nodes().iter().flat_map(field).collect();
        let distinct = all.iter().collect::<std::collections::HashSet<_>>().len();
        println!("| {name} | {} | {distinct} | {} |", all.len(), all.iter().map(|s| s.len()).sum::<usize>());
    }
    Ok(())
}

/// String references the encoding holds (present or not): eight per node, one per check-in and link.
fn string_refs(doc: &TreeDoc) -> usize {
    1 + doc.nodes.iter().map(|x| 8 + x.check_ins.len()).sum::<usize>() + doc.links.len()
}
