//! `missing-owner`
//!
//! **What it does:** finds active nodes (of any kind) without an owner, or with a blank one.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** a KPI with no `owner` field; an objective with `"owner": "  "`.
//!
//! **Default severity:** error: every other fix needs someone to make it.
//! Fixtures: `tests/rules/missing-owner/`.

use super::{Context, Rule, RuleMeta, Sink};
use crate::finding::Severity;

/// See the module documentation.
pub struct MissingOwner;

static META: RuleMeta = RuleMeta {
    id: "missing-owner",
    // An error by default: ownership is the cheapest fix in the tree and the one every other fix needs.
    severity: Severity::Error,
    summary: "a node without an owner",
    why: "A metric or objective nobody owns is nobody's job to explain, to act on when it moves, or to retire \
          when it stops being useful. Unclear ownership is one of the commonest ways a KPI tree rots.",
    fix: "Name one accountable person or team in `owner`.",
    params: &[],
};

impl Rule for MissingOwner {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (i, node) in cx.tree.nodes().iter().enumerate() {
            if node.is_active() && node.owner().is_none() {
                let parent = cx.tree.parents(i as u32).first().and_then(|&p| cx.node(p).owner());
                let message = format!("{} has no owner", node.display());
                match parent {
                    Some(p) => out.report_fix(
                        &[i as u32],
                        message,
                        format!("Name one accountable person or team in `owner` (its parent is owned by {p})."),
                    ),
                    None => out.report(&[i as u32], message),
                }
            }
        }
    }
}
