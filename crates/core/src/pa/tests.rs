use openssl::nid::Nid;

use super::*;
use crate::tlv::{self, Tag, Tlv};

mod cli;
mod fuzz;
mod kit;

use kit::{borrowed, Authority, Validity, NOW, YEAR};

struct Fixture {
    csca: Authority,
    signer: DocumentSigner,
    trust: TrustStore,
    groups: Vec<(u8, Vec<u8>)>,
}

fn fixture(csca_curve: Nid, ds_curve: Nid) -> Fixture {
    let csca = kit::csca("TEST CSCA", kit::ec_key(csca_curve), Validity::around_now());
    let signer = kit::document_signer(&csca, kit::ec_key(ds_curve), 100, Validity::around_now());
    let mut trust = TrustStore::new();
    trust.add_certificate(&csca.cert.to_der().unwrap()).unwrap();
    Fixture {
        csca,
        signer,
        trust,
        groups: kit::data_groups(),
    }
}

fn options() -> SignOptions {
    SignOptions {
        signing_time: Some(NOW - 86_400),
        ..SignOptions::default()
    }
}

fn sod_of(fixture: &Fixture) -> Vec<u8> {
    build_sod(
        &fixture.signer,
        DigestAlgorithm::Sha256,
        borrowed(&fixture.groups),
        &options(),
    )
    .unwrap()
}

fn verify(fixture: &Fixture, sod: &[u8], policy: &Policy) -> Verification {
    verify_sod(sod, &borrowed(&fixture.groups), &fixture.trust, policy, NOW)
}

fn failed_names(verification: &Verification) -> Vec<&str> {
    verification.failures().map(|check| check.name.as_str()).collect()
}

#[track_caller]
fn assert_only_failure(verification: &Verification, name: &str, code: &str) {
    assert!(!verification.ok, "verdict must be false: {:#?}", verification.checks);
    assert_eq!(failed_names(verification), vec![name], "{:#?}", verification.checks);
    assert_eq!(verification.check(name).unwrap().detail.code, code);
}

#[test]
fn built_sod_verifies() {
    let fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let sod = sod_of(&fixture);
    assert_eq!(sod.first(), Some(&0x77));
    let verification = verify(&fixture, &sod, &Policy::default());
    assert!(verification.ok, "{:#?}", verification.checks);
    for name in [
        "sod.format",
        "sod.content_type",
        "lds.format",
        "sod.digest_algorithm",
        "lds.hash_algorithm",
        "sod.content_type_attribute",
        "sod.message_digest",
        "sod.signing_time",
        "ds.certificate",
        "sod.signature",
        "ds.issuer",
        "ds.certificate_signature",
        "ds.validity",
        "csca.validity",
        "ds.key_usage",
        "dg1.hash",
        "dg9.hash",
        "dg15.hash",
    ] {
        assert!(
            verification.check(name).is_some_and(|check| check.ok),
            "{name} missing or failed"
        );
    }
    // Without a CRL the revocation check is listed, not passed, not required.
    let crl = verification.check("ds.crl_status").unwrap();
    assert!(!crl.ok);
    assert!(!crl.required);
    assert_eq!(crl.detail.code, "no_crl");
    assert_eq!(verification.signing_time, Some(NOW - 86_400));
    assert_eq!(verification.lds.as_ref().unwrap().hashes.len(), 10);
}

#[test]
fn sod_without_wrapper_verifies() {
    let fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let sod = sod_of(&fixture);
    let content_info = Tlv::decode_all(&sod, "sod").unwrap().value.to_vec();
    assert!(verify(&fixture, &content_info, &Policy::default()).ok);
}

#[test]
fn changed_data_group_names_the_group() {
    let mut fixture = fixture(Nid::X9_62_PRIME256V1, Nid::BRAINPOOL_P256R1);
    let sod = sod_of(&fixture);
    let dg7 = fixture.groups.iter_mut().find(|(number, _)| *number == 7).unwrap();
    *dg7.1.last_mut().unwrap() ^= 1;
    let verification = verify(&fixture, &sod, &Policy::default());
    assert_only_failure(&verification, "dg7.hash", "hash_mismatch");
    let detail = &verification.check("dg7.hash").unwrap().detail;
    assert_eq!(detail.param("dg"), Some("7"));
    assert_ne!(detail.param("expected"), detail.param("actual"));
}

#[test]
fn changed_signature_byte_fails_signature() {
    let fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let mut sod = sod_of(&fixture);
    // The signature OCTET STRING ends the SOD.
    *sod.last_mut().unwrap() ^= 0x01;
    let verification = verify(&fixture, &sod, &Policy::default());
    assert_only_failure(&verification, "sod.signature", "signature_invalid");
}

