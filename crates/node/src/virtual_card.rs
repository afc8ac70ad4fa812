//! The virtual card from JavaScript: in a reader of this process, or in a
//! vsmartcard vpcd reader that pcscd shows to every program.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;
use neweid_card::ErrorKind;
use neweid_sim::card::{CardOptions, VirtualCard};
use neweid_sim::persona::{self, Persona};
use neweid_sim::vpcd::{CommandFault, FaultAction, VpcdCard};
use neweid_sim::CardBuilder;

use crate::errors::{coded, guard};
use crate::readers::{self, InProcessSlot};

/// How to build a virtual card.
#[napi(object)]
pub struct VirtualCardOptions {
    /// A built-in persona ID or the path of a persona file.
    pub persona: Option<String>,
    /// Whether the card offers extended-length APDUs (default true).
    pub extended_length: Option<bool>,
    /// Standardised domain parameter IDs of the PACEInfos the card offers,
    /// strongest last or first as you like (default `[13]`, brainpoolP256r1).
    pub pace_parameter_ids: Option<Vec<u32>>,
}

/// The vpcd address a card connects to.
#[napi(object)]
pub struct VpcdOptions {
    pub host: Option<String>,
    /// 35963 for reader "Virtual PCD 00 00", 35964 for "Virtual PCD 00 01".
    pub port: Option<u32>,
}

/// A rule that makes the card fail when a matching command arrives.
#[napi(object)]
pub struct RemovalFaultOptions {
    pub ins: u32,
    pub p1: Option<u32>,
    /// The count of matching commands at which the card is pulled (default 1).
    pub occurrence: Option<u32>,
}

enum Placement {
    InProcess {
        reader: String,
        slot: InProcessSlot,
        stored: Arc<Mutex<Option<VirtualCard>>>,
    },
    Vpcd(VpcdCard),
}

/// A virtual card in a reader.
#[napi]
pub struct VirtualCardHandle {
    placement: Option<Placement>,
    persona_id: String,
    can: String,
}

