//! Writes seed inputs for every fuzz target into `corpus/<target>/`, taken
//! from a virtual card of each built-in persona: its files, the APDUs of
//! the Open API reads, and secure messaging responses.
//!
//! Run from the `fuzz` directory: `cargo run --release --example seeds`.

use std::fs;
use std::path::Path;

use neweid_core::apdu::{CommandApdu, LengthForm};
use neweid_core::pa::cms;
use neweid_core::pace::{self, MseSetAt};
use neweid_core::profile::{self, NewEidFile};
use neweid_core::secret::PasswordKind;
use neweid_sim::persona::{self, Persona};
use neweid_sim::CardBuilder;

fn write(target: &str, name: &str, bytes: &[u8]) {
    let directory = Path::new("corpus").join(target);
    fs::create_dir_all(&directory).expect("create the corpus directory");
    fs::write(directory.join(format!("seed-{name}")), bytes).expect("write a seed");
}

/// Joins APDUs into the virtual_card input format after a mode byte.
fn apdu_list(mode: u8, commands: &[CommandApdu]) -> Vec<u8> {
    let mut out = vec![mode];
    for command in commands {
        let encoded = command.encode(LengthForm::Short).expect("seed commands encode");
        out.push(u8::try_from(encoded.len()).expect("seed commands are short"));
        out.extend(encoded);
    }
    out
}

fn main() {
    for id in persona::built_in_ids() {
        let persona = Persona::load(id).expect("built-in persona");
        let content = CardBuilder::new(&persona)
            .pace_parameter_ids(&[13, 17])
            .unwrap()
            .build()
            .expect("card");

        let mut groups = Vec::new();
        for (file, bytes) in &content.files {
            let name = format!("{id}-{}", file.name());
            write("tlv_reader", &name, bytes);
            write("profile", &name, bytes);
            write("sod", &name, bytes);
            if let NewEidFile::DataGroup(number) = file {
                groups.push(*number);
                groups.extend(u16::try_from(bytes.len()).unwrap().to_be_bytes());
                groups.extend(bytes);
            }
        }
        write("profile", &format!("{id}-data-groups"), &groups);

        for (fid, bytes) in &content.master_files {
            let name = format!("{id}-{fid:04x}");
            write("tlv_reader", &name, bytes);
            write("security_infos", &name, bytes);
            write("sod", &name, bytes);
        }
        let card_security = &content.master_files[&profile::EF_CARD_SECURITY];
        let signed = cms::decode_signed_data(card_security).expect("EF.CardSecurity decodes");
        write(
            "security_infos",
            &format!("{id}-card-security-content"),
            &signed.content,
        );
    }

    let parameters = neweid_sim::CardBuilder::new(&Persona::load(persona::DEFAULT_PERSONA).unwrap())
        .build()
        .unwrap()
        .pace_parameters[0];
    let commands = [
        CommandApdu::new(0x00, 0xA4, 0x00, 0x0C).with_data(vec![0x3F, 0x00]),
        CommandApdu::new(0x00, 0xA4, 0x04, 0x0C).with_data(profile::NEW_EID_AID.to_vec()),
        CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(vec![0x01, 0x09]),
        CommandApdu::new(0x00, 0xB0, 0x90, 0x00).with_le(256),
        CommandApdu::new(0x00, 0xB0, 0x81, 0x00).with_le(4096),
        CommandApdu::new(0x00, 0xB0, 0x00, 0xDF).with_le(223),
        MseSetAt::for_pace(&parameters, PasswordKind::Can).command(),
        pace::general_authenticate(&[], false),
    ];
    for (index, command) in commands.iter().enumerate() {
        for form in [LengthForm::Short, LengthForm::Extended] {
            write(
                "command_apdu",
                &format!("{index}-{form:?}"),
                &command.encode(form).unwrap(),
            );
        }
    }
    write("virtual_card", "plain-reads", &apdu_list(0, &commands[..6]));
    write("virtual_card", "pace-start", &apdu_list(0, &commands[6..]));
    write("virtual_card", "protected-reads", &apdu_list(2, &commands[1..6]));
    write("virtual_card", "plain-after-pace", &apdu_list(1, &commands[1..4]));

    write("sm_unprotect", "raw", &[0, 0x99, 0x02, 0x90, 0x00, 0x90, 0x00]);
    write("sm_unprotect", "genuine", &[1, 0x90, 0x61, 0x03, 0x80, 0x01, 0x31]);
    write("sm_unprotect", "tampered", &[2, 5, 0x01, 0x61, 0x03, 0x80, 0x01, 0x31]);
}
