//! The built-in health rules, one per file, and what they share: the [`Rule`] trait, the [`Context`]
//! a rule reads and the [`Sink`] it reports into.
//!
//! Each rule's file documents what it does and its examples; its `META` ([`RuleMeta`]) declares once
//! what every front door shows (summary, why, fix, default severity) and its options, each a typed
//! [`Param`] read with [`Context::get`]. Its pass and fail fixtures live in `tests/rules/<id>/`. Rules
//! read the tree and rollups; they never mutate them.

use crate::config::{RuleSettings, Settings};
use crate::date::Date;
use crate::finding::{Finding, Severity};
use crate::meta::ParamType;
use crate::model::{Node, NodeKind};
use crate::rollup::Rollup;
use crate::tree::{Ix, Tree};

mod activity_key_result;
mod appraisal_coupling;
mod check_in_without_learning;
mod duplicate_metric;
mod kr_copies_kpi;
mod lagging_only;
mod metric_overload;
mod missing_owner;
mod missing_rationale;
mod orphan_kpi;
mod stale_check_in;
mod stale_kpi;
mod supporting;
mod text;
mod too_many_key_results;
mod too_many_objectives;
mod unaligned_objective;
mod unvalidated_driver;
mod zombie_objective;

pub use crate::meta::{Param, ParamSpec, RuleMeta};
pub(crate) use activity_key_result::counts_outputs;

/// A health rule.
pub trait Rule: Send + Sync {
    /// Id, texts and parameters.
    fn meta(&self) -> &'static RuleMeta;
    /// Reports what it finds in `cx.tree` into `out`.
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>);
}

/// Every built-in rule, in a fixed order (the order `kpitree rules` lists). Ids are stable.
pub fn builtin() -> &'static [&'static dyn Rule] {
    &[
        &orphan_kpi::OrphanKpi,
        &metric_overload::MetricOverload,
        &missing_owner::MissingOwner,
        &lagging_only::LaggingOnly,
        &kr_copies_kpi::KrCopiesKpi,
        &too_many_objectives::TooManyObjectives,
        &too_many_key_results::TooManyKeyResults,
        &stale_check_in::StaleCheckIn,
        &stale_kpi::StaleKpi,
        &appraisal_coupling::AppraisalCoupling,
        &missing_rationale::MissingRationale,
        &activity_key_result::ActivityKeyResult,
        &unvalidated_driver::UnvalidatedDriver,
        &duplicate_metric::DuplicateMetric,
        &check_in_without_learning::CheckInWithoutLearning,
        &zombie_objective::ZombieObjective,
        &unaligned_objective::UnalignedObjective,
        &crate::waivers::ExpiredWaiver,
        &crate::waivers::UnusedWaiver,
    ]
}

/// The built-in rule with `id`.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    builtin().iter().copied().find(|r| r.meta().id == id)
}

/// Facts several rules need, computed once per run.
#[derive(Debug)]
pub struct Analysis {
    /// Node is active and is, or has a path of active nodes up to, an active objective.
    pub serves_active_objective: Vec<bool>,
    /// An active objective a node serves through active nodes: itself for an active objective, else
    /// that of its first parent (in `parents` order) that serves one; or [`Analysis::NONE`].
    objective: Vec<Ix>,
    /// For an active node that serves no active objective: the draft objective or key result it
    /// collects a baseline for (reached through active nodes, first parent first), or [`Analysis::NONE`].
    baseline: Vec<Ix>,
}

impl Analysis {
    /// No such node.
    const NONE: Ix = Ix::MAX;

    /// Computes the shared facts, top-down.
    pub fn new(tree: &Tree) -> Analysis {
        use crate::model::Status;
        let n = tree.len();
        let mut serves = vec![false; n];
        let mut objective = vec![Self::NONE; n];
        let mut baseline = vec![Self::NONE; n];
        let first = |v: &[Ix], i: Ix| tree.parents(i).iter().map(|&p| v[p as usize]).find(|&o| o != Self::NONE);
        for &i in tree.top_down() {
            let node = tree.node(i);
            let planned = matches!(node.kind, NodeKind::Objective | NodeKind::KeyResult);
            let (o, b) = match node.status {
                Status::Active if node.kind == NodeKind::Objective => (i, Self::NONE),
                Status::Active => match first(&objective, i) {
                    Some(o) => (o, Self::NONE),
                    None => (Self::NONE, first(&baseline, i).unwrap_or(Self::NONE)),
                },
                Status::Draft if planned => (Self::NONE, i),
                _ => (Self::NONE, Self::NONE),
            };
            serves[i as usize] = o != Self::NONE;
            objective[i as usize] = o;
            baseline[i as usize] = b;
        }
        Analysis { serves_active_objective: serves, objective, baseline }
    }

    /// An active objective `i` serves through active nodes: `i` itself for an active objective, else
    /// the one its first serving parent serves (so the objective of its own key result, not an umbrella's).
    pub fn objective_served(&self, i: Ix) -> Option<Ix> {
        self.objective.get(i as usize).copied().filter(|&o| o != Self::NONE)
    }

