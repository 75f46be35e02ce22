//! `kpitree diff` for people: text for a terminal (coloured, every piece of data through [`Esc`]) and
//! Markdown sized for a pull-request comment (user text escaped so it can neither break the comment's
//! layout nor inject HTML or mentions).

use crate::human::{self, Esc};
use crate::render_text::{BOLD, DIM, severity_style};
use anstyle::{AnsiColor, Style};
use kpitree_core::diff::{Change, Diff, LinkChange, ObjectiveChange};
use kpitree_core::finding::{Finding, Severity};
use std::fmt::Write as _;
use std::io::{Result, Write};

const GREEN: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));
const RED: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const YELLOW: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));

/// Items a Markdown list shows before "and N more".
const MD_CAP: usize = 50;
/// Items a Markdown list shows open; a longer one is folded in `<details>`.
const MD_OPEN: usize = 10;

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The findings by severity before and after, as both the text and the Markdown headline say them.
fn severity_counts(d: &Diff<'_>) -> String {
    let (so, sn) = (d.summary.old, d.summary.new);
    format!(
        "errors {} → {}, warnings {} → {}, infos {} → {}",
        so.errors, sn.errors, so.warnings, sn.warnings, so.infos, sn.infos
    )
}

/// A health delta with its sign (`+7.6`, `-2.0`, `±0.0`).
fn signed(x: f64) -> String {
    if x > 0.0 {
        format!("+{x:.1}")
    } else if x < 0.0 {
        format!("{x:.1}")
    } else {
        "±0.0".to_owned()
    }
}

/// A section's heading after a blank line: `nodes: 1 added, 0 removed, 2 changed`.
fn counts(out: &mut impl Write, what: &str, [added, removed, changed]: [usize; 3]) -> Result<()> {
    writeln!(out)?;
    writeln!(out, "{BOLD}{what}{BOLD:#}: {added} added, {removed} removed, {changed} changed")
}

/// What changed in a link: `lag_days 30 → 14, note changed` (a note can be long: named, not quoted);
/// `field` writes the field's name (as code in Markdown). Only numbers and fixed words: nothing to escape.
fn link_change_text(c: &LinkChange<'_>, field: fn(&str) -> String) -> String {
    let mut parts = Vec::new();
    if c.old.lag_days != c.new.lag_days {
        let lag = |d: Option<u32>| d.map_or_else(|| "none".to_owned(), |d| d.to_string());
        parts.push(format!("{} {} → {}", field("lag_days"), lag(c.old.lag_days), lag(c.new.lag_days)));
    }
    match (&c.old.note, &c.new.note) {
        (None, Some(_)) => parts.push("note added".to_owned()),
        (Some(_), None) => parts.push("note removed".to_owned()),
        (a, b) if a != b => parts.push("note changed".to_owned()),
        _ => {}
    }
    parts.join(", ")
}

/// A changed field's values, `old → new` (JSON values, compact; a series as counts).
fn change_text(c: &Change) -> String {
    let mut s = format!("{} → {}", c.old, c.new);
    if let (Some(a), Some(r)) = (c.added, c.removed) {
        let _ = write!(s, " (+{a} −{r})");
    }
    s
}

fn score(s: Option<f64>) -> String {
    s.map_or("-".to_owned(), |x| format!("{x:.2}"))
}

/// One objective's `old → new` for score, status and health (`-` on a missing side).
fn objective_cells(o: &ObjectiveChange<'_>) -> [String; 3] {
    let side = |f: &dyn Fn(&kpitree_core::diff::ObjectiveScores) -> String,
                s: Option<kpitree_core::diff::ObjectiveScores>| { s.as_ref().map_or("-".to_owned(), f) };
    let pair = |f: &dyn Fn(&kpitree_core::diff::ObjectiveScores) -> String| {
        let (a, b) = (side(f, o.old), side(f, o.new));
        if a == b { a } else { format!("{a} → {b}") }
    };
    [pair(&|s| score(s.score)), pair(&|s| s.status.label().to_owned()), pair(&|s| format!("{:.1}", s.health))]
}

