//! The napi-rs bindings of the `neweid` npm package: the only crate that
//! knows JavaScript. Card and verification work runs as asynchronous tasks on
//! the libuv thread pool; the TypeScript layer in `ts/` is the public API.

use napi_derive::napi;

mod card_thread;
mod errors;
pub mod evidence;
pub mod open_api;
pub mod pa;
mod readers;
pub mod virtual_card;

/// Returns the version of the native addon.
#[napi]
pub fn native_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
