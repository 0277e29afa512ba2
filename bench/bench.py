"""Benchmark of lucas against floors measured in the same run.

Every case is timed against its floor in ONE process, interleaved (A B, then B A, ...), for
many rounds. Reported per case: the median of the same-round ratios and the ratio of the
minimums. For the iterator and small-call cases, instructions are also counted with
`valgrind --tool=callgrind`, which is exactly repeatable on a noisy machine.

    python bench/bench.py            # full run, writes bench/RESULTS.md
    python bench/bench.py --quick    # fewer rounds, no cold build, no callgrind
    python bench/bench.py --cases t  # only the Cooperation table: threads and Ctrl-C
    python bench/bench.py --list     # the cases' keys; --cases KEY runs those starting so
    python bench/bench.py --cases mp --slow --rounds 3   # also BPSW on 2**44497 - 1 (minutes)
    python bench/bench.py --baseline build/baseline/lib --cases a --rounds 7

--baseline DIR compares this tree with another build of lucas in one process: DIR holds that
build (`setup.py build_ext --build-lib DIR` in a checkout of the other commit; `make
bench-baseline REF=<commit>` builds one from git and runs this). Both modules are loaded,
each case's lucas side is timed on one then the other, interleaved for every round, and the
table gives new time / baseline time (below 1: the tree is faster), the range of the rounds'
ratios as a measure of noise, and callgrind's instruction counts for the iterator and
small-call snippets. Cases the baseline cannot run are skipped; the floors are not timed.

Nothing here is a pass/fail test: the table says which targets are met.
"""

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import deque
from itertools import count, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import lucas  # noqa: E402
from lucas import LucasIter, fibonacci, lucas_uv  # noqa: E402
from lucas import lucas as lucas_number  # noqa: E402

try:
    import gmpy2
except ImportError:  # optional benchmark dependency, never a runtime one
    gmpy2 = None

N_ITEMS = 10**6


# ---------------------------------------------------------------------------------------
# Floors: what a Python programmer would otherwise use.


def consume(it, n):
    deque(islice(it, n), maxlen=0)


def fib_generator():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b


def pair_generator(c, i):
    """The pure-Python equivalent of LucasIter(c, i) for an order-2 recurrence."""
    c0, c1 = c
    a, b = i
    while True:
        yield a
        a, b = b, c0 * a + c1 * b


def fib_fast_doubling(n):
    """The classic fast doubling (F_2k = F_k(2F_{k+1} - F_k), F_2k+1 = F_k^2 + F_{k+1}^2):
    one multiplication and two squarings per bit."""
    a, b = 0, 1
    for bit in bin(n)[2:]:
        c = a * ((b << 1) - a)
        d = a * a + b * b
        a, b = (d, c + d) if bit == "1" else (c, d)
    return a


def fib_fl_doubling(n):
    """Fast doubling on (F_k, L_k): one multiplication and one squaring per bit, and a single
    product for the last bit: the same algorithm lucas uses, in Python."""
    if n == 0:
        return 0
    bits = bin(n)[3:]
    f, l, odd = 1, 1, True
    for bit in bits[:-1] if bits else "":
        f, l, odd = f * l, l * l + (2 if odd else -2), False
        if bit == "1":
            f, l, odd = (f + l) >> 1, (5 * f + l) >> 1, True
    if not bits:
        return f
    sign = -1 if odd else 1
    if bits[-1] == "0":
        return f * l
    return ((f + l) >> 1) * l - sign


def uv_doubling_mod(n, p, q, m):
    """(U_n, V_n) mod m by the usual doubling on (U_k, V_k, Q^k), for odd m."""
    d = p * p - 4 * q
    inv2 = pow(2, -1, m)
    u, v, qk = 1, p % m, q % m
    for bit in bin(n)[3:]:
        u, v, qk = u * v % m, (v * v - 2 * qk) % m, qk * qk % m
        if bit == "1":
            u, v, qk = (p * u + v) * inv2 % m, (d * u + p * v) * inv2 % m, qk * q % m
    return u, v


# ---------------------------------------------------------------------------------------
# Cases: (name, what, target, units per call, case callable, floor callable, floor name).

C2, I2 = [1, 1], [0, 1]
F_ARGS = (0x1B3D5F7A9C2E4069, 3, -5)
F_MOD = 2**62 - 57
assert uv_doubling_mod(*F_ARGS, F_MOD) == lucas_uv(*F_ARGS, mod=F_MOD)
assert fib_fl_doubling(10**4) == fib_fast_doubling(10**4) == fibonacci(10**4)


def calls(fn, n):
    """A loop of n calls, so each timing covers the loop overhead of both sides equally."""

    def run():
        for _ in range(n):
            fn()

    return run


