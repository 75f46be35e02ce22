//! Waivers: findings accepted on purpose, with a reason and optionally a last day.
//!
//! A waiver names a rule and is either on a node (`"waivers"` in the tree: it covers the findings of
//! that rule whose first node, the one the finding is about, is the node) or in the configuration
//! (`[[waivers]]`: the findings of the rule about any of its `nodes`, or every finding of the rule
//! when it lists none, whole-tree findings included). A waived finding stays in the report, marked
//! with the waiver's reason and last day, and counts neither for health, the summary's counts nor
//! `--fail-on`.
//!
//! [`apply`] runs after every rule (built-in, plugin and custom), so it sees every finding. A waiver
//! whose `until` lies before the tree's `as_of` no longer applies and is itself a finding of
//! `expired-waiver`; one that covers no finding is a finding of `unused-waiver`. Those two are not
//! waivable. Work is linear in waivers plus findings (hash lookups, no waiver-by-finding scan).

use crate::config::{ConfigWaiver, Settings};
use crate::date::Date;
use crate::finding::{Finding, Severity, Waived};
use crate::rules::{Context, Rule, RuleMeta, Sink};
use crate::tree::{Ix, Tree};
use rustc_hash::FxHashMap as HashMap;

/// `expired-waiver`: a waiver past its `until`.
pub static EXPIRED: RuleMeta = RuleMeta {
    id: "expired-waiver",
    severity: Severity::Warning,
    summary: crate::meta::described("a waiver past its `until` date: the findings it covered count again"),
    why: "A waiver with a date is a promise to look again by then. Once the date has passed, the reason it gave \
          may no longer hold, and a waiver nobody renews silently turns a known problem into a permanent one.",
    fix: "Fix what the findings it covered say, or renew the waiver with a new `until` and a reason that still \
          holds.",
    params: &[],
};

/// `unused-waiver`: a waiver that covers no finding.
pub static UNUSED: RuleMeta = RuleMeta {
    id: "unused-waiver",
    severity: Severity::Info,
    summary: crate::meta::described(
        "a waiver that covers no finding: the problem it accepted is gone, or it names the wrong rule or node",
    ),
    why: "A waiver that covers nothing is noise at best; at worst it names a rule or node by mistake, and the \
          finding it was meant for counts without anyone noticing, or it will hide a new finding later.",
    fix: "Remove the waiver, or correct its rule id or node ids.",
    params: &[],
};

/// Whether findings of `rule` may be waived: every rule's but those of waivers themselves.
pub fn waivable(rule: &str) -> bool {
    rule != EXPIRED.id && rule != UNUSED.id
}

/// `expired-waiver` among the built-in rules (for settings, `kpitree rules` and `explain`): its
/// findings are made by [`apply`] once every rule has run, not by [`Rule::check`].
pub struct ExpiredWaiver;

/// `unused-waiver` among the built-in rules, as [`ExpiredWaiver`].
pub struct UnusedWaiver;

impl Rule for ExpiredWaiver {
    fn meta(&self) -> &'static RuleMeta {
        &EXPIRED
    }
    // Waivers are judged against every finding, plugins' and custom rules' included: see `apply`.
    fn check(&self, _: &Context<'_>, _: &mut Sink<'_>) {}
}

impl Rule for UnusedWaiver {
    fn meta(&self) -> &'static RuleMeta {
        &UNUSED
    }
    // See `ExpiredWaiver::check`.
    fn check(&self, _: &Context<'_>, _: &mut Sink<'_>) {}
}

/// Where a waiver is written.
#[derive(Clone, Copy)]
enum Origin {
    /// On the node at this index.
    Node(Ix),
    /// The `k`-th `[[waivers]]` of the configuration.
    Config(usize),
}

struct Entry<'a> {
    origin: Origin,
    rule: &'a str,
    reason: &'a str,
    until: Option<Date>,
    expired: bool,
    used: bool,
}

