//! Argument parsing by hand: what `PyArg_ParseTupleAndKeywords` and Argument Clinic generate.
//!
//! All public callables of lucas take positional-only arguments, and some one keyword-only
//! argument, `mod` (`f(n, /, *, mod=None)`). They arrive in one of the two calling
//! conventions of the C API ("Calling Python objects" / "Vectorcall Protocol"):
//! * `tp_new` gets a tuple of positional arguments and a dict of keywords (or NULL);
//! * `METH_FASTCALL | METH_KEYWORDS` functions and `tp_vectorcall` get a C array holding the
//!   positional values followed by the keyword values, plus a tuple of the keyword names
//!   ([`Vectorcall`]).
//!
//! Both are reduced to [`bind`], which checks counts and names and raises TypeErrors worded
//! like CPython's own. Then the values are converted: [`integer`], [`modulus`],
//! [`integer_items`] and [`recurrence`] turn them into exact ints, naming the argument in
//! every message.

use crate::capi::error::{check_signals, type_error, value_error, ExcType, PyErr, PyResult};
use crate::capi::exact_int::Int;
use crate::capi::object_calls::{dict_items, get_iter, iter_next, str_to_string};
use crate::capi::pyint;
use crate::capi::refs::{borrowed_array, Borrowed, Owned};
use lucas_core::jump::{check_shape, Shape};
use lucas_core::modular::{too_large_message, MAX_MODULUS_BITS};
use pyo3_ffi as ffi;
use std::cmp::Ordering;

/// A function's signature as [`bind`] checks it: `name(params..., /)`, plus `*, mod=None`
/// where `takes_mod`.
#[derive(Clone, Copy)]
pub struct Signature<const P: usize> {
    pub name: &'static str,
    pub params: [&'static str; P],
    pub takes_mod: bool,
}

/// Checks a call against the signature and returns the positional arguments (borrowed from
/// the caller's tuple or array) and `mod` if given.
///
/// The common call (right number of positionals, at most `mod=`) allocates nothing: this
/// runs on every `fibonacci(10)`.
fn bind<'a, 'k, const P: usize>(
    sig: &Signature<P>,
    positional: &[Borrowed<'a>],
    keywords: impl Iterator<Item = (Borrowed<'k>, Borrowed<'k>)>,
) -> PyResult<([Borrowed<'a>; P], Option<Borrowed<'k>>)> {
    let func = sig.name;
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
        if sig.takes_mod && key.str_equals_ascii(c"mod") {
            modulus = Some(value);
            continue;
        }
        // From here on only errors are raised. The name's characters are read directly, not
        // through `str(key)`: a str subclass's `__str__` could lie.
        let key = str_to_string(key)?;
        if sig.params.contains(&key.as_str()) {
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
            type_error(format!("{func}() missing required argument '{}' (pos {})", sig.params[i], i + 1))
        }
    }
}

/// Binds a `tp_new`-style call: `args` is a tuple, `kwargs` a dict or absent. `mod` comes
/// back owned: the dict's items are owned while they are read, so no code run meanwhile
/// can free them.
pub fn bind_tuple<'a, const P: usize>(
    sig: &Signature<P>,
    args: Borrowed<'a>,
    kwargs: Option<Borrowed>,
) -> PyResult<([Borrowed<'a>; P], Option<Owned>)> {
    let positional = args.tuple_items().unwrap_or_default();
    let keywords = kwargs.and_then(dict_items).unwrap_or_default();
    let (args, modulus) = bind(sig, positional, keywords.iter().map(|(k, v)| (k.borrow(), v.borrow())))?;
    Ok((args, modulus.map(Borrowed::new_ref)))
}

// ANCHOR: vectorcall
/// The arguments of a vectorcall (PEP 590), as borrowed references: the positional values,
/// then the keyword values, whose names the `kwnames` tuple holds.
pub struct Vectorcall<'a> {
    all: &'a [Borrowed<'a>],
    nargs: usize,
    kwnames: Option<Borrowed<'a>>,
}

