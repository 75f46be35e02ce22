//! Reading what the user points at: tree files (JSON or CSV by extension or flag), `kpitree.toml`
//! and per-run overrides. Every failure becomes a [`CliError`], which exits with code 2.

use crate::human::Esc;
use kpitree_core::config::ConfigError;
use kpitree_core::csv::CsvMeta;
use kpitree_core::{Format, LoadError, Tree};
use kpitree_run::setup::Configuration;
use std::path::{Path, PathBuf};

/// Why the command could not do its job (exit code 2).
#[derive(Debug)]
pub enum CliError {
    /// A file could not be read or written.
    Io { path: PathBuf, error: std::io::Error },
    /// The tree is invalid.
    Load(LoadError),
    /// Several files are invalid (data files merged into a tree), each with its problems.
    Loads(Vec<LoadError>),
    /// The configuration file does not parse.
    ConfigSyntax { path: PathBuf, detail: String },
    /// The configuration names unknown rules or options, or bad values.
    Config { source: String, errors: Vec<ConfigError> },
    /// Custom rules that do not compile (each names its file, rule, field and position).
    CustomRules(Vec<kpitree_run::setup::CustomRuleError>),
    /// A flag's value is wrong.
    Usage(String),
    /// A plugin could not be loaded where nothing else can run (`kpitree plugin inspect`).
    Plugin(kpitree_plugin_host::PluginError),
    /// Several inputs failed at once (`kpitree diff`: both trees): each is reported, in order.
    Several(Vec<CliError>),
}

/// Reads a file, naming it in the error.
pub fn read(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|error| CliError::Io { path: path.to_owned(), error })
}

/// Writes `path` whole or not at all (`-o` of every command): a temporary file in the same directory,
/// renamed over it. An existing file keeps what the user set up: a symlink is written through (its
/// target is replaced, the link stays) and the file's permissions carry over to the new one.
pub fn write(path: &Path, text: &str) -> Result<(), CliError> {
    let fail = |error| CliError::Io { path: path.to_owned(), error };
    // The file a symlink points to; a missing file is written where named.
    let target = match std::fs::canonicalize(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => path.to_owned(),
        Err(e) => return Err(fail(e)),
    };
    let old = std::fs::metadata(&target).ok();
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = target.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy());
    let tmp = dir.join(format!(".{name}.{}.kpitree-tmp", std::process::id()));
    let result = std::fs::write(&tmp, text)
        .and_then(|()| match &old {
            Some(m) => std::fs::set_permissions(&tmp, m.permissions()),
            None => Ok(()),
        })
        .and_then(|()| std::fs::rename(&tmp, &target));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(fail)
}

/// The format of a tree file: the flag if given, else the extension (`.csv` is CSV, all else JSON).
pub fn format_of(path: &Path, flag: Option<Format>) -> Format {
    flag.unwrap_or_else(|| match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("csv") => Format::Csv,
        _ => Format::Json,
    })
}

/// Reads and validates a tree. CSV metadata flags fill what the file does not say.
pub fn load_tree(path: &Path, format: Option<Format>, meta: &CsvMeta) -> Result<Tree, CliError> {
    load_tree_placed(path, format, meta, false)
}

/// [`load_tree`]; with `placed`, a JSON tree's nodes are also placed in its text (SARIF shows where
/// each finding's node stands; a CSV tree always knows its rows).
pub fn load_tree_placed(path: &Path, format: Option<Format>, meta: &CsvMeta, placed: bool) -> Result<Tree, CliError> {
    let bytes = std::fs::read(path).map_err(|error| CliError::Io { path: path.to_owned(), error })?;
    let name = path.display().to_string();
    // Not UTF-8 is a syntax problem at its line and column; a byte-order mark is skipped.
    let text = kpitree_core::decode_text(&name, &bytes).map_err(CliError::Load)?;
    let format = format_of(path, format);
    let mut tree = kpitree_core::load(&name, text, format, meta).map_err(CliError::Load)?;
    if placed && format == Format::Json {
        tree.place_json(text);
    }
    Ok(tree)
}

