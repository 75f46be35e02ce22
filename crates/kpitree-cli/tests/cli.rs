//! The `kpitree` binary end to end: every case in `tests/cli/*.toml` runs the real binary from the
//! repository root and compares exit code, stdout and stderr with the files beside the case.
//! `TRYCMD=overwrite cargo test -p kpitree-cli` rewrites them; read the diff before committing.

use std::path::Path;
use std::process::Command;

#[test]
fn cli_cases() {
    trycmd::TestCases::new().env("NO_COLOR", "1").case("../../tests/cli/*.toml");
}

/// Characters that must never reach a terminal from data: C0 controls but newline, DEL, C1, bidi
/// marks, embeddings, overrides and isolates, line and paragraph separators.
fn is_forbidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\x1b')
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Every `tests/cli/hostile-*.toml` case (trees, configurations, plugins and arguments full of
/// escape sequences, BEL, NUL and bidi overrides), run plain and with colours forced: what is
/// printed for a person holds none of them raw. Plain output has no ESC at all; coloured output has
/// only the CLI's own SGR colour codes, never the data's screen clearing, blinking, OSC window
/// titles or hyperlinks. `--format json` output keeps the data (JSON-escaped, bidi characters as
/// they are), so only its stderr is checked.
#[test]
fn hostile_data_never_reaches_the_terminal_raw() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut cases: Vec<_> = std::fs::read_dir(root.join("tests/cli"))
        .expect("tests/cli")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("hostile-")))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 8, "the hostile cases are missing: {cases:?}");
    for case in &cases {
        let toml = std::fs::read_to_string(case).expect("case");
        // `args = [...]` is an array of TOML basic strings, which read as JSON strings.
        let line = toml.lines().find_map(|l| l.strip_prefix("args = ")).expect("an args line");
        let args: Vec<String> = serde_json::from_str(line).expect("args as JSON");
        // Markdown (`kpitree diff`) is for people too: its stdout is checked like text.
        let machine = args.windows(2).any(|w| w[0] == "--format" && !matches!(w[1].as_str(), "text" | "markdown"));
        let always = args.windows(2).any(|w| w[0] == "--color" && w[1] == "always");
        for forced in [false, true] {
            let colour = forced || always;
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_kpitree"));
            cmd.args(&args).current_dir(&root).env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
            if forced {
                cmd.env("CLICOLOR_FORCE", "1");
            } else {
                cmd.env("NO_COLOR", "1");
            }
            let out = cmd.output().expect("run kpitree");
            let streams = [("stdout", &out.stdout), ("stderr", &out.stderr)];
            let mut escaped = false;
            for (name, bytes) in streams {
                if name == "stdout" && machine {
                    continue;
                }
                let text = String::from_utf8_lossy(bytes);
                let at = format!("{} ({name}, colour {colour}):\n{text}", case.display());
                escaped |= text.contains("\\u{");
                assert!(!text.contains(is_forbidden), "a raw control or bidi character in {at}");
                if colour {
                    for seq in ["\x1b]", "\x1b[2J", "\x1b[5m", "\x1bP", "\x1b_", "\x1b^", "\x1bX"] {
                        assert!(!text.contains(seq), "{seq:?} from the data in {at}");
                    }
                    // Every ESC starts an SGR sequence: ESC [ digits and semicolons m.
                    for (i, _) in text.match_indices('\x1b') {
                        let sgr = text[i + 1..].strip_prefix('[').and_then(|r| {
                            let end = r.find(|c: char| !c.is_ascii_digit() && c != ';')?;
                            (r.as_bytes()[end] == b'm').then_some(())
                        });
                        assert!(sgr.is_some(), "an ESC that is not a colour code at byte {i} of {at}");
                    }
                } else {
                    assert!(!text.contains('\x1b'), "a raw ESC in {at}");
                }
            }
            assert!(escaped, "{}: no escaped data in the output; is the case still hostile?", case.display());
        }
    }
}

