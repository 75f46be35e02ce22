//! kpitree-session: the configuration of a run, read and checked in one place for every front end
//! (the CLI, `kpitree serve`, the browser's engine and the fixture tester), so all of them accept the
//! same files and say the same things about them.
//!
//! - [`ConfigFile`]: `kpitree.toml` as written (`[rules.<id>]`, `[plugins.<name>]`, `[limits]`), from
//!   TOML or JSON text, with the parsers' messages.
//! - [`Configuration`]: a file (or the defaults) with per-run overrides (`--set RULE.OPTION=VALUE`,
//!   `--enable`, `--disable`, or the same as query parameters) and the name messages give its source;
//!   its custom rules take their `[rules.<id>]` out ([`Configuration::custom_rules`]), plugins
//!   theirs, and the rest resolves against the built-in rules into `kpitree_core::config::Settings`
//!   (`kpitree_run::setup::Rules::configure`).
//! - [`apply_limits`]: plugin limits by name (`[limits]`, then `--limit KEY=VALUE`) as plain names and
//!   whole numbers; the plugin host checks each name and range and keeps the values in its own type.
//!
//! - Custom rules (`[[custom_rules]]` in the file, and files of them: `--rules FILE`), kept as
//!   written with their file's name and compiled by `kpitree-cel` ([`Configuration::custom_rules`]).
//!
//! - [`catalog`]: every rule, built-in and plugin (from the plugins' manifests, whichever host loaded
//!   them), with its metadata: `kpitree rules`, `explain`, the SARIF rule descriptors, `GET /v1/rules`.
//!
//! No wasmtime here (the native plugin host is `kpitree-plugin-host`), so the crate builds for
//! `wasm32-unknown-unknown`. Messages are the CLI's; each caller wraps them in its own error.

pub mod catalog;

pub use kpitree_cel::{CustomRuleDef, CustomRuleError, CustomRules, RuleSource, RulesFile};
use kpitree_core::config::{Config, ConfigError, ConfigWaiver, ParamValue, RuleConfig};
use kpitree_core::finding::Severity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Display;

/// What messages call a configuration that comes only from defaults and flags.
pub const COMMAND_LINE: &str = "command line";

/// `kpitree.toml` as written: the engine's `[rules.<id>]` and `[plugins.<name>]`, the plugin host's
/// `[limits]` (names of `kpitree_plugin_host::Limits::KEYS`, checked by the host) and
/// `[[custom_rules]]`. The browser hands it to the page and back as JSON (these fields, in this
/// order).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Per-rule settings, by rule id (built-in or plugin).
    #[serde(default)]
    pub rules: BTreeMap<String, RuleConfig>,
    /// Per-plugin configuration, by plugin name, handed to the plugin as JSON.
    #[serde(default)]
    pub plugins: BTreeMap<String, serde_json::Value>,
    /// Plugin limits by name.
    #[serde(default)]
    pub limits: BTreeMap<String, u64>,
    /// Custom rules, in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_rules: Vec<CustomRuleDef>,
    /// Waivers (`[[waivers]]`), in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<ConfigWaiver>,
}

// `#[inline]` on what the browser calls: compiled in the caller's crate, as when the browser glue had
// a copy of its own, these take 0.5 KiB less of the full engine's gzipped wasm.
impl ConfigFile {
    /// Parses TOML text; the error is the TOML parser's message (it quotes the line).
    #[cfg(feature = "toml")]
    #[inline]
    pub fn from_toml(text: &str) -> Result<ConfigFile, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Parses JSON text (the same fields); the error is serde_json's message.
    #[inline]
    pub fn from_json(text: &str) -> Result<ConfigFile, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// The engine's part: `[rules.*]` and `[plugins.*]`.
    #[inline]
    pub fn engine_config(&self) -> Config {
        Config { rules: self.rules.clone(), plugins: self.plugins.clone(), waivers: self.waivers.clone() }
    }

    /// The configuration a run uses, its file named `source` in messages (the browser's, which
    /// reads the file as JSON it handed to the page).
    pub fn configuration(&self, source: &str) -> Configuration {
        Configuration {
            config: self.engine_config(),
            limits: self.limits.clone().into_iter().collect(),
            source: source.to_owned(),
            custom: Configuration::sources(source, self.custom_rules.clone()),
        }
    }

