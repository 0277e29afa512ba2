//! A module function: its `PyMethodDef` entry and the one C entry point all of them share.
//!
//! Every module function is `METH_FASTCALL | METH_KEYWORDS` (PEP 590 vectorcall): CPython
//! passes a C array of arguments plus a tuple of keyword names instead of building a tuple
//! and a dict for the call. A function is a type that implements [`Function`]: its name,
//! docstring, signature and a safe body on bound arguments. [`entry`] is the `extern "C"`
//! function CPython calls, generic over that type, so the unsafe part (viewing the raw
//! argument array) and the panic guard are written once for all of them; [`method`] builds the
//! table entry that points at `entry::<F>`.

use crate::capi::args::{Signature, Vectorcall};
use crate::capi::boundary::guard;
use crate::capi::error::PyResult;
use crate::capi::refs::{Borrowed, Owned};
use pyo3_ffi as ffi;
use std::ffi::CStr;
use std::ptr;

/// The name as a `&str`, at compile time (names are ASCII).
const fn name_str(name: &'static CStr) -> &'static str {
    match name.to_str() {
        Ok(s) => s,
        Err(_) => panic!("a function name is ASCII"),
    }
}

// ANCHOR: function
/// A module function with `P` positional-only parameters.
pub trait Function<const P: usize> {
    /// `__name__`.
    const NAME: &'static CStr;
    /// `__doc__`, starting with the `__text_signature__` line that `inspect.signature` reads.
    const DOC: &'static CStr;
    /// The positional-only parameters, in order.
    const PARAMS: [&'static str; P];
    /// Whether the function takes the keyword-only `mod=None`.
    const TAKES_MOD: bool;
    /// The signature [`entry`] binds a call to.
    const SIGNATURE: Signature<P> =
        Signature { name: name_str(Self::NAME), params: Self::PARAMS, takes_mod: Self::TAKES_MOD };

    /// The body, on the bound arguments (borrowed for the call) and `mod` if given.
    fn call(args: [Borrowed; P], modulus: Option<Borrowed>) -> PyResult<Owned>;
}
// ANCHOR_END: function

// ANCHOR: entry
/// The C entry point of every module function: views the arguments, binds them to `F`'s
/// signature and runs `F::call`, inside the panic guard, returning a new reference or NULL
/// with an exception set.
unsafe extern "C" fn entry<F: Function<P>, const P: usize>(
    _module: *mut ffi::PyObject,     // borrowed
    args: *const *mut ffi::PyObject, // borrowed array
    nargsf: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject, // borrowed tuple or NULL
) -> *mut ffi::PyObject /* new reference */ {
    guard(ptr::null_mut(), || {
        // SAFETY: CPython calls a METH_FASTCALL | METH_KEYWORDS function with the arguments
        // PEP 590 specifies, borrowed for the call.
        let call = unsafe { Vectorcall::from_raw(args, nargsf as usize, kwnames) };
        let (args, modulus) = call.bind(&F::SIGNATURE)?;
        F::call(args, modulus).map(Owned::into_ptr)
    })
}
// ANCHOR_END: entry

// ANCHOR: method
/// The method-table entry of the function `F`.
pub const fn method<F: Function<P>, const P: usize>() -> ffi::PyMethodDef {
    ffi::PyMethodDef {
        ml_name: F::NAME.as_ptr(),
        ml_meth: ffi::PyMethodDefPointer { PyCFunctionFastWithKeywords: entry::<F, P> },
        ml_flags: ffi::METH_FASTCALL | ffi::METH_KEYWORDS,
        ml_doc: F::DOC.as_ptr(),
    }
}
// ANCHOR_END: method

/// A method table as CPython reads it: the entries, then a zeroed sentinel. Checked when
/// the static is built, at compile time.
pub const fn method_table<const N: usize>(entries: [ffi::PyMethodDef; N]) -> [ffi::PyMethodDef; N] {
    assert!(N > 0 && entries[N - 1].ml_name.is_null(), "a PyMethodDef table ends with a zeroed sentinel");
    entries
}
