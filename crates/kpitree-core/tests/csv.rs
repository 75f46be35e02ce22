//! CSV import and export, driven by the fixtures in `tests/csv/` at the workspace root.
//!
//! - `valid/NAME.csv` must load; `NAME.expected.json` beside it is the document (pretty JSON). Each
//!   valid fixture must also survive `to_csv` then `from_csv` unchanged.
//! - `invalid/NAME.csv` must fail; `NAME.expected.txt` beside it is the error as the user sees it.
//! - `export/NAME.json` is a document; `NAME.expected.csv` beside it is what `to_csv` writes, and
//!   `from_csv` must read that back to the same document (the formula guards of the module doc).
//! - An optional `NAME.meta` beside a fixture holds what the caller supplies (`--organisation`,
//!   `--as-of`), as `organisation: ...` and `as_of: YYYY-MM-DD` lines.
//!
//! `KPITREE_BLESS=1 cargo test -p kpitree-core --test csv` rewrites the expected files; review them.
//! A fixture without an expected file fails, and so does an expected or meta file without its fixture.

use kpitree_core::csv::{CsvMeta, from_csv, to_csv};
use kpitree_core::model::Waiver;
use kpitree_core::{CheckIn, Date, Direction, Indicator, Link, LinkKind, Measurement, Node, NodeKind, Status};
use kpitree_core::{Thresholds, TreeDoc};
use std::fs;
use std::path::{Path, PathBuf};

fn fixture_dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/csv").join(kind)
}

fn date(s: &str) -> Date {
    Date::parse(s).unwrap_or_else(|| panic!("bad date in test: {s}"))
}

/// Reads `NAME.meta`: `organisation: ...` and `as_of: ...` lines.
fn read_meta(path: &Path) -> CsvMeta {
    let mut meta = CsvMeta::default();
    let Ok(text) = fs::read_to_string(path) else {
        return meta;
    };
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match line.split_once(':').map(|(k, v)| (k.trim(), v.trim())) {
            Some(("organisation", v)) => meta.organisation = Some(v.to_owned()),
            Some(("as_of", v)) => meta.as_of = Some(date(v)),
            _ => panic!("{}: unknown line {line:?}", path.display()),
        }
    }
    meta
}

/// Runs every fixture of a directory: `check` turns the fixture into the expected file's text, or
/// says why it cannot.
fn run(kind: &str, expected_ext: &str, check: impl Fn(&str, &str, &CsvMeta) -> Result<String, String>) {
    let dir = fixture_dir(kind);
    let bless = std::env::var_os("KPITREE_BLESS").is_some_and(|v| v == "1");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()).unwrap_or_default())
        .collect();
    names.sort();
    let mut failures = Vec::new();
    let mut fixtures = 0;
    for name in &names {
        if let Some(stem) = name.strip_suffix(".csv") {
            fixtures += 1;
            let text = fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            let meta = read_meta(&dir.join(format!("{stem}.meta")));
            let expected_path = dir.join(format!("{stem}{expected_ext}"));
            let actual = match check(name, &text, &meta) {
                Ok(actual) => actual,
                Err(why) => {
                    failures.push(format!("{kind}/{name}: {why}"));
                    continue;
                }
            };
            if bless {
                fs::write(&expected_path, &actual).unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
                continue;
            }
            match fs::read_to_string(&expected_path) {
                Err(_) => failures.push(format!(
                    "{kind}/{name}: no {stem}{expected_ext} beside it (run with KPITREE_BLESS=1, then review it); \
                     actual:\n{actual}"
                )),
                Ok(expected) if expected.replace("\r\n", "\n") != actual => failures.push(format!(
                    "{kind}/{name}: output differs from {stem}{expected_ext}\n--- expected\n{expected}\n--- actual\n{actual}"
                )),
                Ok(_) => {}
            }
        } else {
            let stem = name.strip_suffix(expected_ext).or_else(|| name.strip_suffix(".meta"));
            match stem {
                Some(stem) if names.contains(&format!("{stem}.csv")) => {}
                Some(_) => {
                    failures.push(format!("{kind}/{name}: no fixture {kind}/{}.csv beside it", stem.unwrap_or("")));
                }
                None => failures.push(format!("{kind}/{name}: not a fixture (.csv), {expected_ext} or .meta file")),
            }
        }
    }
    assert!(fixtures > 0, "no fixtures in {}", dir.display());
    assert!(failures.is_empty(), "{} failure(s):\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn valid_fixtures() {
    run("valid", ".expected.json", |name, text, meta| {
        let doc = from_csv(name, text, meta).map_err(|e| format!("expected to load, but:\n{e}"))?;
        let exported = to_csv(&doc);
        let again = from_csv("exported.csv", &exported, &CsvMeta::default())
            .map_err(|e| format!("to_csv output does not load:\n{e}\n--- exported\n{exported}"))?;
        if again != doc {
            return Err(format!("to_csv then from_csv changed the document\n--- exported\n{exported}"));
        }
        let json = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        Ok(json + "\n")
    });
}

