//! Jump-ahead for any linear recurrence: x^n modulo the characteristic polynomial
//! (Fiduccia 1985), pure Rust, no FFI.
//!
//! For x_{t+k} = c_0·x_t + ... + c_{k-1}·x_{t+k-1} the characteristic polynomial is
//! P(x) = x^k − c_{k-1}·x^{k-1} − ... − c_0. Shifting the sequence by one is multiplying by x
//! modulo P, so if x^n ≡ r_0 + r_1·x + ... + r_{k-1}·x^{k-1} (mod P) then
//! x_{n+j} = r_0·x_j + ... + r_{k-1}·x_{j+k-1} for every j. x^n mod P takes one squaring
//! and one reduction per bit of n (and a multiplication by x, which is a shift, for a one
//! bit): O(k² log n) ring operations with schoolbook products, O(M(k) log n) with a
//! sub-quadratic product M: Karatsuba from [`Dot::FAST_MIN`] on, and for word moduli
//! number-theoretic transforms ([`ntt`], O(k log k)) from [`NTT_MIN`] on.
//!
//! Everything is generic over [`ladder::Ring`](crate::terms::ladder::Ring) extended by [`Dot`]
//! (a sum of products, which word rings compute with one reduction instead of k), so the
//! same code serves residues modulo a word ([`jump_mod`]), checked `i64`, and Python ints
//! (with or without a modulus, in the extension's `nth_term`); a native big-integer ring can take the
//! Python ints' place without touching this file.
//!
//! Negative n: running the recurrence backwards is another recurrence of order k (see
//! [`reversed`]), defined when c_0 is invertible.

#![forbid(unsafe_code)]

use crate::jump::ntt::{self, Fold, Ntt, ToMontgomery, ToWrapping};
use crate::modular::word::{crt, infallible, LazyMontgomery, Montgomery, Polled, Wrapping};
use crate::terms::ladder::{bits_below_top, lucas_uv_halving, CheckedI64, Halve, Ring};
use std::convert::Infallible;

/// Karatsuba recursion stops below this length (schoolbook is faster there).
const KARATSUBA_BASE: usize = 24;

/// A ring with a sum of products. The default is k products and k sums; word rings
/// override it to reduce once.
pub trait Dot: Ring {
    /// From this order on, products use Karatsuba and the reduction modulo P uses a
    /// precomputed reciprocal (two more products) instead of the schoolbook table. Where
    /// it pays off depends on the ring (bench/NOTES.md, "Jump-ahead").
    const FAST_MIN: usize = 128;

    fn dot(&mut self, a: &[Self::E], b: &[Self::E]) -> Result<Self::E, Self::Err> {
        let mut acc: Option<Self::E> = None;
        for (x, y) in a.iter().zip(b) {
            let p = self.mul(x, y)?;
            acc = Some(match acc {
                None => p,
                Some(s) => self.add(&s, &p)?,
            });
        }
        match acc {
            Some(s) => Ok(s),
            None => self.small(0),
        }
    }

    /// x^n mod P for order k >= 3 by a ring's own faster route, if it has one for this
    /// order (n >= 1); `None` runs the generic code.
    fn x_pow_fast(&mut self, _c: &[Self::E], _n: &[u64]) -> Result<Option<Vec<Self::E>>, Self::Err> {
        Ok(None)
    }

    /// x^n mod x² − c_1·x − c_0 by a ring's own faster route, if it has one (n >= 1).
    fn order2(&mut self, _c: [&Self::E; 2], _n: &[u64]) -> Result<Option<[Self::E; 2]>, Self::Err> {
        Ok(None)
    }
}

impl Dot for CheckedI64 {}

/// Z/mZ for odd m > 1 in Montgomery form, with a lazily reduced dot product.
#[derive(Clone, Debug)]
pub struct MontWord {
    m: u64,
    mont: Montgomery,
    /// m·2^64: the sum of products is kept below it, the bound REDC needs.
    bound: u128,
}

impl MontWord {
    pub fn new(m: u64) -> MontWord {
        MontWord { m, mont: Montgomery::new(m), bound: u128::from(m) << 64 }
    }
    pub fn enter(&self, x: u64) -> u64 {
        self.mont.enter(x)
    }
    pub fn leave(&self, x: u64) -> u64 {
        self.mont.leave(x)
    }
}

impl Ring for MontWord {
    type E = u64;
    type Err = Infallible;
    #[inline]
    fn mul(&mut self, a: &u64, b: &u64) -> Result<u64, Infallible> {
        self.mont.mul(a, b)
    }
    #[inline]
    fn add(&mut self, a: &u64, b: &u64) -> Result<u64, Infallible> {
        self.mont.add(a, b)
    }
    #[inline]
    fn sub(&mut self, a: &u64, b: &u64) -> Result<u64, Infallible> {
        self.mont.sub(a, b)
    }
    fn small(&mut self, v: i64) -> Result<u64, Infallible> {
        self.mont.small(v)
    }
}

