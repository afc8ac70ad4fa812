//! Codecs, cryptography and protocol state machines of the Taiwan New eID
//! card: BER-TLV and APDUs, secure messaging, PACE, and the card profile.
//!
//! This crate does no I/O. The `neweid-card` crate drives a real or virtual
//! card through it, and `neweid-sim` uses the chip side of each protocol.

#![cfg_attr(test, allow(clippy::indexing_slicing))]

pub mod apdu;
pub mod asn1;
pub mod crypto;
pub mod error;
pub mod kdf;
pub mod pa;
pub mod pace;
pub mod profile;
pub mod secret;
pub mod security_info;
pub mod sm;
pub mod tlv;

#[cfg(test)]
mod test_support;

pub use error::{CodecError, Error, ProtocolViolation, Result};
