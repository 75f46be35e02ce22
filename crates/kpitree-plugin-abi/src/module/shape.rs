//! What a module declares that a host checks before it instantiates it, read with wasmparser: the
//! five exports with exactly the ABI's types, the number of tables, and what instantiating it would
//! take (initial memory, table elements) against the limits. Both hosts call [`inspect`]: natively
//! after wasmtime compiled the module (so a module that does not compile says so first), in the
//! browser before the page compiles it ([`prepare`], which also lowers the memory maximum).

use crate::error::{Call, ErrorKind, FUNCTION_EXPORTS, Found, MEMORY_EXPECTED, ValueType};
use crate::module::{ModuleLimits, check, write_leb128};
use crate::{exports, limits};
use wasmparser::{CompositeInnerType, ExternalKind, MemoryType, Parser, Payload, ValType};

/// A wasm page.
const PAGE: u64 = 65536;

/// A function type's parameters and results.
type Sig = (Vec<ValType>, Vec<ValType>);

/// The declarations [`inspect`] checked.
#[derive(Debug, Default)]
pub struct Shape {
    types: Vec<Option<Sig>>,
    functions: Vec<u32>,
    memories: Vec<MemoryType>,
    exported: Vec<(String, ExternalKind, u32)>,
    tables: Vec<u64>,
}

/// Checks what a module (which [`check`] accepted) declares, in this order: at most
/// [`limits::TABLES`] tables, the `memory` export and the four function exports with exactly the
/// ABI's types ([`FUNCTION_EXPORTS`]), no memory starting larger than `memory_limit` bytes and no
/// table larger than [`limits::TABLE_ELEMENTS`] (each refused as instantiation would refuse it).
pub fn inspect(bytes: &[u8], memory_limit: u64) -> Result<Shape, ErrorKind> {
    let shape = read(bytes)?;
    if shape.tables.len() > limits::TABLES {
        return Err(ErrorKind::TooManyTables { count: shape.tables.len() as u64, limit: limits::TABLES as u64 });
    }
    shape.check_exports()?;
    if let Some(m) = shape.memories.iter().find(|m| m.initial > memory_limit / PAGE) {
        return Err(ErrorKind::OutOfMemory {
            call: Call::Instantiate,
            limit: memory_limit,
            requested: m.initial.saturating_mul(PAGE),
        });
    }
    if let Some(&requested) = shape.tables.iter().find(|&&t| t > limits::TABLE_ELEMENTS as u64) {
        return Err(ErrorKind::TableTooLarge {
            call: Call::Instantiate,
            limit: limits::TABLE_ELEMENTS as u64,
            requested,
        });
    }
    Ok(shape)
}

/// What the browser does before it compiles a module: its size against `module_limit`, [`check`]
/// under `counts`, [`inspect`] against `memory_limit`; then the module with every 32-bit memory's
/// maximum lowered to `memory_limit`, so that `memory.grow` past the limit fails inside the plugin,
/// as under the native host's limiter.
pub fn prepare(bytes: &[u8], module_limit: u64, memory_limit: u64, counts: ModuleLimits) -> Result<Vec<u8>, ErrorKind> {
    if bytes.len() as u64 > module_limit {
        return Err(ErrorKind::ModuleTooLarge { size: bytes.len() as u64, limit: module_limit });
    }
    check(bytes, counts)?;
    let shape = inspect(bytes, memory_limit)?;
    Ok(shape.with_memory_maximum(bytes, memory_limit / PAGE))
}

fn read(bytes: &[u8]) -> Result<Shape, ErrorKind> {
    let invalid = |e: wasmparser::BinaryReaderError| ErrorKind::InvalidModule { detail: e.to_string() };
    let mut s = Shape::default();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(invalid)? {
            Payload::TypeSection(r) => {
                for group in r {
                    for sub in group.map_err(invalid)?.into_types() {
                        s.types.push(match &sub.composite_type.inner {
                            CompositeInnerType::Func(f) => Some((f.params().to_vec(), f.results().to_vec())),
                            _ => None,
                        });
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    s.functions.push(t.map_err(invalid)?);
                }
            }
            Payload::TableSection(r) => {
                for t in r {
                    s.tables.push(t.map_err(invalid)?.ty.initial);
                }
            }
            Payload::MemorySection(r) => {
                for m in r {
                    s.memories.push(m.map_err(invalid)?);
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(invalid)?;
                    s.exported.push((e.name.to_owned(), e.kind, e.index));
                }
            }
            _ => {}
        }
    }
    Ok(s)
}

