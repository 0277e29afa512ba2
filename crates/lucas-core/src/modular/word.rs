//! Arithmetic modulo a machine word without division (pure Rust, no FFI).
//!
//! The n-th term modulo m (1 <= m < 2**64) runs the division-free ladder of
//! [`crate::terms::ladder`] in Z/mZ. A `%` of a 128-bit product is a
//! 128-by-64-bit division, far slower than a multiplication, so:
//! * for the odd part of m, elements are kept in Montgomery form (x·2^64 mod m), where a
//!   product is reduced with two multiplications and no division (Montgomery 1985, REDC);
//! * for the power-of-two part 2^s, wrapping u64 arithmetic *is* arithmetic mod 2^64, and
//!   reducing mod 2^s at the end is a mask;
//! * the two residues are joined by the Chinese remainder theorem (m = 2^s·odd), so even
//!   moduli are exact too.

#![forbid(unsafe_code)]

use crate::terms::ladder::{
    fib_or_lucas, lucas_u_pair, lucas_uv_chain, lucas_uv_halving, lucas_v_from_pair, Halve, Ring, Which,
};
use std::convert::Infallible;

/// Z/mZ for odd m > 1, elements in Montgomery form.
#[derive(Clone, Copy, Debug)]
pub struct Montgomery {
    m: u64,
    /// m^(-1) mod 2^64.
    m_inv: u64,
    /// 2^128 mod m: multiplying by it (then REDC) converts into Montgomery form.
    r2: u64,
}

/// m^(-1) mod 2^64 for odd m, by Newton's iteration (each step doubles the correct bits;
/// m·m ≡ 1 mod 8 gives three to start with).
pub const fn inverse_mod_2_64(m: u64) -> u64 {
    debug_assert!(m % 2 == 1);
    let mut x = m;
    let mut step = 0;
    while step < 5 {
        x = x.wrapping_mul(2u64.wrapping_sub(m.wrapping_mul(x)));
        step += 1;
    }
    x
}

/// The inverse of a modulo m (m > 1, a < m), or gcd(a, m) when that is not 1: extended
/// Euclid on words. The Bézout coefficients t_i of a alternate in sign and never exceed m
/// in size, so only their magnitudes are kept (t_{i+1} = t_{i-1} + q·t_i in size) and the
/// sign of the last one comes from the number of steps: no 128-bit division anywhere.
pub fn inverse_word(a: u64, m: u64) -> Result<u64, u64> {
    let (mut r0, mut r1) = (m, a);
    let (mut t0, mut t1) = (0u64, 1u64);
    let mut positive = false; // the sign of t_k after k steps: t_1 = 1 > 0, then alternating
    while r1 != 0 {
        let q = r0 / r1;
        (r0, r1) = (r1, r0 - q * r1);
        (t0, t1) = (t1, t0 + q * t1);
        positive = !positive;
    }
    if r0 != 1 {
        return Err(r0);
    }
    Ok(if positive || t0 == 0 { t0 } else { m - t0 })
}

/// v mod m in 0..m for 1 <= m < 2**64, with at most one division of words (none when |v| < m,
/// the common case of small parameters): `rem_euclid` on i128 calls a 128-bit division
/// routine instead.
#[inline]
pub fn rem_i64(v: i64, m: u64) -> u64 {
    let a = v.unsigned_abs();
    let r = if a < m { a } else { a % m };
    if v < 0 && r != 0 {
        m - r
    } else {
        r
    }
}

impl Montgomery {
    pub fn new(m: u64) -> Montgomery {
        assert!(m % 2 == 1 && m > 1, "Montgomery form needs an odd modulus > 1");
        // 2^64 mod m by a division of words, then its square: a 128-bit remainder whose high
        // word is below m, which takes one word division where 2^128 − 1 would take two.
        let r1 = u128::from(m.wrapping_neg() % m);
        let r2 = (r1 * r1 % u128::from(m)) as u64; // 2^128 mod m
        Montgomery { m, m_inv: inverse_mod_2_64(m), r2 }
    }

    // ANCHOR: redc
    /// REDC: t·2^(−64) mod m for t < m·2^64, with no division.
    #[inline]
    pub fn reduce(&self, t: u128) -> u64 {
        let (lo, hi) = (t as u64, (t >> 64) as u64);
        // q·m ≡ t (mod 2^64), so t − q·m is a multiple of 2^64 and its high word is the answer.
        let q = lo.wrapping_mul(self.m_inv);
        let qm_hi = ((u128::from(q) * u128::from(self.m)) >> 64) as u64;
        let (r, borrow) = hi.overflowing_sub(qm_hi);
        if borrow {
            r.wrapping_add(self.m)
        } else {
            r
        }
    }
    // ANCHOR_END: redc

