//! Stable sorting through one non-generic function.
//!
//! `slice::sort_by` is generic over the element type and the comparator, so every call site compiles
//! its own copy of the sort (several KiB each). In the browser's wasm those copies added up to more
//! than 100 KB, so the engine sorts through here: the comparator is a `&mut dyn FnMut` over element
//! positions, one sort of `usize` positions is compiled once, and the generic part that remains is
//! the small loop that moves the elements into place. Every sort is stable, so equal elements keep
//! their order exactly as `slice::sort_by` keeps it.

use std::cmp::Ordering;

/// Sorts `v` stably by `cmp`, like `slice::sort_by`.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let mut order = positions(v.len(), &mut |a, b| cmp(&v[a], &v[b]));
    permute(v, &mut order);
}

/// Sorts `v` stably by the key `key` computes, like `slice::sort_by_key`.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` stably by a key computed once per element, like `slice::sort_by_cached_key`.
pub fn sort_by_cached_key<T, K: Ord>(v: &mut [T], key: impl FnMut(&T) -> K) {
    if v.len() < 2 {
        return;
    }
    let keys: Vec<K> = v.iter().map(key).collect();
    let mut order = positions(v.len(), &mut |a, b| keys[a].cmp(&keys[b]));
    permute(v, &mut order);
}

/// Sorts `v` stably in ascending order, like `slice::sort`.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// The positions `0..len` in the order `cmp` gives them (stable). The one sort the engine compiles.
#[inline(never)]
fn positions(len: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Puts `v[order[i]]` at `i` for every `i`, in place, following each cycle of the permutation with
/// swaps. Leaves `order` as the identity.
fn permute<T>(v: &mut [T], order: &mut [usize]) {
    for start in 0..v.len() {
        let mut at = start;
        // `order[at]` is where the element that belongs at `at` is now; the cycle closes at `start`.
        while order[at] != start {
            let from = order[at];
            v.swap(at, from);
            order[at] = at;
            at = from;
        }
        order[at] = at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_library_and_keeps_ties_in_order() {
        // Pairs sorted by the first field only: the second records the original order of ties.
        let mut seed = 7u32;
        for len in [0usize, 1, 2, 3, 17, 100, 1000] {
            let v: Vec<(u32, usize)> = (0..len)
                .map(|i| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    ((seed >> 16) % 13, i)
                })
                .collect();
            let mut ours = v.clone();
            sort_by_key(&mut ours, |p| p.0);
            let mut std = v.clone();
            std.sort_by_key(|p| p.0);
            assert_eq!(ours, std, "len {len}");
            let mut cached = v.clone();
            sort_by_cached_key(&mut cached, |p| std::cmp::Reverse(p.0));
            let mut std = v.clone();
            std.sort_by_cached_key(|p| std::cmp::Reverse(p.0));
            assert_eq!(cached, std, "len {len}");
            let mut plain = v.clone();
            sort(&mut plain);
            let mut std = v;
            std.sort();
            assert_eq!(plain, std, "len {len}");
        }
    }
}
