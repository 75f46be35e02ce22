//! The host side: encodes a validated tree and its rollups into a request (`plugins/ABI.md`).
//!
//! One pass over the nodes, straight into the buffer that is returned: the fixed-size sections are
//! laid out first from counts known up front; the string table is written behind them into room
//! reserved for the worst case (no string repeated), then moved down once its size is known. Strings
//! are deduplicated exactly (the ABI promises equal references for equal strings); see [`Strings`]
//! for how that is kept cheap.

use crate::Reads;
use crate::host::Request;
use crate::layout::{self as l, Len, NONE, TABLE};
use kpitree_core::model::{CheckIn, Measurement};
use kpitree_core::rollup::Rollup;
use kpitree_core::tree::Tree;
use rustc_hash::FxHasher;
use std::hash::Hasher;

/// Encodes a request: `u32 tree_len, u32 config_len`, the whole `KTR1` tree, then `config_json`.
/// What a plugin without `reads` (ABI 1.0) gets.
pub fn encode_request(tree: &Tree, rollup: &Rollup, config_json: &[u8]) -> Vec<u8> {
    encode(Reads::ALL, tree, rollup, Some(config_json))
}

/// [`encode_request`] with only the sections in `reads` (`Manifest::reads`); the others are marked
/// absent in the directory. With [`Reads::ALL`], the same bytes as [`encode_request`].
pub fn encode_request_for(reads: Reads, tree: &Tree, rollup: &Rollup, config_json: &[u8]) -> Vec<u8> {
    encode(reads, tree, rollup, Some(config_json))
}

/// The requests for one tree with no configuration (the host appends each plugin's), encoded once per
/// distinct [`Reads`]: what a host running several plugins on one tree sends each of them. The native
/// host (`PluginSet::run_with`) and the browser runner both use it.
pub struct Requests<'a> {
    tree: &'a Tree,
    rollup: &'a Rollup,
    encoded: Vec<(Reads, Vec<u8>)>,
}

impl<'a> Requests<'a> {
    /// Nothing encoded yet.
    pub fn new(tree: &'a Tree, rollup: &'a Rollup) -> Requests<'a> {
        Requests { tree, rollup, encoded: Vec::new() }
    }

    /// The request with the sections in `reads`, encoded on first use.
    pub fn get(&mut self, reads: Reads) -> &[u8] {
        let k = match self.encoded.iter().position(|(r, _)| *r == reads) {
            Some(k) => k,
            None => {
                self.encoded.push((reads, encode_request_for(reads, self.tree, self.rollup, b"")));
                self.encoded.len() - 1
            }
        };
        &self.encoded[k].1
    }

    /// The request of a plugin that reads `reads` and is configured with `config` (JSON text),
    /// framed as `plugins/ABI.md` says: the tree is encoded on first use and shared, not copied.
    pub fn request<'r>(&'r mut self, reads: Reads, config: &'r [u8]) -> Request<'r> {
        let base = self.get(reads);
        // `base` is `u32 tree_len, u32 0, tree`: its header with the configuration's length.
        let mut head = [0u8; 8];
        let (tree_len, rest) = base.split_at(4.min(base.len()));
        head[..tree_len.len()].copy_from_slice(tree_len);
        head[4..].copy_from_slice(&(config.len() as u32).to_le_bytes());
        Request { head, tree: rest.get(4..).unwrap_or_default(), config }
    }
}

/// Encodes only the `KTR1` tree bytes.
pub fn encode_tree(tree: &Tree, rollup: &Rollup) -> Vec<u8> {
    encode(Reads::ALL, tree, rollup, None)
}

/// [`encode_tree`] with only the sections in `reads`.
pub fn encode_tree_for(reads: Reads, tree: &Tree, rollup: &Rollup) -> Vec<u8> {
    encode(reads, tree, rollup, None)
}

