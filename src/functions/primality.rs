//! The probable-prime tests as module functions (`is_strong_prp`, `is_lucas_prp`, ...,
//! `is_bpsw_prp`), with gmpy2's names and argument order: the CPython side only.
//!
//! n and the parameters arrive as Python ints and are converted once: n to a machine word
//! when it is below 2**64, to little-endian limbs otherwise (`int.to_bytes`), and the
//! parameters to their residues modulo n. The tests themselves
//! ([`lucas_core::primality::prp`]) never see a Python object; they call back only to let
//! Ctrl-C through (`PyErr_CheckSignals`) during a long test on a huge n. The table
//! [`PRIME_TEST_METHODS`] is added to the module with `PyModule_AddFunctions`.

use crate::capi::args;
use crate::capi::error::{value_error, ExcType, PyErr, PyResult};
use crate::capi::exact_int::Int;
use crate::capi::gil::{allow_threads, Interrupted};
use crate::capi::method_def::{method, method_table, Function};
use crate::capi::pyint;
use crate::capi::refs::{boolean, Borrowed, Owned};
use crate::capi::static_cell::StaticCell;
use lucas_core::modular::limbs::bit_length;
use lucas_core::primality::prp::{self, Divides, Lucas, Stop};
use pyo3_ffi as ffi;
use std::cmp::Ordering;
use std::ffi::CStr;

// ANCHOR: candidate
/// The n of a test after the cases every test answers alike (n < 2: False, 2: True,
/// other even n: False).
enum Candidate {
    Decided(bool),
    /// Odd n >= 3: its limbs (one for n < 2**64) and the int, for reducing parameters.
    Odd(Vec<u64>, Int),
}

/// n as a [`Candidate`]; an odd n of more bits than the tests accept is refused here, where
/// it becomes limbs.
fn candidate(func: &str, n: Int) -> PyResult<Candidate> {
    if let Some(w) = n.to_u64() {
        return Ok(match w {
            0 | 1 => Candidate::Decided(false),
            2 => Candidate::Decided(true),
            _ if w % 2 == 0 => Candidate::Decided(false),
            _ => Candidate::Odd(vec![w], n),
        });
    }
    if n.sign() == Ordering::Less {
        return Ok(Candidate::Decided(false));
    }
    let limbs = pyint::abs_to_limbs(n.borrow())?;
    if limbs[0] % 2 == 0 {
        return Ok(Candidate::Decided(false));
    }
    // Only an odd n is refused for its size: an even one is answered at once.
    args::within_size_limit(func, "n", bit_length(&limbs))?;
    Ok(Candidate::Odd(limbs, n))
}
// ANCHOR_END: candidate

/// x mod n as limbs, for odd n >= 3 given both ways.
fn residue(x: &Int, n_limbs: &[u64], n: &Int) -> PyResult<Vec<u64>> {
    if let ([w], Some(v)) = (n_limbs, x.to_i64()) {
        return Ok(vec![i128::from(v).rem_euclid(i128::from(*w)) as u64]);
    }
    let r = pyint::rem(x.borrow(), n.borrow())?;
    pyint::abs_to_limbs(r.borrow())
}

/// x*x - 4*y as an int (the discriminant), without overflow.
fn discriminant(x: &Int, y: &Int) -> PyResult<Int> {
    if let (Some(p), Some(q)) = (x.to_i64(), y.to_i64()) {
        // |p·p| <= 2^126 and |4q| <= 2^65: the difference fits an i128.
        let d = i128::from(p) * i128::from(p) - 4 * i128::from(q);
        if let Ok(d) = i64::try_from(d) {
            return pyint::from_i64(d);
        }
    }
    let square = pyint::mul(x.borrow(), x.borrow())?;
    let four = pyint::from_i64(4)?;
    let four_y = pyint::mul(four.borrow(), y.borrow())?;
    pyint::sub(square.borrow(), four_y.borrow())
}

fn is_zero(x: &Int) -> bool {
    x.sign() == Ordering::Equal
}

