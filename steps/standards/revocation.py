"""RFC 7009 revocation, run only where the discovery document advertises the endpoint."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from pytest_bdd import given, parsers, then, when

from oauth_conformance.http import HttpClient, exchange_id, json_object
from oauth_conformance.netutil import is_loopback
from oauth_conformance.targets.standards import Client, StandardsTarget
from oauth_conformance.verdicts import Checker
from steps.standards.introspection import introspect
from steps.standards.context import advertised_endpoint, client_auth, fresh_access_token, require_part
from steps.state import Probe


@given("the server advertises a revocation endpoint", target_fixture="revocation_url")
def revocation_endpoint(standards: StandardsTarget) -> str:
    return advertised_endpoint(standards, "revocation_endpoint")


def _revoke(url: str, token: str, client: Client, http: HttpClient, probe: Probe, hint: str | None = None) -> None:
    form = {"token": token} | ({"token_type_hint": hint} if hint else {})
    probe.responses.append(http.post(url, data=form, headers=client_auth(client)))


def _fresh(standards: StandardsTarget, probe: Probe) -> str:
    token = fresh_access_token(standards)
    probe.tokens.append(token)
    return token


@then("the revocation endpoint is an https URL")
def revocation_https(revocation_url: str, standards: StandardsTarget, checker: Checker) -> None:
    parts = urlsplit(revocation_url)
    local_plain = standards.identity.base_url.startswith("http://")
    if parts.scheme == "http" and is_loopback(parts.hostname or "") and local_plain:
        # Skipped only for a deployment served over plain http on loopback; an https server that names a
        # plain-http revocation endpoint is a finding.
        pytest.skip("the revocation endpoint is plain http on loopback, a local test deployment")
    checker.require("RFC7009-2-post-tls", parts.scheme == "https", f"revocation_endpoint={revocation_url!r}")


@when(parsers.parse('the client revokes the token "{token}"'))
def revoke_literal(token: str, revocation_url: str, standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    _revoke(revocation_url, token, standards.client, http, probe)


@when(parsers.parse("the client revokes a fresh access token with the hint {hint}"))
def revoke_with_hint(
    hint: str, revocation_url: str, standards: StandardsTarget, http: HttpClient, probe: Probe
) -> None:
    _revoke(revocation_url, _fresh(standards, probe), standards.client, http, probe, hint)


@when("the client revokes a fresh access token")
def revoke_fresh(revocation_url: str, standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    _revoke(revocation_url, _fresh(standards, probe), standards.client, http, probe)


@when("the second client tries to revoke the client's fresh access token")
def revoke_foreign(revocation_url: str, standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    require_part(standards.second_client, "OAUTH_CLIENT2_ID and OAUTH_CLIENT2_SECRET (a second client)")
    assert standards.second_client is not None
    _revoke(revocation_url, _fresh(standards, probe), standards.second_client, http, probe)


@then("the revocation answers 200")
def revocation_200(probe: Probe, checker: Checker) -> None:
    requirement = checker.pick("RFC7009-2.2-invalid-200", "RFC7009-2.1-hint", "RFC7009-2-access-tokens")
    response = probe.last
    error = (json_object(response) or {}).get("error")
    checker.require(requirement, response.status_code == 200,
                    f"HTTP {response.status_code}" + (f", error={error!r}" if error else ""), [exchange_id(response)])


@then("the API's answer to the revoked token is recorded for review")
def revoked_token_effect(standards: StandardsTarget, http: HttpClient, probe: Probe, checker: Checker) -> None:
    require_part(standards.resource_url, "OAUTH_RESOURCE_URL (a protected resource)")
    assert standards.resource_url is not None
    response = http.get(standards.resource_url, headers={"Authorization": f"Bearer {probe.tokens[-1]}"})
    checker.review(
        "RFC7009-effect",
        f"right after revocation the API answers HTTP {response.status_code}"
        + ("" if response.status_code == 401 else " (a self-contained JWT may live until it expires)"),
        [exchange_id(response)],
    )


@then("the client's token is still valid")
def foreign_revocation_ignored(standards: StandardsTarget, http: HttpClient, probe: Probe, checker: Checker) -> None:
    require_part(standards.resource_url, "OAUTH_RESOURCE_URL (a protected resource)")
    assert standards.resource_url is not None
    token = probe.tokens[-1]
    response = http.get(standards.resource_url, headers={"Authorization": f"Bearer {token}"})
    valid = 200 <= response.status_code < 300
    message = f"after the other client's revocation attempt the token gets HTTP {response.status_code}"
    evidence = [exchange_id(probe.last), exchange_id(response)]
    # A resource server that validates self-contained JWTs locally never sees a revocation, so where the
    # client may introspect its own token, the authorization server's view decides as well.
    introspection_url = standards.identity.advertised_endpoint("introspection_endpoint")
    unused = "; introspection unusable (not advertised, refused, or a fresh token not active)"
    if introspection_url is not None:
        # Trusted only once it calls an untouched fresh token active: an endpoint that says "inactive"
        # to everything (or refuses this client) tells nothing about the revocation.
        control, control_id = _active(introspection_url, fresh_access_token(standards), standards, http)
        active, answer_id = _active(introspection_url, token, standards, http)
        if control is True and active is not None:
            valid = valid and active is True
            message += f"; introspection says active={active!r} (a fresh token: active=True)"
            evidence += [control_id, answer_id]
            unused = ""
    # Said out loud: against a resource server that validates JWTs locally, the resource alone cannot
    # show whether the other client's revocation took effect.
    checker.require("RFC7009-2.1-client-auth", valid, message + unused, evidence)


def _active(url: str, token: str, standards: StandardsTarget, http: HttpClient) -> tuple[object, str | None]:
    """The ``active`` member the client's own introspection of ``token`` answers (None if refused)."""
    answer = introspect(url, token, standards, http)
    active = (json_object(answer) or {}).get("active") if answer.status_code == 200 else None
    return active, exchange_id(answer)