impl Dot for MontWord {
    /// Products of Montgomery forms (each below m²) summed in a u128 kept below m·2^64,
    /// then one REDC: sum(a_i·b_i)·2^64 mod m, the Montgomery form of the dot product.
    #[inline]
    fn dot(&mut self, a: &[u64], b: &[u64]) -> Result<u64, Infallible> {
        let mut acc: u128 = 0;
        for (&x, &y) in a.iter().zip(b) {
            let (s, carry) = acc.overflowing_add(u128::from(x) * u128::from(y));
            // acc < m·2^64 and the product < m² < m·2^64: one subtraction brings the sum
            // back below the bound, and wrapping undoes a carry out of 128 bits.
            // Branch-free: how often the bound is crossed depends on the data.
            let over = u128::from(carry | (s >= self.bound));
            acc = s.wrapping_sub(self.bound & over.wrapping_neg());
        }
        Ok(self.mont.reduce(acc))
    }
}

impl Halve for MontWord {
    #[inline]
    fn half(&mut self, a: &u64) -> Result<u64, Infallible> {
        self.mont.half(a)
    }
}

impl Dot for Wrapping {
    #[inline]
    fn dot(&mut self, a: &[u64], b: &[u64]) -> Result<u64, Infallible> {
        Ok(a.iter().zip(b).fold(0u64, |s, (&x, &y)| s.wrapping_add(x.wrapping_mul(y))))
    }
}

impl<E> Dot for Polled<'_, Wrapping, E> {
    const FAST_MIN: usize = WORD_FAST_MIN;
    #[inline]
    fn dot(&mut self, a: &[u64], b: &[u64]) -> Result<u64, E> {
        Ok(infallible(self.ring.dot(a, b)))
    }

    fn x_pow_fast(&mut self, c: &[u64], n: &[u64]) -> Result<Option<Vec<u64>>, E> {
        if !ntt_applies(c.len()) {
            return Ok(None);
        }
        x_pow_ntt(self, &ToWrapping, c, n).map(Some)
    }
}

/// How many bits of n a word jump runs between two polls (each bit costs O(k²) products).
const JUMP_POLL_BITS: u32 = 64;

/// [`Dot::FAST_MIN`] for word rings: their lazily reduced schoolbook dot products are so
/// cheap that Karatsuba's extra additions and allocations only pay off for large k (and
/// from [`NTT_MIN`] on, transforms take over before Karatsuba would).
pub const WORD_FAST_MIN: usize = 256;

/// From this order on, word rings square and reduce by number-theoretic transforms
/// (`x_pow_ntt`); below it the schoolbook table is faster (bench/NOTES.md, "Jump-ahead").
pub const NTT_MIN: usize = 96;

/// Whether a word ring of order k takes the transform route: from [`NTT_MIN`] on, while the
/// products still fit the largest transform.
fn ntt_applies(k: usize) -> bool {
    (NTT_MIN..=ntt::MAX_SIZE / 2).contains(&k)
}

impl<E> Dot for Polled<'_, MontWord, E> {
    const FAST_MIN: usize = WORD_FAST_MIN;
    #[inline]
    fn dot(&mut self, a: &[u64], b: &[u64]) -> Result<u64, E> {
        Ok(infallible(self.ring.dot(a, b)))
    }

    fn x_pow_fast(&mut self, c: &[u64], n: &[u64]) -> Result<Option<Vec<u64>>, E> {
        if !ntt_applies(c.len()) {
            return Ok(None);
        }
        let fold = ToMontgomery::new(self.ring.m);
        x_pow_ntt(self, &fold, c, n).map(Some)
    }

    /// Order 2 by the (U, V) halving ladder: [`order2_by_halving`]. Below 2^62 the ladder
    /// runs in the partly reduced form of the same Montgomery representation, as `lucas_u`
    /// does: the coefficients are valid representatives there as they are, and the result
    /// comes back fully reduced.
    fn order2(&mut self, c: [&u64; 2], n: &[u64]) -> Result<Option<[u64; 2]>, E> {
        if self.ring.m > LazyMontgomery::MAX_M {
            let mut full = self.on(self.ring.mont, JUMP_POLL_BITS);
            return order2_by_halving(&mut full, c, n).map(Some);
        }
        let mut lazy = self.on(LazyMontgomery::of(self.ring.mont), JUMP_POLL_BITS);
        let x = order2_by_halving(&mut lazy, c, n)?;
        Ok(Some(x.map(|e| lazy.ring.canonical(e))))
    }
}

/// x^n mod x² − c_1·x − c_0 (n >= 1) in a ring that halves (odd moduli): order 2 is a Lucas
/// sequence with P = c_1, Q = −c_0, x^n ≡ U_n·x − Q·U_{n−1} and V_n = P·U_n − 2Q·U_{n−1},
/// so x^n ≡ (V_n − P·U_n)/2 + U_n·x, and the (U, V) halving ladder of `lucas_u` gives both.
pub fn order2_by_halving<R: Halve>(r: &mut R, c: [&R::E; 2], n: &[u64]) -> Result<[R::E; 2], R::Err> {
    let zero = r.small(0)?;
    let q = r.sub(&zero, c[0])?;
    let (u, v) = lucas_uv_halving(r, c[1], &q, n)?;
    let pu = r.mul(c[1], &u)?;
    let twice = r.sub(&v, &pu)?;
    Ok([r.half(&twice)?, u])
}

