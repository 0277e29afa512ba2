//! Python `int` arithmetic through the C API (the abstract "Number Protocol").
//!
//! This is the arbitrary-precision half of lucas: when a value leaves the machine word, the
//! state becomes Python ints and each operation here is one `PyNumber_*` call returning a
//! *new reference*, owned at once by an [`Owned`]. All operands are exact `int`s (inputs are
//! converted at construction), so these calls never run user code: they cannot release the
//! GIL or re-enter lucas, and they fail only with MemoryError (or OverflowError for absurd
//! shift counts).

use crate::capi::error::{check_signals, ExcType, PyErr, PyResult};
use crate::capi::objects::{call_method, interned, str_to_string};
use crate::capi::refs::{Borrowed, Owned};
use lucas_core::bigint::Big;
use lucas_core::terms::ladder::{Halve, Ring};
use pyo3_ffi as ffi;
use std::cmp::Ordering;
use std::os::raw::c_int;

/// Wraps a C call that returns a new reference or NULL with an exception set.
macro_rules! new_ref {
    ($call:expr) => {
        // SAFETY: every use passes live objects (borrowed for the call) and holds the GIL;
        // the call returns a new reference or NULL with the error indicator set, which is
        // exactly `from_owned_ptr_or_err`'s contract.
        unsafe { Owned::from_owned_ptr_or_err($call) }
    };
}

pub fn from_i64(v: i64) -> PyResult<Owned> {
    new_ref!(ffi::PyLong_FromLongLong(v))
}

/// A u64 as an int. Below 2**63 it goes through `PyLong_FromLongLong`: in CPython 3.11 that
/// is measurably faster in wall time than `PyLong_FromUnsignedLongLong` (bench cases a and
/// b: ~7% and ~15%), although for multi-digit values it executes more instructions.
#[inline]
pub fn from_u64(v: u64) -> PyResult<Owned> {
    match i64::try_from(v) {
        Ok(signed) => from_i64(signed),
        Err(_) => new_ref!(ffi::PyLong_FromUnsignedLongLong(v)),
    }
}

pub fn add(a: Borrowed, b: Borrowed) -> PyResult<Owned> {
    new_ref!(ffi::PyNumber_Add(a.as_ptr(), b.as_ptr()))
}

pub fn sub(a: Borrowed, b: Borrowed) -> PyResult<Owned> {
    new_ref!(ffi::PyNumber_Subtract(a.as_ptr(), b.as_ptr()))
}

pub fn mul(a: Borrowed, b: Borrowed) -> PyResult<Owned> {
    new_ref!(ffi::PyNumber_Multiply(a.as_ptr(), b.as_ptr()))
}

/// `a % m`: for m > 0 the result lies in `range(m)` (Python's floor modulo, unlike C's `%`).
pub fn rem(a: Borrowed, m: Borrowed) -> PyResult<Owned> {
    new_ref!(ffi::PyNumber_Remainder(a.as_ptr(), m.as_ptr()))
}

pub fn neg(a: Borrowed) -> PyResult<Owned> {
    new_ref!(ffi::PyNumber_Negative(a.as_ptr()))
}

/// `a >> b`: floor division by 2**b, exact for the even values the Lucas doubling halves.
pub fn rshift(a: Borrowed, b: Borrowed) -> PyResult<Owned> {
    new_ref!(ffi::PyNumber_Rshift(a.as_ptr(), b.as_ptr()))
}

// ANCHOR: index
/// `operator.index(obj)`: the object's `__index__`, as an exact `int`.
///
/// Since 3.10 `PyNumber_Index` always returns an exact int (it copies an int subclass's
/// value), so a subclass's overridden `__add__` or `__repr__` never reaches our arithmetic.
/// An exception raised by the object's `__index__` propagates unchanged.
pub fn index(obj: Borrowed) -> PyResult<Owned> {
    let v = new_ref!(ffi::PyNumber_Index(obj.as_ptr()))?;
    debug_assert!(v.borrow().is_exact_int());
    Ok(v)
}
// ANCHOR_END: index

// ANCHOR: to_i64
/// The value as an i64, or None when it does not fit. Never sets an exception for an exact
/// int (`PyLong_AsLongLongAndOverflow` reports overflow through its out-parameter).
#[inline]
pub fn to_i64(a: Borrowed) -> Option<i64> {
    let mut overflow: c_int = 0;
    // SAFETY: `a` is an exact int, so no __index__ runs and no error is possible.
    let v = unsafe { ffi::PyLong_AsLongLongAndOverflow(a.as_ptr(), &mut overflow) };
    (overflow == 0).then_some(v)
}
// ANCHOR_END: to_i64

