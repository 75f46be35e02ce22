//! What a node and a link are: kind, lifecycle, direction, indicator, link kind.
//!
//! Discriminants are the `KTR1` bytes (`plugins/ABI.md`). `kind`, `status` and `link_kind` are
//! always present, so their codes start at 0; direction and indicator share the `flags` byte with
//! absence, which is 0, so theirs start at 1.

use crate::ktr1_codes;
use serde::{Deserialize, Deserializer, Serialize, de};
use std::fmt;

/// The four levels of a KPI tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum NodeKind {
    /// Where the organisation wants to go.
    Strategy = 0,
    /// What matters most now (the O of an OKR).
    Objective = 1,
    /// How success of an objective is measured (the KR of an OKR).
    KeyResult = 2,
    /// A metric that monitors the business.
    Kpi = 3,
}

ktr1_codes!(NodeKind: Strategy, Objective, KeyResult, Kpi);

impl NodeKind {
    /// The spelling used in the file format (`key_result`).
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Strategy => "strategy",
            NodeKind::Objective => "objective",
            NodeKind::KeyResult => "key_result",
            NodeKind::Kpi => "kpi",
        }
    }

    /// Parses the file-format spelling.
    pub fn parse(s: &str) -> Option<NodeKind> {
        NodeKind::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    /// A human label ("key result", "KPI").
    pub fn label(self) -> &'static str {
        match self {
            NodeKind::Strategy => "strategy",
            NodeKind::Objective => "objective",
            NodeKind::KeyResult => "key result",
            NodeKind::Kpi => "KPI",
        }
    }

    /// The label with its article ("an objective", "a KPI").
    pub fn with_article(self) -> &'static str {
        match self {
            NodeKind::Strategy => "a strategy",
            NodeKind::Objective => "an objective",
            NodeKind::KeyResult => "a key result",
            NodeKind::Kpi => "a KPI",
        }
    }

    /// The kinds a node of this kind may name as parents (`docs/format.md`).
    pub fn legal_parents(self) -> &'static [NodeKind] {
        match self {
            NodeKind::Strategy => &[],
            NodeKind::Objective => &[NodeKind::Strategy, NodeKind::Objective],
            NodeKind::KeyResult => &[NodeKind::Objective],
            NodeKind::Kpi => &[NodeKind::KeyResult, NodeKind::Objective, NodeKind::Kpi],
        }
    }
}

/// Lifecycle of a node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Status {
    /// In use (the default).
    #[default]
    Active = 0,
    /// Proposed, not yet in use.
    Draft = 1,
    /// No longer in use; kept for history.
    Retired = 2,
}

ktr1_codes!(Status: Active, Draft, Retired);

impl Status {
    /// The spelling used in the file format.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Draft => "draft",
            Status::Retired => "retired",
        }
    }

    /// Parses the file-format spelling.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

/// Which way a metric should move.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Direction {
    /// More is better (revenue, NPS).
    HigherIsBetter = 1,
    /// Less is better (churn, wait time).
    LowerIsBetter = 2,
}

ktr1_codes!(Direction: HigherIsBetter, LowerIsBetter);

impl Direction {
    /// The spelling used in the file format.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher_is_better",
            Direction::LowerIsBetter => "lower_is_better",
        }
    }

    /// Parses the file-format spelling.
    pub fn parse(s: &str) -> Option<Direction> {
        Direction::ALL.iter().copied().find(|v| v.as_str() == s)
    }

    /// +1.0 when higher is better, -1.0 when lower is better.
    pub fn sign(self) -> f64 {
        match self {
            Direction::HigherIsBetter => 1.0,
            Direction::LowerIsBetter => -1.0,
        }
    }
}

/// Whether a KPI moves before (leading) or after (lagging) the outcome it belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Indicator {
    /// Moves before the outcome; can be steered.
    Leading = 1,
    /// Reports the outcome after the fact.
    Lagging = 2,
}

ktr1_codes!(Indicator: Leading, Lagging);

