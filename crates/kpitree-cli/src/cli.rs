//! Subcommands and their flags (clap), and what each one does.

use crate::human::{self, Esc};
use crate::input::{self, CliError};
use clap::{Parser, Subcommand, ValueEnum};
use kpitree_core::baseline::{Baseline, Baselines};
use kpitree_core::csv::CsvMeta;
use kpitree_core::finding::Severity;
use kpitree_core::prune::Reason;
use kpitree_core::report::Report;
use kpitree_core::{Date, Format, LoadError, Tree};
use kpitree_plugin_host::{ErrorKind, Limits, Plugin, PluginSet};
use kpitree_run::setup::{Configuration, Rules, RulesError};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Keeps KPI trees healthy: checks a tree of strategy, objectives, key results and KPIs against
/// health rules, and proposes what to prune.
#[derive(Parser, Debug)]
#[command(name = "kpitree", version, about, max_term_width = 100)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check trees against the health rules.
    ///
    /// With several trees (or a pattern), each is checked with the same configuration, plugins and
    /// custom rules, and the exit code is the worst: 2 when a tree is invalid (the others are still
    /// checked and reported), else 1 when one reaches --fail-on or a plugin failed, else 0.
    Check {
        /// The trees: JSON, or CSV (by `.csv` extension or --input-format). Each may be a glob
        /// pattern, quoted so the shell leaves it alone: 'trees/**/*.json'.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        #[command(flatten)]
        rules: RuleFlags,
        #[command(flatten)]
        input: InputFlags,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
        /// Exit 1 when a finding of this severity or worse exists (waived findings, and findings the
        /// --baseline knows, do not count).
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
        /// An earlier report (`check --format json`, of one tree or of several): each finding is
        /// marked new or known by its fingerprint, and --fail-on counts only new ones.
        #[arg(long, value_name = "REPORT")]
        baseline: Option<PathBuf>,
        /// When to colour text output.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        #[command(flatten)]
        plugins: PluginFlags,
        #[command(flatten)]
        measurements: crate::measurements::MeasurementFlags,
    },
    /// What changed between two versions of a tree and what it did to its health: nodes, links and
    /// findings added and removed, scores before and after.
    ///
    /// Both versions are checked with the same rules, configuration and plugins. Findings are matched
    /// by fingerprint, so reordering the document or rewording titles is no change. Exit codes: 0, or 1
    /// when a new finding reaches --fail-on (or a rule plugin failed), 2 when either tree is invalid
    /// (every problem of both is reported).
    Diff {
        /// The earlier version: JSON, or CSV (by `.csv` extension or --input-format).
        old: PathBuf,
        /// The later version.
        new: PathBuf,
        #[command(flatten)]
        rules: RuleFlags,
        #[command(flatten)]
        input: InputFlags,
        /// Output format (markdown: for a pull-request comment).
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// Exit 1 when a new finding of this severity or worse appears.
        #[arg(long, value_enum, default_value_t = DiffFailOn::NewError)]
        fail_on: DiffFailOn,
        /// When to colour text output.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        #[command(flatten)]
        plugins: PluginFlags,
    },
    /// Work with rule plugins (WebAssembly modules that add rules).
    Plugin {
        #[command(subcommand)]
        command: PluginCommand,
    },
    /// Validate a tree without running rules (exit 0 when valid, 2 when not).
    Validate {
        /// The tree.
        file: PathBuf,
        #[command(flatten)]
        input: InputFlags,
    },
    /// List every rule (built-in, and from --plugin/--plugins) with its severity and thresholds.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        #[command(flatten)]
        rules: RuleFlags,
        #[command(flatten)]
        plugins: PluginFlags,
    },
    /// Explain why a rule exists and what to do about its findings.
    Explain {
        /// Rule id, e.g. orphan-kpi (or a rule of a plugin given with --plugin/--plugins, or a
        /// custom rule of the configuration or --rules).
        rule: String,
        #[command(flatten)]
        rules: RuleFlags,
        #[command(flatten)]
        plugins: PluginFlags,
    },
    /// Serve the HTTP API (check, prune, rules) and the widget's demo page (docs/serve.md).
    Serve(ServeFlags),
    /// Convert a tree between JSON and CSV.
    Convert {
        /// The tree to read.
        file: PathBuf,
        /// Where to write (stdout when absent).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Format to write; by default the output file's extension, else the other format.
        #[arg(long, value_enum)]
        to: Option<InputFormat>,
        #[command(flatten)]
        input: InputFlags,
    },
    /// Report the KPIs that could be retired (orphaned, stale, duplicated) and the tree without them.
    Prune {
        /// The tree.
        file: PathBuf,
        /// Only report; write nothing (the default when no --output is given).
        #[arg(long)]
        dry_run: bool,
        /// Write the pruned tree here (JSON, or CSV by extension).
        #[arg(short, long, conflicts_with = "dry_run")]
        output: Option<PathBuf>,
        /// Which reasons to prune for.
        #[arg(long, value_delimiter = ',', value_parser = reason_parser(), default_values = Reason::NAMES)]
        reasons: Vec<Reason>,
        /// Report format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        #[command(flatten)]
        rules: RuleFlags,
        #[command(flatten)]
        input: InputFlags,
    },
    /// Print the JSON Schema of the tree format.
    Schema,
    /// Bring in KPI measurements and key-result check-ins exported from spreadsheets and warehouses.
    Measurements {
        #[command(subcommand)]
        command: MeasurementsCommand,
    },
}

