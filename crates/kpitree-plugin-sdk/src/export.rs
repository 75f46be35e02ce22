//! The glue behind the five exports, in safe Rust.
//!
//! Buffers handed across the boundary (the request the host writes, the manifest and the response it
//! reads) are ordinary `Vec<u8>`s kept alive in a registry for the life of the instance; the host
//! knows them by address (`as_ptr() as usize`, a safe cast). No `unsafe` is needed: the request is
//! found again by its address rather than read through a raw pointer. The host instantiates the
//! module afresh for every call, so nothing is ever freed.

use crate::Plugin;
use std::sync::Mutex;

/// Buffers kept alive for the host: `(address the host sees, buffer)`.
static BUFFERS: Mutex<Vec<(usize, Vec<u8>)>> = Mutex::new(Vec::new());

fn buffers() -> std::sync::MutexGuard<'static, Vec<(usize, Vec<u8>)>> {
    // A poisoned lock only means a panic happened elsewhere; in wasm a panic aborts anyway.
    BUFFERS.lock().unwrap_or_else(|e| e.into_inner())
}

/// `kpitree_alloc`: `len` writable zeroed bytes at an 8-byte-aligned address, or 0.
pub fn alloc(len: i32) -> i32 {
    let Ok(len) = usize::try_from(len) else { return 0 };
    let mut buf: Vec<u8> = Vec::new();
    if buf.try_reserve_exact(len + 8).is_err() {
        return 0;
    }
    buf.resize(len + 8, 0);
    let base = buf.as_ptr() as usize;
    let addr = base.next_multiple_of(8);
    buffers().push((addr, buf));
    addr as i32
}

/// Keeps `bytes` alive and returns it as a packed slice.
fn hand_over(bytes: Vec<u8>) -> i64 {
    let (addr, len) = (bytes.as_ptr() as usize, bytes.len());
    buffers().push((addr, bytes));
    kpitree_plugin_abi::pack(addr as u32, len as u32)
}

/// `kpitree_manifest`.
pub fn manifest(plugin: &Plugin) -> i64 {
    hand_over(plugin.manifest_json())
}

/// `kpitree_evaluate`: finds the request the host wrote into memory from [`alloc`], evaluates it and
/// hands over the response.
pub fn evaluate(plugin: &Plugin, ptr: i32, len: i32) -> i64 {
    let (addr, len) = (ptr as u32 as usize, len as u32 as usize);
    let taken = {
        let mut bufs = buffers();
        bufs.iter().position(|(a, _)| *a == addr).map(|k| bufs.swap_remove(k))
    };
    let response = match taken {
        Some((_, buf)) => {
            let pad = addr - buf.as_ptr() as usize;
            // `checked_add`: a length near 4 GiB must not wrap around on wasm32.
            match pad.checked_add(len).and_then(|end| buf.get(pad..end)) {
                Some(request) => plugin.handle(request),
                None => Plugin::error_response("the request is longer than the memory kpitree_alloc gave for it"),
            }
        }
        None => Plugin::error_response("the request is not in memory obtained from kpitree_alloc"),
    };
    hand_over(response)
}
