//! A borrowed exact `int`, with only the operations that run no Python code and create no
//! GC-tracked object.
//!
//! Why that matters: [`crate::capi::args::with_integer_items`] lends a list's own item array to a
//! closure, without copying it. Any code that could run Python code while that array is
//! lent could resize the list and free the array under the closure's feet. Python code runs
//! not only through calls (`__index__`, `__eq__`...) but also through the cyclic garbage
//! collector, which any allocation of a GC-tracked object (a tuple, a list, an exception
//! instance: on 3.12+ raising creates one at once) may start, and which runs finalizers.
//! Ints are not GC-tracked and arithmetic on exact ints calls no Python code, so the items
//! are lent as [`ExactInt`]s, which offer exactly that: reading the value, int arithmetic,
//! taking a reference. The closure's signature keeps the items from outliving the loan.

use crate::capi::error::PyResult;
use crate::capi::pyint;
use crate::capi::refs::{Borrowed, Owned};
use std::cmp::Ordering;

/// A borrowed reference to an exact `int` (not a subclass, so no user method runs on it).
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct ExactInt<'a>(Borrowed<'a>);

impl<'a> ExactInt<'a> {
    /// The same slice viewed as exact ints, if every item is one.
    pub fn all<'s>(items: &'s [Borrowed<'a>]) -> Option<&'s [ExactInt<'a>]> {
        if !items.iter().all(|i| i.is_exact_int()) {
            return None;
        }
        // SAFETY: `ExactInt` is `repr(transparent)` over `Borrowed`, and every item was just
        // checked to be an exact int.
        Some(unsafe { std::slice::from_raw_parts(items.as_ptr().cast::<ExactInt<'a>>(), items.len()) })
    }

    /// The value as an i64, or None when it does not fit (no exception either way).
    #[inline]
    pub fn to_i64(self) -> Option<i64> {
        pyint::to_i64(self.0)
    }

    /// `self % m`, in `range(m)`: a new int, and no exception since `m` is positive.
    #[inline]
    pub fn rem(self, m: &Modulus) -> PyResult<Owned> {
        pyint::rem(self.0, m.int)
    }

    /// A new reference to the same int (`Py_NewRef`).
    #[inline]
    pub fn new_ref(self) -> Owned {
        self.0.new_ref()
    }
}

/// A positive exact int used as a modulus, with its value as a word when it is below 2**64.
/// The word is found when the modulus is made, before any items are lent: for a modulus of
/// 2**64 or more, finding out raises (and clears) an OverflowError.
pub struct Modulus<'a> {
    int: Borrowed<'a>,
    word: Option<u64>,
}

impl<'a> Modulus<'a> {
    /// `m` must be a positive exact int, as [`crate::capi::args::modulus`] returns.
    pub fn new(m: &'a Owned) -> Modulus<'a> {
        let int = m.borrow();
        debug_assert!(int.is_exact_int() && pyint::sign(int) == Ordering::Greater);
        Modulus { int, word: pyint::to_u64(int) }
    }

    /// The modulus as a u64, if it is below 2**64.
    #[inline]
    pub fn word(&self) -> Option<u64> {
        self.word
    }
}
