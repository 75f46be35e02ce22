//! Evaluating custom rules on a tree: in document order, node by node, each rule bounded by its
//! cost estimate before it starts.

use crate::check::{Sizes, cost};
use crate::values::{self, Values};
use crate::{CustomRule, Expression, Switch};
use cel::common::value::Val;
use cel::{Context, Env, ExecutionError, Value};
use kpitree_core::Date;
use kpitree_core::finding::Finding;
use kpitree_core::report::{PluginFailure, PluginResults};
use kpitree_core::tree::Tree;
use std::sync::{Arc, OnceLock};

/// The most steps a rule may take on one tree, by its estimate (`estimate`). A rule that looks at a
/// node and its neighbours costs tens of steps per node, so a million-node tree stays under it;
/// one that goes through `nodes` for every node costs the square of the tree's size and is refused
/// from about 2,400 nodes on, before it runs. Measured (`cargo xtask bench-cel`, release build, a
/// shared 2-core machine): a step takes 26-54 ns, so a rule at the limit runs for 3-6 s; the limit
/// leaves room for a rule that reads every node's whole series on a 100k-node tree.
pub const MAX_STEPS: u64 = 100_000_000;

/// The language: CEL's standard library and macros, and the strings extension (`replace` is
/// refused by the checks, not left out here: the extension registers it).
fn env() -> Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Env::stdlib();
        // Registering the extension fails only on a name clash with the standard library, which
        // the test `every_listed_function_is_defined` would show.
        let _ = env.add_extension(cel::extensions::strings);
        Arc::new(env)
    })
    .clone()
}

pub(crate) fn run(rules: &[CustomRule], switches: &[Switch], tree: &Tree, go_on: &dyn Fn() -> bool) -> PluginResults {
    let mut out = PluginResults::default();
    let active: Vec<(&CustomRule, Switch)> =
        rules.iter().zip(switches.iter().copied()).filter(|(_, s)| s.enabled).collect();
    if active.is_empty() {
        return out;
    }
    out.rules_run = active.len();
    let uses = active.iter().fold(crate::check::Uses::default(), |u, (r, _)| u.union(r.uses));
    let values = Values::new(tree, &uses);
    let sizes = values::sizes(tree);
    let as_of = tree.doc().as_of;
    let mut root = Context::with_env(env());
    if uses.nodes {
        root.add_variable_as_val("nodes", values.list(0..tree.len() as u32));
    }
    root.add_variable_from_value("as_of", as_of.to_string());
    // `days_since` is not a standard function, so adding it cannot clash.
    let _ = root.add_function("days_since", move |date: Arc<String>| days_since(as_of, &date));
    for (rule, switch) in active {
        if !go_on() {
            break;
        }
        match one(rule, switch, tree, &values, &root, &sizes) {
            Ok(findings) => out.findings.extend(findings),
            Err(failure) => out.errors.push(failure),
        }
    }
    out
}

fn days_since(as_of: Date, date: &str) -> Result<i64, ExecutionError> {
    match Date::parse(date) {
        Some(d) => Ok(i64::from(as_of.days_since(d))),
        None => Err(ExecutionError::function_error("days_since", format!("{date:?} is not a date (YYYY-MM-DD)"))),
    }
}

fn one(
    rule: &CustomRule,
    switch: Switch,
    tree: &Tree,
    values: &Values,
    root: &Context<'_, '_>,
    sizes: &Sizes,
) -> Result<Vec<Finding>, PluginFailure> {
    let steps = estimate(rule, tree, sizes);
    if steps > MAX_STEPS as f64 {
        return Err(PluginFailure {
            plugin: rule.id.clone(),
            code: "custom-rule-too-costly".to_owned(),
            message: format!(
                "custom rule `{}` ({}) could take up to {} steps on this tree of {} nodes, more than the limit of {}: \
                 it did not run. An expression that goes through `nodes` (or a list as long) for every node it judges \
                 grows with the square of the tree; judge fewer kinds, or look at `parents` and `children` instead",
                rule.id,
                rule.file,
                round(steps),
                tree.len(),
                round(MAX_STEPS as f64),
            ),
        });
    }
    let mut findings = Vec::new();
    for (i, node) in tree.nodes().iter().enumerate() {
        if !rule.kinds.contains(&node.kind) {
            continue;
        }
        let Some(value) = values.nodes.get(i) else { continue };
        let mut cx = root.new_inner_scope();
        cx.add_variable_as_val("node", value.clone_as_boxed());
        if rule.uses.parents {
            // In document order, as `children` (`node.parents` keeps the author's order).
            let mut ixs = tree.parents(i as u32).to_vec();
            ixs.sort_unstable();
            cx.add_variable_as_val("parents", values.list(ixs));
        }
        if rule.uses.children {
            cx.add_variable_as_val("children", values.list(tree.children(i as u32).iter().copied()));
        }
        let fail = |field: &str, detail: String| PluginFailure {
            plugin: rule.id.clone(),
            code: "custom-rule-failed".to_owned(),
            message: format!(
                "custom rule `{}` ({}) failed on {}, in `{field}`: {detail}",
                rule.id,
                rule.file,
                node.display()
            ),
        };
        if let Some(when) = &rule.when
            && !boolean(when, &cx).map_err(|d| fail("when", d))?
        {
            continue;
        }
        if boolean(&rule.assert, &cx).map_err(|d| fail("assert", d))? {
            continue;
        }
        let message = match &rule.message {
            Some(m) => match Value::resolve(&m.ast, &cx) {
                Ok(Value::String(s)) => s.to_string(),
                Ok(other) => return Err(fail("message", format!("gave {}, not a string", kind(&other)))),
                Err(e) => return Err(fail("message", explain(&e))),
            },
            None => rule.summary.to_string(),
        };
        findings.push(Finding::new(
            rule.id.clone(),
            switch.severity,
            vec![node.id.clone()],
            message,
            rule.why.clone(),
            rule.fix.clone(),
        ));
    }
    Ok(findings)
}

