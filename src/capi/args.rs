//! Argument parsing by hand: what `PyArg_ParseTupleAndKeywords` and Argument Clinic generate.
//!
//! All public callables of lucas take positional-only arguments and one keyword-only
//! argument, `mod` (`f(n, /, *, mod=None)`). They arrive in one of the two calling
//! conventions of the C API ("Calling Python objects" / "Vectorcall Protocol"):
//! * `tp_new` gets a tuple of positional arguments and a dict of keywords (or NULL);
//! * `METH_FASTCALL | METH_KEYWORDS` functions get a C array holding the positional values
//!   followed by the keyword values, plus a tuple of the keyword names.
//!
//! Both are reduced to [`bind`], which checks counts and names and raises TypeErrors worded
//! like CPython's own. Then the values are converted: [`integer`], [`modulus`] and
//! [`integer_items`] turn them into exact ints, naming the argument in every message.

use crate::capi::error::{check_signals, type_error, value_error, PyResult};
use crate::capi::exact_int::ExactInt;
use crate::capi::objects::{get_iter, iter_next};
use crate::capi::pyint;
use crate::capi::refs::{borrow_all, borrowed_array, tuple_items, Borrowed, Owned};
use pyo3_ffi as ffi;
use std::cmp::Ordering;

/// The characters of a str (any subclass) as a Rust string, without calling its methods;
/// characters UTF-8 cannot encode (lone surrogates) become `?`.
fn str_contents(s: Borrowed) -> PyResult<String> {
    // SAFETY: `s` is a live str; the "replace" handler makes the encoding infallible but for
    // MemoryError; a new bytes object or NULL comes back.
    let bytes = unsafe {
        Owned::from_owned_ptr_or_err(ffi::PyUnicode_AsEncodedString(s.as_ptr(), c"utf-8".as_ptr(), c"replace".as_ptr()))
    }?;
    // SAFETY: a live bytes object's buffer holds PyBytes_Size bytes and lives as long as it.
    let raw = unsafe {
        std::slice::from_raw_parts(
            ffi::PyBytes_AsString(bytes.as_ptr()).cast::<u8>(),
            ffi::PyBytes_Size(bytes.as_ptr()) as usize,
        )
    };
    Ok(String::from_utf8_lossy(raw).into_owned())
}

