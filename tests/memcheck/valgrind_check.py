"""Run the lucas workload under valgrind memcheck and fail on leaks or memory errors in lucas.

    python tests/memcheck/valgrind_check.py --module-dir DIR [--rounds N] [--expect-leak]

* valgrind runs the *real* interpreter binary (os.path.realpath(sys.executable), or
  --python): valgrind cannot follow a pyenv shim or any other script to its interpreter.
* PYTHONMALLOC=malloc_debug: every Python allocation goes through malloc (valgrind sees each
  object) with CPython's debug hooks. With plain PYTHONMALLOC=malloc CPython 3.11 reports
  hundreds of uninitialised-value errors of its own (maybe_small_long); with malloc_debug,
  none. The default pymalloc arenas would hide object-level leaks from valgrind.
* PYTHONPATH=DIR and a neutral working directory: `import lucas` gets DIR's module, which
  the driver checks against the file chosen here.
* valgrind writes XML (--xml=yes --xml-file=...), parsed with xml.etree. A record is
  *lucas's* when one of its stack frames has the lucas .so as its <obj> (frames are
  attributed by object path, so this works with or without debug info).

A leak record whose allocation is a str that CPython interned on lucas's behalf is
CPython's, not lucas's: lucas never receives a reference to it. There are two such cases:
*module attribute names* (PyModule_AddObjectRef, PyModule_AddFunctions: the name is interned
as a key of the module's dict), and the names of a module lucas imports (PyImport_ImportModule:
`find_recurrence` imports `fractions` on its first exact call, and unmarshalling that module's
code interns its identifiers). CPython 3.13 makes interned strings immortal and never frees
them at exit, so valgrind reports them definitely lost; 3.13 does the same for its own
modules (`python3.13 -c "import _struct"` alone shows thousands of such blocks under
valgrind); 3.11 and 3.14 free them (3.12 was not available to check). These records are
counted and printed apart, never as lucas's.

Verdict (exit 0 = pass, 1 = fail, 2 = could not run):
* normal: FAIL on any Leak_DefinitelyLost / Leak_IndirectlyLost record with a lucas frame,
  and on any other error kind (InvalidRead, InvalidWrite, UninitCondition, UninitValue,
  InvalidFree, Overlap, ...) with a lucas frame in any of its stacks; also FAIL if the
  workload itself failed.
* --expect-leak (a module built with --features selftest): the driver also calls
  lucas._selftest_leak_memory() three times (4 KiB each, Rust heap, never freed); PASS only
  if >= 4096 bytes are reported definitely lost in a lucas frame, proving the check can fail.

Rounds: valgrind slows this workload by well over an order of magnitude, so the default
round count keeps the run under a minute.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import elfinfo  # noqa: E402

DEFAULT_ROUNDS = 12
LEAK_KINDS_FAIL = ("Leak_DefinitelyLost", "Leak_IndirectlyLost")
# CPython functions below which a new str is interned for lucas (see above): a module
# attribute's name going into the module's dict, or anything an import lucas asked for makes.
MODULE_NAME_INTERNERS = (
    "PyModule_AddObjectRef",
    "_add_methods_to_object",
    "PyModule_AddFunctions",
    "PyImport_ImportModule",
)
STR_ALLOCATORS = (
    "unicode_decode_utf8",
    "PyUnicode_New",
    "PyUnicode_FromString",
    "PyUnicode_InternFromString",
    "_PyUnicode_FromUCS1",
)
SELFTEST_LEAK_BYTES = 4096
SELFTEST_LEAK_CALLS = 3

# Runs inside valgrind. argv: memcheck dir, rounds, expect_leak (0/1), result json path.
DRIVER = (
    r"""
import json, os, sys, time
here, rounds, expect_leak, out = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
sys.path.insert(0, here)
import lucas
import workload
t0 = time.perf_counter()
workload.run(rounds)
wall = time.perf_counter() - t0
if expect_leak:
    for _ in range(%d):
        lucas._selftest_leak_memory()
with open(out, "w") as f:
    json.dump({"file": os.path.realpath(lucas.__file__), "wall": wall, "rounds": rounds}, f)
