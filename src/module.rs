//! `PyInit_lucas`: the module's entry point (CPython docs, "Building C and C++ Extensions"
//! and "Module Objects"; PEP 489 for the multi-phase alternative).
//!
//! `import lucas` finds `lucas.cpython-311-x86_64-linux-gnu.so`, `dlopen`s it and calls the
//! exported symbol `PyInit_lucas`, which must return a new reference to the module object
//! (or NULL with an exception). This is *single-phase* initialisation: the module is created
//! right here from a static `PyModuleDef`. Multi-phase init (returning the def from
//! `PyModuleDef_Init`) pays off for modules with per-interpreter state; lucas's types are
//! static, which are shared by all interpreters anyway, so single-phase is the honest choice
//! (and importing lucas in a subinterpreter is not supported).
//!
//! Free-threaded CPython (PEP 703): a single-phase module cannot declare `Py_mod_gil_not_used`
//! (that is a multi-phase slot, or `PyUnstable_Module_SetGIL` here), so a `python3.14t`
//! turns the GIL back on when it imports lucas, with a RuntimeWarning. That is deliberate
//! until the type's critical sections have been stress-tested on such an interpreter (README,
//! "Supported Python versions").

use crate::capi::boundary::{guard, install_panic_hook};
use crate::capi::error::{PyErr, PyResult};
use crate::capi::object_calls::{add_to_module, dict_items, getattr, new_list, new_str, str_to_string};
use crate::capi::pyclass::{ready, type_object};
use crate::capi::refs::Borrowed;
use crate::capi::static_cell::StaticCell;
use crate::capi::typed_ffi as typed;
use crate::functions::terms::{init_small_terms, MODULE_METHODS};
use crate::lucas_iter::state::IterState;
use pyo3_ffi as ffi;
use std::ffi::CStr;
use std::ptr;

const MODULE_DOC: &CStr = c"Lucas sequences and general linear recurrences, exact and fast.

LucasIter(coefficients, initial, /, *, mod=None)
    Iterator over x_{n+k} = c_0*x_n + ... + c_{k-1}*x_{n+k-1} (c_0 pairs with
    the oldest value), starting from the given initial values.
fibonacci(n, /, *, mod=None), lucas(n, /, *, mod=None)
    F_n and L_n for any integer n.
lucas_u(n, p, q, /, *, mod=None), lucas_v(...), lucas_uv(...)
    U_n(P, Q) and V_n(P, Q); the index comes first (gmpy2 puts it last).
is_strong_prp(n, a, /), is_lucas_prp(n, p, q, /), is_strong_lucas_prp(...),
is_extra_strong_lucas_prp(n, p, /), is_selfridge_prp(n, /),
is_strong_selfridge_prp(n, /), is_bpsw_prp(n, /), is_strong_bpsw_prp(n, /)
    Probable-prime tests with gmpy2's names and argument order.
nth_term(coefficients, initial, n, /, *, mod=None)
    x_n of any LucasIter recurrence in O(k**2 log n); LucasIter.advance(n) jumps.
find_recurrence(terms, /, *, mod=None)
    (coefficients, initial) of a shortest recurrence generating terms.

All results are exact ints; with mod every result lies in range(mod). The
n-th term functions take O(log |n|) steps.

>>> from itertools import islice
>>> from lucas import LucasIter, fibonacci
>>> list(islice(LucasIter([1, 1], [2, 1]), 8))   # Lucas numbers
[2, 1, 3, 4, 7, 11, 18, 29]
>>> fibonacci(100)
354224848179261915075
";

// ANCHOR: module_def
static MODULE_DEF: StaticCell<ffi::PyModuleDef> = StaticCell::new(ffi::PyModuleDef {
    m_base: ffi::PyModuleDef_HEAD_INIT,
    m_name: c"lucas".as_ptr(),
    m_doc: MODULE_DOC.as_ptr(),
    // -1: the module keeps its state in statics, so it cannot be re-initialised per
    // interpreter (the single-phase contract).
    m_size: -1,
    m_methods: MODULE_METHODS.get().cast(),
    m_slots: ptr::null_mut(),
    m_traverse: None,
    m_clear: None,
    m_free: None,
});
// ANCHOR_END: module_def

// ANCHOR: pyinit
/// The module initialiser that `import lucas` calls.
#[no_mangle]
pub extern "C" fn PyInit_lucas() -> *mut ffi::PyObject /* new reference */ {
    guard(ptr::null_mut(), || {
        install_panic_hook();
        init_small_terms()?;
        // SAFETY: the def is a static that lives forever, as `PyModule_Create` requires (this
        // is what that macro expands to): a new reference to the module, or NULL with an
        // exception.
        let module =
            unsafe { typed::PyModule_Create2(MODULE_DEF.get(), ffi::PYTHON_API_VERSION) }.ok_or_else(PyErr::fetch)?;
        add_members(module.borrow())?;
        // Last, so that it lists whatever `add_members` added.
        set_all(module.borrow())?;
        Ok(module.into_ptr())
    })
}
// ANCHOR_END: pyinit

// ANCHOR: add_members
/// Everything the module holds besides `m_methods`. A new table of functions is added here
/// with `PyModule_AddFunctions`; `__all__` picks its public names up by itself.
fn add_members(module: Borrowed) -> PyResult<()> {
    ready::<IterState>()?;
    add_to_module(module, c"LucasIter", type_object::<IterState>())?;
    // The crate's version is the package's (single-sourced in Cargo.toml, which setup.py reads).
    add_to_module(module, c"__version__", new_str(env!("CARGO_PKG_VERSION"))?.borrow())?;
    add_functions(module, &crate::functions::primality::PRIME_TEST_METHODS)?;
    add_functions(module, &crate::functions::nth_term::NTH_TERM_METHODS)?;
    add_functions(module, &crate::functions::find::FIND_METHODS)?;
    #[cfg(feature = "selftest")]
    add_functions(module, &crate::functions::selftest::SELFTEST_METHODS)?;
    Ok(())
}
// ANCHOR_END: add_members

/// Adds a table of functions to the module (`PyModule_AddFunctions`), e.g.
/// `add_functions(module, &crate::some_file::SOME_METHODS)?` in [`add_members`].
fn add_functions<const N: usize>(module: Borrowed, table: &'static StaticCell<[ffi::PyMethodDef; N]>) -> PyResult<()> {
    // SAFETY: `module` is live, and the table is a static, NULL-terminated method table, as
    // CPython requires (it keeps pointers into it for the module's lifetime).
    if unsafe { ffi::PyModule_AddFunctions(module.as_ptr(), table.get().cast()) } < 0 {
        return Err(PyErr::fetch());
    }
    Ok(())
}

/// `__all__`: the sorted names of the module's public functions (the built-in function
/// objects that every `PyMethodDef` table added to it became, names not starting with `_`)
/// and of `LucasIter`. Read from the module's namespace, so a function added later in
/// [`add_members`] is listed without anyone maintaining a list.
fn set_all(module: Borrowed) -> PyResult<()> {
    let mut names = vec!["LucasIter".to_owned()];
    let namespace = getattr(module, c"__dict__")?;
    for (key, value) in dict_items(namespace.borrow()).unwrap_or_default() {
        if value.borrow().type_name() == "builtin_function_or_method" && key.borrow().is_str() {
            let name = str_to_string(key.borrow())?;
            if !name.starts_with('_') {
                names.push(name);
            }
        }
    }
    names.sort();
    let all = new_list(names.iter().map(|n| new_str(n)).collect::<PyResult<_>>()?)?;
    add_to_module(module, c"__all__", all.borrow())
}