#[test]
fn changed_content_byte_fails_message_digest() {
    let fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let sod = sod_of(&fixture);
    let lds = encode_lds_security_object(DigestAlgorithm::Sha256, borrowed(&fixture.groups)).unwrap();
    let position = sod
        .windows(lds.len())
        .position(|window| window == lds.as_slice())
        .unwrap();
    let mut changed = sod.clone();
    changed[position + lds.len() - 1] ^= 0x80;
    let verification = verify(&fixture, &changed, &Policy::default());
    assert!(!verification.ok);
    assert_eq!(failed_names(&verification), vec!["sod.message_digest", "dg15.hash"]);
}

#[test]
fn document_signer_of_another_csca_is_rejected() {
    let fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let foreign = kit::csca(
        "FOREIGN CSCA",
        kit::ec_key(Nid::X9_62_PRIME256V1),
        Validity::around_now(),
    );
    let foreign_signer = kit::document_signer(&foreign, kit::ec_key(Nid::X9_62_PRIME256V1), 7, Validity::around_now());
    let sod = build_sod(
        &foreign_signer,
        DigestAlgorithm::Sha256,
        borrowed(&fixture.groups),
        &options(),
    )
    .unwrap();
    let verification = verify(&fixture, &sod, &Policy::default());
    assert_only_failure(&verification, "ds.issuer", "issuer_not_trusted");

    // A CSCA with the trusted name but another key fails on the signature.
    let impostor = kit::csca("TEST CSCA", kit::ec_key(Nid::X9_62_PRIME256V1), Validity::around_now());
    let impostor_signer =
        kit::document_signer(&impostor, kit::ec_key(Nid::X9_62_PRIME256V1), 8, Validity::around_now());
    let sod = build_sod(
        &impostor_signer,
        DigestAlgorithm::Sha256,
        borrowed(&fixture.groups),
        &options(),
    )
    .unwrap();
    let verification = verify(&fixture, &sod, &Policy::default());
    assert!(!verification.ok);
    // The impostor's DS names the trusted CSCA's subject but its authority key
    // identifier differs, so no candidate remains.
    let failed = failed_names(&verification);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0] == "ds.issuer" || failed[0] == "ds.certificate_signature");
}

#[test]
fn same_name_csca_without_key_identifiers_fails_signature() {
    let fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    // A DS issued by a CSCA with the trusted name, built without key identifiers.
    let impostor = kit::csca("TEST CSCA", kit::ec_key(Nid::X9_62_PRIME256V1), Validity::around_now());
    let key = kit::ec_key(Nid::X9_62_PRIME256V1);
    let mut builder = openssl::x509::X509Builder::new().unwrap();
    builder.set_version(2).unwrap();
    builder.set_subject_name(&kit::name("TEST DS")).unwrap();
    builder.set_issuer_name(impostor.cert.subject_name()).unwrap();
    builder.set_pubkey(&key).unwrap();
    builder
        .set_not_before(&openssl::asn1::Asn1Time::from_unix(NOW - YEAR).unwrap())
        .unwrap();
    builder
        .set_not_after(&openssl::asn1::Asn1Time::from_unix(NOW + YEAR).unwrap())
        .unwrap();
    builder
        .sign(&impostor.key, openssl::hash::MessageDigest::sha256())
        .unwrap();
    let signer = DocumentSigner::new(key, &builder.build().to_der().unwrap()).unwrap();
    let sod = build_sod(&signer, DigestAlgorithm::Sha256, borrowed(&fixture.groups), &options()).unwrap();
    let verification = verify(&fixture, &sod, &Policy::default());
    assert_only_failure(
        &verification,
        "ds.certificate_signature",
        "certificate_signature_invalid",
    );
}

#[test]
fn expired_document_signer_fails_validity_now() {
    let mut fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let expired = Validity {
        not_before: NOW - 3 * YEAR,
        not_after: NOW - YEAR,
    };
    fixture.signer = kit::document_signer(&fixture.csca, kit::ec_key(Nid::X9_62_PRIME256V1), 9, expired);
    let signed_then = SignOptions {
        signing_time: Some(NOW - 2 * YEAR),
        ..SignOptions::default()
    };
    let sod = build_sod(
        &fixture.signer,
        DigestAlgorithm::Sha256,
        borrowed(&fixture.groups),
        &signed_then,
    )
    .unwrap();
    let verification = verify(&fixture, &sod, &Policy::default());
    assert_only_failure(&verification, "ds.validity", "expired");

    let at_signing = Policy {
        validity_time: ValidityTime::SigningTime,
        ..Policy::default()
    };
    assert!(verify(&fixture, &sod, &at_signing).ok);

    let at_time = Policy {
        validity_time: ValidityTime::At(NOW - 4 * YEAR),
        ..Policy::default()
    };
    assert_only_failure(&verify(&fixture, &sod, &at_time), "ds.validity", "not_yet_valid");
}

