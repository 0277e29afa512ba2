//! The `LucasIter` type: a static `PyTypeObject` with `tp_new`, `tp_vectorcall`, `tp_dealloc`,
//! `tp_iter` and `tp_iternext` (CPython docs, "Defining Extension Types: Tutorial", and "Type
//! Objects"), its methods and getters.
//!
//! An instance is a [`PyClassObject`] holding an [`IterState`]; allocating, the typed `self`
//! of a slot ([`PyRef`]), the slots' C entry points and deallocating are the generic helpers
//! of `capi/pyclass.rs`: a slot here is a type implementing [`Method`] or [`MethodO`], a safe
//! function of `self`. How
//! the values are kept and advanced is `state.rs`'s business; this file is the CPython side.
//!
//! GC: the base type is not GC-tracked (no `Py_TPFLAGS_HAVE_GC`). Its state holds only
//! exact ints, which can never refer back to anything, so an instance can never be part of a
//! reference cycle. Every Python subclass is GC-tracked, one with `__slots__ = ()` too:
//! `type.__new__` sets HAVE_GC on every class a `class` statement makes and gives it
//! `subtype_traverse`, which is why deallocation frees through `Py_TYPE(self)->tp_free`.
//!
//! Weak references: `tp_weaklistoffset` points at the instance's list, so `weakref.ref(it)`
//! works (as it does for a generator); deallocation clears the list first.
//!
//! Threads: every slot runs with the GIL held and no slot runs Python code while it touches
//! the state (operands are exact ints), so one `next()` cannot interleave with another. The
//! state still sits in a `RefCell`, making "no re-entry" a checked fact instead of a
//! comment. The one slot that lets go of the GIL while it holds the state is `advance`, for
//! a long jump; other threads then wait for it (`Mover`, `capi/gil.rs`). On a free-threaded
//! build (PEP 703) that is not enough: every slot that reads or
//! moves the state (`advance` included) runs inside a per-object critical section
//! ([`PyRef::locked`]; nothing on GIL builds). The coefficients and the modulus are never
//! written after allocation, so their getters need no lock.

use crate::capi::args::{self, Signature, Vectorcall};
use crate::capi::boundary::guard;
use crate::capi::error::{ExcType, PyErr, PyResult};
use crate::capi::exact_int::Int;
use crate::capi::method_def::method_table;
use crate::capi::object_calls::{call_method, getattr, import, new_str, new_tuple};
use crate::capi::pyclass::{
    allocate, getter, meth_o, noargs, slot, tp_dealloc, type_object, zeroed_type_object, Method, MethodO,
    PyClassObject, PyRef, Subtype,
};
use crate::capi::pyint;
use crate::capi::refs::{none, Borrowed, Owned};
use crate::capi::static_cell::StaticCell;
use crate::lucas_iter::state::{IterState, NAME};
use pyo3_ffi as ffi;
use std::ffi::CStr;
use std::ptr;

/// The type object, `LucasIter_Type` in C. `PyInit_lucas` readies it.
pub static LUCAS_ITER_TYPE: StaticCell<ffi::PyTypeObject> = StaticCell::new(lucas_iter_type_object());

/// `LucasIter(coefficients, initial, /, *, mod=None)`.
const SIGNATURE: Signature<2> = Signature { name: NAME, params: ["coefficients", "initial"], takes_mod: true };

type This<'a> = PyRef<'a, IterState>;

// ANCHOR: tp_new
/// `tp_new`: binds the arguments and builds the instance.
unsafe extern "C" fn lucas_iter_new(
    subtype: *mut ffi::PyTypeObject,
    args: *mut ffi::PyObject,   // borrowed: tuple
    kwargs: *mut ffi::PyObject, // borrowed: dict or NULL
) -> *mut ffi::PyObject /* new reference */ {
    guard(ptr::null_mut(), || {
        // SAFETY: CPython passes a live type and a tuple, borrowed for this call.
        let (subtype, args) = (unsafe { Borrowed::from_ptr(subtype.cast()) }, unsafe { Borrowed::from_ptr(args) });
        // SAFETY: `kwargs` is NULL or a live dict, borrowed for this call.
        let kwargs = (!kwargs.is_null()).then(|| unsafe { Borrowed::from_ptr(kwargs) });
        let ([coefficients, initial], modulus) = args::bind_tuple(&SIGNATURE, args, kwargs)?;
        // CPython calls tp_new with a subtype of the type that defines it.
        let subtype = Subtype::new(subtype).expect("tp_new receives a subtype of LucasIter");
        new_instance(subtype, coefficients, initial, modulus.as_ref().map(Owned::borrow)).map(Owned::into_ptr)
    })
}
// ANCHOR_END: tp_new

