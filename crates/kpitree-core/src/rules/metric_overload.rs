//! `metric-overload` (placeholder: being written).
use super::{Context, Rule, RuleMeta, Sink};
use crate::finding::Severity;

/// Placeholder.
pub struct MetricOverload;

static META: RuleMeta =
    RuleMeta { id: "metric-overload", severity: Severity::Warning, summary: "", why: "", fix: "", params: &[] };

impl Rule for MetricOverload {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
