//! The shortest recurrence modulo any m >= 1 (pure Rust, no FFI).
//!
//! First Berlekamp–Massey runs modulo m itself: for a prime m that is the whole story, and
//! for most composites too, because the run only fails when a discrepancy it must divide by
//! shares a factor with m (`bm.rs`). Such a failure hands over that factor g, and m splits
//! into pairwise coprime parts (the coprime base of g and m/g). A recurrence modulo m is a
//! recurrence modulo each part and back (Chinese remainder theorem, coefficient by
//! coefficient), so the shortest length modulo m is the largest of the parts' lengths, and a
//! shorter recurrence x_{t+l} = c_0·x_t + ... is brought to that length by shifting:
//! x_{t+L} = 0·x_t + ... + 0·x_{t+L-l-1} + c_0·x_{t+L-l} + ... Each part is solved the same
//! way, recursively.
//!
//! Splitting ends at prime powers. Modulo a prime p the run never fails. Modulo p^e with
//! e >= 2 it succeeds when no division by a multiple of p is needed; when one is, Reeds and
//! Sloane's algorithm (`reeds_sloane.rs`) takes over. That needs p itself: a square factor
//! f^2 of m whose base f is 2**64 or more is not factored here, and the answer is then a
//! [`Refusal`], never a recurrence that is wrong or longer than necessary.

#![forbid(unsafe_code)]

use super::bm::{berlekamp_massey, coefficients, Outcome};
use super::reeds_sloane::{reeds_sloane, BigPower, WordPower};
use super::rings::{inverse_big, BigResidues, OddWord, TwoPower};
use crate::bigint::Big;

/// Why no recurrence is returned for a modulus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// f with f^2 dividing the modulus, where a division by a multiple of f was needed.
    pub factor: Big,
    /// Whether f is a prime (Reeds–Sloane then met a step it cannot take, which its theory
    /// excludes); otherwise f is 2**64 or more and was not factored.
    pub prime: bool,
}

/// The shortest recurrence's coefficients modulo m, in `LucasIter`'s convention (c_0 pairs
/// with the oldest value; their number is the order), or why there is none.
pub type Found<E> = Result<Vec<E>, Refusal>;

/// The shortest recurrence modulo a word m >= 1 for terms already reduced into `0..m`.
pub fn find_mod_word<X>(terms: &[u64], m: u64, poll: &mut dyn FnMut() -> Result<(), X>) -> Result<Found<u64>, X> {
    assert!(m >= 1);
    if m == 1 {
        return Ok(Ok(Vec::new()));
    }
    let split_at = match run_word(terms, m, poll)? {
        Some(Ok(c)) => return Ok(Ok(c)),
        Some(Err(g)) => Some(g),
        None => None, // an even m that is not a power of two: split at its power of two
    };
    let big_terms: Vec<Big> = terms.iter().map(|&t| Big::from_u64(t)).collect();
    let found = split(&big_terms, &Big::from_u64(m), split_at, poll)?;
    Ok(found.map(|c| c.iter().map(|v| v.to_u64().expect("below m")).collect()))
}

/// The shortest recurrence modulo m >= 1 (any size) for terms already reduced into `0..m`.
pub fn find_mod_big<X>(terms: &[Big], m: &Big, poll: &mut dyn FnMut() -> Result<(), X>) -> Result<Found<Big>, X> {
    solve(terms, m, poll)
}

/// One modulus q >= 1, dispatched on its size; `terms` are reduced here.
fn solve<X>(terms: &[Big], q: &Big, poll: &mut dyn FnMut() -> Result<(), X>) -> Result<Found<Big>, X> {
    if let Some(qw) = q.to_u64() {
        let words: Vec<u64> = terms.iter().map(|t| reduce_word(t, qw)).collect();
        if qw == 1 {
            return Ok(Ok(Vec::new()));
        }
        return match run_word(&words, qw, poll)? {
            Some(Ok(c)) => Ok(Ok(c.into_iter().map(Big::from_u64).collect())),
            Some(Err(g)) => split(terms, q, Some(g), poll),
            None => split(terms, q, None, poll),
        };
    }
    let reduced: Vec<Big> = terms.iter().map(|t| t.rem_euclid(q)).collect();
    let mut r = BigResidues::new(q.clone(), poll);
    match berlekamp_massey(&mut r, &reduced)? {
        Outcome::Found(lfsr) => Ok(Ok(coefficients(&mut r, &lfsr.conn)?)),
        Outcome::ZeroDivisor(g) => split(terms, q, Some(g), poll),
    }
}

