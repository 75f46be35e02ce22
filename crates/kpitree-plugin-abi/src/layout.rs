//! Where things are in a `KTR1` tree: the header fields and the section directory, shared by the
//! encoder and the decoder so the two cannot drift apart. `plugins/ABI.md` is the normative text.

/// The first four bytes of a `KTR1` tree.
pub const MAGIC: [u8; 4] = *b"KTR1";
/// Absent string reference (and absent `lag_days`).
pub const NONE: u32 = u32::MAX;
/// Absent `last_reviewed`.
pub const NO_DATE: i32 = i32::MIN;
/// Bytes of the fixed header, before the directory.
pub const HEADER_LEN: usize = 28;
/// Every section starts at a multiple of this, counted from the start of the tree bytes.
pub const ALIGN: usize = 8;
/// Bytes before the tree in a request (`u32 tree_len`, `u32 config_len`).
pub const REQUEST_HEADER_LEN: usize = 8;

/// How long a section is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Len {
    /// One entry per node.
    Nodes,
    /// One entry per node, plus one.
    NodesPlusOne,
    /// One entry per link.
    Links,
    /// As many entries as the last value of the offsets section `k` says.
    Csr(usize),
    /// One entry per string, plus one.
    StringsPlusOne,
    /// As many bytes as the last string offset says.
    StringBytes,
}

/// A section: its name (for errors), entry width in bytes and length rule.
#[derive(Clone, Copy, Debug)]
pub struct Section {
    /// Name, as `plugins/ABI.md` spells it.
    pub name: &'static str,
    /// Bytes per entry.
    pub width: usize,
    /// Number of entries.
    pub len: Len,
}

const fn s(name: &'static str, width: usize, len: Len) -> Section {
    Section { name, width, len }
}

// Section numbers (directory positions).
pub const KIND: usize = 0;
pub const STATUS: usize = 1;
pub const FLAGS: usize = 2;
pub const HEALTH: usize = 3;
pub const TREND: usize = 4;
pub const ID: usize = 5;
pub const TITLE: usize = 6;
pub const OWNER: usize = 7;
pub const DEPARTMENT: usize = 8;
pub const RATIONALE: usize = 9;
pub const DESCRIPTION: usize = 10;
pub const UNIT: usize = 11;
pub const PERIOD: usize = 12;
pub const START: usize = 13;
pub const TARGET: usize = 14;
pub const CURRENT: usize = 15;
pub const CONFIDENCE: usize = 16;
pub const AT_RISK: usize = 17;
pub const OFF_TRACK: usize = 18;
pub const SCORE: usize = 19;
pub const VALUE: usize = 20;
pub const TREND_PER_30_DAYS: usize = 21;
pub const LAST_REVIEWED: usize = 22;
pub const CADENCE_DAYS: usize = 23;
pub const PARENT_OFFSETS: usize = 24;
pub const PARENTS: usize = 25;
pub const CHILD_OFFSETS: usize = 26;
pub const CHILDREN: usize = 27;
pub const MEASUREMENT_OFFSETS: usize = 28;
pub const MEASUREMENT_DATES: usize = 29;
pub const MEASUREMENT_VALUES: usize = 30;
pub const CHECK_IN_OFFSETS: usize = 31;
pub const CHECK_IN_DATES: usize = 32;
pub const CHECK_IN_VALUES: usize = 33;
pub const CHECK_IN_CONFIDENCES: usize = 34;
pub const CHECK_IN_NOTES: usize = 35;
pub const LINK_FROM: usize = 36;
pub const LINK_TO: usize = 37;
pub const LINK_KIND: usize = 38;
pub const LINK_LAG_DAYS: usize = 39;
pub const LINK_NOTE: usize = 40;
pub const STRING_OFFSETS: usize = 41;
pub const STRING_BYTES: usize = 42;

/// Number of sections ABI 1.0 defines. A tree may declare more (later minor versions); readers of 1.0
/// ignore the rest.
pub const SECTIONS: usize = 43;

