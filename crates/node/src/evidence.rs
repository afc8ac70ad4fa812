//! Decoding of the fields from the data groups of a read's evidence, so that
//! an agency server takes the holder's data from the bytes that Passive
//! Authentication verified and never from fields decoded by the client.
//!
//! The data groups arrive in the layout of `verifyPassiveAuthentication`: a
//! number and a length per group, and the groups one after the other.

use std::collections::BTreeMap;

use napi::bindgen_prelude::{Buffer, Uint32ArraySlice, Uint8ArraySlice};
use napi_derive::napi;

use neweid_core::profile::{Date, HouseholdAddress, PublicData};

use crate::pa::{parse_layout, split_groups};

/// DG1, the household area, as raw fields.
#[napi(object)]
pub struct HouseholdFieldsObject {
    /// 縣市, CNS 11643 text.
    pub county: Buffer,
    /// 鄉鎮市區, CNS 11643 text.
    pub township: Buffer,
    /// 村里, CNS 11643 text.
    pub village: Buffer,
    /// 鄰, ASCII digits.
    pub neighbourhood: String,
}

/// The public area (DG2 to DG9 and DG15) as raw fields: CNS 11643 text as
/// bytes and dates as `YYYY-MM-DD`. Both a card read and evidence decoding
/// return them.
#[napi(object)]
pub struct PublicFieldsObject {
    pub name: Buffer,
    pub romanized_name: Option<String>,
    pub id_number: String,
    pub birth_date: String,
    pub has_spouse: bool,
    pub card_number: String,
    pub card_made_date: String,
    pub renew_by_date: String,
    pub address: Buffer,
    pub military_service: Buffer,
    pub photo_media_type: String,
    pub photo: Buffer,
    /// DER `SubjectPublicKeyInfo` of the Active Authentication key (DG15).
    pub active_authentication_key: Buffer,
    /// DG1, when the evidence contains it.
    pub household: Option<HouseholdFieldsObject>,
}

/// Formats a card date as `YYYY-MM-DD`.
pub(crate) fn iso_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year, date.month, date.day)
}

fn invalid(detail: String) -> napi::Error {
    crate::errors::with_code("INVALID_INPUT", detail)
}

/// Decodes the public-area fields from the given data groups with the card
/// profile's decoders. Fails with `INVALID_INPUT` when a data group of DG2
/// to DG9 or DG15 is missing or does not decode, or when DG1 is given and
/// does not decode. It verifies nothing: pass only evidence that Passive
/// Authentication accepted.
#[napi]
pub fn decode_public_evidence(layout: Uint32ArraySlice, groups: Uint8ArraySlice) -> napi::Result<PublicFieldsObject> {
    crate::errors::guard(|| {
        let layout = parse_layout(&layout, groups.len())?;
        let by_number: BTreeMap<u8, Vec<u8>> = split_groups(&layout, &groups)
            .into_iter()
            .map(|(number, bytes)| (number, bytes.to_vec()))
            .collect();
        let data = PublicData::decode(&by_number).map_err(|failure| invalid(format!("public area: {failure}")))?;
        let household = match by_number.get(&1) {
            Some(bytes) => {
                let address =
                    HouseholdAddress::decode(bytes).map_err(|failure| invalid(format!("household area: {failure}")))?;
                Some(HouseholdFieldsObject {
                    county: address.county.0.into(),
                    township: address.township.0.into(),
                    village: address.village.0.into(),
                    neighbourhood: address.neighbourhood,
                })
            }
            None => None,
        };
        Ok(PublicFieldsObject {
            household,
            ..public_fields(data)
        })
    })
}

/// Converts decoded public-area fields into their JavaScript form, without DG1.
pub(crate) fn public_fields(data: PublicData) -> PublicFieldsObject {
    PublicFieldsObject {
        name: data.name.0.into(),
        romanized_name: data.romanized_name,
        id_number: data.id_number,
        birth_date: iso_date(data.birth_date),
        has_spouse: data.has_spouse,
        card_number: data.card_number,
        card_made_date: iso_date(data.card_made_date),
        renew_by_date: iso_date(data.renew_by_date),
        address: data.address.0.into(),
        military_service: data.military_service.0.into(),
        photo_media_type: data.photo.media_type,
        photo: data.photo.bytes.into(),
        active_authentication_key: data.active_authentication_key.into(),
        household: None,
    }
}
