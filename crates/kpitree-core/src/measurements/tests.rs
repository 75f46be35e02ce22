use super::cells::{DateError, parse_date, parse_value};
use super::*;

const TREE: &str = r#"{"version": 1, "organisation": "Acme", "as_of": "2026-11-27", "nodes": [
    {"id": "s", "kind": "strategy", "title": "Grow"},
    {"id": "o", "kind": "objective", "title": "Win", "parents": ["s"], "period": "2026-Q4"},
    {"id": "kr-arr", "kind": "key_result", "title": "ARR", "parents": ["o"], "start": 0, "target": 10,
     "check_ins": [{"date": "2026-11-01", "value": 3, "confidence": 0.6, "note": "slow start"}]},
    {"id": "kpi-visits", "kind": "kpi", "title": "Visits", "parents": ["kr-arr"],
     "measurements": [{"date": "2026-10-31", "value": 1180}, {"date": "2026-09-30", "value": 1100}]},
    {"id": "kpi-revenue", "kind": "kpi", "title": "Revenue", "parents": ["kr-arr"]}]}"#;

fn doc() -> TreeDoc {
    crate::json::parse_json("t.json", TREE).expect("valid")
}

fn csv(name: &'static str, text: &'static str) -> Data<'static> {
    Data { name, text, format: DataFormat::Csv }
}

fn json(name: &'static str, text: &'static str) -> Data<'static> {
    Data { name, text, format: DataFormat::Json }
}

