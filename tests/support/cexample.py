"""Compiles the C examples under examples/ for the running interpreter and makes them importable.

    python tests/support/cexample.py        # builds them; prints the folder to put on sys.path

The examples are single C files built with the system C compiler against this interpreter's
own headers (``sysconfig``), warnings as errors, into ``target/examples/<EXT_SUFFIX tag>/``:
one folder per interpreter ABI, so a debug or another version's build never shadows this one.
A module is rebuilt when its source is newer than the library.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = ROOT / "examples"
# One C file per module: the file's stem is the module's name.
MODULES = {"heapcell": EXAMPLES / "heaptype" / "heapcell.c"}


def build_dir() -> Path:
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    return ROOT / "target" / "examples" / suffix.strip(".").replace(".so", "").replace(".", "-")


def compiler() -> str:
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        raise RuntimeError("a C compiler is needed to build the examples (cargo's cc needs one too)")
    return cc


def build(name: str) -> Path:
    """Compiles module `name` if needed; returns the folder that holds it."""
    source = MODULES[name]
    out_dir = build_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / (name + sysconfig.get_config_var("EXT_SUFFIX"))
    if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
        return out_dir
    include = sysconfig.get_paths()["include"]
    # Written under a temporary name and renamed: a concurrent reader sees the old file or the new.
    fd, tmp = tempfile.mkstemp(dir=out_dir, suffix=".so.tmp")
    os.close(fd)
    cmd = [
        compiler(),
        "-shared",
        "-fPIC",
        "-O1",
        "-std=c11",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-I",
        include,
        str(source),
        "-o",
        tmp,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        os.unlink(tmp)
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    os.replace(tmp, target)
    return out_dir


def build_all() -> Path:
    for name in MODULES:
        folder = build(name)
    return folder


if __name__ == "__main__":
    print(build_all())
    sys.exit(0)
