//! A small JSON reader for serde, for the browser's lean engine, where every kilobyte of wasm is
//! downloaded by every page that embeds the widget.
//!
//! serde_json's reader is generic over the visitor of each type it reads, and each copy carries the
//! whole parser with its error reporting: in the lean engine that came to 34 KiB of the gzipped wasm.
//! Here the parsing is one non-generic function per kind of token, and what is generic per visitor is
//! a few lines of dispatch.
//!
//! The contract, checked against serde_json by this crate's tests:
//! - a text this reads, serde_json reads too, to the same value (numbers included: they are computed
//!   the way serde_json computes them without its `float_roundtrip` feature, bit for bit);
//! - anything else it declines, with [`Declined`] and no detail. The caller then asks serde_json (the
//!   full engine) for the message, so there is one source of JSON error messages. It may decline a few
//!   texts serde_json would read (a struct written as an array, numeric map keys, bytes, nesting
//!   deeper than [`MAX_DEPTH`]); then the full engine reads them, to the same result.

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

    // Numbers, computed as serde_json 1.x computes them (without `float_roundtrip`), so both give the
    // same f64 for every text: an integer part kept as u64 while it fits, then decimal digits folded
    // into the significand while they fit, and one multiplication or division by a power of ten.

    /// After the sign.
    fn number(&mut self, positive: bool) -> Result<Token<'a>, Declined> {
        let significand = match self.next_byte() {
            Some(b'0') => {
                // One leading zero only.
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(Declined);
                }
                0
            }
            Some(c @ b'1'..=b'9') => {
                let mut significand = u64::from(c - b'0');
                while let Some(c @ b'0'..=b'9') = self.peek() {
                    let digit = u64::from(c - b'0');
                    if overflows(significand, digit) {
                        return self.long_integer(positive, significand).map(Token::F64);
                    }
                    self.at += 1;
                    significand = significand * 10 + digit;
                }
                significand
            }
            _ => return Err(Declined),
        };
        Ok(match self.peek() {
            Some(b'.') => Token::F64(self.decimal(positive, significand, 0)?),
            Some(b'e' | b'E') => Token::F64(self.exponent(positive, significand, 0)?),
            _ if positive => Token::U64(significand),
            _ => {
                // An i64 unless it is below i64::MIN, or -0: those become floats.
                #[allow(clippy::cast_possible_wrap)]
                let negated = (significand as i64).wrapping_neg();
                #[allow(clippy::cast_precision_loss)]
                if negated >= 0 { Token::F64(-(significand as f64)) } else { Token::I64(negated) }
            }
        })
    }

    /// An integer part too long for u64: the further digits only count in the exponent.
    fn long_integer(&mut self, positive: bool, significand: u64) -> Result<f64, Declined> {
        let mut exponent = 0i32;
        loop {
            match self.peek() {
                Some(b'0'..=b'9') => {
                    self.at += 1;
                    exponent = exponent.wrapping_add(1);
                }
                Some(b'.') => return self.decimal(positive, significand, exponent),
                Some(b'e' | b'E') => return self.exponent(positive, significand, exponent),
                _ => return from_parts(positive, significand, exponent),
            }
        }
    }

    /// At the decimal point.
    fn decimal(&mut self, positive: bool, mut significand: u64, exponent_before: i32) -> Result<f64, Declined> {
        self.at += 1;
        let mut exponent_after = 0i32;
        while let Some(c @ b'0'..=b'9') = self.peek() {
            let digit = u64::from(c - b'0');
            if overflows(significand, digit) {
                // Further digits are dropped.
                while let Some(b'0'..=b'9') = self.peek() {
                    self.at += 1;
                }
                let exponent = exponent_before + exponent_after;
                return match self.peek() {
                    Some(b'e' | b'E') => self.exponent(positive, significand, exponent),
                    _ => from_parts(positive, significand, exponent),
                };
            }
            self.at += 1;
            significand = significand * 10 + digit;
            exponent_after -= 1;
        }
        // At least one digit after the point.
        if exponent_after == 0 {
            return Err(Declined);
        }
        let exponent = exponent_before + exponent_after;
        match self.peek() {
            Some(b'e' | b'E') => self.exponent(positive, significand, exponent),
            _ => from_parts(positive, significand, exponent),
        }
    }

    /// At the `e`.
    fn exponent(&mut self, positive: bool, significand: u64, starting: i32) -> Result<f64, Declined> {
        self.at += 1;
        let positive_exponent = match self.peek() {
            Some(b'+') => {
                self.at += 1;
                true
            }
            Some(b'-') => {
                self.at += 1;
                false
            }
            _ => true,
        };
        let mut exponent = match self.next_byte() {
            Some(c @ b'0'..=b'9') => i32::from(c - b'0'),
            _ => return Err(Declined),
        };
        while let Some(c @ b'0'..=b'9') = self.peek() {
            self.at += 1;
            let digit = i32::from(c - b'0');
            if exponent >= i32::MAX / 10 && (exponent > i32::MAX / 10 || digit > i32::MAX % 10) {
                // An exponent beyond i32: infinity is declined (serde_json: out of range), a zero or
                // a negative exponent gives zero.
                while let Some(b'0'..=b'9') = self.peek() {
                    self.at += 1;
                }
                if significand != 0 && positive_exponent {
                    return Err(Declined);
                }
                return Ok(if positive { 0.0 } else { -0.0 });
            }
            exponent = exponent * 10 + digit;
        }
        let exponent =
            if positive_exponent { starting.saturating_add(exponent) } else { starting.saturating_sub(exponent) };
        from_parts(positive, significand, exponent)
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

/// Whether `significand * 10 + digit` leaves u64.
fn overflows(significand: u64, digit: u64) -> bool {
    significand >= u64::MAX / 10 && (significand > u64::MAX / 10 || digit > u64::MAX % 10)
}

/// `significand` times ten to `exponent` as serde_json computes it: one rounding of the significand,
/// one multiplication or division by a power of ten (repeated divisions below 1e-308). Infinity is
/// declined (serde_json: number out of range).
fn from_parts(positive: bool, significand: u64, mut exponent: i32) -> Result<f64, Declined> {
    #[allow(clippy::cast_precision_loss)]
    let mut f = significand as f64;
    loop {
        match POW10.get(exponent.unsigned_abs() as usize) {
            Some(&pow) => {
                if exponent >= 0 {
                    f *= pow;
                    if f.is_infinite() {
                        return Err(Declined);
                    }
                } else {
                    f /= pow;
                }
                break;
            }
            None => {
                if f == 0.0 {
                    break;
                }
                if exponent >= 0 {
                    return Err(Declined);
                }
                f /= 1e308;
                exponent += 308;
            }
        }
    }
    Ok(if positive { f } else { -f })
}

/// 1e0 to 1e308, each the nearest f64 (the compiler rounds the literals correctly).
#[rustfmt::skip]
static POW10: [f64; 309] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23,
    1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31, 1e32, 1e33, 1e34, 1e35,
    1e36, 1e37, 1e38, 1e39, 1e40, 1e41, 1e42, 1e43, 1e44, 1e45, 1e46, 1e47,
    1e48, 1e49, 1e50, 1e51, 1e52, 1e53, 1e54, 1e55, 1e56, 1e57, 1e58, 1e59,
    1e60, 1e61, 1e62, 1e63, 1e64, 1e65, 1e66, 1e67, 1e68, 1e69, 1e70, 1e71,
    1e72, 1e73, 1e74, 1e75, 1e76, 1e77, 1e78, 1e79, 1e80, 1e81, 1e82, 1e83,
    1e84, 1e85, 1e86, 1e87, 1e88, 1e89, 1e90, 1e91, 1e92, 1e93, 1e94, 1e95,
    1e96, 1e97, 1e98, 1e99, 1e100, 1e101, 1e102, 1e103, 1e104, 1e105, 1e106, 1e107,
    1e108, 1e109, 1e110, 1e111, 1e112, 1e113, 1e114, 1e115, 1e116, 1e117, 1e118, 1e119,
    1e120, 1e121, 1e122, 1e123, 1e124, 1e125, 1e126, 1e127, 1e128, 1e129, 1e130, 1e131,
    1e132, 1e133, 1e134, 1e135, 1e136, 1e137, 1e138, 1e139, 1e140, 1e141, 1e142, 1e143,
    1e144, 1e145, 1e146, 1e147, 1e148, 1e149, 1e150, 1e151, 1e152, 1e153, 1e154, 1e155,
    1e156, 1e157, 1e158, 1e159, 1e160, 1e161, 1e162, 1e163, 1e164, 1e165, 1e166, 1e167,
    1e168, 1e169, 1e170, 1e171, 1e172, 1e173, 1e174, 1e175, 1e176, 1e177, 1e178, 1e179,
    1e180, 1e181, 1e182, 1e183, 1e184, 1e185, 1e186, 1e187, 1e188, 1e189, 1e190, 1e191,
    1e192, 1e193, 1e194, 1e195, 1e196, 1e197, 1e198, 1e199, 1e200, 1e201, 1e202, 1e203,
    1e204, 1e205, 1e206, 1e207, 1e208, 1e209, 1e210, 1e211, 1e212, 1e213, 1e214, 1e215,
    1e216, 1e217, 1e218, 1e219, 1e220, 1e221, 1e222, 1e223, 1e224, 1e225, 1e226, 1e227,
    1e228, 1e229, 1e230, 1e231, 1e232, 1e233, 1e234, 1e235, 1e236, 1e237, 1e238, 1e239,
    1e240, 1e241, 1e242, 1e243, 1e244, 1e245, 1e246, 1e247, 1e248, 1e249, 1e250, 1e251,
    1e252, 1e253, 1e254, 1e255, 1e256, 1e257, 1e258, 1e259, 1e260, 1e261, 1e262, 1e263,
    1e264, 1e265, 1e266, 1e267, 1e268, 1e269, 1e270, 1e271, 1e272, 1e273, 1e274, 1e275,
    1e276, 1e277, 1e278, 1e279, 1e280, 1e281, 1e282, 1e283, 1e284, 1e285, 1e286, 1e287,
    1e288, 1e289, 1e290, 1e291, 1e292, 1e293, 1e294, 1e295, 1e296, 1e297, 1e298, 1e299,
    1e300, 1e301, 1e302, 1e303, 1e304, 1e305, 1e306, 1e307, 1e308,
];

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
