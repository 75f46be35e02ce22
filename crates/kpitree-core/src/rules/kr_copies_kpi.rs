//! `kr-copies-kpi`
//!
//! **What it does:** finds active key results that only mirror an active KPI. A key result mirrors a KPI
//! when all of these hold:
//!
//! - the KPI is a child of the key result, or a child of one of the key result's active objectives;
//! - both have the same unit (trimmed, case-insensitive; both must be set);
//! - their titles name the same metric: the word sets (lowercase, split on anything but letters and
//!   digits, without plain numbers, filler words such as "the", "of", "per" and goal words such as
//!   "keep", "reach", "reduce") have a Jaccard similarity of at least `title_similarity` (default 0.6);
//! - the key result's target keeps the KPI's level: it lies within `target_tolerance` (default 0.05, a
//!   fraction) of the KPI's latest value (last measurement, else `current`), or of the KPI's own target
//!   when it has no value;
//! - and, when the key result has a `start`, it plans no change beyond the KPI's normal variation:
//!   `|target - start|` is at most the standard deviation of the KPI's measurements (three or more),
//!   else at most `target_tolerance` of the KPI's level. "Raise availability from 99.82% to 99.95%" is
//!   a real change for a KPI that varies by 0.03 points, even though the target is near today's level.
//!
//! Each key result is reported once, with the KPI it mirrors most closely. Draft and retired nodes are
//! ignored. `activity-key-result` leaves the key results this rule reports to it (one finding per
//! cause): both would otherwise report a key result that keeps a KPI's level with no start or no change.
//!
//! **Why is this bad:** `META.why` below, the one text `kpitree explain`, SARIF and the widget show.
//!
//! **Examples:** the key result "Keep monthly churn at 2%" (target 2, unit `%`) next to the KPI "Monthly
//! churn" (unit `%`, latest value 2.05). A key result "Reduce monthly churn to 1.2%" passes: it changes
//! the level. Fixtures: `tests/rules/kr-copies-kpi/`.

use super::text::{eq_folded, fold_hash};
use super::{Context, Param, Rule, RuleMeta, Sink, num};
use crate::finding::Severity;
use crate::lower::lowercase_str;
use crate::model::{Direction, Node, NodeKind};
use crate::tree::Ix;

/// See the module documentation.
pub struct KrCopiesKpi;

/// Option `title_similarity`.
const TITLE_SIMILARITY: Param<f64> = Param::float(
    "title_similarity",
    0.6,
    0.0,
    1.0,
    "share of title words (Jaccard) from which a key result and a KPI name the same metric",
);

/// Option `target_tolerance`.
const TARGET_TOLERANCE: Param<f64> = Param::float(
    "target_tolerance",
    0.05,
    0.0,
    10.0,
    "how close (fraction of the KPI's level) the key result's target must be to count as no change",
);

static META: RuleMeta = RuleMeta {
    id: "kr-copies-kpi",
    severity: Severity::Warning,
    summary: crate::meta::described(
        "a key result that only mirrors a KPI: same metric, and a target that keeps today's level",
    ),
    why: "A key result should say what must change this period. One that restates a KPI at today's level turns \
          the OKRs into one more KPI layer: it adds reporting, not focus, and nobody asks what would have to be \
          different to win.",
    fix: "Keep the KPI as the health metric and either drop the key result or rewrite it as the change you \
          want this period: a target beyond today's level, or an outcome that would move the KPI.",
    params: &[TITLE_SIMILARITY.spec, TARGET_TOLERANCE.spec],
};

/// Below this magnitude a KPI level counts as zero when scaling the tolerance.
const TINY: f64 = 1e-9;

/// Words that do not name a metric: filler words, and the verbs and prepositions of a goal ("keep churn
/// at", "grow users to"), which a key result's title has and a KPI's title lacks. Short lowercase ASCII.
const STOPWORDS: &[&str] = &[
    "a", "above", "achieve", "an", "and", "at", "below", "by", "cut", "decrease", "for", "from", "grow", "hold",
    "improve", "in", "increase", "keep", "least", "lower", "maintain", "most", "of", "on", "or", "our", "over", "per",
    "raise", "reach", "reduce", "remain", "stay", "than", "the", "to", "under", "with",
];

