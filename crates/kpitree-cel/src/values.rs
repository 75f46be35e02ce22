//! The tree as CEL values: one map per node, built once per run and shared by `nodes`, `node`,
//! `parents`, `children` and every comprehension variable ([`Shared`]: cel-rust's own maps are
//! copied whole whenever a comprehension binds one, which made `nodes.exists(...)` cost a node's
//! every field and measurement per element).
//!
//! A node's map has its fields under their JSON names with their values as the format reads them:
//! optional fields the document does not give are absent (`has(node.owner)` is false); `status` is
//! always there (`"active"` by default), and so are `parents` (ids), `measurements` and `check_ins`
//! (lists of maps with their JSON fields), empty when the document has none. Dates are
//! `"YYYY-MM-DD"` strings, numbers are doubles except `cadence_days`, an int, and
//! `used_in_appraisal` is there (true) only when the node feeds an appraisal.

use crate::check::{Sizes, Uses};
use cel::common::traits::{Container, Indexer, Iterable, Sizer, Zeroer};
use cel::common::types::{self, CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelString, Type};
use cel::common::value::{StaticVal, Val};
use kpitree_core::model::Node;
use kpitree_core::tree::Tree;
use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

/// A node's map, shared: cloning it (what binding a comprehension's variable does) is a reference
/// count, not a copy of its fields. Reads like cel-rust's own map (`.field`, `has()`, `in`,
/// `size()`, comprehensions over its keys); equal to another node's map with the same fields.
#[derive(Clone, Debug)]
pub(crate) struct Shared(Arc<CelMap<'static>>);

impl Val for Shared {
    fn get_type(&self) -> &Type {
        <Self as Val>::cel_type()
    }

    fn cel_type() -> &'static Type {
        &types::MAP_TYPE
    }

    fn as_container(&self) -> Option<&dyn Container> {
        self.0.as_container()
    }

    fn as_indexer<'b, 'w>(&'b self) -> Option<&'b (dyn Indexer + 'w)>
    where
        Self: 'w,
    {
        self.0.as_indexer()
    }

    fn as_iterable<'b, 'w>(&'b self) -> Option<&'b (dyn Iterable + 'w)>
    where
        Self: 'w,
    {
        self.0.as_iterable()
    }

    fn as_sizer(&self) -> Option<&dyn Sizer> {
        self.0.as_sizer()
    }

    fn as_zeroer(&self) -> Option<&dyn Zeroer> {
        self.0.as_zeroer()
    }

    fn equals(&self, other: &dyn Val) -> bool {
        match other.downcast_ref::<Shared>() {
            Some(o) => Arc::ptr_eq(&self.0, &o.0) || self.0.equals(&*o.0),
            None => self.0.equals(other),
        }
    }

    fn clone_as_boxed<'w>(&self) -> Box<dyn Val + 'w> {
        Box::new(self.clone())
    }

    fn as_any(&self) -> Option<&dyn Any> {
        Some(self)
    }
}

impl StaticVal for Shared {}

/// Every node's map, in document order.
pub(crate) struct Values {
    pub(crate) nodes: Vec<Shared>,
}

impl Values {
    /// The maps of the nodes of `tree`, each with the fields `uses` reads (all of them when a map
    /// is used whole): a field a rule never reads costs nothing.
    pub(crate) fn new(tree: &Tree, uses: &Uses) -> Values {
        let wanted = uses.wanted();
        Values { nodes: tree.nodes().iter().map(|n| Shared(Arc::new(node(n, wanted.as_deref())))).collect() }
    }

    /// The list of node maps at `ixs`.
    pub(crate) fn list(&self, ixs: impl IntoIterator<Item = u32>) -> Box<dyn Val> {
        let items: Vec<Box<dyn Val>> = ixs
            .into_iter()
            .filter_map(|i| self.nodes.get(i as usize).map(|s| Box::new(s.clone()) as Box<dyn Val>))
            .collect();
        Box::new(CelList::from(items))
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
        own_parents: f(parents),
        own_children: f(children),
        own_measurements: f(measurements),
        own_check_ins: f(check_ins),
        measurements: f(measurements),
        check_ins: f(check_ins),
        any: f(any),
    }
}

fn text(s: &str) -> Box<dyn Val> {
    Box::new(CelString::from(s.to_owned()))
}

fn num(x: f64) -> Box<dyn Val> {
    Box::new(CelDouble::from(x))
}

fn list(items: Vec<Box<dyn Val>>) -> Box<dyn Val> {
    Box::new(CelList::from(items))
}

/// A map's entries. A node map keeps only the fields a run reads (`wanted`; `None` for all of them,
/// and for the records inside a node: check-ins, measurements, thresholds), and a field's value is
/// built only then.
struct Entries<'a> {
    map: HashMap<CelMapKey<'static>, Box<dyn Val>>,
    wanted: Option<&'a [&'static str]>,
}

impl<'a> Entries<'a> {
    fn new(capacity: usize, wanted: Option<&'a [&'static str]>) -> Entries<'a> {
        Entries { map: HashMap::with_capacity(capacity), wanted }
    }

    /// Puts `key` if it is wanted and `value` gives one (optional fields the document lacks give
    /// none).
    fn put(&mut self, key: &'static str, value: impl FnOnce() -> Option<Box<dyn Val>>) {
        if self.wanted.is_none_or(|w| w.contains(&key))
            && let Some(v) = value()
        {
            self.map.insert(CelMapKey::from(key), v);
        }
    }

    fn map(self) -> CelMap<'static> {
        CelMap::from(self.map)
    }
}

