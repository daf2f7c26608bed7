"""Self-tests of the mock's sequence defects: each switch shows its fault over the wire after the shortest
sequence of lifecycle steps that reaches it, and the same sequence on a mock without the switch shows none.

Each sequence is a function that drives the mock the way an administrator and an external app would
(OAuthConfigService, OData, the token endpoint, the API), asserts that every step before the last one
behaves as documented on both mocks (so the fault needs the whole sequence), and answers whether the
fault showed at the end.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest

from oauth_conformance.mock import DEFECTS, MockOptions, MockServers, start_mock
from tests.selftest.mock_client import HTTP, admin_session, service, technical_user

# One worker for the whole file: its module-scoped fixtures (servers, child runs) are set up once.
pytestmark = pytest.mark.xdist_group("test_mock_sequence_defects")

APP_URL = "https://app.example.test"


class Lifecycle:
    """One administrator session on a running mock, and the calls an integration's lifecycle makes."""

    def __init__(self, servers: MockServers) -> None:
        self.servers = servers
        self.admin = admin_session(servers)

    def create(self, name: str, user_id: str | None = None) -> dict[str, Any]:
        """AddClient: the new integration's ``clientId``, ``clientSecret`` and ``id`` (the row's Id)."""
        result = service(self.admin, self.servers, "AddClient", {"addClientRequest": {
            "name": name, "redirectUrl": "", "applicationUrl": APP_URL,
            "systemUserId": user_id or self.servers.seed.technical_user_id, "grantType": "client_credentials"}})
        assert result["success"], result
        return result

    def update(self, app: dict[str, Any], **fields: Any) -> None:
        """UpdateClient: name, applicationUrl, description, isActive ..."""
        result = service(self.admin, self.servers, "UpdateClient",
                         {"updateClientRequest": {"clientId": app["clientId"], **fields}})
        assert result["success"], result

    def patch(self, app: dict[str, Any], **columns: Any) -> None:
        """OData PATCH of the OAuthClientApp row, as the page's edit form saves."""
        response = self.admin.patch(f"{self.servers.options.app_prefix}/odata/OAuthClientApp({app['id']})",
                                    json=columns)
        assert response.status_code == 204, response.text

    def delete(self, app: dict[str, Any]) -> None:
        result = service(self.admin, self.servers, "DeleteClient",
                         {"deleteClientRequest": {"clientId": app["clientId"]}})
        assert result["success"], result

    def row(self, app: dict[str, Any]) -> dict[str, Any]:
        response = self.admin.get(f"{self.servers.options.app_prefix}/odata/OAuthClientApp({app['id']})")
        assert response.status_code == 200, response.text
        row: dict[str, Any] = response.json()
        return row

    def stored_secret(self, app: dict[str, Any]) -> str:
        return str(service(self.admin, self.servers, "GetClientSecret", {"clientAppId": app["id"]})["clientSecret"])

    def token(self, client_id: str, secret: str) -> httpx2.Response:
        return HTTP.post(f"{self.servers.identity_url}/connect/token",
                         data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})

    def issued(self, app: dict[str, Any], secret: str | None = None) -> bool:
        """Whether the integration's credentials (or ``secret`` with its Client Id) obtain a token; a refusal
        must be the documented one (invalid_client), never anything else."""
        response = self.token(app["clientId"], app["clientSecret"] if secret is None else secret)
        if response.status_code == 200:
            return True
        assert response.status_code == 400 and response.json()["error"] == "invalid_client", response.text
        return False

    def access_token(self, app: dict[str, Any]) -> str:
        response = self.token(app["clientId"], app["clientSecret"])
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def read(self, entity: str, access_token: str) -> int:
        response = HTTP.get(f"{self.servers.creatio_url}{self.servers.options.app_prefix}/odata/{entity}",
                            headers={"Authorization": f"Bearer {access_token}"})
        return response.status_code

    def new_technical_user(self, name: str) -> str:
        return technical_user(self.admin, self.servers, name)


def _claims(access_token: str) -> dict[str, Any]:
    payload = access_token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


SEQUENCES: dict[str, Callable[[Lifecycle], bool]] = {}


def sequence(name: str) -> Callable[[Callable[[Lifecycle], bool]], Callable[[Lifecycle], bool]]:
    def register(function: Callable[[Lifecycle], bool]) -> Callable[[Lifecycle], bool]:
        SEQUENCES[name] = function
        return function

    return register


@sequence("third-edit-rotates-secret")
def third_edit(m: Lifecycle) -> bool:
    """Create, edit Name, edit Application URL (credentials kept), edit Description: the secret is new."""
    app = m.create("third edit")
    m.update(app, name="third edit (renamed)")
    m.update(app, applicationUrl="https://app.example.test/v2")
    assert m.stored_secret(app) == app["clientSecret"] and m.issued(app)
    m.update(app, description="edited a third time")
    rotated: bool = m.stored_secret(app) != app["clientSecret"]
    if rotated:  # in the IS as in the record: the old secret is refused, the stored one works
        assert not m.issued(app) and m.issued(app, m.stored_secret(app))
    return rotated


