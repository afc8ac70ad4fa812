use openssl::bn::BigNum;

use super::primitives;
use super::*;
use crate::apdu::{LengthForm, ResponseApdu, StatusWord};
use crate::crypto::ec::{Curve, Point};
use crate::crypto::{RandomSource, SystemRandom};
use crate::error::ProtocolViolation;
use crate::kdf;
use crate::secret::{Password, PasswordKind, SecretBytes};
use crate::test_support::{hex, to_hex, ReplayRandom, TestRng, Vectors};

/// One published PACE ECDH Generic Mapping example, under neutral names.
struct WorkedExample {
    name: &'static str,
    vectors: Vectors,
    password_kind: PasswordKind,
    /// Key name prefixes of the terminal and the chip in the file.
    terminal: &'static str,
    chip: &'static str,
}

impl WorkedExample {
    fn icao() -> Self {
        Self {
            name: "ICAO 9303-11 Appendix G.1",
            vectors: Vectors::parse(
                "icao-9303-11-appendix-g1-pace-ecdh-gm.txt",
                include_str!("../../testdata/icao-9303-11-appendix-g1-pace-ecdh-gm.txt"),
            ),
            password_kind: PasswordKind::Mrz,
            terminal: "ifd",
            chip: "ic",
        }
    }

    fn bsi() -> Self {
        Self {
            name: "BSI EAC worked example 1.01",
            vectors: Vectors::parse(
                "bsi-eac-worked-example-pace-ecdh-gm.txt",
                include_str!("../../testdata/bsi-eac-worked-example-pace-ecdh-gm.txt"),
            ),
            password_kind: PasswordKind::Pin,
            terminal: "pcd",
            chip: "picc",
        }
    }

    fn get(&self, key: &str) -> Vec<u8> {
        self.vectors.get(key)
    }

    /// Returns `map_<role>_<field>` or `ephemeral_<role>_<field>`.
    fn value(&self, stage: &str, role: &str, field: &str) -> Vec<u8> {
        self.get(&format!("{stage}_{role}_{field}"))
    }

    fn password(&self) -> Password {
        Password::new(self.password_kind, SecretBytes::new(self.get("password")))
    }

    fn parameters(&self) -> PaceParameters {
        let protocol = Oid::from_der_contents(&self.get("protocol")).unwrap();
        PaceParameters::from_protocol(&protocol, u64::from(self.get("parameter_id")[0])).unwrap()
    }

    fn token(&self, role: &str) -> Vec<u8> {
        self.get(&format!("token_{role}"))
    }
}

fn examples() -> [WorkedExample; 2] {
    [WorkedExample::icao(), WorkedExample::bsi()]
}

fn encode(curve: &Curve, point: &Point) -> String {
    to_hex(&curve.encode_point(point).unwrap())
}

#[test]
fn worked_examples_intermediate_values() {
    for example in examples() {
        let name = example.name;
        let parameters = example.parameters();
        assert_eq!(parameters.cipher(), Cipher::Aes128, "{name}");
        assert_eq!(parameters.curve(), NamedCurve::BrainpoolP256r1, "{name}");
        let curve = Curve::new(parameters.curve()).unwrap();
        let (pcd, picc) = (example.terminal, example.chip);

        // K_π and the nonce.
        let k_pi = kdf::password_key(&example.password(), parameters.cipher());
        assert_eq!(to_hex(k_pi.expose()), to_hex(&example.get("k_pi")), "{name}: K_π");
        let nonce = primitives::decrypt_nonce(&k_pi, &example.get("nonce_encrypted")).unwrap();
        assert_eq!(to_hex(nonce.expose()), to_hex(&example.get("nonce")), "{name}: s");
        let encrypted = primitives::encrypt_nonce(&k_pi, &nonce).unwrap();
        assert_eq!(to_hex(&encrypted), to_hex(&example.get("nonce_encrypted")), "{name}: z");

        // Mapping keys, H and G', computed from both sides.
        let map_pcd_private = curve.scalar_from_bytes(&example.value("map", pcd, "private")).unwrap();
        let map_picc_private = curve.scalar_from_bytes(&example.value("map", picc, "private")).unwrap();
        let map_pcd_public = curve.mul_generator(&map_pcd_private).unwrap();
        let map_picc_public = curve.mul_generator(&map_picc_private).unwrap();
        assert_eq!(
            encode(&curve, &map_pcd_public),
            to_hex(&example.value("map", pcd, "public")),
            "{name}: PK_map_PCD"
        );
        assert_eq!(
            encode(&curve, &map_picc_public),
            to_hex(&example.value("map", picc, "public")),
            "{name}: PK_map_PICC"
        );
        let terminal_h = primitives::mapping_shared_point(&curve, &map_pcd_private, &map_picc_public).unwrap();
        let chip_h = primitives::mapping_shared_point(&curve, &map_picc_private, &map_pcd_public).unwrap();
        let terminal_generator = primitives::map_generator(&curve, &nonce, &terminal_h).unwrap();
        let chip_generator = primitives::map_generator(&curve, &nonce, &chip_h).unwrap();
        for (side, h, generator) in [
            ("terminal", &terminal_h, &terminal_generator),
            ("chip", &chip_h, &chip_generator),
        ] {
            assert_eq!(
                encode(&curve, h),
                to_hex(&example.get("map_shared_point_h")),
                "{name}: H on the {side} side"
            );
            assert_eq!(
                encode(&curve, generator),
                to_hex(&example.get("mapped_generator")),
                "{name}: G' on the {side} side"
            );
        }

        // Ephemeral keys on G', K, K_enc, K_mac and both tokens.
        let generator = &terminal_generator;
        let pcd_private = curve
            .scalar_from_bytes(&example.value("ephemeral", pcd, "private"))
            .unwrap();
        let picc_private = curve
            .scalar_from_bytes(&example.value("ephemeral", picc, "private"))
            .unwrap();
        let pcd_public = curve.mul(generator, &pcd_private).unwrap();
        let picc_public = curve.mul(generator, &picc_private).unwrap();
        let pcd_public_hex = example.value("ephemeral", pcd, "public");
        let picc_public_hex = example.value("ephemeral", picc, "public");
        assert_eq!(encode(&curve, &pcd_public), to_hex(&pcd_public_hex), "{name}: ePK_PCD");
        assert_eq!(
            encode(&curve, &picc_public),
            to_hex(&picc_public_hex),
            "{name}: ePK_PICC"
        );

        let (terminal_secret, keys) = primitives::agree_keys(&curve, &parameters, &pcd_private, &picc_public).unwrap();
        let (chip_secret, _) = primitives::agree_keys(&curve, &parameters, &picc_private, &pcd_public).unwrap();
        assert_eq!(
            to_hex(terminal_secret.expose()),
            to_hex(&example.get("shared_secret")),
            "{name}: K"
        );
        assert_eq!(
            to_hex(chip_secret.expose()),
            to_hex(&example.get("shared_secret")),
            "{name}: K, chip"
        );
        assert_eq!(
            to_hex(keys.k_enc().expose()),
            to_hex(&example.get("k_enc")),
            "{name}: K_enc"
        );
        assert_eq!(
            to_hex(keys.k_mac().expose()),
            to_hex(&example.get("k_mac")),
            "{name}: K_mac"
        );

        let token_pcd = primitives::authentication_token(&keys, &parameters, &picc_public_hex).unwrap();
        let token_picc = primitives::authentication_token(&keys, &parameters, &pcd_public_hex).unwrap();
        assert_eq!(to_hex(&token_pcd), to_hex(&example.token(pcd)), "{name}: T_PCD");
        assert_eq!(to_hex(&token_picc), to_hex(&example.token(picc)), "{name}: T_PICC");
    }
}

