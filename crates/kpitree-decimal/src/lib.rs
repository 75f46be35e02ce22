//! Exact conversions between f64 and decimal text, without std's float parsing and formatting: those
//! carry tables (20 KB of powers of five to parse, Grisu and Dragon4 to write) that the browser's
//! lean engine, downloaded by every page that embeds the widget, need not. Results are exactly std's:
//! - [`nearest`]: the f64 nearest to a decimal, ties to even, as `str::parse` (kpitree-json-lite
//!   reads JSON numbers with it);
//! - [`shortest`] and [`fixed`]: an f64 as `format!("{x}")` and `format!("{x:.N}")` write it (the
//!   core writes the numbers in its messages with them).
//!
//! One small big integer (`big.rs`) serves both directions.

mod big;
mod format;
mod nearest;

pub use format::{fixed, shortest};
pub use nearest::nearest;

/// |x| = significand × 2^exponent, for finite x: the significand with its implicit bit (none for
/// subnormals), the exponent of its last bit.
fn parts(x: f64) -> (u64, i32) {
    let bits = x.abs().to_bits();
    let biased = i32::try_from(bits >> 52).unwrap_or(0);
    let fraction = bits & ((1 << 52) - 1);
    if biased == 0 { (fraction, -1074) } else { (fraction | (1 << 52), biased - 1075) }
}
