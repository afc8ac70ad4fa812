//! Secure messaging with AES, as ICAO 9303-11 §9.8 defines it for the
//! sessions that PACE and Chip Authentication establish.
//!
//! - The send sequence counter (SSC) is 16 bytes. It starts at 0 when a
//!   session starts (after PACE, and again with new keys after Chip
//!   Authentication) and is incremented before each protected command and
//!   before each protected response.
//! - Data are padded with ISO/IEC 9797-1 padding method 2 and encrypted with
//!   AES-CBC under `K_enc`, with `IV = E(K_enc, SSC)`. The cryptogram travels
//!   in DO'87 (`01` ‖ cryptogram) for an even INS and in DO'85 for an odd INS,
//!   whose data field is BER-TLV.
//! - A command carries the expected length in DO'97 (one byte in short form,
//!   two in extended form), a response its status word in DO'99.
//! - DO'8E contains AES-CMAC under `K_mac`, truncated to 8 bytes, over
//!   `SSC ‖ pad(CLA' INS P1 P2) ‖ pad(data objects)`. CLA' has the secure
//!   messaging bits `0C` set; a response has no header block. When a command
//!   has no data object, the padded header is the whole MAC input after the
//!   SSC.
//!
//! [`SecureMessaging`] is the terminal side and [`ChipSecureMessaging`] the
//! chip side. Both end the session at the first error. The chip then sends
//! `69 87` or `69 88` (see [`chip_error_status`]) and discards the session,
//! and the terminal must run PACE again.

use std::fmt;

use zeroize::Zeroizing;

use crate::apdu::{CommandApdu, LengthForm, ResponseApdu, StatusWord};
use crate::crypto::symmetric::{aes_cbc_decrypt, aes_cbc_encrypt, aes_cmac_8, aes_encrypt_block, pad, unpad};
use crate::crypto::symmetric::{AES_BLOCK_LEN, MAC_LEN};
use crate::crypto::Cipher;
use crate::error::{CodecError, Error, ProtocolViolation, Result};
use crate::secret::{constant_time_eq, SecretBytes};
use crate::tlv::{self, Reader, Tag, Tlv};

mod chip;

pub use chip::{chip_error_status, ChipSecureMessaging};

/// Class byte bits b4 b3 that mark a command as protected, with the header
/// covered by the MAC (ISO/IEC 7816-4 class byte coding).
const SM_CLA_BITS: u8 = 0x0C;

/// Cryptogram of BER-TLV data, for an odd INS.
const TAG_CRYPTOGRAM_ODD: Tag = Tag(0x85);
/// Padding-content indicator followed by the cryptogram, for an even INS.
const TAG_CRYPTOGRAM_EVEN: Tag = Tag(0x87);
/// Protected Le.
const TAG_LE: Tag = Tag(0x97);
/// Processing status (SW1 SW2).
const TAG_STATUS: Tag = Tag(0x99);
/// Cryptographic checksum (the MAC).
const TAG_MAC: Tag = Tag(0x8E);

/// Padding-content indicator `01`: the plaintext was padded with ISO/IEC
/// 9797-1 method 2.
const PADDING_INDICATOR: u8 = 0x01;

/// The session keys `K_enc` and `K_mac` of one secure messaging session.
pub struct SessionKeys {
    cipher: Cipher,
    k_enc: SecretBytes,
    k_mac: SecretBytes,
}

impl SessionKeys {
    pub(crate) fn new(cipher: Cipher, k_enc: SecretBytes, k_mac: SecretBytes) -> Self {
        Self { cipher, k_enc, k_mac }
    }

    pub fn cipher(&self) -> Cipher {
        self.cipher
    }

    pub(crate) fn k_enc(&self) -> &SecretBytes {
        &self.k_enc
    }

    pub(crate) fn k_mac(&self) -> &SecretBytes {
        &self.k_mac
    }
}

impl fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionKeys({:?}, <redacted>)", self.cipher)
    }
}

