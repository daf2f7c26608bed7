"""Checks of Creatio's documented procedure "Set up client credentials grant" (8.3) and the outcomes it
promises (https://academy.creatio.com/documents?id=2508); what Creatio does on the wire is
``docs/creatio-oauth.md``.

Each requirement is decided at one or more steps of the Creatio scenarios; where it is decided at
several, its check takes a union of small observation types, one per kind of evidence, and each step
hands the part it observed. Observations that hold a Client secret or an access token keep it out of
their repr.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, assert_never

import httpx2

from oauth_conformance.checks._outcome import Outcome, held, judged, measured, violated
from oauth_conformance.checks._registry import Family, check
from oauth_conformance.cleanup import Leftover
from oauth_conformance.http import exchange_id, json_object
from oauth_conformance.jwt import decode_unverified
from oauth_conformance.redaction import RedactedRepr
from oauth_conformance.targets.creatio import HealthReport, describe_body, has_records
from oauth_conformance.targets.identity import TokenResult

__all__ = [
    "CleanupOutcome",
    "CredentialsToken",
    "CrossedCredentialsToken",
    "DeactivatedClientToken",
    "DeletedCredentialsToken",
    "DeniedRead",
    "DeniedReadWithControl",
    "DiagnosticCheckboxes",
    "EarlierTokenRead",
    "EditReadBack",
    "EditSaveAnswer",
    "GeneratedCredentials",
    "HealthCheckAnswer",
    "IdentityDiscovery",
    "IntegrationsList",
    "NewTokenRead",
    "PermittedRead",
    "ReadBackSecret",
    "ReturnedCredentials",
    "RevokedTokenProbes",
    "RunsAsChosenUser",
    "RunsAsCreatedUser",
    "SaveAnswer",
    "SavedRecord",
    "StoredClientId",
    "TokenAnswer",
    "TokenIdentity",
    "TwoIntegrations",
    "UnnamedSaveOutcome",
    "UserNamedAfterIntegration",
    "UsersBeforeAndAfter",
    "active_off_existing_review",
    "active_off_isolated",
    "active_off_new",
    "api_refused",
    "basic_support",
    "cleanup_complete",
    "credential_format",
    "credentials_generated",
    "dedicated_credentials",
    "edit_keeps_credentials",
    "edit_updates",
    "health_preflight",
    "integration_listed",
    "reactivate",
    "read_denied",
    "secret_rotate",
    "techuser_created",
    "techuser_existing",
    "techuser_isolation",
    "token_acts_as_techuser",
    "token_issued",
    "unnamed_save",
]

Evidence = tuple[str | None, ...]

# Creatio generates 16 and 32 random bytes as upper-case hex without separators (docs/creatio-oauth.md §1.3).
CLIENT_ID_FORMAT = re.compile(r"[0-9A-F]{32}")
CLIENT_SECRET_FORMAT = re.compile(r"[0-9A-F]{64}")
# What a discovery document must name for a client to obtain and verify a token (docs/creatio-oauth.md §1.2).
DISCOVERY_MEMBERS = ("issuer", "token_endpoint", "jwks_uri")
# SysAdminUnitTypeValue of a technical user; ordinary users are 4 (docs/creatio-oauth.md §3.4).
TECHNICAL_USER_TYPE = 7


def api_refused(response: httpx2.Response) -> bool:
    """The Creatio API refused a Bearer request: 401 (authentication) or 403 (rights), docs/creatio-oauth.md §2.3."""
    return response.status_code in (401, 403)


def read_denied(response: httpx2.Response, admin_sees_records: bool) -> bool:
    """A read the user may not make: refused (401, 403), or, where rights are record-level, answered
    ``200`` with an empty collection of an entity an administrator reads records of (docs/creatio-versions.md
    §2). Empty is a denial only beside that control: an entity with no records is empty for everyone."""
    if api_refused(response):
        return True
    body = json_object(response)
    return admin_sees_records and response.status_code == 200 and body is not None and body.get("value") == []


# -- observations: diagnostics ---------------------------------------------------------------------


@dataclass(frozen=True)
class HealthCheckAnswer:
    """The OAuthHealthCheck answer behind the Diagnostic tab: its HTTP status and HasProblem."""

    report: HealthReport


@dataclass(frozen=True)
class DiagnosticCheckboxes:
    """The Diagnostic tab's checkboxes: the flags of the OAuthHealthCheck answer."""

    report: HealthReport


@dataclass(frozen=True)
class IdentityDiscovery:
    """The Identity Service's discovery document (None when it answered something else, ``problem``
    saying what) while the diagnostics are green."""

    document: Mapping[str, Any] | None
    problem: str | None = None
    exchange: str | None = None


