//! Card sources: the PC/SC readers, plus virtual cards inserted in this
//! process (for the demo and for tests on machines without pcscd).

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, OnceLock};

use neweid_card::pcsc::{self, PcscCard, ReaderInfo};
use neweid_card::session::Session;
use neweid_card::{open_api, Error, ErrorKind, Result, Transport};
use neweid_sim::card::VirtualCard;

/// A virtual card in a reader of this process. `None` when it was pulled.
pub(crate) type InProcessSlot = Arc<Mutex<Option<VirtualCard>>>;

fn registry() -> &'static Mutex<BTreeMap<String, InProcessSlot>> {
    static REGISTRY: OnceLock<Mutex<BTreeMap<String, InProcessSlot>>> = OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(BTreeMap::new()))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Adds an in-process reader holding `card`. Fails if the name is taken.
pub(crate) fn insert_in_process(name: &str, card: VirtualCard) -> Result<InProcessSlot> {
    let mut readers = lock(registry());
    if readers.contains_key(name) {
        return Err(Error::new(ErrorKind::InvalidInput)
            .with_reader(name)
            .with_detail("an in-process reader of this name exists"));
    }
    let slot = Arc::new(Mutex::new(Some(card)));
    readers.insert(name.to_string(), Arc::clone(&slot));
    Ok(slot)
}

/// Removes an in-process reader.
pub(crate) fn remove_in_process(name: &str) {
    lock(registry()).remove(name);
}

fn in_process(name: &str) -> Option<InProcessSlot> {
    lock(registry()).get(name).cloned()
}

/// Lists every reader: PC/SC readers first, then in-process ones. Without a PC/SC
/// service the in-process readers alone are listed; with neither, the PC/SC
/// error is returned.
pub(crate) fn list() -> Result<Vec<(ReaderInfo, bool)>> {
    let virtual_readers: Vec<(ReaderInfo, bool)> = lock(registry())
        .iter()
        .map(|(name, slot)| {
            let guard = lock(slot);
            let info = ReaderInfo {
                name: name.clone(),
                card_present: guard.is_some(),
                atr: guard.as_ref().map(|card| card.atr().to_vec()),
            };
            (info, true)
        })
        .collect();
    match pcsc::list_readers() {
        Ok(readers) => Ok(readers
            .into_iter()
            .map(|reader| (reader, false))
            .chain(virtual_readers)
            .collect()),
        Err(error) if error.kind == ErrorKind::PcscUnavailable && !virtual_readers.is_empty() => Ok(virtual_readers),
        Err(error) => Err(error),
    }
}

/// The transport to a virtual card in this process.
struct InProcessTransport<'a> {
    card: &'a mut VirtualCard,
    name: String,
}

impl Transport for InProcessTransport<'_> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>> {
        Ok(self.card.process(command))
    }

    fn reader_supports_extended_length(&self) -> Option<bool> {
        Some(true)
    }

    fn reader_name(&self) -> &str {
        &self.name
    }
}

/// Runs `operation` on a fresh session with the card in `reader`, and
/// resets the card afterwards so that no secure messaging session survives.
pub(crate) fn with_session<T>(
    reader: &str,
    cancel: Option<&AtomicBool>,
    operation: impl FnOnce(&mut Session<'_>) -> Result<T>,
) -> Result<T> {
    if let Some(slot) = in_process(reader) {
        let mut guard = lock(&slot);
        let card = guard
            .as_mut()
            .ok_or_else(|| Error::new(ErrorKind::NoCard).with_reader(reader))?;
        card.reset();
        let mut transport = InProcessTransport {
            card,
            name: reader.to_string(),
        };
        let result = operation(&mut Session::new(&mut transport, cancel));
        if let Some(card) = guard.as_mut() {
            card.reset();
        }
        return result.map_err(|error| error.with_reader(reader));
    }
    let mut connection = PcscCard::connect(reader)?;
    let result = connection.with_transaction(|transport| operation(&mut Session::new(transport, cancel)));
    connection.disconnect();
    result.map_err(|error| error.with_reader(reader))
}

/// Picks the reader for an operation: the one named, or else the only
/// reader holding a New eID card. Several New eID cards without a name is an
/// error that lists their readers.
pub(crate) fn resolve(requested: Option<&str>, cancel: Option<&AtomicBool>) -> Result<String> {
    let readers = list()?;
    if let Some(name) = requested {
        let (info, _) = readers
            .iter()
            .find(|(info, _)| info.name == name)
            .ok_or_else(|| Error::new(ErrorKind::ReaderNotFound).with_reader(name))?;
        if !info.card_present {
            return Err(Error::new(ErrorKind::NoCard).with_reader(name));
        }
        return Ok(name.to_string());
    }
    if readers.is_empty() {
        return Err(Error::new(ErrorKind::NoReader));
    }
    let with_card: Vec<&ReaderInfo> = readers
        .iter()
        .map(|(info, _)| info)
        .filter(|info| info.card_present)
        .collect();
    if with_card.is_empty() {
        return Err(Error::new(ErrorKind::NoCard));
    }
    let mut new_eid = Vec::new();
    let mut last_error = None;
    for info in &with_card {
        match with_session(&info.name, cancel, open_api::is_new_eid) {
            Ok(true) => new_eid.push(info.name.clone()),
            Ok(false) => {}
            // A reader that cannot be used now (busy, card pulled) is left
            // out; if no reader remains, its error explains why.
            Err(error) if error.kind == ErrorKind::Aborted => return Err(error),
            Err(error) => last_error = Some(error),
        }
    }
    match new_eid.len() {
        0 => Err(last_error.unwrap_or_else(|| {
            let reader = with_card.first().map(|info| info.name.clone()).unwrap_or_default();
            Error::new(ErrorKind::NotNewEid).with_reader(reader)
        })),
        1 => Ok(new_eid.remove(0)),
        _ => Err(Error::new(ErrorKind::SeveralCards).with_detail(format!("readers: {}", new_eid.join(", ")))),
    }
}
