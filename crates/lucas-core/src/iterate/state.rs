//! The iterator's state machine: which representation a recurrence's window is kept in, how
//! one step advances it, and when it leaves machine words.
//!
//! The window stays in machine words while the values fit (an exact `i64` step that reports
//! overflow, or residues modulo a word); past that it continues in a [`Number`] type chosen by
//! the caller, the way `itertools.count` leaves its C `long` fast path. The extension uses
//! Python ints there, so a promoted iterator runs on CPython's own int arithmetic; the core's
//! tests use [`Big`]. The state is generic over that type and inlined into the caller, so
//! `next()` stays one function with one prologue.

use crate::bigint::Big;
use crate::iterate::limbs::{LimbSteps, Signed};
use crate::iterate::step::{dot2_i64, dot_i64, ModDot, ModPair};
use crate::iterate::window::Window;
use std::convert::Infallible;

/// The integers a recurrence continues in beyond machine words: exact, of any size, with
/// floor modulo (the result of `rem` lies in `0..m` for m > 0, as Python's `%`).
pub trait Number: Clone {
    type Error;
    fn from_i64(v: i64) -> Result<Self, Self::Error>;
    fn from_u64(v: u64) -> Result<Self, Self::Error>;
    /// The value if it fits an i64.
    fn to_i64(&self) -> Option<i64>;
    /// The value if it lies in `0..2**64`.
    fn to_u64(&self) -> Option<u64>;
    /// `self mod m` in `0..m`, for 1 <= m < 2**64.
    fn rem_word(&self, m: u64) -> Result<u64, Self::Error>;
    fn add(&self, other: &Self) -> Result<Self, Self::Error>;
    fn sub(&self, other: &Self) -> Result<Self, Self::Error>;
    fn mul(&self, other: &Self) -> Result<Self, Self::Error>;
    fn neg(&self) -> Result<Self, Self::Error>;
    /// `self mod m` in `0..m`, for m > 0.
    fn rem(&self, m: &Self) -> Result<Self, Self::Error>;
    /// |self| as little-endian limbs, and whether self is negative.
    fn to_limbs(&self) -> Result<(Vec<u64>, bool), Self::Error>;
    /// The non-negative number with these little-endian limbs.
    fn from_limbs(limbs: &[u64]) -> Result<Self, Self::Error>;
}

// ANCHOR: state
/// How the next value is computed: the fastest representation that is still exact.
///
/// Order 2 (Fibonacci, Lucas, Pell, every Lucas U and V) has its own word variants: the
/// window is two values inline, and the step is two multiplications with no loop.
///
/// The tag is a byte of its own (`repr(u8)`) rather than a niche in a variant's fields, so
/// that `next()` finds its variant with one load and an indirect jump.
#[repr(u8)]
pub enum State<N> {
    /// Order 2, no modulus, i64 values.
    ExactPair { c: [i64; 2], x: [i64; 2] },
    /// Order 2, an odd modulus below 2**63 (see [`ModPair`]).
    WordPair(ModPair),
    /// No modulus, and every coefficient and value fits an i64.
    Exact { coef: Box<[i64]>, window: Window<i64> },
    /// A modulus below 2**64: values are kept in `0..m` as u64.
    Word { dot: ModDot, window: Window<u64> },
    /// A modulus of 2**64 or more: values are residues as limbs ([`LimbSteps`]).
    Limbs(Box<LimbSteps>),
    /// [`Number`]s: no modulus and a value beyond i64.
    Big { coef: Box<[Coef<N>]>, window: Window<N> },
}
// ANCHOR_END: state

/// A coefficient of the [`State::Big`] step. 0, 1 and -1 are common (Fibonacci, Pell, ...)
/// and cost an add or subtract instead of a multiplication.
pub enum Coef<N> {
    Zero,
    One,
    MinusOne,
    Other(N),
}

impl<N: Number> Coef<N> {
    fn new(c: N) -> Coef<N> {
        match c.to_i64() {
            Some(0) => Coef::Zero,
            Some(1) => Coef::One,
            Some(-1) => Coef::MinusOne,
            _ => Coef::Other(c),
        }
    }
}

