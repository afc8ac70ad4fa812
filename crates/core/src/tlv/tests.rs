use super::*;

#[test]
fn decodes_nested_objects() {
    // 7C 06 { 80 01 AA, 81 01 BB }
    let bytes = [0x7C, 0x06, 0x80, 0x01, 0xAA, 0x81, 0x01, 0xBB];
    let outer = Tlv::decode_expected(&bytes, Tag(0x7C), "template").unwrap();
    assert!(outer.tag.is_constructed());
    let mut inner = outer.children("template");
    assert_eq!(inner.expect(Tag(0x80)).unwrap().value, &[0xAA]);
    assert!(inner.optional(Tag(0x82)).unwrap().is_none());
    assert_eq!(inner.optional(Tag(0x81)).unwrap().unwrap().value, &[0xBB]);
    assert!(inner.is_empty());
}

#[test]
fn reads_two_and_three_byte_tags() {
    let bytes = [0x7F, 0x49, 0x01, 0x00, 0x5F, 0x2E, 0x00, 0x1F, 0x81, 0x01, 0x00];
    let all = Reader::new(&bytes, "list").collect_all().unwrap();
    assert_eq!(
        all.iter().map(|t| t.tag).collect::<Vec<_>>(),
        vec![Tag(0x7F49), Tag(0x5F2E), Tag(0x1F8101)]
    );
}

#[test]
fn accepts_non_minimal_definite_lengths() {
    for bytes in [
        &[0x04, 0x81, 0x01, 0xAB][..],
        &[0x04, 0x82, 0x00, 0x01, 0xAB],
        &[0x04, 0x84, 0, 0, 0, 1, 0xAB],
    ] {
        let tlv = Tlv::decode_all(bytes, "octet string").unwrap();
        assert_eq!(tlv.value, &[0xAB]);
        assert!(!tlv.is_minimal_length());
    }
    assert!(Tlv::decode_all(&[0x04, 0x01, 0xAB], "octet string")
        .unwrap()
        .is_minimal_length());
}

#[test]
fn rejects_indefinite_length() {
    assert_eq!(
        Tlv::decode_all(&[0x30, 0x80, 0x00, 0x00], "sequence"),
        Err(CodecError::IndefiniteLength { what: "sequence" })
    );
}

#[test]
fn rejects_trailing_bytes() {
    assert_eq!(
        Tlv::decode_all(&[0x04, 0x01, 0xAB, 0x00], "octet string"),
        Err(CodecError::TrailingBytes {
            what: "octet string",
            count: 1
        })
    );
}

#[test]
fn rejects_lengths_past_the_end() {
    for bytes in [
        &[0x04, 0x02, 0xAB][..],
        &[0x04, 0x82, 0x01],
        &[0x04],
        &[0x7F],
        &[0x04, 0x84, 0xFF, 0xFF, 0xFF, 0xFF],
        &[0x04, 0x85, 0, 0, 0, 0, 1],
    ] {
        assert!(Tlv::decode_all(bytes, "octet string").is_err(), "{bytes:02X?}");
    }
}

#[test]
fn rejects_tags_longer_than_three_bytes() {
    assert!(Tlv::decode_all(&[0x1F, 0x81, 0x81, 0x01, 0x00], "tag").is_err());
}

#[test]
fn encodes_every_length_form() {
    for len in [0usize, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x1_0000] {
        let value = vec![0x5A; len];
        let encoded = tlv(Tag(0x5F2E), &value);
        let decoded = Tlv::decode_expected(&encoded, Tag(0x5F2E), "blob").unwrap();
        assert_eq!(decoded.value.len(), len);
        assert!(decoded.is_minimal_length());
    }
}

#[test]
fn never_panics_on_arbitrary_prefixes() {
    let valid = tlv(Tag(0x7F49), &tlv(Tag(0x86), &[1, 2, 3, 4]));
    for end in 0..valid.len() {
        let _ = Reader::new(&valid[..end], "prefix").collect_all();
    }
    for first in 0..=255u8 {
        for second in 0..=255u8 {
            let _ = Reader::new(&[first, second, 0x01, 0x02], "pair").collect_all();
        }
    }
}
