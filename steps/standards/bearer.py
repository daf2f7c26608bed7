"""RFC 6750 probes of the protected resource (the standards target's resource URL)."""

from __future__ import annotations

import re

import pytest
from pytest_bdd import given, parsers, then, when

from oauth_conformance.http import HttpClient, exchange_id, json_object
from oauth_conformance.targets.identity import TokenResult
from oauth_conformance.targets.standards import StandardsTarget
from oauth_conformance.verdicts import Checker
from steps.standards.context import require_part, usable_token
from steps.state import Probe

_ERROR_PARAM = re.compile(r'error="?([A-Za-z_]+)"?')


@pytest.fixture
def resource_url(standards: StandardsTarget) -> str:
    require_part(standards.resource_url, "OAUTH_RESOURCE_URL (a protected resource that answers 2xx to a valid token)")
    assert standards.resource_url is not None
    return standards.resource_url


@given("the client holds an access token", target_fixture="issued")
def client_token(standards: StandardsTarget) -> TokenResult:
    return usable_token(standards)


@pytest.fixture
def access_token(issued: TokenResult) -> str:
    assert issued.access_token is not None
    return issued.access_token


@when("the client calls the protected resource with the token in the Authorization header")
def call_header(access_token: str, resource_url: str, http: HttpClient, probe: Probe) -> None:
    probe.responses.append(http.get(resource_url, headers={"Authorization": f"Bearer {access_token}"}))


@when("the client calls the protected resource without credentials")
def call_anonymous(resource_url: str, http: HttpClient, probe: Probe) -> None:
    probe.responses.append(http.get(resource_url))


@when(parsers.parse('the client calls the protected resource with the token "{token}"'))
def call_with_literal(token: str, resource_url: str, http: HttpClient, probe: Probe) -> None:
    probe.responses.append(http.get(resource_url, headers={"Authorization": f"Bearer {token}"}))


@when("the client calls the protected resource with an empty bearer token")
def call_empty(resource_url: str, http: HttpClient, probe: Probe) -> None:
    # "Bearer" with no token at all (a trailing space is not a legal header value).
    probe.responses.append(http.get(resource_url, headers={"Authorization": "Bearer"}))


@when("the client calls the protected resource with the token in the header and the query at once")
def call_both(access_token: str, resource_url: str, http: HttpClient, probe: Probe) -> None:
    probe.responses.append(
        http.get(resource_url, params={"access_token": access_token},
                 headers={"Authorization": f"Bearer {access_token}"})
    )


@when("the client calls the protected resource with the token in the query string only")
def call_query(access_token: str, resource_url: str, http: HttpClient, probe: Probe) -> None:
    probe.responses.append(http.get(resource_url, params={"access_token": access_token}))


def _challenge(probe: Probe) -> str:
    return str(probe.last.headers.get("www-authenticate", ""))


@then("the protected resource answers 2xx")
def answers_2xx(probe: Probe, checker: Checker) -> None:
    response = probe.last
    checker.require("RFC6750-2.1-header", 200 <= response.status_code < 300, f"HTTP {response.status_code}",
                    [exchange_id(response)])


@then("the protected resource answers 401 with a Bearer challenge")
def answers_401_bearer(probe: Probe, checker: Checker) -> None:
    response = probe.last
    checker.require(
        "RFC6750-3-www-auth",
        response.status_code == 401 and _challenge(probe).lower().startswith("bearer"),
        f"HTTP {response.status_code}, WWW-Authenticate: {_challenge(probe)!r}",
        [exchange_id(response)],
    )


@then("the challenge carries no error code")
def challenge_without_error(probe: Probe, checker: Checker) -> None:
    challenge = _challenge(probe)
    checker.require(
        "RFC6750-3.1-no-auth-no-error",
        bool(challenge) and _ERROR_PARAM.search(challenge) is None,
        f"WWW-Authenticate: {challenge!r}",
        [exchange_id(probe.last)],
    )


@then("the protected resource answers 401 with a Bearer challenge and error invalid_token")
def answers_invalid_token(probe: Probe, checker: Checker) -> None:
    response = probe.last
    match = _ERROR_PARAM.search(_challenge(probe))
    checker.require(
        "RFC6750-3.1-invalid-token",
        response.status_code == 401
        and _challenge(probe).lower().startswith("bearer")
        and match is not None
        and match.group(1) == "invalid_token",
        f"HTTP {response.status_code}, WWW-Authenticate: {_challenge(probe)!r}",
        [exchange_id(response)],
    )


@then("the protected resource answers 400 with error invalid_request")
def answers_invalid_request(probe: Probe, checker: Checker) -> None:
    requirement = checker.pick("RFC6750-3.1-invalid-request", "RFC6750-2-one-method")
    response = probe.last
    match = _ERROR_PARAM.search(_challenge(probe))
    body_error = (json_object(response) or {}).get("error")
    error = match.group(1) if match else body_error
    checker.require(
        requirement,
        response.status_code == 400 and error == "invalid_request",
        f"HTTP {response.status_code}, error {error!r}, WWW-Authenticate: {_challenge(probe)!r}",
        [exchange_id(response)],
    )


@then("the protected resource does not answer 2xx")
def not_2xx(probe: Probe, checker: Checker) -> None:
    response = probe.last
    checker.require("RFC6750-2.3-query", not 200 <= response.status_code < 300, f"HTTP {response.status_code}",
                    [exchange_id(response)])


@then(parsers.parse("the token lifetime is at most {limit:d} seconds"))
def short_lived(limit: int, issued: TokenResult, checker: Checker) -> None:
    requirement = checker.pick("RFC6750-5.3-short-lived", "RFC6819-5.1.5.3-short-exp")
    expires_in = (issued.body or {}).get("expires_in")
    checker.require(
        requirement,
        isinstance(expires_in, int | float) and 0 < expires_in <= limit,
        f"expires_in={expires_in!r} (at most {limit})",
        [issued.exchange],
    )


@when("the client calls a resource its token does not grant")
def call_denied(access_token: str, standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    require_part(standards.denied_resource_url,
                 "OAUTH_DENIED_RESOURCE_URL (a resource the client's token may not read)")
    assert standards.denied_resource_url is not None
    probe.responses.append(
        http.get(standards.denied_resource_url, headers={"Authorization": f"Bearer {access_token}"})
    )


@then("the protected resource answers 403 with error insufficient_scope")
def answers_insufficient_scope(probe: Probe, checker: Checker) -> None:
    response = probe.last
    match = _ERROR_PARAM.search(_challenge(probe))
    checker.require(
        "RFC6750-3.1-insufficient-scope",
        response.status_code == 403 and match is not None and match.group(1) == "insufficient_scope",
        f"HTTP {response.status_code}, WWW-Authenticate: {_challenge(probe)!r}",
        [exchange_id(response)],
    )


@then("the answer carries Cache-Control no-store or private")
def api_cache_control(probe: Probe, checker: Checker) -> None:
    response = probe.last
    value = response.headers.get("cache-control", "")
    directives = {d.strip().lower() for d in value.split(",")}
    checker.require(
        "RFC6819-4.6.6-proxy-cache",
        200 <= response.status_code < 300 and bool(directives & {"no-store", "private"}),
        f"HTTP {response.status_code}, Cache-Control: {value!r}",
        [exchange_id(response)],
    )
