//! AES without padding (CBC and single blocks), AES-CMAC truncated to 8 bytes,
//! and padding method 2 of ISO/IEC 9797-1.
//!
//! ICAO 9303-11 §9.8 pads every message itself before it encrypts or MACs, so
//! the ciphers here never pad: an input that is not a whole number of blocks
//! is a caller error.

use openssl::pkey::PKey;
use openssl::sign::Signer;
use openssl::symm::{self, Crypter, Mode};
use zeroize::Zeroizing;

use crate::error::{CryptoError, Error, OpensslContext, Result};

/// AES block length in bytes.
pub(crate) const AES_BLOCK_LEN: usize = 16;

/// Length of the MACs and authentication tokens of ICAO 9303-11 §9.8 and
/// TR-03110-3 §A.2.4: AES-CMAC truncated to 8 bytes.
pub(crate) const MAC_LEN: usize = 8;

fn cbc_cipher(key: &[u8]) -> Result<symm::Cipher> {
    match key.len() {
        16 => Ok(symm::Cipher::aes_128_cbc()),
        24 => Ok(symm::Cipher::aes_192_cbc()),
        32 => Ok(symm::Cipher::aes_256_cbc()),
        _ => Err(Error::ApiMisuse("AES key must be 16, 24 or 32 bytes")),
    }
}

fn ecb_cipher(key: &[u8]) -> Result<symm::Cipher> {
    match key.len() {
        16 => Ok(symm::Cipher::aes_128_ecb()),
        24 => Ok(symm::Cipher::aes_192_ecb()),
        32 => Ok(symm::Cipher::aes_256_ecb()),
        _ => Err(Error::ApiMisuse("AES key must be 16, 24 or 32 bytes")),
    }
}

fn check_whole_blocks(data: &[u8]) -> Result<()> {
    if data.len() % AES_BLOCK_LEN == 0 {
        Ok(())
    } else {
        Err(Error::ApiMisuse("AES input must be a whole number of blocks"))
    }
}

/// Runs one unpadded AES operation and returns the output in wiped memory.
fn run(cipher: symm::Cipher, mode: Mode, key: &[u8], iv: Option<&[u8]>, data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    check_whole_blocks(data)?;
    let mut crypter = Crypter::new(cipher, mode, key, iv).context("AES init")?;
    crypter.pad(false);
    let mut out = Zeroizing::new(vec![0u8; data.len() + AES_BLOCK_LEN]);
    let mut written = crypter.update(data, &mut out).context("AES update")?;
    let tail = out
        .get_mut(written..)
        .ok_or(CryptoError::other("AES output buffer too small"))?;
    written += crypter.finalize(tail).context("AES final")?;
    out.truncate(written);
    Ok(out)
}

/// Encrypts whole blocks with AES in CBC mode.
pub(crate) fn aes_cbc_encrypt(key: &[u8], iv: &[u8; AES_BLOCK_LEN], data: &[u8]) -> Result<Vec<u8>> {
    let mut out = run(cbc_cipher(key)?, Mode::Encrypt, key, Some(iv), data)?;
    Ok(std::mem::take(&mut *out))
}

/// Decrypts whole blocks with AES in CBC mode. The plaintext is wiped on drop.
pub(crate) fn aes_cbc_decrypt(key: &[u8], iv: &[u8; AES_BLOCK_LEN], data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    run(cbc_cipher(key)?, Mode::Decrypt, key, Some(iv), data)
}

/// Encrypts one block with AES (ECB), as ICAO 9303-11 §9.8.6.1 does to turn
/// the send sequence counter into the CBC initialisation vector.
pub(crate) fn aes_encrypt_block(key: &[u8], block: &[u8; AES_BLOCK_LEN]) -> Result<[u8; AES_BLOCK_LEN]> {
    let out = run(ecb_cipher(key)?, Mode::Encrypt, key, None, block)?;
    let mut result = [0u8; AES_BLOCK_LEN];
    let first = out
        .get(..AES_BLOCK_LEN)
        .ok_or(CryptoError::other("AES block output too short"))?;
    result.copy_from_slice(first);
    Ok(result)
}

/// Computes AES-CMAC (NIST SP 800-38B) over `data` and returns its first
/// 8 bytes.
pub(crate) fn aes_cmac_8(key: &[u8], data: &[u8]) -> Result<[u8; MAC_LEN]> {
    let pkey = PKey::cmac(&cbc_cipher(key)?, key).context("CMAC key")?;
    let mut signer = Signer::new_without_digest(&pkey).context("CMAC init")?;
    signer.update(data).context("CMAC update")?;
    let full = signer.sign_to_vec().context("CMAC final")?;
    let mut mac = [0u8; MAC_LEN];
    let truncated = full.get(..MAC_LEN).ok_or(CryptoError::other("CMAC output too short"))?;
    mac.copy_from_slice(truncated);
    Ok(mac)
}

/// Appends padding method 2 of ISO/IEC 9797-1: one `80` byte, then `00`
/// bytes up to the next multiple of `block_len`. The padding is never empty.
pub(crate) fn pad(data: &[u8], block_len: usize) -> Vec<u8> {
    let padded_len = (data.len() / block_len + 1) * block_len;
    let mut out = Vec::with_capacity(padded_len);
    out.extend_from_slice(data);
    out.push(0x80);
    out.resize(padded_len, 0);
    out
}

/// Strips padding method 2 of ISO/IEC 9797-1, or returns `None` when the
/// input does not end in `80` followed by fewer than `block_len` zero bytes.
pub(crate) fn unpad(data: &[u8], block_len: usize) -> Option<&[u8]> {
    let zeros = data.iter().rev().take_while(|&&b| b == 0).count();
    if zeros >= block_len {
        return None;
    }
    let marker = data.len().checked_sub(zeros + 1)?;
    match data.get(marker) {
        Some(0x80) => data.get(..marker),
        _ => None,
    }
}
