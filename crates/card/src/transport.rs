//! The link to a card: one APDU out, one response back.

use neweid_core::apdu::{CommandApdu, LengthForm, ResponseApdu, StatusWord};

use crate::error::{Error, ErrorKind, Result};

/// Something that exchanges APDUs with one card: a PC/SC reader or the
/// virtual card in the same process.
pub trait Transport: Send {
    /// Sends one encoded command APDU and returns the response bytes, data
    /// followed by SW1 SW2.
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>>;

    /// Tells whether the reader (not the card) carries extended-length APDUs.
    /// `None` when the reader does not say; the session then tries and falls
    /// back to short APDUs.
    fn reader_supports_extended_length(&self) -> Option<bool> {
        None
    }

    /// The reader's name, for errors.
    fn reader_name(&self) -> &str;

    /// Returns the error that explains a failed exchange when the card was
    /// reset by another program or removed in the meantime, and `None` when
    /// the card is still there as it was.
    fn card_state_error(&self) -> Option<Error> {
        None
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>> {
        (**self).transmit(command)
    }

    fn reader_supports_extended_length(&self) -> Option<bool> {
        (**self).reader_supports_extended_length()
    }

    fn reader_name(&self) -> &str {
        (**self).reader_name()
    }

    fn card_state_error(&self) -> Option<Error> {
        (**self).card_state_error()
    }
}

/// Sends a command and applies the transport-level rules of ISO/IEC 7816-3
/// and -4 that T=0 readers need: `61 xx` asks for `GET RESPONSE`, `6C xx`
/// asks for the same command again with `Le = xx`.
pub fn exchange(transport: &mut dyn Transport, command: &CommandApdu, form: LengthForm) -> Result<ResponseApdu> {
    let encoded = command
        .encode(form)
        .map_err(|error| Error::new(ErrorKind::Internal).with_detail(error.to_string()))?;
    let mut response = ResponseApdu::decode(&transport.transmit(&encoded)?)?;

    if response.sw.sw1() == 0x6C {
        let exact = match response.sw.sw2() {
            0 => 256,
            n => usize::from(n),
        };
        let mut retry = command.clone();
        retry.le = Some(exact);
        let encoded = retry
            .encode(LengthForm::Short)
            .map_err(|error| Error::new(ErrorKind::Internal).with_detail(error.to_string()))?;
        response = ResponseApdu::decode(&transport.transmit(&encoded)?)?;
    }

    // GET RESPONSE chains are bounded so that a faulty card cannot keep the
    // session in this loop: 256 rounds carry at most 64 KiB.
    let mut rounds = 0;
    while response.sw.sw1() == 0x61 {
        rounds += 1;
        if rounds > 256 {
            return Err(Error::new(ErrorKind::ProtocolError).with_detail("GET RESPONSE chain longer than 64 KiB"));
        }
        let available = match response.sw.sw2() {
            0 => 256,
            n => usize::from(n),
        };
        let get_response = CommandApdu::new(command.cla & 0x0C, 0xC0, 0x00, 0x00).with_le(available);
        let encoded = get_response
            .encode(LengthForm::Short)
            .map_err(|error| Error::new(ErrorKind::Internal).with_detail(error.to_string()))?;
        let next = ResponseApdu::decode(&transport.transmit(&encoded)?)?;
        let mut data = std::mem::take(&mut response.data);
        data.extend_from_slice(&next.data);
        response = ResponseApdu::new(data, next.sw);
    }
    Ok(response)
}

/// Fails with `CardError` unless the status word is `90 00`.
pub fn expect_success(response: &ResponseApdu, step: &str) -> Result<()> {
    if response.sw == StatusWord::SUCCESS {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::CardError).at(step).with_sw(response.sw))
    }
}
