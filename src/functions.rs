//! The module's functions: n-th terms of Fibonacci, Lucas and the Lucas sequences U and V
//! (the article's "Defining a Function" section, written out by hand).
//!
//! Each is a `METH_FASTCALL | METH_KEYWORDS` C function (PEP 590 vectorcall): CPython passes
//! a C array of arguments instead of building a tuple and a dict, which is what makes a call
//! like `fibonacci(10)` cost about as much as `abs(7)`. The entries of [`METHODS`] become
//! `builtin_function_or_method` objects; their docstrings start with a `__text_signature__`
//! line, which `inspect.signature` reads.
//!
//! Paths, fastest first:
//! 1. `fibonacci`/`lucas` of a small n without `mod`: a cached int object.
//! 2. `mod` below 2**64: the division-free ladder on machine words ([`crate::modword`]),
//!    walking the bits of n from its limbs, so n = 2**4000 costs 4000 ladder steps.
//! 3. no `mod`: machine words while they do not overflow, then the same ladders on Python
//!    ints, after checking that the result can fit in memory at all.
//! 4. `mod` of 2**64 or more: the ladder on Python ints, reduced after every operation.

use crate::args;
use crate::boundary::guard;
use crate::cstatic::StaticCell;
use crate::error::{check_signals, value_error, ExcType, PyErr, PyResult};
use crate::ladder::{fib_or_lucas, lucas_u_pair, lucas_uv_halving, lucas_v_from_pair, CheckedI64, Halve, Ring, Which};
use crate::modword::{fib_lucas_mod, lucas_uv_mod};
use crate::pyint;
use crate::refs::{new_tuple, Borrowed, Owned};
use pyo3_ffi as ffi;
use std::cmp::Ordering;
use std::ptr;

/// The largest n whose F_n fits an i64 (F_92 = 7540113804746346429); also covers L_n.
const SMALL_N: usize = 92;

/// Cached int objects for F_0..F_92 and L_0..L_92 where they fit an i64 (L_n does up to
/// n = 90). Built at import, owned for the life of the process (the module cannot be
/// unloaded), reached only with the GIL held.
struct SmallTerms {
    fib: Vec<Owned>,
    lucas: Vec<Owned>,
}

static SMALL_TERMS: StaticCell<Option<SmallTerms>> = StaticCell::new(None);

