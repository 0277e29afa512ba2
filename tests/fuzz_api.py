#!/usr/bin/env python3
"""Hypothesis fuzzer for the whole public surface of ``lucas``.

    python tests/fuzz_api.py --cases 600 [--seed S] [--batch B] [--verbose]
    python tests/fuzz_api.py --seconds 60            # explore for a while (``make fuzz``)

Not collected by pytest (the name does not start with ``test_``); tests/test_fuzz.py
runs it in a child process, so a segfault is a failed test instead of a dead pytest.

Every example throws arbitrary Python values at one entry point -- LucasIter(...),
LucasIter.__new__(cls, ...), lucas._reconstruct(...), fibonacci, lucas, lucas_u,
lucas_v, lucas_uv, nth_term, LucasIter.advance (and .state), the is_*_prp tests, or any
of them with the wrong arity / keywords -- and checks:

* valid inputs (small enough to compute in a moment) give exactly the value of a
  pure-Python model from tests/support/: model.py for LucasIter, nth_term and advance,
  fn_model.py for the Lucas-sequence functions, prp_model.py for the probable-prime tests;
* invalid inputs raise one of the exceptions that the API allows *for that input*:
  TypeError / ValueError for the defect itself, FuzzError when user code
  (``__index__``, ``__iter__``, ``__next__``) raised it, OverflowError/MemoryError
  for results that cannot fit in memory, MemoryError anywhere; never SystemError,
  RuntimeError, a wrong value, a hang (a faulthandler watchdog kills the process)
  or a crash;
* a successfully built iterator's surface: attributes, read-only-ness, iter(),
  repr() evaluating back, copy / deepcopy / pickle (all protocols), __reduce__,
  __sizeof__, for the base class and for subclasses (with __dict__ / __slots__).

Hypothesis runs in batches of ``--batch`` examples, batch i seeded with
``seed * 1_000_003 + i``. With ``--cases N`` it runs exactly the batches that hold N
examples, so a given ``--seed`` and ``--cases`` replay the same examples however fast or
loaded the machine is (this is what tests/test_fuzz.py uses: a test never depends on
speed). With ``--seconds S`` it runs batches until S seconds have elapsed, for manual
exploration only. The master seed is random unless given and is printed first, so a
failure is reproducible with ``--seed S --start-batch B`` as printed (add ``--verbose`` to
print each case before it runs, to locate a crash or a hang).
On success the last line is ``fuzz: N cases in B batches``; on an oracle violation the
falsifying example is printed and the exit status is 1.
"""

import argparse
import copy
import faulthandler
import math
import operator
import os
import pickle
import random
import sys
import time
import traceback
import warnings

_TESTS = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_TESTS)
# The repository root holds the in-place build; against an installed wheel (tests/conftest.py)
# it stays off sys.path.
_INSTALLED = os.environ.get("LUCAS_TEST_INSTALLED", "").strip().lower() not in ("", "0", "false", "no")
for _p in (_TESTS,) if _INSTALLED else (_TESTS, _ROOT):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from support import prp_model  # noqa: E402
from support.fn_model import uv_any  # noqa: E402
from support.intlike import Idx, PlainInt, RaisingIndex  # noqa: E402
from support.model import ModelLucasIter, matrix_term, runs_backwards, term  # noqa: E402

import lucas  # noqa: E402

# An __index__ returning an int subclass is deprecated (DeprecationWarning) but valid.
warnings.simplefilter("ignore", DeprecationWarning)


# ---------------------------------------------------------------------------
# Hostile value types (module level so that pickling subclass instances works)
# ---------------------------------------------------------------------------


class FuzzError(Exception):
    """Raised by user code (``__index__``, ``__iter__``, ``__next__``) on purpose."""


class Violation(AssertionError):
    """The implementation broke the oracle."""


class LyingInt(int):
    """An int subclass whose every Python-level operation lies or raises.

    Its true value (what ``operator.index`` returns, as an exact int) is int's own. Unlike
    support.intlike.LyingInt, its failures raise FuzzError, the user exception the oracle
    expects from user code, and it keeps int's ==, so sets and dicts of them stay apart.
    """

    def __add__(self, other):
        return 42

    __radd__ = __sub__ = __rsub__ = __add__

    def __mul__(self, other):
        return -7

    __rmul__ = __mul__

    def __mod__(self, other):
        return 3

    __rmod__ = __floordiv__ = __rfloordiv__ = __mod__

    def __neg__(self):
        return 99

    def __abs__(self):
        return -1

    def __index__(self):
        return 12345  # ignored: an int subclass's __index__ is never called

    def __int__(self):
        return 54321

    def __lt__(self, other):
        return True

    __le__ = __gt__ = __ge__ = __lt__

    def __bool__(self):
        raise FuzzError("__bool__ of LyingInt")

    def __repr__(self):
        raise FuzzError("__repr__ of LyingInt")

    __str__ = __repr__

    def __format__(self, spec):
        raise FuzzError("__format__ of LyingInt")

    __hash__ = int.__hash__


class RaisingIterable:
    """Yields ``items`` and then raises FuzzError from __next__ (after ``at`` items)."""

    def __init__(self, items, at):
        self.items = list(items)
        self.at = at
        self.i = 0

    def __iter__(self):
        return self

    def __next__(self):
        if self.i >= self.at:
            raise FuzzError("__next__ raised")
        if self.i >= len(self.items):
            raise StopIteration
        self.i += 1
        return self.items[self.i - 1]


class IterRaises:
    """__iter__ raises FuzzError."""

    def __iter__(self):
        raise FuzzError("__iter__ raised")


class IterNonIterator:
    """__iter__ returns something that is not an iterator (TypeError)."""

    def __iter__(self):
        return 12


class GetItemSeq:
    """Old-style sequence protocol: __getitem__ until IndexError."""

    def __init__(self, items):
        self.items = list(items)

    def __getitem__(self, i):
        return self.items[i]


