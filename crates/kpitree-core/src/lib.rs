//! kpitree-core: the KPI-tree engine. Parses and validates tree documents, builds the tree as a graph,
//! rolls up scores, runs the built-in health rules and proposes what to prune.
//!
//! The core does no I/O and reads no clock: text comes in as `&str`, and the date a tree describes
//! (`as_of`) is part of the document. The same code runs natively and in `wasm32-unknown-unknown`.

pub mod csv;
pub mod date;
pub mod error;
pub mod model;

pub use date::Date;
pub use error::{LoadError, Location, Problem, ProblemKind};
pub use model::{
    CheckIn, Direction, Indicator, Link, LinkKind, Measurement, Node, NodeKind, Status, Thresholds, TreeDoc,
};
pub mod config;
pub mod engine;
pub mod finding;
pub mod parse;
pub mod report;
pub mod rollup;
pub mod rules;
pub mod stats;
pub mod tree;

pub use engine::{Format, check, check_tree, load, settings};
