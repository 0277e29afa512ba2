//! Arithmetic modulo m = 2^k − c for a small c (pure Rust, no FFI): Mersenne numbers and
//! their neighbours, the moduli probable-prime searches test most.
//!
//! Since 2^k ≡ c (mod m), a product t = h·2^k + l (l < 2^k) is congruent to h·c + l, which
//! is about k bits: a reduction is a shift, a multiplication by one word and an addition,
//! linear in the size, where Montgomery's REDC costs as much as a product. Elements are
//! plain residues in 0..m, n = ⌈k/64⌉ limbs.

#![forbid(unsafe_code)]

use super::limbs::{
    add_in_place, add_into, bit_length, cmp, cmp_same, is_zero, mac, mul_into, shr_in_place_with, sqr_into,
    sub_in_place, sub_into, trimmed,
};
use super::mont::{PRODUCT_MIN, SQUARE_MIN};
use crate::bigint::limbs as backend;
use crate::terms::ladder::{Halve, Ring};
use std::cmp::Ordering;
use std::convert::Infallible;

/// The largest c taken: three folds at most bring a product below 2m.
pub const MAX_C: u64 = 1 << 32;

/// Z/mZ for m = 2^k − c, 1 <= c < [`MAX_C`], m odd and of two limbs at least.
#[derive(Clone, Debug)]
pub struct PseudoMersenne {
    m: Vec<u64>,
    k: u64,
    c: u64,
    /// 2n + 1 limbs for a product and its folds, and n + 2 for the high part.
    wide: Vec<u64>,
    high: Vec<u64>,
}

impl PseudoMersenne {
    /// Some((k, c)) when m = 2^k − c with 1 <= c < [`MAX_C`].
    pub fn form(m: &[u64]) -> Option<(u64, u64)> {
        let m = trimmed(m);
        let k = bit_length(m);
        // 2^k − m, which is below 2^64 exactly when m's limbs above the lowest are all ones
        // up to bit k.
        let n = m.len();
        let top_ones = if k.is_multiple_of(64) { u64::MAX } else { (1u64 << (k % 64)) - 1 };
        if n < 2 || m[n - 1] != top_ones || m[1..n - 1].iter().any(|&l| l != u64::MAX) {
            return None;
        }
        let c = m[0].wrapping_neg();
        (c != 0 && c < MAX_C).then_some((k, c))
    }

    /// The ring for an odd m of the form 2^k − c (see [`PseudoMersenne::form`]).
    pub fn new(m: &[u64]) -> PseudoMersenne {
        let (k, c) = Self::form(m).expect("m = 2^k - c with a small c");
        let m = trimmed(m).to_vec();
        assert!(m[0] % 2 == 1, "an odd modulus");
        let n = m.len();
        PseudoMersenne { m, k, c, wide: vec![0; 2 * n + 1], high: vec![0; n + 2] }
    }

    pub fn limbs(&self) -> usize {
        self.m.len()
    }

    /// x (below m) as an element: the residue itself.
    pub fn enter(&self, x: &[u64]) -> Vec<u64> {
        super::limbs::padded(x, self.limbs())
    }

    /// t (the first `len` limbs of `self.wide`, below m², every limb above zero) reduced
    /// into `out`: t = high·2^k + low becomes high·c + low until high is zero.
    fn fold(&mut self, mut len: usize, out: &mut [u64]) {
        let n = self.limbs();
        let (kw, kb) = ((self.k / 64) as usize, (self.k % 64) as u32);
        while len > kw {
            let hlen = len - kw;
            let high = &mut self.high[..hlen + 1];
            high[..hlen].copy_from_slice(&self.wide[kw..len]);
            shr_in_place_with(&mut high[..hlen], kb, 0);
            if is_zero(&high[..hlen]) {
                break;
            }
            // low = t mod 2^k; every limb from kw + 1 to len is cleared.
            let t = &mut self.wide[..len];
            t[kw] &= if kb == 0 { 0 } else { (1u64 << kb) - 1 };
            t[kw + 1..].fill(0);
            // high·c has hlen + 1 limbs; low + high·c one more at most.
            let mut carry = 0;
            for l in high[..hlen].iter_mut() {
                (*l, carry) = mac(0, *l, self.c, carry);
            }
            high[hlen] = carry;
            let new_len = (kw + 1).max(hlen + 1) + 1;
            if new_len > len {
                self.wide[len..new_len].fill(0);
            }
            add_in_place(&mut self.wide[..new_len], &self.high[..hlen + 1]);
            len = trimmed(&self.wide[..new_len]).len();
        }
        // Below 2^k + c·(c + 1) < 2m now: one subtraction at most (the loop is for clarity).
        let t = &mut self.wide[..len.max(n)];
        while cmp(t, &self.m) != Ordering::Less {
            sub_in_place(t, &self.m);
        }
        out.copy_from_slice(&t[..n]);
    }

    /// out = a·b mod m (a square when a and b are the same slice).
    pub fn mul_into(&mut self, out: &mut [u64], a: &[u64], b: &[u64]) {
        let n = self.limbs();
        let square = std::ptr::eq(a, b);
        self.wide[2 * n] = 0;
        let t = &mut self.wide[..2 * n];
        // The same thresholds as Montgomery's products (the products are the same).
        match square {
            true if n < SQUARE_MIN => sqr_into(t, a),
            true => backend::sqr(t, a),
            false if n < PRODUCT_MIN => mul_into(t, a, b),
            false => backend::mul(t, a, b),
        }
        self.fold(2 * n, out);
    }

