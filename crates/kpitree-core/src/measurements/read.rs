//! Reading a data file into rows: CSV (header, sniffed delimiter) and JSON (an array of row objects
//! or JSON Lines), every problem located at its row.

use super::cells::{DateError, parse_date, parse_value, serial_message};
use super::{DateOrder, Row, Series};
use crate::error::{Location, Problem, ProblemKind};

/// Every column (and JSON key) a data file may have.
pub(super) const COLUMNS: [&str; 6] = ["kpi_id", "kr_id", "date", "value", "confidence", "note"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    KpiId,
    KrId,
    Date,
    Value,
    Confidence,
    Note,
}

impl Col {
    const ALL: [Col; 6] = [Col::KpiId, Col::KrId, Col::Date, Col::Value, Col::Confidence, Col::Note];

    fn name(self) -> &'static str {
        COLUMNS[self as usize]
    }

    /// A header cell or JSON key: case-insensitive, with `-` or a space accepted for `_`.
    fn parse(name: &str) -> Option<Col> {
        let name = name.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Col::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// The expected columns, for messages.
const EXPECTED: &str = "`kpi_id,date,value` (KPI measurements) or `kr_id,date,value` with optional `confidence` and \
                        `note` (key-result check-ins)";

fn unknown_name(name: &str) -> String {
    match crate::config::closest(name, &COLUMNS) {
        Some(c) => format!("unknown column `{name}`; did you mean `{c}`?"),
        None => format!("unknown column `{name}`; a data file has the columns {EXPECTED}"),
    }
}

/// Collects the problems of one file, and the one `--date-order` problem a file gets however many
/// of its dates need it.
pub(super) struct Sink<'p> {
    pub(super) problems: &'p mut Vec<Problem>,
    order: Option<DateOrder>,
    /// Position in `problems` of the first date that needs an order, and how many more there are.
    needs_order: Option<(usize, usize)>,
}

impl<'p> Sink<'p> {
    pub(super) fn new(problems: &'p mut Vec<Problem>, order: Option<DateOrder>) -> Sink<'p> {
        Sink { problems, order, needs_order: None }
    }

    fn push(&mut self, kind: ProblemKind, at: Location) {
        self.problems.push(Problem::new(kind, at));
    }

    fn schema(&mut self, detail: String, at: Location) {
        self.push(ProblemKind::Schema { detail }, at);
    }

    fn date(&mut self, cell: &str, at: Location) -> Option<crate::Date> {
        match parse_date(cell, self.order) {
            Ok(d) => Some(d),
            Err(DateError::Bad(detail)) => {
                self.schema(detail, at);
                None
            }
            Err(DateError::NeedsOrder(detail)) => {
                match &mut self.needs_order {
                    Some((_, more)) => *more += 1,
                    None => {
                        self.needs_order = Some((self.problems.len(), 0));
                        self.schema(detail, at);
                    }
                }
                None
            }
        }
    }

    /// Ends the file: the first date that needed an order says how many more did.
    pub(super) fn finish(self) {
        if let Some((k, more @ 1..)) = self.needs_order {
            let p = &self.problems[k];
            if let ProblemKind::Schema { detail } = &p.kind {
                let s = if more == 1 { "" } else { "s" };
                let detail = format!("{detail} ({more} more date{s} of this file are written this way)");
                self.problems[k] = Problem::new(ProblemKind::Schema { detail }, p.at.clone());
            }
        }
    }
}

/// A row's cells, by column, before they are checked.
struct Cells<'a> {
    series: Series,
    id: &'a str,
    date: Option<&'a str>,
    value: Option<&'a str>,
    confidence: Option<&'a str>,
    note: Option<&'a str>,
    decimal_comma: bool,
}