/// `a + b` coefficient-wise (lengths may differ).
fn poly_add<R: Ring>(r: &mut R, a: &[R::E], b: &[R::E]) -> Result<Vec<R::E>, R::Err> {
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    let mut out = Vec::with_capacity(long.len());
    for (i, x) in long.iter().enumerate() {
        out.push(match short.get(i) {
            Some(y) => r.add(x, y)?,
            None => x.clone(),
        });
    }
    Ok(out)
}

/// `acc[offset..] += p`.
fn add_at<R: Ring>(r: &mut R, acc: &mut [R::E], offset: usize, p: &[R::E]) -> Result<(), R::Err> {
    for (slot, y) in acc[offset..].iter_mut().zip(p) {
        *slot = r.add(slot, y)?;
    }
    Ok(())
}

/// The full product a·b (length |a| + |b| − 1) by dot products against b reversed.
fn schoolbook<R: Dot>(r: &mut R, a: &[R::E], b: &[R::E]) -> Result<Vec<R::E>, R::Err> {
    let (la, lb) = (a.len(), b.len());
    let brev: Vec<R::E> = b.iter().rev().cloned().collect();
    let mut out = Vec::with_capacity(la + lb - 1);
    for s in 0..la + lb - 1 {
        // Terms a_i·b_{s−i} for lo <= i <= hi; b_{s−i} is brev[lb − 1 − s + i].
        let lo = s.saturating_sub(lb - 1);
        let hi = s.min(la - 1);
        let off = lb - 1 + lo - s;
        out.push(r.dot(&a[lo..=hi], &brev[off..off + hi + 1 - lo])?);
    }
    Ok(out)
}

/// a² by the schoolbook method, each cross product computed once and doubled.
fn schoolbook_square<R: Dot>(r: &mut R, a: &[R::E]) -> Result<Vec<R::E>, R::Err> {
    let n = a.len();
    let arev: Vec<R::E> = a.iter().rev().cloned().collect();
    let mut out = Vec::with_capacity(2 * n - 1);
    for s in 0..2 * n - 1 {
        // Pairs i < s − i: i from lo up to (excluding) (s + 1) / 2.
        let lo = s.saturating_sub(n - 1);
        let hi = s.div_ceil(2);
        let mut v = if lo < hi {
            let off = n - 1 + lo - s;
            let d = r.dot(&a[lo..hi], &arev[off..off + hi - lo])?;
            Some(r.add(&d, &d)?)
        } else {
            None
        };
        if s % 2 == 0 {
            let sq = r.mul(&a[s / 2], &a[s / 2])?;
            v = Some(match v {
                Some(d) => r.add(&d, &sq)?,
                None => sq,
            });
        }
        out.push(match v {
            Some(v) => v,
            None => r.small(0)?,
        });
    }
    Ok(out)
}

/// The full product a·b: schoolbook for short operands, Karatsuba above.
pub fn poly_mul<R: Dot>(r: &mut R, a: &[R::E], b: &[R::E]) -> Result<Vec<R::E>, R::Err> {
    if a.is_empty() || b.is_empty() {
        return Ok(Vec::new());
    }
    let (a, b) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    if b.len() < KARATSUBA_BASE {
        return if std::ptr::eq(a, b) { schoolbook_square(r, a) } else { schoolbook(r, a, b) };
    }
    // Each product of this size is a few Karatsuba levels of ring products, on big-integer
    // rings seconds for the largest k: Ctrl-C is noticed between them.
    r.bit_done()?;
    let zero = r.small(0)?;
    let mut out = vec![zero; a.len() + b.len() - 1];
    if b.len() <= a.len() / 2 {
        // Unbalanced: a in pieces of b's length.
        for (i, chunk) in a.chunks(b.len()).enumerate() {
            let p = poly_mul(r, chunk, b)?;
            add_at(r, &mut out, i * b.len(), &p)?;
        }
        return Ok(out);
    }
    // Karatsuba: with a = a0 + x^h·a1, b = b0 + x^h·b1,
    // a·b = a0·b0 + x^h·((a0 + a1)(b0 + b1) − a0·b0 − a1·b1) + x^2h·a1·b1.
    let h = a.len() / 2; // b is longer than h, so b1 is not empty
    let (a0, a1) = a.split_at(h);
    let (b0, b1) = b.split_at(h);
    let z0 = poly_mul(r, a0, b0)?;
    let z2 = poly_mul(r, a1, b1)?;
    let sa = poly_add(r, a0, a1)?;
    let z1 = if std::ptr::eq(a, b) {
        poly_mul(r, &sa, &sa)?
    } else {
        let sb = poly_add(r, b0, b1)?;
        poly_mul(r, &sa, &sb)?
    };
    let mut z1 = z1;
    for (i, v) in z0.iter().enumerate() {
        z1[i] = r.sub(&z1[i], v)?;
    }
    for (i, v) in z2.iter().enumerate() {
        z1[i] = r.sub(&z1[i], v)?;
    }
    add_at(r, &mut out, 0, &z0)?;
    add_at(r, &mut out, 2 * h, &z2)?;
    add_at(r, &mut out, h, &z1)?; // z1 fits: h + len(z1) <= len(a) + len(b) - 1
    Ok(out)
}