#[test]
fn signing_time_policy_needs_the_attribute() {
    let fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let sod = build_sod(
        &fixture.signer,
        DigestAlgorithm::Sha256,
        borrowed(&fixture.groups),
        &SignOptions::default(),
    )
    .unwrap();
    assert!(verify(&fixture, &sod, &Policy::default()).ok);
    let at_signing = Policy {
        validity_time: ValidityTime::SigningTime,
        ..Policy::default()
    };
    assert_only_failure(
        &verify(&fixture, &sod, &at_signing),
        "sod.signing_time",
        "signing_time_missing",
    );
}

#[test]
fn revoked_document_signer_fails_crl_status() {
    let mut fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let sod = sod_of(&fixture);
    let revoking = kit::crl(&fixture.csca, &[100], NOW - 86_400, NOW + 30 * 86_400);
    fixture.trust.add_crl(&revoking).unwrap();
    let verification = verify(&fixture, &sod, &Policy::default());
    assert_only_failure(&verification, "ds.crl_status", "revoked");
}

#[test]
fn crl_policy_decides_what_a_missing_crl_means() {
    let mut fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let sod = sod_of(&fixture);
    let required = Policy {
        crl: CrlPolicy::Required,
        ..Policy::default()
    };
    assert_only_failure(&verify(&fixture, &sod, &required), "ds.crl_status", "no_crl");

    let ignore = Policy {
        crl: CrlPolicy::Ignore,
        ..Policy::default()
    };
    let verification = verify(&fixture, &sod, &ignore);
    assert!(verification.ok);
    assert_eq!(
        verification.check("ds.crl_status").unwrap().detail.code,
        "revocation_not_checked"
    );

    // A CRL of a foreign CSCA with the same name is not added.
    let impostor = kit::csca("TEST CSCA", kit::ec_key(Nid::X9_62_PRIME256V1), Validity::around_now());
    let error = fixture
        .trust
        .add_crl(&kit::crl(&impostor, &[], NOW - 86_400, NOW + 86_400))
        .unwrap_err();
    assert!(matches!(error, crate::Error::Rejected { what: "CRL", .. }), "{error}");
    assert!(fixture.trust.crls().is_empty());
    assert_only_failure(&verify(&fixture, &sod, &required), "ds.crl_status", "no_crl");

    fixture
        .trust
        .add_crl(&kit::crl(&fixture.csca, &[5], NOW - 86_400, NOW + 86_400))
        .unwrap();
    let verification = verify(&fixture, &sod, &required);
    assert!(verification.ok, "{:#?}", verification.checks);
    assert_eq!(verification.check("ds.crl_status").unwrap().detail.code, "not_revoked");

    // A CRL past its nextUpdate fails only when CRLs are required.
    let mut stale = self::fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let sod = sod_of(&stale);
    stale
        .trust
        .add_crl(&kit::crl(&stale.csca, &[], NOW - 60 * 86_400, NOW - 30 * 86_400))
        .unwrap();
    assert_only_failure(&verify(&stale, &sod, &required), "ds.crl_status", "crl_stale");
    let lenient = verify(&stale, &sod, &Policy::default());
    assert!(lenient.ok);
    assert!(!lenient.check("ds.crl_status").unwrap().required);
}

#[test]
fn rsa_pss_and_pkcs1_signers_verify() {
    let csca = kit::csca("TEST CSCA RSA", kit::rsa_key(2048), Validity::around_now());
    let signer = kit::document_signer(&csca, kit::rsa_key(2048), 3, Validity::around_now());
    let mut trust = TrustStore::new();
    trust.add_certificate(&csca.cert.to_der().unwrap()).unwrap();
    let groups = kit::data_groups();
    for rsa_pss in [false, true] {
        let options = SignOptions { rsa_pss, ..options() };
        let sod = build_sod(&signer, DigestAlgorithm::Sha256, borrowed(&groups), &options).unwrap();
        let verification = verify_sod(&sod, &borrowed(&groups), &trust, &Policy::default(), NOW);
        assert!(verification.ok, "{:#?}", verification.checks);
        let scheme = verification
            .check("sod.signature")
            .unwrap()
            .detail
            .param("scheme")
            .unwrap()
            .to_owned();
        assert_eq!(scheme.starts_with("RSA-PSS"), rsa_pss, "{scheme}");
    }
}

#[test]
fn brainpool_p384_signer_with_sha384_verifies() {
    let fixture = fixture(Nid::BRAINPOOL_P384R1, Nid::BRAINPOOL_P384R1);
    let options = SignOptions {
        digest: DigestAlgorithm::Sha384,
        ..options()
    };
    let sod = build_sod(
        &fixture.signer,
        DigestAlgorithm::Sha384,
        borrowed(&fixture.groups),
        &options,
    )
    .unwrap();
    let verification = verify(&fixture, &sod, &Policy::default());
    assert!(verification.ok, "{:#?}", verification.checks);
    assert_eq!(
        verification.check("sod.signature").unwrap().detail.param("key"),
        Some("EC brainpoolP384r1")
    );
}

