//! What the CLI and the server both do before a check. The configuration itself (`kpitree.toml`,
//! per-run overrides, `[limits]` and `--limit` by name) is `kpitree-session`'s, which the browser
//! shares; here it meets the native plugin host: plugin limits become the host's [`Limits`], and the
//! loaded plugins take their rules' settings out of the configuration ([`Rules::configure`]).
//! Messages are the CLI's; each caller wraps them in its own error.

use kpitree_core::config::{Config, ConfigError, Settings};
use kpitree_plugin_host::{Limits, PluginSet};
pub use kpitree_session::{CustomRuleError, CustomRules};
use std::fmt;

pub use kpitree_session::{ConfigText, Configuration, apply_overrides, merge, parse_config};

/// Plugin limits: the defaults, then `[limits]` from the configuration (named `source` in messages),
/// then `KEY=VALUE` flags. Every bad entry is one message.
pub fn limits(from_file: &[(String, u64)], source: &str, flags: &[String]) -> Result<Limits, Vec<String>> {
    let mut limits = Limits::default();
    kpitree_session::apply_limits(from_file, source, flags, |key, value| limits.set(key, value))?;
    Ok(limits)
}

/// A run's rules: the plugins with their `[rules.<id>]` applied, the rest of the configuration
/// resolved against the built-in rules, and the configuration as written (for the catalog). The one
/// way the CLI and each generation of the server set them up.
pub struct Rules {
    /// Plugins, with `[rules.<plugin rule>]` applied.
    pub plugins: PluginSet,
    /// Custom rules, with `[rules.<custom rule>]` applied.
    pub custom: CustomRules,
    /// The configuration without plugin rules' entries (what resolves against built-in rules).
    pub config: Config,
    /// The configuration as written.
    pub written: Config,
    /// Built-in rules' settings.
    pub settings: Settings,
}

/// What is wrong with a run's rules: the configuration's rule settings, or custom rules.
#[derive(Clone, Debug, PartialEq)]
pub enum RulesError {
    /// `[rules.<id>]` mistakes: unknown rules and options, bad values.
    Config(Vec<ConfigError>),
    /// Custom rules that do not compile, or whose id a plugin's rule has.
    Custom(Vec<CustomRuleError>),
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = match self {
            RulesError::Config(errors) => errors.iter().map(ToString::to_string).collect(),
            RulesError::Custom(errors) => errors.iter().map(ToString::to_string).collect(),
        };
        f.write_str(&lines.join("\n"))
    }
}

/// Custom rules whose id is a rule of one of `plugins`, as errors naming each (ids are unique among
/// all the rules of a run).
pub fn check_clashes(custom: &CustomRules, plugins: &PluginSet) -> Result<(), Vec<CustomRuleError>> {
    let clashes = custom.clashes(
        plugins.plugins().iter().flat_map(|p| p.manifest().rules.iter().map(move |r| (p.name(), r.id.as_str()))),
    );
    if clashes.is_empty() { Ok(()) } else { Err(clashes) }
}

impl Rules {
    /// Applies `config` to the loaded `plugins` and to the configuration's custom rules (taking
    /// their rules' entries out) and resolves the rest against the built-in rules; every mistake is
    /// reported.
    pub fn configure(
        mut plugins: PluginSet,
        configuration: &kpitree_session::Configuration,
    ) -> Result<Rules, RulesError> {
        let written = configuration.config.clone();
        let mut config = written.clone();
        plugins.configure(&mut config).map_err(RulesError::Config)?;
        let custom = configuration.custom_rules(&mut config).map_err(RulesError::Custom)?;
        check_clashes(&custom, &plugins).map_err(RulesError::Custom)?;
        let settings = kpitree_core::settings(&config).map_err(RulesError::Config)?;
        Ok(Rules { plugins, custom, config, written, settings })
    }

    /// Every rule of the run with its metadata and settings ([`crate::catalog::catalog`]).
    pub fn catalog(&self) -> Vec<crate::catalog::RuleInfo> {
        crate::catalog::catalog(&self.settings, &self.plugins, &self.custom, &self.written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_checked_by_the_host() {
        let errors = limits(&[("memory_mib".to_owned(), 0)], "k.toml", &["ram=1".to_owned(), "fuel=5".to_owned()])
            .expect_err("two are bad");
        assert_eq!(errors[0], "k.toml: [limits] limit `memory_mib`: 0 is outside 1..=4096");
        assert!(errors[1].starts_with("--limit ram=1: limit `ram`: no such limit; limits: fuel,"), "{errors:?}");
        let l = limits(&[("memory_mib".to_owned(), 64)], "k.toml", &["fuel=1_000".to_owned()]).expect("in range");
        assert_eq!((l.memory, l.fuel), (64 << 20, 1000));
    }

    #[test]
    fn without_plugins_every_rule_must_be_built_in() {
        let configuration =
            Configuration::from_toml("[rules.stale-kpi]\nmax_age_days = 200\n", "k.toml".to_owned()).expect("parses");
        let written = configuration.config.clone();
        let rules = Rules::configure(PluginSet::new(), &configuration).expect("resolves");
        assert_eq!((&rules.config, &rules.written), (&written, &written));
        assert!(rules.catalog().iter().any(|r| r.id == "stale-kpi"));
        let unknown =
            Configuration::from_toml("[rules.no-such-rule]\nenabled = true\n", "k.toml".to_owned()).expect("parses");
        let Some(RulesError::Config(errors)) = Rules::configure(PluginSet::new(), &unknown).err() else {
            panic!("unknown rule")
        };
        assert!(matches!(errors[..], [ConfigError::UnknownRule { .. }]));
    }
}
