//! The C-API calls that make or read objects and can fail: tuples, strs, attributes,
//! iteration, method calls. They sit above both `refs.rs` (they hand out `Owned`) and
//! `error.rs` (a failed call becomes a `PyErr`).
//!
//! Most C functions used here return a *new reference*, or NULL with an exception set. The
//! ones of the same signature are called in one place each ([`unary`], [`binary`], [`named`]),
//! so that contract is stated and relied on once per signature.

use crate::capi::error::{PyErr, PyResult};
use crate::capi::refs::{Borrowed, Owned};
use pyo3_ffi as ffi;
use std::ffi::CStr;

/// C functions of the form `PyObject *f(PyObject *)` that return a new reference or NULL
/// with an exception set.
#[derive(Clone, Copy)]
pub enum Unary {
    /// `iter(obj)`.
    GetIter,
    /// `str(obj)`.
    Str,
    /// `list(iterable)`.
    List,
    /// `operator.index(obj)`.
    Index,
    /// `-obj`.
    Negative,
    /// `list(d.items())` for a dict.
    DictItems,
}

/// `f(obj)` for one of the [`Unary`] functions.
#[inline]
pub fn unary(f: Unary, obj: Borrowed) -> PyResult<Owned> {
    let f: unsafe extern "C" fn(*mut ffi::PyObject) -> *mut ffi::PyObject = match f {
        Unary::GetIter => ffi::PyObject_GetIter,
        Unary::Str => ffi::PyObject_Str,
        Unary::List => ffi::PySequence_List,
        Unary::Index => ffi::PyNumber_Index,
        Unary::Negative => ffi::PyNumber_Negative,
        Unary::DictItems => ffi::PyDict_Items,
    };
    // SAFETY: `obj` is live and borrowed for the call; the GIL is held.
    let raw = unsafe { f(obj.as_ptr()) };
    // SAFETY: each of these functions returns a new reference or NULL with an exception set.
    unsafe { Owned::from_owned_ptr_or_err(raw) }
}

/// C functions of the form `PyObject *f(PyObject *, PyObject *)` that return a new
/// reference or NULL with an exception set.
#[derive(Clone, Copy)]
pub enum Binary {
    Add,
    Subtract,
    Multiply,
    /// `a % b` (Python's floor modulo).
    Remainder,
    /// `getattr(obj, name)`.
    GetAttr,
}

/// `f(a, b)` for one of the [`Binary`] functions.
#[inline]
pub fn binary(f: Binary, a: Borrowed, b: Borrowed) -> PyResult<Owned> {
    let f: unsafe extern "C" fn(*mut ffi::PyObject, *mut ffi::PyObject) -> *mut ffi::PyObject = match f {
        Binary::Add => ffi::PyNumber_Add,
        Binary::Subtract => ffi::PyNumber_Subtract,
        Binary::Multiply => ffi::PyNumber_Multiply,
        Binary::Remainder => ffi::PyNumber_Remainder,
        Binary::GetAttr => ffi::PyObject_GetAttr,
    };
    // SAFETY: both objects are live and borrowed for the call; the GIL is held.
    let raw = unsafe { f(a.as_ptr(), b.as_ptr()) };
    // SAFETY: each of these functions returns a new reference or NULL with an exception set.
    unsafe { Owned::from_owned_ptr_or_err(raw) }
}

/// C functions that take a NUL-terminated name and return a new reference or NULL with an
/// exception set.
#[derive(Clone, Copy)]
enum Named {
    /// `PyUnicode_InternFromString`.
    Intern,
    /// `PyImport_ImportModule`.
    Import,
}

fn named(f: Named, name: &CStr) -> PyResult<Owned> {
    let f: unsafe extern "C" fn(*const std::ffi::c_char) -> *mut ffi::PyObject = match f {
        Named::Intern => ffi::PyUnicode_InternFromString,
        Named::Import => ffi::PyImport_ImportModule,
    };
    // SAFETY: `name` is NUL-terminated and outlives the call, which copies what it keeps.
    let raw = unsafe { f(name.as_ptr()) };
    // SAFETY: both functions return a new reference or NULL with an exception set.
    unsafe { Owned::from_owned_ptr_or_err(raw) }
}

