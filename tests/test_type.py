"""Type-level behaviour of ``lucas.LucasIter`` and module documentation.

Covers (see /work/shared/API.md, "class LucasIter" and "Module"): the read-only
attributes, repr, pickling and copying, ``__sizeof__``, subclassing and garbage
collection, thread safety, reference counts, docstrings and ``__version__``.

Expected values come from the naive model in ``support/model.py`` or from first
principles (the spec's own examples, Cargo.toml); nothing is copied from the
implementation's output.
"""

import copy
import doctest
import gc
import inspect
import operator
import pathlib
import pickle
import pydoc
import re
import sys
import threading
import tomllib
import types
import weakref
from collections import Counter
from itertools import islice

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lucas
from lucas import LucasIter
from support.model import ModelLucasIter, take

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROTOCOLS = list(range(pickle.HIGHEST_PROTOCOL + 1))
HYP = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
PUBLIC = ["LucasIter", "fibonacci", "lucas", "lucas_u", "lucas_v", "lucas_uv"]


def advanced(coeffs, initial, n, mod=None, cls=LucasIter):
    """A ``cls`` iterator and its model, both advanced by ``n`` items."""
    it = cls(coeffs, initial, mod=mod)
    model = ModelLucasIter(coeffs, initial, mod=mod)
    assert take(it, n) == take(model, n)
    return it, model


def continues_like(it, model, n=40):
    """``it`` yields the next ``n`` values of ``model`` (consumes both)."""
    return take(it, n) == take(model, n)


def clone_model(model):
    m = ModelLucasIter([1], [0])
    m._coeffs, m._window, m._mod = list(model._coeffs), list(model._window), model._mod
    return m


def model_seq(coeffs, initial, n, mod=None):
    return take(ModelLucasIter(coeffs, initial, mod=mod), n)


# A few states exercising every arithmetic representation: machine words,
# words with a small modulus, Python ints beyond i64, a modulus beyond 2**64,
# negative values, order 1 and a larger order.
STATES = [
    ([1, 1], [0, 1], None, 5),
    ([1, 1], [0, 1], None, 150),             # past 2**63
    ([1, 1], [0, 1], 7, 5),
    ([-3, 2, 5], [4, -9, 2**70], None, 11),
    ([2**65 + 3, -1], [-(2**80), 17], 2**100 + 7, 9),
    ([2], [1], None, 0),
    ([-1], [-(2**63)], None, 3),
    ([3, 0, -2, 1, 5, 7, 1], [1, 2, 3, 4, 5, 6, 7], 10**9 + 7, 30),
    ([1, 2], [3, 4], 1, 4),
]
STATE_IDS = [f"state{i}" for i in range(len(STATES))]

coefs_and_initial = st.integers(1, 5).flatmap(
    lambda k: st.tuples(
        st.lists(st.integers(-(2**70), 2**70) | st.integers(-3, 3), min_size=k, max_size=k),
        st.lists(st.integers(-(2**70), 2**70) | st.integers(-3, 3), min_size=k, max_size=k),
    )
)
maybe_mod = st.none() | st.integers(1, 2**130) | st.integers(1, 50)


# ---------------------------------------------------------------------------
# Module-level subclasses (module level so that pickle can find them by name)
# ---------------------------------------------------------------------------

class Plain(LucasIter):
    pass


class Deeper(Plain):
    pass


class WithInit(LucasIter):
    inits = 0

    def __init__(self, coefficients, initial, /, *, mod=None):
        super().__init__()
        type(self).inits += 1
        self.label = "made by __init__"
        self.coefficients_seen = list(self.coefficients)


def _fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


class Fib(LucasIter):
    """A different constructor signature that calls super().__new__."""

    def __new__(cls, start=0, *, mod=None):
        return super().__new__(cls, (1, 1), (_fib(start), _fib(start + 1)), mod=mod)

    def __init__(self, start=0, *, mod=None):
        super().__init__()
        self.start = start


class Slotted(LucasIter):
    __slots__ = ("tag", "other")


