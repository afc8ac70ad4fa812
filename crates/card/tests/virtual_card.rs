//! The terminal (session, PACE and the Open API reads) against the virtual
//! card in the same process, with faults injected between the two.
#![allow(clippy::indexing_slicing)]

use neweid_card::open_api::{self, PublicRead};
use neweid_card::session::Session;
use neweid_card::{Error, ErrorKind, Result, Transport};
use neweid_core::apdu::StatusWord;
use neweid_core::profile::{self, NewEidFile};
use neweid_core::secret::{Password, PasswordKind, SecretBytes};
use neweid_core::tlv::{self, Tag};
use neweid_sim::card::{CardOptions, VirtualCard};
use neweid_sim::persona::{self, Persona};
use neweid_sim::{CardBuilder, CardContent};

/// Largest plaintext of a protected READ BINARY in short length, as the
/// session asks for it.
const SM_SHORT_CHUNK: usize = 223;

const READ_BINARY: u8 = 0xB0;
const SELECT: u8 = 0xA4;

/// A fault the transport injects.
#[derive(Clone, Debug)]
enum Fault {
    None,
    /// The card is pulled when command `n` (1 = the first) is sent: that
    /// command and every later one fail with `CardRemoved`.
    RemoveAt(usize),
    /// One bit of byte `byte` of the response to command `command` flips.
    FlipResponseByte {
        command: usize,
        byte: usize,
    },
    /// Every SELECT, or every SELECT with this P1, is answered with `bytes`.
    AnswerSelect {
        p1: Option<u8>,
        bytes: Vec<u8>,
    },
    /// The reader fails extended-length commands before the card sees them.
    RefuseExtended,
}

/// A reader in this process that holds a virtual card and records the
/// traffic.
struct CardTransport {
    card: VirtualCard,
    fault: Fault,
    reader_extended_length: Option<bool>,
    commands: Vec<Vec<u8>>,
    responses: Vec<Vec<u8>>,
}

impl CardTransport {
    fn new(card: VirtualCard) -> Self {
        Self {
            card,
            fault: Fault::None,
            reader_extended_length: None,
            commands: Vec::new(),
            responses: Vec::new(),
        }
    }

    /// Resets the card and forgets the traffic, keeping the card's counters.
    fn restart(&mut self, fault: Fault) {
        self.card.reset();
        self.fault = fault;
        self.commands.clear();
        self.responses.clear();
    }
}

impl Transport for CardTransport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>> {
        self.commands.push(command.to_vec());
        let number = self.commands.len();
        match &self.fault {
            Fault::RemoveAt(at) if number >= *at => {
                return Err(Error::new(ErrorKind::CardRemoved).with_detail("the test pulled the card"));
            }
            Fault::AnswerSelect { p1, bytes }
                if command.get(1) == Some(&SELECT) && p1.is_none_or(|p1| command.get(2) == Some(&p1)) =>
            {
                return Ok(bytes.clone());
            }
            Fault::RefuseExtended if is_extended(command) => {
                return Err(Error::new(ErrorKind::Internal).with_detail("the test reader carries short APDUs only"));
            }
            _ => {}
        }
        let mut response = self.card.process(command);
        if let Fault::FlipResponseByte { command, byte } = self.fault {
            if command == number {
                response[byte] ^= 0x01;
            }
        }
        self.responses.push(response.clone());
        Ok(response)
    }

    fn reader_supports_extended_length(&self) -> Option<bool> {
        self.reader_extended_length
    }

    fn reader_name(&self) -> &str {
        "in-process test reader"
    }
}

/// Tells whether an encoded command uses extended length fields.
fn is_extended(command: &[u8]) -> bool {
    matches!(command.get(4..), Some([0, _, _, ..]))
}

fn load(persona_id: &str) -> Persona {
    Persona::load(persona_id).expect("built-in persona loads")
}

/// Builds a persona's card content; EF.ATR/INFO follows the extended-length
/// option that `card` passes to the card.
fn content(persona: &Persona) -> CardContent {
    CardBuilder::new(persona).build().expect("card content builds")
}

