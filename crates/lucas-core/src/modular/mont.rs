//! Arithmetic modulo an odd m of several machine words in Montgomery form (pure Rust, no
//! FFI).
//!
//! A product followed by a division is what a modular ladder on Python ints pays per
//! operation. Montgomery's form (x·R mod m with R = 2^(64·n) for an n-limb m) replaces the
//! division by multiplications, as [`super::word`] does for one word: the product of two
//! forms, a·b, is brought back to n limbs by REDC, which adds the multiple of m that clears
//! the low half and drops it.
//!
//! Two shapes, both [`Ring`]s and [`Halve`]s for the ladders:
//! * [`MontN`]: n = `N` limbs known at compile time (the moduli of 65 to 256 bits, where a
//!   product is a few dozen instructions and anything per call or per operation besides the
//!   arithmetic shows): elements are arrays, copied, never allocated, and the loops unroll;
//! * [`MontArr`] and [`MontVec`]: any n, elements in arrays of a fixed capacity or in
//!   vectors. Below [`CIOS_MAX`] limbs a product is CIOS; above, a schoolbook product (or a
//!   dedicated squaring) and then REDC, two rows per pass; from [`PRODUCT_MIN`] (products)
//!   and [`SQUARE_MIN`] (squares) on the product is the backend's sub-quadratic one
//!   ([`crate::bigint::limbs`]), and from [`REDC_PRODUCT_MIN`] on REDC itself takes two more
//!   such products. `examples/thresholds.rs` measures the pieces; bench/NOTES.md has a run.

#![forbid(unsafe_code)]

use super::limbs::{
    add_into, final_subtract, inverse_mod_2_64, inverse_mod_r_polled, mont_mul_cios, mul_into, padded, redc_in_place,
    shr_in_place_with, sqr_into, sub_into, Divisor, POLL_LIMB_PRODUCTS,
};
use crate::bigint::limbs as backend;
use crate::terms::ladder::{Halve, Ring};
use std::convert::Infallible;

/// From this many limbs on, [`MontVec`] multiplies with the backend's product.
pub const PRODUCT_MIN: usize = 48;

/// From this many limbs on, squares are the backend's.
pub const SQUARE_MIN: usize = 56;

/// Up to this many limbs, products (and squares) are CIOS: one pass per limb of a.
pub const CIOS_MAX: usize = 6;

/// From this many limbs on, [`MontVec`] reduces with two backend products instead of the
/// limb-by-limb REDC.
pub const REDC_PRODUCT_MIN: usize = 400;

/// R mod m and R² mod m for an n-limb m, R = 2^(64·n): the second is a division of 2n + 1
/// limbs by n, quadratic, so it polls.
fn r_and_r2<X>(d: &Divisor, n: usize, poll: &mut dyn FnMut() -> Result<(), X>) -> Result<(Vec<u64>, Vec<u64>), X> {
    let mut r = vec![0u64; 2 * n + 1];
    r[n] = 1;
    let one = d.rem(&r[..n + 1]);
    r[n] = 0;
    r[2 * n] = 1;
    // A small one divides on the stack, without a poll.
    let r2 = if n * n < POLL_LIMB_PRODUCTS { d.rem(&r) } else { d.rem_polled(&r, poll)? };
    Ok((one, r2))
}

/// A poll that never stops: for the constructors without one.
fn never() -> Result<(), Infallible> {
    Ok(())
}

fn infallible<T>(r: Result<T, Infallible>) -> T {
    match r {
        Ok(v) => v,
        Err(never) => match never {},
    }
}

/// The checks every Montgomery ring makes on its modulus.
fn check_odd(m: &[u64]) {
    assert!(
        m.first().is_some_and(|l| l % 2 == 1) && (m.len() > 1 || m[0] > 1),
        "Montgomery form needs an odd modulus > 1"
    );
}

// ---------------------------------------------------------------------------------------
// Fixed size.

/// Z/mZ for an odd m of at most `N` limbs, elements in Montgomery form as `[u64; N]` below m.
#[derive(Clone, Debug)]
pub struct MontN<const N: usize> {
    m: [u64; N],
    /// −m^(−1) mod 2^64.
    m_neg_inv: u64,
    /// R mod m: 1 in Montgomery form.
    one: [u64; N],
    /// R² mod m: a product with it (then REDC) enters Montgomery form.
    r2: [u64; N],
}