"""
    % SELFTEST_LEAK_CALLS
)


class CannotRun(Exception):
    """The check could not be carried out (exit 2), as opposed to a failed check."""


def real_interpreter(python: str) -> str:
    """The ELF binary behind `python` (a venv symlink, a pyenv version link...)."""
    real = os.path.realpath(python)
    try:
        with open(real, "rb") as f:
            head = f.read(4)
    except OSError as e:
        raise CannotRun(f"cannot read the interpreter {real}: {e}") from e
    if head[:2] == b"#!":
        raise CannotRun(
            f"{python} resolves to {real}, which is a script (a pyenv shim or a wrapper), not "
            "the interpreter binary; valgrind would check the shell instead of Python. Run this "
            "with the real interpreter (e.g. `pyenv which python3`) or pass --python /path/to/python3.11."
        )
    if head != b"\x7fELF":
        raise CannotRun(f"{real} is not an ELF executable; cannot run it under valgrind")
    return real


def find_module(module_dir: str, python: str) -> str:
    """The lucas extension in module_dir that `python` would import."""
    suffixes = subprocess.run(
        [python, "-c", "import importlib.machinery as m; print('\\n'.join(m.EXTENSION_SUFFIXES))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for suffix in suffixes:
        path = os.path.join(module_dir, "lucas" + suffix)
        if os.path.isfile(path):
            return os.path.realpath(path)
    raise CannotRun(f"no lucas extension ({', '.join(suffixes)}) in {module_dir}")


def check_symbols(so: str) -> list:
    """Lines describing what valgrind can learn about lucas's frames; CannotRun if nothing."""
    info = elfinfo.read(so)
    funcs = info.defined_functions()
    own = [s for s in funcs if "5lucas" in s.name]  # Rust (legacy/v0) mangling of the crate
    has_cfi = info.has_section(".eh_frame")
    debug = info.has_section(".debug_info")
    lines = [
        f"symbols: .symtab with {len(funcs)} functions ({len(own)} from the lucas crate), "
        f".eh_frame {'present' if has_cfi else 'MISSING'}, "
        f"{'with' if debug else 'no'} DWARF debug info (frames are matched by object path)"
    ]
    if not has_cfi:
        raise CannotRun(f"{so} has no .eh_frame: valgrind cannot unwind through lucas's frames")
    if not funcs or not any(s.name == "PyInit_lucas" for s in funcs):
        raise CannotRun(
            f"{so} is stripped (no .symtab with PyInit_lucas): valgrind's reports would show "
            "'???' for lucas's frames; build without stripping"
        )
    return lines


def frames(stack):
    return [(fr.findtext("obj") or "", fr.findtext("fn") or "???") for fr in stack.iter("frame")]


def parse_xml(path: str, so: str) -> dict:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        raise CannotRun(f"valgrind's XML output {path} is unreadable ({e}); did valgrind crash?") from e
    so = os.path.realpath(so)

    def ours(obj):
        return obj and (obj == so or os.path.realpath(obj) == so)

    counts = {}
    for pair in root.iter("pair"):
        counts[pair.findtext("unique")] = int(pair.findtext("count"))

    res = {
        "definite_bytes": 0,
        "indirect_bytes": 0,
        "possible_bytes": 0,
        "leak_records": [],
        "errors": [],
        "error_count": 0,
        "other_errors": 0,
        "other_leak_records": 0,
        "interned_names": [],
    }
    for err in root.findall("error"):
        kind = err.findtext("kind")
        stacks = err.findall("stack")
        all_frames = [f for st in stacks for f in frames(st)]
        in_lucas = any(ours(obj) for obj, _ in all_frames)
        if kind.startswith("Leak_"):
            if not in_lucas:
                res["other_leak_records"] += 1
                continue
            nbytes = int(err.findtext("xwhat/leakedbytes") or 0)
            if is_interned_module_name(all_frames, ours):
                res["interned_names"].append((kind, nbytes, err.findtext("xwhat/text"), all_frames))
                continue
            if kind == "Leak_DefinitelyLost":
                res["definite_bytes"] += nbytes
            elif kind == "Leak_IndirectlyLost":
                res["indirect_bytes"] += nbytes
            elif kind == "Leak_PossiblyLost":
                res["possible_bytes"] += nbytes
            res["leak_records"].append((kind, nbytes, err.findtext("xwhat/text"), all_frames))
        else:
            n = counts.get(err.findtext("unique"), 1)
            if in_lucas:
                res["error_count"] += n
                res["errors"].append((kind, n, err.findtext("what") or err.findtext("xwhat/text"), all_frames))
            else:
                res["other_errors"] += n
    return res


def is_interned_module_name(all_frames, ours) -> bool:
    """A str allocated by CPython while it added a module attribute for lucas or imported a
    module lucas asked for: between the allocation and lucas's first frame, a str allocator
    and then one of the functions above."""
    inner = []
    for obj, fn in all_frames:
        if ours(obj):
            break
        inner.append(fn)
    names = inner
    alloc = next((i for i, fn in enumerate(names) if fn.startswith(STR_ALLOCATORS)), None)
    return alloc is not None and any(fn.startswith(MODULE_NAME_INTERNERS) for fn in names[alloc + 1 :])


