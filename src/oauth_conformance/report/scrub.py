"""Last line of defence: rewrite report files with every secret seen in the run masked.

Runs after the JUnit and Allure writers. Allure records step arguments by their repr; the suite's own
types redact theirs, and this catches what a third-party repr would leak.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from oauth_conformance.redaction import REDACTOR

__all__ = ["scrub_reports"]

_TEXT_SUFFIXES = frozenset({".json", ".jsonl", ".txt", ".csv", ".xml"})


def scrub_reports(files: Iterable[Path], folders: Iterable[Path]) -> None:
    candidates = list(files)
    for folder in folders:
        if folder.is_dir():
            candidates += [p for p in folder.iterdir() if p.suffix in _TEXT_SUFFIXES]
    for path in candidates:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        scrubbed = REDACTOR.text(text)
        if scrubbed != text:
            path.write_text(scrubbed, encoding="utf-8")
