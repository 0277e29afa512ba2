//! Jump-ahead: the n-th term of any linear recurrence in O(k² log n) ring operations.
//!
//! [`nth_term`] chooses the regime of a call, once, from its converted arguments: a word
//! modulus runs on machine words (Montgomery form and the CRT, transforms for large k), a
//! larger one on limbs ([`crate::modular::big::BigModulus`]), no modulus on checked `i64` while the result is small
//! and on [`Big`] otherwise, after refusing a result too large to compute.

pub mod big_rings;
pub mod fiduccia;
pub mod ntt;

use crate::bigint::{Big, Integer};
use crate::modular::Modulus;
use crate::terms::exact::{recurrence_result_bits, BigInts, Index, Refused};
use crate::terms::ladder::CheckedI64;
use crate::terms::Term;
use fiduccia::Output;

/// Why [`check_shape`] refused a recurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// No coefficients: a recurrence has order k >= 1.
    Empty,
    /// As many coefficients as initial values are needed: (coefficients, initial values).
    Mismatch(usize, usize),
}

/// Checks that `k` coefficients and `len` initial values describe a recurrence of order
/// k >= 1: the one rule `LucasIter` and `nth_term` share.
pub fn check_shape(k: usize, len: usize) -> Result<(), Shape> {
    match (k, len) {
        (0, _) => Err(Shape::Empty),
        (k, len) if k != len => Err(Shape::Mismatch(k, len)),
        _ => Ok(()),
    }
}

// ANCHOR: nth_term
/// The term x_n (`Output::Term`, one value) or the window x_n .. x_{n+k−1}
/// (`Output::Window`) of the recurrence with coefficients `coef` and window `init` at
/// position 0, for any integer n; values reduced into `0..m` with a modulus. `coef` and
/// `init` have the same length k >= 1 ([`check_shape`]). A negative n runs the recurrence
/// backwards, which needs c_0 = ±1 without a modulus and c_0 invertible modulo it.
pub fn nth_term<E>(
    coef: &[Integer],
    init: &[Integer],
    n: &Index,
    modulus: Option<&Modulus>,
    output: Output,
    check: &mut dyn FnMut() -> Result<(), E>,
) -> Result<Vec<Term<'static>>, Refused<E>> {
    // Backwards: the reversed recurrence's window at |n|, reversed (fiduccia::reversed).
    let inner = if n.negative { Output::Window } else { output };
    let finish = |mut w: Vec<Term<'static>>| {
        if n.negative {
            w.reverse();
            if output == Output::Term {
                w.truncate(1);
            }
        }
        w
    };
    let out = match modulus {
        Some(Modulus::Word(m)) if !n.negative && coef.len() == 2 => {
            // Order 2 forward (every Lucas sequence): the residues need no vectors.
            let m = *m;
            let (c, x) = ([coef[0].rem_word(m), coef[1].rem_word(m)], [init[0].rem_word(m), init[1].rem_word(m)]);
            let out = fiduccia::jump_mod(&c, &x, n.limbs, m, inner, check).map_err(Refused::Stopped)?;
            out.into_iter().map(Term::Word).collect()
        }
        Some(Modulus::Word(m)) => {
            let m = *m;
            let (mut c, mut x): (Vec<u64>, Vec<u64>) =
                (coef.iter().map(|v| v.rem_word(m)).collect(), init.iter().map(|v| v.rem_word(m)).collect());
            if n.negative {
                let mb = Big::from_limbs(false, &[m]);
                let inv = Big::from_limbs(false, &[c[0]]).inverse_mod(&mb).ok_or(Refused::NotInvertible)?;
                let inv = u128::from(inv.limbs().first().copied().unwrap_or(0));
                let (k, m128) = (c.len(), u128::from(m));
                let mut d = vec![inv as u64];
                for j in 1..k {
                    let t = u128::from(c[k - j]) * inv % m128;
                    d.push(((m128 - t) % m128) as u64);
                }
                c = d;
                x.reverse();
            }
            let out = fiduccia::jump_mod(&c, &x, n.limbs, m, inner, check).map_err(Refused::Stopped)?;
            out.into_iter().map(Term::Word).collect()
        }
        Some(Modulus::Big(m)) => {
            let mut residue = |v: &Integer| {
                let mut word = [0];
                let s = v.signed(&mut word);
                m.reduce_polled(s.magnitude, s.negative, &mut *check)
            };
            let c: Result<Vec<Vec<u64>>, E> = coef.iter().map(&mut residue).collect();
            let x: Result<Vec<Vec<u64>>, E> = init.iter().map(&mut residue).collect();
            let (mut c, mut x) = (c.map_err(Refused::Stopped)?, x.map_err(Refused::Stopped)?);
            if n.negative {
                let inv = m.inverse(&c[0]).ok_or(Refused::NotInvertible)?;
                (c, x) = m.reversed_polled(&c, &x, &inv, check).map_err(Refused::Stopped)?;
            }
            let out = m.jump(&c, &x, n.limbs, inner, check).map_err(Refused::Stopped)?;
            out.into_iter().map(Term::Residue).collect()
        }
        None => exact(coef, init, n, inner, check)?,
    };
    Ok(finish(out))
}
// ANCHOR_END: nth_term

