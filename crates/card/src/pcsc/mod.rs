//! Card readers through PC/SC (pcsc-lite on Linux and macOS' CryptoTokenKit
//! bridge, WinSCard on Windows).

#[cfg(all(unix, not(target_os = "macos")))]
mod loader;

use std::ffi::CString;

use pcsc::{Attribute, Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};
use zeroize::Zeroize;

use crate::error::{Error, ErrorKind, Result};
use crate::transport::Transport;

/// Returns why the PC/SC library could not be loaded, on systems where it is
/// loaded at run time; `None` when it loaded or is linked.
pub fn library_load_error() -> Option<&'static str> {
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        loader::load_error()
    }
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    {
        None
    }
}

/// A reader as `SCardGetStatusChange` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReaderInfo {
    pub name: String,
    pub card_present: bool,
    /// The card's answer to reset, when a card is present.
    pub atr: Option<Vec<u8>>,
}

fn establish() -> Result<Context> {
    Context::establish(Scope::User).map_err(|error| Error::from(error).at("pcsc.establish_context"))
}

fn reader_names(context: &Context) -> Result<Vec<CString>> {
    match context.list_readers_owned() {
        Ok(names) => Ok(names),
        Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(error) => Err(Error::from(error).at("pcsc.list_readers")),
    }
}

/// Lists the readers and whether each contains a card.
pub fn list_readers() -> Result<Vec<ReaderInfo>> {
    let context = establish()?;
    let names = reader_names(&context)?;
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut states: Vec<ReaderState> = names
        .iter()
        .map(|name| ReaderState::new(name.clone(), State::UNAWARE))
        .collect();
    context
        .get_status_change(std::time::Duration::from_millis(0), &mut states)
        .map_err(|error| Error::from(error).at("pcsc.get_status_change"))?;
    Ok(states
        .iter()
        .map(|state| {
            let present = state.event_state().contains(State::PRESENT) && !state.event_state().contains(State::MUTE);
            ReaderInfo {
                name: state.name().to_string_lossy().into_owned(),
                card_present: present,
                atr: present.then(|| state.atr().to_vec()),
            }
        })
        .collect())
}

/// A connection to the card in one reader.
pub struct PcscCard {
    // The context outlives the card handle (`pcsc::Card` keeps it alive too)
    // and serves status queries while a transaction runs.
    context: Context,
    card: Option<pcsc::Card>,
    reader: String,
    extended_length: Option<bool>,
}

impl PcscCard {
    /// Connects in shared mode to the card in `reader`.
    pub fn connect(reader: &str) -> Result<Self> {
        let context = establish()?;
        let known = reader_names(&context)?;
        let name = known
            .into_iter()
            .find(|candidate| candidate.to_bytes() == reader.as_bytes())
            .ok_or_else(|| {
                Error::new(ErrorKind::ReaderNotFound)
                    .with_reader(reader)
                    .at("pcsc.connect")
            })?;
        let card = context
            .connect(&name, ShareMode::Shared, Protocols::ANY)
            .map_err(|error| Error::from(error).with_reader(reader).at("pcsc.connect"))?;
        // SCARD_ATTR_MAXINPUT is the largest command the reader takes, as a
        // little-endian DWORD; short APDUs need at most 261 bytes.
        let extended_length = card
            .get_attribute_owned(Attribute::Maxinput)
            .ok()
            .and_then(|bytes| <[u8; 4]>::try_from(bytes.get(..4)?).ok())
            .map(|max| u32::from_le_bytes(max) > 261);
        Ok(Self {
            context,
            card: Some(card),
            reader: reader.to_string(),
            extended_length,
        })
    }

    /// Runs `operation` inside a PC/SC transaction, so that no other program
    /// can send commands to the card between ours.
    pub fn with_transaction<T>(&mut self, operation: impl FnOnce(&mut dyn Transport) -> Result<T>) -> Result<T> {
        let reader = self.reader.clone();
        let extended_length = self.extended_length;
        let card = self
            .card
            .as_mut()
            .ok_or_else(|| Error::new(ErrorKind::Internal).with_detail("card already disconnected"))?;
        let transaction = card.transaction().map_err(|error| {
            Error::from(error)
                .with_reader(reader.clone())
                .at("pcsc.begin_transaction")
        })?;
        let mut transport = PcscTransport {
            context: &self.context,
            transaction: &transaction,
            reader,
            extended_length,
        };
        let result = operation(&mut transport);
        // Ending the transaction can fail when the card was pulled; the
        // operation's own result already reports it, so this error adds nothing.
        let _ = transaction.end(Disposition::LeaveCard);
        result
    }