# -- observations: saving an integration -------------------------------------------------------------


@dataclass(frozen=True)
class SaveAnswer:
    """What saving a new integration answered: whether it returned an integration, and the message of
    the service call that was refused (None when none was)."""

    created: bool
    refusal: str | None
    evidence: Evidence = ()


@dataclass(frozen=True)
class ReturnedCredentials:
    """Which credentials the save of a scenario's precondition integration returned (presence only),
    and the message of the service call that was refused (None when none was)."""

    label: str
    client_id_returned: bool
    client_secret_returned: bool
    refusal: str | None
    evidence: Evidence = ()


@dataclass(frozen=True)
class SavedRecord:
    """Which credentials a save returned (presence only), and whether the OAuthClientApp record is
    found by the returned Client Id."""

    client_id_returned: bool
    client_secret_returned: bool
    record_found: bool
    evidence: Evidence = ()


@dataclass(frozen=True, repr=False)
class GeneratedCredentials(RedactedRepr):
    """The Client Id and Client secret a save returned."""

    client_id: str
    client_secret: str = field(repr=False)
    evidence: Evidence = ()


@dataclass(frozen=True)
class UserNamedAfterIntegration:
    """The SysAdminUnit row of the user named after a new integration (None: no such user)."""

    name: str
    row: Mapping[str, Any] | None
    exchange: str | None = None


@dataclass(frozen=True)
class RunsAsCreatedUser:
    """The system user a new integration is bound to, beside the technical user its save created."""

    integration: str
    bound_user: str
    created_user: str | None
    exchange: str | None = None


@dataclass(frozen=True)
class RunsAsChosenUser:
    """The system user a new integration is bound to, beside the existing technical user chosen for it."""

    integration: str
    bound_user: str
    chosen_id: str
    chosen_name: str
    exchange: str | None = None


@dataclass(frozen=True)
class UsersBeforeAndAfter:
    """The Ids of every user before and after saving an integration for an existing technical user."""

    before: frozenset[str]
    after: frozenset[str]
    exchange: str | None = None


@dataclass(frozen=True)
class UnnamedSaveOutcome:
    """What saving an integration without a name did through the API: whether it was refused and with
    what message, what appeared on the target meanwhile, and whether credentials came back."""

    refused: bool
    message: str | None
    new_integrations: frozenset[str]
    new_users: frozenset[str]
    credentials_returned: bool
    evidence: Evidence = ()


@dataclass(frozen=True)
class CleanupOutcome:
    """What the scenario's cleanup removed, and what it could not (with what to do by hand)."""

    removed: tuple[str, ...]
    left: tuple[Leftover, ...]


@dataclass(frozen=True)
class IntegrationsList:
    """The OAuth integrated applications list, beside a new integration's Client Id and name."""

    client_id: str
    name: str
    rows: tuple[Mapping[str, Any], ...]
    exchange: str | None = None


@dataclass(frozen=True, repr=False)
class TwoIntegrations(RedactedRepr):
    """The Client Ids and Client secrets of two integrations."""

    first_id: str
    first_secret: str = field(repr=False)
    second_id: str
    second_secret: str = field(repr=False)


@dataclass(frozen=True, repr=False)
class CrossedCredentialsToken(RedactedRepr):
    """The answer to a token request with one integration's Client Id and another's Client secret."""

    first: str
    second: str
    result: TokenResult


# -- observations: tokens and the API ------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class TokenAnswer(RedactedRepr):
    """The Identity Service's answer to a token request with an integration's credentials."""

    label: str
    result: TokenResult


@dataclass(frozen=True, repr=False)
class TokenIdentity(RedactedRepr):
    """An integration's access token beside the integration's Client Id and technical user."""

    token: str = field(repr=False)
    client_id: str
    technical_user: str | None
    exchange: str | None = None


@dataclass(frozen=True, repr=False)
class PermittedRead(RedactedRepr):
    """The API's answer to an integration's token reading the entity its technical user may read."""

    response: httpx2.Response


@dataclass(frozen=True, repr=False)
class DeniedRead(RedactedRepr):
    """The API's answer to an integration's token reading an entity its technical user was not granted,
    and whether an administrator reads records of that entity (what makes an empty answer a refusal)."""

    response: httpx2.Response
    admin_sees_records: bool


@dataclass(frozen=True, repr=False)
class DeniedReadWithControl(RedactedRepr):
    """The API's answers to one token reading an entity its technical user may not read and, as the
    positive control, one it may read."""

    denied_entity: str
    denied: httpx2.Response
    allowed_entity: str
    control: httpx2.Response
    admin_sees_records: bool