/// Checks one row's cells; `at` is the row's location (its field is set per cell).
fn row(cells: &Cells<'_>, at: &Location, sink: &mut Sink<'_>) -> Option<Row> {
    let field = |name: &str| Location {
        node: (!cells.id.is_empty()).then(|| cells.id.to_owned()),
        field: Some(name.to_owned()),
        ..at.clone()
    };
    let id_col = cells.series.column();
    let mut ok = true;
    if cells.id.is_empty() {
        sink.schema(format!("missing: every row needs an id in `{id_col}`"), field(id_col));
        ok = false;
    }
    let date = match cells.date {
        Some(d) => sink.date(d, field("date")),
        None => {
            sink.schema("missing: every row needs a date".to_owned(), field("date"));
            None
        }
    };
    let value = match cells.value {
        Some(v) => parse_value(v, cells.decimal_comma).map_err(|detail| sink.schema(detail, field("value"))).ok(),
        None => {
            sink.schema("missing: every row needs a value".to_owned(), field("value"));
            None
        }
    };
    let mut confidence = None;
    if let Some(c) = cells.confidence {
        match parse_value(c, cells.decimal_comma) {
            Ok(c) if (0.0..=1.0).contains(&c) => confidence = Some(c),
            Ok(c) => {
                let detail =
                    format!("confidence {} is outside 0.0-1.0 (a fraction: 70% is 0.7)", kpitree_decimal::shortest(c));
                sink.push(ProblemKind::OutOfRange { detail }, field("confidence"));
                ok = false;
            }
            Err(detail) => {
                sink.schema(detail, field("confidence"));
                ok = false;
            }
        }
    }
    Some(Row {
        series: cells.series,
        id: cells.id.to_owned(),
        date: date?,
        value: value?,
        confidence,
        note: cells.note.map(str::to_owned),
        line: at.line.unwrap_or(0),
        column: at.column,
    })
    .filter(|_| ok)
}

// ---------------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------------

/// The delimiter of a header line: the most frequent of `,`, `;` and tab outside quotes (`,` on a tie).
fn sniff(header: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for b in header.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], std::cmp::Reverse(i))).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// Reads a CSV data file. Blank lines are skipped, and so is an Excel `sep=;` line before the header.
pub(super) fn read_csv(text: &str, rows: &mut Vec<Row>, sink: &mut Sink<'_>) {
    // Lines before the header: blank ones, and the `sep=X` line Excel writes and reads.
    let mut offset = 0;
    let mut skipped = 0;
    let mut delimiter = None;
    let header = loop {
        let rest = &text[offset..];
        if rest.is_empty() {
            let detail = format!("no header row: the first line must name the columns, {EXPECTED}");
            sink.push(ProblemKind::Syntax { detail }, Location { line: Some(skipped + 1), ..Location::default() });
            return;
        }
        let (line, next) = rest.find('\n').map_or((rest, text.len()), |i| (&rest[..i], offset + i + 1));
        // Not trimmed before `sep=`: the separator may be a tab.
        let raw = line.strip_suffix('\r').unwrap_or(line);
        let sep = raw.strip_prefix("sep=").or_else(|| raw.strip_prefix("SEP="));
        let line = line.trim();
        if line.is_empty() || (delimiter.is_none() && skipped == 0 && sep.is_some_and(|s| s.len() == 1)) {
            if let Some(s) = sep.filter(|s| s.len() == 1) {
                delimiter = s.bytes().next();
            }
            skipped += 1;
            offset = next;
            continue;
        }
        break line;
    };
    let delimiter = delimiter.unwrap_or_else(|| sniff(header));
    // A `;` file is a European spreadsheet's: its numbers have a decimal comma.
    let decimal_comma = delimiter == b';';
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(&text.as_bytes()[offset..]);
    // Lines from byte offsets, not the reader's line count: a record's position is where the reader
    // stopped after the one before, which is before the `\n` of a CRLF ending and before blank lines.
    let mut lines = Lines::new(text);
    let mut line_of = |p: Option<&::csv::Position>| {
        let mut i = offset + p.map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0));
        while matches!(text.as_bytes().get(i), Some(b'\r' | b'\n')) {
            i += 1;
        }
        Some(lines.at(i.min(text.len())).0)
    };
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            let at = Location { line: line_of(e.position()), ..Location::default() };
            sink.push(ProblemKind::Syntax { detail: e.to_string() }, at);
            return;
        }
    };
    let header_line = Location { line: Some(skipped + 1), ..Location::default() };
    let Some((series, slots)) = read_header(&header, &header_line, sink) else {
        return;
    };
    let index = |c: Col| slots.iter().position(|s| *s == Some(c));
    let (id_i, date_i, value_i, conf_i, note_i) =
        (index(series.id_col()), index(Col::Date), index(Col::Value), index(Col::Confidence), index(Col::Note));
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let at = Location { line: line_of(e.position()), ..Location::default() };
                sink.push(ProblemKind::Syntax { detail: e.to_string() }, at);
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let at = Location { line: line_of(record.position()), ..Location::default() };
        let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).map(str::trim).filter(|c| !c.is_empty());
        let id = cell(id_i).unwrap_or("");
        if record.len() != header.len() {
            let detail = format!(
                "this row has {} cells but the header has {} columns; every row needs one cell per column",
                record.len(),
                header.len()
            );
            let node = (!id.is_empty()).then(|| id.to_owned());
            sink.push(ProblemKind::Syntax { detail }, Location { node, ..at });
            continue;
        }
        if let Some(k) = slots.iter().zip(record.iter()).position(|(s, c)| s.is_none() && !c.trim().is_empty()) {
            let detail = format!("column {} has no name in the header, but this row has a value in it", k + 1);
            sink.schema(detail, at.clone());
        }
        let cells = Cells {
            series,
            id,
            date: cell(date_i),
            value: cell(value_i),
            confidence: cell(conf_i),
            note: cell(note_i),
            decimal_comma,
        };
        rows.extend(row(&cells, &at, sink));
    }
}