// ANCHOR: prime_test
/// A probable-prime test: exactly `P` integer arguments, no keyword, a bool result. Every
/// test is a [`Function`] through this one implementation, which converts each argument to
/// an exact int (naming it in any TypeError) and returns True or False.
trait PrimeTest<const P: usize> {
    const NAME: &'static CStr;
    const DOC: &'static CStr;
    const PARAMS: [&'static str; P];
    fn test(args: [Int; P]) -> PyResult<bool>;
}

impl<T: PrimeTest<P>, const P: usize> Function<P> for T {
    const NAME: &'static CStr = T::NAME;
    const DOC: &'static CStr = T::DOC;
    const PARAMS: [&'static str; P] = T::PARAMS;
    const TAKES_MOD: bool = false;
    fn call(objs: [Borrowed; P], _: Option<Borrowed>) -> PyResult<Owned> {
        let func = Self::SIGNATURE.name;
        let mut ints = Vec::with_capacity(P);
        for (name, obj) in T::PARAMS.iter().zip(objs) {
            ints.push(args::integer(func, name, obj)?);
        }
        let ints = ints.try_into().unwrap_or_else(|_| unreachable!("P values converted"));
        Ok(boolean(T::test(ints)?))
    }
}
// ANCHOR_END: prime_test

/// The error for a test the definition leaves undefined (n divides a parameter).
fn undefined(func: &str, what: Divides) -> PyErr {
    let msg = match what {
        Divides::A => format!("{func}() argument 'a' must not be divisible by n"),
        Divides::Q => format!("{func}() argument 'q' must not be divisible by n"),
        Divides::D if func == "is_extra_strong_lucas_prp" => {
            format!("{func}() argument 'p' gives D = p*p - 4 divisible by n")
        }
        Divides::D => format!("{func}() arguments 'p' and 'q' give D = p*p - 4*q divisible by n"),
    };
    PyErr::new(ExcType::ValueError, msg)
}

fn stopped(func: &str, r: Result<bool, Stop<Interrupted>>) -> PyResult<bool> {
    r.map_err(|stop| match stop {
        Stop::Undefined(what) => undefined(func, what),
        Stop::Interrupted(stop) => stop.into_err(),
    })
}

// ---------------------------------------------------------------------------------------
// The bodies, one per function, on converted arguments.

fn strong_prp(n: Int, a: Int) -> PyResult<bool> {
    const F: &str = "is_strong_prp";
    let below_two = match a.to_i64() {
        Some(v) => v < 2,
        None => a.sign() == Ordering::Less,
    };
    if below_two {
        return value_error(format!("{F}() argument 'a' must be at least 2"));
    }
    let (limbs, n) = match candidate(F, n)? {
        Candidate::Decided(b) => return Ok(b),
        Candidate::Odd(limbs, n) => (limbs, n),
    };
    let a = residue(&a, &limbs, &n)?;
    stopped(F, allow_threads(|poll| prp::is_strong_prp(&limbs, &a, poll))?)
}

fn lucas_family(func: &str, kind: Lucas, n: Int, p: Int, q: Int) -> PyResult<bool> {
    let d = discriminant(&p, &q)?;
    if is_zero(&d) {
        return match kind {
            Lucas::ExtraStrong => value_error(format!("{func}() argument 'p' must not be 2 or -2 (D = p*p - 4 = 0)")),
            _ => value_error(format!("{func}() arguments 'p' and 'q' give D = p*p - 4*q = 0")),
        };
    }
    let (limbs, n) = match candidate(func, n)? {
        Candidate::Decided(b) => return Ok(b),
        Candidate::Odd(limbs, n) => (limbs, n),
    };
    let (p, q) = (residue(&p, &limbs, &n)?, residue(&q, &limbs, &n)?);
    stopped(func, allow_threads(|poll| prp::is_lucas_prp(&limbs, &p, &q, kind, poll))?)
}

fn selfridge_family(kind: Lucas, bpsw: bool, n: Int) -> PyResult<bool> {
    let func = match (bpsw, kind) {
        (false, Lucas::Plain) => "is_selfridge_prp",
        (false, _) => "is_strong_selfridge_prp",
        (true, Lucas::Plain) => "is_bpsw_prp",
        (true, _) => "is_strong_bpsw_prp",
    };
    let limbs = match candidate(func, n)? {
        Candidate::Decided(b) => return Ok(b),
        Candidate::Odd(limbs, _) => limbs,
    };
    let answer = allow_threads(|poll| {
        if bpsw {
            prp::is_bpsw_prp(&limbs, kind, poll)
        } else {
            prp::is_selfridge_prp(&limbs, kind, poll)
        }
    })?;
    answer.map_err(Interrupted::into_err)
}

// ANCHOR: is_strong_prp_entry
/// `is_strong_prp(n, a, /)`.
struct IsStrongPrp;

impl PrimeTest<2> for IsStrongPrp {
    const NAME: &'static CStr = c"is_strong_prp";
    const DOC: &'static CStr = c"is_strong_prp($module, n, a, /)
--

Return True if n is a strong probable prime to base a (Miller-Rabin).

With n - 1 = d * 2**s, d odd: a**d == 1 or a**(d * 2**r) == -1 (mod n)
for some 0 <= r < s. Every odd prime passes; the odd composites that
pass are the strong pseudoprimes to base a (2047, 3277, ... for a = 2).

n < 2 gives False, n = 2 True, other even n False. a must be >= 2
(ValueError otherwise) and is used modulo n: a multiple of n raises
ValueError (the test is undefined); a sharing a proper factor with n gives
False (n is composite; gmpy2 raises ValueError). A base = +-1 (mod n)
passes every odd n, as the definition says: use 2 <= a <= n - 2.

>>> is_strong_prp(2047, 2), is_strong_prp(2047, 3)
(True, False)";
    const PARAMS: [&'static str; 2] = ["n", "a"];
    fn test([n, a]: [Int; 2]) -> PyResult<bool> {
        strong_prp(n, a)
    }
}
// ANCHOR_END: is_strong_prp_entry

/// `is_lucas_prp(n, p, q, /)`.
struct IsLucasPrp;

impl PrimeTest<3> for IsLucasPrp {
    const NAME: &'static CStr = c"is_lucas_prp";
    const DOC: &'static CStr = c"is_lucas_prp($module, n, p, q, /)
--

Return True if n is a Lucas probable prime with parameters P = p, Q = q.

With D = p*p - 4*q and the Jacobi symbol e = (D/n): U_{n-e}(P, Q) == 0
(mod n) (Baillie and Wagstaff 1980). D = 0 raises ValueError.

n < 2 gives False, n = 2 True, other even n False. The definition needs
gcd(n, Q*D) = 1: if n divides q or D the test is undefined and raises
ValueError (gmpy2 answers, e.g. True for the composite n = 15 with p = 1,
q = -56); if q or D shares a proper factor with n the answer is False
(n is composite).

>>> is_lucas_prp(323, 1, -1), is_lucas_prp(321, 1, -1)
(True, False)";
    const PARAMS: [&'static str; 3] = ["n", "p", "q"];
    fn test([n, p, q]: [Int; 3]) -> PyResult<bool> {
        lucas_family("is_lucas_prp", Lucas::Plain, n, p, q)
    }
}

/// `is_strong_lucas_prp(n, p, q, /)`.
struct IsStrongLucasPrp;

impl PrimeTest<3> for IsStrongLucasPrp {
    const NAME: &'static CStr = c"is_strong_lucas_prp";
    const DOC: &'static CStr = c"is_strong_lucas_prp($module, n, p, q, /)
--

Return True if n is a strong Lucas probable prime with P = p, Q = q.

With D = p*p - 4*q, e = (D/n) and n - e = d * 2**s, d odd: U_d == 0 or
V_{d * 2**r} == 0 (mod n) for some 0 <= r < s (Baillie and Wagstaff
1980). Arguments and special cases as for is_lucas_prp.

>>> is_strong_lucas_prp(5459, 1, -1), is_strong_lucas_prp(5777, 1, -1)
(False, True)";
    const PARAMS: [&'static str; 3] = ["n", "p", "q"];
    fn test([n, p, q]: [Int; 3]) -> PyResult<bool> {
        lucas_family("is_strong_lucas_prp", Lucas::Strong, n, p, q)
    }
}

/// `is_extra_strong_lucas_prp(n, p, /)`.
struct IsExtraStrongLucasPrp;

impl PrimeTest<2> for IsExtraStrongLucasPrp {
    const NAME: &'static CStr = c"is_extra_strong_lucas_prp";
    const DOC: &'static CStr = c"is_extra_strong_lucas_prp($module, n, p, /)
--

Return True if n is an extra strong Lucas probable prime with P = p, Q = 1.

With D = p*p - 4, e = (D/n) and n - e = d * 2**s, d odd: U_d == 0 and
V_d == +-2, or V_{d * 2**r} == 0 for some 0 <= r < s - 1 (mod n)
(Grantham 2001, after Mo and Jones). p = +-2 (D = 0) raises ValueError.

n < 2 gives False, n = 2 True, other even n False. If n divides D the
test is undefined and raises ValueError (gmpy2 2.3 never returns for
n = 21, p = 5); if D shares a proper factor with n the answer is False.

>>> is_extra_strong_lucas_prp(989, 4), is_extra_strong_lucas_prp(989, 5)  # 989 = 23 * 43
(True, False)";
    const PARAMS: [&'static str; 2] = ["n", "p"];
    fn test([n, p]: [Int; 2]) -> PyResult<bool> {
        lucas_family("is_extra_strong_lucas_prp", Lucas::ExtraStrong, n, p, pyint::from_i64(1)?)
    }
}

/// `is_selfridge_prp(n, /)`.
struct IsSelfridgePrp;

impl PrimeTest<1> for IsSelfridgePrp {
    const NAME: &'static CStr = c"is_selfridge_prp";
    const DOC: &'static CStr = c"is_selfridge_prp($module, n, /)
--

Return True if n is a Lucas probable prime with Selfridge's parameters.

Method A (Baillie and Wagstaff 1980): D is the first of 5, -7, 9, -11,
... with (D/n) = -1, P = 1, Q = (1 - D)/4; then is_lucas_prp(n, P, Q).
A D sharing a proper factor with n, or a Q doing so, gives False. n < 2
gives False, n = 2 True, other even n False, and perfect squares False
(for them no such D exists).

>>> is_selfridge_prp(323), is_strong_selfridge_prp(323)  # 323 = 17 * 19
(True, False)";
    const PARAMS: [&'static str; 1] = ["n"];
    fn test([n]: [Int; 1]) -> PyResult<bool> {
        selfridge_family(Lucas::Plain, false, n)
    }
}

/// `is_strong_selfridge_prp(n, /)`.
struct IsStrongSelfridgePrp;

impl PrimeTest<1> for IsStrongSelfridgePrp {
    const NAME: &'static CStr = c"is_strong_selfridge_prp";
    const DOC: &'static CStr = c"is_strong_selfridge_prp($module, n, /)
--

Return True if n is a strong Lucas probable prime with Selfridge's
parameters (see is_selfridge_prp). The odd composites that pass are the
strong Lucas pseudoprimes 5459, 5777, 10877, ... (OEIS A217255).

>>> is_strong_selfridge_prp(5459), is_strong_selfridge_prp(5461)
(True, False)";
    const PARAMS: [&'static str; 1] = ["n"];
    fn test([n]: [Int; 1]) -> PyResult<bool> {
        selfridge_family(Lucas::Strong, false, n)
    }
}

/// `is_bpsw_prp(n, /)`.
struct IsBpswPrp;

impl PrimeTest<1> for IsBpswPrp {
    const NAME: &'static CStr = c"is_bpsw_prp";
    const DOC: &'static CStr = c"is_bpsw_prp($module, n, /)
--

Return True if n passes the Baillie-PSW test: is_strong_prp(n, 2) and
is_selfridge_prp(n).

No composite passing it is known, and none exists below 2**64, so for
n < 2**64 the answer is exact. n < 2 gives False, n = 2 True, other even
n False.

>>> is_bpsw_prp(2**61 - 1), is_bpsw_prp(2**67 - 1)
(True, False)";
    const PARAMS: [&'static str; 1] = ["n"];
    fn test([n]: [Int; 1]) -> PyResult<bool> {
        selfridge_family(Lucas::Plain, true, n)
    }
}

/// `is_strong_bpsw_prp(n, /)`.
struct IsStrongBpswPrp;

impl PrimeTest<1> for IsStrongBpswPrp {
    const NAME: &'static CStr = c"is_strong_bpsw_prp";
    const DOC: &'static CStr = c"is_strong_bpsw_prp($module, n, /)
--

Return True if n passes the strong Baillie-PSW test: is_strong_prp(n, 2)
and is_strong_selfridge_prp(n) (gmpy2 2.1 used the non-strong test here).
Exact for n < 2**64, like is_bpsw_prp.

>>> is_strong_bpsw_prp(2**89 - 1), is_strong_bpsw_prp(3215031751)
(True, False)";
    const PARAMS: [&'static str; 1] = ["n"];
    fn test([n]: [Int; 1]) -> PyResult<bool> {
        selfridge_family(Lucas::Strong, true, n)
    }
}

/// The tests' method table, ended by a zeroed sentinel; `PyInit_lucas` adds it to the
/// module with `PyModule_AddFunctions`.
pub static PRIME_TEST_METHODS: StaticCell<[ffi::PyMethodDef; 9]> = StaticCell::new(method_table([
    method::<IsStrongPrp, 2>(),
    method::<IsLucasPrp, 3>(),
    method::<IsStrongLucasPrp, 3>(),
    method::<IsExtraStrongLucasPrp, 2>(),
    method::<IsSelfridgePrp, 1>(),
    method::<IsStrongSelfridgePrp, 1>(),
    method::<IsBpswPrp, 1>(),
    method::<IsStrongBpswPrp, 1>(),
    ffi::PyMethodDef::zeroed(),
]));
