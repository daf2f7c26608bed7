"""Checks of RFC 6749, the OAuth 2.0 Authorization Framework: the token endpoint and the client
credentials grant (https://www.rfc-editor.org/rfc/rfc6749)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import assert_never

import httpx2

from oauth_conformance.checks._judgements import (
    beside_control,
    forged_token_refused,
    refusal_as_expected,
    token_endpoint_not_plain,
    token_issued,
    token_not_issued,
)
from oauth_conformance.checks._observations import (
    BesideControl,
    MetadataDocument,
    PlainHttpAnswer,
    PositiveControl,
    Refusal,
)
from oauth_conformance.checks._outcome import Outcome, judged, violated
from oauth_conformance.checks._predicates import (
    challenge,
    describe_token_response,
    directives,
    entropy_bits,
    error_code,
    issued,
    media_type,
    scheme_challenge,
)
from oauth_conformance.checks._registry import Family, check
from oauth_conformance.http import exchange_id, json_object
from oauth_conformance.redaction import RedactedRepr

__all__ = [
    "REGISTERED_ERRORS",
    "CredentialRefusals",
    "NoToken",
    "ScopeRequest",
    "TokenPair",
    "authentication_required",
    "basic_authentication_supported",
    "basic_credentials_urldecoded",
    "body_credentials_supported",
    "client_credentials_confidential_only",
    "credentials_not_in_uri",
    "default_scope_applied",
    "duplicate_parameter_refused",
    "empty_parameter_omitted",
    "empty_secret_only_omitted",
    "error_response_shape",
    "grant_type_errors",
    "invalid_client_basic_401",
    "no_cleartext_endpoints",
    "no_client_enumeration",
    "no_refresh_token",
    "no_store",
    "post_only",
    "pragma_no_cache",
    "resource_server_validates",
    "scope_echoed",
    "single_authentication_method",
    "token_endpoint_requires_tls",
    "token_response_fields",
    "token_response_json",
    "tokens_unguessable",
    "unknown_client_refused",
    "unknown_parameters_ignored",
]

# RFC 6749 §5.2 error codes of the token endpoint (invalid_token and the like are RFC 6750's, not these).
REGISTERED_ERRORS = frozenset(
    {"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type",
     "invalid_scope"}
)
# §5.2: error, error_description and error_uri use the characters %x20-21 / %x23-5B / %x5D-7E only.
_ERROR_CHARSET = re.compile(r"[\x20-\x21\x23-\x5B\x5D-\x7E]*")
# §10.10: the probability of guessing a token MUST be at most 2^-128.
_MIN_TOKEN_BITS = 128


@dataclass(frozen=True, repr=False)
class CredentialRefusals(RedactedRepr):
    """The token endpoint's answers to the client's id with a wrong secret and to an unknown client id,
    beside the endpoint's positive control."""

    wrong_secret: httpx2.Response
    unknown_client: httpx2.Response
    control: PositiveControl


@dataclass(frozen=True, repr=False)
class TokenPair(RedactedRepr):
    """The token endpoint's answers to two token requests of the same client, one after the other."""

    first: httpx2.Response
    second: httpx2.Response


@dataclass(frozen=True, repr=False)
class NoToken(RedactedRepr):
    """A token request's answer that must carry no token, whatever error it is refused with, beside the
    endpoint's positive control (an input variant whose only promise is "no token": any refusal will do,
    and the error code is RFC6749-5.2-error-shape's to judge)."""

    response: httpx2.Response
    control: PositiveControl


def _refused(observed: Refusal | NoToken) -> Outcome:
    """A Refusal must carry one of its expected codes; a NoToken only no token."""
    match observed:
        case Refusal():
            return refusal_as_expected(observed)
        case NoToken(response=response, control=control):
            return token_not_issued(BesideControl(response, control))
        case _:
            assert_never(observed)


@dataclass(frozen=True)
class ScopeRequest:
    """The token endpoint's answer to a request for a scope the client may not have, and that scope."""

    response: httpx2.Response
    # The scope value the request asked for, as sent.
    requested: str


@check("RFC6749-2.3.1-basic", Family.TOKEN_ISSUED)
def basic_authentication_supported(response: httpx2.Response) -> Outcome:
    """Holds when the token request authenticated with HTTP Basic obtained a token. RFC 6749 §2.3.1:
    "The authorization server MUST support the HTTP Basic authentication scheme for authenticating
    clients that were issued a client password."
    """
    return token_issued(response)


