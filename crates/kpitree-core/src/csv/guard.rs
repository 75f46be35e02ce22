//! The formula guards (see the module documentation, *Formulas*).

use super::*;

/// The characters that make a spreadsheet take a cell for a formula (see "Formulas" in the module
/// documentation).
pub(super) fn is_trigger(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r' | '\n')
}

/// Whether text written at the start of a cell needs a `'` before it: it starts with a character
/// `trigger` accepts, or with a `'` that the reader would otherwise take off.
pub(super) fn needs_guard(text: &str, trigger: fn(char) -> bool) -> bool {
    let mut chars = text.chars();
    match chars.next() {
        Some('\'') => chars.next().is_some_and(|c| c == '\'' || trigger(c)),
        Some(c) => trigger(c),
        None => false,
    }
}

/// What comes after the `'` that [`needs_guard`] asked for, if `text` starts with one.
pub(super) fn guarded(text: &str, trigger: fn(char) -> bool) -> Option<&str> {
    text.strip_prefix('\'').filter(|rest| rest.starts_with(|c| c == '\'' || trigger(c)))
}

/// In a `#` line, what follows a comma also starts a cell, and a `"` there would open a quoted one.
pub(super) fn is_line_trigger(c: char) -> bool {
    c == '"' || is_trigger(c)
}

/// A cell as written: text cells that a spreadsheet would evaluate get a `'` in front; numbers are
/// left as they are.
pub(super) fn guard(column: Column, cell: String) -> String {
    let number = matches!(
        column,
        Column::Start
            | Column::Target
            | Column::Current
            | Column::Confidence
            | Column::CadenceDays
            | Column::ThresholdAtRisk
            | Column::ThresholdOffTrack
    );
    if !number && needs_guard(&cell, is_trigger) { format!("'{cell}") } else { cell }
}

/// A trimmed cell as read: without the `'` that [`guard`] puts in front.
pub(super) fn unguard(cell: &str) -> &str {
    guarded(cell, is_trigger).unwrap_or(cell)
}

/// A `#` line's value as written: a spreadsheet splits it into cells at each comma, so a `'` goes
/// after every comma that a trigger, a `"` or a `'` the reader would take off follows.
pub(super) fn guard_line(value: &str) -> Cow<'_, str> {
    let needs = |part: &str| needs_guard(part, is_line_trigger);
    if !value.split(',').skip(1).any(needs) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 4);
    for (i, part) in value.split(',').enumerate() {
        if i > 0 {
            out.push(',');
            if needs(part) {
                out.push('\'');
            }
        }
        out.push_str(part);
    }
    Cow::Owned(out)
}

/// A `#` line's value as read: without the `'`s that [`guard_line`] puts after commas.
pub(super) fn unguard_line(value: &str) -> Cow<'_, str> {
    let unguarded = |part: &str| guarded(part, is_line_trigger).is_some();
    if !value.split(',').skip(1).any(unguarded) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    for (i, part) in value.split(',').enumerate() {
        if i > 0 {
            out.push(',');
        }
        match guarded(part, is_line_trigger) {
            Some(rest) if i > 0 => out.push_str(rest),
            _ => out.push_str(part),
        }
    }
    Cow::Owned(out)
}