#[test]
fn worked_examples_replay_terminal_side() {
    for example in examples() {
        let name = example.name;
        let (pcd, picc) = (example.terminal, example.chip);
        let mut rng = ReplayRandom::new([
            example.value("map", pcd, "private"),
            example.value("ephemeral", pcd, "private"),
        ]);

        let (state, first) = terminal::start(example.parameters(), &example.password()).unwrap();
        assert!(first.is_empty(), "{name}: first GENERAL AUTHENTICATE is empty");

        let chip_nonce = tlv::tlv(Tag(0x80), &example.get("nonce_encrypted"));
        let (state, sent) = state.receive(&chip_nonce, &mut rng).unwrap();
        assert_eq!(
            to_hex(state.nonce_for_test().expose()),
            to_hex(&example.get("nonce")),
            "{name}: s"
        );
        assert_eq!(
            to_hex(&sent),
            to_hex(&tlv::tlv(Tag(0x81), &example.value("map", pcd, "public"))),
            "{name}: 81"
        );

        let chip_mapping = tlv::tlv(Tag(0x82), &example.value("map", picc, "public"));
        let (state, sent) = state.receive(&chip_mapping, &mut rng).unwrap();
        let pcd_public = example.value("ephemeral", pcd, "public");
        assert_eq!(to_hex(&sent), to_hex(&tlv::tlv(Tag(0x83), &pcd_public)), "{name}: 83");

        let picc_public = example.value("ephemeral", picc, "public");
        let (state, sent) = state.receive(&tlv::tlv(Tag(0x84), &picc_public)).unwrap();
        assert_eq!(
            to_hex(&sent),
            to_hex(&tlv::tlv(Tag(0x85), &example.token(pcd))),
            "{name}: 85"
        );

        let established = state.receive(&tlv::tlv(Tag(0x86), &example.token(picc))).unwrap();
        assert!(rng.is_exhausted(), "{name}: every published key was used");
        let keys = established.session.keys_for_test();
        assert_eq!(
            to_hex(keys.k_enc().expose()),
            to_hex(&example.get("k_enc")),
            "{name}: K_enc"
        );
        assert_eq!(
            to_hex(keys.k_mac().expose()),
            to_hex(&example.get("k_mac")),
            "{name}: K_mac"
        );
        assert_eq!(established.session.send_sequence_counter(), 0, "{name}: SSC");
        assert_eq!(established.chip_ephemeral_public_key, picc_public, "{name}");
        assert_eq!(established.id_picc, picc_public[1..33].to_vec(), "{name}: ID_PICC");
        assert_eq!(
            established.authority_references,
            CertificationAuthorityReferences::default()
        );
    }
}

