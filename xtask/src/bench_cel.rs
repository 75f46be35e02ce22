//! `cargo xtask bench-cel`: custom rules in CEL (`kpitree-cel`) against the same rule built in and
//! as a Rust plugin, on generated trees (10k and 100k nodes by default; `KPITREE_BENCH_SIZES`).
//!
//! The rule is "an active node without an owner": the built-in `missing-owner` alone, natively (on
//! the generated trees, which have no placeholder or shared owners, it finds exactly those nodes);
//! the CEL rule `when = "node.status == 'active'"`, `assert = "has(node.owner) &&
//! node.owner.trim() != ''"` through `CustomRules::run`; and `xtask/owner-missing-guest` (Rust, SDK,
//! `reads = ["status", "owner"]`) through the real host: its request encoded with its `reads`, then
//! evaluated in a fresh instance. The three must find the same nodes, or the benchmark fails before
//! timing anything. Next to them: what `CustomRules::run` costs before any rule does anything (the
//! node values), a rule that looks at `children` (`strategy-has-objectives`), and the seven rules of
//! `examples/rules.toml` together.
//!
//! Then the calibration of `kpitree_cel::MAX_STEPS`: the wall time of rules whose cost estimate is
//! near the limit (a comprehension over `nodes` for every node), the estimate read from the
//! evaluator's own refusal messages; and the sizes of the owner-quota plugin in each language
//! (bytes and `gzip -9`).
//!
//! It builds the plugins for wasm32 itself (cargo, release, into `target/cel-bench`). Prints
//! Markdown; the figures are recorded in `docs/benchmarks.md`.

use crate::bench_abi::{builtin_rule, generated, median, ms, runs_for};
use crate::generator;
use kpitree_core::config::Config;
use kpitree_core::finding::Finding;
use kpitree_core::rollup::Rollup;
use kpitree_core::tree::Tree;
use kpitree_plugin_abi::encode_request_for;
use kpitree_plugin_host::{Limits, Plugin};
use kpitree_session::{Configuration, CustomRules, RuleSource};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The CEL twin of the plugin and of `missing-owner` on generated trees.
const CEL_MISSING_OWNER: &str = r#"
[[custom_rules]]
id = "cel-missing-owner"
severity = "error"
when = "node.status == 'active'"
assert = "has(node.owner) && node.owner.trim() != ''"
"#;

/// The floor: node values built, one trivial evaluation per node.
const CEL_TRUE: &str = r#"
[[custom_rules]]
id = "cel-true"
assert = "true"
"#;

/// Less than the floor: node values built, the rule evaluated only on strategies (a handful).
const CEL_VALUES_ONLY: &str = r#"
[[custom_rules]]
id = "cel-values-only"
kinds = ["strategy"]
assert = "true"
"#;

/// `children` for every judged node (the rule of `examples/rules.toml`).
const CEL_CHILDREN: &str = r#"
[[custom_rules]]
id = "strategy-has-objectives"
kinds = ["strategy"]
when = "node.status == 'active'"
assert = "children.exists(c, c.kind == 'objective' && c.status == 'active')"
"#;

/// The same rule on every node, so that the children lists are built for all of them.
const CEL_CHILDREN_ALL: &str = r#"
[[custom_rules]]
id = "has-active-child"
when = "node.status == 'active'"
assert = "children.exists(c, c.status == 'active') || node.kind == 'kpi'"
"#;

/// Rules whose cost grows with the square of the tree, for the calibration: one that stops at the
/// node itself (half of `nodes` on average) and one that always goes through all of `nodes`.
const CALIBRATION: [(&str, &str); 2] =
    [("exists-self", "nodes.exists(n, n.id == node.id)"), ("exists-none", "!nodes.exists(n, n.id == '')")];

/// Compiles custom rules from the text of a rules file.
fn cel(text: &str, file: &str) -> Result<CustomRules, String> {
    let mut configuration = Configuration::command_line();
    configuration.add_rules_file(text, file).map_err(|e| format!("{file}: {e}"))?;
    configuration
        .custom_rules(&mut Config::default())
        .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
}

/// Runs custom rules once: their findings, or the first failure.
fn cel_findings(rules: &CustomRules, tree: &Tree) -> Result<Vec<Finding>, String> {
    let out = rules.run(tree);
    match out.errors.first() {
        Some(e) => Err(format!("{}: {}", e.code, e.message)),
        None => Ok(out.findings),
    }
}