#[test]
fn sha1_is_rejected_unless_allowed() {
    let fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let options = SignOptions {
        digest: DigestAlgorithm::Sha1,
        ..options()
    };
    let sod = build_sod(
        &fixture.signer,
        DigestAlgorithm::Sha1,
        borrowed(&fixture.groups),
        &options,
    )
    .unwrap();
    let verification = verify(&fixture, &sod, &Policy::default());
    assert!(!verification.ok);
    assert_eq!(
        failed_names(&verification),
        vec!["sod.digest_algorithm", "lds.hash_algorithm"]
    );
    let legacy = Policy {
        allowed_digests: DigestAlgorithm::ALL.to_vec(),
        ..Policy::default()
    };
    assert!(verify(&fixture, &sod, &legacy).ok);
}

#[test]
fn link_certificate_chain_verifies() {
    let old = kit::csca("TEST CSCA", kit::ec_key(Nid::X9_62_PRIME256V1), Validity::around_now());
    let new_key = kit::ec_key(Nid::X9_62_PRIME256V1);
    let link_cert = kit::issue(&old, &kit::name("TEST CSCA"), &new_key, true, 2, Validity::around_now());
    let new = Authority {
        key: new_key,
        cert: link_cert.clone(),
    };
    let signer = kit::document_signer(&new, kit::ec_key(Nid::X9_62_PRIME256V1), 50, Validity::around_now());
    let groups = kit::data_groups();
    let sod = build_sod(&signer, DigestAlgorithm::Sha256, borrowed(&groups), &options()).unwrap();

    let mut trust = TrustStore::new();
    let anchor = trust.add_certificate(&old.cert.to_der().unwrap()).unwrap();
    assert_eq!(anchor.role, CertificateRole::Anchor);
    let link = trust.add_certificate(&link_cert.to_der().unwrap()).unwrap();
    assert_eq!(link.role, CertificateRole::Link);
    let verification = verify_sod(&sod, &borrowed(&groups), &trust, &Policy::default(), NOW);
    assert!(verification.ok, "{:#?}", verification.checks);
    assert!(verification.check("csca.link_signature").unwrap().ok);
    assert!(verification.check("csca.link_validity").unwrap().ok);

    // Without the old CSCA the link certificate has no anchor.
    let mut links_only = TrustStore::new();
    links_only.add_certificate(&link_cert.to_der().unwrap()).unwrap();
    let verification = verify_sod(&sod, &borrowed(&groups), &links_only, &Policy::default(), NOW);
    assert_only_failure(&verification, "csca.link_signature", "link_not_anchored");

    // Revocation by the CRL that the new key signed.
    trust
        .add_crl(&kit::crl(&new, &[50], NOW - 86_400, NOW + 86_400))
        .unwrap();
    let verification = verify_sod(&sod, &borrowed(&groups), &trust, &Policy::default(), NOW);
    assert_only_failure(&verification, "ds.crl_status", "revoked");
}

#[test]
fn data_group_not_in_sod_fails_by_default() {
    let fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let sod = sod_of(&fixture);
    let mut read = borrowed(&fixture.groups);
    let extra = [0x6Du8, 0x03, 0x80, 0x01, b'F'];
    read.push((13, &extra));
    let verification = verify_sod(&sod, &read, &fixture.trust, &Policy::default(), NOW);
    assert_only_failure(&verification, "dg13.not_in_sod", "not_in_sod");
    let lenient = Policy {
        accept_data_groups_not_in_sod: true,
        ..Policy::default()
    };
    let verification = verify_sod(&sod, &read, &fixture.trust, &lenient, NOW);
    assert!(verification.ok);
    assert!(!verification.check("dg13.not_in_sod").unwrap().ok);
}

#[test]
fn no_data_group_read_fails() {
    let fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let sod = sod_of(&fixture);
    let verification = verify_sod(&sod, &[], &fixture.trust, &Policy::default(), NOW);
    assert_only_failure(&verification, "dg.none_read", "no_data_group_read");
    assert_eq!(
        verification.check("dg.none_read").unwrap().detail.param("read"),
        Some("0")
    );

    // Data groups the security object does not list verify nothing either,
    // even when the policy accepts them.
    let lenient = Policy {
        accept_data_groups_not_in_sod: true,
        ..Policy::default()
    };
    let unlisted = [0x6Du8, 0x03, 0x80, 0x01, b'F'];
    let verification = verify_sod(&sod, &[(13, &unlisted)], &fixture.trust, &lenient, NOW);
    assert_only_failure(&verification, "dg.none_read", "no_data_group_read");

    // One listed data group is enough for the check.
    let one = borrowed(&fixture.groups)
        .into_iter()
        .filter(|(number, _)| *number == 3)
        .collect::<Vec<_>>();
    let verification = verify_sod(&sod, &one, &fixture.trust, &Policy::default(), NOW);
    assert!(verification.ok, "{:#?}", verification.checks);
    assert!(verification.check("dg.none_read").is_none());
}

