//! One row's cells into a node: numbers, dates, lists, check-ins, waivers.

use super::*;

/// One row being read; collects its problems with the row's location.
pub(super) struct Row<'a> {
    pub(super) id: Option<&'a str>,
    pub(super) line: usize,
    pub(super) problems: &'a mut Vec<Problem>,
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
    pub(super) fn read(
        &mut self,
        columns: &[Slot],
        record: &::csv::StringRecord,
    ) -> (Node, Vec<(String, Option<u32>)>) {
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
                Column::CheckIns => node.check_ins = self.quoted_entries(column, value, "check-in", parse_check_in),
                Column::Drives => drives = self.drives(value),
                Column::Waivers => node.waivers = self.quoted_entries(column, value, "waiver", parse_waiver),
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

    /// The entries of a cell whose entries may hold quoted text (check-ins, waivers), each read by
    /// `parse`; a bad one is reported as `what` with the entry.
    fn quoted_entries<T>(
        &mut self,
        column: Column,
        cell: &str,
        what: &str,
        parse: fn(&str) -> Result<T, String>,
    ) -> Vec<T> {
        let mut out = Vec::new();
        for entry in split_outside_quotes(cell).into_iter().map(str::trim).filter(|e| !e.is_empty()) {
            match parse(entry) {
                Ok(c) => out.push(c),
                Err(detail) => self.problem(column, format!("{what} {entry:?}: {detail}")),
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
pub(super) fn text(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

/// The non-empty, trimmed `;`-separated entries of a cell.
pub(super) fn entries(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').map(str::trim).filter(|e| !e.is_empty())
}

pub(crate) fn parse_number(value: &str) -> Result<f64, String> {
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

pub(super) fn parse_days(value: &str) -> Result<u32, String> {
    value.parse::<u32>().map_err(|_| format!("{value:?} is not a whole number of days (0 or more)"))
}

pub(super) fn parse_date(value: &str) -> Result<Date, String> {
    Date::parse(value).ok_or_else(|| format!("{value:?} is not a date; expected YYYY-MM-DD, such as 2026-11-27"))
}

/// Splits a cell at the `;`s that are not inside double quotes.
pub(super) fn split_outside_quotes(cell: &str) -> Vec<&str> {
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
pub(super) fn parse_check_in(entry: &str) -> Result<CheckIn, String> {
    const SHAPE: &str = "expected DATE=VALUE, then optionally @CONFIDENCE and a \"NOTE\", \
                         such as 2026-10-01=12 @0.7 \"hiring is late\"";
    let (head, note) = match entry.find('"') {
        None => (entry, None),
        Some(q) => (&entry[..q], Some(parse_quoted(&entry[q + 1..], "note")?)),
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

/// Parses `RULE [until DATE] "REASON"`: the rule is the first word, `until` any case.
pub(super) fn parse_waiver(entry: &str) -> Result<Waiver, String> {
    const SHAPE: &str = "expected RULE, then optionally `until YYYY-MM-DD`, then the reason in double quotes, \
                         such as stale-kpi until 2027-03-31 \"new CRM in Q1\"";
    let Some(q) = entry.find('"') else {
        return Err(format!("no reason; a waiver must say why, in double quotes: {SHAPE}"));
    };
    let reason = parse_quoted(&entry[q + 1..], "reason")?;
    let head = entry[..q].trim();
    let Some(rule) = head.split_whitespace().next() else {
        return Err(format!("no rule before the reason; {SHAPE}"));
    };
    let after = head.get(rule.len()..).unwrap_or_default().trim_start();
    // `until` as a word of its own, in any case.
    let dated = after
        .get(..5)
        .filter(|w| w.eq_ignore_ascii_case("until"))
        .and_then(|_| after.get(5..))
        .filter(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace));
    let until = match dated {
        _ if after.is_empty() => None,
        None => return Err(format!("{after:?} follows the rule; {SHAPE}")),
        Some(rest) => {
            let rest = rest.trim_start();
            let (date, extra) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            if date.is_empty() {
                return Err(format!("no date after `until`; {SHAPE}"));
            }
            let date = parse_date(date)?;
            let extra = extra.trim();
            if !extra.is_empty() {
                return Err(format!("{extra:?} follows the date; {SHAPE}"));
            }
            Some(date)
        }
    };
    Ok(Waiver { rule: rule.to_owned(), reason, until })
}

/// Reads a quoted text (a check-in's note, a waiver's reason: `what`) after its opening quote, up
/// to the closing quote, with `""` for `"`. Only whitespace may follow the closing quote.
pub(super) fn parse_quoted(rest: &str, what: &str) -> Result<String, String> {
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
                "{after:?} follows the {what}'s closing quote; the {what} must come last (write \"\" for a quote inside it)"
            ));
        }
    }
    Err(format!("the {what} has no closing quote"))
}

// ---------------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------------
