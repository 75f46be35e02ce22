//! Checking custom rules when the configuration loads (every mistake, located), and the cost
//! estimate that bounds their evaluation.

use crate::{CustomRule, CustomRuleDef, CustomRuleError, Expression, MAX_EXPRESSION_BYTES, MAX_RULES, RuleSource};
use cel::common::ast::{EntryExpr, Expr, IdedExpr};
use kpitree_core::NodeKind;
use kpitree_core::config::closest;
use kpitree_core::finding::{Severity, Text};
use std::collections::HashSet;

/// The fields of a node map: the JSON names of the format (`values::node`). A field a node does not
/// have is absent from its map; one not in this list is a mistake found at load.
pub(crate) const NODE_FIELDS: &[&str] = &[
    "id",
    "kind",
    "title",
    "description",
    "rationale",
    "owner",
    "department",
    "parents",
    "status",
    "period",
    "start",
    "target",
    "current",
    "unit",
    "confidence",
    "check_ins",
    "cadence_days",
    "direction",
    "indicator",
    "thresholds",
    "measurements",
    "last_reviewed",
    "used_in_appraisal",
];

/// The variables an expression may name.
pub(crate) const VARIABLES: &[&str] = &["node", "parents", "children", "nodes", "as_of"];

/// Functions that may be called as `f(x)`.
pub(crate) const FUNCTIONS: &[&str] =
    &["size", "int", "uint", "double", "string", "bool", "bytes", "dyn", "type", "days_since"];

/// Functions that may be called as `x.f(...)`: the standard library's and the strings extension's,
/// but `replace`, whose result can grow without bound (a chain of them multiplies a string's
/// length at each step).
pub(crate) const METHODS: &[&str] = &[
    "size",
    "contains",
    "startsWith",
    "endsWith",
    "charAt",
    "indexOf",
    "lastIndexOf",
    "join",
    "lowerAscii",
    "upperAscii",
    "trim",
    "split",
    "substring",
];

/// Parser bounds: nesting depth and the number of syntax-tree nodes (after macros expand).
const MAX_DEPTH: u16 = 48;
const MAX_AST_NODES: usize = 2000;

/// What a rule's expressions use of the tree: the per-node lists, and the fields of node maps they
/// read, so a run builds only those (most rules read two or three of a node's 23 fields). A node
/// map that goes anywhere the checks do not follow (compared whole, iterated, put in a list,
/// handed to a function) needs every field: `whole`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Uses {
    pub(crate) parents: bool,
    pub(crate) children: bool,
    pub(crate) nodes: bool,
    /// Bit k: `NODE_FIELDS[k]` is read.
    fields: u32,
    whole: bool,
}

impl Uses {
    /// Everything: what a run needs when it does not know.
    #[cfg(test)]
    pub(crate) const ALL: Uses = Uses { parents: true, children: true, nodes: true, fields: 0, whole: true };

    /// The node fields to build: `None` for all of them (maps used whole), else the ones read
    /// (usually two or three, so looking a key up in them is cheap while building maps).
    pub(crate) fn wanted(&self) -> Option<Vec<&'static str>> {
        (!self.whole).then(|| {
            NODE_FIELDS.iter().enumerate().filter(|(k, _)| self.fields & (1 << k) != 0).map(|(_, f)| *f).collect()
        })
    }

    fn read(&mut self, name: &str) {
        if let Some(k) = NODE_FIELDS.iter().position(|f| *f == name) {
            self.fields |= 1 << k;
        }
    }

    /// What `self` or `other` uses.
    pub(crate) fn union(self, other: Uses) -> Uses {
        Uses {
            parents: self.parents || other.parents,
            children: self.children || other.children,
            nodes: self.nodes || other.nodes,
            fields: self.fields | other.fields,
            whole: self.whole || other.whole,
        }
    }
}

