//! PACE from the terminal side: picks the strongest variant EF.CardAccess
//! offers, sends `MSE:Set AT` and the four `GENERAL AUTHENTICATE` steps, maps
//! the card's retry status words, and starts secure messaging.

use neweid_core::apdu::StatusWord;
use neweid_core::asn1::Oid;
use neweid_core::crypto::SystemRandom;
use neweid_core::pace::{self, terminal, CertificationAuthorityReferences, MseSetAt};
use neweid_core::secret::{Password, PasswordKind};
use neweid_core::security_info::{self, SecurityInfos};

use crate::error::{Error, ErrorKind, PinState, Result};
use crate::session::Session;

/// What a successful PACE ran, and what Terminal Authentication needs next.
#[derive(Clone, Debug)]
pub struct PaceSummary {
    pub protocol: Oid,
    pub protocol_name: &'static str,
    pub parameter_id: u8,
    /// `ID_PICC`, the x-coordinate of the chip's ephemeral key.
    pub id_picc: Vec<u8>,
    pub authority_references: CertificationAuthorityReferences,
}

/// Runs PACE with `password` and switches the session to secure messaging.
/// `chat` is the `7F4C` certificate holder authorization template to send
/// when Terminal Authentication follows.
pub fn establish(
    session: &mut Session<'_>,
    card_access: &SecurityInfos,
    password: &Password,
    chat: Option<Vec<u8>>,
) -> Result<PaceSummary> {
    let parameters = security_info::select_pace_info(&card_access.pace_infos()).ok_or_else(|| {
        Error::new(ErrorKind::ProtocolError)
            .at("pace.select")
            .with_detail("EF.CardAccess offers no PACE variant this client supports")
    })?;

    let mut mse = MseSetAt::for_pace(&parameters, password.kind());
    if let Some(chat) = chat {
        mse = mse.with_chat(chat);
    }
    let response = session.send(&mse.command(), "pace.set_at")?;
    check_set_at(session, password.kind(), response.sw)?;

    let mut rng = SystemRandom;
    let (state, contents) = terminal::start(parameters, password)?;
    let reply = general_authenticate(session, &contents, false, "pace.encrypted_nonce", password.kind())?;
    let (state, contents) = state
        .receive(&reply, &mut rng)
        .map_err(|error| Error::from(error).at("pace.encrypted_nonce"))?;
    let reply = general_authenticate(session, &contents, false, "pace.map_nonce", password.kind())?;
    let (state, contents) = state
        .receive(&reply, &mut rng)
        .map_err(|error| Error::from(error).at("pace.map_nonce"))?;
    let reply = general_authenticate(session, &contents, false, "pace.key_agreement", password.kind())?;
    let (state, contents) = state
        .receive(&reply)
        .map_err(|error| Error::from(error).at("pace.key_agreement"))?;
    let reply = general_authenticate(session, &contents, true, "pace.mutual_authenticate", password.kind())?;
    let established = state
        .receive(&reply)
        .map_err(|error| Error::from(error).at("pace.mutual_authenticate"))?;

    session.start_secure_messaging(established.session);
    Ok(PaceSummary {
        protocol: parameters.protocol(),
        protocol_name: security_info::pace_protocol_name(&parameters.protocol()).unwrap_or("id-PACE"),
        parameter_id: parameters.parameter_id(),
        id_picc: established.id_picc,
        authority_references: established.authority_references,
    })
}

