import os
import sys

# Make the in-place built extension (``python setup.py build_ext --inplace``
# puts lucas<EXT_SUFFIX> in the repository root) and the tests/ helpers
# importable regardless of how pytest was invoked.
_TESTS = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_TESTS)
if sys.path[:1] != [_ROOT]:
    sys.path.insert(0, _ROOT)
if _TESTS not in sys.path:
    sys.path.insert(1, _TESTS)


def on_ci():
    """True when the CI variable is set to anything but an explicit no."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


import pytest  # noqa: E402


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI nothing may be skipped: a skip there would count as a pass for a check that
    never ran. Locally a skip stays a skip, with its reason."""
    outcome = yield
    report = outcome.get_result()
    if on_ci() and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, which counts as a failure: {report.longrepr}"


@pytest.fixture
def tiny_switch_interval():
    """Thread switches every microsecond (sys.setswitchinterval), so that threads sharing
    one iterator interleave as often as the interpreter allows; restored afterwards."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)
