//! `missing-rationale`
//!
//! **What it does:** finds active KPIs nobody can explain: the KPI has no `rationale` (a blank one
//! counts as none), no active objective it serves through active nodes has a rationale, and it is not
//! the driver (`from`) of any `drives` link. A `description` alone does not count: it says what the
//! KPI measures, not why it is kept. Severity `info` by default. No parameters.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** a KPI under a key result whose objective has no rationale, with no rationale of its own
//! and no `drives` link, is reported; the same KPI passes once its objective states a rationale, once it
//! drives another KPI, or once it has a rationale itself. Fixtures: `tests/rules/missing-rationale/`.

use super::{Context, Rule, RuleMeta, Sink};
use crate::finding::Severity;
use crate::model::{LinkKind, NodeKind};

/// See the module documentation.
pub struct MissingRationale;

static META: RuleMeta = RuleMeta {
    id: "missing-rationale",
    severity: Severity::Info,
    summary: "a KPI nobody can explain: no rationale and no link to an objective's reasoning",
    why: "A healthy tree can say why each KPI exists: in its own rationale, through the reasoning of the \
          objective it serves, or through a stated hypothesis that it drives an outcome. A KPI with none of these \
          is kept by habit, cannot be judged when it moves and cannot be retired with confidence.",
    fix: "Write in `rationale` why the KPI exists and which decision it informs, give the objective it serves a \
          rationale, or state the outcome it drives with a `drives` link. If nobody can, retire it.",
    params: &[],
};

impl Rule for MissingRationale {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let tree = cx.tree;
        // explained[i]: i is active and is, or reaches through active nodes, an active objective with a rationale.
        let mut explained = vec![false; tree.len()];
        for &i in tree.top_down() {
            let n = tree.node(i);
            explained[i as usize] = n.is_active()
                && ((n.kind == NodeKind::Objective && has_text(n.rationale.as_deref()))
                    || tree.parents(i).iter().any(|&p| explained.get(p as usize).copied().unwrap_or(false)));
        }
        let mut drives = vec![false; tree.len()];
        for (link, from, _) in tree.links() {
            if link.kind == LinkKind::Drives
                && let Some(d) = drives.get_mut(from as usize)
            {
                *d = true;
            }
        }
        for i in tree.of_kind(NodeKind::Kpi) {
            let kpi = cx.node(i);
            let ix = i as usize;
            if !kpi.is_active() || has_text(kpi.rationale.as_deref()) || explained[ix] || drives[ix] {
                continue;
            }
            let above = if cx.analysis.serves_active_objective[ix] {
                "none of the active objectives it serves states one"
            } else {
                "it serves no active objective"
            };
            let description = if has_text(kpi.description.as_deref()) {
                "; its description says what it measures, not why it is kept"
            } else {
                ""
            };
            out.report_fix(
                &[i],
                format!(
                    "{} has no rationale, {above}, and no `drives` link names it as a driver: nobody can say \
                     why it exists{description}",
                    kpi.display()
                ),
                if cx.analysis.serves_active_objective[ix] { FIX_SERVES } else { FIX_ORPHAN }.to_owned(),
            );
        }
    }
}

/// Set and not blank.
fn has_text(s: Option<&str>) -> bool {
    s.is_some_and(|s| !s.trim().is_empty())
}

const FIX_SERVES: &str = "Ask the KPI's owner why it exists and write the answer in `rationale`, give the objective it \
                          serves a rationale, or state the outcome it drives with a `drives` link. If nobody can, \
                          retire it.";
const FIX_ORPHAN: &str = "Write in `rationale` why the KPI exists and attach it to the objective it serves, or state \
                          the outcome it drives with a `drives` link. If nobody can, retire it.";