/// The exact jump: a result over the n-th-term functions' size limit is refused before any
/// work, then checked `i64` words while the result is small, and [`Big`] otherwise.
fn exact<E>(
    coef: &[Integer],
    init: &[Integer],
    n: &Index,
    output: Output,
    check: &mut dyn FnMut() -> Result<(), E>,
) -> Result<Vec<Term<'static>>, Refused<E>> {
    let c0_inv = match (n.negative, coef[0].to_i64()) {
        (false, _) => None,
        (true, Some(c0 @ (1 | -1))) => Some(Big::from_i64(c0)),
        (true, _) => return Err(Refused::NotInvertible),
    };
    let (c, x): (Vec<Big>, Vec<Big>) =
        (coef.iter().map(Integer::to_big).collect(), init.iter().map(Integer::to_big).collect());
    let mut r = BigInts::new(check);
    let (c, x) = match &c0_inv {
        Some(inv) => fiduccia::reversed(&mut r, &c, &x, inv).map_err(Refused::Stopped)?,
        None => (c, x),
    };
    let bits = recurrence_result_bits(&Index::new(n.limbs, false), &c, &x)?;
    if bits < 62.0 {
        let words = |v: &[Big]| v.iter().map(Big::to_i64).collect::<Option<Vec<i64>>>();
        if let (Some(cw), Some(xw)) = (words(&c), words(&x)) {
            if let Ok(out) = fiduccia::jump(&mut CheckedI64, &cw, &xw, n.limbs, output) {
                return Ok(out.into_iter().map(|v| Term::Small(v.into())).collect());
            }
        }
    }
    let out = fiduccia::jump(&mut r, &c, &x, n.limbs, output).map_err(Refused::Stopped)?;
    Ok(out.into_iter().map(Term::Big).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    fn none() -> Result<(), Infallible> {
        Ok(())
    }

    fn value(t: &Term<'_>) -> i128 {
        t.to_i128()
    }

    /// x_t for t in -back..=ahead by stepping the recurrence both ways (c_0 = ±1).
    fn stepped(c: &[i128], init: &[i128], t: i64) -> i128 {
        let k = c.len();
        let mut w: Vec<i128> = init.to_vec();
        if t >= 0 {
            for _ in 0..t {
                let next = c.iter().zip(&w).map(|(a, b)| a * b).sum();
                w.remove(0);
                w.push(next);
            }
        } else {
            for _ in 0..-t {
                // x_t = (x_{t+k} − Σ_{j>=1} c_j x_{t+j}) / c_0
                let rest: i128 = (1..k).map(|j| c[j] * w[j - 1]).sum();
                let prev = (w[k - 1] - rest) / c[0];
                w.pop();
                w.insert(0, prev);
            }
        }
        w[0]
    }

    #[test]
    fn every_regime_agrees_with_stepping() {
        let mut check = none;
        // Order 3, and order 2, which modulo a word takes a route of its own forwards.
        let recurrences: [(&[i128], &[i128]); 2] = [(&[1, 1, -1], &[2, -1, 3]), (&[-1, 3], &[-4, 7])];
        for (c, init) in recurrences {
            let k = c.len();
            let ci: Vec<Integer> = c.iter().map(|&v| Integer::Small(v as i64)).collect();
            let ii: Vec<Integer> = init.iter().map(|&v| Integer::Small(v as i64)).collect();
            let big_m = (1i128 << 64) + 13;
            for t in -30i64..=30 {
                let limbs = [t.unsigned_abs()];
                let n = Index::new(&limbs, t < 0);
                let want = stepped(c, init, t);
                let exact = nth_term(&ci, &ii, &n, None, Output::Term, &mut check).unwrap();
                assert_eq!(value(&exact[0]), want, "exact x_{t}, k={k}");
                for m in [97u64, 96] {
                    let word = nth_term(&ci, &ii, &n, Some(&Modulus::Word(m)), Output::Term, &mut check).unwrap();
                    assert_eq!(value(&word[0]), want.rem_euclid(m.into()), "x_{t} mod {m}, k={k}");
                    let window = nth_term(&ci, &ii, &n, Some(&Modulus::Word(m)), Output::Window, &mut check).unwrap();
                    assert_eq!(value(&window[0]), want.rem_euclid(m.into()), "window at {t} mod {m}, k={k}");
                    assert_eq!(window.len(), k);
                }
                let m = Modulus::from_limbs(&[13, 1]);
                let big = nth_term(&ci, &ii, &n, Some(&m), Output::Window, &mut check).unwrap();
                assert_eq!(value(&big[0]), want.rem_euclid(big_m), "x_{t} mod 2**64 + 13, k={k}");
                assert_eq!(big.len(), k);
            }
        }
        let two = [Integer::Small(2), Integer::Small(1)];
        let limbs = [5];
        let back = nth_term(&two, &two, &Index::new(&limbs, true), None, Output::Term, &mut check);
        assert_eq!(back.unwrap_err(), Refused::NotInvertible);
    }

    #[test]
    fn shapes() {
        assert_eq!(check_shape(0, 0), Err(Shape::Empty));
        assert_eq!(check_shape(2, 3), Err(Shape::Mismatch(2, 3)));
        assert_eq!(check_shape(2, 2), Ok(()));
    }
}
