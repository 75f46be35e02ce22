//! `activity-key-result`
//!
//! **What it does:** finds active key results that describe an activity rather than an outcome:
//!
//! - a key result without a `start` or without a `target`, or whose `start` equals its `target` (no
//!   change is asked for). When the title also begins with a verb of doing (see below) the finding
//!   says it reads as a task;
//! - a key result that counts outputs, even though it has numbers: its `start` is 0 or absent, its
//!   `target` is a whole number of at least 1, its title begins with a verb of doing, and what follows
//!   the verb is the count itself: either the target's number ("Run 12 webinars", target 12), or a
//!   phrase ending in the unit's noun ("Publish blog articles", unit `articles`; singular and plural
//!   match). The finding names the verb and the count and suggests the kind of outcome that verb's
//!   work should move.
//!
//! Verbs of doing (one or two words, any case): launch, implement, build, deliver, ship, complete, roll
//! out, create, introduce, migrate (delivering something); hold, run, organise/organize, host, conduct
//! (events); write, publish, produce (content); hire, recruit (people); train; send. A title that starts
//! with another verb (grow, reduce, raise, ...) names a change and is never read as an activity:
//! "Grow weekly active users from 0 to 500" and "Reduce churn to 3%" pass, and so does "Launch the
//! partner portal" from 0 to 40 `active partners` (what follows the verb is a portal, not the partners
//! counted).
//!
//! A key result that `kr-copies-kpi` reports (it mirrors a KPI at today's level) is left to that rule
//! while it runs (one finding per cause); with `kr-copies-kpi` switched off this rule reports it. Draft
//! and retired key results are ignored. No parameters.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** "Ship the onboarding redesign" with no numbers (reported, and said to read as a task);
//! "Churn rate" with a target and no start (reported: no start); "Keep NPS at 40" with start 40 and
//! target 40 (reported: no change asked for); "Run 12 webinars" from 0 to 12 (reported: it counts
//! outputs). Fixtures: `tests/rules/activity-key-result/`.

use super::{Context, Rule, RuleMeta, Sink};
use crate::finding::Severity;
use crate::model::{Node, NodeKind};
use crate::tree::Ix;

/// See the module documentation.
pub struct ActivityKeyResult;

static META: RuleMeta = RuleMeta {
    id: "activity-key-result",
    severity: Severity::Warning,
    summary: crate::meta::described(
        "a key result that is an activity (no start and target numbers, or a count of outputs), not an outcome",
    ),
    why: "A key result says how the success of an objective is measured. An activity can be completed without \
          changing anything, so a tree of activity key results measures busyness rather than outcomes, and leaders \
          end up discussing tasks instead of results. Counting outputs (webinars run, articles published, people \
          hired) is the same activity with a number on it: it can be reached in full while nothing improves.",
    fix: "Name the outcome the work should change and measure it: give the key result a `start` (today's value) \
          and a `target` that differs from it. Move the activity itself into the team's plan.",
    params: &[],
};

/// What kind of outcome the work of a verb should move, for the suggestion in a finding.
#[derive(Clone, Copy)]
enum Work {
    Delivery,
    Events,
    Content,
    People,
    Training,
    Outreach,
}

impl Work {
    /// Examples of outcomes this kind of work should move.
    fn outcomes(self) -> &'static str {
        match self {
            Work::Delivery => {
                "adoption of what is delivered (for example its weekly active users), conversion or time saved"
            }
            Work::Events => "what attendees do afterwards (for example qualified leads, sign-ups or activation)",
            Work::Content => {
                "what readers do (for example organic sign-ups, qualified traffic or fewer support tickets)"
            }
            Work::People => {
                "the capacity or service the new people bring (for example response time or tickets solved per week)"
            }
            Work::Training => "what the trained people do better (for example first-contact resolution or error rate)",
            Work::Outreach => "the responses it brings (for example meetings booked, reply rate or renewals)",
        }
    }
}

