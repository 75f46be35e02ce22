//! The zero-copy reader of a `KTR1` tree: [`TreeView`] checks the whole buffer once when it is made,
//! then reads columns in place. Every accessor is bounds-checked and total: a malformed buffer is a
//! [`DecodeError`] from [`TreeView::new`], never a panic, and an index past the end reads as absent.

use crate::date::Date;
use crate::layout::{self as l, Len, NONE, TABLE};
use crate::reads::{self, ReadName, Reads};
use std::cell::Cell;
use std::fmt;

/// Position of a node in the document (and in every node column).
pub type Ix = u32;

/// What is wrong with a request or tree buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The buffer ends before `what` does.
    Truncated {
        /// The part that does not fit (`header`, a section name, `config`).
        what: &'static str,
        /// Bytes it needs, counted from the start of the tree (or request).
        needed: u64,
        /// Bytes there are.
        len: usize,
    },
    /// The request's lengths do not add up to its size.
    RequestLength {
        /// Bytes the lengths announce.
        announced: u64,
        /// Bytes there are.
        len: usize,
    },
    /// The tree does not start with `KTR1`.
    BadMagic([u8; 4]),
    /// The directory has fewer sections than this ABI version defines.
    TooFewSections {
        /// Sections declared.
        found: u32,
        /// Sections required.
        required: u32,
    },
    /// A section does not start at a multiple of 8.
    Misaligned {
        /// Section name.
        section: &'static str,
        /// Its offset.
        offset: u32,
    },
    /// An offsets section that does not start at 0 or decreases.
    BadOffsets {
        /// Section name.
        section: &'static str,
        /// Entry where it goes wrong.
        index: u32,
    },
    /// A node index, string reference or enum value out of range.
    OutOfRange {
        /// Section name.
        section: &'static str,
        /// Entry that holds it.
        index: u32,
        /// The value found.
        value: u64,
    },
    /// The string bytes are not UTF-8, or a string offset splits a character.
    BadUtf8 {
        /// The string whose bounds are wrong (`u32::MAX` for the bytes as a whole).
        string: u32,
    },
    /// A series that is not sorted by date.
    Unsorted {
        /// Section name.
        section: &'static str,
        /// The node whose series it is.
        node: u32,
    },
    /// A section marked absent (ABI 1.1) that every tree has (`kind`, `id`, the string table), or
    /// the offsets of a section that is present.
    Absent {
        /// Section name.
        section: &'static str,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Truncated { what, needed, len } => {
                write!(f, "truncated: `{what}` needs {needed} bytes, the buffer has {len}")
            }
            DecodeError::RequestLength { announced, len } => {
                write!(f, "request announces {announced} bytes but has {len}")
            }
            DecodeError::BadMagic(m) => write!(f, "not a KTR1 tree (starts with {m:?})"),
            DecodeError::TooFewSections { found, required } => {
                write!(f, "directory has {found} sections, ABI 1.0 needs {required}")
            }
            DecodeError::Misaligned { section, offset } => {
                write!(f, "section `{section}` at offset {offset} is not 8-byte aligned")
            }
            DecodeError::BadOffsets { section, index } => {
                write!(f, "section `{section}`: offsets do not start at 0 or decrease at entry {index}")
            }
            DecodeError::OutOfRange { section, index, value } => {
                write!(f, "section `{section}`: entry {index} holds {value}, out of range")
            }
            DecodeError::BadUtf8 { string } if *string == u32::MAX => write!(f, "string bytes are not UTF-8"),
            DecodeError::BadUtf8 { string } => write!(f, "string {string} does not lie on character boundaries"),
            DecodeError::Unsorted { section, node } => {
                write!(f, "section `{section}`: node {node}'s series is not sorted by date")
            }
            DecodeError::Absent { section } => write!(f, "section `{section}` is marked absent but is needed"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// The four levels of a KPI tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    /// Where the organisation wants to go.
    Strategy,
    /// What matters most now.
    Objective,
    /// How an objective's success is measured.
    KeyResult,
    /// A metric that monitors the business.
    Kpi,
}

impl NodeKind {
    const ALL: [NodeKind; 4] = [NodeKind::Strategy, NodeKind::Objective, NodeKind::KeyResult, NodeKind::Kpi];

