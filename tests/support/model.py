"""Pure-Python reference model of ``lucas.LucasIter`` (valid inputs only).

Deliberately naive: a plain list window, exact Python ints, the recurrence
written out literally.  Used by the differential tests.
"""

import math
import operator
from itertools import islice


def take(it, n):
    """The first ``n`` items of the iterator ``it`` as a list."""
    return list(islice(it, n))


class ModelLucasIter:
    """x_{n+k} = c_0*x_n + c_1*x_{n+1} + ... + c_{k-1}*x_{n+k-1}.

    c_0 pairs with the OLDEST value of the window.  With ``mod`` every yielded
    value, the initial ones included, is reduced into ``range(mod)``.
    """

    def __init__(self, coefficients, initial, /, *, mod=None):
        # operator.index always returns an exact int (CPython >= 3.10), so int
        # subclasses and __index__ objects never reach the arithmetic below.
        coeffs = [operator.index(c) for c in coefficients]
        window = [operator.index(v) for v in initial]
        if len(coeffs) == 0:
            raise ValueError("model: empty coefficients")
        if len(coeffs) != len(window):
            raise ValueError("model: length mismatch")
        if mod is not None:
            mod = operator.index(mod)
            if mod <= 0:
                raise ValueError("model: mod must be positive")
            window = [v % mod for v in window]
        self._coeffs = coeffs
        self._window = window
        self._mod = mod

    def __iter__(self):
        return self

    def __next__(self):
        out = self._window[0]
        new = 0
        for i in range(len(self._coeffs)):
            new = new + self._coeffs[i] * self._window[i]
        if self._mod is not None:
            new = new % self._mod
        self._window = self._window[1:] + [new]
        return out


# x_n of the same recurrence for any n, by models that share nothing with the extension
# (nor with the iterator above, beyond stepping it).


def stepped(c, init, n, mod=None):
    """x_n for n >= 0 by stepping the model iterator."""
    return next(islice(ModelLucasIter(c, init, mod=mod), n, None))


def stepped_back(c, init, n, mod=None):
    """x_n for n < 0: x_t = (x_{t+k} - c_1*x_{t+1} - ... - c_{k-1}*x_{t+k-1}) / c_0."""
    k = len(c)
    window = [v % mod for v in init] if mod else list(init)
    inv = pow(c[0], -1, mod) if mod else c[0]  # exact: c_0 is 1 or -1, its own inverse
    for _ in range(-n):
        rest = window[-1] - sum(c[j] * window[j - 1] for j in range(1, k))
        x = rest * inv
        window = [x % mod if mod else x] + window[:-1]
    return window[0]


def matrix_term(c, init, n, mod):
    """x_n (n >= 0) as the first entry of C**n times the initial window."""
    k = len(c)
    comp = [[int(j == i + 1) for j in range(k)] for i in range(k - 1)] + [[x % mod for x in c]]

    def mat_mul(a, b):
        bt = list(zip(*b))
        return [[sum(x * y for x, y in zip(row, col)) % mod for col in bt] for row in a]

    result = [[int(i == j) for j in range(k)] for i in range(k)]
    while n:
        if n & 1:
            result = mat_mul(result, comp)
        comp = mat_mul(comp, comp)
        n >>= 1
    return sum(result[0][j] * init[j] for j in range(k)) % mod


def runs_backwards(c, mod):
    """Whether x_n is defined for n < 0: c_0 must be invertible (a unit without a modulus)."""
    return c[0] in (1, -1) if mod is None else math.gcd(c[0], mod) == 1


def term(c, init, n, mod=None):
    """x_n for any n (valid inputs only: for n < 0 the recurrence must run backwards)."""
    return stepped(c, init, n, mod) if n >= 0 else stepped_back(c, init, n, mod)
