"""nth_term and LucasIter.advance against pure-Python models.

Models (tests/support/model.py): stepping the recurrence one term at a time,
forward and backward, and powers of the companion matrix for large n.  Neither shares code or method with lucas's x^n mod the characteristic
polynomial.
"""

import copy
import os
import pickle
import signal
import time
from itertools import islice

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.intlike import Idx
from support.model import ModelLucasIter, matrix_term, runs_backwards, stepped, stepped_back

import lucas
from lucas import LucasIter, nth_term

HYP = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# Moduli: 1, 2, even, odd words, the word edges, 2**64 and beyond.
MODS = [
    1,
    2,
    6,
    2**20,
    10**9 + 7,
    998244353 * 4,
    2**61 - 1,
    2**63,
    2**64 - 1,
    2**64 - 59,
    2**64,
    2**64 + 13,
    2**65 * 3,
    3**50,
]
mods = st.one_of(st.sampled_from(MODS), st.integers(1, 2**70))
some_mod = st.one_of(st.none(), mods)
values = st.one_of(st.integers(-3, 3), st.integers(-(2**64), 2**64), st.integers(-(2**100), 2**100))


def recurrence(max_k=40, elements=values):
    return st.integers(1, max_k).flatmap(
        lambda k: st.tuples(st.lists(elements, min_size=k, max_size=k), st.lists(elements, min_size=k, max_size=k))
    )


@settings(max_examples=150, **HYP)
@given(recurrence(), st.integers(0, 120), some_mod)
def test_matches_stepping(rec, n, mod):
    c, init = rec
    assert nth_term(c, init, n, mod=mod) == stepped(c, init, n, mod)


@settings(max_examples=60, **HYP)
@given(recurrence(), st.integers(0, 2**80), mods)
def test_matches_matrix_power(rec, n, mod):
    c, init = rec
    assert nth_term(c, init, n, mod=mod) == matrix_term(c, init, n, mod)


@settings(max_examples=60, **HYP)
@given(recurrence(max_k=6, elements=st.integers(-3, 3)), st.integers(0, 3000))
def test_exact_large_n(rec, n):
    c, init = rec
    expect = matrix_term(c, init, n, mod=2**64 + 13)
    got = nth_term(c, init, n)
    assert got % (2**64 + 13) == expect
    if n <= 400:
        assert got == stepped(c, init, n)


@settings(max_examples=100, **HYP)
@given(recurrence(max_k=12), st.integers(-60, -1), some_mod)
def test_negative_n_steps_back(rec, n, mod):
    c, init = rec
    if mod is None:
        c[0] = 1 if c[0] >= 0 else -1
    if not runs_backwards(c, mod):
        with pytest.raises(ValueError, match="'n'.*backwards"):
            nth_term(c, init, n, mod=mod)
        return
    assert nth_term(c, init, n, mod=mod) == stepped_back(c, init, n, mod)


@settings(max_examples=40, **HYP)
@given(recurrence(max_k=40), st.integers(1, 2**90), mods)
def test_far_back_then_forward_is_the_start(rec, n, mod):
    c, init = rec
    if not runs_backwards(c, mod):
        return
    it = LucasIter(c, init, mod=mod)
    start = list(islice(copy.copy(it), len(c)))
    it.advance(-n)
    it.advance(n)
    assert list(islice(it, len(c))) == start


@settings(max_examples=100, **HYP)
@given(recurrence(max_k=10), some_mod, st.integers(0, 2**70))
def test_first_k_terms_are_the_initial_values(rec, mod, salt):
    c, init = rec
    for n in range(len(c)):
        expect = init[n] % mod if mod else init[n]
        assert nth_term(c, init, n, mod=mod) == expect


def test_known_values():
    assert nth_term([1, 1], [0, 1], 100) == lucas.fibonacci(100)
    assert nth_term([1, 1], [2, 1], -7) == lucas.lucas(-7)
    assert nth_term([-5, 3], [0, 1], 10**18, mod=10**9 + 7) == lucas.lucas_u(10**18, 3, 5, mod=10**9 + 7)
    assert nth_term([1, 1], [0, 1], 2**200, mod=2**64) == lucas.fibonacci(2**200, mod=2**64)
    # An arithmetic progression: both roots are 1, so a huge n is cheap and exact.
    assert nth_term([-1, 2], [3, 5], 10**40) == 3 + 2 * 10**40
    # Accepts any iterables and __index__ objects, like LucasIter.
    assert nth_term(iter([True, 1]), range(2), Idx(30)) == lucas.fibonacci(30)


