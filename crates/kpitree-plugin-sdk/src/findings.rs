//! [`Findings`]: where a rule collects what it found, one builder call per finding.

use crate::tree::Node;
use kpitree_plugin_abi::{PluginFinding, Severity};

/// A finding as a plugin reports it (the host adds the rule's `why` and the plugin's name).
pub type Finding = PluginFinding;

/// The findings of one evaluation, in the order they were added.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Findings {
    list: Vec<Finding>,
}

impl Findings {
    /// No findings yet.
    pub fn new() -> Findings {
        Findings::default()
    }

    /// Adds a finding of rule `rule` about `nodes` (most relevant first), with the rule's default
    /// severity and fix; the returned builder can set a specific fix, severity or evidence.
    ///
    /// ```
    /// # use kpitree_plugin_sdk::{Findings, Severity};
    /// let mut out = Findings::new();
    /// out.add("owner-not-a-team", [], "the tree has no owner at all").severity(Severity::Error);
    /// assert_eq!(out.len(), 1);
    /// ```
    pub fn add<'t>(
        &mut self,
        rule: &str,
        nodes: impl IntoIterator<Item = Node<'t>>,
        message: impl Into<String>,
    ) -> FindingBuilder<'_> {
        self.list.push(Finding {
            rule: rule.to_owned(),
            severity: None,
            nodes: nodes.into_iter().map(|n| n.id().to_owned()).collect(),
            message: message.into(),
            fix: None,
            evidence: None,
        });
        let last = self.list.len() - 1;
        FindingBuilder { finding: &mut self.list[last] }
    }

    /// Number of findings.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The findings, for returning from a rule.
    pub fn into_vec(self) -> Vec<Finding> {
        self.list
    }
}

impl From<Findings> for Vec<Finding> {
    fn from(f: Findings) -> Vec<Finding> {
        f.list
    }
}

/// Sets the optional parts of the finding just added.
#[derive(Debug)]
pub struct FindingBuilder<'f> {
    finding: &'f mut Finding,
}

impl FindingBuilder<'_> {
    /// A fix specific to this finding (instead of the rule's general one).
    pub fn fix(self, fix: impl Into<String>) -> Self {
        self.finding.fix = Some(fix.into());
        self
    }

    /// Another severity than the rule's default (escalate a severe case, say).
    pub fn severity(self, severity: Severity) -> Self {
        self.finding.severity = Some(severity);
        self
    }

    /// A number or text behind the finding (`r`, `count`, `limit`), shown as its evidence.
    pub fn evidence(self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.finding.evidence.get_or_insert_with(Default::default).insert(key.to_owned(), value.into());
        self
    }

    /// The finding as it stands.
    pub fn get(&self) -> &Finding {
        self.finding
    }
}