/// The text of `kpitree diff`.
pub fn text(out: &mut impl Write, old: &str, new: &str, d: &Diff<'_>) -> Result<()> {
    let sn = d.summary.new;
    writeln!(out, "{BOLD}{}{BOLD:#} → {BOLD}{}{BOLD:#}: {}", Esc(old), Esc(new), Esc(&sn.organisation))?;
    let delta = if d.health.delta > 0.0 {
        GREEN
    } else if d.health.delta < 0.0 {
        RED
    } else {
        DIM
    };
    writeln!(
        out,
        "{BOLD}health {:.1} → {:.1}{BOLD:#} {delta}({}){delta:#}; {}",
        d.health.old,
        d.health.new,
        signed(d.health.delta),
        severity_counts(d)
    )?;
    if d.is_empty() {
        writeln!(out, "no changes")?;
    }
    for c in &d.document {
        writeln!(out, "  {YELLOW}~{YELLOW:#} {}: {}", c.field, Esc(change_text(c)))?;
    }
    let n = &d.nodes;
    if !(n.added.is_empty() && n.removed.is_empty() && n.changed.is_empty()) {
        counts(out, "nodes", [n.added.len(), n.removed.len(), n.changed.len()])?;
        for a in &n.added {
            writeln!(out, "  {GREEN}+{GREEN:#} {} {DIM}{} \"{}\"{DIM:#}", Esc(a.id), a.kind.label(), Esc(a.title))?;
        }
        for r in &n.removed {
            writeln!(out, "  {RED}-{RED:#} {} {DIM}{} \"{}\"{DIM:#}", Esc(r.id), r.kind.label(), Esc(r.title))?;
        }
        for c in &n.changed {
            writeln!(out, "  {YELLOW}~{YELLOW:#} {} {DIM}{} \"{}\"{DIM:#}", Esc(c.id), c.kind.label(), Esc(c.title))?;
            for f in &c.changes {
                writeln!(out, "      {}: {}", f.field, Esc(change_text(f)))?;
            }
        }
    }
    let l = &d.links;
    if !(l.added.is_empty() && l.removed.is_empty() && l.changed.is_empty()) {
        counts(out, "links", [l.added.len(), l.removed.len(), l.changed.len()])?;
        for (sign, style, links) in [("+", GREEN, &l.added), ("-", RED, &l.removed)] {
            for k in links {
                writeln!(
                    out,
                    "  {style}{sign}{style:#} {} → {} {DIM}{}{DIM:#}",
                    Esc(&k.from),
                    Esc(&k.to),
                    k.kind.as_str()
                )?;
            }
        }
        for c in &l.changed {
            writeln!(
                out,
                "  {YELLOW}~{YELLOW:#} {} → {} {DIM}{}{DIM:#}: {}",
                Esc(&c.new.from),
                Esc(&c.new.to),
                c.new.kind.as_str(),
                link_change_text(c, str::to_owned)
            )?;
        }
    }
    let moved: Vec<&ObjectiveChange<'_>> = d.objectives.iter().filter(|o| o.changed).collect();
    if !moved.is_empty() {
        writeln!(out)?;
        writeln!(out, "{BOLD}objectives{BOLD:#}")?;
        for o in moved {
            let [score, status, health] = objective_cells(o);
            writeln!(
                out,
                "  {} {DIM}({}){DIM:#}: score {}, {}, health {}",
                Esc(o.title),
                Esc(o.id),
                score,
                status,
                health
            )?;
        }
    }
    for (title, findings) in [
        ("new findings", &d.findings.new),
        ("resolved findings", &d.findings.resolved),
        ("now waived", &d.findings.waived),
    ] {
        if findings.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "{BOLD}{title}{BOLD:#} ({})", findings.len())?;
        for f in findings.iter() {
            finding_text(out, f)?;
        }
    }
    if !d.plugin_errors.is_empty() {
        writeln!(out)?;
        let names: Vec<&str> = d.plugin_errors.iter().map(|e| e.plugin.as_str()).collect();
        let e = severity_style(Severity::Error);
        writeln!(
            out,
            "{e}{} failed{e:#}: {} (see the errors above)",
            plural(names.len(), "plugin or custom rule", "plugins or custom rules"),
            Esc(names.join(", "))
        )?;
    }
    Ok(())
}

fn finding_text(out: &mut impl Write, f: &Finding) -> Result<()> {
    let st = severity_style(f.severity);
    let plugin = f.plugin.as_deref().map(|p| format!(" [{}]", Esc(p))).unwrap_or_default();
    let nodes = if f.nodes.is_empty() { "whole tree".to_owned() } else { f.nodes.join(", ") };
    writeln!(
        out,
        "  {st}{}{st:#} {DIM}{}{plugin}{DIM:#} {}: {}",
        f.severity,
        Esc(&f.rule),
        Esc(nodes),
        Esc(&f.message)
    )?;
    if let Some(w) = &f.waived {
        let until = w.until.map(|u| format!(" until {u}")).unwrap_or_default();
        writeln!(out, "    {DIM}waived{until}:{DIM:#} {}", Esc(&w.reason))?;
    }
    Ok(())
}

