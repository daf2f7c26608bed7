"""Token requests at the Identity Service with an integration's credentials (creatio-oauth.md §1.3)."""

from __future__ import annotations

import time

from pytest_bdd import given, parsers, then, when

from oauth_conformance.jwt import decode_unverified
from oauth_conformance.targets.identity import AuthStyle, IdentityClient, TokenResult
from oauth_conformance.verdicts import Checker
from steps.state import World


def _request(world: World, identity: IdentityClient, label: str, style: AuthStyle = "post") -> TokenResult:
    integration = world.integration(label)
    result = identity.request_token(integration.client_id, integration.client_secret, style)
    world.tokens[label] = result
    return result


@when(parsers.parse('"{label}" requests a token with its credentials in the request body'))
def request_with_body(label: str, world: World, identity: IdentityClient) -> None:
    _request(world, identity, label)


@when(parsers.parse('"{label}" requests a token with HTTP Basic authentication'))
def request_with_basic(label: str, world: World, identity: IdentityClient) -> None:
    _request(world, identity, label, "basic")


@given(parsers.parse('"{label}" holds an access token'))
def holds_token(label: str, world: World, identity: IdentityClient, checker: Checker) -> None:
    # A precondition, but one the documented procedure promises: credentials that obtain no token are
    # a failure of CRE-token-issued, not a broken suite.
    result = _request(world, identity, label)
    checker.require("CRE-token-issued", result.issued, f"{label}: {result.describe()}", [result.exchange])
    assert result.access_token is not None
    world.earlier_tokens[label] = result.access_token


@then(parsers.parse('an access token is issued to "{label}"'))
def token_issued(label: str, world: World, checker: Checker) -> None:
    requirement = checker.pick("CRE-token-issued", "CRE-basic-support")
    result = world.tokens[label]
    token_type = (result.body or {}).get("token_type")
    checker.require(
        requirement,
        result.issued and isinstance(token_type, str) and token_type.lower() == "bearer",
        f"{result.describe()}, token_type={token_type!r}",
        [result.exchange],
    )


@then(parsers.parse('the token of "{label}" carries its Client Id and its technical user'))
def token_names_client_and_user(label: str, world: World, checker: Checker) -> None:
    integration = world.integration(label)
    result = world.tokens[label]
    checker.require("CRE-token-issued", result.issued, result.describe(), [result.exchange])
    assert result.access_token is not None
    try:
        _, claims = decode_unverified(result.access_token)
    except ValueError as error:
        checker.require("CRE-token-acts-as-techuser", False, f"the access token is {error}", [result.exchange])
        return
    # Creatio maps a Bearer request to its user through prop:SysAdminUnitId, not sub (§1.4, [SRC S81]).
    user = str(claims.get("prop:SysAdminUnitId", "")).lower()
    expected_user = (integration.system_user_id or "").lower()
    checker.require(
        "CRE-token-acts-as-techuser",
        claims.get("client_id") == integration.client_id and user == expected_user,
        f"client_id claim {'matches' if claims.get('client_id') == integration.client_id else 'differs'}, "
        f"prop:SysAdminUnitId {user or '(absent)'} vs technical user {expected_user}",
        [result.exchange],
    )


@then(parsers.parse('a token request by "{label}" is refused with invalid_client'))
def refused_invalid_client(label: str, world: World, identity: IdentityClient, checker: Checker) -> None:
    result = _request(world, identity, label)
    since = time.monotonic() - world.deactivated_at.get(label, time.monotonic())
    checker.require(
        "CRE-active-off-new",
        not result.issued and result.status in (400, 401) and result.error == "invalid_client",
        f"{since:.1f} s after Active was cleared: {result.describe()}",
        [result.exchange],
    )


@then(parsers.parse('a token request with the deleted credentials of "{label}" is refused with invalid_client'))
def deleted_credentials_refused(label: str, world: World, identity: IdentityClient, checker: Checker) -> None:
    result = _request(world, identity, label)
    checker.require(
        "CRE-secret-rotate",
        not result.issued and result.status in (400, 401) and result.error == "invalid_client",
        f"after the integration was deleted: {result.describe()}",
        [result.exchange],
    )


@then(parsers.parse('the credentials of "{label}" still obtain an access token'))
def still_obtain_token(label: str, world: World, identity: IdentityClient, checker: Checker) -> None:
    requirement = checker.pick(
        "CRE-edit-keeps-credentials", "CRE-reactivate", "CRE-active-off-isolated", "CRE-secret-rotate"
    )
    result = _request(world, identity, label)
    checker.require(requirement, result.issued, f"{label}: {result.describe()}", [result.exchange])
