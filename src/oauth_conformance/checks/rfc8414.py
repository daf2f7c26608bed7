"""Checks of RFC 8414, OAuth 2.0 Authorization Server Metadata, and of the OpenID Connect Discovery
document that serves the same members (https://www.rfc-editor.org/rfc/rfc8414)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import SplitResult, urlsplit

import httpx2

from oauth_conformance.checks._observations import MetadataDocument
from oauth_conformance.checks._outcome import Outcome, judged, undecided
from oauth_conformance.checks._predicates import describe_token_response, issued, media_type
from oauth_conformance.checks._registry import Family, check
from oauth_conformance.http import exchange_id, json_object
from oauth_conformance.redaction import RedactedRepr

__all__ = [
    "ENDPOINT_METHODS",
    "AdvertisedEndpoints",
    "AuthMethodsTried",
    "EndpointAnswer",
    "EndpointMethod",
    "GrantTypesAdvertised",
    "IssuerFetchedFrom",
    "TokenEndpointInUse",
    "advertised_auth_methods",
    "advertised_auth_methods_work",
    "advertised_endpoint_live",
    "client_credentials_advertised",
    "issuer_is_https",
    "issuer_matches_fetch_url",
    "jwks_uri_is_https",
    "metadata_at_well_known_path",
    "metadata_is_json_without_empty_arrays",
    "no_none_signing_alg",
    "probed_members",
    "response_types_listed",
    "token_endpoint_issues_tokens",
]


@dataclass(frozen=True)
class IssuerFetchedFrom:
    """The metadata's ``issuer`` beside the issuer identifier (base URL) the suite built the metadata URL from."""

    metadata: MetadataDocument
    base_url: str


@dataclass(frozen=True, repr=False)
class TokenEndpointInUse(RedactedRepr):
    """The metadata's ``token_endpoint`` beside the token endpoint the suite sends requests to, and the
    answer the client's token request got there."""

    metadata: MetadataDocument
    endpoint_in_use: str
    token_response: httpx2.Response


@dataclass(frozen=True)
class GrantTypesAdvertised:
    """The ``grant_types_supported`` the server advertises: in the discovery document, or, where that
    leaves the member out, in its RFC 8414 metadata.

    ``oauth_metadata`` is the RFC 8414 document ({} where the server publishes none), fetched only when
    the discovery document lacks the member; None when it was not needed.
    """

    metadata: MetadataDocument
    oauth_metadata: Mapping[str, Any] | None = None


@dataclass(frozen=True, repr=False)
class AuthMethodsTried(RedactedRepr):
    """The metadata's ``token_endpoint_auth_methods_supported`` beside the answer the client's token
    request got with each advertised method the suite can send (client_secret_basic, client_secret_post)."""

    metadata: MetadataDocument
    # Advertised method -> the token endpoint's answer to a request authenticated that way.
    results: Mapping[str, httpx2.Response]


def _published(metadata: httpx2.Response) -> bool:
    return metadata.status_code == 200 and media_type(metadata) == "application/json"


@check("RFC8414-3.2-json", Family.METADATA_PUBLISHED)
def metadata_is_json_without_empty_arrays(metadata: httpx2.Response) -> Outcome:
    """Holds when the metadata document answers HTTP 200 as ``application/json`` (parameters such as a
    charset are fine) and no member is an empty array. RFC 8414 §3.2: "A successful response MUST use
    the 200 OK HTTP status code and return a JSON object using the "application/json" content type";
    "Claims with zero elements MUST be omitted from the response."
    """
    empty = [name for name, value in (json_object(metadata) or {}).items() if value == []]
    return judged(
        _published(metadata) and not empty,
        f"HTTP {metadata.status_code}, Content-Type {media_type(metadata)!r}, empty arrays: {empty or 'none'}",
        [exchange_id(metadata)],
    )


@check("RFC8414-3-path", Family.METADATA_PUBLISHED)
def metadata_at_well_known_path(metadata: httpx2.Response) -> Outcome:
    """Holds when the metadata, requested with GET at its well-known location, answers HTTP 200 as
    ``application/json``. RFC 8414 §3: the metadata MUST be available "at a path formed by inserting a
    well-known URI string into the authorization server's issuer identifier"; §3.1: it "MUST be queried
    using an HTTP "GET" request at the previously specified path". The OpenID location (appended to the
    issuer), which the suite fetches, is the one RFC 8414 §5 accepts for servers that also speak
    OpenID Connect.
    """
    return judged(
        _published(metadata) and metadata.request.method == "GET",
        f"GET {metadata.request.url.path} → HTTP {metadata.status_code}",
        [exchange_id(metadata)],
    )