    /// The file-format spelling (`key_result`).
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Strategy => "strategy",
            NodeKind::Objective => "objective",
            NodeKind::KeyResult => "key_result",
            NodeKind::Kpi => "kpi",
        }
    }

    /// Words for people (`key result`, `KPI`).
    pub fn label(self) -> &'static str {
        match self {
            NodeKind::Strategy => "strategy",
            NodeKind::Objective => "objective",
            NodeKind::KeyResult => "key result",
            NodeKind::Kpi => "KPI",
        }
    }
}

/// Lifecycle of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// In use.
    Active,
    /// Proposed.
    Draft,
    /// No longer in use.
    Retired,
}

impl Status {
    const ALL: [Status; 3] = [Status::Active, Status::Draft, Status::Retired];

    /// The file-format spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Draft => "draft",
            Status::Retired => "retired",
        }
    }
}

/// Which way a metric should move.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// More is better.
    HigherIsBetter,
    /// Less is better.
    LowerIsBetter,
}

impl Direction {
    /// +1.0 when higher is better, −1.0 when lower is better.
    pub fn sign(self) -> f64 {
        match self {
            Direction::HigherIsBetter => 1.0,
            Direction::LowerIsBetter => -1.0,
        }
    }

    /// The file-format spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher_is_better",
            Direction::LowerIsBetter => "lower_is_better",
        }
    }
}

/// Whether a KPI moves before or after its outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Indicator {
    /// Moves before the outcome.
    Leading,
    /// Reports the outcome after the fact.
    Lagging,
}

impl Indicator {
    /// The file-format spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Indicator::Leading => "leading",
            Indicator::Lagging => "lagging",
        }
    }
}

/// The engine's rolled-up status of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Health {
    /// Doing as planned.
    OnTrack,
    /// Behind, recoverable.
    AtRisk,
    /// Far behind.
    OffTrack,
    /// Not enough data to say.
    Unknown,
}

impl Health {
    const ALL: [Health; 4] = [Health::OnTrack, Health::AtRisk, Health::OffTrack, Health::Unknown];

    /// Words for people (`on track`).
    pub fn label(self) -> &'static str {
        match self {
            Health::OnTrack => "on track",
            Health::AtRisk => "at risk",
            Health::OffTrack => "off track",
            Health::Unknown => "unknown",
        }
    }
}

/// The engine's verdict on a KPI's series, read in the KPI's direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Trend {
    /// Moving the good way.
    Improving,
    /// Moving the bad way.
    Worsening,
    /// Not moving noticeably.
    Flat,
}

impl Trend {
    const ALL: [Trend; 3] = [Trend::Improving, Trend::Worsening, Trend::Flat];

    /// The spelling the engine's reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            Trend::Improving => "improving",
            Trend::Worsening => "worsening",
            Trend::Flat => "flat",
        }
    }
}

/// Kinds of typed edges between nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// `from` is believed to move `to`.
    Drives,
}

/// One value of a KPI's series.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measurement {
    /// When it was measured.
    pub date: Date,
    /// What was measured.
    pub value: f64,
}

/// One check-in of a key result.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CheckIn<'a> {
    /// When the team checked in.
    pub date: Date,
    /// The key result's value then.
    pub value: f64,
    /// The team's confidence, 0.0-1.0.
    pub confidence: Option<f64>,
    /// What the team learned.
    pub note: Option<&'a str>,
}

/// One `links` entry, with its ends as node indexes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkRef<'a> {
    /// The driver.
    pub from: Ix,
    /// The outcome.
    pub to: Ix,
    /// What the edge claims.
    pub kind: LinkKind,
    /// Days the outcome is expected to trail the driver.
    pub lag_days: Option<u32>,
    /// Free text.
    pub note: Option<&'a str>,
}

/// A column of little-endian fixed-width values, read in place.
#[derive(Clone, Copy, Debug, Default)]
struct Col<'a>(&'a [u8]);

