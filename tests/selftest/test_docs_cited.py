"""The documents that reports and code cite are in the project, with the sections they cite.

The rule: a citation is a ``<name>.md`` not inside a longer path or a URL, optionally followed by
section numbers (``creatio-oauth.md §1.2, §7``, ``§2–§5``, ``[creatio-oauth.md](creatio-oauth.md) §4``).
``docs/<name>.md`` and a bare ``<name>.md`` both name ``docs/<name>.md``; ``README.md`` and
``ARCHITECTURE.md`` may also be the project root's. A cited section ``§N`` must be a heading of that
file whose first word is the number: ``## 1. Identity Service`` is §1, ``### 1.3 Token request`` §1.3.
A file of another repository is cited with its path (``clio/docs/knowledge/x.md``, ``repo@sha:x.md``),
which is not a citation of the project's docs.

Report-facing text (waiver reasons, the catalogue's strings, the checks' docstrings, and
``docs/checks.md`` made from them) goes to customers who have only the project: there a citation is
written as its path from the project root (``docs/creatio-oauth.md §1.3``, never a bare name), and no
text anywhere in what is scanned points outside the project (``shared/``, ``reference/``, ``seed/``,
``../``).
"""

from __future__ import annotations

import ast
import bisect
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PACKAGE = ROOT / "src" / "oauth_conformance"
ROOT_DOCUMENTS = frozenset({"README.md", "ARCHITECTURE.md"})

# Where citations are written: what reports show, the code behind them, and the docs themselves.
CITING = (
    *sorted((ROOT / "profiles").glob("*.toml")),
    *sorted((PACKAGE / "catalogue").glob("*.toml")),
    *sorted((PACKAGE / "checks").glob("*.py")),
    *sorted((PACKAGE / "mock").glob("*.py")),
    *sorted((PACKAGE / "targets").glob("*.py")),
    *sorted((ROOT / "steps").rglob("*.py")),
    *sorted((ROOT / "features").rglob("*.feature")),
    *sorted(DOCS.glob("*.md")),
)

_URL = re.compile(r"https?://\S+")
_NUMBER = r"\d+(?:\.\d+)*"
# A name not preceded by a path, a commit (``repo@sha:docs/x.md``) or a URL's characters; a Markdown
# link's target after it is skipped, so that ``[x.md](x.md) §5`` still cites §5 of x.md.
_CITATION = re.compile(
    r"(?<![\w./:@-])(?P<name>(?:docs/)?[A-Za-z0-9_-]+\.md)\b(?:\]\([^)\s]*\))?"
    rf"(?:\s*§\s?(?P<first>{_NUMBER})(?P<more>(?:\s*(?:,|and|to|–|-)\s*§\s?{_NUMBER})*))?"
)
_MORE = re.compile(rf"§\s?({_NUMBER})")
_HEADING = re.compile(rf"^#{{1,6}}\s+§?({_NUMBER})\.?(?:\s|$)", re.M)
_OUTSIDE = re.compile(r"(?<![\w./-])(?:shared|reference|seed)/|(?<![\w.])\.\./")


@dataclass(frozen=True)
class Citation:
    path: Path
    line: int
    name: str
    sections: tuple[str, ...]

    def __str__(self) -> str:
        cited = self.name + "".join(f" §{s}" for s in self.sections)
        return f"{self.path.relative_to(ROOT)}:{self.line}: {cited}"


def _flowed(path: Path) -> tuple[str, list[int]]:
    """The file's text as one line (comment markers and indentation dropped, so that a citation that
    wraps still reads as one), with each source line's offset in it; URLs are blanked out."""
    keep_hashes = path.suffix == ".md"
    parts: list[str] = []
    starts: list[int] = []
    offset = 0
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not keep_hashes:
            line = line.lstrip("#").strip()
        starts.append(offset)
        parts.append(line)
        offset += len(line) + 1
    text = " ".join(parts)
    return _URL.sub(lambda m: " " * len(m.group()), text), starts


def citations_in(text: str) -> Iterator[tuple[int, str, tuple[str, ...]]]:
    """(offset, name, section numbers) of each citation in ``text``."""
    for match in _CITATION.finditer(text):
        sections: tuple[str, ...] = ()
        if match.group("first"):
            sections = (match.group("first"), *_MORE.findall(match.group("more") or ""))
        yield match.start(), match.group("name"), sections


