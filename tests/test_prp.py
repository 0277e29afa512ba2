"""The probable-prime tests (lucas.is_strong_prp ... lucas.is_strong_bpsw_prp).

References, none of which shares code with the extension:
- a sieve of Eratosthenes below 10**6 (every n, through the C functions);
- the published pseudoprime lists (OEIS A001262, A217120, A217255, A217719), as
  literals below; they are recomputed here with the new functions and compared;
- slow pure-Python models of each definition (tests/support/prp_model.py), under hypothesis,
  including n on both sides of 2**64 and numbers of hundreds of bits.
"""

import inspect
import math
import random
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import prp_model as model
from support.intlike import Idx, LyingInt

import lucas

LIMIT = 10**6


def _sieve(limit):
    is_prime = bytearray([1]) * limit
    is_prime[0:2] = b"\x00\x00"
    for i in range(2, math.isqrt(limit - 1) + 1):
        if is_prime[i]:
            is_prime[i * i :: i] = bytearray(len(range(i * i, limit, i)))
    return is_prime


SIEVE = _sieve(LIMIT)

# The pseudoprime lists below 500000 (A217120: its terms up to 47879), as published in the
# OEIS; transcribed from the test data of the crypto-primes Rust crate
# (src/hazmat/pseudoprimes.rs), which cites these sequences.
LIST_LIMIT = 500_000
A001262_STRONG_BASE_2 = [
    2047,
    3277,
    4033,
    4681,
    8321,
    15841,
    29341,
    42799,
    49141,
    52633,
    65281,
    74665,
    80581,
    85489,
    88357,
    90751,
    104653,
    130561,
    196093,
    220729,
    233017,
    252601,
    253241,
    256999,
    271951,
    280601,
    314821,
    357761,
    390937,
    458989,
    476971,
    486737,
    489997,
]
A217120_LUCAS_LIMIT = 47_880
A217120_LUCAS = [
    323,
    377,
    1159,
    1829,
    3827,
    5459,
    5777,
    9071,
    9179,
    10877,
    11419,
    11663,
    13919,
    14839,
    16109,
    16211,
    18407,
    18971,
    19043,
    22499,
    23407,
    24569,
    25199,
    25877,
    26069,
    27323,
    32759,
    34943,
    35207,
    39059,
    39203,
    39689,
    40309,
    44099,
    46979,
    47879,
]
A217255_STRONG_LUCAS = [
    5459,
    5777,
    10877,
    16109,
    18971,
    22499,
    24569,
    25199,
    40309,
    58519,
    75077,
    97439,
    100127,
    113573,
    115639,
    130139,
    155819,
    158399,
    161027,
    162133,
    176399,
    176471,
    189419,
    192509,
    197801,
    224369,
    230691,
    231703,
    243629,
    253259,
    268349,
    288919,
    313499,
    324899,
    353219,
    366799,
    391169,
    430127,
    436409,
    455519,
    487199,
]
A217719_EXTRA_STRONG_LUCAS = [
    989,
    3239,
    5777,
    10877,
    27971,
    29681,
    30739,
    31631,
    39059,
    72389,
    73919,
    75077,
    100127,
    113573,
    125249,
    137549,
    137801,
    153931,
    155819,
    161027,
    162133,
    189419,
    218321,
    231703,
    249331,
    370229,
    429479,
    430127,
    459191,
    473891,
    480689,
]

FUNCTIONS = {
    "is_strong_prp": ("n", "a"),
    "is_lucas_prp": ("n", "p", "q"),
    "is_strong_lucas_prp": ("n", "p", "q"),
    "is_extra_strong_lucas_prp": ("n", "p"),
    "is_selfridge_prp": ("n",),
    "is_strong_selfridge_prp": ("n",),
    "is_bpsw_prp": ("n",),
    "is_strong_bpsw_prp": ("n",),
}


def test_sieve_is_sane():
    assert sum(SIEVE) == 78498  # pi(10**6)
    for n in random.Random(3).sample(range(LIMIT), 300):
        assert bool(SIEVE[n]) == (n >= 2 and all(n % k for k in range(2, math.isqrt(n) + 1)))


# ---------------------------------------------------------------------------
# Every n below 10**6
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["is_bpsw_prp", "is_strong_bpsw_prp"])
def test_bpsw_is_exact_below_a_million(name):
    f = getattr(lucas, name)
    wrong = [n for n in range(LIMIT) if f(n) is not bool(SIEVE[n])]
    assert wrong == []


