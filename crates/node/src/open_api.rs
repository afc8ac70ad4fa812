//! The Open API as promises: every card operation runs on a thread of its
//! own (see `card_thread`), never on the JavaScript thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use napi::bindgen_prelude::{Buffer, Object, Uint8Array};
use napi::Env;
use napi_derive::napi;
use neweid_card::open_api::{self, HouseholdRead, LabelRead, PublicRead};
use neweid_card::{Error, ErrorKind};
use neweid_core::secret::{Password, PasswordKind, SecretBytes};
use neweid_core::security_info::PaceInfo;
use zeroize::Zeroizing;

use crate::card_thread::spawn_card_operation;
use crate::errors::{guard, to_js};
use crate::evidence::{public_fields, PublicFieldsObject};
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

/// The public area as read: the fields, with the CNS text still encoded and
/// dates as `YYYY-MM-DD`, and the bytes read for Passive Authentication.
#[napi(object)]
pub struct PublicDataObject {
    pub reader: String,
    pub fields: PublicFieldsObject,
    pub data_groups: Vec<DataGroupObject>,
    pub sod: Buffer,
    pub card_access: Buffer,
    pub card_security: Buffer,
    pub pace: PaceObject,
    pub extended_length: bool,
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
    operation: impl FnMut(&mut neweid_card::session::Session<'_>) -> neweid_card::Result<T>,
) -> napi::Result<(String, T)> {
    guard(|| {
        let name = readers::resolve(reader.as_deref(), cancel.clone()).map_err(|error| to_js(&error))?;
        let output = readers::with_session(&name, cancel.as_deref(), operation).map_err(|error| to_js(&error))?;
        Ok((name, output))
    })
}

fn terminal_objects(readers: Vec<(neweid_card::pcsc::ReaderInfo, bool)>) -> Vec<CardTerminal> {
    readers
        .into_iter()
        .map(|(info, in_process)| CardTerminal {
            name: info.name,
            card_present: info.card_present,
            atr: info.atr.map(Buffer::from),
            in_process,
        })
        .collect()
}

/// Lists the readers, PC/SC and in-process, and whether each contains a card.
#[napi(ts_return_type = "Promise<Array<CardTerminal>>")]
pub fn list_card_terminals(env: &Env) -> napi::Result<Object<'_>> {
    spawn_card_operation(
        env,
        "list readers",
        || readers::list().map_err(|error| to_js(&error)),
        |readers| Ok(terminal_objects(readers)),
    )
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

/// Lists the readers that hold a New eID card, with each card's EF.Label.
/// Readers are probed in parallel; one that does not answer within the
/// probe time is left out instead of holding up the others.
#[napi(ts_return_type = "Promise<Array<LabelObject>>")]
pub fn list_eids<'env>(env: &'env Env, cancel: Option<&CancelToken>) -> napi::Result<Object<'env>> {
    let cancel = cancel.map(|token| Arc::clone(&token.flag));
    spawn_card_operation(
        env,
        "list New eID cards",
        move || readers::new_eid_labels(cancel).map_err(|error| to_js(&error)),
        |found| {
            Ok(found
                .into_iter()
                .map(|(reader, read)| label_object(reader, read))
                .collect::<Vec<_>>())
        },
    )
}

/// Reads EF.Label and the PACE options of EF.CardAccess.
#[napi(ts_return_type = "Promise<LabelObject>")]
pub fn read_label<'env>(
    env: &'env Env,
    options: Option<CardOperationOptions>,
    cancel: Option<&CancelToken>,
) -> napi::Result<Object<'env>> {
    let reader = options.and_then(|options| options.reader);
    let cancel = cancel.map(|token| Arc::clone(&token.flag));
    spawn_card_operation(
        env,
        "read label",
        move || run_with_reader(&reader, &cancel, open_api::read_label),
        |(reader, read)| Ok(label_object(reader, read)),
    )
}

fn household_object(reader: String, read: HouseholdRead) -> HouseholdObject {
    let address = read.address;
    HouseholdObject {
        reader,
        county: address.county.0.clone().into(),
        township: address.township.0.clone().into(),
        village: address.village.0.clone().into(),
        neighbourhood: address.neighbourhood.clone(),
        raw: read.raw.into(),
    }
}

/// Reads DG1, the household area.
#[napi(ts_return_type = "Promise<HouseholdObject>")]
pub fn read_household<'env>(
    env: &'env Env,
    options: Option<CardOperationOptions>,
    cancel: Option<&CancelToken>,
) -> napi::Result<Object<'env>> {
    let reader = options.and_then(|options| options.reader);
    let cancel = cancel.map(|token| Arc::clone(&token.flag));
    spawn_card_operation(
        env,
        "read household area",
        move || run_with_reader(&reader, &cancel, open_api::read_household),
        |(reader, read)| Ok(household_object(reader, read)),
    )
}

fn public_data_object(reader: String, read: PublicRead) -> PublicDataObject {
    PublicDataObject {
        reader,
        fields: public_fields(read.data),
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
    }
}

/// Runs PACE with the CAN and reads the public area. The CAN is copied into
/// memory that is wiped when the operation ends; the caller wipes its own buffer.
#[napi(ts_return_type = "Promise<PublicDataObject>")]
pub fn read_public<'env>(
    env: &'env Env,
    can: Uint8Array,
    options: Option<CardOperationOptions>,
    cancel: Option<&CancelToken>,
) -> napi::Result<Object<'env>> {
    let can = Zeroizing::new(can.to_vec());
    if can.len() != 6 || !can.iter().all(u8::is_ascii_digit) {
        return Err(to_js(
            &Error::new(ErrorKind::InvalidInput)
                .at("check.can")
                .with_detail("the CAN must be 6 digits"),
        ));
    }
    let reader = options.and_then(|options| options.reader);
    let cancel = cancel.map(|token| Arc::clone(&token.flag));
    spawn_card_operation(
        env,
        "read public area",
        move || {
            let can = Password::new(PasswordKind::Can, SecretBytes::copy_from(&can));
            run_with_reader(&reader, &cancel, |session| open_api::read_public(session, &can))
        },
        |(reader, read)| Ok(public_data_object(reader, read)),
    )
}
