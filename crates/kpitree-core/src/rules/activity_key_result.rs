//! `activity-key-result` (placeholder: being written).
use super::{Context, Rule, RuleMeta, Sink};
use crate::finding::Severity;

/// Placeholder.
pub struct ActivityKeyResult;

static META: RuleMeta =
    RuleMeta { id: "activity-key-result", severity: Severity::Warning, summary: "", why: "", fix: "", params: &[] };

impl Rule for ActivityKeyResult {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
