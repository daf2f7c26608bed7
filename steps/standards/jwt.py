"""RFC 9068 checks of JWT access tokens, and forged variants sent to the resource server."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

from oauth_conformance.checks import (
    BesideControl,
    Family,
    IssuedJwt,
    JwtAndKeys,
    JwtOfClient,
    PositiveControl,
    rfc6819,
    rfc7517,
    rfc9068,
)
from oauth_conformance.http import HttpClient
from oauth_conformance.jwt import forge, rsa_public_pem
from oauth_conformance.redaction import REDACTOR
from oauth_conformance.targets.identity import TokenResult
from oauth_conformance.targets.standards import StandardsTarget
from oauth_conformance.verdicts import Checker

from ..state import Probe
from .context import advertised_value, keys_in, usable_token


@given("the client holds a JWT access token", target_fixture="issued")
def jwt_token(standards: StandardsTarget) -> TokenResult:
    result = usable_token(standards)
    assert result.access_token is not None
    try:
        IssuedJwt.decode(result.access_token, result.body or {}, result.exchange)
    except ValueError as error:
        pytest.skip(f"the access token is not a JWT ({error}): the RFC 9068 checks do not apply")
    return result


@pytest.fixture
def issued_jwt(issued: TokenResult) -> IssuedJwt:
    """The scenario's token, decoded (``jwt_token`` made sure it is a JWT)."""
    assert issued.access_token is not None
    return IssuedJwt.decode(issued.access_token, issued.body or {}, issued.exchange)


@pytest.fixture
def jwks(standards: StandardsTarget, issued_jwt: IssuedJwt) -> list[dict[str, Any]]:
    """The keys of the key set, as the run fetched it once (asked again where they lack the token's kid)."""
    uri = advertised_value(standards, "jwks_uri")
    if not isinstance(uri, str):
        pytest.skip("the discovery document names no jwks_uri")
    kid = issued_jwt.header.get("kid")
    return keys_in(standards.identity.key_set(uri, kid if isinstance(kid, str) else None))


@then("the token header typ is at+jwt")
def typ_at_jwt(issued_jwt: IssuedJwt, checker: Checker) -> None:
    checker.verify_tagged(Family.JWT_TYPED, issued_jwt)


@then("the token header alg is RS256")
def alg_rs256(issued_jwt: IssuedJwt, checker: Checker) -> None:
    checker.verify(rfc9068.rs256_signed, issued_jwt)


@then("the token carries iss, exp, aud, sub, client_id, iat and jti, and its exp minus iat matches expires_in")
def required_claims(issued_jwt: IssuedJwt, checker: Checker) -> None:
    checker.verify(rfc9068.required_claims, issued_jwt)


@then("the token kid resolves to exactly one key of the JWKS")
def kid_resolves(issued_jwt: IssuedJwt, jwks: list[dict[str, Any]], checker: Checker) -> None:
    # The signature is verified next with the key the kid names.
    checker.require(rfc7517.kid_resolves, JwtAndKeys(issued_jwt, tuple(jwks)))


@when(parsers.parse("the client calls the protected resource with the token forged as {variant}"))
def call_forged(
    variant: str,
    issued_jwt: IssuedJwt,
    jwks: list[dict[str, Any]],
    resource_url: str,
    http: HttpClient,
    probe: Probe,
) -> None:
    kid = issued_jwt.header.get("kid")
    key = next((k for k in jwks if k.get("kid") == kid and k.get("kty") == "RSA"), None)
    public_pem = rsa_public_pem(key) if key else None
    if variant == "hs256-confusion" and public_pem is None:
        pytest.skip("no RSA key in the JWKS matches the token's kid: nothing to confuse")
    forged = forge(issued_jwt.token, variant, public_pem)
    REDACTOR.register(forged)
    probe.responses.append(http.get(resource_url, headers={"Authorization": f"Bearer {forged}"}))


@then("the protected resource refuses the forged token")
def refuses_forged(probe: Probe, resource_control: PositiveControl, checker: Checker) -> None:
    checker.verify_tagged(Family.FORGED_TOKEN_REFUSED, BesideControl(probe.last, resource_control))


@then("the refusal does not echo the token")
def refusal_does_not_echo(probe: Probe, checker: Checker) -> None:
    checker.verify(rfc6819.token_not_echoed, probe.last)


@then("the token signature verifies with that key")
def signature_verifies(issued_jwt: IssuedJwt, jwks: list[dict[str, Any]], checker: Checker) -> None:
    checker.verify(rfc6819.tokens_unforgeable, JwtAndKeys(issued_jwt, tuple(jwks)))


@then("the token aud claim is not empty")
def aud_present(issued_jwt: IssuedJwt, checker: Checker) -> None:
    checker.verify_tagged(Family.JWT_AUDIENCE, issued_jwt)


@then("the token iss claim is the issuer of the authorization server's metadata")
def iss_matches_metadata(issued_jwt: IssuedJwt, standards: StandardsTarget, checker: Checker) -> None:
    issuer = advertised_value(standards, "issuer")
    checker.verify(rfc9068.issuer_matches_metadata, rfc9068.JwtBesideIssuer(issued_jwt, issuer))


@then("the token client_id claim is the client's id")
def client_id_claim(issued_jwt: IssuedJwt, standards: StandardsTarget, checker: Checker) -> None:
    checker.verify(rfc6819.bound_to_client, JwtOfClient(issued_jwt, standards.client.client_id))


@then("the token carries a scope claim when the token response names a scope")
def scope_claim(issued_jwt: IssuedJwt, checker: Checker) -> None:
    if not issued_jwt.response_body.get("scope"):
        pytest.skip("the token response names no scope: nothing to compare the claim with")
    checker.verify(rfc9068.scope_claim_present, issued_jwt)


@then("the token's sub identifies the client, not a person")
def sub_is_client(issued_jwt: IssuedJwt, standards: StandardsTarget, checker: Checker) -> None:
    checker.verify(rfc9068.subject_not_confusable, JwtOfClient(issued_jwt, standards.client.client_id))


@then("the token's subject and scope are recorded for review")
def record_subject(issued_jwt: IssuedJwt, checker: Checker) -> None:
    checker.verify_tagged(Family.JWT_SUBJECT_REVIEW, issued_jwt)
