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
//! Where lucas calls CPython, the C functions that hand out or take over references are
//! declared with these types (`typed_ffi.rs`): `-> Option<Owned>` is a new reference or NULL,
//! an `Owned` argument is stolen. Where CPython calls lucas, a slot receives raw pointers:
//! `Borrowed::from_ptr` views an argument as borrowed, and `into_ptr` gives a new reference
//! away as the slot's return value. The one count change made by hand is [`Borrowed::new_ref`]
//! (`Py_INCREF`), and the one release is `Owned`'s `Drop` (`Py_DECREF`).
//!
//! The GIL: every reference here is created inside a call from the interpreter, which holds
//! the GIL for the whole call, and both types are `!Send` (they hold a `NonNull`), so none can
//! outlive that call on another thread. `lucas` never releases the GIL, so "a reference
//! exists" implies "the GIL is held", which is what `Py_INCREF`/`Py_DECREF` require.

use crate::capi::typed_ffi as typed;
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
    // ANCHOR: from_ptr
    /// Wraps a borrowed pointer, e.g. a slot's `self` or an argument.
    ///
    /// # Safety
    /// `ptr` is non-NULL and some owner keeps the object alive for `'a`; the GIL is held.
    #[inline]
    pub unsafe fn from_ptr(ptr: *mut ffi::PyObject) -> Borrowed<'a> {
        Borrowed(NonNull::new(ptr).expect("a live object is not NULL"), PhantomData)
    }
    // ANCHOR_END: from_ptr

    /// The pointer, still borrowed.
    #[inline]
    pub fn as_ptr(self) -> *mut ffi::PyObject {
        self.0.as_ptr()
    }

    /// A new reference to the same object (`Py_NewRef`: `Py_INCREF`, then own it). Named
    /// after CPython's function rather than `to_owned`, which `ToOwned` would shadow on a
    /// `&Borrowed`.
    // ANCHOR: new_ref
    #[inline]
    pub fn new_ref(self) -> Owned {
        // SAFETY: the object is alive for `'a` and the GIL is held; the count added here is
        // the one the new `Owned` gives back.
        unsafe { ffi::Py_INCREF(self.as_ptr()) };
        Owned(self.0)
    }
    // ANCHOR_END: new_ref

    /// The object's type (`Py_TYPE`), borrowed: the instance keeps its type alive.
    #[inline]
    pub fn type_ptr(self) -> *mut ffi::PyTypeObject {
        // SAFETY: reading `ob_type` of a live object.
        unsafe { ffi::Py_TYPE(self.as_ptr()) }
    }

    /// The object's type as an object (`type(obj)`), borrowed for as long as the object: an
    /// instance keeps its type alive.
    #[inline]
    pub fn get_type(self) -> Borrowed<'a> {
        Borrowed(NonNull::new(self.type_ptr().cast()).expect("an object has a type"), PhantomData)
    }

    /// Reads a field of the object's type (`Py_TYPE(obj)->field`), e.g.
    /// `obj.type_field(|t| t.tp_free)`.
    #[inline]
    pub fn type_field<R>(self, field: fn(&ffi::PyTypeObject) -> R) -> R {
        // SAFETY: the type of a live object is a live, ready type object. The reference lives
        // only while `field` copies a value out: no C code runs meanwhile that could change the
        // type (with the GIL held; on a free-threaded build the fields that change are atomics),
        // and `R` cannot borrow from it (it is one type for every lifetime of the reference).
        field(unsafe { &*self.type_ptr() })
    }

    /// `tp_basicsize` of the object's type: the size of its fixed part in bytes.
    #[inline]
    pub fn type_basicsize(self) -> usize {
        self.type_field(|t| t.tp_basicsize) as usize
    }

    /// Is the object's type exactly `ty` (`Py_IS_TYPE`)?
    #[inline]
    fn is_type_exactly(self, ty: *const ffi::PyTypeObject) -> bool {
        std::ptr::eq(self.type_ptr(), ty)
    }

    /// The type's flags (`PyType_GetFlags`), read atomically on a free-threaded build, where
    /// other threads may update them.
    #[inline]
    fn type_flags(self) -> std::os::raw::c_ulong {
        #[cfg(not(Py_GIL_DISABLED))]
        return self.type_field(|t| t.tp_flags);
        #[cfg(Py_GIL_DISABLED)]
        return self.type_field(|t| t.tp_flags.load(std::sync::atomic::Ordering::Relaxed));
    }

    /// `PyLong_CheckExact`: an `int`, not a subclass.
    #[inline]
    pub fn is_exact_int(self) -> bool {
        self.is_type_exactly(&raw const ffi::PyLong_Type)
    }

    /// Reads a field of one of the type's tables of slots (`tp_as_number`,
    /// `tp_as_sequence`, ...), e.g. `obj.type_table_field(|t| t.tp_as_number, |n| n.nb_index)`;
    /// None if the type has no such table.
    #[inline]
    fn type_table_field<S, R>(self, table: fn(&ffi::PyTypeObject) -> *mut S, field: fn(&S) -> R) -> Option<R> {
        let table = self.type_field(table);
        // SAFETY: a type's table of slots, where it has one, lives as long as the type (a
        // static next to a static type, part of the object of a heap type), and is read as
        // `type_field` reads the type.
        (!table.is_null()).then(|| field(unsafe { &*table }))
    }

    /// `PyIndex_Check`: does the type have `__index__` (an integer for `operator.index`)?
    #[inline]
    pub fn has_index(self) -> bool {
        self.type_table_field(|t| t.tp_as_number, |n| n.nb_index.is_some()) == Some(true)
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
        self.as_ptr() == Static::None.borrowed().as_ptr()
    }

    /// What `iter(obj)` accepts without calling anything: a `tp_iter` slot, or the old
    /// sequence protocol (`__getitem__`).
    #[inline]
    pub fn is_iterable(self) -> bool {
        // `PySequence_Check`: `sq_item`, and not a dict (whose `__getitem__` takes keys).
        self.type_field(|t| t.tp_iter.is_some())
            || (!self.is_dict() && self.type_table_field(|t| t.tp_as_sequence, |s| s.sq_item.is_some()) == Some(true))
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

    /// `ob_size` of a list or tuple (`Py_SIZE`): its length. None for any other object.
    #[inline(always)]
    fn list_or_tuple_size(self) -> Option<usize> {
        let is_list_or_tuple = self.is_exact_list()
            || self.is_exact_tuple()
            || self.type_flags() & (ffi::Py_TPFLAGS_LIST_SUBCLASS | ffi::Py_TPFLAGS_TUPLE_SUBCLASS) != 0;
        // SAFETY: a list or tuple is a variable-size object (`PyVarObject`), whose `ob_size`
        // is its length.
        is_list_or_tuple.then(|| unsafe { ffi::Py_SIZE(self.as_ptr()) } as usize)
    }

    /// The length of an exact list or tuple (`PySequence_Fast_GET_SIZE`), None otherwise.
    #[inline(always)]
    pub fn exact_list_or_tuple_len(self) -> Option<usize> {
        if !self.is_exact_list() && !self.is_exact_tuple() {
            return None;
        }
        self.list_or_tuple_size()
    }

    /// Item `i` of an exact list or tuple as a new reference, or None out of range or for
    /// another type. Owning it at once means that code run later (an item's `__index__` may
    /// shrink the list) cannot free it.
    #[inline]
    pub fn exact_list_or_tuple_item(self, i: usize) -> Option<Owned> {
        let len = self.exact_list_or_tuple_len()?;
        // SAFETY: reads `ob_item` of a live list or tuple.
        let items = unsafe { ffi::PySequence_Fast_ITEMS(self.as_ptr()) };
        // SAFETY: the array holds the `len` items right now, non-NULL references; the view
        // lives only while item `i` is owned, before any code runs that could change a list.
        unsafe { borrowed_array(items, len) }.get(i).map(|item| item.new_ref())
    }

    /// The items of a tuple (or a tuple subclass's instance), borrowed for as long as the
    /// tuple: a tuple never changes its items. None for any other object.
    pub fn tuple_items(self) -> Option<&'a [Borrowed<'a>]> {
        if self.type_flags() & ffi::Py_TPFLAGS_TUPLE_SUBCLASS == 0 {
            return None;
        }
        let len = self.list_or_tuple_size()?;
        // The item array `ob_item` is part of the tuple object (pointer arithmetic only).
        let items = self.as_ptr().cast::<u8>().wrapping_add(std::mem::offset_of!(ffi::PyTupleObject, ob_item));
        // SAFETY: the array holds `len` non-NULL references, which live as long as the tuple.
        Some(unsafe { borrowed_array(items.cast(), len) })
    }

    /// `type(obj).__name__`, for error messages and `repr`.
    pub fn type_name(self) -> String {
        let name = self.type_field(|t| t.tp_name);
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

/// The objects the interpreter allocates statically, for as long as it runs.
#[derive(Clone, Copy)]
enum Static {
    None,
    True,
    False,
    /// The type `int`.
    Int,
}

impl Static {
    /// The object, borrowed. Only its address is taken (a link-time constant), nothing is
    /// read: no unsafe operation is involved.
    fn borrowed(self) -> Borrowed<'static> {
        let address = match self {
            Static::None => &raw const typed::_Py_NoneStruct,
            Static::True => &raw const typed::_Py_TrueStruct,
            Static::False => &raw const typed::_Py_FalseStruct,
            Static::Int => (&raw const ffi::PyLong_Type).cast(),
        }
        .cast_mut();
        Borrowed(NonNull::new(address).expect("a static is not at address 0"), PhantomData)
    }
}

/// A new reference to `None` (`Py_RETURN_NONE`). Counted like any other reference: on 3.11
/// the increment and the later decrement change `ob_refcnt`; from 3.12 None is immortal
/// (PEP 683) and both leave it as it is.
pub fn none() -> Owned {
    Static::None.borrowed().new_ref()
}

/// A new reference to `True` or `False` (`Py_RETURN_TRUE`, `Py_RETURN_FALSE`).
pub fn boolean(b: bool) -> Owned {
    if b { Static::True } else { Static::False }.borrowed().new_ref()
}

/// The type `int`, borrowed.
pub fn int_type() -> Borrowed<'static> {
    Static::Int.borrowed()
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
    fn into_ptr_gives_the_count_away() {
        with_python(|| {
            let a = fresh();
            let keep = a.clone();
            let raw = a.into_ptr();
            assert_eq!(refcnt(&keep), 2, "into_ptr did not decref");
            // SAFETY: `raw` is the count `into_ptr` gave away, given back here.
            unsafe { ffi::Py_DECREF(raw) };
            assert_eq!(refcnt(&keep), 1);
        });
    }
}
