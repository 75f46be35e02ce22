//! The keys that make two KPIs the same metric: normalised names and identical series, and the
//! union-find that chains matches into groups.

use super::*;

/// Reusable buffers for normalising names without allocating per KPI.
#[derive(Default)]
pub(super) struct Normalizer {
    /// Lower-cased title or unit (UTF-8), plus any `%` standing for `percent`.
    text: Vec<u8>,
    /// Byte ranges of the tokens in `text`.
    toks: Vec<(usize, usize)>,
    /// The key: title tokens sorted, a separator, unit tokens sorted.
    pub(super) key: Vec<u8>,
}

impl Normalizer {
    /// A hash of the key of `node` that needs no sorting (token hashes are added up, so their order
    /// does not matter); `None` when its title normalises to nothing. Equal keys give equal hashes.
    pub(super) fn hash(&mut self, node: &Node) -> Option<u64> {
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

    pub(super) fn sum_of_token_hashes(&self) -> u64 {
        self.toks.iter().fold(0u64, |acc, &(a, b)| {
            let h = self.text.get(a..b).unwrap_or(&[]).iter().fold(FNV_OFFSET, |h, &b| fnv(h, b));
            acc.wrapping_add(mix(h))
        })
    }

    /// Builds the key of `node` in `self.key`; false when its title normalises to nothing.
    pub(super) fn key(&mut self, node: &Node) -> bool {
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
    pub(super) fn append_key(&mut self) {
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
    pub(super) fn tokenize(&mut self, s: &str, unit: bool) {
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
    pub(super) fn end_word(&mut self, start: usize, end: usize, unit: bool) {
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
pub(super) fn first_char(bytes: &[u8]) -> Option<char> {
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
pub(super) fn is_filler(word: &[u8]) -> bool {
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
pub(super) fn singular(word: &[u8]) -> &[u8] {
    match word {
        [rest @ .., x, b's'] if word.len() > 3 && !matches!(x, b's' | b'u' | b'i') => &word[..rest.len() + 1],
        _ => word,
    }
}

/// For each byte: its lower case if it is an ASCII letter or digit, else 0.
pub(super) static ASCII_ALNUM_LOWER: [u8; 256] = {
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

pub(super) const FNV_OFFSET: u64 = 0xCBF2_9CE4_8422_2325;

/// One byte of FNV-1a (64-bit integer arithmetic: the same on every platform, unlike FxHash).
pub(super) fn fnv(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
}

/// Spreads the bits of a hash before hashes are added up (splitmix64's finaliser).
pub(super) fn mix(mut h: u64) -> u64 {
    h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}

/// The title part of [`Normalizer::hash`] for an ASCII title in one pass, without copying: the same
/// value as tokenising and adding up [`mix`]ed FNV hashes of the tokens. `None` without tokens.
pub(super) fn ascii_title_hash(title: &[u8]) -> Option<u64> {
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
pub(super) fn sorted_series(series: &[Measurement]) -> Cow<'_, [Measurement]> {
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
pub(super) fn series_hash(series: &[Measurement]) -> u64 {
    let sum = series.iter().fold(0u64, |acc, m| {
        let value = (m.value + 0.0).to_bits(); // + 0.0 turns -0.0 into 0.0
        let x = value ^ u64::from(m.date.days() as u32).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        acc.wrapping_add((x ^ (x >> 32)).wrapping_mul(0xBF58_476D_1CE4_E5B9))
    });
    mix(sum)
}

pub(super) fn same_series(a: &[Measurement], b: &[Measurement]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.date == y.date && x.value == y.value)
}

/// Finds hashes that occur more than once in one pass, without sorting every KPI.
pub(super) struct Repeats {
    /// First position seen with each hash, or `u32::MAX` once it has been repeated.
    first: FxHashMap<u64, Ix>,
    /// (hash, position) of every KPI whose hash is repeated.
    repeated: Vec<(u64, Ix)>,
}

impl Repeats {
    pub(super) fn with_capacity(n: usize) -> Self {
        Repeats { first: FxHashMap::with_capacity_and_hasher(n, Default::default()), repeated: Vec::new() }
    }

    pub(super) fn add(&mut self, h: u64, i: Ix) {
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
    pub(super) fn sorted(mut self) -> Vec<(u64, Ix)> {
        crate::sort::sort(&mut self.repeated);
        self.repeated
    }
}

/// Disjoint sets over node positions, with path halving and union by size.
pub(super) struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    pub(super) fn new(n: usize) -> Self {
        UnionFind { parent: (0..n as u32).collect(), size: vec![1; n] }
    }

    pub(super) fn find(&mut self, mut i: u32) -> u32 {
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

    pub(super) fn union(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        let (big, small) = if self.size[a as usize] >= self.size[b as usize] { (a, b) } else { (b, a) };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
    }

    /// True when `i` was joined with some other node.
    pub(super) fn joined(&mut self, i: u32) -> bool {
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
