/* `LucasIter.__reduce__` as a C extension would write it: the companion of
 * `lucas_iter_reduce` in src/lucas_iter/slots.rs, shown beside it in
 * docs/extension/03-references.md. It is not part of the module; tests/test_docs.py compiles it
 * against the interpreter's own Python.h so that the C the docs show is real C.
 *
 * The state is simplified to what this method reads: C keeps the coefficients as a
 * tuple and "no modulus" as NULL, where the Rust type keeps a boxed slice and an
 * Option. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct {
    PyObject_HEAD
    PyObject *coefficients; /* a tuple of ints (owned) */
    PyObject *modulus;      /* an int (owned), or NULL when there is none */
} LucasIterObject;

/* The current window as a new tuple, or NULL with an exception set. */
PyObject *lucas_iter_window(LucasIterObject *self);

// ANCHOR: reduce_c
static PyObject *
lucas_iter_reduce(PyObject *op, PyObject *Py_UNUSED(ignored))
{
    LucasIterObject *self = (LucasIterObject *)op;
    PyObject *window = NULL, *args = NULL, *getstate = NULL;
    PyObject *module = NULL, *reconstruct = NULL, *result = NULL;

    window = lucas_iter_window(self);                     /* new reference */
    if (window == NULL) {
        goto fail;
    }
    /* PyTuple_Pack takes its own reference to each item: ours stay ours. */
    args = PyTuple_Pack(4, (PyObject *)Py_TYPE(op), self->coefficients, window,
                        self->modulus != NULL ? self->modulus : Py_None);
    if (args == NULL) {
        goto fail;
    }
    getstate = PyObject_CallMethod(op, "__getstate__", NULL);  /* new reference */
    if (getstate == NULL) {
        goto fail;
    }
    module = PyImport_ImportModule("lucas");              /* new reference */
    if (module == NULL) {
        goto fail;
    }
    reconstruct = PyObject_GetAttrString(module, "_reconstruct");  /* new reference */
    if (reconstruct == NULL) {
        goto fail;
    }
    result = PyTuple_Pack(3, reconstruct, args, getstate);  /* new reference or NULL */

fail:
    /* Every path ends here: release whatever was acquired, newest first. */
    Py_XDECREF(reconstruct);
    Py_XDECREF(module);
    Py_XDECREF(getstate);
    Py_XDECREF(args);
    Py_XDECREF(window);
    return result;
}
// ANCHOR_END: reduce_c

PyMethodDef lucas_iter_methods[] = {
    {"__reduce__", lucas_iter_reduce, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};
