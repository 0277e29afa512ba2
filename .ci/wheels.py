#!/usr/bin/env python3
"""Wheels for every supported CPython, built on one Linux host, and their tests as installed.

    .ci/wheels.py build [VERSION ...]   `make wheels` (all versions), `make wheel` (the venv's)
    .ci/wheels.py test PYTHON           `make wheel-test`: PYTHON's wheel in a fresh venv
    .ci/wheels.py table                 version -> wheel -> installed-wheel tests

Building needs no interpreter of the target version. The extension module does not link
libpython and its build script compiles no C (build.rs), so all pyo3-ffi needs is the target
interpreter's configuration, written here as a pyo3 config file (PYO3_CONFIG_FILE): version,
pointer width and build flags (Py_GIL_DISABLED for the free-threaded ABI). cargo-zigbuild
links with zig against glibc 2.17's symbol versions (the target
x86_64-unknown-linux-gnu.2.17), so the module loads on any Linux with glibc 2.17 or later and
the wheel can say manylinux_2_17. Every wheel is then checked twice: the highest GLIBC_x.y
version its .so needs, read from the ELF file, and `auditwheel show`.

Each version builds in its own target directory (target/wheels/<tag>), apart from the
in-place build (target/py-<abi>) and cargo test's (target/debug): cargo rebuilds a crate
whenever a PYO3_* setting changes, so sharing a directory would rebuild on every switch.
"""

import argparse
import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "memcheck"))
import elfinfo  # noqa: E402

DIST = ROOT / "dist"
RESULTS = ROOT / "build" / "wheel-tests"
RUST_TARGET = "x86_64-unknown-linux-gnu"
GLIBC_FLOOR = (2, 17)
PLATFORM = "manylinux_%d_%d_x86_64" % GLIBC_FLOOR

# version -> pyo3 build flags. The order is the table's.
VERSIONS = {
    "3.11": "",
    "3.12": "",
    "3.13": "",
    "3.14": "",
    "3.14t": "Py_GIL_DISABLED",
    "3.15": "",
}
# What the table says of a version whose wheel has no recorded test run.
NOT_RUN = {
    "3.12": "untested: no 3.12 interpreter can be installed here (built from the written configuration only)",
    "3.14t": "untested: no free-threaded interpreter can be installed here (built from the written configuration only)",
}
# The flag setup.py gives the in-place and source builds (see its comment there): the wheels
# are built the same way, so that they run as fast as what `make bench` measures.
RUSTFLAGS = "-C llvm-args=-align-all-functions=6"


def tag_of(version):
    """'3.13' -> 'cp313', '3.14t' -> 'cp314t' (the interpreter and ABI tag)."""
    major, minor = version.rstrip("t").split(".")
    return f"cp{major}{minor}" + ("t" if version.endswith("t") else "")


def pyo3_config(version):
    # The keys pyo3-build-config reads from a config file. No lib_dir, lib_name or
    # executable: an extension module links no libpython and runs no interpreter.
    return (
        "implementation=CPython\n"
        f"version={version.rstrip('t')}\n"
        "shared=true\n"
        "abi3=false\n"
        f"build_flags={VERSIONS[version]}\n"
        "pointer_width=64\n"
        "suppress_build_script_link_lines=false\n"
    )


def package_metadata(out):
    """The .dist-info folder setuptools writes for `pip wheel .` (from setup.py), in out."""
    code = "import sys, setuptools.build_meta as b; print(b.prepare_metadata_for_build_wheel(sys.argv[1]))"
    proc = subprocess.run([sys.executable, "-c", code, str(out)], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"setup.py's metadata failed:\n{proc.stdout}{proc.stderr}")
    return out / proc.stdout.strip().splitlines()[-1]


def cargo_build(version):
    """The stripped module for VERSION, built by cargo-zigbuild; returns its path."""
    tag = tag_of(version)
    target_dir = ROOT / "target" / "wheels" / tag
    target_dir.mkdir(parents=True, exist_ok=True)
    config = target_dir / "pyo3-config.txt"
    # Rewritten only when it changes: cargo reruns pyo3's build script when the file does.
    if not config.exists() or config.read_text() != pyo3_config(version):
        config.write_text(pyo3_config(version))
    bindir = os.path.dirname(sys.executable)
    env = dict(
        os.environ,
        # cargo-zigbuild and zig (the ziglang package, found as `python3 -m ziglang`) are in
        # the venv this script runs from.
        PATH=bindir + os.pathsep + os.environ.get("PATH", ""),
        PYO3_CONFIG_FILE=str(config),
        PYO3_BUILD_EXTENSION_MODULE="1",
        CARGO_TARGET_DIR=str(target_dir),
        RUSTFLAGS=(os.environ.get("RUSTFLAGS", "") + " " + RUSTFLAGS).strip(),
    )
    env.pop("PYO3_PYTHON", None)
    if shutil.which("cargo", path=env["PATH"]) is None:
        sys.exit("cargo not found: building wheels needs a Rust toolchain (https://rustup.rs)")
    if shutil.which("cargo-zigbuild", path=env["PATH"]) is None:
        sys.exit("cargo-zigbuild not found: `make wheels` installs it (requirements-wheels.txt)")
    cmd = [
        "cargo",
        "zigbuild",
        "--quiet",
        "--profile",
        "wheel",
        "--lib",
        "-p",
        "lucas",
        "--manifest-path",
        str(ROOT / "Cargo.toml"),
        "--target",
        f"{RUST_TARGET}.%d.%d" % GLIBC_FLOOR,
    ]
    print(f"== {version}: cargo zigbuild (target/wheels/{tag})", flush=True)
    if subprocess.run(cmd, env=env).returncode != 0:
        sys.exit(f"cargo zigbuild failed for {version} (its messages are above)")
    return target_dir / RUST_TARGET / "wheel" / "liblucas.so"


