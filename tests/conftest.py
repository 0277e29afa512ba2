import os
import sys

# Make the in-place built extension (``python setup.py build_ext --inplace``
# puts lucas<EXT_SUFFIX> in the repository root) and the tests/ helpers
# importable regardless of how pytest was invoked.
_TESTS = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_TESTS)
if sys.path[:1] != [_ROOT]:
    sys.path.insert(0, _ROOT)
if _TESTS not in sys.path:
    sys.path.insert(1, _TESTS)
