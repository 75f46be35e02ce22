// The plugin's configuration: its `[plugins.NAME]` section of kpitree.toml, which the host sends as
// a JSON object (`{}` when there is none). Checked as JSON once; the getters read top-level keys and
// refuse values of the wrong type, keeping the first problem in `error` (which `evaluate` reports as
// a plugin error, so a rule need not check it).

import { Bytes } from "./bytes";

const STRING: u8 = 1;
const NUMBER: u8 = 2;
const INTEGER: u8 = 3; // a number written without fraction or exponent
const TRUE: u8 = 4;
const FALSE: u8 = 5;
const NULL: u8 = 6;
const ARRAY: u8 = 7;
const OBJECT: u8 = 8;

// Deeper nesting than this is refused rather than recursed into (no configuration needs it).
const MAX_DEPTH: i32 = 64;

/** One top-level entry: its key and where its value lies. */
class Entry {
  constructor(public key: string, public start: usize, public end: usize, public type: u8) {}
}

export class Config {
  /** The first problem found (bad JSON, or a value of the wrong type read); null when none. */
  error: string | null = null;
  private entries: Entry[] = [];
  // The parser's position and end.
  private p: usize = 0;
  private end: usize = 0;

  /** Reads the `len` bytes at `ptr`; blank means `{}`. */
  static parse(ptr: usize, len: u32): Config {
    const c = new Config();
    c.p = ptr;
    c.end = ptr + len;
    c.skipSpace();
    if (c.p == c.end) return c;
    if (load<u8>(c.p) != 0x7B) {
      c.error = "configuration: must be a JSON object";
      return c;
    }
    if (!c.object(0, true)) {
      if (c.error === null) c.error = "configuration: not valid JSON (at byte " + (c.p - ptr).toString() + ")";
      c.entries = [];
      return c;
    }
    c.skipSpace();
    if (c.p != c.end) c.error = "configuration: not valid JSON (at byte " + (c.p - ptr).toString() + ")";
    return c;
  }

  /** The top-level keys, in the order they come. */
  keys(): string[] {
    const out = new Array<string>();
    for (let i = 0; i < this.entries.length; i++) out.push(unchecked(this.entries[i]).key);
    return out;
  }

  has(key: string): bool {
    return this.find(key) !== null;
  }

  /** Refuses keys other than `known` (like `deny_unknown_fields`): false, and `error` set. */
  onlyKeys(known: string[]): bool {
    for (let i = 0; i < this.entries.length; i++) {
      const key = unchecked(this.entries[i]).key;
      if (!known.includes(key)) {
        this.fail("configuration: unknown key `" + key + "`, expected one of: " + known.join(", "));
        return false;
      }
    }
    return true;
  }

  /** A whole number (written as one: `8`, not `8.0`) from `min` to `max`; `fallback` when absent.
   *  Anything else sets `error` to "configuration: `KEY` must be a whole number from MIN to MAX". */
  integer(key: string, fallback: i64, min: i64, max: i64): i64 {
    const e = this.find(key);
    if (e === null) return fallback;
    if (e.type == INTEGER) {
      const v = parseInteger(e.start, e.end);
      if (v >= min && v <= max) return v;
    }
    this.fail("configuration: `" + key + "` must be a whole number from " + min.toString() + " to " + max.toString());
    return fallback;
  }

  /** A number; `fallback` when absent. */
  number(key: string, fallback: f64): f64 {
    const e = this.find(key);
    if (e === null) return fallback;
    if (e.type == NUMBER || e.type == INTEGER) {
      return parseFloat(String.UTF8.decodeUnsafe(e.start, e.end - e.start));
    }
    this.fail("configuration: `" + key + "` must be a number");
    return fallback;
  }

  /** A string; `fallback` when absent. */
  string(key: string, fallback: string | null): string | null {
    const e = this.find(key);
    if (e === null) return fallback;
    if (e.type == STRING) return decodeString(e.start, e.end);
    this.fail("configuration: `" + key + "` must be a string");
    return fallback;
  }

  /** A list of strings; null when absent (or wrong: then `error` is set). */
  strings(key: string): string[] | null {
    const e = this.find(key);
    if (e === null) return null;
    const out = new Array<string>();
    let ok = e.type == ARRAY;
    if (ok) {
      // The array was checked as JSON: walk its items, each a string or not.
      const saved = this.p;
      const savedEnd = this.end;
      this.p = e.start + 1;
      this.end = e.end;
      this.skipSpace();
      while (ok && load<u8>(this.p) != 0x5D) {
        const start = this.p;
        if (load<u8>(start) != 0x22 || !this.value(0)) {
          ok = false;
          break;
        }
        out.push(decodeString(start, this.p));
        this.skipSpace();
        if (load<u8>(this.p) == 0x2C) {
          this.p++;
          this.skipSpace();
        }
      }
      this.p = saved;
      this.end = savedEnd;
    }
    if (ok) return out;
    this.fail("configuration: `" + key + "` must be a list of strings");
    return null;
  }