class Sub(lucas.LucasIter):
    """A subclass with a __dict__."""


class SlotSub(lucas.LucasIter):
    """A subclass with __slots__ and no __dict__."""

    __slots__ = ("a", "b")


class NotASub:
    pass


# ---------------------------------------------------------------------------
# Strategies: specs (plain tuples, printed by hypothesis) and builders
# ---------------------------------------------------------------------------

EDGE_BASES = (
    0,
    1,
    2,
    3,
    2**31,
    2**32,
    10**18,
    2**62,
    2**63,
    10**19,
    2**64,
    2**65,
    2**127,
    2**128,
    2**129,
    2**256,
    2**1000,
    2**3000,
)
EDGES = sorted({s * (b + d) for b in EDGE_BASES for d in (-2, -1, 0, 1, 2) for s in (1, -1)})

# Bit widths where representations change: machine words, float range (2**1024) and
# float squares (2**512), and the 1000-bit heuristics an implementation may have.
BIT_WIDTHS = [
    30,
    31,
    32,
    33,
    52,
    53,
    54,
    62,
    63,
    64,
    65,
    66,
    96,
    127,
    128,
    129,
    200,
    256,
    511,
    512,
    513,
    600,
    800,
    999,
    1000,
    1001,
    1023,
    1024,
    1025,
    2000,
    3000,
]
ints = st.one_of(
    st.integers(-40, 40),
    st.sampled_from(EDGES),
    st.integers(-(2**64) - 3, 2**64 + 3),
    st.integers(0, 3010).flatmap(lambda b: st.integers(-(2**b), 2**b)),
    st.tuples(st.sampled_from(BIT_WIDTHS), st.booleans()).flatmap(
        lambda wb: st.integers(2 ** (wb[0] - 1), 2 ** wb[0] - 1).map(lambda v: -v if wb[1] else v)
    ),
)
small_ns = st.one_of(st.integers(-300, 300), st.integers(-3, 12))
POS_MOD_EDGES = sorted(
    {
        b + d
        for b in (1, 2, 3, 7, 2**31, 2**32, 2**62, 2**63, 2**64, 2**127, 2**128, 2**129, 2**4096)
        for d in (-1, 0, 1)
    }
    - {0}
)
pos_mods = st.one_of(
    st.sampled_from(POS_MOD_EDGES),
    st.integers(1, 1000),
    st.integers(1, 2**66),
    st.integers(1, 2**200),
    st.integers(1, 2**3000),
)

texts = st.text(max_size=4)
non_int_scalars = st.one_of(
    st.tuples(st.just("float"), st.sampled_from([0.0, 1.0, -2.5, float("nan"), float("inf"), float("-inf"), 1e300])),
    st.tuples(st.just("str"), texts),
    st.tuples(st.just("bytes"), st.binary(max_size=4)),
    st.tuples(st.just("none")),
    st.tuples(st.just("complex")),
    st.tuples(st.just("object")),
    st.tuples(st.just("listval"), st.lists(st.integers(-3, 3), max_size=3)),
    st.tuples(st.just("index"), st.sampled_from(["float", "str", "none", "list", "raise"])),
)
int_like = st.one_of(
    st.tuples(st.just("int"), ints),
    st.tuples(st.just("bool"), st.booleans()),
    st.tuples(st.just("plainint"), ints),
    st.tuples(st.just("lyingint"), ints),
    st.tuples(st.just("index_int"), ints),
    st.tuples(st.just("index_sub"), ints),
    st.tuples(st.just("index_bool"), st.booleans()),
    st.tuples(st.just("index_lying"), ints),
)
# Mostly integers (so that valid calls are common), sometimes anything.
scalar_specs = st.one_of(
    st.tuples(st.just("int"), ints),
    st.tuples(st.just("int"), ints),
    st.tuples(st.just("int"), st.integers(-5, 5)),
    int_like,
    non_int_scalars,
)
mostly_valid_scalars = st.one_of(
    st.tuples(st.just("int"), ints),
    st.tuples(st.just("int"), st.integers(-5, 5)),
    st.tuples(st.just("int"), st.integers(-5, 5)),
    int_like,
    int_like,
)
valid_mod_specs = st.one_of(
    st.tuples(st.just("absent")),
    st.tuples(st.just("none")),
    st.tuples(st.just("int"), pos_mods),
    st.tuples(st.just("bool"), st.just(True)),
    st.tuples(st.just("plainint"), pos_mods),
    st.tuples(st.just("lyingint"), pos_mods),
    st.tuples(st.just("index_int"), pos_mods),
)
invalid_mod_specs = st.one_of(
    st.tuples(st.just("int"), st.sampled_from([0, -1, -2, -(2**64), -(2**200)])),
    st.tuples(st.just("bool"), st.just(False)),
    st.tuples(st.just("lyingint"), st.sampled_from([0, -5])),
    non_int_scalars,
)
# About four valid moduli (or none) for one invalid.
mod_specs = st.sampled_from([True, True, True, True, False]).flatmap(
    lambda valid: valid_mod_specs if valid else invalid_mod_specs
)


def build_scalar(spec):
    kind = spec[0]
    if kind == "int":
        return spec[1]
    if kind == "bool":
        return spec[1]
    if kind == "plainint":
        return PlainInt(spec[1])
    if kind == "lyingint":
        return LyingInt(spec[1])
    if kind == "index_int":
        return Idx(spec[1])
    if kind == "index_sub":
        return Idx(PlainInt(spec[1]))
    if kind == "index_bool":
        return Idx(spec[1])
    if kind == "index_lying":
        return Idx(LyingInt(spec[1]))
    if kind == "float":
        return spec[1]
    if kind == "str":
        return spec[1]
    if kind == "bytes":
        return spec[1]
    if kind == "none":
        return None
    if kind == "complex":
        return 1 + 2j
    if kind == "object":
        return object()
    if kind == "listval":
        return list(spec[1])
    if kind == "index":
        what = spec[1]
        if what == "raise":
            return RaisingIndex(FuzzError, "__index__ raised")
        return Idx({"float": 1.0, "str": "1", "none": None, "list": [1]}[what])
    raise AssertionError(spec)


