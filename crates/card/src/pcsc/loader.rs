//! Run-time loading of the PC/SC library on Linux and the other Unix systems
//! that use pcsc-lite.
//!
//! The `pcsc` crate declares the PC/SC functions as plain `extern` symbols and
//! its build script would link `libpcsclite`, which makes the whole addon
//! fail to load on a server without that library. The workspace's
//! `.cargo/config.toml` overrides that build script to link nothing, and this
//! module defines the symbols instead: each one loads `libpcsclite.so.1` on
//! first use and forwards the call. When the library cannot be loaded, every
//! call answers `SCARD_E_NO_SERVICE`, which the caller reports as "PC/SC
//! service unavailable", and everything else in the addon keeps working.
//!
//! `NEWEID_PCSC_LIBRARY` names another library file to load (a test uses it to
//! simulate a machine without PC/SC).
#![allow(unsafe_code, non_snake_case, non_upper_case_globals, unreachable_pub)]

use std::ffi::c_void;
use std::os::raw::c_char;
use std::sync::OnceLock;

use pcsc::ffi::{DWORD, LONG, SCARDCONTEXT, SCARDHANDLE, SCARD_IO_REQUEST, SCARD_READERSTATE};

const DEFAULT_LIBRARY: &str = "libpcsclite.so.1";

/// `SCARD_E_NO_SERVICE`. pcsc-lite writes its codes as unsigned hexadecimal
/// constants, so on 64-bit systems the `long` value is positive.
const NO_SERVICE: LONG = pcsc::ffi::SCARD_E_NO_SERVICE;

/// Protocol control information for `SCardTransmit`, as pcsc-lite defines it:
/// the protocol and the size of the structure.
const PCI_LENGTH: DWORD = std::mem::size_of::<SCARD_IO_REQUEST>() as DWORD;

#[no_mangle]
pub static g_rgSCardT0Pci: SCARD_IO_REQUEST = SCARD_IO_REQUEST {
    dwProtocol: 1,
    cbPciLength: PCI_LENGTH,
};
#[no_mangle]
pub static g_rgSCardT1Pci: SCARD_IO_REQUEST = SCARD_IO_REQUEST {
    dwProtocol: 2,
    cbPciLength: PCI_LENGTH,
};
#[no_mangle]
pub static g_rgSCardRawPci: SCARD_IO_REQUEST = SCARD_IO_REQUEST {
    dwProtocol: 4,
    cbPciLength: PCI_LENGTH,
};

struct Library {
    // Kept so that the function pointers below stay valid.
    _library: libloading::Library,
    establish_context: unsafe extern "C" fn(DWORD, *const c_void, *const c_void, *mut SCARDCONTEXT) -> LONG,
    release_context: unsafe extern "C" fn(SCARDCONTEXT) -> LONG,
    is_valid_context: unsafe extern "C" fn(SCARDCONTEXT) -> LONG,
    cancel: unsafe extern "C" fn(SCARDCONTEXT) -> LONG,
    connect: unsafe extern "C" fn(SCARDCONTEXT, *const c_char, DWORD, DWORD, *mut SCARDHANDLE, *mut DWORD) -> LONG,
    reconnect: unsafe extern "C" fn(SCARDHANDLE, DWORD, DWORD, DWORD, *mut DWORD) -> LONG,
    disconnect: unsafe extern "C" fn(SCARDHANDLE, DWORD) -> LONG,
    get_status_change: unsafe extern "C" fn(SCARDCONTEXT, DWORD, *mut SCARD_READERSTATE, DWORD) -> LONG,
    list_readers: unsafe extern "C" fn(SCARDCONTEXT, *const c_char, *mut c_char, *mut DWORD) -> LONG,
    begin_transaction: unsafe extern "C" fn(SCARDHANDLE) -> LONG,
    end_transaction: unsafe extern "C" fn(SCARDHANDLE, DWORD) -> LONG,
    status:
        unsafe extern "C" fn(SCARDHANDLE, *mut c_char, *mut DWORD, *mut DWORD, *mut DWORD, *mut u8, *mut DWORD) -> LONG,
    get_attrib: unsafe extern "C" fn(SCARDHANDLE, DWORD, *mut u8, *mut DWORD) -> LONG,
    set_attrib: unsafe extern "C" fn(SCARDHANDLE, DWORD, *const u8, DWORD) -> LONG,
    transmit: unsafe extern "C" fn(
        SCARDHANDLE,
        *const SCARD_IO_REQUEST,
        *const u8,
        DWORD,
        *mut SCARD_IO_REQUEST,
        *mut u8,
        *mut DWORD,
    ) -> LONG,
    control: unsafe extern "C" fn(SCARDHANDLE, DWORD, *const u8, DWORD, *mut u8, DWORD, *mut DWORD) -> LONG,
}

static LIBRARY: OnceLock<Result<Library, String>> = OnceLock::new();

