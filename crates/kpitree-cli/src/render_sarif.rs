//! SARIF 2.1.0 output (serde-sarif types), so CI systems show findings next to the tree file.
//!
//! Each finding's primary location is the tree file where its first node stands (the line and column
//! of its `"id"` in JSON, its row in CSV: the tree's source map) and a logical location per node id;
//! whole-tree findings point at the file's first line.

use crate::cli::Checked;
use kpitree_core::finding::{BaselineState, Finding};
use kpitree_core::report::{PluginFailure, Report};
use kpitree_core::{Pos, Problem, Tree};
use kpitree_run::catalog::RuleInfo;
use serde::ser::SerializeSeq;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult,
    ResultLevel, Suppression, Tool, ToolComponent,
};
use std::collections::{BTreeMap, HashMap};
use std::io::{Result, Write};
use std::path::Path;

fn level(s: kpitree_core::finding::Severity) -> ResultLevel {
    match s {
        kpitree_core::finding::Severity::Error => ResultLevel::Error,
        kpitree_core::finding::Severity::Warning => ResultLevel::Warning,
        kpitree_core::finding::Severity::Info => ResultLevel::Note,
    }
}

/// Writes the reports as one SARIF run (GitHub code scanning expects one run per tool): each
/// result names its tree file. `rules` are the run's rules (built-in and plugin), the tool's rule
/// descriptors; `load_errors` the plugins that failed to load, which every report lists first.
/// Plugins that failed and, with `several` trees, invalid trees' problems are tool execution
/// notifications (a tree's under its file).
pub fn write(
    out: &mut impl Write,
    checked: &[Checked],
    rules: &[RuleInfo],
    load_errors: &[PluginFailure],
    several: bool,
) -> Result<()> {
    let descriptors: Vec<ReportingDescriptor> = rules
        .iter()
        .map(|m| {
            let mut d = ReportingDescriptor::builder()
                .id(m.id.clone())
                .name(m.id.clone())
                .short_description(MultiformatMessageString::builder().text(m.summary.clone()).build())
                .full_description(MultiformatMessageString::builder().text(m.why.clone()).build())
                .help(MultiformatMessageString::builder().text(m.fix.clone()).build())
                .default_configuration(
                    ReportingConfiguration::builder().level(serde_json::json!(level(m.default_severity))).build(),
                )
                .build();
            if let Some(p) = &m.plugin {
                let props = BTreeMap::from([("plugin".to_owned(), serde_json::json!(p))]);
                d.properties = Some(PropertyBag::builder().additional_properties(props).build());
            }
            d
        })
        .collect();
    // The first rule of each id, looked up once per finding.
    let mut rule_index: HashMap<&str, i64> = HashMap::with_capacity(rules.len());
    for (k, r) in rules.iter().enumerate() {
        rule_index.entry(r.id.as_str()).or_insert(k as i64);
    }
    let files: Vec<File<'_>> = checked
        .iter()
        .filter_map(|c| {
            let (tree, report) = c.outcome.as_ref().ok()?;
            Some(File { uri: uri(&c.path), tree, report })
        })
        .collect();
    let results = Results { files: &files, rule_index: &rule_index };
    let driver = ToolComponent::builder()
        .name("kpitree")
        .version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://kpitree.dev")
        .rules(descriptors)
        .build();
    // Plugins that failed: tool execution notifications of a run that did not fully succeed.
    let mut notifications: Vec<Notification> = Vec::new();
    if several {
        notifications.extend(load_errors.iter().map(|e| plugin_notification(e, None)));
        for c in checked {
            let at = uri(&c.path);
            match &c.outcome {
                Ok((_, report)) => notifications.extend(
                    report.plugin_errors.iter().skip(load_errors.len()).map(|e| plugin_notification(e, Some(&at))),
                ),
                Err(e) => notifications.extend(e.problems.iter().map(|p| problem_notification(p, &at))),
            }
        }
    } else {
        for (_, report) in checked.iter().filter_map(|c| c.outcome.as_ref().ok()) {
            notifications.extend(report.plugin_errors.iter().map(|e| plugin_notification(e, None)));
        }
    }
    let invocations = (!notifications.is_empty()).then(|| {
        vec![Invocation::builder().execution_successful(false).tool_execution_notifications(notifications).build()]
    });
    let sarif = Log {
        schema: serde_sarif::sarif::SCHEMA_URL,
        runs: [RunOut { invocations, results, tool: Tool::builder().driver(driver).build() }],
        version: "2.1.0",
    };
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    writeln!(out)
}

