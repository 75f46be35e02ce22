//! Measurements from where they live: KPI measurements and key-result check-ins exported by a
//! spreadsheet or a warehouse (long-format CSV or JSON rows), read, checked against a tree and merged
//! into it.
//!
//! # Data files
//!
//! A file holds one series kind, told by its id column:
//! - KPI measurements: `kpi_id,date,value`;
//! - key-result check-ins: `kr_id,date,value`, optionally `confidence` (0.0-1.0) and `note`.
//!
//! **CSV**: the header names the columns, in any order, case-insensitive (`-` or a space for `_`).
//! The delimiter is sniffed from the header: `,`, `;` or tab (an Excel `sep=;` first line is obeyed).
//! In a `;` file numbers may have a decimal comma (`12,5`), as European spreadsheets write them; a
//! number with both a comma and a dot, or there a dot and exactly three digits (`1.500`: grouped
//! 1500 or 1.5?), is refused. Blank lines and a UTF-8 byte-order mark are skipped; lines end with
//! LF, CRLF or CR; cells are quoted as the `csv` crate reads them and trimmed; an empty cell is
//! absent. An empty file (no header) is refused.
//!
//! **JSON**: an array of row objects with the same keys (the header's name rule), or JSON Lines
//! (one object per line, as BigQuery and Snowflake export, each line read on its own); a row is a
//! measurement or a check-in by its id key, so one file may hold both. Values may be numbers or
//! numeric strings (`"12.5"`, as exports write decimal columns); `null` is absent. Dates are
//! strings. `[]` and an empty `.jsonl`/`.ndjson` are no rows; an empty `.json` is refused.
//!
//! **Dates** ([`DateOrder`]): `YYYY-MM-DD`, `YYYY/MM/DD`, `DD.MM.YYYY`, each optionally followed by a
//! checked time (`2026-11-27T08:00:00Z`, `2026-11-27 08:00:00+02:00`, `... 08:00:00 UTC`: the
//! calendar date as written, the offset is not applied). `NN/NN/YYYY` (or `NN-NN-YYYY`) is day-first in Europe and month-first in
//! the US: it is read only with an order, and refused with both readings otherwise, even where a day
//! over 12 gives it away (a file is written in one order, and its other dates may not show it).
//! Spreadsheet serial numbers (`46353`) and dates that do not exist are refused.
//!
//! # Merging
//!
//! Each row must name a node that exists and is of the kind its column takes (`kpi_id` a KPI,
//! `kr_id` a key result). Rows for the same id and date must agree (identical duplicates are one
//! row), across files too. A row replaces the series entry with the same date, else is added; a
//! check-in row updates the fields it gives and keeps the entry's `confidence` and `note` when it
//! has none (a values-only export does not wipe what the team wrote). Every series a row touches is
//! then sorted by date; others are left as they are. Merging the same data again changes nothing.
//!
//! Every problem of every file is reported at once ([`LoadError`], one per file: the line of the
//! row, its column for JSON, the column or key as `field`, the id as `node`); nothing is merged
//! unless there are none. The work is linear in the rows and the tree plus sorting: ids are indexed
//! once, each touched series is sorted and merged in one pass.

use crate::date::Date;
use crate::error::{LoadError, Location, Problem, ProblemKind};
use crate::model::{CheckIn, Measurement, NodeKind, TreeDoc};
use crate::tree::Tree;
use rustc_hash::FxHashMap;

mod cells;
mod read;

/// How a data file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataFormat {
    /// A CSV file with a header row.
    Csv,
    /// An array of row objects, or JSON Lines.
    Json,
}

impl DataFormat {
    /// The format a file name says: `.json`, `.jsonl` and `.ndjson` are JSON, anything else CSV.
    pub fn of_name(name: &str) -> DataFormat {
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e).to_ascii_lowercase();
        if matches!(ext.as_str(), "json" | "jsonl" | "ndjson") { DataFormat::Json } else { DataFormat::Csv }
    }
}

/// The order of `NN/NN/YYYY` dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateOrder {
    /// Day first (`27/11/2026`), as in Europe.
    Dmy,
    /// Month first (`11/27/2026`), as in the US.
    Mdy,
}

/// Which series a row belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Series {
    /// A KPI's `measurements` (`kpi_id`).
    Measurements,
    /// A key result's `check_ins` (`kr_id`).
    CheckIns,
}

impl Series {
    /// The id column of its rows.
    pub fn column(self) -> &'static str {
        match self {
            Series::Measurements => "kpi_id",
            Series::CheckIns => "kr_id",
        }
    }

    fn kind(self) -> NodeKind {
        match self {
            Series::Measurements => NodeKind::Kpi,
            Series::CheckIns => NodeKind::KeyResult,
        }
    }
}

