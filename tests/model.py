"""Pure-Python reference model of ``lucas.LucasIter`` (valid inputs only).

Deliberately naive: a plain list window, exact Python ints, the recurrence
written out literally.  Used by the differential tests.
"""

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
