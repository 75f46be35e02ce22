//! What a module may declare before a host compiles it: one pass of wasmparser over its sections,
//! before any code is compiled, shared by the native host (before wasmtime compiles it) and the
//! browser runner (before the page compiles it), so both refuse the same modules with the same words.
//!
//! Compiling costs time and memory in proportion to what a module declares, not to what it runs: a
//! module of 100,000 empty functions (2 MB) took wasmtime 13 s and 630 MB to compile, one function of
//! 7 MB of code 20 s and 760 MB, and a function declaring 50,000 locals (4 bytes) as much work as
//! 50,000 instructions. The limits of [`crate::limits`] bound each of these; a plugin of the SDK has
//! a few thousand functions and well under 1 MiB of code.
//!
//! After [`check`] (and, natively, compiling), [`inspect`] checks the exports and what instantiating
//! the module would take; the browser's [`prepare`] runs all of it before the page compiles.

mod shape;

pub use shape::{Shape, inspect, prepare};

use crate::error::{ErrorKind, Excess};
use crate::limits;
use wasmparser::{Parser, Payload};

/// The limits of [`check`] a host may change; the others are constants of [`crate::limits`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModuleLimits {
    /// Functions a module may define ([`limits::FUNCTIONS`] by default).
    pub functions: u64,
    /// Bytes of code, all function bodies together ([`limits::CODE_SIZE`] by default).
    pub code_size: u64,
}

impl Default for ModuleLimits {
    fn default() -> ModuleLimits {
        ModuleLimits { functions: limits::FUNCTIONS as u64, code_size: limits::CODE_SIZE as u64 }
    }
}

/// Checks a binary module before it is compiled: that it parses (section by section; the compiler
/// validates the code), imports nothing, and declares no more than the limits allow. Linear in the
/// module's size and stops at the first excess.
///
/// Errors are [`ErrorKind::InvalidModule`] (wasmparser's words), [`ErrorKind::Import`] (as the hosts
/// word it after compiling) and [`ErrorKind::ModuleTooComplex`].
pub fn check(bytes: &[u8], limits: ModuleLimits) -> Result<(), ErrorKind> {
    let invalid = |e: wasmparser::BinaryReaderError| ErrorKind::InvalidModule { detail: e.to_string() };
    let over = |what: Excess, count: u64, limit: u64| {
        if count > limit { Err(ErrorKind::ModuleTooComplex { what, count, limit }) } else { Ok(()) }
    };
    let mut imports: Option<(String, String)> = None;
    let mut import_count = 0usize;
    let mut types = 0u64;
    let mut locals = 0u64;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(invalid)? {
            Payload::TypeSection(r) => {
                over(Excess::Types, u64::from(r.count()), limits::TYPES as u64)?;
                for group in r {
                    types += group.map_err(invalid)?.types().len() as u64;
                    over(Excess::Types, types, limits::TYPES as u64)?;
                }
            }
            Payload::ImportSection(r) => {
                for import in r.into_imports() {
                    let import = import.map_err(invalid)?;
                    import_count += 1;
                    imports.get_or_insert_with(|| (import.module.to_owned(), import.name.to_owned()));
                }
            }
            Payload::FunctionSection(r) => over(Excess::Functions, u64::from(r.count()), limits.functions)?,
            Payload::GlobalSection(r) => over(Excess::Globals, u64::from(r.count()), limits::GLOBALS as u64)?,
            Payload::ExportSection(r) => over(Excess::Exports, u64::from(r.count()), limits::EXPORTS as u64)?,
            Payload::DataSection(r) => over(Excess::DataSegments, u64::from(r.count()), limits::SEGMENTS as u64)?,
            Payload::ElementSection(r) => {
                over(Excess::ElementSegments, u64::from(r.count()), limits::SEGMENTS as u64)?;
            }
            Payload::CodeSectionStart { count, size, .. } => {
                // Imports come before the code: refused here, before the bodies are read.
                if let Some((module, name)) = imports.take() {
                    return Err(ErrorKind::Import { module, name, count: import_count });
                }
                over(Excess::Functions, u64::from(count), limits.functions)?;
                over(Excess::CodeSize, u64::from(size), limits.code_size)?;
            }
            Payload::CodeSectionEntry(body) => {
                over(
                    Excess::FunctionSize,
                    body.range().end.saturating_sub(body.range().start),
                    limits::FUNCTION_SIZE as u64,
                )?;
                let mut declared = 0u64;
                for entry in body.get_locals_reader().map_err(invalid)? {
                    declared = declared.saturating_add(u64::from(entry.map_err(invalid)?.0));
                    over(Excess::FunctionLocals, declared, limits::FUNCTION_LOCALS as u64)?;
                }
                locals += declared;
                over(Excess::Locals, locals, limits::LOCALS as u64)?;
            }
            _ => {}
        }
    }
    match imports {
        Some((module, name)) => Err(ErrorKind::Import { module, name, count: import_count }),
        None => Ok(()),
    }
}