// ANCHOR: tp_vectorcall
/// `tp_vectorcall` of the type object (PEP 590): `LucasIter(c, i)` goes straight here from
/// the call site, without packing the arguments into a tuple and a dict for `type_call` and
/// `tp_new`, as `range` and `list` do. CPython 3.11 does not copy the slot to subclasses
/// (which may define `__init__`); should a version do so, such a call takes the general route.
unsafe extern "C" fn lucas_iter_vectorcall(
    callable: *mut ffi::PyObject,    // borrowed: the type being called
    args: *const *mut ffi::PyObject, // borrowed array
    nargsf: usize,
    kwnames: *mut ffi::PyObject, // borrowed tuple or NULL
) -> *mut ffi::PyObject /* new reference */ {
    guard(ptr::null_mut(), || {
        // SAFETY: CPython passes the vectorcall arguments as PEP 590 specifies.
        let call = unsafe { Vectorcall::from_raw(args, nargsf, kwnames) };
        if callable != type_object::<IterState>().as_ptr() {
            // A subclass that inherited the slot: take the general route, `type.__call__`,
            // so its `__new__`/`__init__` run as they would for any class.
            // SAFETY: CPython passes the live type being called.
            let callable = unsafe { Borrowed::from_ptr(callable) };
            let (all, kwnames) = call.forward();
            return call_method(callable, c"__call__", all, kwnames).map(Owned::into_ptr);
        }
        let ([coefficients, initial], modulus) = call.bind(&SIGNATURE)?;
        // No `tp_init` to run: LucasIter has none.
        new_instance(Subtype::exact(), coefficients, initial, modulus).map(Owned::into_ptr)
    })
}
// ANCHOR_END: tp_vectorcall

// ANCHOR: new_instance
/// Converts every argument, then allocates an instance of `subtype` and moves the finished
/// state in.
fn new_instance(
    subtype: Subtype<IterState>,
    coefficients: Borrowed,
    initial: Borrowed,
    modulus: Option<Borrowed>,
) -> PyResult<Owned> {
    let modulus = args::modulus(NAME, modulus)?;
    let (coef, init) = args::recurrence(NAME, coefficients, initial)?;
    allocate(subtype, IterState::new(coef, &init, modulus)?)
}
// ANCHOR_END: new_instance

// ANCHOR: tp_iternext
/// `tp_iternext`: the next value, as a new reference. NULL without an exception would mean
/// "exhausted"; a Lucas sequence never is, so NULL here always carries an exception.
struct Next;

impl Method<IterState> for Next {
    #[inline(always)]
    fn call(this: This) -> PyResult<Owned> {
        this.locked(IterState::next).map(Int::into_owned)
    }
}
// ANCHOR_END: tp_iternext

/// `tp_repr`: `LucasIter((1, 1), (5, 8), mod=7)`, built from the current window so that
/// evaluating it gives an iterator that continues identically. Named after the object's
/// actual type, as `itertools` does; every int is an exact int, formatted by `int` itself.
struct Repr;

impl Method<IterState> for Repr {
    fn call(this: This) -> PyResult<Owned> {
        let window = this.locked(IterState::window)?;
        let state = this.get();
        let mut text = format!("{}(", this.object().type_name());
        push_tuple(&mut text, &state.coefficients)?;
        text.push_str(", ");
        push_tuple(&mut text, &window)?;
        if let Some(m) = &state.modulus {
            text.push_str(", mod=");
            text.push_str(&pyint::literal(m.borrow())?);
        }
        text.push(')');
        new_str(&text)
    }
}

/// Appends `(a, b)` or `(a,)`.
fn push_tuple(text: &mut String, items: &[Int]) -> PyResult<()> {
    text.push('(');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        text.push_str(&pyint::literal(item.borrow())?);
    }
    text.push_str(if items.len() == 1 { ",)" } else { ")" });
    Ok(())
}

/// A tuple of ints.
fn int_tuple(items: Vec<Int>) -> PyResult<Owned> {
    new_tuple(items.into_iter().map(Int::into_owned))
}

/// `__reduce__`: what `pickle` and `copy` use. Returns
/// `(lucas._reconstruct, (type(self), coefficients, window, mod), self.__getstate__())`:
/// O(k), independent of how far the iterator has run. `_reconstruct` calls this type's own
/// constructor for the subclass, so a subclass's `__new__`/`__init__` with other signatures
/// does not get in the way, and the default `__getstate__` carries a subclass's `__dict__`
/// and `__slots__`.
// ANCHOR: reduce
struct Reduce;