/// A KPI's level and where it comes from.
#[derive(Clone, Copy)]
enum Level {
    Value(f64),
    Target(f64),
}

impl Level {
    fn get(self) -> f64 {
        match self {
            Level::Value(v) | Level::Target(v) => v,
        }
    }
}

/// The best mirrored KPI found so far for one key result.
struct Best {
    kpi: Ix,
    similarity: f64,
    gap: f64,
    level: Level,
    /// The KPI's usual variation (population standard deviation of its measurements), when known.
    variation: Option<f64>,
}

impl Rule for KrCopiesKpi {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let tolerance = cx.get(TARGET_TOLERANCE);
        mirrors(
            cx,
            |_| true,
            |m, kr, best| {
                let (tree, node) = (cx.tree, cx.node(kr));
                let (Some(target), Some(unit)) = (node.target, unit_of(node)) else { return };
                let kpi = tree.node(best.kpi);
                let kpi_words = m
                    .spans
                    .get(best.kpi as usize)
                    .copied()
                    .flatten()
                    .and_then(|(from, to)| m.arena.get(from as usize..to as usize))
                    .unwrap_or_default();
                let shared = shared_words(&node.title, kpi_words);
                let level = match best.level {
                    Level::Value(v) => format!("the KPI's latest value of {}", with_unit(v, unit)),
                    Level::Target(t) => {
                        format!("the KPI's own target of {} (the KPI has no value yet)", with_unit(t, unit))
                    }
                };
                let closeness = if best.gap == 0.0 {
                    "equals".to_owned()
                } else {
                    format!("is within {}% of", num(tolerance * 100.0))
                };
                // The real reason, in the KPI's unit: the change the key result plans is no bigger than
                // the KPI's ordinary ups and downs.
                let planned = match (node.start, best.variation) {
                    (Some(start), Some(var)) if start != target => format!(
                        "; the planned {} (from {}) is within the KPI's usual ±{} variation",
                        super::change(target - start, Some(unit)),
                        with_unit(start, unit),
                        super::change(var, Some(unit)).trim_start_matches('+'),
                    ),
                    _ => String::new(),
                };
                let message = format!(
                    "{} only mirrors {}: both measure \"{shared}\" in {unit}, and its target of {} {closeness} \
                     {level}{planned}: it keeps today's level instead of changing it",
                    node.display(),
                    kpi.display(),
                    with_unit(target, unit),
                );
                let fix = format!(
                    "Keep {} as the health metric and either drop the key result or rewrite it as the change you want \
                 this period: a target clearly {} {}, or an outcome that would move the KPI.",
                    kpi.display(),
                    match kpi.direction {
                        Some(Direction::HigherIsBetter) => "above",
                        Some(Direction::LowerIsBetter) => "below",
                        None => "beyond",
                    },
                    with_unit(best.level.get(), unit),
                );
                out.report_fix(&[kr, best.kpi], message, fix);
            },
        );
    }
}

/// The key results among those `wanted` picks that `kr-copies-kpi` reports in this check, in document
/// order; none when it is switched off. For rules that leave these key results to it (one finding per
/// cause): `cx` may be any rule's context, the matching uses `kr-copies-kpi`'s own options.
pub(super) fn reported_key_results(cx: &Context<'_>, wanted: impl Fn(Ix) -> bool) -> Vec<Ix> {
    let mut found = Vec::new();
    let Some(k) = super::builtin().iter().position(|r| r.meta().id == META.id) else { return found };
    if !cx.all.rules.get(k).is_some_and(|s| s.enabled) {
        return found;
    }
    let own = Context::new(cx.tree, cx.rollup, cx.analysis, cx.all, k);
    mirrors(&own, wanted, |_, kr, _| found.push(kr));
    found
}