fn card(content: CardContent, extended_length: bool) -> VirtualCard {
    VirtualCard::new(
        content,
        CardOptions {
            extended_length,
            ..CardOptions::default()
        },
    )
}

fn transport(persona: &Persona, extended_length: bool) -> CardTransport {
    CardTransport::new(card(content(persona), extended_length))
}

fn can(persona: &Persona) -> Password {
    Password::new(
        PasswordKind::Can,
        SecretBytes::copy_from(persona.secrets.can.as_bytes()),
    )
}

fn wrong_can() -> Password {
    Password::new(PasswordKind::Can, SecretBytes::copy_from(b"000000"))
}

fn read_label(transport: &mut CardTransport) -> Result<open_api::LabelRead> {
    open_api::read_label(&mut Session::new(transport, None))
}

fn read_household(transport: &mut CardTransport) -> Result<open_api::HouseholdRead> {
    open_api::read_household(&mut Session::new(transport, None))
}

fn read_public(transport: &mut CardTransport, password: &Password) -> Result<PublicRead> {
    open_api::read_public(&mut Session::new(transport, None), password)
}

fn file(transport: &CardTransport, file: NewEidFile) -> Vec<u8> {
    transport.card.content().files[&file].clone()
}

fn master_file(transport: &CardTransport, fid: u16) -> Vec<u8> {
    transport.card.content().master_files[&fid].clone()
}

/// Returns the index of the first logged command with this INS and P1.
fn position(commands: &[Vec<u8>], ins: u8, p1: u8) -> usize {
    commands
        .iter()
        .position(|command| command[1] == ins && command[2] == p1)
        .unwrap_or_else(|| panic!("no command with INS {ins:02X} and P1 {p1:02X} was sent"))
}

/// Returns the offsets of the READ BINARY commands by offset that follow
/// the read of `sfi`, up to the next read by SFI.
fn offset_reads_after(commands: &[Vec<u8>], sfi: u8) -> Vec<usize> {
    let start = position(commands, READ_BINARY, 0x80 | sfi);
    commands[start + 1..]
        .iter()
        .filter(|command| command[1] == READ_BINARY)
        .take_while(|command| command[2] & 0x80 == 0)
        .map(|command| usize::from(u16::from_be_bytes([command[2], command[3]])))
        .collect()
}

/// Checks every byte and field of a public-area read against the card.
fn check_public_read(read: &PublicRead, transport: &CardTransport, persona: &Persona, extended_length: bool) {
    let id = &persona.id;
    assert_eq!(
        read.data_groups.len(),
        NewEidFile::PUBLIC_DATA_GROUPS.len(),
        "{id}: data groups read"
    );
    for number in NewEidFile::PUBLIC_DATA_GROUPS {
        let expected = file(transport, NewEidFile::DataGroup(number));
        assert_eq!(read.data_groups[&number], expected, "{id}: DG{number}");
    }
    assert_eq!(read.sod, file(transport, NewEidFile::SodPublic), "{id}: EF.SOD.Public");
    assert_eq!(
        read.card_access,
        master_file(transport, profile::EF_CARD_ACCESS),
        "{id}: EF.CardAccess"
    );
    assert_eq!(
        read.card_security,
        master_file(transport, profile::EF_CARD_SECURITY),
        "{id}: EF.CardSecurity"
    );

    assert_eq!(read.data.id_number, persona.public.id_number, "{id}: ID number");
    assert_eq!(read.data.card_number, persona.public.card_number, "{id}: card number");
    assert_eq!(read.data.has_spouse, persona.public.has_spouse, "{id}: marital status");
    assert_eq!(
        read.data.romanized_name, persona.public.romanized_name,
        "{id}: romanised name"
    );
    assert_eq!(read.data.photo.media_type, "image/jpeg", "{id}: photo media type");
    assert_eq!(read.data.photo.bytes, persona.photo, "{id}: photo");
    assert_eq!(read.extended_length, extended_length, "{id}: length form");
    assert_eq!(read.pace.parameter_id, 13, "{id}: PACE domain parameters");
}

