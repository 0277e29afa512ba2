"""The module's ``__all__``, ``LucasIter.state`` and ``LucasIter.__sizeof__``.

(The stubs' ``Self`` is checked with mypy in tests/test_stubs.py.)
"""

import pathlib
import struct
import subprocess
import sys
from itertools import islice

import pytest
from support.model import ModelLucasIter

import lucas
from lucas import LucasIter

# ---------------------------------------------------------------------------
# __all__
# ---------------------------------------------------------------------------


def test_all_lists_exactly_the_public_callables():
    public = {name for name in dir(lucas) if not name.startswith("_") and callable(getattr(lucas, name))}
    assert set(lucas.__all__) == public
    assert "LucasIter" in lucas.__all__ and "fibonacci" in lucas.__all__
    assert lucas.__all__ == sorted(lucas.__all__)
    assert len(lucas.__all__) == len(set(lucas.__all__))
    assert all(type(name) is str for name in lucas.__all__)
    assert type(lucas.__all__) is list


def test_star_import_gives_the_names_of_all():
    namespace = {}
    exec("from lucas import *", namespace)
    assert {n for n in namespace if n != "__builtins__"} == set(lucas.__all__)


def test_all_check_is_not_vacuous():
    # The comparison above would notice a missing or an extra name.
    public = {name for name in dir(lucas) if not name.startswith("_") and callable(getattr(lucas, name))}
    assert set(lucas.__all__[1:]) != public
    assert set(lucas.__all__) | {"_reconstruct"} != public


def test_all_is_built_in_a_fresh_interpreter_too():
    # __all__ comes from module init, not from anything a test did to the module.
    code = "import lucas; print(' '.join(lucas.__all__))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=pathlib.Path(lucas.__file__).parent,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == lucas.__all__


# ---------------------------------------------------------------------------
# state
# ---------------------------------------------------------------------------

CASES = [
    ([1, 1], [0, 1], None),  # order 2, machine words
    ([1, 1, 1], [0, 0, 1], None),  # order 3, machine words
    ([-1, 2], [2**62, 2**62 + 1], None),  # leaves i64 soon: promoted to Python ints
    ([1, 1], [2**70, 1], None),  # Python ints from the start
    ([1, 1], [0, 1], 10**9 + 7),  # order 2 modulo an odd word
    ([3, -1, 4], [-1, 5, 9], 10**9 + 7),  # order 3 modulo a word
    ([1, 1], [2, 1], 2**40),  # an even modulus
    ([7, -1, 1], [2, 1, -5], 2**64 + 13),  # a modulus beyond a word
    ([5], [3], 1),
]


@pytest.mark.parametrize("coefficients, initial, mod", CASES)
def test_state_is_the_window_the_model_holds(coefficients, initial, mod):
    it = LucasIter(coefficients, initial, mod=mod)
    model = ModelLucasIter(coefficients, initial, mod=mod)
    for step in range(120):
        state = it.state
        assert type(state) is tuple and all(type(v) is int for v in state)
        assert state == tuple(model._window), step
        assert it.state == state  # reading it does not advance the iterator
        assert next(it) == next(model)


@pytest.mark.parametrize("coefficients, initial, mod", CASES)
def test_state_is_what_repr_shows(coefficients, initial, mod):
    it = LucasIter(coefficients, initial, mod=mod)
    list(islice(it, 7))
    again = eval(repr(it), {"LucasIter": LucasIter})
    assert again.state == it.state
    assert repr(it).startswith(f"LucasIter({it.coefficients!r}, {it.state!r}")


def test_state_is_read_only_and_documented():
    it = LucasIter([1, 1], [0, 1])
    with pytest.raises(AttributeError):
        it.state = (1, 2)
    with pytest.raises(AttributeError):
        del it.state
    assert it.state == (0, 1)
    assert "state" in LucasIter.__doc__
    assert LucasIter.state.__doc__


def test_state_of_a_subclass():
    class Sub(LucasIter):
        pass

    it = Sub([1, 1], [2, 1])
    next(it)
    assert it.state == (1, 3)


# ---------------------------------------------------------------------------
# __sizeof__: the instance plus every buffer it owns
# ---------------------------------------------------------------------------

P = struct.calcsize("P")  # a pointer: one slot of the coefficients array, a Python-int value
W = 8  # a machine-word value or coefficient (i64 / u64)
COEF = 2 * P  # a coefficient on the Python-int path: a tag and a pointer


def coefficient_bytes(coefficients):
    """The array of the coefficients as given: two exact ints in a list or tuple are kept inside
    the object, any other count (or an iterable of another kind) in a heap array."""
    inline = type(coefficients) in (list, tuple) and len(coefficients) == 2
    return 0 if inline and all(type(c) is int for c in coefficients) else len(coefficients) * P


