//! What a rule declares, once: its id, default severity, texts and typed options. The configuration
//! ([`crate::config`]) checks settings against these declarations and the rules read their options
//! through the same typed handles, so neither module needs the other's internals; the CLI's `rules`
//! and `explain`, SARIF's rule descriptors, the server and the widget all read [`RuleMeta`].

use crate::finding::Severity;
use kpitree_decimal::shortest;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::marker::PhantomData;

/// A rule option's value.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// On or off.
    Bool(bool),
    /// A count or a number of days.
    Int(i64),
    /// A ratio or a correlation.
    Float(f64),
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) => f.write_str(&shortest(*x)),
        }
    }
}

impl ParamValue {
    /// Parses a command-line value (`5`, `0.3`, `true`).
    pub fn parse(s: &str) -> Option<ParamValue> {
        let s = s.trim();
        match s {
            "true" => Some(ParamValue::Bool(true)),
            "false" => Some(ParamValue::Bool(false)),
            _ => s
                .parse::<i64>()
                .map(ParamValue::Int)
                .ok()
                .or_else(|| s.parse::<f64>().ok().filter(|x| x.is_finite()).map(ParamValue::Float)),
        }
    }

    /// How messages name the value's type.
    pub fn type_name(&self) -> &'static str {
        match self {
            ParamValue::Bool(_) => "a boolean",
            ParamValue::Int(_) => "an integer",
            ParamValue::Float(_) => "a number",
        }
    }
}

/// A declared rule option (a threshold or budget) with its default and allowed range.
#[derive(Clone, Copy, Debug)]
pub struct ParamSpec {
    /// Name in config files (`max_per_parent`).
    pub name: &'static str,
    /// Default value; its variant is the option's type.
    pub default: ParamValue,
    /// Smallest allowed value.
    pub min: f64,
    /// Largest allowed value.
    pub max: f64,
    /// One line for `kpitree rules`.
    pub help: &'static str,
}

/// A typed handle on one option: declared once (a `const` in the rule's file, listed in its
/// [`RuleMeta::params`]) and read with [`crate::rules::Context::get`], which gives a `T`.
#[derive(Clone, Copy, Debug)]
pub struct Param<T> {
    /// The declaration settings are checked against.
    pub spec: ParamSpec,
    ty: PhantomData<fn() -> T>,
}

impl Param<i64> {
    /// A whole-number option in `min..=max`.
    pub const fn int(name: &'static str, default: i64, min: i64, max: i64, help: &'static str) -> Param<i64> {
        let spec = ParamSpec { name, default: ParamValue::Int(default), min: min as f64, max: max as f64, help };
        Param { spec, ty: PhantomData }
    }
}

impl Param<f64> {
    /// A number option in `min..=max` (an integer is accepted for it).
    pub const fn float(name: &'static str, default: f64, min: f64, max: f64, help: &'static str) -> Param<f64> {
        Param { spec: ParamSpec { name, default: ParamValue::Float(default), min, max, help }, ty: PhantomData }
    }
}

impl Param<bool> {
    /// An on/off option.
    pub const fn flag(name: &'static str, default: bool, help: &'static str) -> Param<bool> {
        Param {
            spec: ParamSpec { name, default: ParamValue::Bool(default), min: 0.0, max: 1.0, help },
            ty: PhantomData,
        }
    }
}

/// The Rust type of an option's values.
pub trait ParamType: Sized {
    /// The value as this type; `None` only when a setting does not match its declaration, which
    /// [`crate::config::Config::resolve`] rules out.
    fn from_value(v: ParamValue) -> Option<Self>;
}

impl ParamType for i64 {
    fn from_value(v: ParamValue) -> Option<i64> {
        match v {
            ParamValue::Int(i) => Some(i),
            _ => None,
        }
    }
}

impl ParamType for f64 {
    fn from_value(v: ParamValue) -> Option<f64> {
        match v {
            ParamValue::Float(x) => Some(x),
            ParamValue::Int(i) => Some(i as f64),
            ParamValue::Bool(_) => None,
        }
    }
}

impl ParamType for bool {
    fn from_value(v: ParamValue) -> Option<bool> {
        match v {
            ParamValue::Bool(b) => Some(b),
            _ => None,
        }
    }
}

/// What a rule is, for listings, `explain` and output: the one place its texts are written.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable id (`orphan-kpi`).
    pub id: &'static str,
    /// Severity unless configured otherwise.
    pub severity: Severity,
    /// One line: what it finds.
    pub summary: &'static str,
    /// Why it matters (several sentences are fine).
    pub why: &'static str,
    /// What to do about a finding, in general.
    pub fix: &'static str,
    /// Its options.
    pub params: &'static [ParamSpec],
}
