//! The host's side of the protocol, without I/O: every host (the wasmtime host, the browser's glue,
//! the SDK's native tester) runs the calls its own way and leaves every decision to this module, so
//! all accept and reject the same plugins and answers with the same words.
//!
//! - Here: the response checks ([`check_manifest`], [`findings_from_response`]: engine [`Finding`]s
//!   with the manifest's defaults, exactly as `plugins/ABI.md` says) and the rule switches
//!   ([`RuleSwitches`], [`take_rule_settings`]).
//! - [`load`]: the load steps (ABI version, manifest, unique names and rule ids).
//! - [`call`]: the framing of one call (the request's size, the span of an answer).
//! - [`run`]: a check's plugin calls split into [`run::Plan`] (which plugin gets which request) and
//!   [`run::Finish`] (answers or failures into the `PluginResults` `kpitree_core::check_with` merges).
//!
//! The module checks before compiling are [`crate::module`]'s; the errors [`crate::error`]'s.

pub mod call;
pub mod load;
pub mod run;

pub use call::Request;

use crate::{Manifest, ManifestError, Response, Severity, limits, make_map_printable, make_printable};
use kpitree_core::config::{ConfigError, RuleConfig};
use kpitree_core::finding::{self, Finding, Text};
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
    /// The findings, each with its rule's `why` and `fix`, come to more than the limit on what a
    /// response may expand to ([`expanded_limit`]).
    TooLarge {
        /// How many findings the response has.
        findings: usize,
        /// The output limit the expansion limit is a multiple of, in bytes.
        output_limit: u64,
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
            ResponseError::TooLarge { findings, output_limit } => write!(
                f,
                "{findings} findings come to more than {} bytes with their rules' why and fix",
                expanded_limit(*output_limit)
            ),
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

/// What the findings of one response may come to, in bytes, once each carries its rule's `why` and
/// `fix` ([`limits::EXPANSION`] times the output limit `output_limit`): see
/// [`findings_from_response`].
pub fn expanded_limit(output_limit: u64) -> u64 {
    output_limit.saturating_mul(limits::EXPANSION)
}

/// Parses a response and returns its findings as the engine's, in the plugin's order: each gets the
/// declared rule's default severity and fix when it has none, the rule's `why`, and the plugin's name.
///
/// The plugin's text (message, fix, the strings of `evidence`, and the message of a reported error)
/// is cleaned with [`make_printable`] here, so every host shows the same bytes. The `why` comes from
/// the manifest, which the host cleaned with [`Manifest::make_printable`] when it loaded it.
///
/// What a response makes the host hold and print is bounded by `output_limit` (the size the response
/// itself was allowed, checked by the host before it read it): the findings of one rule share one
/// copy of its `why` and `fix` ([`Text`]), and what the findings come to with them (for each: rule id,
/// plugin name, message, why, fix, node ids and evidence as JSON) may be at most
/// [`expanded_limit`]`(output_limit)`, so a long `why` and many tiny findings are refused
/// ([`ResponseError::TooLarge`]) instead of printed a million times.
pub fn findings_from_response(
    manifest: &Manifest,
    tree: &Tree,
    response: &[u8],
    output_limit: usize,
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
    let limit = expanded_limit(output_limit as u64);
    let count = found.len();
    let too_large = || ResponseError::TooLarge { findings: count, output_limit: output_limit as u64 };
    // Each rule's texts, made shareable the first time one of its findings needs them.
    let mut texts: Vec<Option<(Text, Text)>> = vec![None; manifest.rules.len()];
    let plugin = &manifest.name;
    let mut expanded: u64 = 0;
    let mut out = Vec::with_capacity(count);
    for f in found {
        let Some(k) = manifest.rules.iter().position(|r| r.id == f.rule) else {
            return Err(ResponseError::UndeclaredRule(f.rule));
        };
        if let Some(node) = f.nodes.iter().find(|id| tree.ix(id).is_none()) {
            return Err(ResponseError::UnknownNode { rule: f.rule, node: node.clone() });
        }
        let decl = &manifest.rules[k];
        let (why, default_fix) =
            texts[k].get_or_insert_with(|| (Text::from(decl.why.clone()), Text::from(decl.fix.clone()))).clone();
        let (mut message, mut evidence) = (f.message, f.evidence);
        make_printable(&mut message);
        let fix = match f.fix {
            Some(mut own) => {
                make_printable(&mut own);
                Text::from(own)
            }
            None => default_fix,
        };
        if let Some(map) = &mut evidence {
            make_map_printable(map);
        }
        let size = [f.rule.len(), plugin.len(), message.len(), why.len(), fix.len()].iter().sum::<usize>()
            + f.nodes.iter().map(String::len).sum::<usize>()
            + evidence.as_ref().map_or(0, json_len);
        expanded = expanded.saturating_add(size as u64);
        if expanded > limit {
            return Err(too_large());
        }
        let mut finding =
            Finding::new(f.rule, severity(f.severity.unwrap_or(decl.severity)), f.nodes, message, why, fix);
        finding.evidence = evidence;
        finding.plugin = Some(plugin.clone());
        out.push(finding);
    }
    Ok(out)
}

/// The length of `map` written as JSON (as the host's report writes it).
fn json_len(map: &serde_json::Map<String, serde_json::Value>) -> usize {
    serde_json::to_string(map).map_or(0, |s| s.len())
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

#[cfg(test)]
mod tests {
    use super::*;

    const TREE: &str = r#"{"version": 1, "organisation": "Acme", "as_of": "2026-11-27", "nodes": [
        {"id": "s", "kind": "strategy", "title": "Grow", "owner": "ceo"}]}"#;

    fn manifest(why: &str) -> Manifest {
        serde_json::from_value(serde_json::json!({"name": "p", "version": "1", "rules": [
            {"id": "a", "severity": "info", "summary": "s", "why": why, "fix": "f"},
            {"id": "b", "severity": "info", "summary": "s", "why": "short", "fix": "g"}]}))
        .expect("a manifest")
    }

    /// `n` findings of rule `a` with an empty message.
    fn response(n: usize) -> Vec<u8> {
        let one = r#"{"rule":"a","nodes":["s"],"message":""}"#;
        format!(r#"{{"findings":[{}]}}"#, vec![one; n].join(",")).into_bytes()
    }

    #[test]
    fn the_findings_of_a_rule_share_its_texts() {
        let doc = kpitree_core::parse_json("t.json", TREE).expect("parses");
        let tree = Tree::new("t.json", doc.clone()).expect("valid");
        let m = manifest("why");
        let findings = findings_from_response(&m, &tree, &response(3), limits::OUTPUT_SIZE).expect("accepted");
        assert_eq!((findings[0].why.as_str(), findings[0].fix.as_str()), ("why", "f"));
        assert!(findings.iter().all(|f| std::ptr::eq(f.why.as_str(), findings[0].why.as_str())));
        assert!(findings.iter().all(|f| std::ptr::eq(f.fix.as_str(), findings[0].fix.as_str())));
    }

    /// What a response comes to with its rules' texts is bounded by a multiple of the output limit
    /// (not by the response's own size, which the host checked before).
    #[test]
    fn what_findings_come_to_with_their_texts_is_bounded() {
        let doc = kpitree_core::parse_json("t.json", TREE).expect("parses");
        let tree = Tree::new("t.json", doc.clone()).expect("valid");
        let m = manifest(&"w".repeat(1000));
        // Each finding comes to 1 (rule) + 1 (plugin) + 1000 (why) + 1 (fix) + 1 (node) = 1004 bytes;
        // the limit is 4 × 1004.
        let limit = 1004;
        let ok = findings_from_response(&m, &tree, &response(4), limit).expect("at the limit");
        assert_eq!(ok.len(), 4);
        let e = findings_from_response(&m, &tree, &response(5), limit).expect_err("past it");
        assert_eq!(e, ResponseError::TooLarge { findings: 5, output_limit: 1004 });
        assert_eq!(e.to_string(), "5 findings come to more than 4016 bytes with their rules' why and fix");
        assert_eq!(
            ErrorKind::from_response(e, b"").of("p").to_string(),
            "plugin `p` returned 5 findings from kpitree_evaluate that come to more than 3.9 KiB with their \
             rules' why and fix (limit 4 × the output limit of 1004 bytes)"
        );
        // A finding's own fix and evidence count too.
        let own = br#"{"findings":[{"rule":"b","nodes":[],"message":"","fix":"xxxxxxxxxx","evidence":{"k":1}}]}"#;
        assert!(findings_from_response(&m, &tree, own, 6).is_ok(), "1 + 1 + 5 + 10 + 7 = 24 bytes");
        assert!(findings_from_response(&m, &tree, own, 5).is_err(), "more than 20 bytes");
    }

    use crate::error::ErrorKind;
}
