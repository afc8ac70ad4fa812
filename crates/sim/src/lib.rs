//! The virtual New eID card: the chip side of every protocol, the file system
//! of the card profile, personas, and fault injection. It runs in process or
//! connected to vsmartcard's vpcd, where pcscd shows it as a real card.
//!
//! Every persona is fictitious and every key is a generated test key.

pub mod card;
pub mod cns;
pub mod content;
pub mod pace;
pub mod persona;
pub mod vpcd;

pub use content::{BuildError, CardBuilder, CardContent};