/// User text made safe inside Markdown: control and bidi characters written as `\u{..}` (as on a
/// terminal), line breaks included, so the text stays on its line (where it never starts a line: a `-`,
/// `+` or `1.` cannot make a list); every character that Markdown, GitHub's math or HTML would act on
/// mid-line escaped with a backslash, which CommonMark renders as the character itself (parentheses
/// only make a link after a `]`, which is escaped); `@` followed by a zero-width space so that no one
/// is mentioned.
pub fn md(text: &str) -> String {
    let text = human::escape(text, false);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '!' | '|' | '~' | '<' | '>' | '&' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '@' => out.push_str("@\u{200b}"),
            _ => out.push(c),
        }
    }
    out
}

/// The Markdown of `kpitree diff --format markdown`: a pull-request comment.
pub fn markdown(old: &str, new: &str, d: &Diff<'_>) -> String {
    let mut s = String::new();
    let sn = d.summary.new;
    let _ = writeln!(s, "### KPI tree: {}\n", md(&sn.organisation));
    let _ = writeln!(
        s,
        "**Health {:.1} → {:.1} ({})** · {}",
        d.health.old,
        d.health.new,
        signed(d.health.delta),
        severity_counts(d)
    );
    let _ = writeln!(s, "\n<sub>{} → {}</sub>", md(old), md(new));
    if d.is_empty() {
        let _ = writeln!(s, "\nNo changes.");
        return s;
    }
    if !d.plugin_errors.is_empty() {
        let names: Vec<String> = d.plugin_errors.iter().map(|e| md(&e.plugin)).collect();
        let _ = writeln!(s, "\n> **Failed rules:** {} — their findings are missing.", names.join(", "));
    }
    let moved: Vec<&ObjectiveChange<'_>> = d.objectives.iter().filter(|o| o.changed).collect();
    if !moved.is_empty() {
        let _ = writeln!(s, "\n#### Objectives that moved ({})\n", moved.len());
        let _ = writeln!(s, "| Objective | Score | Status | Health |\n| --- | --- | --- | --- |");
        for o in moved.iter().take(MD_CAP) {
            let [score, status, health] = objective_cells(o);
            let _ = writeln!(s, "| {} ({}) | {score} | {status} | {health} |", md(o.title), md(o.id));
        }
        if moved.len() > MD_CAP {
            let _ = writeln!(s, "\n…and {} more.", moved.len() - MD_CAP);
        }
    }
    if !d.findings.new.is_empty() {
        let _ = writeln!(s, "\n#### New findings ({})", d.findings.new.len());
        for sev in [Severity::Error, Severity::Warning, Severity::Info] {
            let of: Vec<&Finding> = d.findings.new.iter().copied().filter(|f| f.severity == sev).collect();
            if !of.is_empty() {
                let label = match sev {
                    Severity::Error => "Errors",
                    Severity::Warning => "Warnings",
                    Severity::Info => "Infos",
                };
                md_list(&mut s, &format!("{label} ({})", of.len()), true, &of, md_finding);
            }
        }
    }
    if !d.findings.resolved.is_empty() {
        let _ = writeln!(s, "\n#### Resolved findings ({})", d.findings.resolved.len());
        md_list(&mut s, &format!("Resolved ({})", d.findings.resolved.len()), false, &d.findings.resolved, md_finding);
    }
    if !d.findings.waived.is_empty() {
        let _ = writeln!(s, "\n#### Now waived ({})", d.findings.waived.len());
        md_list(&mut s, &format!("Waived ({})", d.findings.waived.len()), false, &d.findings.waived, md_finding);
    }
    let n = &d.nodes;
    let (l, docs) = (&d.links, &d.document);
    {
        let mut items: Vec<String> =
            docs.iter().map(|c| format!("document `{}`: {}", c.field, md(&change_text(c)))).collect();
        items.extend(n.added.iter().map(|a| format!("added {} {} ({})", a.kind.label(), md(a.title), md(a.id))));
        items.extend(n.removed.iter().map(|r| format!("removed {} {} ({})", r.kind.label(), md(r.title), md(r.id))));
        items.extend(n.changed.iter().map(|c| {
            let fields: Vec<String> =
                c.changes.iter().map(|f| format!("`{}` {}", f.field, md(&change_text(f)))).collect();
            format!("changed {} {} ({}): {}", c.kind.label(), md(c.title), md(c.id), fields.join("; "))
        }));
        items.extend(
            l.added.iter().map(|k| format!("added link {} → {} ({})", md(&k.from), md(&k.to), k.kind.as_str())),
        );
        items.extend(
            l.removed.iter().map(|k| format!("removed link {} → {} ({})", md(&k.from), md(&k.to), k.kind.as_str())),
        );
        items.extend(l.changed.iter().map(|c| {
            format!(
                "changed link {} → {} ({}): {}",
                md(&c.new.from),
                md(&c.new.to),
                c.new.kind.as_str(),
                link_change_text(c, |f| format!("`{f}`"))
            )
        }));
        if items.is_empty() {
            return s;
        }
        let _ = writeln!(
            s,
            "\n#### Changes: {} added, {} removed, {} changed; links {} added, {} removed, {} changed",
            plural(n.added.len(), "node", "nodes"),
            n.removed.len(),
            n.changed.len(),
            l.added.len(),
            l.removed.len(),
            l.changed.len()
        );
        let refs: Vec<&String> = items.iter().collect();
        md_list(&mut s, &format!("Changes ({})", items.len()), false, &refs, |s| (*s).clone());
    }
    s
}

