//! `nth_term(coefficients, initial, n, /, *, mod=None)` and the jump behind
//! `LucasIter.advance(n)`: the entry point over [`lucas_core::jump::fiduccia`].
//!
//! Paths: `mod` below 2**64 runs on machine words ([`fiduccia::jump_mod`]); `mod` of 2**64 or
//! more and exact results run the same generic code on the big-integer backend
//! ([`lucas_core::jump::big_rings`]), converted from and to Python ints once; exact ones are refused
//! past the n-th-term functions' size limit before any work, and try checked `i64` words
//! first.

use crate::capi::args;
use crate::capi::cstatic::StaticCell;
use crate::capi::error::{check_signals, value_error, ExcType, PyErr, PyResult};
use crate::capi::method_def::{fastcall, method};
use crate::capi::pyint;
use crate::capi::refs::{borrow_all, Borrowed, Owned};
use lucas_core::bigint::Big;
use lucas_core::jump::big_rings::BigMod;
use lucas_core::jump::fiduccia::{self, Want};
use lucas_core::terms::exact::{recurrence_result_bits, BigInts, Index};
use lucas_core::terms::ladder::CheckedI64;
use pyo3_ffi as ffi;

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
            match pyint::pow_mod(c0, minus_one.borrow(), m.borrow()) {
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
    let (limbs, negative) = pyint::signed_limbs(n)?;
    let c0_inv = if negative { Some(c0_inverse(func, coef[0], modulus)?) } else { None };
    // Backwards: the reversed recurrence's window at |n|, reversed (fiduccia::reversed).
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
        let words =
            |v: &[Borrowed]| v.iter().map(|&x| pyint::rem_word(x, m.borrow(), mw)).collect::<PyResult<Vec<u64>>>();
        let (mut c, mut x) = (words(coef)?, words(init)?);
        if let Some(inv) = &c0_inv {
            let inv = u128::from(pyint::rem_word(inv.borrow(), m.borrow(), mw)?);
            let m128 = u128::from(mw);
            let mut d = vec![inv as u64];
            for j in 1..k {
                let t = u128::from(c[k - j]) * inv % m128;
                d.push(((m128 - t) % m128) as u64);
            }
            c = d;
            x.reverse();
        }
        let out = fiduccia::jump_mod(&c, &x, &limbs, mw, inner_want, &mut check_signals)?;
        let out = out.into_iter().map(pyint::from_u64).collect::<PyResult<Vec<_>>>()?;
        return Ok(finish(out));
    }
    // Exact, or modulo m >= 2**64: on the big-integer backend, one conversion each way.
    let bigs = |v: &[Borrowed]| v.iter().map(|&x| pyint::to_big(x)).collect::<PyResult<Vec<Big>>>();
    let (c, x) = (bigs(coef)?, bigs(init)?);
    let c0_inv = c0_inv.map(|inv| pyint::to_big(inv.borrow())).transpose()?;
    let out = match modulus {
        Some(m) => {
            let mut check = check_signals;
            let mut r = BigMod::new(pyint::to_big(m.borrow())?, &mut check);
            let (mut c, mut x): (Vec<Big>, Vec<Big>) =
                (c.iter().map(|v| r.reduce(v)).collect(), x.iter().map(|v| r.reduce(v)).collect());
            if let Some(inv) = &c0_inv {
                let inv = r.reduce(inv);
                (c, x) = fiduccia::reversed(&mut r, &c, &x, &inv)?;
            }
            fiduccia::jump(&mut r, &c, &x, &limbs, inner_want)?
        }
        None => exact_jump(func, c, x, c0_inv, &limbs, inner_want)?,
    };
    Ok(finish(out.iter().map(pyint::from_big).collect::<PyResult<Vec<_>>>()?))
}

/// The exact jump: a result over the n-th-term functions' size limit is refused before any
/// work (the same OverflowError), then checked `i64` words while the result is small, and
/// [`Big`] otherwise.
fn exact_jump(
    func: &str,
    c: Vec<Big>,
    x: Vec<Big>,
    c0_inv: Option<Big>,
    limbs: &[u64],
    want: Want,
) -> PyResult<Vec<Big>> {
    let mut check = check_signals;
    let mut r = BigInts::new(&mut check);
    let (c, x) = match &c0_inv {
        Some(inv) => fiduccia::reversed(&mut r, &c, &x, inv)?,
        None => (c, x),
    };
    let n = Index::new(limbs.to_vec(), false);
    let bits = recurrence_result_bits(&n, &c, &x).map_err(|t| PyErr::new(ExcType::OverflowError, t.message(func)))?;
    if bits < 62.0 {
        let words = |v: &[Big]| v.iter().map(Big::to_i64).collect::<Option<Vec<i64>>>();
        if let (Some(cw), Some(xw)) = (words(&c), words(&x)) {
            if let Ok(out) = fiduccia::jump(&mut CheckedI64, &cw, &xw, limbs, want) {
                return Ok(out.into_iter().map(Big::from_i64).collect());
            }
        }
    }
    fiduccia::jump(&mut r, &c, &x, limbs, want)
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

// ANCHOR: nth_term_entry
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
// ANCHOR_END: nth_term_entry

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