/// Finds, for each active key result `wanted` picks (in document order), the active KPI it mirrors most
/// closely, and calls `found` with it. `cx` is this rule's context (its options).
fn mirrors<'c>(cx: &'c Context<'c>, wanted: impl Fn(Ix) -> bool, mut found: impl FnMut(&Matcher<'c>, Ix, Best)) {
    let tree = cx.tree;
    let tolerance = cx.get(TARGET_TOLERANCE);
    let mut m = Matcher {
        cx,
        tolerance,
        min_similarity: cx.get(TITLE_SIMILARITY),
        arena: Vec::new(),
        spans: vec![None; tree.len()],
        kr_words: Vec::new(),
    };
    // The KPIs directly under each active objective, by unit and level, so that each key result only
    // looks at its siblings whose level is near its target (an objective may have many key results).
    let mut siblings: Vec<Sibling> = Vec::new();
    let mut sibling_span: Vec<(u32, u32)> = vec![(0, 0); tree.len()];
    for o in tree.of_kind(NodeKind::Objective) {
        if !tree.node(o).is_active() {
            continue;
        }
        let from = siblings.len();
        for &k in tree.children(o) {
            let kpi = tree.node(k);
            if kpi.kind != NodeKind::Kpi || !kpi.is_active() {
                continue;
            }
            if let (Some(unit), Some(level)) = (unit_of(kpi), level_of(cx, k)) {
                siblings.push(Sibling { unit: fold_hash(unit), level: level.get(), kpi: k });
            }
        }
        if let Some(tail) = siblings.get_mut(from..) {
            crate::sort::sort_by(tail, |a, b| {
                a.unit.cmp(&b.unit).then(a.level.total_cmp(&b.level)).then(a.kpi.cmp(&b.kpi))
            });
        }
        if let Some(span) = sibling_span.get_mut(o as usize) {
            *span = (from as u32, siblings.len() as u32);
        }
    }
    for kr in tree.of_kind(NodeKind::KeyResult) {
        let node = tree.node(kr);
        let (Some(target), Some(unit)) = (node.target, unit_of(node)) else { continue };
        if !node.is_active() || !wanted(kr) {
            continue;
        }
        m.kr_words.clear();
        let mut best: Option<Best> = None;
        for &k in tree.children(kr) {
            m.consider(node, target, unit, k, &mut best);
        }
        // A level L within tolerance t of the target T has |T - L| <= t |L| <= t (|T| + |T - L|), so
        // |T - L| <= t |T| / (1 - t) when t < 1: only levels in that window can match.
        let reach = if tolerance < 1.0 {
            (tolerance * target.abs() / (1.0 - tolerance)).max(tolerance * TINY) * (1.0 + 1e-9) + TINY
        } else {
            f64::INFINITY
        };
        let (lo, hi, unit_key) = (target - reach, target + reach, fold_hash(unit));
        for &o in tree.parents(kr) {
            let (from, to) = sibling_span.get(o as usize).copied().unwrap_or_default();
            let Some(list) = siblings.get(from as usize..to as usize) else { continue };
            let start = list.partition_point(|s| s.unit < unit_key || (s.unit == unit_key && s.level < lo));
            for s in list.iter().skip(start).take_while(|s| s.unit == unit_key && s.level <= hi) {
                m.consider(node, target, unit, s.kpi, &mut best);
            }
        }
        if let Some(best) = best {
            found(&m, kr, best);
        }
    }
}

/// A KPI directly under an objective, indexed for the key results beside it.
struct Sibling {
    unit: u64,
    level: f64,
    kpi: Ix,
}

/// Compares key results with candidate KPIs, caching KPI title words.
struct Matcher<'a> {
    cx: &'a Context<'a>,
    tolerance: f64,
    min_similarity: f64,
    /// Title word hashes of the KPIs seen so far; `spans` gives each KPI's range in it.
    arena: Vec<u64>,
    spans: Vec<Option<(u32, u32)>>,
    /// The current key result's title words; empty until first needed.
    kr_words: Vec<u64>,
}