impl<'a> Col<'a> {
    fn at<const W: usize>(self, i: usize) -> Option<[u8; W]> {
        let start = i.checked_mul(W)?;
        let b = self.0.get(start..start.checked_add(W)?)?;
        b.try_into().ok()
    }
    fn u8(self, i: usize) -> u8 {
        self.0.get(i).copied().unwrap_or(0)
    }
    fn u32(self, i: usize) -> Option<u32> {
        self.at::<4>(i).map(u32::from_le_bytes)
    }
    fn i32(self, i: usize) -> Option<i32> {
        self.at::<4>(i).map(i32::from_le_bytes)
    }
    fn f64(self, i: usize) -> Option<f64> {
        self.at::<8>(i).map(f64::from_le_bytes).filter(|x| !x.is_nan())
    }
    /// Entries `a..b` of a 4-byte column.
    fn range4(self, a: u32, b: u32) -> &'a [u8] {
        let (a, b) = ((a as usize).saturating_mul(4), (b as usize).saturating_mul(4));
        self.0.get(a..b).unwrap_or_default()
    }
    /// Entries `a..b` of an 8-byte column.
    fn range8(self, a: u32, b: u32) -> &'a [u8] {
        let (a, b) = ((a as usize).saturating_mul(8), (b as usize).saturating_mul(8));
        self.0.get(a..b).unwrap_or_default()
    }
}

/// Node indexes read in place (parents, children).
#[derive(Clone, Debug)]
pub struct Ixs<'a>(std::slice::ChunksExact<'a, u8>);

impl Ixs<'_> {
    fn empty() -> Self {
        Ixs([].chunks_exact(4))
    }
}

fn le_u32(c: &[u8]) -> u32 {
    match *c {
        [a, b, c, d] => u32::from_le_bytes([a, b, c, d]),
        _ => 0,
    }
}

fn le_f64(c: &[u8]) -> f64 {
    match c.try_into() {
        Ok(b) => f64::from_le_bytes(b),
        Err(_) => f64::NAN,
    }
}

impl Iterator for Ixs<'_> {
    type Item = Ix;
    fn next(&mut self) -> Option<Ix> {
        self.0.next().map(le_u32)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
    fn nth(&mut self, n: usize) -> Option<Ix> {
        self.0.nth(n).map(le_u32)
    }
}

impl DoubleEndedIterator for Ixs<'_> {
    fn next_back(&mut self) -> Option<Ix> {
        self.0.next_back().map(le_u32)
    }
}

impl ExactSizeIterator for Ixs<'_> {}

/// A KPI's measurements, sorted by date, read in place.
#[derive(Clone, Debug)]
pub struct Measurements<'a> {
    dates: std::slice::ChunksExact<'a, u8>,
    values: std::slice::ChunksExact<'a, u8>,
}

impl Iterator for Measurements<'_> {
    type Item = Measurement;
    fn next(&mut self) -> Option<Measurement> {
        let d = self.dates.next()?;
        let v = self.values.next()?;
        Some(Measurement { date: Date::from_days(le_u32(d) as i32), value: le_f64(v) })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.dates.size_hint()
    }
}

impl DoubleEndedIterator for Measurements<'_> {
    fn next_back(&mut self) -> Option<Measurement> {
        let d = self.dates.next_back()?;
        let v = self.values.next_back()?;
        Some(Measurement { date: Date::from_days(le_u32(d) as i32), value: le_f64(v) })
    }
}

impl ExactSizeIterator for Measurements<'_> {}

/// A key result's check-ins, sorted by date, read in place.
#[derive(Clone, Debug)]
pub struct CheckIns<'v, 'a> {
    view: &'v TreeView<'a>,
    next: u32,
    end: u32,
}

impl<'a> Iterator for CheckIns<'_, 'a> {
    type Item = CheckIn<'a>;
    fn next(&mut self) -> Option<CheckIn<'a>> {
        if self.next >= self.end {
            return None;
        }
        let k = self.next as usize;
        self.next += 1;
        Some(self.view.check_in_at(k))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end.saturating_sub(self.next) as usize;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for CheckIns<'_, '_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        self.end -= 1;
        Some(self.view.check_in_at(self.end as usize))
    }
}

impl ExactSizeIterator for CheckIns<'_, '_> {}

/// A checked, read-only view of a `KTR1` tree (see `plugins/ABI.md`). Borrowed from the request
/// buffer: nothing is copied.
#[derive(Clone, Debug)]
pub struct TreeView<'a> {
    n: u32,
    m: u32,
    as_of: Date,
    organisation: u32,
    string_count: u32,
    sections: [Col<'a>; l::SECTIONS],
    strings: &'a str,
    /// Sections not to be read (one bit per directory position): absent from the tree (ABI 1.1,
    /// `reads`), or left out by [`TreeView::restrict`]. They read as empty.
    absent: u64,
    /// The absent sections something tried to read ([`TreeView::missing_read`]).
    missed: Cell<u64>,
}