@settings(max_examples=80, **HYP)
@given(
    recurrence(max_k=8),
    some_mod,
    st.lists(st.one_of(st.just("next"), st.just("copy"), st.just("pickle"), st.integers(-40, 60)), max_size=12),
)
def test_advance_interleaved_with_next_copy_pickle(rec, mod, ops):
    c, init = rec
    backwards = runs_backwards(c, mod)
    it = LucasIter(c, init, mod=mod)
    pos = 0

    def term(p):
        return stepped(c, init, p, mod) if p >= 0 else stepped_back(c, init, p, mod)

    for op in ops:
        if op == "next":
            assert next(it) == term(pos)
            pos += 1
        elif op == "copy":
            it = copy.copy(it)
        elif op == "pickle":
            it = pickle.loads(pickle.dumps(it))
        elif op < 0 and not backwards:
            before = repr(it)
            with pytest.raises(ValueError, match="advance\\(\\) argument 'n'"):
                it.advance(op)
            assert repr(it) == before
        else:
            assert it.advance(op) is None
            pos += op
    # repr shows the new state and evaluates back to an equal iterator.
    again = eval(repr(it), {"LucasIter": LucasIter})
    assert list(islice(it, 3)) == list(islice(again, 3)) == [term(pos + i) for i in range(3)]


def test_advance_matches_nth_term_and_islice():
    c, init = [3, -1, 4, 1], [5, 9, -2, 6]
    for mod in (None, 97, 2**64, 2**64 + 1):
        it = LucasIter(c, init, mod=mod)
        ref = LucasIter(c, init, mod=mod)
        it.advance(250)
        for _ in islice(ref, 250):
            pass
        assert repr(it) == repr(ref)
        assert next(it) == next(ref) == nth_term(c, init, 250, mod=mod)


def test_advance_zero_and_promotion_from_words():
    it = LucasIter([1, 1], [0, 1])
    it.advance(0)
    assert next(it) == 0
    it.advance(200)  # beyond i64: the iterator continues on Python ints
    assert next(it) == lucas.fibonacci(201)
    assert next(it) == lucas.fibonacci(202)


class Sub(LucasIter):
    pass


class Slotted(LucasIter):
    __slots__ = ("tag",)


def test_advance_on_subclasses():
    s = Sub([1, 1], [0, 1], mod=1000)
    s.note = "kept"
    s.advance(10)
    assert type(s) is Sub and s.note == "kept"
    assert repr(s) == "Sub((1, 1), (55, 89), mod=1000)"
    t = pickle.loads(pickle.dumps(s))
    assert type(t) is Sub and t.note == "kept" and next(t) == 55
    z = Slotted([1, 1], [2, 1])
    z.tag = 7
    z.advance(-3)
    assert next(z) == lucas.lucas(-3) and z.tag == 7


@pytest.mark.parametrize(
    "bad, exc, text",
    [
        (1.5, TypeError, "advance() argument 'n' must be an integer, not float"),
        ("3", TypeError, "advance() argument 'n' must be an integer, not str"),
        (None, TypeError, "advance() argument 'n' must be an integer, not NoneType"),
    ],
)
def test_advance_bad_n_leaves_iterator_unchanged(bad, exc, text):
    it = LucasIter([1, 1], [0, 1])
    next(it)
    before = repr(it)
    with pytest.raises(exc) as info:
        it.advance(bad)
    assert str(info.value) == text
    assert repr(it) == before and next(it) == 1


def test_advance_errors_leave_iterator_unchanged():
    it = LucasIter([2, 1], [0, 1])
    before = repr(it)
    with pytest.raises(ValueError, match="advance\\(\\) argument 'n' may be negative only when"):
        it.advance(-1)
    with pytest.raises(OverflowError, match="advance\\(\\)"):
        it.advance(10**30)
    with pytest.raises(TypeError):
        it.advance()
    with pytest.raises(TypeError):
        it.advance(1, 2)
    assert repr(it) == before and list(islice(it, 3)) == [0, 1, 1]
    m = LucasIter([4, 1], [0, 1], mod=10)
    with pytest.raises(ValueError, match="invertible modulo mod"):
        m.advance(-2)
    assert repr(m) == "LucasIter((4, 1), (0, 1), mod=10)"