/// The number of limbs up to which a square goes through [`sqr_into`] and REDC in a
/// [`MontN`]: twice the largest fixed size.
const WIDE: usize = 8;

impl<const N: usize> MontN<N> {
    /// The ring for an odd m > 1 given as limbs (high zero limbs ignored; at most N others).
    pub fn new(m: &[u64]) -> MontN<N> {
        assert!((1..=WIDE / 2).contains(&N), "fixed sizes go up to {} limbs", WIDE / 2);
        let m = padded(m, N);
        check_odd(&m);
        let d = Divisor::new(&m);
        let (one, r2) = infallible(r_and_r2(&d, N, &mut never));
        let arr = |v: &[u64]| <[u64; N]>::try_from(&padded(v, N)[..]).expect("N limbs");
        MontN { m: arr(&m), m_neg_inv: inverse_mod_2_64(m[0]).wrapping_neg(), one: arr(&one), r2: arr(&r2) }
    }

    /// x (at most N limbs, any value) into Montgomery form.
    pub fn enter(&self, x: &[u64]) -> [u64; N] {
        let x = <[u64; N]>::try_from(&padded(x, N)[..]).expect("N limbs");
        self.product(&x, &self.r2)
    }

    /// Montgomery form back to the residue in 0..m.
    pub fn leave(&self, x: &[u64; N]) -> Vec<u64> {
        let mut unit = [0u64; N];
        unit[0] = 1;
        self.product(x, &unit).to_vec()
    }

    pub fn one(&self) -> [u64; N] {
        self.one
    }

    /// a·b/R mod m.
    #[inline(always)]
    pub fn product(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut t = [0u64; N];
        let top = mont_mul_cios(&mut t, a, b, &self.m, self.m_neg_inv);
        final_subtract(&mut t, top, &self.m);
        t
    }

    /// a²/R mod m: the square with each cross product once, then REDC.
    #[inline(always)]
    pub fn square(&self, a: &[u64; N]) -> [u64; N] {
        if N <= CIOS_MAX {
            return self.product(a, a);
        }
        let mut w = [0u64; WIDE];
        let wide = &mut w[..2 * N];
        sqr_into(wide, a);
        let top = redc_in_place(wide, &self.m, self.m_neg_inv);
        let mut t = [0u64; N];
        t.copy_from_slice(&wide[N..]);
        final_subtract(&mut t, top, &self.m);
        t
    }

    #[inline(always)]
    pub fn sum(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut t = [0u64; N];
        let carry = add_into(&mut t, a, b);
        final_subtract(&mut t, carry, &self.m);
        t
    }

    #[inline(always)]
    pub fn difference(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut t = [0u64; N];
        if sub_into(&mut t, a, b) {
            let copy = t;
            add_into(&mut t, &copy, &self.m);
        }
        t
    }

    /// a/2 mod m: a itself halved when even, a + m when odd (m is odd).
    #[inline(always)]
    pub fn halved(&self, a: &[u64; N]) -> [u64; N] {
        let mut t = *a;
        let mut carry = false;
        if a[0] & 1 == 1 {
            carry = add_into(&mut t, a, &self.m);
        }
        shr_in_place_with(&mut t, 1, u64::from(carry));
        t
    }
}

impl<const N: usize> Ring for MontN<N> {
    type E = [u64; N];
    type Err = Infallible;
    #[inline(always)]
    fn mul(&mut self, a: &[u64; N], b: &[u64; N]) -> Result<[u64; N], Infallible> {
        Ok(if std::ptr::eq(a, b) { self.square(a) } else { self.product(a, b) })
    }
    #[inline(always)]
    fn add(&mut self, a: &[u64; N], b: &[u64; N]) -> Result<[u64; N], Infallible> {
        Ok(self.sum(a, b))
    }
    #[inline(always)]
    fn sub(&mut self, a: &[u64; N], b: &[u64; N]) -> Result<[u64; N], Infallible> {
        Ok(self.difference(a, b))
    }
    fn small(&mut self, v: i64) -> Result<[u64; N], Infallible> {
        let x = self.enter(&[v.unsigned_abs()]);
        Ok(if v < 0 { self.difference(&[0; N], &x) } else { x })
    }
}

