//! Text output for people: findings grouped by node, coloured on a terminal (anstream strips the
//! colours when stdout is piped or NO_COLOR is set), with a summary line.
//!
//! Every piece of data (ids, titles, owners, messages, rule and plugin texts, paths) is written
//! through [`Esc`] or [`EscLines`], so no tree, configuration or plugin can drive the terminal.

use crate::cli::{Checked, Totals};
use crate::human::{Esc, EscLines};
use anstyle::{AnsiColor, Style};
use kpitree_core::finding::{BaselineState, Finding, Severity};
use kpitree_core::prune::PruneReport;
use kpitree_core::report::Report;
use kpitree_core::rollup::Health;
use kpitree_core::{Node, TreeDoc};
use kpitree_run::catalog::RuleInfo;
use std::collections::HashMap;
use std::io::{Result, Write};
use std::path::Path;

pub(crate) const BOLD: Style = Style::new().bold();
pub(crate) const DIM: Style = Style::new().dimmed();

/// A severity's colour in reports for people (check and diff).
pub(crate) fn severity_style(s: Severity) -> Style {
    let c = match s {
        Severity::Error => AnsiColor::Red,
        Severity::Warning => AnsiColor::Yellow,
        Severity::Info => AnsiColor::Cyan,
    };
    Style::new().fg_color(Some(c.into())).bold()
}

fn health_style(h: Health) -> Style {
    let c = match h {
        Health::OnTrack => AnsiColor::Green,
        Health::AtRisk => AnsiColor::Yellow,
        Health::OffTrack => AnsiColor::Red,
        Health::Unknown => AnsiColor::BrightBlack,
    };
    Style::new().fg_color(Some(c.into()))
}

