//! Baselines: an earlier report's findings, so that a run fails only on what is new.
//!
//! A baseline is the JSON of `kpitree check --format json` (one tree's report, or the report of several
//! trees, `{"files": [{"file": ..., "report": ...}]}`). Findings are matched by their fingerprint
//! ([`crate::finding::fingerprint`]: rule, nodes or case; never message text or position), as a
//! multiset: a baseline with a fingerprint twice knows two findings of it. [`mark`] marks each
//! finding of a report `new` or `known` and counts them in its summary.

use crate::error::{LoadError, Location, Problem, ProblemKind};
use crate::finding::BaselineState;
use crate::report::Report;
use rustc_hash::FxHashMap as HashMap;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::marker::PhantomData;

/// The fingerprints of a baseline's findings, for one tree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    counts: HashMap<String, usize>,
}

/// A baseline file: one tree's, or one per file of a check of several trees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Baselines {
    /// The report of a check of one tree: the baseline of whichever tree is checked.
    One(Baseline),
    /// The reports of a check of several trees, by file name as the report wrote it.
    Files(Vec<(String, Baseline)>),
}

/// Either shape of a report, read in one pass (the other fields are skipped unread). Each object of
/// a report is read from an object only (a derived struct would also take an array of its fields),
/// and a value of the wrong type names what was expected in the user's words, not a type of ours.
struct AnyDoc {
    findings: Option<Vec<FindingDoc>>,
    files: Option<Files>,
}

struct ReportDoc {
    findings: Vec<FindingDoc>,
}

struct FindingDoc {
    fingerprint: Fingerprint,
}

struct FileDoc {
    file: String,
    // A file that was invalid when the baseline was made has no report: nothing is known of it.
    report: Option<ReportDoc>,
}

/// A fingerprint as [`crate::finding::fingerprint`] writes it: 16 lowercase hexadecimal digits.
struct Fingerprint(String);

/// The `files` of a report of several trees. A file listed twice is refused (which of its reports
/// would count?), compared as [`normalise`]d paths.
struct Files(Vec<FileDoc>);

/// An object of a report: what it is in the user's words, and how its fields are read.
trait Object: Sized {
    const WHAT: &'static str;
    fn read<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Object> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(T::WHAT)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::read(map)
    }
}

macro_rules! from_object {
    ($($t:ty),*) => {$(
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_map(ObjectVisitor::<$t>(PhantomData))
            }
        }
    )*};
}
from_object!(AnyDoc, ReportDoc, FindingDoc, FileDoc);

/// Sets a field read once; a second time is an error, as serde's derive says it.
fn once<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

impl Object for AnyDoc {
    const WHAT: &'static str = "a report object (the output of `kpitree check --format json`)";
    fn read<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        // `null` is as good as absent, as `#[serde(default)]` on an `Option` read it.
        let (mut findings, mut files): (Option<Option<_>>, Option<Option<_>>) = (None, None);
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match &*key {
                "findings" => once(&mut map, &mut findings, "findings")?,
                "files" => once(&mut map, &mut files, "files")?,
                _ => drop(map.next_value::<de::IgnoredAny>()?),
            }
        }
        Ok(AnyDoc { findings: findings.flatten(), files: files.flatten() })
    }
}

impl Object for ReportDoc {
    const WHAT: &'static str = "a report object (`{\"findings\": [...]}`)";
    fn read<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut findings = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match &*key {
                "findings" => once(&mut map, &mut findings, "findings")?,
                _ => drop(map.next_value::<de::IgnoredAny>()?),
            }
        }
        Ok(ReportDoc { findings: findings.ok_or_else(|| de::Error::missing_field("findings"))? })
    }
}

impl Object for FindingDoc {
    const WHAT: &'static str = "a finding object (`{\"rule\": ..., \"fingerprint\": ...}`)";
    fn read<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut fingerprint = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match &*key {
                "fingerprint" => once(&mut map, &mut fingerprint, "fingerprint")?,
                _ => drop(map.next_value::<de::IgnoredAny>()?),
            }
        }
        Ok(FindingDoc { fingerprint: fingerprint.ok_or_else(|| de::Error::missing_field("fingerprint"))? })
    }
}

impl Object for FileDoc {
    const WHAT: &'static str = "a tree's entry (`{\"file\": ..., \"report\": ...}`)";
    fn read<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let (mut file, mut report): (Option<String>, Option<Option<ReportDoc>>) = (None, None);
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match &*key {
                "file" => once(&mut map, &mut file, "file")?,
                "report" => once(&mut map, &mut report, "report")?,
                _ => drop(map.next_value::<de::IgnoredAny>()?),
            }
        }
        Ok(FileDoc { file: file.ok_or_else(|| de::Error::missing_field("file"))?, report: report.flatten() })
    }
}

impl<'de> Deserialize<'de> for Fingerprint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Fingerprint;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "a fingerprint: 16 lowercase hexadecimal digits, as `kpitree check --format json` writes it",
                )
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Fingerprint, E> {
                if s.len() == 16 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                    Ok(Fingerprint(s.to_owned()))
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(s), &self))
                }
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Files {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Files;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of the trees' entries (`[{\"file\": ..., \"report\": ...}]`)")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Files, A::Error> {
                let mut files: Vec<FileDoc> = Vec::new();
                while let Some(f) = seq.next_element::<FileDoc>()? {
                    let key = normalise(&f.file);
                    if let Some(first) = files.iter().position(|g| normalise(&g.file) == key) {
                        return Err(de::Error::custom(format!(
                            "the file {:?} is listed twice (files[{first}] and files[{}]): a baseline has one report \
                             per tree; write it again with `kpitree check --format json`",
                            f.file,
                            files.len()
                        )));
                    }
                    files.push(f);
                }
                Ok(Files(files))
            }
        }
        d.deserialize_seq(V)
    }
}

