//! The virtual New eID card: its file system, access rules, PIN counters and
//! command processing.
//!
//! The card is meant to be as strict as a real chip, because the client is
//! only as right as the card it is tested against: it rejects `Le` on
//! `SELECT`, answers `62 82` when a read reaches the end of a file and `6B 00`
//! past it, refuses plain commands once secure messaging runs (and drops the
//! session), and keeps the PIN retry counter across resets.

use std::time::Duration;

use neweid_core::apdu::{CommandApdu, ResponseApdu, StatusWord};
use neweid_core::profile::{self, Access, NewEidFile};
use neweid_core::secret::PasswordKind;
use neweid_core::sm::{chip_error_status, ChipSecureMessaging};

use crate::content::CardContent;
use crate::content::MAX_COMMAND_LENGTH;
use crate::pace::{ChipPace, PaceOutcome, SetAtError};

/// Tries of PIN1 before it is blocked.
pub const PIN_TRIES: u8 = 3;

/// Uses of the PUK before it is spent.
pub const PUK_USES: u8 = 10;

/// Options that change how the card behaves, for tests of the client.
#[derive(Clone, Debug)]
pub struct CardOptions {
    /// Whether the card accepts extended-length APDUs. [`VirtualCard::new`]
    /// writes EF.ATR/INFO to match, so the file states what the card does.
    pub extended_length: bool,
    /// Delay before the last PACE step with CAN once three CANs in a row
    /// were wrong. It grows by this much with each further failure.
    pub can_failure_delay: Duration,
    /// Upper bound of that delay.
    pub max_can_delay: Duration,
}

impl Default for CardOptions {
    fn default() -> Self {
        Self {
            extended_length: true,
            can_failure_delay: Duration::from_millis(250),
            max_can_delay: Duration::from_secs(2),
        }
    }
}

/// The dedicated file that is selected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Df {
    Master,
    NewEid,
}

/// An elementary file of either DF.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ef {
    Master(u16),
    NewEid(NewEidFile),
}

/// What the card forgets at reset: selection, secure messaging, and the
/// authentication state.
#[derive(Default)]
struct Session {
    df: Option<Df>,
    ef: Option<Ef>,
    sm: Option<ChipSecureMessaging>,
    pace: Option<ChipPace>,
    /// The password of the last successful PACE, which sets the access rights.
    authenticated: Option<PasswordKind>,
    /// A PACE with CAN succeeded in this session, which allows one more try
    /// of a suspended PIN.
    can_verified: bool,
}

/// A virtual New eID card.
pub struct VirtualCard {
    content: CardContent,
    options: CardOptions,
    pin_tries_left: u8,
    puk_uses_left: u8,
    pin_deactivated: bool,
    consecutive_can_failures: u32,
    powered: bool,
    session: Session,
}

impl VirtualCard {
    /// Makes a card from its content. EF.ATR/INFO is rewritten to state
    /// extended-length support exactly when `options` offers it, so that the
    /// file and the card's behaviour agree.
    pub fn new(mut content: CardContent, options: CardOptions) -> Self {
        content.master_files.insert(
            profile::EF_ATR_INFO,
            crate::content::ef_atr_info(options.extended_length),
        );
        Self {
            content,
            options,
            pin_tries_left: PIN_TRIES,
            puk_uses_left: PUK_USES,
            pin_deactivated: false,
            consecutive_can_failures: 0,
            powered: false,
            session: Session::default(),
        }
    }

    /// The answer to reset: T=1, with "NEWEID" in the historical bytes.
    pub fn atr(&self) -> &[u8] {
        &self.content.atr
    }

    pub fn content(&self) -> &CardContent {
        &self.content
    }

    /// Returns the delay the next PACE with CAN waits before its last step:
    /// zero after fewer than three wrong CANs in a row, then
    /// `can_failure_delay` times the failures beyond two, at most
    /// `max_can_delay`. A right CAN sets the count back to zero.
    pub fn next_can_delay(&self) -> Duration {
        let beyond_grace = self.consecutive_can_failures.saturating_sub(2);
        self.options
            .can_failure_delay
            .saturating_mul(beyond_grace)
            .min(self.options.max_can_delay)
    }