/// The merge's problems, as the CLI prints them.
fn errors(data: &[Data<'_>], order: Option<DateOrder>) -> String {
    let mut d = doc();
    let before = d.clone();
    let e = merge(&mut d, data, order).expect_err("invalid");
    assert_eq!(d, before, "nothing merged on error");
    e.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

fn date(s: &str, order: Option<DateOrder>) -> Result<String, String> {
    parse_date(s, order).map(|d| d.to_string()).map_err(|e| match e {
        DateError::Bad(m) => m,
        DateError::NeedsOrder(m) => format!("order: {m}"),
    })
}

#[test]
fn reads_every_date_format() {
    for s in [
        "2026-11-27",
        "2026-11-27T08:00:00Z",
        "2026-11-27 08:00:00",
        "2026-11-27T23:30:00-05:00",
        "2026-11-27T08:00:00.123+02:00",
        "2026/11/27",
        "27.11.2026",
        "27.11.2026 08:00",
    ] {
        assert_eq!(date(s, None).as_deref(), Ok("2026-11-27"), "{s}");
    }
    assert_eq!(date("03/04/2026", Some(DateOrder::Dmy)).as_deref(), Ok("2026-04-03"));
    assert_eq!(date("03/04/2026", Some(DateOrder::Mdy)).as_deref(), Ok("2026-03-04"));
    assert_eq!(date("11-27-2026 8:00 PM", Some(DateOrder::Mdy)).as_deref(), Ok("2026-11-27"));
    assert_eq!(date("1.2.2026", None).as_deref(), Ok("2026-02-01"));
}

#[test]
fn refuses_ambiguous_serial_and_impossible_dates() {
    assert_eq!(
        date("03/04/2026", None),
        Err("order: \"03/04/2026\" is ambiguous: 2026-04-03 read day first, 2026-03-04 read month first; the file \
             must say which order all its dates use: pass --date-order dmy or --date-order mdy, or export dates as \
             YYYY-MM-DD"
            .to_owned())
    );
    let unambiguous = date("27/11/2026", None).expect_err("needs the order");
    assert!(
        unambiguous.starts_with("order: \"27/11/2026\" can only be 2026-11-27 (day first), but a file"),
        "{unambiguous}"
    );
    assert_eq!(
        date("27/11/2026", Some(DateOrder::Mdy)),
        Err("\"27/11/2026\" is not a date: there is no month 27 read month first (--date-order mdy)".to_owned())
    );
    assert_eq!(
        date("46353", None),
        Err("\"46353\" is a number, not a date: a spreadsheet's serial date number (days since 1899-12-30; this \
             one would be 2026-11-27); format the column as a date (YYYY-MM-DD) before exporting"
            .to_owned())
    );
    assert_eq!(date("2026-02-30", None), Err("\"2026-02-30\" is not a date: February 2026 has 28 days".to_owned()));
    assert_eq!(date("2026-13-01", None), Err("\"2026-13-01\" is not a date: there is no month 13".to_owned()));
    for bad in ["27/11/26", "Nov 27, 2026", "yesterday", ""] {
        let e = date(bad, Some(DateOrder::Dmy)).expect_err(bad);
        assert!(e.contains("the formats read are"), "{bad}: {e}");
    }
}

#[test]
fn reads_values_with_a_decimal_comma_only_when_told() {
    assert_eq!(parse_value("12,5", true), Ok(12.5));
    assert_eq!(parse_value("-0,25", true), Ok(-0.25));
    assert_eq!(parse_value("12.5", true), Ok(12.5));
    assert!(parse_value("1.234,5", true).is_err());
    assert!(parse_value("1,234,5", true).is_err());
    assert!(parse_value("12,5", false).is_err());
    assert!(parse_value("NaN", false).is_err());
    assert!(parse_value("inf", false).is_err());
}

#[test]
fn merges_replaces_sorts_and_is_idempotent() {
    let data = [
        csv(
            "kpi.csv",
            "\u{feff}date,value,KPI_ID\n\n2026-11-30,1210,kpi-visits\n2026-10-31,1185,kpi-visits\n\
             2026-11-30,1210,kpi-visits\n2026-11-30,90,kpi-revenue\n",
        ),
        json(
            "kr.json",
            r#"[{"kr_id": "kr-arr", "date": "2026-11-01", "value": 4},
                {"kr_id": "kr-arr", "date": "2026-11-20T09:00:00Z", "value": "5.5", "confidence": 0.7, "note": null}]"#,
        ),
    ];
    let mut d = doc();
    let summary = merge(&mut d, &data, None).expect("merges");
    assert_eq!(summary.measurements, Counts { added: 2, replaced: 1, unchanged: 0 });
    assert_eq!(summary.check_ins, Counts { added: 1, replaced: 1, unchanged: 0 });
    let visits: Vec<(String, f64)> = d.nodes[3].measurements.iter().map(|m| (m.date.to_string(), m.value)).collect();
    assert_eq!(visits, [("2026-09-30".into(), 1100.0), ("2026-10-31".into(), 1185.0), ("2026-11-30".into(), 1210.0)]);
    // A check-in row without confidence or note keeps the tree's.
    let arr = &d.nodes[2].check_ins;
    assert_eq!((arr[0].value, arr[0].confidence, arr[0].note.as_deref()), (4.0, Some(0.6), Some("slow start")));
    assert_eq!((arr[1].value, arr[1].confidence, arr[1].note.as_deref()), (5.5, Some(0.7), None));

    let once = crate::to_json(&d);
    let again = merge(&mut d, &data, None).expect("merges again");
    assert_eq!(crate::to_json(&d), once, "byte-identical");
    assert_eq!(again.measurements, Counts { added: 0, replaced: 0, unchanged: 3 });
    assert_eq!(again.check_ins, Counts { added: 0, replaced: 0, unchanged: 2 });
}

#[test]
fn sniffs_semicolons_and_tabs() {
    let mut d = doc();
    let semi = csv("eu.csv", "kpi_id;date;value\nkpi-revenue;27.11.2026;\"1234,5\"\r\nkpi-revenue;28.11.2026;7\r\n");
    let tab = csv("t.tsv", "sep=\t\nkr_id\tdate\tvalue\tconfidence\tnote\nkr-arr\t2026-11-27\t6\t0.5\thello, world\n");
    merge(&mut d, &[semi, tab], None).expect("merges");
    let revenue: Vec<f64> = d.nodes[4].measurements.iter().map(|m| m.value).collect();
    assert_eq!(revenue, [1234.5, 7.0]);
    assert_eq!(d.nodes[2].check_ins[1].note.as_deref(), Some("hello, world"));
    // A comma file does not read decimal commas.
    assert!(
        errors(&[csv("us.csv", "kpi_id,date,value\nkpi-revenue,2026-11-27,\"12,5\"\n")], None)
            .contains("us.csv:2: error[schema]: node \"kpi-revenue\", field `value`: \"12,5\" is not a number")
    );
}

#[test]
fn reports_every_problem_of_every_file_located() {
    let a = csv(
        "a.csv",
        "kpi_id,date,value\n\
         kpi-visits,2026-02-30,1\n\
         kpi-visitz,2026-11-27,2\n\
         kr-arr,2026-11-27,3\n\
         kpi-revenue,46353,x\n\
         kpi-revenue,2026-11-01,5\n\
         kpi-revenue,2026-11-01,6\n\
         o,2026-11-01,6\n",
    );
    let b = json(
        "b.json",
        "[\n  {\"kr_id\": \"kpi-visits\", \"date\": \"2026-11-27\", \"value\": 1},\n  {\"kr_id\": \"kr-arr\", \"date\": \
         \"2026-11-27\", \"value\": 1, \"confidence\": 1.5, \"colour\": 1}\n]",
    );
    assert_eq!(
        errors(&[a, b], None),
        "a.csv:2: error[schema]: node \"kpi-visits\", field `date`: \"2026-02-30\" is not a date: February 2026 has 28 days
a.csv:3: error[unknown-id]: node \"kpi-visitz\", field `kpi_id`: no node has the id \"kpi-visitz\"; did you mean \"kpi-visits\"?
a.csv:4: error[wrong-kind]: node \"kr-arr\", field `kpi_id`: \"kr-arr\" is a key result, not a KPI: its check-ins go in a file with a `kr_id` column
a.csv:5: error[schema]: node \"kpi-revenue\", field `date`: \"46353\" is a number, not a date: a spreadsheet's serial date number (days since 1899-12-30; this one would be 2026-11-27); format the column as a date (YYYY-MM-DD) before exporting
a.csv:5: error[schema]: node \"kpi-revenue\", field `value`: \"x\" is not a number
a.csv:7: error[conflicting-rows]: node \"kpi-revenue\", field `value`: conflicts with line 6 (value 5), a row for the same id and date; keep one
a.csv:8: error[wrong-kind]: node \"o\", field `kpi_id`: \"o\" is an objective: only KPIs (`kpi_id`) have measurements and only key results (`kr_id`) check-ins
b.json:2:3: error[wrong-kind]: node \"kpi-visits\", field `kr_id`: \"kpi-visits\" is a KPI, not a key result: its measurements go in a file with a `kpi_id` column
b.json:3:3: error[schema]: node \"kr-arr\", field `colour`: unknown column `colour`; a data file has the columns `kpi_id,date,value` (KPI measurements) or `kr_id,date,value` with optional `confidence` and `note` (key-result check-ins)"
    );
    // The confidence is reported once the keys are right.
    let c = json("c.jsonl", "{\"kr_id\": \"kr-arr\", \"date\": \"2026-11-27\", \"value\": 1, \"confidence\": 1.5}\n");
    assert_eq!(
        errors(&[c], None),
        "c.jsonl:1:1: error[out-of-range]: node \"kr-arr\", field `confidence`: confidence 1.5 is outside 0.0-1.0 (a fraction: 70% is 0.7)"
    );
}

#[test]
fn conflicts_across_files_name_the_other_file() {
    let a = csv("a.csv", "kpi_id,date,value\nkpi-revenue,2026-11-01,5\n");
    let b = csv("b.csv", "kpi_id,date,value\nkpi-revenue,2026-11-01,5\nkpi-revenue,01.11.2026,6\n");
    assert_eq!(
        errors(&[a, b], None),
        "b.csv:3: error[conflicting-rows]: node \"kpi-revenue\", field `value`: conflicts with a.csv line 2 (value 5), a row for the same id and date; keep one"
    );
}

#[test]
fn refuses_bad_headers_naming_the_columns() {
    let e = errors(&[csv("h.csv", "kpi_id,dat,value,confidence\n")], None);
    assert_eq!(
        e,
        "h.csv:1: error[schema]: field `dat`: unknown column `dat`; did you mean `date`?
h.csv:1: error[schema]: field `date`: missing: a KPI measurement needs `date` (the columns are `kpi_id,date,value` (KPI measurements) or `kr_id,date,value` with optional `confidence` and `note` (key-result check-ins))
h.csv:1: error[schema]: field `confidence`: `confidence` belongs to key-result check-ins (`kr_id`); KPI measurements have `kpi_id,date,value`"
    );
    assert!(errors(&[csv("h.csv", "kpi_id,kr_id,date,value\n")], None).contains("not both; split it in two"));
    assert!(errors(&[csv("h.csv", "id,date,value\n")], None).contains("missing: an id column"));
    assert!(errors(&[csv("h.csv", "\n\n")], None).starts_with("h.csv:3: error[syntax]: no header row"));
}

#[test]
fn ambiguous_dates_are_reported_once_per_file() {
    let text = "kpi_id,date,value\nkpi-revenue,03/04/2026,1\nkpi-revenue,05/04/2026,2\nkpi-revenue,27/04/2026,3\n";
    let e = errors(&[csv("d.csv", text)], None);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.starts_with("d.csv:2: error[schema]: node \"kpi-revenue\", field `date`: \"03/04/2026\" is ambiguous"));
    assert!(e.ends_with("(2 more dates of this file are written this way)"), "{e}");
    let mut d = doc();
    merge(&mut d, &[csv("d.csv", text)], Some(DateOrder::Dmy)).expect("with the order");
    assert_eq!(d.nodes[4].measurements[2].date.to_string(), "2026-04-27");
}