/// Most classes of nodes estimated one by one; past it, every node is charged the longest lists
/// (sound; counts are rounded up to powers of two, so real trees have a few dozen classes).
const CLASSES: usize = 512;

/// The rule's steps on `tree`: the cost of its expressions per judged node, summed. Each node is
/// charged its own lists (`parents`, `children`, `node.measurements`, `node.check_ins`): a hub with
/// 10,000 children, or one KPI with a long series, does not make every node cost as much. Nodes are
/// grouped by their counts rounded up to a power of two, and each group is estimated once.
fn estimate(rule: &CustomRule, tree: &Tree, sizes: &Sizes) -> f64 {
    let per_node = |s: &Sizes| {
        [rule.when.as_ref(), Some(&rule.assert), rule.message.as_ref()]
            .into_iter()
            .flatten()
            .map(|x| cost(&x.ast, s))
            .sum::<f64>()
            + if rule.uses.parents { s.own_parents } else { 0.0 }
            + if rule.uses.children { s.own_children } else { 0.0 }
    };
    let judged = || (0..tree.len() as u32).filter(|&i| rule.kinds.contains(&tree.node(i).kind));
    let up = |n: usize| n.max(1).next_power_of_two();
    let mut classes: std::collections::BTreeMap<[usize; 4], usize> = std::collections::BTreeMap::new();
    for i in judged() {
        let n = tree.node(i);
        let key =
            [up(tree.parents(i).len()), up(tree.children(i).len()), up(n.measurements.len()), up(n.check_ins.len())];
        *classes.entry(key).or_default() += 1;
        if classes.len() > CLASSES {
            return judged().count() as f64 * per_node(sizes);
        }
    }
    classes
        .iter()
        .map(|(&[p, c, m, k], &count)| {
            // Rounded up, but never past the tree's longest (`sizes`, already at least 1).
            let own = Sizes {
                own_parents: (p as f64).min(sizes.own_parents),
                own_children: (c as f64).min(sizes.own_children),
                own_measurements: (m as f64).min(sizes.own_measurements),
                own_check_ins: (k as f64).min(sizes.own_check_ins),
                ..*sizes
            };
            count as f64 * per_node(&own)
        })
        .sum()
}

fn boolean(x: &Expression, cx: &Context<'_, '_>) -> Result<bool, String> {
    match Value::resolve(&x.ast, cx) {
        Ok(Value::Bool(b)) => Ok(b),
        Ok(other) => Err(format!("gave {}, not a bool", kind(&other))),
        Err(e) => Err(explain(&e)),
    }
}

/// CEL's error, with what to do for the common one: a field the node does not have.
fn explain(e: &ExecutionError) -> String {
    match e {
        ExecutionError::NoSuchKey(key) => format!(
            "no field `{key}` here; the document does not give it, so test for it first: has(node.{key}) && ..."
        ),
        other => other.to_string(),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "a list",
        Value::Map(_) => "a map",
        Value::Int(_) | Value::UInt(_) => "an int",
        Value::Float(_) => "a double",
        Value::String(_) => "a string",
        Value::Bytes(_) => "bytes",
        Value::Bool(_) => "a bool",
        Value::Null => "null",
        _ => "a value of another type",
    }
}

/// A count for people: `1.3 billion`, `50 million`, `12000` (tenths through the engine's `num`).
fn round(x: f64) -> String {
    let tenths = |x: f64| kpitree_core::rules::num((x * 10.0).round() / 10.0);
    if x >= 1e9 {
        format!("{} billion", tenths(x / 1e9))
    } else if x >= 1e6 {
        format!("{} million", tenths(x / 1e6))
    } else {
        kpitree_core::rules::num(x.trunc())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{FUNCTIONS, METHODS};

    #[test]
    fn every_listed_function_is_defined() {
        let cx = Context::with_env(env());
        for (name, text) in FUNCTIONS
            .iter()
            .filter(|f| **f != "days_since")
            .map(|f| (*f, format!("{f}()")))
            .chain(METHODS.iter().map(|m| (*m, format!("''.{m}()"))))
        {
            let x = cel::parser::PrattParser::new().parse(&text).expect("parses");
            let got = Value::resolve(&x, &cx);
            assert!(
                !matches!(&got, Err(ExecutionError::UndeclaredReference(n)) if n.as_str() == name),
                "{name}: {got:?}"
            );
        }
        let x = cel::parser::PrattParser::new().parse("''.noSuchFunction()").expect("parses");
        assert!(matches!(Value::resolve(&x, &cx), Err(ExecutionError::UndeclaredReference(_))));
    }

    #[test]
    fn days_since_counts_whole_days_and_refuses_what_is_not_a_date() {
        let as_of = Date::parse("2026-11-27").expect("a date");
        assert_eq!(days_since(as_of, "2026-11-20"), Ok(7));
        assert_eq!(days_since(as_of, "2026-12-01"), Ok(-4));
        assert!(days_since(as_of, "27/11/2026").is_err());
    }

    #[test]
    fn counts_read_as_people_write_them() {
        assert_eq!(round(12_000.0), "12000");
        assert_eq!(round(50_000_000.0), "50 million");
        assert_eq!(round(1.25e9), "1.3 billion");
    }
}
