//! The Berlekamp–Massey algorithm over Z/mZ, generic over the ring (pure Rust, no FFI).
//!
//! Terms s_0, s_1, ... are read one at a time. After reading s_0 .. s_{n-1} the algorithm
//! holds a shortest recurrence for them as its *connection polynomial*
//! C(x) = 1 + C_1·x + ... + C_L·x^L, meaning s_t + C_1·s_{t-1} + ... + C_L·s_{t-L} = 0 for
//! every L <= t < n (C_L may be 0: the first terms are then free). For the next term it
//! computes the *discrepancy* d = s_n + C_1·s_{n-1} + ... + C_L·s_{n-L}. If d = 0 the
//! recurrence goes on. Otherwise it is corrected with the recurrence B held from the last
//! time the length changed (B failed then with discrepancy b, `shift` terms ago):
//! C ← C − (d/b)·x^shift·B cancels the new discrepancy and keeps every earlier equation
//! (Massey 1969). The length becomes max(L, n + 1 − L), which is the least any recurrence
//! for s_0 .. s_n can have (Massey's Theorem 1), so the final C is a shortest one.
//!
//! Only d/b needs a division, and b was a non-zero discrepancy. Over a field that is always
//! possible. Modulo a composite m nothing else changes as long as each b that is divided by
//! is a unit: the correction only adds and multiplies, and Massey's bound only substitutes
//! one recurrence into another, which is valid in any commutative ring, so the result is a
//! shortest recurrence modulo m. When a b to divide by is neither 0 nor a unit, the run stops
//! and reports the factor it shares with m: the caller splits m there (`modular.rs`).

#![forbid(unsafe_code)]

use crate::bigint::Big;
use crate::jump::fiduccia::Dot;

/// What Berlekamp–Massey needs besides ring arithmetic: recognising 0 and dividing.
pub trait Units: Dot {
    fn is_zero(&self, a: &Self::E) -> bool;
    /// The inverse of `a`, or `Err(g)` with g = gcd(a, m) when a is neither 0 nor a unit
    /// (so 1 < g < m).
    fn invert(&mut self, a: &Self::E) -> Result<Self::E, Big>;

    /// The canonical representative of `a`. A ring may keep the polynomials' coefficients
    /// only partly reduced (the corrections and dot products accept that); the run brings
    /// them to canonical form once, at its end. Discrepancies are always canonical.
    fn canonical(&self, a: Self::E) -> Self::E {
        a
    }

    /// c_i −= f·b_i for every i: the correction, where the run spends half its time. Word
    /// rings override it with a loop free of data-dependent branches.
    fn sub_multiple(&mut self, c: &mut [Self::E], f: &Self::E, b: &[Self::E]) -> Result<(), Self::Err> {
        for (x, y) in c.iter_mut().zip(b) {
            let t = self.mul(f, y)?;
            *x = self.sub(x, &t)?;
        }
        Ok(())
    }
}

/// A shortest recurrence found, as connection polynomials, with what the exact search over
/// the rationals needs to certify it (`rational.rs`).
#[derive(Clone, Debug)]
pub struct Lfsr<E> {
    /// The length L of the shortest recurrence.
    pub length: usize,
    /// C_0 = 1, C_1 .. C_L: s_t + C_1·s_{t-1} + ... + C_L·s_{t-L} = 0 for L <= t < N.
    pub conn: Vec<E>,
    /// The recurrence before the last change of length (empty when the length never
    /// changed, i.e. L = 0): of length `before_length`, it generates s_0 .. s_{n-1} but not
    /// s_n, for n = `last_change`.
    pub before: Vec<E>,
    pub before_length: usize,
    pub last_change: usize,
    /// Bit t is set when the discrepancy at s_t was not zero: the path the run took.
    pub nonzero: Vec<u64>,
}

/// The result of a run.
pub enum Outcome<E> {
    Found(Lfsr<E>),
    /// A discrepancy shared the factor g (1 < g < m) with the modulus.
    ZeroDivisor(Big),
}