#[test]
fn json_syntax_and_shape_problems_are_located() {
    let e =
        errors(&[json("s.json", "[\n  {\"kpi_id\": \"kpi-revenue\", \"date\": \"2026-11-27\" \"value\": 1}\n]")], None);
    assert!(e.starts_with("s.json:2:50: error[syntax]: expected `,` or `}`"), "{e}");
    let e = errors(&[json("s.json", "{\"rows\": []}")], None);
    assert!(e.starts_with("s.json:1:1: error[schema]: field `rows`: unknown column `rows`"), "{e}");
    let e = errors(&[json("s.json", "[{\"kpi_id\": \"kpi-revenue\", \"date\": 46353, \"value\": 1}")], None);
    assert!(e.contains("s.json:1:2: error[schema]: node \"kpi-revenue\", field `date`: \"46353\" is a number"), "{e}");
    assert!(e.contains("s.json:1:54: error[syntax]: the array of rows is not closed"), "{e}");
    let e = errors(&[json("s.json", "[{\"kpi_id\": 7, \"date\": \"2026-11-27\", \"value\": true}] x")], None);
    assert!(e.contains("field `kpi_id`: expected the id as a string, found a number"), "{e}");
    assert!(e.contains("s.json:1:54: error[syntax]: text after the array of rows"), "{e}");
}

