//! Elliptic-curve arithmetic on the named prime curves of TR-03110-3
//! §A.2.1.1: point validation and encoding, scalar multiplication, point
//! addition, ECDH and key generation.
//!
//! Every supported curve has cofactor 1, so a point that lies on the curve
//! and is not the point at infinity is in the prime-order group: no further
//! subgroup check is needed. Multiplications by a secret scalar go through
//! `EC_POINT_mul` with a single point, which OpenSSL 3 runs as a
//! constant-time Montgomery ladder (or a constant-time curve-specific
//! routine).

use std::fmt;

use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::{EcGroup, EcPoint, PointConversionForm};
use openssl::nid::Nid;
use zeroize::Zeroizing;

use crate::crypto::RandomSource;
use crate::error::{CryptoError, OpensslContext, Result};
use crate::secret::SecretBytes;

/// A named curve with a standardized domain parameter ID (TR-03110-3
/// §A.2.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NamedCurve {
    /// NIST P-256 (secp256r1), parameter ID 12.
    P256,
    /// brainpoolP256r1, parameter ID 13.
    BrainpoolP256r1,
    /// NIST P-384 (secp384r1), parameter ID 15.
    P384,
    /// brainpoolP384r1, parameter ID 16.
    BrainpoolP384r1,
    /// brainpoolP512r1, parameter ID 17.
    BrainpoolP512r1,
    /// NIST P-521 (secp521r1), parameter ID 18.
    P521,
}

impl NamedCurve {
    /// Every supported curve, in order of parameter ID.
    pub const ALL: [Self; 6] = [
        Self::P256,
        Self::BrainpoolP256r1,
        Self::P384,
        Self::BrainpoolP384r1,
        Self::BrainpoolP512r1,
        Self::P521,
    ];

    /// Returns the standardized domain parameter ID.
    pub fn parameter_id(self) -> u8 {
        match self {
            Self::P256 => 12,
            Self::BrainpoolP256r1 => 13,
            Self::P384 => 15,
            Self::BrainpoolP384r1 => 16,
            Self::BrainpoolP512r1 => 17,
            Self::P521 => 18,
        }
    }

    /// Returns the curve with a standardized domain parameter ID, or `None`
    /// for a DH group, an unsupported curve or a proprietary ID.
    pub fn from_parameter_id(id: u64) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|curve| u64::from(curve.parameter_id()) == id)
    }

    /// Returns the size of the prime field in bits.
    pub fn field_bits(self) -> u32 {
        match self {
            Self::P256 | Self::BrainpoolP256r1 => 256,
            Self::P384 | Self::BrainpoolP384r1 => 384,
            Self::BrainpoolP512r1 => 512,
            Self::P521 => 521,
        }
    }

    /// Returns the length in bytes of one coordinate, and so of the ECDH
    /// shared secret.
    pub fn field_len(self) -> usize {
        (self.field_bits() as usize).div_ceil(8)
    }

    fn nid(self) -> Nid {
        match self {
            Self::P256 => Nid::X9_62_PRIME256V1,
            Self::BrainpoolP256r1 => Nid::BRAINPOOL_P256R1,
            Self::P384 => Nid::SECP384R1,
            Self::BrainpoolP384r1 => Nid::BRAINPOOL_P384R1,
            Self::BrainpoolP512r1 => Nid::BRAINPOOL_P512R1,
            Self::P521 => Nid::SECP521R1,
        }
    }
}

/// A public point of a [`Curve`]. Points are only made by the curve's
/// operations and by [`Curve::decode_point`], which validates them.
pub(crate) struct Point(EcPoint);

impl fmt::Debug for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Point")
    }
}

/// A secret scalar: a private key or a nonce used as a multiplier. It is
/// allocated with `BN_secure_new`, so OpenSSL clears it when it frees it,
/// flagged for constant-time use, and also cleared in `Drop`.
pub(crate) struct Scalar(BigNum);

impl Drop for Scalar {
    fn drop(&mut self) {
        self.0.clear();
    }
}

impl fmt::Debug for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Scalar(<redacted>)")
    }
}

/// One named curve with its group and order, ready for arithmetic.
pub(crate) struct Curve {
    name: NamedCurve,
    group: EcGroup,
    order: BigNum,
}

impl fmt::Debug for Curve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Curve({:?})", self.name)
    }
}

/// How often [`Curve::random_scalar`] draws before it gives up. With every
/// supported order, one draw fails with probability below 1/2, so 64 failures
/// in a row mean the random source is broken.
const MAX_SCALAR_DRAWS: usize = 64;

fn context() -> Result<BigNumContext> {
    BigNumContext::new_secure().context("BN_CTX")
}

impl Curve {
    pub(crate) fn new(name: NamedCurve) -> Result<Self> {
        let group = EcGroup::from_curve_name(name.nid()).context("EC group")?;
        let mut order = BigNum::new().context("BIGNUM")?;
        let mut ctx = context()?;
        group.order(&mut order, &mut ctx).context("EC group order")?;
        Ok(Self { name, group, order })
    }

    /// Returns the length of an uncompressed point encoding: `04 ‖ x ‖ y`.
    pub(crate) fn encoded_point_len(&self) -> usize {
        1 + 2 * self.name.field_len()
    }

    /// Decodes an uncompressed point, padded to the field size, and checks
    /// that it lies on the curve and is not the point at infinity. Returns
    /// `None` for any other input, including compressed and hybrid forms.
    pub(crate) fn decode_point(&self, bytes: &[u8]) -> Option<Point> {
        if bytes.len() != self.encoded_point_len() || bytes.first() != Some(&0x04) {
            return None;
        }
        let mut ctx = context().ok()?;
        let point = EcPoint::from_bytes(&self.group, bytes, &mut ctx).ok()?;
        let on_curve = point.is_on_curve(&self.group, &mut ctx).ok()?;
        (on_curve && !point.is_infinity(&self.group)).then_some(Point(point))
    }