// -------------------------------------------------------- normal reads

#[test]
fn read_label_of_every_persona() {
    for id in persona::built_in_ids() {
        let persona = load(id);
        for extended_length in [true, false] {
            let mut transport = transport(&persona, extended_length);
            let read = read_label(&mut transport).unwrap_or_else(|error| panic!("{id}: {error}"));
            assert_eq!(read.raw, file(&transport, NewEidFile::Label), "{id}: EF.Label bytes");
            assert_eq!(read.label.label, "TW New eID", "{id}: label");
            assert_eq!(read.label.flags, persona.label_flags, "{id}: flags");
            assert_eq!(
                read.card_access,
                master_file(&transport, profile::EF_CARD_ACCESS),
                "{id}: EF.CardAccess"
            );
            assert_eq!(read.pace_infos.len(), 1, "{id}: PACEInfos");
        }
    }
}

#[test]
fn read_household_of_every_persona() {
    for id in persona::built_in_ids() {
        let persona = load(id);
        for extended_length in [true, false] {
            let mut transport = transport(&persona, extended_length);
            let read = read_household(&mut transport).unwrap_or_else(|error| panic!("{id}: {error}"));
            assert_eq!(read.raw, file(&transport, NewEidFile::DataGroup(1)), "{id}: DG1 bytes");
            assert_eq!(
                read.address.neighbourhood, persona.household.neighbourhood,
                "{id}: neighbourhood"
            );
        }
    }
}

#[test]
fn read_public_extended_of_every_persona() {
    for id in persona::built_in_ids() {
        let persona = load(id);
        let mut transport = transport(&persona, true);
        let read = read_public(&mut transport, &can(&persona)).unwrap_or_else(|error| panic!("{id}: {error}"));
        check_public_read(&read, &transport, &persona, true);

        let photo_reads = offset_reads_after(&transport.commands, 9);
        assert!(
            photo_reads.is_empty(),
            "{id}: DG9 read in one command, then {photo_reads:?}"
        );
        assert!(
            transport.commands.iter().any(|command| is_extended(command)),
            "{id}: extended APDUs were used"
        );
    }
}

#[test]
fn read_public_short_of_every_persona() {
    for id in persona::built_in_ids() {
        let persona = load(id);
        let mut transport = transport(&persona, false);
        let read = read_public(&mut transport, &can(&persona)).unwrap_or_else(|error| panic!("{id}: {error}"));
        check_public_read(&read, &transport, &persona, false);

        let extended: Vec<&Vec<u8>> = transport
            .commands
            .iter()
            .filter(|command| is_extended(command))
            .collect();
        assert!(
            extended.is_empty(),
            "{id}: extended APDUs sent to a short-length card: {extended:02X?}"
        );

        let photo_length = file(&transport, NewEidFile::DataGroup(9)).len();
        assert!(
            photo_length > 3000,
            "{id}: DG9 is {photo_length} bytes, too short to need many chunks"
        );
        let mut expected: Vec<usize> = (1..)
            .map(|chunk| chunk * SM_SHORT_CHUNK)
            .take_while(|offset| *offset < photo_length)
            .collect();
        if photo_length % SM_SHORT_CHUNK == 0 {
            expected.push(photo_length);
        }
        assert_eq!(
            offset_reads_after(&transport.commands, 9),
            expected,
            "{id}: offsets of the DG9 reads"
        );
    }
}

#[test]
fn photo_ending_on_a_chunk_boundary_is_read() {
    let persona = load(persona::DEFAULT_PERSONA);
    let mut content = content(&persona);
    // 69 82 LL LL ‖ 80 0A "image/jpeg" ‖ 5F2E 82 LL LL photo: 21 bytes and
    // the photo, so the file ends exactly after 18 chunks.
    let photo = persona.photo[..18 * SM_SHORT_CHUNK - 21].to_vec();
    let mut fields = tlv::tlv(Tag(0x80), b"image/jpeg");
    fields.extend(tlv::tlv(Tag(0x5F2E), &photo));
    let dg9 = tlv::tlv(Tag(0x69), &fields);
    assert_eq!(dg9.len(), 18 * SM_SHORT_CHUNK);
    content.files.insert(NewEidFile::DataGroup(9), dg9.clone());
    let mut transport = CardTransport::new(card(content, false));

    let read = read_public(&mut transport, &can(&persona)).expect("public read");
    assert_eq!(read.data_groups[&9], dg9);
    assert_eq!(read.data.photo.bytes, photo);
    let offsets = offset_reads_after(&transport.commands, 9);
    assert_eq!(
        offsets.last(),
        Some(&dg9.len()),
        "a last read checks that the file ends there"
    );
}

