//! The `kpitree` command line.
fn main() {}
