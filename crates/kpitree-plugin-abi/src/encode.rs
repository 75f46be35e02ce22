//! The host side: encodes a validated tree and its rollups into a request (`plugins/ABI.md`).
//!
//! One pass over the nodes into one preallocated buffer: the fixed-size sections are laid out first
//! from counts known up front, the string table (deduplicated through a hash map, so equal strings get
//! equal references) is appended at the end.

use crate::layout::{self as l, Len, NONE, TABLE};
use kpitree_core::model::{CheckIn, Direction, Indicator, Measurement, NodeKind, Status};
use kpitree_core::rollup::{Health, Rollup, TrendDirection};
use kpitree_core::tree::Tree;
use rustc_hash::FxHashMap;

/// Encodes a request: `u32 tree_len, u32 config_len`, the `KTR1` tree, then `config_json`.
pub fn encode_request(tree: &Tree<'_>, rollup: &Rollup, config_json: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(tree, rollup, config_json, &mut out);
    out
}

/// Encodes only the `KTR1` tree bytes.
pub fn encode_tree(tree: &Tree<'_>, rollup: &Rollup) -> Vec<u8> {
    let mut req = encode_request(tree, rollup, &[]);
    req.drain(..l::REQUEST_HEADER_LEN);
    req
}

struct Strings<'d> {
    index: FxHashMap<&'d str, u32>,
    offsets: Vec<u32>,
    bytes: Vec<u8>,
}

impl<'d> Strings<'d> {
    fn add(&mut self, s: &'d str) -> u32 {
        let next = self.index.len() as u32;
        *self.index.entry(s).or_insert_with(|| {
            self.bytes.extend_from_slice(s.as_bytes());
            self.offsets.push(self.bytes.len() as u32);
            next
        })
    }

    fn opt(&mut self, s: Option<&'d str>) -> u32 {
        s.map_or(NONE, |s| self.add(s))
    }
}

/// A window of the output buffer, written column-wise.
struct Out<'b> {
    buf: &'b mut [u8],
    /// Section start offsets, relative to `buf`.
    at: [usize; l::SECTIONS],
}