    /// x (any u64) into Montgomery form. No `x % m` first: r2 < m, so x·r2 < m·2^64 is
    /// already within REDC's range for every x.
    pub fn enter(&self, x: u64) -> u64 {
        self.reduce(u128::from(x) * u128::from(self.r2))
    }

    /// Montgomery form back to the residue in 0..m.
    pub fn leave(&self, x: u64) -> u64 {
        self.reduce(u128::from(x))
    }
}

impl Ring for Montgomery {
    type E = u64;
    type Err = Infallible;
    #[inline]
    fn mul(&mut self, a: &u64, b: &u64) -> Result<u64, Infallible> {
        Ok(self.reduce(u128::from(*a) * u128::from(*b)))
    }
    #[inline]
    fn add(&mut self, a: &u64, b: &u64) -> Result<u64, Infallible> {
        let (s, carry) = a.overflowing_add(*b);
        Ok(if carry || s >= self.m { s.wrapping_sub(self.m) } else { s })
    }
    #[inline]
    fn sub(&mut self, a: &u64, b: &u64) -> Result<u64, Infallible> {
        let (d, borrow) = a.overflowing_sub(*b);
        Ok(if borrow { d.wrapping_add(self.m) } else { d })
    }
    fn small(&mut self, v: i64) -> Result<u64, Infallible> {
        // |v| enters without a division (see `enter`); a negative v is then m minus it.
        let x = self.enter(v.unsigned_abs());
        Ok(if v < 0 && x != 0 { self.m - x } else { x })
    }
}

impl Halve for Montgomery {
    /// x·2⁻¹ mod m; in Montgomery form too, since halving commutes with the factor 2^64.
    #[inline]
    fn half(&mut self, a: &u64) -> Result<u64, Infallible> {
        // For odd a, (a + m)/2 without overflowing: both are odd.
        Ok(if a.is_multiple_of(2) { a >> 1 } else { (a >> 1) + (self.m >> 1) + 1 })
    }
}

/// Z/mZ for odd m below 2^62, elements in Montgomery form and only partly reduced: each is
/// one of the two representatives of its residue in 0..2m. Since 4m <= 2^64, a product of
/// two of them is below m·2^64, where REDC needs no final comparison: its result, shifted
/// by m, lands in 0..2m again. A product is then two multiplications and two additions with
/// no branch or conditional move, which shortens the chain of dependent instructions that a
/// ladder's bit waits on. (Montgomery 1985; the bound is the one of "lazy" reduction.)
#[derive(Clone, Copy, Debug)]
pub struct LazyMontgomery {
    full: Montgomery,
    /// 2m, the representatives' bound.
    two_m: u64,
}

impl LazyMontgomery {
    /// The largest modulus this form allows: 4m must not exceed 2^64.
    pub const MAX_M: u64 = (1 << 62) - 1;

    pub fn new(m: u64) -> LazyMontgomery {
        LazyMontgomery::of(Montgomery::new(m))
    }

    /// The partly reduced form of a fully reduced one's modulus (its constants reused).
    pub fn of(full: Montgomery) -> LazyMontgomery {
        assert!(full.m <= Self::MAX_M, "partly reduced Montgomery form needs m < 2^62");
        LazyMontgomery { full, two_m: 2 * full.m }
    }

    /// x (any u64) into Montgomery form.
    pub fn enter(&self, x: u64) -> u64 {
        self.full.enter(x)
    }

    /// A representative in 0..2m as the one in 0..m, still in Montgomery form: how an
    /// element returns to the fully reduced [`Montgomery`] form of the same m.
    pub fn canonical(&self, x: u64) -> u64 {
        if x >= self.full.m {
            x - self.full.m
        } else {
            x
        }
    }

    /// A representative in 0..2m back to the residue in 0..m.
    pub fn leave(&self, x: u64) -> u64 {
        // REDC of a single word lands in 1..=m: m stands for 0.
        let r = self.reduce(u128::from(x));
        if r >= self.full.m {
            r - self.full.m
        } else {
            r
        }
    }

