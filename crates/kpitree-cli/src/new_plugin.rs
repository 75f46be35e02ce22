//! `kpitree plugin new NAME --lang LANG`: writes a plugin project that builds and passes its
//! fixtures unchanged. The templates are in `templates/<lang>/` (and `templates/common/`, the
//! fixtures every language shares), embedded in the binary; `{{name}}`, `{{crate}}` (the name as a
//! Rust crate) and `{{sdk}}` (the SDK's absolute path, escaped for the file's format) are replaced.
//!
//! The SDK: Rust and AssemblyScript projects name it by path (neither SDK is published); the C
//! project gets its single header, `kpitree.h`, copied in. `--sdk` gives the path (the SDK's folder
//! or a kpitree checkout); without it, the kpitree source tree this binary was built from, when it
//! is still there. The C header is embedded too, so `--lang c` needs no checkout at all.

use crate::human::Esc;
use crate::input::CliError;
use clap::ValueEnum;
use std::path::{Path, PathBuf};

/// A language `kpitree plugin new` writes a project in.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Rust, with the SDK crate `kpitree-plugin-sdk` (cargo; the wasm32-unknown-unknown target).
    Rust,
    /// AssemblyScript, with `@kpitree/plugin-sdk` (npm, Node.js 18 or later).
    #[value(name = "assemblyscript", alias = "as")]
    AssemblyScript,
    /// C, with the single-header SDK `kpitree.h` (clang and lld, make).
    C,
}

/// The rule every template declares; its fixtures are `tests/<RULE>/`.
const RULE: &str = "kpi-needs-unit";

/// One file of a template: where it goes in the project and its text.
type Template = (&'static str, &'static str);

const COMMON: &[Template] = &[
    ("pass.json", include_str!("../templates/common/tests/pass.json")),
    ("fail.json", include_str!("../templates/common/tests/fail.json")),
    ("fail.expected.json", include_str!("../templates/common/tests/fail.expected.json")),
];

const RUST: &[Template] = &[
    ("Cargo.toml", include_str!("../templates/rust/Cargo.toml.in")),
    ("src/lib.rs", include_str!("../templates/rust/src/lib.rs")),
    ("tests/fixtures.rs", include_str!("../templates/rust/tests/fixtures.rs")),
    ("README.md", include_str!("../templates/rust/README.md")),
    (".gitignore", include_str!("../templates/rust/gitignore")),
];

const ASSEMBLYSCRIPT: &[Template] = &[
    ("package.json", include_str!("../templates/assemblyscript/package.json")),
    ("asconfig.json", include_str!("../templates/assemblyscript/asconfig.json")),
    ("assembly/index.ts", include_str!("../templates/assemblyscript/assembly/index.ts")),
    ("README.md", include_str!("../templates/assemblyscript/README.md")),
    (".gitignore", include_str!("../templates/assemblyscript/gitignore")),
];

const C: &[Template] = &[
    ("plugin.c", include_str!("../templates/c/plugin.c")),
    ("Makefile", include_str!("../templates/c/Makefile")),
    ("README.md", include_str!("../templates/c/README.md")),
    (".gitignore", include_str!("../templates/c/gitignore")),
];

/// The C SDK of the source tree this binary was built from, so a C project needs no checkout.
const KPITREE_H: &str = include_str!("../../../plugins/sdk-c/kpitree.h");

impl Lang {
    fn templates(self) -> &'static [Template] {
        match self {
            Lang::Rust => RUST,
            Lang::AssemblyScript => ASSEMBLYSCRIPT,
            Lang::C => C,
        }
    }

    /// The SDK inside a kpitree checkout, the file that shows it is there and what that file holds.
    fn sdk_in_checkout(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Lang::Rust => ("crates/kpitree-plugin-sdk", "Cargo.toml", "name = \"kpitree-plugin-sdk\""),
            Lang::AssemblyScript => ("plugins/sdk-assemblyscript", "package.json", "\"name\": \"@kpitree/plugin-sdk\""),
            Lang::C => ("plugins/sdk-c", "kpitree.h", "KPITREE_PLUGIN"),
        }
    }

    /// True when `dir` is this language's SDK.
    fn is_sdk(self, dir: &Path) -> bool {
        let (_, marker, holds) = self.sdk_in_checkout();
        std::fs::read_to_string(dir.join(marker)).is_ok_and(|text| text.contains(holds))
    }

    fn label(self) -> &'static str {
        match self {
            Lang::Rust => "Rust",
            Lang::AssemblyScript => "AssemblyScript",
            Lang::C => "C",
        }
    }

    /// The commands that build and test the project, as its README gives them.
    fn next_steps(self, name: &str) -> Vec<String> {
        match self {
            Lang::Rust => vec![
                "cargo build --release --target wasm32-unknown-unknown".into(),
                format!("kpitree plugin test target/wasm32-unknown-unknown/release/{}.wasm tests", crate_name(name)),
            ],
            Lang::AssemblyScript => vec!["npm install".into(), "npm test".into()],
            Lang::C => vec!["make test".into()],
        }
    }
}

