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
//!   composite cells `parents` and `drives` (whose first id is at the start of the cell) as a whole;
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
//! - ids containing `;` (or, in `drives`, `@`).
//!
//! # Validation
//!
//! Import only turns cells into the model. Unknown parents, cycles, legal kinds and which field applies
//! to which kind are checked afterwards by the same validation that JSON documents go through.

use crate::date::Date;
use crate::error::{LoadError, Location, Problem, ProblemKind};
use crate::model::{
    CheckIn, Direction, Indicator, Link, LinkKind, Measurement, Node, NodeKind, Status, Thresholds, TreeDoc,
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
pub const COLUMN_NAMES: [&str; 25] = [
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
}

impl Column {
    /// Every column, in the order of [`COLUMN_NAMES`].
    const ALL: [Column; 25] = [
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

/// What the leading `#` lines say.
#[derive(Default)]
struct Preamble {
    organisation: Option<String>,
    as_of: Option<Date>,
    version: Option<u32>,
    description: Option<String>,
    /// The line of the first `organisation`, `as_of` and `version` line with a value (valid or not).
    given_on: [Option<usize>; 3],
    /// How many lines the preamble takes (comments and blank lines included).
    lines: usize,
}

/// Reads the leading `#` and blank lines. Returns what they say and the byte offset of the header.
fn read_preamble(text: &str, problems: &mut Vec<Problem>) -> (Preamble, usize) {
    let mut p = Preamble::default();
    let mut offset = 0;
    while offset < text.len() {
        let rest = &text[offset..];
        let (raw, next) = match rest.find('\n') {
            Some(i) => (&rest[..i], offset + i + 1),
            None => (rest, text.len()),
        };
        let line = raw.trim();
        if !line.is_empty() && !line.starts_with('#') {
            break;
        }
        p.lines += 1;
        offset = next;
        let Some((key, value)) = line.strip_prefix('#').and_then(|c| c.split_once(':')) else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        let value = value.trim();
        let unguarded = unguard_line(value);
        let value = unguarded.as_ref();
        let line_no = p.lines;
        let problem = |field: &str, detail: String| {
            Problem::new(
                ProblemKind::Schema { detail },
                Location { field: Some(field.to_owned()), line: Some(line_no), ..Location::default() },
            )
        };
        let slot = match key.as_str() {
            "organisation" | "organization" => 0,
            "as_of" => 1,
            "version" => 2,
            "description" => {
                match &mut p.description {
                    Some(d) => {
                        d.push('\n');
                        d.push_str(value);
                    }
                    None => p.description = Some(value.to_owned()),
                }
                continue;
            }
            _ => continue, // a comment
        };
        let field = ["organisation", "as_of", "version"][slot];
        if value.is_empty() {
            continue; // as if absent; a missing organisation or as_of is reported with a hint
        }
        if let Some(first) = p.given_on[slot] {
            problems.push(problem(
                field,
                format!("given a second time (first on line {first}); keep one `# {field}:` line"),
            ));
            continue;
        }
        p.given_on[slot] = Some(line_no);
        match slot {
            0 => p.organisation = Some(value.to_owned()),
            1 => match parse_date(value) {
                Ok(d) => p.as_of = Some(d),
                Err(detail) => problems.push(problem(field, detail)),
            },
            _ => match value.parse::<u32>() {
                Ok(v) => p.version = Some(v),
                Err(_) => {
                    problems.push(problem(field, format!("{value:?} is not a version number; write `# version: 1`")));
                }
            },
        }
    }
    (p, offset)
}

/// Reads the header and the rows. `line_offset` is the number of lines before `body`.
fn read_body(body: &str, line_offset: usize, problems: &mut Vec<Problem>) -> (Vec<Node>, Vec<Link>, Vec<usize>) {
    let mut nodes = Vec::new();
    let mut lines = Vec::new();
    let mut links = Vec::new();
    let line_of =
        |pos: Option<&::csv::Position>| pos.map(|p| line_offset + usize::try_from(p.line()).unwrap_or(usize::MAX / 2));
    let syntax = |detail: String, line: Option<usize>| {
        Problem::new(ProblemKind::Syntax { detail }, Location { line, ..Location::default() })
    };

    let mut reader = ::csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(body.as_bytes());
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problems.push(syntax(e.to_string(), line_of(e.position())));
            return (nodes, links, lines);
        }
    };
    let header_line = line_of(header.position()).unwrap_or(line_offset + 1);
    if header.iter().all(|h| h.trim().is_empty()) {
        problems.push(syntax(
            "no header row: after the `#` lines, the first line must name the columns, such as `id,kind,title`"
                .to_owned(),
            Some(header_line),
        ));
        return (nodes, links, lines);
    }
    let columns = read_header(&header, header_line, problems);

    let mut records: Vec<::csv::StringRecord> = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => records.push(r),
            Err(e) => problems.push(syntax(e.to_string(), line_of(e.position()))),
        }
    }
    // The csv crate takes an unclosed quote to run to the end of the text; say so, and do not
    // report the swallowed remainder as a row.
    if let Some(open) = unclosed_quote(body) {
        problems.push(syntax(
            "a quoted cell starting on this line is never closed (a `\"` is missing)".to_owned(),
            Some(line_offset + open),
        ));
        records.pop();
    }

    for record in &records {
        let line = line_of(record.position()).unwrap_or(header_line);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let id = columns.iter().position(|c| *c == Slot::Known(Column::Id)).and_then(|i| record.get(i)).map(str::trim);
        let id = id.filter(|id| !id.is_empty());
        if record.len() != header.len() {
            let stray_hash_line = record.get(0).is_some_and(|c| c.trim_start().starts_with('#'));
            let detail = if stray_hash_line {
                "`#` lines (metadata and comments) must come before the header".to_owned()
            } else {
                format!(
                    "this row has {} cells but the header has {} columns; every row needs one cell per column \
                     (an empty cell for an absent value)",
                    record.len(),
                    header.len()
                )
            };
            problems.push(Problem::new(
                ProblemKind::Syntax { detail },
                Location {
                    node: id.filter(|_| !stray_hash_line).map(str::to_owned),
                    line: Some(line),
                    ..Location::default()
                },
            ));
            continue;
        }
        let mut row = Row { id, line, problems: &mut *problems };
        let (node, drives) = row.read(&columns, record);
        links.extend(drives.into_iter().map(|(to, lag_days)| Link {
            from: node.id.clone(),
            to,
            kind: LinkKind::Drives,
            lag_days,
            note: None,
        }));
        nodes.push(node);
        lines.push(line);
    }
    (nodes, links, lines)
}

