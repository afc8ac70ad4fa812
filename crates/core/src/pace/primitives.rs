//! The computations both PACE roles share: nonce encryption, Generic
//! Mapping, key agreement and authentication tokens. The state machines in
//! `terminal` and `chip` only order these steps and move the messages.

use crate::crypto::ec::{Curve, Point, Scalar};
use crate::crypto::symmetric::{aes_cbc_decrypt, aes_cbc_encrypt, aes_cmac_8, AES_BLOCK_LEN, MAC_LEN};
use crate::crypto::RandomSource;
use crate::error::{ProtocolViolation, Result};
use crate::kdf;
use crate::pace::PaceParameters;
use crate::secret::{constant_time_eq, SecretBytes};
use crate::sm::{SessionKeys, TokenVerified};
use crate::tlv::{self, Tag};

/// Length of the nonce `s`: one AES block, for every AES key size.
pub(crate) const NONCE_LEN: usize = AES_BLOCK_LEN;

/// The initialisation vector of nonce encryption, which uses AES-CBC with a
/// zero IV (ICAO 9303-11 §4.4).
const ZERO_IV: [u8; AES_BLOCK_LEN] = [0; AES_BLOCK_LEN];

/// Tag of the public key data object (TR-03110-3 §D.3).
const TAG_PUBLIC_KEY: Tag = Tag(0x7F49);
/// Tag of the public point inside an EC public key data object.
const TAG_PUBLIC_POINT: Tag = Tag(0x86);

/// Encrypts the nonce: `z = E(K_π, s)`.
pub(crate) fn encrypt_nonce(k_pi: &SecretBytes, nonce: &SecretBytes) -> Result<Vec<u8>> {
    aes_cbc_encrypt(k_pi.expose(), &ZERO_IV, nonce.expose())
}

/// Decrypts the nonce: `s = D(K_π, z)`. Fails unless `z` is one block.
pub(crate) fn decrypt_nonce(k_pi: &SecretBytes, encrypted: &[u8]) -> Result<SecretBytes> {
    if encrypted.len() != NONCE_LEN {
        return Err(ProtocolViolation::PaceNonceLengthInvalid.into());
    }
    Ok(aes_cbc_decrypt(k_pi.expose(), &ZERO_IV, encrypted)?.into())
}

/// Decodes a public key received from the peer, checking that it is an
/// uncompressed point of the curve other than the point at infinity.
pub(crate) fn decode_peer_point(curve: &Curve, encoded: &[u8]) -> Result<Point> {
    curve
        .decode_point(encoded)
        .ok_or_else(|| ProtocolViolation::PacePublicKeyInvalid.into())
}

/// Computes the shared point of Generic Mapping (ICAO 9303-11 §4.4,
/// TR-03110-2 §3.2): `H = SK_map · PK_map(peer)`.
pub(crate) fn mapping_shared_point(curve: &Curve, own_private: &Scalar, peer_public: &Point) -> Result<Point> {
    let shared_point = curve.mul(peer_public, own_private)?;
    if curve.is_infinity(&shared_point) {
        return Err(ProtocolViolation::PaceMappedGeneratorInvalid.into());
    }
    Ok(shared_point)
}

/// Computes the mapped generator of Generic Mapping: `G' = s·G + H`. Fails
/// when `G'` is the point at infinity, which happens exactly when `H = -s·G`.
pub(crate) fn map_generator(curve: &Curve, nonce: &SecretBytes, shared_point: &Point) -> Result<Point> {
    let nonce = curve.scalar_from_bytes(nonce.expose())?;
    let scaled = curve.mul_generator(&nonce)?;
    let generator = curve.add(&scaled, shared_point)?;
    if curve.is_infinity(&generator) {
        return Err(ProtocolViolation::PaceMappedGeneratorInvalid.into());
    }
    Ok(generator)
}

/// Generates an ephemeral key pair on the mapped generator `G'`.
pub(crate) fn ephemeral_key_pair(
    curve: &Curve,
    generator: &Point,
    rng: &mut dyn RandomSource,
) -> Result<(Scalar, Point)> {
    let private = curve.random_scalar(rng)?;
    let public = curve.mul(generator, &private)?;
    Ok((private, public))
}

/// Checks that the peer's ephemeral public key differs from our own.
/// TR-03110-2 §3.2 requires this check of the chip; the terminal runs it too.
pub(crate) fn check_not_reflected(curve: &Curve, own: &Point, peer: &Point) -> Result<()> {
    if curve.points_equal(own, peer)? {
        Err(ProtocolViolation::PaceEphemeralKeyReflected.into())
    } else {
        Ok(())
    }
}

/// Derives the shared secret `K` and the session keys from it.
pub(crate) fn agree_keys(
    curve: &Curve,
    parameters: &PaceParameters,
    own_private: &Scalar,
    peer_public: &Point,
) -> Result<(SecretBytes, SessionKeys)> {
    let shared_secret = curve.ecdh(own_private, peer_public)?;
    let keys = kdf::session_keys(&shared_secret, parameters.cipher());
    Ok((shared_secret, keys))
}

/// Encodes the public key data object that the tokens cover (TR-03110-3
/// §D.3): `7F49 { 06 protocol OID, 86 uncompressed point }`.
pub(crate) fn public_key_data_object(parameters: &PaceParameters, encoded_point: &[u8]) -> Vec<u8> {
    tlv::tlv(TAG_PUBLIC_KEY, &{
        let mut contents = Vec::with_capacity(encoded_point.len() + 16);
        parameters.protocol().encode(&mut contents);
        tlv::write_tlv(&mut contents, TAG_PUBLIC_POINT, encoded_point);
        contents
    })
}

/// Computes an authentication token: `T = MAC(K_mac, PK(peer))`, the
/// truncated AES-CMAC of the peer's ephemeral public key data object.
pub(crate) fn authentication_token(
    keys: &SessionKeys,
    parameters: &PaceParameters,
    peer_encoded_point: &[u8],
) -> Result<[u8; MAC_LEN]> {
    let data = public_key_data_object(parameters, peer_encoded_point);
    aes_cmac_8(keys.k_mac().expose(), &data)
}

/// Compares a received token with the expected one in constant time.
pub(crate) fn verify_token(expected: &[u8; MAC_LEN], received: &[u8]) -> Result<TokenVerified> {
    if constant_time_eq(expected, received) {
        Ok(TokenVerified::new())
    } else {
        Err(ProtocolViolation::PaceTokenInvalid.into())
    }
}

/// Returns `ID_PICC = Comp(ePK_PICC)`, the x-coordinate of the chip's
/// ephemeral public key, which the terminal signs in Terminal Authentication
/// version 2 (TR-03110-2).
pub(crate) fn compressed_key(curve: &Curve, point: &Point) -> Result<Vec<u8>> {
    Ok(curve.x_coordinate(point)?.expose().to_vec())
}