/// The first `len` coefficients of a·b.
fn poly_mul_low<R: Dot>(r: &mut R, a: &[R::E], b: &[R::E], len: usize) -> Result<Vec<R::E>, R::Err> {
    let (a, b) = (&a[..a.len().min(len)], &b[..b.len().min(len)]);
    if a.len().min(b.len()) >= KARATSUBA_BASE {
        let mut p = poly_mul(r, a, b)?;
        p.truncate(len);
        return Ok(p);
    }
    let brev: Vec<R::E> = b.iter().rev().cloned().collect();
    let mut out = Vec::with_capacity(len);
    for s in 0..len {
        let lo = s.saturating_sub(b.len() - 1);
        let hi = s.min(a.len() - 1);
        if lo > hi {
            out.push(r.small(0)?);
            continue;
        }
        let off = b.len() - 1 + lo - s;
        out.push(r.dot(&a[lo..=hi], &brev[off..off + hi + 1 - lo])?);
    }
    Ok(out)
}

/// Reduction modulo the characteristic polynomial of an order-k recurrence.
struct CharPoly<E> {
    /// x^k ≡ c_0 + c_1·x + ... + c_{k-1}·x^{k-1}.
    c: Vec<E>,
    how: Reduce<E>,
}

enum Reduce<E> {
    /// Small k: `cols[j][i]` is coefficient j of x^{k+i} mod P, so the reduced coefficient
    /// j of a is `a_j + dot(a_k.., cols[j])`.
    Table(Vec<Vec<E>>),
    /// Large k: the first k − 1 coefficients of 1/rev(P), rev(P)(y) = y^k·P(1/y), whose
    /// constant term is 1, so it exists in every ring. The quotient of a by P is then one
    /// short product away (the polynomial analogue of Barrett reduction).
    Reciprocal(Vec<E>),
}

impl<E: Clone> CharPoly<E> {
    fn new<R: Dot<E = E>>(r: &mut R, c: &[E]) -> Result<CharPoly<E>, R::Err> {
        let k = c.len();
        let how = if k < R::FAST_MIN {
            let mut cols: Vec<Vec<E>> = (0..k).map(|_| Vec::with_capacity(k - 1)).collect();
            let mut row = c.to_vec(); // x^k mod P
            for i in 0..k - 1 {
                for (j, v) in row.iter().enumerate() {
                    cols[j].push(v.clone());
                }
                if i + 2 < k {
                    row = times_x(r, c, &row)?;
                }
            }
            Reduce::Table(cols)
        } else {
            Reduce::Reciprocal(reciprocal(r, c)?)
        };
        Ok(CharPoly { c: c.to_vec(), how })
    }

    /// a mod P for a of length at most 2k − 1; the result has length k.
    fn reduce<R: Dot<E = E>>(&self, r: &mut R, mut a: Vec<E>) -> Result<Vec<E>, R::Err> {
        let k = self.c.len();
        if a.len() <= k {
            while a.len() < k {
                a.push(r.small(0)?);
            }
            return Ok(a);
        }
        let (lo, hi) = a.split_at(k);
        match &self.how {
            Reduce::Table(cols) => {
                let mut out = Vec::with_capacity(k);
                for (j, col) in cols.iter().enumerate() {
                    let d = r.dot(hi, col)?;
                    out.push(r.add(&lo[j], &d)?);
                }
                Ok(out)
            }
            Reduce::Reciprocal(s) => {
                // a = q·P + rem with deg q <= k − 2: rev(q) = rev(a)·S mod y^{k−1}, and
                // rem = a − q·P ≡ a_low + q·(c_0 + ... + c_{k−1}·x^{k−1}) mod x^k.
                let zero = r.small(0)?;
                let mut hrev: Vec<E> = hi.iter().rev().cloned().collect();
                while hrev.len() < k - 1 {
                    hrev.insert(0, zero.clone()); // a shorter than 2k − 1: top coefficients 0
                }
                let qrev = poly_mul_low(r, &hrev, s, k - 1)?;
                let q: Vec<E> = qrev.into_iter().rev().collect();
                let qc = poly_mul_low(r, &q, &self.c, k)?;
                let mut out = Vec::with_capacity(k);
                for (j, low) in lo.iter().enumerate() {
                    out.push(match qc.get(j) {
                        Some(v) => r.add(low, v)?,
                        None => low.clone(),
                    });
                }
                Ok(out)
            }
        }
    }
}

/// The first k − 1 coefficients S of 1/rev(P) (see [`Reduce::Reciprocal`]):
/// S_0 = 1, S_i = c_{k-1}·S_{i-1} + ... + c_{k-i}·S_0.
fn reciprocal<R: Dot>(r: &mut R, c: &[R::E]) -> Result<Vec<R::E>, R::Err> {
    let k = c.len();
    let mut s = vec![r.small(1)?];
    for i in 1..k - 1 {
        let v = r.dot(&c[k - i..], &s)?; // c_{k−i}·S_0 + ... + c_{k−1}·S_{i−1}
        s.push(v);
        r.bit_done()?; // O(k²) in all: Ctrl-C is noticed between the rows
    }
    Ok(s)
}

