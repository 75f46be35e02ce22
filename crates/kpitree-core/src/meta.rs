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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// On or off.
    Bool(bool),
    /// A count or a number of days.
    Int(i64),
    /// A ratio or a correlation.
    Float(f64),
    /// A list of words or phrases (`placeholder_owners`).
    Words(Vec<String>),
}

/// An option's declared default ([`ParamSpec::default`]): a [`ParamValue`] that a `const` can hold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Declared {
    /// On or off.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number.
    Float(f64),
    /// Words.
    Words(&'static [&'static str]),
}

impl Declared {
    /// The default as a setting's value.
    pub fn value(self) -> ParamValue {
        match self {
            Declared::Bool(b) => ParamValue::Bool(b),
            Declared::Int(i) => ParamValue::Int(i),
            Declared::Float(x) => ParamValue::Float(x),
            Declared::Words(w) => ParamValue::Words(w.iter().map(|&w| w.to_owned()).collect()),
        }
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) => f.write_str(&shortest(*x)),
            // As `--set` takes it: comma-separated.
            ParamValue::Words(w) => f.write_str(&w.join(",")),
        }
    }
}

impl ParamValue {
    /// Parses a command-line value (`5`, `0.3`, `true`, or words separated by commas: `TBC,n/a`).
    pub fn parse(s: &str) -> Option<ParamValue> {
        let s = s.trim();
        match s {
            "true" => Some(ParamValue::Bool(true)),
            "false" => Some(ParamValue::Bool(false)),
            _ => s
                .parse::<i64>()
                .map(ParamValue::Int)
                .ok()
                .or_else(|| s.parse::<f64>().ok().filter(|x| x.is_finite()).map(ParamValue::Float))
                .or_else(|| {
                    let words: Vec<String> =
                        s.split(',').map(str::trim).filter(|w| !w.is_empty()).map(str::to_owned).collect();
                    (!words.is_empty()).then_some(ParamValue::Words(words))
                }),
        }
    }

    /// How messages name the value's type.
    pub fn type_name(&self) -> &'static str {
        match self {
            ParamValue::Bool(_) => "a boolean",
            ParamValue::Int(_) => "an integer",
            ParamValue::Float(_) => "a number",
            ParamValue::Words(_) => "a list of words",
        }
    }
}

/// A declared rule option (a threshold, a budget or a word list) with its default and allowed range.
#[derive(Clone, Copy, Debug)]
pub struct ParamSpec {
    /// Name in config files (`max_per_parent`).
    pub name: &'static str,
    /// Default value; its variant is the option's type.
    pub default: Declared,
    /// Smallest allowed value (for a list of words: how many it may hold at least).
    pub min: f64,
    /// Largest allowed value (for a list of words: how many it may hold at most).
    pub max: f64,
    /// One line for `kpitree rules` ([`described`]: "" without the `descriptions` feature).
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
        let spec = ParamSpec {
            name,
            default: Declared::Int(default),
            min: min as f64,
            max: max as f64,
            help: described(help),
        };
        Param { spec, ty: PhantomData }
    }
}

impl Param<f64> {
    /// A number option in `min..=max` (an integer is accepted for it).
    pub const fn float(name: &'static str, default: f64, min: f64, max: f64, help: &'static str) -> Param<f64> {
        Param {
            spec: ParamSpec { name, default: Declared::Float(default), min, max, help: described(help) },
            ty: PhantomData,
        }
    }
}

impl Param<bool> {
    /// An on/off option.
    pub const fn flag(name: &'static str, default: bool, help: &'static str) -> Param<bool> {
        Param {
            spec: ParamSpec { name, default: Declared::Bool(default), min: 0.0, max: 1.0, help: described(help) },
            ty: PhantomData,
        }
    }
}

impl Param<Vec<String>> {
    /// A list of words or phrases.
    pub const fn words(name: &'static str, default: &'static [&'static str], help: &'static str) -> Param<Vec<String>> {
        // For a list, `min` and `max` bound how many words it may hold.
        Param {
            spec: ParamSpec { name, default: Declared::Words(default), min: 0.0, max: 1000.0, help: described(help) },
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
            ParamValue::Bool(_) | ParamValue::Words(_) => None,
        }
    }
}

impl ParamType for Vec<String> {
    fn from_value(v: ParamValue) -> Option<Vec<String>> {
        match v {
            ParamValue::Words(w) => Some(w),
            _ => None,
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

/// A catalogue text (a rule's `summary`, an option's `help`) as this build keeps it: itself, or ""
/// without the `descriptions` feature (the lean browser engine). Evaluated in the `const`s that
/// declare rules, so a text left out is not in the binary at all.
pub const fn described(text: &'static str) -> &'static str {
    if cfg!(feature = "descriptions") { text } else { "" }
}

/// What a rule is, for listings, `explain` and output: the one place its texts are written.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable id (`orphan-kpi`).
    pub id: &'static str,
    /// Severity unless configured otherwise.
    pub severity: Severity,
    /// One line: what it finds ([`described`]: "" without the `descriptions` feature).
    pub summary: &'static str,
    /// Why it matters (several sentences are fine).
    pub why: &'static str,
    /// What to do about a finding, in general.
    pub fix: &'static str,
    /// Its options.
    pub params: &'static [ParamSpec],
}
