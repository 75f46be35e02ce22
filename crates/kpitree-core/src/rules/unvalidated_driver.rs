//! `unvalidated-driver` (placeholder: being written).
use super::{Context, Rule, RuleMeta, Sink};
use crate::finding::Severity;

/// Placeholder.
pub struct UnvalidatedDriver;

static META: RuleMeta =
    RuleMeta { id: "unvalidated-driver", severity: Severity::Warning, summary: "", why: "", fix: "", params: &[] };

impl Rule for UnvalidatedDriver {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
