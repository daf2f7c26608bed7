"""Self-tests of the mock's Creatio generations (8.0–8.3) and hostings, over real HTTP.

Each behaviour that differs between generations is shown on every generation where it differs: the
methods offered, the user types AddClient binds, 8.3's applicationUrl and grantType rules (down to the
token request), AdministrationService, the OData restriction on SysAdminUnit, the health check per
version and path style, the cloud answer, the path markers, 8.0's Identity Service, the seed user's type,
and the switches whose effect depends on the generation.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx2
import pytest

from oauth_conformance.mock import MockOptions, MockServers, start_mock
from tests.selftest.mock_client import HTTP, admin_session

# One worker for the whole file: its module-scoped fixtures (servers, child runs) are set up once.
pytestmark = pytest.mark.xdist_group("test_mock_generations")

VERSIONS = ("8.0", "8.1", "8.2", "8.3")
STYLES = ("netframework", "netcore")
APP_URL = "https://app.example.test"
NIL = "00000000-0000-0000-0000-000000000000"


class Gen:
    """A running mock of one generation with an admin session."""

    def __init__(self, mock: MockServers) -> None:
        self.mock = mock
        self.admin = admin_session(mock)
        self.prefix = mock.options.app_prefix

    def config(self, method: str, body: dict[str, Any]) -> httpx2.Response:
        return self.admin.post(f"{self.prefix}/rest/OAuthConfigService/{method}", json=body)

    def administration(self, method: str, body: dict[str, Any]) -> httpx2.Response:
        return self.admin.post(f"{self.prefix}/rest/AdministrationService/{method}", json=body)

    def add(self, name: str, user_id: str | None = None, **members: Any) -> dict[str, Any]:
        """AddClient with every DTO member (members given as None are left out); its AddClientResult."""
        request = {"name": name, "redirectUrl": "", "applicationUrl": APP_URL,
                   "systemUserId": user_id or self.mock.seed.technical_user_id, **members}
        response = self.config("AddClient", {"addClientRequest": {k: v for k, v in request.items() if v is not None}})
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()["AddClientResult"]
        return result

    def token(self, app: dict[str, Any]) -> httpx2.Response:
        return HTTP.post(f"{self.mock.identity_url}/connect/token", data={
            "grant_type": "client_credentials", "client_id": app["clientId"], "client_secret": app["clientSecret"]})

    def odata(self, path: str) -> str:
        return f"{self.prefix}/odata/{path}"

    def identity_client(self, client_id: str) -> dict[str, Any]:
        secret = self.mock.system_setting("OAuth20IdentityServerClientSecret")
        issued = HTTP.post(f"{self.mock.identity_url}/connect/token", auth=("bpmonline-designer", secret),
                           data={"grant_type": "client_credentials", "scope": "get_client_info IdentityServerApi"})
        bearer = issued.json()["access_token"]
        info: dict[str, Any] = HTTP.get(f"{self.mock.identity_url}/clients/{client_id}",
                                        headers={"Authorization": f"Bearer {bearer}"}).json()
        return info

    def technical_user(self, name: str, **dto: Any) -> tuple[str, httpx2.Response]:
        user_id = str(uuid.uuid4())
        response = self.administration("UpdateOrCreateTechnicalUser", {"Id": user_id, "Name": name, **dto})
        return user_id, response

    def user(self, user_id: str) -> httpx2.Response:
        return self.admin.get(self.odata(f"SysAdminUnit({user_id})"))

    def delete_user(self, user_id: str) -> dict[str, Any]:
        response = self.administration("DeleteUser", {"userId": user_id})
        assert response.status_code == 200, response.text
        result: dict[str, Any] = json.loads(response.json()["DeleteUserResult"])
        return result

    def update_user(self, columns: dict[str, Any]) -> httpx2.Response:
        return self.administration("UpdateOrCreateUser", {"jsonObject": json.dumps(columns), "roleId": None})


class Pool:
    """Mocks started on first use and shared by the module's tests."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self._running: dict[MockOptions, Gen] = {}

    def __call__(self, version: str = "8.3", path_style: str = "netframework", hosting: str = "onsite",
                 defects: frozenset[str] = frozenset()) -> Gen:
        options = MockOptions(creatio_version=version, path_style=path_style, hosting=hosting,  # type: ignore[arg-type]
                              defects=defects)
        if options not in self._running:
            gen = Gen(self._stack.enter_context(start_mock(options)))
            self._stack.callback(gen.admin.close)
            self._running[options] = gen
        return self._running[options]


