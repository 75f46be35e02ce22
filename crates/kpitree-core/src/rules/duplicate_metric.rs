//! `duplicate-metric`
//!
//! **What it does:** finds active KPIs that measure the same thing in different places of the tree.
//! Two KPIs match when
//! - their titles and units are the same once normalised: lower-cased, every character that is not a
//!   letter or digit read as a space, filler words dropped, a plural `s` dropped (`orders` = `order`),
//!   and the remaining words sorted, so "Monthly customer churn" matches "Customer churn (monthly)"
//!   and "Number of orders per day" matches "Orders, day"; in units `%`, `percent` and `pct` are the
//!   same, and currency and other symbols (`€`, `$`) count; or
//! - their measurement series are identical (same dates and values) with at least
//!   `min_series_points` points.
//!
//! The filler words are: a, an, and, at, by, count, for, from, in, nr, number, of, on, per, the, to,
//! with. Not dropped on purpose: `rate` (a churn rate is not a churn count), `no` (a no-show rate is
//! not a show rate), `total`, and time words (`monthly` is not `weekly`).
//!
//! Matches chain: if A matches B by name and B matches C by series, A, B and C are one finding. A KPI
//! is never matched directly with its own parent or child KPI (a breakdown, not a duplicate; both can
//! still land in one finding when a third KPI elsewhere matches them), and a group
//! whose KPIs all sit under exactly the same parents is not reported (same place, not different
//! places). The first node of a finding is the one to keep: the one that serves an active objective,
//! then the one with more measurements, then the first in the document; the others follow in
//! document order.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** "Monthly customer churn" (%) under the retention key result and "Customer churn,
//! monthly" (percent) under the support objective; two KPIs with different titles whose twelve
//! measurements are the same numbers on the same dates. Fixtures: `tests/rules/duplicate-metric/`.
//!
//! **Defaults:** `min_series_points` 3.

use super::{Context, Param, Rule, RuleMeta, Sink, plural};
use crate::finding::Severity;
use crate::lower::lowercase;
use crate::model::{Measurement, Node, NodeKind};
use crate::tree::{Ix, Tree};
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::hash_map::Entry;

/// See the module documentation.
pub struct DuplicateMetric;

/// Option `min_series_points`.
const MIN_SERIES_POINTS: Param<i64> = Param::int(
    "min_series_points",
    3,
    2,
    10_000,
    "fewest measurements two identical series need before they count as the same metric",
);

static META: RuleMeta = RuleMeta {
    id: "duplicate-metric",
    severity: Severity::Warning,
    summary: "two or more KPIs that measure the same thing in different places of the tree",
    why: "The same metric in two places is reported, discussed and argued about twice, and the copies drift apart \
          (other owners, targets, definitions) until nobody knows which number is true. A lean tree keeps one KPI \
          and links it to every key result or objective it serves.",
    fix: "Keep one of the KPIs, attach it to every parent the others served (a KPI may have several parents), and \
          retire the others.",
    params: &[MIN_SERIES_POINTS.spec],
};

/// Why KPIs were matched.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reason {
    Name,
    Series,
}

/// KPIs found equal for one reason (before chaining), in document order.
struct Class {
    reason: Reason,
    members: Vec<Ix>,
}

impl Rule for DuplicateMetric {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let tree = cx.tree;
        let min_points = usize::try_from(cx.get(MIN_SERIES_POINTS)).unwrap_or(3).max(2);

        // Hash every active KPI's normalised name and (long enough) series; keep the repeated hashes.
        let mut by_name = Repeats::with_capacity(tree.len());
        let mut by_series = Repeats::with_capacity(tree.len());
        let mut norm = Normalizer::default();
        for i in tree.of_kind(NodeKind::Kpi) {
            let node = cx.node(i);
            if !node.is_active() {
                continue;
            }
            if let Some(h) = norm.hash(node) {
                by_name.add(h, i);
            }
            if node.measurements.len() >= min_points {
                by_series.add(series_hash(&node.measurements), i);
            }
        }
        let (by_name, by_series) = (by_name.sorted(), by_series.sorted());

