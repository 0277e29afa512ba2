"""Slow models of ``find_recurrence``: what a shortest linear recurrence is, computed three
independent ways (valid inputs only).

Recurrences are in LucasIter's convention: coefficients c_0 .. c_{k-1} with
x_{t+k} = c_0*x_t + ... + c_{k-1}*x_{t+k-1}; "generates" means that equation holds for every
t with t + k < len(terms).

(a) ``bm_fractions``: Berlekamp-Massey over the rationals with ``fractions.Fraction``.
(b) ``bm_prime``: Berlekamp-Massey over GF(p) with Python ints (p prime, any size).
(c) ``order_by_rank``: the shortest order over the rationals straight from the definition:
    the least k for which the linear system "c generates terms" is consistent (Gaussian
    elimination on Fractions) -- no Berlekamp-Massey at all.
(d) ``order_by_search``: the shortest order modulo a small m (prime or not) by trying every
    coefficient vector of each length.
"""

import itertools
from fractions import Fraction


def generates(coefficients, terms, mod=None):
    """Whether the recurrence generates every element of ``terms`` (exactly, or modulo mod)."""
    k = len(coefficients)
    for t in range(len(terms) - k):
        v = sum(c * x for c, x in zip(coefficients, terms[t : t + k]))
        if mod is None:
            if v != terms[t + k]:
                return False
        elif (v - terms[t + k]) % mod:
            return False
    if k == 0 and any((x if mod is None else x % mod) for x in terms):
        return False
    return True


def _bm(terms, zero, one, inverse):
    """Berlekamp-Massey over any field given by its 0, 1 and inverse; connection polynomial
    C (C[0] = 1) to coefficients c_j = -C[k - j]."""
    conn, before = [one], [one]
    length, shift, b = 0, 1, one
    for n, s in enumerate(terms):
        d = s
        for i in range(1, length + 1):
            d = d + conn[i] * terms[n - i]
        if d == zero:
            shift += 1
            continue
        factor = d * inverse(b)
        old = list(conn)
        conn = conn + [zero] * max(0, len(before) + shift - len(conn))
        for i, x in enumerate(before):
            conn[i + shift] = conn[i + shift] - factor * x
        if 2 * length <= n:
            length, before, b, shift = n + 1 - length, old, d, 1
        else:
            shift += 1
    conn = (conn + [zero] * (length + 1))[: length + 1]
    return [-conn[length - j] for j in range(length)]


def bm_fractions(terms):
    """A shortest recurrence over Q, as Fractions."""
    return _bm([Fraction(x) for x in terms], Fraction(0), Fraction(1), lambda x: 1 / x)


class _GF:
    """An element of GF(p), just enough for _bm."""

    __slots__ = ("v", "p")

    def __init__(self, v, p):
        self.v, self.p = v % p, p

    def __add__(self, o):
        return _GF(self.v + o.v, self.p)

    def __sub__(self, o):
        return _GF(self.v - o.v, self.p)

    def __mul__(self, o):
        return _GF(self.v * o.v, self.p)

    def __neg__(self):
        return _GF(-self.v, self.p)

    def __eq__(self, o):
        return self.v == o.v


def bm_prime(terms, p):
    """A shortest recurrence over GF(p) for a prime p, as ints in range(p)."""
    field = [_GF(x, p) for x in terms]
    out = _bm(field, _GF(0, p), _GF(1, p), lambda x: _GF(pow(x.v, -1, p), p))
    return [c.v for c in out]


def _consistent(rows, rhs):
    """Whether rows·c = rhs has a solution over Q (Gaussian elimination on Fractions)."""
    m = [[Fraction(x) for x in r] + [Fraction(y)] for r, y in zip(rows, rhs)]
    width = len(m[0]) - 1 if m else 0
    rank_row = 0
    for col in range(width):
        pivot = next((i for i in range(rank_row, len(m)) if m[i][col] != 0), None)
        if pivot is None:
            continue
        m[rank_row], m[pivot] = m[pivot], m[rank_row]
        for i in range(len(m)):
            if i != rank_row and m[i][col] != 0:
                f = m[i][col] / m[rank_row][col]
                m[i] = [a - f * b for a, b in zip(m[i], m[rank_row])]
        rank_row += 1
    return all(any(r[:width]) or r[width] == 0 for r in m)


def order_by_rank(terms):
    """The shortest order over Q from the definition."""
    n = len(terms)
    for k in range(n + 1):
        rows = [terms[t : t + k] for t in range(n - k)]
        rhs = [terms[t + k] for t in range(n - k)]
        if k == 0:
            if not any(terms):
                return 0
            continue
        if _consistent(rows, rhs):
            return k
    raise AssertionError("order n always works")


def order_by_search(terms, mod):
    """The shortest order modulo a small mod, by trying every coefficient vector."""
    for k in range(len(terms) + 1):
        for c in itertools.product(range(mod), repeat=k):
            if generates(c, terms, mod):
                return k
    raise AssertionError("order n always works")
