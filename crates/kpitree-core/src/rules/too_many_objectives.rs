//! `too-many-objectives` (placeholder: being written).
use super::{Context, Rule, RuleMeta, Sink};
use crate::finding::Severity;

/// Placeholder.
pub struct TooManyObjectives;

static META: RuleMeta =
    RuleMeta { id: "too-many-objectives", severity: Severity::Warning, summary: "", why: "", fix: "", params: &[] };

impl Rule for TooManyObjectives {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
