//! `kpitree_plugin_abi::module::prepare`, what the browser runs before the page compiles a module:
//! the native host's checks (the same functions), with the same words, and the memory maximum lowered
//! to the limit. Here rather than in `kpitree-web`, whose tests need a browser's target; this crate
//! has the WAT reader.

use kpitree_plugin_abi::module::{ModuleLimits, prepare};

const PAGE: u64 = 65536;

fn module(wat: &str) -> Vec<u8> {
    wat::parse_str(wat).expect("wat")
}

fn message(e: kpitree_plugin_abi::error::ErrorKind) -> String {
    e.of("p").to_string()
}

const GOOD: &str = r#"(module
    (memory (export "memory") 2)
    (func (export "kpitree_abi_version") (result i32) i32.const 65536)
    (func (export "kpitree_alloc") (param i32) (result i32) i32.const 8)
    (func (export "kpitree_manifest") (result i64) i64.const 0)
    (func (export "kpitree_evaluate") (param i32 i32) (result i64) i64.const 0))"#;

#[test]
fn the_memory_maximum_is_lowered_to_the_limit() {
    // The memory section's entry: flags (0x01: has a maximum), initial, maximum.
    let patched = prepare(&module(GOOD), 1 << 20, 64 * PAGE, ModuleLimits::default()).expect("accepted");
    assert!(patched.windows(4).any(|w| w == [1, 0x01, 2, 64]), "limits 2..64");
    // A smaller maximum stays.
    let small = GOOD.replace(r#"(memory (export "memory") 2)"#, r#"(memory (export "memory") 2 5)"#);
    let patched = prepare(&module(&small), 1 << 20, 64 * PAGE, ModuleLimits::default()).expect("accepted");
    assert!(patched.windows(4).any(|w| w == [1, 0x01, 2, 5]), "limits 2..5 kept");
}

#[test]
fn modules_are_refused_as_the_native_host_refuses_them() {
    let big = GOOD.replace(r#"(memory (export "memory") 2)"#, r#"(memory (export "memory") 96)"#);
    let e = prepare(&module(&big), 1 << 20, 64 * PAGE, ModuleLimits::default()).expect_err("too much memory");
    assert_eq!(message(e), "plugin `p` ran out of memory (limit 4 MiB, asked for 6 MiB) during instantiation");
    let sig = GOOD.replace("(param i32) (result i32) i32.const 8", "(param i64) (result i32) i32.const 8");
    let e = prepare(&module(&sig), 1 << 20, 64 * PAGE, ModuleLimits::default()).expect_err("wrong type");
    assert_eq!(
        message(e),
        "plugin `p` exports `kpitree_alloc` as a function (i64) -> i32; the ABI needs a function (i32) -> i32"
    );
    let import = GOOD.replace("(module", r#"(module (import "env" "f" (func)) (import "env" "g" (func))"#);
    let e = prepare(&module(&import), 1 << 20, 64 * PAGE, ModuleLimits::default()).expect_err("imports");
    assert_eq!(message(e), "plugin `p` imports `env.f` (and 1 more): plugins may import nothing");
    let e = prepare(&module(GOOD), 10, 64 * PAGE, ModuleLimits::default()).expect_err("too large");
    assert_eq!(e.code(), "module-too-large");
    let e = prepare(b"\0asm\x01\0\0\0\x05", 1 << 20, 64 * PAGE, ModuleLimits::default()).expect_err("truncated");
    assert_eq!(e.code(), "invalid-module");
}

/// The native host's check before compiling (`module::check`), before the page compiles: the same
/// limits, the same words.
#[test]
fn modules_too_complex_to_compile_are_refused_before_the_page_compiles_them() {
    let bomb = module(&format!("(module {})", "(func)".repeat(10_001)));
    let e = prepare(&bomb, 16 << 20, 64 * PAGE, ModuleLimits::default()).expect_err("too many functions");
    assert_eq!(message(e), "plugin `p` is too complex to compile: 10001 functions (limit 10000)");
    let limits = ModuleLimits { functions: 10_001, ..ModuleLimits::default() };
    let e = prepare(&bomb, 16 << 20, 64 * PAGE, limits).expect_err("no exports");
    assert_eq!(e.code(), "missing-export");
}
