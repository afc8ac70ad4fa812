//! Tests of the virtual card against raw command APDUs and, for secure
//! messaging, against the terminal side of PACE and secure messaging.
#![allow(clippy::indexing_slicing)]

use std::time::{Duration, Instant};

use neweid_core::apdu::{CommandApdu, LengthForm, ResponseApdu, StatusWord};
use neweid_core::crypto::SystemRandom;
use neweid_core::pace::{self, terminal, MseSetAt, PaceParameters};
use neweid_core::profile::{self, NewEidFile};
use neweid_core::secret::{Password, PasswordKind, SecretBytes};
use neweid_core::sm::SecureMessaging;

use super::*;
use crate::persona::Persona;
use crate::CardBuilder;

const CAN: &str = "123456";
const PIN: &str = "246810";

fn persona() -> Persona {
    let persona = Persona::load("lin-mei-ling").expect("built-in persona loads");
    assert_eq!(
        persona.secrets.can.as_str(),
        CAN,
        "test constants must match the persona"
    );
    assert_eq!(
        persona.secrets.pin1.as_str(),
        PIN,
        "test constants must match the persona"
    );
    persona
}

/// Options that keep the CAN slow-down short enough for tests.
fn fast_options() -> CardOptions {
    CardOptions {
        extended_length: true,
        can_failure_delay: Duration::from_millis(1),
        max_can_delay: Duration::from_millis(3),
    }
}

fn card() -> VirtualCard {
    card_with(fast_options(), |builder| builder)
}

