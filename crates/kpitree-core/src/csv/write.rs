//! Writing a document as CSV.

use super::*;

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
pub(super) fn cell(node: &Node, column: Column, drives: &[String]) -> String {
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
        Column::Waivers => node.waivers.iter().map(waiver_entry).collect::<Vec<_>>().join("; "),
    }
}

pub(super) fn check_in_entry(c: &CheckIn) -> String {
    let mut s = format!("{}={}", c.date, c.value);
    if let Some(confidence) = c.confidence {
        let _ = write!(s, " @{confidence}");
    }
    if let Some(note) = &c.note {
        let _ = write!(s, " \"{}\"", note.replace('"', "\"\""));
    }
    s
}

/// `RULE [until DATE] "REASON"`, as `cells::parse_waiver` reads it.
pub(super) fn waiver_entry(w: &Waiver) -> String {
    let mut s = w.rule.clone();
    if let Some(until) = w.until {
        let _ = write!(s, " until {until}");
    }
    let _ = write!(s, " \"{}\"", w.reason.replace('"', "\"\""));
    s
}

/// Writes one CSV line, quoting the cells that need it.
pub(super) fn write_row<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
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
