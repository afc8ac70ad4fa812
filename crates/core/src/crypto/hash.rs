//! SHA-1 and SHA-256 over a list of parts. Digests feed key derivation, so
//! they come back in memory that is wiped on drop.

use openssl::sha::{Sha1, Sha256};
use zeroize::Zeroizing;

/// Returns SHA-1 of the concatenation of `parts`.
pub(crate) fn sha1(parts: &[&[u8]]) -> Zeroizing<[u8; 20]> {
    let mut hasher = Sha1::new();
    for part in parts {
        hasher.update(part);
    }
    Zeroizing::new(hasher.finish())
}

/// Returns SHA-256 of the concatenation of `parts`.
pub(crate) fn sha256(parts: &[&[u8]]) -> Zeroizing<[u8; 32]> {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    Zeroizing::new(hasher.finish())
}
