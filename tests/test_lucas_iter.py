"""Tests of ``lucas.LucasIter`` (see docs/api.md, "class LucasIter").

Expected values come from (a) the naive pure-Python model in ``support/model.py``,
(b) OEIS literals typed in by hand and re-derived by independent loops here,
or (c) closed forms.  Nothing here is copied from the implementation's output.
"""

import array
import collections
import ctypes
import decimal
import fractions
import gc
import re
import sys
import tracemalloc
from itertools import islice

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.intlike import BadIndex, Idx, IntOnly, LyingInt, RaisingIndex
from support.model import ModelLucasIter, take

from lucas import LucasIter

I64_MIN = -(2**63)
I64_MAX = 2**63 - 1

# Modest hypothesis settings: no example database, no deadline (big-int
# arithmetic timing varies).
HYP = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def consume(it, n):
    """Advance ``it`` by n items without keeping any of them alive."""
    collections.deque(islice(it, n), maxlen=0)


def full(msg):
    """A ``match=`` pattern that accepts exactly ``msg``."""
    return "^" + re.escape(msg) + "$"


# ---------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------

small_ints = st.integers(-3, 3)
I64_EDGES = [
    0,
    1,
    -1,
    2,
    -2,
    2**31 - 1,
    -(2**31),
    2**32,
    -(2**32),
    2**32 + 1,
    2**62,
    -(2**62),
    2**62 + 1,
    -(2**62) - 1,
    I64_MAX,
    I64_MIN,
    I64_MAX - 1,
    I64_MIN + 1,
    2**63,
    -(2**63) - 1,
    2**64 - 1,
    2**64,
    -(2**64),
    3037000499,
    -3037000499,
    3037000500,  # ~ sqrt(2**63)
]
i64_edges = st.sampled_from(I64_EDGES)
i64_any = st.integers(I64_MIN, I64_MAX)
big_ints = st.integers(-(2**200), 2**200)
any_values = st.one_of(small_ints, i64_edges, i64_any, big_ints)
VALUE_FLAVOURS = [small_ints, i64_edges, i64_any, big_ints, any_values]

MOD_EDGES = [
    1,
    2,
    3,
    7,
    10,
    2**31 - 1,
    2**32,
    2**32 + 1,
    3037000499,
    3037000500,
    2**62,
    2**63 - 1,
    2**63,
    2**63 + 1,
    2**64 - 1,
    2**64,
    2**64 + 1,
    2**127 - 1,
    2**128 + 1,
]
mods = st.one_of(
    st.sampled_from(MOD_EDGES),
    st.integers(1, 2**130),
    st.integers(1, 50),
    st.integers(2**62, 2**65),
)


@st.composite
def recurrences(draw, min_order=1, max_order=8):
    k = draw(st.integers(min_order, max_order))
    cflav = draw(st.sampled_from(VALUE_FLAVOURS))
    vflav = draw(st.sampled_from(VALUE_FLAVOURS))
    coeffs = draw(st.lists(cflav, min_size=k, max_size=k))
    initial = draw(st.lists(vflav, min_size=k, max_size=k))
    return coeffs, initial


# ---------------------------------------------------------------------------
# Differential tests against the model
# ---------------------------------------------------------------------------


@settings(max_examples=250, **HYP)
@given(recurrences())
def test_matches_model_without_mod(rec):
    coeffs, initial = rec
    got = take(LucasIter(coeffs, initial), 300)
    assert got == take(ModelLucasIter(coeffs, initial), 300)
    assert all(type(x) is int for x in got)


@settings(max_examples=250, **HYP)
@given(recurrences(), mods)
def test_matches_model_with_mod(rec, mod):
    coeffs, initial = rec
    got = take(LucasIter(coeffs, initial, mod=mod), 300)
    assert got == take(ModelLucasIter(coeffs, initial, mod=mod), 300)
    assert all(type(x) is int and 0 <= x < mod for x in got)


@settings(max_examples=100, **HYP)
@given(
    st.lists(small_ints, min_size=1, max_size=4).flatmap(
        lambda c: st.tuples(st.just(c), st.lists(st.one_of(small_ints, i64_any), min_size=len(c), max_size=len(c)))
    )
)
def test_matches_model_long_run_small_coefficients(rec):
    # Long runs stay in the machine-word range for a while, then promote.
    coeffs, initial = rec
    assert take(LucasIter(coeffs, initial), 1000) == take(ModelLucasIter(coeffs, initial), 1000)


@settings(max_examples=100, **HYP)
@given(recurrences(max_order=4), st.one_of(st.none(), mods), st.integers(1, 7))
def test_two_iterators_are_independent(rec, mod, stride):
    coeffs, initial = rec
    a = LucasIter(coeffs, initial, mod=mod)
    b = LucasIter(coeffs, initial, mod=mod)
    expected = take(ModelLucasIter(coeffs, initial, mod=mod), 60 * stride)
    got_a, got_b = [], []
    while len(got_b) < 60:
        got_a.extend(take(a, stride))
        got_b.append(next(b))
    assert got_a == expected
    assert got_b == expected[:60]