    /// Tries of PIN1 left.
    pub fn pin_tries_left(&self) -> u8 {
        self.pin_tries_left
    }

    /// Sets the PIN retry counter, to start a test from a given state.
    pub fn set_pin_tries_left(&mut self, tries: u8) {
        self.pin_tries_left = tries.min(PIN_TRIES);
    }

    /// Removes power: every session state is lost, the counters stay.
    pub fn power_off(&mut self) {
        self.powered = false;
        self.session = Session::default();
    }

    /// Cold or warm reset: powers the card and selects the master file.
    pub fn reset(&mut self) {
        self.powered = true;
        self.session = Session {
            df: Some(Df::Master),
            ..Session::default()
        };
    }

    /// Processes one command APDU and returns the response APDU bytes.
    pub fn process(&mut self, bytes: &[u8]) -> Vec<u8> {
        if !self.powered {
            self.reset();
        }
        let command = match CommandApdu::decode(bytes) {
            Ok(command) => command,
            Err(_) => return ResponseApdu::status(StatusWord::WRONG_LENGTH).encode(),
        };
        if command_is_extended(bytes) && (!self.options.extended_length || bytes.len() > MAX_COMMAND_LENGTH) {
            return ResponseApdu::status(StatusWord::WRONG_LENGTH).encode();
        }
        if let Err(sw) = check_class(command.cla) {
            return ResponseApdu::status(sw).encode();
        }
        let secure = command.cla & 0x0C == 0x0C;

        match (secure, self.session.sm.is_some()) {
            (false, false) => self.dispatch(&command, usize::MAX).encode(),
            // The card supports secure messaging but has no session keys to
            // check this command with, so its SM data objects are incorrect.
            (true, false) => ResponseApdu::status(StatusWord::SM_DATA_OBJECTS_INCORRECT).encode(),
            (false, true) => {
                // A plain command while secure messaging runs ends the session,
                // as ICAO 9303-11 §9.8.5 asks of the chip.
                self.end_secure_session();
                ResponseApdu::status(StatusWord::SM_DATA_OBJECTS_MISSING).encode()
            }
            (true, true) => self.process_secure(&command),
        }
    }

    fn process_secure(&mut self, protected: &CommandApdu) -> Vec<u8> {
        let Some(sm) = self.session.sm.as_mut() else {
            return ResponseApdu::status(StatusWord::SM_DATA_OBJECTS_MISSING).encode();
        };
        let command = match sm.unprotect_command(protected) {
            Ok(command) => command,
            Err(error) => {
                self.end_secure_session();
                return ResponseApdu::status(chip_error_status(&error)).encode();
            }
        };
        let outer_ne = protected.le.unwrap_or(0);
        // The response must be protected with the keys that were in force
        // when the command arrived, even when the command (PACE run inside
        // secure messaging) replaces them.
        let mut keys_in_force = self.session.sm.take();
        let response = self.dispatch(&command, outer_ne);
        let protected_response = match keys_in_force.as_mut() {
            Some(sm) => sm.protect_response(&response),
            None => return ResponseApdu::status(StatusWord::SM_DATA_OBJECTS_MISSING).encode(),
        };
        if self.session.sm.is_none() && self.session.authenticated.is_some() {
            self.session.sm = keys_in_force;
        }
        match protected_response {
            Ok(response) => response.encode(),
            Err(_) => {
                self.end_secure_session();
                ResponseApdu::status(StatusWord::UNKNOWN).encode()
            }
        }
    }

    fn end_secure_session(&mut self) {
        self.session.sm = None;
        self.session.pace = None;
        self.session.authenticated = None;
    }

    /// Runs one unwrapped command. `outer_ne` bounds the protected response
    /// when secure messaging wraps it (`usize::MAX` without it).
    fn dispatch(&mut self, command: &CommandApdu, outer_ne: usize) -> ResponseApdu {
        let chained = command.cla & 0x10 != 0;
        if chained && command.ins != 0x86 {
            return ResponseApdu::status(StatusWord::COMMAND_CHAINING_NOT_SUPPORTED);
        }
        match command.ins {
            0xA4 => self.select(command),
            0xB0 => self.read_binary(command, outer_ne),
            0x22 => self.manage_security_environment(command),
            0x86 => self.general_authenticate(command, chained),
            _ => ResponseApdu::status(StatusWord::INS_NOT_SUPPORTED),
        }
    }

