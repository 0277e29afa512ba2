//! The FFI boundary: the one guard every `extern "C"` entry point runs through.
//!
//! A Rust panic must never unwind into CPython's C frames (that is undefined behaviour, and
//! since Rust 1.81 an `extern "C"` function aborts the process instead). So every slot and
//! method body runs inside [`guard`], which
//!
//! 1. catches a panic with `catch_unwind` and raises `SystemError` in its place,
//! 2. turns an `Err(PyErr)` into the pending Python exception ([`PyErr::restore`]), and
//! 3. returns the *error value of that slot*: NULL for functions returning an object
//!    (`tp_new`, `tp_iternext`, methods), -1 for those returning `int` (C-API docs,
//!    "Exception Handling": the caller sees the error value and finds the exception set).
//!
//! This is what pyo3's and rust-cpython's macros wrap around each function they generate.
//!
//! Panic output: the default panic hook prints a message (and, with RUST_BACKTRACE set, a
//! backtrace) to stderr even when the panic is caught. [`install_panic_hook`] chains a hook
//! that stays quiet for panics inside a guard (the message goes into the SystemError instead)
//! and defers to the previous hook otherwise.
//!
//! "Inside a guard" is tracked without a thread-local: in a shared library every access to
//! one is a `__tls_get_addr` call, paid twice per `next()`. Guards are entered only by
//! threads holding the GIL, so a counter protected by the GIL is enough to count them; the
//! hook counts a panic as ours when the counter is non-zero *and* the panicking thread holds
//! the GIL. The price, accepted: while a guard is active (say, lucas is calling a user's
//! `__index__`), a panic in *another* Rust extension on a thread holding the GIL is also kept
//! quiet. That panic still propagates as usual; only its message on stderr is lost. (With
//! subinterpreters, where 3.11's `PyGILState_Check` always says yes, this reasoning would
//! not hold; lucas does not support them.)

use crate::capi::error::{ExcType, PyErr, PyResult};
use pyo3_ffi as ffi;
use std::panic::{self, AssertUnwindSafe};
#[cfg(not(Py_GIL_DISABLED))]
use std::sync::atomic::{AtomicU32, Ordering};
#[cfg(not(Py_GIL_DISABLED))]
use std::sync::Mutex;

// ANCHOR: guard_statics
/// How many guards are active (they nest when Python code calls back into lucas). Only
/// changed with the GIL held, which serialises the writers, so a plain load and store (no
/// atomic read-modify-write) count right; the atomic type only makes the hook's read from
/// any thread well-defined. Relaxed loads and stores compile to ordinary moves.
#[cfg(not(Py_GIL_DISABLED))]
static GUARD_DEPTH: AtomicU32 = AtomicU32::new(0);
/// Where the last guarded panic happened, recorded by the hook for the SystemError.
#[cfg(not(Py_GIL_DISABLED))]
static PANIC_LOCATION: Mutex<Option<String>> = Mutex::new(None);

// Free-threaded CPython (PEP 703) has no GIL to serialise the counter's writers: there each
// thread counts its own guards, the price of a thread-local being the cost of that build.
#[cfg(Py_GIL_DISABLED)]
thread_local! {
    static GUARD_DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    static PANIC_LOCATION: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}
// ANCHOR_END: guard_statics

/// Adds `delta` to the guard depth.
#[inline]
fn adjust_depth(delta: i32) {
    #[cfg(not(Py_GIL_DISABLED))]
    GUARD_DEPTH.store(GUARD_DEPTH.load(Ordering::Relaxed).wrapping_add_signed(delta), Ordering::Relaxed);
    #[cfg(Py_GIL_DISABLED)]
    GUARD_DEPTH.with(|d| d.set(d.get().wrapping_add_signed(delta)));
}

/// How many guards are active (on this thread, free-threaded).
fn depth() -> u32 {
    #[cfg(not(Py_GIL_DISABLED))]
    return GUARD_DEPTH.load(Ordering::Relaxed);
    #[cfg(Py_GIL_DISABLED)]
    return GUARD_DEPTH.with(|d| d.get());
}

/// Records (`Some`) or takes (`None`) where the last guarded panic happened.
fn swap_panic_location(place: Option<String>) -> Option<String> {
    #[cfg(not(Py_GIL_DISABLED))]
    return std::mem::replace(&mut *PANIC_LOCATION.lock().unwrap_or_else(|poisoned| poisoned.into_inner()), place);
    #[cfg(Py_GIL_DISABLED)]
    return PANIC_LOCATION.with(|p| p.replace(place));
}

