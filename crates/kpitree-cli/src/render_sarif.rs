//! SARIF 2.1.0 output (serde-sarif types), so CI systems show findings next to the tree file.
//!
//! Each finding's primary location is the tree file where its first node stands (the line and column
//! of its `"id"` in JSON, its row in CSV: the tree's source map) and a logical location per node id;
//! whole-tree findings point at the file's first line.

use kpitree_core::finding::Finding;
use kpitree_core::report::Report;
use kpitree_core::{Pos, Tree};
use kpitree_run::catalog::RuleInfo;
use serde::ser::SerializeSeq;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult,
    ResultLevel, Tool, ToolComponent,
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

/// Writes the report as one SARIF run.
/// `rules` are the run's rules (built-in and plugin), the tool's rule descriptors.
pub fn write(out: &mut impl Write, file: &Path, tree: &Tree, report: &Report, rules: &[RuleInfo]) -> Result<()> {
    let uri = file.to_string_lossy().replace('\\', "/");
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
    let position = |id: &str| tree.source().node(tree.ix(id)? as usize);
    let results = Results { report, position: &position, uri: &uri, rule_index: &rule_index };
    let driver = ToolComponent::builder()
        .name("kpitree")
        .version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://kpitree.dev")
        .rules(descriptors)
        .build();
    // Plugins that failed: tool execution notifications of a run that did not fully succeed.
    let notifications: Vec<Notification> = report
        .plugin_errors
        .iter()
        .map(|e| {
            let mut props = BTreeMap::new();
            props.insert("plugin".to_owned(), serde_json::json!(e.plugin));
            props.insert("code".to_owned(), serde_json::json!(e.code));
            Notification::builder()
                .message(Message::builder().text(e.message.clone()).build())
                .level(serde_json::json!("error"))
                .properties(PropertyBag::builder().additional_properties(props).build())
                .build()
        })
        .collect();
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
    report: &'a Report,
    /// Where a node stands in the tree's text.
    position: &'a dyn Fn(&str) -> Option<Pos>,
    uri: &'a str,
    rule_index: &'a HashMap<&'a str, i64>,
}

impl serde::Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.report.findings.len()))?;
        for f in &self.report.findings {
            seq.serialize_element(&self.result(f))?;
        }
        seq.end()
    }
}

impl Results<'_> {
    fn result(&self, f: &Finding) -> SarifResult {
        let at = f.nodes.first().and_then(|id| (self.position)(id)).unwrap_or(Pos::at(1, 1));
        let mut region = Region::builder().start_line(i64::from(at.line)).build();
        // A CSV row has a line only.
        region.start_column = at.column().map(|c| c as i64);
        let physical = PhysicalLocation::builder()
            .artifact_location(ArtifactLocation::builder().uri(self.uri.to_owned()).build())
            .region(region)
            .build();
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
        result
    }
}