#[test]
fn worked_examples_replay_chip_side() {
    for example in examples() {
        let name = example.name;
        let (pcd, picc) = (example.terminal, example.chip);
        let mut rng = ReplayRandom::new([
            example.get("nonce"),
            example.value("map", picc, "private"),
            example.value("ephemeral", picc, "private"),
        ]);

        let state = chip::AwaitNonceRequest::new(example.parameters(), &example.password()).unwrap();
        let (state, sent) = state.receive(&[], &mut rng).unwrap();
        assert_eq!(
            to_hex(&sent),
            to_hex(&tlv::tlv(Tag(0x80), &example.get("nonce_encrypted"))),
            "{name}: 80"
        );

        let terminal_mapping = tlv::tlv(Tag(0x81), &example.value("map", pcd, "public"));
        let (state, sent) = state.receive(&terminal_mapping, &mut rng).unwrap();
        assert_eq!(
            to_hex(&sent),
            to_hex(&tlv::tlv(Tag(0x82), &example.value("map", picc, "public"))),
            "{name}: 82"
        );

        let pcd_public = example.value("ephemeral", pcd, "public");
        let (state, sent) = state.receive(&tlv::tlv(Tag(0x83), &pcd_public), &mut rng).unwrap();
        let picc_public = example.value("ephemeral", picc, "public");
        assert_eq!(to_hex(&sent), to_hex(&tlv::tlv(Tag(0x84), &picc_public)), "{name}: 84");

        let references = CertificationAuthorityReferences::default();
        let (established, sent) = state
            .receive(&tlv::tlv(Tag(0x85), &example.token(pcd)), &references)
            .unwrap();
        assert_eq!(
            to_hex(&sent),
            to_hex(&tlv::tlv(Tag(0x86), &example.token(picc))),
            "{name}: 86"
        );
        assert!(rng.is_exhausted(), "{name}: every published key was used");
        let keys = established.session.keys_for_test();
        assert_eq!(
            to_hex(keys.k_enc().expose()),
            to_hex(&example.get("k_enc")),
            "{name}: K_enc"
        );
        assert_eq!(
            to_hex(keys.k_mac().expose()),
            to_hex(&example.get("k_mac")),
            "{name}: K_mac"
        );
        assert_eq!(established.terminal_ephemeral_public_key, pcd_public, "{name}");
        assert_eq!(established.id_picc, picc_public[1..33].to_vec(), "{name}: ID_PICC");
    }
}

#[test]
fn icao_example_apdu_transcript() {
    let example = WorkedExample::icao();
    let v = &example.vectors;
    let parameters = example.parameters();

    let mut mse = MseSetAt::for_pace(&parameters, PasswordKind::Mrz);
    mse.parameter_id = None;
    assert_eq!(
        to_hex(&mse.command().encode(LengthForm::Short).unwrap()),
        to_hex(&v.get("apdu.mse_set_at"))
    );
    let decoded = MseSetAt::decode(&CommandApdu::decode(&v.get("apdu.mse_set_at")).unwrap().data).unwrap();
    assert_eq!(decoded, mse);

    let mut rng = ReplayRandom::new([example.get("map_ifd_private"), example.get("ephemeral_ifd_private")]);
    let (nonce_state, first) = terminal::start(parameters, &example.password()).unwrap();
    let response = |step: u32| {
        let response = ResponseApdu::decode(&v.get(&format!("apdu.ga{step}.response"))).unwrap();
        assert_eq!(response.sw, StatusWord::SUCCESS);
        unwrap_dynamic_authentication_data(&response.data).unwrap().to_vec()
    };
    let command = |step: u32, contents: &[u8]| {
        let apdu = general_authenticate(contents, step == 4);
        assert_eq!(
            to_hex(&apdu.encode(LengthForm::Short).unwrap()),
            to_hex(&v.get(&format!("apdu.ga{step}.command"))),
            "GENERAL AUTHENTICATE {step}"
        );
    };

    command(1, &first);
    let (mapping_state, sent) = nonce_state.receive(&response(1), &mut rng).unwrap();
    command(2, &sent);
    let (key_state, sent) = mapping_state.receive(&response(2), &mut rng).unwrap();
    command(3, &sent);
    let (token_state, sent) = key_state.receive(&response(3)).unwrap();
    command(4, &sent);
    let established = token_state.receive(&response(4)).unwrap();
    assert_eq!(established.parameters, parameters);
}

#[test]
fn bsi_example_session_continues_with_worked_example_apdus() {
    let example = WorkedExample::bsi();
    let v = &example.vectors;
    let mut terminal_rng = ReplayRandom::new([example.get("map_pcd_private"), example.get("ephemeral_pcd_private")]);
    let mut chip_rng = ReplayRandom::new([
        example.get("nonce"),
        example.get("map_picc_private"),
        example.get("ephemeral_picc_private"),
    ]);
    let (mut terminal, mut chip) = run_pace(
        example.parameters(),
        &example.password(),
        &example.password(),
        &mut terminal_rng,
        &mut chip_rng,
    )
    .unwrap();

    let command = CommandApdu::decode(&v.get("sm.01.command.plain")).unwrap();
    let protected = terminal.session.protect_command(&command).unwrap();
    assert_eq!(
        to_hex(&protected.encode(LengthForm::Short).unwrap()),
        to_hex(&v.get("sm.01.command.protected"))
    );
    assert_eq!(chip.session.unprotect_command(&protected).unwrap(), command);
    let reply = chip
        .session
        .protect_response(&ResponseApdu::status(StatusWord::SUCCESS))
        .unwrap();
    assert_eq!(to_hex(&reply.encode()), to_hex(&v.get("sm.01.response.protected")));
    assert_eq!(
        terminal.session.unprotect_response(&reply).unwrap().sw,
        StatusWord::SUCCESS
    );
}

/// Runs PACE between a terminal and a chip, with `7C` templates and
/// `GENERAL AUTHENTICATE` APDUs encoded and decoded on the way.
fn run_pace(
    parameters: PaceParameters,
    terminal_password: &Password,
    chip_password: &Password,
    terminal_rng: &mut dyn RandomSource,
    chip_rng: &mut dyn RandomSource,
) -> crate::Result<(terminal::Established, chip::Established)> {
    run_pace_with_references(
        parameters,
        terminal_password,
        chip_password,
        terminal_rng,
        chip_rng,
        &CertificationAuthorityReferences::default(),
    )
}

