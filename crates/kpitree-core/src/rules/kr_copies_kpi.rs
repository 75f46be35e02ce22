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
//!   when it has no value.
//!
//! Each key result is reported once, with the KPI it mirrors most closely. Draft and retired nodes are
//! ignored.
//!
//! **Why is this bad:** a key result should say what must change this period. One that restates a KPI
//! at today's level turns the OKRs into one more KPI layer: it adds reporting, not focus, and nobody
//! asks what would have to be different to win.
//!
//! **Examples:** the key result "Keep monthly churn at 2%" (target 2, unit `%`) next to the KPI "Monthly
//! churn" (unit `%`, latest value 2.05). A key result "Reduce monthly churn to 1.2%" passes: it changes
//! the level. Fixtures: `tests/rules/kr-copies-kpi/`.

use super::{Context, ParamSpec, Rule, RuleMeta, Sink, num};
use crate::config::ParamValue;
use crate::finding::Severity;
use crate::model::{Direction, Node, NodeKind};
use crate::tree::Ix;

/// See the module documentation.
pub struct KrCopiesKpi;

static META: RuleMeta = RuleMeta {
    id: "kr-copies-kpi",
    severity: Severity::Warning,
    summary: "a key result that only mirrors a KPI: same metric, and a target that keeps today's level",
    why: "A key result should say what must change this period. One that restates a KPI at today's level turns \
          the OKRs into one more KPI layer: it adds reporting, not focus, and nobody asks what would have to be \
          different to win.",
    fix: "Keep the KPI as the health metric and either drop the key result or rewrite it as the change you \
          want this period: a target beyond today's level, or an outcome that would move the KPI.",
    params: &[
        ParamSpec {
            name: "title_similarity",
            default: ParamValue::Float(0.6),
            min: 0.0,
            max: 1.0,
            help: "share of title words (Jaccard) from which a key result and a KPI name the same metric",
        },
        ParamSpec {
            name: "target_tolerance",
            default: ParamValue::Float(0.05),
            min: 0.0,
            max: 10.0,
            help: "how close (fraction of the KPI's level) the key result's target must be to count as no change",
        },
    ],
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
}

impl Rule for KrCopiesKpi {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let tree = cx.tree;
        let min_similarity = cx.float("title_similarity");
        let tolerance = cx.float("target_tolerance");
        // Title words as hashes: one arena, and per KPI its span in it once computed.
        let mut arena: Vec<u64> = Vec::new();
        let mut spans: Vec<Option<(u32, u32)>> = vec![None; tree.len()];
        let mut kr_words: Vec<u64> = Vec::new();
        for kr in tree.of_kind(NodeKind::KeyResult) {
            let node = tree.node(kr);
            let (Some(target), Some(unit)) = (node.target, unit_of(node)) else { continue };
            if !node.is_active() {
                continue;
            }
            let siblings =
                tree.parents(kr).iter().filter(|&&o| tree.node(o).is_active()).flat_map(|&o| tree.children(o));
            let mut best: Option<Best> = None;
            let mut kr_words_ready = false;
            for &k in tree.children(kr).iter().chain(siblings) {
                let kpi = tree.node(k);
                if kpi.kind != NodeKind::Kpi || !kpi.is_active() {
                    continue;
                }
                let level = match (cx.rollup.get(k).value, kpi.target) {
                    (Some(v), _) => Level::Value(v),
                    (None, Some(t)) => Level::Target(t),
                    (None, None) => continue,
                };
                let gap = (target - level.get()).abs();
                if gap > tolerance * level.get().abs().max(TINY) || !unit_of(kpi).is_some_and(|u| same_unit(u, unit)) {
                    continue;
                }
                if !kr_words_ready {
                    title_words(&node.title, &mut kr_words);
                    kr_words_ready = true;
                }
                let Some(slot) = spans.get_mut(k as usize) else { continue };
                let (from, to) = *slot.get_or_insert_with(|| push_title_words(&kpi.title, &mut arena));
                let similarity = jaccard(&kr_words, arena.get(from as usize..to as usize).unwrap_or_default());
                if similarity < min_similarity || similarity == 0.0 {
                    continue;
                }
                // Most similar title first, then the closest level, then document order.
                let better = best.as_ref().is_none_or(|b| {
                    similarity > b.similarity
                        || (similarity == b.similarity && (gap < b.gap || (gap == b.gap && k < b.kpi)))
                });
                if better {
                    best = Some(Best { kpi: k, similarity, gap, level });
                }
            }
            let Some(best) = best else { continue };
            let kpi = tree.node(best.kpi);
            let kpi_words = spans
                .get(best.kpi as usize)
                .copied()
                .flatten()
                .and_then(|(from, to)| arena.get(from as usize..to as usize))
                .unwrap_or_default();
            let shared = shared_words(&node.title, kpi_words);
            let level = match best.level {
                Level::Value(v) => format!("the KPI's latest value of {}", with_unit(v, unit)),
                Level::Target(t) => {
                    format!("the KPI's own target of {} (the KPI has no value yet)", with_unit(t, unit))
                }
            };
            let closeness =
                if best.gap == 0.0 { "equals".to_owned() } else { format!("is within {}% of", num(tolerance * 100.0)) };
            let message = format!(
                "{} only mirrors {}: both measure \"{shared}\" in {unit}, and its target of {} {closeness} {level}: \
                 it keeps today's level instead of changing it",
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
        }
    }
}