def _wrap(v, how):
    if how == 0:
        return v
    if how == 1:
        return Idx(v)
    if how == 2:
        return LyingInt(v)
    if how == 3 and v in (0, 1):
        return bool(v)
    return v


def _container(items, how):
    if how == 0:
        return list(items)
    if how == 1:
        return tuple(items)
    if how == 2:
        return (x for x in items)
    return iter(list(items))


@settings(max_examples=120, **HYP)
@given(recurrences(max_order=6), st.one_of(st.none(), mods), st.data())
def test_matches_model_with_mixed_input_kinds(rec, mod, data):
    coeffs, initial = rec
    expected = take(ModelLucasIter(coeffs, initial, mod=mod), 150)
    wc = [_wrap(v, data.draw(st.integers(0, 3))) for v in coeffs]
    wi = [_wrap(v, data.draw(st.integers(0, 3))) for v in initial]
    c = _container(wc, data.draw(st.integers(0, 3)))
    i = _container(wi, data.draw(st.integers(0, 3)))
    got = take(LucasIter(c, i, mod=mod), 150)
    assert got == expected
    assert all(type(x) is int for x in got)


# ---------------------------------------------------------------------------
# Known sequences (OEIS literals, each re-derived by an independent loop)
# ---------------------------------------------------------------------------

A000045 = [
    0,
    1,
    1,
    2,
    3,
    5,
    8,
    13,
    21,
    34,
    55,
    89,
    144,
    233,
    377,
    610,
    987,
    1597,
    2584,
    4181,
    6765,
    10946,
    17711,
    28657,
    46368,
    75025,
    121393,
    196418,
    317811,
    514229,
    832040,
]
A000032 = [
    2,
    1,
    3,
    4,
    7,
    11,
    18,
    29,
    47,
    76,
    123,
    199,
    322,
    521,
    843,
    1364,
    2207,
    3571,
    5778,
    9349,
    15127,
    24476,
    39603,
    64079,
    103682,
    167761,
    271443,
    439204,
    710647,
    1149851,
    1860498,
]
A000129 = [
    0,
    1,
    2,
    5,
    12,
    29,
    70,
    169,
    408,
    985,
    2378,
    5741,
    13860,
    33461,
    80782,
    195025,
    470832,
    1136689,
    2744210,
    6625109,
    15994428,
    38613965,
    93222358,
    225058681,
    543339720,
    1311738121,
    3166815962,
    7645370045,
    18457556052,
    44560482149,
    107578520350,
]
A000073 = [
    0,
    0,
    1,
    1,
    2,
    4,
    7,
    13,
    24,
    44,
    81,
    149,
    274,
    504,
    927,
    1705,
    3136,
    5768,
    10609,
    19513,
    35890,
    66012,
    121415,
    223317,
    410744,
    755476,
    1389537,
    2555757,
    4700770,
    8646064,
    15902591,
]
# Jacobsthal numbers: same coefficients as Pell but reversed -> checks that c_0
# pairs with the OLDEST value: x_{n+2} = 2*x_n + 1*x_{n+1}.
A001045 = [
    0,
    1,
    1,
    3,
    5,
    11,
    21,
    43,
    85,
    171,
    341,
    683,
    1365,
    2731,
    5461,
    10923,
    21845,
    43691,
    87381,
    174763,
    349525,
    699051,
    1398101,
    2796203,
    5592405,
    11184811,
    22369621,
    44739243,
    89478485,
    178956971,
]


def _loop_fib(n):
    out, a, b = [], 0, 1
    for _ in range(n):
        out.append(a)
        a, b = b, a + b
    return out


def _loop_lucas(n):
    out, a, b = [], 2, 1
    for _ in range(n):
        out.append(a)
        a, b = b, a + b
    return out


def _loop_pell(n):
    out, a, b = [], 0, 1
    for _ in range(n):
        out.append(a)
        a, b = b, 2 * b + a
    return out


def _loop_trib(n):
    out, a, b, c = [], 0, 0, 1
    for _ in range(n):
        out.append(a)
        a, b, c = b, c, a + b + c
    return out