/// A tree file as a SARIF artifact URI: the path as named, with `/` separators.
fn uri(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// A location in a tree file: its line and column when known (a CSV row has a line only).
fn file_location(uri: &str, at: Option<Pos>) -> PhysicalLocation {
    let artifact = ArtifactLocation::builder().uri(uri.to_owned()).build();
    match at {
        Some(at) => {
            let mut region = Region::builder().start_line(i64::from(at.line)).build();
            region.start_column = at.column().map(|c| c as i64);
            PhysicalLocation::builder().artifact_location(artifact).region(region).build()
        }
        None => PhysicalLocation::builder().artifact_location(artifact).build(),
    }
}

/// A plugin that failed, on the tree it failed on when there is one (several trees).
fn plugin_notification(e: &PluginFailure, file: Option<&str>) -> Notification {
    let mut props = BTreeMap::new();
    props.insert("plugin".to_owned(), serde_json::json!(e.plugin));
    props.insert("code".to_owned(), serde_json::json!(e.code));
    let mut n = Notification::builder()
        .message(Message::builder().text(e.message.clone()).build())
        .level(serde_json::json!("error"))
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build();
    if let Some(uri) = file {
        n.locations = Some(vec![Location::builder().physical_location(file_location(uri, None)).build()]);
    }
    n
}

/// A problem of an invalid tree, where it stands.
fn problem_notification(p: &Problem, uri: &str) -> Notification {
    let at = p.at.line.map(|line| match p.at.column {
        Some(column) => Pos::at(line, column),
        None => Pos { line: u32::try_from(line).unwrap_or(u32::MAX), column: 0 },
    });
    let props = BTreeMap::from([("code".to_owned(), serde_json::json!(p.code()))]);
    Notification::builder()
        .message(Message::builder().text(p.message.clone()).build())
        .level(serde_json::json!("error"))
        .locations(vec![Location::builder().physical_location(file_location(uri, at)).build()])
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build()
}

/// The key of a result's `partialFingerprints`: the finding's fingerprint (`docs/format.md`), versioned
/// so that another way of computing it could sit beside it.
const FINGERPRINT_KEY: &str = "kpitreeFingerprint/v1";

/// One valid tree's part of the results.
struct File<'a> {
    uri: String,
    tree: &'a Tree,
    report: &'a Report,
}

impl File<'_> {
    /// Where a node stands in the tree's text.
    fn position(&self, id: &str) -> Option<Pos> {
        self.tree.source().node(self.tree.ix(id)? as usize)
    }
}

/// The SARIF log as serde-sarif's `Sarif` with one `Run` writes it (fields in its alphabetical order,
/// absent ones skipped), but with the results made one at a time while they are written: a `Vec` of
/// serde-sarif results holds kilobytes per finding.
#[derive(serde::Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [RunOut<'a>; 1],
    version: &'static str,
}

#[derive(serde::Serialize)]
struct RunOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    invocations: Option<Vec<Invocation>>,
    results: Results<'a>,
    tool: Tool,
}

/// The findings as SARIF results, made while serializing.
struct Results<'a> {
    files: &'a [File<'a>],
    rule_index: &'a HashMap<&'a str, i64>,
}

impl serde::Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let len = self.files.iter().map(|f| f.report.findings.len()).sum();
        let mut seq = serializer.serialize_seq(Some(len))?;
        for file in self.files {
            for f in &file.report.findings {
                seq.serialize_element(&self.result(file, f))?;
            }
        }
        seq.end()
    }
}

impl Results<'_> {
    fn result(&self, file: &File<'_>, f: &Finding) -> SarifResult {
        let at = f.nodes.first().and_then(|id| file.position(id)).unwrap_or(Pos::at(1, 1));
        let physical = file_location(&file.uri, Some(at));
        let logical: Vec<LogicalLocation> = f
            .nodes
            .iter()
            .map(|id| {
                LogicalLocation::builder().name(id.clone()).fully_qualified_name(id.clone()).kind("member").build()
            })
            .collect();
        let mut location = Location::builder().physical_location(physical).build();
        if !logical.is_empty() {
            location.logical_locations = Some(logical);
        }
        let mut props = BTreeMap::new();
        props.insert("nodes".to_owned(), serde_json::json!(f.nodes));
        props.insert("fix".to_owned(), serde_json::json!(f.fix));
        if let Some(e) = &f.evidence {
            props.insert("evidence".to_owned(), serde_json::Value::Object(e.clone()));
        }
        if let Some(p) = &f.plugin {
            props.insert("plugin".to_owned(), serde_json::json!(p));
        }
        let mut result = SarifResult::builder()
            .rule_id(f.rule.clone())
            .level(level(f.severity))
            .message(Message::builder().text(format!("{} Fix: {}", f.message, f.fix)).build())
            .locations(vec![location])
            .properties(PropertyBag::builder().additional_properties(props).build())
            .build();
        result.rule_index = self.rule_index.get(f.rule.as_str()).copied();
        // Code-scanning views track a finding over time by this, not by its line or message.
        result.partial_fingerprints = Some(BTreeMap::from([(FINGERPRINT_KEY.to_owned(), f.fingerprint.clone())]));
        if let Some(state) = f.baseline {
            let state = match state {
                BaselineState::New => "new",
                BaselineState::Known => "unchanged",
            };
            result.baseline_state = Some(serde_json::json!(state));
        }
        if let Some(w) = &f.waived {
            // A waiver on the node is written in the tree itself (in source); one in kpitree.toml is not.
            let kind = if w.in_tree { "inSource" } else { "external" };
            let justification = match w.until {
                Some(until) => format!("{} (until {until})", w.reason),
                None => w.reason.clone(),
            };
            let mut s = Suppression::builder().kind(serde_json::json!(kind)).justification(justification).build();
            s.status = Some(serde_json::json!("accepted"));
            result.suppressions = Some(vec![s]);
        }
        result
    }
}
