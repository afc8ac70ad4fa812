use super::*;
use crate::kdf;
use crate::test_support::{hex, to_hex, TestRng, Vectors};

fn bsi() -> Vectors {
    Vectors::parse(
        "bsi-eac-worked-example-pace-ecdh-gm.txt",
        include_str!("../../testdata/bsi-eac-worked-example-pace-ecdh-gm.txt"),
    )
}

fn independent() -> Vectors {
    Vectors::parse(
        "independent-aes-sm.txt",
        include_str!("../../testdata/independent-aes-sm.txt"),
    )
}

fn keys(cipher: Cipher, k_enc: Vec<u8>, k_mac: Vec<u8>) -> SessionKeys {
    SessionKeys::new(cipher, SecretBytes::new(k_enc), SecretBytes::new(k_mac))
}

fn bsi_keys() -> SessionKeys {
    let v = bsi();
    keys(Cipher::Aes128, v.get("k_enc"), v.get("k_mac"))
}

fn terminal(keys: SessionKeys) -> SecureMessaging {
    SecureMessaging::new(keys, TokenVerified::new()).unwrap()
}

fn chip(keys: SessionKeys) -> ChipSecureMessaging {
    ChipSecureMessaging::new(keys, TokenVerified::new()).unwrap()
}

/// Makes a terminal and a chip session that share fresh keys.
fn pair(cipher: Cipher) -> (SecureMessaging, ChipSecureMessaging) {
    let secret = SecretBytes::new(vec![0x5A; 32]);
    (
        terminal(kdf::session_keys(&secret, cipher)),
        chip(kdf::session_keys(&secret, cipher)),
    )
}

fn encode(command: &CommandApdu) -> Vec<u8> {
    command.encode(LengthForm::Short).unwrap()
}

/// Replays the exchanges `first, first + 2, ...` of a vector file through
/// the terminal side, checking every protected command byte for byte and
/// every decrypted response.
fn replay_terminal(v: &Vectors, prefix: &str, numbers: &[u32], session: &mut SecureMessaging) {
    for &n in numbers {
        let name = format!("{prefix}{n:02}");
        let plain = CommandApdu::decode(&v.get(&format!("{name}.command.plain"))).unwrap();
        let protected = session.protect_command(&plain).unwrap();
        assert_eq!(
            to_hex(&encode(&protected)),
            to_hex(&v.get(&format!("{name}.command.protected"))),
            "{name}: protected command"
        );
        assert_eq!(
            session.send_sequence_counter(),
            u128::from(n),
            "{name}: SSC of the command"
        );

        let response = ResponseApdu::decode(&v.get(&format!("{name}.response.protected"))).unwrap();
        let opened = session.unprotect_response(&response).unwrap();
        assert_eq!(
            to_hex(&opened.encode()),
            to_hex(&v.get(&format!("{name}.response.plain"))),
            "{name}: decrypted response"
        );
        assert_eq!(
            session.send_sequence_counter(),
            u128::from(n + 1),
            "{name}: SSC of the response"
        );
    }
}

/// Replays the same exchanges through the chip side.
fn replay_chip(v: &Vectors, prefix: &str, numbers: &[u32], session: &mut ChipSecureMessaging) {
    for &n in numbers {
        let name = format!("{prefix}{n:02}");
        let protected = CommandApdu::decode(&v.get(&format!("{name}.command.protected"))).unwrap();
        let plain = session.unprotect_command(&protected).unwrap();
        let expected = CommandApdu::decode(&v.get(&format!("{name}.command.plain"))).unwrap();
        assert_eq!(plain, expected, "{name}: decrypted command");

        let response = ResponseApdu::decode(&v.get(&format!("{name}.response.plain"))).unwrap();
        let sealed = session.protect_response(&response).unwrap();
        assert_eq!(
            to_hex(&sealed.encode()),
            to_hex(&v.get(&format!("{name}.response.protected"))),
            "{name}: protected response"
        );
    }
}

