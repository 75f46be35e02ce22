//! Writes the seed corpora of the fuzz targets (`fuzz/seeds/<target>/`) from the repository's
//! examples and test fixtures: `cargo run --manifest-path fuzz/Cargo.toml --example seeds`.
//!
//! Text inputs are copied; `KTR1` trees and requests are encoded from every valid tree, CSV written
//! from the examples, plugin responses made to name the examples' nodes. Files over 64 KiB are left
//! out (the fuzzers' `-max_len` is about that, and small seeds mutate faster). Deterministic: running
//! it again rewrites the same files.

use kpitree_core::rollup::Rollup;
use kpitree_plugin_abi::Reads;
use std::fs;
use std::path::{Path, PathBuf};

/// Seeds larger than this are skipped.
const MAX_SEED: usize = 64 << 10;

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = repo.join("fuzz/seeds");
    let _ = fs::remove_dir_all(&out);
    let mut seeds = Seeds { out, written: 0, bytes: 0 };

    // Trees: every JSON input of the tests that is not an expected output.
    let mut trees = Vec::new();
    for dir in ["examples", "tests/validation", "tests/schema", "tests/layout", "tests/plugins/printable"] {
        trees.extend(files(&repo.join(dir), false));
    }
    trees.extend(files(&repo.join("tests/rules"), true));
    trees.extend(files(&repo.join("plugins"), true));
    trees.retain(|p| {
        let name = p.to_string_lossy();
        name.ends_with(".json") && !name.ends_with(".expected.json") && !name.contains("/printable/response")
    });
    trees.retain(|p| !p.ends_with("tests/plugins/printable/manifest.json"));
    for path in &trees {
        let text = fs::read_to_string(path).expect("a UTF-8 tree");
        let name = seed_name(&repo, path);
        seeds.add("json_tree", &name, text.as_bytes());
        seeds.add("json_lite_diff", &name, text.as_bytes());
        // Valid trees: their KTR1 encoding and their CSV; for the examples also a request and the
        // encoding for one `reads`.
        let Ok(tree) = kpitree_core::load_json(&name, &text) else { continue };
        let doc = tree.doc();
        let rollup = Rollup::new(&tree);
        let stem = name.trim_end_matches(".json");
        seeds.add("ktr_view", &format!("{stem}.ktr"), &kpitree_plugin_abi::encode_tree(&tree, &rollup));
        let csv = kpitree_core::csv::to_csv(doc);
        seeds.add("csv_tree", &format!("{stem}.csv"), &[&[0u8][..], csv.as_bytes()].concat());
        if name.starts_with("examples") {
            let request = kpitree_plugin_abi::encode_request(&tree, &rollup, br#"{"max": 4}"#);
            seeds.add("ktr_view", &format!("{stem}.request.ktr"), &request);
            let reads = Reads::from_names(&["owner", "parents"]).expect("known names");
            let part = kpitree_plugin_abi::encode_tree_for(reads, &tree, &rollup);
            seeds.add("ktr_view", &format!("{stem}.reads.ktr"), &part);
        }
    }

    // The shapes of the benchmark generator, small: a chain listed child-first, a cycle, a wide fan,
    // a node with many parents, all on one line.
    for (name, text) in shapes(300) {
        seeds.add("json_tree", name, text.as_bytes());
    }

    // Other JSON for the differential target: configurations, manifests, responses, expected outputs.
    for path in files(&repo.join("tests"), true) {
        let name = seed_name(&repo, &path);
        if name.ends_with(".json") && !trees.contains(&path) {
            seeds.add("json_lite_diff", &name, &fs::read(&path).expect("readable"));
        }
    }

    // CSV fixtures, led by the byte that chooses the caller's metadata (`fuzz_targets/csv_tree.rs`).
    for path in files(&repo.join("tests/csv"), true) {
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let meta = fs::read_to_string(path.with_extension("meta")).unwrap_or_default();
        let choice = u8::from(meta.contains("organisation:")) | u8::from(meta.contains("as_of:")) << 1;
        let text = fs::read(&path).expect("readable");
        seeds.add("csv_tree", &seed_name(&repo, &path), &[&[choice][..], &text].concat());
    }

    // Configurations: the rules' fixtures, the demo's and the plugins' (not tests/cli: those are trycmd
    // cases), and one with every section.
    let mut configs = files(&repo.join("tests/rules"), true);
    configs.extend(files(&repo.join("plugins"), true));
    configs.push(repo.join("web/demo/kpitree.toml"));
    for path in configs.iter().filter(|p| p.extension().is_some_and(|e| e == "toml")) {
        seeds.add("config", &seed_name(&repo, path), &fs::read(path).expect("readable"));
    }
    let every = "[rules.stale-kpi]\nenabled = true\nseverity = \"error\"\nmax_age_days = 120\n\n\
                 [rules.metric-overload]\nmax_per_parent = 7\n\n[plugins.owner-teams]\nteams = [\"Platform\"]\n\
                 kinds = [\"kpi\"]\n\n[limits]\nmemory_mib = 64\nfuel = 1_000_000\n\n[[waivers]]\nrule = \"stale-kpi\"\n\
                 nodes = [\"k1\"]\nreason = \"CRM migration\"\nuntil = \"2027-03-31\"\n";
    seeds.add("config", "every-section.toml", every.as_bytes());

    // Data files (`data_files`): the measurement fixtures, each with the choice byte of its format
    // (even: CSV, odd: JSON; the date order is the next bits), and the CLI's baseline reports.
    for path in files(&repo.join("tests/measurements"), true) {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let json = [".json", ".jsonl", ".ndjson"].iter().any(|e| name.ends_with(e));
        if name.starts_with("expected") || !(json || name.ends_with(".csv")) {
            continue;
        }
        let text = fs::read(&path).expect("readable");
        for order in 0..3u8 {
            let choice = u8::from(json) | (order << 1);
            seeds.add("data_files", &format!("{}-{order}", seed_name(&repo, &path)), &[&[choice][..], &text].concat());
        }
    }
    for path in files(&repo.join("tests/cli/baseline"), false) {
        if path.extension().is_some_and(|e| e == "json") {
            seeds.add("data_files", &seed_name(&repo, &path), &[&[1u8][..], &fs::read(&path).expect("readable")].concat());
        }
    }

    // Plugin answers: the printable fixture (manifest NUL response), and responses naming the first
    // example's nodes, against the target's fixed manifest.
    let printable = repo.join("tests/plugins/printable");
    let manifest = fs::read(printable.join("manifest.json")).expect("readable");
    for response in ["response.json", "response-error.json"] {
        let body = fs::read(printable.join(response)).expect("readable");
        seeds.add("plugin_response", &format!("printable-{response}"), &[&manifest[..], b"\0", &body].concat());
        seeds.add("plugin_response", &format!("alone-{response}"), &body);
    }
    let ids = ["strat-midmarket", "obj-win-midmarket", "kr-net-new-arr"];
    let responses = [
        r#"{"findings": []}"#.to_owned(),
        format!(
            r#"{{"findings": [{{"rule": "owner-not-a-team", "nodes": ["{}"], "message": "m"}}, {{"rule": "owner-kpi-quota", "severity": "info", "nodes": ["{}", "{}"], "message": "two", "fix": "own fix", "evidence": {{"count": 5, "r": 0.25, "owner": "Sales"}}}}]}}"#,
            ids[0], ids[1], ids[2]
        ),
        r#"{"error": {"message": "the configuration has no `teams`"}}"#.to_owned(),
        r#"{"findings": [{"rule": "not-declared", "nodes": [], "message": "m"}]}"#.to_owned(),
        r#"{"findings": [{"rule": "owner-not-a-team", "nodes": ["no-such-node"], "message": "m"}]}"#.to_owned(),
    ];
    for (k, r) in responses.iter().enumerate() {
        seeds.add("plugin_response", &format!("response-{k}.json"), r.as_bytes());
    }

    // The differential target also gets numbers and strings at the edges of both readers.
    let edges = [
        "0",
        "-0",
        "-0.0",
        "1e400",
        "-1e-400",
        "123456789012345678901234567890",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "2.2250738585072011e-308",
        "4.9406564584124654e-324",
        "1.7976931348623157e308",
        "0.1e1",
        "1E+2",
        r#""\ud83d\ude00""#,
        r#""\ud800""#,
        r#""\u0000\n\t\/\\""#,
        r#"{"a":1,"a":2}"#,
        "[[[[[[[[[[[[]]]]]]]]]]]]",
        " \t\r\n[] ",
        "\u{feff}{}",
    ];
    for (k, e) in edges.iter().enumerate() {
        seeds.add("json_lite_diff", &format!("edge-{k:02}.json"), e.as_bytes());
    }
    println!("wrote {} seeds, {} bytes, to fuzz/seeds/", seeds.written, seeds.bytes);
}

