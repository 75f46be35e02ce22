//! [`Limits`]: what one call into a plugin may use, with the defaults of `plugins/ABI.md`.

use std::fmt;
use std::time::Duration;

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;
/// The range of the wasm stack, in KiB: at most 2 MiB because wasmtime refuses a `max_wasm_stack`
/// above its (async) stack size of 2 MiB; at least 64 KiB, so that a plugin has room for any call.
/// [`Limits::stack`] and `stack_kib` ([`Limits::set`]) both keep to it.
const STACK_KIB: (u64, u64) = (64, 2048);

/// What a plugin may use. Every call (`kpitree_abi_version`, `kpitree_manifest`, `kpitree_alloc`,
/// `kpitree_evaluate`, and the instantiation before them) runs in a fresh store under these limits.
///
/// Builder-style: `Limits::default().fuel(10_000_000).memory(16 << 20)`. Front ends that read limits
/// from text (flags, `[limits]` in `kpitree.toml`) use [`Limits::set`] with the names of
/// [`Limits::KEYS`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// CPU: wasmtime fuel units per call (about one per wasm instruction). Deterministic.
    pub fuel: u64,
    /// Wall time per call, enforced with wasmtime's epoch deadline (granularity 10 ms).
    pub time: Duration,
    /// Linear memory in bytes; `memory.grow` past it returns -1 to the plugin.
    pub memory: usize,
    /// Size of the module file in bytes, checked before compiling.
    pub module_size: usize,
    /// Size of a request in bytes, checked before calling.
    pub input_size: usize,
    /// Size of an answer (manifest or response) in bytes, checked before reading it.
    pub output_size: usize,
    /// Functions a module may define, checked before compiling (compiling costs time and memory
    /// for each, however small).
    pub functions: usize,
    /// Bytes of code (all function bodies) a module may have, checked before compiling.
    pub code_size: usize,
    /// Native stack the plugin's wasm code may use, in bytes (wasmtime `max_wasm_stack`), at most 2 MiB.
    /// The call runs on the caller's thread when it has this much stack left (plus 256 KiB for the
    /// host), otherwise on a fresh stack segment, so any thread may call.
    pub stack: usize,
}

impl Default for Limits {
    /// The defaults of `plugins/ABI.md`, from [`kpitree_plugin_abi::limits`], which the browser runner
    /// uses too.
    fn default() -> Limits {
        use kpitree_plugin_abi::limits as d;
        Limits {
            fuel: d::FUEL,
            time: Duration::from_millis(d::TIME_MS),
            memory: d::MEMORY,
            module_size: d::MODULE_SIZE,
            input_size: d::INPUT_SIZE,
            output_size: d::OUTPUT_SIZE,
            functions: d::FUNCTIONS,
            code_size: d::CODE_SIZE,
            stack: d::STACK,
        }
    }
}

/// A limit given by name with a value that is unknown or out of range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitError {
    /// The name given.
    pub key: String,
    /// What is wrong.
    pub detail: String,
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "limit `{}`: {}", self.key, self.detail)
    }
}

impl std::error::Error for LimitError {}