pub(crate) fn compile(sources: &[RuleSource]) -> Result<Vec<CustomRule>, Vec<CustomRuleError>> {
    let builtin: HashSet<&str> = kpitree_core::rules::builtin().iter().map(|r| r.meta().id).collect();
    let mut seen: Vec<(String, String)> = Vec::new(); // id, file
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    let total: usize = sources.iter().map(|s| s.rules.len()).sum();
    if total > MAX_RULES {
        errors.push(CustomRuleError {
            file: sources.iter().map(|s| s.file.as_str()).collect::<Vec<_>>().join(", "),
            rule: format!("#{}", MAX_RULES + 1),
            field: None,
            at: None,
            message: format!("{total} custom rules, more than the {MAX_RULES} one configuration may hold"),
        });
        return Err(errors);
    }
    for source in sources {
        for (k, def) in source.rules.iter().enumerate() {
            let mut e = Errors { file: &source.file, rule: format!("#{}", k + 1), list: &mut errors };
            match def.id.as_deref() {
                None => e.push(Some("id"), None, "missing; every custom rule needs an id".to_owned()),
                Some(id) if !kpitree_core::is_rule_id(id) => e.push(
                    Some("id"),
                    None,
                    format!(
                        "{:?} is not an id: lowercase letters, digits and '-', starting with a letter or digit, at most 64",
                        id
                    ),
                ),
                Some(id) => {
                    e.rule = id.to_owned();
                    if builtin.contains(id) {
                        e.push(Some("id"), None, "a built-in rule has this id; give the custom rule another".to_owned());
                    } else if let Some((_, file)) = seen.iter().find(|(s, _)| s == id) {
                        e.push(Some("id"), None, format!("another custom rule has this id (in {file})"));
                    } else {
                        seen.push((id.to_owned(), source.file.clone()));
                    }
                }
            }
            if let Some(rule) = one(def, &source.file, &mut e) {
                rules.push(rule);
            }
        }
    }
    if errors.is_empty() { Ok(rules) } else { Err(errors) }
}

struct Errors<'a> {
    file: &'a str,
    rule: String,
    list: &'a mut Vec<CustomRuleError>,
}

impl Errors<'_> {
    fn push(&mut self, field: Option<&'static str>, at: Option<(usize, usize)>, message: String) {
        self.list.push(CustomRuleError { file: self.file.to_owned(), rule: self.rule.clone(), field, at, message });
    }
}

/// One rule's checks beyond its id; the rule when it has no mistake.
fn one(def: &CustomRuleDef, file: &str, e: &mut Errors<'_>) -> Option<CustomRule> {
    let before = e.list.len();
    let severity = match def.severity.as_deref() {
        None => Severity::Warning,
        Some(s) => Severity::parse(s).unwrap_or_else(|| {
            e.push(Some("severity"), None, format!("{s:?}: expected error, warning or info"));
            Severity::Warning
        }),
    };
    let kinds = match &def.kinds {
        None => vec![NodeKind::Strategy, NodeKind::Objective, NodeKind::KeyResult, NodeKind::Kpi],
        Some(list) if list.is_empty() => {
            e.push(Some("kinds"), None, "empty: leave it out to judge all four kinds".to_owned());
            Vec::new()
        }
        Some(list) => {
            let mut kinds = Vec::new();
            for k in list {
                match NodeKind::parse(k) {
                    Some(kind) if !kinds.contains(&kind) => kinds.push(kind),
                    Some(_) => {}
                    None => e.push(
                        Some("kinds"),
                        None,
                        format!("{k:?} is not a kind: strategy, objective, key_result or kpi"),
                    ),
                }
            }
            kinds
        }
    };
    for (field, text) in [("summary", &def.summary), ("why", &def.why), ("fix", &def.fix)] {
        if text.as_deref().is_some_and(|t| t.len() > MAX_EXPRESSION_BYTES) {
            e.push(Some(field), None, format!("longer than {MAX_EXPRESSION_BYTES} bytes"));
        }
    }
    let when = def.when.as_deref().and_then(|t| expression("when", t, e));
    let assert = match def.assert.as_deref() {
        None => {
            e.push(Some("assert"), None, "missing: the condition every judged node must meet".to_owned());
            None
        }
        Some(t) => expression("assert", t, e),
    };
    let message = def.message.as_deref().and_then(|t| expression("message", t, e));
    if e.list.len() > before {
        return None;
    }
    let assert = assert?;
    let id = def.id.clone()?;
    let uses = [when.as_ref(), Some(&assert), message.as_ref()]
        .into_iter()
        .flatten()
        .fold(Uses::default(), |u, x| u.union(x.uses));
    let summary = def.summary.clone().unwrap_or_else(|| format!("nodes for which `{}` is false", assert.text));
    Some(CustomRule {
        file: file.to_owned(),
        severity,
        kinds,
        summary: Text::from(summary),
        // Not the file's name: findings are the same whichever path or URL the rules came from.
        why: Text::from(def.why.clone().unwrap_or_else(|| "A rule your organisation set for its trees.".to_owned())),
        fix: Text::from(def.fix.clone().unwrap_or_else(|| format!("Change the node so that `{}` holds.", assert.text))),
        written: def.clone(),
        when,
        assert,
        message,
        uses,
        id,
    })
}