@check("RFC6749-5.1-pragma")
def pragma_no_cache(response: httpx2.Response) -> Outcome:
    """Holds when the token response carries ``Pragma: no-cache`` (other directives beside it are
    fine). RFC 6749 §5.1: "The authorization server MUST include [...] the "Pragma" response header
    field [RFC2616] with a value of "no-cache"."
    """
    value = response.headers.get("pragma", "")
    return judged("no-cache" in directives(value), f"Pragma: {value!r}", [exchange_id(response)])


@check("RFC6749-7-rs-validate", Family.FORGED_TOKEN_REFUSED)
def resource_server_validates(observed: BesideControl) -> Outcome:
    """Holds when the protected resource answers a forged access token with 401. RFC 6749 §7: "The
    resource server MUST validate the access token and ensure that it has not expired and that its
    scope covers the requested resource"; a token the issuer did not sign is not valid, and RFC 6750
    §3.1 gives 401 for an invalid token.
    """
    return forged_token_refused(observed)


@check("RFC6749-3.3-default-scope")
def default_scope_applied(response: httpx2.Response) -> Outcome:
    """Holds when a token request without a scope obtains a token (a default scope applied) or is
    refused with ``invalid_scope``. RFC 6749 §3.3: "If the client omits the scope parameter when
    requesting authorization, the authorization server MUST either process the request using a
    pre-defined default value or fail the request indicating an invalid scope."
    """
    body = json_object(response) or {}
    granted = issued(response)
    message = f"token issued, scope {body.get('scope')!r}" if granted else f"HTTP {response.status_code} {body}"
    return judged(granted or body.get("error") == "invalid_scope", message, [exchange_id(response)])


@check("RFC6749-3.2-tls", Family.PLAIN_HTTP_TOKEN_ENDPOINT)
def token_endpoint_requires_tls(answer: PlainHttpAnswer) -> Outcome:
    """Holds when made-up credentials sent to the token endpoint over plain http are not served:
    nothing listens, a redirect, or a refusal of plain http as such. A token, or an OAuth error that
    shows the credentials were evaluated, violates it. RFC 6749 §3.2: "the authorization server MUST
    require the use of TLS [...] when sending requests to the token endpoint."
    """
    return token_endpoint_not_plain(answer)


@check("RFC6749-10.8-no-cleartext")
def no_cleartext_endpoints(metadata: MetadataDocument) -> Outcome:
    """Holds when no ``*_endpoint`` or ``*_uri`` member of the metadata is an ``http://`` URL. RFC 6749
    §10.8: "the authorization server MUST require the use of TLS [...] when sending requests" with
    credentials, so no advertised endpoint may lead a client to send them in the clear.
    """
    plain = [
        name for name, value in metadata.body.items()
        if name.endswith(("_endpoint", "_uri")) and isinstance(value, str) and value.startswith("http://")
    ]
    return judged(not plain, f"plain http endpoints: {plain or 'none'}", [metadata.exchange])


# -- the token response (§5.1, §4.4.3) ------------------------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@check("RFC6749-5.1-fields")
def token_response_fields(response: httpx2.Response) -> Outcome:
    """Holds when a token was issued (HTTP 200, a JSON object with a non-empty string ``access_token``)
    whose ``token_type`` is Bearer in any letter case, and whose ``expires_in``, if present, is a JSON
    number. RFC 6749 §5.1: the server answers "with a 200 (OK) status code": ``access_token``
    "REQUIRED", ``token_type`` "REQUIRED [...] Value is case insensitive", ``expires_in``
    "RECOMMENDED. The lifetime in seconds of the access token" (Appendix A.14: digits, so a string
    "3600" is not one, and neither is true).
    """
    if not issued(response):
        return violated(describe_token_response(response), [exchange_id(response)])
    body = json_object(response) or {}
    token_type = body.get("token_type")
    expires_in = body.get("expires_in")
    bearer = isinstance(token_type, str) and token_type.lower() == "bearer"
    ok = bearer and (expires_in is None or _is_number(expires_in))
    return judged(
        ok,
        f"token_type={token_type!r}, expires_in={expires_in!r} ({type(expires_in).__name__})",
        [exchange_id(response)],
    )


@check("RFC6749-5.1-content-type")
def token_response_json(response: httpx2.Response) -> Outcome:
    """Holds when the token response's media type is ``application/json`` (parameters such as
    ``charset=utf-8`` beside it are fine). RFC 6749 §5.1: "The parameters are included in the
    entity-body of the HTTP response using the "application/json" media type as defined by [RFC4627]."
    """
    return judged(
        media_type(response) == "application/json",
        f"Content-Type: {response.headers.get('content-type')!r}",
        [exchange_id(response)],
    )


