"""The checker: what a check's outcome means, decided by the requirement's level, never by the step.

A step hands what it observed to ``checker.verify(check, observation)``; the check says whether the
requirement held, and the catalogue says whether a violation is a FAIL (MUST), a WARN (SHOULD) or an
INFO (MAY). Every finding is recorded and the scenario goes on, so one deviation never hides the next
(the OpenID conformance suite's "continue on failure"); the plugin fails the scenario at its end when a
MUST failed (``ConformanceFailure``, naming each). A step whose later steps cannot run without what it
checked uses ``checker.require``: a violation then stops the scenario, and what was not reached is
reported as blocked by that finding. A review requirement's check only measures: its evidence goes to a
human.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from oauth_conformance.catalogue import Catalogue, StandardsProfile
from oauth_conformance.checks import Check, Family, Outcome, Status, checks_in
from oauth_conformance.errors import BlockedError, SuiteError, UndecidedError
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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """The finding ``as_dict`` wrote (sent by a pytest-xdist worker, read from conformance.json)."""
        test = data.get("test")
        return cls(
            requirement=str(data["requirement"]),
            verdict=Verdict(data["verdict"]),
            message=str(data["message"]),
            test=str(test) if test is not None else None,
            evidence=tuple(str(e) for e in data.get("evidence", ())),
        )


class ConformanceFailure(AssertionError):
    """One or more requirements the gate fails on were violated (MUSTs; SHOULDs too with
    ``--fail-on=should``): the scenario fails with each requirement named. ``stopped`` is what ended the
    scenario early (a blocked step, a skip, a broken request), or None when every step ran."""

    def __init__(self, findings: Sequence[Finding], stopped: BaseException | None = None) -> None:
        if not findings:
            raise ValueError("a conformance failure names at least one failed requirement")
        stop = f"; then the scenario stopped: {_reason(stopped)}" if stopped is not None else ""
        super().__init__("; ".join(f"[{f.requirement}] {f.message}" for f in findings) + stop)
        self.findings = tuple(findings)
        self.stopped = stopped

    @property
    def finding(self) -> Finding:
        """The first failed requirement."""
        return self.findings[0]


@dataclass
class Checker:
    """The checks of one test: decides verdicts from the catalogue and collects the findings."""

    # Out of the repr: a repr is what tools show of a fixture (the whole catalogue, every message).
    catalogue: Catalogue = field(repr=False)
    test: str | None = None
    findings: list[Finding] = field(default_factory=list, repr=False)
    # The requirement IDs the scenario is tagged with.
    tags: tuple[str, ...] = ()
    # The standards profile (--standards-profile) that may grade a requirement differently.
    profile: StandardsProfile | None = None

    def verify(self, check: Check[Observed], observation: Observed) -> bool:
        """Run ``check`` on what a step observed and record its verdict; the scenario goes on whatever it
        is. Returns whether the requirement held."""
        return self.record(check.requirement, check(observation))

    def require(self, check: Check[Observed], observation: Observed) -> None:
        """``verify``, for a step the rest of the scenario rests on: when the requirement does not hold,
        the scenario stops here, and each requirement it has not reached is blocked by this finding."""
        if not self.verify(check, observation):
            raise _blocked_by(self.findings[-1])

    def require_tagged(self, family: Family, observation: Any) -> None:
        """``verify_tagged``, for a shared step the rest of the scenario rests on (see ``require``)."""
        before = len(self.findings)
        self.verify_tagged(family, observation)
        violation = next((f for f in self.findings[before:] if f.verdict in VIOLATION.values()), None)
        if violation is not None:
            raise _blocked_by(violation)

    def verify_tagged(self, family: Family, observation: Any) -> None:
        """A shared step: run the checks of ``family`` the scenario is tagged with and record every one;
        an undecided member is raised only after its siblings were checked."""
        members = [c for c in checks_in(family) if c.requirement in self.tags]
        if not members:
            raise SuiteError(f"step '{family.value}' used in a scenario tagged with none of its requirements")
        undecided: UndecidedError | None = None
        for member in members:
            try:
                self.verify(member, observation)
            except UndecidedError as error:
                undecided = undecided or error
        if undecided is not None:
            raise undecided

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
        self._add(Finding(requirement_id, VIOLATION[level], outcome.message, self.test, outcome.evidence))
        return False

    def _add(self, finding: Finding) -> Finding:
        # A message may quote what a server said: it is redacted before it can reach any report.
        stored = replace(finding, message=REDACTOR.text(finding.message))
        self.findings.append(stored)
        return stored


def _blocked_by(violation: Finding) -> BlockedError:
    return BlockedError(violation.requirement, violation.message, next(iter(violation.evidence), None))


def _reason(stopped: BaseException) -> str:
    # A skip's text is its reason; pytest's outcome exceptions keep it in ``msg``.
    return REDACTOR.text(str(getattr(stopped, "msg", None) or stopped))