        let mut classes: Vec<Class> = Vec::new();
        for run in by_name.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
            // Equal hashes: confirm with the normalised text itself (collisions are possible).
            let mut keyed: Vec<(Vec<u8>, Ix)> = run
                .iter()
                .map(|&(_, i)| {
                    norm.key(cx.node(i));
                    (norm.key.clone(), i)
                })
                .collect();
            crate::sort::sort(&mut keyed);
            for same in keyed.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
                classes.push(Class { reason: Reason::Name, members: same.iter().map(|&(_, i)| i).collect() });
            }
        }
        for run in by_series.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
            let mut rest: Vec<Ix> = run.iter().map(|&(_, i)| i).collect();
            while rest.len() > 1 {
                let first = sorted_series(&cx.node(rest[0]).measurements);
                let (same, other): (Vec<Ix>, Vec<Ix>) =
                    rest.iter().partition(|&&i| same_series(&first, &sorted_series(&cx.node(i).measurements)));
                if same.len() > 1 {
                    classes.push(Class { reason: Reason::Series, members: same });
                }
                rest = other;
            }
        }
        if classes.is_empty() {
            return;
        }
        // Order by content, not by hash value.
        crate::sort::sort_by_key(&mut classes, |c| (c.reason, c.members.first().copied()));

        // Chain matches into groups, never joining a KPI with its own parent or child KPI.
        let mut uf = UnionFind::new(tree.len());
        for class in &mut classes {
            class.members = link_class(tree, &mut uf, &class.members);
        }
        let mut group_of = vec![u32::MAX; tree.len()];
        let mut groups: Vec<Vec<Ix>> = Vec::new();
        for i in tree.of_kind(NodeKind::Kpi) {
            if !uf.joined(i) {
                continue;
            }
            let root = uf.find(i) as usize;
            if group_of[root] == u32::MAX {
                group_of[root] = groups.len() as u32;
                groups.push(Vec::new());
            }
            groups[group_of[root] as usize].push(i);
        }
        let mut reasons: Vec<Vec<&Class>> = vec![Vec::new(); groups.len()];
        for class in classes.iter().filter(|c| c.members.len() > 1) {
            let g = group_of[uf.find(class.members[0]) as usize];
            if let Some(r) = reasons.get_mut(g as usize) {
                r.push(class);
            }
        }

        for (members, classes) in groups.iter().zip(&reasons) {
            if members.len() < 2 || same_parents(tree, members) {
                continue;
            }
            report_group(cx, out, members, classes);
        }
    }
}

fn report_group(cx: &Context<'_>, out: &mut Sink<'_>, members: &[Ix], classes: &[&Class]) {
    let serves = |i: Ix| cx.analysis.serves_active_objective.get(i as usize).copied().unwrap_or(false);
    // Best first: serves an active objective, then more measurements, then document order.
    let rank = |&i: &Ix| (std::cmp::Reverse(serves(i)), std::cmp::Reverse(cx.node(i).measurements.len()), i);
    let mut ordered: Vec<Ix> = members.to_vec();
    crate::sort::sort_by_key(&mut ordered, rank);
    let keep = ordered[0];
    crate::sort::sort(&mut ordered[1..]);

    let mut why: Vec<String> = Vec::new();
    let whole = |c: &Class| c.members.len() == members.len();
    let describe = |c: &Class| match c.reason {
        Reason::Name => "same name and unit".to_owned(),
        Reason::Series => {
            format!(
                "identical series of {}",
                plural(cx.node(c.members[0]).measurements.len(), "measurement", "measurements")
            )
        }
    };
    if classes.iter().all(|c| whole(c)) {
        let mut kinds: Vec<String> = Vec::new();
        for c in classes {
            let d = describe(c);
            if !kinds.contains(&d) {
                kinds.push(d);
            }
        }
        why.push(kinds.join(", and "));
    } else {
        for c in classes {
            let ids: Vec<&str> = c.members.iter().map(|&i| cx.node(i).id.as_str()).collect();
            why.push(format!("{}: {}", describe(c), ids.join(", ")));
        }
    }

    let listed: Vec<String> =
        ordered.iter().map(|&i| format!("{} {}", cx.node(i).display(), place(cx.tree, i))).collect();
    let message = format!(
        "{} active KPIs measure the same thing in different places ({}): {}",
        members.len(),
        why.join("; "),
        listed.join("; ")
    );

    let k = cx.node(keep);
    let fix = format!(
        "Keep {}: {}. Attach it to every parent the others served (a KPI may have several parents), then retire {}.",
        k.display(),
        keep_reason(cx, keep, members),
        join_and(&ordered[1..].iter().map(|&i| cx.node(i).display()).collect::<Vec<_>>())
    );

    let mut evidence = Map::new();
    evidence.insert("keep".into(), Value::String(k.id.clone()));
    let mut matched: Vec<&str> = classes
        .iter()
        .map(|c| match c.reason {
            Reason::Name => "name_and_unit",
            Reason::Series => "series",
        })
        .collect();
    matched.dedup();
    evidence.insert("matched_by".into(), matched.into_iter().map(|s| Value::String(s.to_owned())).collect());
    out.report_full(&ordered, message, Some(fix), Some(evidence), None);
}