/// [`x_pow`] for word rings by transforms ([`ntt`]), k >= 2. Per bit of n:
/// * the square v² (length 2k − 1) by one forward and one inverse transform of size
///   N >= 2k − 1;
/// * the quotient q of v² by P (length k − 1): with h = the top k − 1 coefficients of v²,
///   q_j = Σ_{i>=j} h_i·S_{i−j}, the top k − 1 coefficients of h·rev(S); rev(S)'s
///   transform is computed once;
/// * the remainder v² − q·P = v²_low + (h − q)·x^k + q·c. It has degree below k, so it is
///   known from its value modulo x^M − 1 for any M >= k: q·c is needed only as a cyclic
///   product of size M (half of N when k is a power of two), c's transform computed once.
///
/// Between products everything is reduced into the ring (`fold`), because only residues
/// below 2^64 keep the transforms' coefficients below the primes' product.
fn x_pow_ntt<R: Dot<E = u64>, F: Fold>(r: &mut R, fold: &F, c: &[u64], n: &[u64]) -> Result<Vec<u64>, R::Err> {
    let k = c.len();
    let big = (2 * k - 1).next_power_of_two();
    let small = k.next_power_of_two();
    let tr = Ntt::new(big);
    let mut srev = reciprocal(r, c)?;
    srev.reverse();
    // The transforms poll between their pieces: with k in the millions one takes long.
    let s_hat = tr.forward(&srev, big, &mut || r.bit_done())?;
    let c_hat = tr.forward(c, small, &mut || r.bit_done())?;
    let bits = bits_below_top(n).expect("n >= 1");
    let mut v = vec![0u64; k];
    v[1] = r.small(1)?;
    for bit in bits {
        let mut sq = tr.forward(&v, big, &mut || r.bit_done())?;
        tr.square(&mut sq);
        let sq = tr.inverse(sq, 0..2 * k - 1, fold, &mut || r.bit_done())?;
        let (low, h) = sq.split_at(k);
        let mut hq = tr.forward(h, big, &mut || r.bit_done())?;
        tr.mul_into(&mut hq, &s_hat);
        let q = tr.inverse(hq, k - 2..2 * k - 3, fold, &mut || r.bit_done())?;
        let mut qc = tr.forward(&q, small, &mut || r.bit_done())?;
        tr.mul_into(&mut qc, &c_hat);
        let mut rem = tr.inverse(qc, 0..small, fold, &mut || r.bit_done())?;
        for (j, x) in low.iter().enumerate() {
            rem[j] = r.add(&rem[j], x)?;
        }
        for (i, (x, y)) in h.iter().zip(&q).enumerate() {
            let d = r.sub(x, y)?;
            let j = (k + i) % small;
            rem[j] = r.add(&rem[j], &d)?;
        }
        debug_assert!(rem[k..].iter().all(|&x| x == 0), "the remainder has degree below k");
        rem.truncate(k);
        v = rem;
        if bit {
            v = times_x(r, c, &v)?;
        }
        r.bit_done()?;
    }
    Ok(v)
}

// ANCHOR: times_x
/// x·v mod P for v of length k: a shift, and the coefficient that leaves x^{k−1} comes back
/// through x^k ≡ c(x).
fn times_x<R: Ring>(r: &mut R, c: &[R::E], v: &[R::E]) -> Result<Vec<R::E>, R::Err> {
    let k = c.len();
    let top = &v[k - 1];
    let mut out = Vec::with_capacity(k);
    for j in 0..k {
        let t = r.mul(top, &c[j])?;
        out.push(if j == 0 { t } else { r.add(&v[j - 1], &t)? });
    }
    Ok(out)
}
// ANCHOR_END: times_x

// ANCHOR: x_pow
/// x^n mod P as k coefficients, n >= 1 given as little-endian limbs.
fn x_pow<R: Dot>(r: &mut R, p: &CharPoly<R::E>, n: &[u64]) -> Result<Vec<R::E>, R::Err> {
    let k = p.c.len();
    let bits = bits_below_top(n).expect("n >= 1");
    let mut v = if k == 1 {
        vec![p.c[0].clone()]
    } else {
        let mut v = vec![r.small(0)?; k];
        v[1] = r.small(1)?;
        v
    };
    for bit in bits {
        let sq = poly_mul(r, &v, &v)?;
        v = p.reduce(r, sq)?;
        if bit {
            v = times_x(r, &p.c, &v)?;
        }
        r.bit_done()?;
    }
    Ok(v)
}
// ANCHOR_END: x_pow

/// [`x_pow`] for k = 2 without vectors: with v = a + b·x and x² ≡ c_0 + c_1·x,
/// v² ≡ (a² + c_0·b²) + (2ab + c_1·b²)·x and x·v ≡ c_0·b + (a + c_1·b)·x. Each new
/// coefficient is one dot product, which word rings reduce once. The order most used
/// (every Lucas sequence) thus costs about what the Lucas ladders cost.
fn x_pow_order2<R: Dot>(r: &mut R, c: [&R::E; 2], n: &[u64]) -> Result<[R::E; 2], R::Err> {
    let bits = bits_below_top(n).expect("n >= 1");
    let (mut a, mut b) = (r.small(0)?, r.small(1)?);
    for bit in bits {
        let bb = r.mul(&b, &b)?;
        let a2 = r.dot(&[a.clone(), c[0].clone()], &[a.clone(), bb.clone()])?;
        let b2 = r.dot(&[a.clone(), a, c[1].clone()], &[b.clone(), b, bb])?;
        (a, b) = (a2, b2);
        if bit {
            let a1 = r.mul(c[0], &b)?;
            let cb = r.mul(c[1], &b)?;
            (a, b) = (a1, r.add(&a, &cb)?);
        }
        r.bit_done()?;
    }
    Ok([a, b])
}