    /// REDC without its final comparison: t·2^(−64) mod m, as a representative in 0..2m, for
    /// t < m·2^64. Both t's high word and the high word of q·m are below m, so their
    /// difference plus m is positive and below 2m.
    #[inline]
    fn reduce(&self, t: u128) -> u64 {
        let m = self.full.m;
        let (lo, hi) = (t as u64, (t >> 64) as u64);
        let q = lo.wrapping_mul(self.full.m_inv);
        let qm_hi = ((u128::from(q) * u128::from(m)) >> 64) as u64;
        hi.wrapping_sub(qm_hi).wrapping_add(m)
    }
}

impl Ring for LazyMontgomery {
    type E = u64;
    type Err = Infallible;
    #[inline]
    fn mul(&mut self, a: &u64, b: &u64) -> Result<u64, Infallible> {
        Ok(self.reduce(u128::from(*a) * u128::from(*b)))
    }
    #[inline]
    fn add(&mut self, a: &u64, b: &u64) -> Result<u64, Infallible> {
        let s = a + b; // below 4m <= 2^64
        Ok(if s >= self.two_m { s - self.two_m } else { s })
    }
    #[inline]
    fn sub(&mut self, a: &u64, b: &u64) -> Result<u64, Infallible> {
        let (d, borrow) = a.overflowing_sub(*b);
        Ok(if borrow { d.wrapping_add(self.two_m) } else { d })
    }
    fn small(&mut self, v: i64) -> Result<u64, Infallible> {
        self.full.small(v)
    }
}

impl Halve for LazyMontgomery {
    /// x·2⁻¹ mod m: for odd x, (x + m)/2, which is below 3m/2.
    #[inline]
    fn half(&mut self, a: &u64) -> Result<u64, Infallible> {
        self.full.half(a)
    }
}

/// Z/2^64Z: wrapping arithmetic. Reducing mod 2^s afterwards is a ring homomorphism.
#[derive(Clone, Copy, Debug)]
pub struct Wrapping;

impl Ring for Wrapping {
    type E = u64;
    type Err = Infallible;
    fn mul(&mut self, a: &u64, b: &u64) -> Result<u64, Infallible> {
        Ok(a.wrapping_mul(*b))
    }
    fn add(&mut self, a: &u64, b: &u64) -> Result<u64, Infallible> {
        Ok(a.wrapping_add(*b))
    }
    fn sub(&mut self, a: &u64, b: &u64) -> Result<u64, Infallible> {
        Ok(a.wrapping_sub(*b))
    }
    fn small(&mut self, v: i64) -> Result<u64, Infallible> {
        Ok(v as u64)
    }
}

/// A ring whose ladder stops when asked: `bit_done` calls `poll` every `every` bits, so a
/// huge n stays interruptible. The caller's `poll` is where Python's `PyErr_CheckSignals`
/// goes; the arithmetic files stay free of FFI. The jump-ahead ([`fiduccia`](crate::jump::fiduccia)) uses it too, with
/// a shorter period, since each of its bits costs O(k²) products rather than a few.
pub struct Polled<'p, R, E> {
    pub ring: R,
    every: u32,
    bits: u32,
    /// Whether `poll` also runs before every product: for elements so large that one bit of
    /// a ladder takes longer than a poll may wait.
    each_product: bool,
    poll: &'p mut dyn FnMut() -> Result<(), E>,
}

impl<'p, R, E> Polled<'p, R, E> {
    pub fn new(ring: R, every: u32, poll: &'p mut dyn FnMut() -> Result<(), E>) -> Self {
        Polled { ring, every, bits: 0, each_product: false, poll }
    }

    /// The same, polling before every product as well.
    pub fn each_product(mut self, yes: bool) -> Self {
        self.each_product = yes;
        self
    }

    /// The same poll on another ring, every `every` bits counted afresh and never between
    /// products: for a stretch of work that runs in a faster form of the same word ring. The
    /// period is then a constant where the ladder is compiled, so the test between its bits
    /// is a mask rather than a division, and no product tests a flag.
    pub fn on<S>(&mut self, ring: S, every: u32) -> Polled<'_, S, E> {
        Polled::new(ring, every, &mut *self.poll)
    }
}