/// The string table being built, in the output buffer itself. Each distinct string is stored once.
///
/// Deduplication is most of what encoding a large tree costs (at 100k nodes, 600k references to 200k
/// distinct strings, 18 MB of text), and that cost is cache misses: the encoder streams tens of
/// megabytes through the cache, so any table it looks strings up in is mostly out of cache. So the
/// look-ups avoid touching memory where they can:
///
/// - each field whose strings repeat (owner, department, unit...) has a small direct-mapped cache
///   of its recent strings, which answers most of its look-ups;
/// - a Bloom filter of about a byte a string says that a string is new (ids, titles: most strings
///   are) without a look-up in the index;
/// - the index proper is one flat array of 64-bit slots (a 32-bit hash of the string and its
///   reference), linear probing, at most half full; new strings go into it in batches, whose cache
///   misses overlap.
///
/// A hash match is always confirmed against the table's own copy of the string, so references are
/// exact even for strings whose hashes collide (a hostile document can make them).
struct Strings<'b> {
    /// `string_offsets`, room for the worst case; entry 0 is the zero the buffer starts with.
    offsets: &'b mut [u8],
    /// `string_bytes`, room for the worst case.
    bytes: &'b mut [u8],
    /// Strings stored so far.
    count: u32,
    /// Bytes of `bytes` used so far.
    used: usize,
    /// `hash >> 32 << 32 | (reference + 1)`, 0 when free; `1 << bits` of them.
    slots: Vec<u64>,
    bits: u32,
    /// The per-field caches, [`FIELDS`] of `recent_len` slots each (same form as `slots`).
    recent: Vec<u64>,
    recent_len: usize,
    /// The Bloom filter: two bits of one word per stored string; a power of two of words.
    bloom: Vec<u64>,
    /// Slots of new strings not yet in `slots`.
    pending: Vec<u64>,
}

/// Strings inserted into the index at once.
const PENDING: usize = 32;

/// Fields of [`Strings::recent`].
const OWNER: usize = 0;
const DEPARTMENT: usize = 1;
const RATIONALE: usize = 2;
const DESCRIPTION: usize = 3;
const UNIT: usize = 4;
const PERIOD: usize = 5;
const NOTE: usize = 6;
const LINK_NOTE: usize = 7;
const FIELDS: usize = 8;
/// Most entries of one field's cache: room for the few thousand owners of a 100k-node tree.
const RECENT: usize = 8192;

