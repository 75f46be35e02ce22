//! `owner-missing`, the plugin of `cargo xtask bench-cel`: one finding per active node without an
//! owner (none, or a blank one), as the SDK's `Node::owner` sees it (trimmed; `None` when blank).
//!
//! The same rule as the CEL custom rule the benchmark runs
//! (`when = "node.status == 'active'"`, `assert = "has(node.owner) && node.owner.trim() != ''"`),
//! and on the benchmark's generated trees, which have no placeholder or shared owners, the same nodes
//! as the built-in `missing-owner`; the benchmark checks that the three find the same nodes before it
//! times them. It reads only `status` and `owner`.

use kpitree_plugin_sdk::prelude::*;

/// The rule's id (not a built-in rule's: `missing-owner` is).
pub const RULE: &str = "owner-absent";

/// The rule: each active node without an owner, in document order.
pub fn check(tree: &Tree, _config: &serde::de::IgnoredAny) -> Result<Vec<Finding>, String> {
    let mut out = Findings::new();
    for node in tree.nodes() {
        if node.status() == Status::Active && node.owner().is_none() {
            out.add(RULE, [node], "an active node without an owner");
        }
    }
    Ok(out.into_vec())
}

kpitree_plugin_sdk::plugin! {
    name: "owner-missing",
    version: env!("CARGO_PKG_VERSION"),
    description: "Active nodes without an owner: the benchmark twin of a CEL custom rule and of the built-in missing-owner.",
    // `kind` and `id` always come.
    reads: ["status", "owner"],
    rules: [{
        id: "owner-absent",
        severity: Error,
        summary: "an active node without an owner",
        why: "A node nobody owns is nobody's job to explain or act on.",
        fix: "Name one accountable person or team in `owner`.",
    }],
    evaluate: check,
}
