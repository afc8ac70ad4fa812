//! Feeds arbitrary bytes to the EF.SOD, EF.CardSecurity and master list
//! verifiers and to their decoders: none of them may panic.
//! Run with `cargo fuzz run sod` from this folder (needs cargo-fuzz and nightly).

#![no_main]

use libfuzzer_sys::fuzz_target;
use neweid_core::pa::{self, cms, lds, Policy, TrustStore};

fuzz_target!(|data: &[u8]| {
    let trust = TrustStore::new();
    let policy = Policy::default();
    let groups: [(u8, &[u8]); 1] = [(1, data)];
    let _ = pa::verify_sod(data, &groups, &trust, &policy, 0);
    let _ = pa::verify_card_security(data, &trust, &policy, 0);
    let _ = pa::verify_master_list(data, &trust, &policy, 0);
    let _ = cms::decode_signed_data(data);
    let _ = pa::LdsSecurityObject::decode(data);
    let _ = lds::decode_security_info_protocols(data);
    let _ = pa::Certificate::from_der(data);
});