#[test]
fn digest_algorithms_must_list_the_signer_digest() {
    let fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let sod = sod_of(&fixture);
    let verification = verify(&fixture, &sod, &Policy::default());
    let listed = verification.check("sod.digest_algorithms").unwrap();
    assert!(listed.ok);
    assert_eq!(listed.detail.code, "digest_algorithm_listed");

    // The first SHA-256 OID of the SOD is the one in SignedData.digestAlgorithms,
    // which no signature covers. Turning it into SHA-384 changes only that set.
    let sha256 = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    let position = sod.windows(sha256.len()).position(|window| window == sha256).unwrap();
    let mut changed = sod.clone();
    changed[position + sha256.len() - 1] = 0x02;
    let verification = verify(&fixture, &changed, &Policy::default());
    assert_only_failure(&verification, "sod.digest_algorithms", "digest_algorithm_not_listed");
    let detail = &verification.check("sod.digest_algorithms").unwrap().detail;
    assert_eq!(detail.param("oid"), Some("2.16.840.1.101.3.4.2.1"));
    assert_eq!(detail.param("listed"), Some("2.16.840.1.101.3.4.2.2"));
}

#[test]
fn crl_needs_a_csca_signature_to_be_added() {
    let fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);

    // A CRL whose CSCA is not in the store yet.
    let mut empty = TrustStore::new();
    let genuine = kit::crl(&fixture.csca, &[], NOW - 86_400, NOW + 86_400);
    let error = empty.add_crl(&genuine).unwrap_err();
    assert!(error.to_string().contains("add the CSCA first"), "{error}");
    assert!(empty.crls().is_empty());

    // A CRL under the trusted name, signed by another key.
    let mut trust = fixture.trust.clone();
    let impostor = kit::csca("TEST CSCA", kit::ec_key(Nid::X9_62_PRIME256V1), Validity::around_now());
    let forged = kit::crl(&impostor, &[], NOW - 86_400, NOW + 86_400);
    let error = trust.add_crl(&forged).unwrap_err();
    assert!(error.to_string().contains("does not verify"), "{error}");
    assert!(trust.crls().is_empty());

    // The CSCA's own CRL is added once.
    trust.add_crl(&genuine).unwrap();
    trust.add_crl(&genuine).unwrap();
    assert_eq!(trust.crls().len(), 1);
}

#[test]
fn data_group_not_read_is_listed() {
    let fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let sod = sod_of(&fixture);
    let read: Vec<(u8, &[u8])> = borrowed(&fixture.groups)
        .into_iter()
        .filter(|(number, _)| *number != 9)
        .collect();
    let verification = verify_sod(&sod, &read, &fixture.trust, &Policy::default(), NOW);
    assert!(verification.ok);
    let not_read = verification.check("dg9.not_read").unwrap();
    assert!(!not_read.ok);
    assert!(!not_read.required);
    let strict = Policy {
        accept_unread_data_groups: false,
        ..Policy::default()
    };
    let verification = verify_sod(&sod, &read, &fixture.trust, &strict, NOW);
    assert_only_failure(&verification, "dg9.not_read", "not_read");
}

/// Re-encodes the constructed layers above the signed parts with
/// non-minimal four-byte lengths (`84 00 00 xx xx`).
fn with_long_lengths(sod: &[u8]) -> Vec<u8> {
    fn long(tag: Tag, value: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        tag.encode(&mut out);
        out.push(0x84);
        out.extend_from_slice(&(value.len() as u32).to_be_bytes());
        out.extend_from_slice(value);
        out
    }
    let wrapper = Tlv::decode_all(sod, "sod").unwrap();
    let content_info = Tlv::decode_all(wrapper.value, "ci").unwrap();
    let mut ci = content_info.children("ci");
    let oid = ci.read().unwrap();
    let explicit = ci.read().unwrap();
    let signed_data = Tlv::decode_all(explicit.value, "sd").unwrap();
    let mut fields = Vec::new();
    let mut sd = signed_data.children("sd");
    while let Some(field) = sd.next_tlv().unwrap() {
        if field.tag == Tag(0x30) {
            // EncapsulatedContentInfo: lengthen the [0] and the OCTET STRING too.
            let mut eci = field.children("eci");
            let content_type = eci.read().unwrap();
            let econtent = eci.read().unwrap();
            let octets = Tlv::decode_all(econtent.value, "oct").unwrap();
            let mut body = content_type.raw.to_vec();
            body.extend(long(Tag(0xA0), &long(Tag(0x04), octets.value)));
            fields.extend(long(Tag(0x30), &body));
        } else if field.tag == Tag(0x31) && field.value.first() == Some(&0x30) && fields.len() > 20 {
            // SignerInfos: lengthen the SET and the SignerInfo SEQUENCE.
            let signer = Tlv::decode_all(field.value, "si").unwrap();
            fields.extend(long(Tag(0x31), &long(Tag(0x30), signer.value)));
        } else {
            fields.extend(long(field.tag, field.value));
        }
    }
    let mut body = oid.raw.to_vec();
    body.extend(long(Tag(0xA0), &long(Tag(0x30), &fields)));
    long(Tag(0x77), &long(Tag(0x30), &body))
}

