//! `owner-teams`: every owner must be one of the organisation's teams (configured as `teams`), so
//! each node has an accountable team that exists, rather than a person who may leave, a role nobody
//! holds, or a spelling of a team nobody recognises. Suggests the closest team.
//!
//! See `README.md` for the configuration and `tests/owner-not-a-team/` for examples.

use kpitree_plugin_sdk::prelude::*;
use serde::Deserialize;
use std::collections::HashSet;

/// `[plugins.owner-teams]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The teams that may own nodes, spelled as owners should write them.
    pub teams: Option<Vec<String>>,
    /// Which kinds of node must be owned by a team (default: all four).
    #[serde(default = "all_kinds")]
    pub kinds: Vec<String>,
}

fn all_kinds() -> Vec<String> {
    ["strategy", "objective", "key_result", "kpi"].map(String::from).to_vec()
}

/// The rule: one finding per active or draft node of a checked kind whose owner is not a team.
pub fn check(tree: &Tree, config: &Config) -> Result<Vec<Finding>, String> {
    let Some(teams) = config.teams.as_ref().filter(|t| !t.is_empty()) else {
        return Err("configuration: set `teams`, the list of team names owners must be one of".into());
    };
    let teams: Vec<Team> = teams.iter().map(|t| Team::new(t.trim())).collect();
    // Membership only (never iterated), so the hash order cannot leak into the findings.
    let names: HashSet<&str> = teams.iter().map(|t| t.name).collect();
    let mut kinds = Vec::new();
    for k in &config.kinds {
        match [NodeKind::Strategy, NodeKind::Objective, NodeKind::KeyResult, NodeKind::Kpi]
            .into_iter()
            .find(|n| n.as_str() == k)
        {
            Some(kind) => kinds.push(kind),
            None => return Err(format!("configuration: `kinds` has `{k}`; use strategy, objective, key_result, kpi")),
        }
    }
    let mut out = Findings::new();
    // Owners repeat a lot: judge each distinct owner once, remembered by string reference (equal
    // exactly when the owners are).
    let mut verdicts: Vec<Option<Option<Verdict>>> = vec![None; tree.view().string_count() as usize];
    for node in tree.nodes() {
        if node.status() == Status::Retired || !kinds.contains(&node.kind()) {
            continue;
        }
        let (Some(owner), Some(owner_ref)) = (node.owner(), node.owner_ref()) else { continue };
        let Some(slot) = verdicts.get_mut(owner_ref as usize) else { continue };
        let verdict = slot.get_or_insert_with(|| judge(owner, &teams, &names)).clone();
        let Some(verdict) = verdict else { continue };
        let message =
            format!("{} is owned by \"{owner}\", which is not one of the organisation's teams", node.display());
        let fix = match &verdict.suggestion {
            Some(team) if team.eq_ignore_ascii_case(owner) => {
                format!("Write the owner as the team is spelled: \"{team}\".")
            }
            Some(team) => format!("Did you mean \"{team}\"? Make one of the configured teams accountable for it."),
            None => format!(
                "Make one of the {} configured teams accountable for it, or add \"{owner}\" to `teams` if it is a team.",
                teams.len()
            ),
        };
        let f = out.add("owner-not-a-team", [node], message).fix(fix).evidence("owner", owner);
        if let Some(team) = verdict.suggestion {
            f.evidence("suggestion", team);
        }
    }
    Ok(out.into_vec())
}

#[derive(Clone, Debug)]
struct Verdict {
    suggestion: Option<String>,
}

/// A configured team, with what matching needs computed once.
struct Team<'c> {
    name: &'c str,
    lower: String,
    chars: Vec<char>,
}

