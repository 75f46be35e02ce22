//! `missing-rationale`
//!
//! **What it does:** finds active KPIs nobody can explain and reports each cause once, at the node
//! that lacks the reasoning. A KPI is explained when it has a `rationale` (a blank one counts as
//! none), when it is the driver (`from`) of a `drives` link, or when an objective or key result above
//! it, reached through nodes that are not retired, states a rationale: an active one, or a draft one
//! (a KPI that collects a baseline for a draft objective is explained by that draft's reasoning). A
//! `description` alone does not count: it says what the KPI measures, not why it is kept.
//!
//! The finding goes on the node that should carry the reasoning:
//! - a KPI that serves an active objective: on that objective (the one its first serving parent
//!   serves), one finding naming how many KPIs it leaves unexplained;
//! - a KPI that serves no active objective is left to `orphan-kpi` when that rule runs (one finding per
//!   cause); when it is switched off, such a KPI is reported on the draft objective or key result it
//!   collects a baseline for, grouped like the above, or else on its own.
//!
//! Severity `info` by default. No parameters.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** three KPIs under a key result whose objective has no rationale, with no rationale of
//! their own and no `drives` link, give one finding on the objective that names the three; they pass
//! once the objective (or their key result) states a rationale, and each passes once it drives another
//! KPI or has a rationale itself. Fixtures: `tests/rules/missing-rationale/`.

use super::{Context, Rule, RuleMeta, Sink, plural};
use crate::finding::Severity;
use crate::model::{LinkKind, NodeKind, Status};
use crate::tree::Ix;

/// See the module documentation.
pub struct MissingRationale;

/// A grouped finding's message names at most this many KPIs (its nodes list them all).
const KPIS_SHOWN: usize = 5;

static META: RuleMeta = RuleMeta {
    id: "missing-rationale",
    severity: Severity::Info,
    summary: crate::meta::described("a KPI nobody can explain: no rationale and no link to an objective's reasoning"),
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
        let n = tree.len();
        // explained[i]: i is not retired and is, or reaches through nodes that are not retired, an
        // objective or key result with a rationale.
        let mut explained = vec![false; n];
        for &i in tree.top_down() {
            let node = tree.node(i);
            let planned = matches!(node.kind, NodeKind::Objective | NodeKind::KeyResult);
            explained[i as usize] = node.status != Status::Retired
                && ((planned && has_text(node.rationale.as_deref()))
                    || tree.parents(i).iter().any(|&p| explained.get(p as usize).copied().unwrap_or(false)));
        }
        let mut drives = vec![false; n];
        for (link, from, _) in tree.links() {
            if link.kind == LinkKind::Drives
                && let Some(d) = drives.get_mut(from as usize)
            {
                *d = true;
            }
        }
        let orphans_elsewhere = cx.enabled("orphan-kpi");

        // Unexplained KPIs, grouped by the node that lacks the reasoning (the KPI itself when none does).
        let mut slot = vec![u32::MAX; n];
        let mut groups: Vec<(Ix, Vec<Ix>)> = Vec::new();
        for i in tree.of_kind(NodeKind::Kpi) {
            let kpi = cx.node(i);
            let ix = i as usize;
            if !kpi.is_active() || has_text(kpi.rationale.as_deref()) || explained[ix] || drives[ix] {
                continue;
            }
            let site = match cx.analysis.objective_served(i) {
                Some(o) => o,
                // `orphan-kpi` reports every active KPI that serves no active objective.
                None if orphans_elsewhere => continue,
                None => cx.analysis.baseline_for(i).unwrap_or(i),
            };
            let Some(s) = slot.get_mut(site as usize) else { continue };
            if *s == u32::MAX {
                *s = groups.len() as u32;
                groups.push((site, Vec::new()));
            }
            if let Some(g) = groups.get_mut(*s as usize) {
                g.1.push(i);
            }
        }
        crate::sort::sort_by_key(&mut groups, |g| g.0);

        for (site, kpis) in groups {
            if kpis == [site] {
                report_alone(cx, out, site);
            } else {
                report_group(cx, out, site, &kpis);
            }
        }
    }
}

/// A KPI with nothing above it that could carry its reasoning.
fn report_alone(cx: &Context<'_>, out: &mut Sink<'_>, i: Ix) {
    let kpi = cx.node(i);
    let description = if has_text(kpi.description.as_deref()) {
        "; its description says what it measures, not why it is kept"
    } else {
        ""
    };
    out.report_fix(
        &[i],
        format!(
            "{} has no rationale, it serves no active objective, and no `drives` link names it as a driver: nobody \
             can say why it exists{description}",
            kpi.display()
        ),
        FIX_ORPHAN.to_owned(),
    );
}

/// KPIs that an objective (or a draft objective or key result they collect a baseline for) leaves
/// unexplained: one finding on that node.
fn report_group(cx: &Context<'_>, out: &mut Sink<'_>, site: Ix, kpis: &[Ix]) {
    let node = cx.node(site);
    let draft = node.status == Status::Draft;
    let s = if draft { format!("draft {}", node.display()) } else { node.display() };
    let (serves, serve) =
        if draft { ("collects a baseline for", "collect a baseline for") } else { ("serves", "serve") };
    let described = kpis.iter().filter(|&&k| has_text(cx.node(k).description.as_deref())).count();
    let (message, fix) = if let [k] = kpis {
        let description =
            if described > 0 { "; its description says what it measures, not why it is kept" } else { "" };
        let message = format!(
            "{} states no rationale, and {}, which {serves} it, has no rationale of its own and no `drives` link names \
             it as a driver: nobody can say why it exists{description}",
            s,
            cx.node(*k).display()
        );
        let fix = format!(
            "Write in the `rationale` of {} why it matters and how its KPI shows progress on it, or give the KPI a \
             `rationale` of its own or a `drives` link to the outcome it moves. If nobody can say why the KPI \
             exists, retire it.",
            s
        );
        (message, fix)
    } else {
        let mut listed: Vec<String> = super::displays(cx.tree, kpis.get(..KPIS_SHOWN).unwrap_or(kpis));
        if kpis.len() > KPIS_SHOWN {
            listed.push(format!("and {} more", kpis.len() - KPIS_SHOWN));
        }
        let description = match described {
            0 => String::new(),
            1 => "; 1 of them has a description, which says what it measures, not why it is kept".to_owned(),
            d => format!("; {d} of them have a description, which says what they measure, not why they are kept"),
        };
        let message = format!(
            "{} states no rationale, and {} that {serve} it have no rationale of their own and no `drives` link names \
             any of them as a driver: {}; nobody can say why they exist{description}",
            s,
            plural(kpis.len(), "KPI", "KPIs"),
            listed.join(", ")
        );
        let fix = format!(
            "Write in the `rationale` of {} why it matters and how its KPIs show progress on it, or give each KPI a \
             `rationale` of its own or a `drives` link to the outcome it moves. If nobody can say why a KPI exists, \
             retire it.",
            s
        );
        (message, fix)
    };
    let mut nodes = Vec::with_capacity(kpis.len() + 1);
    nodes.push(site);
    nodes.extend_from_slice(kpis);
    out.report_fix(&nodes, message, fix);
    // The case is the objective or key result; the KPIs without a rationale may change.
    out.case(node.id.clone());
}

/// Set and not blank.
fn has_text(s: Option<&str>) -> bool {
    s.is_some_and(|s| !s.trim().is_empty())
}

const FIX_ORPHAN: &str = "Write in `rationale` why the KPI exists and attach it to the objective it serves, or state \
                          the outcome it drives with a `drives` link. If nobody can, retire it.";