    /// Closes the connection and leaves the card as it is.
    ///
    /// Resetting it would break an operation that another program runs on
    /// the same card: pcsc-lite lets one program reset a card while another
    /// holds a transaction. A secure messaging session left on the card is
    /// harmless, because only this process had its keys and the next plain
    /// command (which every operation starts with) makes the card end it.
    pub fn disconnect(mut self) {
        if let Some(card) = self.card.take() {
            let _ = card.disconnect(Disposition::LeaveCard);
        }
    }
}

impl Drop for PcscCard {
    fn drop(&mut self) {
        if let Some(card) = self.card.take() {
            let _ = card.disconnect(Disposition::LeaveCard);
        }
    }
}

struct PcscTransport<'a, 'tx> {
    context: &'a Context,
    transaction: &'a pcsc::Transaction<'tx>,
    reader: String,
    extended_length: Option<bool>,
}

/// How long a failed exchange waits for the PC/SC service to notice a
/// removal. pcsc-lite polls readers without hot-plug events a few times a
/// second, so a card pulled mid-command may still show as present at first.
const REMOVAL_GRACE: std::time::Duration = std::time::Duration::from_millis(1500);

impl PcscTransport<'_, '_> {
    /// Waits up to `timeout` for the reader to report that its card left.
    fn removed_within(&self, timeout: std::time::Duration) -> bool {
        let Ok(name) = CString::new(self.reader.as_bytes()) else {
            return false;
        };
        let mut states = [ReaderState::new(name, State::PRESENT)];
        let deadline = std::time::Instant::now() + timeout;
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match self.context.get_status_change(left, &mut states) {
                Ok(()) => {
                    let event = states[0].event_state();
                    if event.contains(State::EMPTY) {
                        return true;
                    }
                    states[0].sync_current_state();
                }
                Err(_) => return false,
            }
        }
        false
    }

    /// Returns `CardRemoved` if the card is no longer in the reader (or was
    /// reset by someone else), and `otherwise` if it still is.
    fn lost_card_or(&self, otherwise: Error) -> Error {
        if matches!(otherwise.kind, ErrorKind::CardRemoved | ErrorKind::CardReset) {
            return otherwise;
        }
        match self.transaction.status2_owned() {
            Ok(status) if status.status().contains(pcsc::Status::PRESENT) => {
                if self.removed_within(REMOVAL_GRACE) {
                    Error::new(ErrorKind::CardRemoved)
                } else {
                    otherwise
                }
            }
            Ok(_) => Error::new(ErrorKind::CardRemoved),
            Err(error) => match Error::from(error) {
                reset if reset.kind == ErrorKind::CardReset => reset,
                removed if matches!(removed.kind, ErrorKind::CardRemoved | ErrorKind::NoCard) => {
                    Error::new(ErrorKind::CardRemoved).with_detail(removed.detail.unwrap_or_default())
                }
                _ => otherwise,
            },
        }
    }
}

impl Transport for PcscTransport<'_, '_> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>> {
        let mut buffer = vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
        let result = match self.transaction.transmit(command, &mut buffer) {
            // A reader that returns a response without a status word lost the card
            // mid-command (vpcd does this when the card is pulled) or is
            // faulty; the card status tells which.
            Ok(response) if response.len() < 2 => Err(self.lost_card_or(
                Error::new(ErrorKind::ProtocolError)
                    .with_detail("the reader returned a response without a status word"),
            )),
            Ok(response) => Ok(response.to_vec()),
            Err(error) => Err(self.lost_card_or(Error::from(error))),
        };
        // The buffer held a response that may be decrypted later; wipe the copy.
        buffer.zeroize();
        result.map_err(|error| error.with_reader(self.reader.clone()))
    }

    fn reader_supports_extended_length(&self) -> Option<bool> {
        self.extended_length
    }

    fn reader_name(&self) -> &str {
        &self.reader
    }

    fn card_state_error(&self) -> Option<Error> {
        match self.transaction.status2_owned() {
            Ok(status) if status.status().contains(pcsc::Status::PRESENT) => None,
            Ok(_) => Some(Error::new(ErrorKind::CardRemoved)),
            Err(error) => {
                let converted = Error::from(error);
                matches!(
                    converted.kind,
                    ErrorKind::CardReset | ErrorKind::CardRemoved | ErrorKind::NoCard
                )
                .then_some(converted)
            }
        }
    }
}
