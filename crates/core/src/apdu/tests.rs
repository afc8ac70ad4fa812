use super::*;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn encodes_the_seven_cases() {
    let select = CommandApdu::new(0x00, 0xA4, 0x04, 0x0C).with_data(hex("F054574E45494401"));
    assert_eq!(
        select.encode(LengthForm::Short).unwrap(),
        hex("00A4040C08F054574E45494401")
    );

    let read = CommandApdu::new(0x00, 0xB0, 0x81, 0x00).with_le(256);
    assert_eq!(read.encode(LengthForm::Short).unwrap(), hex("00B0810000"));
    assert_eq!(read.encode(LengthForm::Extended).unwrap(), hex("00B08100000100"));

    let read_all = CommandApdu::new(0x00, 0xB0, 0x81, 0x00).with_le(65536);
    assert_eq!(read_all.encode(LengthForm::Short).unwrap(), hex("00B08100000000"));

    let case1 = CommandApdu::new(0x00, 0x84, 0x00, 0x00);
    assert_eq!(case1.encode(LengthForm::Extended).unwrap(), hex("00840000"));

    let case4 = CommandApdu::new(0x0C, 0xB0, 0x00, 0x00)
        .with_data(vec![0x97, 0x01, 0x00])
        .with_le(256);
    assert_eq!(case4.encode(LengthForm::Short).unwrap(), hex("0CB000000397010000"));
    assert_eq!(
        case4.encode(LengthForm::Extended).unwrap(),
        hex("0CB000000000039701000100")
    );
}

#[test]
fn decode_inverts_encode() {
    let cases = [
        CommandApdu::new(0x00, 0x84, 0x00, 0x00),
        CommandApdu::new(0x00, 0x84, 0x00, 0x00).with_le(8),
        CommandApdu::new(0x00, 0xB0, 0x81, 0x00).with_le(256),
        CommandApdu::new(0x00, 0xB0, 0x81, 0x00).with_le(65536),
        CommandApdu::new(0x00, 0xB0, 0x81, 0x00).with_le(1000),
        CommandApdu::new(0x00, 0x22, 0xC1, 0xA4).with_data(vec![1; 15]),
        CommandApdu::new(0x10, 0x86, 0x00, 0x00)
            .with_data(vec![2; 300])
            .with_le(256),
        CommandApdu::new(0x00, 0x86, 0x00, 0x00)
            .with_data(vec![3; 20])
            .with_le(65536),
    ];
    for command in cases {
        for form in [LengthForm::Short, LengthForm::Extended] {
            let encoded = command.encode(form).unwrap();
            assert_eq!(
                CommandApdu::decode(&encoded).unwrap(),
                command,
                "{form:?} {encoded:02X?}"
            );
        }
    }
}

#[test]
fn decode_rejects_inconsistent_lengths() {
    for bytes in [
        "00A4",
        "00A4040C0201",
        "00A4040C01020304",
        "00B0000000000201",
        "00B00000000002010203",
        "00B000000000",
    ] {
        assert!(CommandApdu::decode(&hex(bytes)).is_err(), "{bytes}");
    }
}

#[test]
fn encode_rejects_invalid_le() {
    assert!(CommandApdu::new(0, 0xB0, 0, 0)
        .with_le(0)
        .encode(LengthForm::Short)
        .is_err());
    assert!(CommandApdu::new(0, 0xB0, 0, 0)
        .with_le(65537)
        .encode(LengthForm::Extended)
        .is_err());
}

#[test]
fn response_splits_status_word() {
    let response = ResponseApdu::decode(&hex("01029000")).unwrap();
    assert_eq!(response.data, vec![1, 2]);
    assert!(response.sw.is_success());
    assert!(ResponseApdu::decode(&[0x90]).is_err());
    assert_eq!(StatusWord(0x63C2).retries_left(), Some(2));
    assert_eq!(StatusWord(0x6983).retries_left(), None);
}

#[test]
fn debug_output_hides_data() {
    let response = ResponseApdu::new(b"A123456789".to_vec(), StatusWord::SUCCESS);
    let printed = format!("{response:?}");
    assert!(!printed.contains("A123"), "{printed}");
    assert!(printed.contains("10 data bytes"));
}

/// Encodings of every command case, in both length forms.
fn seed_commands() -> Vec<Vec<u8>> {
    let commands = [
        CommandApdu::new(0x00, 0x84, 0x00, 0x00),
        CommandApdu::new(0x00, 0xB0, 0x81, 0x00).with_le(256),
        CommandApdu::new(0x00, 0xB0, 0x81, 0x00).with_le(4096),
        CommandApdu::new(0x00, 0xA4, 0x04, 0x0C).with_data(hex("F054574E45494401")),
        CommandApdu::new(0x10, 0x86, 0x00, 0x00)
            .with_data(hex("7C00"))
            .with_le(256),
        CommandApdu::new(0x0C, 0xB0, 0x00, 0x00)
            .with_data(vec![0x5A; 300])
            .with_le(65536),
    ];
    let mut seeds = Vec::new();
    for command in &commands {
        for form in [LengthForm::Short, LengthForm::Extended] {
            seeds.push(command.encode(form).unwrap());
        }
    }
    seeds
}

#[test]
fn mutated_commands_round_trip_or_fail() {
    let seeds = seed_commands();
    let mut rng = crate::test_support::TestRng::new(0xA9D0);
    let mut decoded = 0;
    for round in 0..20_000 {
        let mut input = rng.mutate(&seeds[round % seeds.len()]);
        if round % 3 == 0 {
            input = rng.mutate(&input);
        }
        let Ok(command) = CommandApdu::decode(&input) else {
            continue;
        };
        decoded += 1;
        for form in [LengthForm::Short, LengthForm::Extended] {
            let encoded = command.encode(form).unwrap();
            assert_eq!(
                CommandApdu::decode(&encoded).unwrap(),
                command,
                "{input:02X?} in {form:?} form"
            );
        }
    }
    assert!(
        decoded > 2_000,
        "only {decoded} mutated commands decoded, too few to check round trips"
    );
}

#[test]
fn random_bytes_decode_or_fail() {
    let mut rng = crate::test_support::TestRng::new(0x5EED);
    for _ in 0..20_000 {
        let length = rng.below(12);
        let input = rng.bytes(length);
        if let Ok(command) = CommandApdu::decode(&input) {
            let encoded = command.encode(LengthForm::Short).unwrap();
            assert_eq!(CommandApdu::decode(&encoded).unwrap(), command, "{input:02X?}");
        }
        if let Ok(response) = ResponseApdu::decode(&input) {
            assert_eq!(response.encode(), input);
        }
    }
}
