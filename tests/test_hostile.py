"""Hostile inputs for ``lucas``: user code that raises, lies, mutates, collects, recurses
or interrupts while the extension is converting its arguments, and edge-sized ints.

Every case runs in a child process (``sys.executable -c``), so a crash of the extension
is a failed test and not a dead pytest. The child asserts the expected behaviour itself
and prints a marker as its last act; the parent requires exit status 0 and the marker.
Expected values come from tests/support/model.py, tests/support/fn_model.py, ``operator.index`` and
plain-Python reasoning about what an iteration yields -- never from lucas's own output.
"""

import os
import subprocess
import sys
import textwrap

from conftest import module_path

TESTS = os.path.dirname(os.path.abspath(__file__))
MARKER = "HOSTILE-CHILD-OK"

PRELUDE = r'''
import copy, faulthandler, gc, operator, pickle, sys, warnings, weakref
from itertools import islice
faulthandler.enable()
import lucas
from lucas import LucasIter
from support.model import ModelLucasIter, take
from support import fn_model


class Boom(Exception):
    """The user's own exception."""


def raises(exc, fn, *args, **kwargs):
    """Calls fn; it must raise an instance of exc (returned)."""
    try:
        value = fn(*args, **kwargs)
    except BaseException as e:  # KeyboardInterrupt too
        if isinstance(e, exc):
            return e
        raise AssertionError(f"expected {exc}, got {type(e).__name__}: {e!r}") from e
    raise AssertionError(f"expected {exc}, but {fn} returned {value!r:.200}")


def propagates(err, fn, *args, **kwargs):
    """fn must raise the user's exception instance `err` itself, or one chained to it."""
    e = raises(BaseException, fn, *args, **kwargs)
    chain, x = [], e
    while x is not None and not any(x is c for c in chain):
        chain.append(x)
        x = x.__cause__ or x.__context__
    assert any(c is err for c in chain), f"{err!r} replaced by {type(e).__name__}: {e!r}"
    return e


def exact_ints(values):
    values = list(values)
    assert all(type(v) is int for v in values), [type(v) for v in values]
    return values


def like_model(it, coefficients, initial, mod=None, n=60):
    """The next n values of `it` equal the model's first n, all exact ints."""
    model = ModelLucasIter(coefficients, initial, mod=mod)
    got, expected = exact_ints(take(it, n)), take(model, n)
    assert got == expected, (got[:8], expected[:8])
    return got


def fn_expected(name, n, p=1, q=-1, mod=None):
    """The model value of lucas.<name>(n[, p, q], mod=mod)."""
    if name in ("fibonacci", "lucas"):
        p, q = 1, -1  # F = U(1, -1), L = V(1, -1)
    u, v = fn_model.uv_exact(n, p, q)
    if mod is not None:
        u, v = u % mod, v % mod
    return {"fibonacci": u, "lucas": v, "lucas_u": u, "lucas_v": v, "lucas_uv": (u, v)}[name]


FUNCS = ("fibonacci", "lucas", "lucas_u", "lucas_v", "lucas_uv")


def call_fn(name, n, p=None, q=None, **kw):
    f = getattr(lucas, name)
    return f(n, **kw) if name in ("fibonacci", "lucas") else f(n, p, q, **kw)
'''