impl<N: Number> State<N> {
    /// The state for coefficients `coef` and initial values `init` (the same length k >= 1);
    /// with a modulus (> 0), values are reduced first, so that even the initial values lie
    /// in `0..m`.
    pub fn new(coef: &[N], init: &[N], modulus: Option<&N>) -> Result<State<N>, N::Error> {
        assert!(!coef.is_empty() && coef.len() == init.len(), "a recurrence of order k >= 1");
        let Some(m) = modulus else {
            // Order 2 first, without building vectors: the most common iterator.
            if let ([c0, c1], [x0, x1]) = (coef, init) {
                if let (Some(c0), Some(c1), Some(x0), Some(x1)) = (c0.to_i64(), c1.to_i64(), x0.to_i64(), x1.to_i64()) {
                    return Ok(State::ExactPair { c: [c0, c1], x: [x0, x1] });
                }
            }
            let words = |v: &[N]| v.iter().map(N::to_i64).collect::<Option<Vec<i64>>>();
            return Ok(match (words(coef), words(init)) {
                (Some(c), Some(x)) => State::Exact { coef: c.into(), window: Window::new(x) },
                _ => State::Big {
                    coef: coef.iter().cloned().map(Coef::new).collect(),
                    window: Window::new(init.to_vec()),
                },
            });
        };
        if let Some(mw) = m.to_u64() {
            if let ([c0, c1], [x0, x1]) = (coef, init) {
                let c = [c0.rem_word(mw)?, c1.rem_word(mw)?];
                let x = [x0.rem_word(mw)?, x1.rem_word(mw)?];
                if let Some(pair) = ModPair::new(c, x, mw) {
                    return Ok(State::WordPair(pair));
                }
            }
            let words = |v: &[N]| v.iter().map(|x| x.rem_word(mw)).collect::<Result<Vec<u64>, N::Error>>();
            let (coef, init) = (words(coef)?, words(init)?);
            return Ok(State::Word { dot: ModDot::new(&coef, mw), window: Window::new(init) });
        }
        let limbs = |v: &[N]| v.iter().map(N::to_limbs).collect::<Result<Vec<_>, N::Error>>();
        let (coef, init) = (limbs(coef)?, limbs(init)?);
        let (m, _) = m.to_limbs()?;
        Ok(State::Limbs(Box::new(LimbSteps::new(&m, &signed(&coef), &signed(&init)))))
    }

    // ANCHOR: next
    /// Yields x_n and advances the window to x_{n+1} .. x_{n+k}; `modulus` is the one the
    /// state was made with (only the [`State::Big`] step reads it, so it is passed as the
    /// caller holds it, and looked at only there). On error the state is unchanged:
    /// everything fallible happens before the window moves.
    #[inline(always)]
    pub fn next(&mut self, modulus: &Option<N>) -> Result<N, N::Error> {
        match self {
            State::ExactPair { c, x } => match dot2_i64(*c, *x) {
                Some(newest) => {
                    let out = N::from_i64(x[0])?;
                    *x = [x[1], newest];
                    Ok(out)
                }
                None => self.promote_and_next(modulus),
            },
            State::WordPair(pair) => {
                let out = N::from_u64(pair.oldest())?;
                pair.advance();
                Ok(out)
            }
            State::Exact { coef, window } => match dot_i64(coef, window.as_slice()) {
                Some(newest) => {
                    let out = N::from_i64(window.as_slice()[0])?;
                    window.push(newest);
                    Ok(out)
                }
                None => self.promote_and_next(modulus),
            },
            State::Word { dot, window } => {
                // The window is read once, for both the value yielded and the step.
                let values = window.as_slice();
                let (oldest, newest) = (values[0], dot.dot(values));
                let out = N::from_u64(oldest)?;
                window.push(newest);
                Ok(out)
            }
            State::Limbs(steps) => {
                let out = N::from_limbs(steps.oldest())?;
                steps.step();
                Ok(out)
            }
            State::Big { coef, window } => big_next(coef, window, modulus.as_ref()),
        }
    }
    // ANCHOR_END: next

    // ANCHOR: promote
    /// x_{n+k} leaves the i64 range: continue with [`Number`]s from here on.
    #[cold]
    #[inline(never)]
    fn promote_and_next(&mut self, modulus: &Option<N>) -> Result<N, N::Error> {
        *self = self.promoted()?;
        self.next(modulus)
    }
    // ANCHOR_END: promote

    /// The current window x_n .. x_{n+k-1}, oldest first.
    pub fn window(&self) -> Result<Vec<N>, N::Error> {
        match self {
            State::ExactPair { x, .. } => x.iter().map(|&x| N::from_i64(x)).collect(),
            State::WordPair(pair) => pair.window().iter().map(|&x| N::from_u64(x)).collect(),
            State::Exact { window, .. } => window.as_slice().iter().map(|&x| N::from_i64(x)).collect(),
            State::Word { window, .. } => window.as_slice().iter().map(|&x| N::from_u64(x)).collect(),
            State::Limbs(steps) => steps.window().into_iter().map(N::from_limbs).collect(),
            State::Big { window, .. } => Ok(window.as_slice().to_vec()),
        }
    }

