//! The state engine of `LucasIter`: which representation the window is kept in, how one
//! step advances it, and when it leaves machine words for Python ints.
//!
//! This file decides and dispatches; the arithmetic itself is elsewhere and FFI-free
//! ([`crate::arith`] for the word steps, [`crate::ring`] for the window). It does not import
//! `pyo3_ffi` and contains no `unsafe`. It does use Python ints, through [`crate::pyint`]
//! and [`Owned`], for two reasons that belong to the engine rather than to the slots:
//! * a value that leaves the i64 range continues as a Python int (the [`Engine::Big`]
//!   variant), the way `itertools.count` leaves its C `long` fast path, and that switch
//!   happens in the middle of a step;
//! * [`Engine::next`] returns the yielded value already converted, so that `tp_iternext` is
//!   one function with one prologue (the conversion sits in each variant's arm).
//!
//! The CPython side (slots, getters, argument parsing) lives in [`crate::lucas_iter`].

use crate::arith::{dot2_i64, dot_i64, ModDot, ModPair};
use crate::error::PyResult;
use crate::pyint;
use crate::refs::{Borrowed, Owned};
use crate::ring::Ring;

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
    Exact { coef: Box<[i64]>, ring: Ring<i64> },
    /// A modulus below 2**64: values are kept in `0..m` as u64.
    Word { dot: ModDot, ring: Ring<u64> },
    /// Python ints: no modulus and a value beyond i64, or a modulus of 2**64 or more (the
    /// modulus itself is the instance's, passed to each step).
    Big { coef: Box<[Coef]>, ring: Ring<Owned> },
}

/// A coefficient on the Python-int path. 0, 1 and -1 are common (Fibonacci, Pell, ...) and
/// cost an add or subtract instead of a multiplication.
pub(crate) enum Coef {
    Zero,
    One,
    MinusOne,
    Int(Owned),
}

impl Coef {
    fn new(c: Borrowed) -> Coef {
        match pyint::to_i64(c) {
            Some(0) => Coef::Zero,
            Some(1) => Coef::One,
            Some(-1) => Coef::MinusOne,
            _ => Coef::Int(c.new_ref()),
        }
    }
}

impl Engine {
    /// Chooses the engine for exact-int inputs; with a modulus, values are reduced first so
    /// that even the initial values lie in `range(mod)`.
    pub(crate) fn new(coef: &[Borrowed], init: &[Borrowed], modulus: Option<&Owned>) -> PyResult<Engine> {
        let Some(m) = modulus else {
            let word = |x: &Borrowed| pyint::to_i64(*x);
            if let ([c0, c1], [x0, x1]) = (coef, init) {
                if let (Some(c0), Some(c1), Some(x0), Some(x1)) = (word(c0), word(c1), word(x0), word(x1)) {
                    return Ok(Engine::ExactPair { c: [c0, c1], x: [x0, x1] });
                }
            }
            let words = |v: &[Borrowed]| v.iter().map(word).collect::<Option<Vec<i64>>>();
            return Ok(match (words(coef), words(init)) {
                (Some(c), Some(x)) => Engine::Exact { coef: c.into(), ring: Ring::new(x) },
                _ => Engine::Big {
                    coef: coef.iter().copied().map(Coef::new).collect(),
                    ring: Ring::new(init.iter().map(|x| x.new_ref()).collect()),
                },
            });
        };
        let reduce = |v: &[Borrowed]| v.iter().map(|&x| pyint::rem(x, m.borrow())).collect::<PyResult<Vec<Owned>>>();
        let (coef, init) = (reduce(coef)?, reduce(init)?);
        Ok(match pyint::to_u64(m.borrow()) {
            Some(m) => {
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
                    _ => Engine::Word { dot: ModDot::new(&coef, m), ring: Ring::new(init) },
                }
            }
            None => Engine::Big { coef: coef.iter().map(|c| Coef::new(c.borrow())).collect(), ring: Ring::new(init) },
        })
    }

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
            Engine::Exact { coef, ring } => match dot_i64(coef, ring.window()) {
                Some(newest) => {
                    let out = pyint::from_i64(ring.window()[0])?;
                    ring.push(newest);
                    Ok(out)
                }
                None => self.promote_and_next(modulus),
            },
            Engine::Word { dot, ring } => {
                let out = pyint::from_u64(ring.window()[0])?;
                ring.push(dot.dot(ring.window()));
                Ok(out)
            }
            Engine::Big { coef, ring } => big_next(coef, ring, modulus),
        }
    }

    /// x_{n+k} leaves the i64 range: continue with Python ints from here on.
    #[cold]
    #[inline(never)]
    fn promote_and_next(&mut self, modulus: Option<&Owned>) -> PyResult<Owned> {
        *self = self.promoted()?;
        self.next(modulus)
    }

    /// The current window x_n .. x_{n+k-1} as Python ints, oldest first.
    pub(crate) fn window(&self) -> PyResult<Vec<Owned>> {
        match self {
            Engine::ExactPair { x, .. } => x.iter().map(|&x| pyint::from_i64(x)).collect(),
            Engine::WordPair(pair) => pair.window().iter().map(|&x| pyint::from_u64(x)).collect(),
            Engine::Exact { ring, .. } => ring.window().iter().map(|&x| pyint::from_i64(x)).collect(),
            Engine::Word { ring, .. } => ring.window().iter().map(|&x| pyint::from_u64(x)).collect(),
            Engine::Big { ring, .. } => Ok(ring.window().to_vec()),
        }
    }

    /// Bytes of heap memory the engine owns (the ring holds each value twice).
    pub(crate) fn heap_bytes(&self) -> usize {
        use std::mem::size_of_val;
        match self {
            Engine::ExactPair { .. } => 0,
            Engine::WordPair(_) => 0,
            Engine::Exact { coef, ring } => size_of_val(&**coef) + 2 * size_of_val(ring.window()),
            Engine::Word { dot, ring } => dot.heap_bytes() + 2 * size_of_val(ring.window()),
            Engine::Big { coef, ring, .. } => size_of_val(&**coef) + 2 * size_of_val(ring.window()),
        }
    }

    /// The same state as Python ints (only called on the exact i64 engines).
    fn promoted(&self) -> PyResult<Engine> {
        let (coef, window): (&[i64], &[i64]) = match self {
            Engine::ExactPair { c, x } => (c, x),
            Engine::Exact { coef, ring } => (coef, ring.window()),
            _ => unreachable!("only the i64 engines are promoted"),
        };
        let coef = coef.iter().map(|&c| pyint::from_i64(c).map(|c| Coef::new(c.borrow()))).collect::<PyResult<_>>()?;
        let window = window.iter().map(|&x| pyint::from_i64(x)).collect::<PyResult<Vec<_>>>()?;
        Ok(Engine::Big { coef, ring: Ring::new(window) })
    }
}

/// The step of the Python-int engine, kept out of line: its calls into the number protocol
/// dwarf the call, and the word engines' fast paths stay small.
#[inline(never)]
fn big_next(coef: &[Coef], ring: &mut Ring<Owned>, modulus: Option<&Owned>) -> PyResult<Owned> {
    let newest = big_dot(coef, ring.window(), modulus)?;
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
