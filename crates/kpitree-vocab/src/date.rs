//! Calendar dates (`YYYY-MM-DD`) as plain day numbers, so staleness is integer arithmetic; `KTR1`
//! stores the same number.
//!
//! Hand-written rather than a date crate: the engine needs parsing, formatting and day differences
//! only, and this keeps the wasm builds (the engine's and every plugin's) small and free of any clock.

use std::fmt;

/// A proleptic Gregorian calendar date, stored as days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

impl Date {
    /// The date `days` after 1970-01-01 (before it when negative): any `i32`, as a `KTR1` buffer may
    /// hold one.
    pub const fn from_days(days: i32) -> Date {
        Date(days)
    }

    /// Builds a date from its parts, or `None` if it does not exist (for example 2026-02-30).
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) || !(1..=9999).contains(&y) {
            return None;
        }
        Some(Date(days_from_civil(y, m, d)))
    }

    /// Parses `YYYY-MM-DD` strictly (four-digit year, two-digit month and day).
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            b[r].iter().try_fold(0u32, |acc, c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
        };
        Date::from_ymd(num(0..4)? as i32, num(5..7)?, num(8..10)?)
    }

    /// Days since 1970-01-01 (negative before).
    pub const fn days(self) -> i32 {
        self.0
    }

    /// The date `days` after this one. Saturating: a date read from a hostile buffer may be any day.
    pub const fn add_days(self, days: i32) -> Date {
        Date(self.0.saturating_add(days))
    }

    /// Whole days from `earlier` to `self` (negative if `earlier` is later), saturating.
    pub const fn days_since(self, earlier: Date) -> i32 {
        self.0.saturating_sub(earlier.0)
    }

    /// Year, month and day.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date as \"YYYY-MM-DD\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Date, E> {
                Date::parse(v).ok_or_else(|| E::custom(format_args!("invalid date {v:?}, expected \"YYYY-MM-DD\"")))
            }
        }
        d.deserialize_str(V)
    }
}

/// Whether `y` is a leap year of the proleptic Gregorian calendar.
pub fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in month `m` (1-12) of year `y`.
pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

// Howard Hinnant's civil-date algorithms (public domain), exact for the proleptic Gregorian calendar.
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

// Wide arithmetic: a hostile buffer may hold any i32, and formatting it must not overflow.
fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = i64::from(z) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_differences() {
        for s in ["1970-01-01", "2000-02-29", "2026-11-27", "1969-12-31", "2400-12-31"] {
            assert_eq!(Date::parse(s).map(|d| d.to_string()).as_deref(), Some(s));
        }
        let a = Date::parse("2026-01-01").expect("a date");
        let b = Date::parse("2026-12-31").expect("a date");
        assert_eq!(b.days_since(a), 364);
        assert_eq!(a.add_days(364), b);
        assert_eq!(Date::parse("1970-01-02").map(Date::days), Some(1));
    }

    #[test]
    fn rejects_impossible_dates() {
        for s in ["2026-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "26-01-01", "2026/01/01", "2026-04-31"] {
            assert_eq!(Date::parse(s), None, "{s}");
        }
    }

    /// Extreme day numbers (a hostile buffer) format and subtract without overflow.
    #[test]
    fn extreme_days_neither_overflow_nor_panic() {
        let _ = Date::from_days(i32::MIN).to_string();
        let _ = Date::from_days(i32::MAX).to_string();
        assert_eq!(Date::from_days(i32::MAX).days_since(Date::from_days(i32::MIN)), i32::MAX);
        assert_eq!(Date::from_days(i32::MAX).add_days(1).days(), i32::MAX);
    }

    #[test]
    fn serde_is_the_text_form() {
        let d = Date::parse("2026-11-27").expect("a date");
        assert_eq!(serde_json::to_string(&d).expect("serializes"), r#""2026-11-27""#);
        assert_eq!(serde_json::from_str::<Date>(r#""2026-11-27""#).expect("deserializes"), d);
        let e = serde_json::from_str::<Date>(r#""2026-02-30""#).expect_err("no such day").to_string();
        assert!(e.starts_with(r#"invalid date "2026-02-30", expected "YYYY-MM-DD""#), "{e}");
    }
}
