//! Card sources: the PC/SC readers, plus virtual cards inserted in this
//! process (for the demo and for tests on machines without pcscd).

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use neweid_card::open_api::{self, LabelRead};
use neweid_card::pcsc::{self, PcscCard, ReaderInfo};
use neweid_card::session::Session;
use neweid_card::{Error, ErrorKind, Result, Transport};
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
    // A PC/SC reader of the same name would become unreachable by name.
    if let Ok(pcsc_readers) = pcsc::list_readers() {
        if pcsc_readers.iter().any(|reader| reader.name == name) {
            return Err(Error::new(ErrorKind::InvalidInput)
                .with_reader(name)
                .with_detail("a PC/SC reader of this name exists; choose another name"));
        }
    }
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

/// How often an operation starts again when another program reset the card
/// under it: each attempt runs the whole operation on a fresh connection,
/// which is safe because the operations only read.
const ATTEMPTS_AFTER_RESET: usize = 3;

/// How long [`probe`] waits for a reader to respond before leaving it out.
const PROBE_TIME: Duration = Duration::from_secs(5);

/// Returns the lock of a PC/SC reader, so that operations of this process on the
/// same card run one after another instead of resetting each other.
fn reader_lock(name: &str) -> Arc<Mutex<()>> {
    static LOCKS: OnceLock<Mutex<BTreeMap<String, Arc<Mutex<()>>>>> = OnceLock::new();
    let mut locks = lock(LOCKS.get_or_init(|| Mutex::new(BTreeMap::new())));
    Arc::clone(locks.entry(name.to_string()).or_default())
}

/// Runs `operation` on a fresh session with the card in `reader`. An
/// in-process card is reset before and after, as a power cycle would; a PC/SC
/// card is left as it is (see `PcscCard::disconnect`).
pub(crate) fn with_session<T>(
    reader: &str,
    cancel: Option<&AtomicBool>,
    mut operation: impl FnMut(&mut Session<'_>) -> Result<T>,
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

    let reader_lock = reader_lock(reader);
    let _serialized = lock(&reader_lock);
    let mut attempt = 1;
    loop {
        let mut connection = PcscCard::connect(reader).map_err(|error| error.with_reader(reader))?;
        let result = connection.with_transaction(|transport| operation(&mut Session::new(transport, cancel)));
        connection.disconnect();
        match result {
            Err(error) if error.kind == ErrorKind::CardReset && attempt < ATTEMPTS_AFTER_RESET => attempt += 1,
            other => return other.map_err(|error| error.with_reader(reader)),
        }
    }
}

/// Runs `operation` on every reader in `names` in parallel, each on its own
/// thread, and returns the outcomes that arrived within [`PROBE_TIME`]. A
/// reader whose card never responds is left out with a `Timeout` error, and
/// its thread is abandoned.
fn probe<T: Send + 'static>(
    names: Vec<String>,
    cancel: Option<Arc<AtomicBool>>,
    operation: fn(&mut Session<'_>) -> Result<T>,
) -> Vec<(String, Result<T>)> {
    let (sender, receiver) = mpsc::channel();
    for name in &names {
        let thread_sender = sender.clone();
        let thread_name = name.clone();
        let cancel = cancel.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("neweid probe {name}"))
            .spawn(move || {
                let outcome = with_session(&thread_name, cancel.as_deref(), operation);
                // The receiver is gone when the probe time ran out; nothing to do then.
                let _ = thread_sender.send((thread_name, outcome));
            });
        if let Err(error) = spawned {
            let _ = sender.send((
                name.clone(),
                Err(Error::new(ErrorKind::Internal).with_detail(error.to_string())),
            ));
        }
    }
    drop(sender);

    let deadline = Instant::now() + PROBE_TIME;
    let mut outcomes = Vec::new();
    while outcomes.len() < names.len() {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            break;
        };
        match receiver.recv_timeout(left) {
            Ok(outcome) => outcomes.push(outcome),
            Err(_) => break,
        }
    }
    for name in names {
        if !outcomes.iter().any(|(answered, _)| *answered == name) {
            let error = Error::new(ErrorKind::Timeout)
                .with_reader(name.clone())
                .with_detail("the card did not answer");
            outcomes.push((name, Err(error)));
        }
    }
    outcomes
}

/// Reads EF.Label from every reader that contains a card, in parallel, and
/// returns the New eID cards found, in reader order. Other cards, readers in
/// use by another program and cards that do not respond are left out.
pub(crate) fn new_eid_labels(cancel: Option<Arc<AtomicBool>>) -> Result<Vec<(String, LabelRead)>> {
    let names: Vec<String> = list()?
        .into_iter()
        .filter(|(info, _)| info.card_present)
        .map(|(info, _)| info.name)
        .collect();
    let mut found = Vec::new();
    let mut outcomes = probe(names.clone(), cancel, open_api::read_label);
    outcomes.sort_by_key(|(name, _)| names.iter().position(|candidate| candidate == name));
    for (name, outcome) in outcomes {
        match outcome {
            Ok(label) => found.push((name, label)),
            Err(error) if error.kind == ErrorKind::Aborted => return Err(error),
            Err(_) => {}
        }
    }
    Ok(found)
}

/// Picks the reader for an operation: the one named, or else the only
/// reader holding a New eID card, judged as `listEIDs` judges it (the card
/// answers the New eID AID and has a valid EF.Label). Several New eID cards
/// without a name is an error that lists their readers.
pub(crate) fn resolve(requested: Option<&str>, cancel: Option<Arc<AtomicBool>>) -> Result<String> {
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
    let with_card: Vec<String> = readers
        .into_iter()
        .filter(|(info, _)| info.card_present)
        .map(|(info, _)| info.name)
        .collect();
    if with_card.is_empty() {
        return Err(Error::new(ErrorKind::NoCard));
    }
    let mut new_eid = Vec::new();
    let mut last_error = None;
    let mut outcomes = probe(with_card.clone(), cancel, open_api::read_label);
    outcomes.sort_by_key(|(name, _)| with_card.iter().position(|candidate| candidate == name));
    for (name, outcome) in outcomes {
        match outcome {
            Ok(_) => new_eid.push(name),
            // A reader that cannot be used now (busy, card pulled, mute) is
            // left out; if no reader remains, its error explains why.
            Err(error) if error.kind == ErrorKind::Aborted => return Err(error),
            Err(error) if error.kind == ErrorKind::NotNewEid => {
                last_error.get_or_insert(error);
            }
            Err(error) => last_error = Some(error),
        }
    }
    match new_eid.len() {
        0 => Err(last_error.unwrap_or_else(|| {
            let reader = with_card.first().cloned().unwrap_or_default();
            Error::new(ErrorKind::NotNewEid).with_reader(reader)
        })),
        1 => Ok(new_eid.remove(0)),
        _ => Err(Error::new(ErrorKind::SeveralCards).with_readers(new_eid)),
    }
}
