"""The checks of ``checks/creatio.py`` on canned Creatio and Identity Service answers."""

from __future__ import annotations

import json
from typing import Any

import httpx2

from oauth_conformance.checks import Status, creatio
from oauth_conformance.cleanup import Leftover
from oauth_conformance.http import json_object
from oauth_conformance.jwt import b64url
from oauth_conformance.targets.creatio import HealthReport
from oauth_conformance.targets.identity import TokenResult
from tests.unit.cases import Case, assert_case, cases_of, error_response, response, token_response

HELD, VIOLATED, MEASURED = Status.HELD, Status.VIOLATED, Status.MEASURED

CLIENT_ID = "6E92FB07A1B2C3D4E5F60718293A6F89"
SECRET = "B73F3EE5" * 8
USER = "410006E1-CA4E-4502-A9EC-E54D922D2C00"
GREEN = {
    "HasProblem": False,
    "IsSystemSettingsFilledIn": True,
    "IsIdentityServiceAvailable": True,
    "IsAccessTokenRetrievableForSystemActions": True,
}
DISCOVERY = {"issuer": "https://is.example.test", "token_endpoint": "https://is.example.test/connect/token",
             "jwks_uri": "https://is.example.test/.well-known/openid-configuration/jwks"}


def health(status: int = 200, **members: Any) -> HealthReport:
    return HealthReport(status, GREEN | members, "E1")


def unnamed(
    refused: bool, message: str | None, users: frozenset[str] = frozenset(), credentials: bool = False
) -> creatio.UnnamedSaveOutcome:
    return creatio.UnnamedSaveOutcome(refused, message, frozenset(), users, credentials)


def token(result: httpx2.Response) -> TokenResult:
    return TokenResult(result, json_object(result))


def jwt(**claims: Any) -> str:
    def part(value: dict[str, Any]) -> str:
        return b64url(json.dumps(value).encode())

    return f"{part({'alg': 'RS256', 'typ': 'at+jwt'})}.{part(claims)}.c2ln"


def api(status: int = 200, entity: str = "Currency", value: list[dict[str, str]] | None = None) -> httpx2.Response:
    url = f"https://creatio.example.test/0/odata/{entity}"
    if status == 200:
        rows = [{"Id": USER}] if value is None else value
        return response(200, json={"value": rows}, method="GET", url=url)
    return response(status, text="", method="GET", url=url)


ISSUED, REFUSED = token(token_response()), token(error_response(400, "invalid_client"))
NO_TOKEN = token(error_response(503, None))


def stored_id(stored: object) -> creatio.StoredClientId:
    return creatio.StoredClientId(CLIENT_ID, stored, "E2")


def secret(stored: str) -> creatio.ReadBackSecret:
    return creatio.ReadBackSecret(SECRET, stored, "E3")


def new_read(answer: httpx2.Response | None) -> creatio.NewTokenRead:
    return creatio.NewTokenRead("Other app", "E4", answer)


def probes(*statuses: int) -> creatio.RevokedTokenProbes:
    return creatio.RevokedTokenProbes(2.5, tuple(api(s) for s in statuses), 3590.0)


