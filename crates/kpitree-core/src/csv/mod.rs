//! Flat CSV import and export of tree documents: one row a node, the shape spreadsheet users already keep.
//!
//! # The format
//!
//! ```text
//! # organisation: Acme
//! # as_of: 2026-11-27
//! # version: 1
//! # description: What Acme measures and why
//! id,kind,title,parents,target,unit,measurements,drives
//! growth,strategy,Grow in the north,,,,,
//! obj-1,objective,Win northern retail,growth,,,,
//! kpi-1,kpi,Store visits,obj-1,1200,visits,2026-09-30=1100; 2026-10-31=1180,kpi-2@30
//! kpi-2,kpi,Revenue,obj-1,,EUR,,
//! ```
//!
//! - **Metadata lines** come first and start with `#`: `organisation` (or `organization`), `as_of`,
//!   `version` and `description`, keys case-insensitive. Other `#` lines, and blank lines before the
//!   header, are comments. Several `description` lines make a description of several lines. The
//!   [`CsvMeta`] a caller supplies (the CLI's `--organisation` and `--as-of`) overrides these lines.
//!   `version` defaults to 1.
//! - **The header** names the columns, in any order, case-insensitive; only `id`, `kind` and `title`
//!   are required. The columns are those of [`COLUMN_NAMES`]; any other name is an error. A column with
//!   an empty header is ignored as long as all its cells are empty (spreadsheets leave such columns).
//! - **One row a node.** Cells are trimmed, and an empty cell means absent. Names of kinds, statuses,
//!   directions and indicators are case-insensitive, with `-` or a space accepted for `_`
//!   (`Key Result`). Numbers are plain decimals (`12.5`, `+3`, `-0.25`); a comma is
//!   rejected rather than guessed to be a decimal or thousands separator. Dates are `YYYY-MM-DD`.
//!   `used_in_appraisal` is `true`/`yes`/`1` or `false`/`no`/`0`/blank. A row whose cells are all
//!   blank is skipped. A file with CRLF line endings reads exactly as one with LF, line breaks inside
//!   quoted cells included.
//! - **Lists in a cell** are separated by `;`:
//!   - `parents`: ids, `obj-1; obj-2`.
//!   - `measurements`: `DATE=VALUE`, `2026-09-30=12.5; 2026-10-31=13.1`.
//!   - `check_ins`: `DATE=VALUE`, then optionally `@CONFIDENCE`, then optionally a note in double
//!     quotes (`""` for a quote inside it; a `;` inside the quotes does not end the entry):
//!     `2026-10-01=12 @0.7 "slow start; hiring ""late"""`.
//!   - `drives` (on the driver's row): `TARGET_ID` or `TARGET_ID@LAG_DAYS`, each becoming a
//!     [`Link`] of kind `drives` from this row's node.
//!   - `waivers`: `RULE`, then optionally `until DATE` (`until` in any case), then the reason in
//!     double quotes, which is required (`""` for a quote inside it; a `;` inside the quotes does not
//!     end the entry): `stale-kpi until 2027-03-31 "new CRM in Q1"; missing-owner "interim"`. A
//!     blank reason (`""`), a rule that is not a rule id or a rule waived twice on a row pass this
//!     reader and are refused by validation, as in JSON. (A valid waiver starts with its rule id,
//!     which cannot start as a formula does, so a written waivers cell never needs a guard.)
//!
//! # Formulas
//!
//! A spreadsheet that opens a CSV file evaluates a cell that starts with `=`, `+`, `-` or `@` (and,
//! in some, tab or carriage return) as a formula: `=HYPERLINK(...)`, `=cmd|' /C calc'!A0`, or
//! `-2+3+cmd` in an id or a title would run when someone opens an exported tree. As OWASP
//! recommends for CSV injection, [`to_csv`] writes such a cell with a single quote `'` before it,
//! which spreadsheets take as "this is text", and [`from_csv`] takes the quote off again, so a round
//! trip gives back the same text:
//!
//! - The triggers are `=`, `+`, `-`, `@`, tab, carriage return and line feed (a line feed only
//!   because a carriage return followed by one is read back as a line feed).
//! - The writer puts a `'` before a text cell that starts with a trigger, or that starts with `'`
//!   followed by a trigger or by another `'` (so a value that really starts with `'` keeps it).
//!   Text cells are every cell but the numbers: `id`, `title`, the other free texts, and the
//!   composite cells `parents`, `drives` and `waivers` (whose first id is at the start of the cell) as
//!   a whole;
//!   the others start with a fixed word or a date. A number (`-5` in `target`) is written as it is:
//!   a spreadsheet reads it as a number, which is harmless.
//! - The reader takes one leading `'` off any cell (after trimming it) when a trigger or another `'`
//!   follows it: `'=SUM(A1)` reads as `=SUM(A1)`, `''=x` as `'=x`, `'quoted'` stays as it is.
//! - `# organisation:` and `# description:` lines are free text that a spreadsheet splits into
//!   cells at each comma, so there the same rule applies to what follows each comma, with `"` (which
//!   would open a quoted cell) as one more trigger: `# description: a,=b` is written
//!   `# description: a,'=b`.
//!
//! # What CSV cannot say
//!
//! [`to_csv`] then [`from_csv`] gives back the same document, except for what this flat shape cannot
//! represent:
//! - a link's `note` (dropped), and a link whose `from` is no node's id (dropped);
//! - the order of `links`: they are read back grouped by driver, in node order;
//! - whitespace at either end of a value (trimmed), so text that is empty or only whitespace comes
//!   back absent; check-in notes are quoted and keep theirs;
//! - CRLF inside text (read back as LF); line breaks in `organisation` (written as spaces); a lone
//!   carriage return in `description` (read back as a line break);
//! - ids containing `;` (or, in `drives`, `@`); waived rule ids containing whitespace, `;` or `"`.
//!
//! # Validation
//!
//! Import only turns cells into the model. Unknown parents, cycles, legal kinds and which field applies
//! to which kind are checked afterwards by the same validation that JSON documents go through.