/// The trees `kpitree check` names, each argument a path or a glob pattern (`trees/**/*.json`,
/// quoted so that no shell expands it; CI files and Windows shells do not). An argument that names
/// an existing file is that file, even with `*`, `?` or `[` in its name; an argument with none of
/// them is a path (a missing one is the usual I/O error, from whoever reads it). A pattern's matches
/// are its files (directories skipped) in sorted order; `*` and `?` stay within one directory and
/// skip names starting with `.`, as in a shell; `**` crosses directories. A pattern that matches no
/// file is a usage error naming it. Arguments keep their order; a file named twice (the same path
/// after resolving links and `.`/`..`) is checked once, where it first appears.
///
/// The second value is true when the run concerns several trees: several arguments, or a pattern
/// (even one matching a single file: a script sees one output shape whatever the pattern matches).
pub fn expand(args: &[PathBuf]) -> Result<(Vec<PathBuf>, bool), CliError> {
    let options =
        glob::MatchOptions { case_sensitive: true, require_literal_separator: true, require_literal_leading_dot: true };
    let mut files = Vec::with_capacity(args.len());
    let mut seen = std::collections::HashSet::with_capacity(args.len());
    let mut several = args.len() > 1;
    let mut push = |path: PathBuf| {
        // The resolved path only decides what is the same file; the name shown is the one given.
        let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if seen.insert(key) {
            files.push(path);
        }
    };
    for arg in args {
        let text = arg.to_string_lossy();
        if !text.contains(['*', '?', '[']) || arg.is_file() {
            push(arg.clone());
            continue;
        }
        several = true;
        let pattern = |detail: String| CliError::Usage(format!("{}: not a valid pattern: {detail}", Esc(&text)));
        let paths = glob::glob_with(&text, options).map_err(|e| pattern(e.to_string()))?;
        let mut matched = Vec::new();
        for entry in paths {
            let path = entry.map_err(|e| CliError::Io { path: e.path().to_owned(), error: e.into() })?;
            if path.is_file() {
                matched.push(path);
            }
        }
        if matched.is_empty() {
            return Err(CliError::Usage(format!("{}: no file matches this pattern", Esc(&text))));
        }
        matched.sort();
        matched.into_iter().for_each(&mut push);
    }
    Ok((files, several))
}

/// Reads the configuration: `--config F`, else `./kpitree.toml` if present, else defaults.
pub fn load_config(explicit: Option<&Path>, skip_default: bool) -> Result<Configuration, CliError> {
    let path = match explicit {
        Some(p) => p.to_owned(),
        None if !skip_default && Path::new("kpitree.toml").is_file() => PathBuf::from("kpitree.toml"),
        None => return Ok(Configuration::command_line()),
    };
    let text = read(&path)?;
    Configuration::from_toml(&text, path.display().to_string())
        .map_err(|detail| CliError::ConfigSyntax { path: path.clone(), detail })
}

/// Plugin limits: the defaults, then `[limits]` from the configuration, then `--limit KEY=VALUE`.
pub fn limits(
    from_file: &[(String, u64)],
    source: &str,
    flags: &[String],
) -> Result<kpitree_plugin_host::Limits, CliError> {
    kpitree_run::setup::limits(from_file, source, flags).map_err(|e| CliError::Usage(e.join("\nerror: ")))
}

/// Applies `--set rule.option=value`, `--disable rule` and `--enable rule`; reports every bad `--set`.
/// The source becomes `FILE or command line` when there are any.
pub fn apply_overrides(
    config: &mut Configuration,
    set: &[String],
    disable: &[String],
    enable: &[String],
) -> Result<(), CliError> {
    config.override_with(set, disable, enable).map_err(|e| CliError::Usage(e.join("\nerror: ")))
}
