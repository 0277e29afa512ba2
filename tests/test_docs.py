"""The docs tell the truth about the code: every excerpt in docs/*.md equals the source
region its marker names (tests/excerpts.py), the C companion files compile against this
interpreter's headers, and the Python examples in the docs and the README run as doctests.
The checker's own failures are tested on small files written here, so a checker that let
everything through would fail this suite."""

import doctest
import io
import shutil
import subprocess
import sysconfig

import excerpts
import pytest

ROOT = excerpts.ROOT
# Checks of the docs against the sources: they skip against an installed wheel (conftest.py),
# where only the Python examples run, against the installed module.
source_tree = pytest.mark.source_tree
DOCS = excerpts.DOCS
MARKDOWN = excerpts.markdown_files()


@source_tree
def test_the_docs_have_excerpts_to_check():
    assert MARKDOWN, "docs/*.md not found"
    assert sum(len(excerpts.excerpts(f)) for f in MARKDOWN) >= 10


@source_tree
@pytest.mark.parametrize("doc", MARKDOWN, ids=lambda p: p.name)
def test_every_excerpt_matches_its_source(doc):
    problems = excerpts.check(doc)
    assert not problems, "\n".join(problems)


@source_tree
def test_every_anchor_in_the_source_is_well_formed():
    """Open, duplicated or stray anchors anywhere in the sources fail, used or not."""
    bad = []
    for pattern in excerpts.SOURCES:
        for f in ROOT.glob(pattern):
            try:
                excerpts.regions(f.read_text(encoding="utf-8"))
            except excerpts.AnchorError as e:
                bad.append(f"{f.relative_to(ROOT)}: {e}")
    assert not bad, "\n".join(bad)


# --- the checker itself can fail -------------------------------------------------------


@pytest.fixture
def scratch():
    """A source file and a Markdown file inside the repository (markers name paths relative
    to its root), removed afterwards."""
    d = ROOT / "target" / "test_docs_scratch"
    d.mkdir(parents=True, exist_ok=True)
    yield d
    shutil.rmtree(d, ignore_errors=True)


SOURCE = """\
fn outer() {
    // ANCHOR: body
    let x = 1;
    // ANCHOR: inner
    let y = x + 1;
    // ANCHOR_END: inner
    println!("{y}");
    // ANCHOR_END: body
}
"""


def write_doc(scratch, path, anchor, code, lang="rust"):
    doc = scratch / "doc.md"
    doc.write_text(f"Some prose.\n\n<!-- excerpt: {path}#{anchor} -->\n```{lang}\n{code}```\n\nMore prose.\n")
    return doc


def rel(p):
    return str(p.relative_to(ROOT))


@source_tree
def test_a_matching_excerpt_passes_and_nested_anchor_lines_are_left_out(scratch):
    src = scratch / "a.rs"
    src.write_text(SOURCE)
    doc = write_doc(scratch, rel(src), "body", 'let x = 1;\nlet y = x + 1;\nprintln!("{y}");\n')
    assert excerpts.check(doc) == []
    doc = write_doc(scratch, rel(src), "inner", "let y = x + 1;\n")
    assert excerpts.check(doc) == []


@source_tree
def test_a_mismatching_excerpt_fails_with_a_diff(scratch):
    src = scratch / "a.rs"
    src.write_text(SOURCE)
    doc = write_doc(scratch, rel(src), "body", 'let x = 2;\nlet y = x + 1;\nprintln!("{y}");\n')
    [problem] = excerpts.check(doc)
    assert "differs" in problem and "-let x = 1;" in problem and "+let x = 2;" in problem


@source_tree
def test_an_excerpt_missing_a_line_fails(scratch):
    src = scratch / "a.rs"
    src.write_text(SOURCE)
    doc = write_doc(scratch, rel(src), "body", "let x = 1;\nlet y = x + 1;\n")
    [problem] = excerpts.check(doc)
    assert "differs" in problem


@source_tree
def test_a_missing_anchor_fails(scratch):
    src = scratch / "a.rs"
    src.write_text(SOURCE)
    doc = write_doc(scratch, rel(src), "nowhere", "let x = 1;\n")
    [problem] = excerpts.check(doc)
    assert "has no anchor 'nowhere'" in problem


@source_tree
def test_a_missing_file_fails(scratch):
    doc = write_doc(scratch, "src/no_such_file.rs", "body", "let x = 1;\n")
    [problem] = excerpts.check(doc)
    assert "no file src/no_such_file.rs" in problem


@source_tree
def test_a_marker_without_a_block_fails(scratch):
    src = scratch / "a.rs"
    src.write_text(SOURCE)
    doc = scratch / "doc.md"
    doc.write_text(f"<!-- excerpt: {rel(src)}#inner -->\nJust prose, no code.\n")
    [problem] = excerpts.check(doc)
    assert "no fenced code block" in problem


@pytest.mark.parametrize(
    "source, message",
    [
        ("// ANCHOR: a\nx\n", "never closed"),
        ("// ANCHOR: a\nx\n// ANCHOR_END: a\n// ANCHOR: a\ny\n// ANCHOR_END: a\n", "defined twice"),
        ("x\n// ANCHOR_END: a\n", "without its ANCHOR"),
    ],
)
@source_tree
def test_malformed_anchors_fail(scratch, source, message):
    src = scratch / "b.rs"
    src.write_text(source)
    doc = write_doc(scratch, rel(src), "a", "x\n")
    [problem] = excerpts.check(doc)
    assert message in problem


@source_tree
def test_update_rewrites_a_stale_excerpt_and_then_it_passes(scratch):
    src = scratch / "a.rs"
    src.write_text(SOURCE)
    doc = write_doc(scratch, rel(src), "inner", "let y = x + 2;\n")
    assert excerpts.check(doc)
    assert len(excerpts.update(doc)) == 1
    assert excerpts.check(doc) == []
    assert "Some prose." in doc.read_text() and "More prose." in doc.read_text()


# --- C beside Rust ----------------------------------------------------------------------

C_FILES = sorted(DOCS.glob("**/*.c"))


@source_tree
@pytest.mark.parametrize("cfile", C_FILES, ids=lambda p: p.name)
def test_the_c_companions_compile_against_python_h(cfile):
    """The C versions shown beside the Rust are real C: they compile, warning-free, against
    this interpreter's own headers."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    assert cc, "a C compiler is needed (cargo's cc build dependency needs one too)"
    include = sysconfig.get_paths()["include"]
    proc = subprocess.run(
        [cc, "-fsyntax-only", "-std=c11", "-Wall", "-Wextra", "-Werror", "-I", include, str(cfile)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


@source_tree
def test_there_are_c_companions():
    assert C_FILES


# --- doctests -----------------------------------------------------------------------------

DOCTEST_FILES = MARKDOWN + [ROOT / "README.md"]


@pytest.mark.parametrize("doc", DOCTEST_FILES, ids=lambda p: p.name)
def test_python_examples_in_the_docs_run(doc):
    tests = excerpts.doctests(doc)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for t in tests:
        runner.run(t, clear_globs=False)  # the blocks of one file build on each other
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {doc.name} failed"


def test_the_article_has_doctests():
    assert any(excerpts.doctests(f) for f in MARKDOWN)


@source_tree
def test_a_wrong_doctest_fails(scratch):
    doc = scratch / "doc.md"
    doc.write_text("```python\n>>> 1 + 1\n3\n```\n")
    [t] = excerpts.doctests(doc)
    runner = doctest.DocTestRunner()
    runner.run(t, out=io.StringIO().write)
    assert runner.summarize(verbose=False).failed == 1