@check("RFC6749-5.1-no-store")
def no_store(response: httpx2.Response) -> Outcome:
    """Holds when the token response carries ``Cache-Control: no-store`` (other directives beside it,
    such as ``no-cache`` or ``private``, are fine; ``no-cache`` alone is not). RFC 6749 §5.1: "The
    authorization server MUST include the HTTP "Cache-Control" response header field [RFC2616] with a
    value of "no-store" in any response containing tokens, credentials, or other sensitive information".
    """
    value = response.headers.get("cache-control", "")
    return judged("no-store" in directives(value), f"Cache-Control: {value!r}", [exchange_id(response)])


@check("RFC6749-4.4.3-no-refresh")
def no_refresh_token(response: httpx2.Response) -> Outcome:
    """Holds when the client credentials token response has no ``refresh_token`` member. RFC 6749
    §4.4.3: "A refresh token SHOULD NOT be included."
    """
    body = json_object(response) or {}
    present = "refresh_token" in body
    return judged(not present, "refresh_token present" if present else "no refresh_token", [exchange_id(response)])


# -- client authentication and the request (§2.3, §3.2, §4.4): a token issued, or none --------------


@check("RFC6749-2.3.1-post", Family.TOKEN_ISSUED)
def body_credentials_supported(response: httpx2.Response) -> Outcome:
    """Holds when the token request with ``client_id`` and ``client_secret`` in the form body obtained
    a token. RFC 6749 §2.3.1: "Alternatively, the authorization server MAY support including the client
    credentials in the request-body"; a server that does not is reported at this MAY's level.
    """
    return token_issued(response)


@check("RFC6749-2.3.1-basic-urlencode")
def basic_credentials_urldecoded(observed: BesideControl) -> Outcome:
    """Holds when a client whose id and secret hold characters that form-urlencoding changes obtains a
    token with HTTP Basic credentials it form-urlencoded before base64. RFC 6749 §2.3.1: "The client
    identifier is encoded using the "application/x-www-form-urlencoded" encoding algorithm per Appendix
    B, and the encoded value is used as the username; the client password is encoded using the same
    algorithm and used as the password." It counts only where the same client's wrong secret was
    refused (the control): a server that accepts any secret issues a token whatever the encoding.
    """
    return beside_control(observed.control, token_issued(observed.response))


@check("RFC6749-3.2-ignore-unknown", Family.TOKEN_ISSUED)
def unknown_parameters_ignored(response: httpx2.Response) -> Outcome:
    """Holds when a valid token request with an extra, unregistered parameter still obtains a token.
    RFC 6749 §3.2: "The authorization server MUST ignore unrecognized request parameters."
    """
    return token_issued(response)


@check("RFC6749-3.2-empty-param", Family.TOKEN_ISSUED)
def empty_parameter_omitted(response: httpx2.Response) -> Outcome:
    """Holds when a valid token request with an empty ``scope`` parameter obtains a token, as the same
    request without it does. RFC 6749 §3.2: "Parameters sent without a value MUST be treated as if they
    were omitted from the request."
    """
    return token_issued(response)


@check("RFC6749-2.3.1-not-in-uri", Family.TOKEN_NOT_ISSUED)
def credentials_not_in_uri(observed: BesideControl) -> Outcome:
    """Holds when a token request carrying its client credentials in the query string only obtains no
    token (any refusal will do). RFC 6749 §2.3.1: "The parameters can only be transmitted in the
    request-body and MUST NOT be included in the request URI."
    """
    return token_not_issued(observed)


@check("RFC6749-3.2-post", Family.TOKEN_NOT_ISSUED)
def post_only(observed: BesideControl) -> Outcome:
    """Holds when a token request sent with GET obtains no token (405, 400 or any other refusal).
    RFC 6749 §3.2: "The client MUST use the HTTP "POST" method when making access token requests"; the
    rule binds the client, so a server that serves GET is reported at SHOULD level.
    """
    return token_not_issued(observed)


@check("RFC6749-2.3-single-method", Family.TOKEN_NOT_ISSUED)
def single_authentication_method(observed: BesideControl) -> Outcome:
    """Holds when a token request authenticating with HTTP Basic and body credentials at once obtains
    no token. RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each
    request"; the rule binds the client, so a server that serves such a request is reported at SHOULD
    level.
    """
    return token_not_issued(observed)


@check("RFC6749-3.2.1-unknown-client")
def unknown_client_refused(observed: BesideControl) -> Outcome:
    """Holds when a token request by a client id the server never issued, with some secret, obtains no
    token (any refusal will do). RFC 6749 §3.2.1: "The authorization server MUST: require client
    authentication for confidential clients or for any client that was issued client credentials [...];
    authenticate the client if client authentication is included"; a client the server does not know
    cannot be authenticated, so issuing it a token is a MUST violation, whatever RFC6749-5.2-no-enum
    (the SHOULD about the answer's shape) says.
    """
    return token_not_issued(observed)


