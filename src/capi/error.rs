//! The error indicator as a Rust value.
//!
//! In C, a failing call returns NULL or -1 and leaves an exception in the thread's *error
//! indicator* (C-API docs, "Exception Handling"). In Rust a failure is an `Err(PyErr)`
//! travelling up through `?`. The two meet in exactly two functions:
//!
//! * [`PyErr::fetch`] moves the interpreter's pending exception into a `PyErr` (a C call's
//!   NULL result becomes one with `ok_or_else(PyErr::fetch)`);
//! * [`PyErr::restore`] puts a `PyErr` back into the indicator. Only the boundary guard
//!   ([`crate::capi::boundary`]) calls it, right before returning a slot's error value, so an
//!   exception is set as the Python exception in exactly one place.
//!
//! Exceptions that Rust code raises itself carry their type and message and are only turned
//! into Python objects at that point, so building one costs no Python allocation.
//!
//! C calls that return a new reference or NULL are declared in `typed_ffi.rs` as returning
//! `Option<Owned>`; `ok_or_else(PyErr::fetch)` makes the NULL an `Err`.

use crate::capi::refs::Owned;
use crate::capi::typed_ffi as typed;
use pyo3_ffi as ffi;
use std::borrow::Cow;
use std::ffi::CString;

pub type PyResult<T> = Result<T, PyErr>;

/// The built-in exception types lucas raises itself.
#[allow(clippy::enum_variant_names, reason = "each is named as the Python exception it stands for")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExcType {
    TypeError,
    ValueError,
    OverflowError,
    RuntimeError,
    SystemError,
}

impl ExcType {
    /// A borrowed reference to the exception class.
    fn as_ptr(self) -> *mut ffi::PyObject {
        let global = match self {
            ExcType::TypeError => &raw const ffi::PyExc_TypeError,
            ExcType::ValueError => &raw const ffi::PyExc_ValueError,
            ExcType::OverflowError => &raw const ffi::PyExc_OverflowError,
            ExcType::RuntimeError => &raw const ffi::PyExc_RuntimeError,
            ExcType::SystemError => &raw const ffi::PyExc_SystemError,
        };
        // SAFETY: the `PyExc_*` globals are initialised by the interpreter before any
        // extension code runs and are never reassigned; reading the pointer is a plain load.
        unsafe { *global }
    }
}

// ANCHOR: pyerr
/// A Python exception on its way to the boundary. Boxed, so that a `PyResult<Owned>` is
/// two machine words and the success path (`tp_iternext` runs it per item) returns in
/// registers; errors are the cold path.
#[derive(Debug)]
pub struct PyErr(Box<ErrState>);

#[derive(Debug)]
enum ErrState {
    /// Raised by Rust code; becomes `kind(message)` when restored.
    New(ExcType, Cow<'static, str>),
    /// Raised by the interpreter or user code (an `__index__`, an iterator, MemoryError...),
    /// moved out of the error indicator. Since 3.12 the indicator holds one exception
    /// object (`PyErr_GetRaisedException`; `PyErr_Fetch` is deprecated there).
    #[cfg(Py_3_12)]
    Fetched(Owned),
    /// Before 3.12 the indicator is a (type, value, traceback) triple, which `PyErr_Fetch`
    /// moves out (the value and traceback may be NULL).
    #[cfg(not(Py_3_12))]
    Fetched(Owned, Option<Owned>, Option<Owned>),
}
// ANCHOR_END: pyerr

impl PyErr {
    #[cold]
    pub fn new(kind: ExcType, msg: impl Into<Cow<'static, str>>) -> PyErr {
        PyErr(Box::new(ErrState::New(kind, msg.into())))
    }

    // ANCHOR: fetch
    /// Takes the pending exception out of the error indicator (which is then clear).
    /// Called after a C-API function reported failure; if it failed without setting an
    /// exception (a bug in that function), a SystemError says so instead of crashing later.
    #[cold]
    pub fn fetch() -> PyErr {
        PyErr::take().unwrap_or_else(|| PyErr::new(ExcType::SystemError, "error return without exception set"))
    }

    /// The pending exception, if there is one (pyo3's `PyErr::take`): for the calls whose
    /// NULL or -1 result alone does not say whether they failed (`PyIter_Next` at the end).
    #[inline]
    pub fn take() -> Option<PyErr> {
        #[cfg(Py_3_12)]
        {
            // SAFETY: the GIL is held. The exception comes back as a new reference, now ours
            // (the indicator is cleared), or NULL if none is pending.
            let exc = unsafe { typed::PyErr_GetRaisedException() }?;
            Some(PyErr(Box::new(ErrState::Fetched(exc))))
        }
        #[cfg(not(Py_3_12))]
        {
            let (mut ty, mut value, mut traceback) = (None, None, None);
            // SAFETY: the GIL is held. Each out-parameter receives a new reference, now ours,
            // or NULL; the type is NULL only if no exception is pending.
            unsafe { typed::PyErr_Fetch(&mut ty, &mut value, &mut traceback) };
            Some(PyErr(Box::new(ErrState::Fetched(ty?, value, traceback))))
        }
    }
    // ANCHOR_END: fetch

