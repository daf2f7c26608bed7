"""Observation types that checks of more than one document take: built by steps, read by checks.

A check of one document that looks at the same thing as a check of another (a refused token request,
a plain-http probe, a decoded JWT access token) takes the same type, so one step serves both.
Types that hold a token or a secret keep it out of their repr, which tracebacks and reports show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx2

from oauth_conformance.jwt import decode_unverified
from oauth_conformance.redaction import RedactedRepr

__all__ = [
    "BesideControl",
    "IssuedJwt",
    "JwtAndKeys",
    "JwtOfClient",
    "MetadataDocument",
    "PlainHttpAnswer",
    "PositiveControl",
    "Refusal",
    "TokenLifetime",
]


@dataclass(frozen=True)
class PositiveControl:
    """The valid form of a request, sent to the same endpoint in the same run, and whether the server did
    the valid thing with it (issued a token, served the resource). A refusal counts only beside a control
    that held: a server that refuses everything refuses the invalid request too, and proves nothing."""

    what: str  # e.g. "a valid token request by the standards client"
    shown: bool
    answer: str  # what the server answered, in words
    exchange: str | None = None


@dataclass(frozen=True, repr=False)
class BesideControl(RedactedRepr):
    """An answer beside the control that makes it mean something: mostly a request the server should
    refuse, beside the valid form of it that worked; sometimes a success, beside a refusal showing the
    server tells valid from invalid at all."""

    response: httpx2.Response
    control: PositiveControl


@dataclass(frozen=True, repr=False)
class Refusal(RedactedRepr):
    """A token request's answer, the error codes the scenario expects it to be refused with, and the
    positive control of the token endpoint."""

    response: httpx2.Response
    # In the order the scenario names them ("unauthorized_client or invalid_grant").
    expected: tuple[str, ...]
    control: PositiveControl


@dataclass(frozen=True)
class PlainHttpAnswer:
    """What answered made-up credentials sent over plain http to an https endpoint (None: nothing listened)."""

    response: httpx2.Response | None


@dataclass(frozen=True, repr=False)
class IssuedJwt(RedactedRepr):
    """A JWT access token as issued: its header and claims (decoded, not verified) and the token response
    members beside it."""

    token: str = field(repr=False)
    header: Mapping[str, Any]
    claims: Mapping[str, Any]
    response_body: Mapping[str, Any]
    exchange: str | None = None

    @property
    def subject_claims(self) -> dict[str, Any]:
        """The claims that say whom the token acts for: sub, client_id, and Creatio's prop:SysAdminUnitId."""
        return {k: self.claims[k] for k in ("sub", "client_id", "prop:SysAdminUnitId") if k in self.claims}

    @classmethod
    def decode(cls, token: str, response_body: Mapping[str, Any], exchange: str | None) -> IssuedJwt:
        """Raises ValueError when ``token`` is not a JWT."""
        header, claims = decode_unverified(token)
        return cls(token, header, claims, response_body, exchange)


@dataclass(frozen=True, repr=False)
class JwtAndKeys(RedactedRepr):
    """A JWT access token beside the keys of the key set its issuer publishes (RFC 7517 JWKs)."""

    jwt: IssuedJwt
    keys: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class MetadataDocument:
    """The authorization server's metadata (discovery) document as a JSON object."""

    body: Mapping[str, Any]
    exchange: str | None = None


@dataclass(frozen=True)
class TokenLifetime:
    """A token response's ``expires_in`` beside the longest lifetime, in seconds, the scenario allows.

    ``expires_in`` is whatever the response carried (absent: None), so that a string or a negative
    number can be judged too.
    """

    expires_in: object
    limit: int
    exchange: str | None = None


@dataclass(frozen=True, repr=False)
class JwtOfClient(RedactedRepr):
    """A JWT access token as issued, beside the client id of the client that requested it."""

    jwt: IssuedJwt
    client_id: str
