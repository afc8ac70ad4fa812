//! The Open API as asynchronous tasks: every card operation runs on the
//! libuv thread pool, never on the JavaScript thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Buffer, Uint8Array};
use napi::{Env, Task};
use napi_derive::napi;
use neweid_card::open_api::{self, HouseholdRead, LabelRead, PublicRead};
use neweid_card::{Error, ErrorKind};
use neweid_core::secret::{Password, PasswordKind, SecretBytes};
use neweid_core::security_info::PaceInfo;
use zeroize::Zeroizing;

use crate::errors::{guard, to_js};
use crate::readers;

/// A flag that stops a card operation between two commands. The TypeScript
/// layer sets it when the caller's `AbortSignal` fires.
#[napi]
pub struct CancelToken {
    flag: Arc<AtomicBool>,
}

#[napi]
impl CancelToken {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self {
            flag: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Asks the operation to stop before its next command.
    #[napi]
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::SeqCst);
    }
}

/// Options every card operation takes.
#[napi(object)]
pub struct CardOperationOptions {
    /// The reader to use; by default, the only reader holding a New eID card.
    pub reader: Option<String>,
}

/// A reader and its card, as `ListCardTerminal` returns them.
#[napi(object)]
pub struct CardTerminal {
    pub name: String,
    pub card_present: bool,
    pub atr: Option<Buffer>,
    /// True for a virtual card inserted in this process.
    pub in_process: bool,
}

/// One PACE option of EF.CardAccess.
#[napi(object)]
pub struct PaceInfoObject {
    /// The protocol OID in dotted notation.
    pub protocol: String,
    /// The protocol name, such as `id-PACE-ECDH-GM-AES-CBC-CMAC-128`.
    pub protocol_name: String,
    pub version: u32,
    /// Standardised domain parameter ID (13 is brainpoolP256r1).
    pub parameter_id: Option<u32>,
    /// Whether this client can run it.
    pub supported: bool,
}

/// EF.Label of one card.
#[napi(object)]
pub struct LabelObject {
    pub reader: String,
    pub label: String,
    pub profile_version: String,
    pub flags: u32,
    pub raw: Buffer,
    pub pace_infos: Vec<PaceInfoObject>,
    pub card_access: Buffer,
}

/// DG1, with the CNS text fields still encoded.
#[napi(object)]
pub struct HouseholdObject {
    pub reader: String,
    pub county: Buffer,
    pub township: Buffer,
    pub village: Buffer,
    pub neighbourhood: String,
    pub raw: Buffer,
}

/// One data group exactly as read.
#[napi(object)]
pub struct DataGroupObject {
    pub number: u32,
    pub bytes: Buffer,
}

/// The PACE variant that ran.
#[napi(object)]
pub struct PaceObject {
    pub protocol: String,
    pub protocol_name: String,
    pub parameter_id: u32,
}

/// The public area, with the CNS text fields still encoded and dates as
/// `YYYY-MM-DD`.
#[napi(object)]
pub struct PublicDataObject {
    pub reader: String,
    pub name: Buffer,
    pub romanized_name: Option<String>,
    pub id_number: String,
    pub birth_date: String,
    pub has_spouse: bool,
    pub card_number: String,
    pub card_made_date: String,
    pub renew_by_date: String,
    pub address: Buffer,
    pub military_service: Buffer,
    pub photo_media_type: String,
    pub photo: Buffer,
    pub active_authentication_key: Buffer,
    pub data_groups: Vec<DataGroupObject>,
    pub sod: Buffer,
    pub card_access: Buffer,
    pub card_security: Buffer,
    pub pace: PaceObject,
    pub extended_length: bool,
}

fn date(date: neweid_core::profile::Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year, date.month, date.day)
}

fn pace_info_object(info: &PaceInfo) -> PaceInfoObject {
    PaceInfoObject {
        protocol: info.protocol.to_string(),
        protocol_name: info.protocol_name().to_string(),
        version: info.version as u32,
        parameter_id: info.parameter_id.map(|id| id as u32),
        supported: info.is_supported(),
    }
}

