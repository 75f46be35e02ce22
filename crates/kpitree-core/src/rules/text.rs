//! Text helpers shared by rules: case-insensitive comparison and hashing that are the same on every
//! platform (std's hashers are seeded or differ between 32- and 64-bit targets).

use crate::lower::lowercase;

/// Case-insensitive equality without allocating.
pub(crate) fn eq_folded(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.chars().flat_map(lowercase).eq(b.chars().flat_map(lowercase))
    }
}

/// FNV-1a over the lowercase UTF-8 of `s`: equal for strings [`eq_folded`] calls equal, the same on
/// every platform, no allocation.
pub(crate) fn fold_hash(s: &str) -> u64 {
    const BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    if s.is_ascii() {
        return s.bytes().fold(BASIS, |h, b| (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(PRIME));
    }
    let mut h = BASIS;
    let mut buf = [0u8; 4];
    for c in s.chars().flat_map(lowercase) {
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(PRIME);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_fold_case() {
        assert!(eq_folded("Sales", "SALES") && eq_folded("Bär", "BÄR") && !eq_folded("Sales", "Sale"));
        assert_eq!(fold_hash("Bär"), fold_hash("BÄR"));
        assert_eq!(fold_hash("Sales"), fold_hash("sALES"));
    }
}
