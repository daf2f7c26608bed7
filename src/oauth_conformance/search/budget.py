"""How much one search may send: a request budget and a rate limit.

A search explores hundreds of requests where a scenario sends a few. Against the bundled mock that costs
seconds; against a real Creatio it is load on someone's instance and entries in its audit log, so the
search is opt-in there (``OAUTH_SEARCH``) and each search stays within ``OAUTH_SEARCH_REQUESTS`` requests
sent at most ``OAUTH_SEARCH_RATE`` per second. Before each step the search asks ``allows(cost)`` with
the most requests that step can send; once the answer is no, every later step is skipped (it sends
nothing) and the search ends with what it covered, saying so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from oauth_conformance.http import EvidenceLog

__all__ = ["RequestBudget"]


@dataclass
class RequestBudget:
    """Counts what the evidence log saw since the search began (held-back exchanges included)."""

    evidence: EvidenceLog
    limit: int
    # Requests per second; None: as fast as the target answers.
    rate: float | None = None
    # Requests kept back for cleaning up what the search created: it must always be able to.
    reserved: int = 0
    _start: int = field(init=False)
    _last: float = field(init=False, default=0.0)
    # Whether a step was refused: the search then says it ended on its budget.
    exhausted: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self._start = self.evidence.sent

    @property
    def used(self) -> int:
        return self.evidence.sent - self._start

    def allows(self, cost: int) -> bool:
        """Whether a step that sends at most ``cost`` requests fits in what is left (cleanup's reserve kept);
        when it does, waits as long as the rate limit asks before it is sent."""
        if self.used + self.reserved + cost > self.limit:
            self.exhausted = True
            return False
        self.pace(cost)
        return True

    def pace(self, cost: int = 1) -> None:
        """Sleep so that, on average, at most ``rate`` requests a second leave."""
        if not self.rate:
            return
        now = time.monotonic()
        wait = self._last + cost / self.rate - now
        if wait > 0:
            time.sleep(wait)
        self._last = max(now, self._last + cost / self.rate)

    def reserve(self, cost: int) -> None:
        """Keep ``cost`` requests for removing something just created."""
        self.reserved += cost

    def release(self, cost: int) -> None:
        self.reserved = max(0, self.reserved - cost)
