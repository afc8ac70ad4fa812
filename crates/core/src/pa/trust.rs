//! The verifier's trust store: CSCA certificates (self-signed anchors and
//! link certificates), CRLs, and a cache of validated signer chains.
//!
//! A self-signed CSCA certificate is a trust anchor. A CSCA link certificate
//! (ICAO 9303-12 §7.1.1.2) certifies a new CSCA key with an older one. It is
//! trusted only through a chain that ends at an anchor, checked step by step.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use openssl::x509::X509Crl;

use crate::asn1::{self, INTEGER, SEQUENCE};
use crate::error::{CodecError, Error, OpensslContext};
use crate::tlv::Tlv;

use super::certificate::{self, Certificate, KEY_USAGE_CRL_SIGN, KEY_USAGE_KEY_CERT_SIGN};
use super::check::Check;
use super::key::VerifyingKey;
use super::time;

/// Maximum number of link certificates between a signer's issuer and an anchor.
const MAX_LINKS: usize = 4;
/// Maximum number of signer chains the cache keeps. The cache is emptied
/// when it is full, which keeps the code simple and the memory bounded.
const CACHE_CAPACITY: usize = 4096;

/// The role of a certificate in the trust store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertificateRole {
    /// A self-signed CSCA certificate.
    Anchor,
    /// A CSCA certificate signed by another CSCA key (a link certificate).
    Link,
}

/// A CSCA certificate in the trust store.
#[derive(Debug)]
pub struct TrustedCertificate {
    pub certificate: Certificate,
    pub role: CertificateRole,
}

/// A parsed certificate revocation list (RFC 5280 §5.1).
pub struct Crl {
    x509: X509Crl,
    der: Vec<u8>,
    issuer: Vec<u8>,
    issuer_text: String,
    this_update: i64,
    next_update: Option<i64>,
    /// Serial number contents octets and revocation date of each entry.
    revoked: Vec<(Vec<u8>, i64)>,
}

impl std::fmt::Debug for Crl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Crl({}, {} entries)", self.issuer_text, self.revoked.len())
    }
}

impl Crl {
    /// Parses a DER CRL.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let x509 = X509Crl::from_der(der).context("parse CRL")?;
        let issuer_text = certificate::name_text(x509.issuer_name());
        let what = "CertificateList";
        let mut list = asn1::sequence(Tlv::decode_all(der, what)?, what)?;
        let what = "TBSCertList";
        let mut tbs = asn1::sequence(list.expect(SEQUENCE)?, what)?;
        tbs.optional(INTEGER)?;
        tbs.expect(SEQUENCE)?;
        let issuer = tbs.expect(SEQUENCE)?.raw.to_vec();
        let this_update = time::decode_time(tbs.read()?)?;
        let mut next_update = None;
        let mut revoked = Vec::new();
        while let Some(field) = tbs.next_tlv()? {
            if field.tag == asn1::UTC_TIME || field.tag == asn1::GENERALIZED_TIME {
                next_update = Some(time::decode_time(field)?);
            } else if field.tag == SEQUENCE {
                let mut entries = field.children("revokedCertificates");
                while let Some(entry) = entries.next_tlv()? {
                    let mut fields = asn1::sequence(entry, "revokedCertificates entry")?;
                    let serial = fields.expect(INTEGER)?.value.to_vec();
                    let date = time::decode_time(fields.read()?)?;
                    revoked.push((serial, date));
                }
            }
        }
        Ok(Self {
            x509,
            der: der.to_vec(),
            issuer,
            issuer_text,
            this_update,
            next_update,
            revoked,
        })
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    pub fn issuer_text(&self) -> &str {
        &self.issuer_text
    }

    pub fn this_update(&self) -> i64 {
        self.this_update
    }

    pub fn next_update(&self) -> Option<i64> {
        self.next_update
    }

    pub fn revoked_count(&self) -> usize {
        self.revoked.len()
    }

    /// Returns the revocation date of `serial`, if the CRL lists it.
    pub fn revocation_date(&self, serial: &[u8]) -> Option<i64> {
        self.revoked
            .iter()
            .find(|(entry, _)| entry.as_slice() == serial)
            .map(|(_, date)| *date)
    }

    fn is_signed_by(&self, certificate: &Certificate) -> bool {
        self.x509.verify(certificate.public_key()).unwrap_or(false)
    }
}

