"""``LucasIter`` subclasses for the type-level tests, at module level so that pickle finds
them by name (``support.subclasses.Plain``...)."""

from lucas import LucasIter
from support.fn_model import model_fibonacci


class Plain(LucasIter):
    pass


class Deeper(Plain):
    pass


class WithInit(LucasIter):
    inits = 0

    def __init__(self, coefficients, initial, /, *, mod=None):
        super().__init__()
        type(self).inits += 1
        self.label = "made by __init__"
        self.coefficients_seen = list(self.coefficients)


class Fib(LucasIter):
    """A different constructor signature that calls super().__new__."""

    def __new__(cls, start=0, *, mod=None):
        return super().__new__(cls, (1, 1), (model_fibonacci(start), model_fibonacci(start + 1)), mod=mod)

    def __init__(self, start=0, *, mod=None):
        super().__init__()
        self.start = start


class Slotted(LucasIter):
    __slots__ = ("tag", "other")


class SlottedWithDict(LucasIter):
    __slots__ = ("tag", "__dict__")


class Doubled(LucasIter):
    def __next__(self):
        return 2 * super().__next__()


class CustomState(LucasIter):
    def __getstate__(self):
        return {"saved": self.note + "!"}

    def __setstate__(self, state):
        self.note = state["saved"]
