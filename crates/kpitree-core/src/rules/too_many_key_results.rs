//! `too-many-key-results` (placeholder: being written).
use super::{Context, Rule, RuleMeta, Sink};
use crate::finding::Severity;

/// Placeholder.
pub struct TooManyKeyResults;

static META: RuleMeta =
    RuleMeta { id: "too-many-key-results", severity: Severity::Warning, summary: "", why: "", fix: "", params: &[] };

impl Rule for TooManyKeyResults {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