def elems_for(k, elem):
    return st.lists(elem, min_size=k, max_size=k)


@st.composite
def iterable_specs(draw, k):
    """A spec of an iterable of (mostly) k integer-ish items, or of something hostile."""
    shape = draw(
        st.sampled_from(
            ["list"] * 14
            + ["tuple"] * 5
            + ["gen"] * 4
            + ["set", "dict", "bytes", "range", "getitem"] * 2
            + ["raising", "iter_raises", "iter_nonit", "str", "scalar", "list_any"]
        )
    )
    if shape in ("list", "tuple", "gen", "set", "dict", "getitem"):
        return (shape, draw(elems_for(k, mostly_valid_scalars)))
    if shape == "list_any":
        return ("list", draw(elems_for(k, scalar_specs)))
    if shape == "bytes":
        return ("bytes", draw(st.binary(min_size=k, max_size=k)))
    if shape == "range":
        start = draw(st.integers(-(2**70), 2**70))
        step = draw(st.sampled_from([1, -1, 3, 2**64, -(2**65)]))
        return ("range", start, start + step * k, step)
    if shape == "raising":
        items = draw(elems_for(k, mostly_valid_scalars))
        return ("raising", items, draw(st.integers(0, k)))
    if shape == "str":
        return ("str", draw(st.text(min_size=k, max_size=k)))
    if shape == "scalar":
        return ("scalar", draw(scalar_specs))
    return (shape,)


ONE_SHOT = {"gen", "raising"}


def build_iterable(spec):
    kind = spec[0]
    if kind == "list":
        return [build_scalar(s) for s in spec[1]]
    if kind == "tuple":
        return tuple(build_scalar(s) for s in spec[1])
    if kind == "gen":
        items = [build_scalar(s) for s in spec[1]]
        return (x for x in items)
    if kind == "set":
        return {build_scalar(s) for s in spec[1] if _hashable(s)}
    if kind == "dict":
        return {build_scalar(s): None for s in spec[1] if _hashable(s)}
    if kind == "getitem":
        return GetItemSeq(build_scalar(s) for s in spec[1])
    if kind == "bytes":
        return spec[1]
    if kind == "range":
        return range(spec[1], spec[2], spec[3])
    if kind == "raising":
        return RaisingIterable([build_scalar(s) for s in spec[1]], spec[2])
    if kind == "iter_raises":
        return IterRaises()
    if kind == "iter_nonit":
        return IterNonIterator()
    if kind == "str":
        return spec[1]
    if kind == "scalar":
        return build_scalar(spec[1])
    raise AssertionError(spec)


def _hashable(spec):
    return spec[0] != "listval"


def pair_iterable(spec):
    """(object for the implementation, object for the reference) -- the same object unless
    iterating it consumes it."""
    obj = build_iterable(spec)
    return obj, (build_iterable(spec) if spec[0] in ONE_SHOT else obj)


# ---------------------------------------------------------------------------
# Reference semantics of argument conversion
# ---------------------------------------------------------------------------


def ref_index(x):
    """('ok', exact int) or ('err', exception type), as operator.index sees x."""
    try:
        v = operator.index(x)
    except FuzzError:
        return ("err", FuzzError)
    except TypeError:
        return ("err", TypeError)
    assert type(v) is int
    return ("ok", v)


def ref_items(obj):
    """('ok', [exact ints]) or ('err', exception type) for consuming an iterable."""
    try:
        it = iter(obj)
    except FuzzError:
        return ("err", FuzzError)
    except TypeError:
        return ("err", TypeError)
    out = []
    while True:
        try:
            x = next(it)
        except StopIteration:
            return ("ok", out)
        except FuzzError:
            return ("err", FuzzError)
        r = ref_index(x)
        if r[0] == "err":
            return r
        out.append(r[1])


def ref_mod(obj, given_):
    """('ok', None or positive int) or ('err', type)."""
    if not given_ or obj is None:
        return ("ok", None)
    r = ref_index(obj)
    if r[0] == "ok" and r[1] <= 0:
        return ("err", ValueError)
    return r


def build_mod(spec):
    if spec[0] == "absent":
        return False, None
    return True, build_scalar(spec)


def mod_kwargs(given_, m):
    return {"mod": m} if given_ else {}


# ---------------------------------------------------------------------------
# Oracle helpers
# ---------------------------------------------------------------------------

STATS = {"cases": 0, "calls": 0, "skipped": 0, "ok": 0, "raised": 0}


def _chain(e):
    seen = []
    while e is not None and e not in seen:
        seen.append(e)
        e = e.__cause__ or e.__context__
    return seen


def call_expect(what, fn, allowed, must_raise):
    """Calls fn(); an exception must be an instance of one of ``allowed`` (a user FuzzError
    may also arrive chained). With must_raise, returning is a violation. Returns
    (True, value) or (False, exception)."""
    STATS["calls"] += 1
    try:
        value = fn()
    except BaseException as e:  # noqa: BLE001 - everything is judged here
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        ok = isinstance(e, tuple(allowed)) or isinstance(e, MemoryError)
        if not ok and FuzzError in allowed:
            ok = any(isinstance(c, FuzzError) for c in _chain(e))
        if not ok:
            raise Violation(
                f"{what}: raised {type(e).__name__}: {e!r}; allowed: "
                f"{sorted(t.__name__ for t in allowed)}\n" + "".join(traceback.format_exception(e))
            ) from None
        STATS["raised"] += 1
        return False, e
    if must_raise:
        raise Violation(f"{what}: returned {short(value)}, expected one of {sorted(t.__name__ for t in allowed)}")
    STATS["ok"] += 1
    return True, value


