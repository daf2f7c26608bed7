"""A bounded poll: what happens after a change is measured over time, never assumed from one probe."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["PROBE_INTERVAL_S", "poll"]

T = TypeVar("T")

# Often enough to measure a cache expiry in seconds, rarely enough to put no load on a production instance.
PROBE_INTERVAL_S = 0.5


def poll(probe: Callable[[], T], done: Callable[[T], bool], since: float, wait: float) -> list[T]:
    """Every answer of ``probe``, asked until ``done`` holds for one or ``wait`` seconds after ``since``
    (a ``time.monotonic()`` reading) have passed; at least one."""
    answers: list[T] = []
    while True:
        answer = probe()
        answers.append(answer)
        if done(answer) or time.monotonic() >= since + wait:
            return answers
        time.sleep(PROBE_INTERVAL_S)
