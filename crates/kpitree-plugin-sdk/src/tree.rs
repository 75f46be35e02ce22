//! The author-facing tree: [`Tree`] and [`Node`] handles over the zero-copy [`TreeView`].

use kpitree_plugin_abi::{
    CheckIns, Date, Direction, Health, Indicator, Ix, Ixs, LinkKind, Measurements, NodeKind, Status, TreeView, Trend,
};

/// The tree a rule checks: read-only, in document order, with the engine's rollups.
#[derive(Clone, Debug)]
pub struct Tree<'a> {
    view: TreeView<'a>,
}

impl<'a> Tree<'a> {
    /// Wraps a checked view.
    pub fn new(view: TreeView<'a>) -> Tree<'a> {
        Tree { view }
    }

    /// The low-level view (node indexes, string references).
    pub fn view(&self) -> &TreeView<'a> {
        &self.view
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.view.node_count() as usize
    }

    /// True for a tree without nodes.
    pub fn is_empty(&self) -> bool {
        self.view.node_count() == 0
    }

    /// The date the tree describes: measure staleness against it, never against a clock.
    pub fn as_of(&self) -> Date {
        self.view.as_of()
    }

    /// Who the tree belongs to.
    pub fn organisation(&self) -> &str {
        self.view.organisation()
    }

    /// Every node, in document order.
    pub fn nodes(&self) -> impl DoubleEndedIterator<Item = Node<'_>> + ExactSizeIterator {
        (0..self.view.node_count()).map(move |ix| Node { tree: self, ix })
    }

    /// The nodes of one kind, in document order.
    pub fn of_kind(&self, kind: NodeKind) -> impl Iterator<Item = Node<'_>> {
        self.nodes().filter(move |n| n.kind() == kind)
    }

    /// The node at position `ix`.
    pub fn node(&self, ix: Ix) -> Option<Node<'_>> {
        (ix < self.view.node_count()).then_some(Node { tree: self, ix })
    }

    /// The node with `id` (a linear search: build your own map if you look up many).
    pub fn find(&self, id: &str) -> Option<Node<'_>> {
        self.nodes().find(|n| n.id() == id)
    }

    /// Every `links` entry (such as `drives` hypotheses), in document order.
    pub fn links(&self) -> impl Iterator<Item = Link<'_>> {
        self.view.links().map(move |l| Link {
            from: Node { tree: self, ix: l.from },
            to: Node { tree: self, ix: l.to },
            kind: l.kind,
            lag_days: l.lag_days,
            note: l.note,
        })
    }
}

/// One node of the tree: a cheap handle (a reference and an index), `Copy`.
#[derive(Clone, Copy)]
pub struct Node<'t> {
    tree: &'t Tree<'t>,
    ix: Ix,
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Node({} {})", self.ix, self.id())
    }
}

impl PartialEq for Node<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.ix == other.ix && std::ptr::eq(self.tree, other.tree)
    }
}

impl Eq for Node<'_> {}

impl<'t> Node<'t> {
    fn v(&self) -> &'t TreeView<'t> {
        &self.tree.view
    }

    /// Position in the document (and in the tree's columns).
    pub fn ix(&self) -> Ix {
        self.ix
    }