impl<R: Ring<Err = Infallible>, E> Ring for Polled<'_, R, E> {
    type E = R::E;
    type Err = E;
    #[inline]
    fn mul(&mut self, a: &R::E, b: &R::E) -> Result<R::E, E> {
        if self.each_product {
            (self.poll)()?;
        }
        Ok(infallible(self.ring.mul(a, b)))
    }
    #[inline]
    fn add(&mut self, a: &R::E, b: &R::E) -> Result<R::E, E> {
        Ok(infallible(self.ring.add(a, b)))
    }
    #[inline]
    fn sub(&mut self, a: &R::E, b: &R::E) -> Result<R::E, E> {
        Ok(infallible(self.ring.sub(a, b)))
    }
    fn small(&mut self, v: i64) -> Result<R::E, E> {
        Ok(infallible(self.ring.small(v)))
    }
    #[inline]
    fn mul_small(&mut self, a: &R::E, v: i64) -> Result<R::E, E> {
        Ok(infallible(self.ring.mul_small(a, v)))
    }
    #[inline]
    fn bit_done(&mut self) -> Result<(), E> {
        self.bits = self.bits.wrapping_add(1);
        if self.bits.is_multiple_of(self.every) {
            (self.poll)()?;
        }
        Ok(())
    }
}

impl<R: Halve<Err = Infallible>, E> Halve for Polled<'_, R, E> {
    #[inline]
    fn half(&mut self, a: &R::E) -> Result<R::E, E> {
        Ok(infallible(self.ring.half(a)))
    }
}

/// Unwraps a ladder that cannot fail.
pub fn infallible<T>(r: Result<T, Infallible>) -> T {
    match r {
        Ok(v) => v,
        Err(never) => match never {},
    }
}

/// How many bits of n the word ladders run between two polls: a bit costs a few products.
const LADDER_POLL_BITS: u32 = 4096;

/// (U_n, V_n) mod 2^64 with the division-free ladder (halving is impossible modulo 2^s).
fn uv_wrapping<E>(p: u64, q: u64, n: &[u64], poll: &mut dyn FnMut() -> Result<(), E>) -> Result<(u64, u64), E> {
    let r = &mut Polled::new(Wrapping, LADDER_POLL_BITS, poll);
    let (u, u_prev) = lucas_u_pair(r, &p, &q, n)?;
    Ok((u, lucas_v_from_pair(r, &p, &q, &u, &u_prev)?))
}

/// A word ring in Montgomery form: how residues enter and leave it.
pub trait WordForm: Halve<E = u64, Err = Infallible> {
    /// x (any u64) into the form.
    fn enter_word(&self, x: u64) -> u64;
    /// An element back to the residue in 0..m.
    fn leave_word(&self, x: u64) -> u64;
    /// The modulus.
    fn modulus(&self) -> u64;
}

impl WordForm for Montgomery {
    fn enter_word(&self, x: u64) -> u64 {
        self.enter(x)
    }
    fn leave_word(&self, x: u64) -> u64 {
        self.leave(x)
    }
    fn modulus(&self) -> u64 {
        self.m
    }
}

impl WordForm for LazyMontgomery {
    fn enter_word(&self, x: u64) -> u64 {
        self.enter(x)
    }
    fn leave_word(&self, x: u64) -> u64 {
        self.leave(x)
    }
    fn modulus(&self) -> u64 {
        self.full.m
    }
}

/// D⁻¹ in the form, D = P² − 4Q, when the Lucas chain on V ([`lucas_uv_chain`]) pays for
/// finding it; `None` when it does not or when D is not invertible (the halving ladder
/// needs no inverse). The chain saves two products on each one bit of n below the leading
/// one and costs one more on each zero bit; Euclid's algorithm on D takes about half as many
/// steps as the smaller of D and m − D has bits, each a division that costs about two
/// products.
fn chain_inverse<R: WordForm>(ring: &mut R, pm: u64, qm: u64, n: &[u64]) -> Option<u64> {
    let ones = n.iter().map(|l| l.count_ones()).sum::<u32>() - 1;
    let below_top = n.iter().rposition(|&l| l != 0).map_or(0, |top| 64 * top as u32 + 63 - n[top].leading_zeros());
    let saved = (2 * ones).checked_sub(below_top - ones)?;
    let pp = infallible(ring.mul(&pm, &pm));
    let q2 = infallible(ring.add(&qm, &qm));
    let q4 = infallible(ring.add(&q2, &q2));
    let d = infallible(ring.sub(&pp, &q4));
    let d = ring.leave_word(d);
    let m = ring.modulus();
    if saved <= 64 - d.min(m - d).leading_zeros() {
        return None;
    }
    inverse_word(d, m).ok().map(|d_inv| ring.enter_word(d_inv))
}

