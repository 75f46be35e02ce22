//! Layout: fixtures and properties.
//!
//! Fixtures: `tests/layout/NAME.json` holds `{"tree": <document>, "collapsed": [ids], "node_size":
//! [w, h]?}`; `NAME.expected.txt` beside it is the display tree, one item a line, indented by depth:
//! id, flags, x, y. `KPITREE_BLESS=1 cargo test -p kpitree-layout --test layout` rewrites the expected
//! files; review them.
//!
//! Properties, on the benchmarks' generated trees with some nodes collapsed: preorder, depths and
//! flags are consistent, each node is shown in full exactly once (when nothing hides it), items at
//! one depth never overlap, and every parent is centred over its children.

#[path = "../../kpitree-core/benches/generator/mod.rs"]
#[allow(dead_code, missing_docs)]
mod generator;

use kpitree_core::tree::Tree;
use kpitree_layout::{self as layout, EXPANDED, HAS_CHILDREN, Layout, Options, REFERENCE, SHARED, Shape};
use std::fmt::Write;
use std::fs;
use std::path::PathBuf;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/layout")
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    tree: serde_json::Value,
    #[serde(default)]
    collapsed: Vec<String>,
    node_size: Option<(f64, f64)>,
}

fn render(tree: &Tree, l: &Layout) -> String {
    let mut s = format!("width {} height {}\n", l.width, l.height);
    for k in 0..l.len() {
        let f = l.flags[k];
        let names: Vec<&str> =
            [(HAS_CHILDREN, "children"), (EXPANDED, "expanded"), (REFERENCE, "reference"), (SHARED, "shared")]
                .iter()
                .filter(|(bit, _)| f & bit != 0)
                .map(|(_, name)| *name)
                .collect();
        let indent = "  ".repeat(l.depth[k] as usize);
        let id = &tree.node(l.node[k]).id;
        writeln!(s, "{indent}{id} [{}] x={} y={}", names.join(" "), l.x[k], l.y[k]).expect("string");
    }
    s
}

