/* The C side of lucas's layout check.
 *
 * lucas declares CPython's structs in Rust (through pyo3-ffi) and fills them in by hand:
 * a static PyTypeObject, a PyModuleDef, PyMethodDef tables. If a Rust declaration disagreed
 * with the real header by one field, CPython would read a slot from the wrong offset. This
 * file is compiled by build.rs against the target interpreter's own Python.h and lists the
 * C compiler's answer for every size and offset lucas relies on; src/capi/layout_check.rs compares the
 * list with Rust's `size_of`/`offset_of!` in `cargo test`, naming any field that differs.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>

/* The names are kept inline, so the Rust side reads the table as plain data. An entry whose
 * name is empty ends the table: the entries after the last one listed are all zero. Both
 * sizes are repeated in src/capi/layout_check.rs. */
#define LUCAS_LAYOUT_NAME_BYTES 48
#define LUCAS_LAYOUT_ENTRIES 64

typedef struct {
    char name[LUCAS_LAYOUT_NAME_BYTES];
    size_t value;
} lucas_layout_entry;

#define SIZE(T) {"sizeof " #T, sizeof(T)}
#define FIELD(T, f) {#T "." #f, offsetof(T, f)}

const lucas_layout_entry lucas_layout_table[LUCAS_LAYOUT_ENTRIES] = {
    SIZE(PyObject),
#ifdef Py_GIL_DISABLED
    /* Free-threaded CPython (PEP 703): the owning thread's id, a per-object lock and a
     * split reference count (local to the owning thread, shared by the others) replace
     * ob_refcnt. */
    FIELD(PyObject, ob_tid),
    FIELD(PyObject, ob_mutex),
    FIELD(PyObject, ob_gc_bits),
    FIELD(PyObject, ob_ref_local),
    FIELD(PyObject, ob_ref_shared),
#else
    FIELD(PyObject, ob_refcnt),
#endif
    FIELD(PyObject, ob_type),
    SIZE(PyVarObject),
    FIELD(PyVarObject, ob_size),

    SIZE(PyTypeObject),
    FIELD(PyTypeObject, tp_name),
    FIELD(PyTypeObject, tp_basicsize),
    FIELD(PyTypeObject, tp_itemsize),
    FIELD(PyTypeObject, tp_dealloc),
    FIELD(PyTypeObject, tp_repr),
    FIELD(PyTypeObject, tp_flags),
    FIELD(PyTypeObject, tp_doc),
    FIELD(PyTypeObject, tp_traverse),
    FIELD(PyTypeObject, tp_iter),
    FIELD(PyTypeObject, tp_iternext),
    FIELD(PyTypeObject, tp_methods),
    FIELD(PyTypeObject, tp_getset),
    FIELD(PyTypeObject, tp_alloc),
    FIELD(PyTypeObject, tp_new),
    FIELD(PyTypeObject, tp_free),
    FIELD(PyTypeObject, tp_vectorcall),

    SIZE(PyModuleDef_Base),
    SIZE(PyModuleDef),
    FIELD(PyModuleDef, m_name),
    FIELD(PyModuleDef, m_doc),
    FIELD(PyModuleDef, m_size),
    FIELD(PyModuleDef, m_methods),
    FIELD(PyModuleDef, m_slots),
    FIELD(PyModuleDef, m_free),

    SIZE(PyMethodDef),
    FIELD(PyMethodDef, ml_name),
    FIELD(PyMethodDef, ml_meth),
    FIELD(PyMethodDef, ml_flags),
    FIELD(PyMethodDef, ml_doc),

    SIZE(PyGetSetDef),
    FIELD(PyGetSetDef, get),
    FIELD(PyGetSetDef, doc),

#if PY_VERSION_HEX < 0x030E0000
    /* The digits of an int, which src/capi/pyint.rs writes into a new int on 3.11-3.13
     * (3.14 has PyLongWriter for that). */
#if PY_VERSION_HEX >= 0x030C0000
    {"PyLongObject.ob_digit", offsetof(PyLongObject, long_value.ob_digit)},
#else
    {"PyLongObject.ob_digit", offsetof(PyLongObject, ob_digit)},
#endif
    {"PyLong_SHIFT", PyLong_SHIFT},
    SIZE(digit),
#endif
};