/// What [`jump`] returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// x_n alone.
    Term,
    /// The window x_n, ..., x_{n+k−1}.
    Window,
}

/// n as a small number if it has at most one limb.
fn small_n(n: &[u64]) -> Option<u64> {
    match n.iter().rposition(|&l| l != 0) {
        None => Some(0),
        Some(0) => Some(n[0]),
        Some(_) => None,
    }
}

/// Extends `seq` (at least k values, oldest first) by stepping until it holds `len` values.
fn step_to<R: Dot>(r: &mut R, c: &[R::E], seq: &mut Vec<R::E>, len: usize) -> Result<(), R::Err> {
    let k = c.len();
    while seq.len() < len {
        let v = r.dot(c, &seq[seq.len() - k..])?;
        seq.push(v);
        // With a large k these steps add up to O(k²): let Ctrl-C through between them.
        r.bit_done()?;
    }
    Ok(())
}

// ANCHOR: jump
/// x_n (or the window at n) of the recurrence with coefficients `c` (c_0 pairs with the
/// oldest value) and initial values `init`, both of length k >= 1, for n >= 0 given as
/// little-endian limbs.
pub fn jump<R: Dot>(r: &mut R, c: &[R::E], init: &[R::E], n: &[u64], want: Output) -> Result<Vec<R::E>, R::Err> {
    let k = c.len();
    assert!(k >= 1 && init.len() == k);
    let count = if want == Output::Term { 1 } else { k };
    // A short jump: stepping costs n·k, less than one squaring per bit.
    if let Some(small) = small_n(n).filter(|&s| s <= 2 * k as u64) {
        let small = small as usize;
        let mut seq = init.to_vec();
        step_to(r, c, &mut seq, small + count)?;
        return Ok(seq.split_off(small).into_iter().take(count).collect());
    }
    let (pair, coefficients);
    let v: &[R::E] = if k == 2 {
        pair = match r.order2([&c[0], &c[1]], n)? {
            Some(v) => v,
            None => x_pow_order2(r, [&c[0], &c[1]], n)?,
        };
        &pair
    } else {
        coefficients = match r.x_pow_fast(c, n)? {
            Some(v) => v,
            None => {
                let p = CharPoly::new(r, c)?;
                x_pow(r, &p, n)?
            }
        };
        &coefficients
    };
    // x_{n+j} = v·(x_j, ..., x_{j+k−1}): x_n needs only the initial window.
    if count == 1 {
        return Ok(vec![r.dot(v, init)?]);
    }
    let mut seq = init.to_vec();
    step_to(r, c, &mut seq, k + count - 1)?;
    (0..count).map(|j| r.dot(v, &seq[j..j + k])).collect()
}
// ANCHOR_END: jump

/// Coefficients and initial window of the reversed recurrence.
pub type Reversed<E> = (Vec<E>, Vec<E>);

/// The recurrence run backwards: with y_t = x_{k−1−t} (the initial window reversed),
/// y_{t+k} = d_0·y_t + ... + d_{k−1}·y_{t+k−1} where d_0 = 1/c_0 and
/// d_j = −c_{k−j}/c_0. Then x_{−m} = y_{m+k−1}, and the window of x at −m is the window of
/// y at m reversed. `c0_inv` is an inverse of c_0 in the ring.
pub fn reversed<R: Ring>(r: &mut R, c: &[R::E], window: &[R::E], c0_inv: &R::E) -> Result<Reversed<R::E>, R::Err> {
    let k = c.len();
    let zero = r.small(0)?;
    let mut d = vec![c0_inv.clone()];
    for j in 1..k {
        let t = r.mul(&c[k - j], c0_inv)?;
        d.push(r.sub(&zero, &t)?);
    }
    Ok((d, window.iter().rev().cloned().collect()))
}

/// [`jump`] modulo a word 1 <= m < 2**64 for coefficients and values already in `0..m`,
/// the window wanted; odd moduli in Montgomery form, the 2^s part of an even one in
/// wrapping arithmetic, joined by the CRT. `poll` is called every 64 bits of n.
pub fn jump_mod<E>(
    c: &[u64],
    init: &[u64],
    n: &[u64],
    m: u64,
    want: Output,
    poll: &mut dyn FnMut() -> Result<(), E>,
) -> Result<Vec<u64>, E> {
    assert!(m >= 1);
    let count = if want == Output::Term { 1 } else { c.len() };
    let s = m.trailing_zeros();
    let odd = m >> s;
    let odd_part = if odd > 1 {
        let mont = MontWord::new(odd);
        if let ([c0, c1], [x0, x1]) = (c, init) {
            // Order 2 (every Lucas sequence) enters the ring without vectors.
            let (ce, ie) = ([mont.enter(*c0), mont.enter(*c1)], [mont.enter(*x0), mont.enter(*x1)]);
            jump_montgomery(mont, &ce, &ie, n, want, &mut *poll)?
        } else {
            let enter = |v: &[u64]| v.iter().map(|&x| mont.enter(x)).collect::<Vec<u64>>();
            let (ce, ie) = (enter(c), enter(init));
            jump_montgomery(mont, &ce, &ie, n, want, &mut *poll)?
        }
    } else {
        vec![0; count]
    };
    if s == 0 {
        return Ok(odd_part);
    }
    let mut out = jump(&mut Polled::new(Wrapping, JUMP_POLL_BITS, poll), c, init, n, want)?;
    for (b, &a) in out.iter_mut().zip(&odd_part) {
        *b = crt(a, odd, *b, s);
    }
    Ok(out)
}