#[test]
fn fixtures() {
    let dir = fixture_dir();
    let bless = std::env::var_os("KPITREE_BLESS").is_some_and(|v| v == "1");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("tests/layout")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for name in &names {
        if let Some(stem) = name.strip_suffix(".expected.txt") {
            if !names.contains(&format!("{stem}.json")) {
                failures.push(format!("{name} has no {stem}.json"));
            }
            continue;
        }
        let Some(stem) = name.strip_suffix(".json") else { continue };
        count += 1;
        let fixture: Fixture = serde_json::from_str(&fs::read_to_string(dir.join(name)).expect("read"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let doc = kpitree_core::parse_json(name, &fixture.tree.to_string()).unwrap_or_else(|e| panic!("{e}"));
        let tree = Tree::new(name, doc.clone()).unwrap_or_else(|e| panic!("{e}"));
        let mut collapsed = vec![false; tree.len()];
        for id in &fixture.collapsed {
            collapsed[tree.ix(id).unwrap_or_else(|| panic!("{name}: no node {id}")) as usize] = true;
        }
        let options = Options { node_size: fixture.node_size.unwrap_or((1.0, 1.0)), ..Options::default() };
        let actual = render(&tree, &layout::layout(&Shape::new(&tree), &collapsed, &options));
        let path = dir.join(format!("{stem}.expected.txt"));
        if bless {
            fs::write(&path, &actual).expect("write");
            continue;
        }
        match fs::read_to_string(&path) {
            Ok(expected) if expected.replace("\r\n", "\n") == actual => {}
            Ok(expected) => failures.push(format!("{name}: differs\n--- expected\n{expected}--- actual\n{actual}")),
            Err(_) => failures.push(format!("{name}: no {stem}.expected.txt (KPITREE_BLESS=1); actual:\n{actual}")),
        }
    }
    assert!(count >= 4, "fixtures found: {count}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Checks every property on one layout; `collapsed` as given to `layout`.
fn check_properties(tree: &Tree, l: &Layout, collapsed: &[bool], options: &Options) {
    let (w, h) = options.node_size;
    let n = l.len();
    let mut full = vec![0u32; tree.len()];
    let mut children_of: Vec<Vec<usize>> = vec![Vec::new(); n];
    for k in 0..n {
        let node = l.node[k];
        let f = l.flags[k];
        assert_eq!(f & HAS_CHILDREN != 0, !tree.children(node).is_empty(), "item {k}: has-children flag");
        assert_eq!(f & SHARED != 0, tree.parents(node).len() > 1, "item {k}: shared flag");
        let expanded = f & HAS_CHILDREN != 0 && f & REFERENCE == 0 && !collapsed[node as usize];
        assert_eq!(f & EXPANDED != 0, expanded, "item {k}: expanded flag");
        if f & REFERENCE == 0 {
            full[node as usize] += 1;
        }
        match l.parent[k] {
            -1 => {
                assert!(tree.parents(node).is_empty(), "item {k}: only nodes without parents are roots");
                assert_eq!(l.depth[k], 0);
            }
            p => {
                let p = p as usize;
                assert!(p < k, "preorder: parent {p} before item {k}");
                assert!(l.flags[p] & EXPANDED != 0, "item {k} under an item that does not show its children");
                assert_eq!(l.depth[k], l.depth[p] + 1);
                assert!(tree.parents(node).contains(&l.node[p]), "item {k} under a node it does not contribute to");
                let first = tree.parents(node)[0] == l.node[p];
                assert_eq!(f & REFERENCE == 0, first, "item {k}: full under its first parent, a reference elsewhere");
                children_of[p].push(k);
            }
        }
        assert_eq!(l.y[k], (f64::from(l.depth[k]) + 0.5) * h);
        assert!(l.x[k] >= w / 2.0 - 1e-9 && l.x[k] <= l.width - w / 2.0 + 1e-9, "item {k} inside the width");
    }
    assert!(full.iter().all(|&c| c <= 1), "a node shown in full twice");
    if collapsed.iter().all(|c| !c) {
        assert!(full.iter().all(|&c| c == 1), "with nothing collapsed, every node is shown in full once");
    }
    // Parents centred over their children.
    for (p, kids) in children_of.iter().enumerate() {
        if let (Some(&a), Some(&b)) = (kids.first(), kids.last()) {
            let mid = (l.x[a] + l.x[b]) / 2.0;
            assert!((l.x[p] - mid).abs() < 1e-6 * w.max(1.0) * (n as f64), "item {p} not centred: {} vs {mid}", l.x[p]);
        }
    }
    // No overlap at one depth: neighbours at least one node width apart.
    let depths = l.depth.iter().max().map_or(0, |&d| d as usize + 1);
    let mut rows: Vec<Vec<f64>> = vec![Vec::new(); depths];
    for k in 0..n {
        rows[l.depth[k] as usize].push(l.x[k]);
    }
    for (d, row) in rows.iter_mut().enumerate() {
        // Preorder is left to right within a depth.
        assert!(row.windows(2).all(|p| p[1] - p[0] >= w * options.siblings - 1e-6), "overlap at depth {d}");
    }
}

#[test]
fn generated_trees_keep_the_properties() {
    for (n, seed) in [(300, 1), (2_000, 2), (10_000, 3)] {
        let doc = generator::generate(n, seed);
        let tree = Tree::new("gen.json", doc.clone()).expect("valid");
        let shape = Shape::new(&tree);
        let options = Options { node_size: (120.0, 60.0), ..Options::default() };
        let none = vec![false; tree.len()];
        check_properties(&tree, &layout::layout(&shape, &none, &options), &none, &options);
        // Collapse every seventh node that has children.
        let some: Vec<bool> = (0..tree.len()).map(|i| i % 7 == 0 && !tree.children(i as u32).is_empty()).collect();
        let l = layout::layout(&shape, &some, &options);
        check_properties(&tree, &l, &some, &options);
        let tight = Options { siblings: 1.0, cousins: 1.0, ..options.clone() };
        check_properties(&tree, &layout::layout(&shape, &none, &tight), &none, &tight);
    }
}

#[test]
fn openable_from_names_the_nodes_a_whole_layout_shows_with_children_from_a_depth() {
    for (size, seed) in [(300, 1), (1_000, 7), (3_000, 11)] {
        let tree = Tree::new("gen.json", generator::generate(size, seed)).expect("valid");
        let shape = Shape::new(&tree);
        let whole = layout::layout(&shape, &[], &Options::default());
        let mut shallowest = 0;
        for depth in 0..6 {
            let mut want: Vec<u32> = (0..whole.len())
                .filter(|&k| whole.flags[k] & (HAS_CHILDREN | REFERENCE) == HAS_CHILDREN && whole.depth[k] >= depth)
                .map(|k| whole.node[k])
                .collect();
            want.sort_unstable();
            let got = shape.openable_from(depth);
            assert_eq!(got, want, "{size} nodes, depth {depth}");
            if depth == 0 {
                shallowest = got.len();
            }
        }
        assert!(shallowest > 0, "the generated tree has nodes with children");
        // Closing them hides everything below `depth`: the layout stops there.
        let mut collapsed = vec![false; tree.len()];
        for i in shape.openable_from(2) {
            collapsed[i as usize] = true;
        }
        let l = layout::layout(&shape, &collapsed, &Options::default());
        assert!(l.depth.iter().all(|&d| d <= 2), "{size} nodes");
        assert!(l.depth.contains(&2), "{size} nodes");
    }
}

#[test]
fn a_long_chain_does_not_overflow_the_stack() {
    let mut text = String::from(
        r#"{"version": 1, "organisation": "Chain", "as_of": "2026-11-27", "nodes": [
        {"id": "k0", "kind": "kpi", "title": "k0"}"#,
    );
    for i in 1..50_000 {
        write!(text, r#",{{"id": "k{i}", "kind": "kpi", "title": "k", "parents": ["k{}"]}}"#, i - 1).expect("string");
    }
    text.push_str("]}");
    let doc = kpitree_core::parse_json("chain.json", &text).expect("parses");
    let tree = Tree::new("chain.json", doc.clone()).expect("valid");
    let l = layout::layout(&Shape::new(&tree), &[], &Options::default());
    assert_eq!(l.len(), 50_000);
    assert!(l.x.iter().all(|&x| x == 0.5), "a chain is one column");
    assert_eq!(l.height, 50_000.0);
}

#[test]
fn an_empty_tree_has_an_empty_layout() {
    let doc = kpitree_core::parse_json(
        "e.json",
        r#"{"version": 1, "organisation": "E", "as_of": "2026-11-27", "nodes": []}"#,
    )
    .expect("parses");
    let tree = Tree::new("e.json", doc.clone()).expect("valid");
    let l = layout::layout(&Shape::new(&tree), &[], &Options::default());
    assert!(l.is_empty());
    assert_eq!((l.width, l.height), (0.0, 0.0));
}
