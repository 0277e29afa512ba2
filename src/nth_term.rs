//! `nth_term(coefficients, initial, n, /, *, mod=None)` and the jump behind
//! `LucasIter.advance(n)`: the entry point over [`crate::linrec`].
//!
//! Paths: `mod` below 2**64 runs on machine words ([`linrec::jump_mod`]); `mod` of 2**64 or
//! more and exact results run the same generic code on Python ints ([`PyRing`], reduced
//! after every sum when there is a modulus), exact ones first trying checked `i64` words.
//! `PyRing` is the one place that knows the number type: a native big-integer ring can
//! replace it without touching the algorithm.

use crate::args;
use crate::cstatic::StaticCell;
use crate::error::{check_signals, value_error, ExcType, PyErr, PyResult};
use crate::ladder::{CheckedI64, Ring};
use crate::linrec::{self, Dot, Want};
use crate::methods::{fastcall, method};
use crate::pyint;
use crate::refs::{borrow_all, Borrowed, Owned};
use pyo3_ffi as ffi;
use std::cmp::Ordering;

/// Python ints as a ring, reduced modulo `modulus` if there is one.
struct PyRing {
    modulus: Option<Owned>,
}

impl PyRing {
    fn reduce(&self, x: Owned) -> PyResult<Owned> {
        match &self.modulus {
            Some(m) => pyint::rem(x.borrow(), m.borrow()),
            None => Ok(x),
        }
    }
}

impl Ring for PyRing {
    type E = Owned;
    type Err = PyErr;
    fn mul(&mut self, a: &Owned, b: &Owned) -> PyResult<Owned> {
        self.reduce(pyint::mul(a.borrow(), b.borrow())?)
    }
    fn add(&mut self, a: &Owned, b: &Owned) -> PyResult<Owned> {
        self.reduce(pyint::add(a.borrow(), b.borrow())?)
    }
    fn sub(&mut self, a: &Owned, b: &Owned) -> PyResult<Owned> {
        self.reduce(pyint::sub(a.borrow(), b.borrow())?)
    }
    fn small(&mut self, v: i64) -> PyResult<Owned> {
        self.reduce(pyint::from_i64(v)?)
    }
    /// A squaring of huge ints can take seconds: let Ctrl-C through between bits.
    fn bit_done(&mut self) -> PyResult<()> {
        check_signals()
    }
}

impl Dot for PyRing {
    /// The products summed exactly, then one reduction.
    fn dot(&mut self, a: &[Owned], b: &[Owned]) -> PyResult<Owned> {
        let mut acc: Option<Owned> = None;
        for (x, y) in a.iter().zip(b) {
            let p = pyint::mul(x.borrow(), y.borrow())?;
            acc = Some(match acc {
                None => p,
                Some(s) => pyint::add(s.borrow(), p.borrow())?,
            });
        }
        match acc {
            Some(s) => self.reduce(s),
            None => pyint::from_i64(0),
        }
    }
}

/// |n| as little-endian limbs, and its sign.
fn limbs_of(n: Borrowed) -> PyResult<(Vec<u64>, bool)> {
    Ok(match pyint::to_i64(n) {
        Some(v) => (vec![v.unsigned_abs()], v < 0),
        None => (pyint::abs_to_limbs(n)?, pyint::sign(n) == Ordering::Less),
    })
}

/// log2 |x| (−∞ for 0), good to a few bits for any int.
fn log2_abs(x: Borrowed) -> PyResult<f64> {
    Ok(match pyint::to_i64(x) {
        Some(0) => f64::NEG_INFINITY,
        Some(v) => (v.unsigned_abs() as f64).log2(),
        None => pyint::bit_length(x)? as f64,
    })
}

/// Graeffe steps of [`growth_log2`]: each squares the roots.
const GRAEFFE_STEPS: i32 = 20;

