"""RFC 8414 / OIDC discovery metadata and the RFC 7517 key set it names."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import SplitResult, urlsplit

import httpx
import pytest
from pytest_bdd import given, then

from oauth_conformance.errors import UnexpectedResponseError
from oauth_conformance.http import HttpClient, exchange_id, json_object
from oauth_conformance.netutil import is_loopback
from oauth_conformance.targets.identity import AuthStyle
from oauth_conformance.targets.standards import StandardsTarget
from oauth_conformance.verdicts import Checker

PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
# token_endpoint_auth_methods_supported values and how the suite sends each.
AUTH_STYLES: dict[str, AuthStyle] = {"client_secret_basic": "basic", "client_secret_post": "post"}


@given("the discovery document of the authorization server", target_fixture="metadata")
def discovery_document(standards: StandardsTarget, http: HttpClient) -> httpx.Response:
    response = http.get(standards.identity.discovery_url)
    if response.status_code == 404:
        pytest.skip(f"no discovery document at {standards.identity.discovery_url} (HTTP 404)")
    if json_object(response) is None:
        raise UnexpectedResponseError(
            f"discovery answered HTTP {response.status_code} without a JSON object", exchange_id(response)
        )
    return response


def _meta(metadata: httpx.Response) -> dict[str, Any]:
    return json_object(metadata) or {}


@pytest.fixture
def key_set(metadata: httpx.Response, http: HttpClient) -> httpx.Response:
    uri = _meta(metadata).get("jwks_uri")
    if not isinstance(uri, str):
        pytest.skip("the metadata names no jwks_uri")
    return http.get(uri)


def _keys(key_set: httpx.Response) -> list[dict[str, Any]]:
    keys = (json_object(key_set) or {}).get("keys")
    return [k for k in keys if isinstance(k, dict)] if isinstance(keys, list) else []


@then("the metadata is served as JSON with no empty array values")
def metadata_json(metadata: httpx.Response, checker: Checker) -> None:
    media_type = metadata.headers.get("content-type", "").split(";")[0].strip().lower()
    empty = [name for name, value in _meta(metadata).items() if value == []]
    published = metadata.status_code == 200 and media_type == "application/json"
    # The discovery Given fetched the OpenID well-known location (appended to the issuer), which
    # RFC 8414 §5 accepts for servers that also speak OpenID Connect.
    checker.require_each(
        [
            ("RFC8414-3.2-json", published and not empty,
             f"HTTP {metadata.status_code}, Content-Type {media_type!r}, empty arrays: {empty or 'none'}"),
            ("RFC9700-2.6-publish-metadata", published, f"metadata at {metadata.request.url}"),
            ("RFC8414-3-path", published and metadata.request.method == "GET",
             f"GET {metadata.request.url.path} → HTTP {metadata.status_code}"),
        ],
        [exchange_id(metadata)],
    )


@then("the metadata has response_types_supported")
def response_types(metadata: httpx.Response, checker: Checker) -> None:
    value = _meta(metadata).get("response_types_supported")
    checker.require("RFC8414-2-response-types", isinstance(value, list) and bool(value),
                    f"response_types_supported={value!r}", [exchange_id(metadata)])


@then("the issuer equals the base URL the discovery document was fetched from")
def issuer_matches(metadata: httpx.Response, standards: StandardsTarget, checker: Checker) -> None:
    issuer = _meta(metadata).get("issuer")
    checker.require(
        "RFC8414-3.3-issuer-match",
        issuer == standards.identity.base_url,
        f"issuer {issuer!r}, fetched from {standards.identity.base_url!r}",
        [exchange_id(metadata)],
    )


@then("the metadata names a token endpoint that issues a token to the client")
def token_endpoint_works(metadata: httpx.Response, standards: StandardsTarget, checker: Checker) -> None:
    endpoint = _meta(metadata).get("token_endpoint")
    result = standards.token()
    checker.require(
        "RFC8414-2-token-endpoint",
        isinstance(endpoint, str) and endpoint == standards.identity.token_endpoint and result.issued,
        f"token_endpoint {endpoint!r}: {result.describe()}",
        [exchange_id(metadata), result.exchange],
    )


@then("grant_types_supported contains client_credentials")
def grant_types(metadata: httpx.Response, standards: StandardsTarget, checker: Checker) -> None:
    grants = _meta(metadata).get("grant_types_supported")
    if grants is None:
        # Some servers publish the member only in their RFC 8414 document, the one that defines it.
        grants = standards.identity.oauth_metadata().get("grant_types_supported")
    checker.require(
        "RFC8414-2-grant-types",
        isinstance(grants, list) and "client_credentials" in grants,
        f"grant_types_supported={grants!r}",
        [exchange_id(metadata)],
    )


@then("each advertised token endpoint authentication method obtains a token")
def auth_methods_work(metadata: httpx.Response, standards: StandardsTarget, checker: Checker) -> None:
    # RFC 8414 §2: omitted means client_secret_basic.
    methods = _meta(metadata).get("token_endpoint_auth_methods_supported", ["client_secret_basic"])
    outcomes = {}
    for method in methods if isinstance(methods, list) else []:
        style = AUTH_STYLES.get(method)
        if style is not None:
            client = standards.client
            outcomes[method] = standards.identity.request_token(client.client_id, client.client_secret, style)
    failing = [m for m, r in outcomes.items() if not r.issued]
    checker.require(
        "RFC8414-2-auth-methods",
        bool(outcomes) and not failing,
        f"advertised {methods!r}; failing: {failing or 'none'}",
        [exchange_id(metadata), *(r.exchange for r in outcomes.values())],
    )


@then("no *_signing_alg_values_supported list contains none")
def no_none(metadata: httpx.Response, checker: Checker) -> None:
    offending = [
        name for name, value in _meta(metadata).items()
        if name.endswith("_signing_alg_values_supported") and isinstance(value, list) and "none" in value
    ]
    checker.require("RFC8414-2-no-none", not offending, f"lists with none: {offending or 'none'}",
                    [exchange_id(metadata)])


@then("the key set is a JSON object with a keys array")
def key_set_shape(key_set: httpx.Response, checker: Checker) -> None:
    media_type = key_set.headers.get("content-type", "").split(";")[0].strip().lower()
    body = json_object(key_set)
    checker.require(
        "RFC7517-5-keys",
        key_set.status_code == 200
        and body is not None
        and isinstance(body.get("keys"), list)
        and media_type in ("application/json", "application/jwk-set+json"),
        f"HTTP {key_set.status_code}, Content-Type {media_type!r}",
        [exchange_id(key_set)],
    )


@then("every key has a kty")
def keys_typed(key_set: httpx.Response, checker: Checker) -> None:
    keys = _keys(key_set)
    untyped = sum(1 for k in keys if not isinstance(k.get("kty"), str))
    checker.require("RFC7517-4.1-kty", bool(keys) and not untyped, f"{untyped} of {len(keys)} keys lack kty",
                    [exchange_id(key_set)])


@then("the kid values are distinct")
def kids_distinct(key_set: httpx.Response, checker: Checker) -> None:
    kids = [k.get("kid") for k in _keys(key_set) if "kid" in k]
    checker.require("RFC7517-4.5-kid-unique", len(kids) == len(set(map(str, kids))), f"kids: {len(kids)}",
                    [exchange_id(key_set)])


@then("no key carries private key material")
def no_private(key_set: httpx.Response, checker: Checker) -> None:
    leaking = [(k.get("kid"), [m for m in PRIVATE_MEMBERS if m in k]) for k in _keys(key_set)]
    leaking = [(kid, members) for kid, members in leaking if members]
    checker.require("RFC7517-9.2-no-private", not leaking, f"keys with private members: {leaking or 'none'}",
                    [exchange_id(key_set)])


def _modulus_bits(key: dict[str, Any]) -> int:
    value = str(key.get("n", ""))
    try:
        return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big").bit_length()
    except ValueError:
        return 0


@then("every RSA key has a modulus of at least 2048 bits")
def rsa_2048(key_set: httpx.Response, checker: Checker) -> None:
    sizes = {str(k.get("kid")): _modulus_bits(k) for k in _keys(key_set) if k.get("kty") == "RSA"}
    checker.require("RFC7518-3.3-rsa-2048", all(bits >= 2048 for bits in sizes.values()),
                    f"RSA modulus sizes: {sizes or 'no RSA keys'}", [exchange_id(key_set)])


@then("no key carries both use and key_ops, and signing keys say use sig")
def use_and_key_ops(key_set: httpx.Response, checker: Checker) -> None:
    both = [k.get("kid") for k in _keys(key_set) if "use" in k and "key_ops" in k]
    wrong_use = [k.get("kid") for k in _keys(key_set) if "use" in k and k.get("use") != "sig"]
    checker.require("RFC7517-4.3-use-keyops", not both and not wrong_use,
                    f"keys with use and key_ops: {both or 'none'}; use other than sig: {wrong_use or 'none'}",
                    [exchange_id(key_set)])


def _https_or_skip(url: object, what: str, metadata: httpx.Response) -> SplitResult:
    parts = urlsplit(url) if isinstance(url, str) else urlsplit("")
    if parts.scheme == "http" and is_loopback(parts.hostname or "") and metadata.request.url.scheme == "http":
        # A test deployment on this machine served over plain http (the bundled mock by default): TLS is
        # not part of what it imitates. Metadata served over https that names http URLs is a finding.
        pytest.skip(f"{what} is plain http on loopback, a local test deployment: the https rule is not checked")
    return parts


@then("the issuer is an https URL without query or fragment")
def issuer_https(metadata: httpx.Response, checker: Checker) -> None:
    issuer = _meta(metadata).get("issuer")
    parts = _https_or_skip(issuer, "the issuer", metadata)
    checker.require("RFC8414-2-issuer", parts.scheme == "https" and not parts.query and not parts.fragment,
                    f"issuer={issuer!r}", [exchange_id(metadata)])


@then("the jwks_uri is an https URL")
def jwks_uri_https(metadata: httpx.Response, checker: Checker) -> None:
    uri = _meta(metadata).get("jwks_uri")
    if uri is None:
        pytest.skip("the metadata names no jwks_uri")
    parts = _https_or_skip(uri, "jwks_uri", metadata)
    checker.require("RFC8414-2-jwks-uri", parts.scheme == "https", f"jwks_uri={uri!r}", [exchange_id(metadata)])
