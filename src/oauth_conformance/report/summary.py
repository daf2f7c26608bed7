"""The one-screen summary printed at the end of a run."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from oauth_conformance.errors import blocking_requirement
from oauth_conformance.verdicts.levels import Verdict
from oauth_conformance.verdicts.results import RequirementResult, summary_counts

__all__ = ["ATTENTION", "REPLAY_LINES", "summary_lines"]

# What a reader must look at, most serious first.
ATTENTION = (Verdict.ERROR, Verdict.FAIL, Verdict.WARN, Verdict.REVIEW, Verdict.INFO)
_MAX_ROWS = 15
# How many replay steps a requirement's row shows; the rest are in conformance.md (and .json, .html).
REPLAY_LINES = 12
_REPLAY = "      replay: "


def summary_lines(
    target: str,
    results: list[RequirementResult],
    report_paths: Iterable[str],
    selected: frozenset[str] | None = None,
    evidence_hint: str | None = None,
) -> list[str]:
    """``selected``: the requirements of a run of a subset of the scenarios (None: all were selected);
    ``evidence_hint``: the command that prints one exchange the summary cites."""
    counts = summary_counts(results)
    shown = "  ".join(f"{name} {count}" for name, count in counts.items() if count)
    lines = [f"target: {target}", f"requirements: {len(results)}   {shown}"]
    if selected is not None:
        lines.append(
            f"subset run: the selected scenarios check {len(selected)} of the {len(results)} requirements; "
            "the others are NOT_RUN, not selected"
        )
    lines += _root_causes(results)
    attention = [r for verdict in ATTENTION for r in results if r.verdict is verdict]
    if attention:
        lines.append("needs attention:")
        for result in attention[:_MAX_ROWS]:
            # The evidence the message does not name already ("token issued (exchange E66)").
            cited = [e for e in result.evidence[:3] if not re.search(rf"\b{e}\b", result.message)]
            refs = f" ({', '.join(cited)})" if cited else ""
            lines.append(f"  {result.verdict.value:<6} {result.level.value:<6} {result.id}: {result.message}{refs}")
            lines += _replay_lines(result.steps)
        if len(attention) > _MAX_ROWS:
            lines.append(f"  … and {len(attention) - _MAX_ROWS} more in conformance.json")
    not_run = [r.id for r in results if r.verdict is Verdict.NOT_RUN and (selected is None or r.id in selected)]
    if not_run:
        lines.append(f"not run: {', '.join(not_run)}")
    lines.append("reports: " + ", ".join(report_paths))
    if evidence_hint and any(r.evidence for r in attention[:_MAX_ROWS]):
        lines.append(f"evidence (E1, E2, ...): {evidence_hint} prints one exchange")
    return lines


def _replay_lines(steps: tuple[str, ...], limit: int = REPLAY_LINES) -> list[str]:
    """The replay steps of a search's shrunk example under its requirement's row: numbered, indented, the
    first ``limit`` of them."""
    lines = [
        f"{_REPLAY if number == 1 else ' ' * len(_REPLAY)}{number}. {step}"
        for number, step in enumerate(steps[:limit], start=1)
    ]
    if len(steps) > limit:
        more = len(steps) - limit
        lines.append(f"{' ' * len(_REPLAY)}… {more} more step{'s' if more != 1 else ''}: see conformance.md")
    return lines


def _root_causes(results: list[RequirementResult]) -> list[str]:
    """First, the findings that blocked others: one root cause, with how many requirements it stopped."""
    # A SKIP whose precondition failed names the requirement that reported it (errors.BlockedError).
    causes = (blocking_requirement(r.message) for r in results if r.verdict is Verdict.SKIP)
    blocked = Counter(cause for cause in causes if cause)
    by_id = {r.id: r for r in results}
    lines = []
    for requirement_id, count in blocked.most_common():
        requirements = f"{count} requirement{'s' if count != 1 else ''}"
        cause = by_id.get(requirement_id)
        if cause is None:  # a host cut off after its timeouts (those are the run's ERRORs)
            lines.append(f"root cause: {requirement_id} stopped answering; it blocks {requirements}")
            continue
        lines.append(f"root cause: {cause.verdict.value} {requirement_id} blocks {requirements}: {cause.message}")
    return lines
