//! The server's loaded state (configuration and plugins) and how it is (re)loaded: a reload builds a
//! whole new [`Loaded`] and swaps it in only when everything loaded, so a bad plugin or config keeps
//! the old set serving.

use kpitree_core::config::{Config, Settings};
use kpitree_plugin_host::PluginSet;
use kpitree_run::setup;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How the service is set up (`kpitree serve`'s flags).
#[derive(Clone, Debug)]
pub struct Options {
    /// `kpitree.toml`-style configuration file (rules, plugins, limits); defaults when absent.
    pub config: Option<PathBuf>,
    /// Directories whose `*.wasm` plugins run on every check.
    pub plugin_dirs: Vec<PathBuf>,
    /// Files of custom rules (`--rules`) that run on every check, with the configuration's.
    pub rules_files: Vec<PathBuf>,
    /// `KEY=VALUE` plugin limits over the configuration's `[limits]`.
    pub limit_flags: Vec<String>,
    /// Directory served at `/` (the widget's demo page and assets).
    pub web: Option<PathBuf>,
    /// Bearer token required on `/v1/*`; no authentication when absent.
    pub token: Option<String>,
    /// Largest request body, in bytes.
    pub max_body: usize,
    /// Evaluations running at once.
    pub max_concurrent: usize,
    /// Requests waiting for an evaluation slot at once; more get 503 at once.
    pub max_queue: usize,
    /// How long a request waits for an evaluation slot before 503.
    pub queue_timeout: Duration,
    /// How long an evaluation (or a whole request) may take before the client gets an error; a
    /// timed-out evaluation stops at its next stage and frees its slot.
    pub request_timeout: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            config: None,
            plugin_dirs: Vec::new(),
            rules_files: Vec::new(),
            limit_flags: Vec::new(),
            web: None,
            token: None,
            max_body: 16 << 20,
            max_concurrent: std::thread::available_parallelism().map_or(2, |n| n.get()),
            max_queue: 64,
            queue_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// Configuration and plugins of one generation.
pub struct Loaded {
    /// Plugins, with `[rules.<plugin rule>]` applied.
    pub plugins: PluginSet,
    /// The configuration without plugin rules' entries (what resolves against built-in rules).
    pub config: Config,
    /// The configuration as written, for the catalog.
    pub written: Config,
    /// Built-in rules' settings.
    pub settings: Settings,
    /// Custom rules, with `[rules.<custom rule>]` applied.
    pub custom: setup::CustomRules,
    /// The custom rules as written, which a request's own custom rules are compiled with.
    pub custom_sources: Vec<kpitree_session::RuleSource>,
    /// 1 for the first load, +1 for each successful reload.
    pub generation: u64,
}

impl Loaded {
    /// Reads the configuration and loads every plugin; any failure is a list of messages.
    pub fn load(opts: &Options, generation: u64) -> Result<Loaded, Vec<String>> {
        let mut configuration = match &opts.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| vec![format!("{}: {e}", path.display())])?;
                setup::Configuration::from_toml(&text, path.display().to_string())
                    .map_err(|e| vec![format!("{}: {}", path.display(), e.trim_end())])?
            }
            None => setup::Configuration::command_line(),
        };
        for path in &opts.rules_files {
            let text = std::fs::read_to_string(path).map_err(|e| vec![format!("{}: {e}", path.display())])?;
            configuration
                .add_rules_file(&text, &path.display().to_string())
                .map_err(|e| vec![format!("{}: {}", path.display(), e.trim_end())])?;
        }
        let source = &configuration.source;
        let limits = setup::limits(&configuration.limits, source, &opts.limit_flags)?;
        let mut plugins = PluginSet::new();
        let mut errors = Vec::new();
        for dir in &opts.plugin_dirs {
            errors.extend(plugins.load_dir(dir, &limits).into_iter().map(|e| e.to_string()));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let rules = setup::Rules::configure(plugins, &configuration).map_err(|e| match e {
            setup::RulesError::Config(errors) => errors.iter().map(|e| format!("{source}: {e}")).collect::<Vec<_>>(),
            setup::RulesError::Custom(errors) => errors.iter().map(ToString::to_string).collect(),
        })?;
        let setup::Rules { plugins, config, written, settings, custom } = rules;
        let custom_sources = configuration.custom;
        Ok(Loaded { plugins, config, written, settings, custom, custom_sources, generation })
    }
}

/// What every handler shares.
pub struct Shared {
    /// The flags.
    pub opts: Options,
    /// The current generation; handlers clone the `Arc` and keep it for their request, so a reload
    /// never changes a request half-way.
    pub loaded: RwLock<Arc<Loaded>>,
    /// Evaluation slots.
    pub permits: Arc<tokio::sync::Semaphore>,
    /// Requests waiting for a slot.
    pub waiting: std::sync::atomic::AtomicUsize,
    /// Serialises reloads.
    pub reloading: std::sync::Mutex<()>,
}

impl Shared {
    /// The current generation.
    pub fn current(&self) -> Arc<Loaded> {
        // A poisoned lock only means a reload panicked between swaps; the Arc inside is whole.
        match self.loaded.read() {
            Ok(g) => Arc::clone(&g),
            Err(p) => Arc::clone(&p.into_inner()),
        }
    }

    /// Loads a new generation and swaps it in; on failure the current one stays.
    pub fn reload(&self) -> Result<Arc<Loaded>, Vec<String>> {
        let _one = self.reloading.lock().unwrap_or_else(|p| p.into_inner());
        let next = Arc::new(Loaded::load(&self.opts, self.current().generation + 1)?);
        match self.loaded.write() {
            Ok(mut g) => *g = Arc::clone(&next),
            Err(p) => *p.into_inner() = Arc::clone(&next),
        }
        Ok(next)
    }
}
