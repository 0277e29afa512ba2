//! The shortest recurrence over the rationals, exactly (pure Rust, no FFI).
//!
//! Berlekamp–Massey over Q divides by discrepancies whose numerators and denominators grow
//! like determinants of the terms. Instead it runs modulo many word primes p (machine words,
//! Montgomery form), and the rationals are rebuilt from the residues: the Chinese remainder
//! theorem gives each coefficient modulo M = p_1·p_2·..., and rational reconstruction (the
//! extended Euclidean algorithm stopped half-way) finds the fraction a/b with |a|, b below
//! sqrt(M/2) that is congruent to it. More primes are taken until that succeeds and the
//! result is proven; nothing probabilistic decides the answer.
//!
//! *Which primes.* Modulo p the run follows the run over Q step by step until a discrepancy
//! that is not 0 over Q is 0 modulo p (p divides it); from then on it may go anywhere. A run
//! is summed up by its *path*, the set of steps with a non-zero discrepancy, and paths are
//! ordered by their first difference, the one with a non-zero discrepancy there being the
//! larger. The run over Q has the largest path of all (every other run leaves it at a step
//! where Q's has a non-zero discrepancy), and a prime with that path reproduces every value
//! of the run over Q reduced modulo p. So only primes sharing the largest path seen so far
//! are combined; a larger path discards them. Primes that go wrong divide a fixed non-zero
//! integer, so they are finitely many and the search ends.
//!
//! *The proof.* A candidate C of length L is accepted when
//! 1. it generates every term, checked exactly over the integers (C times its common
//!    denominator), so a length-L recurrence exists; and
//! 2. none shorter does: if 2L <= N, because the run modulo some p had length L, so the
//!    L×L Hankel matrix (s_{i+j}) is invertible modulo p (a singular one would give a
//!    shorter recurrence modulo p), hence over Q, where a shorter recurrence would make it
//!    singular; if 2L > N, by Massey's Theorem 1 applied to the recurrence B the run held
//!    before its last change of length, at step n: checked exactly to generate
//!    s_0 .. s_{n-1} but not s_n, it bounds every recurrence for s_0 .. s_n to length
//!    n + 1 − len(B) = L or more.
//!
//! When 2L <= N the shortest recurrence is unique; otherwise the one returned is the run
//! over Q's.

#![forbid(unsafe_code)]

use super::bm::{berlekamp_massey, Lfsr, Outcome};
use super::rings::OddWord;
use crate::bigint::Big;
use crate::modular::limbs::rem_word;
use crate::modular::word::inverse_word;
use crate::primality::prp::{is_bpsw_prp, Lucas};
use std::cmp::Ordering;
use std::convert::Infallible;

/// The shortest recurrence over Q in `LucasIter`'s convention: coefficient j is
/// `(numerator, denominator)`, in lowest terms with a positive denominator.
pub type Fractions = Vec<(Big, Big)>;

/// The shortest recurrence over Q generating `terms` (empty for all zeros).
pub fn find_exact<X>(terms: &[Big], poll: &mut dyn FnMut() -> Result<(), X>) -> Result<Fractions, X> {
    if terms.iter().all(Big::is_zero) {
        return Ok(Vec::new());
    }
    let mut primes = WordPrimes::new();
    let mut group: Option<Group> = None;
    let mut next_attempt = 1;
    loop {
        let p = primes.next();
        let lfsr = run_mod_prime(terms, p, poll)?;
        poll()?;
        let order = group.as_ref().map_or(Ordering::Greater, |g| path_order(&lfsr.nonzero, &g.path));
        if order == Ordering::Less {
            continue;
        }
        if order == Ordering::Greater {
            group = Some(Group::new(&lfsr, terms.len()));
            next_attempt = 1;
        }
        let group = group.as_mut().expect("set above");
        group.add(p, &lfsr);
        if group.primes >= next_attempt {
            next_attempt *= 2;
            if let Some(found) = group.attempt(terms, poll)? {
                return Ok(found);
            }
        }
    }
}

/// The run modulo a word prime p, with the polynomials as residues in `0..p`.
fn run_mod_prime<X>(terms: &[Big], p: u64, poll: &mut dyn FnMut() -> Result<(), X>) -> Result<Lfsr<u64>, X> {
    let mut r = OddWord::new(p, poll);
    let s: Vec<u64> = terms.iter().map(|t| r.enter(reduce(t, p))).collect();
    match berlekamp_massey(&mut r, &s)? {
        Outcome::Found(mut lfsr) => {
            for v in lfsr.conn.iter_mut().chain(lfsr.before.iter_mut()) {
                *v = r.leave(*v);
            }
            Ok(lfsr)
        }
        Outcome::ZeroDivisor(_) => unreachable!("modulo a prime every non-zero value is a unit"),
    }
}

