//! The data group decoders of the card profile: no input panics, and what
//! decodes encodes back to data groups that decode to the same value.
//!
//! The input is the whole contents of EF.Label and of DG1, and also a list
//! of data groups: one byte with the number, two bytes of length and the
//! bytes, repeated.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use neweid_core::profile::{HouseholdAddress, Label, PrivateData, PublicData};

fn data_groups(mut data: &[u8]) -> BTreeMap<u8, Vec<u8>> {
    let mut groups = BTreeMap::new();
    while let [number, high, low, rest @ ..] = data {
        let length = usize::from(u16::from_be_bytes([*high, *low])).min(rest.len());
        let (bytes, tail) = rest.split_at(length);
        groups.insert(*number, bytes.to_vec());
        data = tail;
    }
    groups
}

fuzz_target!(|data: &[u8]| {
    if let Ok(label) = Label::decode(data) {
        assert_eq!(
            Label::decode(&label.encode()).as_ref(),
            Ok(&label),
            "EF.Label round trip"
        );
    }
    if let Ok(address) = HouseholdAddress::decode(data) {
        assert_eq!(
            HouseholdAddress::decode(&address.encode()).as_ref(),
            Ok(&address),
            "DG1 round trip"
        );
    }

    let groups = data_groups(data);
    if let Ok(public) = PublicData::decode(&groups) {
        let encoded: BTreeMap<u8, Vec<u8>> = public.encode().into_iter().collect();
        assert_eq!(
            PublicData::decode(&encoded).as_ref(),
            Ok(&public),
            "public area round trip"
        );
    }
    if let Ok(private) = PrivateData::decode(&groups) {
        let encoded: BTreeMap<u8, Vec<u8>> = private.encode().into_iter().collect();
        assert_eq!(
            PrivateData::decode(&encoded).as_ref(),
            Ok(&private),
            "encrypted area round trip"
        );
    }
});
