//! A card session: selecting files and applications, reading files in short
//! or extended length, and wrapping commands in secure messaging once PACE
//! has established it.

use std::sync::atomic::{AtomicBool, Ordering};

use neweid_core::apdu::{CommandApdu, LengthForm, ResponseApdu, StatusWord};
use neweid_core::sm::SecureMessaging;
use neweid_core::tlv::{Reader, Tag};

use crate::error::{Error, ErrorKind, Result};
use crate::transport::{self, Transport};

/// Largest plaintext a secure-messaging READ BINARY asks for in short form:
/// the reply `87 81 L 01 ‖ cryptogram ‖ 99 02 SW ‖ 8E 08 MAC` must fit in 256
/// bytes, and 223 plaintext bytes pad to a 224-byte cryptogram.
const SM_SHORT_CHUNK: usize = 223;

/// Largest plaintext a secure-messaging READ BINARY asks for in extended
/// form, leaving room for the same wrapping within 65,536 bytes.
const SM_EXTENDED_CHUNK: usize = 65_472;

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
                    Ok(response) => sm.unprotect_response(&response).map_err(Error::from),
                    Err(error) => Err(error),
                }
            }
        };
        if result.is_err() && self.sm.is_some() {
            self.sm = None;
        }
        result.map_err(|error| error.at(step).with_reader(reader))
    }

    /// Selects the master file.
    pub fn select_master_file(&mut self) -> Result<()> {
        let command = CommandApdu::new(0x00, 0xA4, 0x00, 0x0C).with_data(vec![0x3F, 0x00]);
        let response = self.send(&command, "select.master_file")?;
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
    /// offset. The file must hold one BER-TLV object, whose length says when
    /// the read is complete.
    ///
    /// In extended length, a reader that cannot carry the command (the
    /// transport fails before the card answers) makes the session fall back
    /// to short length, before secure messaging only, and read again.
    pub fn read_file(&mut self, sfi: u8, fid: u16, name: &str) -> Result<Vec<u8>> {
        let step = format!("read.{name}");
        let first = match self.read_chunk_by_sfi(sfi, &step) {
            Err(error) if self.form == LengthForm::Extended && self.sm.is_none() && is_reader_refusal(&error) => {
                self.form = LengthForm::Short;
                self.max_response = 256;
                self.read_chunk_by_sfi(sfi, &step)?
            }
            other => other?,
        };
        let total = declared_length(&first).map_err(|error| error.at(step.clone()))?;
        let mut contents = first;
        if contents.len() > total {
            return Err(Error::new(ErrorKind::ProtocolError)
                .at(step)
                .with_detail("file has bytes after its data object"));
        }
        if contents.len() < total {
            let sw = self.select_file(fid, &step)?;
            if sw != StatusWord::SUCCESS {
                return Err(status_error(&step, sw));
            }
        }
        while contents.len() < total {
            if contents.len() > 0x7FFF {
                return Err(Error::new(ErrorKind::ProtocolError)
                    .at(step)
                    .with_detail("file longer than 32 KiB offsets allow"));
            }
            let offset = contents.len() as u16;
            let wanted = (total - contents.len()).min(self.chunk_size());
            let command = CommandApdu::new(0x00, 0xB0, (offset >> 8) as u8, offset as u8).with_le(wanted);
            let response = self.send(&command, &step)?;
            match response.sw {
                StatusWord::SUCCESS | StatusWord::END_OF_FILE if !response.data.is_empty() => {
                    contents.extend_from_slice(&response.data);
                }
                StatusWord::SUCCESS | StatusWord::END_OF_FILE => {
                    return Err(Error::new(ErrorKind::ProtocolError)
                        .at(step)
                        .with_detail("file ends before its data object does"));
                }
                sw => return Err(status_error(&step, sw)),
            }
        }
        if contents.len() != total {
            return Err(Error::new(ErrorKind::ProtocolError)
                .at(step)
                .with_detail("file has bytes after its data object"));
        }
        Ok(contents)
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

    fn read_chunk_by_sfi(&mut self, sfi: u8, step: &str) -> Result<Vec<u8>> {
        let command = CommandApdu::new(0x00, 0xB0, 0x80 | sfi, 0x00).with_le(self.chunk_size());
        let mut response = self.send(&command, step)?;
        match response.sw {
            StatusWord::SUCCESS | StatusWord::END_OF_FILE => Ok(std::mem::take(&mut response.data)),
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
            if position > 3 {
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