#[test]
fn non_minimal_lengths_are_accepted() {
    let fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let sod = sod_of(&fixture);
    let long = with_long_lengths(&sod);
    assert!(long.len() > sod.len());
    assert!(long.windows(3).filter(|window| *window == [0x84, 0, 0]).count() >= 10);
    let verification = verify(&fixture, &long, &Policy::default());
    assert!(verification.ok, "{:#?}", verification.checks);

    // A non-minimal LDS object signed as it is.
    let lds = encode_lds_security_object(DigestAlgorithm::Sha256, borrowed(&fixture.groups)).unwrap();
    let outer = Tlv::decode_all(&lds, "lds").unwrap();
    let mut long_lds = vec![0x30, 0x83, 0, (outer.value.len() >> 8) as u8, outer.value.len() as u8];
    long_lds.extend_from_slice(outer.value);
    let content_type = crate::asn1::Oid::parse(lds::ID_LDS_SECURITY_OBJECT).unwrap();
    let signed = sign_content(&fixture.signer, &content_type, &long_lds, &options()).unwrap();
    let verification = verify(&fixture, &wrap_sod(&signed), &Policy::default());
    assert!(verification.ok, "{:#?}", verification.checks);
}

#[test]
fn indefinite_length_is_rejected() {
    let fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let sod = sod_of(&fixture);
    let content_info = Tlv::decode_all(&sod, "sod").unwrap().value;
    // 77 80 <ContentInfo> 00 00
    let mut indefinite = vec![0x77, 0x80];
    indefinite.extend_from_slice(content_info);
    indefinite.extend_from_slice(&[0, 0]);
    let verification = verify(&fixture, &indefinite, &Policy::default());
    assert_only_failure(&verification, "sod.format", "malformed");
    assert_eq!(
        verification.check("sod.format").unwrap().detail.param("error"),
        Some("EF.SOD: indefinite length is not allowed")
    );

    // The same inside: ContentInfo 30 80 ... 00 00.
    let inner = Tlv::decode_all(content_info, "ci").unwrap();
    let mut body = vec![0x30, 0x80];
    body.extend_from_slice(inner.value);
    body.extend_from_slice(&[0, 0]);
    let verification = verify(&fixture, &tlv::tlv(Tag(0x77), &body), &Policy::default());
    assert_eq!(
        verification.check("sod.format").unwrap().detail.param("error"),
        Some("ContentInfo: indefinite length is not allowed")
    );
}

#[test]
fn trailing_bytes_are_rejected() {
    let fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let mut sod = sod_of(&fixture);
    sod.extend_from_slice(&[0x00, 0x00]);
    let verification = verify(&fixture, &sod, &Policy::default());
    assert_only_failure(&verification, "sod.format", "malformed");
    assert_eq!(
        verification.check("sod.format").unwrap().detail.param("error"),
        Some("EF.SOD: 2 bytes follow the structure")
    );
}

#[test]
fn explicit_curve_parameters_verify() {
    use openssl::bn::BigNumContext;
    use openssl::ec::{EcGroup, EcKey};
    let mut fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    // Rebuild a brainpoolP256r1 key on a group without a curve name, so the
    // certificate carries explicit domain parameters.
    let named = EcGroup::from_curve_name(Nid::BRAINPOOL_P256R1).unwrap();
    let mut context = BigNumContext::new().unwrap();
    let (mut p, mut a, mut b) = (
        openssl::bn::BigNum::new().unwrap(),
        openssl::bn::BigNum::new().unwrap(),
        openssl::bn::BigNum::new().unwrap(),
    );
    named.components_gfp(&mut p, &mut a, &mut b, &mut context).unwrap();
    let mut explicit = EcGroup::from_components(p, a, b, &mut context).unwrap();
    let generator = named.generator_opt().unwrap().to_owned(&named).unwrap();
    let mut order = openssl::bn::BigNum::new().unwrap();
    named.order(&mut order, &mut context).unwrap();
    let mut cofactor = openssl::bn::BigNum::new().unwrap();
    named.cofactor(&mut cofactor, &mut context).unwrap();
    explicit.set_generator(generator, order, cofactor).unwrap();
    explicit.set_asn1_flag(openssl::ec::Asn1Flag::EXPLICIT_CURVE);
    let key = openssl::pkey::PKey::from_ec_key(EcKey::generate(&explicit).unwrap()).unwrap();
    fixture.signer = kit::document_signer(&fixture.csca, key, 77, Validity::around_now());
    // SubjectPublicKeyInfo: id-ecPublicKey followed by a SEQUENCE (ECParameters), not an OID.
    let explicit_spki = [0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x30];
    let der = fixture.signer.certificate().der();
    assert!(der.windows(explicit_spki.len()).any(|window| window == explicit_spki));
    let sod = sod_of(&fixture);
    let verification = verify(&fixture, &sod, &Policy::default());
    assert!(verification.ok, "{:#?}", verification.checks);
}