CASES = [
    (
        "a",
        "LucasIter([1,1],[0,1], mod=2**61-1), ns/item",
        1.20,
        N_ITEMS,
        lambda: consume(LucasIter(C2, I2, mod=2**61 - 1), N_ITEMS),
        lambda: consume(count(2**60), N_ITEMS),
        "itertools.count(2**60)",
    ),
    (
        "a2",
        "LucasIter([-1,1],[2**40,2**41]) (exact i64), ns/item",
        1.20,
        N_ITEMS,
        lambda: consume(LucasIter([-1, 1], [2**40, 2**41]), N_ITEMS),
        lambda: consume(count(2**60), N_ITEMS),
        "itertools.count(2**60)",
    ),
    (
        "b",
        "order 5, mod 10**9+7, ns/item",
        1.25,
        N_ITEMS,
        lambda: consume(LucasIter([1, 2, 3, 4, 5], [5, 4, 3, 2, 1], mod=10**9 + 7), N_ITEMS),
        lambda: consume(count(2**60), N_ITEMS),
        "itertools.count(2**60)",
    ),
    (
        "c",
        "first 20000 Fibonacci numbers (big ints)",
        0.97,
        20000,
        lambda: consume(LucasIter(C2, I2), 20000),
        lambda: consume(fib_generator(), 20000),
        "generator a, b = b, a + b",
    ),
    (
        "d",
        "construct LucasIter(C, I) + take 10 items",
        0.50,
        10000,
        calls(lambda: consume(LucasIter(C2, I2), 10), 10000),
        calls(lambda: consume(pair_generator(C2, I2), 10), 10000),
        "generator, same 10 items",
    ),
    (
        "e",
        "fibonacci(10), ns/call",
        1.25,
        10**5,
        calls(lambda: fibonacci(10), 10**5),
        calls(lambda: abs(7), 10**5),
        "abs(7)",
    ),
    (
        "e",
        "fibonacci(90), ns/call",
        1.25,
        10**5,
        calls(lambda: fibonacci(90), 10**5),
        calls(lambda: abs(7), 10**5),
        "abs(7)",
    ),
    (
        "e",
        "lucas(50), ns/call",
        1.25,
        10**5,
        calls(lambda: lucas_number(50), 10**5),
        calls(lambda: abs(7), 10**5),
        "abs(7)",
    ),
    (
        "e",
        "fibonacci(10**5)",
        0.55,
        1,
        lambda: fibonacci(10**5),
        lambda: fib_fast_doubling(10**5),
        "classic fast doubling",
    ),
    (
        "e",
        "fibonacci(10**6)",
        0.55,
        1,
        lambda: fibonacci(10**6),
        lambda: fib_fast_doubling(10**6),
        "classic fast doubling",
    ),
    (
        "e*",
        "fibonacci(10**6) vs the same algorithm in Python",
        None,
        1,
        lambda: fibonacci(10**6),
        lambda: fib_fl_doubling(10**6),
        "(F, L) doubling in Python",
    ),
    (
        "f",
        "lucas_uv(0x1B3D5F7A9C2E4069, 3, -5, mod=2**62-57)",
        0.015,
        1000,
        calls(lambda: lucas_uv(*F_ARGS, mod=F_MOD), 1000),
        calls(lambda: uv_doubling_mod(*F_ARGS, F_MOD), 1000),
        "Python doubling, same mod",
    ),
]
if gmpy2 is not None:
    CASES += [
        (
            "g",
            "gmpy2.fib(10**6) (for reference)",
            None,
            1,
            lambda: gmpy2.fib(10**6),
            lambda: fibonacci(10**6),
            "lucas.fibonacci(10**6)",
        ),
        (
            "g",
            "gmpy2.lucasu_mod(3, -5, k, 2**62-57) (for reference)",
            None,
            1000,
            calls(lambda: gmpy2.lucasu_mod(3, -5, F_ARGS[0], F_MOD), 1000),
            calls(lambda: lucas_uv(*F_ARGS, mod=F_MOD), 1000),
            "lucas.lucas_uv, same",
        ),
    ]


# ---------------------------------------------------------------------------------------
# Probable-prime tests (rows "p"): lucas against gmpy2 (the floor) and sympy, same run.

try:
    import sympy
    from sympy.ntheory.primetest import is_strong_lucas_prp as sympy_strong_lucas_prp
except ImportError:  # optional benchmark dependency, never a runtime one
    sympy = None


def prp_inputs(bits, count, primes, seed):
    """`count` odd numbers of exactly `bits` bits, or primes found from random starting points."""
    import random

    rng = random.Random(seed)
    out = []
    while len(out) < count:
        n = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        if primes:
            while not lucas.is_strong_bpsw_prp(n):
                n += 2
        out.append(n)
    return out


def each(fn, values):
    """One call of fn per value, the loop overhead the same on both sides."""

    def run():
        for v in values:
            fn(v)

    return run


def each_lucas(name, values):
    """`each` for the lucas function `name`, looked up as the loop starts: the case then runs
    whichever module `bind_lucas` installed (--baseline times the same case on two builds)."""

    def run():
        fn = getattr(lucas, name)
        for v in values:
            fn(v)

    return run


def prp_cases():
    if gmpy2 is None:
        return []
    odd64 = prp_inputs(64, 20000, False, 64)
    primes256 = prp_inputs(256, 300, True, 256)
    primes2048 = prp_inputs(2048, 4, True, 2048)
    cases = [
        (
            "p",
            "is_bpsw_prp, random odd 64-bit n, ns/n",
            1.0,
            len(odd64),
            each_lucas("is_bpsw_prp", odd64),
            each(gmpy2.is_bpsw_prp, odd64),
            "gmpy2.is_bpsw_prp",
        ),
        (
            "p",
            "is_bpsw_prp, 256-bit primes, ns/n",
            2.0,
            len(primes256),
            each_lucas("is_bpsw_prp", primes256),
            each(gmpy2.is_bpsw_prp, primes256),
            "gmpy2.is_bpsw_prp",
        ),
        (
            "p",
            "is_bpsw_prp, 2048-bit primes, ns/n",
            2.0,
            len(primes2048),
            each_lucas("is_bpsw_prp", primes2048),
            each(gmpy2.is_bpsw_prp, primes2048),
            "gmpy2.is_bpsw_prp",
        ),
        (
            "p*",
            "is_strong_bpsw_prp, 256-bit primes, ns/n",
            None,
            len(primes256),
            each_lucas("is_strong_bpsw_prp", primes256),
            each(gmpy2.is_strong_bpsw_prp, primes256),
            "gmpy2.is_strong_bpsw_prp",
        ),
        (
            "p*",
            "is_strong_bpsw_prp, 2048-bit primes, ns/n",
            None,
            len(primes2048),
            each_lucas("is_strong_bpsw_prp", primes2048),
            each(gmpy2.is_strong_bpsw_prp, primes2048),
            "gmpy2.is_strong_bpsw_prp",
        ),
    ]
    if sympy is not None:
        cases += [
            (
                "p*",
                "is_bpsw_prp vs sympy.isprime, random odd 64-bit n",
                None,
                len(odd64),
                each_lucas("is_bpsw_prp", odd64),
                each(sympy.isprime, odd64),
                "sympy.isprime",
            ),
            (
                "p*",
                "is_bpsw_prp vs sympy.isprime, 256-bit primes",
                None,
                len(primes256),
                each_lucas("is_bpsw_prp", primes256),
                each(sympy.isprime, primes256),
                "sympy.isprime",
            ),
            (
                "p*",
                "is_strong_selfridge_prp, 256-bit primes",
                None,
                len(primes256),
                each_lucas("is_strong_selfridge_prp", primes256),
                each(sympy_strong_lucas_prp, primes256),
                "sympy is_strong_lucas_prp",
            ),
        ]
    return cases


CASES += prp_cases()

# Jump-ahead: nth_term against sympy's linrec algorithm, against lucas_u, and
# its growth in k. sympy is a bench-only dependency: without it those rows are left out.
#
# sympy.linrec has no modulus (it sympifies its inputs, so n = 10**18 would be exact and
# astronomically large); the floor is its own algorithm, sympy.discrete.recurrences.
# linrec_coeffs, run on a minimal mod-p int class, then the same dot product linrec does.

J_MOD = 10**9 + 7
J_N = 10**18


def _jump_case(k, m, seed):
    import random

    rng = random.Random(seed)
    return [rng.randrange(m) for _ in range(k)], [rng.randrange(m) for _ in range(k)]


