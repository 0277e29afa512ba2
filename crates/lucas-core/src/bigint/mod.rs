//! Signed big integers for the n-th terms without a modulus (pure Rust, no FFI).
//!
//! This is the one module that knows which big-integer library lucas uses: the rest of the
//! crate sees [`Big`] and its few operations (the ones a doubling ladder needs), and the
//! little-endian 64-bit limbs of its magnitude, which the extension (`src/capi/pyint.rs`) turns into a Python `int` in
//! one linear pass. Replacing the backend means rewriting this file only.
//!
//! The backend is `puremp`'s natural numbers (`puremp::nat::Nat`: schoolbook, Karatsuba,
//! Toom-3/4 and a three-prime NTT, chosen by operand size); the sign is kept here, beside the
//! magnitude, so that each operation costs one call into the library and no copies of its
//! operands. docs/bigint.md says why this crate and what it costs.

#![forbid(unsafe_code)]

use puremp::nat::Nat;
use std::cmp::Ordering;

/// The smaller operand's size, in limbs, from which [`Big::mul_polled`] multiplies by
/// polled transforms: below it one product of the backend is short next to the interruption
/// bound (bench/NOTES.md, "Interrupting the largest products").
pub const POLLED_MUL_LIMBS: usize = 1 << 16;

/// The largest product, in limbs, the polled transforms take (2^35 bits, beyond any
/// result lucas accepts); a larger one goes to the backend.
const POLLED_MUL_MAX_LIMBS: usize = 1 << 29;

// ANCHOR: big
/// A signed integer as sign and magnitude. Zero is never negative.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Big {
    negative: bool,
    magnitude: Nat,
}
// ANCHOR_END: big

impl Big {
    fn new(negative: bool, magnitude: Nat) -> Big {
        let negative = negative && !magnitude.is_zero();
        Big { negative, magnitude }
    }

    pub fn zero() -> Big {
        Big::new(false, Nat::zero())
    }

    pub fn from_i64(v: i64) -> Big {
        Big::new(v < 0, Nat::from_u64(v.unsigned_abs()))
    }

    /// The integer with magnitude given by little-endian 64-bit limbs.
    pub fn from_limbs(negative: bool, limbs: &[u64]) -> Big {
        Big::new(negative, Nat::from_limbs(limbs))
    }

    pub fn is_zero(&self) -> bool {
        self.magnitude.is_zero()
    }

    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// The magnitude as little-endian 64-bit limbs, without leading zero limbs (empty for 0).
    pub fn limbs(&self) -> &[u64] {
        self.magnitude.as_limbs()
    }

    /// The number of bits of the magnitude (0 for 0).
    pub fn bit_length(&self) -> u64 {
        self.magnitude.bit_len()
    }

    /// The value as an i64, if it fits.
    pub fn to_i64(&self) -> Option<i64> {
        let m = i64::try_from(self.magnitude.to_u64()?).ok()?;
        Some(if self.negative { -m } else { m })
    }

    /// `self / 2**shift` as a float (from the top 64 bits; relative error below 2**-52),
    /// for size estimates of values too large for a float.
    pub fn to_f64_scaled(&self, shift: u64) -> f64 {
        let bits = self.bit_length();
        if bits == 0 {
            return 0.0;
        }
        let drop = bits.saturating_sub(64);
        let top = self.magnitude.shr(drop).to_u64().expect("64 bits at most") as f64;
        let exponent = drop as f64 - shift as f64;
        let v = top * exponent.exp2();
        if self.negative {
            -v
        } else {
            v
        }
    }

    pub fn add(&self, other: &Big) -> Big {
        self.add_signed(other, other.negative)
    }

    pub fn sub(&self, other: &Big) -> Big {
        self.add_signed(other, !other.negative)
    }

    /// `self + (±|other|)`, the sign of the second term given.
    fn add_signed(&self, other: &Big, other_negative: bool) -> Big {
        if self.negative == other_negative {
            return Big::new(self.negative, self.magnitude.add(&other.magnitude));
        }
        match self.magnitude.cmp(&other.magnitude) {
            Ordering::Less => Big::new(other_negative, other.magnitude.checked_sub(&self.magnitude).expect("less")),
            _ => Big::new(self.negative, self.magnitude.checked_sub(&other.magnitude).expect("not less")),
        }
    }

    /// `self * other` (a square when both are the same value: the library checks).
    pub fn mul(&self, other: &Big) -> Big {
        Big::new(self.negative != other.negative, self.magnitude.mul(&other.magnitude))
    }

    // ANCHOR: mul_polled
    /// `self * other`, calling `poll` during the product when both operands have at least
    /// [`POLLED_MUL_LIMBS`] limbs, and stopping with its error. One product of the
    /// backend cannot be interrupted, and the largest ones are long; these run on the
    /// transforms of [`crate::jump::ntt::mul_limbs`] (as fast at these sizes), which poll
    /// between their pieces. Smaller products take the backend's route.
    pub fn mul_polled<E>(&self, other: &Big, poll: &mut dyn FnMut() -> Result<(), E>) -> Result<Big, E> {
        let (a, b) = (self.limbs(), other.limbs());
        if a.len().min(b.len()) < POLLED_MUL_LIMBS || a.len() + b.len() > POLLED_MUL_MAX_LIMBS {
            return Ok(self.mul(other));
        }
        let limbs = crate::jump::ntt::mul_limbs(a, b, poll)?;
        Ok(Big::from_limbs(self.negative != other.negative, &limbs))
    }
    // ANCHOR_END: mul_polled