def _citations(path: Path) -> list[Citation]:
    text, starts = _flowed(path)
    return [
        Citation(path, bisect.bisect_right(starts, offset), name, sections)
        for offset, name, sections in citations_in(text)
    ]


def resolve(name: str) -> Path | None:
    """The project file a cited name means, if there is one."""
    bare = name.removeprefix("docs/")
    if (DOCS / bare).is_file():
        return DOCS / bare
    if name in ROOT_DOCUMENTS and (ROOT / name).is_file():
        return ROOT / name
    return None


def headings(path: Path) -> frozenset[str]:
    return frozenset(_HEADING.findall(path.read_text(encoding="utf-8")))


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def report_facing() -> Iterator[tuple[str, str]]:
    """(where, text) of everything the reports and docs/checks.md show that may cite a document."""
    for path in sorted((ROOT / "profiles").glob("*.toml")):
        for waiver in tomllib.loads(path.read_text(encoding="utf-8")).get("waiver", []):
            yield f"{path.relative_to(ROOT)} {waiver['id']}", str(waiver["reason"])
    for path in sorted((PACKAGE / "catalogue").glob("*.toml")):
        for text in _strings(tomllib.loads(path.read_text(encoding="utf-8"))):
            yield str(path.relative_to(ROOT)), text
    for path in sorted((PACKAGE / "checks").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                docstring = ast.get_docstring(node)
                if docstring:
                    where = getattr(node, "name", "module")
                    yield f"{path.relative_to(ROOT)} {where}", docstring
    yield "docs/checks.md", (DOCS / "checks.md").read_text(encoding="utf-8")


ALL = [citation for path in CITING for citation in _citations(path)]


def test_the_rule_reads_lists_ranges_and_links() -> None:
    text = "see [a.md](a.md) §5; docs/b.md §1.2, §7 and §8 and c.md §2–§5, d.md, x/e.md §1, repo@1:docs/f.md"
    assert [(name, sections) for _, name, sections in citations_in(text)] == [
        ("a.md", ("5",)),
        ("docs/b.md", ("1.2", "7", "8")),
        ("c.md", ("2", "5")),
        ("d.md", ()),
    ]
    assert {"1", "1.3", "2"} <= headings(DOCS / "creatio-oauth.md")


def test_citations_are_found_where_reports_and_code_cite() -> None:
    cited_files = {c.path for c in ALL}
    assert len(ALL) > 150, len(ALL)
    for directory in ("profiles", "src/oauth_conformance/catalogue", "src/oauth_conformance/checks",
                      "src/oauth_conformance/mock", "steps", "docs"):
        assert any(path.is_relative_to(ROOT / directory) for path in cited_files), directory


def test_every_cited_document_is_in_the_project() -> None:
    missing = [str(c) for c in ALL if resolve(c.name) is None]
    assert not missing, "cited documents that are not under docs/ (or README.md, ARCHITECTURE.md):\n" + "\n".join(
        missing
    )


def test_every_cited_section_is_a_heading_of_its_document() -> None:
    numbered = {path: headings(path) for path in {resolve(c.name) for c in ALL} if path is not None}
    missing = [
        f"{c} ({target.relative_to(ROOT)} has no heading §{section})"
        for c in ALL
        if (target := resolve(c.name)) is not None
        for section in c.sections
        if section not in numbered[target]
    ]
    assert not missing, "cited sections that do not exist:\n" + "\n".join(missing)


def test_report_facing_text_cites_documents_by_their_path_in_the_project() -> None:
    bare = [
        f"{where}: {name} (write docs/{name}, the path a reader can open)"
        for where, text in report_facing()
        for _, name, _ in citations_in(_URL.sub(" ", " ".join(text.split())))
        if not name.startswith("docs/") and name not in ROOT_DOCUMENTS
    ]
    assert not bare, "bare citations in what reports show:\n" + "\n".join(bare)


def test_nothing_points_outside_the_project() -> None:
    outside = []
    for path in CITING:
        text, starts = _flowed(path)
        for match in _OUTSIDE.finditer(text):
            outside.append(f"{path.relative_to(ROOT)}:{bisect.bisect_right(starts, match.start())}: "
                           f"{text[max(0, match.start() - 30):match.end() + 40]!r}")
    assert not outside, "paths outside the project:\n" + "\n".join(outside)
