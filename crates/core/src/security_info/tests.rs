use super::*;
use crate::crypto::{Cipher, NamedCurve};
use crate::test_support::{hex, TestRng, Vectors};

fn samples() -> Vectors {
    Vectors::parse(
        "ef-cardaccess-samples.txt",
        include_str!("../../testdata/ef-cardaccess-samples.txt"),
    )
}

fn bsi() -> Vectors {
    Vectors::parse(
        "bsi-eac-worked-example-pace-ecdh-gm.txt",
        include_str!("../../testdata/bsi-eac-worked-example-pace-ecdh-gm.txt"),
    )
}

fn oid(dotted: &str) -> Oid {
    Oid::parse(dotted).unwrap()
}

fn pace_info(dotted: &str, version: u64, parameter_id: Option<u64>) -> PaceInfo {
    PaceInfo {
        protocol: oid(dotted),
        version,
        parameter_id,
    }
}

#[test]
fn bsi_worked_example_card_access_decodes() {
    let infos = SecurityInfos::decode(&bsi().get("ef_cardaccess")).unwrap();
    assert_eq!(infos.0.len(), 6);
    assert_eq!(
        infos.0[0],
        SecurityInfo::TerminalAuthentication(TerminalAuthenticationInfo {
            version: 2,
            ef_cvca: None
        })
    );
    assert_eq!(
        infos.0[1],
        SecurityInfo::ChipAuthentication(ChipAuthenticationInfo {
            protocol: oid("0.4.0.127.0.7.2.2.3.2.2"),
            version: 2,
            key_id: Some(1),
        })
    );
    assert_eq!(
        infos.0[2],
        SecurityInfo::Pace(pace_info("0.4.0.127.0.7.2.2.4.2.2", 2, Some(13)))
    );
    match &infos.0[3] {
        SecurityInfo::ChipAuthenticationDomainParameter(info) => {
            assert_eq!(info.protocol, oid("0.4.0.127.0.7.2.2.3.2"));
            assert_eq!(info.domain_parameter, hex("300C060704007F0007010202010D"));
            assert_eq!(info.key_id, Some(1));
        }
        other => panic!("expected CA domain parameters, got {other:?}"),
    }
    match &infos.0[4] {
        SecurityInfo::Other(info) => assert_eq!(info.protocol, oid("0.4.0.127.0.7.2.2.6")),
        other => panic!("expected a CardInfoLocator kept whole, got {other:?}"),
    }
    match &infos.0[5] {
        SecurityInfo::Other(info) => {
            assert_eq!(info.protocol, oid("0.4.0.127.0.7.2.2.8"));
            assert_eq!(info.encoded.len(), 0x3E + 2);
        }
        other => panic!("expected a PrivilegedTerminalInfo kept whole, got {other:?}"),
    }
    let selected = select_pace_info(&infos.pace_infos()).unwrap();
    assert_eq!(selected.cipher(), Cipher::Aes128);
    assert_eq!(selected.curve(), NamedCurve::BrainpoolP256r1);
}

#[test]
fn real_card_files_decode() {
    let v = samples();

    let v1 = SecurityInfos::decode(&v.get("german_test_card_v1")).unwrap();
    assert_eq!(v1.0.len(), 6);
    assert_eq!(v1.pace_infos(), vec![pace_info("0.4.0.127.0.7.2.2.4.2.2", 1, None)]);
    assert!(
        matches!(&v1.0[5], SecurityInfo::PaceDomainParameter(info) if info.domain_parameter.len() == 243 && info.parameter_id.is_none())
    );
    assert_eq!(
        select_pace_info(&v1.pace_infos()),
        None,
        "PACE version 1 is not supported"
    );

    let v2_file = v.get("german_test_card_v2");
    assert!(
        SecurityInfos::decode(&v2_file).is_err(),
        "trailing bytes rejected by decode"
    );
    let v2 = SecurityInfos::decode_file(&v2_file).unwrap();
    assert_eq!(v2.0.len(), 5);
    assert_eq!(v2.pace_infos(), vec![pace_info("0.4.0.127.0.7.2.2.4.2.2", 2, Some(13))]);

    let slovenia = SecurityInfos::decode_file(&v.get("slovenian_id_card")).unwrap();
    assert_eq!(slovenia.0.len(), 4);
    assert_eq!(
        slovenia.0[2],
        SecurityInfo::TerminalAuthentication(TerminalAuthenticationInfo {
            version: 1,
            ef_cvca: Some(hex("3007 0402011A 04011A")),
        })
    );
    assert!(matches!(&slovenia.0[3], SecurityInfo::Other(info) if info.protocol == oid("1.0.24727.3.0.9")));
    assert!(slovenia.pace_infos().is_empty());

    let ca3 = SecurityInfos::decode(&v.get("german_id_card_ca3")).unwrap();
    assert_eq!(ca3.0.len(), 10);
    let pace = ca3.pace_infos();
    assert_eq!(pace.len(), 2);
    assert_eq!(pace[1].protocol, oid("0.4.0.127.0.7.2.2.4.6.2"));
    let selected = select_pace_info(&pace).unwrap();
    assert_eq!(selected.protocol(), oid("0.4.0.127.0.7.2.2.4.2.2"), "CAM is ignored");
}

