//! Security infos as TR-03110-3 §A.1.1 defines them: the DER
//! `SET OF SecurityInfo` of `EF.CardAccess` (and of the signed content of
//! `EF.CardSecurity`), with a decoder for the terminal and an encoder for the
//! virtual card.
//!
//! ```text
//! SecurityInfo ::= SEQUENCE {
//!     protocol     OBJECT IDENTIFIER,
//!     requiredData ANY DEFINED BY protocol,
//!     optionalData ANY DEFINED BY protocol OPTIONAL }
//! ```
//!
//! PACE, Terminal Authentication and Chip Authentication infos are decoded
//! into their fields. Domain parameters and public keys stay as their DER
//! encoding, and infos of other protocols (CardInfoLocator,
//! PrivilegedTerminalInfo, ...) stay whole, so re-encoding reproduces them.

use crate::asn1::{self, Oid};
use crate::error::CodecError;
use crate::pace::PaceParameters;
use crate::tlv::{self, Reader, Tlv};

/// `bsi-de protocols smartcard`, 0.4.0.127.0.7.2.2: the root of the
/// TR-03110 protocol OIDs.
pub const BSI_SMARTCARD_PROTOCOLS: [u64; 8] = [0, 4, 0, 127, 0, 7, 2, 2];

/// `id-PACE-ECDH-GM`, 0.4.0.127.0.7.2.2.4.2. The last arc of a PACE protocol
/// OID under it names the cipher: 2, 3 and 4 are AES-128, -192 and -256.
pub const ID_PACE_ECDH_GM: [u64; 10] = [0, 4, 0, 127, 0, 7, 2, 2, 4, 2];

/// The PACE version this crate implements.
pub const PACE_VERSION: u64 = 2;

const WHAT: &str = "security infos";

/// `PACEInfo`: one PACE variant the chip supports.
///
/// ```text
/// PACEInfo ::= SEQUENCE {
///     protocol    OBJECT IDENTIFIER (id-PACE-*),
///     version     INTEGER, -- 2
///     parameterId INTEGER OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaceInfo {
    pub protocol: Oid,
    pub version: u64,
    pub parameter_id: Option<u64>,
}

/// Returns the TR-03110-3 name of a PACE protocol OID, such as
/// `id-PACE-ECDH-GM-AES-CBC-CMAC-128`, or `None` for an OID outside
/// `id-PACE` (0.4.0.127.0.7.2.2.4).
pub fn pace_protocol_name(protocol: &Oid) -> Option<&'static str> {
    let arcs = protocol.arcs();
    let (mapping, cipher) = match arcs.as_slice() {
        [prefix @ .., mapping, cipher] if prefix == [0, 4, 0, 127, 0, 7, 2, 2, 4] => (*mapping, *cipher),
        _ => return None,
    };
    let mapping = match mapping {
        1 => "DH-GM",
        2 => "ECDH-GM",
        3 => "DH-IM",
        4 => "ECDH-IM",
        6 => "ECDH-CAM",
        _ => return None,
    };
    let cipher = match cipher {
        1 => "3DES-CBC-CBC",
        2 => "AES-CBC-CMAC-128",
        3 => "AES-CBC-CMAC-192",
        4 => "AES-CBC-CMAC-256",
        _ => return None,
    };
    let name = format!("id-PACE-{mapping}-{cipher}");
    NAMES.iter().find(|candidate| **candidate == name).copied()
}

