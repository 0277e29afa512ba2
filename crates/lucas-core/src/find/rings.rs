//! The rings Berlekamp–Massey runs on (pure Rust, no FFI): the module's word and big-integer
//! residue rings, each with what [`Units`] adds (recognising 0, inverting, or naming the
//! factor a non-unit shares with the modulus).
//!
//! * [`OddWord`]: Z/mZ for odd 1 < m < 2**64 in Montgomery form (`MontWord`), coefficients
//!   kept partly reduced and each dot product reduced once per discrepancy;
//! * [`TwoPower`]: Z/2^sZ for 1 <= s <= 64 on wrapping words, read modulo 2^s;
//! * [`BigResidues`]: Z/mZ for any m >= 2 on [`Big`] values in `0..m` (`BigMod`).

#![forbid(unsafe_code)]

use super::bm::Units;
use crate::bigint::Big;
use crate::jump::big_rings::BigMod;
use crate::jump::fiduccia::{Dot, MontWord};
use crate::modular::word::{inverse_mod_2_64, inverse_word, Montgomery, Polled, Wrapping};
use crate::terms::ladder::Ring;

/// The inverse of a modulo m (m > 1, 0 <= a < m), or gcd(a, m) when that is not 1.
pub fn inverse_big(a: &Big, m: &Big) -> Result<Big, Big> {
    let (mut r0, mut r1) = (m.clone(), a.clone());
    let (mut t0, mut t1) = (Big::zero(), Big::from_i64(1));
    while !r1.is_zero() {
        let (q, r) = r0.div_rem_floor(&r1);
        (r0, r1) = (r1, r);
        let t = t0.sub(&q.mul(&t1));
        (t0, t1) = (t1, t);
    }
    if r0 != Big::from_i64(1) {
        return Err(r0);
    }
    Ok(t0.rem_euclid(m))
}

/// Z/mZ for odd m > 1, elements in Montgomery form. For m < 2^63 the polynomials'
/// coefficients are kept in `0..2m` rather than `0..m` (one conditional correction per
/// update instead of two); discrepancies, factors and results are reduced into `0..m`.
pub struct OddWord<'p, X> {
    ring: Polled<'p, MontWord, X>,
    m: u64,
    mont: Montgomery,
    /// 2^128 mod m, the Montgomery form of 2^64.
    r2: u64,
}

impl<'p, X> OddWord<'p, X> {
    pub fn new(m: u64, poll: &'p mut dyn FnMut() -> Result<(), X>) -> Self {
        let mont = Montgomery::new(m);
        let r2 = mont.enter(mont.enter(1));
        OddWord { ring: Polled::new(MontWord::new(m), 1, poll), m, mont, r2 }
    }
    /// A residue (any u64) into the ring: REDC(x·2^128 mod m) = x·2^64 mod m. The product
    /// is below m·2^64 for every word x, so no division reduces x first.
    pub fn enter(&self, x: u64) -> u64 {
        self.mont.reduce(u128::from(x) * u128::from(self.r2))
    }
    /// An element (in `0..2m`) back to its residue in `0..m`.
    pub fn leave(&self, x: u64) -> u64 {
        self.ring.ring.leave(x)
    }
}

impl<X> Ring for OddWord<'_, X> {
    type E = u64;
    type Err = X;
    #[inline]
    fn mul(&mut self, a: &u64, b: &u64) -> Result<u64, X> {
        self.ring.mul(a, b)
    }
    #[inline]
    fn add(&mut self, a: &u64, b: &u64) -> Result<u64, X> {
        self.ring.add(a, b)
    }
    #[inline]
    fn sub(&mut self, a: &u64, b: &u64) -> Result<u64, X> {
        self.ring.sub(a, b)
    }
    fn small(&mut self, v: i64) -> Result<u64, X> {
        self.ring.small(v)
    }
    fn bit_done(&mut self) -> Result<(), X> {
        self.ring.bit_done()
    }
}

