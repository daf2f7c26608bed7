"""Helpers the standards steps share: a part of the target a check needs, a client's Basic header, a fresh
token, an advertised endpoint. The ``standards`` fixture itself comes from the target (the plugin)."""

from __future__ import annotations

from typing import TypeVar
from urllib.parse import urlsplit

import pytest

from oauth_conformance.errors import UnexpectedResponseError
from oauth_conformance.netutil import is_loopback
from oauth_conformance.targets.identity import TokenResult, basic_credentials
from oauth_conformance.targets.standards import Client, StandardsTarget

__all__ = [
    "advertised_endpoint",
    "client_auth",
    "fresh_access_token",
    "require_part",
    "skip_local_plain_http",
    "usable_token",
]

Part = TypeVar("Part")


def require_part(value: Part | None, needs: str) -> Part:
    """The part of the target a check needs; skip, naming what is missing, when the target lacks it."""
    if value is None:
        pytest.skip(f"needs {needs}")
    return value


def client_auth(client: Client) -> dict[str, str]:
    """The Authorization header of ``client``'s HTTP Basic authentication (RFC 6749 §2.3.1)."""
    return {"Authorization": basic_credentials(client.client_id, client.client_secret)}


def fresh_access_token(standards: StandardsTarget) -> str:
    """A newly issued access token of the standards client (see ``usable_token``)."""
    return _token_of(standards.token())


def usable_token(standards: StandardsTarget) -> TokenResult:
    """A fresh token for a check that needs one; without it the check cannot run (an ERROR: the token
    endpoint's own checks report why)."""
    result = standards.token()
    _token_of(result)
    return result


def _token_of(result: TokenResult) -> str:
    token = result.access_token
    if token is None:
        raise UnexpectedResponseError(f"the standards client obtains no token: {result.describe()}", result.exchange)
    return token


def advertised_endpoint(standards: StandardsTarget, member: str) -> str:
    """An endpoint the server's metadata advertises; the checks of an unadvertised feature are skipped."""
    try:
        standards.identity.discovery()
    except UnexpectedResponseError:
        pytest.skip(f"no discovery document: {member} is not advertised")
    endpoint = standards.identity.advertised_endpoint(member)  # ERROR for an endpoint on another host
    if endpoint is None:
        pytest.skip(f"neither the discovery document nor the RFC 8414 metadata advertises {member}")
    return endpoint


def skip_local_plain_http(url: object, what: str, served_over: str) -> None:
    """Skip the https rule for ``url`` when it is plain http on loopback and the server itself was reached
    over plain http (``served_over`` is that scheme): a test deployment on this machine, such as the
    bundled mock by default, where TLS is not part of what it imitates. A server reached over https that
    names http URLs is a finding, never skipped."""
    parts = urlsplit(url) if isinstance(url, str) else urlsplit("")
    if parts.scheme == "http" and is_loopback(parts.hostname or "") and served_over == "http":
        pytest.skip(f"{what} is plain http on loopback, a local test deployment: the https rule is not checked")
