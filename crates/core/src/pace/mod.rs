//! PACE version 2 with ECDH Generic Mapping and AES (TR-03110-2 §3.2,
//! ICAO 9303-11 §4.4), on the terminal side ([`terminal`]) and the chip side
//! ([`chip`]).
//!
//! After `MSE:Set AT` (see [`MseSetAt`]) the two sides exchange four
//! `GENERAL AUTHENTICATE` commands, each carrying dynamic authentication data
//! (tag `7C`). The state machines here take and return the contents of those
//! `7C` templates; [`wrap_dynamic_authentication_data`],
//! [`unwrap_dynamic_authentication_data`] and [`general_authenticate`] turn
//! them into APDUs.
//!
//! | Step | Terminal sends (`7C` contents) | Chip returns |
//! | --- | --- | --- |
//! | 1 | nothing | `80` encrypted nonce `z = E(K_π, s)` |
//! | 2 | `81` mapping key `PK_map_PCD` | `82` mapping key `PK_map_PICC` |
//! | 3 | `83` ephemeral key `ePK_PCD` on `G'` | `84` ephemeral key `ePK_PICC` |
//! | 4 | `85` token `T_PCD` | `86` token `T_PICC`, optional `87`, `88` CARs |
//!
//! Generic Mapping computes `H = SK_map · PK_map(peer)` and the new
//! generator `G' = s·G + H`. The shared secret `K` is the x-coordinate of
//! `eSK · ePK(peer)`, `K_enc = KDF(K, 1)`, `K_mac = KDF(K, 2)`, and each
//! token is AES-CMAC under `K_mac` of the peer's ephemeral public key data
//! object. Public keys are uncompressed points padded to the field size.

pub mod chip;
mod mse;
mod primitives;
pub mod terminal;

pub use mse::MseSetAt;

use crate::apdu::CommandApdu;
use crate::asn1::Oid;
use crate::crypto::{Cipher, NamedCurve};
use crate::error::{CodecError, Error, Result};
use crate::security_info::ID_PACE_ECDH_GM;
use crate::tlv::{self, Reader, Tag, Tlv};

/// Tag of the dynamic authentication data template.
pub const DYNAMIC_AUTHENTICATION_DATA: Tag = Tag(0x7C);

const TAG_ENCRYPTED_NONCE: Tag = Tag(0x80);
const TAG_MAPPING_DATA_PCD: Tag = Tag(0x81);
const TAG_MAPPING_DATA_PICC: Tag = Tag(0x82);
const TAG_EPHEMERAL_KEY_PCD: Tag = Tag(0x83);
const TAG_EPHEMERAL_KEY_PICC: Tag = Tag(0x84);
const TAG_TOKEN_PCD: Tag = Tag(0x85);
const TAG_TOKEN_PICC: Tag = Tag(0x86);
const TAG_CAR_RECENT: Tag = Tag(0x87);
const TAG_CAR_PREVIOUS: Tag = Tag(0x88);

/// A PACE variant this crate runs: `id-PACE-ECDH-GM-AES-CBC-CMAC-128`,
/// `-192` or `-256` (0.4.0.127.0.7.2.2.4.2.{2,3,4}) on a standardized curve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PaceParameters {
    cipher: Cipher,
    curve: NamedCurve,
}

impl PaceParameters {
    /// Combines an AES key size with a curve. Fails for 3DES, which the
    /// AES-only secure messaging of this crate cannot use.
    pub fn new(cipher: Cipher, curve: NamedCurve) -> Result<Self> {
        if cipher.is_aes() {
            Ok(Self { cipher, curve })
        } else {
            Err(Error::ApiMisuse("PACE parameters need an AES cipher"))
        }
    }

    /// Returns the parameters of a PACE protocol OID and standardized domain
    /// parameter ID, or `None` when this crate does not support them: DH,
    /// Integrated Mapping, Chip Authentication Mapping, 3DES, or a curve
    /// other than those of [`NamedCurve`].
    pub fn from_protocol(protocol: &Oid, parameter_id: u64) -> Option<Self> {
        let cipher = match protocol.arcs().as_slice() {
            [prefix @ .., cipher] if prefix == ID_PACE_ECDH_GM => match cipher {
                2 => Cipher::Aes128,
                3 => Cipher::Aes192,
                4 => Cipher::Aes256,
                _ => return None,
            },
            _ => return None,
        };
        let curve = NamedCurve::from_parameter_id(parameter_id)?;
        Some(Self { cipher, curve })
    }