impl Method<IterState> for Reduce {
    fn call(this: This) -> PyResult<Owned> {
        // The window is copied out before the tuple is made: a tuple is GC-tracked, so
        // allocating one may run a finaliser, which may switch threads, and another thread's
        // next() must not find the state borrowed then.
        let window = int_tuple(this.locked(IterState::window)?)?;
        let state = this.get();
        let cls = this.object().get_type().new_ref();
        let modulus = state.modulus.clone().map_or_else(none, Int::into_owned);
        let args = new_tuple(vec![cls, int_tuple(state.coefficients.to_vec())?, window, modulus])?;
        let getstate = call_method(this.object(), c"__getstate__", &[], None)?;
        let reconstruct = getattr(import(c"lucas")?.borrow(), c"_reconstruct")?;
        new_tuple(vec![reconstruct, args, getstate])
    }
}
// ANCHOR_END: reduce

/// `lucas._reconstruct(cls, coefficients, window, mod, /)` (declared with the module's
/// functions): the other half of `__reduce__`.
pub(crate) fn reconstruct(args: [Borrowed; 4]) -> PyResult<Owned> {
    const FUNC: &str = "_reconstruct";
    let [cls, coef, window, modulus] = args;
    let Some(subtype) = Subtype::new(cls) else {
        return Err(PyErr::new(
            ExcType::TypeError,
            format!("{FUNC}() argument 'cls' must be a subclass of {NAME}, not {}", cls.type_name()),
        ));
    };
    new_instance(subtype, coef, window, Some(modulus))
}

/// `__sizeof__`: the instance plus every buffer its state owns (the coefficients array, the
/// state's window and coefficients), so `sys.getsizeof` is honest. Like `list.__sizeof__`,
/// it does not count the int objects it refers to.
struct SizeOf;

impl Method<IterState> for SizeOf {
    fn call(this: This) -> PyResult<Owned> {
        let heap = this.locked(IterState::heap_bytes)?;
        pyint::from_u64(this.object().type_basicsize() as u64 + heap as u64).map(Int::into_owned)
    }
}

// ANCHOR: advance
/// `advance(n, /)` (METH_O): moves the window n terms on, or back for a negative n; on error
/// the iterator is unchanged. The whole read-jump-replace runs in the object's critical
/// section (free-threaded builds).
struct Advance;

impl MethodO<IterState> for Advance {
    fn call(this: This, n: Borrowed) -> PyResult<Owned> {
        let n = args::integer("advance", "n", n)?;
        this.locked(|state| state.advance(&n))?;
        Ok(none())
    }
}
// ANCHOR_END: advance

// ANCHOR: type_methods
static LUCAS_ITER_METHODS: StaticCell<[ffi::PyMethodDef; 4]> = StaticCell::new(method_table([
    ffi::PyMethodDef {
        ml_name: c"advance".as_ptr(),
        ml_meth: ffi::PyMethodDefPointer { PyCFunction: meth_o::<IterState, Advance> },
        ml_flags: ffi::METH_O,
        ml_doc: c"advance($self, n, /)\n--\n\nMove the iterator n terms ahead (or back, for a negative n), in O(k**2 log |n|).\n\nAfterwards it continues exactly as if n items had been taken. A negative n\nneeds a recurrence that runs backwards (coefficients[0] 1 or -1 without mod,\ninvertible modulo mod with it); on any error the iterator is unchanged.\n\n>>> it = LucasIter([1, 1], [0, 1])\n>>> it.advance(10); next(it)\n55"
            .as_ptr(),
    },
    ffi::PyMethodDef {
        ml_name: c"__reduce__".as_ptr(),
        ml_meth: ffi::PyMethodDefPointer { PyCFunction: noargs::<IterState, Reduce> },
        ml_flags: ffi::METH_NOARGS,
        ml_doc: c"__reduce__($self, /)\n--\n\nReturn state information for pickling and copying (O(k), any position)."
            .as_ptr(),
    },
    ffi::PyMethodDef {
        ml_name: c"__sizeof__".as_ptr(),
        ml_meth: ffi::PyMethodDefPointer { PyCFunction: noargs::<IterState, SizeOf> },
        ml_flags: ffi::METH_NOARGS,
        ml_doc: c"__sizeof__($self, /)\n--\n\nSize of the iterator in memory, in bytes.".as_ptr(),
    },
    ffi::PyMethodDef::zeroed(),
]));
// ANCHOR_END: type_methods

/// Getter of the read-only attribute `coefficients`. With no setter in the table, CPython's
/// getset descriptor itself raises AttributeError on assignment or deletion.
struct Coefficients;

impl Method<IterState> for Coefficients {
    fn call(this: This) -> PyResult<Owned> {
        int_tuple(this.get().coefficients.to_vec())
    }
}

// ANCHOR: getter
/// Getter of the read-only attribute `mod`.
struct Mod;

