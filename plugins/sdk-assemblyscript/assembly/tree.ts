// The reader of a KTR1 tree (plugins/ABI.md), in place: `Tree.read` checks the whole buffer once, as
// the Rust reader does (crates/kpitree-plugin-abi/src/view/check.rs, with the same error texts),
// after which every accessor is total: an index out of range reads as absent, and no accessor can
// read outside the tree. Nodes are indexes 0..n in document order; nothing is allocated per node.

import * as l from "./layout";

export enum Kind { Strategy = 0, Objective = 1, KeyResult = 2, Kpi = 3 }
export enum Status { Active = 0, Draft = 1, Retired = 2 }
/** The engine's status of a key result, objective or KPI; `None` when not computed. */
export enum Health { None = 0, OnTrack = 1, AtRisk = 2, OffTrack = 3, Unknown = 4 }
/** The engine's trend of a KPI's series; `None` when not computed. */
export enum Trend { None = 0, Improving = 1, Worsening = 2, Flat = 3 }
export enum Direction { None = 0, HigherIsBetter = 1, LowerIsBetter = 2 }
export enum Indicator { None = 0, Leading = 1, Lagging = 2 }
export enum LinkKind { Drives = 0 }

/** `KPI`, `key result`, ...: how messages name a kind (as the built-in rules do). */
export function kindLabel(kind: Kind): string {
  switch (kind) {
    case Kind.Strategy: return "strategy";
    case Kind.Objective: return "objective";
    case Kind.KeyResult: return "key result";
    default: return "KPI";
  }
}

/** A read-only, checked view of the tree in a request. */
export class Tree {
  /** Number of nodes. */
  n: u32 = 0;
  /** Number of links in the document (see `linkCount` for the ones this view can read). */
  m: u32 = 0;
  /** The date the tree describes, in days since 1970-01-01 (`formatDate` writes it). */
  asOf: i32 = 0;
  /** Number of distinct strings; equal references are equal strings. */
  stringCount: u32 = 0;
  /** Why the tree was refused (set by `Tree.read`); null for a good tree. */
  error: string | null = null;
  private organisationRef: u32 = 0;
  /** Address of each section, 0 when absent. */
  private sec: StaticArray<usize> = new StaticArray<usize>(l.SECTIONS);
  /** Sections not to be read (one bit per directory position): absent from the tree, or not
   *  declared in the plugin's `reads`. They read as empty. */
  private absent: u64 = 0;
  /** The absent sections something tried to read (`missingRead`). */
  private missed: u64 = 0;

  /** Checks the `len` bytes at `ptr` as a KTR1 tree. Check `error` before reading anything. */
  static read(ptr: usize, len: u32): Tree {
    const t = new Tree();
    t.error = t.check(ptr, len);
    return t;
  }

  /** This view reads only the sections in `mask` (layout.readsMask): every other one reads as
   *  empty and is reported by `missingRead`, so a rule behaves the same whatever a host sends. */
  restrict(mask: u64): void {
    this.absent |= l.EVERY & ~(mask | l.ALWAYS);
  }

  /** Position in the `reads` names (layout.readName) of the first part of the tree that was read although it is
   *  absent (what was computed from it is wrong), or -1. */
  missingRead(): i32 {
    if (this.missed == 0) return -1;
    return l.readOfSection(<i32>ctz(this.missed));
  }

  // @ts-ignore: decorator
  @inline private col(k: i32): usize {
    if ((this.absent >> <u64>k) & 1) {
      this.missed |= <u64>1 << <u64>k;
      return 0;
    }
    return unchecked(this.sec[k]);
  }

  get nodeCount(): u32 {
    return this.n;
  }

  /** Links this view can read: 0 unless the plugin reads `links`. */
  get linkCount(): u32 {
    return this.col(l.LINK_FROM) ? this.m : 0;
  }

  // ---- strings ----

  /** String `ref` of the table; null for NONE or out of range. */
  string(ref: u32): string | null {
    if (ref >= this.stringCount) return null;
    const offs = unchecked(this.sec[l.STRING_OFFSETS]) + (<usize>ref << 2);
    const a = load<u32>(offs);
    return String.UTF8.decodeUnsafe(unchecked(this.sec[l.STRING_BYTES]) + a, load<u32>(offs, 4) - a);
  }