/// Does this thread hold the GIL (is it attached, free-threaded)?
pub(crate) fn holds_gil() -> bool {
    // SAFETY: PyGILState_Check only compares this thread's state with the interpreter's.
    unsafe { ffi::PyGILState_Check() == 1 }
}

/// Is the current thread inside a guard? For the hook, which may run on any thread: the
/// counter counts the guards of the thread holding the GIL.
fn in_guard() -> bool {
    holds_gil() && depth() > 0
}

// ANCHOR: guard
/// Runs `body` for an `extern "C"` entry point and converts its outcome to the C convention:
/// the value on success, `error_value` with a Python exception set on failure or panic.
#[inline]
pub fn guard<T>(error_value: T, body: impl FnOnce() -> PyResult<T>) -> T {
    match run(body) {
        Ok(value) => value,
        Err(err) => {
            err.restore();
            error_value
        }
    }
}
// ANCHOR_END: guard

// ANCHOR: guard_void
/// The guard for slots that cannot report an error (`tp_dealloc` returns `void`): a failure
/// is printed with `PyErr_WriteUnraisable`, as CPython does for an exception in `__del__`,
/// and an exception that was already pending (deallocation often happens while one
/// propagates) is left exactly as it was.
pub fn guard_void(body: impl FnOnce() -> PyResult<()>) {
    if let Err(err) = run(body) {
        let pending = PyErr::take();
        err.restore();
        // SAFETY: an exception is set; NULL context is allowed (the object may be freed).
        unsafe { ffi::PyErr_WriteUnraisable(std::ptr::null_mut()) };
        if let Some(pending) = pending {
            pending.restore();
        }
    }
}
// ANCHOR_END: guard_void

// ANCHOR: run
/// Catches a panic in `body` and turns it into a SystemError.
#[inline]
fn run<T>(body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    adjust_depth(1);
    // AssertUnwindSafe: after a panic nothing observes the closure's captures again except
    // through the Python objects it touched, whose invariants the Rust types keep (a RefCell
    // borrow is released during unwinding; owned references are dropped).
    let outcome = panic::catch_unwind(AssertUnwindSafe(body));
    adjust_depth(-1);
    outcome.unwrap_or_else(|payload| Err(panic_to_error(payload)))
}
// ANCHOR_END: run

fn panic_to_error(payload: Box<dyn std::any::Any + Send>) -> PyErr {
    let msg = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "Box<dyn Any>".to_owned()
    };
    let place = swap_panic_location(None).unwrap_or_default();
    PyErr::new(ExcType::SystemError, format!("Rust panic in lucas{place}: {msg}"))
}

/// Chains the quiet hook in front of the current one. Called once, from `PyInit_lucas`.
pub fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if in_guard() {
                let place = info.location().map(|l| format!(" at {}:{}", l.file(), l.line()));
                // `in_guard` established that this thread holds the GIL.
                swap_panic_location(place);
            } else {
                previous(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::testing::{pending_exception, with_python};

    #[test]
    fn ok_passes_through_and_sets_nothing() {
        with_python(|| {
            assert_eq!(guard(-1, || Ok(7)), 7);
            assert!(pending_exception().is_none());
        });
    }

    #[test]
    fn err_becomes_the_pending_exception_and_the_error_value() {
        with_python(|| {
            let r = guard(-1, || Err(PyErr::new(ExcType::ValueError, "bad n")));
            assert_eq!(r, -1);
            assert_eq!(pending_exception().as_deref(), Some("ValueError: bad n"));
        });
    }

    #[test]
    fn panic_becomes_system_error_and_the_error_value() {
        with_python(|| {
            install_panic_hook();
            let r: *mut pyo3_ffi::PyObject = guard(std::ptr::null_mut(), || {
                let v: Vec<i32> = Vec::new();
                #[allow(clippy::useless_vec, reason = "a Vec, so that the index is checked at run time and panics")]
                Ok(std::ptr::null_mut::<pyo3_ffi::PyObject>().wrapping_add(v[3] as usize))
            });
            assert!(r.is_null());
            let msg = pending_exception().expect("an exception is set");
            assert!(msg.starts_with("SystemError: Rust panic in lucas at src/capi/boundary.rs:"), "{msg}");
            assert!(msg.contains("index out of bounds"), "{msg}");
            // The guard is balanced even after unwinding.
            assert_eq!(depth(), 0);
        });
    }
}
