//! A static type whose instances carry a Rust value: the instance layout, allocation, the
//! typed `self` of a slot, and deallocation (CPython docs, "Defining Extension Types:
//! Tutorial", "Type Objects", and "Weak Reference Support").
//!
//! An instance is a C struct, [`PyClassObject<T>`]: the `PyObject` header CPython needs, the
//! list of weak references to it, and an ordinary Rust value `T` that [`allocate`] writes in
//! one piece and [`tp_dealloc`] drops in one piece, so every field is owned by a Rust type and
//! freed by its `Drop`. The names follow PyO3's (`PyClassObject`, `PyRef`).
//!
//! The slots and methods of such a type are safe functions on a typed `self` ([`PyRef`]),
//! given to CPython through one generic `extern "C"` entry point per calling convention
//! ([`slot`], [`noargs`], [`meth_o`], [`getter`]), as the module functions are
//! (`method_def.rs`): the raw `self` becomes a `PyRef` there, and the panic guard runs there.
//!
//! Subclasses: a Python subclass may append a `__dict__`, `__slots__` or a GC header to this
//! layout; it allocates through its own `tp_alloc` and frees through its own `tp_free`
//! (`PyObject_GC_Del` when `type.__new__` made it GC-tracked), which is why both are looked up
//! on the object's actual type.

use crate::capi::boundary::{guard, guard_void};
use crate::capi::critical_section::with_object_locked;
use crate::capi::error::{PyErr, PyResult};
use crate::capi::refs::{Borrowed, Owned};
use crate::capi::static_cell::StaticCell;
use crate::capi::typed_ffi as typed;
use pyo3_ffi as ffi;
use std::ffi::c_void;
use std::marker::PhantomData;
use std::mem::offset_of;
use std::ptr;

/// A Rust type whose values live inside instances of a static type object. That type has
/// no `Py_TPFLAGS_HAVE_GC` (its subclasses may): [`allocate`] makes its own instances with
/// `PyObject_New`, which adds no GC header.
pub trait PyClass: Sized {
    /// The type object (`LucasIter_Type` in C), readied by module init.
    fn static_type() -> &'static StaticCell<ffi::PyTypeObject>;
}

// ANCHOR: instance_layout
/// The instance layout of a [`PyClass`]: `tp_basicsize` is its size.
#[repr(C)]
pub struct PyClassObject<T> {
    ob_base: ffi::PyObject,
    contents: Contents<T>,
}

/// Everything after the header, written at allocation and dropped in place at deallocation.
#[repr(C)]
struct Contents<T> {
    /// The weak references to the instance (`tp_weaklistoffset` points here); CPython keeps
    /// the list, lucas only starts it empty and clears it before the instance goes.
    weaklist: *mut ffi::PyObject,
    value: T,
}
// ANCHOR_END: instance_layout

impl<T> Drop for Contents<T> {
    /// Runs before the fields are dropped, so weak references die before the object's value
    /// (their callbacks may run now, and see a dead reference), as `tp_weaklistoffset` types
    /// must arrange.
    fn drop(&mut self) {
        if !self.weaklist.is_null() {
            // Only CPython fills in the list, and only in a live instance: these contents
            // are then an object's, whose header lies just before them (pointer arithmetic).
            let obj = (self as *mut Self).cast::<u8>().wrapping_sub(offset_of!(PyClassObject<T>, contents));
            // SAFETY: `obj` is the instance being deallocated, still allocated, with its
            // reference count at zero and its weak-reference list intact.
            unsafe { ffi::PyObject_ClearWeakRefs(obj.cast()) };
        }
    }
}

impl<T> PyClassObject<T> {
    /// `tp_basicsize`.
    pub const BASICSIZE: ffi::Py_ssize_t = std::mem::size_of::<PyClassObject<T>>() as ffi::Py_ssize_t;
    /// `tp_weaklistoffset`.
    pub const WEAKLIST_OFFSET: ffi::Py_ssize_t =
        (offset_of!(PyClassObject<T>, contents) + offset_of!(Contents<T>, weaklist)) as ffi::Py_ssize_t;

    /// The address of an instance's contents (pointer arithmetic only: nothing is read).
    fn contents(obj: *mut ffi::PyObject) -> *mut Contents<T> {
        obj.cast::<u8>().wrapping_add(offset_of!(PyClassObject<T>, contents)).cast()
    }
}

/// The type object of `T` as an object, e.g. to compare a class with.
pub fn type_object<T: PyClass>() -> Borrowed<'static> {
    // SAFETY: a static type object lives for the whole process.
    unsafe { Borrowed::from_ptr(T::static_type().get().cast()) }
}