    /// Checks the configuration against the built-in rules: every mistake but rule ids they do not
    /// know, which are left for when the plugins' rules are known too.
    #[inline]
    pub fn check_builtin(&self) -> Result<(), Vec<ConfigError>> {
        match kpitree_core::settings(&self.engine_config()) {
            Ok(_) => Ok(()),
            Err(errors) => {
                let errors: Vec<ConfigError> =
                    errors.into_iter().filter(|e| !matches!(e, ConfigError::UnknownRule { .. })).collect();
                if errors.is_empty() { Ok(()) } else { Err(errors) }
            }
        }
    }
}

/// A parsed configuration file: the engine's configuration, plugin limits by name and custom rules.
#[derive(Clone, Debug, Default)]
pub struct ConfigText {
    /// `[rules.*]` and `[plugins.*]`.
    pub config: Config,
    /// `[limits]`, in key order.
    pub limits: Vec<(String, u64)>,
    /// `[[custom_rules]]`, as written.
    pub custom_rules: Vec<CustomRuleDef>,
}

impl From<ConfigFile> for ConfigText {
    fn from(file: ConfigFile) -> ConfigText {
        ConfigText {
            config: Config { rules: file.rules, plugins: file.plugins, waivers: file.waivers },
            limits: file.limits.into_iter().collect(),
            custom_rules: file.custom_rules,
        }
    }
}

/// Parses the text of a rules file (`--rules FILE`: `[[custom_rules]]` only); the error is the TOML
/// parser's message.
#[cfg(feature = "toml")]
pub fn parse_rules_file(text: &str) -> Result<Vec<CustomRuleDef>, String> {
    toml::from_str::<RulesFile>(text).map(|f| f.custom_rules).map_err(|e| e.to_string())
}

/// Parses the text of a `kpitree.toml`; the error is the TOML parser's message.
#[cfg(feature = "toml")]
pub fn parse_config(text: &str) -> Result<ConfigText, String> {
    ConfigFile::from_toml(text).map(ConfigText::from)
}

/// The configuration one run uses: a file's (or the defaults), with the run's overrides, and how
/// messages name where it came from (the file, `command line`, or `FILE or command line`).
#[derive(Clone, Debug)]
pub struct Configuration {
    /// The engine's configuration, overrides applied.
    pub config: Config,
    /// `[limits]` of the file, in key order.
    pub limits: Vec<(String, u64)>,
    /// The source of the configuration, for messages.
    pub source: String,
    /// Custom rules: the file's, then each rules file's, with the names messages give them.
    pub custom: Vec<RuleSource>,
}

impl Default for Configuration {
    fn default() -> Configuration {
        Configuration::command_line()
    }
}

impl Configuration {
    /// The defaults: no file.
    pub fn command_line() -> Configuration {
        Configuration {
            config: Config::default(),
            limits: Vec::new(),
            source: COMMAND_LINE.to_owned(),
            custom: Vec::new(),
        }
    }

    /// The text of a `kpitree.toml` named `source` in messages; the error is the TOML parser's message
    /// (without the name: callers say it their way).
    #[cfg(feature = "toml")]
    #[inline]
    pub fn from_toml(text: &str, source: String) -> Result<Configuration, String> {
        let ConfigText { config, limits, custom_rules } = parse_config(text)?;
        let custom = Configuration::sources(&source, custom_rules);
        Ok(Configuration { config, limits, source, custom })
    }

    /// The rules of a file as a source, none when there are none.
    fn sources(file: &str, rules: Vec<CustomRuleDef>) -> Vec<RuleSource> {
        if rules.is_empty() { Vec::new() } else { vec![RuleSource { file: file.to_owned(), rules }] }
    }

    /// Adds the custom rules of a rules file (`--rules FILE`, the browser's `rules` attribute) named
    /// `file` in messages; the error is the TOML parser's message.
    #[cfg(feature = "toml")]
    pub fn add_rules_file(&mut self, text: &str, file: &str) -> Result<(), String> {
        let rules = parse_rules_file(text)?;
        self.custom.extend(Configuration::sources(file, rules));
        Ok(())
    }