/// Trees of `n` nodes in the shapes that once made the engine recurse or scan as deep or as often
/// as the input allows, minified.
fn shapes(n: usize) -> Vec<(&'static str, String)> {
    let head = r#"{"version":1,"organisation":"Shapes","as_of":"2026-11-27","nodes":["#;
    let strategy = r#"{"id":"s","kind":"strategy","title":"S","owner":"o"}"#;
    let objective = |id: String, parent: String| {
        format!(
            r#"{{"id":"{id}","kind":"objective","title":"{id}","owner":"o","period":"2026-Q4","parents":["{parent}"]}}"#
        )
    };
    let kpi = |id: String, parents: &[String]| {
        let parents = parents.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(",");
        format!(r#"{{"id":"{id}","kind":"kpi","title":"{id}","owner":"o","parents":[{parents}]}}"#)
    };
    let doc = |nodes: Vec<String>| format!("{head}{}]}}\n", nodes.join(","));
    let chain: Vec<String> = (0..n)
        .rev()
        .map(|i| objective(format!("o{i}"), if i == 0 { "s".to_owned() } else { format!("o{}", i - 1) }))
        .chain([strategy.to_owned()])
        .collect();
    let cycle: Vec<String> = std::iter::once(strategy.to_owned())
        .chain((0..n).map(|i| objective(format!("o{i}"), format!("o{}", (i + 1) % n))))
        .collect();
    let fan: Vec<String> = [strategy.to_owned(), objective("o".into(), "s".into())]
        .into_iter()
        .chain((0..n).map(|i| kpi(format!("k{i}"), &["o".to_owned()])))
        .collect();
    let parents: Vec<String> = (0..n).map(|i| format!("o{i}")).collect();
    let many: Vec<String> = std::iter::once(strategy.to_owned())
        .chain((0..n).map(|i| objective(format!("o{i}"), "s".into())))
        .chain([kpi("k".into(), &parents)])
        .collect();
    vec![
        ("shape-chain.json", doc(chain)),
        ("shape-cycle.json", doc(cycle)),
        ("shape-fan.json", doc(fan)),
        ("shape-many-parents.json", doc(many)),
    ]
}

struct Seeds {
    out: PathBuf,
    written: usize,
    bytes: usize,
}

impl Seeds {
    fn add(&mut self, target: &str, name: &str, bytes: &[u8]) {
        if bytes.len() > MAX_SEED {
            return;
        }
        let dir = self.out.join(target);
        fs::create_dir_all(&dir).expect("a writable fuzz/seeds");
        fs::write(dir.join(name), bytes).expect("a writable seed");
        self.written += 1;
        self.bytes += bytes.len();
    }
}

/// `tests/rules/stale-kpi/fail.json` -> `tests-rules-stale-kpi-fail.json`.
fn seed_name(repo: &Path, path: &Path) -> String {
    path.strip_prefix(repo).unwrap_or(path).to_string_lossy().replace('/', "-")
}

/// Files of `dir` (and below when `deep`), sorted, skipping build output.
fn files(dir: &Path, deep: bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = fs::read_dir(&d) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                let skip = path.file_name().is_some_and(|n| n == "target" || n == "node_modules");
                if deep && !skip {
                    dirs.push(path);
                }
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
