"""Diagnostics: the OAuthHealthCheck endpoint behind the Diagnostic tab (creatio-oauth.md §4)."""

from __future__ import annotations

from pytest_bdd import then, when

from oauth_conformance.errors import UnexpectedResponseError
from oauth_conformance.targets.creatio import CreatioAdapter, HealthReport
from oauth_conformance.targets.identity import IdentityClient
from oauth_conformance.verdicts import Checker
from steps.creatio.context import skip_unless_readable
from steps.state import World


@when("I open the Diagnostic tab", target_fixture="diagnostic_tab")
def open_diagnostic_tab(adapter: CreatioAdapter) -> HealthReport:
    report = adapter.health()
    skip_unless_readable(report, adapter)
    return report


@then("the health check answers HTTP 200 with HasProblem false")
def health_ok(diagnostic_tab: HealthReport, checker: Checker) -> None:
    checker.require(
        "CRE-health-preflight",
        diagnostic_tab.answered_ok,
        f"OAuthHealthCheck: {diagnostic_tab.message}",
        [diagnostic_tab.exchange],
    )


@then("every diagnostic check is selected")
def every_check_selected(diagnostic_tab: HealthReport, checker: Checker) -> None:
    checker.require(
        "CRE-health-preflight",
        not diagnostic_tab.cleared_flags,
        f"diagnostic checks: {', '.join(f'{k}={v}' for k, v in diagnostic_tab.flags.items())}",
        [diagnostic_tab.exchange],
    )


@when("I fetch the Identity Service discovery document")
def fetch_discovery(identity: IdentityClient, world: World) -> None:
    try:
        world.discovery = identity.discovery()
    except UnexpectedResponseError as error:
        # The Identity Service answered, but not with its discovery document: with the diagnostics
        # green that is the health check's finding, not a broken run (a network failure still is).
        world.discovery_problem = str(error)
    world.response_exchange = identity.http.evidence.last_id


@then("it names a token endpoint and a key set")
def discovery_names_endpoints(world: World, checker: Checker) -> None:
    discovery = world.discovery or {}
    missing = [key for key in ("issuer", "token_endpoint", "jwks_uri") if not discovery.get(key)]
    found = "discovery names issuer, token_endpoint and jwks_uri" if not missing else f"discovery lacks {missing}"
    checker.require(
        "CRE-health-preflight",
        not missing,
        f"the diagnostics are green, but {world.discovery_problem}" if world.discovery_problem else found,
        [world.response_exchange],
    )