@pytest.fixture(scope="module")
def pool() -> Iterator[Pool]:
    with ExitStack() as stack:
        yield Pool(stack)


# --- what each generation offers ------------------------------------------------------------------

CONFIG_METHODS = ("AddClient", "UpdateClient", "DeleteClient", "GetClientSecret", "AddDefaultResource")


@pytest.mark.parametrize("version", VERSIONS)
def test_methods_offered(pool: Pool, version: str) -> None:
    gen = pool(version)
    for method in CONFIG_METHODS:
        assert gen.config(method, {}).status_code == 200, method  # answered (a refusal of the empty body)
    # [SRC] S81/S82 have no CreateTechnicalUser; no 8.3 source: 404 like any unknown method.
    assert gen.config("CreateTechnicalUser", {"createTechnicalUserRequest": {"name": "x"}}).status_code == 404
    assert gen.config("NoSuchMethod", {}).status_code == 404
    assert gen.administration("DeleteUser", {"userId": NIL}).status_code == 200
    assert gen.update_user({"Id": NIL, "Active": False}).status_code == 200
    technical = gen.technical_user("offered?", Active=True)[1]
    assert technical.status_code == (200 if version in ("8.2", "8.3") else 404)
    assert gen.administration("NoSuchMethod", {}).status_code == 404


@pytest.mark.parametrize("version", VERSIONS)
def test_seed_user_type(pool: Pool, version: str) -> None:
    gen = pool(version)
    user = gen.user(gen.mock.seed.technical_user_id).json()
    # Technical users (type 7) exist from 8.2 here; on 8.0 and 8.1 the integrations' user is an ordinary one.
    assert (user["Name"], user["Active"]) == ("Conformance technical user", True)
    assert user["SysAdminUnitTypeValue"] == (7 if version in ("8.2", "8.3") else 4)
    # The seeded integrations were saved and get tokens on every generation.
    client = gen.mock.seed.oauth_clients[0]
    assert gen.token({"clientId": client.client_id, "clientSecret": client.client_secret}).status_code == 200


@pytest.mark.parametrize("version", VERSIONS)
def test_add_client_user_types(pool: Pool, version: str) -> None:
    gen = pool(version)
    ordinary = gen.mock.add_user(f"ordinary {version}", 4)
    technical = gen.mock.add_user(f"technical {version}", 7)
    assert gen.add("bound to type 4", ordinary)["success"] is True
    result = gen.add("bound to type 7", technical)
    if version in ("8.2", "8.3"):
        assert result["success"] is True
    else:
        assert result == {"success": False, "errorInfo": {"errorCode": "ArgumentException",
                                                          "message": "Specified system user is not valid."}}


# --- AddClient: DTO, applicationUrl, grant types, defaulturl ---------------------------------------

@pytest.mark.parametrize("version", VERSIONS)
def test_add_client_dto(pool: Pool, version: str) -> None:
    gen = pool(version)
    # IsRequired members must be present: a missing one is a 400 with no AddClientResult.
    request = {"name": "n", "redirectUrl": "", "applicationUrl": APP_URL}
    missing = gen.config("AddClient", {"addClientRequest": request})
    assert missing.status_code == 400 and "AddClientResult" not in missing.text
    malformed = gen.config("AddClient", {"addClientRequest": {**request, "systemUserId": "not a guid"}})
    assert malformed.status_code == 400
    # No server check of an empty name; description is no DTO member, so it is not stored.
    app = gen.add("", description="not stored")
    assert app["success"] is True
    row = gen.admin.get(gen.odata(f"OAuthClientApp({app['id']})")).json()
    assert (row["Name"], row["Description"]) == ("", "")


