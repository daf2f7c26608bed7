"""The checks of ``checks/rfc6819.py`` on canned answers, issued secrets and real signed tokens."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx2
from joserfc.jwk import ECKey

from oauth_conformance.checks import (
    IssuedJwt,
    JwtAndKeys,
    JwtOfClient,
    PlainHttpAnswer,
    Status,
    TokenLifetime,
    rfc6819,
)
from oauth_conformance.checks.rfc6819 import IssuedSecret, VerifiedHttpsFetch
from oauth_conformance.jwt import forge, rsa_public_pem
from tests.unit.cases import Case, assert_case, cases_of, controlled, error_response, refusal, response, token_response
from tests.unit.jwts import CLIENT_ID, KEY, KID, issued, signed

HELD, VIOLATED = Status.HELD, Status.VIOLATED

API = "https://api.example.test/0/odata/Contact"
PUBLIC = KEY.as_dict(private=False)
EC = ECKey.generate_key("P-256", parameters={"kid": "ec1"}, private=True)
TOKEN = signed()


def with_keys(token: str, *keys: Mapping[str, Any]) -> JwtAndKeys:
    """The token beside a published key set (the issuer's RSA key unless ``keys`` say otherwise)."""
    return JwtAndKeys(issued(token), keys or (PUBLIC,))


def api(status: int, cache_control: str | None = None) -> httpx2.Response:
    headers = {"Cache-Control": cache_control} if cache_control is not None else None
    return response(status, json={"value": []} if status == 200 else None, headers=headers, method="GET", url=API)


def echo(body: str, sent: str = TOKEN) -> httpx2.Response:
    """The resource's answer ``body`` to a request that carried ``sent`` as its bearer token."""
    return response(401, text=body, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}, method="GET",
                    url=API, request_headers={"Authorization": f"Bearer {sent}"})


def lifetime(expires_in: object, limit: int = 600) -> TokenLifetime:
    return TokenLifetime(expires_in, limit, "E1")


def of_client(jwt: IssuedJwt, client_id: str = CLIENT_ID) -> JwtOfClient:
    return JwtOfClient(jwt, client_id)


# Secrets as generators make them: Creatio's 32 random bytes in upper-case hex, django-oauth-toolkit's 128
# letters and digits, Python's token_urlsafe(32).
CREATIO_SECRET = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"
DOT_SECRET = ("Xq3VhR8kLm2PzT7wYc4NbJ9sUe6GdF1aKo5ZiW0rEtBnMuHy3VjQl8CxSg2Dp7Af"
              "Rk4Wn9Lh1Ty6Ub3Mz8Qe5Jc0Xv2Ps7Ng4Bd9Hf1Ka6Yo3Ri8Tl5Wu0Em2Zq7Cs4G")
URLSAFE_SECRET = "Qm9vLWJhci1iYXotcXV4LTEyMzQ1Njc4OTAtX19fLS0"  # 43 characters