/// The nodes findings name, sorted.
fn nodes_of(findings: &[Finding]) -> Vec<&str> {
    let mut v: Vec<&str> = findings.iter().flat_map(|f| f.nodes.iter().map(String::as_str)).collect();
    v.sort_unstable();
    v
}

/// A target directory of its own (the cargo that runs this task holds the lock on the usual one).
fn target_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| crate::workspace().join("target"), PathBuf::from);
    target.join("cel-bench")
}

/// Builds the two Rust plugins for wasm32 (release) and returns the output directory.
fn build_wasm() -> Result<PathBuf, String> {
    let target = target_dir();
    let status = std::process::Command::new(crate::cargo())
        .current_dir(crate::workspace())
        .args(["build", "--release", "--target", "wasm32-unknown-unknown", "--locked"])
        .args(["-p", "owner-missing-guest", "-p", "owner-quota-rs"])
        .arg("--target-dir")
        .arg(&target)
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    if !status.success() {
        return Err(format!("building the wasm plugins failed ({status})"));
    }
    Ok(target.join("wasm32-unknown-unknown/release"))
}

/// Measures and prints the tables.
pub fn run() -> Result<(), String> {
    let out = build_wasm()?;
    let limits = Limits::default().fuel(u64::MAX / 4).time(Duration::from_secs(120));
    let plugin =
        Plugin::load(&out.join("owner_missing_guest.wasm"), &limits).map_err(|e| format!("the plugin: {e}"))?;
    let missing = cel(CEL_MISSING_OWNER, "missing-owner.toml")?;
    let floor = cel(CEL_TRUE, "true.toml")?;
    let values_only = cel(CEL_VALUES_ONLY, "values-only.toml")?;
    let children = cel(CEL_CHILDREN, "children.toml")?;
    let children_all = cel(CEL_CHILDREN_ALL, "children-all.toml")?;
    let examples_path = crate::workspace().join("examples/rules.toml");
    let examples_text =
        std::fs::read_to_string(&examples_path).map_err(|e| format!("{}: {e}", examples_path.display()))?;
    let examples = cel(&examples_text, "examples/rules.toml")?;
    if examples.rules().len() != 7 {
        return Err(format!(
            "examples/rules.toml has {} rules, not the seven this benchmark describes",
            examples.rules().len()
        ));
    }

    println!("\n### An active node without an owner: built in, CEL, Rust plugin\n");
    println!("| nodes | form | time (median) | x built-in | findings |");
    println!("| ---: | --- | ---: | ---: | ---: |");
    for n in generator::sizes(&[10_000, 100_000]) {
        let tree = generated(n)?;
        let rollup = Rollup::new(&tree);
        // CEL runs take hundreds of milliseconds from 10k nodes on: fewer of them.
        let cel_runs = runs_for(n).min(if n >= 50_000 { 5 } else { 11 });
        let plugin_runs = runs_for(n).min(if n >= 50_000 { 7 } else { 30 });

        // The same nodes from the three forms, or nothing is timed.
        let (builtin, builtin_found) = builtin_rule("missing-owner", &tree, &rollup)?;
        let cel_found = cel_findings(&missing, &tree)?;
        let reads = plugin.reads();
        let request = encode_request_for(reads, &tree, &rollup, b"{}");
        let plugin_found = plugin.evaluate(&request, &tree).map_err(|e| format!("the plugin: {e}"))?;
        let expected = nodes_of(&builtin_found);
        for (form, found) in [("the CEL rule", &cel_found), ("the plugin", &plugin_found)] {
            if nodes_of(found) != expected {
                return Err(format!(
                    "{n} nodes: {form} finds {} nodes, the built-in missing-owner {}; they must find the same",
                    found.len(),
                    builtin_found.len()
                ));
            }
        }

        let row = |form: &str, t: Duration, found: Option<usize>| {
            let ratio = t.as_secs_f64() / builtin.as_secs_f64();
            let found = found.map_or(String::new(), |f| f.to_string());
            println!("| {n} | {form} | {} | {ratio:.1} | {found} |", ms(t));
        };
        row("(a) built-in `missing-owner`, native, rule only", builtin, Some(builtin_found.len()));

        // A CEL row: its time, and its findings or, for a rule the cost bound refuses (a rule failure,
        // the others run on), the refusal and the estimate.
        let cel_row = |form: &str, rules: &CustomRules| -> Result<(), String> {
            let once = rules.run(&tree);
            let mut found = once.findings.len().to_string();
            for e in &once.errors {
                let Some(steps) = refused_steps(&e.code, &e.message)? else { return Err(e.message.clone()) };
                found.push_str(&format!("; `{}` refused: {:.1} M estimated steps", e.plugin, steps / 1e6));
            }
            let t = median(cel_runs, || rules.run(&tree).findings.len());
            let ratio = t.as_secs_f64() / builtin.as_secs_f64();
            println!("| {n} | {form} | {} | {ratio:.1} | {found} |", ms(t));
            Ok(())
        };
        cel_row("(b0) CEL: node values only (one rule on strategies, `assert = \"true\"`)", &values_only)?;
        cel_row("(b1) CEL: `assert = \"true\"` on every node (values + one evaluation per node)", &floor)?;
        cel_row("(b) CEL rule through `CustomRules::run`", &missing)?;

        let encode = median(plugin_runs, || encode_request_for(reads, &tree, &rollup, b"{}").len());
        let evaluate = median(plugin_runs, || plugin.evaluate(&request, &tree).map(|f| f.len()));
        let both = median(plugin_runs, || {
            let request = encode_request_for(reads, &tree, &rollup, b"{}");
            plugin.evaluate(&request, &tree).map(|f| f.len())
        });
        row("(c) Rust plugin through the host: encode with `reads` + evaluate", both, Some(plugin_found.len()));
        row("(c1) of which encode (`status`, `owner`)", encode, None);
        row("(c2) of which evaluate (fresh instance)", evaluate, None);

        cel_row("(d) CEL `strategy-has-objectives` (`children`, strategies only)", &children)?;
        cel_row("(d1) CEL `children.exists(...)` on every active node", &children_all)?;
        cel_row("(e) CEL: the seven rules of `examples/rules.toml` together", &examples)?;
    }

    let no_future_dates = examples.rule("no-future-dates").ok_or("examples/rules.toml has no `no-future-dates`")?;
    let no_future_dates = CustomRules::compile(&[RuleSource {
        file: "examples/rules.toml".to_owned(),
        rules: vec![no_future_dates.written.clone()],
    }])
    .map_err(|e| e.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))?;
    println!("\n### Calibration of MAX_STEPS ({} million estimated steps)\n", kpitree_cel::MAX_STEPS / 1_000_000);
    println!("| rule | nodes | estimated steps | time (median of 3) | ns per estimated step |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (id, assert) in CALIBRATION {
        let rules = cel(&format!("[[custom_rules]]\nid = \"{id}\"\nassert = \"{assert}\"\n"), "calibration.toml")?;
        calibrate(&format!("`{assert}`"), &rules)?;
    }
    calibrate("`no-future-dates` (examples/rules.toml)", &no_future_dates)?;
    sizes(&out)
}

