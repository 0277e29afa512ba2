"""Claims the docs make in prose, checked: each test names the chapter or page whose sentence
it backs, so that a change in behaviour fails here before the text goes stale."""

import copy
import gc
import pickle
import re
import signal
import sys
from itertools import islice
from pathlib import Path

import pytest

from lucas import LucasIter

# The two tests that read the repository's files (build.rs, the Makefile) skip against an
# installed wheel (conftest.py); the others check the module under test.
source_tree = pytest.mark.source_tree
ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
HAVE_GC = 1 << 14


# --- docs/extension/07-gil.md: advance holds the engine while signal handlers run ---------


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs signal.setitimer")
def test_a_signal_handler_during_advance_finds_the_iterator_running():
    """A handler that reads the iterator while `advance` polls for signals gets "already
    running"; the advance itself completes exactly. The interval timer fires on wall-clock
    time, so on a busy machine a round may see no signal inside the jump: rounds repeat
    until one does (bounded), and no round's outcome depends on timing."""
    it = LucasIter([1, 1], [0, 1])
    seen = []

    def handler(signum, frame):
        try:
            seen.append(it.state)
        except RuntimeError as e:
            seen.append(str(e))

    old = signal.signal(signal.SIGALRM, handler)
    try:
        busy = 0
        for _ in range(50):
            seen.clear()
            signal.setitimer(signal.ITIMER_REAL, 0.0002, 0.0002)
            try:
                it.advance(3_000_000)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0, 0)
            assert next(copy.copy(it)) == _fib(3_000_000)
            it.advance(-3_000_000)
            assert it.state == (0, 1)
            others = [s for s in seen if s != "LucasIter is already running"]
            assert all(isinstance(s, tuple) for s in others), seen  # read between calls
            busy += len(seen) - len(others)
            if busy:
                break
        assert busy, "no timer signal arrived during an advance in 50 rounds"
    finally:
        signal.signal(signal.SIGALRM, old)


def _fib(n):
    a, b = 0, 1
    for bit in bin(n)[2:]:
        a, b = a * (2 * b - a), a * a + b * b
        if bit == "1":
            a, b = b, a + b
    return a


# --- docs/extension/05-type.md, 08-memory.md: who is tracked by the garbage collector ------


class SlotsOnly(LucasIter):
    __slots__ = ()


class WithDict(LucasIter):
    pass


def test_the_base_type_is_not_gc_tracked_and_every_python_subclass_is():
    assert not LucasIter.__flags__ & HAVE_GC
    assert not gc.is_tracked(LucasIter([1, 1], [0, 1]))
    for cls in (SlotsOnly, WithDict):
        assert cls.__flags__ & HAVE_GC, cls
        assert gc.is_tracked(cls([1, 1], [0, 1])), cls


def test_a_cycle_through_a_subclass_instance_is_collected():
    import weakref

    it = WithDict([1, 1], [0, 1])
    it.me = it
    ref = weakref.ref(it)
    del it
    gc.collect()
    assert ref() is None


# --- docs/extension/05-type.md: tp_iter returns a new reference ----------------------------


def test_iter_returns_the_iterator_with_one_more_reference():
    it = LucasIter([1, 1], [0, 1])
    before = sys.getrefcount(it)
    same = [iter(it) for _ in range(10)]
    assert all(s is it for s in same)
    assert sys.getrefcount(it) == before + 10
    del same
    assert sys.getrefcount(it) == before


# --- docs/extension/03-references.md: immortal objects ------------------------------------


def test_references_to_none_count_before_3_12_and_not_after():
    it = LucasIter([1, 1], [0, 1])
    nones = [it.mod for _ in range(1000)]
    held = sys.getrefcount(None)
    del nones
    released = sys.getrefcount(None)
    assert held - released == (1000 if sys.version_info < (3, 12) else 0)


# --- docs/algorithms/iteration.md: rebuilt engines choose machine words again --------------


def promoted():
    """A Fibonacci iterator that stepped past the i64 range (its engine is on Python ints)."""
    it = LucasIter([1, 1], [0, 1])
    for _ in range(100):
        next(it)
    return it


def test_stepping_promotes_and_every_rebuild_returns_to_words_when_the_values_fit():
    on_words = sys.getsizeof(LucasIter([1, 1], [0, 1]))
    it = promoted()
    assert sys.getsizeof(it) > on_words, "the Python-int engine owns more buffers"
    # A copy or a pickle of a promoted iterator whose values do not fit stays on ints...
    assert sys.getsizeof(copy.copy(it)) == sys.getsizeof(it)
    # ...and one whose values fit again goes back to words, however it is rebuilt.
    it.advance(-95)
    assert it.state == (5, 8) and sys.getsizeof(it) == on_words
    back = promoted()
    back.advance(-95)
    for rebuilt in (back, copy.copy(back), copy.deepcopy(back), pickle.loads(pickle.dumps(back))):
        assert sys.getsizeof(rebuilt) == on_words
        assert list(islice(rebuilt, 3)) == [5, 8, 13]


# --- docs/extension/01-build-and-import.md: the build script's steps, in order -------------


@source_tree
def test_the_build_chapter_lists_the_build_scripts_steps_in_the_order_of_the_code():
    steps = [
        "use_pyo3_cfgs",
        "add_libpython_rpath_link_args",
        "PYO3_BUILD_EXTENSION_MODULE",
        "Python.h",
        "csrc/layout.c",
    ]
    calls = [
        "use_pyo3_cfgs()",
        "add_libpython_rpath_link_args()",
        'var_os("PYO3_BUILD_EXTENSION_MODULE")',
        '.join("Python.h")',
        '.file("csrc/layout.c")',
    ]
    code = (ROOT / "build.rs").read_text(encoding="utf-8")
    chapter = (DOCS / "extension" / "01-build-and-import.md").read_text(encoding="utf-8")
    listed = chapter[chapter.index("Its steps, in the order") :]
    listed = listed[: listed.index("\n## ")]
    numbered = re.findall(r"^(\d+)\. (.*(?:\n   .*)*)", listed, re.M)
    assert [int(n) for n, _ in numbered] == list(range(1, len(steps) + 1))
    for (_, text), step in zip(numbered, steps):
        assert step in text, f"step {step!r} is not where the chapter lists it"
    assert all(c in code for c in calls), "build.rs changed: update the chapter and this test"
    assert [code.index(c) for c in calls] == sorted(code.index(c) for c in calls)


# --- docs/extension/09-tests.md: the fuzzer's budget in the suite and in `make fuzz` -------


@source_tree
def test_the_suite_fuzzes_a_fixed_count_from_a_fixed_seed_and_make_fuzz_for_a_time():
    suite = (ROOT / "tests" / "test_fuzz.py").read_text(encoding="utf-8")
    assert '"--cases"' in suite and '"--seed"' in suite and "--seconds" not in suite
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    fuzz = makefile[makefile.index("\nfuzz:") :].split("\n\n")[0]
    assert "--seconds" in fuzz and "--seed" not in fuzz
