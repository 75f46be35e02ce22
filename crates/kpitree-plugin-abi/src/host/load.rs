//! Loading a plugin, as data: what a host does with the answers of `kpitree_abi_version` and
//! `kpitree_manifest` and with the plugins it already holds. The host makes the calls (wasmtime, the
//! page's worker); the steps, in order, are: [`crate::module`]'s checks, then [`abi_version`] (a
//! plugin of another major version is not asked for its manifest), [`manifest`], and [`admit`]
//! against the plugins already loaded.

use crate::error::{Call, ErrorKind, json_error};
use crate::host::check_manifest;
use crate::{ABI_MAJOR, Manifest};

/// `kpitree_abi_version`'s value as `(major, minor)`, or [`ErrorKind::AbiVersion`] for another
/// major version than [`ABI_MAJOR`].
pub fn abi_version(value: i32) -> Result<(u16, u16), ErrorKind> {
    let v = value as u32;
    let (major, minor) = ((v >> 16) as u16, v as u16);
    if major == ABI_MAJOR { Ok((major, minor)) } else { Err(ErrorKind::AbiVersion { major, minor }) }
}

/// `kpitree_manifest`'s answer (`bytes`) as a manifest: UTF-8 JSON, checked by the ABI's rules (name,
/// rule ids, documentation, schema) and against the built-in rule ids, its text made printable.
pub fn manifest(bytes: &[u8]) -> Result<Manifest, ErrorKind> {
    let call = Call::Manifest;
    let text = std::str::from_utf8(bytes).map_err(|e| ErrorKind::InvalidUtf8 { call, at: e.valid_up_to() })?;
    let mut manifest: Manifest = serde_json::from_str(text).map_err(|e| json_error(call, bytes, e.to_string()))?;
    check_manifest(&manifest).map_err(|e| ErrorKind::BadManifest { detail: e.to_string() })?;
    manifest.make_printable();
    Ok(manifest)
}

/// Whether a plugin of `manifest` may join `loaded` (each plugin's manifest and where it came from,
/// in load order): its name must be new ([`ErrorKind::DuplicatePlugin`], naming the first one's
/// source), and so must each of its rule ids ([`ErrorKind::RuleClash`], naming the plugin that has
/// it). The error is the new plugin's, under its manifest's name.
pub fn admit<'a, I>(loaded: I, manifest: &Manifest) -> Result<(), ErrorKind>
where
    I: IntoIterator<Item = (&'a Manifest, &'a str)>,
    I::IntoIter: Clone,
{
    let loaded = loaded.into_iter();
    if let Some((_, first)) = loaded.clone().find(|(m, _)| m.name == manifest.name) {
        return Err(ErrorKind::DuplicatePlugin { first: first.to_owned() });
    }
    for rule in &manifest.rules {
        if let Some((other, _)) = loaded.clone().find(|(m, _)| m.rule(&rule.id).is_some()) {
            return Err(ErrorKind::RuleClash { rule: rule.id.clone(), other: other.name.clone() });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::ResponseError;

    #[test]
    fn only_the_major_version_must_match() {
        assert_eq!(abi_version(crate::ABI_VERSION), Ok((crate::ABI_MAJOR, crate::ABI_MINOR)));
        assert_eq!(abi_version((1 << 16) | 7), Ok((1, 7)));
        let e = abi_version(2 << 16).expect_err("v2");
        assert_eq!(
            e.of("p").to_string(),
            format!("plugin `p` speaks ABI v2.0; this kpitree speaks v1.{}", crate::ABI_MINOR)
        );
    }

    #[test]
    fn names_and_rule_ids_are_unique() {
        let m = |name: &str, rule: &str| -> Manifest {
            serde_json::from_value(serde_json::json!({"name": name, "version": "1",
                "rules": [{"id": rule, "severity": "info", "summary": "s", "why": "w", "fix": "f"}]}))
            .expect("a manifest")
        };
        let (a, b) = (m("a", "r"), m("b", "s"));
        let loaded = [(&a, "a.wasm"), (&b, "b.wasm")];
        assert_eq!(admit(loaded, &m("c", "t")), Ok(()));
        assert_eq!(admit(loaded, &m("b", "t")), Err(ErrorKind::DuplicatePlugin { first: "b.wasm".to_owned() }));
        assert_eq!(
            admit(loaded, &m("c", "s")),
            Err(ErrorKind::RuleClash { rule: "s".to_owned(), other: "b".to_owned() })
        );
    }

    #[test]
    fn answers_that_are_not_json_differ_from_json_of_the_wrong_shape() {
        let not_json = manifest(b"{nope").expect_err("not JSON");
        assert_eq!(not_json.code(), "not-json");
        let shape = manifest(br#"{"name": 3}"#).expect_err("wrong shape");
        assert_eq!(shape.code(), "bad-response");
        assert!(shape.to_string().starts_with("returned a manifest of the wrong shape: "), "{shape}");
        let utf8 = manifest(b"{\"\xff\"}").expect_err("not UTF-8");
        assert_eq!(utf8, ErrorKind::InvalidUtf8 { call: Call::Manifest, at: 2 });
        let reported = ErrorKind::from_response(ResponseError::Plugin("no data".to_owned()), b"");
        assert_eq!(reported.of("p").to_string(), "plugin `p` reported an error: no data");
    }
}
