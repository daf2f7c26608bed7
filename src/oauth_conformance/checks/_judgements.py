"""Judgements that checks of several requirements share: one observation, one rule, one message.

Several requirements are decided by the same fact (a token issued, a refusal, a forged token turned
away); each keeps its own registered check, and each check delegates here so the rule exists once.
"""

from __future__ import annotations

import re

import httpx2

from oauth_conformance.checks._observations import (
    BesideControl,
    IssuedJwt,
    PlainHttpAnswer,
    PositiveControl,
    Refusal,
    TokenLifetime,
)
from oauth_conformance.checks._outcome import Outcome, judged, undecided
from oauth_conformance.checks._predicates import (
    describe_token_response,
    issued,
    plain_http_message,
    refused_with,
    served_in_clear,
)
from oauth_conformance.http import exchange_id, json_object

__all__ = [
    "audience_restricted",
    "beside_control",
    "forged_token_refused",
    "lifetime_at_most",
    "refusal_as_expected",
    "resource_not_plain",
    "token_endpoint_not_plain",
    "token_issued",
    "token_not_issued",
]


def token_issued(response: httpx2.Response) -> Outcome:
    return judged(issued(response), describe_token_response(response), [exchange_id(response)])


def beside_control(control: PositiveControl, decided: Outcome) -> Outcome:
    """``decided``, where the positive control held; else undecided, saying why."""
    if control.shown:
        return decided
    return undecided(
        f"no positive control: {control.what} got {control.answer}, so a refusal here proves nothing",
        [control.exchange],
    )


def token_not_issued(observed: BesideControl) -> Outcome:
    response = observed.response
    return beside_control(
        observed.control, judged(not issued(response), describe_token_response(response), [exchange_id(response)])
    )


def refusal_as_expected(refusal: Refusal) -> Outcome:
    response = refusal.response
    return beside_control(refusal.control, judged(
        refused_with(response, refusal.expected),
        f"expected {' or '.join(refusal.expected)}: {describe_token_response(response)}",
        [exchange_id(response)],
    ))


def forged_token_refused(observed: BesideControl) -> Outcome:
    response = observed.response
    return beside_control(
        observed.control, judged(response.status_code == 401, f"HTTP {response.status_code}", [exchange_id(response)])
    )


# OAuth errors that only an endpoint which authenticated the made-up client can give. invalid_request is
# left out: a server refusing plain http says so with it (Keycloak: 403 "HTTPS required").
_EVALUATED_ERRORS = frozenset({"invalid_client", "unauthorized_client", "invalid_grant", "invalid_scope",
                               "unsupported_grant_type"})


def token_endpoint_not_plain(answer: PlainHttpAnswer) -> Outcome:
    response = answer.response
    body = (json_object(response) or {}) if response is not None else {}
    # A token, or an error that shows the made-up credentials were checked, means it served the request.
    served = served_in_clear(response, "access_token" in body or body.get("error") in _EVALUATED_ERRORS)
    return judged(served is None, served or plain_http_message(response))


_EVALUATED_CHALLENGE = re.compile(r'error\s*=\s*"?invalid_token', re.IGNORECASE)


def resource_not_plain(answer: PlainHttpAnswer) -> Outcome:
    response = answer.response
    challenge = response.headers.get("www-authenticate", "") if response is not None else ""
    # A challenge calling the made-up token invalid shows the token was looked at over plain http.
    served = served_in_clear(response, bool(_EVALUATED_CHALLENGE.search(challenge)))
    return judged(served is None, served or plain_http_message(response))


def audience_restricted(jwt: IssuedJwt) -> Outcome:
    aud = jwt.claims.get("aud")
    ok = (isinstance(aud, str) and bool(aud)) or (isinstance(aud, list) and any(isinstance(a, str) and a for a in aud))
    return judged(ok, f"aud={aud!r}", [jwt.exchange])


def lifetime_at_most(lifetime: TokenLifetime) -> Outcome:
    """Held when ``expires_in`` is a positive number no greater than the limit."""
    expires_in = lifetime.expires_in
    ok = isinstance(expires_in, int | float) and 0 < expires_in <= lifetime.limit
    return judged(ok, f"expires_in={expires_in!r} (at most {lifetime.limit})", [lifetime.exchange])
