"""RFC 7662 introspection, run only where the discovery document advertises the endpoint."""

from __future__ import annotations

import httpx2
import pytest
from pytest_bdd import given, parsers, then, when

from oauth_conformance.checks import BesideControl, PositiveControl, rfc7662
from oauth_conformance.http import HttpClient
from oauth_conformance.jwt import decode_unverified
from oauth_conformance.targets.identity import basic_credentials
from oauth_conformance.targets.standards import StandardsTarget
from oauth_conformance.verdicts import Checker

from ..state import Probe
from .context import advertised_endpoint, authenticated, fresh_access_token, revoke, shared_access_token, usable_token


@given("the server advertises an introspection endpoint", target_fixture="introspection_url")
def introspection_endpoint(standards: StandardsTarget) -> str:
    return advertised_endpoint(standards, "introspection_endpoint")


def introspect(url: str, token: str, standards: StandardsTarget, http: HttpClient) -> httpx2.Response:
    """The introspection of ``token`` by the caller the target names for it (OAUTH_INTROSPECTION_CLIENT_ID,
    else the standards client), authenticated the way that caller authenticates here."""
    return http.post(url, **authenticated(standards, standards.introspector, {"token": token}))


@when("a token is introspected without client authentication")
def introspect_anonymous(introspection_url: str, standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    probe.responses.append(http.post(introspection_url, data={"token": shared_access_token(standards)}))


def _introspect_as_client(introspection_url: str, token: str, standards: StandardsTarget, http: HttpClient) -> Probe:
    response = introspect(introspection_url, token, standards, http)
    if response.status_code in (401, 403):
        # RFC 7662 §2.1 lets the server choose who may introspect (often only resource servers), so a
        # refusal of this client says nothing about the endpoint.
        pytest.skip(
            f"the introspection endpoint refuses this client's credentials (HTTP {response.status_code}): "
            "it needs the credentials of a caller it authorizes (OAUTH_INTROSPECTION_CLIENT_ID and "
            "OAUTH_INTROSPECTION_CLIENT_SECRET)"
        )
    probe = Probe()
    probe.responses.append(response)
    return probe


@when("the client introspects its own fresh token", target_fixture="probe")
def introspect_own(introspection_url: str, standards: StandardsTarget, http: HttpClient) -> Probe:
    issued = usable_token(standards)
    assert issued.access_token is not None
    probe = _introspect_as_client(introspection_url, issued.access_token, standards, http)
    probe.issued = issued  # what the introspection's metadata is compared with
    return probe


@when(parsers.parse('the client introspects the token "{token}"'), target_fixture="probe")
def introspect_literal(token: str, introspection_url: str, standards: StandardsTarget, http: HttpClient) -> Probe:
    return _introspect_as_client(introspection_url, token, standards, http)


@when("a token is introspected with GET")
def introspect_get(introspection_url: str, standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    probe.responses.append(http.get(introspection_url, params={"token": shared_access_token(standards)}))


@when("a token is introspected with a wrong client secret")
def introspect_wrong_secret(
    introspection_url: str, standards: StandardsTarget, http: HttpClient, probe: Probe
) -> None:
    headers = {"Authorization": basic_credentials(standards.client.client_id, "not-the-secret-0123456789")}
    form = {"token": shared_access_token(standards)}
    probe.responses.append(http.post(introspection_url, data=form, headers=headers))


@when("the client revokes a fresh access token and introspects it")
def introspect_revoked(introspection_url: str, standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    revocation_url = advertised_endpoint(standards, "revocation_endpoint")
    token = fresh_access_token(standards)
    revoked = revoke(standards, http, revocation_url, token)
    if revoked.status_code != 200:
        # RFC7009-2-access-tokens reports a server that cannot revoke access tokens; here nothing was revoked.
        pytest.skip(f"the revocation of the fresh token answered HTTP {revoked.status_code}: nothing to introspect")
    probe.responses.append(introspect(introspection_url, token, standards, http))


@then("the introspection says active false for the revoked token")
def revoked_inactive(probe: Probe, introspection_control: PositiveControl, checker: Checker) -> None:
    checker.verify(rfc7662.revoked_token_inactive, BesideControl(probe.last, introspection_control))


@then("the introspection reveals no token metadata")
def get_reveals_nothing(probe: Probe, introspection_control: PositiveControl, checker: Checker) -> None:
    checker.verify(rfc7662.get_reveals_nothing, BesideControl(probe.last, introspection_control))


@then("the introspection is refused and reveals no token metadata")
def refused_anonymous(probe: Probe, introspection_control: PositiveControl, checker: Checker) -> None:
    checker.verify(rfc7662.unauthenticated_refused, BesideControl(probe.last, introspection_control))


@then("the introspection is refused with HTTP 401 and no token metadata")
def refused_bad_credentials(probe: Probe, introspection_control: PositiveControl, checker: Checker) -> None:
    checker.verify(rfc7662.bad_credentials_refused, BesideControl(probe.last, introspection_control))


@then("the introspection says active true with the token's client_id")
def active_true(probe: Probe, standards: StandardsTarget, checker: Checker) -> None:
    issued = probe.issued
    scope = (issued.body or {}).get("scope") if issued else None
    token_exp = _jwt_exp(issued.access_token) if issued and issued.access_token else None
    observed = rfc7662.OwnIntrospection(probe.last, standards.client.client_id,
                                        scope if isinstance(scope, str) else None, token_exp)
    checker.verify(rfc7662.fresh_token_active, observed)


def _jwt_exp(token: str) -> int | None:
    """The exp of a JWT access token, read without verifying (the check compares, it does not trust)."""
    try:
        exp = decode_unverified(token)[1].get("exp")
    except ValueError:
        return None  # not a JWT: there is no exp of the token's own to compare with
    return exp if isinstance(exp, int) else None


@then("the introspection answers 200 with only active false")
def inactive_minimal(probe: Probe, checker: Checker) -> None:
    checker.verify(rfc7662.inactive_minimal, probe.last)
