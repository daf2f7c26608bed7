"""The checks of ``checks/rfc6749.py`` on canned token-endpoint answers."""

from __future__ import annotations

import httpx2

from oauth_conformance.checks import MetadataDocument, PlainHttpAnswer, Status, rfc6749
from tests.unit.cases import (
    NOT_SHOWN,
    SHOWN,
    Case,
    assert_case,
    cases_of,
    controlled,
    error_response,
    refusal,
    response,
    token_response,
)

HELD, VIOLATED, UNDECIDED = Status.HELD, Status.VIOLATED, Status.UNDECIDED

_NOT_GRANTED = "urn:oauth-conformance:not-granted"
# 43 base64url characters: 256 random bits, the usual opaque token.
_OPAQUE = "Q2FubmVkLW9wYXF1ZS10b2tlbi0xMjM0NTY3ODkwYWJ"
_OPAQUE_2 = "Q2FubmVkLW9wYXF1ZS10b2tlbi0xMjM0NTY3ODkwYWJz"
_HEX_32 = "0123456789abcdef" * 2  # 128 bits exactly
_HEX_31 = _HEX_32[:-1]  # 124 bits


def _scope(answer: httpx2.Response) -> rfc6749.ScopeRequest:
    return rfc6749.ScopeRequest(answer, requested=_NOT_GRANTED)


def _answer(token: str | None) -> httpx2.Response:
    return token_response(access_token=token) if token is not None else error_response(400, "invalid_request")


def _pair(first: str | None, second: str | None) -> rfc6749.TokenPair:
    return rfc6749.TokenPair(_answer(first), _answer(second))


def _refusals(wrong: httpx2.Response, unknown: httpx2.Response) -> rfc6749.CredentialRefusals:
    return rfc6749.CredentialRefusals(wrong, unknown, SHOWN)


def _metadata(**members: object) -> MetadataDocument:
    return MetadataDocument({"issuer": "https://is.example.test", **members}, "E1")


