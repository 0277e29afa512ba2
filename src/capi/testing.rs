//! Test support: an embedded interpreter for `cargo test`.
//!
//! The unit tests of the wrappers, the boundary and the Python-int layer need a live
//! interpreter. `cargo test` builds this crate as an ordinary executable linked against
//! libpython (build.rs sets the rpath), initialises CPython once and then runs each test with
//! the GIL held, taken with `PyGILState_Ensure` because the test harness uses many threads.

use pyo3_ffi as ffi;
use std::sync::Once;

/// Runs `f` with the GIL held, initialising the interpreter on first use.
pub fn with_python<R>(f: impl FnOnce() -> R) -> R {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        // SAFETY: called once, before any other C-API use.
        unsafe { ffi::Py_InitializeEx(0) };
        // This thread now holds the GIL; releasing it lets any test thread take it.
        crate::capi::gil::release_for_good();
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
    crate::capi::error::PyErr::take().map(|e| e.describe())
}
