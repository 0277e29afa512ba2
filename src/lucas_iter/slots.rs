//! The `LucasIter` type: a static `PyTypeObject` with `tp_new`, `tp_dealloc`, `tp_iter` and
//! `tp_iternext` (CPython docs, "Defining Extension Types: Tutorial", and "Type Objects").
//!
//! An instance is a C struct: the `PyObject` header CPython needs, followed by an ordinary
//! Rust value ([`IterState`]) that `tp_new` writes in one piece and `tp_dealloc` drops in one
//! piece, so every field is owned by a Rust type and freed by its `Drop`. How the values are
//! kept and advanced is [`crate::lucas_iter::state`]'s business; this file is the CPython side.
//!
//! GC: the base type is not GC-tracked (no `Py_TPFLAGS_HAVE_GC`). Its state holds only
//! exact ints, which can never refer back to anything, so an
//! instance can never be part of a reference cycle. A Python subclass that adds a
//! `__dict__` gets GC support from `type.__new__` automatically (it sets HAVE_GC and uses
//! `subtype_traverse`), which is why `tp_dealloc` frees through `Py_TYPE(self)->tp_free`.
//!
//! Threads: every slot runs with the GIL held and no slot runs Python code while it touches
//! the state (operands are exact ints), so one `next()` cannot interleave with another. The
//! state still sits in a `RefCell`, making "no re-entry" a checked fact instead of a
//! comment. The one slot that lets go of the GIL while it holds the state is `advance`, for a
//! long jump; other threads then wait for it ([`Mover`], `capi/gil.rs`). On a free-threaded build (PEP 703) that is not enough: every slot that reads or
//! moves the engine (`advance` included) runs inside a per-object critical section
//! (`Py_BEGIN_CRITICAL_SECTION`, see `capi/critical_section.rs`; nothing on GIL builds). The
//! coefficients and the modulus are never written after `tp_new`, so their getters need no
//! lock.

use crate::capi::args;
use crate::capi::boundary::guard;
use crate::capi::critical_section::with_object_locked;
use crate::capi::cstatic::StaticCell;
use crate::capi::error::{value_error, ExcType, PyErr, PyResult};
use crate::capi::exact_int::{ExactInt, Modulus};
use crate::capi::gil::{allow_threads, Mover};
use crate::capi::objects::{call_method, getattr, import, new_str, new_tuple};
use crate::capi::pyint;
use crate::capi::refs::{borrow_all, none, Borrowed, Owned};
use crate::functions::nth_term::Jump;
use crate::lucas_iter::state::Engine;
use lucas_core::jump::fiduccia::Want::Window;
use pyo3_ffi as ffi;
use std::cell::RefCell;
use std::ffi::c_void;
use std::ptr::{self, addr_of_mut};

const NAME: &str = "LucasIter";

/// The type object, `LucasIter_Type` in C. `PyInit_lucas` readies it.
pub static LUCAS_ITER_TYPE: StaticCell<ffi::PyTypeObject> = StaticCell::new(type_object());

// ANCHOR: instance_layout
/// The instance layout: `tp_basicsize` is its size.
#[repr(C)]
struct LucasIterObject {
    ob_base: ffi::PyObject,
    state: IterState,
}
// ANCHOR_END: instance_layout

// ANCHOR: iter_state
/// Everything an instance owns, as one Rust value.
struct IterState {
    /// The coefficients as given (exact ints). The attribute builds a tuple from them when
    /// asked: most iterators are never asked, and construction is on the hot path.
    coefficients: Box<[Owned]>,
    /// The modulus as given, or None.
    modulus: Option<Owned>,
    /// The window and the arithmetic; mutated by `tp_iternext`.
    engine: RefCell<Engine>,
    /// Which thread is changing the engine in `advance`, whose jump may release the GIL:
    /// another thread that finds the engine borrowed then waits instead of failing.
    mover: Mover,
}
// ANCHOR_END: iter_state

/// The type object as an object, e.g. to compare a class with.
pub(crate) fn lucas_iter_type() -> Borrowed<'static> {
    // SAFETY: a static type object lives for the whole process.
    unsafe { Borrowed::from_ptr(LUCAS_ITER_TYPE.get().cast()) }
}

