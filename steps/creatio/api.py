"""Calling the Creatio API with an integration's token, as its technical user (creatio-oauth.md §2)."""

from __future__ import annotations

import time

import httpx2
from pytest_bdd import given, parsers, then, when

from oauth_conformance.checks import Family, creatio
from oauth_conformance.errors import BlockedError
from oauth_conformance.http import exchange_id
from oauth_conformance.jwt import decode_unverified
from oauth_conformance.polling import poll
from oauth_conformance.settings import Settings
from oauth_conformance.targets.creatio import CreatioAdapter, describe_body, has_records
from oauth_conformance.verdicts import Checker

from ..state import TechnicalUser, World


@when(parsers.parse('"{label}" reads the entity its technical user may read'))
@when(parsers.parse('"{label}" reads the entity the previously created technical user may read'))
def read_allowed(label: str, world: World, adapter: CreatioAdapter, technical_user: TechnicalUser) -> None:
    world.response = adapter.read_entity_with_token(technical_user.allowed_entity, world.earlier_tokens[label])


@when(parsers.parse('"{label}" reads the entity its technical user may not read'))
def read_denied(label: str, world: World, adapter: CreatioAdapter, technical_user: TechnicalUser) -> None:
    world.response = adapter.read_entity_with_token(technical_user.denied_entity, world.earlier_tokens[label])


@given(parsers.parse('"{label}" holds an access token that reads the permitted entity'))
def token_reads_baseline(label: str, world: World, adapter: CreatioAdapter, technical_user: TechnicalUser) -> None:
    """A baseline: a later refusal means something only if the token worked before."""
    response = adapter.read_entity_with_token(technical_user.allowed_entity, world.earlier_tokens[label])
    if not has_records(response):
        # Without the baseline a later refusal proves nothing: blocked by the requirement whose scenario
        # reads the permitted entity with a fresh token.
        raise BlockedError(
            creatio.token_acts_as_techuser.requirement,
            f"the token of {label!r} does not read {technical_user.allowed_entity} even before the change: "
            f"{describe_body(response)}",
            exchange_id(response),
        )


@then("the API answers with the records")
def api_answers(world: World, checker: Checker) -> None:
    checker.verify(creatio.token_acts_as_techuser, creatio.PermittedRead(world.api_answer()))


def _admin_sees_records(adapter: CreatioAdapter, response: httpx2.Response) -> bool:
    """The control for an empty answer: whether an administrator reads records of the same entity."""
    return adapter.admin_sees_records(response.request.url.path.rstrip("/").rsplit("/", 1)[-1])


@then("the API refuses the request")
def api_refuses(world: World, adapter: CreatioAdapter, checker: Checker) -> None:
    response = world.api_answer()
    checker.verify(creatio.techuser_isolation, creatio.DeniedRead(response, _admin_sees_records(adapter, response)))


@then(parsers.parse('the API refuses the request, though the token of "{label}" reads the permitted entity'))
def api_refuses_valid_token(
    label: str, world: World, adapter: CreatioAdapter, technical_user: TechnicalUser, checker: Checker
) -> None:
    """The refusal counts only beside a positive control: a server refusing every token would pass otherwise."""
    response = world.api_answer()
    control = adapter.read_entity_with_token(technical_user.allowed_entity, world.earlier_tokens[label])
    observed = creatio.DeniedReadWithControl(
        technical_user.denied_entity, response, technical_user.allowed_entity, control,
        _admin_sees_records(adapter, response),
    )
    checker.verify(creatio.techuser_isolation, observed)


@then(parsers.parse('the earlier access token of "{label}" still reads the permitted entity'))
def earlier_token_still_reads(
    label: str, world: World, adapter: CreatioAdapter, technical_user: TechnicalUser, checker: Checker
) -> None:
    response = adapter.read_entity_with_token(technical_user.allowed_entity, world.earlier_tokens[label])
    checker.verify(creatio.edit_keeps_credentials, creatio.EarlierTokenRead(response))


@then(parsers.parse('the new access token of "{label}" reads the permitted entity'))
def new_token_reads(
    label: str, world: World, adapter: CreatioAdapter, technical_user: TechnicalUser, checker: Checker
) -> None:
    result = world.tokens[label]
    token = result.access_token
    response = adapter.read_entity_with_token(technical_user.allowed_entity, token) if token is not None else None
    checker.verify_tagged(Family.CRE_NEW_TOKEN_READS, creatio.NewTokenRead(label, result.exchange, response))


@then(parsers.parse('the earlier access token of "{label}" is measured against the API'))
def measure_revoked_token(
    label: str,
    world: World,
    adapter: CreatioAdapter,
    technical_user: TechnicalUser,
    settings: Settings,
    checker: Checker,
) -> None:
    """Creatio's docs are silent on already-issued tokens (creatio-oauth.md §7): measure, do not assume."""
    token = world.earlier_tokens[label]
    deactivated = world.deactivated_at[label]
    probes = poll(
        lambda: adapter.read_entity_with_token(technical_user.allowed_entity, token),
        creatio.api_refused,
        deactivated,
        settings.deactivation_wait,
    )
    elapsed = time.monotonic() - deactivated
    exp = decode_unverified(token)[1].get("exp")
    expires_in = exp - time.time() if isinstance(exp, int | float) else None
    checker.verify(creatio.active_off_existing_review, creatio.RevokedTokenProbes(elapsed, tuple(probes), expires_in))