@pytest.mark.parametrize("version", VERSIONS)
def test_empty_application_url(pool: Pool, version: str) -> None:
    gen = pool(version)
    result = gen.add("no application url", applicationUrl="", grantType="client_credentials")
    if version == "8.3":
        assert result["success"] is False
        assert result["errorInfo"] == {"errorCode": "ArgumentException",
                                       "message": "The applicationUrl parameter is required."}
        return
    assert result["success"] is True
    # The row keeps what was given; 8.2 substitutes http://defaulturl.com only towards the IS.
    assert gen.admin.get(gen.odata(f"OAuthClientApp({result['id']})")).json()["ApplicationUrl"] == ""
    expected = "http://defaulturl.com" if version == "8.2" else ""
    assert gen.identity_client(result["clientId"])["ClientUri"] == expected


GRANT_CASES: dict[str, tuple[dict[str, Any], str | None]] = {
    # case: (AddClient members, 8.3 outcome: "issued", "unauthorized_client", or a refusal message)
    "grantType client_credentials": ({"grantType": "client_credentials"}, "issued"),
    "allowedGrantTypes client_credentials": ({"allowedGrantTypes": ["client_credentials"]}, "issued"),
    "both grants": ({"allowedGrantTypes": ["authorization_code", "client_credentials"]}, "issued"),
    "no grant": ({}, "unauthorized_client"),
    "grantType authorization_code": ({"grantType": "authorization_code"}, "unauthorized_client"),
    "PascalCase grantType": ({"grantType": "ClientCredentials"},
                             "Grant type 'ClientCredentials' is not supported. Use one of: authorization_code, "
                             "client_credentials."),
    "allowedGrantTypes not a list": ({"allowedGrantTypes": "client_credentials"},
                                     "allowedGrantTypes must be a list."),
}


@pytest.mark.parametrize("version", ["8.2", "8.3"])
@pytest.mark.parametrize("case", list(GRANT_CASES))
def test_grant_types(pool: Pool, version: str, case: str) -> None:
    gen = pool(version)
    members, outcome = GRANT_CASES[case]
    result = gen.add(f"grant {case}", **members)
    if version != "8.3":
        outcome = "issued"  # before 8.3 the members are unknown to the DTO and ignored
    if outcome not in ("issued", "unauthorized_client"):
        assert result == {"success": False, "errorInfo": {"errorCode": "ArgumentException", "message": outcome}}
        return
    assert result["success"] is True, result
    response = gen.token(result)
    if outcome == "issued":
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 400 and response.json() == {"error": "unauthorized_client"}


@pytest.mark.parametrize("version", VERSIONS)
def test_unknown_client_messages(pool: Pool, version: str) -> None:
    gen = pool(version)
    for method, body, message in (
        ("UpdateClient", {"updateClientRequest": {"clientId": "0" * 32, "isActive": False}},
         "Record with specified Id does not exist."),
        ("DeleteClient", {"deleteClientRequest": {"clientId": "0" * 32}}, "Record with specified Id does not exist."),
        ("GetClientSecret", {"clientAppId": NIL}, "Client with specified Id does not exist."),
    ):
        response = gen.config(method, body)
        assert response.status_code == 200
        assert response.json()[f"{method}Result"]["errorInfo"]["message"] == message


# --- AdministrationService -----------------------------------------------------------------------

@pytest.mark.parametrize("version", ["8.2", "8.3"])
def test_update_or_create_technical_user(pool: Pool, version: str) -> None:
    gen = pool(version)
    name = f"admin service {version}"
    user_id, created = gen.technical_user(name, Active=True, SysLanguageId=None, ContactId=None)
    assert created.status_code == 200 and created.json() == ""  # a bare JSON string
    user = gen.user(user_id).json()
    assert (user["Name"], user["SysAdminUnitTypeValue"], user["Active"]) == (name, 7, True)
    # The same Id again updates Name and Active.
    again = gen.administration("UpdateOrCreateTechnicalUser", {"Id": user_id, "Name": name + " 2", "Active": False})
    assert again.json() == ""
    assert (gen.user(user_id).json()["Name"], gen.user(user_id).json()["Active"]) == (name + " 2", False)
    # Refusals are return values (HTTP 200) and store nothing.
    before = gen.mock.snapshot()
    for taken in (name + " 2", "SUPERVISOR"):  # any SysAdminUnit, compared case-insensitively
        duplicate = gen.technical_user(taken, Active=True)[1]
        assert duplicate.status_code == 200 and duplicate.json() == "A user or role with the same name already exists."
    for blank in ("", "   ", None):
        refused = gen.technical_user(blank, Active=True)[1]  # type: ignore[arg-type]
        assert refused.status_code == 200 and refused.json() == 'The "Name" column must be filled in.'
    assert gen.mock.snapshot() == before
    # Faults: Id and Name are IsRequired, Id must be a Guid.
    for dto in ({"Name": "no id"}, {"Id": "not a guid", "Name": "bad id"}, {"Id": str(uuid.uuid4())},
                {"Id": str(uuid.uuid4()), "Name": "x", "Active": "yes"}):
        assert gen.administration("UpdateOrCreateTechnicalUser", dto).status_code == 400, dto
    # Active is a plain bool member: left out, the user is created inactive.
    inactive_id = gen.technical_user(f"no active flag {version}")[0]
    assert gen.user(inactive_id).json()["Active"] is False
    assert gen.delete_user(inactive_id)["Success"] is True
    assert gen.delete_user(user_id)["Success"] is True


