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

/// Decodes the data of `MSE:Set AT`. Fails for a protocol or parameter ID
/// this card cannot run, and for an unknown password reference.
pub fn parse_set_at(data: &[u8]) -> Result<SetAtRequest, Error> {
    let request = MseSetAt::decode(data)?;
    let parameters = request
        .pace_parameters()
        .ok_or(Error::Protocol(ProtocolViolation::Pace(
            "unsupported PACE protocol or parameters",
        )))?;
    Ok(SetAtRequest {
        password: request.password,
        parameters,
        chat: request.chat,
    })
}

// The states keep the names of the core crate's chip-side steps.
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
    /// the last must come with command chaining (CLA `10`).
    pub fn step(self, data: &[u8], chained: bool) -> PaceOutcome {
        if chained == self.is_last_step() {
            // 68 83: last command of a chain expected; 68 84: chaining where none belongs.
            return PaceOutcome::Failed(StatusWord(if chained { 0x6884 } else { 0x6883 }));
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