@check("RFC8414-2-response-types")
def response_types_listed(metadata: MetadataDocument) -> Outcome:
    """Holds when ``response_types_supported`` is a non-empty array, or is omitted by a server without
    an authorization endpoint and without a grant that uses one. RFC 8414 §2: "response_types_supported
    REQUIRED. JSON array containing a list of the OAuth 2.0 "response_type" values that this
    authorization server supports"; a server that supports none has an empty list, and §3.2: "Claims
    with zero elements MUST be omitted from the response"; §2 makes ``authorization_endpoint``
    "REQUIRED unless no grant types are supported that use the authorization endpoint".
    """
    body = metadata.body
    value = body.get("response_types_supported")
    grants = body.get("grant_types_supported")
    front_channel = {"authorization_code", "implicit"} & set(grants if isinstance(grants, list) else [])
    none_to_list = value is None and "authorization_endpoint" not in body and not front_channel
    listed = isinstance(value, list) and bool(value)
    note = " (no authorization endpoint and no grant that uses one: nothing to list)" if none_to_list else ""
    return judged(listed or none_to_list, f"response_types_supported={value!r}{note}", [metadata.exchange])


@check("RFC8414-3.3-issuer-match")
def issuer_matches_fetch_url(observed: IssuerFetchedFrom) -> Outcome:
    """Holds when ``issuer`` equals, character for character, the base URL the metadata URL was built
    from. RFC 8414 §3.3: "The "issuer" value returned MUST be identical to the authorization server's
    issuer identifier value into which the well-known URI string was inserted to create the URL used
    to retrieve the metadata." (OpenID Connect Discovery §4.3 says the same of its appended form.)
    """
    issuer = observed.metadata.body.get("issuer")
    return judged(
        issuer == observed.base_url,
        f"issuer {issuer!r}, fetched from {observed.base_url!r}",
        [observed.metadata.exchange],
    )


@check("RFC8414-2-token-endpoint")
def token_endpoint_issues_tokens(observed: TokenEndpointInUse) -> Outcome:
    """Holds when ``token_endpoint`` names exactly the endpoint the suite uses and the client's token
    request there obtained a token. RFC 8414 §2: "token_endpoint URL of the authorization server's token
    endpoint [RFC6749]. This is REQUIRED unless only the implicit grant type is supported."; an
    advertised endpoint that does not issue tokens misleads every client that discovers it.
    """
    endpoint = observed.metadata.body.get("token_endpoint")
    response = observed.token_response
    return judged(
        isinstance(endpoint, str) and endpoint == observed.endpoint_in_use and issued(response),
        f"token_endpoint {endpoint!r}: {describe_token_response(response)}",
        [observed.metadata.exchange, exchange_id(response)],
    )


@check("RFC8414-2-grant-types")
def client_credentials_advertised(observed: GrantTypesAdvertised) -> Outcome:
    """Holds when ``grant_types_supported`` is an array that lists ``client_credentials``, read from the
    discovery document or, where that leaves it out, from the RFC 8414 metadata (the document that
    defines it). RFC 8414 §2: "grant_types_supported OPTIONAL. JSON array containing a list of the
    OAuth 2.0 grant type values that this authorization server supports. [...] If omitted, the default
    value is "["authorization_code", "implicit"]"": a server that leaves it out advertises no client
    credentials grant.
    """
    grants = observed.metadata.body.get("grant_types_supported")
    if grants is None and observed.oauth_metadata is not None:
        grants = observed.oauth_metadata.get("grant_types_supported")
    return judged(
        isinstance(grants, list) and "client_credentials" in grants,
        f"grant_types_supported={grants!r}",
        [observed.metadata.exchange],
    )


def advertised_auth_methods(body: Mapping[str, Any]) -> object:
    """The advertised ``token_endpoint_auth_methods_supported``; RFC 8414 §2: "If omitted, the default
    is "client_secret_basic"". Not necessarily a list: that is what the server wrote."""
    return body.get("token_endpoint_auth_methods_supported", ["client_secret_basic"])


