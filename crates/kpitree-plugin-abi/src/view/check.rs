//! The checking pass: [`TreeView::new`] (and [`split_request`]) check a whole buffer once, so that
//! every accessor afterwards is total, and [`DecodeError`] says what is wrong with one that fails.

use super::TreeView;
use super::columns::{Col, le_u32};
use crate::layout::{self as l, Len, NONE, TABLE};
use crate::reads;
use crate::{Date, Health, LinkKind, NodeKind, Status, Trend};
use std::cell::Cell;
use std::fmt;

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
        // Enum bytes: the vocabulary's codes; health and trend may also be 0 (not computed).
        codes(s[l::KIND], "kind", |b| NodeKind::from_code(b).is_some())?;
        codes(s[l::STATUS], "status", |b| Status::from_code(b).is_some())?;
        codes(s[l::HEALTH], "health", |b| b == 0 || Health::from_code(b).is_some())?;
        codes(s[l::TREND], "trend", |b| b == 0 || Trend::from_code(b).is_some())?;
        codes(s[l::LINK_KIND], "link_kind", |b| LinkKind::from_code(b).is_some())?;
        codes(s[l::FLAGS], "flags", l::flags::is_valid)?;
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

/// Every byte of `col` is one `valid` accepts.
fn codes(col: Col<'_>, section: &'static str, valid: impl Fn(u8) -> bool) -> Result<(), DecodeError> {
    match col.0.iter().position(|&b| !valid(b)) {
        Some(i) => Err(DecodeError::OutOfRange { section, index: i as u32, value: col.0[i].into() }),
        None => Ok(()),
    }
}