impl Shape {
    fn find(&self, name: &str) -> Option<(ExternalKind, u32)> {
        self.exported.iter().find(|(n, _, _)| n == name).map(|&(_, kind, index)| (kind, index))
    }

    fn sig(&self, function: u32) -> Option<&Sig> {
        self.functions.get(function as usize).and_then(|&t| self.types.get(t as usize)).and_then(Option::as_ref)
    }

    /// What is exported as `kind` number `index`, as [`ErrorKind::ExportType`] words it.
    fn describe(&self, kind: ExternalKind, index: u32) -> String {
        let names = |v: &[ValType]| v.iter().map(ValType::to_string).collect();
        match kind {
            ExternalKind::Func => match self.sig(index) {
                Some((params, results)) => Found::Function { params: names(params), results: names(results) },
                None => Found::UnknownFunction,
            },
            ExternalKind::Memory => {
                let m = self.memories.get(index as usize);
                Found::Memory { shared: m.is_some_and(|m| m.shared), is_64: m.is_some_and(|m| m.memory64) }
            }
            ExternalKind::Table => Found::Table,
            ExternalKind::Global => Found::Global,
            _ => Found::Tag,
        }
        .to_string()
    }

    /// The `memory` export, then [`FUNCTION_EXPORTS`] in order.
    fn check_exports(&self) -> Result<(), ErrorKind> {
        match self.find(exports::MEMORY) {
            None => return Err(ErrorKind::MissingExport { name: exports::MEMORY }),
            Some((ExternalKind::Memory, i))
                if self.memories.get(i as usize).is_some_and(|m| !m.shared && !m.memory64) => {}
            Some((kind, i)) => {
                let found = self.describe(kind, i);
                return Err(ErrorKind::ExportType { name: exports::MEMORY, expected: MEMORY_EXPECTED, found });
            }
        }
        let value_type = |v: &ValType| match v {
            ValType::I32 => Some(ValueType::I32),
            ValType::I64 => Some(ValueType::I64),
            _ => None,
        };
        for fx in &FUNCTION_EXPORTS {
            let Some((kind, index)) = self.find(fx.name) else {
                return Err(ErrorKind::MissingExport { name: fx.name });
            };
            let ok = kind == ExternalKind::Func
                && self.sig(index).is_some_and(|(p, r)| fx.accepts(p.iter().map(value_type), r.iter().map(value_type)));
            if !ok {
                let found = self.describe(kind, index);
                return Err(ErrorKind::ExportType { name: fx.name, expected: fx.expected, found });
            }
        }
        Ok(())
    }

    /// `bytes` (the module this shape was read from) with its memory section rewritten so every
    /// 32-bit memory has a maximum of at most `limit_pages`. Other sections are copied byte for byte.
    pub fn with_memory_maximum(&self, bytes: &[u8], limit_pages: u64) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len() + 8);
        out.extend_from_slice(&bytes[..8.min(bytes.len())]);
        let mut at = 8;
        while at < bytes.len() {
            let id = bytes[at];
            let mut p = at + 1;
            let Some(len) = read_leb(bytes, &mut p) else { return bytes.to_vec() };
            let Some(end) = p.checked_add(len as usize).filter(|&end| end <= bytes.len()) else {
                return bytes.to_vec();
            };
            // Custom page sizes (flag 0x08) keep their limits: the page count would mean something else.
            if id == 5 && self.memories.iter().all(|m| m.page_size_log2.is_none()) {
                let mut body = Vec::new();
                write_leb128(&mut body, self.memories.len() as u64);
                for m in &self.memories {
                    let patch = !m.memory64 && !m.shared;
                    let maximum =
                        if patch { Some(m.maximum.map_or(limit_pages, |x| x.min(limit_pages))) } else { m.maximum };
                    let mut flags = 0u8;
                    if maximum.is_some() {
                        flags |= 0x01;
                    }
                    if m.shared {
                        flags |= 0x02;
                    }
                    if m.memory64 {
                        flags |= 0x04;
                    }
                    body.push(flags);
                    write_leb128(&mut body, m.initial);
                    if let Some(x) = maximum {
                        write_leb128(&mut body, x);
                    }
                }
                out.push(5);
                write_leb128(&mut out, body.len() as u64);
                out.extend_from_slice(&body);
            } else {
                out.extend_from_slice(&bytes[at..end]);
            }
            at = end;
        }
        out
    }
}

/// Reads an unsigned LEB128 at `*at` (the module was parsed already, so it is well formed).
fn read_leb(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let (mut v, mut shift) = (0u64, 0);
    loop {
        let b = *bytes.get(*at)?;
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}
