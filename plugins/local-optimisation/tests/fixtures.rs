//! The rule against its pass/fail fixtures, natively, through the real encoding.

#[test]
fn local_optimisation() {
    kpitree_plugin_sdk::testing::check_fixtures(
        "tests/local-optimisation",
        "local-optimisation",
        &local_optimisation::PLUGIN,
    );
}
