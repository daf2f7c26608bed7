"""TLS checks: made-up credentials sent over plain http must get nothing; certificates must validate."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from pytest_bdd import given, then, when

from oauth_conformance.errors import SuiteError
from oauth_conformance.http import HttpClient, json_object
from oauth_conformance.netutil import is_loopback
from oauth_conformance.settings import Settings
from oauth_conformance.targets.identity import basic_credentials
from oauth_conformance.targets.standards import StandardsTarget
from oauth_conformance.verdicts import Checker
from steps.standards.context import require_part
from steps.state import Probe

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
    require_part(standards.resource_url, "OAUTH_RESOURCE_URL (a protected resource)")
    assert standards.resource_url is not None
    _require_https(standards.resource_url, "the protected resource")


def _send_plain(http: HttpClient, request: httpx.Request, probe: Probe) -> None:
    # Deliberately outside the transport policy (and so outside the evidence log): the values are made
    # up, so nothing real leaks; the finding's message carries the status.
    try:
        with httpx.Client(timeout=http.policy.timeout, follow_redirects=False) as raw:
            probe.responses.append(raw.send(request))
    except httpx.HTTPError:
        pass  # nothing listening on plain http: the best outcome


@when("made-up client credentials are sent to the token endpoint over plain http")
def plain_token_request(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    request = httpx.Request(
        "POST", _plain_http(standards.identity.token_endpoint), data={"grant_type": "client_credentials"},
        headers={"Authorization": basic_credentials(_MADE_UP_ID, _MADE_UP_SECRET)},
    )
    _send_plain(http, request, probe)


@when("a made-up token is sent to the protected resource over plain http")
def plain_resource_request(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    assert standards.resource_url is not None
    request = httpx.Request("GET", _plain_http(standards.resource_url),
                            headers={"Authorization": "Bearer made-up-token-never-valid"})
    _send_plain(http, request, probe)


def _served_in_clear(response: httpx.Response | None, evaluated: bool) -> str | None:
    """Why the plain-http answer shows the request was served, or None when it was not.

    Not served: nothing listening, a redirect (to https), or a refusal of plain http as such ("plain
    HTTP request sent to HTTPS port", "HTTPS required"). ``evaluated``: the answer shows the endpoint
    looked at the made-up credentials (invalid_client and the like, an invalid_token challenge)."""
    if response is None:
        return None
    if 200 <= response.status_code < 300:
        return f"plain http: HTTP {response.status_code}"
    if evaluated:
        return f"plain http: HTTP {response.status_code}, evaluated by the endpoint itself"
    return None


def _plain_message(response: httpx.Response | None) -> str:
    return "nothing answered on plain http" if response is None else f"plain http: HTTP {response.status_code}"


# OAuth errors that only an endpoint which authenticated the made-up client can give. invalid_request is
# left out: a server refusing plain http says so with it (Keycloak: 403 "HTTPS required").
_EVALUATED_ERRORS = frozenset({"invalid_client", "unauthorized_client", "invalid_grant", "invalid_scope",
                               "unsupported_grant_type"})
_EVALUATED_CHALLENGE = re.compile(r'error\s*=\s*"?invalid_token', re.IGNORECASE)


@then("the token endpoint does not serve the request over plain http")
def no_plain_token(probe: Probe, checker: Checker) -> None:
    response = probe.responses[-1] if probe.responses else None
    body = (json_object(response) or {}) if response is not None else {}
    # A token, or an error that shows the made-up credentials were checked, means it served the request.
    served = _served_in_clear(response, "access_token" in body or body.get("error") in _EVALUATED_ERRORS)
    checker.require_tagged(("RFC6749-3.2-tls", "RFC6819-5.1.1-tls"), served is None,
                           served or _plain_message(response))


@then("the protected resource does not serve the request over plain http")
def no_plain_2xx(probe: Probe, checker: Checker) -> None:
    response = probe.responses[-1] if probe.responses else None
    challenge = response.headers.get("www-authenticate", "") if response is not None else ""
    # A challenge calling the made-up token invalid shows the token was looked at over plain http.
    served = _served_in_clear(response, bool(_EVALUATED_CHALLENGE.search(challenge)))
    checker.require("RFC6750-5.3-tls", served is None, served or _plain_message(response))


@then("the token endpoint's certificate validated")
def certificate_validated(standards: StandardsTarget, settings: Settings, checker: Checker) -> None:
    if settings.tls_verify is False:
        pytest.skip("OAUTH_TLS_VERIFY=false: certificates are not verified in this run")
    discovery = standards.identity.discovery()  # an https exchange with verification on
    checker.require("RFC6819-5.1.2-server-auth", bool(discovery),
                    "the https exchange with certificate verification succeeded",
                    [standards.identity.http.evidence.last_id])


@then("every endpoint the metadata advertises is an https URL")
def endpoints_https(standards: StandardsTarget, checker: Checker) -> None:
    metadata = standards.identity.discovery()
    plain = [k for k, v in metadata.items() if k.endswith(("_endpoint", "_uri")) and isinstance(v, str)
             and v.startswith("http://")]
    checker.require("RFC6749-10.8-no-cleartext", not plain, f"plain http endpoints: {plain or 'none'}",
                    [standards.identity.http.evidence.last_id])
