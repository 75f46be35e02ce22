//! `check-in-without-learning` (placeholder: being written).
use super::{Context, Rule, RuleMeta, Sink};
use crate::finding::Severity;

/// Placeholder.
pub struct CheckInWithoutLearning;

static META: RuleMeta = RuleMeta {
    id: "check-in-without-learning",
    severity: Severity::Warning,
    summary: "",
    why: "",
    fix: "",
    params: &[],
};

impl Rule for CheckInWithoutLearning {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
