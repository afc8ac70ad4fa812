//! What a verifier requires for a verdict of ok.

use super::algorithm::DigestAlgorithm;

/// How certificate revocation lists are used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CrlPolicy {
    /// A current CRL of the DS's CSCA must be in the trust store. A missing
    /// CRL, or one past its `nextUpdate`, fails the verification.
    Required,
    /// A CRL is consulted when the trust store has one. Without a CRL the
    /// `ds.crl_status` check is listed as not passed but not required.
    #[default]
    IfAvailable,
    /// Revocation is not checked at all.
    Ignore,
}

/// At which moment certificate validity periods must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ValidityTime {
    /// The time of the verification.
    #[default]
    Now,
    /// The `signingTime` signed attribute; fails if the attribute is absent.
    SigningTime,
    /// A fixed time, in seconds since the Unix epoch.
    At(i64),
}

/// What a verification requires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub crl: CrlPolicy,
    pub validity_time: ValidityTime,
    /// Hash functions allowed for the signature, the `messageDigest` and the
    /// data group hashes.
    pub allowed_digests: Vec<DigestAlgorithm>,
    /// Whether a data group listed in the security object but not read is
    /// acceptable. It is always listed as a `dgN.not_read` check.
    pub accept_unread_data_groups: bool,
    /// Whether a data group that was read but has no hash in the security
    /// object is acceptable. It is always listed as a `dgN.not_in_sod` check.
    pub accept_data_groups_not_in_sod: bool,
}

impl Default for Policy {
    /// Requires SHA-224 or stronger, consults CRLs when present, checks
    /// validity now, accepts unread data groups and rejects data groups that
    /// the security object does not list.
    fn default() -> Self {
        Self {
            crl: CrlPolicy::default(),
            validity_time: ValidityTime::default(),
            allowed_digests: vec![
                DigestAlgorithm::Sha224,
                DigestAlgorithm::Sha256,
                DigestAlgorithm::Sha384,
                DigestAlgorithm::Sha512,
            ],
            accept_unread_data_groups: true,
            accept_data_groups_not_in_sod: false,
        }
    }
}

impl Policy {
    pub fn allows(&self, digest: DigestAlgorithm) -> bool {
        self.allowed_digests.contains(&digest)
    }

    pub(crate) fn allowed_names(&self) -> String {
        let names: Vec<&str> = self.allowed_digests.iter().map(|digest| digest.name()).collect();
        names.join(", ")
    }
}
