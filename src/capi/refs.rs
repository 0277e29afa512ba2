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
//! The constructors are named for the transfer they perform, as pyo3's are:
//! `from_owned_ptr_or_opt` takes over a new reference (NULL is `None`), `from_borrowed_ptr`
//! adds one with `Py_INCREF`; `as_ptr` lends a borrowed pointer out, `into_ptr` gives a new
//! reference away (e.g. as a slot's return value). `from_owned_ptr_or_err`, where NULL means
//! "the call failed and set the error indicator", is defined in `error.rs`: this file is the
//! bottom layer and knows nothing of errors.
//!
//! The GIL: every reference here is created inside a call from the interpreter, which holds
//! the GIL for the whole call, and both types are `!Send` (they hold a `NonNull`), so none can
//! outlive that call on another thread. `lucas` never releases the GIL, so "a reference
//! exists" implies "the GIL is held", which is what `Py_INCREF`/`Py_DECREF` require.

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
    // ANCHOR: from_owned_ptr_or_opt
    /// Takes ownership of a pointer that is a new reference or NULL, where NULL is a normal
    /// answer rather than an error (e.g. the traceback slot of `PyErr_Fetch`). For a C-API
    /// call whose NULL means failure, use `Owned::from_owned_ptr_or_err` (error.rs).
    ///
    /// # Safety
    /// `ptr` is NULL or a new reference that the caller hands over; the GIL is held.
    #[inline]
    pub unsafe fn from_owned_ptr_or_opt(ptr: *mut ffi::PyObject) -> Option<Owned> {
        NonNull::new(ptr).map(Owned)
    }
    // ANCHOR_END: from_owned_ptr_or_opt

    // ANCHOR: from_borrowed_ptr
    /// Makes a new strong reference from a *borrowed* one (`Py_INCREF`).
    ///
    /// # Safety
    /// `ptr` is a valid, non-NULL object pointer; the GIL is held.
    #[inline]
    pub unsafe fn from_borrowed_ptr(ptr: *mut ffi::PyObject) -> Owned {
        let owned = Owned(NonNull::new(ptr).expect("a live object is not NULL"));
        // SAFETY: the caller guarantees a live object and the GIL.
        unsafe { ffi::Py_INCREF(ptr) };
        owned
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
        self.borrow().new_ref()
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
        Borrowed(NonNull::new(ptr).expect("a live object is not NULL"), PhantomData)
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

    /// The object's type (`Py_TYPE`), borrowed: the instance keeps its type alive.
    #[inline]
    pub fn type_ptr(self) -> *mut ffi::PyTypeObject {
        // SAFETY: reading `ob_type` of a live object.
        unsafe { ffi::Py_TYPE(self.as_ptr()) }
    }

    /// The object's type as an object (`type(obj)`), borrowed for as long as the object.
    #[inline]
    pub fn get_type(self) -> Borrowed<'a> {
        // SAFETY: a live object's type is a live object that the instance keeps alive.
        unsafe { Borrowed::from_ptr(self.type_ptr().cast()) }
    }

    /// `tp_basicsize` of the object's type: the size of its fixed part in bytes.
    #[inline]
    pub fn type_basicsize(self) -> usize {
        // SAFETY: the type of a live object is a live, ready type object.
        unsafe { (*self.type_ptr()).tp_basicsize as usize }
    }

    /// Is the object's type exactly `ty` (`Py_IS_TYPE`)?
    #[inline]
    fn is_type_exactly(self, ty: *const ffi::PyTypeObject) -> bool {
        std::ptr::eq(self.type_ptr(), ty)
    }

    /// The type's flags (`PyType_GetFlags`, which reads them atomically where other threads
    /// may update them, on free-threaded builds).
    #[inline]
    fn type_flags(self) -> std::os::raw::c_ulong {
        // SAFETY: the type of a live object is a live type object.
        unsafe { ffi::PyType_GetFlags(self.type_ptr()) }
    }

    /// `PyLong_CheckExact`: an `int`, not a subclass.
    #[inline]
    pub fn is_exact_int(self) -> bool {
        self.is_type_exactly(&raw const ffi::PyLong_Type)
    }

    /// `PyIndex_Check`: does the type have `__index__` (an integer for `operator.index`)?
    #[inline]
    pub fn has_index(self) -> bool {
        // SAFETY: the check reads the type's `nb_index` slot of a live object.
        unsafe { ffi::PyIndex_Check(self.as_ptr()) != 0 }
    }

    /// `PyList_CheckExact`: a `list`, not a subclass.
    #[inline]
    pub fn is_exact_list(self) -> bool {
        self.is_type_exactly(&raw const ffi::PyList_Type)
    }

    /// `PyTuple_CheckExact`: a `tuple`, not a subclass.
    #[inline]
    pub fn is_exact_tuple(self) -> bool {
        self.is_type_exactly(&raw const ffi::PyTuple_Type)
    }

    /// `PyUnicode_Check`: a `str` or a subclass (the flag every str type carries).
    #[inline]
    pub fn is_str(self) -> bool {
        self.type_flags() & ffi::Py_TPFLAGS_UNICODE_SUBCLASS != 0
    }

    /// `PyType_Check`: a type object (a class).
    #[inline]
    pub fn is_type(self) -> bool {
        self.type_flags() & ffi::Py_TPFLAGS_TYPE_SUBCLASS != 0
    }

    /// `PyDict_Check`: a `dict` or a subclass.
    #[inline]
    pub fn is_dict(self) -> bool {
        self.type_flags() & ffi::Py_TPFLAGS_DICT_SUBCLASS != 0
    }

    /// `obj is None`.
    #[inline]
    pub fn is_none(self) -> bool {
        self.as_ptr() == none_borrowed().as_ptr()
    }

    /// What `iter(obj)` accepts without calling anything: a `tp_iter` slot, or the old
    /// sequence protocol (`__getitem__`).
    #[inline]
    pub fn is_iterable(self) -> bool {
        // SAFETY: reads a slot of the type of a live object.
        let tp_iter = unsafe { (*self.type_ptr()).tp_iter };
        // SAFETY: the check reads the type slots of a live object.
        tp_iter.is_some() || unsafe { ffi::PySequence_Check(self.as_ptr()) != 0 }
    }

    /// `issubclass(self, base)` for two classes (`PyType_IsSubtype`, which reads the MRO and
    /// calls nothing); false when either is not a class.
    pub fn is_subclass_of(self, base: Borrowed) -> bool {
        // SAFETY: both are live type objects (checked); the call only reads their MROs.
        self.is_type()
            && base.is_type()
            && unsafe { ffi::PyType_IsSubtype(self.as_ptr().cast(), base.as_ptr().cast()) != 0 }
    }

    /// For a `str`: does it equal the ASCII `text`? Reads the characters; calls no method
    /// (not even a subclass's), neither fails nor allocates. False for a non-str.
    pub fn str_equals_ascii(self, text: &CStr) -> bool {
        // SAFETY: `self` is a live str (checked) and `text` NUL-terminated ASCII.
        self.is_str() && unsafe { ffi::PyUnicode_CompareWithASCIIString(self.as_ptr(), text.as_ptr()) == 0 }
    }

    /// The length of an exact list or tuple (`PySequence_Fast_GET_SIZE`), None otherwise.
    #[inline]
    pub fn exact_list_or_tuple_len(self) -> Option<usize> {
        // SAFETY: the macro reads the size field of a live list or tuple (checked).
        (self.is_exact_list() || self.is_exact_tuple())
            .then(|| unsafe { ffi::PySequence_Fast_GET_SIZE(self.as_ptr()) } as usize)
    }

    /// Item `i` of an exact list or tuple as a new reference (`PySequence_Fast_GET_ITEM`
    /// plus `Py_INCREF`), or None out of range or for another type. Owning it at once means
    /// that code run later (an item's `__index__` may shrink the list) cannot free it.
    #[inline]
    pub fn exact_list_or_tuple_item(self, i: usize) -> Option<Owned> {
        let len = self.exact_list_or_tuple_len()?;
        if i >= len {
            return None;
        }
        // SAFETY: `i` is within the current length of a live list or tuple, whose slots up
        // to it hold non-NULL references.
        let item = unsafe { ffi::PySequence_Fast_GET_ITEM(self.as_ptr(), i as ffi::Py_ssize_t) };
        // SAFETY: a borrowed reference from the sequence, owned at once (before anything else
        // runs that could remove it).
        Some(unsafe { Owned::from_borrowed_ptr(item) })
    }

    /// The items of a tuple (or a tuple subclass's instance), borrowed for as long as the
    /// tuple: a tuple never changes its items. None for any other object.
    pub fn tuple_items(self) -> Option<&'a [Borrowed<'a>]> {
        if self.type_flags() & ffi::Py_TPFLAGS_TUPLE_SUBCLASS == 0 {
            return None;
        }
        // SAFETY: reads the size field of a live tuple.
        let len = unsafe { ffi::PyTuple_GET_SIZE(self.as_ptr()) } as usize;
        // SAFETY: the address of a live tuple's item array (`ob_item`).
        let items = unsafe { ffi::PySequence_Fast_ITEMS(self.as_ptr()) };
        // SAFETY: the array holds `len` non-NULL references, which live as long as the tuple.
        Some(unsafe { borrowed_array(items, len) })
    }

    /// `type(obj).__name__`, for error messages and `repr`.
    pub fn type_name(self) -> String {
        // SAFETY: reads a field of the type of a live object.
        let name = unsafe { (*self.type_ptr()).tp_name };
        // SAFETY: a live type's `tp_name` is a NUL-terminated C string that lives as long as
        // the type.
        let full = unsafe { CStr::from_ptr(name) }.to_string_lossy();
        let flags = self.type_flags();
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

/// A new reference to `None` (`Py_RETURN_NONE`). Counted like any other reference: on 3.11
/// the increment and the later decrement change `ob_refcnt`; from 3.12 None is immortal
/// (PEP 683) and both leave it as it is.
pub fn none() -> Owned {
    none_borrowed().new_ref()
}

/// `None`, borrowed: the singleton lives as long as the interpreter.
fn none_borrowed() -> Borrowed<'static> {
    // SAFETY: `Py_None` only takes the address of the None singleton (or reads the
    // interpreter's reference to it).
    let none = unsafe { ffi::Py_None() };
    // SAFETY: the singleton is always alive.
    unsafe { Borrowed::from_ptr(none) }
}

