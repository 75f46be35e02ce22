//! How [`super::ErrorKind`] is written as JSON (or a JS object): what serde cannot derive. A
//! [`Call`] is its export's name and a duration whole milliseconds.

use super::Call;
use crate::limits;
use serde::de::{Deserializer, Error};
use serde::{Deserialize, Serialize, Serializer};
use std::time::Duration;

impl Serialize for Call {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Call {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Call, D::Error> {
        let name = String::deserialize(d)?;
        Call::from_name(&name).ok_or_else(|| D::Error::custom(format!("unknown call `{name}`")))
    }
}

/// The ABI's nominal stack: what a browser, which fixes its own, reports.
pub(super) fn stack() -> u64 {
    limits::STACK as u64
}

/// A [`Duration`] as whole milliseconds.
pub(super) mod millis {
    use super::*;

    pub(in super::super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub(in super::super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ErrorKind, Excess};
    use super::*;
    use crate::exports;

    /// What the browser's worker sends reads as the kind the native host builds, and back.
    #[test]
    fn kinds_read_as_the_worker_writes_them() {
        let read = |v: serde_json::Value| serde_json::from_value::<ErrorKind>(v);
        let timeout = read(serde_json::json!({"kind": "timeout", "call": "kpitree_evaluate", "limitMs": 250}));
        assert_eq!(timeout.ok(), Some(ErrorKind::Timeout { call: Call::Evaluate, limit: Duration::from_millis(250) }));
        let overflow = read(serde_json::json!({"kind": "stack-overflow", "call": "instantiation"}));
        assert_eq!(overflow.ok(), Some(ErrorKind::StackOverflow { call: Call::Instantiate, limit: stack() }));
        let bad = read(serde_json::json!({"kind": "trap", "call": "main", "trap": "x"})).expect_err("no such call");
        assert!(bad.to_string().contains("unknown call `main`"), "{bad}");
        let runtime = [
            ErrorKind::Io { path: "a/b.wasm".into(), detail: "gone".into() },
            ErrorKind::OutOfBounds { call: Call::Alloc, ptr: 8, len: 4, memory: 65536 },
            ErrorKind::Host { call: Call::Manifest, detail: "worker".into() },
        ];
        for kind in runtime {
            let json = serde_json::to_value(&kind).expect("serialises");
            assert_eq!(read(json).ok(), Some(kind));
        }
        // The protocol's own verdicts are written, not read: no runtime reports them.
        let own = ErrorKind::ModuleTooComplex { what: Excess::CodeSize, count: 2, limit: 1 };
        let json = serde_json::to_value(&own).expect("serialises");
        assert_eq!(json["kind"], "module-too-complex");
        assert!(read(json).is_err());
        let json = serde_json::to_value(ErrorKind::MissingExport { name: exports::MEMORY }).expect("serialises");
        assert_eq!(json, serde_json::json!({"kind": "missing-export", "name": "memory"}));
    }
}