/// Parses and checks one expression; `None` (with errors pushed) when it is not usable.
fn expression(field: &'static str, text: &str, e: &mut Errors<'_>) -> Option<Expression> {
    if text.len() > MAX_EXPRESSION_BYTES {
        e.push(Some(field), None, format!("longer than {MAX_EXPRESSION_BYTES} bytes"));
        return None;
    }
    if text.trim().is_empty() {
        e.push(Some(field), None, "empty".to_owned());
        return None;
    }
    let parsed = cel::parser::PrattParser::new()
        .max_recursion_depth(MAX_DEPTH)
        .max_expression_node_count(MAX_AST_NODES)
        .error_reporting_limit(5)
        .parse(text);
    let ast = match parsed {
        Ok(ast) => ast,
        Err(errors) => {
            for err in errors.errors.iter().take(5) {
                let at = (err.pos.0 > 0 && err.pos.1 > 0).then_some((err.pos.0 as usize, err.pos.1 as usize));
                e.push(Some(field), at, err.msg.clone());
            }
            return None;
        }
    };
    let before = e.list.len();
    let mut scope = Vec::new();
    let mut uses = Uses::default();
    let shape = names(&ast, &mut Walk { text, field, scope: &mut scope, e, uses: &mut uses });
    uses.whole |= shape != Shape::Other;
    (e.list.len() == before).then(|| Expression { text: text.to_owned(), ast, uses })
}

/// What an expression stands for, as far as names go: a node map, or something else.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Node,
    Nodes,
    Other,
}

/// Checks the names an expression uses: variables (the tree's and the comprehensions' own),
/// functions, and the fields of node maps. Returns what the expression stands for.
struct Walk<'a, 'e> {
    text: &'a str,
    field: &'static str,
    scope: &'a mut Vec<(String, Shape)>,
    e: &'a mut Errors<'e>,
    uses: &'a mut Uses,
}

