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
use serde::Deserialize;

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

/// Either shape of a report, read in one pass (the other fields are skipped unread).
#[derive(Deserialize)]
struct AnyDoc {
    #[serde(default)]
    findings: Option<Vec<FindingDoc>>,
    #[serde(default)]
    files: Option<Vec<FileDoc>>,
}

#[derive(Deserialize)]
struct ReportDoc {
    findings: Vec<FindingDoc>,
}

#[derive(Deserialize)]
struct FindingDoc {
    fingerprint: String,
}

#[derive(Deserialize)]
struct FileDoc {
    file: String,
    // A file that was invalid when the baseline was made has no report: nothing is known of it.
    #[serde(default)]
    report: Option<ReportDoc>,
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
    /// (none: everything is new).
    pub fn for_file(&self, file: &str) -> Baseline {
        match self {
            Baselines::One(b) => b.clone(),
            Baselines::Files(files) => {
                files.iter().find(|(f, _)| f == file).map(|(_, b)| b.clone()).unwrap_or_default()
            }
        }
    }
}

impl Baseline {
    fn of(findings: Vec<FindingDoc>) -> Baseline {
        let mut counts = HashMap::default();
        for f in findings {
            *counts.entry(f.fingerprint).or_insert(0) += 1;
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
