//! kpitree-json-lite against serde_json, as the crate's own tests compare them: whatever json-lite
//! reads (a tree, a configuration, any value), serde_json reads to the same value, numbers bit for
//! bit; json-lite may decline anything (the full engine then reads the text).

#![no_main]

use kpitree_core::TreeDoc;
use kpitree_core::config::Config;
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    compare::<TreeDoc>(text);
    compare::<Config>(text);
    let lite = kpitree_json_lite::from_str::<Value>(text);
    let json = serde_json::from_str::<Value>(text);
    match (lite, json) {
        (Ok(a), Ok(b)) => same_value(&a, &b, text),
        (Ok(a), Err(e)) => panic!("json-lite read {text:?} as {a:?}, which serde_json refuses: {e}"),
        _ => {}
    }
});

/// Both readers as `T`: same value (compared by serde_json's text, so floats by their digits and
/// -0 is not 0) or json-lite declines.
fn compare<T: DeserializeOwned + Serialize + std::fmt::Debug>(text: &str) {
    match (kpitree_json_lite::from_str::<T>(text), serde_json::from_str::<T>(text)) {
        (Ok(a), Ok(b)) => {
            let (a, b) =
                (serde_json::to_string(&a).expect("serializes"), serde_json::to_string(&b).expect("serializes"));
            assert_eq!(a, b, "different values for {text:?}");
        }
        (Ok(a), Err(e)) => panic!("json-lite read {text:?} as {a:?}, which serde_json refuses: {e}"),
        _ => {}
    }
}

/// Numbers by kind (integer or not) and bits; containers element by element, keys in order.
fn same_value(a: &Value, b: &Value, text: &str) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            assert_eq!((x.as_u64(), x.as_i64()), (y.as_u64(), y.as_i64()), "integer kind of {text:?}");
            assert_eq!(x.as_f64().map(f64::to_bits), y.as_f64().map(f64::to_bits), "bits of {text:?}");
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{text:?}");
            x.iter().zip(y).for_each(|(x, y)| same_value(x, y, text));
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>(), "{text:?}");
            x.values().zip(y.values()).for_each(|(x, y)| same_value(x, y, text));
        }
        _ => assert_eq!(a, b, "{text:?}"),
    }
}
