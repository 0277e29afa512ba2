"""The docs' excerpts, checked against the source they quote.

    python tests/excerpts.py [--update] [FILE.md ...]

Every Markdown file under docs/ (the chapters of Part I in docs/extension/, the pages of
Part II in docs/algorithms/, and the rest) is checked unless files are named.

Convention (mdBook's anchors, so `{{#include file:name}}` would find the same regions):

* In a source file, a region is the lines between ``ANCHOR: name`` and ``ANCHOR_END: name``
  comment lines (``// ANCHOR: name`` in Rust and C, ``# ANCHOR: name`` in Python). Anchor
  lines nested inside a region are left out of it, and the region is dedented.
* In the Markdown, an excerpt is a fenced code block right after a marker line
  ``<!-- excerpt: path/from/the/repository/root#name -->``. The comment is invisible on
  GitHub and in mdBook's HTML, so the Markdown reads as it is, and the block holds the
  code itself, not an include directive.

A check fails when a marker names a file that does not exist, an anchor that the file does
not define (or defines twice, or leaves open), when no fenced block follows the marker, or
when the block differs from the region in any character (trailing spaces aside).

``--update`` rewrites each excerpt from its region, for the day the source moves on: it
lists what it changed, and the prose around those excerpts is then to be re-read.

Python examples (``>>>`` lines in fenced ``python`` or ``pycon`` blocks) are doctests; the
blocks of one file share a namespace, in order. ``doctest_blocks`` collects them for
tests/test_docs.py, which runs them against the built module.
"""

import argparse
import difflib
import doctest
import os
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

MARKER = re.compile(r"^<!--\s*excerpt:\s*(?P<path>[^#\s]+)#(?P<anchor>[\w-]+)\s*-->\s*$")
ANCHOR = re.compile(r"\bANCHOR:\s*(?P<name>[\w-]+)")
ANCHOR_END = re.compile(r"\bANCHOR_END:\s*(?P<name>[\w-]+)")
FENCE = re.compile(r"^(?P<fence>```+|~~~+)\s*(?P<info>[\w+-]*)")


class AnchorError(Exception):
    """A region that cannot be read: a missing file or anchor, a duplicate, an open end."""


@dataclass
class Excerpt:
    """One marker and the fenced block after it, located in a Markdown file."""

    doc: Path
    line: int  # 1-based line of the marker
    path: str  # as written in the marker, relative to the repository root
    anchor: str
    body_start: int | None  # 0-based index of the block's first line (None: no block)
    body_end: int | None  # 0-based index of the closing fence
    text: str | None  # the block's content, one "\n" after each line

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def regions(source: str) -> dict[str, str]:
    """Every anchored region of a source text, by name, dedented, anchor lines removed."""
    lines = source.splitlines()
    open_at: dict[str, int] = {}
    found: dict[str, str] = {}
    for i, line in enumerate(lines):
        end = ANCHOR_END.search(line)
        start = ANCHOR.search(line)
        if start:
            name = start["name"]
            if name in open_at or name in found:
                raise AnchorError(f"anchor {name!r} is defined twice (line {i + 1})")
            open_at[name] = i
        elif end:
            name = end["name"]
            if name not in open_at:
                raise AnchorError(f"ANCHOR_END {name!r} without its ANCHOR (line {i + 1})")
            body = [l for l in lines[open_at.pop(name) + 1 : i] if not (ANCHOR.search(l) or ANCHOR_END.search(l))]
            found[name] = textwrap.dedent("\n".join(l.rstrip() for l in body) + "\n")
    if open_at:
        raise AnchorError(f"anchor(s) never closed: {', '.join(sorted(open_at))}")
    return found


def region(path: str, anchor: str) -> str:
    """The region `anchor` of the repository file `path`."""
    # Normalised, not resolved: `..` may not leave the repository, but a symlinked folder
    # inside it (a build's target/ pointing at a cache) still counts as the repository's.
    file = Path(os.path.normpath(ROOT / path))
    if ROOT not in file.parents or not file.is_file():
        raise AnchorError(f"no file {path} in the repository")
    try:
        found = regions(file.read_text(encoding="utf-8"))
    except AnchorError as e:
        raise AnchorError(f"{path}: {e}") from None
    if anchor not in found:
        raise AnchorError(f"{path} has no anchor {anchor!r}")
    return found[anchor]


