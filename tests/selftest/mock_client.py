"""Plain httpx2 helpers for the mock's self-tests: an admin session and OAuthConfigService calls."""

from __future__ import annotations

import uuid
from typing import Any

import httpx2

from oauth_conformance.mock import MockServers

# One client for stateless calls: building an httpx2 client is slow enough to matter over ~150 tests.
HTTP = httpx2.Client(trust_env=False, timeout=10)
LOGIN = "/ServiceModel/AuthService.svc/Login"


def admin_session(mock: MockServers) -> httpx2.Client:
    """A logged-in admin: cookies plus the BPMCSRF header, as Creatio's UI sends them."""
    client = httpx2.Client(base_url=mock.creatio_url, trust_env=False, timeout=10, verify=False)
    login = client.post(LOGIN, json={"UserName": mock.admin_user, "UserPassword": mock.admin_password})
    assert login.json()["Code"] == 0
    client.headers["BPMCSRF"] = client.cookies["BPMCSRF"]
    return client


def technical_user(session: httpx2.Client, mock: MockServers, name: str) -> str:
    """A technical user created as 8.2 and later create one (AdministrationService, the caller picks the Id)."""
    user_id = str(uuid.uuid4())
    response = session.post(f"{mock.options.app_prefix}/rest/AdministrationService/UpdateOrCreateTechnicalUser",
                            json={"Id": user_id, "Name": name, "Active": True})
    assert response.status_code == 200 and response.json() == "", response.text
    return user_id


def service(session: httpx2.Client, mock: MockServers, method: str, body: dict[str, Any]) -> dict[str, Any]:
    """Call an OAuthConfigService method and unwrap its ``<Method>Result``."""
    response = session.post(f"{mock.options.app_prefix}/rest/OAuthConfigService/{method}", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()[f"{method}Result"]
    return result
