//! kpitree-vocab: the words a KPI tree is written in, defined once for the engine (`kpitree-core`)
//! and the plugin ABI (`kpitree-plugin-abi`, and through it the SDK).
//!
//! Each type carries everything both sides need of it: its spelling in the file format and in
//! reports (serde names, `as_str`, `parse`), words for people (`label`), and, for the enums a `KTR1`
//! tree stores, its byte there ([`NodeKind::code`], [`NodeKind::from_code`], ...). The engine encodes
//! with the same table a plugin decodes with, so the two cannot drift apart.
//!
//! A crate of its own, with serde as its only dependency, because plugins must not link the engine:
//! an SDK plugin's `.wasm` gets these types and nothing else.

mod date;
mod node;
mod verdict;

pub use date::{Date, days_in_month, is_leap};
pub use node::{Direction, Indicator, LinkKind, NodeKind, Status};
pub use verdict::{Health, Severity, TrendDirection};

/// The longest rule id (and plugin name), in bytes.
pub const MAX_RULE_ID: usize = 64;

/// True for a rule id (and a plugin name): `[a-z0-9][a-z0-9-]*`, at most [`MAX_RULE_ID`] bytes.
/// One alphabet for every rule (built-in, plugin, custom) and everything that names one (waivers,
/// `[rules.<id>]`), so an id is safe as a file name, a CSV cell and a word in a report.
pub fn is_rule_id(s: &str) -> bool {
    let b = s.as_bytes();
    matches!(b.first(), Some(b'a'..=b'z' | b'0'..=b'9'))
        && b.len() <= MAX_RULE_ID
        && b.iter().all(|c| matches!(c, b'a'..=b'z' | b'0'..=b'9' | b'-'))
}

/// `ALL`, `code` and `from_code` of an enum whose discriminants are its `KTR1` bytes.
macro_rules! ktr1_codes {
    ($ty:ident: $($variant:ident),+) => {
        impl $ty {
            /// Every value, in the order of their `KTR1` bytes.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// Its byte in a `KTR1` tree (`plugins/ABI.md`).
            pub const fn code(self) -> u8 {
                self as u8
            }

            /// The value whose `KTR1` byte is `code`; `None` for any other byte. (The codes of a type
            /// are consecutive, so this is an index: the decoder reads one per node and column.)
            pub fn from_code(code: u8) -> Option<$ty> {
                $ty::ALL.get(usize::from(code.wrapping_sub($ty::ALL[0].code()))).copied()
            }
        }
    };
}
pub(crate) use ktr1_codes;

#[cfg(test)]
mod tests {
    use super::is_rule_id;

    #[test]
    fn rule_ids() {
        for good in ["stale-kpi", "a", "9", "0-x", "x-", &"a".repeat(64)] {
            assert!(is_rule_id(good), "{good}");
        }
        for bad in ["", "-x", "Stale-kpi", "s boolean", "stale_kpi", "=SUM(1)", "é", &"a".repeat(65)] {
            assert!(!is_rule_id(bad), "{bad}");
        }
    }
}