// ANCHOR: instance
/// A slot's `self`: the object, and the Rust state inside it.
///
/// # Safety
/// `obj` is a live instance of `LucasIter` or a subclass (so it has this layout and its
/// state was written by `tp_new`), borrowed for `'a`.
unsafe fn instance<'a>(obj: *mut ffi::PyObject) -> (Borrowed<'a>, &'a IterState) {
    // SAFETY: per the contract, `obj` is live and points at an initialised `LucasIterObject`.
    unsafe { (Borrowed::from_ptr(obj), &(*obj.cast::<LucasIterObject>()).state) }
}
// ANCHOR_END: instance

// ANCHOR: state_next
/// Every access to the engine goes through these methods: a `RefCell` borrow for as long as
/// the engine is read or stepped, and never while Python code could run, except during
/// `advance`'s jump (see [`IterState::wait`]).
impl IterState {
    /// Yields the current value and advances (the body of `tp_iternext`).
    #[inline(always)]
    fn next(&self) -> PyResult<Owned> {
        match self.engine.try_borrow_mut() {
            Ok(mut engine) => engine.next(self.modulus.as_ref()),
            Err(_) => self.next_after_wait(),
        }
    }

    #[cold]
    #[inline(never)]
    fn next_after_wait(&self) -> PyResult<Owned> {
        loop {
            self.wait()?;
            if let Ok(mut engine) = self.engine.try_borrow_mut() {
                return engine.next(self.modulus.as_ref());
            }
        }
    }

    /// The current window x_n .. x_{n+k-1}, oldest first.
    fn window(&self) -> PyResult<Vec<Owned>> {
        loop {
            match self.engine.try_borrow() {
                Ok(engine) => return engine.window(),
                Err(_) => self.wait()?,
            }
        }
    }

    /// Bytes of heap memory the state owns: the coefficients array and the engine's buffers.
    fn heap_bytes(&self) -> PyResult<usize> {
        loop {
            match self.engine.try_borrow() {
                Ok(engine) => return Ok(std::mem::size_of_val(&*self.coefficients) + engine.heap_bytes()),
                Err(_) => self.wait()?,
            }
        }
    }

    /// The engine is borrowed. Either another thread is in `advance` with the GIL released
    /// (then this waits for it to finish, and the caller looks again), or this thread
    /// re-entered: a signal handler or a finaliser that runs while `advance` checks for
    /// signals calls into the iterator. That would see a half-changed state, so it fails.
    #[cold]
    fn wait(&self) -> PyResult<()> {
        if self.mover.wait_for_other_thread()? {
            Ok(())
        } else {
            Err(already_running())
        }
    }
}
// ANCHOR_END: state_next

// ANCHOR: tp_new
/// `tp_new`: binds the arguments and builds the instance.
unsafe extern "C" fn lucas_iter_new(
    subtype: *mut ffi::PyTypeObject,
    args: *mut ffi::PyObject,   // borrowed: tuple
    kwargs: *mut ffi::PyObject, // borrowed: dict or NULL
) -> *mut ffi::PyObject /* new reference */ {
    guard(ptr::null_mut(), || {
        // SAFETY: CPython passes a tuple and a dict or NULL, borrowed for this call.
        let ([coefficients, initial], modulus) =
            unsafe { args::bind_tuple(NAME, ["coefficients", "initial"], args, kwargs) }?;
        // SAFETY: CPython calls tp_new with a ready subtype of this type.
        unsafe { new_instance(subtype, coefficients, initial, modulus) }.map(Owned::into_ptr)
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
        let ty = LUCAS_ITER_TYPE.get();
        if callable.cast() != ty {
            // A subclass that inherited the slot: take the general route, so its
            // `__new__`/`__init__` run as they would for any class.
            // SAFETY: `callable` is a live type object and the arguments are exactly as this
            // vectorcall function received them.
            return unsafe { slow_type_call(callable, args, nargsf, kwnames) };
        }
        // SAFETY: CPython passes the vectorcall arguments as PEP 590 specifies.
        let ([coefficients, initial], modulus) =
            unsafe { args::bind_fastcall(NAME, ["coefficients", "initial"], args, nargsf, kwnames) }?;
        // SAFETY: `ty` is this ready type. No `tp_init` to run: LucasIter has none.
        unsafe { new_instance(ty, coefficients, initial, modulus) }.map(Owned::into_ptr)
    })
}
// ANCHOR_END: tp_vectorcall

