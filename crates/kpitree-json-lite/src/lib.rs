//! A small JSON reader for serde, for the browser's lean engine, where every kilobyte of wasm is
//! downloaded by every page that embeds the widget.
//!
//! serde_json's reader is generic over the visitor of each type it reads, and each copy carries the
//! whole parser with its error reporting: in the lean engine that came to 34 KiB of the gzipped wasm.
//! Here the parsing is one non-generic function per kind of token, and what is generic per visitor is
//! a few lines of dispatch.
//!
//! The contract, checked against serde_json by this crate's tests:
//! - a text this reads, serde_json reads too, to the same value (a number that is not an integer is
//!   the f64 nearest to it, as serde_json computes it with its `float_roundtrip` feature, which the
//!   workspace turns on, and as std's `str::parse` does);
//! - anything else it declines, with [`Declined`] and no detail. The caller then asks serde_json (the
//!   full engine) for the message, so there is one source of JSON error messages. It may decline a few
//!   texts serde_json would read (a struct written as an array, numeric map keys, bytes, nesting
//!   deeper than [`MAX_DEPTH`], numbers of over 40 significant digits or with an exponent beyond
//!   ±400); then the full engine reads them, to the same result.

use serde::de::{self, DeserializeSeed, Visitor};
use serde::forward_to_deserialize_any;
use std::fmt;

/// Reads a `T` from JSON text, or declines it.
pub fn from_str<'a, T: de::Deserialize<'a>>(text: &'a str) -> Result<T, Declined> {
    let mut de = Deserializer { text, at: 0, depth: 0, scratch: String::new() };
    let value = T::deserialize(&mut de)?;
    if de.peek_ws().is_some() {
        return Err(Declined);
    }
    Ok(value)
}

/// The text is not one this reader takes: not JSON, not of the shape asked for, or outside what it
/// reads. Deliberately without detail (see the crate's documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Declined;

impl fmt::Display for Declined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("declined by the lean JSON reader; serde_json gives the message")
    }
}

impl std::error::Error for Declined {}

impl de::Error for Declined {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Declined
    }
}

/// Containers nested deeper than this are declined (serde_json stops at 128).
pub const MAX_DEPTH: u32 = 100;

struct Deserializer<'a> {
    text: &'a str,
    /// Byte offset of the next unread byte; always on a character boundary.
    at: usize,
    /// Open containers.
    depth: u32,
    /// The last string that had escapes, unescaped.
    scratch: String,
}

/// One JSON value's start: a whole scalar, or a container's opening bracket.
enum Token<'a> {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    /// A string without escapes, borrowed from the text.
    Borrowed(&'a str),
    /// A string with escapes, unescaped into `scratch`.
    Copied,
    Seq,
    Map,
}

/// What a `deserialize_*` method takes; anything else is declined, as serde_json refuses it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    Any,
    Null,
    Bool,
    Number,
    Str,
    Seq,
    Map,
}

