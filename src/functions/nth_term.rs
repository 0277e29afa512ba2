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
use crate::capi::error::{value_error, ExcType, PyErr, PyResult};
use crate::capi::gil::{allow_threads, Interrupted, Poll};
use crate::capi::method_def::{fastcall, method};
use crate::capi::pyint;
use crate::capi::refs::{borrow_all, Borrowed, Owned};
use lucas_core::bigint::Big;
use lucas_core::jump::big_rings::BigMod;
use lucas_core::jump::fiduccia::{self, Want};
use lucas_core::terms::exact::{recurrence_result_bits, BigInts, Index, TooLarge};
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

/// A jump with its arguments converted out of Python ints: what the arithmetic needs and
/// nothing that needs the GIL, so [`Jump::run`] can run with it released. Made by
/// [`Jump::new`]; its result goes back to ints in [`Jump::finish`].
pub(crate) struct Jump {
    ring: JumpRing,
    /// |n| as limbs, and whether n < 0 (the jump then runs the reversed recurrence).
    limbs: Vec<u64>,
    negative: bool,
    /// What the caller wants, and what the ring computes (a window when running backwards).
    want: Want,
    inner_want: Want,
}

/// The ring a jump runs on, with coefficients and window already in it (reversed for a
/// negative n, except where the reversal is done by the ring itself in [`Jump::run`]).
enum JumpRing {
    /// Modulo a word.
    Word { c: Vec<u64>, x: Vec<u64>, m: u64 },
    /// Modulo m >= 2**64 on the big-integer backend; `c0_inv` set when running backwards.
    BigMod { c: Vec<Big>, x: Vec<Big>, m: Big, c0_inv: Option<Big> },
    /// Exact; `c0_inv` (1 or -1) set when running backwards.
    Exact { c: Vec<Big>, x: Vec<Big>, c0_inv: Option<Big> },
}

/// What a jump's arithmetic gives back.
pub(crate) enum JumpOut {
    Words(Vec<u64>),
    Bigs(Vec<Big>),
}

/// Why a jump stopped without a result.
pub(crate) enum JumpStop {
    /// An exact result over the size limit.
    TooLarge(TooLarge),
    Interrupted(Interrupted),
}

impl From<Interrupted> for JumpStop {
    fn from(stop: Interrupted) -> JumpStop {
        JumpStop::Interrupted(stop)
    }
}

impl Jump {
    /// Converts the arguments: the term x_n (`Want::Term`, one value) or the window
    /// x_n .. x_{n+k−1} (`Want::Window`) of the recurrence with coefficients `coef` and
    /// window `init` at position 0, for any integer n; values reduced into `range(mod)` with
    /// a modulus. `coef` and `init` are exact ints of the same length k >= 1. Nothing here
    /// runs Python code.
    pub(crate) fn new(
        func: &str,
        coef: &[Borrowed],
        init: &[Borrowed],
        modulus: Option<&Owned>,
        n: Borrowed,
        want: Want,
    ) -> PyResult<Jump> {
        let k = coef.len();
        let (limbs, negative) = pyint::signed_limbs(n)?;
        let c0_inv = if negative { Some(c0_inverse(func, coef[0], modulus)?) } else { None };
        // Backwards: the reversed recurrence's window at |n|, reversed (fiduccia::reversed).
        let inner_want = if negative { Want::Window } else { want };
        let ring = if let Some((m, mw)) = modulus.and_then(|m| Some((m, pyint::to_u64(m.borrow())?))) {
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
            JumpRing::Word { c, x, m: mw }
        } else {
            // Exact, or modulo m >= 2**64: on the big-integer backend, one conversion each way.
            let bigs = |v: &[Borrowed]| v.iter().map(|&x| pyint::to_big(x)).collect::<PyResult<Vec<Big>>>();
            let (c, x) = (bigs(coef)?, bigs(init)?);
            let c0_inv = c0_inv.map(|inv| pyint::to_big(inv.borrow())).transpose()?;
            match modulus {
                Some(m) => JumpRing::BigMod { c, x, m: pyint::to_big(m.borrow())?, c0_inv },
                None => JumpRing::Exact { c, x, c0_inv },
            }
        };
        Ok(Jump { ring, limbs, negative, want, inner_want })
    }

