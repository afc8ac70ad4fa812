//! Card access for the Taiwan New eID card: the transport to a reader (PC/SC
//! or the virtual card in the same process) and the card session that
//! selects, runs PACE and reads files.

pub mod error;
pub mod open_api;
pub mod pace;
pub mod pcsc;
pub mod session;
pub mod transport;

pub use error::{Error, ErrorKind, PinState, Result};
pub use transport::Transport;