const BSI_EXCHANGES: [u32; 6] = [1, 3, 5, 7, 9, 11];

#[test]
fn terminal_reproduces_bsi_worked_example_apdus() {
    let v = bsi();
    let mut session = terminal(bsi_keys());
    assert_eq!(session.send_sequence_counter(), 0);
    replay_terminal(&v, "sm.", &BSI_EXCHANGES, &mut session);
}

#[test]
fn chip_reproduces_bsi_worked_example_apdus() {
    let v = bsi();
    let mut session = chip(bsi_keys());
    replay_chip(&v, "sm.", &BSI_EXCHANGES, &mut session);
}

#[test]
fn bsi_certificate_commands_use_extended_length() {
    let v = bsi();
    let protected = v.get("sm.03.command.protected");
    assert_eq!(&protected[4..7], &hex("00017F"), "extended Lc");
    assert_eq!(&protected[protected.len() - 2..], &hex("0000"), "extended Le");
}

const INDEPENDENT_EXCHANGES: [u32; 6] = [1, 3, 5, 7, 9, 11];

#[test]
fn both_sides_match_independent_aes_vectors() {
    let v = independent();
    for (name, cipher) in [
        ("aes128", Cipher::Aes128),
        ("aes192", Cipher::Aes192),
        ("aes256", Cipher::Aes256),
    ] {
        let secret = SecretBytes::new(hex("7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD"));
        let derived = kdf::session_keys(&secret, cipher);
        assert_eq!(
            derived.k_enc().expose(),
            v.get(&format!("{name}.k_enc")),
            "{name}: K_enc"
        );
        assert_eq!(
            derived.k_mac().expose(),
            v.get(&format!("{name}.k_mac")),
            "{name}: K_mac"
        );

        let mut session = terminal(derived);
        replay_terminal(&v, &format!("{name}."), &INDEPENDENT_EXCHANGES, &mut session);
        let mut session = chip(kdf::session_keys(&secret, cipher));
        replay_chip(&v, &format!("{name}."), &INDEPENDENT_EXCHANGES, &mut session);
    }
}

#[test]
fn command_without_data_objects_macs_the_header_alone() {
    let v = independent();
    let protected = v.get("aes128.09.command.protected");
    // CLA' INS P1 P2, Lc, then DO'8E only.
    assert_eq!(&protected[..6], &hex("0C2C03030A8E"));
}

#[test]
fn round_trip_in_both_length_forms() {
    let mut rng = TestRng::new(7);
    for cipher in [Cipher::Aes128, Cipher::Aes192, Cipher::Aes256] {
        let (mut terminal, mut chip) = pair(cipher);
        for (index, data_len) in [0usize, 1, 15, 16, 17, 200, 223, 224, 239, 240, 255, 256, 1000, 4000]
            .into_iter()
            .enumerate()
        {
            for form in [LengthForm::Short, LengthForm::Extended] {
                for le in [None, Some(1), Some(255), Some(256), Some(257), Some(65536)] {
                    let ins = if index % 2 == 0 { 0xB0 } else { 0xB1 };
                    let mut command = CommandApdu::new(0x00, ins, 0x01, 0x02).with_data(rng.bytes(data_len));
                    command.le = le;
                    let protected = terminal.protect_command_in(&command, form).unwrap();
                    let expected_form = if form == LengthForm::Extended
                        || le.is_some_and(|le| le > 256)
                        || protected.data.len() > 255
                    {
                        LengthForm::Extended
                    } else {
                        LengthForm::Short
                    };
                    assert_eq!(
                        protected.required_form(),
                        expected_form,
                        "{cipher:?} {data_len} {le:?} {form:?}"
                    );
                    let wire = protected.encode(LengthForm::Short).unwrap();
                    let received = CommandApdu::decode(&wire).unwrap();
                    let opened = chip.unprotect_command(&received).unwrap();
                    assert_eq!(opened, command, "{cipher:?} {data_len} {le:?} {form:?}");

                    let reply = ResponseApdu::new(rng.bytes(data_len % 300), StatusWord(0x9000 - index as u16));
                    let sealed = chip.protect_response(&reply).unwrap();
                    let received = ResponseApdu::decode(&sealed.encode()).unwrap();
                    assert_eq!(terminal.unprotect_response(&received).unwrap(), reply);
                    assert_eq!(terminal.send_sequence_counter(), chip.send_sequence_counter());
                }
            }
        }
    }
}