    /// Bytes of heap memory the state owns (the window buffer holds each value twice).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of_val;
        match self {
            State::ExactPair { .. } | State::WordPair(_) => 0,
            State::Exact { coef, window } => size_of_val(&**coef) + 2 * size_of_val(window.as_slice()),
            State::Word { dot, window } => dot.heap_bytes() + 2 * size_of_val(window.as_slice()),
            State::Limbs(steps) => size_of_val(&**steps) + steps.heap_bytes(),
            State::Big { coef, window } => size_of_val(&**coef) + 2 * size_of_val(window.as_slice()),
        }
    }

    /// The same state as [`Number`]s (only called on the exact i64 states).
    fn promoted(&self) -> Result<State<N>, N::Error> {
        let (coef, window): (&[i64], &[i64]) = match self {
            State::ExactPair { c, x } => (c, x),
            State::Exact { coef, window } => (coef, window.as_slice()),
            _ => unreachable!("only the i64 states are promoted"),
        };
        let coef = coef.iter().map(|&c| N::from_i64(c).map(Coef::new)).collect::<Result<_, _>>()?;
        let window = window.iter().map(|&x| N::from_i64(x)).collect::<Result<Vec<_>, _>>()?;
        Ok(State::Big { coef, window: Window::new(window) })
    }
}

/// Sign-and-magnitude views of numbers given as (limbs, negative).
fn signed(v: &[(Vec<u64>, bool)]) -> Vec<Signed<'_>> {
    v.iter().map(|(magnitude, negative)| Signed { negative: *negative, magnitude }).collect()
}

/// The [`State::Big`] step, kept out of line: its arithmetic dwarfs the call, and the word
/// states' fast paths stay small.
#[inline(never)]
fn big_next<N: Number>(coef: &[Coef<N>], window: &mut Window<N>, modulus: Option<&N>) -> Result<N, N::Error> {
    let newest = big_dot(coef, window.as_slice(), modulus)?;
    Ok(window.push(newest))
}

/// `sum(c_i * x_i)`, reduced by the modulus if there is one.
fn big_dot<N: Number>(coef: &[Coef<N>], window: &[N], modulus: Option<&N>) -> Result<N, N::Error> {
    // The running sum: nothing yet, a window value itself (a coefficient 1 first: no copy
    // taken), or a computed number.
    enum Acc<'a, N> {
        Empty,
        Same(&'a N),
        Sum(N),
    }
    let mut acc = Acc::Empty;
    for (c, x) in coef.iter().zip(window) {
        let product;
        let (term, negate) = match c {
            Coef::Zero => continue,
            Coef::One => (x, false),
            Coef::MinusOne => (x, true),
            Coef::Other(c) => {
                product = c.mul(x)?;
                (&product, false)
            }
        };
        acc = match (acc, negate) {
            (Acc::Empty, false) if matches!(c, Coef::One) => Acc::Same(x),
            (Acc::Empty, false) => Acc::Sum(term.clone()),
            (Acc::Empty, true) => Acc::Sum(term.neg()?),
            (Acc::Same(a), false) => Acc::Sum(a.add(term)?),
            (Acc::Sum(a), false) => Acc::Sum(a.add(term)?),
            (Acc::Same(a), true) => Acc::Sum(a.sub(term)?),
            (Acc::Sum(a), true) => Acc::Sum(a.sub(term)?),
        };
    }
    let sum = match acc {
        Acc::Sum(sum) => sum,
        Acc::Same(x) => x.clone(),
        Acc::Empty => N::from_i64(0)?,
    };
    match modulus {
        Some(m) => sum.rem(m),
        None => Ok(sum),
    }
}

