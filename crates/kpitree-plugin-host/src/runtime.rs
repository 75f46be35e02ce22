//! The process-wide wasmtime engines and the epoch ticker that enforces wall time.
//!
//! An [`Engine`] is configured once per stack limit (wasmtime fixes `max_wasm_stack` per engine) and
//! shared by every plugin loaded with that limit, so compiled code is reused. One ticker thread,
//! started with the first engine, increments every engine's epoch each [`TICK`] while at least one
//! call is running and sleeps (parked) otherwise, so an idle process does not wake up.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::Thread;
use std::time::Duration;
use wasmtime::{Config, Engine};

/// How often the epoch advances while plugins run: the granularity of the wall-time limit.
pub(crate) const TICK: Duration = Duration::from_millis(10);

static ENGINES: Mutex<Vec<(usize, Engine)>> = Mutex::new(Vec::new());
static TICKER: OnceLock<Option<Thread>> = OnceLock::new();
static RUNNING: AtomicUsize = AtomicUsize::new(0);

/// The engine for plugins with this wasm stack limit, created on first use.
pub(crate) fn engine(stack: usize) -> wasmtime::Result<Engine> {
    let mut engines = ENGINES.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, e)) = engines.iter().find(|(s, _)| *s == stack) {
        return Ok(e.clone());
    }
    let mut config = Config::new();
    config
        // CPU: deterministic fuel. Wall time: epochs advanced by the ticker.
        .consume_fuel(true)
        .epoch_interruption(true)
        .max_wasm_stack(stack)
        // The ABI is wasm32 with one memory and no threads.
        .wasm_memory64(false)
        .wasm_multi_memory(false)
        // Determinism: the same findings on every platform (and as close as wasm allows to browsers).
        .cranelift_nan_canonicalization(true)
        .relaxed_simd_deterministic(true);
    let engine = Engine::new(&config)?;
    engines.push((stack, engine.clone()));
    drop(engines);
    TICKER.get_or_init(spawn_ticker);
    Ok(engine)
}

fn spawn_ticker() -> Option<Thread> {
    std::thread::Builder::new()
        .name("kpitree-plugin-epoch".into())
        .spawn(|| {
            loop {
                if RUNNING.load(Ordering::Acquire) == 0 {
                    std::thread::park();
                    continue;
                }
                std::thread::sleep(TICK);
                let engines = ENGINES.lock().unwrap_or_else(|p| p.into_inner());
                for (_, e) in engines.iter() {
                    e.increment_epoch();
                }
            }
        })
        .ok()
        .map(|h| h.thread().clone())
}

/// Epoch ticks for a wall-time limit: rounded up, plus one because the first tick may come at once.
pub(crate) fn deadline_ticks(limit: Duration) -> u64 {
    let tick = TICK.as_nanos().max(1);
    (limit.as_nanos().div_ceil(tick) as u64).saturating_add(1)
}

/// Marks a call as running while it lives, so the ticker ticks.
pub(crate) struct Running(());

impl Running {
    pub(crate) fn start() -> Running {
        if RUNNING.fetch_add(1, Ordering::AcqRel) == 0
            && let Some(Some(t)) = TICKER.get()
        {
            t.unpark();
        }
        Running(())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_round_up() {
        assert_eq!(deadline_ticks(Duration::from_millis(10)), 2);
        assert_eq!(deadline_ticks(Duration::from_millis(11)), 3);
        assert_eq!(deadline_ticks(Duration::from_secs(5)), 501);
        assert_eq!(deadline_ticks(Duration::ZERO), 1);
    }
}
