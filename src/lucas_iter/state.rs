//! The state engine of `LucasIter`: which representation the window is kept in, how one
//! step advances it, and when it leaves machine words for Python ints.
//!
//! This file decides and dispatches; the arithmetic itself is elsewhere and FFI-free
//! ([`lucas_core::iterate::step`] for the word steps, [`lucas_core::iterate::window`] for the window). It does not import
//! `pyo3_ffi` and contains no `unsafe`. It does use Python ints, through [`crate::capi::pyint`]
//! and [`Owned`], for two reasons that belong to the engine rather than to the slots:
//! * a value that leaves the i64 range continues as a Python int (the [`Engine::Big`]
//!   variant), the way `itertools.count` leaves its C `long` fast path, and that switch
//!   happens in the middle of a step;
//! * [`Engine::next`] returns the yielded value already converted, so that `tp_iternext` is
//!   one function with one prologue (the conversion sits in each variant's arm).
//!
//! The CPython side (slots, getters, argument parsing) lives in [`crate::lucas_iter::slots`].

#![forbid(unsafe_code)]

use crate::capi::error::PyResult;
use crate::capi::exact_int::{ExactInt, Modulus};
use crate::capi::pyint;
use crate::capi::refs::Owned;
use lucas_core::iterate::step::{dot2_i64, dot_i64, ModDot, ModPair};
use lucas_core::iterate::window::Window;

// ANCHOR: engine
/// How the next value is computed: the fastest representation that is still exact.
///
/// Order 2 (Fibonacci, Lucas, Pell, every Lucas U and V) has its own word variants: the
/// window is two values in the object itself, and the step is two multiplications with no
/// loop, which measurably shortens `tp_iternext` (bench/RESULTS.md).
pub(crate) enum Engine {
    /// Order 2, no modulus, i64 values.
    ExactPair { c: [i64; 2], x: [i64; 2] },
    /// Order 2, an odd modulus below 2**63 (see [`ModPair`]).
    WordPair(ModPair),
    /// No modulus, and every coefficient and value fits an i64.
    Exact { coef: Box<[i64]>, ring: Window<i64> },
    /// A modulus below 2**64: values are kept in `0..m` as u64.
    Word { dot: ModDot, ring: Window<u64> },
    /// Python ints: no modulus and a value beyond i64, or a modulus of 2**64 or more (the
    /// modulus itself is the instance's, passed to each step).
    Big { coef: Box<[Coef]>, ring: Window<Owned> },
}
// ANCHOR_END: engine

/// A coefficient on the Python-int path. 0, 1 and -1 are common (Fibonacci, Pell, ...) and
/// cost an add or subtract instead of a multiplication.
pub(crate) enum Coef {
    Zero,
    One,
    MinusOne,
    Int(Owned),
}

impl Coef {
    fn new(c: Owned) -> Coef {
        match pyint::to_i64(c.borrow()) {
            Some(0) => Coef::Zero,
            Some(1) => Coef::One,
            Some(-1) => Coef::MinusOne,
            _ => Coef::Int(c),
        }
    }
}

impl Engine {
    /// Chooses the engine for exact-int inputs; with a modulus, values are reduced first so
    /// that even the initial values lie in `range(mod)`. Runs while `init` may be a list's
    /// own item array (see [`crate::capi::exact_int`]), so it only uses int operations.
    pub(crate) fn new(coef: &[ExactInt], init: &[ExactInt], modulus: Option<&Modulus>) -> PyResult<Engine> {
        let Some(m) = modulus else {
            let word = |x: &ExactInt| x.to_i64();
            if let ([c0, c1], [x0, x1]) = (coef, init) {
                if let (Some(c0), Some(c1), Some(x0), Some(x1)) = (word(c0), word(c1), word(x0), word(x1)) {
                    return Ok(Engine::ExactPair { c: [c0, c1], x: [x0, x1] });
                }
            }
            let words = |v: &[ExactInt]| v.iter().map(word).collect::<Option<Vec<i64>>>();
            return Ok(match (words(coef), words(init)) {
                (Some(c), Some(x)) => Engine::Exact { coef: c.into(), ring: Window::new(x) },
                _ => Engine::Big {
                    coef: coef.iter().map(|c| Coef::new(c.new_ref())).collect(),
                    ring: Window::new(init.iter().map(|x| x.new_ref()).collect()),
                },
            });
        };
        let reduce = |v: &[ExactInt]| v.iter().map(|x| x.rem(m)).collect::<PyResult<Vec<Owned>>>();
        let (coef, init) = (reduce(coef)?, reduce(init)?);
        Ok(match m.word() {
            Some(m) => {
                // Below m < 2**64, so the conversion neither fails nor raises.
                let words = |v: &[Owned]| {
                    v.iter().map(|x| pyint::to_u64(x.borrow()).expect("reduced below m < 2**64")).collect::<Vec<u64>>()
                };
                let (coef, init) = (words(&coef), words(&init));
                let pair = match (<[u64; 2]>::try_from(&coef[..]), <[u64; 2]>::try_from(&init[..])) {
                    (Ok(c), Ok(x)) => ModPair::new(c, x, m),
                    _ => None,
                };
                match pair {
                    Some(pair) => Engine::WordPair(pair),
                    _ => Engine::Word { dot: ModDot::new(&coef, m), ring: Window::new(init) },
                }
            }
            None => Engine::Big { coef: coef.into_iter().map(Coef::new).collect(), ring: Window::new(init) },
        })
    }

