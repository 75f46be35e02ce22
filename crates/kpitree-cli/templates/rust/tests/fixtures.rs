//! The rule against its pass/fail fixtures in `tests/<RULE>/`, natively, through the same encoding
//! and answer checks as kpitree. `KPITREE_BLESS=1 cargo test` writes missing `fail*.expected.json`
//! files from what the rule gives: read them before you trust them.

#[test]
fn fixtures() {
    let dir = format!("tests/{}", {{crate}}::RULE);
    kpitree_plugin_sdk::testing::check_fixtures(dir, {{crate}}::RULE, &{{crate}}::PLUGIN);
}
