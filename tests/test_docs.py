"""The docs tell the truth about the code: every excerpt in the Markdown under docs/ equals
the source region its marker names (tests/excerpts.py), the C companion files compile against
this interpreter's headers, the Python examples in the docs and the README run as doctests
(with the C example modules of examples/ built and importable), the book's table of contents
lists every page, and every link between the pages reaches a file and a heading that exist.
The checkers' own failures are tested on small files written here, so a checker that let
everything through would fail this suite."""

import doctest
import io
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import excerpts
import pytest
from support import cexample

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
@pytest.mark.parametrize("doc", MARKDOWN, ids=lambda p: str(p.relative_to(DOCS)))
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
# Pages whose examples import the C examples of examples/ need the source tree (and a C
# compiler with this interpreter's headers) to build them; the others run against a wheel too.
IMPORTS_AN_EXAMPLE = re.compile(r"^>>> import .*\b(?:" + "|".join(cexample.MODULES) + r")\b", re.M)


def imports_an_example(doc: Path) -> bool:
    return IMPORTS_AN_EXAMPLE.search(doc.read_text(encoding="utf-8")) is not None


DOCTEST_PARAMS = [
    pytest.param(f, marks=source_tree, id=str(f.relative_to(ROOT)))
    if imports_an_example(f)
    else pytest.param(f, id=str(f.relative_to(ROOT)))
    for f in DOCTEST_FILES
]


@pytest.fixture
def examples_importable(doc):
    """The C examples (examples/), built for this interpreter and on sys.path, as the chapters
    that import them say (only for a page that does)."""
    if not imports_an_example(doc):
        yield
        return
    folder = str(cexample.build_all())
    sys.path.insert(0, folder)
    yield
    sys.path.remove(folder)


@pytest.mark.parametrize("doc", DOCTEST_PARAMS)
def test_python_examples_in_the_docs_run(doc, examples_importable):
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


# --- the book's structure and links ------------------------------------------------------

SUMMARY = DOCS / "SUMMARY.md"
LINK = re.compile(r"\]\((?P<target>[^)\s#]*\.md)?(?:#(?P<anchor>[^)\s]+))?\)")
HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*$")


def slug(title: str) -> str:
    """The id mdBook gives a heading: lower case, spaces to dashes, only word characters and
    dashes kept (so `tp_flags` and (parentheses) lose their punctuation)."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def headings(doc: Path) -> set[str]:
    found, fenced = set(), False
    for line in doc.read_text(encoding="utf-8").splitlines():
        if excerpts.FENCE.match(line):
            fenced = not fenced
        elif not fenced and (m := HEADING.match(line)):
            found.add(slug(m["title"]))
    return found


def broken_links(doc: Path) -> list[str]:
    """Relative links of `doc` whose file, or whose #heading in that file, does not exist."""
    problems, fenced = [], False
    for n, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        if excerpts.FENCE.match(line):
            fenced = not fenced
        if fenced:
            continue
        for m in LINK.finditer(line):
            if m["target"] is None and m["anchor"] is None:
                continue
            target = (doc.parent / m["target"]).resolve() if m["target"] else doc
            if not target.is_file():
                problems.append(f"{doc.name}:{n}: no file {m['target']}")
            elif m["anchor"] and m["anchor"] not in headings(target):
                problems.append(f"{doc.name}:{n}: {target.name} has no heading #{m['anchor']}")
    return problems


@source_tree
def test_the_table_of_contents_lists_every_page():
    listed = {(DOCS / t).resolve() for t in re.findall(r"\]\(([^)]+\.md)\)", SUMMARY.read_text(encoding="utf-8"))}
    missing = [str(f.relative_to(DOCS)) for f in MARKDOWN if f != SUMMARY and f.resolve() not in listed]
    assert not missing, f"pages the book leaves out (add them to docs/SUMMARY.md): {missing}"
    assert all(f.is_file() for f in listed), "SUMMARY.md names a page that does not exist"


@source_tree
@pytest.mark.parametrize("doc", MARKDOWN + [ROOT / "README.md"], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_between_pages_resolves(doc):
    problems = broken_links(doc)
    assert not problems, "\n".join(problems)


@source_tree
def test_a_broken_link_is_found(scratch):
    (scratch / "other.md").write_text("# A page\n\n## `tp_flags` (the bits)\n")
    doc = scratch / "doc.md"
    doc.write_text("[ok](other.md#tp_flags-the-bits) [ok](#here) [bad](nowhere.md) [bad](other.md#nothing)\n\n# Here\n")
    assert broken_links(doc) == ["doc.md:1: no file nowhere.md", "doc.md:1: other.md has no heading #nothing"]
