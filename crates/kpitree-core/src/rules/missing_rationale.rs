//! `missing-rationale` (placeholder: being written).
use super::{Context, Rule, RuleMeta, Sink};
use crate::finding::Severity;

/// Placeholder.
pub struct MissingRationale;

static META: RuleMeta =
    RuleMeta { id: "missing-rationale", severity: Severity::Warning, summary: "", why: "", fix: "", params: &[] };

impl Rule for MissingRationale {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
