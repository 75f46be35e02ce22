//! Rule configuration: which rules run, at which severity, with which thresholds.
//!
//! [`Config`] is plain serde data so any front end can read it (the CLI reads `kpitree.toml`, the
//! browser takes a JS object). [`Config::resolve`] checks it against the rules' declared parameters and
//! yields the [`Settings`] a run uses; every mistake is reported, naming the rule and the option.

use crate::finding::Severity;
pub use crate::meta::ParamValue;
use crate::meta::{Declared, ParamSpec, RuleMeta};
use kpitree_decimal::shortest;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Settings for one rule, as written in a config file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleConfig {
    /// `false` switches the rule off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Overrides the rule's default severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// The rule's thresholds, by parameter name.
    #[serde(flatten)]
    pub params: BTreeMap<String, ParamValue>,
}

/// A whole configuration (`kpitree.toml`): `[rules.<id>]` tables.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Per-rule settings, by rule id.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleConfig>,
    /// Per-plugin configuration, by plugin name, passed to the plugin as it is.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub plugins: BTreeMap<String, serde_json::Value>,
    /// Waivers (`[[waivers]]`), in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<ConfigWaiver>,
}

/// A waiver in the configuration (`[[waivers]]`): findings of `rule` about `nodes` (every finding
/// of the rule when it lists none) are accepted for `reason`, until `until` (see [`crate::waivers`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigWaiver {
    /// The rule waived.
    pub rule: String,
    /// The nodes whose findings are waived (a finding's first node); none: every finding of the rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<String>,
    /// Why.
    pub reason: String,
    /// The last day it applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<crate::date::Date>,
}

/// A configuration mistake.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum ConfigError {
    /// A rule id that no rule has.
    UnknownRule {
        /// The id given.
        rule: String,
        /// A close known id, if any.
        suggestion: Option<String>,
    },
    /// An option the rule does not have.
    UnknownParam {
        /// Rule id.
        rule: String,
        /// The option given.
        param: String,
        /// The options the rule has.
        known: Vec<String>,
    },
    /// An option of the wrong type or out of range.
    BadValue {
        /// Rule id.
        rule: String,
        /// The option.
        param: String,
        /// What is wrong.
        detail: String,
    },
    /// A `[[waivers]]` entry that cannot be used.
    BadWaiver {
        /// Its position, 1-based.
        index: usize,
        /// The field at fault.
        field: String,
        /// What is wrong.
        detail: String,
    },
}

impl ConfigError {
    /// The rule the mistake is about, when it is about one.
    pub fn rule(&self) -> Option<&str> {
        match self {
            ConfigError::UnknownRule { rule, .. }
            | ConfigError::UnknownParam { rule, .. }
            | ConfigError::BadValue { rule, .. } => Some(rule),
            ConfigError::BadWaiver { .. } => None,
        }
    }

    /// The kebab-case code (as serialized): `unknown-rule`, `unknown-param`, `bad-value`, `bad-waiver`.
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::UnknownRule { .. } => "unknown-rule",
            ConfigError::UnknownParam { .. } => "unknown-param",
            ConfigError::BadValue { .. } => "bad-value",
            ConfigError::BadWaiver { .. } => "bad-waiver",
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::UnknownRule { rule, suggestion } => {
                write!(f, "unknown rule `{rule}`")?;
                match suggestion {
                    Some(s) => write!(f, " (did you mean `{s}`?)"),
                    None => write!(f, " (`kpitree rules` lists them)"),
                }
            }
            ConfigError::UnknownParam { rule, param, known } => {
                if known.is_empty() {
                    write!(f, "rule `{rule}` has no option `{param}`; it has no options")
                } else {
                    write!(f, "rule `{rule}` has no option `{param}`; its options: {}", known.join(", "))
                }
            }
            ConfigError::BadValue { rule, param, detail } => write!(f, "rule `{rule}`, option `{param}`: {detail}"),
            ConfigError::BadWaiver { index, field, detail } => write!(f, "[[waivers]] #{index}, `{field}`: {detail}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Resolved settings of one rule for a run.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleSettings {
    /// Whether it runs.
    pub enabled: bool,
    /// Severity of its findings.
    pub severity: Severity,
    /// Every declared parameter, with the configured value or the default.
    pub params: Vec<(&'static str, ParamValue)>,
}

impl RuleSettings {
    /// A rule's settings with nothing configured: enabled, its own severity, every option's default.
    pub fn default_of(meta: &'static RuleMeta) -> RuleSettings {
        RuleSettings {
            enabled: true,
            severity: meta.severity,
            params: meta.params.iter().map(|p| (p.name, p.default.value())).collect(),
        }
    }

    /// The value of a declared parameter.
    pub fn get(&self, name: &str) -> Option<ParamValue> {
        self.params.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone())
    }
}

/// Resolved settings of every built-in rule, in registry order.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// One entry per rule of [`crate::rules::builtin`].
    pub rules: Vec<RuleSettings>,
    /// The configuration's waivers, checked.
    pub waivers: Vec<ConfigWaiver>,
}

