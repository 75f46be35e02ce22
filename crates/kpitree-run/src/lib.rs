//! kpitree-run: what one run of the rules reads and does, shared by the CLI (`kpitree check`, `rules`,
//! `explain`) and the server (`kpitree serve`) so both answer the same, byte for byte.
//!
//! - [`setup`]: the configuration (`kpitree-session`'s, re-exported) with the native plugin host:
//!   plugin limits, and the run's rules once plugins are loaded ([`setup::Rules`]).
//! - [`check`]: the check pipeline and its JSON, the one code path of `kpitree check --format json`
//!   and `POST /v1/check`.
//! - [`diff`]: two versions of a tree checked alike and compared, the one code path of `kpitree diff`
//!   and `POST /v1/diff`.
//! - [`catalog`]: `kpitree-session`'s rule catalog for a native plugin set.
//! - [`plugin_test`]: `kpitree plugin test`, a plugin against pass/fail fixtures with the fuel of
//!   each call.

pub mod catalog {
    //! Every rule of a run, built-in and plugin ([`kpitree_session::catalog`]), for the native host.
    pub use kpitree_session::catalog::{Listing, ParamInfo, RuleInfo};

    /// [`kpitree_session::catalog::catalog`] with the manifests of a loaded plugin set.
    pub fn catalog(
        settings: &kpitree_core::config::Settings,
        plugins: &kpitree_plugin_host::PluginSet,
        custom: &kpitree_session::CustomRules,
        config: &kpitree_core::config::Config,
    ) -> Vec<RuleInfo> {
        kpitree_session::catalog::catalog(
            settings,
            plugins.plugins().iter().map(|p| (p.name(), p.manifest())),
            custom,
            config,
        )
    }
}
pub mod check;
pub mod diff;
pub mod plugin_test;
pub mod setup;
