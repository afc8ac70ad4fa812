//! X.509 certificates of the ICAO PKI (ICAO 9303-12 §7): CSCA, CSCA link,
//! Document Signer and Master List Signer certificates.
//!
//! OpenSSL parses the certificate and checks signatures. The fields that the
//! chain checks compare (issuer, subject, serial number, validity, key
//! identifiers, basic constraints, key usage) are read from the DER here, so
//! that names compare as the bytes they are.

use std::fmt;

use openssl::pkey::{Id, PKey, Public};
use openssl::x509::X509;

use crate::asn1::{self, Oid, BIT_STRING, BOOLEAN, INTEGER, OBJECT_IDENTIFIER, OCTET_STRING, SEQUENCE};
use crate::error::{CodecError, Error, OpensslContext};
use crate::tlv::Tlv;

use super::time;

const ID_SUBJECT_KEY_IDENTIFIER: &str = "2.5.29.14";
const ID_KEY_USAGE: &str = "2.5.29.15";
const ID_BASIC_CONSTRAINTS: &str = "2.5.29.19";
const ID_AUTHORITY_KEY_IDENTIFIER: &str = "2.5.29.35";

/// The `digitalSignature` bit of `KeyUsage` (RFC 5280 §4.2.1.3).
pub const KEY_USAGE_DIGITAL_SIGNATURE: u16 = 0x0001;
/// The `keyCertSign` bit.
pub const KEY_USAGE_KEY_CERT_SIGN: u16 = 0x0020;
/// The `cRLSign` bit.
pub const KEY_USAGE_CRL_SIGN: u16 = 0x0040;

/// A parsed certificate with the fields Passive Authentication checks.
pub struct Certificate {
    der: Vec<u8>,
    x509: X509,
    public_key: PKey<Public>,
    /// Raw encoding of the issuer `Name`.
    issuer: Vec<u8>,
    /// Raw encoding of the subject `Name`.
    subject: Vec<u8>,
    /// Contents octets of the serial number `INTEGER`.
    serial: Vec<u8>,
    not_before: i64,
    not_after: i64,
    subject_key_id: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
    /// `cA` of `BasicConstraints`, or `None` without the extension.
    is_ca: Option<bool>,
    /// `KeyUsage` bits with bit 0 (`digitalSignature`) as the lowest.
    key_usage: Option<u16>,
    fingerprint: [u8; 32],
    /// Texts rendered once, because verification results quote them often.
    subject_text: String,
    issuer_text: String,
    serial_hex: String,
    key_description: String,
    not_before_text: String,
    not_after_text: String,
}

impl Certificate {
    /// Parses a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let fields = TbsFields::decode(der)?;
        let x509 = X509::from_der(der).context("parse X.509 certificate")?;
        let public_key = x509.public_key().context("read certificate public key")?;
        let fingerprint = sha256(der)?;
        let subject_text = name_text(x509.subject_name());
        let issuer_text = name_text(x509.issuer_name());
        let key_description = describe_key(&public_key);
        Ok(Self {
            subject_text,
            issuer_text,
            serial_hex: hex(&fields.serial),
            not_before_text: time::format_iso8601(fields.not_before),
            not_after_text: time::format_iso8601(fields.not_after),
            key_description,
            der: der.to_vec(),
            x509,
            public_key,
            issuer: fields.issuer,
            subject: fields.subject,
            serial: fields.serial,
            not_before: fields.not_before,
            not_after: fields.not_after,
            subject_key_id: fields.subject_key_id,
            authority_key_id: fields.authority_key_id,
            is_ca: fields.is_ca,
            key_usage: fields.key_usage,
            fingerprint,
        })
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    pub fn x509(&self) -> &X509 {
        &self.x509
    }

    pub fn public_key(&self) -> &PKey<Public> {
        &self.public_key
    }

    pub fn issuer_der(&self) -> &[u8] {
        &self.issuer
    }

    pub fn subject_der(&self) -> &[u8] {
        &self.subject
    }

    /// Returns the serial number's contents octets (two's complement, big-endian).
    pub fn serial(&self) -> &[u8] {
        &self.serial
    }

    /// Start of the validity period, in seconds since the Unix epoch.
    pub fn not_before(&self) -> i64 {
        self.not_before
    }

