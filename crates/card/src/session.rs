//! A card session: selecting files and applications, reading files in short
//! or extended length, and wrapping commands in secure messaging once PACE
//! has established it.

use std::sync::atomic::{AtomicBool, Ordering};

use neweid_core::apdu::{CommandApdu, LengthForm, ResponseApdu, StatusWord};
use neweid_core::sm::SecureMessaging;
use neweid_core::tlv::{Reader, Tag};

use crate::error::{Error, ErrorKind, Result};
use crate::transport::{self, Transport};

/// Largest plaintext a secure-messaging READ BINARY requests in short form:
/// the reply `87 81 L 01 ‖ cryptogram ‖ 99 02 SW ‖ 8E 08 MAC` must fit in 256
/// bytes, and 223 plaintext bytes pad to a 224-byte cryptogram.
const SM_SHORT_CHUNK: usize = 223;

/// Largest plaintext a secure-messaging READ BINARY requests in extended
/// form, leaving room for the same wrapping within 65,536 bytes.
const SM_EXTENDED_CHUNK: usize = 65_472;

/// Largest offset of `READ BINARY` with a 15-bit offset in P1-P2.
const MAX_OFFSET: usize = 0x7FFF;

/// The length limits the card states in EF.ATR/INFO (`7F66`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ExtendedLengthInfo {
    max_command: usize,
    max_response: usize,
}

/// One session with one card, from power-on (or reset) to disconnect.
pub struct Session<'t> {
    transport: &'t mut dyn Transport,
    sm: Option<SecureMessaging>,
    form: LengthForm,
    max_response: usize,
    cancel: Option<&'t AtomicBool>,
}

impl<'t> Session<'t> {
    /// Starts a session in short length; [`Session::negotiate_length`]
    /// switches to extended length when both the card and the reader allow it.
    pub fn new(transport: &'t mut dyn Transport, cancel: Option<&'t AtomicBool>) -> Self {
        Self {
            transport,
            sm: None,
            form: LengthForm::Short,
            max_response: 256,
            cancel,
        }
    }

    pub fn reader_name(&self) -> String {
        self.transport.reader_name().to_string()
    }

    /// Tells whether commands go out in extended length.
    pub fn uses_extended_length(&self) -> bool {
        self.form == LengthForm::Extended
    }

    /// Tells whether secure messaging protects the commands.
    pub fn is_secure(&self) -> bool {
        self.sm.is_some()
    }

    /// Makes every following command go through `sm`.
    pub fn start_secure_messaging(&mut self, sm: SecureMessaging) {
        self.sm = Some(sm);
    }

    fn check_cancelled(&self, step: &str) -> Result<()> {
        match self.cancel {
            Some(flag) if flag.load(Ordering::Relaxed) => Err(Error::new(ErrorKind::Aborted).at(step)),
            _ => Ok(()),
        }
    }

    /// Sends one command, through secure messaging when it is established.
    /// A transport failure drops the secure messaging session, because the
    /// send sequence counters of card and terminal may then differ.
    pub fn send(&mut self, command: &CommandApdu, step: &str) -> Result<ResponseApdu> {
        self.check_cancelled(step)?;
        let reader = self.reader_name();
        let result = match self.sm.as_mut() {
            None => transport::exchange(self.transport, command, self.form),
            Some(sm) => {
                let protected = sm.protect_command_in(command, self.form).map_err(Error::from)?;
                match transport::exchange(self.transport, &protected, self.form) {
                    Ok(response) => sm.unprotect_response(&response).map_err(secure_messaging_error),
                    Err(error) => Err(error),
                }
            }
        };
        if result.is_err() && self.sm.is_some() {
            self.sm = None;
            // A secure messaging failure right after another program reset
            // the card is that reset, not a forged response.
            if let Some(cause) = self.transport.card_state_error() {
                return Err(cause.at(step).with_reader(reader));
            }
        }
        result.map_err(|error| error.at(step).with_reader(reader))
    }

    /// Selects the master file. A card that still runs a secure messaging
    /// session of an earlier program ends it on this plain command and
    /// returns `69 87` or `69 88` without selecting (ICAO 9303-11 §9.8.5),
    /// so the command is sent once more in that case.
    pub fn select_master_file(&mut self) -> Result<()> {
        let command = CommandApdu::new(0x00, 0xA4, 0x00, 0x0C).with_data(vec![0x3F, 0x00]);
        let mut response = self.send(&command, "select.master_file")?;
        let leftover_session = matches!(
            response.sw,
            StatusWord::SM_DATA_OBJECTS_MISSING | StatusWord::SM_DATA_OBJECTS_INCORRECT
        );
        if leftover_session && !self.is_secure() {
            response = self.send(&command, "select.master_file")?;
        }
        transport::expect_success(&response, "select.master_file")
    }