/// A path as written in a baseline or on a command line, made comparable without the file system:
/// `\` read as `/`, `.` and empty parts dropped, `a/..` collapsed (a leading `..` is kept).
pub fn normalise(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    if path.starts_with('/') { format!("/{joined}") } else { joined }
}

/// The last part of a [`normalise`]d path.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

impl Baselines {
    /// Reads a baseline file's text; problems are located in it (`file`, line, column, the path of the
    /// value: a finding without a fingerprint names `findings[3]`).
    pub fn from_json(file: &str, text: &str) -> Result<Baselines, LoadError> {
        let text = crate::json::strip_bom(text);
        let fail = |e: serde_json::Error| {
            let mut p = crate::json::explain_other(text, e);
            if p.message.contains("missing field `fingerprint`") {
                // Reports before fingerprints existed: say what to do, not only what is missing.
                p = Problem::new(
                    ProblemKind::Schema {
                        detail: "a finding has no `fingerprint`: the baseline was written by an older kpitree; write \
                                 it again with `kpitree check --format json`"
                            .into(),
                    },
                    p.at,
                );
            }
            LoadError { file: file.to_owned(), problems: vec![p] }
        };
        let doc: AnyDoc = serde_json::from_str(text).map_err(fail)?;
        match doc {
            AnyDoc { files: Some(files), .. } => Ok(Baselines::Files(
                files
                    .0
                    .into_iter()
                    .map(|f| (f.file, f.report.map(|r| Baseline::of(r.findings)).unwrap_or_default()))
                    .collect(),
            )),
            AnyDoc { findings: Some(findings), .. } => Ok(Baselines::One(Baseline::of(findings))),
            AnyDoc { findings: None, files: None } => {
                let detail =
                    "not a report of `kpitree check --format json`: it has neither `findings` nor `files`".into();
                Err(LoadError {
                    file: file.to_owned(),
                    problems: vec![Problem::new(ProblemKind::Schema { detail }, Location::default())],
                })
            }
        }
    }

    /// The baseline of the tree read from `file`: the one report, or the report of the same file
    /// (none: everything is new). [`Baselines::lookup`] says when there is none.
    pub fn for_file(&self, file: &str) -> Baseline {
        self.lookup(&[file]).cloned().unwrap_or_default()
    }

    /// The baseline of a tree known by `names` (the path as given first, then other spellings of
    /// it, such as the absolute path): the one report, or the report of the file whose
    /// [`normalise`]d path equals one of them, else the only file with the same file name as the
    /// first. `None` when a baseline of several files has none of this tree.
    pub fn lookup(&self, names: &[&str]) -> Option<&Baseline> {
        let files = match self {
            Baselines::One(b) => return Some(b),
            Baselines::Files(files) => files,
        };
        let names: Vec<String> = names.iter().map(|n| normalise(n)).collect();
        let keys: Vec<String> = files.iter().map(|(f, _)| normalise(f)).collect();
        if let Some(i) = keys.iter().position(|k| names.contains(k)) {
            return Some(&files[i].1);
        }
        let name = file_name(names.first()?);
        let mut same = keys.iter().enumerate().filter(|(_, k)| file_name(k) == name);
        match (same.next(), same.next()) {
            (Some((i, _)), None) => Some(&files[i].1),
            _ => None,
        }
    }

    /// The files a baseline of several trees has reports of, as it names them (none for one tree's).
    pub fn files(&self) -> Vec<&str> {
        match self {
            Baselines::One(_) => Vec::new(),
            Baselines::Files(files) => files.iter().map(|(f, _)| f.as_str()).collect(),
        }
    }
}

impl Baseline {
    fn of(findings: Vec<FindingDoc>) -> Baseline {
        let mut counts = HashMap::default();
        for f in findings {
            *counts.entry(f.fingerprint.0).or_insert(0) += 1;
        }
        Baseline { counts }
    }

    /// The baseline of a report in hand (the browser's `baseline` is a report object).
    pub fn from_report(report: &Report) -> Baseline {
        let mut counts = HashMap::default();
        for f in &report.findings {
            *counts.entry(f.fingerprint.clone()).or_insert(0) += 1;
        }
        Baseline { counts }
    }

    /// How many findings it knows.
    pub fn len(&self) -> usize {
        self.counts.values().sum()
    }

    /// True when it knows no finding.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }
}

/// Marks each finding of `report` new or known against `baseline`, and counts the findings that count
/// (not waived) of each in the summary. With a fingerprint k times in the baseline, its first k
/// findings in report order are known.
pub fn mark(report: &mut Report, baseline: &Baseline) {
    let mut left = baseline.counts.clone();
    let (mut new, mut known) = (0, 0);
    for f in &mut report.findings {
        let state = match left.get_mut(&f.fingerprint) {
            Some(n) if *n > 0 => {
                *n -= 1;
                BaselineState::Known
            }
            _ => BaselineState::New,
        };
        f.baseline = Some(state);
        if f.waived.is_none() {
            match state {
                BaselineState::New => new += 1,
                BaselineState::Known => known += 1,
            }
        }
    }
    report.summary.new = Some(new);
    report.summary.known = Some(known);
}
