//! n-th terms of the Fibonacci, Lucas and Lucas (U, V) sequences by doubling.
//!
//! [`fib_or_lucas`] and [`lucas_uv`] are where a call's regime is chosen, once, from its
//! converted arguments: a word modulus runs the ladders on machine words, a larger one on
//! limbs ([`crate::modular::big::BigModulus`]); without a modulus the result's size
//! decides between checked `i128`, limbs on the stack and [`Big`]. The caller turns the
//! [`Term`] into its own integer type once.

pub mod exact;
pub mod ladder;
pub mod products;
pub mod small;
pub mod small_uv;

use crate::bigint::{Big, Integer};
use crate::modular::limbs::Signed;
use crate::modular::word::{fib_lucas_mod, lucas_uv_mod};
use crate::modular::Modulus;
use exact::{at_negative_index, fib_or_lucas_exact, lucas_uv_exact, sign_flips, Index, Parts, Refused};
use ladder::{CheckedI128, Which};

/// A computed value, in the representation its regime produced.
#[derive(Debug, PartialEq)]
pub enum Term<'a> {
    /// A residue in `0..m` of a word modulus m.
    Word(u64),
    /// An exact value of at most 127 bits.
    Small(i128),
    /// ±(a magnitude as little-endian limbs), borrowed from the ladder's work area.
    Limbs { negative: bool, limbs: &'a [u64] },
    /// A residue in `0..m` of a modulus of 2**64 or more: m's number of limbs.
    Residue(Vec<u64>),
    /// Any other value (an exact result).
    Big(Big),
}

impl Term<'_> {
    /// The same value, owning its limbs: a [`Term::Limbs`] borrowed from a work area
    /// becomes a [`Term::Big`], so that it can leave the call that computed it.
    pub fn into_owned(self) -> Term<'static> {
        match self {
            Term::Word(w) => Term::Word(w),
            Term::Small(v) => Term::Small(v),
            Term::Limbs { negative, limbs } => Term::Big(Big::from_limbs(negative, limbs)),
            Term::Residue(limbs) => Term::Residue(limbs),
            Term::Big(b) => Term::Big(b),
        }
    }
}

#[cfg(test)]
impl Term<'_> {
    /// The value, for tests whose values fit an i128.
    pub(crate) fn to_i128(&self) -> i128 {
        match self {
            Term::Word(w) => (*w).into(),
            Term::Small(v) => *v,
            Term::Limbs { negative, limbs } => Big::from_limbs(*negative, limbs).to_i128().expect("an i128"),
            Term::Residue(limbs) => Big::from_limbs(false, limbs).to_i128().expect("an i128"),
            Term::Big(b) => b.to_i128().expect("an i128"),
        }
    }
}

/// The largest |n| tried on `i128` (L_185 < 2**127 < F_186 is the last Lucas number that fits).
const I128_MAX_N: u64 = 185;

