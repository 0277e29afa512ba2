"""Docstrings, text signatures, pydoc and ``__version__`` of the module and its public names
(docs/api.md). Every name in ``lucas.__all__`` is covered.
"""

import doctest
import inspect
import pathlib
import pydoc
import re
import tomllib

import pytest

import lucas
from lucas import LucasIter

ROOT = pathlib.Path(__file__).resolve().parent.parent
PUBLIC = sorted(lucas.__all__)


def _run_doc_examples(doc, globs):
    examples = doctest.DocTestParser().get_doctest(doc, globs, "doc", None, 0)
    assert examples.examples, "no >>> example"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(examples)
    assert runner.failures == 0


def test_module_docstring_has_a_working_example():
    assert lucas.__doc__ and ">>>" in lucas.__doc__
    _run_doc_examples(lucas.__doc__, {"lucas": lucas})


def test_class_docstring():
    assert LucasIter.__doc__ and LucasIter.__doc__.strip()
    assert "--\n" not in LucasIter.__doc__  # the text signature was split off
    if ">>>" in LucasIter.__doc__:
        _run_doc_examples(LucasIter.__doc__, {"LucasIter": LucasIter})


@pytest.mark.parametrize("name", PUBLIC)
def test_public_names_have_docstrings(name):
    obj = getattr(lucas, name)
    assert isinstance(obj.__doc__, str) and len(obj.__doc__.strip()) > 20
    assert "$module" not in obj.__doc__


@pytest.mark.parametrize("name", ["coefficients", "mod", "state", "advance", "__reduce__", "__sizeof__"])
def test_members_have_their_own_docstrings(name):
    assert name in LucasIter.__dict__  # defined by LucasIter, not inherited
    doc = LucasIter.__dict__[name].__doc__
    assert isinstance(doc, str) and doc.strip()


def test_gmpy2_argument_order_is_documented():
    docs = "".join(
        d or "" for d in (lucas.__doc__, lucas.lucas_u.__doc__, lucas.lucas_v.__doc__, lucas.lucas_uv.__doc__)
    )
    assert "gmpy2" in docs


def test_pydoc_renders_every_public_name():
    text = pydoc.render_doc(lucas, renderer=pydoc.plaintext)
    for name in PUBLIC + ["coefficients", "mod"]:
        assert re.search(r"\b" + re.escape(name) + r"\b", text), name
    text = pydoc.render_doc(LucasIter, renderer=pydoc.plaintext)
    for name in ["coefficients", "mod", "state", "advance", "__reduce__", "__sizeof__"]:
        assert name in text


@pytest.mark.parametrize(
    "name, params",
    [
        ("LucasIter", "(coefficients, initial, /, *, mod=None)"),
        ("fibonacci", "(n, /, *, mod=None)"),
        ("lucas", "(n, /, *, mod=None)"),
        ("lucas_u", "(n, p, q, /, *, mod=None)"),
        ("lucas_v", "(n, p, q, /, *, mod=None)"),
        ("lucas_uv", "(n, p, q, /, *, mod=None)"),
        ("nth_term", "(coefficients, initial, n, /, *, mod=None)"),
        ("is_strong_prp", "(n, a, /)"),
        ("is_lucas_prp", "(n, p, q, /)"),
        ("is_strong_lucas_prp", "(n, p, q, /)"),
        ("is_extra_strong_lucas_prp", "(n, p, /)"),
        ("is_selfridge_prp", "(n, /)"),
        ("is_strong_selfridge_prp", "(n, /)"),
        ("is_bpsw_prp", "(n, /)"),
        ("is_strong_bpsw_prp", "(n, /)"),
    ],
)
def test_signatures(name, params):
    assert str(inspect.signature(getattr(lucas, name))) == params


def test_version_matches_cargo_toml():
    with open(ROOT / "Cargo.toml", "rb") as f:
        version = tomllib.load(f)["package"]["version"]
    assert isinstance(lucas.__version__, str)
    assert lucas.__version__ == version
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", lucas.__version__)
