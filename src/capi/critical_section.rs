//! Per-object critical sections: the lock that replaces the GIL for one object's state on a
//! free-threaded CPython (PEP 703, `python3.14t`).
//!
//! With the GIL, only one thread runs Python at a time, and a slot that does not call back
//! into Python code cannot be interleaved with another slot. Without the GIL, two threads
//! may run `next(it)` on the same iterator at the same instant. CPython's answer, used by its
//! own mutable types (list, dict), is a *critical section* on the object: a lock stored in
//! the object header (`ob_mutex`), taken with `Py_BEGIN_CRITICAL_SECTION(obj)` and released
//! with `Py_END_CRITICAL_SECTION()`. Unlike a plain mutex it cannot deadlock with the
//! interpreter's other locks: when the thread would block (on another lock, or while it
//! waits for a stop-the-world pause), the section is suspended and resumed afterwards. A
//! section is therefore exclusive only as long as the code inside does not block; lucas's
//! state additionally sits in a `RefCell`, so a suspended section that another thread enters
//! meets a borrowed cell ("LucasIter is already running"), never a torn state.
//!
//! On a build with the GIL the macros compile to nothing, and so does [`with_object_locked`].

use crate::capi::refs::Borrowed;
#[cfg(Py_GIL_DISABLED)]
use pyo3_ffi as ffi;

// ANCHOR: with_object_locked
/// Runs `f` inside a critical section on `obj` (free-threaded builds); with the GIL, just
/// runs `f`, which the GIL already serialises against every other slot. `obj` is borrowed,
/// so it is live for the whole call, on a thread attached to the interpreter (refs.rs).
#[inline(always)]
pub fn with_object_locked<R>(obj: Borrowed, f: impl FnOnce() -> R) -> R {
    #[cfg(Py_GIL_DISABLED)]
    {
        /// Ends the section when dropped, also while a panic unwinds (the boundary guard
        /// catches the panic further up; the lock must not stay held).
        struct End(*mut ffi::PyCriticalSection);
        impl Drop for End {
            fn drop(&mut self) {
                // SAFETY: the section was begun on this thread and is still in place.
                unsafe { ffi::PyCriticalSection_End(self.0) }
            }
        }
        let mut section = std::mem::MaybeUninit::<ffi::PyCriticalSection>::uninit();
        // SAFETY: `section` is stack memory of the right layout that stays in place (it is
        // never moved) until `End` runs; `obj` is live (caller).
        unsafe { ffi::PyCriticalSection_Begin(section.as_mut_ptr(), obj.as_ptr()) };
        let _end = End(section.as_mut_ptr());
        f()
    }
    #[cfg(not(Py_GIL_DISABLED))]
    {
        let _ = obj;
        f()
    }
}
// ANCHOR_END: with_object_locked