/// The steps the evaluator estimated for a rule it refused, read from its failure (`could take up to
/// 123.4 million steps`); `None` for another failure.
fn refused_steps(code: &str, message: &str) -> Result<Option<f64>, String> {
    if code != "custom-rule-too-costly" {
        return Ok(None);
    }
    let words: Vec<&str> = message.split_whitespace().collect();
    let at = words.windows(2).position(|w| w == ["up", "to"]).ok_or("no estimate in the message")?;
    let word = words.get(at + 2).ok_or("no estimate in the message")?;
    let number: f64 = word.parse().map_err(|_| format!("not a number: {word}"))?;
    let scale = match words.get(at + 3) {
        Some(&"million") => 1e6,
        Some(&"billion") => 1e9,
        _ => 1.0,
    };
    Ok(Some(number * scale))
}

/// Runs one rule on `tree`: `None` when it ran, its estimate when the cost bound refused it.
fn refused(rules: &CustomRules, tree: &Tree) -> Result<Option<f64>, String> {
    let out = rules.run(tree);
    let Some(e) = out.errors.first() else { return Ok(None) };
    refused_steps(&e.code, &e.message)?.map(Some).ok_or_else(|| format!("{}: {}", e.code, e.message))
}

/// The wall time of `rules` (one rule whose cost grows with the square of the tree) on trees whose
/// cost estimate is a quarter of `MAX_STEPS` and all of it, and the refusal just past it. The
/// estimate is about n * (a * n + b) for a tree of n nodes: fitted from two sizes the rule is refused
/// at, where the refusal message gives it to three or four digits (exact when the rule judges every
/// node, close when it judges some kinds).
fn calibrate(label: &str, rules: &CustomRules) -> Result<(), String> {
    // Two sizes it is refused at, with estimates under a billion (given in millions to one decimal).
    let mut points = Vec::new();
    let mut n = 3_000;
    while points.len() < 2 {
        let tree = generated(n)?;
        match refused(rules, &tree)? {
            Some(steps) if steps >= 1e9 => return Err(format!("{label}: {steps} steps at {n} nodes, too coarse")),
            Some(steps) => points.push((tree.len() as f64, steps)),
            None if n > 1_000_000 => return Err(format!("{label}: accepted at {n} nodes")),
            None => {}
        }
        n += n / 2;
    }
    let [(n1, s1), (n2, s2)] = [points[0], points[1]];
    let (q1, q2) = (s1 / n1, s2 / n2);
    let a = (q2 - q1) / (n2 - n1);
    let b = q1 - a * n1;
    let estimate = |n: f64| n * (a * n + b);
    let limit = kpitree_cel::MAX_STEPS as f64;
    let n_max = ((-b + (b * b + 4.0 * a * limit).sqrt()) / (2.0 * a)).floor() as usize;
    for n in [n_max / 2, n_max] {
        // The generator may give a node more or fewer than asked for, and the fit may be off by a
        // little: step down until the rule is accepted.
        let mut n = n;
        let (tree, first) = loop {
            let tree = generated(n)?;
            let start = Instant::now();
            if refused(rules, &tree)?.is_none() {
                break (tree, start.elapsed());
            }
            if n < 100 {
                return Err(format!("{label}: refused even at {n} nodes"));
            }
            n -= n / 200 + 1;
        };
        // Three runs, the first the one that showed the rule is accepted.
        let mut times = vec![first];
        for _ in 0..2 {
            let start = Instant::now();
            std::hint::black_box(rules.run(&tree).findings.len());
            times.push(start.elapsed());
        }
        times.sort();
        let t = times[1];
        let steps = estimate(tree.len() as f64);
        println!(
            "| {label} | {} | {:.1} M | {} | {:.1} |",
            tree.len(),
            steps / 1e6,
            ms(t),
            t.as_secs_f64() * 1e9 / steps
        );
    }
    // Past the limit: refused, with the evaluator's own estimate.
    let over = generated(n_max + n_max / 100 + 2)?;
    if let Some(steps) = refused(rules, &over)? {
        println!("| {label} | {} | {:.1} M: refused | | |", over.len(), steps / 1e6);
    }
    Ok(())
}

