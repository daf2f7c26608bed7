"""Everything a scenario creates is undone at its teardown, in reverse order, also when it failed.

What cannot be undone is a ``Leftover``: what it is, the state it was left in, and what a person must
do to remove it. A failed undo never raises out of ``Cleanup.run``: it is reported, not an ERROR.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from oauth_conformance.redaction import REDACTOR

__all__ = ["Cleanup", "LeftBehindError", "Leftover"]


@dataclass(frozen=True)
class Leftover:
    """Something the run created and could not remove."""

    what: str  # e.g. "technical user 'occ-…' (Id …)"
    state: str  # how it was left, and why
    remove: str  # what to do by hand

    def describe(self) -> str:
        return f"{self.what}: {self.state}; to remove it: {self.remove}"

    def as_dict(self) -> dict[str, str]:
        return {"what": self.what, "state": self.state, "remove": self.remove}


class LeftBehindError(Exception):
    """Raised by an undo step that could not finish; carries what is left and how to remove it."""

    def __init__(self, leftover: Leftover) -> None:
        super().__init__(leftover.describe())
        self.leftover = leftover


@dataclass
class Cleanup:
    steps: list[tuple[str, Callable[[], None]]] = field(default_factory=list)
    # What was undone, in the order it was undone.
    done: list[str] = field(default_factory=list)

    def add(self, description: str, action: Callable[[], None]) -> None:
        self.steps.append((description, action))

    def run(self) -> list[Leftover]:
        """Run every step, newest first, even when one fails; return what could not be undone."""
        left: list[Leftover] = []
        while self.steps:
            description, action = self.steps.pop()
            try:
                action()
                self.done.append(description)
            except LeftBehindError as error:
                left.append(error.leftover)
            except Exception as error:
                left.append(Leftover(
                    description,
                    REDACTOR.text(f"not undone: {type(error).__name__}: {error}"),
                    "find it on the target by this name and remove it by hand",
                ))
        return left
