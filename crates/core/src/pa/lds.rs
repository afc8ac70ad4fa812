//! The contents that a Document Signer signs: the `LDSSecurityObject` of
//! ICAO 9303-10 §4.6.2.2, the `SecurityInfos` of TR-03110-3 §A.1.1 and the
//! `CscaMasterList` of ICAO 9303-12 §9.

use std::collections::BTreeMap;

use crate::asn1::{self, Oid, INTEGER, OBJECT_IDENTIFIER, OCTET_STRING, PRINTABLE_STRING, SEQUENCE, SET};
use crate::error::CodecError;
use crate::tlv::{self, Tlv};

use super::algorithm::{self, AlgorithmIdentifier, DigestAlgorithm};

/// `id-icao-mrtd-security-ldsSecurityObject`.
pub const ID_LDS_SECURITY_OBJECT: &str = "2.23.136.1.1.1";
/// `id-icao-cscaMasterList`.
pub const ID_CSCA_MASTER_LIST: &str = "2.23.136.1.1.2";
/// `id-SecurityObject` of TR-03110-3 §A.1.2.5 (bsi-de 3.2.1).
pub const ID_SECURITY_OBJECT: &str = "0.4.0.127.0.7.3.2.1";

/// The highest data group number ICAO defines (`dataGroup16`).
pub const MAX_DATA_GROUP: u8 = 16;

/// `LDSVersionInfo` of an `LDSSecurityObject` version 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LdsVersionInfo {
    /// Such as `0108`.
    pub lds_version: String,
    /// Such as `040000`.
    pub unicode_version: String,
}

/// A decoded `LDSSecurityObject`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LdsSecurityObject {
    /// 0, or 1 when `ldsVersionInfo` is present.
    pub version: u8,
    pub hash_algorithm: DigestAlgorithm,
    /// Data group number to hash value, in ascending order.
    pub hashes: BTreeMap<u8, Vec<u8>>,
    pub version_info: Option<LdsVersionInfo>,
}

impl LdsSecurityObject {
    /// Builds a version 0 object.
    pub fn new(hash_algorithm: DigestAlgorithm, hashes: BTreeMap<u8, Vec<u8>>) -> Self {
        Self {
            version: 0,
            hash_algorithm,
            hashes,
            version_info: None,
        }
    }

    /// Builds a version 0 object by hashing each data group.
    pub fn hash_data_groups<'d>(
        hash_algorithm: DigestAlgorithm,
        data_groups: impl IntoIterator<Item = (u8, &'d [u8])>,
    ) -> Result<Self, openssl::error::ErrorStack> {
        let mut hashes = BTreeMap::new();
        for (number, bytes) in data_groups {
            let digest = hash_algorithm.hash(bytes)?;
            hashes.insert(number, digest.to_vec());
        }
        Ok(Self::new(hash_algorithm, hashes))
    }

    /// Decodes the DER (or BER with definite lengths) `LDSSecurityObject`.
    /// Data group numbers must lie in 1..=16 and appear once, and every hash
    /// must have the length of the hash algorithm.
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let what = "LDSSecurityObject";
        let mut reader = asn1::sequence(Tlv::decode_all(bytes, what)?, what)?;
        let version = asn1::read_small_unsigned(reader.expect(INTEGER)?, what)?;
        let version = match version {
            0 | 1 => version as u8,
            _ => {
                return Err(CodecError::InvalidValue {
                    what,
                    reason: "version is not 0 or 1",
                })
            }
        };
        let identifier = AlgorithmIdentifier::decode(reader.expect(SEQUENCE)?, "LDSSecurityObject hashAlgorithm")?;
        let hash_algorithm = algorithm::digest_algorithm(&identifier).ok_or(CodecError::InvalidValue {
            what: "LDSSecurityObject hashAlgorithm",
            reason: "not SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512",
        })?;

        let mut hashes = BTreeMap::new();
        let mut entries = reader.expect(SEQUENCE)?.children("DataGroupHash");
        while let Some(entry) = entries.next_tlv()? {
            let what = "DataGroupHash";
            let mut fields = asn1::sequence(entry, what)?;
            let number = asn1::read_small_unsigned(fields.expect(INTEGER)?, what)?;
            let value = fields.expect(OCTET_STRING)?.value;
            fields.finish()?;
            let number = u8::try_from(number)
                .ok()
                .filter(|n| (1..=MAX_DATA_GROUP).contains(n))
                .ok_or(CodecError::InvalidValue {
                    what,
                    reason: "data group number outside 1..=16",
                })?;
            if value.len() != hash_algorithm.output_len() {
                return Err(CodecError::InvalidValue {
                    what,
                    reason: "hash length differs from the hash algorithm's output length",
                });
            }
            if hashes.insert(number, value.to_vec()).is_some() {
                return Err(CodecError::InvalidValue {
                    what,
                    reason: "data group listed twice",
                });
            }
        }
        if hashes.is_empty() {
            return Err(CodecError::InvalidValue {
                what,
                reason: "no data group hash",
            });
        }