def excerpts(doc: Path) -> list[Excerpt]:
    """The excerpt markers of a Markdown file, each with the block that follows it."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    result = []
    for i, line in enumerate(lines):
        m = MARKER.match(line.strip())
        if not m:
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        fence = FENCE.match(lines[j]) if j < len(lines) else None
        start = end = text = None
        if fence:
            close = fence["fence"]
            k = j + 1
            while k < len(lines) and lines[k].rstrip() != close:
                k += 1
            if k < len(lines):
                start, end = j + 1, k
                text = "".join(l.rstrip() + "\n" for l in lines[start:end])
        result.append(Excerpt(doc, i + 1, m["path"], m["anchor"], start, end, text))
    return result


def check(doc: Path) -> list[str]:
    """Problems with the excerpts of one Markdown file (empty: all match their source)."""
    problems = []
    for ex in excerpts(doc):
        try:
            expected = region(ex.path, ex.anchor)
        except AnchorError as e:
            problems.append(f"{ex.where}: {e}")
            continue
        if ex.text is None:
            problems.append(f"{ex.where}: no fenced code block follows the marker")
        elif ex.text != expected:
            diff = "".join(
                difflib.unified_diff(
                    expected.splitlines(True), ex.text.splitlines(True), f"{ex.path}#{ex.anchor}", "excerpt", n=1
                )
            )
            problems.append(f"{ex.where}: the excerpt differs from {ex.path}#{ex.anchor}\n{diff}")
    return problems


def update(doc: Path) -> list[str]:
    """Rewrites every excerpt of `doc` from its region; returns the ones that changed."""
    lines = doc.read_text(encoding="utf-8").splitlines(True)
    changed = []
    for ex in reversed(excerpts(doc)):
        if ex.text is None:
            continue
        try:
            expected = region(ex.path, ex.anchor)
        except AnchorError:
            continue
        if ex.text != expected:
            lines[ex.body_start : ex.body_end] = expected.splitlines(True)
            changed.append(f"{ex.where}: {ex.path}#{ex.anchor}")
    if changed:
        doc.write_text("".join(lines), encoding="utf-8")
    return list(reversed(changed))


def doctest_blocks(doc: Path) -> list[tuple[int, str]]:
    """(line, text) of every fenced python/pycon block of `doc` that holds `>>>` examples."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        k = i + 1
        while k < len(lines) and lines[k].rstrip() != fence["fence"]:
            k += 1
        body = "\n".join(lines[i + 1 : k]) + "\n"
        if fence["info"] in ("python", "pycon", "py") and ">>>" in body:
            blocks.append((i + 2, body))
        i = k + 1
    return blocks


def doctests(doc: Path) -> list[doctest.DocTest]:
    """The doctests of one Markdown file, one per block, all sharing one namespace."""
    parser = doctest.DocTestParser()
    globs: dict = {"__name__": "__docs__"}
    name = str(doc.relative_to(ROOT))
    tests = [
        parser.get_doctest(text, globs, f"{name}:{line}", str(doc), line - 1) for line, text in doctest_blocks(doc)
    ]
    for t in tests:
        t.globs = globs  # DocTest copies the dict it is given; share one, as the prose does
    return tests


SOURCES = (
    "src/**/*.rs",
    "crates/*/src/**/*.rs",
    "csrc/*.c",
    "docs/**/*.c",
    "examples/**/*.c",
    "tests/memcheck/*.py",
    "build.rs",
    "setup.py",
)


def unused_anchors() -> list[str]:
    """`path#name` of every anchored region that no excerpt in the docs quotes."""
    used = {(e.path, e.anchor) for f in markdown_files() for e in excerpts(f)}
    unused = []
    for pattern in SOURCES:
        for f in sorted(ROOT.glob(pattern)):
            rel = str(f.relative_to(ROOT))
            try:
                names = regions(f.read_text(encoding="utf-8"))
            except AnchorError:
                continue  # reported by the checks
            unused += [f"{rel}#{n}" for n in names if (rel, n) not in used]
    return unused


def markdown_files() -> list[Path]:
    """Every Markdown file of the book, in folders too (target/ and hidden folders aside)."""
    return sorted(f for f in DOCS.rglob("*.md") if not any(p.startswith(".") for p in f.relative_to(DOCS).parts))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path, help="Markdown files (default: every one under docs/)")
    ap.add_argument("--update", action="store_true", help="rewrite the excerpts from the source")
    args = ap.parse_args(argv)
    files = [f.resolve() for f in args.files] or markdown_files()
    count = sum(len(excerpts(f)) for f in files)
    if args.update:
        for f in files:
            for line in update(f):
                print(f"updated {line}")
    problems = [p for f in files for p in check(f)]
    for anchor in unused_anchors():
        print(f"note: no excerpt quotes {anchor}")
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{count} excerpts in {len(files)} files: {len(problems) or 'no'} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