/// `type.__call__(callable, *args, **kwargs)` from vectorcall arguments.
///
/// # Safety
/// As for a vectorcall function; `callable` is a live type object; the GIL is held.
#[cold]
unsafe fn slow_type_call(
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargsf: usize,
    kwnames: *mut ffi::PyObject,
) -> PyResult<*mut ffi::PyObject> {
    // SAFETY: the arrays are as the caller guarantees; every pointer handed to CPython is a
    // live object. The metatype's `tp_call` (`type_call`) is called directly: the generic
    // `PyObject_Call` would come back to this vectorcall slot.
    unsafe {
        let nargs = args::vectorcall_nargs(nargsf);
        let all = crate::capi::refs::borrowed_array(args, nargs + crate::capi::refs::tuple_items(kwnames).len());
        let positional = new_tuple(all[..nargs].iter().map(|b| b.new_ref()).collect())?;
        let kwargs = if kwnames.is_null() {
            None
        } else {
            let d = Owned::from_owned_ptr_or_err(ffi::PyDict_New())?;
            for (k, v) in crate::capi::refs::tuple_items(kwnames).iter().zip(&all[nargs..]) {
                if ffi::PyDict_SetItem(d.as_ptr(), k.as_ptr(), v.as_ptr()) < 0 {
                    return Err(PyErr::fetch());
                }
            }
            Some(d)
        };
        let call = (*std::ptr::addr_of!(ffi::PyType_Type)).tp_call.expect("type has tp_call");
        let kw = kwargs.as_ref().map_or(ptr::null_mut(), Owned::as_ptr);
        Owned::from_owned_ptr_or_err(call(callable, positional.as_ptr(), kw)).map(Owned::into_ptr)
    }
}

/// Converts every argument, then allocates an instance of `subtype` and moves the finished
/// state in. Nothing fallible happens between allocation and initialisation, so
/// `tp_dealloc` never sees a half-built object.
///
/// # Safety
/// `subtype` is a ready type that is `LucasIter` or a subclass of it; the GIL is held.
unsafe fn new_instance(
    subtype: *mut ffi::PyTypeObject,
    coefficients: Borrowed,
    initial: Borrowed,
    modulus: Option<Borrowed>,
) -> PyResult<Owned> {
    let modulus = args::modulus(NAME, modulus)?;
    let coef = args::integer_items(NAME, "coefficients", coefficients)?;
    // What the closure below sees: exact ints and the modulus (see `with_integer_items`).
    let coef_ints = ExactInt::all(borrow_all(&coef)).expect("integer_items returns exact ints");
    let modulus_view = modulus.as_ref().map(Modulus::new);
    // The initial values only seed the engine, so they are read in place where possible.
    let engine = args::with_integer_items(NAME, "initial", initial, |init| {
        if coef_ints.is_empty() {
            return value_error(format!("{NAME}() argument 'coefficients' must not be empty"));
        }
        if coef_ints.len() != init.len() {
            return value_error(format!(
                "{NAME}() arguments 'coefficients' and 'initial' must have the same length ({} != {})",
                coef_ints.len(),
                init.len()
            ));
        }
        Engine::new(coef_ints, init, modulus_view.as_ref())
    })?;
    let engine = RefCell::new(engine);
    let state = IterState { coefficients: coef.into_boxed_slice(), modulus, engine, mover: Mover::new() };

    // ANCHOR: allocate
    let raw = if subtype == LUCAS_ITER_TYPE.get() {
        // The exact type: `PyObject_New`, as C types do. Unlike `tp_alloc` it does not zero
        // the memory, which is right here: the state is written in full just below.
        // SAFETY: a ready static type; the result is a new reference or NULL (MemoryError).
        unsafe { ffi::PyObject_New::<ffi::PyObject>(subtype) }
    } else {
        // A subclass may add a `__dict__`, `__slots__` or GC header that must start zeroed
        // (and be tracked): its own `tp_alloc` (`PyType_GenericAlloc`) does that.
        // SAFETY: `subtype` is ready (caller), so tp_alloc is set.
        let alloc = unsafe { (*subtype).tp_alloc }.expect("PyType_Ready sets tp_alloc");
        // SAFETY: as above; a new reference or NULL comes back.
        unsafe { alloc(subtype, 0) }
    };
    // SAFETY: `raw` is a new reference or NULL with MemoryError set.
    let obj = unsafe { Owned::from_owned_ptr_or_err(raw) }?;
    // SAFETY: the allocation has our layout (a subclass only appends to it) and its state
    // field is uninitialised memory that nothing reads before this write.
    unsafe { ptr::write(addr_of_mut!((*obj.as_ptr().cast::<LucasIterObject>()).state), state) };
    Ok(obj)
    // ANCHOR_END: allocate
}

