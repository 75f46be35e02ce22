//! Small numeric helpers for series: least-squares slope, Pearson correlation, lagged pairing and
//! first differences.
//!
//! Only `+ - * /` and `sqrt` are used (all correctly rounded in IEEE 754), so results are identical
//! natively and in wasm.

use crate::date::Date;
use crate::model::Measurement;

/// A series sorted by date (borrowed when already sorted, which is the common case).
pub fn sorted(series: &[Measurement]) -> std::borrow::Cow<'_, [Measurement]> {
    if series.windows(2).all(|w| w[0].date <= w[1].date) {
        std::borrow::Cow::Borrowed(series)
    } else {
        let mut v = series.to_vec();
        crate::sort::sort_by_key(&mut v, |m| m.date);
        std::borrow::Cow::Owned(v)
    }
}

/// Least-squares slope of value over days, or `None` with fewer than two distinct dates.
pub fn slope_per_day(series: &[Measurement]) -> Option<f64> {
    let n = series.len() as f64;
    if series.len() < 2 {
        return None;
    }
    let t0 = series[0].date.days();
    let mean_x = series.iter().map(|m| f64::from(m.date.days() - t0)).sum::<f64>() / n;
    let mean_y = series.iter().map(|m| m.value).sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for m in series {
        let dx = f64::from(m.date.days() - t0) - mean_x;
        sxy += dx * (m.value - mean_y);
        sxx += dx * dx;
    }
    (sxx > 0.0).then(|| sxy / sxx)
}

/// Pearson's r of paired values, or `None` when either side does not vary or there are < 3 pairs.
pub fn pearson(pairs: &[(f64, f64)]) -> Option<f64> {
    if pairs.len() < 3 {
        return None;
    }
    let n = pairs.len() as f64;
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for &(x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

/// Pairs each driver value at date `d` with the outcome value nearest to `d + lag_days`, if one lies
/// within `tolerance_days`. Each outcome value is used at most once. Both series must be sorted.
pub fn lagged_pairs(
    driver: &[Measurement],
    outcome: &[Measurement],
    lag_days: i32,
    tolerance_days: i32,
) -> Vec<(f64, f64)> {
    let mut pairs = Vec::new();
    let mut used = vec![false; outcome.len()];
    let mut lo = 0usize;
    for d in driver {
        let want: Date = d.date.add_days(lag_days);
        while lo < outcome.len() && outcome[lo].date.days_since(want) < -tolerance_days {
            lo += 1;
        }
        let mut best: Option<(usize, i32)> = None;
        let mut j = lo;
        while j < outcome.len() && outcome[j].date.days_since(want) <= tolerance_days {
            let gap = outcome[j].date.days_since(want).abs();
            if !used[j] && best.is_none_or(|(_, g)| gap < g) {
                best = Some((j, gap));
            }
            j += 1;
        }
        if let Some((j, _)) = best {
            used[j] = true;
            pairs.push((d.value, outcome[j].value));
        }
    }
    pairs
}

/// The period-to-period changes of paired values: for consecutive pairs `(x0, y0)`, `(x1, y1)` the pair
/// `(x1 - x0, y1 - y0)`. Correlating changes instead of levels removes a trend both series share, so
/// two series that merely both grow do not correlate.
pub fn first_differences(pairs: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(pairs.len().saturating_sub(1));
    for w in pairs.windows(2) {
        out.push((w[1].0 - w[0].0, w[1].1 - w[0].1));
    }
    out
}

/// True if the values differ by more than rounding: the spread exceeds a billionth of their size.
/// Differences of a straight line are equal only up to rounding (0.1 + 0.2 - 0.2 is not 0.1), and a
/// correlation over such noise means nothing.
pub fn varies(values: impl Iterator<Item = f64>) -> bool {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    hi - lo > 1e-9 * lo.abs().max(hi.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(points: &[(&str, f64)]) -> Vec<Measurement> {
        points.iter().map(|(d, v)| Measurement { date: Date::parse(d).unwrap(), value: *v }).collect()
    }

    #[test]
    fn slope_and_correlation() {
        let s = series(&[("2026-01-01", 1.0), ("2026-01-11", 2.0), ("2026-01-21", 3.0)]);
        assert!((slope_per_day(&s).unwrap() - 0.1).abs() < 1e-12);
        assert_eq!(pearson(&[(1.0, 2.0), (2.0, 4.0), (3.0, 6.5)]).map(|r| r > 0.99), Some(true));
        assert_eq!(pearson(&[(1.0, 2.0), (1.0, 4.0), (1.0, 6.5)]), None);
    }

    #[test]
    fn pairs_respect_lag_and_tolerance() {
        let d = series(&[("2026-01-01", 1.0), ("2026-02-01", 2.0), ("2026-03-01", 3.0)]);
        let o = series(&[("2026-01-31", 10.0), ("2026-03-03", 20.0), ("2026-06-01", 30.0)]);
        assert_eq!(lagged_pairs(&d, &o, 30, 3), vec![(1.0, 10.0), (2.0, 20.0)]);
        assert_eq!(lagged_pairs(&d, &o, 0, 3), vec![(2.0, 10.0), (3.0, 20.0)]);
        assert_eq!(lagged_pairs(&d, &o, 0, 0), vec![]);
    }

    #[test]
    fn changes_remove_a_shared_trend() {
        assert_eq!(first_differences(&[(1.0, 10.0), (3.0, 11.0), (4.0, 15.0)]), vec![(2.0, 1.0), (1.0, 4.0)]);
        assert!(first_differences(&[(1.0, 1.0)]).is_empty() && first_differences(&[]).is_empty());
        // Both rise every step, with unrelated wiggles: the levels correlate, the changes do not.
        let a = [1.0, 3.0, 4.0, 6.0, 7.0, 9.0, 10.0, 12.0];
        let b = [10.0, 11.0, 13.0, 14.0, 16.0, 17.0, 19.0, 20.0];
        let pairs: Vec<(f64, f64)> = a.iter().copied().zip(b.iter().copied()).collect();
        assert!(pearson(&pairs).unwrap() > 0.98);
        assert!(pearson(&first_differences(&pairs)).unwrap() < -0.9);
        assert!(!varies([0.1 + 0.2 - 0.2, 0.1].into_iter()) && varies([1.0, 1.1].into_iter()));
        assert!(!varies([0.0, 0.0].into_iter()) && !varies(std::iter::empty()));
    }
}