/// Interprets the answer to `MSE:Set AT`. For PIN1 the card reports the
/// retry state here: `63 C2` two tries left, `63 C1` suspended, `69 83`
/// blocked, `69 84` deactivated.
fn check_set_at(session: &Session<'_>, kind: PasswordKind, sw: StatusWord) -> Result<()> {
    let step = "pace.set_at";
    match (kind, sw) {
        (_, StatusWord::SUCCESS) => Ok(()),
        (PasswordKind::Pin, StatusWord(0x63C2..=0x63CF)) => Ok(()),
        // A suspended PIN may be tried once more, but only after a PACE with
        // the CAN in this card session, which leaves secure messaging on.
        (PasswordKind::Pin, StatusWord(0x63C1)) if session.is_secure() => Ok(()),
        (PasswordKind::Pin, StatusWord(0x63C1)) => Err(Error::new(ErrorKind::PinSuspended)
            .at(step)
            .with_sw(sw)
            .with_pin(1, PinState::Suspended)),
        (PasswordKind::Pin | PasswordKind::Puk, StatusWord::AUTHENTICATION_BLOCKED | StatusWord(0x63C0)) => {
            Err(Error::new(ErrorKind::PinBlocked)
                .at(step)
                .with_sw(sw)
                .with_pin(0, PinState::Blocked))
        }
        (PasswordKind::Pin, StatusWord::REFERENCE_DATA_NOT_USABLE) => Err(Error::new(ErrorKind::PinBlocked)
            .at(step)
            .with_sw(sw)
            .with_pin(0, PinState::Deactivated)),
        _ => Err(Error::new(ErrorKind::CardError).at(step).with_sw(sw)),
    }
}

/// Sends one `GENERAL AUTHENTICATE` step and returns the `7C` contents of
/// the answer. In the last step a `63 xx` answer means the card rejected
/// the password.
fn general_authenticate(
    session: &mut Session<'_>,
    contents: &[u8],
    last: bool,
    step: &str,
    kind: PasswordKind,
) -> Result<Vec<u8>> {
    let response = session.send(&pace::general_authenticate(contents, last), step)?;
    match response.sw {
        StatusWord::SUCCESS => Ok(pace::unwrap_dynamic_authentication_data(&response.data)
            .map_err(|error| Error::from(error).at(step))?
            .to_vec()),
        sw => Err(wrong_password(kind, sw)
            .unwrap_or_else(|| Error::new(ErrorKind::CardError).with_sw(sw))
            .at(step)),
    }
}

/// Maps the card's rejection of a password: `63 00` (no retry counter, as
/// for the CAN) or `63 Cx` (x tries left).
fn wrong_password(kind: PasswordKind, sw: StatusWord) -> Option<Error> {
    let tries = sw.retries_left();
    if sw != StatusWord(0x6300) && tries.is_none() && sw != StatusWord::AUTHENTICATION_BLOCKED {
        return None;
    }
    let error = match kind {
        PasswordKind::Can | PasswordKind::Mrz => Error::new(ErrorKind::WrongCan),
        PasswordKind::Pin => {
            let left = if sw == StatusWord::AUTHENTICATION_BLOCKED {
                0
            } else {
                tries.unwrap_or(0)
            };
            let state = match left {
                0 => PinState::Blocked,
                1 => PinState::Suspended,
                _ => PinState::Active,
            };
            Error::new(ErrorKind::WrongPin).with_pin(left, state)
        }
        PasswordKind::Puk => {
            let error = Error::new(ErrorKind::WrongPin).with_detail("wrong PUK");
            match tries {
                Some(left) => Error {
                    retries_left: Some(left),
                    ..error
                },
                None => error,
            }
        }
    };
    Some(error.with_sw(sw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_can_is_recognised() {
        let error = wrong_password(PasswordKind::Can, StatusWord(0x6300)).unwrap();
        assert_eq!(error.kind, ErrorKind::WrongCan);
        assert_eq!(error.sw, Some(StatusWord(0x6300)));
    }

    #[test]
    fn wrong_pin_carries_tries_and_state() {
        let cases = [
            (0x63C2, 2, PinState::Active),
            (0x63C1, 1, PinState::Suspended),
            (0x63C0, 0, PinState::Blocked),
        ];
        for (sw, left, state) in cases {
            let error = wrong_password(PasswordKind::Pin, StatusWord(sw)).unwrap();
            assert_eq!(error.kind, ErrorKind::WrongPin);
            assert_eq!(error.retries_left, Some(left));
            assert_eq!(error.pin_state, Some(state));
        }
    }

    #[test]
    fn other_status_words_are_not_wrong_passwords() {
        assert!(wrong_password(PasswordKind::Can, StatusWord(0x6A80)).is_none());
        assert!(wrong_password(PasswordKind::Pin, StatusWord(0x6985)).is_none());
    }
}