fn card_with(options: CardOptions, configure: impl FnOnce(CardBuilder<'_>) -> CardBuilder<'_>) -> VirtualCard {
    let persona = persona();
    let builder = configure(CardBuilder::new(&persona));
    let content = builder.build().expect("card content builds");
    VirtualCard::new(content, options)
}

fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

/// Sends raw bytes and splits the answer.
fn send(card: &mut VirtualCard, bytes: &[u8]) -> ResponseApdu {
    ResponseApdu::decode(&card.process(bytes)).expect("the card answers at least a status word")
}

fn sw(card: &mut VirtualCard, bytes: &[u8]) -> StatusWord {
    send(card, bytes).sw
}

fn encode(command: &CommandApdu, form: LengthForm) -> Vec<u8> {
    command.encode(form).expect("test commands encode")
}

/// Sends `command` plain, or protected by `channel` and unprotected.
fn exchange(card: &mut VirtualCard, channel: Option<&mut SecureMessaging>, command: &CommandApdu) -> ResponseApdu {
    match channel {
        None => send(card, &encode(command, LengthForm::Short)),
        Some(sm) => {
            let protected = sm.protect_command(command).expect("command protects");
            let response = send(card, &encode(&protected, LengthForm::Short));
            sm.unprotect_response(&response)
                .expect("the card's protected response verifies")
        }
    }
}

fn select_aid_command(aid: &[u8]) -> CommandApdu {
    CommandApdu::new(0x00, 0xA4, 0x04, 0x0C).with_data(aid.to_vec())
}

fn select_fid_command(fid: u16) -> CommandApdu {
    CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(fid.to_be_bytes().to_vec())
}

fn read_sfi_command(sfi: u8, offset: u8, le: usize) -> CommandApdu {
    CommandApdu::new(0x00, 0xB0, 0x80 | sfi, offset).with_le(le)
}

fn read_offset_command(offset: u16, le: usize) -> CommandApdu {
    CommandApdu::new(0x00, 0xB0, (offset >> 8) as u8, offset as u8).with_le(le)
}

fn select_new_eid(card: &mut VirtualCard) {
    let response = send(
        card,
        &encode(&select_aid_command(&profile::NEW_EID_AID), LengthForm::Short),
    );
    assert_eq!(response.sw, StatusWord::SUCCESS, "SELECT of the New eID application");
}

fn file(card: &VirtualCard, file: NewEidFile) -> Vec<u8> {
    card.content().files[&file].clone()
}

fn master_file(card: &VirtualCard, fid: u16) -> Vec<u8> {
    card.content().master_files[&fid].clone()
}

/// The outcome of one PACE run from the terminal side.
struct PaceRun {
    /// The answer to `MSE:Set AT`.
    set_at: StatusWord,
    /// The new session, or the status word that ended the run.
    outcome: Result<SecureMessaging, StatusWord>,
}

fn password(kind: PasswordKind, digits: &str) -> Password {
    Password::new(kind, SecretBytes::copy_from(digits.as_bytes()))
}

/// Runs PACE with the card's first PACE variant; see [`pace_with`].
fn pace(card: &mut VirtualCard, channel: Option<&mut SecureMessaging>, kind: PasswordKind, digits: &str) -> PaceRun {
    let parameters = card.content().pace_parameters[0];
    pace_with(card, channel, parameters, kind, digits)
}

/// Runs `MSE:Set AT` and the four `GENERAL AUTHENTICATE` steps, protected
/// by `channel` when one is given. A warning `63 Cx` to `MSE:Set AT` lets
/// the run go on, as a terminal does.
fn pace_with(
    card: &mut VirtualCard,
    mut channel: Option<&mut SecureMessaging>,
    parameters: PaceParameters,
    kind: PasswordKind,
    digits: &str,
) -> PaceRun {
    let set_at = exchange(
        card,
        channel.as_deref_mut(),
        &MseSetAt::for_pace(&parameters, kind).command(),
    )
    .sw;
    if set_at != StatusWord::SUCCESS && set_at.retries_left().is_none() {
        return PaceRun {
            set_at,
            outcome: Err(set_at),
        };
    }
    let password = password(kind, digits);
    let mut rng = SystemRandom;
    let mut step = |channel: Option<&mut SecureMessaging>, contents: &[u8], last: bool| {
        let response = exchange(card, channel, &pace::general_authenticate(contents, last));
        match response.sw {
            StatusWord::SUCCESS => Ok(pace::unwrap_dynamic_authentication_data(&response.data)
                .unwrap()
                .to_vec()),
            sw => Err(sw),
        }
    };
    let outcome = (|| {
        let (state, contents) = terminal::start(parameters, &password).unwrap();
        let reply = step(channel.as_deref_mut(), &contents, false)?;
        let (state, contents) = state.receive(&reply, &mut rng).unwrap();
        let reply = step(channel.as_deref_mut(), &contents, false)?;
        let (state, contents) = state.receive(&reply, &mut rng).unwrap();
        let reply = step(channel.as_deref_mut(), &contents, false)?;
        let (state, contents) = state.receive(&reply).unwrap();
        let reply = step(channel.as_deref_mut(), &contents, true)?;
        Ok(state.receive(&reply).expect("the card's token verifies").session)
    })();
    PaceRun { set_at, outcome }
}

fn pace_with_can(card: &mut VirtualCard) -> SecureMessaging {
    let run = pace(card, None, PasswordKind::Can, CAN);
    assert_eq!(run.set_at, StatusWord::SUCCESS, "MSE:Set AT for the CAN");
    run.outcome.expect("PACE with the right CAN succeeds")
}

fn wrong_pin(card: &mut VirtualCard) -> PaceRun {
    pace(card, None, PasswordKind::Pin, "000000")
}

// ---------------------------------------------------------------- SELECT

#[test]
fn select_by_aid_enters_the_application() {
    let mut card = card();
    select_new_eid(&mut card);

    let response = send(&mut card, &encode(&read_sfi_command(0x10, 0, 256), LengthForm::Short));
    assert_eq!(response.sw, StatusWord::END_OF_FILE);
    assert_eq!(response.data, file(&card, NewEidFile::Label));
}

#[test]
fn select_by_fid_makes_the_current_ef() {
    let mut card = card();
    let sw = sw(
        &mut card,
        &encode(&select_fid_command(profile::EF_DIR), LengthForm::Short),
    );
    assert_eq!(sw, StatusWord::SUCCESS);

    let response = send(&mut card, &encode(&read_offset_command(0, 256), LengthForm::Short));
    assert_eq!(response.sw, StatusWord::END_OF_FILE);
    assert_eq!(response.data, master_file(&card, profile::EF_DIR));
}

#[test]
fn select_by_fid_looks_only_in_the_current_df() {
    let mut card = card();
    let in_master = sw(
        &mut card,
        &encode(&select_fid_command(NewEidFile::Label.fid()), LengthForm::Short),
    );
    assert_eq!(in_master, StatusWord::FILE_NOT_FOUND, "EF.Label from the master file");

    select_new_eid(&mut card);
    let in_application = sw(
        &mut card,
        &encode(&select_fid_command(profile::EF_CARD_ACCESS), LengthForm::Short),
    );
    assert_eq!(
        in_application,
        StatusWord::FILE_NOT_FOUND,
        "EF.CardAccess from the application"
    );
    let label = sw(
        &mut card,
        &encode(&select_fid_command(NewEidFile::Label.fid()), LengthForm::Short),
    );
    assert_eq!(label, StatusWord::SUCCESS, "EF.Label from the application");
}

#[test]
fn select_master_file_with_and_without_its_fid() {
    let card_access = CommandApdu::new(0x00, 0xB0, 0x80 | profile::EF_CARD_ACCESS_SFI, 0).with_le(256);
    for select in [hex("00 A4 00 0C"), hex("00 A4 00 0C 02 3F 00")] {
        let mut card = card();
        select_new_eid(&mut card);
        let from_application = sw(&mut card, &encode(&card_access, LengthForm::Short));
        assert_eq!(
            from_application,
            StatusWord::FILE_NOT_FOUND,
            "SFI 1C inside the application"
        );

        assert_eq!(sw(&mut card, &select), StatusWord::SUCCESS, "{select:02X?}");
        let response = send(&mut card, &encode(&card_access, LengthForm::Short));
        assert_eq!(response.sw, StatusWord::END_OF_FILE, "SFI 1C after {select:02X?}");
        assert_eq!(response.data, master_file(&card, profile::EF_CARD_ACCESS));
    }
}

#[test]
fn select_with_le_is_wrong_length() {
    let mut card = card();
    let mut by_aid = select_aid_command(&profile::NEW_EID_AID);
    by_aid.le = Some(256);
    assert_eq!(
        sw(&mut card, &encode(&by_aid, LengthForm::Short)),
        StatusWord::WRONG_LENGTH,
        "by AID"
    );

    let mut by_fid = select_fid_command(profile::EF_DIR);
    by_fid.le = Some(256);
    assert_eq!(
        sw(&mut card, &encode(&by_fid, LengthForm::Short)),
        StatusWord::WRONG_LENGTH,
        "by FID"
    );

    assert_eq!(
        sw(&mut card, &hex("00 A4 00 0C 00")),
        StatusWord::WRONG_LENGTH,
        "master file"
    );
}

#[test]
fn select_p2_must_ask_for_no_response() {
    let mut card = card();
    for p2 in [0x00, 0x04, 0x08, 0x0D] {
        let mut command = select_aid_command(&profile::NEW_EID_AID);
        command.p2 = p2;
        assert_eq!(
            sw(&mut card, &encode(&command, LengthForm::Short)),
            StatusWord::INCORRECT_P1_P2,
            "P2 {p2:02X}"
        );
    }
}

#[test]
fn select_unknown_aid_is_not_found() {
    let mut card = card();
    let unknown = [0xF0, 0x54, 0x57, 0x4E, 0x45, 0x49, 0x44, 0x02];
    assert_eq!(
        sw(&mut card, &encode(&select_aid_command(&unknown), LengthForm::Short)),
        StatusWord::FILE_NOT_FOUND
    );
    let prefix = &profile::NEW_EID_AID[..7];
    assert_eq!(
        sw(&mut card, &encode(&select_aid_command(prefix), LengthForm::Short)),
        StatusWord::FILE_NOT_FOUND,
        "a truncated AID"
    );
}

#[test]
fn select_by_path_is_not_supported() {
    let mut card = card();
    assert_eq!(sw(&mut card, &hex("00 A4 08 0C 02 2F 00")), StatusWord::INCORRECT_P1_P2);
}

// ----------------------------------------------------------- READ BINARY

#[test]
fn read_by_sfi_with_short_le() {
    let mut card = card();
    select_new_eid(&mut card);
    let label = file(&card, NewEidFile::Label);

    let exact = send(
        &mut card,
        &encode(&read_sfi_command(0x10, 0, label.len()), LengthForm::Short),
    );
    assert_eq!(exact.sw, StatusWord::SUCCESS, "Le equal to the file length");
    assert_eq!(exact.data, label);

    let short = send(&mut card, &encode(&read_sfi_command(0x10, 0, 4), LengthForm::Short));
    assert_eq!(short.sw, StatusWord::SUCCESS, "Le shorter than the file");
    assert_eq!(short.data, label[..4]);

    let offset = send(&mut card, &encode(&read_sfi_command(0x10, 3, 5), LengthForm::Short));
    assert_eq!(offset.sw, StatusWord::SUCCESS, "offset in P2");
    assert_eq!(offset.data, label[3..8]);
}

#[test]
fn read_by_offset_with_extended_le() {
    let mut card = card();
    select_new_eid(&mut card);
    let dg1 = file(&card, NewEidFile::DataGroup(1));
    assert_eq!(
        sw(&mut card, &encode(&select_fid_command(0x0101), LengthForm::Short)),
        StatusWord::SUCCESS
    );

    let whole = send(&mut card, &hex("00 B0 00 00 00 00 00"));
    assert_eq!(whole.sw, StatusWord::END_OF_FILE, "Le 65536");
    assert_eq!(whole.data, dg1);

    let tail = send(&mut card, &encode(&read_offset_command(2, 1000), LengthForm::Extended));
    assert_eq!(tail.sw, StatusWord::END_OF_FILE, "Le 1000 from offset 2");
    assert_eq!(tail.data, dg1[2..]);
}

#[test]
fn read_by_sfi_with_extended_le() {
    let mut card = card();
    select_new_eid(&mut card);
    let dg1 = file(&card, NewEidFile::DataGroup(1));
    let response = send(
        &mut card,
        &encode(&read_sfi_command(0x01, 0, 4096), LengthForm::Extended),
    );
    assert_eq!(response.sw, StatusWord::END_OF_FILE);
    assert_eq!(response.data, dg1);
}

#[test]
fn read_by_sfi_makes_the_file_current() {
    let mut card = card();
    select_new_eid(&mut card);
    let label = file(&card, NewEidFile::Label);
    send(&mut card, &encode(&read_sfi_command(0x10, 0, 2), LengthForm::Short));
    let next = send(&mut card, &encode(&read_offset_command(2, 3), LengthForm::Short));
    assert_eq!(next.sw, StatusWord::SUCCESS);
    assert_eq!(next.data, label[2..5]);
}

#[test]
fn read_reaching_the_end_warns() {
    let mut card = card();
    select_new_eid(&mut card);
    let label = file(&card, NewEidFile::Label);
    let last = u8::try_from(label.len() - 1).unwrap();
    let response = send(&mut card, &encode(&read_sfi_command(0x10, last, 10), LengthForm::Short));
    assert_eq!(response.sw, StatusWord::END_OF_FILE);
    assert_eq!(response.data, label[label.len() - 1..]);
}

#[test]
fn read_at_or_past_the_end_is_wrong_p1_p2() {
    let mut card = card();
    select_new_eid(&mut card);
    let length = u8::try_from(file(&card, NewEidFile::Label).len()).unwrap();
    for offset in [length, length + 1, 0xFF] {
        let response = send(
            &mut card,
            &encode(&read_sfi_command(0x10, offset, 1), LengthForm::Short),
        );
        assert_eq!(response.sw, StatusWord::WRONG_P1_P2, "offset {offset}");
        assert!(response.data.is_empty(), "offset {offset} returns no data");
    }
    let past = send(&mut card, &encode(&read_offset_command(0x7FFF, 1), LengthForm::Short));
    assert_eq!(past.sw, StatusWord::WRONG_P1_P2, "offset 7FFF");
}

#[test]
fn read_without_current_ef_is_not_allowed() {
    let mut card = card();
    let read = encode(&read_offset_command(0, 16), LengthForm::Short);
    assert_eq!(sw(&mut card, &read), StatusWord::COMMAND_NOT_ALLOWED, "after reset");
    select_new_eid(&mut card);
    assert_eq!(
        sw(&mut card, &read),
        StatusWord::COMMAND_NOT_ALLOWED,
        "after SELECT of the application"
    );
}

#[test]
fn read_without_le_is_wrong_length() {
    let mut card = card();
    select_new_eid(&mut card);
    assert_eq!(sw(&mut card, &hex("00 B0 90 00")), StatusWord::WRONG_LENGTH);
}

#[test]
fn read_with_data_is_wrong_length() {
    let mut card = card();
    select_new_eid(&mut card);
    assert_eq!(sw(&mut card, &hex("00 B0 90 00 01 00 00")), StatusWord::WRONG_LENGTH);
}

#[test]
fn read_by_unknown_or_malformed_sfi() {
    let mut card = card();
    select_new_eid(&mut card);
    assert_eq!(
        sw(&mut card, &hex("00 B0 8E 00 00")),
        StatusWord::FILE_NOT_FOUND,
        "SFI 0E (DG14 is unused)"
    );
    assert_eq!(
        sw(&mut card, &hex("00 B0 9F 00 00")),
        StatusWord::FILE_NOT_FOUND,
        "SFI 1F"
    );
    assert_eq!(
        sw(&mut card, &hex("00 B0 C2 00 00")),
        StatusWord::INCORRECT_P1_P2,
        "P1 C2"
    );
    assert_eq!(
        sw(&mut card, &hex("00 B0 A2 00 00")),
        StatusWord::INCORRECT_P1_P2,
        "P1 A2"
    );
}

#[test]
fn public_files_need_pace() {
    let mut card = card();
    select_new_eid(&mut card);
    let protected = [2, 3, 4, 5, 6, 7, 8, 9, 15].map(NewEidFile::DataGroup);
    for file in protected.into_iter().chain([NewEidFile::SodPublic]) {
        let response = send(
            &mut card,
            &encode(&read_sfi_command(file.sfi(), 0, 256), LengthForm::Short),
        );
        assert_eq!(response.sw, StatusWord::SECURITY_STATUS_NOT_SATISFIED, "{file}");
        assert!(response.data.is_empty(), "{file} returns no data");
    }
    for file in [NewEidFile::DataGroup(1), NewEidFile::Label] {
        let response = send(
            &mut card,
            &encode(&read_sfi_command(file.sfi(), 0, 256), LengthForm::Short),
        );
        assert_eq!(response.sw, StatusWord::END_OF_FILE, "{file} is readable by anyone");
    }
}

#[test]
fn card_security_needs_pace_and_card_access_does_not() {
    let mut card = card();
    let security = send(&mut card, &hex("00 B0 9D 00 00"));
    assert_eq!(
        security.sw,
        StatusWord::SECURITY_STATUS_NOT_SATISFIED,
        "EF.CardSecurity"
    );
    let access = send(&mut card, &hex("00 B0 9C 00 00"));
    assert_eq!(access.sw, StatusWord::END_OF_FILE, "EF.CardAccess");
    for fid in [profile::EF_DIR, profile::EF_ATR_INFO] {
        assert_eq!(
            sw(&mut card, &encode(&select_fid_command(fid), LengthForm::Short)),
            StatusWord::SUCCESS
        );
        let response = send(&mut card, &hex("00 B0 00 00 00"));
        assert_eq!(response.sw, StatusWord::END_OF_FILE, "file {fid:04X}");
    }
}

const ENCRYPTED_FILES: [NewEidFile; 5] = [
    NewEidFile::DataGroup(10),
    NewEidFile::DataGroup(11),
    NewEidFile::DataGroup(12),
    NewEidFile::DataGroup(13),
    NewEidFile::SodPrivate,
];

#[test]
fn encrypted_files_refused_without_pace() {
    let mut card = card();
    select_new_eid(&mut card);
    for file in ENCRYPTED_FILES {
        let response = send(
            &mut card,
            &encode(&read_sfi_command(file.sfi(), 0, 256), LengthForm::Short),
        );
        assert_eq!(response.sw, StatusWord::SECURITY_STATUS_NOT_SATISFIED, "{file}");
    }
}

#[test]
fn encrypted_files_refused_after_pace_with_can_or_pin() {
    for (kind, digits) in [(PasswordKind::Can, CAN), (PasswordKind::Pin, PIN)] {
        let mut card = card();
        let run = pace(&mut card, None, kind, digits);
        let mut sm = run.outcome.expect("PACE succeeds");
        exchange(&mut card, Some(&mut sm), &select_aid_command(&profile::NEW_EID_AID));
        for file in ENCRYPTED_FILES {
            let response = exchange(&mut card, Some(&mut sm), &read_sfi_command(file.sfi(), 0, 200));
            assert_eq!(
                response.sw,
                StatusWord::SECURITY_STATUS_NOT_SATISFIED,
                "{file} after PACE with {kind:?}"
            );
            assert!(
                response.data.is_empty(),
                "{file} after PACE with {kind:?} returns no data"
            );
        }
    }
}

// ---------------------------------------------------- secure messaging

#[test]
fn pace_with_can_opens_the_public_area() {
    let mut card = card();
    let mut sm = pace_with_can(&mut card);
    let security = exchange(
        &mut card,
        Some(&mut sm),
        &read_sfi_command(profile::EF_CARD_SECURITY_SFI, 0, 200),
    );
    assert_eq!(security.sw, StatusWord::SUCCESS, "EF.CardSecurity");
    assert_eq!(security.data, master_file(&card, profile::EF_CARD_SECURITY)[..200]);

    exchange(&mut card, Some(&mut sm), &select_aid_command(&profile::NEW_EID_AID));
    let dg2 = exchange(&mut card, Some(&mut sm), &read_sfi_command(2, 0, 200));
    assert_eq!(dg2.sw, StatusWord::END_OF_FILE, "DG2");
    assert_eq!(dg2.data, file(&card, NewEidFile::DataGroup(2)));
}

#[test]
fn pace_keeps_the_selected_application() {
    let mut card = card();
    select_new_eid(&mut card);
    let mut sm = pace_with_can(&mut card);
    let dg3 = exchange(&mut card, Some(&mut sm), &read_sfi_command(3, 0, 200));
    assert_eq!(dg3.sw, StatusWord::END_OF_FILE, "DG3 without a new SELECT");
    assert_eq!(dg3.data, file(&card, NewEidFile::DataGroup(3)));
}

#[test]
fn plain_command_during_sm_ends_the_session() {
    let mut card = card();
    let mut sm = pace_with_can(&mut card);
    let plain = send(
        &mut card,
        &encode(&select_aid_command(&profile::NEW_EID_AID), LengthForm::Short),
    );
    assert_eq!(plain.sw, StatusWord::SM_DATA_OBJECTS_MISSING);
    assert!(plain.data.is_empty(), "the answer is a plain status word");

    let protected = sm.protect_command(&read_sfi_command(2, 0, 16)).unwrap();
    let next = send(&mut card, &encode(&protected, LengthForm::Short));
    assert_eq!(
        next.sw,
        StatusWord::SM_DATA_OBJECTS_INCORRECT,
        "the next protected command"
    );
    assert!(next.data.is_empty(), "no protected answer without a session");

    select_new_eid(&mut card);
    let dg2 = sw(&mut card, &encode(&read_sfi_command(2, 0, 16), LengthForm::Short));
    assert_eq!(
        dg2,
        StatusWord::SECURITY_STATUS_NOT_SATISFIED,
        "the access right went with the session"
    );
}

#[test]
fn tampered_mac_ends_the_session() {
    let mut card = card();
    let mut sm = pace_with_can(&mut card);
    let mut protected = sm.protect_command(&select_aid_command(&profile::NEW_EID_AID)).unwrap();
    let last = protected.data.len() - 1;
    protected.data[last] ^= 0x01;
    let response = send(&mut card, &encode(&protected, LengthForm::Short));
    assert_eq!(response.sw, StatusWord::SM_DATA_OBJECTS_INCORRECT);
    assert!(response.data.is_empty(), "the answer is a plain status word");
    assert!(card.session.sm.is_none(), "the card dropped its keys");

    // With the session alive a plain command would answer 69 87; without
    // it the card checks the access rights, which went with the session.
    let access = sw(&mut card, &encode(&read_sfi_command(0x1C, 0, 16), LengthForm::Short));
    assert_eq!(access, StatusWord::SUCCESS, "plain commands work again");
    let security = sw(&mut card, &encode(&read_sfi_command(0x1D, 0, 16), LengthForm::Short));
    assert_eq!(
        security,
        StatusWord::SECURITY_STATUS_NOT_SATISFIED,
        "EF.CardSecurity is closed again"
    );
}

#[test]
fn tampered_cryptogram_ends_the_session() {
    let mut card = card();
    let mut sm = pace_with_can(&mut card);
    let mut protected = sm.protect_command(&select_aid_command(&profile::NEW_EID_AID)).unwrap();
    protected.data[4] ^= 0x80;
    assert_eq!(
        sw(&mut card, &encode(&protected, LengthForm::Short)),
        StatusWord::SM_DATA_OBJECTS_INCORRECT
    );
    assert!(card.session.sm.is_none(), "the card dropped its keys");
}

#[test]
fn protected_command_without_mac_is_missing_objects() {
    let mut card = card();
    let mut sm = pace_with_can(&mut card);
    let mut protected = sm.protect_command(&select_aid_command(&profile::NEW_EID_AID)).unwrap();
    let without_mac = protected.data.len() - 10;
    protected.data.truncate(without_mac);
    assert_eq!(
        sw(&mut card, &encode(&protected, LengthForm::Short)),
        StatusWord::SM_DATA_OBJECTS_MISSING
    );
    assert!(card.session.sm.is_none(), "the card dropped its keys");
}

#[test]
fn protected_command_before_pace_is_rejected() {
    let mut card = card();
    assert_eq!(
        sw(&mut card, &hex("0C B0 9C 00 00")),
        StatusWord::SM_DATA_OBJECTS_INCORRECT
    );
}

/// Sends a protected READ BINARY of DG9 with plaintext `le` inside and
/// `outer_le` on the outer command.
fn protected_read(
    card: &mut VirtualCard,
    sm: &mut SecureMessaging,
    le: usize,
    outer_le: Option<usize>,
) -> ResponseApdu {
    let mut protected = sm.protect_command(&read_sfi_command(9, 0, le)).unwrap();
    protected.le = outer_le;
    let response = send(card, &encode(&protected, LengthForm::Short));
    let length = response.data.len();
    if let Some(outer) = outer_le {
        assert!(length <= outer, "{length} protected bytes for outer Le {outer}");
    }
    sm.unprotect_response(&response)
        .expect("the card's protected response verifies")
}

#[test]
fn protected_read_must_fit_the_outer_le() {
    let mut card = card();
    let mut sm = pace_with_can(&mut card);
    exchange(&mut card, Some(&mut sm), &select_aid_command(&profile::NEW_EID_AID));
    let dg9 = file(&card, NewEidFile::DataGroup(9));

    // 223 bytes pad to 224: 87 81 E1 01 ‖ 224 ‖ 99 02 SW ‖ 8E 08 MAC is 242 bytes.
    let largest = protected_read(&mut card, &mut sm, 223, Some(256));
    assert_eq!(largest.sw, StatusWord::SUCCESS, "223 bytes under Le 256");
    assert_eq!(largest.data, dg9[..223]);

    // 224 bytes pad to 240, and 87 82 00 F1 01 ‖ 240 ‖ 14 is 261 bytes.
    let too_long = protected_read(&mut card, &mut sm, 240, Some(256));
    assert_eq!(too_long.sw, StatusWord::WRONG_LENGTH, "240 bytes under Le 256");
    assert!(too_long.data.is_empty(), "no data with 67 00");

    // 64 bytes pad to 80: 87 51 01 ‖ 80 ‖ 14 is 97 bytes.
    let fits = protected_read(&mut card, &mut sm, 64, Some(97));
    assert_eq!(fits.sw, StatusWord::SUCCESS, "64 bytes under Le 97");
    let over = protected_read(&mut card, &mut sm, 64, Some(96));
    assert_eq!(over.sw, StatusWord::WRONG_LENGTH, "64 bytes under Le 96");

    let without = protected_read(&mut card, &mut sm, 16, None);
    assert_eq!(without.sw, StatusWord::WRONG_LENGTH, "no outer Le");
}

// ---------------------------------------------------------------- PACE

#[test]
fn pace_with_wrong_can_fails_without_session() {
    let mut card = card();
    let run = pace(&mut card, None, PasswordKind::Can, "111111");
    assert_eq!(run.set_at, StatusWord::SUCCESS);
    assert_eq!(run.outcome.err(), Some(StatusWord(0x6300)));
    assert!(card.session.sm.is_none(), "no session keys");
    assert_eq!(
        sw(&mut card, &hex("00 B0 9D 00 00")),
        StatusWord::SECURITY_STATUS_NOT_SATISFIED
    );
}

#[test]
fn wrong_pin_counts_down_then_suspends() {
    let mut card = card();
    let first = wrong_pin(&mut card);
    assert_eq!(first.set_at, StatusWord::SUCCESS, "MSE:Set AT with 3 tries");
    assert_eq!(first.outcome.err(), Some(StatusWord(0x63C2)), "first wrong PIN");
    assert_eq!(card.pin_tries_left(), 2);

    let second = wrong_pin(&mut card);
    assert_eq!(second.set_at, StatusWord(0x63C2), "MSE:Set AT with 2 tries");
    assert_eq!(second.outcome.err(), Some(StatusWord(0x63C1)), "second wrong PIN");
    assert_eq!(card.pin_tries_left(), 1);
}

#[test]
fn suspended_pin_needs_can_first() {
    let mut card = card();
    card.set_pin_tries_left(1);
    let run = pace(&mut card, None, PasswordKind::Pin, PIN);
    assert_eq!(run.set_at, StatusWord(0x63C1), "MSE:Set AT reports the suspension");
    assert_eq!(
        run.outcome.err(),
        Some(StatusWord::CONDITIONS_NOT_SATISFIED),
        "GENERAL AUTHENTICATE refused"
    );
    assert_eq!(card.pin_tries_left(), 1, "a refused run costs no try");
}

#[test]
fn suspended_pin_resumes_after_can() {
    let mut card = card();
    card.set_pin_tries_left(1);
    let mut can_session = pace_with_can(&mut card);
    let run = pace(&mut card, Some(&mut can_session), PasswordKind::Pin, PIN);
    assert_eq!(run.set_at, StatusWord(0x63C1), "MSE:Set AT still warns");
    let mut pin_session = run.outcome.expect("PACE with the right PIN succeeds");
    assert_eq!(card.pin_tries_left(), PIN_TRIES, "the right PIN resets the counter");
    assert_eq!(card.session.authenticated, Some(PasswordKind::Pin));

    let read = exchange(&mut card, Some(&mut pin_session), &read_sfi_command(0x1D, 0, 16));
    assert_eq!(
        read.sw,
        StatusWord::SUCCESS,
        "the new session protects the next command"
    );
}

#[test]
fn suspended_pin_wrong_after_can_blocks() {
    let mut card = card();
    card.set_pin_tries_left(1);
    let mut can_session = pace_with_can(&mut card);
    let run = pace(&mut card, Some(&mut can_session), PasswordKind::Pin, "000000");
    assert_eq!(run.outcome.err(), Some(StatusWord(0x63C0)), "third wrong PIN");
    assert_eq!(card.pin_tries_left(), 0);

    let blocked = pace(&mut card, None, PasswordKind::Pin, PIN);
    assert_eq!(
        blocked.set_at,
        StatusWord::AUTHENTICATION_BLOCKED,
        "MSE:Set AT with a blocked PIN"
    );
}

#[test]
fn blocked_pin_refuses_set_at() {
    let mut card = card();
    card.set_pin_tries_left(0);
    let run = pace(&mut card, None, PasswordKind::Pin, PIN);
    assert_eq!(run.set_at, StatusWord::AUTHENTICATION_BLOCKED);
    let ga = sw(
        &mut card,
        &encode(&pace::general_authenticate(&[], false), LengthForm::Short),
    );
    assert_eq!(ga, StatusWord::CONDITIONS_NOT_SATISFIED, "no PACE was prepared");
}

#[test]
fn pin_counter_survives_reset_and_power_off() {
    let mut card = card();
    wrong_pin(&mut card);
    wrong_pin(&mut card);
    card.reset();
    assert_eq!(card.pin_tries_left(), 1, "after reset");
    card.power_off();
    assert_eq!(card.pin_tries_left(), 1, "after power off");
    let run = pace(&mut card, None, PasswordKind::Pin, PIN);
    assert_eq!(run.set_at, StatusWord(0x63C1), "after power on");
}

#[test]
fn can_permission_ends_with_the_card_session() {
    for end in [VirtualCard::reset as fn(&mut VirtualCard), VirtualCard::power_off] {
        let mut card = card();
        card.set_pin_tries_left(1);
        pace_with_can(&mut card);
        end(&mut card);
        let run = pace(&mut card, None, PasswordKind::Pin, PIN);
        assert_eq!(
            run.outcome.err(),
            Some(StatusWord::CONDITIONS_NOT_SATISFIED),
            "PIN refused again"
        );
        assert_eq!(card.pin_tries_left(), 1);
    }
}

#[test]
fn right_pin_resets_a_lowered_counter() {
    let mut card = card();
    wrong_pin(&mut card);
    let run = pace(&mut card, None, PasswordKind::Pin, PIN);
    assert_eq!(run.set_at, StatusWord(0x63C2));
    assert!(run.outcome.is_ok(), "PACE with the right PIN");
    assert_eq!(card.pin_tries_left(), PIN_TRIES);
}

#[test]
fn set_at_checks_its_parameters() {
    let mut card = card();
    let parameters = card.content().pace_parameters[0];
    let mut command = MseSetAt::for_pace(&parameters, PasswordKind::Can).command();
    command.le = Some(256);
    assert_eq!(
        sw(&mut card, &encode(&command, LengthForm::Short)),
        StatusWord::WRONG_LENGTH,
        "with Le"
    );

    let mut command = MseSetAt::for_pace(&parameters, PasswordKind::Can).command();
    command.p1 = 0x81;
    assert_eq!(
        sw(&mut card, &encode(&command, LengthForm::Short)),
        StatusWord::INCORRECT_P1_P2,
        "P1 81"
    );

    let other = PaceParameters::new(
        neweid_core::crypto::Cipher::Aes256,
        neweid_core::crypto::NamedCurve::P521,
    )
    .unwrap();
    let command = MseSetAt::for_pace(&other, PasswordKind::Can).command();
    assert_eq!(
        sw(&mut card, &encode(&command, LengthForm::Short)),
        StatusWord::REFERENCED_DATA_NOT_FOUND,
        "a variant the card does not offer"
    );

    let command = MseSetAt::for_pace(&parameters, PasswordKind::Mrz).command();
    assert_eq!(
        sw(&mut card, &encode(&command, LengthForm::Short)),
        StatusWord::REFERENCED_DATA_NOT_FOUND,
        "MRZ"
    );

    let command = CommandApdu::new(0x00, 0x22, 0xC1, 0xA4).with_data(hex("83 01 02"));
    assert_eq!(
        sw(&mut card, &encode(&command, LengthForm::Short)),
        StatusWord::INCORRECT_DATA,
        "no protocol"
    );
}

#[test]
fn set_at_may_leave_out_a_single_parameter_id() {
    let mut card = card();
    let parameters = card.content().pace_parameters[0];
    let mut set_at = MseSetAt::for_pace(&parameters, PasswordKind::Can);
    set_at.parameter_id = None;
    assert_eq!(
        sw(&mut card, &encode(&set_at.command(), LengthForm::Short)),
        StatusWord::SUCCESS
    );

    let mut card = card_with(fast_options(), |builder| builder.pace_parameter_ids(&[12, 13]).unwrap());
    assert_eq!(
        sw(&mut card, &encode(&set_at.command(), LengthForm::Short)),
        StatusWord::INCORRECT_DATA,
        "two offered parameter sets"
    );
}

#[test]
fn pace_runs_every_offered_variant() {
    let mut card = card_with(fast_options(), |builder| {
        builder.pace_parameter_ids(&[12, 13, 16, 17]).unwrap()
    });
    for parameters in card.content().pace_parameters.clone() {
        card.reset();
        let run = pace_with(&mut card, None, parameters, PasswordKind::Can, CAN);
        assert!(
            run.outcome.is_ok(),
            "PACE with parameter ID {}",
            parameters.parameter_id()
        );
    }
}

// ------------------------------------------------------------ chaining

#[test]
fn unchained_early_step_aborts_pace() {
    let mut card = card();
    let parameters = card.content().pace_parameters[0];
    let set_at = MseSetAt::for_pace(&parameters, PasswordKind::Can).command();
    assert_eq!(sw(&mut card, &encode(&set_at, LengthForm::Short)), StatusWord::SUCCESS);

    let unchained = encode(&pace::general_authenticate(&[], true), LengthForm::Short);
    assert_eq!(
        sw(&mut card, &unchained),
        StatusWord::CONDITIONS_NOT_SATISFIED,
        "step 1 without chaining"
    );
    let chained = encode(&pace::general_authenticate(&[], false), LengthForm::Short);
    assert_eq!(
        sw(&mut card, &chained),
        StatusWord::CONDITIONS_NOT_SATISFIED,
        "PACE was aborted"
    );
}

#[test]
fn chained_last_step_aborts_pace() {
    let mut card = card();
    let parameters = card.content().pace_parameters[0];
    let password = password(PasswordKind::Can, CAN);
    let set_at = MseSetAt::for_pace(&parameters, PasswordKind::Can).command();
    assert_eq!(sw(&mut card, &encode(&set_at, LengthForm::Short)), StatusWord::SUCCESS);

    let mut rng = SystemRandom;
    let mut ga = |contents: &[u8], last: bool| {
        send(
            &mut card,
            &encode(&pace::general_authenticate(contents, last), LengthForm::Short),
        )
    };
    let (state, contents) = terminal::start(parameters, &password).unwrap();
    let reply = ga(&contents, false);
    let (state, contents) = state
        .receive(pace::unwrap_dynamic_authentication_data(&reply.data).unwrap(), &mut rng)
        .unwrap();
    let reply = ga(&contents, false);
    let (state, contents) = state
        .receive(pace::unwrap_dynamic_authentication_data(&reply.data).unwrap(), &mut rng)
        .unwrap();
    let reply = ga(&contents, false);
    let (_, token) = state
        .receive(pace::unwrap_dynamic_authentication_data(&reply.data).unwrap())
        .unwrap();

    assert_eq!(
        ga(&token, false).sw,
        StatusWord::LAST_COMMAND_EXPECTED,
        "step 4 with chaining"
    );
    assert_eq!(
        ga(&token, true).sw,
        StatusWord::CONDITIONS_NOT_SATISFIED,
        "PACE was aborted"
    );
}

#[test]
fn chaining_other_commands_is_not_supported() {
    let mut card = card();
    assert_eq!(
        sw(&mut card, &hex("10 B0 9C 00 00")),
        StatusWord::COMMAND_CHAINING_NOT_SUPPORTED,
        "READ BINARY"
    );
    let mut select = select_aid_command(&profile::NEW_EID_AID);
    select.cla = 0x10;
    assert_eq!(
        sw(&mut card, &encode(&select, LengthForm::Short)),
        StatusWord::COMMAND_CHAINING_NOT_SUPPORTED,
        "SELECT"
    );
}

#[test]
fn general_authenticate_without_set_at_is_refused() {
    let mut card = card();
    let ga = encode(&pace::general_authenticate(&[], false), LengthForm::Short);
    assert_eq!(sw(&mut card, &ga), StatusWord::CONDITIONS_NOT_SATISFIED);
}

// ------------------------------------------------------- APDU framing

#[test]
fn extended_length_refused_when_not_offered() {
    let options = CardOptions {
        extended_length: false,
        ..fast_options()
    };
    let mut card = card_with(options, |builder| builder);
    select_new_eid(&mut card);
    assert_eq!(
        sw(&mut card, &hex("00 B0 81 00 00 01 00")),
        StatusWord::WRONG_LENGTH,
        "case 2E"
    );
    assert_eq!(
        sw(&mut card, &hex("00 B0 81 00 00 00 00")),
        StatusWord::WRONG_LENGTH,
        "case 2E, Le 65536"
    );
    let select = encode(&select_aid_command(&profile::NEW_EID_AID), LengthForm::Extended);
    assert_eq!(sw(&mut card, &select), StatusWord::WRONG_LENGTH, "case 3E");
    assert_eq!(
        sw(&mut card, &hex("00 B0 81 00 00")),
        StatusWord::END_OF_FILE,
        "case 2S still works"
    );
}

#[test]
fn extended_length_accepted_when_offered() {
    let mut card = card();
    let select = encode(&select_aid_command(&profile::NEW_EID_AID), LengthForm::Extended);
    assert_eq!(sw(&mut card, &select), StatusWord::SUCCESS, "case 3E");
    assert_eq!(
        sw(&mut card, &hex("00 B0 81 00 00 01 00")),
        StatusWord::END_OF_FILE,
        "case 2E"
    );
}

#[test]
fn command_longer_than_stated_is_wrong_length() {
    let mut card = card();
    let at_limit = select_aid_command(&vec![0xF0; MAX_COMMAND_LENGTH - 7]);
    let bytes = encode(&at_limit, LengthForm::Extended);
    assert_eq!(bytes.len(), MAX_COMMAND_LENGTH);
    assert_eq!(
        sw(&mut card, &bytes),
        StatusWord::FILE_NOT_FOUND,
        "{} bytes",
        bytes.len()
    );

    let over = encode(
        &select_aid_command(&vec![0xF0; MAX_COMMAND_LENGTH - 6]),
        LengthForm::Extended,
    );
    assert_eq!(sw(&mut card, &over), StatusWord::WRONG_LENGTH, "{} bytes", over.len());
}

#[test]
fn class_byte_is_checked() {
    let cases = [
        (0x80, StatusWord::CLA_NOT_SUPPORTED, "proprietary class"),
        (0xA0, StatusWord::CLA_NOT_SUPPORTED, "proprietary class"),
        (0x20, StatusWord::CLA_NOT_SUPPORTED, "reserved class"),
        (0x01, StatusWord::LOGICAL_CHANNEL_NOT_SUPPORTED, "logical channel 1"),
        (0x03, StatusWord::LOGICAL_CHANNEL_NOT_SUPPORTED, "logical channel 3"),
        (0x40, StatusWord::LOGICAL_CHANNEL_NOT_SUPPORTED, "logical channel 4"),
        (0x04, StatusWord::SM_NOT_SUPPORTED, "proprietary secure messaging"),
        (0x08, StatusWord::SM_NOT_SUPPORTED, "secure messaging without header"),
    ];
    for (cla, expected, what) in cases {
        let mut card = card();
        let mut command = select_aid_command(&profile::NEW_EID_AID);
        command.cla = cla;
        assert_eq!(
            sw(&mut card, &encode(&command, LengthForm::Short)),
            expected,
            "CLA {cla:02X}: {what}"
        );
    }
}

#[test]
fn malformed_apdus_are_wrong_length() {
    let mut card = card();
    for bytes in [
        hex("00 A4 04"),
        hex("00 A4 04 0C 08 F0 54"),
        hex("00 A4 04 0C 00 00 08 F0"),
        hex("00 B0 00 00 00 01"),
    ] {
        assert_eq!(sw(&mut card, &bytes), StatusWord::WRONG_LENGTH, "{bytes:02X?}");
    }
}

#[test]
fn unknown_instruction_is_not_supported() {
    let mut card = card();
    assert_eq!(
        sw(&mut card, &hex("00 CA 01 00 00")),
        StatusWord::INS_NOT_SUPPORTED,
        "GET DATA"
    );
    assert_eq!(
        sw(&mut card, &hex("00 B1 00 00 00")),
        StatusWord::INS_NOT_SUPPORTED,
        "odd READ BINARY"
    );
}

// ------------------------------------------------------- CAN slow-down

#[test]
fn can_delay_starts_after_three_failures() {
    let mut card = card();
    for failure in 1..=2 {
        pace(&mut card, None, PasswordKind::Can, "111111");
        assert_eq!(card.next_can_delay(), Duration::ZERO, "after {failure} wrong CANs");
    }
    let expected = [1, 2, 3, 3].map(Duration::from_millis);
    for (index, delay) in expected.into_iter().enumerate() {
        pace(&mut card, None, PasswordKind::Can, "111111");
        assert_eq!(card.next_can_delay(), delay, "after {} wrong CANs", index + 3);
    }
    pace_with_can(&mut card);
    assert_eq!(card.next_can_delay(), Duration::ZERO, "after the right CAN");
}

#[test]
fn can_delay_survives_reset() {
    let mut card = card();
    for _ in 0..4 {
        pace(&mut card, None, PasswordKind::Can, "111111");
    }
    card.power_off();
    card.reset();
    assert_eq!(card.next_can_delay(), Duration::from_millis(2));
}

#[test]
fn can_delay_slows_the_last_step() {
    let delay = Duration::from_millis(60);
    let options = CardOptions {
        can_failure_delay: delay,
        max_can_delay: delay,
        ..fast_options()
    };
    let mut card = card_with(options, |builder| builder);
    for _ in 0..3 {
        pace(&mut card, None, PasswordKind::Can, "111111");
    }
    let started = Instant::now();
    let run = pace(&mut card, None, PasswordKind::Can, CAN);
    let elapsed = started.elapsed();
    assert!(run.outcome.is_ok(), "the right CAN still works");
    assert!(elapsed >= delay, "PACE took {elapsed:?}, less than the {delay:?} delay");
}

#[test]
fn pin_failures_do_not_slow_can() {
    let mut card = card();
    for _ in 0..2 {
        wrong_pin(&mut card);
    }
    card.set_pin_tries_left(PIN_TRIES);
    for _ in 0..2 {
        wrong_pin(&mut card);
    }
    assert_eq!(card.next_can_delay(), Duration::ZERO);
}

// ------------------------------------------------------ malformed input

/// xorshift64*: deterministic, so that a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    /// Returns `input` with one flipped bit, a dropped tail, an inserted
    /// byte or a length-like byte.
    fn mutate(&mut self, input: &[u8]) -> Vec<u8> {
        let mut out = input.to_vec();
        if out.is_empty() {
            return vec![self.next() as u8];
        }
        let index = self.below(out.len());
        match self.below(4) {
            0 => out[index] ^= 1 << self.below(8),
            1 => out.truncate(index),
            2 => out.insert(index, self.next() as u8),
            _ => out[index] = [0x00, 0x01, 0x0C, 0x7F, 0x80, 0x81, 0x82, 0xFF][self.below(8)],
        }
        out
    }
}