/// `[a-z0-9][a-z0-9-]*`, at most 64 bytes: a plugin name as the ABI takes it (and a safe folder,
/// package and file name). Rust also refuses a crate name that starts with a digit or is a keyword.
pub fn check_name(name: &str, lang: Lang) -> Result<(), String> {
    if !kpitree_core::is_rule_id(name) {
        return Err(format!(
            "`{}` is not a plugin name: lower-case letters, digits and `-`, starting with a letter or digit, at most 64 bytes",
            Esc(name)
        ));
    }
    if lang == Lang::Rust {
        // Rust's keywords (strict and reserved) and the names of its own crates.
        const RESERVED: &str = "abstract alloc as async await become box break const continue core crate do dyn \
            else enum extern false final fn for gen if impl in let loop macro match mod move mut override priv \
            proc-macro pub ref return self static std struct super test trait true try type typeof unsafe unsized \
            use virtual where while yield";
        if name.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(format!("`{name}` cannot name a Rust crate: it starts with a digit; choose another name"));
        }
        if RESERVED.split_whitespace().any(|w| w == name) {
            return Err(format!("`{name}` cannot name a Rust crate: Rust reserves it; choose another name"));
        }
    }
    Ok(())
}

/// The name as a Rust crate (and the `.wasm` cargo writes): `-` becomes `_`.
fn crate_name(name: &str) -> String {
    name.replace('-', "_")
}

/// The kpitree source tree this binary was built from.
fn build_tree() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The SDK's folder, absolute: `--sdk` (the SDK itself, or a checkout holding it), else the build's
/// source tree. `None` for C without `--sdk` (the embedded header).
fn find_sdk(lang: Lang, flag: Option<&Path>) -> Result<Option<PathBuf>, CliError> {
    let (inside, marker, _) = lang.sdk_in_checkout();
    let Some(given) = flag else {
        if lang == Lang::C {
            return Ok(None);
        }
        let dir = build_tree().join(inside);
        if !lang.is_sdk(&dir) {
            return Err(CliError::Usage(format!(
                "the {} SDK is not where this kpitree was built ({}); give its folder with --sdk PATH \
                 ({inside} of a kpitree checkout)",
                lang.label(),
                Esc(dir.display())
            )));
        }
        return absolute(&dir).map(Some);
    };
    // A checkout first: its root has a Cargo.toml (the workspace's) too.
    let dir = if lang.is_sdk(&given.join(inside)) {
        given.join(inside)
    } else if lang.is_sdk(given) {
        given.to_owned()
    } else {
        return Err(CliError::Usage(format!(
            "--sdk {}: no {} SDK there (no {marker}, nor {inside}/{marker} of a kpitree checkout)",
            Esc(given.display()),
            lang.label()
        )));
    };
    absolute(&dir).map(Some)
}

fn absolute(dir: &Path) -> Result<PathBuf, CliError> {
    dir.canonicalize().map_err(|error| CliError::Io { path: dir.to_owned(), error })
}

/// `s` inside a JSON or TOML basic string: both take `\\`, `\"` and `\uXXXX` escapes.
fn quoted(s: &str) -> String {
    let json = serde_json::to_string(s).unwrap_or_default();
    json[1..json.len() - 1].to_owned()
}

/// A template's text for this project: the placeholders replaced, `{{sdk}}` escaped for the file.
fn render(path: &str, text: &str, name: &str, sdk: &str) -> String {
    let sdk = if path.ends_with(".json") || path.ends_with(".toml") { quoted(sdk) } else { sdk.to_owned() };
    text.replace("{{name}}", name).replace("{{crate}}", &crate_name(name)).replace("{{sdk}}", &sdk)
}