/// An estimate (from above, up to `(1 + log2 k) / 2^GRAEFFE_STEPS`) of log2 of the largest
/// |root| of x^k − c_{k−1}·x^{k−1} − ... − c_0, i.e. how many bits a term gains per step.
///
/// A root bound straight from the coefficients (Cauchy's) can be far off: c = (−1, 2), an
/// arithmetic progression, has both roots at 1 but bound 1 + √2. Graeffe's root squaring
/// replaces the roots by their squares, so after s steps the bound on the 2^s-th powers,
/// taken to the power 2^−s, is within a factor (2k)^(2^−s) of the truth. The polynomial is
/// rescaled after every step (coefficients stay in a float's range) and the scale is kept
/// in log2.
fn growth_log2(coef: &[Borrowed]) -> PyResult<f64> {
    let k = coef.len();
    let logs = coef.iter().map(|&c| log2_abs(c)).collect::<PyResult<Vec<f64>>>()?;
    // Scale the roots by 2^−s0 with s0 = max log2|c_j| / (k − j), so every |a_j| <= 1.
    let s0 = (0..k).map(|j| logs[j] / (k - j) as f64).fold(f64::NEG_INFINITY, f64::max);
    if s0 == f64::NEG_INFINITY {
        return Ok(0.0); // all coefficients zero: the sequence is zero after k terms
    }
    // a[j]: coefficient of x^j of the monic polynomial, a[k] = 1 implied.
    let mut a: Vec<f64> = (0..k)
        .map(|j| {
            let sign = if pyint::sign(coef[j]) == Ordering::Less { 1.0 } else { -1.0 };
            sign * (logs[j] - (k - j) as f64 * s0).exp2()
        })
        .collect();
    let mut log_scale = s0;
    for _ in 0..GRAEFFE_STEPS {
        // q(x²) = (−1)^k p(x)·p(−x): the coefficient of x^{2t} is Σ a_i a_{2t−i} (−1)^i.
        let coeff = |i: usize, a: &[f64]| if i == k { 1.0 } else { a[i] };
        let sgn = if k.is_multiple_of(2) { 1.0 } else { -1.0 };
        let mut q = vec![0.0; k];
        for (t, slot) in q.iter_mut().enumerate() {
            let mut s = 0.0;
            for i in (2 * t).saturating_sub(k)..=(2 * t).min(k) {
                let term = coeff(i, &a) * coeff(2 * t - i, &a);
                s += if i % 2 == 0 { term } else { -term };
            }
            *slot = sgn * s;
        }
        log_scale *= 2.0;
        let sigma = (0..k)
            .filter(|&t| q[t] != 0.0)
            .map(|t| q[t].abs().log2() / (k - t) as f64)
            .fold(f64::NEG_INFINITY, f64::max);
        if sigma == f64::NEG_INFINITY {
            return Ok(0.0);
        }
        for (t, v) in q.iter_mut().enumerate() {
            *v /= ((k - t) as f64 * sigma).exp2();
        }
        log_scale += sigma;
        a = q;
    }
    // Now every |root| of the normalised polynomial is at most 2 (Fujiwara's bound).
    let steps = 2f64.powi(GRAEFFE_STEPS);
    let estimate = (log_scale + 1.0) / steps;
    // Growth within the bound's own uncertainty cannot be told from none.
    let slack = (1.0 + (k as f64).log2()) / steps;
    Ok(if estimate <= slack { 0.0 } else { estimate })
}

/// Total physical memory (Linux: /proc/meminfo), or 64 GiB where it cannot be read.
fn physical_memory_bytes() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("MemTotal:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kib| kib * 1024)
        })
        .unwrap_or(64 << 30)
}

/// Refuses, before any work, an exact result that cannot fit in memory: its terms grow
/// like ρ^n, about n·log2 ρ bits on top of the initial values', and k such values are live
/// at once. Returns the estimated size in bits.
fn check_size(func: &str, coef: &[Borrowed], init: &[Borrowed], n: &[u64]) -> PyResult<f64> {
    let growth = growth_log2(coef)?;
    let n_approx = n.iter().rev().fold(0.0, |acc, &l| acc * 2f64.powi(64) + l as f64);
    let init_bits = init.iter().map(|&x| log2_abs(x)).collect::<PyResult<Vec<f64>>>()?;
    let init_bits = init_bits.into_iter().fold(0.0, f64::max);
    let bits = if growth > 0.0 { n_approx * growth } else { 0.0 } + init_bits;
    if bits > (isize::MAX as f64 / 4.0) * 30.0 {
        return Err(PyErr::new(
            ExcType::OverflowError,
            format!("{func}() result would be too large for an int (about {bits:.3e} bits)"),
        ));
    }
    let k = coef.len() as f64;
    if (k + 2.0) * (bits + 64.0) > physical_memory_bytes() as f64 * 8.0 / 2.0 {
        return Err(PyErr::new(
            ExcType::OverflowError,
            format!("{func}() result would have about {bits:.3e} bits, more than fits in memory"),
        ));
    }
    Ok(bits)
}

