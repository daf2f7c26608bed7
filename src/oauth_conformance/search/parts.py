"""One search split into parts that run at once, one per pytest-xdist worker.

The lifecycle search is a run's longest test by far (about three quarters of a default run against the
bundled mock), and one test runs on one worker: with ``-n 2`` the run would wait for it on one core
while the other idles. Under xdist it is therefore several tests, each a part: a share of the sequences
and of the request budget, so that the parts together explore as much and send no more than the whole
search does; a share of the rate, so that the parts running at once (one per worker) send no faster than
it; and a Hypothesis seed of its own, so that no two parts explore the same sequences. A derandomized
search explores the same sequences for the same number of parts (a run of one process has one, the
whole search, exactly as before).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["WHOLE", "SearchPart"]


@dataclass(frozen=True)
class SearchPart:
    index: int  # from 0
    count: int
    at_once: int = 1  # how many parts run at the same time (the workers)

    def share(self, total: int) -> int:
        """This part's share of ``total`` (sequences, requests): the shares add up to ``total``."""
        return total // self.count + (1 if self.index < total % self.count else 0)

    def rate(self, total: float | None) -> float | None:
        """This part's share of a rate limit (requests a second; None: no limit): the parts running at once
        together send no faster than ``total``."""
        return None if total is None else total / min(self.at_once, self.count)

    @property
    def label(self) -> str:
        """What a search's name says of the part: nothing for the whole search."""
        return "" if self.count == 1 else f" (part {self.index + 1} of {self.count})"

    @property
    def digest(self) -> bytes | None:
        """What tells this part's examples apart from the other parts' (None: the whole search's own)."""
        return None if self.count == 1 else f"part {self.index + 1} of {self.count}".encode()

    def seed(self, factory: Callable[[], object]) -> None:
        """Give a state machine's factory this part's seed. Hypothesis seeds a derandomized search, and
        keys its saved examples, by a digest of the factory, which it extends with this attribute (as it
        does for parametrized tests): each part then explores sequences of its own. The whole search keeps
        the digest it always had."""
        if self.digest is not None:
            factory._hypothesis_internal_add_digest = self.digest  # type: ignore[attr-defined]

    @property
    def id(self) -> str:
        return f"part{self.index + 1}of{self.count}"


WHOLE = SearchPart(0, 1)