/// Maps header cells to columns, reporting unknown, repeated and missing required columns.
fn read_header(header: &::csv::StringRecord, line: usize, problems: &mut Vec<Problem>) -> Vec<Slot> {
    let problem = |field: &str, detail: String| {
        Problem::new(
            ProblemKind::Schema { detail },
            Location { field: Some(field.to_owned()), line: Some(line), ..Location::default() },
        )
    };
    let mut columns = Vec::with_capacity(header.len());
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        let slot = match Column::parse(name) {
            None if name.is_empty() => Slot::Unnamed,
            None => {
                let hint = match closest_column(name) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => format!("the columns are: {}", COLUMN_NAMES.join(", ")),
                };
                problems.push(problem(name, format!("unknown column; {hint}")));
                Slot::Unknown
            }
            Some(c) => {
                if let Some(first) = columns.iter().position(|x| *x == Slot::Known(c)) {
                    problems.push(problem(
                        c.name(),
                        format!("column given twice (columns {} and {}); keep one", first + 1, i + 1),
                    ));
                }
                Slot::Known(c)
            }
        };
        columns.push(slot);
    }
    for required in Column::REQUIRED {
        if !columns.contains(&Slot::Known(required)) {
            problems.push(problem(
                required.name(),
                "required column is missing from the header (every file needs `id`, `kind` and `title`)".to_owned(),
            ));
        }
    }
    columns
}