/// The relation of a signer certificate to the trust store. It does not
/// depend on the time of the verification, so it can be cached.
#[derive(Debug)]
pub enum IssuerOutcome {
    /// No CSCA in the store has the signer's issuer name (and key identifier).
    NotFound,
    /// CSCAs with the issuer name exist, but none of their keys verifies the
    /// signer certificate.
    SignatureInvalid { candidates: Vec<Arc<TrustedCertificate>> },
    /// The signer's issuer is a link certificate that does not chain to an
    /// anchor.
    NotAnchored { path: Vec<Arc<TrustedCertificate>> },
    /// The path from the signer's issuer up to a self-signed anchor; every
    /// signature on it verified.
    Chained { path: Vec<Arc<TrustedCertificate>> },
}

/// The revocation status that the CRLs of the trust store give a signer certificate.
#[derive(Debug)]
pub enum RevocationOutcome {
    /// No CRL with a valid signature from the signer's CSCA.
    NoCrl {
        /// CRLs with the issuer's name whose signature does not verify.
        invalid_signatures: usize,
    },
    Checked {
        /// The newest valid CRL.
        newest: Arc<Crl>,
        /// The revocation date, if any valid CRL lists the serial number.
        revoked_on: Option<i64>,
    },
}

/// A signer certificate validated against a trust store.
pub struct SignerValidation {
    pub certificate: Certificate,
    pub key: VerifyingKey,
    pub issuer: IssuerOutcome,
    pub revocation: RevocationOutcome,
    /// The time-independent chain checks, built on first use for the signer
    /// prefixes `ds` and `ml_signer`.
    static_checks: [OnceLock<Vec<Check>>; 2],
}

impl SignerValidation {
    /// Returns the cached chain checks for `signer_prefix`, building them
    /// with `build` the first time.
    pub(crate) fn static_checks(&self, signer_prefix: &str, build: impl FnOnce() -> Vec<Check>) -> &[Check] {
        let slot = usize::from(signer_prefix != "ds");
        match self.static_checks.get(slot) {
            Some(cell) => cell.get_or_init(build),
            None => &[],
        }
    }
}

impl std::fmt::Debug for SignerValidation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignerValidation")
            .field("certificate", &self.certificate)
            .field("issuer", &self.issuer)
            .field("revocation", &self.revocation)
            .finish()
    }
}

/// CSCA certificates, CRLs, and the chains validated so far.
#[derive(Default)]
pub struct TrustStore {
    certificates: Vec<Arc<TrustedCertificate>>,
    crls: Vec<Arc<Crl>>,
    cache: RwLock<HashMap<[u8; 32], Arc<SignerValidation>>>,
}

impl Clone for TrustStore {
    /// Copies the certificates and CRLs (shared, not re-parsed) and starts
    /// with an empty cache.
    fn clone(&self) -> Self {
        Self {
            certificates: self.certificates.clone(),
            crls: self.crls.clone(),
            cache: RwLock::default(),
        }
    }
}

impl std::fmt::Debug for TrustStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "TrustStore({} certificates, {} CRLs)",
            self.certificates.len(),
            self.crls.len()
        )
    }
}

