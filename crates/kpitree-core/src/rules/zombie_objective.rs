//! `zombie-objective`
//!
//! **What it does:** finds active objectives whose `period` is over at `as_of`: the period's last day
//! lies before the tree's date (see `docs/format.md`, section Periods, for the labels kpitree reads:
//! `2026-Q2`, `Q2 2026`, `2026-H1`, `2026`, `FY2026`, `2026-11`, ...). The message names the period,
//! the day it ended and how many active KPIs below the objective are still collected: its own KPIs,
//! those of its active key results and the KPIs below those (sub-objectives have periods of their own
//! and are judged on their own). An objective without a period is not judged.
//!
//! A non-empty `period` that kpitree cannot read ("Spring term") is reported instead, once per active
//! objective and always as `info`: kpitree does not guess what it means, and without a readable period
//! nobody can tell whether the objective is over. Draft and retired objectives are ignored. No
//! parameters.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** an active objective for `2026-Q2` in a tree dated 2026-11-27, with four active KPIs
//! under its key results (reported). The same objective once retired, or an active objective for
//! `2026-Q4` in a tree dated 2026-11-30, passes. Fixtures: `tests/rules/zombie-objective/`.

use super::supporting::Supporting;
use super::{Context, Rule, RuleMeta, Sink, plural};
use crate::finding::Severity;
use crate::model::NodeKind;
use crate::rollup::Period;

/// See the module documentation.
pub struct ZombieObjective;

static META: RuleMeta = RuleMeta {
    id: "zombie-objective",
    severity: Severity::Warning,
    summary: crate::meta::described(
        "an active objective whose period has ended: its KPIs keep being collected for nothing",
    ),
    why: "An objective says what matters most now. Once its period is over and nobody closed it, it still counts as \
          current: its KPIs keep being collected and reviewed for a goal nobody pursues any more, other rules treat \
          them as prioritised, and the tree no longer tells what matters this period.",
    fix: "Close the objective: retire it (`status: retired`) if its period is done, or roll it into the current \
          period if it still matters. Then retire the KPIs that only served it.",
    params: &[],
};

impl Rule for ZombieObjective {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let tree = cx.tree;
        let as_of = cx.as_of;
        let mut counter = Supporting::new(tree);
        let mut kpis = Vec::new();
        for o in tree.of_kind(NodeKind::Objective) {
            let node = tree.node(o);
            let Some(label) = node.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) else { continue };
            if !node.is_active() {
                continue;
            }
            let Some(period) = Period::parse(label) else {
                out.report_full(
                    &[o],
                    format!(
                        "{} has period \"{label}\", which is not a period kpitree reads, so nobody can tell whether \
                         it is over; write 2026-Q2, Q2 2026, 2026-H1, 2026 or FY2026",
                        node.display()
                    ),
                    Some(
                        "Write the period in a form kpitree reads (`2026-Q2`, `Q2 2026`, `2026-H1`, `2026`, `FY2026` \
                         or a month such as `2026-11`), so that its end, the pace of its key results and their \
                         check-in dates can be judged."
                            .to_owned(),
                    ),
                    None,
                    Some(Severity::Info),
                );
                continue;
            };
            if !period.ended(as_of) {
                continue;
            }
            let days = plural(usize::try_from(as_of.days_since(period.end)).unwrap_or(0), "day", "days");
            let collected = match counter.kpis(tree, o, &mut kpis).map(|()| kpis.len()) {
                Some(0) => "no active KPI is below it, but it still counts as a current objective".to_owned(),
                Some(n) => format!(
                    "{} below it {} still collected for an objective that is over",
                    plural(n, "active KPI", "active KPIs"),
                    if n == 1 { "is" } else { "are" }
                ),
                None => "the active KPIs below it are still collected for an objective that is over".to_owned(),
            };
            let message = format!(
                "{} is still active, but its period {label} ended on {} ({days} before the tree's date, {as_of}): \
                 {collected}",
                node.display(),
                period.end,
            );
            let fix = format!(
                "Close {}: retire it (`status: retired`) if its work is done, or roll it into the current period \
                 (`period: {}`) if it still matters. Then retire the KPIs that only served it.",
                node.display(),
                current_period(&period, as_of),
            );
            out.report_fix(&[o], message, fix);
        }
    }
}

/// The period of the same length as `p` that contains `as_of`: `2026-Q4`, `2026-H2`, `2026-11` or `2026`.
fn current_period(p: &Period, as_of: crate::date::Date) -> String {
    let (_, m1, _) = p.start.ymd();
    let (_, m2, _) = p.end.ymd();
    let (y, m, _) = as_of.ymd();
    match m2.saturating_sub(m1) + 1 {
        1 => format!("{y}-{m:02}"),
        3 => format!("{y}-Q{}", (m - 1) / 3 + 1),
        6 => format!("{y}-H{}", (m - 1) / 6 + 1),
        _ => format!("{y}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;

    #[test]
    fn current_period_has_the_same_length() {
        let at = Date::parse("2026-11-27").unwrap();
        for (label, want) in [("2026-Q2", "2026-Q4"), ("H1 2025", "2026-H2"), ("2026-03", "2026-11"), ("FY25", "2026")]
        {
            assert_eq!(current_period(&Period::parse(label).unwrap(), at), want, "{label}");
        }
    }
}