fn run_pace_with_references(
    parameters: PaceParameters,
    terminal_password: &Password,
    chip_password: &Password,
    terminal_rng: &mut dyn RandomSource,
    chip_rng: &mut dyn RandomSource,
    references: &CertificationAuthorityReferences,
) -> crate::Result<(terminal::Established, chip::Established)> {
    // The terminal sends a command; the chip reads its 7C contents.
    fn transmit(contents: &[u8], last: bool) -> Vec<u8> {
        let wire = general_authenticate(contents, last).encode(LengthForm::Short).unwrap();
        let command = CommandApdu::decode(&wire).unwrap();
        assert_eq!(command.cla, if last { 0x00 } else { 0x10 });
        unwrap_dynamic_authentication_data(&command.data).unwrap().to_vec()
    }
    // The chip responds; the terminal reads the 7C contents of the response.
    fn answer(contents: &[u8]) -> Vec<u8> {
        let wire = ResponseApdu::new(wrap_dynamic_authentication_data(contents), StatusWord::SUCCESS).encode();
        let response = ResponseApdu::decode(&wire).unwrap();
        unwrap_dynamic_authentication_data(&response.data).unwrap().to_vec()
    }

    let chip_state = chip::AwaitNonceRequest::new(parameters, chip_password)?;
    let (terminal_state, sent) = terminal::start(parameters, terminal_password)?;
    let (chip_state, reply) = chip_state.receive(&transmit(&sent, false), chip_rng)?;
    let (terminal_state, sent) = terminal_state.receive(&answer(&reply), terminal_rng)?;
    let (chip_state, reply) = chip_state.receive(&transmit(&sent, false), chip_rng)?;
    let (terminal_state, sent) = terminal_state.receive(&answer(&reply), terminal_rng)?;
    let (chip_state, reply) = chip_state.receive(&transmit(&sent, false), chip_rng)?;
    let (terminal_state, sent) = terminal_state.receive(&answer(&reply))?;
    let (chip_done, reply) = chip_state.receive(&transmit(&sent, true), references)?;
    let terminal_done = terminal_state.receive(&answer(&reply))?;
    Ok((terminal_done, chip_done))
}

fn can(digits: &str) -> Password {
    Password::new(PasswordKind::Can, SecretBytes::copy_from(digits.as_bytes()))
}

#[test]
fn round_trip_on_every_curve_and_key_size() {
    let mut combinations = 0;
    for parameters in PaceParameters::all() {
        combinations += 1;
        let password = can("123456");
        let (mut terminal, mut chip) =
            run_pace(parameters, &password, &password, &mut SystemRandom, &mut SystemRandom).unwrap();
        let label = format!("{parameters:?}");
        assert_eq!(terminal.parameters, parameters, "{label}");
        assert_eq!(chip.parameters, parameters, "{label}");
        assert_eq!(terminal.id_picc, chip.id_picc, "{label}: ID_PICC");
        assert_eq!(terminal.id_picc.len(), parameters.curve().field_len(), "{label}");
        let point_len = 1 + 2 * parameters.curve().field_len();
        assert_eq!(terminal.chip_ephemeral_public_key.len(), point_len, "{label}");
        assert_eq!(chip.terminal_ephemeral_public_key.len(), point_len, "{label}");
        assert_eq!(terminal.session.cipher(), parameters.cipher(), "{label}");
        assert_eq!(
            terminal.session.keys_for_test().k_mac().expose(),
            chip.session.keys_for_test().k_mac().expose(),
            "{label}"
        );
        assert_eq!(
            terminal.session.keys_for_test().k_enc().len(),
            parameters.cipher().key_len()
        );

        let command = CommandApdu::new(0x00, 0xB0, 0x81, 0x00).with_le(300);
        let protected = terminal.session.protect_command(&command).unwrap();
        assert_eq!(chip.session.unprotect_command(&protected).unwrap(), command, "{label}");
        let reply = ResponseApdu::new(vec![0x42; 300], StatusWord::SUCCESS);
        let sealed = chip.session.protect_response(&reply).unwrap();
        assert_eq!(terminal.session.unprotect_response(&sealed).unwrap(), reply, "{label}");
    }
    assert_eq!(combinations, 18);
}

#[test]
fn every_key_size_gets_a_full_block_nonce() {
    for cipher in [Cipher::Aes128, Cipher::Aes192, Cipher::Aes256] {
        let parameters = PaceParameters::new(cipher, NamedCurve::BrainpoolP256r1).unwrap();
        let state = chip::AwaitNonceRequest::new(parameters, &can("500540")).unwrap();
        let (_, reply) = state.receive(&[], &mut SystemRandom).unwrap();
        assert_eq!(reply.len(), 2 + 16, "{cipher:?}");
    }
}

fn expect_violation<T>(result: crate::Result<T>, expected: ProtocolViolation, context: &str) {
    match result {
        Err(Error::Protocol(found)) => assert_eq!(found, expected, "{context}"),
        Err(other) => panic!("{context}: expected {expected:?}, got {other:?}"),
        Ok(_) => panic!("{context}: expected {expected:?}, got success"),
    }
}

fn bsi_parameters() -> PaceParameters {
    PaceParameters::new(Cipher::Aes128, NamedCurve::BrainpoolP256r1).unwrap()
}

#[test]
fn wrong_password_fails_the_chip_token_check() {
    for parameters in [
        bsi_parameters(),
        PaceParameters::new(Cipher::Aes256, NamedCurve::P521).unwrap(),
    ] {
        let result = run_pace(
            parameters,
            &can("123456"),
            &can("123457"),
            &mut SystemRandom,
            &mut SystemRandom,
        );
        expect_violation(result, ProtocolViolation::PaceTokenInvalid, "chip with another CAN");
    }
}

