//! Safe owners of Python references: the one place reference counts change.
//!
//! CPython's C API documents every `PyObject *` it hands out as either a *new reference*
//! (the caller owns one count and must eventually `Py_DECREF` it) or a *borrowed reference*
//! (valid only while some other owner keeps the object alive). C code tracks that in comments
//! and `goto error` cleanup blocks. Here the distinction is a type:
//!
//! * [`Owned`] is a new (strong) reference. Its `Drop` is `Py_DECREF`, so every early `return`
//!   or `?` releases what was acquired so far: Rust's drop order *is* the `goto error` ladder.
//! * [`Borrowed`] is a borrowed reference, tied by a lifetime to whatever keeps it alive. It
//!   never touches the count.
//!
//! The constructors are named for the transfer they perform, like pyo3's: `from_owned_ptr`
//! takes over a new reference, `from_borrowed_ptr` adds one with `Py_INCREF`; `as_ptr` lends a
//! borrowed pointer out, `into_ptr` gives a new reference away (e.g. as a slot's return value).
//!
//! The GIL: every reference here is created inside a call from the interpreter, which holds
//! the GIL for the whole call, and both types are `!Send` (they hold a `NonNull`), so none can
//! outlive that call on another thread. `lucas` never releases the GIL, so "a reference
//! exists" implies "the GIL is held", which is what `Py_INCREF`/`Py_DECREF` require.

use crate::error::{PyErr, PyResult};
use pyo3_ffi as ffi;
use std::ffi::CStr;
use std::marker::PhantomData;
use std::ptr::NonNull;

// ANCHOR: owned
/// A strong reference: one count that this value owns and gives back on drop.
#[repr(transparent)]
pub struct Owned(NonNull<ffi::PyObject>);
// ANCHOR_END: owned

impl Owned {
    // ANCHOR: from_owned_ptr
    /// Takes ownership of a *new reference* returned by a C-API call. A NULL result means
    /// the call failed and set the error indicator, which becomes the `Err`.
    ///
    /// # Safety
    /// `ptr` is NULL (with an exception set) or a new reference that the caller hands over;
    /// the GIL is held.
    #[inline]
    pub unsafe fn from_owned_ptr(ptr: *mut ffi::PyObject) -> PyResult<Owned> {
        match NonNull::new(ptr) {
            Some(p) => Ok(Owned(p)),
            None => Err(PyErr::fetch()),
        }
    }
    // ANCHOR_END: from_owned_ptr

    /// Takes ownership of a pointer that is a new reference or NULL, where NULL is a normal
    /// answer rather than an error (e.g. the traceback slot of `PyErr_Fetch`).
    ///
    /// # Safety
    /// `ptr` is NULL or a new reference that the caller hands over; the GIL is held.
    #[inline]
    pub unsafe fn from_owned_ptr_or_none(ptr: *mut ffi::PyObject) -> Option<Owned> {
        NonNull::new(ptr).map(Owned)
    }

    // ANCHOR: from_borrowed_ptr
    /// Makes a new strong reference from a *borrowed* one (`Py_INCREF`).
    ///
    /// # Safety
    /// `ptr` is a valid, non-NULL object pointer; the GIL is held.
    #[inline]
    pub unsafe fn from_borrowed_ptr(ptr: *mut ffi::PyObject) -> Owned {
        // SAFETY: the caller guarantees a live object and the GIL.
        unsafe { ffi::Py_INCREF(ptr) };
        // SAFETY: the caller guarantees `ptr` is non-NULL.
        Owned(unsafe { NonNull::new_unchecked(ptr) })
    }
    // ANCHOR_END: from_borrowed_ptr

    /// Lends the pointer out as a *borrowed reference*, valid while `self` lives.
    #[inline]
    pub fn as_ptr(&self) -> *mut ffi::PyObject {
        self.0.as_ptr()
    }

    // ANCHOR: into_ptr
    /// Gives the count away: the result is a *new reference* the receiver must release.
    #[inline]
    pub fn into_ptr(self) -> *mut ffi::PyObject {
        let ptr = self.0.as_ptr();
        std::mem::forget(self);
        ptr
    }
    // ANCHOR_END: into_ptr

    /// A borrowed view of this object for as long as `self` is alive.
    #[inline]
    pub fn borrow(&self) -> Borrowed<'_> {
        Borrowed(self.0, PhantomData)
    }
}

// ANCHOR: owned_drop
impl Drop for Owned {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: `self` owns one count of a live object, and the GIL is held (module docs).
        unsafe { ffi::Py_DECREF(self.0.as_ptr()) }
    }
}
// ANCHOR_END: owned_drop

impl std::fmt::Debug for Owned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<object at {:p}>", self.as_ptr())
    }
}

impl Clone for Owned {
    /// `Py_INCREF`: another owner of the same object (cheap; no copy of the value).
    #[inline]
    fn clone(&self) -> Owned {
        // SAFETY: `self` keeps the object alive; the GIL is held (module docs).
        unsafe { Owned::from_borrowed_ptr(self.as_ptr()) }
    }
}

