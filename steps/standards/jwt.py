"""RFC 9068 checks of JWT access tokens, and forged variants sent to the resource server."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

from oauth_conformance.errors import UnexpectedResponseError
from oauth_conformance.http import HttpClient, exchange_id, json_object
from oauth_conformance.jwt import decode_unverified, forge, rsa_public_pem, verify_signature
from oauth_conformance.redaction import REDACTOR
from oauth_conformance.targets.identity import TokenResult
from oauth_conformance.targets.standards import StandardsTarget
from oauth_conformance.verdicts import Checker
from steps.standards.context import usable_token
from steps.state import Probe

REQUIRED_CLAIMS = ("iss", "exp", "aud", "sub", "client_id", "iat", "jti")
# exp - iat may differ from expires_in by the time the response took to build.
_LIFETIME_TOLERANCE_S = 5


@given("the client holds a JWT access token", target_fixture="issued")
def jwt_token(standards: StandardsTarget) -> TokenResult:
    result = usable_token(standards)
    assert result.access_token is not None
    try:
        decode_unverified(result.access_token)
    except ValueError as error:
        pytest.skip(f"the access token is not a JWT ({error}): the RFC 9068 checks do not apply")
    return result


def _parts(issued: TokenResult) -> tuple[dict[str, Any], dict[str, Any]]:
    assert issued.access_token is not None
    return decode_unverified(issued.access_token)


@pytest.fixture
def jwks(standards: StandardsTarget, http: HttpClient) -> list[dict[str, Any]]:
    uri = standards.identity.discovery().get("jwks_uri")
    if not isinstance(uri, str):
        pytest.skip("the discovery document names no jwks_uri")
    response = http.get(uri)
    body = json_object(response)
    keys = body.get("keys") if body else None
    if response.status_code != 200 or not isinstance(keys, list):
        raise UnexpectedResponseError(f"JWKS {uri} answered HTTP {response.status_code} without keys",
                                      exchange_id(response))
    return [k for k in keys if isinstance(k, dict)]


@then("the token header typ is at+jwt")
def typ_at_jwt(issued: TokenResult, checker: Checker) -> None:
    typ = _parts(issued)[0].get("typ")
    ok = isinstance(typ, str) and typ.lower() in ("at+jwt", "application/at+jwt")
    checker.require_tagged(("RFC9068-2.1-typ", "RFC8725-3.11-explicit-typing"), ok, f"typ={typ!r}",
                           [issued.exchange])


@then("the token header alg is RS256")
def alg_rs256(issued: TokenResult, checker: Checker) -> None:
    alg = _parts(issued)[0].get("alg")
    checker.require("RFC9068-2.1-signed", alg == "RS256", f"alg={alg!r}", [issued.exchange])


@then("the token carries iss, exp, aud, sub, client_id, iat and jti")
def required_claims(issued: TokenResult, checker: Checker) -> None:
    claims = _parts(issued)[1]
    missing = [name for name in REQUIRED_CLAIMS if name not in claims]
    checker.require("RFC9068-2.2-claims", not missing,
                    f"missing: {', '.join(missing)}" if missing else "all present", [issued.exchange])


@then("the token's exp minus iat matches expires_in")
def lifetime_matches(issued: TokenResult, checker: Checker) -> None:
    claims = _parts(issued)[1]
    expires_in = (issued.body or {}).get("expires_in")
    exp, iat = claims.get("exp"), claims.get("iat")
    ok = all(isinstance(v, int | float) for v in (exp, iat, expires_in)) and abs(
        (exp - iat) - expires_in  # type: ignore[operator]
    ) <= _LIFETIME_TOLERANCE_S
    checker.require("RFC9068-2.2-claims", ok, f"exp-iat vs expires_in={expires_in!r}", [issued.exchange])


@then("the token kid resolves to exactly one key of the JWKS")
def kid_resolves(issued: TokenResult, jwks: list[dict[str, Any]], checker: Checker) -> None:
    kid = _parts(issued)[0].get("kid")
    matches = [k for k in jwks if k.get("kid") == kid]
    checker.require("JWKS-kid-resolves", kid is not None and len(matches) == 1,
                    f"kid={kid!r}: {len(matches)} matching key(s) of {len(jwks)}", [issued.exchange])


@when(parsers.parse("the client calls the protected resource with the token forged as {variant}"))
def call_forged(
    variant: str,
    issued: TokenResult,
    jwks: list[dict[str, Any]],
    resource_url: str,
    http: HttpClient,
    probe: Probe,
) -> None:
    assert issued.access_token is not None
    header = _parts(issued)[0]
    key = next((k for k in jwks if k.get("kid") == header.get("kid") and k.get("kty") == "RSA"), None)
    public_pem = rsa_public_pem(key) if key else None
    if variant == "hs256-confusion" and public_pem is None:
        pytest.skip("no RSA key in the JWKS matches the token's kid: nothing to confuse")
    forged = forge(issued.access_token, variant, public_pem)
    REDACTOR.register(forged)
    probe.responses.append(http.get(resource_url, headers={"Authorization": f"Bearer {forged}"}))


# The same forged vectors seen from RFC 9068 §4, the JWT BCP (RFC 8725 §3.1) and RFC 6749 §7.
FORGERY_REQUIREMENTS = ("RFC9068-4-rs-validation", "RFC8725-3.1-alg-allowlist", "RFC6749-7-rs-validate")


@then("the protected resource refuses the forged token")
def refuses_forged(probe: Probe, checker: Checker) -> None:
    response = probe.last
    checker.require_tagged(FORGERY_REQUIREMENTS, response.status_code == 401, f"HTTP {response.status_code}",
                           [exchange_id(response)])


@then("the refusal does not echo the token")
def refusal_does_not_echo(probe: Probe, checker: Checker) -> None:
    response = probe.last
    sent = response.request.headers.get("authorization", "").removeprefix("Bearer ")
    # The whole token or any long segment of it (a signature alone is as good as the token to a log reader).
    pieces = [sent, *(segment for segment in sent.split(".") if len(segment) >= 16)]
    echoed = any(piece and piece in response.text for piece in pieces)
    checker.require("RFC6819-4.6.7-log-leak", not echoed,
                    "the body echoes the token" if echoed else "the body does not echo the token",
                    [exchange_id(response)])


@then("the token signature verifies with that key")
def signature_verifies(issued: TokenResult, jwks: list[dict[str, Any]], checker: Checker) -> None:
    assert issued.access_token is not None
    header = _parts(issued)[0]
    key = next((k for k in jwks if k.get("kid") == header.get("kid")), None)
    # Any asymmetric signature the published key verifies proves the token cannot be forged; whether the
    # algorithm is the required RS256 is RFC9068-2.1-signed's own check.
    ok = key is not None and verify_signature(issued.access_token, key)
    alg = header.get("alg")
    checker.require("RFC6819-4.6.3-guessing", ok, f"{alg} signature verifies with the published key" if ok
                    else f"no verifiable signature (alg={alg!r}, key found: {key is not None})",
                    [issued.exchange])


@then("the token aud claim is not empty")
def aud_present(issued: TokenResult, checker: Checker) -> None:
    aud = _parts(issued)[1].get("aud")
    ok = (isinstance(aud, str) and bool(aud)) or (isinstance(aud, list) and any(isinstance(a, str) and a for a in aud))
    checker.require_tagged(("RFC9068-3-aud-default", "RFC6750-5.3-audience", "RFC6819-4.6.4-phishing"), ok,
                           f"aud={aud!r}", [issued.exchange])


@then("the token client_id claim is the client's id")
def client_id_claim(issued: TokenResult, standards: StandardsTarget, checker: Checker) -> None:
    claim = _parts(issued)[1].get("client_id")
    checker.require("RFC6819-5.1.5.8-bind-client", claim == standards.client.client_id,
                    "client_id claim matches" if claim == standards.client.client_id else f"client_id={claim!r}",
                    [issued.exchange])


@then("the token carries a scope claim when the token response names a scope")
def scope_claim(issued: TokenResult, checker: Checker) -> None:
    granted = (issued.body or {}).get("scope")
    claim = _parts(issued)[1].get("scope")
    if not granted:
        pytest.skip("the token response names no scope: nothing to compare the claim with")
    checker.require("RFC9068-2.2.3-scope", isinstance(claim, str | list) and bool(claim),
                    f"response scope {granted!r}, claim {claim!r}", [issued.exchange])


@then("the token's sub identifies the client, not a person")
def sub_is_client(issued: TokenResult, standards: StandardsTarget, checker: Checker) -> None:
    claims = _parts(issued)[1]
    sub = claims.get("sub")
    # Without sub nothing can be confused with a person's identifier; with it, it should be the client.
    ok = sub is None or sub == standards.client.client_id
    checker.require("RFC9068-5-sub-confusion", ok,
                    "no sub claim" if sub is None else ("sub is the client id" if ok else f"sub={sub!r}"),
                    [issued.exchange])


@then("the token's subject and scope are recorded for review")
def record_subject(issued: TokenResult, checker: Checker) -> None:
    claims = _parts(issued)[1]
    subject = {k: claims[k] for k in ("sub", "client_id", "prop:SysAdminUnitId") if k in claims}
    scope = claims.get("scope", (issued.body or {}).get("scope"))
    checker.review("RFC9068-2.2-sub-cc", f"subject claims {subject}: is sub the client, or a user?",
                   [issued.exchange])
    checker.review("RFC9700-4.15-client-impersonation",
                   f"subject claims {subject}: the client cannot choose them; confirm none equals a person's account",
                   [issued.exchange])
    checker.review("RFC9700-2.3-least-privilege",
                   f"scope {scope!r}: compare with what the integration needs "
                   "(for Creatio, the technical user's roles)",
                   [issued.exchange])