/// x mod p.
fn reduce(x: &Big, p: u64) -> u64 {
    let r = rem_word(x.limbs(), p);
    if x.is_negative() && r != 0 {
        p - r
    } else {
        r
    }
}

// ANCHOR: path_order
/// Paths compared by their first difference: the one with a non-zero discrepancy there is
/// the larger.
fn path_order(a: &[u64], b: &[u64]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            let first = (x ^ y).trailing_zeros();
            return if x >> first & 1 == 1 { Ordering::Greater } else { Ordering::Less };
        }
    }
    Ordering::Equal
}
// ANCHOR_END: path_order

/// The primes below 2**64, downwards (Baillie–PSW, which is exact below 2**64).
struct WordPrimes {
    next: u64,
}

impl WordPrimes {
    fn new() -> Self {
        WordPrimes { next: u64::MAX }
    }

    fn next(&mut self) -> u64 {
        let mut never = || Ok::<(), Infallible>(());
        loop {
            let n = self.next;
            self.next -= 2;
            if matches!(is_bpsw_prp(&[n], Lucas::Strong, &mut never), Ok(true)) {
                return n;
            }
        }
    }
}

/// The primes sharing the largest path seen, with their polynomials joined by the Chinese
/// remainder theorem (each value modulo `modulus`, in `0..modulus`).
struct Group {
    path: Vec<u64>,
    length: usize,
    before_length: usize,
    last_change: usize,
    /// Whether the proof needs B (2L > N).
    needs_before: bool,
    modulus: Big,
    conn: Vec<Big>,
    before: Vec<Big>,
    primes: usize,
}

impl Group {
    fn new(lfsr: &Lfsr<u64>, n_terms: usize) -> Self {
        let needs_before = 2 * lfsr.length > n_terms;
        Group {
            path: lfsr.nonzero.clone(),
            length: lfsr.length,
            before_length: lfsr.before_length,
            last_change: lfsr.last_change,
            needs_before,
            modulus: Big::from_i64(1),
            conn: vec![Big::zero(); lfsr.conn.len()],
            before: if needs_before { vec![Big::zero(); lfsr.before.len()] } else { Vec::new() },
            primes: 0,
        }
    }

    /// Adds the residues of one more prime p (same path, hence same lengths).
    fn add(&mut self, p: u64, lfsr: &Lfsr<u64>) {
        let inv = inverse_word(reduce(&self.modulus, p), p).expect("distinct primes");
        let pairs = self.conn.iter_mut().zip(&lfsr.conn);
        let pairs = pairs.chain(self.before.iter_mut().zip(&lfsr.before));
        for (x, &r) in pairs {
            // x + modulus·t ≡ r (mod p): t = (r − x)·modulus^(−1) mod p.
            let diff = (u128::from(r) + u128::from(p) - u128::from(reduce(x, p))) % u128::from(p);
            let t = diff * u128::from(inv) % u128::from(p);
            *x = x.add(&self.modulus.mul(&Big::from_u64(t as u64)));
        }
        self.modulus = self.modulus.mul(&Big::from_u64(p));
        self.primes += 1;
    }

    /// The proven recurrence, if the residues so far determine it.
    fn attempt<X>(&self, terms: &[Big], poll: &mut dyn FnMut() -> Result<(), X>) -> Result<Option<Fractions>, X> {
        let Some((den, nums)) = reconstruct(&self.conn, &self.modulus) else { return Ok(None) };
        let l = self.length;
        // ANCHOR: proof
        // 1. C generates every term: den·s_t + z_1·s_{t-1} + ... + z_L·s_{t-L} = 0.
        if !vanishes(&nums, terms, l..terms.len(), poll)? {
            return Ok(None);
        }
        // 2. No shorter recurrence: from the prime's length if 2L <= N, else from B.
        if self.needs_before {
            let Some((_, w)) = reconstruct(&self.before, &self.modulus) else { return Ok(None) };
            let (ell, n) = (self.before_length, self.last_change);
            if !vanishes(&w, terms, ell..n, poll)? || relation(&w, terms, n).is_zero() {
                return Ok(None);
            }
        }
        // ANCHOR_END: proof
        // c_j = −C_{L−j} = −z_{L−j}/den.
        Ok(Some(
            (0..l)
                .map(|j| {
                    let z = nums[l - j].neg();
                    let g = z.gcd(&den);
                    (z.div_rem_floor(&g).0, den.div_rem_floor(&g).0)
                })
                .collect(),
        ))
    }
}