def short(x, limit=300):
    try:
        r = repr(x)
    except Exception as e:  # noqa: BLE001
        r = f"<repr failed: {e!r}>"
    return r if len(r) <= limit else r[:limit] + "...(%d chars)" % len(r)


def check(cond, msg):
    if not cond:
        raise Violation(msg)


def exact_int(v, what):
    check(type(v) is int, f"{what}: {short(v)} is a {type(v).__name__}, not an exact int")


# (p, q) whose characteristic roots all have |root| <= 1: U_n, V_n grow at most like n.
POLY_GROWTH = {(0, 0), (1, 0), (-1, 0), (0, 1), (1, 1), (-1, 1), (2, 1), (-2, 1), (0, -1)}
COMPUTE_BITS = 2**18  # compare exact results up to about this many bits
REFUSE_N = 2**68  # with growth >= 1/2 bit per step: >= 2**67 bits, cannot fit any memory


# ---------------------------------------------------------------------------
# The n-th term functions
# ---------------------------------------------------------------------------

FUNCS = {
    "fibonacci": (lucas.fibonacci, ("n",)),
    "lucas": (lucas.lucas, ("n",)),
    "lucas_u": (lucas.lucas_u, ("n", "p", "q")),
    "lucas_v": (lucas.lucas_v, ("n", "p", "q")),
    "lucas_uv": (lucas.lucas_uv, ("n", "p", "q")),
}


def check_function(name, args, refs, mod_given, m):
    """One call of a function with positional ``args`` (refs: the reference twins)."""
    fn = FUNCS[name][0]
    errs, vals = set(), []
    for r in refs:
        r = ref_index(r)
        if r[0] == "err":
            errs.add(r[1])
        else:
            vals.append(r[1])
    rm = ref_mod(m, mod_given)
    if rm[0] == "err":
        errs.add(rm[1])
    modulus = rm[1] if rm[0] == "ok" else None
    kwargs = mod_kwargs(mod_given, m)
    what = f"{name}(*{short(args)}, **{short(kwargs)})"
    if name in ("fibonacci", "lucas"):
        p, q = 1, -1
        n = vals[0] if len(vals) == 1 else None
    else:
        n, p, q = vals if len(vals) == 3 else (None, None, None)
        # n may be invalid while q is valid and vice versa: look at each separately.
        rn, rq = ref_index(refs[0]), ref_index(refs[2])
        if rn[0] == "ok" and rq[0] == "ok" and rn[1] < 0 and rq[1] not in (1, -1):
            if modulus is None or math.gcd(rq[1], modulus) != 1:
                errs.add(ValueError)
    if errs:
        call_expect(what, lambda: fn(*args, **kwargs), errs, must_raise=True)
        return
    if modulus is None and (p, q) not in POLY_GROWTH:
        bits = abs(n) * (max(p.bit_length(), q.bit_length()) + 1)
        if bits > COMPUTE_BITS:
            if abs(n) >= REFUSE_N:
                call_expect(what, lambda: fn(*args, **kwargs), {OverflowError, MemoryError}, must_raise=True)
            else:
                STATS["skipped"] += 1  # legitimately slow: not called
            return
    u, v = uv_any(n, p, q, modulus)
    expected = {"fibonacci": u, "lucas": v, "lucas_u": u, "lucas_v": v, "lucas_uv": (u, v)}[name]
    _, got = call_expect(what, lambda: fn(*args, **kwargs), (), must_raise=False)
    if name == "lucas_uv":
        check(type(got) is tuple and len(got) == 2, f"{what}: {short(got)} is not a pair")
        for g in got:
            exact_int(g, what)
    else:
        exact_int(got, what)
    check(got == expected, f"{what} = {short(got)}, model says {short(expected)}")


# ---------------------------------------------------------------------------
# LucasIter
# ---------------------------------------------------------------------------


def expected_iter(coef_ref, init_ref, mod_given, m):
    """(set of allowed exception types, or None) and the model iterator if valid."""
    errs = set()
    rc, ri, rm = ref_items(coef_ref), ref_items(init_ref), ref_mod(m, mod_given)
    for r in (rc, ri, rm):
        if r[0] == "err":
            errs.add(r[1])
    if rc[0] == "ok" and not rc[1]:
        errs.add(ValueError)
    if rc[0] == "ok" and ri[0] == "ok" and len(rc[1]) != len(ri[1]):
        errs.add(ValueError)
    if errs:
        return errs, None
    return None, ModelLucasIter(rc[1], ri[1], mod=rm[1])


def n_terms(model):
    """How many terms to compare: fewer when the values are huge."""
    k = len(model._coeffs)
    big = max([abs(c).bit_length() for c in model._coeffs] + [abs(v).bit_length() for v in model._window])
    if model._mod is None and big > 2000:
        return k + 3
    if model._mod is None and big > 64:
        return k + 8
    return k + 20


def check_stream(what, it, model, count):
    for i in range(count):
        got = next(it)
        exp = next(model)
        exact_int(got, f"{what}: term {i}")
        check(got == exp, f"{what}: term {i} is {short(got)}, model says {short(exp)}")
        if model._mod is not None:
            check(0 <= got < model._mod, f"{what}: term {i} = {short(got)} outside range(mod)")


