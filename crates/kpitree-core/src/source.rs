//! Where a document's parts stand in the text it was read from, kept by the [`crate::tree::Tree`] and
//! used for every position kpitree shows: validation problems, SARIF results, the server's errors. A
//! CSV tree gets its rows while loading (its reader saw them); a JSON tree is placed by
//! [`crate::json::source_map`] only when validation fails or when positions are shown
//! ([`crate::tree::Tree::place_json`]).

use crate::error::LoadError;
use crate::model::TreeDoc;

/// A place in the text: a 1-based line and, when known, a 1-based column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column in characters; 0 when only the line is known (a CSV row).
    pub column: u32,
}

impl Pos {
    fn new(line: usize, column: Option<usize>) -> Pos {
        let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Pos { line: clamp(line), column: column.map_or(0, clamp) }
    }

    /// A line and a column, both 1-based.
    pub fn at(line: usize, column: usize) -> Pos {
        Pos::new(line, Some(column))
    }

    /// The column, when known.
    pub fn column(self) -> Option<usize> {
        (self.column > 0).then_some(self.column as usize)
    }
}

/// Positions of the nodes (their `"id"` member, or their CSV row), the links (their `"from"`
/// member, or their driver's row) and the document's `version`, by position in the document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceMap {
    nodes: Vec<Pos>,
    links: Vec<Pos>,
    version: Option<Pos>,
}

impl SourceMap {
    /// A map from positions in text order: `nodes[k]` is the k-th node's, `links[k]` the k-th link's.
    pub fn new(nodes: Vec<Pos>, links: Vec<Pos>, version: Option<Pos>) -> SourceMap {
        SourceMap { nodes, links, version }
    }

    /// A CSV document's map: each node at its row (`rows[k]` is node k's line), each link at its
    /// driver's row (the first node with its `from` id: `drives` is in that row).
    pub fn rows(rows: &[usize], doc: &TreeDoc) -> SourceMap {
        let nodes: Vec<Pos> = rows.iter().map(|&l| Pos::new(l, None)).collect();
        let links = if doc.links.is_empty() {
            Vec::new()
        } else {
            let mut first = rustc_hash::FxHashMap::default();
            for (i, n) in doc.nodes.iter().enumerate().rev() {
                first.insert(n.id.as_str(), i);
            }
            doc.links
                .iter()
                .map(|l| first.get(l.from.as_str()).and_then(|&i| nodes.get(i)).copied().unwrap_or(Pos::new(0, None)))
                .collect()
        };
        SourceMap { nodes, links, version: None }
    }

    /// Where node `k` (its position in the document) stands.
    pub fn node(&self, k: usize) -> Option<Pos> {
        self.nodes.get(k).copied().filter(|p| p.line > 0)
    }

    /// Where link `k` stands.
    pub fn link(&self, k: usize) -> Option<Pos> {
        self.links.get(k).copied().filter(|p| p.line > 0)
    }

    /// Fills in the line and column of each problem that has none yet: a node's problem at the node,
    /// a link's at the link, the version's at `version`, a problem that names a node only at the
    /// first node of that id in `doc` (when given).
    pub fn locate(&self, err: &mut LoadError, doc: Option<&TreeDoc>) {
        for p in &mut err.problems {
            if p.at.line.is_some() {
                continue;
            }
            let field = p.at.field.as_deref();
            let link = field.and_then(|f| f.strip_prefix("links[")?.split(']').next()?.parse::<usize>().ok());
            let at = match (p.at.position, link, field) {
                (Some(k), _, _) => self.node(k),
                (None, Some(k), _) => self.link(k),
                (None, None, Some("version")) => self.version,
                _ => p.at.node.as_deref().and_then(|id| {
                    let k = doc?.nodes.iter().position(|n| n.id == id)?;
                    self.node(k)
                }),
            };
            if let Some(at) = at {
                p.at.line = Some(at.line as usize);
                p.at.column = at.column();
            }
        }
    }
}

impl LoadError {
    /// Moves every located problem by the text that stood before the document: `lines` whole lines,
    /// and `columns` characters on the document's first line (a tree embedded in a larger text, such
    /// as a server request's envelope).
    pub fn offset_by(&mut self, lines: usize, columns: usize) {
        for p in &mut self.problems {
            if let Some(line) = p.at.line {
                if line == 1 {
                    p.at.column = p.at.column.map(|c| c + columns);
                }
                p.at.line = Some(line + lines);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Location, Problem, ProblemKind};

    #[test]
    fn problems_are_placed_at_their_node_link_or_version() {
        let map = SourceMap::new(
            vec![Pos::new(2, Some(5)), Pos::new(3, Some(7))],
            vec![Pos::new(9, Some(3))],
            Some(Pos::new(1, Some(2))),
        );
        let problem = |at: Location| Problem::new(ProblemKind::SelfLink, at);
        let mut err = LoadError {
            file: "t".into(),
            problems: vec![
                problem(Location { position: Some(1), ..Location::default() }),
                problem(Location { field: Some("links[0].to".into()), ..Location::default() }),
                problem(Location { field: Some("version".into()), ..Location::default() }),
                problem(Location { line: Some(40), column: Some(1), position: Some(0), ..Location::default() }),
            ],
        };
        map.locate(&mut err, None);
        let at: Vec<_> = err.problems.iter().map(|p| (p.at.line, p.at.column)).collect();
        assert_eq!(at, [(Some(3), Some(7)), (Some(9), Some(3)), (Some(1), Some(2)), (Some(40), Some(1))]);
        err.offset_by(10, 4);
        let at: Vec<_> = err.problems.iter().map(|p| (p.at.line, p.at.column)).collect();
        assert_eq!(at, [(Some(13), Some(7)), (Some(19), Some(3)), (Some(11), Some(6)), (Some(50), Some(1))]);
    }
}
