//! Small services built on the reference owners that can fail: a new tuple, an interned
//! name, a method call. They sit above both `refs.rs` (they hand out `Owned`) and
//! `error.rs` (a failed call becomes a `PyErr`).

use crate::capi::error::{PyErr, PyResult};
use crate::capi::refs::{Borrowed, Owned};
use pyo3_ffi as ffi;
use std::ffi::CStr;

// ANCHOR: new_tuple
/// A new tuple holding `items` (`PyTuple_New` + `PyTuple_SET_ITEM`, which *steals* a
/// reference: each item's count moves into the tuple through `into_ptr`).
pub fn new_tuple(items: Vec<Owned>) -> PyResult<Owned> {
    // SAFETY: PyTuple_New returns a new reference (or NULL with MemoryError).
    let tuple = unsafe { Owned::from_owned_ptr_or_err(ffi::PyTuple_New(items.len() as ffi::Py_ssize_t)) }?;
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
    unsafe { Owned::from_owned_ptr_or_err(ffi::PyUnicode_InternFromString(name.as_ptr())) }
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
        Owned::from_owned_ptr_or_err(ffi::PyObject_VectorcallMethod(
            name.as_ptr(),
            all.as_ptr(),
            all.len(),
            std::ptr::null_mut(),
        ))
    }
}

/// A new list holding `items` (`PyList_New` + `PyList_SET_ITEM`, which steals each count).
pub fn new_list(items: Vec<Owned>) -> PyResult<Owned> {
    // SAFETY: PyList_New returns a new reference (or NULL with MemoryError).
    let list = unsafe { Owned::from_owned_ptr_or_err(ffi::PyList_New(items.len() as ffi::Py_ssize_t)) }?;
    for (i, item) in items.into_iter().enumerate() {
        // SAFETY: `list` is a fresh list of the right size whose slot `i` is still empty.
        unsafe { ffi::PyList_SET_ITEM(list.as_ptr(), i as ffi::Py_ssize_t, item.into_ptr()) };
    }
    Ok(list)
}

/// The characters of a str as a Rust string (`PyUnicode_AsUTF8AndSize`); calls no method.
pub fn str_to_string(s: Borrowed) -> PyResult<String> {
    let mut len: ffi::Py_ssize_t = 0;
    // SAFETY: `s` is live; for a str the UTF-8 buffer lives as long as `s` and is copied
    // before this function returns. NULL means an exception (not a str, lone surrogates).
    let data = unsafe { ffi::PyUnicode_AsUTF8AndSize(s.as_ptr(), &mut len) };
    if data.is_null() {
        return Err(PyErr::fetch());
    }
    // SAFETY: `data` points at `len` bytes of valid UTF-8 owned by `s`.
    let bytes = unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len as usize) };
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

/// The items of a dict as owned (key, value) pairs; None if `dict` is not a dict. Owning
/// them means that code run afterwards cannot free them by changing the dict.
pub fn dict_items(dict: Borrowed) -> Option<Vec<(Owned, Owned)>> {
    // SAFETY: the check reads the type of a live object.
    if unsafe { ffi::PyDict_Check(dict.as_ptr()) } == 0 {
        return None;
    }
    let mut items = Vec::new();
    let mut pos: ffi::Py_ssize_t = 0;
    let (mut key, mut value) = (std::ptr::null_mut(), std::ptr::null_mut());
    // SAFETY: PyDict_Next walks a live dict and lends out non-NULL keys and values while it
    // returns true; each is owned at once, and nothing in the loop runs Python code (taking
    // a reference and growing a Vec), so the dict cannot change during the walk.
    while unsafe { ffi::PyDict_Next(dict.as_ptr(), &mut pos, &mut key, &mut value) } != 0 {
        // SAFETY: as above.
        items.push(unsafe { (Owned::from_borrowed_ptr(key), Owned::from_borrowed_ptr(value)) });
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
    // SAFETY: the buffer is valid UTF-8 of the given length, copied by the call; a new str or
    // NULL with an exception comes back.
    unsafe {
        Owned::from_owned_ptr_or_err(ffi::PyUnicode_FromStringAndSize(
            text.as_ptr().cast(),
            text.len() as ffi::Py_ssize_t,
        ))
    }
}

/// `getattr(obj, name)`.
pub fn getattr(obj: Borrowed, name: &CStr) -> PyResult<Owned> {
    let name = interned(name)?;
    // SAFETY: both are live; a new reference or NULL with an exception comes back.
    unsafe { Owned::from_owned_ptr_or_err(ffi::PyObject_GetAttr(obj.as_ptr(), name.as_ptr())) }
}

/// `import name` (`PyImport_ImportModule`): the module, from `sys.modules` when it is there.
pub fn import(name: &CStr) -> PyResult<Owned> {
    // SAFETY: a NUL-terminated name; a new reference or NULL with an exception comes back.
    unsafe { Owned::from_owned_ptr_or_err(ffi::PyImport_ImportModule(name.as_ptr())) }
}

/// `iter(obj)`.
pub fn get_iter(obj: Borrowed) -> PyResult<Owned> {
    // SAFETY: a live object in; a new reference or NULL with an exception out.
    unsafe { Owned::from_owned_ptr_or_err(ffi::PyObject_GetIter(obj.as_ptr())) }
}

/// `next(iterator)`: `Ok(None)` when it is exhausted (`PyIter_Next` returns NULL without an
/// exception then), `Err` when it raised.
pub fn iter_next(iterator: Borrowed) -> PyResult<Option<Owned>> {
    // SAFETY: `iterator` is a live iterator (it came from `get_iter`); PyIter_Next returns a
    // new reference, or NULL with or without an exception set.
    match unsafe { Owned::from_owned_ptr_or_opt(ffi::PyIter_Next(iterator.as_ptr())) } {
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
}
