//! The canonical JSON format: reading it into a [`TreeDoc`] with errors that name file, line, column,
//! node id and field, and writing it back.
//!
//! The fast path deserializes straight into the model. Only when that fails is the text read again,
//! slowly, to find the path of the bad value and the id of the node it sits in.

use crate::error::{LoadError, Location, Problem, ProblemKind};
use crate::model::TreeDoc;
use rustc_hash::FxHashMap;

/// Parses a tree document from JSON text. `file` names the source in error messages.
///
/// This checks syntax and shape only; [`crate::tree::Tree::new`] checks the tree's meaning.
pub fn parse_json(file: &str, text: &str) -> Result<TreeDoc, LoadError> {
    match serde_json::from_str::<TreeDoc>(text) {
        Ok(doc) => Ok(doc),
        Err(e) => Err(LoadError { file: file.to_owned(), problems: vec![explain(text, e)] }),
    }
}

fn explain(text: &str, e: serde_json::Error) -> Problem {
    let (line, column) = (Some(e.line()).filter(|l| *l > 0), Some(e.column()).filter(|c| *c > 0));
    if e.is_syntax() || e.is_eof() {
        let detail = strip_position(&e.to_string());
        return Problem::new(ProblemKind::Syntax { detail }, Location { line, column, ..Location::default() });
    }
    // A value of the wrong type or shape: find which node and field it belongs to.
    let mut de = serde_json::Deserializer::from_str(text);
    let path = match serde_path_to_error::deserialize::<_, TreeDoc>(&mut de) {
        Err(pe) => pe.path().to_string(),
        Ok(_) => String::new(),
    };
    let (node, field) = split_node_path(text, &path);
    let detail = strip_position(&e.to_string());
    Problem::new(ProblemKind::Schema { detail }, Location { node, field, line, column, position: None })
}

/// serde_json appends " at line L column C" (reported separately here) and names Rust types; say
/// what the format expects instead.
fn strip_position(msg: &str) -> String {
    let msg = match msg.rfind(" at line ") {
        Some(i) => &msg[..i],
        None => msg,
    };
    msg.replace("expected f64", "expected a number")
        .replace("expected u32", "expected a whole number of at least 0")
        .replace("expected a boolean", "expected true or false")
}

/// Turns `nodes[3].measurements[2].date` into (id of nodes[3], `measurements[2].date`).
fn split_node_path(text: &str, path: &str) -> (Option<String>, Option<String>) {
    let field = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty() && s != ".");
    let Some(rest) = path.strip_prefix("nodes[") else {
        return (None, field(path));
    };
    let Some((index, tail)) = rest.split_once(']') else {
        return (None, field(path));
    };
    let tail = tail.strip_prefix('.').unwrap_or(tail);
    let id = index.parse::<usize>().ok().and_then(|i| {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        v.get("nodes")?.get(i)?.get("id")?.as_str().map(str::to_owned)
    });
    match id {
        Some(id) => (Some(id), field(tail)),
        None => (None, field(path)),
    }
}

/// Writes a document as pretty JSON (two-space indentation, fields in schema order, defaults omitted).
pub fn to_json(doc: &TreeDoc) -> String {
    let mut s = serde_json::to_string_pretty(doc).unwrap_or_default();
    s.push('\n');
    s
}

/// Line and column of each node's `"id"` member in JSON text (the first, for a duplicated id), for
/// pointing at nodes in messages and SARIF.
pub fn node_positions(text: &str) -> FxHashMap<String, (usize, usize)> {
    let mut out = FxHashMap::default();
    for (id, at) in id_members(text) {
        out.entry(id).or_insert(at);
    }
    out
}

/// Every `"id"` member with a string value, in text order. Only nodes have an `id` field (the format
/// denies unknown fields), so in a valid document the k-th member is the k-th node's.
fn id_members(text: &str) -> Vec<(String, (usize, usize))> {
    members(text, b"\"id\"", true)
}

/// Every member named `key` (quoted), in text order, with its string value (empty when
/// `want_string` is false or the value is not a string). A light scan rather than a second parse.
fn members(text: &str, key: &[u8], want_string: bool) -> Vec<(String, (usize, usize))> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut line = 1usize;
    let mut line_start = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                line += 1;
                line_start = i + 1;
                i += 1;
            }
            b'"' => {
                let start = i;
                let end = skip_string(bytes, i);
                if &bytes[start..end.min(bytes.len())] == key {
                    let mut j = end;
                    while j < bytes.len() && bytes[j].is_ascii_whitespace() && bytes[j] != b'\n' {
                        j += 1;
                    }
                    if j < bytes.len() && bytes[j] == b':' {
                        j += 1;
                        while j < bytes.len() && bytes[j].is_ascii_whitespace() && bytes[j] != b'\n' {
                            j += 1;
                        }
                        let column = text[line_start..start].chars().count() + 1;
                        if !want_string {
                            out.push((String::new(), (line, column)));
                        } else if j < bytes.len() && bytes[j] == b'"' {
                            let vend = skip_string(bytes, j);
                            if let Ok(id) = serde_json::from_str::<String>(&text[j..vend.min(text.len())]) {
                                out.push((id, (line, column)));
                            }
                        }
                    }
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

/// Index just past the JSON string starting at `start` (which holds `"`).
fn skip_string(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' => return i, // not valid JSON; stop so line counting stays right
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Fills in line and column for problems that name a node but have no position yet.
pub fn locate(err: &mut LoadError, text: &str) {
    if err.problems.iter().all(|p| p.at.line.is_some()) {
        return;
    }
    let ids = id_members(text);
    let by_id = node_positions(text);
    // Only links have `from`, only the document has `version`.
    let links = members(text, b"\"from\"", false);
    let version = members(text, b"\"version\"", false);
    for p in &mut err.problems {
        let link =
            p.at.field.as_deref().and_then(|f| f.strip_prefix("links[")?.split(']').next()?.parse::<usize>().ok());
        let at = match (p.at.position, link, p.at.field.as_deref()) {
            (Some(k), _, _) => ids.get(k).map(|(_, at)| at),
            (None, Some(k), _) => links.get(k).map(|(_, at)| at),
            (None, None, Some("version")) => version.first().map(|(_, at)| at),
            _ => p.at.node.as_deref().and_then(|n| by_id.get(n)),
        };
        if p.at.line.is_none()
            && let Some((l, c)) = at
        {
            p.at.line = Some(*l);
            p.at.column = Some(*c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_ids() {
        let t = "{\n  \"nodes\": [\n    {\"id\": \"a\", \"title\": \"id\"},\n    { \"id\" : \"b\\\"x\" }\n  ]\n}";
        let p = node_positions(t);
        assert_eq!(p.get("a"), Some(&(3, 6)));
        assert_eq!(p.get("b\"x"), Some(&(4, 7)));
        assert_eq!(p.len(), 2);
    }
}
