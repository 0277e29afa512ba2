"""Runs the API fuzzer (tests/fuzz_api.py) in a child process.

A crash of the extension (segfault, abort) kills only the child and fails this test
instead of the pytest process; a hang is ended by the fuzzer's own faulthandler
watchdog or, failing that, by the timeout here. The child prints its random seed
first, so a failure is reproducible with ``python tests/fuzz_api.py --seed S``.
"""

import os
import re
import signal
import subprocess
import sys

TESTS = os.path.dirname(os.path.abspath(__file__))
FUZZER = os.path.join(TESTS, "fuzz_api.py")
SECONDS = 20


def test_fuzz_api_finds_no_oracle_violation():
    proc = subprocess.run(
        [sys.executable, FUZZER, "--seconds", str(SECONDS)],
        cwd=os.path.dirname(TESTS),
        capture_output=True,
        text=True,
        timeout=SECONDS + 150,  # the fuzzer's own watchdog fires after 120 s in one batch
    )
    output = proc.stdout + proc.stderr
    tail = output[-12000:]
    assert proc.returncode >= 0, (
        f"fuzzer killed by signal {signal.Signals(-proc.returncode).name}:\n{tail}"
    )
    assert proc.returncode == 0, f"fuzzer exit status {proc.returncode}:\n{tail}"
    seed = re.search(r"^fuzz: seed (\d+)", proc.stdout, re.M)
    assert seed, f"no seed line:\n{tail}"
    done = re.search(r"^fuzz: (\d+) cases in ([0-9.]+) s$", proc.stdout, re.M)
    assert done, f"no summary line:\n{tail}"
    cases, elapsed = int(done.group(1)), float(done.group(2))
    assert cases > 500, f"only {cases} cases in {elapsed} s (seed {seed.group(1)}):\n{tail}"
    assert elapsed >= SECONDS * 0.9, f"stopped early after {elapsed} s:\n{tail}"