/// Verbs of doing, one or two words, lowercase, with the kind of work they name.
const VERBS: &[(&[&str], Work)] = &[
    (&["launch"], Work::Delivery),
    (&["implement"], Work::Delivery),
    (&["build"], Work::Delivery),
    (&["deliver"], Work::Delivery),
    (&["ship"], Work::Delivery),
    (&["complete"], Work::Delivery),
    (&["roll", "out"], Work::Delivery),
    (&["create"], Work::Delivery),
    (&["introduce"], Work::Delivery),
    (&["migrate"], Work::Delivery),
    (&["hold"], Work::Events),
    (&["run"], Work::Events),
    (&["organise"], Work::Events),
    (&["organize"], Work::Events),
    (&["host"], Work::Events),
    (&["conduct"], Work::Events),
    (&["write"], Work::Content),
    (&["publish"], Work::Content),
    (&["produce"], Work::Content),
    (&["hire"], Work::People),
    (&["recruit"], Work::People),
    (&["train"], Work::Training),
    (&["send"], Work::Outreach),
];

/// Words that end the object of the verb ("Publish articles *for* SMB buyers"): what follows them is
/// no longer the thing the verb produces.
const OBJECT_ENDS: &[&str] = &[
    "a", "across", "an", "and", "at", "by", "each", "every", "for", "from", "in", "into", "of", "on", "or", "per",
    "so", "that", "the", "to", "which", "with", "within",
];

/// Why a key result is an activity.
enum Verdict<'t> {
    /// Neither start nor target.
    NoNumbers,
    /// A target without a start.
    NoStart(f64),
    /// A start without a target.
    NoTarget(f64),
    /// Start and target are equal.
    NoChange(f64),
    /// A count of outputs.
    Outputs(OutputCount<'t>),
}

/// A key result that counts outputs: the verb as the title spells it, what it makes, and the count.
struct OutputCount<'t> {
    verb: &'t str,
    work: Work,
    /// The things counted as the title or unit names them (`webinars`), if it does.
    noun: Option<&'t str>,
    target: f64,
}

impl Rule for ActivityKeyResult {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let mut found: Vec<(Ix, Verdict<'_>)> = Vec::new();
        for i in cx.tree.of_kind(NodeKind::KeyResult) {
            let kr = cx.node(i);
            if let Some(v) = kr.is_active().then(|| verdict(kr)).flatten() {
                found.push((i, v));
            }
        }
        // Key results `kr-copies-kpi` reports are its cause, not a second one here. Both lists are in
        // document order.
        let mirrored = if found.is_empty() || !cx.enabled("kr-copies-kpi") {
            Vec::new()
        } else {
            super::kr_copies_kpi::reported_key_results(cx, |i| found.binary_search_by_key(&i, |f| f.0).is_ok())
        };
        for (i, v) in found {
            if mirrored.binary_search(&i).is_ok() {
                continue;
            }
            report(cx.node(i), i, v, out);
        }
    }
}

/// True for a key result that counts outputs ("Run 12 webinars"): its progress is work done, so an
/// objective's score does not count it as an outcome (`rollup`).
pub(crate) fn counts_outputs(kr: &Node) -> bool {
    output_count(kr).is_some()
}

/// Why an active key result is an activity, if it is one.
fn verdict(kr: &Node) -> Option<Verdict<'_>> {
    if let Some(count) = output_count(kr) {
        return Some(Verdict::Outputs(count));
    }
    Some(match (kr.start, kr.target) {
        (None, None) => Verdict::NoNumbers,
        (None, Some(t)) => Verdict::NoStart(t),
        (Some(s), None) => Verdict::NoTarget(s),
        (Some(s), Some(t)) if s == t => Verdict::NoChange(t),
        _ => return None,
    })
}

