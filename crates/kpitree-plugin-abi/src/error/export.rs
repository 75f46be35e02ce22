//! The ABI's exports and what a module declares, as plugin errors word them: the exact types of the
//! five exports every host checks ([`FUNCTION_EXPORTS`], [`MEMORY_EXPECTED`]), what it found instead
//! ([`Found`]), and what a module may have too much of ([`Excess`]).

use crate::exports;
use std::fmt;

/// What a module has too much of to be compiled (`super::ErrorKind::ModuleTooComplex`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Excess {
    /// Functions it defines ([`crate::limits::FUNCTIONS`]).
    Functions,
    /// Bytes of code, all function bodies together ([`crate::limits::CODE_SIZE`]).
    CodeSize,
    /// Bytes of code of one function ([`crate::limits::FUNCTION_SIZE`]).
    FunctionSize,
    /// Locals of one function ([`crate::limits::FUNCTION_LOCALS`]).
    FunctionLocals,
    /// Locals of all functions together ([`crate::limits::LOCALS`]).
    Locals,
    /// Types ([`crate::limits::TYPES`]).
    Types,
    /// Exports ([`crate::limits::EXPORTS`]).
    Exports,
    /// Globals ([`crate::limits::GLOBALS`]).
    Globals,
    /// Data segments ([`crate::limits::SEGMENTS`]).
    DataSegments,
    /// Element segments ([`crate::limits::SEGMENTS`]).
    ElementSegments,
}

impl Excess {
    /// What messages call it, after the count: `100000 functions`, `2 MiB of code in one function`.
    pub fn as_str(self) -> &'static str {
        match self {
            Excess::Functions => "functions",
            Excess::CodeSize => "code",
            Excess::FunctionSize => "code in one function",
            Excess::FunctionLocals => "locals in one function",
            Excess::Locals => "locals",
            Excess::Types => "types",
            Excess::Exports => "exports",
            Excess::Globals => "globals",
            Excess::DataSegments => "data segments",
            Excess::ElementSegments => "element segments",
        }
    }
}

/// A value type of the ABI's function exports (wasm's `i32` and `i64`; no export uses another).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    /// `i32`.
    I32,
    /// `i64`.
    I64,
}

/// A function export the ABI requires, with its exact type. Every host checks a module's exports
/// against [`FUNCTION_EXPORTS`], in that order, after the memory ([`MEMORY_EXPECTED`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FunctionExport {
    /// Its name (one of [`exports`]).
    pub name: &'static str,
    /// Its parameters.
    pub params: &'static [ValueType],
    /// Its results.
    pub results: &'static [ValueType],
    /// Its type as messages write it ([`super::ErrorKind::ExportType`]'s `expected`).
    pub expected: &'static str,
}

impl FunctionExport {
    /// True when a function of these parameters and results (`None` for a type outside
    /// [`ValueType`]) has exactly the required type.
    pub fn accepts(
        &self,
        params: impl IntoIterator<Item = Option<ValueType>>,
        results: impl IntoIterator<Item = Option<ValueType>>,
    ) -> bool {
        params.into_iter().eq(self.params.iter().copied().map(Some))
            && results.into_iter().eq(self.results.iter().copied().map(Some))
    }
}

/// The four function exports of `plugins/ABI.md`, in the order hosts check them.
pub const FUNCTION_EXPORTS: [FunctionExport; 4] = {
    use ValueType::{I32, I64};
    [
        FunctionExport { name: exports::ABI_VERSION, params: &[], results: &[I32], expected: "a function () -> i32" },
        FunctionExport { name: exports::ALLOC, params: &[I32], results: &[I32], expected: "a function (i32) -> i32" },
        FunctionExport { name: exports::MANIFEST, params: &[], results: &[I64], expected: "a function () -> i64" },
        FunctionExport {
            name: exports::EVALUATE,
            params: &[I32, I32],
            results: &[I64],
            expected: "a function (i32, i32) -> i64",
        },
    ]
};

/// What the `memory` export must be, as messages write it.
pub const MEMORY_EXPECTED: &str = "a 32-bit, unshared memory";

/// What a module exports under a required name, as [`super::ErrorKind::ExportType`] writes what it found
/// (`a function (i64) -> i32`, `a shared memory`, `a global`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// A function, its parameter and result types in wasm's text names (`i32`, `funcref`).
    Function {
        /// Parameter types.
        params: Vec<String>,
        /// Result types.
        results: Vec<String>,
    },
    /// A function whose type could not be read (the module is invalid; compiling it would fail).
    UnknownFunction,
    /// A memory.
    Memory {
        /// Shared between threads.
        shared: bool,
        /// Indexed by 64-bit addresses.
        is_64: bool,
    },
    /// A table.
    Table,
    /// A global.
    Global,
    /// An exception tag.
    Tag,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::Function { params, results } => {
                write!(f, "a function ({}) -> ", params.join(", "))?;
                match results.as_slice() {
                    [] => f.write_str("()"),
                    [one] => f.write_str(one),
                    _ => write!(f, "({})", results.join(", ")),
                }
            }
            Found::UnknownFunction => f.write_str("a function"),
            Found::Memory { shared: true, .. } => f.write_str("a shared memory"),
            Found::Memory { is_64: true, .. } => f.write_str("a 64-bit memory"),
            Found::Memory { .. } => f.write_str("a memory"),
            Found::Table => f.write_str("a table"),
            Found::Global => f.write_str("a global"),
            Found::Tag => f.write_str("a tag"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_required_types_are_worded_as_found_types_are() {
        let name = |t: &ValueType| if *t == ValueType::I32 { "i32" } else { "i64" }.to_owned();
        for fx in FUNCTION_EXPORTS {
            let found = Found::Function {
                params: fx.params.iter().map(name).collect(),
                results: fx.results.iter().map(name).collect(),
            };
            assert_eq!(found.to_string(), fx.expected);
            assert!(fx.accepts(fx.params.iter().copied().map(Some), fx.results.iter().copied().map(Some)));
            assert!(!fx.accepts(fx.params.iter().copied().map(Some), [None]));
        }
        let two = Found::Function { params: vec![], results: vec!["i32".to_owned(), "f64".to_owned()] };
        assert_eq!(two.to_string(), "a function () -> (i32, f64)");
        assert_eq!(Found::Memory { shared: true, is_64: true }.to_string(), "a shared memory");
    }
}
