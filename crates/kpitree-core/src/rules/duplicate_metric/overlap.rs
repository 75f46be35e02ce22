//! Series that agree where they overlap: an index of (date, value) points gives the pairs of KPIs
//! that share enough points, and a merge of each such pair's series checks every date they share.
//! The bounds are in the module documentation of `duplicate-metric`.

use super::*;
use crate::date::Date;

/// Two KPIs whose series agree on every date they share.
pub(super) struct Overlap {
    /// The KPI first in the document.
    pub(super) a: Ix,
    /// The other one.
    pub(super) b: Ix,
    /// Dates both series have.
    pub(super) shared: usize,
    /// Shared dates on which the values agree (all of them, for a reported pair).
    pub(super) agreeing: usize,
    /// First shared date.
    pub(super) from: Date,
    /// Last shared date.
    pub(super) to: Date,
}

/// A point shared by more KPIs than this is skipped: it tells nothing about any two of them, and
/// pairing them all would be quadratic. Each point then yields at most 8·7/2 = 28 pairs.
const BUCKET_CAP: usize = 8;

/// Merge steps allowed per indexed measurement for checking candidate pairs.
const CHECK_BUDGET_PER_POINT: usize = 16;

/// Low bits of a value dropped for its index cell: 2^22 units in the last place, about 1e-9 of the
/// value, the tolerance of [`agree`].
const CELL_SHIFT: u32 = 22;