def test_administration_needs_admin_rights(pool: Pool) -> None:
    gen = pool("8.3")
    client = gen.mock.seed.oauth_clients[0]
    token = gen.token({"clientId": client.client_id, "clientSecret": client.client_secret}).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    url = f"{gen.mock.creatio_url}/0/rest/AdministrationService"
    denied = 'Insufficient permissions for the system operation "CanManageAdministration".'
    created = HTTP.post(f"{url}/UpdateOrCreateTechnicalUser", headers=bearer,
                        json={"Id": str(uuid.uuid4()), "Name": "not allowed", "Active": True})
    assert created.status_code == 200 and created.json() == denied
    deleted = HTTP.post(f"{url}/DeleteUser", headers=bearer, json={"userId": gen.mock.seed.admin_user_id})
    assert json.loads(deleted.json()["DeleteUserResult"]) == {"Success": False, "IsSecurityException": True,
                                                              "ExceptionMessage": denied}
    updated = HTTP.post(f"{url}/UpdateOrCreateUser", headers=bearer, json={
        "jsonObject": json.dumps({"Id": gen.mock.seed.admin_user_id, "Active": False}), "roleId": None})
    assert updated.json() == {"UpdateOrCreateUserResult": denied}
    assert HTTP.post(f"{url}/DeleteUser", json={"userId": NIL}).status_code == 401  # no session at all


@pytest.mark.parametrize("version", VERSIONS)
def test_delete_user(pool: Pool, version: str) -> None:
    gen = pool(version)
    user_id = gen.mock.add_user(f"to delete {version}", 4)
    app = gen.add(f"still bound {version}", user_id)
    referenced = gen.delete_user(user_id)
    assert referenced == {"Success": False, "IsSecurityException": False,
                          "ExceptionMessage": "The user cannot be deleted because OAuthClientApp records refer to it."}
    assert gen.config("DeleteClient", {"deleteClientRequest": {"clientId": app["clientId"]}}).json()[
        "DeleteClientResult"]["success"]
    raw = gen.administration("DeleteUser", {"userId": user_id}).json()
    assert raw == {"DeleteUserResult": '{"Success":true,"IsSecurityException":false,"ExceptionMessage":null}'}
    assert gen.user(user_id).status_code == 404
    assert f"to delete {version}" not in gen.mock.snapshot()["users"]
    assert gen.delete_user(str(uuid.uuid4()))["Success"] is True  # unknown: FetchFromDB fails silently
    for malformed in ({"userId": "not a guid"}, {}):
        assert gen.administration("DeleteUser", malformed).status_code == 500


@pytest.mark.parametrize("version", VERSIONS)
def test_update_or_create_user(pool: Pool, version: str) -> None:
    gen = pool(version)
    user_id = gen.mock.add_user(f"to deactivate {version}", 4)
    assert gen.update_user({"Id": user_id, "Active": False}).json() == {"UpdateOrCreateUserResult": ""}
    assert gen.update_user({"Id": user_id, "Name": f"renamed {version}"}).json()["UpdateOrCreateUserResult"] == ""
    assert (gen.user(user_id).json()["Active"], gen.user(user_id).json()["Name"]) == (False, f"renamed {version}")
    for columns, message in (
        ({"Id": str(uuid.uuid4()), "Active": False}, "User with specified Id does not exist."),
        ({"Id": user_id, "Name": ""}, 'The "Name" column must be filled in.'),
        ({"Id": user_id, "Email": "x@example.com"},
         'Column "Email" cannot be saved: only Name and Active of VwSysAdminUnit are supported.'),
    ):
        assert gen.update_user(columns).json() == {"UpdateOrCreateUserResult": message}
    for bad in ({"jsonObject": "{not json", "roleId": None}, {"jsonObject": None}, {"roleId": None}):
        assert gen.administration("UpdateOrCreateUser", bad).status_code == 500
    assert gen.delete_user(user_id)["Success"] is True