/// The column `name` is most likely a typo of: the nearest within one edit per three letters (so
/// `taget` suggests `target`, but `no` does not suggest `id`).
fn closest_column(name: &str) -> Option<&'static str> {
    let name = name.to_ascii_lowercase();
    let mut best: Option<(usize, &'static str)> = None;
    for candidate in COLUMN_NAMES {
        let d = edit_distance(&name, candidate);
        if d * 3 <= candidate.len() && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance between two short strings.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// The 1-based line (within `body`) where a quoted cell opens that is never closed, if any.
///
/// Follows the csv crate's reading: a `"` opens a quoted cell only at the start of a cell, and `""`
/// inside one is a literal quote.
fn unclosed_quote(body: &str) -> Option<usize> {
    #[derive(PartialEq)]
    enum State {
        CellStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::CellStart;
    let mut line = 1;
    let mut opened = 0;
    for c in body.chars() {
        state = match (state, c) {
            (State::Quoted, '"') => State::QuoteInQuoted,
            (State::Quoted, _) | (State::QuoteInQuoted, '"') => State::Quoted,
            (State::CellStart, '"') => {
                opened = line;
                State::Quoted
            }
            (_, ',' | '\n') => State::CellStart,
            (_, _) => State::Unquoted,
        };
        if c == '\n' {
            line += 1;
        }
    }
    (state == State::Quoted).then_some(opened)
}

/// One row being read; collects its problems with the row's location.
struct Row<'a> {
    id: Option<&'a str>,
    line: usize,
    problems: &'a mut Vec<Problem>,
}

impl Row<'_> {
    fn problem(&mut self, column: Column, detail: String) {
        self.problems.push(Problem::new(
            ProblemKind::Schema { detail },
            Location {
                node: self.id.map(str::to_owned),
                field: Some(column.name().to_owned()),
                line: Some(self.line),
                column: None,
                position: None,
            },
        ));
    }

    /// Builds the row's node, and the `(to, lag_days)` of its `drives` cell.
    fn read(&mut self, columns: &[Slot], record: &::csv::StringRecord) -> (Node, Vec<(String, Option<u32>)>) {
        let mut node = Node::new("", NodeKind::Kpi, "");
        let mut drives = Vec::new();
        let (mut at_risk, mut off_track) = (None, None);
        for (i, (slot, value)) in columns.iter().zip(record.iter()).enumerate() {
            let value = unguard(value.trim());
            let column = match *slot {
                Slot::Known(column) => column,
                Slot::Unknown => continue,
                Slot::Unnamed if value.is_empty() => continue,
                Slot::Unnamed => {
                    self.problems.push(Problem::new(
                        ProblemKind::Schema {
                            detail: format!(
                                "cell {} holds {value:?} but its column has no header; name the column or empty the cell",
                                i + 1
                            ),
                        },
                        Location { node: self.id.map(str::to_owned), line: Some(self.line), ..Location::default() },
                    ));
                    continue;
                }
            };
            match column {
                Column::Id => node.id = value.to_owned(),
                Column::Kind => {
                    node.kind = self.choice(column, value, "node kind", NodeKind::parse).unwrap_or(NodeKind::Kpi);
                }
                Column::Title => node.title = value.to_owned(),
                Column::Description => node.description = text(value),
                Column::Rationale => node.rationale = text(value),
                Column::Owner => node.owner = text(value),
                Column::Department => node.department = text(value),
                Column::Parents => node.parents = entries(value).map(str::to_owned).collect(),
                Column::Status => {
                    node.status = self.choice(column, value, "status", Status::parse).unwrap_or_default();
                }
                Column::Period => node.period = text(value),
                Column::Start => node.start = self.number(column, value),
                Column::Target => node.target = self.number(column, value),
                Column::Current => node.current = self.number(column, value),
                Column::Unit => node.unit = text(value),
                Column::Confidence => node.confidence = self.number(column, value),
                Column::CadenceDays => node.cadence_days = self.days(column, value),
                Column::Direction => node.direction = self.choice(column, value, "direction", Direction::parse),
                Column::Indicator => node.indicator = self.choice(column, value, "indicator", Indicator::parse),
                Column::ThresholdAtRisk => at_risk = (!value.is_empty()).then(|| self.number(column, value)),
                Column::ThresholdOffTrack => off_track = (!value.is_empty()).then(|| self.number(column, value)),
                Column::LastReviewed => node.last_reviewed = self.date(column, value),
                Column::UsedInAppraisal => node.used_in_appraisal = self.boolean(column, value),
                Column::Measurements => node.measurements = self.measurements(value),
                Column::CheckIns => node.check_ins = self.check_ins(value),
                Column::Drives => drives = self.drives(value),
            }
        }
        // Outer option: the cell is filled; inner: it holds a number (a bad one is already reported).
        match (at_risk, off_track) {
            (Some(Some(at_risk)), Some(Some(off_track))) => node.thresholds = Some(Thresholds { at_risk, off_track }),
            (Some(_), None) => self.problem(
                Column::ThresholdOffTrack,
                "missing, but `threshold_at_risk` is set; give both thresholds or neither".to_owned(),
            ),
            (None, Some(_)) => self.problem(
                Column::ThresholdAtRisk,
                "missing, but `threshold_off_track` is set; give both thresholds or neither".to_owned(),
            ),
            _ => {}
        }
        (node, drives)
    }

    /// A value of one of the model's enums (`kind`, `status`, ...); `what` names it in messages.
    fn choice<T>(&mut self, column: Column, value: &str, what: &str, parse: fn(&str) -> Option<T>) -> Option<T> {
        let choices = match column {
            Column::Kind => "strategy, objective, key_result or kpi",
            Column::Status => "active, draft or retired (empty means active)",
            Column::Direction => "higher_is_better or lower_is_better",
            _ => "leading or lagging",
        };
        if value.is_empty() {
            if column == Column::Kind {
                self.problem(column, format!("missing; every row needs a kind: {choices}"));
            }
            return None;
        }
        let parsed = parse(&value.to_ascii_lowercase().replace([' ', '-'], "_"));
        if parsed.is_none() {
            self.problem(column, format!("{value:?} is not a {what}; expected {choices}"));
        }
        parsed
    }

    fn number(&mut self, column: Column, value: &str) -> Option<f64> {
        if value.is_empty() {
            return None;
        }
        parse_number(value).map_err(|detail| self.problem(column, detail)).ok()
    }

    fn days(&mut self, column: Column, value: &str) -> Option<u32> {
        if value.is_empty() {
            return None;
        }
        parse_days(value).map_err(|detail| self.problem(column, detail)).ok()
    }

    fn date(&mut self, column: Column, value: &str) -> Option<Date> {
        if value.is_empty() {
            return None;
        }
        parse_date(value).map_err(|detail| self.problem(column, detail)).ok()
    }

    fn boolean(&mut self, column: Column, value: &str) -> bool {
        match value.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => true,
            "false" | "no" | "0" | "" => false,
            _ => {
                self.problem(
                    column,
                    format!("{value:?} is not true or false; write true, false, yes, no, 1 or 0 (empty means false)"),
                );
                false
            }
        }
    }

    fn measurements(&mut self, cell: &str) -> Vec<Measurement> {
        let mut out = Vec::new();
        for entry in entries(cell) {
            let parsed = match entry.split_once('=') {
                None => Err("expected DATE=VALUE, for example 2026-09-30=12.5".to_owned()),
                Some((date, value)) => parse_date(date.trim())
                    .and_then(|date| Ok(Measurement { date, value: parse_number(value.trim())? })),
            };
            match parsed {
                Ok(m) => out.push(m),
                Err(detail) => self.problem(Column::Measurements, format!("measurement {entry:?}: {detail}")),
            }
        }
        out
    }

    fn check_ins(&mut self, cell: &str) -> Vec<CheckIn> {
        let mut out = Vec::new();
        for entry in split_outside_quotes(cell).into_iter().map(str::trim).filter(|e| !e.is_empty()) {
            match parse_check_in(entry) {
                Ok(c) => out.push(c),
                Err(detail) => self.problem(Column::CheckIns, format!("check-in {entry:?}: {detail}")),
            }
        }
        out
    }

    fn drives(&mut self, cell: &str) -> Vec<(String, Option<u32>)> {
        let mut out = Vec::new();
        for entry in entries(cell) {
            let (to, lag) = match entry.rsplit_once('@') {
                Some((to, lag)) => (to.trim(), Some(lag.trim())),
                None => (entry, None),
            };
            let lag = match lag.map(parse_days).transpose() {
                Ok(lag) => lag,
                Err(detail) => {
                    self.problem(Column::Drives, format!("entry {entry:?}: {detail}"));
                    continue;
                }
            };
            if to.is_empty() {
                self.problem(
                    Column::Drives,
                    format!("entry {entry:?} names no node; write TARGET_ID or TARGET_ID@LAG_DAYS, such as kpi-2@30"),
                );
                continue;
            }
            out.push((to.to_owned(), lag));
        }
        out
    }
}