#[test]
fn protected_command_keeps_chaining_bit() {
    let (mut terminal, mut chip) = pair(Cipher::Aes128);
    let command = CommandApdu::new(0x10, 0x2A, 0x00, 0xBE).with_data(vec![1, 2, 3]);
    let protected = terminal.protect_command(&command).unwrap();
    assert_eq!(protected.cla, 0x1C);
    assert_eq!(chip.unprotect_command(&protected).unwrap().cla, 0x10);
}

/// Protects `response` with the chip-side channel of a fresh pair after one
/// command, returning the terminal session that awaits it.
fn terminal_awaiting_response() -> (SecureMessaging, ChipSecureMessaging) {
    let (mut terminal, mut chip) = pair(Cipher::Aes128);
    let command = CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_le(16);
    let protected = terminal.protect_command(&command).unwrap();
    chip.unprotect_command(&protected).unwrap();
    (terminal, chip)
}

/// Builds a response whose MAC is valid over `objects`, at the SSC the
/// terminal expects next.
fn response_with_valid_mac(terminal: &SecureMessaging, objects: &[u8], sw: u16) -> ResponseApdu {
    let ssc = (terminal.channel.ssc + 1).to_be_bytes();
    let mac = terminal.channel.mac(&ssc, None, objects).unwrap();
    let mut data = objects.to_vec();
    tlv::write_tlv(&mut data, TAG_MAC, &mac);
    ResponseApdu::new(data, StatusWord(sw))
}

fn assert_violation(result: Result<ResponseApdu>, expected: ProtocolViolation) {
    match result {
        Err(Error::Protocol(found)) => assert_eq!(found, expected),
        other => panic!("expected {expected:?}, got {other:?}"),
    }
}

#[test]
fn response_without_mac_is_rejected() {
    let (mut terminal, _) = terminal_awaiting_response();
    let response = ResponseApdu::new(hex("99029000"), StatusWord::SUCCESS);
    assert_violation(
        terminal.unprotect_response(&response),
        ProtocolViolation::SecureMessagingMacMissing,
    );
    assert!(terminal.is_closed());
    assert_eq!(
        terminal.send_sequence_counter(),
        2,
        "SSC incremented once for the response"
    );
}

#[test]
fn plain_success_without_data_is_rejected() {
    let (mut terminal, _) = terminal_awaiting_response();
    let response = ResponseApdu::status(StatusWord::SUCCESS);
    assert_violation(
        terminal.unprotect_response(&response),
        ProtocolViolation::SecureMessagingMacMissing,
    );
}

#[test]
fn plain_sm_error_status_is_card_status() {
    for sw in [
        StatusWord::SM_DATA_OBJECTS_MISSING,
        StatusWord::SM_DATA_OBJECTS_INCORRECT,
    ] {
        let (mut terminal, _) = terminal_awaiting_response();
        match terminal.unprotect_response(&ResponseApdu::status(sw)) {
            Err(Error::CardStatus { step, sw: found }) => {
                assert_eq!(step, "secure messaging");
                assert_eq!(found, sw);
            }
            other => panic!("expected a card status error for {sw}, got {other:?}"),
        }
        assert!(terminal.is_closed());
    }
}

