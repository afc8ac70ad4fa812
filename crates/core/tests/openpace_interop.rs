//! Interoperability with OpenPACE: our terminal runs PACE against OpenPACE's
//! chip side (libeac, `tests/openpace/picc.c`) on every supported curve and
//! AES key size, then exchanges one protected command and response whose
//! cryptograms and MACs OpenPACE computes or checks.
//!
//! The test builds the harness with the system `cc` and links `-leac
//! -lcrypto`. Where that fails (no compiler, no libeac), it prints why and
//! passes without running.

#![allow(clippy::indexing_slicing)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::OnceLock;

use neweid_core::apdu::{CommandApdu, ResponseApdu, StatusWord};
use neweid_core::crypto::SystemRandom;
use neweid_core::pace::{terminal, PaceParameters};
use neweid_core::secret::{Password, PasswordKind, SecretBytes};
use neweid_core::security_info::{PaceInfo, SecurityInfo, SecurityInfos, TerminalAuthenticationInfo};
use neweid_core::tlv::{self, Reader, Tag};
use neweid_core::{Error, ProtocolViolation};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("harness writes hex"))
        .collect()
}

/// Returns the harness, built once for all tests of this file because tests
/// run in parallel and must not write the same binary at once.
fn harness() -> Result<PathBuf, String> {
    static HARNESS: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    HARNESS.get_or_init(build_harness).clone()
}