/// A free-text cell (already trimmed): absent when empty.
fn text(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

/// The non-empty, trimmed `;`-separated entries of a cell.
fn entries(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').map(str::trim).filter(|e| !e.is_empty())
}

fn parse_number(value: &str) -> Result<f64, String> {
    if value.contains([',', ' ', '\'', '_']) {
        return Err(format!(
            "{value:?} is not a number; write plain decimals with a dot and no thousands separators, such as 1234.5"
        ));
    }
    if let Some(number) = value.strip_suffix('%') {
        return Err(format!(
            "{value:?} is not a number; write {number} without the % sign (a confidence is a fraction, such as 0.7)"
        ));
    }
    match value.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("{value:?} is not a finite number")),
        Err(_) => Err(format!("{value:?} is not a number")),
    }
}

fn parse_days(value: &str) -> Result<u32, String> {
    value.parse::<u32>().map_err(|_| format!("{value:?} is not a whole number of days (0 or more)"))
}

fn parse_date(value: &str) -> Result<Date, String> {
    Date::parse(value).ok_or_else(|| format!("{value:?} is not a date; expected YYYY-MM-DD, such as 2026-11-27"))
}

/// Splits a cell at the `;`s that are not inside double quotes.
fn split_outside_quotes(cell: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut in_quotes = false;
    let mut start = 0;
    for (i, c) in cell.char_indices() {
        match c {
            // `""` inside quotes toggles twice, so it stays inside.
            '"' => in_quotes = !in_quotes,
            ';' if !in_quotes => {
                parts.push(&cell[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&cell[start..]);
    parts
}

/// Parses `DATE=VALUE [@CONFIDENCE] ["NOTE"]`.
fn parse_check_in(entry: &str) -> Result<CheckIn, String> {
    const SHAPE: &str = "expected DATE=VALUE, then optionally @CONFIDENCE and a \"NOTE\", \
                         such as 2026-10-01=12 @0.7 \"hiring is late\"";
    let (head, note) = match entry.find('"') {
        None => (entry, None),
        Some(q) => (&entry[..q], Some(parse_note(&entry[q + 1..])?)),
    };
    let (head, confidence) = match head.split_once('@') {
        Some((head, confidence)) => (head, Some(confidence.trim())),
        None => (head, None),
    };
    let Some((date, value)) = head.split_once('=') else {
        return Err(SHAPE.to_owned());
    };
    let confidence = match confidence {
        Some("") => return Err(format!("no confidence after `@`; {SHAPE}")),
        Some(c) => Some(parse_number(c)?),
        None => None,
    };
    Ok(CheckIn { date: parse_date(date.trim())?, value: parse_number(value.trim())?, confidence, note })
}

/// Reads a note's text after its opening quote, up to the closing quote, with `""` for `"`.
/// Only whitespace may follow the closing quote.
fn parse_note(rest: &str) -> Result<String, String> {
    let mut note = String::new();
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '"' {
            note.push(c);
        } else if chars.next_if(|(_, c)| *c == '"').is_some() {
            note.push('"');
        } else {
            let after = rest[i + 1..].trim();
            if after.is_empty() {
                return Ok(note);
            }
            return Err(format!(
                "{after:?} follows the note's closing quote; the note must come last (write \"\" for a quote inside it)"
            ));
        }
    }
    Err("the note has no closing quote".to_owned())
}

// ---------------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------------

/// Writes a tree document as CSV: the `#` metadata lines, a header naming `id`, `kind`, `title` and
/// every other column some node uses (in the order of [`COLUMN_NAMES`]), then one row per node in
/// document order, with each node's `drives` links in its `drives` cell.
///
/// Link notes, and links whose `from` is no node's id, are dropped: CSV has no place for them (see the
/// module documentation for everything that does not round-trip).
pub fn to_csv(doc: &TreeDoc) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# organisation: {}", guard_line(&doc.organisation.replace(['\r', '\n'], " ")));
    let _ = writeln!(out, "# as_of: {}", doc.as_of);
    let _ = writeln!(out, "# version: {}", doc.version);
    if let Some(description) = &doc.description {
        // A spreadsheet also ends a line at a lone carriage return, and would read what follows as a
        // row of cells: it starts a new description line instead.
        for line in description.replace("\r\n", "\n").split(['\r', '\n']) {
            let line = line.trim();
            if line.is_empty() {
                out.push_str("# description:\n");
            } else {
                let _ = writeln!(out, "# description: {}", guard_line(line));
            }
        }
    }

    // Each link goes to the row of the first node with its `from` id.
    let mut row_of: FxHashMap<&str, usize> = FxHashMap::default();
    for (i, node) in doc.nodes.iter().enumerate() {
        row_of.entry(node.id.as_str()).or_insert(i);
    }
    let mut drives: Vec<Vec<String>> = vec![Vec::new(); doc.nodes.len()];
    for link in &doc.links {
        // `drives` is the only kind; a new kind must decide how CSV writes it.
        let LinkKind::Drives = link.kind;
        if let Some(&i) = row_of.get(link.from.as_str()) {
            drives[i].push(match link.lag_days {
                Some(lag) => format!("{}@{lag}", link.to),
                None => link.to.clone(),
            });
        }
    }

    let rows: Vec<Vec<String>> = doc
        .nodes
        .iter()
        .zip(&drives)
        .map(|(node, drives)| Column::ALL.iter().map(|c| guard(*c, cell(node, *c, drives))).collect())
        .collect();
    let used: Vec<usize> = (0..Column::ALL.len())
        .filter(|&i| Column::REQUIRED.contains(&Column::ALL[i]) || rows.iter().any(|r| !r[i].is_empty()))
        .collect();

    write_row(&mut out, used.iter().map(|&i| COLUMN_NAMES[i]));
    for row in &rows {
        write_row(&mut out, used.iter().map(|&i| row[i].as_str()));
    }
    out
}

/// The text of one cell of a node's row.
fn cell(node: &Node, column: Column, drives: &[String]) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    match column {
        Column::Id => node.id.clone(),
        Column::Kind => node.kind.as_str().to_owned(),
        Column::Title => node.title.clone(),
        Column::Description => opt(&node.description),
        Column::Rationale => opt(&node.rationale),
        Column::Owner => opt(&node.owner),
        Column::Department => opt(&node.department),
        Column::Parents => node.parents.join("; "),
        Column::Status if node.status == Status::Active => String::new(),
        Column::Status => node.status.as_str().to_owned(),
        Column::Period => opt(&node.period),
        Column::Start => num(node.start),
        Column::Target => num(node.target),
        Column::Current => num(node.current),
        Column::Unit => opt(&node.unit),
        Column::Confidence => num(node.confidence),
        Column::CadenceDays => node.cadence_days.map(|d| d.to_string()).unwrap_or_default(),
        Column::Direction => node.direction.map(|d| d.as_str().to_owned()).unwrap_or_default(),
        Column::Indicator => node.indicator.map(|i| i.as_str().to_owned()).unwrap_or_default(),
        Column::ThresholdAtRisk => num(node.thresholds.map(|t| t.at_risk)),
        Column::ThresholdOffTrack => num(node.thresholds.map(|t| t.off_track)),
        Column::LastReviewed => node.last_reviewed.map(|d| d.to_string()).unwrap_or_default(),
        Column::UsedInAppraisal => if node.used_in_appraisal { "true" } else { "" }.to_owned(),
        Column::Measurements => {
            node.measurements.iter().map(|m| format!("{}={}", m.date, m.value)).collect::<Vec<_>>().join("; ")
        }
        Column::CheckIns => node.check_ins.iter().map(check_in_entry).collect::<Vec<_>>().join("; "),
        Column::Drives => drives.join("; "),
    }
}

/// The characters that make a spreadsheet take a cell for a formula (see "Formulas" in the module
/// documentation).
fn is_trigger(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r' | '\n')
}

/// Whether text written at the start of a cell needs a `'` before it: it starts with a character
/// `trigger` accepts, or with a `'` that the reader would otherwise take off.
fn needs_guard(text: &str, trigger: fn(char) -> bool) -> bool {
    let mut chars = text.chars();
    match chars.next() {
        Some('\'') => chars.next().is_some_and(|c| c == '\'' || trigger(c)),
        Some(c) => trigger(c),
        None => false,
    }
}

/// What comes after the `'` that [`needs_guard`] asked for, if `text` starts with one.
fn guarded(text: &str, trigger: fn(char) -> bool) -> Option<&str> {
    text.strip_prefix('\'').filter(|rest| rest.starts_with(|c| c == '\'' || trigger(c)))
}

/// In a `#` line, what follows a comma also starts a cell, and a `"` there would open a quoted one.
fn is_line_trigger(c: char) -> bool {
    c == '"' || is_trigger(c)
}

/// A cell as written: text cells that a spreadsheet would evaluate get a `'` in front; numbers are
/// left as they are.
fn guard(column: Column, cell: String) -> String {
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
fn unguard(cell: &str) -> &str {
    guarded(cell, is_trigger).unwrap_or(cell)
}

/// A `#` line's value as written: a spreadsheet splits it into cells at each comma, so a `'` goes
/// after every comma that a trigger, a `"` or a `'` the reader would take off follows.
fn guard_line(value: &str) -> Cow<'_, str> {
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
fn unguard_line(value: &str) -> Cow<'_, str> {
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

fn check_in_entry(c: &CheckIn) -> String {
    let mut s = format!("{}={}", c.date, c.value);
    if let Some(confidence) = c.confidence {
        let _ = write!(s, " @{confidence}");
    }
    if let Some(note) = &c.note {
        let _ = write!(s, " \"{}\"", note.replace('"', "\"\""));
    }
    s
}

/// Writes one CSV line, quoting the cells that need it.
fn write_row<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if cell.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
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
}
