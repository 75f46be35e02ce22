//! The zero-copy reader of a `KTR1` tree: [`TreeView`] checks the whole buffer once when it is made
//! (`view/check.rs`), then reads columns in place (`view/columns.rs`, and the accessors here). Every accessor is
//! bounds-checked and total: a malformed buffer is a [`DecodeError`] from [`TreeView::new`], never a
//! panic, and an index past the end reads as absent. Enum bytes are read with the vocabulary's codes
//! (`kpitree-vocab`), the table the encoder writes them with.

mod check;
mod columns;

pub use check::{DecodeError, split_request};
pub use columns::{CheckIn, CheckIns, Ixs, LinkRef, Measurement, Measurements};

use crate::layout::{self as l, NONE};
use crate::reads::{self, ReadName, Reads};
use crate::{Date, Direction, Health, Indicator, LinkKind, NodeKind, Status, Trend};
use columns::Col;
use std::cell::Cell;

/// Position of a node in the document (and in every node column).
pub type Ix = u32;

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

impl<'a> TreeView<'a> {
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
        NodeKind::from_code(self.col(l::KIND).u8(i as usize)).unwrap_or(NodeKind::Strategy)
    }

    /// Lifecycle of the node.
    pub fn status(&self, i: Ix) -> Status {
        Status::from_code(self.col(l::STATUS).u8(i as usize)).unwrap_or(Status::Active)
    }

    fn flags(&self, i: Ix) -> u8 {
        self.col(l::FLAGS).u8(i as usize)
    }

    /// Feeds someone's personal appraisal or pay.
    pub fn used_in_appraisal(&self, i: Ix) -> bool {
        self.flags(i) & l::flags::APPRAISAL != 0
    }

    /// KPI: which way is better.
    pub fn direction(&self, i: Ix) -> Option<Direction> {
        l::flags::direction(self.flags(i))
    }

    /// KPI: leading or lagging.
    pub fn indicator(&self, i: Ix) -> Option<Indicator> {
        l::flags::indicator(self.flags(i))
    }

    /// The engine's status of the node (key result, objective, KPI).
    pub fn health(&self, i: Ix) -> Option<Health> {
        Health::from_code(self.col(l::HEALTH).u8(i as usize))
    }

    /// KPI: the engine's verdict on its series (three points or more).
    pub fn trend(&self, i: Ix) -> Option<Trend> {
        Trend::from_code(self.col(l::TREND).u8(i as usize))
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
        // Links are one read: with any of its sections absent (restricted away, or a buffer that
        // marks some absent) there are none, as `links` and `reads` say (found by `ktr_view`).
        if k >= self.m || self.reads().bits() & crate::reads::LINKS != crate::reads::LINKS {
            return None;
        }
        let k = k as usize;
        Some(LinkRef {
            from: self.col(l::LINK_FROM).u32(k)?,
            to: self.col(l::LINK_TO).u32(k)?,
            kind: LinkKind::from_code(self.col(l::LINK_KIND).u8(k)).unwrap_or(LinkKind::Drives),
            lag_days: self.col(l::LINK_LAG_DAYS).u32(k).filter(|&d| d != NONE),
            note: self.col(l::LINK_NOTE).u32(k).and_then(|r| self.string(r)),
        })
    }

    /// Every link, in document order.
    pub fn links(&self) -> impl Iterator<Item = LinkRef<'a>> + '_ {
        // Without the link sections nothing ties the count to the buffer's size: no links to walk.
        let whole = self.reads().bits() & crate::reads::LINKS == crate::reads::LINKS;
        let m = if !whole || self.col(l::LINK_FROM).0.is_empty() { 0 } else { self.m };
        (0..m).filter_map(|k| self.link(k))
    }
}
