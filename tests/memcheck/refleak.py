"""Reference-leak hunt for lucas under the debug interpreter, the way `regrtest -R 3:3` does it.

    python3.X-dbg tests/memcheck/refleak.py --module-dir DIR [--expect-leak]
                   [--warmups 3] [--runs 3] [--inner 5]

A debug build of CPython (Py_REF_DEBUG) keeps the sum of all reference counts
(sys.gettotalrefcount()) and the number of live memory blocks (sys.getallocatedblocks()).
The workload (workload.one_round(), `--inner` times per repetition) runs `warmups + runs`
times; after each repetition the same cleanup as CPython's Lib/test/libregrtest/refleak.py
(dash_R / dash_R_cleanup / warm_caches, 3.11) runs: restore warnings filters, copyreg's
dispatch table, sys.path_importer_cache and zipimport's cache, clear the ABC caches and the
stdlib caches regrtest clears, then sys._clear_type_cache() and gc.collect() three times.
The totals are read right after the collection, and the measurement itself is made not to
create net references or blocks between two readings: every list it writes is allocated
before the loop, every delta stored is a pooled int object (regrtest's bpo-31217 pool), the
functions are bound to locals beforehand. The block count is used as is: 3.11.0-3.11.4's
regrtest subtracted sys._getquickenedcount(), but 3.11 quickens code in place (no block
is allocated), so that subtraction only injects negative noise whenever a rarely run
function gets specialised; later 3.11 releases dropped it, and so does this script.

Verdict (exit 0 = pass, 1 = fail, 2 = refused / could not run):
* normal: PASS only when every delta after the warm-up repetitions is exactly 0, for
  references and for memory blocks. (This is stricter than regrtest, which only reports a
  leak when *every* tracked delta is >= 1, to tolerate noise such as [3, 0, 0] or
  [8, -8, 1]; this workload produces no such noise, so any non-zero delta is reported.
  `--regrtest-rule` switches to regrtest's exact rule should noise ever appear.)
* --expect-leak (a module built with --features selftest): every repetition also calls
  lucas._selftest_leak_ref(obj) once; PASS only when every tracked reference delta is >= 1,
  i.e. the deliberate leak is seen each round, proving the check can fail.

Refusals (exit 2): not a debug interpreter (no sys.gettotalrefcount); lucas not imported
from DIR; lucas.__file__ not ending with this interpreter's own
importlib.machinery.EXTENSION_SUFFIXES[0] (a debug interpreter also imports release-suffixed
modules); or a module whose imports show release-build reference counting (its
Py_INCREF/Py_DECREF never reach the debug totals, so the figures would be meaningless).
"""

import argparse
import gc
import importlib.machinery
import os
import sys
import warnings
from inspect import isabstract

HERE = os.path.dirname(os.path.abspath(__file__))

# Symbols a debug-ABI extension imports for its reference counting (Py_REF_DEBUG):
# 3.11's Py_INCREF/Py_DECREF either call _Py_IncRef/_Py_DecRef (pyo3-ffi) or update
# _Py_RefTotal and call _Py_NegativeRefcount inline (C extensions); 3.12 has _Py_*RefTotal.
DEBUG_REFCOUNT_SYMBOLS = {
    "_Py_IncRef",
    "_Py_DecRef",
    "_Py_RefTotal",
    "_Py_NegativeRefcount",
    "_Py_IncRefTotal",
    "_Py_DecRefTotal",
}


def refuse(msg: str):
    print(f"refleak: refusing to run: {msg}", file=sys.stderr)
    sys.exit(2)


try:
    from _abc import _get_dump
except ImportError:  # pure-Python abc (Lib/_py_abc.py)
    import weakref

    def _get_dump(cls):
        registry_weakrefs = set(weakref.ref(obj) for obj in cls._abc_registry)
        return (registry_weakrefs, cls._abc_cache, cls._abc_negative_cache, cls._abc_negative_cache_version)


def warm_caches():
    """regrtest's warm_caches(): fill the interpreter's small-object caches first."""
    s = bytes(range(256))
    for i in range(256):
        s[i : i + 1]
    [chr(i) for i in range(256)]
    list(range(-5, 257))