CASES = [
    Case(rfc6749.basic_authentication_supported, token_response(), HELD, "token issued"),
    Case(rfc6749.basic_authentication_supported, error_response(401), VIOLATED, "refused"),
    Case(rfc6749.basic_authentication_supported, token_response(access_token=""), VIOLATED, "empty token"),
    Case(rfc6749.pragma_no_cache, token_response(), HELD, "no-cache"),
    Case(rfc6749.pragma_no_cache, response(200, json={}, headers={"Pragma": "x, No-Cache"}), HELD, "among others"),
    Case(rfc6749.pragma_no_cache, response(200, json={}), VIOLATED, "absent"),
    # §5.1 fields: the merged "a token is issued with ..." step.
    Case(rfc6749.token_response_fields, token_response(), HELD, "Bearer and integer expires_in"),
    Case(rfc6749.token_response_fields, token_response(token_type="bearer"), HELD, "token_type case-insensitive"),
    Case(rfc6749.token_response_fields, token_response(expires_in=899.5), HELD, "fractional expires_in"),
    Case(rfc6749.token_response_fields, token_response(expires_in=None), HELD, "expires_in null (absent)"),
    Case(rfc6749.token_response_fields, token_response(expires_in="3600"), VIOLATED, "expires_in a string"),
    Case(rfc6749.token_response_fields, token_response(expires_in=True), VIOLATED, "expires_in a boolean"),
    Case(rfc6749.token_response_fields, token_response(token_type="mac"), VIOLATED, "not Bearer"),
    Case(rfc6749.token_response_fields, token_response(token_type=None), VIOLATED, "token_type missing"),
    Case(rfc6749.token_response_fields, error_response(400), VIOLATED, "no token issued"),
    Case(rfc6749.token_response_fields, token_response(access_token=42), VIOLATED, "access_token not a string"),
    Case(rfc6749.token_response_json, token_response(), HELD, "application/json"),
    Case(rfc6749.token_response_json,
         response(200, json={}, headers={"Content-Type": "Application/JSON; charset=utf-8"}), HELD,
         "charset parameter, any case"),
    Case(rfc6749.token_response_json, response(200, text='{"access_token": "x"}',
                                               headers={"Content-Type": "text/plain; charset=utf-8"}),
         VIOLATED, "JSON served as text/plain"),
    Case(rfc6749.token_response_json, response(200, json={}, headers={"Content-Type": "application/jwt"}),
         VIOLATED, "another media type"),
    Case(rfc6749.no_store, token_response(), HELD, "no-store"),
    Case(rfc6749.no_store, response(200, json={}, headers={"Cache-Control": "no-cache, No-Store, private"}),
         HELD, "among others, any case"),
    Case(rfc6749.no_store, response(200, json={}, headers={"Cache-Control": "no-cache"}), VIOLATED, "no-cache only"),
    Case(rfc6749.no_store, response(200, json={}), VIOLATED, "absent"),
    Case(rfc6749.no_refresh_token, token_response(), HELD, "no refresh_token"),
    Case(rfc6749.no_refresh_token, token_response(refresh_token="r"), VIOLATED, "refresh_token present"),
    Case(rfc6749.no_refresh_token, token_response(refresh_token=None), VIOLATED, "refresh_token null is present"),
    # "a token is issued" family members.
    Case(rfc6749.body_credentials_supported, token_response(), HELD, "token issued"),
    Case(rfc6749.body_credentials_supported, error_response(401), VIOLATED, "refused"),
    Case(rfc6749.basic_credentials_urldecoded, token_response(), HELD, "token issued"),
    Case(rfc6749.basic_credentials_urldecoded, error_response(401), VIOLATED, "special characters refused"),
    Case(rfc6749.unknown_parameters_ignored, token_response(), HELD, "token issued"),
    Case(rfc6749.unknown_parameters_ignored, error_response(400, "invalid_request"), VIOLATED, "unknown refused"),
    Case(rfc6749.empty_parameter_omitted, token_response(), HELD, "token issued"),
    Case(rfc6749.empty_parameter_omitted, error_response(400, "invalid_scope"), VIOLATED, "empty scope refused"),
    Case(rfc6749.empty_parameter_omitted, response(200, json={"token_type": "Bearer"}), VIOLATED,
         "200 without access_token"),
    # "no token is issued" family members: any refusal holds.
    Case(rfc6749.unknown_client_refused, error_response(401), HELD, "refused"),
    Case(rfc6749.unknown_client_refused, token_response(), VIOLATED, "a token for an unknown client"),
    Case(rfc6749.credentials_not_in_uri, error_response(401), HELD, "refused"),
    Case(rfc6749.credentials_not_in_uri, response(200, json={"access_token": ""}), HELD, "200 with an empty token"),
    Case(rfc6749.credentials_not_in_uri, token_response(), VIOLATED, "token issued"),
    Case(rfc6749.post_only, response(405, text="Method Not Allowed", method="GET"), HELD, "405"),
    Case(rfc6749.post_only, token_response(), VIOLATED, "token issued to GET"),
    Case(rfc6749.single_authentication_method, error_response(400, "invalid_request"), HELD, "refused"),
    Case(rfc6749.single_authentication_method, token_response(), VIOLATED, "token issued"),
    Case(rfc6749.client_credentials_confidential_only, error_response(400, "unauthorized_client"), HELD, "refused"),
    Case(rfc6749.client_credentials_confidential_only, token_response(), VIOLATED, "token issued to public client"),
    # "the token request is refused with X" family members.
    Case(rfc6749.authentication_required, refusal(error_response(401), ("invalid_client",)), HELD, "401"),
    Case(rfc6749.authentication_required, refusal(error_response(400), ("invalid_client",)), HELD, "400"),
    Case(rfc6749.authentication_required, refusal(error_response(403), ("invalid_client",)), VIOLATED, "403"),
    Case(rfc6749.authentication_required, refusal(token_response(), ("invalid_client",)), VIOLATED, "token issued"),
    Case(rfc6749.empty_secret_only_omitted, refusal(error_response(401), ("invalid_client",)), HELD, "refused"),
    Case(rfc6749.empty_secret_only_omitted, refusal(token_response(), ("invalid_client",)), VIOLATED,
         "token without the secret"),
    Case(rfc6749.duplicate_parameter_refused, refusal(error_response(400, "invalid_request"), ("invalid_request",)),
         HELD, "invalid_request"),
    Case(rfc6749.duplicate_parameter_refused, refusal(token_response(), ("invalid_request",)), VIOLATED,
         "last value kept, token issued"),
    # The search's input variants promise only "no token": any refusal holds (NoToken).
    Case(rfc6749.authentication_required, rfc6749.NoToken(error_response(400, "invalid_request"), SHOWN), HELD,
         "mangled secret refused for another fault"),
    Case(rfc6749.authentication_required, rfc6749.NoToken(response(403, text="Forbidden"), SHOWN), HELD,
         "mangled secret refused with 403"),
    Case(rfc6749.authentication_required, rfc6749.NoToken(token_response(), SHOWN), VIOLATED,
         "token for a mangled secret"),
    Case(rfc6749.authentication_required, rfc6749.NoToken(token_response(), NOT_SHOWN), UNDECIDED,
         "mangled secret, no positive control"),
    Case(rfc6749.empty_secret_only_omitted, rfc6749.NoToken(error_response(400, "invalid_request"), SHOWN), HELD,
         "client_id alone refused for another fault"),
    Case(rfc6749.empty_secret_only_omitted, rfc6749.NoToken(token_response(), SHOWN), VIOLATED,
         "token for client_id alone"),
    Case(rfc6749.empty_secret_only_omitted, rfc6749.NoToken(error_response(401), NOT_SHOWN), UNDECIDED,
         "client_id alone, no positive control"),
    Case(rfc6749.duplicate_parameter_refused, rfc6749.NoToken(error_response(401, "invalid_client"), SHOWN), HELD,
         "repeated secret refused invalid_client"),
    Case(rfc6749.duplicate_parameter_refused, rfc6749.NoToken(token_response(), SHOWN), VIOLATED,
         "repeated secret, token issued"),
    Case(rfc6749.duplicate_parameter_refused, rfc6749.NoToken(error_response(400), NOT_SHOWN), UNDECIDED,
         "repeated parameter, no positive control"),
    Case(rfc6749.grant_type_errors,
         refusal(error_response(400, "invalid_grant"), ("unauthorized_client", "invalid_grant")), HELD,
         "second of two allowed codes"),
    Case(rfc6749.grant_type_errors,
         refusal(error_response(400, "invalid_grant"), ("unsupported_grant_type",)), VIOLATED,
         "invalid_grant for an unknown grant"),
    Case(rfc6749.grant_type_errors, refusal(error_response(400, None), ("invalid_request",)), VIOLATED, "no error"),
    Case(rfc6749.invalid_client_basic_401, error_response(401, headers={"WWW-Authenticate": 'Basic realm="is"'}),
         HELD, "401 with Basic"),
    Case(rfc6749.invalid_client_basic_401, error_response(401, headers={"WWW-Authenticate": "basic"}), HELD,
         "scheme case-insensitive"),
    Case(rfc6749.invalid_client_basic_401, error_response(400), VIOLATED, "400 without challenge"),
    Case(rfc6749.invalid_client_basic_401, error_response(401), VIOLATED, "401 without challenge"),
    Case(rfc6749.invalid_client_basic_401, error_response(401, headers={"WWW-Authenticate": "Bearer"}), VIOLATED,
         "Bearer challenge"),
    Case(rfc6749.error_response_shape, error_response(400), HELD, "400 invalid_client"),
    Case(rfc6749.error_response_shape, response(401, json={"error": "invalid_client",
                                                           "error_description": "Client authentication failed"}),
         HELD, "401 with a description"),
    Case(rfc6749.error_response_shape, error_response(400, "invalid_token"), VIOLATED, "unregistered code"),
    Case(rfc6749.error_response_shape, error_response(500, "invalid_client"), VIOLATED, "500"),
    Case(rfc6749.error_response_shape, response(400, json={"error": "invalid_client", "error_description": 'a "b"'}),
         VIOLATED, "quote in the description"),
    Case(rfc6749.error_response_shape, response(400, json={"error": "invalid_client", "error_uri": 7}), VIOLATED,
         "error_uri not a string"),
    Case(rfc6749.error_response_shape, response(400, text="invalid_client"), VIOLATED, "not JSON"),
    Case(rfc6749.no_client_enumeration, _refusals(error_response(401), error_response(401)), HELD, "same answer"),
    Case(rfc6749.no_client_enumeration, _refusals(error_response(401), error_response(400)), VIOLATED,
         "different status"),
    Case(rfc6749.no_client_enumeration, _refusals(error_response(400), error_response(400, "invalid_request")),
         VIOLATED, "different error"),
    Case(rfc6749.no_client_enumeration, _refusals(token_response(), token_response()), VIOLATED, "both get tokens"),
    Case(rfc6749.scope_echoed, _scope(error_response(400, "invalid_scope")), HELD, "invalid_scope"),
    Case(rfc6749.scope_echoed, _scope(token_response(scope="read write")), HELD, "narrowed and echoed"),
    Case(rfc6749.scope_echoed, _scope(token_response()), VIOLATED, "narrowed silently"),
    Case(rfc6749.scope_echoed, _scope(token_response(scope=f"read {_NOT_GRANTED}")), VIOLATED, "granted anyway"),
    Case(rfc6749.scope_echoed, _scope(error_response(400, "invalid_request")), VIOLATED, "other error"),
    Case(rfc6749.tokens_unguessable, _pair(_OPAQUE, _OPAQUE_2), HELD, "distinct base64url tokens"),
    Case(rfc6749.tokens_unguessable, _pair(_HEX_32, _HEX_32[::-1]), HELD, "32 hex characters, 128 bits"),
    Case(rfc6749.tokens_unguessable, _pair(_HEX_31, _HEX_31[::-1]), VIOLATED, "31 hex characters"),
    Case(rfc6749.tokens_unguessable, _pair(_OPAQUE, _OPAQUE), VIOLATED, "same token twice"),
    Case(rfc6749.tokens_unguessable, _pair(_OPAQUE, None), VIOLATED, "second token missing"),
    # Pre-written checks other steps call.
    Case(rfc6749.resource_server_validates, response(401, method="GET"), HELD, "forged token refused"),
    Case(rfc6749.resource_server_validates, response(200, json={"value": []}, method="GET"), VIOLATED, "served"),
    Case(rfc6749.resource_server_validates, response(403, method="GET"), VIOLATED, "403, not 401"),
    Case(rfc6749.default_scope_applied, token_response(scope="default"), HELD, "default scope"),
    Case(rfc6749.default_scope_applied, error_response(400, "invalid_scope"), HELD, "invalid_scope"),
    Case(rfc6749.default_scope_applied, error_response(400, "invalid_request"), VIOLATED, "other error"),
    Case(rfc6749.token_endpoint_requires_tls, PlainHttpAnswer(None), HELD, "nothing listens"),
    Case(rfc6749.token_endpoint_requires_tls, PlainHttpAnswer(response(301, headers={"Location": "https://x"})),
         HELD, "redirect"),
    Case(rfc6749.token_endpoint_requires_tls, PlainHttpAnswer(error_response(403, "invalid_request")), HELD,
         "HTTPS required"),
    Case(rfc6749.token_endpoint_requires_tls, PlainHttpAnswer(token_response()), VIOLATED, "token over http"),
    Case(rfc6749.token_endpoint_requires_tls, PlainHttpAnswer(error_response(401)), VIOLATED,
         "credentials evaluated"),
    Case(rfc6749.no_cleartext_endpoints, _metadata(token_endpoint="https://is.example.test/connect/token"), HELD,
         "https only"),
    Case(rfc6749.no_cleartext_endpoints, _metadata(service_documentation="http://docs.example.test"), HELD,
         "http member that is no endpoint"),
    Case(rfc6749.no_cleartext_endpoints, _metadata(jwks_uri="http://is.example.test/jwks"), VIOLATED, "http jwks_uri"),
    Case(rfc6749.no_cleartext_endpoints, _metadata(revocation_endpoint="http://is.example.test/revoke"), VIOLATED,
         "http revocation_endpoint"),
]


CASES = controlled(CASES)


@cases_of(CASES)
def test_check(case: Case) -> None:
    assert_case(case)