@dataclass(frozen=True, repr=False)
class DeactivatedClientToken(RedactedRepr):
    """The last answer to the token requests of an integration whose Active flag was cleared, polled
    until refused or CREATIO_DEACTIVATION_WAIT ran out: how long after, and how many requests."""

    seconds_since: float
    result: TokenResult
    attempts: int = 1


@dataclass(frozen=True, repr=False)
class DeletedCredentialsToken(RedactedRepr):
    """The answer to a token request with the credentials of a deleted integration."""

    result: TokenResult


@dataclass(frozen=True, repr=False)
class RevokedTokenProbes(RedactedRepr):
    """The API's answers to a token issued before its integration's Active flag was cleared, probed until
    refused or the wait ran out: seconds since the flag was cleared, and the token's remaining lifetime."""

    elapsed_s: float
    probes: tuple[httpx2.Response, ...]
    expires_in_s: float | None = None


# -- observations: editing, deactivating, reactivating --------------------------------------------------


@dataclass(frozen=True)
class EditSaveAnswer:
    """The answer to saving a new value of an integration's parameter."""

    parameter: str
    response: httpx2.Response


@dataclass(frozen=True)
class EditReadBack:
    """An edited integration column read back, beside the value saved."""

    column: str
    stored: object
    saved: str
    exchange: str | None = None


@dataclass(frozen=True)
class StoredClientId:
    """The Client Id an integration's record carries now, beside the one its save returned."""

    issued: str
    stored: object
    exchange: str | None = None


@dataclass(frozen=True, repr=False)
class ReadBackSecret(RedactedRepr):
    """An integration's Client secret read back with GetClientSecret, beside the one its save returned."""

    issued: str = field(repr=False)
    stored: str = field(repr=False)
    exchange: str | None = None


@dataclass(frozen=True, repr=False)
class CredentialsToken(RedactedRepr):
    """The answer to a token request with the Client Id and Client secret an integration's save returned."""

    label: str
    result: TokenResult


@dataclass(frozen=True, repr=False)
class EarlierTokenRead(RedactedRepr):
    """The API's answer to a token issued before the integration was edited, reading the permitted entity."""

    response: httpx2.Response


@dataclass(frozen=True, repr=False)
class NewTokenRead(RedactedRepr):
    """The API's answer to an integration's newest token reading the permitted entity (None: the
    integration holds no new token)."""

    label: str
    token_exchange: str | None
    response: httpx2.Response | None


# -- shared rules ---------------------------------------------------------------------------------------


def _credentials_obtain_token(observed: CredentialsToken) -> Outcome:
    result = observed.result
    return judged(result.issued, f"{observed.label}: {result.describe()}", [result.exchange])


def _client_id_unchanged(observed: StoredClientId) -> Outcome:
    same = observed.stored == observed.issued
    return judged(same, f"Client Id {'unchanged' if same else 'changed or missing'}", [observed.exchange])


def _secret_unchanged(observed: ReadBackSecret) -> Outcome:
    same = observed.stored == observed.issued
    return judged(
        same, "Client secret read back with GetClientSecret " + ("is unchanged" if same else "has changed"),
        [observed.exchange],
    )


def _new_token_reads(observed: NewTokenRead) -> Outcome:
    if observed.response is None:
        return violated(f"{observed.label} holds no new token", [observed.token_exchange])
    response = observed.response
    return judged(has_records(response), f"{observed.label}: {describe_body(response)}", [exchange_id(response)])


def _token_refused_invalid_client(result: TokenResult) -> bool:
    return not result.issued and result.status in (400, 401) and result.error == "invalid_client"


def _bearer_token_issued(observed: TokenAnswer) -> Outcome:
    result = observed.result
    token_type = (result.body or {}).get("token_type")
    bearer = isinstance(token_type, str) and token_type.lower() == "bearer"
    return judged(
        result.issued and bearer,
        f"{observed.label}: {result.describe()}, token_type={token_type!r}",
        [result.exchange],
    )


# -- the checks ---------------------------------------------------------------------------------------