/// Builds the harness, or returns why it cannot be built.
fn build_harness() -> Result<PathBuf, String> {
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/openpace/picc.c");
    let binary = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("openpace-picc");
    let output = Command::new("cc")
        .arg("-O1")
        .arg("-o")
        .arg(&binary)
        .arg(&source)
        .args(["-leac", "-lcrypto"])
        .output()
        .map_err(|error| format!("cannot run cc: {error}"))?;
    if output.status.success() {
        Ok(binary)
    } else {
        Err(format!(
            "cc could not build the harness (is libeac-dev installed?): {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// One running OpenPACE chip.
struct Chip {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl Chip {
    fn start(binary: &PathBuf, parameters: PaceParameters, can: &str) -> Self {
        let card_access = SecurityInfos(vec![
            SecurityInfo::TerminalAuthentication(TerminalAuthenticationInfo {
                version: 2,
                ef_cvca: None,
            }),
            SecurityInfo::Pace(PaceInfo {
                protocol: parameters.protocol(),
                version: 2,
                parameter_id: Some(u64::from(parameters.parameter_id())),
            }),
        ])
        .encode();
        let mut child = Command::new(binary)
            .arg(hex(&card_access))
            .arg(can)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("harness starts");
        let input = child.stdin.take().expect("piped stdin");
        let output = BufReader::new(child.stdout.take().expect("piped stdout"));
        Self { child, input, output }
    }

    fn request(&mut self, line: &str) -> String {
        writeln!(self.input, "{line}").expect("harness reads its input");
        let mut reply = String::new();
        self.output.read_line(&mut reply).expect("harness replies");
        let reply = reply.trim().to_owned();
        assert!(!reply.starts_with("error"), "OpenPACE failed on {line:?}: {reply}");
        reply
    }
}

impl Drop for Chip {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Returns the value of the single data object in `contents`.
fn value_of(contents: &[u8], tag: u32) -> Vec<u8> {
    let object = tlv::Tlv::decode_all(contents, "terminal message").unwrap();
    assert_eq!(object.tag, Tag(tag));
    object.value.to_vec()
}

fn can(digits: &str) -> Password {
    Password::new(PasswordKind::Can, SecretBytes::copy_from(digits.as_bytes()))
}

fn run_terminal(
    chip: &mut Chip,
    parameters: PaceParameters,
    password: &Password,
) -> neweid_core::Result<terminal::Established> {
    let mut rng = SystemRandom;
    let (state, _) = terminal::start(parameters, password)?;
    let nonce = unhex(&chip.request("nonce"));
    let (state, sent) = state.receive(&tlv::tlv(Tag(0x80), &nonce), &mut rng)?;
    let mapping = unhex(&chip.request(&format!("map {}", hex(&value_of(&sent, 0x81)))));
    let (state, sent) = state.receive(&tlv::tlv(Tag(0x82), &mapping), &mut rng)?;
    let key = unhex(&chip.request(&format!("key {}", hex(&value_of(&sent, 0x83)))));
    let (state, sent) = state.receive(&tlv::tlv(Tag(0x84), &key))?;
    let reply = chip.request(&format!("token {}", hex(&value_of(&sent, 0x85))));
    let token = reply
        .strip_prefix("ok ")
        .unwrap_or_else(|| panic!("OpenPACE rejected T_PCD: {reply}"));
    state.receive(&tlv::tlv(Tag(0x86), &unhex(token)))
}

/// Protects one command with our session and has OpenPACE decrypt it and
/// recompute its MAC, then has OpenPACE build the response.
fn exchange_protected_apdus(chip: &mut Chip, established: &mut terminal::Established) {
    let plain = CommandApdu::new(0x00, 0x22, 0x81, 0xB6).with_data(b"\x83\x0DTWCVCA0000001".to_vec());
    let protected = established.session.protect_command(&plain).unwrap();

    let mut reader = Reader::new(&protected.data, "protected command");
    let cryptogram = reader.expect(Tag(0x87)).unwrap();
    let mac = reader.expect(Tag(0x8E)).unwrap();
    reader.finish().unwrap();
    let decrypted = chip.request(&format!("dec 1 {}", hex(&cryptogram.value[1..])));
    assert_eq!(decrypted, hex(&plain.data), "OpenPACE decrypts our cryptogram");
    let mut header = vec![protected.cla, protected.ins, protected.p1, protected.p2, 0x80];
    header.resize(16, 0);
    let mac_input = [header, cryptogram.raw.to_vec()].concat();
    let expected_mac = chip.request(&format!("mac 1 {}", hex(&mac_input)));
    assert_eq!(expected_mac, hex(mac.value), "OpenPACE computes our MAC");

    let body = b"response body of twenty-two".to_vec();
    let encrypted = unhex(&chip.request(&format!("enc 2 {}", hex(&body))));
    let mut objects = tlv::tlv(Tag(0x87), &[vec![0x01], encrypted].concat());
    objects.extend_from_slice(&[0x99, 0x02, 0x90, 0x00]);
    let response_mac = unhex(&chip.request(&format!("mac 2 {}", hex(&objects))));
    objects.extend_from_slice(&tlv::tlv(Tag(0x8E), &response_mac));
    let opened = established
        .session
        .unprotect_response(&ResponseApdu::new(objects, StatusWord::SUCCESS))
        .unwrap();
    assert_eq!(opened.data, body);
}

#[test]
fn terminal_interoperates_with_openpace_chip() {
    let binary = match harness() {
        Ok(binary) => binary,
        Err(reason) => {
            eprintln!("skipping the OpenPACE interop test: {reason}");
            return;
        }
    };
    let mut combinations = 0;
    for parameters in PaceParameters::all() {
        let mut chip = Chip::start(&binary, parameters, "123456");
        let mut established = run_terminal(&mut chip, parameters, &can("123456"))
            .unwrap_or_else(|error| panic!("{parameters:?}: {error}"));
        assert_eq!(established.id_picc.len(), parameters.curve().field_len());
        exchange_protected_apdus(&mut chip, &mut established);
        combinations += 1;
    }
    assert_eq!(combinations, 18);
}

#[test]
fn openpace_chip_rejects_wrong_password() {
    let binary = match harness() {
        Ok(binary) => binary,
        Err(reason) => {
            eprintln!("skipping the OpenPACE interop test: {reason}");
            return;
        }
    };
    let parameters = PaceParameters::all().next().unwrap();
    let mut chip = Chip::start(&binary, parameters, "654321");
    let mut rng = SystemRandom;
    let (state, _) = terminal::start(parameters, &can("123456")).unwrap();
    let nonce = unhex(&chip.request("nonce"));
    let (state, sent) = state.receive(&tlv::tlv(Tag(0x80), &nonce), &mut rng).unwrap();
    let mapping = unhex(&chip.request(&format!("map {}", hex(&value_of(&sent, 0x81)))));
    let (state, sent) = state.receive(&tlv::tlv(Tag(0x82), &mapping), &mut rng).unwrap();
    let key = unhex(&chip.request(&format!("key {}", hex(&value_of(&sent, 0x83)))));
    let (state, sent) = state.receive(&tlv::tlv(Tag(0x84), &key)).unwrap();
    assert_eq!(chip.request(&format!("token {}", hex(&value_of(&sent, 0x85)))), "bad");

    // A chip token made with other keys is rejected by our terminal too.
    let forged = tlv::tlv(Tag(0x86), &[0u8; 8]);
    match state.receive(&forged) {
        Err(Error::Protocol(ProtocolViolation::PaceTokenInvalid)) => {}
        other => panic!("expected PaceTokenInvalid, got {:?}", other.map(|_| ())),
    }
}