impl<X> Dot for OddWord<'_, X> {
    /// The products summed exactly, then one REDC: the Montgomery form of the dot product,
    /// in `0..m`. The elements may be below 2m: while len·m <= 2^62 the sum stays below
    /// m·2^64, REDC's bound, in a u128 (the common case for moduli below 2^32); otherwise
    /// the carries out of the u128 are counted (a 192-bit sum, no comparison per term) and
    /// folded in at the end.
    #[inline]
    fn dot(&mut self, a: &[u64], b: &[u64]) -> Result<u64, X> {
        let m = self.m;
        if u128::from(m) * (a.len() as u128) <= 1 << 62 {
            let sum = a.iter().zip(b).fold(0u128, |acc, (&x, &y)| acc + u128::from(x) * u128::from(y));
            return Ok(self.mont.reduce(sum));
        }
        let (mut acc, mut carries) = (0u128, 0u64);
        for (&x, &y) in a.iter().zip(b) {
            let (s, carry) = acc.overflowing_add(u128::from(x) * u128::from(y));
            acc = s;
            carries += u64::from(carry);
        }
        // sum = carries·2^128 + hi·2^64 + lo, and REDC divides by 2^64: the Montgomery form
        // is REDC((hi mod m)·2^64 + lo) + carries·2^64 mod m, that last term being the
        // Montgomery form of `carries` itself.
        let (lo, hi) = (acc as u64, (acc >> 64) as u64);
        let low = self.mont.reduce((u128::from(hi % m) << 64) | u128::from(lo));
        if carries == 0 {
            return Ok(low);
        }
        let high = self.mont.enter(carries);
        self.ring.add(&low, &high)
    }
}

impl<X> Units for OddWord<'_, X> {
    fn is_zero(&self, a: &u64) -> bool {
        *a == 0
    }
    fn invert(&mut self, a: &u64) -> Result<u64, Big> {
        match inverse_word(self.leave(*a), self.m) {
            Ok(inv) => Ok(self.enter(inv)),
            Err(g) => Err(Big::from_u64(g)),
        }
    }
    fn canonical(&self, a: u64) -> u64 {
        if a >= self.m {
            a - self.m
        } else {
            a
        }
    }

    /// Shoup's multiplication by the fixed factor (its residue f and ⌊f·2^64/m⌋): for any
    /// word b the quotient estimate q = ⌊b·⌊f·2^64/m⌋/2^64⌋ leaves t = b·f − q·m in 0..2m;
    /// a Montgomery form times a plain residue stays a Montgomery form. With c and t both
    /// in 0..2m, c − t plus 2m where it borrows is back in 0..2m: one masked addition, no
    /// branch on the data. Needs 2m < 2^64; larger m take the generic loop (canonical
    /// values).
    fn sub_multiple(&mut self, c: &mut [u64], f: &u64, b: &[u64]) -> Result<(), X> {
        let m = self.m;
        if m >= 1 << 63 {
            for (x, y) in c.iter_mut().zip(b) {
                let t = self.ring.mul(f, y)?;
                *x = self.ring.sub(x, &t)?;
            }
            return Ok(());
        }
        let two_m = 2 * m;
        let f = self.leave(*f);
        let shoup = ((u128::from(f) << 64) / u128::from(m)) as u64;
        for (x, &y) in c.iter_mut().zip(b) {
            let q = ((u128::from(y) * u128::from(shoup)) >> 64) as u64;
            let t = y.wrapping_mul(f).wrapping_sub(q.wrapping_mul(m));
            let (d, borrow) = x.overflowing_sub(t);
            *x = d.wrapping_add(two_m & u64::from(borrow).wrapping_neg());
        }
        Ok(())
    }
}

/// Z/2^sZ for 1 <= s <= 64: wrapping words (arithmetic modulo 2^64), read modulo 2^s.
pub struct TwoPower<'p, X> {
    ring: Polled<'p, Wrapping, X>,
    mask: u64,
}

