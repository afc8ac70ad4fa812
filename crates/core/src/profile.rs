//! The New eID card profile: application identifiers, files, and the layout
//! of each data group.
//!
//! MOI never published the chip specification, so everything specific to the
//! New eID card (AIDs, file identifiers, tags, data groups) lives in this one
//! module. Data groups follow ICAO 9303 conventions: each is one BER-TLV whose
//! tag is `[APPLICATION n]` constructed (`0x60 + n`) holding context-specific
//! primitive fields. Unknown fields are skipped so that later profile versions
//! can add fields; a missing mandatory field or a malformed value is an error.
//!
//! Text fields marked CNS hold CNS 11643 (全字庫) codes: a plane byte `01`–`13`
//! followed by two bytes `21`–`7E`, or a single ASCII byte `20`–`7E`. This
//! module only checks that structure; conversion to Unicode happens in the
//! TypeScript layer with the 全字庫 tables.

use std::fmt;

use crate::error::CodecError;
use crate::tlv::{self, Tag, Tlv};

/// AID of the New eID application (`"\xF0TWNEID\x01"`).
pub const NEW_EID_AID: [u8; 8] = [0xF0, 0x54, 0x57, 0x4E, 0x45, 0x49, 0x44, 0x01];

/// AID of the citizen certificate (自然人憑證) application (`"\xF0TWMOICA"`).
pub const CITIZEN_CERTIFICATE_AID: [u8; 8] = [0xF0, 0x54, 0x57, 0x4D, 0x4F, 0x49, 0x43, 0x41];

/// Files of the master file.
pub const EF_DIR: u16 = 0x2F00;
pub const EF_ATR_INFO: u16 = 0x2F01;
pub const EF_CARD_ACCESS: u16 = 0x011C;
pub const EF_CARD_ACCESS_SFI: u8 = 0x1C;
pub const EF_CARD_SECURITY: u16 = 0x011D;
pub const EF_CARD_SECURITY_SFI: u8 = 0x1D;

/// Who may read a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Readable without authentication.
    Always,
    /// After PACE with CAN or PIN1.
    Pace,
    /// After PACE with PIN1, Terminal Authentication granting the read right,
    /// and Chip Authentication.
    Encrypted,
}

/// The area (區) of the card a file belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    /// 戶籍區: readable by anyone holding the card.
    Household,
    /// 公開區: after PACE.
    Public,
    /// 加密區: after PACE with PIN1, TA and CA.
    Encrypted,
    /// Files outside the areas (EF.Label).
    None,
}

/// An elementary file of the New eID application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NewEidFile {
    /// Data group 1 to 15 (DG14 is not used).
    DataGroup(u8),
    Label,
    SodPublic,
    SodPrivate,
}

impl NewEidFile {
    /// Every file of the application, in SFI order.
    pub const ALL: [NewEidFile; 17] = [
        Self::DataGroup(1),
        Self::DataGroup(2),
        Self::DataGroup(3),
        Self::DataGroup(4),
        Self::DataGroup(5),
        Self::DataGroup(6),
        Self::DataGroup(7),
        Self::DataGroup(8),
        Self::DataGroup(9),
        Self::DataGroup(10),
        Self::DataGroup(11),
        Self::DataGroup(12),
        Self::DataGroup(13),
        Self::DataGroup(15),
        Self::Label,
        Self::SodPublic,
        Self::SodPrivate,
    ];

    /// Data groups of the public area, whose hashes `EF.SOD.Public` holds.
    pub const PUBLIC_DATA_GROUPS: [u8; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 15];

    /// Data groups of the encrypted area, whose hashes `EF.SOD.Private` holds.
    pub const PRIVATE_DATA_GROUPS: [u8; 4] = [10, 11, 12, 13];

    /// Returns the short file identifier (DG*n* has SFI *n*).
    pub fn sfi(self) -> u8 {
        match self {
            Self::DataGroup(n) => n,
            Self::Label => 0x10,
            Self::SodPublic => 0x11,
            Self::SodPrivate => 0x12,
        }
    }

    /// Returns the file identifier `01nn` where `nn` is the SFI.
    pub fn fid(self) -> u16 {
        0x0100 | u16::from(self.sfi())
    }

