"""Helpers shared by the test files and the fuzzer.

- ``intlike``: objects that stand in for integers (``__index__`` objects, raising and lying
  ones, int subclasses whose Python-level operations must never be used).
- ``model``: the naive model of ``LucasIter`` and of x_n for any n (stepping, stepping
  backwards, companion-matrix powers).
- ``fn_model``: the models of the Lucas-sequence functions (``fibonacci`` ... ``lucas_uv``).
- ``prp_model``: the models of the probable-prime tests.
- ``find_model``: the models of ``find_recurrence`` (Berlekamp-Massey over Fractions and
  GF(p), the rank of the linear system, a search over every coefficient vector).
- ``states``: sample iterator states (every engine) and helpers of the type-level tests.
- ``subclasses``: ``LucasIter`` subclasses at module level (so that pickle finds them by name).

tests/conftest.py puts tests/ on sys.path, so test files import ``support.<name>``;
the fuzzer (tests/fuzz_api.py, run as a script) does the same.
"""