/// Every PACE protocol name, for [`pace_protocol_name`] to return as `'static`.
const NAMES: [&str; 20] = [
    "id-PACE-DH-GM-3DES-CBC-CBC",
    "id-PACE-DH-GM-AES-CBC-CMAC-128",
    "id-PACE-DH-GM-AES-CBC-CMAC-192",
    "id-PACE-DH-GM-AES-CBC-CMAC-256",
    "id-PACE-ECDH-GM-3DES-CBC-CBC",
    "id-PACE-ECDH-GM-AES-CBC-CMAC-128",
    "id-PACE-ECDH-GM-AES-CBC-CMAC-192",
    "id-PACE-ECDH-GM-AES-CBC-CMAC-256",
    "id-PACE-DH-IM-3DES-CBC-CBC",
    "id-PACE-DH-IM-AES-CBC-CMAC-128",
    "id-PACE-DH-IM-AES-CBC-CMAC-192",
    "id-PACE-DH-IM-AES-CBC-CMAC-256",
    "id-PACE-ECDH-IM-3DES-CBC-CBC",
    "id-PACE-ECDH-IM-AES-CBC-CMAC-128",
    "id-PACE-ECDH-IM-AES-CBC-CMAC-192",
    "id-PACE-ECDH-IM-AES-CBC-CMAC-256",
    "id-PACE-ECDH-CAM-3DES-CBC-CBC",
    "id-PACE-ECDH-CAM-AES-CBC-CMAC-128",
    "id-PACE-ECDH-CAM-AES-CBC-CMAC-192",
    "id-PACE-ECDH-CAM-AES-CBC-CMAC-256",
];

impl PaceInfo {
    /// Returns the protocol name, or `"unknown PACE protocol"`.
    pub fn protocol_name(&self) -> &'static str {
        pace_protocol_name(&self.protocol).unwrap_or("unknown PACE protocol")
    }

    /// Tells whether this crate can run the variant.
    pub fn is_supported(&self) -> bool {
        self.parameters().is_some()
    }

    /// Returns the parameters to run this variant with, or `None` unless it is
    /// version 2 of ECDH Generic Mapping with AES on a supported
    /// standardized curve.
    pub fn parameters(&self) -> Option<PaceParameters> {
        if self.version != PACE_VERSION {
            return None;
        }
        PaceParameters::from_protocol(&self.protocol, self.parameter_id?)
    }
}

/// `PACEDomainParameterInfo`: explicit domain parameters for PACE. The
/// `AlgorithmIdentifier` is kept as its DER encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaceDomainParameterInfo {
    pub protocol: Oid,
    pub domain_parameter: Vec<u8>,
    pub parameter_id: Option<u64>,
}

/// `TerminalAuthenticationInfo`. The optional `efCVCA` file identifier of
/// version 1 is kept as its DER encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalAuthenticationInfo {
    pub version: u64,
    pub ef_cvca: Option<Vec<u8>>,
}

/// `ChipAuthenticationInfo`: one Chip Authentication variant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChipAuthenticationInfo {
    pub protocol: Oid,
    pub version: u64,
    pub key_id: Option<u64>,
}

/// `ChipAuthenticationDomainParameterInfo`, with the `AlgorithmIdentifier`
/// kept as its DER encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChipAuthenticationDomainParameterInfo {
    pub protocol: Oid,
    pub domain_parameter: Vec<u8>,
    pub key_id: Option<u64>,
}

/// `ChipAuthenticationPublicKeyInfo`, with the `SubjectPublicKeyInfo` kept
/// as its DER encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChipAuthenticationPublicKeyInfo {
    pub protocol: Oid,
    pub public_key: Vec<u8>,
    pub key_id: Option<u64>,
}

/// A security info of a protocol this module does not decode, kept whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtherSecurityInfo {
    pub protocol: Oid,
    /// The whole `SecurityInfo` SEQUENCE.
    pub encoded: Vec<u8>,
}

/// One element of the `SET OF SecurityInfo`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecurityInfo {
    Pace(PaceInfo),
    PaceDomainParameter(PaceDomainParameterInfo),
    TerminalAuthentication(TerminalAuthenticationInfo),
    ChipAuthentication(ChipAuthenticationInfo),
    ChipAuthenticationDomainParameter(ChipAuthenticationDomainParameterInfo),
    ChipAuthenticationPublicKey(ChipAuthenticationPublicKeyInfo),
    Other(OtherSecurityInfo),
}

