"""The strong Lucas probable-prime test and Baillie-PSW, built on ``lucas.lucas_uv``.

Background
----------
For integers P and Q let D = P^2 - 4Q.  If n is an odd prime that does not
divide Q, and the Jacobi symbol (D/n) is -1, then n divides U_{n+1}(P, Q).
Write n + 1 = d * 2^s with d odd.  Because U_{2k} = U_k V_k, a prime n must
then satisfy the *strong* condition

    U_d == 0 (mod n)    or    V_{d * 2^r} == 0 (mod n) for some 0 <= r < s.

An odd composite n that satisfies it anyway is a *strong Lucas pseudoprime*.
With Selfridge's "method A" parameters (below) the smallest ones are
5459, 5777, 10877, 16109, 18971, ... (OEIS A217255).

Baillie-PSW combines this test with a strong base-2 Miller-Rabin test.  The
two tests fail on very different kinds of numbers, and no composite number is
known that passes both (none exists below 2^64).

``lucas.lucas_uv(k, p, q, mod=n)`` returns (U_k mod n, V_k mod n) in
O(log k) steps, which is exactly the expensive part of the Lucas test.
Note the argument order: the index comes first (gmpy2 puts it last).

Run this file as a script to see a few examples.
"""

import math
import os
import sys

try:
    import lucas
except ImportError:  # running from a source checkout: the module is built in the repo root
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import lucas

__all__ = [
    "jacobi",
    "selfridge_parameters",
    "is_strong_lucas_prp",
    "is_strong_probable_prime",
    "is_baillie_psw_prime",
    "main",
]

SMALL_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47,
                53, 59, 61, 67, 71, 73, 79, 83, 89, 97)


def jacobi(a, n):
    """The Jacobi symbol (a/n) for odd n > 0: 1, -1 or 0 (0 when gcd(a, n) > 1).

    The classic binary algorithm: pull out factors of two using
    (2/n) = -1 exactly when n = 3 or 5 (mod 8), and swap a and n using
    quadratic reciprocity, which flips the sign when both are 3 (mod 4).
    """
    if n <= 0 or n % 2 == 0:
        raise ValueError("jacobi(a, n) needs an odd positive n")
    a %= n
    result = 1
    while a:
        while a % 2 == 0:
            a //= 2
            if n % 8 in (3, 5):
                result = -result
        a, n = n, a
        if a % 4 == 3 and n % 4 == 3:
            result = -result
        a %= n
    return result if n == 1 else 0


def selfridge_parameters(n):
    """Selfridge's method A for odd n > 1 that is not a perfect square.

    Returns (D, P, Q): D is the first of 5, -7, 9, -11, 13, ... with
    Jacobi(D/n) = -1, P = 1 and Q = (1 - D) / 4 (so D = P^2 - 4Q).
    Returns None if some candidate D shows that n is composite: Jacobi(D/n)
    = 0 means gcd(D, n) > 1, which for |D| != n is a proper factor (the
    search never gets as far as |D| = 3n, 5n, ...).

    For a perfect square n, (D/n) is never -1, so the search would not end:
    callers must rule squares out first.
    """
    d = 5
    while True:
        j = jacobi(d, n)
        if j == -1:
            return d, 1, (1 - d) // 4
        if j == 0 and abs(d) != n:
            return None  # d shares a proper factor with n
        d = -d - 2 if d > 0 else -d + 2  # 5, -7, 9, -11, 13, ...


def is_strong_lucas_prp(n):
    """True if n is a strong Lucas probable prime with Selfridge's parameters.

    Every prime passes.  The odd composites that pass are the strong Lucas
    pseudoprimes (5459, 5777, 10877, ...).  2 counts as prime, other even
    numbers and numbers below 2 do not.
    """
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    # A perfect square never has Jacobi(D/n) = -1: the search for D would not
    # terminate.  Squares > 1 are composite anyway.
    if math.isqrt(n) ** 2 == n:
        return False
    params = selfridge_parameters(n)
    if params is None:
        return False
    _, p, q = params

    # n + 1 = d * 2^s with d odd
    d, s = n + 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1

    u, v = lucas.lucas_uv(d, p, q, mod=n)  # (U_d mod n, V_d mod n)
    if u == 0 or v == 0:
        return True
    # Walk V_{d*2^r} for r = 1 .. s-1 with V_{2k} = V_k^2 - 2 Q^k, tracking Q^k.
    q_k = pow(q, d, n)  # Q^k for k = d
    for _ in range(1, s):
        v = (v * v - 2 * q_k) % n
        if v == 0:
            return True
        q_k = q_k * q_k % n  # Q^(2k)
    return False


def is_strong_probable_prime(n, base):
    """The strong (Miller-Rabin) probable-prime test of odd n > 2 to one base.

    Write n - 1 = d * 2^s with d odd; n passes if base^d == 1 (mod n) or
    base^(d*2^r) == -1 (mod n) for some 0 <= r < s.
    """
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    x = pow(base, d, n)
    if x == 1 or x == n - 1:
        return True
    for _ in range(1, s):
        x = x * x % n
        if x == n - 1:
            return True
    return False


def is_baillie_psw_prime(n):
    """The Baillie-PSW test: trial division, strong base-2 Miller-Rabin, strong Lucas.

    Correct (no false answers) for every n < 2^64; no counterexample is known
    above that either.
    """
    if n < 2:
        return False
    for p in SMALL_PRIMES:
        if n % p == 0:
            return n == p
    return is_strong_probable_prime(n, 2) and is_strong_lucas_prp(n)


def _is_prime_by_trial_division(n):
    """Slow but obviously correct; only for the small numbers in main()."""
    return n >= 2 and all(n % k for k in range(2, math.isqrt(n) + 1))


def main():
    print("Strong Lucas pseudoprimes (Selfridge parameters) below 30000:")
    found = [n for n in range(3, 30000, 2)
             if is_strong_lucas_prp(n) and not _is_prime_by_trial_division(n)]
    print("  " + ", ".join(map(str, found)))
    print("  none of them is a strong base-2 pseudoprime:",
          not any(is_strong_probable_prime(n, 2) for n in found))

    spsp = 3215031751  # = 151 * 751 * 28351
    print(f"\n{spsp} = 151 * 751 * 28351 fools Miller-Rabin to base 2 "
          f"({is_strong_probable_prime(spsp, 2)}), but not the Lucas test "
          f"({is_strong_lucas_prp(spsp)})")

    print("\nBaillie-PSW on some large numbers:")
    examples = [
        ("2**61 - 1", 2**61 - 1),
        ("2**67 - 1", 2**67 - 1),  # Cole, 1903: 193707721 * 761838257287
        ("2**89 - 1", 2**89 - 1),
        ("2**127 - 1", 2**127 - 1),
        ("(2**31 - 1) * (2**61 - 1)", (2**31 - 1) * (2**61 - 1)),
        ("2**521 - 1", 2**521 - 1),
        ("2**523 - 1", 2**523 - 1),
        ("2**607 - 1", 2**607 - 1),
        ("(2**127 - 1)**2", (2**127 - 1) ** 2),
    ]
    for name, n in examples:
        verdict = "probably prime" if is_baillie_psw_prime(n) else "composite"
        print(f"  {name:<28} {verdict}")


if __name__ == "__main__":
    main()
