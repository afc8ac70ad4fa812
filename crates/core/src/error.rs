//! The error type of the core crate.
//!
//! Display texts are short, lowercase and without a final period. They name
//! the step and the status word where there is one, and they never contain
//! secret bytes: no password, key, nonce or decrypted body reaches them.

use std::fmt;

use crate::apdu::StatusWord;

/// Every failure of the core crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bytes that do not decode as the structure they should be.
    #[error(transparent)]
    Codec(#[from] CodecError),

    /// The card answered a status word other than the one the step expects.
    #[error("{step} failed with status word {sw}")]
    CardStatus { step: &'static str, sw: StatusWord },

    /// The peer broke the protocol: a missing or wrong MAC, an invalid point,
    /// an authentication token that does not verify.
    #[error(transparent)]
    Protocol(#[from] ProtocolViolation),

    /// The cryptographic library failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),

    /// A caller used the API in a way it does not allow.
    #[error("API misuse: {0}")]
    ApiMisuse(&'static str),

    /// A certificate or CRL that a trust store does not accept: a CSCA
    /// certificate that is not a CA, or one whose self-signature fails.
    #[error("{what} rejected: {reason}")]
    Rejected { what: &'static str, reason: String },
}

/// A structure that does not decode. `what` names the structure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    #[error("{what}: input ends before the structure does")]
    Truncated { what: &'static str },

    #[error("{what}: {count} bytes follow the structure")]
    TrailingBytes { what: &'static str, count: usize },

    #[error("{what}: indefinite length is not allowed")]
    IndefiniteLength { what: &'static str },

    #[error("{what}: length too large")]
    LengthTooLarge { what: &'static str },

    #[error("{what}: expected tag {expected:02X}, found {found:02X}")]
    UnexpectedTag {
        what: &'static str,
        expected: u32,
        found: u32,
    },

    #[error("{what}: required element {tag:02X} missing")]
    Missing { what: &'static str, tag: u32 },

    #[error("{what}: {reason}")]
    InvalidValue { what: &'static str, reason: &'static str },
}

/// A peer that broke the protocol. Each variant names one violation.
///
/// The secure messaging variants serve both sides: the terminal raises them
/// for a card response, the chip for a terminal command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolViolation {
    #[error("secure messaging: message has no MAC (DO'8E)")]
    SecureMessagingMacMissing,

    #[error("secure messaging: MAC does not verify")]
    SecureMessagingMacInvalid,

    #[error("secure messaging: response has no status word (DO'99)")]
    SecureMessagingStatusMissing,

    #[error("secure messaging: status word inside DO'99 differs from the outer one")]
    SecureMessagingStatusMismatch,

    #[error("secure messaging: unexpected data object {tag:02X}")]
    SecureMessagingUnexpectedObject { tag: u32 },

    #[error("secure messaging: padding of the decrypted body is invalid")]
    SecureMessagingPaddingInvalid,

    #[error("secure messaging: cryptogram length or padding-content indicator is invalid")]
    SecureMessagingCryptogramInvalid,

    #[error("secure messaging: protected Le (DO'97) must hold 1 or 2 bytes")]
    SecureMessagingLeInvalid,

    #[error("secure messaging: command class byte does not mark the command as protected")]
    SecureMessagingCommandNotProtected,

    #[error("secure messaging: send sequence counter overflow")]
    SecureMessagingCounterExhausted,

    #[error("PACE: {0}")]
    Pace(&'static str),

    #[error("PACE: encrypted nonce must be one cipher block")]
    PaceNonceLengthInvalid,

    #[error("PACE: public key from the peer is not a valid point of the curve")]
    PacePublicKeyInvalid,

    #[error("PACE: ephemeral public key from the peer equals our own")]
    PaceEphemeralKeyReflected,

    #[error("PACE: mapped generator is the point at infinity")]
    PaceMappedGeneratorInvalid,

    #[error("PACE: authentication token from the peer does not verify")]
    PaceTokenInvalid,

    #[error("card sent data that breaks the card profile: {0}")]
    Profile(&'static str),
}

/// A failure of the cryptographic library. The OpenSSL error queue never
/// contains key material, so its text is safe to show.
#[derive(Debug, thiserror::Error)]
pub struct CryptoError {
    context: &'static str,
    #[source]
    source: Option<openssl::error::ErrorStack>,
}

impl CryptoError {
    /// Wraps an OpenSSL error with the operation that failed.
    pub fn openssl(context: &'static str, source: openssl::error::ErrorStack) -> Self {
        Self {
            context,
            source: Some(source),
        }
    }

    /// Describes a cryptographic failure that did not come from OpenSSL.
    pub fn other(context: &'static str) -> Self {
        Self { context, source: None }
    }
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Some(source) => write!(f, "{}: {source}", self.context),
            None => f.write_str(self.context),
        }
    }
}

/// Adds an operation name to OpenSSL results.
pub trait OpensslContext<T> {
    fn context(self, context: &'static str) -> Result<T, Error>;
}

impl<T> OpensslContext<T> for Result<T, openssl::error::ErrorStack> {
    fn context(self, context: &'static str) -> Result<T, Error> {
        self.map_err(|source| Error::Crypto(CryptoError::openssl(context, source)))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