/// Whether the integer polynomial z generates the terms at every step t of `steps` (calling
/// `poll` now and then: each step is a row of big products).
fn vanishes<X>(
    z: &[Big],
    s: &[Big],
    steps: std::ops::Range<usize>,
    poll: &mut dyn FnMut() -> Result<(), X>,
) -> Result<bool, X> {
    for t in steps {
        if t % 64 == 0 {
            poll()?;
        }
        if !relation(z, s, t).is_zero() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// z_0·s_t + z_1·s_{t-1} + ... for the integer polynomial z (no more terms than t + 1).
fn relation(z: &[Big], s: &[Big], t: usize) -> Big {
    z.iter().enumerate().fold(Big::zero(), |acc, (i, zi)| if zi.is_zero() { acc } else { acc.add(&zi.mul(&s[t - i])) })
}

/// Integers z_0 .. z_k, z_0 = d > 0, with x_i ≡ z_i/d (mod m) for the residues x_0 = 1,
/// x_1 .. x_k, where every fraction has numerator and denominator below sqrt(m/2): the
/// common denominator grows only when a value needs it (the first rational one usually
/// fixes it for all).
fn reconstruct(values: &[Big], m: &Big) -> Option<(Big, Vec<Big>)> {
    // bound = 2^h with 2·bound² <= m; m is odd, so the reconstruction is unique.
    let h = (m.bit_length().saturating_sub(2) / 2) as u32;
    let bound = Big::from_limbs(false, &{
        let mut limbs = vec![0u64; h as usize / 64 + 1];
        limbs[h as usize / 64] = 1 << (h % 64);
        limbs
    });
    let half = m.div_rem_floor(&Big::from_i64(2)).0;
    let mut d = Big::from_i64(1);
    let mut nums: Vec<Big> = Vec::with_capacity(values.len());
    for x in values {
        // y ≡ d·x, in (−m/2, m/2].
        let mut y = d.mul(x).rem_euclid(m);
        if y > half {
            y = y.sub(m);
        }
        if y.cmp_abs(&bound) != Ordering::Greater {
            nums.push(y);
            continue;
        }
        let (a, b) = rational_reconstruction(&y.rem_euclid(m), m, &bound)?;
        d = d.mul(&b);
        if d.cmp_abs(&bound) == Ordering::Greater {
            return None;
        }
        for z in nums.iter_mut() {
            *z = z.mul(&b);
        }
        nums.push(a);
    }
    Some((d, nums))
}

/// The fraction a/b ≡ u (mod m) with |a| <= bound and 0 < b <= bound, if any: the
/// extended Euclidean algorithm on (m, u), stopped at the first remainder within the bound.
fn rational_reconstruction(u: &Big, m: &Big, bound: &Big) -> Option<(Big, Big)> {
    let (mut r0, mut r1) = (m.clone(), u.clone());
    let (mut t0, mut t1) = (Big::zero(), Big::from_i64(1));
    while r1.cmp_abs(bound) == Ordering::Greater {
        let (q, r) = r0.div_rem_floor(&r1);
        (r0, r1) = (r1, r);
        let t = t0.sub(&q.mul(&t1));
        (t0, t1) = (t1, t);
    }
    if t1.is_zero() || t1.cmp_abs(bound) == Ordering::Greater {
        return None;
    }
    Some(if t1.is_negative() { (r1.neg(), t1.neg()) } else { (r1, t1) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never() -> Result<(), ()> {
        Ok(())
    }

    fn bigs(v: &[i64]) -> Vec<Big> {
        v.iter().map(|&x| Big::from_i64(x)).collect()
    }

    fn frac(n: i64, d: i64) -> (Big, Big) {
        (Big::from_i64(n), Big::from_i64(d))
    }

    #[test]
    fn known_sequences() {
        let fib = bigs(&[0, 1, 1, 2, 3, 5, 8, 13, 21, 34]);
        assert_eq!(find_exact(&fib, &mut never).unwrap(), vec![frac(1, 1), frac(1, 1)]);
        // 2, 1: order 1 with x_{t+1} = x_t / 2.
        assert_eq!(find_exact(&bigs(&[2, 1]), &mut never).unwrap(), vec![frac(1, 2)]);
        assert_eq!(find_exact(&bigs(&[0, 0, 0]), &mut never).unwrap(), vec![]);
        assert_eq!(find_exact(&bigs(&[0, 0, 7]), &mut never).unwrap(), vec![frac(7, 1), frac(0, 1), frac(0, 1)]);
        // n^2: (x - 1)^3.
        let squares: Vec<i64> = (0..10).map(|n| n * n).collect();
        assert_eq!(find_exact(&bigs(&squares), &mut never).unwrap(), vec![frac(1, 1), frac(-3, 1), frac(3, 1)]);
    }

    #[test]
    fn paths_order_by_first_difference() {
        assert_eq!(path_order(&[0b101], &[0b001]), Ordering::Greater);
        assert_eq!(path_order(&[0b011], &[0b101]), Ordering::Greater);
        assert_eq!(path_order(&[0b100], &[0b101]), Ordering::Less);
        assert_eq!(path_order(&[7, 1], &[7, 1]), Ordering::Equal);
    }
}
