//! `duplicate-metric` (placeholder: being written).
use super::{Context, Rule, RuleMeta, Sink};
use crate::finding::Severity;

/// Placeholder.
pub struct DuplicateMetric;

static META: RuleMeta =
    RuleMeta { id: "duplicate-metric", severity: Severity::Warning, summary: "", why: "", fix: "", params: &[] };

impl Rule for DuplicateMetric {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