class SlottedWithDict(LucasIter):
    __slots__ = ("tag", "__dict__")


class Doubled(LucasIter):
    def __next__(self):
        return 2 * super().__next__()


class CustomState(LucasIter):
    def __getstate__(self):
        return {"saved": self.note + "!"}

    def __setstate__(self, state):
        self.note = state["saved"]


# ---------------------------------------------------------------------------
# Read-only attributes
# ---------------------------------------------------------------------------

class IntSub(int):
    """An int subclass whose text conversions must never be used."""

    def __repr__(self):
        raise AssertionError("IntSub.__repr__ called")

    __str__ = __repr__

    def __format__(self, spec):
        raise AssertionError("IntSub.__format__ called")


def test_attributes_are_getset_descriptors():
    for name in ("coefficients", "mod"):
        assert isinstance(LucasIter.__dict__[name], types.GetSetDescriptorType)


@pytest.mark.parametrize("coeffs, initial, mod, n", STATES, ids=STATE_IDS)
def test_attribute_values(coeffs, initial, mod, n):
    it, _ = advanced(coeffs, initial, n, mod=mod)
    assert it.coefficients == tuple(coeffs)
    assert type(it.coefficients) is tuple
    assert all(type(c) is int for c in it.coefficients)
    assert it.mod == mod
    if mod is not None:
        assert type(it.mod) is int


def test_attribute_values_from_other_iterables_and_int_like_inputs():
    it = LucasIter((c for c in [True, IntSub(5), 2**90]), [0, 1, 2], mod=IntSub(11))
    assert it.coefficients == (1, 5, 2**90)
    assert [type(c) for c in it.coefficients] == [int, int, int]
    assert it.mod == 11 and type(it.mod) is int
    assert LucasIter([1], [1], mod=True).mod == 1
    assert type(LucasIter([1], [1], mod=True).mod) is int
    assert LucasIter([1], [1]).mod is None
    assert LucasIter([1], [1], mod=None).mod is None


@pytest.mark.parametrize("cls", [LucasIter, Plain, Slotted, SlottedWithDict, Fib])
@pytest.mark.parametrize("name", ["coefficients", "mod"])
def test_attributes_are_read_only(cls, name):
    it = Fib(3, mod=5) if cls is Fib else cls([1, 1], [0, 1], mod=5)
    before = getattr(it, name)
    with pytest.raises(AttributeError):
        setattr(it, name, (9, 9))
    with pytest.raises(AttributeError):
        delattr(it, name)
    with pytest.raises(AttributeError):
        object.__setattr__(it, name, 3)
    assert getattr(it, name) == before
    if hasattr(it, "__dict__"):
        assert name not in it.__dict__
        # Even a value smuggled into the instance dict does not shadow the descriptor.
        it.__dict__[name] = "shadow"
        assert getattr(it, name) == before


def test_no_other_instance_attributes_on_the_base_type():
    it = LucasIter([1], [1])
    with pytest.raises(AttributeError):
        it.something = 1
    assert not hasattr(it, "__dict__")


# ---------------------------------------------------------------------------
# repr
# ---------------------------------------------------------------------------

def test_repr_examples_from_the_spec():
    fib = LucasIter([1, 1], [0, 1])
    take(fib, 5)  # 0 1 1 2 3 -> window (5, 8)
    assert repr(fib) == "LucasIter((1, 1), (5, 8))"
    fib7 = LucasIter([1, 1], [0, 1], mod=7)
    take(fib7, 5)  # 0 1 1 2 3 -> window (5, 8 % 7)
    assert repr(fib7) == "LucasIter((1, 1), (5, 1), mod=7)"
    assert repr(LucasIter([2], [1])) == "LucasIter((2,), (1,))"


def test_repr_does_not_advance():
    it = LucasIter([1, 1], [0, 1])
    for _ in range(5):
        repr(it)
    assert take(it, 5) == [0, 1, 1, 2, 3]


