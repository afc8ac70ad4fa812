//! EF.CardAccess and the content of EF.CardSecurity: no input panics, and
//! a decoded set re-encodes to DER that decodes to the same infos.
#![no_main]

use libfuzzer_sys::fuzz_target;
use neweid_core::security_info::{self, SecurityInfos};

fuzz_target!(|data: &[u8]| {
    let _ = SecurityInfos::decode(data);
    let Ok(infos) = SecurityInfos::decode_file(data) else {
        return;
    };
    let _ = security_info::select_pace_info(&infos.pace_infos());
    for info in infos.pace_infos() {
        let _ = (info.protocol_name(), info.is_supported());
    }

    let encoded = infos.encode();
    let again = SecurityInfos::decode(&encoded).expect("encoded security infos decode");
    assert_eq!(again.0.len(), infos.0.len(), "number of infos after a round trip");
    for info in &infos.0 {
        assert!(again.0.contains(info), "{info:?} survives a round trip");
    }
});