    pub fn add_into(&self, out: &mut [u64], a: &[u64], b: &[u64]) {
        let carry = add_into(out, a, b);
        if carry || cmp_same(out, &self.m) != Ordering::Less {
            sub_in_place(out, &self.m);
        }
    }

    pub fn sub_into(&self, out: &mut [u64], a: &[u64], b: &[u64]) {
        if sub_into(out, a, b) {
            add_in_place(out, &self.m);
        }
    }

    pub fn half_into(&self, out: &mut [u64], a: &[u64]) {
        let carry = if a[0] & 1 == 1 {
            add_into(out, a, &self.m)
        } else {
            out.copy_from_slice(a);
            false
        };
        shr_in_place_with(out, 1, u64::from(carry));
    }
}

impl Ring for PseudoMersenne {
    type E = Vec<u64>;
    type Err = Infallible;
    fn mul(&mut self, a: &Vec<u64>, b: &Vec<u64>) -> Result<Vec<u64>, Infallible> {
        let mut out = vec![0; self.limbs()];
        let b: &[u64] = if std::ptr::eq(a, b) { a } else { b };
        self.mul_into(&mut out, a, b);
        Ok(out)
    }
    fn add(&mut self, a: &Vec<u64>, b: &Vec<u64>) -> Result<Vec<u64>, Infallible> {
        let mut out = vec![0; self.limbs()];
        self.add_into(&mut out, a, b);
        Ok(out)
    }
    fn sub(&mut self, a: &Vec<u64>, b: &Vec<u64>) -> Result<Vec<u64>, Infallible> {
        let mut out = vec![0; self.limbs()];
        self.sub_into(&mut out, a, b);
        Ok(out)
    }
    fn small(&mut self, v: i64) -> Result<Vec<u64>, Infallible> {
        let x = self.enter(&[v.unsigned_abs()]);
        if v >= 0 {
            return Ok(x);
        }
        let zero = vec![0; self.limbs()];
        self.sub(&zero, &x)
    }
    fn mul_small(&mut self, a: &Vec<u64>, v: i64) -> Result<Vec<u64>, Infallible> {
        let n = self.limbs();
        self.wide.fill(0);
        super::limbs::mul_word_into(&mut self.wide[..n + 1], a, v.unsigned_abs());
        let mut out = vec![0; n];
        self.fold(n + 1, &mut out);
        if v < 0 {
            let zero = vec![0; n];
            return self.sub(&zero, &out);
        }
        Ok(out)
    }
}

impl Halve for PseudoMersenne {
    fn half(&mut self, a: &Vec<u64>) -> Result<Vec<u64>, Infallible> {
        let mut out = vec![0; self.limbs()];
        self.half_into(&mut out, a);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modular::limbs::Divisor;

    fn unwrap<T>(r: Result<T, Infallible>) -> T {
        match r {
            Ok(v) => v,
            Err(e) => match e {},
        }
    }

    /// 2^k − c as limbs.
    fn modulus(k: u64, c: u64) -> Vec<u64> {
        let n = k.div_ceil(64) as usize;
        let mut m = vec![u64::MAX; n];
        if !k.is_multiple_of(64) {
            m[n - 1] = (1 << (k % 64)) - 1;
        }
        sub_in_place(&mut m, &[c - 1]);
        m
    }

    #[test]
    fn form_is_recognised_exactly() {
        assert_eq!(PseudoMersenne::form(&modulus(127, 1)), Some((127, 1)));
        assert_eq!(PseudoMersenne::form(&modulus(128, 159)), Some((128, 159)));
        assert_eq!(PseudoMersenne::form(&modulus(4423, 1)), Some((4423, 1)));
        assert_eq!(PseudoMersenne::form(&modulus(200, MAX_C - 1)), Some((200, MAX_C - 1)));
        assert_eq!(PseudoMersenne::form(&[u64::MAX]), None); // one limb: the word rings' business
        assert_eq!(PseudoMersenne::form(&[5, 1]), None); // 2^64 + 5
        assert_eq!(PseudoMersenne::form(&[u64::MAX, u64::MAX - 1, 0xFF]), None);
        assert_eq!(PseudoMersenne::form(&modulus(200, MAX_C + 1)), None);
    }

    #[test]
    fn products_against_the_divisor() {
        let mut s = 0x2545_F491_4F6C_DD1Du64;
        let mut rnd = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for (k, c) in
            [(65, 1), (127, 1), (128, 159), (129, 3), (191, 19), (521, 1), (2203, 1), (4423, 1), (130, MAX_C - 5)]
        {
            let m = modulus(k, c);
            let d = Divisor::new(&m);
            let mut r = PseudoMersenne::new(&m);
            let n = m.len();
            let mut m1 = m.clone();
            m1[0] -= 1;
            let mut vals = vec![vec![0; n], super::super::limbs::padded(&[1], n), m1];
            for _ in 0..5 {
                vals.push(d.rem(&(0..n).map(|_| rnd()).collect::<Vec<_>>()));
            }
            for a in &vals {
                let mut p = vec![0; 2 * n];
                mul_into(&mut p, a, a);
                assert_eq!(unwrap(r.mul(a, a)), d.rem(&p), "square k={k} c={c}");
                let h = unwrap(r.half(a));
                assert_eq!(unwrap(r.add(&h, &h)), *a);
                for b in &vals {
                    mul_into(&mut p, a, b);
                    assert_eq!(unwrap(r.mul(a, b)), d.rem(&p), "product k={k} c={c}");
                    let diff = unwrap(r.sub(a, b));
                    assert_eq!(unwrap(r.add(&diff, b)), *a);
                }
            }
        }
    }
}