    /// `self mod m` in `0..m` for m > 0 (floor modulo, as Python's `%`).
    pub fn rem_euclid(&self, m: &Big) -> Big {
        debug_assert!(!m.negative && !m.is_zero(), "a positive modulus");
        let (_, r) = self.magnitude.div_rem(&m.magnitude).expect("m > 0");
        if self.negative && !r.is_zero() {
            Big::new(false, m.magnitude.checked_sub(&r).expect("r < m"))
        } else {
            Big::new(false, r)
        }
    }

    /// `self / 2` for an even value (the ladders halve only even values).
    pub fn half(&self) -> Big {
        debug_assert!(self.magnitude.is_even(), "halving is exact only for even values");
        Big::new(self.negative, self.magnitude.shr(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Limbs of |v| for an i128 reference value.
    fn big(v: i128) -> Big {
        let m = v.unsigned_abs();
        Big::from_limbs(v < 0, &[m as u64, (m >> 64) as u64])
    }

    fn value(b: &Big) -> i128 {
        let l = b.limbs();
        assert!(l.len() <= 2 && l.last() != Some(&0), "normalised: {l:?}");
        let m = l.iter().rev().fold(0u128, |acc, &x| (acc << 64) | u128::from(x)) as i128;
        if b.is_negative() {
            -m
        } else {
            m
        }
    }

    fn samples() -> Vec<i128> {
        let mut v = vec![0, 1, -1, 2, -2, 3, i64::MAX.into(), i64::MIN.into(), u64::MAX.into(), -(u64::MAX as i128)];
        v.extend([1i128 << 64, -(1i128 << 64), (1i128 << 64) + 1, (1 << 100) + 12345, -(1 << 99) - 7]);
        let mut x = 0x9E37_79B9_7F4A_7C15u128;
        for _ in 0..30 {
            x = x.wrapping_mul(0x2545_F491_4F6C_DD1D).wrapping_add(1);
            v.push((x >> 66) as i128 * if x & 1 == 1 { -1 } else { 1 });
        }
        v
    }

    #[test]
    fn add_sub_mul_half_match_i128() {
        let s = samples();
        for &a in &s {
            for &b in &s {
                let (x, y) = (big(a), big(b));
                assert_eq!(value(&x.add(&y)), a + b, "{a} + {b}");
                assert_eq!(value(&x.sub(&y)), a - b, "{a} - {b}");
                if let Some(p) = a.checked_mul(b).filter(|p| p.unsigned_abs() < 1 << 127) {
                    assert_eq!(value(&x.mul(&y)), p, "{a} * {b}");
                }
            }
            assert_eq!(value(&big(a & !1).half()), (a & !1) / 2);
            for m in [1i128, 2, 7, u64::MAX.into(), (1 << 64) + 3, (1 << 100) - 1] {
                assert_eq!(value(&big(a).rem_euclid(&big(m))), a.rem_euclid(m), "{a} mod {m}");
            }
            assert_eq!(big(a).is_zero(), a == 0);
        }
    }

    #[test]
    fn zero_is_never_negative() {
        let z = big(5).sub(&big(5));
        assert!(z.is_zero() && !z.is_negative() && z.limbs().is_empty());
        assert!(!big(-3).mul(&Big::zero()).is_negative());
        assert_eq!(z, Big::zero());
    }

    /// Squares of (2**(64k) - 1) against the closed form 2**(128k) - 2**(64k+1) + 1, at sizes
    /// on both sides of the library's multiplication thresholds.
    #[test]
    fn large_products_match_a_closed_form() {
        for k in [1usize, 2, 31, 32, 33, 127, 128, 129, 640, 700, 6000, 6100, 20000] {
            let a = Big::from_limbs(true, &vec![u64::MAX; k]);
            let sq = a.mul(&a.clone());
            let mut expected = vec![0u64; 2 * k];
            expected[0] = 1;
            for limb in expected.iter_mut().skip(k + 1) {
                *limb = u64::MAX;
            }
            expected[k] = u64::MAX - 1;
            assert_eq!(sq.limbs(), expected.as_slice(), "k = {k}");
            assert!(!sq.is_negative());
            // A product of two different values of the same size: (2^(64k) - 1)(2^(64k) + 1).
            let mut plus = vec![0u64; k + 1];
            plus[0] = 1;
            plus[k] = 1;
            let prod = a.mul(&Big::from_limbs(false, &plus));
            // -(2^(128k) - 1): the magnitude is all ones.
            let all_ones = vec![u64::MAX; 2 * k];
            assert_eq!(prod.limbs(), all_ones.as_slice(), "k = {k}");
            assert!(prod.is_negative());
        }
    }

    #[test]
    fn scaled_floats_and_small_conversions() {
        assert_eq!(big(-(1 << 100)).to_f64_scaled(90), -1024.0);
        assert_eq!(big(3).to_f64_scaled(0), 3.0);
        assert_eq!(Big::zero().to_f64_scaled(5), 0.0);
        assert_eq!(big(-7).to_i64(), Some(-7));
        assert_eq!(big(1 << 70).to_i64(), None);
        assert_eq!(big(1 << 70).bit_length(), 71);
    }
}