/// The directory, in order.
pub const TABLE: [Section; SECTIONS] = [
    s("kind", 1, Len::Nodes),
    s("status", 1, Len::Nodes),
    s("flags", 1, Len::Nodes),
    s("health", 1, Len::Nodes),
    s("trend", 1, Len::Nodes),
    s("id", 4, Len::Nodes),
    s("title", 4, Len::Nodes),
    s("owner", 4, Len::Nodes),
    s("department", 4, Len::Nodes),
    s("rationale", 4, Len::Nodes),
    s("description", 4, Len::Nodes),
    s("unit", 4, Len::Nodes),
    s("period", 4, Len::Nodes),
    s("start", 8, Len::Nodes),
    s("target", 8, Len::Nodes),
    s("current", 8, Len::Nodes),
    s("confidence", 8, Len::Nodes),
    s("at_risk", 8, Len::Nodes),
    s("off_track", 8, Len::Nodes),
    s("score", 8, Len::Nodes),
    s("value", 8, Len::Nodes),
    s("trend_per_30_days", 8, Len::Nodes),
    s("last_reviewed", 4, Len::Nodes),
    s("cadence_days", 4, Len::Nodes),
    s("parent_offsets", 4, Len::NodesPlusOne),
    s("parents", 4, Len::Csr(PARENT_OFFSETS)),
    s("child_offsets", 4, Len::NodesPlusOne),
    s("children", 4, Len::Csr(CHILD_OFFSETS)),
    s("measurement_offsets", 4, Len::NodesPlusOne),
    s("measurement_dates", 4, Len::Csr(MEASUREMENT_OFFSETS)),
    s("measurement_values", 8, Len::Csr(MEASUREMENT_OFFSETS)),
    s("check_in_offsets", 4, Len::NodesPlusOne),
    s("check_in_dates", 4, Len::Csr(CHECK_IN_OFFSETS)),
    s("check_in_values", 8, Len::Csr(CHECK_IN_OFFSETS)),
    s("check_in_confidences", 8, Len::Csr(CHECK_IN_OFFSETS)),
    s("check_in_notes", 4, Len::Csr(CHECK_IN_OFFSETS)),
    s("link_from", 4, Len::Links),
    s("link_to", 4, Len::Links),
    s("link_kind", 1, Len::Links),
    s("link_lag_days", 4, Len::Links),
    s("link_note", 4, Len::Links),
    s("string_offsets", 4, Len::StringsPlusOne),
    s("string_bytes", 1, Len::StringBytes),
];

/// The string-reference sections over nodes, and whether a reference may be [`NONE`].
pub const NODE_STRINGS: [(usize, bool); 8] = [
    (ID, false),
    (TITLE, false),
    (OWNER, true),
    (DEPARTMENT, true),
    (RATIONALE, true),
    (DESCRIPTION, true),
    (UNIT, true),
    (PERIOD, true),
];

/// A node's `flags` byte: bit 0 `used_in_appraisal`, bits 1-2 the direction's code, bits 3-4 the
/// indicator's (0 when absent: the vocabulary's codes start at 1), bits 5-7 zero.
pub mod flags {
    use crate::{Direction, Indicator};

    /// Bit of `used_in_appraisal`.
    pub const APPRAISAL: u8 = 1;
    const DIRECTION_SHIFT: u8 = 1;
    const INDICATOR_SHIFT: u8 = 3;
    /// Each code's two bits.
    const CODE: u8 = 0b11;

    /// The byte of a node.
    #[cfg(feature = "encode")]
    pub fn pack(appraisal: bool, direction: Option<Direction>, indicator: Option<Indicator>) -> u8 {
        (if appraisal { APPRAISAL } else { 0 })
            | (direction.map_or(0, Direction::code) << DIRECTION_SHIFT)
            | (indicator.map_or(0, Indicator::code) << INDICATOR_SHIFT)
    }

    /// The direction in `flags`.
    pub fn direction(flags: u8) -> Option<Direction> {
        Direction::from_code((flags >> DIRECTION_SHIFT) & CODE)
    }

    /// The indicator in `flags`.
    pub fn indicator(flags: u8) -> Option<Indicator> {
        Indicator::from_code((flags >> INDICATOR_SHIFT) & CODE)
    }

    /// True when the unused bits are zero and each code is 0 or one the vocabulary knows.
    pub fn is_valid(flags: u8) -> bool {
        let (d, i) = ((flags >> DIRECTION_SHIFT) & CODE, (flags >> INDICATOR_SHIFT) & CODE);
        flags >> (INDICATOR_SHIFT + 2) == 0
            && (d == 0 || direction(flags).is_some())
            && (i == 0 || indicator(flags).is_some())
    }
}

#[cfg(feature = "encode")]
/// Rounds `x` up to a multiple of [`ALIGN`].
pub const fn align(x: usize) -> usize {
    (x + ALIGN - 1) & !(ALIGN - 1)
}
