//! The terminal (PCD) side of PACE: one consuming state per message the
//! terminal awaits from the chip.
//!
//! ```text
//! start ─▶ AwaitEncryptedNonce ─▶ AwaitMappingData ─▶ AwaitEphemeralKey ─▶ AwaitToken ─▶ Established
//! ```
//!
//! [`start`] returns the first state and the `7C` contents of the first
//! `GENERAL AUTHENTICATE` (empty). Each state's `receive` takes the contents
//! of the chip's `7C` response and returns the next state with the contents
//! to send next, until [`AwaitToken::receive`] returns [`Established`].
//! Step numbers follow TR-03110-2 §3.2 as OpenPACE numbers them.

use std::fmt;

use super::primitives;
use super::{read_objects, CertificationAuthorityReferences, PaceParameters};
use super::{TAG_CAR_PREVIOUS, TAG_CAR_RECENT, TAG_ENCRYPTED_NONCE, TAG_EPHEMERAL_KEY_PCD, TAG_EPHEMERAL_KEY_PICC};
use super::{TAG_MAPPING_DATA_PCD, TAG_MAPPING_DATA_PICC, TAG_TOKEN_PCD, TAG_TOKEN_PICC};
use crate::crypto::ec::{Curve, Point, Scalar};
use crate::crypto::symmetric::MAC_LEN;
use crate::crypto::RandomSource;
use crate::error::Result;
use crate::kdf;
use crate::secret::{Password, SecretBytes};
use crate::sm::{SecureMessaging, SessionKeys};
use crate::tlv;

/// Starts PACE with `parameters` and `password`, after a successful
/// `MSE:Set AT`. Derives `K_π` and returns the first state with the (empty)
/// `7C` contents of the first `GENERAL AUTHENTICATE`.
pub fn start(parameters: PaceParameters, password: &Password) -> Result<(AwaitEncryptedNonce, Vec<u8>)> {
    let curve = Curve::new(parameters.curve())?;
    let password_key = kdf::password_key(password, parameters.cipher());
    let state = AwaitEncryptedNonce {
        parameters,
        curve,
        password_key,
    };
    Ok((state, Vec::new()))
}

/// Awaits the encrypted nonce `z` (`80`).
pub struct AwaitEncryptedNonce {
    parameters: PaceParameters,
    curve: Curve,
    password_key: SecretBytes,
}

impl AwaitEncryptedNonce {
    /// PACE steps 2 and 3a: decrypts the nonce `s = D(K_π, z)`, generates
    /// the mapping key pair and returns `81 PK_map_PCD`.
    pub fn receive(self, chip_data: &[u8], rng: &mut dyn RandomSource) -> Result<(AwaitMappingData, Vec<u8>)> {
        let [encrypted_nonce] = read_objects(chip_data, [(TAG_ENCRYPTED_NONCE, true)], "PACE encrypted nonce")?;
        let nonce = primitives::decrypt_nonce(&self.password_key, encrypted_nonce.unwrap_or_default())?;

        let mapping_private = self.curve.random_scalar(rng)?;
        let mapping_public = self.curve.mul_generator(&mapping_private)?;
        let reply = tlv::tlv(TAG_MAPPING_DATA_PCD, &self.curve.encode_point(&mapping_public)?);

        let state = AwaitMappingData {
            parameters: self.parameters,
            curve: self.curve,
            nonce,
            mapping_private,
        };
        Ok((state, reply))
    }
}

/// Awaits the chip's mapping key `PK_map_PICC` (`82`).
pub struct AwaitMappingData {
    parameters: PaceParameters,
    curve: Curve,
    nonce: SecretBytes,
    mapping_private: Scalar,
}

impl AwaitMappingData {
    /// PACE steps 3a and 3b: validates `PK_map_PICC`, maps the generator
    /// `G' = s·G + SK_map_PCD · PK_map_PICC`, generates the ephemeral key
    /// pair on `G'` and returns `83 ePK_PCD`.
    pub fn receive(self, chip_data: &[u8], rng: &mut dyn RandomSource) -> Result<(AwaitEphemeralKey, Vec<u8>)> {
        let [mapping_data] = read_objects(chip_data, [(TAG_MAPPING_DATA_PICC, true)], "PACE mapping data")?;
        let chip_mapping_key = primitives::decode_peer_point(&self.curve, mapping_data.unwrap_or_default())?;
        let shared_point = primitives::mapping_shared_point(&self.curve, &self.mapping_private, &chip_mapping_key)?;
        let generator = primitives::map_generator(&self.curve, &self.nonce, &shared_point)?;

        let (ephemeral_private, ephemeral_public) = primitives::ephemeral_key_pair(&self.curve, &generator, rng)?;
        let reply = tlv::tlv(TAG_EPHEMERAL_KEY_PCD, &self.curve.encode_point(&ephemeral_public)?);

        let state = AwaitEphemeralKey {
            parameters: self.parameters,
            curve: self.curve,
            ephemeral_private,
            ephemeral_public,
        };
        Ok((state, reply))
    }
}

