use std::collections::BTreeMap;

use super::*;

fn sample() -> PublicData {
    PublicData {
        name: CnsBytes(vec![0x01, 0x44, 0x21, 0x01, 0x44, 0x22]),
        romanized_name: Some("LIN, MEI-LING".into()),
        id_number: "A123456789".into(),
        birth_date: Date {
            year: 1990,
            month: 2,
            day: 28,
        },
        has_spouse: true,
        card_number: "TW0000123456".into(),
        card_made_date: Date {
            year: 2026,
            month: 1,
            day: 5,
        },
        renew_by_date: Date {
            year: 2036,
            month: 1,
            day: 5,
        },
        address: CnsBytes(b"12".to_vec()),
        military_service: CnsBytes(vec![0x01, 0x4A, 0x6B]),
        photo: Photo {
            media_type: "image/jpeg".into(),
            bytes: vec![0xFF, 0xD8, 0xFF, 0xD9],
        },
        active_authentication_key: vec![0x30, 0x03, 0x02, 0x01, 0x00],
    }
}

#[test]
fn file_identifiers_follow_sfi() {
    assert_eq!(NewEidFile::DataGroup(7).fid(), 0x0107);
    assert_eq!(NewEidFile::DataGroup(10).fid(), 0x010A);
    assert_eq!(NewEidFile::Label.fid(), 0x0110);
    assert_eq!(NewEidFile::SodPrivate.fid(), 0x0112);
    assert_eq!(NewEidFile::from_fid(0x010F), Some(NewEidFile::DataGroup(15)));
    assert_eq!(NewEidFile::from_sfi(14), None);
    assert_eq!(NewEidFile::from_fid(0x011C), None);
    assert_eq!(NewEidFile::DataGroup(10).tag(), Tag(0x6A));
    assert_eq!(NewEidFile::DataGroup(1).access(), Access::Always);
    assert_eq!(NewEidFile::SodPrivate.access(), Access::Encrypted);
    assert_eq!(NewEidFile::DataGroup(15).area(), Area::Public);
}

#[test]
fn public_data_round_trips() {
    let data = sample();
    let groups: BTreeMap<u8, Vec<u8>> = data.encode().into_iter().collect();
    assert_eq!(PublicData::decode(&groups).unwrap(), data);
}

#[test]
fn unknown_fields_are_skipped() {
    let mut groups: BTreeMap<u8, Vec<u8>> = sample().encode().into_iter().collect();
    let mut body = tlv::tlv(Tag(0x80), b"19900228");
    body.extend(tlv::tlv(Tag(0x85), b"future field"));
    groups.insert(4, tlv::tlv(Tag(0x64), &body));
    assert_eq!(
        PublicData::decode(&groups).unwrap().birth_date,
        Date {
            year: 1990,
            month: 2,
            day: 28
        }
    );
}

#[test]
fn missing_field_is_rejected() {
    let mut groups: BTreeMap<u8, Vec<u8>> = sample().encode().into_iter().collect();
    groups.insert(6, tlv::tlv(Tag(0x66), &tlv::tlv(Tag(0x80), b"TW1")));
    assert_eq!(
        PublicData::decode(&groups),
        Err(CodecError::Missing { what: "DG6", tag: 0x81 })
    );
}

#[test]
fn duplicate_field_is_rejected() {
    let mut groups: BTreeMap<u8, Vec<u8>> = sample().encode().into_iter().collect();
    let mut body = tlv::tlv(Tag(0x80), &[0x00]);
    body.extend(tlv::tlv(Tag(0x80), &[0x01]));
    groups.insert(5, tlv::tlv(Tag(0x65), &body));
    assert!(PublicData::decode(&groups).is_err());
}

#[test]
fn wrong_outer_tag_is_rejected() {
    let mut groups: BTreeMap<u8, Vec<u8>> = sample().encode().into_iter().collect();
    groups.insert(7, tlv::tlv(Tag(0x68), &tlv::tlv(Tag(0x80), b"x")));
    assert!(matches!(
        PublicData::decode(&groups),
        Err(CodecError::UnexpectedTag { what: "DG7", .. })
    ));
}

#[test]
fn id_number_check_digit() {
    for valid in ["A123456789", "F131104093", "B223456782", "Z100000002"] {
        assert!(is_valid_id_number(valid), "{valid}");
    }
    for invalid in [
        "A123456788",
        "a123456789",
        "A12345678",
        "A1234567890",
        "1123456789",
        "A12345678X",
        "",
    ] {
        assert!(!is_valid_id_number(invalid), "{invalid}");
    }
}

#[test]
fn invalid_id_number_is_rejected() {
    let mut groups: BTreeMap<u8, Vec<u8>> = sample().encode().into_iter().collect();
    groups.insert(3, tlv::tlv(Tag(0x63), &tlv::tlv(Tag(0x80), b"A123456788")));
    assert!(PublicData::decode(&groups).is_err());
}

#[test]
fn dates_are_checked_against_the_calendar() {
    assert!(Date::parse(b"20240229", "date").is_ok());
    for invalid in [
        &b"20230229"[..],
        b"19001301",
        b"19000100",
        b"1990-1-1",
        b"00000101",
        b"2024022",
    ] {
        assert!(Date::parse(invalid, "date").is_err(), "{invalid:?}");
    }
}