@check("CRE-health-preflight")
def health_preflight(observed: HealthCheckAnswer | DiagnosticCheckboxes | IdentityDiscovery) -> Outcome:
    """Holds when the Diagnostic tab is all green and the Identity Service behind it answers. The procedure,
    step 3: "If you use Creatio on-site, make sure that all checkboxes on the Diagnostic tab are selected";
    the tab shows OAuthHealthCheck, which answers 200 with ``HasProblem`` false when healthy and 500 when
    it has a problem (docs/creatio-oauth.md §4). Per kind of evidence:

    - the health check's answer: HTTP 200 with ``HasProblem`` false;
    - the checkboxes: every flag (IsSystemSettingsFilledIn, IsIdentityServiceAvailable,
      IsAccessTokenRetrievableForSystemActions, and IsDefaultResourceRegistered where the answer carries
      it) is true;
    - the Identity Service's discovery document, with the diagnostics green: it names ``issuer``,
      ``token_endpoint`` and ``jwks_uri`` (a green tab over an Identity Service that does not answer
      is not green).
    """
    match observed:
        case HealthCheckAnswer(report=report):
            return judged(report.answered_ok, f"OAuthHealthCheck: {report.message}", [report.exchange])
        case DiagnosticCheckboxes(report=report):
            flags = ", ".join(f"{name}={value}" for name, value in report.flags.items())
            return judged(not report.cleared_flags, f"diagnostic checks: {flags}", [report.exchange])
        case IdentityDiscovery():
            document = observed.document or {}
            missing = [name for name in DISCOVERY_MEMBERS if not document.get(name)]
            found = (
                "discovery names issuer, token_endpoint and jwks_uri" if not missing else f"discovery lacks {missing}"
            )
            message = f"the diagnostics are green, but {observed.problem}" if observed.problem else found
            return judged(not missing, message, [observed.exchange])
        case _:
            assert_never(observed)


@check("CRE-credentials-generated")
def credentials_generated(observed: SaveAnswer | ReturnedCredentials | SavedRecord) -> Outcome:
    """Holds when saving a new integration populates its Client Id and Client secret. The procedure,
    "As a result": "The "Client Id" and "Client secret" parameters will be populated". Saving is the
    OAuthConfigService calls CreateTechnicalUser (unless an existing user is chosen) and AddClient, which
    returns ``clientId`` and ``clientSecret`` (docs/creatio-oauth.md §3.3, §3.4). Per kind of evidence:

    - the save's answer, where a step needs the integration it created: a save refused by any call, or
      one that returned no integration, violates it;
    - the credentials a scenario's precondition integration was saved with: both a Client Id and a Client
      secret returned;
    - the saved record: a Client Id and a Client secret returned, and the OAuthClientApp record found by
      that Client Id.
    """
    match observed:
        case SaveAnswer():
            if observed.created and observed.refusal is None:
                return held("the save returned an integration", observed.evidence)
            return violated(
                f"saving the integration was refused: {observed.refusal or 'no integration returned'}",
                observed.evidence,
            )
        case ReturnedCredentials():
            if observed.client_id_returned and observed.client_secret_returned:
                return held(f"saving {observed.label!r}: Client Id and Client secret returned", observed.evidence)
            reason = (
                f"refused: {observed.refusal}" if observed.refusal else "no Client Id or no Client secret in the answer"
            )
            return violated(f"saving {observed.label!r}: {reason}", observed.evidence)
        case SavedRecord():
            return judged(
                observed.client_id_returned and observed.client_secret_returned and observed.record_found,
                f"Client Id {'present' if observed.client_id_returned else 'missing'}, Client secret "
                f"{'present' if observed.client_secret_returned else 'missing'} in the answer; the saved record "
                f"{'carries the Client Id' if observed.record_found else 'was not found by Client Id'}",
                observed.evidence,
            )
        case _:
            assert_never(observed)


@check("CRE-credential-format")
def credential_format(observed: GeneratedCredentials) -> Outcome:
    """Holds when the Client Id is 32 and the Client secret 64 upper-case hex characters. Creatio generates
    them from 16 and 32 random bytes with ``BitConverter.ToString`` and the dashes removed
    (docs/creatio-oauth.md §1.3, [SRC S81] ``OAuthClientPropertiesGenerator``); lower-case hex or another
    length means another generator, and a shorter value fewer random bits.
    """
    id_ok = CLIENT_ID_FORMAT.fullmatch(observed.client_id) is not None
    secret_ok = CLIENT_SECRET_FORMAT.fullmatch(observed.client_secret) is not None
    return judged(
        id_ok and secret_ok,
        f"Client Id: {len(observed.client_id)} characters{'' if id_ok else ', not 32 upper-case hex'}; "
        f"Client secret: {len(observed.client_secret)} characters"
        f"{'' if secret_ok else ', not 64 upper-case hex'}",
        observed.evidence,
    )