    /// The arithmetic, with no Python object in sight: run it inside
    /// [`crate::capi::gil::allow_threads`].
    pub(crate) fn run(&self, poll: &mut Poll) -> Result<JumpOut, JumpStop> {
        let (limbs, want) = (&self.limbs[..], self.inner_want);
        match &self.ring {
            JumpRing::Word { c, x, m } => Ok(JumpOut::Words(fiduccia::jump_mod(c, x, limbs, *m, want, poll)?)),
            JumpRing::BigMod { c, x, m, c0_inv } => {
                let mut r = BigMod::new(m.clone(), poll);
                let (mut c, mut x): (Vec<Big>, Vec<Big>) =
                    (c.iter().map(|v| r.reduce(v)).collect(), x.iter().map(|v| r.reduce(v)).collect());
                if let Some(inv) = c0_inv {
                    let inv = r.reduce(inv);
                    (c, x) = fiduccia::reversed(&mut r, &c, &x, &inv)?;
                }
                Ok(JumpOut::Bigs(fiduccia::jump(&mut r, &c, &x, limbs, want)?))
            }
            JumpRing::Exact { c, x, c0_inv } => exact_jump(c, x, c0_inv.as_ref(), limbs, want, poll).map(JumpOut::Bigs),
        }
    }

    /// The result as ints, in the order the caller asked for; `func` names the function in
    /// a size error.
    pub(crate) fn finish(&self, func: &str, out: Result<JumpOut, JumpStop>) -> PyResult<Vec<Owned>> {
        let mut w = match out {
            Ok(JumpOut::Words(w)) => w.into_iter().map(pyint::from_u64).collect::<PyResult<Vec<_>>>()?,
            Ok(JumpOut::Bigs(w)) => w.iter().map(pyint::from_big).collect::<PyResult<Vec<_>>>()?,
            Err(JumpStop::TooLarge(t)) => return Err(PyErr::new(ExcType::OverflowError, t.message(func))),
            Err(JumpStop::Interrupted(stop)) => return Err(stop.into_err()),
        };
        if self.negative {
            w.reverse();
            if self.want == Want::Term {
                w.truncate(1);
            }
        }
        Ok(w)
    }
}

/// The exact jump: a result over the n-th-term functions' size limit is refused before any
/// work (the same OverflowError), then checked `i64` words while the result is small, and
/// [`Big`] otherwise.
fn exact_jump(
    c: &[Big],
    x: &[Big],
    c0_inv: Option<&Big>,
    limbs: &[u64],
    want: Want,
    poll: &mut Poll,
) -> Result<Vec<Big>, JumpStop> {
    let mut r = BigInts::new(poll);
    let (c, x) = match c0_inv {
        Some(inv) => fiduccia::reversed(&mut r, c, x, inv)?,
        None => (c.to_vec(), x.to_vec()),
    };
    let n = Index::new(limbs.to_vec(), false);
    let bits = recurrence_result_bits(&n, &c, &x).map_err(JumpStop::TooLarge)?;
    if bits < 62.0 {
        let words = |v: &[Big]| v.iter().map(Big::to_i64).collect::<Option<Vec<i64>>>();
        if let (Some(cw), Some(xw)) = (words(&c), words(&x)) {
            if let Ok(out) = fiduccia::jump(&mut CheckedI64, &cw, &xw, limbs, want) {
                return Ok(out.into_iter().map(Big::from_i64).collect());
            }
        }
    }
    Ok(fiduccia::jump(&mut r, &c, &x, limbs, want)?)
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
    let jump = Jump::new(FUNC, borrow_all(&coef), borrow_all(&init), modulus.as_ref(), n.borrow(), Want::Term)?;
    let mut out = jump.finish(FUNC, allow_threads(|poll| jump.run(poll))?)?;
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
