//! Signature verification with a Document Signer's public key, by the scheme
//! that the SignerInfo names.

use openssl::bn::BigNum;
use openssl::ec::EcKey;
use openssl::ecdsa::EcdsaSig;
use openssl::pkey::{Id, PKey, Public};
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Verifier};

use super::algorithm::SignatureScheme;

/// A public key prepared once for repeated verifications.
pub enum VerifyingKey {
    /// The EC key, kept apart so that ECDSA runs without an EVP context.
    Ec(EcKey<Public>),
    Rsa(PKey<Public>),
    /// A key type that no supported scheme uses.
    Other(PKey<Public>),
}

/// Why a signature did not verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureFailure {
    /// The signature is well formed and does not match.
    Invalid,
    /// The scheme needs another key type (ECDSA with an RSA key).
    KeyMismatch,
}

impl VerifyingKey {
    pub fn new(key: &PKey<Public>) -> Self {
        match key.id() {
            Id::EC => match key.ec_key() {
                Ok(ec) => Self::Ec(ec),
                Err(_) => Self::Other(key.clone()),
            },
            Id::RSA | Id::RSA_PSS => Self::Rsa(key.clone()),
            _ => Self::Other(key.clone()),
        }
    }

    /// Verifies `signature` over `message`. OpenSSL errors on malformed
    /// signatures count as `Invalid`.
    pub fn verify(&self, scheme: SignatureScheme, message: &[u8], signature: &[u8]) -> Result<(), SignatureFailure> {
        let digest = scheme.digest();
        match (self, scheme) {
            (Self::Ec(key), SignatureScheme::Ecdsa { .. }) => {
                let hash = digest.hash(message).map_err(|_| SignatureFailure::Invalid)?;
                let parsed = EcdsaSig::from_der(signature).map_err(|_| SignatureFailure::Invalid)?;
                // Only the DER encoding counts, so that a re-encoded signature
                // (BER lengths, leading zeros) does not verify.
                if parsed.to_der().ok().as_deref() != Some(signature) {
                    return Err(SignatureFailure::Invalid);
                }
                check(parsed.verify(&hash, key))
            }
            (Self::Ec(key), SignatureScheme::EcdsaPlain { .. }) => {
                let hash = digest.hash(message).map_err(|_| SignatureFailure::Invalid)?;
                if signature.is_empty() || signature.len() % 2 != 0 {
                    return Err(SignatureFailure::Invalid);
                }
                let (r, s) = signature.split_at(signature.len() / 2);
                let r = BigNum::from_slice(r).map_err(|_| SignatureFailure::Invalid)?;
                let s = BigNum::from_slice(s).map_err(|_| SignatureFailure::Invalid)?;
                let parsed = EcdsaSig::from_private_components(r, s).map_err(|_| SignatureFailure::Invalid)?;
                check(parsed.verify(&hash, key))
            }
            (Self::Rsa(key), SignatureScheme::RsaPkcs1 { .. }) => {
                let mut verifier =
                    Verifier::new(digest.message_digest(), key).map_err(|_| SignatureFailure::Invalid)?;
                verifier
                    .set_rsa_padding(Padding::PKCS1)
                    .map_err(|_| SignatureFailure::KeyMismatch)?;
                check(verifier.verify_oneshot(signature, message))
            }
            (
                Self::Rsa(key),
                SignatureScheme::RsaPss {
                    mgf1_digest,
                    salt_length,
                    ..
                },
            ) => {
                let mut verifier =
                    Verifier::new(digest.message_digest(), key).map_err(|_| SignatureFailure::Invalid)?;
                let salt = i32::try_from(salt_length).map_err(|_| SignatureFailure::Invalid)?;
                verifier
                    .set_rsa_padding(Padding::PKCS1_PSS)
                    .and_then(|()| verifier.set_rsa_mgf1_md(mgf1_digest.message_digest()))
                    .and_then(|()| verifier.set_rsa_pss_saltlen(RsaPssSaltlen::custom(salt)))
                    .map_err(|_| SignatureFailure::Invalid)?;
                check(verifier.verify_oneshot(signature, message))
            }
            _ => Err(SignatureFailure::KeyMismatch),
        }
    }
}

fn check(result: Result<bool, openssl::error::ErrorStack>) -> Result<(), SignatureFailure> {
    match result {
        Ok(true) => Ok(()),
        _ => Err(SignatureFailure::Invalid),
    }
}