fn report(kr: &Node, i: Ix, verdict: Verdict<'_>, out: &mut Sink<'_>) {
    if let Verdict::Outputs(c) = verdict {
        let count = match (kr.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()), c.noun) {
            (Some(_), _) => with_unit(c.target, kr),
            (None, Some(noun)) => format!("{} {noun}", super::num(c.target)),
            (None, None) => super::num(c.target),
        };
        let from = match kr.start {
            Some(s) => format!("from {}", super::num(s)),
            None => "with no start value".to_owned(),
        };
        let message = format!(
            "{} counts outputs, not an outcome: \"{}\" with a target of {count} ({from}) measures work done, which \
             can be reached in full while nothing improves; measure what it should change instead: {}",
            kr.display(),
            c.verb,
            c.work.outcomes(),
        );
        let them = c.noun.map_or_else(|| "the work".to_owned(), |n| format!("the {n}"));
        let fix = format!(
            "Ask what {count} should change and make that the key result, with today's value as `start` and the \
             level to reach as `target`; keep {them} in the team's plan as the means."
        );
        out.report_fix(&[i], message, fix);
        return;
    }
    let task = match task_verb(&kr.title) {
        Some((verb, _)) => format!("; its title, starting with \"{verb}\", reads as a task"),
        None => String::new(),
    };
    let (message, fix) = match verdict {
        Verdict::NoNumbers => (
            format!(
                "{} has neither a start nor a target value: it names an activity, not an outcome with a measurable \
                 change{task}",
                kr.display()
            ),
            None,
        ),
        Verdict::NoStart(t) => (
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
        Verdict::NoTarget(s) => (
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
        Verdict::NoChange(t) => (
            format!(
                "{} has the same start and target ({}): it asks for no change, so it holds a level instead of \
                 reaching an outcome{task}",
                kr.display(),
                with_unit(t, kr)
            ),
            Some(
                "If the level only has to be kept, monitor it as a KPI with a target and thresholds; if it \
                  should change, set a target that differs from the start.",
            ),
        ),
        Verdict::Outputs(_) => return,
    };
    match fix {
        Some(fix) if task.is_empty() => out.report_fix(&[i], message, fix.to_owned()),
        Some(fix) => out.report_fix(
            &[i],
            message,
            format!(
                "{fix} Reword the title as the outcome the work should change; the task belongs in the team's plan."
            ),
        ),
        None => out.report(&[i], message),
    }
}

/// `50 users`, `£50`, `50`.
fn with_unit(x: f64, kr: &Node) -> String {
    super::quantity(x, kr.unit.as_deref())
}

/// The key result as a count of outputs: start 0 or absent, a whole target of at least 1, a title
/// that starts with a verb of doing followed by the target's number or by a phrase ending in the unit.
fn output_count(kr: &Node) -> Option<OutputCount<'_>> {
    let target = kr.target?;
    if !kr.start.is_none_or(|s| s == 0.0) || !(1.0..=1e15).contains(&target) || target.fract() != 0.0 {
        return None;
    }
    let (verb, work) = task_verb(&kr.title)?;
    let rest = kr.title.trim_start().get(verb.len()..)?;
    let mut words = rest.split_whitespace().map(trim_word).filter(|w| !w.is_empty()).peekable();
    // "Run 12 webinars": the target's number right after the verb, followed by the things counted.
    if words.peek().and_then(|w| parse_count(w)) == Some(target) {
        words.next();
        let noun = unit_noun(kr).or_else(|| object_head(words));
        return Some(OutputCount { verb, work, noun, target });
    }
    // "Publish blog articles" counted in `articles`: the verb's object is the unit's noun.
    let unit = unit_noun(kr)?;
    object_head(words).filter(|w| same_noun(w, unit)).map(|_| OutputCount { verb, work, noun: Some(unit), target })
}

/// The last word of the object phrase that `words` start with ("the support agents for the night
/// shift" -> `agents`): it ends at a number or a word of [`OBJECT_ENDS`]; articles may lead it.
fn object_head<'t>(words: impl Iterator<Item = &'t str>) -> Option<&'t str> {
    let mut last = None;
    for w in words {
        if parse_count(w).is_some() || OBJECT_ENDS.iter().any(|s| s.eq_ignore_ascii_case(w)) {
            if last.is_none() && ["a", "an", "the"].iter().any(|s| s.eq_ignore_ascii_case(w)) {
                continue;
            }
            break;
        }
        last = Some(w);
    }
    last
}

/// The last word of the unit (`active partners` -> `partners`), if it is a word.
fn unit_noun(kr: &Node) -> Option<&str> {
    kr.unit.as_deref()?.split_whitespace().map(trim_word).rfind(|w| w.chars().any(char::is_alphabetic))
}

/// A word without the punctuation around it.
fn trim_word(w: &str) -> &str {
    w.trim_matches(|c: char| !c.is_alphanumeric())
}

/// `12`, `1,000` or `1000` as a number; anything else `None`.
fn parse_count(w: &str) -> Option<f64> {
    let digits = w.bytes().filter(|&b| b != b',').count();
    if digits == 0 || digits > 15 || !w.bytes().all(|b| b.is_ascii_digit() || b == b',') || w.starts_with(',') {
        return None;
    }
    Some(w.bytes().filter(u8::is_ascii_digit).fold(0.0, |n, b| n * 10.0 + f64::from(b - b'0')))
}

