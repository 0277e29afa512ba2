//! The C-API functions that hand out, take over or fill in references, declared again with
//! the ownership of every object pointer in their signature.
//!
//! pyo3-ffi declares every object pointer as `*mut PyObject`, as the C headers do: whether a
//! result is a new reference, or an argument is stolen, is said only in the C-API
//! documentation. Called through those declarations, "call a function, then take ownership of
//! its result" is two unsafe steps, the second a promise in a comment. Here the promise is the
//! declaration. [`Owned`] and [`Borrowed`] are `#[repr(transparent)]` over
//! `NonNull<PyObject>`, and `Option` of such a type is guaranteed to have the size and ABI of
//! a nullable pointer (the null-pointer optimisation, `std::option`'s "Representation"), so
//! in a declaration
//!
//! * `-> Option<Owned>` is a new reference, or NULL (with an exception set, unless the
//!   function's documentation says otherwise);
//! * a `Borrowed<'_>` argument is a borrowed reference the callee does not keep;
//! * an `Owned` argument is a reference the callee *steals*;
//! * a `&mut Option<Owned>` out-parameter receives a new reference or NULL.
//!
//! A call is then one unsafe operation, and what comes back is already owned, with a `Drop`,
//! as the documentation says. Each prototype matches CPython's headers in every supported
//! version (3.11 to 3.15), with these types in place of `PyObject *`; a function that is a
//! macro or `static inline` in some version has no symbol to link to and is not declared here.
//! pyo3-ffi stays the source of the structs and constants, and of the functions that only
//! read (type checks, `PyErr_Occurred`-like queries), which need no ownership in their type.
//! The three singletons are declared here too, for a safe way to their addresses.

use crate::capi::refs::{Borrowed, Owned};
use pyo3_ffi as ffi;
use std::ffi::c_char;
use std::os::raw::{c_int, c_longlong};

/// A `PyLongWriter *` (3.14+): an int whose digits are being written, which
/// `PyLongWriter_Finish` consumes.
#[cfg(Py_3_14)]
#[repr(transparent)]
pub struct LongWriter(std::ptr::NonNull<ffi::PyLongWriter>);

