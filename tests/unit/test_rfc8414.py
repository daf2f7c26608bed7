"""The checks of ``checks/rfc8414.py`` on canned metadata documents, token answers and endpoint answers."""

from __future__ import annotations

from typing import Any

import httpx2

from oauth_conformance.checks import MetadataDocument, Status, rfc8414
from tests.unit.cases import Case, assert_case, cases_of, error_response, response, token_response

HELD, VIOLATED = Status.HELD, Status.VIOLATED

ISSUER = "https://is.example.test"
WELL_KNOWN = f"{ISSUER}/.well-known/openid-configuration"
TOKEN_ENDPOINT = f"{ISSUER}/connect/token"
METADATA: dict[str, Any] = {
    "issuer": ISSUER,
    "token_endpoint": TOKEN_ENDPOINT,
    "jwks_uri": f"{ISSUER}/.well-known/openid-configuration/jwks",
    "response_types_supported": ["token"],
    "grant_types_supported": ["client_credentials"],
    "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    "id_token_signing_alg_values_supported": ["RS256"],
}


def served(body: object = None, *, status: int = 200, content_type: str | None = None,
           method: str = "GET") -> httpx2.Response:
    """The metadata as the discovery Given fetched it."""
    headers = {"Content-Type": content_type} if content_type else None
    return response(status, json=METADATA if body is None else body, headers=headers, method=method,
                    url=WELL_KNOWN)


def doc(**members: Any) -> MetadataDocument:
    """The canned metadata; a member given None is left out."""
    body = {k: v for k, v in (METADATA | members).items() if v is not None}
    return MetadataDocument(body, "E1")


def answered(member: str, status: int, method: str = "POST", path: str = "/connect/x") -> rfc8414.EndpointAnswer:
    """An advertised endpoint and the answer to the suite's probe without credentials."""
    url = f"{ISSUER}{path}"
    return rfc8414.EndpointAnswer(member, url, response(status, json={}, method=method, url=url, exchange="E5"))


LIVE = (answered("jwks_uri", 200, "GET"), answered("token_endpoint", 401), answered("introspection_endpoint", 401),
        answered("revocation_endpoint", 400))


def endpoints(*answers: rfc8414.EndpointAnswer) -> rfc8414.AdvertisedEndpoints:
    return rfc8414.AdvertisedEndpoints(tuple(answers), "E1")


