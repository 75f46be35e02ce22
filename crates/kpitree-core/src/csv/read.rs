//! Reading: the metadata lines, the header and the rows.

use super::cells::parse_date;
use super::*;

/// What the leading `#` lines say.
#[derive(Default)]
pub(super) struct Preamble {
    pub(super) organisation: Option<String>,
    pub(super) as_of: Option<Date>,
    pub(super) version: Option<u32>,
    pub(super) description: Option<String>,
    /// The line of the first `organisation`, `as_of` and `version` line with a value (valid or not).
    pub(super) given_on: [Option<usize>; 3],
    /// How many lines the preamble takes (comments and blank lines included).
    pub(super) lines: usize,
}

/// Reads the leading `#` and blank lines. Returns what they say and the byte offset of the header.
pub(super) fn read_preamble(text: &str, problems: &mut Vec<Problem>) -> (Preamble, usize) {
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
pub(super) fn read_body(
    body: &str,
    line_offset: usize,
    problems: &mut Vec<Problem>,
) -> (Vec<Node>, Vec<Link>, Vec<usize>) {
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
pub(super) fn read_header(header: &::csv::StringRecord, line: usize, problems: &mut Vec<Problem>) -> Vec<Slot> {
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

/// The column `name` is most likely a typo of ([`crate::config::closest`]).
pub(super) fn closest_column(name: &str) -> Option<&'static str> {
    crate::config::closest(name, &COLUMN_NAMES)
}

/// The 1-based line (within `body`) where a quoted cell opens that is never closed, if any.
///
/// Follows the csv crate's reading: a `"` opens a quoted cell only at the start of a cell, and `""`
/// inside one is a literal quote.
pub(super) fn unclosed_quote(body: &str) -> Option<usize> {
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
