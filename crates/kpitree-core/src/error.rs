//! Errors for documents that cannot be loaded: typed, with the file, node id, field, line and column.
//!
//! A [`LoadError`] carries every problem found, not only the first, so one run tells an author all
//! they must fix.

use std::fmt;

/// Where in a document a problem is.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// Id of the node (or link, as `from->to`) concerned, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Field concerned, as a path inside the node or document (`parents[1]`, `measurements[3].date`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// 1-based line in the source text, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column in the source text, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// Position of the node in `nodes` (0-based), when known: orders problems and finds lines even
    /// when ids are duplicated.
    #[serde(skip)]
    pub position: Option<usize>,
}

/// What is wrong. Each variant carries what its message needs.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum ProblemKind {
    /// The text is not well-formed JSON (or CSV).
    Syntax {
        /// The parser's description.
        detail: String,
    },
    /// Well-formed, but a value has the wrong type or shape, or a field is unknown or missing.
    Schema {
        /// The parser's description.
        detail: String,
    },
    /// `version` is not one this engine reads.
    UnsupportedVersion {
        /// The version found.
        found: u32,
    },
    /// Two nodes share an id.
    DuplicateId {
        /// The shared id.
        id: String,
        /// Positions (0-based) of every node with that id.
        positions: Vec<usize>,
    },
    /// A node has an empty id.
    EmptyId {
        /// Position (0-based) of the node.
        position: usize,
    },
    /// `parents` names a node that does not exist.
    UnknownParent {
        /// The unknown id.
        parent: String,
    },
    /// A parent of a kind the child may not hang under.
    IllegalParent {
        /// Kind of the child.
        child_kind: &'static str,
        /// The parent's id.
        parent: String,
        /// Kind of the parent.
        parent_kind: &'static str,
        /// What is allowed instead.
        allowed: String,
    },
    /// The same parent listed twice.
    RepeatedParent {
        /// The repeated id.
        parent: String,
    },
    /// Following `parents` comes back to where it started.
    Cycle {
        /// The ids on the cycle, first repeated at the end; for a long cycle only its first and last
        /// ids, `omitted` ids left out between them.
        path: Vec<String>,
        /// How many ids of the cycle `path` leaves out (0: it is whole).
        #[serde(skip_serializing_if = "is_zero")]
        omitted: usize,
    },
    /// A field that does not apply to this kind of node.
    FieldNotAllowed {
        /// Kind of the node.
        kind: &'static str,
        /// Kinds that may have the field.
        allowed: String,
    },
    /// A number or date out of its range.
    OutOfRange {
        /// What the range is.
        detail: String,
    },
    /// A waiver's `rule` that no waiver may name (blank, not a rule id, a waiver rule): an
    /// `out-of-range` problem like the others, whose `detail` is written only when it is described
    /// or serialized (writing it quotes the text as Rust's `Debug` does, which would link Unicode
    /// tables into every engine that only asks whether a tree is valid).
    #[serde(rename = "out-of-range")]
    WaiverRule {
        /// The waiver's rule as written.
        #[serde(rename = "detail", serialize_with = "waiver_rule_detail")]
        rule: String,
    },
    /// A link names a node that does not exist.
    UnknownLinkEnd {
        /// `from` or `to`.
        end: &'static str,
        /// The unknown id.
        id: String,
    },
    /// A link from a node to itself.
    SelfLink,
    /// A data row (`kpitree measurements merge`) names an id that no node has.
    UnknownId {
        /// The unknown id.
        id: String,
        /// The closest id of the right kind, when one is close.
        #[serde(skip_serializing_if = "Option::is_none")]
        suggestion: Option<String>,
    },
    /// A data row names a node of a kind its id column does not take.
    WrongKind {
        /// The id.
        id: String,
        /// The node's kind.
        kind: &'static str,
        /// The row's id column: `kpi_id` or `kr_id`.
        column: &'static str,
    },
    /// Two data rows give different values for the same id and date.
    ConflictingRows {
        /// Where the other row is, and what it says.
        other: String,
    },
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemKind::Syntax { detail } => write!(f, "{detail}"),
            ProblemKind::Schema { detail } => write!(f, "{detail}"),
            ProblemKind::UnsupportedVersion { found } => write!(
                f,
                "unsupported format version {found}; this kpitree reads version {}",
                crate::model::FORMAT_VERSION
            ),
            ProblemKind::DuplicateId { id, positions } => {
                write!(f, "duplicate node id \"{id}\" (used by ")?;
                for (k, p) in positions.iter().enumerate() {
                    write!(f, "{}nodes[{p}]", if k == 0 { "" } else { ", " })?;
                }
                f.write_str(")")
            }
            ProblemKind::EmptyId { position } => write!(f, "nodes[{position}] has an empty id"),
            ProblemKind::UnknownParent { parent } => write!(f, "unknown parent id \"{parent}\""),
            ProblemKind::IllegalParent { child_kind, parent, parent_kind, allowed } => {
                write!(
                    f,
                    "{} cannot have the {} \"{parent}\" as parent (allowed: {allowed})",
                    article(child_kind),
                    label(parent_kind)
                )
            }
            ProblemKind::RepeatedParent { parent } => write!(f, "parent \"{parent}\" is listed more than once"),
            ProblemKind::Cycle { path, omitted: 0 } => write!(f, "cycle in parents: {}", path.join(" -> ")),
            ProblemKind::Cycle { path, omitted } => {
                // Half the shown ids before the gap, as tree.rs cuts them.
                let head = path.len() / 2;
                write!(
                    f,
                    "cycle in parents through {} nodes: {} -> ... {omitted} more ... -> {}",
                    path.len().saturating_sub(1) + omitted,
                    path[..head].join(" -> "),
                    path[head..].join(" -> ")
                )
            }
            ProblemKind::FieldNotAllowed { kind, allowed } => {
                write!(f, "field does not apply to {} (only to: {allowed})", article(kind))
            }
            ProblemKind::OutOfRange { detail } => write!(f, "{detail}"),
            ProblemKind::WaiverRule { rule } => f.write_str(&waiver_rule_text(rule)),
            ProblemKind::UnknownLinkEnd { end, id } => write!(f, "link `{end}` names unknown node \"{id}\""),
            ProblemKind::SelfLink => write!(f, "link from a node to itself"),
            ProblemKind::UnknownId { id, suggestion } => {
                write!(f, "no node has the id \"{id}\"")?;
                match suggestion {
                    Some(s) => write!(f, "; did you mean \"{s}\"?"),
                    None => Ok(()),
                }
            }
            ProblemKind::WrongKind { id, kind, column } => {
                let is = article(kind);
                match (*kind, *column) {
                    ("key_result", "kpi_id") => {
                        write!(f, "\"{id}\" is {is}, not a KPI: its check-ins go in a file with a `kr_id` column")
                    }
                    ("kpi", "kr_id") => write!(
                        f,
                        "\"{id}\" is {is}, not a key result: its measurements go in a file with a `kpi_id` column"
                    ),
                    _ => write!(
                        f,
                        "\"{id}\" is {is}: only KPIs (`kpi_id`) have measurements and only key results (`kr_id`) \
                         check-ins"
                    ),
                }
            }
            ProblemKind::ConflictingRows { other } => {
                write!(f, "conflicts with {other}, a row for the same id and date; keep one")
            }
        }
    }
}

