"""Sample ``LucasIter`` states and helpers shared by the type-level tests.

STATES exercise every arithmetic representation: machine words, words with a small
modulus, Python ints beyond i64, a modulus beyond 2**64, negative values, order 1 and a
larger order. Expected values come from the naive model (support/model.py).
"""

import pickle

from hypothesis import HealthCheck
from hypothesis import strategies as st

from lucas import LucasIter
from support.model import ModelLucasIter, take

PROTOCOLS = list(range(pickle.HIGHEST_PROTOCOL + 1))
HYP = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def advanced(coeffs, initial, n, mod=None, cls=LucasIter):
    """A ``cls`` iterator and its model, both advanced by ``n`` items."""
    it = cls(coeffs, initial, mod=mod)
    model = ModelLucasIter(coeffs, initial, mod=mod)
    assert take(it, n) == take(model, n)
    return it, model


def continues_like(it, model, n=40):
    """``it`` yields the next ``n`` values of ``model`` (consumes both)."""
    return take(it, n) == take(model, n)


def clone_model(model):
    m = ModelLucasIter([1], [0])
    m._coeffs, m._window, m._mod = list(model._coeffs), list(model._window), model._mod
    return m


def model_seq(coeffs, initial, n, mod=None):
    return take(ModelLucasIter(coeffs, initial, mod=mod), n)


STATES = [
    ([1, 1], [0, 1], None, 5),
    ([1, 1], [0, 1], None, 150),  # past 2**63
    ([1, 1], [0, 1], 7, 5),
    ([-3, 2, 5], [4, -9, 2**70], None, 11),
    ([2**65 + 3, -1], [-(2**80), 17], 2**100 + 7, 9),
    ([2], [1], None, 0),
    ([-1], [-(2**63)], None, 3),
    ([3, 0, -2, 1, 5, 7, 1], [1, 2, 3, 4, 5, 6, 7], 10**9 + 7, 30),
    ([1, 2], [3, 4], 1, 4),
]
STATE_IDS = [f"state{i}" for i in range(len(STATES))]

coefs_and_initial = st.integers(1, 5).flatmap(
    lambda k: st.tuples(
        st.lists(st.integers(-(2**70), 2**70) | st.integers(-3, 3), min_size=k, max_size=k),
        st.lists(st.integers(-(2**70), 2**70) | st.integers(-3, 3), min_size=k, max_size=k),
    )
)
maybe_mod = st.none() | st.integers(1, 2**130) | st.integers(1, 50)


def bits_state(bits):
    """Fibonacci advanced until its window holds numbers of about ``bits`` bits."""
    n = int(bits / 0.6942) + 2  # log2(golden ratio) ~ 0.6942
    return advanced([1, 1], [0, 1], n)
