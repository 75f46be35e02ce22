//! Adversarial shapes, for the scaling benchmarks and `scripts/bench-shapes.sh`: trees whose depth,
//! fan-out, parent count or layout grows with their size, where a recursive walk, a quadratic scan or
//! a large intermediate shows first.
//!
//! - `plain`: the realistic tree of [`super::generate`], pretty-printed;
//! - `deep-chain`: one path from the root to the last node (half objectives, then a key result, then
//!   KPIs under KPIs), listed child-first, so a walk as deep as the input sees all of it;
//! - `long-cycle`: `n` objectives, each the parent of the previous: one cycle through every node;
//! - `one-line`: the realistic tree minified onto one line (valid);
//! - `one-line-invalid`: the same with an unknown parent on its last node, so it is rejected and
//!   every problem is located in one long line;
//! - `wide-fan`: one key result with `n - 3` KPIs under it;
//! - `many-parents`: one KPI under `n / 10` key results (100k parents at 1M nodes), the rest KPIs
//!   spread over those key results;
//! - `shared-chain`: a chain of `n / 3` objectives, each with a key result, and under each key result
//!   a KPI that the next objective shares: every objective's children overlap, so exact health scopes
//!   would need a walk per objective (the walk budget of `report.rs`).

use super::{SEED, as_of, generate};
use kpitree_core::model::{Node, NodeKind, TreeDoc};

/// A document shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// The realistic tree.
    Plain,
    /// One path through every node, listed child-first.
    DeepChain,
    /// One cycle through every node.
    LongCycle,
    /// The realistic tree on one line.
    OneLine,
    /// The realistic tree on one line, with a validation problem.
    OneLineInvalid,
    /// One parent with nearly every node under it.
    WideFan,
    /// One node with `n / 10` parents.
    ManyParents,
    /// A chain of objectives whose children share KPIs.
    SharedChain,
}

/// Every shape, in the order tables show them.
pub const ALL: [Shape; 8] = [
    Shape::Plain,
    Shape::DeepChain,
    Shape::LongCycle,
    Shape::OneLine,
    Shape::OneLineInvalid,
    Shape::WideFan,
    Shape::ManyParents,
    Shape::SharedChain,
];

impl Shape {
    /// The shape's name in file names, tables and benchmark ids.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Plain => "plain",
            Shape::DeepChain => "deep-chain",
            Shape::LongCycle => "long-cycle",
            Shape::OneLine => "one-line",
            Shape::OneLineInvalid => "one-line-invalid",
            Shape::WideFan => "wide-fan",
            Shape::ManyParents => "many-parents",
            Shape::SharedChain => "shared-chain",
        }
    }

    /// The shape named `name`.
    pub fn parse(name: &str) -> Option<Shape> {
        ALL.into_iter().find(|s| s.name() == name)
    }

    /// Whether the document is valid (`kpitree validate` accepts it).
    pub fn is_valid(self) -> bool {
        !matches!(self, Shape::LongCycle | Shape::OneLineInvalid)
    }

    /// The document of `n` nodes (n >= 100) in this shape.
    pub fn doc(self, n: usize) -> TreeDoc {
        match self {
            Shape::Plain | Shape::OneLine => generate(n, SEED),
            Shape::OneLineInvalid => {
                let mut doc = generate(n, SEED);
                if let Some(last) = doc.nodes.last_mut() {
                    last.parents.push("no-such-node".into());
                }
                doc
            }
            Shape::DeepChain => deep_chain(n),
            Shape::LongCycle => long_cycle(n),
            Shape::WideFan => wide_fan(n),
            Shape::ManyParents => many_parents(n),
            Shape::SharedChain => shared_chain(n),
        }
    }

    /// The document's text: pretty JSON, or minified for the one-line shapes.
    pub fn text(self, n: usize) -> String {
        let doc = self.doc(n);
        match self {
            Shape::OneLine | Shape::OneLineInvalid => {
                let mut s = serde_json::to_string(&doc).expect("a document serialises");
                s.push('\n');
                s
            }
            _ => kpitree_core::to_json(&doc),
        }
    }
}

fn doc(nodes: Vec<Node>) -> TreeDoc {
    TreeDoc {
        schema: None,
        version: 1,
        organisation: "Shape Co".into(),
        as_of: as_of(),
        description: None,
        nodes,
        links: Vec::new(),
    }
}