impl Config {
    /// Checks the configuration against the rules and fills in defaults. Reports every mistake.
    pub fn resolve(&self, rules: &[&'static RuleMeta]) -> Result<Settings, Vec<ConfigError>> {
        let mut errors = Vec::new();
        for id in self.rules.keys() {
            if !rules.iter().any(|r| r.id == id) {
                errors.push(ConfigError::UnknownRule { rule: id.clone(), suggestion: suggest(id, rules) });
            }
        }
        let mut out = Vec::with_capacity(rules.len());
        for &meta in rules {
            let cfg = self.rules.get(meta.id);
            let RuleSettings { mut params, .. } = RuleSettings::default_of(meta);
            if let Some(cfg) = cfg {
                for (name, value) in &cfg.params {
                    match meta.params.iter().position(|p| p.name == name) {
                        None => errors.push(ConfigError::UnknownParam {
                            rule: meta.id.to_owned(),
                            param: name.clone(),
                            known: meta.params.iter().map(|p| p.name.to_owned()).collect(),
                        }),
                        Some(k) => match coerce(&meta.params[k], value.clone()) {
                            Ok(v) => params[k].1 = v,
                            Err(detail) => errors.push(ConfigError::BadValue {
                                rule: meta.id.to_owned(),
                                param: name.clone(),
                                detail,
                            }),
                        },
                    }
                }
            }
            out.push(RuleSettings {
                enabled: cfg.and_then(|c| c.enabled).unwrap_or(true),
                severity: cfg.and_then(|c| c.severity).unwrap_or(meta.severity),
                params,
            });
        }
        errors.extend(crate::waivers::check_config(&self.waivers));
        if errors.is_empty() { Ok(Settings { rules: out, waivers: self.waivers.clone() }) } else { Err(errors) }
    }

    /// Sets one option (`rule.param=value` from the command line), replacing what the file said.
    pub fn set(&mut self, rule: &str, param: &str, value: ParamValue) {
        let entry = self.rules.entry(rule.to_owned()).or_default();
        match (param, &value) {
            ("enabled", &ParamValue::Bool(b)) => entry.enabled = Some(b),
            _ => {
                entry.params.insert(param.to_owned(), value);
            }
        }
    }

    /// Switches a rule on or off.
    pub fn enable(&mut self, rule: &str, on: bool) {
        self.rules.entry(rule.to_owned()).or_default().enabled = Some(on);
    }
}

/// Checks a value against its declared type and lower bound; an integer is accepted for a number.
fn coerce(spec: &ParamSpec, value: ParamValue) -> Result<ParamValue, String> {
    let v = match (spec.default, value) {
        (Declared::Bool(_), ParamValue::Bool(b)) => return Ok(ParamValue::Bool(b)),
        (Declared::Words(_), ParamValue::Words(w)) if (w.len() as f64) > spec.max => {
            return Err(format!("{} words; at most {} are allowed", w.len(), shortest(spec.max)));
        }
        (Declared::Words(_), ParamValue::Words(w)) => return Ok(ParamValue::Words(w)),
        // `--set rule.option=2` reads a word that looks like a number as a number.
        (Declared::Words(_), v @ (ParamValue::Int(_) | ParamValue::Float(_))) => {
            return Ok(ParamValue::Words(vec![v.to_string()]));
        }
        (Declared::Int(_), ParamValue::Int(i)) => ParamValue::Int(i),
        (Declared::Float(_), ParamValue::Float(x)) => ParamValue::Float(x),
        (Declared::Float(_), ParamValue::Int(i)) => ParamValue::Float(i as f64),
        (expected, got) => return Err(format!("expected {}, got {}", expected.value().type_name(), got.type_name())),
    };
    let x = match v {
        ParamValue::Int(i) => i as f64,
        ParamValue::Float(x) => x,
        ParamValue::Bool(_) | ParamValue::Words(_) => 0.0,
    };
    // `contains`, not two comparisons: NaN (TOML's `nan`) is outside every range.
    if !(spec.min..=spec.max).contains(&x) {
        return Err(format!("{v} is outside {}..={}", shortest(spec.min), shortest(spec.max)));
    }
    Ok(v)
}

/// The known rule id closest to `id`, if it is close enough to be a typo.
fn suggest(id: &str, rules: &[&'static RuleMeta]) -> Option<String> {
    // The distance is at least the length difference: a long id is never close, skip the work.
    let len = id.chars().count();
    rules
        .iter()
        .filter(|r| len.abs_diff(r.id.chars().count()) <= 3)
        .map(|r| (edit_distance(id, r.id), r.id))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, s)| s.to_owned())
}

/// The candidate `name` is most likely a typo of: the nearest within one edit per three letters of
/// the candidate, ASCII case ignored (so `taget` suggests `target` and `startswith` `startsWith`,
/// but `no` does not suggest `id`). For the did-you-mean of every front door's messages.
pub fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let name = name.to_ascii_lowercase();
    let len = name.chars().count();
    let mut best: Option<(usize, &'a str)> = None;
    for &candidate in candidates {
        // The distance is at least the length difference: a long name is never close, skip the work.
        if len.abs_diff(candidate.len()) * 3 > candidate.len() {
            continue;
        }
        let d = edit_distance(&name, &candidate.to_ascii_lowercase());
        if d * 3 <= candidate.len() && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    // One row, no allocation per character: names come from input and may be long.
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}