#[test]
fn a_hundred_thousand_rows_into_a_hundred_thousand_nodes_is_fast() {
    use std::fmt::Write as _;
    let mut d = doc();
    for k in 0..100_000 {
        let mut n = crate::model::Node::new(format!("k{k}"), NodeKind::Kpi, "K");
        n.parents = vec!["kr-arr".into()];
        d.nodes.push(n);
    }
    let mut text = String::from("kpi_id,date,value\n");
    for k in 0..100_000 {
        let _ = writeln!(text, "k{},2026-{:02}-01,{k}", k % 50_000, 1 + k / 50_000);
    }
    let started = std::time::Instant::now();
    let summary =
        merge(&mut d, &[Data { name: "big.csv", text: &text, format: DataFormat::Csv }], None).expect("merges");
    assert_eq!(summary.measurements.added, 100_000);
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
}

#[test]
fn merged_trees_are_validated_again() {
    let tree = Tree::new("t.json", doc()).expect("valid");
    let data = [csv("k.csv", "kpi_id,date,value\nkpi-revenue,2026-11-27,3\n")];
    let (tree, summary) = merge_tree("t.json", tree, &data, None).expect("merges");
    assert_eq!(summary.measurements.added, 1);
    assert_eq!(tree.doc().nodes[4].measurements.len(), 1);
}