/// JSON and SARIF keep the data: a title's DEL (and every other character) reaches a pipe as the tree
/// has it, JSON-escaped where JSON requires, never stripped as text for a terminal would be.
#[test]
fn machine_output_keeps_the_data() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for format in ["json", "sarif"] {
        for colour in ["never", "always"] {
            let out = Command::new(env!("CARGO_BIN_EXE_kpitree"))
                .args(["check", "tests/cli/hostile/tree.json", "--no-config", "--fail-on", "never"])
                .args(["--format", format, "--color", colour])
                .current_dir(&root)
                .output()
                .expect("run kpitree");
            assert!(out.stdout.contains(&0x7f), "{format}, colour {colour}: DEL kept");
            let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
            assert!(value.is_object());
        }
    }
}

/// `kpitree plugin test --format json` carries what the text shows: sizes, limits, the fuel of every
/// call, each fixture's outcome with the expected and the actual findings of a failure.
#[test]
fn plugin_test_json_has_the_text_data() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(env!("CARGO_BIN_EXE_kpitree"))
        .args(["plugin", "test", "plugins/owner-quota-wat/plugin.wat", "tests/plugin-test", "--format", "json"])
        .current_dir(&root)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!((report["passed"].as_u64(), report["failed"].as_u64()), (Some(1), Some(2)));
    assert_eq!(report["plugin"], "owner-quota");
    assert_eq!(report["fuel_limit"], 2_000_000_000u64);
    assert!(report["module_size"].as_u64().is_some_and(|n| n > 0));
    assert!(report["load_fuel"]["manifest"].as_u64().is_some_and(|n| n > 0));
    let fixtures = report["groups"][0]["fixtures"].as_array().expect("fixtures");
    let kinds: Vec<_> = fixtures.iter().map(|f| (f["name"].as_str(), f["failure"]["kind"].as_str())).collect();
    assert_eq!(
        kinds,
        [(Some("fail-no-expected"), Some("missing-expected")), (Some("fail"), Some("differs")), (Some("pass"), None)]
    );
    let differs = &fixtures[1]["failure"];
    assert!(differs["expected"].as_str().is_some_and(|s| s.contains("\"k4\"")));
    assert!(differs["got"].as_str().is_some_and(|s| !s.contains("\"k4\"")));
    let most = fixtures.iter().filter_map(|f| f["fuel"].as_u64()).max();
    assert_eq!(report["max_fuel"].as_u64(), most);
}

/// `kpitree plugin test --bless` writes each failing fixture's expected file from what the plugin
/// finds (a missing one and a wrong one alike), after which the same fixtures pass.
#[test]
fn plugin_test_bless_writes_the_expected_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::temp_dir().join(format!("kpitree-bless-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    for entry in std::fs::read_dir(root.join("tests/plugin-test")).expect("fixtures") {
        let path = entry.expect("an entry").path();
        std::fs::copy(&path, dir.join(path.file_name().expect("a name"))).expect("copied");
    }
    let run = |bless: bool| {
        let mut args = vec!["plugin".to_owned(), "test".to_owned(), "plugins/owner-quota-wat/plugin.wat".to_owned()];
        args.push(dir.display().to_string());
        if bless {
            args.push("--bless".to_owned());
        }
        Command::new(env!("CARGO_BIN_EXE_kpitree")).args(&args).current_dir(&root).output().expect("runs")
    };
    assert_eq!(run(false).status.code(), Some(1), "two fixtures fail before");
    let blessed = run(true);
    assert_eq!(blessed.status.code(), Some(0), "{}", String::from_utf8_lossy(&blessed.stdout));
    let written = std::fs::read_to_string(dir.join("fail-no-expected.expected.json")).expect("written");
    assert!(written.contains("owner-kpi-quota"), "{written}");
    assert_eq!(run(false).status.code(), Some(0), "and they pass after");
    let _ = std::fs::remove_dir_all(&dir);
}
