"""The ``mock`` target (the default): the bundled mock, started by the run and driven through the same
Creatio adapter a real instance gets, over real HTTP.

The mock package is imported when the target opens: choosing another target never pays for it.
"""

from __future__ import annotations

import atexit
import dataclasses
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from oauth_conformance.errors import SettingsError
from oauth_conformance.suite import profiles_dir
from oauth_conformance.targets._target import TargetSpec
from oauth_conformance.targets.creatio import CreatioAdapter, CreatioConnection
from oauth_conformance.targets.creatio_target import CREATIO_WAIVERS, CreatioEnvironment
from oauth_conformance.targets.identity import IdentityClient
from oauth_conformance.targets.standards import Client, StandardsTarget
from oauth_conformance.targets.technical_users import TechnicalUsers, TechUserBudget

if TYPE_CHECKING:
    from oauth_conformance.cleanup import Cleanup
    from oauth_conformance.http import HttpClient
    from oauth_conformance.mock import MockServers
    from oauth_conformance.settings import Settings

__all__ = [
    "MOCK_CREATIO_VERSIONS",
    "MOCK_DEACTIVATIONS",
    "MOCK_HOSTINGS",
    "MOCK_PATH_STYLES",
    "MOCK_PROFILES",
    "SPEC",
    "MockCreatioVersion",
    "MockDeactivation",
    "MockHosting",
    "MockPathStyle",
    "MockProfile",
    "MockTarget",
    "check_switches",
    "with_mock_tls",
]

# Generations with deviations of their own (profiles/creatio-<version>.toml).
GENERATION_WAIVERS = frozenset({"8.0"})

# The mock's own options (oauth_conformance.mock.MockOptions), as the settings choose them.
MockProfile = Literal["compliant", "creatio"]
MockDeactivation = Literal["per-request", "until-expiry"]
MockPathStyle = Literal["netframework", "netcore"]
MOCK_PROFILES: tuple[MockProfile, ...] = ("compliant", "creatio")
MOCK_DEACTIVATIONS: tuple[MockDeactivation, ...] = ("per-request", "until-expiry")
MOCK_PATH_STYLES: tuple[MockPathStyle, ...] = ("netframework", "netcore")
MockCreatioVersion = Literal["8.0", "8.1", "8.2", "8.3"]
MockHosting = Literal["onsite", "cloud"]
MOCK_CREATIO_VERSIONS: tuple[MockCreatioVersion, ...] = ("8.0", "8.1", "8.2", "8.3")
MOCK_HOSTINGS: tuple[MockHosting, ...] = ("onsite", "cloud")


@dataclass
class MockTarget:
    """The bundled mock: its Creatio and Identity Service, plus the clients only the mock can hold."""

    environment: CreatioEnvironment
    servers: MockServers

    @property
    def description(self) -> str:
        return self.environment.description

    def creatio(self) -> CreatioEnvironment:
        return self.environment

    def standards(self, cleanup: Cleanup) -> StandardsTarget:
        from oauth_conformance.mock import PUBLIC_CLIENT_ID, SPECIAL_CLIENT_ID, SPECIAL_CLIENT_SECRET

        # Two clients Creatio itself cannot make (its credentials are always hex and always carry a
        # secret): the special-characters client and a public client, both registered at the IS only.
        return dataclasses.replace(
            self.environment.standards(cleanup),
            public_client_id=PUBLIC_CLIENT_ID,
            special_client=Client(SPECIAL_CLIENT_ID, SPECIAL_CLIENT_SECRET),
        )

    def close(self) -> None:
        self.servers.stop()


def check_switches(defects: frozenset[str], tls: bool) -> None:
    """MOCK_DEFECTS names only the mock's defects and benign variants, and those that act on https only
    come with MOCK_TLS (silently doing nothing would make a clean run look like a kill that failed)."""
    from oauth_conformance.mock import BENIGN, DEFECTS

    switches = {**DEFECTS, **BENIGN}
    unknown = sorted(defects - switches.keys())
    if unknown:
        raise SettingsError(
            f"--mock-defects / MOCK_DEFECTS: unknown {', '.join(unknown)}; expected names from "
            "python -m oauth_conformance.mock --help"
        )
    if not tls and (tls_only := sorted(name for name in defects if switches[name].tls)):
        raise SettingsError(
            f"--mock-defects / MOCK_DEFECTS: {', '.join(tls_only)} act only on a mock serving https; "
            "expected --mock-tls=true (MOCK_TLS) with them"
        )