fn names(x: &IdedExpr, w: &mut Walk<'_, '_>) -> Shape {
    let (text, field) = (w.text, w.field);
    match &x.expr {
        Expr::Ident(name) => {
            if let Some((_, shape)) = w.scope.iter().rev().find(|(n, _)| n == name) {
                return *shape;
            }
            match name.as_str() {
                "node" => Shape::Node,
                "parents" | "children" | "nodes" => {
                    w.uses.parents |= name == "parents";
                    w.uses.children |= name == "children";
                    w.uses.nodes |= name == "nodes";
                    Shape::Nodes
                }
                "as_of" => Shape::Other,
                _ => {
                    let hint = closest(name, VARIABLES).map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default();
                    w.e.push(
                        Some(field),
                        locate(text, name),
                        format!("unknown name `{name}`{hint}; the variables are {}", VARIABLES.join(", ")),
                    );
                    Shape::Other
                }
            }
        }
        Expr::Select(s) => {
            let of = names(&s.operand, w);
            if of == Shape::Node {
                w.uses.read(&s.field);
            } else if of == Shape::Nodes {
                // `nodes.x`: not a field of a node; whatever CEL makes of it, give it everything.
                w.uses.whole = true;
            }
            if of == Shape::Node && !NODE_FIELDS.contains(&s.field.as_str()) {
                let hint =
                    closest(&s.field, NODE_FIELDS).map(|f| format!(" (did you mean `{f}`?)")).unwrap_or_default();
                w.e.push(
                    Some(field),
                    locate(text, &s.field),
                    format!("nodes have no field `{}`{hint}; the fields are {}", s.field, NODE_FIELDS.join(", ")),
                );
            }
            Shape::Other
        }
        Expr::Call(c) => {
            let builtin = c.func_name.starts_with('_') || c.func_name.starts_with('@') || c.func_name == "!_";
            let known = builtin
                || match c.target {
                    Some(_) => METHODS.contains(&c.func_name.as_str()),
                    None => FUNCTIONS.contains(&c.func_name.as_str()),
                };
            if !known {
                let (list, how) = match c.target {
                    Some(_) => (METHODS, "methods"),
                    None => (FUNCTIONS, "functions"),
                };
                let detail = if c.func_name == "replace" {
                    "is not available in kpitree rules: its result can grow without bound".to_owned()
                } else if c.func_name == "matches" {
                    "is not available in kpitree rules (no regular expressions); use contains, startsWith or endsWith"
                        .to_owned()
                } else {
                    let hint =
                        closest(&c.func_name, list).map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default();
                    format!("is not a function{hint}; the {how} are {}", list.join(", "))
                };
                w.e.push(Some(field), locate(text, &c.func_name), format!("`{}` {detail}", c.func_name));
            }
            let target = c.target.as_deref().map(|t| names(t, w));
            let args: Vec<Shape> = c.args.iter().map(|a| names(a, w)).collect();
            match (c.func_name.as_str(), target, args.as_slice()) {
                // `nodes[0]`, `parents[i]`: an element of a list of nodes is a node.
                ("_[_]", None, [Shape::Nodes, Shape::Other]) => Shape::Node,
                ("dyn", None, [shape]) => *shape,
                _ => {
                    // Node maps handed to an operator or a function (`==`, `in`, `size`, `string`)
                    // are read whole.
                    w.uses.whole |= target.iter().chain(&args).any(|s| *s != Shape::Other);
                    Shape::Other
                }
            }
        }
        Expr::Comprehension(c) => {
            let range = names(&c.iter_range, w);
            // Iterating a node map goes through its keys: all of them.
            w.uses.whole |= range == Shape::Node;
            let init = names(&c.accu_init, w);
            let element = if range == Shape::Nodes { Shape::Node } else { Shape::Other };
            let depth = w.scope.len();
            match &c.iter_var2 {
                // Two variables: index (or key) and value.
                Some(second) => {
                    w.scope.push((c.iter_var.clone(), Shape::Other));
                    w.scope.push((second.clone(), element));
                }
                None => w.scope.push((c.iter_var.clone(), element)),
            }
            w.scope.push((c.accu_var.clone(), Shape::Other));
            let parts = [init, names(&c.loop_cond, w), names(&c.loop_step, w), names(&c.result, w)];
            w.uses.whole |= parts.iter().any(|s| *s != Shape::Other);
            w.scope.truncate(depth);
            Shape::Other
        }
        Expr::List(l) => {
            for x in &l.elements {
                // A node map in a list (what `filter` builds) goes where the checks do not follow.
                w.uses.whole |= names(x, w) != Shape::Other;
            }
            Shape::Other
        }
        Expr::Map(m) => {
            for entry in &m.entries {
                if let EntryExpr::MapEntry(me) = &entry.expr {
                    w.uses.whole |= names(&me.key, w) != Shape::Other;
                    w.uses.whole |= names(&me.value, w) != Shape::Other;
                }
            }
            Shape::Other
        }
        Expr::Struct(s) => {
            w.e.push(
                Some(field),
                locate(text, &s.type_name),
                format!("`{}{{...}}`: there are no message types here", s.type_name),
            );
            Shape::Other
        }
        Expr::Literal(_) | Expr::Unspecified => Shape::Other,
    }
}