/// Why `keep` ranks first: each criterion that set it apart, down to the one that decided.
fn keep_reason(cx: &Context<'_>, keep: Ix, members: &[Ix]) -> String {
    let serves = |i: Ix| cx.analysis.serves_active_objective.get(i as usize).copied().unwrap_or(false);
    let len = |i: Ix| cx.node(i).measurements.len();
    let mut parts: Vec<String> = Vec::new();
    let mut tied: Vec<Ix> = members.to_vec();
    if tied.iter().any(|&i| serves(i) != serves(keep)) {
        parts.push("it serves an active objective".to_owned());
        tied.retain(|&i| serves(i) == serves(keep));
    }
    if tied.iter().any(|&i| len(i) != len(keep)) {
        parts.push(format!("has the most measurements ({})", len(keep)));
        tied.retain(|&i| len(i) == len(keep));
    }
    if tied.len() > 1 {
        parts
            .push(if parts.is_empty() { "comes first in the tree" } else { "comes first of the tied ones" }.to_owned());
    }
    let mut text = join_and(&parts);
    if !text.starts_with("it ") {
        text.insert_str(0, "it ");
    }
    text
}

/// "under key result "A" (a) and objective "B" (b)", or "with no parent".
fn place(tree: &Tree, i: Ix) -> String {
    let parents: Vec<String> = tree.parents(i).iter().map(|&p| tree.node(p).display()).collect();
    if parents.is_empty() { "with no parent".to_owned() } else { format!("under {}", join_and(&parents)) }
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// True when every KPI of the group has the same set of parents.
fn same_parents(tree: &Tree, members: &[Ix]) -> bool {
    let set = |i: Ix| {
        let mut v = tree.parents(i).to_vec();
        crate::sort::sort(&mut v);
        v
    };
    let first = members.first().map(|&i| set(i));
    members.iter().skip(1).all(|&i| Some(set(i)) == first)
}

/// A KPI directly above or below another.
fn related(tree: &Tree, a: Ix, b: Ix) -> bool {
    tree.parents(a).contains(&b) || tree.parents(b).contains(&a)
}

/// Joins the members of one class, skipping parent/child pairs, in linear time: each member joins
/// the first member, or when it is that one's parent or child, the first member unrelated to it.
/// Returns the members actually joined.
fn link_class(tree: &Tree, uf: &mut UnionFind, members: &[Ix]) -> Vec<Ix> {
    let Some(&first) = members.first() else { return Vec::new() };
    let second = members.iter().copied().find(|&m| m != first && !related(tree, first, m));
    let mut joined = Vec::with_capacity(members.len());
    for &m in members {
        let with = if m == first {
            None
        } else if !related(tree, m, first) {
            Some(first)
        } else {
            second.filter(|&s| s != m && !related(tree, m, s))
        };
        if let Some(w) = with {
            uf.union(m, w);
            joined.push(m);
        }
    }
    if !joined.is_empty() {
        joined.insert(0, first);
    }
    crate::sort::sort(&mut joined);
    joined
}

/// Reusable buffers for normalising names without allocating per KPI.
#[derive(Default)]
struct Normalizer {
    /// Lower-cased title or unit (UTF-8), plus any `%` standing for `percent`.
    text: Vec<u8>,
    /// Byte ranges of the tokens in `text`.
    toks: Vec<(usize, usize)>,
    /// The key: title tokens sorted, a separator, unit tokens sorted.
    key: Vec<u8>,
}

impl Normalizer {
    /// A hash of the key of `node` that needs no sorting (token hashes are added up, so their order
    /// does not matter); `None` when its title normalises to nothing. Equal keys give equal hashes.
    fn hash(&mut self, node: &Node) -> Option<u64> {
        let title = if node.title.is_ascii() {
            ascii_title_hash(node.title.as_bytes())?
        } else {
            self.tokenize(&node.title, false);
            if self.toks.is_empty() {
                return None;
            }
            self.sum_of_token_hashes()
        };
        self.tokenize(node.unit.as_deref().unwrap_or(""), true);
        Some(title.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(self.sum_of_token_hashes()))
    }

    fn sum_of_token_hashes(&self) -> u64 {
        self.toks.iter().fold(0u64, |acc, &(a, b)| {
            let h = self.text.get(a..b).unwrap_or(&[]).iter().fold(FNV_OFFSET, |h, &b| fnv(h, b));
            acc.wrapping_add(mix(h))
        })
    }

    /// Builds the key of `node` in `self.key`; false when its title normalises to nothing.
    fn key(&mut self, node: &Node) -> bool {
        self.key.clear();
        self.tokenize(&node.title, false);
        if self.toks.is_empty() {
            return false;
        }
        self.append_key();
        self.key.push(0xFE); // never a byte of UTF-8 text
        self.tokenize(node.unit.as_deref().unwrap_or(""), true);
        self.append_key();
        true
    }

    /// Sorts the current tokens and appends them to the key, each followed by 0xFF.
    fn append_key(&mut self) {
        let text = &self.text;
        crate::sort::sort_by(&mut self.toks, |a, b| text[a.0..a.1].cmp(&text[b.0..b.1]));
        for &(a, b) in &self.toks {
            self.key.extend_from_slice(&text[a..b]);
            self.key.push(0xFF);
        }
    }

    /// Lower-cases `s` into `text` and splits it into tokens: runs of letters and digits, minus
    /// filler words, with a plural `s` dropped. In a unit, `percent` and `pct` become `%`, and `%`,
    /// `$` and non-ASCII symbols (`€`, `£`, `°`) are tokens of their own.
    fn tokenize(&mut self, s: &str, unit: bool) {
        self.text.clear();
        self.toks.clear();
        if s.is_ascii() {
            // The common case, byte by byte.
            self.text.extend(s.bytes().map(|b| b.to_ascii_lowercase()));
            // `end_word` may append a `%` for `percent`: scan only the text itself.
            let len = self.text.len();
            let mut start = 0;
            for k in 0..len {
                let b = self.text[k];
                if !b.is_ascii_alphanumeric() {
                    self.end_word(start, k, unit);
                    if unit && (b == b'%' || b == b'$') {
                        self.toks.push((k, k + 1));
                    }
                    start = k + 1;
                }
            }
            self.end_word(start, len, unit);
            return;
        }
        let mut utf8 = [0u8; 4];
        for c in s.chars() {
            for l in lowercase(c) {
                self.text.extend_from_slice(l.encode_utf8(&mut utf8).as_bytes());
            }
        }
        let len = self.text.len();
        let mut start = 0;
        let mut k = 0;
        while let Some(c) = self.text.get(k..len).and_then(first_char) {
            let next = k + c.len_utf8();
            if !c.is_alphanumeric() {
                self.end_word(start, k, unit);
                if unit && (c == '%' || c == '$' || (!c.is_ascii() && !c.is_whitespace())) {
                    self.toks.push((k, next));
                }
                start = next;
            }
            k = next;
        }
        self.end_word(start, len, unit);
    }

    /// Records the word `text[start..end]` unless it is a filler word.
    fn end_word(&mut self, start: usize, end: usize, unit: bool) {
        let Some(word) = self.text.get(start..end).filter(|w| !w.is_empty()) else { return };
        if is_filler(word) {
            return;
        }
        if unit && (word == b"percent" || word == b"pct") {
            let at = self.text.len();
            self.text.push(b'%');
            self.toks.push((at, at + 1));
            return;
        }
        let end = start + singular(word).len();
        self.toks.push((start, end));
    }
}

/// The first character of UTF-8 bytes.
fn first_char(bytes: &[u8]) -> Option<char> {
    let len = match *bytes.first()? {
        b if b < 0x80 => 1,
        b if b >= 0xF0 => 4,
        b if b >= 0xE0 => 3,
        _ => 2,
    };
    std::str::from_utf8(bytes.get(..len)?).ok()?.chars().next()
}

/// A filler word, dropped before comparing (listed in the module documentation; a test keeps the two
/// in step). Spelled out so the check compiles to a jump on length.
fn is_filler(word: &[u8]) -> bool {
    matches!(
        word,
        b"a" | b"an"
            | b"and"
            | b"at"
            | b"by"
            | b"count"
            | b"for"
            | b"from"
            | b"in"
            | b"nr"
            | b"number"
            | b"of"
            | b"on"
            | b"per"
            | b"the"
            | b"to"
            | b"with"
    )
}

/// Drops a plural `s` ("orders" -> "order"), not from short words or from `-ss`, `-us`, `-is` endings.
fn singular(word: &[u8]) -> &[u8] {
    match word {
        [rest @ .., x, b's'] if word.len() > 3 && !matches!(x, b's' | b'u' | b'i') => &word[..rest.len() + 1],
        _ => word,
    }
}

/// For each byte: its lower case if it is an ASCII letter or digit, else 0.
static ASCII_ALNUM_LOWER: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    t
};

