"""Long calls cooperate: they let other threads run (lucas releases the GIL around its
pure-Rust arithmetic), threads sharing an iterator still see each element once while other
threads compute or advance it, and Ctrl-C stops any long computation from inside lucas.

No test here measures time: "another thread ran" is read from a counter that thread
advances, with automatic thread switches made so rare (``sys.setswitchinterval``) that only
a released GIL lets it advance during a call; where an interrupt lands is read from a
profile hook. They pass on a busy machine, only more slowly.
"""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from contextlib import contextmanager

import pytest
from support.states import model_seq
from support.threads import run_threads

import lucas
from lucas import LucasIter

# A switch interval far longer than any test: a thread waiting for the GIL then gets it
# only when the holder releases it itself (blocks, sleeps, or calls into C code that
# releases it), never because the interpreter asked the holder to drop it.
NO_FORCED_SWITCHES = 1000.0


@contextmanager
def only_voluntary_switches():
    old = sys.getswitchinterval()
    sys.setswitchinterval(NO_FORCED_SWITCHES)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


class Ticker(threading.Thread):
    """Counts while running, sleeping briefly between counts (as a UI or heartbeat thread
    would). It counts only while it holds the GIL."""

    def __init__(self):
        super().__init__(daemon=True)
        self.ticks = 0
        self.started = threading.Event()
        self.stop = threading.Event()

    def run(self):
        self.started.set()
        while not self.stop.is_set():
            self.ticks += 1
            time.sleep(0.0002)


def other_thread_ran_during(call, attempts=20):
    """Whether a ticker thread advanced while `call()` ran, in one of `attempts` calls.

    Between reading the counter and entering lucas (and between leaving lucas and reading
    it again) the main thread keeps the GIL: with forced switches disabled, the ticker can
    count in between only while lucas has released the GIL. One call is usually enough; the
    retries cover a machine so busy that the ticker was not scheduled during a whole call.
    """
    ticker = Ticker()
    with only_voluntary_switches():
        ticker.start()
        try:
            assert ticker.started.wait(60)
            for _ in range(attempts):
                before = ticker.ticks
                call()
                if ticker.ticks != before:
                    return True
            return False
        finally:
            ticker.stop.set()
            ticker.join(60)


M61 = 2**61 - 1
BITS_10M = (1 << 10**7) - 12345  # indices of ten million and a million bits
BITS_1M = (1 << 10**6) - 12345
BITS_4K = (1 << 4000) - 12345
M4096 = 2**4096 - 2**4000 + 12345  # odd, beyond a word
M65_EVEN = 2**65 + 2**40  # even, beyond a word
# Terms with no recurrence shorter than half their number: Berlekamp-Massey's worst case.
NO_SHORT_RECURRENCE = [pow(3, i * i, M61) for i in range(8000)]


def _advanced_iterator():
    it = LucasIter([1, 1, 1], [0, 0, 1], mod=M61)
    it.advance(BITS_1M)


