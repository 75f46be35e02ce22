//! The rule against its pass/fail fixtures (the same files as `owner-quota-wat`'s), natively,
//! through the real encoding.

#[test]
fn owner_kpi_quota() {
    kpitree_plugin_sdk::testing::check_fixtures("tests/owner-kpi-quota", "owner-kpi-quota", &owner_quota_rs::PLUGIN);
}