#[test]
fn decode_then_encode_reproduces_der_files() {
    let v = samples();
    for name in ["german_test_card_v1", "german_id_card_ca3"] {
        let file = v.get(name);
        let infos = SecurityInfos::decode(&file).unwrap();
        let encoded = infos.encode();
        assert_eq!(
            SecurityInfos::decode(&encoded).unwrap().encode(),
            encoded,
            "{name}: stable"
        );
        let mut sorted = infos.0.clone();
        sorted.sort_by_key(|info| {
            let mut out = Vec::new();
            info.encode(&mut out);
            out
        });
        assert_eq!(SecurityInfos::decode(&encoded).unwrap().0, sorted, "{name}: same infos");
        assert_eq!(encoded.len(), file.len(), "{name}: same length");
    }
}

#[test]
fn encoder_sorts_elements_for_der() {
    let infos = SecurityInfos(vec![
        SecurityInfo::Pace(pace_info("0.4.0.127.0.7.2.2.4.2.4", 2, Some(18))),
        SecurityInfo::TerminalAuthentication(TerminalAuthenticationInfo {
            version: 2,
            ef_cvca: None,
        }),
        SecurityInfo::Pace(pace_info("0.4.0.127.0.7.2.2.4.2.2", 2, Some(13))),
    ]);
    let encoded = infos.encode();
    assert_eq!(
        encoded,
        hex(concat!(
            "3137",
            "300D060804007F00070202020201 02",
            "3012060A04007F00070202040202 020102 02010D",
            "3012060A04007F00070202040204 020102 020112",
        ))
    );
}

#[test]
fn profile_card_access_round_trips() {
    // The default of the New eID profile: PACE GM AES-128 on brainpoolP256r1
    // plus every other supported combination, and TerminalAuthenticationInfo.
    let mut list = vec![SecurityInfo::TerminalAuthentication(TerminalAuthenticationInfo {
        version: 2,
        ef_cvca: None,
    })];
    for parameters in PaceParameters::all() {
        list.push(SecurityInfo::Pace(PaceInfo {
            protocol: parameters.protocol(),
            version: 2,
            parameter_id: Some(u64::from(parameters.parameter_id())),
        }));
    }
    list.push(SecurityInfo::ChipAuthenticationPublicKey(
        ChipAuthenticationPublicKeyInfo {
            protocol: oid("0.4.0.127.0.7.2.2.1.2"),
            public_key: hex("3009300306012A03020000"),
            key_id: Some(1),
        },
    ));
    let encoded = SecurityInfos(list).encode();
    let decoded = SecurityInfos::decode(&encoded).unwrap();
    assert_eq!(decoded.0.len(), 20);
    assert_eq!(decoded.pace_infos().len(), 18);
    assert_eq!(decoded.encode(), encoded);
    let strongest = select_pace_info(&decoded.pace_infos()).unwrap();
    assert_eq!(strongest.curve(), NamedCurve::P521);
    assert_eq!(strongest.cipher(), Cipher::Aes256);
}

#[test]
fn selection_prefers_larger_curve_then_larger_key() {
    let infos = [
        pace_info("0.4.0.127.0.7.2.2.4.2.4", 2, Some(13)),
        pace_info("0.4.0.127.0.7.2.2.4.2.2", 2, Some(16)),
        pace_info("0.4.0.127.0.7.2.2.4.2.3", 2, Some(16)),
        pace_info("0.4.0.127.0.7.2.2.4.2.4", 2, Some(12)),
    ];
    let best = select_pace_info(&infos).unwrap();
    assert_eq!(best.curve(), NamedCurve::BrainpoolP384r1);
    assert_eq!(best.cipher(), Cipher::Aes192);

    let tie = [
        pace_info("0.4.0.127.0.7.2.2.4.2.2", 2, Some(15)),
        pace_info("0.4.0.127.0.7.2.2.4.2.2", 2, Some(16)),
    ];
    assert_eq!(
        select_pace_info(&tie).unwrap().curve(),
        NamedCurve::P384,
        "first on a tie"
    );
}