/// The trimmed, non-empty unit of a node.
fn unit_of(node: &Node) -> Option<&str> {
    node.unit.as_deref().map(str::trim).filter(|u| !u.is_empty())
}

/// Units compare case-insensitively, without allocating.
fn same_unit(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.chars().flat_map(char::to_lowercase).eq(b.chars().flat_map(char::to_lowercase))
    }
}

/// A value with its unit: `2%`, `1200 EUR`.
fn with_unit(v: f64, unit: &str) -> String {
    if unit == "%" { format!("{}%", num(v)) } else { format!("{} {unit}", num(v)) }
}

/// The words of a title that can name a metric: split on anything but letters and digits, without
/// plain numbers and stop words.
fn metric_words(title: &str) -> impl Iterator<Item = &str> {
    title.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty() && !is_number(w) && !is_stopword(w))
}

fn is_number(w: &str) -> bool {
    w.bytes().all(|b| b.is_ascii_digit())
}

fn is_stopword(w: &str) -> bool {
    // Stop words are short and ASCII: compare lengths first, then case-insensitively.
    w.len() <= 8 && STOPWORDS.iter().any(|s| s.len() == w.len() && s.eq_ignore_ascii_case(w))
}

/// FNV-1a over the lowercase UTF-8 of a word: the same on every platform, no allocation.
fn word_hash(w: &str) -> u64 {
    const BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    if w.is_ascii() {
        return w.bytes().fold(BASIS, |h, b| (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(PRIME));
    }
    let mut h = BASIS;
    let mut buf = [0u8; 4];
    for c in w.chars().flat_map(char::to_lowercase) {
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(PRIME);
        }
    }
    h
}

/// Fills `out` with the hashes of a title's metric words, sorted and without repeats.
fn title_words(title: &str, out: &mut Vec<u64>) {
    out.clear();
    out.extend(metric_words(title).map(word_hash));
    out.sort_unstable();
    out.dedup();
}

/// Appends the hashes of a title's metric words to `arena`, sorted and without repeats; returns their span.
fn push_title_words(title: &str, arena: &mut Vec<u64>) -> (u32, u32) {
    let from = arena.len();
    arena.extend(metric_words(title).map(word_hash));
    if let Some(tail) = arena.get_mut(from..) {
        tail.sort_unstable();
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
    for w in metric_words(title) {
        let w = w.to_lowercase();
        if other.binary_search(&word_hash(&w)).is_ok() && !shared.contains(&w) {
            shared.push(w);
        }
    }
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
        assert_eq!(word_hash("Churn"), word_hash("cHURN"));
        assert_eq!(word_hash("ÄRGER"), word_hash("ärger"));
    }

    #[test]
    fn titles_name_the_same_metric() {
        let kr = words("Keep monthly churn at 2%");
        assert_eq!(kr.len(), 2);
        assert_eq!(jaccard(&kr, &words("MONTHLY churn")), 1.0);
        assert_eq!(jaccard(&words("Weekly active users"), &words("Weekly active users (mobile app)")), 0.6);
        assert_eq!(jaccard(&[], &[]), 0.0);
        assert_eq!(shared_words("Grow Weekly active users to 12000", &words("weekly users")), "weekly users");
        assert!(same_unit("Kunden", "KUNDEN") && same_unit("Straße", "STRAßE") && !same_unit("%", "pp"));
    }
}
