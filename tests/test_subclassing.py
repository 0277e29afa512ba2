"""Subclasses of ``LucasIter`` (``__new__``/``__init__`` of other signatures, slots, an
overridden ``__next__``, the vectorcall slot) and garbage collection of their cycles.
"""

import gc
import weakref
from itertools import islice

import pytest
from support.fn_model import model_fibonacci
from support.model import take
from support.states import model_seq
from support.subclasses import Deeper, Doubled, Fib, Plain, Slotted, WithInit

from lucas import LucasIter


def test_subclass_with_init_override():
    WithInit.inits = 0
    it = WithInit([1, 1], [0, 1], mod=5)
    assert WithInit.inits == 1
    assert isinstance(it, LucasIter)
    assert take(it, 10) == model_seq([1, 1], [0, 1], 10, 5)


def test_subclass_with_new_of_another_signature():
    it = Fib(50)
    assert isinstance(it, Fib) and it.start == 50
    assert it.coefficients == (1, 1) and it.mod is None
    assert take(it, 60) == [model_fibonacci(n) for n in range(50, 110)]  # crosses 2**63
    assert take(Fib(mod=7), 8) == [model_fibonacci(n) % 7 for n in range(8)]


def test_subclass_with_slots():
    it = Slotted([1, 1], [0, 1])
    it.tag = 1
    assert not hasattr(it, "__dict__")
    with pytest.raises(AttributeError):
        it.not_a_slot = 1
    assert take(it, 6) == [0, 1, 1, 2, 3, 5]


def test_overridden_next():
    it = Doubled([1, 1], [0, 1])
    assert next(it) == 0
    assert list(islice(it, 6)) == [2, 2, 4, 6, 10, 16]
    got = []
    for x in it:
        got.append(x)
        if len(got) == 3:
            break
    assert got == [26, 42, 68]
    assert LucasIter.__next__(it) == 55  # the base slot, undoubled


def test_new_rejects_non_subtypes():
    with pytest.raises(TypeError):
        LucasIter.__new__(int, [1], [1])
    with pytest.raises(TypeError):
        LucasIter.__new__(object, [1], [1])


def test_subclass_instances_die_by_refcount():
    it = Plain([1], [1])
    ref = weakref.ref(it)
    del it
    assert ref() is None


def _collect_and_check(refs):
    gc.collect()
    assert all(r() is None for r in refs)


def test_self_cycle_through_dict_is_collected():
    refs = []
    for _ in range(20):
        s = Plain([1, 1], [0, 1])
        s.me = s
        refs.append(weakref.ref(s))
    del s
    _collect_and_check(refs)


def test_longer_cycles_through_dict_are_collected():
    a, b = Plain([1], [1]), Deeper([2], [2], mod=3)
    a.other, b.data = b, [{"x": a}]
    c = Fib(5)
    c.fn = (lambda obj: lambda: obj)(c)  # keeps c alive after `del c`, which would empty a closure over the name
    refs = [weakref.ref(o) for o in (a, b, c)]
    del a, b, c
    _collect_and_check(refs)


def test_cycle_through_slots_is_collected():
    deaths = []

    class Mortal(Slotted):
        __slots__ = ()

        def __del__(self):
            deaths.append(self.tag)

    for i in range(10):
        s = Mortal([1], [1])
        s.tag, s.other = i, s
    del s
    gc.collect()
    assert sorted(deaths) == list(range(10))


def test_cycles_do_not_accumulate():
    gc.collect()
    before = sum(type(o) is Plain for o in gc.get_objects())
    for _ in range(200):
        s = Plain([1] * 3, [1, 2, 3])
        s.me = [s]
    del s
    gc.collect()
    assert sum(type(o) is Plain for o in gc.get_objects()) == before


def test_vectorcall_slot_reached_through_a_subclass_still_runs_init():
    """CPython 3.11 does not copy a type's tp_vectorcall to subclasses, but a later version
    might: the slot then falls back to type.__call__, so a subclass's __init__ still runs.
    Simulated here by copying the slot into a subclass with ctypes."""
    import ctypes

    class Init(LucasIter):
        def __init__(self, *args, **kwargs):
            self.seen = (len(args), sorted(kwargs))

    offset = _tp_vectorcall_offset()
    slot = ctypes.c_void_p.from_address(id(LucasIter) + offset)
    assert slot.value, "LucasIter defines tp_vectorcall"
    sub_slot = ctypes.c_void_p.from_address(id(Init) + offset)
    inherited = sub_slot.value is not None  # a version that copies the slot: no simulation
    assert sub_slot.value in (None, slot.value)
    sub_slot.value = slot.value
    try:
        it = Init([1, 1], [0, 1], mod=7)
        assert type(it) is Init and it.seen == (2, ["mod"])
        assert take(it, 8) == model_seq([1, 1], [0, 1], 8, 7)
        with pytest.raises(TypeError, match="takes exactly 2 positional arguments"):
            Init([1], [1], [1])
    finally:
        if not inherited:
            sub_slot.value = None


def _tp_vectorcall_offset():
    """offsetof(PyTypeObject, tp_vectorcall) on 64-bit CPython 3.11 to 3.15: the variable
    object header (object's basic size plus ob_size; larger on free-threaded builds), then
    47 pointer-sized fields, tp_name .. tp_finalize (tp_version_tag padded to 8 bytes).
    src/capi/layout_check.rs checks the Rust declaration against the C header. Checked against types
    known to define the slot (range, list) and ones known not to (complex, a plain class)."""
    import ctypes

    assert ctypes.sizeof(ctypes.c_void_p) == 8
    offset = object.__basicsize__ + 8 + 47 * 8

    def read(t):
        return ctypes.c_void_p.from_address(id(t) + offset).value

    class Plain:
        pass

    assert read(range) and read(list) and read(complex) is None and read(Plain) is None
    return offset