/// (U_n, V_n) modulo the odd m of `ring`: by the Lucas chain on V where it pays
/// ([`chain_inverse`]), otherwise by the halving ladder.
fn uv_odd<R: WordForm, E>(
    mut ring: R,
    p: u64,
    q: u64,
    n: &[u64],
    poll: &mut dyn FnMut() -> Result<(), E>,
) -> Result<(u64, u64), E> {
    let (pm, qm) = (ring.enter_word(p), ring.enter_word(q));
    if let Some(d_inv) = chain_inverse(&mut ring, pm, qm, n) {
        return uv_chain(ring, pm, qm, d_inv, n, poll);
    }
    let r = &mut Polled::new(ring, LADDER_POLL_BITS, poll);
    let (u, v) = lucas_uv_halving(r, &pm, &qm, n)?;
    Ok((r.ring.leave_word(u), r.ring.leave_word(v)))
}

/// The chain's side of [`uv_odd`], out of line: inlined beside the halving ladder, it made
/// LLVM allocate that ladder's registers worse.
#[inline(never)]
fn uv_chain<R: WordForm, E>(
    ring: R,
    pm: u64,
    qm: u64,
    d_inv: u64,
    n: &[u64],
    poll: &mut dyn FnMut() -> Result<(), E>,
) -> Result<(u64, u64), E> {
    let r = &mut Polled::new(ring, LADDER_POLL_BITS, poll);
    let (u, v) = lucas_uv_chain(r, &pm, &qm, &d_inv, n)?;
    Ok((r.ring.leave_word(u), r.ring.leave_word(v)))
}

/// F_n or L_n modulo the odd m of `ring` by the (F, L) ladder.
fn fib_lucas_odd<R: WordForm, E>(
    ring: R,
    n: &[u64],
    which: Which,
    poll: &mut dyn FnMut() -> Result<(), E>,
) -> Result<u64, E> {
    let r = &mut Polled::new(ring, LADDER_POLL_BITS, poll);
    let x = fib_or_lucas(r, n, which)?;
    Ok(r.ring.leave_word(x))
}

/// Splits m = odd·2^s.
fn split(m: u64) -> (u64, u32) {
    let s = m.trailing_zeros();
    (m >> s, s)
}

/// (U_n mod m, V_n mod m) of the Lucas sequences with parameters P ≡ p, Q ≡ q (mod m), for
/// n >= 0 given as little-endian limbs and any 1 <= m < 2**64. `poll` is called now and then
/// and stops the computation with its error.
pub fn lucas_uv_mod<E>(
    n: &[u64],
    p: u64,
    q: u64,
    m: u64,
    poll: &mut dyn FnMut() -> Result<(), E>,
) -> Result<(u64, u64), E> {
    assert!(m >= 1);
    if n.iter().all(|&l| l == 0) {
        return Ok((0, 2 % m)); // U_0 = 0, V_0 = 2
    }
    let (odd, s) = split(m);
    let (u_odd, v_odd) = if odd > LazyMontgomery::MAX_M {
        uv_odd(Montgomery::new(odd), p, q, n, poll)?
    } else if odd > 1 {
        uv_odd(LazyMontgomery::new(odd), p, q, n, poll)?
    } else {
        (0, 0)
    };
    if s == 0 {
        return Ok((u_odd, v_odd));
    }
    let (u_two, v_two) = uv_wrapping(p, q, n, poll)?;
    Ok((crt(u_odd, odd, u_two, s), crt(v_odd, odd, v_two, s)))
}

/// F_n mod m or L_n mod m for n >= 0 given as limbs: the (F, L) ladder, two products per
/// bit, on the odd part of m. `poll` as for [`lucas_uv_mod`].
pub fn fib_lucas_mod<E>(n: &[u64], which: Which, m: u64, poll: &mut dyn FnMut() -> Result<(), E>) -> Result<u64, E> {
    assert!(m >= 1);
    if n.iter().all(|&l| l == 0) {
        return Ok(if which == Which::Fibonacci { 0 } else { 2 % m });
    }
    let (odd, s) = split(m);
    let x_odd = if odd > LazyMontgomery::MAX_M {
        fib_lucas_odd(Montgomery::new(odd), n, which, poll)?
    } else if odd > 1 {
        fib_lucas_odd(LazyMontgomery::new(odd), n, which, poll)?
    } else {
        0
    };
    if s == 0 {
        return Ok(x_odd);
    }
    let (f, l) = uv_wrapping(1, u64::MAX, n, poll)?; // P = 1, Q = −1
    Ok(crt(x_odd, odd, if which == Which::Fibonacci { f } else { l }, s))
}

