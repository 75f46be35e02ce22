//! The wasm guest of the ABI measurement (`cargo xtask bench-abi`): the same trivial rule, active
//! KPIs per owner, on (a) a JSON request parsed with serde_json into owned structs and (b) a `KTR1`
//! request read in place through `TreeView`. Each returns a checksum of its counts so the harness can
//! check that both did the same work.
//!
//! Buffers cross the boundary the way the SDK does it (a registry of `Vec<u8>` found again by
//! address), so this crate needs no `unsafe` either.

use kpitree_core::model::{NodeKind, Status, TreeDoc};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;

/// A JSON request: the canonical document, the engine's rollups by node index, the configuration.
#[derive(Deserialize)]
pub struct JsonRequest {
    /// The tree document, as `kpitree_core` reads it.
    pub tree: TreeDoc,
    /// One entry per node, in document order.
    pub rollups: Vec<JsonRolled>,
    /// The plugin's configuration.
    pub config: serde_json::Value,
}

/// The rollups a KTR1 tree carries, as JSON.
#[derive(Deserialize)]
pub struct JsonRolled {
    /// Key result or objective score.
    pub score: Option<f64>,
    /// Latest value.
    pub value: Option<f64>,
    /// `on_track`, `at_risk`, `off_track`, `unknown`.
    pub status: Option<String>,
}

/// Counts of active KPIs per owner folded into one number: owners, KPIs, and the sum of squares.
pub fn checksum(counts: impl Iterator<Item = u32>) -> i64 {
    let (mut owners, mut kpis, mut squares) = (0i64, 0i64, 0i64);
    for c in counts.filter(|&c| c > 0) {
        owners += 1;
        kpis += i64::from(c);
        squares += i64::from(c) * i64::from(c);
    }
    owners * 1_000_000_000_000 + kpis * 1_000_000 + squares % 1_000_000
}

/// (a): parse the JSON request into owned structs, then count with a hash map.
pub fn rule_json(request: &[u8]) -> i64 {
    let Ok(req) = serde_json::from_slice::<JsonRequest>(request) else { return -1 };
    let mut counts: HashMap<&str, u32> = HashMap::new();
    for n in &req.tree.nodes {
        if n.kind == NodeKind::Kpi
            && n.status == Status::Active
            && let Some(owner) = n.owner()
        {
            *counts.entry(owner).or_default() += 1;
        }
    }
    let mut v: Vec<u32> = counts.into_values().collect();
    v.sort_unstable();
    checksum(v.into_iter()) + (req.rollups.len() as i64 - req.tree.nodes.len() as i64) * 7
}

/// (b): check and read the KTR1 request in place, then count by string reference.
pub fn rule_ktr1(request: &[u8]) -> i64 {
    let Ok((view, _config)) = kpitree_plugin_abi::split_request(request) else { return -1 };
    let mut counts = vec![0u32; view.string_count() as usize];
    for i in 0..view.node_count() {
        if view.kind(i) == kpitree_plugin_abi::NodeKind::Kpi
            && view.status(i) == kpitree_plugin_abi::Status::Active
            && let Some(r) = view.owner_ref(i)
            && let Some(c) = counts.get_mut(r as usize)
        {
            *c += 1;
        }
    }
    counts.sort_unstable();
    checksum(counts.into_iter())
}

static BUFFERS: Mutex<Vec<(usize, Vec<u8>)>> = Mutex::new(Vec::new());

/// `len` zeroed bytes kept alive for the host; their address.
pub fn alloc(len: usize) -> usize {
    let buf = vec![0u8; len];
    let addr = buf.as_ptr() as usize;
    BUFFERS.lock().unwrap_or_else(|e| e.into_inner()).push((addr, buf));
    addr
}

/// Runs `rule` on the `len` bytes the host wrote at `addr` (from [`alloc`]).
pub fn with_request(addr: usize, len: usize, rule: fn(&[u8]) -> i64) -> i64 {
    let bufs = BUFFERS.lock().unwrap_or_else(|e| e.into_inner());
    match bufs.iter().find(|(a, _)| *a == addr).and_then(|(_, b)| b.get(..len)) {
        Some(request) => rule(request),
        None => -2,
    }
}

// The only `unsafe` of this crate: `no_mangle` names the exports the harness calls.
#[cfg(target_family = "wasm")]
#[allow(unsafe_code)]
mod exports {
    #[unsafe(no_mangle)]
    extern "C" fn bench_alloc(len: i32) -> i32 {
        super::alloc(len as u32 as usize) as i32
    }

    #[unsafe(no_mangle)]
    extern "C" fn bench_json(ptr: i32, len: i32) -> i64 {
        super::with_request(ptr as u32 as usize, len as u32 as usize, super::rule_json)
    }

    #[unsafe(no_mangle)]
    extern "C" fn bench_ktr1(ptr: i32, len: i32) -> i64 {
        super::with_request(ptr as u32 as usize, len as u32 as usize, super::rule_ktr1)
    }
}
