"""From test outcomes to findings: what each scenario's result means for the requirements it names.

A failed MUST was already recorded by the checker. A skip becomes SKIP with its reason. Anything else
that escaped (a timeout, a refused connection, a response the suite cannot use) becomes ERROR, never
PASS. A requirement the scenario names but never checked is an ERROR of the suite, unless an earlier
failed MUST stopped the scenario first (then it was simply not reached).
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from oauth_conformance.redaction import REDACTOR
from oauth_conformance.verdicts.checker import ConformanceFailure, Finding
from oauth_conformance.verdicts.levels import Verdict

__all__ = ["problem_of", "settle"]


def problem_of(nodeid: str, call: pytest.CallInfo[None], report: pytest.TestReport) -> Finding | None:
    """The SKIP or ERROR one phase of a test amounts to, with no requirement yet (settle fills it in)."""
    if call.excinfo is None:
        return None
    error = call.excinfo.value
    if isinstance(error, ConformanceFailure):
        return None  # recorded by the checker (and, when waived, reported as an expected failure)
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        return Finding("", Verdict.SKIP, reason.removeprefix("Skipped: "), nodeid)
    exchange = getattr(error, "exchange_id", None)
    message = REDACTOR.text(f"{call.when}: {type(error).__name__}: {error}")
    return Finding("", Verdict.ERROR, message, nodeid, (exchange,) if exchange else ())


def settle(
    nodeid: str, requirement_ids: Iterable[str], findings: list[Finding], problem: Finding | None
) -> list[Finding]:
    """Every finding of one test, completed for each requirement it is tagged with."""
    settled = list(findings)
    recorded = {f.requirement for f in findings}
    failed_on = next((f for f in findings if f.verdict is Verdict.FAIL), None)
    for requirement_id in requirement_ids:
        if problem is not None:
            settled.append(Finding(requirement_id, problem.verdict, problem.message, nodeid, problem.evidence))
        elif requirement_id in recorded:
            continue
        elif failed_on is not None:
            message = f"not reached: the scenario stopped when {failed_on.requirement} failed"
            settled.append(Finding(requirement_id, Verdict.NOT_RUN, message, nodeid))
        else:
            # A scenario that names a requirement must check it: a silent pass would be a PASS for nothing.
            message = "the scenario recorded no check of this requirement"
            settled.append(Finding(requirement_id, Verdict.ERROR, message, nodeid))
    return settled