impl Out<'_> {
    fn put<const W: usize>(&mut self, section: usize, i: usize, bytes: [u8; W]) {
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

fn encode_into(tree: &Tree<'_>, rollup: &Rollup, config: &[u8], out: &mut Vec<u8>) {
    let doc = tree.doc();
    let nodes = tree.nodes();
    let n = nodes.len();
    let m = doc.links.len();
    // Counts that size the CSR sections, and an upper bound of the string table (before dedup).
    let (mut parents, mut measurements, mut check_ins) = (0usize, 0usize, 0usize);
    let (mut string_refs, mut string_bytes) = (1usize, doc.organisation.len());
    for (i, node) in nodes.iter().enumerate() {
        parents += tree.parents(i as u32).len();
        measurements += node.measurements.len();
        check_ins += node.check_ins.len();
        let texts = [&node.department, &node.rationale, &node.description, &node.unit, &node.period];
        string_refs += 3 + texts.len() + node.check_ins.len();
        string_bytes += node.id.len() + node.title.len() + node.owner.as_ref().map_or(0, String::len);
        string_bytes += texts.iter().map(|t| t.as_ref().map_or(0, String::len)).sum::<usize>();
        string_bytes += node.check_ins.iter().map(|c| c.note.as_ref().map_or(0, String::len)).sum::<usize>();
    }
    for link in &doc.links {
        string_refs += 1;
        string_bytes += link.note.as_ref().map_or(0, String::len);
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
        at[k] = end;
        end = l::align(end + count * spec.width);
    }
    let fixed = end;
    let base = l::REQUEST_HEADER_LEN;
    // Zeroed by the allocator (fresh pages for a large buffer, no memset); the string table and the
    // configuration are appended with one more reservation at the end.
    *out = vec![0u8; base + fixed];

    // The vectors are sized for the worst case (no string repeats) and never grow; the map for about
    // two distinct strings a node (id and title), what real trees have.
    let mut strings = Strings {
        index: FxHashMap::with_capacity_and_hasher(2 * n + 16, Default::default()),
        offsets: Vec::with_capacity(string_refs + 1),
        bytes: Vec::with_capacity(string_bytes),
    };
    strings.offsets.push(0);
    let organisation = strings.add(&doc.organisation);

    let mut w = Out { buf: &mut out[base..], at };
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
        w.u8(l::KIND, i, kind_byte(node.kind));
        w.u8(l::STATUS, i, status_byte(node.status));
        let direction = match node.direction {
            None => 0,
            Some(Direction::HigherIsBetter) => 1,
            Some(Direction::LowerIsBetter) => 2,
        };
        let indicator = match node.indicator {
            None => 0,
            Some(Indicator::Leading) => 1,
            Some(Indicator::Lagging) => 2,
        };
        w.u8(l::FLAGS, i, u8::from(node.used_in_appraisal) | direction << 1 | indicator << 3);
        w.u8(l::HEALTH, i, health_byte(r.status));
        let trend = match r.trend.map(|t| t.direction) {
            None => 0,
            Some(TrendDirection::Improving) => 1,
            Some(TrendDirection::Worsening) => 2,
            Some(TrendDirection::Flat) => 3,
        };
        w.u8(l::TREND, i, trend);
        w.u32(l::ID, i, strings.add(&node.id));
        w.u32(l::TITLE, i, strings.add(&node.title));
        w.u32(l::OWNER, i, strings.opt(node.owner()));
        w.u32(l::DEPARTMENT, i, strings.opt(node.department.as_deref()));
        w.u32(l::RATIONALE, i, strings.opt(node.rationale.as_deref()));
        w.u32(l::DESCRIPTION, i, strings.opt(node.description.as_deref()));
        w.u32(l::UNIT, i, strings.opt(node.unit.as_deref()));
        w.u32(l::PERIOD, i, strings.opt(node.period.as_deref()));
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
        for &t in tree.parents(ix) {
            w.u32(l::PARENTS, p as usize, t);
            p += 1;
        }
        w.u32(l::PARENT_OFFSETS, i + 1, p);
        for &t in tree.children(ix) {
            w.u32(l::CHILDREN, c as usize, t);
            c += 1;
        }
        w.u32(l::CHILD_OFFSETS, i + 1, c);
        // Series sorted by date, ties in document order (a stable sort only when needed).
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
            w.u32(l::CHECK_IN_NOTES, k, strings.opt(x.note.as_deref()));
            ck += 1;
        }
        w.u32(l::CHECK_IN_OFFSETS, i + 1, ck);
    }
    for (k, (link, from, to)) in tree.links().enumerate() {
        w.u32(l::LINK_FROM, k, from);
        w.u32(l::LINK_TO, k, to);
        w.u8(l::LINK_KIND, k, 0);
        w.u32(l::LINK_LAG_DAYS, k, link.lag_days.unwrap_or(NONE));
        w.u32(l::LINK_NOTE, k, strings.opt(link.note.as_deref()));
    }
    let mut at = w.at;

    // The string table, then the header and directory.
    let string_count = strings.offsets.len() - 1;
    out.reserve_exact(4 * strings.offsets.len() + l::ALIGN + strings.bytes.len() + config.len());
    at[l::STRING_OFFSETS] = fixed;
    for o in &strings.offsets {
        out.extend_from_slice(&o.to_le_bytes());
    }
    out.resize(base + l::align(out.len() - base), 0);
    at[l::STRING_BYTES] = out.len() - base;
    out.extend_from_slice(&strings.bytes);
    // No padding after the last section: the tree ends where its string bytes do, so cutting even one
    // byte off a tree is detectable.
    let tree_len = out.len() - base;

    let mut head = Vec::with_capacity(dir_len);
    head.extend_from_slice(&l::MAGIC);
    for v in [n as u32, m as u32, doc.as_of.days() as u32, organisation, string_count as u32, l::SECTIONS as u32] {
        head.extend_from_slice(&v.to_le_bytes());
    }
    for a in at {
        head.extend_from_slice(&(a as u32).to_le_bytes());
    }
    out[base..base + dir_len].copy_from_slice(&head);
    out[..4].copy_from_slice(&(tree_len as u32).to_le_bytes());
    out[4..8].copy_from_slice(&(config.len() as u32).to_le_bytes());
    out.extend_from_slice(config);
}

fn kind_byte(k: NodeKind) -> u8 {
    match k {
        NodeKind::Strategy => 0,
        NodeKind::Objective => 1,
        NodeKind::KeyResult => 2,
        NodeKind::Kpi => 3,
    }
}

fn status_byte(s: Status) -> u8 {
    match s {
        Status::Active => 0,
        Status::Draft => 1,
        Status::Retired => 2,
    }
}

fn health_byte(h: Option<Health>) -> u8 {
    match h {
        None => 0,
        Some(Health::OnTrack) => 1,
        Some(Health::AtRisk) => 2,
        Some(Health::OffTrack) => 3,
        Some(Health::Unknown) => 4,
    }
}
