//! Text for people on a terminal: the one escaping of data ([`Esc`], [`EscLines`]) and the error
//! messages of the CLI.
//!
//! Ids, titles, owners, messages, file names and plugin texts are data that anyone who writes a tree,
//! a configuration or a plugin controls. Printed raw, an ESC, OSC, BEL or C1 sequence drives the
//! terminal (colours, window titles, hyperlinks, clearing the screen), a NUL or DEL hides text, a
//! bidi override or isolate makes a line read differently from what it is ("Trojan Source"), and a
//! newline fakes a line of output. Every piece of data interpolated into human text goes through
//! [`Esc`] (one line) or [`EscLines`] (text whose line breaks are its layout), which write such
//! characters as visible Rust-style escapes such as `\u{1b}`. The CLI's own colour codes and
//! newlines are written outside them. Everything else, accents, CJK and emoji included, is printed as
//! it is. `--format json` and SARIF keep the data (serde escapes it as JSON).
//!
//! All human output goes to a [`Guard`] ([`stdout`], [`stderr`]), which lets through only the colour
//! codes and newlines and escapes any other such character with the same function, so a piece of
//! data written without [`Esc`] still cannot drive the terminal (it could at worst add a colour or a
//! line).

use anstyle::{AnsiColor, Style};
use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};

use crate::input::CliError;

/// Whether `c` must not reach a terminal raw: control characters (C0 with tab and newline, DEL,
/// C1), the bidi marks, embeddings, overrides and isolates, and the Unicode line and paragraph
/// separators.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'
        )
}

/// [`is_unsafe`] except for a newline (which [`EscLines`] keeps).
pub fn is_unsafe_but_newline(c: char) -> bool {
    c != '\n' && is_unsafe(c)
}

/// `s` with every unsafe character (see [`is_unsafe`]) written as `\u{HEX}`, except newlines when
/// `keep_newlines`. Borrows `s` when there is nothing to escape, the usual case.
pub fn escape(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    let needs = if keep_newlines { is_unsafe_but_newline } else { is_unsafe };
    if !s.contains(needs) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn push_escape(out: &mut String, c: char) {
    use std::fmt::Write as _;
    let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
}

/// One line of data for a person (an id, a title, a message, a path): unsafe characters, newlines
/// and tabs included, are escaped. Honours width and alignment (`{:<26}`).
pub struct Esc<T>(pub T);

impl<T: fmt::Display> fmt::Display for Esc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, &self.0, false)
    }
}

/// Text whose line breaks are its own layout (a rule's explanation, a parser's message with the
/// line it quotes, a pretty-printed schema): like [`Esc`], but newlines stay.
pub struct EscLines<T>(pub T);

impl<T: fmt::Display> fmt::Display for EscLines<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, &self.0, true)
    }
}

fn write_escaped(f: &mut fmt::Formatter<'_>, value: &impl fmt::Display, keep_newlines: bool) -> fmt::Result {
    // Most data is a string already; anything else (a path's display, a number) is written once.
    let text = value.to_string();
    f.pad(&escape(&text, keep_newlines))
}

/// Where human output goes: a writer that escapes, with [`escape`], every unsafe character but
/// newlines and the CLI's own colour codes (whole SGR sequences, `ESC [ digits;... m`, as anstyle
/// writes them). Data is escaped by [`Esc`] before it gets here; this is the net under it.
pub struct Guard<W>(pub W);

impl<W: Write> Write for Guard<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        // `write!` hands over whole `str`s: the format string's pieces and each argument's text.
        let text = String::from_utf8_lossy(buf);
        if !text.contains(is_unsafe_but_newline) {
            return self.0.write_all(buf);
        }
        let mut out = String::with_capacity(text.len() + 8);
        let mut rest = text.as_ref();
        while let Some(c) = rest.chars().next() {
            let sgr = if c == '\x1b' { sgr_len(rest) } else { None };
            if let Some(n) = sgr {
                out.push_str(&rest[..n]);
                rest = &rest[n..];
                continue;
            }
            if is_unsafe_but_newline(c) {
                push_escape(&mut out, c);
            } else {
                out.push(c);
            }
            rest = &rest[c.len_utf8()..];
        }
        self.0.write_all(out.as_bytes())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// The length of the SGR sequence (`ESC [ digits;... m`) at the start of `s`, if there is one.
fn sgr_len(s: &str) -> Option<usize> {
    let params = s.strip_prefix("\x1b[")?;
    let end = params.find(|c: char| !c.is_ascii_digit() && c != ';')?;
    params[end..].starts_with('m').then_some(2 + end + 1)
}

/// Standard output for people: buffered (a system call per line is slow on long reports),
/// coloured on a terminal, escaped by a [`Guard`]. Flush it when done.
pub fn stdout() -> Guard<io::BufWriter<anstream::Stdout>> {
    Guard(io::BufWriter::new(anstream::stdout()))
}

/// Standard error for people, escaped by a [`Guard`].
pub fn stderr() -> Guard<anstream::Stderr> {
    Guard(anstream::stderr())
}

/// The red `error` of every error line.
const RED: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red))).bold();

