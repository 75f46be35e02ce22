//! Bytes to text: what a reader of files (the CLI, the server) does before the core parses them.

use crate::error::{LoadError, Location, Problem, ProblemKind};

/// The text of a file's `bytes`: UTF-8 without its byte-order mark, if it has one (some Windows
/// editors write it; JSON forbids it and CSV tools mostly skip it). Bytes that are not UTF-8 are a
/// syntax problem at the line and column (in characters, 1-based) of the first bad byte.
pub fn decode_text<'b>(file: &str, bytes: &'b [u8]) -> Result<&'b str, LoadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let good = e.valid_up_to();
        // Everything before `good` is UTF-8, so lines and columns are well defined up to it.
        let before = std::str::from_utf8(&bytes[..good]).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = 1 + before.bytes().filter(|&b| b == b'\n').count();
        let column = 1 + before[line_start..].chars().count();
        let bad = match e.error_len() {
            Some(n) => &bytes[good..good + n],
            None => &bytes[good..],
        };
        let hex: Vec<String> = bad.iter().map(|b| format!("0x{b:02X}")).collect();
        let detail = match e.error_len() {
            Some(_) => format!("invalid UTF-8 (byte {}); the file must be UTF-8 text", hex.join(" ")),
            None => format!("invalid UTF-8 (the file ends inside a character: {})", hex.join(" ")),
        };
        LoadError {
            file: file.to_owned(),
            problems: vec![Problem::new(
                ProblemKind::Syntax { detail },
                Location { line: Some(line), column: Some(column), ..Location::default() },
            )],
        }
    })
}

#[cfg(test)]
mod tests {
    use super::decode_text;

    fn at(bytes: &[u8]) -> String {
        decode_text("f", bytes).map_or_else(|e| e.to_string(), |t| format!("ok {t:?}"))
    }

    #[test]
    fn strips_a_byte_order_mark_once() {
        assert_eq!(at(b"\xEF\xBB\xBF{}"), "ok \"{}\"");
        assert_eq!(at(b"{}"), "ok \"{}\"");
        // Only one: a second is text (which JSON then refuses).
        assert_eq!(at(b"\xEF\xBB\xBF\xEF\xBB\xBF{}"), "ok \"\\u{feff}{}\"");
    }

    #[test]
    fn places_the_first_bad_byte() {
        assert_eq!(
            at(b"{\n  \"t\": \"\xC3\xA9t\xE9\"\n}"),
            "f:2:11: error[syntax]: invalid UTF-8 (byte 0xE9); the file must be UTF-8 text"
        );
        assert_eq!(at(b"\xFF"), "f:1:1: error[syntax]: invalid UTF-8 (byte 0xFF); the file must be UTF-8 text");
        // Columns count after a byte-order mark, as editors show them.
        assert_eq!(
            at(b"\xEF\xBB\xBFab\xC0\xAF"),
            "f:1:3: error[syntax]: invalid UTF-8 (byte 0xC0); the file must be UTF-8 text"
        );
        assert_eq!(
            at(b"ab\n\xE2\x82"),
            "f:2:1: error[syntax]: invalid UTF-8 (the file ends inside a character: 0xE2 0x82)"
        );
    }
}
