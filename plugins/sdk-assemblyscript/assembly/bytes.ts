// A growable byte buffer that writes JSON: the manifest and the response are built in one of these
// and handed to the host as a packed slice. It lives in the runtime's heap, which never frees (every
// evaluation gets a fresh instance), so growing copies at most once per doubling.

/** Bytes being written, at `ptr..ptr+len` in linear memory. */
export class Bytes {
  ptr: usize = 0;
  len: u32 = 0;
  private cap: u32 = 0;

  constructor(capacity: u32 = 256) {
    this.cap = max<u32>(capacity, 16);
    this.ptr = heap.alloc(this.cap);
  }

  /** Makes room for `n` more bytes and returns where they go. Running out of memory traps (the
   *  host reports it as the plugin running out of memory). */
  reserve(n: u32): usize {
    const need = <u64>this.len + <u64>n;
    if (need > <u64>this.cap) {
      let cap = <u64>this.cap;
      while (cap < need) cap <<= 1;
      // The runtime cannot hand out blocks of 1 GiB or more; the host's memory limit is lower anyway.
      if (cap >= 0x4000_0000) unreachable();
      this.ptr = heap.realloc(this.ptr, <usize>cap);
      this.cap = <u32>cap;
    }
    return this.ptr + this.len;
  }

  clear(): void {
    this.len = 0;
  }

  byte(b: u8): void {
    store<u8>(this.reserve(1), b);
    this.len += 1;
  }

  /** `n` bytes copied from `src`. */
  raw(src: usize, n: u32): void {
    memory.copy(this.reserve(n), src, n);
    this.len += n;
  }

  append(other: Bytes): void {
    this.raw(other.ptr, other.len);
  }

  /** Text known to be ASCII and not to need escaping (JSON punctuation, keys): one byte a unit. */
  ascii(s: string): void {
    const n = <u32>s.length;
    const dst = this.reserve(n);
    const src = changetype<usize>(s);
    for (let i: u32 = 0; i < n; i++) store<u8>(dst + i, <u8>load<u16>(src + (<usize>i << 1)));
    this.len += n;
  }

  /** `s` inside a JSON string: UTF-8, with `"`, `\` and control characters escaped; an unpaired
   *  surrogate (not representable in UTF-8) becomes U+FFFD. */
  escaped(s: string): void {
    const n = <u32>s.length;
    // Worst case: 6 bytes a code unit (`\u001f`).
    let o = this.reserve(n * 6);
    const start = o;
    const src = changetype<usize>(s);
    for (let i: u32 = 0; i < n; i++) {
      let c = <u32>load<u16>(src + (<usize>i << 1));
      if (c < 0x80) {
        o = escapeAscii(o, c);
      } else if (c < 0x800) {
        store<u8>(o, 0xC0 | (c >> 6));
        store<u8>(o + 1, 0x80 | (c & 63));
        o += 2;
      } else if (c >= 0xD800 && c < 0xE000) {
        const lo: u32 = i + 1 < n ? <u32>load<u16>(src + (<usize>(i + 1) << 1)) : 0;
        if (c < 0xDC00 && lo >= 0xDC00 && lo < 0xE000) {
          const cp = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
          store<u8>(o, 0xF0 | (cp >> 18));
          store<u8>(o + 1, 0x80 | ((cp >> 12) & 63));
          store<u8>(o + 2, 0x80 | ((cp >> 6) & 63));
          store<u8>(o + 3, 0x80 | (cp & 63));
          o += 4;
          i++;
        } else {
          store<u8>(o, 0xEF);
          store<u8>(o + 1, 0xBF);
          store<u8>(o + 2, 0xBD);
          o += 3;
        }
      } else {
        store<u8>(o, 0xE0 | (c >> 12));
        store<u8>(o + 1, 0x80 | ((c >> 6) & 63));
        store<u8>(o + 2, 0x80 | (c & 63));
        o += 3;
      }
    }
    this.len += <u32>(o - start);
  }

  /** `"s"`, escaped. */
  quoted(s: string): void {
    this.byte(0x22);
    this.escaped(s);
    this.byte(0x22);
  }

  /** UTF-8 bytes (from the tree's string table, already checked) inside a JSON string, escaped. */
  escapedUtf8(src: usize, n: u32): void {
    let o = this.reserve(n * 6);
    const start = o;
    for (let i: u32 = 0; i < n; i++) o = escapeAscii(o, <u32>load<u8>(src + i));
    this.len += <u32>(o - start);
  }

  /** A whole number in decimal. */
  integer(v: i64): void {
    if (v < 0) {
      this.byte(0x2D);
      // i64.MIN_VALUE negates to itself; read as unsigned it is the right magnitude.
      this.unsigned(<u64>(-v));
    } else {
      this.unsigned(<u64>v);
    }
  }

  unsigned(v: u64): void {
    let digits: u32 = 1;
    for (let t = v; t >= 10; t /= 10) digits++;
    const o = this.reserve(digits);
    for (let i = digits; i > 0; i--) {
      store<u8>(o + i - 1, <u8>(0x30 + v % 10));
      v /= 10;
    }
    this.len += digits;
  }

  /** A JSON number: whole numbers as integers (`9`, not `9.0`), others in the shortest form that
   *  reads back the same; NaN and the infinities, which JSON cannot hold, as `null`. */
  number(v: f64): void {
    if (!isFinite(v)) {
      this.ascii("null");
    } else if (v == Math.trunc(v) && Math.abs(v) < 9007199254740992.0) {
      this.integer(<i64>v);
    } else {
      this.ascii(v.toString());
    }
  }
}

// Writes one byte below 0x80, or any byte of a UTF-8 sequence (>= 0x80, copied), escaped for JSON.
// @ts-ignore: decorator
@inline function escapeAscii(o: usize, c: u32): usize {
  if (c == 0x22 || c == 0x5C) {
    store<u8>(o, 0x5C);
    store<u8>(o + 1, <u8>c);
    return o + 2;
  }
  if (c < 0x20) {
    // \u00XX for every control character: short forms (\n, \t) would do, but one form is simpler.
    store<u8>(o, 0x5C);
    store<u8>(o + 1, 0x75);
    store<u8>(o + 2, 0x30);
    store<u8>(o + 3, 0x30);
    store<u8>(o + 4, <u8>(0x30 + (c >> 4)));
    const d = c & 15;
    store<u8>(o + 5, <u8>(d < 10 ? 0x30 + d : 0x57 + d));
    return o + 6;
  }
  store<u8>(o, <u8>c);
  return o + 1;
}

/** `(ptr << 32) | len`, both unsigned: the ABI's packed slice. */
export function pack(ptr: usize, len: u32): i64 {
  return <i64>((<u64>ptr << 32) | <u64>len);
}
