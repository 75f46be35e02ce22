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