#[test]
fn subject_key_identifier_signer_verifies() {
    let fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let options = SignOptions {
        subject_key_identifier: true,
        ..options()
    };
    let sod = build_sod(
        &fixture.signer,
        DigestAlgorithm::Sha256,
        borrowed(&fixture.groups),
        &options,
    )
    .unwrap();
    let verification = verify(&fixture, &sod, &Policy::default());
    assert!(verification.ok, "{:#?}", verification.checks);
}

#[test]
fn card_security_verifies_and_returns_content() {
    let fixture = fixture(Nid::X9_62_PRIME256V1, Nid::BRAINPOOL_P256R1);
    // SET { SEQUENCE { id-PACE-ECDH-GM-AES-CBC-CMAC-128, INTEGER 2, INTEGER 13 } }
    let infos = [
        0x31, 0x14, 0x30, 0x12, 0x06, 0x0A, 0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02, 0x02, 0x02, 0x01,
        0x02, 0x02, 0x01, 0x0D,
    ];
    let card_security = build_card_security(&fixture.signer, &infos, &options()).unwrap();
    assert_eq!(card_security.first(), Some(&0x30));
    let verification = verify_card_security(&card_security, &fixture.trust, &Policy::default(), NOW);
    assert!(verification.ok, "{:#?}", verification.checks);
    assert_eq!(verification.content, infos);
    assert!(verification.check("card_security.signature").unwrap().ok);

    // An EF.SOD is not an EF.CardSecurity.
    let sod = sod_of(&fixture);
    let verification = verify_card_security(&sod, &fixture.trust, &Policy::default(), NOW);
    assert!(!verification.ok);
    assert_eq!(
        failed_names(&verification),
        vec!["card_security.content_type", "card_security.security_infos"]
    );
}

#[test]
fn master_list_verifies_against_existing_csca() {
    let fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let other = kit::csca(
        "TEST CSCA 2",
        kit::ec_key(Nid::BRAINPOOL_P256R1),
        Validity::around_now(),
    );
    let certificates = [fixture.csca.cert.to_der().unwrap(), other.cert.to_der().unwrap()];
    let list = lds::encode_master_list(certificates.iter().map(Vec::as_slice));
    let content_type = crate::asn1::Oid::parse(lds::ID_CSCA_MASTER_LIST).unwrap();
    let signed = sign_content(&fixture.signer, &content_type, &list, &options()).unwrap();
    let verification = verify_master_list(&signed, &fixture.trust, &Policy::default(), NOW);
    assert!(verification.ok, "{:#?}", verification.checks);
    assert_eq!(lds::decode_master_list(&verification.content).unwrap().len(), 2);

    let empty = TrustStore::new();
    let verification = verify_master_list(&signed, &empty, &Policy::default(), NOW);
    assert_only_failure(&verification, "ml_signer.issuer", "issuer_not_trusted");
    assert!(verification.check("master_list.signature").unwrap().ok);
}

#[test]
fn repeated_verification_uses_the_cache() {
    let fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    let sod = sod_of(&fixture);
    assert_eq!(fixture.trust.cached_signers(), 0);
    let first = verify(&fixture, &sod, &Policy::default());
    assert_eq!(fixture.trust.cached_signers(), 1);
    let second = verify(&fixture, &sod, &Policy::default());
    assert_eq!(first.checks, second.checks);
    assert_eq!(fixture.trust.cached_signers(), 1);

    // Adding a CRL clears the cache, so revocation takes effect at once.
    let mut trust = fixture.trust.clone();
    trust
        .add_crl(&kit::crl(&fixture.csca, &[100], NOW - 10, NOW + 86_400))
        .unwrap();
    assert_eq!(trust.cached_signers(), 0);
    let revoked = verify_sod(&sod, &borrowed(&fixture.groups), &trust, &Policy::default(), NOW);
    assert_only_failure(&revoked, "ds.crl_status", "revoked");
}

