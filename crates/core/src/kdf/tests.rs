use super::*;
use crate::crypto::hash::sha1;
use crate::secret::PasswordKind;
use crate::test_support::Vectors;

fn vectors() -> Vectors {
    Vectors::parse("kdf.txt", include_str!("../../testdata/kdf.txt"))
}

#[test]
fn tdes_keys_match_icao_bac_example() {
    let v = vectors();
    let seed = sha1(&[&v.get("bac.mrz_information")]);
    assert_eq!(seed[..16].to_vec(), v.get("bac.k_seed"));
    let k_seed = v.get("bac.k_seed");
    assert_eq!(
        derive_key(&k_seed, COUNTER_ENC, Cipher::Tdes).expose(),
        v.get("bac.k_enc")
    );
    assert_eq!(
        derive_key(&k_seed, COUNTER_MAC, Cipher::Tdes).expose(),
        v.get("bac.k_mac")
    );
    let session_seed = v.get("bac.session_k_seed");
    assert_eq!(
        derive_key(&session_seed, COUNTER_ENC, Cipher::Tdes).expose(),
        v.get("bac.session_k_enc")
    );
    assert_eq!(
        derive_key(&session_seed, COUNTER_MAC, Cipher::Tdes).expose(),
        v.get("bac.session_k_mac")
    );
}

#[test]
fn tdes_keys_have_odd_parity() {
    let key = derive_key(b"any secret", COUNTER_ENC, Cipher::Tdes);
    assert_eq!(key.len(), 16);
    for byte in key.expose() {
        assert_eq!(byte.count_ones() % 2, 1, "byte {byte:02X}");
    }
}

#[test]
fn aes_keys_use_sha1_then_sha256() {
    let v = vectors();
    let k = v.get("icao_g1.k");
    assert_eq!(
        derive_key(&k, COUNTER_PASSWORD, Cipher::Aes128).expose(),
        v.get("icao_g1.aes128.k_pi")
    );
    assert_eq!(
        derive_key(&k, COUNTER_ENC, Cipher::Aes192).expose(),
        v.get("icao_g1.aes192.k_enc")
    );
    assert_eq!(
        derive_key(&k, COUNTER_MAC, Cipher::Aes192).expose(),
        v.get("icao_g1.aes192.k_mac")
    );
    assert_eq!(
        derive_key(&k, COUNTER_ENC, Cipher::Aes256).expose(),
        v.get("icao_g1.aes256.k_enc")
    );
    assert_eq!(
        derive_key(&k, COUNTER_MAC, Cipher::Aes256).expose(),
        v.get("icao_g1.aes256.k_mac")
    );
    assert_eq!(
        derive_key(&k, COUNTER_PASSWORD, Cipher::Aes256).expose(),
        v.get("icao_g1.aes256.k_pi")
    );
}

#[test]
fn nonce_is_hashed_between_secret_and_counter() {
    let v = vectors();
    let k = v.get("icao_g1.k");
    let nonce = v.get("nonce");
    let enc = derive_key_with_nonce(&k, &nonce, COUNTER_ENC, Cipher::Aes256);
    assert_eq!(enc.expose(), v.get("icao_g1.aes256.nonce.k_enc"));
    let mac = derive_key_with_nonce(&k, &nonce, COUNTER_MAC, Cipher::Aes128);
    assert_eq!(mac.expose(), v.get("icao_g1.aes128.nonce.k_mac"));
    assert_eq!(
        derive_key_with_nonce(&k, &[], COUNTER_ENC, Cipher::Aes128).expose(),
        derive_key(&k, COUNTER_ENC, Cipher::Aes128).expose()
    );
}

#[test]
fn password_key_uses_counter_3() {
    let v = vectors();
    let password = Password::new(PasswordKind::Mrz, SecretBytes::new(v.get("icao_g1.k")));
    assert_eq!(
        password_key(&password, Cipher::Aes128).expose(),
        v.get("icao_g1.aes128.k_pi")
    );
}

#[test]
fn session_keys_use_counters_1_and_2() {
    let v = vectors();
    let keys = session_keys(&SecretBytes::new(v.get("icao_g1.k")), Cipher::Aes256);
    assert_eq!(keys.cipher(), Cipher::Aes256);
    assert_eq!(keys.k_enc().expose(), v.get("icao_g1.aes256.k_enc"));
    assert_eq!(keys.k_mac().expose(), v.get("icao_g1.aes256.k_mac"));
}
