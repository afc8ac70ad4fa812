//! The chip (PICC) side of PACE, for the virtual card: one consuming state
//! per message the chip awaits from the terminal.
//!
//! ```text
//! AwaitNonceRequest ─▶ AwaitMappingData ─▶ AwaitEphemeralKey ─▶ AwaitToken ─▶ Established
//! ```
//!
//! The card makes [`AwaitNonceRequest`] after it accepted `MSE:Set AT`. Each
//! state's `receive` takes the contents of the terminal's `7C` command data
//! and returns the next state with the `7C` contents of the response. After
//! any error the card sends an error status and drops the state. A wrong
//! password shows as [`ProtocolViolation::PaceTokenInvalid`] in the last
//! step.
//!
//! [`ProtocolViolation::PaceTokenInvalid`]: crate::ProtocolViolation::PaceTokenInvalid

use std::fmt;

use zeroize::Zeroizing;

use super::primitives::{self, NONCE_LEN};
use super::{read_objects, CertificationAuthorityReferences, PaceParameters};
use super::{TAG_CAR_PREVIOUS, TAG_CAR_RECENT, TAG_ENCRYPTED_NONCE, TAG_EPHEMERAL_KEY_PCD, TAG_EPHEMERAL_KEY_PICC};
use super::{TAG_MAPPING_DATA_PCD, TAG_MAPPING_DATA_PICC, TAG_TOKEN_PCD, TAG_TOKEN_PICC};
use crate::crypto::ec::{Curve, Point};
use crate::crypto::symmetric::MAC_LEN;
use crate::crypto::RandomSource;
use crate::error::{CodecError, Result};
use crate::kdf;
use crate::secret::{Password, SecretBytes};
use crate::sm::{ChipSecureMessaging, SessionKeys};
use crate::tlv;

/// Awaits the first `GENERAL AUTHENTICATE`, whose `7C` template is empty.
pub struct AwaitNonceRequest {
    parameters: PaceParameters,
    curve: Curve,
    password_key: SecretBytes,
}

impl AwaitNonceRequest {
    /// Prepares PACE with the parameters and the password the terminal
    /// selected in `MSE:Set AT`, and derives `K_π`.
    pub fn new(parameters: PaceParameters, password: &Password) -> Result<Self> {
        Ok(Self {
            parameters,
            curve: Curve::new(parameters.curve())?,
            password_key: kdf::password_key(password, parameters.cipher()),
        })
    }

    /// PACE step 1: chooses the nonce `s` and returns `80 z` with
    /// `z = E(K_π, s)`.
    pub fn receive(self, terminal_data: &[u8], rng: &mut dyn RandomSource) -> Result<(AwaitMappingData, Vec<u8>)> {
        if !terminal_data.is_empty() {
            return Err(CodecError::TrailingBytes {
                what: "PACE nonce request",
                count: terminal_data.len(),
            }
            .into());
        }
        let mut buffer = Zeroizing::new(vec![0; NONCE_LEN]);
        rng.fill(&mut buffer)?;
        let nonce = SecretBytes::from(buffer);
        let encrypted = primitives::encrypt_nonce(&self.password_key, &nonce)?;
        let reply = tlv::tlv(TAG_ENCRYPTED_NONCE, &encrypted);
        let state = AwaitMappingData {
            parameters: self.parameters,
            curve: self.curve,
            nonce,
        };
        Ok((state, reply))
    }
}

/// Awaits the terminal's mapping key `PK_map_PCD` (`81`).
pub struct AwaitMappingData {
    parameters: PaceParameters,
    curve: Curve,
    nonce: SecretBytes,
}

impl AwaitMappingData {
    /// PACE step 3a: validates `PK_map_PCD`, generates the chip's mapping key
    /// pair, maps the generator `G' = s·G + SK_map_PICC · PK_map_PCD` and
    /// returns `82 PK_map_PICC`.
    pub fn receive(self, terminal_data: &[u8], rng: &mut dyn RandomSource) -> Result<(AwaitEphemeralKey, Vec<u8>)> {
        let [mapping_data] = read_objects(terminal_data, [(TAG_MAPPING_DATA_PCD, true)], "PACE mapping data")?;
        let terminal_mapping_key = primitives::decode_peer_point(&self.curve, mapping_data.unwrap_or_default())?;

        let mapping_private = self.curve.random_scalar(rng)?;
        let mapping_public = self.curve.mul_generator(&mapping_private)?;
        let shared_point = primitives::mapping_shared_point(&self.curve, &mapping_private, &terminal_mapping_key)?;
        let generator = primitives::map_generator(&self.curve, &self.nonce, &shared_point)?;
        let reply = tlv::tlv(TAG_MAPPING_DATA_PICC, &self.curve.encode_point(&mapping_public)?);

        let state = AwaitEphemeralKey {
            parameters: self.parameters,
            curve: self.curve,
            generator,
        };
        Ok((state, reply))
    }
}