try:
    from sympy.discrete.recurrences import linrec_coeffs
except ImportError:  # optional benchmark dependency, never a runtime one
    linrec_coeffs = None


class _ModP:
    """Just enough of Z/pZ for sympy's linrec_coeffs (it adds sympy's S.Zero to elements)."""

    __slots__ = ("v",)

    def __init__(self, v):
        self.v = int(v) % J_MOD

    def __add__(self, o):
        return _ModP(self.v + (o.v if isinstance(o, _ModP) else int(o)))

    __radd__ = __add__

    def __mul__(self, o):
        return _ModP(self.v * (o.v if isinstance(o, _ModP) else int(o)))

    __rmul__ = __mul__


def sympy_linrec_mod(c, init, n):
    """sympy.linrec(reversed(c), init, n) % J_MOD, by sympy's own algorithm."""
    b = linrec_coeffs([_ModP(x) for x in reversed(c)], n)
    return sum((u * _ModP(v) for u, v in zip(b, init)), _ModP(0)).v


JUMP = {k: _jump_case(k, J_MOD, k) for k in (2, 10, 50)}
JUMP_P61 = {k: _jump_case(k, 2**61 - 1, k) for k in (64, 512)}
if linrec_coeffs is not None:
    for _k, (_c, _i) in JUMP.items():
        assert sympy_linrec_mod(_c, _i, J_N) == lucas.nth_term(_c, _i, J_N, mod=J_MOD)
        CASES.append(
            (
                "j",
                f"nth_term k={_k}, n=10**18, mod 10**9+7 vs sympy",
                0.01,
                {2: 100, 10: 10, 50: 1}[_k],
                calls(lambda c=_c, i=_i: lucas.nth_term(c, i, J_N, mod=J_MOD), {2: 100, 10: 10, 50: 1}[_k]),
                calls(lambda c=_c, i=_i: sympy_linrec_mod(c, i, J_N), {2: 100, 10: 10, 50: 1}[_k]),
                "sympy linrec_coeffs, mod p",
            )
        )
CASES += [
    (
        "j",
        "nth_term([-5, 3], [0, 1], 10**18, mod=10**9+7), ns/call",
        1.5,
        1000,
        calls(lambda: lucas.nth_term([-5, 3], [0, 1], J_N, mod=J_MOD), 1000),
        calls(lambda: lucas.lucas_u(J_N, 3, 5, mod=J_MOD), 1000),
        "lucas_u(10**18, 3, 5, mod=...)",
    ),
    (
        "j",
        "nth_term k=512 over k=64 (growth; goal 16), mod 2**61-1",
        64,
        1,
        lambda: lucas.nth_term(*JUMP_P61[512], J_N, mod=2**61 - 1),
        lambda: lucas.nth_term(*JUMP_P61[64], J_N, mod=2**61 - 1),
        "nth_term k=64",
    ),
]


# ---------------------------------------------------------------------------------------
# find_recurrence (rows "r"): from terms to their shortest recurrence (Berlekamp–Massey).
# Over Q against sympy's find_linear_recurrence where sympy finishes (its determinants grow
# like k**4: order 200 would take hours) and against Berlekamp–Massey on Fractions in plain
# Python; modulo a prime against Berlekamp–Massey on Python ints; the long modular case as
# its growth from half the size (the algorithm is quadratic: goal 4).


def python_bm_mod(s, p):
    """Berlekamp–Massey modulo a prime p as a Python programmer writes it (LucasIter's order)."""
    c, b = [1], [1]
    length, shift, last = 0, 1, 1
    for n in range(len(s)):
        d = s[n]
        for i in range(1, length + 1):
            d = (d + c[i] * s[n - i]) % p
        if d == 0:
            shift += 1
            continue
        coef = d * pow(last, -1, p) % p
        old = c[:]
        c += [0] * (len(b) + shift - len(c))
        for i, x in enumerate(b):
            c[i + shift] = (c[i + shift] - coef * x) % p
        if 2 * length <= n:
            length, b, last, shift = n + 1 - length, old, d, 1
        else:
            shift += 1
    return [(-c[length - j]) % p for j in range(length)]


def python_bm_fractions(s):
    """Berlekamp–Massey over Q on fractions.Fraction (LucasIter's order)."""
    from fractions import Fraction

    c, b = [Fraction(1)], [Fraction(1)]
    length, shift, last = 0, 1, Fraction(1)
    for n in range(len(s)):
        d = s[n] + sum(c[i] * s[n - i] for i in range(1, length + 1))
        if d == 0:
            shift += 1
            continue
        coef = d / last
        old = c[:]
        c += [Fraction(0)] * (len(b) + shift - len(c))
        for i, x in enumerate(b):
            c[i + shift] -= coef * x
        if 2 * length <= n:
            length, b, last, shift = n + 1 - length, old, d, 1
        else:
            shift += 1
    return [-c[length - j] for j in range(length)]


def _recurrence_terms(k, count, mod, seed):
    """`count` terms of a random order-k recurrence: small integer coefficients and initial
    values without mod, random residues with one."""
    import random

    rng = random.Random(seed)
    pick = (lambda: rng.randint(-3, 3)) if mod is None else (lambda: rng.randrange(mod))
    c, i = [pick() for _ in range(k)], [pick() for _ in range(k)]
    return c, list(islice(LucasIter(c, i, mod=mod), count))


def find_cases():
    fr = lucas.find_recurrence
    cases = []
    c200, q200 = _recurrence_terms(200, 400, None, 200)
    assert fr(q200)[0] == tuple(c200)
    if sympy is not None:
        c30, q30 = _recurrence_terms(30, 60, None, 30)
        k = sympy.Symbol("k")

        def sympy_find(terms):
            return sympy.sequence(tuple(terms), (k, 0, len(terms) - 1)).find_linear_recurrence(len(terms))

        assert [int(x) for x in reversed(sympy_find(q30))] == list(fr(q30)[0]) == c30
        cases.append(
            (
                "r",
                "find_recurrence, 60 terms of order 30, exact (vs sympy)",
                0.01,
                1,
                lambda: lucas.find_recurrence(q30),
                lambda: sympy_find(q30),
                "sympy find_linear_recurrence",
            )
        )
    assert python_bm_fractions(q200) == c200
    cases.append(
        (
            "r",
            "find_recurrence, 400 terms of order 200, exact",
            0.01,
            1,
            lambda: lucas.find_recurrence(q200),
            lambda: python_bm_fractions(q200),
            "Python BM on Fractions",
        )
    )
    for m, name in ((10**9 + 7, "10**9+7"), (2**61 - 1, "2**61-1")):
        c, t = _recurrence_terms(200, 400, m, m % 1000)
        assert list(fr(t, mod=m)[0]) == python_bm_mod(t, m) == c
        cases.append(
            (
                "r",
                f"find_recurrence, 400 terms of order 200, mod {name}",
                0.02,
                1,
                lambda t=t, m=m: lucas.find_recurrence(t, mod=m),
                lambda t=t, m=m: python_bm_mod(t, m),
                "Python BM, same mod",
            )
        )
    p = 998244353
    _, big = _recurrence_terms(10000, 20000, p, 10000)
    _, half = _recurrence_terms(5000, 10000, p, 5000)
    cases.append(
        (
            "r",
            "find_recurrence, 20000 terms of order 10000, mod 998244353 (growth; goal 4)",
            5.0,
            1,
            lambda: lucas.find_recurrence(big, mod=p),
            lambda: lucas.find_recurrence(half, mod=p),
            "10000 terms of order 5000",
        )
    )
    return cases


