//! The shortest recurrence modulo a prime power p^e: Reeds and Sloane's algorithm (pure
//! Rust, no FFI).
//!
//! Berlekamp–Massey modulo p^e fails when it must divide by a discrepancy that p divides.
//! Reeds and Sloane ("Shift-register synthesis (modulo m)", SIAM J. Comput. 14, 1985) keep
//! one candidate per power of p instead: for each level η in 0..e a pair of polynomials
//! (a_η, b_η) with a_η(0) = p^η and a_η·S ≡ b_η (mod x^k) after k terms (S = Σ s_t·x^t), of
//! least length L(a, b) = max(deg a, 1 + deg b). A discrepancy θ·p^u (θ a unit) at level η
//! is cancelled with the pair remembered for level g = e − 1 − u, whose own discrepancy
//! θ'·p^u' (u' <= u) was met r steps before: a_η ← a_η − (θ/θ')·p^(u−u')·x^(k−r)·a', and
//! the same for b. Only units are ever inverted. Level 0 (a_0(0) = 1) is the answer: a_0 is
//! a connection polynomial of length L(a_0, b_0).
//!
//! The result is checked against every term before it is returned; a violated step (which
//! the paper's theorems exclude) gives no answer rather than a wrong one.

#![forbid(unsafe_code)]

use crate::bigint::Big;
use std::cmp::max;

/// Z/p^eZ: ring operations, and a value split into a unit and a power of p.
pub trait PrimePower {
    type E: Clone + PartialEq;
    fn zero(&self) -> Self::E;
    fn add(&self, a: &Self::E, b: &Self::E) -> Self::E;
    fn sub(&self, a: &Self::E, b: &Self::E) -> Self::E;
    fn mul(&self, a: &Self::E, b: &Self::E) -> Self::E;
    /// p^u for u <= e (p^e is 0).
    fn p_power(&self, u: u32) -> Self::E;
    /// (θ, u) with c = θ·p^u and θ a unit, or u = e for c = 0.
    fn split(&self, c: &Self::E) -> (Self::E, u32);
    /// The inverse of a unit.
    fn inverse(&self, unit: &Self::E) -> Option<Self::E>;
}

/// Z/p^eZ for p^e < 2^64 on words (u128 products, one `%` each: this path is rare).
pub struct WordPower {
    p: u64,
    e: u32,
    q: u64,
}

impl WordPower {
    pub fn new(p: u64, e: u32) -> Self {
        let q = (0..e).fold(1u64, |acc, _| acc.checked_mul(p).expect("p^e < 2^64"));
        WordPower { p, e, q }
    }
}

impl PrimePower for WordPower {
    type E = u64;
    fn zero(&self) -> u64 {
        0
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        ((u128::from(*a) + u128::from(*b)) % u128::from(self.q)) as u64
    }
    fn sub(&self, a: &u64, b: &u64) -> u64 {
        ((u128::from(*a) + u128::from(self.q) - u128::from(*b)) % u128::from(self.q)) as u64
    }
    fn mul(&self, a: &u64, b: &u64) -> u64 {
        (u128::from(*a) * u128::from(*b) % u128::from(self.q)) as u64
    }
    fn p_power(&self, u: u32) -> u64 {
        (0..u).fold(1u64, |acc, _| acc * self.p) % self.q
    }
    fn split(&self, c: &u64) -> (u64, u32) {
        if *c == 0 {
            return (0, self.e);
        }
        let (mut theta, mut u) = (*c, 0);
        while theta % self.p == 0 {
            theta /= self.p;
            u += 1;
        }
        (theta, u)
    }
    fn inverse(&self, unit: &u64) -> Option<u64> {
        crate::modular::word::inverse_word(*unit, self.q).ok()
    }
}

/// Z/p^eZ on [`Big`] values in `0..p^e`.
pub struct BigPower {
    p: Big,
    e: u32,
    q: Big,
}

impl BigPower {
    pub fn new(p: Big, e: u32) -> Self {
        let q = (0..e).fold(Big::from_i64(1), |acc, _| acc.mul(&p));
        BigPower { p, e, q }
    }
}

impl PrimePower for BigPower {
    type E = Big;
    fn zero(&self) -> Big {
        Big::zero()
    }
    fn add(&self, a: &Big, b: &Big) -> Big {
        a.add(b).rem_euclid(&self.q)
    }
    fn sub(&self, a: &Big, b: &Big) -> Big {
        a.sub(b).rem_euclid(&self.q)
    }
    fn mul(&self, a: &Big, b: &Big) -> Big {
        a.mul(b).rem_euclid(&self.q)
    }
    fn p_power(&self, u: u32) -> Big {
        (0..u).fold(Big::from_i64(1), |acc, _| acc.mul(&self.p)).rem_euclid(&self.q)
    }
    fn split(&self, c: &Big) -> (Big, u32) {
        if c.is_zero() {
            return (Big::zero(), self.e);
        }
        let (mut theta, mut u) = (c.clone(), 0);
        loop {
            let (quotient, rest) = theta.div_rem_floor(&self.p);
            if !rest.is_zero() {
                return (theta, u);
            }
            theta = quotient;
            u += 1;
        }
    }
    fn inverse(&self, unit: &Big) -> Option<Big> {
        super::rings::inverse_big(unit, &self.q).ok()
    }
}

/// a(x), b(x) with a·S ≡ b (mod x^k), no zero coefficients at the top.
#[derive(Clone)]
struct Pair<E> {
    a: Vec<E>,
    b: Vec<E>,
}

impl<E: Clone + PartialEq> Pair<E> {
    /// L(a, b) = max(deg a, 1 + deg b).
    fn length(&self) -> usize {
        max(self.a.len().saturating_sub(1), self.b.len())
    }
}