/// Two spellings of one noun: equal ignoring case, or one is the other plus `s` or `es`.
fn same_noun(a: &str, b: &str) -> bool {
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    super::text::eq_folded(a, b)
        || ["s", "es"].iter().any(|end| {
            b.len() == a.len() + end.len()
                && b.get(..a.len()).is_some_and(|stem| super::text::eq_folded(stem, a))
                && b.get(a.len()..).is_some_and(|e| e.eq_ignore_ascii_case(end))
        })
}

/// The title's leading verb of doing, as written, and the kind of work it names.
fn task_verb(title: &str) -> Option<(&str, Work)> {
    let title = title.trim_start();
    let mut words = title.split_whitespace();
    let first = words.next()?;
    let second = words.next();
    let word = |w: &str, verb: &str| w.trim_end_matches(|c: char| !c.is_alphanumeric()).eq_ignore_ascii_case(verb);
    for &(verb, work) in VERBS {
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
            return Some((shown.trim_end_matches(|c: char| !c.is_alphanumeric()), work));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kr(title: &str, start: Option<f64>, target: Option<f64>, unit: Option<&str>) -> Node {
        let mut n = Node::new("kr", NodeKind::KeyResult, title);
        n.start = start;
        n.target = target;
        n.unit = unit.map(str::to_owned);
        n
    }

    fn counted(title: &str, start: Option<f64>, target: f64, unit: Option<&str>) -> Option<(String, Option<String>)> {
        let n = kr(title, start, Some(target), unit);
        output_count(&n).map(|c| (c.verb.to_owned(), c.noun.map(str::to_owned)))
    }

    #[test]
    fn output_counts() {
        let some = |v: &str, n: &str| Some((v.to_owned(), Some(n.to_owned())));
        assert_eq!(counted("Run 12 webinars", Some(0.0), 12.0, None), some("Run", "webinars"));
        assert_eq!(counted("Publish 40 articles", None, 40.0, Some("articles")), some("Publish", "articles"));
        assert_eq!(counted("HIRE 6 agents.", Some(0.0), 6.0, None), some("HIRE", "agents"));
        assert_eq!(counted("Hire 1,000 drivers", Some(0.0), 1000.0, None), some("Hire", "drivers"));
        assert_eq!(counted("Hire 6 support agents for nights", Some(0.0), 6.0, None), some("Hire", "agents"));
        assert_eq!(counted("Send 1,000 personal emails", None, 1000.0, Some("mails")), some("Send", "mails"));
        assert_eq!(counted("Hire 6", Some(0.0), 6.0, None), Some(("Hire".to_owned(), None)));
        assert_eq!(
            counted("Publish blog articles for SMBs", Some(0.0), 40.0, Some("article")),
            some("Publish", "article")
        );
        assert_eq!(counted("Hire the support agents", Some(0.0), 6.0, Some("Agents")), some("Hire", "Agents"));
        assert_eq!(counted("Roll out SSO to 30 customers", Some(0.0), 30.0, Some("customers")), None);
        assert_eq!(counted("Launch the partner portal", Some(0.0), 40.0, Some("active partners")), None);
        assert_eq!(counted("Grow weekly active users from 0 to 500", Some(0.0), 500.0, Some("users")), None);
        assert_eq!(counted("Reduce churn to 3%", None, 3.0, Some("%")), None);
        assert_eq!(counted("Run 12 webinars", Some(4.0), 12.0, None), None);
        assert_eq!(counted("Run 12 webinars", Some(0.0), 12.5, None), None);
        assert_eq!(counted("Ship 3 releases reaching 500 users", Some(0.0), 500.0, Some("users")), None);
        assert_eq!(counted("Run", Some(0.0), 1.0, Some("runs")), None);
        assert_eq!(counted("Runé 12", Some(0.0), 12.0, None), None);
    }

    #[test]
    fn nouns_and_counts() {
        assert!(same_noun("webinar", "Webinars") && same_noun("classes", "class") && !same_noun("portal", "partners"));
        assert!(same_noun("café", "CAFÉS") && !same_noun("cafés", "café-s"));
        assert_eq!(parse_count("1,000"), Some(1000.0));
        assert_eq!(parse_count(",5"), None);
        assert_eq!(parse_count("12a"), None);
        assert_eq!(parse_count(""), None);
    }
}
