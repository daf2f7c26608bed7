"""Checks of RFC 6750, Bearer Token Usage, at the protected resource
(https://www.rfc-editor.org/rfc/rfc6750)."""

from __future__ import annotations

import httpx2

from oauth_conformance.checks._judgements import (
    audience_restricted,
    beside_control,
    lifetime_at_most,
    resource_not_plain,
)
from oauth_conformance.checks._observations import BesideControl, IssuedJwt, PlainHttpAnswer, TokenLifetime
from oauth_conformance.checks._outcome import Outcome, judged
from oauth_conformance.checks._predicates import challenge, challenge_error, error_code, scheme_challenge
from oauth_conformance.checks._registry import Family, check
from oauth_conformance.http import exchange_id

__all__ = [
    "audience_scoped",
    "challenge_without_error",
    "header_method_accepted",
    "insufficient_scope",
    "invalid_request",
    "invalid_token",
    "one_method_only",
    "query_method_refused",
    "resource_requires_tls",
    "short_lived",
    "unauthorized_challenged",
]


def _is_2xx(response: httpx2.Response) -> bool:
    return 200 <= response.status_code < 300


def _bearer_challenge(response: httpx2.Response) -> bool:
    return scheme_challenge(response, "bearer") is not None


def _answer(response: httpx2.Response) -> str:
    return f"HTTP {response.status_code}, WWW-Authenticate: {challenge(response)!r}"


@check("RFC6750-2.1-header")
def header_method_accepted(response: httpx2.Response) -> Outcome:
    """Holds when the protected resource answers 2xx to a valid token sent as ``Authorization: Bearer
    <token>``. RFC 6750 §2.1: "Resource servers MUST support this method."
    """
    return judged(_is_2xx(response), f"HTTP {response.status_code}", [exchange_id(response)])


@check("RFC6750-3-www-auth")
def unauthorized_challenged(observed: BesideControl) -> Outcome:
    """Holds when a request without credentials gets 401 with a ``WWW-Authenticate`` challenge of the
    Bearer scheme (any case). RFC 6750 §3: "If the protected resource request does not include
    authentication credentials [...] the resource server MUST include the HTTP "WWW-Authenticate"
    response header field"; "All challenges defined by this specification MUST use the auth-scheme
    value "Bearer"."
    """
    response = observed.response
    ok = response.status_code == 401 and _bearer_challenge(response)
    return beside_control(observed.control, judged(ok, _answer(response), [exchange_id(response)]))


@check("RFC6750-3.1-no-auth-no-error")
def challenge_without_error(observed: BesideControl) -> Outcome:
    """Holds when the answer to a request without credentials carries a Bearer challenge (among any
    others, in any order: RFC 9110 §11.6.1) and that challenge has no ``error`` auth-param (``Bearer
    realm="..."``, a scope and the like are fine); no Bearer challenge at all violates it too. RFC 6750
    §3.1: "If the request lacks any authentication information [...], the resource server SHOULD NOT
    include an error code or other error information."
    """
    response = observed.response
    value = challenge(response)
    ok = _bearer_challenge(response) and challenge_error(response) is None
    return beside_control(observed.control, judged(ok, f"WWW-Authenticate: {value!r}", [exchange_id(response)]))


@check("RFC6750-3.1-invalid-token")
def invalid_token(observed: BesideControl) -> Outcome:
    """Holds when a malformed token gets 401 with a Bearer challenge whose ``error`` is
    ``invalid_token``. RFC 6750 §3.1: "invalid_token: The access token provided is expired, revoked,
    malformed, or invalid for other reasons. The resource SHOULD respond with the HTTP 401
    (Unauthorized) status code."
    """
    response = observed.response
    ok = response.status_code == 401 and _bearer_challenge(response) and challenge_error(response) == "invalid_token"
    return beside_control(observed.control, judged(ok, _answer(response), [exchange_id(response)]))


def _refused_invalid_request(response: httpx2.Response) -> Outcome:
    # The challenge's error counts first; without one, the JSON body's error member.
    error = challenge_error(response) or error_code(response)
    return judged(
        response.status_code == 400 and error == "invalid_request",
        f"HTTP {response.status_code}, error {error!r}, WWW-Authenticate: {challenge(response)!r}",
        [exchange_id(response)],
    )


