//! BER-TLV reader: no input panics, and every object whose length octets
//! are minimal encodes back to the bytes it was read from.
#![no_main]

use libfuzzer_sys::fuzz_target;
use neweid_core::tlv::{self, Reader, Tlv};

/// Deepest nesting walked, so that a deeply nested input cannot exhaust
/// the stack of the target itself.
const MAX_DEPTH: usize = 16;

fn walk(data: &[u8], depth: usize) {
    let Ok(objects) = Reader::new(data, "fuzz input").collect_all() else {
        return;
    };
    for object in objects {
        check_encoding(&object);
        if object.tag.is_constructed() && depth < MAX_DEPTH {
            walk(object.value, depth + 1);
        }
    }
}

fn check_encoding(object: &Tlv<'_>) {
    if object.is_minimal_length() {
        assert_eq!(tlv::tlv(object.tag, object.value), object.raw, "re-encoding {object:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    walk(data, 0);
    if let Ok(object) = Tlv::decode_all(data, "fuzz input") {
        assert_eq!(object.raw, data, "decode_all covers the whole input");
    }
    let mut reader = Reader::new(data, "fuzz input");
    let _ = reader.optional(tlv::Tag(0x30));
    let _ = reader.expect(tlv::Tag(0x04));
    let _ = reader.finish();
});
