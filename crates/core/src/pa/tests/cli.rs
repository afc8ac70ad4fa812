//! SODs, certificates and CRLs made by the openssl command line
//! (`testdata/pa/generate.mjs`), so that verification is checked against an
//! independent encoder and signer.

use crate::pa::*;

const DATA_GROUPS: [(u8, &[u8]); 5] = [
    (1, include_bytes!("../../../testdata/pa/dg1.bin")),
    (2, include_bytes!("../../../testdata/pa/dg2.bin")),
    (3, include_bytes!("../../../testdata/pa/dg3.bin")),
    (7, include_bytes!("../../../testdata/pa/dg7.bin")),
    (15, include_bytes!("../../../testdata/pa/dg15.bin")),
];

macro_rules! fixture {
    ($case:literal, $file:literal) => {
        include_bytes!(concat!("../../../testdata/pa/", $case, "/", $file)).as_slice()
    };
}

fn store(pems: &[&[u8]], crls: &[&[u8]]) -> TrustStore {
    let mut trust = TrustStore::new();
    for pem in pems {
        for der in pem_or_der_blocks(pem, "CERTIFICATE").unwrap() {
            trust.add_certificate(&der).unwrap();
        }
    }
    for pem in crls {
        for der in pem_or_der_blocks(pem, "X509 CRL").unwrap() {
            trust.add_crl(&der).unwrap();
        }
    }
    trust
}

fn verify_case(sod: &[u8], trust: &TrustStore) -> Verification {
    verify_sod(sod, &DATA_GROUPS, trust, &Policy::default(), unix_now())
}

#[test]
fn openssl_p256_sod_verifies() {
    let trust = store(
        &[fixture!("p256", "csca.cert.pem")],
        &[fixture!("p256", "csca.crl.pem")],
    );
    let verification = verify_case(fixture!("p256", "sod.bin"), &trust);
    assert!(verification.ok, "{:#?}", verification.checks);
    assert!(verification.check("ds.crl_status").unwrap().ok);
    assert_eq!(
        verification
            .checks
            .iter()
            .filter(|check| check.name.ends_with(".hash"))
            .count(),
        5
    );
}

#[test]
fn openssl_lds_matches_our_encoder() {
    let ours = encode_lds_security_object(DigestAlgorithm::Sha256, DATA_GROUPS).unwrap();
    assert_eq!(ours, include_bytes!("../../../testdata/pa/lds-sha256.der"));
}

#[test]
fn openssl_rsa_pss_sod_verifies() {
    let trust = store(&[fixture!("rsa-pss", "csca.cert.pem")], &[]);
    let verification = verify_case(fixture!("rsa-pss", "sod.bin"), &trust);
    assert!(verification.ok, "{:#?}", verification.checks);
    let scheme = verification
        .check("sod.signature")
        .unwrap()
        .detail
        .param("scheme")
        .unwrap();
    assert!(scheme.starts_with("RSA-PSS with SHA-256"), "{scheme}");
}

#[test]
fn openssl_brainpool_p384_sod_verifies() {
    let trust = store(&[fixture!("brainpool-p384", "csca.cert.pem")], &[]);
    let verification = verify_case(fixture!("brainpool-p384", "sod.bin"), &trust);
    assert!(verification.ok, "{:#?}", verification.checks);
    let signature = verification.check("sod.signature").unwrap();
    assert_eq!(signature.detail.param("key"), Some("EC brainpoolP384r1"));
    assert_eq!(signature.detail.param("scheme"), Some("ECDSA with SHA-384"));
}

#[test]
fn openssl_explicit_parameter_sod_verifies() {
    let ds = pem_or_der_blocks(fixture!("explicit", "ds.cert.pem"), "CERTIFICATE").unwrap();
    // id-ecPublicKey followed by ECParameters (a SEQUENCE), not a curve OID.
    let explicit = [0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x30];
    assert!(ds[0].windows(explicit.len()).any(|window| window == explicit));
    let trust = store(&[fixture!("explicit", "csca.cert.pem")], &[]);
    let verification = verify_case(fixture!("explicit", "sod.bin"), &trust);
    assert!(verification.ok, "{:#?}", verification.checks);
}

#[test]
fn openssl_link_chain_verifies() {
    let trust = store(
        &[
            fixture!("link", "csca.cert.pem"),
            fixture!("link", "csca-link.cert.pem"),
        ],
        &[fixture!("link", "csca.crl.pem")],
    );
    let verification = verify_case(fixture!("link", "sod.bin"), &trust);
    assert!(verification.ok, "{:#?}", verification.checks);
    assert!(verification.check("csca.link_signature").unwrap().ok);
    // The CRL was signed with the new CSCA key, which the link certifies.
    assert_eq!(verification.check("ds.crl_status").unwrap().detail.code, "not_revoked");

    let old_only = store(&[fixture!("link", "csca.cert.pem")], &[]);
    let verification = verify_case(fixture!("link", "sod.bin"), &old_only);
    assert!(!verification.ok);
    // The DS's authority key identifier names the new key, so the old CSCA
    // alone is no candidate.
    assert_eq!(
        verification.check("ds.issuer").unwrap().detail.code,
        "issuer_not_trusted"
    );
}

#[test]
fn openssl_revoked_signer_fails() {
    let trust = store(
        &[fixture!("revoked", "csca.cert.pem")],
        &[fixture!("revoked", "csca.crl.pem")],
    );
    let verification = verify_case(fixture!("revoked", "sod.bin"), &trust);
    assert!(!verification.ok);
    let failed: Vec<&str> = verification.failures().map(|check| check.name.as_str()).collect();
    assert_eq!(failed, vec!["ds.crl_status"]);
    assert_eq!(verification.check("ds.crl_status").unwrap().detail.code, "revoked");
}

#[test]
fn openssl_streamed_sod_is_rejected() {
    let trust = store(&[fixture!("p256", "csca.cert.pem")], &[]);
    let verification = verify_case(fixture!("p256", "sod-indefinite.bin"), &trust);
    assert!(!verification.ok);
    let format = verification.check("sod.format").unwrap();
    assert_eq!(
        format.detail.param("error"),
        Some("ContentInfo: indefinite length is not allowed")
    );
}

#[test]
fn foreign_csca_rejects_openssl_sod() {
    let trust = store(&[fixture!("rsa-pss", "csca.cert.pem")], &[]);
    let verification = verify_case(fixture!("p256", "sod.bin"), &trust);
    assert!(!verification.ok);
    assert_eq!(
        verification.check("ds.issuer").unwrap().detail.code,
        "issuer_not_trusted"
    );
}