/// [`fib_or_lucas`] when the term is short work, None otherwise: an exact term of |n| up to
/// [`small::SHORT_MAX_N`], built on `i128` or a stack buffer without a `check` (and never
/// refused). A caller can keep its lock (the extension: the GIL) for such a call and let
/// `finish` read the stack buffer; for None it runs [`fib_or_lucas`] as work long enough to
/// be polled.
pub fn fib_or_lucas_short<T>(
    n: &Index,
    which: Which,
    modulus: Option<&Modulus>,
    finish: impl FnOnce(Term<'_>) -> T,
) -> Option<T> {
    if modulus.is_some() || n.abs_word().is_none_or(|a| a > small::SHORT_MAX_N) {
        return None;
    }
    let mut unpolled = || Ok::<(), std::convert::Infallible>(());
    fib_or_lucas(n, which, None, &mut unpolled, finish).ok()
}

// ANCHOR: fib_or_lucas
/// F_n or L_n (`which`) for any integer n, modulo `modulus` if given, handed to `finish`
/// (which may borrow a stack buffer's limbs, so the value is not copied on its way out).
pub fn fib_or_lucas<E, T>(
    n: &Index,
    which: Which,
    modulus: Option<&Modulus>,
    check: &mut dyn FnMut() -> Result<(), E>,
    finish: impl FnOnce(Term<'_>) -> T,
) -> Result<T, Refused<E>> {
    let flips = sign_flips(n.negative, n.is_odd(), which);
    match modulus {
        Some(Modulus::Word(m)) => {
            let x = fib_lucas_mod(n.limbs, which, *m, check).map_err(Refused::Stopped)?;
            Ok(finish(Term::Word(if flips && x != 0 { m - x } else { x })))
        }
        Some(Modulus::Big(m)) => {
            let x = m.fib_lucas(n.limbs, which, check).map_err(Refused::Stopped)?;
            Ok(finish(Term::Residue(if flips { m.neg(&x) } else { x })))
        }
        None => {
            if let Some(a) = n.abs_word() {
                if (1..=I128_MAX_N).contains(&a) {
                    if let Ok(x) = ladder::fib_or_lucas(&mut CheckedI128, &[a], which) {
                        return Ok(finish(Term::Small(if flips { -x } else { x })));
                    }
                }
                if (1..=small::MAX_N).contains(&a) {
                    let limbs = |limbs: &[u64]| finish(Term::Limbs { negative: flips, limbs });
                    let term = small::fib_or_lucas_small(a, which, check, limbs).expect("1 <= n <= MAX_N");
                    return term.map_err(Refused::Stopped);
                }
            }
            Ok(finish(Term::Big(fib_or_lucas_exact(n, which, check)?)))
        }
    }
}
// ANCHOR_END: fib_or_lucas

/// (U_n, V_n) of the Lucas sequences with parameters P = p, Q = q for any integer n, modulo
/// `modulus` if given. Without a modulus only the parts `parts` names are exact (a zero U_n
/// is returned even when V_n would be too large; the other part is then 0). A negative n
/// needs Q = ±1 without a modulus and Q invertible modulo it:
/// U_{-n} = −U_n·Q^(−n), V_{-n} = V_n·Q^(−n).
pub fn lucas_uv<E>(
    n: &Index,
    p: &Integer,
    q: &Integer,
    modulus: Option<&Modulus>,
    parts: Parts,
    check: &mut dyn FnMut() -> Result<(), E>,
) -> Result<(Term<'static>, Term<'static>), Refused<E>> {
    match modulus {
        Some(Modulus::Word(m)) => {
            let m = *m;
            let (u, v) = lucas_uv_mod(n.limbs, p.rem_word(m), q.rem_word(m), m, check).map_err(Refused::Stopped)?;
            if !n.negative {
                return Ok((Term::Word(u), Term::Word(v)));
            }
            let mb = Big::from_limbs(false, &[m]);
            let q_inv = Big::from_limbs(false, &[q.rem_word(m)]).inverse_mod(&mb).ok_or(Refused::NotInvertible)?;
            let q_inv_n = u128::from(q_inv.pow_mod(n.limbs, &mb).limbs().first().copied().unwrap_or(0));
            let times = |x: u64| (u128::from(x) * q_inv_n % u128::from(m)) as u64;
            let minus_u = (m - times(u)) % m;
            Ok((Term::Word(minus_u), Term::Word(times(v))))
        }
        Some(Modulus::Big(m)) => {
            let (mut pw, mut qw) = ([0], [0]);
            let (ps, qs) = (p.signed(&mut pw), q.signed(&mut qw));
            let (u, v) = m.lucas_uv(n.limbs, ps, qs, check).map_err(Refused::Stopped)?;
            if !n.negative {
                return Ok((Term::Residue(u), Term::Residue(v)));
            }
            let q_mod = m.reduce_polled(qs.magnitude, qs.negative, check).map_err(Refused::Stopped)?;
            let q_inv = m.inverse(&q_mod).ok_or(Refused::NotInvertible)?;
            let q_inv_n = m.pow_polled(&q_inv, n.limbs, check).map_err(Refused::Stopped)?;
            Ok((Term::Residue(m.neg(&m.mul(&u, &q_inv_n))), Term::Residue(m.mul(&v, &q_inv_n))))
        }
        None => {
            let q_unit = matches!(q.to_i64(), Some(1 | -1));
            if n.negative && !q_unit {
                return Err(Refused::NotInvertible);
            }
            let small = match (n.abs_word(), p.to_i64(), q.to_i64()) {
                (Some(a), Some(p), Some(q)) => small_uv::lucas_uv_small(a, p, q, |u, v| (owned(u), owned(v))),
                _ => None,
            };
            let (mut u, mut v) = match small {
                Some(uv) => uv,
                None => lucas_uv_exact(n, p.to_big(), q.to_big(), parts, check)?,
            };
            if n.negative {
                (u, v) = at_negative_index(u, v, q.to_i64() == Some(-1), n.is_odd());
            }
            Ok((Term::Big(u), Term::Big(v)))
        }
    }
}

/// A signed value borrowed from a work buffer, as a [`Big`] that can leave the call.
fn owned(x: Signed) -> Big {
    Big::from_limbs(x.negative, x.magnitude)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    fn none() -> Result<(), Infallible> {
        Ok(())
    }

    fn value(t: Term<'_>) -> i128 {
        t.to_i128()
    }

    /// (U_n, V_n) by the recurrence, n >= 0.
    fn uv_steps(n: u64, p: i128, q: i128) -> (i128, i128) {
        let (mut u, mut u1, mut v, mut v1) = (0, 1, 2, p);
        for _ in 0..n {
            (u, u1) = (u1, p * u1 - q * u);
            (v, v1) = (v1, p * v1 - q * v);
        }
        (u, v)
    }

    #[test]
    fn every_regime_of_fib_or_lucas_agrees_with_the_recurrence() {
        let big_m = Modulus::from_limbs(&[5, 1]); // 2**64 + 5
        let big_m_value = (1i128 << 64) + 5;
        for n in -90i64..=90 {
            let limbs = [n.unsigned_abs()];
            let idx = Index::new(&limbs, n < 0);
            let (f, l) = uv_steps(n.unsigned_abs(), 1, -1);
            let sign_f = if n < 0 && n % 2 == 0 { -1 } else { 1 };
            let sign_l = if n < 0 && n % 2 != 0 { -1 } else { 1 };
            let mut check = none;
            let exact_f = fib_or_lucas(&idx, Which::Fibonacci, None, &mut check, value).unwrap();
            assert_eq!(exact_f, sign_f * f, "F_{n}");
            let exact_l = fib_or_lucas(&idx, Which::Lucas, None, &mut check, value).unwrap();
            assert_eq!(exact_l, sign_l * l, "L_{n}");
            for m in [1u64, 2, 10, 1_000_000_007] {
                let got = fib_or_lucas(&idx, Which::Fibonacci, Some(&Modulus::Word(m)), &mut check, value).unwrap();
                assert_eq!(got, (sign_f * f).rem_euclid(m.into()), "F_{n} mod {m}");
            }
            let got = fib_or_lucas(&idx, Which::Lucas, Some(&big_m), &mut check, value).unwrap();
            assert_eq!(got, (sign_l * l).rem_euclid(big_m_value), "L_{n} mod 2**64 + 5");
        }
    }

    #[test]
    fn a_short_term_never_polls_and_equals_the_exact_ladder() {
        let max = small::SHORT_MAX_N as i64;
        for n in [0, 1, -1, 185, 186, -187, 1000, -1001, max - 1, max, -max, max + 1, -(max + 1), 1 << 40] {
            let limbs = [n.unsigned_abs()];
            let idx = Index::new(&limbs, n < 0);
            let m = Modulus::Word(1_000_000_007);
            assert!(fib_or_lucas_short(&idx, Which::Fibonacci, Some(&m), value).is_none(), "a modulus: polled work");
            for which in [Which::Fibonacci, Which::Lucas] {
                let short = fib_or_lucas_short(&idx, which, None, |t: Term| t.into_owned());
                assert_eq!(short.is_some(), n.unsigned_abs() <= small::SHORT_MAX_N, "n = {n}");
                let Some(short) = short else { continue };
                let mut polls = 0;
                let mut count = || -> Result<(), Infallible> {
                    polls += 1;
                    Ok(())
                };
                let polled = fib_or_lucas(&idx, which, None, &mut count, |t: Term| t.into_owned()).unwrap();
                assert_eq!(polls, 0, "n = {n}: short work calls no check");
                assert_eq!(short, polled, "n = {n}");
                let want = fib_or_lucas_exact(&idx, which, &mut none).unwrap();
                let got = match short {
                    Term::Small(v) => Big::from_i128(v),
                    Term::Big(b) => b,
                    other => panic!("an exact term, not {other:?}"),
                };
                assert_eq!(got, want, "n = {n}");
            }
        }
    }

    #[test]
    fn lucas_uv_at_negative_indices_with_and_without_a_modulus() {
        let mut check = none;
        for n in 0u64..40 {
            for (p, q) in [(3i128, 1i128), (1, -1), (4, 3)] {
                let (u, v) = uv_steps(n, p, q);
                let limbs = [n];
                let (pi, qi) = (Integer::Small(p as i64), Integer::Small(q as i64));
                let neg = Index::new(&limbs, true);
                let m = 1_000_003i128;
                let got = lucas_uv(&neg, &pi, &qi, Some(&Modulus::Word(m as u64)), Parts::UV, &mut check).unwrap();
                // U_{-n}·Q^n = −U_n and V_{-n}·Q^n = V_n.
                let qn = (0..n).fold(1i128, |acc, _| (acc * q).rem_euclid(m));
                assert_eq!(value(got.0) * qn % m, (-u).rem_euclid(m), "U_-{n}({p}, {q})");
                assert_eq!(value(got.1) * qn % m, v.rem_euclid(m), "V_-{n}({p}, {q})");
                let exact = lucas_uv(&neg, &pi, &qi, None, Parts::UV, &mut check);
                if q.abs() == 1 {
                    let (gu, gv) = exact.unwrap();
                    let qn = if q == -1 && n % 2 == 1 { -1 } else { 1 };
                    assert_eq!((value(gu) * qn, value(gv) * qn), (-u, v), "exact at -{n}");
                } else {
                    assert_eq!(exact.unwrap_err(), Refused::NotInvertible);
                }
            }
        }
        let limbs = [3];
        let not_coprime = lucas_uv(
            &Index::new(&limbs, true),
            &Integer::Small(3),
            &Integer::Small(2),
            Some(&Modulus::Word(10)),
            Parts::UV,
            &mut check,
        );
        assert_eq!(not_coprime.unwrap_err(), Refused::NotInvertible);
    }
}
