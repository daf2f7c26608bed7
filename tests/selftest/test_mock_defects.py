"""Self-tests of the mock's fault switches: each defect and benign variant does what it says."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest

from oauth_conformance.mock import BENIGN, DEFECTS, Defect, MockOptions, MockServers, start_mock
from tests.selftest.mock_client import HTTP

# One worker for the whole file: its module-scoped fixtures (servers, child runs) are set up once.
pytestmark = pytest.mark.xdist_group("test_mock_defects")

# --- helpers --------------------------------

class Mock:
    def __init__(self, servers: MockServers) -> None:
        self.servers = servers
        self.admin = httpx2.Client(base_url=servers.creatio_url, trust_env=False, timeout=10, verify=False)
        login = self.admin.post("/ServiceModel/AuthService.svc/Login",
                                json={"UserName": servers.admin_user, "UserPassword": servers.admin_password})
        assert login.json()["Code"] == 0
        self.admin.headers["BPMCSRF"] = self.admin.cookies["BPMCSRF"]

    def service(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.admin.post(f"/0/rest/OAuthConfigService/{method}", json=body)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()[f"{method}Result"]
        return result

    def add_request(self, name: str, user_id: str | None = None) -> dict[str, Any]:
        """A complete AddClient body for the default generation (8.3)."""
        return {"addClientRequest": {"name": name, "redirectUrl": "", "applicationUrl": APP_URL,
                                     "systemUserId": user_id or self.servers.seed.technical_user_id,
                                     "grantType": "client_credentials"}}

    def add_client(self, name: str = "defect self-test", user_id: str | None = None) -> dict[str, Any]:
        result = self.service("AddClient", self.add_request(name, user_id))
        assert result["success"], result
        return result

    def technical_user(self, name: str) -> tuple[str, str]:
        """AdministrationService/UpdateOrCreateTechnicalUser: the new user's Id and the reply string."""
        user_id = str(uuid.uuid4())
        response = self.admin.post("/0/rest/AdministrationService/UpdateOrCreateTechnicalUser",
                                   json={"Id": user_id, "Name": name, "Active": True})
        assert response.status_code == 200, response.text
        return user_id, str(response.json())

    def update(self, client_id: str, **fields: Any) -> None:
        assert self.service("UpdateClient", {"updateClientRequest": {"clientId": client_id, **fields}})["success"]

    def secret(self, app: dict[str, Any]) -> str:
        return str(self.service("GetClientSecret", {"clientAppId": app["id"]})["clientSecret"])

    def token(self, client_id: str, secret: str) -> httpx2.Response:
        return HTTP.post(f"{self.servers.identity_url}/connect/token",
                         data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})

    def api(self, entity: str, access_token: str) -> httpx2.Response:
        return HTTP.get(f"{self.servers.creatio_url}/0/odata/{entity}",
                        headers={"Authorization": f"Bearer {access_token}"})


APP_URL = "https://app.example.test"


def claims_of(access_token: str) -> dict[str, Any]:
    payload = access_token.split(".")[1]
    result: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return result


@pytest.fixture(scope="module")
def baseline() -> Iterator[Mock]:
    """No switch on: the contrast for every check below."""
    with start_mock(MockOptions()) as servers:
        mock = Mock(servers)
        yield mock
        mock.admin.close()


CHECKS: dict[str, Callable[[Mock], None]] = {}


def check(name: str) -> Callable[[Callable[[Mock], None]], Callable[[Mock], None]]:
    def register(function: Callable[[Mock], None]) -> Callable[[Mock], None]:
        CHECKS[name] = function
        return function

    return register


# --- defects -------------------------------------------------------------------------------------

@check("accept-any-secret")
def accept_any_secret(mock: Mock) -> None:
    app = mock.add_client()
    assert mock.token(app["clientId"], "0" * 64).status_code == 200
    other = mock.add_client("another integration")
    assert mock.token(app["clientId"], other["clientSecret"]).status_code == 200
    assert mock.token(app["clientId"], "").status_code == 400  # a secret must still be sent