/// The report of `kpitree check`.
pub fn report(out: &mut impl Write, file: &str, doc: &TreeDoc, report: &Report) -> Result<()> {
    let s = &report.summary;
    writeln!(out, "{BOLD}{}{BOLD:#}: {} as of {}", Esc(file), Esc(&s.organisation), s.as_of)?;
    // Group by the first node a finding names; whole-tree findings first, then document order.
    let mut groups: Vec<(Option<&str>, Vec<&Finding>)> = Vec::new();
    // Waived findings are listed apart, after the rest: accepted, not to be acted on.
    for f in report.findings.iter().filter(|f| f.waived.is_none()) {
        let key = f.nodes.first().map(String::as_str);
        match groups.last_mut() {
            Some((k, v)) if *k == key => v.push(f),
            _ => groups.push((key, vec![f])),
        }
    }
    // The first node of each id, found once: searching the nodes for each group was quadratic.
    let mut by_id: HashMap<&str, &Node> = HashMap::new();
    if !groups.is_empty() {
        by_id.reserve(doc.nodes.len());
        for n in &doc.nodes {
            by_id.entry(n.id.as_str()).or_insert(n);
        }
    }
    for (key, findings) in groups {
        writeln!(out)?;
        match key.and_then(|id| by_id.get(id)) {
            Some(n) => {
                writeln!(out, "{BOLD}{}{BOLD:#} {DIM}{} \"{}\"{DIM:#}", Esc(&n.id), n.kind.label(), Esc(&n.title))?;
            }
            None => writeln!(out, "{BOLD}whole tree{BOLD:#}")?,
        }
        for f in findings {
            let st = severity_style(f.severity);
            let plugin = f.plugin.as_deref().map(|p| format!(" [{}]", Esc(p))).unwrap_or_default();
            let known =
                if f.baseline == Some(BaselineState::Known) { format!(" {DIM}(known){DIM:#}") } else { String::new() };
            writeln!(
                out,
                "  {st}{}{st:#}{known} {DIM}{}{plugin}{DIM:#}: {}",
                f.severity,
                Esc(&f.rule),
                Esc(&f.message)
            )?;
            if f.nodes.len() > 1 {
                writeln!(out, "    {DIM}nodes:{DIM:#} {}", Esc(f.nodes.join(", ")))?;
            }
            writeln!(out, "    {DIM}fix:{DIM:#} {}", Esc(&f.fix))?;
        }
    }
    let waived: Vec<&Finding> = report.findings.iter().filter(|f| f.waived.is_some()).collect();
    if !waived.is_empty() {
        writeln!(out)?;
        writeln!(out, "{BOLD}waived{BOLD:#} {DIM}(accepted: not counted in health or --fail-on){DIM:#}")?;
        for f in waived {
            let on = f.nodes.first().map(|id| format!(" {}", Esc(id))).unwrap_or_default();
            writeln!(out, "  {DIM}{} {}{on}:{DIM:#} {}", f.severity, Esc(&f.rule), Esc(&f.message))?;
            if let Some(w) = &f.waived {
                let until = w.until.map(|d| format!(" until {d}")).unwrap_or_default();
                writeln!(out, "    {DIM}waived{until}:{DIM:#} {}", Esc(&w.reason))?;
            }
        }
    }
    if !report.scores.objectives.is_empty() {
        writeln!(out)?;
        writeln!(out, "{BOLD}objectives{BOLD:#}")?;
        for o in &report.scores.objectives {
            let hs = health_style(o.status);
            let score = o.score.map_or("  - ".to_owned(), |x| format!("{x:.2}"));
            // An ended period's score is its result, not a current pace.
            let ended = if o.ended { format!(" {DIM}[period ended]{DIM:#}") } else { String::new() };
            writeln!(
                out,
                "  {score}  {hs}{:<9}{hs:#}  health {:>5.1}  {} {DIM}({}){DIM:#}{ended}",
                o.status.label(),
                o.health,
                Esc(&o.title),
                Esc(&o.id)
            )?;
        }
    }
    writeln!(out)?;
    let e = severity_style(Severity::Error);
    let w = severity_style(Severity::Warning);
    let i = severity_style(Severity::Info);
    writeln!(
        out,
        "{BOLD}health {:.1}/100{BOLD:#}: {e}{} error{}{e:#}, {w}{} warning{}{w:#}, {i}{} info{i:#} in {} nodes ({} rules)",
        report.scores.health,
        s.errors,
        if s.errors == 1 { "" } else { "s" },
        s.warnings,
        if s.warnings == 1 { "" } else { "s" },
        s.infos,
        s.nodes,
        s.rules_run,
    )?;
    if s.waived > 0 || s.new.is_some() {
        let mut parts = Vec::new();
        if let (Some(new), Some(known)) = (s.new, s.known) {
            parts.push(format!("{new} new, {known} known from the baseline"));
        }
        if s.waived > 0 {
            parts.push(format!("{} waived", s.waived));
        }
        writeln!(out, "{DIM}{}{DIM:#}", parts.join("; "))?;
    }
    if !report.plugin_errors.is_empty() {
        // Custom rules fail like plugins (`kpitree-cel`), with codes of their own.
        let (custom, plugins): (Vec<_>, Vec<_>) =
            report.plugin_errors.iter().partition(|e| e.code.starts_with("custom-rule"));
        for (failed, what) in [(plugins, "plugin"), (custom, "custom rule")] {
            let n = failed.len();
            if n == 0 {
                continue;
            }
            let names: Vec<&str> = failed.iter().map(|e| e.plugin.as_str()).collect();
            writeln!(
                out,
                "{e}{n} {what}{} failed{e:#}: {} (see the errors above)",
                if n == 1 { "" } else { "s" },
                Esc(names.join(", "))
            )?;
        }
    }
    Ok(())
}

/// The reports of `kpitree check`: one tree's as [`report`] writes it; several one after the other
/// (an invalid tree by a line saying so: its problems are on stderr), then their totals.
pub fn reports(out: &mut impl Write, checked: &[Checked], several: bool) -> Result<()> {
    for (k, c) in checked.iter().enumerate() {
        if k > 0 {
            writeln!(out)?;
        }
        let file = c.path.display().to_string();
        match &c.outcome {
            Ok((tree, r)) => report(out, &file, tree.doc(), r)?,
            Err(e) => {
                let e_style = severity_style(Severity::Error);
                let n = e.problems.len();
                writeln!(
                    out,
                    "{BOLD}{}{BOLD:#}: {e_style}invalid{e_style:#}: {n} problem{} (see the errors above)",
                    Esc(&file),
                    if n == 1 { "" } else { "s" }
                )?;
            }
        }
    }
    if several {
        writeln!(out)?;
        writeln!(out, "{BOLD}total{BOLD:#}: {}", Totals::of(checked))?;
    }
    Ok(())
}