impl SecurityInfo {
    /// Decodes one `SecurityInfo` SEQUENCE.
    pub fn decode(tlv: Tlv<'_>) -> Result<Self, CodecError> {
        let mut fields = asn1::sequence(tlv, WHAT)?;
        let protocol = Oid::decode(fields.read()?)?;
        let arcs = protocol.arcs();
        let suffix = arcs.strip_prefix(&BSI_SMARTCARD_PROTOCOLS[..]).unwrap_or_default();
        let info = match suffix {
            [1, _] => Self::ChipAuthenticationPublicKey(ChipAuthenticationPublicKeyInfo {
                protocol,
                public_key: read_sequence(&mut fields)?,
                key_id: read_optional_integer(&mut fields)?,
            }),
            [2] => Self::TerminalAuthentication(TerminalAuthenticationInfo {
                version: read_integer(&mut fields)?,
                ef_cvca: match fields.next_tlv()? {
                    Some(file_id) => Some(file_id.expect_tag(asn1::SEQUENCE, WHAT)?.raw.to_vec()),
                    None => None,
                },
            }),
            [3, _] => Self::ChipAuthenticationDomainParameter(ChipAuthenticationDomainParameterInfo {
                protocol,
                domain_parameter: read_sequence(&mut fields)?,
                key_id: read_optional_integer(&mut fields)?,
            }),
            [3, _, _] => Self::ChipAuthentication(ChipAuthenticationInfo {
                protocol,
                version: read_integer(&mut fields)?,
                key_id: read_optional_integer(&mut fields)?,
            }),
            [4, _] => Self::PaceDomainParameter(PaceDomainParameterInfo {
                protocol,
                domain_parameter: read_sequence(&mut fields)?,
                parameter_id: read_optional_integer(&mut fields)?,
            }),
            [4, _, _] => Self::Pace(PaceInfo {
                protocol,
                version: read_integer(&mut fields)?,
                parameter_id: read_optional_integer(&mut fields)?,
            }),
            _ => {
                return Ok(Self::Other(OtherSecurityInfo {
                    protocol,
                    encoded: tlv.raw.to_vec(),
                }))
            }
        };
        fields.finish()?;
        Ok(info)
    }

    /// Appends the DER encoding of this info.
    pub fn encode(&self, out: &mut Vec<u8>) {
        if let Self::Other(other) = self {
            out.extend_from_slice(&other.encoded);
            return;
        }
        tlv::write_constructed(out, asn1::SEQUENCE, |fields| match self {
            Self::Pace(info) => {
                info.protocol.encode(fields);
                asn1::write_unsigned(fields, info.version);
                write_optional_integer(fields, info.parameter_id);
            }
            Self::PaceDomainParameter(info) => {
                info.protocol.encode(fields);
                fields.extend_from_slice(&info.domain_parameter);
                write_optional_integer(fields, info.parameter_id);
            }
            Self::TerminalAuthentication(info) => {
                terminal_authentication_protocol().encode(fields);
                asn1::write_unsigned(fields, info.version);
                if let Some(file_id) = &info.ef_cvca {
                    fields.extend_from_slice(file_id);
                }
            }
            Self::ChipAuthentication(info) => {
                info.protocol.encode(fields);
                asn1::write_unsigned(fields, info.version);
                write_optional_integer(fields, info.key_id);
            }
            Self::ChipAuthenticationDomainParameter(info) => {
                info.protocol.encode(fields);
                fields.extend_from_slice(&info.domain_parameter);
                write_optional_integer(fields, info.key_id);
            }
            Self::ChipAuthenticationPublicKey(info) => {
                info.protocol.encode(fields);
                fields.extend_from_slice(&info.public_key);
                write_optional_integer(fields, info.key_id);
            }
            Self::Other(_) => {}
        });
    }
}