/// JSON documents written as CSV: the exact text, and the way back.
#[test]
fn export_fixtures() {
    let dir = fixture_dir("export");
    let bless = std::env::var_os("KPITREE_BLESS").is_some_and(|v| v == "1");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()).unwrap_or_default())
        .collect();
    names.sort();
    let mut failures = Vec::new();
    let mut fixtures = 0;
    for name in &names {
        let Some(stem) = name.strip_suffix(".json") else {
            if !name.strip_suffix(".expected.csv").is_some_and(|stem| names.contains(&format!("{stem}.json"))) {
                failures.push(format!("export/{name}: not a NAME.json nor the NAME.expected.csv of one"));
            }
            continue;
        };
        fixtures += 1;
        let text = fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let doc = kpitree_core::parse_json(name, &text).unwrap_or_else(|e| panic!("{e}"));
        let csv = to_csv(&doc);
        let expected_path = dir.join(format!("{stem}.expected.csv"));
        if bless {
            fs::write(&expected_path, &csv).unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        }
        match fs::read_to_string(&expected_path) {
            Err(_) => failures.push(format!("export/{name}: no {stem}.expected.csv beside it; actual:\n{csv}")),
            Ok(expected) if expected != csv => failures.push(format!(
                "export/{name}: to_csv differs from {stem}.expected.csv\n--- expected\n{expected}\n--- actual\n{csv}"
            )),
            Ok(_) => {}
        }
        match from_csv("exported.csv", &csv, &CsvMeta::default()) {
            Ok(back) if back == doc => {}
            Ok(back) => failures.push(format!("export/{name}: read back differently:\n{back:#?}\n--- csv\n{csv}")),
            Err(e) => failures.push(format!("export/{name}: the CSV does not load:\n{e}\n--- csv\n{csv}")),
        }
    }
    assert!(fixtures > 0, "no fixtures in {}", dir.display());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// No cell of an exported tree starts with what makes a spreadsheet evaluate it, and no `#` line
/// holds such a cell after a comma, whatever the text fields hold.
#[test]
fn export_neutralises_formulas() {
    let triggers = ['=', '+', '-', '@', '\t', '\r'];
    let hostile: Vec<String> = triggers
        .iter()
        .flat_map(|t| [format!("{t}cmd|' /C calc'!A0"), format!("'{t}x"), format!("''{t}x")])
        .chain(["'".to_owned(), "''".to_owned(), "'x".to_owned(), "-2+3+cmd".to_owned(), "\"=1+1\"".to_owned()])
        .collect();
    for value in &hostile {
        let mut doc = full_doc();
        // `#` lines are trimmed, and a carriage return in them breaks the line.
        let line_value = value.replace('\r', "x");
        doc.organisation = format!("Acme,{line_value},x");
        doc.description = Some(format!("d {line_value},{line_value}\nsecond,{line_value}"));
        for node in &mut doc.nodes {
            node.title = value.clone();
            node.owner = Some(value.clone());
            node.unit = Some(value.clone());
            // A rule id has no whitespace, `"` or `;` in CSV (the module doc); it starts the cell.
            let rule = value.replace(|c: char| c.is_whitespace() || c == '"' || c == ';', "_");
            node.waivers = vec![Waiver { rule, reason: value.clone(), until: None }];
        }
        let id = doc.nodes[0].id.clone();
        let new_id = value.replace(['\t', '\r'], "x");
        for node in &mut doc.nodes {
            if node.id == id {
                node.id = new_id.clone();
            }
            for p in &mut node.parents {
                if *p == id {
                    p.clone_from(&new_id);
                }
            }
        }
        let text = to_csv(&doc);
        let mut reader = ::csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        for record in reader.records() {
            let record = record.unwrap_or_else(|e| panic!("{e}\n{text}"));
            for cell in &record {
                let number = cell.parse::<f64>().is_ok();
                assert!(number || !cell.starts_with(triggers), "cell {cell:?} of value {value:?}:\n{text}");
            }
        }
        // A spreadsheet splits a `#` line at its commas too, and a `"` there would open a quoted cell.
        for line in text.lines().filter(|l| l.starts_with('#')) {
            for part in line.split(',').skip(1) {
                assert!(!part.starts_with(triggers) && !part.starts_with('"'), "{line:?} of value {value:?}");
            }
        }
        let back = from_csv("hostile.csv", &text, &CsvMeta::default()).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back, doc, "value {value:?}:\n{text}");
    }
}