@check("RFC6749-4.4-confidential", Family.TOKEN_NOT_ISSUED)
def client_credentials_confidential_only(observed: BesideControl) -> Outcome:
    """Holds when a public client (registered without a secret) that sends its ``client_id`` alone
    obtains no token. RFC 6749 §4.4: "The client credentials grant type MUST only be used by
    confidential clients."
    """
    return token_not_issued(observed)


# -- refusals with a registered error code (§5.2) ---------------------------------------------------


@check("RFC6749-3.2.1-auth-required", Family.TOKEN_REFUSED_WITH)
def authentication_required(observed: Refusal | NoToken) -> Outcome:
    """Holds when a token request without any client credentials gets no token, HTTP 400 or 401, and
    the expected error (``invalid_client``); for a request whose credentials are not exactly the
    client's (a secret with a space added, its letter case flipped, cut short, one character changed,
    another client's), no token with any refusal (a ``NoToken``: the same request may be refused first
    for another fault). RFC 6749 §3.2.1: "Confidential clients or other clients issued client
    credentials MUST authenticate with the authorization server as described in Section 2.3 when making
    requests to the token endpoint"; §5.2 names the error: "invalid_client: Client authentication failed
    (e.g., unknown client, no client authentication included, or unsupported authentication method)."
    """
    return _refused(observed)


@check("RFC6749-2.3.1-empty-secret", Family.TOKEN_REFUSED_WITH)
def empty_secret_only_omitted(observed: Refusal | NoToken) -> Outcome:
    """Holds when a client that has a secret but sends its ``client_id`` without one gets no token,
    HTTP 400 or 401, and the expected error (``invalid_client``); for an input variant (``NoToken``:
    the secret left out, sent empty, or under a misspelt name), no token with any refusal. RFC 6749
    §2.3.1: ``client_secret`` "REQUIRED. The client secret. The client MAY omit the parameter if the
    client secret is an empty string."
    """
    return _refused(observed)


@check("RFC6749-3.2-no-dup", Family.TOKEN_REFUSED_WITH)
def duplicate_parameter_refused(observed: Refusal | NoToken) -> Outcome:
    """Holds when a token request that repeats ``grant_type`` gets no token, HTTP 400 or 401, and the
    expected error (``invalid_request``); for an input variant that repeats any parameter of the request
    (``NoToken``: a repeated ``client_secret`` may as well be refused as ``invalid_client``), no token
    with any refusal. RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than
    once"; §5.2: invalid_request when the request "repeats a parameter".
    """
    return _refused(observed)


@check("RFC6749-4.4.2-grant-type", Family.TOKEN_REFUSED_WITH)
def grant_type_errors(refusal: Refusal) -> Outcome:
    """Holds when a token request with a missing, unknown or forbidden ``grant_type`` gets no token,
    HTTP 400 or 401, and one of the error codes the scenario names for it. RFC 6749 §4.4.2:
    ``grant_type`` "REQUIRED. Value MUST be set to "client_credentials""; §5.2: ``invalid_request``
    (missing a required parameter), ``unsupported_grant_type`` ("The authorization grant type is not
    supported by the authorization server"), ``unauthorized_client`` ("The authenticated client is not
    authorized to use this authorization grant type"); RFC 6749 fixes no order between checking a
    password grant's resource owner credentials (``invalid_grant``) and the client's grant types, and a
    server that does not implement the password grant at all answers ``unsupported_grant_type`` ("The
    authorization grant type is not supported by the authorization server"), so all three hold there.
    """
    return refusal_as_expected(refusal)


@check("RFC6749-5.2-invalid-client-401")
def invalid_client_basic_401(observed: BesideControl) -> Outcome:
    """Holds when a token request whose HTTP Basic credentials fail gets no token, HTTP 401, and a
    ``WWW-Authenticate`` challenge of the Basic scheme. RFC 6749 §5.2, invalid_client: "If the client
    attempted to authenticate via the "Authorization" request header field, the authorization server
    MUST respond with an HTTP 401 (Unauthorized) status code and include the "WWW-Authenticate" response
    header field matching the authentication scheme used by the client."
    """
    response = observed.response
    offered = challenge(response)
    return beside_control(observed.control, judged(
        not issued(response) and response.status_code == 401 and scheme_challenge(response, "basic") is not None,
        f"{describe_token_response(response)}, WWW-Authenticate: {offered!r}",
        [exchange_id(response)],
    ))