/// Whether two measured values agree: equal, or apart by at most 1e-9 of the larger magnitude.
pub(super) fn agree(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// The pairs of active KPIs (at least `min_overlap` measurements each) whose series agree on at least
/// `min_overlap` shared dates, on every date they share, with two different values among them; pairs
/// whose whole series are identical with at least `min_points` points are left to the series match.
pub(super) fn overlaps(cx: &Context<'_>, min_overlap: usize, min_points: usize) -> Vec<Overlap> {
    let mut series: Vec<(Ix, &[Measurement])> = Vec::new();
    for i in cx.tree.of_kind(NodeKind::Kpi) {
        let n = cx.node(i);
        if n.is_active() && n.measurements.len() >= min_overlap {
            series.push((i, &n.measurements[..]));
        }
    }
    let points: usize = series.iter().map(|(_, s)| s.len()).sum();
    let candidates = candidate_pairs(&series, min_overlap);
    if candidates.is_empty() {
        return Vec::new();
    }
    // Sorted copies of the series that are not sorted already, for the candidates only.
    let mut sorted: Vec<Option<Cow<'_, [Measurement]>>> = Vec::new();
    sorted.resize_with(cx.tree.len(), || None);
    for &(a, b) in &candidates {
        for i in [a, b] {
            if let Some(slot @ None) = sorted.get_mut(i as usize) {
                *slot = Some(sorted_series(&cx.node(i).measurements));
            }
        }
    }
    let mut budget = points.saturating_mul(CHECK_BUDGET_PER_POINT).saturating_add(4096);
    let mut out = Vec::new();
    for (a, b) in candidates {
        let (Some(Some(sa)), Some(Some(sb))) = (sorted.get(a as usize), sorted.get(b as usize)) else { continue };
        let Some(rest) = budget.checked_sub(sa.len() + sb.len()) else { break };
        budget = rest;
        if sa.len() == sb.len() && sa.len() >= min_points && same_series(sa, sb) {
            continue;
        }
        if let Some(o) = check(a, b, sa, sb, min_overlap) {
            out.push(o);
        }
    }
    out
}

/// Pairs `(a, b)`, `a < b`, that share at least `min_overlap` indexed points, ascending.
///
/// A first pass counts the points' keys in a table of bytes (saturating; a collision only lets a point
/// through); a second keeps the points whose key was seen twice, so memory follows the repeated points,
/// not all of them. Entries and pairs are `u64`s sorted by radix (linear).
pub(super) fn candidate_pairs(series: &[(Ix, &[Measurement])], min_overlap: usize) -> Vec<(Ix, Ix)> {
    let points: usize = series.iter().map(|(_, s)| s.len()).sum();
    if series.len() < 2 {
        return Vec::new();
    }
    let mask = points.saturating_mul(2).next_power_of_two().max(64) - 1;
    let mut seen = vec![0u8; mask + 1];
    for (_, s) in series {
        for k in s.iter().filter_map(point_key) {
            if let Some(c) = seen.get_mut(k as usize & mask) {
                *c = c.saturating_add(1);
            }
        }
    }
    // (32 bits of the key, position): equal keys end up together once sorted. Two keys that share
    // their 32 bits only put more pairs to the check.
    let mut entries: Vec<u64> = Vec::new();
    for &(i, s) in series {
        for k in s.iter().filter_map(point_key) {
            if seen.get(k as usize & mask).is_some_and(|&c| c >= 2) {
                entries.push((k >> 32 << 32) | u64::from(i));
            }
        }
    }
    drop(seen);
    radix_sort(&mut entries);
    entries.dedup();
    let mut pairs: Vec<u64> = Vec::new();
    for run in entries.chunk_by(|x, y| x >> 32 == y >> 32) {
        if run.len() < 2 || run.len() > BUCKET_CAP {
            continue;
        }
        for (k, &a) in run.iter().enumerate() {
            for &b in run.get(k + 1..).unwrap_or_default() {
                pairs.push((a << 32) | (b & 0xFFFF_FFFF));
            }
        }
    }
    drop(entries);
    radix_sort(&mut pairs);
    let mut out = Vec::new();
    for run in pairs.chunk_by(|x, y| x == y) {
        if run.len() >= min_overlap {
            out.push(((run[0] >> 32) as Ix, run[0] as Ix));
        }
    }
    out
}

/// Sorts in four passes of 16 bits (least significant first), skipping a pass whose digits are all
/// the same: linear, and one small non-generic function (see `crate::sort` on code size).
fn radix_sort(v: &mut Vec<u64>) {
    if v.len() < 2 {
        return;
    }
    let mut other = v.clone(); // every element is overwritten
    let mut counts = vec![0usize; 1 << 16];
    for shift in [0u32, 16, 32, 48] {
        counts.fill(0);
        for &x in v.iter() {
            counts[(x >> shift) as usize & 0xFFFF] += 1;
        }
        if counts.contains(&v.len()) {
            continue;
        }
        let mut at = 0;
        for c in counts.iter_mut() {
            (*c, at) = (at, at + *c);
        }
        for &x in v.iter() {
            let slot = &mut counts[(x >> shift) as usize & 0xFFFF];
            other[*slot] = x;
            *slot += 1;
        }
        std::mem::swap(v, &mut other);
    }
}

/// The index key of a measurement: its date and the top 42 bits of its value, mixed; `None` for a
/// value that is not finite (it agrees with nothing).
fn point_key(m: &Measurement) -> Option<u64> {
    let v = m.value + 0.0; // + 0.0 turns -0.0 into 0.0
    if !v.is_finite() {
        return None;
    }
    let cell = v.to_bits() >> CELL_SHIFT;
    let date = u64::from(m.date.days() as u32);
    Some(mix(cell ^ date.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
}

/// Merges two series sorted by date and value: the overlap when they share at least `min_overlap`
/// dates, agree on every one (a date with several measurements: as many on both sides, agreeing in
/// value order) and show at least two different values there.
pub(super) fn check(a: Ix, b: Ix, sa: &[Measurement], sb: &[Measurement], min_overlap: usize) -> Option<Overlap> {
    let mut each = |ra: &[Measurement], rb: &[Measurement]| ra.iter().zip(rb).all(|(p, q)| agree(p.value, q.value));
    let shared = shared_dates(sa, sb, &mut each)?;
    (shared.dates >= min_overlap && shared.varied).then_some(Overlap {
        a,
        b,
        shared: shared.dates,
        agreeing: shared.dates,
        from: shared.from,
        to: shared.to,
    })
}

/// What two series sorted by date share, as [`shared_dates`] found it.
struct Shared {
    dates: usize,
    from: Date,
    to: Date,
    /// Two different values among the shared dates (first of each date, in the first series).
    varied: bool,
}

/// Walks the dates two series sorted by date and value share; `each` judges the measurements of one
/// shared date (as many on both sides, else the walk stops). `None` when they share no date, a date
/// has a different number of measurements on each side, or `each` says no. One walk for both
/// [`check`] and [`near`]; `dyn` so that the browser's engine holds one copy of it.
fn shared_dates(
    sa: &[Measurement],
    sb: &[Measurement],
    each: &mut dyn FnMut(&[Measurement], &[Measurement]) -> bool,
) -> Option<Shared> {
    let (mut x, mut y) = (0, 0);
    let (mut dates, mut range, mut first_value, mut varied) = (0, None::<(Date, Date)>, None::<f64>, false);
    while let (Some(ma), Some(mb)) = (sa.get(x), sb.get(y)) {
        let (d, e) = (ma.date, mb.date);
        if d != e {
            if d < e {
                x += 1;
            } else {
                y += 1;
            }
            continue;
        }
        let (ra, rb) = (same_date(sa, x), same_date(sb, y));
        if ra.len() != rb.len() || !each(ra, rb) {
            return None;
        }
        dates += 1;
        range = Some(range.map_or((d, d), |(from, _)| (from, d)));
        match first_value {
            None => first_value = Some(ma.value),
            Some(f) => varied |= !agree(f, ma.value),
        }
        x += ra.len();
        y += rb.len();
    }
    let (from, to) = range?;
    Some(Shared { dates, from, to, varied })
}

/// How close two series of the same name in two departments are: on at least `min_overlap` shared
/// dates, with two different values among them, every pair of values within [`NEAR_GAP`] of the larger
/// one, and not all agreeing (agreeing series are duplicates). Returns the shared dates, the widest
/// relative gap and the date range. A date with a different number of measurements on each side is
/// not close.
pub(super) fn near(sa: &[Measurement], sb: &[Measurement], min_overlap: usize) -> Option<Near> {
    let mut gap = 0.0f64;
    let mut each = |ra: &[Measurement], rb: &[Measurement]| {
        for (p, q) in ra.iter().zip(rb) {
            let larger = p.value.abs().max(q.value.abs());
            let g = if agree(p.value, q.value) { 0.0 } else { (p.value - q.value).abs() / larger };
            // NaN (from a value that is not finite) is never close.
            if g.is_nan() || g > NEAR_GAP {
                return false;
            }
            gap = gap.max(g);
        }
        true
    };
    let shared = shared_dates(sa, sb, &mut each)?;
    (shared.dates >= min_overlap && shared.varied && gap > 0.0).then_some(Near {
        shared: shared.dates,
        gap,
        from: shared.from,
        to: shared.to,
    })
}

/// Two series of one name in two departments whose numbers are close but not equal.
pub(super) struct Near {
    /// Dates both series have.
    pub(super) shared: usize,
    /// The widest gap between two values of a shared date, relative to the larger one.
    pub(super) gap: f64,
    /// First shared date.
    pub(super) from: Date,
    /// Last shared date.
    pub(super) to: Date,
}

/// The widest relative gap at which two departments' numbers of one name are still close: the same
/// quantity taken from two systems (a churn rate from the CRM and from billing), not two populations
/// (each department's own headcount).
pub(super) const NEAR_GAP: f64 = 0.05;

/// The measurements from `at` on that share its date.
fn same_date(s: &[Measurement], at: usize) -> &[Measurement] {
    let rest = s.get(at..).unwrap_or_default();
    let n = rest.first().map_or(0, |first| rest.iter().take_while(|m| m.date == first.date).count());
    &rest[..n]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(points: &[(i32, f64)]) -> Vec<Measurement> {
        let day0 = Date::from_ymd(2026, 1, 1).expect("a date");
        points.iter().map(|&(d, value)| Measurement { date: day0.add_days(d), value }).collect()
    }

    #[test]
    fn values_agree_within_a_relative_tolerance() {
        assert!(agree(0.1 + 0.2, 0.3) && agree(0.0, -0.0) && agree(1e12, 1e12 + 1.0));
        assert!(!agree(1.0, 1.000_001) && !agree(0.0, 1e-300) && !agree(f64::NAN, f64::NAN));
    }

    #[test]
    fn partial_overlaps_are_checked_date_by_date() {
        let weekly = series(&[(0, 10.0), (7, 11.0), (14, 12.5), (21, 12.0), (28, 13.0), (35, 14.0)]);
        let later = series(&[(14, 12.5), (21, 12.0), (28, 13.0 + 1e-12), (35, 14.0), (42, 15.0)]);
        let o = check(0, 1, &weekly, &later, 4).expect("agree on 4 shared dates");
        assert_eq!(
            (o.shared, o.agreeing, o.from.to_string(), o.to.to_string()),
            (4, 4, "2026-01-15".into(), "2026-02-05".into())
        );
        assert!(check(0, 1, &weekly, &later, 5).is_none(), "only 4 shared dates");
        let one_off = series(&[(14, 12.5), (21, 12.0), (28, 13.1), (35, 14.0), (42, 15.0)]);
        assert!(check(0, 1, &weekly, &one_off, 3).is_none(), "a shared date that disagrees");
        let flat = series(&[(0, 0.0), (7, 0.0), (14, 0.0), (21, 0.0)]);
        assert!(check(0, 1, &flat, &flat.clone(), 4).is_none(), "one repeated value agrees by coincidence");
    }

    #[test]
    fn close_numbers_of_two_departments() {
        let crm = series(&[(0, 1.48), (31, 1.66), (59, 1.49), (90, 1.62)]);
        let billing = series(&[(0, 1.51), (31, 1.69), (59, 1.50), (90, 1.65)]);
        let n = near(&crm, &billing, 4).expect("within 5%");
        assert_eq!((n.shared, (n.gap * 1000.0).round()), (4, 20.0));
        let nursing = series(&[(0, 618.0), (31, 622.0), (59, 652.0), (90, 651.0)]);
        let trust = series(&[(0, 1022.0), (31, 1008.0), (59, 1055.0), (90, 1050.0)]);
        assert!(near(&nursing, &trust, 4).is_none(), "two populations");
        assert!(near(&crm, &crm.clone(), 4).is_none(), "agreeing series are duplicates, not near");
        assert!(near(&crm, &billing, 5).is_none(), "too few shared dates");
    }

    #[test]
    fn popular_points_are_skipped_and_pairs_need_enough_shared_points() {
        let copy = series(&[(0, 1.5), (7, 2.5), (14, 3.5), (21, 4.5), (28, 5.5)]);
        let zeros = series(&[(0, 0.0), (7, 0.0), (14, 0.0), (21, 0.0)]);
        let mut all: Vec<(Ix, &[Measurement])> = vec![(0, &copy), (1, &copy)];
        // Twenty KPIs at zero on the same dates: every zero point is shared by more than BUCKET_CAP.
        all.extend((2..22).map(|i| (i, &zeros[..])));
        assert_eq!(candidate_pairs(&all, 4), vec![(0, 1)]);
        assert_eq!(candidate_pairs(&all, 6), vec![]);
    }
}