/// Proof that the peer's authentication token verified, which every secure
/// messaging session requires. Only the code in this crate that compared a
/// PACE or Chip Authentication token can make one.
#[derive(Debug)]
pub struct TokenVerified {
    _private: (),
}

impl TokenVerified {
    pub(crate) fn new() -> Self {
        Self { _private: () }
    }
}

/// Keys and counter shared by both sides of a session.
struct Channel {
    keys: SessionKeys,
    ssc: u128,
}

impl Channel {
    fn new(keys: SessionKeys) -> Result<Self> {
        if !keys.cipher.is_aes() {
            return Err(Error::ApiMisuse("secure messaging supports AES session keys only"));
        }
        Ok(Self { keys, ssc: 0 })
    }

    /// Increments the SSC and returns its new value.
    fn next_ssc(&mut self) -> Result<[u8; AES_BLOCK_LEN]> {
        self.ssc = self
            .ssc
            .checked_add(1)
            .ok_or(ProtocolViolation::SecureMessagingCounterExhausted)?;
        Ok(self.ssc.to_be_bytes())
    }

    fn iv(&self, ssc: &[u8; AES_BLOCK_LEN]) -> Result<[u8; AES_BLOCK_LEN]> {
        aes_encrypt_block(self.keys.k_enc().expose(), ssc)
    }

    /// Pads and encrypts `plain`.
    fn encrypt(&self, ssc: &[u8; AES_BLOCK_LEN], plain: &[u8]) -> Result<Vec<u8>> {
        let padded = Zeroizing::new(pad(plain, AES_BLOCK_LEN));
        aes_cbc_encrypt(self.keys.k_enc().expose(), &self.iv(ssc)?, &padded)
    }

    /// Decrypts a cryptogram and strips its padding.
    fn decrypt(&self, ssc: &[u8; AES_BLOCK_LEN], cryptogram: &[u8]) -> Result<Vec<u8>> {
        if cryptogram.is_empty() || cryptogram.len() % AES_BLOCK_LEN != 0 {
            return Err(ProtocolViolation::SecureMessagingCryptogramInvalid.into());
        }
        let padded = aes_cbc_decrypt(self.keys.k_enc().expose(), &self.iv(ssc)?, cryptogram)?;
        let plain = unpad(&padded, AES_BLOCK_LEN).ok_or(ProtocolViolation::SecureMessagingPaddingInvalid)?;
        Ok(plain.to_vec())
    }

    /// Computes the MAC over `SSC ‖ pad(header) ‖ pad(objects)`, leaving out
    /// the header block when there is no header and the object block when
    /// there are no objects.
    fn mac(&self, ssc: &[u8; AES_BLOCK_LEN], header: Option<&[u8; 4]>, objects: &[u8]) -> Result<[u8; MAC_LEN]> {
        let mut input = Vec::with_capacity(ssc.len() + 2 * AES_BLOCK_LEN + objects.len());
        input.extend_from_slice(ssc);
        if let Some(header) = header {
            input.extend_from_slice(&pad(header, AES_BLOCK_LEN));
        }
        if !objects.is_empty() {
            input.extend_from_slice(&pad(objects, AES_BLOCK_LEN));
        }
        aes_cmac_8(self.keys.k_mac().expose(), &input)
    }

    fn verify_mac(
        &self,
        ssc: &[u8; AES_BLOCK_LEN],
        header: Option<&[u8; 4]>,
        objects: &[u8],
        mac: &[u8],
    ) -> Result<()> {
        let expected = self.mac(ssc, header, objects)?;
        if constant_time_eq(&expected, mac) {
            Ok(())
        } else {
            Err(ProtocolViolation::SecureMessagingMacInvalid.into())
        }
    }

