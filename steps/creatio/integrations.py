"""Creating, listing, editing, deactivating and reactivating integrations (the documented procedure)."""

from __future__ import annotations

import time
from functools import partial
from typing import Literal

import pytest
from pytest_bdd import given, parsers, then, when

from oauth_conformance.checks import Family, creatio
from oauth_conformance.cleanup import Cleanup
from oauth_conformance.errors import FeatureNotOfferedError, SuiteError, UnexpectedResponseError
from oauth_conformance.http import exchange_id
from oauth_conformance.settings import RUN_PREFIX_FAMILY
from oauth_conformance.targets.creatio import CreatioAdapter, describe_body
from oauth_conformance.targets.identity import IdentityClient
from oauth_conformance.targets.provisioning import CreationOutcome, Integration, Provisioner
from oauth_conformance.targets.technical_users import new_user_id
from oauth_conformance.verdicts import Checker

from ..state import TechnicalUser, World

# The integration page's parameters and the OAuthClientApp columns behind them (creatio-oauth.md §3.1).
PARAMETER_COLUMNS = {"Name": "Name", "Application URL": "ApplicationUrl", "Description": "Description"}


# Who an integration runs as: a separate technical user made for it (the procedure's default), the
# previously created technical user (CREATIO_TECH_USER), or the first where the run may create users and
# the generation has them, else the second (scenarios whose point is not the new user).
UserChoice = Literal["separate", "existing", "either"]


def _existing_user(world: World, request: pytest.FixtureRequest, instead_of: str | None = None) -> TechnicalUser:
    try:
        user: TechnicalUser = request.getfixturevalue("technical_user")
    except pytest.skip.Exception as missing:
        if instead_of is None:
            raise
        pytest.skip(f"{instead_of}; and no existing technical user to use instead: {missing}")
    world.technical_user = user
    return user


def _create(world: World, provisioner: Provisioner, label: str, choice: UserChoice,
            request: pytest.FixtureRequest) -> None:
    if choice == "existing":
        outcome = provisioner.create(label, system_user_id=_existing_user(world, request).id)
    else:
        try:
            outcome = provisioner.create(label)
        except FeatureNotOfferedError as no_user:
            if choice == "separate":
                raise
            outcome = provisioner.create(label, system_user_id=_existing_user(world, request, str(no_user)).id)
    world.outcome = outcome
    if outcome.integration is not None:
        world.integrations[label] = outcome.integration


def _refusal(outcome: CreationOutcome | None) -> str | None:
    """The message of the service call a save was refused by, None when none was."""
    refusal = outcome.refusal if outcome is not None else None
    if refusal is None:
        return None
    return refusal.message or f"HTTP {refusal.status} without a message"


def _create_as_precondition(
    world: World, provisioner: Provisioner, label: str, choice: UserChoice, request: pytest.FixtureRequest,
    checker: Checker,
) -> None:
    """For a Given: saving an integration is what the procedure promises, so a refusal, or credentials
    missing from the answer, fail the credentials check rather than break the suite."""
    _create(world, provisioner, label, choice, request)
    outcome = world.saved()
    integration = world.integrations.get(label)
    observed = creatio.ReturnedCredentials(
        label,
        client_id_returned=integration is not None and bool(integration.client_id),
        client_secret_returned=integration is not None and bool(integration.client_secret),
        refusal=_refusal(outcome),
        evidence=tuple(outcome.evidence),
    )
    checker.require(creatio.credentials_generated, observed)


def _created(world: World, checker: Checker) -> Integration:
    """The integration the scenario's When saved. A refused save is what the procedure promises
    against, so it fails the credentials check and blocks what needs the integration, instead of breaking
    the scenario; a save that returned an integration records nothing here (the scenario's own Thens
    judge it)."""
    outcome = world.outcome
    integration = outcome.integration if outcome else None
    if integration is None:
        refused = creatio.SaveAnswer(False, _refusal(outcome), tuple(outcome.evidence) if outcome else ())
        checker.require(creatio.credentials_generated, refused)
        raise SuiteError("the save returned no integration")  # not reached: a refused save blocks
    return integration