    fn select(&mut self, command: &CommandApdu) -> ResponseApdu {
        if command.le.is_some() {
            // The card returns no file control information, so a command
            // asking for a response is malformed.
            return ResponseApdu::status(StatusWord::WRONG_LENGTH);
        }
        if command.p2 != 0x0C {
            return ResponseApdu::status(StatusWord::INCORRECT_P1_P2);
        }
        match command.p1 {
            0x00 => match command.data.as_slice() {
                [] | [0x3F, 0x00] => {
                    self.session.df = Some(Df::Master);
                    self.session.ef = None;
                    ResponseApdu::status(StatusWord::SUCCESS)
                }
                _ => ResponseApdu::status(StatusWord::FILE_NOT_FOUND),
            },
            0x04 => {
                if command.data.as_slice() == profile::NEW_EID_AID {
                    self.session.df = Some(Df::NewEid);
                    self.session.ef = None;
                    ResponseApdu::status(StatusWord::SUCCESS)
                } else {
                    ResponseApdu::status(StatusWord::FILE_NOT_FOUND)
                }
            }
            0x02 => {
                let [high, low] = command.data.as_slice() else {
                    return ResponseApdu::status(StatusWord::INCORRECT_DATA);
                };
                let fid = u16::from_be_bytes([*high, *low]);
                match self.find_by_fid(fid) {
                    Some(ef) => {
                        self.session.ef = Some(ef);
                        ResponseApdu::status(StatusWord::SUCCESS)
                    }
                    None => ResponseApdu::status(StatusWord::FILE_NOT_FOUND),
                }
            }
            _ => ResponseApdu::status(StatusWord::INCORRECT_P1_P2),
        }
    }

    fn find_by_fid(&self, fid: u16) -> Option<Ef> {
        match self.session.df? {
            Df::Master => self.content.master_files.contains_key(&fid).then_some(Ef::Master(fid)),
            Df::NewEid => NewEidFile::from_fid(fid)
                .filter(|file| self.content.files.contains_key(file))
                .map(Ef::NewEid),
        }
    }

    fn find_by_sfi(&self, sfi: u8) -> Option<Ef> {
        match self.session.df? {
            Df::Master => {
                let fid = match sfi {
                    profile::EF_CARD_ACCESS_SFI => profile::EF_CARD_ACCESS,
                    profile::EF_CARD_SECURITY_SFI => profile::EF_CARD_SECURITY,
                    _ => return None,
                };
                self.content.master_files.contains_key(&fid).then_some(Ef::Master(fid))
            }
            Df::NewEid => NewEidFile::from_sfi(sfi)
                .filter(|file| self.content.files.contains_key(file))
                .map(Ef::NewEid),
        }
    }

    fn may_read(&self, ef: Ef) -> bool {
        let access = match ef {
            Ef::Master(profile::EF_CARD_SECURITY) => Access::Pace,
            Ef::Master(_) => Access::Always,
            Ef::NewEid(file) => file.access(),
        };
        match access {
            Access::Always => true,
            Access::Pace => self.session.authenticated.is_some(),
            // NOTE: Terminal and Chip Authentication are not implemented yet,
            // so the encrypted area cannot be unlocked.
            Access::Encrypted => false,
        }
    }

