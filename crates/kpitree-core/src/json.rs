//! The canonical JSON format: reading it into a [`TreeDoc`] with errors that name file, line, column,
//! node id and field, and writing it back.
//!
//! The fast path deserializes straight into the model. Only when that fails is the text scanned up to
//! the error's position, to find the path of the bad value and the id of the node it sits in.

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
    let message = e.to_string();
    // serde reports these from the object as a whole, after a key was read: the key is no part of the path.
    let whole_object = message.starts_with("missing field ") || message.starts_with("duplicate field ");
    let path = path_at(text, e.line(), e.column(), !whole_object);
    let (node, field) = split_node_path(text, &path);
    let detail = strip_position(&message);
    Problem::new(ProblemKind::Schema { detail }, Location { node, field, line, column, position: None })
}

/// One open container while scanning JSON text.
enum Frame {
    /// An object: the key whose value is being read, and whether a key comes next.
    Object { key: Option<String>, expect_key: bool },
    /// An array: the index of the element being read.
    Array { index: usize },
}

/// The path (`nodes[3].measurements[2].date`, `.` for the document) of the value serde_json was
/// reading when it stopped at `line`:`column` (its position: 1-based line, bytes into the line, just
/// past what it consumed). A scan of the text up to there, keeping the open objects' keys and the
/// arrays' indices, instead of deserializing the document a second time. `with_key`: whether the
/// innermost object's last key belongs to the path (it does for a bad value or an unknown field).
fn path_at(text: &str, line: usize, column: usize, with_key: bool) -> String {
    let bytes = text.as_bytes();
    let mut end = 0usize;
    for _ in 1..line {
        match bytes[end..].iter().position(|&b| b == b'\n') {
            Some(i) => end += i + 1,
            None => break,
        }
    }
    let end = (end + column).min(bytes.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0usize;
    while i < end {
        match bytes[i] {
            b'{' => stack.push(Frame::Object { key: None, expect_key: true }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b':' => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = false;
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { key, expect_key }) => {
                    *key = None;
                    *expect_key = true;
                }
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            b'"' => {
                let close = skip_string(bytes, i);
                if let Some(Frame::Object { key, expect_key: true }) = stack.last_mut() {
                    *key = kpitree_json_lite::from_str::<String>(&text[i..close.min(text.len())]).ok();
                }
                i = close;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if !with_key && let Some(Frame::Object { key, .. }) = stack.last_mut() {
        *key = None;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
        }
    }
    if path.is_empty() {
        path.push('.');
    }
    path
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
                            if let Ok(id) = kpitree_json_lite::from_str::<String>(&text[j..vend.min(text.len())]) {
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

    /// The path of the value serde_json stopped at, for each kind of shape error.
    #[test]
    fn paths_of_shape_errors() {
        let cases = [
            (
                r#"{"version":1,"nodes":[{"id":"a","kind":"kpi","title":"t"},{"id":"b","kind":"kpi","title":"t","target":"x"}]}"#,
                "nodes[1].target",
            ),
            (
                r#"{"version":1,"nodes":[{"id":"a","kind":"kpi","title":"t","measurements":[{"date":"2026-01-01","value":1},{"date":"x","value":1}]}]}"#,
                "nodes[0].measurements[1].date",
            ),
            (r#"{"version":1,"nodes":[{"id":"a","kind":"kpi","ti\u0074le":"t","nope":1}]}"#, "nodes[0].nope"),
            (r#"{"version":1,"nodes":[{"id":"a","kind":"kpi","parents":["x"]}]}"#, "nodes[0]"),
            (r#"{"version":1,"nodes":[{"id":"a","id":"b"}]}"#, "nodes[0]"),
            (
                r#"{"version":1,"nodes":[{"id":"a","kind":"kpi","title":"t","parents":["x",{}]}]}"#,
                "nodes[0].parents[1]",
            ),
            (r#"{"version":1,"nodes":{}}"#, "nodes"),
            (r#"{"version":1}"#, "."),
        ];
        for (text, want) in cases {
            let Err(e) = serde_json::from_str::<TreeDoc>(text) else { panic!("accepted: {text}") };
            let m = e.to_string();
            let whole = m.starts_with("missing field ") || m.starts_with("duplicate field ");
            assert_eq!(path_at(text, e.line(), e.column(), !whole), want, "{m}");
        }
    }
}
