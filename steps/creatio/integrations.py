"""Creating, listing, editing, deactivating and reactivating integrations (the documented procedure)."""

from __future__ import annotations

import re
import time
from functools import partial

from pytest_bdd import given, parsers, then, when

from oauth_conformance.cleanup import Cleanup
from oauth_conformance.errors import SuiteError, UnexpectedResponseError
from oauth_conformance.http import exchange_id
from oauth_conformance.settings import Settings
from oauth_conformance.targets.creatio import CreatioAdapter, describe_body
from oauth_conformance.targets.identity import IdentityClient
from oauth_conformance.targets.provisioning import Integration, Provisioner
from oauth_conformance.verdicts import Checker
from steps.state import TechnicalUser, World

# The integration page's parameters and the OAuthClientApp columns behind them (creatio-oauth.md §3.1).
PARAMETER_COLUMNS = {"Name": "Name", "Application URL": "ApplicationUrl", "Description": "Description"}
CLIENT_ID_FORMAT = re.compile(r"[0-9A-F]{32}")
CLIENT_SECRET_FORMAT = re.compile(r"[0-9A-F]{64}")


def _create(world: World, provisioner: Provisioner, label: str, system_user_id: str | None) -> None:
    outcome = provisioner.create(label, system_user_id=system_user_id)
    world.outcome = outcome
    if outcome.integration is not None:
        world.integrations[label] = outcome.integration


def _create_as_precondition(
    world: World, provisioner: Provisioner, label: str, system_user_id: str | None, checker: Checker
) -> None:
    """For a Given: saving an integration is what the procedure promises, so a refusal, or credentials
    missing from the answer, fail CRE-credentials-generated rather than break the suite."""
    _create(world, provisioner, label, system_user_id)
    outcome = world.outcome
    assert outcome is not None
    integration = world.integrations.get(label)
    refusal = outcome.refusal
    checker.require(
        "CRE-credentials-generated",
        integration is not None and bool(integration.client_id) and bool(integration.client_secret),
        f"saving {label!r}: "
        + (f"refused: {refusal.message}" if refusal else "no Client Id or no Client secret in the answer"),
        outcome.evidence,
    )


def _created(world: World, checker: Checker) -> Integration:
    """The integration the scenario's When saved. A refused save is what the procedure promises
    against, so it fails CRE-credentials-generated instead of breaking the scenario."""
    outcome = world.outcome
    integration = outcome.integration if outcome else None
    if integration is None:
        refusal = outcome.refusal if outcome else None
        checker.require(
            "CRE-credentials-generated", False,
            f"saving the integration was refused: {refusal.message if refusal else 'no integration returned'}",
            outcome.evidence if outcome else (),
        )
    assert integration is not None  # require() raised above otherwise
    return integration


@when(parsers.parse('I create the integration "{label}" with a separate technical user'))
def when_create_with_new_user(label: str, world: World, provisioner: Provisioner) -> None:
    _create(world, provisioner, label, None)


def _user_ids(adapter: CreatioAdapter) -> set[str]:
    return {str(row["Id"]).lower() for row in adapter.users()}


@when(parsers.parse('I create the integration "{label}" using that technical user'))
def when_create_with_existing_user(
    label: str, world: World, adapter: CreatioAdapter, provisioner: Provisioner
) -> None:
    user = world.technical_user
    if user is None:
        raise SuiteError("the scenario names no technical user")
    world.before["users"] = _user_ids(adapter)
    _create(world, provisioner, label, user.id)


@given(parsers.parse('the integration "{label}" with a separate technical user'))
def given_integration_with_new_user(label: str, world: World, provisioner: Provisioner, checker: Checker) -> None:
    _create_as_precondition(world, provisioner, label, None, checker)


@given(parsers.parse('the integration "{label}" using the previously created technical user'))
def given_integration_with_existing_user(
    label: str, world: World, provisioner: Provisioner, technical_user: TechnicalUser, checker: Checker
) -> None:
    world.technical_user = technical_user
    _create_as_precondition(world, provisioner, label, technical_user.id, checker)


