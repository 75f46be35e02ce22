//! What a plugin reads (ABI 1.1, `plugins/ABI.md`, *What a plugin reads*): the names a manifest's
//! `reads` may list, the `KTR1` sections behind each, and [`Reads`], the set the host encodes.
//!
//! A name is the unit the encoder can leave out cheaply: one node column, or a group of sections that
//! only make sense together (a CSR's offsets and entries; a link's five columns). `kind` and `id` are
//! always encoded (every plugin needs them to name nodes in findings), and so is the string table.

use crate::layout as l;

/// One name of `reads`: the sections it stands for, and what an author reads through it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadName {
    /// As `reads` spells it.
    pub name: &'static str,
    /// Its sections (directory positions).
    pub sections: &'static [usize],
    /// The SDK accessors that read it (for error messages and the docs).
    pub reads: &'static str,
}

const fn r(name: &'static str, sections: &'static [usize], reads: &'static str) -> ReadName {
    ReadName { name, sections, reads }
}

/// Every name `reads` may list, in directory order.
pub const READ_NAMES: [ReadName; 28] = [
    r("kind", &[l::KIND], "kind (always encoded)"),
    r("status", &[l::STATUS], "status, is_active"),
    r("flags", &[l::FLAGS], "used_in_appraisal, direction, indicator"),
    r("health", &[l::HEALTH], "health"),
    r("trend", &[l::TREND], "trend"),
    r("id", &[l::ID], "id (always encoded)"),
    r("title", &[l::TITLE], "title, display"),
    r("owner", &[l::OWNER], "owner, owner_ref"),
    r("department", &[l::DEPARTMENT], "department, department_ref"),
    r("rationale", &[l::RATIONALE], "rationale"),
    r("description", &[l::DESCRIPTION], "description"),
    r("unit", &[l::UNIT], "unit"),
    r("period", &[l::PERIOD], "period"),
    r("start", &[l::START], "start"),
    r("target", &[l::TARGET], "target"),
    r("current", &[l::CURRENT], "current"),
    r("confidence", &[l::CONFIDENCE], "confidence"),
    r("thresholds", &[l::AT_RISK, l::OFF_TRACK], "thresholds"),
    r("score", &[l::SCORE], "score"),
    r("value", &[l::VALUE], "value"),
    r("trend_per_30_days", &[l::TREND_PER_30_DAYS], "trend_per_30_days"),
    r("last_reviewed", &[l::LAST_REVIEWED], "last_reviewed"),
    r("cadence_days", &[l::CADENCE_DAYS], "cadence_days"),
    r("parents", &[l::PARENT_OFFSETS, l::PARENTS], "parents, ancestors"),
    r("children", &[l::CHILD_OFFSETS, l::CHILDREN], "children"),
    r("measurements", &[l::MEASUREMENT_OFFSETS, l::MEASUREMENT_DATES, l::MEASUREMENT_VALUES], "measurements"),
    r(
        "check_ins",
        &[l::CHECK_IN_OFFSETS, l::CHECK_IN_DATES, l::CHECK_IN_VALUES, l::CHECK_IN_CONFIDENCES, l::CHECK_IN_NOTES],
        "check_ins",
    ),
    r("links", &[l::LINK_FROM, l::LINK_TO, l::LINK_KIND, l::LINK_LAG_DAYS, l::LINK_NOTE], "links"),
];

/// The sections of the `links` read: a link is readable only when all of them are present.
pub(crate) const LINKS: u64 = mask(&[l::LINK_FROM, l::LINK_TO, l::LINK_KIND, l::LINK_LAG_DAYS, l::LINK_NOTE]);

/// Sections every tree has, whatever a plugin declares.
pub(crate) const ALWAYS: u64 = 1 << l::KIND | 1 << l::ID | 1 << l::STRING_OFFSETS | 1 << l::STRING_BYTES;

/// Every section of ABI 1.0.
const EVERY: u64 = (1 << l::SECTIONS) - 1;

/// A set of `KTR1` sections to encode: all of them for a plugin without `reads` (ABI 1.0), else
/// those its `reads` names plus the ones every tree has (`kind`, `id`, the string table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Reads(u64);

impl Default for Reads {
    fn default() -> Reads {
        Reads::ALL
    }
}

impl Reads {
    /// Every section: what a plugin without `reads` gets, and what `encode_request` encodes.
    pub const ALL: Reads = Reads(EVERY);
    /// Only the sections every tree has.
    pub const MINIMUM: Reads = Reads(ALWAYS);

    /// The set `names` declares, or the first name that is not one of [`READ_NAMES`].
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<Reads, String> {
        let mut bits = ALWAYS;
        for name in names {
            let name = name.as_ref();
            let Some(r) = READ_NAMES.iter().find(|r| r.name == name) else { return Err(name.to_owned()) };
            bits |= mask(r.sections);
        }
        Ok(Reads(bits))
    }

    /// True when section `k` (a directory position) is in the set.
    pub fn has_section(self, k: usize) -> bool {
        k < l::SECTIONS && self.0 >> k & 1 == 1
    }

    /// True when every section of the `reads` name `name` is in the set (false for unknown names).
    pub fn has(self, name: &str) -> bool {
        READ_NAMES.iter().find(|r| r.name == name).is_some_and(|r| self.0 & mask(r.sections) == mask(r.sections))
    }

    /// True for [`Reads::ALL`].
    pub fn is_all(self) -> bool {
        self == Reads::ALL
    }

    /// The sections, one bit per directory position.
    pub(crate) fn bits(self) -> u64 {
        self.0
    }

    /// The set of these sections (one bit per directory position; bits past the table are dropped).
    pub(crate) fn from_bits(bits: u64) -> Reads {
        Reads(bits & EVERY)
    }

    /// The names of [`READ_NAMES`] fully in the set, in directory order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        READ_NAMES.iter().filter(move |r| self.0 & mask(r.sections) == mask(r.sections)).map(|r| r.name)
    }
}

const fn mask(sections: &[usize]) -> u64 {
    let mut bits = 0;
    let mut i = 0;
    while i < sections.len() {
        bits |= 1 << sections[i];
        i += 1;
    }
    bits
}

/// The `reads` name that section `k` belongs to.
pub(crate) fn name_of(k: usize) -> Option<&'static ReadName> {
    READ_NAMES.iter().find(|r| r.sections.contains(&k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_section_but_the_string_table_has_exactly_one_name() {
        for k in 0..l::SECTIONS {
            let owners = READ_NAMES.iter().filter(|r| r.sections.contains(&k)).count();
            let expected = usize::from(k != l::STRING_OFFSETS && k != l::STRING_BYTES);
            assert_eq!(owners, expected, "section {}", l::TABLE[k].name);
        }
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_named() {
        let reads = Reads::from_names(&["owner", "parents", "status"]).expect("known names");
        assert_eq!(reads.names().collect::<Vec<_>>(), ["kind", "status", "id", "owner", "parents"]);
        assert!(reads.has_section(l::PARENT_OFFSETS) && reads.has_section(l::STRING_BYTES));
        assert!(!reads.has_section(l::TITLE) && !reads.has("title"));
        assert_eq!(Reads::from_names(&["owner", "titel"]), Err("titel".to_owned()));
        assert_eq!(Reads::from_names::<&str>(&[]), Ok(Reads::MINIMUM));
        let every: Vec<&str> = READ_NAMES.iter().map(|r| r.name).collect();
        assert_eq!(Reads::from_names(&every), Ok(Reads::ALL));
    }
}
