"""From test outcomes to findings: what each scenario's result means for the requirements it names.

Failed MUSTs were already recorded by the checker, and the scenario went on past them. What ended a
scenario early decides the requirements it had not checked: a step blocked by a violated requirement
makes them SKIPs naming it ("blocked by <ID>: ..."); any other skip is a SKIP with its reason, for every
requirement the scenario names; anything else that escaped (a timeout, a refused connection, a response
the suite cannot use) is an ERROR, never a PASS. A requirement the scenario names but never checked,
though nothing stopped it, is an ERROR of the suite.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from oauth_conformance.errors import blocking_requirement
from oauth_conformance.redaction import REDACTOR
from oauth_conformance.verdicts.checker import ConformanceFailure, Finding
from oauth_conformance.verdicts.levels import Verdict

__all__ = ["problem_of", "settle"]

# What pytest raises for a skip (pytest.skip, and the skips the plugin makes of a precondition).
_SKIPPED = pytest.skip.Exception


def problem_of(nodeid: str, call: pytest.CallInfo[None], report: pytest.TestReport) -> Finding | None:
    """The SKIP or ERROR one phase of a test amounts to, with no requirement yet (settle fills it in)."""
    if call.excinfo is None:
        return None
    error: BaseException = call.excinfo.value
    if isinstance(error, ConformanceFailure):
        # The failures are recorded by the checker; what stopped the scenario, if anything, is the problem.
        if error.stopped is None:
            return None
        error = error.stopped
        skipped = isinstance(error, _SKIPPED)
    else:
        skipped = report.skipped
    if skipped:
        reason = report.longrepr[2] if report.skipped and isinstance(report.longrepr, tuple) else str(error)
        return Finding("", Verdict.SKIP, REDACTOR.text(reason.removeprefix("Skipped: ")), nodeid)
    exchange = getattr(error, "exchange_id", None)
    message = REDACTOR.text(f"{call.when}: {type(error).__name__}: {error}")
    return Finding("", Verdict.ERROR, message, nodeid, (exchange,) if exchange else ())


def settle(
    nodeid: str, requirement_ids: Iterable[str], findings: list[Finding], problem: Finding | None
) -> list[Finding]:
    """Every finding of one test, completed for each requirement it is tagged with."""
    settled = list(findings)
    recorded = {f.requirement for f in findings}
    # Blocked by a finding: what was checked before the block stands; only what was not reached is blocked.
    blocked = problem is not None and blocking_requirement(problem.message) is not None
    for requirement_id in requirement_ids:
        if problem is not None and not (blocked and requirement_id in recorded):
            settled.append(Finding(requirement_id, problem.verdict, problem.message, nodeid, problem.evidence))
        elif requirement_id not in recorded:
            # A scenario that names a requirement must check it: a silent pass would be a PASS for nothing.
            message = "the scenario recorded no check of this requirement"
            settled.append(Finding(requirement_id, Verdict.ERROR, message, nodeid))
    return settled
