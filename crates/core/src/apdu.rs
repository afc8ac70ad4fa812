//! Command and response APDUs as ISO/IEC 7816-4 §5.1 and §5.3 define them,
//! in short and extended length.
//!
//! `Le` is kept as the number of bytes expected, so `Some(256)` is the short
//! form `00` and `Some(65536)` the extended form `00 00`.

use std::fmt;

use zeroize::Zeroize;

use crate::error::CodecError;

/// The two bytes SW1 SW2 that end every response.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusWord(pub u16);

impl StatusWord {
    pub const SUCCESS: Self = Self(0x9000);
    /// Warning: end of file reached before `Le` bytes were read.
    pub const END_OF_FILE: Self = Self(0x6282);
    pub const WRONG_LENGTH: Self = Self(0x6700);
    pub const LOGICAL_CHANNEL_NOT_SUPPORTED: Self = Self(0x6881);
    pub const SM_NOT_SUPPORTED: Self = Self(0x6882);
    /// The card expected the last command of a chain (CLA b5 clear).
    pub const LAST_COMMAND_EXPECTED: Self = Self(0x6883);
    pub const COMMAND_CHAINING_NOT_SUPPORTED: Self = Self(0x6884);
    pub const SECURITY_STATUS_NOT_SATISFIED: Self = Self(0x6982);
    /// Authentication method blocked (a PIN after its last wrong try).
    pub const AUTHENTICATION_BLOCKED: Self = Self(0x6983);
    /// Reference data not usable (a deactivated PIN).
    pub const REFERENCE_DATA_NOT_USABLE: Self = Self(0x6984);
    pub const CONDITIONS_NOT_SATISFIED: Self = Self(0x6985);
    pub const COMMAND_NOT_ALLOWED: Self = Self(0x6986);
    pub const SM_DATA_OBJECTS_MISSING: Self = Self(0x6987);
    pub const SM_DATA_OBJECTS_INCORRECT: Self = Self(0x6988);
    pub const INCORRECT_DATA: Self = Self(0x6A80);
    pub const FUNCTION_NOT_SUPPORTED: Self = Self(0x6A81);
    pub const FILE_NOT_FOUND: Self = Self(0x6A82);
    pub const INCORRECT_P1_P2: Self = Self(0x6A86);
    pub const REFERENCED_DATA_NOT_FOUND: Self = Self(0x6A88);
    /// Offset outside the file (wrong parameters P1-P2).
    pub const WRONG_P1_P2: Self = Self(0x6B00);
    pub const INS_NOT_SUPPORTED: Self = Self(0x6D00);
    pub const CLA_NOT_SUPPORTED: Self = Self(0x6E00);
    pub const UNKNOWN: Self = Self(0x6F00);

    pub fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }

    pub fn sw2(self) -> u8 {
        self.0 as u8
    }

    pub fn is_success(self) -> bool {
        self == Self::SUCCESS
    }

    /// Returns the tries left that a `63 Cx` warning carries.
    pub fn retries_left(self) -> Option<u8> {
        (self.0 & 0xFFF0 == 0x63C0).then_some(self.sw2() & 0x0F)
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StatusWord({:04X})", self.0)
    }
}

/// Which length encoding a command uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LengthForm {
    Short,
    Extended,
}

/// A command APDU. The data field is wiped on drop because it may carry a
/// plaintext body before secure messaging wraps it.
#[derive(Clone, PartialEq, Eq)]
pub struct CommandApdu {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    pub data: Vec<u8>,
    /// Bytes expected in the response: 1..=256 in short form, 1..=65536 in extended form.
    pub le: Option<usize>,
}

