//! The validated tree: a DAG of nodes (edges run from a node to the nodes it contributes to), with
//! index lookups by id and adjacency in document order.
//!
//! **Invariant:** a [`Tree`] exists only for a document that passed validation: ids are unique, every
//! parent and link end exists, parent kinds are legal and there are no cycles. Rules rely on it.

use crate::error::{LoadError, Location, Problem, ProblemKind};
use crate::model::{FORMAT_VERSION, Link, Node, NodeKind, TreeDoc};
use crate::source::SourceMap;
use hashbrown::HashTable;
use kpitree_decimal::shortest;
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::hash::BuildHasher;

/// Position of a node in `TreeDoc::nodes`.
pub type Ix = u32;

/// Adjacency lists packed in one vector (compressed sparse rows), in document order.
#[derive(Debug, Default)]
struct Adjacency {
    offsets: Vec<u32>,
    targets: Vec<Ix>,
}

impl Adjacency {
    fn of(&self, i: Ix) -> &[Ix] {
        let i = i as usize;
        &self.targets[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

/// Node positions by id. The table holds positions only and compares ids through the document, so
/// the tree can own its document without a second copy of every id.
#[derive(Debug, Default)]
struct IdIndex {
    table: HashTable<Ix>,
}

impl IdIndex {
    fn hash(id: &str) -> u64 {
        FxBuildHasher.hash_one(id)
    }

    fn with_capacity(n: usize) -> IdIndex {
        IdIndex { table: HashTable::with_capacity(n) }
    }

    fn get(&self, nodes: &[Node], id: &str) -> Option<Ix> {
        self.table.find(Self::hash(id), |&i| nodes[i as usize].id == id).copied()
    }

    /// Adds node `i`, whose id must not be in the index yet.
    fn insert_new(&mut self, nodes: &[Node], i: Ix) {
        self.table.insert_unique(Self::hash(&nodes[i as usize].id), i, |&j| Self::hash(&nodes[j as usize].id));
    }
}

/// What validation builds beside the document: the id index, the graph and the orders.
#[derive(Debug)]
struct Graph {
    index: IdIndex,
    graph: DiGraph<(), ()>,
    parents: Adjacency,
    children: Adjacency,
    topo: Vec<Ix>,
}

/// A validated tree. It owns its document and, when it was read from text, the [`SourceMap`] that
/// places its nodes in that text.
#[derive(Debug)]
pub struct Tree {
    doc: TreeDoc,
    source: SourceMap,
    g: Graph,
}

impl Tree {
    /// Validates `doc` and builds the graph, or returns every problem found. `file` names the source.
    /// Problems carry no line numbers: [`Tree::with_source`] places them in the text.
    pub fn new(file: &str, doc: TreeDoc) -> Result<Tree, LoadError> {
        Tree::with_source(file, doc, SourceMap::default())
    }

    /// [`Tree::new`] for a document read from text: `source` places the problems at their lines and
    /// stays with the tree for whoever points at its nodes (SARIF, the server).
    pub fn with_source(file: &str, doc: TreeDoc, source: SourceMap) -> Result<Tree, LoadError> {
        Tree::validate(file, doc, source).map_err(|failed| failed.0)
    }

    /// [`Tree::with_source`], giving the document back with the problems.
    pub(crate) fn validate(file: &str, doc: TreeDoc, source: SourceMap) -> Result<Tree, Box<(LoadError, TreeDoc)>> {
        match Graph::build(file, &doc) {
            Ok(g) => Ok(Tree { doc, source, g }),
            Err(mut e) => {
                for p in &mut e.problems {
                    p.describe_once();
                }
                source.locate(&mut e, Some(&doc));
                Err(Box::new((e, doc)))
            }
        }
    }

    /// The tree, or `None` when `doc` is invalid, without describing or placing the problems (see
    /// `crate::validate_unplaced`).
    pub(crate) fn valid(file: &str, doc: TreeDoc) -> Option<Tree> {
        let g = Graph::build(file, &doc).ok()?;
        Some(Tree { doc, source: SourceMap::default(), g })
    }

    /// The document.
    pub fn doc(&self) -> &TreeDoc {
        &self.doc
    }

    /// The document, given back.
    pub fn into_doc(self) -> TreeDoc {
        self.doc
    }

    /// Where the nodes stand in the text the tree was read from: a CSV tree's rows; a JSON tree's
    /// members once [`Tree::place_json`] placed them; empty for a tree made from data.
    pub fn source(&self) -> &SourceMap {
        &self.source
    }

    /// Places the nodes and links in `text`, the JSON the tree was read from. Loading leaves this to
    /// whoever shows positions (SARIF): it costs a scan of the text that a check never needs.
    pub fn place_json(&mut self, text: &str) {
        self.source = crate::json::source_map(text, self.doc.nodes.len(), self.doc.links.len());
    }

    /// All nodes, in document order (an [`Ix`] is a position here).
    pub fn nodes(&self) -> &[Node] {
        &self.doc.nodes
    }

    /// The node at `i`.
    pub fn node(&self, i: Ix) -> &Node {
        &self.doc.nodes[i as usize]
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.doc.nodes.len()
    }

    /// True for a tree without nodes.
    pub fn is_empty(&self) -> bool {
        self.doc.nodes.is_empty()
    }

    /// Position of the node with `id`.
    pub fn ix(&self, id: &str) -> Option<Ix> {
        self.g.index.get(&self.doc.nodes, id)
    }

    /// The nodes `i` contributes to, in the order its `parents` lists them.
    pub fn parents(&self, i: Ix) -> &[Ix] {
        self.g.parents.of(i)
    }

    /// The nodes that contribute to `i`, in document order.
    pub fn children(&self, i: Ix) -> &[Ix] {
        self.g.children.of(i)
    }

    /// Every node, parents before children (ties in document order).
    pub fn top_down(&self) -> &[Ix] {
        &self.g.topo
    }

    /// The petgraph view: node `i` is `NodeIndex::new(i)`; edges run child -> parent.
    pub fn graph(&self) -> &DiGraph<(), ()> {
        &self.g.graph
    }

    /// Positions of nodes of one kind, in document order.
    pub fn of_kind(&self, kind: NodeKind) -> impl Iterator<Item = Ix> + '_ {
        self.doc.nodes.iter().enumerate().filter(move |(_, n)| n.kind == kind).map(|(i, _)| i as Ix)
    }

    /// The drives links whose ends are `(from, to)` positions.
    pub fn links(&self) -> impl Iterator<Item = (&Link, Ix, Ix)> + '_ {
        self.doc.links.iter().filter_map(|l| Some((l, self.ix(&l.from)?, self.ix(&l.to)?)))
    }
}

impl Graph {
    /// Validates `doc` and builds the graph, or returns every problem found.
    fn build(file: &str, doc: &TreeDoc) -> Result<Graph, LoadError> {
        let mut problems = Vec::new();
        if doc.version != FORMAT_VERSION {
            problems.push(Problem::undescribed(
                ProblemKind::UnsupportedVersion { found: doc.version },
                Location { field: Some("version".into()), ..Location::default() },
            ));
        }
        let index = index_ids(doc, &mut problems);
        for (i, node) in doc.nodes.iter().enumerate() {
            check_fields(i, node, &mut problems);
        }
        let n = doc.nodes.len();
        let mut graph = DiGraph::<(), ()>::with_capacity(n, n + n / 4);
        for _ in 0..n {
            graph.add_node(());
        }
        let mut parents = Adjacency { offsets: Vec::with_capacity(n + 1), targets: Vec::with_capacity(n + n / 4) };
        parents.offsets.push(0);
        let mut child_counts = vec![0u32; n];
        // `listed_by[p] == i + 1`: node `i` already lists `p` (finds repeats without a scan of the list).
        let mut listed_by = vec![0u32; n];
        for (i, node) in doc.nodes.iter().enumerate() {
            for (k, pid) in node.parents.iter().enumerate() {
                let field = || Some(format!("parents[{k}]"));
                let Some(p) = index.get(&doc.nodes, pid) else {
                    problems.push(node_problem(i, node, field(), ProblemKind::UnknownParent { parent: pid.clone() }));
                    continue;
                };
                if listed_by[p as usize] == i as u32 + 1 {
                    problems.push(node_problem(i, node, field(), ProblemKind::RepeatedParent { parent: pid.clone() }));
                    continue;
                }
                listed_by[p as usize] = i as u32 + 1;
                let pk = doc.nodes[p as usize].kind;
                if !node.kind.legal_parents().contains(&pk) {
                    let allowed = match node.kind.legal_parents() {
                        [] => "none: it is a root".to_owned(),
                        kinds => kind_list(kinds),
                    };
                    problems.push(node_problem(
                        i,
                        node,
                        field(),
                        ProblemKind::IllegalParent {
                            child_kind: node.kind.as_str(),
                            parent: pid.clone(),
                            parent_kind: pk.as_str(),
                            allowed,
                        },
                    ));
                    // Still add the edge, so a cycle through it is reported too.
                }
                parents.targets.push(p);
                child_counts[p as usize] += 1;
                graph.add_edge(NodeIndex::new(i), NodeIndex::new(p as usize), ());
            }
            parents.offsets.push(parents.targets.len() as u32);
        }
        for (k, link) in doc.links.iter().enumerate() {
            check_link(k, link, &doc.nodes, &index, &mut problems);
        }
        drop(listed_by);
        let children = invert(&parents, &child_counts);
        drop(child_counts);
        let topo = top_down_order(&parents, &children);
        // Every node has a place in the order unless some lie on or under a cycle.
        if topo.len() < n {
            find_cycles(doc, &graph, &mut problems);
        }
        if !problems.is_empty() {
            // Document order: document-level problems, then by node, then links (stable within each).
            crate::sort::sort_by_key(&mut problems, |p: &Problem| match (p.at.position, p.at.field.as_deref()) {
                (Some(pos), _) => (1, pos),
                (None, Some(f)) if f.starts_with("links[") => (2, 0),
                _ => (0, 0),
            });
            return Err(LoadError { file: file.to_owned(), problems });
        }
        Ok(Graph { index, graph, parents, children, topo })
    }
}

fn out_of_range(detail: String) -> ProblemKind {
    ProblemKind::OutOfRange { detail }
}

fn node_problem(position: usize, node: &Node, field: Option<String>, kind: ProblemKind) -> Problem {
    Problem::undescribed(
        kind,
        Location { node: Some(node.id.clone()), field, position: Some(position), ..Location::default() },
    )
}

fn index_ids(doc: &TreeDoc, problems: &mut Vec<Problem>) -> IdIndex {
    let mut index = IdIndex::with_capacity(doc.nodes.len());
    let mut dups: Vec<(&str, Vec<usize>)> = Vec::new();
    // Position in `dups` of each duplicated id.
    let mut dup_of: FxHashMap<&str, usize> = FxHashMap::default();
    for (i, node) in doc.nodes.iter().enumerate() {
        if node.id.trim().is_empty() {
            problems.push(Problem::undescribed(
                ProblemKind::EmptyId { position: i },
                Location { field: Some(format!("nodes[{i}].id")), position: Some(i), ..Location::default() },
            ));
            continue;
        }
        if let Some(first) = index.get(&doc.nodes, &node.id) {
            match dup_of.get(node.id.as_str()) {
                Some(&k) => dups[k].1.push(i),
                None => {
                    dup_of.insert(&node.id, dups.len());
                    dups.push((&node.id, vec![first as usize, i]));
                }
            }
        } else {
            index.insert_new(&doc.nodes, i as Ix);
        }
    }
    for (id, positions) in dups {
        let second = positions.get(1).copied();
        problems.push(Problem::undescribed(
            ProblemKind::DuplicateId { id: id.to_owned(), positions },
            Location { node: Some(id.to_owned()), field: Some("id".into()), position: second, ..Location::default() },
        ));
    }
    index
}

/// Which kinds may carry each kind-specific field.
fn check_fields(i: usize, node: &Node, problems: &mut Vec<Problem>) {
    use NodeKind::*;
    let present: [(&str, bool, &[NodeKind]); 14] = [
        ("period", node.period.is_some(), &[Objective]),
        ("start", node.start.is_some(), &[KeyResult]),
        ("target", node.target.is_some(), &[KeyResult, Kpi]),
        ("current", node.current.is_some(), &[KeyResult, Kpi]),
        ("unit", node.unit.is_some(), &[KeyResult, Kpi]),
        ("confidence", node.confidence.is_some(), &[KeyResult]),
        ("check_ins", !node.check_ins.is_empty(), &[KeyResult]),
        ("cadence_days", node.cadence_days.is_some(), &[KeyResult]),
        ("direction", node.direction.is_some(), &[KeyResult, Kpi]),
        ("indicator", node.indicator.is_some(), &[Kpi]),
        ("thresholds", node.thresholds.is_some(), &[Kpi]),
        ("measurements", !node.measurements.is_empty(), &[Kpi]),
        ("last_reviewed", node.last_reviewed.is_some(), &[Kpi]),
        ("used_in_appraisal", node.used_in_appraisal, &[Objective, KeyResult, Kpi]),
    ];
    for (field, is_set, kinds) in present {
        if is_set && !kinds.contains(&node.kind) {
            let allowed = kind_list(kinds);
            problems.push(node_problem(
                i,
                node,
                Some(field.into()),
                ProblemKind::FieldNotAllowed { kind: node.kind.as_str(), allowed },
            ));
        }
    }
    let mut problem = |field: String, kind: ProblemKind| problems.push(node_problem(i, node, Some(field), kind));
    let numbers = [("start", node.start), ("target", node.target), ("current", node.current)];
    for (field, v) in numbers {
        if let Some(v) = v.filter(|v| !v.is_finite()) {
            problem(field.into(), out_of_range(format!("{} is not a finite number", shortest(v))));
        }
    }
    let unit_interval = |v: f64| (0.0..=1.0).contains(&v);
    if let Some(c) = node.confidence.filter(|c| !unit_interval(*c)) {
        problem("confidence".into(), out_of_range(format!("confidence {} is outside 0.0-1.0", shortest(c))));
    }
    for (k, ci) in node.check_ins.iter().enumerate() {
        if let Some(c) = ci.confidence.filter(|c| !unit_interval(*c)) {
            problem(
                format!("check_ins[{k}].confidence"),
                out_of_range(format!("confidence {} is outside 0.0-1.0", shortest(c))),
            );
        }
        if !ci.value.is_finite() {
            problem(
                format!("check_ins[{k}].value"),
                out_of_range(format!("{} is not a finite number", shortest(ci.value))),
            );
        }
    }
    for (k, m) in node.measurements.iter().enumerate() {
        if !m.value.is_finite() {
            problem(
                format!("measurements[{k}].value"),
                out_of_range(format!("{} is not a finite number", shortest(m.value))),
            );
        }
    }
    for (k, w) in node.waivers.iter().enumerate() {
        if !crate::waivers::rule_ok(&w.rule) {
            problem(format!("waivers[{k}].rule"), ProblemKind::WaiverRule { rule: w.rule.clone() });
        }
        if w.reason.trim().is_empty() {
            problem(
                format!("waivers[{k}].reason"),
                out_of_range("a waiver must say why the finding is accepted".into()),
            );
        }
    }
    if node.waivers.len() > 1 {
        // Sorted, so a node with many waivers costs n log n.
        let mut rules: Vec<(&str, usize)> =
            node.waivers.iter().enumerate().map(|(k, w)| (w.rule.as_str(), k)).collect();
        crate::sort::sort(&mut rules);
        for pair in rules.windows(2) {
            if let [(a, _), (b, k)] = pair
                && a == b
            {
                problem(format!("waivers[{k}].rule"), out_of_range(format!("`{b}` is waived twice on this node")));
            }
        }
    }
    if node.cadence_days == Some(0) {
        problem("cadence_days".into(), out_of_range("cadence_days must be at least 1".into()));
    }
    if let Some(t) = node.thresholds {
        let dir = node.direction.unwrap_or(crate::model::Direction::HigherIsBetter);
        // Read in the KPI's direction, off_track must lie beyond at_risk.
        if !t.at_risk.is_finite() || !t.off_track.is_finite() || (t.at_risk - t.off_track) * dir.sign() < 0.0 {
            problem(
                "thresholds".into(),
                out_of_range(format!(
                    "off_track ({}) must be at or beyond at_risk ({}) for a {} KPI",
                    shortest(t.off_track),
                    shortest(t.at_risk),
                    dir.as_str().replace('_', " ")
                )),
            );
        }
    }
}

fn check_link(k: usize, link: &Link, nodes: &[Node], index: &IdIndex, problems: &mut Vec<Problem>) {
    let at = |field: &str| Location {
        node: Some(format!("{}->{}", link.from, link.to)),
        field: Some(format!("links[{k}].{field}")),
        ..Location::default()
    };
    for (end, id) in [("from", &link.from), ("to", &link.to)] {
        if index.get(nodes, id).is_none() {
            problems.push(Problem::undescribed(ProblemKind::UnknownLinkEnd { end, id: id.clone() }, at(end)));
        }
    }
    if link.from == link.to {
        problems.push(Problem::undescribed(ProblemKind::SelfLink, at("to")));
    }
}

/// Cycles with more nodes than this are shown by their first and last ids and their length.
const CYCLE_SHOWN: usize = 10;

/// Reports one cycle per strongly connected component, as a path of ids. Kosaraju's algorithm in
/// petgraph is iterative (Tarjan's there recurses once per node on the path, as deep as the input).
fn find_cycles(doc: &TreeDoc, graph: &DiGraph<(), ()>, problems: &mut Vec<Problem>) {
    let mut sccs: Vec<Vec<NodeIndex>> =
        kosaraju_scc(graph).into_iter().filter(|c| c.len() > 1 || graph.contains_edge(c[0], c[0])).collect();
    for c in &mut sccs {
        crate::sort::sort(c);
    }
    crate::sort::sort(&mut sccs);
    for scc in sccs {
        let start = scc[0];
        let path = cycle_path(graph, &scc, start);
        let id = |i: &NodeIndex| doc.nodes[i.index()].id.clone();
        // `path` ends where it starts: `len` distinct nodes.
        let len = path.len() - 1;
        let (ids, omitted) = if len <= CYCLE_SHOWN {
            (path.iter().map(id).collect(), 0)
        } else {
            let head = CYCLE_SHOWN / 2;
            let tail = CYCLE_SHOWN - head - 1;
            let ids = path[..head].iter().chain(&path[len - tail..]).map(id).collect();
            (ids, len - head - tail)
        };
        let node = &doc.nodes[start.index()];
        problems.push(node_problem(
            start.index(),
            node,
            Some("parents".into()),
            ProblemKind::Cycle { path: ids, omitted },
        ));
    }
}

/// A simple cycle through `start` inside its component, found by an iterative depth-first search.
fn cycle_path(graph: &DiGraph<(), ()>, scc: &[NodeIndex], start: NodeIndex) -> Vec<NodeIndex> {
    let mut path = vec![start];
    let mut visited = rustc_hash::FxHashSet::default();
    visited.insert(start);
    let mut stack = vec![graph.neighbors(start).collect::<Vec<_>>()];
    while let Some(next) = stack.last_mut() {
        match next.pop() {
            Some(n) if n == start => {
                path.push(start);
                return path;
            }
            Some(n) if scc.binary_search(&n).is_ok() && visited.insert(n) => {
                path.push(n);
                stack.push(graph.neighbors(n).collect());
            }
            Some(_) => {}
            None => {
                stack.pop();
                path.pop();
            }
        }
    }
    vec![start, start]
}

fn invert(parents: &Adjacency, child_counts: &[u32]) -> Adjacency {
    let n = child_counts.len();
    let mut offsets = Vec::with_capacity(n + 1);
    let mut acc = 0u32;
    offsets.push(0);
    for c in child_counts {
        acc += c;
        offsets.push(acc);
    }
    let mut fill = offsets.clone();
    let mut targets = vec![0; acc as usize];
    for child in 0..n as Ix {
        for &p in parents.of(child) {
            let slot = &mut fill[p as usize];
            targets[*slot as usize] = child;
            *slot += 1;
        }
    }
    Adjacency { offsets, targets }
}

/// `objective, key_result`: the kinds' names joined by commas.
fn kind_list(kinds: &[NodeKind]) -> String {
    let mut out = String::new();
    for (k, kind) in kinds.iter().enumerate() {
        if k > 0 {
            out.push_str(", ");
        }
        out.push_str(kind.as_str());
    }
    out
}

/// Kahn's algorithm from the roots down; the queue is processed in document order.
fn top_down_order(parents: &Adjacency, children: &Adjacency) -> Vec<Ix> {
    let n = parents.offsets.len() - 1;
    let mut pending: Vec<u32> = Vec::with_capacity(n);
    let mut order: Vec<Ix> = Vec::new();
    for i in 0..n as Ix {
        let p = parents.of(i).len() as u32;
        pending.push(p);
        if p == 0 {
            order.push(i);
        }
    }
    let mut head = 0;
    while head < order.len() {
        let i = order[head];
        head += 1;
        for &c in children.of(i) {
            pending[c as usize] -= 1;
            if pending[c as usize] == 0 {
                order.push(c);
            }
        }
    }
    order
}