def engine_bytes(coefficients, initial, mod, promoted=False):
    """The engine's buffers, as src/lucas_iter/state.rs keeps them (the window ring holds each
    value twice)."""
    k = len(coefficients)
    values = list(coefficients) + list(initial)
    if mod is None and not promoted and all(-(2**63) <= v < 2**63 for v in values):
        return 0 if k == 2 else k * W + 2 * k * W
    if mod is not None and mod < 2**64:
        order_two_pair = k == 2 and mod % 2 == 1 and mod > 1
        return 0 if order_two_pair else k * W + 2 * k * W
    if mod is not None:
        return limbs_engine_bytes(coefficients, mod)
    return k * COEF + 2 * k * P


def limbs_engine_bytes(coefficients, mod):
    """A modulus of 2**64 or more: the engine's buffers as lucas_core::iterate::limbs counts
    them (LimbSteps::heap_bytes), without the engine's own fixed-size allocation (the test
    checks that this remainder is one constant). n limbs per value."""
    k, n = len(coefficients), (mod.bit_length() + 63) // 64
    window, modulus = 2 * k * n * W, 2 * n * W
    if all(-(2**63) < c < 2**63 for c in coefficients) and sum(abs(c) for c in coefficients) <= 8:
        plan = k * W + (n + 1) * W
    else:
        residues = k * n * W if any(abs(c) >= 2**63 for c in coefficients) else 0
        plan = k * W + residues + (6 * n + 4) * W
    return window + modulus + plan


@pytest.mark.parametrize("coefficients, initial, mod", [c for c in CASES if c[2] is None or c[2] < 2**64])
def test_sizeof_is_the_sum_of_its_parts(coefficients, initial, mod):
    it = LucasIter(coefficients, initial, mod=mod)
    expected = LucasIter.__basicsize__ + coefficient_bytes(coefficients) + engine_bytes(coefficients, initial, mod)
    assert it.__sizeof__() == expected


def test_sizeof_of_two_coefficients_given_by_an_iterator():
    # The same recurrence, its coefficients read from an iterator: a heap array of two.
    inline, heap = LucasIter([1, 1], [0, 1]), LucasIter(iter([1, 1]), [0, 1])
    assert heap.__sizeof__() - inline.__sizeof__() == 2 * P


BIG_MOD_CASES = [
    ([7, -1, 1], [2, 1, -5], 2**64 + 13),  # the general plan (|c| sum over 8)
    ([1, 1], [0, 1], 2**64 + 13),  # the small plan, 2 limbs
    ([-1, 2], [3, 4], 2**200 + 1),  # the small plan with a negative c, 4 limbs
    ([1, 1, 1, 1], [0, 0, 0, 1], 2**320 - 197),  # vectors of 6 limbs
    ([2**70, -3, 1], [1, 2, 3], 2**128),  # a large coefficient: its residue is kept
    ([-(2**63), 5], [1, 2], 2**600 + 2**100),  # -2**63 does not fit the small range
]


def test_sizeof_with_a_modulus_beyond_a_word():
    # The engine's buffers as counted by the model, plus one fixed-size allocation (the
    # engine itself) that is the same whatever k and the modulus.
    rests = set()
    for coefficients, initial, mod in BIG_MOD_CASES:
        it = LucasIter(coefficients, initial, mod=mod)
        known = LucasIter.__basicsize__ + coefficient_bytes(coefficients) + engine_bytes(coefficients, initial, mod)
        rest = it.__sizeof__() - known
        rests.add(rest)
        list(islice(it, 10))  # stepping allocates nothing more
        assert it.__sizeof__() - known == rest
    assert len(rests) == 1, rests
    assert 0 < rests.pop() <= 512


def test_sizeof_after_promotion_to_python_ints():
    it = LucasIter([1, 1], [0, 1])
    before = it.__sizeof__()
    assert before == LucasIter.__basicsize__  # the coefficients and the pair live inside the object
    list(islice(it, 100))  # F_93 leaves the i64 range
    assert it.__sizeof__() == LucasIter.__basicsize__ + engine_bytes([1, 1], [0, 1], None, promoted=True)


def test_sizeof_counts_the_coefficients_array():
    # Two iterators whose engines are the same size (order-2 pairs, nothing on the heap)
    # differ by nothing; one of order 3 owns a coefficients array of 3 pointers on top of
    # its engine.
    a, b = LucasIter([1, 1], [0, 1]), LucasIter([2, 3], [4, 5])
    assert a.__sizeof__() == b.__sizeof__()
    c = LucasIter([1, 1, 1], [0, 0, 1])
    assert c.__sizeof__() - LucasIter.__basicsize__ - engine_bytes([1, 1, 1], [0, 0, 1], None) == 3 * P
