//! `nth_term(coefficients, initial, n, /, *, mod=None)`: the CPython side of the core's
//! jump-ahead ([`lucas_core::jump::nth_term`], which chooses the regime). `LucasIter.advance`
//! runs the same jump on its window (`lucas_iter/state.rs`).

use crate::capi::args;
use crate::capi::error::{ExcType, PyErr, PyResult};
use crate::capi::exact_int::Int;
use crate::capi::gil::{allow_threads, Interrupted};
use crate::capi::method_def::{method, method_table, Function};
use crate::capi::pyint;
use crate::capi::refs::{Borrowed, Owned};
use crate::capi::static_cell::StaticCell;
use lucas_core::bigint::Integer;
use lucas_core::jump::fiduccia::Output;
use lucas_core::terms::exact::Refused;
use pyo3_ffi as ffi;
use std::ffi::CStr;

/// The error for a refused jump: OverflowError with the size, or the ValueError for a
/// negative n on a recurrence that does not run backwards (an interrupt arrives through
/// [`allow_threads`] itself).
pub(crate) fn refused(func: &str, r: Refused<Interrupted>, with_mod: bool) -> PyErr {
    match r {
        Refused::TooLarge(t) => PyErr::new(ExcType::OverflowError, t.message(func)),
        Refused::NotInvertible if with_mod => PyErr::new(
            ExcType::ValueError,
            format!(
                "{func}() argument 'n' may be negative only when the recurrence runs backwards: \
                 coefficients[0] must be invertible modulo mod (gcd(coefficients[0], mod) == 1)"
            ),
        ),
        Refused::NotInvertible => PyErr::new(
            ExcType::ValueError,
            format!(
                "{func}() argument 'n' may be negative only when the recurrence runs backwards: \
                 without mod, coefficients[0] must be 1 or -1"
            ),
        ),
        Refused::Stopped(stop) => stop.into_err(),
    }
}

// ANCHOR: nth_term_call
/// `nth_term(coefficients, initial, n, /, *, mod=None)`.
struct NthTerm;

impl Function<3> for NthTerm {
    const NAME: &'static CStr = c"nth_term";
    const DOC: &'static CStr = c"nth_term($module, coefficients, initial, n, /, *, mod=None)
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
913728402";
    const PARAMS: [&'static str; 3] = ["coefficients", "initial", "n"];
    const TAKES_MOD: bool = true;

    /// Converts in `LucasIter`'s order and wording, then jumps.
    fn call([coefficients, initial, n]: [Borrowed; 3], m: Option<Borrowed>) -> PyResult<Owned> {
        const FUNC: &str = "nth_term";
        let m = args::modulus(FUNC, m)?;
        let (coef, init) = args::recurrence(FUNC, coefficients, initial)?;
        let n = args::integer(FUNC, "n", n)?;
        let jump = |coef: &[Integer], init: &[Integer]| {
            let modulus = m.as_ref().map(|m| pyint::to_modulus(m.borrow())).transpose()?;
            pyint::with_index(n.borrow(), |n| {
                allow_threads(|poll| lucas_core::jump::nth_term(coef, init, n, modulus.as_ref(), Output::Term, poll))
            })?
        };
        let integer = |x: &Int| pyint::to_integer(x.borrow());
        let out = match (&*coef, &*init) {
            // Order 2 (every Lucas sequence) converts without vectors.
            ([c0, c1], [x0, x1]) => jump(&[integer(c0)?, integer(c1)?], &[integer(x0)?, integer(x1)?])?,
            _ => {
                let convert = |v: &[Int]| v.iter().map(integer).collect::<PyResult<Vec<_>>>();
                jump(&convert(&coef)?, &convert(&init)?)?
            }
        };
        let term = out.map_err(|r| refused(FUNC, r, m.is_some()))?.swap_remove(0);
        pyint::term_to_int(term).map(Int::into_owned)
    }
}
// ANCHOR_END: nth_term_call

/// This file's method table, added to the module by `PyModule_AddFunctions`.
pub static NTH_TERM_METHODS: StaticCell<[ffi::PyMethodDef; 2]> =
    StaticCell::new(method_table([method::<NthTerm, 3>(), ffi::PyMethodDef::zeroed()]));