    // ANCHOR: engine_next
    /// Yields x_n and advances the window to x_{n+1} .. x_{n+k}; `modulus` is the
    /// instance's (only the Python-int engine reads it). On error the state is unchanged:
    /// everything fallible happens before the window moves. Inlined into `tp_iternext`, so
    /// the per-item path is one function with one prologue.
    #[inline(always)]
    pub(crate) fn next(&mut self, modulus: Option<&Owned>) -> PyResult<Owned> {
        match self {
            Engine::ExactPair { c, x } => match dot2_i64(*c, *x) {
                Some(newest) => {
                    let out = pyint::from_i64(x[0])?;
                    *x = [x[1], newest];
                    Ok(out)
                }
                None => self.promote_and_next(modulus),
            },
            Engine::WordPair(pair) => {
                let out = pyint::from_u64(pair.oldest())?;
                pair.advance();
                Ok(out)
            }
            Engine::Exact { coef, ring } => match dot_i64(coef, ring.as_slice()) {
                Some(newest) => {
                    let out = pyint::from_i64(ring.as_slice()[0])?;
                    ring.push(newest);
                    Ok(out)
                }
                None => self.promote_and_next(modulus),
            },
            Engine::Word { dot, ring } => {
                let out = pyint::from_u64(ring.as_slice()[0])?;
                ring.push(dot.dot(ring.as_slice()));
                Ok(out)
            }
            Engine::Big { coef, ring } => big_next(coef, ring, modulus),
        }
    }
    // ANCHOR_END: engine_next

    // ANCHOR: promote
    /// x_{n+k} leaves the i64 range: continue with Python ints from here on.
    #[cold]
    #[inline(never)]
    fn promote_and_next(&mut self, modulus: Option<&Owned>) -> PyResult<Owned> {
        *self = self.promoted()?;
        self.next(modulus)
    }
    // ANCHOR_END: promote

    /// The current window x_n .. x_{n+k-1} as Python ints, oldest first.
    pub(crate) fn window(&self) -> PyResult<Vec<Owned>> {
        match self {
            Engine::ExactPair { x, .. } => x.iter().map(|&x| pyint::from_i64(x)).collect(),
            Engine::WordPair(pair) => pair.window().iter().map(|&x| pyint::from_u64(x)).collect(),
            Engine::Exact { ring, .. } => ring.as_slice().iter().map(|&x| pyint::from_i64(x)).collect(),
            Engine::Word { ring, .. } => ring.as_slice().iter().map(|&x| pyint::from_u64(x)).collect(),
            Engine::Big { ring, .. } => Ok(ring.as_slice().to_vec()),
        }
    }

    /// Bytes of heap memory the engine owns (the ring holds each value twice).
    pub(crate) fn heap_bytes(&self) -> usize {
        use std::mem::size_of_val;
        match self {
            Engine::ExactPair { .. } => 0,
            Engine::WordPair(_) => 0,
            Engine::Exact { coef, ring } => size_of_val(&**coef) + 2 * size_of_val(ring.as_slice()),
            Engine::Word { dot, ring } => dot.heap_bytes() + 2 * size_of_val(ring.as_slice()),
            Engine::Big { coef, ring, .. } => size_of_val(&**coef) + 2 * size_of_val(ring.as_slice()),
        }
    }

    /// The same state as Python ints (only called on the exact i64 engines).
    fn promoted(&self) -> PyResult<Engine> {
        let (coef, window): (&[i64], &[i64]) = match self {
            Engine::ExactPair { c, x } => (c, x),
            Engine::Exact { coef, ring } => (coef, ring.as_slice()),
            _ => unreachable!("only the i64 engines are promoted"),
        };
        let coef = coef.iter().map(|&c| pyint::from_i64(c).map(Coef::new)).collect::<PyResult<_>>()?;
        let window = window.iter().map(|&x| pyint::from_i64(x)).collect::<PyResult<Vec<_>>>()?;
        Ok(Engine::Big { coef, ring: Window::new(window) })
    }
}

/// The step of the Python-int engine, kept out of line: its calls into the number protocol
/// dwarf the call, and the word engines' fast paths stay small.
#[inline(never)]
fn big_next(coef: &[Coef], ring: &mut Window<Owned>, modulus: Option<&Owned>) -> PyResult<Owned> {
    let newest = big_dot(coef, ring.as_slice(), modulus)?;
    Ok(ring.push(newest))
}