impl CommandApdu {
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
        }
    }

    #[must_use]
    pub fn with_data(mut self, data: Vec<u8>) -> Self {
        self.data = data;
        self
    }

    #[must_use]
    pub fn with_le(mut self, le: usize) -> Self {
        self.le = Some(le);
        self
    }

    /// Returns the shortest form that can carry this command.
    pub fn required_form(&self) -> LengthForm {
        if self.data.len() > 255 || self.le.is_some_and(|le| le > 256) {
            LengthForm::Extended
        } else {
            LengthForm::Short
        }
    }

    /// Encodes the command in the given form. Extended form is used only when
    /// asked for or when short form cannot carry the command.
    pub fn encode(&self, form: LengthForm) -> Result<Vec<u8>, CodecError> {
        let what = "command APDU";
        if self.data.len() > 65535 {
            return Err(CodecError::LengthTooLarge { what });
        }
        if let Some(le) = self.le {
            if le == 0 || le > 65536 {
                return Err(CodecError::InvalidValue {
                    what,
                    reason: "Le must be 1 to 65536",
                });
            }
        }
        let form = if self.required_form() == LengthForm::Extended {
            LengthForm::Extended
        } else {
            form
        };
        let has_data = !self.data.is_empty();
        let mut out = Vec::with_capacity(self.data.len() + 9);
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        match form {
            LengthForm::Short => {
                if has_data {
                    out.push(self.data.len() as u8);
                    out.extend_from_slice(&self.data);
                }
                if let Some(le) = self.le {
                    out.push(if le == 256 { 0 } else { le as u8 });
                }
            }
            LengthForm::Extended => {
                if has_data {
                    out.push(0);
                    out.extend_from_slice(&(self.data.len() as u16).to_be_bytes());
                    out.extend_from_slice(&self.data);
                }
                if let Some(le) = self.le {
                    let encoded = if le == 65536 { 0 } else { le as u16 };
                    if !has_data {
                        out.push(0);
                    }
                    out.extend_from_slice(&encoded.to_be_bytes());
                }
            }
        }
        Ok(out)
    }

    /// Decodes a command APDU of any of the seven cases (1, 2S, 3S, 4S, 2E,
    /// 3E, 4E), rejecting every other length layout.
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let what = "command APDU";
        let (header, body) = match bytes {
            [cla, ins, p1, p2, body @ ..] => ([*cla, *ins, *p1, *p2], body),
            _ => return Err(CodecError::Truncated { what }),
        };
        let [cla, ins, p1, p2] = header;
        let mut command = Self::new(cla, ins, p1, p2);
        let invalid = CodecError::InvalidValue {
            what,
            reason: "length fields do not match the body",
        };
        match body {
            [] => {}
            [le] => command.le = Some(if *le == 0 { 256 } else { usize::from(*le) }),
            [0, high, low, rest @ ..] => {
                // Extended length: 00 then a two-byte Lc, or a two-byte Le alone.
                let first = usize::from(u16::from_be_bytes([*high, *low]));
                if rest.is_empty() {
                    command.le = Some(if first == 0 { 65536 } else { first });
                } else {
                    let (data, trailer) = rest
                        .split_at_checked(first)
                        .filter(|_| first > 0)
                        .ok_or(invalid.clone())?;
                    command.data = data.to_vec();
                    match trailer {
                        [] => {}
                        [a, b] => {
                            let le = usize::from(u16::from_be_bytes([*a, *b]));
                            command.le = Some(if le == 0 { 65536 } else { le });
                        }
                        _ => return Err(invalid),
                    }
                }
            }
            [lc, rest @ ..] => {
                let lc = usize::from(*lc);
                let (data, trailer) = rest.split_at_checked(lc).filter(|_| lc > 0).ok_or(invalid.clone())?;
                command.data = data.to_vec();
                match trailer {
                    [] => {}
                    [le] => command.le = Some(if *le == 0 { 256 } else { usize::from(*le) }),
                    _ => return Err(invalid),
                }
            }
        }
        Ok(command)
    }
}

impl Drop for CommandApdu {
    fn drop(&mut self) {
        self.data.zeroize();
    }
}

impl fmt::Debug for CommandApdu {
    /// Prints the header and lengths only, never the data field.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CommandApdu({:02X} {:02X} {:02X} {:02X}, {} data bytes, Le {:?})",
            self.cla,
            self.ins,
            self.p1,
            self.p2,
            self.data.len(),
            self.le
        )
    }
}

/// A response APDU. The data field is wiped on drop because after secure
/// messaging it holds decrypted card data.
#[derive(Clone, PartialEq, Eq)]
pub struct ResponseApdu {
    pub data: Vec<u8>,
    pub sw: StatusWord,
}

impl ResponseApdu {
    pub fn new(data: Vec<u8>, sw: StatusWord) -> Self {
        Self { data, sw }
    }

    /// A response with no data.
    pub fn status(sw: StatusWord) -> Self {
        Self { data: Vec::new(), sw }
    }

    /// Splits received bytes into data and the status word.
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        match bytes {
            [data @ .., sw1, sw2] => Ok(Self {
                data: data.to_vec(),
                sw: StatusWord(u16::from_be_bytes([*sw1, *sw2])),
            }),
            _ => Err(CodecError::Truncated { what: "response APDU" }),
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 2);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.sw.0.to_be_bytes());
        out
    }
}

impl Drop for ResponseApdu {
    fn drop(&mut self) {
        self.data.zeroize();
    }
}

impl fmt::Debug for ResponseApdu {
    /// Prints the status word and length only, never the data field.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResponseApdu({} data bytes, SW {})", self.data.len(), self.sw)
    }
}

#[cfg(test)]
mod tests;