// ANCHOR: crt
/// The x in 0..odd·2^s with x ≡ a (mod odd) and x ≡ b (mod 2^s).
pub fn crt(a: u64, odd: u64, b: u64, s: u32) -> u64 {
    let mask = if s == 64 { u64::MAX } else { (1u64 << s) - 1 };
    // x = a + odd·t with t ≡ (b − a)·odd^(−1) (mod 2^s); then x < odd + odd·(2^s − 1) = m.
    let t = b.wrapping_sub(a).wrapping_mul(inverse_mod_2_64(odd)) & mask;
    a + odd * t
}
// ANCHOR_END: crt

#[cfg(test)]
mod tests {
    use super::*;

    fn never() -> Result<(), ()> {
        Ok(())
    }

    #[test]
    fn poll_stops_a_long_ladder() {
        let n = vec![u64::MAX; 200]; // 12800 bits: polled three times
        let mut polls = 0;
        let mut stop_at_second = || {
            polls += 1;
            if polls == 2 {
                Err("stop")
            } else {
                Ok(())
            }
        };
        assert_eq!(lucas_uv_mod(&n, 3, 5, 1_000_000_007, &mut stop_at_second), Err("stop"));
        assert_eq!(polls, 2);
        assert!(fib_lucas_mod(&n, Which::Lucas, 12, &mut never).is_ok());
    }

    /// U_n, V_n mod m straight from the definition (u128, one `%` per step).
    fn reference(n: u64, p: u64, q: u64, m: u64) -> (u64, u64) {
        let m = u128::from(m);
        let (p, q) = (u128::from(p) % m, u128::from(q) % m);
        let step = |a: u128, b: u128| (p * b % m + (m - q) * a % m) % m; // P·b − Q·a
        let (mut u, mut u1, mut v, mut v1) = (0, 1 % m, 2 % m, p);
        for _ in 0..n {
            (u, u1) = (u1, step(u, u1));
            (v, v1) = (v1, step(v, v1));
        }
        (u as u64, v as u64)
    }

    #[test]
    fn montgomery_round_trip_and_product() {
        for m in [3u64, 5, 1_000_000_007, (1 << 61) - 1, u64::MAX, u64::MAX - 2] {
            let mut r = Montgomery::new(m);
            for x in [0u64, 1, 2, m - 1, m / 2, 0xDEAD_BEEF] {
                assert_eq!(r.leave(r.enter(x)), x % m);
                let y = m / 3 + 1;
                let prod = r.mul(&r.enter(x), &r.enter(y)).unwrap();
                assert_eq!(u128::from(r.leave(prod)), u128::from(x % m) * u128::from(y % m) % u128::from(m));
            }
        }
    }

    #[test]
    fn lazy_montgomery_keeps_both_representatives_below_2m() {
        for m in [3u64, 1_000_000_007, (1 << 61) - 1, (1 << 62) - 57, LazyMontgomery::MAX_M] {
            let mut r = LazyMontgomery::new(m);
            let residues = [0u64, 1, 2, m / 2, m - 2, m - 1];
            // Each residue in Montgomery form, as both its representatives in 0..2m.
            let reps: Vec<(u64, u64)> = residues
                .iter()
                .flat_map(|&x| {
                    let e = r.full.enter(x);
                    [(x, e), (x, e + m)]
                })
                .collect();
            let wide = |x: u64| u128::from(x);
            for &(x, a) in &reps {
                assert_eq!(r.leave(a), x, "m={m} x={x}");
                let h = r.half(&a).unwrap();
                assert!(h < 2 * m);
                assert_eq!(wide(r.leave(h)) * 2 % wide(m), wide(x), "half, m={m} x={x}");
                for &(y, b) in &reps {
                    let ops = [
                        (r.mul(&a, &b).unwrap(), wide(x) * wide(y) % wide(m)),
                        (r.add(&a, &b).unwrap(), (wide(x) + wide(y)) % wide(m)),
                        (r.sub(&a, &b).unwrap(), (wide(x) + wide(m) - wide(y)) % wide(m)),
                    ];
                    for (got, want) in ops {
                        assert!(got < 2 * m, "m={m} x={x} y={y}");
                        assert_eq!(wide(r.leave(got)), want, "m={m} x={x} y={y}");
                    }
                }
            }
        }
    }

    #[test]
    fn rem_i64_is_the_euclidean_remainder() {
        for m in [1u64, 2, 7, 1_000_000_007, 1 << 63, u64::MAX] {
            for v in [0i64, 1, -1, 6, -7, -8, i64::MAX, i64::MIN, i64::MIN + 1] {
                assert_eq!(rem_i64(v, m), i128::from(v).rem_euclid(i128::from(m)) as u64, "v={v} m={m}");
            }
        }
    }

