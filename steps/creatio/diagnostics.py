"""Diagnostics: the OAuthHealthCheck endpoint behind the Diagnostic tab (creatio-oauth.md §4)."""

from __future__ import annotations

from pytest_bdd import then, when

from oauth_conformance.checks import creatio
from oauth_conformance.errors import UnexpectedResponseError
from oauth_conformance.targets import CreatioEnvironment
from oauth_conformance.targets.creatio import CreatioAdapter, HealthReport
from oauth_conformance.targets.identity import IdentityClient
from oauth_conformance.verdicts import Checker

from ..state import World
from .context import skip_unless_gated, skip_unless_readable


@when("I open the Diagnostic tab", target_fixture="diagnostic_tab")
def open_diagnostic_tab(adapter: CreatioAdapter, creatio_env: CreatioEnvironment) -> HealthReport:
    skip_unless_gated(creatio_env, None)
    report = adapter.health()
    skip_unless_gated(creatio_env, report)
    skip_unless_readable(report, adapter)
    return report


@then("the health check answers HTTP 200 with HasProblem false")
def health_ok(diagnostic_tab: HealthReport, checker: Checker) -> None:
    checker.verify(creatio.health_preflight, creatio.HealthCheckAnswer(diagnostic_tab))


@then("every diagnostic check is selected")
def every_check_selected(diagnostic_tab: HealthReport, checker: Checker) -> None:
    checker.verify(creatio.health_preflight, creatio.DiagnosticCheckboxes(diagnostic_tab))


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
    observed = creatio.IdentityDiscovery(world.discovery, world.discovery_problem, world.response_exchange)
    checker.verify(creatio.health_preflight, observed)
