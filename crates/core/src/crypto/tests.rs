use super::ec::{Curve, NamedCurve};
use super::hash::{sha1, sha256};
use super::symmetric::{aes_cbc_decrypt, aes_cbc_encrypt, aes_cmac_8, aes_encrypt_block, pad, unpad};
use super::{Cipher, RandomSource, SystemRandom};
use crate::test_support::{hex, ReplayRandom, Vectors};

fn nist() -> Vectors {
    Vectors::parse("nist-aes-cmac.txt", include_str!("../../testdata/nist-aes-cmac.txt"))
}

#[test]
fn aes_cbc_matches_sp800_38a() {
    let v = nist();
    let key = v.get("aes128.key");
    let iv: [u8; 16] = v.get("cbc.iv").try_into().unwrap();
    let ciphertext = aes_cbc_encrypt(&key, &iv, &v.get("message")).unwrap();
    assert_eq!(ciphertext, v.get("cbc.aes128.ciphertext"));
    let plaintext = aes_cbc_decrypt(&key, &iv, &ciphertext).unwrap();
    assert_eq!(*plaintext, v.get("message"));
}

#[test]
fn aes_block_matches_sp800_38a_ecb() {
    let v = nist();
    let block: [u8; 16] = v.get("message")[..16].try_into().unwrap();
    let encrypted = aes_encrypt_block(&v.get("aes128.key"), &block).unwrap();
    assert_eq!(encrypted.to_vec(), v.get("ecb.aes128.first_block"));
}

#[test]
fn aes_rejects_partial_blocks_and_bad_keys() {
    let iv = [0u8; 16];
    assert!(aes_cbc_encrypt(&[0u8; 16], &iv, &[0u8; 15]).is_err());
    assert!(aes_cbc_decrypt(&[0u8; 16], &iv, &[0u8; 17]).is_err());
    assert!(aes_cbc_encrypt(&[0u8; 20], &iv, &[0u8; 16]).is_err());
    assert!(aes_cmac_8(&[0u8; 8], b"").is_err());
}

#[test]
fn cmac_matches_rfc4493_and_sp800_38b() {
    let v = nist();
    let message = v.get("message");
    for len in [0usize, 16, 40, 64] {
        let full = v.get(&format!("cmac.aes128.len{len}"));
        let mac = aes_cmac_8(&v.get("aes128.key"), &message[..len]).unwrap();
        assert_eq!(mac.to_vec(), full[..8].to_vec(), "CMAC over {len} bytes");
    }
    let mac192 = aes_cmac_8(&v.get("aes192.key"), b"").unwrap();
    assert_eq!(mac192.to_vec(), v.get("cmac.aes192.len0")[..8].to_vec());
    let mac256 = aes_cmac_8(&v.get("aes256.key"), b"").unwrap();
    assert_eq!(mac256.to_vec(), v.get("cmac.aes256.len0")[..8].to_vec());
}

#[test]
fn sha_matches_fips180() {
    let v = nist();
    let input = v.get("sha.input");
    assert_eq!(sha1(&[&input]).to_vec(), v.get("sha1.digest"));
    assert_eq!(sha256(&[&input[..1], &input[1..]]).to_vec(), v.get("sha256.digest"));
}

#[test]
fn padding_method_2_round_trips() {
    assert_eq!(pad(&hex("011E"), 16), hex("011E8000000000000000000000000000"));
    assert_eq!(pad(&[0x11; 16], 16).len(), 32);
    assert_eq!(pad(&[], 16), hex("80000000000000000000000000000000"));
    assert_eq!(pad(&hex("0CA4020C"), 8), hex("0CA4020C80000000"));
    for len in 0..40 {
        let data: Vec<u8> = (0..len as u8).collect();
        assert_eq!(unpad(&pad(&data, 16), 16), Some(&data[..]), "length {len}");
    }
}

#[test]
fn unpad_rejects_bad_padding() {
    assert_eq!(unpad(&hex("01020300"), 16), None);
    assert_eq!(unpad(&[0u8; 16], 16), None);
    assert_eq!(unpad(&hex("8000000000000000000000000000000000"), 16), None);
    assert_eq!(unpad(&[], 16), None);
    assert_eq!(unpad(&hex("0181"), 16), None);
}

#[test]
fn cipher_lengths() {
    assert_eq!((Cipher::Tdes.key_len(), Cipher::Tdes.block_len()), (16, 8));
    assert_eq!((Cipher::Aes128.key_len(), Cipher::Aes128.block_len()), (16, 16));
    assert_eq!((Cipher::Aes192.key_len(), Cipher::Aes192.block_len()), (24, 16));
    assert_eq!((Cipher::Aes256.key_len(), Cipher::Aes256.block_len()), (32, 16));
    assert!(!Cipher::Tdes.is_aes());
}

#[test]
fn named_curves_map_to_parameter_ids() {
    for curve in NamedCurve::ALL {
        assert_eq!(
            NamedCurve::from_parameter_id(u64::from(curve.parameter_id())),
            Some(curve)
        );
    }
    for unsupported in [0u64, 2, 8, 9, 10, 11, 14, 19, 32, 1 << 40] {
        assert_eq!(
            NamedCurve::from_parameter_id(unsupported),
            None,
            "parameter ID {unsupported}"
        );
    }
    assert_eq!(NamedCurve::P521.field_len(), 66);
    assert_eq!(NamedCurve::BrainpoolP512r1.field_len(), 64);
}