    #[test]
    fn crt_joins_residues() {
        for (odd, s) in [(1u64, 3u32), (3, 0), (15, 4), (1, 63), (7, 61)] {
            let m = odd << s;
            for x in [0u64, 1, m - 1, m / 3] {
                assert_eq!(crt(x % odd, odd, x, s), x, "odd={odd} s={s}");
            }
        }
    }

    #[test]
    fn lucas_uv_mod_matches_the_definition() {
        // Either side of the partly reduced form's limit (2^62 − 1, 2^62 + 1, and those times 2).
        let lazy_limit = [LazyMontgomery::MAX_M, (1 << 62) + 1, LazyMontgomery::MAX_M << 1, ((1 << 62) + 1) << 1];
        let moduli = [1u64, 2, 3, 4, 6, 7, 8, 10, 12, 97, 1024, 1000, (1 << 61) - 1, (1 << 62) - 57, 1 << 63, u64::MAX];
        let moduli = moduli.iter().chain(&lazy_limit);
        for &m in moduli {
            for (p, q) in [(1u64, u64::MAX), (3, 5), (0, 1), (2, 1), (u64::MAX - 1, 7), (12345, 0)] {
                for n in [0u64, 1, 2, 3, 10, 63, 64, 65, 300] {
                    let (p, q) = (p % m, q % m);
                    assert_eq!(
                        lucas_uv_mod(&[n], p, q, m, &mut never).unwrap(),
                        reference(n, p, q, m),
                        "n={n} p={p} q={q} m={m}"
                    );
                }
            }
        }
    }

    /// (U_n, V_n) by the Lucas chain on V, forced whatever its cost.
    fn by_chain<R: WordForm>(mut ring: R, p: u64, q: u64, d_inv: u64, n: &[u64]) -> (u64, u64) {
        let (pm, qm, dm) = (ring.enter_word(p), ring.enter_word(q), ring.enter_word(d_inv));
        let (u, v) = infallible(lucas_uv_chain(&mut ring, &pm, &qm, &dm, n));
        (ring.leave_word(u), ring.leave_word(v))
    }

    /// (U_n, V_n) by the halving ladder, forced.
    fn by_halving<R: WordForm>(mut ring: R, p: u64, q: u64, n: &[u64]) -> (u64, u64) {
        let (pm, qm) = (ring.enter_word(p), ring.enter_word(q));
        let (u, v) = infallible(lucas_uv_halving(&mut ring, &pm, &qm, n));
        (ring.leave_word(u), ring.leave_word(v))
    }

    /// D = P² − 4Q mod m.
    fn discriminant(p: u64, q: u64, m: u64) -> u64 {
        let m = u128::from(m);
        ((u128::from(p) * u128::from(p) % m + 4 * (m - u128::from(q) % m)) % m) as u64
    }

    #[test]
    fn the_lucas_chain_matches_the_definition() {
        // Either side of the partly reduced form's limit; (1, 1) has D = −3, not invertible
        // modulo 3, 15 and 21, and (2, 1) has D = 0: those run the halving ladder.
        let moduli =
            [3u64, 5, 15, 21, 97, 1_000_000_007, (1 << 62) - 57, LazyMontgomery::MAX_M, (1 << 62) + 1, u64::MAX];
        for m in moduli {
            for (p, q) in [(3, (m - 5 % m) % m), (1, m - 1), (1, 1), (2, 1), (m - 1, 7), (12345 % m, 0), (0, 1)] {
                let d = discriminant(p, q, m);
                // n = 2^k − 1 (one bits only) is where lucas_uv_mod chooses the chain.
                for n in [1u64, 2, 3, 10, 63, 64, 65, 127, 255, 300, 511] {
                    let want = reference(n, p, q, m);
                    if let Ok(d_inv) = inverse_word(d, m) {
                        let got = if m <= LazyMontgomery::MAX_M {
                            by_chain(LazyMontgomery::new(m), p, q, d_inv, &[n])
                        } else {
                            by_chain(Montgomery::new(m), p, q, d_inv, &[n])
                        };
                        assert_eq!(got, want, "chain n={n} p={p} q={q} m={m}");
                    }
                    assert_eq!(lucas_uv_mod(&[n], p, q, m, &mut never).unwrap(), want, "n={n} p={p} q={q} m={m}");
                }
            }
        }
    }