@then("its Client Id and Client secret are populated")
def credentials_populated(world: World, adapter: CreatioAdapter, checker: Checker) -> None:
    outcome = world.outcome
    assert outcome is not None
    refusal = outcome.refusal
    checker.require(
        "CRE-credentials-generated",
        refusal is None and outcome.integration is not None,
        f"saving the integration was refused: {refusal.message if refusal else 'no integration'}",
        outcome.evidence,
    )
    integration = outcome.integration
    assert integration is not None
    row = adapter.integration_by_client_id(integration.client_id) if integration.client_id else None
    checker.require(
        "CRE-credentials-generated",
        bool(integration.client_id) and bool(integration.client_secret) and row is not None,
        f"Client Id {'present' if integration.client_id else 'missing'}, Client secret "
        f"{'present' if integration.client_secret else 'missing'} in the answer; the saved record "
        f"{'carries the Client Id' if row else 'was not found by Client Id'}",
        outcome.evidence,
    )


@then("they have Creatio's credential format")
def credential_format(world: World, checker: Checker) -> None:
    integration = world.outcome.integration if world.outcome else None
    assert integration is not None
    id_ok = CLIENT_ID_FORMAT.fullmatch(integration.client_id) is not None
    secret_ok = CLIENT_SECRET_FORMAT.fullmatch(integration.client_secret) is not None
    checker.require(
        "CRE-credential-format",
        id_ok and secret_ok,
        f"Client Id: {len(integration.client_id)} characters{'' if id_ok else ', not 32 upper-case hex'}; "
        f"Client secret: {len(integration.client_secret)} characters{'' if secret_ok else ', not 64 upper-case hex'}",
        world.outcome.evidence if world.outcome else (),
    )


def _only_integration(world: World, checker: Checker) -> tuple[str, str | None]:
    integration = _created(world, checker)
    return integration.name, integration.created_user_id


@then("a technical user named after the integration exists")
def technical_user_named_after_integration(world: World, adapter: CreatioAdapter, checker: Checker) -> None:
    name, _ = _only_integration(world, checker)
    row = adapter.user_by_name(name)
    user_type = row.get("SysAdminUnitTypeValue") if row else None
    checker.require(
        "CRE-techuser-created",
        row is not None and user_type == 7 and row.get("Active") is True,
        f"user named {name!r}: " + ("not found" if row is None else f"type {user_type} (technical users are 7), "
                                    f"active={row.get('Active')}"),
    )


def _system_user(adapter: CreatioAdapter, world: World, checker: Checker) -> tuple[str, str]:
    integration = _created(world, checker)
    row = adapter.integration_by_client_id(integration.client_id)
    if row is None:
        raise UnexpectedResponseError(f"integration {integration.name!r} not found by its Client Id")
    return str(row.get("SystemUserId") or "").lower(), integration.name


@then("the integration runs as that technical user")
def runs_as_created_user(world: World, adapter: CreatioAdapter, checker: Checker) -> None:
    _, created = _only_integration(world, checker)
    system_user, name = _system_user(adapter, world, checker)
    checker.require(
        "CRE-techuser-created",
        bool(created) and system_user == str(created).lower(),
        f"integration {name!r} runs as user {system_user or '(none)'}; the created technical user is {created}",
    )


@then("the integration runs as the previously created technical user")
def runs_as_existing_user(world: World, adapter: CreatioAdapter, checker: Checker) -> None:
    user = world.technical_user
    assert user is not None
    system_user, name = _system_user(adapter, world, checker)
    checker.require(
        "CRE-techuser-existing",
        system_user == user.id.lower(),
        f"integration {name!r} runs as user {system_user or '(none)'}; chosen: {user.name} ({user.id})",
    )