/// The sign of an exact int, without allocating.
pub fn sign(a: Borrowed) -> Ordering {
    let mut overflow: c_int = 0;
    // SAFETY: as in `to_i64`.
    let v = unsafe { ffi::PyLong_AsLongLongAndOverflow(a.as_ptr(), &mut overflow) };
    if overflow != 0 {
        overflow.cmp(&0)
    } else {
        v.cmp(&0)
    }
}

/// The value as a u64 if it lies in `0..2**64`.
pub fn to_u64(a: Borrowed) -> Option<u64> {
    let mut overflow: c_int = 0;
    // SAFETY: `a` is an exact int, so no __index__ runs and no error is possible.
    let v = unsafe { ffi::PyLong_AsLongLongAndOverflow(a.as_ptr(), &mut overflow) };
    match overflow {
        0 => u64::try_from(v).ok(),
        -1 => None,
        // 2**63 and above: the slower unsigned conversion tells whether it fits.
        _ => {
            // SAFETY: `a` is an exact int; failure only means "too big" (OverflowError).
            let v = unsafe { ffi::PyLong_AsUnsignedLongLong(a.as_ptr()) };
            if v == u64::MAX && crate::capi::error::occurred() {
                drop(PyErr::fetch()); // the OverflowError is our answer ("does not fit")
                return None;
            }
            Some(v)
        }
    }
}

/// `a.bit_length()`, the number of bits of |a|.
pub fn bit_length(a: Borrowed) -> PyResult<u64> {
    if let Some(v) = to_i64(a) {
        return Ok(u64::from(64 - v.unsigned_abs().leading_zeros()));
    }
    // Beyond a word: ask the int itself (public API; `_PyLong_NumBits` is private).
    let bits = call_method(a, c"bit_length", &[])?;
    to_u64(bits.borrow()).ok_or_else(|| PyErr::new(ExcType::OverflowError, "int too large"))
}