# Calls of 50 ms or more here, so that lucas releases the GIL for them and the ticker,
# woken every 0.2 ms, gets scheduled during one of them even on a busy machine.
LONG_CALLS = {
    "fibonacci exact": lambda: lucas.fibonacci(10**7),
    "lucas exact": lambda: lucas.lucas(10**7),
    "lucas_uv exact": lambda: lucas.lucas_uv(2 * 10**6, 3, -5),
    "fibonacci mod word": lambda: lucas.fibonacci(BITS_10M, mod=M61),
    "lucas_v mod word": lambda: lucas.lucas_v(BITS_10M, 3, -5, mod=2**64 - 59),
    "fibonacci mod 4096 bits": lambda: lucas.fibonacci(BITS_4K, mod=M4096),
    "lucas_uv mod 4096 bits": lambda: lucas.lucas_uv(BITS_4K, 3, -5, mod=M4096),
    "fibonacci mod even 65 bits": lambda: lucas.fibonacci(BITS_10M, mod=M65_EVEN),
    "lucas_uv mod even 65 bits": lambda: lucas.lucas_uv(BITS_10M, 3, -5, mod=M65_EVEN),
    "nth_term mod word": lambda: lucas.nth_term([1, 1, 1], [0, 0, 1], BITS_1M, mod=M61),
    "nth_term mod 4096 bits": lambda: lucas.nth_term([1, 1], [0, 1], BITS_4K, mod=M4096),
    "nth_term mod even 65 bits": lambda: lucas.nth_term([1, 2, 3], [4, 5, 6], BITS_1M, mod=M65_EVEN),
    "nth_term exact": lambda: lucas.nth_term([1, 1, 1], [0, 0, 1], 4 * 10**6),
    "LucasIter.advance": _advanced_iterator,
    "LucasIter.advance mod 4096 bits": lambda: LucasIter([1, 1], [0, 1], mod=M4096).advance(BITS_4K),
    "find_recurrence mod word": lambda: lucas.find_recurrence(NO_SHORT_RECURRENCE, mod=M61),
    "is_strong_bpsw_prp": lambda: lucas.is_strong_bpsw_prp(2**9689 - 1),
    "is_bpsw_prp": lambda: lucas.is_bpsw_prp(2**9689 - 1),
    "is_strong_prp": lambda: lucas.is_strong_prp(2**9689 - 1, 3),
    "is_extra_strong_lucas_prp": lambda: lucas.is_extra_strong_lucas_prp(2**9689 - 1, 5),
    # n + 1 and n - 1 a power of two times a small d: the tests' final squarings do the work.
    "is_strong_lucas_prp, Mersenne prime": lambda: lucas.is_strong_lucas_prp(2**9689 - 1, 5, 1),
    "is_strong_prp, prime 3*2**20909 + 1": lambda: lucas.is_strong_prp(3 * 2**20909 + 1, 5),
}


@pytest.mark.parametrize("name", sorted(LONG_CALLS))
def test_long_call_lets_other_threads_run(name):
    assert other_thread_ran_during(LONG_CALLS[name]), (
        f"{name}: no other thread ran during the call: the GIL stayed held"
    )


@pytest.mark.skipif(not getattr(sys, "_is_gil_enabled", lambda: True)(), reason="no GIL to keep")
def test_short_calls_keep_the_gil():
    # The other side of the rule: a call too short for a thread switch to pay does not
    # release the GIL (releasing and retaking it would cost more than the call).
    assert not other_thread_ran_during(lambda: [lucas.fibonacci(1000, mod=M61) for _ in range(100)], attempts=3)


def test_threads_share_an_iterator_while_another_thread_computes(tiny_switch_interval):
    # The computing thread releases the GIL for long stretches and takes it back now and
    # then (to check for signals): the iterator's users run in between and get each
    # element exactly once.
    threads, per_thread = 6, 400
    it = LucasIter([1, 1], [1, 2])  # strictly increasing exact ints, past 2**64
    expected = model_seq([1, 1], [1, 2], threads * per_thread)
    results = [[] for _ in range(threads)]
    errors, done = [], threading.Event()
    computed = [0]

    def compute():
        try:
            while not done.is_set():
                lucas.fibonacci(3 * 10**5)
                lucas.is_strong_bpsw_prp(2**1279 - 1)
                computed[0] += 1
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def take(out):
        try:
            for _ in range(per_thread):
                out.append(next(it))
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    worker = threading.Thread(target=compute)
    worker.start()
    try:
        run_threads([lambda out=out: take(out) for out in results])
    finally:
        done.set()
        worker.join(120)
    assert errors == []
    assert Counter(x for r in results for x in r) == Counter(expected)
    for r in results:
        assert r == sorted(r)


def test_next_and_state_while_another_thread_advances(tiny_switch_interval):
    # x_n = n mod M (x_{n+2} = 2·x_{n+1} − x_n from (0, 1)), so a value names its position,
    # and advance(JUMP) with JUMP ≡ SKIP (mod M) moves it SKIP positions on. JUMP is long
    # enough (a million bits) that the jump runs with the GIL released while other threads
    # call next() and read the state: they wait for it instead of failing with
    # "LucasIter is already running", and the jump acts at one instant.
    skip, advances, takers, per_taker = 1000, 5, 4, 300
    jump = M61 * 2 ** (10**6) + skip
    it = LucasIter([-1, 2], [0, 1], mod=M61)
    taken = [[] for _ in range(takers)]
    states, errors = [], []

    def advance():
        try:
            for _ in range(advances):
                it.advance(jump)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    def take(out):
        try:
            for _ in range(per_taker):
                out.append(next(it))
                states.append(it.state)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    run_threads([advance] + [lambda out=out: take(out) for out in taken])
    assert errors == []
    end = takers * per_taker + advances * skip
    values = [x for out in taken for x in out]
    assert len(set(values)) == len(values)  # each element once
    for out in taken:
        assert out == sorted(out)  # each thread sees the sequence move forwards
    assert all(s[1] == (s[0] + 1) % M61 for s in states)  # every snapshot consistent
    skipped = sorted(set(range(end)) - set(values))
    # What was not returned is exactly the advances' blocks of SKIP consecutive positions.
    assert len(skipped) == advances * skip
    runs, start = [], skipped[0]
    for a, b in zip(skipped, skipped[1:] + [None]):
        if b != a + 1:
            runs.append(a + 1 - start)
            start = b
    assert all(r % skip == 0 for r in runs)
    assert next(it) == end