impl<'a> Deserializer<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// The next byte after JSON whitespace (the four serde_json skips).
    fn peek_ws(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
        self.peek()
    }

    fn next_byte(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn literal(&mut self, word: &[u8], token: Token<'a>) -> Result<Token<'a>, Declined> {
        if self.text.as_bytes()[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(token)
        } else {
            Err(Declined)
        }
    }

    /// Reads the next token if it is what `want` takes. For a container, its bracket is consumed
    /// and the depth counted.
    fn token(&mut self, want: Want) -> Result<Token<'a>, Declined> {
        let token = match self.peek_ws().ok_or(Declined)? {
            b'n' => self.literal(b"null", Token::Null)?,
            b't' => self.literal(b"true", Token::Bool(true))?,
            b'f' => self.literal(b"false", Token::Bool(false))?,
            b'-' => {
                self.at += 1;
                self.number(false)?
            }
            b'0'..=b'9' => self.number(true)?,
            b'"' => {
                self.at += 1;
                self.string()?
            }
            open @ (b'[' | b'{') => {
                self.at += 1;
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(Declined);
                }
                if open == b'[' { Token::Seq } else { Token::Map }
            }
            _ => return Err(Declined),
        };
        let takes = match token {
            _ if want == Want::Any => true,
            Token::Null => want == Want::Null,
            Token::Bool(_) => want == Want::Bool,
            Token::U64(_) | Token::I64(_) | Token::F64(_) => want == Want::Number,
            Token::Borrowed(_) | Token::Copied => want == Want::Str,
            Token::Seq => want == Want::Seq,
            Token::Map => want == Want::Map,
        };
        if takes { Ok(token) } else { Err(Declined) }
    }

    /// Hands any token to a visitor (`deserialize_any`); a container's elements follow through
    /// [`Seq`] and [`Map`]. The typed `deserialize_*` methods call only the `visit_*` their token
    /// can reach, so a type's unused `visit_*` (a struct's `visit_seq`, a number's `visit_str`) are
    /// not compiled into the wasm.
    fn visit<V: Visitor<'a>>(&mut self, token: Token<'a>, visitor: V) -> Result<V::Value, Declined> {
        match token {
            Token::Null => visitor.visit_unit(),
            Token::Bool(b) => visitor.visit_bool(b),
            Token::U64(_) | Token::I64(_) | Token::F64(_) => visit_number(token, visitor),
            Token::Borrowed(_) | Token::Copied => self.visit_str(token, visitor),
            Token::Seq => self.visit_seq(visitor),
            Token::Map => self.visit_map(visitor),
        }
    }

    fn visit_str<V: Visitor<'a>>(&self, token: Token<'a>, visitor: V) -> Result<V::Value, Declined> {
        match token {
            Token::Borrowed(s) => visitor.visit_borrowed_str(s),
            _ => visitor.visit_str(&self.scratch),
        }
    }

    /// After the opening bracket.
    fn visit_seq<V: Visitor<'a>>(&mut self, visitor: V) -> Result<V::Value, Declined> {
        let value = visitor.visit_seq(Seq { de: self, first: true })?;
        self.close(b']')?;
        Ok(value)
    }

    /// After the opening brace.
    fn visit_map<V: Visitor<'a>>(&mut self, visitor: V) -> Result<V::Value, Declined> {
        let value = visitor.visit_map(Map { de: self, first: true })?;
        self.close(b'}')?;
        Ok(value)
    }

    /// The end of a container whose visitor is done: its closing bracket, or a decline (elements
    /// left over, as serde_json's "trailing characters").
    fn close(&mut self, bracket: u8) -> Result<(), Declined> {
        if self.peek_ws() == Some(bracket) {
            self.at += 1;
            self.depth -= 1;
            Ok(())
        } else {
            Err(Declined)
        }
    }

    /// Whether another element (or member) follows in a container closed by `close`; past its comma
    /// unless it is the first. The closing bracket itself is left for [`Self::close`].
    fn more(&mut self, close: u8, first: &mut bool) -> Result<bool, Declined> {
        match self.peek_ws() {
            Some(b) if b == close => Ok(false),
            Some(b',') if !*first => {
                self.at += 1;
                // A trailing comma.
                if self.peek_ws() == Some(close) { Err(Declined) } else { Ok(true) }
            }
            Some(_) if *first => {
                *first = false;
                Ok(true)
            }
            _ => Err(Declined),
        }
    }

    // Numbers, as serde_json reads them (with `float_roundtrip`, which the workspace turns on): an
    // integer that fits is a u64 (an i64 when negative), anything else the nearest f64
    // ([`kpitree_decimal::nearest`]). -0 is a float; infinity is declined (serde_json: out of range).

    /// After the sign, which `positive` tells.
    fn number(&mut self, positive: bool) -> Result<Token<'a>, Declined> {
        let int_start = self.at;
        match self.next_byte() {
            // One leading zero only.
            Some(b'0') if matches!(self.peek(), Some(b'0'..=b'9')) => return Err(Declined),
            Some(b'0'..=b'9') => {
                self.skip_digits();
            }
            _ => return Err(Declined),
        }
        let int_end = self.at;
        let mut fraction = int_end..int_end;
        if self.peek() == Some(b'.') {
            self.at += 1;
            let from = self.at;
            if self.skip_digits() == 0 {
                return Err(Declined);
            }
            fraction = from..self.at;
        }
        let mut exponent = 0i64;
        let exponent_given = matches!(self.peek(), Some(b'e' | b'E'));
        if exponent_given {
            self.at += 1;
            let negative = self.peek() == Some(b'-');
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            let from = self.at;
            if self.skip_digits() == 0 {
                return Err(Declined);
            }
            // Saturating: an exponent of a billion or more is as good as infinite.
            for &d in &self.text.as_bytes()[from..self.at] {
                exponent = (exponent * 10 + i64::from(d - b'0')).min(1_000_000_000);
            }
            if negative {
                exponent = -exponent;
            }
        }
        let bytes = self.text.as_bytes();
        let integer = &bytes[int_start..int_end];
        if fraction.is_empty() && !exponent_given {
            let magnitude = self.text.get(int_start..int_end).ok_or(Declined)?;
            if let Ok(n) = magnitude.parse::<u64>() {
                if positive {
                    return Ok(Token::U64(n));
                }
                // Down to i64::MIN; -0 is a float.
                if let Some(n) = 0i64.checked_sub_unsigned(n).filter(|n| *n != 0) {
                    return Ok(Token::I64(n));
                }
            }
        }
        let x = kpitree_decimal::nearest(integer, &bytes[fraction], exponent).ok_or(Declined)?;
        Ok(Token::F64(if positive { x } else { -x }))
    }

    /// Moves past ASCII digits; returns how many.
    fn skip_digits(&mut self) -> usize {
        let from = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        self.at - from
    }

    /// After the opening quote. Text without escapes is borrowed; with escapes it is built in
    /// `scratch`. Control characters must be escaped, and `\u` surrogates come in pairs.
    fn string(&mut self) -> Result<Token<'a>, Declined> {
        let start = self.at;
        let plain = self.plain_run()?;
        if plain == b'"' {
            let s = self.text.get(start..self.at).ok_or(Declined)?;
            self.at += 1;
            return Ok(Token::Borrowed(s));
        }
        self.scratch.clear();
        let mut run = start;
        loop {
            self.scratch.push_str(self.text.get(run..self.at).ok_or(Declined)?);
            // At a quote or a backslash.
            if self.next_byte() == Some(b'"') {
                return Ok(Token::Copied);
            }
            let c = match self.next_byte().ok_or(Declined)? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => self.unicode_escape()?,
                _ => return Err(Declined),
            };
            self.scratch.push(c);
            run = self.at;
            self.plain_run()?;
        }
    }

    /// Moves past string text up to a quote or a backslash, which it returns (not consumed).
    fn plain_run(&mut self) -> Result<u8, Declined> {
        loop {
            match self.peek() {
                Some(b @ (b'"' | b'\\')) => return Ok(b),
                Some(0x20..) => self.at += 1,
                // A raw control character, or the end of the text.
                _ => return Err(Declined),
            }
        }
    }

    /// After `\u`: one character, from a pair of escapes for a surrogate pair.
    fn unicode_escape(&mut self) -> Result<char, Declined> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if self.next_byte() != Some(b'\\') || self.next_byte() != Some(b'u') {
                    return Err(Declined);
                }
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(Declined);
                }
                (((first - 0xD800) << 10) | (second - 0xDC00)) + 0x1_0000
            }
            0xDC00..=0xDFFF => return Err(Declined),
            _ => first,
        };
        char::from_u32(code).ok_or(Declined)
    }

    fn hex4(&mut self) -> Result<u32, Declined> {
        let mut n = 0;
        for _ in 0..4 {
            let digit = char::from(self.next_byte().ok_or(Declined)?).to_digit(16).ok_or(Declined)?;
            n = n * 16 + digit;
        }
        Ok(n)
    }

    /// At a member's key: a string token.
    fn key(&mut self) -> Result<Token<'a>, Declined> {
        if self.peek() != Some(b'"') {
            return Err(Declined);
        }
        self.at += 1;
        self.string()
    }
}

