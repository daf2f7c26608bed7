"""Self-tests of the mock's OAuthHealthCheck: every mode of creatio-oauth.md §4 with its exact answer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import httpx2
import pytest

from oauth_conformance.mock import MockOptions, MockServers, start_mock
from tests.selftest.mock_client import admin_session

# One worker for the whole file: its module-scoped fixtures (servers, child runs) are set up once.
pytestmark = pytest.mark.xdist_group("test_mock_health")

URL_SETTING, ID_SETTING, SECRET_SETTING = (
    "OAuth20IdentityServerUrl", "OAuth20IdentityServerClientId", "OAuth20IdentityServerClientSecret")
SETTINGS = (URL_SETTING, ID_SETTING, SECRET_SETTING)
TOKEN_MESSAGE = (
    "Can't retrieve access_token for system actions from IdentityService specified in system settings "
    "OAuth20IdentityServerUrl using client_id and client_secret specified in system settings "
    "OAuth20IdentityServerClientId & OAuth20IdentityServerClientSecret."
)


class Health:
    def __init__(self, mock: MockServers, session: httpx2.Client) -> None:
        self.mock = mock
        self.session = session
        self.saved = {code: mock.system_setting(code) for code in SETTINGS}

    def check(self) -> httpx2.Response:
        return self.session.get("/0/api/OAuthHealthCheck")

    def restore(self) -> None:
        for code, value in self.saved.items():
            self.mock.set_system_setting(code, value)
        self.mock.set_identity_available(True)


@pytest.fixture(scope="module")
def module_health() -> Iterator[Health]:
    with start_mock(MockOptions()) as mock, closing(admin_session(mock)) as session:
        yield Health(mock, session)


@pytest.fixture
def health(module_health: Health) -> Iterator[Health]:
    yield module_health
    module_health.restore()


def flags(settings: bool, available: bool, token: bool, resource: bool) -> dict[str, bool]:
    return {"IsSystemSettingsFilledIn": settings, "IsIdentityServiceAvailable": available,
            "IsAccessTokenRetrievableForSystemActions": token, "IsDefaultResourceRegistered": resource}


def test_healthy(health: Health) -> None:
    response = health.check()
    assert response.status_code == 200
    assert response.json() == {"HasProblem": False, **flags(True, True, True, True)}


def test_requires_authentication(health: Health) -> None:
    with httpx2.Client(trust_env=False) as client:
        assert client.get(f"{health.mock.creatio_url}/0/api/OAuthHealthCheck").status_code == 401


def test_all_settings_empty(health: Health) -> None:
    for code in SETTINGS:
        health.mock.set_system_setting(code, "")
    response = health.check()
    assert response.status_code == 500
    assert response.json() == {
        "HasProblem": True, **flags(False, False, False, False),
        "Message": "System settings OAuth20IdentityServerUrl, OAuth20IdentityServerClientId, "
                   "OAuth20IdentityServerClientSecret are empty.",
    }


@pytest.mark.parametrize("code", SETTINGS)
def test_one_setting_empty(health: Health, code: str) -> None:
    health.mock.set_system_setting(code, "")
    response = health.check()
    assert response.status_code == 500
    assert response.json() == {"HasProblem": True, **flags(False, False, False, False),
                               "Message": f"System setting {code} is empty."}


def test_identity_service_down(health: Health) -> None:
    health.mock.set_identity_available(False)
    response = health.check()
    assert response.status_code == 500
    assert response.json() == {
        "HasProblem": True, **flags(True, False, False, False),
        "Message": "IdentityService specified in system setting OAuth20IdentityServerUrl is unavailable.",
    }


def test_identity_url_pointing_nowhere(health: Health) -> None:
    health.mock.set_system_setting(URL_SETTING, "http://127.0.0.1:9/")
    response = health.check()
    assert response.status_code == 500
    assert response.json()["IsSystemSettingsFilledIn"] is True
    assert response.json()["IsIdentityServiceAvailable"] is False


@pytest.mark.parametrize(("code", "value"), [(SECRET_SETTING, "WRONG"), (ID_SETTING, "unknown-client")])
def test_system_token_not_retrievable(health: Health, code: str, value: str) -> None:
    health.mock.set_system_setting(code, value)
    response = health.check()
    assert response.status_code == 500
    assert response.json() == {"HasProblem": True, **flags(True, True, False, False), "Message": TOKEN_MESSAGE}


def test_recovers_after_restore(health: Health) -> None:
    health.mock.set_identity_available(False)
    assert health.check().status_code == 500
    health.restore()
    assert health.check().status_code == 200


def test_default_resource_missing_and_recreated() -> None:
    with (
        start_mock(MockOptions()) as mock,
        closing(admin_session(mock)) as session,
        httpx2.Client(trust_env=False) as client,
    ):
        health = Health(mock, session)
        mock.remove_default_resource()
        response = health.check()
        assert response.status_code == 500
        body = response.json()
        assert {k: v for k, v in body.items() if k != "Message"} == {"HasProblem": True,
                                                                     **flags(True, True, True, False)}
        assert "Default resource" in body["Message"]  # [INF] wording chosen by the mock
        # Without a default resource no integration can be created...
        add = {"addClientRequest": {"name": "x", "redirectUrl": "", "applicationUrl": "https://app.example.test",
                                    "systemUserId": mock.seed.technical_user_id, "grantType": "client_credentials"}}
        refused = health.session.post("/0/rest/OAuthConfigService/AddClient", json=add).json()["AddClientResult"]
        assert refused["success"] is False
        # ...until AddDefaultResource registers a new one.
        created = health.session.post("/0/rest/OAuthConfigService/AddDefaultResource", json={}).json()
        assert created["AddDefaultResourceResult"]["scope"].startswith("ApplicationAccess_")
        assert health.check().status_code == 200
        added = health.session.post("/0/rest/OAuthConfigService/AddClient", json=add).json()["AddClientResult"]
        issued = client.post(f"{mock.identity_url}/connect/token", data={
            "grant_type": "client_credentials", "client_id": added["clientId"], "client_secret": added["clientSecret"]})
        access_token = issued.json()["access_token"]
        api = client.get(f"{mock.creatio_url}/0/odata/Currency", headers={"Authorization": f"Bearer {access_token}"})
        assert api.status_code == 200