    /// Selects an application by AID. Returns the status word so that the
    /// caller decides what a failure means (for the New eID AID: not a New
    /// eID card).
    pub fn select_application(&mut self, aid: &[u8], step: &str) -> Result<StatusWord> {
        let command = CommandApdu::new(0x00, 0xA4, 0x04, 0x0C).with_data(aid.to_vec());
        Ok(self.send(&command, step)?.sw)
    }

    /// Selects an elementary file of the current DF by its file identifier.
    pub fn select_file(&mut self, fid: u16, step: &str) -> Result<StatusWord> {
        let command = CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(fid.to_be_bytes().to_vec());
        Ok(self.send(&command, step)?.sw)
    }

    /// Reads EF.ATR/INFO and switches to extended length when the card states
    /// support for it and the reader does not refuse it. A card without
    /// EF.ATR/INFO, or without its `7F66` object, stays in short length.
    pub fn negotiate_length(&mut self) -> Result<()> {
        if self.transport.reader_supports_extended_length() == Some(false) {
            return Ok(());
        }
        let sw = self.select_file(neweid_core::profile::EF_ATR_INFO, "select.ef_atr_info")?;
        if sw != StatusWord::SUCCESS {
            return Ok(());
        }
        let response = self.send(
            &CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_le(256),
            "read.ef_atr_info",
        )?;
        if !matches!(response.sw, StatusWord::SUCCESS | StatusWord::END_OF_FILE) {
            return Ok(());
        }
        if let Some(info) = parse_extended_length_info(&response.data)? {
            if info.max_command > 261 && info.max_response > 258 {
                self.form = LengthForm::Extended;
                self.max_response = info.max_response;
            }
        }
        Ok(())
    }

    /// Reads a whole transparent file of the current DF by its short file
    /// identifier. The first `READ BINARY` uses the SFI; when the file is
    /// longer than one response, the file is selected by `fid` and read on by
    /// offset. The file must hold exactly one BER-TLV object: a file that
    /// ends before the object does, or goes on after it, is a protocol
    /// error.
    ///
    /// Every read requests a whole chunk, so the card returns `62 82` where
    /// the file ends. Only when the object ends exactly on a chunk boundary
    /// does one more read, past the object, check that the file ends there.
    ///
    /// In extended length, a reader that cannot carry the command (the
    /// transport fails before the card responds) makes the session fall back
    /// to short length, before secure messaging only, and read again.
    pub fn read_file(&mut self, sfi: u8, fid: u16, name: &str) -> Result<Vec<u8>> {
        let step = format!("read.{name}");
        let mut first = match self.read_chunk_by_sfi(sfi, &step) {
            Err(error) if self.form == LengthForm::Extended && self.sm.is_none() && is_reader_refusal(&error) => {
                self.form = LengthForm::Short;
                self.max_response = 256;
                self.read_chunk_by_sfi(sfi, &step)?
            }
            other => other?,
        };
        let total = declared_length(&first.data).map_err(|error| error.at(step.clone()))?;
        let mut at_end = first.sw == StatusWord::END_OF_FILE;
        let mut contents = std::mem::take(&mut first.data);
        let mut selected = false;
        loop {
            if contents.len() > total {
                return Err(trailing_bytes(&step));
            }
            if contents.len() == total {
                break;
            }
            if at_end {
                return Err(ends_early(&step, StatusWord::END_OF_FILE));
            }
            if !selected {
                self.select_for_offset_reads(fid, &step)?;
                selected = true;
            }
            let response = self.read_chunk_at(contents.len(), self.chunk_size(), &step)?;
            match response.sw {
                StatusWord::SUCCESS | StatusWord::END_OF_FILE if !response.data.is_empty() => {
                    contents.extend_from_slice(&response.data);
                    at_end = response.sw == StatusWord::END_OF_FILE;
                }
                // An offset the object declares to be inside the file, but past its end.
                StatusWord::SUCCESS | StatusWord::END_OF_FILE | StatusWord::WRONG_P1_P2 => {
                    return Err(ends_early(&step, response.sw));
                }
                sw => return Err(status_error(&step, sw)),
            }
        }
        // Past offset 32,767 the offset form cannot address the byte after
        // the object, so such a file goes unchecked.
        if !at_end && total <= MAX_OFFSET {
            if !selected {
                self.select_for_offset_reads(fid, &step)?;
            }
            // Any response without data (6B 00, or 62 82 with nothing) means the
            // file ends with the object.
            let response = self.read_chunk_at(total, 1, &step)?;
            if !response.data.is_empty() {
                return Err(trailing_bytes(&step));
            }
        }
        Ok(contents)
    }