@check("CRE-techuser-created")
def techuser_created(observed: UserNamedAfterIntegration | RunsAsCreatedUser) -> Outcome:
    """Holds when saving with "Create separate technical user for this integration" selected creates a
    technical user named after the integration and binds the integration to it. The procedure, "As a
    result": "If the Create separate technical user for this integration checkbox is selected, a separate
    technical user whose name matches the name of the integration will be created". Per kind of evidence:

    - the user named after the integration: it exists, is active, and is a technical user
      (SysAdminUnitTypeValue 7; ordinary users are 4, docs/creatio-oauth.md §3.4);
    - the integration's system user: the technical user the save created (Ids compared case-insensitively).
    """
    match observed:
        case UserNamedAfterIntegration(name=name, row=row):
            user_type = row.get("SysAdminUnitTypeValue") if row is not None else None
            return judged(
                row is not None and user_type == TECHNICAL_USER_TYPE and row.get("Active") is True,
                f"user named {name!r}: " + (
                    "not found" if row is None
                    else f"type {user_type} (technical users are {TECHNICAL_USER_TYPE}), active={row.get('Active')}"
                ),
                [observed.exchange],
            )
        case RunsAsCreatedUser():
            bound = observed.bound_user.lower()
            created = observed.created_user
            return judged(
                bool(created) and bound == str(created).lower(),
                f"integration {observed.integration!r} runs as user {bound or '(none)'}; "
                f"the created technical user is {created}",
                [observed.exchange],
            )
        case _:
            assert_never(observed)


@check("CRE-techuser-existing")
def techuser_existing(observed: RunsAsChosenUser | UsersBeforeAndAfter) -> Outcome:
    """Holds when saving with the checkbox cleared binds the chosen technical user and creates none. The
    procedure, step 5: "Clear the Create separate technical user for this integration checkbox [...]
    Select a previously created technical user", and "Otherwise, the manually created technical user will
    be used for the integration". Per kind of evidence:

    - the integration's system user: the chosen one (Ids compared case-insensitively);
    - the users before and after the save: no new user (another administrator creating one at the same
      time would show here too; the message names the new Ids).
    """
    match observed:
        case RunsAsChosenUser():
            bound = observed.bound_user.lower()
            return judged(
                bound == observed.chosen_id.lower(),
                f"integration {observed.integration!r} runs as user {bound or '(none)'}; "
                f"chosen: {observed.chosen_name} ({observed.chosen_id})",
                [observed.exchange],
            )
        case UsersBeforeAndAfter():
            new_users = observed.after - observed.before
            return judged(
                not new_users,
                f"users created while saving the integration: {len(new_users)}"
                + (f" ({', '.join(sorted(new_users)[:3])})" if new_users else ""),
                [observed.exchange],
            )
        case _:
            assert_never(observed)


@check("CRE-unnamed-save")
def unnamed_save(observed: UnnamedSaveOutcome) -> Outcome:
    """Holds when an unnamed save through the API is handled cleanly either way: refused with an error
    message and nothing created, or accepted as a complete integration (credentials returned).

    "Name*" is required on the integration page (the procedure, step 5), a promise of the UI
    (CRE-name-required). Creatio's AddClient does not check the name ([SRC] S82,
    docs/creatio-generations.md §3), so the API may accept it; what is never acceptable is a refusal
    that leaves a half-made integration or technical user behind, or one that gives no reason.
    """
    created = len(observed.new_integrations) + len(observed.new_users)
    if observed.refused:
        return judged(
            bool(observed.message) and created == 0,
            f"refused: {observed.message!r}; created meanwhile: {len(observed.new_integrations)} integrations, "
            f"{len(observed.new_users)} users",
            observed.evidence,
        )
    return judged(
        observed.credentials_returned,
        "accepted: the API does not check Name (the page does); "
        + ("credentials returned, integration removed again" if observed.credentials_returned
           else "but no credentials came back"),
        observed.evidence,
    )


@check("CRE-cleanup")
def cleanup_complete(observed: CleanupOutcome) -> Outcome:
    """Holds when everything the scenario created is removed again through the API its generation
    offers: integrations with OAuthConfigService/DeleteClient, technical users with
    AdministrationService/DeleteUser (OData may not write SysAdminUnit, docs/creatio-generations.md §2).
    README.md, Running against a real Creatio: what the suite creates is deleted when the scenario ends;
    whatever is left is named with what to do by hand.
    """
    if observed.left:
        return violated("; ".join(item.describe() for item in observed.left))
    return held(f"removed: {', '.join(observed.removed)}")