impl<const N: usize> Halve for MontN<N> {
    #[inline(always)]
    fn half(&mut self, a: &[u64; N]) -> Result<[u64; N], Infallible> {
        Ok(self.halved(a))
    }
}

// ---------------------------------------------------------------------------------------
// Any size.

/// An odd modulus of any number n >= 1 of limbs and the constants of its Montgomery
/// products, on slices: what the rings holding elements in vectors ([`MontVec`]) and in
/// arrays of a fixed capacity ([`MontArr`]) share.
#[derive(Clone, Debug)]
pub struct MontCore {
    m: Vec<u64>,
    m_neg_inv: u64,
    /// R mod m and R² mod m.
    one: Vec<u64>,
    r2: Vec<u64>,
    /// −m^(−1) mod R (n limbs), for REDC by products; empty below [`REDC_PRODUCT_MIN`].
    m_neg_inv_full: Vec<u64>,
    /// For products by a small integer: one limb more, one division.
    div: Divisor,
}

impl MontCore {
    /// The constants for an odd m > 1 given as limbs (high zero limbs are ignored).
    pub fn new(m: &[u64]) -> MontCore {
        infallible(MontCore::new_polled(m, &mut never))
    }

    /// The same, calling `poll` every so often: for a large m the constants take a
    /// division and a Newton iteration of m's size (its error stops the work).
    pub fn new_polled<X>(m: &[u64], poll: &mut dyn FnMut() -> Result<(), X>) -> Result<MontCore, X> {
        let m = super::limbs::trimmed(m).to_vec();
        check_odd(&m);
        let n = m.len();
        let div = Divisor::new(&m);
        let (one, r2) = r_and_r2(&div, n, poll)?;
        let m_neg_inv = inverse_mod_2_64(m[0]).wrapping_neg();
        let m_neg_inv_full = if n >= REDC_PRODUCT_MIN { neg_inverse_mod_r(&m, poll)? } else { Vec::new() };
        Ok(MontCore { m, m_neg_inv, one, r2, m_neg_inv_full, div })
    }

    /// out = a·v mod m for a small integer v: in Montgomery form too (the factor R is a's).
    /// `wide` is 2n limbs of working space.
    #[inline(always)]
    pub fn mul_small_into(&self, out: &mut [u64], a: &[u64], v: i64, wide: &mut [u64]) {
        let n = self.limbs();
        let (prod, work) = wide.split_at_mut(n + 1);
        super::limbs::mul_word_into(prod, a, v.unsigned_abs());
        self.div.rem_with(prod, out, work);
        if v < 0 && out.iter().any(|&l| l != 0) {
            let r = out.to_vec();
            sub_into(out, &self.m, &r);
        }
    }

    /// The number of limbs of m and of every element.
    #[inline(always)]
    pub fn limbs(&self) -> usize {
        self.m.len()
    }

    /// out = a·b/R mod m, or a²/R when `square`; `wide` is 2n limbs of working space.
    #[inline(always)]
    pub fn product(&self, out: &mut [u64], a: &[u64], b: &[u64], square: bool, wide: &mut [u64]) {
        let n = self.limbs();
        if n <= CIOS_MAX {
            let top = mont_mul_cios(out, a, b, &self.m, self.m_neg_inv);
            final_subtract(out, top, &self.m);
            return;
        }
        let t = &mut wide[..2 * n];
        match square {
            true if n < SQUARE_MIN => sqr_into(t, a),
            true => backend::sqr(t, a),
            false if n < PRODUCT_MIN => mul_into(t, a, b),
            false => backend::mul(t, a, b),
        }
        self.reduce_wide(out, t);
    }

