"""TLS checks: made-up credentials sent over plain http must get nothing; certificates must validate."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import httpx2
import pytest
from pytest_bdd import given, then, when

from oauth_conformance.checks import Family, MetadataDocument, PlainHttpAnswer, rfc6749, rfc6750, rfc6819
from oauth_conformance.checks.rfc6819 import VerifiedHttpsFetch
from oauth_conformance.errors import SuiteError
from oauth_conformance.http import HttpClient, exchange_id, json_object
from oauth_conformance.netutil import is_loopback
from oauth_conformance.settings import Settings
from oauth_conformance.targets.identity import basic_credentials
from oauth_conformance.targets.standards import StandardsTarget
from oauth_conformance.verdicts import Checker

from ..state import Probe
from .context import metadata_response, require_part

_MADE_UP_ID = "oauth-conformance-tls-probe"
_MADE_UP_SECRET = "made-up-secret-never-valid"


def _require_https(url: str, what: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "http" and is_loopback(parts.hostname or ""):
        pytest.skip(f"{what} is plain http on loopback, a local test deployment: TLS is not checked")
    if parts.scheme != "https":
        # Plain http to a real host: the transport policy already refuses to send credentials there.
        raise SuiteError(f"{what} {url} is not https; the suite sends no credentials to it")


def _plain_http(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    # The same host on the default http port: where a misconfigured server would still answer.
    return urlunsplit(("http", host if parts.port in (None, 443) else f"{host}:{parts.port}", parts.path,
                       parts.query, ""))


@given("the token endpoint is served over https")
def token_endpoint_https(standards: StandardsTarget) -> None:
    _require_https(standards.identity.token_endpoint, "the token endpoint")


@given("the protected resource is served over https")
def resource_https(standards: StandardsTarget) -> None:
    _require_https(require_part(standards.resource_url, "OAUTH_RESOURCE_URL (a protected resource)"),
                   "the protected resource")


def _send_plain(http: HttpClient, request: httpx2.Request, probe: Probe) -> None:
    # Deliberately outside the transport policy (and so outside the evidence log): the values are made
    # up, so nothing real leaks; the finding's message carries the status.
    try:
        with httpx2.Client(timeout=http.policy.timeout, follow_redirects=False) as raw:
            probe.responses.append(raw.send(request))
    except httpx2.HTTPError:
        pass  # nothing listening on plain http: the best outcome


def _plain_answer(probe: Probe) -> PlainHttpAnswer:
    return PlainHttpAnswer(probe.responses[-1] if probe.responses else None)


@when("made-up client credentials are sent to the token endpoint over plain http")
def plain_token_request(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    request = httpx2.Request(
        "POST", _plain_http(standards.identity.token_endpoint), data={"grant_type": "client_credentials"},
        headers={"Authorization": basic_credentials(_MADE_UP_ID, _MADE_UP_SECRET)},
    )
    _send_plain(http, request, probe)


@when("a made-up token is sent to the protected resource over plain http")
def plain_resource_request(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    resource_url = require_part(standards.resource_url, "OAUTH_RESOURCE_URL (a protected resource)")
    request = httpx2.Request("GET", _plain_http(resource_url),
                            headers={"Authorization": "Bearer made-up-token-never-valid"})
    _send_plain(http, request, probe)


@then("the token endpoint does not serve the request over plain http")
def no_plain_token(probe: Probe, checker: Checker) -> None:
    checker.verify_tagged(Family.PLAIN_HTTP_TOKEN_ENDPOINT, _plain_answer(probe))


@then("the protected resource does not serve the request over plain http")
def no_plain_2xx(probe: Probe, checker: Checker) -> None:
    checker.verify(rfc6750.resource_requires_tls, _plain_answer(probe))


@then("the token endpoint's certificate validated")
def certificate_validated(standards: StandardsTarget, settings: Settings, checker: Checker) -> None:
    if settings.tls_verify is False:
        pytest.skip("OAUTH_TLS_VERIFY=false: certificates are not verified in this run")
    metadata = metadata_response(standards)  # an https exchange with verification on
    checker.verify(rfc6819.server_authenticated,
                   VerifiedHttpsFetch(bool(json_object(metadata)), exchange_id(metadata)))


@then("every endpoint the metadata advertises is an https URL")
def endpoints_https(standards: StandardsTarget, checker: Checker) -> None:
    metadata = metadata_response(standards)
    checker.verify(rfc6749.no_cleartext_endpoints, MetadataDocument(json_object(metadata) or {}, exchange_id(metadata)))