/// Maps the header's cells to columns; `None` (after reporting why) when the rows cannot be read.
fn read_header(header: &::csv::StringRecord, at: &Location, sink: &mut Sink<'_>) -> Option<(Series, Vec<Option<Col>>)> {
    let before = sink.problems.len();
    let mut slots = Vec::with_capacity(header.len());
    for (i, name) in header.iter().enumerate() {
        let name = name.trim().trim_start_matches('\u{feff}');
        let slot = Col::parse(name);
        match slot {
            None if name.is_empty() => {}
            None => sink.schema(unknown_name(name), Location { field: Some(name.to_owned()), ..at.clone() }),
            Some(c) if slots.contains(&Some(c)) => {
                let detail = format!("column `{}` is given twice (column {}); keep one", c.name(), i + 1);
                sink.schema(detail, Location { field: Some(c.name().to_owned()), ..at.clone() });
            }
            Some(_) => {}
        }
        slots.push(slot);
    }
    let names: Vec<&str> = slots.iter().flatten().map(|c| c.name()).collect();
    let series = check_keys(&names, at, sink);
    (sink.problems.len() == before).then_some(())?;
    Some((series?, slots))
}

/// Which series a set of columns (or JSON keys) is, reporting what is missing or misplaced.
fn check_keys(names: &[&str], at: &Location, sink: &mut Sink<'_>) -> Option<Series> {
    let has = |c: Col| names.contains(&c.name());
    let missing = |sink: &mut Sink<'_>, c: &str, what: &str| {
        let detail = format!("missing: {what} needs `{c}` (the columns are {EXPECTED})");
        sink.schema(detail, Location { field: Some(c.to_owned()), ..at.clone() });
    };
    let series = match (has(Col::KpiId), has(Col::KrId)) {
        (true, true) => {
            let detail = "`kpi_id` and `kr_id` together: a file (or row) holds KPI measurements or key-result \
                          check-ins, not both; split it in two"
                .to_owned();
            sink.schema(detail, Location { field: Some("kr_id".to_owned()), ..at.clone() });
            return None;
        }
        (false, false) => {
            let detail = format!("missing: an id column, `kpi_id` or `kr_id`; the columns are {EXPECTED}");
            sink.schema(detail, Location { field: Some("kpi_id".to_owned()), ..at.clone() });
            return None;
        }
        (true, false) => Series::Measurements,
        (false, true) => Series::CheckIns,
    };
    let what = if series == Series::Measurements { "a KPI measurement" } else { "a check-in" };
    for c in [Col::Date, Col::Value] {
        if !has(c) {
            missing(sink, c.name(), what);
        }
    }
    if series == Series::Measurements {
        for c in [Col::Confidence, Col::Note] {
            if has(c) {
                let detail = format!(
                    "`{}` belongs to key-result check-ins (`kr_id`); KPI measurements have `kpi_id,date,value`",
                    c.name()
                );
                sink.schema(detail, Location { field: Some(c.name().to_owned()), ..at.clone() });
            }
        }
    }
    Some(series)
}

// ---------------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------------