    /// Looks a file up by its SFI.
    pub fn from_sfi(sfi: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|file| file.sfi() == sfi)
    }

    /// Looks a file up by its file identifier.
    pub fn from_fid(fid: u16) -> Option<Self> {
        if fid & 0xFF00 != 0x0100 {
            return None;
        }
        Self::from_sfi((fid & 0xFF) as u8)
    }

    pub fn area(self) -> Area {
        match self {
            Self::DataGroup(1) => Area::Household,
            Self::DataGroup(10..=13) | Self::SodPrivate => Area::Encrypted,
            Self::Label => Area::None,
            _ => Area::Public,
        }
    }

    pub fn access(self) -> Access {
        match self {
            Self::DataGroup(1) | Self::Label => Access::Always,
            Self::DataGroup(10..=13) | Self::SodPrivate => Access::Encrypted,
            _ => Access::Pace,
        }
    }

    /// Returns the outer tag of the file's contents: `[APPLICATION n]` for
    /// DG*n*, `70` for EF.Label and `77` for the two SODs.
    pub fn tag(self) -> Tag {
        match self {
            Self::DataGroup(n) => Tag(0x60 + u32::from(n)),
            Self::Label => Tag(0x70),
            Self::SodPublic | Self::SodPrivate => Tag(0x77),
        }
    }

    /// A short name for errors and step names (`dg7`, `label`, `sod_public`).
    pub fn name(self) -> String {
        match self {
            Self::DataGroup(n) => format!("dg{n}"),
            Self::Label => "label".into(),
            Self::SodPublic => "sod_public".into(),
            Self::SodPrivate => "sod_private".into(),
        }
    }
}

impl fmt::Display for NewEidFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DataGroup(n) => write!(f, "DG{n}"),
            Self::Label => f.write_str("EF.Label"),
            Self::SodPublic => f.write_str("EF.SOD.Public"),
            Self::SodPrivate => f.write_str("EF.SOD.Private"),
        }
    }
}

/// Text in the card's CNS 11643 encoding, checked for structure but not
/// converted. `Debug` prints the length only because some of it (an ID
/// number inside a free-text field, a parent's name) is personal data.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct CnsBytes(pub Vec<u8>);

impl CnsBytes {
    /// Checks the CNS text structure and keeps the bytes.
    pub fn parse(bytes: &[u8], what: &'static str) -> Result<Self, CodecError> {
        let mut index = 0;
        while let Some(&byte) = bytes.get(index) {
            match byte {
                0x01..=0x13 => {
                    let pair = bytes.get(index + 1..index + 3).ok_or(CodecError::InvalidValue {
                        what,
                        reason: "CNS plane byte without two code bytes after it",
                    })?;
                    if !pair.iter().all(|b| (0x21..=0x7E).contains(b)) {
                        return Err(CodecError::InvalidValue {
                            what,
                            reason: "CNS code byte outside 21 to 7E",
                        });
                    }
                    index += 3;
                }
                0x20..=0x7E => index += 1,
                _ => {
                    return Err(CodecError::InvalidValue {
                        what,
                        reason: "byte is neither a CNS plane nor ASCII",
                    })
                }
            }
        }
        Ok(Self(bytes.to_vec()))
    }
}

impl fmt::Debug for CnsBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CnsBytes(<{} bytes>)", self.0.len())
    }
}

/// A calendar date stored as 8 ASCII digits `YYYYMMDD` (Gregorian).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Parses `YYYYMMDD`, rejecting dates that do not exist.
    pub fn parse(bytes: &[u8], what: &'static str) -> Result<Self, CodecError> {
        let invalid = CodecError::InvalidValue {
            what,
            reason: "not a valid YYYYMMDD date",
        };
        if bytes.len() != 8 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(invalid);
        }
        let number = |range: std::ops::Range<usize>| -> u16 {
            bytes
                .get(range)
                .unwrap_or(&[])
                .iter()
                .fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0'))
        };
        let year = number(0..4);
        let month = number(4..6) as u8;
        let day = number(6..8) as u8;
        if year == 0 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(invalid);
        }
        Ok(Self { year, month, day })
    }

    pub fn encode(self) -> Vec<u8> {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day).into_bytes()
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({:04}-{:02}-{:02})", self.year, self.month, self.day)
    }
}

/// Checks a Taiwan ID number (統一編號): one letter, then nine digits whose
/// weighted sum with the letter's two-digit code is a multiple of 10.
pub fn is_valid_id_number(id: &str) -> bool {
    let bytes = id.as_bytes();
    let [letter, digits @ ..] = bytes else {
        return false;
    };
    if digits.len() != 9 || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    // The letter codes are not alphabetical past H: I, O, W, X, Y and Z were
    // added after the original 20 letters and got the codes 30 to 35.
    let code: u32 = match letter {
        b'A'..=b'H' => u32::from(letter - b'A') + 10,
        b'I' => 34,
        b'J'..=b'N' => u32::from(letter - b'J') + 18,
        b'O' => 35,
        b'P'..=b'V' => u32::from(letter - b'P') + 23,
        b'W' => 32,
        b'X' => 30,
        b'Y' => 31,
        b'Z' => 33,
        _ => return false,
    };
    let weights = [8u32, 7, 6, 5, 4, 3, 2, 1, 1];
    let sum = code / 10
        + (code % 10) * 9
        + digits
            .iter()
            .zip(weights)
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum::<u32>();
    sum % 10 == 0
}