/// Checks a call against `func(names..., /, *, mod=None)` and returns the positional
/// arguments (borrowed from the caller's tuple or array) and `mod` if given.
///
/// The common call (right number of positionals, at most `mod=`) allocates nothing: this
/// runs on every `fibonacci(10)`.
fn bind<'a, const P: usize>(
    func: &str,
    names: [&str; P],
    positional: &[Borrowed<'a>],
    keywords: impl Iterator<Item = (Borrowed<'a>, Borrowed<'a>)>,
) -> PyResult<([Borrowed<'a>; P], Option<Borrowed<'a>>)> {
    if positional.len() > P {
        let s = if P == 1 { "" } else { "s" };
        return type_error(format!("{func}() takes exactly {P} positional argument{s} ({} given)", positional.len()));
    }
    let mut modulus = None;
    let mut positional_only = Vec::new();
    for (key, value) in keywords {
        // The vectorcall path only ever passes str names, but `tp_new` receives the caller's
        // dict as it is (`LucasIter.__new__(LucasIter, c, i, **{1: 2})`), so check.
        if !key.is_str() {
            return type_error("keywords must be strings");
        }
        // Reads the characters: runs no Python code (not even a str subclass's methods).
        if key.str_equals_ascii(c"mod") {
            modulus = Some(value);
            continue;
        }
        // From here on only errors are raised. The name's characters are read directly, not
        // through `str(key)`: a str subclass's `__str__` could lie, or clear the very dict
        // whose items are still borrowed here.
        let key = str_contents(key)?;
        if names.contains(&key.as_str()) {
            positional_only.push(key);
        } else {
            return type_error(format!("{func}() got an unexpected keyword argument '{key}'"));
        }
    }
    if !positional_only.is_empty() {
        return type_error(format!(
            "{func}() got some positional-only arguments passed as keyword arguments: '{}'",
            positional_only.join(", ")
        ));
    }
    match <[Borrowed<'a>; P]>::try_from(positional) {
        Ok(args) => Ok((args, modulus)),
        Err(_) => {
            let i = positional.len();
            type_error(format!("{func}() missing required argument '{}' (pos {})", names[i], i + 1))
        }
    }
}

/// Binds a `tp_new`-style call: `args` is a tuple, `kwargs` a dict or NULL.
///
/// # Safety
/// `args` is a live tuple and `kwargs` NULL or a live dict, both borrowed for `'a`; GIL held.
pub unsafe fn bind_tuple<'a, const P: usize>(
    func: &str,
    names: [&str; P],
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> PyResult<([Borrowed<'a>; P], Option<Borrowed<'a>>)> {
    // SAFETY: `args` is a live tuple borrowed for `'a` (caller).
    let positional = unsafe { tuple_items(args) };
    let mut pos: ffi::Py_ssize_t = 0;
    let keywords = std::iter::from_fn(|| {
        if kwargs.is_null() {
            return None;
        }
        let (mut k, mut v) = (std::ptr::null_mut(), std::ptr::null_mut());
        // SAFETY: `kwargs` is a live dict, and `bind` runs no Python code while it walks it
        // (names are compared and read without calling their methods); PyDict_Next yields
        // borrowed references.
        let more = unsafe { ffi::PyDict_Next(kwargs, &mut pos, &mut k, &mut v) } != 0;
        // SAFETY: when `more`, both are non-NULL and borrowed from the dict for `'a`.
        more.then(|| unsafe { (Borrowed::from_ptr(k), Borrowed::from_ptr(v)) })
    });
    bind(func, names, positional, keywords)
}

// ANCHOR: bind_fastcall
/// Binds a vectorcall-style call (`METH_FASTCALL | METH_KEYWORDS`, PEP 590): `args` holds
/// the positional values, then the keyword values named by the `kwnames` tuple.
///
/// # Safety
/// `args` points at `nargs + len(kwnames)` live objects, `kwnames` is NULL or a tuple of
/// str, all borrowed for `'a`; the GIL is held.
pub unsafe fn bind_fastcall<'a, const P: usize>(
    func: &str,
    names: [&str; P],
    args: *const *mut ffi::PyObject,
    nargsf: usize,
    kwnames: *mut ffi::PyObject,
) -> PyResult<([Borrowed<'a>; P], Option<Borrowed<'a>>)> {
    let nargs = vectorcall_nargs(nargsf);
    if kwnames.is_null() && nargs == P {
        // The common call, `fibonacci(10)`: nothing to check.
        // SAFETY: the caller guarantees `nargs` live pointers at `args`.
        let all = unsafe { borrowed_array(args, nargs) };
        return Ok((all.try_into().expect("nargs == P"), None));
    }
    // SAFETY: `kwnames` is NULL or a tuple of str borrowed for `'a` (caller).
    let kwnames = unsafe { tuple_items(kwnames) };
    // SAFETY: the caller guarantees `nargs + len(kwnames)` live pointers at `args`.
    let all = unsafe { borrowed_array(args, nargs + kwnames.len()) };
    bind(func, names, &all[..nargs], kwnames.iter().copied().zip(all[nargs..].iter().copied()))
}
// ANCHOR_END: bind_fastcall

/// The number of positional arguments of a vectorcall (`PyVectorcall_NARGS`: `nargsf`
/// without the `PY_VECTORCALL_ARGUMENTS_OFFSET` flag bit).
#[inline]
pub fn vectorcall_nargs(nargsf: usize) -> usize {
    // SAFETY: the macro only masks a bit of an integer.
    unsafe { ffi::PyVectorcall_NARGS(nargsf) as usize }
}

/// An integer argument (anything with `__index__`) as an exact int.
#[inline]
pub fn integer(func: &str, name: &str, obj: Borrowed) -> PyResult<Owned> {
    if obj.is_exact_int() {
        return Ok(obj.new_ref()); // already what `operator.index` would return
    }
    if !obj.has_index() {
        return type_error(format!("{func}() argument '{name}' must be an integer, not {}", obj.type_name()));
    }
    pyint::index(obj)
}

/// The `mod` argument: None (or absent) or a positive integer.
#[inline]
pub fn modulus(func: &str, obj: Option<Borrowed>) -> PyResult<Option<Owned>> {
    let obj = match obj {
        Some(o) if !o.is_none() => o,
        _ => return Ok(None),
    };
    if !obj.has_index() {
        return type_error(format!("{func}() argument 'mod' must be an integer or None, not {}", obj.type_name()));
    }
    let m = pyint::index(obj)?;
    if pyint::sign(m.borrow()) != Ordering::Greater {
        return value_error(format!("{func}() argument 'mod' must be a positive integer"));
    }
    Ok(Some(m))
}

/// Consumes an iterable of integers into exact ints. An exception raised by the iterable or
/// by an item's `__index__` propagates unchanged; a non-iterable or non-integer item gets a
/// TypeError naming the argument (and the item's index).
pub fn integer_items(func: &str, name: &str, obj: Borrowed) -> PyResult<Vec<Owned>> {
    if obj.exact_list_or_tuple_len().is_some() {
        return sequence_items(func, name, obj);
    }
    if !obj.is_iterable() {
        return type_error(format!(
            "{func}() argument '{name}' must be an iterable of integers, not {}",
            obj.type_name()
        ));
    }
    let iter = get_iter(obj)?;
    let mut items = Vec::new();
    while let Some(item) = iter_next(iter.borrow())? {
        items.push(integer_item(func, name, items.len(), item.borrow())?);
        // An endless C iterator (itertools.count()) never returns to the eval loop, so check
        // for Ctrl-C here now and then, as long loops in CPython's C code do.
        if items.len() % 4096 == 0 {
            check_signals()?;
        }
    }
    Ok(items)
}

/// [`integer_items`] for an exact list or tuple, read by index (`PySequence_Fast_GET_ITEM`)
/// without creating an iterator object. The length is read again at every step, as the
/// list iterator does, because an item's `__index__` may resize the list.
fn sequence_items(func: &str, name: &str, seq: Borrowed) -> PyResult<Vec<Owned>> {
    let mut items = Vec::with_capacity(seq.exact_list_or_tuple_len().unwrap_or(0));
    // Each item is owned at once, so user code run by `__index__` cannot free it under us.
    while let Some(item) = seq.exact_list_or_tuple_item(items.len()) {
        items.push(integer_item(func, name, items.len(), item.borrow())?);
    }
    Ok(items)
}

/// Runs `f` on the items of an integer iterable as exact ints, without copying them where it
/// can: an exact list or tuple whose items are all exact ints is lent to `f` as it is (the
/// `PySequence_Fast_ITEMS` idiom of C extensions); anything else goes through
/// [`integer_items`] first.
///
/// While `f` runs, nothing may resize the list, so `f` must run no Python code, directly or
/// through the garbage collector. The types hold that for the items: `f` sees them only as
/// [`ExactInt`]s (int operations only), for no longer than the call. What `f` captures besides
/// is its writer's responsibility; keep it to `ExactInt`s and a [`crate::capi::exact_int::Modulus`].
pub fn with_integer_items<R>(
    func: &str,
    name: &str,
    obj: Borrowed,
    f: impl for<'i> FnOnce(&'i [ExactInt<'i>]) -> PyResult<R>,
) -> PyResult<R> {
    if let Some(len) = obj.exact_list_or_tuple_len() {
        // SAFETY: a list's or tuple's item array holds `len` non-NULL borrowed references;
        // nothing can resize it while `f` runs (it runs no Python code, above).
        let items = unsafe { borrowed_array(ffi::PySequence_Fast_ITEMS(obj.as_ptr()), len) };
        if let Some(ints) = ExactInt::all(items) {
            return f(ints);
        }
    }
    let owned = integer_items(func, name, obj)?;
    f(ExactInt::all(borrow_all(&owned)).expect("integer_items returns exact ints"))
}

/// One item of an integer iterable, as an exact int.
#[inline]
fn integer_item(func: &str, name: &str, index: usize, item: Borrowed) -> PyResult<Owned> {
    if item.is_exact_int() {
        return Ok(item.new_ref());
    }
    if !item.has_index() {
        return type_error(format!(
            "{func}() argument '{name}' item {index} must be an integer, not {}",
            item.type_name()
        ));
    }
    pyint::index(item)
}
