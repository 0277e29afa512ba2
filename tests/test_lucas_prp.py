"""Tests of examples/lucas_prp.py (strong Lucas PRP and Baillie-PSW on lucas.lucas_uv).

Reference answers come from a sieve of Eratosthenes, literals from OEIS
(A217255, strong Lucas pseudoprimes), classical factorizations, and an
independent pure-Python strong Lucas test on the matrix model of fn_model.py.
"""

import importlib.util
import math
import os
import random
import subprocess
import sys

import pytest

from fn_model import matrix_uv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples", "lucas_prp.py")


def _load_example():
    spec = importlib.util.spec_from_file_location("lucas_prp_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


prp = _load_example()

LIMIT = 100_000


def _sieve(limit):
    is_prime = bytearray([1]) * limit
    is_prime[0:2] = b"\x00\x00"
    for i in range(2, math.isqrt(limit - 1) + 1):
        if is_prime[i]:
            is_prime[i * i :: i] = bytearray(len(range(i * i, limit, i)))
    return is_prime


SIEVE = _sieve(LIMIT)

# OEIS A217255: strong Lucas pseudoprimes (Selfridge's method A), below 100000.
STRONG_LUCAS_PSEUDOPRIMES = [
    5459, 5777, 10877, 16109, 18971, 22499, 24569, 25199, 40309, 58519, 75077, 97439,
]


def test_sieve_is_sane():
    assert sum(SIEVE) == 9592  # pi(10**5)
    assert [n for n in range(30) if SIEVE[n]] == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]
    for n in random.Random(7).sample(range(LIMIT), 300):
        assert bool(SIEVE[n]) == (n >= 2 and all(n % k for k in range(2, math.isqrt(n) + 1)))


def test_baillie_psw_agrees_with_sieve_below_100000():
    wrong = [n for n in range(LIMIT) if prp.is_baillie_psw_prime(n) != bool(SIEVE[n])]
    assert wrong == []
    for n in [-7, -2, -1]:
        assert prp.is_baillie_psw_prime(n) is False


def test_below_100000_the_lucas_step_is_needed():
    """Some composites survive trial division and base-2 Miller-Rabin: only the
    Lucas step rejects them (so the sieve comparison above does exercise it)."""
    survivors = [
        n for n in range(3, LIMIT, 2)
        if not SIEVE[n] and all(n % p for p in prp.SMALL_PRIMES) and prp.is_strong_probable_prime(n, 2)
    ]
    assert 42799 in survivors and 127 * 337 == 42799
    for n in survivors:
        assert not prp.is_strong_lucas_prp(n)
        assert not prp.is_baillie_psw_prime(n)


def test_strong_lucas_pseudoprimes_below_100000():
    passing = [n for n in range(LIMIT) if prp.is_strong_lucas_prp(n)]
    # Every prime passes ...
    passing_set = set(passing)
    assert [n for n in range(LIMIT) if SIEVE[n] and n not in passing_set] == []
    # ... and the composites that pass are exactly the strong Lucas pseudoprimes.
    composites = [n for n in passing if not SIEVE[n]]
    assert composites == STRONG_LUCAS_PSEUDOPRIMES
    assert [n for n in composites if n < 60000] == [
        5459, 5777, 10877, 16109, 18971, 22499, 24569, 25199, 40309, 58519]


def test_pseudoprimes_are_composite_by_their_factors():
    factors = {
        5459: (53, 103), 5777: (53, 109), 10877: (73, 149), 16109: (89, 181),
        18971: (61, 311), 22499: (149, 151), 24569: (79, 311), 25199: (113, 223),
        40309: (173, 233), 58519: (139, 421), 75077: (193, 389), 97439: (139, 701),
    }
    for n in STRONG_LUCAS_PSEUDOPRIMES:
        a, b = factors[n]
        assert a * b == n and SIEVE[a] and SIEVE[b]
        assert prp.is_strong_lucas_prp(n)
        assert not prp.is_baillie_psw_prime(n)


