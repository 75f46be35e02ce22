//! What the engine and the rules say about a tree: a node's health, a series' trend, a finding's
//! severity.
//!
//! Health and trend are `KTR1` columns where 0 means "not computed", so their codes start at 1.

use crate::ktr1_codes;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How a node is doing: the engine's rolled-up status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Health {
    /// Doing as planned.
    OnTrack = 1,
    /// Behind, recoverable.
    AtRisk = 2,
    /// Far behind.
    OffTrack = 3,
    /// Not enough data to say.
    Unknown = 4,
}

ktr1_codes!(Health: OnTrack, AtRisk, OffTrack, Unknown);

impl Health {
    /// Words for people ("on track").
    pub fn label(self) -> &'static str {
        match self {
            Health::OnTrack => "on track",
            Health::AtRisk => "at risk",
            Health::OffTrack => "off track",
            Health::Unknown => "unknown",
        }
    }
}

/// Which way a KPI's series is moving, read in the KPI's direction: the engine's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum TrendDirection {
    /// Moving the good way.
    Improving = 1,
    /// Moving the bad way.
    Worsening = 2,
    /// Not moving noticeably.
    Flat = 3,
}

ktr1_codes!(TrendDirection: Improving, Worsening, Flat);

impl TrendDirection {
    /// The spelling reports use (`improving`).
    pub fn as_str(self) -> &'static str {
        match self {
            TrendDirection::Improving => "improving",
            TrendDirection::Worsening => "worsening",
            TrendDirection::Flat => "flat",
        }
    }
}

/// How much a finding matters. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Should be looked at.
    Warning,
    /// Must be fixed.
    Error,
}

impl Severity {
    /// The spelling used in files and output: `info`, `warning` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses `info`, `warning` or `error`.
    pub fn parse(s: &str) -> Option<Severity> {
        [Severity::Info, Severity::Warning, Severity::Error].into_iter().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes `plugins/ABI.md` gives each value (0 is "not computed").
    #[test]
    fn ktr1_codes_are_the_abi_s() {
        let health = Health::ALL.iter().map(|h| (h.label(), h.code())).collect::<Vec<_>>();
        assert_eq!(health, [("on track", 1), ("at risk", 2), ("off track", 3), ("unknown", 4)]);
        let trends = TrendDirection::ALL.iter().map(|t| (t.as_str(), t.code())).collect::<Vec<_>>();
        assert_eq!(trends, [("improving", 1), ("worsening", 2), ("flat", 3)]);
        for b in 0..=u8::MAX {
            assert_eq!(Health::from_code(b).map(Health::code), (1..=4).contains(&b).then_some(b));
            assert_eq!(TrendDirection::from_code(b).map(TrendDirection::code), (1..=3).contains(&b).then_some(b));
        }
    }

    #[test]
    fn spellings() {
        assert_eq!(serde_json::to_string(&Health::OffTrack).expect("serializes"), r#""off_track""#);
        assert_eq!(serde_json::to_string(&TrendDirection::Flat).expect("serializes"), r#""flat""#);
        for s in [Severity::Info, Severity::Warning, Severity::Error] {
            assert_eq!(serde_json::to_string(&s).expect("serializes"), format!("\"{s}\""));
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
        assert!(Severity::Info < Severity::Warning && Severity::Warning < Severity::Error);
        assert_eq!(Severity::parse("fatal"), None);
    }
}