@then("no technical user was created for it")
def no_user_created(world: World, adapter: CreatioAdapter, checker: Checker) -> None:
    _only_integration(world, checker)
    # Any new user, whatever its name; another admin working on the instance at the same time would
    # show up here too, which the message makes visible.
    new_users = _user_ids(adapter) - world.before["users"]
    checker.require(
        "CRE-techuser-existing",
        not new_users,
        f"users created while saving the integration: {len(new_users)}"
        + (f" ({', '.join(sorted(new_users)[:3])})" if new_users else ""),
        [adapter.http.evidence.last_id],
    )


def _integration_client_ids(adapter: CreatioAdapter) -> dict[str, str]:
    return {str(row["Id"]).lower(): str(row.get("ClientId") or "") for row in adapter.integrations()}


@when("I try to create an integration without a name")
def create_without_name(world: World, adapter: CreatioAdapter, provisioner: Provisioner, cleanup: Cleanup) -> None:
    integrations_before = _integration_client_ids(adapter)
    users_before = _user_ids(adapter)
    try:
        world.outcome = provisioner.create("", name="")
    finally:
        # Whatever a faulty server created has no run prefix to find it by: undo it by difference.
        integrations_after = _integration_client_ids(adapter)
        world.created["integrations"] = set(integrations_after) - set(integrations_before)
        world.created["users"] = _user_ids(adapter) - users_before
        for user_id in world.created["users"]:
            cleanup.add(f"delete unnamed user {user_id}", partial(provisioner.delete_user, user_id))
        for app_id in world.created["integrations"]:
            client_id = integrations_after[app_id]
            cleanup.add(f"delete unnamed integration {client_id}", partial(provisioner.delete_client, client_id))


@then("the save is refused with an error message")
def save_refused(world: World, checker: Checker) -> None:
    outcome = world.outcome
    assert outcome is not None
    refusal = outcome.refusal
    checker.require(
        "CRE-name-required",
        refusal is not None and bool(refusal.message),
        f"refused: {refusal.message!r}" if refusal else "the save without a name succeeded",
        outcome.evidence,
    )


@then("nothing was created")
def nothing_created(world: World, checker: Checker) -> None:
    integrations, users = world.created["integrations"], world.created["users"]
    checker.require(
        "CRE-name-required",
        not integrations and not users,
        f"new integrations: {len(integrations)}, new users: {len(users)}",
        world.outcome.evidence if world.outcome else (),
    )


@then("the OAuth integrated applications list shows it")
def list_shows_it(world: World, adapter: CreatioAdapter, checker: Checker) -> None:
    integration = _created(world, checker)
    listed = [row for row in adapter.integrations() if row.get("ClientId") == integration.client_id]
    checker.require(
        "CRE-integration-listed",
        len(listed) == 1 and listed[0].get("Name") == integration.name,
        f"integrations listed with its Client Id: {len(listed)}"
        + (f", name {listed[0].get('Name')!r}" if listed else ""),
        [adapter.http.evidence.last_id],
    )


@then(parsers.parse('"{first}" and "{second}" have different Client Ids and Client secrets'))
def different_credentials(first: str, second: str, world: World, checker: Checker) -> None:
    a, b = world.integration(first), world.integration(second)
    checker.require(
        "CRE-dedicated-credentials",
        a.client_id != b.client_id and a.client_secret != b.client_secret,
        f"Client Ids {'differ' if a.client_id != b.client_id else 'are equal'}, "
        f"Client secrets {'differ' if a.client_secret != b.client_secret else 'are equal'}",
    )


@then(parsers.parse('a token request with the Client Id of "{first}" and the Client secret of "{second}" is refused'))
def crossed_credentials_refused(
    first: str, second: str, world: World, identity: IdentityClient, checker: Checker
) -> None:
    result = identity.request_token(world.integration(first).client_id, world.integration(second).client_secret)
    checker.require(
        "CRE-dedicated-credentials",
        not result.issued and result.status in (400, 401),
        f"{first}'s Client Id with {second}'s secret: {result.describe()}",
        [result.exchange],
    )


# -- editing (Modify the integration parameters) ------------------------------------------------