/// One row of a data file, read and checked in itself (not yet against a tree).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Measurement or check-in.
    pub series: Series,
    /// The KPI's or key result's id.
    pub id: String,
    /// The date.
    pub date: Date,
    /// The value.
    pub value: f64,
    /// A check-in's confidence, 0.0-1.0.
    pub confidence: Option<f64>,
    /// A check-in's note.
    pub note: Option<String>,
    /// The 1-based line of the row in its file.
    pub line: usize,
    /// The 1-based column of a JSON row's `{`.
    pub column: Option<usize>,
}

/// One data file's text.
#[derive(Clone, Copy, Debug)]
pub struct Data<'a> {
    /// The file's name, for messages.
    pub name: &'a str,
    /// Its text (a byte-order mark is skipped).
    pub text: &'a str,
    /// How it is written.
    pub format: DataFormat,
}

/// What a merge did to one kind of series.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Rows whose date was not in the series.
    pub added: usize,
    /// Rows that changed the entry of their date.
    pub replaced: usize,
    /// Rows equal to the entry of their date.
    pub unchanged: usize,
}

impl Counts {
    /// Rows merged (identical duplicates count once).
    pub fn total(&self) -> usize {
        self.added + self.replaced + self.unchanged
    }
}

/// What a merge did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// KPI measurements.
    pub measurements: Counts,
    /// Key-result check-ins.
    pub check_ins: Counts,
}

/// Reads one data file into rows, checking each in itself.
///
/// # Errors
///
/// Every problem of the file, located at its rows.
pub fn read_rows(data: &Data<'_>, order: Option<DateOrder>) -> Result<Vec<Row>, LoadError> {
    let mut problems = Vec::new();
    let rows = read_into(data, order, &mut problems);
    if problems.is_empty() { Ok(rows) } else { Err(LoadError { file: data.name.to_owned(), problems }) }
}

fn read_into(data: &Data<'_>, order: Option<DateOrder>, problems: &mut Vec<Problem>) -> Vec<Row> {
    let text = data.text.strip_prefix('\u{feff}').unwrap_or(data.text);
    let mut rows = Vec::new();
    let mut sink = read::Sink::new(problems, order);
    match data.format {
        DataFormat::Csv => read::read_csv(text, &mut rows, &mut sink),
        DataFormat::Json => {
            let ext = data.name.rsplit_once('.').map_or("", |(_, e)| e).to_ascii_lowercase();
            read::read_json(text, matches!(ext.as_str(), "jsonl" | "ndjson"), &mut rows, &mut sink);
        }
    }
    sink.finish();
    rows
}

/// Did-you-mean suggestions computed at most this many times in one merge: each compares the id
/// with every id of the tree, so a file of unknown ids must not make the work quadratic.
const MAX_SUGGESTIONS: usize = 20;

