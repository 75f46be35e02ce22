//! kpitree-cel: custom rules written as data, for organisations that do not write Rust.
//!
//! ```toml
//! [[custom_rules]]
//! id = "kpi-needs-department"
//! kinds = ["kpi"]
//! when = "node.status != 'retired'"
//! assert = "has(node.department)"
//! message = "'KPI ' + node.title + ' has no department'"
//! ```
//!
//! Conditions are CEL (Google's Common Expression Language, as Kubernetes uses it), evaluated by the
//! `cel` crate. [`CustomRules::compile`] checks every rule when the configuration loads and reports
//! every mistake at once, each naming its file, rule, field and position: ids, severities, kinds,
//! syntax, names that do not exist (variables, functions, node fields). [`CustomRules::run`]
//! evaluates them on a tree: findings like a built-in rule's, and a rule whose expression fails on a
//! node (a missing key, a wrong type) becomes a rule failure next to plugin failures, the other rules
//! running on.
//!
//! Bounded by design: expressions are at most [`MAX_EXPRESSION_BYTES`] long and parsed with depth
//! and size limits; before a rule runs, its cost on the tree is estimated from the sizes of the lists
//! it can go through (`check::cost`), and a rule that could take more than [`MAX_STEPS`] steps (a
//! comprehension over `nodes` for each of 100,000 nodes) fails with a message saying so instead of
//! running. Functions whose result can grow without bound (`replace`) are refused.
//!
//! The language: CEL's standard library and macros, the strings extension but `replace`, and
//! `days_since(date)`. What each variable holds: `values.rs` and `docs/format.md`.

mod check;
mod run;
mod values;

use kpitree_core::NodeKind;
use kpitree_core::config::{Config, ConfigError};
use kpitree_core::finding::{Severity, Text};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

pub use run::MAX_STEPS;

/// The longest expression accepted, in bytes.
pub const MAX_EXPRESSION_BYTES: usize = 4096;

/// The most custom rules one configuration may hold.
pub const MAX_RULES: usize = 1000;

/// A custom rule as written (`[[custom_rules]]`). Every field is optional here so that each missing
/// or wrong one is reported with the others, naming the rule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomRuleDef {
    /// `[a-z0-9][a-z0-9-]*`, unique among all rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `error`, `warning` (default) or `info`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// The kinds of node it judges (default: all four).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<String>>,
    /// CEL, a bool: which nodes of those kinds it judges (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// CEL, a bool: a judged node for which it is false gets a finding. Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assert: Option<String>,
    /// CEL, a string: the finding's message (default: the summary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// One line: what the rule finds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Why it matters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// What to do about a finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// A file of custom rules (`--rules FILE`): `[[custom_rules]]` and nothing else.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesFile {
    /// The rules, in file order.
    #[serde(default)]
    pub custom_rules: Vec<CustomRuleDef>,
}

/// Custom rules as written, with the name messages give their file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleSource {
    /// The file (`kpitree.toml`, `rules.toml`, `config` for the browser's attribute...).
    pub file: String,
    /// Its rules, in file order.
    pub rules: Vec<CustomRuleDef>,
}

/// A mistake in a custom rule, found when the configuration loads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomRuleError {
    /// The file it is in.
    pub file: String,
    /// The rule: its id, or `#N` (its place in the file) when it has no usable id.
    pub rule: String,
    /// The field at fault, if one is.
    pub field: Option<&'static str>,
    /// Line and column (1-based, characters) in that field's expression.
    pub at: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for CustomRuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: custom rule `{}`", self.file, self.rule)?;
        if let Some(field) = self.field {
            write!(f, ", field `{field}`")?;
        }
        match self.at {
            Some((1, col)) => write!(f, " at column {col}")?,
            Some((line, col)) => write!(f, " at line {line}, column {col}")?,
            None => {}
        }
        write!(f, ": {}", self.message)
    }
}

/// One compiled expression: its text (for messages) and its syntax tree.
#[derive(Debug)]
pub(crate) struct Expression {
    pub(crate) text: String,
    pub(crate) ast: cel::IdedExpr,
    /// What it uses of the tree.
    pub(crate) uses: check::Uses,
}

