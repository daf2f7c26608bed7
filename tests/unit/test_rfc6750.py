"""The checks of ``checks/rfc6750.py`` on canned answers of the protected resource."""

from __future__ import annotations

from collections.abc import Mapping

import httpx2

from oauth_conformance.checks import PlainHttpAnswer, Status, TokenLifetime, rfc6750
from tests.unit.cases import Case, assert_case, cases_of, controlled, response
from tests.unit.jwts import issued

HELD, VIOLATED = Status.HELD, Status.VIOLATED

API = "https://api.example.test/0/odata/Contact"


def api(status: int, challenge: str | None = None, *, json: object = None,
        headers: Mapping[str, str] | None = None) -> httpx2.Response:
    """An answer of the protected resource, with ``challenge`` as its WWW-Authenticate header."""
    merged = dict(headers or {}) | ({"WWW-Authenticate": challenge} if challenge is not None else {})
    return response(status, json=json, headers=merged, method="GET", url=API)


def plain(status: int, challenge: str | None = None, *, json: object = None) -> PlainHttpAnswer:
    """What answered a made-up token over plain http."""
    return PlainHttpAnswer(api(status, challenge, json=json))


def lifetime(expires_in: object, limit: int = 3600) -> TokenLifetime:
    return TokenLifetime(expires_in, limit, "E1")