def clear_caches():
    """The stdlib caches regrtest's clear_caches() (libregrtest/utils.py, 3.11) empties."""
    for mod in list(sys.modules.values()):
        if hasattr(mod, "__warningregistry__"):
            del mod.__warningregistry__
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        if stream is not None:
            stream.flush()
    mods = sys.modules
    if "distutils.dir_util" in mods:
        mods["distutils.dir_util"]._path_created.clear()
    if "re" in mods:
        mods["re"].purge()
    if "_strptime" in mods:
        mods["_strptime"]._regex_cache.clear()
    if "urllib.parse" in mods:
        mods["urllib.parse"].clear_cache()
    if "urllib.request" in mods:
        mods["urllib.request"].urlcleanup()
    if "linecache" in mods:
        mods["linecache"].clearcache()
    if "mimetypes" in mods:
        mods["mimetypes"]._default_mime_types()
    if "filecmp" in mods:
        mods["filecmp"]._cache.clear()
    if "struct" in mods:
        mods["struct"]._clearcache()
    if "doctest" in mods:
        mods["doctest"].master = None
    if "ctypes" in mods:
        mods["ctypes"]._reset_cache()
    if "typing" in mods:
        for f in mods["typing"]._cleanups:
            f()


def saved_state():
    import collections.abc
    import copyreg

    try:
        import zipimport
    except ImportError:
        zdc = None
    else:
        zdc = zipimport._zip_directory_cache.copy()
    abcs = {}
    for abc in [getattr(collections.abc, a) for a in collections.abc.__all__]:
        if not isabstract(abc):
            continue
        for obj in abc.__subclasses__() + [abc]:
            abcs[obj] = _get_dump(obj)[0]
    return warnings.filters[:], copyreg.dispatch_table.copy(), sys.path_importer_cache.copy(), zdc, abcs


def cleanup(fs, ps, pic, zdc, abcs):
    """regrtest's dash_R_cleanup(), then its support.gc_collect()."""
    import collections.abc
    import copyreg

    warnings.filters[:] = fs
    copyreg.dispatch_table.clear()
    copyreg.dispatch_table.update(ps)
    sys.path_importer_cache.clear()
    sys.path_importer_cache.update(pic)
    if zdc is not None:
        import zipimport

        zipimport._zip_directory_cache.clear()
        zipimport._zip_directory_cache.update(zdc)
    abs_classes = filter(isabstract, [getattr(collections.abc, a) for a in collections.abc.__all__])
    for abc in abs_classes:
        for obj in abc.__subclasses__() + [abc]:
            for ref in abcs.get(obj, set()):
                if ref() is not None:
                    obj.register(ref())
            obj._abc_caches_clear()
    clear_caches()
    sys._clear_type_cache()
    gc.collect()
    gc.collect()
    gc.collect()