@when(parsers.parse('I create the integration "{label}" with a separate technical user'))
def when_create_with_new_user(
    label: str, world: World, provisioner: Provisioner, request: pytest.FixtureRequest
) -> None:
    _create(world, provisioner, label, "separate", request)


@when(parsers.parse('I create the integration "{label}"'))
def when_create(label: str, world: World, provisioner: Provisioner, request: pytest.FixtureRequest) -> None:
    _create(world, provisioner, label, "either", request)


def _users(adapter: CreatioAdapter) -> dict[str, str]:
    """Every user on the target: Id → Name."""
    return {str(row["Id"]).lower(): str(row.get("Name") or "") for row in adapter.users()}


@when(parsers.parse('I create the integration "{label}" using that technical user'))
def when_create_with_existing_user(
    label: str, world: World, adapter: CreatioAdapter, provisioner: Provisioner, request: pytest.FixtureRequest
) -> None:
    if world.technical_user is None:
        raise SuiteError("the scenario names no technical user")
    world.before["users"] = set(_users(adapter))
    _create(world, provisioner, label, "existing", request)


@given(parsers.parse('the integration "{label}" with a separate technical user'))
def given_integration_with_new_user(
    label: str, world: World, provisioner: Provisioner, request: pytest.FixtureRequest, checker: Checker
) -> None:
    _create_as_precondition(world, provisioner, label, "separate", request, checker)


@given(parsers.parse('the integration "{label}" using the previously created technical user'))
def given_integration_with_existing_user(
    label: str, world: World, provisioner: Provisioner, request: pytest.FixtureRequest, checker: Checker
) -> None:
    _create_as_precondition(world, provisioner, label, "existing", request, checker)


@given(parsers.parse('the integration "{label}"'))
def given_integration(
    label: str, world: World, provisioner: Provisioner, request: pytest.FixtureRequest, checker: Checker
) -> None:
    _create_as_precondition(world, provisioner, label, "either", request, checker)


@then("its Client Id and Client secret are populated")
def credentials_populated(world: World, adapter: CreatioAdapter, checker: Checker) -> None:
    outcome = world.saved()
    evidence = tuple(outcome.evidence)
    answer = creatio.SaveAnswer(outcome.integration is not None, _refusal(outcome), evidence)
    checker.require(creatio.credentials_generated, answer)
    integration = _created(world, checker)
    row = adapter.integration_by_client_id(integration.client_id) if integration.client_id else None
    observed = creatio.SavedRecord(
        bool(integration.client_id), bool(integration.client_secret), row is not None, evidence
    )
    # Their format is judged next: only of credentials that are there.
    checker.require(creatio.credentials_generated, observed)


@then("they have Creatio's credential format")
def credential_format(world: World, checker: Checker) -> None:
    integration = _created(world, checker)
    observed = creatio.GeneratedCredentials(
        integration.client_id, integration.client_secret, tuple(world.saved().evidence)
    )
    checker.verify(creatio.credential_format, observed)


@then("a technical user named after the integration exists")
def technical_user_named_after_integration(world: World, adapter: CreatioAdapter, checker: Checker) -> None:
    name = _created(world, checker).name
    row = adapter.user_by_name(name)
    observed = creatio.UserNamedAfterIntegration(name, row, adapter.http.evidence.last_id)
    checker.require(creatio.techuser_created, observed)


def _bound_user(adapter: CreatioAdapter, integration: Integration) -> str:
    """The SystemUserId of the integration's record, as the target spells it."""
    row = adapter.integration_by_client_id(integration.client_id)
    if row is None:
        raise UnexpectedResponseError(f"integration {integration.name!r} not found by its Client Id")
    return str(row.get("SystemUserId") or "")


