"""The checker: what a check's outcome means, decided by the requirement's level, never by the step.

A step hands what it observed to ``checker.verify(check, observation)``; the check says whether the
requirement held, and the catalogue says whether a violation is a FAIL (MUST), a WARN (SHOULD) or an
INFO (MAY). A failed MUST raises ConformanceFailure, which fails the scenario; the rest are recorded
and the scenario goes on. A review requirement's check only measures: its evidence goes to a human.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from oauth_conformance.catalogue import Catalogue, StandardsProfile
from oauth_conformance.checks import Check, Family, Outcome, Status, checks_in
from oauth_conformance.errors import SuiteError, UndecidedError
from oauth_conformance.redaction import REDACTOR
from oauth_conformance.verdicts.levels import VIOLATION, Verdict

__all__ = ["Checker", "ConformanceFailure", "Finding"]

Observed = TypeVar("Observed")


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
    profile: StandardsProfile | None = None

    def verify(self, check: Check[Observed], observation: Observed) -> bool:
        """Run ``check`` on what a step observed and record its verdict; a failed MUST raises. Returns held."""
        return self.record(check.requirement, check(observation))

    def verify_tagged(self, family: Family, observation: Any) -> None:
        """A shared step: run the checks of ``family`` the scenario is tagged with, record every one, and
        only then fail, so a failed MUST does not leave its siblings unchecked."""
        members = [c for c in checks_in(family) if c.requirement in self.tags]
        if not members:
            raise SuiteError(f"step '{family.value}' used in a scenario tagged with none of its requirements")
        failure: ConformanceFailure | UndecidedError | None = None
        for member in members:
            try:
                self.verify(member, observation)
            except ConformanceFailure as error:
                failure = error if not isinstance(failure, ConformanceFailure) else failure
            except UndecidedError as error:
                failure = failure or error
        if failure is not None:
            raise failure

    def record(self, requirement_id: str, outcome: Outcome) -> bool:
        """The verdict ``outcome`` means for ``requirement_id``: decided by the catalogue, never by the check."""
        requirement = self.catalogue[requirement_id]
        if outcome.status is Status.UNDECIDED:
            raise UndecidedError(f"[{requirement_id}] {outcome.message}", next(iter(outcome.evidence), None))
        review = requirement.check == "review"
        if review != (outcome.status is Status.MEASURED):
            kind = "measures for review" if review else "is decided by its level"
            raise SuiteError(f"{requirement_id} {kind}, but its check returned {outcome.status.value}")
        if outcome.status is Status.MEASURED:
            self._add(Finding(requirement_id, Verdict.REVIEW, outcome.message, self.test, outcome.evidence))
            return True
        return self._judge(requirement_id, outcome)

    def _judge(self, requirement_id: str, outcome: Outcome) -> bool:
        """PASS when the outcome held, else the violation its level (under the standards profile) means."""
        requirement = self.catalogue[requirement_id]
        if outcome.held:
            self._add(Finding(requirement_id, Verdict.PASS, outcome.message, self.test, outcome.evidence))
            return True
        level = requirement.level_for(self.profile)
        finding = self._add(Finding(requirement_id, VIOLATION[level], outcome.message, self.test, outcome.evidence))
        if finding.verdict is Verdict.FAIL:
            raise ConformanceFailure(finding)
        return False

    def _add(self, finding: Finding) -> Finding:
        # A message may quote what a server said: it is redacted before it can reach any report.
        stored = replace(finding, message=REDACTOR.text(finding.message))
        self.findings.append(stored)
        return stored