        let version_info = match reader.next_tlv()? {
            Some(info) if version == 1 => Some(decode_version_info(info)?),
            Some(_) => {
                return Err(CodecError::InvalidValue {
                    what,
                    reason: "version 0 must not carry ldsVersionInfo",
                })
            }
            None if version == 1 => {
                return Err(CodecError::Missing {
                    what: "LDSSecurityObject ldsVersionInfo (version 1)",
                    tag: SEQUENCE.0,
                })
            }
            None => None,
        };
        reader.finish()?;
        Ok(Self {
            version,
            hash_algorithm,
            hashes,
            version_info,
        })
    }

    /// Encodes the object in DER.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        tlv::write_constructed(&mut out, SEQUENCE, |body| {
            asn1::write_unsigned(body, u64::from(self.version));
            self.hash_algorithm.encode_identifier(body);
            tlv::write_constructed(body, SEQUENCE, |entries| {
                for (number, hash) in &self.hashes {
                    tlv::write_constructed(entries, SEQUENCE, |entry| {
                        asn1::write_unsigned(entry, u64::from(*number));
                        tlv::write_tlv(entry, OCTET_STRING, hash);
                    });
                }
            });
            if let Some(info) = &self.version_info {
                tlv::write_constructed(body, SEQUENCE, |fields| {
                    tlv::write_tlv(fields, PRINTABLE_STRING, info.lds_version.as_bytes());
                    tlv::write_tlv(fields, PRINTABLE_STRING, info.unicode_version.as_bytes());
                });
            }
        });
        out
    }
}

fn decode_version_info(tlv: Tlv<'_>) -> Result<LdsVersionInfo, CodecError> {
    let what = "LDSVersionInfo";
    let mut fields = asn1::sequence(tlv, what)?;
    let mut printable = || -> Result<String, CodecError> {
        let value = fields.expect(PRINTABLE_STRING)?.value;
        String::from_utf8(value.to_vec())
            .ok()
            .filter(|text| text.bytes().all(|b| b.is_ascii_graphic() || b == b' '))
            .ok_or(CodecError::InvalidValue {
                what,
                reason: "not a PrintableString",
            })
    };
    let lds_version = printable()?;
    let unicode_version = printable()?;
    fields.finish()?;
    Ok(LdsVersionInfo {
        lds_version,
        unicode_version,
    })
}

/// Checks that EF.CardSecurity's content is a `SET OF SecurityInfo`, each a
/// SEQUENCE that starts with a protocol OID, and returns the OIDs in order.
pub fn decode_security_info_protocols(bytes: &[u8]) -> Result<Vec<Oid>, CodecError> {
    let what = "SecurityInfos";
    let set = Tlv::decode_expected(bytes, SET, what)?;
    let mut protocols = Vec::new();
    let mut reader = set.children(what);
    while let Some(info) = reader.next_tlv()? {
        let mut fields = asn1::sequence(info, "SecurityInfo")?;
        protocols.push(Oid::decode(fields.expect(OBJECT_IDENTIFIER)?)?);
    }
    if protocols.is_empty() {
        return Err(CodecError::InvalidValue {
            what,
            reason: "empty SET",
        });
    }
    Ok(protocols)
}

/// Decodes `CscaMasterList ::= SEQUENCE { version INTEGER (v0), certList SET
/// OF Certificate }` and returns the raw certificates.
pub fn decode_master_list(bytes: &[u8]) -> Result<Vec<&[u8]>, CodecError> {
    let what = "CscaMasterList";
    let mut reader = asn1::sequence(Tlv::decode_all(bytes, what)?, what)?;
    if asn1::read_small_unsigned(reader.expect(INTEGER)?, what)? != 0 {
        return Err(CodecError::InvalidValue {
            what,
            reason: "version is not 0",
        });
    }
    let mut certificates = Vec::new();
    let mut list = reader.expect(SET)?.children("CscaMasterList certList");
    while let Some(certificate) = list.next_tlv()? {
        certificates.push(certificate.expect_tag(SEQUENCE, "CscaMasterList certList")?.raw);
    }
    reader.finish()?;
    Ok(certificates)
}

/// Encodes a `CscaMasterList` version 0 from raw certificates.
pub fn encode_master_list<'c>(certificates: impl IntoIterator<Item = &'c [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    tlv::write_constructed(&mut out, SEQUENCE, |body| {
        asn1::write_unsigned(body, 0);
        tlv::write_constructed(body, SET, |list| {
            for certificate in certificates {
                list.extend_from_slice(certificate);
            }
        });
    });
    out
}

/// Returns the OID of an eContentType given in dotted notation; the constants
/// of this module are valid, so this only fails on caller input.
pub fn content_type(dotted: &str) -> Result<Oid, CodecError> {
    Oid::parse(dotted)
}
