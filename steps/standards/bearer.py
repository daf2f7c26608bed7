"""RFC 6750 probes of the protected resource (the standards target's resource URL)."""

from __future__ import annotations

import pytest
from pytest_bdd import given, parsers, then, when

from oauth_conformance.checks import BesideControl, Family, PositiveControl, TokenLifetime, rfc6750, rfc6819
from oauth_conformance.http import HttpClient
from oauth_conformance.targets.identity import TokenResult
from oauth_conformance.targets.standards import StandardsTarget
from oauth_conformance.verdicts import Checker

from ..state import Probe
from .context import require_part, usable_token


@pytest.fixture
def resource_url(standards: StandardsTarget) -> str:
    return require_part(standards.resource_url,
                         "OAUTH_RESOURCE_URL (a protected resource that answers 2xx to a valid token)")


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


@when("the client calls a resource its token does not grant")
def call_denied(access_token: str, standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    denied = require_part(standards.denied_resource_url,
                           "OAUTH_DENIED_RESOURCE_URL (a resource the client's token may not read)")
    probe.responses.append(http.get(denied, headers={"Authorization": f"Bearer {access_token}"}))


@then("the protected resource answers 2xx")
def answers_2xx(probe: Probe, checker: Checker) -> None:
    checker.verify(rfc6750.header_method_accepted, probe.last)


@then("the protected resource answers 401 with a Bearer challenge")
def answers_401_bearer(probe: Probe, resource_control: PositiveControl, checker: Checker) -> None:
    # The challenge's contents are judged next: without a Bearer challenge there is nothing to judge.
    checker.require(rfc6750.unauthorized_challenged, BesideControl(probe.last, resource_control))


@then("the challenge carries no error code")
def challenge_without_error(probe: Probe, resource_control: PositiveControl, checker: Checker) -> None:
    checker.verify(rfc6750.challenge_without_error, BesideControl(probe.last, resource_control))


@then("the protected resource answers 401 with a Bearer challenge and error invalid_token")
def answers_invalid_token(probe: Probe, resource_control: PositiveControl, checker: Checker) -> None:
    checker.verify(rfc6750.invalid_token, BesideControl(probe.last, resource_control))


@then("the protected resource answers 400 with error invalid_request")
def answers_invalid_request(probe: Probe, resource_control: PositiveControl, checker: Checker) -> None:
    checker.verify_tagged(Family.BEARER_INVALID_REQUEST, BesideControl(probe.last, resource_control))


@then("the protected resource does not answer 2xx")
def not_2xx(probe: Probe, resource_control: PositiveControl, checker: Checker) -> None:
    checker.verify(rfc6750.query_method_refused, BesideControl(probe.last, resource_control))


@then(parsers.parse("the token lifetime is at most {limit:d} seconds"))
def short_lived(limit: int, issued: TokenResult, checker: Checker) -> None:
    lifetime = TokenLifetime((issued.body or {}).get("expires_in"), limit, issued.exchange)
    checker.verify_tagged(Family.TOKEN_LIFETIME, lifetime)


@then("the protected resource answers 403 with error insufficient_scope")
def answers_insufficient_scope(probe: Probe, resource_control: PositiveControl, checker: Checker) -> None:
    checker.verify(rfc6750.insufficient_scope, BesideControl(probe.last, resource_control))


@then("the answer carries Cache-Control no-store or private")
def api_cache_control(probe: Probe, checker: Checker) -> None:
    checker.verify(rfc6819.answers_not_cached, probe.last)
