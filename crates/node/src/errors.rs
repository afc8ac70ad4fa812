//! The one mapping from Rust errors to JavaScript errors.
//!
//! A JavaScript error from this addon has a message of the form
//! `NEWEID_ERROR {json}`, where the JSON object contains `code`, and where known
//! `step`, `sw`, `retriesLeft`, `pinState`, `reader` and `detail`. The
//! TypeScript layer (`ts/native.ts`) turns it into a `NewEidError`. The JSON
//! carries codes, step names, status words, counts and reader names only:
//! never a secret.

use std::panic::{catch_unwind, AssertUnwindSafe};

use neweid_card::{Error as CardError, ErrorKind};

/// Prefix that marks an addon error whose message is structured JSON.
pub(crate) const ERROR_PREFIX: &str = "NEWEID_ERROR ";

/// Builds the JavaScript error form from a stable code and an English detail.
pub(crate) fn with_code(code: &str, detail: impl Into<String>) -> napi::Error {
    let mut object = serde_json::Map::new();
    object.insert("code".into(), code.into());
    object.insert("detail".into(), detail.into().into());
    napi::Error::from_reason(format!("{ERROR_PREFIX}{}", serde_json::Value::Object(object)))
}

/// Converts a card error into the JavaScript error form.
pub(crate) fn to_js(error: &CardError) -> napi::Error {
    let mut object = serde_json::Map::new();
    object.insert("code".into(), error.kind.code().into());
    if let Some(step) = &error.step {
        object.insert("step".into(), step.clone().into());
    }
    if let Some(sw) = error.sw {
        object.insert("sw".into(), sw.0.into());
    }
    if let Some(retries) = error.retries_left {
        object.insert("retriesLeft".into(), retries.into());
    }
    if let Some(state) = error.pin_state {
        object.insert("pinState".into(), state.name().into());
    }
    if let Some(reader) = &error.reader {
        object.insert("reader".into(), reader.clone().into());
    }
    if let Some(detail) = &error.detail {
        object.insert("detail".into(), detail.clone().into());
    }
    if !error.readers.is_empty() {
        object.insert("readers".into(), error.readers.clone().into());
    }
    napi::Error::from_reason(format!("{ERROR_PREFIX}{}", serde_json::Value::Object(object)))
}

/// Builds an error with only a code and an English detail.
pub(crate) fn coded(kind: ErrorKind, detail: impl Into<String>) -> napi::Error {
    to_js(&CardError::new(kind).with_detail(detail))
}

/// Runs `work`, turning a panic into an `INTERNAL` error so that no panic
/// unwinds into the JavaScript engine or kills a libuv worker thread.
pub(crate) fn guard<T>(work: impl FnOnce() -> napi::Result<T>) -> napi::Result<T> {
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(coded(ErrorKind::Internal, format!("internal panic: {message}")))
        }
    }
}