CASES = [
    # §2.1: a valid token in the Authorization header is served.
    Case(rfc6750.header_method_accepted, api(200, json={"value": []}), HELD, "200"),
    Case(rfc6750.header_method_accepted, api(204), HELD, "204"),
    Case(rfc6750.header_method_accepted, api(401, 'Bearer error="invalid_token"'), VIOLATED, "401"),
    Case(rfc6750.header_method_accepted, api(302, headers={"Location": "/login"}), VIOLATED, "a redirect to a login"),
    # §3: 401 with a Bearer challenge.
    Case(rfc6750.unauthorized_challenged, api(401, 'Bearer realm="api"'), HELD, "Bearer realm"),
    Case(rfc6750.unauthorized_challenged, api(401, 'DPoP algs="ES256", Bearer realm="api"'), HELD,
         "a DPoP challenge listed first (RFC 9110 §11.6.1)"),
    Case(rfc6750.unauthorized_challenged, api(401, "bearer"), HELD, "the scheme is case-insensitive"),
    Case(rfc6750.unauthorized_challenged, api(401), VIOLATED, "401 without a challenge (Creatio)"),
    Case(rfc6750.unauthorized_challenged, api(401, 'Basic realm="api"'), VIOLATED, "a Basic challenge"),
    Case(rfc6750.unauthorized_challenged, api(403, 'Bearer realm="api"'), VIOLATED, "403"),
    # §3.1: no credentials, no error code.
    Case(rfc6750.challenge_without_error, api(401, 'Bearer realm="api"'), HELD, "realm only"),
    Case(rfc6750.challenge_without_error, api(401, 'Bearer realm="api", scope="read"'), HELD, "with a scope"),
    Case(rfc6750.challenge_without_error, api(401, "Bearer"), HELD, "the bare scheme"),
    Case(rfc6750.challenge_without_error, api(401, 'Bearer error="invalid_request"'), VIOLATED, "an error code"),
    Case(rfc6750.challenge_without_error, api(401, "Bearer realm=api, error=invalid_token"), VIOLATED,
         "an unquoted error code"),
    Case(rfc6750.challenge_without_error, api(401), VIOLATED, "no challenge at all"),
    # §3.1: a malformed token gets 401 invalid_token.
    Case(rfc6750.invalid_token, api(401, 'Bearer error="invalid_token"'), HELD, "invalid_token"),
    Case(rfc6750.invalid_token, api(401, 'DPoP algs="ES256", Bearer error="invalid_token"'), HELD,
         "behind a DPoP challenge"),
    Case(rfc6750.invalid_token, api(401, 'DPoP error="invalid_token", Bearer realm="api"'), VIOLATED,
         "the error is the DPoP challenge's, not the Bearer one's"),
    Case(rfc6750.invalid_token, api(401, 'Bearer realm="api", error=invalid_token, error_description="bad"'), HELD,
         "unquoted, among other params"),
    Case(rfc6750.invalid_token, api(401, 'Bearer realm="api"'), VIOLATED, "no error code"),
    Case(rfc6750.invalid_token, api(401), VIOLATED, "no challenge"),
    Case(rfc6750.invalid_token, api(400, 'Bearer error="invalid_token"'), VIOLATED, "400"),
    Case(rfc6750.invalid_token, api(401, 'Bearer error="invalid_request"'), VIOLATED, "another error code"),
    # §3.1: a malformed request gets 400 invalid_request, in the challenge or a JSON body.
    Case(rfc6750.invalid_request, api(400, 'Bearer error="invalid_request"'), HELD, "in the challenge"),
    Case(rfc6750.invalid_request, api(400, json={"error": "invalid_request"}), HELD, "in a JSON body"),
    Case(rfc6750.invalid_request, api(400, 'Bearer realm="api"', json={"error": "invalid_request"}), HELD,
         "challenge without an error, body with it"),
    Case(rfc6750.invalid_request, api(400, 'Bearer error="invalid_token"', json={"error": "invalid_request"}),
         VIOLATED, "the challenge's error counts first"),
    Case(rfc6750.invalid_request, api(401, 'Bearer error="invalid_request"'), VIOLATED, "401"),
    Case(rfc6750.invalid_request, api(400), VIOLATED, "400 without an error code"),
    Case(rfc6750.invalid_request, api(401), VIOLATED, "401 with an empty body (Creatio)"),
    # §2: header and query at once get 400 invalid_request.
    Case(rfc6750.one_method_only, api(400, 'Bearer error="invalid_request"'), HELD, "in the challenge"),
    Case(rfc6750.one_method_only, api(400, json={"error": "invalid_request"}), HELD, "in a JSON body"),
    Case(rfc6750.one_method_only, api(200, json={"value": []}), VIOLATED, "served"),
    Case(rfc6750.one_method_only, api(401, 'Bearer error="invalid_token"'), VIOLATED, "401 invalid_token"),
    # §2.3: a token in the query alone is not served.
    Case(rfc6750.query_method_refused, api(401, 'Bearer realm="api"'), HELD, "401"),
    Case(rfc6750.query_method_refused, api(400, 'Bearer error="invalid_request"'), HELD, "400"),
    Case(rfc6750.query_method_refused, api(200, json={"value": []}), VIOLATED, "served"),
    Case(rfc6750.query_method_refused, api(204), VIOLATED, "204"),
    # §3.1: a valid token beyond its privileges gets 403 insufficient_scope.
    Case(rfc6750.insufficient_scope, api(403, 'Bearer error="insufficient_scope", scope="Contact"'), HELD,
         "with the scope needed"),
    Case(rfc6750.insufficient_scope, api(403, "Bearer error=insufficient_scope"), HELD, "unquoted"),
    Case(rfc6750.insufficient_scope, api(403), VIOLATED, "403 without a challenge"),
    Case(rfc6750.insufficient_scope, api(401, 'Bearer error="insufficient_scope"'), VIOLATED, "401"),
    Case(rfc6750.insufficient_scope, api(404), VIOLATED, "404: hidden, not refused"),
    # §5.3: expires_in a positive number of at most the limit.
    Case(rfc6750.short_lived, lifetime(3600), HELD, "an hour"),
    Case(rfc6750.short_lived, lifetime(300), HELD, "five minutes"),
    Case(rfc6750.short_lived, lifetime(3600.0), HELD, "a float"),
    Case(rfc6750.short_lived, lifetime(3601), VIOLATED, "a second over"),
    Case(rfc6750.short_lived, lifetime(86400), VIOLATED, "a day"),
    Case(rfc6750.short_lived, lifetime("3600"), VIOLATED, "a string"),
    Case(rfc6750.short_lived, lifetime(None), VIOLATED, "absent"),
    Case(rfc6750.short_lived, lifetime(0), VIOLATED, "zero"),
    Case(rfc6750.short_lived, lifetime(-60), VIOLATED, "negative"),
    # §5.3: the token names an audience.
    Case(rfc6750.audience_scoped, issued(), HELD, "one audience"),
    Case(rfc6750.audience_scoped, issued(aud=["https://api.example.test", "https://b.example.test"]), HELD,
         "two audiences"),
    Case(rfc6750.audience_scoped, issued(aud=None), VIOLATED, "absent"),
    Case(rfc6750.audience_scoped, issued(aud=""), VIOLATED, "empty"),
    Case(rfc6750.audience_scoped, issued(aud=[""]), VIOLATED, "a list of an empty string"),
    # §5.3: a made-up token over plain http is not served, nor evaluated.
    Case(rfc6750.resource_requires_tls, PlainHttpAnswer(None), HELD, "nothing listens"),
    Case(rfc6750.resource_requires_tls, plain(301), HELD, "a redirect to https"),
    Case(rfc6750.resource_requires_tls, plain(400, json={"error": "invalid_request"}), HELD,
         "plain http refused as such"),
    Case(rfc6750.resource_requires_tls, plain(401, 'Bearer realm="api"'), HELD, "a challenge that judges nothing"),
    Case(rfc6750.resource_requires_tls, plain(200, json={"value": []}), VIOLATED, "served"),
    Case(rfc6750.resource_requires_tls, plain(401, 'Bearer error="invalid_token"'), VIOLATED,
         "the made-up token was evaluated"),
    Case(rfc6750.resource_requires_tls, plain(401, "Bearer error = invalid_token"), VIOLATED,
         "evaluated, however spaced"),
]


CASES = controlled(CASES)


@cases_of(CASES)
def test_check(case: Case) -> None:
    assert_case(case)