// ANCHOR: new_tuple
/// A new tuple holding `items` (`PyTuple_New` + `PyTuple_SET_ITEM`, which *steals* a
/// reference: each item's count moves into the tuple through `into_ptr`).
pub fn new_tuple(items: Vec<Owned>) -> PyResult<Owned> {
    // SAFETY: PyTuple_New only allocates.
    let raw = unsafe { ffi::PyTuple_New(items.len() as ffi::Py_ssize_t) };
    // SAFETY: PyTuple_New returns a new reference (or NULL with MemoryError).
    let tuple = unsafe { Owned::from_owned_ptr_or_err(raw) }?;
    for (i, item) in items.into_iter().enumerate() {
        // SAFETY: `tuple` is a fresh tuple of the right size whose slot `i` is still empty,
        // so stealing `item`'s count leaks nothing and overwrites nothing.
        unsafe { ffi::PyTuple_SET_ITEM(tuple.as_ptr(), i as ffi::Py_ssize_t, item.into_ptr()) };
    }
    Ok(tuple)
}
// ANCHOR_END: new_tuple

/// A new list holding `items`.
pub fn new_list(items: Vec<Owned>) -> PyResult<Owned> {
    unary(Unary::List, new_tuple(items)?.borrow())
}

/// An interned str. Method names are interned: CPython's method cache keeps a reference to
/// the name it was last looked up with, so a fresh string per call would keep one stray
/// object alive per call site (the debug interpreter's block count shows it).
pub fn interned(name: &CStr) -> PyResult<Owned> {
    named(Named::Intern, name)
}

/// `import name` (`PyImport_ImportModule`): the module, from `sys.modules` when it is there.
pub fn import(name: &CStr) -> PyResult<Owned> {
    named(Named::Import, name)
}

/// `getattr(obj, name)`.
pub fn getattr(obj: Borrowed, name: &CStr) -> PyResult<Owned> {
    binary(Binary::GetAttr, obj, interned(name)?.borrow())
}

/// `obj.name(*args, **dict(zip(kwnames, kwvalues)))`: the vectorcall convention, with the
/// keyword values after the positional ones in `args` and their names in `kwnames`.
pub fn call_method(obj: Borrowed, name: &CStr, args: &[Borrowed], kwnames: Option<Borrowed>) -> PyResult<Owned> {
    let name = interned(name)?;
    let mut all: Vec<*mut ffi::PyObject> = Vec::with_capacity(1 + args.len());
    all.push(obj.as_ptr());
    all.extend(args.iter().map(|a| a.as_ptr()));
    let nkw = kwnames.and_then(Borrowed::tuple_items).map_or(0, <[Borrowed]>::len);
    let kwnames = kwnames.map_or(std::ptr::null_mut(), Borrowed::as_ptr);
    // SAFETY: `all` holds `self` and the arguments, borrowed for the call (PEP 590 layout),
    // the last `nkw` of them the values named by the `kwnames` tuple.
    let raw = unsafe { ffi::PyObject_VectorcallMethod(name.as_ptr(), all.as_ptr(), all.len() - nkw, kwnames) };
    // SAFETY: a new reference or NULL with an exception comes back.
    unsafe { Owned::from_owned_ptr_or_err(raw) }
}

/// The bytes of a `bytes` object, borrowed for as long as it.
pub fn bytes_contents(bytes: &Owned) -> &[u8] {
    // SAFETY: reads the size of a live bytes object.
    let len = unsafe { ffi::PyBytes_Size(bytes.as_ptr()) } as usize;
    // SAFETY: the buffer of a live bytes object, which it owns.
    let data = unsafe { ffi::PyBytes_AsString(bytes.as_ptr()) };
    // SAFETY: the buffer holds `len` bytes and lives as long as `bytes`, which the slice
    // borrows; a bytes object never changes.
    unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) }
}