impl<'a> Vectorcall<'a> {
    /// Views the arguments of a `METH_FASTCALL | METH_KEYWORDS` function or a
    /// `tp_vectorcall` slot.
    ///
    /// # Safety
    /// `args` points at `nargs + len(kwnames)` live objects (`nargs` taken from `nargsf`),
    /// `kwnames` is NULL or a tuple of str, all borrowed for `'a`; the GIL is held.
    #[inline(always)]
    pub unsafe fn from_raw(args: *const *mut ffi::PyObject, nargsf: usize, kwnames: *mut ffi::PyObject) -> Self {
        // `PyVectorcall_NARGS`: the count without the flag bit that lets the callee use
        // `args[-1]` as scratch space.
        let nargs = nargsf & !ffi::PY_VECTORCALL_ARGUMENTS_OFFSET;
        // SAFETY: `kwnames` is NULL or a live tuple borrowed for `'a` (caller).
        let kwnames = (!kwnames.is_null()).then(|| unsafe { Borrowed::from_ptr(kwnames) });
        let nkw = kwnames.and_then(Borrowed::tuple_items).map_or(0, <[Borrowed]>::len);
        // SAFETY: the caller guarantees `nargs + nkw` live pointers at `args`.
        let all = unsafe { borrowed_array(args, nargs + nkw) };
        Vectorcall { all, nargs, kwnames }
    }

    /// The positional values.
    #[inline]
    pub fn positional(&self) -> &'a [Borrowed<'a>] {
        &self.all[..self.nargs]
    }

    /// The positional values followed by the keyword values, and the keywords' names: the
    /// arguments to pass on to another vectorcall.
    pub fn forward(&self) -> (&'a [Borrowed<'a>], Option<Borrowed<'a>>) {
        (self.all, self.kwnames)
    }

    /// Checks the call against `sig` (see [`bind`]).
    #[inline(always)]
    pub fn bind<const P: usize>(&self, sig: &Signature<P>) -> PyResult<([Borrowed<'a>; P], Option<Borrowed<'a>>)> {
        if let (None, Ok(args)) = (self.kwnames, <[Borrowed<'a>; P]>::try_from(self.positional())) {
            return Ok((args, None)); // the common call, `fibonacci(10)`: nothing to check
        }
        let names = self.kwnames.and_then(Borrowed::tuple_items).unwrap_or_default();
        bind(sig, self.positional(), names.iter().copied().zip(self.all[self.nargs..].iter().copied()))
    }
}
// ANCHOR_END: vectorcall

/// An integer argument (anything with `__index__`) as an exact int.
#[inline]
pub fn integer(func: &str, name: &str, obj: Borrowed) -> PyResult<Int> {
    if let Some(v) = crate::capi::exact_int::ExactInt::new(obj) {
        return Ok(v.new_ref()); // already what `operator.index` would return
    }
    if !obj.has_index() {
        return type_error(format!("{func}() argument '{name}' must be an integer, not {}", obj.type_name()));
    }
    pyint::index(obj)
}

/// The `mod` argument: None (or absent) or a positive integer.
#[inline(always)]
pub fn modulus(func: &str, obj: Option<Borrowed>) -> PyResult<Option<Int>> {
    match obj {
        Some(o) if !o.is_none() => given_modulus(func, o).map(Some),
        _ => Ok(None),
    }
}

/// A `mod` given as something other than None.
fn given_modulus(func: &str, obj: Borrowed) -> PyResult<Int> {
    if !obj.has_index() {
        return type_error(format!("{func}() argument 'mod' must be an integer or None, not {}", obj.type_name()));
    }
    let m = pyint::index(obj)?;
    // One read of the value answers both questions below 2**63, where the limit cannot
    // apply (and the bits are not counted).
    match m.to_i64() {
        Some(v) if v > 0 => Ok(m),
        None if m.sign() == Ordering::Greater => {
            within_size_limit(func, "mod", pyint::bit_length(m.borrow())?)?;
            Ok(m)
        }
        _ => value_error(format!("{func}() argument 'mod' must be a positive integer")),
    }
}

/// Refuses an argument of more than [`MAX_MODULUS_BITS`] bits (a modulus, or the n of a
/// probable-prime test, which runs the same arithmetic) with an OverflowError naming it.
pub fn within_size_limit(func: &str, name: &str, bits: u64) -> PyResult<()> {
    if bits > MAX_MODULUS_BITS {
        return Err(PyErr::new(ExcType::OverflowError, too_large_message(func, name, bits)));
    }
    Ok(())
}

/// Consumes an iterable of integers into exact ints. An exception raised by the iterable or
/// by an item's `__index__` propagates unchanged; a non-iterable or non-integer item gets a
/// TypeError naming the argument (and the item's index).
pub fn integer_items(func: &str, name: &str, obj: Borrowed) -> PyResult<Vec<Int>> {
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
        items.push(integer_item(func, name, items.len(), item)?);
        // An endless C iterator (itertools.count()) never returns to the eval loop, so check
        // for Ctrl-C here now and then, as long loops in CPython's C code do.
        if items.len() % 4096 == 0 {
            check_signals()?;
        }
    }
    Ok(items)
}

