//! CMS `SignedData` (RFC 5652 §5) as ICAO 9303-10 §4.6.2 and TR-03110-3
//! §A.1.2 use it: a `ContentInfo` that wraps one `SignedData`, optionally
//! inside the application tag `77` of EF.SOD.
//!
//! The decoder keeps borrowed slices of the input: the raw signed attributes
//! for the signature check, the raw certificates for X.509 parsing, and the
//! eContent octets for the `messageDigest` check.

use std::borrow::Cow;

use crate::asn1::{self, Oid, INTEGER, OBJECT_IDENTIFIER, OCTET_STRING, SEQUENCE, SET};
use crate::error::CodecError;
use crate::tlv::{Reader, Tag, Tlv};

use super::algorithm::AlgorithmIdentifier;

/// The application tag that wraps the `ContentInfo` in EF.SOD (ICAO 9303-10 §4.6.2).
pub const SOD_TAG: Tag = Tag(0x77);

pub const ID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
pub const ID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
pub const ID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
pub const ID_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";

/// Maximum number of segments of a constructed OCTET STRING that the decoder
/// joins, so that a hostile input cannot force many small allocations.
const MAX_OCTET_STRING_SEGMENTS: usize = 4096;

/// A decoded `SignedData`.
#[derive(Clone, Debug)]
pub struct SignedData<'a> {
    /// 1, 3, 4 or 5 (RFC 5652 §5.1).
    pub version: u64,
    pub digest_algorithms: Vec<AlgorithmIdentifier<'a>>,
    /// `eContentType`.
    pub content_type: Oid,
    /// The octets of `eContent`, joined when BER sends them in segments.
    pub content: Cow<'a, [u8]>,
    /// Each `Certificate` of `certificates [0]` as its raw encoding. Other
    /// `CertificateChoices` (attribute certificates) are skipped.
    pub certificates: Vec<&'a [u8]>,
    pub signer_infos: Vec<SignerInfo<'a>>,
}

/// How a SignerInfo names its certificate (RFC 5652 §5.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignerIdentifier<'a> {
    IssuerAndSerialNumber {
        /// The raw encoding of the issuer `Name`.
        issuer: &'a [u8],
        /// The contents octets of the serial number `INTEGER`.
        serial: &'a [u8],
    },
    SubjectKeyIdentifier(&'a [u8]),
}

/// One `SignerInfo`.
#[derive(Clone, Debug)]
pub struct SignerInfo<'a> {
    /// 1 (issuer and serial number) or 3 (subject key identifier).
    pub version: u64,
    pub sid: SignerIdentifier<'a>,
    pub digest_algorithm: AlgorithmIdentifier<'a>,
    pub signed_attributes: Option<SignedAttributes<'a>>,
    pub signature_algorithm: AlgorithmIdentifier<'a>,
    pub signature: &'a [u8],
}

/// The `signedAttrs` of a SignerInfo, with the bytes as received.
#[derive(Clone, Debug)]
pub struct SignedAttributes<'a> {
    /// The whole `[0] IMPLICIT` encoding.
    raw: &'a [u8],
    pub attributes: Vec<Attribute<'a>>,
}

/// One `Attribute`: a type and its `SET OF` values.
#[derive(Clone, Debug)]
pub struct Attribute<'a> {
    pub oid: Oid,
    pub values: Vec<Tlv<'a>>,
}

impl<'a> SignedAttributes<'a> {
    /// Returns the bytes the signature covers: the received encoding with its
    /// `[0]` tag replaced by the `SET OF` tag, as RFC 5652 §5.4 says.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut bytes = self.raw.to_vec();
        if let Some(first) = bytes.first_mut() {
            *first = SET.0 as u8;
        }
        bytes
    }

    /// Returns the single value of the attribute `dotted`. It fails if the
    /// attribute appears twice or with other than one value (RFC 5652 §5.3),
    /// and returns `None` if it is absent.
    pub fn single_value(&self, dotted: &str, what: &'static str) -> Result<Option<Tlv<'a>>, CodecError> {
        let oid = Oid::parse(dotted)?;
        let mut found = self.attributes.iter().filter(|attribute| attribute.oid == oid);
        let Some(attribute) = found.next() else {
            return Ok(None);
        };
        if found.next().is_some() {
            return Err(CodecError::InvalidValue {
                what,
                reason: "attribute appears more than once",
            });
        }
        match attribute.values.as_slice() {
            [value] => Ok(Some(*value)),
            _ => Err(CodecError::InvalidValue {
                what,
                reason: "attribute must have exactly one value",
            }),
        }
    }
}