    /// For an active node that serves no active objective but sits, through active nodes, under a draft
    /// objective or key result: that draft (the node collects a baseline for it). `i` itself for a draft
    /// objective or key result.
    pub fn baseline_for(&self, i: Ix) -> Option<Ix> {
        self.baseline.get(i as usize).copied().filter(|&b| b != Self::NONE)
    }
}

/// What a rule reads: the tree, its rollups, shared facts and the rule's own settings.
pub struct Context<'a> {
    /// The validated tree.
    pub tree: &'a Tree,
    /// Scores, statuses, values and trends.
    pub rollup: &'a Rollup,
    /// Shared facts.
    pub analysis: &'a Analysis,
    /// The date the tree describes.
    pub as_of: Date,
    settings: &'a RuleSettings,
    all: &'a Settings,
}

impl<'a> Context<'a> {
    /// A context for one rule.
    pub fn new(tree: &'a Tree, rollup: &'a Rollup, analysis: &'a Analysis, all: &'a Settings, rule: usize) -> Self {
        Context { tree, rollup, analysis, as_of: tree.doc().as_of, settings: &all.rules[rule], all }
    }

    /// Whether the built-in rule `id` runs in this check: a rule that leaves a case to another rule
    /// (one finding per cause) reports it itself when that rule is switched off.
    pub fn enabled(&self, id: &str) -> bool {
        builtin().iter().zip(&self.all.rules).any(|(r, s)| s.enabled && r.meta().id == id)
    }

    /// The value of one of the rule's options (declared in its [`RuleMeta::params`]): the configured
    /// value, checked by the configuration against the declaration, or the default.
    pub fn get<T: ParamType + Default>(&self, param: Param<T>) -> T {
        // Resolved settings hold every declared option (its default at least), of its declared type.
        let value = self.settings.get(param.spec.name).and_then(T::from_value);
        debug_assert!(value.is_some(), "rule option `{}` is undeclared or mistyped", param.spec.name);
        value.unwrap_or_default()
    }

    /// The node at `i`.
    pub fn node(&self, i: Ix) -> &'a Node {
        self.tree.node(i)
    }
}

/// Where a rule reports its findings.
pub struct Sink<'a> {
    meta: &'static RuleMeta,
    severity: Severity,
    tree: &'a Tree,
    findings: &'a mut Vec<Finding>,
}

impl<'a> Sink<'a> {
    /// A sink that appends to `findings` with the rule's configured severity.
    pub fn new(meta: &'static RuleMeta, severity: Severity, tree: &'a Tree, findings: &'a mut Vec<Finding>) -> Self {
        Sink { meta, severity, tree, findings }
    }

    /// Reports a finding about `nodes` (most relevant first) with the rule's general fix.
    pub fn report(&mut self, nodes: &[Ix], message: String) {
        self.push(nodes, message, None, None, None);
    }

    /// Reports a finding with a fix specific to it.
    pub fn report_fix(&mut self, nodes: &[Ix], message: String, fix: String) {
        self.push(nodes, message, Some(fix), None, None);
    }

    /// Reports a finding with everything: a specific fix, the numbers behind it, another severity.
    pub fn report_full(
        &mut self,
        nodes: &[Ix],
        message: String,
        fix: Option<String>,
        evidence: Option<serde_json::Map<String, serde_json::Value>>,
        severity: Option<Severity>,
    ) {
        self.push(nodes, message, fix, evidence, severity);
    }

    /// The severity findings get unless a rule escalates.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    fn push(
        &mut self,
        nodes: &[Ix],
        message: String,
        fix: Option<String>,
        evidence: Option<serde_json::Map<String, serde_json::Value>>,
        severity: Option<Severity>,
    ) {
        let mut ids = Vec::with_capacity(nodes.len());
        for &i in nodes {
            ids.push(self.tree.node(i).id.clone());
        }
        let mut finding = Finding::new(
            self.meta.id.to_owned(),
            severity.unwrap_or(self.severity),
            ids,
            message,
            self.meta.why.into(),
            fix.map_or(self.meta.fix.into(), Into::into),
        );
        finding.evidence = evidence;
        self.findings.push(finding);
    }

    /// Names the case of the finding just reported, for a finding about a group whose members may
    /// change (an owner's objectives, a parent's KPIs): its fingerprint is then the rule and the case,
    /// not the nodes (see [`crate::finding::fingerprint`]).
    pub fn case(&mut self, case: String) {
        if let Some(last) = self.findings.last_mut() {
            last.case = Some(case);
        }
    }
}

/// Runs every enabled built-in rule and returns their findings in rule order.
pub fn run(tree: &Tree, rollup: &Rollup, settings: &Settings) -> Vec<Finding> {
    let analysis = Analysis::new(tree);
    let mut findings = Vec::new();
    for (k, (rule, s)) in builtin().iter().zip(&settings.rules).enumerate() {
        if !s.enabled {
            continue;
        }
        let cx = Context::new(tree, rollup, &analysis, settings, k);
        let mut sink = Sink::new(rule.meta(), s.severity, tree, &mut findings);
        rule.check(&cx, &mut sink);
    }
    findings
}