#[test]
fn formats_by_name() {
    assert_eq!(DataFormat::of_name("x.JSON"), DataFormat::Json);
    assert_eq!(DataFormat::of_name("x.ndjson"), DataFormat::Json);
    assert_eq!(DataFormat::of_name("x.jsonl"), DataFormat::Json);
    assert_eq!(DataFormat::of_name("x.tsv"), DataFormat::Csv);
    assert_eq!(DataFormat::of_name("export"), DataFormat::Csv);
}

#[test]
fn csv_lines_are_counted_whatever_the_line_ending() {
    for (text, lines) in [
        ("kpi_id,date,value\r\nkpi-revenue,2026-11-01,1\r\nnope,2026-11-01,1\r\n", "a.csv:3"),
        ("kpi_id,date,value\r\nnope,2026-11-01,1\r\n", "a.csv:2"),
        ("\u{feff}kpi_id,date,value\r\nnope,2026-11-01,1\r\n", "a.csv:2"),
        ("sep=;\r\nkpi_id;date;value\r\nkpi-revenue;2026-11-01;1\r\nnope;2026-11-01;1\r\n", "a.csv:4"),
        // Blank lines, a lone CR ending, and a quoted cell over two lines.
        ("kpi_id,date,value\n\n\nnope,2026-11-01,1\n", "a.csv:4"),
        ("kpi_id,date,value\r\n\r\nnope,2026-11-01,1\r\nnope,x,1\r\n", "a.csv:3 a.csv:4"),
        ("kpi_id,date,value\rnope,2026-11-01,1\r", "a.csv:2"),
        ("kr_id,date,value,note\r\nkr-arr,2026-11-01,1,\"a\r\nb\"\r\nnope,2026-11-01,1,\r\n", "a.csv:4"),
    ] {
        let e = errors(&[csv("a.csv", text)], None);
        let at: Vec<&str> = e.lines().map(|l| l.split(": error").next().unwrap_or("")).collect();
        assert_eq!(at.join(" "), lines, "{text:?}");
    }
}

#[test]
fn a_dot_and_three_digits_in_a_decimal_comma_file_is_ambiguous() {
    assert_eq!(parse_value("1,500", true), Ok(1.5));
    assert_eq!(parse_value("1.5", true), Ok(1.5));
    assert_eq!(parse_value("1.50", true), Ok(1.5));
    assert_eq!(parse_value("1.500", false), Ok(1.5));
    let e = parse_value("1.500", true).expect_err("ambiguous");
    assert!(e.starts_with("\"1.500\" is ambiguous"), "{e}");
    assert!(parse_value("-12.000", true).is_err());
    let e = errors(&[csv("eu.csv", "kpi_id;date;value\nkpi-revenue;2026-11-01;1.500\n")], None);
    assert!(
        e.starts_with("eu.csv:2: error[schema]: node \"kpi-revenue\", field `value`: \"1.500\" is ambiguous"),
        "{e}"
    );
}

#[test]
fn the_time_after_a_date_is_checked() {
    for s in [
        "2026-11-03 00:00:00 UTC",
        "2026-11-03T23:59:60Z",
        "2026-11-03T00:00:00+14:00",
        "2026-11-03T00:00:00-0530",
        "2026-11-03 08:00:00+02",
        "2026-11-03T08:00",
        "2026-11-03 8:00",
        "2026-11-03 12:00 am",
        "2026-11-03T08:00:00.123456789",
    ] {
        assert_eq!(date(s, None).as_deref(), Ok("2026-11-03"), "{s}");
    }
    for (s, why) in [
        ("2026-11-03 99:99:99", "has no hour 99"),
        ("2026-11-03T25:00:00", "has no hour 25"),
        ("2026-11-03T10:60", "has no minute 60"),
        ("2026-11-03T10:00:61", "has no second 61"),
        ("2026-11-03T00:00:00+25:00", "offset"),
        ("2026-11-03T00:00:00+99", "offset"),
        ("2026-11-03T00:00:00 PM", "is not 1-12"),
        ("2026-11-03T13:00 PM", "is not 1-12"),
        ("2026-11-03T00:00:00.Z", "is not one of"),
        ("2026-11-03T1:2", "is not one of"),
        ("2026-11-03T08", "is not one of"),
        ("2026-11-03Tnoon", "is not one of"),
        ("2026-11-03T08:00:00+2", "is not one of"),
        ("2026-11-03T08:00 UTC+1", "is not one of"),
        ("2026-11-03T08:00:00 PM+01:00", "is not one of"),
    ] {
        let e = date(s, None).expect_err(s);
        assert!(e.starts_with(&format!("{s:?} is not a date: ")) && e.contains(why), "{s}: {e}");
    }
}

