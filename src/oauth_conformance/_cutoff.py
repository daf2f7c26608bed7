"""Which hosts the run has given up on, so that an unreachable or silent server costs a few timeouts per
run, not one per exchange (a server that accepts connections and never answers cost some 70 timeouts,
about 12 minutes at the default timeout).

A refused connection cuts its host off at once: nothing listens there, and nothing will this run. A
timeout may be a slow moment, so a host is cut off after ``TIMEOUTS_BEFORE_CUT_OFF`` timeouts in a
row; any answer in between (an error status, a malformed response) starts the count again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal
from urllib.parse import SplitResult

import httpx2

__all__ = ["TIMEOUTS_BEFORE_CUT_OFF", "CutOff", "Reachability", "host_key"]

# Two: one timeout can be a slow moment; a second in a row, at a timeout the user chose, is a server
# that will not answer this run. Every later exchange then fails at once.
TIMEOUTS_BEFORE_CUT_OFF = 2

Cause = Literal["refused", "timeouts"]


@dataclass(frozen=True)
class CutOff:
    """Why a host gets no more requests this run."""

    host: str
    cause: Cause
    detail: str

    def describe(self) -> str:
        if self.cause == "refused":
            return f"{self.host} was unreachable earlier in this run ({self.detail})"
        return (
            f"{self.host} is cut off for the rest of the run after {TIMEOUTS_BEFORE_CUT_OFF} consecutive "
            f"timeouts (last: {self.detail})"
        )


def host_key(parts: SplitResult) -> str:
    """host:port, the port made explicit: one listener, whatever the scheme or spelling of the URL."""
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Reachability:
    """The run's record of hosts that refused connections or timed out repeatedly."""

    def __init__(self) -> None:
        self._cut_off: dict[str, CutOff] = {}
        self._timeouts: dict[str, int] = {}
        self._lock = threading.Lock()

    def cut_off(self, host: str) -> CutOff | None:
        with self._lock:
            return self._cut_off.get(host)

    def answered(self, host: str) -> None:
        """The host answered (whatever it answered): its run of timeouts is over."""
        with self._lock:
            self._timeouts.pop(host, None)

    def failed(self, host: str, error: httpx2.HTTPError, message: str) -> None:
        with self._lock:
            if isinstance(error, httpx2.ConnectError | httpx2.ConnectTimeout):
                self._cut_off.setdefault(host, CutOff(host, "refused", message))
            elif isinstance(error, httpx2.TimeoutException):
                count = self._timeouts.get(host, 0) + 1
                self._timeouts[host] = count
                if count >= TIMEOUTS_BEFORE_CUT_OFF:
                    self._cut_off.setdefault(host, CutOff(host, "timeouts", message))
            else:
                # A malformed answer is an answer: quick, and no sign the host has stopped answering.
                self._timeouts.pop(host, None)
