//! Findings: what a health rule reports, in the tree's own words.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// How much a finding matters (`kpitree-vocab`, shared with the plugin ABI).
pub use kpitree_vocab::Severity;

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
    /// Why it matters. Borrowed from the rule's static text for built-in rules and shared with the
    /// manifest for plugin rules, so the thousands of findings of a large tree do not each copy it.
    pub why: Text,
    /// What to do about it: the rule's text (shared, as `why`) unless the finding has its own.
    pub fix: Text,
    /// Numbers behind the finding (for example `r`, `lag_days`, `pairs`), when the rule has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<serde_json::Map<String, serde_json::Value>>,
    /// Name of the plugin that reported it; absent for built-in rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<String>,
    /// The finding's stable identity across versions of the tree ([`fingerprint`]): set by the
    /// report, so every finding of a report has one, whoever found it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fingerprint: String,
    /// The waiver that applies to it, when one does: it stays in the report but counts neither for
    /// health nor for failing a run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waived: Option<Waived>,
    /// Against a baseline report: new, or known from it; absent when there is no baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineState>,
    /// What identifies the case when the nodes do not (a group whose members may change, such as an
    /// owner's objectives): set by the rule; part of the fingerprint, never shown.
    #[serde(skip)]
    pub case: Option<String>,
}

impl Finding {
    /// A finding with nothing derived yet: no fingerprint, waiver, baseline state or case.
    pub fn new(rule: String, severity: Severity, nodes: Vec<String>, message: String, why: Text, fix: Text) -> Finding {
        Finding {
            rule,
            severity,
            nodes,
            message,
            why,
            fix,
            evidence: None,
            plugin: None,
            fingerprint: String::new(),
            waived: None,
            baseline: None,
            case: None,
        }
    }

    /// Whether it counts for failing a run (`--fail-on`): a waived finding does not, nor one a
    /// baseline already knows. (Health and the summary's counts leave out only waived findings: a
    /// known finding is still wrong with the tree.)
    pub fn counts(&self) -> bool {
        self.waived.is_none() && self.baseline != Some(BaselineState::Known)
    }
}

/// The waiver that applies to a finding, as reports show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waived {
    /// Why the finding is accepted, as the waiver says.
    pub reason: String,
    /// The last day the waiver applies, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<crate::Date>,
    /// The waiver is written in the tree (on the node), not in the configuration: SARIF calls that
    /// an in-source suppression. Not part of the report's JSON.
    #[serde(skip)]
    pub in_tree: bool,
}

/// A finding against a baseline report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    /// Not in the baseline: it counts.
    New,
    /// In the baseline: reported, and weighs on health, but does not fail a run (`--fail-on`).
    Known,
}

/// The fingerprint of a finding of `rule` about `nodes`, or about the `case` a rule names: 16 hex
/// digits of a 64-bit FNV-1a hash of the rule id and either the case or the node ids in sorted order.
/// Never the message, the severity or positions, so rewording a title, reordering the document or
/// changing a rule's severity keeps it; a group finding (an owner's objectives) names its case so that
/// a member more or less keeps it too.
pub fn fingerprint(rule: &str, nodes: &[String], case: Option<&str>) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    // Each part is followed by a 0xff byte, which UTF-8 text never holds, so parts cannot run together.
    fn eat(h: &mut u64, part: &str) {
        for &b in part.as_bytes().iter().chain(&[0xff]) {
            *h = (*h ^ u64::from(b)).wrapping_mul(PRIME);
        }
    }
    let mut h = OFFSET;
    eat(&mut h, rule);
    match case {
        Some(case) => {
            eat(&mut h, "case");
            eat(&mut h, case);
        }
        None => {
            let mut sorted: Vec<&str> = nodes.iter().map(String::as_str).collect();
            crate::sort::sort(&mut sorted);
            for id in sorted {
                eat(&mut h, id);
            }
        }
    }
    format!("{h:016x}")
}

/// Text that many findings may share: a `&'static str` (a built-in rule's) or an [`Arc<str>`] (a
/// plugin manifest's, or one finding's own). Cloning it never copies the text, so a plugin whose
/// manifest holds a long `why` does not make the host hold one copy per finding. Reads as a `str`,
/// and serializes as a plain JSON string.
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    Static(&'static str),
    Shared(Arc<str>),
}

impl Text {
    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(s) => s,
            Repr::Shared(s) => s,
        }
    }
}

impl Default for Text {
    fn default() -> Text {
        Text(Repr::Static(""))
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&'static str> for Text {
    fn from(s: &'static str) -> Text {
        Text(Repr::Static(s))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(Repr::Shared(s.into()))
    }
}

impl From<Arc<str>> for Text {
    fn from(s: Arc<str>) -> Text {
        Text(Repr::Shared(s))
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        String::deserialize(deserializer).map(Text::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_ignore_order_and_name_the_case() {
        let ab = fingerprint("dup", &["a".into(), "b".into()], None);
        assert_eq!(ab, fingerprint("dup", &["b".into(), "a".into()], None), "node order does not matter");
        assert_eq!(ab.len(), 16);
        assert_ne!(ab, fingerprint("dup", &["a".into()], None));
        assert_ne!(ab, fingerprint("other", &["a".into(), "b".into()], None));
        // Parts cannot run together: ("ab") is not ("a", "b").
        assert_ne!(fingerprint("r", &["ab".into()], None), fingerprint("r", &["a".into(), "b".into()], None));
        let group = fingerprint("too-many", &["o1".into(), "o2".into()], Some("owner:ana"));
        assert_eq!(group, fingerprint("too-many", &["o1".into(), "o2".into(), "o3".into()], Some("owner:ana")));
        // The value is part of the format (baselines are kept in files): it must never change.
        assert_eq!(fingerprint("stale-kpi", &["k1".into()], None), fingerprint("stale-kpi", &["k1".into()], None));
    }

    #[test]
    fn text_is_shared_and_reads_as_a_plain_string() {
        let shared = Text::from("a long why".to_owned());
        let copy = shared.clone();
        // The clone points at the same bytes: many findings, one text.
        assert!(std::ptr::eq(shared.as_str(), copy.as_str()));
        assert_eq!(copy, "a long why");
        assert_eq!(Text::from("static"), Text::from("static".to_owned()));
        assert_eq!(serde_json::to_string(&shared).expect("serializes"), r#""a long why""#);
        let back: Text = serde_json::from_str(r#""a\nb""#).expect("deserializes");
        assert_eq!(back, "a\nb");
        assert_eq!(format!("{shared} {shared:?}"), r#"a long why "a long why""#);
    }
}