fn visit_number<'a, V: Visitor<'a>>(token: Token<'a>, visitor: V) -> Result<V::Value, Declined> {
    match token {
        Token::U64(n) => visitor.visit_u64(n),
        Token::I64(n) => visitor.visit_i64(n),
        Token::F64(x) => visitor.visit_f64(x),
        _ => Err(Declined),
    }
}

impl<'de> de::Deserializer<'de> for &mut Deserializer<'de> {
    type Error = Declined;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        let token = self.token(Want::Any)?;
        self.visit(token, visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match self.token(Want::Bool)? {
            Token::Bool(b) => visitor.visit_bool(b),
            _ => Err(Declined),
        }
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_f64(visitor)
    }

    /// Every number type: the visitor gets the number as parsed (u64, i64 or f64), as from serde_json.
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        let token = self.token(Want::Number)?;
        visit_number(token, visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        let token = self.token(Want::Str)?;
        self.visit_str(token, visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_str(visitor)
    }

    /// Declined: nothing kpitree reads is bytes.
    fn deserialize_bytes<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Declined> {
        Err(Declined)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Declined> {
        Err(Declined)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        if self.peek_ws() == Some(b'n') {
            self.literal(b"null", Token::Null)?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.token(Want::Null)?;
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Declined> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.token(Want::Seq)?;
        self.visit_seq(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, Declined> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.token(Want::Map)?;
        self.visit_map(visitor)
    }

    /// An object only: serde_json also reads a struct from an array of its fields, which this
    /// declines.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Declined> {
        self.deserialize_map(visitor)
    }

    /// A unit variant written as a string; the `{"variant": value}` form is declined.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Declined> {
        let name = match self.token(Want::Str)? {
            Token::Borrowed(s) => s,
            _ => self.scratch.as_str(),
        };
        visitor.visit_enum(de::value::StrDeserializer::<Declined>::new(name))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_str(visitor)
    }

    /// The value is read (and so checked) and dropped.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        let token = self.token(Want::Any)?;
        self.visit(token, de::IgnoredAny)?;
        visitor.visit_unit()
    }
}

