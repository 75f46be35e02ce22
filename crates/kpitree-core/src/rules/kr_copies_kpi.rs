//! `kr-copies-kpi` (placeholder: being written).
use super::{Context, Rule, RuleMeta, Sink};
use crate::finding::Severity;

/// Placeholder.
pub struct KrCopiesKpi;

static META: RuleMeta =
    RuleMeta { id: "kr-copies-kpi", severity: Severity::Warning, summary: "", why: "", fix: "", params: &[] };

impl Rule for KrCopiesKpi {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
