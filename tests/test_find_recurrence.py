"""find_recurrence against slow models (tests/support/find_model.py), known sequences, the
round trip through nth_term and LucasIter, sympy where the answer is unique, edge cases and
bad input.

Over Q the shortest order is checked against a model that uses no Berlekamp-Massey at all
(the rank of the linear system); modulo a prime against Berlekamp-Massey on Python ints;
modulo small composites and prime powers (where Reeds-Sloane takes over) against a search
through every coefficient vector.
"""

import math
from fractions import Fraction
from itertools import islice

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.find_model import bm_fractions, bm_prime, generates, order_by_rank, order_by_search
from support.intlike import Boom, Idx, LyingInt, PlainInt, RaisingIndex

import lucas
from lucas import LucasIter, find_recurrence, nth_term

HYP = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

small = st.integers(-3, 3)
values = st.one_of(small, st.integers(-(2**64), 2**64), st.integers(-(2**100), 2**100))
PRIMES = [2, 3, 7, 97, 10**9 + 7, 998244353, 2**61 - 1, 2**62 - 57, 2**63 - 25, 2**64 - 59, 2**89 - 1, 2**127 - 1]
# Square-free composites, with their prime factors: the order is the largest of theirs.
SQUARE_FREE = {
    6: [2, 3],
    10: [2, 5],
    30: [2, 3, 5],
    2**64 - 1: [3, 5, 17, 257, 641, 65537, 6700417],
    (2**61 - 1) * (2**89 - 1): [2**61 - 1, 2**89 - 1],
    2 * (2**127 - 1): [2, 2**127 - 1],
}


def check_shape(result, terms, mod=None):
    """The result's form: a pair of tuples, initial = the first k terms (reduced)."""
    coefficients, initial = result
    assert type(coefficients) is tuple and type(initial) is tuple
    k = len(coefficients)
    assert initial == tuple(t % mod if mod else t for t in terms[:k])
    assert all(type(v) is int for v in initial)
    for c in coefficients:
        if mod is None:
            assert type(c) is int or (type(c) is Fraction and c.denominator != 1), c
        else:
            assert type(c) is int and 0 <= c < mod
    assert generates(coefficients, terms, mod)
    return coefficients


@settings(max_examples=200, **HYP)
@given(st.lists(st.one_of(small, small, values), max_size=12))
def test_exact_is_shortest_and_generates(terms):
    coefficients = check_shape(find_recurrence(terms), terms)
    k = len(coefficients)
    assert k == order_by_rank(terms) == len(bm_fractions(terms))
    if 2 * k <= len(terms):  # unique
        assert list(coefficients) == bm_fractions(terms)


@settings(max_examples=100, **HYP)
@given(
    st.integers(1, 8).flatmap(
        lambda k: st.tuples(st.lists(small, min_size=k, max_size=k), st.lists(values, min_size=k, max_size=k))
    ),
    st.integers(0, 6),
)
def test_exact_finds_the_recurrence_that_made_the_terms(rec, extra):
    c, init = rec
    terms = list(islice(LucasIter(c, init), 2 * len(c) + extra))
    coefficients = check_shape(find_recurrence(terms), terms)
    assert len(coefficients) <= len(c)
    if len(coefficients) == len(c):  # 2k <= N: the only one of that order
        assert list(coefficients) == c


@settings(max_examples=150, **HYP)
@given(st.lists(values, max_size=16), st.sampled_from(PRIMES))
def test_modulo_a_prime_matches_the_model(terms, p):
    coefficients = check_shape(find_recurrence(terms, mod=p), terms, p)
    expect = bm_prime(terms, p)
    assert len(coefficients) == len(expect)
    if 2 * len(expect) <= len(terms):
        assert list(coefficients) == expect


@settings(max_examples=80, **HYP)
@given(
    st.integers(1, 40).flatmap(
        lambda k: st.tuples(st.lists(values, min_size=k, max_size=k), st.lists(values, min_size=k, max_size=k))
    ),
    st.sampled_from(PRIMES[2:]),
)
def test_modulo_a_prime_recovers_random_recurrences(rec, p):
    c, init = rec
    terms = list(islice(LucasIter(c, init, mod=p), 2 * len(c)))
    coefficients = check_shape(find_recurrence(terms, mod=p), terms, p)
    assert len(coefficients) == len(bm_prime(terms, p)) <= len(c)