  /** true or false; `fallback` when absent. */
  boolean(key: string, fallback: bool): bool {
    const e = this.find(key);
    if (e === null) return fallback;
    if (e.type == TRUE) return true;
    if (e.type == FALSE) return false;
    this.fail("configuration: `" + key + "` must be true or false");
    return fallback;
  }

  private fail(message: string): void {
    if (this.error === null) this.error = message;
  }

  /** The first entry of `key` (a JSON `null` is a value, of the wrong type for every getter). */
  private find(key: string): Entry | null {
    for (let i = 0; i < this.entries.length; i++) {
      const e = unchecked(this.entries[i]);
      if (e.key == key) return e;
    }
    return null;
  }

  // ---- the JSON check (RFC 8259), recursive with a depth limit ----

  private skipSpace(): void {
    while (this.p < this.end) {
      const b = load<u8>(this.p);
      if (b != 0x20 && b != 0x09 && b != 0x0A && b != 0x0D) break;
      this.p++;
    }
  }

  private at(b: u8): bool {
    return this.p < this.end && load<u8>(this.p) == b;
  }

  /** A value at p; moves past it. */
  private value(depth: i32): bool {
    if (this.p >= this.end) return false;
    const b = load<u8>(this.p);
    if (b == 0x22) return this.str();
    if (b == 0x7B) return this.object(depth + 1, false);
    if (b == 0x5B) return this.array(depth + 1);
    if (b == 0x74) return this.word("true");
    if (b == 0x66) return this.word("false");
    if (b == 0x6E) return this.word("null");
    return this.num() != 0;
  }

  private typeAt(start: usize): u8 {
    const b = load<u8>(start);
    if (b == 0x22) return STRING;
    if (b == 0x7B) return OBJECT;
    if (b == 0x5B) return ARRAY;
    if (b == 0x74) return TRUE;
    if (b == 0x66) return FALSE;
    if (b == 0x6E) return NULL;
    return NUMBER;
  }

  private word(w: string): bool {
    const n = <usize>w.length;
    if (this.end - this.p < n) return false;
    for (let i: usize = 0; i < n; i++) {
      if (<u16>load<u8>(this.p + i) != load<u16>(changetype<usize>(w) + (i << 1))) return false;
    }
    this.p += n;
    return true;
  }

  /** A number; returns INTEGER, NUMBER, or 0 when it is not one. */
  private num(): u8 {
    let whole = true;
    if (this.at(0x2D)) this.p++;
    if (this.at(0x30)) {
      this.p++;
    } else if (!this.digits()) {
      return 0;
    }
    if (this.at(0x2E)) {
      this.p++;
      whole = false;
      if (!this.digits()) return 0;
    }
    if (this.at(0x65) || this.at(0x45)) {
      this.p++;
      whole = false;
      if (this.at(0x2B) || this.at(0x2D)) this.p++;
      if (!this.digits()) return 0;
    }
    return whole ? INTEGER : NUMBER;
  }

  private digits(): bool {
    const start = this.p;
    while (this.p < this.end && load<u8>(this.p) >= 0x30 && load<u8>(this.p) <= 0x39) this.p++;
    return this.p > start;
  }

  private str(): bool {
    this.p++; // the opening quote
    while (this.p < this.end) {
      const b = load<u8>(this.p);
      if (b == 0x22) {
        this.p++;
        return true;
      }
      if (b < 0x20) return false;
      if (b == 0x5C) {
        this.p++;
        if (this.p >= this.end) return false;
        const e = load<u8>(this.p);
        if (e == 0x75) {
          for (let k = 0; k < 4; k++) {
            this.p++;
            if (this.p >= this.end || hex(load<u8>(this.p)) < 0) return false;
          }
        } else if (e != 0x22 && e != 0x5C && e != 0x2F && e != 0x62 && e != 0x66 && e != 0x6E && e != 0x72 && e != 0x74) {
          return false;
        }
      }
      this.p++;
    }
    return false;
  }

  private array(depth: i32): bool {
    if (depth > MAX_DEPTH) return this.tooDeep();
    this.p++;
    this.skipSpace();
    if (this.at(0x5D)) {
      this.p++;
      return true;
    }
    while (true) {
      this.skipSpace();
      if (!this.value(depth)) return false;
      this.skipSpace();
      if (this.at(0x5D)) {
        this.p++;
        return true;
      }
      if (!this.at(0x2C)) return false;
      this.p++;
    }
  }

