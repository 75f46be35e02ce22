//! The tree document: plain Rust types for the canonical JSON format (see `schema/tree.schema.json`).
//!
//! Field names are the JSON names of the format (`docs/format.md`). The struct is flat: which fields apply to which node kind is
//! checked by validation (`crate::validate`), so a misplaced field is an error with a location rather
//! than silently ignored.

use crate::date::Date;
use serde::{Deserialize, Deserializer, Serialize};

/// The enums of the format (`kpitree-vocab`, shared with the plugin ABI): their spellings, serde names
/// and `KTR1` bytes are defined once there.
pub use kpitree_vocab::{Direction, Indicator, LinkKind, NodeKind, Status};

/// The only document version this engine reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// A whole KPI tree document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
// `expecting`: a document that is not an object says so in the user's words, not "struct TreeDoc".
#[serde(deny_unknown_fields, expecting = "a tree document object (`{\"version\": 1, \"nodes\": [...]}`)")]
pub struct TreeDoc {
    /// The JSON Schema the file declares, for editors (`kpitree schema`); not interpreted.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Format version; must be [`FORMAT_VERSION`].
    pub version: u32,
    /// Who the tree belongs to.
    pub organisation: String,
    /// The date the tree describes; every staleness rule measures against it, never the clock.
    pub as_of: Date,
    /// Free text about the tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Strategy, objectives, key results and KPIs, in the author's order.
    pub nodes: Vec<Node>,
    /// Extra typed edges, such as `drives` hypotheses between KPIs.
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// Values at which a KPI turns from on track to at risk, and from at risk to off track.
///
/// Read in the KPI's direction: for `higher_is_better`, a value below `at_risk` is at risk and one
/// below `off_track` is off track; for `lower_is_better`, above.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Beyond this value (in the bad direction) the KPI is at risk.
    pub at_risk: f64,
    /// Beyond this value (in the bad direction) the KPI is off track.
    pub off_track: f64,
}

/// One value of a KPI's series.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measurement {
    /// When it was measured.
    pub date: Date,
    /// What was measured, in the KPI's unit.
    pub value: f64,
}

/// One check-in of a key result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckIn {
    /// When the team checked in.
    pub date: Date,
    /// The key result's value at that date.
    pub value: f64,
    /// The team's confidence (0.0-1.0) that the key result will be reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// What the team learned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A node of the tree. Kind-specific fields are optional here and checked by validation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// Unique id, referenced by `parents` and `links`.
    pub id: String,
    /// Level of the node.
    pub kind: NodeKind,
    /// Human name, in the organisation's words.
    pub title: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Why the node exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    /// Person or team accountable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Organisational unit, for cross-department rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Ids of the nodes this one contributes to.
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<String>,
    /// Lifecycle; `active` when absent.
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "is_active")]
    pub status: Status,
    /// Objective: the period it is for, e.g. `2026-Q4`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// Key result: value at the start of the period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<f64>,
    /// Key result or KPI: the value aimed for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// Key result or KPI: the latest value. The latest check-in (key result) or measurement (KPI)
    /// wins when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<f64>,
    /// Key result or KPI: unit of the values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Key result: the team's confidence, 0.0-1.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// Key result: check-ins, any order.
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub check_ins: Vec<CheckIn>,
    /// Key result: expected days between check-ins (overrides the rule's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cadence_days: Option<u32>,
    /// KPI: which way is better.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// KPI: leading or lagging.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<Indicator>,
    /// KPI: where it turns at risk and off track.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<Thresholds>,
    /// KPI: its series, any order.
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub measurements: Vec<Measurement>,
    /// KPI: when someone last asked whether it is still needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reviewed: Option<Date>,
    /// Objective, key result or KPI: feeds someone's personal appraisal or pay.
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "std::ops::Not::not")]
    pub used_in_appraisal: bool,
    /// Findings of these rules about this node are accepted for a reason (until a date): they stay in
    /// reports, marked waived, but count neither for health nor for failing a run.
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<Waiver>,
}

/// A finding accepted on purpose: the rule, why, and until when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// The rule whose findings about the node are waived (a built-in, plugin or custom rule id).
    pub rule: String,
    /// Why the finding is accepted: required, so that a waiver explains itself to the next reader.
    pub reason: String,
    /// The last day the waiver applies (compared with the tree's `as_of`); after it, the findings
    /// count again and the waiver is itself a finding (`expired-waiver`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
}

/// `null` means "not given" for every optional field, as it does for the `Option` ones: exports from
/// spreadsheets and BI tools write `null` for empty cells.
fn null_as_default<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

fn is_active(s: &Status) -> bool {
    *s == Status::Active
}

impl Node {
    /// A node with only the required fields set.
    pub fn new(id: impl Into<String>, kind: NodeKind, title: impl Into<String>) -> Node {
        Node {
            id: id.into(),
            kind,
            title: title.into(),
            description: None,
            rationale: None,
            owner: None,
            department: None,
            parents: Vec::new(),
            status: Status::Active,
            period: None,
            start: None,
            target: None,
            current: None,
            unit: None,
            confidence: None,
            check_ins: Vec::new(),
            cadence_days: None,
            direction: None,
            indicator: None,
            thresholds: None,
            measurements: Vec::new(),
            last_reviewed: None,
            used_in_appraisal: false,
            waivers: Vec::new(),
        }
    }

    /// True unless the node is retired or draft.
    pub fn is_active(&self) -> bool {
        self.status == Status::Active
    }

    /// The owner, if set and not blank.
    pub fn owner(&self) -> Option<&str> {
        self.owner.as_deref().map(str::trim).filter(|o| !o.is_empty())
    }

    /// `Title (id)`, the way messages name a node.
    pub fn display(&self) -> String {
        format!("{} \"{}\" ({})", self.kind.label(), self.title, self.id)
    }
}

/// An extra edge between two nodes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// The driver.
    pub from: String,
    /// The outcome.
    pub to: String,
    /// What the edge claims.
    pub kind: LinkKind,
    /// Days the outcome is expected to trail the driver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag_days: Option<u32>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}