@then("the integration runs as that technical user")
def runs_as_created_user(world: World, adapter: CreatioAdapter, checker: Checker) -> None:
    integration = _created(world, checker)
    bound = _bound_user(adapter, integration)
    observed = creatio.RunsAsCreatedUser(
        integration.name, bound, integration.created_user_id, adapter.http.evidence.last_id
    )
    checker.verify(creatio.techuser_created, observed)


@then("the integration runs as the previously created technical user")
def runs_as_existing_user(world: World, adapter: CreatioAdapter, checker: Checker) -> None:
    user = world.chosen_user()
    integration = _created(world, checker)
    bound = _bound_user(adapter, integration)
    observed = creatio.RunsAsChosenUser(integration.name, bound, user.id, user.name, adapter.http.evidence.last_id)
    checker.verify(creatio.techuser_existing, observed)


@then("no technical user was created for it")
def no_user_created(world: World, adapter: CreatioAdapter, provisioner: Provisioner, checker: Checker) -> None:
    _created(world, checker)
    # Any new user, whatever its name, except those another scenario or run named as its own: scenarios
    # on other workers (pytest-xdist) and other runs create users on the same target meanwhile.
    after = {
        user_id for user_id, name in _users(adapter).items()
        if user_id in world.before["users"] or not _named_by_another(name, provisioner)
    }
    observed = creatio.UsersBeforeAndAfter(
        frozenset(world.before["users"]), frozenset(after), adapter.http.evidence.last_id
    )
    checker.verify(creatio.techuser_existing, observed)


def _named_by_another(name: str, provisioner: Provisioner) -> bool:
    """Named with a run prefix, but not this scenario's: made by another scenario or run."""
    return name.startswith(RUN_PREFIX_FAMILY) and not name.startswith(provisioner.run_prefix)


@when("I try to create an integration without a name")
def create_without_name(
    world: World, adapter: CreatioAdapter, provisioner: Provisioner, cleanup: Cleanup, request: pytest.FixtureRequest
) -> None:
    """As the page would save it: with a separate technical user where the run may create one and the
    generation has them, else with the existing technical user.

    A nameless record has no run prefix to find it by, and other scenarios and runs save integrations on
    the same target meanwhile, so the attempt is marked: its Description is the scenario's prefixed
    marker, and its separate technical user has an Id the suite chose. Only what carries either is the
    attempt's, to report and to remove."""
    marker = provisioner.name_for("unnamed save")
    user_id: str | None = new_user_id()
    try:
        try:
            world.outcome = provisioner.create("", name="", description=marker, user_id=user_id)
        except FeatureNotOfferedError as no_user:
            user_id = None
            user = _existing_user(world, request, str(no_user))
            world.outcome = provisioner.create("", name="", description=marker, system_user_id=user.id)
    finally:
        made = {
            str(row["Id"]).lower(): str(row.get("ClientId") or "")
            for row in adapter.integrations()
            if row.get("Description") == marker or (user_id and str(row.get("SystemUserId") or "").lower() == user_id)
        }
        world.created["integrations"] = set(made)
        # The provisioner removes the user it chose the Id of; here it is only counted.
        world.created["users"] = {user_id} if user_id and adapter.user(user_id) is not None else set()
        for client_id in made.values():
            cleanup.add(f"unnamed integration {client_id}", partial(provisioner.remove_integration, client_id, ""))


@then("the save is refused with an error message and creates nothing, or creates a working integration")
def unnamed_save_outcome(world: World, checker: Checker) -> None:
    outcome = world.saved()
    refusal = outcome.refusal
    integration = outcome.integration
    observed = creatio.UnnamedSaveOutcome(
        refused=refusal is not None,
        message=refusal.message if refusal is not None else None,
        # What an accepted save made is the scenario's own; only a refusal must leave nothing.
        new_integrations=frozenset(world.created["integrations"]) if refusal is not None else frozenset(),
        new_users=frozenset(world.created["users"]) if refusal is not None else frozenset(),
        credentials_returned=integration is not None and bool(integration.client_id and integration.client_secret),
        evidence=tuple(outcome.evidence),
    )
    checker.verify(creatio.unnamed_save, observed)