#[test]
fn wrong_mac_is_rejected() {
    let (mut terminal, mut chip) = terminal_awaiting_response();
    let sealed = chip
        .protect_response(&ResponseApdu::new(vec![1, 2, 3], StatusWord::SUCCESS))
        .unwrap();
    let mut tampered = sealed.clone();
    let last = tampered.data.len() - 1;
    tampered.data[last] ^= 0x01;
    assert_violation(
        terminal.unprotect_response(&tampered),
        ProtocolViolation::SecureMessagingMacInvalid,
    );
}

#[test]
fn tampered_cryptogram_is_rejected_by_the_mac() {
    let (mut terminal, mut chip) = terminal_awaiting_response();
    let mut sealed = chip
        .protect_response(&ResponseApdu::new(vec![1, 2, 3], StatusWord::SUCCESS))
        .unwrap();
    sealed.data[4] ^= 0x80;
    assert_violation(
        terminal.unprotect_response(&sealed),
        ProtocolViolation::SecureMessagingMacInvalid,
    );
}

#[test]
fn replayed_response_is_rejected() {
    let (mut terminal, mut chip) = pair(Cipher::Aes128);
    let command = CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_le(4);
    let protected = terminal.protect_command(&command).unwrap();
    chip.unprotect_command(&protected).unwrap();
    let first = chip
        .protect_response(&ResponseApdu::new(vec![9; 4], StatusWord::SUCCESS))
        .unwrap();
    terminal.unprotect_response(&first).unwrap();

    terminal.protect_command(&command).unwrap();
    assert_violation(
        terminal.unprotect_response(&first),
        ProtocolViolation::SecureMessagingMacInvalid,
    );
}

#[test]
fn response_without_status_object_is_rejected() {
    let (mut terminal, _) = terminal_awaiting_response();
    let response = response_with_valid_mac(&terminal, &[], 0x9000);
    assert_violation(
        terminal.unprotect_response(&response),
        ProtocolViolation::SecureMessagingStatusMissing,
    );
}

#[test]
fn status_mismatch_is_rejected() {
    let (mut terminal, _) = terminal_awaiting_response();
    let response = response_with_valid_mac(&terminal, &hex("99026A82"), 0x9000);
    assert_violation(
        terminal.unprotect_response(&response),
        ProtocolViolation::SecureMessagingStatusMismatch,
    );
}

#[test]
fn status_object_of_wrong_length_is_rejected() {
    let (mut terminal, _) = terminal_awaiting_response();
    let response = response_with_valid_mac(&terminal, &hex("9903900000"), 0x9000);
    assert!(matches!(
        terminal.unprotect_response(&response),
        Err(Error::Codec(CodecError::InvalidValue { .. }))
    ));
}

#[test]
fn unexpected_objects_are_rejected() {
    // An unknown object, a status object before the cryptogram, a duplicate
    // status object, and an object after the MAC.
    let cases: [(&str, u32); 4] = [
        ("8101009902900", 0x81),
        ("990290008710", 0x87),
        ("9902900099029000", 0x99),
        ("", 0x99),
    ];
    for (index, (objects, tag)) in cases.into_iter().enumerate() {
        let (mut terminal, _) = terminal_awaiting_response();
        let response = if index == 3 {
            let mut valid = response_with_valid_mac(&terminal, &hex("99029000"), 0x9000);
            valid.data.extend_from_slice(&hex("99029000"));
            valid
        } else {
            let objects = match index {
                0 => hex("810100 99029000"),
                1 => {
                    let mut objects = hex("99029000 8711 01");
                    objects.extend_from_slice(&[0u8; 16]);
                    objects
                }
                _ => hex(objects),
            };
            response_with_valid_mac(&terminal, &objects, 0x9000)
        };
        assert_violation(
            terminal.unprotect_response(&response),
            ProtocolViolation::SecureMessagingUnexpectedObject { tag },
        );
    }
}

