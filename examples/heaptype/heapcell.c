/* heapcell: the other way to write an extension type, in C, as the contrast to lucas.
 *
 * lucas's LucasIter is a static PyTypeObject in the module's data segment, its module is
 * initialised in one phase and keeps its state in statics, and its instances hold only
 * ints, so they need no garbage collector support. This module does each of those the
 * other way: its type `Cell` is made at run time from a PyType_Spec (a heap type), stored
 * in per-module state, the module is initialised in two phases (PEP 489), and a Cell holds
 * any object, so it can sit in a reference cycle and implements tp_traverse and tp_clear.
 * Cells also accept weak references.
 *
 * Part I of the docs (docs/extension/) quotes it piece by piece; tests/test_heapcell.py
 * compiles it against the running interpreter's headers and imports it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h> /* offsetof */

#if PY_VERSION_HEX < 0x030C0000
/* Before 3.12 the member types are declared in structmember.h, under older names. */
#include <structmember.h>
#define Py_T_OBJECT_EX T_OBJECT_EX
#define Py_T_PYSSIZET T_PYSSIZET
#define Py_READONLY READONLY
#endif

/* Everything the module keeps, one copy per module object (m_size bytes, zeroed). */
typedef struct {
    PyObject *cell_type; /* strong reference to the heap type made in heapcell_exec */
    Py_ssize_t created;  /* how many Cells this module object has made */
} heapcell_state;

// ANCHOR: object
typedef struct {
    PyObject_HEAD
    PyObject *value;       /* strong reference; NULL once tp_clear has run */
    PyObject *weakreflist; /* the weak references to this Cell, managed by CPython */
} CellObject;
// ANCHOR_END: object

static PyModuleDef heapcell_def; /* defined below; a slot finds its module through it */

// ANCHOR: cell_new
static PyObject *
cell_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyObject *value;
    if (kwargs != NULL && PyDict_GET_SIZE(kwargs) != 0) {
        PyErr_SetString(PyExc_TypeError, "Cell() takes no keyword arguments");
        return NULL;
    }
    if (!PyArg_UnpackTuple(args, "Cell", 1, 1, &value)) {
        return NULL;
    }
    /* No C global to reach: the module's state is found through the type (3.11+). */
    PyObject *module = PyType_GetModuleByDef(type, &heapcell_def); /* borrowed */
    if (module == NULL) {
        return NULL;
    }
    heapcell_state *state = PyModule_GetState(module);
    /* PyType_GenericAlloc: zeroed memory, a new reference to `type`, GC-tracked. */
    CellObject *self = (CellObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->value = Py_NewRef(value);
    state->created++;
    return (PyObject *)self;
}
// ANCHOR_END: cell_new

// ANCHOR: gc
/* The collector asks each tracked object for the references it owns... */
static int
cell_traverse(PyObject *op, visitproc visit, void *arg)
{
    CellObject *self = (CellObject *)op;
    Py_VISIT(Py_TYPE(op)); /* an instance of a heap type owns a reference to its type */
    Py_VISIT(self->value);
    return 0;
}

/* ...and, to break a cycle it found unreachable, tells some of them to drop those references. */
static int
cell_clear(PyObject *op)
{
    CellObject *self = (CellObject *)op;
    Py_CLEAR(self->value); /* sets the field to NULL first, then releases the reference */
    return 0;
}
// ANCHOR_END: gc

// ANCHOR: dealloc
static void
cell_dealloc(PyObject *op)
{
    PyTypeObject *type = Py_TYPE(op);
    CellObject *self = (CellObject *)op;
    /* Untrack first: nothing below may leave a half-freed object where a collection sees it. */
    PyObject_GC_UnTrack(op);
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs(op); /* every weakref.ref to it now returns None */
    }
    (void)cell_clear(op);
    type->tp_free(op); /* PyObject_GC_Del, the pair of the GC allocator */
    Py_DECREF(type);   /* the instance's reference to its heap type */
}
// ANCHOR_END: dealloc