@pytest.mark.parametrize("coeffs, initial, mod, n", STATES, ids=STATE_IDS)
def test_repr_evaluates_back(coeffs, initial, mod, n):
    it, model = advanced(coeffs, initial, n, mod=mod)
    text = repr(it)
    again = eval(text, {"LucasIter": LucasIter})
    assert type(again) is LucasIter
    assert repr(again) == text
    assert again.coefficients == it.coefficients and again.mod == it.mod
    assert continues_like(again, clone_model(model))
    assert continues_like(it, model)


@settings(max_examples=60, **HYP)
@given(coefs_and_initial, maybe_mod, st.integers(0, 120))
def test_repr_evaluates_back_random(rec, mod, n):
    coeffs, initial = rec
    it, model = advanced(coeffs, initial, n, mod=mod)
    again = eval(repr(it), {"LucasIter": LucasIter})
    assert continues_like(again, model, 30)


@pytest.mark.parametrize("cls", [Plain, Deeper, Slotted, Doubled])
def test_repr_uses_the_actual_type_name(cls):
    it = cls([1, 1], [0, 1])
    next(it)
    text = repr(it)
    assert text.startswith(cls.__name__ + "(")
    again = eval(text, {cls.__name__: cls})
    assert type(again) is cls
    assert take(again, 5) == take(cls([1, 1], [0, 1]), 6)[1:]


def test_repr_uses_a_renamed_type_name():
    cls = type("Renamed", (LucasIter,), {})
    assert repr(cls([3], [4])).startswith("Renamed(")


def test_repr_never_uses_int_subclass_text():
    it = LucasIter([IntSub(3), IntSub(-2)], [IntSub(2**80), IntSub(5)], mod=IntSub(2**70 + 1))
    plain = LucasIter([3, -2], [2**80, 5], mod=2**70 + 1)
    assert repr(it) == repr(plain)
    assert repr(LucasIter([True], [False])) == repr(LucasIter([1], [0]))


def _bits_state(bits):
    """Fibonacci advanced until its window holds numbers of about ``bits`` bits."""
    n = int(bits / 0.6942) + 2  # log2(golden ratio) ~ 0.6942
    return advanced([1, 1], [0, 1], n)


def test_repr_of_huge_state_is_hex_and_evaluates_back():
    it, model = _bits_state(41000)  # ~12000 decimal digits: str() would hit the 4300 limit
    assert min(v.bit_length() for v in model._window) > 10000
    text = repr(it)
    assert re.search(r"0[xX][0-9a-fA-F]{2000,}", text)
    again = eval(text, {"LucasIter": LucasIter})
    assert continues_like(again, clone_model(model), 5)
    assert continues_like(it, model, 5)


@pytest.mark.parametrize("sign", [1, -1])
def test_repr_of_huge_values_coefficients_and_mod(sign):
    big = sign * (2**20000 + 12345)
    coeffs, initial, mod = [big, 1], [3, -big], 2**30000 + 1
    it = LucasIter(coeffs, initial)
    assert continues_like(eval(repr(it), {"LucasIter": LucasIter}), ModelLucasIter(coeffs, initial), 3)
    it = LucasIter(coeffs, initial, mod=mod)
    assert continues_like(eval(repr(it), {"LucasIter": LucasIter}),
                          ModelLucasIter(coeffs, initial, mod=mod), 3)
    assert re.search(r"0[xX][0-9a-fA-F]{5000,}", repr(LucasIter(coeffs, initial)))


@pytest.mark.parametrize("bits", [9990, 10000, 10001, 10010])
def test_repr_around_the_hex_threshold(bits):
    v = 2**bits - 1
    for coeffs, initial in (([1], [v]), ([v], [1]), ([1, 1], [-v, v - 1])):
        it = LucasIter(coeffs, initial)
        assert continues_like(eval(repr(it), {"LucasIter": LucasIter}), ModelLucasIter(coeffs, initial), 3)


