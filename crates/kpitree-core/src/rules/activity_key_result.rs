//! `activity-key-result`
//!
//! **What it does:** finds active key results that describe an activity rather than an outcome: a key
//! result without a `start` or without a `target`, or whose `start` equals its `target` (no change is
//! asked for). When the title also begins with an activity verb (launch, implement, build, deliver, ship,
//! complete, roll out, create, introduce, migrate, hold, run, organise/organize, write, hire; any case)
//! the finding says it reads as a task. The numbers decide whether a key result is reported, never the
//! title: "Launch the partner portal" with a start of 0 and a target of 40 partners passes. No parameters.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** "Ship the onboarding redesign" with no numbers (reported, and said to read as a task);
//! "Churn rate" with a target and no start (reported: no start); "Keep NPS at 40" with start 40 and
//! target 40 (reported: no change asked for). Fixtures: `tests/rules/activity-key-result/`.

use super::{Context, Rule, RuleMeta, Sink};
use crate::finding::Severity;
use crate::model::{Node, NodeKind};

/// See the module documentation.
pub struct ActivityKeyResult;

static META: RuleMeta = RuleMeta {
    id: "activity-key-result",
    severity: Severity::Warning,
    summary: "a key result that is an activity (no start and target numbers), not an outcome",
    why: "A key result says how the success of an objective is measured. An activity can be completed without \
          changing anything, so a tree of activity key results measures busyness rather than outcomes, and leaders \
          end up discussing tasks instead of results.",
    fix: "Name the outcome the work should change and measure it: give the key result a `start` (today's value) \
          and a `target` that differs from it. Move the activity itself into the team's plan.",
    params: &[],
};

/// Activity verbs, one or two words, lowercase.
const VERBS: &[&[&str]] = &[
    &["launch"],
    &["implement"],
    &["build"],
    &["deliver"],
    &["ship"],
    &["complete"],
    &["roll", "out"],
    &["create"],
    &["introduce"],
    &["migrate"],
    &["hold"],
    &["run"],
    &["organise"],
    &["organize"],
    &["write"],
    &["hire"],
];

impl Rule for ActivityKeyResult {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for i in cx.tree.of_kind(NodeKind::KeyResult) {
            let kr = cx.node(i);
            let asks_change = matches!((kr.start, kr.target), (Some(s), Some(t)) if s != t);
            if !kr.is_active() || asks_change {
                continue;
            }
            let task = match task_verb(&kr.title) {
                Some(verb) => format!("; its title, starting with \"{verb}\", reads as a task"),
                None => String::new(),
            };
            let (message, fix) = match (kr.start, kr.target) {
                (None, None) => (
                    format!(
                        "{} has neither a start nor a target value: it names an activity, not an outcome with a \
                         measurable change{task}",
                        kr.display()
                    ),
                    None,
                ),
                (None, Some(t)) => (
                    format!(
                        "{} has a target ({}) but no start value, so nobody can tell what change it asks for{task}",
                        kr.display(),
                        with_unit(t, kr)
                    ),
                    Some(
                        "Add a `start`: the key result's value when the period began, so the change it asks for is \
                          explicit.",
                    ),
                ),
                (Some(s), None) => (
                    format!(
                        "{} has a start ({}) but no target value, so nobody can tell what success looks like{task}",
                        kr.display(),
                        with_unit(s, kr)
                    ),
                    Some(
                        "Add a `target`: the value that counts as success by the end of the period, different from \
                          the start.",
                    ),
                ),
                (Some(s), Some(t)) if s == t => (
                    format!(
                        "{} has the same start and target ({}): it asks for no change, so it holds a level instead \
                         of reaching an outcome{task}",
                        kr.display(),
                        with_unit(t, kr)
                    ),
                    Some(
                        "If the level only has to be kept, monitor it as a KPI with a target and thresholds; if it \
                          should change, set a target that differs from the start.",
                    ),
                ),
                _ => continue,
            };
            match fix {
                Some(fix) if task.is_empty() => out.report_fix(&[i], message, fix.to_owned()),
                Some(fix) => out.report_fix(
                    &[i],
                    message,
                    format!(
                        "{fix} Reword the title as the outcome the work should change; the task belongs in the \
                         team's plan."
                    ),
                ),
                None => out.report(&[i], message),
            }
        }
    }
}

/// `50 users`, `£50`, `50`.
fn with_unit(x: f64, kr: &Node) -> String {
    super::quantity(x, kr.unit.as_deref())
}

/// The title's leading activity verb, as written, if it has one.
fn task_verb(title: &str) -> Option<&str> {
    let title = title.trim_start();
    let mut words = title.split_whitespace();
    let first = words.next()?;
    let second = words.next();
    let word = |w: &str, verb: &str| w.trim_end_matches(|c: char| !c.is_alphanumeric()).eq_ignore_ascii_case(verb);
    for verb in VERBS {
        let matched = match verb {
            [one] => word(first, one),
            [one, two] => word(first, one) && second.is_some_and(|s| word(s, two)),
            _ => false,
        };
        if matched {
            // The verb as the title spells it: the first word, or the first two.
            let end = match (verb.len(), second) {
                (2, Some(s)) => title.find(s).map(|k| k + s.len()).unwrap_or(first.len()),
                _ => first.len(),
            };
            let shown = title.get(..end).unwrap_or(first);
            return Some(shown.trim_end_matches(|c: char| !c.is_alphanumeric()));
        }
    }
    None
}