    /// out = REDC(t) for a 2n-limb t < m·R (t is clobbered).
    #[inline(always)]
    fn reduce_wide(&self, out: &mut [u64], t: &mut [u64]) {
        let n = self.limbs();
        if n < REDC_PRODUCT_MIN {
            let top = redc_in_place(t, &self.m, self.m_neg_inv);
            out.copy_from_slice(&t[n..]);
            final_subtract(out, top, &self.m);
            return;
        }
        // q = t·(−m^(−1)) mod R, then (t + q·m)/R: its low half is zero by the choice of q.
        let mut q = vec![0u64; 2 * n];
        backend::mul(&mut q, &t[..n], &self.m_neg_inv_full);
        let mut qm = vec![0u64; 2 * n];
        backend::mul(&mut qm, &q[..n], &self.m);
        let carry = super::limbs::add_in_place(t, &qm);
        out.copy_from_slice(&t[n..]);
        final_subtract(out, carry, &self.m);
    }

    /// out = x (n limbs, any value) in Montgomery form.
    pub fn enter_into(&self, out: &mut [u64], x: &[u64], wide: &mut [u64]) {
        let x = padded(x, self.limbs());
        self.product(out, &x, &self.r2, false, wide);
    }

    /// out = the residue in 0..m of a Montgomery form (REDC of x itself, as fast as a
    /// product's).
    pub fn leave_into(&self, out: &mut [u64], x: &[u64], wide: &mut [u64]) {
        let n = self.limbs();
        let t = &mut wide[..2 * n];
        t.fill(0);
        t[..n].copy_from_slice(x);
        self.reduce_wide(out, t);
    }

    #[inline(always)]
    pub fn sum_into(&self, out: &mut [u64], a: &[u64], b: &[u64]) {
        let carry = add_into(out, a, b);
        final_subtract(out, carry, &self.m);
    }

    #[inline(always)]
    pub fn difference_into(&self, out: &mut [u64], a: &[u64], b: &[u64]) {
        if sub_into(out, a, b) {
            super::limbs::add_in_place(out, &self.m);
        }
    }

    /// out = a/2 mod m: a itself halved when even, a + m when odd.
    #[inline(always)]
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

/// Z/mZ for an odd m of any number of limbs, elements in Montgomery form as n-limb vectors
/// below m.
#[derive(Clone, Debug)]
pub struct MontVec {
    core: MontCore,
    /// 2n limbs of working space.
    scratch: Vec<u64>,
}

impl MontVec {
    /// The ring for an odd m > 1 given as limbs (high zero limbs are ignored).
    pub fn new(m: &[u64]) -> MontVec {
        infallible(MontVec::new_polled(m, &mut never))
    }

    /// The same, calling `poll` while the constants are computed (see
    /// [`MontCore::new_polled`]).
    pub fn new_polled<X>(m: &[u64], poll: &mut dyn FnMut() -> Result<(), X>) -> Result<MontVec, X> {
        let core = MontCore::new_polled(m, poll)?;
        let scratch = vec![0; 2 * core.limbs()];
        Ok(MontVec { core, scratch })
    }

    /// The number of limbs of m and of every element.
    pub fn limbs(&self) -> usize {
        self.core.limbs()
    }

    pub fn one(&self) -> &[u64] {
        &self.core.one
    }

    /// x (at most n limbs, any value) into Montgomery form.
    pub fn enter(&mut self, x: &[u64]) -> Vec<u64> {
        let mut out = vec![0; self.limbs()];
        self.core.enter_into(&mut out, x, &mut self.scratch);
        out
    }

    /// Montgomery form back to the residue in 0..m.
    pub fn leave(&mut self, x: &[u64]) -> Vec<u64> {
        let mut out = vec![0; self.limbs()];
        self.core.leave_into(&mut out, x, &mut self.scratch);
        out
    }

    /// out = a·b/R mod m (a square when a and b are the same slice).
    pub fn mul_into(&mut self, out: &mut [u64], a: &[u64], b: &[u64]) {
        self.core.product(out, a, b, std::ptr::eq(a, b), &mut self.scratch);
    }

    pub fn add_into(&self, out: &mut [u64], a: &[u64], b: &[u64]) {
        self.core.sum_into(out, a, b);
    }

    pub fn sub_into(&self, out: &mut [u64], a: &[u64], b: &[u64]) {
        self.core.difference_into(out, a, b);
    }

