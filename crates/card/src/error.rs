//! Errors of card access, each with the stable code the JavaScript layer shows.

use std::fmt;

use neweid_core::apdu::StatusWord;

/// What went wrong, one variant per stable error code of the public API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The PC/SC library or service is missing or not running.
    PcscUnavailable,
    NoReader,
    /// A reader was named that the PC/SC service does not list.
    ReaderNotFound,
    NoCard,
    /// Several readers hold a New eID card and none was chosen.
    SeveralCards,
    NotNewEid,
    /// The card was removed while a command was under way.
    CardRemoved,
    /// Another program reset the card while this one used it. The operation
    /// may start again on a fresh connection; if it cannot, callers see
    /// `CARD_REMOVED` ("removed or reset").
    CardReset,
    /// Another program holds the reader in exclusive mode.
    ReaderBusy,
    WrongCan,
    WrongPin,
    PinSuspended,
    PinBlocked,
    /// A response failed the secure messaging checks (MAC, format).
    SecureMessagingFailed,
    AccessDenied,
    /// The card answered a status word the step does not expect.
    CardError,
    /// The card answered data that breaks the profile or the protocol.
    ProtocolError,
    InvalidInput,
    Timeout,
    Aborted,
    Internal,
}

impl ErrorKind {
    /// Returns the stable code, as the TypeScript `NewEidError.code` shows it.
    pub fn code(self) -> &'static str {
        match self {
            Self::PcscUnavailable => "PCSC_UNAVAILABLE",
            Self::NoReader => "NO_READER",
            Self::ReaderNotFound => "READER_NOT_FOUND",
            Self::NoCard => "NO_CARD",
            Self::SeveralCards => "SEVERAL_CARDS",
            Self::NotNewEid => "NOT_NEW_EID",
            Self::CardRemoved | Self::CardReset => "CARD_REMOVED",
            Self::ReaderBusy => "READER_BUSY",
            Self::WrongCan => "WRONG_CAN",
            Self::WrongPin => "WRONG_PIN",
            Self::PinSuspended => "PIN_SUSPENDED",
            Self::PinBlocked => "PIN_BLOCKED",
            Self::SecureMessagingFailed => "SECURE_MESSAGING_FAILED",
            Self::AccessDenied => "ACCESS_DENIED",
            Self::CardError => "CARD_ERROR",
            Self::ProtocolError => "PROTOCOL_ERROR",
            Self::InvalidInput => "INVALID_INPUT",
            Self::Timeout => "TIMEOUT",
            Self::Aborted => "ABORTED",
            Self::Internal => "INTERNAL",
        }
    }
}

/// State of PIN1 as the card reported it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinState {
    Active,
    Suspended,
    Blocked,
    Deactivated,
}

impl PinState {
    pub fn name(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Blocked => "blocked",
            Self::Deactivated => "deactivated",
        }
    }
}

/// A card-access failure. It carries codes, step names, status words, counts
/// and reader names, never a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    /// The failing step, such as `pace.mutual_authenticate` or `read.dg7`.
    pub step: Option<String>,
    pub sw: Option<StatusWord>,
    pub retries_left: Option<u8>,
    pub pin_state: Option<PinState>,
    pub reader: Option<String>,
    /// A technical detail in English (a PC/SC error text, a codec error).
    pub detail: Option<String>,
    /// The readers concerned, for `SeveralCards`.
    pub readers: Vec<String>,
}

impl Error {
    pub fn new(kind: ErrorKind) -> Self {
        Self {
            kind,
            step: None,
            sw: None,
            retries_left: None,
            pin_state: None,
            reader: None,
            detail: None,
            readers: Vec::new(),
        }
    }

    #[must_use]
    pub fn at(mut self, step: impl Into<String>) -> Self {
        self.step.get_or_insert_with(|| step.into());
        self
    }

    #[must_use]
    pub fn with_sw(mut self, sw: StatusWord) -> Self {
        self.sw = Some(sw);
        self
    }

    #[must_use]
    pub fn with_reader(mut self, reader: impl Into<String>) -> Self {
        self.reader.get_or_insert_with(|| reader.into());
        self
    }

    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    #[must_use]
    pub fn with_readers(mut self, readers: Vec<String>) -> Self {
        self.readers = readers;
        self
    }

    #[must_use]
    pub fn with_pin(mut self, retries_left: u8, state: PinState) -> Self {
        self.retries_left = Some(retries_left);
        self.pin_state = Some(state);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.code())?;
        if let Some(step) = &self.step {
            write!(f, " at {step}")?;
        }
        if let Some(sw) = self.sw {
            write!(f, " (status word {sw})")?;
        }
        if let Some(reader) = &self.reader {
            write!(f, " in reader {reader:?}")?;
        }
        if !self.readers.is_empty() {
            write!(f, " (readers: {})", self.readers.join(", "))?;
        }
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<neweid_core::Error> for Error {
    fn from(error: neweid_core::Error) -> Self {
        use neweid_core::{Error as Core, ProtocolViolation as Violation};
        let kind = match &error {
            Core::Protocol(
                Violation::SecureMessagingMacMissing
                | Violation::SecureMessagingMacInvalid
                | Violation::SecureMessagingStatusMissing
                | Violation::SecureMessagingStatusMismatch
                | Violation::SecureMessagingUnexpectedObject { .. }
                | Violation::SecureMessagingPaddingInvalid
                | Violation::SecureMessagingCounterExhausted,
            ) => ErrorKind::SecureMessagingFailed,
            Core::Protocol(_) | Core::Codec(_) => ErrorKind::ProtocolError,
            Core::CardStatus { sw, .. } => {
                return Self::new(ErrorKind::CardError)
                    .with_sw(*sw)
                    .with_detail(error.to_string())
            }
            Core::ApiMisuse(_) => ErrorKind::InvalidInput,
            _ => ErrorKind::Internal,
        };
        Self::new(kind).with_detail(error.to_string())
    }
}

impl From<neweid_core::CodecError> for Error {
    fn from(error: neweid_core::CodecError) -> Self {
        Self::new(ErrorKind::ProtocolError).with_detail(error.to_string())
    }
}

impl From<pcsc::Error> for Error {
    fn from(error: pcsc::Error) -> Self {
        use pcsc::Error as P;
        let kind = match error {
            P::NoService | P::ServiceStopped | P::InvalidHandle => ErrorKind::PcscUnavailable,
            P::NoReadersAvailable => ErrorKind::NoReader,
            P::UnknownReader | P::ReaderUnavailable => ErrorKind::ReaderNotFound,
            P::NoSmartcard => ErrorKind::NoCard,
            P::RemovedCard | P::UnpoweredCard | P::UnresponsiveCard => ErrorKind::CardRemoved,
            // A protocol mismatch in the middle of an operation means that
            // another program reset the card and the protocol was negotiated anew.
            P::ResetCard | P::ProtoMismatch => ErrorKind::CardReset,
            P::SharingViolation => ErrorKind::ReaderBusy,
            P::Timeout => ErrorKind::Timeout,
            P::Cancelled => ErrorKind::Aborted,
            P::UnsupportedCard | P::CardUnsupported => ErrorKind::NotNewEid,
            _ => ErrorKind::Internal,
        };
        let mut converted = Self::new(kind).with_detail(error.to_string());
        if kind == ErrorKind::PcscUnavailable {
            if let Some(reason) = crate::pcsc::library_load_error() {
                converted.detail = Some(format!("the PC/SC library could not be loaded: {reason}"));
            }
        }
        converted
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
