//! `find_recurrence(terms, /, *, mod=None)`: from terms to a shortest linear recurrence
//! generating them, over [`lucas_core::find`] (Berlekamp–Massey). Binding, conversion of the
//! terms, one call into the core, and the result as `(coefficients, initial)` in
//! `LucasIter`'s convention.
//!
//! Paths: `mod` below 2**64 runs on machine words; a larger `mod` on the big-integer
//! backend (prime powers where Berlekamp–Massey cannot divide: Reeds–Sloane); no `mod` runs
//! modulo word primes and rebuilds the rationals exactly (docs/algorithms/berlekamp-massey.md).

use crate::capi::args;
use crate::capi::cstatic::StaticCell;
use crate::capi::error::{check_signals, value_error, PyResult};
use crate::capi::method_def::{fastcall, method};
use crate::capi::objects::{call_method, import, new_tuple};
use crate::capi::pyint;
use crate::capi::refs::{Borrowed, Owned};
use lucas_core::bigint::Big;
use lucas_core::find::{find_exact, find_mod_big, find_mod_word, Refusal};
use pyo3_ffi as ffi;

const FUNC: &str = "find_recurrence";

/// The ValueError for a modulus with a square factor that could not be handled.
fn refused(r: Refusal) -> PyResult<(Vec<Owned>, Vec<Owned>)> {
    let f = pyint::literal(pyint::from_big(&r.factor)?.borrow())?;
    if r.prime {
        return value_error(format!(
            "{FUNC}() argument 'mod': Reeds-Sloane found no recurrence modulo a power of the prime {f}"
        ));
    }
    value_error(format!(
        "{FUNC}() argument 'mod' is divisible by the square of {f}, a factor of 2**64 or more that \
         lucas does not factor, and these terms would make Berlekamp-Massey divide by a multiple of \
         it (Reeds-Sloane needs its prime factors)"
    ))
}

/// `num/den` as an int when den is 1, a `fractions.Fraction` otherwise.
fn rational(num: &Big, den: &Big) -> PyResult<Owned> {
    let num = pyint::from_big(num)?;
    if *den == Big::from_i64(1) {
        return Ok(num);
    }
    let fractions = import(c"fractions")?;
    call_method(fractions.borrow(), c"Fraction", &[num.borrow(), pyint::from_big(den)?.borrow()])
}

/// The coefficients and the initial values, exactly (no modulus).
fn exact(items: Vec<Owned>) -> PyResult<(Vec<Owned>, Vec<Owned>)> {
    let terms = items.iter().map(|x| pyint::to_big(x.borrow())).collect::<PyResult<Vec<Big>>>()?;
    let found = find_exact(&terms, &mut check_signals)?;
    let coefficients = found.iter().map(|(n, d)| rational(n, d)).collect::<PyResult<Vec<_>>>()?;
    let mut initial = items;
    initial.truncate(coefficients.len());
    Ok((coefficients, initial))
}

/// The coefficients and the initial values modulo m.
fn modular(items: &[Owned], m: &Owned) -> PyResult<(Vec<Owned>, Vec<Owned>)> {
    if let Some(mw) = pyint::to_u64(m.borrow()) {
        let words = items.iter().map(|x| pyint::rem_word(x.borrow(), m.borrow(), mw)).collect::<PyResult<Vec<_>>>()?;
        let found = match find_mod_word(&words, mw, &mut check_signals)? {
            Ok(c) => c,
            Err(r) => return refused(r),
        };
        let ints = |v: &[u64]| v.iter().map(|&x| pyint::from_u64(x)).collect::<PyResult<Vec<_>>>();
        return Ok((ints(&found)?, ints(&words[..found.len()])?));
    }
    let mb = pyint::to_big(m.borrow())?;
    let residues =
        items.iter().map(|x| Ok(pyint::to_big(x.borrow())?.rem_euclid(&mb))).collect::<PyResult<Vec<Big>>>()?;
    let found = match find_mod_big(&residues, &mb, &mut check_signals)? {
        Ok(c) => c,
        Err(r) => return refused(r),
    };
    let ints = |v: &[Big]| v.iter().map(pyint::from_big).collect::<PyResult<Vec<_>>>();
    Ok((ints(&found)?, ints(&residues[..found.len()])?))
}

/// The body of `find_recurrence`: `mod` first, then the terms, as `nth_term` converts.
fn find_recurrence_call([terms]: [Borrowed; 1], m: Option<Borrowed>) -> PyResult<Owned> {
    let modulus = args::modulus(FUNC, m)?;
    let items = args::integer_items(FUNC, "terms", terms)?;
    let (coefficients, initial) = match &modulus {
        None => exact(items)?,
        Some(m) => modular(&items, m)?,
    };
    new_tuple(vec![new_tuple(coefficients)?, new_tuple(initial)?])
}

/// `find_recurrence(terms, /, *, mod=None)`, `METH_FASTCALL | METH_KEYWORDS`.
unsafe extern "C" fn find_recurrence(
    _module: *mut ffi::PyObject,     // borrowed
    args: *const *mut ffi::PyObject, // borrowed array
    nargsf: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject, // borrowed tuple or NULL
) -> *mut ffi::PyObject /* new reference */ {
    // SAFETY: CPython calls this with vectorcall arguments.
    unsafe { fastcall(FUNC, ["terms"], args, nargsf, kwnames, find_recurrence_call) }
}

/// This file's method table, added to the module by `PyModule_AddFunctions`.
pub static FIND_METHODS: StaticCell<[ffi::PyMethodDef; 2]> = StaticCell::new([
    method(
        c"find_recurrence",
        find_recurrence,
        c"find_recurrence($module, terms, /, *, mod=None)
--

Return (coefficients, initial) of a shortest linear recurrence generating terms.

In LucasIter's convention: with k = len(coefficients),
terms[t+k] == c_0*terms[t] + ... + c_{k-1}*terms[t+k-1] for every t, and
initial == tuple(terms[:k]), so LucasIter(*find_recurrence(terms)) yields
the terms and continues them, and nth_term(*find_recurrence(terms), n)
jumps ahead (Berlekamp-Massey).

Without mod the recurrence is over the rationals, found exactly: each
coefficient is an int, or a fractions.Fraction when it is not integral.
With mod (a positive integer) it is over the integers modulo mod, every
value in range(mod), for any mod: prime powers use Reeds-Sloane where
Berlekamp-Massey cannot divide. Only a mod divisible by the square of an
unfactored number of 2**64 or more may raise ValueError.
Empty or all-zero terms give ((), ()). When 2*k > len(terms) several
shortest recurrences exist, and any one of them may be returned.

>>> find_recurrence([0, 1, 1, 2, 3, 5, 8, 13])
((1, 1), (0, 1))
>>> find_recurrence([1, 4, 9, 16, 25, 36, 49])
((1, -3, 3), (1, 4, 9))",
    ),
    ffi::PyMethodDef::zeroed(),
]);
