// Where things are in a KTR1 tree (plugins/ABI.md, "Compact tree encoding"), and the names a
// manifest's `reads` may list. Mirrors crates/kpitree-plugin-abi/src/layout.rs and reads.rs.

/** Absent string reference (and absent `lag_days`). */
export const NONE: u32 = 0xFFFF_FFFF;
/** Absent `last_reviewed`. */
export const NO_DATE: i32 = i32.MIN_VALUE;
export const HEADER_LEN: u32 = 28;
/** Number of sections this ABI version defines; a tree may declare more (later minor versions). */
export const SECTIONS: i32 = 43;

// Section numbers (directory positions).
export const KIND = 0;
export const STATUS = 1;
export const FLAGS = 2;
export const HEALTH = 3;
export const TREND = 4;
export const ID = 5;
export const TITLE = 6;
export const OWNER = 7;
export const DEPARTMENT = 8;
export const RATIONALE = 9;
export const DESCRIPTION = 10;
export const UNIT = 11;
export const PERIOD = 12;
export const START = 13;
export const TARGET = 14;
export const CURRENT = 15;
export const CONFIDENCE = 16;
export const AT_RISK = 17;
export const OFF_TRACK = 18;
export const SCORE = 19;
export const VALUE = 20;
export const TREND_PER_30_DAYS = 21;
export const LAST_REVIEWED = 22;
export const CADENCE_DAYS = 23;
export const PARENT_OFFSETS = 24;
export const PARENTS = 25;
export const CHILD_OFFSETS = 26;
export const CHILDREN = 27;
export const MEASUREMENT_OFFSETS = 28;
export const MEASUREMENT_DATES = 29;
export const MEASUREMENT_VALUES = 30;
export const CHECK_IN_OFFSETS = 31;
export const CHECK_IN_DATES = 32;
export const CHECK_IN_VALUES = 33;
export const CHECK_IN_CONFIDENCES = 34;
export const CHECK_IN_NOTES = 35;
export const LINK_FROM = 36;
export const LINK_TO = 37;
export const LINK_KIND = 38;
export const LINK_LAG_DAYS = 39;
export const LINK_NOTE = 40;
export const STRING_OFFSETS = 41;
export const STRING_BYTES = 42;

// Names joined by spaces, one string rather than 43 (smaller module); `nth` picks one out.
const SECTION_NAMES = "kind status flags health trend id title owner department rationale description unit period start target current confidence at_risk off_track score value trend_per_30_days last_reviewed cadence_days parent_offsets parents child_offsets children measurement_offsets measurement_dates measurement_values check_in_offsets check_in_dates check_in_values check_in_confidences check_in_notes link_from link_to link_kind link_lag_days link_note string_offsets string_bytes";

/** The name of section `k`, as plugins/ABI.md spells it. */
export function sectionName(k: i32): string {
  return nth(SECTION_NAMES, k, " ");
}

/** Bytes per entry. */
export const WIDTH: StaticArray<u8> = [
  1, 1, 1, 1, 1,
  4, 4, 4, 4, 4, 4, 4, 4,
  8, 8, 8, 8, 8, 8,
  8, 8, 8, 4, 4,
  4, 4, 4, 4,
  4, 4, 8,
  4, 4, 8, 8, 4,
  4, 4, 1, 4, 4,
  4, 1,
];

// How long a section is: one entry per node (N), per node plus one (N1), per link (L), as the last
// entry of an offsets section says (the section number of those offsets, >= 0), per string plus one
// (S1), or as many bytes as the last string offset (SB).
export const N: i8 = -1;
export const N1: i8 = -2;
export const L: i8 = -3;
export const S1: i8 = -4;
export const SB: i8 = -5;
export const LENGTH: StaticArray<i8> = [
  N, N, N, N, N,
  N, N, N, N, N, N, N, N,
  N, N, N, N, N, N,
  N, N, N, N, N,
  N1, 24, N1, 26,
  N1, 28, 28,
  N1, 31, 31, 31, 31,
  L, L, L, L, L,
  S1, SB,
];