    /// End of the validity period, in seconds since the Unix epoch.
    pub fn not_after(&self) -> i64 {
        self.not_after
    }

    /// `notBefore` in ISO 8601.
    pub fn not_before_text(&self) -> &str {
        &self.not_before_text
    }

    /// `notAfter` in ISO 8601.
    pub fn not_after_text(&self) -> &str {
        &self.not_after_text
    }

    pub fn subject_key_id(&self) -> Option<&[u8]> {
        self.subject_key_id.as_deref()
    }

    pub fn authority_key_id(&self) -> Option<&[u8]> {
        self.authority_key_id.as_deref()
    }

    pub fn is_ca(&self) -> Option<bool> {
        self.is_ca
    }

    pub fn key_usage(&self) -> Option<u16> {
        self.key_usage
    }

    /// SHA-256 of the DER encoding.
    pub fn fingerprint(&self) -> &[u8; 32] {
        &self.fingerprint
    }

    /// Tells whether subject and issuer are the same name.
    pub fn is_self_issued(&self) -> bool {
        self.subject == self.issuer
    }

    /// Tells whether `self` may have issued `child`: the names match and, when
    /// both key identifiers are present, they match too.
    pub fn may_have_issued(&self, child: &Certificate) -> bool {
        if self.subject != child.issuer {
            return false;
        }
        match (self.subject_key_id(), child.authority_key_id()) {
            (Some(subject_key), Some(authority_key)) => subject_key == authority_key,
            _ => true,
        }
    }

    /// Checks this certificate's signature with `issuer_key`.
    pub fn is_signed_by(&self, issuer_key: &PKey<Public>) -> bool {
        // OpenSSL reports a malformed signature as an error, which is a failed
        // check here, not a failure of the verifier.
        self.x509.verify(issuer_key).unwrap_or(false)
    }

    /// Tells whether the validity period contains `at`.
    pub fn is_valid_at(&self, at: i64) -> bool {
        self.not_before <= at && at <= self.not_after
    }

    /// Returns the subject as one line, such as `C=TW, O=MOI, CN=CSCA`.
    pub fn subject_text(&self) -> &str {
        &self.subject_text
    }

    pub fn issuer_text(&self) -> &str {
        &self.issuer_text
    }

    /// Returns the serial number in hex.
    pub fn serial_hex(&self) -> &str {
        &self.serial_hex
    }

    /// Describes the public key, such as `EC brainpoolP256r1` or `RSA 3072`.
    pub fn key_description(&self) -> &str {
        &self.key_description
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Certificate({}, serial {})", self.subject_text(), self.serial_hex())
    }
}

/// Writes an X.509 name as `C=TW, O=..., CN=...`.
pub(crate) fn name_text(name: &openssl::x509::X509NameRef) -> String {
    let parts: Vec<String> = name
        .entries()
        .map(|entry| {
            let key = entry
                .object()
                .nid()
                .short_name()
                .map(str::to_owned)
                .unwrap_or_else(|_| entry.object().to_string());
            let value = entry
                .data()
                .to_string()
                .unwrap_or_else(|_| hex(entry.data().as_slice()));
            format!("{key}={value}")
        })
        .collect();
    parts.join(", ")
}