#[test]
fn bad_padding_is_rejected() {
    let (mut terminal, _) = terminal_awaiting_response();
    let ssc = (terminal.channel.ssc + 1).to_be_bytes();
    // Encrypt a block that ends without an 80 marker, so unpadding fails.
    let cryptogram = aes_cbc_encrypt(
        terminal.channel.keys.k_enc.expose(),
        &terminal.channel.iv(&ssc).unwrap(),
        &[0x11; 16],
    )
    .unwrap();
    let mut objects = vec![0x87, 0x11, 0x01];
    objects.extend_from_slice(&cryptogram);
    objects.extend_from_slice(&hex("99029000"));
    let response = response_with_valid_mac(&terminal, &objects, 0x9000);
    assert_violation(
        terminal.unprotect_response(&response),
        ProtocolViolation::SecureMessagingPaddingInvalid,
    );
}

#[test]
fn invalid_cryptogram_is_rejected() {
    let mut bad_indicator = hex("871102");
    bad_indicator.extend_from_slice(&[0u8; 16]);
    bad_indicator.extend_from_slice(&hex("99029000"));
    let mut bad_length = hex("870C01");
    bad_length.extend_from_slice(&[0u8; 11]);
    bad_length.extend_from_slice(&hex("99029000"));
    let empty = hex("870101 99029000");
    for objects in [bad_indicator, bad_length, empty] {
        let (mut terminal, _) = terminal_awaiting_response();
        let response = response_with_valid_mac(&terminal, &objects, 0x9000);
        assert_violation(
            terminal.unprotect_response(&response),
            ProtocolViolation::SecureMessagingCryptogramInvalid,
        );
    }
}

#[test]
fn truncated_objects_are_codec_errors() {
    let (mut terminal, _) = terminal_awaiting_response();
    let response = ResponseApdu::new(hex("990290008E08AABB"), StatusWord::SUCCESS);
    assert!(matches!(
        terminal.unprotect_response(&response),
        Err(Error::Codec(CodecError::Truncated { .. }))
    ));
    assert!(terminal.is_closed());
}

#[test]
fn counter_overflow_is_reported() {
    let (mut terminal, _) = pair(Cipher::Aes128);
    terminal.channel.ssc = u128::MAX;
    let result = terminal.protect_command(&CommandApdu::new(0, 0xB0, 0, 0).with_le(1));
    assert!(matches!(
        result,
        Err(Error::Protocol(ProtocolViolation::SecureMessagingCounterExhausted))
    ));
    assert!(terminal.is_closed());

    let (_, mut chip) = pair(Cipher::Aes128);
    chip.channel.ssc = u128::MAX;
    let result = chip.unprotect_command(&CommandApdu::new(0x0C, 0xB0, 0, 0));
    assert!(matches!(
        result,
        Err(Error::Protocol(ProtocolViolation::SecureMessagingCounterExhausted))
    ));
}

#[test]
fn session_closes_after_an_error() {
    let (mut terminal, _) = terminal_awaiting_response();
    assert!(terminal
        .unprotect_response(&ResponseApdu::status(StatusWord::SUCCESS))
        .is_err());
    let next = terminal.protect_command(&CommandApdu::new(0, 0xB0, 0, 0).with_le(1));
    assert!(matches!(next, Err(Error::ApiMisuse(_))));
    assert_eq!(terminal.send_sequence_counter(), 2);
}

#[test]
fn calls_out_of_order_are_api_misuse() {
    let (mut terminal, mut chip) = pair(Cipher::Aes128);
    let command = CommandApdu::new(0, 0xB0, 0, 0).with_le(1);
    assert!(matches!(
        terminal.unprotect_response(&ResponseApdu::status(StatusWord::SUCCESS)),
        Err(Error::ApiMisuse(_))
    ));
    let protected = terminal.protect_command(&command).unwrap();
    assert!(matches!(terminal.protect_command(&command), Err(Error::ApiMisuse(_))));
    assert!(matches!(terminal.protect_command(&protected), Err(Error::ApiMisuse(_))));
    assert!(!terminal.is_closed(), "misuse does not end the session");

    assert!(matches!(
        chip.protect_response(&ResponseApdu::status(StatusWord::SUCCESS)),
        Err(Error::ApiMisuse(_))
    ));
    chip.unprotect_command(&protected).unwrap();
    assert!(matches!(chip.unprotect_command(&protected), Err(Error::ApiMisuse(_))));
}

