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
    if time.is_some_and(|t| !is_time(t)) {
        return Err(DateError::Bad(format!("{cell:?} is not a date; the formats read are {FORMATS}")));
    }
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

/// A time after a date: `HH:MM`, optional seconds and fraction, then optionally `Z`, an offset or
/// AM/PM. Only checked to be one; the date is taken as written.
fn is_time(t: &str) -> bool {
    let t = t.trim_end();
    let upper = t.len().checked_sub(2).and_then(|i| t.get(i..)).map(str::to_ascii_uppercase);
    let t = if matches!(upper.as_deref(), Some("AM" | "PM")) { t[..t.len() - 2].trim_end() } else { t };
    let b = t.as_bytes();
    let colon = b.iter().position(|&c| c == b':');
    matches!(colon, Some(1 | 2))
        && b[0].is_ascii_digit()
        && b.iter().all(|c| c.is_ascii_digit() || matches!(c, b':' | b'.' | b'+' | b'-' | b'Z'))
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
/// comma and a dot is refused rather than guessed (which one is the thousands separator?).
pub(super) fn parse_value(cell: &str, decimal_comma: bool) -> Result<f64, String> {
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