/// `id-TA`, 0.4.0.127.0.7.2.2.2.
fn terminal_authentication_protocol() -> Oid {
    let mut arcs = BSI_SMARTCARD_PROTOCOLS.to_vec();
    arcs.push(2);
    Oid::from_arcs(&arcs)
}

fn read_integer(fields: &mut Reader<'_>) -> Result<u64, CodecError> {
    asn1::read_small_unsigned(fields.read()?, WHAT)
}

fn read_optional_integer(fields: &mut Reader<'_>) -> Result<Option<u64>, CodecError> {
    fields
        .optional(asn1::INTEGER)?
        .map(|integer| asn1::read_small_unsigned(integer, WHAT))
        .transpose()
}

/// Reads a SEQUENCE (an `AlgorithmIdentifier` or `SubjectPublicKeyInfo`) and
/// returns its whole encoding.
fn read_sequence(fields: &mut Reader<'_>) -> Result<Vec<u8>, CodecError> {
    Ok(fields.expect(asn1::SEQUENCE)?.raw.to_vec())
}

fn write_optional_integer(out: &mut Vec<u8>, value: Option<u64>) {
    if let Some(value) = value {
        asn1::write_unsigned(out, value);
    }
}

/// The `SET OF SecurityInfo` of `EF.CardAccess` or `EF.CardSecurity`, in
/// the order the file lists them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SecurityInfos(pub Vec<SecurityInfo>);

impl SecurityInfos {
    /// Decodes exactly one `SET OF SecurityInfo`.
    pub fn decode(data: &[u8]) -> Result<Self, CodecError> {
        Self::decode_set(Tlv::decode_expected(data, asn1::SET, WHAT)?)
    }

    /// Decodes the `SET OF SecurityInfo` at the start of a file and ignores
    /// what follows it, because some cards pad `EF.CardAccess` with bytes
    /// that belong to no structure.
    pub fn decode_file(data: &[u8]) -> Result<Self, CodecError> {
        let set = Reader::new(data, WHAT).expect(asn1::SET)?;
        Self::decode_set(set)
    }

    fn decode_set(set: Tlv<'_>) -> Result<Self, CodecError> {
        let mut elements = set.children(WHAT);
        let mut infos = Vec::new();
        while let Some(element) = elements.next_tlv()? {
            infos.push(SecurityInfo::decode(element)?);
        }
        Ok(Self(infos))
    }

    /// Encodes the set in DER: the elements sorted by their encodings
    /// (X.690 §11.6).
    pub fn encode(&self) -> Vec<u8> {
        let mut elements: Vec<Vec<u8>> = self
            .0
            .iter()
            .map(|info| {
                let mut out = Vec::new();
                info.encode(&mut out);
                out
            })
            .collect();
        elements.sort();
        tlv::tlv(asn1::SET, &elements.concat())
    }

    /// Returns the `PACEInfo` elements.
    pub fn pace_infos(&self) -> Vec<PaceInfo> {
        self.0
            .iter()
            .filter_map(|info| match info {
                SecurityInfo::Pace(pace) => Some(pace.clone()),
                _ => None,
            })
            .collect()
    }
}

/// Picks the strongest PACE variant this crate supports: the largest curve,
/// then the largest AES key, the first listed on a tie. Infos of other
/// mappings (Integrated Mapping, DH, Chip Authentication Mapping), of other
/// versions or without a supported standardized parameter ID are ignored.
pub fn select_pace_info(infos: &[PaceInfo]) -> Option<PaceParameters> {
    let mut best: Option<PaceParameters> = None;
    for parameters in infos.iter().filter_map(PaceInfo::parameters) {
        let strength = |p: &PaceParameters| (p.curve().field_bits(), p.cipher().key_len());
        let stronger = match best {
            None => true,
            Some(current) => strength(&parameters) > strength(&current),
        };
        if stronger {
            best = Some(parameters);
        }
    }
    best
}

#[cfg(test)]
mod tests;