/// Masks an ID number for logs: `A123456789` becomes `A12****789`.
pub fn mask_id_number(id: &str) -> String {
    let characters: Vec<char> = id.chars().collect();
    if characters.len() < 7 {
        return "*".repeat(characters.len());
    }
    let head: String = characters.iter().take(3).collect();
    let tail: String = characters.iter().skip(characters.len() - 3).collect();
    format!("{head}{}{tail}", "*".repeat(characters.len() - 6))
}

/// The fields of one data group, by context-specific tag, after checking the
/// outer tag. Fields keep their order; a field that appears twice is an error.
struct Fields<'a> {
    what: &'static str,
    fields: Vec<Tlv<'a>>,
}

impl<'a> Fields<'a> {
    fn parse(bytes: &'a [u8], file: NewEidFile, what: &'static str) -> Result<Self, CodecError> {
        let outer = Tlv::decode_expected(bytes, file.tag(), what)?;
        let fields = outer.children(what).collect_all()?;
        for (index, field) in fields.iter().enumerate() {
            if fields.iter().skip(index + 1).any(|other| other.tag == field.tag) {
                return Err(CodecError::InvalidValue {
                    what,
                    reason: "a field appears twice",
                });
            }
        }
        Ok(Self { what, fields })
    }

    fn optional(&self, tag: u32) -> Option<&'a [u8]> {
        self.fields
            .iter()
            .find(|field| field.tag == Tag(tag))
            .map(|field| field.value)
    }

    fn required(&self, tag: u32) -> Result<&'a [u8], CodecError> {
        self.optional(tag).ok_or(CodecError::Missing { what: self.what, tag })
    }

    fn cns(&self, tag: u32) -> Result<CnsBytes, CodecError> {
        CnsBytes::parse(self.required(tag)?, self.what)
    }

    fn ascii(&self, tag: u32, allowed: fn(&u8) -> bool) -> Result<String, CodecError> {
        ascii(self.required(tag)?, self.what, allowed)
    }

    fn date(&self, tag: u32) -> Result<Date, CodecError> {
        Date::parse(self.required(tag)?, self.what)
    }
}

fn ascii(bytes: &[u8], what: &'static str, allowed: fn(&u8) -> bool) -> Result<String, CodecError> {
    if bytes.iter().all(allowed) {
        Ok(bytes.iter().map(|&b| char::from(b)).collect())
    } else {
        Err(CodecError::InvalidValue {
            what,
            reason: "character outside the allowed ASCII range",
        })
    }
}

fn printable(byte: &u8) -> bool {
    (0x20..=0x7E).contains(byte)
}

/// EF.Label: readable by anyone, carries nothing that identifies the holder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub label: String,
    pub profile_version: String,
    /// Bit 0: citizen certificate area enabled; bit 1: contactless interface present.
    pub flags: u8,
}

impl Label {
    pub fn citizen_certificate_enabled(&self) -> bool {
        self.flags & 0x01 != 0
    }

    pub fn contactless(&self) -> bool {
        self.flags & 0x02 != 0
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let fields = Fields::parse(bytes, NewEidFile::Label, "EF.Label")?;
        let label = String::from_utf8(fields.required(0x80)?.to_vec()).map_err(|_| CodecError::InvalidValue {
            what: "EF.Label",
            reason: "label is not UTF-8",
        })?;
        let profile_version = fields.ascii(0x81, printable)?;
        let flags = match fields.required(0x82)? {
            [flags] => *flags,
            _ => {
                return Err(CodecError::InvalidValue {
                    what: "EF.Label",
                    reason: "flags must be one byte",
                })
            }
        };
        Ok(Self {
            label,
            profile_version,
            flags,
        })
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut body = Vec::new();
        tlv::write_tlv(&mut body, Tag(0x80), self.label.as_bytes());
        tlv::write_tlv(&mut body, Tag(0x81), self.profile_version.as_bytes());
        tlv::write_tlv(&mut body, Tag(0x82), &[self.flags]);
        tlv::tlv(NewEidFile::Label.tag(), &body)
    }
}