#[test]
fn trust_store_rejects_bad_csca_certificates() {
    let csca = kit::csca("TEST CSCA", kit::ec_key(Nid::X9_62_PRIME256V1), Validity::around_now());
    let signer = kit::document_signer(&csca, kit::ec_key(Nid::X9_62_PRIME256V1), 4, Validity::around_now());
    let mut trust = TrustStore::new();
    let error = trust.add_certificate(signer.certificate().der()).unwrap_err();
    assert!(error.to_string().contains("not a CA certificate"), "{error}");
    assert!(trust.add_certificate(b"not a certificate").is_err());
    assert!(trust.add_crl(b"not a CRL").is_err());
    assert!(trust.certificates().is_empty());
}

#[test]
fn lds_security_object_versions_round_trip() {
    let groups = kit::data_groups();
    let mut lds = LdsSecurityObject::hash_data_groups(DigestAlgorithm::Sha512, borrowed(&groups)).unwrap();
    assert_eq!(LdsSecurityObject::decode(&lds.encode()).unwrap(), lds);
    lds.version = 1;
    lds.version_info = Some(lds::LdsVersionInfo {
        lds_version: "0108".to_owned(),
        unicode_version: "040000".to_owned(),
    });
    assert_eq!(LdsSecurityObject::decode(&lds.encode()).unwrap(), lds);
    // Version 1 without LDSVersionInfo, and version 0 with it, are invalid.
    let mut missing = lds.clone();
    missing.version_info = None;
    assert!(LdsSecurityObject::decode(&missing.encode()).is_err());
    let mut extra = lds.clone();
    extra.version = 0;
    assert!(LdsSecurityObject::decode(&extra.encode()).is_err());
    // A hash of the wrong length is rejected.
    let mut short = lds.clone();
    short.hashes.insert(3, vec![0; 20]);
    assert!(LdsSecurityObject::decode(&short.encode()).is_err());
}

#[test]
fn check_messages_cover_every_code() {
    for code in DETAIL_CODES {
        let message = check::english(&Detail::new(code));
        assert_ne!(message, *code, "no English text for {code}");
    }
}

/// Prints the time of one verification beside one raw ECDSA verification.
/// Run with `cargo test --release -p neweid-core -- --ignored --nocapture verification_cost`.
#[test]
#[ignore = "timing report, not a check"]
fn verification_cost() {
    let mut fixture = fixture(Nid::X9_62_PRIME256V1, Nid::X9_62_PRIME256V1);
    fixture.groups.push((16, vec![0x5A; 16 * 1024]));
    let sod = sod_of(&fixture);
    let groups = borrowed(&fixture.groups);
    let policy = Policy::default();
    let rounds = 3000;
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        assert!(verify_sod(&sod, &groups, &fixture.trust, &policy, NOW).ok);
    }
    let pa = start.elapsed() / rounds;
    let key = fixture.signer.certificate().public_key().ec_key().unwrap();
    let digest = openssl::hash::hash(openssl::hash::MessageDigest::sha256(), b"message").unwrap();
    let signature =
        openssl::ecdsa::EcdsaSig::sign(&digest, &kit::ec_key(Nid::X9_62_PRIME256V1).ec_key().unwrap()).unwrap();
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        let _ = signature.verify(&digest, &key);
    }
    let raw = start.elapsed() / rounds;
    let time = |label: &str, work: &dyn Fn()| {
        let start = std::time::Instant::now();
        for _ in 0..rounds {
            work();
        }
        println!("{label}: {:?}", start.elapsed() / rounds);
    };
    time("verify_sod without data groups", &|| {
        verify_sod(&sod, &[], &fixture.trust, &policy, NOW);
    });
    time("decode SignedData and LDS", &|| {
        let signed = cms::decode_signed_data(&sod).unwrap();
        LdsSecurityObject::decode(&signed.content).unwrap();
    });
    let certificate = fixture.signer.certificate().der().to_vec();
    time("cached signer lookup", &|| {
        fixture.trust.validate_signer(&certificate).unwrap();
    });
    time("hash data groups", &|| {
        for (_, bytes) in &groups {
            DigestAlgorithm::Sha256.hash(bytes).unwrap();
        }
    });
    let signer_key = kit::ec_key(Nid::X9_62_PRIME256V1);
    let message = vec![0x31u8; 120];
    let mut signer = openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &signer_key).unwrap();
    let der_signature = signer.sign_oneshot_to_vec(&message).unwrap();
    let public = openssl::pkey::PKey::public_key_from_der(&signer_key.public_key_to_der().unwrap()).unwrap();
    time("EVP verify", &|| {
        let mut verifier = openssl::sign::Verifier::new(openssl::hash::MessageDigest::sha256(), &public).unwrap();
        assert!(verifier.verify_oneshot(&der_signature, &message).unwrap());
    });
    let prepared = key::VerifyingKey::new(&public);
    time("EcdsaSig verify", &|| {
        assert!(prepared
            .verify(
                SignatureScheme::Ecdsa {
                    digest: DigestAlgorithm::Sha256
                },
                &message,
                &der_signature
            )
            .is_ok());
    });
    println!("verify_sod {pa:?}, raw ECDSA verify {raw:?}");
}