/// Appends `v` as unsigned LEB128, the integer encoding of wasm binaries: for hosts that rewrite a
/// module (the browser lowers the memory maximum) and for tests that build one.
pub fn write_leb128(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module of `n` functions `() -> ()` with `body` (locals and code) each.
    fn functions(n: u32, body: &[u8]) -> Vec<u8> {
        let leb = write_leb128;
        let section = |out: &mut Vec<u8>, id: u8, content: &[u8]| {
            out.push(id);
            leb(out, content.len() as u64);
            out.extend_from_slice(content);
        };
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        section(&mut module, 1, &[1, 0x60, 0, 0]);
        let mut funcs = Vec::new();
        leb(&mut funcs, u64::from(n));
        funcs.resize(funcs.len() + n as usize, 0);
        section(&mut module, 3, &funcs);
        let mut code = Vec::new();
        leb(&mut code, u64::from(n));
        for _ in 0..n {
            leb(&mut code, body.len() as u64);
            code.extend_from_slice(body);
        }
        section(&mut module, 10, &code);
        module
    }

    fn message(e: ErrorKind) -> String {
        e.of("p").to_string()
    }

    #[test]
    fn modules_within_the_limits_pass() {
        check(&functions(100, &[0, 0x0b]), ModuleLimits::default()).expect("small");
        check(b"\0asm\x01\0\0\0", ModuleLimits::default()).expect("empty");
    }

    #[test]
    fn too_many_functions_are_refused_before_their_bodies_are_read() {
        let e = check(&functions(10_001, &[0, 0x0b]), ModuleLimits::default()).expect_err("too many");
        assert_eq!(e.code(), "module-too-complex");
        assert_eq!(message(e), "plugin `p` is too complex to compile: 10001 functions (limit 10000)");
        let few = ModuleLimits { functions: 10, ..ModuleLimits::default() };
        assert!(check(&functions(11, &[0, 0x0b]), few).is_err());
        check(&functions(10, &[0, 0x0b]), few).expect("at the limit");
    }

    #[test]
    fn code_is_limited_in_all_and_per_function() {
        // 0 locals, then `nop` × n, `end`.
        let body = |n: usize| [&[0u8][..], &vec![0x01; n], &[0x0b]].concat();
        let e = check(&functions(1, &body(limits::FUNCTION_SIZE)), ModuleLimits::default()).expect_err("one big");
        // The body's size counts its locals' declaration and its `end`.
        assert_eq!(
            e,
            ErrorKind::ModuleTooComplex {
                what: Excess::FunctionSize,
                count: limits::FUNCTION_SIZE as u64 + 2,
                limit: limits::FUNCTION_SIZE as u64
            }
        );
        let small = ModuleLimits { code_size: 1000, ..ModuleLimits::default() };
        let e = check(&functions(10, &body(100)), small).expect_err("too much code");
        assert_eq!(message(e), "plugin `p` is too complex to compile: 1 KiB of code (limit 1000 bytes)");
    }

    #[test]
    fn locals_are_limited_per_function_and_in_all() {
        // One entry of `n` i32 locals: four bytes that the compiler must zero one by one.
        let locals = |n: u32| {
            let mut b = vec![1];
            let mut v = n;
            loop {
                let byte = (v & 0x7f) as u8;
                v >>= 7;
                if v == 0 {
                    b.push(byte);
                    break;
                }
                b.push(byte | 0x80);
            }
            b.extend_from_slice(&[0x7f, 0x0b]);
            b
        };
        let e = check(&functions(1, &locals(50_000)), ModuleLimits::default()).expect_err("one function");
        assert_eq!(message(e), "plugin `p` is too complex to compile: 50000 locals in one function (limit 10000)");
        let n = (limits::LOCALS / limits::FUNCTION_LOCALS + 1) as u32;
        let e = check(&functions(n, &locals(10_000)), ModuleLimits::default()).expect_err("in all");
        assert_eq!(e, ErrorKind::ModuleTooComplex { what: Excess::Locals, count: 1_010_000, limit: 1_000_000 });
    }

    #[test]
    fn imports_are_refused_as_after_compiling() {
        // (import "env" "f" (func)) (import "env" "g" (func)) and one function.
        let mut m = b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0".to_vec();
        m.extend_from_slice(&[2, 17, 2, 3, b'e', b'n', b'v', 1, b'f', 0, 0, 3, b'e', b'n', b'v', 1, b'g', 0, 0]);
        let e = check(&m, ModuleLimits::default()).expect_err("imports");
        assert_eq!(message(e), "plugin `p` imports `env.f` (and 1 more): plugins may import nothing");
        let e = check(b"\0asm\x01\0\0\0\x99", ModuleLimits::default()).expect_err("truncated");
        assert_eq!(e.code(), "invalid-module");
    }
}