/// `kpitree rules`.
pub fn rules(out: &mut impl Write, rules: &[RuleInfo]) -> Result<()> {
    for r in rules {
        let st = severity_style(r.severity);
        let off = if r.enabled { String::new() } else { format!(" {DIM}(off){DIM:#}") };
        let plugin = r.plugin.as_deref().map(|p| format!(" {DIM}[{}]{DIM:#}", Esc(p))).unwrap_or_default();
        writeln!(out, "{BOLD}{:<26}{BOLD:#} {st}{:<7}{st:#} {}{plugin}{off}", Esc(&r.id), r.severity, Esc(&r.summary))?;
        for p in &r.params {
            // Escaped: a list of words comes from the configuration as written.
            let value = p.value.as_ref().map(|v| v.to_string()).unwrap_or_default();
            let changed = if p.value.as_ref() == Some(&p.default) {
                String::new()
            } else {
                format!(" (default {})", Esc(&p.default.to_string()))
            };
            writeln!(out, "    {}{DIM} = {}{changed}{DIM:#}  {}", Esc(&p.name), Esc(&value), Esc(&p.help))?;
        }
    }
    Ok(())
}

/// `kpitree explain RULE`.
pub fn explain(out: &mut impl Write, m: &RuleInfo) -> Result<()> {
    writeln!(out, "{BOLD}{}{BOLD:#} ({}): {}", Esc(&m.id), m.default_severity, Esc(&m.summary))?;
    if let Some(p) = &m.plugin {
        let p = Esc(p);
        writeln!(out, "{DIM}from plugin {p}; configure it under [plugins.{p}]{DIM:#}")?;
    }
    if let Some(c) = &m.custom {
        writeln!(out, "{DIM}custom rule from {}{DIM:#}", Esc(&c.file))?;
        writeln!(out)?;
        writeln!(out, "{BOLD}What it checks{BOLD:#} (CEL)")?;
        writeln!(out, "  kinds  = {}", c.kinds.join(", "))?;
        if let Some(when) = &c.when {
            writeln!(out, "  when   = {}", Esc(when))?;
        }
        writeln!(out, "  assert = {}", Esc(&c.assert))?;
        if let Some(message) = &c.message {
            writeln!(out, "  message = {}", Esc(message))?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{BOLD}Why it matters{BOLD:#}")?;
    writeln!(out, "{}", EscLines(&m.why))?;
    writeln!(out)?;
    writeln!(out, "{BOLD}What to do{BOLD:#}")?;
    writeln!(out, "{}", EscLines(&m.fix))?;
    if !m.params.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{BOLD}Options{BOLD:#} (in kpitree.toml under [rules.{}], or --set {}.OPTION=VALUE)",
            Esc(&m.id),
            Esc(&m.id)
        )?;
        for p in &m.params {
            writeln!(out, "  {} = {}  {}", Esc(&p.name), p.default, Esc(&p.help))?;
        }
    }
    writeln!(out)?;
    waive_hint(out, &m.id)
}

/// How to waive a finding of `rule` (`docs/format.md`, *Waivers*), in both places a waiver may be
/// written.
fn waive_hint(out: &mut impl Write, rule: &str) -> Result<()> {
    if !kpitree_core::waivers::waivable(rule) {
        writeln!(out, "{BOLD}Waive a finding{BOLD:#}")?;
        return writeln!(out, "The findings of waivers cannot be waived: renew the waiver, correct it or remove it.");
    }
    let id = Esc(rule);
    writeln!(
        out,
        "{BOLD}Waive a finding{BOLD:#} (it stays in the report but counts neither for health nor for --fail-on; \
         `until` is optional)"
    )?;
    writeln!(out, "  on the node it is about, in the tree:")?;
    writeln!(out, "    \"waivers\": [{{\"rule\": \"{id}\", \"reason\": \"...\", \"until\": \"YYYY-MM-DD\"}}]")?;
    writeln!(out, "  or in kpitree.toml (without `nodes`, every finding of the rule):")?;
    writeln!(out, "    [[waivers]]")?;
    writeln!(out, "    rule = \"{id}\"")?;
    writeln!(out, "    nodes = [\"NODE-ID\"]")?;
    writeln!(out, "    reason = \"...\"")?;
    writeln!(out, "    until = \"YYYY-MM-DD\"")
}

/// `kpitree prune`.
pub fn prune(out: &mut impl Write, r: &PruneReport, written: Option<&Path>) -> Result<()> {
    if r.candidates.is_empty() {
        writeln!(out, "No KPI to prune.")?;
    }
    for c in &r.candidates {
        let owner = c.owner.as_deref().map(|o| format!(" {DIM}owner: {}{DIM:#}", Esc(o))).unwrap_or_default();
        writeln!(out, "{BOLD}{}{BOLD:#} \"{}\"{owner}", Esc(&c.id), Esc(&c.title))?;
        for (reason, message) in &c.reasons {
            let label =
                serde_json::to_value(reason).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            writeln!(out, "  {}: {}", Esc(label), Esc(message))?;
        }
    }
    for a in &r.reattached {
        writeln!(out, "{DIM}re-attached {} to {}{DIM:#}", Esc(&a.id), Esc(a.parents.join(", ")))?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{BOLD}{} KPI{} to retire{BOLD:#}: {} -> {} nodes, {} -> {} KPIs, {} -> {} findings, health {:.1} -> {:.1}{}",
        r.candidates.len(),
        if r.candidates.len() == 1 { "" } else { "s" },
        r.before.nodes,
        r.after.nodes,
        r.before.kpis,
        r.after.kpis,
        r.before.findings,
        r.after.findings,
        r.before.health,
        r.after.health,
        if r.links_removed > 0 { format!(", {} links dropped", r.links_removed) } else { String::new() },
    )?;
    match written {
        Some(p) => writeln!(out, "pruned tree written to {}", Esc(p.display())),
        None => writeln!(out, "{DIM}dry run: nothing written (use --output FILE to write the pruned tree){DIM:#}"),
    }
}

/// `kpitree plugin inspect`.
pub fn plugin(out: &mut impl Write, p: &kpitree_plugin_host::Plugin) -> Result<()> {
    let m = p.manifest();
    let (major, minor) = p.abi_version();
    writeln!(out, "{BOLD}{}{BOLD:#} {} {DIM}(ABI v{major}.{minor}){DIM:#}", Esc(&m.name), Esc(&m.version))?;
    if !m.description.is_empty() {
        writeln!(out, "{}", EscLines(&m.description))?;
    }
    writeln!(out, "{DIM}file:{DIM:#} {} ({} bytes)", Esc(p.source()), p.module_size())?;
    writeln!(out)?;
    writeln!(out, "{BOLD}Rules{BOLD:#}")?;
    for r in &m.rules {
        let sev = kpitree_core::finding::Severity::parse(r.severity.as_str()).unwrap_or(Severity::Info);
        let st = severity_style(sev);
        writeln!(
            out,
            "  {BOLD}{:<24}{BOLD:#} {st}{:<7}{st:#} {}",
            Esc(&r.id),
            Esc(r.severity.as_str()),
            Esc(&r.summary)
        )?;
        writeln!(out, "    {DIM}why:{DIM:#} {}", EscLines(&r.why))?;
        writeln!(out, "    {DIM}fix:{DIM:#} {}", EscLines(&r.fix))?;
    }
    writeln!(out)?;
    writeln!(out, "{BOLD}Configuration{BOLD:#} (in kpitree.toml under [plugins.{}]), JSON Schema:", Esc(&m.name))?;
    // serde_json escapes control characters in strings but not the bidi ones.
    let schema = serde_json::to_string_pretty(&m.config_schema).unwrap_or_else(|_| "{}".to_owned());
    writeln!(out, "{}", EscLines(schema))
}

const GREEN: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green))).bold();
const RED: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red))).bold();

