//! A throwaway PKI for tests: CSCAs, link certificates, Document Signers and
//! CRLs made with the openssl crate at test time.

use openssl::asn1::{Asn1Integer, Asn1Time};
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::extension::{AuthorityKeyIdentifier, BasicConstraints, KeyUsage, SubjectKeyIdentifier};
use openssl::x509::{X509Builder, X509CrlBuilder, X509Name, X509NameBuilder, X509RevokedBuilder, X509};

use crate::pa::build::DocumentSigner;

pub(super) const YEAR: i64 = 365 * 86_400;
/// 2026-01-01T00:00:00Z, the reference "now" of the tests.
pub(super) const NOW: i64 = 1_767_225_600;

pub(super) fn ec_key(curve: Nid) -> PKey<Private> {
    let group = EcGroup::from_curve_name(curve).unwrap();
    PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap()
}

pub(super) fn rsa_key(bits: u32) -> PKey<Private> {
    PKey::from_rsa(Rsa::generate(bits).unwrap()).unwrap()
}

pub(super) fn name(common_name: &str) -> X509Name {
    let mut builder = X509NameBuilder::new().unwrap();
    builder.append_entry_by_text("C", "TW").unwrap();
    builder
        .append_entry_by_text("O", "TEST ONLY - not a production key")
        .unwrap();
    builder.append_entry_by_text("CN", common_name).unwrap();
    builder.build()
}

/// A certificate authority: a key and its certificate.
pub(super) struct Authority {
    pub(super) key: PKey<Private>,
    pub(super) cert: X509,
}

/// Validity of a certificate, in seconds since the Unix epoch.
#[derive(Clone, Copy)]
pub(super) struct Validity {
    pub(super) not_before: i64,
    pub(super) not_after: i64,
}

impl Validity {
    pub(super) fn around_now() -> Self {
        Self {
            not_before: NOW - 5 * YEAR,
            not_after: NOW + 10 * YEAR,
        }
    }
}

fn digest_for(key: &PKey<Private>) -> MessageDigest {
    if key.bits() > 300 && key.id() == openssl::pkey::Id::EC {
        MessageDigest::sha384()
    } else {
        MessageDigest::sha256()
    }
}

fn builder(subject: &X509Name, key: &PKey<Private>, serial: u32, validity: Validity) -> X509Builder {
    let mut builder = X509Builder::new().unwrap();
    builder.set_version(2).unwrap();
    let serial = Asn1Integer::from_bn(&BigNum::from_u32(serial).unwrap()).unwrap();
    builder.set_serial_number(&serial).unwrap();
    builder.set_subject_name(subject).unwrap();
    builder.set_pubkey(key).unwrap();
    builder
        .set_not_before(&Asn1Time::from_unix(validity.not_before).unwrap())
        .unwrap();
    builder
        .set_not_after(&Asn1Time::from_unix(validity.not_after).unwrap())
        .unwrap();
    builder
}

/// Makes a self-signed CSCA.
pub(super) fn csca(common_name: &str, key: PKey<Private>, validity: Validity) -> Authority {
    let subject = name(common_name);
    let mut builder = builder(&subject, &key, 1, validity);
    builder.set_issuer_name(&subject).unwrap();
    builder
        .append_extension(BasicConstraints::new().critical().ca().pathlen(0).build().unwrap())
        .unwrap();
    builder
        .append_extension(KeyUsage::new().critical().key_cert_sign().crl_sign().build().unwrap())
        .unwrap();
    let ski = SubjectKeyIdentifier::new()
        .build(&builder.x509v3_context(None, None))
        .unwrap();
    builder.append_extension(ski).unwrap();
    builder.sign(&key, digest_for(&key)).unwrap();
    Authority {
        cert: builder.build(),
        key,
    }
}