  /** Address of string `ref`'s UTF-8 bytes (0 for NONE or out of range); `stringLength` is its
   *  length. For writing a string without decoding it (Finding.evidenceRef does). */
  stringPtr(ref: u32): usize {
    if (ref >= this.stringCount) return 0;
    return unchecked(this.sec[l.STRING_BYTES]) + load<u32>(unchecked(this.sec[l.STRING_OFFSETS]) + (<usize>ref << 2));
  }

  stringLength(ref: u32): u32 {
    if (ref >= this.stringCount) return 0;
    const offs = unchecked(this.sec[l.STRING_OFFSETS]) + (<usize>ref << 2);
    return load<u32>(offs, 4) - load<u32>(offs);
  }

  /** The reference of string `s` in the table, or NONE when the tree does not hold it: compare
   *  references instead of strings inside loops. */
  refOf(s: string): u32 {
    const utf8 = String.UTF8.encode(s);
    const p = changetype<usize>(utf8);
    const len = <u32>utf8.byteLength;
    const offs = unchecked(this.sec[l.STRING_OFFSETS]);
    const bytes = unchecked(this.sec[l.STRING_BYTES]);
    for (let k: u32 = 0; k < this.stringCount; k++) {
      const a = load<u32>(offs + (<usize>k << 2));
      if (load<u32>(offs + (<usize>k << 2), 4) - a == len && memory.compare(bytes + a, p, len) == 0) return k;
    }
    return l.NONE;
  }

  /** Who the tree belongs to. */
  organisation(): string {
    const s = this.string(this.organisationRef);
    return s === null ? "" : s;
  }

  // ---- node columns ----

  private u8at(k: i32, i: u32): u8 {
    if (i >= this.n) return 0;
    const c = this.col(k);
    return c ? load<u8>(c + i) : 0;
  }

  private u32at(k: i32, i: u32, absent: u32): u32 {
    if (i >= this.n) return absent;
    const c = this.col(k);
    return c ? load<u32>(c + (<usize>i << 2)) : absent;
  }

  private f64at(k: i32, i: u32): f64 {
    if (i >= this.n) return NaN;
    const c = this.col(k);
    return c ? load<f64>(c + (<usize>i << 3)) : NaN;
  }

  private text(k: i32, i: u32): string | null {
    return this.string(this.u32at(k, i, l.NONE));
  }

  kind(i: u32): Kind {
    return <Kind>this.u8at(l.KIND, i);
  }

  status(i: u32): Status {
    return <Status>this.u8at(l.STATUS, i);
  }

  isActive(i: u32): bool {
    return this.status(i) == Status.Active;
  }

  /** Feeds someone's personal appraisal or pay. */
  usedInAppraisal(i: u32): bool {
    return (this.u8at(l.FLAGS, i) & 1) != 0;
  }

  /** KPI: which way is better. */
  direction(i: u32): Direction {
    return <Direction>((this.u8at(l.FLAGS, i) >> 1) & 3);
  }

  /** KPI: leading or lagging. */
  indicator(i: u32): Indicator {
    return <Indicator>((this.u8at(l.FLAGS, i) >> 3) & 3);
  }

  health(i: u32): Health {
    return <Health>this.u8at(l.HEALTH, i);
  }

  trend(i: u32): Trend {
    return <Trend>this.u8at(l.TREND, i);
  }

  /** Unique id; findings name nodes by it ("" past the end). */
  id(i: u32): string {
    const s = this.text(l.ID, i);
    return s === null ? "" : s;
  }

  idRef(i: u32): u32 {
    return this.u32at(l.ID, i, l.NONE);
  }

  title(i: u32): string {
    const s = this.text(l.TITLE, i);
    return s === null ? "" : s;
  }

  /** Person or team accountable, trimmed; null when absent or blank (as the engine reads it). */
  owner(i: u32): string | null {
    return this.text(l.OWNER, i);
  }

  /** The owner's string reference (NONE when absent): group owners by it, without hashing. */
  ownerRef(i: u32): u32 {
    return this.u32at(l.OWNER, i, l.NONE);
  }

  department(i: u32): string | null {
    return this.text(l.DEPARTMENT, i);
  }

  departmentRef(i: u32): u32 {
    return this.u32at(l.DEPARTMENT, i, l.NONE);
  }

  rationale(i: u32): string | null {
    return this.text(l.RATIONALE, i);
  }

  description(i: u32): string | null {
    return this.text(l.DESCRIPTION, i);
  }