@sequence("reactivate-after-edit-rotates-secret")
def reactivate_after_edit(m: Lifecycle) -> bool:
    """Create, edit, clear Active, select it again: the secret is new. Without the edit it is kept."""
    untouched = m.create("reactivated unedited")
    m.update(untouched, isActive=False)
    m.update(untouched, isActive=True)
    assert m.stored_secret(untouched) == untouched["clientSecret"] and m.issued(untouched)
    app = m.create("reactivated after an edit")
    m.update(app, name="reactivated after an edit (renamed)")
    m.update(app, isActive=False)
    assert m.stored_secret(app) == app["clientSecret"] and not m.issued(app)
    m.update(app, isActive=True)
    rotated: bool = m.stored_secret(app) != app["clientSecret"]
    if rotated:
        assert not m.issued(app) and m.issued(app, m.stored_secret(app))
    return rotated


@sequence("edit-while-inactive-enables")
def edit_while_inactive(m: Lifecycle) -> bool:
    """Create, clear Active (refused), edit the Description on the page: tokens are issued, Active stays off."""
    app = m.create("edited while inactive")
    m.patch(app, IsActive=False)
    assert not m.issued(app)
    m.patch(app, Description="edited while inactive")
    assert m.row(app)["IsActive"] is False and m.row(app)["Description"] == "edited while inactive"
    return m.issued(app)


@sequence("second-deactivation-ignored")
def second_deactivation(m: Lifecycle) -> bool:
    """Create, clear Active (refused), select it (issued), clear it again: tokens are still issued."""
    app = m.create("deactivated twice")
    m.update(app, isActive=False)
    assert not m.issued(app)
    m.update(app, isActive=True)
    assert m.issued(app)
    m.update(app, isActive=False)
    assert m.row(app)["IsActive"] is False
    return m.issued(app)


@sequence("renamed-deactivation-missed")
def renamed_deactivation(m: Lifecycle) -> bool:
    """Create, rename, clear Active: tokens are still issued. Without the rename the deactivation holds."""
    kept = m.create("deactivated under its first name")
    m.update(kept, isActive=False)
    assert not m.issued(kept)
    app = m.create("renamed then deactivated")
    m.update(app, name="renamed then deactivated (new name)")
    assert m.issued(app)
    m.update(app, isActive=False)
    assert m.row(app)["IsActive"] is False
    return m.issued(app)


@sequence("same-name-revives-deleted")
def same_name_revives(m: Lifecycle) -> bool:
    """Create "X", delete it (its credentials refused), create "X" again: the deleted credentials work."""
    deleted = m.create("reused name")
    m.delete(deleted)
    assert not m.issued(deleted)
    other = m.create("another name")
    assert not m.issued(deleted)  # a save of another name changes nothing
    again = m.create("reused name")
    assert m.issued(again) and m.issued(other)
    return m.issued(deleted)


@sequence("reactivation-revives-deleted-sibling")
def reactivation_revives_deleted(m: Lifecycle) -> bool:
    """Two integrations of one technical user, one deleted, the other deactivated and reactivated: the
    deleted credentials obtain tokens again."""
    user = m.new_technical_user("deleted sibling user")
    kept, deleted = m.create("kept sibling", user), m.create("deleted sibling", user)
    m.delete(deleted)
    assert not m.issued(deleted)
    m.update(kept, isActive=False)
    assert not m.issued(kept) and not m.issued(deleted)
    m.update(kept, isActive=True)
    assert m.issued(kept)
    return m.issued(deleted)


@sequence("reactivation-runs-as-admin")
def reactivation_runs_as_admin(m: Lifecycle) -> bool:
    """Create (the token is refused the denied entity), clear Active, select it: the new token reads it."""
    seed = m.servers.seed
    app = m.create("reactivated as admin")
    before = m.access_token(app)
    assert m.read(seed.denied_entity, before) == 403 and m.read(seed.allowed_entity, before) == 200
    m.update(app, isActive=False)
    m.update(app, isActive=True)
    after = m.access_token(app)
    assert m.read(seed.allowed_entity, after) == 200
    assert m.row(app)["SystemUserId"] == seed.technical_user_id  # Creatio's record still names the user
    widened: bool = m.read(seed.denied_entity, after) == 200
    if widened:  # the token names the admin, and the API maps it to the admin
        assert _claims(after)["prop:SysAdminUnitId"] == seed.admin_user_id
    return widened


# --- the tests -----------------------------------------------------------------------------------

SEQUENCE_SWITCHES = sorted(name for name, defect in DEFECTS.items() if defect.kind == "sequence")


@pytest.fixture(scope="module")
def clean() -> Iterator[Lifecycle]:
    """No switch on: every sequence runs to its end here and shows no fault."""
    with start_mock(MockOptions()) as servers:
        lifecycle = Lifecycle(servers)
        yield lifecycle
        lifecycle.admin.close()


def test_every_sequence_defect_has_a_sequence() -> None:
    assert sorted(SEQUENCES) == SEQUENCE_SWITCHES


@pytest.mark.parametrize("name", SEQUENCE_SWITCHES)
def test_the_sequence_shows_the_fault(name: str) -> None:
    with start_mock(MockOptions(defects=frozenset({name}))) as servers:
        lifecycle = Lifecycle(servers)
        try:
            assert SEQUENCES[name](lifecycle), f"{name}: the sequence ran but showed no fault"
        finally:
            lifecycle.admin.close()


@pytest.mark.parametrize("name", SEQUENCE_SWITCHES)
def test_the_clean_mock_shows_no_fault(clean: Lifecycle, name: str) -> None:
    assert not SEQUENCES[name](clean), f"{name}: the clean mock shows the fault"