#[derive(Subcommand, Debug)]
enum MeasurementsCommand {
    /// Merge data files (CSV or JSON rows of kpi_id,date,value or kr_id,date,value[,confidence,note])
    /// into a tree: a row replaces the entry of its date, else is added; series end sorted by date.
    /// Nothing is written when a row is wrong (exit 2, every problem listed).
    Merge {
        /// The tree.
        file: PathBuf,
        /// The data files: `.json`, `.jsonl` or `.ndjson` are JSON, anything else CSV.
        #[arg(required = true, value_name = "DATA")]
        data: Vec<PathBuf>,
        /// Where to write the merged tree (JSON, or CSV by extension); stdout when absent.
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        dates: crate::measurements::DataFlags,
        #[command(flatten)]
        input: InputFlags,
    },
}

#[derive(Subcommand, Debug)]
enum PluginCommand {
    /// Write a new plugin project: one rule, a pass and a fail fixture, build files and a README.
    ///
    /// The project builds and passes `kpitree plugin test` unchanged; edit its rule from there
    /// (plugins/README.md has a guide per language). Rust and AssemblyScript projects name the SDK by
    /// its path in a kpitree checkout: --sdk, else the source tree this kpitree was built from. A C
    /// project gets the single-header SDK copied in.
    New {
        /// The plugin's name: lower-case letters, digits and `-` (also the folder, by default).
        name: String,
        /// The language.
        #[arg(long, value_enum)]
        lang: crate::new_plugin::Lang,
        /// Where to write the project (default: ./NAME); must not exist, or be empty.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// The SDK: its folder, or a kpitree checkout holding it (crates/kpitree-plugin-sdk,
        /// plugins/sdk-assemblyscript, plugins/sdk-c).
        #[arg(long, value_name = "PATH")]
        sdk: Option<PathBuf>,
    },
    /// Load a plugin (checking its module and manifest) and print its manifest and ABI version.
    Inspect {
        /// The plugin: a `.wasm` module (or WAT text).
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        /// Set a plugin limit: KEY=VALUE (repeatable), as under [limits] in kpitree.toml.
        #[arg(long, value_name = "KEY=VALUE")]
        limit: Vec<String>,
    },
    /// Run a plugin against pass/fail fixtures and show what each call costs.
    ///
    /// Each fixture runs through the real host as `kpitree check` runs the plugin: `pass*.json` must
    /// give no finding of its rules, `fail*.json` exactly those of `fail*.expected.json`, and a
    /// `.toml` beside a tree (`fail.toml` for `fail.json`) is that fixture's kpitree.toml
    /// ([plugins.<name>] configures the plugin, [rules.<id>] switches its rules or sets their
    /// severity). Shows the module's size and the fuel of the load calls and of each fixture's
    /// evaluation against the limits. Exit codes: 0 all pass, 1 some fail, 2 the plugin or the
    /// fixtures cannot be used.
    Test {
        /// The plugin: a `.wasm` module (or WAT text), in any language.
        plugin: PathBuf,
        /// The fixtures (default: tests): a directory of pass*.json and fail*.json for the plugin's
        /// rules, or holding one such directory per rule, named after the rule's id.
        #[arg(value_name = "FIXTURE_DIR")]
        fixtures: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        /// Set a plugin limit: KEY=VALUE (repeatable), as under [limits] in kpitree.toml.
        #[arg(long, value_name = "KEY=VALUE")]
        limit: Vec<String>,
        /// Write each fail*.expected.json from what the plugin finds (then read them: they are
        /// what the tests will hold the plugin to).
        #[arg(long)]
        bless: bool,
    },
}

/// `kpitree serve`'s flags.
#[derive(clap::Args, Debug)]
struct ServeFlags {
    /// Address to listen on. A non-loopback address needs --token-file (or --insecure-no-auth).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// Run every `*.wasm` plugin in this directory on each check (repeatable); reloaded on SIGHUP.
    #[arg(long, value_name = "DIR")]
    plugins: Vec<PathBuf>,
    /// Custom rules from this file too (repeatable): [[custom_rules]] in TOML; reloaded on SIGHUP.
    #[arg(long, value_name = "FILE")]
    rules: Vec<PathBuf>,
    /// Configuration file (rules, plugins, limits; default: ./kpitree.toml if present); reloaded on SIGHUP.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Set a plugin limit: KEY=VALUE (repeatable), overriding [limits] in the configuration.
    #[arg(long, value_name = "KEY=VALUE")]
    limit: Vec<String>,
    /// Serve this directory at / (default: web/ when web/dist/kpi-tree.js exists).
    #[arg(long, value_name = "DIR")]
    web: Option<PathBuf>,
    /// Require `Authorization: Bearer TOKEN` on /v1/*, TOKEN being this file's content.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Allow a non-loopback --addr without a token.
    #[arg(long)]
    insecure_no_auth: bool,
    /// Largest request body, in MiB.
    #[arg(long, default_value_t = 16)]
    max_body_mib: usize,
    /// Evaluations running at once (default: the number of CPUs).
    #[arg(long)]
    max_concurrent: Option<usize>,
    /// Requests waiting for an evaluation at once; more get 503 at once.
    #[arg(long, default_value_t = 64)]
    max_queue: usize,
    /// How long a request waits for an evaluation slot before 503, in milliseconds.
    #[arg(long, default_value_t = 2000)]
    queue_ms: u64,
    /// How long an evaluation may take before the client gets 503, in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    timeout_ms: u64,
    /// How long a connection may take to send a request's head, in milliseconds: the bound on slow
    /// clients and the idle timeout of kept-alive connections.
    #[arg(long, default_value_t = 10_000)]
    header_timeout_ms: u64,
    /// How long a write to a client may make no progress before its connection is closed, in ms.
    #[arg(long, default_value_t = 30_000)]
    write_timeout_ms: u64,
    /// Connections open at once (lowered to stay under the open-file limit); at the cap the oldest
    /// idle connection is closed.
    #[arg(long, default_value_t = 512)]
    max_connections: usize,
    /// Log JSON lines instead of text (stderr; RUST_LOG filters).
    #[arg(long)]
    log_json: bool,
}