    /// Encodes the cryptogram object for `plain`: DO'85 for an odd INS,
    /// DO'87 with the padding-content indicator otherwise.
    fn cryptogram_object(&self, ssc: &[u8; AES_BLOCK_LEN], ins: u8, plain: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let cryptogram = self.encrypt(ssc, plain)?;
        if ins & 1 == 1 {
            tlv::write_tlv(out, TAG_CRYPTOGRAM_ODD, &cryptogram);
        } else {
            let mut value = Vec::with_capacity(cryptogram.len() + 1);
            value.push(PADDING_INDICATOR);
            value.extend_from_slice(&cryptogram);
            tlv::write_tlv(out, TAG_CRYPTOGRAM_EVEN, &value);
        }
        Ok(())
    }

    /// Decrypts the body of DO'85 or DO'87.
    fn open_cryptogram(&self, ssc: &[u8; AES_BLOCK_LEN], object: &Tlv<'_>) -> Result<Vec<u8>> {
        let cryptogram = if object.tag == TAG_CRYPTOGRAM_EVEN {
            match object.value {
                [PADDING_INDICATOR, rest @ ..] => rest,
                _ => return Err(ProtocolViolation::SecureMessagingCryptogramInvalid.into()),
            }
        } else {
            object.value
        };
        self.decrypt(ssc, cryptogram)
    }
}

/// The data objects of a protected message, in the order ICAO 9303-11 §9.8
/// prescribes: an optional cryptogram, then DO'97 (commands) or DO'99
/// (responses), then DO'8E, and nothing after it.
struct Objects<'a> {
    cryptogram: Option<Tlv<'a>>,
    middle: Option<Tlv<'a>>,
    mac: Option<&'a [u8]>,
    /// The bytes before DO'8E, which the MAC covers.
    authenticated: &'a [u8],
}

impl<'a> Objects<'a> {
    fn parse(data: &'a [u8], middle_tag: Tag, what: &'static str) -> Result<Self> {
        let mut objects = Objects {
            cryptogram: None,
            middle: None,
            mac: None,
            authenticated: data,
        };
        // 0: nothing read, 1: cryptogram read, 2: middle object read, 3: MAC read.
        let mut stage = 0;
        let mut reader = Reader::new(data, what);
        loop {
            let offset = data.len() - reader.remaining().len();
            let Some(object) = reader.next_tlv()? else { break };
            let is_cryptogram = object.tag == TAG_CRYPTOGRAM_EVEN || object.tag == TAG_CRYPTOGRAM_ODD;
            if is_cryptogram && stage == 0 {
                objects.cryptogram = Some(object);
                stage = 1;
            } else if object.tag == middle_tag && stage <= 1 {
                objects.middle = Some(object);
                stage = 2;
            } else if object.tag == TAG_MAC && stage <= 2 {
                objects.mac = Some(object.value);
                objects.authenticated = data.get(..offset).unwrap_or_default();
                stage = 3;
            } else {
                return Err(ProtocolViolation::SecureMessagingUnexpectedObject { tag: object.tag.0 }.into());
            }
        }
        Ok(objects)
    }
}

/// The terminal side of a secure messaging session: protects commands and
/// verifies and decrypts responses.
///
/// Every [`protect_command`](Self::protect_command) must be followed by one
/// [`unprotect_response`](Self::unprotect_response) with the card's response,
/// so that the SSC stays in step with the card's. The session ends at the
/// first error; later calls fail with [`Error::ApiMisuse`].
pub struct SecureMessaging {
    channel: Channel,
    awaiting_response: bool,
    closed: bool,
}

impl fmt::Debug for SecureMessaging {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecureMessaging")
            .field("cipher", &self.channel.keys.cipher)
            .field("ssc", &self.channel.ssc)
            .field("awaiting_response", &self.awaiting_response)
            .field("closed", &self.closed)
            .finish()
    }
}

