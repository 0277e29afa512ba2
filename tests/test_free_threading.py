"""Many threads on one iterator: the property free-threaded CPython (PEP 703) must keep.

`next()` on a shared LucasIter from N threads at once must hand out every element of the
sequence exactly once. With the GIL the interpreter switches threads between (never
inside) `next()` calls, here as often as it can (a tiny switch interval); on a free-threaded
interpreter the calls really run at the same time, and only the per-object critical
section in `tp_iternext` keeps them apart. The same assertions hold in both worlds, so the
test runs on every interpreter: on the GIL builds of CI it checks the interleaving, and it
is the test that has to pass on a real `python3.14t` before the module may declare
`Py_mod_gil_not_used` (see README, "Supported Python versions").
"""

import copy
import sys
import sysconfig
import threading

import pytest

import lucas
from lucas import LucasIter

THREADS = 8
STEPS = 4000


def free_threaded_build() -> bool:
    return bool(sysconfig.get_config_var("Py_GIL_DISABLED"))


# x_{n+2} = 2*x_{n+1} - x_n from (s, s+1) is x_n = s + n: each value names its index.
# The starts pick the engines: machine words, a word modulus, and Python ints.
@pytest.mark.parametrize("start, mod", [(0, None), (0, 2**61 - 1), (2**64, None)], ids=["word", "mod", "bigint"])
def test_threads_share_one_iterator_and_see_each_element_once(tiny_switch_interval, start, mod):
    it = LucasIter([-1, 2], [start, start + 1], mod=mod)
    barrier = threading.Barrier(THREADS)
    seen = [[] for _ in range(THREADS)]
    errors = []

    def work(out):
        try:
            barrier.wait(20)
            for _ in range(STEPS):
                out.append(next(it))
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work, args=(out,)) for out in seen]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    total = THREADS * STEPS
    expected = [start + i for i in range(total)]
    assert sorted(x for out in seen for x in out) == expected  # each element exactly once
    assert all(out == sorted(out) for out in seen)  # each thread sees them in order
    assert next(it) == start + total  # and the iterator moved exactly that far


def test_threads_share_one_iterator_with_snapshots_and_sizes(tiny_switch_interval):
    # Readers of the state (repr, copy, pickle, __sizeof__) race the writers.
    it = LucasIter([-1, 2], [0, 1])
    stop = threading.Event()
    seen, errors = [], []

    def step():
        try:
            for _ in range(STEPS):
                seen.append(next(it))
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    def read():
        try:
            while not stop.is_set():
                a = repr(it)
                b = next(copy.copy(it))
                assert a.startswith("LucasIter((-1, 2), (") and b >= 0
                assert sys.getsizeof(it) > 0
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    writers = [threading.Thread(target=step) for _ in range(THREADS // 2)]
    readers = [threading.Thread(target=read) for _ in range(2)]
    for t in writers + readers:
        t.start()
    for t in writers:
        t.join(60)
    stop.set()
    for t in readers:
        t.join(60)
    assert not any(t.is_alive() for t in writers + readers)
    assert errors == []
    assert sorted(seen) == list(range(STEPS * (THREADS // 2)))


def test_the_module_still_asks_for_the_gil():
    # lucas declares no Py_mod_gil_not_used slot yet: a free-threaded interpreter turns the
    # GIL back on when it is imported (unless PYTHON_GIL=0 forces it off). On a GIL build
    # the GIL is simply on.
    assert lucas.LucasIter is LucasIter
    gil_enabled = getattr(sys, "_is_gil_enabled", lambda: True)()
    if free_threaded_build() and getattr(sys.flags, "gil", None) == 0:
        assert not gil_enabled  # forced off by PYTHON_GIL=0 / -X gil=0
    else:
        assert gil_enabled