@settings(max_examples=80, **HYP)
@given(st.lists(values, max_size=14), st.sampled_from(sorted(SQUARE_FREE)))
def test_square_free_moduli_join_their_primes(terms, m):
    coefficients = check_shape(find_recurrence(terms, mod=m), terms, m)
    # The shortest order modulo m is the largest modulo its prime factors.
    assert len(coefficients) == max(len(bm_prime(terms, p)) for p in SQUARE_FREE[m])


def small_residues(m):
    """Mostly 0, 1 and small multiples of m's primes: what makes Berlekamp-Massey stall."""
    return st.one_of(st.sampled_from([0, 0, 1, 2, 3, 4, 6, 9]).map(lambda v: v % m), st.integers(0, m - 1))


@settings(max_examples=250, **HYP)
@given(
    st.sampled_from([(4, 7), (6, 6), (8, 6), (9, 5), (12, 4), (16, 4), (18, 4), (25, 4), (27, 4), (32, 4)]).flatmap(
        lambda ml: st.tuples(st.just(ml[0]), st.lists(small_residues(ml[0]), max_size=ml[1]))
    )
)
def test_small_composites_and_prime_powers_are_shortest(case):
    m, terms = case
    coefficients = check_shape(find_recurrence(terms, mod=m), terms, m)
    assert len(coefficients) == order_by_search(terms, m)


@settings(max_examples=100, **HYP)
@given(
    st.sampled_from([(2, 8), (2, 64), (2, 70), (3, 5), (5, 3), (7, 30)]),
    st.integers(1, 7).flatmap(
        lambda k: st.lists(
            st.lists(st.sampled_from([0, 1, 2, 3, 4, 6, 8, 9, 12, 27]), min_size=k, max_size=k), min_size=2, max_size=2
        )
    ),
    st.integers(0, 5),
)
def test_prime_powers_recover_recurrences_that_made_the_terms(pe, rec, extra):
    p, e = pe
    m = p**e
    c, init = rec
    terms = list(islice(LucasIter(c, init, mod=m), 2 * len(c) + extra))
    coefficients = check_shape(find_recurrence(terms, mod=m), terms, m)
    # No longer than the recurrence that made them, and no shorter than modulo p needs.
    assert len(bm_prime(terms, p)) <= len(coefficients) <= len(c)


def test_known_sequences():
    def first(c, init, n=20):
        return list(islice(LucasIter(c, init), n))

    known = {
        "Fibonacci": ([1, 1], [0, 1]),
        "Lucas": ([1, 1], [2, 1]),
        "Pell": ([1, 2], [0, 1]),
        "Tribonacci": ([1, 1, 1], [0, 0, 1]),
        "Padovan": ([1, 1, 0], [1, 1, 1]),
        "Perrin": ([1, 1, 0], [3, 0, 2]),
        "powers of 3": ([3], [1]),
        "period 3": ([1, 0, 0], [1, 2, 3]),
    }
    for name, (c, init) in known.items():
        terms = first(c, init)
        assert find_recurrence(terms) == (tuple(c), tuple(init)), name
        assert find_recurrence(terms, mod=10**9 + 7) == (tuple(x % (10**9 + 7) for x in c), tuple(init)), name
    # n^d: the characteristic polynomial (x - 1)^(d+1), coefficients with alternating signs.
    for d in range(6):
        terms = [n**d for n in range(2 * d + 6)]
        coefficients, initial = find_recurrence(terms)
        assert coefficients == tuple((-1) ** (d - j) * math.comb(d + 1, j) for j in range(d + 1))
        assert initial == tuple(terms[: d + 1])
    # A ratio that is not an integer.
    assert find_recurrence([8, 4, 2, 1]) == ((Fraction(1, 2),), (8,))
    assert find_recurrence([1, 3, 9, 27], mod=7) == ((3,), (1,))


