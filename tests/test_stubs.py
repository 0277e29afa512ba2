"""The type stubs (lucas.pyi in the repository root) against mypy and the runtime.

mypy is a test dependency (requirements-dev.txt): these tests fail, not skip,
when it is missing.  In the source tree mypy runs with the repository root as
its working directory, where it finds lucas.pyi; against an installed wheel it
runs elsewhere and finds the stubs the wheel installed (the `lucas-stubs`
package beside the module), which are then the ones checked.  Its cache goes to
a temporary directory so that the repository is not written to.
"""

import ast
import inspect
import os
import pathlib
import re
import subprocess
import sys

import pytest
from conftest import INSTALLED, module_path

import lucas

ROOT = pathlib.Path(__file__).resolve().parent.parent
if INSTALLED:
    STUB = pathlib.Path(lucas.__file__).parent / "lucas-stubs" / "__init__.pyi"
    MYPY_CWD = pathlib.Path(__file__).resolve().parent  # no lucas.pyi here
else:
    STUB = ROOT / "lucas.pyi"
    MYPY_CWD = ROOT


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("mypy-cache")


def run_mypy(path, cache):
    env = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "MYPY_CONFIG_FILE_DIR")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-color-output",
            "--show-error-codes",
            "--cache-dir",
            str(cache),
            "--config-file",
            os.devnull,
            str(path),
        ],
        cwd=MYPY_CWD,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


GOOD_PROGRAM = '''\
"""Uses every public name of lucas with precise annotations."""
from itertools import islice
from typing import assert_type

import lucas
from lucas import LucasIter

version: str = lucas.__version__

f: int = lucas.fibonacci(10)
f_mod: int = lucas.fibonacci(100, mod=1000)
l_: int = lucas.lucas(-7)
l_mod: int = lucas.lucas(5, mod=None)
u: int = lucas.lucas_u(10, 1, -1)
v: int = lucas.lucas_v(10, 1, -1, mod=97)
uv: tuple[int, int] = lucas.lucas_uv(10, 1, -1)
u2, v2 = lucas.lucas_uv(3, True, 2, mod=7)
assert_type(u2, int)
assert_type(v2, int)
assert_type(lucas.fibonacci(3), int)
assert_type(lucas.lucas_uv(1, 2, 3), tuple[int, int])

it: LucasIter = LucasIter([1, 1], [0, 1])
it_mod = LucasIter((c for c in range(3)), range(3), mod=7)
assert_type(it_mod, LucasIter)
first: int = next(it)
same: LucasIter = iter(it)
coefficients: tuple[int, ...] = it.coefficients
modulus: int | None = it_mod.mod
assert_type(it.coefficients, tuple[int, ...])
assert_type(it.mod, int | None)
current: tuple[int, ...] = it.state
assert_type(it.state, tuple[int, ...])
window: list[int] = list(islice(it, 5))
size: int = it.__sizeof__()
total: int = sum(islice(LucasIter([2], [1]), 4))
for x in islice(it, 2):
    assert_type(x, int)

# Probable-prime tests.
prp_flags: list[bool] = [
    lucas.is_strong_prp(2047, 2), lucas.is_lucas_prp(323, 1, -1), lucas.is_strong_lucas_prp(5459, 1, -1),
    lucas.is_extra_strong_lucas_prp(989, 3), lucas.is_selfridge_prp(97), lucas.is_strong_selfridge_prp(97),
    lucas.is_bpsw_prp(97), lucas.is_strong_bpsw_prp(97),
]
assert_type(lucas.is_bpsw_prp(7), bool)


class Sub(LucasIter):
    pass


s: Sub = Sub([1], [1])
assert_type(next(s), int)
# __new__ and __iter__ return Self: a subclass keeps its own type.
assert_type(Sub([1], [1]), Sub)
assert_type(iter(s), Sub)
assert_type(s.__iter__(), Sub)
assert_type(Sub.__new__(Sub, [1], [1]), Sub)

# Jump-ahead.
term: int = lucas.nth_term([1, 1], (0, 1), 10, mod=None)
assert_type(lucas.nth_term(range(1, 3), [0, 1], -2, mod=5), int)
jumped = LucasIter([1, 1], [0, 1])
jumped.advance(10)
assert term == 55 and next(jumped) == 55

# The program is also run, so the annotations above are checked at run time too.
assert (f, f_mod, l_, l_mod, u, v, uv) == (55, 354224848179261915075 % 1000, -29, 11, 55, 123 % 97, (55, 123))
assert type(coefficients) is tuple and modulus == 7 and first == 0 and same is it
assert window == [1, 1, 2, 3, 5] and total == 1 + 2 + 4 + 8 and isinstance(version, str)
assert current == (1, 1) and type(iter(s)) is Sub and type(Sub.__new__(Sub, [1], [1])) is Sub
'''