@check("RFC8414-2-auth-methods")
def advertised_auth_methods_work(observed: AuthMethodsTried) -> Outcome:
    """Holds when at least one advertised method was tried and every one tried obtained a token (methods
    the suite cannot send, such as private_key_jwt, are not held against the server). RFC 8414 §2:
    "token_endpoint_auth_methods_supported OPTIONAL. JSON array containing a list of client
    authentication methods supported by this token endpoint. [...] If omitted, the default is
    "client_secret_basic""; an advertised method that does not work is not supported.
    """
    methods = advertised_auth_methods(observed.metadata.body)
    tried = list(observed.results)
    failing = [method for method, response in observed.results.items() if not issued(response)]
    untried = [m for m in methods if m not in observed.results] if isinstance(methods, list) else []
    return judged(
        bool(observed.results) and not failing,
        f"advertised {methods!r}; tried {tried or 'none'} (the methods the suite can send); "
        f"failing: {failing or 'none'}; not tried: {untried or 'none'}",
        [observed.metadata.exchange, *(exchange_id(r) for r in observed.results.values())],
    )


@check("RFC8414-2-no-none")
def no_none_signing_alg(metadata: MetadataDocument) -> Outcome:
    """Holds when no ``*_signing_alg_values_supported`` array contains ``none``. RFC 8414 §2, of
    token_endpoint_auth_signing_alg_values_supported and its siblings: "The value "none" MUST NOT be
    used."
    """
    offending = [
        name for name, value in metadata.body.items()
        if name.endswith("_signing_alg_values_supported") and isinstance(value, list) and "none" in value
    ]
    return judged(not offending, f"lists with none: {offending or 'none'}", [metadata.exchange])


def _url(value: object) -> SplitResult:
    return urlsplit(value) if isinstance(value, str) else urlsplit("")


@check("RFC8414-2-issuer")
def issuer_is_https(metadata: MetadataDocument) -> Outcome:
    """Holds when ``issuer`` is an https URL without query or fragment (a missing issuer violates it).
    RFC 8414 §2: "issuer REQUIRED. The authorization server's issuer identifier, which is a URL that
    uses the "https" scheme and has no query or fragment components."
    """
    issuer = metadata.body.get("issuer")
    parts = _url(issuer)
    return judged(parts.scheme == "https" and not parts.query and not parts.fragment, f"issuer={issuer!r}",
                  [metadata.exchange])


@check("RFC8414-2-jwks-uri")
def jwks_uri_is_https(metadata: MetadataDocument) -> Outcome:
    """Holds when ``jwks_uri`` is an https URL. RFC 8414 §2: "jwks_uri OPTIONAL. URL of the authorization
    server's JWK Set [JWK] document. [...] This URL MUST use the "https" scheme." (A document that names
    no jwks_uri is not looked at: the scenario skips.)
    """
    uri = metadata.body.get("jwks_uri")
    return judged(_url(uri).scheme == "https", f"jwks_uri={uri!r}", [metadata.exchange])


EndpointMethod = Literal["GET", "POST"]

# The metadata members the suite knows how to call, and with which method, each as its specification
# defines the endpoint: POST for RFC 6749 §3.2 (token), RFC 7662 §2.1 (introspection), RFC 7009 §2.1
# (revocation), RFC 7591 §3 (registration), RFC 8628 §3.1 (device authorization), RFC 9126 §2 (pushed
# authorization requests), OpenID CIBA §7.1 (backchannel authentication); GET for RFC 6749 §3.1 (the
# authorization endpoint "MUST support the use of the HTTP "GET" method"), OpenID Connect Core §5.3.1
# (userinfo), RP-Initiated Logout §2 (end session) and RFC 8414 §2's jwks_uri (a JWK Set document).
# Any other ``*_endpoint`` member is probed with GET.
ENDPOINT_METHODS: Mapping[str, EndpointMethod] = {
    "jwks_uri": "GET",
    "token_endpoint": "POST",
    "introspection_endpoint": "POST",
    "revocation_endpoint": "POST",
    "registration_endpoint": "POST",
    "device_authorization_endpoint": "POST",
    "pushed_authorization_request_endpoint": "POST",
    "backchannel_authentication_endpoint": "POST",
    "authorization_endpoint": "GET",
    "userinfo_endpoint": "GET",
    "end_session_endpoint": "GET",
}


