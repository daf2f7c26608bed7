"""Helpers the standards steps share: a part of the target a check needs, a client's authentication, the
form of a token request, a fresh token, the metadata and what it advertises. The ``standards`` fixture
itself comes from the target (the plugin)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx2
import pytest

from oauth_conformance.checks import PositiveControl, rfc6749, rfc7517, rfc9700
from oauth_conformance.errors import BlockedError, UnexpectedResponseError
from oauth_conformance.http import HttpClient, exchange_id, json_object
from oauth_conformance.netutil import is_loopback
from oauth_conformance.targets.identity import TokenResult, basic_credentials
from oauth_conformance.targets.standards import Client, StandardsTarget

__all__ = [
    "advertised_endpoint",
    "advertised_value",
    "authenticated",
    "client_auth",
    "fresh_access_token",
    "keys_in",
    "metadata_response",
    "needs_issuing",
    "require_part",
    "revoke",
    "shared_access_token",
    "skip_local_plain_http",
    "token_form",
    "usable_token",
]

Part = TypeVar("Part")


def require_part(value: Part | None, needs: str) -> Part:
    """The part of the target a check needs; skip, naming what is missing, when the target lacks it."""
    if value is None:
        pytest.skip(f"needs {needs}")
    return value


def client_auth(client: Client) -> dict[str, str]:
    """The Authorization header of ``client``'s HTTP Basic authentication (RFC 6749 §2.3.1), whatever
    method the client is configured with: for the scenarios about Basic itself."""
    return {"Authorization": basic_credentials(client.client_id, client.client_secret)}


def authenticated(standards: StandardsTarget, client: Client, form: Mapping[str, str]) -> dict[str, Any]:
    """The keyword arguments of ``http.post`` sending ``form`` with ``client``'s credentials the way the
    client authenticates here (``StandardsTarget.auth_style``): in a Basic header, or in the body.

    For requests whose subject is not the authentication method (introspection, revocation, a second
    client's request), so that a server allowing a client only one method is not refused for the other.
    """
    if standards.auth_style(client) == "basic":
        return {"data": dict(form), "headers": client_auth(client)}
    return {"data": {**form, "client_id": client.client_id, "client_secret": client.client_secret}}


def revoke(standards: StandardsTarget, http: HttpClient, url: str, token: str, client: Client | None = None,
           hint: str | None = None) -> httpx2.Response:
    """A revocation request (RFC 7009 §2.1) by ``client`` (the standards client by default), authenticated
    the way it authenticates here."""
    form = {"token": token} | ({"token_type_hint": hint} if hint else {})
    standards.forget_reusable_token()
    return http.post(url, **authenticated(standards, client or standards.client, form))


def token_form(standards: StandardsTarget, **extra: str) -> dict[str, str]:
    """The form of a client-credentials token request built by hand: grant_type, the parameters every
    token request of this target carries (a scope, an audience, a resource: the oauth target's settings),
    then ``extra``. Without them, a server that needs them (Entra ID refuses a request without a scope)
    refuses the valid request and the invalid one alike."""
    return {"grant_type": "client_credentials", **standards.identity.token_parameters, **extra}


def fresh_access_token(standards: StandardsTarget) -> str:
    """A newly issued access token of the standards client, for a check whose point is a new token (one it
    revokes, introspects as fresh, compares with another); see ``usable_token``."""
    return _token_of(standards, standards.token())


def shared_access_token(standards: StandardsTarget) -> str:
    """An access token of the standards client for a request whose point is not the token (introspection
    without authentication, with GET, with a wrong secret): the one the checks share (``usable_token``)."""
    return _token_of(standards, standards.reusable_token())


def usable_token(standards: StandardsTarget) -> TokenResult:
    """A token for a check that needs one, not necessarily a new one (``StandardsTarget.reusable_token``);
    without it the check is blocked by the requirement that reports the token endpoint's answer (one root
    cause, one finding)."""
    result = standards.reusable_token()
    _token_of(standards, result)
    return result


def needs_issuing(token_control: PositiveControl) -> None:
    """For a check that a form of the token request issues a token: where the valid request of the
    standards client got none, every such check fails for that one reason, so it is blocked by the
    requirement that reports the token endpoint's answer (one root cause, one finding)."""
    if not token_control.shown:
        raise BlockedError(rfc6749.token_response_fields.requirement,
                           f"{token_control.what} got no token: {token_control.answer}", token_control.exchange)


def _token_of(standards: StandardsTarget, result: TokenResult) -> str:
    token = result.access_token
    if token is None:
        where = f"at {standards.identity.token_endpoint}"
        rebased = standards.identity.describe_rebasing()
        raise BlockedError(
            rfc6749.token_response_fields.requirement,
            f"the standards client obtains no token {where}: {result.describe()}" + (f"; {rebased}" if rebased else ""),
            result.exchange,
        )
    return token


def keys_in(key_set: httpx2.Response) -> list[dict[str, Any]]:
    """The keys of a key set, for a check that needs them; a key set answering without a JSON ``keys``
    array blocks it, reported once at the requirement that says so (its media type is no obstacle)."""
    keys = json_object(key_set) or {}
    if key_set.status_code != 200 or not isinstance(keys.get("keys"), list):
        raise BlockedError(rfc7517.set_has_keys.requirement,
                           f"{key_set.request.url} answered HTTP {key_set.status_code} without a keys array",
                           exchange_id(key_set))
    return rfc7517.keys_of(key_set)


def _blocked(missing: UnexpectedResponseError) -> str:
    """A check that needs the metadata, where the server publishes none: blocked by the one requirement
    that reports it, so one root cause is one finding."""
    return str(BlockedError(rfc9700.metadata_published.requirement, str(missing)))


def metadata_response(standards: StandardsTarget) -> httpx2.Response:
    """The metadata document as the server served it (OpenID discovery, else RFC 8414); the checks of the
    metadata are skipped, naming every URL tried, where the server publishes none."""
    try:
        return standards.identity.metadata_source().response
    except UnexpectedResponseError as missing:
        pytest.skip(_blocked(missing))


def advertised_value(standards: StandardsTarget, member: str) -> object:
    """A metadata member as advertised, before any rebasing: what the TLS and metadata checks judge (an
    ``http://`` endpoint the requests are sent to at the configured https origin is still reported)."""
    try:
        return standards.identity.advertised(member)
    except UnexpectedResponseError as missing:
        pytest.skip(f"{_blocked(missing)}: {member} is not advertised")


def advertised_endpoint(standards: StandardsTarget, member: str) -> str:
    """An endpoint the server's metadata advertises, at the configured origin (``IdentityClient.reachable``);
    the checks of an unadvertised feature are skipped."""
    try:
        endpoint = standards.identity.advertised_endpoint(member)
    except UnexpectedResponseError as missing:
        pytest.skip(f"{_blocked(missing)}: {member} is not advertised")
    if endpoint is None:
        pytest.skip(f"the server's metadata ({standards.identity.metadata_source().url}) advertises no {member}")
    return endpoint


def skip_local_plain_http(url: object, what: str, served_over: str) -> None:
    """Skip the https rule for ``url`` when it is plain http on loopback and the server itself was reached
    over plain http (``served_over`` is that scheme): a test deployment on this machine, such as the
    bundled mock by default, where TLS is not part of what it imitates. A server reached over https that
    names http URLs is a finding, never skipped."""
    parts = urlsplit(url) if isinstance(url, str) else urlsplit("")
    if parts.scheme == "http" and is_loopback(parts.hostname or "") and served_over == "http":
        pytest.skip(f"{what} is plain http on loopback, a local test deployment: the https rule is not checked")
