//! The rule against its pass/fail fixtures, natively, through the same encoding and answer checks as
//! kpitree. `KPITREE_BLESS=1 cargo test` writes missing `fail*.expected.json` files: read them.

#[test]
fn kpi_needs_unit() {
    kpitree_plugin_sdk::testing::check_fixtures("tests/kpi-needs-unit", {{crate}}::RULE, &{{crate}}::PLUGIN);
}