def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def write_wheel(version, so, dist_info):
    """dist/<name>-<version>-<tag>-<tag>-manylinux_2_17_x86_64.whl (PEP 427 layout)."""
    tag = tag_of(version)
    abi = tag  # cp314t's ABI tag is cp314t, as its interpreter tag is cp314
    py = tag.rstrip("t")
    wheel_tag = f"{py}-{abi}-{PLATFORM}"
    ext_suffix = f".cpython-{tag[2:]}-x86_64-linux-gnu.so"
    files = {
        "lucas" + ext_suffix: so.read_bytes(),
        # Stub-only package (PEP 561), as setup.py's build_ext ships it.
        "lucas-stubs/__init__.pyi": (ROOT / "lucas.pyi").read_bytes(),
    }
    info = dist_info.name
    for path in sorted(p for p in dist_info.rglob("*") if p.is_file()):
        files[f"{info}/{path.relative_to(dist_info).as_posix()}"] = path.read_bytes()
    files[f"{info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: lucas .ci/wheels.py\nRoot-Is-Purelib: false\nTag: {wheel_tag}\n"
    ).encode()
    record = [record_line(name, data) for name, data in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    name, pkg_version = info[: -len(".dist-info")].rsplit("-", 1)
    DIST.mkdir(exist_ok=True)
    out = DIST / f"{name}-{pkg_version}-{wheel_tag}.whl"
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for fname, data in files.items():
            zi = zipfile.ZipInfo(fname, date_time=(1980, 1, 1, 0, 0, 0))
            zi.external_attr = (0o755 if fname.endswith(".so") else 0o644) << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(zi, data)
    os.replace(tmp, out)
    return out


def auditwheel_show(wheel):
    """auditwheel's verdict: the platform tag the wheel's contents allow."""
    exe = shutil.which("auditwheel", path=os.path.dirname(sys.executable))
    if exe is None:
        sys.exit("auditwheel not found: `make wheels` installs it (requirements-wheels.txt)")
    proc = subprocess.run([exe, "show", str(wheel)], capture_output=True, text=True)
    text = " ".join((proc.stdout + proc.stderr).split())
    m = re.search(r'is consistent with the following platform tag: "([^"]+)"', text)
    if proc.returncode != 0 or not m:
        sys.exit(f"auditwheel show {wheel.name} failed:\n{proc.stdout}{proc.stderr}")
    return m.group(1), text


def build(versions):
    unknown = [v for v in versions if v not in VERSIONS]
    if unknown:
        sys.exit(f"unknown version(s) {unknown}: choose from {list(VERSIONS)}")
    if sys.platform != "linux" or os.uname().machine != "x86_64":
        sys.exit("the wheels are built for x86_64 Linux, on x86_64 Linux (use `pip wheel .` elsewhere)")
    with tempfile.TemporaryDirectory() as tmp:
        dist_info = package_metadata(Path(tmp))
        for version in versions:
            so = cargo_build(version)
            elf = elfinfo.read(str(so))
            if elf.symtab:
                sys.exit(f"{so} keeps its symbol table: the wheel profile strips it (Cargo.toml)")
            try:
                needed = elf.glibc_versions()
            except ValueError as e:
                sys.exit(str(e))
            if not needed or needed[-1] > GLIBC_FLOOR:
                sys.exit(f"{so} needs GLIBC {needed}: above the {PLATFORM} floor")
            wheel = write_wheel(version, so, dist_info)
            allowed, _ = auditwheel_show(wheel)
            if allowed != PLATFORM:
                sys.exit(f"auditwheel show: {wheel.name} is consistent with {allowed}, not {PLATFORM}")
            print(
                f"   {wheel.relative_to(ROOT)}: {so.stat().st_size // 1024} KiB module, "
                f"needs GLIBC_{needed[-1][0]}.{needed[-1][1]}, auditwheel: {allowed}",
                flush=True,
            )


def interpreter_version(python):
    code = (
        "import sys, sysconfig; print('%d.%d' % sys.version_info[:2] + "
        "('t' if sysconfig.get_config_var('Py_GIL_DISABLED') else ''))"
    )
    return subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def wheel_for(version, dist):
    tag = tag_of(version)
    found = sorted(dist.glob(f"*-{tag.rstrip('t')}-{tag}-*.whl"))
    return found[-1] if found else None


def without_rust(path):
    """PATH without the folders that hold cargo or rustc: the wheel must need neither."""
    keep = [
        d
        for d in path.split(os.pathsep)
        if d and not any(os.path.exists(os.path.join(d, exe)) for exe in ("cargo", "rustc"))
    ]
    return os.pathsep.join(keep)


def test(python, dist, results):
    """PYTHON's wheel, installed into a fresh venv and tested there; the result is recorded."""
    python = shutil.which(python) or python
    version = interpreter_version(python)
    wheel = wheel_for(version, dist)
    if wheel is None:
        sys.exit(f"no wheel for CPython {version} in {dist}: run `make wheels` first")
    work = ROOT / "build" / "wheel-test" / tag_of(version)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    venv = work / "venv"
    env = dict(os.environ, PATH=without_rust(os.environ.get("PATH", "")), LUCAS_TEST_INSTALLED="1")
    for var in ("PYTHONPATH", "PYO3_PYTHON", "VIRTUAL_ENV"):
        env.pop(var, None)
    vpy = str(venv / "bin" / "python")
    print(f"== {version}: {wheel.name} into a fresh venv ({work.relative_to(ROOT)}), no cargo on PATH", flush=True)
    steps = [
        [python, "-m", "venv", str(venv)],
        [vpy, "-m", "pip", "install", "--quiet", "-r", str(ROOT / "requirements-test.txt")],
        # --no-index: the wheel alone, nothing else to choose from (no sdist to build).
        [vpy, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
    ]
    for cmd in steps:
        if subprocess.run(cmd, env=env, cwd=work).returncode != 0:
            return record(results, version, wheel, f"FAILED: {' '.join(cmd[1:4])}")
    # From a folder without the in-place build: the tests import the installed module
    # (tests/conftest.py checks where it came from).
    log = work / "pytest.log"
    with open(log, "w") as f:
        proc = subprocess.Popen(
            [vpy, "-m", "pytest", str(ROOT / "tests")],
            env=env,
            cwd=work,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for line in proc.stdout:
            sys.stdout.write(line)
            f.write(line)
        proc.wait()
    summary = summary_line(log.read_text())
    if proc.returncode == 0:
        return record(results, version, wheel, f"passed: {summary}")
    return record(results, version, wheel, f"FAILED: {summary or 'pytest exit ' + str(proc.returncode)}")


def summary_line(text):
    """pytest's closing counts ('412 passed, 9 skipped in 95.1s'), without the rule."""
    lines = [ln.strip("= ") for ln in text.splitlines() if re.search(r"\d+ (passed|failed|error)", ln)]
    return lines[-1] if lines else ""


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def record(results, version, wheel, result):
    """One file per version: the wheel's name, the result, the wheel's hash (so that the table
    can tell a result for an earlier build of the same name)."""
    results.mkdir(parents=True, exist_ok=True)
    (results / f"{version}.txt").write_text(f"{wheel.name}\n{result}\n{sha256(wheel)}\n")
    print(f"   {version}: {result}", flush=True)
    return 0 if result.startswith("passed") else 1


def table(dist, results):
    print("| CPython | wheel | module | installed-wheel tests |")
    print("|---|---|---|---|")
    for version in VERSIONS:
        wheel = wheel_for(version, dist)
        if wheel is None:
            print(f"| {version} | not built | | |")
            continue
        with zipfile.ZipFile(wheel) as zf:
            size = next(i.file_size for i in zf.infolist() if i.filename.endswith(".so"))
        got = results / f"{version}.txt"
        result = NOT_RUN.get(version, "not run")
        if got.exists():
            name, result, digest = (got.read_text().splitlines() + [""] * 3)[:3]
            if name != wheel.name or digest != sha256(wheel):
                result = f"not run on this build (an earlier {name}: {result})"
        print(f"| {version} | {wheel.name} | {size // 1024} KiB | {result} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build wheels into dist/")
    b.add_argument("versions", nargs="*", default=list(VERSIONS), metavar="VERSION")
    b.add_argument("--python", help="build only for this interpreter's version")
    t = sub.add_parser("test", help="install PYTHON's wheel into a fresh venv and run the suite")
    t.add_argument("python")
    t.add_argument("--dist", type=Path, default=DIST)
    t.add_argument("--results", type=Path, default=RESULTS)
    s = sub.add_parser("table", help="print version -> wheel -> installed-wheel tests")
    s.add_argument("--dist", type=Path, default=DIST)
    s.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.command == "build":
        build([interpreter_version(shutil.which(args.python) or args.python)] if args.python else args.versions)
    elif args.command == "test":
        sys.exit(test(args.python, args.dist, args.results))
    else:
        table(args.dist, args.results)


if __name__ == "__main__":
    main()
