//! `stale-kpi` (placeholder: being written).
use super::{Context, Rule, RuleMeta, Sink};
use crate::finding::Severity;

/// Placeholder.
pub struct StaleKpi;

static META: RuleMeta =
    RuleMeta { id: "stale-kpi", severity: Severity::Warning, summary: "", why: "", fix: "", params: &[] };

impl Rule for StaleKpi {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