/// Issues a certificate for `key` under `issuer`: a CA (link certificate)
/// when `ca` is true, a Document Signer otherwise.
pub(super) fn issue(
    issuer: &Authority,
    subject: &X509Name,
    key: &PKey<Private>,
    ca: bool,
    serial: u32,
    validity: Validity,
) -> X509 {
    let mut builder = builder(subject, key, serial, validity);
    builder.set_issuer_name(issuer.cert.subject_name()).unwrap();
    if ca {
        builder
            .append_extension(BasicConstraints::new().critical().ca().pathlen(0).build().unwrap())
            .unwrap();
        builder
            .append_extension(KeyUsage::new().critical().key_cert_sign().crl_sign().build().unwrap())
            .unwrap();
    } else {
        builder
            .append_extension(KeyUsage::new().critical().digital_signature().build().unwrap())
            .unwrap();
    }
    let context = builder.x509v3_context(Some(&issuer.cert), None);
    let ski = SubjectKeyIdentifier::new().build(&context).unwrap();
    let aki = AuthorityKeyIdentifier::new().keyid(true).build(&context).unwrap();
    builder.append_extension(ski).unwrap();
    builder.append_extension(aki).unwrap();
    builder.sign(&issuer.key, digest_for(&issuer.key)).unwrap();
    builder.build()
}

/// Makes a Document Signer under `csca`.
pub(super) fn document_signer(csca: &Authority, key: PKey<Private>, serial: u32, validity: Validity) -> DocumentSigner {
    let cert = issue(csca, &name("TEST DS"), &key, false, serial, validity);
    DocumentSigner::new(key, &cert.to_der().unwrap()).unwrap()
}

/// Makes a CRL of `issuer` revoking the given serial numbers.
pub(super) fn crl(issuer: &Authority, revoked: &[u32], this_update: i64, next_update: i64) -> Vec<u8> {
    let mut builder = X509CrlBuilder::new().unwrap();
    builder.set_issuer_name(issuer.cert.subject_name()).unwrap();
    // OpenSSL requires an authority key identifier on the CRLs it builds.
    let scratch = X509Builder::new().unwrap();
    let context = scratch.x509v3_context(Some(&issuer.cert), None);
    let aki = AuthorityKeyIdentifier::new().keyid(true).build(&context).unwrap();
    builder.append_extension(aki).unwrap();
    let number = openssl::x509::CrlNumber::new(BigNum::from_u32(this_update as u32).unwrap()).unwrap();
    builder.append_extension(number.build().unwrap()).unwrap();
    builder
        .set_last_update(&Asn1Time::from_unix(this_update).unwrap())
        .unwrap();
    builder
        .set_next_update(&Asn1Time::from_unix(next_update).unwrap())
        .unwrap();
    for serial in revoked {
        let mut entry = X509RevokedBuilder::new().unwrap();
        entry
            .set_serial_number(&Asn1Integer::from_bn(&BigNum::from_u32(*serial).unwrap()).unwrap())
            .unwrap();
        entry
            .set_revocation_date(&Asn1Time::from_unix(this_update).unwrap())
            .unwrap();
        builder.add_revoked(entry.build()).unwrap();
    }
    builder.sign(&issuer.key, MessageDigest::sha256()).unwrap();
    builder.build().unwrap().to_der().unwrap()
}

/// Data groups shaped like the card profile's: `[APPLICATION n]` TLVs.
pub(super) fn data_groups() -> Vec<(u8, Vec<u8>)> {
    let mut groups = Vec::new();
    for number in [1u8, 2, 3, 4, 5, 6, 7, 8, 9, 15] {
        let mut body = vec![0x80, 0x04];
        body.extend_from_slice(format!("DG{number:02}").as_bytes());
        let mut dg = vec![0x60 + number, body.len() as u8];
        dg.extend_from_slice(&body);
        groups.push((number, dg));
    }
    groups
}

pub(super) fn borrowed(groups: &[(u8, Vec<u8>)]) -> Vec<(u8, &[u8])> {
    groups
        .iter()
        .map(|(number, bytes)| (*number, bytes.as_slice()))
        .collect()
}
