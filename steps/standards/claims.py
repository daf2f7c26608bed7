"""Cross-checks of one observation against another: what an access token claims beside what its request
asked for and its response granted, and what the metadata advertises beside what answers there."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from pytest_bdd import then, when

from oauth_conformance.checks import BesideControl, IssuedJwt, PositiveControl, rfc8414, rfc9068
from oauth_conformance.errors import TransportFailedError
from oauth_conformance.http import HttpClient, exchange_id, json_object
from oauth_conformance.targets.identity import TokenResult
from oauth_conformance.targets.standards import StandardsTarget
from oauth_conformance.verdicts import Checker

from ..state import Probe
from .context import require_part

__all__ = ["ANOTHER_RESOURCE", "PROBE_FORMS", "probe_endpoint", "sent_parameters"]

# A resource indicator (RFC 8707 §2: an absolute URI) that names no resource server of any target.
ANOTHER_RESOURCE = "urn:oauth-conformance:another-resource"

# What a probe without credentials sends to the POST endpoints whose requests the suite knows: the
# parameter each one requires first (RFC 6749 §4.4.2, RFC 7662 §2.1, RFC 7009 §2.1), so the refusal is
# about the missing client authentication. Other POST endpoints get an empty body.
PROBE_FORMS: dict[str, dict[str, str]] = {
    "token_endpoint": {"grant_type": "client_credentials"},
    "introspection_endpoint": {"token": "oauth-conformance-probe"},
    "revocation_endpoint": {"token": "oauth-conformance-probe"},
}


def sent_parameters(result: TokenResult) -> dict[str, list[str]]:
    """The form parameters the token request carried, as sent (for what it asked: scope, resource)."""
    request = result.response.request
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {}
    return parse_qs(request.content.decode("utf-8", "replace"))


def _as_requested(jwt: IssuedJwt, result: TokenResult) -> rfc9068.JwtAsRequested:
    sent = sent_parameters(result)
    scope = sent.get("scope")
    return rfc9068.JwtAsRequested(jwt, scope[-1] if scope else None, tuple(sent.get("resource", ())))


@then("the token's scope claim names the scope the token response granted")
def scope_claim_granted(issued: TokenResult, issued_jwt: IssuedJwt, checker: Checker) -> None:
    checker.verify(rfc9068.scope_claim_granted, _as_requested(issued_jwt, issued))


def _resource_indicator(standards: StandardsTarget) -> str:
    """The resource to ask for: the one the settings name (the oauth target's OAUTH_RESOURCE_INDICATOR),
    else the base URI of the protected resource, which RFC 8707 §2 says a client knows and may use."""
    configured = standards.identity.token_parameters.get("resource")
    if configured:
        return configured
    url = require_part(standards.resource_url, "a protected resource URL (OAUTH_RESOURCE_URL) or a resource "
                                               "indicator (OAUTH_RESOURCE_INDICATOR)")
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@when("the client requests a token with a resource parameter naming the protected resource",
      target_fixture="resource_token")
def token_for_resource(standards: StandardsTarget) -> rfc9068.JwtAsRequested:
    return _as_requested(*_jwt_for_resource(standards, _resource_indicator(standards)))


def _jwt_for_resource(standards: StandardsTarget, resource: str) -> tuple[IssuedJwt, TokenResult]:
    """A token requested for ``resource``, decoded; skipped where none is issued or it is no JWT (its
    audience is then not visible)."""
    result = standards.token(extra={"resource": resource})
    if not result.issued or result.access_token is None:
        # RFC 8707 §2: a server refuses a resource it does not know (invalid_target); nothing to judge.
        pytest.skip(f"no token is issued for resource {resource!r}: {result.describe()}")
    try:
        return IssuedJwt.decode(result.access_token, result.body or {}, result.exchange), result
    except ValueError as error:
        pytest.skip(f"the access token issued for resource {resource!r} is not a JWT ({error})")


@then("the token aud claim carries the requested resource")
def aud_carries_resource(resource_token: rfc9068.JwtAsRequested, checker: Checker) -> None:
    checker.verify(rfc9068.audience_names_resource, resource_token)


def _audiences(jwt: IssuedJwt) -> set[str]:
    aud = jwt.claims.get("aud")
    return {aud} if isinstance(aud, str) else {a for a in aud if isinstance(a, str)} if isinstance(aud, list) else set()


@when("the client calls the protected resource with a token issued for another resource")
def call_with_foreign_audience(issued_jwt: IssuedJwt, standards: StandardsTarget, resource_url: str,
                               http: HttpClient, probe: Probe) -> None:
    foreign, _ = _jwt_for_resource(standards, ANOTHER_RESOURCE)
    shared = _audiences(foreign) & _audiences(issued_jwt)
    if not _audiences(foreign) or shared:
        pytest.skip(f"the token issued for {ANOTHER_RESOURCE!r} has aud {foreign.claims.get('aud')!r}: it is not "
                    "meant for another resource only (the server ignores the resource parameter), so the protected "
                    "resource may serve it")
    probe.responses.append(http.get(resource_url, headers={"Authorization": f"Bearer {foreign.token}"}))


@then("the protected resource refuses the token meant for another resource")
def refuses_foreign_audience(probe: Probe, resource_control: PositiveControl, checker: Checker) -> None:
    checker.verify(rfc9068.foreign_audience_refused, BesideControl(probe.last, resource_control))


def probe_endpoint(member: str, advertised: object, standards: StandardsTarget,
                   http: HttpClient) -> rfc8414.EndpointAnswer:
    """One advertised endpoint called without credentials, at the configured origin (``reachable``), with
    the method ``rfc8414.ENDPOINT_METHODS`` names (GET for a member it does not know)."""
    if not isinstance(advertised, str) or urlsplit(advertised).scheme not in ("http", "https") \
            or not urlsplit(advertised).netloc:
        return rfc8414.EndpointAnswer(member, advertised, problem="not an absolute http(s) URL")
    url = standards.identity.reachable(advertised)
    try:
        if rfc8414.ENDPOINT_METHODS.get(member, "GET") == "POST":
            response = http.post(url, data=PROBE_FORMS.get(member))
        else:
            response = http.get(url)
    except TransportFailedError as error:
        return rfc8414.EndpointAnswer(member, advertised, problem=f"no answer ({error})", exchange=error.exchange_id)
    return rfc8414.EndpointAnswer(member, advertised, response)


@then("every endpoint the metadata advertises answers as a live endpoint")
def endpoints_live(metadata: httpx2.Response, standards: StandardsTarget, http: HttpClient, checker: Checker) -> None:
    if metadata.status_code != 200:
        pytest.skip(f"no metadata document to read: discovery answered HTTP {metadata.status_code} "
                    f"({exchange_id(metadata)})")
    # As ``IdentityClient.advertised`` reads a member: the discovery document's value, else the RFC 8414
    # metadata's (some servers list introspection and revocation only there).
    members = {**standards.identity.oauth_metadata(),
               **{name: value for name, value in (json_object(metadata) or {}).items() if value is not None}}
    answers = tuple(probe_endpoint(member, members[member], standards, http)
                    for member in rfc8414.probed_members(members))
    checker.verify(rfc8414.advertised_endpoint_live, rfc8414.AdvertisedEndpoints(answers, exchange_id(metadata)))
