//! Prints a generated KPI tree of N nodes (JSON) for the load test: `cargo run -p kpitree-server
//! --example gen_tree -- 10000 > t.json`. The trees come from the core's benchmark generator, shared
//! by path so the load test and the engine benchmarks measure the same shapes.

// The benchmark module has helpers this program does not call.
#[allow(dead_code)]
#[path = "../../kpitree-core/benches/generator/mod.rs"]
mod generator;

fn main() {
    let n = std::env::args().nth(1).and_then(|a| a.parse::<usize>().ok()).unwrap_or(100);
    print!("{}", kpitree_core::to_json(&generator::generate(n, 42)));
}
