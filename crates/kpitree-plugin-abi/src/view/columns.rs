//! The values a view hands out (a measurement, a check-in, a link) and the in-place readers behind
//! them: fixed-width columns and the iterators over a node's slice of a CSR section.

use super::{Ix, TreeView};
use crate::{Date, LinkKind};

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
pub(super) struct Col<'a>(pub(super) &'a [u8]);

impl<'a> Col<'a> {
    pub(super) fn at<const W: usize>(self, i: usize) -> Option<[u8; W]> {
        let start = i.checked_mul(W)?;
        let b = self.0.get(start..start.checked_add(W)?)?;
        b.try_into().ok()
    }
    pub(super) fn u8(self, i: usize) -> u8 {
        self.0.get(i).copied().unwrap_or(0)
    }
    pub(super) fn u32(self, i: usize) -> Option<u32> {
        self.at::<4>(i).map(u32::from_le_bytes)
    }
    pub(super) fn i32(self, i: usize) -> Option<i32> {
        self.at::<4>(i).map(i32::from_le_bytes)
    }
    pub(super) fn f64(self, i: usize) -> Option<f64> {
        self.at::<8>(i).map(f64::from_le_bytes).filter(|x| !x.is_nan())
    }
    /// Entries `a..b` of a 4-byte column.
    pub(super) fn range4(self, a: u32, b: u32) -> &'a [u8] {
        let (a, b) = ((a as usize).saturating_mul(4), (b as usize).saturating_mul(4));
        self.0.get(a..b).unwrap_or_default()
    }
    /// Entries `a..b` of an 8-byte column.
    pub(super) fn range8(self, a: u32, b: u32) -> &'a [u8] {
        let (a, b) = ((a as usize).saturating_mul(8), (b as usize).saturating_mul(8));
        self.0.get(a..b).unwrap_or_default()
    }
}

/// Node indexes read in place (parents, children).
#[derive(Clone, Debug)]
pub struct Ixs<'a>(pub(super) std::slice::ChunksExact<'a, u8>);

impl Ixs<'_> {
    pub(super) fn empty() -> Self {
        Ixs([].chunks_exact(4))
    }
}

pub(super) fn le_u32(c: &[u8]) -> u32 {
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
    pub(super) dates: std::slice::ChunksExact<'a, u8>,
    pub(super) values: std::slice::ChunksExact<'a, u8>,
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
    pub(super) view: &'v TreeView<'a>,
    pub(super) next: u32,
    pub(super) end: u32,
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