/// [`Big`] as the state's numbers: the core's own tests run every state on it.
impl Number for Big {
    type Error = Infallible;
    fn from_i64(v: i64) -> Result<Big, Infallible> {
        Ok(Big::from_i64(v))
    }
    fn from_u64(v: u64) -> Result<Big, Infallible> {
        Ok(Big::from_limbs(false, &[v]))
    }
    fn to_i64(&self) -> Option<i64> {
        Big::to_i64(self)
    }
    fn to_u64(&self) -> Option<u64> {
        match (self.is_negative(), self.limbs()) {
            (false, []) => Some(0),
            (false, [w]) => Some(*w),
            _ => None,
        }
    }
    fn rem_word(&self, m: u64) -> Result<u64, Infallible> {
        Ok(self.rem_euclid(&Big::from_limbs(false, &[m])).limbs().first().copied().unwrap_or(0))
    }
    fn add(&self, other: &Big) -> Result<Big, Infallible> {
        Ok(Big::add(self, other))
    }
    fn sub(&self, other: &Big) -> Result<Big, Infallible> {
        Ok(Big::sub(self, other))
    }
    fn mul(&self, other: &Big) -> Result<Big, Infallible> {
        Ok(Big::mul(self, other))
    }
    fn neg(&self) -> Result<Big, Infallible> {
        Ok(Big::zero().sub(self))
    }
    fn rem(&self, m: &Big) -> Result<Big, Infallible> {
        Ok(self.rem_euclid(m))
    }
    fn to_limbs(&self) -> Result<(Vec<u64>, bool), Infallible> {
        Ok((self.limbs().to_vec(), self.is_negative()))
    }
    fn from_limbs(limbs: &[u64]) -> Result<Big, Infallible> {
        Ok(Big::from_limbs(false, limbs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(v: i128) -> Big {
        Big::from_i128(v)
    }

    fn value(b: &Big) -> i128 {
        b.to_i128().expect("an i128")
    }

    /// The state's first `steps` values against the plain recurrence in i128 arithmetic.
    fn check(coef: &[i128], init: &[i128], m: Option<i128>, steps: usize) {
        let (c, x): (Vec<Big>, Vec<Big>) =
            (coef.iter().map(|&v| big(v)).collect(), init.iter().map(|&v| big(v)).collect());
        let m_big = m.map(big);
        let mut state = State::new(&c, &x, m_big.as_ref()).unwrap();
        let reduce = |v: i128| m.map_or(v, |m| v.rem_euclid(m));
        let mut window: Vec<i128> = init.iter().map(|&v| reduce(v)).collect();
        for step in 0..steps {
            let got = state.next(&m_big).unwrap();
            assert_eq!(value(&got), window[0], "step {step} of {coef:?} {init:?} mod {m:?}");
            let newest = coef.iter().zip(&window).map(|(c, x)| reduce(c * x)).fold(0, |a, b| reduce(a + b));
            window.remove(0);
            window.push(newest);
        }
        let rest: Vec<i128> = state.window().unwrap().iter().map(value).collect();
        assert_eq!(rest, window);
    }

    #[test]
    fn order_two_word_then_promoted() {
        check(&[1, 1], &[0, 1], None, 150); // leaves i64 at F_93
        check(&[-1, 2], &[i64::MAX as i128 - 5, i64::MAX as i128 - 3], None, 10);
    }

    #[test]
    fn order_three_word_then_promoted() {
        check(&[1, -2, 3], &[1, 2, 3], None, 70);
        check(&[0, 1, 0], &[5, -7, 9], None, 20); // coefficients 0 and 1 take the short paths
        check(&[-1, 1, 1], &[5, -7, 9], None, 20); // and -1
    }

    #[test]
    fn modular_states() {
        check(&[1, 1], &[0, 1], Some(1_000_000_007), 200); // order-2 word pair
        check(&[3, -1, 4], &[-1, 5, 9], Some(1_000_000_007), 200);
        check(&[1, 1], &[2, 1], Some(1 << 40), 100); // even modulus
        check(&[7, -1], &[2, 1], Some((1 << 64) + 13), 100); // beyond a word
        check(&[1, 1], &[0, 1], Some(1 << 100), 200); // beyond a word, even
        check(&[-3, 1, 2], &[-1, 1 << 70, 5], Some((1 << 100) + 277), 100);
        check(&[1], &[5], Some(1), 3);
    }

    #[test]
    fn the_states_chosen() {
        let c = [big(1), big(1)];
        assert!(matches!(State::new(&c, &c, None).unwrap(), State::ExactPair { .. }));
        assert!(matches!(State::new(&c, &c, Some(&big(7))).unwrap(), State::WordPair(_)));
        assert!(matches!(State::new(&c, &c, Some(&big(8))).unwrap(), State::Word { .. }));
        assert!(matches!(State::new(&c, &[big(1), big(1 << 70)], None).unwrap(), State::Big { .. }));
        assert!(matches!(State::new(&c, &c, Some(&big(1 << 64))).unwrap(), State::Limbs(_)));
    }
}