/// Splits a request (`u32 tree_len, u32 config_len, tree, config`) into the checked tree and the
/// configuration bytes (UTF-8 JSON by contract; not checked here).
pub fn split_request(bytes: &[u8]) -> Result<(TreeView<'_>, &[u8]), DecodeError> {
    let head = Col(bytes);
    let (Some(tree_len), Some(config_len)) = (head.u32(0), head.u32(1)) else {
        return Err(DecodeError::Truncated { what: "request header", needed: 8, len: bytes.len() });
    };
    let announced = l::REQUEST_HEADER_LEN as u64 + u64::from(tree_len) + u64::from(config_len);
    if announced != bytes.len() as u64 {
        return Err(DecodeError::RequestLength { announced, len: bytes.len() });
    }
    let tree_end = l::REQUEST_HEADER_LEN + tree_len as usize;
    let tree = bytes.get(l::REQUEST_HEADER_LEN..tree_end).unwrap_or_default();
    let config = bytes.get(tree_end..).unwrap_or_default();
    Ok((TreeView::new(tree)?, config))
}

impl<'a> TreeView<'a> {
    /// Checks a whole `KTR1` tree and returns a view of it, or the first problem found.
    ///
    /// Checked: the header, that every section lies inside the buffer at an 8-byte boundary, that
    /// offsets start at 0 and never decrease, that node indexes, string references and enum values
    /// are in range, that strings are UTF-8 on character boundaries, and that series are sorted by
    /// date. After this every accessor is total.
    pub fn new(bytes: &'a [u8]) -> Result<TreeView<'a>, DecodeError> {
        let len = bytes.len();
        let head = Col(bytes);
        if len < l::HEADER_LEN {
            return Err(DecodeError::Truncated { what: "header", needed: l::HEADER_LEN as u64, len });
        }
        let magic: [u8; 4] = head.at::<4>(0).unwrap_or_default();
        if magic != l::MAGIC {
            return Err(DecodeError::BadMagic(magic));
        }
        let word = |k: usize| head.u32(k).unwrap_or(0);
        let (n, m) = (word(1), word(2));
        let as_of = Date::from_days(word(3) as i32);
        let (organisation, string_count, declared) = (word(4), word(5), word(6));
        if (declared as usize) < l::SECTIONS {
            return Err(DecodeError::TooFewSections { found: declared, required: l::SECTIONS as u32 });
        }
        let dir_end = l::HEADER_LEN as u64 + 4 * u64::from(declared);
        if dir_end > len as u64 {
            return Err(DecodeError::Truncated { what: "directory", needed: dir_end, len });
        }
        let mut sections = [Col::default(); l::SECTIONS];
        let mut absent = 0u64;
        for (k, spec) in TABLE.iter().enumerate() {
            let offset = word(l::HEADER_LEN / 4 + k);
            if offset == NONE {
                if reads::ALWAYS >> k & 1 == 1 {
                    return Err(DecodeError::Absent { section: spec.name });
                }
                absent |= 1 << k;
                continue;
            }
            if let Len::Csr(of) = spec.len
                && absent >> of & 1 == 1
            {
                return Err(DecodeError::Absent { section: TABLE[of].name });
            }
            if offset as usize % l::ALIGN != 0 {
                return Err(DecodeError::Misaligned { section: spec.name, offset });
            }
            let count: u64 = match spec.len {
                Len::Nodes => u64::from(n),
                Len::NodesPlusOne => u64::from(n) + 1,
                Len::Links => u64::from(m),
                Len::StringsPlusOne => u64::from(string_count) + 1,
                // The offsets section comes earlier in the table and is already in `sections`.
                Len::Csr(of) => u64::from(last_offset(sections[of], TABLE[of].name)?),
                Len::StringBytes => u64::from(last_offset(sections[l::STRING_OFFSETS], "string_offsets")?),
            };
            let end = u64::from(offset) + count * spec.width as u64;
            if end > len as u64 {
                return Err(DecodeError::Truncated { what: spec.name, needed: end, len });
            }
            sections[k] = Col(bytes.get(offset as usize..end as usize).unwrap_or_default());
        }
        let strings =
            std::str::from_utf8(sections[l::STRING_BYTES].0).map_err(|_| DecodeError::BadUtf8 { string: u32::MAX })?;
        let view =
            TreeView { n, m, as_of, organisation, string_count, sections, strings, absent, missed: Cell::new(0) };
        view.check()?;
        Ok(view)
    }

    fn check(&self) -> Result<(), DecodeError> {
        let s = &self.sections;
        // Offsets: start at 0, never decrease (the last one was bounded when the sections were cut).
        for k in [l::PARENT_OFFSETS, l::CHILD_OFFSETS, l::MEASUREMENT_OFFSETS, l::CHECK_IN_OFFSETS, l::STRING_OFFSETS] {
            monotonic(s[k], TABLE[k].name)?;
        }
        for i in 0..=self.string_count {
            let at = s[l::STRING_OFFSETS].u32(i as usize).unwrap_or(0) as usize;
            if !self.strings.is_char_boundary(at) {
                return Err(DecodeError::BadUtf8 { string: i });
            }
        }
        let n = u64::from(self.n);
        for k in [l::PARENTS, l::CHILDREN, l::LINK_FROM, l::LINK_TO] {
            below(s[k], TABLE[k].name, n)?;
        }
        let strings = u64::from(self.string_count);
        for (k, may_be_none) in l::NODE_STRINGS {
            string_refs(s[k], TABLE[k].name, strings, may_be_none)?;
        }
        string_refs(s[l::CHECK_IN_NOTES], "check_in_notes", strings, true)?;
        string_refs(s[l::LINK_NOTE], "link_note", strings, true)?;
        if u64::from(self.organisation) >= strings {
            return Err(DecodeError::OutOfRange {
                section: "header.organisation",
                index: 0,
                value: self.organisation.into(),
            });
        }
        bytes_below(s[l::KIND], "kind", 3)?;
        bytes_below(s[l::STATUS], "status", 2)?;
        bytes_below(s[l::HEALTH], "health", 4)?;
        bytes_below(s[l::TREND], "trend", 3)?;
        bytes_below(s[l::LINK_KIND], "link_kind", 0)?;
        for (i, &f) in s[l::FLAGS].0.iter().enumerate() {
            if f & 0b1110_0000 != 0 || (f >> 1) & 3 == 3 || (f >> 3) & 3 == 3 {
                return Err(DecodeError::OutOfRange { section: "flags", index: i as u32, value: f.into() });
            }
        }
        for (offsets, dates) in
            [(l::MEASUREMENT_OFFSETS, l::MEASUREMENT_DATES), (l::CHECK_IN_OFFSETS, l::CHECK_IN_DATES)]
        {
            for i in 0..self.n {
                let (a, b) = (s[offsets].u32(i as usize).unwrap_or(0), s[offsets].u32(i as usize + 1).unwrap_or(0));
                let ds = s[dates].range4(a, b);
                let sorted = ds
                    .chunks_exact(4)
                    .map(|c| le_u32(c) as i32)
                    .try_fold(i32::MIN, |prev, d| if d >= prev { Some(d) } else { None });
                if sorted.is_none() {
                    return Err(DecodeError::Unsorted { section: TABLE[dates].name, node: i });
                }
            }
        }
        Ok(())
    }

    /// Section `k`, or an empty column (noted in `missed`) when it is absent.
    fn col(&self, k: usize) -> Col<'a> {
        if self.absent >> k & 1 == 0 {
            return self.sections[k];
        }
        self.missed.set(self.missed.get() | 1 << k);
        Col::default()
    }

