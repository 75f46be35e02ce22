//! Layout benchmark: `layout::layout` of the display tree of generated trees of 1k, 10k and 100k nodes
//! (the engine benchmark's generator), nothing collapsed; the shape (`Shape::new`) is built once
//! outside the timed region, as the browser keeps it with the tree. `KPITREE_BENCH_SIZES=1000,10000`
//! picks sizes. Run with `cargo bench -p kpitree-layout --bench layout`.

#[path = "../../kpitree-core/benches/generator/mod.rs"]
#[allow(dead_code, missing_docs)]
mod generator;

use criterion::{Criterion, Throughput};
use kpitree_core::tree::Tree;
use kpitree_layout::{self as layout, Options, Shape};
use std::hint::black_box;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("layout");
    group.measurement_time(Duration::from_secs(5)).sample_size(20);
    for n in generator::sizes(&[1_000, 10_000, 100_000]) {
        let doc = generator::generate(n, generator::SEED);
        let tree = Tree::new("gen.json", doc.clone()).expect("the generator makes valid trees");
        let shape = Shape::new(&tree);
        let options = Options { node_size: (160.0, 72.0), ..Options::default() };
        let items = layout::layout(&shape, &[], &options).len();
        group.throughput(Throughput::Elements(items as u64));
        group.bench_function(format!("{n}_nodes"), |b| b.iter(|| layout::layout(black_box(&shape), &[], &options)));
    }
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
