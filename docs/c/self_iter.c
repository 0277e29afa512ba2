/* What CPython's PyObject_SelfIter (Objects/object.c) does, written out: the tp_iter of an
 * iterator returns the iterator itself, as a new reference. It is shown in
 * docs/extension/05-type.md and compiled against Python.h by tests/test_docs.py. */
#include <Python.h>

// ANCHOR: self_iter
/* tp_iter: `iter(it)` must give the caller a reference of its own, which the caller later
 * releases; returning `it` without counting it would leave one Py_DECREF too many. */
static PyObject *
self_iter(PyObject *self)
{
    Py_INCREF(self);
    return self;
}
// ANCHOR_END: self_iter

/* Referenced, so that -Wunused-function has nothing to say. */
getiterfunc lucas_docs_self_iter = self_iter;
