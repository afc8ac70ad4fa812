//! The link to vsmartcard's virtual reader driver (vpcd), so that pcscd
//! shows the virtual card in a real PC/SC reader.
//!
//! vpcd listens on TCP (127.0.0.1:35963 for reader "Virtual PCD 00 00",
//! 35964 for "Virtual PCD 00 01"); the card connects as the client. Every
//! message in both directions is a 2-byte big-endian length and a payload. A
//! 1-byte payload from vpcd is a control code (0 power off, 1 power on,
//! 2 reset, 4 send the ATR); any longer payload is a command APDU, answered
//! with the response APDU. Closing the connection is how a card is pulled
//! from the reader; connecting again reinserts it.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::card::VirtualCard;

/// The port vpcd listens on for its first reader.
pub const DEFAULT_PORT: u16 = 35963;

const POWER_OFF: u8 = 0;
const POWER_ON: u8 = 1;
const RESET: u8 = 2;
const GET_ATR: u8 = 4;

/// The behaviour of a card when its fault fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultAction {
    /// The card leaves the reader without answering, as a holder pulling it
    /// out mid-command would.
    Pull,
    /// The card stays in the reader and never answers, as a broken card or
    /// reader would; it answers again only after `remove` and `insert`.
    Mute,
}

/// A rule that makes the card fail when a matching command arrives, to test
/// what the client does when a card disappears or hangs mid-operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommandFault {
    /// The instruction byte that triggers the fault, such as `0xB0` (READ BINARY).
    pub ins: u8,
    /// The P1 byte that must match too, such as `0x87` (READ BINARY of SFI 7).
    pub p1: Option<u8>,
    /// The count of matching commands at which the fault fires (1 = the first).
    pub occurrence: u32,
    pub action: FaultAction,
}

/// Shared state between the handle and the connector thread.
struct Control {
    stop: AtomicBool,
    inserted: AtomicBool,
    connected: AtomicBool,
    fault: Mutex<Option<CommandFault>>,
    stream: Mutex<Option<TcpStream>>,
    last_error: Mutex<Option<String>>,
}

/// A virtual card sitting in a vpcd reader. Dropping the handle pulls the
/// card and stops the connector thread.
pub struct VpcdCard {
    control: Arc<Control>,
    card: Arc<Mutex<VirtualCard>>,
    thread: Option<JoinHandle<()>>,
}