# ---------------------------------------------------------------------------
# Ctrl-C
# ---------------------------------------------------------------------------

# The SIGINT comes from the parent process, like a terminal's Ctrl-C.
#
# A child started with SIGINT ignored (the suite run with `nohup` or `&` from a script)
# inherits that, and Python then installs no handler: the child restores it first. Where
# the KeyboardInterrupt came from is read from a profile hook, not from a clock: a
# "c_exception" event of the lucas function means lucas itself raised it; a lucas that
# never checked for signals would return first and be interrupted afterwards, in Python
# code (reported as "c_return" or "outside-lucas").
CHILD = textwrap.dedent(
    """
    import signal, sys, time
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.path.insert(0, {root!r})
    import lucas
    events = []
    def profile(frame, event, arg):
        if getattr(arg, "__module__", None) == "lucas":
            if event == "c_call":
                print("ready", flush=True)
            else:
                events.append(event)
    if {measure}:
        start = time.perf_counter()
        {expr}
        print("took", time.perf_counter() - start, flush=True)
        sys.exit(0)
    sys.setprofile(profile)
    try:
        {expr}
    except KeyboardInterrupt:
        sys.setprofile(None)
        print("interrupted", events[-1] if events else "outside-lucas", flush=True)
        sys.exit(0)
    sys.setprofile(None)
    print("completed", flush=True)
    sys.exit(1)
    """
)

ROOT = os.path.dirname(os.path.abspath(lucas.__file__))


def _child(expr, measure=False):
    code = CHILD.format(root=ROOT, expr=expr, measure=measure)
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)


def interrupt_after(expr, delay):
    """Runs `expr` in a child, sends it SIGINT `delay` seconds after lucas was entered, and
    returns the child's report."""
    proc = _child(expr)
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=600)  # only a hang guard
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, out


# Sizes that take seconds, so the interrupt always lands first.
@pytest.mark.parametrize(
    "expr",
    [
        "lucas.fibonacci(3 * 10**8)",
        "lucas.lucas_u(10**8, 3, -5)",
        "lucas.nth_term([1, 1, 1], [0, 0, 1], 2 * 10**8)",
        "lucas.fibonacci(2**(10**8) + 1, mod=2**61 - 1)",
        "lucas.is_strong_bpsw_prp(2**44497 - 1)",
    ],
)
def test_ctrl_c_interrupts_long_computation(expr):
    returncode, out = interrupt_after(expr, 0.3)
    assert returncode == 0, f"the computation finished before the signal came: {out}"
    assert out.split() == ["interrupted", "c_exception"], out


# The last steps of an exact n-th term are a few products of the largest numbers (the very
# last one about a third of the whole call): the interrupt is sent at 85% of an
# uninterrupted run timed just before, in the last product, which lucas splits into pieces
# and checks for signals between them. On a machine that got faster in between, the call
# may end first: the delay then shrinks, and the test still requires that lucas raised
# the interrupt itself.
@pytest.mark.slow
@pytest.mark.parametrize("expr", ["lucas.fibonacci(10**8)", "lucas.lucas_v(4 * 10**7, 3, -5)"])
def test_ctrl_c_interrupts_the_largest_product(expr):
    proc = _child(expr, measure=True)
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, out
    took = float(out.split()[-1])
    # A loaded machine can shift the signal out of the call (it ends first, or the signal
    # lands before lucas is entered): each attempt that did not interrupt lucas itself is
    # repeated earlier; a lucas that never checks for signals fails all three.
    for fraction in (0.85, 0.6, 0.4):
        returncode, out = interrupt_after(expr, fraction * took)
        if returncode == 0 and out.split() == ["interrupted", "c_exception"]:
            break
    assert returncode == 0, f"the computation finished before the signal came: {out}"
    assert out.split() == ["interrupted", "c_exception"], out