def check_iter_surface(what, it, model, data):
    cls = type(it)
    k = len(model._coeffs)
    check(iter(it) is it, f"{what}: iter(it) is not it")
    coefs = it.coefficients
    check(type(coefs) is tuple, f"{what}: coefficients is a {type(coefs).__name__}")
    for c in coefs:
        exact_int(c, f"{what}: coefficient")
    check(list(coefs) == model._coeffs, f"{what}: coefficients {short(coefs)} != {short(model._coeffs)}")
    mval = it.mod
    if model._mod is None:
        check(mval is None, f"{what}: mod is {short(mval)}, expected None")
    else:
        exact_int(mval, f"{what}: mod")
        check(mval == model._mod, f"{what}: mod is {short(mval)} != {short(model._mod)}")
    for attr in ("coefficients", "mod"):
        for op in ("set", "del"):
            try:
                if op == "set":
                    setattr(it, attr, (1,))
                else:
                    delattr(it, attr)
            except AttributeError:
                pass
            else:
                raise Violation(f"{what}: {op} of read-only attribute {attr!r} succeeded")
    if cls is lucas.LucasIter:
        try:
            it.some_new_attribute = 1
        except AttributeError:
            pass
        else:
            raise Violation(f"{what}: base instance accepted a new attribute")
    size = it.__sizeof__()
    exact_int(size, f"{what}: __sizeof__")
    check(size > 0 and sys.getsizeof(it) >= size, f"{what}: __sizeof__ {size}")

    first = data.draw(st.integers(0, k + 3), label="advance before copying")
    check_stream(what, it, model, first)

    ops = data.draw(
        st.lists(st.sampled_from(["repr", "copy", "deepcopy", "pickle", "reduce"]), min_size=1, max_size=3),
        label="copy ops",
    )
    for op in ops:
        if op == "repr":
            text = repr(it)
            check(isinstance(text, str) and text.startswith(cls.__name__ + "("), f"{what}: repr {short(text)}")
            clone = eval(text, {cls.__name__: cls})  # noqa: S307 - our own repr
        elif op == "copy":
            clone = copy.copy(it)
        elif op == "deepcopy":
            clone = copy.deepcopy(it)
        elif op == "pickle":
            proto = data.draw(st.integers(0, pickle.HIGHEST_PROTOCOL), label="protocol")
            # Protocols 0 and 1 write ints in decimal: past sys.get_int_max_str_digits()
            # pickling the bare ints of the state fails (ValueError), and so must this.
            try:
                pickle.dumps((tuple(model._coeffs), tuple(model._window), model._mod), proto)
            except ValueError:
                call_expect(
                    f"{what}: pickle.dumps(it, {proto})",
                    lambda proto=proto: pickle.dumps(it, proto),
                    {ValueError},
                    True,
                )
                continue
            clone = pickle.loads(pickle.dumps(it, proto))
        else:
            red = it.__reduce__()
            check(isinstance(red, tuple) and len(red) >= 2 and callable(red[0]), f"{what}: __reduce__ {short(red)}")
            clone = red[0](*red[1])
            state = red[2] if len(red) > 2 else None
            if state is not None:  # what copy._reconstruct does with it
                slotstate = None
                if isinstance(state, tuple) and len(state) == 2:
                    state, slotstate = state
                if state:
                    clone.__dict__.update(state)
                for key, value in (slotstate or {}).items():
                    setattr(clone, key, value)
        check(type(clone) is cls, f"{what}: {op} gave a {type(clone).__name__}, not {cls.__name__}")
        check(clone is not it, f"{what}: {op} returned the same object")
        if op != "repr" and cls is Sub:
            check(clone.__dict__ == it.__dict__, f"{what}: {op} lost __dict__ {it.__dict__} -> {clone.__dict__}")
        if op != "repr" and cls is SlotSub:
            check(getattr(clone, "a", "unset") == getattr(it, "a", "unset"), f"{what}: {op} lost slot a")
        # The clone continues like the model; the original is untouched by the clone's run.
        clone_model = copy.deepcopy(model)
        check_stream(f"{what} [{op} clone]", clone, clone_model, 4)
        check_stream(f"{what} [after {op}]", it, model, 2)
    check_stream(what, it, model, max(0, n_terms(model) - first))


@st.composite
def iter_args(draw):
    k = draw(st.one_of(st.integers(1, 4), st.integers(0, 8), st.sampled_from([40, 100])))
    k2 = k if draw(st.integers(0, 9)) else draw(st.integers(0, 9))
    return draw(iterable_specs(k)), draw(iterable_specs(k2)), draw(mod_specs)


CLASSES = {"LucasIter": lucas.LucasIter, "Sub": Sub, "SlotSub": SlotSub}


def check_constructor(how, cls_name, cspec, ispec, mspec, data):
    cls = CLASSES.get(cls_name)
    coef, coef_ref = pair_iterable(cspec)
    init, init_ref = pair_iterable(ispec)
    mod_given, m = build_mod(mspec)
    errs, model = expected_iter(coef_ref, init_ref, mod_given, m)
    if how == "call":
        kwargs = mod_kwargs(mod_given, m)
        what = f"{cls_name}({short(coef)}, {short(init)}, **{short(kwargs)})"

        def fn():
            return cls(coef, init, **kwargs)
    elif how == "new":
        kwargs = mod_kwargs(mod_given, m)
        target = {"int": int, "object": object, "NotASub": NotASub, "type": type}.get(cls_name, cls)
        what = f"LucasIter.__new__({cls_name}, {short(coef)}, {short(init)}, **{short(kwargs)})"
        if cls is None:
            # CPython's tp_new wrapper refuses a non-subtype before lucas sees anything.
            call_expect(what, lambda: lucas.LucasIter.__new__(target, coef, init, **kwargs), {TypeError}, True)
            return

        def fn():
            return lucas.LucasIter.__new__(target, coef, init, **kwargs)
    else:  # _reconstruct(cls, coefficients, window, mod)
        target = {
            "int": int,
            "object": object,
            "NotASub": NotASub,
            "type": type,
            "none": None,
            "instance": lucas.LucasIter([1], [1]),
        }.get(cls_name, cls)
        mm = m if mod_given else None
        what = f"_reconstruct({cls_name}, {short(coef)}, {short(init)}, {short(mm)})"
        if cls is None:
            errs = (errs or set()) | {TypeError}

        def fn():
            return lucas._reconstruct(target, coef, init, mm)

    if errs:
        call_expect(what, fn, errs, must_raise=True)
        return
    _, it = call_expect(what, fn, (), must_raise=False)
    check(type(it) is cls, f"{what}: built a {type(it).__name__}")
    if cls is Sub:
        it.tag = data.draw(st.integers(), label="tag")
    if cls is SlotSub and data.draw(st.booleans(), label="set slot"):
        it.a = [1, 2]
    check_iter_surface(what, it, model, data)