fn run_with_reader<T>(
    reader: &Option<String>,
    cancel: &Option<Arc<AtomicBool>>,
    operation: impl FnOnce(&mut neweid_card::session::Session<'_>) -> neweid_card::Result<T>,
) -> napi::Result<(String, T)> {
    guard(|| {
        let cancel = cancel.as_deref();
        let name = readers::resolve(reader.as_deref(), cancel).map_err(|error| to_js(&error))?;
        let output = readers::with_session(&name, cancel, operation).map_err(|error| to_js(&error))?;
        Ok((name, output))
    })
}

pub struct ListTerminalsTask;

impl Task for ListTerminalsTask {
    type Output = Vec<(neweid_card::pcsc::ReaderInfo, bool)>;
    type JsValue = Vec<CardTerminal>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        guard(|| readers::list().map_err(|error| to_js(&error)))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output
            .into_iter()
            .map(|(info, in_process)| CardTerminal {
                name: info.name,
                card_present: info.card_present,
                atr: info.atr.map(Buffer::from),
                in_process,
            })
            .collect())
    }
}

/// Lists the readers, PC/SC and in-process, and whether each contains a card.
#[napi(ts_return_type = "Promise<Array<CardTerminal>>")]
pub fn list_card_terminals() -> AsyncTask<ListTerminalsTask> {
    AsyncTask::new(ListTerminalsTask)
}

fn label_object(reader: String, read: LabelRead) -> LabelObject {
    LabelObject {
        reader,
        label: read.label.label.clone(),
        profile_version: read.label.profile_version.clone(),
        flags: u32::from(read.label.flags),
        raw: read.raw.into(),
        pace_infos: read.pace_infos.iter().map(pace_info_object).collect(),
        card_access: read.card_access.into(),
    }
}

pub struct ListEidsTask {
    cancel: Option<Arc<AtomicBool>>,
}

impl Task for ListEidsTask {
    type Output = Vec<(String, LabelRead)>;
    type JsValue = Vec<LabelObject>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        guard(|| {
            let cancel = self.cancel.as_deref();
            let mut found = Vec::new();
            for (info, _) in readers::list().map_err(|error| to_js(&error))? {
                if !info.card_present {
                    continue;
                }
                match readers::with_session(&info.name, cancel, open_api::read_label) {
                    Ok(label) => found.push((info.name, label)),
                    Err(error) if error.kind == ErrorKind::Aborted => return Err(to_js(&error)),
                    // Other cards, and readers in use by another program,
                    // are simply not New eID cards available now.
                    Err(_) => {}
                }
            }
            Ok(found)
        })
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output
            .into_iter()
            .map(|(reader, read)| label_object(reader, read))
            .collect())
    }
}

/// Lists the readers that hold a New eID card, with each card's EF.Label.
#[napi(ts_return_type = "Promise<Array<LabelObject>>")]
pub fn list_eids(cancel: Option<&CancelToken>) -> AsyncTask<ListEidsTask> {
    AsyncTask::new(ListEidsTask {
        cancel: cancel.map(|token| Arc::clone(&token.flag)),
    })
}

pub struct LabelTask {
    reader: Option<String>,
    cancel: Option<Arc<AtomicBool>>,
}

impl Task for LabelTask {
    type Output = (String, LabelRead);
    type JsValue = LabelObject;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        run_with_reader(&self.reader, &self.cancel, open_api::read_label)
    }

    fn resolve(&mut self, _env: Env, (reader, read): Self::Output) -> napi::Result<Self::JsValue> {
        Ok(label_object(reader, read))
    }
}

/// Reads EF.Label and the PACE options of EF.CardAccess.
#[napi(ts_return_type = "Promise<LabelObject>")]
pub fn read_label(options: Option<CardOperationOptions>, cancel: Option<&CancelToken>) -> AsyncTask<LabelTask> {
    AsyncTask::new(LabelTask {
        reader: options.and_then(|options| options.reader),
        cancel: cancel.map(|token| Arc::clone(&token.flag)),
    })
}

