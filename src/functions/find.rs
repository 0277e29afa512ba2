//! `find_recurrence(terms, /, *, mod=None)`: from terms to a shortest linear recurrence
//! generating them, over [`lucas_core::find`] (Berlekamp–Massey). Binding, conversion of the
//! terms, one call into the core, and the result as `(coefficients, initial)` in
//! `LucasIter`'s convention.
//!
//! Paths: `mod` below 2**64 runs on machine words; a larger `mod` on the big-integer
//! backend (prime powers where Berlekamp–Massey cannot divide: Reeds–Sloane); no `mod` runs
//! modulo word primes and rebuilds the rationals exactly (docs/algorithms/berlekamp-massey.md).

use crate::capi::args;
use crate::capi::error::{value_error, PyResult};
use crate::capi::exact_int::Int;
use crate::capi::gil::{allow_threads, Interrupted};
use crate::capi::method_def::{method, method_table, Function};
use crate::capi::object_calls::{call_method, import, new_tuple};
use crate::capi::pyint;
use crate::capi::refs::{Borrowed, Owned};
use crate::capi::static_cell::StaticCell;
use lucas_core::bigint::Big;
use lucas_core::find::{find_exact, find_mod_big, find_mod_word, Refusal};
use pyo3_ffi as ffi;
use std::ffi::CStr;

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
    let num = pyint::from_big(num)?.into_owned();
    if *den == Big::from_i64(1) {
        return Ok(num);
    }
    let fractions = import(c"fractions")?;
    let den = pyint::from_big(den)?.into_owned();
    call_method(fractions.borrow(), c"Fraction", &[num.borrow(), den.borrow()], None)
}

/// The coefficients and the initial values, exactly (no modulus).
fn exact(items: Vec<Int>) -> PyResult<(Vec<Owned>, Vec<Owned>)> {
    let terms = items.iter().map(|x| pyint::to_big(x.borrow())).collect::<PyResult<Vec<Big>>>()?;
    let found = allow_threads(|poll| find_exact(&terms, poll))?.map_err(Interrupted::into_err)?;
    let coefficients = found.iter().map(|(n, d)| rational(n, d)).collect::<PyResult<Vec<_>>>()?;
    let initial = items.into_iter().take(coefficients.len()).map(Int::into_owned).collect();
    Ok((coefficients, initial))
}

/// The coefficients and the initial values modulo m.
fn modular(items: &[Int], m: &Int) -> PyResult<(Vec<Owned>, Vec<Owned>)> {
    if let Some(mw) = m.to_u64() {
        let words = items.iter().map(|x| pyint::rem_word(x.borrow(), mw)).collect::<PyResult<Vec<_>>>()?;
        let found = match allow_threads(|poll| find_mod_word(&words, mw, poll))?.map_err(Interrupted::into_err)? {
            Ok(c) => c,
            Err(r) => return refused(r),
        };
        let ints = |v: &[u64]| v.iter().map(|&x| Ok(pyint::from_u64(x)?.into_owned())).collect::<PyResult<Vec<_>>>();
        return Ok((ints(&found)?, ints(&words[..found.len()])?));
    }
    let mb = pyint::to_big(m.borrow())?;
    let residues =
        items.iter().map(|x| Ok(pyint::to_big(x.borrow())?.rem_euclid(&mb))).collect::<PyResult<Vec<Big>>>()?;
    let found = match allow_threads(|poll| find_mod_big(&residues, &mb, poll))?.map_err(Interrupted::into_err)? {
        Ok(c) => c,
        Err(r) => return refused(r),
    };
    let ints = |v: &[Big]| v.iter().map(|x| Ok(pyint::from_big(x)?.into_owned())).collect::<PyResult<Vec<_>>>();
    Ok((ints(&found)?, ints(&residues[..found.len()])?))
}

/// `find_recurrence(terms, /, *, mod=None)`.
struct FindRecurrence;

impl Function<1> for FindRecurrence {
    const NAME: &'static CStr = c"find_recurrence";
    const DOC: &'static CStr = DOC;
    const PARAMS: [&'static str; 1] = ["terms"];
    const TAKES_MOD: bool = true;

    /// `mod` first, then the terms, as `nth_term` converts.
    fn call([terms]: [Borrowed; 1], m: Option<Borrowed>) -> PyResult<Owned> {
        let modulus = args::modulus(FUNC, m)?;
        let items = args::integer_items(FUNC, "terms", terms)?;
        let (coefficients, initial) = match &modulus {
            None => exact(items)?,
            Some(m) => modular(&items, m)?,
        };
        new_tuple(vec![new_tuple(coefficients)?, new_tuple(initial)?])
    }
}

/// This file's method table, added to the module by `PyModule_AddFunctions`.
pub static FIND_METHODS: StaticCell<[ffi::PyMethodDef; 2]> =
    StaticCell::new(method_table([method::<FindRecurrence, 1>(), ffi::PyMethodDef::zeroed()]));

const DOC: &CStr = c"find_recurrence($module, terms, /, *, mod=None)
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
((1, -3, 3), (1, 4, 9))";