# --- OData: SysAdminUnit is read-only for everyone ------------------------------------------------

@pytest.mark.parametrize("version", ["8.1", "8.3"])
def test_odata_refuses_sys_admin_unit_writes(pool: Pool, version: str) -> None:
    gen = pool(version)
    target = gen.odata(f"SysAdminUnit({gen.mock.seed.technical_user_id})")
    before = gen.mock.snapshot()
    for response in (gen.admin.post(gen.odata("SysAdminUnit"), json={"Name": "x", "SysAdminUnitTypeValue": 7}),
                     gen.admin.patch(target, json={"Active": False}),
                     gen.admin.delete(target)):
        assert response.status_code == 403
        assert "sufficient permissions" in response.json()["error"]["message"]
    assert gen.mock.snapshot() == before
    assert gen.admin.get(gen.odata("SysAdminUnit")).status_code == 200
    assert gen.user(gen.mock.seed.technical_user_id).json()["Active"] is True


# --- health check and path markers ----------------------------------------------------------------

HEALTH = {("8.0", "netframework"): False, ("8.0", "netcore"): False,
          ("8.1", "netframework"): True, ("8.1", "netcore"): False,
          ("8.2", "netframework"): True, ("8.2", "netcore"): False,
          ("8.3", "netframework"): True, ("8.3", "netcore"): True}


@pytest.mark.parametrize(("version", "style"), list(HEALTH))
def test_health_check_presence(pool: Pool, version: str, style: str) -> None:
    gen = pool(version, style)
    response = gen.admin.get(f"{gen.prefix}/api/OAuthHealthCheck")
    if HEALTH[(version, style)]:
        assert response.status_code == 200 and response.json()["HasProblem"] is False
        assert HTTP.get(f"{gen.mock.creatio_url}{gen.prefix}/api/OAuthHealthCheck").status_code == 401
    else:
        assert response.status_code == 404
        assert HTTP.get(f"{gen.mock.creatio_url}{gen.prefix}/api/OAuthHealthCheck").status_code == 404


@pytest.mark.parametrize(("version", "style"), list(HEALTH))
def test_path_markers(pool: Pool, version: str, style: str) -> None:
    site = pool(version, style).mock.creatio_url
    ping = {path: HTTP.get(site + path) for path in ("/0/api/HealthCheck/Ping", "/api/HealthCheck/Ping")}
    ui = {path: HTTP.get(site + path) for path in ("/0/Login/NuiLogin.aspx", "/Login/Login.html")}
    if style == "netframework":
        # The site root is WebAppLoader, which answers its own ping: both prefixes answer.
        assert [r.status_code for r in ping.values()] == [200, 200]
        assert [r.status_code for r in ui.values()] == [200, 404]
    else:
        assert [r.status_code for r in ping.values()] == [404, 200]
        assert [r.status_code for r in ui.values()] == [404, 200]
    for response in (*ping.values(), *ui.values()):
        if response.status_code == 200:
            assert response.headers["content-type"].startswith(("text/plain", "text/html"))
    assert next(r for r in ping.values() if r.status_code == 200).text == "Pong"
    assert next(r for r in ui.values() if r.status_code == 200).headers["content-type"].startswith("text/html")