/** Sections every tree has whatever a plugin declares: `kind`, `id` and the string table. */
export const ALWAYS: u64 =
  (<u64>1 << KIND) | (<u64>1 << ID) | (<u64>1 << STRING_OFFSETS) | (<u64>1 << STRING_BYTES);
/** Every section of ABI 1.0 and 1.1. */
export const EVERY: u64 = (<u64>1 << 43) - 1;

// The names `reads` may list (plugins/ABI.md, "What a plugin reads"), in directory order: each name's
// first and last section (they are consecutive), and the SDK accessors that read it (for the error
// a rule gets when it reads a part it did not declare).
const READ_NAMES = "kind status flags health trend id title owner department rationale description unit period start target current confidence thresholds score value trend_per_30_days last_reviewed cadence_days parents children measurements check_ins links";
/** Number of names `reads` may list. */
export const READ_COUNT = 28;

/** The `reads` name at position `r`. */
export function readName(r: i32): string {
  return nth(READ_NAMES, r, " ");
}
const READ_FIRST: StaticArray<u8> = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 24, 26, 28, 31, 36,
];
const READ_LAST: StaticArray<u8> = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 22, 23, 25, 27, 30, 35, 40,
];
// One literal (a concatenation would be built at run time).
const READ_ACCESSORS = "kind (always encoded)|status, isActive|usedInAppraisal, direction, indicator|health|trend|id (always encoded)|title, display|owner, ownerRef|department, departmentRef|rationale|description|unit|period|start|target|current|confidence|atRisk, offTrack|score|value|trendPer30Days|lastReviewed|cadenceDays|parentCount, parent|childCount, child|measurementCount, measurementDate, measurementValue|checkInCount, checkInDate, checkInValue, checkInConfidence, checkInNote|linkCount, linkFrom, linkTo, linkKind, linkLagDays, linkNote";

/** The SDK accessors that read the `reads` name at position `r`. */
export function readAccessors(r: i32): string {
  return nth(READ_ACCESSORS, r, "|");
}

/** Item `k` of `list`, items separated by `sep` (only error paths and the `reads` set need it). */
function nth(list: string, k: i32, sep: string): string {
  let start = 0;
  for (let i = 0; i < k; i++) start = list.indexOf(sep, start) + 1;
  let end = list.indexOf(sep, start);
  if (end < 0) end = list.length;
  return list.substring(start, end);
}

/** The sections of the `reads` name at position `r` of the `reads` names. */
export function readMask(r: i32): u64 {
  const first = <u64>unchecked(READ_FIRST[r]);
  const last = <u64>unchecked(READ_LAST[r]);
  return ((<u64>1 << (last + 1)) - 1) & ~((<u64>1 << first) - 1);
}

/** Position in the `reads` names of `name`, or -1. */
export function readIndex(name: string): i32 {
  for (let r = 0; r < READ_COUNT; r++) if (readName(r) == name) return r;
  return -1;
}

/** Position in the `reads` names of the name that section `k` belongs to (-1 for the string table). */
export function readOfSection(k: i32): i32 {
  for (let r = 0; r < READ_COUNT; r++) {
    if (k >= <i32>unchecked(READ_FIRST[r]) && k <= <i32>unchecked(READ_LAST[r])) return r;
  }
  return -1;
}

/** The sections `names` declares (unknown names are ignored: the host refuses such a manifest before
 *  any evaluation); every section when `names` is null (a plugin without `reads`, ABI 1.0). */
export function readsMask(names: string[] | null): u64 {
  if (names === null) return EVERY;
  let bits = ALWAYS;
  for (let i = 0; i < names.length; i++) {
    const r = readIndex(unchecked(names[i]));
    if (r >= 0) bits |= readMask(r);
  }
  return bits;
}