/// Flags that add rule plugins to a check.
#[derive(clap::Args, Debug)]
struct PluginFlags {
    /// Run this rule plugin too (repeatable): a `.wasm` module, or WAT text. Its configuration is
    /// [plugins.NAME] in kpitree.toml; its rules take `enabled` and `severity` under [rules.ID].
    #[arg(long, value_name = "FILE")]
    plugin: Vec<PathBuf>,
    /// Run every `*.wasm` plugin in this directory (repeatable).
    #[arg(long, value_name = "DIR")]
    plugins: Vec<PathBuf>,
    /// Set a plugin limit: KEY=VALUE (repeatable), overriding [limits] in kpitree.toml. Keys: fuel,
    /// time_ms, memory_mib, module_mib, input_mib, output_mib, functions, code_mib, stack_kib.
    #[arg(long, value_name = "KEY=VALUE")]
    limit: Vec<String>,
}

/// Flags that choose and tune rules.
#[derive(clap::Args, Debug)]
struct RuleFlags {
    /// Configuration file (default: ./kpitree.toml if present).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Ignore ./kpitree.toml.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
    /// Custom rules from this file too (repeatable): a TOML file of [[custom_rules]] with conditions
    /// in CEL, as in kpitree.toml (docs/format.md).
    #[arg(long, value_name = "FILE")]
    rules: Vec<PathBuf>,
    /// Set a rule option for this run: RULE.OPTION=VALUE (repeatable), e.g. stale-kpi.max_age_days=180.
    #[arg(long, value_name = "RULE.OPTION=VALUE")]
    set: Vec<String>,
    /// Switch a rule off for this run (repeatable).
    #[arg(long, value_name = "RULE")]
    disable: Vec<String>,
    /// Switch a rule on for this run (repeatable).
    #[arg(long, value_name = "RULE")]
    enable: Vec<String>,
}

/// Flags about how to read a tree.
#[derive(clap::Args, Debug)]
struct InputFlags {
    /// Read the file as this format instead of guessing from its extension.
    #[arg(long, value_enum)]
    input_format: Option<InputFormat>,
    /// CSV only: the tree's `as_of` date (YYYY-MM-DD); overrides a `# as_of:` line in the file.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    as_of: Option<Date>,
    /// CSV only: the organisation; overrides a `# organisation:` line in the file.
    #[arg(long)]
    organisation: Option<String>,
}

