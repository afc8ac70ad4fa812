//! The CMS `SignedData` parser of EF.SOD, EF.CardSecurity and master
//! lists, the LDS security object inside it, and Passive Authentication
//! against the TEST-ONLY CSCA: no input panics.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use neweid_core::pa::{self, cms, lds, LdsSecurityObject, Policy, TrustStore};

/// 2026-01-01T00:00:00Z, inside the validity of the test PKI.
const NOW: i64 = 1_767_225_600;

fn trust() -> &'static TrustStore {
    static TRUST: OnceLock<TrustStore> = OnceLock::new();
    TRUST.get_or_init(|| {
        let pem = include_bytes!("../../test-pki/csca-TEST.cert.pem");
        let mut trust = TrustStore::new();
        for der in pa::pem_or_der_blocks(pem, "CERTIFICATE").expect("test CSCA is PEM") {
            trust.add_certificate(&der).expect("test CSCA is accepted");
        }
        trust
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(signed) = cms::decode_signed_data(data) {
        let _ = LdsSecurityObject::decode(&signed.content);
        let _ = lds::decode_security_info_protocols(&signed.content);
        for signer in &signed.signer_infos {
            let _ = signer
                .signed_attributes
                .as_ref()
                .map(|attributes| attributes.signed_bytes());
        }
    }
    let _ = lds::decode_master_list(data);
    let _ = LdsSecurityObject::decode(data);

    // No test SOD holds the hash of this DG1, so no input may pass.
    let groups: [(u8, &[u8]); 1] = [(1, b"\x61\x00")];
    let policy = Policy::default();
    let verification = pa::verify_sod(data, &groups, trust(), &policy, NOW);
    assert!(
        !verification.ok,
        "Passive Authentication passed for a data group nobody signed"
    );
    let _ = pa::verify_card_security(data, trust(), &policy, NOW);
});