@check("inactive-client-gets-tokens")
def inactive_client_gets_tokens(mock: Mock) -> None:
    app = mock.add_client()
    mock.update(app["clientId"], isActive=False)
    assert mock.token(app["clientId"], app["clientSecret"]).status_code == 200


@check("edit-rotates-secret")
def edit_rotates_secret(mock: Mock) -> None:
    app = mock.add_client()
    mock.update(app["clientId"], isActive=False)
    mock.update(app["clientId"], isActive=True)
    assert mock.secret(app) == app["clientSecret"]  # toggling Active alone is not an edit
    mock.update(app["clientId"], name="renamed")
    rotated = mock.secret(app)
    assert rotated != app["clientSecret"]
    assert mock.token(app["clientId"], app["clientSecret"]).status_code == 400
    assert mock.token(app["clientId"], rotated).status_code == 200


@check("reactivate-rotates-secret")
def reactivate_rotates_secret(mock: Mock) -> None:
    app = mock.add_client()
    mock.update(app["clientId"], name="renamed")
    assert mock.secret(app) == app["clientSecret"]
    mock.update(app["clientId"], isActive=False)
    mock.update(app["clientId"], isActive=True)
    rotated = mock.secret(app)
    assert rotated != app["clientSecret"]
    assert mock.token(app["clientId"], app["clientSecret"]).status_code == 400
    assert mock.token(app["clientId"], rotated).status_code == 200


@check("techuser-rights-ignored")
def techuser_rights_ignored(mock: Mock) -> None:
    app = mock.add_client()
    access_token = mock.token(app["clientId"], app["clientSecret"]).json()["access_token"]
    assert mock.api(mock.servers.seed.denied_entity, access_token).status_code == 200


@check("integration-not-listed")
def integration_not_listed(mock: Mock) -> None:
    mock.add_client("via the service")
    listed = mock.admin.get("/0/odata/OAuthClientApp")
    assert "via the service" not in [row["Name"] for row in listed.json()["value"]]
    found = mock.admin.get("/0/odata/OAuthClientApp", params={"$filter": "Name eq 'via the service'"})
    assert len(found.json()["value"]) == 1
    mock.admin.post("/0/odata/OAuthClientApp",
                    json={"Name": "via odata", "SystemUserId": mock.servers.seed.technical_user_id})
    listed = mock.admin.get("/0/odata/OAuthClientApp", params={"$filter": "Name eq 'via odata'"})
    assert len(listed.json()["value"]) == 1


@check("edit-ignored")
def edit_ignored(mock: Mock) -> None:
    app = mock.add_client("original")
    url = f"/0/odata/OAuthClientApp({app['id']})"
    patch = mock.admin.patch(url, json={"Name": "edited", "Description": "d", "ApplicationUrl": "https://x.example",
                                        "IsActive": False})
    assert patch.status_code == 204
    row = mock.admin.get(url).json()
    assert (row["Name"], row["Description"], row["ApplicationUrl"]) == ("original", "", APP_URL)
    assert row["IsActive"] is False


@check("techuser-wrong-type")
def techuser_wrong_type(mock: Mock) -> None:
    user_id, reply = mock.technical_user("typed")
    assert reply == ""
    assert mock.admin.get(f"/0/odata/SysAdminUnit({user_id})").json()["SysAdminUnitTypeValue"] == 4


@check("unnamed-user-created")
def unnamed_user_created(mock: Mock) -> None:
    before = mock.servers.snapshot()["users"]
    user_id, reply = mock.technical_user("")
    assert reply  # the refusal message still comes back...
    row = mock.admin.get(f"/0/odata/SysAdminUnit({user_id})")
    assert row.status_code == 200 and row.json()["Name"] == ""  # ...but the nameless user was stored
    assert mock.servers.snapshot()["users"] == sorted([*before, ""])


