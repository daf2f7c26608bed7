"""The preconditions every Creatio scenario shares (diagnostics, admin login, technical user)."""

from __future__ import annotations

import itertools

import pytest
from pytest_bdd import given

from oauth_conformance.cleanup import Cleanup
from oauth_conformance.settings import Settings
from oauth_conformance.targets import CreatioEnvironment
from oauth_conformance.targets.creatio import CreatioAdapter, HealthReport
from oauth_conformance.targets.identity import IdentityClient
from oauth_conformance.targets.provisioning import Provisioner

from ..state import TechnicalUser, World


@pytest.fixture
def adapter(creatio_env: CreatioEnvironment) -> CreatioAdapter:
    return creatio_env.adapter


@pytest.fixture
def identity(creatio_env: CreatioEnvironment) -> IdentityClient:
    if creatio_env.identity is None:
        pytest.skip(creatio_env.identity_url_needed)
    return creatio_env.identity


# Each scenario names what it creates with a prefix of its own (the run's, then a number), so that one
# scenario's leftover never collides with the next one's save: Creatio refuses a second user of one name.
_SCENARIO_NUMBERS = itertools.count(1)


@pytest.fixture
def provisioner(creatio_env: CreatioEnvironment, settings: Settings, cleanup: Cleanup) -> Provisioner:
    return creatio_env.provisioner(f"{settings.names_prefix}{next(_SCENARIO_NUMBERS):02d}-", cleanup)


def skip_unless_gated(creatio_env: CreatioEnvironment, report: HealthReport | None) -> None:
    """The Diagnostic tab is the procedure's gate on-site, where it exists."""
    if creatio_env.connection.hosting == "cloud":
        pytest.skip(
            "the documented procedure asks for the Diagnostic tab on Creatio on-site only (step 3), and this "
            "target is a cloud instance (CREATIO_HOSTING, or a *.creatio.com site)"
        )
    if report is not None and not report.offered:
        pytest.skip(
            f"this Creatio has no OAuthHealthCheck (HTTP 404, {report.exchange}): it came with 8.1.2 on "
            ".NET Framework and 8.3.2 on .NET 8; the other scenarios run without the gate"
        )


@pytest.fixture(scope="session")
def creatio_health(creatio_env: CreatioEnvironment) -> HealthReport:
    # Asked once per run: a target that cannot answer fails every dependent scenario with the same
    # ERROR instead of waiting for the timeout again and again.
    return creatio_env.adapter.health()


def skip_unless_readable(report: HealthReport, adapter: CreatioAdapter) -> None:
    """The health check needs a signed-in user ([INF] creatio-oauth.md §4): without a login, a 401 says
    nothing about the diagnostics themselves."""
    # 302: .NET Core Creatio may redirect an anonymous request to its login page (§2.3 [INF]).
    if report.status in (302, 401, 403) and not adapter.can_manage:
        pytest.skip(
            f"OAuthHealthCheck answered HTTP {report.status} to an anonymous request: needs CREATIO_ADMIN_USER "
            "and CREATIO_ADMIN_PASSWORD to read the diagnostics"
        )


@given("the OAuth diagnostics are all green")
def diagnostics_green(creatio_env: CreatioEnvironment, adapter: CreatioAdapter, request: pytest.FixtureRequest) -> None:
    """The gate: on a cloud instance, or a build without the health endpoint, there is none to pass."""
    if creatio_env.connection.hosting == "cloud":
        return
    creatio_health: HealthReport = request.getfixturevalue("creatio_health")
    if not creatio_health.offered:
        return
    skip_unless_readable(creatio_health, adapter)
    if not creatio_health.green:
        pytest.skip(f"OAuth diagnostics are not green ({creatio_health.exchange}): {creatio_health.message}")


@given("I am signed in to Creatio as an administrator")
def signed_in(adapter: CreatioAdapter, request: pytest.FixtureRequest) -> None:
    if not adapter.can_manage:
        pytest.skip("needs CREATIO_ADMIN_USER and CREATIO_ADMIN_PASSWORD (an administrator login)")
    adapter.ensure_login()
    request.getfixturevalue("stale_leftovers")  # once per run, after the first login


@pytest.fixture
def technical_user(creatio_env: CreatioEnvironment, adapter: CreatioAdapter) -> TechnicalUser:
    connection = creatio_env.connection
    if not (connection.tech_user and connection.allowed_entity and connection.denied_entity):
        pytest.skip(
            "needs CREATIO_TECH_USER (an existing technical user), CREATIO_ALLOWED_ENTITY (an entity it may "
            "read) and CREATIO_DENIED_ENTITY (one it may not): the suite cannot grant rights on a real instance"
        )
    return TechnicalUser(
        creatio_env.tech_user_id(),
        connection.tech_user,
        connection.allowed_entity,
        connection.denied_entity,
    )


@given("the previously created technical user")
def previously_created_user(world: World, technical_user: TechnicalUser) -> None:
    world.technical_user = technical_user
