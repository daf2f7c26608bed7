"""Verdicts: what a check's outcome means, decided by the requirement's level, never by the step.

A step calls ``checker.require(id, condition, message)``; the catalogue says whether a violation is a
FAIL (MUST), a WARN (SHOULD) or an INFO (MAY). A failed MUST raises ConformanceFailure, which fails
the scenario; the rest are recorded and the scenario goes on. ``review`` records measured evidence
for a human. Anything else that escapes a check (a timeout, a refused connection, a response the
suite cannot use) becomes ERROR, never PASS.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from oauth_conformance.catalogue import Catalogue, Level
from oauth_conformance.checks import Check, Family, Outcome, Status, checks_in
from oauth_conformance.errors import SuiteError
from oauth_conformance.redaction import REDACTOR

__all__ = ["GATE", "Checker", "ConformanceFailure", "Finding", "Verdict", "aggregate"]


class Verdict(enum.StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    WARN = "WARN"
    INFO = "INFO"
    REVIEW = "REVIEW"
    SKIP = "SKIP"
    ERROR = "ERROR"
    WAIVED = "WAIVED"
    NOT_RUN = "NOT_RUN"


# When one requirement collects several findings, the most serious one is its verdict. SKIP ranks
# above PASS: a requirement one of whose scenarios could not run is not shown as verified.
SEVERITY: dict[Verdict, int] = {
    Verdict.ERROR: 8,
    Verdict.FAIL: 7,
    Verdict.WARN: 6,
    Verdict.REVIEW: 5,
    Verdict.INFO: 4,
    Verdict.WAIVED: 3,
    Verdict.SKIP: 2,
    Verdict.PASS: 1,
    Verdict.NOT_RUN: 0,
}

# What fails the gate, by --fail-on.
GATE: dict[str, frozenset[Verdict]] = {
    "must": frozenset({Verdict.FAIL, Verdict.ERROR}),
    "should": frozenset({Verdict.FAIL, Verdict.ERROR, Verdict.WARN}),
}

Observed = TypeVar("Observed")

VIOLATION: dict[Level, Verdict] = {Level.MUST: Verdict.FAIL, Level.SHOULD: Verdict.WARN, Level.MAY: Verdict.INFO}


@dataclass(frozen=True)
class Finding:
    requirement: str
    verdict: Verdict
    message: str
    test: str | None = None
    evidence: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "requirement": self.requirement,
            "verdict": self.verdict.value,
            "message": self.message,
            "test": self.test,
            "evidence": list(self.evidence),
        }


class ConformanceFailure(AssertionError):
    """A MUST was violated: the scenario fails with the requirement named."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(f"[{finding.requirement}] {finding.message}")
        self.finding = finding


@dataclass
class Checker:
    """The checks of one test: decides verdicts from the catalogue and collects the findings."""

    catalogue: Catalogue
    test: str | None = None
    findings: list[Finding] = field(default_factory=list)
    # The requirement IDs the scenario is tagged with.
    tags: tuple[str, ...] = ()
    # The standards profile (--standards-profile) that may grade a requirement differently.
    profile: str | None = None

    def verify(self, check: Check[Observed], observation: Observed) -> bool:
        """Run ``check`` on what a step observed and record its verdict; a failed MUST raises. Returns held."""
        return self.record(check.requirement, check(observation))

    def verify_tagged(self, family: Family, observation: Any) -> None:
        """A shared step: run the checks of ``family`` the scenario is tagged with, record every one, and
        only then fail, so a failed MUST does not leave its siblings unchecked."""
        members = [c for c in checks_in(family) if c.requirement in self.tags]
        if not members:
            raise SuiteError(f"step '{family.value}' used in a scenario tagged with none of its requirements")
        failure: ConformanceFailure | None = None
        for member in members:
            try:
                self.verify(member, observation)
            except ConformanceFailure as error:
                failure = failure or error
        if failure is not None:
            raise failure

    def record(self, requirement_id: str, outcome: Outcome) -> bool:
        """The verdict ``outcome`` means for ``requirement_id``: decided by the catalogue, never by the check."""
        requirement = self.catalogue[requirement_id]
        review = requirement.check == "review"
        if review != (outcome.status is Status.MEASURED):
            kind = "measures for review" if review else "is decided by its level"
            raise SuiteError(f"{requirement_id} {kind}, but its check returned {outcome.status.value}")
        if outcome.status is Status.MEASURED:
            self._add(Finding(requirement_id, Verdict.REVIEW, outcome.message, self.test, outcome.evidence))
            return True
        return self.require(requirement_id, outcome.held, outcome.message, outcome.evidence)

    def pick(self, *candidates: str) -> str:
        """The one of ``candidates`` this scenario verifies: a shared step checks what the scenario names."""
        for candidate in candidates:
            if candidate in self.tags:
                return candidate
        raise SuiteError(f"step used in a scenario tagged with none of {', '.join(candidates)}")

    def require(
        self, requirement_id: str, condition: bool, message: str, evidence: Iterable[str | None] = ()
    ) -> bool:
        """Record PASS when ``condition`` holds, else the level's violation verdict. Returns condition."""
        requirement = self.catalogue[requirement_id]
        if requirement.check == "review":
            raise SuiteError(f"{requirement_id} is a review requirement: record it with review(), not require()")
        refs = tuple(e for e in evidence if e)
        if condition:
            self._add(Finding(requirement_id, Verdict.PASS, message, self.test, refs))
            return True
        level = requirement.level_for(self.profile)
        finding = self._add(Finding(requirement_id, VIOLATION[level], message, self.test, refs))
        if finding.verdict is Verdict.FAIL:
            raise ConformanceFailure(finding)
        return False

    def require_tagged(
        self, candidates: Iterable[str], condition: bool, message: str, evidence: Iterable[str | None] = ()
    ) -> None:
        """One observation that decides several requirements: record it for each one the scenario is
        tagged with, and only then fail, so a failed MUST does not leave its siblings unchecked."""
        refs = list(evidence)
        self.require_each([(rid, condition, message) for rid in candidates if rid in self.tags], refs)

    def require_each(
        self, checks: Iterable[tuple[str, bool, str]], evidence: Iterable[str | None] = ()
    ) -> None:
        """Several requirements decided by one step: record every one, then fail on the first FAIL."""
        refs = list(evidence)
        failure: ConformanceFailure | None = None
        for requirement_id, condition, message in checks:
            try:
                self.require(requirement_id, condition, message, refs)
            except ConformanceFailure as error:
                failure = failure or error
        if failure is not None:
            raise failure

    def review(self, requirement_id: str, message: str, evidence: Iterable[str | None] = ()) -> None:
        """Record a measurement that needs a human's judgement."""
        if self.catalogue[requirement_id].check != "review":
            raise SuiteError(f"{requirement_id} is decided by its level: check it with require(), not review()")
        self._add(Finding(requirement_id, Verdict.REVIEW, message, self.test, tuple(e for e in evidence if e)))

    def _add(self, finding: Finding) -> Finding:
        # A message may quote what a server said: it is redacted before it can reach any report.
        stored = replace(finding, message=REDACTOR.text(finding.message))
        self.findings.append(stored)
        return stored


def aggregate(findings: Iterable[Finding]) -> Verdict:
    """The verdict of one requirement: its most serious finding, NOT_RUN when it has none."""
    verdict = Verdict.NOT_RUN
    for finding in findings:
        if SEVERITY[finding.verdict] > SEVERITY[verdict]:
            verdict = finding.verdict
    return verdict
