"""Errors that mean the suite or the network broke (ERROR verdicts) or the user's input is wrong."""

from __future__ import annotations

__all__ = ["InsecureTransportError", "SettingsError", "SuiteError", "TargetUnreachableError", "UnexpectedResponseError"]


class SuiteError(Exception):
    """The check could not be carried out: reported as ERROR, never as PASS or FAIL.

    Messages may quote a server's answer, so they are redacted on the way in.
    """

    def __init__(self, message: str) -> None:
        from oauth_conformance.redaction import REDACTOR

        super().__init__(REDACTOR.text(message))


class TargetUnreachableError(SuiteError):
    """A connection error or timeout talking to the target."""

    def __init__(self, message: str, exchange_id: str | None = None) -> None:
        super().__init__(message)
        self.exchange_id = exchange_id


class UnexpectedResponseError(SuiteError):
    """An admin operation the suite needs (login, create, read back) answered in a way it cannot use."""

    def __init__(self, message: str, exchange_id: str | None = None) -> None:
        super().__init__(message)
        self.exchange_id = exchange_id


class InsecureTransportError(SuiteError):
    """The transport policy forbids this request (credentials over plain http to a non-loopback host)."""


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the setting and what was expected."""