def test_nth_term_errors_match_lucas_iter():
    cases = [
        (([], []), {}),
        (([1, 2], [1]), {}),
        ((5, [1]), {}),
        (([1], 5), {}),
        ((["a"], [1]), {}),
        (([1], [1.0]), {}),
        (([1], [1]), {"mod": 0}),
        (([1], [1]), {"mod": 2.0}),
        (([1], [1]), {"mod": -3}),
    ]
    for args, kw in cases:
        with pytest.raises(Exception) as ours:
            nth_term(*args, 5, **kw)
        with pytest.raises(Exception) as theirs:
            LucasIter(*args, **kw)
        assert type(ours.value) is type(theirs.value)
        assert str(ours.value) == str(theirs.value).replace("LucasIter()", "nth_term()")


def test_nth_term_argument_errors():
    with pytest.raises(TypeError, match="nth_term\\(\\) argument 'n' must be an integer, not float"):
        nth_term([1], [1], 2.0)
    with pytest.raises(TypeError, match="missing required argument 'n'"):
        nth_term([1], [1])
    with pytest.raises(TypeError, match="positional-only"):
        nth_term([1], [1], n=3)
    with pytest.raises(ValueError, match="'n' may be negative only when the recurrence runs backwards"):
        nth_term([2, 1], [0, 1], -1)
    with pytest.raises(ValueError, match="invertible modulo mod"):
        nth_term([6, 1], [0, 1], -1, mod=2**70)


def test_huge_n_without_mod_is_refused_at_once():
    # The n-th-term functions' limit and message: the estimated size, and mod= suggested.
    start = time.monotonic()
    too_large = r"nth_term\(\) result would have about {} bits, more than the limit of 2\*\*30; pass mod="
    with pytest.raises(OverflowError, match=too_large.format(r"6\.9\d*e39")):
        nth_term([1, 1], [0, 1], 10**40)
    with pytest.raises(OverflowError, match=too_large.format(r"6\.9\d*e14")):
        nth_term([1, 1], [0, 1], 10**15)
    with pytest.raises(OverflowError, match=too_large.format(r"2\*\*\d+")):
        nth_term([1] * 30, [1] * 30, 2**2000)
    with pytest.raises(OverflowError, match="advance\\(\\) result would have about"):
        LucasIter([1, 1], [0, 1]).advance(10**15)
    assert time.monotonic() - start < 60  # a guard against hanging, not a timing
    # Just under the limit (Fibonacci: 0.694 bits per step) is computed, not refused.
    assert nth_term([1, 1], [0, 1], 2000) == nth_term([1, 1], [0, 1], 2000, mod=2**2000)


def _read_syscalls():
    with open("/proc/self/io") as f:
        return int(next(line for line in f if line.startswith("syscr:")).split()[1])


@pytest.mark.skipif(not os.path.exists("/proc/self/io"), reason="needs Linux's /proc/self/io")
def test_exact_jumps_make_no_system_calls():
    """The size guard is a fixed limit, not a probe of the system per call: a thousand
    exact jumps, and ones refused as too large, read nothing."""
    nth_term([1, 1, 1], [0, 0, 1], 300)
    before = _read_syscalls()
    for _ in range(1000):
        nth_term([1, 1, 1], [0, 0, 1], 300)
        nth_term([1, 1], [2, 1], -200)
    with pytest.raises(OverflowError):
        nth_term([1, 1], [0, 1], 10**30)
    reads = _read_syscalls() - before
    assert reads < 50, f"{reads} read() calls for 2001 calls"


def test_signatures():
    import inspect

    sig = inspect.signature(nth_term)
    assert str(sig) == "(coefficients, initial, n, /, *, mod=None)"
    assert str(inspect.signature(LucasIter.advance)) == "(self, n, /)"