/// `kpitree plugin test`: the module and load costs, one line per fixture (with what a failure got
/// against what was expected), a summary line. Paths shown are the ones given; fixtures by name.
pub fn plugin_test(out: &mut impl Write, r: &kpitree_run::plugin_test::Report) -> Result<()> {
    use kpitree_run::plugin_test::percent;
    writeln!(out, "{BOLD}{}{BOLD:#} {} {DIM}({}){DIM:#}", Esc(&r.plugin), Esc(&r.version), Esc(&r.file))?;
    writeln!(
        out,
        "module: {} bytes ({}% of the {}-byte limit)",
        r.module_size,
        percent(r.module_size as u64, r.module_size_limit as u64),
        r.module_size_limit
    )?;
    writeln!(
        out,
        "load: kpitree_abi_version {} fuel, kpitree_manifest {} fuel (limit {} a call)",
        r.load_fuel.abi_version, r.load_fuel.manifest, r.fuel_limit
    )?;
    writeln!(out, "fixtures: {}", Esc(&r.fixtures))?;
    for g in &r.groups {
        writeln!(out)?;
        writeln!(out, "{BOLD}{}{BOLD:#}", Esc(g.rules.join(", ")))?;
        let width = g.fixtures.iter().map(|f| f.name.chars().count()).max().unwrap_or(0);
        for f in &g.fixtures {
            let (st, word) = if f.passed { (GREEN, "ok  ") } else { (RED, "FAIL") };
            let fuel = match f.fuel {
                Some(fuel) => format!("{fuel:>10} fuel  {}%", percent(fuel, r.fuel_limit)),
                None => format!("{:>10}", "not called"),
            };
            writeln!(out, "  {st}{word}{st:#}  {:<width$}  {fuel}", Esc(&f.name))?;
            if let Some(p) = &f.failure {
                failure(out, &f.name, p)?;
            }
        }
    }
    if !r.untested.is_empty() {
        writeln!(out)?;
        writeln!(out, "{DIM}untested (no fixture directory):{DIM:#} {}", Esc(r.untested.join(", ")))?;
    }
    writeln!(out)?;
    let st = if r.failed == 0 { GREEN } else { RED };
    writeln!(
        out,
        "{st}{} passed, {} failed{st:#}; most fuel {} ({}% of {}); module {} bytes ({}% of {})",
        r.passed,
        r.failed,
        r.max_fuel,
        percent(r.max_fuel, r.fuel_limit),
        r.fuel_limit,
        r.module_size,
        percent(r.module_size as u64, r.module_size_limit as u64),
        r.module_size_limit
    )
}

