//! Test support: an embedded interpreter for `cargo test`.
//!
//! The unit tests of the wrappers, the boundary and the Python-int layer need a live
//! interpreter. `cargo test` builds this crate as an ordinary executable linked against
//! libpython (build.rs sets the rpath), initialises CPython once and then runs each test with
//! the GIL held, taken with `PyGILState_Ensure` because the test harness uses many threads.

use crate::capi::refs::Owned;
use pyo3_ffi as ffi;
use std::sync::Once;

/// Runs `f` with the GIL held, initialising the interpreter on first use.
pub fn with_python<R>(f: impl FnOnce() -> R) -> R {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        // SAFETY: called once, before any other C-API use. Afterwards this thread holds the
        // GIL, which `PyEval_SaveThread` releases so any test thread can take it.
        unsafe {
            ffi::Py_InitializeEx(0);
            ffi::PyEval_SaveThread();
        }
    });
    // SAFETY: the interpreter is initialised; Ensure/Release are balanced around `f`.
    let state = unsafe { ffi::PyGILState_Ensure() };
    let r = f();
    // SAFETY: `state` came from the matching Ensure on this thread.
    unsafe { ffi::PyGILState_Release(state) };
    r
}

/// Takes the pending exception, if any, as "TypeName: message".
pub fn pending_exception() -> Option<String> {
    if !crate::capi::error::occurred() {
        return None;
    }
    // The exception instance (normalised), and its type.
    #[cfg(Py_3_12)]
    // SAFETY: an exception is pending; the result is a new reference to it, now owned here.
    let v = unsafe { Owned::from_owned_ptr_or_opt(ffi::PyErr_GetRaisedException())? };
    #[cfg(not(Py_3_12))]
    let v = {
        let (mut t, mut v, mut tb) = (std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut());
        // SAFETY: valid out-pointers; normalising makes `v` an instance of `t`.
        unsafe {
            ffi::PyErr_Fetch(&mut t, &mut v, &mut tb);
            ffi::PyErr_NormalizeException(&mut t, &mut v, &mut tb);
        }
        // SAFETY: each is NULL or a new reference now owned here; only the value is kept.
        let (_t, v, _tb) = unsafe {
            (Owned::from_owned_ptr_or_opt(t)?, Owned::from_owned_ptr_or_opt(v)?, Owned::from_owned_ptr_or_opt(tb))
        };
        v
    };
    // SAFETY: a live object's type is a live type object.
    let t = unsafe { ffi::Py_TYPE(v.as_ptr()) };
    let name = crate::capi::pyint::str_of(v.borrow()).ok()?;
    // SAFETY: a type object's tp_name is a NUL-terminated string living as long as the type.
    let tname = unsafe { std::ffi::CStr::from_ptr((*t).tp_name) };
    Some(format!("{}: {}", tname.to_string_lossy(), name))
}
