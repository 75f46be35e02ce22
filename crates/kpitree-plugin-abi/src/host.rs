//! The host's side of a response: checks a plugin's manifest against the engine and turns its answer
//! into engine [`Finding`]s with the manifest's defaults, exactly as `plugins/ABI.md` says. Shared by
//! the wasmtime host and the SDK's native tester, so both accept and reject the same answers.

use crate::{Manifest, ManifestError, Response, Severity, make_map_printable, make_printable};
use kpitree_core::config::{ConfigError, RuleConfig};
use kpitree_core::finding::{self, Finding};
use kpitree_core::tree::Tree;
use std::fmt;

/// Why a response was rejected (the host reports it as a plugin error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResponseError {
    /// The bytes are not UTF-8.
    NotUtf8,
    /// Not the response JSON shape.
    BadJson(String),
    /// The plugin answered with a structured error.
    Plugin(String),
    /// A finding names a rule the manifest does not declare.
    UndeclaredRule(String),
    /// A finding names a node id that is not in the tree.
    UnknownNode {
        /// The finding's rule.
        rule: String,
        /// The id.
        node: String,
    },
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseError::NotUtf8 => write!(f, "response is not UTF-8"),
            ResponseError::BadJson(e) => write!(f, "response is not valid response JSON: {e}"),
            ResponseError::Plugin(m) => write!(f, "{m}"),
            ResponseError::UndeclaredRule(r) => write!(f, "finding of rule `{r}`, which the manifest does not declare"),
            ResponseError::UnknownNode { rule, node } => {
                write!(f, "finding of rule `{rule}` names node `{node}`, which is not in the tree")
            }
        }
    }
}

impl std::error::Error for ResponseError {}

/// [`Manifest::check`] plus: no rule id may be a built-in rule's.
pub fn check_manifest(manifest: &Manifest) -> Result<(), ManifestError> {
    manifest.check()?;
    match manifest.rules.iter().find(|r| kpitree_core::rules::find(&r.id).is_some()) {
        Some(r) => Err(ManifestError::ClashesWithBuiltin(r.id.clone())),
        None => Ok(()),
    }
}

/// The engine's severity for a plugin's.
pub fn severity(s: Severity) -> finding::Severity {
    match s {
        Severity::Info => finding::Severity::Info,
        Severity::Warning => finding::Severity::Warning,
        Severity::Error => finding::Severity::Error,
    }
}

/// Parses a response and returns its findings as the engine's, in the plugin's order: each gets the
/// declared rule's default severity and fix when it has none, the rule's `why`, and the plugin's name.
///
/// The plugin's text (message, fix, the strings of `evidence`, and the message of a reported error)
/// is cleaned with [`make_printable`] here, so every host shows the same bytes. The `why` comes from
/// the manifest, which the host cleaned with [`Manifest::make_printable`] when it loaded it.
pub fn findings_from_response(
    manifest: &Manifest,
    tree: &Tree<'_>,
    response: &[u8],
) -> Result<Vec<Finding>, ResponseError> {
    let text = std::str::from_utf8(response).map_err(|_| ResponseError::NotUtf8)?;
    let parsed: Response = serde_json::from_str(text).map_err(|e| ResponseError::BadJson(e.to_string()))?;
    let found = match parsed {
        Response::Error(mut e) => {
            make_printable(&mut e.message);
            return Err(ResponseError::Plugin(e.message));
        }
        Response::Findings(f) => f,
    };
    let mut out = Vec::with_capacity(found.len());
    for f in found {
        let Some(decl) = manifest.rule(&f.rule) else { return Err(ResponseError::UndeclaredRule(f.rule)) };
        if let Some(node) = f.nodes.iter().find(|id| tree.ix(id).is_none()) {
            return Err(ResponseError::UnknownNode { rule: f.rule, node: node.clone() });
        }
        let (mut message, mut fix, mut evidence) = (f.message, f.fix.unwrap_or_else(|| decl.fix.clone()), f.evidence);
        make_printable(&mut message);
        make_printable(&mut fix);
        if let Some(map) = &mut evidence {
            make_map_printable(map);
        }
        out.push(Finding {
            severity: severity(f.severity.unwrap_or(decl.severity)),
            nodes: f.nodes,
            message,
            why: decl.why.clone().into(),
            fix,
            evidence,
            plugin: Some(manifest.name.clone()),
            rule: f.rule,
        });
    }
    Ok(out)
}

/// How the configuration switches one plugin's rules (`[rules.<id>]`: `enabled`, `severity`), in the
/// order of its manifest. One definition for the native host and the browser runner, so a
/// configuration means the same in both.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleSwitches(Vec<RuleSwitch>);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct RuleSwitch {
    enabled: bool,
    severity: Option<finding::Severity>,
}

const UNSET: RuleSwitch = RuleSwitch { enabled: true, severity: None };

impl RuleSwitches {
    /// Every rule of `manifest` on, at the severity the plugin gives it.
    pub fn new(manifest: &Manifest) -> RuleSwitches {
        RuleSwitches(vec![UNSET; manifest.rules.len()])
    }

    /// Sets rule `id` of `manifest` (`None` leaves a setting as it is); false when the plugin does not
    /// declare `id`.
    pub fn set(
        &mut self,
        manifest: &Manifest,
        id: &str,
        enabled: Option<bool>,
        severity: Option<finding::Severity>,
    ) -> bool {
        let Some(switch) = manifest.rules.iter().position(|r| r.id == id).and_then(|k| self.0.get_mut(k)) else {
            return false;
        };
        if let Some(on) = enabled {
            switch.enabled = on;
        }
        if severity.is_some() {
            switch.severity = severity;
        }
        true
    }

    /// How many rules are on.
    pub fn enabled(&self) -> usize {
        self.0.iter().filter(|s| s.enabled).count()
    }

    /// Drops the findings of rules switched off and gives the others their configured severity, which
    /// wins over the one the plugin set on the finding (`plugins/ABI.md`, *Severity*).
    pub fn apply(&self, manifest: &Manifest, findings: &mut Vec<Finding>) {
        if self.0.iter().all(|s| *s == UNSET) {
            return;
        }
        findings.retain_mut(|f| {
            let Some(switch) = manifest.rules.iter().position(|r| r.id == f.rule).and_then(|k| self.0.get(k)) else {
                return true;
            };
            if let Some(severity) = switch.severity {
                f.severity = severity;
            }
            switch.enabled
        });
    }
}

/// Takes the `[rules.<id>]` tables that name a rule of one of `plugins` out of `rules` (so that what
/// is left resolves against the built-in rules) and applies their `enabled` and `severity` to the
/// plugins' switches. Options are refused: a plugin is configured as a whole, under
/// `[plugins.<name>]`.
pub fn take_rule_settings(
    rules: &mut std::collections::BTreeMap<String, RuleConfig>,
    plugins: &mut [(&Manifest, &mut RuleSwitches)],
) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    let ids: Vec<String> =
        rules.keys().filter(|id| plugins.iter().any(|(m, _)| m.rule(id).is_some())).cloned().collect();
    for id in ids {
        let Some(rc) = rules.remove(&id) else { continue };
        for (manifest, switches) in plugins.iter_mut() {
            if !switches.set(manifest, &id, rc.enabled, rc.severity) {
                continue;
            }
            for param in rc.params.keys() {
                errors.push(ConfigError::BadValue {
                    rule: id.clone(),
                    param: param.clone(),
                    detail: format!(
                        "plugin rules have no options here; configure plugin `{}` in [plugins.{}]",
                        manifest.name, manifest.name
                    ),
                });
            }
        }
    }
    errors
}
