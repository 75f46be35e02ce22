//! `appraisal-coupling`
//!
//! **What it does:** finds active KPIs, key results and objectives marked `used_in_appraisal: true`:
//! they feed someone's personal appraisal or pay. A KPI that is also the driver (`from`) of a
//! `drives` link gets the outcomes it is believed to drive named in the finding, because gaming a
//! driver corrupts the evidence for the link as well. No parameters.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** a KPI "Calls per agent" with `used_in_appraisal: true`; a key result whose score
//! decides a bonus. A retired or draft node with the flag passes. Fixtures:
//! `tests/rules/appraisal-coupling/`.

use super::{Context, Rule, RuleMeta, Sink, and_list};
use crate::finding::Severity;
use crate::model::{LinkKind, NodeKind};
use crate::tree::Ix;

/// See the module documentation.
pub struct AppraisalCoupling;

static META: RuleMeta = RuleMeta {
    id: "appraisal-coupling",
    severity: Severity::Warning,
    summary: crate::meta::described("a KPI, key result or objective that feeds personal appraisal or pay"),
    why: "Measurement tied to personal appraisal or pay invites gaming and fear: people manage the number instead \
          of the work, and bad news arrives late. OKRs used as an appraisal tool stop being ambitious, because \
          nobody commits to a stretch goal that may cost them their bonus.",
    fix: "Decouple the metric from appraisal and pay: appraise people on their behaviours and contribution, and \
          keep the metric for learning.",
    params: &[],
};

impl Rule for AppraisalCoupling {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let tree = cx.tree;
        let flagged = |i: Ix| {
            let n = tree.node(i);
            n.used_in_appraisal && n.is_active()
        };
        // Drives links out of flagged KPIs, sorted by (driver, outcome) so each KPI's are one run.
        let mut drives: Vec<(Ix, Ix)> = tree
            .links()
            .filter(|(l, from, _)| {
                l.kind == LinkKind::Drives && tree.node(*from).kind == NodeKind::Kpi && flagged(*from)
            })
            .map(|(_, from, to)| (from, to))
            .collect();
        crate::sort::sort(&mut drives);
        drives.dedup();
        let mut nodes: Vec<Ix> = Vec::new();
        for (i, node) in tree.nodes().iter().enumerate() {
            let i = i as Ix;
            if !flagged(i) {
                continue;
            }
            nodes.clear();
            nodes.push(i);
            let (message, fix) = match node.kind {
                NodeKind::Kpi => {
                    let start = drives.partition_point(|&(f, _)| f < i);
                    let outcomes = drives.get(start..).unwrap_or_default().iter().take_while(|&&(f, _)| f == i);
                    nodes.extend(outcomes.map(|&(_, to)| to));
                    let mut message = format!(
                        "{} is used in personal appraisal or pay: metrics tied to pay invite gaming and fear, so the \
                         number gets managed instead of the work",
                        node.display()
                    );
                    if let Some((_, driven)) = nodes.split_first()
                        && !driven.is_empty()
                    {
                        let listed = super::displays(cx.tree, driven);
                        message.push_str(&format!(
                            "; it is also the driver of {}, and gaming a driver corrupts the validation of {}",
                            and_list(&listed),
                            if driven.len() == 1 { "that link" } else { "those links" }
                        ));
                    }
                    (
                        message,
                        "Take the KPI out of appraisal and pay: appraise people on their behaviours and contribution, \
                         and keep the KPI for learning."
                            .to_owned(),
                    )
                }
                NodeKind::KeyResult | NodeKind::Objective => (
                    format!(
                        "{} is used in personal appraisal or pay: OKRs used as an appraisal tool stop being \
                         ambitious, because people commit only to what they are sure to reach (sandbagging)",
                        node.display()
                    ),
                    format!(
                        "Decouple the {} from appraisal and pay: appraise people on their behaviours and \
                         contribution, and keep the OKR for ambition and learning.",
                        node.kind.label()
                    ),
                ),
                // Validation rejects the flag on strategies; nothing to say if one slips through.
                NodeKind::Strategy => continue,
            };
            out.report_fix(&nodes, message, fix);
            // The node in appraisal is the case; the outcomes it drives may change.
            out.case(node.id.clone());
        }
    }
}
