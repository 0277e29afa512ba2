//! What every module function shares: its `PyMethodDef` entry and the body of its C entry
//! point. Each file with a method table (`functions/terms.rs`, `functions/nth_term.rs`, `functions/primality.rs`)
//! writes its entry points out and builds its table from these two.
//!
//! All module functions are `METH_FASTCALL | METH_KEYWORDS` (PEP 590 vectorcall): CPython
//! passes a C array of arguments plus a tuple of keyword names instead of building a tuple
//! and a dict for the call.

use crate::capi::args;
use crate::capi::boundary::guard;
use crate::capi::error::PyResult;
use crate::capi::refs::{Borrowed, Owned};
use pyo3_ffi as ffi;
use std::ffi::CStr;
use std::ptr;

// ANCHOR: method_entry
/// A method-table entry for a `METH_FASTCALL | METH_KEYWORDS` function. `doc` starts with
/// the `__text_signature__` line that `inspect.signature` reads.
pub const fn method(name: &'static CStr, f: ffi::PyCFunctionFastWithKeywords, doc: &'static CStr) -> ffi::PyMethodDef {
    ffi::PyMethodDef {
        ml_name: name.as_ptr(),
        ml_meth: ffi::PyMethodDefPointer { PyCFunctionFastWithKeywords: f },
        ml_flags: ffi::METH_FASTCALL | ffi::METH_KEYWORDS,
        ml_doc: doc.as_ptr(),
    }
}
// ANCHOR_END: method_entry

// ANCHOR: fastcall
/// The common part of every entry point: bind the vectorcall arguments to `names` (plus the
/// keyword-only `mod`), run `body`, and turn its result into what CPython expects (a new
/// reference, or NULL with an exception set), all inside the panic guard.
///
/// # Safety
/// The arguments are those CPython passes to a `METH_FASTCALL | METH_KEYWORDS` function.
pub unsafe fn fastcall<const P: usize>(
    func: &str,
    names: [&str; P],
    args: *const *mut ffi::PyObject, // borrowed array
    nargsf: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject, // borrowed tuple or NULL
    body: impl FnOnce([Borrowed; P], Option<Borrowed>) -> PyResult<Owned>,
) -> *mut ffi::PyObject /* new reference */ {
    guard(ptr::null_mut(), || {
        // SAFETY: CPython passes the vectorcall arguments as PEP 590 specifies (caller).
        let (args, m) = unsafe { args::bind_fastcall(func, names, args, nargsf as usize, kwnames) }?;
        body(args, m).map(Owned::into_ptr)
    })
}
// ANCHOR_END: fastcall
