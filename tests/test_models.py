"""The shared models of tests/support/ against each other and against the recurrences
written out literally, so that a model used as an oracle (by the tests and by the fuzzer)
is itself checked."""

import pytest
from support.fn_model import model_uv, uv_any
from support.model import ModelLucasIter, matrix_term, runs_backwards, stepped, stepped_back, take, term


def _literal_uv(p, q, count):
    u, v = [0, 1], [2, p]
    for _ in range(count):
        u.append(p * u[-1] - q * u[-2])
        v.append(p * v[-1] - q * v[-2])
    return u, v


@pytest.mark.parametrize("p", range(-4, 5))
@pytest.mark.parametrize("q", range(-4, 5))
def test_uv_any_is_the_recurrence(p, q):
    u, v = _literal_uv(p, q, 40)
    for n in range(40):
        assert uv_any(n, p, q) == (u[n], v[n]) == model_uv(n, p, q)
        for m in (1, 2, 7, 96, 2**64 + 1):
            assert uv_any(n, p, q, m) == (u[n] % m, v[n] % m)
    if q in (1, -1):
        # Extend backwards: U_{k-2} = (P U_{k-1} - U_k) / Q, and 1/Q = Q.
        ub, vb = {0: 0, 1: 1}, {0: 2, 1: p}
        for k in range(-1, -40, -1):
            ub[k] = (p * ub[k + 1] - ub[k + 2]) * q
            vb[k] = (p * vb[k + 1] - vb[k + 2]) * q
            assert uv_any(k, p, q) == (ub[k], vb[k]) == model_uv(k, p, q)
            assert uv_any(k, p, q, 10) == (ub[k] % 10, vb[k] % 10)
    for m in (7, 2**61 - 1):
        if q % m:  # Q invertible modulo the prime m
            for k in range(-1, -30, -1):
                assert uv_any(k, p, q, m) == model_uv(k, p, q, m)


def test_uv_any_at_huge_n_against_the_iterative_model_at_the_period():
    # Modulo 7 the pair (U, V) of (1, -1) repeats with period 16 (Pisano period of 7).
    for n in (10**30, 2**200 + 3, -(10**25)):
        assert uv_any(n, 1, -1, 7) == model_uv(n % 16, 1, -1, 7)


@pytest.mark.parametrize(
    "c, init",
    [
        ([1, 1], [0, 1]),
        ([-1, 0, 2], [1, 2, 3]),
        ([3, 1, 4], [1, 5, 9]),
        ([1, -1, 2, 3, -2], [0, 1, -1, 2, 3]),
    ],
)
def test_term_models_agree(c, init):
    for mod in (None, 7, 96, 2**64 + 13):
        values = take(ModelLucasIter(c, init, mod=mod), 60)
        for n in range(60):
            assert stepped(c, init, n, mod) == term(c, init, n, mod) == values[n]
            if mod is not None:
                assert matrix_term(c, init, n, mod) == values[n]
        if runs_backwards(c, mod):
            # x_{-j} stepped back, then stepped forward again, is the start.
            for j in range(1, 25):
                window = [stepped_back(c, init, -j + i, mod) if i < j else values[i - j] for i in range(len(c))]
                assert take(ModelLucasIter(c, window, mod=mod), j + len(c))[j:] == values[: len(c)]
                assert term(c, init, -j, mod) == window[0]