def _expected_value(parameter: str, value: str, settings: Settings) -> str:
    # A new name keeps the run prefix, so a leftover of a crashed run is still recognisable.
    return f"{settings.run_prefix}{value}" if parameter == "Name" else value


@when(parsers.parse('I change the {parameter} of "{label}" to "{value}"'))
def change_parameter(
    parameter: str, label: str, value: str, world: World, adapter: CreatioAdapter, settings: Settings
) -> None:
    integration = world.integration(label)
    column = PARAMETER_COLUMNS[parameter]
    world.edits[column] = _expected_value(parameter, value, settings)
    world.response = adapter.update_integration(integration.app_id, {column: world.edits[column]})


@then(parsers.parse('"{label}" shows the new {parameter}'))
def shows_new_parameter(label: str, parameter: str, world: World, adapter: CreatioAdapter, checker: Checker) -> None:
    integration = world.integration(label)
    response = world.response
    assert response is not None
    checker.require(
        "CRE-edit-updates",
        response.status_code < 300,
        f"saving the new {parameter}: {describe_body(response)}",
        [exchange_id(response)],
    )
    column = PARAMETER_COLUMNS[parameter]
    stored = (adapter.integration(integration.app_id) or {}).get(column)
    checker.require(
        "CRE-edit-updates",
        stored == world.edits[column],
        f"{column} reads back as {stored!r}, saved as {world.edits[column]!r}",
    )


@then(parsers.parse('the Client Id and Client secret of "{label}" are unchanged'))
def credentials_unchanged(
    label: str, world: World, adapter: CreatioAdapter, identity: IdentityClient, checker: Checker
) -> None:
    requirement = checker.pick("CRE-edit-keeps-credentials", "CRE-reactivate")
    integration = world.integration(label)
    row = adapter.integration(integration.app_id) or {}
    checker.require(
        requirement,
        row.get("ClientId") == integration.client_id,
        f"Client Id {'unchanged' if row.get('ClientId') == integration.client_id else 'changed or missing'}",
    )
    # The secret is SecureText and not readable over OData (§3.3); where GetClientSecret answers (8.1 does,
    # newer builds show a secret once), compare it.
    try:
        stored = adapter.get_client_secret(integration.app_id)
    except SuiteError:
        stored = None
    if stored is not None and stored.success and isinstance(stored.payload.get("clientSecret"), str):
        checker.require(
            requirement,
            stored.payload["clientSecret"] == integration.client_secret,
            "Client secret read back with GetClientSecret "
            + ("is unchanged" if stored.payload["clientSecret"] == integration.client_secret else "has changed"),
            [stored.exchange],
        )
    # Either way the original secret must still authenticate, which a changed secret would not.
    result = identity.request_token(integration.client_id, integration.client_secret)
    checker.require(requirement, result.issued, f"the original credentials: {result.describe()}", [result.exchange])


# -- Active flag (Revoke the integration access) ------------------------------------------------


def _set_active(adapter: CreatioAdapter, world: World, label: str, active: bool) -> None:
    integration = world.integration(label)
    response = adapter.update_integration(integration.app_id, {"IsActive": active})
    if response.status_code >= 300:
        raise UnexpectedResponseError(
            f"saving Active={active} for {label!r} failed: {describe_body(response)}", exchange_id(response)
        )
    if not active:
        world.deactivated_at[label] = time.monotonic()


@when(parsers.parse('I clear the Active checkbox of "{label}"'))
def clear_active(label: str, world: World, adapter: CreatioAdapter) -> None:
    _set_active(adapter, world, label, False)


@when(parsers.parse('I select the Active checkbox of "{label}" again'))
def select_active(label: str, world: World, adapter: CreatioAdapter) -> None:
    _set_active(adapter, world, label, True)


@when(parsers.parse('I delete the integration "{label}"'))
def delete_integration(label: str, world: World, provisioner: Provisioner) -> None:
    # The provisioner raises when DeleteClient fails and the row is still there; the run's cleanup
    # then finds nothing left to do.
    provisioner.delete_client(world.integration(label).client_id)
