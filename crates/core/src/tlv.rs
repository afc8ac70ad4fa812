//! BER-TLV as ISO/IEC 7816-4 §5.2 and X.690 §8.1 define it.
//!
//! The reader is bounded and total: every length is checked against the bytes
//! that remain, indefinite lengths are rejected, and no input makes it panic.
//! It accepts any definite length form, including non-minimal long forms such
//! as `82 00 10`, because BER allows them and real documents use them; callers
//! that need DER check [`Tlv::is_minimal_length`] themselves.

use std::fmt;

use crate::error::CodecError;

/// A BER tag, stored as its encoded bytes read as a big-endian number
/// (`0x7F49` for the public key template, `0x5F2E` for biometric data).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(pub u32);

impl Tag {
    /// Returns the first (or only) byte of the encoded tag.
    fn first_byte(self) -> u8 {
        let bytes = self.0.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count().min(3);
        bytes.get(skip).copied().unwrap_or(0)
    }

    /// Tells whether the tag marks a constructed encoding (bit 6 of the first byte).
    pub fn is_constructed(self) -> bool {
        self.first_byte() & 0x20 != 0
    }

    /// Returns the class bits (b8 b7) of the first byte: 0 universal,
    /// 1 application, 2 context-specific, 3 private.
    pub fn class(self) -> u8 {
        self.first_byte() >> 6
    }

    /// Appends the encoded tag to `out`.
    pub fn encode(self, out: &mut Vec<u8>) {
        let bytes = self.0.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count().min(3);
        out.extend_from_slice(bytes.get(skip..).unwrap_or(&[0]));
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({:02X})", self.0)
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02X}", self.0)
    }
}

/// One decoded data object. `value` and `raw` borrow from the input.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub tag: Tag,
    /// The contents octets.
    pub value: &'a [u8],
    /// The whole encoding: tag, length and value.
    pub raw: &'a [u8],
    /// How many length octets the encoding used.
    length_octets: usize,
}

impl<'a> Tlv<'a> {
    /// Decodes exactly one data object from `data`; trailing bytes are an error
    /// that names `what`.
    pub fn decode_all(data: &'a [u8], what: &'static str) -> Result<Self, CodecError> {
        let mut reader = Reader::new(data, what);
        let tlv = reader.read()?;
        reader.finish()?;
        Ok(tlv)
    }

    /// Decodes exactly one data object with the expected tag.
    pub fn decode_expected(data: &'a [u8], tag: Tag, what: &'static str) -> Result<Self, CodecError> {
        let tlv = Self::decode_all(data, what)?;
        tlv.expect_tag(tag, what)
    }

    /// Fails unless the object carries `tag`.
    pub fn expect_tag(self, tag: Tag, what: &'static str) -> Result<Self, CodecError> {
        if self.tag == tag {
            Ok(self)
        } else {
            Err(CodecError::UnexpectedTag {
                what,
                expected: tag.0,
                found: self.tag.0,
            })
        }
    }

    /// Returns a reader over the contents of a constructed object.
    pub fn children(&self, what: &'static str) -> Reader<'a> {
        Reader::new(self.value, what)
    }

    /// Tells whether the length octets use the shortest form (a DER rule).
    pub fn is_minimal_length(&self) -> bool {
        let mut minimal = Vec::with_capacity(5);
        encode_length(self.value.len(), &mut minimal);
        self.length_octets == minimal.len()
    }
}

impl fmt::Debug for Tlv<'_> {
    /// Prints the tag and the length only: a value may be a decrypted body.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tlv({}, {} bytes)", self.tag, self.value.len())
    }
}