def test_repr_with_a_lowered_int_max_str_digits():
    # "repr must work for states of thousands of digits": also when the process
    # lowered the str() limit (sys.set_int_max_str_digits, PYTHONINTMAXSTRDIGITS).
    it, model = _bits_state(6000)  # ~1800 decimal digits, below the 10000-bit hex threshold
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)
    try:
        text = repr(it)
        again = eval(text, {"LucasIter": LucasIter})
    finally:
        sys.set_int_max_str_digits(old)
    assert continues_like(again, model, 3)


# ---------------------------------------------------------------------------
# __reduce__, pickle, copy
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("coeffs, initial, mod, n", STATES, ids=STATE_IDS)
def test_reduce_structure(coeffs, initial, mod, n):
    it, model = advanced(coeffs, initial, n, mod=mod)
    func, args, state = it.__reduce__()
    assert func is lucas._reconstruct
    cls, c, window, m = args
    assert cls is LucasIter
    assert c == tuple(coeffs)
    assert tuple(window) == tuple(model._window)  # exactly k values: O(k), not the history
    assert m == mod
    assert state is None or state == {}
    assert continues_like(func(*args), model)


@pytest.mark.parametrize("proto", PROTOCOLS)
@pytest.mark.parametrize("coeffs, initial, mod, n", STATES, ids=STATE_IDS)
def test_pickle_every_protocol(proto, coeffs, initial, mod, n):
    it, model = advanced(coeffs, initial, n, mod=mod)
    clone = pickle.loads(pickle.dumps(it, proto))
    assert type(clone) is LucasIter
    assert clone is not it
    assert clone.coefficients == it.coefficients and clone.mod == it.mod
    # Independent: advancing the clone does not move the original and vice versa.
    expected = take(clone_model(model), 30)
    assert take(clone, 20) == expected[:20]
    assert take(it, 30) == expected
    assert take(clone, 10) == expected[20:]


@pytest.mark.parametrize("copier", [copy.copy, copy.deepcopy], ids=["copy", "deepcopy"])
@pytest.mark.parametrize("coeffs, initial, mod, n", STATES, ids=STATE_IDS)
def test_copy_and_deepcopy(copier, coeffs, initial, mod, n):
    it, model = advanced(coeffs, initial, n, mod=mod)
    clone = copier(it)
    assert type(clone) is LucasIter and clone is not it
    expected = take(clone_model(model), 30)
    assert take(clone, 20) == expected[:20]
    assert take(it, 30) == expected  # the original did not move
    assert take(clone, 10) == expected[20:]


@settings(max_examples=40, **HYP)
@given(coefs_and_initial, maybe_mod, st.integers(0, 60), st.sampled_from(PROTOCOLS))
def test_pickle_random(rec, mod, n, proto):
    coeffs, initial = rec
    it, model = advanced(coeffs, initial, n, mod=mod)
    assert continues_like(pickle.loads(pickle.dumps(it, proto)), model, 30)


def test_pickle_size_does_not_depend_on_position():
    # O(k): the pickle holds the window, not the history (mod keeps values bounded).
    m = 2**61 - 1
    it = LucasIter([1, 1], [1, 2], mod=m)
    take(it, 100)
    near = len(pickle.dumps(it, 4))
    take(it, 200_000)
    far = len(pickle.dumps(it, 4))
    assert abs(far - near) <= 16
    # And the window of a far position is exactly k values.
    assert len(it.__reduce__()[1][2]) == 2


def test_copy_of_huge_state():
    it, model = _bits_state(41000)
    for clone in (copy.copy(it), copy.deepcopy(it), pickle.loads(pickle.dumps(it, 5))):
        assert continues_like(clone, clone_model(model), 3)


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_subclass_pickle_keeps_type_and_dict(proto):
    it = Deeper([1, 1], [0, 1], mod=1000)
    take(it, 7)
    it.note = "hello"
    it.data = [1, [2, 3]]
    clone = pickle.loads(pickle.dumps(it, proto))
    assert type(clone) is Deeper
    assert clone.__dict__ == {"note": "hello", "data": [1, [2, 3]]}
    assert take(clone, 10) == model_seq([1, 1], [0, 1], 17, 1000)[7:]


