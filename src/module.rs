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

use crate::boundary::{guard, install_panic_hook};
use crate::cstatic::StaticCell;
use crate::functions::{init_small_terms, METHODS};
use crate::lucas_iter::LUCAS_ITER_TYPE;
use crate::refs::Owned;
use pyo3_ffi as ffi;
use std::ffi::CStr;
use std::ptr;

const DOC: &CStr = c"Lucas sequences and general linear recurrences, exact and fast.

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

All results are exact ints; with mod every result lies in range(mod). The
n-th term functions take O(log |n|) steps.

>>> from itertools import islice
>>> from lucas import LucasIter, fibonacci
>>> list(islice(LucasIter([1, 1], [2, 1]), 8))   # Lucas numbers
[2, 1, 3, 4, 7, 11, 18, 29]
>>> fibonacci(100)
354224848179261915075
";

/// The version of the crate, which is also the package's version (single-sourced in
/// Cargo.toml; setup.py reads it from there).
const VERSION: &CStr = match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
    Ok(v) => v,
    Err(_) => panic!("the version has no NUL byte"),
};

static MODULE_DEF: StaticCell<ffi::PyModuleDef> = StaticCell::new(ffi::PyModuleDef {
    m_base: ffi::PyModuleDef_HEAD_INIT,
    m_name: c"lucas".as_ptr(),
    m_doc: DOC.as_ptr(),
    // -1: the module keeps its state in statics, so it cannot be re-initialised per
    // interpreter (the single-phase contract).
    m_size: -1,
    m_methods: METHODS.get().cast(),
    m_slots: ptr::null_mut(),
    m_traverse: None,
    m_clear: None,
    m_free: None,
});

/// The module initialiser that `import lucas` calls.
#[no_mangle]
pub extern "C" fn PyInit_lucas() -> *mut ffi::PyObject /* new reference */ {
    guard(ptr::null_mut(), || {
        install_panic_hook();
        init_small_terms()?;
        // SAFETY: the def is a static that lives forever, as PyModule_Create requires; the
        // result is a new reference or NULL with an exception.
        let module = unsafe { Owned::from_owned_ptr(ffi::PyModule_Create(MODULE_DEF.get())) }?;
        let ty = LUCAS_ITER_TYPE.get();
        // SAFETY: readying a static type fills in its inherited slots; idempotent.
        if unsafe { ffi::PyType_Ready(ty) } < 0 {
            return Err(crate::error::PyErr::fetch());
        }
        // SAFETY: `module` is live; the type is borrowed (AddObjectRef takes its own
        // reference); the names and the version are NUL-terminated statics.
        unsafe {
            if ffi::PyModule_AddObjectRef(module.as_ptr(), c"LucasIter".as_ptr(), ty.cast()) < 0
                || ffi::PyModule_AddStringConstant(module.as_ptr(), c"__version__".as_ptr(), VERSION.as_ptr()) < 0
            {
                return Err(crate::error::PyErr::fetch());
            }
        }
        // SAFETY: `module` is live and the table is a static, NULL-terminated method table.
        if unsafe { ffi::PyModule_AddFunctions(module.as_ptr(), crate::prime_tests::METHODS.get().cast()) } < 0 {
            return Err(crate::error::PyErr::fetch());
        }
        #[cfg(feature = "selftest")]
        // SAFETY: `module` is live and the table is a static, NULL-terminated method table.
        if unsafe { ffi::PyModule_AddFunctions(module.as_ptr(), crate::selftest::METHODS.get().cast()) } < 0 {
            return Err(crate::error::PyErr::fetch());
        }
        Ok(module.into_ptr())
    })
}