/// Writes the project; prints what it wrote and the next commands. Exit 0, or an error (exit 2) when
/// the name is invalid, the folder exists and is not empty, or the SDK cannot be found.
pub fn run(name: &str, lang: Lang, dir: Option<PathBuf>, sdk: Option<&Path>) -> Result<(), CliError> {
    check_name(name, lang).map_err(CliError::Usage)?;
    let dir = dir.unwrap_or_else(|| PathBuf::from(name));
    if let Ok(mut entries) = std::fs::read_dir(&dir) {
        if entries.next().is_some() {
            return Err(CliError::Usage(format!(
                "{}: the folder exists and is not empty; choose another NAME or --dir",
                Esc(dir.display())
            )));
        }
    } else if dir.exists() {
        return Err(CliError::Usage(format!("{}: exists and is not a folder", Esc(dir.display()))));
    }
    let sdk = find_sdk(lang, sdk)?;
    let sdk_text = match &sdk {
        Some(p) => p
            .to_str()
            .ok_or_else(|| CliError::Usage(format!("{}: the SDK's path must be UTF-8", Esc(p.display()))))?
            .to_owned(),
        None => String::new(),
    };
    let mut files: Vec<(String, String)> =
        lang.templates().iter().map(|(path, text)| ((*path).to_owned(), render(path, text, name, &sdk_text))).collect();
    files.extend(
        COMMON.iter().map(|(file, text)| (format!("tests/{RULE}/{file}"), render(file, text, name, &sdk_text))),
    );
    if lang == Lang::C {
        let header = match &sdk {
            Some(p) => crate::input::read(&p.join("kpitree.h"))?,
            None => KPITREE_H.to_owned(),
        };
        files.push(("kpitree.h".into(), header));
    }
    for (path, text) in &files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|error| CliError::Io { path: parent.to_owned(), error })?;
        }
        crate::input::write(&target, text)?;
    }
    let mut out = crate::human::stdout();
    let shown = dir.display();
    let mut text = format!("wrote {} ({} plugin `{name}`, rule `{RULE}`):\n", Esc(&shown), lang.label());
    for (path, _) in &files {
        text.push_str(&format!("  {path}\n"));
    }
    if let Some(p) = &sdk {
        text.push_str(&format!("SDK: {}\n", Esc(p.display())));
    }
    let cd = shown.to_string();
    let safe = cd.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+,:@%".contains(c));
    let cd = if safe { cd } else { format!("'{}'", cd.replace('\'', r"'\''")) };
    text.push_str(&format!("\nNext:\n  cd {}\n", Esc(&cd)));
    for step in lang.next_steps(name) {
        text.push_str(&format!("  {step}\n"));
    }
    use std::io::Write as _;
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|error| CliError::Io { path: PathBuf::from("<stdout>"), error })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for good in ["a", "my-rules", "x9", "9x", &"a".repeat(64)] {
            assert!(check_name(good, Lang::C).is_ok(), "{good}");
        }
        for bad in ["", "-a", "A", "a_b", "a b", "ä", "a/b", "..", &"a".repeat(65)] {
            assert!(check_name(bad, Lang::C).is_err(), "{bad}");
        }
        assert!(check_name("9x", Lang::Rust).is_err());
        assert!(check_name("fn", Lang::Rust).is_err());
        assert!(check_name("fn", Lang::AssemblyScript).is_ok());
    }

    #[test]
    fn placeholders_are_all_replaced_and_escaped() {
        for lang in [Lang::Rust, Lang::AssemblyScript, Lang::C] {
            for (path, text) in lang.templates().iter().chain(COMMON) {
                let out = render(path, text, "my-rules", r#"/a "b"\c"#);
                assert!(!out.contains("{{name}}") && !out.contains("{{crate}}") && !out.contains("{{sdk}}"), "{path}");
                if text.contains("{{sdk}}") && (path.ends_with(".json") || path.ends_with(".toml")) {
                    assert!(out.contains(r#"/a \"b\"\\c"#), "{path}: {out}");
                }
            }
        }
        assert!(render("src/lib.rs", "{{crate}}::PLUGIN", "my-rules", "").starts_with("my_rules::"));
    }

    /// The SDKs of the source tree this test runs in: found from the checkout's root (whose
    /// Cargo.toml is the workspace's, not the SDK's) and from their own folders.
    #[test]
    fn sdks_are_found_in_a_checkout_or_as_themselves() {
        let root = build_tree();
        for lang in [Lang::Rust, Lang::AssemblyScript, Lang::C] {
            let (inside, _, _) = lang.sdk_in_checkout();
            let want = absolute(&root.join(inside)).ok();
            assert_eq!(find_sdk(lang, Some(&root)).ok().flatten(), want, "{lang:?} from the root");
            assert_eq!(find_sdk(lang, Some(&root.join(inside))).ok().flatten(), want, "{lang:?} itself");
            assert!(find_sdk(lang, Some(&root.join("tests/cli"))).is_err(), "{lang:?} elsewhere");
        }
        assert!(!Lang::Rust.is_sdk(&root), "the workspace's Cargo.toml is not the SDK's");
    }
}