  /** An object; at the top level (`top`) its entries are kept. */
  private object(depth: i32, top: bool): bool {
    if (depth > MAX_DEPTH) return this.tooDeep();
    this.p++;
    this.skipSpace();
    if (this.at(0x7D)) {
      this.p++;
      return true;
    }
    while (true) {
      this.skipSpace();
      const keyStart = this.p;
      if (!this.at(0x22) || !this.str()) return false;
      const keyEnd = this.p;
      this.skipSpace();
      if (!this.at(0x3A)) return false;
      this.p++;
      this.skipSpace();
      const start = this.p;
      if (!this.value(depth)) return false;
      if (top) {
        let type = this.typeAt(start);
        if (type == NUMBER && isWhole(start, this.p)) type = INTEGER;
        this.entries.push(new Entry(decodeString(keyStart, keyEnd), start, this.p, type));
      }
      this.skipSpace();
      if (this.at(0x7D)) {
        this.p++;
        return true;
      }
      if (!this.at(0x2C)) return false;
      this.p++;
    }
  }

  private tooDeep(): bool {
    this.fail("configuration: nested more than " + MAX_DEPTH.toString() + " levels deep");
    return false;
  }
}

function hex(b: u8): i32 {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}

/** A checked number's text has neither fraction nor exponent. */
function isWhole(start: usize, end: usize): bool {
  for (let p = start; p < end; p++) {
    const b = load<u8>(p);
    if (b == 0x2E || b == 0x65 || b == 0x45) return false;
  }
  return true;
}

/** The value of a checked whole number; beyond ±10^18 it saturates (out of any useful range). */
function parseInteger(start: usize, end: usize): i64 {
  let p = start;
  const negative = load<u8>(p) == 0x2D;
  if (negative) p++;
  let v: i64 = 0;
  for (; p < end; p++) {
    if (v > 100_000_000_000_000_000) return negative ? i64.MIN_VALUE : i64.MAX_VALUE;
    v = v * 10 + <i64>(load<u8>(p) - 0x30);
  }
  return negative ? -v : v;
}

/** The text of a checked JSON string `"..."` at start..end, escapes resolved; an unpaired
 *  surrogate escape becomes U+FFFD. */
function decodeString(start: usize, end: usize): string {
  const out = new Bytes(<u32>(end - start));
  let p = start + 1;
  const last = end - 1; // the closing quote
  while (p < last) {
    const b = load<u8>(p);
    if (b != 0x5C) {
      out.byte(b);
      p++;
      continue;
    }
    const e = load<u8>(p + 1);
    p += 2;
    if (e == 0x75) {
      let cp = hex4(p);
      p += 4;
      if (cp >= 0xD800 && cp < 0xDC00 && p + 6 <= last && load<u8>(p) == 0x5C && load<u8>(p + 1) == 0x75) {
        const lo = hex4(p + 2);
        if (lo >= 0xDC00 && lo < 0xE000) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          p += 6;
        }
      }
      if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;
      utf8(out, cp);
    } else {
      out.byte(e == 0x62 ? 8 : e == 0x66 ? 12 : e == 0x6E ? 10 : e == 0x72 ? 13 : e == 0x74 ? 9 : e);
    }
  }
  return String.UTF8.decodeUnsafe(out.ptr, out.len);
}

function hex4(p: usize): u32 {
  return <u32>((hex(load<u8>(p)) << 12) | (hex(load<u8>(p + 1)) << 8) | (hex(load<u8>(p + 2)) << 4) | hex(load<u8>(p + 3)));
}

function utf8(out: Bytes, cp: u32): void {
  if (cp < 0x80) {
    out.byte(<u8>cp);
  } else if (cp < 0x800) {
    out.byte(<u8>(0xC0 | (cp >> 6)));
    out.byte(<u8>(0x80 | (cp & 63)));
  } else if (cp < 0x10000) {
    out.byte(<u8>(0xE0 | (cp >> 12)));
    out.byte(<u8>(0x80 | ((cp >> 6) & 63)));
    out.byte(<u8>(0x80 | (cp & 63)));
  } else {
    out.byte(<u8>(0xF0 | (cp >> 18)));
    out.byte(<u8>(0x80 | ((cp >> 12) & 63)));
    out.byte(<u8>(0x80 | ((cp >> 6) & 63)));
    out.byte(<u8>(0x80 | (cp & 63)));
  }
}