/// Fills the cache; called from `PyInit_lucas`.
pub fn init_small_terms() -> PyResult<()> {
    let (mut fib, mut lucas) = (Vec::new(), Vec::new());
    let (mut f, mut f1, mut l, mut l1) = (0i64, 1i64, 2i64, 1i64);
    for _ in 0..=SMALL_N {
        fib.push(pyint::from_i64(f)?);
        lucas.push(pyint::from_i64(l)?);
        (f, f1) = (f1, f.saturating_add(f1));
        (l, l1) = (l1, l.saturating_add(l1));
    }
    // L_91 no longer fits (the sum saturated): only L_0..L_90 are exact.
    lucas.truncate(91);
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

/// Python ints as a ladder ring, reduced modulo `modulus` after every operation if given.
struct PyInts {
    modulus: Option<Owned>,
    one: Owned,
}

impl PyInts {
    fn new(modulus: Option<Owned>) -> PyResult<PyInts> {
        Ok(PyInts { modulus, one: pyint::from_i64(1)? })
    }

    fn reduce(&self, x: Owned) -> PyResult<Owned> {
        match &self.modulus {
            Some(m) => pyint::rem(x.borrow(), m.borrow()),
            None => Ok(x),
        }
    }
}

impl Ring for PyInts {
    type E = Owned;
    type Err = PyErr;
    fn mul(&mut self, a: &Owned, b: &Owned) -> PyResult<Owned> {
        // Passing the same object twice lets CPython's long_mul use its faster squaring.
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
    /// One ladder step on huge ints can take seconds: let Ctrl-C through between steps.
    fn bit_done(&mut self) -> PyResult<()> {
        check_signals()
    }
}

/// Only without a modulus: the ladders halve even integers (a modulus may be even).
impl Halve for PyInts {
    fn half(&mut self, a: &Owned) -> PyResult<Owned> {
        debug_assert!(self.modulus.is_none(), "halving is exact only for integers");
        pyint::rshift(a.borrow(), self.one.borrow())
    }
}

/// An argument n as |n| in little-endian limbs, and its sign.
struct Index {
    limbs: Vec<u64>,
    negative: bool,
    odd: bool,
}

impl Index {
    fn new(n: Borrowed) -> PyResult<Index> {
        let (limbs, negative) = match pyint::to_i64(n) {
            Some(v) => (vec![v.unsigned_abs()], v < 0),
            None => (pyint::abs_to_limbs(n)?, pyint::sign(n) == Ordering::Less),
        };
        let odd = limbs.first().is_some_and(|l| l & 1 == 1);
        Ok(Index { limbs, negative, odd })
    }

    fn small(&self) -> Option<i64> {
        match self.limbs.as_slice() {
            [] => Some(0),
            [l] => i64::try_from(*l).ok(),
            _ => None,
        }
    }

    fn is_zero(&self) -> bool {
        self.limbs.iter().all(|&l| l == 0)
    }

    /// The number of bits of |n|.
    fn bit_length(&self) -> u64 {
        match self.limbs.iter().rposition(|&l| l != 0) {
            Some(top) => top as u64 * 64 + u64::from(64 - self.limbs[top].leading_zeros()),
            None => 0,
        }
    }

    /// |n| as a float, for size estimates.
    fn approx(&self) -> f64 {
        self.limbs.iter().rev().fold(0.0, |acc, &l| acc * 2f64.powi(64) + l as f64)
    }
}

/// The largest result accepted without `mod`, in bits: a fixed limit, so that a call costs
/// its arithmetic and nothing else (no probe of the system's memory per call). A result of
/// 2**32 bits is a 512 MiB int; the ladder holds a few values of that size at once.
pub const MAX_RESULT_BITS: f64 = 4_294_967_296.0;

/// Refuses, before any work, a result larger than [`MAX_RESULT_BITS`]: a term of a sequence
/// that grows like r^n has about n·log2(r) bits.
fn check_size(func: &str, n: &Index, growth_log2: f64) -> PyResult<()> {
    if growth_log2 <= 1e-9 {
        return Ok(()); // |roots| <= 1: the terms grow at most polynomially in n
    }
    let bits = n.approx() * growth_log2;
    if bits > MAX_RESULT_BITS {
        // Beyond f64's range n.approx() is infinite: give the size as a power of two then.
        let size = if bits.is_finite() {
            format!("{bits:.3e}")
        } else {
            format!("2**{:.0}", n.bit_length() as f64 + growth_log2.log2())
        };
        return Err(PyErr::new(
            ExcType::OverflowError,
            format!(
                "{func}() result would have about {size} bits, more than the limit of 2**32; \
                 pass mod= to compute it modulo a number"
            ),
        ));
    }
    Ok(())
}

/// log2 of the largest |root| of x² − P·x + Q: how many bits U_n and V_n gain per step.
fn growth_log2(p: Borrowed, q: Borrowed) -> PyResult<f64> {
    // Scale p by 2^-s and q by 2^-2s so that both fit a float with room for p²: the roots
    // scale by 2^-s, so log2 of the largest root is s + log2 of the scaled one.
    let (pb, qb) = (pyint::bit_length(p)?, pyint::bit_length(q)?);
    let s = pb.max(qb / 2).saturating_sub(500);
    let (p, q) = if s > 0 {
        let (s1, s2) = (pyint::from_u64(s)?, pyint::from_u64(2 * s)?);
        (pyint::rshift(p, s1.borrow())?, pyint::rshift(q, s2.borrow())?)
    } else {
        (p.new_ref(), q.new_ref())
    };
    // SAFETY: exact ints below 2**1001 in magnitude convert to finite floats without error.
    let (p, q) = unsafe { (ffi::PyLong_AsDouble(p.as_ptr()), ffi::PyLong_AsDouble(q.as_ptr())) };
    let d = p * p - 4.0 * q;
    let r = if d >= 0.0 { (p.abs() + d.sqrt()) / 2.0 } else { q.sqrt() };
    Ok((s as f64 + r.log2()).max(0.0))
}

/// Which results a Lucas-sequence function returns.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    U,
    V,
    UV,
}

/// U_n and/or V_n for n >= 0, every path but the sign of negative n.
fn lucas_uv_nonneg(func: &str, n: &Index, p: &Owned, q: &Owned, m: Option<&Owned>) -> PyResult<(Owned, Owned)> {
    if let Some(m) = m {
        if let Some(mw) = pyint::to_u64(m.borrow()) {
            let word = |x: &Owned| -> PyResult<u64> {
                if let Some(v) = pyint::to_i64(x.borrow()) {
                    return Ok(i128::from(v).rem_euclid(i128::from(mw)) as u64);
                }
                let r = pyint::rem(x.borrow(), m.borrow())?;
                Ok(pyint::to_u64(r.borrow()).expect("reduced below m < 2**64"))
            };
            let (u, v) = lucas_uv_mod(&n.limbs, word(p)?, word(q)?, mw, &mut check_signals)?;
            return Ok((pyint::from_u64(u)?, pyint::from_u64(v)?));
        }
    }
    if n.is_zero() {
        let mut r = PyInts::new(m.cloned())?;
        return Ok((r.small(0)?, r.small(2)?));
    }
    if m.is_none() {
        check_size(func, n, growth_log2(p.borrow(), q.borrow())?)?;
        if let (Some(pw), Some(qw), Some(_)) = (pyint::to_i64(p.borrow()), pyint::to_i64(q.borrow()), n.small()) {
            if let Ok((u, v)) = lucas_uv_halving(&mut CheckedI64, &pw, &qw, &n.limbs) {
                return Ok((pyint::from_i64(u)?, pyint::from_i64(v)?));
            }
        }
        return lucas_uv_halving(&mut PyInts::new(None)?, p, q, &n.limbs);
    }
    // A modulus of 2**64 or more, maybe even: the division-free ladder.
    let mut r = PyInts::new(m.cloned())?;
    let (p, q) = (r.reduce(p.clone())?, r.reduce(q.clone())?);
    let (u, u1) = lucas_u_pair(&mut r, &p, &q, &n.limbs)?;
    let v = lucas_v_from_pair(&mut r, &p, &q, &u, &u1)?;
    Ok((u, v))
}

/// `-x`, or `(-x) % m` with a modulus.
fn negate(x: Owned, m: Option<&Owned>) -> PyResult<Owned> {
    let neg = pyint::neg(x.borrow())?;
    match m {
        Some(m) => pyint::rem(neg.borrow(), m.borrow()),
        None => Ok(neg),
    }
}

/// The shared body of lucas_u, lucas_v and lucas_uv.
fn lucas_uv_call(func: &str, want: Want, args: [Borrowed; 3], m: Option<Borrowed>) -> PyResult<Owned> {
    let n = args::integer(func, "n", args[0])?;
    let p = args::integer(func, "p", args[1])?;
    let q = args::integer(func, "q", args[2])?;
    let m = args::modulus(func, m)?;
    let n = Index::new(n.borrow())?;
    let q_sign = match pyint::to_i64(q.borrow()) {
        Some(1) => 1,
        Some(-1) => -1,
        _ => 0,
    };
    if n.negative && q_sign == 0 {
        return value_error(format!("{func}() argument 'n' may be negative only when q is 1 or -1"));
    }
    let (mut u, mut v) = lucas_uv_nonneg(func, &n, &p, &q, m.as_ref())?;
    if n.negative {
        // U_{-n} = -U_n / Q^n and V_{-n} = V_n / Q^n, with Q^n = ±1.
        let q_pow_n_negative = q_sign == -1 && n.odd;
        if !q_pow_n_negative {
            u = negate(u, m.as_ref())?;
        } else {
            v = negate(v, m.as_ref())?;
        }
    }
    match want {
        Want::U => Ok(u),
        Want::V => Ok(v),
        Want::UV => new_tuple(vec![u, v]),
    }
}

/// The shared body of fibonacci and lucas.
fn fib_lucas_call(func: &str, which: Which, n: Borrowed, m: Option<Borrowed>) -> PyResult<Owned> {
    // The common call, an exact int n >= 0 without mod: the cached term, nothing else.
    // SAFETY: reads the type of a live object.
    if m.is_none() && unsafe { ffi::PyLong_CheckExact(n.as_ptr()) } != 0 {
        if let Some(term) = pyint::to_i64(n).and_then(|v| small_term(which, u64::try_from(v).ok()?)) {
            return Ok(term);
        }
    }
    let n = args::integer(func, "n", n)?;
    let m = args::modulus(func, m)?;
    // F_{-n} = (-1)^(n+1) F_n and L_{-n} = (-1)^n L_n.
    let flip = |negative: bool, odd: bool| negative && (odd == (which == Which::Lucas));
    if m.is_none() {
        if let Some(v) = pyint::to_i64(n.borrow()) {
            if let Some(term) = small_term(which, v.unsigned_abs()) {
                return if flip(v < 0, v % 2 != 0) { pyint::neg(term.borrow()) } else { Ok(term) };
            }
        }
    }
    let n = Index::new(n.borrow())?;
    let value = if let Some(mw) = m.as_ref().and_then(|m| pyint::to_u64(m.borrow())) {
        pyint::from_u64(fib_lucas_mod(&n.limbs, which, mw, &mut check_signals)?)?
    } else if let Some(m) = &m {
        // U(1, −1) = F and V(1, −1) = L, on the same ladder as the general case.
        let (one, minus_one) = (pyint::from_i64(1)?, pyint::from_i64(-1)?);
        let (u, v) = lucas_uv_nonneg(func, &n, &one, &minus_one, Some(m))?;
        if which == Which::Fibonacci {
            u
        } else {
            v
        }
    } else {
        check_size(func, &n, 0.694_241_913_630_617_3)?; // log2 of the golden ratio
        fib_or_lucas(&mut PyInts::new(None)?, &n.limbs, which)?
    };
    if flip(n.negative, n.odd) {
        negate(value, m.as_ref())
    } else {
        Ok(value)
    }
}

/// Declares a `METH_FASTCALL | METH_KEYWORDS` entry point that binds `$names` and runs
/// `$body` inside the boundary guard.
macro_rules! fastcall {
    ($fname:ident, $pyname:literal, [$($name:literal),+], |$args:ident, $m:ident| $body:expr) => {
        unsafe extern "C" fn $fname(
            _module: *mut ffi::PyObject,      // borrowed
            args: *const *mut ffi::PyObject,  // borrowed array
            nargsf: ffi::Py_ssize_t,
            kwnames: *mut ffi::PyObject,      // borrowed tuple or NULL
        ) -> *mut ffi::PyObject /* new reference */ {
            guard(ptr::null_mut(), || {
                // SAFETY: CPython passes the vectorcall arguments as PEP 590 specifies.
                let ($args, $m) = unsafe { args::bind_fastcall($pyname, [$($name),+], args, nargsf as usize, kwnames) }?;
                $body.map(Owned::into_ptr)
            })
        }
    };
}

fastcall!(fibonacci, "fibonacci", ["n"], |a, m| fib_lucas_call("fibonacci", Which::Fibonacci, a[0], m));
fastcall!(lucas, "lucas", ["n"], |a, m| fib_lucas_call("lucas", Which::Lucas, a[0], m));
fastcall!(lucas_u, "lucas_u", ["n", "p", "q"], |a, m| lucas_uv_call("lucas_u", Want::U, a, m));
fastcall!(lucas_v, "lucas_v", ["n", "p", "q"], |a, m| lucas_uv_call("lucas_v", Want::V, a, m));
fastcall!(lucas_uv, "lucas_uv", ["n", "p", "q"], |a, m| lucas_uv_call("lucas_uv", Want::UV, a, m));
fastcall!(
    reconstruct,
    "_reconstruct",
    ["cls", "coefficients", "window", "mod"],
    |a, m| crate::lucas_iter::reconstruct(a, m)
);

const fn method(
    name: &'static std::ffi::CStr,
    f: ffi::PyCFunctionFastWithKeywords,
    doc: &'static std::ffi::CStr,
) -> ffi::PyMethodDef {
    ffi::PyMethodDef {
        ml_name: name.as_ptr(),
        ml_meth: ffi::PyMethodDefPointer { PyCFunctionFastWithKeywords: f },
        ml_flags: ffi::METH_FASTCALL | ffi::METH_KEYWORDS,
        ml_doc: doc.as_ptr(),
    }
}

/// The module's method table (`m_methods`), ended by a zeroed sentinel as in C.
pub static METHODS: StaticCell<[ffi::PyMethodDef; 7]> = StaticCell::new([
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
defined only for Q = 1 or Q = -1 (otherwise ValueError). The index comes
first, unlike gmpy2's lucasu(p, q, k).

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

Arguments as for lucas_u. With mod this is the core of the strong Lucas
probable-prime test (see examples/lucas_prp.py).

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