fn build(options: &VirtualCardOptions) -> napi::Result<(VirtualCard, Persona)> {
    let id = options
        .persona
        .clone()
        .unwrap_or_else(|| persona::DEFAULT_PERSONA.to_string());
    let persona = Persona::load(&id).map_err(|error| coded(ErrorKind::InvalidInput, error.to_string()))?;
    let extended_length = options.extended_length.unwrap_or(true);
    let mut builder = CardBuilder::new(&persona);
    if let Some(ids) = &options.pace_parameter_ids {
        let ids = ids.iter().map(|&id| u8::try_from(id).unwrap_or(0)).collect::<Vec<_>>();
        builder = builder
            .pace_parameter_ids(&ids)
            .map_err(|error| coded(ErrorKind::InvalidInput, error.to_string()))?;
    }
    let content = builder
        .build()
        .map_err(|error| coded(ErrorKind::InvalidInput, error.to_string()))?;
    let card_options = CardOptions {
        extended_length,
        ..CardOptions::default()
    };
    Ok((VirtualCard::new(content, card_options), persona))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Inserts a virtual card into a new reader of this process. The reader
/// appears in `listCardTerminals` beside the PC/SC readers, and works on a
/// machine without pcscd.
#[napi]
pub fn insert_virtual_card(reader: String, options: VirtualCardOptions) -> napi::Result<VirtualCardHandle> {
    guard(|| {
        let (card, persona) = build(&options)?;
        let slot = readers::insert_in_process(&reader, card).map_err(|error| crate::errors::to_js(&error))?;
        Ok(VirtualCardHandle {
            placement: Some(Placement::InProcess {
                reader,
                slot,
                stored: Arc::new(Mutex::new(None)),
            }),
            persona_id: persona.id.clone(),
            can: persona.secrets.can.to_string(),
        })
    })
}

/// Connects a virtual card to vsmartcard's vpcd, so that pcscd shows it.
#[napi]
pub fn connect_virtual_card_to_vpcd(
    options: VirtualCardOptions,
    vpcd: Option<VpcdOptions>,
) -> napi::Result<VirtualCardHandle> {
    guard(|| {
        let (card, persona) = build(&options)?;
        let host = vpcd
            .as_ref()
            .and_then(|v| v.host.clone())
            .unwrap_or_else(|| "127.0.0.1".into());
        let port = vpcd
            .as_ref()
            .and_then(|v| v.port)
            .unwrap_or(u32::from(neweid_sim::vpcd::DEFAULT_PORT));
        let port =
            u16::try_from(port).map_err(|_| coded(ErrorKind::InvalidInput, "the vpcd port must be 1 to 65535"))?;
        let connection = VpcdCard::start(card, &format!("{host}:{port}")).map_err(|error| {
            coded(
                ErrorKind::InvalidInput,
                format!("cannot start the vpcd connection: {error}"),
            )
        })?;
        Ok(VirtualCardHandle {
            placement: Some(Placement::Vpcd(connection)),
            persona_id: persona.id.clone(),
            can: persona.secrets.can.to_string(),
        })
    })
}

/// The built-in persona IDs.
#[napi]
pub fn built_in_personas() -> Vec<String> {
    persona::built_in_ids().into_iter().map(String::from).collect()
}

pub struct WaitTask {
    deadline: Duration,
    check: Box<dyn Fn() -> bool + Send>,
}

impl Task for WaitTask {
    type Output = bool;
    type JsValue = bool;

    fn compute(&mut self) -> napi::Result<bool> {
        let start = std::time::Instant::now();
        while start.elapsed() < self.deadline {
            if (self.check)() {
                return Ok(true);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok((self.check)())
    }

    fn resolve(&mut self, _env: Env, output: bool) -> napi::Result<bool> {
        Ok(output)
    }
}

#[napi]
impl VirtualCardHandle {
    /// The persona's ID.
    #[napi(getter)]
    pub fn persona(&self) -> String {
        self.persona_id.clone()
    }

    /// The persona's CAN. The virtual card contains fictitious test data only,
    /// so its CAN is not a secret; do not print it anyway, as with a real card.
    #[napi(getter)]
    pub fn can(&self) -> String {
        self.can.clone()
    }

    /// The in-process reader name, or `None` for a vpcd card.
    #[napi(getter)]
    pub fn in_process_reader(&self) -> Option<String> {
        match &self.placement {
            Some(Placement::InProcess { reader, .. }) => Some(reader.clone()),
            _ => None,
        }
    }

    /// Whether the card is in its reader.
    #[napi(getter)]
    pub fn present(&self) -> bool {
        match &self.placement {
            Some(Placement::InProcess { slot, .. }) => lock(slot).is_some(),
            Some(Placement::Vpcd(connection)) => connection.is_connected(),
            None => false,
        }
    }

    /// Pulls the card from its reader.
    #[napi]
    pub fn remove(&self) {
        match &self.placement {
            Some(Placement::InProcess { slot, stored, .. }) => {
                let card = lock(slot).take();
                if card.is_some() {
                    *lock(stored) = card;
                }
            }
            Some(Placement::Vpcd(connection)) => connection.remove(),
            None => {}
        }
    }

    /// Puts the card back into its reader.
    #[napi]
    pub fn insert(&self) {
        match &self.placement {
            Some(Placement::InProcess { slot, stored, .. }) => {
                if let Some(card) = lock(stored).take() {
                    *lock(slot) = Some(card);
                }
            }
            Some(Placement::Vpcd(connection)) => connection.insert(),
            None => {}
        }
    }

    /// Resolves `true` once the card is in its reader (for vpcd: once pcscd
    /// accepted the connection), or `false` after `timeoutMs`.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn wait_until_present(&self, timeout_ms: u32) -> napi::Result<AsyncTask<WaitTask>> {
        let check: Box<dyn Fn() -> bool + Send> = match &self.placement {
            Some(Placement::InProcess { slot, .. }) => {
                let slot = Arc::clone(slot);
                Box::new(move || lock(&slot).is_some())
            }
            Some(Placement::Vpcd(connection)) => Box::new(connection.presence_probe()),
            None => Box::new(|| false),
        };
        Ok(AsyncTask::new(WaitTask {
            deadline: Duration::from_millis(u64::from(timeout_ms)),
            check,
        }))
    }

    /// Arms a fault that pulls a vpcd card when a matching command arrives.
    #[napi]
    pub fn pull_on_command(&self, fault: RemovalFaultOptions) -> napi::Result<()> {
        self.arm(fault, FaultAction::Pull)
    }

    /// Arms a fault that makes a vpcd card stop answering when a matching
    /// command arrives; it answers again after `remove` and `insert`.
    #[napi]
    pub fn mute_on_command(&self, fault: RemovalFaultOptions) -> napi::Result<()> {
        self.arm(fault, FaultAction::Mute)
    }

    fn arm(&self, fault: RemovalFaultOptions, action: FaultAction) -> napi::Result<()> {
        let Some(Placement::Vpcd(connection)) = &self.placement else {
            return Err(coded(
                ErrorKind::InvalidInput,
                "command faults apply to vpcd cards only",
            ));
        };
        let byte = |value: u32, name: &str| {
            u8::try_from(value).map_err(|_| coded(ErrorKind::InvalidInput, format!("{name} must be 0 to 255")))
        };
        connection.set_command_fault(Some(CommandFault {
            ins: byte(fault.ins, "ins")?,
            p1: fault.p1.map(|p1| byte(p1, "p1")).transpose()?,
            occurrence: fault.occurrence.unwrap_or(1).max(1),
            action,
        }));
        Ok(())
    }

    /// PIN1 tries left.
    #[napi(getter)]
    pub fn pin_tries_left(&self) -> u32 {
        match &self.placement {
            Some(Placement::InProcess { slot, stored, .. }) => lock(slot)
                .as_ref()
                .or(lock(stored).as_ref())
                .map_or(0, |card| u32::from(card.pin_tries_left())),
            Some(Placement::Vpcd(connection)) => u32::from(lock(&connection.card()).pin_tries_left()),
            None => 0,
        }
    }

    /// Takes the card out and releases the reader (in-process) or the vpcd
    /// connection.
    #[napi]
    pub fn stop(&mut self) {
        match self.placement.take() {
            Some(Placement::InProcess { reader, .. }) => readers::remove_in_process(&reader),
            Some(Placement::Vpcd(connection)) => connection.stop(),
            None => {}
        }
    }
}