/// Awaits the chip's ephemeral public key `ePK_PICC` (`84`).
pub struct AwaitEphemeralKey {
    parameters: PaceParameters,
    curve: Curve,
    ephemeral_private: Scalar,
    ephemeral_public: Point,
}

impl AwaitEphemeralKey {
    /// PACE steps 3b, 3c and 3d: validates `ePK_PICC`, rejects it if it
    /// equals `ePK_PCD`, computes `K`, derives `K_enc` and `K_mac`, and
    /// returns `85 T_PCD` with `T_PCD = MAC(K_mac, ePK_PICC)`.
    pub fn receive(self, chip_data: &[u8]) -> Result<(AwaitToken, Vec<u8>)> {
        let [ephemeral_key] = read_objects(chip_data, [(TAG_EPHEMERAL_KEY_PICC, true)], "PACE ephemeral key")?;
        let chip_key_encoded = ephemeral_key.unwrap_or_default();
        let chip_key = primitives::decode_peer_point(&self.curve, chip_key_encoded)?;
        primitives::check_not_reflected(&self.curve, &self.ephemeral_public, &chip_key)?;

        let (_shared_secret, keys) =
            primitives::agree_keys(&self.curve, &self.parameters, &self.ephemeral_private, &chip_key)?;
        let own_key_encoded = self.curve.encode_point(&self.ephemeral_public)?;
        let terminal_token = primitives::authentication_token(&keys, &self.parameters, chip_key_encoded)?;
        let expected_chip_token = primitives::authentication_token(&keys, &self.parameters, &own_key_encoded)?;
        let id_picc = primitives::compressed_key(&self.curve, &chip_key)?;

        let state = AwaitToken {
            parameters: self.parameters,
            keys,
            expected_chip_token,
            chip_ephemeral_public_key: chip_key_encoded.to_vec(),
            id_picc,
        };
        Ok((state, tlv::tlv(TAG_TOKEN_PCD, &terminal_token)))
    }
}

/// Awaits the chip's authentication token `T_PICC` (`86`) and the optional
/// certification authority references (`87`, `88`).
pub struct AwaitToken {
    parameters: PaceParameters,
    keys: SessionKeys,
    expected_chip_token: [u8; MAC_LEN],
    chip_ephemeral_public_key: Vec<u8>,
    id_picc: Vec<u8>,
}

impl AwaitToken {
    /// PACE step 3d: compares `T_PICC` with `MAC(K_mac, ePK_PCD)` in constant
    /// time and, when it verifies, starts secure messaging with SSC 0.
    pub fn receive(self, chip_data: &[u8]) -> Result<Established> {
        let [token, most_recent, previous] = read_objects(
            chip_data,
            [
                (TAG_TOKEN_PICC, true),
                (TAG_CAR_RECENT, false),
                (TAG_CAR_PREVIOUS, false),
            ],
            "PACE authentication token",
        )?;
        let proof = primitives::verify_token(&self.expected_chip_token, token.unwrap_or_default())?;
        let session = SecureMessaging::new(self.keys, proof)?;
        Ok(Established {
            session,
            chip_ephemeral_public_key: self.chip_ephemeral_public_key,
            id_picc: self.id_picc,
            authority_references: CertificationAuthorityReferences {
                most_recent: most_recent.map(<[u8]>::to_vec),
                previous: previous.map(<[u8]>::to_vec),
            },
            parameters: self.parameters,
        })
    }
}

/// The result of a successful PACE on the terminal side.
pub struct Established {
    /// Secure messaging with `K_enc`, `K_mac` and SSC 0.
    pub session: SecureMessaging,
    /// `ePK_PICC`, uncompressed and padded to the field size.
    pub chip_ephemeral_public_key: Vec<u8>,
    /// `ID_PICC = Comp(ePK_PICC)`, the x-coordinate of the chip's ephemeral
    /// key, which Terminal Authentication signs.
    pub id_picc: Vec<u8>,
    /// The chip's certification authority references, present when the
    /// terminal sent a CHAT in `MSE:Set AT`.
    pub authority_references: CertificationAuthorityReferences,
    pub parameters: PaceParameters,
}

impl fmt::Debug for Established {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Established")
            .field("session", &self.session)
            .field("parameters", &self.parameters)
            .field("authority_references", &self.authority_references)
            .finish_non_exhaustive()
    }
}

macro_rules! redacted_debug {
    ($($state:ident),*) => {
        $(impl fmt::Debug for $state {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($state), "({:?}, <secrets redacted>)"), self.parameters)
            }
        })*
    };
}

redacted_debug!(AwaitEncryptedNonce, AwaitMappingData, AwaitEphemeralKey, AwaitToken);

#[cfg(test)]
impl AwaitMappingData {
    pub(crate) fn nonce_for_test(&self) -> &SecretBytes {
        &self.nonce
    }
}