// ANCHOR: tp_dealloc
/// `tp_dealloc`: drops the Rust state, then frees the memory with the allocator of the
/// object's *actual* type (`tp_free`), which for a GC-enabled subclass is `PyObject_GC_Del`.
unsafe extern "C" fn lucas_iter_dealloc(obj: *mut ffi::PyObject /* borrowed, last reference */) {
    crate::capi::boundary::guard_void(|| {
        // SAFETY: the refcount reached zero, so nothing else can reach `obj`; its state was
        // written by tp_new and is dropped exactly once here.
        unsafe { ptr::drop_in_place(addr_of_mut!((*obj.cast::<LucasIterObject>()).state)) };
        // SAFETY: the type of a live object is a ready type with tp_free set.
        let free = unsafe { (*ffi::Py_TYPE(obj)).tp_free }.expect("PyType_Ready sets tp_free");
        // SAFETY: `obj` came from the allocator `tp_free` pairs with (`PyObject_New` for
        // the exact type, whose tp_free is `PyObject_Free`; the subclass's tp_alloc
        // otherwise) and its contents are dropped.
        unsafe { free(obj.cast()) };
        Ok(())
    })
}
// ANCHOR_END: tp_dealloc

// ANCHOR: tp_iternext
/// `tp_iternext`: the next value, as a new reference. NULL without an exception would mean
/// "exhausted"; a Lucas sequence never is, so NULL here always carries an exception.
unsafe extern "C" fn lucas_iter_next(obj: *mut ffi::PyObject /* borrowed */) -> *mut ffi::PyObject /* new reference */ {
    guard(ptr::null_mut(), || {
        // SAFETY: CPython calls tp_iternext only on instances of this type or a subclass.
        let (_, state) = unsafe { instance(obj) };
        // SAFETY: `obj` is alive for the call; the thread is attached (CPython called us).
        unsafe { with_object_locked(obj, || state.next()) }.map(Owned::into_ptr)
    })
}
// ANCHOR_END: tp_iternext

/// `tp_repr`: `LucasIter((1, 1), (5, 8), mod=7)`, built from the current window so that
/// evaluating it gives an iterator that continues identically. Named after the object's
/// actual type, as `itertools` does; every int is an exact int, formatted by `int` itself.
unsafe extern "C" fn lucas_iter_repr(obj: *mut ffi::PyObject /* borrowed */) -> *mut ffi::PyObject /* new reference */ {
    guard(ptr::null_mut(), || {
        // SAFETY: CPython calls tp_repr only on instances of this type or a subclass.
        let (this, state) = unsafe { instance(obj) };
        // SAFETY: `obj` is alive for the call; the thread is attached.
        let window = unsafe { with_object_locked(obj, || state.window()) }?;
        let name = this.type_name();
        let coef = state.coefficients.iter().map(Owned::borrow);
        let mut text = format!("{name}(");
        push_tuple(&mut text, coef)?;
        text.push_str(", ");
        push_tuple(&mut text, window.iter().map(Owned::borrow))?;
        if let Some(m) = &state.modulus {
            text.push_str(", mod=");
            text.push_str(&pyint::literal(m.borrow())?);
        }
        text.push(')');
        new_str(&text).map(Owned::into_ptr)
    })
}

/// Appends `(a, b)` or `(a,)`.
fn push_tuple<'a>(text: &mut String, items: impl ExactSizeIterator<Item = Borrowed<'a>>) -> PyResult<()> {
    let single = items.len() == 1;
    text.push('(');
    for (i, item) in items.enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        text.push_str(&pyint::literal(item)?);
    }
    text.push_str(if single { ",)" } else { ")" });
    Ok(())
}