impl<'b> Strings<'b> {
    /// A table writing into `offsets` and `bytes`, sized for about `expected` distinct strings.
    fn new(offsets: &'b mut [u8], bytes: &'b mut [u8], expected: usize) -> Strings<'b> {
        let bits = (2 * expected).next_power_of_two().trailing_zeros().clamp(4, 31);
        let recent_len = (expected / 4).next_power_of_two().clamp(64, RECENT);
        // About eight bits a string: a false positive (a look-up in `slots` for nothing) about one in
        // thirty. Past `expected` the filter fills up and more look-ups go to `slots`; still exact.
        let words = (expected / 8).next_power_of_two().max(2);
        Strings {
            offsets,
            bytes,
            count: 0,
            used: 0,
            slots: vec![0; 1 << bits],
            bits,
            recent: vec![0; FIELDS * recent_len],
            recent_len,
            bloom: vec![0; words],
            pending: Vec::with_capacity(PENDING),
        }
    }

    fn opt(&mut self, field: usize, s: Option<&str>) -> u32 {
        s.map_or(NONE, |s| self.add_in(field, s))
    }

    /// The reference of `s`, looked up first in the cache of `field`.
    fn add_in(&mut self, field: usize, s: &str) -> u32 {
        let s = s.as_bytes();
        let h = hash(s);
        let e = field * self.recent_len + ((h >> 32) as usize & (self.recent_len - 1));
        let slot = self.recent[e];
        if slot != 0 && slot >> 32 == h >> 32 {
            let k = (slot as u32).wrapping_sub(1);
            if self.get(k) == Some(s) {
                return k;
            }
        }
        let k = self.add_hashed(s, h);
        self.recent[e] = h & !0xFFFF_FFFF | u64::from(k + 1);
        k
    }

    fn add(&mut self, s: &str) -> u32 {
        self.add_hashed(s.as_bytes(), hash(s.as_bytes()))
    }

    /// The reference of `s`, whose hash is `h`: found, or `s` stored as a new string.
    fn add_hashed(&mut self, s: &[u8], h: u64) -> u32 {
        let (tag, word, bits) = (h >> 32, self.bloom_word(h), bloom_bits(h));
        if self.bloom.get(word).is_none_or(|w| w & bits == bits) {
            let found = |slot: u64| slot >> 32 == tag && self.get((slot as u32).wrapping_sub(1)) == Some(s);
            if let Some(&slot) = self.pending.iter().find(|&&slot| found(slot)) {
                return (slot as u32).wrapping_sub(1);
            }
            let mask = self.slots.len() - 1;
            let mut pos = self.position(tag);
            while self.slots[pos] != 0 {
                if found(self.slots[pos]) {
                    return (self.slots[pos] as u32).wrapping_sub(1);
                }
                pos = (pos + 1) & mask;
            }
        }
        // New. The buffer was sized for every reference being a new string, so the writes fit.
        let k = self.count;
        let end = self.used + s.len();
        if let Some(dst) = self.bytes.get_mut(self.used..end) {
            dst.copy_from_slice(s);
        }
        let at = 4 * (k as usize + 1);
        if let Some(dst) = self.offsets.get_mut(at..at + 4) {
            dst.copy_from_slice(&(end as u32).to_le_bytes());
        }
        self.used = end;
        self.count += 1;
        if let Some(w) = self.bloom.get_mut(word) {
            *w |= bits;
        }
        self.pending.push(h & !0xFFFF_FFFF | u64::from(k + 1));
        if self.pending.len() == PENDING {
            self.flush();
        }
        k
    }

    /// The Bloom filter word of hash `h`: top bits of its low half.
    fn bloom_word(&self, h: u64) -> usize {
        (h as u32 >> (32 - self.bloom.len().trailing_zeros())) as usize
    }

    /// Where the probe for a string whose slot tag is `tag` starts: the tag's top bits.
    fn position(&self, tag: u64) -> usize {
        (tag as u32 >> (32 - self.bits)) as usize
    }

    /// Moves `pending` into the index (growing it first if it would be more than half full). A batch
    /// of independent inserts lets the processor wait for their cache misses at the same time.
    fn flush(&mut self) {
        while 2 * self.count as usize > self.slots.len() && self.bits < 31 {
            self.bits += 1;
            let old = std::mem::replace(&mut self.slots, vec![0; 1 << self.bits]);
            self.insert(old.into_iter().filter(|&slot| slot != 0));
        }
        let pending = std::mem::take(&mut self.pending);
        self.insert(pending.iter().copied());
        self.pending = pending;
        self.pending.clear();
    }

    /// Puts slots into the index; each goes to the first free place from its position.
    fn insert(&mut self, slots: impl Iterator<Item = u64>) {
        let mask = self.slots.len() - 1;
        for slot in slots {
            let mut pos = self.position(slot >> 32);
            while self.slots[pos] != 0 {
                pos = (pos + 1) & mask;
            }
            self.slots[pos] = slot;
        }
    }

    /// The bytes of string `k`.
    fn get(&self, k: u32) -> Option<&[u8]> {
        let at = 4 * k as usize;
        let word = |a: usize| self.offsets.get(a..a + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        self.bytes.get(word(at)? as usize..word(at + 4)? as usize)
    }
}

/// The two bits of a string's Bloom filter word (from hash bits the word index does not use).
fn bloom_bits(h: u64) -> u64 {
    1 << (h & 63) | 1 << ((h >> 6) & 63)
}