def test_cloud(pool: Pool) -> None:
    gen = pool("8.3", hosting="cloud")
    assert gen.mock.env()["CREATIO_HOSTING"] == "cloud" and pool("8.3").mock.env()["CREATIO_HOSTING"] == "onsite"
    response = gen.admin.get("/0/api/OAuthHealthCheck")
    assert response.status_code == 500
    assert response.json() == {
        "HasProblem": True, "IsSystemSettingsFilledIn": False, "IsIdentityServiceAvailable": False,
        "IsAccessTokenRetrievableForSystemActions": False, "IsDefaultResourceRegistered": False,
        "Message": "System settings OAuth20IdentityServerUrl, OAuth20IdentityServerClientId, "
                   "OAuth20IdentityServerClientSecret are empty.",
    }
    # Everything else behaves as on-site: integrations are saved and their tokens read the API.
    app = gen.add("on cloud", grantType="client_credentials")
    token = gen.token(app).json()["access_token"]
    assert HTTP.get(f"{gen.mock.creatio_url}/0/odata/Currency", headers={"Authorization": f"Bearer {token}"}
                    ).status_code == 200


# --- 8.0's Identity Service ------------------------------------------------------------------------

def test_identity_service_8_0(pool: Pool) -> None:
    gen = pool("8.0")
    document = HTTP.get(f"{gen.mock.identity_url}/.well-known/openid-configuration").json()
    assert document["issuer"] == "creatio.com"
    assert document["token_endpoint"] == "https://localhost:8090/connect/token"
    assert document["jwks_uri"] == "https://localhost:8090/.well-known/openid-configuration/jwks"
    assert document["introspection_endpoint"] == "https://localhost:8090/connect/introspect"
    # The mock's Creatio keeps working through those endpoints: saves, tokens and Bearer calls.
    app = gen.add("on 8.0")
    assert app["success"] is True
    issued = gen.token(app)
    assert issued.status_code == 200
    token = issued.json()["access_token"]
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["iss"] == "creatio.com"
    api = HTTP.get(f"{gen.mock.creatio_url}/0/odata/Currency", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200


@pytest.mark.parametrize("version", ["8.1", "8.3"])
def test_issuer_is_the_base_url_from_8_1(pool: Pool, version: str) -> None:
    gen = pool(version)
    document = HTTP.get(f"{gen.mock.identity_url}/.well-known/openid-configuration").json()
    assert document["issuer"] == gen.mock.identity_url
    assert document["token_endpoint"] == gen.mock.identity_url + "/connect/token"


# --- switches whose effect depends on the generation ----------------------------------------------

SWITCHES = frozenset({"create-technical-user-service", "denied-read-empty-list", "deactivation-delay",
                      "unnamed-user-created"})


@pytest.mark.parametrize("version", ["8.1", "8.2"])
def test_switches_per_generation(pool: Pool, version: str) -> None:
    gen = pool(version, defects=SWITCHES)
    created = gen.config("CreateTechnicalUser", {"createTechnicalUserRequest": {"name": f"service {version}"}})
    unnamed_id, unnamed = gen.technical_user("", Active=True)
    if version == "8.1":
        # No technical users on 8.1: neither the benign method nor the defect's method exists.
        assert created.status_code == 404 and unnamed.status_code == 404
    else:
        result = created.json()["CreateTechnicalUserResult"]
        assert result["success"] is True
        assert gen.user(result["systemUserId"]).json()["SysAdminUnitTypeValue"] == 7
        # Defect "unnamed-user-created": the refusal comes back, and the nameless user is stored all the same.
        assert unnamed.json() == 'The "Name" column must be filled in.'
        assert gen.user(unnamed_id).json()["Name"] == ""
    # The other two act on every generation: an empty list for a denied read, a late token after deactivation.
    app = gen.add(f"switches {version}")
    token = gen.token(app).json()["access_token"]
    denied = HTTP.get(f"{gen.mock.creatio_url}/0/odata/Contact", headers={"Authorization": f"Bearer {token}"})
    assert denied.status_code == 200 and denied.json()["value"] == []
    assert gen.config("UpdateClient", {"updateClientRequest": {"clientId": app["clientId"], "isActive": False}}
                      ).json()["UpdateClientResult"]["success"]
    assert gen.token(app).status_code == 200


def test_generation_options() -> None:
    with pytest.raises(ValueError, match="creatio_version"):
        MockOptions(creatio_version="9.0")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="hosting"):
        MockOptions(hosting="moon")  # type: ignore[arg-type]
    assert MockOptions().generation.version == "8.3"
    assert MockOptions(creatio_version="8.1").generation.bindable_user_types == frozenset({4})
