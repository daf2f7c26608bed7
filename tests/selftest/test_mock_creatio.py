"""Self-tests of the mock Creatio: login, OAuthConfigService, OData, IS sync, Bearer validation, rights."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import httpx2
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from oauth_conformance.mock import MockOptions, MockServers, start_mock
from tests.selftest.mock_client import HTTP, LOGIN, admin_session, service

# One worker for the whole file: its module-scoped fixtures (servers, child runs) are set up once.
pytestmark = pytest.mark.xdist_group("test_mock_creatio")

# --- helpers --------------------------------

APP_URL = "https://app.example.test"


def add_request(name: str, user_id: str) -> dict[str, Any]:
    """A complete AddClient body, as 8.3 wants it (every DTO member, an applicationUrl, the grant)."""
    return {"addClientRequest": {"name": name, "redirectUrl": "", "applicationUrl": APP_URL,
                                 "systemUserId": user_id, "grantType": "client_credentials"}}


def add_client(session: httpx2.Client, mock: MockServers, name: str, user_id: str | None = None) -> dict[str, Any]:
    result = service(session, mock, "AddClient", add_request(name, user_id or mock.seed.technical_user_id))
    assert result["success"], result
    return result


def administration(session: httpx2.Client, mock: MockServers, method: str, body: dict[str, Any]) -> httpx2.Response:
    return session.post(f"{mock.options.app_prefix}/rest/AdministrationService/{method}", json=body)


def technical_user(session: httpx2.Client, mock: MockServers, name: str) -> str:
    """A new technical user through AdministrationService/UpdateOrCreateTechnicalUser; its Id."""
    user_id = str(uuid.uuid4())
    response = administration(session, mock, "UpdateOrCreateTechnicalUser",
                              {"Id": user_id, "Name": name, "Active": True})
    assert response.status_code == 200 and response.json() == "", response.text
    return user_id


def delete_user(session: httpx2.Client, mock: MockServers, user_id: str) -> dict[str, Any]:
    response = administration(session, mock, "DeleteUser", {"userId": user_id})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = json.loads(response.json()["DeleteUserResult"])
    return result


def update_client(session: httpx2.Client, mock: MockServers, client_id: str, **fields: Any) -> dict[str, Any]:
    return service(session, mock, "UpdateClient", {"updateClientRequest": {"clientId": client_id, **fields}})


def token_response(mock: MockServers, client_id: str, secret: str) -> httpx2.Response:
    return HTTP.post(f"{mock.identity_url}/connect/token",
                     data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})


def get_token(mock: MockServers, app: dict[str, Any]) -> str:
    response = token_response(mock, app["clientId"], app["clientSecret"])
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def odata(mock: MockServers, path: str) -> str:
    return f"{mock.creatio_url}{mock.options.app_prefix}/odata/{path}"


def bearer_get(mock: MockServers, path: str, access_token: str, scheme: str = "Bearer") -> httpx2.Response:
    return HTTP.get(odata(mock, path), headers={"Authorization": f"{scheme} {access_token}"})


def claims_of(access_token: str) -> dict[str, Any]:
    payload = access_token.split(".")[1]
    result: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return result


def identity_client(mock: MockServers, client_id: str) -> httpx2.Response:
    secret = mock.system_setting("OAuth20IdentityServerClientSecret")
    issued = HTTP.post(f"{mock.identity_url}/connect/token", auth=("bpmonline-designer", secret),
                       data={"grant_type": "client_credentials", "scope": "get_client_info IdentityServerApi"})
    bearer = issued.json()["access_token"]
    return HTTP.get(f"{mock.identity_url}/clients/{client_id}", headers={"Authorization": f"Bearer {bearer}"})


class Env:
    """A running mock, an admin session and one integration for the seeded technical user."""

    def __init__(self, mock: MockServers, admin: httpx2.Client) -> None:
        self.mock = mock
        self.admin = admin
        self.app = add_client(self.admin, mock, f"creatio self-test {mock.options.profile}")
        self.token = get_token(mock, self.app)


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    with start_mock(MockOptions()) as mock, closing(admin_session(mock)) as admin:
        yield Env(mock, admin)


@pytest.fixture(scope="module")
def compliant() -> Iterator[Env]:
    with start_mock(MockOptions(profile="compliant")) as mock, closing(admin_session(mock)) as admin:
        yield Env(mock, admin)


@pytest.fixture(scope="module")
def until_expiry() -> Iterator[Env]:
    with start_mock(MockOptions(deactivation="until-expiry")) as mock, closing(admin_session(mock)) as admin:
        yield Env(mock, admin)


# --- forms authentication ------------------------------------------------------------------------

def test_login_sets_creatio_cookies(env: Env) -> None:
    response = HTTP.post(env.mock.creatio_url + LOGIN, json={"UserName": "Supervisor", "UserPassword": "Supervisor"})
    assert response.status_code == 200
    assert response.json() == {"Code": 0, "Message": "", "Exception": None, "PasswordChangeUrl": None,
                               "RedirectUrl": None}
    cookies = {c.split("=", 1)[0]: c.lower() for c in response.headers.get_list("set-cookie")}
    assert set(cookies) == {".ASPXAUTH", "BPMCSRF", "BPMLOADER", "UserName"}
    assert "httponly" in cookies[".ASPXAUTH"] and "httponly" in cookies["BPMLOADER"]
    assert "httponly" not in cookies["BPMCSRF"] and "path=/" in cookies["BPMCSRF"]


@pytest.mark.parametrize("user", ["Supervisor", "Conformance technical user", "nobody"])
def test_login_failure_is_code_1(env: Env, user: str) -> None:
    response = HTTP.post(env.mock.creatio_url + LOGIN, json={"UserName": user, "UserPassword": "wrong"})
    assert response.status_code == 200
    assert response.json()["Code"] == 1 and response.json()["Message"]


def test_login_under_app_prefix_is_401(env: Env) -> None:
    response = HTTP.post(env.mock.creatio_url + "/0" + LOGIN, json={"UserName": "Supervisor",
                                                                    "UserPassword": "Supervisor"})
    assert response.status_code == 401


def test_cookie_calls_need_the_bpmcsrf_header(env: Env) -> None:
    with closing(admin_session(env.mock)) as session:
        assert session.get(odata(env.mock, "Currency")).status_code == 200
        del session.headers["BPMCSRF"]
        response = session.get(odata(env.mock, "Currency"))
        assert response.status_code == 401 and response.content == b""
        session.headers["BPMCSRF"] = "forged"
        assert session.get(odata(env.mock, "Currency")).status_code == 401


def test_no_authentication_is_a_bare_401(env: Env) -> None:
    response = HTTP.get(odata(env.mock, "Currency"))
    assert response.status_code == 401 and response.content == b""
    assert "www-authenticate" not in response.headers


# --- OAuthConfigService and the IS sync ----------------------------------------------------------

def test_add_update_delete_round_trip(env: Env) -> None:
    mock, admin = env.mock, env.admin
    app = add_client(admin, mock, "round trip")
    assert len(app["clientId"]) == 32 and app["clientId"] == app["clientId"].upper()
    assert len(app["clientSecret"]) == 64 and app["clientSecret"] == app["clientSecret"].upper()
    int(app["clientId"], 16), int(app["clientSecret"], 16)
    info = identity_client(mock, app["clientId"]).json()
    assert info["ClientName"] == "round trip" and info["Enabled"] is True
    assert info["AllowedScopes"] == [mock.seed.default_resource]

    row = admin.get(odata(mock, f"OAuthClientApp({app['id']})")).json()
    assert row["Name"] == "round trip" and row["ClientId"] == app["clientId"] and row["IsActive"] is True
    assert row["ApplicationUrl"] == APP_URL
    assert row["SystemUserId"] == mock.seed.technical_user_id
    assert "ClientSecret" not in row

    assert update_client(admin, mock, app["clientId"], name="round trip renamed") == {"success": True}
    assert identity_client(mock, app["clientId"]).json()["ClientName"] == "round trip renamed"
    assert admin.get(odata(mock, f"OAuthClientApp({app['id']})")).json()["Name"] == "round trip renamed"

    assert update_client(admin, mock, app["clientId"], isActive=False)["success"]
    assert identity_client(mock, app["clientId"]).json()["Enabled"] is False
    assert token_response(mock, app["clientId"], app["clientSecret"]).json() == {"error": "invalid_client"}
    assert update_client(admin, mock, app["clientId"], isActive=True)["success"]
    assert token_response(mock, app["clientId"], app["clientSecret"]).status_code == 200
    secret = service(admin, mock, "GetClientSecret", {"clientAppId": app["id"]})
    assert secret == {"success": True, "clientSecret": app["clientSecret"]}

    deleted = service(admin, mock, "DeleteClient", {"deleteClientRequest": {"clientId": app["clientId"]}})
    assert deleted == {"success": True}
    assert identity_client(mock, app["clientId"]).status_code == 404
    assert admin.get(odata(mock, f"OAuthClientApp({app['id']})")).status_code == 404
    assert "round trip renamed" not in mock.snapshot()["integrations"]


@pytest.mark.parametrize(("method", "body", "message"), [
    ("AddClient", add_request("n", "0" * 32), "Specified system user is not valid."),
    ("UpdateClient", {"updateClientRequest": {"clientId": "0" * 32, "name": "n"}},
     "Record with specified Id does not exist."),
    ("DeleteClient", {"deleteClientRequest": {"clientId": "0" * 32}},
     "Record with specified Id does not exist."),
    ("GetClientSecret", {"clientAppId": "00000000-0000-0000-0000-000000000000"},
     "Client with specified Id does not exist."),
])
def test_service_refusals(env: Env, method: str, body: dict[str, Any], message: str) -> None:
    text = json.dumps(body).replace("SEED", env.mock.seed.technical_user_id)
    before = env.mock.snapshot()
    result = service(env.admin, env.mock, method, json.loads(text))
    assert result["success"] is False
    assert result["errorInfo"]["message"] == message and result["errorInfo"]["errorCode"]
    assert env.mock.snapshot() == before


def test_an_empty_name_is_saved(env: Env) -> None:
    # [SRC S82] AddClient has no server check of an empty name; UpdateClient and OData PATCH neither [NF].
    app = add_client(env.admin, env.mock, "")
    assert env.admin.get(odata(env.mock, f"OAuthClientApp({app['id']})")).json()["Name"] == ""
    assert update_client(env.admin, env.mock, app["clientId"], name="named")["success"] is True
    assert env.admin.patch(odata(env.mock, f"OAuthClientApp({app['id']})"), json={"Name": ""}).status_code == 204
    assert service(env.admin, env.mock, "DeleteClient", {"deleteClientRequest": {"clientId": app["clientId"]}})[
        "success"]


@pytest.mark.parametrize("missing", ["name", "redirectUrl", "applicationUrl", "systemUserId"])
def test_add_client_dto_members_are_required(env: Env, missing: str) -> None:
    request = add_request("missing member", env.mock.seed.technical_user_id)
    del request["addClientRequest"][missing]
    before = env.mock.snapshot()
    response = env.admin.post("/0/rest/OAuthConfigService/AddClient", json=request)
    assert response.status_code == 400 and "AddClientResult" not in response.text
    assert env.mock.snapshot() == before


def test_service_needs_authentication_and_manage_rights(env: Env) -> None:
    url = f"{env.mock.creatio_url}/0/rest/OAuthConfigService/AddClient"
    body = add_request("x", env.mock.seed.technical_user_id)
    assert HTTP.post(url, json=body).status_code == 401
    # The technical user's token authenticates, but it lacks CanManageSolution.
    response = HTTP.post(url, json=body, headers={"Authorization": f"Bearer {env.token}"})
    result = response.json()["AddClientResult"]
    assert result["success"] is False and result["errorInfo"]["errorCode"] == "SecurityException"


def test_create_technical_user(env: Env) -> None:
    mock, admin = env.mock, env.admin
    user_id = technical_user(admin, mock, "tu round trip")
    user = admin.get(odata(mock, f"SysAdminUnit({user_id})")).json()
    assert (user["Name"], user["SysAdminUnitTypeValue"], user["Active"]) == ("tu round trip", 7, True)
    listed = admin.get(odata(mock, "SysAdminUnit"), params={"$filter": "Name eq 'tu round trip'"}).json()
    assert [u["Id"] for u in listed["value"]] == [user_id]
    # Technical users start with no rights and cannot log in.
    app = add_client(admin, mock, "tu round trip app", user_id)
    assert bearer_get(mock, "Currency", get_token(mock, app)).status_code == 403
    login = HTTP.post(mock.creatio_url + LOGIN, json={"UserName": "tu round trip", "UserPassword": ""})
    assert login.json()["Code"] == 1
    service(admin, mock, "DeleteClient", {"deleteClientRequest": {"clientId": app["clientId"]}})
    assert delete_user(admin, mock, user_id)["Success"] is True
    assert "tu round trip" not in mock.snapshot()["users"]


def test_saves_are_cancelled_while_the_identity_service_is_down(env: Env) -> None:
    mock, admin = env.mock, env.admin
    app = add_client(admin, mock, "cancelled saves")
    before = mock.snapshot()
    mock.set_identity_available(False)
    try:
        with pytest.raises(httpx2.ConnectError):
            HTTP.get(f"{mock.identity_url}/.well-known/openid-configuration")
        result = service(admin, mock, "AddClient", add_request("never stored", mock.seed.technical_user_id))
        assert result == {"success": False, "errorInfo": {"errorCode": "ApiServerConnectivityException",
                                                           "message": "IdentityServer busy or inaccessible."}}
        assert update_client(admin, mock, app["clientId"], name="never renamed")["success"] is False
        patched = admin.patch(odata(mock, f"OAuthClientApp({app['id']})"), json={"Name": "never renamed"})
        assert patched.status_code == 500 and patched.json()["error"]["message"]
        assert admin.delete(odata(mock, f"OAuthClientApp({app['id']})")).status_code == 500
        assert mock.snapshot() == before
    finally:
        mock.set_identity_available(True)
    assert admin.get(odata(mock, f"OAuthClientApp({app['id']})")).json()["Name"] == "cancelled saves"
    assert update_client(admin, mock, app["clientId"], name="renamed after restart")["success"] is True


def test_saves_fail_with_a_wrong_system_secret(env: Env) -> None:
    mock = env.mock
    good = mock.system_setting("OAuth20IdentityServerClientSecret")
    mock.set_system_setting("OAuth20IdentityServerClientSecret", "WRONG")
    try:
        result = service(env.admin, mock, "AddClient", add_request("never stored", mock.seed.technical_user_id))
        assert result["success"] is False
        assert result["errorInfo"]["errorCode"] == "ApiServerException"
        assert result["errorInfo"]["message"].startswith("400 ")
    finally:
        mock.set_system_setting("OAuth20IdentityServerClientSecret", good)


# --- OData ----------------------------------------------------------------------------------------

def test_odata_patch_and_delete_sync_with_the_identity_service(env: Env) -> None:
    mock, admin = env.mock, env.admin
    app = add_client(admin, mock, "odata sync")
    url = odata(mock, f"OAuthClientApp({app['id']})")
    patched = admin.patch(url, json={"Name": "odata sync 2", "Description": "d", "ApplicationUrl": "https://a.example"})
    assert patched.status_code == 204
    row = admin.get(url).json()
    assert (row["Name"], row["Description"], row["ApplicationUrl"]) == ("odata sync 2", "d", "https://a.example")
    assert identity_client(mock, app["clientId"]).json()["ClientName"] == "odata sync 2"
    assert admin.patch(url, json={"IsActive": False}).status_code == 204
    assert identity_client(mock, app["clientId"]).json()["Enabled"] is False
    assert admin.patch(url, json={"ClientId": "X"}).status_code == 400
    assert admin.delete(url).status_code == 204
    assert identity_client(mock, app["clientId"]).status_code == 404


def test_odata_post_creates_an_integration(env: Env) -> None:
    mock, admin = env.mock, env.admin
    created = admin.post(odata(mock, "OAuthClientApp"),
                         json={"Name": "odata post", "SystemUserId": mock.seed.technical_user_id})
    assert created.status_code == 201
    row = created.json()
    assert identity_client(mock, row["ClientId"]).json()["Enabled"] is True
    assert admin.delete(odata(mock, f"OAuthClientApp({row['Id']})")).status_code == 204


def test_odata_query_options(env: Env) -> None:
    mock, admin = env.mock, env.admin
    app_id, client_id = env.app["id"], env.app["clientId"]
    name = admin.get(odata(mock, f"OAuthClientApp({app_id})")).json()["Name"]
    for condition in (f"Name eq '{name}'", f"ClientId eq '{client_id}'", f"Id eq {app_id}",
                      f"Id eq {app_id.upper()} and IsActive eq true"):
        body = admin.get(odata(mock, "OAuthClientApp"), params={"$filter": condition, "$select": "Id,Name"}).json()
        assert body["value"] == [{"Id": app_id, "Name": name}], condition
        assert body["@odata.context"].endswith("/0/odata/$metadata#OAuthClientApp(Id,Name)")
    assert admin.get(odata(mock, "OAuthClientApp"), params={"$filter": "Name ne 'x'"}).status_code == 400
    assert admin.get(odata(mock, "OAuthClientApp"), params={"$expand": "SystemUser"}).status_code == 400
    assert admin.get(odata(mock, "Nope")).status_code == 404
    currencies = admin.get(odata(mock, "Currency"), params={"$orderby": "Rate desc", "$top": "1"}).json()["value"]
    assert [c["ShortName"] for c in currencies] == ["USD"]


def test_business_entity_patch(env: Env) -> None:
    mock, admin = env.mock, env.admin
    row = admin.get(odata(mock, "Contact"), params={"$top": "1"}).json()["value"][0]
    url = odata(mock, f"Contact({row['Id']})")
    assert admin.patch(url, json={"JobTitle": "CEO"}).status_code == 204
    assert admin.get(url).json()["JobTitle"] == "CEO"
    assert admin.patch(url, json={"Unknown": 1}).status_code == 400


# --- permission model -----------------------------------------------------------------------------

def test_technical_user_rights(env: Env) -> None:
    mock = env.mock
    assert bearer_get(mock, "Currency", env.token).status_code == 200
    denied = bearer_get(mock, "Contact", env.token)
    assert denied.status_code == 403
    assert "sufficient permissions" in denied.json()["error"]["message"]
    currency_id = bearer_get(mock, "Currency", env.token).json()["value"][0]["Id"]
    patch = HTTP.patch(odata(mock, f"Currency({currency_id})"), json={"Name": "x"},
                       headers={"Authorization": f"Bearer {env.token}"})
    assert patch.status_code == 403
    assert bearer_get(mock, "OAuthClientApp", env.token).status_code == 403


def test_mock_rights_endpoint(env: Env) -> None:
    mock = env.mock
    user_id = technical_user(env.admin, mock, "rights user")
    app = add_client(env.admin, mock, "rights app", user_id)
    access_token = get_token(mock, app)
    assert bearer_get(mock, "Contact", access_token).status_code == 403
    url = f"{mock.creatio_url}/__mock__/rights"
    body = {"userId": user_id, "entity": "Contact", "operations": ["read"]}
    assert HTTP.post(url, json=body).status_code == 401
    assert HTTP.post(url, json=body, auth=(mock.admin_user, "wrong")).status_code == 401
    assert HTTP.post(url, json=body, auth=(mock.admin_user, mock.admin_password)).status_code == 204
    assert bearer_get(mock, "Contact", access_token).status_code == 200
    bad = {**body, "operations": ["delete"]}
    assert HTTP.post(url, json=bad, auth=(mock.admin_user, mock.admin_password)).status_code == 400


def test_mock_state_endpoint(env: Env) -> None:
    mock = env.mock
    url = f"{mock.creatio_url}/__mock__/state"
    assert HTTP.get(url).status_code == 401
    state = HTTP.get(url, auth=(mock.admin_user, mock.admin_password)).json()
    assert state == mock.snapshot()
    assert {"Supervisor", "Conformance technical user"} <= set(state["users"])
    assert "bpmonline-designer" in state["identity_clients"]


# --- seeded integrations for the oauth target ------------------------------------------------------

SEEDED = ("Conformance client", "Conformance client 2", "Conformance disabled client")


def test_seeded_integrations_are_real_saves(env: Env) -> None:
    mock, admin = env.mock, env.admin
    assert tuple(c.name for c in mock.seed.oauth_clients) == SEEDED
    assert [c.active for c in mock.seed.oauth_clients] == [True, True, False]
    assert set(SEEDED) <= set(mock.snapshot()["integrations"])
    listed = {row["Name"]: row for row in admin.get(odata(mock, "OAuthClientApp")).json()["value"]}
    for client in mock.seed.oauth_clients:
        assert client == mock.seed.oauth_client(client.name)
        assert client.client_secret not in repr(client)
        row = listed[client.name]
        assert (row["Id"], row["ClientId"], row["IsActive"]) == (client.app_id, client.client_id, client.active)
        assert row["SystemUserId"] == mock.seed.technical_user_id
        secret = service(admin, mock, "GetClientSecret", {"clientAppId": client.app_id})
        assert secret == {"success": True, "clientSecret": client.client_secret}
        # The IS holds a real client, created through its management API.
        info = identity_client(mock, client.client_id).json()
        assert (info["ClientName"], info["Enabled"]) == (client.name, client.active)
        assert info["AllowedScopes"] == [mock.seed.default_resource]
        assert client.client_id in mock.snapshot()["identity_clients"]
    with pytest.raises(KeyError):
        mock.seed.oauth_client("no such client")


def test_seeded_clients_get_tokens_and_read_the_resource(env: Env) -> None:
    mock = env.mock
    settings = mock.oauth_env()
    assert settings["OAUTH_TARGET"] == "oauth" and settings["OAUTH_ISSUER"] == mock.public_identity_url
    assert settings["OAUTH_RESOURCE_URL"] == f"{mock.creatio_url}/0/odata/Currency"
    for prefix in ("OAUTH_CLIENT", "OAUTH_CLIENT2"):
        response = token_response(mock, settings[f"{prefix}_ID"], settings[f"{prefix}_SECRET"])
        assert response.status_code == 200, response.text
        assert claims_of(response.json()["access_token"])["prop:SysAdminUnitId"] == mock.seed.technical_user_id
    disabled = token_response(mock, settings["OAUTH_DISABLED_CLIENT_ID"], settings["OAUTH_DISABLED_CLIENT_SECRET"])
    assert disabled.status_code == 400 and disabled.json() == {"error": "invalid_client"}
    issued = token_response(mock, settings["OAUTH_CLIENT_ID"], settings["OAUTH_CLIENT_SECRET"]).json()
    resource = HTTP.get(settings["OAUTH_RESOURCE_URL"], headers={"Authorization": f"Bearer {issued['access_token']}"})
    assert resource.status_code == 200 and resource.json()["value"]


def test_seeded_clients_survive_a_cascading_deactivation_defect() -> None:
    # The disabled client is deactivated before the other two exist, so this defect cannot reach them.
    with start_mock(MockOptions(defects=frozenset({"deactivate-all-clients-of-user"}))) as mock:
        assert [c.active for c in mock.seed.oauth_clients] == [True, True, False]
        settings = mock.oauth_env()
        for prefix in ("OAUTH_CLIENT", "OAUTH_CLIENT2"):
            assert token_response(mock, settings[f"{prefix}_ID"], settings[f"{prefix}_SECRET"]).status_code == 200


# --- Bearer validation (creatio profile) ----------------------------------------------------------

def _forged(env: Env, **changes: Any) -> str:
    claims = {**claims_of(env.token), **changes}
    return env.mock.sign_token({k: v for k, v in claims.items() if v is not None})


def _alg_none(env: Env) -> str:
    def b64(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': 'none', 'typ': 'at+jwt'})}.{b64(claims_of(env.token))}."


def _foreign_key(env: Env) -> str:
    key = RSAKey.generate_key(2048, parameters={"kid": "foreign"}, private=True)
    return jwt.encode({"alg": "RS256", "kid": "foreign", "typ": "at+jwt"}, claims_of(env.token), key)


def _tampered(env: Env) -> str:
    header, _payload, signature = env.token.split(".")
    claims = {**claims_of(env.token), "prop:SysAdminUnitId": env.mock.seed.admin_user_id}
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged_payload}.{signature}"


BEARER_CASES: dict[str, tuple[Any, int, int]] = {
    # case: (token factory, creatio status, compliant status)
    "valid": (lambda e: e.token, 200, 200),
    "expired-within-skew": (lambda e: _forged(e, exp=int(time.time()) - 100), 200, 401),
    "expired-beyond-skew": (lambda e: _forged(e, exp=int(time.time()) - 400), 401, 401),
    "no-exp": (lambda e: _forged(e, exp=None), 401, 401),
    "not-yet-valid": (lambda e: _forged(e, nbf=int(time.time()) + 400), 401, 401),
    "wrong-aud": (lambda e: _forged(e, aud="ApplicationAccess_" + "0" * 32), 401, 401),
    "wrong-iss": (lambda e: _forged(e, iss="https://elsewhere.example"), 401, 401),
    "unknown-user": (lambda e: _forged(e, **{"prop:SysAdminUnitId": "00000000-0000-0000-0000-000000000001"}),
                     401, 401),
    "alg-none": (_alg_none, 401, 401),
    "foreign-key": (_foreign_key, 401, 401),
    "tampered-payload": (_tampered, 401, 401),
    "stripped-signature": (lambda e: e.token.rsplit(".", 1)[0] + ".", 401, 401),
    "garbage": (lambda e: "not-a-jwt", 401, 401),
}


@pytest.mark.parametrize("case", list(BEARER_CASES))
def test_bearer_validation_creatio_profile(env: Env, case: str) -> None:
    factory, expected, _ = BEARER_CASES[case]
    response = bearer_get(env.mock, "Currency", factory(env))
    assert response.status_code == expected
    if expected == 401:
        assert response.content == b"" and "www-authenticate" not in response.headers


@pytest.mark.parametrize("case", list(BEARER_CASES))
def test_bearer_validation_compliant_profile(compliant: Env, case: str) -> None:
    factory, _, expected = BEARER_CASES[case]
    response = bearer_get(compliant.mock, "Currency", factory(compliant))
    assert response.status_code == expected
    if expected == 401:
        assert response.headers["www-authenticate"] == 'Bearer realm="Creatio", error="invalid_token"'
    else:
        assert response.headers["cache-control"] == "no-store"


def test_lowercase_bearer_scheme(env: Env, compliant: Env) -> None:
    # creatio [INF]: ordinal StartsWith("Bearer") → cookie auth → 401; compliant: schemes are case-insensitive.
    assert bearer_get(env.mock, "Currency", env.token, scheme="bearer").status_code == 401
    assert bearer_get(compliant.mock, "Currency", compliant.token, scheme="bearer").status_code == 200


def test_bearer_without_token(env: Env, compliant: Env) -> None:
    assert HTTP.get(odata(env.mock, "Currency"), headers={"Authorization": "Bearer"}).status_code == 401
    response = HTTP.get(odata(compliant.mock, "Currency"), headers={"Authorization": "Bearer"})
    assert response.status_code == 400
    assert response.headers["www-authenticate"] == 'Bearer realm="Creatio", error="invalid_request"'


def test_compliant_challenges(compliant: Env) -> None:
    mock = compliant.mock
    bare = HTTP.get(odata(mock, "Currency"))
    assert bare.status_code == 401 and bare.headers["www-authenticate"] == 'Bearer realm="Creatio"'
    typed_jwt = compliant.mock.sign_token(claims_of(compliant.token), typ="JWT")
    assert bearer_get(mock, "Currency", typed_jwt).status_code == 401
    forbidden = bearer_get(mock, "Contact", compliant.token)
    assert forbidden.status_code == 403
    assert forbidden.headers["www-authenticate"] == 'Bearer realm="Creatio", error="insufficient_scope"'
    both = HTTP.get(odata(mock, "Currency"), params={"access_token": compliant.token},
                    headers={"Authorization": f"Bearer {compliant.token}"})
    assert both.status_code == 400
    assert HTTP.get(odata(mock, "Currency"), params={"access_token": compliant.token}).status_code == 401


def test_inactive_user_is_refused(env: Env) -> None:
    mock, admin = env.mock, env.admin
    user_id = technical_user(admin, mock, "inactive")
    HTTP.post(f"{mock.creatio_url}/__mock__/rights", auth=(mock.admin_user, mock.admin_password),
              json={"userId": user_id, "entity": "Currency", "operations": ["read"]})
    access_token = get_token(mock, add_client(admin, mock, "inactive user app", user_id))
    assert bearer_get(mock, "Currency", access_token).status_code == 200
    deactivate = {"jsonObject": json.dumps({"Id": user_id, "Active": False}), "roleId": None}
    response = administration(admin, mock, "UpdateOrCreateUser", deactivate)
    assert response.json() == {"UpdateOrCreateUserResult": ""}
    assert bearer_get(mock, "Currency", access_token).status_code == 401


# --- deactivation: the two validation generations -------------------------------------------------

def test_per_request_deactivation_blocks_issued_tokens(env: Env) -> None:
    mock, admin = env.mock, env.admin
    app = add_client(admin, mock, "per-request")
    access_token = get_token(mock, app)
    assert update_client(admin, mock, app["clientId"], isActive=False)["success"]
    assert bearer_get(mock, "Currency", access_token).status_code == 401
    assert update_client(admin, mock, app["clientId"], isActive=True)["success"]
    assert bearer_get(mock, "Currency", access_token).status_code == 200
    service(admin, mock, "DeleteClient", {"deleteClientRequest": {"clientId": app["clientId"]}})
    assert bearer_get(mock, "Currency", access_token).status_code == 401


def test_until_expiry_deactivation_keeps_issued_tokens(until_expiry: Env) -> None:
    mock, admin = until_expiry.mock, until_expiry.admin
    app = add_client(admin, mock, "until-expiry")
    access_token = get_token(mock, app)
    assert update_client(admin, mock, app["clientId"], isActive=False)["success"]
    assert bearer_get(mock, "Currency", access_token).status_code == 200
    assert token_response(mock, app["clientId"], app["clientSecret"]).status_code == 400
    service(admin, mock, "DeleteClient", {"deleteClientRequest": {"clientId": app["clientId"]}})
    assert bearer_get(mock, "Currency", access_token).status_code == 200


# --- path style and public URLs -------------------------------------------------------------------

def test_netcore_path_style() -> None:
    with start_mock(MockOptions(path_style="netcore")) as mock, closing(admin_session(mock)) as admin:
        assert admin.get("/odata/Currency").status_code == 200
        assert admin.get("/0/odata/Currency").status_code == 404
        assert admin.get("/api/OAuthHealthCheck").json()["HasProblem"] is False
        app = add_client(admin, mock, "netcore")
        assert bearer_get(mock, "Currency", get_token(mock, app)).status_code == 200
        settings = mock.oauth_env()
        assert settings["OAUTH_RESOURCE_URL"] == f"{mock.creatio_url}/odata/Currency"
        issued = token_response(mock, settings["OAUTH_CLIENT_ID"], settings["OAUTH_CLIENT_SECRET"]).json()
        resource = HTTP.get(settings["OAUTH_RESOURCE_URL"],
                            headers={"Authorization": f"Bearer {issued['access_token']}"})
        assert resource.status_code == 200


def test_public_urls_and_opaque_issuer() -> None:
    options = MockOptions(public_identity_url="https://is.example.test", public_creatio_url="https://crm.example.test",
                          issuer="creatio.com")
    with start_mock(options) as mock, closing(admin_session(mock)) as admin:
        doc = HTTP.get(f"{mock.identity_url}/.well-known/openid-configuration").json()
        assert doc["issuer"] == "creatio.com"
        assert doc["token_endpoint"] == "https://is.example.test/connect/token"
        assert mock.system_setting("OAuth20IdentityServerUrl") == "https://is.example.test/"
        assert mock.env()["CREATIO_URL"] == "https://crm.example.test"
        assert mock.oauth_env()["OAUTH_ISSUER"] == "https://is.example.test"
        assert mock.oauth_env()["OAUTH_RESOURCE_URL"] == "https://crm.example.test/0/odata/Currency"
        # The seeded clients were saved through the public IS URL, mapped to loopback like any save.
        assert identity_client(mock, mock.seed.oauth_clients[0].client_id).json()["Enabled"] is True
        # Creatio still reaches its IS: the announced URL is mapped to the loopback one.
        assert admin.get("/0/api/OAuthHealthCheck").status_code == 200
        app = add_client(admin, mock, "behind a proxy")
        access_token = get_token(mock, app)
        assert claims_of(access_token)["iss"] == "creatio.com"
        response = bearer_get(mock, "Currency", access_token)
        assert response.status_code == 200
        assert response.json()["@odata.context"].startswith("https://crm.example.test/0/odata/")