/// `sum(c_i * x_i)` on Python ints, reduced by the modulus if there is one.
fn big_dot(coef: &[Coef], window: &[Owned], modulus: Option<&Owned>) -> PyResult<Owned> {
    // The running sum: nothing yet, a window value itself (a coefficient 1 first: no
    // reference taken), or a computed int.
    enum Acc<'a> {
        Empty,
        Same(&'a Owned),
        Sum(Owned),
    }
    let mut acc = Acc::Empty;
    for (c, x) in coef.iter().zip(window) {
        let product;
        let (term, negate) = match c {
            Coef::Zero => continue,
            Coef::One => (x, false),
            Coef::MinusOne => (x, true),
            Coef::Int(c) => {
                product = pyint::mul(c.borrow(), x.borrow())?;
                (&product, false)
            }
        };
        acc = match (acc, negate) {
            (Acc::Empty, false) if matches!(c, Coef::One) => Acc::Same(x),
            (Acc::Empty, false) => Acc::Sum(term.clone()),
            (Acc::Empty, true) => Acc::Sum(pyint::neg(term.borrow())?),
            (Acc::Same(a), false) => Acc::Sum(pyint::add(a.borrow(), term.borrow())?),
            (Acc::Sum(a), false) => Acc::Sum(pyint::add(a.borrow(), term.borrow())?),
            (Acc::Same(a), true) => Acc::Sum(pyint::sub(a.borrow(), term.borrow())?),
            (Acc::Sum(a), true) => Acc::Sum(pyint::sub(a.borrow(), term.borrow())?),
        };
    }
    let sum = match acc {
        Acc::Sum(sum) => sum,
        Acc::Same(x) => x.clone(),
        Acc::Empty => pyint::from_i64(0)?,
    };
    match modulus {
        Some(m) => pyint::rem(sum.borrow(), m.borrow()),
        None => Ok(sum),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::exact_int::{ExactInt, Modulus};
    use crate::capi::refs::borrow_all;
    use crate::capi::testing::with_python;

    fn int(v: i128) -> Owned {
        let magnitude = v.unsigned_abs();
        let (hi, lo) = (pyint::from_u64((magnitude >> 64) as u64).unwrap(), pyint::from_u64(magnitude as u64).unwrap());
        let two64 =
            pyint::add(pyint::from_u64(u64::MAX).unwrap().borrow(), pyint::from_i64(1).unwrap().borrow()).unwrap();
        let high = pyint::mul(hi.borrow(), two64.borrow()).unwrap();
        let m = pyint::add(high.borrow(), lo.borrow()).unwrap();
        if v < 0 {
            pyint::neg(m.borrow()).unwrap()
        } else {
            m
        }
    }

    fn value(o: &Owned) -> i128 {
        pyint::str_of(o.borrow()).unwrap().parse().unwrap()
    }

    /// The engine's first `steps` values against the plain recurrence in i128 arithmetic.
    fn check(coef: &[i128], init: &[i128], m: Option<i128>, steps: usize) {
        with_python(|| {
            let (c, x): (Vec<Owned>, Vec<Owned>) =
                (coef.iter().map(|&v| int(v)).collect(), init.iter().map(|&v| int(v)).collect());
            let m_int = m.map(int);
            let m_view = m_int.as_ref().map(Modulus::new);
            let cx = ExactInt::all(borrow_all(&c)).unwrap();
            let xx = ExactInt::all(borrow_all(&x)).unwrap();
            let mut engine = Engine::new(cx, xx, m_view.as_ref()).unwrap();
            let reduce = |v: i128| m.map_or(v, |m| v.rem_euclid(m));
            let mut window: Vec<i128> = init.iter().map(|&v| reduce(v)).collect();
            for step in 0..steps {
                let got = engine.next(m_int.as_ref()).unwrap();
                assert_eq!(value(&got), window[0], "step {step} of {coef:?} {init:?} mod {m:?}");
                let newest = coef.iter().zip(&window).map(|(c, x)| reduce(c * x)).fold(0, |a, b| reduce(a + b));
                window.remove(0);
                window.push(newest);
            }
            let rest: Vec<i128> = engine.window().unwrap().iter().map(value).collect();
            assert_eq!(rest, window);
        });
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
    }

    #[test]
    fn modular_engines() {
        check(&[1, 1], &[0, 1], Some(1_000_000_007), 200); // order-2 word pair
        check(&[3, -1, 4], &[-1, 5, 9], Some(1_000_000_007), 200);
        check(&[1, 1], &[2, 1], Some(1 << 40), 100); // even modulus
        check(&[7, -1], &[2, 1], Some((1 << 64) + 13), 100); // beyond a word: Python ints
        check(&[1], &[5], Some(1), 3);
    }
}
