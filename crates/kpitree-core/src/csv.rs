//! CSV import and export (being written).
