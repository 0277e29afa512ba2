import os
import shutil
import sys
import sysconfig

# The suite runs in one of two modes.
# * From the source tree (make check, make test): against the in-place build
#   (``python setup.py build_ext --inplace`` puts lucas<EXT_SUFFIX> in the repository root).
# * Against an installed wheel (LUCAS_TEST_INSTALLED=1, set by .ci/wheels.py): the root is
#   not put on sys.path, the module must come from the venv's site-packages, and the tests
#   marked ``source_tree`` skip, saying so.
# The tests/ helpers are importable in both, however pytest was invoked.
_TESTS = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_TESTS)
INSTALLED = os.environ.get("LUCAS_TEST_INSTALLED", "").strip().lower() not in ("", "0", "false", "no")
if not INSTALLED and sys.path[:1] != [_ROOT]:
    sys.path.insert(0, _ROOT)
if _TESTS not in sys.path:
    sys.path.insert(1, _TESTS)


def on_ci():
    """True when the CI variable is set to anything but an explicit no."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def module_path():
    """The folders a child interpreter needs on PYTHONPATH to import the lucas under test:
    the repository root for the in-place build, none for an installed wheel."""
    return [] if INSTALLED else [_ROOT]


import pytest  # noqa: E402

SOURCE_TREE_SKIP = "needs the source tree (runs in `make test`), not the installed wheel under test"
INSTALLED_SKIP = "checks an installed wheel (`make wheel-test`), not the in-place build"


def pytest_configure(config):
    if not INSTALLED:
        return
    # Nothing runs against the wrong module: the in-place build, or a source build found
    # some other way, would make every result below meaningless.
    import lucas

    where = os.path.realpath(lucas.__file__)
    site = {os.path.realpath(sysconfig.get_paths()[k]) for k in ("purelib", "platlib")}
    if os.path.dirname(where) not in site:
        pytest.exit(f"LUCAS_TEST_INSTALLED is set but lucas comes from {where}, not from {sorted(site)}", 3)
    # The wheel needs no Rust toolchain; one on PATH could hide a build from source.
    for tool in ("cargo", "rustc"):
        if shutil.which(tool):
            pytest.exit(f"LUCAS_TEST_INSTALLED is set but {tool} is on PATH ({shutil.which(tool)})", 3)


def pytest_report_header(config):
    import lucas

    mode = "installed wheel" if INSTALLED else "source tree (in-place build)"
    return f"lucas {lucas.__version__} under test: {mode}, {lucas.__file__}"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if INSTALLED and item.get_closest_marker("source_tree"):
            item.add_marker(pytest.mark.skip(reason=SOURCE_TREE_SKIP))
        elif not INSTALLED and item.get_closest_marker("installed_wheel"):
            item.add_marker(pytest.mark.skip(reason=INSTALLED_SKIP))


def _skipped_by_mode(item):
    return item.get_closest_marker("source_tree" if INSTALLED else "installed_wheel") is not None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI nothing may be skipped: a skip there would count as a pass for a check that
    never ran. Locally a skip stays a skip, with its reason. The one exception is the other
    mode's tests, skipped by design: the source-tree checks when a wheel is under test, the
    installed-wheel checks in the source tree (each mode runs in CI)."""
    outcome = yield
    report = outcome.get_result()
    if on_ci() and report.skipped and not hasattr(report, "wasxfail") and not _skipped_by_mode(item):
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