#[test]
fn wrong_password_fails_the_terminal_token_check() {
    // The chip has another password. Its token is taken without checking
    // the terminal's, as a forged chip would send it.
    let parameters = bsi_parameters();
    let (terminal_state, sent) = terminal::start(parameters, &can("123456")).unwrap();
    let chip_state = chip::AwaitNonceRequest::new(parameters, &can("654321")).unwrap();
    let (chip_state, reply) = chip_state.receive(&sent, &mut SystemRandom).unwrap();
    let (terminal_state, sent) = terminal_state.receive(&reply, &mut SystemRandom).unwrap();
    let (chip_state, reply) = chip_state.receive(&sent, &mut SystemRandom).unwrap();
    let (terminal_state, sent) = terminal_state.receive(&reply, &mut SystemRandom).unwrap();
    let (chip_state, reply) = chip_state.receive(&sent, &mut SystemRandom).unwrap();
    let (terminal_state, _) = terminal_state.receive(&reply).unwrap();
    let forged = chip_state.chip_token_for_test();
    expect_violation(
        terminal_state.receive(&forged),
        ProtocolViolation::PaceTokenInvalid,
        "terminal with another CAN",
    );
}

/// States of both sides just before the tokens are exchanged.
struct BeforeTokens {
    terminal: terminal::AwaitToken,
    chip: chip::AwaitToken,
    terminal_token: Vec<u8>,
    chip_token: Vec<u8>,
}

fn before_tokens() -> BeforeTokens {
    let parameters = bsi_parameters();
    let password = can("123456");
    let (terminal_state, sent) = terminal::start(parameters, &password).unwrap();
    let chip_state = chip::AwaitNonceRequest::new(parameters, &password).unwrap();
    let (chip_state, reply) = chip_state.receive(&sent, &mut SystemRandom).unwrap();
    let (terminal_state, sent) = terminal_state.receive(&reply, &mut SystemRandom).unwrap();
    let (chip_state, reply) = chip_state.receive(&sent, &mut SystemRandom).unwrap();
    let (terminal_state, sent) = terminal_state.receive(&reply, &mut SystemRandom).unwrap();
    let (chip_state, reply) = chip_state.receive(&sent, &mut SystemRandom).unwrap();
    let (terminal_state, terminal_token) = terminal_state.receive(&reply).unwrap();
    let chip_token = chip_state.chip_token_for_test();
    BeforeTokens {
        terminal: terminal_state,
        chip: chip_state,
        terminal_token,
        chip_token,
    }
}

#[test]
fn tampered_tokens_are_rejected() {
    for position in [2usize, 9] {
        let state = before_tokens();
        let mut token = state.terminal_token.clone();
        token[position] ^= 0x01;
        expect_violation(
            state.chip.receive(&token, &CertificationAuthorityReferences::default()),
            ProtocolViolation::PaceTokenInvalid,
            "chip, flipped T_PCD",
        );

        let state = before_tokens();
        let mut token = state.chip_token.clone();
        token[position] ^= 0x01;
        expect_violation(
            state.terminal.receive(&token),
            ProtocolViolation::PaceTokenInvalid,
            "terminal, flipped T_PICC",
        );
    }

    let state = before_tokens();
    let short = tlv::tlv(Tag(0x86), &state.chip_token[2..9]);
    expect_violation(
        state.terminal.receive(&short),
        ProtocolViolation::PaceTokenInvalid,
        "7-byte T_PICC",
    );
    let state = before_tokens();
    let long = tlv::tlv(Tag(0x85), &[state.terminal_token[2..].to_vec(), vec![0]].concat());
    expect_violation(
        state.chip.receive(&long, &CertificationAuthorityReferences::default()),
        ProtocolViolation::PaceTokenInvalid,
        "9-byte T_PCD",
    );
}

#[test]
fn authority_references_reach_the_terminal() {
    let password = can("123456");
    let references = CertificationAuthorityReferences {
        most_recent: Some(b"TWCVCA00001".to_vec()),
        previous: Some(b"TWCVCA00000".to_vec()),
    };
    let (terminal, _) = run_pace_with_references(
        bsi_parameters(),
        &password,
        &password,
        &mut SystemRandom,
        &mut SystemRandom,
        &references,
    )
    .unwrap();
    assert_eq!(terminal.authority_references, references);

    let only_recent = CertificationAuthorityReferences {
        most_recent: Some(b"TWCVCA00001".to_vec()),
        previous: None,
    };
    let (terminal, _) = run_pace_with_references(
        bsi_parameters(),
        &password,
        &password,
        &mut SystemRandom,
        &mut SystemRandom,
        &only_recent,
    )
    .unwrap();
    assert_eq!(terminal.authority_references, only_recent);
}

/// Encodings that are not valid public keys of brainpoolP256r1.
fn invalid_points() -> Vec<(&'static str, Vec<u8>)> {
    let curve = Curve::new(NamedCurve::BrainpoolP256r1).unwrap();
    let valid = curve.encode_point(&curve.generator().unwrap()).unwrap();
    let mut off_curve = valid.clone();
    off_curve[40] ^= 0x04;
    let mut compressed = vec![0x02 | (valid[64] & 1)];
    compressed.extend_from_slice(&valid[1..33]);
    let mut p384 = Curve::new(NamedCurve::P384).unwrap();
    let other_curve = p384.encode_point(&p384.generator().unwrap()).unwrap();
    p384 = Curve::new(NamedCurve::P256).unwrap();
    let p256_point = p384.encode_point(&p384.generator().unwrap()).unwrap();
    vec![
        ("off the curve", off_curve),
        ("compressed", compressed),
        ("point at infinity", vec![0x00]),
        ("empty", Vec::new()),
        ("truncated", valid[..64].to_vec()),
        ("too long", [valid.clone(), vec![0]].concat()),
        ("point of another curve", other_curve),
        ("P-256 point on brainpoolP256r1", p256_point),
    ]
}

