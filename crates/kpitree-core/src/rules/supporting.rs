//! The active KPIs that support an objective or key result, for messages that count or name them
//! (`lagging-only`, `zombie-objective`). Each reported node is a walk, and many reported nodes sharing
//! one huge KPI sub-tree could make that quadratic, so all walks of one rule run share a budget
//! linear in the tree; past it a message leaves the KPIs out (verdicts never depend on it).

use crate::model::NodeKind;
use crate::tree::{Ix, Tree};

/// Visits allowed per node of the tree, shared by all walks of one rule run.
const BUDGET_PER_NODE: usize = 8;

/// Collects supporting KPIs, with the shared work budget.
pub(super) struct Supporting {
    stamp: Vec<u32>,
    epoch: u32,
    budget: usize,
    stack: Vec<Ix>,
}

impl Supporting {
    /// A counter for `tree` with a budget of [`BUDGET_PER_NODE`] visits per node.
    pub(super) fn new(tree: &Tree) -> Supporting {
        Supporting {
            stamp: vec![0; tree.len()],
            epoch: 0,
            budget: tree.len() * BUDGET_PER_NODE + 1024,
            stack: Vec::new(),
        }
    }

    /// Fills `out` with the active KPIs supporting `root`, in document order: its active KPI children
    /// and the active KPIs below them, and for an objective those of its active key results. `None`
    /// when the budget ran out.
    pub(super) fn kpis(&mut self, tree: &Tree, root: Ix, out: &mut Vec<Ix>) -> Option<()> {
        out.clear();
        self.epoch = self.epoch.checked_add(1)?;
        self.stack.clear();
        self.stack.push(root);
        while let Some(i) = self.stack.pop() {
            let kind = tree.node(i).kind;
            for &c in tree.children(i) {
                self.budget = self.budget.checked_sub(1)?;
                let child = tree.node(c);
                let follow = match (kind, child.kind) {
                    (_, NodeKind::Kpi) => true,
                    (NodeKind::Objective, NodeKind::KeyResult) => i == root,
                    _ => false,
                };
                let slot = self.stamp.get_mut(c as usize)?;
                if !follow || !child.is_active() || *slot == self.epoch {
                    continue;
                }
                *slot = self.epoch;
                if child.kind == NodeKind::Kpi {
                    out.push(c);
                }
                self.stack.push(c);
            }
        }
        crate::sort::sort(out);
        Some(())
    }
}