const FNV_OFFSET: u64 = 0xCBF2_9CE4_8422_2325;

/// One byte of FNV-1a (64-bit integer arithmetic: the same on every platform, unlike FxHash).
fn fnv(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
}

/// Spreads the bits of a hash before hashes are added up (splitmix64's finaliser).
fn mix(mut h: u64) -> u64 {
    h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}

/// The title part of [`Normalizer::hash`] for an ASCII title in one pass, without copying: the same
/// value as tokenising and adding up [`mix`]ed FNV hashes of the tokens. `None` without tokens.
fn ascii_title_hash(title: &[u8]) -> Option<u64> {
    let mut sum = 0u64;
    let mut any = false;
    let mut word = |w: &[u8], h: u64, before_last: u64| {
        let mut lower = [0u8; 6];
        if let Some(buf) = lower.get_mut(..w.len()) {
            for (l, b) in buf.iter_mut().zip(w) {
                *l = b.to_ascii_lowercase();
            }
            if is_filler(buf) {
                return;
            }
        }
        let plural =
            matches!(w, [.., x, b's' | b'S'] if w.len() > 3 && !matches!(x.to_ascii_lowercase(), b's' | b'u' | b'i'));
        sum = sum.wrapping_add(mix(if plural { before_last } else { h }));
        any = true;
    };
    let (mut start, mut h, mut before_last) = (0, FNV_OFFSET, FNV_OFFSET);
    for (k, &b) in title.iter().enumerate() {
        let lower = ASCII_ALNUM_LOWER[usize::from(b)];
        if lower != 0 {
            before_last = h;
            h = fnv(h, lower);
        } else {
            if let Some(w) = title.get(start..k).filter(|w| !w.is_empty()) {
                word(w, h, before_last);
            }
            (start, h, before_last) = (k + 1, FNV_OFFSET, FNV_OFFSET);
        }
    }
    if let Some(w) = title.get(start..).filter(|w| !w.is_empty()) {
        word(w, h, before_last);
    }
    any.then_some(sum)
}