@check("delete-user-refused")
def delete_user_refused(mock: Mock) -> None:
    user_id, reply = mock.technical_user("undeletable")
    assert reply == ""
    answer = mock.admin.post("/0/rest/AdministrationService/DeleteUser", json={"userId": user_id})
    result = json.loads(answer.json()["DeleteUserResult"])
    assert result["Success"] is False and result["IsSecurityException"] is True
    assert mock.admin.get(f"/0/odata/SysAdminUnit({user_id})").status_code == 200


@check("health-flags-wrong")
def health_flags_wrong(mock: Mock) -> None:
    response = mock.admin.get("/0/api/OAuthHealthCheck")
    assert response.status_code == 200
    body = response.json()
    assert body["HasProblem"] is False and body["IsAccessTokenRetrievableForSystemActions"] is False


@check("health-green-identity-down")
def health_green_identity_down(mock: Mock) -> None:
    assert HTTP.get(f"{mock.servers.identity_url}/.well-known/openid-configuration").status_code == 503
    response = mock.admin.get("/0/api/OAuthHealthCheck")
    assert response.status_code == 200 and response.json()["HasProblem"] is False


@check("credential-format-lowercase")
def credential_format_lowercase(mock: Mock) -> None:
    app = mock.add_client()
    client_id, secret = app["clientId"], app["clientSecret"]
    assert (len(client_id), len(secret)) == (32, 64)
    assert all(c in "0123456789abcdef" for c in client_id + secret)
    assert any(c in "abcdef" for c in client_id + secret)  # not merely digits, which have no case
    assert mock.secret(app) == secret
    assert mock.token(client_id, secret).status_code == 200


@check("techuser-choice-ignored")
def techuser_choice_ignored(mock: Mock) -> None:
    seed = mock.servers.seed
    app = mock.add_client()  # asks for the seeded technical user (type 7)
    row = mock.admin.get(f"/0/odata/OAuthClientApp({app['id']})").json()
    assert row["SystemUserId"] == seed.admin_user_id
    posted = mock.admin.post("/0/odata/OAuthClientApp",
                             json={"Name": "via odata", "SystemUserId": seed.technical_user_id})
    assert posted.status_code == 201 and posted.json()["SystemUserId"] == seed.admin_user_id
    # A technical user created just for the integration is type 7 too, so it is ignored as well.
    created, _ = mock.technical_user("fresh")
    fresh = mock.add_client("fresh", created)
    assert mock.admin.get(f"/0/odata/OAuthClientApp({fresh['id']})").json()["SystemUserId"] == seed.admin_user_id
    # The IS client's SysAdminUnitId follows the bound user, so the token acts as the admin.
    access_token = mock.token(app["clientId"], app["clientSecret"]).json()["access_token"]
    assert claims_of(access_token)["prop:SysAdminUnitId"] == seed.admin_user_id
    assert mock.api(seed.denied_entity, access_token).status_code == 200


@check("basic-auth-rejected")
def basic_auth_rejected(mock: Mock) -> None:
    app = mock.add_client()
    basic = HTTP.post(f"{mock.servers.identity_url}/connect/token", data={"grant_type": "client_credentials"},
                      auth=(app["clientId"], app["clientSecret"]))
    assert basic.status_code == 400 and basic.json()["error"] == "invalid_client"
    assert mock.token(app["clientId"], app["clientSecret"]).status_code == 200  # the body form still works
    # Creatio's own system client authenticates with Basic: still fine, so the diagnostics stay green.
    assert mock.admin.get("/0/api/OAuthHealthCheck").json()["HasProblem"] is False


@check("body-credentials-rejected")
def body_credentials_rejected(mock: Mock) -> None:
    app = mock.add_client()
    body = mock.token(app["clientId"], app["clientSecret"])
    assert body.status_code == 400 and body.json()["error"] == "invalid_client"
    basic = HTTP.post(f"{mock.servers.identity_url}/connect/token", data={"grant_type": "client_credentials"},
                      auth=(app["clientId"], app["clientSecret"]))
    assert basic.status_code == 200  # Basic still works
    assert mock.admin.get("/0/api/OAuthHealthCheck").json()["HasProblem"] is False


