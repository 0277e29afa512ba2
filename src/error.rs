//! The error indicator as a Rust value.
//!
//! In C, a failing call returns NULL or -1 and leaves an exception in the thread's *error
//! indicator* (C-API docs, "Exception Handling"). In Rust a failure is an `Err(PyErr)`
//! travelling up through `?`. The two meet in exactly two functions:
//!
//! * [`PyErr::fetch`] moves the interpreter's pending exception into a `PyErr` (this is what
//!   [`Owned::from_owned_ptr`](crate::refs::Owned::from_owned_ptr) does on NULL);
//! * [`PyErr::restore`] puts a `PyErr` back into the indicator. Only the boundary guard
//!   ([`crate::boundary`]) calls it, right before returning a slot's error value, so an
//!   exception is set as the Python exception in exactly one place.
//!
//! Exceptions that Rust code raises itself carry their type and message and are only turned
//! into Python objects at that point, so building one costs no Python allocation.

use crate::refs::Owned;
use pyo3_ffi as ffi;
use std::borrow::Cow;
use std::ffi::CString;

pub type PyResult<T> = Result<T, PyErr>;

/// The built-in exception types lucas raises itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExcType {
    TypeError,
    ValueError,
    OverflowError,
    MemoryError,
    RuntimeError,
    SystemError,
}

impl ExcType {
    /// A borrowed reference to the exception class.
    fn as_ptr(self) -> *mut ffi::PyObject {
        // SAFETY: the `PyExc_*` globals are initialised by the interpreter before any
        // extension code runs and are never reassigned; reading the pointer is a plain load.
        unsafe {
            match self {
                ExcType::TypeError => ffi::PyExc_TypeError,
                ExcType::ValueError => ffi::PyExc_ValueError,
                ExcType::OverflowError => ffi::PyExc_OverflowError,
                ExcType::MemoryError => ffi::PyExc_MemoryError,
                ExcType::RuntimeError => ffi::PyExc_RuntimeError,
                ExcType::SystemError => ffi::PyExc_SystemError,
            }
        }
    }
}

// ANCHOR: pyerr
/// A Python exception on its way to the boundary. Boxed, so that a `PyResult<Owned>` is
/// two machine words and the success path (`tp_iternext` runs it per item) returns in
/// registers; errors are the cold path.
#[derive(Debug)]
pub struct PyErr(Box<ErrState>);

#[derive(Debug)]
pub enum ErrState {
    /// Raised by Rust code; becomes `kind(message)` when restored.
    New(ExcType, Cow<'static, str>),
    /// Raised by the interpreter or user code (an `__index__`, an iterator, MemoryError...),
    /// moved out of the error indicator as (type, value, traceback), as `PyErr_Fetch` gives.
    Fetched(Option<Owned>, Option<Owned>, Option<Owned>),
}
// ANCHOR_END: pyerr

impl PyErr {
    #[cold]
    pub fn new(kind: ExcType, msg: impl Into<Cow<'static, str>>) -> PyErr {
        PyErr(Box::new(ErrState::New(kind, msg.into())))
    }

    /// What the exception is.
    pub fn state(&self) -> &ErrState {
        &self.0
    }

    // ANCHOR: fetch
    /// Takes the pending exception out of the error indicator (which is then clear).
    /// Called after a C-API function reported failure; if it failed without setting an
    /// exception (a bug in that function), a SystemError says so instead of crashing later.
    #[cold]
    pub fn fetch() -> PyErr {
        let (mut t, mut v, mut tb) = (std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut());
        // SAFETY: the three out-pointers are valid locals; the GIL is held. PyErr_Fetch hands
        // us a new reference (or NULL) in each.
        unsafe { ffi::PyErr_Fetch(&mut t, &mut v, &mut tb) };
        // SAFETY: each is NULL or a new reference that is now ours.
        let own = |p| unsafe { Owned::from_owned_ptr_or_none(p) };
        match own(t) {
            None => PyErr::new(ExcType::SystemError, "error return without exception set"),
            t => PyErr(Box::new(ErrState::Fetched(t, own(v), own(tb)))),
        }
    }
    // ANCHOR_END: fetch

    /// True if this is (a subclass of) the given exception type.
    pub fn is(&self, kind: ExcType) -> bool {
        match &*self.0 {
            ErrState::New(k, _) => *k == kind,
            // SAFETY: both are live exception classes; the call only reads them.
            ErrState::Fetched(Some(t), ..) => unsafe {
                ffi::PyErr_GivenExceptionMatches(t.as_ptr(), kind.as_ptr()) != 0
            },
            ErrState::Fetched(None, ..) => false,
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
            ErrState::Fetched(t, v, tb) => {
                let raw = |o: Option<Owned>| o.map_or(std::ptr::null_mut(), Owned::into_ptr);
                // SAFETY: PyErr_Restore steals one reference to each non-NULL argument,
                // exactly the counts `into_ptr` gives away.
                unsafe { ffi::PyErr_Restore(raw(t), raw(v), raw(tb)) }
            }
        }
    }
    // ANCHOR_END: restore
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