impl Matcher<'_> {
    /// Makes `k` the best match of key result `kr` if it mirrors it more closely than `best`.
    fn consider(&mut self, kr: &Node, target: f64, unit: &str, k: Ix, best: &mut Option<Best>) {
        let kpi = self.cx.node(k);
        if kpi.kind != NodeKind::Kpi || !kpi.is_active() {
            return;
        }
        let Some(level) = level_of(self.cx, k) else { return };
        let gap = (target - level.get()).abs();
        if gap > self.tolerance * level.get().abs().max(TINY) || !unit_of(kpi).is_some_and(|u| eq_folded(u, unit)) {
            return;
        }
        let variation = normal_variation(kpi);
        if let Some(start) = kr.start
            && (target - start).abs() > variation.unwrap_or(self.tolerance * level.get().abs().max(TINY))
        {
            return;
        }
        if self.kr_words.is_empty() {
            title_words(&kr.title, &mut self.kr_words);
        }
        let Some(slot) = self.spans.get_mut(k as usize) else { return };
        let (from, to) = *slot.get_or_insert_with(|| push_title_words(&kpi.title, &mut self.arena));
        let similarity = jaccard(&self.kr_words, self.arena.get(from as usize..to as usize).unwrap_or_default());
        if similarity < self.min_similarity || similarity == 0.0 {
            return;
        }
        // Most similar title first, then the closest level, then document order.
        let better = best.as_ref().is_none_or(|b| {
            similarity > b.similarity || (similarity == b.similarity && (gap < b.gap || (gap == b.gap && k < b.kpi)))
        });
        if better {
            *best = Some(Best { kpi: k, similarity, gap, level, variation });
        }
    }
}

/// Population standard deviation of a KPI's measurements, when it has three or more.
fn normal_variation(kpi: &Node) -> Option<f64> {
    let n = kpi.measurements.len();
    if n < 3 {
        return None;
    }
    let mean = kpi.measurements.iter().map(|m| m.value).sum::<f64>() / n as f64;
    let var = kpi.measurements.iter().map(|m| (m.value - mean) * (m.value - mean)).sum::<f64>() / n as f64;
    Some(var.sqrt())
}

/// A KPI's level: its latest value (last measurement, else `current`), else its own target.
fn level_of(cx: &Context<'_>, k: Ix) -> Option<Level> {
    match (cx.rollup.get(k).value, cx.node(k).target) {
        (Some(v), _) => Some(Level::Value(v)),
        (None, Some(t)) => Some(Level::Target(t)),
        (None, None) => None,
    }
}

/// The trimmed, non-empty unit of a node.
fn unit_of(node: &Node) -> Option<&str> {
    node.unit.as_deref().map(str::trim).filter(|u| !u.is_empty())
}

/// A value with its unit: `2%`, `1200 EUR`.
fn with_unit(v: f64, unit: &str) -> String {
    super::quantity(v, Some(unit))
}