def test_subclass_copy_and_deepcopy_keep_type_and_dict():
    it = Plain([2, -1], [5, 9])
    take(it, 3)
    shared = [1, 2]
    it.items = shared
    shallow, deep = copy.copy(it), copy.deepcopy(it)
    expected = model_seq([2, -1], [5, 9], 13)[3:]
    for clone in (shallow, deep):
        assert type(clone) is Plain
        assert clone.__dict__ is not it.__dict__
        assert clone.items == [1, 2]
    assert shallow.items is shared
    assert deep.items is not shared
    assert take(shallow, 10) == expected and take(deep, 10) == expected
    assert take(it, 10) == expected


def test_subclass_self_reference_survives_deepcopy_and_pickle():
    it = Plain([1], [3])
    it.me = it
    deep = copy.deepcopy(it)
    assert deep.me is deep
    loaded = pickle.loads(pickle.dumps(it, 4))
    assert loaded.me is loaded


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_subclass_with_slots_keeps_slot_values(proto):
    it = Slotted([1, 1], [0, 1])
    take(it, 4)
    it.tag = "t"
    # "other" left unset: it must stay unset.
    for clone in (pickle.loads(pickle.dumps(it, proto)), copy.copy(it), copy.deepcopy(it)):
        assert type(clone) is Slotted
        assert clone.tag == "t"
        assert not hasattr(clone, "other")
        assert take(clone, 5) == [3, 5, 8, 13, 21]


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_subclass_with_slots_and_dict(proto):
    it = SlottedWithDict([1, 2], [1, 1], mod=10)
    it.tag = ("slot",)
    it.extra = {"a": 1}
    for clone in (pickle.loads(pickle.dumps(it, proto)), copy.copy(it), copy.deepcopy(it)):
        assert type(clone) is SlottedWithDict
        assert clone.tag == ("slot",) and clone.extra == {"a": 1}
        assert take(clone, 8) == model_seq([1, 2], [1, 1], 8, 10)


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_subclass_with_other_new_and_init_signatures_copies(proto):
    it = Fib(10, mod=10**6)
    assert it.start == 10
    take(it, 3)
    it.start = "changed"
    expected = [_fib(n) % 10**6 for n in range(13, 23)]
    for clone in (pickle.loads(pickle.dumps(it, proto)), copy.copy(it), copy.deepcopy(it)):
        assert type(clone) is Fib
        assert clone.start == "changed"
        assert clone.mod == 10**6
        assert take(clone, 10) == expected


def test_subclass_with_init_copies():
    it = WithInit([1, 3], [2, 7])
    assert it.label == "made by __init__" and it.coefficients_seen == [1, 3]
    it.label = "changed"
    clone = copy.deepcopy(it)
    assert type(clone) is WithInit and clone.label == "changed"
    assert take(clone, 6) == model_seq([1, 3], [2, 7], 6)


def test_subclass_custom_getstate_setstate():
    it = CustomState([1, 1], [0, 1])
    it.note = "n"
    next(it)
    for clone in (pickle.loads(pickle.dumps(it, 2)), copy.copy(it)):
        assert type(clone) is CustomState
        assert clone.note == "n!"
        assert take(clone, 4) == [1, 1, 2, 3]
    assert it.__reduce__()[2] == {"saved": "n!"}


def test_overridden_next_is_kept_by_copies():
    it = Doubled([1, 1], [0, 1])
    next(it)
    for clone in (copy.copy(it), pickle.loads(pickle.dumps(it, 0))):
        assert type(clone) is Doubled
        assert take(clone, 5) == [2, 2, 4, 6, 10]


@pytest.mark.parametrize("cls", [int, object, "LucasIter", None, type])
def test_reconstruct_rejects_non_subclasses(cls):
    with pytest.raises(TypeError):
        lucas._reconstruct(cls, (1,), (1,), None)


# ---------------------------------------------------------------------------
# __sizeof__
# ---------------------------------------------------------------------------