/// How many element operations run between two calls of the ring's `bit_done` (where a
/// long run notices Ctrl-C).
const POLL_WORK: usize = 1 << 16;

/// Berlekamp–Massey on the terms `s` (ring elements).
pub fn berlekamp_massey<R: Units>(r: &mut R, s: &[R::E]) -> Result<Outcome<R::E>, R::Err> {
    let n_terms = s.len();
    let (zero, one) = (r.small(0)?, r.small(1)?);
    // The terms newest first, so that the discrepancy is one contiguous dot product:
    // C_1..C_L against s_{n-1} .. s_{n-L}, which is rev[N-n .. N-n+L].
    let rev: Vec<R::E> = s.iter().rev().cloned().collect();
    let mut conn = vec![one.clone()];
    let mut before = vec![one.clone()];
    let mut spare = Vec::new();
    let (mut length, mut before_length, mut last_change) = (0usize, 0usize, 0usize);
    // b, the discrepancy at the last change of length, and 1/b once it has been needed.
    let mut b = one.clone();
    let mut b_inv = Some(one.clone());
    let mut shift = 1usize;
    let mut nonzero = vec![0u64; n_terms.div_ceil(64)];
    let mut work = 0usize;
    for n in 0..n_terms {
        if work >= POLL_WORK {
            work = 0;
            r.bit_done()?;
        }
        work += length + 1;
        // ANCHOR: bm_step
        // d = s_n + C_1·s_{n-1} + ... + C_L·s_{n-L}
        let d = if length == 0 {
            s[n].clone()
        } else {
            let sum = r.dot(&conn[1..=length], &rev[n_terms - n..n_terms - n + length])?;
            r.add(&s[n], &sum)?
        };
        if r.is_zero(&d) {
            shift += 1; // C generates s_n too
            continue;
        }
        nonzero[n / 64] |= 1 << (n % 64);
        let inv = match b_inv.take() {
            Some(inv) => inv,
            None => match r.invert(&b) {
                Ok(inv) => inv,
                Err(g) => return Ok(Outcome::ZeroDivisor(g)),
            },
        };
        let factor = r.mul(&d, &inv)?;
        b_inv = Some(inv);
        let grows = 2 * length <= n;
        if grows {
            spare.clone_from(&conn); // the old C, into a buffer kept for it (no allocation)
        }
        // C ← C − (d/b)·x^shift·B: B failed by b, `shift` terms ago
        if conn.len() < before.len() + shift {
            conn.resize(before.len() + shift, zero.clone());
        }
        r.sub_multiple(&mut conn[shift..shift + before.len()], &factor, &before)?;
        if grows {
            // The length grows to n + 1 − L, the least Massey's bound allows; the old C is B.
            std::mem::swap(&mut before, &mut spare);
            (b, b_inv) = (d, None);
            (before_length, length, last_change, shift) = (length, n + 1 - length, n, 1);
        } else {
            shift += 1;
        }
        // ANCHOR_END: bm_step
        work += before.len();
    }
    for c in conn.iter_mut().chain(before.iter_mut()) {
        *c = r.canonical(c.clone());
    }
    // deg C <= L throughout (Massey); the vector may carry zeros past it.
    debug_assert!(conn.iter().skip(length + 1).all(|c| r.is_zero(c)));
    conn.resize(length + 1, zero);
    if length == 0 {
        before.clear();
    }
    Ok(Outcome::Found(Lfsr { length, conn, before, before_length, last_change, nonzero }))
}

/// The recurrence of a connection polynomial in `LucasIter`'s convention: c_0 .. c_{L-1}
/// with x_{t+L} = c_0·x_t + ... + c_{L-1}·x_{t+L-1}, i.e. c_j = −C_{L−j}.
pub fn coefficients<R: Units>(r: &mut R, conn: &[R::E]) -> Result<Vec<R::E>, R::Err> {
    let zero = r.small(0)?;
    conn[1..].iter().rev().map(|c| r.sub(&zero, c)).collect()
}