/// Awaits the terminal's ephemeral public key `ePK_PCD` (`83`).
pub struct AwaitEphemeralKey {
    parameters: PaceParameters,
    curve: Curve,
    generator: Point,
}

impl AwaitEphemeralKey {
    /// PACE steps 3b and 3c: validates `ePK_PCD`, generates the chip's
    /// ephemeral key pair on `G'`, rejects `ePK_PCD` if it equals `ePK_PICC`,
    /// computes `K`, derives `K_enc` and `K_mac`, and returns `84 ePK_PICC`.
    pub fn receive(self, terminal_data: &[u8], rng: &mut dyn RandomSource) -> Result<(AwaitToken, Vec<u8>)> {
        let [ephemeral_key] = read_objects(terminal_data, [(TAG_EPHEMERAL_KEY_PCD, true)], "PACE ephemeral key")?;
        let terminal_key_encoded = ephemeral_key.unwrap_or_default();
        let terminal_key = primitives::decode_peer_point(&self.curve, terminal_key_encoded)?;

        let (ephemeral_private, ephemeral_public) = primitives::ephemeral_key_pair(&self.curve, &self.generator, rng)?;
        primitives::check_not_reflected(&self.curve, &ephemeral_public, &terminal_key)?;
        let (_shared_secret, keys) =
            primitives::agree_keys(&self.curve, &self.parameters, &ephemeral_private, &terminal_key)?;
        let own_key_encoded = self.curve.encode_point(&ephemeral_public)?;
        let expected_terminal_token = primitives::authentication_token(&keys, &self.parameters, &own_key_encoded)?;
        let chip_token = primitives::authentication_token(&keys, &self.parameters, terminal_key_encoded)?;
        let id_picc = primitives::compressed_key(&self.curve, &ephemeral_public)?;

        let state = AwaitToken {
            parameters: self.parameters,
            keys,
            expected_terminal_token,
            chip_token,
            terminal_ephemeral_public_key: terminal_key_encoded.to_vec(),
            id_picc,
        };
        Ok((state, tlv::tlv(TAG_EPHEMERAL_KEY_PICC, &own_key_encoded)))
    }
}

/// Awaits the terminal's authentication token `T_PCD` (`85`).
pub struct AwaitToken {
    parameters: PaceParameters,
    keys: SessionKeys,
    expected_terminal_token: [u8; MAC_LEN],
    chip_token: [u8; MAC_LEN],
    terminal_ephemeral_public_key: Vec<u8>,
    id_picc: Vec<u8>,
}

impl AwaitToken {
    /// PACE step 3d: compares `T_PCD` with `MAC(K_mac, ePK_PICC)` in constant
    /// time. When it verifies, starts secure messaging with SSC 0 and returns
    /// `86 T_PICC` followed by the references in `authority_references`
    /// (`87`, `88`), which the card sends when Terminal Authentication
    /// follows.
    pub fn receive(
        self,
        terminal_data: &[u8],
        authority_references: &CertificationAuthorityReferences,
    ) -> Result<(Established, Vec<u8>)> {
        let [token] = read_objects(terminal_data, [(TAG_TOKEN_PCD, true)], "PACE authentication token")?;
        let proof = primitives::verify_token(&self.expected_terminal_token, token.unwrap_or_default())?;

        let mut reply = tlv::tlv(TAG_TOKEN_PICC, &self.chip_token);
        if let Some(reference) = &authority_references.most_recent {
            tlv::write_tlv(&mut reply, TAG_CAR_RECENT, reference);
        }
        if let Some(reference) = &authority_references.previous {
            tlv::write_tlv(&mut reply, TAG_CAR_PREVIOUS, reference);
        }
        let established = Established {
            session: ChipSecureMessaging::new(self.keys, proof)?,
            terminal_ephemeral_public_key: self.terminal_ephemeral_public_key,
            id_picc: self.id_picc,
            parameters: self.parameters,
        };
        Ok((established, reply))
    }
}

/// The result of a successful PACE on the chip side.
pub struct Established {
    /// Secure messaging with `K_enc`, `K_mac` and SSC 0.
    pub session: ChipSecureMessaging,
    /// `ePK_PCD`, uncompressed and padded to the field size.
    pub terminal_ephemeral_public_key: Vec<u8>,
    /// `ID_PICC = Comp(ePK_PICC)`, which the chip needs to verify the
    /// terminal's signature in Terminal Authentication.
    pub id_picc: Vec<u8>,
    pub parameters: PaceParameters,
}

impl fmt::Debug for Established {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Established")
            .field("session", &self.session)
            .field("parameters", &self.parameters)
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

redacted_debug!(AwaitNonceRequest, AwaitMappingData, AwaitEphemeralKey, AwaitToken);

#[cfg(test)]
impl AwaitToken {
    /// Returns `T_PICC` without checking `T_PCD`, so that a test can show the
    /// terminal rejecting the token of a chip that has another password.
    pub(crate) fn chip_token_for_test(&self) -> Vec<u8> {
        tlv::tlv(TAG_TOKEN_PICC, &self.chip_token)
    }
}
