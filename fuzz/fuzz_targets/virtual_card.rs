//! The virtual card on sequences of command APDUs: no sequence panics, every
//! answer has a status word, and a response to a command that the terminal
//! protected verifies whenever it carries data.
//!
//! The first input byte picks the mode, the rest is a list of APDUs, each
//! one byte of length and the bytes:
//! - 0: every APDU goes to the card as it is;
//! - 1: PACE with the CAN runs first, then every APDU goes as it is, so the
//!   card's secure messaging checks see plain and forged commands;
//! - 2: PACE with the CAN runs first, then every APDU that decodes is
//!   protected by the terminal, so the commands reach the card's file and
//!   PACE logic under secure messaging.
#![no_main]

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use neweid_core::apdu::{CommandApdu, LengthForm, ResponseApdu};
use neweid_core::crypto::SystemRandom;
use neweid_core::pace::{self, terminal, MseSetAt};
use neweid_core::secret::{Password, PasswordKind, SecretBytes};
use neweid_core::sm::SecureMessaging;
use neweid_sim::card::{CardOptions, VirtualCard, PIN_TRIES};
use neweid_sim::persona::{self, Persona};
use neweid_sim::CardBuilder;

fn card() -> &'static Mutex<VirtualCard> {
    static CARD: OnceLock<Mutex<VirtualCard>> = OnceLock::new();
    CARD.get_or_init(|| {
        let persona = Persona::load(persona::DEFAULT_PERSONA).expect("built-in persona");
        let content = CardBuilder::new(&persona).build().expect("card content");
        // No CAN slow-down: fuzzing tries wrong CANs all the time.
        let options = CardOptions {
            extended_length: true,
            can_failure_delay: Duration::ZERO,
            max_can_delay: Duration::ZERO,
        };
        Mutex::new(VirtualCard::new(content, options))
    })
}

fn transmit(card: &mut VirtualCard, command: &[u8]) -> ResponseApdu {
    let response = card.process(command);
    assert!(response.len() >= 2, "answer without a status word to {command:02X?}");
    assert!(response.len() <= 65538, "answer longer than extended length allows");
    ResponseApdu::decode(&response).expect("two bytes or more decode")
}

fn send(card: &mut VirtualCard, sm: Option<&mut SecureMessaging>, command: &CommandApdu) -> Option<ResponseApdu> {
    match sm {
        None => Some(transmit(card, &command.encode(LengthForm::Short).ok()?)),
        Some(sm) => {
            let protected = sm.protect_command(command).ok()?;
            let response = transmit(card, &protected.encode(LengthForm::Short).ok()?);
            sm.unprotect_response(&response).ok()
        }
    }
}

/// Runs PACE with the card's CAN, as the terminal does.
fn pace_with_can(card: &mut VirtualCard) -> Option<SecureMessaging> {
    let parameters = *card.content().pace_parameters.first()?;
    let can = Password::new(
        PasswordKind::Can,
        SecretBytes::copy_from(card.content().secrets.can.expose()),
    );
    send(
        card,
        None,
        &MseSetAt::for_pace(&parameters, PasswordKind::Can).command(),
    )?;
    let mut rng = SystemRandom;
    let step = |card: &mut VirtualCard, contents: &[u8], last: bool| -> Option<Vec<u8>> {
        let response = send(card, None, &pace::general_authenticate(contents, last))?;
        Some(pace::unwrap_dynamic_authentication_data(&response.data).ok()?.to_vec())
    };
    let (state, contents) = terminal::start(parameters, &can).ok()?;
    let reply = step(card, &contents, false)?;
    let (state, contents) = state.receive(&reply, &mut rng).ok()?;
    let reply = step(card, &contents, false)?;
    let (state, contents) = state.receive(&reply, &mut rng).ok()?;
    let reply = step(card, &contents, false)?;
    let (state, contents) = state.receive(&reply).ok()?;
    let reply = step(card, &contents, true)?;
    Some(state.receive(&reply).ok()?.session)
}

fn commands(mut data: &[u8]) -> Vec<&[u8]> {
    let mut commands = Vec::new();
    while let [length, rest @ ..] = data {
        let (command, tail) = rest.split_at(usize::from(*length).min(rest.len()));
        commands.push(command);
        data = tail;
    }
    commands
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut card = card().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    card.reset();
    card.set_pin_tries_left(PIN_TRIES);

    let mut sm = match mode % 3 {
        0 => None,
        _ => Some(pace_with_can(&mut card).expect("PACE with the right CAN succeeds")),
    };
    for bytes in commands(rest) {
        let command = CommandApdu::decode(bytes)
            .ok()
            .filter(|command| command.cla & 0x0C == 0);
        match (mode % 3, sm.as_mut(), command) {
            (2, Some(session), Some(command)) => {
                let Ok(protected) = session.protect_command(&command) else {
                    sm = None;
                    continue;
                };
                let Ok(encoded) = protected.encode(LengthForm::Short) else {
                    sm = None;
                    continue;
                };
                let response = transmit(&mut card, &encoded);
                let has_data = !response.data.is_empty();
                let opened = session.unprotect_response(&response);
                assert!(
                    opened.is_ok() || !has_data,
                    "protected answer {response:?} to {command:?} does not verify: {opened:?}"
                );
                if opened.is_err() {
                    sm = None;
                }
            }
            _ => {
                transmit(&mut card, bytes);
            }
        }
    }
});