CASES = [
    # CRE-health-preflight: the health check's answer, the checkboxes, the discovery document.
    Case(creatio.health_preflight, creatio.HealthCheckAnswer(health()), HELD, "200 HasProblem false"),
    Case(creatio.health_preflight, creatio.HealthCheckAnswer(health(500, HasProblem=True)), VIOLATED, "500"),
    Case(creatio.health_preflight, creatio.HealthCheckAnswer(health(200, HasProblem=None)), VIOLATED,
         "200 without HasProblem"),
    Case(creatio.health_preflight, creatio.DiagnosticCheckboxes(health()), HELD, "all selected"),
    Case(creatio.health_preflight, creatio.DiagnosticCheckboxes(health(IsDefaultResourceRegistered=True)), HELD,
         "newer build's fourth flag selected"),
    Case(creatio.health_preflight,
         creatio.DiagnosticCheckboxes(health(IsAccessTokenRetrievableForSystemActions=False)), VIOLATED,
         "token not retrievable though HasProblem false"),
    Case(creatio.health_preflight, creatio.DiagnosticCheckboxes(health(IsDefaultResourceRegistered=False)),
         VIOLATED, "no default resource"),
    Case(creatio.health_preflight, creatio.IdentityDiscovery(DISCOVERY, None, "E1"), HELD, "names all three"),
    Case(creatio.health_preflight, creatio.IdentityDiscovery(DISCOVERY | {"jwks_uri": ""}), VIOLATED,
         "empty jwks_uri"),
    Case(creatio.health_preflight, creatio.IdentityDiscovery(None, "discovery answered HTTP 503"), VIOLATED,
         "the Identity Service is down"),
    # CRE-credentials-generated: the save's answer, the precondition's credentials, the saved record.
    Case(creatio.credentials_generated, creatio.SaveAnswer(True, None, ("E1",)), HELD, "integration returned"),
    Case(creatio.credentials_generated, creatio.SaveAnswer(False, "Name is required.", ("E1",)), VIOLATED,
         "save refused"),
    Case(creatio.credentials_generated, creatio.SaveAnswer(False, None), VIOLATED, "nothing returned"),
    Case(creatio.credentials_generated, creatio.ReturnedCredentials("Alpha", True, True, None), HELD,
         "precondition credentials returned"),
    Case(creatio.credentials_generated, creatio.ReturnedCredentials("Alpha", True, False, None), VIOLATED,
         "precondition without a secret"),
    Case(creatio.credentials_generated, creatio.ReturnedCredentials("Alpha", False, False, "HTTP 503"), VIOLATED,
         "precondition save refused"),
    Case(creatio.credentials_generated, creatio.SavedRecord(True, True, True), HELD, "record carries the Client Id"),
    Case(creatio.credentials_generated, creatio.SavedRecord(True, False, True), VIOLATED, "secret missing"),
    Case(creatio.credentials_generated, creatio.SavedRecord(True, True, False), VIOLATED, "no record"),
    # CRE-credential-format.
    Case(creatio.credential_format, creatio.GeneratedCredentials(CLIENT_ID, SECRET), HELD, "upper-case hex"),
    Case(creatio.credential_format, creatio.GeneratedCredentials(CLIENT_ID.lower(), SECRET.lower()), VIOLATED,
         "lower-case hex"),
    Case(creatio.credential_format, creatio.GeneratedCredentials(CLIENT_ID, SECRET[:16]), VIOLATED,
         "16-character secret"),
    # CRE-techuser-created: the user named after the integration, the integration's user.
    Case(creatio.techuser_created,
         creatio.UserNamedAfterIntegration("Rates", {"SysAdminUnitTypeValue": 7, "Active": True}), HELD,
         "active technical user"),
    Case(creatio.techuser_created,
         creatio.UserNamedAfterIntegration("Rates", {"SysAdminUnitTypeValue": 4, "Active": True}), VIOLATED,
         "ordinary user"),
    Case(creatio.techuser_created,
         creatio.UserNamedAfterIntegration("Rates", {"SysAdminUnitTypeValue": 7, "Active": False}), VIOLATED,
         "inactive"),
    Case(creatio.techuser_created, creatio.UserNamedAfterIntegration("Rates", None), VIOLATED, "no such user"),
    Case(creatio.techuser_created, creatio.RunsAsCreatedUser("Rates", USER.lower(), USER), HELD,
         "bound to the created user, case aside"),
    Case(creatio.techuser_created, creatio.RunsAsCreatedUser("Rates", "supervisor-id", USER), VIOLATED,
         "bound to the admin"),
    Case(creatio.techuser_created, creatio.RunsAsCreatedUser("Rates", "", None), VIOLATED, "no user created"),
    # CRE-techuser-existing: the integration's user, the users before and after.
    Case(creatio.techuser_existing, creatio.RunsAsChosenUser("Hook", USER.lower(), USER, "tech"), HELD,
         "bound to the chosen user"),
    Case(creatio.techuser_existing, creatio.RunsAsChosenUser("Hook", "supervisor-id", USER, "tech"), VIOLATED,
         "bound to another"),
    Case(creatio.techuser_existing, creatio.UsersBeforeAndAfter(frozenset({"a"}), frozenset({"a"})), HELD,
         "no new user"),
    Case(creatio.techuser_existing, creatio.UsersBeforeAndAfter(frozenset({"a"}), frozenset({"a", "b"})), VIOLATED,
         "a new user"),
    # CRE-unnamed-save: refused cleanly, or accepted as a whole integration.
    Case(creatio.unnamed_save, unnamed(True, "Name is required."), HELD, "refused with a message"),
    Case(creatio.unnamed_save, unnamed(True, ""), VIOLATED, "refused without a message"),
    Case(creatio.unnamed_save, unnamed(True, "Name is required.", users=frozenset({"u1"})), VIOLATED,
         "refused, yet a user was created"),
    Case(creatio.unnamed_save, unnamed(False, None, credentials=True), HELD, "accepted with credentials"),
    Case(creatio.unnamed_save, unnamed(False, None), VIOLATED, "accepted without credentials"),
    # CRE-cleanup: what was removed, what was left.
    Case(creatio.cleanup_complete, creatio.CleanupOutcome(("integration 'a'", "technical user 'a'"), ()), HELD,
         "all removed"),
    Case(creatio.cleanup_complete,
         creatio.CleanupOutcome(("integration 'a'",), (Leftover("technical user 'a'", "deactivated", "by hand"),)),
         VIOLATED, "a user left"),
    # CRE-integration-listed.
    Case(creatio.integration_listed,
         creatio.IntegrationsList(CLIENT_ID, "Rates", ({"ClientId": "X"}, {"ClientId": CLIENT_ID, "Name": "Rates"})),
         HELD, "listed once"),
    Case(creatio.integration_listed, creatio.IntegrationsList(CLIENT_ID, "Rates", ({"ClientId": "X"},)), VIOLATED,
         "not listed"),
    Case(creatio.integration_listed,
         creatio.IntegrationsList(CLIENT_ID, "Rates", ({"ClientId": CLIENT_ID, "Name": "Other"},)), VIOLATED,
         "listed under another name"),
    # CRE-dedicated-credentials: two integrations' credentials, crossed credentials.
    Case(creatio.dedicated_credentials, creatio.TwoIntegrations(CLIENT_ID, SECRET, "A" * 32, "B" * 64), HELD,
         "both differ"),
    Case(creatio.dedicated_credentials, creatio.TwoIntegrations(CLIENT_ID, SECRET, "A" * 32, SECRET), VIOLATED,
         "shared secret"),
    Case(creatio.dedicated_credentials, creatio.CrossedCredentialsToken("Alpha", "Beta", REFUSED), HELD,
         "crossed refused"),
    Case(creatio.dedicated_credentials, creatio.CrossedCredentialsToken("Alpha", "Beta", ISSUED), VIOLATED,
         "crossed accepted"),
    Case(creatio.dedicated_credentials, creatio.CrossedCredentialsToken("Alpha", "Beta", NO_TOKEN), VIOLATED,
         "503 is no refusal"),
    # CRE-token-issued and CRE-basic-support: a Bearer token.
    Case(creatio.token_issued, creatio.TokenAnswer("Rates", ISSUED), HELD, "Bearer token"),
    Case(creatio.token_issued, creatio.TokenAnswer("Rates", token(token_response(token_type="bearer"))), HELD,
         "bearer in lower case"),
    Case(creatio.token_issued, creatio.TokenAnswer("Rates", token(token_response(token_type="mac"))), VIOLATED,
         "not Bearer"),
    Case(creatio.token_issued, creatio.TokenAnswer("Rates", token(token_response(access_token=""))), VIOLATED,
         "empty token"),
    Case(creatio.token_issued, creatio.TokenAnswer("Rates", REFUSED), VIOLATED, "refused"),
    Case(creatio.basic_support, creatio.TokenAnswer("Rates", ISSUED), HELD, "Basic obtains a token"),
    Case(creatio.basic_support, creatio.TokenAnswer("Rates", REFUSED), VIOLATED, "Basic refused"),
    # CRE-token-acts-as-techuser: the token's claims, the permitted read.
    Case(creatio.token_acts_as_techuser,
         creatio.TokenIdentity(jwt(client_id=CLIENT_ID, **{"prop:SysAdminUnitId": USER.lower()}), CLIENT_ID, USER),
         HELD, "client and user claims match"),
    Case(creatio.token_acts_as_techuser,
         creatio.TokenIdentity(jwt(client_id=CLIENT_ID, **{"prop:SysAdminUnitId": "supervisor"}), CLIENT_ID, USER),
         VIOLATED, "admin's user"),
    Case(creatio.token_acts_as_techuser,
         creatio.TokenIdentity(jwt(client_id="Rates", **{"prop:SysAdminUnitId": USER}), CLIENT_ID, USER),
         VIOLATED, "client_id is the name"),
    Case(creatio.token_acts_as_techuser, creatio.TokenIdentity("opaque-token", CLIENT_ID, USER), VIOLATED,
         "not a JWT"),
    Case(creatio.token_acts_as_techuser, creatio.PermittedRead(api(200)), HELD, "records"),
    Case(creatio.token_acts_as_techuser, creatio.PermittedRead(api(403)), VIOLATED, "refused"),
    # CRE-techuser-isolation: a denied read, a denied read beside its control.
    Case(creatio.techuser_isolation, creatio.DeniedRead(api(403), True), HELD, "403"),
    Case(creatio.techuser_isolation, creatio.DeniedRead(api(401), True), HELD, "401"),
    Case(creatio.techuser_isolation, creatio.DeniedRead(api(200), True), VIOLATED, "records"),
    Case(creatio.techuser_isolation, creatio.DeniedRead(api(200, value=[]), True), HELD,
         "empty, while an administrator reads records"),
    Case(creatio.techuser_isolation, creatio.DeniedRead(api(200, value=[]), False), VIOLATED,
         "empty for everyone: no proof"),
    Case(creatio.techuser_isolation, creatio.DeniedReadWithControl("Contact", api(403), "Currency", api(200), True),
         HELD, "refused beside a working control"),
    Case(creatio.techuser_isolation, creatio.DeniedReadWithControl("Contact", api(403), "Currency", api(401), True),
         VIOLATED, "control refused too"),
    Case(creatio.techuser_isolation, creatio.DeniedReadWithControl("Contact", api(200), "Currency", api(200), True),
         VIOLATED, "rights ignored"),
    # CRE-edit-updates: the save's answer, the read-back.
    Case(creatio.edit_updates, creatio.EditSaveAnswer("Name", response(204, method="PATCH")), HELD, "204"),
    Case(creatio.edit_updates, creatio.EditSaveAnswer("Name", response(403, json={"error": {}})), VIOLATED, "403"),
    Case(creatio.edit_updates, creatio.EditReadBack("Name", "new", "new"), HELD, "stored"),
    Case(creatio.edit_updates, creatio.EditReadBack("Name", "old", "new"), VIOLATED, "not stored"),
    # CRE-edit-keeps-credentials: Client Id, read-back secret, original credentials, earlier token.
    Case(creatio.edit_keeps_credentials, stored_id(CLIENT_ID), HELD, "Client Id unchanged"),
    Case(creatio.edit_keeps_credentials, stored_id(None), VIOLATED, "Client Id missing"),
    Case(creatio.edit_keeps_credentials, secret(SECRET), HELD, "secret unchanged"),
    Case(creatio.edit_keeps_credentials, secret("C" * 64), VIOLATED, "secret rotated"),
    Case(creatio.edit_keeps_credentials, creatio.CredentialsToken("Rates", ISSUED), HELD, "credentials work"),
    Case(creatio.edit_keeps_credentials, creatio.CredentialsToken("Rates", REFUSED), VIOLATED, "credentials refused"),
    Case(creatio.edit_keeps_credentials, creatio.EarlierTokenRead(api(200)), HELD, "earlier token reads"),
    Case(creatio.edit_keeps_credentials, creatio.EarlierTokenRead(api(401)), VIOLATED, "earlier token refused"),
    # CRE-active-off-new.
    Case(creatio.active_off_new, creatio.DeactivatedClientToken(0.1, REFUSED), HELD, "invalid_client"),
    Case(creatio.active_off_new, creatio.DeactivatedClientToken(0.1, token(error_response(401))), HELD,
         "401 invalid_client"),
    Case(creatio.active_off_new, creatio.DeactivatedClientToken(0.1, token(error_response(400, "invalid_grant"))),
         VIOLATED, "another error code"),
    Case(creatio.active_off_new, creatio.DeactivatedClientToken(0.1, ISSUED), VIOLATED, "token issued"),
    # CRE-secret-rotate: the deleted credentials, the replacement's.
    Case(creatio.secret_rotate, creatio.DeletedCredentialsToken(REFUSED), HELD, "deleted refused"),
    Case(creatio.secret_rotate, creatio.DeletedCredentialsToken(ISSUED), VIOLATED, "deleted still work"),
    Case(creatio.secret_rotate, creatio.CredentialsToken("Rates v2", ISSUED), HELD, "replacement works"),
    Case(creatio.secret_rotate, creatio.CredentialsToken("Rates v2", REFUSED), VIOLATED, "replacement refused"),
    # CRE-active-off-existing: measured either way.
    Case(creatio.active_off_existing_review, probes(200, 401), MEASURED, "refused after a while"),
    Case(creatio.active_off_existing_review, probes(200, 200), MEASURED, "still accepted"),
    # CRE-active-off-isolated: the other integration's credentials and new token.
    Case(creatio.active_off_isolated, creatio.CredentialsToken("Other app", ISSUED), HELD, "other still works"),
    Case(creatio.active_off_isolated, creatio.CredentialsToken("Other app", REFUSED), VIOLATED, "other disabled"),
    Case(creatio.active_off_isolated, new_read(api(200)), HELD, "new token reads"),
    Case(creatio.active_off_isolated, new_read(None), VIOLATED, "no new token"),
    # CRE-reactivate: Client Id, secret, credentials, new token.
    Case(creatio.reactivate, stored_id(CLIENT_ID), HELD, "Client Id unchanged"),
    Case(creatio.reactivate, stored_id("F" * 32), VIOLATED, "Client Id changed"),
    Case(creatio.reactivate, secret(SECRET), HELD, "secret unchanged"),
    Case(creatio.reactivate, secret("C" * 64), VIOLATED, "secret rotated"),
    Case(creatio.reactivate, creatio.CredentialsToken("Rates", ISSUED), HELD, "credentials work again"),
    Case(creatio.reactivate, creatio.CredentialsToken("Rates", REFUSED), VIOLATED, "still refused"),
    Case(creatio.reactivate, new_read(api(200)), HELD, "new token reads"),
    Case(creatio.reactivate, new_read(api(401)), VIOLATED, "new token refused"),
]


@cases_of(CASES)
def test_check(case: Case) -> None:
    assert_case(case)


def test_observations_holding_secrets_keep_them_out_of_their_repr() -> None:
    observed = [
        creatio.GeneratedCredentials(CLIENT_ID, SECRET),
        creatio.TwoIntegrations(CLIENT_ID, SECRET, "A" * 32, "B" * 64),
        creatio.ReadBackSecret(SECRET, "C" * 64),
        creatio.TokenIdentity(jwt(client_id=CLIENT_ID), CLIENT_ID, USER),
    ]
    for observation in observed:
        text = repr(observation)
        assert SECRET not in text and "C" * 64 not in text and "B" * 64 not in text and "eyJ" not in text, text


def test_the_revoked_token_measurement_names_the_wait() -> None:
    refused = creatio.active_off_existing_review(probes(200, 403))
    accepted = creatio.active_off_existing_review(probes(200, 200))
    assert refused.message.startswith("refused 2.5 s after") and "per request" in refused.message
    assert "still accepted 2.5 s" in accepted.message and "expires in 3590 s" in accepted.message
    assert refused.evidence == ("E1", "E1")
