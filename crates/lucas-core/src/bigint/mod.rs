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
//! operands. docs/algorithms/exact-terms.md says why this crate; bench/NOTES.md what it costs.

#![forbid(unsafe_code)]

pub mod limbs;

use puremp::nat::Nat;
use std::cmp::Ordering;

/// The smaller operand's size, in limbs, from which [`Big::mul_polled`] multiplies by
/// polled transforms: below it one product of the backend is short next to the interruption
/// bound (`make bench`, the Cooperation table of bench/RESULTS.md).
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

// What the search for recurrences (`find/`) needs besides the ladders' operations: division
// with remainder, gcd, order and factoring.
impl Big {
    /// The integer for a u64.
    pub fn from_u64(v: u64) -> Big {
        Big::new(false, Nat::from_u64(v))
    }

    /// The value as a u64, if it fits (0 <= self < 2**64).
    pub fn to_u64(&self) -> Option<u64> {
        if self.negative {
            return None;
        }
        self.magnitude.to_u64()
    }

    /// Compares the magnitudes |self| and |other|.
    pub fn cmp_abs(&self, other: &Big) -> Ordering {
        self.magnitude.cmp(&other.magnitude)
    }

    /// `-self`.
    pub fn neg(&self) -> Big {
        Big::new(!self.negative, self.magnitude.clone())
    }

    /// Floor division and remainder by m > 0, as Python's `divmod`: the remainder is in `0..m`.
    pub fn div_rem_floor(&self, m: &Big) -> (Big, Big) {
        debug_assert!(!m.negative && !m.is_zero(), "a positive divisor");
        let (q, r) = self.magnitude.div_rem(&m.magnitude).expect("m > 0");
        if self.negative && !r.is_zero() {
            let q = Big::new(true, q.add(&Nat::one()));
            (q, Big::new(false, m.magnitude.checked_sub(&r).expect("r < m")))
        } else {
            (Big::new(self.negative, q), Big::new(false, r))
        }
    }

    /// The greatest common divisor of |self| and |other| (gcd(0, 0) = 0).
    pub fn gcd(&self, other: &Big) -> Big {
        Big::new(false, self.magnitude.gcd(&other.magnitude))
    }

    /// The prime factors of |self| > 1 with multiplicity, in increasing order (trial
    /// division, Pollard's rho, then heavier sieves). Meant for values below 2**64: there
    /// rho is quick and Baillie–PSW certifies the primes; larger values may take long.
    pub fn prime_factors(&self) -> Vec<Big> {
        self.magnitude.factorize().into_iter().map(|f| Big::new(false, f)).collect()
    }
}

impl Ord for Big {
    fn cmp(&self, other: &Big) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.magnitude.cmp(&other.magnitude),
            (true, true) => other.magnitude.cmp(&self.magnitude),
        }
    }
}

impl PartialOrd for Big {
    fn partial_cmp(&self, other: &Big) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

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

    pub fn from_i128(v: i128) -> Big {
        let m = v.unsigned_abs();
        Big::from_limbs(v < 0, &[m as u64, (m >> 64) as u64])
    }

    /// The value as an i128, if it fits.
    pub fn to_i128(&self) -> Option<i128> {
        let m = match self.limbs() {
            [] => 0,
            [lo] => u128::from(*lo),
            [lo, hi] => u128::from(*hi) << 64 | u128::from(*lo),
            _ => return None,
        };
        if self.negative {
            0i128.checked_sub_unsigned(m)
        } else {
            i128::try_from(m).ok()
        }
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
    #[inline]
    pub fn mul_polled<E>(&self, other: &Big, poll: &mut dyn FnMut() -> Result<(), E>) -> Result<Big, E> {
        let (a, b) = (self.limbs(), other.limbs());
        if a.len().min(b.len()) < POLLED_MUL_LIMBS || a.len() + b.len() > POLLED_MUL_MAX_LIMBS {
            return Ok(self.mul(other));
        }
        self.mul_by_transforms(other, poll)
    }
    // ANCHOR_END: mul_polled

    /// The polled route of [`Big::mul_polled`], kept out of line: inlined, the transforms'
    /// large stack frame would be set up for every product, the many small ones too.
    #[inline(never)]
    fn mul_by_transforms<E>(&self, other: &Big, poll: &mut dyn FnMut() -> Result<(), E>) -> Result<Big, E> {
        let limbs = crate::jump::ntt::mul_limbs(self.limbs(), other.limbs(), poll)?;
        Ok(Big::from_limbs(self.negative != other.negative, &limbs))
    }

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

    /// The inverse of `self` modulo m > 0, in `0..m`, if gcd(self, m) = 1 (extended Euclid).
    pub fn inverse_mod(&self, m: &Big) -> Option<Big> {
        debug_assert!(!m.negative && !m.is_zero(), "a positive modulus");
        // Invariant: r0 ≡ s0·self and r1 ≡ s1·self (mod m), with r0, r1 >= 0.
        let (mut r0, mut r1) = (m.magnitude.clone(), self.rem_euclid(m).magnitude);
        let (mut s0, mut s1) = (Big::zero(), Big::from_i64(1));
        while !r1.is_zero() {
            let (q, r) = r0.div_rem(&r1).expect("r1 > 0");
            let s = s0.sub(&Big::new(false, q).mul(&s1));
            (r0, r1, s0, s1) = (r1, r, s1, s);
        }
        r0.is_one().then(|| s0.rem_euclid(m))
    }

    /// `self^e mod m` for e >= 0 given as little-endian limbs, m > 0.
    pub fn pow_mod(&self, e: &[u64], m: &Big) -> Big {
        let base = self.rem_euclid(m).magnitude;
        Big::new(false, base.modpow(&Nat::from_limbs(e), &m.magnitude))
    }
}

/// An integer as the extension converts an argument, once: a machine word where it fits
/// (most arguments), a [`Big`] otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Integer {
    Small(i64),
    Big(Big),
}