/// `__reduce__`: what `pickle` and `copy` use. Returns
/// `(lucas._reconstruct, (type(self), coefficients, window, mod), self.__getstate__())`:
/// O(k), independent of how far the iterator has run (itertools' removed pickling replayed
/// iteration). `_reconstruct` calls this type's own constructor for the subclass, so a
/// subclass's `__new__`/`__init__` with other signatures does not get in the way, and the
/// default `__getstate__` carries a subclass's `__dict__` and `__slots__`.
// ANCHOR: reduce
unsafe extern "C" fn lucas_iter_reduce(
    obj: *mut ffi::PyObject, /* borrowed */
    _: *mut ffi::PyObject,
) -> *mut ffi::PyObject /* new reference */ {
    guard(ptr::null_mut(), || {
        // SAFETY: method descriptors check the instance's type before calling.
        let (this, state) = unsafe { instance(obj) };
        // The window is copied out before the tuple is made: a tuple is GC-tracked, so
        // allocating one may run a finaliser, which may switch threads, and another thread's
        // next() must not find the state borrowed then.
        // SAFETY: `obj` is alive for the call; the thread is attached.
        let window = new_tuple(unsafe { with_object_locked(obj, || state.window()) }?)?;
        let cls = this.type_object().new_ref();
        let modulus = state.modulus.clone().unwrap_or_else(none);
        let args = new_tuple(vec![cls, new_tuple(state.coefficients.to_vec())?, window, modulus])?;
        let getstate = call_method(this, c"__getstate__", &[])?;
        let reconstruct = getattr(import(c"lucas")?.borrow(), c"_reconstruct")?;
        new_tuple(vec![reconstruct, args, getstate]).map(Owned::into_ptr)
    })
}
// ANCHOR_END: reduce

/// The body of `lucas._reconstruct(cls, coefficients, window, mod, /)` (declared with the
/// module's functions): the other half of `__reduce__`.
pub(crate) fn new_from_reduce_args(args: [Borrowed; 4], keyword: Option<Borrowed>) -> PyResult<Owned> {
    const FUNC: &str = "_reconstruct";
    let [cls, coef, window, modulus] = args;
    if keyword.is_some() {
        return Err(PyErr::new(ExcType::TypeError, format!("{FUNC}() takes no keyword arguments")));
    }
    if !cls.is_subclass_of(lucas_iter_type()) {
        return Err(PyErr::new(
            ExcType::TypeError,
            format!("{FUNC}() argument 'cls' must be a subclass of {NAME}, not {}", cls.type_name()),
        ));
    }
    // SAFETY: `cls` is a subtype of LucasIter, hence ready (it has instances' layout).
    unsafe { new_instance(cls.as_ptr().cast(), coef, window, Some(modulus)) }
}

/// `__sizeof__`: the instance plus every buffer its state owns (the coefficients array, the
/// engine's window and coefficients), so `sys.getsizeof` is honest. Like `list.__sizeof__`,
/// it does not count the int objects it refers to.
unsafe extern "C" fn lucas_iter_sizeof(
    obj: *mut ffi::PyObject, /* borrowed */
    _: *mut ffi::PyObject,
) -> *mut ffi::PyObject /* new reference */ {
    guard(ptr::null_mut(), || {
        // SAFETY: method descriptors check the instance's type before calling.
        let (this, state) = unsafe { instance(obj) };
        // SAFETY: `obj` is alive for the call; the thread is attached.
        let heap = unsafe { with_object_locked(obj, || state.heap_bytes()) }?;
        pyint::from_u64(this.type_basicsize() as u64 + heap as u64).map(Owned::into_ptr)
    })
}