/// The characters of a str (any subclass) as a Rust string, without calling its methods;
/// characters UTF-8 cannot encode (lone surrogates) become `?`.
pub fn str_to_string(s: Borrowed) -> PyResult<String> {
    // SAFETY: `s` is live; the encoding and error-handler names are NUL-terminated.
    let raw = unsafe { ffi::PyUnicode_AsEncodedString(s.as_ptr(), c"utf-8".as_ptr(), c"replace".as_ptr()) };
    // SAFETY: a new bytes object, or NULL with an exception (not a str, MemoryError).
    let bytes = unsafe { Owned::from_owned_ptr_or_err(raw) }?;
    Ok(String::from_utf8_lossy(bytes_contents(&bytes)).into_owned())
}

/// The items of a dict as owned (key, value) pairs (`PyDict_Items`, a new list of new
/// tuples); None if `dict` is not a dict. Owning them means that code run afterwards cannot
/// free them by changing the dict.
pub fn dict_items(dict: Borrowed) -> Option<Vec<(Owned, Owned)>> {
    if !dict.is_dict() {
        return None;
    }
    let list = unary(Unary::DictItems, dict).ok()?;
    let mut items = Vec::new();
    while let Some(pair) = list.borrow().exact_list_or_tuple_item(items.len()) {
        let [key, value] = pair.borrow().tuple_items()? else { return None };
        items.push((key.new_ref(), value.new_ref()));
    }
    Some(items)
}

/// `module.name = value`, as module init does it (`PyModule_AddObjectRef`, which takes its
/// own reference to `value`).
pub fn add_to_module(module: Borrowed, name: &CStr, value: Borrowed) -> PyResult<()> {
    // SAFETY: both objects are live and the name is NUL-terminated; -1 means an exception
    // (e.g. `module` is not a module).
    if unsafe { ffi::PyModule_AddObjectRef(module.as_ptr(), name.as_ptr(), value.as_ptr()) } < 0 {
        return Err(PyErr::fetch());
    }
    Ok(())
}

/// A new str from Rust text (`PyUnicode_FromStringAndSize`).
pub fn new_str(text: &str) -> PyResult<Owned> {
    // SAFETY: the buffer is valid UTF-8 of the given length, copied by the call.
    let raw = unsafe { ffi::PyUnicode_FromStringAndSize(text.as_ptr().cast(), text.len() as ffi::Py_ssize_t) };
    // SAFETY: a new str or NULL with an exception comes back.
    unsafe { Owned::from_owned_ptr_or_err(raw) }
}

/// `iter(obj)`.
pub fn get_iter(obj: Borrowed) -> PyResult<Owned> {
    unary(Unary::GetIter, obj)
}

/// `next(iterator)`: `Ok(None)` when it is exhausted (`PyIter_Next` returns NULL without an
/// exception then), `Err` when it raised.
pub fn iter_next(iterator: Borrowed) -> PyResult<Option<Owned>> {
    // SAFETY: `iterator` is a live iterator (it came from `get_iter`).
    let raw = unsafe { ffi::PyIter_Next(iterator.as_ptr()) };
    // SAFETY: PyIter_Next returns a new reference, or NULL with or without an exception.
    match unsafe { Owned::from_owned_ptr_or_opt(raw) } {
        Some(item) => Ok(Some(item)),
        None => PyErr::take().map_or(Ok(None), Err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::refs::tests::{fresh, refcnt};
    use crate::capi::testing::with_python;

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

    #[test]
    fn str_to_string_replaces_what_utf8_cannot_encode() {
        with_python(|| {
            let s = new_str("naïve").unwrap();
            assert_eq!(str_to_string(s.borrow()).unwrap(), "naïve");
        });
    }
}