def with_mock_tls(settings: Settings) -> Settings:
    """With ``--mock-tls``, issue the mock's certificate files and make the run trust their CA.

    Done before anything opens a connection, so the one HTTP client of the run verifies the mock's
    chain and host name like any other server's; the files go when the process ends.
    """
    if not settings.mock_tls:
        return settings
    from oauth_conformance.mock.tls import issue_loopback_tls

    folder = Path(tempfile.mkdtemp(prefix="oauth-conformance-tls-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    files = issue_loopback_tls(folder)
    return dataclasses.replace(settings, tls_verify=str(files.ca), mock_tls_files=files)


def _open(settings: Settings, http: HttpClient) -> MockTarget:
    from oauth_conformance.mock import MockOptions, start_mock

    options = MockOptions(
        profile=settings.mock_profile,
        deactivation=settings.mock_deactivation,
        path_style=settings.mock_path_style,
        creatio_version=settings.mock_creatio_version,
        hosting=settings.mock_hosting,
        defects=settings.mock_defects,
        tls=settings.mock_tls_files,
    )
    servers = start_mock(options)
    connection = CreatioConnection(
        site_url=servers.creatio_url,
        identity_url=servers.identity_url,
        # "auto" on purpose: every mock run exercises the adapter's path-style detection.
        path_style="auto",
        hosting=options.hosting,
        admin_user=servers.admin_user,
        admin_password=servers.admin_password,
        tech_user=servers.seed.technical_user_name,
        allowed_entity=servers.seed.allowed_entity,
        denied_entity=servers.seed.denied_entity,
    )
    defects = f", defects: {', '.join(sorted(options.defects))}" if options.defects else ""
    adapter = CreatioAdapter(http, connection)
    environment = CreatioEnvironment(
        kind="mock",
        description=(
            f"bundled mock (Creatio {options.creatio_version} {options.hosting} {options.path_style}, "
            f"{options.profile} profile, {options.deactivation} deactivation{defects})"
        ),
        connection=connection,
        adapter=adapter,
        identity=IdentityClient(http, servers.identity_url),
        run_prefix=settings.run_prefix,
        names_prefix=settings.names_prefix,
        # The mock is the run's own: it may create as many technical users as the scenarios need.
        budget=TechUserBudget(allowed=True, limit=1000),
        technical_users=TechnicalUsers(adapter),
        mock=servers,
    )
    return MockTarget(environment, servers)


def _default_waivers(settings: Settings) -> tuple[Path, ...]:
    # The creatio profile imitates Creatio, deviations and all, of the generation it reproduces.
    if settings.mock_profile != "creatio":
        return ()
    generation = profiles_dir() / f"creatio-{settings.mock_creatio_version}.toml"
    return (CREATIO_WAIVERS, generation) if settings.mock_creatio_version in GENERATION_WAIVERS else (CREATIO_WAIVERS,)


SPEC = TargetSpec(
    summary="the bundled mock of Creatio and its Identity Service, started by the run (the default)",
    settings=("MOCK_PROFILE", "MOCK_DEACTIVATION", "MOCK_PATH_STYLE", "MOCK_CREATIO_VERSION", "MOCK_HOSTING",
              "MOCK_DEFECTS", "MOCK_TLS"),
    open=_open,
    default_waivers=_default_waivers,
    prepare=with_mock_tls,
    describe=lambda settings: (
        f"bundled mock (Creatio {settings.mock_creatio_version} {settings.mock_hosting} {settings.mock_path_style}, "
        f"{settings.mock_profile} profile), not started: no scenario needed it"
    ),
)