fn md_finding(f: &&Finding) -> String {
    let nodes = if f.nodes.is_empty() { "whole tree".to_owned() } else { md(&f.nodes.join(", ")) };
    let mut line = format!("**{}** {} ({}): {}", f.severity, md(&f.rule), nodes, md(&f.message));
    if let Some(w) = &f.waived {
        let until = w.until.map(|u| format!(" until {u}")).unwrap_or_default();
        let _ = write!(line, " — *waived{until}: {}*", md(&w.reason));
    }
    line
}

/// A list of at most [`MD_CAP`] items, folded in `<details>` under `summary` when longer than
/// [`MD_OPEN`]; an open one has `summary` in bold above it when `label` is set.
fn md_list<T>(s: &mut String, summary: &str, label: bool, items: &[T], item: impl Fn(&T) -> String) {
    let fold = items.len() > MD_OPEN;
    if fold {
        let _ = writeln!(s, "\n<details><summary>{summary}</summary>\n");
    } else if label {
        let _ = writeln!(s, "\n**{summary}**\n");
    } else {
        s.push('\n');
    }
    for i in items.iter().take(MD_CAP) {
        let _ = writeln!(s, "- {}", item(i));
    }
    if items.len() > MD_CAP {
        let _ = writeln!(s, "- …and {} more", items.len() - MD_CAP);
    }
    if fold {
        let _ = writeln!(s, "\n</details>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_what_would_break_a_comment() {
        let hostile = "<img src=x onerror=alert(1)> **bold** [link](http://x) | cell `code` @octocat\n# head";
        // Every character Markdown or HTML acts on gets a backslash (rendered as itself); no raw
        // line break; the mention is broken by a zero-width space.
        assert_eq!(
            md(hostile),
            "\\<img src=x onerror=alert(1)\\> \\*\\*bold\\*\\* \\[link\\](http://x) \\| cell \\`code\\` \
             @\u{200b}octocat\\\\u{a}\\# head"
        );
        assert_eq!(md("a<b>&c"), "a\\<b\\>\\&c");
        assert_eq!(md("@ana"), "@\u{200b}ana");
        assert_eq!(md("x\ny\u{1b}"), "x\\\\u{a}y\\\\u{1b}");
        assert_eq!(md("(a)"), "(a)", "parentheses stay: no `]` can precede them");
        assert_eq!(md("Café 東京"), "Café 東京");
    }

    #[test]
    fn markdown_lists_fold_and_cap() {
        let items: Vec<usize> = (0..120).collect();
        let mut s = String::new();
        md_list(&mut s, "Many", true, &items, |i| i.to_string());
        assert!(s.contains("<details><summary>Many</summary>"));
        assert_eq!(s.lines().filter(|l| l.starts_with("- ")).count(), MD_CAP + 1);
        assert!(s.contains("- …and 70 more"));
        let mut short = String::new();
        md_list(&mut short, "Few", true, &items[..3], |i| i.to_string());
        assert!(!short.contains("<details>") && short.contains("**Few**"));
    }

    #[test]
    fn deltas_carry_their_sign() {
        assert_eq!(signed(7.6), "+7.6");
        assert_eq!(signed(-2.0), "-2.0");
        assert_eq!(signed(0.0), "±0.0");
    }
}