def show_record(kind, detail, what, all_frames, so, limit=14):
    print(f"  {kind} x{detail}: {what}")
    for obj, fn in all_frames[:limit]:
        mark = "*" if obj and os.path.realpath(obj) == so else " "
        print(f"     {mark} {fn}  ({os.path.basename(obj)})")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--module-dir", required=True, help="directory holding the lucas extension")
    ap.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help=f"workload rounds (default {DEFAULT_ROUNDS})")
    ap.add_argument(
        "--expect-leak", action="store_true", help="selftest module: require the deliberate leak to be found"
    )
    ap.add_argument("--python", default=sys.executable, help="interpreter to check (default: this one)")
    ap.add_argument("--keep-xml", metavar="PATH", help="also copy valgrind's XML report here")
    args = ap.parse_args(argv)

    try:
        valgrind = shutil.which("valgrind")
        if not valgrind:
            raise CannotRun("valgrind is not installed (apt-get install valgrind)")
        python = real_interpreter(args.python)
        module_dir = os.path.abspath(args.module_dir)
        so = find_module(module_dir, python)
        print(f"valgrind_check: {so}")
        print(f"interpreter: {python}" + ("" if python == args.python else f" (resolved from {args.python})"))
        for line in check_symbols(so):
            print(line)
        if args.expect_leak and not any("selftest_leak_memory" in s.name for s in elfinfo.read(so).symtab):
            raise CannotRun(
                f"{so} has no _selftest_leak_memory: --expect-leak needs a LUCAS_CARGO_FEATURES=selftest build"
            )

        with tempfile.TemporaryDirectory(prefix="lucas-vg-") as tmp:
            xml_path = os.path.join(tmp, "memcheck.xml")
            out_path = os.path.join(tmp, "result.json")
            env = dict(os.environ, PYTHONMALLOC="malloc_debug", PYTHONPATH=module_dir, PYTHONDONTWRITEBYTECODE="1")
            for var in ("PYTHONHOME", "PYTHONSTARTUP", "PYTHONSAFEPATH"):
                env.pop(var, None)
            cmd = [
                valgrind,
                "--tool=memcheck",
                "--leak-check=full",
                "--show-leak-kinds=definite,indirect,possible",
                "--errors-for-leak-kinds=definite,indirect",
                "--num-callers=50",
                "--track-origins=no",
                "--xml=yes",
                f"--xml-file={xml_path}",
                python,
                "-P",
                "-c",
                DRIVER,
                HERE,
                str(args.rounds),
                "1" if args.expect_leak else "0",
                out_path,
            ]
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, text=True)
            elapsed = time.perf_counter() - t0
            if args.keep_xml:
                shutil.copyfile(xml_path, args.keep_xml)
            if proc.returncode != 0 or not os.path.exists(out_path):
                sys.stdout.write(proc.stdout)
                sys.stderr.write(proc.stderr[-6000:])
                print(f"FAIL: the workload under valgrind exited with status {proc.returncode}")
                return 1
            with open(out_path) as f:
                result = json.load(f)
            if result["file"] != so:
                raise CannotRun(f"the driver imported {result['file']}, not {so}")
            res = parse_xml(xml_path, so)
    except CannotRun as e:
        print(f"valgrind_check: cannot run: {e}", file=sys.stderr)
        return 2

    print(
        f"workload: {result['rounds']} rounds in {result['wall']:.1f} s under valgrind "
        f"(valgrind run {elapsed:.1f} s in all)"
    )
    print(
        f"lucas frames: {res['definite_bytes']} bytes definitely lost, {res['indirect_bytes']} bytes "
        f"indirectly lost, {res['possible_bytes']} bytes possibly lost (not a failure), "
        f"{res['error_count']} memory errors"
    )
    print(f"elsewhere (not lucas's, ignored): {res['other_leak_records']} leak records, {res['other_errors']} errors")
    if res["interned_names"]:
        nbytes = sum(r[1] for r in res["interned_names"])
        print(
            f"strings CPython interned at lucas's request, module attribute names and imported "
            f"modules' names (CPython's, not lucas's; 3.13 never frees them): "
            f"{len(res['interned_names'])} records, {nbytes} bytes"
        )
        for kind, n, what, fr in res["interned_names"][:2]:
            show_record(kind, f"{n}B", what, fr, so)
    failing_leaks = [r for r in res["leak_records"] if r[0] in LEAK_KINDS_FAIL]

    if args.expect_leak:
        if res["definite_bytes"] >= SELFTEST_LEAK_BYTES:
            print(
                f"PASS: the deliberate leak was detected ({res['definite_bytes']} bytes definitely lost in lucas frames)"
            )
            for kind, nbytes, what, fr in failing_leaks[:3]:
                show_record(kind, f"{nbytes}B", what, fr, so)
            return 0
        print(f"FAIL: the deliberate leak ({SELFTEST_LEAK_CALLS} x {SELFTEST_LEAK_BYTES} bytes) was NOT detected")
        return 1

    if failing_leaks or res["errors"]:
        for kind, nbytes, what, fr in failing_leaks:
            show_record(kind, f"{nbytes}B", what, fr, so)
        for kind, n, what, fr in res["errors"]:
            show_record(kind, n, what, fr, so)
        print(f"FAIL: {len(failing_leaks)} leak records and {res['error_count']} memory errors in lucas frames")
        return 1
    print("PASS: no definite/indirect leaks and no memory errors in lucas frames")
    return 0


if __name__ == "__main__":
    sys.exit(main())