@check("secret-not-returned")
def secret_not_returned(mock: Mock) -> None:
    result = mock.service("AddClient", mock.add_request("no secret"))
    assert result["success"] is True and result["clientId"]
    assert "clientSecret" not in result


@check("delete-leaves-client-usable")
def delete_leaves_client_usable(mock: Mock) -> None:
    app = mock.add_client("deleted then used")
    assert mock.service("DeleteClient", {"deleteClientRequest": {"clientId": app["clientId"]}})["success"]
    assert mock.token(app["clientId"], app["clientSecret"]).status_code == 200


@check("token-wrong-user-claim")
def token_wrong_user_claim(mock: Mock) -> None:
    seed = mock.servers.seed
    app = mock.add_client()
    row = mock.admin.get(f"/0/odata/OAuthClientApp({app['id']})").json()
    assert row["SystemUserId"] == seed.technical_user_id  # Creatio's record is right; the token is not
    access_token = mock.token(app["clientId"], app["clientSecret"]).json()["access_token"]
    assert claims_of(access_token)["prop:SysAdminUnitId"] == seed.admin_user_id
    assert mock.api(seed.denied_entity, access_token).status_code == 200  # Creatio maps it to the admin
    # The system client's tokens are untouched, and Creatio's calls with them still work.
    system = HTTP.post(f"{mock.servers.identity_url}/connect/token",
                       data={"grant_type": "client_credentials", "scope": "get_resource_list IdentityServerApi"},
                       auth=("bpmonline-designer", mock.servers.system_setting("OAuth20IdentityServerClientSecret")))
    assert system.status_code == 200
    assert "prop:SysAdminUnitId" not in claims_of(system.json()["access_token"])
    assert mock.admin.get("/0/api/OAuthHealthCheck").json()["HasProblem"] is False


@check("deactivate-all-clients-of-user")
def deactivate_all_clients_of_user(mock: Mock) -> None:
    other_user, _ = mock.technical_user("bystander")
    bystander = mock.add_client("bystander", other_user)
    for deactivate in ("UpdateClient", "OData PATCH"):
        first, second = mock.add_client(f"{deactivate} first"), mock.add_client(f"{deactivate} second")
        if deactivate == "UpdateClient":
            mock.update(first["clientId"], isActive=False)
        else:
            patch = mock.admin.patch(f"/0/odata/OAuthClientApp({first['id']})", json={"IsActive": False})
            assert patch.status_code == 204
        assert mock.admin.get(f"/0/odata/OAuthClientApp({second['id']})").json()["IsActive"] is False
        refused = mock.token(second["clientId"], second["clientSecret"])
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_client"
    # An integration bound to a different user is left alone.
    assert mock.token(bystander["clientId"], bystander["clientSecret"]).status_code == 200


def _token_url(mock: Mock) -> str:
    return f"{mock.servers.identity_url}/connect/token"


def _form(app: dict[str, Any], **extra: str) -> dict[str, str]:
    return {"grant_type": "client_credentials", "client_id": app["clientId"], "client_secret": app["clientSecret"],
            **extra}


@check("refresh-token-issued")
def refresh_token_issued(mock: Mock) -> None:
    app = mock.add_client()
    body = mock.token(app["clientId"], app["clientSecret"]).json()
    assert body.get("refresh_token") and body["expires_in"] and body["access_token"]


@check("no-store-missing")
def no_store_missing(mock: Mock) -> None:
    app = mock.add_client()
    response = mock.token(app["clientId"], app["clientSecret"])
    assert response.status_code == 200 and "no-store" not in response.headers["cache-control"]
    assert response.headers["pragma"] == "no-cache"


@check("pragma-missing")
def pragma_missing(mock: Mock) -> None:
    app = mock.add_client()
    response = mock.token(app["clientId"], app["clientSecret"])
    assert response.status_code == 200 and "pragma" not in response.headers
    assert "no-store" in response.headers["cache-control"]