// ANCHOR: borrowed
/// A borrowed reference: valid for `'a`, never changes the count.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct Borrowed<'a>(NonNull<ffi::PyObject>, PhantomData<&'a ffi::PyObject>);
// ANCHOR_END: borrowed

impl<'a> Borrowed<'a> {
    /// Wraps a borrowed pointer, e.g. a slot's `self` or an argument.
    ///
    /// # Safety
    /// `ptr` is non-NULL and some owner keeps the object alive for `'a`; the GIL is held.
    #[inline]
    pub unsafe fn from_ptr(ptr: *mut ffi::PyObject) -> Borrowed<'a> {
        // SAFETY: the caller guarantees `ptr` is non-NULL.
        Borrowed(unsafe { NonNull::new_unchecked(ptr) }, PhantomData)
    }

    /// The pointer, still borrowed.
    #[inline]
    pub fn as_ptr(self) -> *mut ffi::PyObject {
        self.0.as_ptr()
    }

    /// A new reference to the same object (`Py_NewRef`: `Py_INCREF`, then own it). Named
    /// after CPython's function rather than `to_owned`, which `ToOwned` would shadow on a
    /// `&Borrowed`.
    #[inline]
    pub fn new_ref(self) -> Owned {
        // SAFETY: the object is alive for `'a` and the GIL is held.
        unsafe { Owned::from_borrowed_ptr(self.as_ptr()) }
    }

    /// `type(obj).__name__`, for error messages and `repr`.
    pub fn type_name(self) -> String {
        // SAFETY: `Py_TYPE` of a live object is its live type object, whose `tp_name` is a
        // NUL-terminated C string that lives as long as the type.
        let (full, flags) = unsafe {
            let ty = ffi::Py_TYPE(self.as_ptr());
            (std::ffi::CStr::from_ptr((*ty).tp_name).to_string_lossy(), (*ty).tp_flags)
        };
        // A static type spells "module.Name" in tp_name and `__name__` is the part after the
        // last dot; a heap type's (a Python class's) tp_name is its `__name__` as it is.
        match full.rfind('.') {
            Some(dot) if flags & ffi::Py_TPFLAGS_HEAPTYPE == 0 => full[dot + 1..].to_owned(),
            _ => full.into_owned(),
        }
    }
}

