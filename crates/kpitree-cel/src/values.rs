//! The tree as CEL values: one map per node, built once per run and shared (CEL lists and maps are
//! reference-counted) by `nodes`, `node`, `parents` and `children`.
//!
//! A node's map has its fields under their JSON names with their values as the format reads them:
//! optional fields the document does not give are absent (`has(node.owner)` is false); `status` is
//! always there (`"active"` by default), and so are `parents` (ids), `measurements` and `check_ins`
//! (lists of maps with their JSON fields), empty when the document has none. Dates are
//! `"YYYY-MM-DD"` strings, numbers are doubles except `cadence_days`, an int, and
//! `used_in_appraisal` is there (true) only when the node feeds an appraisal.

use crate::check::Sizes;
use cel::Value;
use cel::objects::{Key, Map};
use kpitree_core::model::Node;
use kpitree_core::tree::Tree;
use std::collections::HashMap;
use std::sync::Arc;

/// Every node's map, in document order, and the list of them all.
pub(crate) struct Values {
    pub(crate) nodes: Arc<Vec<Value>>,
}

impl Values {
    pub(crate) fn new(tree: &Tree) -> Values {
        Values { nodes: Arc::new(tree.nodes().iter().map(node).collect()) }
    }

    /// The list of node maps at `ixs`.
    pub(crate) fn list(&self, ixs: &[u32]) -> Value {
        Value::List(Arc::new(ixs.iter().filter_map(|&i| self.nodes.get(i as usize).cloned()).collect()))
    }
}

/// The longest lists of the tree, for the cost estimate.
pub(crate) fn sizes(tree: &Tree) -> Sizes {
    let n = tree.len();
    let (mut parents, mut children, mut measurements, mut check_ins) = (0, 0, 0, 0);
    for (i, node) in tree.nodes().iter().enumerate() {
        let i = i as u32;
        parents = parents.max(tree.parents(i).len());
        children = children.max(tree.children(i).len());
        measurements = measurements.max(node.measurements.len());
        check_ins = check_ins.max(node.check_ins.len());
    }
    let any =
        [n, parents, children, measurements, check_ins, crate::check::NODE_FIELDS.len()].into_iter().max().unwrap_or(n);
    // Empty lists still cost a step to look at.
    let f = |x: usize| x.max(1) as f64;
    Sizes {
        nodes: f(n),
        parents: f(parents),
        children: f(children),
        measurements: f(measurements),
        check_ins: f(check_ins),
        any: f(any),
    }
}

fn text(s: &str) -> Value {
    Value::String(Arc::new(s.to_owned()))
}

fn map(entries: HashMap<Key, Value>) -> Value {
    Value::Map(Map { map: Arc::new(entries) })
}

struct Entries(HashMap<Key, Value>);

impl Entries {
    fn put(&mut self, key: &str, value: Value) {
        self.0.insert(Key::String(Arc::new(key.to_owned())), value);
    }

    fn opt_text(&mut self, key: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.put(key, text(v));
        }
    }

    fn opt_num(&mut self, key: &str, value: Option<f64>) {
        if let Some(v) = value {
            self.put(key, Value::Float(v));
        }
    }
}