    /// The sections this view reads: all but those absent from the tree or left out by
    /// [`TreeView::restrict`].
    pub fn reads(&self) -> Reads {
        Reads::from_bits(Reads::ALL.bits() & !self.absent)
    }

    /// This view reading only what `reads` declares (as well as what the tree has): every other
    /// section reads as empty and is reported by [`TreeView::missing_read`] once read. The SDK
    /// restricts a plugin's tree to its `reads`, so a plugin behaves the same whether a host sends
    /// it the whole tree (ABI 1.0, or a host that encodes once for all plugins) or only its part.
    pub fn restrict(&self, reads: Reads) -> TreeView<'a> {
        TreeView { absent: self.absent | (Reads::ALL.bits() & !reads.bits()), missed: Cell::new(0), ..self.clone() }
    }

    /// The first (in directory order) part of the tree that was read through this view although it
    /// is absent: the data read came out empty, so whatever was computed from it is wrong. `None`
    /// when every read found its section.
    pub fn missing_read(&self) -> Option<&'static ReadName> {
        let missed = self.missed.get();
        (missed != 0).then(|| reads::name_of(missed.trailing_zeros() as usize)).flatten()
    }

    /// Number of nodes.
    pub fn node_count(&self) -> u32 {
        self.n
    }

    /// Number of links.
    pub fn link_count(&self) -> u32 {
        self.m
    }

    /// The date the tree describes.
    pub fn as_of(&self) -> Date {
        self.as_of
    }

    /// Who the tree belongs to.
    pub fn organisation(&self) -> &'a str {
        self.string(self.organisation).unwrap_or_default()
    }

    /// Number of distinct strings. Two string references are equal exactly when their strings are.
    pub fn string_count(&self) -> u32 {
        self.string_count
    }

    /// String `k` of the table; `None` for [`NONE`](crate::layout::NONE) or out of range.
    pub fn string(&self, k: u32) -> Option<&'a str> {
        let offs = self.col(l::STRING_OFFSETS);
        let (a, b) = (offs.u32(k as usize)?, offs.u32((k as usize).checked_add(1)?)?);
        self.strings.get(a as usize..b as usize)
    }

    fn str_ref(&self, section: usize, i: Ix) -> u32 {
        self.col(section).u32(i as usize).unwrap_or(NONE)
    }

    fn str_at(&self, section: usize, i: Ix) -> Option<&'a str> {
        self.string(self.str_ref(section, i))
    }

    /// The node's string reference in a string column: equal references mean equal strings, so rules
    /// can group by it without hashing. `None` when absent.
    pub fn owner_ref(&self, i: Ix) -> Option<u32> {
        Some(self.str_ref(l::OWNER, i)).filter(|&r| r != NONE)
    }

    /// The node's department reference (see [`TreeView::owner_ref`]).
    pub fn department_ref(&self, i: Ix) -> Option<u32> {
        Some(self.str_ref(l::DEPARTMENT, i)).filter(|&r| r != NONE)
    }

    /// Level of the node.
    pub fn kind(&self, i: Ix) -> NodeKind {
        NodeKind::ALL.get(self.col(l::KIND).u8(i as usize) as usize).copied().unwrap_or(NodeKind::Strategy)
    }

    /// Lifecycle of the node.
    pub fn status(&self, i: Ix) -> Status {
        Status::ALL.get(self.col(l::STATUS).u8(i as usize) as usize).copied().unwrap_or(Status::Active)
    }

    fn flags(&self, i: Ix) -> u8 {
        self.col(l::FLAGS).u8(i as usize)
    }

    /// Feeds someone's personal appraisal or pay.
    pub fn used_in_appraisal(&self, i: Ix) -> bool {
        self.flags(i) & 1 != 0
    }

    /// KPI: which way is better.
    pub fn direction(&self, i: Ix) -> Option<Direction> {
        match (self.flags(i) >> 1) & 3 {
            1 => Some(Direction::HigherIsBetter),
            2 => Some(Direction::LowerIsBetter),
            _ => None,
        }
    }

    /// KPI: leading or lagging.
    pub fn indicator(&self, i: Ix) -> Option<Indicator> {
        match (self.flags(i) >> 3) & 3 {
            1 => Some(Indicator::Leading),
            2 => Some(Indicator::Lagging),
            _ => None,
        }
    }

    /// The engine's status of the node (key result, objective, KPI).
    pub fn health(&self, i: Ix) -> Option<Health> {
        let v = self.col(l::HEALTH).u8(i as usize);
        Health::ALL.get((v as usize).wrapping_sub(1)).copied()
    }

    /// KPI: the engine's verdict on its series (three points or more).
    pub fn trend(&self, i: Ix) -> Option<Trend> {
        let v = self.col(l::TREND).u8(i as usize);
        Trend::ALL.get((v as usize).wrapping_sub(1)).copied()
    }

    /// Unique id.
    pub fn id(&self, i: Ix) -> &'a str {
        self.str_at(l::ID, i).unwrap_or_default()
    }

    /// Human name.
    pub fn title(&self, i: Ix) -> &'a str {
        self.str_at(l::TITLE, i).unwrap_or_default()
    }

    /// Person or team accountable, trimmed; `None` when absent or blank (as the engine reads it).
    pub fn owner(&self, i: Ix) -> Option<&'a str> {
        self.str_at(l::OWNER, i)
    }

    /// Organisational unit.
    pub fn department(&self, i: Ix) -> Option<&'a str> {
        self.str_at(l::DEPARTMENT, i)
    }

    /// Why the node exists.
    pub fn rationale(&self, i: Ix) -> Option<&'a str> {
        self.str_at(l::RATIONALE, i)
    }

    /// Free text.
    pub fn description(&self, i: Ix) -> Option<&'a str> {
        self.str_at(l::DESCRIPTION, i)
    }

    /// Unit of the values.
    pub fn unit(&self, i: Ix) -> Option<&'a str> {
        self.str_at(l::UNIT, i)
    }

    /// Objective: its period (`2026-Q4`).
    pub fn period(&self, i: Ix) -> Option<&'a str> {
        self.str_at(l::PERIOD, i)
    }

    fn num(&self, section: usize, i: Ix) -> Option<f64> {
        self.col(section).f64(i as usize)
    }

    /// Key result: value at the start of the period.
    pub fn start(&self, i: Ix) -> Option<f64> {
        self.num(l::START, i)
    }

    /// Key result or KPI: the value aimed for.
    pub fn target(&self, i: Ix) -> Option<f64> {
        self.num(l::TARGET, i)
    }

    /// Key result or KPI: `current` as the document gives it (see [`TreeView::value`] for the latest).
    pub fn current(&self, i: Ix) -> Option<f64> {
        self.num(l::CURRENT, i)
    }

    /// Key result: the team's confidence as the document gives it.
    pub fn confidence(&self, i: Ix) -> Option<f64> {
        self.num(l::CONFIDENCE, i)
    }

    /// KPI: thresholds `(at_risk, off_track)`.
    pub fn thresholds(&self, i: Ix) -> Option<(f64, f64)> {
        Some((self.num(l::AT_RISK, i)?, self.num(l::OFF_TRACK, i)?))
    }

    /// Key result or objective: the engine's score, 0.0-1.0.
    pub fn score(&self, i: Ix) -> Option<f64> {
        self.num(l::SCORE, i)
    }

    /// Key result or KPI: the engine's latest value (latest check-in or measurement, else `current`).
    pub fn value(&self, i: Ix) -> Option<f64> {
        self.num(l::VALUE, i)
    }

    /// KPI: least-squares change per 30 days of its series, in its unit.
    pub fn trend_per_30_days(&self, i: Ix) -> Option<f64> {
        self.num(l::TREND_PER_30_DAYS, i)
    }

    /// KPI: when someone last asked whether it is still needed.
    pub fn last_reviewed(&self, i: Ix) -> Option<Date> {
        self.col(l::LAST_REVIEWED).i32(i as usize).filter(|&d| d != l::NO_DATE).map(Date::from_days)
    }

    /// Key result: expected days between check-ins.
    pub fn cadence_days(&self, i: Ix) -> Option<u32> {
        self.col(l::CADENCE_DAYS).u32(i as usize).filter(|&d| d != 0)
    }

    /// `[a, b)` of node `i` in a CSR whose offsets are section `offsets`.
    fn span(&self, offsets: usize, i: Ix) -> (u32, u32) {
        let o = self.col(offsets);
        match (o.u32(i as usize), o.u32(i as usize + 1)) {
            (Some(a), Some(b)) if a <= b => (a, b),
            _ => (0, 0),
        }
    }

    fn ixs(&self, offsets: usize, targets: usize, i: Ix) -> Ixs<'a> {
        if i >= self.n {
            return Ixs::empty();
        }
        let (a, b) = self.span(offsets, i);
        Ixs(self.col(targets).range4(a, b).chunks_exact(4))
    }

    /// The nodes `i` contributes to, in the order its `parents` lists them.
    pub fn parents(&self, i: Ix) -> Ixs<'a> {
        self.ixs(l::PARENT_OFFSETS, l::PARENTS, i)
    }

    /// The nodes that contribute to `i`, in document order.
    pub fn children(&self, i: Ix) -> Ixs<'a> {
        self.ixs(l::CHILD_OFFSETS, l::CHILDREN, i)
    }

    /// KPI: its measurements, sorted by date (ties in document order).
    pub fn measurements(&self, i: Ix) -> Measurements<'a> {
        let (a, b) = if i < self.n { self.span(l::MEASUREMENT_OFFSETS, i) } else { (0, 0) };
        Measurements {
            dates: self.col(l::MEASUREMENT_DATES).range4(a, b).chunks_exact(4),
            values: self.col(l::MEASUREMENT_VALUES).range8(a, b).chunks_exact(8),
        }
    }

    /// Key result: its check-ins, sorted by date (ties in document order).
    pub fn check_ins(&self, i: Ix) -> CheckIns<'_, 'a> {
        let (next, end) = if i < self.n { self.span(l::CHECK_IN_OFFSETS, i) } else { (0, 0) };
        CheckIns { view: self, next, end }
    }

    fn check_in_at(&self, k: usize) -> CheckIn<'a> {
        CheckIn {
            date: Date::from_days(self.col(l::CHECK_IN_DATES).i32(k).unwrap_or(0)),
            value: self.col(l::CHECK_IN_VALUES).f64(k).unwrap_or(f64::NAN),
            confidence: self.col(l::CHECK_IN_CONFIDENCES).f64(k),
            note: self.col(l::CHECK_IN_NOTES).u32(k).and_then(|r| self.string(r)),
        }
    }

    /// Link `k`, or `None` past the end.
    pub fn link(&self, k: u32) -> Option<LinkRef<'a>> {
        if k >= self.m {
            return None;
        }
        let k = k as usize;
        Some(LinkRef {
            from: self.col(l::LINK_FROM).u32(k)?,
            to: self.col(l::LINK_TO).u32(k)?,
            kind: LinkKind::Drives,
            lag_days: self.col(l::LINK_LAG_DAYS).u32(k).filter(|&d| d != NONE),
            note: self.col(l::LINK_NOTE).u32(k).and_then(|r| self.string(r)),
        })
    }

    /// Every link, in document order.
    pub fn links(&self) -> impl Iterator<Item = LinkRef<'a>> + '_ {
        // Without the link sections nothing ties the count to the buffer's size: no links to walk.
        let m = if self.col(l::LINK_FROM).0.is_empty() { 0 } else { self.m };
        (0..m).filter_map(|k| self.link(k))
    }
}