def test_mypy_accepts_a_program_using_every_public_name(tmp_path, mypy_cache):
    names = {n for n in dir(lucas) if not n.startswith("_")}
    for name in names:  # the program really covers every public name
        assert re.search(r"\b" + name + r"\b", GOOD_PROGRAM), name
    path = tmp_path / "uses_lucas.py"
    path.write_text(GOOD_PROGRAM)
    result = run_mypy(path, mypy_cache)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout
    # The example is a valid program at run time as well.
    ran = subprocess.run(
        [sys.executable, str(path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join(module_path())),
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr


# Each line must be reported, with the given error code.
BAD_LINES = [
    ('lucas.fibonacci("a")', "arg-type"),
    ("x: str = lucas.lucas(3)", "assignment"),
    ("y: int = lucas.lucas_uv(1, 2, 3)", "assignment"),
    ("lucas.fibonacci(n=3)", "call-arg"),
    ("lucas.lucas_u(1, 2, 3, 4)", "call-arg"),
    ("lucas.lucas_v(1, 2, 3, mod=2.5)", "arg-type"),
    ("LucasIter([1], [1], 5)", "call-arg"),
    ('LucasIter(["a"], [1])', "list-item"),
    ("LucasIter([1], [1]).mod = 3", "misc"),
    ("z: tuple[int, int] = LucasIter([1], [1]).coefficients", "assignment"),
    ("w: int = LucasIter([1], [1]).mod", "assignment"),
    ("LucasIter([1], [1]).state = (1,)", "misc"),
    ("v2: Sub2 = iter(LucasIter([1], [1]))", "assignment"),  # Self is not Any
    ("v3: Sub2 = LucasIter([1], [1])", "assignment"),
    ("lucas.is_bpsw_prp(7.0)", "arg-type"),
    ("lucas.is_strong_prp(7)", "call-arg"),
    ("lucas.nth_term([1], [1], 2.5)", "arg-type"),
    ("LucasIter([1], [1]).advance()", "call-arg"),
]


def test_mypy_rejects_wrong_calls(tmp_path, mypy_cache):
    header = "import lucas\nfrom lucas import LucasIter\n\n\nclass Sub2(LucasIter): ...\n"
    lines = [code for code, _ in BAD_LINES]
    path = tmp_path / "misuses_lucas.py"
    path.write_text(header + "\n".join(lines) + "\n")
    result = run_mypy(path, mypy_cache)
    assert result.returncode != 0
    assert "arg-type" in result.stdout
    reported = {}
    for m in re.finditer(r"^.*?:(\d+): error: .*\[([a-z-]+)\]$", result.stdout, re.M):
        reported.setdefault(int(m.group(1)), set()).add(m.group(2))
    offset = header.count("\n") + 1
    for i, (code, error_code) in enumerate(BAD_LINES):
        assert error_code in reported.get(i + offset, set()), (code, result.stdout)


# ---------------------------------------------------------------------------
# Stub signatures against inspect.signature at run time
# ---------------------------------------------------------------------------


def _stub_tree():
    return ast.parse(STUB.read_text(encoding="utf-8"))


def _stub_params(fn, drop_first=False):
    """[(name, kind, default)] of an ast function, in inspect's terms."""
    a = fn.args
    P = inspect.Parameter
    out = []
    positional = [(x, P.POSITIONAL_ONLY) for x in a.posonlyargs] + [(x, P.POSITIONAL_OR_KEYWORD) for x in a.args]
    pos_defaults = [P.empty] * (len(positional) - len(a.defaults)) + list(a.defaults)
    for (arg, kind), default in zip(positional, pos_defaults):
        out.append((arg.arg, kind, default))
    if a.vararg:
        out.append((a.vararg.arg, P.VAR_POSITIONAL, P.empty))
    for arg, default in zip(a.kwonlyargs, a.kw_defaults):
        out.append((arg.arg, P.KEYWORD_ONLY, P.empty if default is None else default))
    if a.kwarg:
        out.append((a.kwarg.arg, P.VAR_KEYWORD, P.empty))
    if drop_first:
        out = out[1:]
    return [(n, k, d if d is P.empty else ast.literal_eval(d)) for n, k, d in out]


def _runtime_params(obj):
    return [(p.name, p.kind, p.default) for p in inspect.signature(obj).parameters.values()]


def _stub_functions():
    tree = _stub_tree()
    funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "LucasIter")
    new = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__new__")
    return funcs, new


def test_stub_signatures_match_runtime():
    funcs, new = _stub_functions()
    assert {"fibonacci", "lucas", "lucas_u", "lucas_v", "lucas_uv"} <= set(funcs)
    for name, fn in funcs.items():
        assert _stub_params(fn) == _runtime_params(getattr(lucas, name)), name
    assert (new.args.posonlyargs + new.args.args)[0].arg == "cls"
    assert _stub_params(new, drop_first=True) == _runtime_params(lucas.LucasIter)


def test_stub_signature_comparison_detects_differences():
    # The comparison above is not vacuous: a stub with another default, kind or
    # name does not match the runtime signature.
    P = inspect.Parameter
    runtime = _runtime_params(lucas.fibonacci)
    assert runtime == [("n", P.POSITIONAL_ONLY, P.empty), ("mod", P.KEYWORD_ONLY, None)]
    for variant in (
        "def fibonacci(n, /, *, mod=0): ...",
        "def fibonacci(n, *, mod=None): ...",
        "def fibonacci(n, /, mod=None): ...",
        "def fibonacci(k, /, *, mod=None): ...",
    ):
        assert _stub_params(ast.parse(variant).body[0]) != runtime, variant


def _stub_public_names(body):
    names = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return {n for n in names if not n.startswith("_")}


def test_stub_public_names_match_runtime():
    tree = _stub_tree()
    # Names imported by the stub (typing helpers) are not part of the module's API.
    assert _stub_public_names(tree.body) == {n for n in dir(lucas) if not n.startswith("_")}
    top = {n.target.id for n in tree.body if isinstance(n, ast.AnnAssign)}
    assert "__version__" in top


def test_stub_class_members_match_runtime():
    cls = next(n for n in _stub_tree().body if isinstance(n, ast.ClassDef) and n.name == "LucasIter")
    stub_members = _stub_public_names(cls.body)
    assert stub_members == {n for n in dir(lucas.LucasIter) if not n.startswith("_")}
    declared = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
    for dunder in ("__new__", "__iter__", "__next__", "__reduce__", "__sizeof__"):
        assert dunder in declared
        assert dunder in dir(lucas.LucasIter)
    properties = {
        n.name
        for n in cls.body
        if isinstance(n, ast.FunctionDef)
        and any(isinstance(d, ast.Name) and d.id == "property" for d in n.decorator_list)
    }
    assert properties == {"coefficients", "mod", "state"}


def test_stub_is_valid_for_mypy_itself(mypy_cache, tmp_path):
    # mypy refuses to check a file inside site-packages as a source: an installed stub is
    # checked as a copy.
    path = STUB
    if INSTALLED:
        path = tmp_path / "lucas.pyi"
        path.write_bytes(STUB.read_bytes())
    result = run_mypy(path, mypy_cache)
    assert result.returncode == 0, result.stdout + result.stderr