pub struct HouseholdTask {
    reader: Option<String>,
    cancel: Option<Arc<AtomicBool>>,
}

impl Task for HouseholdTask {
    type Output = (String, HouseholdRead);
    type JsValue = HouseholdObject;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        run_with_reader(&self.reader, &self.cancel, open_api::read_household)
    }

    fn resolve(&mut self, _env: Env, (reader, read): Self::Output) -> napi::Result<Self::JsValue> {
        let address = read.address;
        Ok(HouseholdObject {
            reader,
            county: address.county.0.clone().into(),
            township: address.township.0.clone().into(),
            village: address.village.0.clone().into(),
            neighbourhood: address.neighbourhood.clone(),
            raw: read.raw.into(),
        })
    }
}

/// Reads DG1, the household area.
#[napi(ts_return_type = "Promise<HouseholdObject>")]
pub fn read_household(options: Option<CardOperationOptions>, cancel: Option<&CancelToken>) -> AsyncTask<HouseholdTask> {
    AsyncTask::new(HouseholdTask {
        reader: options.and_then(|options| options.reader),
        cancel: cancel.map(|token| Arc::clone(&token.flag)),
    })
}

pub struct PublicTask {
    reader: Option<String>,
    cancel: Option<Arc<AtomicBool>>,
    can: Zeroizing<Vec<u8>>,
}

impl Task for PublicTask {
    type Output = (String, PublicRead);
    type JsValue = PublicDataObject;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let can = Password::new(PasswordKind::Can, SecretBytes::copy_from(&self.can));
        run_with_reader(&self.reader, &self.cancel, |session| {
            open_api::read_public(session, &can)
        })
    }

    fn resolve(&mut self, _env: Env, (reader, read): Self::Output) -> napi::Result<Self::JsValue> {
        let data = &read.data;
        Ok(PublicDataObject {
            reader,
            name: data.name.0.clone().into(),
            romanized_name: data.romanized_name.clone(),
            id_number: data.id_number.clone(),
            birth_date: date(data.birth_date),
            has_spouse: data.has_spouse,
            card_number: data.card_number.clone(),
            card_made_date: date(data.card_made_date),
            renew_by_date: date(data.renew_by_date),
            address: data.address.0.clone().into(),
            military_service: data.military_service.0.clone().into(),
            photo_media_type: data.photo.media_type.clone(),
            photo: data.photo.bytes.clone().into(),
            active_authentication_key: data.active_authentication_key.clone().into(),
            data_groups: read
                .data_groups
                .iter()
                .map(|(number, bytes)| DataGroupObject {
                    number: u32::from(*number),
                    bytes: bytes.clone().into(),
                })
                .collect(),
            sod: read.sod.clone().into(),
            card_access: read.card_access.clone().into(),
            card_security: read.card_security.clone().into(),
            pace: PaceObject {
                protocol: read.pace.protocol.to_string(),
                protocol_name: read.pace.protocol_name.to_string(),
                parameter_id: u32::from(read.pace.parameter_id),
            },
            extended_length: read.extended_length,
        })
    }
}

/// Runs PACE with the CAN and reads the public area. The CAN is copied into
/// memory that is wiped when the task ends; the caller wipes its own buffer.
#[napi(ts_return_type = "Promise<PublicDataObject>")]
pub fn read_public(
    can: Uint8Array,
    options: Option<CardOperationOptions>,
    cancel: Option<&CancelToken>,
) -> napi::Result<AsyncTask<PublicTask>> {
    let can = Zeroizing::new(can.to_vec());
    if can.len() != 6 || !can.iter().all(u8::is_ascii_digit) {
        return Err(to_js(
            &Error::new(ErrorKind::InvalidInput)
                .at("check.can")
                .with_detail("the CAN must be 6 digits"),
        ));
    }
    Ok(AsyncTask::new(PublicTask {
        reader: options.and_then(|options| options.reader),
        cancel: cancel.map(|token| Arc::clone(&token.flag)),
        can,
    }))
}