/// A cursor over a sequence of BER-TLV data objects.
#[derive(Clone)]
pub struct Reader<'a> {
    data: &'a [u8],
    position: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// Starts reading `data`; `what` names the structure in errors.
    pub fn new(data: &'a [u8], what: &'static str) -> Self {
        Self {
            data,
            position: 0,
            what,
        }
    }

    /// Tells whether every byte has been consumed.
    pub fn is_empty(&self) -> bool {
        self.position >= self.data.len()
    }

    /// Returns the bytes not read yet.
    pub fn remaining(&self) -> &'a [u8] {
        self.data.get(self.position..).unwrap_or(&[])
    }

    /// Fails if bytes are left over.
    pub fn finish(&self) -> Result<(), CodecError> {
        match self.remaining().len() {
            0 => Ok(()),
            count => Err(CodecError::TrailingBytes { what: self.what, count }),
        }
    }

    fn take_byte(&mut self) -> Result<u8, CodecError> {
        let byte = *self
            .data
            .get(self.position)
            .ok_or(CodecError::Truncated { what: self.what })?;
        self.position += 1;
        Ok(byte)
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], CodecError> {
        let end = self
            .position
            .checked_add(len)
            .ok_or(CodecError::LengthTooLarge { what: self.what })?;
        let bytes = self
            .data
            .get(self.position..end)
            .ok_or(CodecError::Truncated { what: self.what })?;
        self.position = end;
        Ok(bytes)
    }

    fn read_tag(&mut self) -> Result<Tag, CodecError> {
        let first = self.take_byte()?;
        let mut value = u32::from(first);
        if first & 0x1F == 0x1F {
            // High tag number form: subsequent bytes carry 7 bits each, b8 set
            // on all but the last. Three bytes in all is the ISO 7816 maximum.
            let mut count = 0;
            loop {
                let byte = self.take_byte()?;
                count += 1;
                if count > 2 {
                    return Err(CodecError::InvalidValue {
                        what: self.what,
                        reason: "tag longer than 3 bytes",
                    });
                }
                value = (value << 8) | u32::from(byte);
                if byte & 0x80 == 0 {
                    break;
                }
            }
        }
        Ok(Tag(value))
    }

    fn read_length(&mut self) -> Result<usize, CodecError> {
        let first = self.take_byte()?;
        match first {
            0x00..=0x7F => Ok(usize::from(first)),
            0x80 => Err(CodecError::IndefiniteLength { what: self.what }),
            0x81..=0x84 => {
                let count = usize::from(first & 0x7F);
                let mut length: usize = 0;
                for &byte in self.take(count)? {
                    length = (length << 8) | usize::from(byte);
                }
                Ok(length)
            }
            _ => Err(CodecError::LengthTooLarge { what: self.what }),
        }
    }

    /// Reads the next data object.
    pub fn read(&mut self) -> Result<Tlv<'a>, CodecError> {
        let start = self.position;
        let tag = self.read_tag()?;
        let length_start = self.position;
        let length = self.read_length()?;
        let length_octets = self.position - length_start;
        let value = self.take(length)?;
        let raw = self
            .data
            .get(start..self.position)
            .ok_or(CodecError::Truncated { what: self.what })?;
        Ok(Tlv {
            tag,
            value,
            raw,
            length_octets,
        })
    }

    /// Reads the next data object, or `None` at the end of the input.
    pub fn next_tlv(&mut self) -> Result<Option<Tlv<'a>>, CodecError> {
        if self.is_empty() {
            Ok(None)
        } else {
            self.read().map(Some)
        }
    }

    /// Reads the next data object and fails unless it carries `tag`.
    pub fn expect(&mut self, tag: Tag) -> Result<Tlv<'a>, CodecError> {
        let what = self.what;
        self.read()?.expect_tag(tag, what)
    }

    /// Reads the next data object if it carries `tag`, and leaves the cursor
    /// in place otherwise.
    pub fn optional(&mut self, tag: Tag) -> Result<Option<Tlv<'a>>, CodecError> {
        let mut lookahead = self.clone();
        match lookahead.next_tlv()? {
            Some(tlv) if tlv.tag == tag => {
                *self = lookahead;
                Ok(Some(tlv))
            }
            _ => Ok(None),
        }
    }

    /// Reads all remaining objects into a list, failing on the first bad one.
    pub fn collect_all(mut self) -> Result<Vec<Tlv<'a>>, CodecError> {
        let mut all = Vec::new();
        while let Some(tlv) = self.next_tlv()? {
            all.push(tlv);
        }
        Ok(all)
    }
}

/// Appends a definite length in the shortest form.
pub fn encode_length(len: usize, out: &mut Vec<u8>) {
    match len {
        0..=0x7F => out.push(len as u8),
        0x80..=0xFF => out.extend_from_slice(&[0x81, len as u8]),
        0x100..=0xFFFF => out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]),
        0x1_0000..=0xFF_FFFF => out.extend_from_slice(&[0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]),
        _ => {
            out.push(0x84);
            out.extend_from_slice(&(len as u32).to_be_bytes());
        }
    }
}

/// Appends one data object with the given value.
pub fn write_tlv(out: &mut Vec<u8>, tag: Tag, value: &[u8]) {
    tag.encode(out);
    encode_length(value.len(), out);
    out.extend_from_slice(value);
}

/// Returns one encoded data object.
pub fn tlv(tag: Tag, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 6);
    write_tlv(&mut out, tag, value);
    out
}

/// Appends a constructed data object whose contents `build` writes.
pub fn write_constructed(out: &mut Vec<u8>, tag: Tag, build: impl FnOnce(&mut Vec<u8>)) {
    let mut contents = Vec::new();
    build(&mut contents);
    write_tlv(out, tag, &contents);
}

#[cfg(test)]
mod tests;