impl Method<IterState> for Mod {
    fn call(this: This) -> PyResult<Owned> {
        Ok(this.get().modulus.clone().map_or_else(none, Int::into_owned))
    }
}
// ANCHOR_END: getter

/// Getter of the read-only attribute `state`: the k current values x_n .. x_{n+k-1}, oldest
/// first, as a tuple (what `repr` shows as the second argument).
struct State;

impl Method<IterState> for State {
    fn call(this: This) -> PyResult<Owned> {
        // The window is copied out before the tuple (GC-tracked) is made, as in `__reduce__`.
        int_tuple(this.locked(IterState::window)?)
    }
}

static LUCAS_ITER_GETSET: StaticCell<[ffi::PyGetSetDef; 4]> = StaticCell::new([
    ffi::PyGetSetDef {
        name: c"coefficients".as_ptr(),
        get: Some(getter::<IterState, Coefficients>),
        set: None,
        doc: c"The coefficients c_0, ..., c_{k-1} as a tuple of ints (c_0 pairs with the oldest value).".as_ptr(),
        closure: ptr::null_mut(),
    },
    ffi::PyGetSetDef {
        name: c"mod".as_ptr(),
        get: Some(getter::<IterState, Mod>),
        set: None,
        doc: c"The modulus every value is reduced by, or None.".as_ptr(),
        closure: ptr::null_mut(),
    },
    ffi::PyGetSetDef {
        name: c"state".as_ptr(),
        get: Some(getter::<IterState, State>),
        set: None,
        doc: c"The k current values x_n, ..., x_{n+k-1} as a tuple of ints, oldest first: the next k values next() \
               returns."
            .as_ptr(),
        closure: ptr::null_mut(),
    },
    // The sentinel that ends the table, as in C.
    ffi::PyGetSetDef { name: ptr::null(), get: None, set: None, doc: ptr::null(), closure: ptr::null_mut() },
]);

const LUCAS_ITER_DOC: &CStr = c"LucasIter(coefficients, initial, /, *, mod=None)
--

Iterate over the linear recurrence with the given coefficients and initial values.

Yields x_0, x_1, ... where x_0 .. x_{k-1} are `initial` and
x_{n+k} = c_0*x_n + c_1*x_{n+1} + ... + c_{k-1}*x_{n+k-1}
(c_0 pairs with the oldest value). Both arguments are iterables of integers of the same
length k >= 1. Values are exact ints. With `mod` (a positive integer) every value, the
initial ones included, is reduced into range(mod). The read-only attributes
`coefficients`, `mod` and `state` (the k current values, oldest first) describe the
iterator.

>>> from itertools import islice
>>> list(islice(LucasIter([1, 1], [0, 1]), 10))
[0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
>>> it = LucasIter([1, 1], [0, 1])
>>> next(it), next(it), it.state
(0, 1, (1, 2))
";

// ANCHOR: type_object
/// The type object's contents, as a C static initialiser would spell them.
const fn lucas_iter_type_object() -> ffi::PyTypeObject {
    let mut t = zeroed_type_object();
    t.ob_base = ffi::PyVarObject { ob_base: ffi::PyObject_HEAD_INIT, ob_size: 0 };
    t.tp_name = c"lucas.LucasIter".as_ptr();
    t.tp_basicsize = PyClassObject::<IterState>::BASICSIZE;
    t.tp_weaklistoffset = PyClassObject::<IterState>::WEAKLIST_OFFSET;
    let flags = ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_BASETYPE;
    // On a free-threaded build CPython reads and writes tp_flags atomically (other threads
    // read it while CPython updates it), and pyo3-ffi declares the field as an atomic there;
    // our readers load it atomically there (`Borrowed::type_flags`).
    #[cfg(Py_GIL_DISABLED)]
    {
        t.tp_flags = std::sync::atomic::AtomicU64::new(flags);
    }
    #[cfg(not(Py_GIL_DISABLED))]
    {
        t.tp_flags = flags;
    }
    t.tp_doc = LUCAS_ITER_DOC.as_ptr();
    t.tp_new = Some(lucas_iter_new);
    t.tp_vectorcall = Some(lucas_iter_vectorcall);
    t.tp_dealloc = Some(tp_dealloc::<IterState>);
    // `iter(it) is it`: CPython's own helper returns a new reference to self, as
    // itertools' iterators do. It is C code and cannot panic, so it needs no guard.
    t.tp_iter = Some(ffi::PyObject_SelfIter);
    t.tp_iternext = Some(slot::<IterState, Next>);
    t.tp_getset = LUCAS_ITER_GETSET.get().cast();
    t.tp_methods = LUCAS_ITER_METHODS.get().cast();
    t.tp_repr = Some(slot::<IterState, Repr>);
    t
}
// ANCHOR_END: type_object
