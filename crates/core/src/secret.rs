//! Secret values: passwords and key material.
//!
//! Secret types wipe their bytes on drop, print as a redacted placeholder in
//! `Debug`, implement neither `Display` nor `Clone`, and compare in constant time.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Secret bytes: a key, a nonce, a shared secret or a password.
#[derive(Zeroize, ZeroizeOnDrop, Default)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// Copies `bytes`; the caller stays responsible for wiping its own copy.
    pub fn copy_from(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Compares with `other` in time that depends only on the lengths.
    pub fn ct_eq(&self, other: &[u8]) -> bool {
        constant_time_eq(&self.0, other)
    }

    /// Makes a second copy. Every call site says why it needs one.
    pub fn duplicate(&self) -> Self {
        Self(self.0.clone())
    }
}

impl From<Zeroizing<Vec<u8>>> for SecretBytes {
    fn from(mut bytes: Zeroizing<Vec<u8>>) -> Self {
        Self(std::mem::take(&mut *bytes))
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes(<{} bytes redacted>)", self.0.len())
    }
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && openssl::memcmp::eq(a, b)
}

/// The PACE password kinds and their key references (TR-03110-3 Table D.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PasswordKind {
    Mrz = 1,
    Can = 2,
    Pin = 3,
    Puk = 4,
}

impl PasswordKind {
    /// The key reference sent in `MSE:Set AT` (`83`).
    pub fn reference(self) -> u8 {
        self as u8
    }

    pub fn from_reference(reference: u8) -> Option<Self> {
        match reference {
            1 => Some(Self::Mrz),
            2 => Some(Self::Can),
            3 => Some(Self::Pin),
            4 => Some(Self::Puk),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Mrz => "MRZ",
            Self::Can => "CAN",
            Self::Pin => "PIN",
            Self::Puk => "PUK",
        }
    }
}

/// A PACE password. For CAN, PIN and PUK the bytes are the ASCII digits; for
/// MRZ they are SHA-1 of the MRZ information, as TR-03110-2 §3.2 says.
pub struct Password {
    kind: PasswordKind,
    value: SecretBytes,
}

impl Password {
    pub fn new(kind: PasswordKind, value: SecretBytes) -> Self {
        Self { kind, value }
    }

    pub fn kind(&self) -> PasswordKind {
        self.kind
    }

    pub fn bytes(&self) -> &[u8] {
        self.value.expose()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Password({}, <redacted>)", self.kind.name())
    }
}