@pytest.mark.parametrize("name", ["is_selfridge_prp", "is_strong_selfridge_prp"])
def test_every_prime_passes_and_passing_composites_are_rare(name):
    f = getattr(lucas, name)
    passing = [n for n in range(LIMIT) if f(n)]
    primes = [n for n in range(LIMIT) if SIEVE[n]]
    composites = [n for n in passing if not SIEVE[n]]
    assert len(passing) - len(composites) == len(primes)
    assert all(n % 2 == 1 and math.isqrt(n) ** 2 != n for n in composites)
    # The Lucas and base-2 pseudoprimes never meet below 10**6 (nor anywhere known).
    assert not [n for n in composites if lucas.is_strong_prp(n, 2)]


def test_strong_base_2_pseudoprimes_a001262():
    got = [n for n in range(3, LIST_LIMIT, 2) if lucas.is_strong_prp(n, 2) and not SIEVE[n]]
    assert got == A001262_STRONG_BASE_2
    assert all(lucas.is_strong_prp(p, 2) for p in range(3, LIMIT, 2) if SIEVE[p])


def test_lucas_pseudoprimes_a217120():
    got = [n for n in range(A217120_LUCAS_LIMIT) if lucas.is_selfridge_prp(n) and not SIEVE[n]]
    assert got == A217120_LUCAS


def test_strong_lucas_pseudoprimes_a217255():
    got = [n for n in range(LIST_LIMIT) if lucas.is_strong_selfridge_prp(n) and not SIEVE[n]]
    assert got == A217255_STRONG_LUCAS
    # Each strong Lucas pseudoprime is a Lucas pseudoprime (Baillie and Wagstaff).
    assert all(lucas.is_selfridge_prp(n) for n in got)


def test_extra_strong_lucas_pseudoprimes_a217719():
    got = []
    for n in range(3, LIST_LIMIT, 2):
        if SIEVE[n] or math.isqrt(n) ** 2 == n:
            continue
        p = model.method_c_p(n)
        if p is not None and lucas.is_extra_strong_lucas_prp(n, p):
            got.append(n)
    assert got == A217719_EXTRA_STRONG_LUCAS


def test_lists_agree_with_the_models():
    """The models reproduce the published lists too (so they model the same definitions)."""
    assert [n for n in range(3, 60000, 2) if not SIEVE[n] and model.strong_prp(n, 2)] == [
        n for n in A001262_STRONG_BASE_2 if n < 60000
    ]
    assert [n for n in range(3, 20000, 2) if not SIEVE[n] and model.selfridge_prp(n)] == [
        n for n in A217120_LUCAS if n < 20000
    ]
    assert [n for n in range(3, 20000, 2) if not SIEVE[n] and model.selfridge_prp(n, "strong")] == [
        n for n in A217255_STRONG_LUCAS if n < 20000
    ]
    extra = []
    for n in range(3, 20000, 2):
        if not SIEVE[n] and math.isqrt(n) ** 2 != n:
            p = model.method_c_p(n)
            if p is not None and model.lucas_prp(n, p, 1, "extra"):
                extra.append(n)
    assert extra == [n for n in A217719_EXTRA_STRONG_LUCAS if n < 20000]


# ---------------------------------------------------------------------------
# Against the models (hypothesis)
# ---------------------------------------------------------------------------


def outcome(f, *args):
    try:
        return f(*args)
    except ValueError:
        return ValueError


MERSENNE_PRIME_EXPONENTS = [61, 89, 107, 127, 521, 607]
PRIMES = [2**e - 1 for e in MERSENNE_PRIME_EXPONENTS] + [
    2**64 - 59,
    2**64 + 13,
    2**63 - 25,
    10**18 + 3,
    10**30 + 57,
    2**127 + 45,
]