def test_guess_then_jump():
    fib = [lucas.fibonacci(n) for n in range(30)]
    rec = find_recurrence(fib)
    assert nth_term(*rec, 1000) == lucas.fibonacci(1000)
    rec = find_recurrence([lucas.fibonacci(n, mod=2**61 - 1) for n in range(10)], mod=2**61 - 1)
    assert nth_term(*rec, 10**18, mod=2**61 - 1) == lucas.fibonacci(10**18, mod=2**61 - 1)


@settings(max_examples=60, **HYP)
@given(st.lists(st.integers(-5, 5), min_size=1, max_size=14), st.one_of(st.none(), st.sampled_from(PRIMES + [6, 30])))
def test_round_trip_through_nth_term_and_lucas_iter(terms, mod):
    c, init = find_recurrence(terms, mod=mod)
    if not c or any(type(x) is not int for x in c):
        return  # all zero, or rational coefficients (LucasIter takes integers)
    expect = [t % mod if mod else t for t in terms]
    assert list(islice(LucasIter(c, init, mod=mod), len(terms))) == expect
    assert [nth_term(c, init, i, mod=mod) for i in range(len(terms))] == expect


@pytest.mark.parametrize(
    "terms, expect",
    [
        ([], ((), ())),
        ([0], ((), ())),
        ([0] * 7, ((), ())),
        ([5], ((5,), (5,))),
        ([0, 0, 0, 1], ((1, 0, 0, 0), (0, 0, 0, 1))),
        ([0, 0, 0, 0, 0, 3], ((3, 0, 0, 0, 0, 0), (0, 0, 0, 0, 0, 3))),
        ([7, 7, 7, 7], ((1,), (7,))),
    ],
)
def test_edge_cases(terms, expect):
    assert find_recurrence(terms) == expect
    coefficients = check_shape(find_recurrence(terms), terms)
    assert len(coefficients) == order_by_rank(terms)


def test_edge_cases_with_mod():
    assert find_recurrence([3, 1, 4], mod=1) == ((), ())
    assert find_recurrence([], mod=5) == ((), ())
    assert find_recurrence([10, 20, 30], mod=10) == ((), ())
    assert find_recurrence([0, 0, 0, 1], mod=2**100) == ((1, 0, 0, 0), (0, 0, 0, 1))
    assert find_recurrence([-1, -2, -4], mod=2**64 + 13) == ((2,), (2**64 + 12,))


def test_sympy_agrees_where_unique():
    import sympy  # a test requirement (requirements-test.txt)

    k = sympy.Symbol("k")
    cases = [
        [0, 1, 1, 2, 3, 5, 8, 13, 21],
        [1, 4, 9, 16, 25, 36, 49, 64],
        [3, 1, 4, 1, 5, 9, 2, 6],
        [1, 2, 3, 1, 2, 3, 1, 2, 3],
        [1, -1, 2, 3, -5, 8, 13, -21, 34, 55, 89, 144],
    ]
    for terms in cases:
        coefficients, _ = find_recurrence(terms)
        assert 2 * len(coefficients) <= len(terms)
        theirs = sympy.sequence(tuple(terms), (k, 0, len(terms) - 1)).find_linear_recurrence(len(terms))
        assert [Fraction(int(x.p), int(x.q)) for x in reversed(theirs)] == list(coefficients), terms


def test_integers_as_everywhere_else():
    terms = [Idx(0), True, PlainInt(1), Idx(2), LyingInt(3), 5, 8]
    assert find_recurrence(terms) == ((1, 1), (0, 1))
    assert type(find_recurrence(terms)[1][1]) is int
    assert find_recurrence(iter([0, 1, 1, 2, 3]), mod=Idx(7)) == ((1, 1), (0, 1))
    assert find_recurrence(range(0, 20, 3)) == ((-1, 2), (0, 3))
    assert find_recurrence((x * x for x in range(8)), mod=True) == ((), ())


