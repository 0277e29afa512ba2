"""Moduli at and past the machine word: every path of lucas against the models and against
each other.

The arithmetic changes representation at the limb boundaries (one word, two to four limbs
in arrays, up to 16 and 64 limbs in arrays, vectors beyond; an even modulus split into a
power of two and an odd part joined by the CRT; 2**k - c folded instead of Montgomery
form), so the moduli here sit on both sides of each: 64, 65, 127, 128, 129 bits, 2**k +- 1,
even moduli with large powers of two, and sizes of 5, 16, 17, 64 and 65 limbs. The models
(tests/support) use Python ints only: matrix powers for the n-th terms, stepping for the
recurrences.
"""

import random
from itertools import islice

import pytest
from support.fn_model import matrix_uv, uv_any
from support.model import ModelLucasIter, stepped, stepped_back
from support.prp_model import bpsw_prp

from lucas import LucasIter, fibonacci, is_strong_bpsw_prp, lucas, lucas_u, lucas_uv, lucas_v, nth_term

RNG = random.Random(20)


def _odd(bits):
    return RNG.getrandbits(bits) | (1 << (bits - 1)) | 1


MODULI = [
    # one word and just past it
    2**64 - 59,
    2**64 - 1,
    2**63,
    2**64 - 2,
    2**64,
    2**64 + 1,
    2**64 + 13,
    2**65 - 1,
    # two limbs full, three limbs
    2**127 - 1,
    2**128 - 159,
    2**128 - 1,
    2**128,
    2**128 + 1,
    2**129 - 1,
    # 2**k +- 1
    2**192 - 1,
    2**255 - 19,
    2**256 + 1,
    2**257 - 1,
    2**320 - 197,
    2**521 - 1,
    2**1024 + 1,
    2**1279 - 1,
    # even, with large powers of two (odd part of one word, two limbs, many limbs, or 1)
    3 * 2**100,
    (2**61 - 1) * 2**64,
    (2**127 - 1) * 2**200,
    5 * 2**300,
    2**600,
    (2**521 - 1) * 2**3,
    # random odd sizes in each representation: 5, 16, 17, 64 and 65 limbs
    _odd(5 * 64),
    _odd(16 * 64),
    _odd(16 * 64 + 1),
    _odd(64 * 64),
    _odd(64 * 64 + 1),
    _odd(1100) * 2**70,
]

PARAMETERS = [(1, -1), (3, -5), (-7, 3), (2, 1), (2**70 + 3, -(2**65) - 1), (-(2**130), 7)]


def _indices(m):
    big = RNG.getrandbits(m.bit_length())
    if m.bit_length() > 1300:  # the matrix model is slow there: fewer and shorter n
        return [0, 1, 65, RNG.getrandbits(200)]
    return [0, 1, 2, 63, 64, 65, 200, big, 2 ** m.bit_length() - 1]


def _parameters(m):
    return PARAMETERS if m.bit_length() <= 1300 else PARAMETERS[1:2] + PARAMETERS[-2:-1]


@pytest.mark.parametrize("m", MODULI, ids=lambda m: f"{m.bit_length()}b-{'even' if m % 2 == 0 else 'odd'}")
def test_lucas_sequences_against_the_matrix_model(m):
    for p, q in _parameters(m):
        for n in _indices(m):
            want = matrix_uv(n, p, q, m)
            assert lucas_uv(n, p, q, mod=m) == want, (n, p, q)
            assert (lucas_u(n, p, q, mod=m), lucas_v(n, p, q, mod=m)) == want
        assert lucas_uv(7, p + m, q - 3 * m, mod=m) == matrix_uv(7, p, q, m)  # parameters reduced


@pytest.mark.parametrize("m", MODULI, ids=lambda m: f"{m.bit_length()}b-{'even' if m % 2 == 0 else 'odd'}")
def test_fibonacci_and_lucas_are_the_sequences_of_1_and_minus_1(m):
    for n in _indices(m)[:6]:
        f, l = matrix_uv(n, 1, -1, m)
        assert fibonacci(n, mod=m) == f == lucas_u(n, 1, -1, mod=m)
        assert lucas(n, mod=m) == l == lucas_v(n, 1, -1, mod=m)
        # F_{-n} = (-1)**(n+1) F_n, L_{-n} = (-1)**n L_n
        assert fibonacci(-n, mod=m) == (f if n % 2 else -f) % m
        assert lucas(-n, mod=m) == (-l if n % 2 else l) % m


