//! The n-th terms of Fibonacci, Lucas and the Lucas sequences U and V as module functions
//! (docs/extension/06-arguments.md): the CPython side only. Each converts its
//! arguments once, lets the core choose the regime ([`lucas_core::terms::fib_or_lucas`],
//! [`lucas_core::terms::lucas_uv`]) and turns the result into an int once
//! ([`pyint::term_to_int`]).
//!
//! Each is a type implementing [`Function`]; the table [`MODULE_METHODS`] points at the
//! shared entry point for each. Its entries become `builtin_function_or_method` objects whose
//! docstrings start with a `__text_signature__` line, which `inspect.signature` reads.

use crate::capi::args;
use crate::capi::error::{ExcType, PyErr, PyResult};
use crate::capi::exact_int::{ExactInt, Int};
use crate::capi::gil::{allow_threads, Interrupted};
use crate::capi::method_def::{method, method_table, Function};
use crate::capi::object_calls::new_tuple;
use crate::capi::pyint;
use crate::capi::refs::{Borrowed, Owned};
use crate::capi::static_cell::StaticCell;
use lucas_core::modular::Modulus;
use lucas_core::terms::exact::{Parts, Refused};
use lucas_core::terms::ladder::Which;
use lucas_core::terms::{self, Term};
use pyo3_ffi as ffi;
use std::sync::OnceLock;

/// Int objects for F_n and L_n from n = 0 while they fit 128 bits (F_n up to n = 186, L_n
/// up to n = 184): a memo of results, made at import, so that such a call costs only its
/// argument parsing.
struct SmallTerms {
    fib: Vec<Int>,
    lucas: Vec<Int>,
}

// SAFETY: the ints are created once, during module init, and never written or dropped
// afterwards (the cell is a static of a module that cannot be unloaded); lucas only reads
// them, taking new references, on threads attached to the interpreter.
unsafe impl Sync for SmallTerms {}
// SAFETY: as above: the value is made on one thread and only read elsewhere.
unsafe impl Send for SmallTerms {}

static SMALL_TERMS: OnceLock<SmallTerms> = OnceLock::new();

/// The terms of the recurrence x_{k+2} = x_{k+1} + x_k from (x_0, x_1) that fit a u128.
fn terms_below_2_128(mut x: u128, mut x1: u128) -> PyResult<Vec<Int>> {
    let mut terms = vec![pyint::from_u128(x)?];
    loop {
        terms.push(pyint::from_u128(x1)?);
        match x.checked_add(x1) {
            Some(next) => (x, x1) = (x1, next),
            None => return Ok(terms),
        }
    }
}

/// Fills the memo; called from `PyInit_lucas`. A second init (a re-created module) keeps
/// the first table.
pub fn init_small_terms() -> PyResult<()> {
    if SMALL_TERMS.get().is_none() {
        let terms = SmallTerms { fib: terms_below_2_128(0, 1)?, lucas: terms_below_2_128(2, 1)? };
        let _ = SMALL_TERMS.set(terms);
    }
    Ok(())
}

/// The memoised F_n or L_n, if n is small enough.
#[inline]
fn small_term(which: Which, n: i64) -> Option<Owned> {
    let terms = SMALL_TERMS.get()?;
    let table = if which == Which::Fibonacci { &terms.fib } else { &terms.lucas };
    table.get(usize::try_from(n).ok()?).map(|t| t.as_owned().clone())
}

/// The modulus argument in the core's form.
fn core_modulus(m: Option<&Int>) -> PyResult<Option<Modulus>> {
    m.map(|m| pyint::to_modulus(m.borrow())).transpose()
}

/// The error for a refused n-th term: OverflowError with the size, or the ValueError
/// `undefined` words for a negative n the parameters do not allow (an interrupt arrives
/// through [`allow_threads`] itself).
fn refused(func: &str, r: Refused<Interrupted>, undefined: impl FnOnce() -> PyResult<String>) -> PyErr {
    match r {
        Refused::TooLarge(t) => PyErr::new(ExcType::OverflowError, t.message(func)),
        Refused::NotInvertible => match undefined() {
            Ok(msg) => PyErr::new(ExcType::ValueError, msg),
            Err(e) => e,
        },
        Refused::Stopped(stop) => stop.into_err(),
    }
}

/// F_n or L_n for |n| up to [`lucas_core::terms::small::SHORT_MAX_N`], its int built straight
/// from the core's work area: work this short keeps the GIL (nothing is polled), so the
/// limbs need no copy to leave a released section.
fn short_term(which: Which, n: ExactInt) -> Option<PyResult<Int>> {
    let v = n.to_i64()?;
    if v.unsigned_abs() > terms::small::SHORT_MAX_N {
        return None;
    }
    let mut never = || Ok::<(), std::convert::Infallible>(());
    let limbs = [v.unsigned_abs()];
    let index = terms::exact::Index::new(&limbs, v < 0);
    terms::fib_or_lucas(&index, which, None, &mut never, pyint::term_to_int).ok()
}