# ---------------------------------------------------------------------------
# Jump-ahead: nth_term, LucasIter.advance and .state
# ---------------------------------------------------------------------------

# How far the models step: beyond this (or when there is no modulus and the values are
# big) a valid call is not made, as computing its expected value would take too long.
STEP_LIMIT = 300
MATRIX_MOD_BITS = 256  # companion-matrix model for huge n: order <= 8, moduli this small

jump_ns = st.one_of(
    st.tuples(st.just("int"), small_ns),
    st.tuples(st.just("int"), st.integers(-40, 40)),
    st.tuples(st.just("int"), st.sampled_from([2**63 - 1, 2**63, 2**64, 10**30, 2**200 + 1, -(2**64)])),
    scalar_specs,
)


def expected_jump(coefs, window, n, mod):
    """("value", x_n) or ("error", {types}) or ("skip", None) for a valid recurrence."""
    k = len(coefs)
    if n < 0 and not runs_backwards(coefs, mod):
        return "error", {ValueError}
    if mod is None:
        big = max(abs(v).bit_length() for v in coefs + window)
        if abs(n) > (STEP_LIMIT if big <= 64 and k <= 8 else 40):
            return "skip", None
        return "value", term(coefs, window, n, mod)
    if abs(n) <= STEP_LIMIT:
        return "value", term(coefs, window, n, mod)
    if n > 0 and k <= 8 and mod.bit_length() <= MATRIX_MOD_BITS:
        return "value", matrix_term(coefs, window, n, mod)
    return "skip", None


def check_jump(data):
    cspec, ispec, mspec = data.draw(iter_args(), label="coefficients, initial, mod")
    nspec = data.draw(jump_ns, label="n")
    if VERBOSE[0]:
        print("   ", short(cspec, 2000), short(ispec, 2000), short(nspec), short(mspec, 2000), flush=True)
    coef, coef_ref = pair_iterable(cspec)
    init, init_ref = pair_iterable(ispec)
    mod_given, m = build_mod(mspec)
    n, n_ref = build_scalar(nspec), build_scalar(nspec)
    kwargs = mod_kwargs(mod_given, m)
    what = f"nth_term({short(coef)}, {short(init)}, {short(n)}, **{short(kwargs)})"
    errs, model = expected_iter(coef_ref, init_ref, mod_given, m)
    errs = set(errs or ())
    rn = ref_index(n_ref)
    if rn[0] == "err":
        errs.add(rn[1])
    if errs:
        call_expect(what, lambda: lucas.nth_term(coef, init, n, **kwargs), errs, must_raise=True)
        return
    coefs, window, mod, nv = list(model._coeffs), list(model._window), model._mod, rn[1]
    kind, expected = expected_jump(coefs, window, nv, mod)
    if kind == "skip":
        STATS["skipped"] += 1
        return
    if kind == "error":
        call_expect(what, lambda: lucas.nth_term(coef, init, n, **kwargs), expected, must_raise=True)
    else:
        _, got = call_expect(what, lambda: lucas.nth_term(coef, init, n, **kwargs), (), must_raise=False)
        exact_int(got, what)
        check(got == expected, f"{what} = {short(got)}, model says {short(expected)}")
    # The same jump on an iterator (of a subclass, sometimes) that has already moved.
    cls = data.draw(st.sampled_from([lucas.LucasIter, Sub, SlotSub]), label="advance cls")
    it = cls(coefs, window, mod=mod)
    before = it.state
    check(type(before) is tuple and list(before) == window, f"{what}: state {short(before)} != {short(window)}")
    what = f"{cls.__name__}({short(coefs)}, {short(window)}, mod={short(mod)}).advance({short(n)})"
    n_again = build_scalar(nspec)
    if kind == "error":
        call_expect(what, lambda: it.advance(n_again), expected, must_raise=True)
        check(it.state == before, f"{what}: a failed advance changed the state to {short(it.state)}")
        return
    _, got = call_expect(what, lambda: it.advance(n_again), (), must_raise=False)
    check(got is None, f"{what} returned {short(got)}, not None")
    state = it.state
    check(type(state) is tuple and len(state) == len(coefs), f"{what}: state {short(state)}")
    for v in state:
        exact_int(v, f"{what}: state")
    check(state[0] == expected, f"{what}: state[0] = {short(state[0])}, model says {short(expected)}")
    check(next(it) == expected, f"{what}: next() after advance is not x_n")
    if mod is not None:
        check(all(0 <= v < mod for v in state), f"{what}: state {short(state)} outside range(mod)")


# ---------------------------------------------------------------------------
# Probable-prime tests
# ---------------------------------------------------------------------------

PRP_FUNCS = {
    "is_strong_prp": (("n", "a"), prp_model.strong_prp),
    "is_lucas_prp": (("n", "p", "q"), lambda n, p, q: prp_model.lucas_prp(n, p, q, "plain")),
    "is_strong_lucas_prp": (("n", "p", "q"), lambda n, p, q: prp_model.lucas_prp(n, p, q, "strong")),
    "is_extra_strong_lucas_prp": (("n", "p"), lambda n, p: prp_model.lucas_prp(n, p, 1, "extra")),
    "is_selfridge_prp": (("n",), lambda n: prp_model.selfridge_prp(n, "plain")),
    "is_strong_selfridge_prp": (("n",), lambda n: prp_model.selfridge_prp(n, "strong")),
    "is_bpsw_prp": (("n",), lambda n: prp_model.bpsw_prp(n, "plain")),
    "is_strong_bpsw_prp": (("n",), lambda n: prp_model.bpsw_prp(n, "strong")),
}
# Word-sized and multi-limb n: primes, products of primes, Carmichael and strong
# pseudoprimes, squares, and anything else.
PRP_PRIMES = [3, 5, 7, 97, 2**31 - 1, 2**61 - 1, 2**64 - 59, 2**64 + 13, 2**89 - 1, 2**127 - 1]
prp_ns = st.one_of(
    st.integers(-5, 3000),
    st.integers(0, 2**64 + 2**20),
    st.integers(2**64 - 3000, 2**64 + 3000),
    st.integers(0, 2**200),
    st.sampled_from(PRP_PRIMES + [561, 2047, 3215031751, 5459, 5777, 10877, 2**64 - 1]),
    st.builds(lambda x, y: x * y, st.sampled_from(PRP_PRIMES), st.sampled_from(PRP_PRIMES)),
)
prp_params = st.one_of(st.integers(-30, 30), st.integers(-(2**70), 2**70), st.sampled_from(EDGES))