    /// The custom rules, compiled, with their `[rules.<id>]` applied (taken out of `config`, which
    /// the built-in rules' settings are then resolved from). Every mistake of every rule is
    /// reported.
    pub fn custom_rules(&self, config: &mut Config) -> Result<CustomRules, Vec<CustomRuleError>> {
        let mut rules = CustomRules::compile(&self.custom)?;
        // `[rules.<custom id>]` takes only `enabled` and `severity`.
        let errors: Vec<CustomRuleError> = rules
            .configure(config)
            .into_iter()
            .map(|e| CustomRuleError {
                file: self.source.clone(),
                rule: e.rule().unwrap_or_default().to_owned(),
                field: None,
                at: None,
                message: format!("[rules] {e}"),
            })
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(rules)
    }

    /// Applies `set` (`RULE.OPTION=VALUE`), `disable` and `enable` ([`apply_overrides`]); when there
    /// are any, the source becomes `FILE or command line`, since a mistake may be either's.
    pub fn override_with(&mut self, set: &[String], disable: &[String], enable: &[String]) -> Result<(), Vec<String>> {
        apply_overrides(&mut self.config, set, disable, enable)?;
        let overridden = !(set.is_empty() && disable.is_empty() && enable.is_empty());
        if overridden && self.source != COMMAND_LINE {
            self.source.push_str(" or ");
            self.source.push_str(COMMAND_LINE);
        }
        Ok(())
    }

    /// Plugin limits: this configuration's `[limits]`, then `KEY=VALUE` flags ([`apply_limits`]).
    pub fn apply_limits<E: Display>(
        &self,
        flags: &[String],
        set: impl FnMut(&str, u64) -> Result<(), E>,
    ) -> Result<(), Vec<String>> {
        apply_limits(&self.limits, &self.source, flags, set)
    }
}

/// `--limit KEY=VALUE` as a name and a whole number (`_` may group digits: `fuel=1_000_000`).
pub fn parse_limit_flag(flag: &str) -> Option<(&str, u64)> {
    let (key, value) = flag.split_once('=')?;
    Some((key.trim(), value.trim().replace('_', "").parse::<u64>().ok()?))
}