impl VpcdCard {
    /// Inserts `card` into the vpcd reader at `address` (for example
    /// `127.0.0.1:35963`). The connector retries until vpcd accepts, so the
    /// card may start before pcscd.
    pub fn start(card: VirtualCard, address: &str) -> io::Result<Self> {
        let address = address
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("no address for {address}")))?;
        let control = Arc::new(Control {
            stop: AtomicBool::new(false),
            inserted: AtomicBool::new(true),
            connected: AtomicBool::new(false),
            fault: Mutex::new(None),
            stream: Mutex::new(None),
            last_error: Mutex::new(None),
        });
        let card = Arc::new(Mutex::new(card));
        let thread = {
            let control = Arc::clone(&control);
            let card = Arc::clone(&card);
            std::thread::Builder::new()
                .name(format!("vpcd {address}"))
                .spawn(move || run(&control, &card, address))?
        };
        Ok(Self {
            control,
            card,
            thread: Some(thread),
        })
    }

    /// Tells whether vpcd has accepted the connection (the card is in the reader).
    pub fn is_connected(&self) -> bool {
        self.control.connected.load(Ordering::SeqCst)
    }

    /// Returns a check of [`VpcdCard::is_connected`] that another thread can own.
    pub fn presence_probe(&self) -> impl Fn() -> bool + Send + 'static {
        let control = Arc::clone(&self.control);
        move || control.connected.load(Ordering::SeqCst)
    }

    /// Waits until the card is in the reader, or `timeout` passes.
    pub fn wait_connected(&self, timeout: Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < deadline {
            if self.is_connected() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.is_connected()
    }

    /// Pulls the card from the reader.
    pub fn remove(&self) {
        self.control.inserted.store(false, Ordering::SeqCst);
        disconnect(&self.control);
    }

    /// Puts the card back: it reconnects and powers up with its secure
    /// messaging state cleared, as a real card would.
    pub fn insert(&self) {
        self.control.inserted.store(true, Ordering::SeqCst);
    }

    /// Arms a fault that fires when a matching command arrives.
    pub fn set_command_fault(&self, fault: Option<CommandFault>) {
        *lock(&self.control.fault) = fault;
    }

    /// Returns the last connection error, for diagnostics (vpcd not listening, ...).
    pub fn last_error(&self) -> Option<String> {
        lock(&self.control.last_error).clone()
    }

    /// Returns the card itself, for inspecting state in tests.
    pub fn card(&self) -> Arc<Mutex<VirtualCard>> {
        Arc::clone(&self.card)
    }

    /// Pulls the card and ends the connector thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.control.stop.store(true, Ordering::SeqCst);
        disconnect(&self.control);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for VpcdCard {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding these locks leaves plain data behind, which is
    // still consistent enough for the next user.
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn disconnect(control: &Control) {
    if let Some(stream) = lock(&control.stream).take() {
        let _ = stream.shutdown(Shutdown::Both);
    }
    control.connected.store(false, Ordering::SeqCst);
}

fn run(control: &Control, card: &Mutex<VirtualCard>, address: std::net::SocketAddr) {
    while !control.stop.load(Ordering::SeqCst) {
        if !control.inserted.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        match TcpStream::connect_timeout(&address, Duration::from_millis(500)) {
            Ok(stream) => {
                let _ = stream.set_nodelay(true);
                // A short read timeout lets the loop notice stop and remove requests.
                let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
                let reader = match stream.try_clone() {
                    Ok(reader) => reader,
                    Err(error) => {
                        *lock(&control.last_error) = Some(error.to_string());
                        continue;
                    }
                };
                *lock(&control.stream) = Some(stream);
                control.connected.store(true, Ordering::SeqCst);
                lock(card).power_off();
                if let Err(error) = serve(control, card, reader) {
                    *lock(&control.last_error) = Some(error.to_string());
                }
                disconnect(control);
                lock(card).power_off();
            }
            Err(error) => {
                *lock(&control.last_error) = Some(format!("cannot reach vpcd at {address}: {error}"));
                std::thread::sleep(Duration::from_millis(250));
            }
        }
    }
}

/// Reads exactly `buffer.len()` bytes, retrying on read timeouts until
/// stop or removal is requested. Returns `Ok(false)` when it should stop.
fn read_exact_or_stop(control: &Control, stream: &mut TcpStream, buffer: &mut [u8]) -> io::Result<bool> {
    let mut filled = 0;
    while filled < buffer.len() {
        if control.stop.load(Ordering::SeqCst) || !control.inserted.load(Ordering::SeqCst) {
            return Ok(false);
        }
        match stream.read(buffer.get_mut(filled..).unwrap_or_default()) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "vpcd closed the connection",
                ))
            }
            Ok(count) => filled += count,
            Err(error) if matches!(error.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {}
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(true)
}

fn send(stream: &mut TcpStream, payload: &[u8]) -> io::Result<()> {
    let length = u16::try_from(payload.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "response longer than vpcd can carry"))?;
    let mut message = Vec::with_capacity(payload.len() + 2);
    message.extend_from_slice(&length.to_be_bytes());
    message.extend_from_slice(payload);
    stream.write_all(&message)
}

fn serve(control: &Control, card: &Mutex<VirtualCard>, mut stream: TcpStream) -> io::Result<()> {
    let mut matches_seen: u32 = 0;
    loop {
        let mut header = [0u8; 2];
        if !read_exact_or_stop(control, &mut stream, &mut header)? {
            return Ok(());
        }
        let length = usize::from(u16::from_be_bytes(header));

        let mut payload = vec![0u8; length];
        if !read_exact_or_stop(control, &mut stream, &mut payload)? {
            return Ok(());
        }
        match payload.as_slice() {
            [POWER_OFF] => lock(card).power_off(),
            [POWER_ON] | [RESET] => lock(card).reset(),
            [GET_ATR] => {
                let atr = lock(card).atr().to_vec();
                send(&mut stream, &atr)?;
            }
            [_] => {}
            command => {
                // Copy the fault out so that the lock is released before the
                // branch below takes it again.
                let armed = *lock(&control.fault);
                if let Some(fault) = armed {
                    let matches =
                        command.get(1) == Some(&fault.ins) && fault.p1.is_none_or(|p1| command.get(2) == Some(&p1));
                    if matches {
                        matches_seen += 1;
                        if matches_seen == fault.occurrence {
                            *lock(&control.fault) = None;
                            if fault.action == FaultAction::Mute {
                                // Keep the connection and never answer, until
                                // the card is removed or stopped.
                                while !control.stop.load(Ordering::SeqCst) && control.inserted.load(Ordering::SeqCst) {
                                    std::thread::sleep(Duration::from_millis(20));
                                }
                            }
                            control.inserted.store(false, Ordering::SeqCst);
                            return Ok(());
                        }
                    }
                }
                let response = lock(card).process(command);
                send(&mut stream, &response)?;
            }
        }
    }
}