/// A string's hash (FxHash of the bytes, mixed once more so every bit counts). The top 32 bits are
/// the index's tag and position, the low 32 the Bloom filter's word and bits.
fn hash(s: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(s);
    let h = h.finish().wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^ h >> 29
}

/// A window of the output buffer, written column-wise.
struct Out<'b> {
    buf: &'b mut [u8],
    /// Section start offsets, relative to `buf`.
    at: [usize; l::SECTIONS],
}

/// [`Out::at`] of a section left out of the tree (`reads`): writes to it are dropped.
const ABSENT: usize = usize::MAX;

impl Out<'_> {
    fn put<const W: usize>(&mut self, section: usize, i: usize, bytes: [u8; W]) {
        if self.at[section] == ABSENT {
            return;
        }
        let a = self.at[section] + i * W;
        if let Some(dst) = self.buf.get_mut(a..a + W) {
            dst.copy_from_slice(&bytes);
        }
    }
    fn u8(&mut self, section: usize, i: usize, v: u8) {
        self.put(section, i, [v]);
    }
    fn u32(&mut self, section: usize, i: usize, v: u32) {
        self.put(section, i, v.to_le_bytes());
    }
    fn i32(&mut self, section: usize, i: usize, v: i32) {
        self.put(section, i, v.to_le_bytes());
    }
    fn f64(&mut self, section: usize, i: usize, v: Option<f64>) {
        self.put(section, i, v.unwrap_or(f64::NAN).to_le_bytes());
    }
}