  unit(i: u32): string | null {
    return this.text(l.UNIT, i);
  }

  /** Objective: its period (`2026-Q4`). */
  period(i: u32): string | null {
    return this.text(l.PERIOD, i);
  }

  // Numbers: NaN when absent.
  start(i: u32): f64 { return this.f64at(l.START, i); }
  target(i: u32): f64 { return this.f64at(l.TARGET, i); }
  /** `current` as the document gives it (`value` is the latest). */
  current(i: u32): f64 { return this.f64at(l.CURRENT, i); }
  confidence(i: u32): f64 { return this.f64at(l.CONFIDENCE, i); }
  atRisk(i: u32): f64 { return this.f64at(l.AT_RISK, i); }
  offTrack(i: u32): f64 { return this.f64at(l.OFF_TRACK, i); }
  /** Key result or objective: the engine's score, 0-1. */
  score(i: u32): f64 { return this.f64at(l.SCORE, i); }
  /** Key result or KPI: the engine's latest value. */
  value(i: u32): f64 { return this.f64at(l.VALUE, i); }
  /** KPI: least-squares change per 30 days of its series. */
  trendPer30Days(i: u32): f64 { return this.f64at(l.TREND_PER_30_DAYS, i); }

  /** KPI: days since 1970-01-01 of its last review; NO_DATE when absent. */
  lastReviewed(i: u32): i32 {
    return <i32>this.u32at(l.LAST_REVIEWED, i, <u32>l.NO_DATE);
  }

  /** Key result: expected days between check-ins; 0 when absent. */
  cadenceDays(i: u32): u32 {
    return this.u32at(l.CADENCE_DAYS, i, 0);
  }

  /** `KPI "Win rate" (kpi-win-rate)`: how the built-in rules name a node (reads `title`). */
  display(i: u32): string {
    return kindLabel(this.kind(i)) + " \"" + this.title(i) + "\" (" + this.id(i) + ")";
  }

  /** The node with this id, or -1. */
  find(id: string): i32 {
    const ref = this.refOf(id);
    if (ref == l.NONE) return -1;
    for (let i: u32 = 0; i < this.n; i++) if (this.idRef(i) == ref) return <i32>i;
    return -1;
  }

  // ---- lists (CSR sections) ----

  /** First entry of node i's span in the CSR whose offsets are section `offsets`; its length is
   *  `spanLength`. Checked offsets make both lie inside the entries. */
  private spanStart(offsets: i32, i: u32): u32 {
    if (i >= this.n) return 0;
    const c = this.col(offsets);
    return c ? load<u32>(c + (<usize>i << 2)) : 0;
  }

  private spanLength(offsets: i32, i: u32): u32 {
    if (i >= this.n) return 0;
    const c = this.col(offsets);
    return c ? load<u32>(c + (<usize>i << 2), 4) - load<u32>(c + (<usize>i << 2)) : 0;
  }

  private entry4(offsets: i32, entries: i32, i: u32, k: u32, absent: u32): u32 {
    if (k >= this.spanLength(offsets, i)) return absent;
    const c = this.col(entries);
    return c ? load<u32>(c + (<usize>(this.spanStart(offsets, i) + k) << 2)) : absent;
  }

  private entry8(offsets: i32, entries: i32, i: u32, k: u32): f64 {
    if (k >= this.spanLength(offsets, i)) return NaN;
    const c = this.col(entries);
    return c ? load<f64>(c + (<usize>(this.spanStart(offsets, i) + k) << 3)) : NaN;
  }

  /** Number of nodes `i` contributes to. */
  parentCount(i: u32): u32 { return this.spanLength(l.PARENT_OFFSETS, i); }
  /** Its k-th parent (in the order the node lists them), NONE past the end. */
  parent(i: u32, k: u32): u32 { return this.entry4(l.PARENT_OFFSETS, l.PARENTS, i, k, l.NONE); }
  /** Number of nodes that contribute to `i`. */
  childCount(i: u32): u32 { return this.spanLength(l.CHILD_OFFSETS, i); }
  /** Its k-th child (document order), NONE past the end. */
  child(i: u32, k: u32): u32 { return this.entry4(l.CHILD_OFFSETS, l.CHILDREN, i, k, l.NONE); }

