//! Helpers for the ASN.1 DER structures of ICAO 9303 and TR-03110 (security
//! infos, CMS, certificates), read through the BER-TLV reader of [`crate::tlv`].

use std::fmt;

use crate::error::CodecError;
use crate::tlv::{self, Reader, Tag, Tlv};

pub const BOOLEAN: Tag = Tag(0x01);
pub const INTEGER: Tag = Tag(0x02);
pub const BIT_STRING: Tag = Tag(0x03);
pub const OCTET_STRING: Tag = Tag(0x04);
pub const NULL: Tag = Tag(0x05);
pub const OBJECT_IDENTIFIER: Tag = Tag(0x06);
pub const UTF8_STRING: Tag = Tag(0x0C);
pub const PRINTABLE_STRING: Tag = Tag(0x13);
pub const UTC_TIME: Tag = Tag(0x17);
pub const GENERALIZED_TIME: Tag = Tag(0x18);
pub const SEQUENCE: Tag = Tag(0x30);
pub const SET: Tag = Tag(0x31);

/// Context-specific tag `[n]`, constructed.
pub const fn context_constructed(n: u8) -> Tag {
    Tag(0xA0 | n as u32)
}

/// Context-specific tag `[n]`, primitive.
pub const fn context_primitive(n: u8) -> Tag {
    Tag(0x80 | n as u32)
}

/// An object identifier, kept in its DER contents form.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Oid(Vec<u8>);

impl Oid {
    /// Builds an OID from its arcs. Panics on fewer than two arcs or a first
    /// arc above 2: meant for constants written in the source, not for input.
    pub fn from_arcs(arcs: &[u64]) -> Self {
        let [first, second, rest @ ..] = arcs else {
            panic!("an OID needs at least two arcs");
        };
        assert!(*first <= 2, "the first arc of an OID is 0, 1 or 2");
        let mut out = Vec::new();
        push_base128(first * 40 + second, &mut out);
        for &arc in rest {
            push_base128(arc, &mut out);
        }
        Self(out)
    }