/// Marks the findings that a waiver covers and adds the findings of `expired-waiver` and
/// `unused-waiver` (when they are enabled in `settings`). Runs once per check, after every rule.
pub fn apply(tree: &Tree, findings: &mut Vec<Finding>, settings: &Settings) {
    let as_of = tree.doc().as_of;
    let mut entries: Vec<Entry<'_>> = Vec::new();
    // (node index, rule) → entry, for waivers on nodes (validation made them unique per node and rule).
    let mut on_node: HashMap<(Ix, &str), usize> = HashMap::default();
    for (i, node) in tree.nodes().iter().enumerate() {
        for w in &node.waivers {
            on_node.insert((i as Ix, w.rule.as_str()), entries.len());
            entries.push(Entry::new(Origin::Node(i as Ix), &w.rule, &w.reason, w.until, as_of));
        }
    }
    // (rule, node id) → entry, and rule → entry for waivers that list no nodes; the first one wins.
    let mut by_node: HashMap<(&str, &str), usize> = HashMap::default();
    let mut whole: HashMap<&str, usize> = HashMap::default();
    for (k, w) in settings.waivers.iter().enumerate() {
        let e = entries.len();
        entries.push(Entry::new(Origin::Config(k), &w.rule, &w.reason, w.until, as_of));
        if w.nodes.is_empty() {
            whole.entry(w.rule.as_str()).or_insert(e);
        }
        for id in &w.nodes {
            by_node.entry((w.rule.as_str(), id.as_str())).or_insert(e);
        }
    }
    if entries.is_empty() {
        return;
    }
    for f in findings.iter_mut() {
        if !waivable(&f.rule) {
            continue;
        }
        let first = f.nodes.first();
        let candidates = [
            first.and_then(|id| tree.ix(id)).and_then(|i| on_node.get(&(i, f.rule.as_str()))),
            first.and_then(|id| by_node.get(&(f.rule.as_str(), id.as_str()))),
            whole.get(f.rule.as_str()),
        ];
        // The first waiver that still applies covers the finding; an expired one covers nothing.
        if let Some(&e) = candidates.into_iter().flatten().find(|&&e| entries.get(e).is_some_and(|w| !w.expired))
            && let Some(w) = entries.get_mut(e)
        {
            w.used = true;
            let in_tree = matches!(w.origin, Origin::Node(_));
            f.waived = Some(Waived { reason: w.reason.to_owned(), until: w.until, in_tree });
        }
    }
    report(tree, findings, settings, &entries);
}

impl<'a> Entry<'a> {
    fn new(origin: Origin, rule: &'a str, reason: &'a str, until: Option<Date>, as_of: Date) -> Entry<'a> {
        Entry { origin, rule, reason, until, expired: until.is_some_and(|u| u < as_of), used: false }
    }
}

/// The findings of `expired-waiver` and `unused-waiver`.
fn report(tree: &Tree, findings: &mut Vec<Finding>, settings: &Settings, entries: &[Entry<'_>]) {
    let switch = |meta: &RuleMeta| -> Option<Severity> {
        let k = crate::rules::builtin().iter().position(|r| r.meta().id == meta.id)?;
        settings.rules.get(k).filter(|s| s.enabled).map(|s| s.severity)
    };
    let (expired, unused) = (switch(&EXPIRED), switch(&UNUSED));
    for w in entries {
        let (meta, severity) = match (w.expired, w.used) {
            (true, _) => (&EXPIRED, expired),
            (false, false) => (&UNUSED, unused),
            (false, true) => continue,
        };
        let Some(severity) = severity else { continue };
        let (nodes, place, case) = match w.origin {
            Origin::Node(i) => {
                let node = tree.node(i);
                (vec![node.id.clone()], format!("on {}", node.display()), format!("node\u{1f}{}", node.id))
            }
            Origin::Config(k) => {
                let listed = settings.waivers.get(k).map_or(&[][..], |c| c.nodes.as_slice());
                let known: Vec<String> = listed.iter().filter(|id| tree.ix(id).is_some()).cloned().collect();
                let place = if listed.is_empty() {
                    format!("in the configuration ([[waivers]] #{}, every node)", k + 1)
                } else {
                    format!("in the configuration ([[waivers]] #{}, for {})", k + 1, ids(listed))
                };
                let mut sorted = listed.to_vec();
                crate::sort::sort(&mut sorted);
                (known, place, format!("config\u{1f}{}", sorted.join("\u{1f}")))
            }
        };
        let mut message = if w.expired {
            let until = w.until.map(|d| d.to_string()).unwrap_or_default();
            format!(
                "Waiver of `{}` {place} expired on {until} (reason given: \"{}\"): the findings it covered count again",
                w.rule, w.reason
            )
        } else {
            format!("Waiver of `{}` {place} covers no finding (reason given: \"{}\")", w.rule, w.reason)
        };
        if !w.expired {
            message.push_str(&unused_hint(tree, settings, w));
        }
        let mut f = Finding::new(meta.id.to_owned(), severity, nodes, message, meta.why.into(), meta.fix.into());
        let mut evidence = serde_json::Map::new();
        evidence.insert("rule".into(), w.rule.into());
        if let Some(until) = w.until {
            evidence.insert("until".into(), until.to_string().into());
        }
        f.evidence = Some(evidence);
        // Two waivers on one node (of different rules) are two cases.
        f.case = Some(format!("{case}\u{1f}{}", w.rule));
        findings.push(f);
    }
}

/// Why a waiver may cover nothing, when the engine can tell: its rule is a built-in one switched
/// off, its rule id is close to a built-in one's, or (in the configuration) its nodes are not in the
/// tree.
fn unused_hint(tree: &Tree, settings: &Settings, w: &Entry<'_>) -> String {
    let builtin = crate::rules::builtin();
    let mut hint = match builtin.iter().position(|r| r.meta().id == w.rule) {
        Some(k) if settings.rules.get(k).is_some_and(|s| !s.enabled) => {
            format!(": `{}` is switched off in this run", w.rule)
        }
        Some(_) => String::new(),
        None => {
            let ids: Vec<&str> = builtin.iter().map(|r| r.meta().id).collect();
            match crate::config::closest(w.rule, &ids) {
                Some(s) => format!(": no finding of `{}` (did you mean `{s}`?)", w.rule),
                None => String::new(),
            }
        }
    };
    if let Origin::Config(k) = w.origin {
        let missing: Vec<&str> = settings
            .waivers
            .get(k)
            .map_or(&[][..], |c| c.nodes.as_slice())
            .iter()
            .filter(|id| tree.ix(id).is_none())
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            let listed: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
            let (noun, verb) = if missing.len() == 1 { ("node", "is") } else { ("nodes", "are") };
            hint.push_str(&format!("; {noun} {} {verb} not in the tree", crate::rules::and_list(&listed)));
        }
    }
    hint
}