@check("RFC6749-5.2-error-shape")
def error_response_shape(observed: BesideControl) -> Outcome:
    """Holds when an error answer is HTTP 400 or 401 with a JSON object whose ``error`` is one of the
    six codes §5.2 registers for the token endpoint, and whose ``error``, ``error_description`` and
    ``error_uri``, where present, are strings of the allowed characters. RFC 6749 §5.2: "The
    authorization server responds with an HTTP 400 (Bad Request) status code (unless specified
    otherwise)" with "error REQUIRED. A single ASCII [USASCII] error code from the following"; "Values
    for the "error" parameter MUST NOT include characters outside the set %x20-21 / %x23-5B / %x5D-7E"
    (the same set for the other two). 401 is the "specified otherwise" of invalid_client.
    """
    response = observed.response
    body = json_object(response) or {}
    texts = [body.get(k) for k in ("error", "error_description", "error_uri") if k in body]
    ok = (
        response.status_code in (400, 401)
        and body.get("error") in REGISTERED_ERRORS
        and all(isinstance(t, str) and _ERROR_CHARSET.fullmatch(t) for t in texts)
    )
    return beside_control(observed.control, judged(ok, describe_token_response(response), [exchange_id(response)]))


@check("RFC6749-5.2-no-enum")
def no_client_enumeration(refusals: CredentialRefusals) -> Outcome:
    """Holds when a known client with a wrong secret and an unknown client both get no token, with the
    same status and the same ``error``: the answer does not tell an attacker which client ids exist.
    RFC 6749 §5.2 gives both one code, "invalid_client: Client authentication failed (e.g., unknown
    client, no client authentication included, or unsupported authentication method)"; RFC 6819 §4.3.5
    counts telling them apart as help to online guessing.
    """
    wrong, unknown = refusals.wrong_secret, refusals.unknown_client
    same = wrong.status_code == unknown.status_code and error_code(wrong) == error_code(unknown)
    return beside_control(refusals.control, judged(
        same and not issued(wrong) and not issued(unknown),
        f"wrong secret: {describe_token_response(wrong)}; unknown client: {describe_token_response(unknown)}",
        [exchange_id(wrong), exchange_id(unknown)],
    ))


# -- scope (§3.3) and token values (§10.3, §10.10) ---------------------------------------------------


@check("RFC6749-3.3-scope-echo")
def scope_echoed(request: ScopeRequest) -> Outcome:
    """Holds when a request for a scope the client may not have is either refused with
    ``invalid_scope``, or obtains a token whose response names, in ``scope``, the scope actually
    granted, without the one requested. RFC 6749 §3.3: "If the issued access token scope is different
    from the one requested by the client, the authorization server MUST include the "scope" response
    parameter to inform the client of the actual scope granted"; §5.2: "invalid_scope: The requested
    scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner." A token
    silently narrowed (no ``scope``) or granting the refused scope violates it.
    """
    response = request.response
    body = json_object(response) or {}
    if issued(response):
        granted = body.get("scope")
        ok = isinstance(granted, str) and request.requested not in granted.split()
        message = f"token issued with scope {granted!r}"
    else:
        ok = body.get("error") == "invalid_scope"
        message = describe_token_response(response)
    return judged(ok, message, [exchange_id(response)])


@check("RFC6749-10.3-unguessable")
def tokens_unguessable(pair: TokenPair) -> Outcome:
    """Holds when two access tokens issued one after the other differ, and each is long enough for its
    alphabet (that of both tokens) to carry at least 128 random bits. RFC 6749 §10.10: "The probability
    of an attacker guessing generated tokens (and other credentials not intended for handling by
    end-users) MUST be less than or equal to 2^(-128) and SHOULD be less than or equal to 2^(-160)";
    §10.3: access tokens "MUST be kept confidential". Length and alphabet bound the randomness from
    above: a token shorter than the bound cannot meet it; a token reused is guessed by its last holder.
    """
    first, second = pair.first, pair.second
    a, b = ((json_object(r) or {}).get("access_token") for r in (first, second))
    distinct = isinstance(a, str) and isinstance(b, str) and a != b
    # Each token's alphabet is that of both: the characters one token happens to use would understate it.
    bits = min(entropy_bits(a, [b]), entropy_bits(b, [a])) if isinstance(a, str) and isinstance(b, str) else 0.0
    bits = bits if distinct else 0.0
    return judged(
        distinct and bits >= _MIN_TOKEN_BITS,
        f"tokens {'differ' if distinct else 'are equal or missing'}; at most {bits:.0f} bits by length and alphabet",
        [exchange_id(first), exchange_id(second)],
    )
