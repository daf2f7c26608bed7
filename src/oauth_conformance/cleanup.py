"""Everything a scenario creates is undone at its teardown, in reverse order, also when it failed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Cleanup"]


@dataclass
class Cleanup:
    steps: list[tuple[str, Callable[[], None]]] = field(default_factory=list)

    def add(self, description: str, action: Callable[[], None]) -> None:
        self.steps.append((description, action))

    def run(self) -> list[str]:
        """Run every step, newest first, even when one fails; return what could not be undone."""
        problems: list[str] = []
        while self.steps:
            description, action = self.steps.pop()
            try:
                action()
            except Exception as error:
                problems.append(f"{description}: {type(error).__name__}: {error}")
        return problems
