"""Runs the API fuzzer (tests/fuzz_api.py) in a child process.

A crash of the extension (segfault, abort) kills only the child and fails this test
instead of the pytest process; a hang is ended by the fuzzer's own faulthandler
watchdog or, failing that, by the timeout here.

The fuzzer runs a fixed number of cases from a fixed seed, so the test does the same work
on a fast machine and on a loaded one, and a failure replays exactly with the command it
prints. The count is larger under CI (see conftest.on_ci); LUCAS_FUZZ_CASES and
LUCAS_FUZZ_SEED override count and seed, e.g. to explore other seeds locally.
"""

import os
import re
import signal
import subprocess
import sys

import pytest
from conftest import on_ci

TESTS = os.path.dirname(os.path.abspath(__file__))
FUZZER = os.path.join(TESTS, "fuzz_api.py")
SEED = int(os.environ.get("LUCAS_FUZZ_SEED", "20261203"))
CASES = int(os.environ.get("LUCAS_FUZZ_CASES", "2000" if on_ci() else "600"))
# Only a guard against a hang that the fuzzer's own watchdog (120 s per batch) misses:
# far above what the cases take on any machine that can run the suite at all.
HANG_GUARD_S = 600 + CASES


@pytest.mark.slow
def test_fuzz_api_finds_no_oracle_violation():
    proc = subprocess.run(
        [sys.executable, FUZZER, "--cases", str(CASES), "--seed", str(SEED)],
        cwd=os.path.dirname(TESTS),
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
    )
    output = proc.stdout + proc.stderr
    tail = output[-12000:]
    assert proc.returncode >= 0, f"fuzzer killed by signal {signal.Signals(-proc.returncode).name}:\n{tail}"
    assert proc.returncode == 0, f"fuzzer exit status {proc.returncode}:\n{tail}"
    assert re.search(rf"^fuzz: seed {SEED} ", proc.stdout, re.M), f"no seed line:\n{tail}"
    done = re.search(r"^fuzz: (\d+) examples, (\d+) cases in (\d+) batches$", proc.stdout, re.M)
    assert done, f"no summary line:\n{tail}"
    examples, cases = int(done.group(1)), int(done.group(2))
    # Every example asked for ran (hypothesis may add a few it discarded as overruns).
    assert examples == CASES, tail
    assert cases >= CASES, f"only {cases} of {CASES} cases ran:\n{tail}"
