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
        // SAFETY: called once, before any other C-API use.
        unsafe { ffi::Py_InitializeEx(0) };
        // SAFETY: this thread now holds the GIL; releasing it lets any test thread take it.
        unsafe { ffi::PyEval_SaveThread() };
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
    // The exception instance (normalised).
    #[cfg(Py_3_12)]
    let v = {
        // SAFETY: an exception is pending; the GIL is held.
        let raw = unsafe { ffi::PyErr_GetRaisedException() };
        // SAFETY: a new reference to it, now owned here.
        unsafe { Owned::from_owned_ptr_or_opt(raw) }?
    };
    #[cfg(not(Py_3_12))]
    let v = {
        let (mut t, mut v, mut tb) = (std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut());
        // SAFETY: valid out-pointers; the GIL is held.
        unsafe { ffi::PyErr_Fetch(&mut t, &mut v, &mut tb) };
        // SAFETY: as above; normalising makes `v` an instance of `t`.
        unsafe { ffi::PyErr_NormalizeException(&mut t, &mut v, &mut tb) };
        // SAFETY: each is NULL or a new reference now owned here; only the value is kept.
        let own = |p| unsafe { Owned::from_owned_ptr_or_opt(p) };
        let (_t, _tb) = (own(t), own(tb));
        own(v)?
    };
    let message = crate::capi::pyint::str_of(v.borrow()).ok()?;
    Some(format!("{}: {}", v.borrow().type_name(), message))
}
