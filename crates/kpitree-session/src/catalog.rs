//! Every rule a run knows, built-in and from plugins, with its metadata and its settings for the run:
//! one listing for `kpitree rules`, `kpitree explain`, the SARIF rule descriptors and `GET /v1/rules`,
//! from the rules' declarations (`RuleMeta`) and the plugins' manifests, whichever host loaded them.

use crate::CustomRules;
use kpitree_core::config::{Config, ParamValue, Settings};
use kpitree_core::finding::Severity;
use kpitree_plugin_abi::Manifest;
use serde::Serialize;

/// A rule with its metadata and how this run sets it.
#[derive(Clone, Debug, Serialize)]
pub struct RuleInfo {
    /// Stable id.
    pub id: String,
    /// The plugin that declares it; absent for built-in rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin: Option<String>,
    /// Severity unless configured otherwise.
    pub default_severity: Severity,
    /// Severity in this run.
    pub severity: Severity,
    /// Whether it runs.
    pub enabled: bool,
    /// One line: what it finds.
    pub summary: String,
    /// Why it matters.
    pub why: String,
    /// What to do about a finding.
    pub fix: String,
    /// Its options (built-in rules; a plugin is configured as a whole under `[plugins.<name>]`).
    pub params: Vec<ParamInfo>,
    /// A custom rule's file and expressions; absent for other rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom: Option<CustomInfo>,
}

/// Where a custom rule is written and what it says.
#[derive(Clone, Debug, Serialize)]
pub struct CustomInfo {
    /// The file it is in.
    pub file: String,
    /// The kinds it judges.
    pub kinds: Vec<&'static str>,
    /// Which of those nodes it judges (CEL), if not all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// What each judged node must meet (CEL).
    pub assert: String,
    /// The message (CEL), if not the summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A rule option with its default, this run's value and its range.
#[derive(Clone, Debug, Serialize)]
pub struct ParamInfo {
    /// Name in configuration files.
    pub name: &'static str,
    /// Default value.
    pub default: ParamValue,
    /// This run's value.
    pub value: Option<ParamValue>,
    /// Smallest allowed value.
    pub min: f64,
    /// Largest allowed value.
    pub max: f64,
    /// One line of help.
    pub help: &'static str,
}

/// The listing: built-in rules in their stable order, then each plugin's rules in load order, then
/// the custom rules in the order they were written.
///
/// `settings` are the built-in rules' resolved settings; `plugins` each loaded plugin's name and
/// manifest (whichever host loaded it); `custom` the compiled custom rules with their settings;
/// `config` is the configuration as written (before the host took the plugin rules' entries out of
/// it), for plugin rules' `enabled` and `severity`.
pub fn catalog<'a>(
    settings: &Settings,
    plugins: impl IntoIterator<Item = (&'a str, &'a Manifest)>,
    custom: &CustomRules,
    config: &Config,
) -> Vec<RuleInfo> {
    let mut rules: Vec<RuleInfo> = kpitree_core::rules::builtin()
        .iter()
        .zip(&settings.rules)
        .map(|(r, s)| {
            let m = r.meta();
            RuleInfo {
                id: m.id.to_owned(),
                plugin: None,
                default_severity: m.severity,
                severity: s.severity,
                enabled: s.enabled,
                summary: m.summary.to_owned(),
                why: m.why.to_owned(),
                fix: m.fix.to_owned(),
                params: m
                    .params
                    .iter()
                    .map(|p| ParamInfo {
                        name: p.name,
                        default: p.default.value(),
                        value: s.get(p.name),
                        min: p.min,
                        max: p.max,
                        help: p.help,
                    })
                    .collect(),
                custom: None,
            }
        })
        .collect();
    for (name, manifest) in plugins {
        for r in &manifest.rules {
            let default_severity = r.severity;
            let rc = config.rules.get(&r.id);
            rules.push(RuleInfo {
                id: r.id.clone(),
                plugin: Some(name.to_owned()),
                default_severity,
                severity: rc.and_then(|c| c.severity).unwrap_or(default_severity),
                enabled: rc.and_then(|c| c.enabled).unwrap_or(true),
                summary: r.summary.clone(),
                why: r.why.clone(),
                fix: r.fix.clone(),
                params: Vec::new(),
                custom: None,
            });
        }
    }
    for (r, switch) in custom.rules().iter().zip(custom.switches()) {
        rules.push(RuleInfo {
            id: r.id.clone(),
            plugin: None,
            default_severity: r.severity,
            severity: switch.severity,
            enabled: switch.enabled,
            summary: r.summary.to_string(),
            why: r.why.to_string(),
            fix: r.fix.to_string(),
            params: Vec::new(),
            custom: Some(CustomInfo {
                file: r.file.clone(),
                kinds: r.kinds.iter().map(|k| k.as_str()).collect(),
                when: r.written.when.clone(),
                assert: r.written.assert.clone().unwrap_or_default(),
                message: r.written.message.clone(),
            }),
        });
    }
    rules
}

/// `{"rules": [...]}`, the JSON of `kpitree rules --format json` and `GET /v1/rules`.
#[derive(Serialize)]
pub struct Listing<'a> {
    /// Every rule.
    pub rules: &'a [RuleInfo],
}