impl Indicator {
    /// The spelling used in the file format.
    pub fn as_str(self) -> &'static str {
        match self {
            Indicator::Leading => "leading",
            Indicator::Lagging => "lagging",
        }
    }

    /// Parses the file-format spelling.
    pub fn parse(s: &str) -> Option<Indicator> {
        Indicator::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

/// Kinds of typed edges in `links`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum LinkKind {
    /// `from` is believed to move `to` (after `lag_days`).
    Drives = 0,
}

ktr1_codes!(LinkKind: Drives);

impl LinkKind {
    /// The spelling used in the file format.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Drives => "drives",
        }
    }

    /// Parses the file-format spelling.
    pub fn parse(s: &str) -> Option<LinkKind> {
        LinkKind::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

/// The file-format enums read from their spelling. serde's derived impl would make serde_json report a
/// number or `null` in such a field as a *syntax* error ("expected value") of a valid JSON text; this
/// reports it as a wrong value at the node and field instead.
macro_rules! deserialize_by_name {
    ($($ty:ident: [$($name:literal),+];)+) => {$(
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                const NAMES: &[&str] = &[$($name),+];
                struct ByName;
                impl de::Visitor<'_> for ByName {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("one of ")?;
                        for (i, name) in NAMES.iter().enumerate() {
                            write!(f, "{}`{name}`", if i == 0 { "" } else { ", " })?;
                        }
                        Ok(())
                    }
                    fn visit_str<E: de::Error>(self, s: &str) -> Result<$ty, E> {
                        $ty::parse(s).ok_or_else(|| E::unknown_variant(s, NAMES))
                    }
                }
                d.deserialize_str(ByName)
            }
        }
    )+};
}

deserialize_by_name! {
    NodeKind: ["strategy", "objective", "key_result", "kpi"];
    Status: ["active", "draft", "retired"];
    Direction: ["higher_is_better", "lower_is_better"];
    Indicator: ["leading", "lagging"];
    LinkKind: ["drives"];
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes `plugins/ABI.md` gives each value; a change here is a change of the ABI.
    #[test]
    fn ktr1_codes_are_the_abi_s() {
        let kinds = NodeKind::ALL.iter().map(|k| (k.as_str(), k.code())).collect::<Vec<_>>();
        assert_eq!(kinds, [("strategy", 0), ("objective", 1), ("key_result", 2), ("kpi", 3)]);
        let statuses = Status::ALL.iter().map(|s| (s.as_str(), s.code())).collect::<Vec<_>>();
        assert_eq!(statuses, [("active", 0), ("draft", 1), ("retired", 2)]);
        assert_eq!(Direction::ALL.iter().map(|d| d.code()).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(Indicator::ALL.iter().map(|d| d.code()).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(LinkKind::Drives.code(), 0);
        for b in 0..=u8::MAX {
            assert_eq!(NodeKind::from_code(b).map(NodeKind::code), (b <= 3).then_some(b));
            assert_eq!(Status::from_code(b).map(Status::code), (b <= 2).then_some(b));
            assert_eq!(Direction::from_code(b).map(Direction::code), (1..=2).contains(&b).then_some(b));
            assert_eq!(Indicator::from_code(b).map(Indicator::code), (1..=2).contains(&b).then_some(b));
            assert_eq!(LinkKind::from_code(b).map(LinkKind::code), (b == 0).then_some(b));
        }
    }

    #[test]
    fn spellings_round_trip_through_serde() {
        for k in NodeKind::ALL {
            let json = serde_json::to_string(k).expect("serializes");
            assert_eq!(json, format!("\"{}\"", k.as_str()));
            assert_eq!(serde_json::from_str::<NodeKind>(&json).expect("deserializes"), *k);
        }
        assert_eq!(serde_json::to_string(&Direction::LowerIsBetter).expect("serializes"), r#""lower_is_better""#);
        let e = serde_json::from_str::<Status>("3").expect_err("a number").to_string();
        assert!(e.starts_with("invalid type: integer `3`, expected one of `active`, `draft`, `retired`"), "{e}");
        let e = serde_json::from_str::<Indicator>(r#""soon""#).expect_err("unknown").to_string();
        assert!(e.starts_with("unknown variant `soon`, expected `leading` or `lagging`"), "{e}");
    }
}
