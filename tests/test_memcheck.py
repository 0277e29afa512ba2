"""Memory and reference-count checks of lucas, and proof that each check can fail.

* valgrind memcheck over the whole workload (tests/memcheck/valgrind_check.py) on the
  normal module: no definite/indirect leak and no memory error in a lucas frame;
* the debug interpreter's reference and block totals (tests/memcheck/refleak.py, regrtest
  -R 3:3 style) on a debug-ABI build: every delta after warm-up is 0;
* the same checks on `--features selftest` builds, which leak on purpose, must report the
  leak (otherwise a check that can never fail would pass silently);
* the panic guard: a Rust panic becomes a SystemError, with no panic noise on stderr.

The builds the checks need (build/selftest, build/debug, build/debug-selftest) are made here
by session fixtures; the in-place normal build is expected to exist already (`make build`).
Without valgrind or python3.X-dbg (the debug build of the version under test) the checks are skipped locally, but fail when CI=true.
Takes about 2 minutes on a 2-core machine (mostly the two valgrind runs).
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap

import pytest

# Builds three extra modules and runs valgrind: part of `make test`, not of `make check`.
pytestmark = [pytest.mark.slow, pytest.mark.source_tree]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEMCHECK = os.path.join(ROOT, "tests", "memcheck")
VALGRIND_CHECK = os.path.join(MEMCHECK, "valgrind_check.py")
REFLEAK = os.path.join(MEMCHECK, "refleak.py")
# Debian's debug build of the interpreter running the tests (python3.13-dbg under 3.13...):
# the refleak check must measure the version under test. LUCAS_DEBUG_PYTHON overrides it
# (the Makefile passes its DBG_PYTHON).
DEBUG_PYTHON = os.environ.get("LUCAS_DEBUG_PYTHON") or "python%d.%d-dbg" % sys.version_info[:2]
# The --expect-leak valgrind run only has to show that the deliberate leak is found; a few
# workload rounds around it are enough (the full default is for the real check).
EXPECT_LEAK_ROUNDS = 3


from conftest import on_ci  # noqa: E402


def missing(msg: str):
    """Skip locally; on CI (CI=true) a missing prerequisite is a failure, not a skip."""
    if on_ci():
        pytest.fail(f"{msg}. CI is set, so this is an error, not a skip.", pytrace=False)
    pytest.skip(msg)


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        missing(f"{name} is not installed; the memory checks need it (Debian/Ubuntu: apt-get install {name})")
    return path


def run(cmd, timeout, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)


def report(proc) -> str:
    return f"exit status {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr[-8000:]}"


def build(python: str, build_lib: str, selftest: bool) -> str:
    """`python setup.py build_ext --build-lib build/<name>` (cargo is incremental)."""
    env = dict(os.environ)
    env.pop("LUCAS_CARGO_FEATURES", None)
    if selftest:
        env["LUCAS_CARGO_FEATURES"] = "selftest"
    out = os.path.join(ROOT, "build", build_lib)
    proc = run([python, "setup.py", "-q", "build_ext", "--build-lib", out], timeout=900, cwd=ROOT, env=env)
    assert proc.returncode == 0, f"building {out} with {python} failed:\n{report(proc)}"
    return out


def debug_suffix(python: str) -> str:
    proc = run([python, "-c", "import importlib.machinery as m; print(m.EXTENSION_SUFFIXES[0])"], timeout=60)
    assert proc.returncode == 0, report(proc)
    return proc.stdout.strip()


@pytest.fixture(scope="session")
def normal_dir():
    so = os.path.join(ROOT, "lucas" + sysconfig.get_config_var("EXT_SUFFIX"))
    assert os.path.isfile(so), f"{so} is missing: build it first (`make build` or setup.py build_ext --inplace)"
    return ROOT


@pytest.fixture(scope="session")
def selftest_dir():
    return build(sys.executable, "selftest", selftest=True)


@pytest.fixture(scope="session")
def valgrind():
    return require_tool("valgrind")


@pytest.fixture(scope="session")
def debug_python():
    python = require_tool(DEBUG_PYTHON)
    if run([python, "-c", "import setuptools"], timeout=60).returncode != 0:
        missing(f"{python} has no setuptools to build the debug module with (apt-get install python3-setuptools)")
    return python


@pytest.fixture(scope="session")
def debug_dir(debug_python):
    out = build(debug_python, "debug", selftest=False)
    assert os.path.isfile(os.path.join(out, "lucas" + debug_suffix(debug_python)))
    return out


@pytest.fixture(scope="session")
def debug_selftest_dir(debug_python):
    return build(debug_python, "debug-selftest", selftest=True)


# ---------------------------------------------------------------------------
# valgrind
# ---------------------------------------------------------------------------


def test_valgrind_normal_module_is_clean(valgrind, normal_dir):
    proc = run([sys.executable, VALGRIND_CHECK, "--module-dir", normal_dir], timeout=900)
    print(proc.stdout)
    assert proc.returncode == 0, report(proc)
    assert "PASS" in proc.stdout
    assert "0 bytes definitely lost, 0 bytes indirectly lost" in proc.stdout


def test_valgrind_detects_the_deliberate_leak(valgrind, selftest_dir):
    proc = run(
        [
            sys.executable,
            VALGRIND_CHECK,
            "--module-dir",
            selftest_dir,
            "--expect-leak",
            "--rounds",
            str(EXPECT_LEAK_ROUNDS),
        ],
        timeout=900,
    )
    print(proc.stdout)
    assert proc.returncode == 0, (
        "valgrind did not see lucas._selftest_leak_memory()'s 4 KiB leak: either the check is "
        f"broken or the selftest no longer leaks (an optimiser may elide an unused allocation)\n{report(proc)}"
    )
    assert "selftest_leak_memory" in proc.stdout


def test_valgrind_check_refuses_a_script_interpreter(valgrind, tmp_path, normal_dir):
    shim = tmp_path / "python3"
    shim.write_text('#!/bin/sh\nexec python3 "$@"\n')
    shim.chmod(0o755)
    proc = run([sys.executable, VALGRIND_CHECK, "--module-dir", normal_dir, "--python", str(shim)], timeout=60)
    assert proc.returncode == 2, report(proc)
    assert "script" in proc.stderr and "not the interpreter binary" in proc.stderr


# ---------------------------------------------------------------------------
# debug interpreter: reference and block totals
# ---------------------------------------------------------------------------


def test_refleak_debug_module_is_clean(debug_python, debug_dir):
    proc = run([debug_python, REFLEAK, "--module-dir", debug_dir], timeout=600)
    print(proc.stdout)
    assert proc.returncode == 0, report(proc)
    assert "PASS" in proc.stdout


def test_refleak_detects_the_deliberate_leak(debug_python, debug_selftest_dir):
    proc = run([debug_python, REFLEAK, "--module-dir", debug_selftest_dir, "--expect-leak"], timeout=600)
    print(proc.stdout)
    assert proc.returncode == 0, report(proc)
    assert "deliberate reference leak was detected" in proc.stdout


def test_refleak_refuses_a_release_interpreter(normal_dir):
    proc = run([sys.executable, REFLEAK, "--module-dir", normal_dir], timeout=60)
    assert proc.returncode == 2, report(proc)
    assert "not a debug build" in proc.stderr


def test_refleak_refuses_a_release_module(tmp_path, debug_python, selftest_dir):
    # A release-built module under its own suffix, which the debug interpreter would import...
    proc = run([debug_python, REFLEAK, "--module-dir", selftest_dir], timeout=60)
    assert proc.returncode == 2, report(proc)
    assert "does not end with this interpreter's own extension suffix" in proc.stderr
    # ...and renamed to the debug suffix.
    release_so = os.path.join(selftest_dir, "lucas" + sysconfig.get_config_var("EXT_SUFFIX"))
    shutil.copyfile(release_so, tmp_path / ("lucas" + debug_suffix(debug_python)))
    proc = run([debug_python, REFLEAK, "--module-dir", str(tmp_path)], timeout=60)
    assert proc.returncode == 2, report(proc)
    assert "release build" in proc.stderr


# ---------------------------------------------------------------------------
# panic guard
# ---------------------------------------------------------------------------

PANIC_SCRIPT = textwrap.dedent(
    """
    import os, sys
    import lucas
    expected_dir = sys.argv[1]
    assert os.path.dirname(os.path.realpath(lucas.__file__)) == os.path.realpath(expected_dir), lucas.__file__
    for _ in range(3):
        try:
            lucas._selftest_panic()
        except SystemError as e:
            print("SystemError:", e)
        else:
            raise AssertionError("no exception")
    assert lucas.fibonacci(10) == 55  # still usable after the caught panics
    """
)


def check_panic_guard(python: str, module_dir: str, tmp_path):
    env = dict(os.environ, PYTHONPATH=module_dir, RUST_BACKTRACE="full")
    env.pop("PYTHONSAFEPATH", None)
    proc = run([python, "-c", PANIC_SCRIPT, module_dir], timeout=120, cwd=str(tmp_path), env=env)
    assert proc.returncode == 0, report(proc)
    lines = proc.stdout.splitlines()
    assert len(lines) == 3 and all(line.startswith("SystemError:") for line in lines), report(proc)
    assert all("selftest panic" in line for line in lines), report(proc)
    assert all("Rust panic in lucas" in line for line in lines), report(proc)
    for noise in ("panicked at", "stack backtrace", "RUST_BACKTRACE", "thread '"):
        assert noise not in proc.stderr, report(proc)
    assert proc.stderr.strip() == "", report(proc)


def test_panic_becomes_system_error_without_noise(selftest_dir, tmp_path):
    check_panic_guard(sys.executable, selftest_dir, tmp_path)


def test_panic_guard_under_the_debug_interpreter(debug_python, debug_selftest_dir, tmp_path):
    check_panic_guard(debug_python, debug_selftest_dir, tmp_path)
