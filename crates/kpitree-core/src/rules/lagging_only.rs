//! `lagging-only` (placeholder: being written).
use super::{Context, Rule, RuleMeta, Sink};
use crate::finding::Severity;

/// Placeholder.
pub struct LaggingOnly;

static META: RuleMeta =
    RuleMeta { id: "lagging-only", severity: Severity::Warning, summary: "", why: "", fix: "", params: &[] };

impl Rule for LaggingOnly {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