// ANCHOR: fib_or_lucas_call
/// The body of fibonacci and lucas.
fn fib_or_lucas_call(func: &str, which: Which, n: Borrowed, m: Option<Borrowed>) -> PyResult<Owned> {
    // The common call, an exact int n >= 0 without mod: the memoised term, nothing else.
    if m.is_none() {
        if let Some(term) = ExactInt::new(n).and_then(ExactInt::to_i64).and_then(|v| small_term(which, v)) {
            return Ok(term);
        }
    }
    let n = args::integer(func, "n", n)?;
    if m.is_none() {
        if let Some(int) = short_term(which, n.borrow()) {
            return int.map(Int::into_owned);
        }
    }
    let m = args::modulus(func, m)?;
    let modulus = core_modulus(m.as_ref())?;
    // The term is built into an int once the GIL is held again: a term on a stack buffer
    // leaves the released part as an owned value.
    let result = pyint::with_index(n.borrow(), |n| {
        allow_threads(|poll| terms::fib_or_lucas(n, which, modulus.as_ref(), poll, |t: Term| t.into_owned()))
    })??;
    let never = || unreachable!("F and L are defined at every index");
    pyint::term_to_int(result.map_err(|r| refused(func, r, never))?).map(Int::into_owned)
}
// ANCHOR_END: fib_or_lucas_call

/// The body of lucas_u, lucas_v and lucas_uv.
fn lucas_uv_call(func: &str, parts: Parts, args: [Borrowed; 3], m: Option<Borrowed>) -> PyResult<Owned> {
    let n = args::integer(func, "n", args[0])?;
    let p = args::integer(func, "p", args[1])?;
    let q = args::integer(func, "q", args[2])?;
    let m = args::modulus(func, m)?;
    let modulus = core_modulus(m.as_ref())?;
    let (pc, qc) = (pyint::to_integer(p.borrow())?, pyint::to_integer(q.borrow())?);
    let result = pyint::with_index(n.borrow(), |n| {
        allow_threads(|poll| terms::lucas_uv(n, &pc, &qc, modulus.as_ref(), parts, poll))
    })??;
    let undefined = || match &m {
        Some(m) => Ok(format!(
            "{func}() argument 'n' may be negative with mod only when q and mod are coprime (q = {}, mod = {})",
            pyint::literal(q.borrow())?,
            pyint::literal(m.borrow())?
        )),
        None => Ok(format!("{func}() argument 'n' may be negative without mod only when q is 1 or -1")),
    };
    let (u, v) = result.map_err(|r| refused(func, r, undefined))?;
    let int = |t: Term| pyint::term_to_int(t).map(Int::into_owned);
    match parts {
        Parts::U => int(u),
        Parts::V => int(v),
        Parts::UV => new_tuple(vec![int(u)?, int(v)?]),
    }
}

// ANCHOR: fibonacci
/// `fibonacci(n, /, *, mod=None)`.
struct Fibonacci;