#[test]
fn reader_without_extended_length_keeps_short() {
    let persona = load(persona::DEFAULT_PERSONA);
    let mut transport = transport(&persona, true);
    transport.reader_extended_length = Some(false);
    let read = read_public(&mut transport, &can(&persona)).expect("public read");
    check_public_read(&read, &transport, &persona, false);
    assert!(
        !transport.commands.iter().any(|command| is_extended(command)),
        "no extended APDU was sent"
    );
}

#[test]
fn reader_refusing_extended_falls_back() {
    let persona = load(persona::DEFAULT_PERSONA);
    let mut transport = transport(&persona, true);
    transport.fault = Fault::RefuseExtended;
    let read = read_public(&mut transport, &can(&persona)).expect("public read");
    check_public_read(&read, &transport, &persona, false);
}

#[test]
fn strongest_pace_variant_is_chosen() {
    let persona = load(persona::DEFAULT_PERSONA);
    let content = CardBuilder::new(&persona)
        .pace_parameter_ids(&[12, 13, 16, 17])
        .unwrap()
        .build()
        .unwrap();
    let mut transport = CardTransport::new(card(content, true));

    let read = read_public(&mut transport, &can(&persona)).expect("public read");
    assert_eq!(read.pace.parameter_id, 17, "brainpoolP512r1");
    assert_eq!(read.pace.protocol_name, "id-PACE-ECDH-GM-AES-CBC-CMAC-256");

    let set_at = &transport.commands[position(&transport.commands, 0x22, 0xC1)];
    let parameter_id = [0x84, 0x01, 17];
    assert!(
        set_at.windows(3).any(|window| window == parameter_id),
        "MSE:Set AT selects parameter ID 17: {set_at:02X?}"
    );
}

// ------------------------------------------------------------- failures

#[test]
fn wrong_can_returns_no_data() {
    let persona = load(persona::DEFAULT_PERSONA);
    let mut transport = transport(&persona, true);
    let error = read_public(&mut transport, &wrong_can()).expect_err("a wrong CAN must fail");
    assert_eq!(error.kind, ErrorKind::WrongCan);
    assert_eq!(error.sw, Some(StatusWord(0x6300)));
    assert_eq!(error.step.as_deref(), Some("pace.mutual_authenticate"));
    let protected_commands = transport
        .commands
        .iter()
        .filter(|command| command[0] & 0x0C == 0x0C)
        .count();
    assert_eq!(protected_commands, 0, "no protected command follows a failed PACE");
}

#[test]
fn card_removed_at_any_command() {
    let persona = load(persona::DEFAULT_PERSONA);
    let mut transport = transport(&persona, false);
    read_public(&mut transport, &can(&persona)).expect("public read without faults");
    let total = transport.commands.len();

    for at in 1..=total {
        transport.restart(Fault::RemoveAt(at));
        let error = read_public(&mut transport, &can(&persona)).expect_err("a removed card must fail the read");
        assert_eq!(
            error.kind,
            ErrorKind::CardRemoved,
            "removed at command {at} of {total}: {error}"
        );
        assert_eq!(
            transport.commands.len(),
            at,
            "no command is sent after the removal at command {at}"
        );
    }
}

#[test]
fn card_removed_during_label_read() {
    let persona = load(persona::DEFAULT_PERSONA);
    let mut transport = transport(&persona, true);
    read_label(&mut transport).expect("label read without faults");
    let total = transport.commands.len();

    for at in 1..=total {
        transport.restart(Fault::RemoveAt(at));
        let error = read_label(&mut transport).expect_err("a removed card must fail the read");
        assert_eq!(
            error.kind,
            ErrorKind::CardRemoved,
            "removed at command {at} of {total}: {error}"
        );
    }
}

