//! The chip side of PACE as the virtual card runs it: the `MSE:Set AT`
//! request and the four `GENERAL AUTHENTICATE` steps.

use neweid_core::apdu::StatusWord;
use neweid_core::crypto::SystemRandom;
use neweid_core::pace::{self, chip, CertificationAuthorityReferences, MseSetAt, PaceParameters};
use neweid_core::secret::{Password, PasswordKind, SecretBytes};
use neweid_core::sm::ChipSecureMessaging;
use neweid_core::{Error, ProtocolViolation};

/// The request of an `MSE:Set AT` command.
pub struct SetAtRequest {
    pub password: PasswordKind,
    pub parameters: PaceParameters,
    /// The `7F4C` CHAT, present when Terminal Authentication follows.
    pub chat: Option<Vec<u8>>,
}

/// Why the card rejects `MSE:Set AT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetAtError {
    /// The data field does not decode, names an unknown password, or leaves
    /// out the domain parameter ID although the card offers several sets
    /// (`6A 80`).
    Malformed,
    /// The card offers no PACEInfo with this protocol and parameter ID
    /// (`6A 88`).
    NotOffered,
}

/// Decodes the data of `MSE:Set AT` and finds the PACE variant it selects
/// among those the card `offered` in EF.CardAccess.
pub fn parse_set_at(data: &[u8], offered: &[PaceParameters]) -> Result<SetAtRequest, SetAtError> {
    let request = MseSetAt::decode(data).map_err(|_| SetAtError::Malformed)?;
    let parameters = match request.parameter_id {
        Some(id) => PaceParameters::from_protocol(&request.protocol, u64::from(id)).filter(|p| offered.contains(p)),
        // ICAO 9303-11 requires the domain parameter ID (84) only when the
        // chip offers more than one parameter set for PACE.
        None => match offered {
            [only] => Some(*only).filter(|p| p.protocol() == request.protocol),
            _ => return Err(SetAtError::Malformed),
        },
    };
    let parameters = parameters.ok_or(SetAtError::NotOffered)?;
    Ok(SetAtRequest {
        password: request.password,
        parameters,
        chat: request.chat,
    })
}

// The variants carry the chip states of neweid_core::pace::chip, named after them.
#[allow(clippy::enum_variant_names)]
enum State {
    AwaitNonceRequest(chip::AwaitNonceRequest),
    AwaitMappingData(chip::AwaitMappingData),
    AwaitEphemeralKey(chip::AwaitEphemeralKey),
    AwaitToken(chip::AwaitToken),
}

/// A PACE run in progress on the card.
pub struct ChipPace {
    kind: PasswordKind,
    state: State,
    refused: bool,
}

/// The outcome of one `GENERAL AUTHENTICATE` step.
pub enum PaceOutcome {
    /// The next state and the `7C` template to return.
    Continue(ChipPace, Vec<u8>),
    /// PACE succeeded: secure messaging starts after this response.
    Established { sm: ChipSecureMessaging, response: Vec<u8> },
    /// The terminal's token did not verify: the password was wrong.
    WrongPassword,
    /// A malformed or out-of-sequence step, rejected with this status word.
    Failed(StatusWord),
}

impl ChipPace {
    /// Prepares PACE with `password`. `refused` makes every step fail: the
    /// card accepted `MSE:Set AT` for a suspended PIN but will not run PACE
    /// with it until a PACE with CAN has succeeded.
    pub fn new(
        parameters: PaceParameters,
        kind: PasswordKind,
        password: SecretBytes,
        refused: bool,
    ) -> Result<Self, Error> {
        let password = Password::new(kind, password);
        let state = State::AwaitNonceRequest(chip::AwaitNonceRequest::new(parameters, &password)?);
        Ok(Self { kind, state, refused })
    }

    pub fn password_kind(&self) -> PasswordKind {
        self.kind
    }

    pub fn blocked_by_suspension(&self) -> bool {
        self.refused
    }

    /// Tells whether the next step is the last (mutual authentication).
    pub fn is_last_step(&self) -> bool {
        matches!(self.state, State::AwaitToken(_))
    }

    /// Runs one step on the data of a `GENERAL AUTHENTICATE`. Every step but
    /// the last must come with command chaining (CLA `10`), and the last
    /// without it (TR-03110-3 Appendix B). A chained last step is answered
    /// `68 83` (the last command of the chain was expected). An unchained
    /// earlier step ends the chain before PACE is complete, so it is answered
    /// `69 85` (conditions of use not satisfied). Either way PACE is aborted.
    pub fn step(self, data: &[u8], chained: bool) -> PaceOutcome {
        match (chained, self.is_last_step()) {
            (true, true) => return PaceOutcome::Failed(StatusWord::LAST_COMMAND_EXPECTED),
            (false, false) => return PaceOutcome::Failed(StatusWord::CONDITIONS_NOT_SATISFIED),
            _ => {}
        }
        let contents = match pace::unwrap_dynamic_authentication_data(data) {
            Ok(contents) => contents,
            Err(_) => return PaceOutcome::Failed(StatusWord::INCORRECT_DATA),
        };
        let mut rng = SystemRandom;
        let kind = self.kind;
        let refused = self.refused;
        let next = |state: State, reply: Vec<u8>| {
            PaceOutcome::Continue(
                ChipPace { kind, state, refused },
                pace::wrap_dynamic_authentication_data(&reply),
            )
        };
        let result = match self.state {
            State::AwaitNonceRequest(state) => state
                .receive(contents, &mut rng)
                .map(|(s, r)| next(State::AwaitMappingData(s), r)),
            State::AwaitMappingData(state) => state
                .receive(contents, &mut rng)
                .map(|(s, r)| next(State::AwaitEphemeralKey(s), r)),
            State::AwaitEphemeralKey(state) => state
                .receive(contents, &mut rng)
                .map(|(s, r)| next(State::AwaitToken(s), r)),
            State::AwaitToken(state) => state
                .receive(contents, &CertificationAuthorityReferences::default())
                .map(|(established, reply)| PaceOutcome::Established {
                    sm: established.session,
                    response: pace::wrap_dynamic_authentication_data(&reply),
                }),
        };
        match result {
            Ok(outcome) => outcome,
            Err(Error::Protocol(ProtocolViolation::PaceTokenInvalid)) => PaceOutcome::WrongPassword,
            Err(_) => PaceOutcome::Failed(StatusWord::INCORRECT_DATA),
        }
    }
}
