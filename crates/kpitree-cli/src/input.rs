//! Reading what the user points at: tree files (JSON or CSV by extension or flag), `kpitree.toml`
//! and per-run overrides. Every failure becomes a [`CliError`], which exits with code 2.

use anstyle::{AnsiColor, Style};
use kpitree_core::config::{Config, ConfigError, ParamValue};
use kpitree_core::csv::CsvMeta;
use kpitree_core::{Format, LoadError, TreeDoc};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why the command could not do its job (exit code 2).
#[derive(Debug)]
pub enum CliError {
    /// A file could not be read or written.
    Io { path: PathBuf, error: std::io::Error },
    /// The tree is invalid.
    Load(LoadError),
    /// The configuration file does not parse.
    ConfigSyntax { path: PathBuf, detail: String },
    /// The configuration names unknown rules or options, or bad values.
    Config { source: String, errors: Vec<ConfigError> },
    /// A flag's value is wrong.
    Usage(String),
    /// A plugin could not be loaded where nothing else can run (`kpitree plugin inspect`).
    Plugin(kpitree_plugin_host::PluginError),
}

/// Prints an error the way compilers do: `error: ...` in red, one line per problem.
pub fn print_error(out: &mut impl Write, e: &CliError) -> std::io::Result<()> {
    let red = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
    let head = |out: &mut dyn Write| write!(out, "{red}error{red:#}: ");
    match e {
        CliError::Io { path, error } => {
            head(out)?;
            writeln!(out, "{}: {error}", path.display())
        }
        CliError::Load(err) => {
            for line in err.to_string().lines() {
                // `file:line:col: error[code]: message` -> colour the word error.
                match line.split_once(": error[") {
                    Some((at, rest)) => writeln!(out, "{at}: {red}error{red:#}[{rest}")?,
                    None => writeln!(out, "{line}")?,
                }
            }
            let n = err.problems.len();
            writeln!(out, "{} invalid: {n} problem{}", err.file, if n == 1 { "" } else { "s" })
        }
        CliError::ConfigSyntax { path, detail } => {
            head(out)?;
            writeln!(out, "{}: {}", path.display(), detail.trim_end())
        }
        CliError::Config { source, errors } => {
            for err in errors {
                head(out)?;
                writeln!(out, "{source}: {err}")?;
            }
            Ok(())
        }
        CliError::Usage(msg) => {
            head(out)?;
            writeln!(out, "{msg}")
        }
        CliError::Plugin(e) => {
            head(out)?;
            writeln!(out, "{e}")
        }
    }
}

/// Prints a plugin failure as `error: plugin `NAME` ...` (the run goes on; the exit code says it).
pub fn print_plugin_error(out: &mut impl Write, e: &kpitree_core::report::PluginFailure) -> std::io::Result<()> {
    let red = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
    writeln!(out, "{red}error{red:#}: {}", e.message)
}

/// Reads a file, naming it in the error.
pub fn read(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|error| CliError::Io { path: path.to_owned(), error })
}

/// Writes a file, naming it in the error.
pub fn write(path: &Path, text: &str) -> Result<(), CliError> {
    std::fs::write(path, text).map_err(|error| CliError::Io { path: path.to_owned(), error })
}

/// The format of a tree file: the flag if given, else the extension (`.csv` is CSV, all else JSON).
pub fn format_of(path: &Path, flag: Option<Format>) -> Format {
    flag.unwrap_or_else(|| match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("csv") => Format::Csv,
        _ => Format::Json,
    })
}

/// Reads and validates a tree. CSV metadata flags fill what the file does not say.
pub fn load_tree(path: &Path, format: Option<Format>, meta: &CsvMeta) -> Result<TreeDoc, CliError> {
    let text = read(path)?;
    let name = path.display().to_string();
    kpitree_core::load(&name, &text, format_of(path, format), meta).map_err(CliError::Load)
}

/// `kpitree.toml`: the engine's [`Config`] (`[rules.<id>]`, `[plugins.<name>]`) and the CLI's own
/// `[limits]` for plugins (names of `kpitree_plugin_host::Limits::KEYS`).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    rules: std::collections::BTreeMap<String, kpitree_core::config::RuleConfig>,
    #[serde(default)]
    plugins: std::collections::BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    limits: std::collections::BTreeMap<String, u64>,
}

/// A configuration: the engine's, plugin limits by name (from `[limits]`), and how to name its
/// source in messages.
pub struct LoadedConfig {
    pub config: Config,
    pub limits: Vec<(String, u64)>,
    pub source: String,
}

/// Reads the configuration: `--config F`, else `./kpitree.toml` if present, else defaults.
pub fn load_config(explicit: Option<&Path>, skip_default: bool) -> Result<LoadedConfig, CliError> {
    let path = match explicit {
        Some(p) => p.to_owned(),
        None if !skip_default && Path::new("kpitree.toml").is_file() => PathBuf::from("kpitree.toml"),
        None => {
            return Ok(LoadedConfig { config: Config::default(), limits: Vec::new(), source: "command line".into() });
        }
    };
    let text = read(&path)?;
    let file: ConfigFile =
        toml::from_str(&text).map_err(|e| CliError::ConfigSyntax { path: path.clone(), detail: e.to_string() })?;
    Ok(LoadedConfig {
        config: Config { rules: file.rules, plugins: file.plugins },
        limits: file.limits.into_iter().collect(),
        source: path.display().to_string(),
    })
}

/// Plugin limits: the defaults, then `[limits]` from the configuration, then `--limit KEY=VALUE`.
pub fn limits(
    from_file: &[(String, u64)],
    source: &str,
    flags: &[String],
) -> Result<kpitree_plugin_host::Limits, CliError> {
    let mut limits = kpitree_plugin_host::Limits::default();
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
    if errors.is_empty() { Ok(limits) } else { Err(CliError::Usage(errors.join("\nerror: "))) }
}

/// Applies `--set rule.option=value`, `--disable rule` and `--enable rule`; reports every bad `--set`.
pub fn apply_overrides(
    config: &mut Config,
    set: &[String],
    disable: &[String],
    enable: &[String],
) -> Result<(), CliError> {
    let mut errors = Vec::new();
    for s in set {
        match parse_set(s) {
            Ok((rule, param, Some(value))) => config.set(rule, param, value),
            Ok((rule, _, None)) => {
                let sev = s.split_once('=').and_then(|(_, v)| kpitree_core::finding::Severity::parse(v.trim()));
                match sev {
                    Some(sev) => config.rules.entry(rule.to_owned()).or_default().severity = Some(sev),
                    None => errors.push(format!("--set {s}: severity must be error, warning or info")),
                }
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(CliError::Usage(errors.join("\nerror: ")));
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
