"""The mock's own administration endpoints (``/__mock__/``) and the leftover report.

``/__mock__/`` takes the admin login the mock prints, as HTTP Basic reads it (RFC 7617: base64 of
user-id ":" password, nothing decoded after), so that a password with ``+``, ``%`` or a colon works. The
leftover report counts each object of each kind: a technical user named after its integration is a
second leftover, and so is the Identity Service client behind it, where the target lets the suite see it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import closing
from urllib.parse import quote, quote_plus

import httpx2
import pytest

from oauth_conformance.http import EvidenceLog, HttpClient, TransportPolicy
from oauth_conformance.mock import MockOptions, MockServers, start_mock
from oauth_conformance.targets.creatio import CreatioAdapter, CreatioConnection
from oauth_conformance.targets.creatio_target import CreatioEnvironment
from oauth_conformance.targets.technical_users import TechnicalUsers, TechUserBudget
from tests.selftest.mock_client import HTTP, admin_session, service, technical_user

# One worker for the whole file: its module-scoped fixtures (servers, child runs) are set up once.
pytestmark = pytest.mark.xdist_group("test_mock_admin")

# A password form-decoding would change three ways ("+" to a space, "%2B" to "+", a bare "%"), with a colon
# (only the first one of a Basic value ends the user-id) and characters beyond ASCII (UTF-8, RFC 7617 §2.1).
ODD_PASSWORD = "a+b %2B:c%ü€"


@pytest.mark.parametrize("password", [ODD_PASSWORD, "100%", "plain"])
def test_mock_endpoints_take_the_password_the_mock_prints(password: str) -> None:
    with start_mock(MockOptions(admin_password=password)) as mock:
        state = f"{mock.creatio_url}/__mock__/state"
        assert HTTP.get(state, auth=(mock.admin_user, password)).status_code == 200
        rights = HTTP.post(f"{mock.creatio_url}/__mock__/rights", auth=(mock.admin_user, password), json={
            "userId": mock.seed.technical_user_id, "entity": "Contact", "operations": ["read"]})
        assert rights.status_code == 204
        # What a form-decoding reader would have turned into the password is not the password.
        for encoded in {quote_plus(password), quote(password)} - {password}:
            assert HTTP.get(state, auth=(mock.admin_user, encoded)).status_code == 401
        assert HTTP.get(state, auth=(mock.admin_user, password + "x")).status_code == 401
        assert HTTP.get(state, auth=(mock.admin_user + "x", password)).status_code == 401


@pytest.mark.parametrize("header", ["Basic", "Basic !!!", "Basic " + "U3VwZXJ2aXNvcg==", "Bearer x", "Basic %%"])
def test_mock_endpoints_refuse_a_malformed_basic_value(mock: MockServers, header: str) -> None:
    response = HTTP.get(f"{mock.creatio_url}/__mock__/state", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic ")


# --- the leftover report ---------------------------------------------------------------------------------

THIS_RUN = "occ-this-run-"
OTHER_RUN = "occ-other-run-"


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServers]:
    # The defect leaves the Identity Service client of a deleted integration behind: an orphan to report.
    with start_mock(MockOptions(defects=frozenset({"delete-leaves-client-usable"}))) as servers:
        yield servers


def _add_client(session: httpx2.Client, mock: MockServers, name: str, user_id: str) -> str:
    result = service(session, mock, "AddClient", {"addClientRequest": {
        "name": name, "redirectUrl": "", "applicationUrl": "https://left.example.test", "systemUserId": user_id,
        "grantType": "client_credentials"}})
    assert result["success"], result
    return str(result["clientId"])


def _environment(mock: MockServers, http: HttpClient, with_mock: bool) -> CreatioEnvironment:
    connection = CreatioConnection(
        site_url=mock.creatio_url, identity_url=mock.identity_url, path_style="auto", hosting="onsite",
        admin_user=mock.admin_user, admin_password=mock.admin_password, tech_user=None, allowed_entity=None,
        denied_entity=None,
    )
    adapter = CreatioAdapter(http, connection)
    return CreatioEnvironment(
        kind="mock", description="the mock", connection=connection, adapter=adapter, identity=None,
        run_prefix=THIS_RUN, names_prefix=THIS_RUN, budget=TechUserBudget(allowed=True, limit=10),
        technical_users=TechnicalUsers(adapter),
        mock=mock if with_mock else None,
    )


def test_snapshot_lists_every_object_of_each_kind(mock: MockServers) -> None:
    with closing(admin_session(mock)) as admin:
        name = f"{OTHER_RUN}snapshot"
        _add_client(admin, mock, name, technical_user(admin, mock, name))
    snapshot = mock.snapshot()
    assert (snapshot["integrations"].count(name), snapshot["users"].count(name),
            snapshot["identity_client_names"].count(name)) == (1, 1, 1)
    assert len(snapshot["identity_client_names"]) == len(snapshot["identity_clients"])
    state = HTTP.get(f"{mock.creatio_url}/__mock__/state", auth=(mock.admin_user, mock.admin_password)).json()
    assert state == mock.snapshot()


def test_leftovers_count_each_object_of_another_run(mock: MockServers) -> None:
    """Another run left an integration and the technical user named after it (with the Identity Service
    client behind the integration), and the Identity Service client of an integration it deleted: four
    leftovers. This run's own objects are none of them."""
    with closing(admin_session(mock)) as admin:
        pair = f"{OTHER_RUN}pair"
        _add_client(admin, mock, pair, technical_user(admin, mock, pair))
        orphan = f"{OTHER_RUN}orphan"
        client_id = _add_client(admin, mock, orphan, mock.seed.technical_user_id)
        deleted = service(admin, mock, "DeleteClient", {"deleteClientRequest": {"clientId": client_id}})
        assert deleted == {"success": True}
        own = f"{THIS_RUN}own"
        _add_client(admin, mock, own, technical_user(admin, mock, own))
    http = HttpClient(TransportPolicy(timeout=10), EvidenceLog())
    try:
        found = _environment(mock, http, with_mock=True).leftovers("occ-")
        assert [line for line in found if "pair" in line or "orphan" in line] == sorted([
            f"integration {pair!r}", f"user {pair!r}", f"Identity Service client {pair!r}",
            f"Identity Service client {orphan!r}",
        ])
        assert not [line for line in found if THIS_RUN in line]
        # A Creatio lets the suite list no Identity Service clients: the integration and the user remain.
        on_creatio = _environment(mock, http, with_mock=False).leftovers("occ-")
        assert [line for line in on_creatio if "pair" in line or "orphan" in line] == sorted([
            f"integration {pair!r}", f"user {pair!r}"])
        assert dataclasses.replace(_environment(mock, http, with_mock=True), run_prefix=OTHER_RUN).leftovers(
            OTHER_RUN) == []
    finally:
        http.close()
