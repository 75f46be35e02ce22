//! `too-many-objectives`
//!
//! **What it does:** counts the active objectives of each owner in each period. Owners are compared
//! trimmed and case-insensitively (`Sales` and ` sales ` are one owner, reported as first written);
//! periods are compared trimmed and case-insensitively, and objectives without a period form one group
//! ("no period"). More than `max_per_owner` (default 3) objectives in one group is a finding at the rule's
//! severity; more than `hard_max` (default 5) escalates it to an error. Objectives without an owner are
//! not counted (`missing-owner` reports them); draft and retired objectives do not count.
//!
//! **Why is this bad:** objectives say what matters most now. An owner with many objectives at once has
//! no priority: attention spreads thin, each objective gets a little effort and none is achieved. Too
//! many OKRs at once is one of the commonest OKR mistakes.
//!
//! **Examples:** the owner `Sales` with four active objectives for `2026-Q4` (warning) or six (error).
//! Three objectives in `2026-Q4` plus three in `2027-Q1`, or four where one is a draft, pass.
//! Fixtures: `tests/rules/too-many-objectives/`.

use super::{Context, ParamSpec, Rule, RuleMeta, Sink};
use crate::config::ParamValue;
use crate::finding::Severity;
use crate::model::NodeKind;
use crate::tree::Ix;

/// See the module documentation.
pub struct TooManyObjectives;

static META: RuleMeta = RuleMeta {
    id: "too-many-objectives",
    severity: Severity::Warning,
    summary: "one owner with more active objectives in one period than the budget",
    why: "Objectives say what matters most now. An owner with many objectives at once has no priority: \
          attention spreads thin, each objective gets a little effort and none is achieved. Too many OKRs at \
          once is one of the commonest OKR mistakes.",
    fix: "Choose the few objectives that matter most this period; move the others to a later period, merge \
          them, or hand them to another owner.",
    params: &[
        ParamSpec {
            name: "max_per_owner",
            default: ParamValue::Int(3),
            min: 1.0,
            max: 1000.0,
            help: "most active objectives one owner may have in one period",
        },
        ParamSpec {
            name: "hard_max",
            default: ParamValue::Int(5),
            min: 1.0,
            max: 1000.0,
            help: "above this many objectives per owner and period the finding is an error",
        },
    ],
};

/// One objective keyed by its normalised owner and period.
struct Entry<'d> {
    owner_key: String,
    period_key: Option<String>,
    ix: Ix,
    owner: &'d str,
    period: Option<&'d str>,
}

impl Rule for TooManyObjectives {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let tree = cx.tree;
        let max = usize::try_from(cx.int("max_per_owner")).unwrap_or(0);
        let hard_max = usize::try_from(cx.int("hard_max")).unwrap_or(0);
        let mut entries: Vec<Entry<'_>> = tree
            .of_kind(NodeKind::Objective)
            .filter_map(|i| {
                let n = tree.node(i);
                if !n.is_active() {
                    return None;
                }
                let owner = n.owner()?;
                let period = n.period.as_deref().map(str::trim).filter(|p| !p.is_empty());
                Some(Entry {
                    owner_key: owner.to_lowercase(),
                    period_key: period.map(str::to_lowercase),
                    ix: i,
                    owner,
                    period,
                })
            })
            .collect();
        // Groups are contiguous after sorting; within a group, document order (the index breaks ties).
        entries.sort_unstable_by(|a, b| (&a.owner_key, &a.period_key, a.ix).cmp(&(&b.owner_key, &b.period_key, b.ix)));
        let mut groups: Vec<&[Entry<'_>]> = entries
            .chunk_by(|a, b| a.owner_key == b.owner_key && a.period_key == b.period_key)
            .filter(|g| g.len() > max || g.len() > hard_max)
            .collect();
        // Report groups in the document order of their first objective.
        groups.sort_unstable_by_key(|g| g.first().map_or(0, |e| e.ix));
        let mut nodes: Vec<Ix> = Vec::new();
        for group in groups {
            let Some(first) = group.first() else { continue };
            nodes.clear();
            nodes.extend(group.iter().map(|e| e.ix));
            let count = group.len();
            let when = match first.period {
                Some(p) => format!("in {p}"),
                None => "with no period".to_owned(),
            };
            let escalate = count > hard_max;
            let mut message = format!(
                "{} owns {count} active objectives {when}; the budget is {max} per owner and period",
                first.owner
            );
            if escalate {
                message.push_str(&format!(", and more than {hard_max} leaves no focus at all"));
            }
            let excess = count.saturating_sub(max.min(hard_max));
            let keep = count - excess;
            let chosen = if keep == 1 {
                "the one objective that matters".to_owned()
            } else {
                format!("the {keep} objectives that matter")
            };
            let (others, them) =
                if excess == 1 { ("the other one".to_owned(), "it") } else { (format!("the other {excess}"), "them") };
            let fix = match first.period {
                Some(p) => format!(
                    "Choose {chosen} most for {} in {p}; move {others} to a later period, merge {them}, or hand {them} \
                     to another owner.",
                    first.owner
                ),
                None => format!(
                    "Give each objective a `period`, then choose {chosen} most for {} now; move {others} to a later \
                     period, merge {them}, or hand {them} to another owner.",
                    first.owner
                ),
            };
            let severity = (escalate && out.severity() < Severity::Error).then_some(Severity::Error);
            out.report_full(&nodes, message, Some(fix), None, severity);
        }
    }
}
