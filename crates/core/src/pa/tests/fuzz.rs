//! Mutation tests: no input makes the decoders or the verifier panic.

use openssl::nid::Nid;

use super::kit::{self, Validity, NOW};
use crate::pa::*;

/// xorshift64*: a small deterministic generator, so failures reproduce.
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
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut bytes = input.to_vec();
    for _ in 0..=rng.below(3) {
        if bytes.is_empty() {
            break;
        }
        let at = rng.below(bytes.len());
        match rng.below(6) {
            0 => bytes[at] ^= 1 << rng.below(8),
            1 => bytes[at] = rng.next() as u8,
            2 => bytes.truncate(at),
            3 => {
                bytes.remove(at);
            }
            4 => bytes.insert(at, rng.next() as u8),
            // Length octets are the interesting targets.
            _ => bytes[at] = [0x80, 0x81, 0x82, 0x84, 0x85, 0xFF, 0x00][rng.below(7)],
        }
    }
    bytes
}

#[test]
fn mutated_sods_never_panic_and_rarely_pass() {
    let csca = kit::csca("TEST CSCA", kit::ec_key(Nid::X9_62_PRIME256V1), Validity::around_now());
    let signer = kit::document_signer(&csca, kit::ec_key(Nid::X9_62_PRIME256V1), 1, Validity::around_now());
    let mut trust = TrustStore::new();
    trust.add_certificate(&csca.cert.to_der().unwrap()).unwrap();
    let groups = kit::data_groups();
    let sod = build_sod(
        &signer,
        DigestAlgorithm::Sha256,
        kit::borrowed(&groups),
        &SignOptions::default(),
    )
    .unwrap();
    let policy = Policy::default();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut passed = 0;
    let rounds = 3000;
    for _ in 0..rounds {
        let mutated = mutate(&mut rng, &sod);
        let verification = verify_sod(&mutated, &kit::borrowed(&groups), &trust, &policy, NOW);
        if verification.ok {
            passed += 1;
            // Only bytes outside the signed parts may change without effect:
            // the unsigned digestAlgorithms SET and the certificate's
            // unsigned outer fields.
            assert_ne!(mutated.len(), 0);
        }
        let _ = verify_card_security(&mutated, &trust, &policy, NOW);
        let _ = cms::decode_signed_data(&mutated);
        let _ = LdsSecurityObject::decode(&mutated);
        let _ = Certificate::from_der(&mutated);
        let _ = lds::decode_master_list(&mutated);
    }
    assert!(passed < rounds / 20, "{passed} of {rounds} mutations still verified");
}

#[test]
fn random_bytes_never_panic() {
    let trust = TrustStore::new();
    let policy = Policy::default();
    let mut rng = Rng(42);
    for length in 0..600 {
        let bytes: Vec<u8> = (0..length).map(|_| rng.next() as u8).collect();
        let verification = verify_sod(&bytes, &[], &trust, &policy, NOW);
        assert!(!verification.ok);
        let mut prefixed = vec![0x77, 0x82, (length >> 8) as u8, length as u8];
        prefixed.extend_from_slice(&bytes);
        assert!(!verify_sod(&prefixed, &[], &trust, &policy, NOW).ok);
    }
}