def child(code, timeout=90, args=()):
    """Runs PRELUDE + code in a fresh interpreter; returns its stdout."""
    source = PRELUDE + "\n" + textwrap.dedent(code) + f"\nprint({MARKER!r})\n"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(module_path() + [TESTS] + [p for p in [env.get("PYTHONPATH")] if p])
    # In tests/, not the root: `-c` puts the working directory first on sys.path, and the
    # root holds the in-place build, which must not shadow an installed wheel under test.
    proc = subprocess.run(
        [sys.executable, *args, "-c", source],
        cwd=TESTS,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    report = f"exit status {proc.returncode}\n--- stdout\n{proc.stdout[-6000:]}\n--- stderr\n{proc.stderr[-6000:]}"
    assert proc.returncode == 0, report
    assert proc.stdout.rstrip().endswith(MARKER), report
    return proc.stdout


# ---------------------------------------------------------------------------
# Iterables that raise
# ---------------------------------------------------------------------------


def test_iterables_that_raise_midway():
    child(r'''
    def gen_raising(items, err):
        yield from items
        raise err

    class IterRaisesInNext:
        def __init__(self, items, err):
            self.items, self.err = list(items), err
        def __iter__(self):
            return self
        def __next__(self):
            if not self.items:
                raise self.err
            return self.items.pop(0)

    class IterRaisesInIter:
        def __init__(self, err):
            self.err = err
        def __iter__(self):
            raise self.err

    class GetItemRaises:  # old sequence protocol, raising at index 2
        def __init__(self, err):
            self.err = err
        def __getitem__(self, i):
            if i == 2:
                raise self.err
            return i

    makers = [
        lambda e: gen_raising([1, 2], e),
        lambda e: gen_raising([], e),
        lambda e: IterRaisesInNext([1, 2, 3], e),
        lambda e: IterRaisesInIter(e),
        lambda e: GetItemRaises(e),
        lambda e: map(lambda x: 1 // x, [1, 0]),  # ZeroDivisionError mid-way: no Boom needed
    ]
    for make in makers:
        for where in ("coefficients", "initial", "reconstruct_c", "reconstruct_i"):
            err = Boom(where)
            bad = make(err)
            if where == "coefficients":
                fn = lambda: LucasIter(bad, [0, 1, 2])
            elif where == "initial":
                fn = lambda: LucasIter([1, 1, 1], bad, mod=7)
            elif where == "reconstruct_c":
                fn = lambda: lucas._reconstruct(LucasIter, bad, [0, 1, 2], None)
            else:
                fn = lambda: lucas._reconstruct(LucasIter, [1, 1, 1], bad, 5)
            if isinstance(bad, map):
                raises(ZeroDivisionError, fn)
            else:
                propagates(err, fn)
    # The other argument is fine and a later argument is invalid too: the user's exception
    # may win or the ValueError/TypeError may, but nothing else and no crash.
    e = raises(Exception, LucasIter, gen_raising([1], Boom("x")), [1, 2, 3, 4], mod=0)
    assert isinstance(e, (Boom, ValueError)), e
    # After all that, the interpreter and the module still work.
    like_model(LucasIter([1, 1], [0, 1]), [1, 1], [0, 1])
    ''')


# ---------------------------------------------------------------------------
# __index__: raising, non-int results, int-subclass results
# ---------------------------------------------------------------------------


def test_index_that_raises_or_returns_non_int():
    child(r'''
    class Idx:
        def __init__(self, result=None, err=None):
            self.result, self.err = result, err
        def __index__(self):
            if self.err is not None:
                raise self.err
            return self.result

    good = [1, 1, 1]
    places = {
        "coef": lambda x: LucasIter([1, x, 1], [0, 0, 1]),
        "init": lambda x: LucasIter(good, [0, 0, x]),
        "mod": lambda x: LucasIter(good, [0, 0, 1], mod=x),
        "recon_mod": lambda x: lucas._reconstruct(LucasIter, good, [0, 0, 1], x),
    }
    for name in FUNCS:
        places[name + ".n"] = lambda x, name=name: call_fn(name, x, 3, 1)
        places[name + ".mod"] = lambda x, name=name: call_fn(name, 5, 3, 1, mod=x)
        if name not in ("fibonacci", "lucas"):
            places[name + ".p"] = lambda x, name=name: call_fn(name, 5, x, 1)
            places[name + ".q"] = lambda x, name=name: call_fn(name, 5, 3, x)
    for place, fn in places.items():
        err = Boom(place)
        propagates(err, fn, Idx(err=err))
        for result in (1.0, "1", None, [1], b"1", 1j, Idx(3)):
            # What operator.index does with such an object defines the answer: TypeError.
            raises(TypeError, operator.index, Idx(result))
            e = raises(TypeError, fn, Idx(result))
        # A raising __index__ on an object whose type is not even an int-like (float
        # subclass with __index__): operator.index calls it, so must lucas.
        class F(float):
            def __index__(self):
                raise err
        propagates(err, fn, F(2.0))
    ''')


def test_index_returning_int_subclass_gives_exact_ints():
    child(r'''
    class Sub(int):
        def __repr__(self):
            raise Boom("repr of the subclass must not be used")
        __str__ = __repr__
        def __add__(self, other):
            return 10**9
        __radd__ = __mul__ = __rmul__ = __mod__ = __rmod__ = __sub__ = __rsub__ = __add__

    class Idx:
        def __init__(self, v):
            self.v = v
        def __index__(self):
            return Sub(self.v)

    warnings.simplefilter("ignore", DeprecationWarning)
    for mod in (None, 7, 2**64 + 13, 2**130):
        it = LucasIter([Idx(1), Idx(1)], [Idx(0), Idx(1)], mod=None if mod is None else Idx(mod))
        assert exact_ints(it.coefficients) == [1, 1]
        if mod is not None:
            assert type(it.mod) is int and it.mod == mod
        text = repr(it)  # must not call Sub.__repr__
        assert "Sub" not in text
        like_model(it, [1, 1], [0, 1], mod, n=120)
    for name in FUNCS:
        for n in (0, 1, 2, 10, 93, 200, -7):
            for mod in (None, 10**9 + 7, 2**64 + 1):
                kw = {} if mod is None else {"mod": Idx(mod)}
                got = call_fn(name, Idx(n), Idx(1), Idx(-1), **kw)
                expected = fn_expected(name, n, 1, -1, mod)
                assert got == expected, (name, n, mod, got, expected)
                exact_ints(got if isinstance(got, tuple) else [got])

    # With DeprecationWarning as an error, the warning *is* the exception operator.index
    # raises for such an object; lucas must propagate it, not crash or replace it.
    warnings.simplefilter("error", DeprecationWarning)
    raises(DeprecationWarning, operator.index, Idx(5))
    raises(DeprecationWarning, LucasIter, [Idx(1)], [1])
    raises(DeprecationWarning, LucasIter, [1], [1], mod=Idx(5))
    for name in FUNCS:
        raises(DeprecationWarning, call_fn, name, Idx(3), 1, -1)
        raises(DeprecationWarning, call_fn, name, 3, 1, -1, mod=Idx(3))
    ''')


# ---------------------------------------------------------------------------
# __index__ with side effects: mutation, gc, dropping references, closing generators
# ---------------------------------------------------------------------------


def test_index_mutating_the_list_being_read():
    child(r'''
    class Act:
        """An integer whose __index__ runs `action` once, then returns `value`."""
        def __init__(self, value, action):
            self.value, self.action, self.done = value, action, False
        def __index__(self):
            if not self.done:
                self.done = True
                self.action()
            return self.value

    # Each scenario: (build the list, what a Python for-loop over it then yields).
    # The expectation is derived by running the *same* scenario through a plain Python
    # iteration (operator.index on every item the list iterator yields).
    def scenarios():
        lst = []
        lst.extend([1, Act(2, lambda: lst.append(5)), 3])          # grows: 1 2 3 5
        yield "append", lst
        lst2 = []
        lst2.extend([1, Act(2, lambda: lst2.clear()), 3, 4])        # clears: 1 2
        yield "clear", lst2
        lst3 = []
        lst3.extend([1, Act(2, lambda: lst3.pop()), 3, 4])          # pops: 1 2 3
        yield "pop", lst3
        lst4 = []
        lst4.extend([Act(1, lambda: lst4.__setitem__(1, 7)), 2, 3])  # replace: 1 7 3
        yield "setitem", lst4
        lst5 = []
        lst5.extend([1, Act(2, lambda: lst5.insert(0, 9)), 3])     # insert before: 1 2 2 3
        yield "insert", lst5
        lst6 = []
        lst6.extend([Act(4, lambda: lst6.extend(range(10, 200))), 1])  # big growth
        yield "extend", lst6
        lst7 = []
        lst7.extend([1, 2, Act(3, lambda: lst7.reverse())])        # reverse at the end
        yield "reverse", lst7
        lst8 = []
        lst8.extend([1, Act(2, lambda: lst8.sort(key=lambda x: 0)), 3])
        yield "sort", lst8

    def python_reading(lst):
        return [operator.index(x) for x in lst]

    expected = {name: python_reading(lst) for name, lst in scenarios()}
    assert expected["append"] == [1, 2, 3, 5] and expected["clear"] == [1, 2]
    assert expected["pop"] == [1, 2, 3] and expected["setitem"] == [1, 7, 3]

    for name, lst in scenarios():
        want = expected[name]
        k = len(want)
        # As coefficients (initial of the final length), and as initial values.
        it = LucasIter(lst, [0] * (k - 1) + [1], mod=10**9 + 7)
        assert list(it.coefficients) == want, (name, it.coefficients, want)
        like_model(it, want, [0] * (k - 1) + [1], 10**9 + 7)
    for name, lst in scenarios():
        want = expected[name]
        it = LucasIter([1] * len(want), lst)
        like_model(it, [1] * len(want), want, n=len(want) + 20)
    for name, lst in scenarios():
        # Wrong length on purpose: the length counted is what the iteration yielded.
        want = expected[name]
        e = raises(ValueError, LucasIter, lst, [0] * (len(want) + 1))

    # A dict mutated while it is iterated: its iterator raises RuntimeError, exactly as
    # a Python loop over the same dict does; lucas lets that exception through.
    def mutating_dict():
        d = {}
        d[1] = None
        d[Act(2, lambda: d.__setitem__(99, None))] = None
        d[3] = None
        return d
    ref = raises(RuntimeError, python_reading, mutating_dict())
    got = raises(RuntimeError, LucasIter, mutating_dict(), [0, 0, 1])
    assert type(got) is type(ref) and str(got) == str(ref), (got, ref)
    # A set that shrinks while iterated: same rule.
    def shrinking_set():
        s = set()
        s.update([Act(1, lambda: s.discard(2)), 2, 3])
        return s
    try:
        ref = ("ok", python_reading(shrinking_set()))
    except RuntimeError as e:
        ref = ("err", str(e))
    try:
        got = ("ok", list(LucasIter(shrinking_set(), [0] * len(ref[1]) if ref[0] == "ok" else [0]).coefficients))
    except RuntimeError as e:
        got = ("err", str(e))
    except ValueError:
        got = ("valueerror",)
    if ref[0] == "ok":
        assert got[0] == "ok" and sorted(got[1]) == sorted(ref[1]), (got, ref)
    else:
        assert got == ref, (got, ref)
    ''')


def test_index_running_gc_collect_and_dropping_references():
    child(r'''
    class Node:
        pass

    def make_cycles(n=200):
        for _ in range(n):
            a, b = Node(), Node()
            a.other, b.other = b, a

    class Collect:
        def __init__(self, v):
            self.v = v
        def __index__(self):
            make_cycles()
            gc.collect()
            return self.v

    class Sub(LucasIter):
        pass

    for cls in (LucasIter, Sub):
        for mod in (None, 97, 2**64 + 1):
            it = cls([Collect(1), Collect(1)], (Collect(v) for v in (0, 1)),
                     mod=None if mod is None else Collect(mod))
            gc.collect()
            like_model(it, [1, 1], [0, 1], mod, n=150)
    for name in FUNCS:
        got = call_fn(name, Collect(30), Collect(2), Collect(-1), mod=Collect(1000))
        assert got == fn_expected(name, 30, 2, -1, 1000), (name, got)

    # An item whose __index__ drops every other reference to the list being read (and so
    # to itself and its neighbours): the list stays alive while it is being iterated.
    holder = {}
    class DropAll:
        def __init__(self, v):
            self.v = v
        def __index__(self):
            holder.clear()
            gc.collect()
            return self.v
    class Val:
        def __init__(self, v):
            self.v = v
        def __index__(self):
            return self.v
    class WeakList(list):  # a list that supports weak references
        pass
    items = WeakList([Val(5), DropAll(6), Val(7)])
    refs = [weakref.ref(x) for x in items] + [weakref.ref(items)]
    holder["lst"] = items
    del items
    it = LucasIter(holder.get("lst"), [0, 0, 1])
    assert holder == {}
    like_model(it, [5, 6, 7], [0, 0, 1], n=50)
    gc.collect()
    assert all(r() is None for r in refs), "the items must be freed once no one holds them"

    # The only reference to a generator is the argument: its items drop everything else.
    def gen(store):
        yield DropAll(1)
        yield 2
        store.clear()
        yield 3
    store = {}
    g = gen(store)
    store["g"] = g
    gref = weakref.ref(g)
    del g
    it = LucasIter(store["g"], [1, 1, 1])
    gc.collect()
    assert gref() is None
    like_model(it, [1, 2, 3], [1, 1, 1], n=40)

    # An item that closes the generator it comes from: the generator ends there.
    box = []
    class Close:
        def __init__(self, v):
            self.v = v
        def __index__(self):
            box[0].close()
            return self.v
    def gen2():
        yield 1
        yield Close(2)
        yield 3
        yield 4
    box.append(gen2())
    it = LucasIter(box[0], [0, 1])
    assert it.coefficients == (1, 2)
    like_model(it, [1, 2], [0, 1])

    # __index__ that deletes the last reference to an iterator's underlying object.
    class Owner:
        def __init__(self, data):
            self.data = data
        def __iter__(self):
            return iter(self.data)
    class DropData:
        def __index__(self):
            owner.data = None
            gc.collect()
            return 8
    owner = Owner([1, DropData(), 3])
    it = LucasIter(owner, [1, 1, 1])
    assert owner.data is None
    like_model(it, [1, 8, 3], [1, 1, 1])
    ''')


# ---------------------------------------------------------------------------
# int subclasses that lie
# ---------------------------------------------------------------------------


def test_lying_int_subclasses():
    child(r'''
    class Liar(int):
        """Every Python-level operation lies; its true value is int's own."""
        def __add__(self, o): return 1234567
        __radd__ = __sub__ = __rsub__ = __add__
        def __mul__(self, o): return -1
        __rmul__ = __pow__ = __rpow__ = __mul__
        def __mod__(self, o): return 5
        __rmod__ = __floordiv__ = __rfloordiv__ = __divmod__ = __mod__
        def __neg__(self): return 77
        __pos__ = __abs__ = __invert__ = __neg__
        def __index__(self): return 424242
        def __int__(self): return 535353
        def __float__(self): return 1.5
        def __eq__(self, o): return True
        def __ne__(self, o): return True
        def __lt__(self, o): return True
        __le__ = __gt__ = __ge__ = __lt__
        def __hash__(self): return 0
        def __bool__(self): raise Boom("__bool__")
        def __repr__(self): raise Boom("__repr__")
        __str__ = __repr__
        def __format__(self, spec): raise Boom("__format__")
        def bit_length(self): return -1
        def __rshift__(self, o): return 0
        __lshift__ = __rrshift__ = __rlshift__ = __and__ = __or__ = __xor__ = __rshift__

    def true(x):
        # The value the API defines: operator.index, which for an int subclass copies
        # int's own value (its __index__/__int__ overrides are not consulted).
        return operator.index(x)

    assert true(Liar(17)) == 17 and type(true(Liar(17))) is int

    cases = [
        ([Liar(1), Liar(1)], [Liar(0), Liar(1)], None),
        ([Liar(1), Liar(1)], [Liar(0), Liar(1)], Liar(10**9 + 7)),
        ([Liar(-3), Liar(2**70)], [Liar(-(2**64)), Liar(5)], Liar(2**64 + 1)),
        ([Liar(2**63 - 1), Liar(-(2**63))], [Liar(1), Liar(-1)], None),
        ([Liar(5), Liar(0), Liar(-1)], [Liar(1), Liar(2), Liar(3)], Liar(1)),
        ([Liar(1)], [Liar(2**200)], Liar(2**128)),
    ]
    for coefs, init, mod in cases:
        tc, ti = [true(c) for c in coefs], [true(v) for v in init]
        tm = None if mod is None else true(mod)
        it = LucasIter(coefs, init, mod=mod)
        assert exact_ints(it.coefficients) == tc
        assert (it.mod is None) if mod is None else (type(it.mod) is int and it.mod == tm)
        text = repr(it)  # uses int's formatting, never Liar.__repr__ / __format__
        clone = eval(text, {"LucasIter": LucasIter})
        copied, pickled = copy.deepcopy(it), pickle.loads(pickle.dumps(it))
        like_model(it, tc, ti, tm, n=80)
        for other in (clone, copied, pickled):
            like_model(other, tc, ti, tm, n=80)
        r = lucas._reconstruct(LucasIter, coefs, init, mod)
        like_model(r, tc, ti, tm, n=40)

    # Liar as a *mod* that is "<= 0" by its lying comparisons but truly positive, and
    # truly non-positive Liars (which compare as anything).
    like_model(LucasIter([1, 1], [0, 1], mod=Liar(3)), [1, 1], [0, 1], 3)
    for bad in (Liar(0), Liar(-5)):
        raises(ValueError, LucasIter, [1, 1], [0, 1], mod=bad)
        for name in FUNCS:
            raises(ValueError, call_fn, name, 5, 1, -1, mod=bad)

    for name in FUNCS:
        for n, p, q, mod in [(10, 1, -1, None), (-9, 3, 1, None), (-9, 2, -1, 1000),
                             (100, 3, 2, 2**64 + 1), (10**30, 5, -7, 10**9 + 7),
                             (93, 1, -1, None), (300, -1, -1, None), (7, 2**70, 3, None)]:
            if name in ("fibonacci", "lucas") and (p, q) != (1, -1):
                continue
            kw = {} if mod is None else {"mod": Liar(mod)}
            got = call_fn(name, Liar(n), Liar(p), Liar(q), **kw)
            if mod is not None and n > 5000:
                u, v = fn_model.matrix_uv(n, p, q, mod)
                expected = {"fibonacci": u, "lucas": v, "lucas_u": u, "lucas_v": v, "lucas_uv": (u, v)}[name]
            else:
                expected = fn_expected(name, n, p, q, mod)
            assert got == expected, (name, n, p, q, mod, got, expected)
            exact_ints(got if isinstance(got, tuple) else [got])
        # n < 0 with q not +-1 is refused whatever Liar's comparisons claim.
        if name not in ("fibonacci", "lucas"):
            raises(ValueError, call_fn, name, Liar(-3), Liar(1), Liar(2))
    ''')


# ---------------------------------------------------------------------------
# Big ints and the word-size edges of the modulus
# ---------------------------------------------------------------------------


def test_huge_ints_everywhere():
    child(r'''
    big = 10**5000
    coef_sets = [
        ([big, -big + 1], [big - 1, -big]),
        ([1, big], [0, 1]),
        ([-big, 0, big], [big, big, -big]),
    ]
    for coefs, init in coef_sets:
        like_model(LucasIter(coefs, init), coefs, init, n=25)
        for mod in (2**4096 + 1, big + 7, 2**64 + 1, 2**64 - 1, 3):
            it = LucasIter(coefs, init, mod=mod)
            assert it.mod == mod
            like_model(it, coefs, init, mod, n=200)
    # repr of >4300-digit ints still evaluates back (int's digit limit must not bite).
    it = LucasIter([1, big], [big, 1])
    next(it)
    clone = eval(repr(it), {"LucasIter": LucasIter})
    model = ModelLucasIter([1, big], [big, 1]); next(model)
    assert take(clone, 6) == take(model, 6)
    # copy / deepcopy / pickle protocols 2+ work with huge state; 0 and 1 write ints in
    # decimal and fail exactly when pickling the bare ints does.
    it = LucasIter([big, 1], [big, -big], mod=2**4096 + 1)
    for proto in range(pickle.HIGHEST_PROTOCOL + 1):
        try:
            pickle.dumps((big, -big), proto)
        except ValueError:
            raises(ValueError, pickle.dumps, LucasIter([big], [big]), proto)
        else:
            clone = pickle.loads(pickle.dumps(LucasIter([big], [big]), proto))
            like_model(clone, [big], [big], n=5)
    like_model(copy.deepcopy(it), [big, 1], [big, -big], 2**4096 + 1, n=50)

    # Functions: huge n with a modulus, checked against the O(log n) matrix model.
    for n in (10**500, 2**1000 + 1, 2**64, 2**64 - 1, 2**128 + 3):
        for mod in (2**4096 + 1, 2**64 + 1, 2**64 - 1, 10**9 + 7, 2):
            u, v = fn_model.matrix_uv(n, 1, -1, mod)
            assert lucas.fibonacci(n, mod=mod) == u
            assert lucas.lucas(n, mod=mod) == v
            u, v = fn_model.matrix_uv(n, big % mod, 3, mod)
            assert lucas.lucas_uv(n, big, 3, mod=mod) == (u, v)
            assert lucas.lucas_u(n, 3, big, mod=mod) == fn_model.matrix_uv(n, 3, big % mod, mod)[0]
    # Huge n without a modulus: refused at once (the result cannot fit in memory).
    for name in FUNCS:
        for n in (big, -big, 2**70, 2**3000 + 1):
            raises((OverflowError, MemoryError), call_fn, name, n, 1, -1)
    raises((OverflowError, MemoryError), lucas.lucas_u, 2**80, big, 1)
    ''')


def test_huge_p_and_q_without_modulus_and_small_n():
    """U_n, V_n for small n are small polynomials in p and q, whatever their size: exact,
    instant, and certainly not "too large for an int"."""
    child(r'''
    big = 10**5000
    failures = []
    for p in (10**200, -(10**200), 2**511, 2**512, 2**600 + 1, 2**999, 2**1000, 10**1000, big, 3):
        for q in (0, 1, -1, 2**600, 10**300, -big):
            for n in (0, 1, 2, 3, 7, -1, -4):
                if n < 0 and q not in (1, -1):
                    continue
                expected = fn_model.uv_exact(n, p, q)
                for name, want in (("lucas_uv", expected), ("lucas_u", expected[0]), ("lucas_v", expected[1])):
                    try:
                        got = getattr(lucas, name)(n, p, q)
                    except Exception as e:
                        got = e
                    if got != want:
                        failures.append(f"{name}({n}, <{p.bit_length()}-bit p{'<0' if p < 0 else ''}>, "
                                        f"<{q.bit_length()}-bit q{'<0' if q < 0 else ''}>) -> {got!r:.80}")
    assert not failures, f"{len(failures)} wrong results, e.g.:\n" + "\n".join(failures[:12])
    ''')


def test_modulus_at_the_word_edges():
    child(r'''
    recurrences = [
        ([1, 1], [0, 1]),
        ([-1, 3], [2, 3]),
        ([2**63 - 1, -(2**63)], [2**64 - 1, 2**64 + 5]),
        ([-(2**64) - 1, 2**128 + 1, 7], [-1, 2**128 - 1, -(2**128)]),
        ([2**127, 2**127 + 1], [2**129, -(2**129) - 1]),
    ]
    mods = [2**64 - 1, 2**64, 2**64 + 1, 2**128 - 1, 2**128, 2**128 + 1]
    for m in mods:
        for coefs, init in recurrences:
            for c, x in ((coefs, init), ([cc + m for cc in coefs], [xx - m for xx in init]),
                         ([m - 1] * len(coefs), [m - 1] * len(init))):
                it = LucasIter(c, x, mod=m)
                got = like_model(it, c, x, m, n=200)
                assert all(0 <= v < m for v in got)
        for name in FUNCS:
            for n, p, q in [(10**18, 1, -1), (2**64 + 3, m - 1, m + 1), (-(2**70), m - 3, 1),
                            (-(2**70) - 1, 5, -1), (12345, 2**64 + 7, -(2**64)), (0, m, m)]:
                if name in ("fibonacci", "lucas") and (p, q) != (1, -1):
                    continue
                got = call_fn(name, n, p, q, mod=m)
                if n >= 0:
                    u, v = fn_model.matrix_uv(n, p, q, m)
                else:
                    # q = +-1: U_{-n} = -U_n * q^n, V_{-n} = V_n * q^n (first principles).
                    u, v = fn_model.matrix_uv(-n, p, q, m)
                    s = q ** (-n)
                    u, v = (-u * s) % m, (v * s) % m
                expected = {"fibonacci": u, "lucas": v, "lucas_u": u, "lucas_v": v, "lucas_uv": (u, v)}[name]
                assert got == expected, (name, n, p, q, m, got, expected)
    ''')


def test_bools_everywhere():
    child(r'''
    T, F = True, False
    it = LucasIter([T, F], [F, T], mod=T)
    assert type(it.mod) is int and it.mod == 1
    assert exact_ints(it.coefficients) == [1, 0]
    assert take(it, 10) == [0] * 10
    like_model(LucasIter([T, T], [F, T]), [1, 1], [0, 1])
    like_model(LucasIter((T,), (T,)), [1], [1])
    like_model(LucasIter([T, F, T], [T, T, F], mod=2 + T), [1, 0, 1], [1, 1, 0], 3)
    assert repr(LucasIter([T], [F], mod=T)) == "LucasIter((1,), (0,), mod=1)"
    raises(ValueError, LucasIter, [T], [T], mod=F)
    like_model(lucas._reconstruct(LucasIter, [T, T], [F, T], T), [1, 1], [0, 1], 1)
    for name in FUNCS:
        for n in (T, F):
            for p in (T, F):
                for q in (T, F):
                    got = call_fn(name, n, p, q)
                    assert got == fn_expected(name, int(n), int(p), int(q)), (name, n, p, q)
                    exact_ints(got if isinstance(got, tuple) else [got])
                    assert call_fn(name, n, p, q, mod=T) == fn_expected(name, int(n), int(p), int(q), 1)
                    raises(ValueError, call_fn, name, n, p, q, mod=F)
    ''')


# ---------------------------------------------------------------------------
# Re-entrancy, recursion, subclasses
# ---------------------------------------------------------------------------


def test_generator_that_itself_builds_and_iterates_lucas_iters():
    child(r'''
    shared = LucasIter([1, 1], [0, 1])
    shared_model = ModelLucasIter([1, 1], [0, 1])

    def coefficients():
        inner = LucasIter([1, 1, 1], [0, 0, 1])  # Tribonacci, consumed while outer builds
        yield take(inner, 8)[-1]
        yield next(shared)
        yield lucas.fibonacci(LucasIter([2], [3]).__next__() + 7)  # F_(3 + 7)
        yield next(shared) + next(LucasIter([5], [1], mod=next(shared) + 3))

    tribonacci_8th = take(ModelLucasIter([1, 1, 1], [0, 0, 1]), 8)[-1]
    expected_coefs = [tribonacci_8th, next(shared_model), fn_model.model_fibonacci(3 + 7), next(shared_model)]
    expected_coefs[3] += 1 % (next(shared_model) + 3)
    it = LucasIter(coefficients(), [1, 2, 3, 4], mod=2**64 + 1)
    assert list(it.coefficients) == expected_coefs, (it.coefficients, expected_coefs)
    like_model(it, expected_coefs, [1, 2, 3, 4], 2**64 + 1)
    # `shared` kept its own state across the nested use.
    assert take(shared, 10) == take(shared_model, 10)

    # Nesting to a moderate depth works; past the recursion limit it is a RecursionError.
    def nested(depth):
        # nested(d) = LucasIter((d, 1), (d, 1)) for d >= 1, built through d levels of
        # generators, each reading the first value of the level below while being read.
        if depth == 0:
            return LucasIter([1, 1], [0, 1])
        def gen():
            inner = nested(depth - 1)
            yield next(inner) + 1
            yield 1
        return LucasIter(gen(), [depth, 1])
    it = nested(40)
    assert it.coefficients == (40, 1)
    like_model(it, [40, 1], [40, 1])
    raises(RecursionError, nested, 100000)
    like_model(nested(3), [3, 1], [3, 1])

    # __index__ that iterates the very iterator being constructed's sibling, and one that
    # calls the functions recursively through more __index__ objects.
    class Rec:
        def __init__(self, depth):
            self.depth = depth
        def __index__(self):
            if self.depth == 0:
                return 10
            return lucas.fibonacci(Rec(self.depth - 1)) % 1000
    f = 10
    for _ in range(5):
        f = fn_model.model_fibonacci(f) % 1000
    assert lucas.fibonacci(Rec(5)) == fn_model.model_fibonacci(f)
    raises(RecursionError, lucas.fibonacci, Rec(10**6))
    ''')


def test_subclass_overriding_next_and_iter():
    child(r'''
    class Tenfold(LucasIter):
        def __next__(self):
            return super().__next__() * 10
        def __iter__(self):
            return iter(["not", "me"])

    it = Tenfold([1, 1], [0, 1])
    model = ModelLucasIter([1, 1], [0, 1])
    assert [next(it) for _ in range(10)] == [10 * next(model) for _ in range(10)]
    assert list(iter(it)) == ["not", "me"]
    assert [x for x in it] == ["not", "me"]
    assert list(islice(it, 5)) == ["not", "me"]
    # The base class's slots still see the state advanced by the override.
    assert LucasIter.__next__(it) == next(model)
    clone = copy.copy(it)
    assert type(clone) is Tenfold
    assert next(clone) == 10 * copy.deepcopy(model).__next__()
    p = pickle.loads(pickle.dumps(it))
    assert type(p) is Tenfold and next(p) == 10 * next(model)

    class Twice(LucasIter):
        def __next__(self):
            a = super().__next__()
            b = super().__next__()
            return (a, b)
    it, model = Twice([1, 1, 1], [0, 0, 1], mod=7), ModelLucasIter([1, 1, 1], [0, 0, 1], mod=7)
    for _ in range(50):
        assert next(it) == (next(model), next(model))

    class Raising(LucasIter):
        def __next__(self):
            super().__next__()
            raise Boom("after advancing")
    r = Raising([1, 1], [0, 1])
    err = raises(Boom, next, r)
    model = ModelLucasIter([1, 1], [0, 1]); next(model)
    assert LucasIter.__next__(r) == next(model)

    class WithState(LucasIter):
        def __init__(self, *args, **kwargs):
            self.log = []
        def __getstate__(self):
            raise Boom("no state")
    w = WithState([1], [1])
    raises(Boom, copy.copy, w)
    raises(Boom, pickle.dumps, w)
    assert next(w) == 1

    class BadNew(LucasIter):
        def __new__(cls, *args, **kwargs):
            return 42
    assert BadNew([1], [1]) == 42
    # _reconstruct builds a BadNew through LucasIter's own constructor.
    b = lucas._reconstruct(BadNew, [2], [3], None)
    assert type(b) is BadNew
    like_model(b, [2], [3], n=10)
    ''')


# ---------------------------------------------------------------------------
# KeyboardInterrupt
# ---------------------------------------------------------------------------


def test_keyboard_interrupt_from_user_code_propagates():
    child(r'''
    class Interrupt:
        def __index__(self):
            raise KeyboardInterrupt("from __index__")

    def gen():
        yield 1
        raise KeyboardInterrupt("from the generator")

    calls = [
        lambda: LucasIter([1, Interrupt()], [0, 1]),
        lambda: LucasIter([1, 1], [0, Interrupt()]),
        lambda: LucasIter([1, 1], [0, 1], mod=Interrupt()),
        lambda: LucasIter(gen(), [0, 1]),
        lambda: LucasIter([1, 1], gen(), mod=2**64 + 1),
        lambda: lucas._reconstruct(LucasIter, [1, 1], [0, 1], Interrupt()),
    ]
    for name in FUNCS:
        calls.append(lambda name=name: call_fn(name, Interrupt(), 1, -1))
        calls.append(lambda name=name: call_fn(name, 10, 1, -1, mod=Interrupt()))
        if name not in ("fibonacci", "lucas"):
            calls.append(lambda name=name: call_fn(name, 10, Interrupt(), -1))
            calls.append(lambda name=name: call_fn(name, 10, 1, Interrupt()))
    for fn in calls:
        e = raises(KeyboardInterrupt, fn)
        assert str(e).startswith("from"), e
    like_model(LucasIter([1, 1], [0, 1]), [1, 1], [0, 1])
    ''')


# ---------------------------------------------------------------------------
# Constructor and _reconstruct misuse
# ---------------------------------------------------------------------------


def test_new_and_reconstruct_with_wrong_arguments():
    child(r'''
    class Sub(LucasIter):
        pass

    class Liar(type):
        def __subclasscheck__(cls, sub):
            return True
        def __instancecheck__(cls, obj):
            return True

    class Impostor(metaclass=Liar):
        """issubclass() says yes to everything, but it has none of LucasIter's layout."""

    class ClassLie:
        @property
        def __class__(self):
            return LucasIter

    class LucasIterLookalike:  # same name, unrelated
        pass
    LucasIterLookalike.__name__ = "LucasIter"

    for cls in (int, object, type, dict, BaseException, Impostor, LucasIterLookalike):
        raises(TypeError, LucasIter.__new__, cls, [1], [1])
    raises(TypeError, LucasIter.__new__)
    raises(TypeError, LucasIter.__new__, 1, [1], [1])
    raises(TypeError, LucasIter.__new__, None, [1], [1])
    raises(TypeError, LucasIter.__new__, LucasIter)
    raises(TypeError, LucasIter.__new__, LucasIter, [1])
    raises(TypeError, LucasIter.__new__, LucasIter, [1], [1], [1])
    raises(TypeError, LucasIter.__new__, LucasIter, [1], [1], foo=1)
    raises(TypeError, LucasIter.__new__, LucasIter, [1], initial=[1])
    raises(TypeError, object.__new__, LucasIter)

    class BasesLie:
        """Not a class, but issubclass() believes it is one derived from LucasIter."""
        __bases__ = (LucasIter,)
    fake = BasesLie()
    assert issubclass(fake, LucasIter)  # the lie that fools PyObject_IsSubclass
    assert isinstance(ClassLie(), LucasIter)  # and the one that fools isinstance

    good = ([1, 1], [0, 1], None)
    non_types = [1, None, "LucasIter", b"x", LucasIter([1], [1]), ClassLie(), [LucasIter], (LucasIter,), fake]
    wrong_types = [int, object, type, Liar, Impostor, LucasIterLookalike, Boom, bool, type(lucas)]
    for cls in non_types + wrong_types:
        raises(TypeError, lucas._reconstruct, cls, *good)
    for args in [(), (LucasIter,), (LucasIter, [1]), (LucasIter, [1], [1]),
                 (LucasIter, [1], [1], None, None), (LucasIter, [1], [1], None, 1, 2)]:
        raises(TypeError, lucas._reconstruct, *args)
    for kwargs in [{"cls": LucasIter}, {"mod": 5}, {"foo": 1}, {"window": [1]}]:
        raises(TypeError, lucas._reconstruct, LucasIter, [1], [1], None, **kwargs)
        raises(TypeError, lucas._reconstruct, LucasIter, [1], [1], **kwargs)
    raises(TypeError, lucas._reconstruct, cls=LucasIter, coefficients=[1], window=[1], mod=None)
    # Argument errors after a valid class are the constructor's.
    raises(TypeError, lucas._reconstruct, LucasIter, 5, [1], None)
    raises(TypeError, lucas._reconstruct, LucasIter, [1], [1.0], None)
    raises(TypeError, lucas._reconstruct, LucasIter, [1], [1], "7")
    raises(ValueError, lucas._reconstruct, LucasIter, [1], [1], 0)
    raises(ValueError, lucas._reconstruct, LucasIter, [1], [1, 2], None)
    raises(ValueError, lucas._reconstruct, LucasIter, [], [], None)
    # Positive controls: the same helper builds the class it is given.
    for cls in (LucasIter, Sub):
        r = lucas._reconstruct(cls, [1, 1], [0, 1], 10)
        assert type(r) is cls
        like_model(r, [1, 1], [0, 1], 10)
    ''')


# ---------------------------------------------------------------------------
# Keyword names that are not plain str (found in review: tp_new receives the caller's
# dict as it is, so non-str names and str subclasses reach the argument parser)
# ---------------------------------------------------------------------------


def test_non_str_keyword_names_raise_typeerror_not_crash():
    child("""
    class Sub(LucasIter):
        pass

    calls = [
        lambda: LucasIter.__new__(LucasIter, [1], [1], **{(1 << 200) + 12345: 2}),
        lambda: LucasIter.__new__(LucasIter, [1], [1], **{b"m" * 46: 2}),
        lambda: LucasIter.__new__(LucasIter, [1], [1], **{1: 2}),
        lambda: Sub([1], [1], **{(1 << 200) + 12345: 2}),
    ]
    for call in calls:
        try:
            call()
        except TypeError as e:
            assert str(e) == "keywords must be strings", e
        else:
            raise AssertionError("no TypeError")
    """)


def test_keyword_names_are_read_without_calling_str_methods():
    child("""
    class Liar(str):
        def __str__(self):
            return "zz"

    try:
        lucas.fibonacci(1, **{Liar("n"): 2})
    except TypeError as e:
        assert "positional-only arguments passed as keyword arguments: 'n'" in str(e), e
    else:
        raise AssertionError("no TypeError")

    # A name whose __str__ would clear the dict that is being read (and free the value
    # already taken for mod) must not run at all.
    D = {}

    class Clearing(str):
        def __str__(self):
            D.clear()
            return "x"

    D[Clearing("bogus")] = 1
    D["mod"] = 10**30 + 1
    try:
        LucasIter.__new__(LucasIter, [1], [1], **D)
    except TypeError as e:
        assert "unexpected keyword argument 'bogus'" in str(e), e
    else:
        raise AssertionError("no TypeError")
    assert len(D) == 2, "the dict was not touched"

    try:
        lucas.fibonacci(1, **{"\\udcff": 1})
    except TypeError as e:
        assert "unexpected keyword argument" in str(e), e
    else:
        raise AssertionError("no TypeError")
    """)
