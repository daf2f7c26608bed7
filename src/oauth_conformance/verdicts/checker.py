"""The checker: what a check's outcome means, decided by the requirement's level, never by the step.

A step hands what it observed to ``checker.verify(check, observation)``; the check says whether the
requirement held, and the catalogue says whether a violation is a FAIL (MUST), a WARN (SHOULD) or an
INFO (MAY). Every finding is recorded and the scenario goes on, so one deviation never hides the next
(the OpenID conformance suite's "continue on failure"); the plugin fails the scenario at its end when a
MUST failed (``ConformanceFailure``, naming each). A step whose later steps cannot run without what it
checked uses ``checker.require``: a violation then stops the scenario, and what was not reached is
reported as blocked by that finding. A review requirement's check only measures: its evidence goes to a
human. A finding of the search also carries the steps of its shrunk failing example, one line each, so
that a reader can replay it by hand.
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


# Every boundary str.splitlines knows, shown escaped: a step is one line wherever it is printed.
_LINE_BREAKS = str.maketrans({
    "\n": "\\n", "\r": "\\r", "\v": "\\x0b", "\f": "\\x0c", "\x1c": "\\x1c", "\x1d": "\\x1d",
    "\x1e": "\\x1e", "\x85": "\\x85", "\u2028": "\\u2028", "\u2029": "\\u2029",
})


@dataclass(frozen=True)
class Finding:
    requirement: str
    verdict: Verdict
    message: str
    test: str | None = None
    evidence: tuple[str, ...] = ()
    # The replayable steps of a search's shrunk failing example, in order, one line each (e.g. "edit the
    # Description of A (E14)"); none for a fixed scenario's finding.
    steps: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "requirement": self.requirement,
            "verdict": self.verdict.value,
            "message": self.message,
            "test": self.test,
            "evidence": list(self.evidence),
        }
        if self.steps:
            data["steps"] = list(self.steps)
        return data

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
            steps=tuple(str(s) for s in data.get("steps", ())),
        )


class ConformanceFailure(AssertionError):
    """One or more requirements the gate fails on were violated (MUSTs; SHOULDs too with
    ``--fail-on=should``): the scenario fails with each requirement named. ``stopped`` is what ended the
    scenario early (a blocked step, a skip, a broken request), or None when every step ran."""

    # What the waiver in force for every requirement named says, when one is (the plugin sets it): the
    # failure is then a known deviation, reported as an expected failure.
    waived: str | None = None

    def __init__(self, findings: Sequence[Finding], stopped: BaseException | None = None) -> None:
        if not findings:
            raise ValueError("a conformance failure names at least one failed requirement")
        # One line while no finding has replay steps (as pytest and JUnit show it); one block per finding
        # otherwise, each with its numbered steps.
        separator = "\n" if any(f.steps for f in findings) else "; "
        stop = f"{separator}then the scenario stopped: {_reason(stopped)}" if stopped is not None else ""
        super().__init__(separator.join(_headline(f) for f in findings) + stop)
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

    def verify(self, check: Check[Observed], observation: Observed, *, steps: Sequence[str] = ()) -> bool:
        """Run ``check`` on what a step observed and record its verdict; the scenario goes on whatever it
        is. Returns whether the requirement held. ``steps``: how to replay what was observed (a search's
        shrunk example), one line each."""
        return self.record(check.requirement, check(observation), steps=steps)

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

    def record(self, requirement_id: str, outcome: Outcome, *, steps: Sequence[str] = ()) -> bool:
        """The verdict ``outcome`` means for ``requirement_id``: decided by the catalogue, never by the check.
        ``steps`` (the replay of a search's shrunk example) go into the finding, redacted."""
        requirement = self.catalogue[requirement_id]
        if outcome.status is Status.UNDECIDED:
            raise UndecidedError(f"[{requirement_id}] {outcome.message}", next(iter(outcome.evidence), None))
        review = requirement.check == "review"
        if review != (outcome.status is Status.MEASURED):
            kind = "measures for review" if review else "is decided by its level"
            raise SuiteError(f"{requirement_id} {kind}, but its check returned {outcome.status.value}")
        if isinstance(steps, str):
            # A string is a sequence too: it would become one step per character.
            raise TypeError("steps: a sequence of lines, one per step, not one string")
        replay = tuple(steps)
        if outcome.status is Status.MEASURED:
            self._add(Finding(requirement_id, Verdict.REVIEW, outcome.message, self.test, outcome.evidence, replay))
            return True
        return self._judge(requirement_id, outcome, replay)

    def _judge(self, requirement_id: str, outcome: Outcome, steps: tuple[str, ...]) -> bool:
        """PASS when the outcome held, else the violation its level (under the standards profile) means."""
        requirement = self.catalogue[requirement_id]
        if outcome.held:
            self._add(Finding(requirement_id, Verdict.PASS, outcome.message, self.test, outcome.evidence, steps))
            return True
        level = requirement.level_for(self.profile)
        self._add(Finding(requirement_id, VIOLATION[level], outcome.message, self.test, outcome.evidence, steps))
        return False

    def _add(self, finding: Finding) -> Finding:
        # A message or a step may quote what a server said or what the search sent (a generated secret):
        # both are redacted before they can reach any report.
        stored = replace(
            finding,
            message=REDACTOR.text(finding.message),
            steps=tuple(REDACTOR.text(str(step)).translate(_LINE_BREAKS) for step in finding.steps),
        )
        self.findings.append(stored)
        return stored


def _headline(finding: Finding) -> str:
    """``[ID] message``, and below it the replay steps, numbered, when there are any."""
    lines = [f"[{finding.requirement}] {finding.message}"]
    if finding.steps:
        lines.append("  Replay:")
        lines += (f"    {number}. {step}" for number, step in enumerate(finding.steps, start=1))
    return "\n".join(lines)


def _blocked_by(violation: Finding) -> BlockedError:
    return BlockedError(violation.requirement, violation.message, next(iter(violation.evidence), None))


def _reason(stopped: BaseException) -> str:
    # A skip's text is its reason; pytest's outcome exceptions keep it in ``msg``.
    return REDACTOR.text(str(getattr(stopped, "msg", None) or stopped))