/// Prints an error the way compilers do: `error: ...` in red, one line per problem.
pub fn print_error(out: &mut impl Write, e: &CliError) -> io::Result<()> {
    let head = |out: &mut dyn Write| write!(out, "{RED}error{RED:#}: ");
    match e {
        CliError::Io { path, error } => {
            head(out)?;
            writeln!(out, "{}: {}", Esc(path.display()), Esc(error))
        }
        CliError::Load(err) => print_load_error(out, err),
        CliError::Loads(errs) => errs.iter().try_for_each(|err| print_load_error(out, err)),
        CliError::ConfigSyntax { path, detail } => {
            head(out)?;
            // The TOML parser's message quotes the offending line under it.
            writeln!(out, "{}: {}", Esc(path.display()), EscLines(detail.trim_end()))
        }
        CliError::Config { source, errors } => {
            for err in errors {
                head(out)?;
                writeln!(out, "{}: {}", Esc(source), Esc(err))?;
            }
            Ok(())
        }
        CliError::CustomRules(errors) => {
            for err in errors {
                head(out)?;
                writeln!(out, "{}", Esc(err))?;
            }
            Ok(())
        }
        CliError::Usage(msg) => {
            // Several messages are joined by "\nerror: ".
            head(out)?;
            writeln!(out, "{}", EscLines(msg))
        }
        CliError::Plugin(e) => {
            head(out)?;
            writeln!(out, "{}", PluginMessage { code: e.kind.code(), message: e })
        }
        CliError::Several(errors) => errors.iter().try_for_each(|e| print_error(out, e)),
    }
}

/// `file:line:col: error[code]: message`, as `LoadError`'s `Display`, with the word error coloured
/// and the file and message escaped, then how many problems the file has.
fn print_load_error(out: &mut impl Write, err: &kpitree_core::LoadError) -> io::Result<()> {
    for p in &err.problems {
        write!(out, "{}", Esc(&err.file))?;
        if let Some(line) = p.at.line {
            write!(out, ":{line}")?;
            if let Some(col) = p.at.column {
                write!(out, ":{col}")?;
            }
        }
        writeln!(out, ": {RED}error{RED:#}[{}]: {}", p.code(), Esc(&p.message))?;
    }
    let n = err.problems.len();
    writeln!(out, "{} invalid: {n} problem{}", Esc(&err.file), if n == 1 { "" } else { "s" })
}

/// Prints a plugin failure as `error: plugin `NAME` ...` (the run goes on; the exit code says it).
pub fn print_plugin_error(out: &mut impl Write, e: &kpitree_core::report::PluginFailure) -> io::Result<()> {
    print_plugin_error_in(out, None, e)
}

/// [`print_plugin_error`], naming the tree it failed on first when there is one: `error: FILE: ...`
/// (a check of several trees).
pub fn print_plugin_error_in(
    out: &mut impl Write,
    file: Option<&str>,
    e: &kpitree_core::report::PluginFailure,
) -> io::Result<()> {
    write!(out, "{RED}error{RED:#}: ")?;
    if let Some(file) = file {
        write!(out, "{}: ", Esc(file))?;
    }
    writeln!(out, "{}", PluginMessage { code: &e.code, message: &e.message })
}

/// A plugin failure's message. It quotes what the plugin sent (an unknown node id, an undeclared
/// rule, its own error text), so it is one escaped line, except the module parser's message, whose
/// lines are its layout (the error, then the source line it quotes under it).
struct PluginMessage<'a, M> {
    code: &'a str,
    message: M,
}

impl<M: fmt::Display> fmt::Display for PluginMessage<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, &self.message, self.code == "invalid-module")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_but_not_text() {
        let hostile =
            "a\u{1b}[31mb\u{1b}]8;;http://x\u{7}c\u{0}d\u{7f}e\u{9b}f\u{202e}g\u{2067}h\u{200f}i\u{61c}j\tk\nl\u{2028}";
        assert_eq!(
            escape(hostile, false),
            "a\\u{1b}[31mb\\u{1b}]8;;http://x\\u{7}c\\u{0}d\\u{7f}e\\u{9b}f\\u{202e}g\\u{2067}h\\u{200f}i\\u{61c}j\\u{9}k\\u{a}l\\u{2028}"
        );
        assert_eq!(escape("x\ny\tz", true), "x\ny\\u{9}z");
        let text = "Café 東京 👩‍👩‍👧 naïve — ok";
        assert!(matches!(escape(text, false), Cow::Borrowed(_)));
    }

    #[test]
    fn guard_keeps_colour_codes_and_newlines_only() {
        let mut out = Guard(Vec::new());
        let red = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red))).bold();
        let data = "t\u{1b}]0;x\u{7}\u{1b}[2J\u{202e}\u{1b}[31m\tz";
        writeln!(out, "{red}id{red:#} {data}").unwrap();
        assert_eq!(
            String::from_utf8(out.0).unwrap(),
            "\u{1b}[1m\u{1b}[31mid\u{1b}[0m t\\u{1b}]0;x\\u{7}\\u{1b}[2J\\u{202e}\u{1b}[31m\\u{9}z\n"
        );
    }

    #[test]
    fn esc_pads_like_a_str() {
        assert_eq!(format!("[{:<6}]", Esc("a\u{7}")), "[a\\u{7}]");
        assert_eq!(format!("[{:<6}]", Esc("ab")), "[ab    ]");
        assert_eq!(format!("[{:>4}]", EscLines("a\nb")), "[ a\nb]");
    }
}