fn encode(reads: Reads, tree: &Tree, rollup: &Rollup, config: Option<&[u8]>) -> Vec<u8> {
    let has = |k: usize| reads.has_section(k);
    let doc = tree.doc();
    let nodes = tree.nodes();
    let n = nodes.len();
    let m = doc.links.len();
    // Counts that size the CSR sections, and an upper bound of the string table (before dedup).
    let (mut parents, mut measurements, mut check_ins) = (0usize, 0usize, 0usize);
    let (mut string_refs, mut string_bytes) = (1usize, doc.organisation.len());
    // Only the string columns encoded count towards the string table's room.
    let texts_read = [l::DEPARTMENT, l::RATIONALE, l::DESCRIPTION, l::UNIT, l::PERIOD].map(has);
    let (title, owner, notes) = (has(l::TITLE), has(l::OWNER), has(l::CHECK_IN_NOTES));
    let text_refs = texts_read.iter().filter(|&&r| r).count() + 1 + usize::from(title) + usize::from(owner);
    let len = |t: &Option<String>| t.as_ref().map_or(0, String::len);
    for (i, node) in nodes.iter().enumerate() {
        parents += tree.parents(i as u32).len();
        measurements += node.measurements.len();
        check_ins += node.check_ins.len();
        let texts = [&node.department, &node.rationale, &node.description, &node.unit, &node.period];
        string_refs += text_refs + if notes { node.check_ins.len() } else { 0 };
        string_bytes += node.id.len();
        string_bytes += if title { node.title.len() } else { 0 } + if owner { len(&node.owner) } else { 0 };
        string_bytes += texts.iter().zip(texts_read).map(|(t, read)| if read { len(t) } else { 0 }).sum::<usize>();
        if notes {
            string_bytes += node.check_ins.iter().map(|c| len(&c.note)).sum::<usize>();
        }
    }
    if has(l::LINK_NOTE) {
        for link in &doc.links {
            string_refs += 1;
            string_bytes += len(&link.note);
        }
    }
    // Layout of every section before the string table (whose size is known only at the end).
    let dir_len = l::HEADER_LEN + 4 * l::SECTIONS;
    let mut at = [0usize; l::SECTIONS];
    let mut end = l::align(dir_len);
    for (k, spec) in TABLE.iter().enumerate().take(l::STRING_OFFSETS) {
        let count = match spec.len {
            Len::Nodes => n,
            Len::NodesPlusOne => n + 1,
            Len::Links => m,
            Len::Csr(l::PARENT_OFFSETS) | Len::Csr(l::CHILD_OFFSETS) => parents,
            Len::Csr(l::MEASUREMENT_OFFSETS) => measurements,
            Len::Csr(_) => check_ins,
            Len::StringsPlusOne | Len::StringBytes => 0,
        };
        if has(k) {
            at[k] = end;
            end = l::align(end + count * spec.width);
        } else {
            at[k] = ABSENT;
        }
    }
    let fixed = end;
    // The string table's room: offsets and bytes for every reference being a new string.
    let bytes_room = l::align(fixed + 4 * (string_refs + 1));
    let base = if config.is_some() { l::REQUEST_HEADER_LEN } else { 0 };
    let config = config.unwrap_or_default();
    // One buffer for everything, zeroed by the allocator: a large one is fresh pages (no memset),
    // and the room the string table does not use is never touched.
    let mut out = vec![0u8; base + bytes_room + string_bytes + config.len()];
    let (head, rest) = out.split_at_mut(base + fixed);
    let (offsets, bytes) = rest.split_at_mut(bytes_room - fixed);
    // Real trees have about two distinct strings a node (id and title; owners, units, periods and
    // stock texts repeat). More grow the index.
    let mut strings = Strings::new(offsets, bytes, 2 * n + 16);
    let organisation = strings.add(&doc.organisation);

    let mut w = Out { buf: &mut head[base..], at };
    let (has_parents, has_children) = (has(l::PARENT_OFFSETS), has(l::CHILD_OFFSETS));
    let (has_measurements, has_check_ins) = (has(l::MEASUREMENT_OFFSETS), has(l::CHECK_IN_OFFSETS));
    let (mut p, mut c, mut ms, mut ck) = (0u32, 0u32, 0u32, 0u32);
    // Scratch for series, reused node after node.
    let mut series: Vec<&Measurement> = Vec::new();
    let mut checks: Vec<&CheckIn> = Vec::new();
    w.u32(l::PARENT_OFFSETS, 0, 0);
    w.u32(l::CHILD_OFFSETS, 0, 0);
    w.u32(l::MEASUREMENT_OFFSETS, 0, 0);
    w.u32(l::CHECK_IN_OFFSETS, 0, 0);
    for (i, node) in nodes.iter().enumerate() {
        let ix = i as u32;
        let r = rollup.get(ix);
        // Enum bytes are the vocabulary's codes (the decoder reads them with the same table).
        w.u8(l::KIND, i, node.kind.code());
        w.u8(l::STATUS, i, node.status.code());
        w.u8(l::FLAGS, i, l::flags::pack(node.used_in_appraisal, node.direction, node.indicator));
        w.u8(l::HEALTH, i, r.status.map_or(0, crate::Health::code));
        w.u8(l::TREND, i, r.trend.map_or(0, |t| t.direction.code()));
        // Strings only for the columns encoded: looking them up is most of the encoder's work.
        w.u32(l::ID, i, strings.add(&node.id));
        if title {
            w.u32(l::TITLE, i, strings.add(&node.title));
        }
        if owner {
            w.u32(l::OWNER, i, strings.opt(OWNER, node.owner()));
        }
        let texts = [
            (l::DEPARTMENT, DEPARTMENT, &node.department),
            (l::RATIONALE, RATIONALE, &node.rationale),
            (l::DESCRIPTION, DESCRIPTION, &node.description),
            (l::UNIT, UNIT, &node.unit),
            (l::PERIOD, PERIOD, &node.period),
        ];
        for ((section, field, text), read) in texts.into_iter().zip(texts_read) {
            if read {
                w.u32(section, i, strings.opt(field, text.as_deref()));
            }
        }
        w.f64(l::START, i, node.start);
        w.f64(l::TARGET, i, node.target);
        w.f64(l::CURRENT, i, node.current);
        w.f64(l::CONFIDENCE, i, node.confidence);
        w.f64(l::AT_RISK, i, node.thresholds.map(|t| t.at_risk));
        w.f64(l::OFF_TRACK, i, node.thresholds.map(|t| t.off_track));
        w.f64(l::SCORE, i, r.score);
        w.f64(l::VALUE, i, r.value);
        w.f64(l::TREND_PER_30_DAYS, i, r.trend.map(|t| t.per_30_days));
        w.i32(l::LAST_REVIEWED, i, node.last_reviewed.map_or(l::NO_DATE, |d| d.days()));
        w.u32(l::CADENCE_DAYS, i, node.cadence_days.unwrap_or(0));
        if has_parents {
            for &t in tree.parents(ix) {
                w.u32(l::PARENTS, p as usize, t);
                p += 1;
            }
            w.u32(l::PARENT_OFFSETS, i + 1, p);
        }
        if has_children {
            for &t in tree.children(ix) {
                w.u32(l::CHILDREN, c as usize, t);
                c += 1;
            }
            w.u32(l::CHILD_OFFSETS, i + 1, c);
        }
        // Series sorted by date, ties in document order (a stable sort only when needed).
        if has_measurements {
            series.clear();
            series.extend(node.measurements.iter());
            if !series.is_sorted_by_key(|x| x.date) {
                series.sort_by_key(|x| x.date);
            }
            for x in &series {
                w.i32(l::MEASUREMENT_DATES, ms as usize, x.date.days());
                w.f64(l::MEASUREMENT_VALUES, ms as usize, Some(x.value));
                ms += 1;
            }
            w.u32(l::MEASUREMENT_OFFSETS, i + 1, ms);
        }
        if !has_check_ins {
            continue;
        }
        checks.clear();
        checks.extend(node.check_ins.iter());
        if !checks.is_sorted_by_key(|x| x.date) {
            checks.sort_by_key(|x| x.date);
        }
        for x in &checks {
            let k = ck as usize;
            w.i32(l::CHECK_IN_DATES, k, x.date.days());
            w.f64(l::CHECK_IN_VALUES, k, Some(x.value));
            w.f64(l::CHECK_IN_CONFIDENCES, k, x.confidence);
            w.u32(l::CHECK_IN_NOTES, k, strings.opt(NOTE, x.note.as_deref()));
            ck += 1;
        }
        w.u32(l::CHECK_IN_OFFSETS, i + 1, ck);
    }
    for (k, (link, from, to)) in tree.links().enumerate().take(if has(l::LINK_FROM) { m } else { 0 }) {
        w.u32(l::LINK_FROM, k, from);
        w.u32(l::LINK_TO, k, to);
        w.u8(l::LINK_KIND, k, link.kind.code());
        w.u32(l::LINK_LAG_DAYS, k, link.lag_days.unwrap_or(NONE));
        w.u32(l::LINK_NOTE, k, strings.opt(LINK_NOTE, link.note.as_deref()));
    }
    let mut at = w.at;

    // Move the string bytes down to follow the offsets actually used; what lies between was never
    // written, so the padding is zero.
    let (count, used) = (strings.count as usize, strings.used);
    at[l::STRING_OFFSETS] = fixed;
    at[l::STRING_BYTES] = l::align(fixed + 4 * (count + 1));
    out.copy_within(base + bytes_room..base + bytes_room + used, base + at[l::STRING_BYTES]);
    // No padding after the last section: the tree ends where its string bytes do, so cutting even one
    // byte off a tree is detectable.
    let tree_len = at[l::STRING_BYTES] + used;
    out.truncate(base + tree_len);
    out.extend_from_slice(config);

    let mut head = Vec::with_capacity(dir_len);
    head.extend_from_slice(&l::MAGIC);
    for v in [n as u32, m as u32, doc.as_of.days() as u32, organisation, count as u32, l::SECTIONS as u32] {
        head.extend_from_slice(&v.to_le_bytes());
    }
    for a in at {
        let offset = if a == ABSENT { NONE } else { a as u32 };
        head.extend_from_slice(&offset.to_le_bytes());
    }
    out[base..base + dir_len].copy_from_slice(&head);
    if base > 0 {
        out[..4].copy_from_slice(&(tree_len as u32).to_le_bytes());
        out[4..8].copy_from_slice(&(config.len() as u32).to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Room for `refs` references of at most `text` bytes in all, indexed for `expected` strings.
    fn table(refs: usize, text: usize, expected: usize, run: impl FnOnce(&mut Strings<'_>)) -> (Vec<u32>, Vec<u8>) {
        let (mut offsets, mut bytes) = (vec![0u8; 4 * (refs + 1)], vec![0u8; text]);
        let mut s = Strings::new(&mut offsets, &mut bytes, expected);
        run(&mut s);
        let (count, used) = (s.count as usize, s.used);
        let offsets = offsets.chunks(4).take(count + 1).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        (offsets.collect(), bytes[..used].to_vec())
    }

    #[test]
    fn equal_strings_share_a_reference_and_others_do_not() {
        let (offsets, bytes) = table(8, 32, 4, |s| {
            let owned = String::from("sales");
            assert_eq!(
                [s.add("sales"), s.add("ops"), s.add(&owned), s.add(""), s.opt(OWNER, None)],
                [0, 1, 0, 2, NONE]
            );
        });
        assert_eq!((offsets.as_slice(), bytes.as_slice()), (&[0, 5, 8, 8][..], &b"salesops"[..]));
    }

    /// Two different strings with the same hash (forced here; a hostile document could craft them)
    /// still get different references, each stable.
    #[test]
    fn a_hash_collision_keeps_strings_apart() {
        let (offsets, bytes) = table(8, 8, 4, |s| {
            let got = [s.add_hashed(b"a", 7), s.add_hashed(b"b", 7), s.add_hashed(b"a", 7), s.add_hashed(b"b", 7)];
            assert_eq!(got, [0, 1, 0, 1]);
        });
        assert_eq!((offsets.as_slice(), bytes.as_slice()), (&[0, 1, 2][..], &b"ab"[..]));
    }

    /// An index sized for a few strings grows (several times) and every string keeps its reference.
    #[test]
    fn the_index_grows_and_references_stay() {
        let words: Vec<String> = (0..1000).map(|i| format!("w{}", i % 700)).collect();
        let text = words.iter().map(String::len).sum();
        let (offsets, bytes) = table(words.len(), text, 2, |s| {
            let refs: Vec<u32> = words.iter().map(|w| s.add(w)).collect();
            let again: Vec<u32> = words.iter().map(|w| s.add(w)).collect();
            assert_eq!(refs, again);
            assert_eq!(refs, (0..1000).map(|i| i % 700).collect::<Vec<u32>>());
            assert_eq!(s.slots.len(), 2048);
        });
        assert_eq!(offsets.len(), 701);
        let stored = offsets.windows(2).map(|w| &bytes[w[0] as usize..w[1] as usize]);
        assert!(stored.zip(&words).all(|(b, w)| b == w.as_bytes()));
    }

    #[test]
    fn a_framed_request_is_the_encoders_request() {
        let text = r#"{"version":1,"organisation":"Acme","as_of":"2026-11-27","nodes":[
            {"id":"s","kind":"strategy","title":"Grow","owner":"ceo"},
            {"id":"o","kind":"objective","title":"Win","owner":"sales","parents":["s"],"period":"2026-Q4"}]}"#;
        let doc = kpitree_core::parse_json("t.json", text).expect("parses");
        let tree = Tree::new("t.json", doc).expect("valid");
        let rollup = Rollup::new(&tree);
        let config = br#"{"teams":["sales"]}"#;
        let mut requests = Requests::new(&tree, &rollup);
        for reads in [Reads::ALL, Reads::MINIMUM] {
            let request = requests.request(reads, config);
            assert_eq!(request.to_vec(), encode_request_for(reads, &tree, &rollup, config));
            assert_eq!(request.size(), request.to_vec().len());
        }
    }
}