/// Calls `f` with each word of a title that can name a metric: runs of letters and digits, without
/// plain numbers and stop words. ASCII is checked without Unicode tables.
fn for_each_metric_word<'t>(title: &'t str, mut f: impl FnMut(&'t str)) {
    let mut emit = |w: Option<&'t str>| {
        if let Some(w) = w.filter(|w| !w.is_empty() && !is_number(w) && !is_stopword(w)) {
            f(w);
        }
    };
    let mut start: Option<usize> = None;
    for (i, c) in title.char_indices() {
        let alphanumeric = if c.is_ascii() { c.is_ascii_alphanumeric() } else { c.is_alphanumeric() };
        match (alphanumeric, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                emit(title.get(s..i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        emit(title.get(s..));
    }
}

fn is_number(w: &str) -> bool {
    w.bytes().all(|b| b.is_ascii_digit())
}

fn is_stopword(w: &str) -> bool {
    // Stop words are short and ASCII: compare lengths first, then case-insensitively.
    w.len() <= 8 && STOPWORDS.iter().any(|s| s.len() == w.len() && s.eq_ignore_ascii_case(w))
}

/// Fills `out` with the hashes of a title's metric words, sorted and without repeats.
fn title_words(title: &str, out: &mut Vec<u64>) {
    out.clear();
    for_each_metric_word(title, |w| out.push(fold_hash(w)));
    crate::sort::sort(out);
    out.dedup();
}

/// Appends the hashes of a title's metric words to `arena`, sorted and without repeats; returns their span.
fn push_title_words(title: &str, arena: &mut Vec<u64>) -> (u32, u32) {
    let from = arena.len();
    for_each_metric_word(title, |w| arena.push(fold_hash(w)));
    if let Some(tail) = arena.get_mut(from..) {
        crate::sort::sort(tail);
    }
    let mut end = from;
    for k in from..arena.len() {
        if end == from || arena[k] != arena[end - 1] {
            arena[end] = arena[k];
            end += 1;
        }
    }
    arena.truncate(end);
    (from as u32, end as u32)
}

/// Jaccard similarity of two sorted, deduplicated word lists (0.0 when both are empty).
fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - both;
    if union == 0 { 0.0 } else { both as f64 / union as f64 }
}

/// The metric words of `title` whose hashes are in `other` (sorted), lowercase, in the title's order,
/// without repeats.
fn shared_words(title: &str, other: &[u64]) -> String {
    let mut shared: Vec<String> = Vec::new();
    for_each_metric_word(title, |w| {
        // Like `str::to_lowercase` (which this replaces to keep std's case tables out of the wasm),
        // including final sigma: "ΠΕΛΑΤΕΣ" becomes "πελατες", whose hash differs from that of the
        // per-char "πελατεσ" in `other`, so such a word is not listed. `lowercase_str` keeps that.
        let w = lowercase_str(w);
        if other.binary_search(&fold_hash(&w)).is_ok() && !shared.contains(&w) {
            shared.push(w);
        }
    });
    shared.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(title: &str) -> Vec<u64> {
        let mut w = Vec::new();
        title_words(title, &mut w);
        w
    }

    #[test]
    fn stopwords_are_short_lowercase_ascii() {
        assert!(STOPWORDS.iter().all(|w| w.len() <= 8 && w.bytes().all(|b| b.is_ascii_lowercase())));
        assert!(is_stopword("PER") && !is_stopword("perk"));
        assert_eq!(fold_hash("Churn"), fold_hash("cHURN"));
        assert_eq!(fold_hash("ÄRGER"), fold_hash("ärger"));
    }

    #[test]
    fn titles_name_the_same_metric() {
        let kr = words("Keep monthly churn at 2%");
        assert_eq!(kr.len(), 2);
        assert_eq!(jaccard(&kr, &words("MONTHLY churn")), 1.0);
        assert_eq!(jaccard(&words("Weekly active users"), &words("Weekly active users (mobile app)")), 0.6);
        assert_eq!(jaccard(&[], &[]), 0.0);
        assert_eq!(jaccard(&words("Größe – Warenkorb 2026"), &words("WARENKORB-größe")), 1.0);
        assert_eq!(words("Größe – Warenkorb 2026").len(), 2);
        assert_eq!(shared_words("Grow Weekly active users to 12000", &words("weekly users")), "weekly users");
        assert!(eq_folded("Kunden", "KUNDEN") && eq_folded("Straße", "STRAßE") && !eq_folded("%", "pp"));
    }

    #[test]
    fn shared_words_lowercase_final_sigma_like_std() {
        // A word ending in a capital sigma lowercases with final 'ς' (as `str::to_lowercase` does), so it
        // does not match the per-char hashes of the other title and is not listed; a lowercase final 'ς'
        // in the other title does match it.
        assert_eq!(shared_words("ΝΕΟΙ ΠΕΛΑΤΕΣ ανά μήνα", &words("νεοι πελατεσ")), "νεοι");
        assert_eq!(shared_words("ΝΕΟΙ ΠΕΛΑΤΕΣ ανά μήνα", &words("νεοι πελατες")), "νεοι πελατες");
        assert_eq!(shared_words("ΣΥΝΟΛΟ ΠΩΛΗΣΕΩΝ", &words("σύνολο ΠΩΛΗΣΕΩΝ")), "πωλησεων");
        // The same as std's lowercasing word by word, which this rule used before.
        for (title, other) in [("ΝΕΟΙ ΠΕΛΑΤΕΣ ανά μήνα", "νεοι πελατες"), ("ΟΔΟΣ'Σ ΑΣ ΣΑ ʰΣ", "οδοσ'ς ας σα ʰς")]
        {
            let other = words(other);
            let mut expected: Vec<String> = Vec::new();
            for_each_metric_word(title, |w| {
                let w = w.to_lowercase();
                if other.binary_search(&fold_hash(&w)).is_ok() && !expected.contains(&w) {
                    expected.push(w);
                }
            });
            assert_eq!(shared_words(title, &other), expected.join(" "), "{title}");
        }
    }
}
