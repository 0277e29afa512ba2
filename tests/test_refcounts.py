"""Reference counts around ``repr``, copy and pickle of ``LucasIter``, checked as
before/after deltas (absolute counts differ between CPython versions).
"""

import copy
import gc
import pickle
import sys

import pytest
from support.states import PROTOCOLS
from support.subclasses import Plain

from lucas import LucasIter


def _fresh_big(seed):
    return int("9" * 40) * seed + seed  # a new object, not a cached constant


@pytest.mark.parametrize("cls", [LucasIter, Plain])
@pytest.mark.parametrize("use_mod", [False, True])
def test_refcounts_after_repr_copy_pickle_loops(cls, use_mod):
    a, b, c, m = _fresh_big(3), _fresh_big(5), _fresh_big(7), _fresh_big(11)
    it = cls([a, b], [c, a], mod=m if use_mod else None)
    if cls is Plain:
        it.attr = b
    coefs = it.coefficients
    gc.collect()
    watched = {"coefficients": coefs, "type": cls, "a": a, "b": b, "c": c, "m": m}
    before = {name: sys.getrefcount(obj) for name, obj in watched.items()}
    for i in range(1000):
        repr(it)
        copy.copy(it)
        copy.deepcopy(it)
        pickle.loads(pickle.dumps(it, i % len(PROTOCOLS)))
        it.__reduce__()
        it.__sizeof__()
        _ = it.coefficients, it.mod
    del _
    gc.collect()
    after = {name: sys.getrefcount(obj) for name, obj in watched.items()}
    assert after == before


def test_refcounts_of_copies_are_released():
    a = _fresh_big(13)
    it = LucasIter([a], [a])
    gc.collect()
    before = sys.getrefcount(a)
    clones = [copy.copy(it) for _ in range(100)]
    assert sys.getrefcount(a) > before  # the copies share the exact ints ...
    del clones
    gc.collect()
    assert sys.getrefcount(a) == before  # ... and let them go