@pytest.mark.parametrize("m", MODULI, ids=lambda m: f"{m.bit_length()}b-{'even' if m % 2 == 0 else 'odd'}")
def test_negative_indices_with_an_invertible_q(m):
    for p, q in [(3, -5), (1, -1), (4, 3), (2**70 + 3, 2**65 + 1)]:
        if not _invertible(q, m):
            with pytest.raises(ValueError, match="coprime"):
                lucas_uv(-5, p, q, mod=m)
            continue
        for n in (1, 2, 5, 64, RNG.getrandbits(min(m.bit_length(), 300))):
            assert lucas_uv(-n, p, q, mod=m) == uv_any(-n, p, q, m), (n, p, q)


@pytest.mark.parametrize("m", MODULI, ids=lambda m: f"{m.bit_length()}b-{'even' if m % 2 == 0 else 'odd'}")
def test_every_path_of_an_order_two_recurrence_agrees(m):
    # x_{t+2} = P x_{t+1} - Q x_t from (0, 1) is U(P, Q); from (2, P) it is V(P, Q).
    p, q = 3, -5
    c = [-q, p]
    count = 150
    it = LucasIter(c, [0, 1], mod=m)
    values = list(islice(it, count))
    assert values == [lucas_u(i, p, q, mod=m) for i in range(count)]
    assert values == list(islice(ModelLucasIter(c, [0, 1], mod=m), count))
    for n in (0, 1, 2, 100, 2**64 + 3, RNG.getrandbits(min(m.bit_length(), 300))):
        assert nth_term(c, [0, 1], n, mod=m) == lucas_u(n, p, q, mod=m)
        assert nth_term(c, [2, p], n, mod=m) == lucas_v(n, p, q, mod=m)
    # advance(n) lands where n more items would: next() continues from there.
    jump = RNG.getrandbits(min(m.bit_length(), 300))
    it.advance(jump)
    assert next(it) == lucas_u(count + jump, p, q, mod=m)
    if _invertible(-q, m):  # back: c_0 = -Q must be invertible
        it.advance(-jump - 1)
        assert next(it) == lucas_u(count, p, q, mod=m)
    else:
        with pytest.raises(ValueError):
            it.advance(-1)


@pytest.mark.parametrize("m", MODULI, ids=lambda m: f"{m.bit_length()}b-{'even' if m % 2 == 0 else 'odd'}")
def test_every_path_of_higher_orders_agrees(m):
    for c, init in [
        ([1, 1, 1], [0, 0, 1]),  # small coefficients, summed and reduced by subtraction
        ([-3, 0, 2, 5], [1, -2, 3, -4]),  # small, one negative, sum over the subtraction bound
        ([2**80 + 1, -(2**70), 3], [m - 1, m + 5, -7]),  # large coefficients: full products
    ]:
        count = 60
        values = list(islice(LucasIter(c, init, mod=m), count))
        assert values == [stepped(c, init, i, m) for i in range(count)], c
        for n in (0, 5, count - 1):
            assert nth_term(c, init, n, mod=m) == values[n]
        it = LucasIter(c, init, mod=m)
        it.advance(37)
        assert list(islice(it, 5)) == values[37:42]
        if _invertible(c[0], m):
            assert nth_term(c, init, -9, mod=m) == stepped_back(c, init, -9, m)
            it.advance(-42)
            assert next(it) == values[0]


def _invertible(x, m):
    try:
        pow(x, -1, m)
    except ValueError:
        return False
    return True


def test_the_iterator_state_round_trips_at_each_size():
    for m in MODULI:
        it = LucasIter([1, -1, 2], [m + 1, -2, 3], mod=m)
        list(islice(it, 10))
        again = LucasIter(it.coefficients, it.state, mod=m)
        assert list(islice(again, 20)) == list(islice(it, 20))
        assert all(0 <= v < m for v in it.state)


PRIMES = [2**64 + 13, 2**89 - 1, 2**127 - 1, 2**128 - 159, 2**255 - 19, 2**521 - 1, 2**607 - 1]


def test_bpsw_at_the_limb_boundaries_against_the_model():
    composites = [
        (2**32 + 15) * (2**32 + 17),  # just below a word... and products just above it
        (2**61 - 1) * (2**31 - 1),
        (2**64 + 13) * (2**64 + 51),
        (2**89 - 1) * (2**127 - 1),
        2**128 + 1,
        2**521 + 1,
        (2**255 - 19) * 3,
    ]
    for n in PRIMES:
        assert is_strong_bpsw_prp(n)
    for n in composites:
        assert not is_strong_bpsw_prp(n)
    for n in PRIMES[:4] + composites[:5]:
        assert is_strong_bpsw_prp(n) == bpsw_prp(n, "strong")