impl InputFlags {
    fn meta(&self) -> CsvMeta {
        CsvMeta { organisation: self.organisation.clone(), as_of: self.as_of }
    }
    fn format(&self) -> Option<Format> {
        self.input_format.map(Into::into)
    }
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("{s:?} is not a date as YYYY-MM-DD"))
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum OutputFormat {
    Text,
    Json,
    Sarif,
    /// GitHub Actions workflow commands: an annotation per finding.
    Github,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum DiffFormat {
    Text,
    Json,
    Markdown,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum DiffFailOn {
    NewError,
    NewWarning,
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ListFormat {
    Text,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum InputFormat {
    Json,
    Csv,
}

impl From<InputFormat> for Format {
    fn from(f: InputFormat) -> Format {
        match f {
            InputFormat::Json => Format::Json,
            InputFormat::Csv => Format::Csv,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

/// The prune reasons by the core's names (`Reason::NAMES`), so clap lists and checks exactly those.
fn reason_parser() -> impl clap::builder::TypedValueParser<Value = Reason> {
    use clap::builder::TypedValueParser as _;
    // clap refuses any other name before the map runs.
    clap::builder::PossibleValuesParser::new(Reason::NAMES).map(|s| Reason::parse(&s).unwrap_or(Reason::Orphaned))
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The configuration file with the command line's overrides applied.
fn config(flags: &RuleFlags) -> Result<Configuration, CliError> {
    let mut loaded = input::load_config(flags.config.as_deref(), flags.no_config)?;
    for path in &flags.rules {
        let text = input::read(path)?;
        loaded
            .add_rules_file(&text, &path.display().to_string())
            .map_err(|detail| CliError::ConfigSyntax { path: path.clone(), detail })?;
    }
    input::apply_overrides(&mut loaded, &flags.set, &flags.disable, &flags.enable)?;
    Ok(loaded)
}

/// Loads the plugins of `--plugin` and `--plugins`. A path that cannot be read is a usage error
/// (exit 2); a plugin that cannot be loaded is a plugin error, reported with the check's results.
fn load_plugins(
    flags: &PluginFlags,
    limits: &Limits,
) -> Result<(PluginSet, Vec<kpitree_plugin_host::PluginError>), CliError> {
    let mut set = PluginSet::new();
    let mut errors = Vec::new();
    let unreadable = |e: &kpitree_plugin_host::PluginError| match &e.kind {
        ErrorKind::Io { path, detail } => {
            Some(CliError::Io { path: path.clone(), error: std::io::Error::other(detail.clone()) })
        }
        _ => None,
    };
    for path in &flags.plugin {
        if let Err(e) = set.load(path, limits) {
            match unreadable(&e) {
                Some(cli) => return Err(cli),
                None => errors.push(e),
            }
        }
    }
    for dir in &flags.plugins {
        if let Err(error) = std::fs::read_dir(dir) {
            return Err(CliError::Io { path: dir.clone(), error });
        }
        errors.extend(set.load_dir(dir, limits));
    }
    Ok((set, errors))
}

fn io(e: std::io::Error) -> CliError {
    CliError::Io { path: PathBuf::from("<stdout>"), error: e }
}

/// Runs a command; `Ok` carries the exit code of a completed run.
pub fn run(args: Args) -> Result<ExitCode, CliError> {
    match args.command {
        Command::Check { files, rules, input, format, fail_on, baseline, color, plugins, measurements } => {
            check(&files, &rules, &input, format, fail_on, baseline.as_deref(), color, &plugins, &measurements)
        }
        Command::Diff { old, new, rules, input, format, fail_on, color, plugins } => {
            diff(&old, &new, &rules, &input, format, fail_on, color, &plugins)
        }
        Command::Plugin { command: PluginCommand::New { name, lang, dir, sdk } } => {
            crate::new_plugin::run(&name, lang, dir, sdk.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Plugin { command: PluginCommand::Test { plugin, fixtures, format, limit, bless } } => {
            plugin_test(&plugin, fixtures, format, &limit, bless)
        }
        Command::Plugin { command: PluginCommand::Inspect { file, format, limit } } => {
            let limits = input::limits(&[], "command line", &limit)?;
            let plugin = load_one(&file, &limits)?;
            match format {
                ListFormat::Text => {
                    let mut out = human::stdout();
                    crate::render_text::plugin(&mut out, &plugin).and_then(|()| out.flush())
                }
                ListFormat::Json => {
                    let mut out = std::io::stdout();
                    serde_json::to_writer_pretty(&mut out, &plugin_json(&plugin))
                        .map_err(std::io::Error::from)
                        .and_then(|()| writeln!(out))
                }
            }
            .map_err(io)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { file, input } => {
            let tree = input::load_tree(&file, input.format(), &input.meta())?;
            let mut out = human::stdout();
            writeln!(out, "{}: valid ({} nodes, {} links)", Esc(file.display()), tree.len(), tree.doc().links.len())
                .and_then(|()| out.flush())
                .map_err(io)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules { format, rules, plugins } => {
            let loaded = config(&rules)?;
            let limits = input::limits(&loaded.limits, &loaded.source, &plugins.limit)?;
            let (set, load_errors) = load_plugins(&plugins, &limits)?;
            let catalog = configure(&loaded, set)?.catalog();
            print_load_errors(&load_errors)?;
            match format {
                ListFormat::Text => {
                    let mut out = human::stdout();
                    crate::render_text::rules(&mut out, &catalog).and_then(|()| out.flush())
                }
                ListFormat::Json => std::io::stdout()
                    .write_all(&kpitree_run::check::pretty_json(&kpitree_run::catalog::Listing { rules: &catalog })),
            }
            .map_err(io)?;
            Ok(if load_errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Explain { rule, rules, plugins } => {
            let loaded = config(&rules)?;
            let limits = input::limits(&loaded.limits, &loaded.source, &plugins.limit)?;
            let (set, load_errors) = load_plugins(&plugins, &limits)?;
            let catalog = configure(&loaded, set)?.catalog();
            print_load_errors(&load_errors)?;
            let Some(r) = catalog.iter().find(|r| r.id == rule) else {
                let known: Vec<&str> = catalog.iter().map(|r| r.id.as_str()).collect();
                return Err(CliError::Usage(format!("unknown rule `{}`; rules: {}", Esc(&rule), known.join(", "))));
            };
            let mut out = human::stdout();
            crate::render_text::explain(&mut out, r).and_then(|()| out.flush()).map_err(io)?;
            Ok(if load_errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Serve(flags) => serve(flags),
        Command::Convert { file, output, to, input } => {
            let from = input::format_of(&file, input.format());
            let doc = input::load_tree(&file, input.format(), &input.meta())?.into_doc();
            let to: Format = match (to, &output) {
                (Some(t), _) => t.into(),
                (None, Some(o)) => input::format_of(o, None),
                (None, None) if from == Format::Json => Format::Csv,
                (None, None) => Format::Json,
            };
            let text = serialize(&doc, to);
            match output {
                Some(path) => input::write(&path, &text)?,
                None => std::io::stdout().write_all(text.as_bytes()).map_err(io)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Prune { file, dry_run: _, output, reasons, format, rules, input } => {
            // Custom rules count in the health before and after, as in `check`.
            let run = configure(&config(&rules)?, PluginSet::new())?;
            let tree = input::load_tree(&file, input.format(), &input.meta())?;
            let (report, pruned) =
                kpitree_core::prune::prune_with(&tree, &run.settings, &reasons, &|t| run.custom.run(t));
            match format {
                ListFormat::Text => {
                    let mut out = human::stdout();
                    crate::render_text::prune(&mut out, &report, output.as_deref()).and_then(|()| out.flush())
                }
                ListFormat::Json => std::io::stdout().write_all(&kpitree_run::check::pretty_json(&report)),
            }
            .map_err(io)?;
            if let Some(path) = output {
                input::write(&path, &serialize(&pruned, input::format_of(&path, None)))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => {
            print!("{}", kpitree_core::SCHEMA);
            Ok(ExitCode::SUCCESS)
        }
        Command::Measurements { command: MeasurementsCommand::Merge { file, data, output, dates, input } } => {
            crate::measurements::merge(&file, &data, output.as_deref(), &dates, input.format(), &input.meta())
        }
    }
}

/// One tree of a `kpitree check`: the path as named, and its report or why it is invalid.
pub struct Checked {
    pub path: PathBuf,
    pub outcome: Result<(Tree, Report), LoadError>,
}

/// `kpitree check`: every tree with one configuration, plugins and custom rules, rendered once all
/// are checked (so a tree that cannot be read leaves nothing half-written), exit code the worst.
#[allow(clippy::too_many_arguments)] // the command's flags, one each
fn check(
    files: &[PathBuf],
    rules: &RuleFlags,
    input: &InputFlags,
    format: OutputFormat,
    fail_on: FailOn,
    baseline: Option<&std::path::Path>,
    color: ColorChoice,
    plugins: &PluginFlags,
    measurements: &crate::measurements::MeasurementFlags,
) -> Result<ExitCode, CliError> {
    // A baseline is checked before any tree, like the configuration: a bad one is exit 2, located.
    let baselines = match baseline {
        Some(path) => {
            let text = input::read(path)?;
            Some((path, Baselines::from_json(&path.display().to_string(), &text).map_err(CliError::Load)?))
        }
        None => None,
    };
    let loaded = config(rules)?;
    let limits = input::limits(&loaded.limits, &loaded.source, &plugins.limit)?;
    let (set, load_errors) = load_plugins(plugins, &limits)?;
    let run = configure(&loaded, set)?;
    let load_errors: Vec<_> = load_errors.iter().map(Into::into).collect();
    let (paths, several) = input::expand(files)?;
    if several && !measurements.sources.is_empty() {
        // A data file names the ids of one tree; in the others they would all be unknown.
        return Err(CliError::Usage(
            "--measurements merges data into one tree: check the trees one at a time with it".into(),
        ));
    }
    // SARIF and annotations show where each finding's node stands.
    let placed = matches!(format, OutputFormat::Sarif | OutputFormat::Github);
    let mut checked = Vec::with_capacity(paths.len());
    for path in paths {
        let outcome = match input::load_tree_placed(&path, input.format(), &input.meta(), placed) {
            Ok(tree) => {
                let tree = match crate::measurements::apply(&path, tree, measurements) {
                    Ok(tree) => tree,
                    // Annotations, like an invalid tree's problems, so a pull request shows them on
                    // the data file's lines. Only one tree takes --measurements: nothing else is due.
                    Err(CliError::Loads(errors)) if format == OutputFormat::Github => {
                        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                        crate::render_github::write_data_errors(
                            &mut human::Guard(&mut out),
                            &path.display().to_string(),
                            &errors,
                        )
                        .and_then(|()| out.flush())
                        .map_err(io)?;
                        return Ok(ExitCode::from(2));
                    }
                    Err(e) => return Err(e),
                };
                let mut report = kpitree_run::check::check(
                    &tree,
                    &run.plugins,
                    &run.custom,
                    &run.config,
                    &run.settings,
                    &load_errors,
                );
                if let Some((base, b)) = &baselines {
                    kpitree_core::baseline::mark(&mut report, &baseline_of(b, &path, base)?);
                }
                Ok((tree, report))
            }
            // One tree, invalid: reported as it always was. With several, or as annotations, it is
            // one of the results.
            Err(CliError::Load(e)) if several || format == OutputFormat::Github => Err(e),
            Err(e) => return Err(e),
        };
        checked.push(Checked { path, outcome });
    }
    if format != OutputFormat::Github {
        // Problems and plugin errors go to stderr in every format (stdout stays machine-readable);
        // JSON and SARIF carry them too. Annotations carry them instead.
        let mut err = human::stderr();
        print_check_errors(&mut err, &checked, &load_errors, several).map_err(io)?;
    }
    let choice = match color {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    };
    // Buffered: stdout flushes at every newline, a system call per line of a long report. JSON
    // and SARIF keep the data, so they bypass anstream (which drops DEL and escapes when piped).
    let mut raw = std::io::BufWriter::new(std::io::stdout().lock());
    match (format, several, checked.as_slice()) {
        (OutputFormat::Text, _, _) => {
            let mut out = std::io::BufWriter::new(anstream::AutoStream::new(std::io::stdout().lock(), choice));
            crate::render_text::reports(&mut human::Guard(&mut out), &checked, several).and_then(|()| out.flush())
        }
        (OutputFormat::Json, false, [Checked { outcome: Ok((_, report)), .. }]) => {
            raw.write_all(&kpitree_run::check::report_json(report))
        }
        (OutputFormat::Json, _, _) => raw.write_all(&kpitree_run::check::pretty_json(&Files::new(&checked))),
        (OutputFormat::Sarif, _, _) => {
            crate::render_sarif::write(&mut raw, &checked, &run.catalog(), &load_errors, several)
        }
        (OutputFormat::Github, _, _) => {
            crate::render_github::write(&mut human::Guard(&mut raw), &checked, &load_errors)
        }
    }
    .and_then(|()| raw.flush())
    .map_err(io)?;
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    // A plugin that failed must not let a pipeline pass silently: it fails the run like an error
    // finding, unless --fail-on never. An invalid tree outweighs both.
    let mut code = 0;
    for c in &checked {
        match &c.outcome {
            Err(_) => code = 2,
            Ok((_, report)) => {
                let failed = threshold.is_some_and(|t| report.fails_at(t));
                if failed {
                    code = code.max(1);
                }
            }
        }
    }
    Ok(ExitCode::from(code))
}

/// The baseline of the tree at `path`: matched to the baseline's files as given, as an absolute
/// path and relative to the current directory (`./t.json` and `/repo/t.json` are `t.json`), else by
/// a unique file name. A tree that a baseline of several files has no report of is warned about on
/// stderr: all its findings are new, which would otherwise pass for a tree that got worse.
fn baseline_of(baselines: &Baselines, path: &std::path::Path, base: &std::path::Path) -> Result<Baseline, CliError> {
    let given = path.display().to_string();
    let cwd = std::env::current_dir().ok();
    let absolute = cwd.as_ref().map(|d| d.join(path));
    let relative = absolute.as_ref().zip(cwd.as_ref()).and_then(|(a, d)| a.strip_prefix(d).ok().map(|r| r.to_owned()));
    let absolute = absolute.map(|a| a.display().to_string());
    let relative = relative.map(|r| r.display().to_string());
    let names: Vec<&str> =
        std::iter::once(given.as_str()).chain(absolute.as_deref()).chain(relative.as_deref()).collect();
    if let Some(b) = baselines.lookup(&names) {
        return Ok(b.clone());
    }
    let files: Vec<String> = baselines.files().iter().map(|f| Esc(f).to_string()).collect();
    let files = if files.is_empty() { vec!["none".to_owned()] } else { files };
    let mut err = human::stderr();
    writeln!(
        err,
        "warning: the baseline {} has no report of {} (it has {}): all its findings count as new",
        Esc(base.display().to_string()),
        Esc(&given),
        files.join(", ")
    )
    .map_err(io)?;
    Ok(Baseline::default())
}

/// The stderr part of a check: plugin errors (with several trees, those of loading once and the
/// others under their tree's name) and, with several trees, each invalid tree's problems.
fn print_check_errors(
    err: &mut impl Write,
    checked: &[Checked],
    load_errors: &[kpitree_core::report::PluginFailure],
    several: bool,
) -> std::io::Result<()> {
    if !several {
        for c in checked {
            if let Ok((_, report)) = &c.outcome {
                for e in &report.plugin_errors {
                    human::print_plugin_error(err, e)?;
                }
            }
        }
        return Ok(());
    }
    for e in load_errors {
        human::print_plugin_error(err, e)?;
    }
    for c in checked {
        match &c.outcome {
            Ok((_, report)) => {
                for e in report.plugin_errors.iter().skip(load_errors.len()) {
                    human::print_plugin_error_in(err, Some(&c.path.display().to_string()), e)?;
                }
            }
            Err(e) => human::print_error(err, &CliError::Load(e.clone()))?,
        }
    }
    Ok(())
}

/// `kpitree check --format json` of several trees: each file's report, or its problems when it is
/// invalid, in the order checked, and the totals.
#[derive(serde::Serialize)]
struct Files<'a> {
    files: Vec<FileJson<'a>>,
    summary: Totals,
}

#[derive(serde::Serialize)]
struct FileJson<'a> {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'a Report>,
    #[serde(skip_serializing_if = "Option::is_none")]
    problems: Option<&'a [kpitree_core::error::Problem]>,
}

impl<'a> Files<'a> {
    fn new(checked: &'a [Checked]) -> Files<'a> {
        let files = checked
            .iter()
            .map(|c| {
                let (report, problems) = match &c.outcome {
                    Ok((_, r)) => (Some(r), None),
                    Err(e) => (None, Some(e.problems.as_slice())),
                };
                FileJson { file: c.path.display().to_string(), report, problems }
            })
            .collect();
        Files { files, summary: Totals::of(checked) }
    }
}

/// The counts over several trees: trees checked, invalid ones, and findings by severity.
#[derive(serde::Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub trees: usize,
    pub invalid: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings a waiver covers (not in the counts above).
    #[serde(skip_serializing_if = "is_zero")]
    pub waived: usize,
    /// Against a baseline: new and known findings (of those counted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known: Option<usize>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Totals {
    pub fn of(checked: &[Checked]) -> Totals {
        let mut t = Totals { trees: checked.len(), ..Totals::default() };
        for c in checked {
            match &c.outcome {
                Ok((_, r)) => {
                    t.errors += r.summary.errors;
                    t.warnings += r.summary.warnings;
                    t.infos += r.summary.infos;
                    t.waived += r.summary.waived;
                    let add = |a: Option<usize>, b: Option<usize>| match (a, b) {
                        (None, None) => None,
                        (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
                    };
                    t.new = add(t.new, r.summary.new);
                    t.known = add(t.known, r.summary.known);
                }
                Err(_) => t.invalid += 1,
            }
        }
        t
    }
}

impl std::fmt::Display for Totals {
    /// `3 trees (1 invalid): 2 errors, 1 warning, 0 info`, as the text report's counts read.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = |n: usize| if n == 1 { "" } else { "s" };
        write!(f, "{} tree{}", self.trees, s(self.trees))?;
        if self.invalid > 0 {
            write!(f, " ({} invalid)", self.invalid)?;
        }
        write!(
            f,
            ": {} error{}, {} warning{}, {} info",
            self.errors,
            s(self.errors),
            self.warnings,
            s(self.warnings),
            self.infos
        )?;
        if let (Some(new), Some(known)) = (self.new, self.known) {
            write!(f, "; {new} new, {known} known")?;
        }
        if self.waived > 0 {
            write!(f, "; {} waived", self.waived)?;
        }
        Ok(())
    }
}

/// `kpitree diff`: both trees loaded (every problem of both reported before exit 2), checked alike
/// and compared (`kpitree_run::diff`).
#[allow(clippy::too_many_arguments)] // the command's flags
fn diff(
    old: &std::path::Path,
    new: &std::path::Path,
    rules: &RuleFlags,
    input: &InputFlags,
    format: DiffFormat,
    fail_on: DiffFailOn,
    color: ColorChoice,
    plugins: &PluginFlags,
) -> Result<ExitCode, CliError> {
    let loaded = config(rules)?;
    let limits = input::limits(&loaded.limits, &loaded.source, &plugins.limit)?;
    let (set, load_errors) = load_plugins(plugins, &limits)?;
    let run = configure(&loaded, set)?;
    let load_errors: Vec<_> = load_errors.iter().map(Into::into).collect();
    let load = |path: &std::path::Path| input::load_tree(path, input.format(), &input.meta());
    let (old_tree, new_tree) = kpitree_run::diff::both(load(old), load(new)).map_err(CliError::Several)?;
    let checked = kpitree_run::diff::diff(
        old_tree,
        new_tree,
        &run.plugins,
        &run.custom,
        &run.config,
        &run.settings,
        &load_errors,
    );
    let d = checked.diff();
    let mut err = human::stderr();
    for e in &d.plugin_errors {
        human::print_plugin_error(&mut err, e).map_err(io)?;
    }
    let (old_name, new_name) = (old.display().to_string(), new.display().to_string());
    match format {
        DiffFormat::Text => {
            let choice = match color {
                ColorChoice::Auto => anstream::ColorChoice::Auto,
                ColorChoice::Always => anstream::ColorChoice::Always,
                ColorChoice::Never => anstream::ColorChoice::Never,
            };
            let mut out = std::io::BufWriter::new(anstream::AutoStream::new(std::io::stdout().lock(), choice));
            crate::render_diff::text(&mut human::Guard(&mut out), &old_name, &new_name, &d).and_then(|()| out.flush())
        }
        DiffFormat::Json => std::io::stdout().write_all(&kpitree_run::diff::diff_json(&d)),
        // Markdown escapes its data itself; the guard is the net under it, as for text.
        DiffFormat::Markdown => {
            let mut out = human::Guard(std::io::stdout().lock());
            out.write_all(crate::render_diff::markdown(&old_name, &new_name, &d).as_bytes()).and_then(|()| out.flush())
        }
    }
    .map_err(io)?;
    let failed = match fail_on {
        DiffFailOn::NewError => d.fails_at(Severity::Error),
        DiffFailOn::NewWarning => d.fails_at(Severity::Warning),
        DiffFailOn::Never => false,
    };
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Loads one plugin where nothing else can run: an unreadable file is an I/O error, anything else a
/// plugin error (both exit 2).
fn load_one(file: &std::path::Path, limits: &Limits) -> Result<Plugin, CliError> {
    Plugin::load(file, limits).map_err(|e| match &e.kind {
        ErrorKind::Io { path, detail } => {
            CliError::Io { path: path.clone(), error: std::io::Error::other(detail.clone()) }
        }
        _ => CliError::Plugin(e),
    })
}

/// `kpitree plugin test`: exit 0 when every fixture passes, 1 when one fails, 2 (an error) when the
/// plugin does not load, the directory holds no fixtures for it or a fixture is invalid.
fn plugin_test(
    file: &std::path::Path,
    fixtures: Option<PathBuf>,
    format: ListFormat,
    limit: &[String],
    bless: bool,
) -> Result<ExitCode, CliError> {
    use kpitree_run::plugin_test;
    let limits = input::limits(&[], "command line", limit)?;
    let plugin = load_one(file, &limits)?;
    let dir = fixtures.unwrap_or_else(|| PathBuf::from("tests"));
    let suite = plugin_test::find(plugin.manifest(), &dir).map_err(CliError::Usage)?;
    let mut set = PluginSet::new();
    set.add(plugin).map_err(CliError::Plugin)?;
    let report = plugin_test::run(&set, &suite, bless);
    if !report.invalid.is_empty() {
        return Err(CliError::Usage(report.invalid.join("\nerror: ")));
    }
    match format {
        ListFormat::Text => {
            let mut out = human::stdout();
            crate::render_text::plugin_test(&mut out, &report).and_then(|()| out.flush())
        }
        ListFormat::Json => std::io::stdout().write_all(&kpitree_run::check::pretty_json(&report)),
    }
    .map_err(io)?;
    Ok(if report.failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `kpitree plugin inspect --format json`: the manifest as the plugin wrote it, in its field order.
#[derive(serde::Serialize)]
struct Inspect<'a> {
    file: &'a str,
    module_size: usize,
    abi_version: String,
    manifest: &'a kpitree_plugin_host::Manifest,
}

fn plugin_json(p: &Plugin) -> Inspect<'_> {
    let (major, minor) = p.abi_version();
    Inspect {
        file: p.source(),
        module_size: p.module_size(),
        abi_version: format!("{major}.{minor}"),
        manifest: p.manifest(),
    }
}

pub(crate) fn serialize(doc: &kpitree_core::TreeDoc, format: Format) -> String {
    match format {
        Format::Csv => kpitree_core::csv::to_csv(doc),
        Format::Json => kpitree_core::to_json(doc),
    }
}

/// Applies the configuration to the plugins and resolves the rest against the built-in rules, as
/// the server does for each generation ([`Rules::configure`]).
fn configure(loaded: &Configuration, plugins: PluginSet) -> Result<Rules, CliError> {
    Rules::configure(plugins, loaded).map_err(|e| match e {
        RulesError::Config(errors) => CliError::Config { source: loaded.source.clone(), errors },
        RulesError::Custom(errors) => CliError::CustomRules(errors),
    })
}

/// Plugins that failed to load, on stderr (a listing goes on without them; the exit code says it).
fn print_load_errors(errors: &[kpitree_plugin_host::PluginError]) -> Result<(), CliError> {
    let mut err = human::stderr();
    for e in errors {
        human::print_plugin_error(&mut err, &e.into()).map_err(io)?;
    }
    Ok(())
}

/// `kpitree serve`: loads everything first (any failure exits 2 before listening), then serves until
/// SIGINT or SIGTERM.
fn serve(flags: ServeFlags) -> Result<ExitCode, CliError> {
    kpitree_server::check_exposure(&flags.addr, flags.token_file.is_some(), flags.insecure_no_auth)
        .map_err(CliError::Usage)?;
    let token = match &flags.token_file {
        Some(path) => {
            let token = input::read(path)?.trim().to_owned();
            if token.is_empty() {
                return Err(CliError::Usage(format!("{}: the token file is empty", Esc(path.display()))));
            }
            Some(token)
        }
        None => None,
    };
    let config = flags.config.or_else(|| {
        let default = PathBuf::from("kpitree.toml");
        default.is_file().then_some(default)
    });
    let web = flags.web.or_else(|| {
        let default = PathBuf::from("web");
        default.join("dist/kpi-tree.js").is_file().then_some(default)
    });
    for dir in flags.plugins.iter().chain(&web) {
        if let Err(error) = std::fs::read_dir(dir) {
            return Err(CliError::Io { path: dir.clone(), error });
        }
    }
    let defaults = kpitree_server::Options::default();
    let opts = kpitree_server::Options {
        config,
        plugin_dirs: flags.plugins,
        rules_files: flags.rules,
        limit_flags: flags.limit,
        web,
        token,
        max_body: flags.max_body_mib.saturating_mul(1 << 20),
        max_concurrent: flags.max_concurrent.unwrap_or(defaults.max_concurrent),
        max_queue: flags.max_queue,
        queue_timeout: std::time::Duration::from_millis(flags.queue_ms),
        request_timeout: std::time::Duration::from_millis(flags.timeout_ms),
    };
    kpitree_server::init_logging(flags.log_json);
    let conn = kpitree_server::ConnLimits {
        header_timeout: std::time::Duration::from_millis(flags.header_timeout_ms),
        write_timeout: std::time::Duration::from_millis(flags.write_timeout_ms),
        max_connections: flags.max_connections,
    };
    let service =
        kpitree_server::Service::new(opts).map_err(|e| CliError::Usage(e.join("\nerror: ")))?.with_conn_limits(conn);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| CliError::Io { path: PathBuf::from("<runtime>"), error })?;
    runtime
        .block_on(kpitree_server::run(service, flags.addr))
        .map_err(|error| CliError::Io { path: PathBuf::from(flags.addr.to_string()), error })?;
    Ok(ExitCode::SUCCESS)
}