    /// Parses dotted notation such as `0.4.0.127.0.7.2.2.4.2.2`.
    pub fn parse(dotted: &str) -> Result<Self, CodecError> {
        let invalid = CodecError::InvalidValue {
            what: "object identifier",
            reason: "not in dotted notation",
        };
        let arcs = dotted
            .split('.')
            .map(|arc| arc.parse::<u64>().map_err(|_| invalid.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        match arcs.as_slice() {
            [first @ 0..=1, second, ..] if *second < 40 && *first <= 1 => {}
            [2, _, ..] => {}
            _ => return Err(invalid),
        }
        Ok(Self::from_arcs(&arcs))
    }

    /// Takes the contents octets of an OBJECT IDENTIFIER, checking that every
    /// arc is minimally encoded and complete.
    pub fn from_der_contents(bytes: &[u8]) -> Result<Self, CodecError> {
        let what = "object identifier";
        if bytes.is_empty() {
            return Err(CodecError::InvalidValue { what, reason: "empty" });
        }
        let mut starts_arc = true;
        for &byte in bytes {
            if starts_arc && byte == 0x80 {
                return Err(CodecError::InvalidValue {
                    what,
                    reason: "arc not minimally encoded",
                });
            }
            starts_arc = byte & 0x80 == 0;
        }
        if !starts_arc {
            return Err(CodecError::Truncated { what });
        }
        Ok(Self(bytes.to_vec()))
    }

    /// Decodes a whole `06 len contents` object.
    pub fn decode(tlv: Tlv<'_>) -> Result<Self, CodecError> {
        Self::from_der_contents(tlv.expect_tag(OBJECT_IDENTIFIER, "object identifier")?.value)
    }

    /// Returns the contents octets.
    pub fn as_der_contents(&self) -> &[u8] {
        &self.0
    }

    /// Appends the full encoding `06 len contents`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        tlv::write_tlv(out, OBJECT_IDENTIFIER, &self.0);
    }

    pub fn to_der(&self) -> Vec<u8> {
        tlv::tlv(OBJECT_IDENTIFIER, &self.0)
    }

    /// Returns the arcs; an arc too large for 64 bits saturates.
    pub fn arcs(&self) -> Vec<u64> {
        let mut arcs = Vec::new();
        let mut value: u64 = 0;
        for &byte in &self.0 {
            value = value.saturating_mul(128).saturating_add(u64::from(byte & 0x7F));
            if byte & 0x80 == 0 {
                if arcs.is_empty() {
                    let first = (value / 40).min(2);
                    arcs.push(first);
                    arcs.push(value - first * 40);
                } else {
                    arcs.push(value);
                }
                value = 0;
            }
        }
        arcs
    }

    /// Tells whether `self` lies under `prefix` (or equals it).
    pub fn starts_with(&self, prefix: &Oid) -> bool {
        self.0.starts_with(&prefix.0)
            && (self.0.len() == prefix.0.len() || prefix.0.last().is_some_and(|b| b & 0x80 == 0))
    }
}

fn push_base128(mut value: u64, out: &mut Vec<u8>) {
    let mut groups = vec![(value & 0x7F) as u8];
    value >>= 7;
    while value != 0 {
        groups.push((value & 0x7F) as u8 | 0x80);
        value >>= 7;
    }
    out.extend(groups.iter().rev());
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let arcs = self.arcs();
        let parts: Vec<String> = arcs.iter().map(u64::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

impl fmt::Debug for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({self})")
    }
}

/// Reads a non-negative INTEGER that fits in 64 bits.
pub fn read_small_unsigned(tlv: Tlv<'_>, what: &'static str) -> Result<u64, CodecError> {
    let bytes = tlv.expect_tag(INTEGER, what)?.value;
    match bytes {
        [] => Err(CodecError::InvalidValue {
            what,
            reason: "empty INTEGER",
        }),
        [first, ..] if first & 0x80 != 0 => Err(CodecError::InvalidValue {
            what,
            reason: "negative INTEGER",
        }),
        [0, second, ..] if second & 0x80 == 0 => Err(CodecError::InvalidValue {
            what,
            reason: "INTEGER not minimally encoded",
        }),
        _ => {
            let significant = bytes.strip_prefix(&[0]).unwrap_or(bytes);
            if significant.len() > 8 {
                return Err(CodecError::InvalidValue {
                    what,
                    reason: "INTEGER too large",
                });
            }
            Ok(significant.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
        }
    }
}

/// Appends a non-negative INTEGER in minimal DER form.
pub fn write_unsigned(out: &mut Vec<u8>, value: u64) {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count().min(7);
    let significant = bytes.get(skip..).unwrap_or(&[0]);
    let mut contents = Vec::with_capacity(9);
    if significant.first().is_some_and(|b| b & 0x80 != 0) {
        contents.push(0);
    }
    contents.extend_from_slice(significant);
    tlv::write_tlv(out, INTEGER, &contents);
}

/// Reads the elements of a SEQUENCE.
pub fn sequence<'a>(tlv: Tlv<'a>, what: &'static str) -> Result<Reader<'a>, CodecError> {
    Ok(tlv.expect_tag(SEQUENCE, what)?.children(what))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oid_round_trips_through_dotted_notation() {
        for dotted in [
            "0.4.0.127.0.7.2.2.4.2.2",
            "2.23.136.1.1.1",
            "1.2.840.10045.4.3.2",
            "2.999.3",
            "1.3.36.3.3.2.8.1.1.7",
        ] {
            let oid = Oid::parse(dotted).unwrap();
            assert_eq!(oid.to_string(), dotted);
            assert_eq!(Oid::from_der_contents(oid.as_der_contents()).unwrap(), oid);
        }
        assert_eq!(
            Oid::parse("0.4.0.127.0.7.2.2.4.2.2").unwrap().as_der_contents(),
            &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02, 0x02]
        );
    }

    #[test]
    fn oid_rejects_bad_encodings() {
        assert!(Oid::from_der_contents(&[]).is_err());
        assert!(Oid::from_der_contents(&[0x2A, 0x80, 0x01]).is_err());
        assert!(Oid::from_der_contents(&[0x2A, 0x86]).is_err());
        assert!(Oid::parse("3.1").is_err());
        assert!(Oid::parse("1.40").is_err());
        assert!(Oid::parse("1").is_err());
        assert!(Oid::parse("1.2.x").is_err());
    }

    #[test]
    fn prefix_match_respects_arc_boundaries() {
        let pace = Oid::parse("0.4.0.127.0.7.2.2.4").unwrap();
        assert!(Oid::parse("0.4.0.127.0.7.2.2.4.2.2").unwrap().starts_with(&pace));
        assert!(!Oid::parse("0.4.0.127.0.7.2.2.3.2.2").unwrap().starts_with(&pace));
    }

    #[test]
    fn small_integers_round_trip() {
        for value in [0u64, 1, 127, 128, 255, 256, 65535, u64::MAX] {
            let mut out = Vec::new();
            write_unsigned(&mut out, value);
            let tlv = Tlv::decode_all(&out, "integer").unwrap();
            assert_eq!(read_small_unsigned(tlv, "integer").unwrap(), value);
        }
        let negative = Tlv::decode_all(&[0x02, 0x01, 0x80], "integer").unwrap();
        assert!(read_small_unsigned(negative, "integer").is_err());
        let padded = Tlv::decode_all(&[0x02, 0x02, 0x00, 0x01], "integer").unwrap();
        assert!(read_small_unsigned(padded, "integer").is_err());
    }
}