use crate::date::Date;
use crate::error::{LoadError, Location, Problem, ProblemKind};
use crate::model::{
    CheckIn, Direction, Indicator, Link, LinkKind, Measurement, Node, NodeKind, Status, Thresholds, TreeDoc, Waiver,
};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::fmt::Write as _;

/// Document values that the caller supplies (for example the CLI's `--organisation` and `--as-of`).
///
/// A value set here overrides the file's `# organisation:` or `# as_of:` line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsvMeta {
    /// Who the tree belongs to.
    pub organisation: Option<String>,
    /// The date the tree describes.
    pub as_of: Option<Date>,
}

/// The CSV columns, in the order [`to_csv`] writes them.
pub const COLUMN_NAMES: [&str; 26] = [
    "id",
    "kind",
    "title",
    "description",
    "rationale",
    "owner",
    "department",
    "parents",
    "status",
    "period",
    "start",
    "target",
    "current",
    "unit",
    "confidence",
    "cadence_days",
    "direction",
    "indicator",
    "threshold_at_risk",
    "threshold_off_track",
    "last_reviewed",
    "used_in_appraisal",
    "measurements",
    "check_ins",
    "drives",
    "waivers",
];

/// The version a file without a `# version:` line has.
const DEFAULT_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Id,
    Kind,
    Title,
    Description,
    Rationale,
    Owner,
    Department,
    Parents,
    Status,
    Period,
    Start,
    Target,
    Current,
    Unit,
    Confidence,
    CadenceDays,
    Direction,
    Indicator,
    ThresholdAtRisk,
    ThresholdOffTrack,
    LastReviewed,
    UsedInAppraisal,
    Measurements,
    CheckIns,
    Drives,
    Waivers,
}

impl Column {
    /// Every column, in the order of [`COLUMN_NAMES`].
    const ALL: [Column; 26] = [
        Column::Id,
        Column::Kind,
        Column::Title,
        Column::Description,
        Column::Rationale,
        Column::Owner,
        Column::Department,
        Column::Parents,
        Column::Status,
        Column::Period,
        Column::Start,
        Column::Target,
        Column::Current,
        Column::Unit,
        Column::Confidence,
        Column::CadenceDays,
        Column::Direction,
        Column::Indicator,
        Column::ThresholdAtRisk,
        Column::ThresholdOffTrack,
        Column::LastReviewed,
        Column::UsedInAppraisal,
        Column::Measurements,
        Column::CheckIns,
        Column::Drives,
        Column::Waivers,
    ];