CASES = [
    # §5.2.3.6: a deactivated client's secret is refused with invalid_client.
    Case(rfc6819.deactivated_secret_refused, refusal(error_response(401, "invalid_client"), ("invalid_client",)),
         HELD, "401 invalid_client"),
    Case(rfc6819.deactivated_secret_refused, refusal(error_response(400, "invalid_client"), ("invalid_client",)),
         HELD, "400 invalid_client (Creatio)"),
    Case(rfc6819.deactivated_secret_refused, refusal(token_response(), ("invalid_client",)), VIOLATED,
         "a token issued"),
    Case(rfc6819.deactivated_secret_refused, refusal(error_response(400, "invalid_grant"), ("invalid_client",)),
         VIOLATED, "another error code"),
    Case(rfc6819.deactivated_secret_refused, refusal(error_response(500, "invalid_client"), ("invalid_client",)),
         VIOLATED, "500"),
    # §5.1.1: the token endpoint does not serve plain http.
    Case(rfc6819.token_endpoint_confidential, PlainHttpAnswer(None), HELD, "nothing listens"),
    Case(rfc6819.token_endpoint_confidential, PlainHttpAnswer(response(301, headers={"Location": "https://is"})),
         HELD, "a redirect"),
    Case(rfc6819.token_endpoint_confidential, PlainHttpAnswer(error_response(403, "invalid_request")), HELD,
         "HTTPS required, as Keycloak says it"),
    Case(rfc6819.token_endpoint_confidential, PlainHttpAnswer(error_response(401, "invalid_client")), VIOLATED,
         "the made-up client was authenticated"),
    Case(rfc6819.token_endpoint_confidential, PlainHttpAnswer(token_response()), VIOLATED, "a token"),
    # §5.1.4.2.2: at least 128 bits by length and alphabet.
    Case(rfc6819.secret_entropy, IssuedSecret(CREATIO_SECRET), HELD, "64 upper-case hex: 256 bits"),
    Case(rfc6819.secret_entropy, IssuedSecret(CREATIO_SECRET.lower()), HELD, "64 lower-case hex"),
    Case(rfc6819.secret_entropy, IssuedSecret(CREATIO_SECRET[:32]), HELD, "32 hex: exactly 128 bits"),
    Case(rfc6819.secret_entropy, IssuedSecret(CREATIO_SECRET[:31]), VIOLATED, "31 hex: 124 bits"),
    Case(rfc6819.secret_entropy, IssuedSecret(CREATIO_SECRET[:16]), VIOLATED, "16 hex: 64 bits"),
    Case(rfc6819.secret_entropy, IssuedSecret(DOT_SECRET), HELD, "django-oauth-toolkit: 128 letters and digits"),
    Case(rfc6819.secret_entropy, IssuedSecret(DOT_SECRET[:22]), HELD, "22 letters and digits: 131 bits"),
    Case(rfc6819.secret_entropy, IssuedSecret(DOT_SECRET[:21]), VIOLATED, "21 letters and digits: 125 bits"),
    Case(rfc6819.secret_entropy, IssuedSecret(URLSAFE_SECRET), HELD, "base64url"),
    Case(rfc6819.secret_entropy, IssuedSecret("correct-horse-battery"), VIOLATED, "a passphrase"),
    Case(rfc6819.secret_entropy, IssuedSecret(""), VIOLATED, "empty"),
    # §5.1.2: the verified https exchange went through.
    Case(rfc6819.server_authenticated, VerifiedHttpsFetch(True, "E3"), HELD, "a document over verified https"),
    Case(rfc6819.server_authenticated, VerifiedHttpsFetch(False, "E3"), VIOLATED, "no document"),
    # §4.6.3: the signature verifies with the key the kid names.
    Case(rfc6819.tokens_unforgeable, with_keys(TOKEN), HELD, "RS256"),
    Case(rfc6819.tokens_unforgeable, with_keys(signed({"alg": "PS256"})), HELD, "PS256"),
    Case(rfc6819.tokens_unforgeable, with_keys(signed({"alg": "ES256", "kid": "ec1"}, EC), EC.as_dict(private=False)),
         HELD, "ES256"),
    Case(rfc6819.tokens_unforgeable, with_keys(TOKEN, {**PUBLIC, "kid": "other"}, PUBLIC), HELD,
         "the right key among others"),
    Case(rfc6819.tokens_unforgeable, with_keys(forge(TOKEN, "alg-none")), VIOLATED, "alg none"),
    Case(rfc6819.tokens_unforgeable, with_keys(forge(TOKEN, "hs256-confusion", rsa_public_pem(PUBLIC))), VIOLATED,
         "HS256 keyed with the public key"),
    Case(rfc6819.tokens_unforgeable, with_keys(forge(TOKEN, "tampered-payload")), VIOLATED, "tampered claims"),
    Case(rfc6819.tokens_unforgeable, with_keys(forge(TOKEN, "foreign-key")), VIOLATED, "signed by another key"),
    Case(rfc6819.tokens_unforgeable, with_keys(TOKEN, {**PUBLIC, "kid": "other"}), VIOLATED, "no key by that kid"),
    Case(rfc6819.tokens_unforgeable, with_keys(signed({"kid": None})), VIOLATED, "no kid, a key set with kids"),
    # §4.6.4: the token names an audience.
    Case(rfc6819.audience_bound, issued(), HELD, "one audience"),
    Case(rfc6819.audience_bound, issued(aud=["https://api.example.test"]), HELD, "a list of one"),
    Case(rfc6819.audience_bound, issued(aud=None), VIOLATED, "absent"),
    Case(rfc6819.audience_bound, issued(aud=[]), VIOLATED, "an empty list"),
    # §4.6.6: API data not stored by shared caches.
    Case(rfc6819.answers_not_cached, api(200, "no-store"), HELD, "no-store"),
    Case(rfc6819.answers_not_cached, api(200, "Private, max-age=0"), HELD, "private among others, any case"),
    Case(rfc6819.answers_not_cached, api(200, "no-cache"), VIOLATED, "no-cache alone lets caches store"),
    Case(rfc6819.answers_not_cached, api(200, "public, max-age=60"), VIOLATED, "public"),
    Case(rfc6819.answers_not_cached, api(200), VIOLATED, "no Cache-Control"),
    Case(rfc6819.answers_not_cached, api(401, "no-store"), VIOLATED, "not a data answer"),
    # §4.6.7: the refusal does not echo the token.
    Case(rfc6819.token_not_echoed, echo('{"error":"invalid_token"}'), HELD, "an error body"),
    Case(rfc6819.token_not_echoed, echo(f"unknown key {KID}"), HELD, "quoting the kid"),
    Case(rfc6819.token_not_echoed, echo(""), HELD, "an empty body"),
    Case(rfc6819.token_not_echoed, echo(f"token {TOKEN} is invalid"), VIOLATED, "the whole token"),
    Case(rfc6819.token_not_echoed, echo(f"bad signature {TOKEN.rsplit('.', 1)[1]}"), VIOLATED, "its signature"),
    Case(rfc6819.token_not_echoed, echo(f"claims {TOKEN.split('.')[1]}"), VIOLATED, "its payload"),
    Case(rfc6819.token_not_echoed, rfc6819.RefusedSecret(error_response(401), "wrong+secret/1"), HELD,
         "a refusal without the secret"),
    Case(rfc6819.token_not_echoed,
         rfc6819.RefusedSecret(response(401, json={"error": "invalid_client", "error_description": "wrong+secret/1"}),
                               "wrong+secret/1"), VIOLATED, "the secret in the description"),
    Case(rfc6819.token_not_echoed,
         rfc6819.RefusedSecret(response(401, json={"error": "invalid_client"},
                                        headers={"X-Debug": "wrong%2Bsecret%2F1"}), "wrong+secret/1"),
         VIOLATED, "the secret urlencoded in a header"),
    # §5.1.5.3: expires_in of ten minutes or less.
    Case(rfc6819.short_expiry, lifetime(600), HELD, "ten minutes"),
    Case(rfc6819.short_expiry, lifetime(300), HELD, "five minutes"),
    Case(rfc6819.short_expiry, lifetime(601), VIOLATED, "a second over"),
    Case(rfc6819.short_expiry, lifetime(3600), VIOLATED, "an hour"),
    Case(rfc6819.short_expiry, lifetime("600"), VIOLATED, "a string"),
    Case(rfc6819.short_expiry, lifetime(None), VIOLATED, "absent"),
    # §5.1.5.8: the client_id claim is the client's.
    Case(rfc6819.bound_to_client, of_client(issued()), HELD, "the client's id"),
    Case(rfc6819.bound_to_client, of_client(issued(client_id="Integration one")), VIOLATED,
         "the integration's name"),
    Case(rfc6819.bound_to_client, of_client(issued(client_id=None)), VIOLATED, "absent"),
    Case(rfc6819.bound_to_client, of_client(issued(), CLIENT_ID.lower()), VIOLATED, "ids compare exactly"),
]


CASES = controlled(CASES)


@cases_of(CASES)
def test_check(case: Case) -> None:
    assert_case(case)
