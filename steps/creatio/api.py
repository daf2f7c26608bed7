"""Calling the Creatio API with an integration's token, as its technical user (creatio-oauth.md §2)."""

from __future__ import annotations

import time

import httpx
from pytest_bdd import given, parsers, then, when

from oauth_conformance.errors import UnexpectedResponseError
from oauth_conformance.http import exchange_id
from oauth_conformance.jwt import decode_unverified
from oauth_conformance.settings import Settings
from oauth_conformance.targets.creatio import CreatioAdapter, describe_body, has_records
from oauth_conformance.verdicts import Checker
from steps.state import TechnicalUser, World

# The probe interval while waiting for a revoked token to be refused: often enough to measure a cache
# expiry in seconds, rarely enough to put no load on a production instance.
_PROBE_INTERVAL_S = 0.5


def _is_refusal(response: httpx.Response) -> bool:
    return response.status_code in (401, 403)


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
        raise UnexpectedResponseError(
            f"the token of {label!r} does not read {technical_user.allowed_entity} even before the change: "
            f"{describe_body(response)}",
            exchange_id(response),
        )


@then("the API answers with the records")
def api_answers(world: World, checker: Checker) -> None:
    response = world.response
    assert response is not None
    checker.require(
        "CRE-token-acts-as-techuser", has_records(response), describe_body(response), [exchange_id(response)]
    )


@then("the API refuses the request")
def api_refuses(world: World, checker: Checker) -> None:
    response = world.response
    assert response is not None
    note = "" if response.status_code != 401 else " (401: refused at authentication, not only for rights)"
    checker.require(
        "CRE-techuser-isolation",
        _is_refusal(response),
        f"{response.request.url.path}: {describe_body(response)}{note}",
        [exchange_id(response)],
    )


@then(parsers.parse('the API refuses the request, though the token of "{label}" reads the permitted entity'))
def api_refuses_valid_token(
    label: str, world: World, adapter: CreatioAdapter, technical_user: TechnicalUser, checker: Checker
) -> None:
    """The refusal counts only beside a positive control: a server refusing every token would pass otherwise."""
    response = world.response
    assert response is not None
    control = adapter.read_entity_with_token(technical_user.allowed_entity, world.earlier_tokens[label])
    checker.require(
        "CRE-techuser-isolation",
        _is_refusal(response) and has_records(control),
        f"{technical_user.denied_entity}: {describe_body(response)}; "
        f"{technical_user.allowed_entity} with the same token: {describe_body(control)}",
        [exchange_id(response), exchange_id(control)],
    )


@then(parsers.parse('the earlier access token of "{label}" still reads the permitted entity'))
def earlier_token_still_reads(
    label: str, world: World, adapter: CreatioAdapter, technical_user: TechnicalUser, checker: Checker
) -> None:
    response = adapter.read_entity_with_token(technical_user.allowed_entity, world.earlier_tokens[label])
    checker.require(
        "CRE-edit-keeps-credentials",
        has_records(response),
        f"the token issued before the edit: {describe_body(response)}",
        [exchange_id(response)],
    )


@then(parsers.parse('the new access token of "{label}" reads the permitted entity'))
def new_token_reads(
    label: str, world: World, adapter: CreatioAdapter, technical_user: TechnicalUser, checker: Checker
) -> None:
    requirement = checker.pick("CRE-reactivate", "CRE-active-off-isolated")
    token = world.tokens[label].access_token
    checker.require(requirement, token is not None, f"{label} holds no new token", [world.tokens[label].exchange])
    assert token is not None
    response = adapter.read_entity_with_token(technical_user.allowed_entity, token)
    checker.require(requirement, has_records(response), f"{label}: {describe_body(response)}", [exchange_id(response)])


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
    deadline = deactivated + settings.deactivation_wait
    probes: list[httpx.Response] = []
    while True:
        response = adapter.read_entity_with_token(technical_user.allowed_entity, token)
        probes.append(response)
        if _is_refusal(response) or time.monotonic() >= deadline:
            break
        time.sleep(_PROBE_INTERVAL_S)
    elapsed = time.monotonic() - deactivated
    last = probes[-1]
    exp = decode_unverified(token)[1].get("exp")
    remaining = f"; it expires in {exp - time.time():.0f} s" if isinstance(exp, int | float) else ""
    if _is_refusal(last):
        message = (
            f"refused {elapsed:.1f} s after Active was cleared ({len(probes)} probe(s), last {describe_body(last)}): "
            "the API checks the integration per request (newer Creatio behaviour)"
        )
    else:
        message = (
            f"still accepted {elapsed:.1f} s after Active was cleared ({len(probes)} probes){remaining}: "
            "already-issued tokens live until they expire (Creatio 8.1 behaviour)"
        )
    checker.review("CRE-active-off-existing", message, [exchange_id(p) for p in (probes[0], last)])