impl TrustStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a DER CSCA certificate and returns it with its role. A
    /// self-issued certificate must carry a valid self-signature, and every
    /// certificate must pass [`is_ca_certificate`]. Adding a certificate
    /// already in the store changes nothing.
    pub fn add_certificate(&mut self, der: &[u8]) -> Result<Arc<TrustedCertificate>, Error> {
        let certificate = Certificate::from_der(der)?;
        if let Some(existing) = self
            .certificates
            .iter()
            .find(|trusted| trusted.certificate.fingerprint() == certificate.fingerprint())
        {
            return Ok(existing.clone());
        }
        if !is_ca_certificate(&certificate) {
            return Err(Error::Rejected {
                what: "CSCA certificate",
                reason: format!(
                    "{} is not a CA certificate (BasicConstraints cA or the keyCertSign key usage is missing)",
                    certificate.subject_text()
                ),
            });
        }
        let self_signed = certificate.is_self_issued() && certificate.is_signed_by(certificate.public_key());
        let role = if self_signed {
            CertificateRole::Anchor
        } else if certificate.is_self_issued() && certificate.subject_key_id() == certificate.authority_key_id() {
            return Err(Error::Rejected {
                what: "CSCA certificate",
                reason: format!("self-signature of {} does not verify", certificate.subject_text()),
            });
        } else {
            CertificateRole::Link
        };
        let trusted = Arc::new(TrustedCertificate { certificate, role });
        self.certificates.push(trusted.clone());
        self.clear_cache();
        Ok(trusted)
    }

    /// Adds a DER CRL; see [`TrustStore::insert_crl`].
    pub fn add_crl(&mut self, der: &[u8]) -> Result<Arc<Crl>, Error> {
        self.insert_crl(Crl::from_der(der)?)
    }

    /// Adds a parsed CRL after [`TrustStore::check_crl_signer`] accepts it, so
    /// that the store lists only CRLs that its CSCAs signed. Verification
    /// checks the signature again against the keys of the signer's chain.
    pub fn insert_crl(&mut self, crl: Crl) -> Result<Arc<Crl>, Error> {
        self.check_crl_signer(&crl)?;
        if let Some(existing) = self.crls.iter().find(|existing| existing.der == crl.der) {
            return Ok(existing.clone());
        }
        let crl = Arc::new(crl);
        self.crls.push(crl.clone());
        self.clear_cache();
        Ok(crl)
    }

    /// Checks that a CSCA of the store with the CRL's issuer name signed it:
    /// its key verifies the signature, and its key usage, when stated,
    /// includes cRLSign. A CRL of a CSCA not yet in the store is rejected, so
    /// CSCAs must be added before their CRLs.
    pub fn check_crl_signer(&self, crl: &Crl) -> Result<(), Error> {
        let named: Vec<&Certificate> = self
            .certificates
            .iter()
            .map(|trusted| &trusted.certificate)
            .filter(|csca| csca.subject_der() == crl.issuer.as_slice())
            .collect();
        if named.is_empty() {
            return Err(Error::Rejected {
                what: "CRL",
                reason: format!(
                    "no CSCA named {} is in the trust store, so the CRL's signature cannot be checked (add the CSCA first)",
                    crl.issuer_text
                ),
            });
        }
        let signed = named
            .iter()
            .filter(|csca| csca.key_usage().is_none_or(|usage| usage & KEY_USAGE_CRL_SIGN != 0))
            .any(|csca| crl.is_signed_by(csca));
        if signed {
            Ok(())
        } else {
            Err(Error::Rejected {
                what: "CRL",
                reason: format!(
                    "the CRL's signature does not verify with the key of any CSCA named {} that may sign CRLs",
                    crl.issuer_text
                ),
            })
        }
    }

    pub fn certificates(&self) -> &[Arc<TrustedCertificate>] {
        &self.certificates
    }

    pub fn crls(&self) -> &[Arc<Crl>] {
        &self.crls
    }

    /// Number of signer chains in the cache.
    pub fn cached_signers(&self) -> usize {
        self.cache.read().map(|cache| cache.len()).unwrap_or(0)
    }

    fn clear_cache(&mut self) {
        if let Ok(cache) = self.cache.get_mut() {
            cache.clear();
        }
    }

    /// Returns the validation of the signer certificate `der`, from the cache
    /// when this store has seen it before.
    pub fn validate_signer(&self, der: &[u8]) -> Result<Arc<SignerValidation>, Error> {
        let fingerprint = certificate::sha256(der)?;
        if let Some(cached) = self.cached(&fingerprint) {
            return Ok(cached);
        }
        let validation = Arc::new(self.validate_uncached(Certificate::from_der(der)?));
        if let Ok(mut cache) = self.cache.write() {
            if cache.len() >= CACHE_CAPACITY {
                cache.clear();
            }
            cache.insert(fingerprint, validation.clone());
        }
        Ok(validation)
    }

    /// Returns a cached validation by certificate fingerprint (SHA-256).
    pub fn cached(&self, fingerprint: &[u8; 32]) -> Option<Arc<SignerValidation>> {
        self.cache.read().ok()?.get(fingerprint).cloned()
    }

    fn validate_uncached(&self, certificate: Certificate) -> SignerValidation {
        let issuer = self.find_path(&certificate, 0);
        let revocation = match &issuer {
            IssuerOutcome::Chained { path } | IssuerOutcome::NotAnchored { path } => {
                self.revocation_status(&certificate, path)
            }
            _ => RevocationOutcome::NoCrl { invalid_signatures: 0 },
        };
        SignerValidation {
            key: VerifyingKey::new(certificate.public_key()),
            certificate,
            issuer,
            revocation,
            static_checks: [OnceLock::new(), OnceLock::new()],
        }
    }

    /// Finds the path from the issuer of `child` to an anchor, verifying each
    /// signature. `depth` counts the link certificates already on the path.
    fn find_path(&self, child: &Certificate, depth: usize) -> IssuerOutcome {
        let candidates: Vec<&Arc<TrustedCertificate>> = self
            .certificates
            .iter()
            .filter(|trusted| {
                trusted.certificate.fingerprint() != child.fingerprint() && trusted.certificate.may_have_issued(child)
            })
            .collect();
        if candidates.is_empty() {
            return IssuerOutcome::NotFound;
        }
        let mut unanchored = None;
        for candidate in &candidates {
            if !child.is_signed_by(candidate.certificate.public_key()) {
                continue;
            }
            match candidate.role {
                CertificateRole::Anchor => {
                    return IssuerOutcome::Chained {
                        path: vec![Arc::clone(candidate)],
                    }
                }
                CertificateRole::Link if depth < MAX_LINKS => {
                    match self.find_path(&candidate.certificate, depth + 1) {
                        IssuerOutcome::Chained { path } => {
                            let mut full = vec![Arc::clone(candidate)];
                            full.extend(path);
                            return IssuerOutcome::Chained { path: full };
                        }
                        _ => unanchored.get_or_insert_with(|| vec![Arc::clone(candidate)]),
                    };
                }
                CertificateRole::Link => {
                    unanchored.get_or_insert_with(|| vec![Arc::clone(candidate)]);
                }
            }
        }
        match unanchored {
            Some(path) => IssuerOutcome::NotAnchored { path },
            None => IssuerOutcome::SignatureInvalid {
                candidates: candidates.into_iter().cloned().collect(),
            },
        }
    }

    /// Looks the signer up in the CRLs issued under its issuer's name whose
    /// signature verifies with a key on the path with that name and with
    /// the `cRLSign` key usage when the certificate states key usage.
    fn revocation_status(&self, certificate: &Certificate, path: &[Arc<TrustedCertificate>]) -> RevocationOutcome {
        let signers: Vec<&Certificate> = path
            .iter()
            .map(|trusted| &trusted.certificate)
            .filter(|csca| csca.subject_der() == certificate.issuer_der())
            .filter(|csca| csca.key_usage().is_none_or(|usage| usage & KEY_USAGE_CRL_SIGN != 0))
            .collect();
        let mut invalid_signatures = 0;
        let mut newest: Option<Arc<Crl>> = None;
        let mut revoked_on: Option<i64> = None;
        for crl in self.crls.iter().filter(|crl| crl.issuer == certificate.issuer_der()) {
            if !signers.iter().any(|signer| crl.is_signed_by(signer)) {
                invalid_signatures += 1;
                continue;
            }
            if let Some(date) = crl.revocation_date(certificate.serial()) {
                revoked_on = Some(revoked_on.map_or(date, |earlier| earlier.min(date)));
            }
            if newest
                .as_ref()
                .is_none_or(|current| crl.this_update > current.this_update)
            {
                newest = Some(crl.clone());
            }
        }
        match newest {
            Some(newest) => RevocationOutcome::Checked { newest, revoked_on },
            None => RevocationOutcome::NoCrl { invalid_signatures },
        }
    }
}