#[test]
fn terminal_rejects_invalid_chip_points() {
    let password = can("123456");
    for (label, bad) in invalid_points() {
        // Invalid mapping key.
        let (state, sent) = terminal::start(bsi_parameters(), &password).unwrap();
        let chip_state = chip::AwaitNonceRequest::new(bsi_parameters(), &password).unwrap();
        let (_, reply) = chip_state.receive(&sent, &mut SystemRandom).unwrap();
        let (state, _) = state.receive(&reply, &mut SystemRandom).unwrap();
        expect_violation(
            state.receive(&tlv::tlv(Tag(0x82), &bad), &mut SystemRandom),
            ProtocolViolation::PacePublicKeyInvalid,
            &format!("terminal, mapping key {label}"),
        );

        // Invalid ephemeral key.
        let (state, sent) = terminal::start(bsi_parameters(), &password).unwrap();
        let chip_state = chip::AwaitNonceRequest::new(bsi_parameters(), &password).unwrap();
        let (chip_state, reply) = chip_state.receive(&sent, &mut SystemRandom).unwrap();
        let (state, sent) = state.receive(&reply, &mut SystemRandom).unwrap();
        let (_, reply) = chip_state.receive(&sent, &mut SystemRandom).unwrap();
        let (state, _) = state.receive(&reply, &mut SystemRandom).unwrap();
        expect_violation(
            state.receive(&tlv::tlv(Tag(0x84), &bad)),
            ProtocolViolation::PacePublicKeyInvalid,
            &format!("terminal, ephemeral key {label}"),
        );
    }
}

#[test]
fn chip_rejects_invalid_terminal_points() {
    let password = can("123456");
    for (label, bad) in invalid_points() {
        let chip_state = chip::AwaitNonceRequest::new(bsi_parameters(), &password).unwrap();
        let (chip_state, _) = chip_state.receive(&[], &mut SystemRandom).unwrap();
        expect_violation(
            chip_state.receive(&tlv::tlv(Tag(0x81), &bad), &mut SystemRandom),
            ProtocolViolation::PacePublicKeyInvalid,
            &format!("chip, mapping key {label}"),
        );

        let (terminal_state, sent) = terminal::start(bsi_parameters(), &password).unwrap();
        let chip_state = chip::AwaitNonceRequest::new(bsi_parameters(), &password).unwrap();
        let (chip_state, reply) = chip_state.receive(&sent, &mut SystemRandom).unwrap();
        let (_, sent) = terminal_state.receive(&reply, &mut SystemRandom).unwrap();
        let (chip_state, _) = chip_state.receive(&sent, &mut SystemRandom).unwrap();
        expect_violation(
            chip_state.receive(&tlv::tlv(Tag(0x83), &bad), &mut SystemRandom),
            ProtocolViolation::PacePublicKeyInvalid,
            &format!("chip, ephemeral key {label}"),
        );
    }
}

#[test]
fn reflected_ephemeral_key_is_rejected_by_the_terminal() {
    let password = can("123456");
    let (state, sent) = terminal::start(bsi_parameters(), &password).unwrap();
    let chip_state = chip::AwaitNonceRequest::new(bsi_parameters(), &password).unwrap();
    let (chip_state, reply) = chip_state.receive(&sent, &mut SystemRandom).unwrap();
    let (state, sent) = state.receive(&reply, &mut SystemRandom).unwrap();
    let (_, reply) = chip_state.receive(&sent, &mut SystemRandom).unwrap();
    let (state, own_key) = state.receive(&reply, &mut SystemRandom).unwrap();
    // The chip sends the terminal's own ephemeral key back as 84.
    let reflected = tlv::tlv(Tag(0x84), &own_key[2..]);
    expect_violation(
        state.receive(&reflected),
        ProtocolViolation::PaceEphemeralKeyReflected,
        "terminal",
    );
}

#[test]
fn equal_ephemeral_keys_are_rejected_by_the_chip() {
    // Both sides draw the same ephemeral private key, so ePK_PCD = ePK_PICC.
    let password = can("123456");
    let same_key = vec![0x11; 32];
    let mut terminal_rng = ReplayRandom::new([vec![0x22; 32], same_key.clone()]);
    let mut chip_rng = ReplayRandom::new([vec![0x33; 16], vec![0x44; 32], same_key]);
    let result = run_pace(bsi_parameters(), &password, &password, &mut terminal_rng, &mut chip_rng);
    expect_violation(result, ProtocolViolation::PaceEphemeralKeyReflected, "chip");
}

/// Returns `-(s·G)` encoded, so that a peer whose mapping private key is 1
/// gets `H = -(s·G)` and `G' = s·G + H` at infinity.
fn negated_nonce_point(curve_name: NamedCurve, nonce: &[u8]) -> Vec<u8> {
    let curve = Curve::new(curve_name).unwrap();
    let group = openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::BRAINPOOL_P256R1).unwrap();
    let mut ctx = openssl::bn::BigNumContext::new().unwrap();
    let mut order = BigNum::new().unwrap();
    group.order(&mut order, &mut ctx).unwrap();
    let mut negated = BigNum::new().unwrap();
    negated
        .checked_sub(&order, &BigNum::from_slice(nonce).unwrap())
        .unwrap();
    let scalar = curve.scalar_from_bytes(&negated.to_vec()).unwrap();
    curve.encode_point(&curve.mul_generator(&scalar).unwrap()).unwrap()
}