@check("CRE-integration-listed")
def integration_listed(observed: IntegrationsList) -> Outcome:
    """Holds when the OAuth integrated applications list (OAuthClientApp read without a filter) shows the
    new integration exactly once, under its name. The procedure, "As a result": "The new integration will
    be added to the OAuth integrated applications page".
    """
    listed = [row for row in observed.rows if row.get("ClientId") == observed.client_id]
    return judged(
        len(listed) == 1 and listed[0].get("Name") == observed.name,
        f"integrations listed with its Client Id: {len(listed)}"
        + (f", name {listed[0].get('Name')!r}" if listed else ""),
        [observed.exchange],
    )


@check("CRE-dedicated-credentials")
def dedicated_credentials(observed: TwoIntegrations | CrossedCredentialsToken) -> Outcome:
    """Holds when each integration has credentials of its own. The procedure (Important): "Generate
    dedicated OAuth 2.0 client credentials for each external app and web service you need to authorize
    using client credentials grant." Per kind of evidence:

    - two integrations' credentials: their Client Ids differ and their Client secrets differ;
    - a token request with one's Client Id and the other's Client secret: refused, HTTP 400 or 401
      (IdentityServer answers 400 invalid_client, docs/creatio-oauth.md §1.3), no token.
    """
    match observed:
        case TwoIntegrations():
            ids_differ = observed.first_id != observed.second_id
            secrets_differ = observed.first_secret != observed.second_secret
            return judged(
                ids_differ and secrets_differ,
                f"Client Ids {'differ' if ids_differ else 'are equal'}, "
                f"Client secrets {'differ' if secrets_differ else 'are equal'}",
            )
        case CrossedCredentialsToken(result=result):
            return judged(
                not result.issued and result.status in (400, 401),
                f"{observed.first}'s Client Id with {observed.second}'s secret: {result.describe()}",
                [result.exchange],
            )
        case _:
            assert_never(observed)


@check("CRE-token-issued", Family.CRE_TOKEN_ISSUED)
def token_issued(observed: TokenAnswer) -> Outcome:
    """Holds when the generated Client Id and Client secret, sent in the request body, obtain a Bearer
    access token from the Identity Service: HTTP 200, a non-empty ``access_token`` and ``token_type``
    Bearer (case-insensitively, RFC 6749 §5.1 / §7.1). The procedure's next steps: "Use these parameter
    values in external apps and web services you integrate with Creatio"; the documented token request is
    ``client_secret_post`` (docs/creatio-oauth.md §1.3). Decided wherever a scenario obtains a token with an
    integration's credentials, its preconditions included.
    """
    return _bearer_token_issued(observed)


@check("CRE-basic-support", Family.CRE_TOKEN_ISSUED)
def basic_support(observed: TokenAnswer) -> Outcome:
    """Holds when the credentials sent with HTTP Basic (``client_secret_basic``) obtain a Bearer access
    token, as for CRE-token-issued. Creatio documents only the body form; IdentityServer accepts both by
    default and Creatio itself calls the Identity Service with the Authorization header
    (docs/creatio-oauth.md §1.3 [INF]), so a refusal is a SHOULD violation.
    """
    return _bearer_token_issued(observed)


@check("CRE-token-acts-as-techuser")
def token_acts_as_techuser(observed: TokenIdentity | PermittedRead) -> Outcome:
    """Holds when the access token calls the API as the integration's technical user. The procedure,
    step 5: "After generating OAuth 2.0 client credentials, grant sufficient permissions to the created
    technical user"; the token acts with that user's rights. Per kind of evidence:

    - the token itself: a JWT whose ``client_id`` is the integration's Client Id and whose
      ``prop:SysAdminUnitId`` is its technical user (Creatio maps a Bearer request to a user through that
      claim, not ``sub``: docs/creatio-oauth.md §1.4, §2.2);
    - the API's answer to the token reading an entity its technical user may read: HTTP 200 with an
      OData collection.
    """
    match observed:
        case TokenIdentity():
            try:
                _, claims = decode_unverified(observed.token)
            except ValueError as error:
                return violated(f"the access token is {error}", [observed.exchange])
            client_matches = claims.get("client_id") == observed.client_id
            user = str(claims.get("prop:SysAdminUnitId", "")).lower()
            expected_user = (observed.technical_user or "").lower()
            return judged(
                client_matches and user == expected_user,
                f"client_id claim {'matches' if client_matches else 'differs'}, "
                f"prop:SysAdminUnitId {user or '(absent)'} vs technical user {expected_user}",
                [observed.exchange],
            )
        case PermittedRead(response=response):
            return judged(has_records(response), describe_body(response), [exchange_id(response)])
        case _:
            assert_never(observed)