    const REQUIRED: [Column; 3] = [Column::Id, Column::Kind, Column::Title];

    fn name(self) -> &'static str {
        COLUMN_NAMES[self as usize]
    }

    /// Looks up a header cell, case-insensitively.
    fn parse(header: &str) -> Option<Column> {
        let header = header.trim();
        Column::ALL.into_iter().find(|c| c.name().eq_ignore_ascii_case(header))
    }
}

// ---------------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------------

/// What a header cell names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Known(Column),
    /// A name that is no column (reported once, for the header; its cells are not read).
    Unknown,
    /// An empty header cell: allowed while the column's cells are empty.
    Unnamed,
}

/// Reads a tree document from CSV text. `file` names the source in error messages; `meta` supplies
/// (and overrides) the organisation and the `as_of` date.
///
/// Every problem is reported, not only the first: malformed CSV as [`ProblemKind::Syntax`], a bad
/// cell, header or `#` line as [`ProblemKind::Schema`], each with its 1-based line in `text` (counting
/// the `#` lines), the column name as `field`, and the node id when the row has one. This checks the
/// shape of cells only; the tree's meaning is validated afterwards, as for JSON.
///
/// # Errors
///
/// A [`LoadError`] naming `file`, with every problem found, when the text is not a well-formed tree
/// CSV or the organisation or `as_of` date is given neither in the text nor in `meta`.
pub fn from_csv(file: &str, text: &str, meta: &CsvMeta) -> Result<TreeDoc, LoadError> {
    from_csv_with_lines(file, text, meta).map(|(doc, _)| doc)
}

/// Like [`from_csv`], and also gives the line of each node's row, so that validation problems found
/// later can point at the row.
pub fn from_csv_with_lines(file: &str, text: &str, meta: &CsvMeta) -> Result<(TreeDoc, Vec<usize>), LoadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Read CRLF files exactly as LF ones, line breaks inside quoted cells included.
    let text: Cow<'_, str> =
        if text.contains("\r\n") { Cow::Owned(text.replace("\r\n", "\n")) } else { Cow::Borrowed(text) };
    let text = text.as_ref();
    let mut problems = Vec::new();
    let (preamble, body_start) = read_preamble(text, &mut problems);
    let body = &text[body_start..];

    let organisation = meta.organisation.clone().or(preamble.organisation);
    if organisation.is_none() && preamble.given_on[0].is_none() {
        problems.push(Problem::new(
            ProblemKind::Schema {
                detail: "missing: say whose tree this is with a line `# organisation: NAME` above the header, \
                         or pass `--organisation NAME`"
                    .to_owned(),
            },
            Location { field: Some("organisation".to_owned()), ..Location::default() },
        ));
    }
    let as_of = meta.as_of.or(preamble.as_of);
    if as_of.is_none() && preamble.given_on[1].is_none() {
        problems.push(Problem::new(
            ProblemKind::Schema {
                detail: "missing: say which date the tree describes with a line `# as_of: YYYY-MM-DD` above the \
                         header, or pass `--as-of YYYY-MM-DD`"
                    .to_owned(),
            },
            Location { field: Some("as_of".to_owned()), ..Location::default() },
        ));
    }

    let (nodes, links, lines) = read_body(body, preamble.lines, &mut problems);

    match (organisation, as_of) {
        (Some(organisation), Some(as_of)) if problems.is_empty() => Ok((
            TreeDoc {
                schema: None,
                version: preamble.version.unwrap_or(DEFAULT_VERSION),
                organisation,
                as_of,
                description: preamble.description,
                nodes,
                links,
            },
            lines,
        )),
        _ => Err(LoadError { file: file.to_owned(), problems }),
    }
}

mod cells;
mod guard;
mod read;
mod write;

use cells::Row;
pub(crate) use cells::parse_number;
use guard::{guard, guard_line, unguard, unguard_line};
use read::{read_body, read_preamble};
pub use write::to_csv;