#[test]
fn ecdh_agrees_on_every_curve() {
    let mut rng = SystemRandom;
    for name in NamedCurve::ALL {
        let curve = Curve::new(name).unwrap();
        let a = curve.random_scalar(&mut rng).unwrap();
        let b = curve.random_scalar(&mut rng).unwrap();
        let public_a = curve.mul_generator(&a).unwrap();
        let public_b = curve.mul_generator(&b).unwrap();
        let encoded = curve.encode_point(&public_a).unwrap();
        assert_eq!(encoded.len(), 1 + 2 * name.field_len(), "{name:?}");
        let decoded = curve.decode_point(&encoded).expect("own point decodes");
        assert!(curve.points_equal(&decoded, &public_a).unwrap());
        let shared_a = curve.ecdh(&a, &public_b).unwrap();
        let shared_b = curve.ecdh(&b, &decoded).unwrap();
        assert_eq!(shared_a.expose(), shared_b.expose(), "{name:?}");
        assert_eq!(shared_a.len(), name.field_len());
    }
}

#[test]
fn point_decoding_rejects_invalid_points() {
    let curve = Curve::new(NamedCurve::BrainpoolP256r1).unwrap();
    let generator = curve.encode_point(&curve.generator().unwrap()).unwrap();
    assert!(curve.decode_point(&generator).is_some());

    let mut off_curve = generator.clone();
    off_curve[64] ^= 1;
    assert!(curve.decode_point(&off_curve).is_none(), "point off the curve");

    assert!(curve.decode_point(&generator[..64]).is_none(), "truncated point");
    let mut compressed = vec![0x02 | (generator[64] & 1)];
    compressed.extend_from_slice(&generator[1..33]);
    assert!(curve.decode_point(&compressed).is_none(), "compressed form");
    let mut hybrid = generator.clone();
    hybrid[0] = 0x06 | (generator[64] & 1);
    assert!(curve.decode_point(&hybrid).is_none(), "hybrid form");
    assert!(curve.decode_point(&[0x00]).is_none(), "point at infinity");
    assert!(curve.decode_point(&[0u8; 65]).is_none(), "all zero");
    let mut zero_coordinates = vec![0x04];
    zero_coordinates.extend_from_slice(&[0u8; 64]);
    assert!(curve.decode_point(&zero_coordinates).is_none(), "coordinates (0, 0)");
}

#[test]
fn point_addition_and_infinity() {
    let curve = Curve::new(NamedCurve::P256).unwrap();
    let one = curve.scalar_from_bytes(&[1]).unwrap();
    let two = curve.scalar_from_bytes(&[2]).unwrap();
    let g = curve.mul_generator(&one).unwrap();
    let doubled = curve.add(&g, &g).unwrap();
    assert!(curve
        .points_equal(&doubled, &curve.mul_generator(&two).unwrap())
        .unwrap());
    assert!(!curve.is_infinity(&doubled));
    assert!(curve.encode_point(&curve.mul(&g, &one).unwrap()).is_ok());
}

#[test]
fn scalars_must_lie_below_the_order() {
    let curve = Curve::new(NamedCurve::P256).unwrap();
    assert!(curve.scalar_from_bytes(&[0]).is_err());
    assert!(curve.scalar_from_bytes(&[]).is_err());
    assert!(curve.scalar_from_bytes(&[0xFF; 32]).is_err());
    assert!(curve.scalar_from_bytes(&[0x01; 32]).is_ok());
}

#[test]
fn random_scalar_rejects_then_replays() {
    let curve = Curve::new(NamedCurve::P521).unwrap();
    let mut key = vec![0x01];
    key.extend_from_slice(&[0x23; 65]);
    // The first value is above the order even after masking, so it is
    // rejected and the second one is taken.
    let mut rng = ReplayRandom::new([vec![0xFF; 66], key.clone()]);
    let scalar = curve.random_scalar(&mut rng).unwrap();
    assert!(rng.is_exhausted());
    let expected = curve.scalar_from_bytes(&key).unwrap();
    let left = curve.mul_generator(&scalar).unwrap();
    let right = curve.mul_generator(&expected).unwrap();
    assert!(curve.points_equal(&left, &right).unwrap());
}

#[test]
fn random_scalar_gives_up_on_a_stuck_source() {
    struct Zeros;
    impl RandomSource for Zeros {
        fn fill(&mut self, out: &mut [u8]) -> crate::Result<()> {
            out.fill(0);
            Ok(())
        }
    }
    let curve = Curve::new(NamedCurve::BrainpoolP256r1).unwrap();
    assert!(curve.random_scalar(&mut Zeros).is_err());
}

#[test]
fn secret_types_print_redacted() {
    let curve = Curve::new(NamedCurve::P256).unwrap();
    let scalar = curve.scalar_from_bytes(&[0x42; 32]).unwrap();
    assert_eq!(format!("{scalar:?}"), "Scalar(<redacted>)");
}