/// What a failed fixture got, under its line.
fn failure(out: &mut impl Write, name: &str, p: &kpitree_run::plugin_test::Problem) -> Result<()> {
    let got = p.got.as_deref().unwrap_or_default();
    match p.kind {
        "differs" => {
            writeln!(
                out,
                "        findings differ from {}.expected.json ({RED}-{RED:#} expected, {GREEN}+{GREEN:#} got):",
                Esc(name)
            )?;
            diff(out, p.expected.as_deref().unwrap_or_default(), got)
        }
        "missing-expected" => {
            writeln!(out, "        {}.expected.json is missing; the findings were:", Esc(name))?;
            indented(out, got)
        }
        "unexpected-findings" => {
            writeln!(out, "        a pass fixture must give no finding of the plugin's rules; got:")?;
            indented(out, got)
        }
        "no-finding" => writeln!(out, "        a fail fixture must give at least one finding of the plugin's rules"),
        _ => writeln!(out, "        {}", Esc(&p.message)),
    }
}

fn indented(out: &mut impl Write, text: &str) -> Result<()> {
    for line in text.lines() {
        writeln!(out, "          {}", Esc(line))?;
    }
    Ok(())
}

/// A line diff of `expected` and `got` (longest common subsequence), changed lines with two lines of
/// context around them; `…` where unchanged lines are left out.
fn diff(out: &mut impl Write, expected: &str, got: &str) -> Result<()> {
    let (a, b): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), got.lines().collect());
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..] (fixture outputs are small).
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    const CONTEXT: usize = 2;
    let near = |k: usize| ops[k.saturating_sub(CONTEXT)..(k + CONTEXT + 1).min(ops.len())].iter().any(|o| o.0 != ' ');
    let mut skipped = false;
    for (k, (op, line)) in ops.iter().enumerate() {
        if !near(k) {
            skipped = true;
            continue;
        }
        if skipped {
            writeln!(out, "          {DIM}…{DIM:#}")?;
            skipped = false;
        }
        let st = match op {
            '+' => GREEN,
            '-' => RED,
            _ => Style::new(),
        };
        writeln!(out, "        {st}{op} {}{st:#}", Esc(line))?;
    }
    if skipped {
        writeln!(out, "          {DIM}…{DIM:#}")?;
    }
    Ok(())
}