fn walk(x: &IdedExpr, f: &mut dyn FnMut(&IdedExpr)) {
    f(x);
    match &x.expr {
        Expr::Select(s) => walk(&s.operand, f),
        Expr::Call(c) => {
            if let Some(t) = &c.target {
                walk(t, f);
            }
            for a in &c.args {
                walk(a, f);
            }
        }
        Expr::Comprehension(c) => {
            for y in [&c.iter_range, &c.accu_init, &c.loop_cond, &c.loop_step, &c.result] {
                walk(y, f);
            }
        }
        Expr::List(l) => l.elements.iter().for_each(|y| walk(y, f)),
        Expr::Map(m) => {
            for entry in &m.entries {
                if let EntryExpr::MapEntry(me) = &entry.expr {
                    walk(&me.key, f);
                    walk(&me.value, f);
                }
            }
        }
        Expr::Struct(_) | Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
    }
}

/// Where `word` first stands as a whole word outside string literals: line and column (1-based,
/// characters). The parser keeps no positions for a tree it accepted, so names are found again.
pub(crate) fn locate(text: &str, word: &str) -> Option<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let w: Vec<char> = word.chars().collect();
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let (mut line, mut col) = (1, 1);
    let mut quote: Option<char> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) => {
                if c == '\\' {
                    i += 1;
                    col += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' => quote = Some(c),
            None => {
                let starts = i == 0 || !is_word(chars[i - 1]);
                let end = i + w.len();
                if starts && chars.get(i..end) == Some(&w[..]) && chars.get(end).is_none_or(|&n| !is_word(n)) {
                    return Some((line, col));
                }
            }
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
        i += 1;
    }
    None
}

/// The sizes the cost estimate assumes: the longest list of each kind in the tree.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sizes {
    pub(crate) nodes: f64,
    /// Any node's parents (a node map's `parents` field: `n.parents`).
    pub(crate) parents: f64,
    /// The judged node's own (the `parents` and `children` variables): the longest in the tree, or
    /// one node's when the estimate is made node by node.
    pub(crate) own_parents: f64,
    pub(crate) own_children: f64,
    /// The judged node's own series (`node.measurements`, `node.check_ins`), likewise.
    pub(crate) own_measurements: f64,
    pub(crate) own_check_ins: f64,
    pub(crate) measurements: f64,
    pub(crate) check_ins: f64,
    /// Any list whose origin the estimate does not follow: the longest of them all.
    pub(crate) any: f64,
}

/// Entries of a node map, at most.
const NODE_MAP: f64 = NODE_FIELDS.len() as f64;

/// An upper bound on the steps one evaluation of `x` takes on a tree of `sizes`: every list it can
/// go through is taken at the longest such list in the tree, each comprehension costs its range's
/// length times its body, and each operation on a list or map costs its length (equality, `in`,
/// concatenation). Sound for what the language can do; generous for what rules usually do.
pub(crate) fn cost(x: &IdedExpr, sizes: &Sizes) -> f64 {
    let mut scope = Vec::new();
    estimate(x, sizes, &mut scope).cost
}

/// An estimate's parts: steps; the length bound of the value (a list's or a map's, else 1) and of
/// its elements; and what the value, or its elements, are known to be: node maps (whose fields are
/// known) or flat records (a measurement, a check-in, thresholds: maps of scalars).
#[derive(Clone, Copy)]
struct Est {
    cost: f64,
    len: f64,
    elem: f64,
    shape: Known,
    elems: Known,
}

/// What a value is known to be.
#[derive(Clone, Copy, PartialEq)]
enum Known {
    /// The judged node's map (`node`): its own lists' lengths apply.
    Own,
    Node,
    Flat,
    Unknown,
}

const SCALAR: Est = Est { cost: 1.0, len: 1.0, elem: 1.0, shape: Known::Unknown, elems: Known::Unknown };

fn var(len: f64, elem: f64, shape: Known, elems: Known) -> Est {
    Est { cost: 1.0, len, elem, shape, elems }
}

/// Whether a comprehension's step appends its element unchanged (`filter`), so its result's
/// elements are the range's.
fn keeps_elements(c: &cel::common::ast::ComprehensionExpr) -> bool {
    let mut keeps = false;
    walk(&c.loop_step, &mut |x| {
        if let Expr::List(l) = &x.expr
            && let [only] = l.elements.as_slice()
            && matches!(&only.expr, Expr::Ident(name) if *name == c.iter_var)
        {
            keeps = true;
        }
    });
    keeps
}

