//! The terminal side of secure messaging on card responses.
//!
//! Each input runs PACE on P-256 with a fixed random source, so that both
//! sides hold the same keys every time, and protects one READ BINARY. The
//! first input byte picks what the card answers:
//! - 0: the rest of the input, as raw response bytes, which must never
//!   panic and may verify only if it is the genuine response;
//! - 1: a genuine response carrying the rest of the input as data, which
//!   must verify and give back the data and status word;
//! - 2: that genuine response with one byte changed (position and mask
//!   from the input), which must never verify.
#![no_main]

use libfuzzer_sys::fuzz_target;
use neweid_core::apdu::{CommandApdu, ResponseApdu, StatusWord};
use neweid_core::crypto::{Cipher, NamedCurve, RandomSource};
use neweid_core::pace::{chip, terminal, CertificationAuthorityReferences, PaceParameters};
use neweid_core::secret::{Password, PasswordKind, SecretBytes};
use neweid_core::sm::{ChipSecureMessaging, SecureMessaging};

/// A fixed byte stream: fuzzing needs repeatable runs, not secret keys.
struct FixedRandom(u8);

impl RandomSource for FixedRandom {
    fn fill(&mut self, out: &mut [u8]) -> neweid_core::Result<()> {
        for byte in out {
            self.0 = self.0.wrapping_mul(31).wrapping_add(7);
            *byte = self.0;
        }
        Ok(())
    }
}

fn sessions() -> (SecureMessaging, ChipSecureMessaging) {
    let parameters = PaceParameters::new(Cipher::Aes128, NamedCurve::P256).expect("AES-128 on P-256");
    let password = || Password::new(PasswordKind::Can, SecretBytes::copy_from(b"123456"));
    // Separate streams, because equal ephemeral keys on both sides are
    // rejected as a reflection.
    let mut terminal_rng = FixedRandom(1);
    let mut chip_rng = FixedRandom(2);

    let (terminal_state, contents) = terminal::start(parameters, &password()).unwrap();
    let chip_state = chip::AwaitNonceRequest::new(parameters, &password()).unwrap();
    let (chip_state, reply) = chip_state.receive(&contents, &mut chip_rng).unwrap();
    let (terminal_state, contents) = terminal_state.receive(&reply, &mut terminal_rng).unwrap();
    let (chip_state, reply) = chip_state.receive(&contents, &mut chip_rng).unwrap();
    let (terminal_state, contents) = terminal_state.receive(&reply, &mut terminal_rng).unwrap();
    let (chip_state, reply) = chip_state.receive(&contents, &mut chip_rng).unwrap();
    let (terminal_state, contents) = terminal_state.receive(&reply).unwrap();
    let (chip, reply) = chip_state
        .receive(&contents, &CertificationAuthorityReferences::default())
        .unwrap();
    let terminal = terminal_state.receive(&reply).unwrap();
    (terminal.session, chip.session)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (mut terminal, mut chip) = sessions();
    let command = terminal
        .protect_command(&CommandApdu::new(0x00, 0xB0, 0x81, 0x00).with_le(256))
        .unwrap();
    chip.unprotect_command(&command)
        .expect("the chip accepts the terminal's command");

    match mode % 3 {
        0 => {
            let response = ResponseApdu::decode(rest).unwrap_or(ResponseApdu::status(StatusWord(0)));
            let _ = terminal.unprotect_response(&response);
        }
        1 => {
            let sw = StatusWord(u16::from_be_bytes([rest.first().copied().unwrap_or(0x90), 0x00]));
            let plain = ResponseApdu::new(rest.get(1..).unwrap_or_default().to_vec(), sw);
            let protected = chip.protect_response(&plain).unwrap();
            let opened = terminal
                .unprotect_response(&protected)
                .expect("a genuine response verifies");
            assert_eq!(opened, plain, "data and status word after unprotecting");
        }
        _ => {
            let [position, mask, body @ ..] = rest else {
                return;
            };
            if *mask == 0 {
                return;
            }
            let plain = ResponseApdu::new(body.to_vec(), StatusWord::SUCCESS);
            let mut bytes = chip.protect_response(&plain).unwrap().encode();
            let index = usize::from(*position) % bytes.len();
            bytes[index] ^= mask;
            let tampered = ResponseApdu::decode(&bytes).unwrap();
            assert!(
                terminal.unprotect_response(&tampered).is_err(),
                "byte {index} changed by {mask:02X} went unnoticed"
            );
        }
    }
});