// ANCHOR: advance
/// `advance(n, /)` (METH_O): moves the window n terms on, or back for a negative n, by the
/// jump of `functions/nth_term.rs`; the engine is then rebuilt from the new window. On error the
/// iterator is unchanged: the engine is replaced only after everything else succeeded.
///
/// The engine stays borrowed for the whole jump, which releases the GIL when it is long.
/// Other threads that use the iterator meanwhile wait for the jump to end ([`Mover`]): to
/// them the jump happens at one instant, before or after their own call. Releasing the GIL
/// without that would let a `next()` from another thread fail with "already running"; copying
/// the state out and committing it afterwards would let the jump undo that thread's step.
/// Only a call from this very thread (a signal handler, while the jump checks for signals)
/// gets "already running" instead of a torn state.
unsafe extern "C" fn lucas_iter_advance(
    obj: *mut ffi::PyObject, /* borrowed */
    n: *mut ffi::PyObject,   /* borrowed */
) -> *mut ffi::PyObject /* new reference */ {
    guard(ptr::null_mut(), || {
        // SAFETY: method descriptors check the instance's type; METH_O passes one live object.
        let ((_, state), n) = unsafe { (instance(obj), Borrowed::from_ptr(n)) };
        let n = args::integer("advance", "n", n)?;
        // The whole read-jump-replace runs in the object's critical section (free-threaded
        // builds; see `capi/critical_section.rs`), suspended while the GIL is released.
        // SAFETY: `obj` is alive for the call; the thread is attached.
        unsafe {
            with_object_locked(obj, || {
                let mut engine = loop {
                    match state.engine.try_borrow_mut() {
                        Ok(engine) => break engine,
                        Err(_) => state.wait()?,
                    }
                };
                let window = engine.window()?;
                let coef = borrow_all(&state.coefficients);
                let modulus = state.modulus.as_ref();
                let jump = Jump::new("advance", coef, borrow_all(&window), modulus, n.borrow(), Window)?;
                let _moving = state.mover.start();
                let moved = jump.finish("advance", allow_threads(|poll| jump.run(poll))?)?;
                let exact = |v| ExactInt::all(v).expect("coefficients and windows are exact ints");
                *engine = Engine::new(exact(coef), exact(borrow_all(&moved)), modulus.map(Modulus::new).as_ref())?;
                Ok(())
            })
        }?;
        Ok(none().into_ptr())
    })
}
// ANCHOR_END: advance

// ANCHOR: type_methods
static LUCAS_ITER_METHODS: StaticCell<[ffi::PyMethodDef; 4]> = StaticCell::new([
    ffi::PyMethodDef {
        ml_name: c"advance".as_ptr(),
        ml_meth: ffi::PyMethodDefPointer { PyCFunction: lucas_iter_advance },
        ml_flags: ffi::METH_O,
        ml_doc: c"advance($self, n, /)\n--\n\nMove the iterator n terms ahead (or back, for a negative n), in O(k**2 log |n|).\n\nAfterwards it continues exactly as if n items had been taken. A negative n\nneeds a recurrence that runs backwards (coefficients[0] 1 or -1 without mod,\ninvertible modulo mod with it); on any error the iterator is unchanged.\n\n>>> it = LucasIter([1, 1], [0, 1])\n>>> it.advance(10); next(it)\n55"
            .as_ptr(),
    },
    ffi::PyMethodDef {
        ml_name: c"__reduce__".as_ptr(),
        ml_meth: ffi::PyMethodDefPointer { PyCFunction: lucas_iter_reduce },
        ml_flags: ffi::METH_NOARGS,
        ml_doc: c"__reduce__($self, /)\n--\n\nReturn state information for pickling and copying (O(k), any position)."
            .as_ptr(),
    },
    ffi::PyMethodDef {
        ml_name: c"__sizeof__".as_ptr(),
        ml_meth: ffi::PyMethodDefPointer { PyCFunction: lucas_iter_sizeof },
        ml_flags: ffi::METH_NOARGS,
        ml_doc: c"__sizeof__($self, /)\n--\n\nSize of the iterator in memory, in bytes.".as_ptr(),
    },
    ffi::PyMethodDef::zeroed(),
]);
// ANCHOR_END: type_methods

/// Getter of the read-only attribute `coefficients`. With no setter in the table, CPython's
/// getset descriptor itself raises AttributeError on assignment or deletion.
unsafe extern "C" fn get_coefficients(
    obj: *mut ffi::PyObject, /* borrowed */
    _closure: *mut c_void,
) -> *mut ffi::PyObject /* new reference */ {
    // SAFETY: getset descriptors check the instance's type before calling the getter.
    guard(ptr::null_mut(), || new_tuple(unsafe { instance(obj) }.1.coefficients.to_vec()).map(Owned::into_ptr))
}

