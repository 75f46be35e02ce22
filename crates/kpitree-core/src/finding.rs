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