/// x mod m for a word m >= 1.
fn reduce_word(x: &Big, m: u64) -> u64 {
    let r = crate::modular::limbs::rem_word(x.limbs(), m);
    if x.is_negative() && r != 0 {
        m - r
    } else {
        r
    }
}

/// Berlekamp–Massey modulo a word m >= 2 that is odd or a power of two: the coefficients,
/// or the factor a failed run shares with m. `None` for other even m.
fn run_word<X>(
    terms: &[u64],
    m: u64,
    poll: &mut dyn FnMut() -> Result<(), X>,
) -> Result<Option<Result<Vec<u64>, Big>>, X> {
    if m % 2 == 1 {
        let mut r = OddWord::new(m, poll);
        let s: Vec<u64> = terms.iter().map(|&t| r.enter(t)).collect();
        return Ok(Some(match berlekamp_massey(&mut r, &s)? {
            Outcome::Found(lfsr) => Ok(coefficients(&mut r, &lfsr.conn)?.into_iter().map(|c| r.leave(c)).collect()),
            Outcome::ZeroDivisor(g) => Err(g),
        }));
    }
    if m.is_power_of_two() {
        let mut r = TwoPower::new(m.trailing_zeros(), poll);
        return Ok(Some(match berlekamp_massey(&mut r, terms)? {
            Outcome::Found(lfsr) => Ok(coefficients(&mut r, &lfsr.conn)?.into_iter().map(|c| r.leave(c)).collect()),
            Outcome::ZeroDivisor(g) => Err(g),
        }));
    }
    Ok(None)
}

/// q split at g (a factor 1 < g < q a run revealed; `None`: q is even, split at its power
/// of two), each part solved, the results joined.
fn split<X>(terms: &[Big], q: &Big, g: Option<Big>, poll: &mut dyn FnMut() -> Result<(), X>) -> Result<Found<Big>, X> {
    let g = g.unwrap_or_else(|| {
        let tz = q.limbs().iter().position(|&l| l != 0).map_or(0, |i| i as u32 * 64 + q.limbs()[i].trailing_zeros());
        Big::from_limbs(false, &power_of_two_limbs(tz))
    });
    let cofactor = q.div_rem_floor(&g).0;
    let mut base = coprime_base(vec![(g, 1), (cofactor, 1)]);
    if base.len() == 1 {
        // q = f^e with e >= 2: split f itself where it can be factored.
        let (f, e) = base.pop().expect("one element");
        if f.to_u64().is_none() {
            return Ok(Err(Refusal { factor: f, prime: false }));
        }
        let primes = f.prime_factors();
        if primes.first() == primes.last() {
            return prime_power(terms, &primes[0], q, poll);
        }
        base = coprime_base(primes.into_iter().map(|p| (p, e)).collect());
    }
    let mut parts = Vec::with_capacity(base.len());
    for (f, e) in base {
        let part = power(&f, e);
        match solve(terms, &part, poll)? {
            Ok(c) => parts.push((part, c)),
            Err(refusal) => return Ok(Err(refusal)),
        }
    }
    Ok(Ok(join(parts)))
}

/// q = p^e (e >= 2) where Berlekamp–Massey met a multiple of p to divide by: Reeds and
/// Sloane's algorithm.
fn prime_power<X>(terms: &[Big], p: &Big, q: &Big, poll: &mut dyn FnMut() -> Result<(), X>) -> Result<Found<Big>, X> {
    let mut e = 0u32;
    let mut rest = q.clone();
    while rest != Big::from_i64(1) {
        rest = rest.div_rem_floor(p).0;
        e += 1;
    }
    let conn = match (q.to_u64(), p.to_u64()) {
        (Some(qw), Some(pw)) => {
            let words: Vec<u64> = terms.iter().map(|t| reduce_word(t, qw)).collect();
            reeds_sloane(&WordPower::new(pw, e), e, &words, poll)?.map(|c| c.into_iter().map(Big::from_u64).collect())
        }
        _ => {
            let reduced: Vec<Big> = terms.iter().map(|t| t.rem_euclid(q)).collect();
            reeds_sloane(&BigPower::new(p.clone(), e), e, &reduced, poll)?
        }
    };
    Ok(match conn {
        Some(conn) => Ok(conn[1..].iter().rev().map(|c| c.neg().rem_euclid(q)).collect()),
        None => Err(Refusal { factor: p.clone(), prime: true }),
    })
}

