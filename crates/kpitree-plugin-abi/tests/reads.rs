//! ABI 1.1 `reads`: a tree encoded for a set of parts has exactly those sections (the others marked
//! absent), reads the same as the whole tree where present, reports reads of absent parts by name;
//! the whole set encodes to the same bytes as ABI 1.0 did; absent sections a tree cannot do without
//! are rejected; and a manifest naming an unknown part is refused.

use kpitree_core::model::TreeDoc;
use kpitree_core::rollup::Rollup;
use kpitree_core::tree::Tree;
use kpitree_plugin_abi::{
    DecodeError, Manifest, ManifestError, NONE, Reads, SECTIONS, TreeView, encode_request, encode_request_for,
    encode_tree, encode_tree_for, split_request,
};
use std::collections::HashSet;
use std::path::PathBuf;

fn examples() -> Vec<(String, TreeDoc)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    ["software-company.json", "hospital.json", "municipality.json"]
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(name)).expect("example exists");
            let doc = kpitree_core::load_json(name, &text).expect("valid").into_doc();
            (name.to_owned(), doc)
        })
        .collect()
}

/// FNV-1a, 64 bits: a fingerprint of the encoding to compare with the expected file.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// The whole tree encodes to the bytes ABI 1.0's encoder wrote: `full-encoding.expected` holds the
/// length and fingerprint of each example's request, written by the encoder before `reads` existed
/// (`KPITREE_BLESS=1` rewrites it; only do that for a deliberate change of the format, or of the
/// rollups it carries: the lengths then stay, the fingerprints change).
#[test]
fn the_whole_tree_encodes_to_the_same_bytes_as_before() {
    let mut got = String::new();
    for (name, doc) in examples() {
        let tree = Tree::new(&name, doc.clone()).expect("valid");
        let rollup = Rollup::new(&tree);
        let request = encode_request(&tree, &rollup, b"{}");
        assert_eq!(encode_request_for(Reads::ALL, &tree, &rollup, b"{}"), request, "{name}");
        assert_eq!(encode_tree_for(Reads::ALL, &tree, &rollup), encode_tree(&tree, &rollup), "{name}");
        got.push_str(&format!("{name} {} {:016x}\n", request.len(), fnv(&request)));
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/full-encoding.expected");
    if std::env::var_os("KPITREE_BLESS").is_some() {
        std::fs::write(&path, &got).expect("written");
    }
    assert_eq!(got, std::fs::read_to_string(&path).expect("expected file exists"));
}

fn directory(tree: &[u8], k: usize) -> u32 {
    let at = 28 + 4 * k;
    u32::from_le_bytes([tree[at], tree[at + 1], tree[at + 2], tree[at + 3]])
}

#[test]
fn a_tree_for_some_parts_has_exactly_those_and_reads_like_the_whole() {
    let reads = Reads::from_names(&["owner", "parents", "check_ins"]).expect("known names");
    for (name, doc) in examples() {
        let tree = Tree::new(&name, doc.clone()).expect("valid");
        let rollup = Rollup::new(&tree);
        let whole_bytes = encode_tree(&tree, &rollup);
        let part_bytes = encode_tree_for(reads, &tree, &rollup);
        assert!(part_bytes.len() < whole_bytes.len() / 2, "{name}: {} of {}", part_bytes.len(), whole_bytes.len());
        for k in 0..SECTIONS {
            assert_eq!(directory(&part_bytes, k) == NONE, !reads.has_section(k), "{name}: section {k}");
        }
        let (whole, part) = (TreeView::new(&whole_bytes).expect("whole"), TreeView::new(&part_bytes).expect("part"));
        assert_eq!(part.reads(), reads);
        assert_eq!(
            (part.node_count(), part.link_count(), part.as_of()),
            (whole.node_count(), whole.link_count(), whole.as_of())
        );
        assert_eq!(part.organisation(), whole.organisation());
        let mut strings: HashSet<&str> = HashSet::from([whole.organisation()]);
        for i in 0..whole.node_count() {
            assert_eq!((part.id(i), part.kind(i), part.owner(i)), (whole.id(i), whole.kind(i), whole.owner(i)));
            assert!(part.parents(i).eq(whole.parents(i)), "{name}: parents of {i}");
            assert!(part.check_ins(i).eq(whole.check_ins(i)), "{name}: check-ins of {i}");
            strings.extend([Some(whole.id(i)), whole.owner(i)].into_iter().flatten());
            strings.extend(whole.check_ins(i).filter_map(|c| c.note));
        }
        assert_eq!(part.missing_read(), None, "{name}: only declared parts were read");
        // The string table holds the strings of the parts encoded, each once, and nothing else.
        let table: Vec<&str> = (0..part.string_count()).filter_map(|k| part.string(k)).collect();
        assert_eq!(table.len(), strings.len(), "{name}");
        assert_eq!(table.into_iter().collect::<HashSet<_>>(), strings, "{name}");
        // An absent part reads as empty, and the read is reported by name.
        assert_eq!((part.title(0), part.department(0), part.children(0).len()), ("", None, 0));
        assert_eq!(part.missing_read().map(|r| r.name), Some("title"));
    }
}

/// The SDK restricts the whole tree to a plugin's parts, so it reads as if only those were sent.
#[test]
fn a_restricted_view_reads_like_a_tree_of_those_parts() {
    let (name, doc) = examples().remove(1);
    let tree = Tree::new(&name, doc.clone()).expect("valid");
    let bytes = encode_tree(&tree, &Rollup::new(&tree));
    let whole = TreeView::new(&bytes).expect("decodes");
    let reads = Reads::from_names(&["status", "links"]).expect("known names");
    let part = whole.restrict(reads);
    assert_eq!(part.reads(), reads);
    assert_eq!(whole.reads(), Reads::ALL);
    assert!(part.links().eq(whole.links()));
    assert_eq!((part.status(3), part.id(3)), (whole.status(3), whole.id(3)));
    assert_eq!(part.missing_read(), None);
    assert_eq!(part.measurements(3).len() + part.parents(3).len(), 0);
    assert_eq!(part.missing_read().map(|r| r.name), Some("parents"), "the first in directory order");
    assert_eq!(whole.missing_read(), None, "restricting does not change the original view");
}

#[test]
fn absent_sections_a_tree_needs_are_rejected() {
    let (name, doc) = examples().remove(0);
    let tree = Tree::new(&name, doc.clone()).expect("valid");
    let request = encode_request_for(Reads::MINIMUM, &tree, &Rollup::new(&tree), b"{}");
    assert!(split_request(&request).is_ok());
    let tree_bytes = &request[8..request.len() - 2];
    for (k, section) in [(0, "kind"), (5, "id"), (41, "string_offsets"), (42, "string_bytes")] {
        let mut bad = tree_bytes.to_vec();
        bad[28 + 4 * k..32 + 4 * k].copy_from_slice(&NONE.to_le_bytes());
        assert_eq!(TreeView::new(&bad).err(), Some(DecodeError::Absent { section }));
    }
    // Entries of a section whose offsets are absent cannot be sized.
    let mut bad = encode_tree(&tree, &Rollup::new(&tree));
    bad[28 + 4 * 24..32 + 4 * 24].copy_from_slice(&NONE.to_le_bytes());
    assert_eq!(TreeView::new(&bad).err(), Some(DecodeError::Absent { section: "parent_offsets" }));
    // A tree of the minimum is still checked as closely: every cut is an error.
    for cut in 0..tree_bytes.len() {
        assert!(TreeView::new(&tree_bytes[..cut]).is_err(), "cut at {cut} decoded");
    }
}

fn manifest(reads: Option<&[&str]>) -> Manifest {
    let mut m: Manifest = serde_json::from_str(
        r#"{"name":"p","version":"1","rules":[{"id":"r","severity":"info","summary":"s","why":"w","fix":"f"}]}"#,
    )
    .expect("parses");
    m.reads = reads.map(|r| r.iter().map(|s| (*s).to_owned()).collect());
    m
}

#[test]
fn manifests_declare_reads_by_known_names() {
    assert_eq!((manifest(None).check(), manifest(None).reads()), (Ok(()), Reads::ALL));
    let owner = manifest(Some(&["owner"]));
    assert_eq!((owner.check(), owner.reads()), (Ok(()), Reads::from_names(&["owner"]).expect("known")));
    let err = manifest(Some(&["owner", "owners"])).check().expect_err("unknown name");
    assert_eq!(err, ManifestError::UnknownRead("owners".into()));
    assert!(err.to_string().starts_with("`reads` names `owners`, which is not a part of the tree; use kind, status,"));
    // Round trip: `reads` is written only when declared (a 1.0 manifest stays as it was).
    let json = serde_json::to_string(&manifest(None)).expect("serializes");
    assert!(!json.contains("reads"));
    let back: Manifest = serde_json::from_str(&serde_json::to_string(&owner).expect("serializes")).expect("parses");
    assert_eq!(back, owner);
}