/// Readies the static type (`PyType_Ready` fills in its inherited slots; idempotent).
pub fn ready<T: PyClass>() -> PyResult<()> {
    // SAFETY: the type object is a static that lives forever; module init holds the GIL.
    if unsafe { ffi::PyType_Ready(T::static_type().get()) } < 0 {
        return Err(PyErr::fetch());
    }
    Ok(())
}

/// An all-zero type object, what a C static initialiser leaves in the fields it omits;
/// the caller fills in the rest.
pub const fn zeroed_type_object() -> ffi::PyTypeObject {
    // SAFETY: all-zero bytes are a valid PyTypeObject (NULL pointers, None slots, zero sizes
    // and flags).
    unsafe { std::mem::zeroed() }
}

/// A type that is `T`'s type or a subclass of it: its instances have `T`'s layout (a
/// subclass only appends to it).
pub struct Subtype<'a, T> {
    ty: Borrowed<'a>,
    _value: PhantomData<fn() -> T>,
}

impl<'a, T: PyClass> Subtype<'a, T> {
    /// `ty` if it is `T`'s type or a subclass of it.
    pub fn new(ty: Borrowed<'a>) -> Option<Subtype<'a, T>> {
        ty.is_subclass_of(type_object::<T>()).then_some(Subtype { ty, _value: PhantomData })
    }

    /// `T`'s own type.
    pub fn exact() -> Subtype<'static, T> {
        Subtype { ty: type_object::<T>(), _value: PhantomData }
    }
}

// ANCHOR: allocate
/// A new instance of `ty` holding `value`. Everything fallible about the value happened
/// before, so `tp_dealloc` never sees a half-built object.
pub fn allocate<T: PyClass>(ty: Subtype<T>, value: T) -> PyResult<Owned> {
    let exact = ty.ty.as_ptr() == type_object::<T>().as_ptr();
    let ty = ty.ty.as_ptr().cast::<ffi::PyTypeObject>();
    let obj = if exact {
        // SAFETY: `T`'s own type, ready and without GC (the `PyClass` contract), whose
        // `tp_free` (`PyObject_Free`) pairs with the `PyObject_Malloc` of `PyObject_New`: a
        // new reference with its header set, or NULL (MemoryError).
        unsafe { typed::_PyObject_New(ty) }
    } else {
        // SAFETY: a ready subclass of `T`'s type. `PyType_GenericNew` calls its `tp_alloc`,
        // which zeroes the memory and prepares what the subclass appends (`__dict__`,
        // `__slots__`, the GC header, tracked): a new reference or NULL (MemoryError).
        unsafe { typed::PyType_GenericNew(ty, None, None) }
    };
    let obj = obj.ok_or_else(PyErr::fetch)?;
    let contents = Contents { weaklist: ptr::null_mut(), value };
    // SAFETY: the allocation has `T`'s layout, and nothing reads its contents before this
    // write, which does not read them either.
    unsafe { PyClassObject::<T>::contents(obj.as_ptr()).write(contents) };
    Ok(obj)
}
// ANCHOR_END: allocate

// ANCHOR: tp_dealloc
/// `tp_dealloc`: clears the weak references, drops the Rust value, then frees the memory
/// with the allocator of the object's *actual* type (`tp_free`).
///
/// # Safety
/// CPython calls it once, when the last reference to an instance of `T`'s type (or a
/// subclass) goes.
pub unsafe extern "C" fn tp_dealloc<T: PyClass>(obj: *mut ffi::PyObject /* borrowed, last reference */) {
    guard_void(|| {
        // SAFETY: the object is still allocated (its memory is freed below, and this view is
        // not used afterwards).
        let this = unsafe { Borrowed::from_ptr(obj) };
        // Dropped where it lies, weak references first (`Contents`'s `Drop`); a move out
        // (`ptr::read`) would copy the whole value before the call that clears them.
        // SAFETY: the refcount reached zero, so nothing else can reach `obj`; its contents
        // were written by `allocate` and are dropped exactly once, here.
        unsafe { ptr::drop_in_place(PyClassObject::<T>::contents(obj)) };
        let free = this.type_field(|t| t.tp_free).expect("PyType_Ready sets tp_free");
        // SAFETY: `obj` came from the allocator `tp_free` pairs with (the type's own
        // `tp_alloc`) and its contents are dropped.
        unsafe { free(obj.cast()) };
        Ok(())
    })
}
// ANCHOR_END: tp_dealloc

// ANCHOR: pyref
// ANCHOR: pyref_struct
/// A slot's `self`: a live instance of `T`'s type (or a subclass) and its Rust value,
/// borrowed for the slot call.
pub struct PyRef<'a, T> {
    obj: Borrowed<'a>,
    value: &'a T,
}
// ANCHOR_END: pyref_struct

impl<T> Clone for PyRef<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for PyRef<'_, T> {}