#[test]
fn mapped_generator_at_infinity_is_rejected() {
    let password = can("123456");
    let parameters = bsi_parameters();
    let nonce = vec![0x5C; 16];

    // Terminal: its mapping key is 1, and the chip sends -(s·G).
    let (state, _) = terminal::start(parameters, &password).unwrap();
    let k_pi = kdf::password_key(&password, parameters.cipher());
    let encrypted = primitives::encrypt_nonce(&k_pi, &SecretBytes::new(nonce.clone())).unwrap();
    let mut rng = ReplayRandom::new([vec![0x01]]);
    let (state, _) = state.receive(&tlv::tlv(Tag(0x80), &encrypted), &mut rng).unwrap();
    let evil = tlv::tlv(Tag(0x82), &negated_nonce_point(NamedCurve::BrainpoolP256r1, &nonce));
    expect_violation(
        state.receive(&evil, &mut SystemRandom),
        ProtocolViolation::PaceMappedGeneratorInvalid,
        "terminal",
    );

    // Chip: it draws s and the mapping key 1, and the terminal sends -(s·G).
    let state = chip::AwaitNonceRequest::new(parameters, &password).unwrap();
    let mut rng = ReplayRandom::new([nonce.clone(), vec![0x01]]);
    let (state, _) = state.receive(&[], &mut rng).unwrap();
    let evil = tlv::tlv(Tag(0x81), &negated_nonce_point(NamedCurve::BrainpoolP256r1, &nonce));
    expect_violation(
        state.receive(&evil, &mut rng),
        ProtocolViolation::PaceMappedGeneratorInvalid,
        "chip",
    );
}

#[test]
fn encrypted_nonce_must_be_one_block() {
    for len in [0usize, 8, 15, 17, 32] {
        let (state, _) = terminal::start(bsi_parameters(), &can("123456")).unwrap();
        expect_violation(
            state.receive(&tlv::tlv(Tag(0x80), &vec![0xAB; len]), &mut SystemRandom),
            ProtocolViolation::PaceNonceLengthInvalid,
            &format!("{len}-byte nonce"),
        );
    }
}

#[test]
fn unexpected_dynamic_authentication_objects_are_codec_errors() {
    let password = can("123456");
    let cases: [(&str, Vec<u8>); 5] = [
        ("missing nonce", Vec::new()),
        ("wrong tag", tlv::tlv(Tag(0x81), &[0; 16])),
        (
            "duplicate nonce",
            [tlv::tlv(Tag(0x80), &[0; 16]), tlv::tlv(Tag(0x80), &[0; 16])].concat(),
        ),
        (
            "trailing object",
            [tlv::tlv(Tag(0x80), &[0; 16]), tlv::tlv(Tag(0x8A), &[0; 4])].concat(),
        ),
        ("truncated", hex("8010 00")),
    ];
    for (label, contents) in cases {
        let (state, _) = terminal::start(bsi_parameters(), &password).unwrap();
        match state.receive(&contents, &mut SystemRandom) {
            Err(Error::Codec(_)) => {}
            other => panic!("{label}: expected a codec error, got {:?}", other.map(|_| ())),
        }
    }

    let state = before_tokens();
    let out_of_order = [tlv::tlv(Tag(0x87), b"CAR"), state.chip_token.clone()].concat();
    assert!(matches!(state.terminal.receive(&out_of_order), Err(Error::Codec(_))));

    let chip_state = chip::AwaitNonceRequest::new(bsi_parameters(), &password).unwrap();
    assert!(matches!(
        chip_state.receive(&hex("8000"), &mut SystemRandom),
        Err(Error::Codec(CodecError::TrailingBytes { .. }))
    ));
}

#[test]
fn malformed_peer_messages_never_panic() {
    let password = can("123456");
    let parameters = bsi_parameters();
    let mut rng = TestRng::new(0xFACE);
    for round in 0..300 {
        // Record one honest run's messages, then feed each state a mutation.
        let (terminal_state, sent) = terminal::start(parameters, &password).unwrap();
        let chip_state = chip::AwaitNonceRequest::new(parameters, &password).unwrap();
        let (chip_state, nonce) = chip_state.receive(&sent, &mut SystemRandom).unwrap();
        let (terminal_state, mapping) = terminal_state.receive(&nonce, &mut SystemRandom).unwrap();
        let (chip_state, chip_mapping) = chip_state.receive(&mapping, &mut SystemRandom).unwrap();
        let (terminal_state, key) = terminal_state.receive(&chip_mapping, &mut SystemRandom).unwrap();
        let (chip_state, chip_key) = chip_state.receive(&key, &mut SystemRandom).unwrap();
        let (terminal_state, token) = terminal_state.receive(&chip_key).unwrap();
        let chip_token = chip_state.chip_token_for_test();

        match round % 4 {
            0 => {
                let (state, _) = terminal::start(parameters, &password).unwrap();
                let _ = state.receive(&rng.mutate(&nonce), &mut SystemRandom);
                let state = chip::AwaitNonceRequest::new(parameters, &password).unwrap();
                let (state, _) = state.receive(&[], &mut SystemRandom).unwrap();
                let _ = state.receive(&rng.mutate(&mapping), &mut SystemRandom);
            }
            1 => {
                let _ = terminal_state.receive(&rng.mutate(&chip_token));
                let _ = chip_state.receive(&rng.mutate(&token), &CertificationAuthorityReferences::default());
            }
            2 => {
                let (state, sent) = terminal::start(parameters, &password).unwrap();
                let (state, _) = state.receive(&nonce, &mut SystemRandom).unwrap();
                let _ = state.receive(&rng.mutate(&chip_mapping), &mut SystemRandom);
                let _ = sent;
            }
            _ => {
                let _ = MseSetAt::decode(&rng.mutate(&MseSetAt::for_pace(&parameters, PasswordKind::Can).encode()));
                let _ = unwrap_dynamic_authentication_data(&rng.mutate(&wrap_dynamic_authentication_data(&key)));
                let _ = chip_key;
            }
        }
    }
}

