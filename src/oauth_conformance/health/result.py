"""What one health check found: each check's state, the overall status, and the exit status it means.

The exit statuses are the command line's fixed interface (DESIGN.md): 0 healthy, 1 unhealthy, 2
unreachable or misconfigured. A check that is not available (a Creatio without the OAuth health check,
one that needs a login for it, a server with no diagnostics at all) never makes the result unhealthy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CHECKS",
    "EXIT_STATUS",
    "STATUSES",
    "CheckName",
    "CheckResult",
    "CheckState",
    "HealthResult",
    "HealthTarget",
    "Status",
    "integration_label",
]

CheckName = Literal["diagnostics", "token", "api"]
# In the order they are reported (diagnostics first, as on Creatio's Diagnostic tab).
CHECKS: tuple[CheckName, ...] = ("diagnostics", "token", "api")
# ok: held. failed: the server answered, and the answer was wrong. unreachable: no answer (refused
# connection, timeout, TLS failure). unavailable: the instance does not offer the check to this caller.
# skipped: not attempted, because what it needs (a token) was not obtained.
CheckState = Literal["ok", "failed", "unreachable", "unavailable", "skipped"]
Status = Literal["healthy", "unhealthy", "unreachable", "misconfigured"]
STATUSES: tuple[Status, ...] = ("healthy", "unhealthy", "unreachable", "misconfigured")
EXIT_STATUS: dict[Status, int] = {"healthy": 0, "unhealthy": 1, "unreachable": 2, "misconfigured": 2}
HealthTarget = Literal["creatio", "oauth"]

# Client ids shorter than this get no readable prefix in the label, only the hash.
_PREFIX_FROM = 12


def integration_label(client_id: str) -> str:
    """The integration as metrics and JSON name it: a short prefix and an unkeyed hash of its client id.

    Unkeyed, unlike the redactor's masks, so that the label is the same on every run and a monitoring
    system keeps one series per integration; a client id is an identifier, not a secret, but the label
    need not spell it out.
    """
    digest = hashlib.sha256(client_id.encode("utf-8")).hexdigest()[:8]
    return f"{client_id[:4]}…#{digest}" if len(client_id) >= _PREFIX_FROM else f"#{digest}"


@dataclass(frozen=True)
class CheckResult:
    """One check. ``detail`` is a short phrase: for ``failed`` it starts with what went wrong
    ("refused (HTTP 400 invalid_client)"), for the other states it says why ("needs a login"); empty for
    ``ok``. ``duration_s`` is None when nothing was sent."""

    name: CheckName
    state: CheckState
    detail: str = ""
    duration_s: float | None = None
    http_status: int | None = None

    @property
    def ran(self) -> bool:
        """Whether it was decided by an exchange (held, failed or unreachable), not left out."""
        return self.state in ("ok", "failed", "unreachable")

    def summary(self) -> str:
        """``token 120 ms``, ``diagnostics n/a (needs a login)``, ``token refused (HTTP 400 invalid_client)``."""
        if self.state == "ok":
            return f"{self.name} {(self.duration_s or 0) * 1000:.0f} ms"
        if self.state == "failed":
            return f"{self.name} {self.detail}"
        shown = {"unreachable": "unreachable", "unavailable": "n/a", "skipped": "skipped"}[self.state]
        return f"{self.name} {shown}" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True)
class HealthResult:
    """The outcome of one ``oauth-conformance health``: its checks, or the setting that stopped it."""

    target: HealthTarget | None
    # integration_label() of the client id, or the name the user gave (--name); None if not known.
    integration: str | None
    checks: tuple[CheckResult, ...]
    # Unix time the checks started.
    checked_at: float
    # A wrong or missing setting, one line naming it: no check ran.
    problem: str | None = None

    @property
    def status(self) -> Status:
        """Misconfigured before anything else; then any wrong answer makes it unhealthy; then a server
        that could not be reached; else healthy."""
        if self.problem is not None:
            return "misconfigured"
        states = {check.state for check in self.checks}
        if "failed" in states:
            return "unhealthy"
        if "unreachable" in states:
            return "unreachable"
        return "healthy"

    @property
    def exit_status(self) -> int:
        return EXIT_STATUS[self.status]

    def check(self, name: CheckName) -> CheckResult | None:
        return next((check for check in self.checks if check.name == name), None)
