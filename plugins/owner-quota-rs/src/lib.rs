//! `owner-quota`, written with the Rust SDK: at most `max` (default 8) active KPIs per owner.
//!
//! The twin of the hand-written WebAssembly text plugin `plugins/owner-quota-wat` (same plugin name,
//! rule, manifest texts, configuration handling, messages, evidence and errors), and the reference
//! that versions of the same rule in other languages match (`tests/twin.rs` compares it with the WAT
//! module through the real host). See `README.md`.

use kpitree_plugin_sdk::prelude::*;

/// The rule's id.
pub const RULE: &str = "owner-kpi-quota";

/// The quota when the configuration sets none.
pub const DEFAULT_MAX: u32 = 8;

/// The largest quota `max` may set.
pub const MAX_MAX: u32 = 1_000_000;

/// The plugin error for a `max` that is not a whole number from 1 to [`MAX_MAX`].
pub const BAD_MAX: &str = "configuration: `max` must be a whole number from 1 to 1000000";

/// The rule: one finding per owner with more active KPIs than the quota, at the owner's first active
/// KPI in document order, naming all the owner's active KPIs. Owners are compared as the tree
/// stores them (trimmed; equal owners share one string reference); KPIs without an owner, draft and
/// retired ones are not counted.
pub fn check(tree: &Tree, config: &serde_json::Value) -> Result<Vec<Finding>, String> {
    let max = quota(config.to_string().as_bytes()).ok_or_else(|| BAD_MAX.to_owned())?;
    // Each owner's active KPIs by string reference (equal exactly when the owners are), and the owners
    // in the order of their first active KPI.
    let mut kpis: Vec<Vec<Node>> = vec![Vec::new(); tree.view().string_count() as usize];
    let mut owners = Vec::new();
    for node in tree.nodes() {
        if node.kind() != NodeKind::Kpi || node.status() != Status::Active {
            continue;
        }
        let Some(list) = node.owner_ref().and_then(|r| kpis.get_mut(r as usize)) else { continue };
        if list.is_empty() {
            owners.push(node.owner_ref().unwrap_or_default() as usize);
        }
        list.push(node);
    }
    let mut out = Findings::new();
    for owner_ref in owners {
        let list = &kpis[owner_ref];
        if list.len() as u64 <= u64::from(max) {
            continue;
        }
        let owner = list[0].owner().unwrap_or_default();
        let count = list.len() as u64;
        out.add(
            RULE,
            list.iter().copied(),
            format!("\"{owner}\" owns {count} active KPIs, more than the quota of {max}"),
        )
        .evidence("owner", owner)
        .evidence("kpis", count)
        .evidence("limit", max);
    }
    Ok(out.into_vec())
}

/// `max` read from the configuration's JSON text exactly as `owner-quota-wat` reads it: the first
/// `"max"` in the text, then optional whitespace, `:`, optional whitespace and at most 7 digits
/// ending at `,`, `}`, whitespace or the end; [`DEFAULT_MAX`] when the text has no `"max"`, `None`
/// when what follows is anything else or the number is outside 1..=[`MAX_MAX`]. `check` scans the
/// configuration as serde_json writes it, which is the text every host sends (a `[plugins.NAME]`
/// table written compactly, keys sorted), so both plugins read the same `max` from it.
pub fn quota(text: &[u8]) -> Option<u32> {
    let at = text.windows(5).position(|w| w == b"\"max\"");
    let Some(at) = at else { return Some(DEFAULT_MAX) };
    let blank = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let mut rest = text[at + 5..].iter().copied();
    loop {
        match rest.next()? {
            b':' => break,
            b if blank(b) => {}
            _ => return None,
        }
    }
    let (mut value, mut digits) = (0u32, 0);
    for b in rest {
        match b {
            b'0'..=b'9' => {
                value = value * 10 + u32::from(b - b'0');
                digits += 1;
                if digits > 7 {
                    return None;
                }
            }
            b if digits == 0 && blank(b) => {}
            b',' | b'}' => break,
            b if blank(b) => break,
            _ => return None,
        }
    }
    (digits > 0 && (1..=MAX_MAX).contains(&value)).then_some(value)
}

kpitree_plugin_sdk::plugin! {
    name: "owner-quota",
    version: env!("CARGO_PKG_VERSION"),
    description: "Limits how many active KPIs one owner may hold. Hand-written WebAssembly text: no SDK, no compiler.",
    config_schema: r#"{"type":"object","properties":{"max":{"type":"integer","minimum":1,"maximum":1000000,"default":8,"description":"most active KPIs one owner may hold"}}}"#,
    // `kind` and `id` always come.
    reads: ["status", "owner"],
    rules: [{
        id: "owner-kpi-quota",
        severity: Warning,
        summary: "an owner with more active KPIs than the quota (default 8)",
        why: "Nobody can look after more than a handful of metrics. An owner with a long list reviews none of them properly, so metrics pile up unquestioned and ownership becomes a formality.",
        fix: "Retire the KPIs no objective needs, or hand some to the teams closest to them.",
    }],
    evaluate: check,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_is_read_as_the_wat_module_reads_it() {
        let q = |s: &str| quota(s.as_bytes());
        assert_eq!(q("{}"), Some(8));
        assert_eq!(q(""), Some(8));
        assert_eq!(q(r#"{"max":3}"#), Some(3));
        assert_eq!(q("{ \"max\" : \t12 , \"other\":true}"), Some(12));
        assert_eq!(q(r#"{"max":1000000}"#), Some(1_000_000));
        assert_eq!(q(r#"{"max":12"#), Some(12));
        for bad in [
            r#"{"max":0}"#,
            r#"{"max":1000001}"#,
            r#"{"max":99999999}"#,
            r#"{"max":-1}"#,
            r#"{"max":2.5}"#,
            r#"{"max":"8"}"#,
            r#"{"max":}"#,
            r#"{"max"}"#,
            r#"{"max""#,
            r#"{"mode":"max"}"#,
        ] {
            assert_eq!(q(bad), None, "{bad}");
        }
        // The first `"max"` counts, wherever it is (a nested table sorts before `max`).
        assert_eq!(q(r#"{"a":{"max":2},"max":5}"#), Some(2));
        assert_eq!(q(r#"{"maximum":3}"#), Some(8));
    }
}