@check("expires-in-string")
def expires_in_string(mock: Mock) -> None:
    app = mock.add_client()
    expires_in = mock.token(app["clientId"], app["clientSecret"]).json()["expires_in"]
    assert isinstance(expires_in, str) and int(expires_in) > 0


@check("token-json-as-text")
def token_json_as_text(mock: Mock) -> None:
    app = mock.add_client()
    response = mock.token(app["clientId"], app["clientSecret"])
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    assert json.loads(response.text)["access_token"]


@check("get-accepted-at-token-endpoint")
def get_accepted_at_token_endpoint(mock: Mock) -> None:
    app = mock.add_client()
    response = HTTP.get(_token_url(mock), params=_form(app))
    assert response.status_code == 200 and response.json()["access_token"]


@check("credentials-in-query-accepted")
def credentials_in_query_accepted(mock: Mock) -> None:
    app = mock.add_client()
    response = HTTP.post(_token_url(mock), params=_form(app))
    assert response.status_code == 200 and response.json()["access_token"]


@check("password-grant-accepted")
def password_grant_accepted(mock: Mock) -> None:
    app = mock.add_client()
    response = HTTP.post(_token_url(mock), data=_form(app, grant_type="password", username="x", password="y"))
    assert response.status_code == 200 and response.json()["access_token"]
    assert mock.token(app["clientId"], app["clientSecret"]).status_code == 200


@check("unknown-param-rejected")
def unknown_param_rejected(mock: Mock) -> None:
    app = mock.add_client()
    response = HTTP.post(_token_url(mock), data=_form(app, foo="bar"))
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    assert mock.token(app["clientId"], app["clientSecret"]).status_code == 200


@check("empty-scope-rejected")
def empty_scope_rejected(mock: Mock) -> None:
    app = mock.add_client()
    response = HTTP.post(_token_url(mock), data=_form(app, scope=""))
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"
    assert mock.token(app["clientId"], app["clientSecret"]).status_code == 200


def _discovery(mock: Mock) -> dict[str, Any]:
    result: dict[str, Any] = HTTP.get(f"{mock.servers.identity_url}/.well-known/openid-configuration").json()
    return result


def _jwks(mock: Mock) -> list[dict[str, Any]]:
    keys: list[dict[str, Any]] = HTTP.get(_discovery(mock)["jwks_uri"]).json()["keys"]
    return keys


def _header_of(access_token: str) -> dict[str, Any]:
    head = access_token.split(".")[0]
    result: dict[str, Any] = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    return result


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _modulus_bits(key: dict[str, Any]) -> int:
    n = key["n"]
    return int.from_bytes(base64.urlsafe_b64decode(n + "=" * (-len(n) % 4)), "big").bit_length()


@check("issuer-mismatch")
def issuer_mismatch(mock: Mock) -> None:
    issuer = _discovery(mock)["issuer"]
    assert issuer == mock.servers.identity_url + "/identity"
    access_token = _issue_token(mock)
    assert claims_of(access_token)["iss"] == issuer  # tokens agree with discovery, so the API accepts them
    assert mock.api(mock.servers.seed.allowed_entity, access_token).status_code == 200


@check("private-key-in-jwks")
def private_key_in_jwks(mock: Mock) -> None:
    assert {"d", "p", "q"} <= set(_jwks(mock)[0])


@check("rsa-1024-key")
def rsa_1024_key(mock: Mock) -> None:
    assert _modulus_bits(_jwks(mock)[0]) == 1024
    assert mock.api(mock.servers.seed.allowed_entity, _issue_token(mock)).status_code == 200


@check("duplicate-kid")
def duplicate_kid(mock: Mock) -> None:
    keys = _jwks(mock)
    assert len(keys) == 2 and keys[0]["kid"] == keys[1]["kid"] and keys[0]["n"] != keys[1]["n"]


