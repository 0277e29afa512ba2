"""The source distribution is complete, and what it installs works.

* Every file of the repository (``git ls-files``) is in the sdist, so that an unpacked
  sdist builds, lints (rustfmt.toml), and runs ``make demo`` and the whole ``make test``
  like a clone does. Run from an unpacked sdist (no git), the reference is the tree itself.
* ``pip install`` of that sdist (no network: --no-build-isolation, the venv's setuptools)
  builds the extension from scratch; the installed module imports from the install
  location, computes, ships its stubs as ``lucas-stubs`` and carries no DWARF debug info
  but keeps its symbol table (Cargo.toml, [profile.release]).
"""

import os
import shutil
import subprocess
import sys
import tarfile
import textwrap

import pytest
from conftest import on_ci

pytestmark = pytest.mark.source_tree

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "memcheck"))
import elfinfo  # noqa: E402

# Build artefacts and caches of a working tree, never part of the sdist.
NOT_SOURCE_DIRS = {
    ".git",
    ".venv",
    "target",
    "build",
    "dist",
    "__pycache__",
    ".hypothesis",
    ".mypy_cache",
    ".pytest_cache",
}
NOT_SOURCE_SUFFIXES = (".so", ".so.tmp", ".pyc", ".egg-info")


def repository_files():
    """Paths (relative, with "/") of the files the sdist must hold."""
    if os.path.exists(os.path.join(ROOT, ".git")):
        git = shutil.which("git")
        if git is None:
            if on_ci():
                pytest.fail("git is missing: it lists the files the sdist must hold", pytrace=False)
            pytest.skip("git is not installed: cannot list the repository's files")
        out = subprocess.run([git, "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
        return {p for p in out.stdout.decode().split("\0") if p}
    files = set()
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in NOT_SOURCE_DIRS and not d.endswith(NOT_SOURCE_SUFFIXES)]
        rel = os.path.relpath(dirpath, ROOT)
        for name in filenames:
            if name.endswith(NOT_SOURCE_SUFFIXES) or (rel == "." and name in ("PKG-INFO", "setup.cfg")):
                continue
            files.add(name if rel == "." else f"{rel}/{name}".replace(os.sep, "/"))
    return files


@pytest.fixture(scope="session")
def sdist(tmp_path_factory):
    out = tmp_path_factory.mktemp("sdist")
    # setup.py sdist is what `python -m build --sdist` runs inside its isolated environment;
    # called directly it needs no network. Its egg-info goes to a temporary directory.
    egg = tmp_path_factory.mktemp("egg-info")
    proc = subprocess.run(
        [sys.executable, "setup.py", "-q", "egg_info", "--egg-base", str(egg), "sdist", "--dist-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # MANIFEST.in and setup.py are warning-free: a warning here is a file-list mistake.
    warnings = [ln for ln in (proc.stdout + proc.stderr).splitlines() if "warn" in ln.lower()]
    assert not warnings, "\n".join(warnings)
    (path,) = out.glob("*.tar.gz")
    return path


def test_sdist_holds_every_repository_file(sdist):
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
    top = names[0].split("/")[0]
    shipped = {n.split("/", 1)[1] for n in names if "/" in n}
    missing = sorted(repository_files() - shipped)
    assert not missing, f"{sdist.name} lacks {missing}: add them to MANIFEST.in"
    assert not [n for n in shipped if n.endswith((".so", ".pyc"))], "build artefacts in the sdist"
    assert top.startswith("lucas_recurrences-") or top.startswith("lucas-recurrences-"), top


@pytest.mark.slow
def test_pip_install_of_the_sdist_works(sdist, tmp_path):
    target = tmp_path / "site"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-build-isolation",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            str(sdist),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-6000:]
    # A fresh interpreter, away from the repository (whose in-place build must not be found).
    code = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, sys.argv[1])
        import lucas
        print(lucas.__file__)
        a, b = 0, 1
        for _ in range(300):
            a, b = b, a + b
        assert lucas.fibonacci(300) == a, lucas.fibonacci(300)
        """
    )
    run = subprocess.run(
        [sys.executable, "-I", "-c", code, str(target)], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr
    so = run.stdout.strip()
    assert os.path.dirname(so) == str(target), so
    with open(os.path.join(ROOT, "lucas.pyi"), encoding="utf-8") as f:
        assert (target / "lucas-stubs" / "__init__.pyi").read_text(encoding="utf-8") == f.read()
    elf = elfinfo.read(so)
    assert not [s for s in elf.sections if s.startswith((".debug_", ".zdebug_"))], sorted(elf.sections)
    assert elf.symtab, "the symbol table was stripped too"