/// Commands of every kind the card knows, to mutate.
fn seed_commands(card: &VirtualCard) -> Vec<CommandApdu> {
    let parameters = card.content().pace_parameters[0];
    vec![
        select_aid_command(&profile::NEW_EID_AID),
        select_fid_command(0x0109),
        CommandApdu::new(0x00, 0xA4, 0x00, 0x0C),
        read_sfi_command(0x09, 0, 223),
        read_offset_command(0x00DF, 223),
        read_sfi_command(0x1D, 0, 4096),
        MseSetAt::for_pace(&parameters, PasswordKind::Pin).command(),
        pace::general_authenticate(&[], false),
        pace::general_authenticate(&hex("81 04 01 02 03 04"), false),
    ]
}

#[test]
fn mutated_plain_commands_always_get_a_status_word() {
    let mut card = card();
    let seeds: Vec<Vec<u8>> = seed_commands(&card)
        .iter()
        .map(|command| encode(command, LengthForm::Short))
        .collect();
    let mut rng = Rng(0xC0FF_EE00);
    for round in 0..300 {
        card.reset();
        card.set_pin_tries_left(PIN_TRIES);
        let mut secure = round % 3 == 0;
        if secure {
            pace_with_can(&mut card);
        }
        for _ in 0..10 {
            let seed = rng.below(seeds.len());
            let bytes = rng.mutate(&seeds[seed]);
            let response = card.process(&bytes);
            assert!(response.len() >= 2, "no status word for {bytes:02X?}");
            // Nothing unprotected gets data while secure messaging runs,
            // and no forged command gets a protected answer.
            assert!(
                !secure || response.len() == 2,
                "{bytes:02X?} got data during secure messaging"
            );
            secure = false;
        }
    }
}

#[test]
fn mutated_protected_commands_verify_when_answered_with_data() {
    let mut card = card();
    let seeds = seed_commands(&card);
    let mut rng = Rng(0x5EC0_4E55);
    let mut verified = 0;
    for _ in 0..150 {
        card.reset();
        card.set_pin_tries_left(PIN_TRIES);
        let mut sm = pace_with_can(&mut card);
        for _ in 0..6 {
            let index = rng.below(seeds.len());
            let seed = encode(&seeds[index], LengthForm::Short);
            let Ok(command) = CommandApdu::decode(&rng.mutate(&seed)) else {
                continue;
            };
            let Ok(protected) = sm.protect_command(&command) else {
                break;
            };
            let response = send(&mut card, &encode(&protected, LengthForm::Short));
            let has_data = !response.data.is_empty();
            match sm.unprotect_response(&response) {
                Ok(_) => verified += 1,
                Err(error) => {
                    assert!(!has_data, "protected answer to {command:?} does not verify: {error}");
                    break;
                }
            }
        }
    }
    assert!(
        verified > 300,
        "only {verified} protected answers verified, too few to check them"
    );
}
