"""``__reduce__``, pickle, ``copy.copy`` and ``copy.deepcopy`` of ``LucasIter`` and of its
subclasses (their type, ``__dict__`` and slots survive), and ``_reconstruct``'s checks.
"""

import copy
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.fn_model import model_fibonacci
from support.model import take
from support.states import (
    HYP,
    PROTOCOLS,
    STATE_IDS,
    STATES,
    advanced,
    bits_state,
    clone_model,
    coefs_and_initial,
    continues_like,
    maybe_mod,
    model_seq,
)
from support.subclasses import CustomState, Deeper, Doubled, Fib, Plain, Slotted, SlottedWithDict, WithInit

import lucas
from lucas import LucasIter


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
    it, model = bits_state(41000)
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
    expected = [model_fibonacci(n) % 10**6 for n in range(13, 23)]
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