/// Line and column of byte offsets met in increasing order, counted incrementally (linear in all).
struct Lines<'t> {
    text: &'t str,
    offset: usize,
    line: usize,
    column: usize,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Lines<'t> {
        Lines { text, offset: 0, line: 1, column: 1 }
    }

    fn at(&mut self, offset: usize) -> (usize, usize) {
        if offset < self.offset {
            *self = Lines::new(self.text);
        }
        let bytes = self.text.as_bytes();
        for (i, c) in self.text[self.offset..offset].char_indices() {
            // A lone `\r` ends a line too (as the CSV reader reads it); `\r\n` is one ending.
            if c == '\n' || c == '\r' && bytes.get(self.offset + i + 1) != Some(&b'\n') {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.offset = offset;
        (self.line, self.column)
    }
}

fn skip_ws(text: &str, mut i: usize) -> usize {
    while text.as_bytes().get(i).is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// Reads a JSON data file: an array of row objects, or JSON Lines (one object per line, as
/// warehouses export). `lines_file` is a `.jsonl` or `.ndjson` name, where no lines is no rows (an
/// empty table's export) as a header-only CSV is; an empty `.json` is refused as an empty CSV is.
pub(super) fn read_json(text: &str, lines_file: bool, rows: &mut Vec<Row>, sink: &mut Sink<'_>) {
    let mut lines = Lines::new(text);
    let syntax = |sink: &mut Sink<'_>, lines: &mut Lines<'_>, at: usize, detail: String| {
        let (line, column) = lines.at(at);
        sink.push(
            ProblemKind::Syntax { detail },
            Location { line: Some(line), column: Some(column), ..Location::default() },
        );
    };
    let mut i = skip_ws(text, 0);
    match text.as_bytes().get(i) {
        Some(b'[') => {}
        Some(b'{') => return json_lines(text, rows, sink),
        None if lines_file => return,
        _ => {
            let detail =
                "expected an array of rows, such as [{\"kpi_id\": \"k\", \"date\": \"2026-11-27\", \"value\": \
                 12}] ([] for none), or one row object per line (JSON Lines)"
                    .to_owned();
            syntax(sink, &mut lines, i, detail);
            return;
        }
    }
    i = skip_ws(text, i + 1);
    if text.as_bytes().get(i) == Some(&b']') {
        i += 1;
    } else {
        i = match json_values(text, i, &mut lines, rows, sink) {
            Some(end) => end,
            None => return,
        };
    }
    let rest = skip_ws(text, i);
    if rest < text.len() {
        syntax(sink, &mut lines, rest, "text after the array of rows".to_owned());
    }
}

/// JSON Lines: each line is read on its own, so a broken line is reported at itself and the lines
/// after it are still checked.
fn json_lines(text: &str, rows: &mut Vec<Row>, sink: &mut Sink<'_>) {
    for (k, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let body = line.trim_start();
        if body.trim_end().is_empty() {
            continue;
        }
        // Columns count characters, as an editor shows them.
        let indent = line[..line.len() - body.len()].chars().count();
        match serde_json::from_str::<serde_json::Value>(body) {
            Ok(value) => {
                let at = Location { line: Some(k + 1), column: Some(indent + 1), ..Location::default() };
                rows.extend(json_row(&value, &at, sink));
            }
            Err(e) => {
                let detail = e.to_string();
                let detail = detail.split(" at line ").next().unwrap_or(&detail);
                let detail = if e.is_eof() {
                    format!("{detail}: in JSON Lines each row object is on one line")
                } else {
                    detail.to_owned()
                };
                let column = indent + e.column().max(1);
                sink.push(
                    ProblemKind::Syntax { detail },
                    Location { line: Some(k + 1), column: Some(column), ..Location::default() },
                );
            }
        }
    }
}

/// Reads the rows of an array from `i` on, up to its closing `]`; the offset after it, or `None`
/// after a syntax problem.
fn json_values(
    text: &str,
    mut i: usize,
    lines: &mut Lines<'_>,
    rows: &mut Vec<Row>,
    sink: &mut Sink<'_>,
) -> Option<usize> {
    let unclosed = "the array of rows is not closed (a `]` is missing)";
    loop {
        let start = skip_ws(text, i);
        let (line, column) = lines.at(start);
        let mut stream = serde_json::Deserializer::from_str(&text[start..]).into_iter::<serde_json::Value>();
        let value = match stream.next() {
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                // serde_json counts from `start`.
                let (line, column) = if e.line() <= 1 {
                    (line, column + e.column().saturating_sub(1))
                } else {
                    (line + e.line() - 1, e.column().max(1))
                };
                let detail = e.to_string();
                let detail = detail.split(" at line ").next().unwrap_or(&detail).to_owned();
                sink.push(
                    ProblemKind::Syntax { detail },
                    Location { line: Some(line), column: Some(column), ..Location::default() },
                );
                return None;
            }
            None => {
                sink.push(
                    ProblemKind::Syntax { detail: unclosed.to_owned() },
                    Location { line: Some(line), column: Some(column), ..Location::default() },
                );
                return None;
            }
        };
        let end = start + stream.byte_offset();
        let at = Location { line: Some(line), column: Some(column), ..Location::default() };
        rows.extend(json_row(&value, &at, sink));
        i = skip_ws(text, end);
        match text.as_bytes().get(i) {
            Some(b',') => i += 1,
            Some(b']') => return Some(i + 1),
            _ => {
                let (line, column) = lines.at(i);
                let detail = if i >= text.len() { unclosed } else { "expected `,` or `]` after a row" };
                sink.push(
                    ProblemKind::Syntax { detail: detail.to_owned() },
                    Location { line: Some(line), column: Some(column), ..Location::default() },
                );
                return None;
            }
        }
    }
}

/// One JSON row object.
fn json_row(value: &serde_json::Value, at: &Location, sink: &mut Sink<'_>) -> Option<Row> {
    let Some(object) = value.as_object() else {
        let detail =
            "a row must be an object, such as {\"kpi_id\": \"k\", \"date\": \"2026-11-27\", \"value\": 12}".to_owned();
        sink.schema(detail, at.clone());
        return None;
    };
    // Keys follow the header's rule (`KPI ID` is `kpi_id`); `names` are the columns as the rest reads them.
    let mut by_col: [Option<(&str, &serde_json::Value)>; 6] = [None; 6];
    let mut unread = Vec::new();
    for (key, v) in object {
        match Col::parse(key) {
            Some(c) => match by_col[c as usize] {
                Some((first, _)) => unread.push((key.as_str(), Some((c, first)))),
                None => by_col[c as usize] = Some((key.as_str(), v)),
            },
            None => unread.push((key.as_str(), None)),
        }
    }
    let get = |c: Col| by_col[c as usize].map(|(_, v)| v);
    let id =
        get(Col::KpiId).or_else(|| get(Col::KrId)).and_then(serde_json::Value::as_str).map(str::trim).unwrap_or("");
    let node = (!id.is_empty()).then(|| id.to_owned());
    let field = |name: &str| Location { node: node.clone(), field: Some(name.to_owned()), ..at.clone() };
    let before = sink.problems.len();
    for (key, twice) in unread {
        match twice {
            Some((c, first)) => {
                let detail = format!("keys `{first}` and `{key}` both name the column `{}`; keep one", c.name());
                sink.schema(detail, field(c.name()));
            }
            None => sink.schema(unknown_name(key), field(key)),
        }
    }
    let names: Vec<&str> = Col::ALL.into_iter().filter(|&c| get(c).is_some()).map(Col::name).collect();
    let series = check_keys(&names, &Location { node: node.clone(), ..at.clone() }, sink);
    let series = series.filter(|_| sink.problems.len() == before)?;
    let id_col = series.column();
    // Strings and numbers (`"12.5"` as exports write NUMERIC columns); null is absent.
    let text = |sink: &mut Sink<'_>, key: Col, numeric: bool| -> Result<Option<String>, ()> {
        match get(key) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.trim().to_owned()).filter(|s| !s.is_empty())),
            Some(serde_json::Value::Number(n)) if numeric => Ok(Some(n.to_string())),
            Some(other) => {
                let want = if numeric { "a number" } else { "a string" };
                sink.schema(format!("expected {want}, found {}", kind_of(other)), field(key.name()));
                Err(())
            }
        }
    };
    if !get(series.id_col()).is_some_and(|v| v.is_string() || v.is_null()) {
        let found = get(series.id_col()).map_or("nothing", kind_of);
        sink.schema(format!("expected the id as a string, found {found}"), field(id_col));
        return None;
    }
    let date = match get(Col::Date) {
        Some(serde_json::Value::Number(n)) => {
            let whole = n.as_f64().filter(|f| f.fract() == 0.0 && (1.0..=2_958_465.0).contains(f));
            let detail = match whole {
                #[allow(clippy::cast_possible_truncation)] // a whole number in range
                Some(f) => serial_message(&n.to_string(), f as i32),
                None => format!("{n} is a number, not a date; write dates as strings, such as \"2026-11-27\""),
            };
            sink.schema(detail, field("date"));
            return None;
        }
        _ => text(sink, Col::Date, false),
    };
    let value = text(sink, Col::Value, true);
    let confidence = text(sink, Col::Confidence, true);
    let note = text(sink, Col::Note, false);
    let (Ok(date), Ok(value), Ok(confidence), Ok(note)) = (date, value, confidence, note) else {
        return None;
    };
    let cells = Cells {
        series,
        id,
        date: date.as_deref(),
        value: value.as_deref(),
        confidence: confidence.as_deref(),
        note: note.as_deref(),
        decimal_comma: false,
    };
    row(&cells, at, sink)
}

fn kind_of(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

impl Series {
    fn id_col(self) -> Col {
        match self {
            Series::Measurements => Col::KpiId,
            Series::CheckIns => Col::KrId,
        }
    }
}