/// Flips each of the `length` bytes of the response to the command at
/// `index` (0-based), and expects every run to fail secure messaging.
fn flip_every_byte_of_response(
    transport: &mut CardTransport,
    persona: &Persona,
    index: usize,
    length: usize,
    what: &str,
) {
    for byte in 0..length {
        transport.restart(Fault::FlipResponseByte {
            command: index + 1,
            byte,
        });
        let error = read_public(transport, &can(persona)).expect_err("a tampered response must fail the read");
        assert_eq!(
            error.kind,
            ErrorKind::SecureMessagingFailed,
            "{what}, byte {byte} of {length}: {error}"
        );
    }
}

#[test]
fn tampered_protected_responses_fail_secure_messaging() {
    let persona = load(persona::DEFAULT_PERSONA);
    for extended_length in [true, false] {
        let mut transport = transport(&persona, extended_length);
        read_public(&mut transport, &can(&persona)).expect("public read without faults");
        let commands = transport.commands.clone();
        let responses = transport.responses.clone();
        assert_eq!(
            commands.len(),
            responses.len(),
            "every command of a clean run is answered"
        );

        let select = commands
            .iter()
            .position(|command| command[0] == 0x0C && command[1] == SELECT && command[2] == 0x04)
            .expect("a protected SELECT of the application");
        assert_eq!(responses[select].len(), 16, "99 02 90 00 ‖ 8E 08 MAC ‖ 90 00");
        flip_every_byte_of_response(&mut transport, &persona, select, responses[select].len(), "SELECT");

        let dg3 = position(&commands, READ_BINARY, 0x83);
        assert!(responses[dg3].len() > 16, "the DG3 response carries a cryptogram");
        flip_every_byte_of_response(
            &mut transport,
            &persona,
            dg3,
            responses[dg3].len(),
            "READ BINARY of DG3",
        );
    }
}

#[test]
fn garbage_to_every_select_is_not_new_eid() {
    let persona = load(persona::DEFAULT_PERSONA);
    let garbage = Fault::AnswerSelect {
        p1: None,
        bytes: vec![0xDE, 0xAD, 0xBE, 0xEF],
    };
    let mut transport = transport(&persona, true);

    transport.restart(garbage.clone());
    let label = read_label(&mut transport).expect_err("label read");
    assert_eq!(label.kind, ErrorKind::NotNewEid, "read_label: {label}");

    transport.restart(garbage.clone());
    let household = read_household(&mut transport).expect_err("household read");
    assert_eq!(household.kind, ErrorKind::NotNewEid, "read_household: {household}");

    transport.restart(garbage);
    let public = read_public(&mut transport, &can(&persona)).expect_err("public read");
    assert_eq!(public.kind, ErrorKind::NotNewEid, "read_public: {public}");
    assert_eq!(public.sw, Some(StatusWord(0xBEEF)));
}

#[test]
fn garbage_to_application_select_is_not_new_eid() {
    let persona = load(persona::DEFAULT_PERSONA);
    let garbage = Fault::AnswerSelect {
        p1: Some(0x04),
        bytes: vec![0x6F, 0x10, 0x84, 0x08, 0x6A, 0x82],
    };
    let mut transport = transport(&persona, true);

    transport.restart(garbage.clone());
    let label = read_label(&mut transport).expect_err("label read");
    assert_eq!(label.kind, ErrorKind::NotNewEid, "read_label: {label}");
    assert_eq!(label.sw, Some(StatusWord::FILE_NOT_FOUND));

    transport.restart(garbage);
    let household = read_household(&mut transport).expect_err("household read");
    assert_eq!(household.kind, ErrorKind::NotNewEid, "read_household: {household}");
}

