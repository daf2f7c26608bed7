"""The one-screen summary printed at the end of a run."""

from __future__ import annotations

from collections.abc import Iterable

from oauth_conformance.verdicts.levels import Verdict
from oauth_conformance.verdicts.results import RequirementResult, summary_counts

__all__ = ["ATTENTION", "summary_lines"]

# What a reader must look at, most serious first.
ATTENTION = (Verdict.ERROR, Verdict.FAIL, Verdict.WARN, Verdict.REVIEW, Verdict.INFO)
_MAX_ROWS = 15


def summary_lines(target: str, results: list[RequirementResult], report_paths: Iterable[str]) -> list[str]:
    counts = summary_counts(results)
    shown = "  ".join(f"{name} {count}" for name, count in counts.items() if count)
    lines = [f"target: {target}", f"requirements: {len(results)}   {shown}"]
    attention = [r for verdict in ATTENTION for r in results if r.verdict is verdict]
    if attention:
        lines.append("needs attention:")
        for result in attention[:_MAX_ROWS]:
            refs = f" ({', '.join(result.evidence[:3])})" if result.evidence else ""
            lines.append(f"  {result.verdict.value:<6} {result.level.value:<6} {result.id}: {result.message}{refs}")
        if len(attention) > _MAX_ROWS:
            lines.append(f"  … and {len(attention) - _MAX_ROWS} more in conformance.json")
    not_run = [r.id for r in results if r.verdict is Verdict.NOT_RUN]
    if not_run:
        lines.append(f"not run: {', '.join(not_run)}")
    lines.append("reports: " + ", ".join(report_paths))
    return lines
