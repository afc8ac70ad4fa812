//! The data field of `MSE:Set AT` for PACE (TR-03110-3 Appendix B, ICAO
//! 9303-11 §4.4): the protocol (`80`), the password reference (`83`), the
//! standardized domain parameter ID (`84`) and, when Terminal
//! Authentication follows, the terminal's CHAT (`7F4C`).

use super::PaceParameters;
use crate::apdu::CommandApdu;
use crate::asn1::Oid;
use crate::error::CodecError;
use crate::secret::PasswordKind;
use crate::tlv::{self, Reader, Tag};

const TAG_PROTOCOL: Tag = Tag(0x80);
const TAG_PASSWORD_REFERENCE: Tag = Tag(0x83);
const TAG_PARAMETER_ID: Tag = Tag(0x84);
const TAG_CHAT: Tag = Tag(0x7F4C);

const WHAT: &str = "MSE:Set AT";

/// `MSE:Set AT` for PACE, in both directions: the terminal encodes it and
/// the virtual card decodes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MseSetAt {
    pub protocol: Oid,
    pub password: PasswordKind,
    /// Standardized domain parameter ID. ICAO 9303-11 requires it when the
    /// chip offers several parameter sets; [`MseSetAt::for_pace`] always sets it.
    pub parameter_id: Option<u8>,
    /// The whole certificate holder authorization template, tag and length
    /// included.
    pub chat: Option<Vec<u8>>,
}

impl MseSetAt {
    /// Selects `parameters` and `password`, with the parameter ID and no CHAT.
    pub fn for_pace(parameters: &PaceParameters, password: PasswordKind) -> Self {
        Self {
            protocol: parameters.protocol(),
            password,
            parameter_id: Some(parameters.parameter_id()),
            chat: None,
        }
    }

    /// Adds a CHAT, given as the whole `7F4C` data object.
    #[must_use]
    pub fn with_chat(mut self, chat: Vec<u8>) -> Self {
        self.chat = Some(chat);
        self
    }

    /// Returns the PACE parameters this command selects, or `None` when the
    /// protocol or the parameter ID is unsupported or the ID is absent.
    pub fn pace_parameters(&self) -> Option<PaceParameters> {
        PaceParameters::from_protocol(&self.protocol, u64::from(self.parameter_id?))
    }

    /// Encodes the data field.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32 + self.chat.as_ref().map_or(0, Vec::len));
        tlv::write_tlv(&mut out, TAG_PROTOCOL, self.protocol.as_der_contents());
        tlv::write_tlv(&mut out, TAG_PASSWORD_REFERENCE, &[self.password.reference()]);
        if let Some(id) = self.parameter_id {
            tlv::write_tlv(&mut out, TAG_PARAMETER_ID, &[id]);
        }
        if let Some(chat) = &self.chat {
            out.extend_from_slice(chat);
        }
        out
    }

    /// Builds the command `00 22 C1 A4`, without Le.
    pub fn command(&self) -> CommandApdu {
        CommandApdu::new(0x00, 0x22, 0xC1, 0xA4).with_data(self.encode())
    }

    /// Decodes a data field. The objects may come in any order, each at most
    /// once; `80` and `83` are required, and any other tag is rejected.
    pub fn decode(data: &[u8]) -> Result<Self, CodecError> {
        let mut protocol = None;
        let mut password = None;
        let mut parameter_id = None;
        let mut chat = None;
        let mut reader = Reader::new(data, WHAT);
        while let Some(object) = reader.next_tlv()? {
            let duplicate = match object.tag {
                TAG_PROTOCOL => protocol.replace(Oid::from_der_contents(object.value)?).is_some(),
                TAG_PASSWORD_REFERENCE => password.replace(decode_password(object.value)?).is_some(),
                TAG_PARAMETER_ID => parameter_id.replace(decode_parameter_id(object.value)?).is_some(),
                TAG_CHAT => chat.replace(object.raw.to_vec()).is_some(),
                _ => {
                    return Err(CodecError::InvalidValue {
                        what: WHAT,
                        reason: "data object other than 80, 83, 84 or 7F4C",
                    })
                }
            };
            if duplicate {
                return Err(CodecError::InvalidValue {
                    what: WHAT,
                    reason: "a data object occurs twice",
                });
            }
        }
        Ok(Self {
            protocol: protocol.ok_or(CodecError::Missing {
                what: WHAT,
                tag: TAG_PROTOCOL.0,
            })?,
            password: password.ok_or(CodecError::Missing {
                what: WHAT,
                tag: TAG_PASSWORD_REFERENCE.0,
            })?,
            parameter_id,
            chat,
        })
    }
}

fn decode_password(value: &[u8]) -> Result<PasswordKind, CodecError> {
    match value {
        [reference] => PasswordKind::from_reference(*reference).ok_or(CodecError::InvalidValue {
            what: WHAT,
            reason: "password reference must be 1 (MRZ), 2 (CAN), 3 (PIN) or 4 (PUK)",
        }),
        _ => Err(CodecError::InvalidValue {
            what: WHAT,
            reason: "password reference must be one byte",
        }),
    }
}

fn decode_parameter_id(value: &[u8]) -> Result<u8, CodecError> {
    match value {
        [id] => Ok(*id),
        _ => Err(CodecError::InvalidValue {
            what: WHAT,
            reason: "domain parameter ID must be one byte",
        }),
    }
}