def test_sizeof_has_its_own_docstring_and_beats_the_baseline():
    assert "__sizeof__" in LucasIter.__dict__
    for it in (LucasIter([1], [1]), LucasIter([1, 1], [2**100, 1]), LucasIter([5], [3], mod=2**70)):
        baseline = object.__sizeof__(it)
        assert it.__sizeof__() > baseline
        assert sys.getsizeof(it) > baseline


@pytest.mark.parametrize("mod, big", [(None, False), (None, True), (1000, False), (2**100, False)])
def test_sizeof_grows_with_the_order(mod, big):
    # From order 2 on: an order-2 state lives inside the instance itself (the common case
    # gets its own engine), so order 1 may report more heap than order 2.
    sizes = []
    for k in (2, 3, 4, 8, 16, 64, 256):
        init = [2**80 + i if big else i for i in range(k)]
        sizes.append(sys.getsizeof(LucasIter([1] * k, init, mod=mod)))
    assert sizes == sorted(set(sizes))
    # Every one of the k window values has to be stored: at least a word each.
    assert sizes[-1] - sizes[-2] >= 8 * (256 - 64)


def test_sizeof_of_subclass_instances():
    assert sys.getsizeof(Plain([1] * 50, [1] * 50)) > sys.getsizeof(Plain([1], [1]))
    assert Slotted([1] * 50, [1] * 50).__sizeof__() > object.__sizeof__(Slotted([1], [1]))


# ---------------------------------------------------------------------------
# Subclassing and garbage collection
# ---------------------------------------------------------------------------

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
    assert take(it, 60) == [_fib(n) for n in range(50, 110)]  # crosses 2**63
    assert take(Fib(mod=7), 8) == [_fib(n) % 7 for n in range(8)]


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
    c.fn = lambda: c
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


# ---------------------------------------------------------------------------
# Threads
# ---------------------------------------------------------------------------

@pytest.fixture
def tiny_switch_interval():
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def _run_threads(targets, timeout=20):
    threads = [threading.Thread(target=t) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads)


def _is_subsequence(sub, seq):
    pos = iter(seq)
    return all(any(x == y for y in pos) for x in sub)


@pytest.mark.parametrize("coeffs, initial, mod", [
    ([1, 1], [1, 2], None),                       # strictly increasing, crosses 2**63 at ~90
    ([-1, 3, 1], [5, -7, 2**62], None),
    ([3, 1, 4], [1, 5, 9], 2**61 - 1),
    ([2**64 + 1, 1], [3, 2**65], 2**67 + 3),
])
def test_threads_get_each_element_once(tiny_switch_interval, coeffs, initial, mod):
    threads, per_thread = 8, 300
    it = LucasIter(coeffs, initial, mod=mod)
    expected = model_seq(coeffs, initial, threads * per_thread, mod)
    results = [[] for _ in range(threads)]
    errors = []
    barrier = threading.Barrier(threads)

    def work(out):
        try:
            barrier.wait()
            for _ in range(per_thread):
                out.append(next(it))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    _run_threads([lambda out=out: work(out) for out in results])
    assert errors == []
    everything = [x for r in results for x in r]
    assert Counter(everything) == Counter(expected)
    for r in results:
        assert _is_subsequence(r, expected)
    assert next(it) == model_seq(coeffs, initial, threads * per_thread + 1, mod)[-1]


def test_threads_with_overridden_next(tiny_switch_interval):
    it = Doubled([1, 1], [1, 2])
    expected = [2 * x for x in model_seq([1, 1], [1, 2], 1600)]
    results = [[] for _ in range(8)]

    def work(out):
        for _ in range(200):
            out.append(next(it))

    _run_threads([lambda out=out: work(out) for out in results])
    assert sorted(x for r in results for x in r) == expected
    assert all(r == sorted(r) for r in results)