#[test]
fn already_protected_command_is_rejected() {
    let (mut terminal, _) = pair(Cipher::Aes128);
    let command = CommandApdu::new(0x0C, 0xB0, 0, 0).with_le(1);
    assert!(matches!(terminal.protect_command(&command), Err(Error::ApiMisuse(_))));
    assert_eq!(terminal.send_sequence_counter(), 0);
}

#[test]
fn invalid_le_is_rejected_before_the_counter_moves() {
    let (mut terminal, _) = pair(Cipher::Aes128);
    for le in [0usize, 65537] {
        let mut command = CommandApdu::new(0, 0xB0, 0, 0);
        command.le = Some(le);
        assert!(matches!(terminal.protect_command(&command), Err(Error::Codec(_))));
    }
    let too_long = CommandApdu::new(0, 0xD6, 0, 0).with_data(vec![0; 65535]);
    assert!(matches!(
        terminal.protect_command(&too_long),
        Err(Error::Codec(CodecError::LengthTooLarge { .. }))
    ));
    assert_eq!(terminal.send_sequence_counter(), 0);
    assert!(!terminal.is_closed());
}

#[test]
fn tdes_keys_are_rejected() {
    let keys = keys(Cipher::Tdes, vec![0; 16], vec![0; 16]);
    assert!(matches!(
        SecureMessaging::new(keys, TokenVerified::new()),
        Err(Error::ApiMisuse(_))
    ));
}

fn chip_violation(command: &CommandApdu) -> ProtocolViolation {
    let (_, mut chip) = pair(Cipher::Aes128);
    match chip.unprotect_command(command) {
        Err(Error::Protocol(violation)) => {
            assert!(chip.is_closed());
            violation
        }
        other => panic!("expected a protocol violation, got {other:?}"),
    }
}

/// Builds a command with `cla` whose MAC is valid over `objects` at SSC 1.
fn command_with_valid_mac(cla: u8, ins: u8, objects: &[u8]) -> CommandApdu {
    let (terminal, _) = pair(Cipher::Aes128);
    let ssc = 1u128.to_be_bytes();
    let mac = terminal.channel.mac(&ssc, Some(&[cla, ins, 0, 0]), objects).unwrap();
    let mut data = objects.to_vec();
    tlv::write_tlv(&mut data, TAG_MAC, &mac);
    CommandApdu::new(cla, ins, 0, 0).with_data(data)
}

#[test]
fn chip_rejects_unprotected_class_byte() {
    let command = CommandApdu::new(0x00, 0xB0, 0, 0).with_le(1);
    assert_eq!(
        chip_violation(&command),
        ProtocolViolation::SecureMessagingCommandNotProtected
    );
    let error = Error::Protocol(ProtocolViolation::SecureMessagingCommandNotProtected);
    assert_eq!(chip_error_status(&error), StatusWord::SM_DATA_OBJECTS_MISSING);
}

#[test]
fn chip_rejects_missing_and_wrong_mac() {
    let command = CommandApdu::new(0x0C, 0xB0, 0, 0).with_data(hex("970101"));
    assert_eq!(chip_violation(&command), ProtocolViolation::SecureMessagingMacMissing);
    assert_eq!(
        chip_error_status(&ProtocolViolation::SecureMessagingMacMissing.into()),
        StatusWord::SM_DATA_OBJECTS_MISSING
    );

    let mut command = command_with_valid_mac(0x0C, 0xB0, &hex("970101"));
    let last = command.data.len() - 1;
    command.data[last] ^= 1;
    assert_eq!(chip_violation(&command), ProtocolViolation::SecureMessagingMacInvalid);
    assert_eq!(
        chip_error_status(&ProtocolViolation::SecureMessagingMacInvalid.into()),
        StatusWord::SM_DATA_OBJECTS_INCORRECT
    );
}