    /// Unique id; findings name nodes by it.
    pub fn id(&self) -> &'t str {
        self.v().id(self.ix)
    }

    /// Strategy, objective, key result or KPI.
    pub fn kind(&self) -> NodeKind {
        self.v().kind(self.ix)
    }

    /// Human name.
    pub fn title(&self) -> &'t str {
        self.v().title(self.ix)
    }

    /// `KPI "Win rate" (kpi-win-rate)`: the way the built-in rules name a node in messages.
    pub fn display(&self) -> String {
        format!("{} \"{}\" ({})", self.kind().label(), self.title(), self.id())
    }

    /// Person or team accountable, trimmed; `None` when absent or blank.
    pub fn owner(&self) -> Option<&'t str> {
        self.v().owner(self.ix)
    }

    /// Organisational unit.
    pub fn department(&self) -> Option<&'t str> {
        self.v().department(self.ix)
    }

    /// Why the node exists.
    pub fn rationale(&self) -> Option<&'t str> {
        self.v().rationale(self.ix)
    }

    /// Free text.
    pub fn description(&self) -> Option<&'t str> {
        self.v().description(self.ix)
    }

    /// Unit of the values.
    pub fn unit(&self) -> Option<&'t str> {
        self.v().unit(self.ix)
    }

    /// Objective: its period (`2026-Q4`).
    pub fn period(&self) -> Option<&'t str> {
        self.v().period(self.ix)
    }

    /// Active, draft or retired.
    pub fn status(&self) -> Status {
        self.v().status(self.ix)
    }

    /// True unless draft or retired.
    pub fn is_active(&self) -> bool {
        self.status() == Status::Active
    }

    /// Key result: value at the start of the period.
    pub fn start(&self) -> Option<f64> {
        self.v().start(self.ix)
    }

    /// Key result or KPI: the value aimed for.
    pub fn target(&self) -> Option<f64> {
        self.v().target(self.ix)
    }

    /// Key result or KPI: `current` as written in the document (see [`Node::value`]).
    pub fn current(&self) -> Option<f64> {
        self.v().current(self.ix)
    }

    /// Key result: the team's confidence as written in the document.
    pub fn confidence(&self) -> Option<f64> {
        self.v().confidence(self.ix)
    }

    /// KPI: `(at_risk, off_track)` thresholds.
    pub fn thresholds(&self) -> Option<(f64, f64)> {
        self.v().thresholds(self.ix)
    }

    /// Key result or objective: the engine's OKR score, 0.0-1.0.
    pub fn score(&self) -> Option<f64> {
        self.v().score(self.ix)
    }

    /// Key result or KPI: the latest value (latest check-in or measurement, else `current`).
    pub fn value(&self) -> Option<f64> {
        self.v().value(self.ix)
    }

    /// The engine's status: on track, at risk, off track or unknown.
    pub fn health(&self) -> Option<Health> {
        self.v().health(self.ix)
    }

    /// KPI: whether its series is improving, worsening or flat (three points or more).
    pub fn trend(&self) -> Option<Trend> {
        self.v().trend(self.ix)
    }

    /// KPI: least-squares change per 30 days, in its unit.
    pub fn trend_per_30_days(&self) -> Option<f64> {
        self.v().trend_per_30_days(self.ix)
    }

    /// KPI: which way is better.
    pub fn direction(&self) -> Option<Direction> {
        self.v().direction(self.ix)
    }

    /// KPI: leading or lagging.
    pub fn indicator(&self) -> Option<Indicator> {
        self.v().indicator(self.ix)
    }

    /// KPI: when someone last asked whether it is still needed.
    pub fn last_reviewed(&self) -> Option<Date> {
        self.v().last_reviewed(self.ix)
    }

    /// Key result: expected days between check-ins, when the document sets it.
    pub fn cadence_days(&self) -> Option<u32> {
        self.v().cadence_days(self.ix)
    }

    /// Feeds someone's personal appraisal or pay.
    pub fn used_in_appraisal(&self) -> bool {
        self.v().used_in_appraisal(self.ix)
    }

    /// The nodes this one contributes to, in the order its `parents` lists them.
    pub fn parents(&self) -> NodeIter<'t> {
        NodeIter { tree: self.tree, ixs: self.v().parents(self.ix) }
    }

    /// The nodes that contribute to this one, in document order.
    pub fn children(&self) -> NodeIter<'t> {
        NodeIter { tree: self.tree, ixs: self.v().children(self.ix) }
    }

    /// Every node above this one (parents, their parents, …), each once, nearest first.
    pub fn ancestors(&self) -> Vec<Node<'t>> {
        let mut out: Vec<Node<'t>> = Vec::new();
        let mut head = 0;
        let mut frontier = *self;
        loop {
            for p in frontier.parents() {
                if p.ix != self.ix && !out.iter().any(|q| q.ix == p.ix) {
                    out.push(p);
                }
            }
            match out.get(head) {
                Some(&next) => {
                    frontier = next;
                    head += 1;
                }
                None => return out,
            }
        }
    }

    /// KPI: its measurements, sorted by date.
    pub fn measurements(&self) -> Measurements<'t> {
        self.v().measurements(self.ix)
    }

    /// Key result: its check-ins, sorted by date.
    pub fn check_ins(&self) -> CheckIns<'t, 't> {
        self.v().check_ins(self.ix)
    }

    /// The owner's string reference: equal exactly when owners are equal (group without hashing).
    pub fn owner_ref(&self) -> Option<u32> {
        self.v().owner_ref(self.ix)
    }
}

/// Nodes by index (parents, children).
#[derive(Clone, Debug)]
pub struct NodeIter<'t> {
    tree: &'t Tree<'t>,
    ixs: Ixs<'t>,
}

impl<'t> Iterator for NodeIter<'t> {
    type Item = Node<'t>;
    fn next(&mut self) -> Option<Node<'t>> {
        self.ixs.next().map(|ix| Node { tree: self.tree, ix })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.ixs.size_hint()
    }
}

impl DoubleEndedIterator for NodeIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.ixs.next_back().map(|ix| Node { tree: self.tree, ix })
    }
}

impl ExactSizeIterator for NodeIter<'_> {}

/// A typed edge between two nodes, such as a `drives` hypothesis.
#[derive(Clone, Copy, Debug)]
pub struct Link<'t> {
    /// The driver.
    pub from: Node<'t>,
    /// The outcome.
    pub to: Node<'t>,
    /// What the edge claims.
    pub kind: LinkKind,
    /// Days the outcome is expected to trail the driver.
    pub lag_days: Option<u32>,
    /// Free text.
    pub note: Option<&'t str>,
}
