//! The canonical JSON format: reading it into a [`TreeDoc`] with errors that name file, line, column,
//! node id and field, and writing it back.
//!
//! The fast path deserializes straight into the model. Only when that fails is the text scanned up to
//! the error's position, to find the path of the bad value and the id of the node it sits in.

use crate::error::{LoadError, Location, Problem, ProblemKind};
use crate::model::TreeDoc;
use crate::source::{Pos, SourceMap};

/// Parses a tree document from JSON text. `file` names the source in error messages.
///
/// This checks syntax and shape only; [`crate::tree::Tree::new`] checks the tree's meaning.
/// A leading UTF-8 byte-order mark is skipped (lines and columns count from after it).
pub fn parse_json(file: &str, text: &str) -> Result<TreeDoc, LoadError> {
    let text = strip_bom(text);
    match from_object(text) {
        Ok(doc) => Ok(doc),
        Err(e) => Err(LoadError { file: file.to_owned(), problems: vec![explain(text, e)] }),
    }
}

/// `serde_json::from_str::<TreeDoc>`, but from an object only: a derived struct also reads an array
/// of its fields, so `[1, 2]` would be a `$schema` that is not a string instead of not a tree.
fn from_object(text: &str) -> Result<TreeDoc, serde_json::Error> {
    struct Object;
    impl<'de> serde::de::Visitor<'de> for Object {
        type Value = TreeDoc;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a tree document object (`{\"version\": 1, \"nodes\": [...]}`)")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<TreeDoc, A::Error> {
            serde::Deserialize::deserialize(serde::de::value::MapAccessDeserializer::new(map))
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let doc = serde::Deserializer::deserialize_map(&mut de, Object)?;
    de.end()?;
    Ok(doc)
}

/// `text` without a leading byte-order mark (U+FEFF), which some editors on Windows write.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// serde_json's position as a line and a column that always has both (or neither, for an error at no
/// position). serde_json says column 0 when it stopped just after a line break (the end of the file
/// after a final newline, a line break inside a string): that is the end of the line before, so the
/// column is just past that line's last byte (columns are serde_json's, in bytes).
fn position(text: &str, line: usize, column: usize) -> (Option<usize>, Option<usize>) {
    if line == 0 {
        return (None, None);
    }
    if column > 0 {
        return (Some(line), Some(column));
    }
    if line == 1 {
        return (Some(1), Some(1));
    }
    // The start of `line - 1`: one pass over the text up to it.
    let bytes = text.as_bytes();
    let mut start = 0usize;
    for _ in 1..line - 1 {
        match bytes[start..].iter().position(|&b| b == b'\n') {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    let len = bytes[start..].iter().position(|&b| b == b'\n').unwrap_or(bytes.len() - start);
    (Some(line - 1), Some(len + 1))
}

fn explain(text: &str, e: serde_json::Error) -> Problem {
    let (line, column) = position(text, e.line(), e.column());
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

/// A serde_json error in a document other than a tree (a baseline report, a data file): syntax, or a
/// shape error with the path of the value (`findings[3]`) as its field, at its line and column.
pub(crate) fn explain_other(text: &str, e: serde_json::Error) -> Problem {
    let (line, column) = position(text, e.line(), e.column());
    let message = e.to_string();
    let detail = strip_position(&message);
    if e.is_syntax() || e.is_eof() {
        return Problem::new(ProblemKind::Syntax { detail }, Location { line, column, ..Location::default() });
    }
    let whole_object = message.starts_with("missing field ") || message.starts_with("duplicate field ");
    let path = path_at(text, e.line(), e.column(), !whole_object);
    let field = (path != ".").then_some(path);
    Problem::new(ProblemKind::Schema { detail }, Location { field, line, column, ..Location::default() })
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
    let mut stack = walk(text, end, |_, _| false);
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

/// Scans JSON text up to `end`, keeping the open containers (with each object's current key and each
/// array's index), and returns them. `on_string` sees each string (a key or a value) with the stack
/// as it is before the string is read; when it returns true the scan stops there.
fn walk(text: &str, end: usize, mut on_string: impl FnMut(&[Frame], &str) -> bool) -> Vec<Frame> {
    let bytes = text.as_bytes();
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
                let close = skip_string(bytes, i).min(text.len());
                let literal = text.get(i..close).unwrap_or_default();
                if on_string(&stack, literal) {
                    break;
                }
                if let Some(Frame::Object { key, expect_key: true }) = stack.last_mut() {
                    *key = kpitree_json_lite::from_str::<String>(literal).ok();
                }
                i = close;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    stack
}

/// The id of `nodes[index]` (a string), by one scan of the text: a shape error leaves no document.
fn node_id_at(text: &str, index: usize) -> Option<String> {
    let mut id = None;
    walk(text, text.len(), |stack, literal| match stack {
        [
            Frame::Object { key: Some(nodes), .. },
            Frame::Array { index: at },
            Frame::Object { key: Some(k), expect_key: false },
        ] if nodes == "nodes" && *at == index && k == "id" => {
            id = kpitree_json_lite::from_str::<String>(literal).ok();
            true
        }
        [Frame::Object { key: Some(nodes), .. }, Frame::Array { index: at }, ..] if nodes == "nodes" && *at > index => {
            true
        }
        _ => false,
    });
    id
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
    let id = index.parse::<usize>().ok().and_then(|i| node_id_at(text, i));
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

/// The [`SourceMap`] of a JSON document that parsed: each node at its `"id"` member, each link at
/// its `"from"` member, the document's `version` member. Only nodes have an `id` field and only links
/// a `from` (the format denies unknown fields), so the k-th `"id"` key is the k-th node's. When the
/// counts do not match (a key written with escapes, `"\u0069d"`), that part of the map stays empty
/// rather than wrong.
pub fn source_map(text: &str, nodes: usize, links: usize) -> SourceMap {
    let text = strip_bom(text);
    let of = |key: &str, want: usize| {
        let found = key_positions(text, key);
        if found.len() == want { found } else { Vec::new() }
    };
    let version = key_positions(text, "version").first().copied();
    SourceMap::new(of("id", nodes), of("from", links), version)
}

/// Line and column (in characters) of every member named `key`, in text order. In text that parsed
/// as JSON, a quote not escaped by a backslash and followed by `key"` starts that string, and a `:`
/// after it makes it a member name. Lines and columns are counted from the previous match, so the
/// work is one pass however the text is laid out. std's substring search, not a crate's: this runs
/// only for messages and SARIF, and memchr's searcher would cost the browser's engine 3 KiB gzipped.
fn key_positions(text: &str, key: &str) -> Vec<Pos> {
    let bytes = text.as_bytes();
    let needle = format!("\"{key}\"");
    let mut out = Vec::new();
    // The last place whose line and column are known: (byte offset, line, column).
    let (mut at, mut line, mut column) = (0usize, 1usize, 1usize);
    for (start, _) in text.match_indices(needle.as_str()) {
        let escaped = bytes[..start].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1;
        let after = bytes[start + needle.len()..].iter().find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
        if escaped || after != Some(&b':') {
            continue;
        }
        let between = &bytes[at..start];
        match between.iter().rposition(|&b| b == b'\n') {
            Some(k) => {
                line += between.iter().filter(|&&b| b == b'\n').count();
                column = 1 + text[at + k + 1..start].chars().count();
            }
            None => column += text[at..start].chars().count(),
        }
        at = start;
        out.push(Pos::at(line, column));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_ids() {
        let t = "{\n  \"nodes\": [\n    {\"id\": \"a\", \"title\": \"id\"},\n    { \"id\" : \"b\\\"x\" }\n  ]\n}";
        let map = source_map(t, 2, 0);
        assert_eq!(map.node(0), Some(Pos { line: 3, column: 6 }));
        assert_eq!(map.node(1), Some(Pos { line: 4, column: 7 }));
        assert_eq!(map.node(2), None);
        // An escaped quote is not a member name; a key spelt with escapes leaves the map empty.
        let t = "[{\"id\": \"a\", \"title\": \"x \\\"id\\\": y\"}, {\"\\u0069d\": \"b\"}]";
        assert_eq!(source_map(t, 1, 0).node(0), Some(Pos { line: 1, column: 3 }));
        assert_eq!(source_map(t, 2, 0).node(0), None);
    }

    /// Columns count characters, not bytes; CRLF line ends and a line break between a key and its
    /// `:` still place the member where its name starts.
    #[test]
    fn positions_count_characters_across_line_ends() {
        let t = "[\r\n {\"title\": \"Ünïcødé ✓\", \"id\": \"a\"},\r\n\r\n   {\"id\"\r\n : \"b\", \"title\": \"\\\\\"}, {\"id\":\"c\"}]";
        let map = source_map(t, 3, 0);
        assert_eq!(map.node(0), Some(Pos { line: 2, column: 25 }));
        assert_eq!(map.node(1), Some(Pos { line: 4, column: 5 }));
        // After a string ending in an escaped backslash, the next quote opens a key again.
        assert_eq!(map.node(2), Some(Pos { line: 5, column: 26 }));
    }

    /// A byte-order mark is skipped by every reader of JSON text (the server and the browser get text,
    /// not bytes), and positions count from after it.
    #[test]
    fn a_byte_order_mark_is_skipped() {
        let doc = "\u{feff}{\"version\": 1, \"organisation\": \"O\", \"as_of\": \"2026-11-27\", \"nodes\": [\n {\"id\": \"s\", \"kind\": \"strategy\", \"title\": \"S\"}]}";
        assert_eq!(crate::load_json("f", doc).map(|t| t.len()), Ok(1));
        assert_eq!(source_map(doc, 1, 0).node(0), Some(Pos { line: 2, column: 3 }));
        let broken = "\u{feff}{\"version\": 1,\n \"nodes\": [}";
        assert_eq!(
            parse_json("f", broken).map(|_| ()).unwrap_err().to_string(),
            "f:2:12: error[syntax]: expected value"
        );
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