/// An int reduced into `0..m` as a word (m < 2**64).
fn word(x: Borrowed, m: &Owned, mw: u64) -> PyResult<u64> {
    if let Some(v) = pyint::to_i64(x) {
        return Ok(i128::from(v).rem_euclid(i128::from(mw)) as u64);
    }
    let r = pyint::rem(x, m.borrow())?;
    Ok(pyint::to_u64(r.borrow()).expect("reduced below m < 2**64"))
}

/// The inverse of c_0 that running backwards needs, or the ValueError naming `n`.
fn c0_inverse(func: &str, c0: Borrowed, modulus: Option<&Owned>) -> PyResult<Owned> {
    match modulus {
        None => match pyint::to_i64(c0) {
            Some(1 | -1) => Ok(c0.new_ref()),
            _ => value_error(format!(
                "{func}() argument 'n' may be negative only when the recurrence runs backwards: \
                 without mod, coefficients[0] must be 1 or -1"
            )),
        },
        Some(m) => {
            let minus_one = pyint::from_i64(-1)?;
            // SAFETY: three live exact ints; a new reference or NULL with an exception.
            let inv = unsafe {
                Owned::from_owned_ptr_or_err(ffi::PyNumber_Power(c0.as_ptr(), minus_one.as_ptr(), m.as_ptr()))
            };
            match inv {
                Err(e) if e.is(ExcType::ValueError) => value_error(format!(
                    "{func}() argument 'n' may be negative only when the recurrence runs backwards: \
                     coefficients[0] must be invertible modulo mod (gcd(coefficients[0], mod) == 1)"
                )),
                other => other,
            }
        }
    }
}

/// The term x_n (`Want::Term`, one value) or the window x_n .. x_{n+k−1} (`Want::Window`)
/// of the recurrence with coefficients `coef` and window `init` at position 0, for any
/// integer n; values reduced into `range(mod)` with a modulus. `coef` and `init` are exact
/// ints of the same length k >= 1. Nothing here runs Python code but signal handlers.
pub(crate) fn jump_values(
    func: &str,
    coef: &[Borrowed],
    init: &[Borrowed],
    modulus: Option<&Owned>,
    n: Borrowed,
    want: Want,
) -> PyResult<Vec<Owned>> {
    let k = coef.len();
    let (limbs, negative) = limbs_of(n)?;
    let c0_inv = if negative { Some(c0_inverse(func, coef[0], modulus)?) } else { None };
    // Backwards: the reversed recurrence's window at |n|, reversed (linrec::reversed).
    let inner_want = if negative { Want::Window } else { want };
    let finish = |mut w: Vec<Owned>| -> Vec<Owned> {
        if !negative {
            return w;
        }
        w.reverse();
        if want == Want::Term {
            w.truncate(1);
        }
        w
    };
    if let Some((m, mw)) = modulus.and_then(|m| Some((m, pyint::to_u64(m.borrow())?))) {
        let words = |v: &[Borrowed]| v.iter().map(|&x| word(x, m, mw)).collect::<PyResult<Vec<u64>>>();
        let (mut c, mut x) = (words(coef)?, words(init)?);
        if let Some(inv) = &c0_inv {
            let inv = u128::from(word(inv.borrow(), m, mw)?);
            let m128 = u128::from(mw);
            let mut d = vec![inv as u64];
            for j in 1..k {
                let t = u128::from(c[k - j]) * inv % m128;
                d.push(((m128 - t) % m128) as u64);
            }
            c = d;
            x.reverse();
        }
        let out = linrec::jump_mod(&c, &x, &limbs, mw, inner_want, &mut check_signals)?;
        let out = out.into_iter().map(pyint::from_u64).collect::<PyResult<Vec<_>>>()?;
        return Ok(finish(out));
    }
    let mut r = PyRing { modulus: modulus.cloned() };
    let (mut c, mut x): (Vec<Owned>, Vec<Owned>) = (
        coef.iter().map(|&v| r.reduce(v.new_ref())).collect::<PyResult<_>>()?,
        init.iter().map(|&v| r.reduce(v.new_ref())).collect::<PyResult<_>>()?,
    );
    if let Some(inv) = &c0_inv {
        let inv = r.reduce(inv.clone())?;
        (c, x) = linrec::reversed(&mut r, &c, &x, &inv)?;
    }
    if modulus.is_none() {
        let bits = check_size(func, borrow_all(&c), borrow_all(&x), &limbs)?;
        if bits < 62.0 {
            let words = |v: &[Owned]| v.iter().map(|x| pyint::to_i64(x.borrow())).collect::<Option<Vec<i64>>>();
            if let (Some(cw), Some(xw)) = (words(&c), words(&x)) {
                if let Ok(out) = linrec::jump(&mut CheckedI64, &cw, &xw, &limbs, inner_want) {
                    return Ok(finish(out.into_iter().map(pyint::from_i64).collect::<PyResult<Vec<_>>>()?));
                }
            }
        }
    }
    Ok(finish(linrec::jump(&mut r, &c, &x, &limbs, inner_want)?))
}

