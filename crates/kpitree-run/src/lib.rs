//! kpitree-run: what one run of the rules reads and does, shared by the CLI (`kpitree check`, `rules`,
//! `explain`) and the server (`kpitree serve`) so both answer the same, byte for byte.
//!
//! - [`setup`]: the configuration (`kpitree-session`'s, re-exported) with the native plugin host:
//!   plugin limits, and the run's rules once plugins are loaded ([`setup::Rules`]).
//! - [`check`]: the check pipeline and its JSON, the one code path of `kpitree check --format json`
//!   and `POST /v1/check`.
//! - [`catalog`]: every rule, built-in and plugin, with its metadata (`kpitree rules`, `explain`,
//!   SARIF descriptors, `GET /v1/rules`).

pub mod catalog;
pub mod check;
pub mod setup;