@pytest.mark.parametrize(
    "args, kwargs, exc, text",
    [
        ((5,), {}, TypeError, "find_recurrence() argument 'terms' must be an iterable of integers, not int"),
        (([1, 2.5],), {}, TypeError, "find_recurrence() argument 'terms' item 1 must be an integer, not float"),
        ((["a"],), {}, TypeError, "find_recurrence() argument 'terms' item 0 must be an integer, not str"),
        (([1, None, 3],), {}, TypeError, "find_recurrence() argument 'terms' item 1 must be an integer, not NoneType"),
        (([1],), {"mod": 0}, ValueError, "find_recurrence() argument 'mod' must be a positive integer"),
        (([1],), {"mod": -7}, ValueError, "find_recurrence() argument 'mod' must be a positive integer"),
        (([1],), {"mod": 2.0}, TypeError, "find_recurrence() argument 'mod' must be an integer or None, not float"),
        (([1],), {"mod": "3"}, TypeError, "find_recurrence() argument 'mod' must be an integer or None, not str"),
        ((), {}, TypeError, "find_recurrence() missing required argument 'terms' (pos 1)"),
        (([1], [2]), {}, TypeError, "find_recurrence() takes exactly 1 positional argument (2 given)"),
        ((), {"terms": [1]}, TypeError, "positional-only"),
        (([1],), {"modulus": 3}, TypeError, "find_recurrence() got an unexpected keyword argument 'modulus'"),
    ],
)
def test_bad_input(args, kwargs, exc, text):
    with pytest.raises(exc) as info:
        find_recurrence(*args, **kwargs)
    assert text in str(info.value)


def test_exceptions_from_the_caller_propagate():
    def gen():
        yield 1
        yield 2
        raise Boom("from the iterable")

    with pytest.raises(Boom, match="from the iterable"):
        find_recurrence(gen())
    with pytest.raises(Boom, match="from __index__"):
        find_recurrence([1, RaisingIndex(), 3], mod=7)
    with pytest.raises(Boom):
        find_recurrence([1], mod=RaisingIndex())


def test_prime_powers_past_a_word_and_the_one_refusal():
    # Where Berlekamp-Massey would divide by 2 or 3: Reeds-Sloane, on words and beyond.
    for m in (4, 2**63, 2**64, 2**70, 9 * 5, 3**50):
        p = 2 if m % 2 == 0 else 3
        for terms in ([p, p, p, p, 1], [1, p, 0, 0, 0, 0], [p, 0, p * p, 1, 0, p]):
            coefficients = check_shape(find_recurrence(terms, mod=m), terms, m)
            # Not shorter than modulo p**2 (its terms reduced), where a search decides.
            assert len(coefficients) >= order_by_search([t % (p * p) for t in terms], p * p)
    assert len(find_recurrence([2, 2, 2, 2, 1], mod=2**64)[0]) == 5  # parity: no shorter rule
    # The square of a prime past 2**64 is not factored: refused, naming mod and the factor.
    big = 2**89 - 1
    with pytest.raises(ValueError) as info:
        find_recurrence([big, big, big, big, 1], mod=big * big)
    assert str(info.value).startswith(f"find_recurrence() argument 'mod' is divisible by the square of {big}, ")
    # ... but only where the terms need it.
    assert find_recurrence([1, 2, 4, 8, 16], mod=big * big) == ((2,), (1,))


def test_long_inputs():
    # Order 300 modulo a word prime, and a long low-order sequence over Q.
    c = [(i * 7919) % 101 - 50 for i in range(300)]
    init = [(i * 104729) % 97 for i in range(300)]
    terms = list(islice(LucasIter(c, init, mod=998244353), 600))
    assert find_recurrence(terms, mod=998244353) == (tuple(x % 998244353 for x in c), tuple(init))
    # Order 200 with values spread over the whole range, up to the word's top: the partly
    # reduced coefficients and the dot product's carries past 128 bits.
    for m in (2**61 - 1, 2**62 - 57, 2**63 - 25, 2**64 - 59):
        c, init = [pow(3, i + 1, m) for i in range(200)], [pow(5, i + 1, m) for i in range(200)]
        terms = list(islice(LucasIter(c, init, mod=m), 400))
        assert find_recurrence(terms, mod=m) == (tuple(c), tuple(init))
    fib = list(islice(LucasIter([1, 1], [0, 1]), 3000))
    assert find_recurrence(fib) == ((1, 1), (0, 1))