    fn select_for_offset_reads(&mut self, fid: u16, step: &str) -> Result<()> {
        let sw = self.select_file(fid, step)?;
        if sw == StatusWord::SUCCESS {
            Ok(())
        } else {
            Err(status_error(step, sw))
        }
    }

    /// Sends `READ BINARY` of the current EF at `offset`, which the 15-bit
    /// offset form limits to 32,767.
    fn read_chunk_at(&mut self, offset: usize, le: usize, step: &str) -> Result<ResponseApdu> {
        let offset = u16::try_from(offset)
            .ok()
            .filter(|offset| usize::from(*offset) <= MAX_OFFSET)
            .ok_or_else(|| {
                Error::new(ErrorKind::ProtocolError)
                    .at(step)
                    .with_detail("file longer than 32 KiB offsets allow")
            })?;
        let [high, low] = offset.to_be_bytes();
        self.send(&CommandApdu::new(0x00, 0xB0, high, low).with_le(le), step)
    }

    fn chunk_size(&self) -> usize {
        match (self.form, self.sm.is_some()) {
            (LengthForm::Short, false) => 256,
            (LengthForm::Short, true) => SM_SHORT_CHUNK,
            (LengthForm::Extended, false) => self.max_response.saturating_sub(2).clamp(256, 65_536),
            (LengthForm::Extended, true) => self
                .max_response
                .saturating_sub(64)
                .clamp(SM_SHORT_CHUNK, SM_EXTENDED_CHUNK),
        }
    }

    fn read_chunk_by_sfi(&mut self, sfi: u8, step: &str) -> Result<ResponseApdu> {
        let command = CommandApdu::new(0x00, 0xB0, 0x80 | sfi, 0x00).with_le(self.chunk_size());
        let response = self.send(&command, step)?;
        match response.sw {
            StatusWord::SUCCESS | StatusWord::END_OF_FILE => Ok(response),
            sw => Err(status_error(step, sw)),
        }
    }
}

/// Maps a failed `SELECT` or `READ BINARY` to an error kind.
pub fn status_error(step: &str, sw: StatusWord) -> Error {
    let kind = match sw {
        StatusWord::SECURITY_STATUS_NOT_SATISFIED | StatusWord::CONDITIONS_NOT_SATISFIED => ErrorKind::AccessDenied,
        StatusWord::SM_DATA_OBJECTS_MISSING | StatusWord::SM_DATA_OBJECTS_INCORRECT => ErrorKind::SecureMessagingFailed,
        _ => ErrorKind::CardError,
    };
    Error::new(kind).at(step).with_sw(sw)
}

/// Maps a protected response that fails verification or decryption. Which
/// check failed (MAC, DO'99, object layout, padding) does not matter: the
/// response is not authentic, so it is a secure messaging failure. The card
/// reporting `69 87` or `69 88` for the command is one too.
fn secure_messaging_error(error: neweid_core::Error) -> Error {
    let mut converted = Error::from(error);
    if matches!(converted.kind, ErrorKind::ProtocolError | ErrorKind::CardError) {
        converted.kind = ErrorKind::SecureMessagingFailed;
    }
    converted
}

fn trailing_bytes(step: &str) -> Error {
    Error::new(ErrorKind::ProtocolError)
        .at(step)
        .with_detail("file has bytes after its data object")
}

fn ends_early(step: &str, sw: StatusWord) -> Error {
    Error::new(ErrorKind::ProtocolError)
        .at(step)
        .with_sw(sw)
        .with_detail("file ends before its data object does")
}

/// Tells whether an error means the reader rejected a command before the
/// card saw it, as PC/SC readers without extended-length support do.
fn is_reader_refusal(error: &Error) -> bool {
    error.sw.is_none() && matches!(error.kind, ErrorKind::Internal | ErrorKind::CardError)
}

