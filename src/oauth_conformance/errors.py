"""Errors that mean the suite or the network broke (ERROR verdicts) or the user's input is wrong."""

from __future__ import annotations

import re

from oauth_conformance.redaction import REDACTOR

__all__ = [
    "BlockedError",
    "FeatureNotOfferedError",
    "HostCutOffError",
    "InsecureTransportError",
    "MetadataNotFoundError",
    "SettingsError",
    "SuiteError",
    "TransportFailedError",
    "UndecidedError",
    "UnexpectedResponseError",
    "blocking_requirement",
]


class SuiteError(Exception):
    """The check could not be carried out: reported as ERROR, never as PASS or FAIL.

    Messages may quote a server's answer, so they are redacted on the way in.
    """

    def __init__(self, message: str, exchange_id: str | None = None) -> None:
        super().__init__(REDACTOR.text(message))
        # The evidence (E<n>) of the exchange that showed the problem, when there was one.
        self.exchange_id = exchange_id


class TransportFailedError(SuiteError):
    """No usable response: a refused connection, a timeout, an oversized body, or a request not sent
    because its host was unreachable earlier in the run."""


class HostCutOffError(TransportFailedError):
    """A request not sent: its host refused a connection, or timed out several times in a row, earlier in
    the run, and gets no more requests. ``host`` is its host:port, ``reason`` says why."""

    def __init__(self, message: str, exchange_id: str | None = None, *, host: str, reason: str) -> None:
        super().__init__(message, exchange_id)
        self.host = host
        self.reason = REDACTOR.text(reason)


class UnexpectedResponseError(SuiteError):
    """An admin operation the suite needs (login, create, read back) answered in a way it cannot use."""


class MetadataNotFoundError(UnexpectedResponseError):
    """The server publishes no authorization server metadata at any well-known URL tried: one finding of
    its own (RFC 9700 §2.6), which blocks whatever needs the metadata, the token endpoint included when
    no token URL was given."""


class FeatureNotOfferedError(SuiteError):
    """The target lacks a service or a part the scenario needs (an older Creatio build, a login or a client
    it was not given): a SKIP, with this reason."""


class UndecidedError(SuiteError):
    """A check could not be decided: the positive control its judgement rests on (the valid form of the
    request, earlier in the run) did not hold, so a refusal proves nothing. A SKIP, with this reason."""


_BLOCKED = re.compile(r"blocked by (\S+): ")


def blocking_requirement(message: str) -> str | None:
    """The requirement a SKIP's message says blocked it ("blocked by <ID>: ..."), else None."""
    match = _BLOCKED.match(message)
    return match.group(1) if match else None


class BlockedError(SuiteError):
    """A step the rest of the scenario rests on found its requirement violated (``Checker.require``): what
    the scenario has not reached is reported as blocked by that finding, a SKIP naming it, so one root
    cause is one finding."""

    def __init__(self, requirement_id: str, message: str, exchange_id: str | None = None) -> None:
        super().__init__(f"blocked by {requirement_id}: {message}", exchange_id)
        self.requirement_id = requirement_id


class InsecureTransportError(SuiteError):
    """The transport policy forbids this request (credentials over plain http to a non-loopback host)."""


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the setting and what was expected."""