/// Decodes EF.SOD, EF.CardSecurity or a master list: a `ContentInfo` holding
/// `SignedData`, with or without the `77` wrapper. Trailing bytes after either
/// layer and indefinite lengths are rejected.
pub fn decode_signed_data(bytes: &[u8]) -> Result<SignedData<'_>, CodecError> {
    let outer = Tlv::decode_all(bytes, "EF.SOD")?;
    let content_info = if outer.tag == SOD_TAG {
        Tlv::decode_all(outer.value, "ContentInfo")?
    } else {
        outer
    };
    let mut reader = asn1::sequence(content_info, "ContentInfo")?;
    let content_type = Oid::decode(reader.expect(OBJECT_IDENTIFIER)?)?;
    if content_type != Oid::parse(ID_SIGNED_DATA)? {
        return Err(CodecError::InvalidValue {
            what: "ContentInfo",
            reason: "contentType is not id-signedData",
        });
    }
    let explicit = reader.expect(asn1::context_constructed(0))?;
    reader.finish()?;
    let signed_data = Tlv::decode_all(explicit.value, "SignedData")?;
    decode_signed_data_body(signed_data)
}

fn decode_signed_data_body(tlv: Tlv<'_>) -> Result<SignedData<'_>, CodecError> {
    let what = "SignedData";
    let mut reader = asn1::sequence(tlv, what)?;
    let version = asn1::read_small_unsigned(reader.expect(INTEGER)?, what)?;
    if !matches!(version, 1 | 3 | 4 | 5) {
        return Err(CodecError::InvalidValue {
            what,
            reason: "version is not 1, 3, 4 or 5",
        });
    }

    let mut digest_algorithms = Vec::new();
    let mut algorithms = reader.expect(SET)?.children("SignedData digestAlgorithms");
    while let Some(algorithm) = algorithms.next_tlv()? {
        digest_algorithms.push(AlgorithmIdentifier::decode(algorithm, "SignedData digestAlgorithms")?);
    }

    let (content_type, content) = decode_encapsulated_content(reader.expect(SEQUENCE)?)?;

    let mut certificates = Vec::new();
    if let Some(set) = reader.optional(asn1::context_constructed(0))? {
        let mut choices = set.children("SignedData certificates");
        while let Some(choice) = choices.next_tlv()? {
            if choice.tag == SEQUENCE {
                certificates.push(choice.raw);
            }
        }
    }
    // Revocation information [1] is not used by ICAO or TR-03110 and is skipped.
    reader.optional(asn1::context_constructed(1))?;

    let mut signer_infos = Vec::new();
    let mut signers = reader.expect(SET)?.children("SignerInfos");
    while let Some(signer) = signers.next_tlv()? {
        signer_infos.push(decode_signer_info(signer)?);
    }
    reader.finish()?;
    Ok(SignedData {
        version,
        digest_algorithms,
        content_type,
        content,
        certificates,
        signer_infos,
    })
}

fn decode_encapsulated_content(tlv: Tlv<'_>) -> Result<(Oid, Cow<'_, [u8]>), CodecError> {
    let what = "EncapsulatedContentInfo";
    let mut reader = tlv.children(what);
    let content_type = Oid::decode(reader.expect(OBJECT_IDENTIFIER)?)?;
    let explicit = reader
        .optional(asn1::context_constructed(0))?
        .ok_or(CodecError::Missing {
            what: "EncapsulatedContentInfo eContent (detached content is not supported)",
            tag: 0xA0,
        })?;
    reader.finish()?;
    let octets = Tlv::decode_all(explicit.value, "eContent")?;
    Ok((content_type, octet_string_contents(octets, "eContent")?))
}

/// Returns the contents of an OCTET STRING, joining the segments of the
/// constructed form (X.690 §8.7.3) that BER allows.
fn octet_string_contents<'a>(tlv: Tlv<'a>, what: &'static str) -> Result<Cow<'a, [u8]>, CodecError> {
    const CONSTRUCTED_OCTET_STRING: Tag = Tag(0x24);
    if tlv.tag == OCTET_STRING {
        return Ok(Cow::Borrowed(tlv.value));
    }
    if tlv.tag != CONSTRUCTED_OCTET_STRING {
        return Err(CodecError::UnexpectedTag {
            what,
            expected: OCTET_STRING.0,
            found: tlv.tag.0,
        });
    }
    let mut joined = Vec::with_capacity(tlv.value.len());
    let mut segments = Reader::new(tlv.value, what);
    let mut count = 0;
    while let Some(segment) = segments.next_tlv()? {
        count += 1;
        if count > MAX_OCTET_STRING_SEGMENTS {
            return Err(CodecError::InvalidValue {
                what,
                reason: "too many OCTET STRING segments",
            });
        }
        // X.690 §8.7.3.2 allows only primitive segments inside one level.
        joined.extend_from_slice(segment.expect_tag(OCTET_STRING, what)?.value);
    }
    Ok(Cow::Owned(joined))
}

fn decode_signer_info(tlv: Tlv<'_>) -> Result<SignerInfo<'_>, CodecError> {
    let what = "SignerInfo";
    let mut reader = asn1::sequence(tlv, what)?;
    let version = asn1::read_small_unsigned(reader.expect(INTEGER)?, what)?;
    if !matches!(version, 1 | 3) {
        return Err(CodecError::InvalidValue {
            what,
            reason: "version is not 1 or 3",
        });
    }
    let sid_tlv = reader.read()?;
    let sid = if sid_tlv.tag == SEQUENCE {
        let mut fields = sid_tlv.children("IssuerAndSerialNumber");
        let issuer = fields.expect(SEQUENCE)?.raw;
        let serial = fields.expect(INTEGER)?.value;
        fields.finish()?;
        SignerIdentifier::IssuerAndSerialNumber { issuer, serial }
    } else if sid_tlv.tag == asn1::context_primitive(0) {
        SignerIdentifier::SubjectKeyIdentifier(sid_tlv.value)
    } else {
        return Err(CodecError::UnexpectedTag {
            what: "SignerIdentifier",
            expected: SEQUENCE.0,
            found: sid_tlv.tag.0,
        });
    };
    let digest_algorithm = AlgorithmIdentifier::decode(reader.expect(SEQUENCE)?, "SignerInfo digestAlgorithm")?;
    let signed_attributes = reader
        .optional(asn1::context_constructed(0))?
        .map(decode_signed_attributes)
        .transpose()?;
    let signature_algorithm = AlgorithmIdentifier::decode(reader.expect(SEQUENCE)?, "SignerInfo signatureAlgorithm")?;
    let signature = reader.expect(OCTET_STRING)?.value;
    // unsignedAttrs [1] carry nothing that Passive Authentication uses.
    reader.optional(asn1::context_constructed(1))?;
    reader.finish()?;
    Ok(SignerInfo {
        version,
        sid,
        digest_algorithm,
        signed_attributes,
        signature_algorithm,
        signature,
    })
}

fn decode_signed_attributes(tlv: Tlv<'_>) -> Result<SignedAttributes<'_>, CodecError> {
    let what = "SignedAttributes";
    let mut attributes = Vec::new();
    let mut reader = tlv.children(what);
    while let Some(attribute) = reader.next_tlv()? {
        let mut fields = asn1::sequence(attribute, "Attribute")?;
        let oid = Oid::decode(fields.expect(OBJECT_IDENTIFIER)?)?;
        let values = fields.expect(SET)?.children("Attribute values").collect_all()?;
        fields.finish()?;
        attributes.push(Attribute { oid, values });
    }
    if attributes.is_empty() {
        return Err(CodecError::InvalidValue {
            what,
            reason: "present but empty",
        });
    }
    Ok(SignedAttributes {
        raw: tlv.raw,
        attributes,
    })
}