/// Returns the total length (header and value) of the data object that
/// starts `bytes`, from its tag and length octets.
fn declared_length(bytes: &[u8]) -> Result<usize> {
    let invalid = |reason: &str| Error::new(ErrorKind::ProtocolError).with_detail(reason.to_string());
    let mut position = 0;
    let first = *bytes.first().ok_or_else(|| invalid("file is empty"))?;
    position += 1;
    if first & 0x1F == 0x1F {
        loop {
            let byte = *bytes.get(position).ok_or_else(|| invalid("file ends inside a tag"))?;
            position += 1;
            if byte & 0x80 == 0 {
                break;
            }
            // A third byte that announces a fourth.
            if position >= 3 {
                return Err(invalid("tag longer than 3 bytes"));
            }
        }
    }
    let length_byte = *bytes
        .get(position)
        .ok_or_else(|| invalid("file ends inside a length"))?;
    position += 1;
    let value_length = match length_byte {
        0x00..=0x7F => usize::from(length_byte),
        0x81..=0x83 => {
            let count = usize::from(length_byte & 0x7F);
            let octets = bytes
                .get(position..position + count)
                .ok_or_else(|| invalid("file ends inside a length"))?;
            position += count;
            octets.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
        }
        _ => return Err(invalid("file length is indefinite or larger than 16 MiB")),
    };
    Ok(position + value_length)
}

fn parse_extended_length_info(bytes: &[u8]) -> Result<Option<ExtendedLengthInfo>> {
    let mut reader = Reader::new(bytes, "EF.ATR/INFO");
    while let Some(object) = reader.next_tlv()? {
        if object.tag == Tag(0x7F66) {
            let mut fields = object.children("extended length information");
            let max_command = integer(fields.expect(Tag(0x02))?.value);
            let max_response = integer(fields.expect(Tag(0x02))?.value);
            return Ok(Some(ExtendedLengthInfo {
                max_command,
                max_response,
            }));
        }
    }
    Ok(None)
}

fn integer(bytes: &[u8]) -> usize {
    bytes.iter().take(4).fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn declared_length_reads_every_form() {
        assert_eq!(declared_length(&[0x61, 0x03, 1, 2, 3]).unwrap(), 5);
        assert_eq!(declared_length(&[0x69, 0x82, 0x12, 0x34]).unwrap(), 4 + 0x1234);
        assert_eq!(declared_length(&[0x7F, 0x66, 0x81, 0x80]).unwrap(), 4 + 0x80);
        assert!(declared_length(&[]).is_err());
        assert!(declared_length(&[0x61, 0x80]).is_err());
        assert!(declared_length(&[0x61, 0x82, 0x01]).is_err());
    }

    #[test]
    fn declared_length_allows_three_byte_tags_only() {
        assert_eq!(declared_length(&[0x5F, 0x81, 0x01, 0x00]).unwrap(), 4, "three-byte tag");
        assert!(
            declared_length(&[0x5F, 0x81, 0x81, 0x01, 0x00]).is_err(),
            "four-byte tag"
        );
        assert!(declared_length(&[0x5F, 0x81]).is_err(), "tag cut short");
    }

    #[test]
    fn length_parsers_never_panic_on_mutations() {
        let seeds: [&[u8]; 4] = [
            &[0x61, 0x03, 1, 2, 3],
            &[0x7F, 0x66, 0x08, 0x02, 0x02, 0x10, 0x00, 0x02, 0x02, 0xFF, 0xFF],
            &[0x69, 0x82, 0x12, 0x34],
            &[0x5F, 0x2E, 0x83, 0x01, 0x00, 0x00],
        ];
        // xorshift64*, so that a failure reproduces.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_F491_4F6C_DD1D) as usize
        };
        for round in 0..20_000 {
            let mut input = seeds[round % seeds.len()].to_vec();
            let index = next() % input.len();
            match next() % 3 {
                0 => input[index] = next() as u8,
                1 => input.truncate(index),
                _ => input.insert(index, [0x1F, 0x80, 0x81, 0x84, 0xFF][next() % 5]),
            }
            if let Ok(total) = declared_length(&input) {
                assert!(
                    total >= 2,
                    "{input:02X?} declares {total} bytes, less than a tag and a length"
                );
            }
            let _ = parse_extended_length_info(&input);
        }
    }

    #[test]
    fn extended_length_info_is_found() {
        let bytes = [0x7F, 0x66, 0x08, 0x02, 0x02, 0x10, 0x00, 0x02, 0x02, 0xFF, 0xFF];
        assert_eq!(
            parse_extended_length_info(&bytes).unwrap(),
            Some(ExtendedLengthInfo {
                max_command: 0x1000,
                max_response: 0xFFFF
            })
        );
        assert_eq!(parse_extended_length_info(&[0x80, 0x01, 0x00]).unwrap(), None);
    }
}