    fn read_binary(&mut self, command: &CommandApdu, outer_ne: usize) -> ResponseApdu {
        if command.p1 & 0x80 != 0 && command.p1 & 0x60 != 0 {
            return ResponseApdu::status(StatusWord::INCORRECT_P1_P2);
        }
        let Some(ne) = command.le else {
            return ResponseApdu::status(StatusWord::WRONG_LENGTH);
        };
        if !command.data.is_empty() {
            return ResponseApdu::status(StatusWord::WRONG_LENGTH);
        }
        let (ef, offset) = if command.p1 & 0x80 != 0 {
            match self.find_by_sfi(command.p1 & 0x1F) {
                Some(ef) => (ef, usize::from(command.p2)),
                None => return ResponseApdu::status(StatusWord::FILE_NOT_FOUND),
            }
        } else {
            match self.session.ef {
                Some(ef) => (ef, usize::from(u16::from_be_bytes([command.p1, command.p2]) & 0x7FFF)),
                None => return ResponseApdu::status(StatusWord::COMMAND_NOT_ALLOWED),
            }
        };
        if !self.may_read(ef) {
            return ResponseApdu::status(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        // Reading by SFI makes the file the current EF (ISO/IEC 7816-4 §7.2.2).
        self.session.ef = Some(ef);
        let contents = match ef {
            Ef::Master(fid) => self.content.master_files.get(&fid),
            Ef::NewEid(file) => self.content.files.get(&file),
        };
        let Some(contents) = contents else {
            return ResponseApdu::status(StatusWord::FILE_NOT_FOUND);
        };
        if offset >= contents.len() {
            return ResponseApdu::status(StatusWord::WRONG_P1_P2);
        }
        let available = contents.len() - offset;
        let count = ne.min(available);
        if outer_ne != usize::MAX && protected_length(count) > outer_ne {
            return ResponseApdu::status(StatusWord::WRONG_LENGTH);
        }
        let data = contents.get(offset..offset + count).unwrap_or_default().to_vec();
        let sw = if count < ne {
            StatusWord::END_OF_FILE
        } else {
            StatusWord::SUCCESS
        };
        ResponseApdu::new(data, sw)
    }

    fn manage_security_environment(&mut self, command: &CommandApdu) -> ResponseApdu {
        if command.le.is_some() {
            return ResponseApdu::status(StatusWord::WRONG_LENGTH);
        }
        // MSE:Set AT for PACE (P1 C1: set for internal and external
        // authentication; P2 A4: authentication template).
        if (command.p1, command.p2) != (0xC1, 0xA4) {
            return ResponseApdu::status(StatusWord::INCORRECT_P1_P2);
        }
        let request = match crate::pace::parse_set_at(&command.data, &self.content.pace_parameters) {
            Ok(request) => request,
            Err(SetAtError::Malformed) => return ResponseApdu::status(StatusWord::INCORRECT_DATA),
            Err(SetAtError::NotOffered) => return ResponseApdu::status(StatusWord::REFERENCED_DATA_NOT_FOUND),
        };
        let (password, warning) = match request.password {
            PasswordKind::Can => (self.content.secrets.can.duplicate(), None),
            PasswordKind::Pin => {
                if self.pin_deactivated {
                    return ResponseApdu::status(StatusWord::REFERENCE_DATA_NOT_USABLE);
                }
                match self.pin_tries_left {
                    0 => return ResponseApdu::status(StatusWord::AUTHENTICATION_BLOCKED),
                    PIN_TRIES => (self.content.secrets.pin1.duplicate(), None),
                    tries => (
                        self.content.secrets.pin1.duplicate(),
                        Some(StatusWord(0x63C0 | u16::from(tries))),
                    ),
                }
            }
            PasswordKind::Puk => {
                if self.puk_uses_left == 0 {
                    return ResponseApdu::status(StatusWord::AUTHENTICATION_BLOCKED);
                }
                (self.content.secrets.puk.duplicate(), None)
            }
            PasswordKind::Mrz => return ResponseApdu::status(StatusWord::REFERENCED_DATA_NOT_FOUND),
        };
        // A suspended PIN (one try left) may be tried only after a PACE with
        // CAN in the same session; otherwise the card refuses to start.
        let suspended_without_can =
            request.password == PasswordKind::Pin && self.pin_tries_left == 1 && !self.session.can_verified;
        match ChipPace::new(request.parameters, request.password, password, suspended_without_can) {
            Ok(pace) => {
                self.session.pace = Some(pace);
                ResponseApdu::status(warning.unwrap_or(StatusWord::SUCCESS))
            }
            Err(_) => ResponseApdu::status(StatusWord::UNKNOWN),
        }
    }

    fn general_authenticate(&mut self, command: &CommandApdu, chained: bool) -> ResponseApdu {
        if (command.p1, command.p2) != (0x00, 0x00) {
            return ResponseApdu::status(StatusWord::INCORRECT_P1_P2);
        }
        let Some(pace) = self.session.pace.take() else {
            return ResponseApdu::status(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        if pace.blocked_by_suspension() {
            return ResponseApdu::status(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        let kind = pace.password_kind();
        if kind == PasswordKind::Can && pace.is_last_step() {
            self.slow_down_after_can_failures();
        }
        match pace.step(&command.data, chained) {
            PaceOutcome::Continue(next, response) => {
                self.session.pace = Some(next);
                ResponseApdu::new(response, StatusWord::SUCCESS)
            }
            PaceOutcome::Established { sm, response } => {
                self.session.sm = Some(sm);
                // The current DF and EF stay as they were: ISO/IEC 7816-4
                // changes them only through SELECT and READ BINARY by SFI.
                self.session.authenticated = Some(kind);
                match kind {
                    PasswordKind::Can => {
                        self.session.can_verified = true;
                        self.consecutive_can_failures = 0;
                    }
                    PasswordKind::Pin => self.pin_tries_left = PIN_TRIES,
                    PasswordKind::Puk => self.puk_uses_left = self.puk_uses_left.saturating_sub(1),
                    PasswordKind::Mrz => {}
                }
                ResponseApdu::new(response, StatusWord::SUCCESS)
            }
            PaceOutcome::WrongPassword => {
                self.end_secure_session();
                match kind {
                    PasswordKind::Pin => {
                        self.pin_tries_left = self.pin_tries_left.saturating_sub(1);
                        ResponseApdu::status(StatusWord(0x63C0 | u16::from(self.pin_tries_left)))
                    }
                    PasswordKind::Puk => {
                        self.puk_uses_left = self.puk_uses_left.saturating_sub(1);
                        ResponseApdu::status(StatusWord(0x63C0 | u16::from(self.puk_uses_left.min(15))))
                    }
                    _ => {
                        self.consecutive_can_failures = self.consecutive_can_failures.saturating_add(1);
                        ResponseApdu::status(StatusWord(0x6300))
                    }
                }
            }
            PaceOutcome::Failed(sw) => {
                self.session.pace = None;
                ResponseApdu::status(sw)
            }
        }
    }

    /// After three wrong CANs in a row, each further PACE with CAN waits a
    /// little longer, so that the 10^6 possible CANs cannot be tried quickly.
    fn slow_down_after_can_failures(&self) {
        let delay = self.next_can_delay();
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
    }
}

/// Size of a READ BINARY response carrying `count` plaintext bytes once
/// secure messaging wraps it: DO'87 with padding, DO'99 and DO'8E.
fn protected_length(count: usize) -> usize {
    if count == 0 {
        return 4 + 10;
    }
    let cryptogram = (count / 16 + 1) * 16 + 1;
    let header = match cryptogram {
        0..=0x7F => 2,
        0x80..=0xFF => 3,
        _ => 4,
    };
    header + cryptogram + 4 + 10
}

/// Checks the class byte as ISO/IEC 7816-4 codes it for the interindustry
/// class. The card runs only the basic logical channel, and secure messaging
/// only with the header authenticated (b4 b3 = 11).
fn check_class(cla: u8) -> Result<(), StatusWord> {
    // Bit b8 set means a proprietary class, and b8 b7 b6 = 001 is reserved.
    if cla & 0x80 != 0 || cla & 0xE0 == 0x20 {
        return Err(StatusWord::CLA_NOT_SUPPORTED);
    }
    // Bit b7 set selects the further interindustry class (logical channels
    // 4 to 19), and b2 b1 select logical channels 1 to 3.
    if cla & 0x40 != 0 || cla & 0x03 != 0 {
        return Err(StatusWord::LOGICAL_CHANNEL_NOT_SUPPORTED);
    }
    match cla & 0x0C {
        // Proprietary secure messaging, or secure messaging that leaves the
        // header out of the MAC.
        0x04 | 0x08 => Err(StatusWord::SM_NOT_SUPPORTED),
        _ => Ok(()),
    }
}

/// Tells whether an encoded command uses extended length fields: after the
/// header, a zero byte and at least two more bytes (cases 2E, 3E and 4E).
fn command_is_extended(bytes: &[u8]) -> bool {
    matches!(bytes.get(4..), Some([0, _, _, ..]))
}

/// Builds a card from its content with default options.
impl From<CardContent> for VirtualCard {
    fn from(content: CardContent) -> Self {
        Self::new(content, CardOptions::default())
    }
}

#[cfg(test)]
mod tests;
