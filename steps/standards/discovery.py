"""RFC 8414 / OIDC discovery metadata and the RFC 7517 key set it names."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from pytest_bdd import given, then, when

from oauth_conformance.checks import Family, MetadataDocument, PositiveControl, rfc7517, rfc8414, rfc9700
from oauth_conformance.errors import UnexpectedResponseError
from oauth_conformance.http import exchange_id, json_object
from oauth_conformance.targets.identity import AuthStyle
from oauth_conformance.targets.standards import StandardsTarget
from oauth_conformance.verdicts import Checker

from .context import keys_in, metadata_response, needs_issuing, skip_local_plain_http

# token_endpoint_auth_methods_supported values and how the suite sends each.
AUTH_STYLES: dict[str, AuthStyle] = {"client_secret_basic": "basic", "client_secret_post": "post"}


@given("the discovery document of the authorization server", target_fixture="metadata")
def discovery_document(standards: StandardsTarget) -> httpx2.Response:
    """The metadata as the server serves it: its OpenID discovery document, else its RFC 8414 document;
    skipped, naming every URL tried, where it publishes neither."""
    return metadata_response(standards)


@when("the suite looks for the authorization server's metadata", target_fixture="lookup")
def look_for_metadata(standards: StandardsTarget) -> rfc9700.MetadataLookup:
    try:
        return rfc9700.MetadataLookup(standards.identity.metadata_source().response)
    except UnexpectedResponseError as missing:
        return rfc9700.MetadataLookup(None, str(missing), missing.exchange_id)


@then("a metadata document is served as JSON at one of its well-known URLs")
def metadata_found(lookup: rfc9700.MetadataLookup, checker: Checker) -> None:
    checker.verify(rfc9700.metadata_published, lookup)


def _meta(metadata: httpx2.Response) -> dict[str, Any]:
    """The metadata a content check reads: only a document the server published (HTTP 200). A JSON error
    body is no metadata, and a check of what it lacks (say, no ``none`` algorithm) would prove nothing;
    the checks of the answer itself (METADATA_PUBLISHED) judge the status."""
    if metadata.status_code != 200:
        pytest.skip(f"no metadata document to read: discovery answered HTTP {metadata.status_code} "
                    f"({exchange_id(metadata)})")
    return json_object(metadata) or {}


def _document(metadata: httpx2.Response) -> MetadataDocument:
    return MetadataDocument(_meta(metadata), exchange_id(metadata))


@pytest.fixture
def key_set(metadata: httpx2.Response, standards: StandardsTarget) -> httpx2.Response:
    uri = _meta(metadata).get("jwks_uri")
    if not isinstance(uri, str):
        pytest.skip("the metadata names no jwks_uri")
    return standards.identity.key_set(uri)


@pytest.fixture
def usable_key_set(key_set: httpx2.Response) -> httpx2.Response:
    """The key set, for a check of its keys: where it holds no keys array, that check is blocked by the
    one requirement that says so."""
    keys_in(key_set)
    return key_set


@then("the metadata is served as JSON with no empty array values")
def metadata_json(metadata: httpx2.Response, checker: Checker) -> None:
    checker.verify_tagged(Family.METADATA_PUBLISHED, metadata)


@then("the metadata has response_types_supported")
def response_types(metadata: httpx2.Response, checker: Checker) -> None:
    checker.verify(rfc8414.response_types_listed, _document(metadata))


@then("the issuer equals the base URL the discovery document was fetched from")
def issuer_matches(metadata: httpx2.Response, standards: StandardsTarget, checker: Checker) -> None:
    checker.verify(
        rfc8414.issuer_matches_fetch_url, rfc8414.IssuerFetchedFrom(_document(metadata), standards.identity.issuer)
    )


@then("the metadata names a token endpoint that issues a token to the client")
def token_endpoint_works(
    metadata: httpx2.Response, standards: StandardsTarget, token_control: PositiveControl, checker: Checker
) -> None:
    needs_issuing(token_control)
    # The token the control obtained there: the point is where it came from, not that it is new.
    result = standards.reusable_token()
    observed = rfc8414.TokenEndpointInUse(_document(metadata), standards.identity.token_endpoint, result.response)
    checker.verify(rfc8414.token_endpoint_issues_tokens, observed)


@then("grant_types_supported contains client_credentials")
def grant_types(metadata: httpx2.Response, standards: StandardsTarget, checker: Checker) -> None:
    # Some servers publish the member only in their RFC 8414 document, the one that defines it.
    missing = _meta(metadata).get("grant_types_supported") is None
    oauth_metadata = standards.identity.oauth_metadata() if missing else None
    checker.verify(rfc8414.client_credentials_advertised,
                   rfc8414.GrantTypesAdvertised(_document(metadata), oauth_metadata))


@then("each advertised token endpoint authentication method obtains a token")
def auth_methods_work(
    metadata: httpx2.Response, standards: StandardsTarget, token_control: PositiveControl, checker: Checker
) -> None:
    needs_issuing(token_control)
    methods = rfc8414.advertised_auth_methods(_meta(metadata))
    client = standards.client
    results = {
        method: standards.identity.request_token(client.client_id, client.client_secret, AUTH_STYLES[method]).response
        for method in (methods if isinstance(methods, list) else [])
        if method in AUTH_STYLES
    }
    checker.verify(rfc8414.advertised_auth_methods_work, rfc8414.AuthMethodsTried(_document(metadata), results))


@then("no *_signing_alg_values_supported list contains none")
def no_none(metadata: httpx2.Response, checker: Checker) -> None:
    checker.verify(rfc8414.no_none_signing_alg, _document(metadata))


@then("the key set is a JSON object with a keys array")
def key_set_shape(key_set: httpx2.Response, checker: Checker) -> None:
    checker.require(rfc7517.set_has_keys, key_set)


@then("every key has a kty")
def keys_typed(usable_key_set: httpx2.Response, checker: Checker) -> None:
    checker.verify(rfc7517.keys_have_kty, usable_key_set)


@then("the kid values are distinct")
def kids_distinct(usable_key_set: httpx2.Response, checker: Checker) -> None:
    checker.verify(rfc7517.kids_distinct, usable_key_set)


@then("no key carries private key material")
def no_private(usable_key_set: httpx2.Response, checker: Checker) -> None:
    checker.verify(rfc7517.no_private_members, usable_key_set)


@then("every RSA key has a modulus of at least 2048 bits")
def rsa_2048(usable_key_set: httpx2.Response, checker: Checker) -> None:
    checker.verify(rfc7517.rsa_keys_2048, usable_key_set)


@then("no key carries both use and key_ops, and signing keys say use sig")
def use_and_key_ops(usable_key_set: httpx2.Response, checker: Checker) -> None:
    checker.verify(rfc7517.use_and_key_ops_consistent, usable_key_set)


@then("the issuer is an https URL without query or fragment")
def issuer_https(metadata: httpx2.Response, checker: Checker) -> None:
    skip_local_plain_http(_meta(metadata).get("issuer"), "the issuer", metadata.request.url.scheme)
    checker.verify(rfc8414.issuer_is_https, _document(metadata))


@then("the jwks_uri is an https URL")
def jwks_uri_https(metadata: httpx2.Response, checker: Checker) -> None:
    uri = _meta(metadata).get("jwks_uri")
    if uri is None:
        pytest.skip("the metadata names no jwks_uri")
    skip_local_plain_http(uri, "jwks_uri", metadata.request.url.scheme)
    checker.verify(rfc8414.jwks_uri_is_https, _document(metadata))