  /** KPI: number of measurements, sorted by date (ties in document order). */
  measurementCount(i: u32): u32 { return this.spanLength(l.MEASUREMENT_OFFSETS, i); }
  measurementDate(i: u32, k: u32): i32 {
    return <i32>this.entry4(l.MEASUREMENT_OFFSETS, l.MEASUREMENT_DATES, i, k, <u32>l.NO_DATE);
  }
  measurementValue(i: u32, k: u32): f64 { return this.entry8(l.MEASUREMENT_OFFSETS, l.MEASUREMENT_VALUES, i, k); }

  /** Key result: number of check-ins, sorted by date (ties in document order). */
  checkInCount(i: u32): u32 { return this.spanLength(l.CHECK_IN_OFFSETS, i); }
  checkInDate(i: u32, k: u32): i32 {
    return <i32>this.entry4(l.CHECK_IN_OFFSETS, l.CHECK_IN_DATES, i, k, <u32>l.NO_DATE);
  }
  checkInValue(i: u32, k: u32): f64 { return this.entry8(l.CHECK_IN_OFFSETS, l.CHECK_IN_VALUES, i, k); }
  /** NaN when the check-in gives none. */
  checkInConfidence(i: u32, k: u32): f64 { return this.entry8(l.CHECK_IN_OFFSETS, l.CHECK_IN_CONFIDENCES, i, k); }
  checkInNote(i: u32, k: u32): string | null {
    return this.string(this.entry4(l.CHECK_IN_OFFSETS, l.CHECK_IN_NOTES, i, k, l.NONE));
  }

  // ---- links (k < linkCount) ----

  private linkAt(section: i32, k: u32, absent: u32): u32 {
    if (k >= this.m) return absent;
    const c = this.col(section);
    return c ? load<u32>(c + (<usize>k << 2)) : absent;
  }

  linkFrom(k: u32): u32 { return this.linkAt(l.LINK_FROM, k, l.NONE); }
  linkTo(k: u32): u32 { return this.linkAt(l.LINK_TO, k, l.NONE); }
  linkKind(k: u32): LinkKind {
    if (k >= this.m) return LinkKind.Drives;
    const c = this.col(l.LINK_KIND);
    return c ? <LinkKind>load<u8>(c + k) : LinkKind.Drives;
  }
  /** NONE when absent. */
  linkLagDays(k: u32): u32 { return this.linkAt(l.LINK_LAG_DAYS, k, l.NONE); }
  linkNote(k: u32): string | null { return this.string(this.linkAt(l.LINK_NOTE, k, l.NONE)); }

  // ---- the check ----