@check("token-typ-jwt")
def token_typ_jwt(mock: Mock) -> None:
    access_token = _issue_token(mock)
    assert _header_of(access_token)["typ"] == "JWT"


@check("discovery-advertises-none-alg")
def discovery_advertises_none_alg(mock: Mock) -> None:
    assert "none" in _discovery(mock)["id_token_signing_alg_values_supported"]


@check("api-accepts-alg-none")
def api_accepts_alg_none(mock: Mock) -> None:
    head, body, _ = _issue_token(mock).split(".")
    forged = f"{_b64({**_header_of(head + '..'), 'alg': 'none'})}.{body}."
    assert mock.api(mock.servers.seed.allowed_entity, forged).status_code == 200


@check("api-accepts-unknown-kid")
def api_accepts_unknown_kid(mock: Mock) -> None:
    head, body, signature = _issue_token(mock).split(".")
    forged = f"{_b64({**_header_of(head + '..'), 'kid': 'made-up'})}.{body}.{signature}"
    assert mock.api(mock.servers.seed.allowed_entity, forged).status_code == 200
    tampered = f"{head}.{body}.{signature[:-4]}AAAA"
    assert mock.api(mock.servers.seed.allowed_entity, tampered).status_code == 401  # known kids still verify


def _issue_token(mock: Mock) -> str:
    app = mock.add_client()
    response = mock.token(app["clientId"], app["clientSecret"])
    assert response.status_code == 200
    return str(response.json()["access_token"])


# --- benign variants -----------------------------------------------------------------------------

def _issue(mock: Mock) -> httpx2.Response:
    app = mock.add_client()
    response = mock.token(app["clientId"], app["clientSecret"])
    assert response.status_code == 200
    assert mock.api(mock.servers.seed.allowed_entity, response.json()["access_token"]).status_code == 200
    return response


@check("lowercase-token-type")
def lowercase_token_type(mock: Mock) -> None:
    assert _issue(mock).json()["token_type"] == "bearer"


@check("extra-token-fields")
def extra_token_fields(mock: Mock) -> None:
    body = _issue(mock).json()
    assert next(iter(body)) != "access_token"
    assert set(body) - {"access_token", "expires_in", "token_type", "scope"}


@check("json-charset")
def json_charset(mock: Mock) -> None:
    assert _issue(mock).headers["content-type"] == "application/json; charset=utf-8"


@check("short-token-lifetime")
def short_token_lifetime(mock: Mock) -> None:
    response = _issue(mock)
    claims = claims_of(response.json()["access_token"])
    assert response.json()["expires_in"] == 900 and claims["exp"] - claims["iat"] == 900


@check("cache-control-extra")
def cache_control_extra(mock: Mock) -> None:
    response = _issue(mock)
    assert response.headers["cache-control"] == "no-store, no-cache, private"
    assert response.headers["pragma"] == "no-cache"


@check("second-jwks-key")
def second_jwks_key(mock: Mock) -> None:
    keys = _jwks(mock)
    assert len(keys) == 2 and keys[0]["kid"] != keys[1]["kid"]
    assert _header_of(_issue(mock).json()["access_token"])["kid"] == keys[0]["kid"]


@check("jwks-encryption-key")
def jwks_encryption_key(mock: Mock) -> None:
    keys = _jwks(mock)
    assert [k.get("use") for k in keys] == ["sig", "enc"] and keys[1]["alg"] == "RSA-OAEP"
    assert _header_of(_issue(mock).json()["access_token"])["kid"] == keys[0]["kid"]  # still signed with the first


@check("jwks-ec-key")
def jwks_ec_key(mock: Mock) -> None:
    keys = _jwks(mock)
    assert [(k["kty"], k.get("crv")) for k in keys] == [("RSA", None), ("EC", "P-256")] and keys[1]["alg"] == "ES256"
    assert _header_of(_issue(mock).json()["access_token"])["kid"] == keys[0]["kid"]  # still signed with the RSA key