#[test]
fn chip_rejects_invalid_le_object() {
    for objects in ["9700", "9703000100"] {
        let command = command_with_valid_mac(0x0C, 0xB0, &hex(objects));
        assert_eq!(
            chip_violation(&command),
            ProtocolViolation::SecureMessagingLeInvalid,
            "{objects}"
        );
    }
}

#[test]
fn chip_rejects_cryptogram_tag_of_wrong_parity() {
    let (mut terminal, _) = pair(Cipher::Aes128);
    // The terminal puts data of an odd INS into DO'85; relabel the command as
    // even INS with a valid MAC over the same objects.
    let protected = terminal
        .protect_command(&CommandApdu::new(0, 0xB1, 0, 0).with_data(hex("54020000")))
        .unwrap();
    let objects_end = protected.data.len() - (2 + MAC_LEN);
    let command = command_with_valid_mac(0x0C, 0xB0, &protected.data[..objects_end]);
    assert_eq!(
        chip_violation(&command),
        ProtocolViolation::SecureMessagingUnexpectedObject { tag: 0x85 }
    );
}

#[test]
fn chip_rejects_objects_after_the_mac() {
    let mut command = command_with_valid_mac(0x0C, 0xB0, &hex("970101"));
    command.data.extend_from_slice(&hex("970101"));
    assert_eq!(
        chip_violation(&command),
        ProtocolViolation::SecureMessagingUnexpectedObject { tag: 0x97 }
    );
}

#[test]
fn chip_session_closes_after_an_error() {
    let (mut terminal, mut chip) = pair(Cipher::Aes128);
    let good = terminal
        .protect_command(&CommandApdu::new(0, 0xB0, 0, 0).with_le(1))
        .unwrap();
    let mut bad = good.clone();
    bad.data[3] ^= 1;
    assert!(chip.unprotect_command(&bad).is_err());
    assert!(matches!(chip.unprotect_command(&good), Err(Error::ApiMisuse(_))));
    assert_eq!(chip.send_sequence_counter(), 1);
}

#[test]
fn malformed_messages_never_panic() {
    let v = bsi();
    let mut rng = TestRng::new(0x5EC0);
    let seeds: Vec<Vec<u8>> = BSI_EXCHANGES
        .iter()
        .flat_map(|n| {
            [
                v.get(&format!("sm.{n:02}.command.protected")),
                v.get(&format!("sm.{n:02}.response.protected")),
            ]
        })
        .collect();
    for round in 0..3000 {
        let seed = &seeds[round % seeds.len()];
        let mut mutated = rng.mutate(seed);
        if round % 3 == 0 {
            mutated = rng.mutate(&mutated);
        }
        let (mut terminal, mut chip) = (terminal(bsi_keys()), chip(bsi_keys()));
        if let Ok(command) = CommandApdu::decode(&mutated) {
            let _ = chip.unprotect_command(&command);
        }
        terminal.protect_command(&CommandApdu::new(0, 0xB0, 0, 0)).unwrap();
        if let Ok(response) = ResponseApdu::decode(&mutated) {
            let _ = terminal.unprotect_response(&response);
        }
    }
}

#[test]
fn debug_output_hides_keys() {
    let keys = bsi_keys();
    let printed = format!("{keys:?}");
    assert_eq!(printed, "SessionKeys(Aes128, <redacted>)");
    let session = terminal(keys);
    let printed = format!("{session:?}");
    assert!(!printed.contains("68406B"), "{printed}");
    assert!(printed.contains("ssc: 0"), "{printed}");
}
