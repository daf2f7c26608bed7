"""The mock under concurrent requests: edits of one integration made at once all stay, and token requests,
creations and deletions at once leave Creatio and its Identity Service agreeing on every integration.

Each round starts its threads at a barrier, so that their requests overlap in the mock (every save awaits
the Identity Service, which is where an unguarded read-modify-write loses an edit). Nothing here is timed:
the assertions are on what the stores hold once every request has been answered.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

import httpx2
import pytest

from oauth_conformance.mock import MockOptions, MockServers, start_mock
from tests.selftest.mock_client import admin_session, service, technical_user

# One worker for the whole file: its module-scoped fixtures (servers, child runs) are set up once.
pytestmark = pytest.mark.xdist_group("test_mock_concurrency")

T = TypeVar("T")
THREADS = 6
ROUNDS = 8
PREFIX = "conc-"
# The fields edited through OAuthConfigService/UpdateClient (by their member there); the rest through OData.
SERVICE_EDITS = {"Name": "name", "ApplicationUrl": "applicationUrl", "RedirectUrl": "redirectUrl"}


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServers]:
    with start_mock(MockOptions()) as servers:
        yield servers


def _at_once(tasks: list[Callable[[], T]]) -> list[T]:
    """Run every task in a thread of its own, all released together; their results in order."""
    barrier = threading.Barrier(len(tasks))

    def released(task: Callable[[], T]) -> T:
        barrier.wait(timeout=30)
        return task()

    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        return [future.result(timeout=120) for future in [pool.submit(released, task) for task in tasks]]


def _sessions(mock: MockServers, count: int) -> list[httpx2.Client]:
    return [admin_session(mock) for _ in range(count)]


def _add_client(session: httpx2.Client, mock: MockServers, name: str) -> dict[str, Any]:
    result = service(session, mock, "AddClient", {"addClientRequest": {
        "name": name, "redirectUrl": "", "applicationUrl": "https://start.example.test",
        "systemUserId": mock.seed.technical_user_id, "grantType": "client_credentials"}})
    assert result["success"], result
    return result


def _identity_client(mock: MockServers, http: httpx2.Client, client_id: str) -> dict[str, Any]:
    secret = mock.system_setting("OAuth20IdentityServerClientSecret")
    issued = http.post(f"{mock.identity_url}/connect/token", auth=("bpmonline-designer", secret),
                       data={"grant_type": "client_credentials", "scope": "get_client_info IdentityServerApi"})
    response = http.get(f"{mock.identity_url}/clients/{client_id}",
                        headers={"Authorization": f"Bearer {issued.json()['access_token']}"})
    assert response.status_code == 200, response.text
    info: dict[str, Any] = response.json()
    return info


def test_edits_of_one_integration_at_once_all_stay(mock: MockServers) -> None:
    """Six fields of one integration edited at once, through OAuthConfigService and OData alike, round
    after round: the record and its Identity Service client hold every edit."""
    sessions = _sessions(mock, THREADS)
    try:
        admin = sessions[0]
        app = _add_client(admin, mock, f"{PREFIX}edited")
        other_user = technical_user(admin, mock, f"{PREFIX}second user")
        prefix = mock.options.app_prefix
        row_url = f"{prefix}/odata/OAuthClientApp({app['id']})"
        for round_ in range(ROUNDS):
            user = other_user if round_ % 2 == 0 else mock.seed.technical_user_id
            active = round_ % 2 == 1
            wanted = {
                "Name": f"{PREFIX}name {round_}",
                "ApplicationUrl": f"https://app{round_}.example.test",
                "RedirectUrl": f"https://app{round_}.example.test/back",
                "Description": f"description {round_}",
                "IsActive": active,
                "SystemUserId": user,
            }

            def edit(session: httpx2.Client, field: str, value: Any) -> int:
                if field in SERVICE_EDITS:
                    body = {"updateClientRequest": {"clientId": app["clientId"], SERVICE_EDITS[field]: value}}
                    response = session.post(f"{prefix}/rest/OAuthConfigService/UpdateClient", json=body)
                    return 200 if response.json()["UpdateClientResult"]["success"] else response.status_code
                return session.patch(row_url, json={field: value}).status_code

            statuses = _at_once([partial(edit, session, field, value)
                                 for session, (field, value) in zip(sessions, wanted.items(), strict=True)])
            assert statuses == [200, 200, 200, 204, 204, 204], statuses
            row = admin.get(row_url).json()
            assert {field: row[field] for field in wanted} == wanted, f"round {round_}: an edit was lost"
            info = _identity_client(mock, admin, app["clientId"])
            assert (info["ClientName"], info["ClientUri"], info["RedirectUri"], info["Description"], info["Enabled"],
                    info["Properties"]) == (wanted["Name"], wanted["ApplicationUrl"], wanted["RedirectUrl"],
                                            wanted["Description"], active, {"SysAdminUnitId": user}), (
                f"round {round_}: the Identity Service holds another record than Creatio")
    finally:
        for session in sessions:
            session.close()


def _token(http: httpx2.Client, mock: MockServers, client_id: str, secret: str) -> httpx2.Response:
    return http.post(f"{mock.identity_url}/connect/token",
                     data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})


def test_tokens_creations_and_deletions_at_once_leave_the_stores_agreeing(mock: MockServers) -> None:
    """Threads asking for tokens beside threads creating and deleting integrations: every token request of
    a seeded client is served with a token of its own, every save and delete answers, and afterwards
    Creatio and the Identity Service hold the same integrations, each deleted one gone from both."""
    seeded = mock.seed.oauth_clients[0]
    sessions = _sessions(mock, THREADS)
    try:
        kept: list[dict[str, Any]] = []
        for round_ in range(ROUNDS):
            def create_and_delete(session: httpx2.Client, n: int, r: int = round_) -> list[dict[str, Any]]:
                made = [_add_client(session, mock, f"{PREFIX}made {r}.{n}.{k}") for k in range(3)]
                deleted = service(session, mock, "DeleteClient",
                                  {"deleteClientRequest": {"clientId": made[0]["clientId"]}})
                assert deleted == {"success": True}
                return made[1:]

            def tokens() -> list[str]:
                with httpx2.Client(trust_env=False, timeout=30) as http:
                    issued = [_token(http, mock, seeded.client_id, seeded.client_secret) for _ in range(5)]
                assert [response.status_code for response in issued] == [200] * 5
                return [str(response.json()["access_token"]) for response in issued]

            tasks: list[Callable[[], Any]] = [partial(create_and_delete, s, n) for n, s in enumerate(sessions)]
            tasks += [tokens for _ in range(THREADS)]
            results = _at_once(tasks)
            kept += [app for made in results[:THREADS] for app in made]
            issued = [token for batch in results[THREADS:] for token in batch]
            assert len(set(issued)) == len(issued) == THREADS * 5
        _assert_agreeing(mock, sessions[0], kept)
    finally:
        for session in sessions:
            session.close()


def _assert_agreeing(mock: MockServers, admin: httpx2.Client, kept: list[dict[str, Any]]) -> None:
    """Creatio and the IS hold the same integrations of this test, and each kept one works."""
    snapshot = mock.snapshot()
    made = sorted(n for n in snapshot["integrations"] if n.startswith(f"{PREFIX}made"))
    assert made == sorted(n for n in snapshot["identity_client_names"] if n.startswith(f"{PREFIX}made"))
    assert len(made) == len(kept) == ROUNDS * THREADS * 2
    rows = admin.get(f"{mock.options.app_prefix}/odata/OAuthClientApp").json()["value"]
    listed = {row["ClientId"] for row in rows}
    assert {app["clientId"] for app in kept} <= listed
    with httpx2.Client(trust_env=False, timeout=30) as http:
        for app in kept[:: max(1, len(kept) // 8)]:
            assert _token(http, mock, app["clientId"], app["clientSecret"]).status_code == 200


def test_one_name_saved_at_once_makes_onetechnical_user(mock: MockServers) -> None:
    """Technical users of one name saved at once: one is created, the others are told the name is taken."""
    sessions = _sessions(mock, THREADS)
    try:
        name = f"{PREFIX}same name"
        prefix = mock.options.app_prefix

        def save(session: httpx2.Client) -> Any:
            response = session.post(f"{prefix}/rest/AdministrationService/UpdateOrCreateTechnicalUser",
                                    json={"Id": str(uuid.uuid4()), "Name": name, "Active": True})
            assert response.status_code == 200, response.text
            return response.json()

        answers = _at_once([partial(save, s) for s in sessions])
        assert sorted(answers, key=str) == sorted(["", *["A user or role with the same name already exists."]
                                                    * (THREADS - 1)], key=str)
        assert mock.snapshot()["users"].count(name) == 1
    finally:
        for session in sessions:
            session.close()