  /** Checks everything the ABI says a reader must reject; returns why not, or null. */
  private check(ptr: usize, len: u32): string | null {
    if (len < l.HEADER_LEN) return truncated("header", l.HEADER_LEN, len);
    if (load<u32>(ptr) != 0x3152544B) {
      return "not a KTR1 tree (starts with [" + load<u8>(ptr).toString() + ", " + load<u8>(ptr, 1).toString() +
        ", " + load<u8>(ptr, 2).toString() + ", " + load<u8>(ptr, 3).toString() + "])";
    }
    const n = load<u32>(ptr, 4);
    const m = load<u32>(ptr, 8);
    this.n = n;
    this.m = m;
    this.asOf = load<i32>(ptr, 12);
    this.organisationRef = load<u32>(ptr, 16);
    const strings = load<u32>(ptr, 20);
    this.stringCount = strings;
    const declared = load<u32>(ptr, 24);
    if (declared < <u32>l.SECTIONS) {
      return "directory has " + declared.toString() + " sections, ABI 1.0 needs " + l.SECTIONS.toString();
    }
    const dirEnd = <u64>l.HEADER_LEN + 4 * <u64>declared;
    if (dirEnd > <u64>len) return truncated("directory", dirEnd, len);

    const counts = new StaticArray<u32>(l.SECTIONS);
    for (let k = 0; k < l.SECTIONS; k++) {
      const name = l.sectionName(k);
      const offset = load<u32>(ptr + l.HEADER_LEN + (<usize>k << 2));
      const rule = unchecked(l.LENGTH[k]);
      if (offset == l.NONE) {
        if ((l.ALWAYS >> <u64>k) & 1) return "section `" + name + "` is marked absent but is needed";
        this.absent |= <u64>1 << <u64>k;
        continue;
      }
      if (rule >= 0 && ((this.absent >> <u64>rule) & 1)) {
        return "section `" + l.sectionName(rule) + "` is marked absent but is needed";
      }
      if (offset & 7) return "section `" + name + "` at offset " + offset.toString() + " is not 8-byte aligned";
      let count: u64;
      if (rule == l.N) count = n;
      else if (rule == l.N1) count = <u64>n + 1;
      else if (rule == l.L) count = m;
      else if (rule == l.S1) count = <u64>strings + 1;
      else if (rule == l.SB) count = lastOffset(unchecked(this.sec[l.STRING_OFFSETS]), unchecked(counts[l.STRING_OFFSETS]));
      else count = lastOffset(unchecked(this.sec[rule]), unchecked(counts[rule]));
      const end = <u64>offset + count * <u64>unchecked(l.WIDTH[k]);
      if (end > <u64>len) return truncated(name, end, len);
      unchecked((this.sec[k] = ptr + offset));
      // Below `len`, itself a u32.
      unchecked((counts[k] = <u32>count));
    }
    const sbytes = unchecked(this.sec[l.STRING_BYTES]);
    const slen = unchecked(counts[l.STRING_BYTES]);
    if (!validUtf8(sbytes, slen)) return "string bytes are not UTF-8";

    // Offsets start at 0 and never decrease (the last one was bounded when the sections were cut).
    const offsetSections: StaticArray<i32> = [l.PARENT_OFFSETS, l.CHILD_OFFSETS, l.MEASUREMENT_OFFSETS, l.CHECK_IN_OFFSETS, l.STRING_OFFSETS];
    for (let j = 0; j < offsetSections.length; j++) {
      const k = unchecked(offsetSections[j]);
      const c = unchecked(this.sec[k]);
      const count = unchecked(counts[k]);
      let prev: u32 = 0;
      for (let i: u32 = 0; i < count; i++) {
        const v = load<u32>(c + (<usize>i << 2));
        if ((i == 0 && v != 0) || v < prev) {
          return "section `" + l.sectionName(k) + "`: offsets do not start at 0 or decrease at entry " + i.toString();
        }
        prev = v;
      }
    }
    const soffs = unchecked(this.sec[l.STRING_OFFSETS]);
    for (let i: u32 = 0; i <= strings; i++) {
      const at = load<u32>(soffs + (<usize>i << 2));
      // A character boundary: the end, or a byte that does not continue a character.
      if (at < slen && (load<u8>(sbytes + at) & 0xC0) == 0x80) {
        return "string " + i.toString() + " does not lie on character boundaries";
      }
    }
    const nodeRefs: StaticArray<i32> = [l.PARENTS, l.CHILDREN, l.LINK_FROM, l.LINK_TO];
    for (let j = 0; j < nodeRefs.length; j++) {
      const k = unchecked(nodeRefs[j]);
      const e = this.below(k, unchecked(counts[k]), n, false);
      if (e !== null) return e;
    }
    for (let k = l.ID; k <= l.PERIOD; k++) {
      const e = this.below(k, unchecked(counts[k]), strings, k > l.TITLE);
      if (e !== null) return e;
    }
    let e = this.below(l.CHECK_IN_NOTES, unchecked(counts[l.CHECK_IN_NOTES]), strings, true);
    if (e !== null) return e;
    e = this.below(l.LINK_NOTE, unchecked(counts[l.LINK_NOTE]), strings, true);
    if (e !== null) return e;
    if (this.organisationRef >= strings) return outOfRange("header.organisation", 0, this.organisationRef);
    // Enum bytes: the vocabulary's codes; health and trend may also be 0 (not computed).
    e = this.codes(l.KIND, unchecked(counts[l.KIND]), 3);
    if (e === null) e = this.codes(l.STATUS, unchecked(counts[l.STATUS]), 2);
    if (e === null) e = this.codes(l.HEALTH, unchecked(counts[l.HEALTH]), 4);
    if (e === null) e = this.codes(l.TREND, unchecked(counts[l.TREND]), 3);
    if (e === null) e = this.codes(l.LINK_KIND, unchecked(counts[l.LINK_KIND]), 0);
    if (e !== null) return e;
    const flags = unchecked(this.sec[l.FLAGS]);
    for (let i: u32 = 0; i < unchecked(counts[l.FLAGS]); i++) {
      const f = load<u8>(flags + i);
      // Bits 5-7 zero; direction (bits 1-2) and indicator (bits 3-4) 0, 1 or 2.
      if (f >> 5 != 0 || ((f >> 1) & 3) == 3 || ((f >> 3) & 3) == 3) return outOfRange("flags", i, f);
    }
    e = this.sorted(l.MEASUREMENT_OFFSETS, l.MEASUREMENT_DATES);
    if (e === null) e = this.sorted(l.CHECK_IN_OFFSETS, l.CHECK_IN_DATES);
    return e;
  }

