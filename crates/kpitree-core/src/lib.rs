//! kpitree-core: the KPI-tree engine. Parses and validates tree documents, builds the tree as a graph,
//! rolls up scores, runs the built-in health rules and proposes what to prune.
//!
//! The core does no I/O and reads no clock: text comes in as `&str`, and the date a tree describes
//! (`as_of`) is part of the document. The same code runs natively and in `wasm32-unknown-unknown`.
//!
//! Data flow: text -> [`json`] or [`csv`] -> [`TreeDoc`] -> [`tree::Tree`] (validation) ->
//! [`rollup::Rollup`] -> [`rules`] -> [`report::Report`]; [`prune`] builds on the same pieces.

pub mod baseline;
pub mod config;
pub mod csv;
pub mod date;
mod decode;
pub mod diff;
pub mod engine;
pub mod error;
pub mod finding;
pub mod json;
mod lower;
pub mod measurements;
pub mod meta;
pub mod model;
pub mod prune;
pub mod report;
pub mod rollup;
pub mod rules;
pub mod sort;
pub mod source;
pub mod stats;
pub mod tree;
pub mod waivers;

pub use date::Date;
pub use decode::decode_text;
pub use engine::{
    Format, check, check_with, default_settings, load, load_json, settings, validate_json, validate_unplaced,
};
pub use error::{LoadError, Location, Problem, ProblemKind};
pub use json::{parse_json, to_json};
pub use kpitree_vocab::is_rule_id;
pub use model::{
    CheckIn, Direction, Indicator, Link, LinkKind, Measurement, Node, NodeKind, Status, Thresholds, TreeDoc,
};
pub use source::{Pos, SourceMap};
pub use tree::Tree;

/// The JSON Schema of the tree format (`schema/tree.schema.json`).
pub const SCHEMA: &str = include_str!("../../../schema/tree.schema.json");