def hunt(test_func, nwarmup: int, ntracked: int):
    """dash_R's measuring loop. Returns (rc_deltas, alloc_deltas, fd_deltas), all repetitions."""
    warm_caches()
    state = saved_state()
    int_pool = {value: value for value in range(-1000, 1000)}

    def get_pooled_int(value):
        return int_pool.setdefault(value, value)

    repcount = nwarmup + ntracked
    # Pre-allocate, so that the loop itself allocates nothing that survives a repetition.
    rep_range = list(range(repcount))
    rc_deltas = [0] * repcount
    alloc_deltas = [0] * repcount
    fd_deltas = [0] * repcount
    getallocatedblocks = sys.getallocatedblocks
    gettotalrefcount = sys.gettotalrefcount
    fd_dir = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else None

    def fd_count():
        return len(os.listdir(fd_dir)) if fd_dir else 0

    rc_before = alloc_before = fd_before = 0
    cleanup(*state)
    for i in rep_range:
        test_func()
        cleanup(*state)
        # Read the statistics immediately after the garbage collection.
        alloc_after = getallocatedblocks()
        rc_after = gettotalrefcount()
        fd_after = fd_count()
        print(".", end="", file=sys.stderr, flush=True)
        rc_deltas[i] = get_pooled_int(rc_after - rc_before)
        alloc_deltas[i] = get_pooled_int(alloc_after - alloc_before)
        fd_deltas[i] = get_pooled_int(fd_after - fd_before)
        alloc_before = alloc_after
        rc_before = rc_after
        fd_before = fd_after
    print(file=sys.stderr)
    return rc_deltas, alloc_deltas, fd_deltas


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--module-dir", required=True, help="directory holding the debug-ABI lucas extension")
    ap.add_argument(
        "--expect-leak", action="store_true", help="selftest module: require the deliberate leak to be found"
    )
    ap.add_argument("--warmups", type=int, default=3, help="repetitions not measured (default 3)")
    ap.add_argument("--runs", type=int, default=3, help="measured repetitions (default 3)")
    ap.add_argument("--inner", type=int, default=5, help="workload rounds per repetition (default 5)")
    ap.add_argument(
        "--regrtest-rule",
        action="store_true",
        help="fail only when every tracked delta is >= 1 (regrtest's tolerance of noise)",
    )
    args = ap.parse_args(argv)
    if args.runs < 1 or args.warmups < 0 or args.inner < 1:
        ap.error("--runs and --inner must be >= 1, --warmups >= 0")

    if not hasattr(sys, "gettotalrefcount"):
        refuse(
            f"{sys.executable} is not a debug build of CPython (no sys.gettotalrefcount); "
            f"run this with python{sys.version_info[0]}.{sys.version_info[1]}-dbg (the Debian/Ubuntu package "
            "of that name) or a --with-pydebug build"
        )
    module_dir = os.path.realpath(args.module_dir)
    if not os.path.isdir(module_dir):
        refuse(f"--module-dir {args.module_dir} is not a directory")
    sys.path.insert(0, module_dir)
    sys.path.insert(1, HERE)
    # Check the file before importing it: a module built for another ABI must not even run.
    spec = importlib.machinery.PathFinder.find_spec("lucas", [module_dir])
    if spec is None or not spec.origin:
        refuse(f"no lucas module in {module_dir}")
    so = os.path.realpath(spec.origin)
    own_suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    if not so.endswith(own_suffix):
        refuse(
            f"{so} does not end with this interpreter's own extension suffix {own_suffix!r}: it was "
            f"not built for this (debug) interpreter, and a release-built module's reference counting "
            f"is invisible to sys.gettotalrefcount(); build it with `{os.path.basename(sys.executable)} "
            "setup.py build_ext --build-lib DIR`"
        )
    try:
        import elfinfo

        imported = elfinfo.read(so).undefined_dynamic()
    except (OSError, ValueError):
        imported = None  # not ELF (macOS, Windows): rely on the suffix check alone
    if imported is not None and not (imported & DEBUG_REFCOUNT_SYMBOLS):
        refuse(
            f"{so} imports none of {sorted(DEBUG_REFCOUNT_SYMBOLS)}: its reference counting is the "
            "release build's (renamed release module?), so the debug interpreter's totals would be nonsense"
        )
    try:
        import lucas
    except ImportError as e:
        refuse(f"cannot import lucas from {module_dir}: {e}")
    if os.path.realpath(lucas.__file__) != so or not lucas.__file__.endswith(own_suffix):
        refuse(f"imported lucas from {lucas.__file__}, not {so}")
    if args.expect_leak and not hasattr(lucas, "_selftest_leak_ref"):
        refuse(f"{so} has no _selftest_leak_ref: --expect-leak needs a module built with LUCAS_CARGO_FEATURES=selftest")

    import workload

    # ANCHOR: repetition
    inner = args.inner
    one_round = workload.one_round
    if args.expect_leak:
        leak_ref = lucas._selftest_leak_ref
        target = object()

        def test_func():
            for _ in range(inner):
                one_round()
            leak_ref(target)

    else:

        def test_func():
            for _ in range(inner):
                one_round()
    # ANCHOR_END: repetition

    print(f"refleak: {so}")
    print(f"interpreter: {sys.executable} ({sys.version.split()[0]}, debug build)")
    print(
        f"{args.warmups} warm-up + {args.runs} measured repetitions of {inner} workload round(s)"
        + (", plus lucas._selftest_leak_ref(obj) once per repetition" if args.expect_leak else "")
    )
    rc, blocks, fds = hunt(test_func, args.warmups, args.runs)
    nw = args.warmups
    print(f"reference deltas:     warm-up {rc[:nw]}  measured {rc[nw:]}")
    print(f"memory block deltas:  warm-up {blocks[:nw]}  measured {blocks[nw:]}")
    print(f"file descriptor deltas: measured {fds[nw:]}")
    rc_t, bl_t, fd_t = rc[nw:], blocks[nw:], fds[nw:]

    # ANCHOR: expect_leak
    if args.expect_leak:
        if all(d >= 1 for d in rc_t):
            print(f"PASS: the deliberate reference leak was detected (reference deltas {rc_t}, sum={sum(rc_t)})")
            return 0
        print(f"FAIL: the deliberate reference leak was NOT detected (reference deltas {rc_t})")
        return 1
    # ANCHOR_END: expect_leak

    if args.regrtest_rule:
        leaked = [name for name, d in (("references", rc_t), ("memory blocks", bl_t)) if all(x >= 1 for x in d)]
        if any(fd_t):
            leaked.append("file descriptors")
        rule = "regrtest's rule (a leak = every tracked delta >= 1)"
    else:
        leaked = [
            name for name, d in (("references", rc_t), ("memory blocks", bl_t), ("file descriptors", fd_t)) if any(d)
        ]
        rule = "strict rule (every tracked delta must be 0)"
    if leaked:
        print(f"FAIL ({rule}): leaked {', '.join(leaked)}: references {rc_t}, blocks {bl_t}, fds {fd_t}")
        return 1
    print(f"PASS ({rule}): references {rc_t}, blocks {bl_t}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