@check("RFC6750-3.1-invalid-request", Family.BEARER_INVALID_REQUEST)
def invalid_request(observed: BesideControl) -> Outcome:
    """Holds when a malformed request (the Bearer scheme with no token) gets 400 with error
    ``invalid_request``, named in the challenge or, without a challenge error, in a JSON body. RFC 6750
    §3.1: "invalid_request: The request is missing a required parameter, includes an unsupported
    parameter or parameter value, repeats the same parameter, uses more than one method for including
    an access token, or is otherwise malformed. The resource server SHOULD respond with the HTTP 400
    (Bad Request) status code."
    """
    response = observed.response
    return beside_control(observed.control, _refused_invalid_request(response))


@check("RFC6750-2-one-method", Family.BEARER_INVALID_REQUEST)
def one_method_only(observed: BesideControl) -> Outcome:
    """Holds when a request carrying the token in the header and the query at once gets 400 with error
    ``invalid_request`` (in the challenge or a JSON body). RFC 6750 §2: "Clients MUST NOT use more than
    one method to transmit the token in each request", a rule for the client; §3.1 names the server's
    answer, at SHOULD: invalid_request for a request that "uses more than one method for including an
    access token", and "The resource server SHOULD respond with the HTTP 400 (Bad Request) status
    code". A server that serves such a request is therefore a WARN, not a FAIL.
    """
    response = observed.response
    return beside_control(observed.control, _refused_invalid_request(response))


@check("RFC6750-2.3-query")
def query_method_refused(observed: BesideControl) -> Outcome:
    """Holds when a token sent only in the URI query (``?access_token=``) is not served 2xx. RFC 6750
    §2.3: because URLs carrying the token are likely to be logged, the query method "SHOULD NOT be used
    unless it is impossible to transport the access token in the "Authorization" request header field
    or the HTTP request entity-body."
    """
    response = observed.response
    answer = judged(not _is_2xx(response), f"HTTP {response.status_code}", [exchange_id(response)])
    return beside_control(observed.control, answer)


@check("RFC6750-3.1-insufficient-scope")
def insufficient_scope(observed: BesideControl) -> Outcome:
    """Holds when a valid token used on a resource it does not grant gets 403 with a challenge whose
    ``error`` is ``insufficient_scope``. RFC 6750 §3.1: "insufficient_scope: The request requires higher
    privileges than provided by the access token. The resource server SHOULD respond with the HTTP 403
    (Forbidden) status code."
    """
    response = observed.response
    ok = response.status_code == 403 and challenge_error(response) == "insufficient_scope"
    return beside_control(observed.control, judged(ok, _answer(response), [exchange_id(response)]))


@check("RFC6750-5.3-short-lived", Family.TOKEN_LIFETIME)
def short_lived(lifetime: TokenLifetime) -> Outcome:
    """Holds when the token response's ``expires_in`` is a number above 0 and at most the scenario's
    limit (3600 seconds); absent, a string or 0 violates it. RFC 6750 §5.3: "Token servers SHOULD issue
    short-lived (one hour or less) bearer tokens".
    """
    return lifetime_at_most(lifetime)


@check("RFC6750-5.3-audience", Family.JWT_AUDIENCE)
def audience_scoped(jwt: IssuedJwt) -> Outcome:
    """Holds when the JWT access token's ``aud`` is a non-empty string or a list with a non-empty
    string. RFC 6750 §5.3: "Token servers SHOULD issue bearer tokens that contain an audience
    restriction, scoping their use to the intended relying party or set of relying parties."
    """
    return audience_restricted(jwt)


@check("RFC6750-5.3-tls")
def resource_requires_tls(answer: PlainHttpAnswer) -> Outcome:
    """Holds when a made-up token sent to the protected resource over plain http is not served: nothing
    listens, a redirect, or a refusal of plain http as such. A 2xx, or a challenge calling the made-up
    token ``invalid_token`` (it was evaluated in the clear), violates it. RFC 6750 §5.3: "Clients MUST
    always use TLS [RFC5246] (https) or equivalent transport security when making requests with bearer
    tokens."
    """
    return resource_not_plain(answer)