/// [`jump`] in Montgomery form for values already entered; the result leaves the form.
fn jump_montgomery<E>(
    mont: MontWord,
    c: &[u64],
    init: &[u64],
    n: &[u64],
    want: Output,
    poll: &mut dyn FnMut() -> Result<(), E>,
) -> Result<Vec<u64>, E> {
    let mut r = Polled::new(mont, JUMP_POLL_BITS, poll);
    let mut out = jump(&mut r, c, init, n, want)?;
    for x in &mut out {
        *x = r.ring.leave(*x);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never() -> Result<(), ()> {
        Ok(())
    }

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    /// The window at n by stepping, modulo m, in u128.
    fn stepped(c: &[u64], init: &[u64], n: usize, m: u64) -> Vec<u64> {
        let k = c.len();
        let m = u128::from(m);
        let mut seq: Vec<u128> = init.iter().map(|&x| u128::from(x) % m).collect();
        while seq.len() < n + k {
            let t = seq.len() - k;
            let v = (0..k).fold(0u128, |acc, i| (acc + u128::from(c[i]) % m * seq[t + i]) % m);
            seq.push(v);
        }
        seq[n..n + k].iter().map(|&x| x as u64).collect()
    }

    #[test]
    fn karatsuba_matches_schoolbook() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let m = (1u64 << 61) - 1;
        let mut r = MontWord::new(m);
        for (la, lb) in [(24, 24), (25, 40), (100, 100), (97, 30), (200, 13), (64, 64), (300, 299)] {
            let a: Vec<u64> = (0..la).map(|_| rng.next() % m).collect();
            let b: Vec<u64> = (0..lb).map(|_| rng.next() % m).collect();
            let fast = poly_mul(&mut r, &a, &b).unwrap();
            let slow = schoolbook(&mut r, &a, &b).unwrap();
            assert_eq!(fast, slow, "{la}x{lb}");
            let sq = poly_mul(&mut r, &a, &a).unwrap();
            assert_eq!(sq, schoolbook(&mut r, &a, &a).unwrap(), "square {la}");
            assert_eq!(schoolbook_square(&mut r, &a).unwrap(), schoolbook(&mut r, &a, &a).unwrap());
        }
    }

    #[test]
    fn jump_mod_matches_stepping() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let moduli =
            [1u64, 2, 3, 4, 10, 12, 97, 1 << 20, 1_000_000_007, (1 << 61) - 1, 1 << 63, u64::MAX, u64::MAX - 58]
                .into_iter()
                // Either side of the partly reduced form's limit (order 2's ladder).
                .chain([(1 << 62) - 57, LazyMontgomery::MAX_M, (1 << 62) + 135, 3 << 62]);
        for m in moduli {
            // Around the transforms' threshold for every modulus (odd, even, 2^s, near 2^64).
            let mut big = vec![NTT_MIN - 1, NTT_MIN, NTT_MIN + 1];
            if m == 1_000_000_007 || m == 12 {
                big.extend([WORD_FAST_MIN - 1, WORD_FAST_MIN, WORD_FAST_MIN + 3, 513]);
            }
            for k in [1usize, 2, 3, 5, 8, 17, 47, 48, 49, 60].into_iter().chain(big.iter().copied()) {
                let c: Vec<u64> = (0..k).map(|_| rng.next() % m).collect();
                let init: Vec<u64> = (0..k).map(|_| rng.next() % m).collect();
                for n in [0usize, 1, k.saturating_sub(1), k, 2 * k, 2 * k + 1, 3 * k + 7, 200, 777] {
                    let want = stepped(&c, &init, n, m);
                    let got = jump_mod(&c, &init, &[n as u64], m, Output::Window, &mut never).unwrap();
                    assert_eq!(got, want, "m={m} k={k} n={n}");
                    let term = jump_mod(&c, &init, &[n as u64], m, Output::Term, &mut never).unwrap();
                    assert_eq!(term, want[..1], "term m={m} k={k} n={n}");
                }
            }
        }
    }

    #[test]
    fn jumps_compose() {
        // window(a + b) = window(b) of window(a): checks multi-limb n against two jumps.
        let mut rng = Rng(77);
        let m = 1_000_000_007u64;
        for k in [1usize, 2, 7, 50, 300] {
            let c: Vec<u64> = (0..k).map(|_| rng.next() % m).collect();
            let init: Vec<u64> = (0..k).map(|_| rng.next() % m).collect();
            let a = [u64::MAX, 3]; // 4·2^64 − 1
            let w1 = jump_mod(&c, &init, &a, m, Output::Window, &mut never).unwrap();
            let w2 = jump_mod(&c, &w1, &[1], m, Output::Window, &mut never).unwrap();
            let direct = jump_mod(&c, &init, &[0, 4], m, Output::Window, &mut never).unwrap();
            assert_eq!(w2, direct, "k={k}");
        }
    }

    #[test]
    fn checked_words_exact_and_overflow() {
        // Tribonacci by stepping in i128.
        let c = [1i64, 1, 1];
        let init = [0i64, 0, 1];
        let mut seq: Vec<i128> = vec![0, 0, 1];
        for t in 0..70 {
            let v = seq[t] + seq[t + 1] + seq[t + 2];
            seq.push(v);
        }
        for n in [0u64, 1, 2, 5, 6, 7, 20, 50, 70] {
            let got = jump(&mut CheckedI64, &c, &init, &[n], Output::Window).unwrap();
            let want: Vec<i128> = seq[n as usize..n as usize + 3].to_vec();
            assert_eq!(got.iter().map(|&x| i128::from(x)).collect::<Vec<_>>(), want, "n={n}");
        }
        assert!(jump(&mut CheckedI64, &c, &init, &[200], Output::Term).is_err());
        // Negative coefficients.
        let c = [-3i64, 2];
        let init = [5i64, -1];
        let mut seq: Vec<i128> = vec![5, -1];
        for t in 0..40 {
            let v = -3 * seq[t] + 2 * seq[t + 1];
            seq.push(v);
        }
        for n in [9u64, 33, 40] {
            let got = jump(&mut CheckedI64, &c, &init, &[n], Output::Term).unwrap();
            assert_eq!(i128::from(got[0]), seq[n as usize], "n={n}");
        }
    }

    #[test]
    fn backwards_undoes_forwards() {
        let mut rng = Rng(5);
        let m = 1_000_000_007u64;
        for k in [1usize, 2, 4, 9, 50, 260] {
            let mut c: Vec<u64> = (0..k).map(|_| rng.next() % m).collect();
            c[0] = c[0].max(1);
            let init: Vec<u64> = (0..k).map(|_| rng.next() % m).collect();
            let fwd = jump_mod(&c, &init, &[12345], m, Output::Window, &mut never).unwrap();
            // c_0^{-1} by Fermat.
            let mut mont = MontWord::new(m);
            let (mut base, mut e, mut acc) = (mont.enter(c[0]), m - 2, mont.enter(1));
            while e > 0 {
                if e & 1 == 1 {
                    acc = mont.mul(&acc, &base).unwrap();
                }
                base = mont.mul(&base, &base).unwrap();
                e >>= 1;
            }
            let inv = mont.leave(acc);
            // The reversal in plain integers mod m.
            let mut plain = PlainMod(m);
            let (d, wrev) = reversed(&mut plain, &c, &fwd, &inv).unwrap();
            let back = jump_mod(&d, &wrev, &[12345], m, Output::Window, &mut never).unwrap();
            assert_eq!(back.into_iter().rev().collect::<Vec<_>>(), init, "k={k}");
        }
    }

    /// Z/mZ with u128 `%`: a reference ring for the tests.
    struct PlainMod(u64);
    impl Ring for PlainMod {
        type E = u64;
        type Err = Infallible;
        fn mul(&mut self, a: &u64, b: &u64) -> Result<u64, Infallible> {
            Ok((u128::from(*a) * u128::from(*b) % u128::from(self.0)) as u64)
        }
        fn add(&mut self, a: &u64, b: &u64) -> Result<u64, Infallible> {
            Ok(((u128::from(*a) + u128::from(*b)) % u128::from(self.0)) as u64)
        }
        fn sub(&mut self, a: &u64, b: &u64) -> Result<u64, Infallible> {
            Ok(((u128::from(*a) + u128::from(self.0) - u128::from(*b)) % u128::from(self.0)) as u64)
        }
        fn small(&mut self, v: i64) -> Result<u64, Infallible> {
            Ok(i128::from(v).rem_euclid(i128::from(self.0)) as u64)
        }
    }
    impl Dot for PlainMod {}

    #[test]
    fn generic_ring_agrees_with_words() {
        let mut rng = Rng(99);
        let m = 998_244_353u64;
        for k in [1usize, 3, 30, 48, 70, 127, 128, 150] {
            let c: Vec<u64> = (0..k).map(|_| rng.next() % m).collect();
            let init: Vec<u64> = (0..k).map(|_| rng.next() % m).collect();
            let n = [0xDEAD_BEEF_1234u64];
            let plain = jump(&mut PlainMod(m), &c, &init, &n, Output::Window).unwrap();
            let words = jump_mod(&c, &init, &n, m, Output::Window, &mut never).unwrap();
            assert_eq!(plain, words, "k={k}");
        }
    }

    #[test]
    fn poll_stops_a_long_jump() {
        let mut polls = 0;
        let mut stop = || {
            polls += 1;
            Err("stop")
        };
        let n = vec![u64::MAX; 4];
        assert_eq!(jump_mod(&[1, 1], &[0, 1], &n, 97, Output::Term, &mut stop), Err("stop"));
        assert_eq!(polls, 1);
    }
}
