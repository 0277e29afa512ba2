//! The module's functions: n-th terms of Fibonacci, Lucas and the Lucas sequences U and V
//! (the article's "Defining a Function" section), the CPython side only: entry points,
//! argument parsing and conversion. The arithmetic is FFI-free, in [`lucas_core::terms::exact`]
//! (without a modulus), [`lucas_core::modular::word`] (modulo a word) and [`lucas_core::terms::ladder`].
//!
//! Each is a `METH_FASTCALL | METH_KEYWORDS` C function (PEP 590 vectorcall): CPython passes
//! a C array of arguments instead of building a tuple and a dict, which is what makes a call
//! like `fibonacci(10)` cost about as much as `abs(7)`. The entries of [`MODULE_METHODS`]
//! become `builtin_function_or_method` objects; their docstrings start with a
//! `__text_signature__` line, which `inspect.signature` reads.
//!
//! Paths, fastest first:
//! 1. `fibonacci`/`lucas` of an n in 0..=184 (186 for F) without `mod`: a cached int object.
//! 2. `mod` below 2**64: the division-free ladder on machine words ([`lucas_core::modular::word`]),
//!    walking the bits of n from its limbs, so n = 2**4000 costs 4000 ladder steps.
//! 3. no `mod`: machine words while they do not overflow, then native big integers
//!    ([`lucas_core::bigint`]), converted to an int once at the end, after checking the result's
//!    size.
//! 4. `mod` of 2**64 or more: the ladder on Python ints, reduced after every operation.

use crate::capi::args;
use crate::capi::cstatic::StaticCell;
use crate::capi::error::{value_error, ExcType, PyErr, PyResult};
use crate::capi::gil::{allow_threads, Interrupted};
use crate::capi::method_def::{fastcall, method};
use crate::capi::objects::new_tuple;
use crate::capi::pyint::{self, PyInts};
use crate::capi::refs::{Borrowed, Owned};
use lucas_core::bigint::Big;
use lucas_core::modular::word::{fib_lucas_mod, lucas_uv_mod};
use lucas_core::terms::exact::{
    at_negative_index, fib_or_lucas_exact, lucas_uv_exact, sign_flips, Index, Refused, Want,
};
use lucas_core::terms::ladder::{fib_or_lucas, lucas_u_pair, lucas_v_from_pair, CheckedI128, Ring, Which};
use lucas_core::terms::small::fib_or_lucas_small;
use pyo3_ffi as ffi;

/// Cached int objects for F_n and L_n from n = 0 while they fit 128 bits (F_n up to n = 186,
/// L_n up to n = 184): past the machine word a call would otherwise spend more on the ladder
/// and on building a two-limb int than on the call itself. Built at import, owned for the
/// life of the process (the module cannot be unloaded), reached only with the GIL held.
struct SmallTerms {
    fib: Vec<Owned>,
    lucas: Vec<Owned>,
}

static SMALL_TERMS: StaticCell<Option<SmallTerms>> = StaticCell::new(None);

/// The terms of the recurrence x_{k+2} = x_{k+1} + x_k from (x_0, x_1) that fit a u128.
fn terms_below_2_128(mut x: u128, mut x1: u128) -> PyResult<Vec<Owned>> {
    let mut terms = vec![pyint::from_u128(x)?];
    loop {
        terms.push(pyint::from_u128(x1)?);
        match x.checked_add(x1) {
            Some(next) => (x, x1) = (x1, next),
            None => return Ok(terms),
        }
    }
}

/// Fills the cache; called from `PyInit_lucas`.
pub fn init_small_terms() -> PyResult<()> {
    // Written once, before the module object exists, and never again: readers can only run
    // after import published the module, so even without the GIL (PEP 703) no read races
    // the write. A second init (a re-created module) keeps the first table.
    // SAFETY: module init holds the GIL (or, free-threaded, the import lock of the module);
    // this only reads the cell.
    if unsafe { (*SMALL_TERMS.get()).is_some() } {
        return Ok(());
    }
    let (fib, lucas) = (terms_below_2_128(0, 1)?, terms_below_2_128(2, 1)?);
    // SAFETY: module init holds the GIL and no reference into the cell is alive.
    unsafe { *SMALL_TERMS.get() = Some(SmallTerms { fib, lucas }) };
    Ok(())
}

/// The cached F_n or L_n, if n is small enough.
fn small_term(which: Which, n: u64) -> Option<Owned> {
    let n = usize::try_from(n).ok()?;
    // SAFETY: the GIL is held and the cell is only written during module init.
    let terms = unsafe { (*SMALL_TERMS.get()).as_ref() }?;
    let table = if which == Which::Fibonacci { &terms.fib } else { &terms.lucas };
    table.get(n).cloned()
}