@then("the OAuth integrated applications list shows it")
def list_shows_it(world: World, adapter: CreatioAdapter, checker: Checker) -> None:
    integration = _created(world, checker)
    rows = tuple(adapter.integrations())
    observed = creatio.IntegrationsList(integration.client_id, integration.name, rows, adapter.http.evidence.last_id)
    checker.verify(creatio.integration_listed, observed)


@then(parsers.parse('"{first}" and "{second}" have different Client Ids and Client secrets'))
def different_credentials(first: str, second: str, world: World, checker: Checker) -> None:
    a, b = world.integration(first), world.integration(second)
    observed = creatio.TwoIntegrations(a.client_id, a.client_secret, b.client_id, b.client_secret)
    checker.verify(creatio.dedicated_credentials, observed)


@then(parsers.parse('a token request with the Client Id of "{first}" and the Client secret of "{second}" is refused'))
def crossed_credentials_refused(
    first: str, second: str, world: World, identity: IdentityClient, checker: Checker
) -> None:
    result = identity.request_token(world.integration(first).client_id, world.integration(second).client_secret)
    checker.verify(creatio.dedicated_credentials, creatio.CrossedCredentialsToken(first, second, result))


# -- editing (Modify the integration parameters) ------------------------------------------------


def _expected_value(parameter: str, value: str, provisioner: Provisioner) -> str:
    # A new name keeps the scenario's prefix, so a leftover of a crashed run is still recognisable.
    return provisioner.name_for(value) if parameter == "Name" else value


@when(parsers.parse('I change the {parameter} of "{label}" to "{value}"'))
def change_parameter(
    parameter: str, label: str, value: str, world: World, adapter: CreatioAdapter, provisioner: Provisioner
) -> None:
    integration = world.integration(label)
    column = PARAMETER_COLUMNS[parameter]
    world.edits[column] = _expected_value(parameter, value, provisioner)
    world.response = adapter.update_integration(integration.app_id, {column: world.edits[column]})


@then(parsers.parse('"{label}" shows the new {parameter}'))
def shows_new_parameter(label: str, parameter: str, world: World, adapter: CreatioAdapter, checker: Checker) -> None:
    integration = world.integration(label)
    checker.verify(creatio.edit_updates, creatio.EditSaveAnswer(parameter, world.api_answer()))
    column = PARAMETER_COLUMNS[parameter]
    stored = (adapter.integration(integration.app_id) or {}).get(column)
    observed = creatio.EditReadBack(column, stored, world.edits[column], adapter.http.evidence.last_id)
    checker.verify(creatio.edit_updates, observed)


@then(parsers.parse('the Client Id and Client secret of "{label}" are unchanged'))
def credentials_unchanged(
    label: str, world: World, adapter: CreatioAdapter, identity: IdentityClient, checker: Checker
) -> None:
    integration = world.integration(label)
    row = adapter.integration(integration.app_id) or {}
    stored_id = creatio.StoredClientId(integration.client_id, row.get("ClientId"), adapter.http.evidence.last_id)
    checker.verify_tagged(Family.CRE_CREDENTIALS_UNCHANGED, stored_id)
    # The secret is SecureText and not readable over OData (§3.3); where GetClientSecret answers (8.1 does,
    # newer builds show a secret once), compare it.
    try:
        stored = adapter.get_client_secret(integration.app_id)
    except SuiteError:
        stored = None
    if stored is not None and stored.success and isinstance(stored.payload.get("clientSecret"), str):
        read_back = creatio.ReadBackSecret(integration.client_secret, stored.payload["clientSecret"], stored.exchange)
        checker.verify_tagged(Family.CRE_CREDENTIALS_UNCHANGED, read_back)
    # Either way the original secret must still authenticate, which a changed secret would not.
    result = identity.request_token(integration.client_id, integration.client_secret)
    checker.verify_tagged(Family.CRE_CREDENTIALS_UNCHANGED, creatio.CredentialsToken(label, result))


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