fn waiver_rule_text(rule: &str) -> String {
    crate::waivers::rule_problem(rule).unwrap_or_default()
}

fn waiver_rule_detail<S: serde::Serializer>(rule: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&waiver_rule_text(rule))
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn article(kind: &str) -> &'static str {
    crate::model::NodeKind::parse(kind).map_or("a node", |k| k.with_article())
}

fn label(kind: &str) -> &'static str {
    crate::model::NodeKind::parse(kind).map_or("node", |k| k.label())
}

/// One problem and where it is.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Problem {
    /// What is wrong.
    #[serde(flatten)]
    pub kind: ProblemKind,
    /// Where.
    #[serde(flatten)]
    pub at: Location,
    /// The rendered message (same text as `Display`), for JSON consumers.
    pub message: String,
}

impl Problem {
    /// A problem at a node's field.
    pub fn at_node(kind: ProblemKind, node: &str, field: Option<&str>) -> Problem {
        Problem::new(
            kind,
            Location { node: Some(node.to_owned()), field: field.map(str::to_owned), ..Location::default() },
        )
    }

    /// A problem at a location.
    pub fn new(kind: ProblemKind, at: Location) -> Problem {
        let mut p = Problem::undescribed(kind, at);
        p.describe_once();
        p
    }

    /// A problem whose `message` is written later, by [`Problem::describe_once`]: validation
    /// collects these, so a caller that only asks whether a tree is valid (the browser's lean engine)
    /// links none of the messages' formatting.
    pub(crate) fn undescribed(kind: ProblemKind, at: Location) -> Problem {
        Problem { kind, at, message: String::new() }
    }

    /// Writes `message` unless it is written.
    pub(crate) fn describe_once(&mut self) {
        if self.message.is_empty() {
            self.message = self.describe();
        }
    }

    fn describe(&self) -> String {
        let mut s = String::new();
        if let Some(node) = &self.at.node {
            s.push_str(&format!("node \"{node}\""));
            if let Some(field) = &self.at.field {
                s.push_str(&format!(", field `{field}`"));
            }
            s.push_str(": ");
        } else if let Some(field) = &self.at.field {
            s.push_str(&format!("field `{field}`: "));
        }
        s.push_str(&self.kind.to_string());
        s
    }

    /// The kebab-case code of the problem (`unknown-parent`, ...), stable for tooling.
    pub fn code(&self) -> &'static str {
        match self.kind {
            ProblemKind::Syntax { .. } => "syntax",
            ProblemKind::Schema { .. } => "schema",
            ProblemKind::UnsupportedVersion { .. } => "unsupported-version",
            ProblemKind::DuplicateId { .. } => "duplicate-id",
            ProblemKind::EmptyId { .. } => "empty-id",
            ProblemKind::UnknownParent { .. } => "unknown-parent",
            ProblemKind::IllegalParent { .. } => "illegal-parent",
            ProblemKind::RepeatedParent { .. } => "repeated-parent",
            ProblemKind::Cycle { .. } => "cycle",
            ProblemKind::FieldNotAllowed { .. } => "field-not-allowed",
            ProblemKind::OutOfRange { .. } | ProblemKind::WaiverRule { .. } => "out-of-range",
            ProblemKind::UnknownLinkEnd { .. } => "unknown-link-end",
            ProblemKind::SelfLink => "self-link",
            ProblemKind::UnknownId { .. } => "unknown-id",
            ProblemKind::WrongKind { .. } => "wrong-kind",
            ProblemKind::ConflictingRows { .. } => "conflicting-rows",
        }
    }
}

/// A document that could not be loaded, with every problem found in it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LoadError {
    /// The file (or other source name) the text came from.
    pub file: String,
    /// Every problem, in document order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.file)?;
            if let Some(line) = p.at.line {
                write!(f, ":{line}")?;
                if let Some(col) = p.at.column {
                    write!(f, ":{col}")?;
                }
            }
            write!(f, ": error[{}]: {}", p.code(), p.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}