impl<'p, X> TwoPower<'p, X> {
    pub fn new(bits: u32, poll: &'p mut dyn FnMut() -> Result<(), X>) -> Self {
        assert!((1..=64).contains(&bits));
        TwoPower { ring: Polled::new(Wrapping, 1, poll), mask: u64::MAX >> (64 - bits) }
    }
    /// An element as its residue in `0..2^s`.
    pub fn leave(&self, x: u64) -> u64 {
        x & self.mask
    }
}

impl<X> Ring for TwoPower<'_, X> {
    type E = u64;
    type Err = X;
    #[inline]
    fn mul(&mut self, a: &u64, b: &u64) -> Result<u64, X> {
        self.ring.mul(a, b)
    }
    #[inline]
    fn add(&mut self, a: &u64, b: &u64) -> Result<u64, X> {
        self.ring.add(a, b)
    }
    #[inline]
    fn sub(&mut self, a: &u64, b: &u64) -> Result<u64, X> {
        self.ring.sub(a, b)
    }
    fn small(&mut self, v: i64) -> Result<u64, X> {
        self.ring.small(v)
    }
    fn bit_done(&mut self) -> Result<(), X> {
        self.ring.bit_done()
    }
}

impl<X> Dot for TwoPower<'_, X> {
    #[inline]
    fn dot(&mut self, a: &[u64], b: &[u64]) -> Result<u64, X> {
        self.ring.dot(a, b)
    }
}

impl<X> Units for TwoPower<'_, X> {
    fn is_zero(&self, a: &u64) -> bool {
        a & self.mask == 0
    }
    fn invert(&mut self, a: &u64) -> Result<u64, Big> {
        if a % 2 == 1 {
            Ok(inverse_mod_2_64(*a)) // an inverse modulo 2^64 is one modulo 2^s
        } else {
            Err(Big::from_u64(1 << (a & self.mask).trailing_zeros()))
        }
    }
}

/// Z/mZ for m >= 2 on [`Big`] values in `0..m`.
pub struct BigResidues<'p, X> {
    ring: BigMod<'p, X>,
    m: Big,
}

impl<'p, X> BigResidues<'p, X> {
    pub fn new(m: Big, poll: &'p mut dyn FnMut() -> Result<(), X>) -> Self {
        BigResidues { ring: BigMod::new(m.clone(), poll), m }
    }
}

impl<X> Ring for BigResidues<'_, X> {
    type E = Big;
    type Err = X;
    fn mul(&mut self, a: &Big, b: &Big) -> Result<Big, X> {
        self.ring.mul(a, b)
    }
    fn add(&mut self, a: &Big, b: &Big) -> Result<Big, X> {
        self.ring.add(a, b)
    }
    fn sub(&mut self, a: &Big, b: &Big) -> Result<Big, X> {
        self.ring.sub(a, b)
    }
    fn small(&mut self, v: i64) -> Result<Big, X> {
        self.ring.small(v)
    }
    fn bit_done(&mut self) -> Result<(), X> {
        self.ring.bit_done()
    }
}

impl<X> Dot for BigResidues<'_, X> {
    fn dot(&mut self, a: &[Big], b: &[Big]) -> Result<Big, X> {
        self.ring.dot(a, b)
    }
}

