//! Cryptographic primitives behind small wrappers over OpenSSL: AES in CBC
//! and ECB mode without padding, AES-CMAC, SHA-1 and SHA-256, and the
//! elliptic-curve operations that PACE and Chip Authentication need.
//!
//! Protocol modules call these wrappers and never OpenSSL directly, so the
//! library can be swapped in one place. Randomness comes through
//! [`RandomSource`], which tests replace to replay published worked examples.

pub(crate) mod ec;
pub(crate) mod hash;
pub(crate) mod symmetric;

pub use ec::NamedCurve;

use crate::error::{OpensslContext, Result};

/// A block cipher of ICAO 9303-11 §9.7 and TR-03110-3 §A.2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cipher {
    /// Two-key triple DES, as used by BAC and the oldest PACE variants.
    Tdes,
    Aes128,
    Aes192,
    Aes256,
}

impl Cipher {
    /// Returns the key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            Self::Tdes | Self::Aes128 => 16,
            Self::Aes192 => 24,
            Self::Aes256 => 32,
        }
    }

    /// Returns the block length in bytes.
    pub fn block_len(self) -> usize {
        match self {
            Self::Tdes => 8,
            Self::Aes128 | Self::Aes192 | Self::Aes256 => 16,
        }
    }

    pub fn is_aes(self) -> bool {
        self != Self::Tdes
    }
}

/// A source of random bytes for nonces and ephemeral keys.
pub trait RandomSource {
    /// Fills `out` with random bytes.
    fn fill(&mut self, out: &mut [u8]) -> Result<()>;
}

/// The operating system's random generator, through OpenSSL's private DRBG.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemRandom;

impl RandomSource for SystemRandom {
    fn fill(&mut self, out: &mut [u8]) -> Result<()> {
        openssl::rand::rand_priv_bytes(out).context("random bytes")
    }
}

#[cfg(test)]
mod tests;