def check_prp(data):
    name = data.draw(st.sampled_from(sorted(PRP_FUNCS)), label="prp test")
    params, model = PRP_FUNCS[name]
    specs = [
        data.draw(
            st.one_of(
                st.tuples(st.just("int"), prp_ns if i == 0 else prp_params),
                st.tuples(st.just("int"), prp_ns if i == 0 else prp_params),
                mostly_valid_scalars,
                scalar_specs,
            ),
            label=f"arg{i}",
        )
        for i in range(len(params))
    ]
    if VERBOSE[0]:
        print("   ", name, short(specs, 2000), flush=True)
    check_prp_call(name, [build_scalar(s) for s in specs], [build_scalar(s) for s in specs])


def check_prp_call(name, args, ref_args):
    """One call of a probable-prime test with positional ``args`` (ref_args: their twins)."""
    model = PRP_FUNCS[name][1]
    refs = [ref_index(a) for a in ref_args]
    fn = getattr(lucas, name)
    what = f"{name}(*{short(args)})"
    errs = {r[1] for r in refs if r[0] == "err"}
    if errs:
        call_expect(what, lambda: fn(*args), errs, must_raise=True)
        return
    values = [r[1] for r in refs]
    if values[0].bit_length() > 200 or any(v.bit_length() > 3000 for v in values[1:]):
        STATS["skipped"] += 1  # the slow models only
        return
    try:
        expected = model(*values)
    except ValueError:
        call_expect(what, lambda: fn(*args), {ValueError}, must_raise=True)
        return
    _, got = call_expect(what, lambda: fn(*args), (), must_raise=False)
    check(type(got) is bool, f"{what}: {short(got)} is a {type(got).__name__}, not a bool")
    check(got == expected, f"{what} = {got}, model says {expected}")


# ---------------------------------------------------------------------------
# Wrong arity / keywords
# ---------------------------------------------------------------------------

ARITY = {
    "fibonacci": 1,
    "lucas": 1,
    "lucas_u": 3,
    "lucas_v": 3,
    "lucas_uv": 3,
    "LucasIter": 2,
    "_reconstruct": 4,
    "nth_term": 3,
    **{name: len(params) for name, (params, _) in PRP_FUNCS.items()},
}
KW_NAMES = ["mod", "mod", "n", "p", "q", "coefficients", "initial", "cls", "window", "x", "Mod", "mod_"]


def check_arity(data):
    name = data.draw(st.sampled_from(sorted(ARITY)), label="callable")
    nargs = data.draw(st.integers(0, 6), label="nargs")
    if name in ("LucasIter", "_reconstruct", "nth_term"):
        arg_specs = [
            data.draw(st.one_of(iterable_specs(2), st.tuples(st.just("scalar"), scalar_specs)), label="arg")
            for _ in range(nargs)
        ]
        pairs = [pair_iterable(s) for s in arg_specs]
        args, refs = [a for a, _ in pairs], [r for _, r in pairs]
    else:
        args = refs = [build_scalar(data.draw(scalar_specs, label="arg")) for _ in range(nargs)]
    kw = data.draw(st.lists(st.sampled_from(KW_NAMES), max_size=3, unique=True), label="keywords")
    kwargs = {k: build_scalar(data.draw(scalar_specs, label="kwarg")) for k in kw}
    allowed_kw = set() if name == "_reconstruct" or name in PRP_FUNCS else {"mod"}
    fn = {"LucasIter": lucas.LucasIter, "_reconstruct": lucas._reconstruct}.get(name) or getattr(lucas, name)
    what = f"{name}(*{short(args)}, **{short(kwargs)})"
    if nargs != ARITY[name] or set(kwargs) - allowed_kw:
        call_expect(what, lambda: fn(*args, **kwargs), {TypeError}, must_raise=True)
        return
    STATS["arity_ok_shape"] = STATS.get("arity_ok_shape", 0) + 1
    # Right shape: the ordinary oracle (arguments here are all reusable objects).
    if name in FUNCS:
        check_function(name, args, args, "mod" in kwargs, kwargs.get("mod"))
    elif name in PRP_FUNCS:
        check_prp_call(name, args, args)
    elif name == "nth_term":
        STATS["skipped"] += 1  # the right shape: the "jump" target's oracle covers it
    elif name == "LucasIter":
        errs, _ = expected_iter(refs[0], refs[1], "mod" in kwargs, kwargs.get("mod"))
        call_expect(what, lambda: fn(*args, **kwargs), errs or (), must_raise=bool(errs))
    else:
        cls = args[0]
        ok_cls = isinstance(cls, type) and issubclass(cls, lucas.LucasIter)
        errs, _ = expected_iter(refs[1], refs[2], True, refs[3])
        errs = set(errs or ()) | (set() if ok_cls else {TypeError})
        call_expect(what, lambda: fn(*args), errs, must_raise=bool(errs))


# ---------------------------------------------------------------------------
# The test
# ---------------------------------------------------------------------------

TARGETS = (
    ["iter"] * 4
    + ["sub", "new", "reconstruct", "fib", "fib", "luc", "u", "v", "uv", "uv", "arity", "arity"]
    + ["jump"] * 3
    + ["prp"] * 3
)
VERBOSE = [False]
WATCHDOG_S = 120  # per batch


