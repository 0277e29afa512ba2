//! Deliberate faults, compiled only with `--features selftest`, so that the checks that
//! guard lucas can prove they are able to fail: the panic guard (a panic must become a
//! SystemError), valgrind's leak check (memory that is never freed) and the debug
//! interpreter's reference totals (a count that is never given back). The shipped module
//! never contains them.

use crate::capi::boundary::guard;
use crate::capi::method_def::method_table;
use crate::capi::refs::{none, Owned};
use crate::capi::static_cell::StaticCell;
use pyo3_ffi as ffi;
use std::ptr;

/// `_selftest_panic()`: panics inside the boundary guard.
unsafe extern "C" fn selftest_panic(_module: *mut ffi::PyObject, _: *mut ffi::PyObject) -> *mut ffi::PyObject {
    guard(ptr::null_mut(), || -> crate::capi::error::PyResult<*mut ffi::PyObject> { panic!("selftest panic") })
}

/// `_selftest_leak_memory()`: 4 KiB of Rust heap that is never freed ("definitely lost").
unsafe extern "C" fn selftest_leak_memory(_module: *mut ffi::PyObject, _: *mut ffi::PyObject) -> *mut ffi::PyObject {
    guard(ptr::null_mut(), || {
        let lost: Box<[u8]> = vec![0x5a; 4096].into_boxed_slice();
        // black_box: the optimiser may otherwise drop an allocation nobody reads.
        std::hint::black_box(Box::leak(lost));
        Ok(none().into_ptr())
    })
}

// ANCHOR: selftest_leak_ref
/// `_selftest_leak_ref(obj)`: takes a reference to `obj` and never releases it.
unsafe extern "C" fn selftest_leak_ref(
    _module: *mut ffi::PyObject,
    obj: *mut ffi::PyObject, /* borrowed */
) -> *mut ffi::PyObject {
    guard(ptr::null_mut(), || {
        // SAFETY: METH_O passes a live borrowed argument.
        std::mem::forget(unsafe { Owned::from_borrowed_ptr(obj) });
        Ok(none().into_ptr())
    })
}
// ANCHOR_END: selftest_leak_ref

pub static SELFTEST_METHODS: StaticCell<[ffi::PyMethodDef; 4]> = StaticCell::new(method_table([
    ffi::PyMethodDef {
        ml_name: c"_selftest_panic".as_ptr(),
        ml_meth: ffi::PyMethodDefPointer { PyCFunction: selftest_panic },
        ml_flags: ffi::METH_NOARGS,
        ml_doc: c"Panic inside the boundary guard (selftest builds only).".as_ptr(),
    },
    ffi::PyMethodDef {
        ml_name: c"_selftest_leak_memory".as_ptr(),
        ml_meth: ffi::PyMethodDefPointer { PyCFunction: selftest_leak_memory },
        ml_flags: ffi::METH_NOARGS,
        ml_doc: c"Leak 4 KiB of heap (selftest builds only).".as_ptr(),
    },
    ffi::PyMethodDef {
        ml_name: c"_selftest_leak_ref".as_ptr(),
        ml_meth: ffi::PyMethodDefPointer { PyCFunction: selftest_leak_ref },
        ml_flags: ffi::METH_O,
        ml_doc: c"Leak one reference to the argument (selftest builds only).".as_ptr(),
    },
    ffi::PyMethodDef::zeroed(),
]));