/// The bits of |a| as little-endian 64-bit limbs (a's bit i is limb[i / 64] >> (i % 64)).
/// Used to walk a huge exponent's bits without converting it to a machine word; linear in
/// the size of `a` (`int.to_bytes` is the public, version-independent way).
pub fn abs_to_limbs(a: Borrowed) -> PyResult<Vec<u64>> {
    let nlimbs = usize::try_from(bit_length(a)?.div_ceil(64))
        .map_err(|_| PyErr::new(ExcType::OverflowError, "int too large"))?;
    let abs = if sign(a) == Ordering::Less { neg(a)? } else { a.new_ref() };
    let nbytes = from_u64(nlimbs as u64 * 8)?;
    let little = interned(c"little")?;
    let bytes = call_method(abs.borrow(), c"to_bytes", &[nbytes.borrow(), little.borrow()])?;
    // SAFETY: `bytes` is a live bytes object of exactly `8 * nlimbs` bytes; the buffer lives as
    // long as `bytes`, which outlives the slice.
    let raw = unsafe { std::slice::from_raw_parts(ffi::PyBytes_AsString(bytes.as_ptr()).cast::<u8>(), nlimbs * 8) };
    Ok(raw.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes"))).collect())
}

/// |a| as little-endian limbs, and whether a is negative: an index n for the ladders.
pub fn signed_limbs(a: Borrowed) -> PyResult<(Vec<u64>, bool)> {
    Ok(match to_i64(a) {
        Some(v) => (vec![v.unsigned_abs()], v < 0),
        None => (abs_to_limbs(a)?, sign(a) == Ordering::Less),
    })
}

/// `a % m` as a word, for a modulus `m` below 2**64 given both as an int and as `mw`.
pub fn rem_word(a: Borrowed, m: Borrowed, mw: u64) -> PyResult<u64> {
    if let Some(v) = to_i64(a) {
        return Ok(i128::from(v).rem_euclid(i128::from(mw)) as u64);
    }
    let r = rem(a, m)?;
    Ok(to_u64(r.borrow()).expect("reduced below m < 2**64"))
}

/// `pow(base, exp, m)` (exp may be negative: the inverse of base modulo m, to a power; a
/// ValueError when base is not invertible modulo m).
pub fn pow_mod(base: Borrowed, exp: Borrowed, m: Borrowed) -> PyResult<Owned> {
    new_ref!(ffi::PyNumber_Power(base.as_ptr(), exp.as_ptr(), m.as_ptr()))
}

/// An exact int as a [`Big`].
pub fn to_big(a: Borrowed) -> PyResult<Big> {
    match to_i64(a) {
        Some(v) => Ok(Big::from_i64(v)),
        None => Ok(Big::from_limbs(sign(a) == Ordering::Less, &abs_to_limbs(a)?)),
    }
}

/// A [`Big`] as an int, in one linear pass over its limbs (CPython regroups the bytes into
/// its 30-bit digits): `PyLong_FromNativeBytes` where the interpreter has it (3.13+), else
/// `_PyLong_FromByteArray`, the function `int.from_bytes` itself calls.
pub fn from_big(v: &Big) -> PyResult<Owned> {
    match v.to_i64() {
        Some(small) => from_i64(small),
        None => from_magnitude(v.is_negative(), v.limbs()),
    }
}

/// An i128 as an int (two limbs at most, one conversion).
pub fn from_i128(v: i128) -> PyResult<Owned> {
    match i64::try_from(v) {
        Ok(small) => from_i64(small),
        Err(_) => {
            let m = v.unsigned_abs();
            from_magnitude(v < 0, &[m as u64, (m >> 64) as u64])
        }
    }
}

/// A u128 as an int (two limbs at most, one conversion).
pub fn from_u128(v: u128) -> PyResult<Owned> {
    match u64::try_from(v) {
        Ok(small) => from_u64(small),
        Err(_) => from_magnitude(false, &[v as u64, (v >> 64) as u64]),
    }
}

// ANCHOR: from_magnitude
/// ±(the number with these little-endian 64-bit limbs) as an int; see [`from_big`].
pub fn from_magnitude(negative: bool, limbs: &[u64]) -> PyResult<Owned> {
    #[cfg(target_endian = "little")]
    // SAFETY: u64 has no padding, so the limbs are `8 * len` initialised bytes, and on a
    // little-endian target their order is the little-endian order of the whole magnitude.
    let bytes = unsafe { std::slice::from_raw_parts(limbs.as_ptr().cast::<u8>(), limbs.len() * 8) };
    #[cfg(target_endian = "big")]
    let bytes: &[u8] = &limbs.iter().flat_map(|l| l.to_le_bytes()).collect::<Vec<u8>>();
    #[cfg(Py_3_13)]
    // SAFETY: the buffer is `bytes.len()` readable bytes, borrowed for the call; the flags
    // say little-endian and unsigned.
    let magnitude = new_ref!(ffi::PyLong_FromNativeBytes(
        bytes.as_ptr().cast(),
        bytes.len(),
        ffi::Py_ASNATIVEBYTES_LITTLE_ENDIAN | ffi::Py_ASNATIVEBYTES_UNSIGNED_BUFFER
    ))?;
    #[cfg(not(Py_3_13))]
    // SAFETY: the buffer is `bytes.len()` readable bytes, borrowed for the call;
    // little_endian = 1, is_signed = 0.
    let magnitude = new_ref!(ffi::_PyLong_FromByteArray(bytes.as_ptr(), bytes.len(), 1, 0))?;
    if negative {
        neg(magnitude.borrow())
    } else {
        Ok(magnitude)
    }
}
// ANCHOR_END: from_magnitude

/// Python ints as a ladder ring, reduced modulo `modulus` after every operation if given:
/// the n-th terms modulo an int of 2**64 or more.
pub struct PyInts {
    modulus: Option<Owned>,
    one: Owned,
}

impl PyInts {
    pub fn new(modulus: Option<Owned>) -> PyResult<PyInts> {
        Ok(PyInts { modulus, one: from_i64(1)? })
    }

    pub fn reduce(&self, x: Owned) -> PyResult<Owned> {
        match &self.modulus {
            Some(m) => rem(x.borrow(), m.borrow()),
            None => Ok(x),
        }
    }
}

impl Ring for PyInts {
    type E = Owned;
    type Err = PyErr;
    fn mul(&mut self, a: &Owned, b: &Owned) -> PyResult<Owned> {
        // Passing the same object twice lets CPython's long_mul use its faster squaring.
        self.reduce(mul(a.borrow(), b.borrow())?)
    }
    fn add(&mut self, a: &Owned, b: &Owned) -> PyResult<Owned> {
        self.reduce(add(a.borrow(), b.borrow())?)
    }
    fn sub(&mut self, a: &Owned, b: &Owned) -> PyResult<Owned> {
        self.reduce(sub(a.borrow(), b.borrow())?)
    }
    fn small(&mut self, v: i64) -> PyResult<Owned> {
        self.reduce(from_i64(v)?)
    }
    /// One ladder step on huge ints can take seconds: let Ctrl-C through between steps.
    fn bit_done(&mut self) -> PyResult<()> {
        check_signals()
    }
}

/// Halving for the ladders that need it: exact for integers, so only without a modulus.
impl Halve for PyInts {
    fn half(&mut self, a: &Owned) -> PyResult<Owned> {
        debug_assert!(self.modulus.is_none(), "halving is exact only for integers");
        rshift(a.borrow(), self.one.borrow())
    }
}

/// An int as a Python literal that evaluates back to it: decimal where `str()` allows it,
/// hexadecimal otherwise. `str()` of an int refuses more than `sys.get_int_max_str_digits()`
/// digits (4300 by default, CVE-2020-10735) and is quadratic, while `hex()` has no limit;
/// beyond 10000 bits hex is used straight away.
pub fn literal(a: Borrowed) -> PyResult<String> {
    if bit_length(a)? <= 10_000 {
        match str_of(a) {
            Err(e) if e.is(ExcType::ValueError) => {} // over the digit limit: hex below
            decimal => return decimal,
        }
    }
    let hex = new_ref!(ffi::PyNumber_ToBase(a.as_ptr(), 16))?;
    str_of(hex.borrow())
}

/// `str(obj)` as a Rust string.
pub fn str_of(obj: Borrowed) -> PyResult<String> {
    let s = new_ref!(ffi::PyObject_Str(obj.as_ptr()))?;
    str_to_string(s.borrow())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::testing::with_python;

    #[test]
    fn word_round_trips_and_overflow_detection() {
        with_python(|| {
            for v in [0, 1, -1, i64::MAX, i64::MIN] {
                let o = from_i64(v).unwrap();
                assert_eq!(to_i64(o.borrow()), Some(v));
            }
            let big = from_u64(u64::MAX).unwrap();
            assert_eq!(to_i64(big.borrow()), None);
            assert_eq!(to_u64(big.borrow()), Some(u64::MAX));
            let bigger = add(big.borrow(), from_i64(1).unwrap().borrow()).unwrap();
            assert_eq!(to_u64(bigger.borrow()), None);
            assert!(!crate::capi::error::occurred(), "to_u64 leaves no exception");
            assert_eq!(bit_length(bigger.borrow()).unwrap(), 65);
            assert_eq!(sign(neg(bigger.borrow()).unwrap().borrow()), Ordering::Less);
        });
    }

    #[test]
    fn limbs_of_a_big_value() {
        with_python(|| {
            // -(2**64 * 5 + 3): limbs of the absolute value.
            let two64 = add(from_u64(u64::MAX).unwrap().borrow(), from_i64(1).unwrap().borrow()).unwrap();
            let v = mul(from_u64(5).unwrap().borrow(), two64.borrow()).unwrap();
            let v = add(v.borrow(), from_i64(3).unwrap().borrow()).unwrap();
            let v = neg(v.borrow()).unwrap();
            assert_eq!(abs_to_limbs(v.borrow()).unwrap(), vec![3, 5]);
            assert_eq!(abs_to_limbs(from_i64(0).unwrap().borrow()).unwrap(), Vec::<u64>::new());
        });
    }

    #[test]
    fn big_round_trips_at_limb_boundaries() {
        with_python(|| {
            let one = from_i64(1).unwrap();
            for bits in [0u64, 1, 62, 63, 64, 65, 127, 128, 129, 1000, 4096, 100_000] {
                // ±(2**bits - 1) and ±2**bits, built with Python's own arithmetic.
                let shift = from_u64(bits).unwrap();
                let pow = new_ref!(ffi::PyNumber_Lshift(one.as_ptr(), shift.as_ptr())).unwrap();
                let below = sub(pow.borrow(), one.borrow()).unwrap();
                for v in [pow, below] {
                    for v in [neg(v.borrow()).unwrap(), v] {
                        let back = from_big(&to_big(v.borrow()).unwrap()).unwrap();
                        let eq = new_ref!(ffi::PyObject_RichCompare(v.as_ptr(), back.as_ptr(), ffi::Py_EQ)).unwrap();
                        // SAFETY: `eq` is a live bool.
                        assert_eq!(unsafe { ffi::PyObject_IsTrue(eq.as_ptr()) }, 1, "2**{bits}");
                    }
                }
            }
        });
    }

    #[test]
    fn rem_is_floor_modulo() {
        with_python(|| {
            let r = rem(from_i64(-7).unwrap().borrow(), from_i64(5).unwrap().borrow()).unwrap();
            assert_eq!(to_i64(r.borrow()), Some(3));
        });
    }
}
