//! The key derivation function of ICAO 9303-11 §9.7.1 and TR-03110-3
//! §A.2.3: `KDF(K, c) = H(K ‖ c)`, with `c` a 32-bit big-endian counter,
//! truncated to the key length.
//!
//! SHA-1 serves 3DES and AES-128, SHA-256 serves AES-192 and AES-256. For
//! 3DES the first 16 bytes form the two keys `Ka ‖ Kb`, and the least
//! significant bit of every byte is set for odd parity, as in the 3DES keys
//! of the ICAO 9303-11 Appendix D example (see `testdata/kdf.txt`).

use crate::crypto::hash::{sha1, sha256};
use crate::crypto::Cipher;
use crate::secret::{Password, SecretBytes};
use crate::sm::SessionKeys;

/// Counter for the encryption key `K_enc`.
pub const COUNTER_ENC: u32 = 1;
/// Counter for the MAC key `K_mac`.
pub const COUNTER_MAC: u32 = 2;
/// Counter for the PACE password key `K_π`.
pub const COUNTER_PASSWORD: u32 = 3;

/// Derives one key of `cipher` from `secret` and `counter`.
pub fn derive_key(secret: &[u8], counter: u32, cipher: Cipher) -> SecretBytes {
    derive_key_with_nonce(secret, &[], counter, cipher)
}

/// Derives one key with the optional nonce of TR-03110-3 §A.2.3:
/// `KDF(K, r, c) = H(K ‖ r ‖ c)`. Chip Authentication version 2 passes the
/// chip's nonce here. An empty `nonce` gives [`derive_key`].
pub fn derive_key_with_nonce(secret: &[u8], nonce: &[u8], counter: u32, cipher: Cipher) -> SecretBytes {
    let counter = counter.to_be_bytes();
    let parts: [&[u8]; 3] = [secret, nonce, &counter];
    let key_len = cipher.key_len();
    let mut key = match cipher {
        Cipher::Tdes | Cipher::Aes128 => SecretBytes::copy_from(sha1(&parts).get(..key_len).unwrap_or_default()),
        Cipher::Aes192 | Cipher::Aes256 => SecretBytes::copy_from(sha256(&parts).get(..key_len).unwrap_or_default()),
    };
    if cipher == Cipher::Tdes {
        key = adjust_des_parity(&key);
    }
    key
}

/// Sets the least significant bit of each byte so that every byte has an
/// odd number of one bits, as DES keys carry their parity.
fn adjust_des_parity(key: &SecretBytes) -> SecretBytes {
    let adjusted = key
        .expose()
        .iter()
        .map(|&byte| {
            let high_bits = byte & 0xFE;
            if high_bits.count_ones() % 2 == 0 {
                high_bits | 1
            } else {
                high_bits
            }
        })
        .collect();
    SecretBytes::new(adjusted)
}

/// Derives the PACE password key `K_π = KDF(f(π), 3)` of ICAO 9303-11
/// §9.7.1. `f(π)` is the password as [`Password`]
/// stores it: the ASCII digits of a CAN, PIN or PUK, or SHA-1 of the MRZ
/// information.
pub fn password_key(password: &Password, cipher: Cipher) -> SecretBytes {
    derive_key(password.bytes(), COUNTER_PASSWORD, cipher)
}

/// Derives the secure messaging keys `K_enc = KDF(K, 1)` and
/// `K_mac = KDF(K, 2)` from a shared secret.
pub fn session_keys(shared_secret: &SecretBytes, cipher: Cipher) -> SessionKeys {
    SessionKeys::new(
        cipher,
        derive_key(shared_secret.expose(), COUNTER_ENC, cipher),
        derive_key(shared_secret.expose(), COUNTER_MAC, cipher),
    )
}

#[cfg(test)]
mod tests;