def _admin_note(observed: DeniedRead | DeniedReadWithControl) -> str:
    return "" if observed.admin_sees_records else " (an administrator reads no records of it either)"


@check("CRE-techuser-isolation")
def techuser_isolation(observed: DeniedRead | DeniedReadWithControl) -> Outcome:
    """Holds when the technical user's permissions bound the token: what the user was not granted is
    refused (401 or 403). The procedure, step 5: "We recommend using a dedicated user who has
    permissions only to read and edit the fields the integrated external app or web service need to
    change"; technical users "start with no rights" (docs/creatio-oauth.md §3.4). Per kind of evidence:

    - a new technical user's token reading an entity: refused (a 401 is noted: refused at
      authentication, not only for rights);
    - a token reading an entity its user may not read, beside the same token reading one it may: the
      first refused and the second answered with records (a server refusing every token fails the
      control).

    Refused means 401 or 403, or an empty collection where an administrator reads records of the same
    entity (record-level rights answer ``200`` with ``value: []``).
    """
    match observed:
        case DeniedRead(response=response):
            note = "" if response.status_code != 401 else " (401: refused at authentication, not only for rights)"
            return judged(
                read_denied(response, observed.admin_sees_records),
                f"{response.request.url.path}: {describe_body(response)}{note}{_admin_note(observed)}",
                [exchange_id(response)],
            )
        case DeniedReadWithControl(denied=denied, control=control):
            return judged(
                read_denied(denied, observed.admin_sees_records) and has_records(control),
                f"{observed.denied_entity}: {describe_body(denied)}; "
                f"{observed.allowed_entity} with the same token: {describe_body(control)}",
                [exchange_id(denied), exchange_id(control)],
            )
        case _:
            assert_never(observed)


@check("CRE-edit-updates")
def edit_updates(observed: EditSaveAnswer | EditReadBack) -> Outcome:
    """Holds when editing Name, Application URL or Description updates the integration. The procedure,
    Modify the integration parameters, "As a result": "The parameters for external app integration will
    be updated." Per kind of evidence:

    - the save's answer (OData PATCH of OAuthClientApp): below HTTP 300;
    - the column read back: equal to the value saved.
    """
    match observed:
        case EditSaveAnswer(response=response):
            return judged(
                response.status_code < 300,
                f"saving the new {observed.parameter}: {describe_body(response)}",
                [exchange_id(response)],
            )
        case EditReadBack():
            return judged(
                observed.stored == observed.saved,
                f"{observed.column} reads back as {observed.stored!r}, saved as {observed.saved!r}",
                [observed.exchange],
            )
        case _:
            assert_never(observed)


@check("CRE-edit-keeps-credentials", Family.CRE_CREDENTIALS_UNCHANGED, Family.CRE_STILL_OBTAINS_TOKEN)
def edit_keeps_credentials(
    observed: StoredClientId | ReadBackSecret | CredentialsToken | EarlierTokenRead,
) -> Outcome:
    """Holds when, after an edit, the Client Id and Client secret are unchanged and keep working. The
    procedure, Modify the integration parameters, "As a result": "The "Client Id" and "Client secret"
    parameters will remain unchanged." Per kind of evidence:

    - the record's Client Id: the one the save returned;
    - the Client secret read back with GetClientSecret, where the target answers it (8.1 does; newer
      builds show a secret once, docs/creatio-oauth.md §3.1): the one the save returned;
    - a token request with the original credentials: a token issued (a changed secret would not
      authenticate);
    - a token issued before the edit, reading the permitted entity: answered with records.
    """
    match observed:
        case StoredClientId():
            return _client_id_unchanged(observed)
        case ReadBackSecret():
            return _secret_unchanged(observed)
        case CredentialsToken():
            return _credentials_obtain_token(observed)
        case EarlierTokenRead(response=response):
            return judged(
                has_records(response),
                f"the token issued before the edit: {describe_body(response)}",
                [exchange_id(response)],
            )
        case _:
            assert_never(observed)


@check("CRE-active-off-new")
def active_off_new(observed: DeactivatedClientToken) -> Outcome:
    """Holds when, with Active cleared, the integration's token request is refused with
    ``invalid_client``, HTTP 400 or 401, and no token. The procedure, Revoke the integration access:
    "Clear the Active checkbox [...] As a result, integration access will be revoked temporarily";
    Creatio disables the Identity Service client (``Enabled = IsActive``), which IdentityServer answers
    with invalid_client (docs/creatio-oauth.md §3.2, §7). The Identity Service may cache its clients, so the
    suite polls for at most CREATIO_DEACTIVATION_WAIT seconds; the time it took is in the message.
    """
    result = observed.result
    refused = _token_refused_invalid_client(result)
    when = f"{observed.seconds_since:.1f} s after Active was cleared ({observed.attempts} token requests)"
    return judged(
        refused,
        f"refused {when}: {result.describe()}" if refused else f"still not refused {when}: {result.describe()}",
        [result.exchange],
    )


