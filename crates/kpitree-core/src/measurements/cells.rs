//! One cell of a data file: dates in the common export formats, numbers with a dot or a decimal comma.

use super::DateOrder;
use crate::date::Date;

/// Why a date cell was refused.
#[derive(Debug, PartialEq)]
pub(super) enum DateError {
    /// Not a date (or not one that exists); the message says why.
    Bad(String),
    /// `NN/NN/YYYY` with no order given: the file needs `--date-order` (reported once per file).
    NeedsOrder(String),
}

const FORMATS: &str = "YYYY-MM-DD (optionally with a time, such as 2026-11-27T08:00:00Z), YYYY/MM/DD, \
                       DD.MM.YYYY, or DD/MM/YYYY and MM/DD/YYYY with --date-order dmy or mdy";

/// Reads a date as exports write it: `YYYY-MM-DD`, `YYYY/MM/DD`, `DD.MM.YYYY`, `NN/NN/YYYY` (or
/// `NN-NN-YYYY`) in the `order` given, each optionally followed by a time, which is ignored: the
/// calendar date is taken as written, whatever the offset.
pub(super) fn parse_date(cell: &str, order: Option<DateOrder>) -> Result<Date, DateError> {
    let bad = |why: &str| DateError::Bad(format!("{cell:?} is not a date: {why}"));
    let (date, time) = match cell.find(['T', ' ']) {
        Some(i) => (&cell[..i], Some(cell[i + 1..].trim())),
        None => (cell, None),
    };
    let Some(sep) = date.chars().find(|c| matches!(c, '-' | '/' | '.')) else {
        return Err(serial_or_unknown(cell));
    };
    let parts: Vec<&str> = date.split(sep).collect();
    let digits = |p: &str, lens: std::ops::RangeInclusive<usize>| {
        lens.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    let [a, b, c] = parts[..] else {
        return Err(serial_or_unknown(cell));
    };
    let n = |p: &str| p.parse::<u32>().unwrap_or(0);
    let (y, m, d) = if digits(a, 4..=4) && digits(b, 1..=2) && digits(c, 1..=2) && sep != '.' {
        (n(a), n(b), n(c))
    } else if digits(a, 1..=2) && digits(b, 1..=2) && digits(c, 4..=4) {
        if sep == '.' {
            (n(c), n(b), n(a))
        } else {
            let (x, z, y) = (n(a), n(b), n(c));
            match order {
                Some(DateOrder::Dmy) => (y, z, x),
                Some(DateOrder::Mdy) => (y, x, z),
                None => return Err(DateError::NeedsOrder(needs_order(cell, y, x, z))),
            }
        }
    } else {
        return Err(DateError::Bad(format!("{cell:?} is not a date; the formats read are {FORMATS}")));
    };
    // Checked once the date part has a date's shape, so that `Nov 27, 2026` lists the formats.
    if let Some(Err(why)) = time.map(check_time) {
        return Err(bad(&why));
    }
    let y = i32::try_from(y).unwrap_or(0);
    if !(1..=12).contains(&m) {
        let read = match order {
            Some(DateOrder::Dmy) if sep != '.' && c.len() == 4 => " read day first (--date-order dmy)",
            Some(DateOrder::Mdy) if sep != '.' && c.len() == 4 => " read month first (--date-order mdy)",
            _ => "",
        };
        return Err(bad(&format!("there is no month {m}{read}")));
    }
    if y == 0 {
        return Err(bad("there is no year 0"));
    }
    Date::from_ymd(y, m, d)
        .ok_or_else(|| bad(&format!("{} {y} has {} days", MONTHS[m as usize - 1], crate::date::days_in_month(y, m))))
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The message for `NN/NN/YYYY` without an order: both readings (or the one that exists).
fn needs_order(cell: &str, y: u32, first: u32, second: u32) -> String {
    let reading = |m: u32, d: u32| Date::from_ymd(i32::try_from(y).unwrap_or(0), m, d);
    let how = "the file must say which order all its dates use: pass --date-order dmy or --date-order mdy, \
               or export dates as YYYY-MM-DD";
    match (reading(second, first), reading(first, second)) {
        (Some(dmy), Some(mdy)) if dmy == mdy => {
            format!("{cell:?} does not say whether the day or the month comes first; {how}")
        }
        (Some(dmy), Some(mdy)) => {
            format!("{cell:?} is ambiguous: {dmy} read day first, {mdy} read month first; {how}")
        }
        (Some(dmy), None) => format!(
            "{cell:?} can only be {dmy} (day first), but a file is written in one order and its other dates may \
             not show it; {how}"
        ),
        (None, Some(mdy)) => format!(
            "{cell:?} can only be {mdy} (month first), but a file is written in one order and its other dates may \
             not show it; {how}"
        ),
        (None, None) => format!("{cell:?} is not a date in either order; {how}"),
    }
}

/// The times read after a date, for messages.
const TIMES: &str = "HH:MM[:SS[.fraction]] (00-23, 00-59, 00-60), or H:MM[:SS] AM/PM (hour 1-12), optionally \
                     followed by Z, UTC or an offset such as +02:00, +0200 or +02";

/// Checks a time after a date: 24-hour `HH:MM[:SS[.fraction]]` (or a 12-hour time with AM/PM), then
/// optionally `Z`, ` UTC` (BigQuery) or an offset `±HH:MM`, `±HHMM` or `±HH` (PostgreSQL). Only checked:
/// the date is taken as written.
fn check_time(t: &str) -> Result<(), String> {
    let generic = || format!("the time {t:?} is not one of {TIMES}");
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    let num = |p: &str| p.parse::<u32>().unwrap_or(0);
    // 12-hour: `8:00 PM`, `08:00:00 AM` (no zone).
    let upper = t.to_ascii_uppercase();
    let (t, twelve) = match upper.strip_suffix(" AM").or_else(|| upper.strip_suffix(" PM")) {
        Some(rest) => (&t[..rest.trim_end().len()], true),
        None => (t, false),
    };
    // The zone: `Z`, ` UTC`, or a sign and an offset.
    let (clock, zone) = if let Some(c) = t.strip_suffix('Z').or_else(|| t.strip_suffix(" UTC")) {
        (c, None)
    } else if let Some(i) = t.find(['+', '-']) {
        (&t[..i], Some(&t[i + 1..]))
    } else {
        (t, None)
    };
    if twelve && (zone.is_some() || clock.len() != t.len()) {
        return Err(generic());
    }
    let (hms, fraction) = clock.split_once('.').map_or((clock, None), |(a, b)| (a, Some(b)));
    if fraction.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return Err(generic());
    }
    let parts: Vec<&str> = hms.split(':').collect();
    let (h, rest) = match parts[..] {
        [h, m] | [h, m, _] if (1..=2).contains(&h.len()) && digits(h, h.len()) && digits(m, 2) => (num(h), &parts[1..]),
        _ => return Err(generic()),
    };
    if parts.len() == 3 && !digits(parts[2], 2) || parts.len() == 2 && fraction.is_some() {
        return Err(generic());
    }
    if twelve && !(1..=12).contains(&h) {
        return Err(format!("the hour {h} is not 1-12 in a time with AM or PM"));
    }
    if h > 23 {
        return Err(format!("the time {t:?} has no hour {h} (00-23)"));
    }
    if num(rest[0]) > 59 {
        return Err(format!("the time {t:?} has no minute {} (00-59)", rest[0]));
    }
    if rest.get(1).is_some_and(|s| num(s) > 60) {
        return Err(format!("the time {t:?} has no second {} (00-60)", rest[1]));
    }
    if let Some(z) = zone {
        let (zh, zm) = match z.split_once(':') {
            Some((a, b)) if digits(a, 2) && digits(b, 2) => (a, b),
            None if digits(z, 4) => (&z[..2], &z[2..]),
            None if digits(z, 2) => (z, "00"),
            _ => return Err(generic()),
        };
        if num(zh) > 14 || num(zm) > 59 {
            return Err(format!("the offset in {t:?} is not one from -14:00 to +14:00"));
        }
    }
    Ok(())
}

/// A cell with no separator: a spreadsheet's serial number, or not a date at all.
fn serial_or_unknown(cell: &str) -> DateError {
    let whole = cell.split_once('.').map_or(cell, |(w, f)| if f.bytes().all(|b| b.is_ascii_digit()) { w } else { "" });
    match whole.parse::<i32>() {
        Ok(n @ 1..=2_958_465) => DateError::Bad(serial_message(cell, n)),
        _ => DateError::Bad(format!("{cell:?} is not a date; the formats read are {FORMATS}")),
    }
}

/// What a number in a date column is: most likely a spreadsheet serial date.
pub(super) fn serial_message(cell: &str, n: i32) -> String {
    // Serial 25569 is 1970-01-01 (day 0) in the 1900 date system of Excel, LibreOffice and Sheets.
    let date = Date::from_days(n - 25_569);
    format!(
        "{cell:?} is a number, not a date: a spreadsheet's serial date number (days since 1899-12-30; this one \
         would be {date}); format the column as a date (YYYY-MM-DD) before exporting"
    )
}

/// A number cell. With `decimal_comma` (a `;`-separated file), `12,5` is 12.5; a cell with both a
/// comma and a dot, or a dot followed by exactly three digits (`1.500`: 1500 grouped, as a
/// decimal-comma spreadsheet writes it, or 1.5?) is refused rather than guessed.
pub(super) fn parse_value(cell: &str, decimal_comma: bool) -> Result<f64, String> {
    let grouped = cell.split_once('.').is_some_and(|(_, f)| f.len() == 3 && f.bytes().all(|b| b.is_ascii_digit()));
    if decimal_comma && grouped {
        return Err(format!(
            "{cell:?} is ambiguous: this `;`-separated file writes numbers with a decimal comma, where the dot \
             groups thousands (1500), but it may be a decimal point (1.5); write 1500 or 1,5"
        ));
    }
    if decimal_comma && cell.contains(',') {
        if cell.contains('.') || cell.matches(',').count() > 1 {
            return Err(format!(
                "{cell:?} is not a number; write numbers without thousands separators, such as 1234,5"
            ));
        }
        return crate::csv::parse_number(&cell.replacen(',', ".", 1)).map_err(|_| format!("{cell:?} is not a number"));
    }
    crate::csv::parse_number(cell)
}