@check("signing-key-bare")
def signing_key_bare(mock: Mock) -> None:
    (key,) = _jwks(mock)
    assert "use" not in key and "alg" not in key and key["kty"] == "RSA"
    assert _header_of(_issue(mock).json()["access_token"])["kid"] == key["kid"]


@check("different-kid")
def different_kid(mock: Mock) -> None:
    kid = _jwks(mock)[0]["kid"]
    assert len(kid) == 43 and kid != kid.upper()  # base64url SHA-256 thumbprint, not upper-case hex
    assert _header_of(_issue(mock).json()["access_token"])["kid"] == kid


@check("create-technical-user-service")
def create_technical_user_service(mock: Mock) -> None:
    result = mock.service("CreateTechnicalUser", {"createTechnicalUserRequest": {"name": "via the service"}})
    assert result["success"] is True
    user = mock.admin.get(f"/0/odata/SysAdminUnit({result['systemUserId']})").json()
    assert (user["Name"], user["SysAdminUnitTypeValue"], user["Active"]) == ("via the service", 7, True)
    assert mock.add_client("via the service", result["systemUserId"])["success"]


@check("denied-read-empty-list")
def denied_read_empty_list(mock: Mock) -> None:
    app = mock.add_client()
    access_token = mock.token(app["clientId"], app["clientSecret"]).json()["access_token"]
    denied = mock.api(mock.servers.seed.denied_entity, access_token)
    assert denied.status_code == 200 and denied.json()["value"] == []
    assert denied.json()["@odata.context"].endswith(f"$metadata#{mock.servers.seed.denied_entity}")
    assert mock.api(mock.servers.seed.allowed_entity, access_token).json()["value"]  # allowed reads still answer


@check("deactivation-delay")
def deactivation_delay(mock: Mock) -> None:
    app = mock.add_client()
    assert mock.token(app["clientId"], app["clientSecret"]).status_code == 200  # the client is now cached
    mock.update(app["clientId"], isActive=False)
    late = mock.token(app["clientId"], app["clientSecret"])
    assert late.status_code == 200
    # The Creatio API checks the row itself, so the late token reads nothing.
    assert mock.api(mock.servers.seed.allowed_entity, late.json()["access_token"]).status_code == 401
    time.sleep(1.6)
    assert mock.token(app["clientId"], app["clientSecret"]).status_code == 400
    mock.update(app["clientId"], isActive=True)
    assert mock.token(app["clientId"], app["clientSecret"]).status_code == 200  # a re-activation is seen at once


# --- the tests -----------------------------------------------------------------------------------

# The switches of the creatio profile each have a direct wire check here. Those of the compliant
# profile (the standards checks' defects) are shown by the kill matrix alone: each trips exactly its
# requirements against the compliant baseline, which trips nothing (tests/selftest/test_kill_matrix.py).
# The search-only switches have wire tests of their own (test_mock_sequence_defects.py, test_mock_input_defects.py).
CREATIO_SWITCHES = {n for n, d in {**DEFECTS, **BENIGN}.items() if d.profile == "creatio" and d.kind == "scenario"}


def test_every_creatio_profile_switch_has_a_check() -> None:
    assert set(CHECKS) == CREATIO_SWITCHES


def test_catalogue_shape() -> None:
    assert not set(DEFECTS) & set(BENIGN)
    for name, defect in DEFECTS.items():
        assert isinstance(defect, Defect) and defect.name == name and defect.description and defect.expected
    for name, variant in BENIGN.items():
        assert variant.name == name and variant.expected == frozenset()


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_switch_does_what_it_says(name: str) -> None:
    with start_mock(MockOptions(defects=frozenset({name}))) as servers:
        mock = Mock(servers)
        try:
            CHECKS[name](mock)
        finally:
            mock.admin.close()


@pytest.mark.parametrize("name", sorted(set(DEFECTS) & CREATIO_SWITCHES))
def test_baseline_does_not_show_the_defect(baseline: Mock, name: str) -> None:
    with pytest.raises(AssertionError):
        CHECKS[name](baseline)