/// The series sorted by date, then value (borrowed when already so).
fn sorted_series(series: &[Measurement]) -> Cow<'_, [Measurement]> {
    let order = |a: &Measurement, b: &Measurement| a.date.cmp(&b.date).then(a.value.total_cmp(&b.value));
    if series.windows(2).all(|w| order(&w[0], &w[1]) != Ordering::Greater) {
        Cow::Borrowed(series)
    } else {
        let mut v = series.to_vec();
        crate::sort::sort_by(&mut v, order);
        Cow::Owned(v)
    }
}

/// A hash of the series as a set of (date, value) points: point hashes are added up, so it needs no
/// sorting. Equal series give equal hashes.
fn series_hash(series: &[Measurement]) -> u64 {
    let sum = series.iter().fold(0u64, |acc, m| {
        let value = (m.value + 0.0).to_bits(); // + 0.0 turns -0.0 into 0.0
        let x = value ^ u64::from(m.date.days() as u32).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        acc.wrapping_add((x ^ (x >> 32)).wrapping_mul(0xBF58_476D_1CE4_E5B9))
    });
    mix(sum)
}

fn same_series(a: &[Measurement], b: &[Measurement]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.date == y.date && x.value == y.value)
}

/// Finds hashes that occur more than once in one pass, without sorting every KPI.
struct Repeats {
    /// First position seen with each hash, or `u32::MAX` once it has been repeated.
    first: FxHashMap<u64, Ix>,
    /// (hash, position) of every KPI whose hash is repeated.
    repeated: Vec<(u64, Ix)>,
}

