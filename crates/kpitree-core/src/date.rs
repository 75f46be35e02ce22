//! Calendar dates (`YYYY-MM-DD`) as plain day numbers, so staleness is integer arithmetic.
//!
//! The type lives in `kpitree-vocab`, shared with the plugin ABI (a plugin reads the same dates
//! without linking the engine); `kpitree_core::date::Date` stays its path here.

pub use kpitree_vocab::Date;
pub(crate) use kpitree_vocab::days_in_month;