#[test]
fn mse_set_at_round_trips() {
    for parameters in PaceParameters::all() {
        for password in [
            PasswordKind::Mrz,
            PasswordKind::Can,
            PasswordKind::Pin,
            PasswordKind::Puk,
        ] {
            let mse = MseSetAt::for_pace(&parameters, password);
            let decoded = MseSetAt::decode(&mse.encode()).unwrap();
            assert_eq!(decoded, mse);
            assert_eq!(decoded.pace_parameters(), Some(parameters));
        }
    }
    let chat = hex("7F4C12 060904007F00070301020253050000000110");
    let mse = MseSetAt::for_pace(&bsi_parameters(), PasswordKind::Pin).with_chat(chat.clone());
    let data = mse.encode();
    assert_eq!(
        data,
        hex("800A04007F00070202040202 830103 84010D 7F4C12060904007F00070301020253050000000110")
    );
    let decoded = MseSetAt::decode(&data).unwrap();
    assert_eq!(decoded.chat, Some(chat));
    let command = mse.command();
    assert_eq!(
        (command.cla, command.ins, command.p1, command.p2, command.le),
        (0x00, 0x22, 0xC1, 0xA4, None)
    );
}

#[test]
fn mse_set_at_accepts_any_order() {
    let decoded = MseSetAt::decode(&hex("84010D 830102 800A04007F00070202040204")).unwrap();
    assert_eq!(decoded.password, PasswordKind::Can);
    assert_eq!(decoded.parameter_id, Some(13));
    assert_eq!(decoded.pace_parameters().unwrap().cipher(), Cipher::Aes256);
}

#[test]
fn mse_set_at_rejects_malformed_data() {
    let cases = [
        ("missing protocol", "830102"),
        ("missing password", "800A04007F00070202040202"),
        ("unknown tag", "800A04007F00070202040202 830102 9101FF"),
        ("duplicate password", "800A04007F00070202040202 830102 830103"),
        ("bad password reference", "800A04007F00070202040202 830105"),
        ("two-byte password reference", "800A04007F00070202040202 83020002"),
        ("two-byte parameter ID", "800A04007F00070202040202 830102 8402000D"),
        ("bad OID", "8002 2A80 830102"),
        ("truncated", "800A04007F"),
    ];
    for (label, data) in cases {
        assert!(MseSetAt::decode(&hex(data)).is_err(), "{label}");
    }
    let unsupported = MseSetAt::decode(&hex("800A04007F00070202040602 830102 84010D")).unwrap();
    assert_eq!(unsupported.pace_parameters(), None, "Chip Authentication Mapping");
    let without_id = MseSetAt::decode(&hex("800A04007F00070202040202 830102")).unwrap();
    assert_eq!(without_id.pace_parameters(), None);
}

#[test]
fn parameters_map_to_protocol_oids() {
    let expected = [
        (Cipher::Aes128, "0.4.0.127.0.7.2.2.4.2.2"),
        (Cipher::Aes192, "0.4.0.127.0.7.2.2.4.2.3"),
        (Cipher::Aes256, "0.4.0.127.0.7.2.2.4.2.4"),
    ];
    for (cipher, dotted) in expected {
        let parameters = PaceParameters::new(cipher, NamedCurve::P384).unwrap();
        assert_eq!(parameters.protocol().to_string(), dotted);
        assert_eq!(parameters.parameter_id(), 15);
        assert_eq!(
            PaceParameters::from_protocol(&parameters.protocol(), 15),
            Some(parameters)
        );
    }
    assert!(PaceParameters::new(Cipher::Tdes, NamedCurve::P256).is_err());
    let tdes = Oid::parse("0.4.0.127.0.7.2.2.4.2.1").unwrap();
    assert_eq!(PaceParameters::from_protocol(&tdes, 13), None);
    let integrated = Oid::parse("0.4.0.127.0.7.2.2.4.4.2").unwrap();
    assert_eq!(PaceParameters::from_protocol(&integrated, 13), None);
    assert_eq!(PaceParameters::all().count(), 18);
}

#[test]
fn general_authenticate_chains_all_but_the_last() {
    let chained = general_authenticate(&[], false);
    assert_eq!(to_hex(&chained.encode(LengthForm::Short).unwrap()), "10860000027C0000");
    let last = general_authenticate(&hex("8508 0102030405060708"), true);
    assert_eq!(
        to_hex(&last.encode(LengthForm::Short).unwrap()),
        "008600000C7C0A8508010203040506070800"
    );
    assert_eq!(unwrap_dynamic_authentication_data(&hex("7C00")).unwrap(), &[] as &[u8]);
    assert!(unwrap_dynamic_authentication_data(&hex("7D00")).is_err());
    assert!(unwrap_dynamic_authentication_data(&hex("7C0000")).is_err());
}

#[test]
fn debug_output_hides_secrets() {
    let password = can("123456");
    let (state, _) = terminal::start(bsi_parameters(), &password).unwrap();
    let printed = format!("{state:?}");
    assert!(printed.starts_with("AwaitEncryptedNonce(PaceParameters"), "{printed}");
    assert!(printed.contains("<secrets redacted>"), "{printed}");
    let chip_state = chip::AwaitNonceRequest::new(bsi_parameters(), &password).unwrap();
    assert!(format!("{chip_state:?}").contains("<secrets redacted>"));
}