impl Repeats {
    fn with_capacity(n: usize) -> Self {
        Repeats { first: FxHashMap::with_capacity_and_hasher(n, Default::default()), repeated: Vec::new() }
    }

    fn add(&mut self, h: u64, i: Ix) {
        match self.first.entry(h) {
            Entry::Vacant(e) => {
                e.insert(i);
            }
            Entry::Occupied(mut e) => {
                let first = std::mem::replace(e.get_mut(), u32::MAX);
                if first != u32::MAX {
                    self.repeated.push((h, first));
                }
                self.repeated.push((h, i));
            }
        }
    }

    /// The repeated hashes with their positions, grouped by hash, positions ascending.
    fn sorted(mut self) -> Vec<(u64, Ix)> {
        crate::sort::sort(&mut self.repeated);
        self.repeated
    }
}

/// Disjoint sets over node positions, with path halving and union by size.
struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind { parent: (0..n as u32).collect(), size: vec![1; n] }
    }

    fn find(&mut self, mut i: u32) -> u32 {
        while let Some(&p) = self.parent.get(i as usize) {
            if p == i {
                break;
            }
            let gp = self.parent.get(p as usize).copied().unwrap_or(p);
            self.parent[i as usize] = gp;
            i = gp;
        }
        i
    }

    fn union(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        let (big, small) = if self.size[a as usize] >= self.size[b as usize] { (a, b) } else { (b, a) };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
    }

    /// True when `i` was joined with some other node.
    fn joined(&mut self, i: u32) -> bool {
        let r = self.find(i);
        self.size.get(r as usize).is_some_and(|&s| s > 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The filler words as the module documentation lists them.
    const FILLER: &[&str] = &[
        "a", "an", "and", "at", "by", "count", "for", "from", "in", "nr", "number", "of", "on", "per", "the", "to",
        "with",
    ];

    #[test]
    fn filler_words_match_the_documented_list() {
        for w in FILLER {
            assert!(is_filler(w.as_bytes()), "{w}");
        }
        for w in ["rate", "no", "total", "monthly", "orders", ""] {
            assert!(!is_filler(w.as_bytes()), "{w}");
        }
    }

    #[test]
    fn names_normalise_to_the_same_key() {
        let key = |title: &str, unit: Option<&str>| {
            let mut node = Node::new("k", NodeKind::Kpi, title);
            node.unit = unit.map(str::to_owned);
            let mut n = Normalizer::default();
            let h = n.hash(&node);
            n.key(&node).then(|| (n.key.clone(), h))
        };
        let same = [
            (("Monthly customer churn", Some("%")), ("Customer churn, monthly", Some("percent"))),
            (("Number of orders per day", Some("orders")), ("Orders / day", Some("order"))),
            (("Umsatz je Kunde", Some("€")), ("umsatz JE kunde", Some(" € "))),
            (("ÉTAT of the lieux", None), ("état lieux", Some(""))),
        ];
        for (a, b) in same {
            let (ka, kb) = (key(a.0, a.1), key(b.0, b.1));
            assert!(ka.is_some() && ka == kb, "{a:?} vs {b:?}");
        }
        let different = [
            (("Churn rate", Some("%")), ("Churn", Some("%"))),
            (("No-show rate", None), ("Show rate", None)),
            (("Revenue", Some("EUR")), ("Revenue", Some("$"))),
            (("Percent of orders", Some("percent of orders")), ("Orders", Some("orders"))),
        ];
        for (a, b) in different {
            assert_ne!(key(a.0, a.1).map(|k| k.0), key(b.0, b.1).map(|k| k.0), "{a:?} vs {b:?}");
        }
        assert_eq!(key("The number of", Some("%")), None);
    }

    #[test]
    fn ascii_fast_path_hashes_like_the_tokenizer() {
        let mut n = Normalizer::default();
        for title in ["Monthly customer churn", "  Orders per DAY ", "Status", "Process cost", "NPS", "a-b-c", "", "of"]
        {
            n.tokenize(title, false);
            let general = (!n.toks.is_empty()).then(|| n.sum_of_token_hashes());
            assert_eq!(ascii_title_hash(title.as_bytes()), general, "{title}");
        }
    }
}
