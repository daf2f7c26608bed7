"""Self-tests of the mock Identity Service: discovery, JWKS, /connect/token, introspection, management API."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import closing
from typing import Any
from urllib.parse import quote_plus

import httpx2
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from oauth_conformance.mock import MockOptions, MockServers, start_mock
from tests.selftest.mock_client import HTTP, admin_session, service

# One worker for the whole file: its module-scoped fixtures (servers, child runs) are set up once.
pytestmark = pytest.mark.xdist_group("test_mock_identity")

# One client for stateless calls: building an httpx2 client costs tens of milliseconds.


# --- helpers --------------------------------

def add_client(session: httpx2.Client, mock: MockServers, name: str) -> dict[str, Any]:
    result = service(session, mock, "AddClient", {"addClientRequest": {
        "name": name, "redirectUrl": "", "applicationUrl": "https://app.example.test",
        "systemUserId": mock.seed.technical_user_id, "grantType": "client_credentials"}})
    assert result["success"], result
    return result


def token(mock: MockServers, data: dict[str, str], **kwargs: Any) -> httpx2.Response:
    return HTTP.post(f"{mock.identity_url}/connect/token", data=data, **kwargs)


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def claims_of(access_token: str) -> dict[str, Any]:
    payload = access_token.split(".")[1]
    result: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return result


def system_token(mock: MockServers, scope: str) -> str:
    response = token(mock, {"grant_type": "client_credentials", "scope": scope},
                     headers=basic("bpmonline-designer", mock.system_setting("OAuth20IdentityServerClientSecret")))
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


class Setup:
    def __init__(self, mock: MockServers) -> None:
        self.mock = mock
        with closing(admin_session(mock)) as session:
            app = add_client(session, mock, "identity self-test")
            disabled = add_client(session, mock, "identity self-test disabled")
            result = service(session, mock, "UpdateClient",
                             {"updateClientRequest": {"clientId": disabled["clientId"], "isActive": False}})
            assert result["success"], result
        self.client_id, self.secret = app["clientId"], app["clientSecret"]
        self.disabled_id, self.disabled_secret = disabled["clientId"], disabled["clientSecret"]

    def post(self) -> dict[str, str]:
        return {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.secret}


@pytest.fixture(scope="module")
def creatio() -> Iterator[Setup]:
    with start_mock(MockOptions()) as mock:
        yield Setup(mock)


@pytest.fixture(scope="module")
def compliant() -> Iterator[Setup]:
    with start_mock(MockOptions(profile="compliant")) as mock:
        yield Setup(mock)


@pytest.fixture(params=["creatio", "compliant"])
def setup(request: pytest.FixtureRequest) -> Setup:
    return request.getfixturevalue(str(request.param))  # type: ignore[no-any-return]


# --- discovery and JWKS ---------------------------------------------------------------------------

def test_discovery_document(creatio: Setup) -> None:
    mock = creatio.mock
    doc = HTTP.get(f"{mock.identity_url}/.well-known/openid-configuration").json()
    assert doc["issuer"] == mock.identity_url
    assert doc["jwks_uri"] == f"{mock.identity_url}/.well-known/openid-configuration/jwks"
    assert doc["token_endpoint"] == f"{mock.identity_url}/connect/token"
    assert doc["introspection_endpoint"] == f"{mock.identity_url}/connect/introspect"
    assert "client_credentials" in doc["grant_types_supported"]
    assert doc["token_endpoint_auth_methods_supported"] == ["client_secret_basic", "client_secret_post"]
    assert mock.seed.default_resource in doc["scopes_supported"]


def test_oauth_metadata_path_only_in_compliant_profile(creatio: Setup, compliant: Setup) -> None:
    path = "/.well-known/oauth-authorization-server"
    assert HTTP.get(creatio.mock.identity_url + path).status_code == 404
    doc = HTTP.get(compliant.mock.identity_url + path).json()
    assert doc["issuer"] == compliant.mock.identity_url


def test_jwks_publishes_one_public_rsa_signing_key(creatio: Setup) -> None:
    response = HTTP.get(f"{creatio.mock.identity_url}/.well-known/openid-configuration/jwks")
    assert response.headers["content-type"].startswith("application/json")
    (key,) = response.json()["keys"]
    assert key["kty"] == "RSA" and key["use"] == "sig" and key["alg"] == "RS256" and key["kid"]
    assert not {"d", "p", "q", "dp", "dq", "qi", "oth", "k"} & key.keys()
    modulus = base64.urlsafe_b64decode(key["n"] + "=" * (-len(key["n"]) % 4))
    assert len(modulus) * 8 == 2048


def test_paths_are_case_insensitive(creatio: Setup) -> None:
    response = HTTP.get(f"{creatio.mock.identity_url}/.WELL-KNOWN/OpenID-Configuration")
    assert response.status_code == 200


# --- token issuance -------------------------------------------------------------------------------

def test_token_with_client_secret_post(creatio: Setup) -> None:
    response = token(creatio.mock, creatio.post())
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["access_token", "expires_in", "token_type", "scope"]
    assert body["expires_in"] == 3600 and body["token_type"] == "Bearer"
    assert body["scope"] == creatio.mock.seed.default_resource
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store, no-cache, max-age=0"
    assert response.headers["pragma"] == "no-cache"


def test_token_with_client_secret_basic(setup: Setup) -> None:
    response = token(setup.mock, {"grant_type": "client_credentials"}, headers=basic(setup.client_id, setup.secret))
    assert response.status_code == 200
    assert "refresh_token" not in response.json()


def test_compliant_token_headers(compliant: Setup) -> None:
    response = token(compliant.mock, compliant.post())
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"


def test_basic_credentials_are_form_urldecoded(creatio: Setup) -> None:
    mock = creatio.mock
    client_id, secret = "conf:id+1 £", "s3cr%t + € :x"
    management = system_token(mock, "add_registrar_client IdentityServerApi")
    created = HTTP.post(f"{mock.identity_url}/clients/addregistrar",
                         headers={"Authorization": f"Bearer {management}"},
                         json={"ClientId": client_id, "ClientSecret": secret, "ClientName": "odd characters"})
    assert created.status_code == 200, created.text
    scoped = system_token(mock, "update_client IdentityServerApi")
    granted = HTTP.post(f"{mock.identity_url}/Clients/scopes",
                         headers={"Authorization": f"Bearer {scoped}"},
                         json={"ClientId": client_id, "AllowedScopes": [mock.seed.default_resource]})
    assert granted.status_code == 200, granted.text
    response = token(mock, {"grant_type": "client_credentials"}, headers=basic(client_id, secret))
    assert response.status_code == 200, response.text
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    # The raw (not form-encoded) value decodes differently: "+" becomes a space.
    assert token(mock, {"grant_type": "client_credentials"},
                 headers={"Authorization": f"Basic {raw}"}).status_code == 400


def test_jwt_verifies_against_jwks_with_expected_claims(setup: Setup) -> None:
    mock = setup.mock
    access_token = token(mock, setup.post()).json()["access_token"]
    jwks = HTTP.get(f"{mock.identity_url}/.well-known/openid-configuration/jwks").json()
    decoded = jwt.decode(access_token, KeySet.import_key_set(jwks), algorithms=["RS256"])
    assert decoded.header["alg"] == "RS256"
    assert decoded.header["kid"] == jwks["keys"][0]["kid"]
    assert decoded.header["typ"] == "at+jwt"
    claims = decoded.claims
    assert claims["iss"] == mock.identity_url
    assert claims["aud"] == mock.seed.default_resource
    assert claims["scope"] == mock.seed.default_resource
    assert claims["client_id"] == setup.client_id
    assert claims["prop:SysAdminUnitId"] == mock.seed.technical_user_id
    assert claims["exp"] - claims["iat"] == mock.options.lifetime and claims["nbf"] == claims["iat"]
    assert mock.options.lifetime == (3600 if mock.options.profile == "creatio" else 600)
    assert len(claims["jti"]) == 32
    if mock.options.profile == "creatio":
        assert "sub" not in claims
    else:
        assert claims["sub"] == setup.client_id


def test_tokens_are_unique(creatio: Setup) -> None:
    first, second = (token(creatio.mock, creatio.post()).json()["access_token"] for _ in range(2))
    assert first != second


# --- token errors ---------------------------------------------------------------------------------

def _bad_credentials(setup: Setup, case: str) -> tuple[str, str]:
    return {
        "wrong-secret": (setup.client_id, "0" * 64),
        "unknown-client": ("F" * 32, setup.secret),
        "disabled-client": (setup.disabled_id, setup.disabled_secret),
        "no-secret": (setup.client_id, ""),
    }[case]


CASES = ["wrong-secret", "unknown-client", "disabled-client", "no-secret"]


@pytest.mark.parametrize("style", ["post", "basic"])
@pytest.mark.parametrize("case", CASES)
def test_invalid_client_creatio_profile(creatio: Setup, case: str, style: str) -> None:
    client_id, secret = _bad_credentials(creatio, case)
    if style == "post":
        response = token(creatio.mock, {"grant_type": "client_credentials", "client_id": client_id,
                                        "client_secret": secret})
    else:
        response = token(creatio.mock, {"grant_type": "client_credentials"}, headers=basic(client_id, secret))
    # [INF] IdentityServer: 400 even with Basic, and no challenge.
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_client"}
    assert "www-authenticate" not in response.headers
    assert response.headers["cache-control"] == "no-store, no-cache, max-age=0"


@pytest.mark.parametrize("style", ["post", "basic"])
@pytest.mark.parametrize("case", CASES)
def test_invalid_client_compliant_profile(compliant: Setup, case: str, style: str) -> None:
    client_id, secret = _bad_credentials(compliant, case)
    if style == "post":
        response = token(compliant.mock, {"grant_type": "client_credentials", "client_id": client_id,
                                          "client_secret": secret})
    else:
        response = token(compliant.mock, {"grant_type": "client_credentials"}, headers=basic(client_id, secret))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic ")
    assert response.json()["error"] == "invalid_client"
    assert response.headers["cache-control"] == "no-store"


def test_no_credentials_at_all(setup: Setup) -> None:
    response = token(setup.mock, {"grant_type": "client_credentials"})
    assert response.json()["error"] == "invalid_client"


def test_credentials_in_query_string_are_ignored(setup: Setup) -> None:
    response = HTTP.post(f"{setup.mock.identity_url}/connect/token", params=setup.post())
    assert response.json()["error"] in ("invalid_client", "invalid_request")


def test_missing_grant_type(creatio: Setup, compliant: Setup) -> None:
    for setup, expected in ((creatio, "unsupported_grant_type"), (compliant, "invalid_request")):
        data = setup.post()
        del data["grant_type"]
        response = token(setup.mock, data)
        assert (response.status_code, response.json()["error"]) == (400, expected)


@pytest.mark.parametrize(("grant", "error"), [("urn:example:unknown", "unsupported_grant_type"),
                                              ("password", "unauthorized_client")])
def test_other_grant_types(setup: Setup, grant: str, error: str) -> None:
    response = token(setup.mock, {**setup.post(), "grant_type": grant})
    assert (response.status_code, response.json()["error"]) == (400, error)


def test_get_is_refused(creatio: Setup, compliant: Setup) -> None:
    response = HTTP.get(f"{creatio.mock.identity_url}/connect/token", params=creatio.post())
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
    response = HTTP.get(f"{compliant.mock.identity_url}/connect/token", params=compliant.post())
    assert response.status_code == 405 and response.headers["allow"] == "POST"


def test_json_body_is_refused(setup: Setup) -> None:
    response = HTTP.post(f"{setup.mock.identity_url}/connect/token", json=setup.post())
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")


def test_basic_and_body_credentials_together(creatio: Setup, compliant: Setup) -> None:
    # compliant: RFC 6749 §2.3 → invalid_request; creatio: [INF] the Basic parser wins.
    data = {**compliant.post(), "client_secret": "0" * 64}
    response = token(compliant.mock, data, headers=basic(compliant.client_id, compliant.secret))
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
    data = {**creatio.post(), "client_secret": "0" * 64}
    response = token(creatio.mock, data, headers=basic(creatio.client_id, creatio.secret))
    assert response.status_code == 200


def test_duplicated_parameter(creatio: Setup, compliant: Setup) -> None:
    for setup, expected in ((creatio, "unsupported_grant_type"), (compliant, "invalid_request")):
        body = "&".join(f"{k}={v}" for k, v in setup.post().items()) + "&grant_type=client_credentials"
        response = HTTP.post(f"{setup.mock.identity_url}/connect/token", content=body,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert (response.status_code, response.json()["error"]) == (400, expected)


def test_scope_parameter(setup: Setup) -> None:
    resource = setup.mock.seed.default_resource
    granted = token(setup.mock, {**setup.post(), "scope": resource})
    assert granted.status_code == 200 and granted.json()["scope"] == resource
    empty = token(setup.mock, {**setup.post(), "scope": ""})
    assert empty.status_code == 200 and empty.json()["scope"] == resource
    refused = token(setup.mock, {**setup.post(), "scope": f"{resource} other"})
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_scope")


def test_unknown_parameters_are_ignored(setup: Setup) -> None:
    assert token(setup.mock, {**setup.post(), "foo": "bar"}).status_code == 200


# --- introspection --------------------------------------------------------------------------------

def test_introspection(creatio: Setup) -> None:
    mock = creatio.mock
    url = f"{mock.identity_url}/connect/introspect"
    access_token = token(mock, creatio.post()).json()["access_token"]
    assert HTTP.post(url, data={"token": access_token}).status_code == 401
    system = basic("bpmonline-designer", mock.system_setting("OAuth20IdentityServerClientSecret"))
    active = HTTP.post(url, data={"token": access_token}, headers=system).json()
    assert active["active"] is True and active["client_id"] == creatio.client_id
    assert active["scope"] == mock.seed.default_resource
    inactive = HTTP.post(url, data={"token": "not-a-token"}, headers=system)
    assert inactive.json() == {"active": False}


# --- management API -------------------------------------------------------------------------------

def test_management_api_requires_system_token_with_scope(creatio: Setup) -> None:
    mock = creatio.mock
    url = f"{mock.identity_url}/clients/{creatio.client_id}"
    assert HTTP.get(url).status_code == 401
    integration_token = token(mock, creatio.post()).json()["access_token"]
    assert HTTP.get(url, headers={"Authorization": f"Bearer {integration_token}"}).status_code == 403
    wrong_scope = system_token(mock, "get_resource_list IdentityServerApi")
    assert HTTP.get(url, headers={"Authorization": f"Bearer {wrong_scope}"}).status_code == 403
    right = system_token(mock, "get_client_info IdentityServerApi")
    response = HTTP.get(url.replace("/clients/", "/CLIENTS/"), headers={"Authorization": f"Bearer {right}"})
    assert response.status_code == 200
    info = response.json()
    assert info["ClientId"] == creatio.client_id and info["Enabled"] is True
    assert info["AllowedScopes"] == [mock.seed.default_resource]
    assert info["Properties"] == {"SysAdminUnitId": mock.seed.technical_user_id}
    assert "ClientSecret" not in info


def test_management_api_unknown_client_is_404(creatio: Setup) -> None:
    mock = creatio.mock
    for method, scope in (("GET", "get_client_info"), ("DELETE", "remove_client")):
        bearer = system_token(mock, f"{scope} IdentityServerApi")
        response = HTTP.request(method, f"{mock.identity_url}/clients/{'0' * 32}",
                                 headers={"Authorization": f"Bearer {bearer}"})
        assert response.status_code == 404


def test_owned_resources_list(creatio: Setup) -> None:
    mock = creatio.mock
    bearer = system_token(mock, "get_resource_list IdentityServerApi")
    response = HTTP.post(f"{mock.identity_url}/OwnedResources/list", json={},
                          headers={"Authorization": f"Bearer {bearer}"})
    assert [r["Name"] for r in response.json()] == [mock.seed.default_resource]
