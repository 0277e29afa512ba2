//! Exact `int`s by type: [`ExactInt`] (borrowed) and [`Int`] (owned).
//!
//! An exact `int` is an instance of `int` itself, not of a subclass (`PyLong_CheckExact`).
//! Everything lucas does with an integer argument happens after converting it to one
//! (`operator.index`, [`crate::capi::pyint::index`]), because on an exact int no user code
//! can run: reading its value (`PyLong_AsLongLongAndOverflow` would call `__index__` on
//! anything else) and int arithmetic (`PyNumber_Add` would call a subclass's `__add__`)
//! neither fail nor call back into Python. The types make that precondition part of the
//! signature: the conversions below accept only an `ExactInt`, and only the arguments' checked
//! conversions and the number protocol on exact ints (whose results are exact ints again)
//! make one.

use crate::capi::error::PyErr;
use crate::capi::refs::{Borrowed, Owned};
use pyo3_ffi as ffi;
use std::cmp::Ordering;
use std::os::raw::c_int;

/// A borrowed reference to an exact `int`.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct ExactInt<'a>(Borrowed<'a>);

/// A new (owned) reference to an exact `int`.
#[derive(Clone, Debug)]
#[repr(transparent)]
pub struct Int(Owned);

impl<'a> ExactInt<'a> {
    /// The object as an exact int, if it is one.
    #[inline]
    pub fn new(obj: Borrowed<'a>) -> Option<ExactInt<'a>> {
        obj.is_exact_int().then_some(ExactInt(obj))
    }

    /// The object, still borrowed.
    #[inline]
    pub fn as_borrowed(self) -> Borrowed<'a> {
        self.0
    }

    #[inline]
    pub fn as_ptr(self) -> *mut ffi::PyObject {
        self.0.as_ptr()
    }

    /// A new reference to the same int (`Py_NewRef`).
    #[inline]
    pub fn new_ref(self) -> Int {
        Int(self.0.new_ref())
    }

    // ANCHOR: to_i64
    /// The value as an i64, or None when it does not fit. Never sets an exception: for an
    /// exact int `PyLong_AsLongLongAndOverflow` reports overflow through its out-parameter.
    #[inline]
    pub fn to_i64(self) -> Option<i64> {
        let (v, overflow) = self.as_long_long();
        (overflow == 0).then_some(v)
    }
    // ANCHOR_END: to_i64

    /// The value as an i64 and the overflow flag (-1 below, 1 above the i64 range).
    #[inline]
    fn as_long_long(self) -> (i64, c_int) {
        let mut overflow: c_int = 0;
        // SAFETY: `self` is a live exact int, so no `__index__` runs and no error is possible.
        let v = unsafe { ffi::PyLong_AsLongLongAndOverflow(self.as_ptr(), &mut overflow) };
        (v, overflow)
    }

    /// The sign, without allocating.
    #[inline]
    pub fn sign(self) -> Ordering {
        match self.as_long_long() {
            (v, 0) => v.cmp(&0),
            (_, overflow) => overflow.cmp(&0),
        }
    }

    /// The value as a u64 if it lies in `0..2**64`.
    pub fn to_u64(self) -> Option<u64> {
        match self.as_long_long() {
            (v, 0) => u64::try_from(v).ok(),
            (_, -1) => None,
            // 2**63 and above: the unsigned conversion tells whether it fits.
            _ => {
                // SAFETY: `self` is a live exact int; failure only means "too big"
                // (OverflowError), which is taken back out at once.
                let v = unsafe { ffi::PyLong_AsUnsignedLongLong(self.as_ptr()) };
                if v == u64::MAX && PyErr::take().is_some() {
                    return None; // the OverflowError is our answer ("does not fit")
                }
                Some(v)
            }
        }
    }
}

impl Int {
    /// Wraps a reference known to be an exact int: what `operator.index` and the number
    /// protocol on exact ints return. Only the C-API layer makes them.
    #[inline]
    pub(in crate::capi) fn from_exact(obj: Owned) -> Int {
        debug_assert!(obj.borrow().is_exact_int());
        Int(obj)
    }

    /// The same int, borrowed.
    #[inline]
    pub fn borrow(&self) -> ExactInt<'_> {
        ExactInt(self.0.borrow())
    }

    /// The reference as a plain object reference (e.g. to put it in a tuple).
    #[inline]
    pub fn into_owned(self) -> Owned {
        self.0
    }

    /// The reference as a plain object reference, borrowed from `self`.
    #[inline]
    pub fn as_owned(&self) -> &Owned {
        &self.0
    }

    /// The value as an i64, or None when it does not fit.
    #[inline]
    pub fn to_i64(&self) -> Option<i64> {
        self.borrow().to_i64()
    }

    /// The value as a u64 if it lies in `0..2**64`.
    #[inline]
    pub fn to_u64(&self) -> Option<u64> {
        self.borrow().to_u64()
    }

    /// The sign, without allocating.
    #[inline]
    pub fn sign(&self) -> Ordering {
        self.borrow().sign()
    }
}
