"""Integer stand-ins: what the extension must accept (through ``__index__``), reject, or
convert without ever calling their Python-level methods.

``operator.index`` is the rule: an exact int as is; an int subclass by int's own value (its
``__index__``, ``__int__`` and arithmetic are never consulted); any other object through its
``__index__``, whose exceptions propagate unchanged.
"""


class Boom(Exception):
    """Raised by user code on purpose; no part of lucas raises it."""


class Idx:
    """Not an int, but usable as one: ``__index__`` returns ``v`` (any object, so a non-int
    payload gives the TypeError CPython's ``operator.index`` gives)."""

    __slots__ = ("v",)

    def __init__(self, v):
        self.v = v

    def __index__(self):
        return self.v

    def __repr__(self):
        return f"Idx({self.v!r})"


class BadIndex(Idx):
    """``__index__`` returns a float: a TypeError, as from ``operator.index``."""

    __slots__ = ()

    def __init__(self, v=2.5):
        super().__init__(v)


class RaisingIndex:
    """``__index__`` raises ``exc``: a fresh ``exc(msg)`` each time when ``exc`` is a class
    (a stored instance would collect tracebacks and keep frames alive), or ``exc`` itself
    when it is an instance (for tests of identity: the same object must come back)."""

    __slots__ = ("exc", "msg")

    def __init__(self, exc=Boom, msg="from __index__"):
        self.exc = exc
        self.msg = msg

    def __index__(self):
        if isinstance(self.exc, BaseException):
            raise self.exc
        raise self.exc(self.msg)


class IntOnly:
    """Has ``__int__`` but no ``__index__``: not an integer for lucas (as for ``range``)."""

    def __int__(self):
        return 3


class PlainInt(int):
    """An honest int subclass."""


class LyingInt(int):
    """An int subclass whose every Python-level operation lies or fails.

    Its true value is int's own (``int.__index__(x)``); arithmetic returns LyingInt(12345),
    comparisons answer True whatever is asked, ``__int__``/``__index__``/``__float__`` give
    other numbers, and text conversions raise, so a result built from any of them shows.
    """

    def _lie(self, *args):
        return LyingInt(12345)

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _lie
    __mod__ = __rmod__ = __floordiv__ = __rfloordiv__ = __divmod__ = __rdivmod__ = _lie
    __pow__ = __rpow__ = __lshift__ = __rshift__ = _lie
    __and__ = __rand__ = __or__ = __ror__ = __xor__ = __rxor__ = _lie
    __neg__ = __pos__ = __abs__ = __invert__ = _lie

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __lt__(self, other):
        return True

    __le__ = __gt__ = __ge__ = __lt__
    __hash__ = int.__hash__

    def __bool__(self):
        return True

    def __int__(self):
        return 999

    def __index__(self):  # never called: operator.index takes an int subclass's own value
        return 999

    def __float__(self):
        return 999.0

    def __repr__(self):
        raise AssertionError("LyingInt.__repr__ called")

    __str__ = __repr__

    def __format__(self, spec):
        raise AssertionError("LyingInt.__format__ called")


def true_value(x):
    """What lucas must read from ``x``: int's own value for int subclasses."""
    return int.__index__(x) if isinstance(x, int) else x.__index__()