/// Tells whether a certificate may be a CSCA: `BasicConstraints` with cA
/// true (or, without that extension, a key usage with keyCertSign) and no
/// key usage that leaves out keyCertSign.
pub fn is_ca_certificate(certificate: &Certificate) -> bool {
    let may_sign_certificates = certificate
        .key_usage()
        .is_none_or(|usage| usage & KEY_USAGE_KEY_CERT_SIGN != 0);
    let is_ca = match certificate.is_ca() {
        Some(flag) => flag,
        // Without BasicConstraints only the key usage can mark a CA.
        None => certificate.key_usage().is_some() && may_sign_certificates,
    };
    is_ca && may_sign_certificates
}

/// Converts a PEM or DER input into the DER of each `label` block: PEM text
/// may hold several blocks, DER input is returned as it is.
pub fn pem_or_der_blocks(input: &[u8], label: &str) -> Result<Vec<Vec<u8>>, CodecError> {
    let begin = format!("-----BEGIN {label}-----");
    let Ok(text) = std::str::from_utf8(input) else {
        return Ok(vec![input.to_vec()]);
    };
    if !text.contains("-----BEGIN ") {
        return Ok(vec![input.to_vec()]);
    }
    let end = format!("-----END {label}-----");
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&begin) {
        let after = rest.get(start + begin.len()..).unwrap_or("");
        let stop = after.find(&end).ok_or(CodecError::InvalidValue {
            what: "PEM",
            reason: "BEGIN line without END line",
        })?;
        let body: String = after
            .get(..stop)
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let der = openssl::base64::decode_block(&body).map_err(|_| CodecError::InvalidValue {
            what: "PEM",
            reason: "invalid base64",
        })?;
        blocks.push(der);
        rest = after.get(stop + end.len()..).unwrap_or("");
    }
    Ok(blocks)
}