    /// Returns every supported combination, curves in parameter ID order and
    /// AES key sizes ascending within each curve.
    pub fn all() -> impl Iterator<Item = Self> {
        NamedCurve::ALL.into_iter().flat_map(|curve| {
            [Cipher::Aes128, Cipher::Aes192, Cipher::Aes256]
                .into_iter()
                .map(move |cipher| Self { cipher, curve })
        })
    }

    /// Returns the protocol OID, `id-PACE-ECDH-GM-AES-CBC-CMAC-*`.
    pub fn protocol(&self) -> Oid {
        let cipher_arc = match self.cipher {
            Cipher::Aes192 => 3,
            Cipher::Aes256 => 4,
            Cipher::Tdes | Cipher::Aes128 => 2,
        };
        let mut arcs = ID_PACE_ECDH_GM.to_vec();
        arcs.push(cipher_arc);
        Oid::from_arcs(&arcs)
    }

    /// Returns the standardized domain parameter ID sent in `MSE:Set AT` (`84`).
    pub fn parameter_id(&self) -> u8 {
        self.curve.parameter_id()
    }

    pub fn cipher(&self) -> Cipher {
        self.cipher
    }

    pub fn curve(&self) -> NamedCurve {
        self.curve
    }
}

/// The certification authority references a chip returns in its last
/// `GENERAL AUTHENTICATE` response when Terminal Authentication follows
/// (TR-03110-3 Appendix B): the most recent trust point (`87`) and, during a
/// CVCA key change, the previous one (`88`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertificationAuthorityReferences {
    pub most_recent: Option<Vec<u8>>,
    pub previous: Option<Vec<u8>>,
}

/// Wraps `7C` contents into the dynamic authentication data template.
pub fn wrap_dynamic_authentication_data(contents: &[u8]) -> Vec<u8> {
    tlv::tlv(DYNAMIC_AUTHENTICATION_DATA, contents)
}

/// Returns the contents of a dynamic authentication data template, which
/// must be the whole input.
pub fn unwrap_dynamic_authentication_data(data: &[u8]) -> Result<&[u8], CodecError> {
    Ok(Tlv::decode_expected(data, DYNAMIC_AUTHENTICATION_DATA, "dynamic authentication data")?.value)
}

/// Builds a `GENERAL AUTHENTICATE` command (INS `86`) with `contents` in a
/// `7C` template and `Le = 00`. Every step but the last is sent with command
/// chaining, CLA `10` (TR-03110-3 Appendix B).
pub fn general_authenticate(contents: &[u8], last: bool) -> CommandApdu {
    let cla = if last { 0x00 } else { 0x10 };
    CommandApdu::new(cla, 0x86, 0x00, 0x00)
        .with_data(wrap_dynamic_authentication_data(contents))
        .with_le(256)
}

/// Reads `7C` contents made of the data objects in `expected`, each at most
/// once and in that order, and rejects anything else. Returns the value of
/// each expected object, or `None` where it is absent. A missing required
/// object is an error.
fn read_objects<'a, const N: usize>(
    contents: &'a [u8],
    expected: [(Tag, bool); N],
    what: &'static str,
) -> Result<[Option<&'a [u8]>; N], CodecError> {
    let mut values = [None; N];
    let mut reader = Reader::new(contents, what);
    let mut next = 0;
    loop {
        let unread = reader.remaining().len();
        let Some(object) = reader.next_tlv()? else { break };
        let position = expected
            .iter()
            .skip(next)
            .position(|(tag, _)| *tag == object.tag)
            .map(|offset| next + offset);
        let Some(index) = position else {
            return Err(match expected.get(next) {
                Some((tag, _)) => CodecError::UnexpectedTag {
                    what,
                    expected: tag.0,
                    found: object.tag.0,
                },
                None => CodecError::TrailingBytes { what, count: unread },
            });
        };
        if let Some(slot) = values.get_mut(index) {
            *slot = Some(object.value);
        }
        next = index + 1;
    }
    for ((tag, required), value) in expected.iter().zip(values.iter()) {
        if *required && value.is_none() {
            return Err(CodecError::Missing { what, tag: tag.0 });
        }
    }
    Ok(values)
}

#[cfg(test)]
mod tests;
