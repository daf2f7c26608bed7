"""The conformance report for people: ``conformance.md`` and ``conformance.html`` beside
``conformance.json``, written from the same document and the run's evidence."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from oauth_conformance.report.baseline import Comparison
from oauth_conformance.report.html import render_html
from oauth_conformance.report.markdown import render_markdown

__all__ = ["HUMAN_REPORTS", "write_human_reports"]

HUMAN_REPORTS = ("conformance.md", "conformance.html")


def write_human_reports(
    reports_dir: Path,
    document: Mapping[str, Any],
    exchanges: list[dict[str, Any]],
    comparison: Comparison | None = None,
) -> list[Path]:
    """Write ``conformance.md`` and ``conformance.html`` into ``reports_dir``; returns their paths.

    ``document`` is the run's conformance.json, ``exchanges`` the objects of its evidence.jsonl (both
    redacted already), ``comparison`` the ``--baseline`` comparison, if any (without it, one stored
    under ``run["baseline"]`` is shown).
    """
    reports_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in zip(HUMAN_REPORTS, (render_markdown(document, exchanges, comparison),
                                          render_html(document, exchanges, comparison)), strict=True):
        path = reports_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