/// A new reference to `True` or `False` (`PyBool_FromLong`, which cannot fail).
pub fn boolean(b: bool) -> Owned {
    // SAFETY: PyBool_FromLong returns a new, non-NULL reference to one of the two bools.
    let raw = unsafe { ffi::PyBool_FromLong(std::os::raw::c_long::from(b)) };
    Owned(NonNull::new(raw).expect("PyBool_FromLong does not fail"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::capi::testing::with_python;

    /// A fresh object that no cache shares, so its count is ours to observe.
    pub(crate) fn fresh() -> Owned {
        crate::capi::object_calls::new_list(Vec::new()).expect("an empty list")
    }

    /// The object's reference count, as `sys.getrefcount` reports it (called from C with a
    /// borrowed argument, which adds no count).
    pub(crate) fn refcnt(o: &Owned) -> isize {
        use crate::capi::object_calls::{call_method, import};
        let sys = import(c"sys").unwrap();
        let n = call_method(sys.borrow(), c"getrefcount", &[o.borrow()], None).unwrap();
        crate::capi::exact_int::ExactInt::new(n.borrow()).and_then(|n| n.to_i64()).unwrap() as isize
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
            let again = view;
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
            let back = unsafe { Owned::from_owned_ptr_or_opt(raw) }.expect("non-NULL");
            drop(back);
            assert_eq!(refcnt(&keep), 1);
        });
    }
}