@pytest.mark.parametrize("start", [0, 2**64], ids=["word", "bigint"])
def test_snapshots_while_another_thread_iterates(tiny_switch_interval, start):
    # x_{n+2} = 2*x_{n+1} - x_n from (s, s+1) is x_n = s + n: a value names its position.
    # The worker runs until told to stop, and the first snapshot is taken only after its first
    # step, so every snapshot is taken while the worker is iterating, whatever the scheduler
    # does. (The API promises consistent snapshots, not how threads interleave. With a fixed
    # number of steps, 3.15 running this test alone let the worker finish all of them before
    # the main thread took a single snapshot.)
    it = LucasIter([-1, 2], [start, start + 1])
    stop, steps, errors = threading.Event(), [0], []

    def iterate():
        try:
            while not stop.is_set():
                next(it)
                steps[0] += 1
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    def check(snapshot):
        vals = take(snapshot, 4)
        i = vals[0] - start
        assert vals == [start + i + d for d in range(4)]
        return i

    worker = threading.Thread(target=iterate)
    worker.start()
    try:
        while steps[0] == 0 and worker.is_alive():
            stop.wait(0.001)
        positions = []
        for _ in range(300):
            positions.append(check(eval(repr(it), {"LucasIter": LucasIter})))
            positions.append(check(copy.copy(it)))
            positions.append(check(pickle.loads(pickle.dumps(it, 4))))
            positions.append(check(copy.deepcopy(it)))
    finally:
        stop.set()
        worker.join(20)
    assert not worker.is_alive()
    assert errors == []
    assert positions == sorted(positions)  # snapshots never go back in time
    assert positions[0] >= 1  # taken after the worker's first step
    assert next(it) == start + steps[0]  # snapshots did not advance the original


def test_next_in_another_thread_while_reduce_runs_a_finalizer():
    # The garbage collector can run while __reduce__ allocates its tuples; a
    # finalizer is Python code, and the interpreter may switch threads in it.
    # Another thread's next() must then still work (the iterator is idle).
    k = 24  # window tuple larger than the tuple free lists: a real GC allocation
    coeffs, initial = [1] * k, [0] * (k - 1) + [1]
    expected = model_seq(coeffs, initial, 2)
    it = LucasIter(coeffs, initial)
    in_finalizer, done, results = threading.Event(), threading.Event(), []
    phase, finalizer_phases = [0], []

    def worker():
        if in_finalizer.wait(10):
            try:
                results.append(next(it))
            except BaseException as e:  # noqa: BLE001
                results.append(e)
        done.set()

    class Trash:
        def __del__(self):
            finalizer_phases.append(phase[0])
            in_finalizer.set()
            done.wait(10)  # what a thread switch at this point would do

    t = threading.Thread(target=worker)
    t.start()
    old = gc.get_threshold()
    gc.collect()
    try:
        trash = Trash()
        trash.me = trash
        del trash
        # Collect at the very next GC allocation: the first one inside __reduce__.
        gc.set_threshold(max(gc.get_count()[0], 1))
        phase[0] = 1
        it.__reduce__()
        phase[0] = 2
    finally:
        gc.set_threshold(*old)
        in_finalizer.set()
        t.join(10)
        gc.collect()
    assert not t.is_alive()
    assert finalizer_phases == [1], "precondition: the finalizer ran inside __reduce__"
    assert results == [expected[0]]
    assert next(it) == expected[1]


# ---------------------------------------------------------------------------
# Reference counts
# ---------------------------------------------------------------------------

def _fresh_big(seed):
    return int("9" * 40) * seed + seed  # a new object, not a cached constant


@pytest.mark.parametrize("cls", [LucasIter, Plain])
@pytest.mark.parametrize("use_mod", [False, True])
def test_refcounts_after_repr_copy_pickle_loops(cls, use_mod):
    a, b, c, m = _fresh_big(3), _fresh_big(5), _fresh_big(7), _fresh_big(11)
    it = cls([a, b], [c, a], mod=m if use_mod else None)
    if cls is Plain:
        it.attr = b
    coefs = it.coefficients
    gc.collect()
    watched = {"coefficients": coefs, "type": cls, "a": a, "b": b, "c": c, "m": m}
    before = {name: sys.getrefcount(obj) for name, obj in watched.items()}
    for i in range(1000):
        repr(it)
        copy.copy(it)
        copy.deepcopy(it)
        pickle.loads(pickle.dumps(it, i % len(PROTOCOLS)))
        it.__reduce__()
        it.__sizeof__()
        it.coefficients
        it.mod
    gc.collect()
    after = {name: sys.getrefcount(obj) for name, obj in watched.items()}
    assert after == before