fn load() -> Result<Library, String> {
    let name = std::env::var("NEWEID_PCSC_LIBRARY").unwrap_or_else(|_| DEFAULT_LIBRARY.to_string());
    // SAFETY: loading pcsc-lite runs only its ELF constructors, which set up
    // nothing beyond its own state.
    let library = unsafe { libloading::Library::new(&name) }.map_err(|error| format!("{name}: {error}"))?;
    macro_rules! symbol {
        ($name:literal) => {
            // SAFETY: the field types above match the prototypes of
            // pcsc-lite's winscard.h, from which the pcsc-sys declarations
            // these symbols replace are also taken.
            *unsafe { library.get($name) }
                .map_err(|error| format!("{name}: {}: {error}", String::from_utf8_lossy($name)))?
        };
    }
    Ok(Library {
        establish_context: symbol!(b"SCardEstablishContext"),
        release_context: symbol!(b"SCardReleaseContext"),
        is_valid_context: symbol!(b"SCardIsValidContext"),
        cancel: symbol!(b"SCardCancel"),
        connect: symbol!(b"SCardConnect"),
        reconnect: symbol!(b"SCardReconnect"),
        disconnect: symbol!(b"SCardDisconnect"),
        get_status_change: symbol!(b"SCardGetStatusChange"),
        list_readers: symbol!(b"SCardListReaders"),
        begin_transaction: symbol!(b"SCardBeginTransaction"),
        end_transaction: symbol!(b"SCardEndTransaction"),
        status: symbol!(b"SCardStatus"),
        get_attrib: symbol!(b"SCardGetAttrib"),
        set_attrib: symbol!(b"SCardSetAttrib"),
        transmit: symbol!(b"SCardTransmit"),
        control: symbol!(b"SCardControl"),
        _library: library,
    })
}

fn library() -> Option<&'static Library> {
    LIBRARY.get_or_init(load).as_ref().ok()
}

/// Returns why the PC/SC library could not be loaded, or `None` if it was.
pub fn load_error() -> Option<&'static str> {
    LIBRARY.get_or_init(load).as_ref().err().map(String::as_str)
}

macro_rules! forward {
    ($name:ident => $field:ident ( $( $arg:ident : $ty:ty ),* )) => {
        #[no_mangle]
        pub unsafe extern "C" fn $name($( $arg: $ty ),*) -> LONG {
            match library() {
                // SAFETY: the caller upholds the contract of the pcsc-lite
                // function, whose prototype this one repeats.
                Some(library) => unsafe { (library.$field)($( $arg ),*) },
                None => NO_SERVICE,
            }
        }
    };
}

forward!(SCardEstablishContext => establish_context(scope: DWORD, reserved1: *const c_void, reserved2: *const c_void, context: *mut SCARDCONTEXT));
forward!(SCardReleaseContext => release_context(context: SCARDCONTEXT));
forward!(SCardIsValidContext => is_valid_context(context: SCARDCONTEXT));
forward!(SCardCancel => cancel(context: SCARDCONTEXT));
forward!(SCardConnect => connect(context: SCARDCONTEXT, reader: *const c_char, share_mode: DWORD, protocols: DWORD, card: *mut SCARDHANDLE, active_protocol: *mut DWORD));
forward!(SCardReconnect => reconnect(card: SCARDHANDLE, share_mode: DWORD, protocols: DWORD, initialization: DWORD, active_protocol: *mut DWORD));
forward!(SCardDisconnect => disconnect(card: SCARDHANDLE, disposition: DWORD));
forward!(SCardGetStatusChange => get_status_change(context: SCARDCONTEXT, timeout: DWORD, states: *mut SCARD_READERSTATE, count: DWORD));
forward!(SCardListReaders => list_readers(context: SCARDCONTEXT, groups: *const c_char, readers: *mut c_char, length: *mut DWORD));
forward!(SCardBeginTransaction => begin_transaction(card: SCARDHANDLE));
forward!(SCardEndTransaction => end_transaction(card: SCARDHANDLE, disposition: DWORD));
forward!(SCardStatus => status(card: SCARDHANDLE, reader: *mut c_char, reader_length: *mut DWORD, state: *mut DWORD, protocol: *mut DWORD, atr: *mut u8, atr_length: *mut DWORD));
forward!(SCardGetAttrib => get_attrib(card: SCARDHANDLE, attribute: DWORD, buffer: *mut u8, length: *mut DWORD));
forward!(SCardSetAttrib => set_attrib(card: SCARDHANDLE, attribute: DWORD, buffer: *const u8, length: DWORD));
forward!(SCardTransmit => transmit(card: SCARDHANDLE, send_pci: *const SCARD_IO_REQUEST, send: *const u8, send_length: DWORD, receive_pci: *mut SCARD_IO_REQUEST, receive: *mut u8, receive_length: *mut DWORD));
forward!(SCardControl => control(card: SCARDHANDLE, code: DWORD, send: *const u8, send_length: DWORD, receive: *mut u8, receive_capacity: DWORD, returned: *mut DWORD));