# Setting up a large modulus (its Montgomery constants: a division and an inverse of its
# size) and the quadratic steps of the probable-prime tests (the square root that rules out
# a square) check for signals too. Each call below is one of those steps almost entirely:
# n = 0 needs no ladder, and the square root of a square runs to the end. Repeated until
# the signal comes, so that it lands in one of them; a lucas that did not check there would
# return, and the interrupt would come in Python code. The signal may still land between
# two checks near the end of a call, past the last one: each attempt that did not end in
# lucas is repeated, and a lucas that never checks there fails all five.
SETUP_CALLS = {
    "lucas_u odd mod": "lucas.lucas_u(0, 3, -5, mod=M)",
    "fibonacci even mod": "lucas.fibonacci(0, mod=M << 1000)",
    "nth_term": "lucas.nth_term([1, 1, 1], [0, 0, 1], 0, mod=M)",
    "is_strong_selfridge_prp of a square": "lucas.is_strong_selfridge_prp(M)",
}


@pytest.mark.parametrize("name", sorted(SETUP_CALLS))
def test_ctrl_c_interrupts_the_setup_of_a_large_modulus(name):
    # M = 3**330000: odd, 523,000 bits (Montgomery form on vectors, REDC by products).
    expr = f"[{SETUP_CALLS[name]} for M in [3**330_000] for _ in range(10**6)]"
    # Every call entered prints "ready"; the report is the last line. The calls repeat with
    # a period, so one delay would land at the same point of a call every time (for
    # instance in its argument conversion, which does not check): each attempt shifts it.
    for delay in (0.5, 0.53, 0.57, 0.62, 0.68):
        returncode, out = interrupt_after(expr, delay)
        if returncode == 0 and out.split()[-2:] == ["interrupted", "c_exception"]:
            break
    assert returncode == 0, f"the calls finished before the signal came: {out[-200:]}"
    assert out.split()[-2:] == ["interrupted", "c_exception"], out[-200:]


# The bound holds up to a size; beyond it, mod and the n of the probable-prime tests are
# refused at once, naming the argument (OverflowError, like a result over its limit).
LIMIT_BITS = 2**19


@pytest.mark.parametrize(
    "call",
    [
        lambda m: lucas.fibonacci(10, mod=m),
        lambda m: lucas.lucas_uv(10, 3, -5, mod=m),
        lambda m: lucas.nth_term([1, 1], [0, 1], 10, mod=m),
        lambda m: LucasIter([1, 1], [0, 1], mod=m),
    ],
)
def test_moduli_beyond_the_limit_are_refused(call):
    at_limit = 2**LIMIT_BITS - 1  # LIMIT_BITS bits: accepted
    assert call(at_limit) is not None
    with pytest.raises(OverflowError, match=r"argument 'mod' has 524289 bits, more than the limit of 2\*\*19"):
        call(2**LIMIT_BITS)
    with pytest.raises(OverflowError, match="'mod'"):
        call(3**331_000)  # odd, 524,623 bits


@pytest.mark.parametrize(
    "call",
    [
        lambda n: lucas.is_strong_prp(n, 2),
        lambda n: lucas.is_lucas_prp(n, 3, -5),
        lambda n: lucas.is_strong_lucas_prp(n, 3, -5),
        lambda n: lucas.is_extra_strong_lucas_prp(n, 3),
        lambda n: lucas.is_selfridge_prp(n),
        lambda n: lucas.is_strong_selfridge_prp(n),
        lambda n: lucas.is_bpsw_prp(n),
        lambda n: lucas.is_strong_bpsw_prp(n),
    ],
    ids=lambda call: call.__code__.co_names[-1],
)
def test_probable_prime_n_beyond_the_limit_is_refused(call):
    name = call.__code__.co_names[-1]  # the function the lambda calls
    message = rf"^{name}\(\) argument 'n' has 524289 bits, more than the limit of 2\*\*19$"
    with pytest.raises(OverflowError, match=message):
        call(2**LIMIT_BITS + 1)
    # An even or negative n is answered without any arithmetic, whatever its size.
    assert call(2**LIMIT_BITS + 2) is False
    assert call(-(2**LIMIT_BITS) - 1) is False