def test_refcounts_of_copies_are_released():
    a = _fresh_big(13)
    it = LucasIter([a], [a])
    gc.collect()
    before = sys.getrefcount(a)
    clones = [copy.copy(it) for _ in range(100)]
    assert sys.getrefcount(a) > before  # the copies share the exact ints ...
    del clones
    gc.collect()
    assert sys.getrefcount(a) == before  # ... and let them go


# ---------------------------------------------------------------------------
# Documentation and version
# ---------------------------------------------------------------------------

def _run_doc_examples(doc, globs):
    examples = doctest.DocTestParser().get_doctest(doc, globs, "doc", None, 0)
    assert examples.examples, "no >>> example"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(examples)
    assert runner.failures == 0


def test_module_docstring_has_a_working_example():
    assert lucas.__doc__ and ">>>" in lucas.__doc__
    _run_doc_examples(lucas.__doc__, {"lucas": lucas})


def test_class_docstring():
    assert LucasIter.__doc__ and LucasIter.__doc__.strip()
    assert "--\n" not in LucasIter.__doc__  # the text signature was split off
    if ">>>" in LucasIter.__doc__:
        _run_doc_examples(LucasIter.__doc__, {"LucasIter": LucasIter})


@pytest.mark.parametrize("name", PUBLIC)
def test_public_names_have_docstrings(name):
    obj = getattr(lucas, name)
    assert isinstance(obj.__doc__, str) and len(obj.__doc__.strip()) > 20
    assert "$module" not in obj.__doc__


@pytest.mark.parametrize("name", ["coefficients", "mod", "__reduce__", "__sizeof__"])
def test_members_have_their_own_docstrings(name):
    assert name in LucasIter.__dict__  # defined by LucasIter, not inherited
    doc = LucasIter.__dict__[name].__doc__
    assert isinstance(doc, str) and doc.strip()


def test_gmpy2_argument_order_is_documented():
    docs = "".join(d or "" for d in (lucas.__doc__, lucas.lucas_u.__doc__,
                                     lucas.lucas_v.__doc__, lucas.lucas_uv.__doc__))
    assert "gmpy2" in docs


def test_pydoc_renders_every_public_name():
    text = pydoc.render_doc(lucas, renderer=pydoc.plaintext)
    for name in PUBLIC + ["coefficients", "mod"]:
        assert re.search(r"\b" + re.escape(name) + r"\b", text), name
    text = pydoc.render_doc(LucasIter, renderer=pydoc.plaintext)
    for name in ["coefficients", "mod", "__reduce__", "__sizeof__"]:
        assert name in text


@pytest.mark.parametrize("name, params", [
    ("LucasIter", "(coefficients, initial, /, *, mod=None)"),
    ("fibonacci", "(n, /, *, mod=None)"),
    ("lucas", "(n, /, *, mod=None)"),
    ("lucas_u", "(n, p, q, /, *, mod=None)"),
    ("lucas_v", "(n, p, q, /, *, mod=None)"),
    ("lucas_uv", "(n, p, q, /, *, mod=None)"),
])
def test_signatures(name, params):
    assert str(inspect.signature(getattr(lucas, name))) == params


def test_version_matches_cargo_toml():
    with open(ROOT / "Cargo.toml", "rb") as f:
        version = tomllib.load(f)["package"]["version"]
    assert isinstance(lucas.__version__, str)
    assert lucas.__version__ == version
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", lucas.__version__)


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
    src/layout.rs checks the Rust declaration against the C header. Checked against types
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


def test_repr_uses_a_dotted_heap_type_name_whole():
    Dotted = type("my.Iter", (LucasIter,), {})
    it = Dotted([1, 1], [5, 8])
    assert Dotted.__name__ == "my.Iter"
    assert repr(it) == "my.Iter((1, 1), (5, 8))"