pub(crate) fn describe_key(key: &PKey<Public>) -> String {
    match key.id() {
        Id::EC => {
            let curve = key
                .ec_key()
                .ok()
                .and_then(|ec| ec.group().curve_name())
                .and_then(|nid| nid.short_name().ok().map(str::to_owned))
                .unwrap_or_else(|| "explicit parameters".to_owned());
            format!("EC {curve}")
        }
        Id::RSA | Id::RSA_PSS => format!("RSA {}", key.bits()),
        other => format!("key type {}", other.as_raw()),
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

pub(crate) fn sha256(bytes: &[u8]) -> Result<[u8; 32], Error> {
    let digest = super::algorithm::DigestAlgorithm::Sha256
        .hash(bytes)
        .context("SHA-256")?;
    let mut out = [0u8; 32];
    out.copy_from_slice(&digest);
    Ok(out)
}

struct TbsFields {
    issuer: Vec<u8>,
    subject: Vec<u8>,
    serial: Vec<u8>,
    not_before: i64,
    not_after: i64,
    subject_key_id: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
    is_ca: Option<bool>,
    key_usage: Option<u16>,
}

impl TbsFields {
    /// Reads the fields of `TBSCertificate` (RFC 5280 §4.1).
    fn decode(der: &[u8]) -> Result<Self, CodecError> {
        let what = "Certificate";
        let mut certificate = asn1::sequence(Tlv::decode_all(der, what)?, what)?;
        let what = "TBSCertificate";
        let mut tbs = asn1::sequence(certificate.expect(SEQUENCE)?, what)?;
        tbs.optional(asn1::context_constructed(0))?;
        let serial = tbs.expect(INTEGER)?.value.to_vec();
        tbs.expect(SEQUENCE)?;
        let issuer = tbs.expect(SEQUENCE)?.raw.to_vec();
        let mut validity = asn1::sequence(tbs.expect(SEQUENCE)?, "Validity")?;
        let not_before = time::decode_time(validity.read()?)?;
        let not_after = time::decode_time(validity.read()?)?;
        validity.finish()?;
        let subject = tbs.expect(SEQUENCE)?.raw.to_vec();
        tbs.expect(SEQUENCE)?;
        tbs.optional(asn1::context_primitive(1))?;
        tbs.optional(asn1::context_primitive(2))?;

        let mut fields = Self {
            issuer,
            subject,
            serial,
            not_before,
            not_after,
            subject_key_id: None,
            authority_key_id: None,
            is_ca: None,
            key_usage: None,
        };
        if let Some(explicit) = tbs.optional(asn1::context_constructed(3))? {
            let extensions = Tlv::decode_expected(explicit.value, SEQUENCE, "Extensions")?;
            let mut reader = extensions.children("Extensions");
            while let Some(extension) = reader.next_tlv()? {
                fields.decode_extension(extension)?;
            }
        }
        tbs.finish()?;
        Ok(fields)
    }

    fn decode_extension(&mut self, extension: Tlv<'_>) -> Result<(), CodecError> {
        let what = "Extension";
        let mut fields = asn1::sequence(extension, what)?;
        let oid = Oid::decode(fields.expect(OBJECT_IDENTIFIER)?)?;
        fields.optional(BOOLEAN)?;
        let value = fields.expect(OCTET_STRING)?.value;
        fields.finish()?;
        match oid.to_string().as_str() {
            ID_SUBJECT_KEY_IDENTIFIER => {
                let key_id = Tlv::decode_expected(value, OCTET_STRING, "SubjectKeyIdentifier")?;
                self.subject_key_id = Some(key_id.value.to_vec());
            }
            ID_AUTHORITY_KEY_IDENTIFIER => {
                let mut reader = asn1::sequence(
                    Tlv::decode_all(value, "AuthorityKeyIdentifier")?,
                    "AuthorityKeyIdentifier",
                )?;
                if let Some(key_id) = reader.optional(asn1::context_primitive(0))? {
                    self.authority_key_id = Some(key_id.value.to_vec());
                }
            }
            ID_BASIC_CONSTRAINTS => {
                let mut reader = asn1::sequence(Tlv::decode_all(value, "BasicConstraints")?, "BasicConstraints")?;
                let is_ca = match reader.optional(BOOLEAN)? {
                    Some(flag) => flag.value.first().is_some_and(|b| *b != 0),
                    None => false,
                };
                self.is_ca = Some(is_ca);
            }
            ID_KEY_USAGE => {
                let bits = Tlv::decode_expected(value, BIT_STRING, "KeyUsage")?.value;
                // The first octet counts unused bits; named bit 0 is the most
                // significant bit of the second octet.
                let first = u16::from(bits.get(1).copied().unwrap_or(0));
                let second = u16::from(bits.get(2).copied().unwrap_or(0));
                let packed = (first << 8) | second;
                self.key_usage = Some((0..16).fold(0u16, |acc, bit| {
                    if packed & (0x8000 >> bit) != 0 {
                        acc | (1 << bit)
                    } else {
                        acc
                    }
                }));
            }
            _ => {}
        }
        Ok(())
    }
}
