//! kpitree-server: `kpitree serve`, the HTTP service that runs the built-in and plugin rules for
//! other systems. What it shares with the CLI (configuration, the check pipeline and its JSON, the
//! rule catalog) is in `kpitree-run`, so both answer the same.
//!
//! - [`Service`]: axum on tokio, served by our own accept loop over hyper (header, idle and write
//!   timeouts, a connection cap). Evaluations run on the blocking pool under a semaphore and stop
//!   at their next stage once their client stopped waiting; plugins reload on [`Service::reload`]
//!   (SIGHUP in [`run`]) and a failed reload keeps the old set.
//!
//! The API is documented in `docs/serve.md` and by the OpenAPI document at `/openapi.json`.

mod conn;
mod http;
mod state;

pub use conn::ConnLimits;
pub use http::OPENAPI;
pub use state::Options;

use state::{Loaded, Shared};
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

/// A loaded service, ready to serve on any number of listeners.
#[derive(Clone)]
pub struct Service {
    shared: Arc<Shared>,
    conn: ConnLimits,
}

impl Service {
    /// Reads the configuration and loads the plugins; any failure is a list of messages.
    pub fn new(opts: Options) -> Result<Service, Vec<String>> {
        let loaded = Loaded::load(&opts, 1)?;
        let permits = Arc::new(tokio::sync::Semaphore::new(opts.max_concurrent.max(1)));
        Ok(Service {
            shared: Arc::new(Shared {
                opts,
                loaded: RwLock::new(Arc::new(loaded)),
                permits,
                waiting: std::sync::atomic::AtomicUsize::new(0),
                reloading: std::sync::Mutex::new(()),
            }),
            conn: ConnLimits::default(),
        })
    }

    /// The same service with other connection limits (timeouts, cap) than [`ConnLimits::default`].
    pub fn with_conn_limits(mut self, limits: ConnLimits) -> Service {
        self.conn = limits;
        self
    }

    /// Reloads configuration and plugins (blocking: compiles modules). On success the new set serves
    /// every request that starts afterwards and its generation is returned; on failure the old set
    /// stays and the messages say why.
    pub fn reload(&self) -> Result<u64, Vec<String>> {
        match self.shared.reload() {
            Ok(l) => {
                let names: Vec<&str> = l.plugins.plugins().iter().map(|p| p.name()).collect();
                tracing::info!(generation = l.generation, plugins = ?names, "reloaded");
                Ok(l.generation)
            }
            Err(errors) => {
                for e in &errors {
                    // Messages may quote a plugin's text or a WAT source line: Debug escapes control characters.
                    tracing::error!(error = ?e, "reload failed; the previous plugins stay loaded");
                }
                Err(errors)
            }
        }
    }

    /// Names of the plugins now loaded.
    pub fn plugin_names(&self) -> Vec<String> {
        self.shared.current().plugins.plugins().iter().map(|p| p.name().to_owned()).collect()
    }

    /// The axum application.
    pub fn router(&self) -> axum::Router {
        http::router(Arc::clone(&self.shared))
    }

    /// Serves on `listener` until `shutdown` completes, then lets in-flight requests finish.
    pub async fn serve(
        &self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        conn::serve(listener, self.router(), self.conn, shutdown).await
    }
}

/// Refuses to expose the API beyond loopback without a token, unless the user insists.
pub fn check_exposure(addr: &SocketAddr, has_token: bool, insecure_no_auth: bool) -> Result<(), String> {
    if addr.ip().is_loopback() || has_token || insecure_no_auth {
        Ok(())
    } else {
        Err(format!(
            "{addr} is not a loopback address: give --token-file FILE so clients must authenticate, or --insecure-no-auth"
        ))
    }
}

/// `kpitree serve`: binds `addr`, serves until SIGINT or SIGTERM (then finishes in-flight requests),
/// and reloads plugins and configuration on SIGHUP.
pub async fn run(service: Service, addr: SocketAddr) -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(addr = %listener.local_addr()?, plugins = ?service.plugin_names(), "listening");
    let mut hup = signal(SignalKind::hangup())?;
    let reloader = service.clone();
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            let s = reloader.clone();
            // Compiling modules is CPU work: off the async workers.
            let _ = tokio::task::spawn_blocking(move || s.reload()).await;
        }
    });
    let mut term = signal(SignalKind::terminate())?;
    let shutdown = async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        tracing::info!("shutting down: finishing requests in flight");
    };
    service.serve(listener, shutdown).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Structured logs to stderr (`RUST_LOG` filters; default `info`), as JSON lines when `json`.
/// Colour only on a terminal without `NO_COLOR`: a log file or collector must get plain text.
pub fn init_logging(json: bool) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=info"));
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}