/// `gzip -9` of a file, in bytes; `None` when gzip is not there.
fn gzipped(path: &Path) -> Option<usize> {
    let out = std::process::Command::new("gzip").arg("-9").arg("-c").arg(path).output().ok()?;
    out.status.success().then_some(out.stdout.len())
}

/// The owner-quota plugin's module in each language.
fn sizes(out: &Path) -> Result<(), String> {
    let wat = target_dir().join("owner-quota-wat.wasm");
    std::fs::write(&wat, owner_quota_wat::WASM).map_err(|e| format!("{}: {e}", wat.display()))?;
    let root = crate::workspace();
    let modules = [
        ("WebAssembly text, by hand (`plugins/owner-quota-wat`)", wat),
        ("Rust, SDK (`plugins/owner-quota-rs`, release, stripped)", out.join("owner_quota_rs.wasm")),
        (
            "AssemblyScript, SDK (`plugins/owner-quota-as`, `npm run build`)",
            root.join("plugins/owner-quota-as/build/owner-quota.wasm"),
        ),
        ("C, SDK (`plugins/owner-quota-c`, `make`)", root.join("plugins/owner-quota-c/build/owner-quota.wasm")),
        ("Rust, SDK: this benchmark's `owner-missing` (release, stripped)", out.join("owner_missing_guest.wasm")),
    ];
    println!("\n### Plugin module sizes: owner-quota in each language\n");
    println!("| language | bytes | gzip -9 |");
    println!("| --- | ---: | ---: |");
    for (language, path) in modules {
        let Ok(meta) = std::fs::metadata(&path) else {
            println!("| {language} | not built | |");
            continue;
        };
        let gz = gzipped(&path).map_or_else(|| "no gzip".to_owned(), |g| g.to_string());
        println!("| {language} | {} | {gz} |", meta.len());
    }
    Ok(())
}