two_64 = 2**64
n_values = st.one_of(
    st.integers(-20, 3000),
    st.integers(0, 2**64 + 2**20),
    st.integers(2**64 - 5000, 2**64 + 5000),
    st.integers(0, 2**200),
    st.builds(lambda x, y: x * y, st.sampled_from(PRIMES + A217255_STRONG_LUCAS), st.sampled_from(PRIMES)),
    st.sampled_from(PRIMES + A001262_STRONG_BASE_2 + A217120_LUCAS + A217719_EXTRA_STRONG_LUCAS),
)
params = st.one_of(st.integers(-30, 30), st.integers(-(2**70), 2**70))
SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(n_values, st.one_of(st.integers(-3, 40), st.integers(-(2**80), 2**80)))
def test_strong_prp_matches_model(n, a):
    assert outcome(lucas.is_strong_prp, n, a) == outcome(model.strong_prp, n, a)


@SETTINGS
@given(n_values, params, params)
def test_lucas_and_strong_lucas_match_model(n, p, q):
    assert outcome(lucas.is_lucas_prp, n, p, q) == outcome(model.lucas_prp, n, p, q)
    assert outcome(lucas.is_strong_lucas_prp, n, p, q) == outcome(model.lucas_prp, n, p, q, "strong")


@SETTINGS
@given(n_values, params)
def test_extra_strong_lucas_matches_model(n, p):
    assert outcome(lucas.is_extra_strong_lucas_prp, n, p) == outcome(model.lucas_prp, n, p, 1, "extra")


@SETTINGS
@given(n_values)
def test_selfridge_and_bpsw_match_model(n):
    assert lucas.is_selfridge_prp(n) == model.selfridge_prp(n)
    assert lucas.is_strong_selfridge_prp(n) == model.selfridge_prp(n, "strong")
    assert lucas.is_bpsw_prp(n) == model.bpsw_prp(n)
    assert lucas.is_strong_bpsw_prp(n) == model.bpsw_prp(n, "strong")


def test_word_boundary_both_sides():
    for n in range(2**64 - 301, 2**64 + 301, 2):
        for a in (2, 3, 2**64 - 1):
            assert outcome(lucas.is_strong_prp, n, a) == outcome(model.strong_prp, n, a), (n, a)
        assert lucas.is_strong_bpsw_prp(n) == model.bpsw_prp(n, "strong"), n
        assert lucas.is_bpsw_prp(n) == model.bpsw_prp(n), n
        assert outcome(lucas.is_lucas_prp, n, 3, -1) == outcome(model.lucas_prp, n, 3, -1), n
    assert lucas.is_bpsw_prp(2**64 - 59) and lucas.is_bpsw_prp(2**64 + 13)
    assert not lucas.is_bpsw_prp(2**64 + 1)  # 274177 * 67280421310721
    assert 274177 * 67280421310721 == 2**64 + 1


# ---------------------------------------------------------------------------
# Big primes and composites
# ---------------------------------------------------------------------------

BIG_PRIME_EXPONENTS = MERSENNE_PRIME_EXPONENTS + [1279, 2203]
BIG_COMPOSITE_EXPONENTS = [67, 257, 523, 1277, 2207]


@pytest.mark.parametrize("e", BIG_PRIME_EXPONENTS)
def test_mersenne_primes_pass_everything(e):
    n = 2**e - 1
    for name in ("is_selfridge_prp", "is_strong_selfridge_prp", "is_bpsw_prp", "is_strong_bpsw_prp"):
        assert getattr(lucas, name)(n), name
    for a in (2, 3, 10**20 + 1):
        assert lucas.is_strong_prp(n, a)
    assert lucas.is_lucas_prp(n, 1, -1) and lucas.is_strong_lucas_prp(n, 3, 5)
    assert lucas.is_extra_strong_lucas_prp(n, 5)


@pytest.mark.parametrize("e", BIG_COMPOSITE_EXPONENTS)
def test_mersenne_composites_fail(e):
    n = 2**e - 1
    assert not lucas.is_bpsw_prp(n) and not lucas.is_strong_bpsw_prp(n)
    if e <= 607:
        for f, m in ((lucas.is_strong_prp, model.strong_prp),):
            assert f(n, 3) == m(n, 3)
        assert lucas.is_strong_selfridge_prp(n) == model.selfridge_prp(n, "strong")


