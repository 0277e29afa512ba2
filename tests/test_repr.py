"""``repr(LucasIter)``: an expression that evaluates back to an equal iterator, under the
actual type's name, from int's own digits (never an int subclass's text), in hex when huge.
"""

import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.intlike import LyingInt
from support.model import ModelLucasIter, take
from support.states import (
    HYP,
    STATE_IDS,
    STATES,
    advanced,
    bits_state,
    clone_model,
    coefs_and_initial,
    continues_like,
    maybe_mod,
)
from support.subclasses import Deeper, Doubled, Plain, Slotted

from lucas import LucasIter


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
    it = LucasIter([LyingInt(3), LyingInt(-2)], [LyingInt(2**80), LyingInt(5)], mod=LyingInt(2**70 + 1))
    plain = LucasIter([3, -2], [2**80, 5], mod=2**70 + 1)
    assert repr(it) == repr(plain)
    assert repr(LucasIter([True], [False])) == repr(LucasIter([1], [0]))


def test_repr_of_huge_state_is_hex_and_evaluates_back():
    it, model = bits_state(41000)  # ~12000 decimal digits: str() would hit the 4300 limit
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
    assert continues_like(eval(repr(it), {"LucasIter": LucasIter}), ModelLucasIter(coeffs, initial, mod=mod), 3)
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
    it, model = bits_state(6000)  # ~1800 decimal digits, below the 10000-bit hex threshold
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)
    try:
        text = repr(it)
        again = eval(text, {"LucasIter": LucasIter})
    finally:
        sys.set_int_max_str_digits(old)
    assert continues_like(again, model, 3)


def test_repr_uses_a_dotted_heap_type_name_whole():
    Dotted = type("my.Iter", (LucasIter,), {})
    it = Dotted([1, 1], [5, 8])
    assert Dotted.__name__ == "my.Iter"
    assert repr(it) == "my.Iter((1, 1), (5, 8))"