impl SecureMessaging {
    /// Starts a session with SSC 0. Fails unless the keys are AES keys.
    pub fn new(keys: SessionKeys, _proof: TokenVerified) -> Result<Self> {
        Ok(Self {
            channel: Channel::new(keys)?,
            awaiting_response: false,
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

    /// Protects a command in short length form where it fits, in extended
    /// form otherwise.
    pub fn protect_command(&mut self, command: &CommandApdu) -> Result<CommandApdu> {
        self.protect_command_in(command, LengthForm::Short)
    }

    /// Protects a command in `form`, or in extended form when short form
    /// cannot carry it (data or Le too long). The result requests the whole
    /// response: Le is `00` in short form and `00 00` in extended form.
    pub fn protect_command_in(&mut self, command: &CommandApdu, form: LengthForm) -> Result<CommandApdu> {
        if self.closed {
            return Err(Error::ApiMisuse("secure messaging session was closed after an error"));
        }
        if self.awaiting_response {
            return Err(Error::ApiMisuse(
                "the previous protected command still awaits its response",
            ));
        }
        if command.cla & SM_CLA_BITS != 0 {
            return Err(Error::ApiMisuse("command class byte already marks secure messaging"));
        }
        let layout = CommandLayout::plan(command, form)?;
        let result = self
            .channel
            .next_ssc()
            .and_then(|ssc| self.seal_command(&ssc, command, &layout));
        match result {
            Ok(protected) => {
                self.awaiting_response = true;
                Ok(protected)
            }
            Err(error) => {
                self.closed = true;
                Err(error)
            }
        }
    }

    fn seal_command(
        &self,
        ssc: &[u8; AES_BLOCK_LEN],
        command: &CommandApdu,
        layout: &CommandLayout,
    ) -> Result<CommandApdu> {
        let cla = command.cla | SM_CLA_BITS;
        let header = [cla, command.ins, command.p1, command.p2];
        let mut data = Vec::with_capacity(layout.protected_len);
        if !command.data.is_empty() {
            self.channel
                .cryptogram_object(ssc, command.ins, &command.data, &mut data)?;
        }
        if let Some(le) = command.le {
            tlv::write_tlv(&mut data, TAG_LE, &encode_le(le, layout.form));
        }
        let mac = self.channel.mac(ssc, Some(&header), &data)?;
        tlv::write_tlv(&mut data, TAG_MAC, &mac);
        let le = match layout.form {
            LengthForm::Short => 256,
            LengthForm::Extended => 65536,
        };
        Ok(CommandApdu::new(cla, command.ins, command.p1, command.p2)
            .with_data(data)
            .with_le(le))
    }

    /// Verifies and decrypts the card's response to the last protected command.
    ///
    /// Returns an error, never data, for a response without DO'8E or DO'99,
    /// with a MAC that does not verify, with objects out of order or unknown,
    /// or with a cryptogram whose padding is invalid. A plain `69 87` or
    /// `69 88` without data, the card's report that it rejected the command's
    /// secure messaging, becomes [`Error::CardStatus`]. The SSC is
    /// incremented exactly once whatever the outcome.
    pub fn unprotect_response(&mut self, response: &ResponseApdu) -> Result<ResponseApdu> {
        if self.closed {
            return Err(Error::ApiMisuse("secure messaging session was closed after an error"));
        }
        if !self.awaiting_response {
            return Err(Error::ApiMisuse("no protected command awaits a response"));
        }
        self.awaiting_response = false;
        let result = self
            .channel
            .next_ssc()
            .and_then(|ssc| self.open_response(&ssc, response));
        if result.is_err() {
            self.closed = true;
        }
        result
    }

    fn open_response(&self, ssc: &[u8; AES_BLOCK_LEN], response: &ResponseApdu) -> Result<ResponseApdu> {
        if response.data.is_empty() {
            return Err(match response.sw {
                StatusWord::SM_DATA_OBJECTS_MISSING | StatusWord::SM_DATA_OBJECTS_INCORRECT => Error::CardStatus {
                    step: "secure messaging",
                    sw: response.sw,
                },
                _ => ProtocolViolation::SecureMessagingMacMissing.into(),
            });
        }
        let objects = Objects::parse(&response.data, TAG_STATUS, "secure messaging response")?;
        let mac = objects.mac.ok_or(ProtocolViolation::SecureMessagingMacMissing)?;
        self.channel.verify_mac(ssc, None, objects.authenticated, mac)?;

        let status = objects.middle.ok_or(ProtocolViolation::SecureMessagingStatusMissing)?;
        let sw = match status.value {
            [sw1, sw2] => StatusWord(u16::from_be_bytes([*sw1, *sw2])),
            _ => {
                return Err(CodecError::InvalidValue {
                    what: "secure messaging response",
                    reason: "DO'99 must hold two bytes",
                }
                .into())
            }
        };
        if sw != response.sw {
            return Err(ProtocolViolation::SecureMessagingStatusMismatch.into());
        }
        // ISO/IEC 7816-4 lets the card choose DO'85 or DO'87 for a response,
        // and both are covered by the MAC, so either is accepted.
        let data = match &objects.cryptogram {
            Some(object) => self.channel.open_cryptogram(ssc, object)?,
            None => Vec::new(),
        };
        Ok(ResponseApdu::new(data, sw))
    }
}

#[cfg(test)]
impl SecureMessaging {
    pub(crate) fn keys_for_test(&self) -> &SessionKeys {
        &self.channel.keys
    }
}

/// The length form of a protected command and the length of its data field.
struct CommandLayout {
    form: LengthForm,
    protected_len: usize,
}

impl CommandLayout {
    /// Picks the length form and checks that the protected command fits.
    fn plan(command: &CommandApdu, requested: LengthForm) -> Result<Self> {
        let what = "protected command";
        if let Some(le) = command.le {
            if le == 0 || le > 65536 {
                return Err(CodecError::InvalidValue {
                    what,
                    reason: "Le must be 1 to 65536",
                }
                .into());
            }
        }
        let cryptogram_object = if command.data.is_empty() {
            0
        } else {
            // Tag, length, the padding-content indicator (DO'87 only) and the
            // padded data.
            let padded = (command.data.len() / AES_BLOCK_LEN + 1) * AES_BLOCK_LEN;
            let value_len = padded + usize::from(command.ins & 1 == 0);
            1 + encoded_length_len(value_len) + value_len
        };
        let mac_object = 2 + MAC_LEN;
        let le_object = |form| match (command.le, form) {
            (None, _) => 0,
            (Some(_), LengthForm::Short) => 3,
            (Some(_), LengthForm::Extended) => 4,
        };
        let short_len = cryptogram_object + le_object(LengthForm::Short) + mac_object;
        let needs_extended = command.le.is_some_and(|le| le > 256) || short_len > 255;
        let form = if needs_extended {
            LengthForm::Extended
        } else {
            requested
        };
        let protected_len = cryptogram_object + le_object(form) + mac_object;
        if protected_len > 65535 {
            return Err(CodecError::LengthTooLarge { what }.into());
        }
        Ok(Self { form, protected_len })
    }
}

fn encoded_length_len(len: usize) -> usize {
    let mut out = Vec::with_capacity(5);
    tlv::encode_length(len, &mut out);
    out.len()
}

/// Encodes Le for DO'97: one byte in short form (`00` is 256), two bytes in
/// extended form (`00 00` is 65536).
fn encode_le(le: usize, form: LengthForm) -> Vec<u8> {
    match form {
        LengthForm::Short => vec![if le >= 256 { 0 } else { le as u8 }],
        LengthForm::Extended => {
            let value = if le >= 65536 { 0 } else { le as u16 };
            value.to_be_bytes().to_vec()
        }
    }
}

/// Decodes the value of DO'97.
fn decode_le(value: &[u8]) -> Result<usize> {
    match value {
        [0] => Ok(256),
        [byte] => Ok(usize::from(*byte)),
        [0, 0] => Ok(65536),
        [high, low] => Ok(usize::from(u16::from_be_bytes([*high, *low]))),
        _ => Err(ProtocolViolation::SecureMessagingLeInvalid.into()),
    }
}

#[cfg(test)]
mod tests;