CASES = [
    # §3.2: 200, application/json, no member with zero elements.
    Case(rfc8414.metadata_is_json_without_empty_arrays, served(), HELD, "json object"),
    Case(rfc8414.metadata_is_json_without_empty_arrays, served(content_type="application/json; charset=utf-8"),
         HELD, "charset parameter"),
    Case(rfc8414.metadata_is_json_without_empty_arrays, served(METADATA | {"acr_values_supported": []}),
         VIOLATED, "empty array"),
    Case(rfc8414.metadata_is_json_without_empty_arrays, served(content_type="text/plain"), VIOLATED, "text/plain"),
    Case(rfc8414.metadata_is_json_without_empty_arrays, served(status=203), VIOLATED, "not 200"),
    # §3, §3.1: GET at the well-known location.
    Case(rfc8414.metadata_at_well_known_path, served(), HELD, "GET 200 json"),
    Case(rfc8414.metadata_at_well_known_path, served(METADATA | {"acr_values_supported": []}), HELD,
         "empty arrays are 3.2's business"),
    Case(rfc8414.metadata_at_well_known_path, served(method="POST"), VIOLATED, "not GET"),
    Case(rfc8414.metadata_at_well_known_path, served(content_type="text/plain"), VIOLATED, "text/plain"),
    # §2 response_types_supported.
    Case(rfc8414.response_types_listed, doc(), HELD, "listed"),
    Case(rfc8414.response_types_listed, doc(response_types_supported=None), HELD,
         "omitted by a server with no authorization endpoint and only client_credentials"),
    Case(rfc8414.response_types_listed,
         doc(response_types_supported=None, authorization_endpoint=f"{ISSUER}/authorize"), VIOLATED,
         "absent beside an authorization endpoint"),
    Case(rfc8414.response_types_listed,
         doc(response_types_supported=None, grant_types_supported=["authorization_code"]), VIOLATED,
         "absent beside the authorization_code grant"),
    Case(rfc8414.response_types_listed, doc(response_types_supported=[]), VIOLATED, "empty"),
    Case(rfc8414.response_types_listed, doc(response_types_supported="token"), VIOLATED, "a string"),
    # §3.3 issuer identical to where the metadata was fetched from.
    Case(rfc8414.issuer_matches_fetch_url, rfc8414.IssuerFetchedFrom(doc(), ISSUER), HELD, "identical"),
    Case(rfc8414.issuer_matches_fetch_url, rfc8414.IssuerFetchedFrom(doc(), f"{ISSUER}/"), VIOLATED,
         "trailing slash differs"),
    Case(rfc8414.issuer_matches_fetch_url, rfc8414.IssuerFetchedFrom(doc(issuer=f"{ISSUER}/identity"), ISSUER),
         VIOLATED, "other path"),
    Case(rfc8414.issuer_matches_fetch_url, rfc8414.IssuerFetchedFrom(doc(issuer=None), ISSUER), VIOLATED, "absent"),
    # §2 token_endpoint: the one in use, and it issues tokens.
    Case(rfc8414.token_endpoint_issues_tokens, rfc8414.TokenEndpointInUse(doc(), TOKEN_ENDPOINT, token_response()),
         HELD, "advertised and working"),
    Case(rfc8414.token_endpoint_issues_tokens,
         rfc8414.TokenEndpointInUse(doc(), TOKEN_ENDPOINT, error_response(401)), VIOLATED, "refuses the client"),
    Case(rfc8414.token_endpoint_issues_tokens,
         rfc8414.TokenEndpointInUse(doc(token_endpoint=f"{ISSUER}/oauth/token"), TOKEN_ENDPOINT, token_response()),
         VIOLATED, "another endpoint advertised"),
    Case(rfc8414.token_endpoint_issues_tokens,
         rfc8414.TokenEndpointInUse(doc(token_endpoint=None), TOKEN_ENDPOINT, token_response()), VIOLATED, "absent"),
    # §2 grant_types_supported, falling back to the RFC 8414 document.
    Case(rfc8414.client_credentials_advertised, rfc8414.GrantTypesAdvertised(doc()), HELD, "listed"),
    Case(rfc8414.client_credentials_advertised,
         rfc8414.GrantTypesAdvertised(doc(grant_types_supported=None),
                                      {"grant_types_supported": ["client_credentials"]}),
         HELD, "only in the RFC 8414 document"),
    Case(rfc8414.client_credentials_advertised,
         rfc8414.GrantTypesAdvertised(doc(grant_types_supported=["authorization_code"]),
                                      {"grant_types_supported": ["client_credentials"]}),
         VIOLATED, "discovery's list wins"),
    Case(rfc8414.client_credentials_advertised, rfc8414.GrantTypesAdvertised(doc(grant_types_supported=None), {}),
         VIOLATED, "absent everywhere: the default omits it"),
    Case(rfc8414.client_credentials_advertised,
         rfc8414.GrantTypesAdvertised(doc(grant_types_supported="client_credentials")), VIOLATED, "a string"),
    # §2 token_endpoint_auth_methods_supported: every method the suite could try works.
    Case(rfc8414.advertised_auth_methods_work,
         rfc8414.AuthMethodsTried(doc(), {"client_secret_basic": token_response(),
                                          "client_secret_post": token_response()}), HELD, "both work"),
    Case(rfc8414.advertised_auth_methods_work,
         rfc8414.AuthMethodsTried(doc(token_endpoint_auth_methods_supported=None),
                                  {"client_secret_basic": token_response()}), HELD, "default basic works"),
    Case(rfc8414.advertised_auth_methods_work,
         rfc8414.AuthMethodsTried(doc(token_endpoint_auth_methods_supported=["private_key_jwt", "client_secret_post"]),
                                  {"client_secret_post": token_response()}), HELD, "untried methods ignored"),
    Case(rfc8414.advertised_auth_methods_work,
         rfc8414.AuthMethodsTried(doc(), {"client_secret_basic": token_response(),
                                          "client_secret_post": error_response(400)}), VIOLATED, "post refused"),
    Case(rfc8414.advertised_auth_methods_work,
         rfc8414.AuthMethodsTried(doc(token_endpoint_auth_methods_supported=["private_key_jwt"]), {}), VIOLATED,
         "nothing the suite can try"),
    # §2 no "none" among the signing algorithms.
    Case(rfc8414.no_none_signing_alg, doc(), HELD, "RS256 only"),
    Case(rfc8414.no_none_signing_alg, doc(request_object_signing_alg_values_supported="none"), HELD,
         "not a list"),
    Case(rfc8414.no_none_signing_alg, doc(id_token_signing_alg_values_supported=["RS256", "none"]), VIOLATED,
         "id token list offers none"),
    Case(rfc8414.no_none_signing_alg, doc(token_endpoint_auth_signing_alg_values_supported=["none"]), VIOLATED,
         "auth list offers none"),
    # §2 issuer: https, no query, no fragment.
    Case(rfc8414.issuer_is_https, doc(), HELD, "https"),
    Case(rfc8414.issuer_is_https, doc(issuer=f"{ISSUER}/tenant/1"), HELD, "https with a path"),
    Case(rfc8414.issuer_is_https, doc(issuer="http://is.example.test"), VIOLATED, "plain http"),
    Case(rfc8414.issuer_is_https, doc(issuer=f"{ISSUER}?tenant=1"), VIOLATED, "query"),
    Case(rfc8414.issuer_is_https, doc(issuer=f"{ISSUER}#x"), VIOLATED, "fragment"),
    Case(rfc8414.issuer_is_https, doc(issuer=None), VIOLATED, "absent"),
    # §2 jwks_uri: https.
    Case(rfc8414.jwks_uri_is_https, doc(), HELD, "https"),
    Case(rfc8414.jwks_uri_is_https, doc(jwks_uri="http://is.example.test/jwks"), VIOLATED, "plain http"),
    Case(rfc8414.jwks_uri_is_https, doc(jwks_uri=42), VIOLATED, "not a string"),
    # §2 advertised endpoints are live.
    # §2 every advertised endpoint, each with its method.
    Case(rfc8414.advertised_endpoint_live, endpoints(*LIVE), HELD, "jwks 200, token, introspection, revocation refuse"),
    Case(rfc8414.advertised_endpoint_live,
         endpoints(*LIVE, answered("authorization_endpoint", 302, "GET"), answered("userinfo_endpoint", 401, "GET")),
         HELD, "a GET endpoint may redirect"),
    Case(rfc8414.advertised_endpoint_live, endpoints(*LIVE, answered("kerberos_endpoint", 405, "GET")), HELD,
         "an unknown endpoint's 405: its method is unknown"),
    Case(rfc8414.advertised_endpoint_live, endpoints(*LIVE[:3], answered("revocation_endpoint", 404)), VIOLATED,
         "revocation 404"),
    Case(rfc8414.advertised_endpoint_live, endpoints(answered("jwks_uri", 401, "GET"), *LIVE[1:]), VIOLATED,
         "the key set behind authentication"),
    Case(rfc8414.advertised_endpoint_live, endpoints(*LIVE, answered("device_authorization_endpoint", 405)), VIOLATED,
         "a POST endpoint refusing POST"),
    Case(rfc8414.advertised_endpoint_live, endpoints(*LIVE, answered("authorization_endpoint", 405, "GET")),
         VIOLATED, "the authorization endpoint refusing GET"),
    Case(rfc8414.advertised_endpoint_live, endpoints(*LIVE, answered("kerberos_endpoint", 404, "GET")), VIOLATED,
         "an unknown endpoint that is not there"),
    Case(rfc8414.advertised_endpoint_live, endpoints(LIVE[0], answered("token_endpoint", 503), *LIVE[2:]),
         VIOLATED, "5xx"),
    Case(rfc8414.advertised_endpoint_live,
         endpoints(*LIVE, rfc8414.EndpointAnswer("registration_endpoint", 42, problem="not an absolute http(s) URL")),
         VIOLATED, "a value that is no URL"),
    Case(rfc8414.advertised_endpoint_live,
         endpoints(*LIVE, rfc8414.EndpointAnswer("userinfo_endpoint", f"{ISSUER}/userinfo",
                                                 problem="no answer (ReadTimeout)", exchange="E9")),
         VIOLATED, "nothing answers"),
    Case(rfc8414.advertised_endpoint_live, endpoints(), Status.UNDECIDED, "nothing advertised"),
]


def test_probed_members_known_first_then_the_rest() -> None:
    body: dict[str, Any] = {"issuer": ISSUER, "kerberos_endpoint": "k", "token_endpoint": "t", "jwks_uri": "j",
            "end_session_endpoint": None, "mtls_endpoint_aliases": {}, "introspection_endpoint": "i"}
    assert rfc8414.probed_members(body) == ["jwks_uri", "token_endpoint", "introspection_endpoint",
                                            "kerberos_endpoint"]


def test_the_message_names_every_endpoint_and_the_dead_ones() -> None:
    outcome = rfc8414.advertised_endpoint_live(endpoints(*LIVE[:3], answered("revocation_endpoint", 404, path="/gone")))
    assert "jwks_uri: GET" in outcome.message and "token_endpoint: POST" in outcome.message
    assert outcome.message.startswith("dead: revocation_endpoint; ")


@cases_of(CASES)
def test_check(case: Case) -> None:
    assert_case(case)
