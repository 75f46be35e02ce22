//! `missing-owner`
//!
//! **What it does:** finds active nodes (of any kind) whose owner names nobody:
//! - no `owner`, or a blank one;
//! - a placeholder (option `placeholder_owners`: `TBC`, `TBD`, `n/a`, `-`, `?` and the like),
//!   compared ignoring case and surrounding spaces, brackets, quotes and full stops (a configured
//!   list replaces the defaults);
//! - several owners in one (`Ops / Finance`, `Ana; Tom`: split at `/`, `;` or `|`), unless
//!   `shared_owners_count_as_missing` is off. A comma is not a split (`Clinical Director, Surgery`
//!   is one role), and a name such as `R&D` or `Sales and Marketing` is one team.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** a KPI with no `owner` field; an objective with `"owner": "  "`, `"TBC"` or
//! `"Ops / Finance"`.
//!
//! **Default severity:** error: every other fix needs someone to make it.
//! Fixtures: `tests/rules/missing-owner/`.

use super::text::eq_folded;
use super::{Context, Param, Rule, RuleMeta, Sink};
use crate::finding::Severity;
use crate::model::Node;

/// See the module documentation.
pub struct MissingOwner;

/// Option `placeholder_owners`.
const PLACEHOLDER_OWNERS: Param<Vec<String>> = Param::words(
    "placeholder_owners",
    &[
        "TBC",
        "TBD",
        "TBA",
        "n/a",
        "n.a.",
        "na",
        "none",
        "-",
        "--",
        "?",
        "??",
        "unknown",
        "unassigned",
        "nobody",
        "vacant",
        "todo",
        "owner",
        "xxx",
    ],
    "owners that name nobody (compared ignoring case, surrounding spaces, brackets, quotes and full stops); they count as missing",
);

/// Option `shared_owners_count_as_missing`.
const SHARED_OWNERS: Param<bool> = Param::flag(
    "shared_owners_count_as_missing",
    true,
    "an owner that names several (`Ops / Finance`, `Ana; Tom`) counts as missing: shared ownership is nobody's",
);

static META: RuleMeta = RuleMeta {
    id: "missing-owner",
    // An error by default: ownership is the cheapest fix in the tree and the one every other fix needs.
    severity: Severity::Error,
    summary: crate::meta::described("a node without an owner, or whose owner is a placeholder or several people"),
    why: "A metric or objective nobody owns is nobody's job to explain, to act on when it moves, or to retire \
          when it stops being useful. A placeholder such as \"TBC\" is the same gap written down, and an owner \
          shared between two teams is one each can leave to the other. Unclear ownership is one of the \
          commonest ways a KPI tree rots.",
    fix: "Name one accountable person or team in `owner`.",
    params: &[PLACEHOLDER_OWNERS.spec, SHARED_OWNERS.spec],
};

/// Why an owner names nobody.
enum Gap<'a> {
    Missing,
    Placeholder(&'a str),
    Shared(&'a str, usize),
}

impl Rule for MissingOwner {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let placeholders = cx.get(PLACEHOLDER_OWNERS);
        let mut bare_placeholders: Vec<&str> = Vec::with_capacity(placeholders.len());
        for p in &placeholders {
            bare_placeholders.push(bare(p));
        }
        let placeholders = bare_placeholders;
        let shared = cx.get(SHARED_OWNERS);
        let gap = |node| gap(node, &placeholders, shared);
        for (i, node) in cx.tree.nodes().iter().enumerate() {
            if !node.is_active() {
                continue;
            }
            let Some(g) = gap(node) else { continue };
            let who = node.display();
            let message = match g {
                Gap::Missing => format!("{who} has no owner"),
                Gap::Placeholder(o) => format!("{who} has a placeholder for an owner, \"{o}\", which names nobody"),
                Gap::Shared(o, n) => {
                    format!("{who} is owned by \"{o}\", which names {n} owners: shared ownership is nobody's")
                }
            };
            // The parent's owner is a natural candidate, if it names one.
            let parent = cx.tree.parents(i as u32).iter().map(|&p| cx.node(p)).find(|p| gap(p).is_none());
            match parent.and_then(Node::owner) {
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

/// Why `node`'s owner names nobody, if it does not.
fn gap<'a>(node: &'a Node, placeholders: &[&str], shared: bool) -> Option<Gap<'a>> {
    let Some(owner) = node.owner() else { return Some(Gap::Missing) };
    if placeholders.iter().any(|p| eq_folded(p, bare(owner))) {
        return Some(Gap::Placeholder(owner));
    }
    let names = owner.split(['/', ';', '|']).filter(|n| !n.trim().is_empty()).count();
    (shared && names > 1).then_some(Gap::Shared(owner, names))
}

/// An owner as compared with the placeholders: without surrounding spaces, brackets, quotes and
/// full stops (`(TBC)`, `"n/a"`, `N.A.`).
fn bare(s: &str) -> &str {
    let t = s.trim_matches(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '"' | '\'' | '.' | '*'));
    // A placeholder made only of those characters (`...`) stays as written.
    if t.is_empty() { s.trim() } else { t }
}