impl Integer {
    /// The value as sign and magnitude, the magnitude borrowed (a small value's is written to
    /// `word`).
    pub fn signed<'a>(&'a self, word: &'a mut [u64; 1]) -> crate::modular::limbs::Signed<'a> {
        use crate::modular::limbs::Signed;
        match self {
            Integer::Small(v) => {
                word[0] = v.unsigned_abs();
                Signed { negative: *v < 0, magnitude: &word[..] }
            }
            Integer::Big(b) => Signed { negative: b.is_negative(), magnitude: b.limbs() },
        }
    }

    /// The value as a [`Big`].
    pub fn to_big(&self) -> Big {
        match self {
            Integer::Small(v) => Big::from_i64(*v),
            Integer::Big(b) => b.clone(),
        }
    }

    /// The value if it fits an i64.
    pub fn to_i64(&self) -> Option<i64> {
        match self {
            Integer::Small(v) => Some(*v),
            Integer::Big(b) => b.to_i64(),
        }
    }

    /// `self mod m` in `0..m`, for 1 <= m < 2**64.
    pub fn rem_word(&self, m: u64) -> u64 {
        match self {
            Integer::Small(v) => crate::modular::word::rem_i64(*v, m),
            Integer::Big(b) => {
                let r = b.rem_euclid(&Big::from_limbs(false, &[m]));
                r.limbs().first().copied().unwrap_or(0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(v: i128) -> Big {
        Big::from_i128(v)
    }

    fn value(b: &Big) -> i128 {
        let l = b.limbs();
        assert!(l.last() != Some(&0), "normalised: {l:?}");
        b.to_i128().expect("an i128")
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
    fn inverse_and_power_modulo_m_match_brute_force() {
        for m in [1i128, 2, 9, 10, 97, 1 << 20] {
            for a in [-25i128, -1, 0, 1, 2, 3, 12, 96, 1 << 70] {
                let inv = big(a).inverse_mod(&big(m));
                let brute = (0..m).find(|x| (a.rem_euclid(m) * x).rem_euclid(m) == 1 % m);
                assert_eq!(inv.as_ref().map(value), brute, "{a}^-1 mod {m}");
                let mut p = 1 % m;
                for e in 0u64..40 {
                    assert_eq!(value(&big(a).pow_mod(&[e], &big(m))), p, "{a}^{e} mod {m}");
                    p = (p * a.rem_euclid(m)).rem_euclid(m);
                }
            }
        }
        let m = (1i128 << 100) + 277;
        assert_eq!(value(&big(3).inverse_mod(&big(m)).unwrap().mul(&big(3)).rem_euclid(&big(m))), 1);
    }

    #[test]
    fn integer_reduces_modulo_a_word() {
        for v in [i64::MIN, -7, 0, 5, i64::MAX] {
            for m in [1u64, 2, 7, u64::MAX] {
                let want = i128::from(v).rem_euclid(i128::from(m)) as u64;
                assert_eq!(Integer::Small(v).rem_word(m), want);
                assert_eq!(Integer::Big(Big::from_i64(v)).rem_word(m), want);
            }
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

    #[test]
    fn division_gcd_and_order_match_i128() {
        let s = samples();
        for &a in &s {
            for m in [1i128, 2, 7, u64::MAX.into(), (1 << 64) + 3, (1 << 100) - 1] {
                let (q, r) = big(a).div_rem_floor(&big(m));
                assert_eq!((value(&q), value(&r)), (a.div_euclid(m), a.rem_euclid(m)), "{a} divmod {m}");
            }
            for &b in &s {
                assert_eq!(big(a).cmp(&big(b)), a.cmp(&b), "{a} <=> {b}");
                assert_eq!(big(a).cmp_abs(&big(b)), a.unsigned_abs().cmp(&b.unsigned_abs()));
                let (mut x, mut y) = (a.unsigned_abs(), b.unsigned_abs());
                while y != 0 {
                    (x, y) = (y, x % y);
                }
                assert_eq!(value(&big(a).gcd(&big(b))), x as i128, "gcd({a}, {b})");
            }
            assert_eq!(value(&big(a).neg()), -a);
        }
        assert_eq!(Big::from_u64(u64::MAX).to_u64(), Some(u64::MAX));
        assert_eq!(big(-1).to_u64(), None);
        let factors: Vec<i128> = big(2 * 2 * 3 * 1_000_003).prime_factors().iter().map(value).collect();
        assert_eq!(factors, [2, 2, 3, 1_000_003]);
    }
}