#[test]
fn selection_ignores_unsupported_variants() {
    let unsupported = [
        pace_info("0.4.0.127.0.7.2.2.4.4.2", 2, Some(18)),
        pace_info("0.4.0.127.0.7.2.2.4.6.4", 2, Some(18)),
        pace_info("0.4.0.127.0.7.2.2.4.1.2", 2, Some(2)),
        pace_info("0.4.0.127.0.7.2.2.4.2.1", 2, Some(13)),
        pace_info("0.4.0.127.0.7.2.2.4.2.2", 1, Some(13)),
        pace_info("0.4.0.127.0.7.2.2.4.2.2", 2, None),
        pace_info("0.4.0.127.0.7.2.2.4.2.2", 2, Some(14)),
        pace_info("0.4.0.127.0.7.2.2.4.2.2", 2, Some(32)),
    ];
    for info in &unsupported {
        assert_eq!(info.parameters(), None, "{info:?}");
    }
    assert_eq!(select_pace_info(&unsupported), None);
    let mut with_one = unsupported.to_vec();
    with_one.push(pace_info("0.4.0.127.0.7.2.2.4.2.2", 2, Some(12)));
    assert_eq!(select_pace_info(&with_one).unwrap().curve(), NamedCurve::P256);
    assert_eq!(select_pace_info(&[]), None);
}

#[test]
fn malformed_known_infos_are_rejected() {
    let cases = [
        // PACEInfo without version.
        "310E 300C 060A04007F00070202040202",
        // PACEInfo with a negative version.
        "3111 300F 060A04007F00070202040202 020180",
        // PACEInfo with an extra element.
        "3114 3012 060A04007F00070202040202 020102 04010D",
        // TerminalAuthenticationInfo with an OCTET STRING as efCVCA.
        "3112 3010 060804007F00070202 02 020101 040100",
        // ChipAuthenticationPublicKeyInfo whose key is not a SEQUENCE.
        "310F 300D 060904007F0007020201 02 0400",
        // Not a SET.
        "300D 060804007F00070202020201 02",
        // An element that is not a SEQUENCE.
        "3103 020101",
    ];
    for case in cases {
        assert!(SecurityInfos::decode(&hex(case)).is_err(), "{case}");
    }
}

#[test]
fn malformed_files_never_panic() {
    let v = samples();
    let seeds = [
        v.get("german_test_card_v1"),
        v.get("german_id_card_ca3"),
        v.get("slovenian_id_card"),
        bsi().get("ef_cardaccess"),
    ];
    let mut rng = TestRng::new(0xCA);
    for round in 0..20_000 {
        let mut input = rng.mutate(&seeds[round % seeds.len()]);
        if round % 4 == 0 {
            input = rng.mutate(&input);
        }
        if let Ok(infos) = SecurityInfos::decode_file(&input) {
            let _ = select_pace_info(&infos.pace_infos());
            let _ = infos.encode();
        }
        let _ = SecurityInfos::decode(&input);
    }
    for len in 0..64 {
        let _ = SecurityInfos::decode_file(&rng.bytes(len));
    }
}

#[test]
fn pace_protocol_names() {
    assert_eq!(
        pace_protocol_name(&oid("0.4.0.127.0.7.2.2.4.2.2")),
        Some("id-PACE-ECDH-GM-AES-CBC-CMAC-128")
    );
    assert_eq!(
        pace_protocol_name(&oid("0.4.0.127.0.7.2.2.4.1.1")),
        Some("id-PACE-DH-GM-3DES-CBC-CBC")
    );
    assert_eq!(
        pace_protocol_name(&oid("0.4.0.127.0.7.2.2.4.6.4")),
        Some("id-PACE-ECDH-CAM-AES-CBC-CMAC-256")
    );
    assert_eq!(pace_protocol_name(&oid("0.4.0.127.0.7.2.2.4.5.2")), None);
    assert_eq!(pace_protocol_name(&oid("0.4.0.127.0.7.2.2.3.2.2")), None);
    assert!(pace_info("0.4.0.127.0.7.2.2.4.2.4", 2, Some(16)).is_supported());
    assert!(!pace_info("0.4.0.127.0.7.2.2.4.4.2", 2, Some(13)).is_supported());
}