/// The limbs of 2^k.
fn power_of_two_limbs(k: u32) -> Vec<u64> {
    let mut limbs = vec![0u64; k as usize / 64 + 1];
    limbs[k as usize / 64] = 1 << (k % 64);
    limbs
}

fn power(f: &Big, e: u32) -> Big {
    (0..e).fold(Big::from_i64(1), |acc, _| acc.mul(f))
}

/// Pairwise coprime bases f > 1 with the same product of f^e as the input (factor
/// refinement): while two bases share a factor g, replace them by f_i/g, f_j/g and g.
fn coprime_base(mut items: Vec<(Big, u32)>) -> Vec<(Big, u32)> {
    let one = Big::from_i64(1);
    'refine: loop {
        items.retain(|(f, _)| *f != one);
        for i in 0..items.len() {
            for j in i + 1..items.len() {
                let g = items[i].0.gcd(&items[j].0);
                if g != one {
                    let (fj, ej) = items.swap_remove(j);
                    let (fi, ei) = items.swap_remove(i);
                    items.push((fi.div_rem_floor(&g).0, ei));
                    items.push((fj.div_rem_floor(&g).0, ej));
                    items.push((g, ei + ej));
                    continue 'refine;
                }
            }
        }
        return items;
    }
}

/// Recurrences modulo pairwise coprime parts joined into one modulo their product: each
/// shifted to the longest length (zeros in front), then the Chinese remainder theorem on
/// every coefficient.
fn join(parts: Vec<(Big, Vec<Big>)>) -> Vec<Big> {
    let order = parts.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
    let mut modulus = Big::from_i64(1);
    let mut joined = vec![Big::zero(); order];
    for (q, c) in parts {
        let pad = order - c.len();
        // x ≡ joined (mod modulus), x ≡ c (mod q): x = joined + modulus·t with
        // t = (c − joined)·modulus^(−1) mod q.
        let inv = inverse_big(&modulus.rem_euclid(&q), &q).expect("coprime parts");
        for (j, x) in joined.iter_mut().enumerate() {
            let target = if j < pad { Big::zero() } else { c[j - pad].clone() };
            let t = target.sub(x).mul(&inv).rem_euclid(&q);
            *x = x.add(&modulus.mul(&t));
        }
        modulus = modulus.mul(&q);
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never() -> Result<(), ()> {
        Ok(())
    }

    /// The terms x_0 .. x_{n-1} of the recurrence c (LucasIter's convention) modulo m.
    fn generate(c: &[u64], init: &[u64], n: usize, m: u64) -> Vec<u64> {
        let mut s = init.to_vec();
        while s.len() < n {
            let t = s.len() - c.len();
            let v = c
                .iter()
                .enumerate()
                .fold(0u128, |acc, (j, &cj)| (acc + u128::from(cj) * u128::from(s[t + j])) % u128::from(m));
            s.push(v as u64);
        }
        s.truncate(n);
        s
    }

    /// Whether c generates s modulo m.
    fn generates(c: &[u64], s: &[u64], m: u64) -> bool {
        s.len() < c.len() || generate(c, &s[..c.len()], s.len(), m) == s
    }

    /// The shortest order by trying every recurrence of each length (tiny m only).
    fn brute_order(s: &[u64], m: u64) -> usize {
        for l in 0..=s.len() {
            let count = (m as usize).pow(l as u32);
            for code in 0..count {
                let c: Vec<u64> = (0..l).map(|j| (code / (m as usize).pow(j as u32) % m as usize) as u64).collect();
                if generates(&c, s, m) {
                    return l;
                }
            }
        }
        unreachable!("the full length always works")
    }

    #[test]
    fn primes_and_composites_against_brute_force() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for (m, max_len) in [
            (2u64, 9),
            (3, 8),
            (4, 7),
            (5, 6),
            (6, 6),
            (8, 6),
            (9, 6),
            (10, 5),
            (12, 5),
            (16, 5),
            (25, 4),
            (27, 4),
            (32, 4),
        ] {
            for len in 0..=max_len {
                for _ in 0..60 {
                    // Many zeros and multiples of small primes: the cases Berlekamp–Massey
                    // alone cannot divide through.
                    let s: Vec<u64> = (0..len).map(|_| [0, 1, 2, 3, next() % m][(next() % 5) as usize] % m).collect();
                    let expect = brute_order(&s, m);
                    let c =
                        find_mod_word(&s, m, &mut never).unwrap().unwrap_or_else(|r| panic!("m={m} s={s:?}: {r:?}"));
                    assert!(generates(&c, &s, m), "m={m} s={s:?} c={c:?}");
                    assert_eq!(c.len(), expect, "m={m} s={s:?} c={c:?}");
                }
            }
        }
    }

    #[test]
    fn poll_stops_a_long_run() {
        // A long run of zero discrepancies after the first term: it must poll all the same.
        let mut polls = 0;
        let mut stop_at_second = || {
            polls += 1;
            if polls == 2 {
                Err("stop")
            } else {
                Ok(())
            }
        };
        assert_eq!(find_mod_word(&vec![1; 300_000], 97, &mut stop_at_second), Err("stop"));
        let big = Big::from_limbs(false, &[13, 1]);
        let mut polls = 0;
        let mut stop_at_first = || {
            polls += 1;
            Err("stop")
        };
        let terms: Vec<Big> = (0..300_000).map(|_| Big::from_i64(5)).collect();
        assert_eq!(find_mod_big(&terms, &big, &mut stop_at_first), Err("stop"));
    }

    #[test]
    fn joins_and_refusals() {
        // 0, 0, 1 modulo 2·3: order 3 (x_3 = x_0 for the run's choice).
        assert_eq!(find_mod_word(&[0, 0, 1], 6, &mut never).unwrap(), Ok(vec![1, 0, 0]));
        // Fibonacci modulo 10 = 2·5.
        let fib = generate(&[1, 1], &[0, 1], 30, 10);
        assert_eq!(find_mod_word(&fib, 10, &mut never).unwrap(), Ok(vec![1, 1]));
        // 1, 2, 0, 0 ... modulo 4: the shortest needs a division by 2.
        let r = find_mod_word(&[1, 2, 0, 0, 0, 0], 4, &mut never).unwrap();
        if let Err(r) = r {
            assert_eq!((r.factor, r.prime), (Big::from_i64(2), true));
        }
        assert_eq!(find_mod_word(&[5, 7], 1, &mut never).unwrap(), Ok(vec![]));
        // Modulo 4 the terms 2, 2, 2, 2, 1 need Reeds–Sloane (any shorter rule makes the odd
        // last term out of even ones: order 5).
        let c = find_mod_word(&[2, 2, 2, 2, 1], 4, &mut never).unwrap().unwrap();
        assert_eq!(c.len(), brute_order(&[2, 2, 2, 2, 1], 4));
        // Modulo 2^70 (past a word) as well, on big integers.
        let two_70 = Big::from_limbs(false, &[0, 1 << 6]);
        let terms: Vec<Big> = [2, 2, 2, 2, 1].iter().map(|&v| Big::from_i64(v)).collect();
        let c = find_mod_big(&terms, &two_70, &mut never).unwrap().unwrap();
        assert_eq!(c.len(), 5);
        // The square of a prime past 2**64 is not split: refused, never answered wrongly.
        let p = Big::from_limbs(false, &[u64::MAX, (1 << 25) - 1]); // 2^89 − 1
        let terms: Vec<Big> = vec![p.clone(), p.clone(), p.clone(), p.clone(), Big::from_i64(1)];
        let refusal = find_mod_big(&terms, &p.mul(&p), &mut never).unwrap().unwrap_err();
        assert_eq!((refusal.factor, refusal.prime), (p, false));
    }
}