extern "C" {
    // The singletons (Include/object.h, boolobject.h), for their addresses: `Py_None` is
    // `&_Py_NoneStruct` in C. The bools are `PyLongObject`s; only the address is used.
    pub static _Py_NoneStruct: ffi::PyObject;
    pub static _Py_TrueStruct: ffi::PyObject;
    pub static _Py_FalseStruct: ffi::PyObject;

    // Objects and the abstract protocols (Include/object.h, Include/abstract.h).
    // ANCHOR: declarations
    pub fn PyObject_GetAttr(obj: Borrowed<'_>, name: Borrowed<'_>) -> Option<Owned>;
    pub fn PyObject_GetIter(obj: Borrowed<'_>) -> Option<Owned>;
    pub fn PyObject_Str(obj: Borrowed<'_>) -> Option<Owned>;
    /// `args` holds `self` then the arguments (PEP 590), borrowed for the call.
    pub fn PyObject_VectorcallMethod(
        name: Borrowed<'_>,
        args: *const Borrowed<'_>,
        nargsf: usize,
        kwnames: Option<Borrowed<'_>>,
    ) -> Option<Owned>;
    /// NULL *without* an exception when the iterator is exhausted.
    pub fn PyIter_Next(iterator: Borrowed<'_>) -> Option<Owned>;
    // ANCHOR_END: declarations
    pub fn PySequence_List(obj: Borrowed<'_>) -> Option<Owned>;
    pub fn PyNumber_Index(obj: Borrowed<'_>) -> Option<Owned>;
    pub fn PyNumber_Negative(obj: Borrowed<'_>) -> Option<Owned>;
    pub fn PyNumber_Add(a: Borrowed<'_>, b: Borrowed<'_>) -> Option<Owned>;
    pub fn PyNumber_Subtract(a: Borrowed<'_>, b: Borrowed<'_>) -> Option<Owned>;
    pub fn PyNumber_Multiply(a: Borrowed<'_>, b: Borrowed<'_>) -> Option<Owned>;
    pub fn PyNumber_Remainder(a: Borrowed<'_>, b: Borrowed<'_>) -> Option<Owned>;
    /// The function behind the `PyObject_New` macro (every version): `tp_basicsize` bytes
    /// from `PyObject_Malloc`, the header initialised, the rest not written.
    pub fn _PyObject_New(ty: *mut ffi::PyTypeObject) -> Option<Owned>;
    /// `type->tp_alloc(type, 0)`: `args` and `kwds` are ignored.
    pub fn PyType_GenericNew(
        ty: *mut ffi::PyTypeObject,
        args: Option<Borrowed<'_>>,
        kwds: Option<Borrowed<'_>>,
    ) -> Option<Owned>;

    // Concrete types (Include/tupleobject.h, dictobject.h, unicodeobject.h, bytesobject.h,
    // longobject.h, import.h, modsupport.h).
    // ANCHOR: tuple_declarations
    pub fn PyTuple_New(len: ffi::Py_ssize_t) -> Option<Owned>;
    /// Steals `item`, even when it fails.
    pub fn PyTuple_SetItem(tuple: Borrowed<'_>, pos: ffi::Py_ssize_t, item: Owned) -> c_int;
    // ANCHOR_END: tuple_declarations
    pub fn PyDict_Items(dict: Borrowed<'_>) -> Option<Owned>;
    pub fn PyUnicode_FromStringAndSize(data: *const c_char, size: ffi::Py_ssize_t) -> Option<Owned>;
    pub fn PyUnicode_InternFromString(text: *const c_char) -> Option<Owned>;
    pub fn PyUnicode_AsEncodedString(
        text: Borrowed<'_>,
        encoding: *const c_char,
        errors: *const c_char,
    ) -> Option<Owned>;
    pub fn PyBytes_FromStringAndSize(data: *const c_char, size: ffi::Py_ssize_t) -> Option<Owned>;
    pub fn PyLong_FromLongLong(v: c_longlong) -> Option<Owned>;
    /// `sys.int_info`.
    pub fn PyLong_GetInfo() -> Option<Owned>;
    pub fn PyImport_ImportModule(name: *const c_char) -> Option<Owned>;
    /// What the `PyModule_Create` macro expands to.
    pub fn PyModule_Create2(def: *mut ffi::PyModuleDef, apiver: c_int) -> Option<Owned>;

    // The error indicator (Include/pyerrors.h): one exception object from 3.12, a (type,
    // value, traceback) triple before.
    /// NULL (and no exception) when none is pending.
    #[cfg(Py_3_12)]
    pub fn PyErr_GetRaisedException() -> Option<Owned>;
    #[cfg(Py_3_12)]
    pub fn PyErr_SetRaisedException(exc: Owned);
    /// Each out-parameter receives a new reference or NULL (all three NULL when no exception
    /// is pending).
    #[cfg(not(Py_3_12))]
    pub fn PyErr_Fetch(ty: &mut Option<Owned>, value: &mut Option<Owned>, traceback: &mut Option<Owned>);
    /// Steals all three.
    #[cfg(not(Py_3_12))]
    pub fn PyErr_Restore(ty: Option<Owned>, value: Option<Owned>, traceback: Option<Owned>);

    // Writing an int's digits (capi/pyint.rs).
    /// A new int of `size` digits whose digits are not yet written: the allocator of
    /// CPython's own int arithmetic (`Include/cpython/longintrepr.h`, exported in 3.11 to
    /// 3.13; 3.14 has the public `PyLongWriter` instead). It sets the size (and sign,
    /// positive); the caller writes every digit before the int is used. Declared
    /// `PyLongObject *` in C, the same pointer.
    #[cfg(not(Py_3_14))]
    pub fn _PyLong_New(size: ffi::Py_ssize_t) -> Option<Owned>;
    /// A writer for an int of `ndigits` digits; `digits` receives the address of its digit
    /// array (the native layout, `PyLong_GetNativeLayout`), which the caller fills in full.
    #[cfg(Py_3_14)]
    pub fn PyLongWriter_Create(
        negative: c_int,
        ndigits: ffi::Py_ssize_t,
        digits: &mut *mut std::ffi::c_void,
    ) -> Option<LongWriter>;
    #[cfg(Py_3_14)]
    pub fn PyLongWriter_Finish(writer: LongWriter) -> Option<Owned>;
}