def _closed_jacobsthal(n):
    return [(2**i - (-1) ** i) // 3 for i in range(n)]


KNOWN = [
    pytest.param(A000045, _loop_fib, ([1, 1], [0, 1]), id="A000045-fibonacci"),
    pytest.param(A000032, _loop_lucas, ([1, 1], [2, 1]), id="A000032-lucas"),
    pytest.param(A000129, _loop_pell, ([1, 2], [0, 1]), id="A000129-pell"),
    pytest.param(A000073, _loop_trib, ([1, 1, 1], [0, 0, 1]), id="A000073-tribonacci"),
    pytest.param(A001045, _closed_jacobsthal, ([2, 1], [0, 1]), id="A001045-jacobsthal"),
]


@pytest.mark.parametrize("literal, independent, args", KNOWN)
def test_known_sequences(literal, independent, args):
    # The literal (typed in) and the independent derivation must agree ...
    assert independent(len(literal)) == literal
    # ... and so must the implementation.
    assert take(LucasIter(*args), len(literal)) == literal
    # Further out (past the i64 range) against the independent derivation.
    assert take(LucasIter(*args), 200) == independent(200)


@pytest.mark.parametrize("p, q", [(3, 2), (1, -1), (2, 1), (5, 6), (-3, 2), (6, 8)])
def test_lucas_u_v_table_rows(p, q):
    def loop(a, b, n):
        out = []
        for _ in range(n):
            out.append(a)
            a, b = b, p * b - q * a
        return out

    assert take(LucasIter([-q, p], [0, 1]), 150) == loop(0, 1, 150)
    assert take(LucasIter([-q, p], [2, p]), 150) == loop(2, p, 150)


def test_lucas_u_v_closed_forms():
    # U_n(3, 2) = 2**n - 1 (A000225), V_n(3, 2) = 2**n + 1 (A000051).
    assert take(LucasIter([-2, 3], [0, 1]), 130) == [2**n - 1 for n in range(130)]
    assert take(LucasIter([-2, 3], [2, 3]), 130) == [2**n + 1 for n in range(130)]
    # U_n(2, 1) = n
    assert take(LucasIter([-1, 2], [0, 1]), 100) == list(range(100))


# ---------------------------------------------------------------------------
# The machine-word / big-int boundary
# ---------------------------------------------------------------------------

F92 = 7540113804746346429
F93 = 12200160415121876738
F100 = 354224848179261915075


def test_fibonacci_crosses_i64_exactly():
    assert F92 <= I64_MAX < F93  # premise of the test
    got = take(LucasIter([1, 1], [0, 1]), 101)
    assert got == _loop_fib(101)
    assert got == take(ModelLucasIter([1, 1], [0, 1]), 101)
    assert got[91] + got[92] == got[93]
    assert got[92] == F92
    assert got[93] == F93
    assert got[94] == F92 + F93
    assert got[100] == F100
    assert all(type(x) is int for x in got)


def test_negative_fibonacci_crosses_i64():
    got = take(LucasIter([1, 1], [0, -1]), 120)
    assert got == [-f for f in _loop_fib(120)]
    assert got[93] == -F93 < I64_MIN


def test_negative_overflow():
    c = -(2**62)
    got = take(LucasIter([1, 1], [c, c]), 60)
    fib = _loop_fib(62)
    assert got == [c * fib[n + 1] for n in range(60)]
    assert got[:4] == [c, c, I64_MIN, 3 * c]
    assert got == take(ModelLucasIter([1, 1], [c, c]), 60)


def test_minus_one_times_i64_min_alternates():
    got = take(LucasIter([-1], [I64_MIN]), 40)
    assert got == [I64_MIN, 2**63] * 20
    assert all(type(x) is int for x in got)


def test_i64_min_coefficient_times_minus_one():
    got = take(LucasIter([I64_MIN], [-1]), 12)
    assert got == [-((-(2**63)) ** n) for n in range(12)]
    assert got[1] == 2**63


def test_doubling_reaches_i64_min_exactly_then_beyond():
    got = take(LucasIter([2], [-(2**62)]), 70)
    assert got == [-(2 ** (62 + n)) for n in range(70)]
    assert got[1] == I64_MIN
    assert got[2] == -(2**64)


def test_doubling_reaches_two_to_the_63():
    got = take(LucasIter([2], [2**62]), 70)
    assert got == [2 ** (62 + n) for n in range(70)]
    assert got[1] == 2**63


def test_sum_reaches_two_to_the_63():
    assert take(LucasIter([1, 1], [2**62, 2**62]), 4) == [2**62, 2**62, 2**63, 3 * 2**62]
    assert take(LucasIter([1, 1], [I64_MAX, 1]), 4) == [I64_MAX, 1, 2**63, 2**63 + 1]
    assert take(LucasIter([1, 1], [I64_MIN, -1]), 4) == [I64_MIN, -1, I64_MIN - 1, I64_MIN - 2]


def test_big_initial_value_shrinks_into_i64():
    # 2**63 (not an i64) times -1 is I64_MIN (an i64).
    assert take(LucasIter([-1], [2**63]), 6) == [2**63, I64_MIN] * 3
    # A value that comes back into range after being big.
    got = take(LucasIter([1, -1], [2**64 + 5, 2**64]), 50)
    assert got[2] == 5
    assert got == take(ModelLucasIter([1, -1], [2**64 + 5, 2**64]), 50)


BOUNDARY_CASES = [
    # products overflow, sum fits exactly
    ([I64_MAX, I64_MAX], [I64_MAX, I64_MIN]),
    ([2**62, -(2**62)], [4, 4]),
    ([1, 1, -1], [2**62, 2**62, 2**62]),
    ([-1, -1], [I64_MIN, I64_MIN]),
    ([1], [I64_MIN]),
    ([I64_MIN], [1]),
    ([I64_MIN], [I64_MIN]),
    ([I64_MAX], [I64_MAX]),
    ([-1, 1], [I64_MIN, I64_MAX]),
    ([1, -1], [I64_MIN, I64_MAX]),
    ([0, 1], [2**100, 5]),
    ([1, 0], [2**100, -(2**100)]),
    ([1, -1], [2**70, 2**70]),
    ([3037000500, 0], [3037000500, 3037000500]),
    ([3037000499, 1], [-3037000499, 3037000499]),
    ([1, 1, 1, 1, 1, 1, 1, 1], [I64_MAX] * 8),
    ([-1] * 8, [I64_MIN] * 8),
    ([2**63, -(2**63)], [1, 1]),
    ([0], [0]),
    ([0], [5]),
    ([1, 1], [F92, F93 - F92]),
]


@pytest.mark.parametrize("coeffs, initial", BOUNDARY_CASES)
@pytest.mark.parametrize("mod", [None, 2**63 - 1, 2**63, 2**64 + 1])
def test_boundary_cases_match_model(coeffs, initial, mod):
    got = take(LucasIter(coeffs, initial, mod=mod), 200)
    assert got == take(ModelLucasIter(coeffs, initial, mod=mod), 200)
    assert all(type(x) is int for x in got)


# ---------------------------------------------------------------------------
# mod
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("mod", [2, 10, 2**63 - 1, 2**63, 2**63 + 1, 2**64 - 1, 2**64, 2**64 + 1, 2**130 + 3])
def test_fibonacci_mod_matches_exact_values_reduced(mod):
    got = take(LucasIter([1, 1], [0, 1], mod=mod), 400)
    assert got == [f % mod for f in _loop_fib(400)]


def test_mod_one_yields_zeros():
    got = take(LucasIter([3, -5, 2**70], [7, -9, 2**80], mod=1), 50)
    assert got == [0] * 50
    assert all(type(x) is int for x in got)


def test_mod_true_is_one():
    got = take(LucasIter([1, 1], [1, 1], mod=True), 20)
    assert got == [0] * 20
    assert all(type(x) is int for x in got)


def test_mod_reduces_negative_inputs():
    got = take(LucasIter([-1, -2], [-5, -7], mod=10), 60)
    assert got[:2] == [5, 3]
    assert got[2] == (-1 * -5 + -2 * -7) % 10
    assert all(0 <= x < 10 for x in got)
    assert got == take(ModelLucasIter([-1, -2], [-5, -7], mod=10), 60)


def test_mod_reduces_large_initial_values():
    got = take(LucasIter([1], [10**30 + 7], mod=10), 5)
    assert got == [7] * 5
    got = take(LucasIter([1, 1], [-(2**100), 2**64], mod=2**64 + 1), 100)
    assert got[:2] == [(-(2**100)) % (2**64 + 1), 2**64]
    assert got == take(ModelLucasIter([1, 1], [-(2**100), 2**64], mod=2**64 + 1), 100)


def test_mod_none_same_as_absent():
    args = ([2, -3, 5], [2**63, -1, 7])
    assert take(LucasIter(*args, mod=None), 100) == take(LucasIter(*args), 100)
    assert take(LucasIter(*args), 100) == take(ModelLucasIter(*args), 100)


def test_mod_as_lying_int_subclass():
    got = take(LucasIter([1, 1], [0, 1], mod=LyingInt(7)), 50)
    assert got == [f % 7 for f in _loop_fib(50)]


# ---------------------------------------------------------------------------
# Kinds of input
# ---------------------------------------------------------------------------

FIB30 = A000045[:30]


@pytest.mark.parametrize(
    "make",
    [
        lambda: ((1, 1), (0, 1)),
        lambda: ((c for c in [1, 1]), (v for v in [0, 1])),
        lambda: (iter([1, 1]), iter([0, 1])),
        lambda: (range(1, 4), range(5, 8)),
        lambda: ({3: "a", -2: "b"}.keys(), dict.fromkeys([0, 1]).keys()),
        lambda: ({"a": 3, "b": -2}.values(), {7: 0, 8: 1}),
        lambda: (b"\x01\x01", bytearray(b"\x00\x01")),
        lambda: (array.array("q", [I64_MAX, I64_MIN]), array.array("b", [0, 1])),
        lambda: (map(int, "11"), map(abs, [0, -1])),
        lambda: (collections.deque([2, -1]), [5, 6]),
        lambda: (frozenset([3]), frozenset([-4])),
        lambda: ([True, True], [False, True]),
        lambda: ([Idx(1), Idx(1)], [Idx(0), Idx(1)]),
    ],
)
def test_various_iterables(make):
    c, i = make()
    c_list = list(make()[0])
    i_list = list(make()[1])
    got = take(LucasIter(c, i), 30)
    assert got == take(ModelLucasIter(c_list, i_list), 30)
    assert all(type(x) is int for x in got)


def test_dict_keys_and_range():
    # dict keys {1, 2} and range(2) -> Pell
    assert take(LucasIter({1: "x", 2: "y"}.keys(), range(2)), 31) == A000129
    assert take(LucasIter(range(1, 3), range(2)), 31) == A000129
    assert take(LucasIter({1: 0, 2: 0}, (0, 1)), 31) == A000129  # iterating a dict = keys


def test_generators_are_consumed_exactly_once():
    c = (x for x in [1, 1])
    i = (x for x in [0, 1])
    it = LucasIter(c, i)
    sentinel = object()
    assert next(c, sentinel) is sentinel
    assert next(i, sentinel) is sentinel
    assert take(it, 30) == FIB30


def test_iter_called_once_on_custom_iterable():
    calls = []

    class Once:
        def __init__(self, items):
            self.items = items

        def __iter__(self):
            calls.append(1)
            if len(calls) > 2:
                raise AssertionError("iterated more than once")
            return iter(self.items)

    it = LucasIter(Once([1, 1]), Once([0, 1]))
    assert len(calls) == 2
    assert take(it, 30) == FIB30


def test_inputs_copied_at_construction():
    c, i = [1, 1], [0, 1]
    it = LucasIter(c, i)
    c[:] = [5, 5]
    i[:] = [9, 9]
    c.append(3)
    assert take(it, 30) == FIB30


def test_same_list_for_both_arguments():
    xs = [1, 2, 3]
    assert take(LucasIter(xs, xs), 100) == take(ModelLucasIter([1, 2, 3], [1, 2, 3]), 100)


def test_bool_elements():
    got = take(LucasIter([True, True], [False, True]), 30)
    assert got == FIB30
    assert all(type(x) is int for x in got)
    got = take(LucasIter([True], [True], mod=5), 5)
    assert got == [1] * 5
    assert all(type(x) is int for x in got)


def test_index_objects():
    got = take(LucasIter([Idx(1), Idx(2)], [Idx(0), Idx(1)]), 31)
    assert got == A000129
    got = take(LucasIter([Idx(2**100)], [Idx(-3)]), 5)
    assert got == [-3 * 2 ** (100 * n) for n in range(5)]
    assert all(type(x) is int for x in got)


def test_lying_int_subclass_is_converted_to_exact_int():
    c = [LyingInt(1), LyingInt(1)]
    i = [LyingInt(0), LyingInt(1)]
    got = take(LucasIter(c, i), 101)
    assert [int.__index__(x) for x in got] == _loop_fib(101)
    assert all(type(x) is int for x in got)
    assert got == _loop_fib(101)
    # big ones too
    c = [LyingInt(-(2**70)), LyingInt(3)]
    i = [LyingInt(2**80 + 1), LyingInt(-5)]
    got = take(LucasIter(c, i, mod=2**64 + 13), 100)
    assert all(type(x) is int for x in got)
    assert got == take(ModelLucasIter([-(2**70), 3], [2**80 + 1, -5], mod=2**64 + 13), 100)
    got = take(LucasIter(c, i), 100)
    assert all(type(x) is int for x in got)
    assert got == take(ModelLucasIter([-(2**70), 3], [2**80 + 1, -5]), 100)


def test_iter_returns_self():
    it = LucasIter([1, 1], [0, 1])
    assert iter(it) is it
    assert iter(iter(it)) is it
    before = sys.getrefcount(it)
    j = iter(it)
    assert sys.getrefcount(it) == before + 1
    del j
    for _ in range(100):
        iter(it)
        next(it)
    assert sys.getrefcount(it) == before


def test_never_stops():
    it = LucasIter([1], [7])
    assert take(it, 1000) == [7] * 1000
    assert next(it) == 7
    assert take(LucasIter([0], [5]), 1000) == [5] + [0] * 999


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


def _raising_gen(exc, after):
    yield from after
    raise exc


class RaisingIter:
    def __iter__(self):
        raise KeyError("no iteration for you")


ARG_ERRORS = [
    (lambda: LucasIter(), "LucasIter() missing required argument 'coefficients' (pos 1)"),
    (lambda: LucasIter([1]), "LucasIter() missing required argument 'initial' (pos 2)"),
    (lambda: LucasIter([1], [1], [1]), "LucasIter() takes exactly 2 positional arguments (3 given)"),
    (lambda: LucasIter([1], [1], foo=3), "LucasIter() got an unexpected keyword argument 'foo'"),
    (
        lambda: LucasIter(coefficients=[1], initial=[1]),
        "LucasIter() got some positional-only arguments passed as keyword arguments: 'coefficients, initial'",
    ),
    (
        lambda: LucasIter([1], initial=[1]),
        "LucasIter() got some positional-only arguments passed as keyword arguments: 'initial'",
    ),
    (lambda: LucasIter(5, [1]), "LucasIter() argument 'coefficients' must be an iterable of integers, not int"),
    (lambda: LucasIter([1], 5), "LucasIter() argument 'initial' must be an iterable of integers, not int"),
    (lambda: LucasIter(None, [1]), "LucasIter() argument 'coefficients' must be an iterable of integers, not NoneType"),
    (lambda: LucasIter([1], None), "LucasIter() argument 'initial' must be an iterable of integers, not NoneType"),
    (lambda: LucasIter(1.5, [1]), "LucasIter() argument 'coefficients' must be an iterable of integers, not float"),
    (lambda: LucasIter([1], 2**100), "LucasIter() argument 'initial' must be an iterable of integers, not int"),
    (lambda: LucasIter([1, 2.0], [1, 1]), "LucasIter() argument 'coefficients' item 1 must be an integer, not float"),
    (lambda: LucasIter([1, "2"], [1, 1]), "LucasIter() argument 'coefficients' item 1 must be an integer, not str"),
    (lambda: LucasIter([None], [1]), "LucasIter() argument 'coefficients' item 0 must be an integer, not NoneType"),
    (lambda: LucasIter("ab", [1, 1]), "LucasIter() argument 'coefficients' item 0 must be an integer, not str"),
    (
        lambda: LucasIter([1, 1, 1, fractions.Fraction(1, 2)], [1, 1, 1, 1]),
        "LucasIter() argument 'coefficients' item 3 must be an integer, not Fraction",
    ),
    (lambda: LucasIter([1, 1], [1, 2.0]), "LucasIter() argument 'initial' item 1 must be an integer, not float"),
    (lambda: LucasIter([1, 1], ["1", 1]), "LucasIter() argument 'initial' item 0 must be an integer, not str"),
    (
        lambda: LucasIter([1, 1, 1], [1, 2, None]),
        "LucasIter() argument 'initial' item 2 must be an integer, not NoneType",
    ),
    (
        lambda: LucasIter([1], [fractions.Fraction(4, 2)]),
        "LucasIter() argument 'initial' item 0 must be an integer, not Fraction",
    ),
    (lambda: LucasIter([1], [IntOnly()]), "LucasIter() argument 'initial' item 0 must be an integer, not IntOnly"),
    (lambda: LucasIter([1], [1], mod=2.0), "LucasIter() argument 'mod' must be an integer or None, not float"),
    (lambda: LucasIter([1], [1], mod="3"), "LucasIter() argument 'mod' must be an integer or None, not str"),
    (lambda: LucasIter([1], [1], mod=[5]), "LucasIter() argument 'mod' must be an integer or None, not list"),
]


@pytest.mark.parametrize("call, message", ARG_ERRORS)
def test_type_errors(call, message):
    with pytest.raises(TypeError, match=full(message)):
        call()


@pytest.mark.parametrize(
    "which, call",
    [
        ("coefficients", lambda: LucasIter([1, decimal.Decimal(1)], [1, 1])),
        ("initial", lambda: LucasIter([1, 1], [1, decimal.Decimal("1.5")])),
    ],
)
def test_decimal_is_rejected(which, call):
    # The type may be spelled "Decimal" or "decimal.Decimal".
    pattern = (
        r"^" + re.escape(f"LucasIter() argument '{which}' item 1 must be an integer, not ") + r"(decimal\.)?Decimal$"
    )
    with pytest.raises(TypeError, match=pattern):
        call()


VALUE_ERRORS = [
    (lambda: LucasIter([1], [1], mod=0), "LucasIter() argument 'mod' must be a positive integer"),
    (lambda: LucasIter([1], [1], mod=-5), "LucasIter() argument 'mod' must be a positive integer"),
    (lambda: LucasIter([1], [1], mod=False), "LucasIter() argument 'mod' must be a positive integer"),
    (lambda: LucasIter([1], [1], mod=-(2**100)), "LucasIter() argument 'mod' must be a positive integer"),
    (lambda: LucasIter([1], [1], mod=I64_MIN), "LucasIter() argument 'mod' must be a positive integer"),
    (lambda: LucasIter([], []), "LucasIter() argument 'coefficients' must not be empty"),
    (lambda: LucasIter((), iter([])), "LucasIter() argument 'coefficients' must not be empty"),
    (lambda: LucasIter(range(0), (x for x in ())), "LucasIter() argument 'coefficients' must not be empty"),
    (
        lambda: LucasIter([1, 1], [1]),
        "LucasIter() arguments 'coefficients' and 'initial' must have the same length (2 != 1)",
    ),
    (
        lambda: LucasIter([1], [1, 2, 3]),
        "LucasIter() arguments 'coefficients' and 'initial' must have the same length (1 != 3)",
    ),
    (
        lambda: LucasIter([1] * 12, [0] * 11, mod=7),
        "LucasIter() arguments 'coefficients' and 'initial' must have the same length (12 != 11)",
    ),
]


@pytest.mark.parametrize("call, message", VALUE_ERRORS)
def test_value_errors(call, message):
    with pytest.raises(ValueError, match=full(message)):
        call()


def test_empty_and_mismatch_is_value_error():
    with pytest.raises(ValueError):
        LucasIter([], [1])
    with pytest.raises(ValueError):
        LucasIter([1], [])


def test_user_exceptions_propagate_unchanged():
    with pytest.raises(ZeroDivisionError, match=full("boom in coefficients")):
        LucasIter(_raising_gen(ZeroDivisionError("boom in coefficients"), [1, 2]), [1, 2, 3])
    with pytest.raises(ZeroDivisionError, match=full("boom in initial")):
        LucasIter([1, 2, 3], _raising_gen(ZeroDivisionError("boom in initial"), [1, 2]))
    with pytest.raises(KeyError, match="no iteration for you"):
        LucasIter(RaisingIter(), [1])
    with pytest.raises(KeyError, match="no iteration for you"):
        LucasIter([1], RaisingIter())
    with pytest.raises(ArithmeticError, match=full("index says no")) as ei:
        LucasIter([1, RaisingIndex(ArithmeticError, "index says no")], [1, 1])
    assert type(ei.value) is ArithmeticError
    with pytest.raises(ArithmeticError, match=full("index says no")):
        LucasIter([1, 1], [RaisingIndex(ArithmeticError, "index says no"), 1])
    # A TypeError from __index__ must not be replaced by our own TypeError.
    with pytest.raises(TypeError, match=full("custom index failure")):
        LucasIter([RaisingIndex(TypeError, "custom index failure")], [1])
    with pytest.raises(TypeError, match=full("custom index failure")):
        LucasIter([1], [RaisingIndex(TypeError, "custom index failure")])
    # An exception from the iterator's __next__ whose type is TypeError as well.
    with pytest.raises(TypeError, match=full("generator type error")):
        LucasIter([1], _raising_gen(TypeError("generator type error"), []))


def test_user_exception_object_identity():
    exc = LookupError("this very object")
    with pytest.raises(LookupError) as ei:
        LucasIter(_raising_gen(exc, [1]), [1, 1])
    assert ei.value is exc or ei.value.__cause__ is exc or ei.value.__context__ is exc


def test_index_returning_non_int():
    with pytest.raises(TypeError):
        LucasIter([BadIndex()], [1])
    with pytest.raises(TypeError):
        LucasIter([1], [BadIndex()])


# ---------------------------------------------------------------------------
# Reference counts
# ---------------------------------------------------------------------------


def _refs(objs):
    return [sys.getrefcount(o) for o in objs]


def _fresh(n):
    """A new int object equal to n, private to the caller (code-object
    constants are shared module-wide, so their refcounts are not ours)."""
    return int(str(n))


def _fails(exc_type, *args, **kwargs):
    try:
        LucasIter(*args, **kwargs)
    except exc_type:
        pass
    else:
        raise AssertionError("construction unexpectedly succeeded")


def test_refcounts_after_use_and_delete():
    k1, k2 = _fresh(3**20 + 2), _fresh(5**13 + 4)  # i64, not small-int cached
    a, b = _fresh(2**40 + 1), _fresh(2**41 + 3)
    big1, big2, m = _fresh(10**30 + 7), _fresh(10**30 + 9), _fresh(10**25 + 9)
    coeffs, initial = [k1, k2], [a, b]
    bcoeffs, binitial = [big1, 1, k1], [big2, a, b]
    fc, fi = [1, 1], [0, 1]
    objs = [k1, k2, a, b, big1, big2, m, coeffs, initial, bcoeffs, binitial, fc, fi, LucasIter]
    gc.collect()
    before = _refs(objs)
    for _ in range(3):
        it = LucasIter(coeffs, initial)
        consume(it, 200)
        del it
        it = LucasIter(bcoeffs, binitial)
        consume(it, 200)
        del it
        it = LucasIter(bcoeffs, binitial, mod=m)
        consume(it, 200)
        del it
        it = LucasIter(coeffs, initial, mod=m)
        consume(it, 200)
        del it
        it = LucasIter(fc, fi)  # crosses 2**63 at index 93
        consume(it, 200)
        del it
        it = LucasIter(fc, initial)  # i64 objects, crosses after ~50 steps
        consume(it, 200)
        del it
        it = LucasIter(bcoeffs, binitial)  # constructed, never iterated
        del it
        it = LucasIter(coeffs, initial)  # partly iterated
        x = next(it)
        assert x == a
        del x
        del it
    gc.collect()
    assert _refs(objs) == before


def test_refcounts_of_yielded_initial_values():
    a, b = _fresh(10**30 + 7), _fresh(10**30 + 9)
    before = _refs([a, b])
    it = LucasIter([1, 1], [a, b])
    xs = take(it, 5)
    del it
    assert xs[:2] == [a, b]
    del xs
    assert _refs([a, b]) == before


def test_refcounts_after_failed_constructions():
    B1, B2, B3 = _fresh(10**30 + 7), _fresh(10**30 + 9), _fresh(10**30 + 11)
    idx_bad = RaisingIndex(ArithmeticError, "nope")
    idx_nonint = BadIndex()
    l_float = [B1, 2.0]
    l_3 = [B2, B3]
    l_str = [B3, "x"]
    l_1 = [B1]
    l_2 = [B2]
    l_short = [B3]
    l_idx = [B1, idx_bad]
    l_nonint = [B2, idx_nonint]
    l_empty1, l_empty2 = [], []
    objs = [
        B1,
        B2,
        B3,
        idx_bad,
        idx_nonint,
        l_float,
        l_3,
        l_str,
        l_1,
        l_2,
        l_short,
        l_idx,
        l_nonint,
        l_empty1,
        l_empty2,
        LucasIter,
    ]
    gc.collect()
    before = _refs(objs)
    for _ in range(5):
        _fails(TypeError, l_float, l_3)
        _fails(TypeError, l_3, l_str)
        _fails(ValueError, l_3, l_short)
        _fails(ValueError, l_1, l_3)
        _fails(ValueError, l_1, l_2, mod=0)
        _fails(ValueError, l_1, l_2, mod=-B3)
        _fails(TypeError, l_1, l_2, mod=2.0)
        _fails(TypeError, l_1, l_2, l_short)
        _fails(TypeError, l_1, l_2, foo=B3)
        _fails(TypeError, coefficients=l_1, initial=l_2)
        _fails(TypeError, l_1, initial=l_2)
        _fails(TypeError, l_1)
        _fails(TypeError, B1, l_2)
        _fails(TypeError, l_1, B2)
        _fails(ArithmeticError, l_idx, l_3)
        _fails(ArithmeticError, l_3, l_idx)
        _fails(TypeError, l_nonint, l_3)
        _fails(ValueError, l_empty1, l_empty2)
        _fails(ZeroDivisionError, l_3, _raising_gen(ZeroDivisionError("z"), [B1]))
        _fails(ZeroDivisionError, _raising_gen(ZeroDivisionError("z"), [B1, B2]), l_3)
        _fails(TypeError, (x for x in [B1, B2]), l_str)
    gc.collect()
    assert _refs(objs) == before


# ---------------------------------------------------------------------------
# Leak smoke test
# ---------------------------------------------------------------------------


def _workload(n):
    coeffs8 = [1, -1, 2, 3, -2, 1, 1, 1]
    for i in range(n):
        it = LucasIter(coeffs8, [i, 2**62, -(2**62), 5, 6, 7, 8, 9])  # promotes quickly
        consume(it, 12)
        it = LucasIter((1, 1), (i, 1), mod=2**64 + 1)
        consume(it, 4)
        it = LucasIter([2**70 + i], [3])
        consume(it, 3)
        it = LucasIter(coeffs8, range(8))  # never iterated
        try:
            LucasIter([1, 2.0], [1, 1])
        except TypeError:
            pass
        try:
            LucasIter([1, 1], [1])
        except ValueError:
            pass
    del it


def _malloc_in_use():
    """Bytes in use according to glibc's malloc, or None elsewhere."""
    try:
        libc = ctypes.CDLL(None)
        fn = libc.mallinfo2
    except (OSError, AttributeError):
        return None

    class Mallinfo2(ctypes.Structure):
        _fields_ = [
            (name, ctypes.c_size_t)
            for name in (
                "arena",
                "ordblks",
                "smblks",
                "hblks",
                "hblkhd",
                "usmblks",
                "fsmblks",
                "uordblks",
                "fordblks",
                "keepcost",
            )
        ]

    fn.restype = Mallinfo2
    info = fn()
    return info.uordblks + info.hblkhd


def test_no_leak_smoke():
    tracemalloc.start()
    try:
        _workload(2000)  # warm-up: caches, free lists, interned objects
        gc.collect()
        traced0 = tracemalloc.get_traced_memory()[0]
        malloc0 = _malloc_in_use()
        _workload(20000)
        gc.collect()
        traced1 = tracemalloc.get_traced_memory()[0]
        malloc1 = _malloc_in_use()
    finally:
        tracemalloc.stop()
    # 20000 rounds x 4 iterators: leaking even one small object per iterator
    # would show up as >= 2 MiB here.
    assert traced1 - traced0 < 64 * 1024
    if malloc0 is not None:
        # Memory allocated outside Python's allocators (e.g. Rust's Vec).
        assert malloc1 - malloc0 < 256 * 1024


def test_weak_references_die_with_the_iterator():
    import weakref

    it = LucasIter([1, 1], [0, 1], mod=7)
    called = []
    ref = weakref.ref(it, called.append)
    proxy = weakref.proxy(it)
    assert ref() is it
    assert next(proxy) == 0
    assert weakref.getweakrefcount(it) == 2
    del it
    assert ref() is None
    assert called == [ref]
    with pytest.raises(ReferenceError):
        next(proxy)


def test_weak_references_to_subclass_instances():
    import weakref

    class Slotted(LucasIter):
        __slots__ = ("tag",)

    class WithDict(LucasIter):
        pass

    for cls in (Slotted, WithDict):
        it = cls([2], [1])
        ref = weakref.ref(it)
        assert next(ref()) == 1
        del it
        assert ref() is None