#[test]
fn invalid_fixtures() {
    run("invalid", ".expected.txt", |name, text, meta| match from_csv(name, text, meta) {
        Ok(doc) => Err(format!("expected an error, but it loaded:\n{doc:#?}")),
        Err(e) => Ok(format!("{e}\n")),
    });
}

/// A document with every field set, and text that needs quoting.
fn full_doc() -> TreeDoc {
    let mut strategy = Node::new("s", NodeKind::Strategy, "Grow, \"sustainably\"\nand profitably");
    strategy.description = Some("Line one;\nline two, with \"quotes\"".to_owned());
    strategy.rationale = Some("Because; the board said so".to_owned());
    strategy.owner = Some("CEO".to_owned());
    strategy.department = Some("Board".to_owned());

    let mut objective = Node::new("o", NodeKind::Objective, "Win the north");
    objective.parents = vec!["s".to_owned()];
    objective.period = Some("2026-Q4".to_owned());
    objective.status = Status::Draft;
    objective.used_in_appraisal = true;

    let mut kr = Node::new("kr", NodeKind::KeyResult, "Raise NPS");
    kr.parents = vec!["o".to_owned()];
    kr.start = Some(-0.5);
    kr.target = Some(1e21);
    kr.current = Some(1.0 / 3.0);
    kr.unit = Some("points".to_owned());
    kr.confidence = Some(0.7);
    kr.cadence_days = Some(14);
    kr.check_ins = vec![
        CheckIn { date: date("2026-10-01"), value: 1.0, confidence: None, note: None },
        CheckIn { date: date("2026-10-15"), value: 2.5, confidence: Some(0.6), note: None },
        CheckIn {
            date: date("2026-10-29"),
            value: 3.0,
            confidence: Some(0.65),
            note: Some("hiring \"late\"; fixed, mostly\nsee memo @2".to_owned()),
        },
        CheckIn { date: date("2026-11-12"), value: 3.5, confidence: None, note: Some(String::new()) },
    ];

    let mut kpi = Node::new("k1", NodeKind::Kpi, "Store visits");
    kpi.parents = vec!["kr".to_owned(), "o".to_owned()];
    kpi.status = Status::Retired;
    kpi.target = Some(1200.0);
    kpi.current = Some(0.1 + 0.2);
    kpi.unit = Some("visits/week".to_owned());
    kpi.direction = Some(Direction::HigherIsBetter);
    kpi.indicator = Some(Indicator::Leading);
    kpi.thresholds = Some(Thresholds { at_risk: 1000.0, off_track: 5e-324 });
    kpi.measurements = vec![
        Measurement { date: date("2026-09-30"), value: 1100.0 },
        Measurement { date: date("2026-10-31"), value: -0.0 },
    ];
    kpi.last_reviewed = Some(date("2026-01-15"));
    kpi.used_in_appraisal = true;
    kpi.waivers = vec![
        Waiver {
            rule: "stale-kpi".to_owned(),
            reason: " replaced by the \"new\" CRM; see memo\nin Q1 ".to_owned(),
            until: Some(date("2027-03-31")),
        },
        Waiver { rule: "until".to_owned(), reason: String::new(), until: None },
    ];

    let mut kpi2 = Node::new("k2", NodeKind::Kpi, "Revenue");
    kpi2.parents = vec!["k1".to_owned()];
    kpi2.direction = Some(Direction::LowerIsBetter);
    kpi2.indicator = Some(Indicator::Lagging);

    let link = |from: &str, to: &str, lag_days| Link {
        from: from.to_owned(),
        to: to.to_owned(),
        kind: LinkKind::Drives,
        lag_days,
        note: None,
    };
    TreeDoc {
        schema: None,
        version: 1,
        organisation: "Acme, \"the\" company".to_owned(),
        as_of: date("2026-11-27"),
        description: Some("First line\n\nThird line: with a colon".to_owned()),
        nodes: vec![strategy, objective, kr, kpi, kpi2],
        links: vec![link("k1", "k2", Some(30)), link("k1", "kr", None), link("k2", "kr", Some(0))],
    }
}