/// DG1, the household area (戶籍區): the coarse household address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseholdAddress {
    /// 縣市
    pub county: CnsBytes,
    /// 鄉鎮市區
    pub township: CnsBytes,
    /// 村里
    pub village: CnsBytes,
    /// 鄰, ASCII digits.
    pub neighbourhood: String,
}

impl HouseholdAddress {
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let fields = Fields::parse(bytes, NewEidFile::DataGroup(1), "DG1")?;
        Ok(Self {
            county: fields.cns(0x80)?,
            township: fields.cns(0x81)?,
            village: fields.cns(0x82)?,
            neighbourhood: fields.ascii(0x83, u8::is_ascii_digit)?,
        })
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut body = Vec::new();
        tlv::write_tlv(&mut body, Tag(0x80), &self.county.0);
        tlv::write_tlv(&mut body, Tag(0x81), &self.township.0);
        tlv::write_tlv(&mut body, Tag(0x82), &self.village.0);
        tlv::write_tlv(&mut body, Tag(0x83), self.neighbourhood.as_bytes());
        tlv::tlv(NewEidFile::DataGroup(1).tag(), &body)
    }
}

/// The facial image of DG9.
#[derive(Clone, PartialEq, Eq)]
pub struct Photo {
    pub media_type: String,
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Photo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Photo({}, {} bytes)", self.media_type, self.bytes.len())
    }
}

/// The public area (公開區): DG2 to DG9 and DG15.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicData {
    pub name: CnsBytes,
    pub romanized_name: Option<String>,
    /// 統一編號, with a valid check digit.
    pub id_number: String,
    pub birth_date: Date,
    pub has_spouse: bool,
    pub card_number: String,
    /// 製證日期
    pub card_made_date: Date,
    /// 應換領日期
    pub renew_by_date: Date,
    pub address: CnsBytes,
    /// 役別
    pub military_service: CnsBytes,
    pub photo: Photo,
    /// The DER `SubjectPublicKeyInfo` of the Active Authentication key.
    pub active_authentication_key: Vec<u8>,
}

/// Raw contents of the public-area data groups, by number.
pub trait DataGroupSource {
    fn data_group(&self, number: u8) -> Option<&[u8]>;
}

impl PublicData {
    /// Decodes DG2 to DG9 and DG15 from their raw contents.
    pub fn decode(groups: &impl DataGroupSource) -> Result<Self, CodecError> {
        let group = |number: u8, what: &'static str| -> Result<Fields<'_>, CodecError> {
            let bytes = groups.data_group(number).ok_or(CodecError::Missing {
                what,
                tag: 0x60 + u32::from(number),
            })?;
            Fields::parse(bytes, NewEidFile::DataGroup(number), what)
        };

        let dg2 = group(2, "DG2")?;
        let romanized_name = dg2
            .optional(0x81)
            .map(|bytes| ascii(bytes, "DG2", printable))
            .transpose()?;

        let dg3 = group(3, "DG3")?;
        let id_number = dg3.ascii(0x80, u8::is_ascii_alphanumeric)?;
        if !is_valid_id_number(&id_number) {
            return Err(CodecError::InvalidValue {
                what: "DG3",
                reason: "ID number has an invalid format or check digit",
            });
        }

        let dg5 = group(5, "DG5")?;
        let has_spouse = match dg5.required(0x80)? {
            [0x00] => false,
            [0x01] => true,
            _ => {
                return Err(CodecError::InvalidValue {
                    what: "DG5",
                    reason: "marital status must be 00 or 01",
                })
            }
        };

        let dg6 = group(6, "DG6")?;
        let dg9 = group(9, "DG9")?;
        let dg15 = groups.data_group(15).ok_or(CodecError::Missing {
            what: "DG15",
            tag: 0x6F,
        })?;
        let dg15 = Tlv::decode_expected(dg15, NewEidFile::DataGroup(15).tag(), "DG15")?;

        Ok(Self {
            name: dg2.cns(0x80)?,
            romanized_name,
            id_number,
            birth_date: group(4, "DG4")?.date(0x80)?,
            has_spouse,
            card_number: dg6.ascii(0x80, u8::is_ascii_alphanumeric)?,
            card_made_date: dg6.date(0x81)?,
            renew_by_date: dg6.date(0x82)?,
            address: group(7, "DG7")?.cns(0x80)?,
            military_service: group(8, "DG8")?.cns(0x80)?,
            photo: Photo {
                media_type: dg9.ascii(0x80, printable)?,
                bytes: dg9.required(0x5F2E)?.to_vec(),
            },
            active_authentication_key: dg15.value.to_vec(),
        })
    }