    /// True if this is (a subclass of) the given exception type.
    pub fn is(&self, kind: ExcType) -> bool {
        // SAFETY: `given` is a live exception (3.12+) or exception class, and `kind` a live
        // class; the call only reads them (given an instance, it tests the instance's class).
        let matches = |given: &Owned| unsafe { ffi::PyErr_GivenExceptionMatches(given.as_ptr(), kind.as_ptr()) != 0 };
        match &*self.0 {
            ErrState::New(k, _) => *k == kind,
            #[cfg(Py_3_12)]
            ErrState::Fetched(exc) => matches(exc),
            #[cfg(not(Py_3_12))]
            ErrState::Fetched(ty, ..) => matches(ty),
        }
    }

    // ANCHOR: restore
    /// Sets this exception as the thread's pending Python exception. Only the boundary
    /// guard calls this, just before it returns the slot's error value.
    pub(crate) fn restore(self) {
        match *self.0 {
            ErrState::New(kind, msg) => {
                // An interior NUL cannot come from our own messages; drop it rather than fail.
                let msg = CString::new(msg.replace('\0', "")).unwrap_or_default();
                // SAFETY: the class and the NUL-terminated message are valid for the call,
                // which copies the message.
                unsafe { ffi::PyErr_SetString(kind.as_ptr(), msg.as_ptr()) }
            }
            // SAFETY: the GIL is held; the exception is moved into the call, which steals it.
            #[cfg(Py_3_12)]
            ErrState::Fetched(exc) => unsafe { typed::PyErr_SetRaisedException(exc) },
            // SAFETY: the GIL is held; the three are moved into the call, which steals them.
            #[cfg(not(Py_3_12))]
            ErrState::Fetched(ty, value, traceback) => unsafe { typed::PyErr_Restore(Some(ty), value, traceback) },
        }
    }
    // ANCHOR_END: restore

    /// "TypeName: message", for the tests' assertions.
    #[cfg(test)]
    pub fn describe(&self) -> String {
        use crate::capi::object_calls::{getattr, str_to_string};
        use crate::capi::pyint::str_of;
        let name = |class: &Owned| getattr(class.borrow(), c"__name__").and_then(|n| str_to_string(n.borrow()));
        let (class, message) = match &*self.0 {
            ErrState::New(kind, msg) => return format!("{kind:?}: {msg}"),
            #[cfg(Py_3_12)]
            ErrState::Fetched(exc) => (exc.borrow().get_type().new_ref(), str_of(exc.borrow())),
            #[cfg(not(Py_3_12))]
            ErrState::Fetched(ty, value, _) => {
                (ty.clone(), value.as_ref().map_or_else(|| Ok(String::new()), |v| str_of(v.borrow())))
            }
        };
        format!("{}: {}", name(&class).unwrap_or_default(), message.unwrap_or_default())
    }
}

/// Shorthand for the most common error: `TypeError(msg)`.
pub fn type_error<T>(msg: impl Into<Cow<'static, str>>) -> PyResult<T> {
    Err(PyErr::new(ExcType::TypeError, msg))
}

/// Shorthand for `ValueError(msg)`.
pub fn value_error<T>(msg: impl Into<Cow<'static, str>>) -> PyResult<T> {
    Err(PyErr::new(ExcType::ValueError, msg))
}

// ANCHOR: check_signals
/// Runs pending signal handlers (Ctrl-C raises KeyboardInterrupt here), as CPython's own
/// long-running C loops do.
pub fn check_signals() -> PyResult<()> {
    // SAFETY: the GIL is held; a pending signal's handler runs and may set an exception.
    if unsafe { ffi::PyErr_CheckSignals() } != 0 {
        return Err(PyErr::fetch());
    }
    Ok(())
}
// ANCHOR_END: check_signals

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::testing::{pending_exception, with_python};

    #[test]
    fn null_from_a_failed_call_becomes_the_fetched_exception() {
        with_python(|| {
            let zero = crate::capi::pyint::from_i64(0).unwrap().into_owned();
            // The call returns NULL with ZeroDivisionError, which `binary` fetches.
            let r = crate::capi::object_calls::binary(
                crate::capi::object_calls::Binary::Remainder,
                zero.borrow(),
                zero.borrow(),
            );
            let err = r.unwrap_err();
            assert!(pending_exception().is_none(), "fetch cleared the indicator");
            assert!(!err.is(ExcType::ValueError));
            err.restore();
            let shown = pending_exception().expect("restore sets it again");
            assert!(shown.starts_with("ZeroDivisionError"), "{shown}");
        });
    }
}