@check("CRE-secret-rotate", Family.CRE_STILL_OBTAINS_TOKEN)
def secret_rotate(observed: DeletedCredentialsToken | CredentialsToken) -> Outcome:
    """Holds when rotating the credentials refuses the old ones while the new ones work. Creatio has no
    "regenerate secret": rotation is a replacement integration, then the old one deleted, which removes
    its Identity Service client (docs/creatio-oauth.md §3.2, §7). Per kind of evidence:

    - a token request with the deleted integration's credentials: refused with ``invalid_client``,
      HTTP 400 or 401, no token;
    - a token request with the replacement's credentials: a token issued.
    """
    match observed:
        case DeletedCredentialsToken(result=result):
            return judged(
                _token_refused_invalid_client(result),
                f"after the integration was deleted: {result.describe()}",
                [result.exchange],
            )
        case CredentialsToken():
            return _credentials_obtain_token(observed)
        case _:
            assert_never(observed)


@check("CRE-active-off-existing")
def active_off_existing_review(observed: RevokedTokenProbes) -> Outcome:
    """Records, for a human, whether and how soon the API refuses a token issued before Active was
    cleared. The procedure says only "integration access will be revoked temporarily"; Creatio 8.1
    validates tokens without looking at the integration, so they live until they expire, while newer
    builds check the integration per request (docs/creatio-oauth.md §2.2, §7: "Measure this on the real
    instance"). The measurement: the seconds until the first refusal (401 or 403), or that the token was
    still accepted when the wait ran out, with its remaining lifetime.
    """
    probes = observed.probes
    if not probes:
        return measured("the earlier access token was not probed")
    last = probes[-1]
    if api_refused(last):
        message = (
            f"refused {observed.elapsed_s:.1f} s after Active was cleared ({len(probes)} probe(s), last "
            f"{describe_body(last)}): the API checks the integration per request (newer Creatio behaviour)"
        )
    else:
        remaining = f"; it expires in {observed.expires_in_s:.0f} s" if observed.expires_in_s is not None else ""
        message = (
            f"still accepted {observed.elapsed_s:.1f} s after Active was cleared ({len(probes)} probes){remaining}: "
            "already-issued tokens live until they expire (Creatio 8.1 behaviour)"
        )
    return measured(message, [exchange_id(p) for p in (probes[0], last)])


@check("CRE-active-off-isolated", Family.CRE_STILL_OBTAINS_TOKEN, Family.CRE_NEW_TOKEN_READS)
def active_off_isolated(observed: CredentialsToken | NewTokenRead) -> Outcome:
    """Holds when clearing Active on one integration leaves another, bound to the same technical user,
    working. The procedure: "Clear the Active checkbox for a dedicated integration": only that one is
    revoked. Per kind of evidence for the other integration:

    - a token request with its credentials: a token issued;
    - its new token reading the permitted entity: answered with records.
    """
    match observed:
        case CredentialsToken():
            return _credentials_obtain_token(observed)
        case NewTokenRead():
            return _new_token_reads(observed)
        case _:
            assert_never(observed)


@check(
    "CRE-reactivate", Family.CRE_CREDENTIALS_UNCHANGED, Family.CRE_STILL_OBTAINS_TOKEN, Family.CRE_NEW_TOKEN_READS
)
def reactivate(observed: StoredClientId | ReadBackSecret | CredentialsToken | NewTokenRead) -> Outcome:
    """Holds when selecting Active again resumes the integration with the same credentials. The procedure:
    "To resume the integration, select the Active checkbox for a dedicated integration"; the access was
    revoked "temporarily", so the Client Id and Client secret the external app holds work again. Per kind
    of evidence:

    - the record's Client Id, and the Client secret read back with GetClientSecret where the target
      answers it: the ones the save returned;
    - a token request with the original credentials: a token issued;
    - the new token reading the permitted entity: answered with records.
    """
    match observed:
        case StoredClientId():
            return _client_id_unchanged(observed)
        case ReadBackSecret():
            return _secret_unchanged(observed)
        case CredentialsToken():
            return _credentials_obtain_token(observed)
        case NewTokenRead():
            return _new_token_reads(observed)
        case _:
            assert_never(observed)