impl Function<1> for Fibonacci {
    const NAME: &'static std::ffi::CStr = c"fibonacci";
    const DOC: &'static std::ffi::CStr = c"fibonacci($module, n, /, *, mod=None)
--

Return the n-th Fibonacci number F_n (F_0 = 0, F_1 = 1) as an exact int.

Any integer n is allowed: F_{-n} = (-1)**(n+1) * F_n. With mod (a positive
integer) the result is F_n % mod, computed in O(log |n|) steps for any n.

>>> fibonacci(10), fibonacci(-10), fibonacci(10**18, mod=10**9 + 7)
(55, -55, 209783453)";
    const PARAMS: [&'static str; 1] = ["n"];
    const TAKES_MOD: bool = true;
    fn call([n]: [Borrowed; 1], m: Option<Borrowed>) -> PyResult<Owned> {
        fib_or_lucas_call("fibonacci", Which::Fibonacci, n, m)
    }
}
// ANCHOR_END: fibonacci

/// `lucas(n, /, *, mod=None)`.
struct Lucas;

impl Function<1> for Lucas {
    const NAME: &'static std::ffi::CStr = c"lucas";
    const DOC: &'static std::ffi::CStr = c"lucas($module, n, /, *, mod=None)
--

Return the n-th Lucas number L_n (L_0 = 2, L_1 = 1) as an exact int.

Any integer n is allowed: L_{-n} = (-1)**n * L_n. With mod, L_n % mod.

>>> lucas(10), lucas(-3)
(123, -4)";
    const PARAMS: [&'static str; 1] = ["n"];
    const TAKES_MOD: bool = true;
    fn call([n]: [Borrowed; 1], m: Option<Borrowed>) -> PyResult<Owned> {
        fib_or_lucas_call("lucas", Which::Lucas, n, m)
    }
}

/// `lucas_u(n, p, q, /, *, mod=None)`.
struct LucasU;

impl Function<3> for LucasU {
    const NAME: &'static std::ffi::CStr = c"lucas_u";
    const DOC: &'static std::ffi::CStr = c"lucas_u($module, n, p, q, /, *, mod=None)
--

Return U_n(P, Q): U_0 = 0, U_1 = 1, U_{n+2} = P*U_{n+1} - Q*U_n.

Every integer P and Q is allowed (D = P*P - 4*Q = 0 too). A negative n is
defined without mod only for Q = 1 or Q = -1, and with mod when Q and mod
are coprime (otherwise ValueError). The index comes first, unlike gmpy2's
lucasu(p, q, k).

>>> lucas_u(10, 1, -1), lucas_u(10, 3, 2)
(55, 1023)";
    const PARAMS: [&'static str; 3] = ["n", "p", "q"];
    const TAKES_MOD: bool = true;
    fn call(args: [Borrowed; 3], m: Option<Borrowed>) -> PyResult<Owned> {
        lucas_uv_call("lucas_u", Parts::U, args, m)
    }
}

/// `lucas_v(n, p, q, /, *, mod=None)`.
struct LucasV;

impl Function<3> for LucasV {
    const NAME: &'static std::ffi::CStr = c"lucas_v";
    const DOC: &'static std::ffi::CStr = c"lucas_v($module, n, p, q, /, *, mod=None)
--

Return V_n(P, Q): V_0 = 2, V_1 = P, V_{n+2} = P*V_{n+1} - Q*V_n.

Arguments as for lucas_u (the index first, unlike gmpy2's lucasv(p, q, k)).

>>> lucas_v(10, 1, -1), lucas_v(10, 3, 2)
(123, 1025)";
    const PARAMS: [&'static str; 3] = ["n", "p", "q"];
    const TAKES_MOD: bool = true;
    fn call(args: [Borrowed; 3], m: Option<Borrowed>) -> PyResult<Owned> {
        lucas_uv_call("lucas_v", Parts::V, args, m)
    }
}

/// `lucas_uv(n, p, q, /, *, mod=None)`.
struct LucasUV;

impl Function<3> for LucasUV {
    const NAME: &'static std::ffi::CStr = c"lucas_uv";
    const DOC: &'static std::ffi::CStr = c"lucas_uv($module, n, p, q, /, *, mod=None)
--

Return the pair (U_n(P, Q), V_n(P, Q)), computed together in one ladder.

Arguments as for lucas_u. With mod, for an odd n, this pair is what the
strong Lucas probable-prime test examines.

>>> lucas_uv(10, 1, -1)
(55, 123)";
    const PARAMS: [&'static str; 3] = ["n", "p", "q"];
    const TAKES_MOD: bool = true;
    fn call(args: [Borrowed; 3], m: Option<Borrowed>) -> PyResult<Owned> {
        lucas_uv_call("lucas_uv", Parts::UV, args, m)
    }
}

/// `_reconstruct(cls, coefficients, window, mod, /)`: `LucasIter`'s pickling helper.
struct Reconstruct;

impl Function<4> for Reconstruct {
    const NAME: &'static std::ffi::CStr = c"_reconstruct";
    const DOC: &'static std::ffi::CStr = c"_reconstruct($module, cls, coefficients, window, mod, /)
--

Rebuild a LucasIter (or subclass) instance at a given position; used by pickle
and copy through LucasIter.__reduce__. Not part of the public API.";
    const PARAMS: [&'static str; 4] = ["cls", "coefficients", "window", "mod"];
    const TAKES_MOD: bool = false;
    fn call(args: [Borrowed; 4], _: Option<Borrowed>) -> PyResult<Owned> {
        crate::lucas_iter::slots::reconstruct(args)
    }
}

/// The module's method table (`m_methods`), ended by a zeroed sentinel as in C.
pub static MODULE_METHODS: StaticCell<[ffi::PyMethodDef; 7]> = StaticCell::new(method_table([
    method::<Fibonacci, 1>(),
    method::<Lucas, 1>(),
    method::<LucasU, 3>(),
    method::<LucasV, 3>(),
    method::<LucasUV, 3>(),
    method::<Reconstruct, 4>(),
    ffi::PyMethodDef::zeroed(),
]));