/// Formats a number for messages: integers without decimals, others with up to two.
pub fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let s = kpitree_decimal::fixed(x, 2);
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// A value in its unit, as people write it: `£62.50` and `-$5` (a currency symbol before the
/// amount, money with two decimals unless whole), `62.50 EUR` (a currency code after it), `86.4%`,
/// `12 webinars`, or the bare number without a unit. Every message that shows a value with its
/// unit goes through here.
pub fn quantity(x: f64, unit: Option<&str>) -> String {
    let Some(unit) = unit.map(str::trim).filter(|u| !u.is_empty()) else { return num(x) };
    if unit == "%" {
        return format!("{}%", num(x));
    }
    let money = |x: f64| if x.fract() == 0.0 { num(x) } else { kpitree_decimal::fixed(x, 2) };
    if CURRENCY_SYMBOLS.contains(&unit) {
        let sign = if x < 0.0 { "-" } else { "" };
        return format!("{sign}{unit}{}", money(x.abs()));
    }
    // Money in thousands or millions (`£k`, `€m`, `$bn`): `£412k`.
    if let Some((symbol, scale)) = CURRENCY_SYMBOLS.iter().find_map(|c| Some((*c, unit.strip_prefix(c)?)))
        && matches!(scale, "k" | "K" | "m" | "M" | "mn" | "bn")
    {
        let sign = if x < 0.0 { "-" } else { "" };
        return format!("{sign}{symbol}{}{scale}", num(x.abs()));
    }
    if unit.len() == 3 && CURRENCY_CODES.iter().any(|c| c.eq_ignore_ascii_case(unit)) {
        return format!("{} {unit}", money(x));
    }
    format!("{} {unit}", num(x))
}

/// A change in a unit, signed: `+£0.50`, `-3 days`; a change of a percentage is in percentage
/// points, `+0.2 pp` (see [`quantity`]).
pub fn change(x: f64, unit: Option<&str>) -> String {
    let unit = unit.map(|u| if u.trim() == "%" { "pp" } else { u });
    let q = quantity(x, unit);
    if x < 0.0 || q.starts_with('-') { q } else { format!("+{q}") }
}

/// Currency symbols written before the amount.
const CURRENCY_SYMBOLS: &[&str] = &["£", "$", "€", "¥", "₹", "₩", "₺", "₽", "₪", "₫", "₱", "US$", "A$", "C$"];
/// ISO 4217 codes written after the amount (the common ones; any other unit is written the same way,
/// only without money's two decimals).
const CURRENCY_CODES: &[&str] = &[
    "GBP", "USD", "EUR", "CHF", "JPY", "CNY", "INR", "AUD", "CAD", "NZD", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF",
    "ZAR", "BRL", "MXN", "SGD", "HKD", "KRW", "TRY",
];

/// The nodes' [`Node::display`]s, in order (one copy for every rule's lists).
pub(crate) fn displays(tree: &Tree, nodes: &[Ix]) -> Vec<String> {
    let mut out = Vec::with_capacity(nodes.len());
    for &i in nodes {
        out.push(tree.node(i).display());
    }
    out
}

/// A JSON array of the strings.
pub(crate) fn str_array(items: &[&str]) -> serde_json::Value {
    let mut out = Vec::with_capacity(items.len());
    for s in items {
        out.push(serde_json::Value::String((*s).to_owned()));
    }
    serde_json::Value::Array(out)
}

/// `a`, `a and b`, `a, b and c` (the one copy every rule's lists go through).
pub(crate) fn and_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// `"1 KPI"` / `"3 KPIs"`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_as_people_write_them() {
        for (x, unit, want) in [
            (62.5, Some("£"), "£62.50"),
            (1200.0, Some("£"), "£1200"),
            (-5.0, Some("$"), "-$5"),
            (62.5, Some("EUR"), "62.50 EUR"),
            (62.5, Some("eur"), "62.50 eur"),
            (86.4, Some("%"), "86.4%"),
            (12.0, Some(" webinars "), "12 webinars"),
            (0.333, None, "0.33"),
            (3.0, Some(""), "3"),
        ] {
            assert_eq!(quantity(x, unit), want, "{x} {unit:?}");
        }
        assert_eq!(change(0.5, Some("£")), "+£0.50");
        assert_eq!(change(-3.0, Some("pp")), "-3 pp");
        assert_eq!(change(0.2, Some("%")), "+0.2 pp");
        assert_eq!(quantity(412.0, Some("£k")), "£412k");
        assert_eq!(change(-1.5, Some("€m")), "-€1.5m");
        assert_eq!(quantity(3.0, Some("£ per visit")), "3 £ per visit");
    }
}
