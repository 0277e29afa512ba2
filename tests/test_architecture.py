"""docs/architecture.md's file table is the one list of the Rust source files: every file in
the tree is listed once, and every listed file exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(r"^\| `(?P<path>(?:src|crates)/[^`]+\.rs)` \|")


def listed() -> list[str]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("\n## Files\n", 1)[1].split("\n## ", 1)[0]
    return [m["path"] for line in section.splitlines() if (m := ROW.match(line))]


def in_tree() -> set[str]:
    files = list((ROOT / "src").rglob("*.rs")) + list((ROOT / "crates").glob("*/src/**/*.rs"))
    return {f.relative_to(ROOT).as_posix() for f in files}


def test_every_source_file_is_listed_once():
    paths = listed()
    assert paths, "the table has rows"
    duplicates = sorted({p for p in paths if paths.count(p) > 1})
    assert not duplicates, f"listed twice: {duplicates}"
    missing = sorted(in_tree() - set(paths))
    assert not missing, f"not in docs/architecture.md's file table: {missing}"


def test_every_listed_file_exists():
    gone = sorted(set(listed()) - in_tree())
    assert not gone, f"listed in docs/architecture.md but not in the tree: {gone}"