def _chernick_carmichael(bits, seed):
    """(6k+1)(12k+1)(18k+1) with all three factors prime: a Carmichael number."""
    rng = random.Random(seed)
    while True:
        k = rng.getrandbits(bits // 3 - 4)
        factors = [6 * k + 1, 12 * k + 1, 18 * k + 1]
        # Searched with the fast test, confirmed by the model.
        if all(lucas.is_strong_bpsw_prp(f) for f in factors) and all(model.bpsw_prp(f) for f in factors):
            return math.prod(factors), factors


@pytest.mark.parametrize("bits", [60, 64, 70, 200, 400])
def test_carmichael_numbers(bits):
    n, factors = _chernick_carmichael(bits, bits)
    assert all((n - 1) % (f - 1) == 0 for f in factors)  # Korselt's criterion
    assert pow(2, n - 1, n) == 1  # a Fermat pseudoprime to base 2 ...
    assert lucas.is_strong_prp(n, 2) == model.strong_prp(n, 2)  # ... but strong?
    assert lucas.is_selfridge_prp(n) == model.selfridge_prp(n)
    assert not lucas.is_bpsw_prp(n) and not lucas.is_strong_bpsw_prp(n)


@pytest.mark.parametrize(
    "n, factors",
    [
        (561, (3, 11, 17)),
        (1105, (5, 13, 17)),
        (1729, (7, 13, 19)),
        (41041, (7, 11, 13, 41)),
        (3215031751, (151, 751, 28351)),  # strong pseudoprime to bases 2, 3, 5 and 7
        (3825123056546413051, (149491, 747451, 34233211)),  # strong to the prime bases up to 23
        (318665857834031151167461, (399165290221, 798330580441)),  # ... up to 37, past 2**64
        (3317044064679887385961981, (1287836182261, 2575672364521)),
    ],
)
def test_strong_pseudoprimes_to_many_bases(n, factors):
    assert math.prod(factors) == n
    for a in (2, 3, 5, 7):
        assert lucas.is_strong_prp(n, a) == model.strong_prp(n, a)
    assert not lucas.is_bpsw_prp(n) and not lucas.is_strong_bpsw_prp(n)


def test_products_of_two_large_primes():
    for e1, e2 in [(61, 89), (89, 127), (127, 521), (521, 607), (1279, 2203)]:
        n = (2**e1 - 1) * (2**e2 - 1)
        assert not lucas.is_bpsw_prp(n) and not lucas.is_strong_bpsw_prp(n)
        assert not lucas.is_strong_prp(n, 2) or model.strong_prp(n, 2)
        if e2 <= 521:
            assert lucas.is_strong_selfridge_prp(n) == model.selfridge_prp(n, "strong")


def test_squares_never_loop():
    for r in [3, 5, 7, 11, 101, 2**31 - 1, 2**61 - 1, 2**64 - 59, 2**64 + 13, 2**127 - 1, 2**521 - 1]:
        for name in ("is_selfridge_prp", "is_strong_selfridge_prp", "is_bpsw_prp", "is_strong_bpsw_prp"):
            assert getattr(lucas, name)(r * r) is False, (name, r)


# ---------------------------------------------------------------------------
# Every input defined
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_small_and_even_n(name):
    f = getattr(lucas, name)
    extra = {
        "is_strong_prp": (2,),
        "is_lucas_prp": (1, 2),
        "is_strong_lucas_prp": (1, 2),
        "is_extra_strong_lucas_prp": (6,),
    }.get(name, ())
    for n in (-(2**100), -3, -2, -1, 0, 1, 4, 6, 2**64, 2**100):
        assert f(n, *extra) is False, n
    assert f(2, *extra) is True
    assert f(3, *extra) is True and f(5, *extra) is True


def test_parameters_n_divides_raise_value_error():
    with pytest.raises(ValueError, match=r"is_lucas_prp\(\) arguments 'p' and 'q' give D = p\*p - 4\*q divisible by n"):
        lucas.is_lucas_prp(15, 1, -56)  # D = 225; gmpy2 2.3.2 answers True
    with pytest.raises(ValueError, match=r"is_extra_strong_lucas_prp\(\) argument 'p'"):
        lucas.is_extra_strong_lucas_prp(21, 5)  # D = 21 = n; gmpy2 2.3.2 never returns
    with pytest.raises(ValueError, match=r"is_strong_lucas_prp\(\) argument 'q' must not be divisible by n"):
        lucas.is_strong_lucas_prp(7, 1, 14)  # gmpy2 answers False for the prime 7
    with pytest.raises(ValueError, match=r"is_strong_prp\(\) argument 'a' must not be divisible by n"):
        lucas.is_strong_prp(7, 14)
    with pytest.raises(ValueError, match=r"is_strong_prp\(\) argument 'a' must not be divisible by n"):
        lucas.is_strong_prp(2**89 - 1, 2**89 - 1)


def test_parameters_sharing_a_proper_factor_give_false():
    assert lucas.is_strong_prp(15, 3) is False
    assert lucas.is_lucas_prp(21, 1, 3) is False  # gcd(q, n) = 3
    assert lucas.is_lucas_prp(35, 3, 1) is False  # D = 5
    assert lucas.is_extra_strong_lucas_prp(35, 3) is False  # D = 5


def test_invalid_parameters_raise_before_n_is_looked_at():
    for n in (1, 2, 4, 7):
        with pytest.raises(ValueError, match=r"is_strong_prp\(\) argument 'a' must be at least 2"):
            lucas.is_strong_prp(n, 1)
        with pytest.raises(ValueError, match=r"D = p\*p - 4\*q = 0"):
            lucas.is_lucas_prp(n, 2, 1)
        with pytest.raises(ValueError, match=r"D = p\*p - 4\*q = 0"):
            lucas.is_strong_lucas_prp(n, -4, 4)
        with pytest.raises(ValueError, match=r"is_extra_strong_lucas_prp\(\) argument 'p' must not be 2 or -2"):
            lucas.is_extra_strong_lucas_prp(n, -2)
    with pytest.raises(ValueError, match="at least 2"):
        lucas.is_strong_prp(7, -(2**100))
    with pytest.raises(ValueError, match="= 0"):
        lucas.is_lucas_prp(7, 2**80, 2**158)


def test_bases_congruent_to_one_or_minus_one_pass_by_definition():
    # As the definition says (and OEIS A020136 lists 9 for base 8): documented, not hidden.
    assert lucas.is_strong_prp(9, 8) is True
    assert lucas.is_strong_prp(9, 10) is True
    assert lucas.is_strong_prp(3, 2) is True


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_type_errors_name_the_argument(name):
    f = getattr(lucas, name)
    names = FUNCTIONS[name]
    good = [97, 3, -1][: len(names)]
    if name == "is_extra_strong_lucas_prp":
        good = [97, 3]
    for i, arg in enumerate(names):
        for bad in (2.0, "7", None, 1j):
            args = list(good)
            args[i] = bad
            with pytest.raises(TypeError, match=rf"{name}\(\) argument '{arg}' must be an integer, not "):
                f(*args)
    with pytest.raises(TypeError, match=rf"{name}\(\) takes exactly {len(names)} positional argument"):
        f(*good, 5)
    with pytest.raises(TypeError, match=rf"{name}\(\) missing required argument '{names[-1]}'"):
        f(*good[:-1])
    with pytest.raises(TypeError, match=rf"{name}\(\) got an unexpected keyword argument 'mod'"):
        f(*good, mod=5)
    with pytest.raises(TypeError, match="positional-only"):
        f(*good[:-1], **{names[-1]: good[-1]})


def test_integer_like_arguments():
    assert lucas.is_bpsw_prp(Idx(97)) is True
    assert lucas.is_strong_prp(LyingInt(2047), LyingInt(2)) is True
    assert lucas.is_strong_prp(True + 6, 2) is True
    assert lucas.is_extra_strong_lucas_prp(97, True + 2) is True


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_signatures(name):
    params = inspect.signature(getattr(lucas, name)).parameters
    assert list(params) == list(FUNCTIONS[name])
    assert all(p.kind is inspect.Parameter.POSITIONAL_ONLY for p in params.values())


def test_no_reference_leaks_on_arguments():
    n, p, q = 2**521 - 1, 10**30 + 7, -(10**25)
    before = [sys.getrefcount(x) for x in (n, p, q)]
    for _ in range(50):
        lucas.is_strong_lucas_prp(n, p, q)
        lucas.is_bpsw_prp(n)
        with pytest.raises(ValueError):
            lucas.is_lucas_prp(n, 2, 1)
    assert [sys.getrefcount(x) for x in (n, p, q)] == before


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_docstring_examples(name):
    import doctest

    f = getattr(lucas, name)
    test = doctest.DocTestParser().get_doctest(f.__doc__, dict(vars(lucas)), name, None, 0)
    assert test.examples, name
    runner = doctest.DocTestRunner()
    runner.run(test)
    assert runner.failures == 0, name
