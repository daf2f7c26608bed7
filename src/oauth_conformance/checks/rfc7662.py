"""Checks of RFC 7662, OAuth 2.0 Token Introspection, where the server advertises the endpoint
(https://www.rfc-editor.org/rfc/rfc7662)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx2

from oauth_conformance.checks._judgements import beside_control
from oauth_conformance.checks._observations import BesideControl
from oauth_conformance.checks._outcome import Outcome, judged
from oauth_conformance.checks._predicates import error_code
from oauth_conformance.checks._registry import check
from oauth_conformance.http import exchange_id, json_object

__all__ = [
    "OwnIntrospection",
    "bad_credentials_refused",
    "fresh_token_active",
    "get_reveals_nothing",
    "inactive_minimal",
    "revoked_token_inactive",
    "unauthenticated_refused",
]

# Members that only an answer about the token itself carries: a refusal must show neither.
_TOKEN_METADATA = ("active", "client_id")


@dataclass(frozen=True)
class OwnIntrospection:
    """The client's introspection of a token it was just issued, beside that client's id, the token
    response's scope, and the token's own ``exp`` where it is a JWT (the server's clock, so exact)."""

    response: httpx2.Response
    client_id: str
    granted_scope: str | None = None
    token_exp: int | None = None


def _reveals_nothing(body: dict[str, object]) -> bool:
    return not any(member in body for member in _TOKEN_METADATA)


@check("RFC7662-2.1-post")
def get_reveals_nothing(observed: BesideControl) -> Outcome:
    """Holds when an unauthenticated GET with the token in the query does not answer it active (any
    refusal, or an answer without ``active: true``). RFC 7662 §2.1: "The protected resource calls the
    introspection endpoint using an HTTP POST [RFC7231] request with parameters sent as
    "application/x-www-form-urlencoded" data"; an endpoint that tells a GET about the token serves a
    request the specification does not define, with the token in a URL that logs keep. It counts
    only where the client's own POST introspection of a fresh token answers active (the control).
    """
    response = observed.response
    body = json_object(response) or {}
    return beside_control(observed.control, judged(
        not (response.status_code == 200 and body.get("active") is True),
        f"GET: HTTP {response.status_code}, active={body.get('active')!r}",
        [exchange_id(response)],
    ))


# RFC 6749 §5.2 codes for a request without (usable) client authentication, answered with 400.
_MISSING_AUTHENTICATION = frozenset({"invalid_request", "invalid_client"})


@check("RFC7662-2.1-authz")
def unauthenticated_refused(observed: BesideControl) -> Outcome:
    """Holds when an introspection request without client authentication is refused and its body has
    neither ``active`` nor ``client_id``: with 401 or 403, or with 400 and the error ``invalid_request``
    or ``invalid_client``. RFC 7662 §2.1: "To prevent token scanning attacks, the endpoint MUST also
    require some form of authorization to access this endpoint"; it names no status for a caller that
    presents none (§2.3 fixes 401 only for invalid client credentials), and an endpoint that
    authenticates callers as RFC 6749 clients may answer as RFC 6749 §5.2 does: 400 with
    "invalid_request: The request is missing a required parameter" or "invalid_client: Client
    authentication failed (e.g., [...] no client authentication included". It counts only where the
    client's own introspection of a fresh token answers active (the control).
    """
    response = observed.response
    body = json_object(response) or {}
    status = response.status_code
    refused = status in (401, 403) or (status == 400 and error_code(response) in _MISSING_AUTHENTICATION)
    return beside_control(observed.control, judged(
        refused and _reveals_nothing(body),
        f"HTTP {status}, members: {sorted(body) or 'none'}",
        [exchange_id(response)],
    ))


@check("RFC7662-2.3-bad-creds")
def bad_credentials_refused(observed: BesideControl) -> Outcome:
    """Holds when an introspection request with a wrong client secret is refused with 401 (403 does not
    do) and its body has neither ``active`` nor ``client_id``. RFC 7662 §2.3: "If the protected resource
    uses OAuth 2.0 client credentials to authenticate to the introspection endpoint and its credentials
    are invalid, the authorization server responds with an HTTP 401 (Unauthorized) as described in
    Section 5.2 of OAuth 2.0 [RFC6749]." It counts only where the client's own introspection with
    its right secret answers a fresh token active (the control).
    """
    response = observed.response
    body = json_object(response) or {}
    return beside_control(observed.control, judged(
        response.status_code == 401 and _reveals_nothing(body),
        f"HTTP {response.status_code}, members: {sorted(body) or 'none'}",
        [exchange_id(response)],
    ))


@check("RFC7662-2.2-active")
def fresh_token_active(observed: OwnIntrospection) -> Outcome:
    """Holds when the client's own fresh token is answered HTTP 200 with ``active: true`` (the JSON
    boolean, not the string), and the metadata it gives, where it gives it, is the token's: ``client_id``
    the client's, ``scope`` the scope the token response granted (the same names, in any order: RFC 6749
    §3.3), ``exp`` the token's own ``exp`` where the token is a JWT. RFC 7662 §2.2: "active REQUIRED.
    Boolean indicator of whether or not the presented token is currently active"; "client_id OPTIONAL.
    Client identifier for the OAuth 2.0 client that requested this token"; "scope OPTIONAL. A JSON
    string containing a space-separated list of scopes associated with this token"; "exp OPTIONAL.
    Integer timestamp [...] indicating when this token will expire". Members the other side does not
    give are not compared.
    """
    response = observed.response
    body = json_object(response) or {}
    client_id, scope, exp = body.get("client_id"), body.get("scope"), body.get("exp")
    scope_agrees = (scope is None or observed.granted_scope is None
                    or (isinstance(scope, str) and set(scope.split()) == set(observed.granted_scope.split())))
    exp_agrees = exp is None or observed.token_exp is None or exp == observed.token_exp
    ok = (response.status_code == 200 and body.get("active") is True and client_id in (None, observed.client_id)
          and scope_agrees and exp_agrees)
    return judged(
        ok,
        f"HTTP {response.status_code}, active={body.get('active')!r}, client_id "
        f"{'matches' if client_id == observed.client_id else repr(client_id)}, scope {scope!r} "
        f"(granted {observed.granted_scope!r}), exp {exp!r} (the token's {observed.token_exp!r})",
        [exchange_id(response)],
    )


@check("RFC7662-2.2-revoked-inactive")
def revoked_token_inactive(observed: BesideControl) -> Outcome:
    """Holds when a token its client revoked (the revocation answered 200) is introspected HTTP 200
    with ``active: false``. RFC 7009 §2.1: "the token cannot be used again after the revocation";
    RFC 7662 §4: "the authorization server MUST determine whether or not the token has been revoked"
    and §2.2: a token that is not active gets "an introspection response with the "active" field set to
    "false"". It counts only where the same caller's introspection of an untouched fresh token answers
    active (the control): an endpoint that says inactive to everything proves nothing.
    """
    response = observed.response
    body = json_object(response) or {}
    return beside_control(observed.control, judged(
        response.status_code == 200 and body.get("active") is False,
        f"after the revocation: HTTP {response.status_code}, active={body.get('active')!r}",
        [exchange_id(response)],
    ))


@check("RFC7662-2.2-inactive-minimal")
def inactive_minimal(response: httpx2.Response) -> Outcome:
    """Holds when a token the server never issued is answered HTTP 200 with exactly ``{"active": false}``.
    RFC 7662 §2.2: "If the introspection call is properly authorized but the token is not active, does
    not exist on this server, [...] the authorization server MUST return an introspection response with
    the "active" field set to "false"", and it "SHOULD NOT include any additional information about an
    inactive token, including why the token is inactive."
    """
    body = json_object(response)
    return judged(
        response.status_code == 200 and body == {"active": False},
        f"HTTP {response.status_code}, body members: {sorted(body) if body else 'none'}",
        [exchange_id(response)],
    )