/// A custom rule, checked and compiled.
#[derive(Debug)]
pub struct CustomRule {
    /// Its id.
    pub id: String,
    /// The file it came from.
    pub file: String,
    /// Its severity as written (default `warning`).
    pub severity: Severity,
    /// The kinds it judges.
    pub kinds: Vec<NodeKind>,
    /// One line: what it finds.
    pub summary: Text,
    /// Why it matters.
    pub why: Text,
    /// What to do.
    pub fix: Text,
    /// The rule as written (expressions for `kpitree explain`).
    pub written: CustomRuleDef,
    pub(crate) when: Option<Expression>,
    pub(crate) assert: Expression,
    pub(crate) message: Option<Expression>,
    /// Which per-node lists its expressions use (built only for rules that do).
    pub(crate) uses: check::Uses,
}

/// Whether a rule runs, and at what severity, after `[rules.<id>]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Switch {
    /// False: the rule does not run.
    pub enabled: bool,
    /// The severity of its findings.
    pub severity: Severity,
}

/// A configuration's custom rules, compiled, with their `[rules.<id>]` switches. Cheap to clone: the
/// rules are shared, so a server can switch them per request.
#[derive(Clone, Debug, Default)]
pub struct CustomRules {
    rules: Arc<Vec<CustomRule>>,
    switches: Vec<Switch>,
}

impl CustomRules {
    /// No custom rules.
    pub fn none() -> CustomRules {
        CustomRules::default()
    }

    /// Checks and compiles the rules of `sources`; every mistake of every rule is reported, in file
    /// order. Ids must not be built-in rule ids nor repeat; plugin rule ids are checked later
    /// ([`CustomRules::clashes`]), when the plugins are loaded.
    pub fn compile(sources: &[RuleSource]) -> Result<CustomRules, Vec<CustomRuleError>> {
        let rules = check::compile(sources)?;
        let switches = rules.iter().map(|r| Switch { enabled: true, severity: r.severity }).collect();
        Ok(CustomRules { rules: Arc::new(rules), switches })
    }

    /// The rules, in the order they were written.
    pub fn rules(&self) -> &[CustomRule] {
        &self.rules
    }

    /// Each rule's switch, in the same order.
    pub fn switches(&self) -> &[Switch] {
        &self.switches
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rule with id `id`, if there is one.
    pub fn rule(&self, id: &str) -> Option<&CustomRule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// How many rules are on.
    pub fn enabled(&self) -> usize {
        self.switches.iter().filter(|s| s.enabled).count()
    }

    /// Errors for custom rules whose id is also a rule of a plugin (`plugin_rules`: plugin name and
    /// rule id).
    pub fn clashes<'a>(&self, plugin_rules: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<CustomRuleError> {
        let mut errors = Vec::new();
        for (plugin, id) in plugin_rules {
            if let Some(rule) = self.rule(id) {
                errors.push(CustomRuleError {
                    file: rule.file.clone(),
                    rule: rule.id.clone(),
                    field: Some("id"),
                    at: None,
                    message: format!("plugin `{plugin}` has a rule with this id; give the custom rule another"),
                });
            }
        }
        errors
    }

    /// Takes the custom rules' `[rules.<id>]` entries out of `config` and applies them (`enabled`,
    /// `severity`); custom rules have no options, so an option there is an error.
    pub fn configure(&mut self, config: &mut Config) -> Vec<ConfigError> {
        let mut errors = Vec::new();
        for (k, rule) in self.rules.iter().enumerate() {
            let Some(rc) = config.rules.remove(&rule.id) else { continue };
            let Some(switch) = self.switches.get_mut(k) else { continue };
            if let Some(on) = rc.enabled {
                switch.enabled = on;
            }
            if let Some(severity) = rc.severity {
                switch.severity = severity;
            }
            for param in rc.params.keys() {
                errors.push(ConfigError::BadValue {
                    rule: rule.id.clone(),
                    param: param.clone(),
                    detail: "custom rules have no options; change the rule's expressions instead".to_owned(),
                });
            }
        }
        errors
    }

    /// Runs the rules that are on over `tree`: their findings, how many ran, and the rules that
    /// failed (an expression that failed on a node, or a rule too costly for this tree).
    pub fn run(&self, tree: &kpitree_core::tree::Tree) -> kpitree_core::report::PluginResults {
        run::run(&self.rules, &self.switches, tree, &|| true)
    }

    /// [`CustomRules::run`] that stops before the next rule once `go_on` says no (a server whose
    /// client stopped waiting): each rule is bounded on its own, so the run stops within one rule's
    /// time. The rules not run are left out.
    pub fn run_while(
        &self,
        tree: &kpitree_core::tree::Tree,
        go_on: &dyn Fn() -> bool,
    ) -> kpitree_core::report::PluginResults {
        run::run(&self.rules, &self.switches, tree, go_on)
    }
}