/// One node's map with the `wanted` fields (all of them for `None`; the field list is
/// `check::NODE_FIELDS`, and the test below keeps the two and the format's JSON names in step).
pub(crate) fn node(n: &Node, wanted: Option<&[&'static str]>) -> CelMap<'static> {
    let mut m = Entries::new(16, wanted);
    let opt_text = |v: Option<&str>| v.map(text);
    m.put("id", || Some(text(&n.id)));
    m.put("kind", || Some(text(n.kind.as_str())));
    m.put("title", || Some(text(&n.title)));
    m.put("description", || opt_text(n.description.as_deref()));
    m.put("rationale", || opt_text(n.rationale.as_deref()));
    m.put("owner", || opt_text(n.owner.as_deref()));
    m.put("department", || opt_text(n.department.as_deref()));
    m.put("parents", || Some(list(n.parents.iter().map(|p| text(p)).collect())));
    m.put("status", || Some(text(n.status.as_str())));
    m.put("period", || opt_text(n.period.as_deref()));
    m.put("start", || n.start.map(num));
    m.put("target", || n.target.map(num));
    m.put("current", || n.current.map(num));
    m.put("unit", || opt_text(n.unit.as_deref()));
    m.put("confidence", || n.confidence.map(num));
    m.put("check_ins", || {
        let records = n.check_ins.iter().map(|c| {
            let mut e = Entries::new(4, None);
            e.put("date", || Some(text(&c.date.to_string())));
            e.put("value", || Some(num(c.value)));
            e.put("confidence", || c.confidence.map(num));
            e.put("note", || opt_text(c.note.as_deref()));
            Box::new(e.map()) as Box<dyn Val>
        });
        Some(list(records.collect()))
    });
    m.put("cadence_days", || n.cadence_days.map(|d| Box::new(CelInt::from(i64::from(d))) as Box<dyn Val>));
    m.put("direction", || n.direction.map(|d| text(d.as_str())));
    m.put("indicator", || n.indicator.map(|i| text(i.as_str())));
    m.put("thresholds", || {
        n.thresholds.map(|t| {
            let mut e = Entries::new(2, None);
            e.put("at_risk", || Some(num(t.at_risk)));
            e.put("off_track", || Some(num(t.off_track)));
            Box::new(e.map()) as Box<dyn Val>
        })
    });
    m.put("measurements", || {
        let records = n.measurements.iter().map(|x| {
            let mut e = Entries::new(2, None);
            e.put("date", || Some(text(&x.date.to_string())));
            e.put("value", || Some(num(x.value)));
            Box::new(e.map()) as Box<dyn Val>
        });
        Some(list(records.collect()))
    });
    m.put("last_reviewed", || n.last_reviewed.map(|d| text(&d.to_string())));
    m.put("used_in_appraisal", || n.used_in_appraisal.then(|| Box::new(CelBool::from(true)) as Box<dyn Val>));
    m.map()
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
            let m = node(n, None);
            let json = serde_json::to_value(n).expect("serializes");
            let names: Vec<String> = m
                .keys()
                .map(|k| match k {
                    CelMapKey::String(s) => s.to_string(),
                    other => panic!("string keys only: {other:?}"),
                })
                .collect();
            for k in &names {
                assert!(NODE_FIELDS.contains(&k.as_str()), "{k} is not listed");
                // Every key but the always-present ones is one the JSON writer writes.
                if !["status", "parents", "measurements", "check_ins"].contains(&k.as_str()) {
                    assert!(json.get(k.as_str()).is_some(), "{k} is not a JSON field");
                }
            }
            for k in json.as_object().expect("an object").keys() {
                assert!(names.contains(k), "{k} is missing from the map");
            }
            keys.extend(names);
        }
        keys.sort();
        keys.dedup();
        let mut listed: Vec<String> = NODE_FIELDS.iter().map(|s| s.to_string()).collect();
        listed.sort();
        assert_eq!(keys, listed, "a full node has every listed field");
    }

    /// Binding a node's map to a variable shares it; two nodes' maps compare by their fields.
    #[test]
    fn node_maps_are_shared_and_compare_by_value() {
        let doc = r#"{"version": 1, "organisation": "A", "as_of": "2026-11-27", "nodes": [
            {"id": "a", "kind": "kpi", "title": "T"}, {"id": "b", "kind": "kpi", "title": "T"}]}"#;
        let tree = kpitree_core::load_json("t.json", doc).expect("valid");
        let values = Values::new(&tree, &Uses::ALL);
        let a = &values.nodes[0];
        let copy = a.clone_as_boxed();
        assert!(a.equals(&*copy));
        assert!(!a.equals(&values.nodes[1]));
    }
}