impl Limits {
    /// The names [`Limits::set`] takes, each with its unit, smallest and largest value and a help line.
    pub const KEYS: &'static [(&'static str, u64, u64, &'static str)] = &[
        ("fuel", 1, u64::MAX, "CPU budget per call, in wasmtime fuel units (about one per instruction)"),
        ("time_ms", 1, 3_600_000, "wall time per call, in milliseconds"),
        ("memory_mib", 1, 4096, "linear memory, in MiB"),
        ("module_mib", 1, 1024, "size of a plugin file, in MiB"),
        ("input_mib", 1, 4095, "size of a request, in MiB"),
        ("output_mib", 1, 4095, "size of a manifest or response, in MiB"),
        ("functions", 1, 1_000_000, "functions a plugin module may define, checked before compiling"),
        ("code_mib", 1, 1024, "code in a plugin module, in MiB, checked before compiling"),
        ("stack_kib", STACK_KIB.0, STACK_KIB.1, "native stack for the plugin's code, in KiB"),
    ];

    /// Sets the CPU budget (fuel units per call).
    pub fn fuel(mut self, fuel: u64) -> Limits {
        self.fuel = fuel;
        self
    }

    /// Sets the wall-time limit per call.
    pub fn time(mut self, time: Duration) -> Limits {
        self.time = time;
        self
    }

    /// Sets the memory limit in bytes.
    pub fn memory(mut self, bytes: usize) -> Limits {
        self.memory = bytes;
        self
    }

    /// Sets the largest module file in bytes.
    pub fn module_size(mut self, bytes: usize) -> Limits {
        self.module_size = bytes;
        self
    }

    /// Sets the largest request in bytes.
    pub fn input_size(mut self, bytes: usize) -> Limits {
        self.input_size = bytes;
        self
    }

    /// Sets the largest answer in bytes.
    pub fn output_size(mut self, bytes: usize) -> Limits {
        self.output_size = bytes;
        self
    }

    /// Sets how many functions a module may define.
    pub fn functions(mut self, count: usize) -> Limits {
        self.functions = count;
        self
    }

    /// Sets the bytes of code a module may have.
    pub fn code_size(mut self, bytes: usize) -> Limits {
        self.code_size = bytes;
        self
    }

    /// The limits a module is checked against before it is compiled (those that are configurable; the
    /// others are `kpitree_plugin_abi::limits`').
    pub fn module(&self) -> kpitree_plugin_abi::module::ModuleLimits {
        kpitree_plugin_abi::module::ModuleLimits { functions: self.functions as u64, code_size: self.code_size as u64 }
    }

    /// Sets the wasm stack in bytes, kept within 64 KiB..=2 MiB (the range of `stack_kib`): a
    /// larger stack would make every plugin fail to load.
    pub fn stack(mut self, bytes: usize) -> Limits {
        self.stack = bytes.clamp(STACK_KIB.0 as usize * KIB, STACK_KIB.1 as usize * KIB);
        self
    }

    /// Sets one limit by the name of [`Limits::KEYS`] (`memory_mib = 64`), checking its range.
    pub fn set(&mut self, key: &str, value: u64) -> Result<(), LimitError> {
        let err = |detail: String| LimitError { key: key.to_owned(), detail };
        let Some(&(_, min, max, _)) = Limits::KEYS.iter().find(|(k, ..)| *k == key) else {
            let known: Vec<&str> = Limits::KEYS.iter().map(|(k, ..)| *k).collect();
            return Err(err(format!("no such limit; limits: {}", known.join(", "))));
        };
        if value < min || value > max {
            return Err(err(format!("{value} is outside {min}..={max}")));
        }
        let v = value as usize;
        match key {
            "fuel" => self.fuel = value,
            "time_ms" => self.time = Duration::from_millis(value),
            "memory_mib" => self.memory = v * MIB,
            "module_mib" => self.module_size = v * MIB,
            "input_mib" => self.input_size = v * MIB,
            "output_mib" => self.output_size = v * MIB,
            "functions" => self.functions = v,
            "code_mib" => self.code_size = v * MIB,
            _ => self.stack = v * KIB,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_checks_names_and_ranges() {
        let mut l = Limits::default();
        l.set("memory_mib", 64).expect("in range");
        assert_eq!(l.memory, 64 * MIB);
        l.set("time_ms", 250).expect("in range");
        assert_eq!(l.time, Duration::from_millis(250));
        assert_eq!(
            l.set("stack_kib", 8).expect_err("too small").to_string(),
            "limit `stack_kib`: 8 is outside 64..=2048"
        );
        assert!(
            l.set("ram", 1).expect_err("unknown").to_string().starts_with("limit `ram`: no such limit; limits: fuel,")
        );
    }

    /// The builder and the named setting keep the stack in the same range.
    #[test]
    fn the_stack_builder_keeps_to_the_range_of_stack_kib() {
        assert_eq!(Limits::default().stack(8 * MIB).stack, 2 * MIB);
        assert_eq!(Limits::default().stack(1).stack, 64 * KIB);
        assert_eq!(Limits::default().stack(300 * KIB).stack, 300 * KIB);
        let mut l = Limits::default();
        l.set("stack_kib", 2048).expect("in range");
        assert_eq!(l.stack, Limits::default().stack(usize::MAX).stack);
        assert!(l.set("stack_kib", 2049).is_err());
    }
}