impl<X> Units for BigResidues<'_, X> {
    fn is_zero(&self, a: &Big) -> bool {
        a.is_zero()
    }
    fn invert(&mut self, a: &Big) -> Result<Big, Big> {
        inverse_big(a, &self.m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never() -> Result<(), ()> {
        Ok(())
    }

    #[test]
    fn dot_and_correction_on_partly_reduced_values() {
        let mut next = crate::modular::limbs::tests::stream(0x9E37_79B9_7F4A_7C15);
        // Each side of every path: the u128 sum (len·m <= 2^62) and the counted carries,
        // the lazy correction (m < 2^63) and the canonical one.
        for m in [3u64, 1_000_000_007, (1 << 32) - 5, (1 << 62) - 57, (1 << 63) - 25, u64::MAX - 58] {
            let mut poll = never;
            let mut r = OddWord::new(m, &mut poll);
            let bound = if m < 1 << 63 { 2 * m } else { m };
            let m128 = u128::from(m);
            let plain = |r: &OddWord<()>, x: u64| u128::from(r.leave(x));
            for x in [0, 1, m - 1, m, m.wrapping_add(1), bound - 1, u64::MAX, next(), next()] {
                assert_eq!(r.leave(r.enter(x)), x % m, "m={m} x={x}");
            }
            for len in [0usize, 1, 2, 7, 64, 300] {
                // Values up to the top of 0..2m, where the carries and corrections happen.
                let pick = |v: u64| if v.is_multiple_of(3) { bound - 1 - v % 4 } else { v % bound };
                let a: Vec<u64> = (0..len).map(|_| pick(next())).collect();
                let b: Vec<u64> = (0..len).map(|_| pick(next())).collect();
                let expect = a.iter().zip(&b).fold(0u128, |acc, (&x, &y)| (acc + plain(&r, x) * plain(&r, y)) % m128);
                let got = r.dot(&a, &b).unwrap();
                assert!(got < m, "m={m} len={len}");
                assert_eq!(plain(&r, got), expect, "m={m} len={len}");

                let f = r.enter(next() % m);
                let mut c = a.clone();
                r.sub_multiple(&mut c, &f, &b).unwrap();
                for ((&after, &before), &y) in c.iter().zip(&a).zip(&b) {
                    assert!(after < bound, "m={m}");
                    let want = (plain(&r, before) + m128 - plain(&r, f) * plain(&r, y) % m128) % m128;
                    assert_eq!(plain(&r, after), want, "m={m}");
                    assert_eq!(u128::from(r.canonical(after)), u128::from(r.enter(want as u64)), "m={m}");
                }
            }
        }
    }

    #[test]
    fn inverses_and_shared_factors() {
        // Every a for small m; for large m a few, and consecutive Fibonacci numbers (the
        // longest Euclid runs for their size, up to F_92 and F_93 near 2^64).
        let (mut f0, mut f1) = (1u64, 2u64);
        let mut cases: Vec<(u64, u64)> = (2..=40).flat_map(|m| (0..m).map(move |a| (a, m))).collect();
        while let Some(f2) = f0.checked_add(f1) {
            cases.push((f1, f2));
            (f0, f1) = (f1, f2);
        }
        for m in [2u64, 3, 10, 97, 1 << 40, u64::MAX, u64::MAX - 58] {
            cases.extend([1u64, 2, 3, 5, 12, m - 1, m / 2 + 1].map(|a| (a % m, m)));
        }
        for (a, m) in cases {
            let expect_gcd = {
                let (mut x, mut y) = (a, m);
                while y != 0 {
                    (x, y) = (y, x % y);
                }
                x
            };
            match inverse_word(a, m) {
                Ok(inv) => {
                    assert_eq!(expect_gcd, 1);
                    assert!(inv < m, "a={a} m={m}");
                    assert_eq!(u128::from(a) * u128::from(inv) % u128::from(m), 1 % u128::from(m));
                }
                Err(g) => assert_eq!(g, expect_gcd, "a={a} m={m}"),
            }
            let (ab, mb) = (Big::from_u64(a), Big::from_u64(m));
            match (inverse_big(&ab, &mb), inverse_word(a, m)) {
                (Ok(x), Ok(y)) => assert_eq!(x, Big::from_u64(y)),
                (Err(x), Err(y)) => assert_eq!(x, Big::from_u64(y)),
                _ => panic!("word and big inverses disagree for a={a} m={m}"),
            }
        }
    }
}