  /** Every u32 of section k is below `limit` (or NONE, when `none` allows it). */
  private below(k: i32, count: u32, limit: u32, none: bool): string | null {
    const c = unchecked(this.sec[k]);
    for (let i: u32 = 0; i < count; i++) {
      const v = load<u32>(c + (<usize>i << 2));
      if (v >= limit && !(none && v == l.NONE)) return outOfRange(l.sectionName(k), i, v);
    }
    return null;
  }

  /** Every byte of section k is at most `top`. */
  private codes(k: i32, count: u32, top: u8): string | null {
    const c = unchecked(this.sec[k]);
    for (let i: u32 = 0; i < count; i++) {
      const b = load<u8>(c + i);
      if (b > top) return outOfRange(l.sectionName(k), i, b);
    }
    return null;
  }

  /** Each node's series in section `dates` is sorted by date. */
  private sorted(offsets: i32, dates: i32): string | null {
    const o = unchecked(this.sec[offsets]);
    const d = unchecked(this.sec[dates]);
    if (o == 0 || d == 0) return null;
    for (let i: u32 = 0; i < this.n; i++) {
      const a = load<u32>(o + (<usize>i << 2));
      const b = load<u32>(o + (<usize>i << 2), 4);
      for (let k = a + 1; k < b; k++) {
        if (load<i32>(d + (<usize>k << 2)) < load<i32>(d + (<usize>(k - 1) << 2))) {
          return "section `" + l.sectionName(dates) + "`: node " + i.toString() + "'s series is not sorted by date";
        }
      }
    }
    return null;
  }
}

function truncated(what: string, needed: u64, len: u32): string {
  return "truncated: `" + what + "` needs " + needed.toString() + " bytes, the buffer has " + len.toString();
}

function outOfRange(section: string, index: u32, value: u32): string {
  return "section `" + section + "`: entry " + index.toString() + " holds " + value.toString() + ", out of range";
}

/** The last entry of an offsets section of `count` entries (at least one: n + 1 or strings + 1,
 *  unless those wrapped, which the length check then catches). */
function lastOffset(c: usize, count: u32): u64 {
  return count == 0 || c == 0 ? 0 : <u64>load<u32>(c + (<usize>(count - 1) << 2));
}

/** UTF-8 as Rust's `str::from_utf8` accepts it: no overlong forms, no surrogates, nothing past
 *  U+10FFFF, no truncated sequences. */
function validUtf8(p: usize, len: u32): bool {
  let i: u32 = 0;
  while (i < len) {
    const b = <u32>load<u8>(p + i);
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: u32;
    let lo: u32 = 0x80;
    let hi: u32 = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) need = 1;
    else if (b >= 0xE0 && b <= 0xEF) {
      need = 2;
      if (b == 0xE0) lo = 0xA0;
      else if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      need = 3;
      if (b == 0xF0) lo = 0x90;
      else if (b == 0xF4) hi = 0x8F;
    } else return false;
    if (<u64>i + need >= <u64>len + 1) return false;
    const c1 = <u32>load<u8>(p + i + 1);
    if (c1 < lo || c1 > hi) return false;
    for (let k: u32 = 2; k <= need; k++) {
      if ((<u32>load<u8>(p + i + k) & 0xC0) != 0x80) return false;
    }
    i += need + 1;
  }
  return true;
}

/** `YYYY-MM-DD` of a day count since 1970-01-01 (proleptic Gregorian, as the engine writes dates). */
export function formatDate(days: i32): string {
  // Howard Hinnant's civil_from_days, in 64 bits so that no day count overflows.
  const z = <i64>days + 719468;
  const era = (z >= 0 ? z : z - 146096) / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const d = doy - (153 * mp + 2) / 5 + 1;
  const mo = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (mo <= 2 ? 1 : 0);
  const ys = y < 0 ? "-" + pad((-y).toString(), 4) : pad(y.toString(), 4);
  return ys + "-" + pad(mo.toString(), 2) + "-" + pad(d.toString(), 2);
}

function pad(s: string, width: i32): string {
  return s.length >= width ? s : "0".repeat(width - s.length) + s;
}