def _reference_strong_lucas(n):
    """An independent strong Lucas test, written from the definition.

    The Jacobi symbol is computed from the factorization of n (Euler's
    criterion per prime factor), and U, V come from the matrix model, with
    each V_{e 2^r} computed directly rather than by the doubling formula.
    Only for n up to ~10**7 (trial factorization).
    """
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    if math.isqrt(n) ** 2 == n:
        return False

    def jac(a, m):
        # Jacobi symbol via the multiplicativity over the factorization of m.
        result = 1
        k = m
        f = 3
        while k > 1:
            if f * f > k:
                f = k
            if k % f == 0:
                k //= f
                r = a % f
                if r == 0:
                    return 0
                e = pow(r, (f - 1) // 2, f)  # Euler's criterion for the prime f
                result *= 1 if e == 1 else -1
            else:
                f += 2
        return result

    d = 5
    while True:
        j = jac(d, n)
        if j == -1:
            break
        if j == 0 and abs(d) != n:
            return False
        d = -d - 2 if d > 0 else -d + 2
    p, q = 1, (1 - d) // 4
    e, s = n + 1, 0
    while e % 2 == 0:
        e //= 2
        s += 1
    if matrix_uv(e, p, q, n)[0] == 0:
        return True
    for r in range(s):
        if matrix_uv(e * 2**r, p, q, n)[1] == 0:
            return True
    return False


def test_strong_lucas_matches_independent_reference():
    rng = random.Random(2024)
    sample = set(rng.sample(range(3, LIMIT, 2), 600))
    sample |= set(STRONG_LUCAS_PSEUDOPRIMES) | {1, 2, 3, 4, 5, 7, 9, 11, 13, 15, 25, 49, 121, 561, 1105}
    sample |= {rng.randrange(10**6, 10**7) | 1 for _ in range(200)}
    for n in sorted(sample):
        assert prp.is_strong_lucas_prp(n) == _reference_strong_lucas(n), n


def test_jacobi_symbol():
    # Euler's criterion for odd primes p.
    for p in [3, 5, 7, 11, 13, 97, 101, 7919]:
        for a in list(range(-30, 30)) + [p - 1, p + 1, 10**20 + 3]:
            e = pow(a, (p - 1) // 2, p)
            expected = 0 if a % p == 0 else (1 if e == 1 else -1)
            assert prp.jacobi(a, p) == expected, (a, p)
    # Multiplicative in the modulus.
    for m, n in [(3, 5), (7, 9), (15, 77), (13, 13), (1, 11)]:
        for a in range(-20, 21):
            assert prp.jacobi(a, m * n) == prp.jacobi(a, m) * prp.jacobi(a, n)
    with pytest.raises(ValueError):
        prp.jacobi(3, 10)


def test_selfridge_parameters_by_hand():
    # n = 3: (5/3) = (2/3) = -1.
    assert prp.selfridge_parameters(3) == (5, 1, -1)
    # n = 5: 5 divides D = 5 (skipped: |D| == n), then (-7/5) = (3/5) = -1.
    assert prp.selfridge_parameters(5) == (-7, 1, 2)
    # n = 11: (5/11) = (-7/11) = (9/11) = 1, D = -11 skipped, (13/11) = (2/11) = -1.
    assert prp.selfridge_parameters(11) == (13, 1, -3)
    # n = 35: (5/35) = 0 with 5 a proper factor.
    assert prp.selfridge_parameters(35) is None


MERSENNE_PRIMES = [2**61 - 1, 2**89 - 1, 2**107 - 1, 2**127 - 1, 2**521 - 1, 2**607 - 1]
COMPOSITES = [
    (2**31 - 1) * (2**61 - 1),
    (2**61 - 1) * (2**89 - 1),
    (2**89 - 1) * (2**127 - 1),
    2**67 - 1,  # 193707721 * 761838257287
    2**523 - 1,  # not a Mersenne prime exponent
    (2**61 - 1) ** 2,
    (2**127 - 1) ** 2,
    3215031751,  # 151 * 751 * 28351, a strong pseudoprime to bases 2, 3, 5, 7
    561, 1105, 1729, 2047,  # Carmichael numbers and 2047 = 23 * 89
]


@pytest.mark.parametrize("n", MERSENNE_PRIMES, ids=lambda n: f"2^{n.bit_length()}-1")
def test_known_primes_pass(n):
    assert prp.is_strong_lucas_prp(n)
    assert prp.is_strong_probable_prime(n, 2)
    assert prp.is_baillie_psw_prime(n)


@pytest.mark.parametrize("n", COMPOSITES, ids=lambda n: f"{n.bit_length()}bits")
def test_known_composites_fail(n):
    assert not prp.is_baillie_psw_prime(n)
    assert not prp.is_strong_lucas_prp(n)


def test_factorizations_used_above():
    assert 193707721 * 761838257287 == 2**67 - 1
    assert 151 * 751 * 28351 == 3215031751
    assert 23 * 89 == 2047


def test_strong_base2_pseudoprime_is_caught_by_lucas():
    n = 3215031751
    assert prp.is_strong_probable_prime(n, 2)  # Miller-Rabin alone is fooled
    assert not prp.is_strong_lucas_prp(n)
    assert not prp.is_baillie_psw_prime(n)


def test_squares_are_rejected_without_hanging():
    for r in [3, 5, 7, 11, 101, 2**31 - 1, 2**61 - 1]:
        assert not prp.is_strong_lucas_prp(r * r)
        assert not prp.is_baillie_psw_prime(r * r)


def test_script_runs():
    out = subprocess.run(
        [sys.executable, EXAMPLE], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    assert "5459, 5777, 10877" in out.stdout
    assert "2**521 - 1" in out.stdout