/// Reads every data file and merges their rows into `doc`, or changes nothing and returns every
/// problem of every file (one [`LoadError`] per file that has any, in the order given).
///
/// # Errors
///
/// The problems: rows that do not read, ids that are unknown or of the wrong kind, conflicting rows.
pub fn merge(doc: &mut TreeDoc, data: &[Data<'_>], order: Option<DateOrder>) -> Result<Summary, Vec<LoadError>> {
    let mut problems: Vec<Vec<Problem>> = vec![Vec::new(); data.len()];
    let files: Vec<Vec<Row>> = data.iter().zip(&mut problems).map(|(d, p)| read_into(d, order, p)).collect();

    // Against the tree: each row's node, found through an index built once.
    let mut index: FxHashMap<&str, usize> = FxHashMap::default();
    index.reserve(doc.nodes.len());
    for (i, n) in doc.nodes.iter().enumerate() {
        index.entry(n.id.as_str()).or_insert(i);
    }
    let mut suggestions = 0;
    // (node, file, row) of every row that names a node of its kind.
    let mut targets: Vec<(usize, usize, usize)> = Vec::new();
    for (f, rows) in files.iter().enumerate() {
        for (r, row) in rows.iter().enumerate() {
            let at = Location {
                node: Some(row.id.clone()),
                field: Some(row.series.column().to_owned()),
                line: Some(row.line),
                column: row.column,
                position: None,
            };
            match index.get(row.id.as_str()) {
                Some(&i) if doc.nodes[i].kind == row.series.kind() => targets.push((i, f, r)),
                Some(&i) => {
                    let kind = ProblemKind::WrongKind {
                        id: row.id.clone(),
                        kind: doc.nodes[i].kind.as_str(),
                        column: row.series.column(),
                    };
                    problems[f].push(Problem::new(kind, at));
                }
                None => {
                    let suggestion = (suggestions < MAX_SUGGESTIONS).then(|| {
                        suggestions += 1;
                        let ids: Vec<&str> =
                            doc.nodes.iter().filter(|n| n.kind == row.series.kind()).map(|n| n.id.as_str()).collect();
                        crate::config::closest(&row.id, &ids).map(str::to_owned)
                    });
                    let kind = ProblemKind::UnknownId { id: row.id.clone(), suggestion: suggestion.flatten() };
                    problems[f].push(Problem::new(kind, at));
                }
            }
        }
    }
    drop(index);

    // Rows for the same node and date: the first stands, identical ones are dropped, others conflict.
    let row = |&(_, f, r): &(usize, usize, usize)| &files[f][r];
    crate::sort::sort_by_key(&mut targets, |t| (t.0, row(t).date, t.1, t.2));
    let mut kept: Vec<(usize, usize, usize)> = Vec::with_capacity(targets.len());
    for t in &targets {
        let this = row(t);
        match kept.last() {
            Some(first) if first.0 == t.0 && row(first).date == this.date => {
                let that = row(first);
                if this.value != that.value || this.confidence != that.confidence || this.note != that.note {
                    let place = if first.1 == t.1 {
                        format!("line {}", that.line)
                    } else {
                        format!("{} line {}", data[first.1].name, that.line)
                    };
                    let other = format!("{place} (value {})", kpitree_decimal::shortest(that.value));
                    let at = Location {
                        node: Some(this.id.clone()),
                        field: Some("value".to_owned()),
                        line: Some(this.line),
                        column: this.column,
                        position: None,
                    };
                    problems[t.1].push(Problem::new(ProblemKind::ConflictingRows { other }, at));
                }
            }
            _ => kept.push(*t),
        }
    }

    if problems.iter().any(|p| !p.is_empty()) {
        let errors = data
            .iter()
            .zip(problems)
            .filter(|(_, p)| !p.is_empty())
            .map(|(d, mut p)| {
                crate::sort::sort_by_key(&mut p, |p| (p.at.line, p.at.column));
                LoadError { file: d.name.to_owned(), problems: p }
            })
            .collect();
        return Err(errors);
    }

    let mut summary = Summary::default();
    let mut start = 0;
    while start < kept.len() {
        let node = kept[start].0;
        let end = start + kept[start..].iter().take_while(|t| t.0 == node).count();
        let group: Vec<&Row> = kept[start..end].iter().map(row).collect();
        let n = &mut doc.nodes[node];
        match group[0].series {
            Series::Measurements => merge_series(
                &mut n.measurements,
                &group,
                |m| m.date,
                |_, r| Measurement { date: r.date, value: r.value },
                &mut summary.measurements,
            ),
            Series::CheckIns => merge_series(
                &mut n.check_ins,
                &group,
                |c| c.date,
                |old, r| CheckIn {
                    date: r.date,
                    value: r.value,
                    confidence: r.confidence.or(old.and_then(|o| o.confidence)),
                    note: r.note.clone().or_else(|| old.and_then(|o| o.note.clone())),
                },
                &mut summary.check_ins,
            ),
        }
        start = end;
    }
    Ok(summary)
}

/// Merges `rows` (sorted by date, one per date) into `series`, which ends sorted by date. An entry
/// whose date has a row becomes `make(Some(entry), row)` (several entries of that date become one);
/// a row with a new date becomes `make(None, row)`.
fn merge_series<T: PartialEq>(
    series: &mut Vec<T>,
    rows: &[&Row],
    date: impl Fn(&T) -> Date,
    make: impl Fn(Option<&T>, &Row) -> T,
    counts: &mut Counts,
) {
    let mut old = std::mem::take(series);
    crate::sort::sort_by_key(&mut old, &date);
    let mut out = Vec::with_capacity(old.len() + rows.len());
    let mut old = old.into_iter().peekable();
    for row in rows {
        while let Some(entry) = old.next_if(|e| date(e) < row.date) {
            out.push(entry);
        }
        match old.next_if(|e| date(e) == row.date) {
            Some(entry) => {
                let mut same_date = 0;
                while old.next_if(|e| date(e) == row.date).is_some() {
                    same_date += 1;
                }
                let merged = make(Some(&entry), row);
                if merged == entry && same_date == 0 {
                    counts.unchanged += 1;
                } else {
                    counts.replaced += 1;
                }
                out.push(merged);
            }
            None => {
                counts.added += 1;
                out.push(make(None, row));
            }
        }
    }
    out.extend(old);
    *series = out;
}

/// [`merge`] into a validated tree, which is validated again (keeping its source map, so problems
/// and findings still point into the tree's file, named `file`).
///
/// # Errors
///
/// The data's problems; the tree is then dropped (the caller exits).
pub fn merge_tree(
    file: &str,
    tree: Tree,
    data: &[Data<'_>],
    order: Option<DateOrder>,
) -> Result<(Tree, Summary), Vec<LoadError>> {
    let source = tree.source().clone();
    let mut doc = tree.into_doc();
    let summary = merge(&mut doc, data, order)?;
    let tree = Tree::with_source(file, doc, source).map_err(|e| vec![e])?;
    Ok((tree, summary))
}

#[cfg(test)]
mod tests;