// ANCHOR: spec
static PyMemberDef cell_members[] = {
    {"value", Py_T_OBJECT_EX, offsetof(CellObject, value), Py_READONLY, "The object held."},
    /* How a heap type declares tp_weaklistoffset (3.9+): a read-only member of this name. */
    {"__weaklistoffset__", Py_T_PYSSIZET, offsetof(CellObject, weakreflist), Py_READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot cell_slots[] = {
    {Py_tp_doc, "Cell(value, /)\n--\n\nHolds one object; cycles through it are collected."},
    {Py_tp_new, cell_new},
    {Py_tp_dealloc, cell_dealloc},
    {Py_tp_traverse, cell_traverse},
    {Py_tp_clear, cell_clear},
    {Py_tp_members, cell_members},
    {0, NULL},
};

static PyType_Spec cell_spec = {
    .name = "heapcell.Cell",
    .basicsize = sizeof(CellObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = cell_slots,
};
// ANCHOR_END: spec

static int
heapcell_exec(PyObject *module)
{
    heapcell_state *state = PyModule_GetState(module);
    /* A new type object per module object; the type keeps a reference to the module. */
    state->cell_type = PyType_FromModuleAndSpec(module, &cell_spec, NULL);
    if (state->cell_type == NULL) {
        return -1;
    }
    return PyModule_AddObjectRef(module, "Cell", state->cell_type);
}

/* The state holds the type and the type holds the module: a cycle the collector must see. */
static int
heapcell_traverse(PyObject *module, visitproc visit, void *arg)
{
    heapcell_state *state = PyModule_GetState(module);
    Py_VISIT(state->cell_type);
    return 0;
}

static int
heapcell_clear(PyObject *module)
{
    heapcell_state *state = PyModule_GetState(module);
    Py_CLEAR(state->cell_type);
    return 0;
}

static void
heapcell_free(void *module)
{
    (void)heapcell_clear((PyObject *)module);
}

static PyObject *
created(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    heapcell_state *state = PyModule_GetState(module);
    return PyLong_FromSsize_t(state->created);
}

static PyObject *
first(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 1) {
        PyErr_Format(PyExc_TypeError, "expected 1 argument, got %zd", nargs);
        return NULL;
    }
    return Py_NewRef(args[0]);
}

// ANCHOR: methods
static PyMethodDef heapcell_methods[] = {
    {"created", created, METH_NOARGS,
     "created($module, /)\n--\n\nHow many Cells this module object has made."},
    /* The same function twice: with the `--` line that ends a signature, and without it. */
    {"with_marker", (PyCFunction)(void (*)(void))first, METH_FASTCALL,
     "with_marker($module, obj, /)\n--\n\nReturn obj."},
    {"without_marker", (PyCFunction)(void (*)(void))first, METH_FASTCALL,
     "without_marker($module, obj, /)\nReturn obj."},
    {NULL, NULL, 0, NULL},
};
// ANCHOR_END: methods

// ANCHOR: def
static PyModuleDef_Slot heapcell_slots[] = {
    {Py_mod_exec, heapcell_exec},
#ifdef Py_mod_multiple_interpreters
    /* 3.12+: nothing is shared between module objects, so each interpreter may have its own GIL. */
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
    /* No Py_mod_gil slot: `created++` is a plain increment, so a free-threaded interpreter
       keeps the GIL on for this module. */
    {0, NULL},
};

static PyModuleDef heapcell_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "heapcell",
    .m_doc = "A heap type with module state and GC support: the contrast to lucas.LucasIter.",
    .m_size = sizeof(heapcell_state),
    .m_methods = heapcell_methods,
    .m_slots = heapcell_slots,
    .m_traverse = heapcell_traverse,
    .m_clear = heapcell_clear,
    .m_free = heapcell_free,
};

PyMODINIT_FUNC
PyInit_heapcell(void)
{
    /* Multi-phase: return the definition; the import system creates and executes the module. */
    return PyModuleDef_Init(&heapcell_def);
}
// ANCHOR_END: def