#[test]
fn json_keys_follow_the_header_rule() {
    let mut d = doc();
    let rows = json("k.jsonl", "{\"KPI ID\": \"kpi-revenue\", \"Date\": \"2026-11-01\", \"value\": 3}\n");
    let checkins =
        json("c.json", "[{\"kr-id\": \"kr-arr\", \"DATE\": \"2026-11-02\", \"Value\": 3, \"Confidence\": 0.5}]");
    merge(&mut d, &[rows, checkins], None).expect("merges");
    assert_eq!(d.nodes[4].measurements[0].value, 3.0);
    assert_eq!(d.nodes[2].check_ins[1].confidence, Some(0.5));
    let e = errors(
        &[json("k.json", "[{\"kpi_id\": \"kpi-revenue\", \"KPI ID\": \"x\", \"date\": \"2026-11-01\", \"value\": 3}]")],
        None,
    );
    assert_eq!(
        e,
        "k.json:1:2: error[schema]: node \"x\", field `kpi_id`: keys `KPI ID` and `kpi_id` both name the column `kpi_id`; keep one"
    );
}

#[test]
fn empty_files_read_as_csv_ones_do() {
    let none = |data: Data<'static>| {
        let mut d = doc();
        merge(&mut d, &[data], None).map(|s| s.measurements.added + s.check_ins.added)
    };
    assert_eq!(none(csv("h.csv", "kpi_id,date,value\n")).ok(), Some(0));
    assert_eq!(none(json("e.json", "[]")).ok(), Some(0));
    assert_eq!(none(json("e.jsonl", "")).ok(), Some(0));
    assert_eq!(none(json("e.ndjson", "\n\r\n  \n")).ok(), Some(0));
    assert!(errors(&[csv("e.csv", "")], None).starts_with("e.csv:1: error[syntax]: no header row"));
    assert!(errors(&[json("e.json", "")], None).starts_with("e.json:1:1: error[syntax]: expected an array of rows"));
}

#[test]
fn json_lines_are_read_one_by_one() {
    let text = concat!(
        "{\"kpi_id\": \"kpi-revenue\", \"date\": \"2026-11-01\", \"value\": 1}\n",
        "{\"kpi_id\":\"kpi-revenue\",\"date\":\"2026-11-07\",\n",
        "\r\n",
        "{\"kpi_id\": \"kpi-revenue\", \"date\": \"2026-11-31\", \"value\": 1}\r\n",
        "  {\"kpi_id\": \"kpi-revenue\", \"date\": \"2026-11-08\" \"value\": 1}\n",
        "[1]\n",
        "\t{\"kpi_id\": \"kpi-revenue\", \"date\": \"2026-11-31\", \"value\": 1}",
    );
    assert_eq!(
        errors(&[json("l.jsonl", text)], None),
        "l.jsonl:2:44: error[syntax]: EOF while parsing a value: in JSON Lines each row object is on one line
l.jsonl:4:1: error[schema]: node \"kpi-revenue\", field `date`: \"2026-11-31\" is not a date: November 2026 has 30 days
l.jsonl:5:50: error[syntax]: expected `,` or `}`
l.jsonl:6:1: error[schema]: a row must be an object, such as {\"kpi_id\": \"k\", \"date\": \"2026-11-27\", \"value\": 12}
l.jsonl:7:2: error[schema]: node \"kpi-revenue\", field `date`: \"2026-11-31\" is not a date: November 2026 has 30 days"
    );
}