/// Views a C array of object pointers as borrowed references.
///
/// # Safety
/// `ptr` points at `len` non-NULL live objects (or `len == 0`), borrowed for `'a`.
pub unsafe fn borrowed_array<'a>(ptr: *const *mut ffi::PyObject, len: usize) -> &'a [Borrowed<'a>] {
    if len == 0 {
        return &[]; // `ptr` may be NULL then
    }
    // SAFETY: `Borrowed` is `repr(transparent)` over `NonNull<PyObject>`, which has the
    // layout of `*mut PyObject`; the caller guarantees `len` non-NULL live pointers.
    unsafe { std::slice::from_raw_parts(ptr.cast::<Borrowed<'a>>(), len) }
}

/// A slice of owners viewed as borrowed references, for as long as the owners live.
pub fn borrow_all(owned: &[Owned]) -> &[Borrowed<'_>] {
    // SAFETY: `Owned` and `Borrowed` are both `repr(transparent)` over
    // `NonNull<PyObject>`, and every `Owned` keeps its object alive while the slice is borrowed.
    unsafe { std::slice::from_raw_parts(owned.as_ptr().cast::<Borrowed<'_>>(), owned.len()) }
}

/// The items of a tuple as borrowed references (none for a NULL tuple).
///
/// # Safety
/// `tuple` is NULL or a live tuple, borrowed for `'a`.
pub unsafe fn tuple_items<'a>(tuple: *mut ffi::PyObject) -> &'a [Borrowed<'a>] {
    if tuple.is_null() {
        return &[];
    }
    // SAFETY: a live tuple holds `PyTuple_GET_SIZE` non-NULL references in `ob_item`,
    // which live as long as the tuple.
    unsafe {
        let items = (*tuple.cast::<ffi::PyTupleObject>()).ob_item.as_ptr();
        borrowed_array(items, ffi::PyTuple_GET_SIZE(tuple) as usize)
    }
}

// ANCHOR: new_tuple
/// A new tuple holding `items` (`PyTuple_New` + `PyTuple_SET_ITEM`, which *steals* a
/// reference: each item's count moves into the tuple through `into_ptr`).
pub fn new_tuple(items: Vec<Owned>) -> PyResult<Owned> {
    // SAFETY: PyTuple_New returns a new reference (or NULL with MemoryError).
    let tuple = unsafe { Owned::from_owned_ptr(ffi::PyTuple_New(items.len() as ffi::Py_ssize_t)) }?;
    for (i, item) in items.into_iter().enumerate() {
        // SAFETY: `tuple` is a fresh tuple of the right size whose slot `i` is still empty,
        // so stealing `item`'s count leaks nothing and overwrites nothing.
        unsafe { ffi::PyTuple_SET_ITEM(tuple.as_ptr(), i as ffi::Py_ssize_t, item.into_ptr()) };
    }
    Ok(tuple)
}
// ANCHOR_END: new_tuple

/// An interned str. Method names are interned: CPython's method cache keeps a reference to
/// the name it was last looked up with, so a fresh string per call would keep one stray
/// object alive per call site (the debug interpreter's block count shows it).
pub fn interned(name: &CStr) -> PyResult<Owned> {
    // SAFETY: a NUL-terminated name in, a new reference or NULL with an exception out.
    unsafe { Owned::from_owned_ptr(ffi::PyUnicode_InternFromString(name.as_ptr())) }
}

/// `obj.name(*args)`.
pub fn call_method(obj: Borrowed, name: &CStr, args: &[Borrowed]) -> PyResult<Owned> {
    let name = interned(name)?;
    let mut all: Vec<*mut ffi::PyObject> = Vec::with_capacity(1 + args.len());
    all.push(obj.as_ptr());
    all.extend(args.iter().map(|a| a.as_ptr()));
    // SAFETY: `all` holds `self` and the arguments, borrowed for the call (PEP 590 layout);
    // the result is a new reference or NULL with an exception.
    unsafe {
        Owned::from_owned_ptr(ffi::PyObject_VectorcallMethod(
            name.as_ptr(),
            all.as_ptr(),
            all.len(),
            std::ptr::null_mut(),
        ))
    }
}

/// A new reference to `None` (`Py_RETURN_NONE`).
pub fn none() -> Owned {
    // SAFETY: None is immortal in practice and always alive; taking a reference to it is
    // what `Py_RETURN_NONE` does.
    unsafe { Owned::from_borrowed_ptr(ffi::Py_None()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::with_python;

    fn refcnt(o: &Owned) -> isize {
        // SAFETY: `o` keeps the object alive; reading the count needs only the GIL.
        unsafe { ffi::Py_REFCNT(o.as_ptr()) }
    }

    /// A fresh object that no cache shares, so its count is ours to observe.
    fn fresh() -> Owned {
        // SAFETY: PyList_New returns a new reference or NULL with an exception.
        unsafe { Owned::from_owned_ptr(ffi::PyList_New(0)) }.unwrap()
    }

    #[test]
    fn owned_counts_one_and_clone_drop_balance() {
        with_python(|| {
            let a = fresh();
            assert_eq!(refcnt(&a), 1);
            let b = a.clone();
            assert_eq!(refcnt(&a), 2);
            drop(b);
            assert_eq!(refcnt(&a), 1);
        });
    }

    #[test]
    fn borrowed_never_touches_the_count_and_new_ref_adds_one() {
        with_python(|| {
            let a = fresh();
            let view = a.borrow();
            // SAFETY: `a` keeps the object alive for the borrow.
            let again = unsafe { Borrowed::from_ptr(view.as_ptr()) };
            assert_eq!(refcnt(&a), 1);
            let b = again.new_ref();
            assert_eq!(refcnt(&a), 2);
            drop(b);
            assert_eq!(refcnt(&a), 1);
        });
    }

    #[test]
    fn into_ptr_gives_the_count_away_and_from_owned_takes_it_back() {
        with_python(|| {
            let a = fresh();
            let keep = a.clone();
            let raw = a.into_ptr();
            assert_eq!(refcnt(&keep), 2, "into_ptr did not decref");
            // SAFETY: `raw` is the new reference `into_ptr` gave away.
            let back = unsafe { Owned::from_owned_ptr(raw) }.unwrap();
            drop(back);
            assert_eq!(refcnt(&keep), 1);
        });
    }

    #[test]
    fn null_from_a_failed_call_becomes_the_fetched_exception() {
        with_python(|| {
            let zero = crate::pyint::from_i64(0).unwrap();
            // SAFETY: live ints in; NULL with ZeroDivisionError out.
            let r = unsafe { Owned::from_owned_ptr(ffi::PyNumber_Remainder(zero.as_ptr(), zero.as_ptr())) };
            let err = r.unwrap_err();
            assert!(matches!(err.state(), crate::error::ErrState::Fetched(Some(_), _, _)));
            // SAFETY: reading the indicator needs only the GIL.
            assert!(unsafe { ffi::PyErr_Occurred() }.is_null(), "fetch cleared the indicator");
        });
    }

    #[test]
    fn new_tuple_steals_each_item() {
        with_python(|| {
            let a = fresh();
            let t = new_tuple(vec![a.clone(), a.clone()]).unwrap();
            assert_eq!(refcnt(&a), 3);
            drop(t);
            assert_eq!(refcnt(&a), 1);
        });
    }
}
