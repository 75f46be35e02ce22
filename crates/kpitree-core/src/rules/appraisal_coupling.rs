//! `appraisal-coupling` (placeholder: being written).
use super::{Context, Rule, RuleMeta, Sink};
use crate::finding::Severity;

/// Placeholder.
pub struct AppraisalCoupling;

static META: RuleMeta =
    RuleMeta { id: "appraisal-coupling", severity: Severity::Warning, summary: "", why: "", fix: "", params: &[] };

impl Rule for AppraisalCoupling {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