#[test]
fn response_without_status_word_is_protocol_error() {
    let persona = load(persona::DEFAULT_PERSONA);
    let mut transport = transport(&persona, true);
    transport.restart(Fault::AnswerSelect {
        p1: None,
        bytes: vec![0x90],
    });
    let error = read_label(&mut transport).expect_err("label read");
    assert_eq!(error.kind, ErrorKind::ProtocolError, "{error}");
}

/// Replaces one file of a fresh card and expects the read to fail with a
/// protocol error at `read.<name>`.
fn expect_malformed_file(target: NewEidFile, change: impl Fn(&mut Vec<u8>), what: &str) {
    let persona = load(persona::DEFAULT_PERSONA);
    for extended_length in [true, false] {
        let mut content = content(&persona);
        let bytes = content.files.get_mut(&target).expect("the card has the file");
        change(bytes);
        let mut transport = CardTransport::new(card(content, extended_length));

        let result = match target {
            NewEidFile::Label => read_label(&mut transport).map(|_| ()),
            NewEidFile::DataGroup(1) => read_household(&mut transport).map(|_| ()),
            _ => read_public(&mut transport, &can(&persona)).map(|_| ()),
        };
        let error = result.expect_err("a malformed file must fail the read");
        let form = if extended_length { "extended" } else { "short" };
        assert_eq!(
            error.kind,
            ErrorKind::ProtocolError,
            "{target} {what}, {form} length: {error}"
        );
        assert_eq!(
            error.step,
            Some(format!("read.{}", target.name())),
            "{target} {what}, {form} length"
        );
    }
}

#[test]
fn truncated_files_are_protocol_errors() {
    for target in [
        NewEidFile::DataGroup(9),
        NewEidFile::DataGroup(2),
        NewEidFile::Label,
        NewEidFile::DataGroup(1),
    ] {
        expect_malformed_file(target, |bytes| bytes.truncate(bytes.len() - 1), "one byte short");
    }
    expect_malformed_file(
        NewEidFile::DataGroup(9),
        |bytes| bytes.truncate(bytes.len() - 300),
        "300 bytes short",
    );
    expect_malformed_file(
        NewEidFile::DataGroup(9),
        |bytes| bytes.truncate(2 * SM_SHORT_CHUNK),
        "cut at a chunk",
    );
}

#[test]
fn files_longer_than_their_object_are_protocol_errors() {
    for target in [
        NewEidFile::DataGroup(9),
        NewEidFile::DataGroup(2),
        NewEidFile::Label,
        NewEidFile::DataGroup(1),
    ] {
        expect_malformed_file(target, |bytes| bytes.push(0x00), "with one byte more");
    }
    expect_malformed_file(
        NewEidFile::DataGroup(9),
        |bytes| bytes.extend([0xFF; 300]),
        "with 300 bytes more",
    );
}

#[test]
fn file_longer_after_a_chunk_boundary_is_protocol_error() {
    // A DG9 whose object ends exactly after 18 short chunks, followed by
    // one more byte: only a read past the object's end finds it.
    let persona = load(persona::DEFAULT_PERSONA);
    let photo = persona.photo[..18 * SM_SHORT_CHUNK - 21].to_vec();
    let mut fields = tlv::tlv(Tag(0x80), b"image/jpeg");
    fields.extend(tlv::tlv(Tag(0x5F2E), &photo));
    let mut dg9 = tlv::tlv(Tag(0x69), &fields);
    dg9.push(0x00);
    expect_malformed_file(
        NewEidFile::DataGroup(9),
        |bytes| *bytes = dg9.clone(),
        "ending on a chunk boundary",
    );
}

#[test]
fn leftover_secure_session_is_ended_by_the_next_operation() {
    let persona = load("lin-mei-ling");
    let mut transport = CardTransport::new(card(content(&persona), true));
    let can = Password::new(PasswordKind::Can, SecretBytes::copy_from(b"123456"));
    open_api::read_public(&mut Session::new(&mut transport, None), &can).expect("first read");
    // No reset between the two operations, as with a PC/SC card left as it is.
    let household = open_api::read_household(&mut Session::new(&mut transport, None)).expect("second read");
    assert_eq!(household.address.neighbourhood, "12");
}