#[test]
fn cns_structure_is_checked() {
    assert!(CnsBytes::parse(&[0x01, 0x44, 0x21, b'A', b' ', 0x0F, 0x21, 0x21], "text").is_ok());
    for invalid in [
        &[0x01, 0x44][..],
        &[0x14, 0x21, 0x21],
        &[0x01, 0x20, 0x21],
        &[0x7F],
        &[0x01, 0x44, 0x7F],
        &[0x00],
    ] {
        assert!(CnsBytes::parse(invalid, "text").is_err(), "{invalid:02X?}");
    }
}

#[test]
fn label_round_trips() {
    let label = Label {
        label: "TW New eID".into(),
        profile_version: "1".into(),
        flags: 0x02,
    };
    let decoded = Label::decode(&label.encode()).unwrap();
    assert_eq!(decoded, label);
    assert!(decoded.contactless());
    assert!(!decoded.citizen_certificate_enabled());
}

#[test]
fn id_numbers_are_masked() {
    assert_eq!(mask_id_number("A123456789"), "A12****789");
    assert_eq!(mask_id_number("A12"), "***");
}

#[test]
fn private_data_decodes_what_was_read() {
    let mut groups = BTreeMap::new();
    groups.insert(13u8, tlv::tlv(Tag(0x6D), &tlv::tlv(Tag(0x80), b"F")));
    groups.insert(11u8, tlv::tlv(Tag(0x6B), &[]));
    let data = PrivateData::decode(&groups).unwrap();
    assert_eq!(data.sex, Some('F'));
    assert_eq!(data.spouse_name, None);
    assert_eq!(data.father_name, None);
}

#[test]
fn private_data_round_trips() {
    let data = PrivateData {
        father_name: Some(CnsBytes(vec![0x01, 0x4E, 0x2F])),
        mother_name: Some(CnsBytes(vec![0x01, 0x45, 0x5E])),
        spouse_name: None,
        birthplace: Some(CnsBytes(b"Taipei".to_vec())),
        sex: Some('M'),
    };
    let groups: BTreeMap<u8, Vec<u8>> = data.encode().into_iter().collect();
    assert_eq!(groups.get(&11), Some(&vec![0x6B, 0x00]));
    assert_eq!(PrivateData::decode(&groups).unwrap(), data);
}

fn sample_label() -> Label {
    Label {
        label: "TW New eID".into(),
        profile_version: "1".into(),
        flags: 0x03,
    }
}

fn sample_household() -> HouseholdAddress {
    HouseholdAddress {
        county: CnsBytes(vec![0x01, 0x44, 0x21]),
        township: CnsBytes(vec![0x01, 0x44, 0x22, 0x01, 0x44, 0x23]),
        village: CnsBytes(vec![0x03, 0x34, 0x76]),
        neighbourhood: "12".into(),
    }
}

fn sample_private() -> PrivateData {
    PrivateData {
        father_name: Some(CnsBytes(vec![0x01, 0x4E, 0x2F])),
        mother_name: Some(CnsBytes(vec![0x01, 0x45, 0x5E])),
        spouse_name: Some(CnsBytes(vec![0x0F, 0x22, 0x73])),
        birthplace: Some(CnsBytes(b"Taipei".to_vec())),
        sex: Some('F'),
    }
}

/// Mutates one data group of `groups`, chosen at random.
fn mutate_one(rng: &mut crate::test_support::TestRng, groups: &BTreeMap<u8, Vec<u8>>) -> BTreeMap<u8, Vec<u8>> {
    let mut mutated = groups.clone();
    let numbers: Vec<u8> = groups.keys().copied().collect();
    let number = numbers[rng.below(numbers.len())];
    let bytes = rng.mutate(&groups[&number]);
    mutated.insert(number, bytes);
    mutated
}

#[test]
fn mutated_data_groups_round_trip_or_fail() {
    let mut rng = crate::test_support::TestRng::new(0xD6D6);
    let public: BTreeMap<u8, Vec<u8>> = sample().encode().into_iter().collect();
    let private: BTreeMap<u8, Vec<u8>> = sample_private().encode().into_iter().collect();
    let label = sample_label().encode();
    let household = sample_household().encode();
    let mut decoded = [0usize; 4];

    for _ in 0..5_000 {
        if let Ok(data) = PublicData::decode(&mutate_one(&mut rng, &public)) {
            decoded[0] += 1;
            let groups: BTreeMap<u8, Vec<u8>> = data.encode().into_iter().collect();
            assert_eq!(PublicData::decode(&groups).unwrap(), data);
        }
        if let Ok(data) = PrivateData::decode(&mutate_one(&mut rng, &private)) {
            decoded[1] += 1;
            let groups: BTreeMap<u8, Vec<u8>> = data.encode().into_iter().collect();
            assert_eq!(PrivateData::decode(&groups).unwrap(), data);
        }
        if let Ok(data) = Label::decode(&rng.mutate(&label)) {
            decoded[2] += 1;
            assert_eq!(Label::decode(&data.encode()).unwrap(), data);
        }
        if let Ok(data) = HouseholdAddress::decode(&rng.mutate(&household)) {
            decoded[3] += 1;
            assert_eq!(HouseholdAddress::decode(&data.encode()).unwrap(), data);
        }
    }
    for (count, what) in decoded.iter().zip(["public", "private", "label", "household"]) {
        assert!(
            *count > 100,
            "only {count} mutated {what} inputs decoded, too few to check round trips"
        );
    }
}
