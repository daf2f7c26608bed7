"""RFC 7009 revocation, run only where the discovery document advertises the endpoint."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from pytest_bdd import given, parsers, then, when

from oauth_conformance.checks import BesideControl, Family, PositiveControl, rfc7009
from oauth_conformance.http import HttpClient
from oauth_conformance.targets.standards import Client, StandardsTarget
from oauth_conformance.verdicts import Checker

from ..state import Probe
from .context import (
    advertised_endpoint,
    advertised_value,
    fresh_access_token,
    require_part,
    revoke,
    skip_local_plain_http,
)
from .introspection import introspect


@given("the server advertises a revocation endpoint", target_fixture="revocation_url")
def revocation_endpoint(standards: StandardsTarget) -> str:
    return advertised_endpoint(standards, "revocation_endpoint")


def _revoke(url: str, token: str, client: Client, standards: StandardsTarget, http: HttpClient, probe: Probe,
            hint: str | None = None) -> None:
    probe.responses.append(revoke(standards, http, url, token, client, hint))


def _fresh(standards: StandardsTarget, probe: Probe) -> str:
    token = fresh_access_token(standards)
    probe.tokens.append(token)
    return token


@then("the revocation endpoint is an https URL")
def revocation_https(revocation_url: str, standards: StandardsTarget, checker: Checker) -> None:
    # As advertised, before rebasing: an http:// endpoint reached at the configured https origin is still
    # the finding.
    advertised = advertised_value(standards, "revocation_endpoint")
    skip_local_plain_http(advertised, "the revocation endpoint", urlsplit(standards.identity.base_url).scheme)
    checker.verify(rfc7009.endpoint_is_https, rfc7009.AdvertisedRevocationEndpoint(str(advertised)))


@when(parsers.parse('the client revokes the token "{token}"'))
def revoke_literal(token: str, revocation_url: str, standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    _revoke(revocation_url, token, standards.client, standards, http, probe)


@when(parsers.parse("the client revokes a fresh access token with the hint {hint}"))
def revoke_with_hint(
    hint: str, revocation_url: str, standards: StandardsTarget, http: HttpClient, probe: Probe
) -> None:
    _revoke(revocation_url, _fresh(standards, probe), standards.client, standards, http, probe, hint)


@when("the client revokes a fresh access token")
def revoke_fresh(revocation_url: str, standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    _revoke(revocation_url, _fresh(standards, probe), standards.client, standards, http, probe)


@when("the second client tries to revoke the client's fresh access token")
def revoke_foreign(revocation_url: str, standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    second = require_part(standards.second_client, "OAUTH_CLIENT2_ID and OAUTH_CLIENT2_SECRET (a second client)")
    _revoke(revocation_url, _fresh(standards, probe), second, standards, http, probe)


@then("the revocation answers 200")
def revocation_200(probe: Probe, checker: Checker) -> None:
    # What the API does with the token afterwards is measured next: only after a revocation that was accepted.
    checker.require_tagged(Family.REVOCATION_ANSWERED, probe.last)


@then("the revocation answers 200, as it does for the client's own token")
def unknown_token_200(probe: Probe, access_token_revocation: PositiveControl, checker: Checker) -> None:
    checker.verify(rfc7009.unknown_token_answered_200, BesideControl(probe.last, access_token_revocation))


@then("the revocation answers 200, as it does without the hint")
def revocation_200_despite_hint(probe: Probe, access_token_revocation: PositiveControl, checker: Checker) -> None:
    checker.verify(rfc7009.wrong_hint_answered_200, BesideControl(probe.last, access_token_revocation))


@then("the API's answer to the revoked token is recorded for review")
def revoked_token_effect(standards: StandardsTarget, http: HttpClient, probe: Probe, checker: Checker) -> None:
    resource_url = require_part(standards.resource_url, "OAUTH_RESOURCE_URL (a protected resource)")
    response = http.get(resource_url, headers={"Authorization": f"Bearer {probe.tokens[-1]}"})
    checker.verify(rfc7009.revocation_effect_review, rfc7009.ApiAnswerAfterRevocation(response))


@then("the client's token is still valid")
def foreign_revocation_ignored(
    standards: StandardsTarget, http: HttpClient, probe: Probe, request: pytest.FixtureRequest, checker: Checker
) -> None:
    resource_url = require_part(standards.resource_url, "OAUTH_RESOURCE_URL (a protected resource)")
    token = probe.tokens[-1]
    api = http.get(resource_url, headers={"Authorization": f"Bearer {token}"})
    # A resource server that validates self-contained JWTs locally never sees a revocation, so where the
    # client may introspect its own token, the authorization server's view decides as well: the client's
    # introspection of an untouched fresh token (the control) and of the token the other client targeted.
    introspection_url = standards.identity.advertised_endpoint("introspection_endpoint")
    view = None
    if introspection_url is not None:
        control = introspect(introspection_url, fresh_access_token(standards), standards, http)
        view = rfc7009.IntrospectionView(control, introspect(introspection_url, token, standards, http))
    # The control revokes a token of its own: asked only now, so that on a server that hands out one token
    # again and again it cannot revoke the token this scenario has just measured.
    own_revocation: PositiveControl = request.getfixturevalue("own_revocation_effective")
    aftermath = rfc7009.ForeignRevocationAftermath(probe.last, api, own_revocation, view)
    checker.verify(rfc7009.foreign_revocation_ignored, aftermath)