    pub fn half_into(&self, out: &mut [u64], a: &[u64]) {
        self.core.half_into(out, a);
    }
}

/// Z/mZ for an odd m of n <= `CAP` limbs (n known at run time), elements in Montgomery form
/// as arrays of `CAP` limbs of which the first n are used: no allocation per operation,
/// which at these sizes costs as much as a product.
#[derive(Clone, Debug)]
pub struct MontArr<const CAP: usize> {
    core: MontCore,
}

impl<const CAP: usize> MontArr<CAP> {
    /// The ring for an odd m > 1 of at most `CAP` limbs.
    pub fn new(m: &[u64]) -> MontArr<CAP> {
        let core = MontCore::new(m);
        assert!(core.limbs() <= CAP, "a modulus of {} limbs in a ring of {CAP}", core.limbs());
        MontArr { core }
    }

    pub fn limbs(&self) -> usize {
        self.core.limbs()
    }

    /// x (at most n limbs, any value) into Montgomery form.
    pub fn enter(&self, x: &[u64]) -> [u64; CAP] {
        let n = self.limbs();
        let (mut out, mut wide) = ([0u64; CAP], [[0u64; CAP]; 2]);
        self.core.enter_into(&mut out[..n], x, wide.as_flattened_mut());
        out
    }

    /// Montgomery form back to the residue in 0..m (n limbs).
    pub fn leave(&self, x: &[u64; CAP]) -> Vec<u64> {
        let n = self.limbs();
        let (mut out, mut wide) = (vec![0u64; n], [[0u64; CAP]; 2]);
        self.core.leave_into(&mut out, &x[..n], wide.as_flattened_mut());
        out
    }

    pub fn one(&self) -> [u64; CAP] {
        let mut out = [0u64; CAP];
        out[..self.limbs()].copy_from_slice(&self.core.one);
        out
    }

    /// a·b/R mod m, or a²/R when `square`.
    #[inline(always)]
    pub fn product(&self, a: &[u64; CAP], b: &[u64; CAP], square: bool) -> [u64; CAP] {
        let n = self.limbs();
        let (mut out, mut wide) = ([0u64; CAP], [[0u64; CAP]; 2]);
        self.core.product(&mut out[..n], &a[..n], &b[..n], square, wide.as_flattened_mut());
        out
    }

    #[inline(always)]
    pub fn sum(&self, a: &[u64; CAP], b: &[u64; CAP]) -> [u64; CAP] {
        let n = self.limbs();
        let mut out = [0u64; CAP];
        self.core.sum_into(&mut out[..n], &a[..n], &b[..n]);
        out
    }

    #[inline(always)]
    pub fn difference(&self, a: &[u64; CAP], b: &[u64; CAP]) -> [u64; CAP] {
        let n = self.limbs();
        let mut out = [0u64; CAP];
        self.core.difference_into(&mut out[..n], &a[..n], &b[..n]);
        out
    }