/// A pair remembered for a level: its discrepancy θ·p^u, met at step `step`.
struct Remembered<E> {
    pair: Pair<E>,
    theta: E,
    u: u32,
    step: usize,
}

/// p ← p − f·x^shift·q, then trimmed.
fn sub_shifted<R: PrimePower>(r: &R, p: &mut Vec<R::E>, f: &R::E, shift: usize, q: &[R::E]) {
    if p.len() < q.len() + shift {
        p.resize(q.len() + shift, r.zero());
    }
    for (x, y) in p[shift..].iter_mut().zip(q) {
        *x = r.sub(x, &r.mul(f, y));
    }
    trim(r, p);
}

fn trim<R: PrimePower>(r: &R, p: &mut Vec<R::E>) {
    let zero = r.zero();
    while p.last() == Some(&zero) {
        p.pop();
    }
}

/// The connection polynomial (C_0 = 1, length L + 1) of a shortest recurrence modulo p^e
/// for the terms `s` (reduced), or `None` if a step the algorithm relies on fails.
pub fn reeds_sloane<R: PrimePower, X>(
    r: &R,
    e: u32,
    s: &[R::E],
    poll: &mut dyn FnMut() -> Result<(), X>,
) -> Result<Option<Vec<R::E>>, X> {
    let levels = e as usize;
    let mut pairs: Vec<Pair<R::E>> = (0..e).map(|eta| Pair { a: vec![r.p_power(eta)], b: Vec::new() }).collect();
    let mut remembered: Vec<Option<Remembered<R::E>>> = (0..levels).map(|_| None).collect();
    for (k, _) in s.iter().enumerate() {
        poll()?;
        // The discrepancy of every level at x^k, split as θ·p^u.
        let split: Vec<(R::E, u32)> = pairs
            .iter()
            .map(|pair| {
                let mut c = r.zero();
                for (j, aj) in pair.a.iter().enumerate().take(k + 1) {
                    c = r.add(&c, &r.mul(aj, &s[k - j]));
                }
                if let Some(bk) = pair.b.get(k) {
                    c = r.sub(&c, bk);
                }
                r.split(&c)
            })
            .collect();
        let mut next = pairs.clone();
        for (eta, (theta, u)) in split.iter().enumerate() {
            if *u == e {
                continue;
            }
            let g = levels - 1 - *u as usize;
            let pair = &mut next[eta];
            match &remembered[g] {
                None => {
                    // No pair to cancel with yet: the discrepancy joins b.
                    if pair.b.len() <= k {
                        pair.b.resize(k + 1, r.zero());
                    }
                    pair.b[k] = r.add(&pair.b[k], &r.mul(theta, &r.p_power(*u)));
                }
                Some(old) => {
                    if old.u > *u {
                        return Ok(None);
                    }
                    let Some(inv) = r.inverse(&old.theta) else { return Ok(None) };
                    let f = r.mul(&r.mul(theta, &inv), &r.p_power(*u - old.u));
                    let shift = k - old.step;
                    sub_shifted(r, &mut pair.a, &f, shift, &old.pair.a);
                    sub_shifted(r, &mut pair.b, &f, shift, &old.pair.b);
                }
            }
        }
        for g in 0..levels {
            if next[g].length() > pairs[g].length() {
                let h = levels - 1 - split[g].1 as usize;
                let (theta, u) = split[h].clone();
                remembered[g] = Some(Remembered { pair: pairs[h].clone(), theta, u, step: k });
            }
        }
        pairs = next;
    }
    let answer = &pairs[0];
    let length = answer.length();
    if answer.a.first() != Some(&r.p_power(0)) || answer.a.len() > length + 1 {
        return Ok(None);
    }
    let mut conn = answer.a.clone();
    conn.resize(length + 1, r.zero());
    // The recurrence must generate every term; anything else means a step went wrong.
    for t in length..s.len() {
        let mut v = r.zero();
        for (i, ci) in conn.iter().enumerate() {
            v = r.add(&v, &r.mul(ci, &s[t - i]));
        }
        if v != r.zero() {
            return Ok(None);
        }
    }
    Ok(Some(conn))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never() -> Result<(), ()> {
        Ok(())
    }

    #[test]
    fn the_papers_example() {
        // 6, 3, 1, 5, 6 modulo 9 needs order 3 (x_{t+3} = 8·x_t + 2·x_{t+1} + 5·x_{t+2} is
        // one such recurrence); Berlekamp–Massey alone would divide by 3.
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let r = WordPower::new(3, 2);
        let conn = reeds_sloane(&r, 2, &[6, 3, 1, 5, 6], &mut never).unwrap().unwrap();
        assert_eq!(conn.len(), 4);
        // Word and big-integer rings run the same steps.
        for (p, e) in [(2u64, 5u32), (3, 3), (5, 2), (2, 63)] {
            let q = WordPower::new(p, e).q;
            let s: Vec<u64> = (0..12).map(|_| [0, p, p * p % q, 1, next() % q][(next() % 5) as usize]).collect();
            let r = WordPower::new(p, e);
            let conn = reeds_sloane(&r, e, &s, &mut never).unwrap().unwrap();
            let big = BigPower::new(Big::from_u64(p), e);
            let terms: Vec<Big> = s.iter().map(|&v| Big::from_u64(v)).collect();
            let conn_big = reeds_sloane(&big, e, &terms, &mut never).unwrap().unwrap();
            assert_eq!(conn_big, conn.iter().map(|&v| Big::from_u64(v)).collect::<Vec<_>>(), "{p}^{e} {s:?}");
        }
    }
}