#[test]
fn round_trip_with_every_field() {
    let doc = full_doc();
    let text = to_csv(&doc);
    let back = from_csv("round-trip.csv", &text, &CsvMeta::default()).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(back, doc, "\n{text}");
    // Every column is used, so the header names them all, in order.
    let header = text.lines().find(|l| !l.starts_with('#')).unwrap_or_default();
    assert_eq!(header, kpitree_core::csv::COLUMN_NAMES.join(","));
}

#[test]
fn crlf_and_bom_read_like_lf() {
    let doc = full_doc();
    let text = format!("\u{feff}{}", to_csv(&doc).replace('\n', "\r\n"));
    let back = from_csv("crlf.csv", &text, &CsvMeta::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, doc);
}

#[test]
fn export_writes_only_used_columns() {
    let mut doc = full_doc();
    doc.description = None;
    doc.nodes.truncate(2);
    doc.nodes[0] = Node::new("s", NodeKind::Strategy, "Grow");
    doc.nodes[1].used_in_appraisal = false;
    doc.links.clear();
    assert_eq!(
        to_csv(&doc),
        "# organisation: Acme, \"the\" company\n\
         # as_of: 2026-11-27\n\
         # version: 1\n\
         id,kind,title,parents,status,period\n\
         s,strategy,Grow,,,\n\
         o,objective,Win the north,s,draft,2026-Q4\n"
    );
}

#[test]
fn export_drops_link_notes_and_links_from_unknown_nodes() {
    let mut doc = full_doc();
    doc.links[0].note = Some("believed since 2025".to_owned());
    doc.links.push(Link {
        from: "nobody".to_owned(),
        to: "k1".to_owned(),
        kind: LinkKind::Drives,
        lag_days: None,
        note: None,
    });
    let back = from_csv("x.csv", &to_csv(&doc), &CsvMeta::default()).unwrap_or_else(|e| panic!("{e}"));
    doc.links[0].note = None;
    doc.links.pop();
    assert_eq!(back, doc);
}

#[test]
fn links_come_back_grouped_by_driver() {
    let mut doc = full_doc();
    doc.links.reverse();
    let back = from_csv("x.csv", &to_csv(&doc), &CsvMeta::default()).unwrap_or_else(|e| panic!("{e}"));
    // Grouped by driver in node order; a driver's own links keep their order.
    let node_index = |id: &str| doc.nodes.iter().position(|n| n.id == id);
    doc.links.sort_by_key(|l| node_index(&l.from));
    assert_eq!(back.links, doc.links);
    assert_ne!(back.links, full_doc().links);
}

#[test]
fn meta_overrides_metadata_lines() {
    let text = "# organisation: In file\n# as_of: 2026-01-01\nid,kind,title\ns,strategy,Grow\n";
    let meta = CsvMeta { organisation: Some("From flag".to_owned()), as_of: Some(date("2026-11-27")) };
    let doc = from_csv("m.csv", text, &meta).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((doc.organisation.as_str(), doc.as_of), ("From flag", date("2026-11-27")));
}

/// No input makes the reader panic: every prefix of every fixture, and some odd texts.
#[test]
fn never_panics() {
    let mut texts: Vec<String> =
        ["", "\u{feff}", "#", "# as_of:", "\"", "id,kind,title\n\"", ",,,\n,,,", "a\r\r\n\"\"\""]
            .map(str::to_owned)
            .to_vec();
    for kind in ["valid", "invalid"] {
        for entry in fs::read_dir(fixture_dir(kind)).into_iter().flatten().flatten() {
            if entry.path().extension().is_some_and(|e| e == "csv") {
                texts.push(fs::read_to_string(entry.path()).unwrap_or_default());
            }
        }
    }
    let meta = CsvMeta { organisation: Some("A".to_owned()), as_of: Some(date("2026-11-27")) };
    for text in &texts {
        for (i, _) in text.char_indices() {
            let _ = from_csv("p.csv", &text[..i], &meta);
            let _ = from_csv("p.csv", &text[i..], &CsvMeta::default());
        }
    }
}
