//! Findings: what a health rule reports, in the tree's own words.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How much a finding matters. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Should be looked at.
    Warning,
    /// Must be fixed.
    Error,
}

impl Severity {
    /// The spelling used in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses `info`, `warning` or `error`.
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "info" => Severity::Info,
            "warning" => Severity::Warning,
            "error" => Severity::Error,
            _ => return None,
        })
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing a rule found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Id of the rule (`orphan-kpi`), or of a plugin's rule.
    pub rule: String,
    /// How much it matters.
    pub severity: Severity,
    /// Ids of the nodes concerned, most relevant first; empty for findings about the whole tree.
    pub nodes: Vec<String>,
    /// What is wrong, naming the nodes by title.
    pub message: String,
    /// Why it matters. Borrowed from the rule's static text for built-in rules, so the thousands of
    /// findings of a large tree do not each copy it.
    pub why: std::borrow::Cow<'static, str>,
    /// What to do about it.
    pub fix: String,
    /// Numbers behind the finding (for example `r`, `lag_days`, `pairs`), when the rule has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<serde_json::Map<String, serde_json::Value>>,
    /// Name of the plugin that reported it; absent for built-in rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<String>,
}