    #[inline(always)]
    pub fn halved(&self, a: &[u64; CAP]) -> [u64; CAP] {
        let n = self.limbs();
        let mut out = [0u64; CAP];
        self.core.half_into(&mut out[..n], &a[..n]);
        out
    }
}

impl<const CAP: usize> MontArr<CAP> {
    /// a·v for a small integer v.
    #[inline(always)]
    pub fn times_small(&self, a: &[u64; CAP], v: i64) -> [u64; CAP] {
        let n = self.limbs();
        let (mut out, mut wide) = ([0u64; CAP], [[0u64; CAP]; 3]);
        self.core.mul_small_into(&mut out[..n], &a[..n], v, wide.as_flattened_mut());
        out
    }
}

impl<const CAP: usize> Ring for MontArr<CAP> {
    type E = [u64; CAP];
    type Err = Infallible;
    #[inline(always)]
    fn mul(&mut self, a: &[u64; CAP], b: &[u64; CAP]) -> Result<[u64; CAP], Infallible> {
        Ok(self.product(a, b, std::ptr::eq(a, b)))
    }
    #[inline(always)]
    fn add(&mut self, a: &[u64; CAP], b: &[u64; CAP]) -> Result<[u64; CAP], Infallible> {
        Ok(self.sum(a, b))
    }
    #[inline(always)]
    fn sub(&mut self, a: &[u64; CAP], b: &[u64; CAP]) -> Result<[u64; CAP], Infallible> {
        Ok(self.difference(a, b))
    }
    fn small(&mut self, v: i64) -> Result<[u64; CAP], Infallible> {
        let x = self.enter(&[v.unsigned_abs()]);
        Ok(if v < 0 { self.difference(&[0; CAP], &x) } else { x })
    }
    #[inline(always)]
    fn mul_small(&mut self, a: &[u64; CAP], v: i64) -> Result<[u64; CAP], Infallible> {
        Ok(self.times_small(a, v))
    }
}

impl<const CAP: usize> Halve for MontArr<CAP> {
    #[inline(always)]
    fn half(&mut self, a: &[u64; CAP]) -> Result<[u64; CAP], Infallible> {
        Ok(self.halved(a))
    }
}

/// −m^(−1) mod 2^(64·n) for an odd n-limb m.
fn neg_inverse_mod_r<X>(m: &[u64], poll: &mut dyn FnMut() -> Result<(), X>) -> Result<Vec<u64>, X> {
    let n = m.len();
    let x = inverse_mod_r_polled(m, n, poll)?;
    let zero = vec![0u64; n];
    let mut neg = vec![0u64; n];
    sub_into(&mut neg, &zero, &x);
    Ok(neg)
}

impl Ring for MontVec {
    type E = Vec<u64>;
    type Err = Infallible;
    fn mul(&mut self, a: &Vec<u64>, b: &Vec<u64>) -> Result<Vec<u64>, Infallible> {
        let mut out = vec![0; self.limbs()];
        // The same element twice is a square.
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
        let mut out = vec![0; n];
        let mut wide = std::mem::take(&mut self.scratch);
        wide.resize(3 * n + 2, 0);
        self.core.mul_small_into(&mut out, a, v, &mut wide);
        self.scratch = wide;
        Ok(out)
    }
}

impl Halve for MontVec {
    fn half(&mut self, a: &Vec<u64>) -> Result<Vec<u64>, Infallible> {
        let mut out = vec![0; self.limbs()];
        self.half_into(&mut out, a);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modular::limbs::{cmp, mullo_into};
    use std::cmp::Ordering;

    /// A deterministic stream of limbs (xorshift).
    fn stream(seed: u64) -> impl FnMut() -> u64 {
        let mut s = seed | 1;
        move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        }
    }

    /// The reference: a·b mod m by a full product and the divisor.
    fn mulmod(d: &Divisor, a: &[u64], b: &[u64]) -> Vec<u64> {
        let mut p = vec![0; a.len() + b.len()];
        mul_into(&mut p, a, b);
        d.rem(&p)
    }

    /// Moduli of n limbs at the edges: top bit set (2m > R), 2^(64n) − 1, small top limb,
    /// 2^(64(n−1)) + 1, and random.
    fn moduli(n: usize, rnd: &mut impl FnMut() -> u64) -> Vec<Vec<u64>> {
        let mut out = vec![vec![u64::MAX; n]];
        let mut m: Vec<u64> = (0..n).map(|_| rnd()).collect();
        m[0] |= 1;
        m[n - 1] |= 1 << 63;
        out.push(m.clone());
        m[n - 1] = (m[n - 1] >> 50).max(1);
        out.push(m);
        if n > 1 {
            let mut m = vec![0u64; n];
            m[0] = 1;
            m[n - 1] = 1;
            out.push(m);
        }
        out
    }

