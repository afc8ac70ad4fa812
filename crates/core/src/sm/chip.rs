//! The chip side of a secure messaging session, for the virtual card.

use std::fmt;

use super::{decode_le, Channel, Objects, SessionKeys, TokenVerified};
use super::{SM_CLA_BITS, TAG_CRYPTOGRAM_EVEN, TAG_CRYPTOGRAM_ODD, TAG_LE, TAG_MAC, TAG_STATUS};
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::crypto::symmetric::AES_BLOCK_LEN;
use crate::crypto::Cipher;
use crate::error::{Error, ProtocolViolation, Result};
use crate::tlv;

/// The chip side of a secure messaging session: verifies and decrypts
/// commands and protects responses.
///
/// Every [`unprotect_command`](Self::unprotect_command) that succeeds must be
/// followed by one [`protect_response`](Self::protect_response). When
/// `unprotect_command` fails, the card sends the plain status word of
/// [`chip_error_status`] and the session ends, so later calls fail with
/// [`Error::ApiMisuse`].
pub struct ChipSecureMessaging {
    pub(super) channel: Channel,
    /// INS of the command whose response is due, if any.
    pending_ins: Option<u8>,
    closed: bool,
}

impl fmt::Debug for ChipSecureMessaging {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChipSecureMessaging")
            .field("cipher", &self.channel.keys.cipher)
            .field("ssc", &self.channel.ssc)
            .field("pending_ins", &self.pending_ins)
            .field("closed", &self.closed)
            .finish()
    }
}

impl ChipSecureMessaging {
    /// Starts a session with SSC 0. Fails unless the keys are AES keys.
    pub fn new(keys: SessionKeys, _proof: TokenVerified) -> Result<Self> {
        Ok(Self {
            channel: Channel::new(keys)?,
            pending_ins: None,
            closed: false,
        })
    }

    pub fn cipher(&self) -> Cipher {
        self.channel.keys.cipher
    }

    /// Returns the current send sequence counter.
    pub fn send_sequence_counter(&self) -> u128 {
        self.channel.ssc
    }

    /// Tells whether an error ended the session.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Verifies and decrypts a protected command and returns the plain one.
    ///
    /// Checks the following and fails, ending the session, if one does not
    /// hold:
    /// - the class byte has the secure messaging bits;
    /// - DO'8E is present and verifies;
    /// - the objects are known and in order, with DO'87 for an even INS and
    ///   DO'85 for an odd one;
    /// - DO'97, if present, has 1 or 2 bytes;
    /// - the decrypted data is correctly padded.
    ///
    /// The SSC is incremented exactly once.
    pub fn unprotect_command(&mut self, command: &CommandApdu) -> Result<CommandApdu> {
        if self.closed {
            return Err(Error::ApiMisuse("secure messaging session was closed after an error"));
        }
        if self.pending_ins.is_some() {
            return Err(Error::ApiMisuse(
                "the previous command still awaits its protected response",
            ));
        }
        let result = self.channel.next_ssc().and_then(|ssc| self.open_command(&ssc, command));
        match result {
            Ok(plain) => {
                self.pending_ins = Some(plain.ins);
                Ok(plain)
            }
            Err(error) => {
                self.closed = true;
                Err(error)
            }
        }
    }

    fn open_command(&self, ssc: &[u8; AES_BLOCK_LEN], command: &CommandApdu) -> Result<CommandApdu> {
        if command.cla & SM_CLA_BITS != SM_CLA_BITS {
            return Err(ProtocolViolation::SecureMessagingCommandNotProtected.into());
        }
        let objects = Objects::parse(&command.data, TAG_LE, "secure messaging command")?;
        let mac = objects.mac.ok_or(ProtocolViolation::SecureMessagingMacMissing)?;
        let header = [command.cla, command.ins, command.p1, command.p2];
        self.channel
            .verify_mac(ssc, Some(&header), objects.authenticated, mac)?;

        let data = match &objects.cryptogram {
            Some(object) => {
                let expected = if command.ins & 1 == 1 {
                    TAG_CRYPTOGRAM_ODD
                } else {
                    TAG_CRYPTOGRAM_EVEN
                };
                if object.tag != expected {
                    return Err(ProtocolViolation::SecureMessagingUnexpectedObject { tag: object.tag.0 }.into());
                }
                self.channel.open_cryptogram(ssc, object)?
            }
            None => Vec::new(),
        };
        let le = objects.middle.map(|object| decode_le(object.value)).transpose()?;
        let mut plain =
            CommandApdu::new(command.cla & !SM_CLA_BITS, command.ins, command.p1, command.p2).with_data(data);
        plain.le = le;
        Ok(plain)
    }

    /// Protects the response to the last unprotected command: the data in
    /// DO'87 (DO'85 when the command's INS was odd), the status word in
    /// DO'99, and the MAC in DO'8E. The outer status word equals the inner.
    pub fn protect_response(&mut self, response: &ResponseApdu) -> Result<ResponseApdu> {
        if self.closed {
            return Err(Error::ApiMisuse("secure messaging session was closed after an error"));
        }
        let ins = self
            .pending_ins
            .take()
            .ok_or(Error::ApiMisuse("no unprotected command awaits a response"))?;
        let result = self
            .channel
            .next_ssc()
            .and_then(|ssc| self.seal_response(&ssc, ins, response));
        if result.is_err() {
            self.closed = true;
        }
        result
    }

    fn seal_response(&self, ssc: &[u8; AES_BLOCK_LEN], ins: u8, response: &ResponseApdu) -> Result<ResponseApdu> {
        let mut data = Vec::with_capacity(response.data.len() + 40);
        if !response.data.is_empty() {
            self.channel.cryptogram_object(ssc, ins, &response.data, &mut data)?;
        }
        tlv::write_tlv(&mut data, TAG_STATUS, &response.sw.0.to_be_bytes());
        let mac = self.channel.mac(ssc, None, &data)?;
        tlv::write_tlv(&mut data, TAG_MAC, &mac);
        Ok(ResponseApdu::new(data, response.sw))
    }
}

#[cfg(test)]
impl ChipSecureMessaging {
    pub(crate) fn keys_for_test(&self) -> &SessionKeys {
        &self.channel.keys
    }
}

/// Returns the plain status word a card sends when
/// [`ChipSecureMessaging::unprotect_command`] fails: `69 87` when expected
/// secure messaging objects are missing (no MAC, or an unprotected class
/// byte), `69 88` when they are incorrect, as ISO/IEC 7816-4 defines these
/// status words.
pub fn chip_error_status(error: &Error) -> StatusWord {
    match error {
        Error::Protocol(
            ProtocolViolation::SecureMessagingMacMissing | ProtocolViolation::SecureMessagingCommandNotProtected,
        ) => StatusWord::SM_DATA_OBJECTS_MISSING,
        _ => StatusWord::SM_DATA_OBJECTS_INCORRECT,
    }
}