    /// Encodes each data group, in the order DG2 to DG9 then DG15.
    pub fn encode(&self) -> Vec<(u8, Vec<u8>)> {
        let group = encode_data_group;
        let mut dg2: Vec<(u32, &[u8])> = vec![(0x80, &self.name.0)];
        if let Some(romanized) = &self.romanized_name {
            dg2.push((0x81, romanized.as_bytes()));
        }
        vec![
            group(2, &dg2),
            group(3, &[(0x80, self.id_number.as_bytes())]),
            group(4, &[(0x80, &self.birth_date.encode())]),
            group(5, &[(0x80, &[u8::from(self.has_spouse)])]),
            group(
                6,
                &[
                    (0x80, self.card_number.as_bytes()),
                    (0x81, &self.card_made_date.encode()),
                    (0x82, &self.renew_by_date.encode()),
                ],
            ),
            group(7, &[(0x80, &self.address.0)]),
            group(8, &[(0x80, &self.military_service.0)]),
            group(
                9,
                &[(0x80, self.photo.media_type.as_bytes()), (0x5F2E, &self.photo.bytes)],
            ),
            (
                15,
                tlv::tlv(NewEidFile::DataGroup(15).tag(), &self.active_authentication_key),
            ),
        ]
    }
}

/// The encrypted area (加密區): DG10 to DG13. Each field is present only if
/// the terminal's authorisation allowed reading its data group.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PrivateData {
    pub father_name: Option<CnsBytes>,
    pub mother_name: Option<CnsBytes>,
    pub spouse_name: Option<CnsBytes>,
    pub birthplace: Option<CnsBytes>,
    /// `M` or `F`.
    pub sex: Option<char>,
}

impl PrivateData {
    /// Decodes whichever of DG10 to DG13 were read.
    pub fn decode(groups: &impl DataGroupSource) -> Result<Self, CodecError> {
        let mut data = Self::default();
        if let Some(bytes) = groups.data_group(10) {
            let dg10 = Fields::parse(bytes, NewEidFile::DataGroup(10), "DG10")?;
            data.father_name = Some(dg10.cns(0x80)?);
            data.mother_name = Some(dg10.cns(0x81)?);
        }
        if let Some(bytes) = groups.data_group(11) {
            let dg11 = Fields::parse(bytes, NewEidFile::DataGroup(11), "DG11")?;
            data.spouse_name = dg11
                .optional(0x80)
                .map(|value| CnsBytes::parse(value, "DG11"))
                .transpose()?;
        }
        if let Some(bytes) = groups.data_group(12) {
            data.birthplace = Some(Fields::parse(bytes, NewEidFile::DataGroup(12), "DG12")?.cns(0x80)?);
        }
        if let Some(bytes) = groups.data_group(13) {
            data.sex = match Fields::parse(bytes, NewEidFile::DataGroup(13), "DG13")?.required(0x80)? {
                b"M" => Some('M'),
                b"F" => Some('F'),
                _ => {
                    return Err(CodecError::InvalidValue {
                        what: "DG13",
                        reason: "sex must be M or F",
                    })
                }
            };
        }
        Ok(data)
    }
}

impl PrivateData {
    /// Encodes DG10 to DG13 from the fields present; DG11 is written without
    /// its field when there is no spouse.
    pub fn encode(&self) -> Vec<(u8, Vec<u8>)> {
        let group = encode_data_group;
        let mut groups = Vec::new();
        if let (Some(father), Some(mother)) = (&self.father_name, &self.mother_name) {
            groups.push(group(10, &[(0x80, &father.0), (0x81, &mother.0)]));
        }
        let spouse: Vec<(u32, &[u8])> = self.spouse_name.iter().map(|name| (0x80, name.0.as_slice())).collect();
        groups.push(group(11, &spouse));
        if let Some(birthplace) = &self.birthplace {
            groups.push(group(12, &[(0x80, &birthplace.0)]));
        }
        if let Some(sex) = self.sex {
            groups.push(group(13, &[(0x80, sex.to_string().as_bytes())]));
        }
        groups
    }
}

/// Encodes DG`number` from its context-specific fields, in the order given.
fn encode_data_group(number: u8, fields: &[(u32, &[u8])]) -> (u8, Vec<u8>) {
    let mut body = Vec::new();
    for (tag, value) in fields {
        tlv::write_tlv(&mut body, Tag(*tag), value);
    }
    (number, tlv::tlv(NewEidFile::DataGroup(number).tag(), &body))
}

impl DataGroupSource for std::collections::BTreeMap<u8, Vec<u8>> {
    fn data_group(&self, number: u8) -> Option<&[u8]> {
        self.get(&number).map(Vec::as_slice)
    }
}

#[cfg(test)]
mod tests;