/// The argument n as an [`Index`].
fn index_of(n: Borrowed) -> PyResult<Index> {
    let (limbs, negative) = pyint::signed_limbs(n)?;
    Ok(Index::new(limbs, negative))
}

/// The error for a refused n-th term: OverflowError with the size (an interrupt arrives
/// through [`allow_threads`] itself).
fn refused(func: &str, r: Refused<Interrupted>) -> PyErr {
    match r {
        Refused::TooLarge(t) => PyErr::new(ExcType::OverflowError, t.message(func)),
        Refused::Stopped(stop) => stop.into_err(),
    }
}

/// U_n and V_n modulo m for n >= 0.
fn lucas_uv_mod_nonneg(n: &Index, p: &Owned, q: &Owned, m: &Owned) -> PyResult<(Owned, Owned)> {
    if let Some(mw) = pyint::to_u64(m.borrow()) {
        let word = |x: &Owned| pyint::rem_word(x.borrow(), m.borrow(), mw);
        let (p, q) = (word(p)?, word(q)?);
        let (u, v) = allow_threads(|poll| lucas_uv_mod(&n.limbs, p, q, mw, poll))?.map_err(Interrupted::into_err)?;
        return Ok((pyint::from_u64(u)?, pyint::from_u64(v)?));
    }
    let mut r = PyInts::new(Some(m.clone()))?;
    if n.is_zero() {
        return Ok((r.small(0)?, r.small(2)?));
    }
    // A modulus of 2**64 or more, maybe even: the division-free ladder.
    let (p, q) = (r.reduce(p.clone())?, r.reduce(q.clone())?);
    let (u, u1) = lucas_u_pair(&mut r, &p, &q, &n.limbs)?;
    let v = lucas_v_from_pair(&mut r, &p, &q, &u, &u1)?;
    Ok((u, v))
}

/// U_n and V_n modulo m for any n: U_{-n} = -U_n·Q^(-n) and V_{-n} = V_n·Q^(-n), defined
/// when Q is invertible modulo m.
fn lucas_uv_mod_any(func: &str, n: &Index, p: &Owned, q: &Owned, m: &Owned) -> PyResult<(Owned, Owned)> {
    let (u, v) = lucas_uv_mod_nonneg(n, p, q, m)?;
    if !n.negative {
        return Ok((u, v));
    }
    let minus_n = pyint::from_big(&Big::from_limbs(true, &n.limbs))?;
    let q_inv_n = match pyint::pow_mod(q.borrow(), minus_n.borrow(), m.borrow()) {
        Err(e) if e.is(ExcType::ValueError) => {
            return value_error(format!(
                "{func}() argument 'n' may be negative with mod only when q and mod are coprime \
                 (q = {}, mod = {})",
                pyint::literal(q.borrow())?,
                pyint::literal(m.borrow())?
            ))
        }
        other => other?,
    };
    let times = |x: &Owned| pyint::rem(pyint::mul(x.borrow(), q_inv_n.borrow())?.borrow(), m.borrow());
    Ok((pyint::rem(pyint::neg(times(&u)?.borrow())?.borrow(), m.borrow())?, times(&v)?))
}

/// The shared body of lucas_u, lucas_v and lucas_uv.
fn lucas_uv_call(func: &str, want: Want, args: [Borrowed; 3], m: Option<Borrowed>) -> PyResult<Owned> {
    let n = args::integer(func, "n", args[0])?;
    let p = args::integer(func, "p", args[1])?;
    let q = args::integer(func, "q", args[2])?;
    let m = args::modulus(func, m)?;
    let n = index_of(n.borrow())?;
    let (u, v) = if let Some(m) = &m {
        lucas_uv_mod_any(func, &n, &p, &q, m)?
    } else {
        let q_unit = match pyint::to_i64(q.borrow()) {
            Some(v @ (1 | -1)) => Some(v),
            _ => None,
        };
        if n.negative && q_unit.is_none() {
            return value_error(format!("{func}() argument 'n' may be negative without mod only when q is 1 or -1"));
        }
        let (pb, qb) = (pyint::to_big(p.borrow())?, pyint::to_big(q.borrow())?);
        let uv = allow_threads(|poll| lucas_uv_exact(&n, &pb, &qb, want, poll))?;
        let (mut u, mut v) = uv.map_err(|r| refused(func, r))?;
        if n.negative {
            (u, v) = at_negative_index(u, v, q_unit == Some(-1), n.is_odd());
        }
        match want {
            Want::U => return pyint::from_big(&u),
            Want::V => return pyint::from_big(&v),
            Want::UV => (pyint::from_big(&u)?, pyint::from_big(&v)?),
        }
    };
    match want {
        Want::U => Ok(u),
        Want::V => Ok(v),
        Want::UV => new_tuple(vec![u, v]),
    }
}

