"""The installed wheel is what `make wheels` promises (README, "Install"): its module loads on
the glibc its platform tag names, carries no symbol table, matches the interpreter it was
installed into, and ships the stubs of this tree.

These tests run only against an installed wheel (`make wheel-test`, `make versions`; see
tests/conftest.py); in the source tree they skip, saying so. The other test files run there
too, against the installed module.
"""

import base64
import hashlib
import importlib.metadata
import os
import re
import sys
import sysconfig

import pytest

import lucas

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)
sys.path.insert(0, os.path.join(TESTS, "memcheck"))
import elfinfo  # noqa: E402

pytestmark = pytest.mark.installed_wheel

DIST = "lucas-recurrences"


def wheel_tags():
    """The Tag lines of the installed distribution's WHEEL file: [(python, abi, platform)]."""
    text = importlib.metadata.distribution(DIST).read_text("WHEEL")
    assert text, "the installed distribution has no WHEEL file: not installed from a wheel"
    return [tuple(line.split(":", 1)[1].strip().split("-")) for line in text.splitlines() if line.startswith("Tag:")]


def test_the_tag_is_this_interpreters():
    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    py = "cp%d%d" % sys.version_info[:2]
    assert [(t[0], t[1]) for t in wheel_tags()] == [(py, py + ("t" if free_threaded else ""))]


def test_the_module_needs_no_newer_glibc_than_its_tag_says():
    (platform,) = {t[2] for t in wheel_tags()}
    m = re.fullmatch(r"manylinux_(\d+)_(\d+)_x86_64", platform)
    assert m, f"not a PEP 600 manylinux tag: {platform}"
    floor = (int(m.group(1)), int(m.group(2)))
    needed = elfinfo.read(lucas.__file__).glibc_versions()
    # An empty list would mean the reader found no version needs at all: any Rust cdylib
    # needs some (GLIBC_2.2.5 is the x86_64 baseline).
    assert needed, "no GLIBC symbol version found in the module"
    assert needed[-1] <= floor, f"{lucas.__file__} needs GLIBC {needed[-1]}, above its tag {platform}"
    assert floor <= (2, 28), f"{platform}: the floor the wheels promise is at most manylinux_2_28"


def test_the_module_is_stripped():
    elf = elfinfo.read(lucas.__file__)
    assert not elf.symtab, "the shipped module keeps its symbol table"
    assert not [s for s in elf.sections if s.startswith((".debug_", ".zdebug_"))], sorted(elf.sections)
    # What the interpreter needs is still there: the dynamic symbol of the init function.
    assert "PyInit_lucas" in {s.name for s in elf.dynsym if s.defined}


def test_the_installed_files_match_the_record():
    dist = importlib.metadata.distribution(DIST)
    checked = 0
    for f in dist.files:
        if f.hash is None:
            continue
        data = f.read_binary()
        digest = base64.urlsafe_b64encode(hashlib.new(f.hash.mode, data).digest()).rstrip(b"=").decode()
        assert (digest, len(data)) == (f.hash.value, f.size), f
        checked += 1
    assert os.path.realpath(lucas.__file__) in {os.path.realpath(f.locate()) for f in dist.files}
    assert checked >= 3  # the module, the stubs, the metadata


def test_the_wheel_ships_this_trees_stubs():
    installed = os.path.join(os.path.dirname(lucas.__file__), "lucas-stubs", "__init__.pyi")
    with open(installed, encoding="utf-8") as a, open(os.path.join(ROOT, "lucas.pyi"), encoding="utf-8") as b:
        assert a.read() == b.read()


def test_the_metadata_is_this_trees():
    meta = importlib.metadata.metadata(DIST)
    assert meta["Version"] == lucas.__version__
    assert meta["Requires-Python"] == ">=3.11"