/// [`integer_items`] for an exact list or tuple, read by index (its item array)
/// without creating an iterator object. The length is read again at every step, as the
/// list iterator does, because an item's `__index__` may resize the list; each item is owned
/// at once, so that code cannot free it under us either.
fn sequence_items(func: &str, name: &str, seq: Borrowed) -> PyResult<Vec<Int>> {
    let mut items = Vec::with_capacity(seq.exact_list_or_tuple_len().unwrap_or(0));
    while let Some(item) = seq.exact_list_or_tuple_item(items.len()) {
        items.push(integer_item(func, name, items.len(), item)?);
    }
    Ok(items)
}

/// One item of an integer iterable, as an exact int.
#[inline]
fn integer_item(func: &str, name: &str, index: usize, item: Owned) -> PyResult<Int> {
    if item.borrow().is_exact_int() {
        return Ok(Int::from_exact(item));
    }
    let item = item.borrow();
    if !item.has_index() {
        return type_error(format!(
            "{func}() argument '{name}' item {index} must be an integer, not {}",
            item.type_name()
        ));
    }
    pyint::index(item)
}

/// Converted items of an integer iterable: a pair inline (the coefficients and initial values
/// of the common order-2 recurrence, which need no allocation then), any other count on the
/// heap.
pub enum Ints {
    Pair([Int; 2]),
    Heap(Vec<Int>),
}

impl std::ops::Deref for Ints {
    type Target = [Int];
    fn deref(&self) -> &[Int] {
        match self {
            Ints::Pair(pair) => pair,
            Ints::Heap(items) => items,
        }
    }
}

/// [`integer_items`], with an exact list or tuple of two exact ints kept inline.
#[inline(always)]
fn integer_items_inline(func: &str, name: &str, obj: Borrowed) -> PyResult<Ints> {
    if obj.exact_list_or_tuple_len() == Some(2) {
        let item = |i| obj.exact_list_or_tuple_item(i).filter(|x| x.borrow().is_exact_int()).map(Int::from_exact);
        // Owning the first item runs no code, so the second is read from the same sequence.
        if let (Some(a), Some(b)) = (item(0), item(1)) {
            return Ok(Ints::Pair([a, b]));
        }
    }
    integer_items(func, name, obj).map(Ints::Heap)
}

/// The `coefficients` and `initial` arguments of a recurrence (`LucasIter`, `nth_term`): two
/// integer iterables of the same length k >= 1.
#[inline(always)]
pub fn recurrence(func: &str, coefficients: Borrowed, initial: Borrowed) -> PyResult<(Ints, Ints)> {
    let coef = integer_items_inline(func, "coefficients", coefficients)?;
    let init = integer_items_inline(func, "initial", initial)?;
    match check_shape(coef.len(), init.len()) {
        Ok(()) => Ok((coef, init)),
        Err(Shape::Empty) => value_error(format!("{func}() argument 'coefficients' must not be empty")),
        Err(Shape::Mismatch(k, len)) => value_error(format!(
            "{func}() arguments 'coefficients' and 'initial' must have the same length ({k} != {len})"
        )),
    }
}