def probed_members(body: Mapping[str, Any]) -> list[str]:
    """The members of a metadata document that advertise an endpoint: ``jwks_uri`` and every
    ``*_endpoint`` member with a value, the known ones first, in the order of ``ENDPOINT_METHODS``."""
    advertised = [name for name, value in body.items()
                  if value is not None and (name == "jwks_uri" or name.endswith("_endpoint"))]
    known = [name for name in ENDPOINT_METHODS if name in advertised]
    return known + sorted(name for name in advertised if name not in ENDPOINT_METHODS)


@dataclass(frozen=True)
class EndpointAnswer:
    """One advertised endpoint: its metadata member, the value advertised, and the answer to the request
    the suite sent it without credentials (None where nothing answered: ``problem`` says why)."""

    member: str
    advertised: object
    response: httpx2.Response | None = None
    problem: str | None = None  # e.g. "not a URL", "no answer: ReadTimeout"
    exchange: str | None = None


@dataclass(frozen=True)
class AdvertisedEndpoints:
    """Every endpoint the metadata advertises (``jwks_uri`` and each ``*_endpoint`` member), each beside
    the answer to a request the suite sent it without credentials: POST or GET as ``ENDPOINT_METHODS``
    says (GET for members it does not know)."""

    endpoints: tuple[EndpointAnswer, ...]
    metadata_exchange: str | None = None


def _live(member: str | None, response: httpx2.Response) -> bool:
    status = response.status_code
    if member == "jwks_uri":
        return status == 200
    if status in (404, 410) or status >= 500:
        return False
    method = ENDPOINT_METHODS.get(member) if member else response.request.method
    if method is None:
        return True  # a 405 too: the method the endpoint takes is unknown to the suite
    # A redirect is an answer of something at that URL; what it means for the endpoint's own protocol is
    # that protocol's checks' business (a token endpoint that redirects fails RFC 6749's, once).
    return status != 405


def _answer(endpoint: EndpointAnswer) -> tuple[bool, str]:
    response = endpoint.response
    if response is None:
        return False, f"{endpoint.member} {endpoint.advertised!r}: {endpoint.problem or 'no answer'}"
    return (_live(endpoint.member, response),
            f"{endpoint.member}: {response.request.method} {response.request.url} → HTTP {response.status_code}")


@check("RFC8414-2-endpoints-live")
def advertised_endpoint_live(observed: AdvertisedEndpoints) -> Outcome:
    """Holds when every endpoint the metadata advertises answers a request without credentials as a live
    endpoint: ``jwks_uri`` a GET with 200 (it names a JWK Set "document", RFC 8414 §2); a POST endpoint
    (token, introspection, revocation, registration, device authorization, pushed authorization,
    backchannel authentication) or a GET endpoint (authorization, userinfo, end session) anything but
    404, 405, 410 or a 5xx, so a refusal of the caller without credentials (400, 401, 403) shows it is
    there, and so does a redirect (to a login page, say: whether the endpoint's protocol allows one is
    for that protocol's checks, so that one fault is one finding); an endpoint member the suite does not
    know, a GET with anything but 404, 410 or a 5xx (a 405 too: the method it takes is unknown). A
    member whose value is no URL, or that nothing answers, is dead. RFC 8414 §2 advertises each
    endpoint as the "URL of the authorization server's" endpoint (e.g. "introspection_endpoint URL of
    the authorization server's OAuth 2.0 introspection endpoint [RFC7662]", which RFC 7662 §2.1 calls
    with "an HTTP POST request"); a URL where no such endpoint answers misleads every client that
    discovers it. The message names the dead ones first, then every endpoint and its answer. Undecided
    where the metadata advertises no endpoint at all.
    """
    if not observed.endpoints:
        return undecided("the metadata advertises no endpoint to probe", [observed.metadata_exchange])
    answers = [_answer(endpoint) for endpoint in observed.endpoints]
    dead = [endpoint.member for endpoint, (live, _) in zip(observed.endpoints, answers, strict=True) if not live]
    return judged(
        not dead,
        f"dead: {', '.join(dead) or 'none'}; " + "; ".join(text for _, text in answers),
        [observed.metadata_exchange, *(e.exchange or (exchange_id(e.response) if e.response else None)
                                       for e in observed.endpoints)],
    )