    fn check_ring<R: Ring<Err = Infallible> + Halve>(
        r: &mut R,
        m: &[u64],
        enter: impl Fn(&mut R, &[u64]) -> R::E,
        leave: impl Fn(&mut R, &R::E) -> Vec<u64>,
        rnd: &mut impl FnMut() -> u64,
    ) {
        let d = Divisor::new(m);
        let n = d.limbs();
        let mut values: Vec<Vec<u64>> = vec![vec![0; n], padded(&[1], n), padded(&[2], n)];
        let mut m_minus_1 = m.to_vec();
        m_minus_1[0] -= 1;
        values.push(m_minus_1);
        for _ in 0..6 {
            values.push(d.rem(&(0..n).map(|_| rnd()).collect::<Vec<_>>()));
        }
        let unwrap = |x: Result<R::E, Infallible>| match x {
            Ok(v) => v,
            Err(e) => match e {},
        };
        for x in &values {
            let xe = enter(r, x);
            assert_eq!(leave(r, &xe), *x, "round trip m={m:x?}");
            let sq = unwrap(r.mul(&xe, &xe));
            assert_eq!(leave(r, &sq), mulmod(&d, x, x), "square m={m:x?} x={x:x?}");
            let h = unwrap(r.half(&xe));
            let back = unwrap(r.add(&h, &h));
            assert_eq!(leave(r, &back), *x, "half m={m:x?}");
            for y in &values {
                let ye = enter(r, y);
                let p = unwrap(r.mul(&xe, &ye));
                assert_eq!(leave(r, &p), mulmod(&d, x, y), "product m={m:x?} x={x:x?} y={y:x?}");
                let s = unwrap(r.add(&xe, &ye));
                let mut want = x.clone();
                want.push(0);
                crate::modular::limbs::add_in_place(&mut want, y);
                assert_eq!(leave(r, &s), d.rem(&want), "sum");
                let diff = unwrap(r.sub(&xe, &ye));
                let dl = leave(r, &diff);
                let mut sum = dl.clone();
                sum.push(0);
                crate::modular::limbs::add_in_place(&mut sum, y);
                assert_eq!(d.rem(&sum), *x, "difference");
            }
        }
        let minus_three = unwrap(r.small(-3));
        let three = unwrap(r.small(3));
        let z = unwrap(r.add(&minus_three, &three));
        assert!(cmp(&leave(r, &z), &[]) == Ordering::Equal);
    }

    #[test]
    fn fixed_sizes_against_the_reference() {
        let mut rnd = stream(17);
        for m in moduli(2, &mut rnd) {
            check_ring(&mut MontN::<2>::new(&m), &m, |r, x| r.enter(x), |r, x| r.leave(x), &mut rnd);
        }
        for m in moduli(3, &mut rnd) {
            check_ring(&mut MontN::<3>::new(&m), &m, |r, x| r.enter(x), |r, x| r.leave(x), &mut rnd);
        }
        for m in moduli(4, &mut rnd) {
            check_ring(&mut MontN::<4>::new(&m), &m, |r, x| r.enter(x), |r, x| r.leave(x), &mut rnd);
        }
        // A 3-limb modulus in a 4-limb ring (padding is allowed).
        for m in moduli(3, &mut rnd) {
            check_ring(&mut MontN::<4>::new(&m), &m, |r, x| r.enter(x), |r, x| padded(&r.leave(x), 3), &mut rnd);
        }
    }

    #[test]
    fn any_size_against_the_reference_across_thresholds() {
        let mut rnd = stream(23);
        for n in
            [1, 2, 5, CIOS_MAX, CIOS_MAX + 1, 16, 17, PRODUCT_MIN - 1, PRODUCT_MIN, SQUARE_MIN, 64, REDC_PRODUCT_MIN]
        {
            for m in moduli(n, &mut rnd) {
                if m == [u64::MAX] || m.len() == 1 && m[0] <= 1 {
                    continue;
                }
                let m = if m[0] % 2 == 0 { vec![m[0] | 1] } else { m };
                check_ring(&mut MontVec::new(&m), &m, |r, x| r.enter(x), |r, x| r.leave(x), &mut rnd);
                if m.len() <= 16 {
                    check_ring(&mut MontArr::<16>::new(&m), &m, |r, x| r.enter(x), |r, x| r.leave(x), &mut rnd);
                }
                if m.len() <= 64 {
                    check_ring(&mut MontArr::<64>::new(&m), &m, |r, x| r.enter(x), |r, x| r.leave(x), &mut rnd);
                }
            }
        }
    }

    #[test]
    fn newton_inverse_mod_r() {
        let mut rnd = stream(29);
        for n in [1usize, 2, 3, 7, 8, 9, 33] {
            let mut m: Vec<u64> = (0..n).map(|_| rnd()).collect();
            m[0] |= 1;
            let neg = infallible(neg_inverse_mod_r(&m, &mut never));
            let mut p = vec![0u64; n];
            mullo_into(&mut p, &m, &neg);
            // m·(−m^(−1)) ≡ −1: all ones.
            assert_eq!(p, vec![u64::MAX; n], "n={n}");
        }
    }
}