#[cfg(test)]
mod tests {
    use super::cells::{parse_check_in, parse_waiver, split_outside_quotes};
    use super::guard::{is_line_trigger, is_trigger};
    use super::read::closest_column;
    use super::write::waiver_entry;
    use super::*;

    #[test]
    fn columns_match_their_names() {
        for (i, column) in Column::ALL.into_iter().enumerate() {
            assert_eq!(column as usize, i);
            assert_eq!(Column::parse(&COLUMN_NAMES[i].to_uppercase()), Some(column));
        }
    }

    #[test]
    fn typos_suggest_columns() {
        assert_eq!(closest_column("taget"), Some("target"));
        assert_eq!(closest_column("Check-Ins"), Some("check_ins"));
        assert_eq!(closest_column("no"), None);
        assert_eq!(closest_column("colour"), None);
    }

    #[test]
    fn formula_guards_round_trip() {
        let values =
            ["=1+1", "+x", "-2+3+cmd", "@SUM(A1)", "\tx", "\rx", "\nx", "'", "''", "'x", "'=x", "''=x", "x=1", ""];
        for v in values {
            let written = guard(Column::Title, v.to_owned());
            assert_eq!(unguard(&written), v, "{written:?}");
            assert!(!written.starts_with(is_trigger), "{written:?}");
            let line = format!("a,{v},b{v}");
            let written = guard_line(&line);
            assert_eq!(unguard_line(&written), line, "{written:?}");
            assert!(written.split(',').skip(1).all(|p| !p.starts_with(is_line_trigger)), "{written:?}");
        }
        // Numbers are written as they are; a quoted one reads as the number.
        assert_eq!(guard(Column::Target, "-5".to_owned()), "-5");
        assert_eq!(unguard("'-5"), "-5");
        assert_eq!(unguard("'plain"), "'plain");
    }

    #[test]
    fn notes_split_only_outside_quotes() {
        assert_eq!(split_outside_quotes(r#"a "x;""y"" ;z" ; b"#), vec![r#"a "x;""y"" ;z" "#, " b"]);
        let c = parse_check_in(r#"2026-10-01 = +12 @ 0.5 "a ""b""; c" "#);
        assert_eq!(c.map(|c| (c.value, c.confidence, c.note)), Ok((12.0, Some(0.5), Some(r#"a "b"; c"#.to_owned()))));
    }

    #[test]
    fn waivers_read_and_write() {
        let w = |rule: &str, reason: &str, until: Option<&str>| Waiver {
            rule: rule.to_owned(),
            reason: reason.to_owned(),
            until: until.and_then(Date::parse),
        };
        assert_eq!(
            parse_waiver(r#"stale-kpi until 2027-03-31 "new CRM; in Q1""#),
            Ok(w("stale-kpi", "new CRM; in Q1", Some("2027-03-31")))
        );
        assert_eq!(
            parse_waiver(r#"  missing-owner   UNTIL  2027-01-01"interim""#),
            Ok(w("missing-owner", "interim", Some("2027-01-01")))
        );
        assert_eq!(parse_waiver(r#"until " a ""b"" ""#), Ok(w("until", r#" a "b" "#, None)));
        for waiver in [w("x", "", None), w("=1+1", "\"quoted\" ; and\nmore ", Some("2026-02-28"))] {
            assert_eq!(parse_waiver(&waiver_entry(&waiver)), Ok(waiver.clone()));
        }
        let err = |entry: &str| parse_waiver(entry).err().unwrap_or_default();
        assert!(err("stale-kpi").starts_with("no reason;"), "{}", err("stale-kpi"));
        assert!(err("stale-kpi until 2027-02-30 \"x\"").contains("\"2027-02-30\" is not a date"));
        assert!(err("stale-kpi until \"x\"").starts_with("no date after `until`"));
        assert!(err("stale-kpi \"x").contains("the reason has no closing quote"));
        assert!(err("\"x\"").starts_with("no rule before the reason"));
        assert!(err("stale-kpi by 2027-01-01 \"x\"").starts_with("\"by 2027-01-01\" follows the rule"));
        assert!(err("stale-kpi until 2027-01-01 soon \"x\"").starts_with("\"soon\" follows the date"));
        assert!(err("stale-kpi \"x\" later").contains("\"later\" follows the reason's closing quote"));
    }
}
