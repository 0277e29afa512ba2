"""Build the `lucas` extension module with cargo, driven by setuptools.

`python setup.py build_ext --inplace`, `pip install .` and `pip wheel .` all come here.
setuptools knows how to compile C, not Rust, so `build_ext` is replaced by a command that
runs `cargo build --release` for *this* interpreter and copies the cdylib to the path
setuptools expects for the extension `lucas` (e.g. lucas.cpython-311-x86_64-linux-gnu.so).
"""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import setuptools
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

try:
    from setuptools.errors import ExecError
except ImportError:  # setuptools < 59
    from distutils.errors import DistutilsExecError as ExecError

ROOT = Path(__file__).resolve().parent


def cargo_version():
    """The package version, single-sourced from Cargo.toml's [package] table."""
    text = (ROOT / "Cargo.toml").read_text(encoding="utf-8")
    package = text.split("[package]", 1)[1].split("\n[", 1)[0]
    return re.search(r'^version\s*=\s*"([^"]+)"', package, re.M).group(1)


class CargoExtension(Extension):
    """An extension whose sources cargo compiles (setuptools sees no C sources)."""

    def __init__(self, name):
        super().__init__(name, sources=[])


class build_cargo_ext(build_ext):
    """`build_ext` that builds each CargoExtension with `cargo build --release`."""

    def run(self):
        super().run()
        if not self.inplace:
            # Ship lucas.pyi as the stub-only package `lucas-stubs` (PEP 561): that is how
            # type checkers find stubs for an installed module that is not a package.
            stubs = Path(self.build_lib) / "lucas-stubs"
            stubs.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / "lucas.pyi", stubs / "__init__.pyi")

    def build_extension(self, ext):
        if not isinstance(ext, CargoExtension):
            return super().build_extension(ext)
        # One target dir per interpreter ABI ("cpython-311-x86_64-linux-gnu",
        # "cpython-311d-..." for the debug build): the build depends on PYO3_PYTHON, and
        # cargo rebuilds everything whenever a PYO3_* variable changes, so sharing one
        # directory between interpreters would rebuild on every switch.
        abi = sysconfig.get_config_var("SOABI") or "py%d%d" % sys.version_info[:2]
        features = os.environ.get("LUCAS_CARGO_FEATURES", "")
        # Features change the build too: keep such builds (the leak/panic self-tests) apart.
        target_dir = ROOT / "target" / ("py-" + abi + ("-" + features.replace(",", "-") if features else ""))
        # ANCHOR: cargo_env
        env = dict(
            os.environ,
            PYO3_PYTHON=sys.executable,
            # Do not link libpython: the importing interpreter provides its symbols.
            # (pyo3 0.30 reads this variable; the old `extension-module` feature is
            # deprecated and would also break `cargo test`, which must link libpython.)
            PYO3_BUILD_EXTENSION_MODULE="1",
            CARGO_TARGET_DIR=str(target_dir),
            # Align every function to 64 bytes: otherwise two entry points with identical
            # instruction counts can differ in wall time by where the linker placed them
            # (bench/NOTES.md). `--cap-lints=warn`: a user's build must not fail because a
            # newer compiler has a new lint; `make lint` still denies every warning.
            RUSTFLAGS=(
                os.environ.get("RUSTFLAGS", "") + " -C llvm-args=-align-all-functions=6 --cap-lints=warn"
            ).strip(),
        )
        # ANCHOR_END: cargo_env
        cargo = shutil.which("cargo", path=env.get("PATH"))
        if cargo is None:
            # setuptools prints an ExecError as one "error: ..." line, with no traceback.
            raise ExecError(
                "cargo not found: building lucas needs a Rust toolchain "
                "(https://rustup.rs, or your distribution's cargo package), then retry"
            )
        # -p: the extension's package, also when the manifest heads a workspace.
        cmd = [cargo, "build", "--release", "--lib", "-p", "lucas", "--manifest-path", str(ROOT / "Cargo.toml")]
        if features:
            cmd += ["--features", features]
        if subprocess.run(cmd, env=env).returncode != 0:
            raise ExecError("cargo build failed (its messages are above)")

        if sys.platform == "win32":
            built = target_dir / "release" / "lucas.dll"
        elif sys.platform == "darwin":
            built = target_dir / "release" / "liblucas.dylib"
        else:
            built = target_dir / "release" / "liblucas.so"
        dest = Path(self.get_ext_fullpath(ext.name))
        dest.parent.mkdir(parents=True, exist_ok=True)
        # Copy, then rename over the old file: a process that has the old module loaded
        # keeps its mapping intact instead of seeing the file rewritten under it.
        tmp = dest.with_name(dest.name + ".tmp")
        shutil.copyfile(built, tmp)
        os.replace(tmp, dest)


