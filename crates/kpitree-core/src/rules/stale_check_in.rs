//! `stale-check-in` (placeholder: being written).
use super::{Context, Rule, RuleMeta, Sink};
use crate::finding::Severity;

/// Placeholder.
pub struct StaleCheckIn;

static META: RuleMeta =
    RuleMeta { id: "stale-check-in", severity: Severity::Warning, summary: "", why: "", fix: "", params: &[] };

impl Rule for StaleCheckIn {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
