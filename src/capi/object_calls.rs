//! The C-API calls that make or read objects and can fail: tuples, strs, attributes,
//! iteration, method calls. They sit above both `refs.rs` (they hand out `Owned`) and
//! `error.rs` (a failed call becomes a `PyErr`).
//!
//! The functions are called through `typed_ffi.rs`, whose declarations say which result is a
//! new reference (`Option<Owned>`: NULL means an exception is set, which
//! `ok_or_else(PyErr::fetch)` turns into the `Err`) and which argument is stolen. The ones of
//! the same signature are called in one place each ([`unary`], [`binary`], [`named`],
//! [`from_buffer`]), so that the rest of a call's contract is stated once per signature.

use crate::capi::error::{PyErr, PyResult};
use crate::capi::refs::{Borrowed, Owned};
use crate::capi::typed_ffi as typed;
use pyo3_ffi as ffi;
use std::ffi::{c_char, CStr};

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
    let f: unsafe extern "C" fn(Borrowed) -> Option<Owned> = match f {
        Unary::GetIter => typed::PyObject_GetIter,
        Unary::Str => typed::PyObject_Str,
        Unary::List => typed::PySequence_List,
        Unary::Index => typed::PyNumber_Index,
        Unary::Negative => typed::PyNumber_Negative,
        Unary::DictItems => typed::PyDict_Items,
    };
    // SAFETY: `obj` is live and borrowed for the call; the GIL is held.
    unsafe { f(obj) }.ok_or_else(PyErr::fetch)
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

// ANCHOR: binary
/// `f(a, b)` for one of the [`Binary`] functions.
#[inline]
pub fn binary(f: Binary, a: Borrowed, b: Borrowed) -> PyResult<Owned> {
    let f: unsafe extern "C" fn(Borrowed, Borrowed) -> Option<Owned> = match f {
        Binary::Add => typed::PyNumber_Add,
        Binary::Subtract => typed::PyNumber_Subtract,
        Binary::Multiply => typed::PyNumber_Multiply,
        Binary::Remainder => typed::PyNumber_Remainder,
        Binary::GetAttr => typed::PyObject_GetAttr,
    };
    // SAFETY: both objects are live and borrowed for the call; the GIL is held.
    unsafe { f(a, b) }.ok_or_else(PyErr::fetch)
}
// ANCHOR_END: binary

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
    let f: unsafe extern "C" fn(*const c_char) -> Option<Owned> = match f {
        Named::Intern => typed::PyUnicode_InternFromString,
        Named::Import => typed::PyImport_ImportModule,
    };
    // SAFETY: `name` is NUL-terminated and outlives the call, which copies what it keeps.
    unsafe { f(name.as_ptr()) }.ok_or_else(PyErr::fetch)
}

/// C functions that copy a buffer into a new object and return it, or NULL with an exception
/// set.
#[derive(Clone, Copy)]
enum FromBuffer {
    /// `PyUnicode_FromStringAndSize` (UTF-8; a decoding error is an exception).
    Str,
    /// `PyBytes_FromStringAndSize`.
    Bytes,
}

fn from_buffer(f: FromBuffer, data: &[u8]) -> PyResult<Owned> {
    let f: unsafe extern "C" fn(*const c_char, ffi::Py_ssize_t) -> Option<Owned> = match f {
        FromBuffer::Str => typed::PyUnicode_FromStringAndSize,
        FromBuffer::Bytes => typed::PyBytes_FromStringAndSize,
    };
    // SAFETY: the buffer is `data.len()` readable bytes (a slice is never longer than
    // isize::MAX), borrowed for the call, which copies them.
    unsafe { f(data.as_ptr().cast(), data.len() as ffi::Py_ssize_t) }.ok_or_else(PyErr::fetch)
}

// ANCHOR: new_tuple
/// A new tuple holding `items` (`PyTuple_New` + `PyTuple_SetItem`, which *steals* a
/// reference: each item's count moves into the tuple, as its declaration's `Owned` says).
/// `items` is anything that knows its length, such as an array (which costs no allocation).
pub fn new_tuple<I: IntoIterator<Item = Owned, IntoIter: ExactSizeIterator>>(items: I) -> PyResult<Owned> {
    let items = items.into_iter();
    // SAFETY: PyTuple_New only allocates.
    let tuple = unsafe { typed::PyTuple_New(items.len() as ffi::Py_ssize_t) }.ok_or_else(PyErr::fetch)?;
    for (i, item) in items.enumerate() {
        // SAFETY: `tuple` is a fresh tuple of the right size that nothing else has seen
        // (refcount 1, as PyTuple_SetItem requires), whose slot `i` is still empty.
        if unsafe { typed::PyTuple_SetItem(tuple.borrow(), i as ffi::Py_ssize_t, item) } < 0 {
            return Err(PyErr::fetch());
        }
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
    let mut all: Vec<Borrowed> = Vec::with_capacity(1 + args.len());
    all.push(obj);
    all.extend_from_slice(args);
    let nkw = kwnames.and_then(Borrowed::tuple_items).map_or(0, <[Borrowed]>::len);
    // SAFETY: `all` holds `self` and the arguments, borrowed for the call (PEP 590 layout),
    // the last `nkw` of them the values named by the `kwnames` tuple.
    unsafe { typed::PyObject_VectorcallMethod(name.borrow(), all.as_ptr(), all.len() - nkw, kwnames) }
        .ok_or_else(PyErr::fetch)
}

/// The bytes of a `bytes` object, borrowed for as long as it.
pub fn bytes_contents(bytes: &Owned) -> &[u8] {
    let (mut data, mut len) = (std::ptr::null_mut(), 0);
    // SAFETY: `bytes` is a live bytes object (it cannot fail then); the out-parameters
    // receive the address and size of its buffer, which it owns.
    let status = unsafe { ffi::PyBytes_AsStringAndSize(bytes.as_ptr(), &mut data, &mut len) };
    assert!(status == 0 && !data.is_null(), "a bytes object has a buffer");
    // SAFETY: the buffer holds `len` bytes and lives as long as `bytes`, which the slice
    // borrows; a bytes object never changes.
    unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len as usize) }
}

/// The characters of a str (any subclass) as a Rust string, without calling its methods;
/// characters UTF-8 cannot encode (lone surrogates) become `?`.
pub fn str_to_string(s: Borrowed) -> PyResult<String> {
    // SAFETY: `s` is live; the encoding and error-handler names are NUL-terminated. A new
    // bytes object comes back, or NULL with an exception (not a str, MemoryError).
    let bytes = unsafe { typed::PyUnicode_AsEncodedString(s, c"utf-8".as_ptr(), c"replace".as_ptr()) }
        .ok_or_else(PyErr::fetch)?;
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
    from_buffer(FromBuffer::Str, text.as_bytes())
}

/// A new bytes object holding a copy of `data` (`PyBytes_FromStringAndSize`).
pub fn new_bytes(data: &[u8]) -> PyResult<Owned> {
    from_buffer(FromBuffer::Bytes, data)
}

/// `iter(obj)`.
pub fn get_iter(obj: Borrowed) -> PyResult<Owned> {
    unary(Unary::GetIter, obj)
}

/// `next(iterator)`: `Ok(None)` when it is exhausted (`PyIter_Next` returns NULL without an
/// exception then), `Err` when it raised.
pub fn iter_next(iterator: Borrowed) -> PyResult<Option<Owned>> {
    // SAFETY: `iterator` is a live iterator (it came from `get_iter`), borrowed for the call.
    match unsafe { typed::PyIter_Next(iterator) } {
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