fn node(id: String, kind: NodeKind, title: String, parent: Option<String>) -> Node {
    let mut n = Node::new(id, kind, title);
    n.owner = Some("Team".into());
    n.rationale = Some("Shape benchmark".into());
    n.parents.extend(parent);
    match kind {
        NodeKind::Objective => n.period = Some("2026-H2".into()),
        NodeKind::KeyResult => {
            n.start = Some(0.0);
            n.target = Some(100.0);
            n.current = Some(50.0);
        }
        NodeKind::Kpi => {
            n.target = Some(10.0);
            n.current = Some(9.0);
            n.last_reviewed = Some(as_of());
        }
        NodeKind::Strategy => {}
    }
    n
}

fn deep_chain(n: usize) -> TreeDoc {
    let objectives = n / 2;
    let mut nodes = Vec::with_capacity(n);
    nodes.push(node("s".into(), NodeKind::Strategy, "Root".into(), None));
    for k in 1..=objectives {
        let parent = if k == 1 { "s".to_owned() } else { format!("o{}", k - 1) };
        nodes.push(node(format!("o{k}"), NodeKind::Objective, format!("Objective {k}"), Some(parent)));
    }
    nodes.push(node("kr".into(), NodeKind::KeyResult, "Result".into(), Some(format!("o{objectives}"))));
    for k in 1..=n.saturating_sub(objectives + 2) {
        let parent = if k == 1 { "kr".to_owned() } else { format!("k{}", k - 1) };
        nodes.push(node(format!("k{k}"), NodeKind::Kpi, format!("Metric {k}"), Some(parent)));
    }
    nodes.reverse();
    doc(nodes)
}

fn long_cycle(n: usize) -> TreeDoc {
    let nodes = (0..n)
        .map(|k| {
            let parent = format!("o{}", (k + 1) % n);
            node(format!("o{k}"), NodeKind::Objective, format!("Objective {k}"), Some(parent))
        })
        .collect();
    doc(nodes)
}

fn wide_fan(n: usize) -> TreeDoc {
    let mut nodes = Vec::with_capacity(n);
    nodes.push(node("s".into(), NodeKind::Strategy, "Root".into(), None));
    nodes.push(node("o".into(), NodeKind::Objective, "Objective".into(), Some("s".into())));
    nodes.push(node("kr".into(), NodeKind::KeyResult, "Result".into(), Some("o".into())));
    for k in 1..=n.saturating_sub(3) {
        nodes.push(node(format!("k{k}"), NodeKind::Kpi, format!("Metric {k}"), Some("kr".into())));
    }
    doc(nodes)
}

fn many_parents(n: usize) -> TreeDoc {
    let krs = n / 10;
    let objectives = krs.div_ceil(5);
    let mut nodes = Vec::with_capacity(n);
    nodes.push(node("s".into(), NodeKind::Strategy, "Root".into(), None));
    for k in 0..objectives {
        nodes.push(node(format!("o{k}"), NodeKind::Objective, format!("Objective {k}"), Some("s".into())));
    }
    for k in 0..krs {
        nodes.push(node(format!("r{k}"), NodeKind::KeyResult, format!("Result {k}"), Some(format!("o{}", k / 5))));
    }
    let mut shared = node("shared".into(), NodeKind::Kpi, "Shared metric".into(), None);
    shared.parents = (0..krs).map(|k| format!("r{k}")).collect();
    nodes.push(shared);
    let mut k = 0;
    while nodes.len() < n {
        nodes.push(node(format!("k{k}"), NodeKind::Kpi, format!("Metric {k}"), Some(format!("r{}", k % krs))));
        k += 1;
    }
    doc(nodes)
}

fn shared_chain(n: usize) -> TreeDoc {
    let objectives = n.saturating_sub(1) / 3;
    let mut nodes = Vec::with_capacity(n);
    nodes.push(node("s".into(), NodeKind::Strategy, "Root".into(), None));
    for k in 0..objectives {
        let parent = if k == 0 { "s".to_owned() } else { format!("o{}", k - 1) };
        nodes.push(node(format!("o{k}"), NodeKind::Objective, format!("Objective {k}"), Some(parent)));
        nodes.push(node(format!("r{k}"), NodeKind::KeyResult, format!("Result {k}"), Some(format!("o{k}"))));
    }
    for k in 0..objectives.saturating_sub(1) {
        let mut kpi = node(format!("k{k}"), NodeKind::Kpi, format!("Metric {k}"), Some(format!("r{k}")));
        kpi.parents.push(format!("o{}", k + 1));
        nodes.push(kpi);
    }
    doc(nodes)
}
