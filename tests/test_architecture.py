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


# The most `unsafe {` blocks allowed: in the whole repository, and in the `LucasIter` folder.
UNSAFE_LIMITS = {".": 80, "src/lucas_iter": 15}


def unsafe_blocks(folder: str) -> int:
    roots = [ROOT / "src", ROOT / "crates"] if folder == "." else [ROOT / folder]
    return sum(f.read_text(encoding="utf-8").count("unsafe {") for root in roots for f in root.rglob("*.rs"))


def test_the_unsafe_surface_stays_small():
    counts = {folder: unsafe_blocks(folder) for folder in UNSAFE_LIMITS}
    assert counts["src/lucas_iter"] > 0, "the count found the blocks"
    over = {folder: (n, UNSAFE_LIMITS[folder]) for folder, n in counts.items() if n > UNSAFE_LIMITS[folder]}
    assert not over, f"`unsafe {{` blocks (count, limit): {over}"
