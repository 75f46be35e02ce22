//! What the CLI and the server both read before a check: `kpitree.toml` (rules, plugin configuration
//! and plugin `[limits]`), per-run overrides (`--set`/`--enable`/`--disable`, or the same as query
//! parameters) and plugin limits. Messages are the CLI's; each caller wraps them in its own error.

use kpitree_core::config::{Config, ParamValue};
use kpitree_core::finding::Severity;
use kpitree_plugin_host::Limits;
use std::collections::BTreeMap;

/// `kpitree.toml`: the engine's [`Config`] (`[rules.<id>]`, `[plugins.<name>]`) and the host's
/// `[limits]` for plugins (names of `kpitree_plugin_host::Limits::KEYS`).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    rules: BTreeMap<String, kpitree_core::config::RuleConfig>,
    #[serde(default)]
    plugins: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    limits: BTreeMap<String, u64>,
}

/// A parsed configuration file: the engine's configuration and plugin limits by name.
#[derive(Clone, Debug, Default)]
pub struct ConfigText {
    /// `[rules.*]` and `[plugins.*]`.
    pub config: Config,
    /// `[limits]`, in key order.
    pub limits: Vec<(String, u64)>,
}

/// Parses the text of a `kpitree.toml`; the error is the TOML parser's message.
pub fn parse_config(text: &str) -> Result<ConfigText, String> {
    let file: ConfigFile = toml::from_str(text).map_err(|e| e.to_string())?;
    Ok(ConfigText {
        config: Config { rules: file.rules, plugins: file.plugins },
        limits: file.limits.into_iter().collect(),
    })
}

/// Plugin limits: the defaults, then `[limits]` from the configuration (named `source` in messages),
/// then `KEY=VALUE` flags. Every bad entry is one message.
pub fn limits(from_file: &[(String, u64)], source: &str, flags: &[String]) -> Result<Limits, Vec<String>> {
    let mut limits = Limits::default();
    let mut errors = Vec::new();
    for (key, value) in from_file {
        if let Err(e) = limits.set(key, *value) {
            errors.push(format!("{source}: [limits] {e}"));
        }
    }
    for flag in flags {
        let parsed =
            flag.split_once('=').and_then(|(k, v)| Some((k.trim(), v.trim().replace('_', "").parse::<u64>().ok()?)));
        match parsed {
            Some((key, value)) => {
                if let Err(e) = limits.set(key, value) {
                    errors.push(format!("--limit {flag}: {e}"));
                }
            }
            None => errors.push(format!("--limit {flag}: expected KEY=VALUE with a whole number, e.g. memory_mib=64")),
        }
    }
    if errors.is_empty() { Ok(limits) } else { Err(errors) }
}

/// Applies `set` (`rule.option=value`), `disable` and `enable` to `config`; reports every bad `set`
/// (and changes nothing then).
pub fn apply_overrides(
    config: &mut Config,
    set: &[String],
    disable: &[String],
    enable: &[String],
) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    let mut changes = Vec::new();
    for s in set {
        match parse_set(s) {
            Ok((rule, _, None)) => match s.split_once('=').and_then(|(_, v)| Severity::parse(v.trim())) {
                Some(sev) => changes.push((rule, None, Some(sev))),
                None => errors.push(format!("--set {s}: severity must be error, warning or info")),
            },
            Ok((rule, param, Some(value))) => changes.push((rule, Some((param, value)), None)),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for (rule, param, severity) in changes {
        match (param, severity) {
            (Some((param, value)), _) => config.set(rule, param, value),
            (None, sev) => config.rules.entry(rule.to_owned()).or_default().severity = sev,
        }
    }
    for r in disable {
        config.enable(r, false);
    }
    for r in enable {
        config.enable(r, true);
    }
    Ok(())
}

/// `rule.option=value` -> (rule, option, value); the value is `None` for `rule.severity=...`.
fn parse_set(s: &str) -> Result<(&str, &str, Option<ParamValue>), String> {
    let usage = || {
        format!(
            "--set {s}: expected RULE.OPTION=VALUE with a number or true/false, e.g. metric-overload.max_per_parent=7"
        )
    };
    let (key, value) = s.split_once('=').ok_or_else(usage)?;
    let (rule, param) = key.trim().split_once('.').ok_or_else(usage)?;
    if param == "severity" {
        return Ok((rule, param, None));
    }
    Ok((rule, param, Some(ParamValue::parse(value).ok_or_else(usage)?)))
}

/// Lays `over` on `base`: a rule's `enabled`, `severity` and options replace the base's one by one; a
/// plugin's configuration replaces the base's whole.
pub fn merge(base: &mut Config, over: Config) {
    for (id, rc) in over.rules {
        let entry = base.rules.entry(id).or_default();
        if rc.enabled.is_some() {
            entry.enabled = rc.enabled;
        }
        if rc.severity.is_some() {
            entry.severity = rc.severity;
        }
        entry.params.extend(rc.params);
    }
    base.plugins.extend(over.plugins);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_report_every_bad_set_and_change_nothing() {
        let mut config = Config::default();
        let set = ["stale-kpi.max_age_days=oops".to_owned(), "orphan-kpi.severity=loud".to_owned()];
        let errors = apply_overrides(&mut config, &set, &[], &[]).expect_err("both are bad");
        assert_eq!(errors.len(), 2);
        assert!(errors[1].contains("severity must be"), "{errors:?}");
        assert!(config.rules.is_empty());
    }

    #[test]
    fn merge_replaces_field_by_field() {
        let mut base =
            parse_config("[rules.stale-kpi]\nmax_age_days = 200\nseverity = \"info\"\n").expect("parses").config;
        let over = parse_config("[rules.stale-kpi]\nenabled = false\n[plugins.p]\na = 1\n").expect("parses").config;
        merge(&mut base, over);
        let rc = &base.rules["stale-kpi"];
        assert_eq!((rc.enabled, rc.severity), (Some(false), Some(Severity::Info)));
        assert_eq!(rc.params.len(), 1);
        assert_eq!(base.plugins["p"]["a"], 1);
    }
}
