//! SARIF 2.1.0 output (serde-sarif types), so CI systems show findings next to the tree file.
//!
//! Each finding's primary location is the tree file at the line of its first node's `"id"` (JSON
//! input) and a logical location per node id; whole-tree findings point at the file's first line.

use kpitree_core::report::Report;
use kpitree_run::catalog::RuleInfo;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult,
    ResultLevel, Run, Sarif, Tool, ToolComponent,
};
use std::collections::BTreeMap;
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
pub fn write(out: &mut impl Write, file: &Path, text: &str, report: &Report, rules: &[RuleInfo]) -> Result<()> {
    let positions = kpitree_core::json::node_positions(text);
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
    let results: Vec<SarifResult> = report
        .findings
        .iter()
        .map(|f| {
            let (line, column) = f.nodes.first().and_then(|id| positions.get(id)).copied().unwrap_or((1, 1));
            let physical = PhysicalLocation::builder()
                .artifact_location(ArtifactLocation::builder().uri(uri.clone()).build())
                .region(Region::builder().start_line(line as i64).start_column(column as i64).build())
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
            if let Some(k) = rules.iter().position(|r| r.id == f.rule) {
                result.rule_index = Some(k as i64);
            }
            result
        })
        .collect();
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
    let mut run = Run::builder().tool(Tool::builder().driver(driver).build()).results(results).build();
    if !notifications.is_empty() {
        run.invocations = Some(vec![
            Invocation::builder().execution_successful(false).tool_execution_notifications(notifications).build(),
        ]);
    }
    let sarif = Sarif::builder()
        .schema(serde_sarif::sarif::SCHEMA_URL)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    writeln!(out)
}