CASES += find_cases()


# ---------------------------------------------------------------------------------------
# n-th terms without mod across sizes: against gmpy2 (GMP) where installed, and
# against a pure-Python loop (the floor lucas must never be slower than) where that loop
# finishes in reasonable time. Targets: <= 1.5x gmpy2 for n <= 10**4, <= 3x for 10**5..10**7.

NTH_SIZES = [93, 200, 1000, 10**4, 10**5, 10**6, 10**7]
LOOP_MAX_N = 10**5


def fib_loop(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def lucas_loop(n):
    a, b = 2, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def uv_loop(n, p, q):
    u0, u1, v0, v1 = 0, 1, 2, p
    for _ in range(n):
        u0, u1 = u1, p * u1 - q * u0
        v0, v1 = v1, p * v1 - q * v0
    return u0, v0


def exact_term_cases():
    def reps(n):
        return 2000 if n <= 1000 else 200 if n <= 10**4 else 1

    def nth(n):
        return f"{n:,}" if n < 10**4 else f"10**{len(str(n)) - 1}"

    cases = []
    for n in NTH_SIZES:
        k = reps(n)
        target = 1.5 if n <= 10**4 else 3.0
        unit = ", ns/call" if k > 1 else ""
        if gmpy2 is not None:
            cases += [
                (
                    "n",
                    f"fibonacci({nth(n)}){unit}",
                    target,
                    k,
                    calls(lambda n=n: fibonacci(n), k),
                    calls(lambda n=n: gmpy2.fib(n), k),
                    "gmpy2.fib",
                ),
                (
                    "n",
                    f"lucas({nth(n)}){unit}",
                    target,
                    k,
                    calls(lambda n=n: lucas_number(n), k),
                    calls(lambda n=n: gmpy2.lucas(n), k),
                    "gmpy2.lucas",
                ),
                (
                    "n",
                    f"lucas_uv({nth(n)}, 3, -5){unit}",
                    target,
                    k,
                    calls(lambda n=n: lucas_uv(n, 3, -5), k),
                    calls(lambda n=n: (gmpy2.lucasu(3, -5, n), gmpy2.lucasv(3, -5, n)), k),
                    "gmpy2.lucasu + lucasv",
                ),
            ]
        if n <= LOOP_MAX_N:
            cases += [
                (
                    "n-",
                    f"fibonacci({nth(n)}) vs the loop",
                    1.0,
                    1,
                    lambda n=n: fibonacci(n),
                    lambda n=n: fib_loop(n),
                    "loop a, b = b, a + b",
                ),
                (
                    "n-",
                    f"lucas_uv({nth(n)}, 3, -5) vs the loop",
                    1.0,
                    1,
                    lambda n=n: lucas_uv(n, 3, -5),
                    lambda n=n: uv_loop(n, 3, -5),
                    "loop on (U, V)",
                ),
            ]
    return cases


assert fib_loop(300) == fibonacci(300) and lucas_loop(300) == lucas_number(300)
assert uv_loop(300, 3, -5) == lucas_uv(300, 3, -5)
CASES += exact_term_cases()

# ---------------------------------------------------------------------------------------
# Moduli of a machine word and more (rows "m"): the n-th terms against gmpy2's
# lucasu_mod/lucasv_mod, n of the modulus's size (the shape of a probable-prime test); the
# iterator against the Python generator; nth_term against lucas_u; BPSW on Mersenne numbers.
# Several (n, m) pairs per row, so that no branch predictor learns one n's bits.

BIG_MOD_BITS = [65, 128, 256, 1024, 2048, 4096]
MERSENNE_P = [4423, 11213]
MERSENNE_SLOW_P = [44497]


def mod_pairs(bits, even, count, seed):
    import random

    rng = random.Random(seed)
    out = []
    for _ in range(count):
        m = rng.getrandbits(bits) | (1 << (bits - 1))
        m = m & ~1 if even else m | 1
        out.append((rng.getrandbits(bits) | (1 << (bits - 1)), m))
    return out


def mod_generator(m):
    a, b = 0, 1
    while True:
        yield a
        a, b = b, (a + b) % m


def big_mod_cases(slow):
    cases = []
    if gmpy2 is not None:
        for bits in BIG_MOD_BITS:
            reps = max(1, 4096 // bits)
            for even in (False, True):
                pairs = mod_pairs(bits, even, 16, bits * 2 + even)
                kind = "even" if even else "odd"
                for n, m in pairs[:2]:
                    assert lucas_uv(n, 3, -5, mod=m) == (gmpy2.lucasu_mod(3, -5, n, m), gmpy2.lucasv_mod(3, -5, n, m))
                    assert fibonacci(n, mod=m) == gmpy2.lucasu_mod(1, -1, n, m)

                def uv(pairs=pairs, reps=reps):
                    for _ in range(reps):
                        for n, m in pairs:
                            lucas_uv(n, 3, -5, mod=m)

                def uv_floor(pairs=pairs, reps=reps):
                    for _ in range(reps):
                        for n, m in pairs:
                            (gmpy2.lucasu_mod(3, -5, n, m), gmpy2.lucasv_mod(3, -5, n, m))

                def fib(pairs=pairs, reps=reps):
                    for _ in range(reps):
                        for n, m in pairs:
                            fibonacci(n, mod=m)

                def fib_floor(pairs=pairs, reps=reps):
                    for _ in range(reps):
                        for n, m in pairs:
                            gmpy2.lucasu_mod(1, -1, n, m)

                units = reps * len(pairs)
                cases += [
                    (
                        "mu",
                        f"lucas_uv(n, 3, -5, mod=m), {bits}-bit n and {kind} m",
                        1.0,
                        units,
                        uv,
                        uv_floor,
                        "gmpy2.lucasu_mod + lucasv_mod",
                    ),
                    (
                        "mf",
                        f"fibonacci(n, mod=m), {bits}-bit n and {kind} m",
                        1.0,
                        units,
                        fib,
                        fib_floor,
                        "gmpy2.lucasu_mod(1, -1, n, m)",
                    ),
                ]
    for bits in (65, 256):
        m = (1 << (bits - 1)) + 0x2F3B_9A7D_1C55_0E63
        assert list(islice(LucasIter(C2, I2, mod=m), 300)) == list(islice(mod_generator(m), 300))
        cases.append(
            (
                "mi",
                f"LucasIter([1,1],[0,1], mod={bits}-bit m), ns/item",
                0.5,
                N_ITEMS // 4,
                lambda m=m: consume(LucasIter(C2, I2, mod=m), N_ITEMS // 4),
                lambda m=m: consume(mod_generator(m), N_ITEMS // 4),
                "generator a, b = b, (a + b) % m",
            )
        )
    m256 = (1 << 255) + 0x2F3B_9A7D_1C55_0E63
    assert lucas.nth_term([-5, 3], [0, 1], J_N, mod=m256) == lucas.lucas_u(J_N, 3, 5, mod=m256)
    cases.append(
        (
            "mj",
            "nth_term([-5, 3], [0, 1], 10**18, mod=256-bit m), ns/call",
            1.5,
            1000,
            calls(lambda: lucas.nth_term([-5, 3], [0, 1], J_N, mod=m256), 1000),
            calls(lambda: lucas.lucas_u(J_N, 3, 5, mod=m256), 1000),
            "lucas_u(10**18, 3, 5, mod=m)",
        )
    )
    if gmpy2 is not None:
        targets = {4423: 1.0, 11213: 1.5, 44497: 3.0}
        for p in MERSENNE_P + (MERSENNE_SLOW_P if slow else []):
            n = 2**p - 1
            cases.append(
                (
                    "mp",
                    f"is_strong_bpsw_prp(2**{p} - 1)",
                    targets[p],
                    1,
                    lambda n=n: lucas.is_strong_bpsw_prp(n),
                    lambda n=n: gmpy2.is_strong_bpsw_prp(n),
                    "gmpy2.is_strong_bpsw_prp",
                )
            )
    return cases


# Cooperation (table "Cooperation"): other threads run during long calls, two threads compute
# in parallel, Ctrl-C arrives promptly. Not a ratio to a floor: each row has its own unit.

M4096 = 2**4096 - 2**4000 + 12345  # odd, beyond a word

# The long calls the targets name (a ticker keeps at least half its idle rate during each).
LONG_CALLS = [
    ("fibonacci(1.5e8)", lambda: fibonacci(150_000_000)),
    ("lucas_uv(7.5e7, 3, -5)", lambda: lucas_uv(75_000_000, 3, -5)),
    ("nth_term Tribonacci, n = 4e7", lambda: lucas.nth_term([1, 1, 1], [0, 0, 1], 40_000_000)),
    ("lucas_uv(2**20000, 3, -5, mod=<4096 bits>)", lambda: lucas_uv(2**20000, 3, -5, mod=M4096)),
    ("is_strong_bpsw_prp(2**11213 - 1)", lambda: lucas.is_strong_bpsw_prp(2**11213 - 1)),
]
# Slow: included with --slow-cooperation.
SLOW_LONG_CALLS = [("is_strong_bpsw_prp(2**44497 - 1)", lambda: lucas.is_strong_bpsw_prp(2**44497 - 1))]


class Ticker:
    """A thread that sleeps 1 ms in a loop and counts its wake-ups (a UI or heartbeat)."""

    def __init__(self):
        import threading

        self.ticks, self.stop = 0, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            self.ticks += 1
            time.sleep(0.001)

    def rate_during(self, fn):
        """Ticks per second while `fn()` runs in the calling thread (and fn's duration)."""
        self.thread.start()
        time.sleep(0.05)
        before, t0 = self.ticks, time.perf_counter()
        fn()
        elapsed = time.perf_counter() - t0
        rate = (self.ticks - before) / elapsed
        self.stop.set()
        self.thread.join()
        return rate, elapsed


def ticker_rows(calls, rounds):
    """Per call: the median over rounds of (ticks/s during the call) / (ticks/s idle), the
    idle rate measured just before each call for as long as the call took."""
    rows = []
    for name, fn in calls:
        ratios, secs = [], []
        for _ in range(rounds):
            _, elapsed = Ticker().rate_during(fn)
            idle, _ = Ticker().rate_during(lambda e=elapsed: time.sleep(e))
            busy, elapsed = Ticker().rate_during(fn)
            ratios.append(busy / idle)
            secs.append(elapsed)
        rows.append(
            (
                f"1-ms ticker during {name}, fraction of its idle rate",
                statistics.median(ratios),
                min(ratios),
                0.5,
                ">=",
                f"call {statistics.median(secs):.2f} s",
            )
        )
    return rows


def parallel_rows(rounds):
    """Two threads computing fibonacci(6e7) against the two calls one after the other, and
    the same with two processes: what the machine gives two computations at that moment
    (on a shared machine, often less than two cores), the ceiling for the threads."""
    import threading

    def serial():
        fibonacci(60_000_000)
        fibonacci(60_000_000)

    def threads():
        ts = [threading.Thread(target=fibonacci, args=(60_000_000,)) for _ in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    child = f"import sys; sys.path.insert(0, {str(ROOT)!r}); import lucas; lucas.fibonacci(60_000_000)"

    def processes():
        ps = [subprocess.Popen([sys.executable, "-c", child]) for _ in range(2)]
        for p in ps:
            p.wait()

    def two_in_one_process():
        subprocess.run([sys.executable, "-c", child + "; lucas.fibonacci(60_000_000)"], check=True)

    by_threads, by_processes, s_times = [], [], []
    for r in range(rounds):
        if r % 2 == 0:
            s, t = timed(serial), timed(threads)
            ps, pp = timed(two_in_one_process), timed(processes)
        else:
            pp, ps = timed(processes), timed(two_in_one_process)
            t, s = timed(threads), timed(serial)
        by_threads.append(s / t)
        by_processes.append(ps / pp)
        s_times.append(s / 1e9)
    return [
        (
            "two threads computing fibonacci(6e7), speed-up over serial",
            statistics.median(by_threads),
            min(by_threads),
            1.4,
            ">=",
            f"serial {statistics.median(s_times):.2f} s",
        ),
        (
            "(ceiling) two processes doing the same, speed-up over serial",
            statistics.median(by_processes),
            min(by_processes),
            1.4,
            ">=",
            "what the machine allowed in the same run",
        ),
    ]


CTRL_C_CHILD = """
import signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.path.insert(0, {root!r})
import lucas
print("ready", time.monotonic(), flush=True)
try:
    {expr}
except KeyboardInterrupt:
    print("interrupted", time.monotonic(), flush=True)
    sys.exit(0)
print("completed", time.monotonic(), flush=True)
"""

# Calls interrupted at several points (seconds after the call began); the largest results
# lucas accepts come last.
CTRL_C_POINTS = [
    ("lucas.fibonacci(10**9)", (0.5, 2, 5, 8)),
    ("lucas.lucas_uv(3 * 10**8, 3, -5)", (0.5, 2, 5)),
    ("lucas.nth_term([1, 1, 1], [0, 0, 1], 4 * 10**8)", (0.5, 2, 5)),
    ("lucas.fibonacci(2**(10**8) + 1, mod=2**61 - 1)", (0.5, 2)),
    ("lucas.nth_term(list(range(1, 1001)), [1] * 1000, 2**4000, mod=2**61 - 1)", (0.5, 2)),
    ("lucas.is_strong_bpsw_prp(2**44497 - 1)", (0.5, 2)),
]
SLOW_CTRL_C_POINTS = [("lucas.fibonacci(1_546_000_000)", (5, 12, 17, 19))]


def ctrl_c_latency(expr, delay):
    """Seconds from SIGINT, sent `delay` s after the call began, to the KeyboardInterrupt in
    the child (CLOCK_MONOTONIC is shared by the two processes); None if the call ended first."""
    import signal

    code = CTRL_C_CHILD.format(root=str(ROOT), expr=expr)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        started = float(proc.stdout.readline().split()[1])
        time.sleep(max(0.0, started + delay - time.monotonic()))
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out = proc.communicate(timeout=3600)[0].split()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return float(out[1]) - sent if out and out[0] == "interrupted" else None


def ctrl_c_row(points):
    latencies, missed = [], []
    for expr, delays in points:
        for d in delays:
            lat = ctrl_c_latency(expr, d)
            print(
                f"    Ctrl-C {d:>4} s into {expr}: " + ("finished first" if lat is None else f"{lat:.3f} s"), flush=True
            )
            (missed if lat is None else latencies).append(lat)
    return (
        "Ctrl-C to KeyboardInterrupt, worst of the points (s)",
        max(latencies),
        statistics.median(latencies),
        0.5,
        "<=",
        f"{len(latencies)} points, median shown as 'other'",
    )


def cooperation(rounds, slow):
    """The rows of the Cooperation table: (what, value, other, target, sense, note)."""
    rows = ticker_rows(LONG_CALLS + (SLOW_LONG_CALLS if slow else []), rounds)
    rows += parallel_rows(rounds)
    rows.append(ctrl_c_row(CTRL_C_POINTS + (SLOW_CTRL_C_POINTS if slow else [])))
    for what, value, other, target, sense, note in rows:
        met = value >= target if sense == ">=" else value <= target
        print(
            f"t   {what:70} {value:7.3f} ({other:.3f})  target {sense} {target}  {'yes' if met else 'no'}  {note}",
            flush=True,
        )
    return rows


def timed(fn):
    t0 = time.perf_counter_ns()
    fn()
    return time.perf_counter_ns() - t0


def measure(case_fn, floor_fn, rounds):
    """Interleaved timings: returns (case times, floor times), one pair per round."""
    case_fn(), floor_fn()  # warm-up (caches, lazy imports, branch predictors)
    cs, fs = [], []
    for r in range(rounds):
        if r % 2 == 0:
            c, f = timed(case_fn), timed(floor_fn)
        else:
            f, c = timed(floor_fn), timed(case_fn)
        cs.append(c)
        fs.append(f)
    return cs, fs


# ---------------------------------------------------------------------------------------
# --baseline DIR: the tree's cases timed on another build of lucas (the previous main, say),
# both modules loaded in this one process and interleaved round by round.

# This file's names for lucas objects -> the attribute each stands for (None: the module).
LUCAS_NAMES = {
    "lucas": None,
    "LucasIter": "LucasIter",
    "fibonacci": "fibonacci",
    "lucas_uv": "lucas_uv",
    "lucas_number": "lucas",
}


def _missing(attr):
    def call(*args, **kwargs):
        raise AttributeError(f"this build of lucas has no {attr}")

    return call


def bind_lucas(module):
    """Point this file's lucas names at `module`. Every case looks lucas up when it runs (a
    global name, or `each_lucas`), never when it is built, so one case callable times
    whichever build is bound; a function the build lacks raises when called."""
    g = globals()
    for name, attr in LUCAS_NAMES.items():
        g[name] = module if attr is None else getattr(module, attr, _missing(attr))


def load_baseline(directory):
    """The lucas extension built into `directory` (`setup.py build_ext --build-lib DIR`),
    loaded beside the one already imported. lucas uses single-phase init, which CPython keys
    by file name: a second file loads as a second module with its own types and statics.
    Loading stores it in sys.modules["lucas"], so the tree's module is put back after."""
    import importlib.machinery
    import importlib.util

    path = Path(directory).resolve() / ("lucas" + sysconfig.get_config_var("EXT_SUFFIX"))
    if not path.exists():
        raise SystemExit(f"--baseline: no {path.name} in {directory} (make bench-baseline REF=... builds one)")
    if path == Path(lucas.__file__).resolve():
        raise SystemExit(f"--baseline: {path} is the module under test itself")
    current = sys.modules.pop("lucas")
    try:
        loader = importlib.machinery.ExtensionFileLoader("lucas", str(path))
        spec = importlib.util.spec_from_file_location("lucas", path, loader=loader)
        module = importlib.util.module_from_spec(spec)
        loader.exec_module(module)
    finally:
        sys.modules["lucas"] = current
    return module


def timed_on(module, fn):
    bind_lucas(module)
    return timed(fn)


def baseline_rows(cases, new, base, rounds, wanted):
    """Per case that runs on both builds: (key, what, new ns, baseline ns, median of the
    same-round ratios new/baseline, min/min, lowest and highest same-round ratio). Cases
    whose lucas side is the floor (the "g" reference rows) are left out; a case the baseline
    cannot run (a function or an argument it lacks) is reported and skipped."""
    rows = []
    for key, what, _target, units, case_fn, _floor_fn, _floor_name in cases:
        if (wanted and not key.startswith(wanted)) or key.startswith("g"):
            continue
        try:
            timed_on(base, case_fn)  # warm-up, and does the baseline run it at all?
        except Exception as exc:  # noqa: BLE001 - any failure means "not comparable"
            print(f"{key:3} {what:58} skipped: the baseline raised {type(exc).__name__}: {exc}", flush=True)
            continue
        finally:
            bind_lucas(new)
        timed_on(new, case_fn)
        ns, bs = [], []
        for r in range(rounds):
            if r % 2 == 0:
                n, b = timed_on(new, case_fn), timed_on(base, case_fn)
            else:
                b, n = timed_on(base, case_fn), timed_on(new, case_fn)
            ns.append(n)
            bs.append(b)
        bind_lucas(new)
        ratios = [n / b for n, b in zip(ns, bs)]
        row = (key, what, min(ns) / units, min(bs) / units, statistics.median(ratios), min(ns) / min(bs))
        rows.append(row + (min(ratios), max(ratios)))
        print(
            f"{key:3} {what:58} {row[2]:12.1f} ns vs {row[3]:12.1f} ns  new/baseline median"
            f" {fmt_ratio(row[4]):>6}  min/min {fmt_ratio(row[5]):>6}  ({fmt_ratio(min(ratios))}"
            f"..{fmt_ratio(max(ratios))})",
            flush=True,
        )
    return rows


def run_baseline(args, cases):
    """--baseline: the comparison table (markdown, for bench/NOTES.md); writes nothing."""
    new = lucas
    base = load_baseline(args.baseline)
    rounds = args.rounds or (5 if args.quick else 15)
    print(f"new:      {new.__file__} (lucas {new.__version__})")
    print(f"baseline: {base.__file__} (lucas {getattr(base, '__version__', '?')})")
    print(f"{rounds} interleaved rounds; ratio = new time / baseline time (lower: the new tree is faster)")
    rows = baseline_rows(cases, new, base, rounds, args.cases)
    cg_rows = []
    if not args.quick and shutil.which("valgrind") is not None:
        for key, (setup, stmt, _floor, n) in CALLGRIND_SNIPPETS.items():
            if args.cases and not key.startswith(args.cases):
                continue
            ci = callgrind_instructions(setup, stmt, n, Path(new.__file__).parent)
            bi = callgrind_instructions(setup, stmt, n, Path(base.__file__).parent)
            cg_rows.append((key, stmt, ci, bi))
            print(f"callgrind {key:3} {ci:8.1f} vs {bi:8.1f} instructions/unit: {ci / bi:.3f}", flush=True)
    print()
    print("| case | what | new ns | baseline ns | median new/baseline | min/min | rounds' range |")
    print("|---|---|---:|---:|---:|---:|---|")
    for key, what, nns, bns, med, mins, lo, hi in rows:
        print(
            f"| {key} | {what} | {nns:,.1f} | {bns:,.1f} | {fmt_ratio(med)} | {fmt_ratio(mins)} | "
            f"{fmt_ratio(lo)}..{fmt_ratio(hi)} |"
        )
    if cg_rows:
        print()
        print("| case | instructions/unit, new | baseline | ratio |")
        print("|---|---:|---:|---:|")
        for key, _stmt, ci, bi in cg_rows:
            print(f"| {key} | {ci:.1f} | {bi:.1f} | {ci / bi:.3f} |")


# ---------------------------------------------------------------------------------------
# callgrind: instructions per unit, exactly repeatable.

CALLGRIND_SNIPPETS = {
    # name: (setup, case statement, floor statement, units)
    "a": (
        "from lucas import LucasIter; from itertools import count, islice; from collections import deque",
        "deque(islice(LucasIter([1,1],[0,1], mod=2**61-1), N), maxlen=0)",
        "deque(islice(count(2**60), N), maxlen=0)",
        200000,
    ),
    "a2": (
        "from lucas import LucasIter; from itertools import count, islice; from collections import deque",
        "deque(islice(LucasIter([-1,1],[2**40,2**41]), N), maxlen=0)",
        "deque(islice(count(2**60), N), maxlen=0)",
        200000,
    ),
    "b": (
        "from lucas import LucasIter; from itertools import count, islice; from collections import deque",
        "deque(islice(LucasIter([1,2,3,4,5],[5,4,3,2,1], mod=10**9+7), N), maxlen=0)",
        "deque(islice(count(2**60), N), maxlen=0)",
        200000,
    ),
    "e": ("from lucas import fibonacci", "for _ in range(N): fibonacci(10)", "for _ in range(N): abs(7)", 100000),
}


def callgrind_instructions(setup, stmt, n, module_dir=ROOT):
    """Instructions for running `stmt` with N = n, minus the same program with N = 0, with
    lucas imported from `module_dir`."""
    exe = os.path.realpath(sys.executable)

    def run(n_value):
        src = f"{setup}\nN = {n_value}\ndef main():\n    {stmt}\nmain()\n"
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp, "snippet.py")
            script.write_text(src)
            out = Path(tmp, "cg.out")
            env = dict(os.environ, PYTHONPATH=str(module_dir), PYTHONHASHSEED="0")
            subprocess.run(
                ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", exe, str(script)],
                env=env,
                check=True,
                capture_output=True,
            )
            for line in out.read_text().splitlines():
                if line.startswith("summary:") or line.startswith("totals:"):
                    return int(line.split()[1])
        raise RuntimeError("no callgrind summary")

    return (run(n) - run(0)) / n


# ---------------------------------------------------------------------------------------
# Other figures.


def so_path():
    return Path(lucas.__file__)


def wheel_so_kib():
    """Size of the module in this interpreter's wheel in dist/ (`make wheels`: stripped of its
    symbol table, unlike the in-place build), or None when no such wheel was built."""
    import zipfile

    tag = "cp%d%d" % sys.version_info[:2] + ("t" if sysconfig.get_config_var("Py_GIL_DISABLED") else "")
    wheels = sorted((ROOT / "dist").glob(f"*-{tag.rstrip('t')}-{tag}-*.whl"))
    if not wheels:
        return None
    with zipfile.ZipFile(wheels[-1]) as zf:
        return next(i.file_size for i in zf.infolist() if i.filename.endswith(".so")) / 1024


def import_time_us(repeat):
    times = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import lucas"],
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
            capture_output=True,
            text=True,
            check=True,
        )
        line = [l for l in out.stderr.splitlines() if l.rstrip().endswith("| lucas")][-1]
        times.append(int(line.split("|")[1]))
    return statistics.median(times)


def cold_build_seconds():
    """`python setup.py build_ext` from a clean copy with an empty cargo target dir."""
    with tempfile.TemporaryDirectory() as tmp:
        for name in (
            "Cargo.toml",
            "Cargo.lock",
            "build.rs",
            "setup.py",
            "README.md",
            "lucas.pyi",
            "src",
            "csrc",
            "crates",
        ):
            src = ROOT / name
            (shutil.copytree if src.is_dir() else shutil.copy)(src, Path(tmp, name))
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "setup.py", "-q", "build_ext", "--build-lib", "out"],
            cwd=tmp,
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - t0


def fmt_ratio(x):
    if x < 0.01:
        return f"{x:.2e}"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer rounds; no cold build, no callgrind")
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    ap.add_argument("--cases", default=None, help="only the cases whose key starts with this (implies --no-write)")
    ap.add_argument(
        "--slow",
        action="store_true",
        help="also the cases of several minutes (BPSW on 2**44497 - 1; run with --rounds 3)",
    )
    ap.add_argument("--list", action="store_true", help="list the cases' keys and descriptions, run nothing")
    ap.add_argument(
        "--slow-cooperation",
        action="store_true",
        help="cooperation rows also for is_strong_bpsw_prp(2**44497 - 1) and fibonacci(1.5e9)",
    )
    ap.add_argument(
        "--baseline",
        metavar="DIR",
        help="time the cases on the lucas built into DIR too, same run: ratios new/baseline (writes nothing)",
    )
    args = ap.parse_args()
    cases = CASES + big_mod_cases(args.slow)
    if args.list:
        for key, what, *_ in cases:
            print(f"{key:3} {what}")
        return
    if args.baseline:
        run_baseline(args, cases)
        return
    if args.cases:
        args.no_write = True
    rounds = args.rounds or (5 if args.quick else 15)
    started = time.perf_counter()

    rows = []
    for key, what, target, units, case_fn, floor_fn, floor_name in cases:
        if args.cases and not key.startswith(args.cases):
            continue
        cs, fs = measure(case_fn, floor_fn, rounds)
        med = statistics.median(c / f for c, f in zip(cs, fs))
        mins = min(cs) / min(fs)
        ns = min(cs) / units
        met = "" if target is None else ("yes" if med <= target else "**no**")
        rows.append((key, what, floor_name, ns, med, mins, target, met))
        print(
            f"{key:3} {what:58} {ns:12.1f} ns  median {fmt_ratio(med):>7}  min/min {fmt_ratio(mins):>7}"
            f"  target {target if target is not None else '-':>6}  {met}",
            flush=True,
        )

    coop_rows = []
    if not args.cases or args.cases.startswith("t"):
        coop_rows = cooperation(3, args.slow_cooperation)

    cg_rows = []
    have_valgrind = shutil.which("valgrind") is not None
    if not args.quick and not args.cases and have_valgrind:
        for key, (setup, stmt, floor_stmt, n) in CALLGRIND_SNIPPETS.items():
            ci = callgrind_instructions(setup, stmt, n)
            fi = callgrind_instructions(setup, floor_stmt, n)
            cg_rows.append((key, stmt, ci, fi, ci / fi))
            print(f"callgrind {key:3} {ci:8.1f} vs {fi:8.1f} instructions/unit: {ci / fi:.3f}", flush=True)

    so_kib = so_path().stat().st_size / 1024
    wheel_kib = wheel_so_kib()
    imp = import_time_us(5 if args.quick else 15)
    build = None if args.quick or args.cases else cold_build_seconds()
    print(
        f".so size {so_kib:.0f} KiB, import {imp:.0f} us, cold build {'-' if build is None else f'{build:.1f} s'}",
        flush=True,
    )
    print(f"benchmark took {time.perf_counter() - started:.1f} s")

    if args.no_write:
        return
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` on {datetime.date.today().isoformat()} "
        f"({'quick mode' if args.quick else f'{rounds} interleaved rounds'}).",
        "",
        f"- interpreter: CPython {platform.python_version()} ({sysconfig.get_config_var('SOABI')})",
        f"- machine: {cpu_model()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        f"- lucas {lucas.__version__}; gmpy2 {gmpy2.version() if gmpy2 else 'not installed'}",
        "",
        "Ratios are lucas time / floor time (lower is better): the median of the per-round ratios",
        "and the ratio of the two minimums. ns is lucas's best time per unit.",
        "",
        "| case | what | floor | ns | median ratio | min/min | target | met |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for key, what, floor_name, ns, med, mins, target, met in rows:
        lines.append(
            f"| {key} | {what} | {floor_name} | {ns:,.1f} | {fmt_ratio(med)} | {fmt_ratio(mins)} | "
            f"{'-' if target is None else target} | {met or '-'} |"
        )
    if coop_rows:
        lines += [
            "",
            "Cooperation (the same run; the value is a median over rounds unless it says worst, 'other'",
            "is the least favourable round, or the median for the worst-case row):",
            "",
            "| case | what | value | other | target | met | note |",
            "|---|---|---:|---:|---:|---|---|",
        ]
        for what, value, other, target, sense, note in coop_rows:
            met = value >= target if sense == ">=" else value <= target
            lines.append(
                f"| t | {what} | {value:.3f} | {other:.3f} | {sense} {target} | {'yes' if met else '**no**'} | {note} |"
            )
    if cg_rows:
        lines += [
            "",
            "Instructions per item or call (callgrind, exactly repeatable; target for a: <= 1.12x):",
            "",
            "| case | lucas | floor | ratio |",
            "|---|---:|---:|---:|",
        ]
        for key, _stmt, ci, fi, r in cg_rows:
            lines.append(f"| {key} | {ci:.1f} | {fi:.1f} | {r:.3f} |")
    lines += [
        "",
        "| other figure | value |",
        "|---|---|",
        f"| extension size (in-place build, keeps its symbol table) | {so_kib:.0f} KiB |",
        f"| extension size in the wheel (stripped, `make wheels`) | "
        f"{'no wheel in dist/' if wheel_kib is None else f'{wheel_kib:.0f} KiB'} |",
        f"| import time (median, `-X importtime`) | {imp:.0f} us |",
        f"| cold `setup.py build_ext` | {'not measured (quick mode)' if build is None else f'{build:.1f} s'} |",
    ]
    notes = ROOT / "bench" / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text().strip()]
    (ROOT / "bench" / "RESULTS.md").write_text("\n".join(lines) + "\n")
    print("wrote bench/RESULTS.md")


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