/// An array's elements.
struct Seq<'r, 'de> {
    de: &'r mut Deserializer<'de>,
    first: bool,
}

impl<'de> de::SeqAccess<'de> for Seq<'_, 'de> {
    type Error = Declined;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Declined> {
        if !self.de.more(b']', &mut self.first)? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.de).map(Some)
    }
}

/// An object's members.
struct Map<'r, 'de> {
    de: &'r mut Deserializer<'de>,
    first: bool,
}

impl<'de> de::MapAccess<'de> for Map<'_, 'de> {
    type Error = Declined;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Declined> {
        if !self.de.more(b'}', &mut self.first)? {
            return Ok(None);
        }
        let token = self.de.key()?;
        seed.deserialize(Key { de: &mut *self.de, token }).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Declined> {
        if self.de.peek_ws() != Some(b':') {
            return Err(Declined);
        }
        self.de.at += 1;
        seed.deserialize(&mut *self.de)
    }
}

/// A member's key, already read: a string for whatever asks. (serde_json also reads numbers and
/// booleans from keys for maps keyed by them; such visitors refuse a string here, so they are
/// declined.)
struct Key<'r, 'de> {
    de: &'r mut Deserializer<'de>,
    token: Token<'de>,
}

impl<'de> de::Deserializer<'de> for Key<'_, 'de> {
    type Error = Declined;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.de.visit_str(self.token, visitor)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}
