//! Passive Authentication (ICAO 9303-11 §5.1): the signature of EF.SOD, the
//! chain of its Document Signer certificate to a trusted CSCA, revocation,
//! and the hash of every data group read. The same signature and chain
//! checks serve EF.CardSecurity (TR-03110-3 §A.1.2) and CSCA master lists.
//!
//! Results are lists of named [`Check`]s so that a verifier can show which
//! step failed and why; [`Verification::ok`] is the verdict under a
//! [`Policy`]. The [`build`] module writes and signs the same structures.

pub mod algorithm;
pub mod build;
pub mod certificate;
pub mod check;
pub mod cms;
mod key;
pub mod lds;
pub mod policy;
pub mod time;
pub mod trust;
pub mod verify;

pub use algorithm::{DigestAlgorithm, SignatureScheme};
pub use build::{
    build_card_security, build_sod, encode_lds_security_object, sign_content, wrap_sod, DocumentSigner, SignOptions,
};
pub use certificate::Certificate;
pub use check::{Check, Detail, SignerSummary, Verification, DETAIL_CODES};
pub use lds::LdsSecurityObject;
pub use policy::{CrlPolicy, Policy, ValidityTime};
pub use trust::{pem_or_der_blocks, CertificateRole, Crl, TrustStore};
pub use verify::{unix_now, verify_card_security, verify_master_list, verify_sod, SignedObjectKind};

#[cfg(test)]
mod tests;