/// The shared body of fibonacci and lucas.
fn fib_lucas_call(func: &str, which: Which, n: Borrowed, m: Option<Borrowed>) -> PyResult<Owned> {
    // The common call, an exact int n >= 0 without mod: the cached term, nothing else.
    if m.is_none() && n.is_exact_int() {
        if let Some(term) = pyint::to_i64(n).and_then(|v| small_term(which, u64::try_from(v).ok()?)) {
            return Ok(term);
        }
    }
    let n = args::integer(func, "n", n)?;
    let m = args::modulus(func, m)?;
    if let (None, Some(v)) = (&m, pyint::to_i64(n.borrow())) {
        // Past the cache (or a negative n): i128, then stack buffers, no allocation before
        // the result's.
        let flips = sign_flips(v < 0, v % 2 != 0, which);
        if (1..=185).contains(&v.unsigned_abs()) {
            if let Ok(term) = fib_or_lucas(&mut CheckedI128, &[v.unsigned_abs()], which) {
                return pyint::from_i128(if flips { -term } else { term });
            }
        }
        if let Some(term) = fib_or_lucas_small(v.unsigned_abs(), which, |limbs| pyint::from_magnitude(flips, limbs)) {
            return term;
        }
    }
    let n = index_of(n.borrow())?;
    let Some(m) = m else {
        let value = allow_threads(|poll| fib_or_lucas_exact(&n, which, poll))?.map_err(|r| refused(func, r))?;
        return pyint::from_big(&value);
    };
    let flip = sign_flips(n.negative, n.is_odd(), which);
    let value = if let Some(mw) = pyint::to_u64(m.borrow()) {
        let value = allow_threads(|poll| fib_lucas_mod(&n.limbs, which, mw, poll))?;
        pyint::from_u64(value.map_err(Interrupted::into_err)?)?
    } else {
        // U(1, −1) = F and V(1, −1) = L, on the same ladder as the general case.
        let (one, minus_one) = (pyint::from_i64(1)?, pyint::from_i64(-1)?);
        let nonneg = Index::new(n.limbs.clone(), false);
        let (u, v) = lucas_uv_mod_nonneg(&nonneg, &one, &minus_one, &m)?;
        if which == Which::Fibonacci {
            u
        } else {
            v
        }
    };
    if flip {
        pyint::rem(pyint::neg(value.borrow())?.borrow(), m.borrow())
    } else {
        Ok(value)
    }
}

// ANCHOR: fibonacci_entry
unsafe extern "C" fn fibonacci(
    _module: *mut ffi::PyObject,     // borrowed
    args: *const *mut ffi::PyObject, // borrowed array
    nargsf: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject, // borrowed tuple or NULL
) -> *mut ffi::PyObject /* new reference */ {
    // SAFETY: CPython calls this with vectorcall arguments.
    unsafe {
        fastcall("fibonacci", ["n"], args, nargsf, kwnames, |[n], m| {
            fib_lucas_call("fibonacci", Which::Fibonacci, n, m)
        })
    }
}
// ANCHOR_END: fibonacci_entry

unsafe extern "C" fn lucas(
    _module: *mut ffi::PyObject,     // borrowed
    args: *const *mut ffi::PyObject, // borrowed array
    nargsf: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject, // borrowed tuple or NULL
) -> *mut ffi::PyObject /* new reference */ {
    // SAFETY: CPython calls this with vectorcall arguments.
    unsafe { fastcall("lucas", ["n"], args, nargsf, kwnames, |[n], m| fib_lucas_call("lucas", Which::Lucas, n, m)) }
}

unsafe extern "C" fn lucas_u(
    _module: *mut ffi::PyObject,     // borrowed
    args: *const *mut ffi::PyObject, // borrowed array
    nargsf: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject, // borrowed tuple or NULL
) -> *mut ffi::PyObject /* new reference */ {
    // SAFETY: CPython calls this with vectorcall arguments.
    unsafe {
        fastcall("lucas_u", ["n", "p", "q"], args, nargsf, kwnames, |a, m| lucas_uv_call("lucas_u", Want::U, a, m))
    }
}