impl<'a, T: PyClass> PyRef<'a, T> {
    // ANCHOR: from_slot
    /// The typed `self` of a slot or method.
    ///
    /// # Safety
    /// `obj` is a live instance of `T`'s type or a subclass of it (CPython checks that before
    /// calling a slot or a method descriptor), borrowed for `'a`, and the calling thread is
    /// attached to the interpreter.
    #[inline(always)]
    pub unsafe fn from_slot(obj: *mut ffi::PyObject) -> PyRef<'a, T> {
        // SAFETY: per the contract, `obj` is live and its contents were written by `allocate`.
        let contents = unsafe { &*PyClassObject::<T>::contents(obj) };
        // SAFETY: per the contract, `obj` is live for `'a`.
        PyRef { obj: unsafe { Borrowed::from_ptr(obj) }, value: &contents.value }
    }
    // ANCHOR_END: from_slot

    /// The object itself.
    #[inline]
    pub fn object(self) -> Borrowed<'a> {
        self.obj
    }

    /// The Rust value, for what needs no lock (fields that never change after allocation).
    #[inline]
    pub fn get(self) -> &'a T {
        self.value
    }

    /// Runs `f` on the value inside the object's critical section (free-threaded builds;
    /// with the GIL, the GIL already serialises every slot).
    #[inline(always)]
    pub fn locked<R>(self, f: impl FnOnce(&'a T) -> R) -> R {
        with_object_locked(self.obj, || f(self.value))
    }
}
// ANCHOR_END: pyref

// ANCHOR: slot_traits
/// A slot or method of `T` that takes only `self`: `tp_iternext`, `tp_repr`, a
/// `METH_NOARGS` method or a getter. Its result is the slot's new reference.
pub trait Method<T> {
    fn call(this: PyRef<'_, T>) -> PyResult<Owned>;
}

/// A `METH_O` method of `T`: `self` and one argument, borrowed for the call.
pub trait MethodO<T> {
    fn call(this: PyRef<'_, T>, arg: Borrowed<'_>) -> PyResult<Owned>;
}
// ANCHOR_END: slot_traits

// ANCHOR: slot
/// The C entry point of a slot `PyObject *f(PyObject *self)` (`tp_iternext`, `tp_repr`):
/// `M::call` on the typed `self`, inside the panic guard.
///
/// # Safety
/// CPython calls a type's slots only with a live instance of that type or a subclass,
/// borrowed for the call, on an attached thread.
pub unsafe extern "C" fn slot<T: PyClass, M: Method<T>>(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
    guard(ptr::null_mut(), || {
        // SAFETY: per this function's contract.
        M::call(unsafe { PyRef::from_slot(obj) }).map(Owned::into_ptr)
    })
}
// ANCHOR_END: slot

/// The C entry point of a `METH_NOARGS` method (`PyObject *f(PyObject *self, NULL)`).
///
/// # Safety
/// Method descriptors check that `self` is an instance of the type (or a subclass) before
/// calling; it is live and borrowed for the call, on an attached thread.
pub unsafe extern "C" fn noargs<T: PyClass, M: Method<T>>(
    obj: *mut ffi::PyObject,
    _: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    guard(ptr::null_mut(), || {
        // SAFETY: per this function's contract.
        M::call(unsafe { PyRef::from_slot(obj) }).map(Owned::into_ptr)
    })
}

/// The C entry point of a `METH_O` method (`PyObject *f(PyObject *self, PyObject *arg)`).
///
/// # Safety
/// As [`noargs`], and `arg` is a live object borrowed for the call.
pub unsafe extern "C" fn meth_o<T: PyClass, M: MethodO<T>>(
    obj: *mut ffi::PyObject,
    arg: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    guard(ptr::null_mut(), || {
        // SAFETY: per this function's contract.
        let this = unsafe { PyRef::from_slot(obj) };
        // SAFETY: per this function's contract.
        M::call(this, unsafe { Borrowed::from_ptr(arg) }).map(Owned::into_ptr)
    })
}

/// The C entry point of a getter (`PyObject *get(PyObject *self, void *closure)`); a getset
/// entry without a setter makes the attribute read-only (CPython's descriptor raises
/// AttributeError on assignment).
///
/// # Safety
/// Getset descriptors check that `self` is an instance of the type (or a subclass) before
/// calling; it is live and borrowed for the call, on an attached thread.
pub unsafe extern "C" fn getter<T: PyClass, M: Method<T>>(
    obj: *mut ffi::PyObject,
    _closure: *mut c_void,
) -> *mut ffi::PyObject {
    guard(ptr::null_mut(), || {
        // SAFETY: per this function's contract.
        M::call(unsafe { PyRef::from_slot(obj) }).map(Owned::into_ptr)
    })
}
