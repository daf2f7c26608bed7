"""Token requests at the Identity Service with an integration's credentials (creatio-oauth.md §1.3)."""

from __future__ import annotations

import time

from pytest_bdd import given, parsers, then, when

from oauth_conformance.checks import Family, creatio
from oauth_conformance.errors import SuiteError
from oauth_conformance.polling import poll
from oauth_conformance.settings import Settings
from oauth_conformance.targets.identity import AuthStyle, IdentityClient, TokenResult
from oauth_conformance.verdicts import Checker

from ..state import World


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


def _issued_token(result: TokenResult) -> str:
    """The access token of a result the token check accepted (a refusal blocked the step before this)."""
    if result.access_token is None:
        raise SuiteError(f"no access token in the token response ({result.exchange})")
    return result.access_token


@given(parsers.parse('"{label}" holds an access token'))
def holds_token(label: str, world: World, identity: IdentityClient, checker: Checker) -> None:
    # A precondition, but one the documented procedure promises: credentials that obtain no token are
    # a failure of the token check, not a broken suite.
    result = _request(world, identity, label)
    checker.require(creatio.token_issued, creatio.TokenAnswer(label, result))
    world.earlier_tokens[label] = _issued_token(result)


@then(parsers.parse('an access token is issued to "{label}"'))
def token_issued(label: str, world: World, checker: Checker) -> None:
    checker.verify_tagged(Family.CRE_TOKEN_ISSUED, creatio.TokenAnswer(label, world.tokens[label]))


@then(parsers.parse('the token of "{label}" carries its Client Id and its technical user'))
def token_names_client_and_user(label: str, world: World, checker: Checker) -> None:
    integration = world.integration(label)
    result = world.tokens[label]
    checker.require(creatio.token_issued, creatio.TokenAnswer(label, result))
    observed = creatio.TokenIdentity(
        _issued_token(result), integration.client_id, integration.system_user_id, result.exchange
    )
    checker.verify(creatio.token_acts_as_techuser, observed)


@then(parsers.parse('a token request by "{label}" is refused with invalid_client'))
def refused_invalid_client(
    label: str, world: World, identity: IdentityClient, settings: Settings, checker: Checker
) -> None:
    """Polled: an Identity Service may cache its clients for a while (creatio-versions.md §2)."""
    deactivated = world.deactivated_at.get(label, time.monotonic())
    results = poll(lambda: _request(world, identity, label), lambda r: not r.issued, deactivated,
                   settings.deactivation_wait)
    since = time.monotonic() - deactivated
    checker.verify(creatio.active_off_new, creatio.DeactivatedClientToken(since, results[-1], len(results)))


@then(parsers.parse('a token request with the deleted credentials of "{label}" is refused with invalid_client'))
def deleted_credentials_refused(label: str, world: World, identity: IdentityClient, checker: Checker) -> None:
    result = _request(world, identity, label)
    checker.verify(creatio.secret_rotate, creatio.DeletedCredentialsToken(result))


@then(parsers.parse('the credentials of "{label}" still obtain an access token'))
def still_obtain_token(label: str, world: World, identity: IdentityClient, checker: Checker) -> None:
    result = _request(world, identity, label)
    # A later step may read with the new token: only with one that was issued.
    checker.require_tagged(Family.CRE_STILL_OBTAINS_TOKEN, creatio.CredentialsToken(label, result))
