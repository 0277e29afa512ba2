"""``LucasIter`` shared between threads: each element is handed out once, snapshots
(repr, copy, pickle) are consistent, finalizers that run mid-call are safe.
"""

import copy
import gc
import pickle
import threading
from collections import Counter

import pytest
from support.model import take
from support.states import model_seq
from support.subclasses import Doubled
from support.threads import run_threads

from lucas import LucasIter


def _is_subsequence(sub, seq):
    pos = iter(seq)
    return all(any(x == y for y in pos) for x in sub)


@pytest.mark.parametrize(
    "coeffs, initial, mod",
    [
        ([1, 1], [1, 2], None),  # strictly increasing, crosses 2**63 at ~90
        ([-1, 3, 1], [5, -7, 2**62], None),
        ([3, 1, 4], [1, 5, 9], 2**61 - 1),
        ([2**64 + 1, 1], [3, 2**65], 2**67 + 3),
    ],
)
def test_threads_get_each_element_once(tiny_switch_interval, coeffs, initial, mod):
    threads, per_thread = 8, 300
    it = LucasIter(coeffs, initial, mod=mod)
    expected = model_seq(coeffs, initial, threads * per_thread, mod)
    results = [[] for _ in range(threads)]
    errors = []
    barrier = threading.Barrier(threads)

    def work(out):
        try:
            barrier.wait()
            for _ in range(per_thread):
                out.append(next(it))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    run_threads([lambda out=out: work(out) for out in results])
    assert errors == []
    everything = [x for r in results for x in r]
    assert Counter(everything) == Counter(expected)
    for r in results:
        assert _is_subsequence(r, expected)
    assert next(it) == model_seq(coeffs, initial, threads * per_thread + 1, mod)[-1]


def test_threads_with_overridden_next(tiny_switch_interval):
    it = Doubled([1, 1], [1, 2])
    expected = [2 * x for x in model_seq([1, 1], [1, 2], 1600)]
    results = [[] for _ in range(8)]

    def work(out):
        for _ in range(200):
            out.append(next(it))

    run_threads([lambda out=out: work(out) for out in results])
    assert sorted(x for r in results for x in r) == expected
    assert all(r == sorted(r) for r in results)


@pytest.mark.parametrize("start", [0, 2**64], ids=["word", "bigint"])
def test_snapshots_while_another_thread_iterates(tiny_switch_interval, start):
    # x_{n+2} = 2*x_{n+1} - x_n from (s, s+1) is x_n = s + n: a value names its position.
    # The worker runs until told to stop, and the first snapshot is taken only after its first
    # step, so every snapshot is taken while the worker is iterating, whatever the scheduler
    # does. (The API promises consistent snapshots, not how threads interleave. With a fixed
    # number of steps, 3.15 running this test alone let the worker finish all of them before
    # the main thread took a single snapshot.)
    it = LucasIter([-1, 2], [start, start + 1])
    stop, steps, errors = threading.Event(), [0], []

    def iterate():
        try:
            while not stop.is_set():
                next(it)
                steps[0] += 1
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    def check(snapshot):
        vals = take(snapshot, 4)
        i = vals[0] - start
        assert vals == [start + i + d for d in range(4)]
        return i

    worker = threading.Thread(target=iterate)
    worker.start()
    try:
        while steps[0] == 0 and worker.is_alive():
            stop.wait(0.001)
        positions = []
        for _ in range(300):
            positions.append(check(eval(repr(it), {"LucasIter": LucasIter})))
            positions.append(check(copy.copy(it)))
            positions.append(check(pickle.loads(pickle.dumps(it, 4))))
            positions.append(check(copy.deepcopy(it)))
    finally:
        stop.set()
        worker.join(20)
    assert not worker.is_alive()
    assert errors == []
    assert positions == sorted(positions)  # snapshots never go back in time
    assert positions[0] >= 1  # taken after the worker's first step
    assert next(it) == start + steps[0]  # snapshots did not advance the original


def test_next_in_another_thread_while_reduce_runs_a_finalizer():
    # The garbage collector can run while __reduce__ allocates its tuples; a
    # finalizer is Python code, and the interpreter may switch threads in it.
    # Another thread's next() must then still work (the iterator is idle).
    k = 24  # window tuple larger than the tuple free lists: a real GC allocation
    coeffs, initial = [1] * k, [0] * (k - 1) + [1]
    expected = model_seq(coeffs, initial, 2)
    it = LucasIter(coeffs, initial)
    in_finalizer, done, results = threading.Event(), threading.Event(), []
    phase, finalizer_phases = [0], []

    def worker():
        if in_finalizer.wait(10):
            try:
                results.append(next(it))
            except BaseException as e:  # noqa: BLE001
                results.append(e)
        done.set()

    class Trash:
        def __del__(self):
            finalizer_phases.append(phase[0])
            in_finalizer.set()
            done.wait(10)  # what a thread switch at this point would do

    t = threading.Thread(target=worker)
    t.start()
    old = gc.get_threshold()
    gc.collect()
    try:
        trash = Trash()
        trash.me = trash
        del trash
        # Collect at the very next GC allocation: the first one inside __reduce__.
        gc.set_threshold(max(gc.get_count()[0], 1))
        phase[0] = 1
        it.__reduce__()
        phase[0] = 2
    finally:
        gc.set_threshold(*old)
        in_finalizer.set()
        t.join(10)
        gc.collect()
    assert not t.is_alive()
    assert finalizer_phases == [1], "precondition: the finalizer ran inside __reduce__"
    assert results == [expected[0]]
    assert next(it) == expected[1]