fn estimate(x: &IdedExpr, s: &Sizes, scope: &mut Vec<(String, Est)>) -> Est {
    match &x.expr {
        Expr::Ident(name) => {
            if let Some((_, b)) = scope.iter().rev().find(|(n, _)| n == name) {
                return Est { cost: 1.0, ..*b };
            }
            match name.as_str() {
                "nodes" => var(s.nodes, NODE_MAP, Known::Unknown, Known::Node),
                "parents" => var(s.own_parents, NODE_MAP, Known::Unknown, Known::Node),
                "children" => var(s.own_children, NODE_MAP, Known::Unknown, Known::Node),
                "node" => var(NODE_MAP, 1.0, Known::Own, Known::Unknown),
                _ => SCALAR,
            }
        }
        Expr::Select(sel) => {
            let of = estimate(&sel.operand, s, scope);
            // The lengths of a node map's fields and a flat record's are known; anything else's
            // are not.
            let (len, elem, elems) = match (sel.test, of.shape, sel.field.as_str()) {
                (true, ..) => (1.0, 1.0, Known::Unknown),
                (false, Known::Own, "parents") => (s.own_parents, 1.0, Known::Unknown),
                (false, Known::Own, "measurements") => (s.own_measurements, 2.0, Known::Flat),
                (false, Known::Own, "check_ins") => (s.own_check_ins, 4.0, Known::Flat),
                (false, Known::Node, "parents") => (s.parents, 1.0, Known::Unknown),
                (false, Known::Node, "measurements") => (s.measurements, 2.0, Known::Flat),
                (false, Known::Node, "check_ins") => (s.check_ins, 4.0, Known::Flat),
                (false, Known::Own | Known::Node | Known::Flat, _) => (1.0, 1.0, Known::Unknown),
                (false, Known::Unknown, _) => (s.any, s.any, Known::Unknown),
            };
            let shape = if !sel.test && matches!(of.shape, Known::Own | Known::Node) && sel.field == "thresholds" {
                Known::Flat
            } else {
                Known::Unknown
            };
            Est { cost: of.cost + 1.0, len, elem, shape, elems }
        }
        Expr::Call(c) => {
            let mut parts: Vec<Est> = Vec::with_capacity(c.args.len() + 1);
            for y in c.target.iter().map(|t| &**t).chain(c.args.iter()) {
                parts.push(estimate(y, s, scope));
            }
            let cost = 1.0 + parts.iter().map(|p| p.cost + p.len).sum::<f64>();
            let plain = |len: f64, elem: f64| Est { cost, len, elem, shape: Known::Unknown, elems: Known::Unknown };
            match (c.func_name.as_str(), parts.as_slice()) {
                ("_+_", [a, b]) => plain(a.len + b.len, a.elem.max(b.elem)),
                ("_?_:_", [_, a, b]) => plain(a.len.max(b.len), a.elem.max(b.elem)),
                ("_[_]", [a, _]) => Est { cost, len: a.elem, elem: s.any, shape: a.elems, elems: Known::Unknown },
                ("dyn", [a]) => Est { cost, ..*a },
                ("split", _) => plain(s.any, 1.0),
                _ => Est { cost, ..SCALAR },
            }
        }
        Expr::Comprehension(c) => {
            let range = estimate(&c.iter_range, s, scope);
            let init = estimate(&c.accu_init, s, scope);
            let depth = scope.len();
            let element = var(range.elem, s.any, range.elems, Known::Unknown);
            match &c.iter_var2 {
                Some(second) => {
                    scope.push((c.iter_var.clone(), SCALAR));
                    scope.push((second.clone(), element));
                }
                None => scope.push((c.iter_var.clone(), element)),
            }
            // The accumulator of `map` and `filter` is appended to in place (cel-rust's AppendStep),
            // one step per element; of `all`, `exists` and `exists_one` it is a bool or a count.
            scope.push((c.accu_var.clone(), SCALAR));
            let body = estimate(&c.loop_cond, s, scope).cost + estimate(&c.loop_step, s, scope).cost + 1.0;
            let result = estimate(&c.result, s, scope);
            scope.truncate(depth);
            let builds_list = matches!(&c.accu_init.expr, Expr::List(l) if l.elements.is_empty());
            let kept = builds_list && keeps_elements(c);
            Est {
                cost: range.cost + init.cost + range.len * body + result.cost,
                len: if builds_list { range.len } else { 1.0 },
                elem: if kept {
                    range.elem
                } else if builds_list {
                    s.any
                } else {
                    1.0
                },
                shape: Known::Unknown,
                elems: if kept { range.elems } else { Known::Unknown },
            }
        }
        Expr::List(l) => {
            let parts: Vec<Est> = l.elements.iter().map(|y| estimate(y, s, scope)).collect();
            Est {
                cost: 1.0 + parts.iter().map(|p| p.cost).sum::<f64>(),
                len: parts.len() as f64,
                elem: parts.iter().map(|p| p.len).fold(1.0, f64::max),
                shape: Known::Unknown,
                elems: Known::Unknown,
            }
        }
        Expr::Map(m) => {
            let mut cost = 1.0;
            for entry in &m.entries {
                if let EntryExpr::MapEntry(me) = &entry.expr {
                    cost += estimate(&me.key, s, scope).cost + estimate(&me.value, s, scope).cost;
                }
            }
            Est { cost, len: m.entries.len() as f64, elem: s.any, shape: Known::Unknown, elems: Known::Unknown }
        }
        Expr::Struct(_) | Expr::Literal(_) | Expr::Unspecified => SCALAR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> IdedExpr {
        cel::parser::PrattParser::new().parse(text).expect("parses")
    }

    fn sizes(n: f64) -> Sizes {
        Sizes {
            nodes: n,
            parents: 3.0,
            own_parents: 3.0,
            own_children: 10.0,
            own_measurements: 50.0,
            own_check_ins: 12.0,
            measurements: 50.0,
            check_ins: 12.0,
            any: n,
        }
    }

    #[test]
    fn a_comprehension_over_nodes_costs_the_tree_and_one_over_parents_its_degree() {
        let simple = cost(&parse("has(node.department) && node.title != ''"), &sizes(100_000.0));
        assert!(simple < 20.0, "{simple}");
        let local = cost(&parse("parents.exists(p, p.kind == 'objective')"), &sizes(100_000.0));
        assert!(local < 100.0, "{local}");
        let global = cost(&parse("nodes.exists(n, n.title == node.title && n.id != node.id)"), &sizes(100_000.0));
        assert!(global > 100_000.0 * 5.0, "{global}");
        let nested = cost(&parse("nodes.all(a, nodes.all(b, a.id != b.id || a == b))"), &sizes(1000.0));
        assert!(nested > 1e6, "{nested}");
        // map/filter build their list in one pass, not by copying it at every step.
        let filtered = cost(&parse("nodes.filter(n, n.kind == 'kpi').size() > 3"), &sizes(1000.0));
        assert!(filtered < 1000.0 * 50.0, "{filtered}");
        // The fields of measurements are scalars, also through `filter`.
        let series = cost(
            &parse(
                "node.measurements.filter(m, days_since(m.date) < 0).map(m, m.date + string(days_since(m.date))).join(', ') != ''",
            ),
            &sizes(100_000.0),
        );
        assert!(series < 50.0 * 50.0, "{series}");
        // An unknown map's field may be as long as any list.
        let unknown = cost(&parse("{'a': nodes}.a.exists(n, n.id == node.id)"), &sizes(100_000.0));
        assert!(unknown > 100_000.0, "{unknown}");
    }

    #[test]
    fn locate_skips_strings_and_parts_of_words() {
        assert_eq!(locate("'nod' + nodes + nod", "nod"), Some((1, 17)));
        assert_eq!(locate("a &&\n  b.x", "x"), Some((2, 5)));
        assert_eq!(locate("\"a\\\"b\" + b", "b"), Some((1, 10)));
        assert_eq!(locate("abc", "b"), None);
    }

    #[test]
    fn suggestions_are_close_names_only() {
        assert_eq!(closest("nod", VARIABLES), Some("node"));
        assert_eq!(closest("ownr", NODE_FIELDS), Some("owner"));
        assert_eq!(closest("startswith", METHODS), Some("startsWith"));
        assert_eq!(closest("zzzzzz", VARIABLES), None);
    }
}