const FUNC: &str = "nth_term";

/// The body of `nth_term`: argument conversion in `LucasIter`'s order and wording.
fn nth_term_call(a: [Borrowed; 3], m: Option<Borrowed>) -> PyResult<Owned> {
    let modulus = args::modulus(FUNC, m)?;
    let coef = args::integer_items(FUNC, "coefficients", a[0])?;
    let init = args::integer_items(FUNC, "initial", a[1])?;
    if coef.is_empty() {
        return value_error(format!("{FUNC}() argument 'coefficients' must not be empty"));
    }
    if coef.len() != init.len() {
        return value_error(format!(
            "{FUNC}() arguments 'coefficients' and 'initial' must have the same length ({} != {})",
            coef.len(),
            init.len()
        ));
    }
    let n = args::integer(FUNC, "n", a[2])?;
    let mut out = jump_values(FUNC, borrow_all(&coef), borrow_all(&init), modulus.as_ref(), n.borrow(), Want::Term)?;
    Ok(out.swap_remove(0))
}

/// `nth_term(coefficients, initial, n, /, *, mod=None)`, `METH_FASTCALL | METH_KEYWORDS`.
unsafe extern "C" fn nth_term(
    _module: *mut ffi::PyObject,     // borrowed
    args: *const *mut ffi::PyObject, // borrowed array
    nargsf: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject, // borrowed tuple or NULL
) -> *mut ffi::PyObject /* new reference */ {
    // SAFETY: CPython calls this with vectorcall arguments.
    unsafe { fastcall(FUNC, ["coefficients", "initial", "n"], args, nargsf, kwnames, nth_term_call) }
}

/// This file's method table, added to the module by `PyModule_AddFunctions`.
pub static NTH_TERM_METHODS: StaticCell<[ffi::PyMethodDef; 2]> = StaticCell::new([
    method(
        c"nth_term",
        nth_term,
        c"nth_term($module, coefficients, initial, n, /, *, mod=None)
--

Return x_n of the recurrence LucasIter(coefficients, initial, mod=mod) yields.

x_{t+k} = c_0*x_t + ... + c_{k-1}*x_{t+k-1}, c_0 pairing with the oldest
value, x_0 .. x_{k-1} = initial. Equal to
next(islice(LucasIter(coefficients, initial, mod=mod), n, None)), in
O(k**2 log n) operations (fewer for large k) instead of n steps.

n may be negative when the recurrence runs backwards: coefficients[0] is 1
or -1 (without mod) or invertible modulo mod; otherwise ValueError.

>>> nth_term([1, 1], [0, 1], 100)
354224848179261915075
>>> nth_term([1, 1, 1], [0, 0, 1], 10**18, mod=10**9 + 7)
913728402",
    ),
    ffi::PyMethodDef::zeroed(),
]);
