"""The read-only attributes of ``lucas.LucasIter`` (``coefficients``, ``mod``) and its
``__sizeof__`` (docs/api.md, "class LucasIter").
"""

import sys
import types

import pytest
from support.intlike import LyingInt
from support.states import STATE_IDS, STATES, advanced
from support.subclasses import Fib, Plain, Slotted, SlottedWithDict

from lucas import LucasIter


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
    it = LucasIter((c for c in [True, LyingInt(5), 2**90]), [0, 1, 2], mod=LyingInt(11))
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