unsafe extern "C" fn lucas_v(
    _module: *mut ffi::PyObject,     // borrowed
    args: *const *mut ffi::PyObject, // borrowed array
    nargsf: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject, // borrowed tuple or NULL
) -> *mut ffi::PyObject /* new reference */ {
    // SAFETY: CPython calls this with vectorcall arguments.
    unsafe {
        fastcall("lucas_v", ["n", "p", "q"], args, nargsf, kwnames, |a, m| lucas_uv_call("lucas_v", Want::V, a, m))
    }
}

unsafe extern "C" fn lucas_uv(
    _module: *mut ffi::PyObject,     // borrowed
    args: *const *mut ffi::PyObject, // borrowed array
    nargsf: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject, // borrowed tuple or NULL
) -> *mut ffi::PyObject /* new reference */ {
    // SAFETY: CPython calls this with vectorcall arguments.
    unsafe {
        fastcall("lucas_uv", ["n", "p", "q"], args, nargsf, kwnames, |a, m| lucas_uv_call("lucas_uv", Want::UV, a, m))
    }
}

unsafe extern "C" fn reconstruct(
    _module: *mut ffi::PyObject,     // borrowed
    args: *const *mut ffi::PyObject, // borrowed array
    nargsf: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject, // borrowed tuple or NULL
) -> *mut ffi::PyObject /* new reference */ {
    // SAFETY: CPython calls this with vectorcall arguments.
    unsafe {
        fastcall(
            "_reconstruct",
            ["cls", "coefficients", "window", "mod"],
            args,
            nargsf,
            kwnames,
            crate::lucas_iter::slots::new_from_reduce_args,
        )
    }
}

/// The module's method table (`m_methods`), ended by a zeroed sentinel as in C.
pub static MODULE_METHODS: StaticCell<[ffi::PyMethodDef; 7]> = StaticCell::new([
    method(
        c"fibonacci",
        fibonacci,
        c"fibonacci($module, n, /, *, mod=None)
--

Return the n-th Fibonacci number F_n (F_0 = 0, F_1 = 1) as an exact int.

Any integer n is allowed: F_{-n} = (-1)**(n+1) * F_n. With mod (a positive
integer) the result is F_n % mod, computed in O(log |n|) steps for any n.

>>> fibonacci(10), fibonacci(-10), fibonacci(10**18, mod=10**9 + 7)
(55, -55, 209783453)",
    ),
    method(
        c"lucas",
        lucas,
        c"lucas($module, n, /, *, mod=None)
--

Return the n-th Lucas number L_n (L_0 = 2, L_1 = 1) as an exact int.

Any integer n is allowed: L_{-n} = (-1)**n * L_n. With mod, L_n % mod.

>>> lucas(10), lucas(-3)
(123, -4)",
    ),
    method(
        c"lucas_u",
        lucas_u,
        c"lucas_u($module, n, p, q, /, *, mod=None)
--

Return U_n(P, Q): U_0 = 0, U_1 = 1, U_{n+2} = P*U_{n+1} - Q*U_n.

Every integer P and Q is allowed (D = P*P - 4*Q = 0 too). A negative n is
defined without mod only for Q = 1 or Q = -1, and with mod when Q and mod
are coprime (otherwise ValueError). The index comes first, unlike gmpy2's
lucasu(p, q, k).

>>> lucas_u(10, 1, -1), lucas_u(10, 3, 2)
(55, 1023)",
    ),
    method(
        c"lucas_v",
        lucas_v,
        c"lucas_v($module, n, p, q, /, *, mod=None)
--

Return V_n(P, Q): V_0 = 2, V_1 = P, V_{n+2} = P*V_{n+1} - Q*V_n.

Arguments as for lucas_u (the index first, unlike gmpy2's lucasv(p, q, k)).

>>> lucas_v(10, 1, -1), lucas_v(10, 3, 2)
(123, 1025)",
    ),
    method(
        c"lucas_uv",
        lucas_uv,
        c"lucas_uv($module, n, p, q, /, *, mod=None)
--

Return the pair (U_n(P, Q), V_n(P, Q)), computed together in one ladder.

Arguments as for lucas_u. With mod, for an odd n, this pair is what the
strong Lucas probable-prime test examines.

>>> lucas_uv(10, 1, -1)
(55, 123)",
    ),
    method(
        c"_reconstruct",
        reconstruct,
        c"_reconstruct($module, cls, coefficients, window, mod, /)
--

Rebuild a LucasIter (or subclass) instance at a given position; used by pickle
and copy through LucasIter.__reduce__. Not part of the public API.",
    ),
    ffi::PyMethodDef::zeroed(),
]);