def long_description():
    """What PyPI shows: the README's opening (what lucas is) and its Use section.

    The README's build and test sections are for people working on lucas, not for someone
    reading the package page; if a heading is renamed, the page just gets shorter.
    """
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    parts = re.split(r"^(?=## )", text, flags=re.M)
    keep = [parts[0]] + [p for p in parts[1:] if p.startswith("## Use\n")]
    install = (
        "## Installing\n\n"
        "`pip install lucas-recurrences`, then `import lucas`. Building from the source\n"
        "distribution needs a Rust toolchain (cargo). The full reference is `docs/api.md` and\n"
        "the book `docs/article.md` (with docs/extension/ and docs/algorithms/), all in the\n"
        "source distribution.\n"
    )
    # Relative links point into the repository, which PyPI does not show: name the path.
    text = re.sub(r"\[([^\]]+)\]\((?![a-z]+:)([^)]+)\)", r"`\2`", "".join(keep))
    return text.rstrip() + "\n\n" + install


# The CPython versions lucas supports (README, "Supported Python versions": how each is
# tested); python_requires below must agree with the first.
PYTHON_VERSIONS = ["3.11", "3.12", "3.13", "3.14", "3.15"]

CLASSIFIERS = [
    "Development Status :: 3 - Alpha",
    "Intended Audience :: Developers",
    "Intended Audience :: Education",
    "Intended Audience :: Science/Research",
    "Operating System :: POSIX :: Linux",
    "Programming Language :: Python :: 3",
    "Programming Language :: Python :: 3 :: Only",
    *(f"Programming Language :: Python :: {v}" for v in PYTHON_VERSIONS),
    "Programming Language :: Python :: Implementation :: CPython",
    "Programming Language :: Rust",
    "Topic :: Scientific/Engineering :: Mathematics",
    "Topic :: Education",
    "Topic :: Software Development :: Libraries :: Python Modules",
    "Typing :: Typed",
]

# setuptools 77 implements PEP 639 (an SPDX expression replaces the license classifier,
# which it deprecates); older ones, e.g. Debian's for python3.11-dbg, take the classifier.
if int(setuptools.__version__.split(".")[0]) >= 77:
    LICENSE = {"license_expression": "MIT"}
else:
    LICENSE = {"license": "MIT", "classifiers": ["License :: OSI Approved :: MIT License"]}

setup(
    name="lucas-recurrences",
    version=cargo_version(),
    description="Lucas sequences and linear recurrences for Python: a raw C-API extension in Rust",
    long_description=long_description(),
    long_description_content_type="text/markdown",
    classifiers=sorted(CLASSIFIERS + LICENSE.pop("classifiers", [])),
    **LICENSE,
    keywords=[
        "lucas sequence",
        "fibonacci",
        "linear recurrence",
        "number theory",
        "probable prime",
        "big integers",
        "C API",
        "rust",
        "extension module",
    ],
    # No project_urls: the repository has no public address yet; the reference
    # (docs/api.md) and the book (docs/article.md and its chapters) ship in the sdist.
    python_requires=">=3.11",
    ext_modules=[CargoExtension("lucas")],
    cmdclass={"build_ext": build_cargo_ext},
    zip_safe=False,
)