/// `a`, `b` and `c` as backquoted ids, at most five and a count of the rest.
fn ids(list: &[String]) -> String {
    let shown: Vec<String> = list.iter().take(5).map(|id| format!("`{id}`")).collect();
    let mut out = crate::rules::and_list(&shown);
    if list.len() > 5 {
        out.push_str(&format!(" and {} more", list.len() - 5));
    }
    out
}

/// What is wrong with a waiver's rule, for the tree's and the configuration's waivers alike: blank,
/// not a rule id (any rule's id is `[a-z0-9][a-z0-9-]*`, so another text can only be a typo, and it
/// could not be written back as a CSV cell), or a rule whose findings cannot be waived.
pub(crate) fn rule_problem(rule: &str) -> Option<String> {
    if rule_ok(rule) {
        return None;
    }
    if rule.trim().is_empty() {
        Some("a waiver must name the rule it waives".into())
    } else if !crate::is_rule_id(rule) {
        // A built-in rule's id in another case or with `_` or spaces for `-`.
        let near = rule.trim().to_ascii_lowercase().replace([' ', '_'], "-");
        let hint = match crate::rules::builtin().iter().any(|r| r.meta().id == near) {
            true => format!(" (did you mean `{near}`?)"),
            false => String::new(),
        };
        Some(format!(
            "{rule:?} is not a rule id: lowercase letters, digits and '-', starting with a letter or digit, \
             at most {} bytes{hint}",
            kpitree_vocab::MAX_RULE_ID
        ))
    } else {
        Some("the findings of waivers themselves cannot be waived".into())
    }
}

/// Whether a waiver may name `rule` ([`rule_problem`] has nothing to say), without writing the
/// message: tree validation asks this and leaves the message to [`crate::ProblemKind::WaiverRule`].
pub(crate) fn rule_ok(rule: &str) -> bool {
    crate::is_rule_id(rule) && waivable(rule)
}

/// Checks the configuration's waivers: a rule id ([`rule_problem`]), a reason, node ids that are not
/// blank. Every mistake, by the waiver's position (1-based, as people count `[[waivers]]` tables).
pub fn check_config(waivers: &[ConfigWaiver]) -> Vec<crate::config::ConfigError> {
    let mut errors = Vec::new();
    let mut bad = |k: usize, field: &str, detail: &str| {
        errors.push(crate::config::ConfigError::BadWaiver {
            index: k + 1,
            field: field.to_owned(),
            detail: detail.to_owned(),
        });
    };
    for (k, w) in waivers.iter().enumerate() {
        if let Some(problem) = rule_problem(&w.rule) {
            bad(k, "rule", &problem);
        }
        if w.reason.trim().is_empty() {
            bad(k, "reason", "a waiver must say why the findings are accepted");
        }
        if w.nodes.iter().any(|id| id.trim().is_empty()) {
            bad(k, "nodes", "a node id is blank");
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::{rule_ok, rule_problem};

    #[test]
    fn rule_ok_is_rule_problem_saying_nothing() {
        for rule in [
            "",
            "  ",
            "stale-kpi",
            "Missing_Owner",
            "s boolean",
            "-x",
            "expired-waiver",
            "unused-waiver",
            "é",
            "a\u{202e}b",
        ] {
            assert_eq!(rule_ok(rule), rule_problem(rule).is_none(), "{rule:?}");
        }
    }

    /// Validation writes a bad waiver rule's message only when asked: described and serialized (the
    /// server's `problems`) as the eager `out-of-range` problem was.
    #[test]
    fn a_bad_waiver_rule_reads_as_an_out_of_range_problem() {
        let text = r#"{"version":1,"organisation":"O","as_of":"2026-01-01","nodes":[
            {"id":"s","kind":"strategy","title":"S","waivers":[{"rule":"Missing_Owner\n","reason":"r"}]}]}"#;
        let e = crate::load_json("t.json", text).err().unwrap();
        let p = &e.problems[0];
        let detail = "\"Missing_Owner\\n\" is not a rule id: lowercase letters, digits and '-', starting with a \
                      letter or digit, at most 64 bytes (did you mean `missing-owner`?)";
        assert_eq!((p.code(), p.kind.to_string()), ("out-of-range", detail.to_owned()));
        assert!(p.message.ends_with(detail), "{}", p.message);
        let json = serde_json::to_value(p).unwrap();
        assert_eq!(json["code"], "out-of-range");
        assert_eq!(json["detail"], detail);
        assert_eq!(json["field"], "waivers[0].rule");
        assert!(json.get("rule").is_none(), "{json}");
    }
}