// ANCHOR: getter
/// Getter of the read-only attribute `mod`.
unsafe extern "C" fn get_mod(obj: *mut ffi::PyObject /* borrowed */, _closure: *mut c_void) -> *mut ffi::PyObject /* new reference */
{
    // SAFETY: as for `get_coefficients`.
    guard(ptr::null_mut(), || Ok(unsafe { instance(obj) }.1.modulus.clone().unwrap_or_else(none).into_ptr()))
}
// ANCHOR_END: getter

/// Getter of the read-only attribute `state`: the k current values x_n .. x_{n+k-1}, oldest
/// first, as a tuple (what `repr` shows as the second argument).
unsafe extern "C" fn get_state(
    obj: *mut ffi::PyObject, /* borrowed */
    _closure: *mut c_void,
) -> *mut ffi::PyObject /* new reference */
{
    guard(ptr::null_mut(), || {
        // SAFETY: as for `get_coefficients`.
        let (_, state) = unsafe { instance(obj) };
        // The window is copied out before the tuple (GC-tracked) is made, as in `__reduce__`.
        // SAFETY: `obj` is alive for the call; the thread is attached.
        new_tuple(unsafe { with_object_locked(obj, || state.window()) }?).map(Owned::into_ptr)
    })
}

static LUCAS_ITER_GETSET: StaticCell<[ffi::PyGetSetDef; 4]> = StaticCell::new([
    ffi::PyGetSetDef {
        name: c"coefficients".as_ptr(),
        get: Some(get_coefficients),
        set: None,
        doc: c"The coefficients c_0, ..., c_{k-1} as a tuple of ints (c_0 pairs with the oldest value).".as_ptr(),
        closure: ptr::null_mut(),
    },
    ffi::PyGetSetDef {
        name: c"mod".as_ptr(),
        get: Some(get_mod),
        set: None,
        doc: c"The modulus every value is reduced by, or None.".as_ptr(),
        closure: ptr::null_mut(),
    },
    ffi::PyGetSetDef {
        name: c"state".as_ptr(),
        get: Some(get_state),
        set: None,
        doc: c"The k current values x_n, ..., x_{n+k-1} as a tuple of ints, oldest first: the next k values next() \
               returns."
            .as_ptr(),
        closure: ptr::null_mut(),
    },
    // The sentinel that ends the table, as in C.
    ffi::PyGetSetDef { name: ptr::null(), get: None, set: None, doc: ptr::null(), closure: ptr::null_mut() },
]);

#[cold]
fn already_running() -> PyErr {
    PyErr::new(ExcType::RuntimeError, format!("{NAME} is already running"))
}

const LUCAS_ITER_DOC: &std::ffi::CStr = c"LucasIter(coefficients, initial, /, *, mod=None)
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
const fn type_object() -> ffi::PyTypeObject {
    // SAFETY: all-zero bytes are a valid PyTypeObject (NULL pointers, None slots, zero
    // sizes and flags), exactly what a C static initialiser leaves in fields it omits.
    let mut t: ffi::PyTypeObject = unsafe { std::mem::zeroed() };
    t.ob_base = ffi::PyVarObject { ob_base: ffi::PyObject_HEAD_INIT, ob_size: 0 };
    t.tp_name = c"lucas.LucasIter".as_ptr();
    t.tp_basicsize = std::mem::size_of::<LucasIterObject>() as ffi::Py_ssize_t;
    let flags = ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_BASETYPE;
    // On a free-threaded build CPython reads and writes tp_flags atomically (other threads
    // read it while CPython updates it), and pyo3-ffi declares the field as an atomic there;
    // our readers go through PyType_GetFlags.
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
    t.tp_dealloc = Some(lucas_iter_dealloc);
    // `iter(it) is it`: CPython's own helper returns a new reference to self, as
    // itertools' iterators do. It is C code and cannot panic, so it needs no guard.
    t.tp_iter = Some(ffi::PyObject_SelfIter);
    t.tp_iternext = Some(lucas_iter_next);
    t.tp_getset = LUCAS_ITER_GETSET.get().cast();
    t.tp_methods = LUCAS_ITER_METHODS.get().cast();
    t.tp_repr = Some(lucas_iter_repr);
    t
}
// ANCHOR_END: type_object