/// Plugin limits by name, in the order they apply: `[limits]` of the configuration (named `source` in
/// messages), then `KEY=VALUE` flags. `set` applies one (the plugin host's `Limits::set`, which
/// checks the name and the range). Every bad entry is one message, in that order.
pub fn apply_limits<E: Display>(
    from_file: &[(String, u64)],
    source: &str,
    flags: &[String],
    mut set: impl FnMut(&str, u64) -> Result<(), E>,
) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    for (key, value) in from_file {
        if let Err(e) = set(key, *value) {
            errors.push(format!("{source}: [limits] {e}"));
        }
    }
    for flag in flags {
        match parse_limit_flag(flag) {
            Some((key, value)) => {
                if let Err(e) = set(key, value) {
                    errors.push(format!("--limit {flag}: {e}"));
                }
            }
            None => errors.push(format!("--limit {flag}: expected KEY=VALUE with a whole number, e.g. memory_mib=64")),
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
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
            "--set {s}: expected RULE.OPTION=VALUE with a number, true/false or words separated by commas, e.g. metric-overload.max_per_parent=7"
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
    base.waivers.extend(over.waivers);
}

// The tests read TOML.
#[cfg(all(test, feature = "toml"))]
mod tests {
    use super::*;

    #[test]
    fn overrides_report_every_bad_set_and_change_nothing() {
        let mut config = Config::default();
        let set = ["stale-kpi.max_age_days=".to_owned(), "orphan-kpi.severity=loud".to_owned()];
        let errors = apply_overrides(&mut config, &set, &[], &[]).expect_err("both are bad");
        assert_eq!(errors.len(), 2);
        assert!(errors[1].contains("severity must be"), "{errors:?}");
        assert!(config.rules.is_empty());
        // A word where a number is expected reads as a list of words, which the rule's declaration
        // then refuses, naming the option.
        let set = ["stale-kpi.max_age_days=oops".to_owned()];
        apply_overrides(&mut config, &set, &[], &[]).expect("words are a value");
        let errors = kpitree_core::settings(&config).expect_err("not an integer");
        assert_eq!(
            errors[0].to_string(),
            "rule `stale-kpi`, option `max_age_days`: expected an integer, got a list of words"
        );
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

    /// TOML and JSON read the same file; the JSON the browser hands back reads as it was.
    #[test]
    fn toml_and_json_read_the_same_file() {
        let toml = "[rules.stale-kpi]\nmax_age_days = 200\n[plugins.p]\na = [1, \"x\"]\n[limits]\nfuel = 5\n";
        let file = ConfigFile::from_toml(toml).expect("parses");
        let json = serde_json::to_string(&file).expect("serializes");
        assert_eq!(
            json,
            r#"{"rules":{"stale-kpi":{"max_age_days":200}},"plugins":{"p":{"a":[1,"x"]}},"limits":{"fuel":5}}"#
        );
        assert_eq!(ConfigFile::from_json(&json).expect("reads back"), file);
        let text = ConfigText::from(file);
        assert_eq!(text.limits, [("fuel".to_owned(), 5)]);
    }

    #[test]
    fn unknown_sections_are_refused_with_the_parsers_messages() {
        let e = ConfigFile::from_toml("[rule.x]\n").expect_err("no such section");
        assert!(e.contains("unknown field `rule`, expected one of `rules`, `plugins`, `limits`"), "{e}");
        let e = ConfigFile::from_json(r#"{"rule": {}}"#).expect_err("no such field");
        assert!(e.starts_with("unknown field `rule`, expected one of `rules`, `plugins`, `limits`"), "{e}");
    }

    #[test]
    fn the_builtin_check_leaves_unknown_rules_to_plugins() {
        let file = ConfigFile::from_toml("[rules.plugin-rule]\nenabled = true\n").expect("parses");
        assert_eq!(file.check_builtin(), Ok(()));
        let file = ConfigFile::from_toml("[rules.stale-kpi]\nno_such_option = 1\n").expect("parses");
        let errors = file.check_builtin().expect_err("no such option");
        assert!(matches!(errors[..], [ConfigError::UnknownParam { .. }]), "{errors:?}");
    }

    #[test]
    fn overrides_name_both_sources() {
        let mut c = Configuration::from_toml("", "kpitree.toml".to_owned()).expect("parses");
        c.override_with(&[], &[], &[]).expect("nothing to do");
        assert_eq!(c.source, "kpitree.toml");
        c.override_with(&[], &["stale-kpi".to_owned()], &[]).expect("applies");
        assert_eq!(c.source, "kpitree.toml or command line");
        assert_eq!(c.config.rules["stale-kpi"].enabled, Some(false));
        let mut c = Configuration::command_line();
        c.override_with(&["stale-kpi.max_age_days=30".to_owned()], &[], &[]).expect("applies");
        assert_eq!(c.source, COMMAND_LINE);
        assert!(kpitree_core::settings(&c.config).is_ok());
    }

    /// Every bad entry is one message, file entries first, flags in their order.
    #[test]
    fn limits_report_every_bad_entry_in_order() {
        let mut c = Configuration::from_toml("[limits]\nbad = 1\nfuel = 7\n", "k.toml".to_owned()).expect("parses");
        c.limits.push(("zzz".to_owned(), 2));
        let flags = ["fuel=1_000".to_owned(), "nope".to_owned(), "ram=3".to_owned()];
        let mut seen = Vec::new();
        let errors = c
            .apply_limits(&flags, |k, v| {
                seen.push((k.to_owned(), v));
                if k == "fuel" { Ok(()) } else { Err(format!("limit `{k}`: no such limit")) }
            })
            .expect_err("three are bad");
        assert_eq!(
            errors,
            [
                "k.toml: [limits] limit `bad`: no such limit",
                "k.toml: [limits] limit `zzz`: no such limit",
                "--limit nope: expected KEY=VALUE with a whole number, e.g. memory_mib=64",
                "--limit ram=3: limit `ram`: no such limit",
            ]
        );
        assert_eq!(seen[2], ("zzz".to_owned(), 2));
        assert_eq!(seen[3], ("fuel".to_owned(), 1000));
        assert_eq!(parse_limit_flag(" memory_mib = 64 "), Some(("memory_mib", 64)));
        assert_eq!(parse_limit_flag("memory_mib=-1"), None);
    }
}