    /// Encodes a point uncompressed, each coordinate padded to the field size.
    pub(crate) fn encode_point(&self, point: &Point) -> Result<Vec<u8>> {
        if point.0.is_infinity(&self.group) {
            return Err(CryptoError::other("cannot encode the point at infinity").into());
        }
        let mut ctx = context()?;
        let bytes = point
            .0
            .to_bytes(&self.group, PointConversionForm::UNCOMPRESSED, &mut ctx)
            .context("EC point encoding")?;
        if bytes.len() != self.encoded_point_len() {
            return Err(CryptoError::other("EC point encoding has an unexpected length").into());
        }
        Ok(bytes)
    }

    #[cfg(test)]
    pub(crate) fn generator(&self) -> Result<Point> {
        let generator = self
            .group
            .generator_opt()
            .ok_or(CryptoError::other("EC group has no generator"))?;
        let point = generator.to_owned(&self.group).context("EC generator")?;
        Ok(Point(point))
    }

    pub(crate) fn is_infinity(&self, point: &Point) -> bool {
        point.0.is_infinity(&self.group)
    }

    pub(crate) fn points_equal(&self, a: &Point, b: &Point) -> Result<bool> {
        let mut ctx = context()?;
        a.0.eq(&self.group, &b.0, &mut ctx).context("EC point compare")
    }

    /// Reads a big-endian scalar and checks that it lies in `1..order`.
    pub(crate) fn scalar_from_bytes(&self, bytes: &[u8]) -> Result<Scalar> {
        let mut value = BigNum::new_secure().context("BIGNUM")?;
        value.copy_from_slice(bytes).context("BIGNUM from bytes")?;
        value.set_const_time();
        if value.num_bits() == 0 || value.ucmp(&self.order) != std::cmp::Ordering::Less {
            value.clear();
            return Err(CryptoError::other("scalar is zero or not below the group order").into());
        }
        Ok(Scalar(value))
    }

    /// Draws a private key uniformly from `1..order` by rejection sampling.
    ///
    /// Each draw takes as many bytes as the order has and clears the bits
    /// above its bit length, so a test source that returns a published
    /// private key gets exactly that key back.
    pub(crate) fn random_scalar(&self, rng: &mut dyn RandomSource) -> Result<Scalar> {
        let order_bits = self.order.num_bits();
        let order_len = usize::try_from(self.order.num_bytes()).unwrap_or(0);
        let excess_bits = order_len * 8 - usize::try_from(order_bits).unwrap_or(0);
        let mut buffer = Zeroizing::new(vec![0u8; order_len]);
        for _ in 0..MAX_SCALAR_DRAWS {
            rng.fill(&mut buffer)?;
            if let Some(first) = buffer.first_mut() {
                *first &= 0xFF >> excess_bits;
            }
            if let Ok(scalar) = self.scalar_from_bytes(&buffer) {
                return Ok(scalar);
            }
        }
        Err(CryptoError::other("random source produced no scalar below the group order").into())
    }

    /// Computes `scalar · point`.
    pub(crate) fn mul(&self, point: &Point, scalar: &Scalar) -> Result<Point> {
        let mut result = EcPoint::new(&self.group).context("EC point")?;
        let mut ctx = context()?;
        result
            .mul2(&self.group, &point.0, &scalar.0, &mut ctx)
            .context("EC scalar multiplication")?;
        Ok(Point(result))
    }

    /// Computes `scalar · G` for the curve's own generator `G`.
    pub(crate) fn mul_generator(&self, scalar: &Scalar) -> Result<Point> {
        let mut result = EcPoint::new(&self.group).context("EC point")?;
        let mut ctx = context()?;
        result
            .mul_generator2(&self.group, &scalar.0, &mut ctx)
            .context("EC generator multiplication")?;
        Ok(Point(result))
    }

    /// Computes `a + b`.
    pub(crate) fn add(&self, a: &Point, b: &Point) -> Result<Point> {
        let mut result = EcPoint::new(&self.group).context("EC point")?;
        let mut ctx = context()?;
        result
            .add(&self.group, &a.0, &b.0, &mut ctx)
            .context("EC point addition")?;
        Ok(Point(result))
    }

    /// Returns the x-coordinate of a point, padded to the field size. Fails
    /// for the point at infinity.
    pub(crate) fn x_coordinate(&self, point: &Point) -> Result<SecretBytes> {
        if self.is_infinity(point) {
            return Err(CryptoError::other("the point at infinity has no coordinates").into());
        }
        let mut x = BigNum::new_secure().context("BIGNUM")?;
        let mut y = BigNum::new_secure().context("BIGNUM")?;
        let mut ctx = context()?;
        point
            .0
            .affine_coordinates(&self.group, &mut x, &mut y, &mut ctx)
            .context("EC affine coordinates")?;
        let field_len = i32::try_from(self.name.field_len()).unwrap_or(i32::MAX);
        let bytes = x.to_vec_padded(field_len).context("BIGNUM to bytes");
        x.clear();
        y.clear();
        Ok(SecretBytes::new(bytes?))
    }

    /// Computes the ECDH shared secret of ICAO 9303-11 §9.6 and TR-03110-3
    /// §A.2.2: the x-coordinate of `private · peer`.
    pub(crate) fn ecdh(&self, private: &Scalar, peer: &Point) -> Result<SecretBytes> {
        let shared = self.mul(peer, private)?;
        self.x_coordinate(&shared)
    }
}
