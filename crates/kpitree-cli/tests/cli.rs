//! The `kpitree` binary end to end: every case in `tests/cli/*.toml` runs the real binary from the
//! repository root and compares exit code, stdout and stderr with the files beside the case.
//! `TRYCMD=overwrite cargo test -p kpitree-cli` rewrites them; read the diff before committing.

#[test]
fn cli_cases() {
    trycmd::TestCases::new().env("NO_COLOR", "1").case("../../tests/cli/*.toml");
}
