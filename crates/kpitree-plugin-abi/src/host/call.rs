//! The framing of one call into a plugin, around what the host executes: the request ([`Request`],
//! built by [`crate::Requests::request`]) and its length before it is written, where `kpitree_alloc`
//! put it, and where an answer (a packed slice) lies in the plugin's memory. The browser's worker,
//! which cannot call the engine, makes the same two memory checks in JS (`web/src/plugin-worker.js`).

use crate::error::{Call, ErrorKind};
use crate::unpack;
use std::ops::Range;

/// One plugin's request, `u32 tree_len, u32 config_len, tree, config` (`plugins/ABI.md`), in the
/// pieces a host writes one after the other into the plugin's memory ([`Request::parts`]), so one
/// encoded tree serves every plugin that reads the same parts.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub(crate) head: [u8; 8],
    pub(crate) tree: &'a [u8],
    pub(crate) config: &'a [u8],
}

impl Request<'_> {
    /// The pieces, in order.
    pub fn parts(&self) -> [&[u8]; 3] {
        [&self.head, self.tree, self.config]
    }

    /// Its size in bytes.
    pub fn size(&self) -> usize {
        self.head.len() + self.tree.len() + self.config.len()
    }

    /// The whole request in one buffer (for a host that hands it over as one: the browser's worker).
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.size());
        self.parts().iter().for_each(|p| out.extend_from_slice(p));
        out
    }
}

/// The length to pass to `kpitree_alloc` and `kpitree_evaluate` for a request of `size` bytes, or
/// [`ErrorKind::InputTooLarge`] past `limit` (or past what an `i32` holds).
pub fn request_len(size: usize, limit: usize) -> Result<u32, ErrorKind> {
    match u32::try_from(size) {
        Ok(len) if size <= limit && len <= i32::MAX as u32 => Ok(len),
        _ => Err(ErrorKind::InputTooLarge { size: size as u64, limit: limit as u64 }),
    }
}

/// Where the request of `len` bytes goes, `kpitree_alloc` having returned `ptr`, in a memory of
/// `memory` bytes: [`ErrorKind::AllocFailed`] for a null pointer (a host that saw a memory growth
/// denied reports that instead), [`ErrorKind::OutOfBounds`] outside the memory.
pub fn request_span(ptr: u32, len: u32, memory: usize) -> Result<Range<usize>, ErrorKind> {
    if ptr == 0 && len > 0 {
        return Err(ErrorKind::AllocFailed { len: u64::from(len) });
    }
    span(Call::Alloc, ptr, len, memory)
}

/// Where `call`'s answer `packed` lies in a memory of `memory` bytes: [`ErrorKind::OutputTooLarge`]
/// past `output_limit` (checked first: such an answer is never read), [`ErrorKind::OutOfBounds`]
/// outside the memory.
pub fn answer_span(call: Call, packed: i64, output_limit: usize, memory: usize) -> Result<Range<usize>, ErrorKind> {
    let (ptr, len) = unpack(packed);
    let limit = output_limit as u64;
    if u64::from(len) > limit {
        return Err(ErrorKind::OutputTooLarge { call, len: u64::from(len), limit });
    }
    span(call, ptr, len, memory)
}

fn span(call: Call, ptr: u32, len: u32, memory: usize) -> Result<Range<usize>, ErrorKind> {
    let start = ptr as usize;
    match start.checked_add(len as usize) {
        Some(end) if end <= memory => Ok(start..end),
        _ => Err(ErrorKind::OutOfBounds { call, ptr, len, memory: memory as u64 }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack;

    #[test]
    fn spans_are_checked_against_the_limit_then_the_memory() {
        assert_eq!(answer_span(Call::Manifest, pack(16, 4), 8, 64), Ok(16..20));
        assert_eq!(answer_span(Call::Manifest, pack(16, 9), 8, 8).map_err(|e| e.code()), Err("output-too-large"));
        assert_eq!(answer_span(Call::Evaluate, pack(62, 4), 8, 64).map_err(|e| e.code()), Err("out-of-bounds"));
        assert_eq!(request_span(0, 3, 64).map_err(|e| e.code()), Err("alloc-failed"));
        assert_eq!(request_span(0, 0, 64), Ok(0..0));
        assert_eq!(request_len(9, 8).map_err(|e| e.code()), Err("input-too-large"));
        assert_eq!(request_len(8, 8), Ok(8));
    }
}