def one_case(data):
    STATS["cases"] += 1
    target = data.draw(st.sampled_from(TARGETS), label="target")
    before = STATS["ok"]
    try:
        _dispatch(target, data)
    finally:
        key = ("returned " if STATS["ok"] > before else "raised/skipped ") + target
        STATS.setdefault("targets", {}).setdefault(key, 0)
        STATS["targets"][key] += 1


def _dispatch(target, data):
    if VERBOSE[0]:
        print(f"case {STATS['cases']}: {target}", flush=True)
    if target in ("iter", "sub"):
        cspec, ispec, mspec = data.draw(iter_args(), label="coefficients, initial, mod")
        cls_name = "LucasIter" if target == "iter" else data.draw(st.sampled_from(["Sub", "SlotSub"]), label="cls")
        if VERBOSE[0]:
            print("   ", cls_name, short(cspec, 2000), short(ispec, 2000), short(mspec, 2000), flush=True)
        check_constructor("call", cls_name, cspec, ispec, mspec, data)
    elif target in ("new", "reconstruct"):
        cls_name = data.draw(
            st.sampled_from(
                ["LucasIter", "Sub", "SlotSub", "int", "object", "NotASub", "type"]
                + (["none", "instance"] if target == "reconstruct" else [])
            ),
            label="cls",
        )
        cspec, ispec, mspec = data.draw(iter_args(), label="coefficients, initial, mod")
        if VERBOSE[0]:
            print("   ", cls_name, short(cspec, 2000), short(ispec, 2000), short(mspec, 2000), flush=True)
        check_constructor("new" if target == "new" else "reconstruct", cls_name, cspec, ispec, mspec, data)
    elif target == "arity":
        check_arity(data)
    elif target == "jump":
        check_jump(data)
    elif target == "prp":
        check_prp(data)
    else:
        name = {"fib": "fibonacci", "luc": "lucas", "u": "lucas_u", "v": "lucas_v", "uv": "lucas_uv"}[target]
        nparams = len(FUNCS[name][1])
        specs = [
            data.draw(
                st.one_of(
                    st.tuples(st.just("int"), small_ns if i == 0 else ints),
                    st.tuples(st.just("int"), ints),
                    scalar_specs,
                ),
                label=f"arg{i}",
            )
            for i in range(nparams)
        ]
        mspec = data.draw(mod_specs, label="mod")
        if VERBOSE[0]:
            print("   ", name, short(specs, 2000), short(mspec, 2000), flush=True)
        args = [build_scalar(s) for s in specs]
        refs = [build_scalar(s) for s in specs]
        mod_given, m = build_mod(mspec)
        check_function(name, args, refs, mod_given, m)


def run_batch(batch_seed, examples):
    @hypothesis_seed(batch_seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(st.data())
    def fuzz(data):
        one_case(data)

    # A hang (or a call that legitimately takes minutes, which the oracle avoids) kills
    # the process with a traceback of every thread: the watchdog thread needs no GIL.
    faulthandler.dump_traceback_later(WATCHDOG_S, exit=True)
    try:
        fuzz()
    finally:
        faulthandler.cancel_dump_traceback_later()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    budget = ap.add_mutually_exclusive_group()
    budget.add_argument(
        "--cases", type=int, default=None, help="run this many examples (default 600; the reproducible mode)"
    )
    budget.add_argument(
        "--seconds", type=float, default=None, help="run batches until this many seconds have elapsed (exploration)"
    )
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--batch", type=int, default=100, help="examples per hypothesis run")
    ap.add_argument("--start-batch", type=int, default=0, help="skip to this batch (reproduction)")
    ap.add_argument("--verbose", action="store_true")
    opts = ap.parse_args(argv)
    if opts.cases is None and opts.seconds is None:
        opts.cases = 600
    master = opts.seed if opts.seed is not None else random.SystemRandom().randrange(2**32)
    VERBOSE[0] = opts.verbose
    print(f"fuzz: seed {master} (reproduce with --seed {master})", flush=True)
    faulthandler.enable()
    start = time.monotonic()
    batch = opts.start_batch
    examples = 0

    def more():
        if opts.cases is not None:
            return examples < opts.cases
        return time.monotonic() < start + opts.seconds

    try:
        # Fixed-size batches with seeds derived from the master seed: the same --seed (and
        # --batch) replays the same examples, whatever the machine's speed.
        while more():
            size = opts.batch if opts.cases is None else min(opts.batch, opts.cases - examples)
            run_batch(master * 1_000_003 + batch, size)
            examples += size
            batch += 1
    except Exception:  # noqa: BLE001 - hypothesis has printed the falsifying example
        traceback.print_exc()
        print(
            f"fuzz: FAILED in batch {batch} after {STATS['cases']} cases; reproduce with "
            f"--seed {master} --batch {opts.batch} --start-batch {batch}",
            flush=True,
        )
        return 1
    elapsed = time.monotonic() - start
    print(
        f"fuzz: calls {STATS['calls']}, returned {STATS['ok']}, raised {STATS['raised']}, "
        f"skipped (too slow to compute) {STATS['skipped']}, {elapsed:.1f} s",
        flush=True,
    )
    if VERBOSE[0]:
        print("fuzz: per target:", sorted(STATS.get("targets", {}).items()), flush=True)
    # Examples hypothesis asked for (max_examples per batch) and cases one_case ran (a few
    # more when hypothesis discards an example that overran its buffer).
    print(f"fuzz: {examples} examples, {STATS['cases']} cases in {batch - opts.start_batch} batches", flush=True)
    return 0


if __name__ == "__main__":
    # Run from the importable module `fuzz_api` (tests/ is on sys.path), so that pickle
    # finds Sub and SlotSub however this script was started (python, -m cProfile, ...).
    import fuzz_api

    sys.exit(fuzz_api.main())