/// One node's map (the field list is `check::NODE_FIELDS`; the test below keeps the two and the
/// format's JSON names in step).
pub(crate) fn node(n: &Node) -> Value {
    let mut m = Entries(HashMap::with_capacity(16));
    m.put("id", text(&n.id));
    m.put("kind", text(n.kind.as_str()));
    m.put("title", text(&n.title));
    m.opt_text("description", n.description.as_deref());
    m.opt_text("rationale", n.rationale.as_deref());
    m.opt_text("owner", n.owner.as_deref());
    m.opt_text("department", n.department.as_deref());
    m.put("parents", Value::List(Arc::new(n.parents.iter().map(|p| text(p)).collect())));
    m.put("status", text(n.status.as_str()));
    m.opt_text("period", n.period.as_deref());
    m.opt_num("start", n.start);
    m.opt_num("target", n.target);
    m.opt_num("current", n.current);
    m.opt_text("unit", n.unit.as_deref());
    m.opt_num("confidence", n.confidence);
    let check_ins = n
        .check_ins
        .iter()
        .map(|c| {
            let mut e = Entries(HashMap::with_capacity(4));
            e.put("date", text(&c.date.to_string()));
            e.put("value", Value::Float(c.value));
            e.opt_num("confidence", c.confidence);
            e.opt_text("note", c.note.as_deref());
            map(e.0)
        })
        .collect();
    m.put("check_ins", Value::List(Arc::new(check_ins)));
    if let Some(days) = n.cadence_days {
        m.put("cadence_days", Value::Int(i64::from(days)));
    }
    m.opt_text("direction", n.direction.map(|d| d.as_str()));
    m.opt_text("indicator", n.indicator.map(|i| i.as_str()));
    if let Some(t) = n.thresholds {
        let mut e = Entries(HashMap::with_capacity(2));
        e.put("at_risk", Value::Float(t.at_risk));
        e.put("off_track", Value::Float(t.off_track));
        m.put("thresholds", map(e.0));
    }
    let measurements = n
        .measurements
        .iter()
        .map(|x| {
            let mut e = Entries(HashMap::with_capacity(2));
            e.put("date", text(&x.date.to_string()));
            e.put("value", Value::Float(x.value));
            map(e.0)
        })
        .collect();
    m.put("measurements", Value::List(Arc::new(measurements)));
    if let Some(d) = n.last_reviewed {
        m.put("last_reviewed", text(&d.to_string()));
    }
    if n.used_in_appraisal {
        m.put("used_in_appraisal", Value::Bool(true));
    }
    map(m.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::NODE_FIELDS;

    /// The map has the JSON names of the format, and `NODE_FIELDS` lists exactly those.
    #[test]
    fn a_full_node_has_every_field_under_its_json_name() {
        let doc = r#"{"version": 1, "organisation": "A", "as_of": "2026-11-27", "nodes": [
            {"id": "k", "kind": "kpi", "title": "T", "description": "d", "rationale": "r", "owner": "o",
             "department": "D", "status": "draft", "target": 5, "current": 4, "unit": "%",
             "direction": "higher_is_better", "indicator": "leading",
             "thresholds": {"at_risk": 3, "off_track": 2}, "measurements": [{"date": "2026-01-01", "value": 1}],
             "last_reviewed": "2026-02-03", "used_in_appraisal": true},
            {"id": "o", "kind": "objective", "title": "O", "period": "2026-Q4"},
            {"id": "r", "kind": "key_result", "title": "R", "parents": ["o"], "start": 0, "target": 1,
             "confidence": 0.5, "cadence_days": 14, "check_ins": [{"date": "2026-01-01", "value": 1, "confidence": 0.5, "note": "n"}]}]}"#;
        let tree = kpitree_core::load_json("t.json", doc).expect("valid");
        let mut keys: Vec<String> = Vec::new();
        for n in tree.nodes() {
            let Value::Map(m) = node(n) else { panic!("a map") };
            let json = serde_json::to_value(n).expect("serializes");
            for (k, _) in m.map.iter() {
                let Key::String(k) = k else { panic!("string keys") };
                assert!(NODE_FIELDS.contains(&k.as_str()), "{k} is not listed");
                // Every key but the always-present ones is one the JSON writer writes.
                if !["status", "parents", "measurements", "check_ins"].contains(&k.as_str()) {
                    assert!(json.get(k.as_str()).is_some(), "{k} is not a JSON field");
                }
                keys.push(k.to_string());
            }
            for k in json.as_object().expect("an object").keys() {
                assert!(m.map.contains_key(&Key::String(Arc::new(k.clone()))), "{k} is missing from the map");
            }
        }
        keys.sort();
        keys.dedup();
        let mut listed: Vec<String> = NODE_FIELDS.iter().map(|s| s.to_string()).collect();
        listed.sort();
        assert_eq!(keys, listed, "a full node has every listed field");
    }
}