impl<'c> Team<'c> {
    fn new(name: &'c str) -> Team<'c> {
        let lower = name.to_lowercase();
        Team { name, chars: lower.chars().collect(), lower }
    }
}

/// `None` when `owner` is a team; otherwise the closest team when it is close enough to be a typo.
fn judge(owner: &str, teams: &[Team<'_>], names: &HashSet<&str>) -> Option<Verdict> {
    if names.contains(owner) {
        return None;
    }
    let lower = owner.to_lowercase();
    if let Some(team) = teams.iter().find(|t| abbreviates(&lower, &t.lower)) {
        return Some(Verdict { suggestion: Some(team.name.to_owned()) });
    }
    let chars: Vec<char> = lower.chars().collect();
    let mut best: Option<(usize, &str)> = None;
    let mut row = Vec::new();
    for t in teams {
        // A typo rarely hits both ends of a name: skip teams that share neither its first nor its
        // last character (this keeps the search cheap with thousands of teams).
        if t.chars.first() != chars.first() && t.chars.last() != chars.last() {
            continue;
        }
        // Close enough: within a third of the longer name (at least 1), and closer than the best so far.
        let limit = (t.chars.len().max(chars.len()) / 3).max(1).min(best.map_or(usize::MAX, |(d, _)| d - 1));
        if let Some(d) = edit_distance_within(&chars, &t.chars, limit, &mut row) {
            best = Some((d, t.name));
            if d == 0 {
                break;
            }
        }
    }
    Some(Verdict { suggestion: best.map(|(_, t)| t.to_owned()) })
}

/// `sales ops` abbreviates `sales operations`: as many words, each starting with the same letter and
/// spelled by a subsequence of the team's word.
fn abbreviates(owner: &str, team: &str) -> bool {
    let (mut a, mut b) = (owner.split_whitespace(), team.split_whitespace());
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(w), Some(t)) => {
                let mut rest = t.chars();
                if w.chars().next() != t.chars().next() || !w.chars().all(|c| rest.any(|d| d == c)) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// Levenshtein distance over characters when it is at most `limit`, else `None`. Stops as soon as a
/// whole row exceeds the limit, and never starts when the lengths alone differ by more.
fn edit_distance_within(a: &[char], b: &[char], limit: usize, row: &mut Vec<usize>) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    row.clear();
    row.extend(0..=b.len());
    for (i, ca) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        let mut smallest = row[0];
        for (j, cb) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = (diag + usize::from(ca != cb)).min(up + 1).min(row[j] + 1);
            diag = up;
            smallest = smallest.min(row[j + 1]);
        }
        if smallest > limit {
            return None;
        }
    }
    Some(row[b.len()]).filter(|&d| d <= limit)
}

kpitree_plugin_sdk::plugin! {
    name: "owner-teams",
    version: env!("CARGO_PKG_VERSION"),
    description: "Owners must be teams from the organisation's list; suggests the closest team.",
    config_schema: r#"{
        "type": "object",
        "required": ["teams"],
        "additionalProperties": false,
        "properties": {
            "teams": { "type": "array", "items": { "type": "string" }, "minItems": 1,
                       "description": "the teams that may own nodes, spelled as owners should write them" },
            "kinds": { "type": "array", "items": { "enum": ["strategy", "objective", "key_result", "kpi"] },
                       "description": "which kinds of node must be owned by a team (default: all)" }
        }
    }"#,
    // `title` for the messages (`node.display()`); `kind` and `id` always come.
    reads: ["status", "owner", "title"],
    rules: [{
        id: "owner-not-a-team",
        severity: Warning,
        summary: "an owner that is not one of the organisation's teams",
        why: "A node owned by a person, a role or a misspelt team has nobody clearly accountable: people move on, \
              roles go unfilled, and a team nobody recognises never reviews it. Owning through teams keeps every \
              metric with a group that meets, discusses it and can retire it.",
        fix: "Make one of the configured teams accountable for it.",
    }],
    evaluate: check,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_suggestions() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        let d = |a: &str, b: &str, limit| edit_distance_within(&chars(a), &chars(b), limit, &mut Vec::new());
        assert_eq!(d("sales ops", "sales operations", 10), Some(7));
        assert_eq!(d("sales ops", "sales operations", 6), None);
        assert_eq!(d("", "abc", 3), Some(3));
        assert_eq!(d("platfrom", "platform", 2), Some(2));
        let teams: Vec<Team> = ["Sales Operations", "Customer Success", "Platform"].map(Team::new).into();
        let names = teams.iter().map(|t| t.name).collect();
        let suggest = |owner: &str| judge(owner, &teams, &names).map(|v| v.suggestion);
        assert_eq!(suggest("Platform"), None);
        assert_eq!(suggest("Platfrom"), Some(Some("Platform".to_owned())));
        assert_eq!(suggest("platform"), Some(Some("Platform".to_owned())));
        assert_eq!(suggest("Jane Doe"), Some(None));
        assert_eq!(suggest("Sales Ops"), Some(Some("Sales Operations".to_owned())));
        assert_eq!(suggest("Cust. Success"), Some(Some("Customer Success".to_owned())));
        assert!(abbreviates("cust success", "customer success"));
        assert!(!abbreviates("ops", "sales operations"));
    }
}
