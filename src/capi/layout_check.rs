//! The Rust half of the layout check (see csrc/layout.c): every size and offset of a CPython
//! struct that lucas fills in must equal what the C compiler computes from the interpreter's
//! own headers. Runs in `cargo test`; a mismatch names the field.

use pyo3_ffi as ffi;
use std::collections::BTreeMap;
use std::ffi::CStr;
use std::mem::{offset_of, size_of};

/// `LUCAS_LAYOUT_NAME_BYTES` and `LUCAS_LAYOUT_ENTRIES` of csrc/layout.c.
const NAME_BYTES: usize = 48;
const ENTRIES: usize = 64;

/// `lucas_layout_entry`: the name inline (NUL-terminated), so an entry is plain data.
#[repr(C)]
struct Entry {
    name: [u8; NAME_BYTES],
    value: usize,
}

extern "C" {
    static lucas_layout_table: [Entry; ENTRIES];
}

macro_rules! size {
    ($t:ident) => {
        (concat!("sizeof ", stringify!($t)), size_of::<ffi::$t>())
    };
}
macro_rules! field {
    ($t:ident, $f:ident) => {
        (concat!(stringify!($t), ".", stringify!($f)), offset_of!(ffi::$t, $f))
    };
}

/// Rust's answers, in the same vocabulary as the C table.
fn rust_layout() -> Vec<(&'static str, usize)> {
    vec![
        size!(PyObject),
        #[cfg(Py_GIL_DISABLED)]
        field!(PyObject, ob_tid),
        #[cfg(Py_GIL_DISABLED)]
        field!(PyObject, ob_mutex),
        #[cfg(Py_GIL_DISABLED)]
        field!(PyObject, ob_gc_bits),
        #[cfg(Py_GIL_DISABLED)]
        field!(PyObject, ob_ref_local),
        #[cfg(Py_GIL_DISABLED)]
        field!(PyObject, ob_ref_shared),
        #[cfg(not(Py_GIL_DISABLED))]
        field!(PyObject, ob_refcnt),
        field!(PyObject, ob_type),
        size!(PyVarObject),
        field!(PyVarObject, ob_size),
        size!(PyTypeObject),
        field!(PyTypeObject, tp_name),
        field!(PyTypeObject, tp_basicsize),
        field!(PyTypeObject, tp_itemsize),
        field!(PyTypeObject, tp_dealloc),
        field!(PyTypeObject, tp_repr),
        field!(PyTypeObject, tp_flags),
        field!(PyTypeObject, tp_doc),
        field!(PyTypeObject, tp_traverse),
        field!(PyTypeObject, tp_iter),
        field!(PyTypeObject, tp_iternext),
        field!(PyTypeObject, tp_methods),
        field!(PyTypeObject, tp_getset),
        field!(PyTypeObject, tp_alloc),
        field!(PyTypeObject, tp_new),
        field!(PyTypeObject, tp_free),
        field!(PyTypeObject, tp_vectorcall),
        size!(PyModuleDef_Base),
        size!(PyModuleDef),
        field!(PyModuleDef, m_name),
        field!(PyModuleDef, m_doc),
        field!(PyModuleDef, m_size),
        field!(PyModuleDef, m_methods),
        field!(PyModuleDef, m_slots),
        field!(PyModuleDef, m_free),
        size!(PyMethodDef),
        field!(PyMethodDef, ml_name),
        field!(PyMethodDef, ml_meth),
        field!(PyMethodDef, ml_flags),
        field!(PyMethodDef, ml_doc),
        size!(PyGetSetDef),
        field!(PyGetSetDef, get),
        field!(PyGetSetDef, doc),
        #[cfg(not(Py_3_14))]
        ("PyLongObject.ob_digit", offset_of!(crate::capi::pyint::LongHead, ob_digit)),
        #[cfg(not(Py_3_14))]
        ("PyLong_SHIFT", 30),
        #[cfg(not(Py_3_14))]
        ("sizeof digit", size_of::<u32>()),
    ]
}

/// The C compiler's answers, read from the table csrc/layout.c defines: the entries up to the
/// first one with an empty name.
fn c_layout() -> BTreeMap<String, usize> {
    // SAFETY: csrc/layout.c defines the table, a const array of `ENTRIES` entries that
    // nothing writes.
    let table = unsafe { &lucas_layout_table };
    assert_eq!(table[ENTRIES - 1].name[0], 0, "csrc/layout.c fills its whole table: make it larger on both sides");
    let name = |e: &Entry| {
        let name = CStr::from_bytes_until_nul(&e.name).expect("a name shorter than LUCAS_LAYOUT_NAME_BYTES");
        name.to_string_lossy().into_owned()
    };
    table.iter().take_while(|e| e.name[0] != 0).map(|e| (name(e), e.value)).collect()
}

#[test]
fn rust_declarations_match_the_c_headers() {
    let c = c_layout();
    let rust = rust_layout();
    let mut problems = Vec::new();
    for (name, value) in &rust {
        match c.get(*name) {
            None => problems.push(format!("{name}: checked in Rust but missing from csrc/layout.c")),
            Some(cv) if cv != value => problems.push(format!("{name}: C says {cv}, Rust says {value}")),
            Some(_) => {}
        }
    }
    for name in c.keys() {
        if !rust.iter().any(|(n, _)| n == name) {
            problems.push(format!("{name}: in csrc/layout.c but not checked in src/capi/layout_check.rs"));
        }
    }
    assert!(problems.is_empty(), "layout mismatch between pyo3-ffi and Python.h:\n{}", problems.join("\n"));
    assert!(c.len() >= 30, "the C table was read ({} entries)", c.len());
}
