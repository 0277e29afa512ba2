//! Arithmetic modulo 2^(64·n), the power-of-two part of an even modulus beyond a word (pure
//! Rust, no FFI).
//!
//! Wrapping arithmetic on n limbs *is* arithmetic modulo 2^(64·n): a sum drops its carry, a
//! product keeps its low half. Reducing further modulo 2^s (s <= 64·n) at the end is a mask
//! and a ring homomorphism, so the ladders run here unchanged; [`super::word::Wrapping`] is
//! the one-word case. Halving is impossible modulo 2^s, so only the ladders without it apply.

#![forbid(unsafe_code)]

use super::limbs::{add_into, mullo_into, padded, sub_into};
use crate::bigint::limbs as backend;
use crate::terms::ladder::Ring;
use std::convert::Infallible;

/// From this many limbs on, [`Pow2Vec`] multiplies with the backend's product (and keeps
/// its low half).
pub const PRODUCT_MIN: usize = 128;

/// Z/2^(64·N)Z, elements `[u64; N]`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Pow2N<const N: usize>;

impl<const N: usize> Pow2N<N> {
    /// x's low N limbs.
    pub fn enter(&self, x: &[u64]) -> [u64; N] {
        let mut out = [0u64; N];
        let len = x.len().min(N);
        out[..len].copy_from_slice(&x[..len]);
        out
    }
}

/// v as an element of Z/2^(64·len)Z: its two's complement, sign-extended.
fn small_limbs(v: i64, out: &mut [u64]) {
    out.fill(if v < 0 { u64::MAX } else { 0 });
    out[0] = v as u64;
}

impl<const N: usize> Ring for Pow2N<N> {
    type E = [u64; N];
    type Err = Infallible;
    #[inline(always)]
    fn mul(&mut self, a: &[u64; N], b: &[u64; N]) -> Result<[u64; N], Infallible> {
        let mut t = [0u64; N];
        mullo_into(&mut t, a, b);
        Ok(t)
    }
    #[inline(always)]
    fn add(&mut self, a: &[u64; N], b: &[u64; N]) -> Result<[u64; N], Infallible> {
        let mut t = [0u64; N];
        add_into(&mut t, a, b);
        Ok(t)
    }
    #[inline(always)]
    fn sub(&mut self, a: &[u64; N], b: &[u64; N]) -> Result<[u64; N], Infallible> {
        let mut t = [0u64; N];
        sub_into(&mut t, a, b);
        Ok(t)
    }
    fn small(&mut self, v: i64) -> Result<[u64; N], Infallible> {
        let mut t = [0u64; N];
        small_limbs(v, &mut t);
        Ok(t)
    }
    #[inline(always)]
    fn mul_small(&mut self, a: &[u64; N], v: i64) -> Result<[u64; N], Infallible> {
        let mut t = [0u64; N];
        times_word(&mut t, a, v);
        Ok(t)
    }
}

/// out = a·v mod 2^(64·len) for a small integer v (two's complement when negative).
#[inline(always)]
fn times_word(out: &mut [u64], a: &[u64], v: i64) {
    let w = v.unsigned_abs();
    let mut carry = 0;
    for (o, &x) in out.iter_mut().zip(a) {
        (*o, carry) = super::limbs::mac(0, x, w, carry);
    }
    if v < 0 {
        // −x = !x + 1
        let mut c = true;
        for o in out.iter_mut() {
            (*o, c) = super::limbs::adc(!*o, 0, c);
        }
    }
}

/// Z/2^(64·n)Z for any n >= 1, elements n-limb vectors.
#[derive(Clone, Debug)]
pub struct Pow2Vec {
    n: usize,
    /// 2n limbs for a full product above [`PRODUCT_MIN`].
    scratch: Vec<u64>,
}

impl Pow2Vec {
    pub fn new(n: usize) -> Pow2Vec {
        assert!(n >= 1);
        Pow2Vec { n, scratch: Vec::new() }
    }

    /// The number of limbs of an element.
    pub fn limbs(&self) -> usize {
        self.n
    }

    /// x's low n limbs.
    pub fn enter(&self, x: &[u64]) -> Vec<u64> {
        let len = x.len().min(self.n);
        padded(&x[..len], self.n)
    }
}

impl Ring for Pow2Vec {
    type E = Vec<u64>;
    type Err = Infallible;
    fn mul(&mut self, a: &Vec<u64>, b: &Vec<u64>) -> Result<Vec<u64>, Infallible> {
        let n = self.n;
        let mut out = vec![0u64; n];
        if n < PRODUCT_MIN {
            mullo_into(&mut out, a, b);
        } else {
            self.scratch.resize(2 * n, 0);
            if std::ptr::eq(a, b) {
                backend::sqr(&mut self.scratch, a);
            } else {
                backend::mul(&mut self.scratch, a, b);
            }
            out.copy_from_slice(&self.scratch[..n]);
        }
        Ok(out)
    }
    fn add(&mut self, a: &Vec<u64>, b: &Vec<u64>) -> Result<Vec<u64>, Infallible> {
        let mut out = vec![0u64; self.n];
        add_into(&mut out, a, b);
        Ok(out)
    }
    fn sub(&mut self, a: &Vec<u64>, b: &Vec<u64>) -> Result<Vec<u64>, Infallible> {
        let mut out = vec![0u64; self.n];
        sub_into(&mut out, a, b);
        Ok(out)
    }
    fn small(&mut self, v: i64) -> Result<Vec<u64>, Infallible> {
        let mut out = vec![0u64; self.n];
        small_limbs(v, &mut out);
        Ok(out)
    }
    fn mul_small(&mut self, a: &Vec<u64>, v: i64) -> Result<Vec<u64>, Infallible> {
        let mut out = vec![0u64; self.n];
        times_word(&mut out, a, v);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modular::limbs::mul_into;

    fn unwrap<T>(r: Result<T, Infallible>) -> T {
        match r {
            Ok(v) => v,
            Err(e) => match e {},
        }
    }

    #[test]
    fn wrapping_limbs_against_u128_and_full_products() {
        let mut r = Pow2N::<2>;
        let vals = [0u128, 1, 2, u128::MAX, 1 << 64, (1 << 64) - 1, 0x1234_5678_9ABC_DEF0_1357_9BDF_2468_ACE0];
        let arr = |v: u128| [v as u64, (v >> 64) as u64];
        for &a in &vals {
            for &b in &vals {
                assert_eq!(unwrap(r.mul(&arr(a), &arr(b))), arr(a.wrapping_mul(b)));
                assert_eq!(unwrap(r.add(&arr(a), &arr(b))), arr(a.wrapping_add(b)));
                assert_eq!(unwrap(r.sub(&arr(a), &arr(b))), arr(a.wrapping_sub(b)));
            }
        }
        assert_eq!(unwrap(r.small(-5)), arr((-5i128) as u128));
        for n in [1usize, 3, PRODUCT_MIN, PRODUCT_MIN + 5] {
            let mut v = Pow2Vec::new(n);
            let a: Vec<u64> = (0..n as u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1).collect();
            let b: Vec<u64> = (0..n as u64).map(|i| !i).collect();
            let mut full = vec![0; 2 * n];
            mul_into(&mut full, &a, &b);
            assert_eq!(unwrap(v.mul(&a, &b)), full[..n], "n={n}");
            mul_into(&mut full, &a, &a);
            assert_eq!(unwrap(v.mul(&a, &a)), full[..n], "n={n} square");
        }
    }
}
