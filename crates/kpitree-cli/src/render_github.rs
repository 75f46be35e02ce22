//! `--format github`: GitHub Actions workflow commands, so a pull request shows each finding on its
//! tree file's line.
//!
//! One command a line: `::error file=PATH,line=L,col=C,title=RULE::MESSAGE` (`warning`, `notice`
//! for the other severities) per finding, at the line and column of its first node (a CSV tree's
//! row has no column; a whole-tree finding has no line); a plugin that failed, each problem of an
//! invalid tree, and each problem of a `--measurements` data file (on the data file's line), is an
//! `::error` too; a plain summary line ends the output.
//!
//! Text from trees and plugins is escaped twice, in this order: first as for a terminal
//! ([`human::escape`]: control and bidi characters become `\u{..}`, so a newline or an escape
//! sequence in a title never reaches the log raw nor forges a line of its own in the annotation),
//! then as GitHub's toolkit escapes a command ([`data`], [`property`]), which the runner undoes.

use crate::cli::{Checked, Totals};
use crate::human;
use kpitree_core::finding::Severity;
use kpitree_core::report::PluginFailure;
use kpitree_core::{LoadError, Pos, Tree};
use std::io::{Result, Write};

/// Writes the annotations of every tree, then the summary line. `load_errors` are the plugins that
/// failed to load, listed first in every report: annotated once.
pub fn write(out: &mut impl Write, checked: &[Checked], load_errors: &[PluginFailure]) -> Result<()> {
    for e in load_errors {
        plugin(out, None, e)?;
    }
    for c in checked {
        // GitHub wants the path from the repository's root, with `/`.
        let file = c.path.to_string_lossy().replace('\\', "/");
        match &c.outcome {
            Ok((tree, report)) => {
                // Annotations are for what to act on: waived findings and those a baseline knows are
                // left out (the summary line counts them).
                for f in report.findings.iter().filter(|f| f.counts()) {
                    let at = f.nodes.first().and_then(|id| position(tree, id));
                    let level = match f.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                        Severity::Info => "notice",
                    };
                    let message = format!("{} Fix: {}", f.message, f.fix);
                    command(out, level, Some(&file), at, &f.rule, &message)?;
                }
                for e in report.plugin_errors.iter().skip(load_errors.len()) {
                    plugin(out, Some(&file), e)?;
                }
            }
            Err(e) => problems(out, &file, "invalid tree", e)?,
        }
    }
    writeln!(out, "kpitree: {}", Totals::of(checked))
}

/// `kpitree check TREE --measurements DATA` when data files (or the tree with their data merged) are
/// invalid: each problem annotated on its own file and line as a tree's are, then a summary line.
pub fn write_data_errors(out: &mut impl Write, tree: &str, errors: &[LoadError]) -> Result<()> {
    let tree = tree.replace('\\', "/");
    let mut count = 0;
    for e in errors {
        let file = e.file.replace('\\', "/");
        let what = if file == tree { "invalid tree" } else { "invalid data" };
        problems(out, &file, what, e)?;
        count += e.problems.len();
    }
    writeln!(out, "kpitree: not checked: {count} problem{} in the data to merge", if count == 1 { "" } else { "s" })
}

/// Each problem of an invalid file, an `::error` at its line and column, titled `WHAT (CODE)`.
fn problems(out: &mut impl Write, file: &str, what: &str, e: &LoadError) -> Result<()> {
    for p in &e.problems {
        let at = p.at.line.map(|line| Pos {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: p.at.column.map_or(0, |c| u32::try_from(c).unwrap_or(u32::MAX)),
        });
        command(out, "error", Some(file), at, &format!("{what} ({})", p.code()), &p.message)?;
    }
    Ok(())
}

/// Where a node stands in its tree's text (a JSON tree must have been placed).
fn position(tree: &Tree, id: &str) -> Option<Pos> {
    tree.source().node(tree.ix(id)? as usize)
}

/// A plugin that failed, on the tree it failed on when there is one.
fn plugin(out: &mut impl Write, file: Option<&str>, e: &PluginFailure) -> Result<()> {
    command(out, "error", file, None, &format!("plugin {} failed ({})", e.plugin, e.code), &e.message)
}

/// One workflow command: `::LEVEL file=..,line=..,col=..,title=..::MESSAGE`.
fn command(
    out: &mut impl Write,
    level: &str,
    file: Option<&str>,
    at: Option<Pos>,
    title: &str,
    message: &str,
) -> Result<()> {
    write!(out, "::{level} ")?;
    if let Some(file) = file {
        write!(out, "file={},", property(file))?;
        if let Some(at) = at {
            write!(out, "line={},", at.line)?;
            if let Some(col) = at.column() {
                write!(out, "col={col},")?;
            }
        }
    }
    writeln!(out, "title={}::{}", property(title), data(message))
}

/// A command's message: escaped for a terminal, then as the toolkit's `escapeData` does
/// (`%`, CR and LF as `%25`, `%0D`, `%0A`).
pub fn data(s: &str) -> String {
    toolkit(&human::escape(s, false), false)
}

/// A command's property value (file, title): as [`data`], and `:` and `,` as `%3A` and `%2C`
/// (the toolkit's `escapeProperty`).
pub fn property(s: &str) -> String {
    toolkit(&human::escape(s, false), true)
}

fn toolkit(s: &str, property: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toolkit_escaping_matches_githubs() {
        // @actions/core's escapeData and escapeProperty.
        assert_eq!(toolkit("50% a:b,c\r\nd", false), "50%25 a:b,c%0D%0Ad");
        assert_eq!(toolkit("50% a:b,c\r\nd", true), "50%25 a%3Ab%2Cc%0D%0Ad");
        // An escaped value is not escaped again by its own output.
        assert_eq!(toolkit("%25", false), "%2525");
    }

    #[test]
    fn data_is_escaped_for_the_terminal_then_for_github() {
        let title = "Up 5%\n::error::forged, \u{1b}[31mred\u{1b}[0m\r\u{202e}";
        // The newline and the escape become visible text first, so nothing forges a line or drives
        // the terminal; then `%` is escaped, and in a property `:` and `,` too.
        assert_eq!(data(title), "Up 5%25\\u{a}::error::forged, \\u{1b}[31mred\\u{1b}[0m\\u{d}\\u{202e}");
        assert_eq!(property(title), "Up 5%25\\u{a}%3A%3Aerror%3A%3Aforged%2C \\u{1b}[31mred\\u{1b}[0m\\u{d}\\u{202e}");
        assert!(!data(title).contains(human::is_unsafe));
        // Plain text passes unchanged.
        assert_eq!(data("Café 東京"), "Café 東京");
    }

    #[test]
    fn a_command_has_what_is_known_of_its_place() {
        let mut out = Vec::new();
        command(&mut out, "warning", Some("t,1.json"), Some(Pos::at(3, 7)), "r:x", "m").unwrap();
        command(&mut out, "notice", Some("t.csv"), Some(Pos { line: 4, column: 0 }), "r", "m").unwrap();
        command(&mut out, "error", Some("t.json"), None, "r", "whole tree").unwrap();
        command(&mut out, "error", None, Some(Pos::at(1, 1)), "p", "no file, no line").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "::warning file=t%2C1.json,line=3,col=7,title=r%3Ax::m\n\
             ::notice file=t.csv,line=4,title=r::m\n\
             ::error file=t.json,title=r::whole tree\n\
             ::error title=p::no file, no line\n"
        );
    }
}