    #[test]
    fn chain_and_halving_agree_on_long_indices() {
        let indices: [&[u64]; 5] =
            [&[u64::MAX], &[0x1B3D_5F7A_9C2E_4069], &[1 << 63], &[u64::MAX, u64::MAX], &[5, 1 << 40]];
        for m in [1_000_000_007u64, (1 << 62) - 57, (1 << 62) + 1, u64::MAX] {
            for (p, q) in [(3, m - 5), (1, m - 1), (0x1234_5678_9ABC % m, m / 3)] {
                let Ok(d_inv) = inverse_word(discriminant(p, q, m), m) else { continue };
                for n in indices {
                    let (chain, halving) = if m <= LazyMontgomery::MAX_M {
                        (by_chain(LazyMontgomery::new(m), p, q, d_inv, n), by_halving(LazyMontgomery::new(m), p, q, n))
                    } else {
                        (by_chain(Montgomery::new(m), p, q, d_inv, n), by_halving(Montgomery::new(m), p, q, n))
                    };
                    assert_eq!(chain, halving, "n={n:?} p={p} q={q} m={m}");
                    assert_eq!(lucas_uv_mod(n, p, q, m, &mut never).unwrap(), halving, "n={n:?} p={p} q={q} m={m}");
                }
            }
        }
    }

    #[test]
    fn the_chain_is_chosen_where_it_pays() {
        let m = (1u64 << 62) - 57;
        let mut r = LazyMontgomery::new(m);
        let (p, q) = (r.enter(3), r.enter(m - 5)); // D = 29
        let chosen = |r: &mut LazyMontgomery, p, q, n: &[u64]| chain_inverse(r, p, q, n).is_some();
        assert!(chosen(&mut r, p, q, &[u64::MAX]));
        assert!(chosen(&mut r, p, q, &[0x1B3D_5F7A_9C2E_4069]));
        assert!(!chosen(&mut r, p, q, &[1 << 63]), "zero bits only");
        assert!(!chosen(&mut r, p, q, &[1]));
        let (p1, q1) = (r.enter(2), r.enter(1)); // D = 0
        assert!(!chosen(&mut r, p1, q1, &[u64::MAX]), "D not invertible");
        // Half one bits: 33 products saved, worth D = 29's inverse but not that of a D
        // of 61 bits (neither it nor m − D is smaller).
        let half_ones = [0x8000_0000_FFFF_FFFF];
        assert!(chosen(&mut r, p, q, &half_ones));
        let (p2, q2) = (r.enter(0), r.enter(m / 3));
        assert!(!chosen(&mut r, p2, q2, &half_ones));
        assert!(chosen(&mut r, p2, q2, &[u64::MAX]));
    }

    #[test]
    fn fib_lucas_mod_matches_the_definition() {
        for m in [
            1u64,
            2,
            3,
            10,
            97,
            1 << 20,
            1_000_000_007,
            (1 << 62) - 57,
            LazyMontgomery::MAX_M,
            (1 << 62) + 1,
            1 << 63,
            u64::MAX,
        ] {
            for n in [0u64, 1, 2, 3, 4, 5, 63, 64, 65, 100, 301] {
                let (f, l) = reference(n, 1, m - 1, m);
                assert_eq!(fib_lucas_mod(&[n], Which::Fibonacci, m, &mut never).unwrap(), f, "F_{n} mod {m}");
                assert_eq!(fib_lucas_mod(&[n], Which::Lucas, m, &mut never).unwrap(), l, "L_{n} mod {m}");
            }
        }
    }

    #[test]
    fn montgomery_halving() {
        for m in [3u64, 1_000_000_007, u64::MAX] {
            let mut r = Montgomery::new(m);
            for x in [0u64, 1, 2, m - 1, m / 2] {
                let h = r.half(&r.enter(x)).unwrap();
                let back = r.add(&h, &h).unwrap();
                assert_eq!(r.leave(back), x % m, "m={m} x={x}");
            }
        }
    }

    #[test]
    fn multi_limb_exponent() {
        // n = 2^64 + 5: by the period of Fibonacci mod 10 (60), F_n ≡ F_{(2^64 + 5) mod 60}.
        let n_mod_60 = ((1u128 << 64) + 5) % 60;
        let (u, _) = lucas_uv_mod(&[5, 1], 1, 9, 10, &mut never).unwrap(); // Q = −1 ≡ 9 (mod 10)
        assert_eq!(u, reference(n_mod_60 as u64, 1, 9, 10).0);
    }
}