def test_unknown_defect_name_is_refused() -> None:
    with pytest.raises(ValueError, match="no-such-defect") as error:
        MockOptions(defects=frozenset({"no-such-defect"}))
    assert "accept-any-secret" in str(error.value)


# --- resource indicators, and the compliant switches of the cross-checks ------------------------
# The compliant switches are shown by the kill matrix; these wire checks show what the checks rest on:
# the baseline honours a resource indicator (so RFC 9068 §3's check is decided on a clean run), and each
# switch makes the difference its description names.

def _token_for(mock: Mock, **extra: str) -> httpx2.Response:
    app = mock.add_client()
    return HTTP.post(f"{mock.servers.identity_url}/connect/token",
                     data={"grant_type": "client_credentials", "client_id": app["clientId"],
                           "client_secret": app["clientSecret"], **extra})


def test_a_requested_resource_is_the_audience_and_a_malformed_one_is_refused(baseline: Mock) -> None:
    creatio = baseline.servers.creatio_url
    for resource in (creatio, f"{creatio}/0/odata", "urn:occ:resource"):
        issued = _token_for(baseline, resource=resource)
        assert issued.status_code == 200 and claims_of(issued.json()["access_token"])["aud"] == resource
    for malformed in ("ApplicationAccess", f"{creatio}#fragment"):
        refused = _token_for(baseline, resource=malformed)
        assert (refused.status_code, refused.json()["error"]) == (400, "invalid_target"), malformed
    default = claims_of(_token_for(baseline).json()["access_token"])
    assert default["aud"] == baseline.servers.seed.default_resource
    # The API serves only tokens for its own (default) resource.
    foreign = _token_for(baseline, resource="urn:occ:another-resource").json()["access_token"]
    assert baseline.api(baseline.servers.seed.allowed_entity, foreign).status_code == 401


def test_cross_check_switches_do_what_they_say() -> None:
    switches = {"token-scope-claim-widened", "device-authorization-advertised-dead", "metadata-no-response-types",
                "api-ignores-audience"}
    with start_mock(MockOptions(profile="compliant", defects=frozenset(switches))) as servers:
        mock = Mock(servers)
        try:
            issued = _token_for(mock).json()
            assert claims_of(issued["access_token"])["scope"].split() == [*issued["scope"].split(), "IdentityServerApi"]
            foreign = _token_for(mock, resource="urn:occ:another-resource").json()["access_token"]
            assert claims_of(foreign)["aud"] == "urn:occ:another-resource"
            assert mock.api(servers.seed.allowed_entity, foreign).status_code == 200
            document = _discovery(mock)
            assert HTTP.post(document["device_authorization_endpoint"], data={}).status_code == 404
            # The authorization endpoint "metadata-no-response-types" advertises is there.
            assert HTTP.get(document["authorization_endpoint"]).status_code == 400
        finally:
            mock.admin.close()


def test_token_aud_ignores_resource() -> None:
    with start_mock(MockOptions(profile="compliant", defects=frozenset({"token-aud-ignores-resource"}))) as servers:
        mock = Mock(servers)
        try:
            issued = _token_for(mock, resource=servers.creatio_url)
            assert claims_of(issued.json()["access_token"])["aud"] == servers.seed.default_resource
        finally:
            mock.admin.close()


def test_challenge_variants_do_what_they_say() -> None:
    """The compliant benign variants of the Bearer challenge: the kill matrix shows they trip nothing;
    this shows they are there on the wire."""
    variants = {"challenges-in-separate-fields", "bearer-scheme-lowercase"}
    with start_mock(MockOptions(profile="compliant", defects=frozenset(variants))) as servers:
        mock = Mock(servers)
        try:
            refused = mock.api(servers.seed.allowed_entity, "not-a-valid-token")
            fields = refused.headers.get_list("www-authenticate")
            assert refused.status_code == 401 and fields[0] == 'DPoP algs="ES256"'
            assert fields[1].startswith("bearer realm=")
        finally:
            mock.admin.close()
