"""Self-tests of the mock's fault switches: each defect and benign variant does what it says."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from oauth_conformance.mock import BENIGN, DEFECTS, Defect, MockOptions, MockServers, start_mock
from tests.selftest.mock_client import HTTP

# --- helpers --------------------------------

class Mock:
    def __init__(self, servers: MockServers) -> None:
        self.servers = servers
        self.admin = httpx.Client(base_url=servers.creatio_url, trust_env=False, timeout=10, verify=False)
        login = self.admin.post("/ServiceModel/AuthService.svc/Login",
                                json={"UserName": servers.admin_user, "UserPassword": servers.admin_password})
        assert login.json()["Code"] == 0
        self.admin.headers["BPMCSRF"] = self.admin.cookies["BPMCSRF"]

    def service(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.admin.post(f"/0/rest/OAuthConfigService/{method}", json=body)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()[f"{method}Result"]
        return result

    def add_client(self, name: str = "defect self-test") -> dict[str, Any]:
        result = self.service("AddClient", {"addClientRequest": {
            "name": name, "applicationUrl": "", "systemUserId": self.servers.seed.technical_user_id}})
        assert result["success"], result
        return result

    def update(self, client_id: str, **fields: Any) -> None:
        assert self.service("UpdateClient", {"updateClientRequest": {"clientId": client_id, **fields}})["success"]

    def secret(self, app: dict[str, Any]) -> str:
        return str(self.service("GetClientSecret", {"clientAppId": app["id"]})["clientSecret"])

    def token(self, client_id: str, secret: str) -> httpx.Response:
        return HTTP.post(f"{self.servers.identity_url}/connect/token",
                         data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})

    def api(self, entity: str, access_token: str) -> httpx.Response:
        return HTTP.get(f"{self.servers.creatio_url}/0/odata/{entity}",
                        headers={"Authorization": f"Bearer {access_token}"})


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


@check("name-not-required")
def name_not_required(mock: Mock) -> None:
    result = mock.service("AddClient", {"addClientRequest": {
        "name": "", "applicationUrl": "", "systemUserId": mock.servers.seed.technical_user_id}})
    assert result["success"] is True
    assert "" in mock.servers.snapshot()["integrations"]
    user = mock.service("CreateTechnicalUser", {"createTechnicalUserRequest": {"name": ""}})
    assert user["success"] is True


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
    assert (row["Name"], row["Description"], row["ApplicationUrl"]) == ("original", "", "http://defaulturl.com")
    assert row["IsActive"] is False


@check("techuser-wrong-type")
def techuser_wrong_type(mock: Mock) -> None:
    user_id = mock.service("CreateTechnicalUser", {"createTechnicalUserRequest": {"name": "typed"}})["systemUserId"]
    assert mock.admin.get(f"/0/odata/SysAdminUnit({user_id})").json()["SysAdminUnitTypeValue"] == 4


@check("health-flags-wrong")
def health_flags_wrong(mock: Mock) -> None:
    response = mock.admin.get("/0/api/OAuthHealthCheck")
    assert response.status_code == 200
    body = response.json()
    assert body["HasProblem"] is False and body["IsAccessTokenRetrievableForSystemActions"] is False


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
    created = mock.service("CreateTechnicalUser", {"createTechnicalUserRequest": {"name": "fresh"}})
    fresh = mock.service("AddClient", {"addClientRequest": {
        "name": "fresh", "applicationUrl": "", "systemUserId": created["systemUserId"]}})
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
    result = mock.service("AddClient", {"addClientRequest": {
        "name": "no secret", "applicationUrl": "", "systemUserId": mock.servers.seed.technical_user_id}})
    assert result["success"] is True and result["clientId"]
    assert "clientSecret" not in result


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
    other_user = mock.service("CreateTechnicalUser", {"createTechnicalUserRequest": {"name": "bystander"}})
    bystander = mock.service("AddClient", {"addClientRequest": {
        "name": "bystander", "applicationUrl": "", "systemUserId": other_user["systemUserId"]}})
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


# --- benign variants -----------------------------------------------------------------------------

def _issue(mock: Mock) -> httpx.Response:
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


# --- the tests -----------------------------------------------------------------------------------

def test_every_switch_has_a_check() -> None:
    assert set(CHECKS) == set(DEFECTS) | set(BENIGN)


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


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_baseline_does_not_show_the_defect(baseline: Mock, name: str) -> None:
    with pytest.raises(AssertionError):
        CHECKS[name](baseline)


def test_unknown_defect_name_is_refused() -> None:
    with pytest.raises(ValueError, match="no-such-defect") as error:
        MockOptions(defects=frozenset({"no-such-defect"}))
    assert "accept-any-secret" in str(error.value)
