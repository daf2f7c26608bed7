"""What a check returns: the requirement held, was violated, or (for review requirements) was measured;
or it could not be decided, because the positive control the judgement rests on did not hold."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Outcome", "Status", "held", "judged", "measured", "undecided", "violated"]


class Status(enum.StrEnum):
    HELD = "held"
    VIOLATED = "violated"
    # A measurement for a human: review requirements never pass or fail by themselves.
    MEASURED = "measured"
    # Not decidable in this run: a refusal counts only after the server did the valid thing, and it did
    # not. Reported as SKIP with the reason, never as PASS.
    UNDECIDED = "undecided"


@dataclass(frozen=True)
class Outcome:
    status: Status
    # What was seen, in words a reader of the report can check against the evidence.
    message: str
    # Evidence IDs (E<n>) of the exchanges the outcome rests on.
    evidence: tuple[str, ...] = ()

    @property
    def held(self) -> bool:
        return self.status is Status.HELD


def _refs(evidence: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(e for e in evidence if e)


def held(message: str, evidence: Iterable[str | None] = ()) -> Outcome:
    return Outcome(Status.HELD, message, _refs(evidence))


def violated(message: str, evidence: Iterable[str | None] = ()) -> Outcome:
    return Outcome(Status.VIOLATED, message, _refs(evidence))


def measured(message: str, evidence: Iterable[str | None] = ()) -> Outcome:
    return Outcome(Status.MEASURED, message, _refs(evidence))


def undecided(message: str, evidence: Iterable[str | None] = ()) -> Outcome:
    return Outcome(Status.UNDECIDED, message, _refs(evidence))


def judged(condition: bool, message: str, evidence: Iterable[str | None] = ()) -> Outcome:
    """Held when ``condition`` is true, else violated, with the same message either way."""
    return held(message, evidence) if condition else violated(message, evidence)
