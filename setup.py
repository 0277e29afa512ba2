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

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

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
            # Align every function to 64 bytes. Two entry points with identical instruction
            # counts (fibonacci and lucas, checked with callgrind) differed by 50% in wall
            # time depending on where the linker placed them; aligned, they do not.
            RUSTFLAGS=(os.environ.get("RUSTFLAGS", "") + " -C llvm-args=-align-all-functions=6").strip(),
        )
        # ANCHOR_END: cargo_env
        cmd = ["cargo", "build", "--release", "--lib", "--manifest-path", str(ROOT / "Cargo.toml")]
        if features:
            cmd += ["--features", features]
        subprocess.run(cmd, env=env, check=True)

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


setup(
    name="lucas-recurrences",
    version=cargo_version(),
    description="Lucas sequences and linear recurrences for Python: a raw C-API extension in Rust",
    long_description=(ROOT / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="MIT",
    python_requires=">=3.11",
    ext_modules=[CargoExtension("lucas")],
    cmdclass={"build_ext": build_cargo_ext},
    zip_safe=False,
)