/// The last entry of an offsets section (already cut to its length).
fn last_offset(col: Col<'_>, name: &'static str) -> Result<u32, DecodeError> {
    let entries = col.0.len() / 4;
    col.u32(entries.wrapping_sub(1)).ok_or(DecodeError::Truncated { what: name, needed: 4, len: 0 })
}

fn monotonic(col: Col<'_>, section: &'static str) -> Result<(), DecodeError> {
    let mut prev = 0u32;
    for (i, c) in col.0.chunks_exact(4).enumerate() {
        let v = le_u32(c);
        if (i == 0 && v != 0) || v < prev {
            return Err(DecodeError::BadOffsets { section, index: i as u32 });
        }
        prev = v;
    }
    Ok(())
}

fn below(col: Col<'_>, section: &'static str, limit: u64) -> Result<(), DecodeError> {
    for (i, c) in col.0.chunks_exact(4).enumerate() {
        let v = le_u32(c);
        if u64::from(v) >= limit {
            return Err(DecodeError::OutOfRange { section, index: i as u32, value: v.into() });
        }
    }
    Ok(())
}

fn string_refs(col: Col<'_>, section: &'static str, strings: u64, may_be_none: bool) -> Result<(), DecodeError> {
    for (i, c) in col.0.chunks_exact(4).enumerate() {
        let v = le_u32(c);
        if u64::from(v) >= strings && !(may_be_none && v == NONE) {
            return Err(DecodeError::OutOfRange { section, index: i as u32, value: v.into() });
        }
    }
    Ok(())
}

fn bytes_below(col: Col<'_>, section: &'static str, max: u8) -> Result<(), DecodeError> {
    match col.0.iter().position(|&b| b > max) {
        Some(i) => Err(DecodeError::OutOfRange { section, index: i as u32, value: col.0[i].into() }),
        None => Ok(()),
    }
}
