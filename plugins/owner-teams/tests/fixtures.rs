//! The rule against its pass/fail fixtures, natively, through the real encoding.

#[test]
fn owner_not_a_team() {
    kpitree_plugin_sdk::testing::check_fixtures("tests/owner-not-a-team", "owner-not-a-team", &owner_teams::PLUGIN);
}