def test_long_exact_jump_is_interruptible():
    class Stop(Exception):
        pass

    def handler(signum, frame):
        raise Stop

    old = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        start = time.monotonic()
        with pytest.raises(Stop):
            nth_term([1, 1], [0, 1], 10**9)  # about 6.9e8 bits: many seconds of work
        assert time.monotonic() - start < 60
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("k, mod", [(130, 2**64 + 13), (130, None), (260, 2**61 - 1), (260, 10**6)])
def test_large_orders_take_the_karatsuba_path(k, mod):
    # Orders from which products switch to Karatsuba on Python ints (128; word moduli
    # take the transforms from 96 on, see below), with n beyond 2k so that x^n mod P is
    # really computed.
    import random

    rng = random.Random(k)
    bound = 3 if mod is None else mod
    c = [rng.randrange(-bound, bound) for _ in range(k)]
    c[0] = 1
    init = [rng.randrange(-bound, bound) for _ in range(k)]
    n = 2 * k + 77
    it = LucasIter(c, init, mod=mod)
    expect = list(islice(ModelLucasIter(c, init, mod=mod), n, n + k))
    assert nth_term(c, init, n, mod=mod) == expect[0]
    it.advance(n)
    assert list(islice(it, k)) == expect
    it.advance(-n - k)
    assert list(islice(it, 3)) == [v % mod if mod else v for v in init[:3]]


# linrec::NTT_MIN: from this order on, word moduli square and reduce by number-theoretic
# transforms (three primes and the CRT, then a reduction modulo m).
NTT_MIN = 96


@pytest.mark.parametrize("k", [NTT_MIN - 1, NTT_MIN, NTT_MIN + 1, 129])
@pytest.mark.parametrize("mod", [2, 12, 2**63, 10**9 + 7, 2**64 - 59, 2**64 - 2])
def test_orders_around_the_transform_threshold(k, mod):
    # Just below/at/above the threshold, and 129 (the next transform size), for the
    # modulus 2, even ones, a power of two, odd ones and both near 2**64: odd moduli
    # fold the CRT into Montgomery form, 2**s parts into wrapping words.
    import random

    rng = random.Random(k * 1000 + mod % 997)
    c = [rng.randrange(mod) for _ in range(k)]
    c[0] |= 1
    init = [rng.randrange(mod) for _ in range(k)]
    c[-1] = init[-1] = mod - 1  # the largest residue in both
    n = 2 * k + 77
    expect = list(islice(ModelLucasIter(c, init, mod=mod), n, n + k))
    assert nth_term(c, init, n, mod=mod) == expect[0]
    it = LucasIter(c, init, mod=mod)
    it.advance(n)
    assert list(islice(it, k)) == expect


def _doc_examples_pass(text, name):
    import doctest

    text = "\n".join(line for line in text.splitlines() if not line.strip().startswith("```"))
    test = doctest.DocTestParser().get_doctest(text, dict(vars(lucas)), name, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test, out=lambda s: None)
    return test.examples and runner.failures == 0


def test_documented_examples_run():
    import pathlib

    docs = pathlib.Path(__file__).resolve().parent.parent / "docs"
    api = (docs / "api.md").read_text()
    assert _doc_examples_pass(nth_term.__doc__, "nth_term")
    assert _doc_examples_pass(LucasIter.advance.__doc__, "advance")
    assert _doc_examples_pass(api[api.index("## Jump-ahead") :], "api.md")
    assert _doc_examples_pass((docs / "algorithms" / "jump-ahead.md").read_text(), "jump-ahead.md")


def test_no_reference_leaks_on_success_and_error_paths():
    import gc
    import sys

    # Made at run time: constants may be shared with other code objects of this module.
    big = int("1" * 31) + 7
    c, init, m = [big, 3, 1], [big, -big, 5], int("18446744073709551629")  # 2**64 + 13
    objects = [big, m]
    gc.collect()
    before = [sys.getrefcount(o) for o in objects]
    for _ in range(200):
        nth_term(c, init, 10**6, mod=m)
        nth_term(c, init, 5, mod=m)
        it = LucasIter(c, init, mod=m)
        it.advance(1000)
        try:
            it.advance(1.5)
        except TypeError:
            pass
        try:
            nth_term([2, 1], init[:2], -1)
        except ValueError:
            pass
        del it
    gc.collect()
    assert [sys.getrefcount(o) for o in objects] == before
